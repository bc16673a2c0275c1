//! Identity under the production policy: forced password change, password history, TOTP enrolment and
//! login, replay refusal, idle timeout. On SQLite and (with `JIQUN_TEST_POSTGRES`) PostgreSQL.

use crate::common::{ADMIN_PASSWORD, Client, base32_decode, code, field, now};

use axum::http::StatusCode;
use jiqun_app::{App, Preset};
use serde_json::{Value, json};

#[tokio::test]
async fn production_policy_password_change_and_totp() {
    for url in jiqun_store::testing::urls().await {
        let r = Client::bare(&url, Preset::Production, "Boot-Strap1").await;
        let login = |pw: &'static str, totp: Option<String>| {
            let mut body = json!({ "username": "admin", "password": pw });
            if let Some(t) = totp {
                body["totp"] = json!(t);
            }
            r.call("POST", "/api/v1/auth/login", "", body)
        };
        let (s, v) = login("Boot-Strap1", None).await;
        assert_eq!(s, StatusCode::OK, "{url}: {v}");
        assert_eq!(v["restriction"], "password_change_required");
        let t = v["token"].as_str().unwrap().to_string();
        // Only the account routes are open.
        let (s, v) = r.call("GET", "/api/v1/plans", &t, Value::Null).await;
        assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, Some("password_change_required")));
        assert_eq!(r.call("GET", "/api/v1/auth/me", &t, Value::Null).await.0, StatusCode::OK);
        // Rules: the old password must be right; the new one strong and not the current one.
        let change = |old: &str, new: &str| json!({ "old_password": old, "new_password": new });
        assert_eq!(
            r.call("POST", "/api/v1/auth/password", &t, change("nope", "New-Pass-1")).await.0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            r.call("POST", "/api/v1/auth/password", &t, change("Boot-Strap1", "short")).await.0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let (s, v) = r.call("POST", "/api/v1/auth/password", &t, change("Boot-Strap1", "Boot-Strap1")).await;
        assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("new_password")));
        assert_eq!(
            r.call("POST", "/api/v1/auth/password", &t, change("Boot-Strap1", "New-Pass-1")).await.0,
            StatusCode::NO_CONTENT
        );
        // An administrator under the production policy must now enrol TOTP.
        let (s, v) = r.call("GET", "/api/v1/plans", &t, Value::Null).await;
        assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, Some("totp_enrollment_required")), "{url}");
        let (s, e) = r.call("POST", "/api/v1/auth/totp/enroll", &t, Value::Null).await;
        assert_eq!(s, StatusCode::OK);
        assert!(e["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/Jiqun:admin?secret="));
        let secret = base32_decode(e["secret"].as_str().unwrap());
        assert_eq!(secret.len(), 20);
        assert_eq!(
            r.call("POST", "/api/v1/auth/totp/confirm", &t, json!({ "code": "000000" })).await.0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let totp = jiqun_crypto::totp_at(&secret, now());
        assert_eq!(
            r.call("POST", "/api/v1/auth/totp/confirm", &t, json!({ "code": totp })).await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            r.call("GET", "/api/v1/plans", &t, Value::Null).await.0,
            StatusCode::OK,
            "{url}: no restriction left"
        );
        // From now on the login needs the code.
        let (s, v) = login("New-Pass-1", None).await;
        assert_eq!((s, code(&v)), (StatusCode::UNAUTHORIZED, Some("totp_required")));
        let (s, v) = login("New-Pass-1", Some("123456".into())).await;
        assert_eq!((s, code(&v)), (StatusCode::UNAUTHORIZED, Some("bad_totp")));
        // The code of the next step (clock drift) works once; its replay is refused.
        let next = jiqun_crypto::totp_at(&secret, now() + 30);
        let (s, v) = login("New-Pass-1", Some(next.clone())).await;
        assert_eq!(s, StatusCode::OK, "{url}: {v}");
        assert!(v["restriction"].is_null());
        let (s, v) = login("New-Pass-1", Some(next)).await;
        assert_eq!((s, code(&v)), (StatusCode::UNAUTHORIZED, Some("bad_totp")), "replay");
        // Back to the first password: refused (history).
        let t2 = v.get("token").and_then(Value::as_str).map(String::from).unwrap_or(t.clone());
        let (s, _) = r.call("POST", "/api/v1/auth/password", &t2, change("New-Pass-1", "Boot-Strap1")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{url}: no reuse of the last five");
    }
}

