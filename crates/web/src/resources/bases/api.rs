//! The registry of platforms and bases as JSON, and binding an indicator to what it is computed from.

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::Action;
use jiqun_app::bases::{BaseInput, BaseView, DerivationInput, DerivedSummary, WithdrawInput};

use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};
use crate::extract::Path;
use crate::kit::api::{or_current, write_request};

pub async fn bases(ctx: Ctx) -> ApiResult<Json<Vec<BaseView>>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.bases(s, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn base(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<BaseView>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.base(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn recognise(ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let (s, b): (_, BaseInput) = write_request(&ctx, Action::ManageBases, &body)?;
    let id = ctx.app.recognise_base(s, &b, &ctx.ip).await.lang(ctx.lang)?;
    let view = ctx.app.base(s, id, ctx.lang).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn update(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<BaseView>> {
    let (s, b): (_, BaseInput) = write_request(&ctx, Action::ManageBases, &body)?;
    or_current(ctx.app.update_base(s, id, &b, &ctx.ip).await, ctx.app.base(s, id, ctx.lang)).await.lang(ctx.lang)?;
    Ok(Json(ctx.app.base(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn withdraw(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<BaseView>> {
    let (s, b): (_, WithdrawInput) = write_request(&ctx, Action::ManageBases, &body)?;
    or_current(ctx.app.withdraw_base(s, id, &b, &ctx.ip).await, ctx.app.base(s, id, ctx.lang)).await.lang(ctx.lang)?;
    Ok(Json(ctx.app.base(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn set_derivation(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<DerivedSummary>> {
    let (s, b): (_, DerivationInput) = write_request(&ctx, Action::EditIndicator, &body)?;
    let written = ctx.app.set_derivation(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(DerivedSummary { written }))
}
