//! The account page under the production policy: an administrator with a generated password is sent to
//! the account page, changes the password, enrols TOTP, and from then on logs in with the code.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiqun_app::{App, Preset};
use tower::ServiceExt;

struct Res {
    status: StatusCode,
    location: String,
    cookie: Option<String>,
    body: String,
}

async fn send(r: &axum::Router, method: &str, uri: &str, cookie: Option<&str>, form: &str) -> Res {
    let mut req =
        Request::builder().method(method).uri(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = r.clone().oneshot(req.body(Body::from(form.to_string())).unwrap()).await.unwrap();
    let status = res.status();
    let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("jiqun_session="))
        .map(|c| c.split(';').next().unwrap_or("").to_string());
    let body = String::from_utf8_lossy(&axum::body::to_bytes(res.into_body(), 1 << 22).await.unwrap()).into_owned();
    Res { status, location, cookie, body }
}

fn csrf(page: &str) -> String {
    page.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("a CSRF field").to_string()
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

fn base32_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| c.is_ascii_alphanumeric()) {
        let v = if c.is_ascii_uppercase() { c - b'A' } else { c - b'2' + 26 };
        buf = (buf << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            out.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    out
}

#[tokio::test]
async fn production_administrator_goes_through_the_account_page() {
    let app = App::open(&jiqun_store::testing::sqlite_url()).await.unwrap();
    app.bootstrap(Preset::Production, Some("Boot-Strap1".into())).await.unwrap();
    let r = jiqun_web::router(Arc::new(app));
    let login = send(&r, "POST", "/login", None, "username=admin&password=Boot-Strap1").await;
    assert_eq!((login.status, login.location.as_str()), (StatusCode::SEE_OTHER, "/account"));
    let cookie = login.cookie.unwrap();
    // Any other page sends the restricted session to the account page.
    let home = send(&r, "GET", "/", Some(&cookie), "").await;
    assert_eq!(home.location, "/account");
    let page = send(&r, "GET", "/account", Some(&cookie), "").await;
    assert!(page.body.contains("请先修改密码"), "{}", page.body);
    let token = csrf(&page.body);
    // Without the CSRF token: refused.
    let bad = send(
        &r,
        "POST",
        "/account/password",
        Some(&cookie),
        "old_password=Boot-Strap1&new_password=New-Pass-1&again=New-Pass-1",
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mismatch = send(
        &r,
        "POST",
        "/account/password",
        Some(&cookie),
        &format!("csrf={token}&old_password=Boot-Strap1&new_password=New-Pass-1&again=Other-Pass-1"),
    )
    .await;
    assert!(mismatch.body.contains("不一致"));
    let ok = send(
        &r,
        "POST",
        "/account/password",
        Some(&cookie),
        &format!("csrf={token}&old_password=Boot-Strap1&new_password=New-Pass-1&again=New-Pass-1"),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    // Next: the second factor.
    let page = send(&r, "GET", "/", Some(&cookie), "").await;
    assert_eq!(page.location, "/account");
    let page = send(&r, "GET", "/account", Some(&cookie), "").await;
    assert!(page.body.contains("动态口令"));
    let enrol = send(&r, "POST", "/account/totp/enroll", Some(&cookie), &format!("csrf={}", csrf(&page.body))).await;
    let secret = enrol
        .body
        .split("<p class=\"secret\"><code>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the secret")
        .to_string();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let code = jiqun_crypto::totp_at(&base32_decode(&secret), now);
    let done =
        send(&r, "POST", "/account/totp/confirm", Some(&cookie), &format!("csrf={}&code={code}", csrf(&enrol.body)))
            .await;
    assert_eq!((done.status, done.location.as_str()), (StatusCode::SEE_OTHER, "/"));
    assert_eq!(send(&r, "GET", "/", Some(&cookie), "").await.status, StatusCode::OK);
    // Logging in now needs the code.
    let again = send(&r, "POST", "/login", None, "username=admin&password=New-Pass-1").await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert!(again.body.contains("动态口令"));
    let next = jiqun_crypto::totp_at(&base32_decode(&secret), now + 30);
    let ok =
        send(&r, "POST", "/login", None, &format!("username=admin&password={}&totp={next}", enc("New-Pass-1"))).await;
    assert_eq!((ok.status, ok.location.as_str()), (StatusCode::SEE_OTHER, "/"));
}
