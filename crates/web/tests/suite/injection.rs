//! Hostile text in every field a user can type into, stored through the API and shown harmlessly: HTML is
//! escaped on every page that shows it, JSON gives it back exactly as typed, SQL in a value stays a value,
//! and a CSV export neutralises a formula. Runs on SQLite and (with `JIQUN_TEST_POSTGRES`) PostgreSQL.

use crate::common::{ADMIN_PASSWORD, Client, enc, field, tests_on_each_db, uscc};

use axum::http::StatusCode;
use serde_json::{Value, json};

// Each `async fn …(api: Client)` below is a test run on SQLite and PostgreSQL (see `common::on_each_db`).
tests_on_each_db!(
    a_hostile_plan_document_is_shown_escaped,
    a_hostile_indicator_comes_back_exactly_and_is_shown_escaped,
    a_hostile_report_review_and_attachment_are_shown_escaped,
    a_hostile_account_is_shown_escaped,
    a_hostile_firm_is_shown_escaped,
    a_hostile_role_label_is_shown_escaped,
    a_csv_export_neutralises_a_formula_and_sql_stays_a_value,
    text_that_is_no_valid_input_is_refused_naming_the_field,
);

/// Markup that would run if a page printed it raw, with SQL that would drop a table if a query spliced it.
const P: &str = "<script>alert(1)</script>';DROP TABLE users;--";
/// The payload as a page must show it.
const ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";
/// A file name (no slash, which names refuse).
const FILE: &str = "<img src=x onerror=alert(1)>.txt";
/// A short one, for fields of at most 20 characters.
const SHORT: &str = "<b onclick=x>u</b>";

/// A page as the user sees it: it must show the payload escaped and never raw.
async fn page_is_safe(api: &Client, uri: &str, token: &str, expect: &str) {
    let a = api.get(uri).token(token).await;
    let body = &a.body;
    assert_eq!(a.status, StatusCode::OK, "{uri}: {}", &body[..body.len().min(300)]);
    assert!(a.headers.contains_key("content-security-policy"), "{uri}: CSP header");
    assert!(!body.contains("<script>alert(1)"), "{uri} prints the payload raw");
    assert!(!body.contains("<b onclick"), "{uri} prints the short payload raw");
    assert!(!body.contains("<img src=x"), "{uri} prints the file name raw");
    assert!(body.contains(expect), "{uri} does not show {expect}");
}

