//! Hostile text in every field a user can type into, stored through the API and shown harmlessly: HTML is
//! escaped on every page that shows it, JSON gives it back exactly as typed, SQL in a value stays a value,
//! and a CSV export neutralises a formula. Runs on SQLite and (with `JIQUN_TEST_POSTGRES`) PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use common::Api;
use serde_json::{Value, json};

/// Markup that would run if a page printed it raw, with SQL that would drop a table if a query spliced it.
const P: &str = "<script>alert(1)</script>';DROP TABLE users;--";
/// The payload as a page must show it.
const ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";
/// A file name (no slash, which names refuse).
const FILE: &str = "<img src=x onerror=alert(1)>.txt";
/// A short one, for fields of at most 20 characters.
const SHORT: &str = "<b onclick=x>u</b>";

/// A page as the user sees it: it must show the payload escaped and never raw.
async fn page_is_safe(api: &Api, uri: &str, token: &str, expect: &str) {
    let (s, body, headers) = api.send("GET", uri, token, Vec::new()).await;
    assert_eq!(s, StatusCode::OK, "{uri}: {}", &body[..body.len().min(300)]);
    assert!(headers.iter().any(|(k, _)| k == "content-security-policy"), "{uri}: CSP header");
    assert!(!body.contains("<script>alert(1)"), "{uri} prints the payload raw");
    assert!(!body.contains("<b onclick"), "{uri} prints the short payload raw");
    assert!(!body.contains("<img src=x"), "{uri} prints the file name raw");
    assert!(body.contains(expect), "{uri} does not show {expect}");
}

#[tokio::test]
async fn hostile_text_is_stored_and_shown_harmlessly() {
    for url in jiqun_store::testing::urls().await {
        story(&Api::demo(&url).await).await;
    }
}

