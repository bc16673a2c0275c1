//! The plan owner's forms: adding an indicator the document lacks, and closing a plan with its final
//! assessment and successor.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiqun_app::{App, Preset};
use tower::ServiceExt;

async fn send(
    r: &axum::Router,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    form: String,
) -> (StatusCode, String, String, Option<String>) {
    let mut req =
        Request::builder().method(method).uri(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = r.clone().oneshot(req.body(Body::from(form)).unwrap()).await.unwrap();
    let status = res.status();
    let loc = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("jiqun_session="))
        .map(|c| c.split(';').next().unwrap_or("").to_string());
    let body = String::from_utf8_lossy(&axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap()).into_owned();
    (status, loc, body, cookie)
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn add_an_indicator_and_close_the_plan() {
    let app = Arc::new(App::open(&jiqun_store::testing::sqlite_url()).await.unwrap());
    app.bootstrap(Preset::Demo, Some("Admin@12345".into())).await.unwrap();
    jiqun_app::demo::load(&app).await.unwrap();
    let r = jiqun_web::router(app.clone());
    let (_, _, _, cookie) = send(&r, "POST", "/login", None, "username=owner&password=Demo%402025".into()).await;
    let cookie = cookie.unwrap();
    let (_, _, page, _) = send(&r, "GET", "/indicators", Some(&cookie), String::new()).await;
    assert!(page.contains("新增指标"), "the owner sees the form");
    let csrf = page.split("name=\"csrf\" content=\"").nth(1).and_then(|x| x.split('"').next()).unwrap().to_string();
    let form = format!(
        "csrf={csrf}&name={}&unit=%25&item=1.1&direction=up&method=growth&frequency=annual&target_cmp=%3E%3D&target_value=4&target_year=2025&baseline_period=2020&baseline_value=2.5",
        enc("数字经济核心产业增加值占比")
    );
    let (s, loc, body, _) = send(&r, "POST", "/plans/1/indicators", Some(&cookie), form).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    assert!(loc.starts_with("/indicators/"));
    let (_, _, page, _) = send(&r, "GET", &loc, Some(&cookie), String::new()).await;
    assert!(page.contains("数字经济核心产业增加值占比"));
    // Bad input names the field and adds nothing.
    let (s, _, body, _) = send(&r, "POST", "/plans/1/indicators", Some(&cookie), format!("csrf={csrf}&name=x&unit=%25&direction=up&method=growth&frequency=annual&target_cmp=%3E%3D&target_value=abc&target_year=2025")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("target_value"));
    // A second plan, then the first closes naming it.
    let doc = include_str!("../../../compiler/tests/fixtures/genre-auto-cluster.txt");
    let sess = app.session(cookie.trim_start_matches("jiqun_session=")).await.unwrap().unwrap();
    let second = app.import_plan(&sess, doc.as_bytes(), "test", "").await.unwrap();
    let (_, _, page, _) = send(&r, "GET", "/plans/1", Some(&cookie), String::new()).await;
    assert!(page.contains("关闭计划"));
    let (s, loc, body, _) = send(
        &r,
        "POST",
        "/plans/1/close",
        Some(&cookie),
        format!("csrf={csrf}&assessment={}&successor={second}", enc("（示例）总体完成。")),
    )
    .await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/plans/1"), "{body}");
    let plan = app.store_for_tests().plan(1).await.unwrap().unwrap();
    assert_eq!((plan.status.as_str(), plan.successor_id), ("closed", Some(second)));
    // A department reporter sees neither form and may not post them.
    let (_, _, _, kjt) = send(&r, "POST", "/login", None, "username=kjt&password=Demo%402025".into()).await;
    let kjt = kjt.unwrap();
    let (_, _, page, _) = send(&r, "GET", "/indicators", Some(&kjt), String::new()).await;
    assert!(!page.contains("新增指标（"));
}
