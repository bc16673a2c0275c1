//! New industrial project admission: the proposals with their decisions, assessing one, and one proposal.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::cultivation::ProposalInput;
use jiqun_app::{AppError, Perm};
use serde_json::{Value, json};

use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};
use crate::extract::Path;
use crate::kit::api::{parse_json, to_json};

pub async fn projects(State(app): State<AppState>, ctx: Ctx) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    let items = app.proposals(s).await.lang(ctx.lang)?;
    let table = jiqun_eval::admission::example_table().ok().map(|t| t.def().clone());
    Ok(Json(json!({ "items": items, "table": table })))
}

pub async fn assess_project(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    // Whoever holds the permission in no scope is refused before the body is read; the city is checked
    // by the use case once it is known.
    if s.roles.scopes(&s.user, Perm::AssessProjects).is_empty() {
        return Err(AppError::forbidden()).lang(ctx.lang);
    }
    let input: ProposalInput = parse_json(&body).lang(ctx.lang)?;
    let view = app.assess_project(s, &input, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(to_json(&view))).into_response())
}

pub async fn project(State(app): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    let view = app.proposal(s, id).await.lang(ctx.lang)?;
    Ok(Json(to_json(&view)))
}
