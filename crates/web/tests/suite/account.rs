//! The account page under the production policy: an administrator with a generated password is sent to
//! the account page, changes the password, enrols TOTP, and from then on logs in with the code.

use crate::common::{Client, base32_decode, csrf_field, now};

use axum::http::StatusCode;
use jiqun_app::Preset;

#[tokio::test]
async fn production_administrator_goes_through_the_account_page() {
    let r = Client::bare(&jiqun_store::testing::sqlite_url(), Preset::Production, "Boot-Strap1").await;
    let login = r.post("/login").form(&[("username", "admin"), ("password", "Boot-Strap1")]).await;
    assert_eq!((login.status, login.location()), (StatusCode::SEE_OTHER, "/account"));
    let cookie = login.session_cookie().unwrap();
    // Any other page sends the restricted session to the account page.
    let home = r.get("/").cookie(&cookie).await;
    assert_eq!(home.location(), "/account");
    let page = r.get("/account").cookie(&cookie).await;
    assert!(page.body.contains("请先修改密码"), "{}", page.body);
    let token = csrf_field(&page.body);
    // Without the CSRF token: refused.
    let change = |csrf: &str, again: &str| {
        r.post("/account/password").cookie(&cookie).form(&[
            ("csrf", csrf),
            ("old_password", "Boot-Strap1"),
            ("new_password", "New-Pass-1"),
            ("again", again),
        ])
    };
    let bad = r
        .post("/account/password")
        .cookie(&cookie)
        .form(&[("old_password", "Boot-Strap1"), ("new_password", "New-Pass-1"), ("again", "New-Pass-1")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mismatch = change(&token, "Other-Pass-1").await;
    assert!(mismatch.body.contains("不一致"));
    let ok = change(&token, "New-Pass-1").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    // Next: the second factor.
    let page = r.get("/").cookie(&cookie).await;
    assert_eq!(page.location(), "/account");
    let page = r.get("/account").cookie(&cookie).await;
    assert!(page.body.contains("动态口令"));
    let enrol = r.post("/account/totp/enroll").cookie(&cookie).form(&[("csrf", &csrf_field(&page.body))]).await;
    let secret = enrol
        .body
        .split("<p class=\"secret\"><code>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the secret")
        .to_string();
    let now = now();
    let code = jiqun_crypto::totp_at(&base32_decode(&secret), now);
    let done = r
        .post("/account/totp/confirm")
        .cookie(&cookie)
        .form(&[("csrf", &csrf_field(&enrol.body)), ("code", &code)])
        .await;
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/"));
    assert_eq!(r.get("/").cookie(&cookie).await.status, StatusCode::OK);
    // Logging in now needs the code.
    let again = r.post("/login").form(&[("username", "admin"), ("password", "New-Pass-1")]).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert!(again.body.contains("动态口令"));
    let next = jiqun_crypto::totp_at(&base32_decode(&secret), now + 30);
    let ok = r.post("/login").form(&[("username", "admin"), ("password", "New-Pass-1"), ("totp", &next)]).await;
    assert_eq!((ok.status, ok.location()), (StatusCode::SEE_OTHER, "/"));
}
