//! The registry of platforms and bases as JSON, and binding an indicator to what it is computed from.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::Action;
use jiqun_app::bases::{BaseInput, BaseView, DerivationInput, DerivedSummary, WithdrawInput};

use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};
use crate::extract::Path;
use crate::kit::api::write_request;

pub async fn bases(State(app): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<BaseView>>> {
    let s = ctx.api_user()?;
    Ok(Json(app.bases(s, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn base(State(app): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<BaseView>> {
    let s = ctx.api_user()?;
    Ok(Json(app.base(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn recognise(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let (s, b): (_, BaseInput) = write_request(&ctx, Action::ManageBases, &body)?;
    let id = app.recognise_base(s, &b, &ctx.ip).await.lang(ctx.lang)?;
    let view = app.base(s, id, ctx.lang).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<BaseView>> {
    let (s, b): (_, BaseInput) = write_request(&ctx, Action::ManageBases, &body)?;
    app.update_base(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(app.base(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn withdraw(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<BaseView>> {
    let (s, b): (_, WithdrawInput) = write_request(&ctx, Action::ManageBases, &body)?;
    app.withdraw_base(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(app.base(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn set_derivation(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<DerivedSummary>> {
    let (s, b): (_, DerivationInput) = write_request(&ctx, Action::EditIndicator, &body)?;
    let written = app.set_derivation(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(DerivedSummary { written }))
}
