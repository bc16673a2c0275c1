//! The routing of problems (企业直通车) as the plan owner's settings, on SQLite and PostgreSQL: a changed
//! department gets the next problem of its kind, with the changed days (half on the fast lane); bad input
//! names its field; a city bureau may not change the province's routing. Who tracks each project library
//! (跟踪服务): set by the plan owner, shown on the list and the cards.

use axum::http::StatusCode;
use jiqun_domain::date::Date;
use serde_json::{Value, json};

use crate::common::{Client, DEMO_PASSWORD, code, tests_on_each_db};

tests_on_each_db!(
    the_plan_owner_changes_where_problems_go_and_in_how_many_days,
    the_plan_owner_says_who_tracks_each_project_library,
);

async fn project(api: &Client, token: &str, fast_lane: bool) -> i64 {
    let body = json!({ "name": "（测试）路由项目", "city": "深圳", "fast_lane": fast_lane, "source": "（测试）" });
    let (s, v) = api.call("POST", "/api/v1/projects", token, body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_i64().unwrap()
}

/// Raises a problem; its department and its deadline (in days since the epoch).
async fn raise(api: &Client, token: &str, id: i64, kind: &str) -> (String, i64) {
    let body = json!({ "kind": kind, "description": "（测试）问题" });
    let (s, v) = api.call("POST", &format!("/api/v1/projects/{id}/problems"), token, body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let deadline = Date::parse(v["deadline"].as_str().unwrap()).unwrap();
    (v["department"].as_str().unwrap().to_string(), deadline.days())
}

async fn the_plan_owner_changes_where_problems_go_and_in_how_many_days(api: Client) {
    let owner = api.demo_login("owner").await;
    let (s, v) = api.call("GET", "/api/v1/projects/routing", &owner, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["routing"]["land"]["department"].as_str(), v["routing"]["land"]["days"].as_i64()),
        (Some("省自然资源厅"), Some(20))
    );
    assert_eq!(v["routing"].as_object().unwrap().len(), 7, "every kind: {v}");
    let sz = api.demo_login("shenzhen").await;
    assert_eq!(
        api.call("GET", "/api/v1/projects/routing", &sz, Value::Null).await.0,
        StatusCode::OK,
        "readers read it"
    );
    let change = json!({ "routing": { "land": { "department": "省科技厅", "days": 30 } } });
    let (s, v) = api.call("PUT", "/api/v1/projects/routing", &sz, change.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a city bureau may not change the province's routing: {v}");
    let firm = api.demo_login("qiye").await;
    assert_eq!(api.call("PUT", "/api/v1/projects/routing", &firm, change.clone()).await.0, StatusCode::FORBIDDEN);
    // Bad input: 422, each error naming its field.
    let bad = json!({ "routing": { "land": { "department": "省不存在厅", "days": 0 }, "weather": { "department": "省科技厅", "days": 5 } } });
    let (s, v) = api.call("PUT", "/api/v1/projects/routing", &owner, bad).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid")), "{v}");
    let fields: Vec<&str> =
        v["error"]["details"].as_array().unwrap().iter().filter_map(|d| d["field"].as_str()).collect();
    assert_eq!(fields, ["routing[land].department", "routing[land].days", "routing[weather]"], "{v}");
    let (s, _) = api
        .call(
            "PUT",
            "/api/v1/projects/routing",
            &owner,
            json!({ "routing": { "land": { "department": "省科技厅", "days": 366 } } }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The change: land goes to 省科技厅 in 30 days; the other kinds keep theirs.
    let (s, v) = api.call("PUT", "/api/v1/projects/routing", &owner, change).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = api.call("GET", "/api/v1/projects/routing", &sz, Value::Null).await;
    assert_eq!(
        (v["routing"]["land"]["department"].as_str(), v["routing"]["land"]["days"].as_i64()),
        (Some("省科技厅"), Some(30))
    );
    assert_eq!(v["routing"]["other"]["department"].as_str(), Some("省工业和信息化厅"));
    let normal = project(&api, &owner, false).await;
    let fast = project(&api, &owner, true).await;
    let (department, land) = raise(&api, &sz, normal, "land").await;
    assert_eq!(department, "省科技厅", "the next problem goes to the new department");
    let (department, other) = raise(&api, &sz, normal, "other").await;
    assert_eq!(department, "省工业和信息化厅");
    assert_eq!(land - other, 30 - 15, "30 days for land, 15 for other");
    let (department, land_fast) = raise(&api, &sz, fast, "land").await;
    assert_eq!((department.as_str(), land - land_fast), ("省科技厅", 15), "a fast-lane project gets half");
}

#[tokio::test]
async fn the_routing_form_on_the_projects_page_is_the_plan_owners() {
    let api = Client::demo_sqlite().await;
    let owner = api.browser("owner", DEMO_PASSWORD).await;
    let page = api.page("/projects", &owner).await;
    assert!(page.contains("问题分派") && page.contains("省自然资源厅"), "the plan owner's form: {page}");
    let sz = api.browser("shenzhen", DEMO_PASSWORD).await;
    assert!(!api.page("/projects", &sz).await.contains("问题分派"), "not a city bureau's");
    let rows = |land: &'static str, days: &'static str| {
        let mut v = vec![("land.department", land), ("land.days", days)];
        for (k, d, n) in [
            ("energy", "省发展改革委", "20"),
            ("power", "省能源局", "10"),
            ("finance", "省地方金融监管局", "15"),
            ("approval", "省政务服务数据管理局", "10"),
            ("talent", "省人力资源社会保障厅", "20"),
            ("other", "省工业和信息化厅", "15"),
        ] {
            v.push((leak(format!("{k}.department")), d));
            v.push((leak(format!("{k}.days")), n));
        }
        v
    };
    let mut form = vec![("csrf", sz.csrf.as_str())];
    form.extend(rows("省科技厅", "30"));
    assert_eq!(api.submit("/projects/routing", &sz, &form).await.status, StatusCode::FORBIDDEN);
    let mut form = vec![("csrf", owner.csrf.as_str())];
    form.extend(rows("省不存在厅", "30"));
    let a = api.submit("/projects/routing", &owner, &form).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert!(a.body.contains("routing[land].department") && a.body.contains("省不存在厅"), "{}", a.body);
    let mut form = vec![("csrf", owner.csrf.as_str())];
    form.extend(rows("省科技厅", "30"));
    let a = api.submit("/projects/routing", &owner, &form).await;
    assert_eq!((a.status, a.location()), (StatusCode::SEE_OTHER, "/projects"), "{}", a.body);
    let token = api.demo_login("owner").await;
    let (_, v) = api.call("GET", "/api/v1/projects/routing", &token, Value::Null).await;
    assert_eq!(
        (v["routing"]["land"]["department"].as_str(), v["routing"]["land"]["days"].as_i64()),
        (Some("省科技厅"), Some(30))
    );
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn library<'a>(list: &'a Value, id: &str) -> &'a Value {
    list["libraries"].as_array().unwrap().iter().find(|l| l["id"] == id).unwrap()
}

async fn the_plan_owner_says_who_tracks_each_project_library(api: Client) {
    let owner = api.demo_login("owner").await;
    let (s, v) = api.call("GET", "/api/v1/projects", &owner, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        library(&v, "ic_key")["trackers"],
        json!({ "departments": ["省工业和信息化厅", "省发展改革委"], "officials": ["owner"] }),
        "the demo's: {v}"
    );
    assert_eq!(library(&v, "5g_major")["trackers"]["departments"], json!(["省工业和信息化厅", "省通信管理局"]));
    let body =
        json!({ "departments": ["广东省科学技术厅", "省工业和信息化厅", "省科技厅"], "officials": ["owner", "kjt"] });
    let sz = api.demo_login("shenzhen").await;
    let (s, _) = api.call("PUT", "/api/v1/project-libraries/5g_major", &sz, body.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a city bureau does not set the province's trackers");
    let bad = json!({ "departments": ["省工业和信息化厅", "省无此局"], "officials": ["nobody_here"] });
    let (s, v) = api.call("PUT", "/api/v1/project-libraries/5g_major", &owner, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let details = v["error"]["details"].as_array().unwrap();
    let fields: Vec<&str> = details.iter().filter_map(|d| d["field"].as_str()).collect();
    assert_eq!(fields, ["departments[1]", "officials[0]"], "{v}");
    assert!(v.to_string().contains("省无此局") && v.to_string().contains("nobody_here"), "names them: {v}");
    let (s, _) = api.call("PUT", "/api/v1/project-libraries/no_such", &owner, body.clone()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = api.call("PUT", "/api/v1/project-libraries/5g_major", &owner, body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["trackers"],
        json!({ "departments": ["省科技厅", "省工业和信息化厅"], "officials": ["owner", "kjt"] }),
        "short names, repeats dropped: {v}"
    );
    let (_, v) = api.call("GET", "/api/v1/projects", &sz, Value::Null).await;
    assert_eq!(library(&v, "5g_major")["trackers"]["officials"], json!(["owner", "kjt"]), "{v}");
    assert_eq!(library(&v, "ic_key")["trackers"]["departments"], json!(["省工业和信息化厅", "省发展改革委"]));
}

#[tokio::test]
async fn the_library_cards_say_who_tracks_them() {
    let api = Client::demo_sqlite().await;
    let owner = api.browser("owner", DEMO_PASSWORD).await;
    let page = api.page("/projects", &owner).await;
    assert!(page.contains("跟踪服务") && page.contains("省通信管理局") && page.contains("省发展改革委"), "{page}");
}
