//! A client for the API tests: the router in process over a database with the demo data set, bearer
//! tokens, raw and JSON calls, and throw-away users of any role.
#![allow(dead_code)] // each test file uses its own part

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiqun_app::users::UserInput;
use jiqun_app::{App, Preset};
use serde_json::{Value, json};
use tower::ServiceExt;

pub struct Api {
    pub router: axum::Router,
    pub app: Arc<App>,
}

impl Api {
    /// A new database at `url` with the bootstrap `admin` (password `Admin@12345`) and the demo data set.
    pub async fn demo(url: &str) -> Api {
        let app = App::open(url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        app.bootstrap(Preset::Demo, Some("Admin@12345".into())).await.unwrap();
        jiqun_app::demo::load(&app).await.unwrap();
        let app = Arc::new(app);
        Api { router: jiqun_web::router(app.clone()), app }
    }

    /// Status, body text and headers.
    pub async fn send(
        &self,
        method: &str,
        uri: &str,
        token: &str,
        body: Vec<u8>,
    ) -> (StatusCode, String, Vec<(String, String)>) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers =
            res.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 26).await.unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned(), headers)
    }

    /// A raw body in, JSON out.
    pub async fn raw(&self, method: &str, uri: &str, token: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let (s, b, _) = self.send(method, uri, token, body).await;
        (s, serde_json::from_str(&b).unwrap_or(Value::Null))
    }

    /// JSON in (`Value::Null` for no body), JSON out.
    pub async fn call(&self, method: &str, uri: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let bytes = if body.is_null() { Vec::new() } else { body.to_string().into_bytes() };
        self.raw(method, uri, token, bytes).await
    }

    pub async fn login(&self, user: &str, password: &str) -> String {
        let (s, v) =
            self.call("POST", "/api/v1/auth/login", "", json!({ "username": user, "password": password })).await;
        assert_eq!(s, StatusCode::OK, "{user}: {v}");
        v["token"].as_str().unwrap().to_string()
    }

    /// Creates a user of one role (password `Role-12345`) and logs it in.
    pub async fn user(&self, username: &str, role: &str, city: Option<&str>, uscc: Option<&str>) -> String {
        let input = UserInput {
            username: username.into(),
            display_name: String::new(),
            password: "Role-12345".into(),
            roles: vec![role.into()],
            agency: None,
            city: city.map(String::from),
            uscc: uscc.map(String::from),
        };
        self.app.create_user(None, &input, "").await.unwrap();
        self.login(username, "Role-12345").await
    }
}

/// A valid USCC for a firm of the division (`440300` Shenzhen, `440100` Guangzhou), unique by `n`.
pub fn uscc(division: &str, n: u32) -> String {
    let mut s = format!("91{division}MA{n:07}");
    s.truncate(17);
    let c = jiqun_domain::uscc::check_character(s.as_bytes()).unwrap();
    s.push(c as char);
    s
}

/// Every action written to the audit trail is one of `jiqun_domain::audit::AuditAction`, so it has a label
/// in both languages and the "what changed" feed never shows a raw event name such as `project.assess`.
pub async fn audit_actions_are_labelled(app: &App) {
    let rows = app.store_for_tests().audit_range(0, i64::MAX, 1_000_000).await.unwrap();
    assert!(!rows.is_empty());
    for r in &rows {
        assert!(
            jiqun_domain::audit::AuditAction::parse(&r.action).is_some(),
            "`{}` is written without a label",
            r.action
        );
    }
}
