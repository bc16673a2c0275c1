//! The home page beside the plan: an enterprise account's desk (its class and why, libraries, what it may
//! apply for, figures owed, its own projects and problems), the key-project panel of officials' dashboards
//! (overdue problems, a department's own list) and the navigation to the key projects.

use axum::http::StatusCode;
use jiqun_domain::Lang;
use serde_json::{Value, json};

use crate::common::{Client, DEMO_PASSWORD, ROLE_PASSWORD, tests_on_each_db, uscc};

tests_on_each_db!(an_enterprise_home_page_is_its_firms_desk, overdue_problems_show_on_officials_dashboards);

/// The demo enterprise's own project and its problem (raised by `qiye` in the demo data).
async fn own_problem(api: &Client) -> (i64, i64) {
    let owner = api.demo_login("owner").await;
    let (s, v) = api.call("GET", "/api/v1/problems", &owner, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let p = v.as_array().unwrap().iter().find(|p| p["kind"] == "power").expect("the demo's problem").clone();
    (p["project_id"].as_i64().unwrap(), p["id"].as_i64().unwrap())
}

async fn make_overdue(api: &Client, problem: i64) {
    sqlx::query("UPDATE project_problems SET deadline = '2020-01-02' WHERE id = $1")
        .bind(problem)
        .execute(api.app.store_for_tests().pool())
        .await
        .unwrap();
}

async fn an_enterprise_home_page_is_its_firms_desk(api: Client) {
    let qiye = api.browser("qiye", DEMO_PASSWORD).await;
    let page = api.page("/", &qiye).await;
    assert!(!page.contains("您的角色不查看计划数据"), "a desk, not a refusal");
    for part in ["企业工作台", "亩均效益评价", "所在培育库", "可申报", "待报送数据", "本企业重点项目"]
    {
        assert!(page.contains(part), "{part}");
    }
    // Its class and why: the latest run's items.
    assert!(page.contains("为何是这一档"), "the items of its class");
    assert!(page.contains("class-"), "a class chip");
    // Its own project with the problem it raised; no other firm's project.
    assert!(page.contains("示例·5G基站射频器件扩产项目（合成）"), "its own project");
    assert!(page.contains("新厂房双回路供电接入"), "its open problem");
    assert!(!page.contains("示例·5G工业互联网平台项目（合成）"), "not another firm's project");
    assert!(page.contains("骨干企业") || page.contains("目录"), "the backbone directory it is designated into");
    let en = api.page("/?lang=en", &qiye).await;
    for part in ["Enterprise desk", "Per-mu evaluation", "Libraries it is in", "May apply for", "Figures owed"] {
        assert!(en.contains(part), "{part}");
    }
    // Its navigation leads to the key projects it may read.
    assert!(page.contains("href=\"/projects\""), "the nav links the key projects");
}

async fn overdue_problems_show_on_officials_dashboards(api: Client) {
    let (project, problem) = own_problem(&api).await;
    make_overdue(&api, problem).await;
    let link = format!("href=\"/projects/{project}\"");
    for user in ["owner", "viewer", "shenzhen"] {
        let b = api.browser(user, DEMO_PASSWORD).await;
        let page = api.page("/", &b).await;
        assert!(page.contains("有超期问题的项目"), "{user}: the panel of projects with overdue problems");
        assert!(page.contains(&link), "{user}: links the project");
        assert!(page.contains("已超期"), "{user}: the problem is flagged overdue");
    }
    // A city bureau sees its own city's projects only.
    let gz = api.browser("guangzhou", DEMO_PASSWORD).await;
    let page = api.page("/", &gz).await;
    assert!(page.contains("重点项目") && !page.contains(&link), "not another city's project");
    // The desk of the owner enterprise flags it too.
    let qiye = api.browser("qiye", DEMO_PASSWORD).await;
    assert!(api.page("/", &qiye).await.contains("已超期"));
}

#[tokio::test]
async fn a_department_sees_the_problems_routed_to_it_on_its_dashboard() {
    let api = Client::demo_sqlite().await;
    let (_, problem) = own_problem(&api).await;
    let kjt = api.browser("kjt", DEMO_PASSWORD).await;
    let page = api.page("/", &kjt).await;
    assert!(page.contains("省科技厅待答复的问题"), "the department's own list");
    assert!(page.contains("没有转办本部门、待答复的问题"), "empty so far");
    let owner = api.demo_login("owner").await;
    let (s, v) = api
        .call("POST", &format!("/api/v1/problems/{problem}/route"), &owner, json!({ "department": "省科技厅" }))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let page = api.page("/", &kjt).await;
    assert!(page.contains("新厂房双回路供电接入"), "routed to it: listed");
    let en = api.page("/?lang=en", &kjt).await;
    assert!(en.contains("problems to answer"), "in English too");
    // And on its own tasks page, where /my leads.
    let mine = api.get("/my").browser(&kjt).await;
    let tasks = api.page(mine.location(), &kjt).await;
    assert!(tasks.contains("待答复的项目问题") && tasks.contains("新厂房双回路供电接入"), "on its tasks page");
    // Another department does not list it as its own.
    let gxt = api.browser("gxt", DEMO_PASSWORD).await;
    let page = api.page("/", &gxt).await;
    assert!(page.contains("省工业和信息化厅待答复的问题") && !page.contains("新厂房双回路供电接入"));
}

#[tokio::test]
async fn the_desk_lists_the_figures_owed_for_the_year_just_ended() {
    let api = Client::demo_sqlite().await;
    let token = api.demo_login("qiye").await;
    let s = api.app.session(&token).await.unwrap().unwrap();
    let desk = api.app.enterprise_desk(&s, Lang::Zh).await.unwrap();
    let firm = desk.enterprise.as_ref().expect("the demo firm is registered").id;
    // Every yearly figure but water given for the year just ended: water alone is owed.
    let values: Vec<(String, f64)> = ["land_mu", "tax_wan", "revenue_wan", "value_added_wan", "rd_wan"]
        .into_iter()
        .chain(["energy_tce", "emission_t", "employees", "electricity_mwh"])
        .map(|k| (k.to_string(), 10.0))
        .collect();
    api.app.put_figures(&s, firm, desk.owed_year, &values, "（测试）", None, "").await.unwrap();
    let desk = api.app.enterprise_desk(&s, Lang::Zh).await.unwrap();
    let owed: Vec<&str> = desk.owed.iter().map(|m| m.key).collect();
    assert_eq!(owed, ["water_m3"]);
    assert!(desk.libraries.iter().any(|l| l.library == "backbone"), "designated into the backbone directory");
    assert!(desk.projects.as_ref().is_some_and(|p| p.len() == 1), "its one project");
    // Nobody else has a desk: a plan reader or an account without an enterprise is refused.
    let viewer = api.demo_login("viewer").await;
    let v = api.app.session(&viewer).await.unwrap().unwrap();
    assert!(api.app.enterprise_desk(&v, Lang::Zh).await.is_err());
}

#[tokio::test]
async fn an_enterprise_not_in_the_registry_is_told_so_on_its_desk() {
    let api = Client::demo_sqlite().await;
    let code = uscc("440300", 77);
    api.user("newfirm", "enterprise", None, Some(&code)).await;
    let b = api.browser("newfirm", ROLE_PASSWORD).await;
    let page = api.page("/", &b).await;
    assert!(page.contains("尚未在重点企业库中登记"), "told to register");
    assert!(page.contains(&code));
    assert!(page.contains("本企业没有在库的重点项目"), "no project");
}

#[tokio::test]
async fn the_nav_names_the_key_projects_for_those_who_read_them() {
    let api = Client::demo_sqlite().await;
    for user in ["owner", "shenzhen", "viewer", "kjt", "qiye"] {
        let b = api.browser(user, DEMO_PASSWORD).await;
        let page = api.page("/", &b).await;
        assert!(page.contains("<a href=\"/projects\">重点项目</a>"), "{user}");
        assert!(!page.contains("项目准入</a>"), "{user}: admission is reached from /projects");
    }
    let expert = api.browser("zhuanjia", DEMO_PASSWORD).await;
    let page = api.page("/", &expert).await;
    assert!(!page.contains("href=\"/projects\""), "the expert reads no projects");
    // The admission page is linked from the key projects for those who assess.
    let owner = api.browser("owner", DEMO_PASSWORD).await;
    assert!(api.page("/projects", &owner).await.contains("href=\"/projects/admission\""));
}

#[tokio::test]
async fn the_desk_and_the_key_project_panel_are_in_the_json_downloads() {
    let api = Client::demo_sqlite().await;
    let (project, problem) = own_problem(&api).await;
    make_overdue(&api, problem).await;
    let qiye = api.browser("qiye", DEMO_PASSWORD).await;
    let a = api.get("/?format=json").browser(&qiye).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let v = a.json();
    assert!(v["evaluation"]["class"].is_string(), "{v}");
    assert!(v["owed"].is_array() && v["libraries"].as_array().is_some_and(|l| !l.is_empty()), "{v}");
    assert_eq!(v["projects"][0]["id"].as_i64(), Some(project), "{v}");
    assert_eq!(v["open_problems"][0]["overdue"], true, "{v}");
    let owner = api.browser("owner", DEMO_PASSWORD).await;
    let a = api.get("/?format=json").browser(&owner).await;
    assert_eq!(a.status, StatusCode::OK);
    let v = a.json();
    assert_eq!(v["key_projects"]["projects_with_overdue_problems"][0]["id"].as_i64(), Some(project), "{v}");
    assert_eq!(v["key_projects"]["overdue_problems"][0]["id"].as_i64(), Some(problem), "{v}");
}

/// Officials see the projects whose milestones slip (the demo has exactly one: a planned date past, not done).
#[tokio::test]
async fn the_dashboard_lists_the_projects_whose_milestones_slip() {
    let api = Client::demo_sqlite().await;
    let owner = api.browser("owner", DEMO_PASSWORD).await;
    let page = api.page("/", &owner).await;
    assert!(page.contains("关键节点滞后的项目"), "the panel shows slipping projects");
    let v = api.get("/?format=json").browser(&owner).await.json();
    let slipping = v["key_projects"]["projects_with_slipping_milestones"].as_array().unwrap().clone();
    assert_eq!(slipping.len(), 1, "{v}");
    assert!(slipping[0]["name"].as_str().unwrap().contains("射频"), "{slipping:?}");
    assert_eq!(slipping[0]["slipping_milestones"].as_u64(), Some(1));
    let gz = api.browser("guangzhou", DEMO_PASSWORD).await;
    let v = api.get("/?format=json").browser(&gz).await.json();
    assert_eq!(v["key_projects"]["projects_with_slipping_milestones"], serde_json::json!([]), "not 广州's: {v}");
}
