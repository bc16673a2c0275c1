//! The login form (`/login`), logging out (`/logout`), and the account page (`/account`): change the
//! password, enrol the TOTP second factor. Open also to a restricted session
//! (a password that must be changed, an administrator without TOTP under the production policy), which is
//! sent here until it has done what it must.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiqun_app::{AppError, Session};
use maud::{Markup, html};
use serde::Deserialize;

use crate::ctx::{Ctx, SESSION_COOKIE};
use crate::extract::Form;
use crate::kit::{layout, ui};

fn restriction_note(code: Option<&str>, lang: jiqun_domain::Lang) -> Option<&'static str> {
    match code {
        Some("password_change_required") => Some(lang.pick(
            "请先修改密码（初始密码、管理员设置的密码或已过期的密码须修改后才能使用系统）。",
            "Change your password first (an initial, administrator-set or expired password must be changed).",
        )),
        Some("totp_enrollment_required") => Some(lang.pick(
            "管理员账户须先绑定动态口令（TOTP）才能使用系统。",
            "An administrator account must enrol a second factor (TOTP) before using the system.",
        )),
        _ => None,
    }
}

fn render(ctx: &Ctx, message: Option<(bool, String)>, enrolment: Option<(String, String)>) -> Response {
    let Some(s) = &ctx.session else { return Redirect::to("/login").into_response() };
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let u = &s.user;
    let body: Markup = html! {
        div.pagehead { h1 { (t("我的账户", "My account")) } p.sub { (u.username) " · " (u.roles.join(", ")) } }
        @if let Some(note) = restriction_note(s.restriction, lang) { p.notice role="alert" { (note) } }
        @if let Some((ok, m)) = &message { p class=(if *ok { "ok" } else { "error" }) role="status" { (m) } }
        section.panel aria-labelledby="h-pw" {
            h2 #h-pw { (t("修改密码", "Change password")) }
            p.muted { (t("至少 8 位，含大写字母、小写字母、数字、符号中的三类；不得与最近 5 次相同。", "At least 8 characters from three of: upper case, lower case, digits, symbols; not one of the last five.")) }
            form method="post" action="/account/password" {
                (ui::csrf(s))
                label for="old" { (t("当前密码", "Current password")) }
                input #old name="old_password" type="password" autocomplete="current-password" required;
                label for="new" { (t("新密码", "New password")) }
                input #new name="new_password" type="password" autocomplete="new-password" required minlength="8";
                label for="again" { (t("再输入一次", "New password again")) }
                input #again name="again" type="password" autocomplete="new-password" required minlength="8";
                button type="submit" { (t("修改密码", "Change password")) }
            }
        }
        section.panel aria-labelledby="h-totp" {
            h2 #h-totp { (t("动态口令（TOTP）", "Second factor (TOTP)")) }
            @if u.totp_enabled {
                p { (t("已启用：登录时须输入认证器中的 6 位动态口令。", "Enabled: logging in asks for the 6-digit code from your authenticator.")) }
            } @else if let Some((secret, uri)) = &enrolment {
                p { (t("在认证器应用中手动添加以下密钥（或使用链接），然后输入其显示的 6 位口令完成绑定：", "Add this key to your authenticator app (or use the link), then enter the 6-digit code it shows:")) }
                p.secret { code { (secret) } }
                p.muted { code { (uri) } }
                form method="post" action="/account/totp/confirm" {
                    (ui::csrf(s))
                    label for="code" { (t("6 位动态口令", "6-digit code")) }
                    input #code name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required;
                    button type="submit" { (t("完成绑定", "Confirm")) }
                }
            } @else {
                p { (t("尚未启用。启用后，登录时除密码外还须输入动态口令。", "Not enabled. Once enabled, logging in also asks for a one-time code.")) }
                form method="post" action="/account/totp/enroll" {
                    (ui::csrf(s))
                    button type="submit" { (t("开始绑定", "Start enrolment")) }
                }
            }
        }
    };
    let here = ctx.path.clone();
    let f = layout::Frame { lang, session: s, here: &here, synthetic: false };
    let status = match &message {
        Some((false, _)) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    (status, Html(layout::page(&f, t("我的账户", "My account"), body).into_string())).into_response()
}

pub async fn page(ctx: Ctx) -> Response {
    render(&ctx, None, None)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    old_password: String,
    new_password: String,
    again: String,
}

/// The start of an account form: the CSRF token (a stale form gets the page again with the error), then
/// the session, restricted or not (the login page without one).
#[allow(clippy::result_large_err)] // The handler's early answer, passed on by value as axum takes it.
fn account_writer<'c>(ctx: &'c Ctx, csrf: &str) -> Result<&'c Session, Response> {
    if let Err(e) = ctx.require_csrf(Some(csrf)) {
        return Err(refused(ctx, &e));
    }
    ctx.account().map_err(|_| Redirect::to("/login").into_response())
}

