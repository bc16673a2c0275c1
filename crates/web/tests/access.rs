//! The role × route matrix: every API route, called by a user of every role, is allowed or refused
//! exactly as its declared `Access` says. A new route must declare its access (the table does not compile
//! without it) and is then walked here with every role.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiqun_app::usecases::UserInput;
use jiqun_app::{App, Preset};
use jiqun_web::routes::{API, Access, READ_ROLES};
use serde_json::{Value, json};
use tower::ServiceExt;

const ROLES: &[&str] = jiqun_app::auth::ROLES;

fn allowed(access: Access, role: &str) -> bool {
    match access {
        Access::Public | Access::Account => true,
        Access::Read => READ_ROLES.contains(&role),
        Access::Roles(r) => r.contains(&role),
        Access::OwnAgency => role == "agency_reporter",
        Access::OwnCity => role == "plan_owner" || role == "city_reporter",
    }
}

async fn call(router: &axum::Router, method: &str, uri: &str, token: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let s = res.status();
    let b = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

/// The demo data set, a user of every role (`{prefix}_{role}`, password `Role-12345`; the department reporter
/// of 省科技厅, the city reporter of 深圳), one of 省科技厅's assignments and its latest report.
async fn demo_with_a_user_per_role(prefix: &str) -> (axum::Router, i64, i64) {
    let app = App::open(&jiqun_store::testing::sqlite_url()).await.unwrap();
    app.bootstrap(Preset::Demo, Some("Admin@12345".into())).await.unwrap();
    jiqun_app::demo::load(&app).await.unwrap();
    for role in ROLES {
        let input = UserInput {
            username: format!("{prefix}_{role}"),
            display_name: String::new(),
            password: "Role-12345".into(),
            roles: vec![role.to_string()],
            agency: (*role == "agency_reporter").then(|| "省科技厅".to_string()),
            city: (*role == "city_reporter").then(|| "深圳".to_string()),
            uscc: None,
        };
        app.create_user(None, &input, "").await.unwrap();
    }
    let assignment = app.store.assignments(Some(1), Some("省科技厅")).await.unwrap()[0].id;
    let report = app.store.assignment_reports(assignment).await.unwrap().last().unwrap().id;
    (jiqun_web::router(Arc::new(app)), assignment, report)
}

#[tokio::test]
async fn every_route_with_every_role() {
    let (router, assignment, report) = demo_with_a_user_per_role("r").await;
    let mut checked = 0;
    for role in ROLES {
        let (s, v) = call(
            &router,
            "POST",
            "/api/v1/auth/login",
            "",
            json!({ "username": format!("r_{role}"), "password": "Role-12345" }).to_string().into_bytes(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{role}: {v}");
        let token = v["token"].as_str().unwrap().to_string();
        for r in API {
            if r.path == "/api/v1/auth/logout" {
                continue; // would end this role's session for the routes after it; covered in tests/api.rs
            }
            let id = if r.path.starts_with("/api/v1/assignments/") {
                assignment
            } else if r.path.starts_with("/api/v1/reports/") {
                report
            } else {
                1
            };
            let mut uri = r.path.replace("{id}", &id.to_string());
            if r.path.ends_with("/attachments") {
                uri.push_str("?filename=a.txt");
            }
            let body = if r.path.ends_with("/observations") {
                json!({ "period": "2026", "value": 1, "region": "深圳" }).to_string().into_bytes()
            } else if r.path.ends_with("/attachments") || r.path == "/api/v1/plans" {
                b"x".to_vec()
            } else {
                b"{}".to_vec()
            };
            let (s, v) = call(&router, &r.method.to_uppercase(), &uri, &token, body).await;
            let expect = allowed(r.access, role);
            if expect {
                assert!(
                    s != StatusCode::FORBIDDEN && s != StatusCode::UNAUTHORIZED,
                    "{role} may {} {uri}: got {s} {v}",
                    r.method
                );
            } else {
                assert_eq!(s, StatusCode::FORBIDDEN, "{role} may not {} {uri}: {v}", r.method);
            }
            checked += 1;
        }
    }
    assert_eq!(checked, ROLES.len() * (API.len() - 1));
}

/// The same walk over the UI's routes, with the session cookie and its CSRF token.
#[tokio::test]
async fn every_page_with_every_role() {
    let (router, assignment, report) = demo_with_a_user_per_role("p").await;
    let send = |method: &str, uri: String, cookie: Option<String>, body: Vec<u8>, csrf: Option<String>, form: bool| {
        let router = router.clone();
        let method = method.to_string();
        async move {
            let mut req = Request::builder().method(method.as_str()).uri(uri);
            if let Some(c) = cookie {
                req = req.header(header::COOKIE, c);
            }
            if let Some(t) = csrf {
                req = req.header("x-csrf-token", t);
            }
            let ct = if form { "application/x-www-form-urlencoded" } else { "application/octet-stream" };
            let res =
                router.oneshot(req.header(header::CONTENT_TYPE, ct).body(Body::from(body)).unwrap()).await.unwrap();
            let s = res.status();
            let loc = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            let cookie = res
                .headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|c| c.starts_with("jiqun_session="))
                .map(|c| c.split(';').next().unwrap_or("").to_string());
            let b = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
            (s, loc, cookie, String::from_utf8_lossy(&b).into_owned())
        }
    };
    let enc = |s: &str| -> String { s.bytes().map(|b| format!("%{b:02X}")).collect() };
    let mut checked = 0;
    for role in ROLES {
        let (s, _, cookie, _) = send(
            "POST",
            "/login".into(),
            None,
            format!("username=p_{role}&password=Role-12345").into_bytes(),
            None,
            true,
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{role} logs in");
        let cookie = cookie.unwrap();
        let (_, _, _, account) = send("GET", "/account".into(), Some(cookie.clone()), vec![], None, true).await;
        let csrf =
            account.split("name=\"csrf\" content=\"").nth(1).and_then(|x| x.split('"').next()).unwrap().to_string();
        for p in jiqun_web::pages::PAGES {
            if p.path == "/logout" || p.path == "/login" {
                continue; // logout would end the walk's session; the login form is public by design
            }
            let uri = p
                .path
                .replace("/assignments/{id}", &format!("/assignments/{assignment}"))
                .replace("/reports/{id}", &format!("/reports/{report}"))
                .replace("/agencies/{name}", &format!("/agencies/{}", enc("省科技厅")))
                .replace("/cities/{name}", &format!("/cities/{}", enc("深圳")))
                .replace("{id}", "1");
            let (s, loc, _, body) = if p.method == "get" {
                send("GET", uri.clone(), Some(cookie.clone()), vec![], None, true).await
            } else if p.path.ends_with("/attachments") {
                send(
                    "POST",
                    format!("{uri}?name=a.txt"),
                    Some(cookie.clone()),
                    b"x".to_vec(),
                    Some(csrf.clone()),
                    false,
                )
                .await
            } else {
                let form = format!(
                    "csrf={csrf}&period=2026&value=1&region={}&status=on_schedule&percent=1&narrative=x",
                    enc("深圳")
                );
                send("POST", uri.clone(), Some(cookie.clone()), form.into_bytes(), None, true).await
            };
            let expect = allowed(p.access, role);
            if expect {
                assert!(s != StatusCode::FORBIDDEN && loc != "/login", "{role} may {} {uri}: got {s} {loc}", p.method);
            } else {
                assert_eq!(
                    s,
                    StatusCode::FORBIDDEN,
                    "{role} may not {} {uri}: got {s} {loc} {}",
                    p.method,
                    &body[..body.len().min(200)]
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, ROLES.len() * (jiqun_web::pages::PAGES.len() - 3));
}
