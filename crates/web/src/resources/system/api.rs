//! The health check, the OpenAPI document, and the JSON 404 for any other path under `/api/v1`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::AppError;
use serde::Serialize;
use serde_json::Value;

use crate::ctx::{AppState, Ctx};
use crate::error::ApiError;

/// Whether the server can serve: 200 with `ok`, or 503 with `database unavailable`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, or `database unavailable` (with 503).
    pub status: &'static str,
}

pub async fn healthz(State(app): State<AppState>) -> Response {
    match app.health().await {
        Ok(()) => (StatusCode::OK, Json(Health { status: "ok" })).into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "database unavailable" })).into_response(),
    }
}

/// An OpenAPI 3.1 document.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(value_type = Object)]
pub struct OpenApiDocument(pub Value);

pub async fn openapi() -> Json<OpenApiDocument> {
    Json(OpenApiDocument(crate::openapi::openapi()))
}

pub async fn not_found(ctx: Ctx) -> ApiError {
    ApiError(
        AppError::not_found(format!("没有这个接口：{}", ctx.path), format!("no such endpoint: {}", ctx.path)),
        ctx.lang,
    )
}
