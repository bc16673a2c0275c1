//! Logging in and out with a bearer token, the caller, the password and the TOTP second factor.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};
use crate::kit::api::parse_json;

#[derive(Deserialize)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub totp: Option<String>,
}

pub async fn login(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let body: LoginBody = parse_json(&body).lang(ctx.lang)?;
    let ok =
        app.login_with(&body.username, &body.password, body.totp.as_deref(), "bearer", &ctx.ip).await.lang(ctx.lang)?;
    let u = &ok.user;
    let restriction = app.restriction_of(u).await;
    Ok(Json(json!({
        "token": ok.token,
        "expires_at": ok.expires_at,
        "user": { "id": u.id, "username": u.username, "display_name": u.display_name, "roles": u.roles, "agency": u.agency, "city": u.city },
        "restriction": restriction,
    }))
    .into_response())
}

pub async fn me(ctx: Ctx) -> ApiResult<Json<Value>> {
    let s = ctx.account().lang(ctx.lang)?;
    let u = &s.user;
    Ok(Json(json!({
        "id": u.id, "username": u.username, "display_name": u.display_name, "roles": u.roles, "agency": u.agency,
        "city": u.city, "totp_enabled": u.totp_enabled, "restriction": s.restriction, "prev_login_at": u.prev_login_at,
    })))
}

#[derive(Deserialize)]
pub struct PasswordBody {
    pub old_password: String,
    pub new_password: String,
}

pub async fn change_password(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<StatusCode> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.account().lang(ctx.lang)?;
    let b: PasswordBody = parse_json(&body).lang(ctx.lang)?;
    app.change_password(s, &b.old_password, &b.new_password, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn totp_enrol(State(app): State<AppState>, ctx: Ctx) -> ApiResult<Json<Value>> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.account().lang(ctx.lang)?;
    let e = app.totp_enrol(s, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(json!({ "secret": e.secret_base32, "otpauth_uri": e.otpauth_uri })))
}

#[derive(Deserialize)]
pub struct TotpBody {
    pub code: String,
}

pub async fn totp_confirm(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<StatusCode> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.account().lang(ctx.lang)?;
    let b: TotpBody = parse_json(&body).lang(ctx.lang)?;
    app.totp_confirm(s, &b.code, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn logout(State(app): State<AppState>, ctx: Ctx) -> ApiResult<StatusCode> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.account().lang(ctx.lang)?;
    app.logout(s, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}
