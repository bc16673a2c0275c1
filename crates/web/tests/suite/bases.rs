//! The registry of platforms and bases, and the count targets computed from it, on SQLite and PostgreSQL.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::{Client, audit_holds, tests_on_each_db};

// Each `async fn …(api: Client)` below is a test run on SQLite and PostgreSQL (see `common::on_each_db`).
tests_on_each_db!(a_second_national_innovation_centre_turns_the_target_achieved);

const NATIONAL_CENTRES: &str = "国家级制造业创新中心";

async fn indicator(api: &Client, token: &str, name: &str) -> Value {
    let (s, v) = api.call("GET", "/api/v1/indicators", token, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v.as_array().unwrap().iter().find(|i| i["name"] == name).unwrap_or_else(|| panic!("no indicator {name}")).clone()
}

async fn history(api: &Client, token: &str, id: i64) -> Vec<(String, f64)> {
    let (s, v) = api.call("GET", &format!("/api/v1/indicators/{id}/observations"), token, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut out: Vec<(String, f64)> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["current"] == true && o["region"] == "")
        .map(|o| (o["period"].as_str().unwrap().to_string(), o["value"].as_f64().unwrap()))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn centre(name: &str, on: &str) -> Value {
    json!({ "name": name, "kind": "innovation_centre", "level": "national", "city": "深圳", "host_name": "（测试）依托单位",
            "recognised_by": "工业和信息化部", "recognised_on": on, "source": "（测试）认定通知" })
}

async fn a_second_national_innovation_centre_turns_the_target_achieved(api: Client) {
    {
        let url = &api.db;
        let owner = api.login("owner", "Demo@2025").await;
        let ind = indicator(&api, &owner, NATIONAL_CENTRES).await;
        let id = ind["id"].as_i64().unwrap();
        assert_eq!(ind["derived_from"], "bases:innovation_centre@national", "bound at load: {url}");
        assert_eq!(ind["derived_from_label"], "平台与基地库：国家级制造业创新中心");
        assert_eq!(ind["latest"]["value"].as_f64(), Some(1.0), "the demo has one: {ind}");
        assert_eq!(ind["progress"]["achieved"], false, "{ind}");
        let before = history(&api, &owner, id).await;
        assert_eq!(before.iter().find(|(p, _)| p == "2019").map(|x| x.1), Some(1.0), "counted from the baseline year");

        let (s, b) =
            api.call("POST", "/api/v1/bases", &owner, centre("（测试）第二个国家级创新中心", "2025-03-01")).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        assert_eq!(
            (b["kind"].as_str(), b["level"].as_str(), b["synthetic"].as_bool()),
            (Some("innovation_centre"), Some("national"), Some(false))
        );
        assert_eq!(b["counts_for"], json!([id]));
        let ind = indicator(&api, &owner, NATIONAL_CENTRES).await;
        assert_eq!(ind["latest"]["value"].as_f64(), Some(2.0), "{ind}");
        assert_eq!(ind["progress"]["achieved"], true, "2个以上 reached: {ind}");
        let after = history(&api, &owner, id).await;
        assert_eq!(after.iter().find(|(p, _)| p == "2024").map(|x| x.1), Some(1.0), "not before it was recognised");
        assert_eq!(after.iter().find(|(p, _)| p == "2025").map(|x| x.1), Some(2.0), "counted at the end of 2025");

        // Withdrawn in 2026: 2025 still counts it, this year no longer does.
        let bid = b["id"].as_i64().unwrap();
        let withdraw = json!({ "withdrawn_on": "2026-01-10", "reason": "（测试）复核未通过", "version": b["version"] });
        let (s, w) = api.call("POST", &format!("/api/v1/bases/{bid}/withdraw"), &owner, withdraw.clone()).await;
        assert_eq!((s, w["withdrawn_on"].as_str()), (StatusCode::OK, Some("2026-01-10")), "{w}");
        let after = history(&api, &owner, id).await;
        assert_eq!(after.iter().find(|(p, _)| p == "2025").map(|x| x.1), Some(2.0));
        assert_eq!(after.iter().find(|(p, _)| p == "2026").map(|x| x.1), Some(1.0));
        let (s, v) = api.call("POST", &format!("/api/v1/bases/{bid}/withdraw"), &owner, withdraw).await;
        assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "stale version: {v}");
        // With the base as it is now (withdrawn, a version on), as its GET shows it.
        let now = &v["error"]["current"];
        assert_eq!((now["id"].as_i64(), now["withdrawn_on"].as_str()), (Some(bid), Some("2026-01-10")), "{v}");
        assert_eq!(now["version"], w["version"], "{v}");
        audit_holds(&api.app, &["base.recognise", "base.withdraw", "observation.derive"]).await;
    }
}

#[tokio::test]
async fn a_base_with_errors_is_refused_naming_each_field() {
    let api = Client::demo_sqlite().await;
    let owner = api.login("owner", "Demo@2025").await;
    let bad = json!({ "name": "", "kind": "castle", "level": "galactic", "city": "香港", "host_uscc": "123",
                      "recognised_on": "2099-01-01", "source": " " });
    let (s, v) = api.call("POST", "/api/v1/bases", &owner, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> =
        v["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "kind", "level", "city", "host_uscc", "recognised_on", "source"], "{v}");
    let (s, v) = api.call("POST", "/api/v1/bases", &owner, centre("（测试）中心", "2025-02-30")).await;
    assert_eq!(
        (s, v["error"]["details"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("recognised_on"))
    );
    let (s, v) = api.call("POST", "/api/v1/bases", &owner, json!({ "name": "x", "colour": "red" })).await;
    assert_eq!(
        (s, v["error"]["details"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("colour")),
        "unknown fields are refused: {v}"
    );
    assert_eq!(
        api.call("POST", "/api/v1/bases", &owner, centre("（测试）中心", "2024-05-01")).await.0,
        StatusCode::CREATED
    );
    let (s, v) = api.call("POST", "/api/v1/bases", &owner, centre("（测试）中心", "2024-05-01")).await;
    assert_eq!(s, StatusCode::CONFLICT, "the same base twice: {v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("已登记"), "{v}");
    let (s, v) = api.call("GET", "/api/v1/bases/999999", &owner, Value::Null).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
}

#[tokio::test]
async fn viewers_read_the_registry_and_only_the_plan_owner_changes_it() {
    let api = Client::demo_sqlite().await;
    let viewer = api.login("viewer", "Demo@2025").await;
    let (s, list) = api.call("GET", "/api/v1/bases", &viewer, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    let list = list.as_array().unwrap();
    assert!(list.len() >= 20 && list.iter().all(|b| b["synthetic"] == true), "the demo's bases are synthetic");
    assert!(list.iter().all(|b| b["name"].as_str().unwrap().contains("示例")), "and their names say so");
    assert_eq!(api.call("POST", "/api/v1/bases", &viewer, centre("x", "2024-01-01")).await.0, StatusCode::FORBIDDEN);
    let shenzhen = api.login("shenzhen", "Demo@2025").await;
    assert_eq!(
        api.call("POST", "/api/v1/bases", &shenzhen, Value::Null).await.0,
        StatusCode::FORBIDDEN,
        "permission before the body"
    );
    let firm = api.user("firm_b", "enterprise", None, Some(&crate::common::uscc("440300", 7))).await;
    assert_eq!(api.call("GET", "/api/v1/bases", &firm, Value::Null).await.0, StatusCode::FORBIDDEN);
    let ind = indicator(&api, &viewer, NATIONAL_CENTRES).await;
    let bind = format!("/api/v1/indicators/{}/derivation", ind["id"]);
    assert_eq!(api.call("PUT", &bind, &viewer, json!({ "derived_from": null })).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_unbound_indicator_takes_typed_values_again() {
    let api = Client::demo_sqlite().await;
    let owner = api.login("owner", "Demo@2025").await;
    let ind = indicator(&api, &owner, "集成电路设计基地").await;
    let id = ind["id"].as_i64().unwrap();
    let obs = format!("/api/v1/indicators/{id}/observations");
    let (s, v) = api.call("POST", &obs, &owner, json!({ "period": "2025", "value": 3 })).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("derived_indicator")), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("平台与基地库：集成电路设计基地"), "{v}");
    let bind = format!("/api/v1/indicators/{id}/derivation");
    let (s, v) = api.call("PUT", &bind, &owner, json!({ "derived_from": "bases:nonsense" })).await;
    assert_eq!(
        (s, v["error"]["details"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("derived_from"))
    );
    assert_eq!(api.call("PUT", &bind, &owner, json!({ "derived_from": null })).await.0, StatusCode::OK);
    assert_eq!(api.call("POST", &obs, &owner, json!({ "period": "2025", "value": 3 })).await.0, StatusCode::CREATED);
    assert!(indicator(&api, &owner, "集成电路设计基地").await["derived_from"].is_null());
    // Bound again: the computed values replace the typed one (kept in the corrections).
    let (s, v) = api.call("PUT", &bind, &owner, json!({ "derived_from": "bases:ic_design_base" })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["written"].as_u64().unwrap() >= 1, "{v}");
    let h = history(&api, &owner, id).await;
    assert_eq!(h.iter().find(|(p, _)| p == "2025").map(|x| x.1), Some(2.0), "{h:?}");
}

#[tokio::test]
async fn the_bases_pages_list_register_and_withdraw() {
    let api = Client::demo_sqlite().await;
    let owner = api.browser("owner", crate::common::DEMO_PASSWORD).await;
    let page = api.page("/bases", &owner).await;
    crate::common::assert_shows(
        &page,
        "/bases",
        &[
            "平台与基地",
            "本库计算的目标",
            "国家级制造业创新中心",
            "示例·超高清视频产业基地一（合成）",
            "登记认定",
            "演示用合成数据",
        ],
    );
    assert!(api.page("/bases?lang=en", &owner).await.contains("Targets computed from this registry"));
    let csv = api.get("/bases?format=csv").browser(&owner).await.body;
    assert!(csv.contains("recognised_on") && csv.contains("示例·集成电路设计基地一（合成）"), "{csv}");
    // Registered through the form: a wrong date comes back with the form and the field named.
    let fields = |on: &'static str| {
        vec![
            ("name", "（测试）集成电路设计基地三"),
            ("kind", "ic_design_base"),
            ("level", "provincial"),
            ("city", "广州"),
            ("recognised_by", "省工业和信息化厅"),
            ("recognised_on", on),
            ("source", "（测试）认定通知"),
        ]
    };
    let mut bad = fields("2025-13-01");
    bad.push(("csrf", &owner.csrf));
    let a = api.submit("/bases", &owner, &bad).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("认定日期") || a.body.contains("recognised_on"), "the field is named");
    let mut good = fields("2025-06-01");
    good.push(("csrf", &owner.csrf));
    let a = api.submit("/bases", &owner, &good).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let at = a.location().to_string();
    let page = api.page(&at, &owner).await;
    assert!(page.contains("（测试）集成电路设计基地三") && page.contains("计入的目标") && page.contains("撤销认定"));
    let page = api.page("/bases", &owner).await;
    assert!(page.contains("（测试）集成电路设计基地三"));
    api.post_ok(&format!("{at}/withdraw"), &owner, &[("withdrawn_on", "2026-01-05"), ("reason", "（测试）")]).await;
    assert!(api.page(&at, &owner).await.contains("2026-01-05"));
    let viewer = api.browser("viewer", crate::common::DEMO_PASSWORD).await;
    assert!(!api.page("/bases", &viewer).await.contains("登记认定"), "no form for a reader");
    let a = api.submit("/bases", &viewer, &[("csrf", &viewer.csrf)]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}
