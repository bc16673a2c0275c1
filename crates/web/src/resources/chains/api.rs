//! The chain map as JSON.

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use jiqun_app::Action;
use jiqun_app::chains::{
    BasePlacementInput, ChainDetail, ChainGapView, ChainNodeDetail, ChainOverview, ChainSummary, ChainUnassigned,
    ChainVocabularyView, DependencyInput, FirmPlacementInput, TextDecisionInput, VocabularyInput,
};
use jiqun_eval::chains::Settings;

use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};
use crate::extract::Path;
use crate::kit::api::write_request;

pub async fn chains(ctx: Ctx) -> ApiResult<Json<Vec<ChainSummary>>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.chains(s).await.lang(ctx.lang)?.chains))
}

pub async fn overview(ctx: Ctx) -> ApiResult<Json<ChainOverview>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.chains(s).await.lang(ctx.lang)?))
}

pub async fn chain(ctx: Ctx, Path(id): Path<String>) -> ApiResult<Json<ChainDetail>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.chain(s, &id).await.lang(ctx.lang)?))
}

pub async fn gaps(ctx: Ctx, Path(id): Path<String>) -> ApiResult<Json<Vec<ChainGapView>>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.chain_gaps(s, &id).await.lang(ctx.lang)?))
}

pub async fn node(ctx: Ctx, Path((id, node)): Path<(String, String)>) -> ApiResult<Json<ChainNodeDetail>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.chain_node(s, &id, &node).await.lang(ctx.lang)?))
}

pub async fn unassigned(ctx: Ctx) -> ApiResult<Json<Vec<ChainUnassigned>>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.chain_unassigned(s).await.lang(ctx.lang)?))
}

pub async fn decide_name(ctx: Ctx, body: Bytes) -> ApiResult<Json<Vec<ChainUnassigned>>> {
    let (s, b): (_, TextDecisionInput) = write_request(&ctx, Action::ManageChains, &body)?;
    ctx.app.decide_chain_text(s, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(ctx.app.chain_unassigned(s).await.lang(ctx.lang)?))
}

pub async fn set_settings(ctx: Ctx, body: Bytes) -> ApiResult<Json<Settings>> {
    let (s, b): (_, Settings) = write_request(&ctx, Action::ManageChains, &body)?;
    Ok(Json(ctx.app.set_chain_settings(s, &b, &ctx.ip).await.lang(ctx.lang)?))
}

pub async fn vocabulary(ctx: Ctx) -> ApiResult<Json<ChainVocabularyView>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.chain_vocabulary_view(s).await.lang(ctx.lang)?))
}

pub async fn put_vocabulary(ctx: Ctx, body: Bytes) -> ApiResult<Json<ChainVocabularyView>> {
    let (s, b): (_, VocabularyInput) = write_request(&ctx, Action::ManageChains, &body)?;
    ctx.app.put_chain_vocabulary(s, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(ctx.app.chain_vocabulary_view(s).await.lang(ctx.lang)?))
}

pub async fn set_dependency(ctx: Ctx, Path(node): Path<String>, body: Bytes) -> ApiResult<StatusCode> {
    let (s, b): (_, DependencyInput) = write_request(&ctx, Action::ManageChains, &body)?;
    ctx.app.set_chain_dependency(s, &node, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn place_firm(ctx: Ctx, Path(node): Path<String>, body: Bytes) -> ApiResult<StatusCode> {
    let (s, b): (_, FirmPlacementInput) = write_request(&ctx, Action::ManageChains, &body)?;
    ctx.app.place_chain_firm(s, &node, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn place_base(ctx: Ctx, Path(node): Path<String>, body: Bytes) -> ApiResult<StatusCode> {
    let (s, b): (_, BasePlacementInput) = write_request(&ctx, Action::ManageChains, &body)?;
    ctx.app.place_chain_base(s, &node, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}
