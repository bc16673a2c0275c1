//! Chip ↔ terminal matchmaking as JSON.

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::Action;
use jiqun_app::matching::{
    MatchCategoryView, MatchFilter, MatchMeetingInput, MatchMeetingView, MatchOutcomeInput, MatchPairView,
    MatchSettings,
};

use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::{or_current, write_request};

use super::listing::Listing;

pub async fn pairs(ctx: Ctx, Query(f): Query<MatchFilter>) -> ApiResult<Json<Vec<MatchPairView>>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.match_pairs(s, &f, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn categories(ctx: Ctx) -> ApiResult<Json<Vec<MatchCategoryView>>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.match_categories(s, ctx.lang).lang(ctx.lang)?))
}

/// The listings of a kind the caller may see.
pub async fn listings<L: Listing>(ctx: Ctx) -> ApiResult<Json<Vec<L::View>>> {
    let s = ctx.api_user()?;
    Ok(Json(L::list(&ctx.app, s, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn listing<L: Listing>(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<L::View>> {
    let s = ctx.api_user()?;
    Ok(Json(L::read(&ctx.app, s, id, ctx.lang).await.lang(ctx.lang)?))
}

/// Adds a listing: 201 with it as it now reads.
pub async fn create_listing<L: Listing>(ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    let b: L::Input = ctx.json(&body)?;
    let id = L::create(&ctx.app, s, &b, &ctx.ip).await.lang(ctx.lang)?;
    let view = L::read(&ctx.app, s, id, ctx.lang).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn update_listing<L: Listing>(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<L::View>> {
    let s = ctx.api_writer()?;
    let b: L::Input = ctx.json(&body)?;
    or_current(L::update(&ctx.app, s, id, &b, &ctx.ip).await, L::read(&ctx.app, s, id, ctx.lang))
        .await
        .lang(ctx.lang)?;
    Ok(Json(L::read(&ctx.app, s, id, ctx.lang).await.lang(ctx.lang)?))
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
