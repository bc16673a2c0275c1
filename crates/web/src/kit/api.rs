//! What the JSON handlers share: the permission check, the start of every write (CSRF, permission, body, in
//! that order), the contract's JSON parsing, a plan by id, and answers from bytes already serialised.

use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use jiqun_app::snapshot::PlanView;
use jiqun_app::{Action, AppError};
use serde_json::Value;

use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};

/// The caller's permission for an action: 401 without a session, 403 without the permission.
pub fn need(ctx: &Ctx, action: Action) -> Result<(), AppError> {
    let s = ctx.user()?;
    if s.can(&action) { Ok(()) } else { Err(AppError::forbidden()) }
}

/// A plan of the current snapshot by id, or 404.
pub async fn plan_view(app: &AppState, id: i64) -> Result<std::sync::Arc<PlanView>, AppError> {
    let snap = app.snapshot().await?;
    snap.plan(id).cloned().ok_or_else(|| AppError::not_found(format!("计划 {id} 不存在"), format!("no plan {id}")))
}

/// The start of every JSON write: the CSRF token (for cookie sessions), the permission, then the body, in
/// that order (permission before validation).
pub fn write_request<'c, T: serde::de::DeserializeOwned>(
    ctx: &'c Ctx,
    action: Action,
    body: &[u8],
) -> ApiResult<(&'c jiqun_app::Session, T)> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    need(ctx, action).lang(ctx.lang)?;
    let parsed = parse_json(body).lang(ctx.lang)?;
    Ok((ctx.user().lang(ctx.lang)?, parsed))
}

/// JSON bodies are parsed by hand so that a malformed one gets the contract's error shape, in the request's
/// language (see `jiqun_app::error::parse_json`).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    jiqun_app::error::parse_json(body)
}

/// A JSON response from bytes already serialised, served without copying them.
pub fn json_bytes(body: std::sync::Arc<Vec<u8>>) -> Response {
    let mut r = axum::body::Body::from(Bytes::from_owner(ArcBytes(body))).into_response();
    r.headers_mut().insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    r
}

/// Lets a cached rendering back a response body.
pub struct ArcBytes(pub std::sync::Arc<Vec<u8>>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// A value as JSON (`null` if it cannot be).
pub fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