/// A firm registered through the API (201), as the API gives it back.
async fn created_firm(api: &Client, owner: &str, body: Value) -> Value {
    let (s, v) = api.register(owner, body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

/// A plan document whose title and item carry the payload.
async fn a_hostile_plan_document_is_shown_escaped(api: Client) {
    let owner = api.demo_login("owner").await;
    let doc = format!(
        "关于印发{P}行动计划的通知\n\n一、工作目标\n（一）{P}目标。到2025年，产值达到100亿元。（省工业和信息化厅牵头）\n"
    );
    let a = api.post("/api/v1/plans?name=x.txt").token(&owner).body("application/json", doc.into_bytes()).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let plan_id = a.json()["id"].as_i64().unwrap();
    page_is_safe(&api, &format!("/plans/{plan_id}"), &owner, ESCAPED).await;
}

/// An indicator's name and unit, an observation's source, an override's reason.
async fn a_hostile_indicator_comes_back_exactly_and_is_shown_escaped(api: Client) {
    let owner = api.demo_login("owner").await;
    let edit = json!({ "name": P, "unit": SHORT, "direction": "up", "method": "growth", "frequency": "annual",
        "target_cmp": ">=", "target_value": 10, "target_year": 2025, "by_city": false });
    let (s, v) = api.call("POST", "/api/v1/plans/1/indicators", &owner, edit).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let ind = v["id"].as_i64().unwrap();
    let obs = json!({ "period": "2024", "value": 3, "source": P });
    let (s, v) = api.call("POST", &format!("/api/v1/indicators/{ind}/observations"), &owner, obs).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = api
        .call(
            "POST",
            &format!("/api/v1/indicators/{ind}/override"),
            &owner,
            json!({ "status": "limited", "reason": P }),
        )
        .await;
    assert!(s.is_success(), "{v}");
    let (_, v) = api.call("GET", &format!("/api/v1/indicators/{ind}"), &owner, Value::Null).await;
    assert_eq!(v["name"], P, "JSON gives the text back exactly");
    assert_eq!(v["unit"], SHORT);
    page_is_safe(&api, &format!("/indicators/{ind}"), &owner, ESCAPED).await;
    page_is_safe(&api, "/indicators", &owner, ESCAPED).await;
    page_is_safe(&api, "/", &owner, "").await;
}

/// A department's report (narrative, problems, help needed), the owner's review comment, an attachment's
/// name, and the download's name quoted safely in its header.
async fn a_hostile_report_review_and_attachment_are_shown_escaped(api: Client) {
    let owner = api.demo_login("owner").await;
    let kjt = api.demo_login("kjt").await;
    let store = api.app.store_for_tests();
    let assignment =
        store.assignments(Some(1), Some(&jiqun_domain::AgencyName::parse("省科技厅").unwrap())).await.unwrap()[0].id;
    store.set_round(1, "2026Q1", "2026-04-15", &jiqun_store::Actor::system("test")).await.unwrap();
    let report = json!({ "period": "2026Q1", "status": "behind", "percent": 50, "narrative": P, "problems": P, "help_needed": P });
    let (s, v) = api.call("POST", &format!("/api/v1/assignments/{assignment}/reports"), &kjt, report).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let report = v["id"].as_i64().unwrap();
    let (s, attachment) = api
        .raw("POST", &format!("/api/v1/reports/{report}/attachments?filename={}", enc(FILE)), &kjt, b"data".to_vec())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{attachment}");
    let (s, v) = api
        .call("POST", &format!("/api/v1/reports/{report}/review"), &owner, json!({ "accept": false, "comment": P }))
        .await;
    assert!(s.is_success(), "{v}");
    page_is_safe(&api, &format!("/assignments/{assignment}"), &owner, ESCAPED).await;
    page_is_safe(&api, &format!("/assignments/{assignment}"), &owner, "&lt;img src=x onerror=alert(1)&gt;.txt").await;
    page_is_safe(&api, "/supervision", &owner, "").await;
    let a = api.get(&format!("/attachments/{}", attachment["id"])).token(&owner).await;
    assert_eq!(a.status, StatusCode::OK);
    let disposition = a.header("content-disposition");
    assert!(
        !disposition.contains('<') && !disposition.contains('"') || disposition.matches('"').count() == 2,
        "{disposition}"
    );
}

/// An account's display name (the system administrator's user list); its contact comes back exactly.
async fn a_hostile_account_is_shown_escaped(api: Client) {
    let admin = api.login("admin", ADMIN_PASSWORD).await;
    let security = api.demo_login("security").await;
    let (s, v) = api
        .call(
            "POST",
            "/api/v1/users",
            &admin,
            json!({ "username": "hostile", "display_name": P, "password": "Hostile-123", "roles": ["viewer"], "contact": P }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["contact"], P, "the contact comes back exactly (and is sealed at rest)");
    page_is_safe(&api, "/users", &security, ESCAPED).await;
}

/// The registry: a firm's name, county, chain nodes and tags; a figure's source.
async fn a_hostile_firm_is_shown_escaped(api: Client) {
    let owner = api.demo_login("owner").await;
    let uscc = uscc("440300", 9_001);
    let firm = created_firm(
        &api,
        &owner,
        json!({ "uscc": uscc, "name": P, "city": "深圳", "county": SHORT, "scale": "above", "founded_year": 2015,
                "chain_nodes": [SHORT], "tags": [SHORT] }),
    )
    .await;
    assert_eq!(firm["name"], P);
    let firm = firm["id"].as_i64().unwrap();
    let figures = json!({ "year": 2025, "source": P, "figures": { "land_mu": 10, "tax_wan": 5 } });
    let (s, v) = api.call("POST", &format!("/api/v1/enterprises/{firm}/figures"), &owner, figures).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    page_is_safe(&api, &format!("/enterprises?q={}", enc(&uscc)), &owner, ESCAPED).await;
    page_is_safe(&api, &format!("/enterprises/{firm}?history=tax_wan&year=2025"), &owner, ESCAPED).await;
}

/// A role's labels.
async fn a_hostile_role_label_is_shown_escaped(api: Client) {
    let security = api.demo_login("security").await;
    let role = json!({ "label_zh": SHORT, "label_en": SHORT, "grants": [] });
    let (s, v) = api.call("PUT", "/api/v1/roles/hostile_role", &security, role).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    page_is_safe(&api, "/roles", &security, "&lt;b onclick=x&gt;u&lt;/b&gt;").await;
}

/// The CSV export neutralises a formula; the SQL in the values did nothing.
async fn a_csv_export_neutralises_a_formula_and_sql_stays_a_value(api: Client) {
    let owner = api.demo_login("owner").await;
    let uscc = uscc("440300", 9_001);
    created_firm(
        &api,
        &owner,
        json!({ "uscc": uscc, "name": P, "city": "深圳", "scale": "above", "founded_year": 2015 }),
    )
    .await;
    created_firm(
        &api,
        &owner,
        json!({ "uscc": uscc, "name": "=HYPERLINK(\"http://x\")", "city": "深圳", "scale": "above", "founded_year": 2015 }),
    )
    .await;
    let csv = api.get(&format!("/enterprises?q={}&format=csv", enc(&uscc))).token(&owner).await.body;
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
    assert!(api.app.store_for_tests().user_count().await.unwrap() > 5, "the users table is still there");
}

/// Text that is not even valid as input is refused with the field named, never stored half.
async fn text_that_is_no_valid_input_is_refused_naming_the_field(api: Client) {
    let owner = api.demo_login("owner").await;
    let uscc = uscc("440300", 9_001);
    let firm = json!({ "uscc": uscc, "name": "a\u{0}b", "city": "深圳", "scale": "above", "founded_year": 2015 });
    let (s, v) = api.register(&owner, firm).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("name")), "{v}");
}
