//! The database going away under a running server (issue 15, "Faults"): a request the server cannot answer
//! because the database is unreachable is refused with 503 `unavailable`, in the caller's language, and
//! never taken for a logged-out caller (which sent browsers to the login page and API clients to log in
//! again). The crash of a real PostgreSQL under load, a full disk and a read-only database are drilled by
//! `faults/kill9.py` (docs/faults.md). On SQLite and PostgreSQL.

use axum::http::StatusCode;
use serde_json::Value;

use crate::common::{Client, DEMO_PASSWORD, tests_on_each_db};

tests_on_each_db!(a_caller_whose_session_the_database_cannot_read_gets_503_not_a_login,);

async fn a_caller_whose_session_the_database_cannot_read_gets_503_not_a_login(api: Client) {
    let token = api.demo_login("gxt").await;
    let browser = api.browser("gxt", DEMO_PASSWORD).await;
    // Another server, which has not seen these sessions yet, loses its database.
    let other = api.second_server().await;
    other.app.store_for_tests().pool().close().await;
    let (s, v) = other.call("GET", "/api/v1/plans", &token, Value::Null).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("unavailable")),
        "{}: {v}",
        api.db
    );
    assert!(v["error"]["message"].as_str().unwrap().contains("无法连接数据库"), "{v}");
    let a = other.get("/api/v1/plans").token(&token).header("accept-language", "en").await;
    assert!(a.json()["error"]["message"].as_str().unwrap().contains("cannot reach the database"), "{}", a.body);
    // A page: the error page, not a redirect to the login form.
    let a = other.get("/").browser(&browser).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}: {}", api.db, a.body);
    assert!(a.body.contains("数据库暂时无法使用") || a.body.contains("无法连接数据库"), "{}", a.body);
    // The first server, whose database is there, still answers.
    let (s, _) = api.call("GET", "/api/v1/plans", &token, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{}", api.db);
}