#[tokio::test]
async fn idle_sessions_end() {
    let url = jiqun_store::testing::sqlite_url();
    let r = Client::bare(&url, Preset::Demo, ADMIN_PASSWORD).await;
    let (_, v) =
        r.call("POST", "/api/v1/auth/login", "", json!({ "username": "admin", "password": ADMIN_PASSWORD })).await;
    assert!(v["restriction"].is_null(), "the demo policy forces nothing: {v}");
    let t = v["token"].as_str().unwrap().to_string();
    assert_eq!(r.call("GET", "/api/v1/plans", &t, Value::Null).await.0, StatusCode::OK);
    // The session was last used long ago: a server that has not cached it ends it.
    let other = App::open(&url).await.unwrap();
    sqlx::query("UPDATE sessions SET last_seen_at = 0").execute(other.store_for_tests().pool()).await.unwrap();
    let r2 = Client::over(other, &url);
    assert_eq!(r2.call("GET", "/api/v1/plans", &t, Value::Null).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(r2.call("GET", "/api/v1/plans", &t, Value::Null).await.0, StatusCode::UNAUTHORIZED, "it stays ended");
}

/// Parallel guesses all count: 20 wrong passwords sent at once lock the account, and the right password then
/// gets 423. (The count used to be read by the caller and written back, so parallel guesses left it at 1.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_logins_lock_the_account() {
    for url in jiqun_store::testing::urls().await {
        let r = Client::bare(&url, Preset::Demo, ADMIN_PASSWORD).await;
        let mut guesses = tokio::task::JoinSet::new();
        for i in 0..20 {
            let r = r.clone();
            guesses.spawn(async move {
                let body = json!({ "username": "admin", "password": format!("wrong-{i}") });
                r.call("POST", "/api/v1/auth/login", "", body).await.0
            });
        }
        while let Some(s) = guesses.join_next().await {
            let s = s.unwrap();
            assert!(s == StatusCode::UNAUTHORIZED || s == StatusCode::LOCKED, "{url}: {s}");
        }
        let (s, v) =
            r.call("POST", "/api/v1/auth/login", "", json!({ "username": "admin", "password": ADMIN_PASSWORD })).await;
        assert_eq!((s, code(&v)), (StatusCode::LOCKED, Some("locked")), "{url}: {v}");
    }
}

/// The address the audit trail records for a failed login sent from `peer` with these `X-Forwarded-For`
/// headers, by a server behind the proxies `trusted` names.
async fn recorded_address(r: &Client, trusted: &str, peer: &str, forwarded: &[&str]) -> String {
    use tower::ServiceExt;
    let proxies = jiqun_web::proxies::TrustedProxies::parse(trusted).unwrap();
    let router = jiqun_web::behind(jiqun_web::router(r.app.clone()), proxies);
    let mut req = axum::http::Request::post("/api/v1/auth/login").header("content-type", "application/json");
    for f in forwarded {
        req = req.header("x-forwarded-for", *f);
    }
    let mut req = req.body(axum::body::Body::from(r#"{"username":"admin","password":"wrong-password"}"#)).unwrap();
    let peer: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
    let res = router.oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let last = r.app.store_for_tests().audit_log(1).await.unwrap();
    last[0].ip.clone()
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_audit_trail_records_the_client_it_forwarded_for() {
    let url = jiqun_store::testing::sqlite_url();
    let r = Client::bare(&url, Preset::Production, "Boot-Strap1").await;
    let proxy = "127.0.0.1, 10.0.0.0/8";
    assert_eq!(recorded_address(&r, proxy, "127.0.0.1", &["203.0.113.7"]).await, "203.0.113.7");
    // A client's own X-Forwarded-For proves nothing: an untrusted peer is recorded as itself, and what a
    // client wrote ahead of the proxies' entries is passed over.
    assert_eq!(recorded_address(&r, proxy, "198.51.100.1", &["203.0.113.7"]).await, "198.51.100.1");
    assert_eq!(recorded_address(&r, proxy, "127.0.0.1", &["6.6.6.6, 203.0.113.7", "10.1.2.3"]).await, "203.0.113.7");
    // Without trusted proxies (the default), the header is ignored.
    assert_eq!(recorded_address(&r, "", "127.0.0.1", &["203.0.113.7"]).await, "127.0.0.1");
}