async fn story(api: &Api) {
    let owner = api.login("owner", "Demo@2025").await;
    let kjt = api.login("kjt", "Demo@2025").await;
    let admin = api.login("security", "Demo@2025").await;

    // A plan document whose title and item carry the payload.
    let doc = format!(
        "关于印发{P}行动计划的通知\n\n一、工作目标\n（一）{P}目标。到2025年，产值达到100亿元。（省工业和信息化厅牵头）\n"
    );
    let (s, v, _) = api.send("POST", "/api/v1/plans?name=x.txt", &owner, doc.into_bytes()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let plan: Value = serde_json::from_str(&v).unwrap();
    let plan_id = plan["id"].as_i64().unwrap();
    page_is_safe(api, &format!("/plans/{plan_id}"), &owner, ESCAPED).await;

    // An indicator's name and unit, an observation's source, an override's reason.
    let edit = json!({ "name": P, "unit": SHORT, "direction": "up", "method": "growth", "frequency": "annual",
        "target_cmp": ">=", "target_value": 10, "target_year": 2025, "by_city": false });
    let (s, v) = api.call("POST", "/api/v1/plans/1/indicators", &owner, edit).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let ind = v["id"].as_i64().unwrap();
    let (s, v) = api
        .call(
            "POST",
            &format!("/api/v1/indicators/{ind}/observations"),
            &owner,
            json!({ "period": "2024", "value": 3, "source": P }),
        )
        .await;
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
    page_is_safe(api, &format!("/indicators/{ind}"), &owner, ESCAPED).await;
    page_is_safe(api, "/indicators", &owner, ESCAPED).await;
    page_is_safe(api, "/", &owner, "").await;

    // A department's report (narrative, problems, help needed), the owner's review comment, an attachment's name.
    let assignment = api
        .app
        .store_for_tests()
        .assignments(Some(1), Some(&jiqun_domain::AgencyName::parse("省科技厅").unwrap()))
        .await
        .unwrap()[0]
        .id;
    api.app.store_for_tests().set_round(1, "2026Q1", "2026-04-15", &jiqun_store::Actor::system("test")).await.unwrap();
    let (s, v) = api
        .call(
            "POST",
            &format!("/api/v1/assignments/{assignment}/reports"),
            &kjt,
            json!({ "period": "2026Q1", "status": "behind", "percent": 50, "narrative": P, "problems": P, "help_needed": P }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let report = v["id"].as_i64().unwrap();
    let (s, b, _) = api
        .send("POST", &format!("/api/v1/reports/{report}/attachments?filename={}", enc(FILE)), &kjt, b"data".to_vec())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let attachment: Value = serde_json::from_str(&b).unwrap();
    let (s, v) = api
        .call("POST", &format!("/api/v1/reports/{report}/review"), &owner, json!({ "accept": false, "comment": P }))
        .await;
    assert!(s.is_success(), "{v}");
    page_is_safe(api, &format!("/assignments/{assignment}"), &owner, ESCAPED).await;
    page_is_safe(api, &format!("/assignments/{assignment}"), &owner, "&lt;img src=x onerror=alert(1)&gt;.txt").await;
    page_is_safe(api, "/supervision", &owner, "").await;
    // The download's name is quoted safely in its header.
    let (s, _, headers) = api.send("GET", &format!("/attachments/{}", attachment["id"]), &owner, Vec::new()).await;
    assert_eq!(s, StatusCode::OK);
    let disposition = headers.iter().find(|(k, _)| k == "content-disposition").map(|(_, v)| v.clone()).unwrap();
    assert!(
        !disposition.contains('<') && !disposition.contains('"') || disposition.matches('"').count() == 2,
        "{disposition}"
    );

    // An account's display name (the system administrator's user list).
    let sys = api.app.store_for_tests().user_by_name("admin").await.unwrap().unwrap();
    let _ = sys;
    let admin_token = {
        let (s, v) =
            api.call("POST", "/api/v1/auth/login", "", json!({ "username": "admin", "password": "Admin@12345" })).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["token"].as_str().unwrap().to_string()
    };
    let (s, v) = api
        .call(
            "POST",
            "/api/v1/users",
            &admin_token,
            json!({ "username": "hostile", "display_name": P, "password": "Hostile-123", "roles": ["viewer"], "contact": P }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["contact"], P, "the contact comes back exactly (and is sealed at rest)");
    page_is_safe(api, "/users", &admin, ESCAPED).await;

    // The registry: a firm's name, county, chain nodes and tags; a figure's source; a role's labels.
    let mut uscc = String::from("91440300MA9XKK00");
    uscc.push('1');
    uscc.push(jiqun_domain::uscc::check_character(uscc.as_bytes()).unwrap() as char);
    let (s, v) = api
        .call(
            "POST",
            "/api/v1/enterprises",
            &owner,
            json!({ "uscc": uscc, "name": P, "city": "深圳", "county": SHORT, "scale": "above", "founded_year": 2015,
                    "chain_nodes": [SHORT], "tags": [SHORT] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["name"], P);
    let firm = v["id"].as_i64().unwrap();
    let (s, v) = api
        .call(
            "POST",
            &format!("/api/v1/enterprises/{firm}/figures"),
            &owner,
            json!({ "year": 2025, "source": P, "figures": { "land_mu": 10, "tax_wan": 5 } }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    page_is_safe(api, &format!("/enterprises?q={}", enc(&uscc)), &owner, ESCAPED).await;
    page_is_safe(api, &format!("/enterprises/{firm}?history=tax_wan&year=2025"), &owner, ESCAPED).await;
    let (s, v) = api
        .call(
            "PUT",
            "/api/v1/roles/hostile_role",
            &admin,
            json!({ "label_zh": SHORT, "label_en": SHORT, "grants": [] }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    page_is_safe(api, "/roles", &admin, "&lt;b onclick=x&gt;u&lt;/b&gt;").await;

    // The CSV export neutralises a formula; the SQL in the values did nothing.
    let (s, v) = api
        .call("POST", "/api/v1/enterprises", &owner, json!({ "uscc": uscc, "name": "=HYPERLINK(\"http://x\")", "city": "深圳", "scale": "above", "founded_year": 2015 }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, csv, _) = api.send("GET", &format!("/enterprises?q={}&format=csv", enc(&uscc)), &owner, Vec::new()).await;
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
    assert!(api.app.store_for_tests().user_count().await.unwrap() > 5, "the users table is still there");

    // Text that is not even valid as input is refused with the field named, never stored half.
    let (s, v) = api
        .call(
            "POST",
            "/api/v1/enterprises",
            &owner,
            json!({ "uscc": uscc, "name": "a\u{0}b", "city": "深圳", "scale": "above", "founded_year": 2015 }),
        )
        .await;
    assert_eq!(
        (s, v["error"]["details"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("name")),
        "{v}"
    );
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
