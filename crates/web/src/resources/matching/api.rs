//! Chip ↔ terminal matchmaking as JSON.

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::Action;
use jiqun_app::matching::{
    MatchCategoryView, MatchFilter, MatchMeetingInput, MatchMeetingView, MatchNeedInput, MatchNeedView,
    MatchOutcomeInput, MatchPairView, MatchProductInput, MatchProductView, MatchSettings,
};

use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::write_request;

pub async fn pairs(ctx: Ctx, Query(f): Query<MatchFilter>) -> ApiResult<Json<Vec<MatchPairView>>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.match_pairs(s, &f, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn categories(ctx: Ctx) -> ApiResult<Json<Vec<MatchCategoryView>>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.match_categories(s, ctx.lang).lang(ctx.lang)?))
}

pub async fn products(ctx: Ctx) -> ApiResult<Json<Vec<MatchProductView>>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.match_products(s, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn product(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<MatchProductView>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.match_product(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn create_product(ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    let b: MatchProductInput = ctx.json(&body)?;
    let id = ctx.app.create_match_product(s, &b, &ctx.ip).await.lang(ctx.lang)?;
    let view = ctx.app.match_product(s, id, ctx.lang).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn update_product(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<MatchProductView>> {
    let s = ctx.api_writer()?;
    let b: MatchProductInput = ctx.json(&body)?;
    ctx.app.update_match_product(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(ctx.app.match_product(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn needs(ctx: Ctx) -> ApiResult<Json<Vec<MatchNeedView>>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.match_needs(s, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn need(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<MatchNeedView>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.match_need(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn create_need(ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    let b: MatchNeedInput = ctx.json(&body)?;
    let id = ctx.app.create_match_need(s, &b, &ctx.ip).await.lang(ctx.lang)?;
    let view = ctx.app.match_need(s, id, ctx.lang).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn update_need(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<MatchNeedView>> {
    let s = ctx.api_writer()?;
    let b: MatchNeedInput = ctx.json(&body)?;
    ctx.app.update_match_need(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(ctx.app.match_need(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn meetings(ctx: Ctx) -> ApiResult<Json<Vec<MatchMeetingView>>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.match_meetings(s, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn meeting(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<MatchMeetingView>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.match_meeting(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn record_meeting(ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    let b: MatchMeetingInput = ctx.json(&body)?;
    let id = ctx.app.record_match_meeting(s, &b, &ctx.ip).await.lang(ctx.lang)?;
    let view = ctx.app.match_meeting(s, id, ctx.lang).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn record_outcome(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<MatchMeetingView>> {
    let s = ctx.api_writer()?;
    let b: MatchOutcomeInput = ctx.json(&body)?;
    ctx.app.record_match_outcome(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(ctx.app.match_meeting(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn settings(ctx: Ctx) -> ApiResult<Json<MatchSettings>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.match_settings(s).await.lang(ctx.lang)?))
}

pub async fn set_settings(ctx: Ctx, body: Bytes) -> ApiResult<Json<MatchSettings>> {
    let (s, b): (_, MatchSettings) = write_request(&ctx, Action::SetMatchSettings, &body)?;
    ctx.app.set_match_settings(s, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(ctx.app.match_settings(s).await.lang(ctx.lang)?))
}
