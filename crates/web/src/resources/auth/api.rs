//! Logging in and out with a bearer token, the caller, the password and the TOTP second factor.

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::model::UserRow;
use serde::{Deserialize, Serialize};

use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};
use crate::kit::api::{api_record, opt_text};

/// Credentials to log in with.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
    /// The 6-digit TOTP code; required for an account that has enrolled a second factor.
    #[serde(default)]
    pub totp: Option<String>,
}

/// A bearer token for a new session, and whose it is.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginToken {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// When the session ends at the latest, ms since 1970.
    pub expires_at: i64,
    pub user: LoginUser,
    /// What the user must do before anything else (`password_change_required`, `totp_enrollment_required`);
    /// null when nothing.
    pub restriction: Option<String>,
}

api_record! {
    /// The user who logged in.
    #[derive(Serialize, utoipa::ToSchema)]
    pub struct LoginUser from UserRow {
        pub id: i64,
        pub username: String,
        pub display_name: String,
        /// The names of the roles held.
        pub roles: Vec<String>,
        pub agency: Option<String> => opt_text,
        pub city: Option<String> => opt_text,
    }
}

/// The caller: the session's user, with any restriction on the session.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// The names of the roles held.
    pub roles: Vec<String>,
    pub agency: Option<String>,
    pub city: Option<String>,
    /// A TOTP second factor is enrolled and asked for at login.
    pub totp_enabled: bool,
    /// What the user must do before anything else (`password_change_required`, `totp_enrollment_required`);
    /// null when nothing.
    pub restriction: Option<String>,
    /// The login before this one, ms since 1970; null at the first.
    pub prev_login_at: Option<i64>,
}

pub async fn login(ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let body: LoginBody = ctx.json(&body)?;
    let ok = ctx
        .app
        .login_with(&body.username, &body.password, body.totp.as_deref(), "bearer", &ctx.ip)
        .await
        .lang(ctx.lang)?;
    let u = &ok.user;
    let restriction = ctx.app.restriction_of(u).await;
    Ok(Json(LoginToken {
        token: ok.token.clone(),
        expires_at: ok.expires_at,
        user: LoginUser::new(u),
        restriction: restriction.map(str::to_string),
    })
    .into_response())
}

pub async fn me(ctx: Ctx) -> ApiResult<Json<CurrentUser>> {
    let s = ctx.account().lang(ctx.lang)?;
    let u = &s.user;
    Ok(Json(CurrentUser {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        roles: u.roles.clone(),
        agency: u.agency.as_deref().map(String::from),
        city: u.city.as_deref().map(String::from),
        totp_enabled: u.totp_enabled,
        restriction: s.restriction.map(str::to_string),
        prev_login_at: u.prev_login_at,
    }))
}

/// A new password for the caller.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordBody {
    /// The password in use now.
    pub old_password: String,
    /// The new one: within the security policy's rules and not one of the last five.
    pub new_password: String,
}

pub async fn change_password(ctx: Ctx, body: Bytes) -> ApiResult<StatusCode> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.account().lang(ctx.lang)?;
    let b: PasswordBody = ctx.json(&body)?;
    ctx.app.change_password(s, &b.old_password, &b.new_password, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

/// A TOTP second factor being enrolled: the secret to put into the authenticator app.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TotpEnrolment {
    /// The shared secret, RFC 4648 base32 without padding.
    pub secret: String,
    /// The same as an `otpauth://totp/…` URI, for a QR code.
    pub otpauth_uri: String,
}

pub async fn totp_enrol(ctx: Ctx) -> ApiResult<Json<TotpEnrolment>> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.account().lang(ctx.lang)?;
    let e = ctx.app.totp_enrol(s, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(TotpEnrolment { secret: e.secret_base32, otpauth_uri: e.otpauth_uri }))
}

/// The code the authenticator app shows, confirming the enrolment.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct TotpBody {
    /// The current 6-digit code.
    pub code: String,
}

pub async fn totp_confirm(ctx: Ctx, body: Bytes) -> ApiResult<StatusCode> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.account().lang(ctx.lang)?;
    let b: TotpBody = ctx.json(&body)?;
    ctx.app.totp_confirm(s, &b.code, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn logout(ctx: Ctx) -> ApiResult<StatusCode> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.account().lang(ctx.lang)?;
    ctx.app.logout(s, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}
