//! The health check, the OpenAPI document, and the JSON 404 for any other path under `/api/v1`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::AppError;
use serde_json::{Value, json};

use crate::ctx::{AppState, Ctx};
use crate::error::ApiError;

pub async fn healthz(State(app): State<AppState>) -> Response {
    match app.health().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))).into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "database unavailable" }))).into_response(),
    }
}

pub async fn openapi() -> Json<Value> {
    Json(crate::openapi::openapi())
}

pub async fn not_found(ctx: Ctx) -> ApiError {
    ApiError(
        AppError::not_found(format!("没有这个接口：{}", ctx.path), format!("no such endpoint: {}", ctx.path)),
        ctx.lang,
    )
}