/// The account page again with why the form was refused: the first field's message, else the error's.
fn refused(ctx: &Ctx, e: &AppError) -> Response {
    let lang = ctx.lang;
    let detail = e.details(lang).first().map(|d| d.message.clone()).unwrap_or_else(|| e.message(lang).to_string());
    render(ctx, Some((false, detail)), None)
}

pub async fn change_password(ctx: Ctx, Form(f): Form<PasswordForm>) -> Result<Response, Response> {
    let s = account_writer(&ctx, &f.csrf)?;
    if f.new_password != f.again {
        return Err(refused(&ctx, &AppError::invalid("again", "两次输入的新密码不一致", "the new passwords differ")));
    }
    // The session's restriction is recomputed on the next request: go on to what is left, if anything.
    ctx.app.change_password(s, &f.old_password, &f.new_password, &ctx.ip).await.map_err(|e| refused(&ctx, &e))?;
    Ok(Redirect::to("/").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfOnly {
    csrf: String,
}

pub async fn enrol(ctx: Ctx, Form(f): Form<CsrfOnly>) -> Result<Response, Response> {
    let s = account_writer(&ctx, &f.csrf)?;
    let e = ctx.app.totp_enrol(s, &ctx.ip).await.map_err(|e| refused(&ctx, &e))?;
    Ok(render(&ctx, None, Some((e.secret_base32, e.otpauth_uri))))
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    code: String,
}

pub async fn confirm(ctx: Ctx, Form(f): Form<CodeForm>) -> Result<Response, Response> {
    let s = account_writer(&ctx, &f.csrf)?;
    ctx.app.totp_confirm(s, &f.code, &ctx.ip).await.map_err(|e| refused(&ctx, &e))?;
    Ok(Redirect::to("/").into_response())
}

// ---- /login, /logout ----

fn login_form(ctx: &Ctx, error: Option<&str>, username: &str) -> maud::Markup {
    let t = |zh, en| ctx.lang.pick(zh, en);
    layout::bare(
        ctx.lang,
        t("登录", "Log in"),
        html! {
            main.login {
                h1 { span.logo aria-hidden="true" { "集" } (t("产业集群行动计划管理系统", "Industrial-cluster plan system")) }
                @if let Some(e) = error { p.error role="alert" { (e) } }
                form method="post" action="/login" {
                    label for="username" { (t("用户名", "Username")) }
                    input #username name="username" autocomplete="username" required value=(username) autofocus;
                    label for="password" { (t("密码", "Password")) }
                    input #password name="password" type="password" autocomplete="current-password" required;
                    label for="totp" { (t("动态口令（已绑定时填写）", "One-time code (if enrolled)")) }
                    input #totp name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}";
                    button type="submit" { (t("登录", "Log in")) }
                }
                p.switch { a href=(if ctx.lang == jiqun_domain::Lang::Zh { "/login?lang=en" } else { "/login?lang=zh" }) { (t("English", "中文")) } }
            }
        },
    )
}

pub async fn login_page(ctx: Ctx) -> Response {
    if ctx.session.is_some() {
        return Redirect::to("/").into_response();
    }
    Html(login_form(&ctx, None, "").into_string()).into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    totp: String,
}

pub async fn login_submit(ctx: Ctx, Form(f): Form<LoginForm>) -> Response {
    let totp = Some(f.totp.trim()).filter(|c| !c.is_empty());
    match ctx.app.login_with(&f.username, &f.password, totp, "cookie", &ctx.ip).await {
        Ok(ok) => {
            // A session that must first change its password or enrol TOTP goes to the account page.
            let to = if ctx.app.restriction_of(&ok.user).await.is_some() { "/account" } else { "/" };
            let mut r = Redirect::to(to).into_response();
            let cookie = format!("{SESSION_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200", ok.token);
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNAUTHORIZED);
            (status, Html(login_form(&ctx, Some(e.message(ctx.lang)), &f.username).into_string())).into_response()
        }
    }
}

pub async fn logout(ctx: Ctx, Form(f): Form<CsrfOnly>) -> Response {
    if ctx.require_csrf(Some(&f.csrf)).is_ok()
        && let Some(s) = &ctx.session
    {
        let _ = ctx.app.logout(s, &ctx.ip).await;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("jiqun_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    r
}
