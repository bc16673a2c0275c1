//! Open challenges as JSON. Each write asks its use case whether the caller may act on the object before
//! the body is read (permission before validation), then calls the use case and answers with the record.

use axum::Json;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiqun_app::challenges::{
    ChallengeApplicationInput, ChallengeApplicationView, ChallengeDetail, ChallengeExpertInput, ChallengeInput,
    ChallengeMilestoneInput, ChallengeMoveInput, ChallengeReviewInput, ChallengeView, ChallengeWorkflowView,
};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};
use crate::extract::Path;
use crate::kit::api::or_current;
use crate::kit::ui;

pub async fn challenges(ctx: Ctx) -> ApiResult<Json<Vec<ChallengeView>>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.challenges(s, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn workflow(ctx: Ctx) -> ApiResult<Json<ChallengeWorkflowView>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.challenge_workflow(s, ctx.lang).lang(ctx.lang)?))
}

pub async fn challenge(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<ChallengeDetail>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.challenge(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn create(ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    ctx.app.may_draft_challenge(s).lang(ctx.lang)?;
    let b: ChallengeInput = ctx.json(&body)?;
    let id = ctx.app.create_challenge(s, &b, &ctx.ip).await.lang(ctx.lang)?;
    let view = ctx.app.challenge(s, id, ctx.lang).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn update(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<ChallengeDetail>> {
    let s = ctx.api_writer()?;
    ctx.app.may_manage_challenge(s, id).await.lang(ctx.lang)?;
    let b: ChallengeInput = ctx.json(&body)?;
    or_current(ctx.app.update_challenge(s, id, &b, &ctx.ip).await, ctx.app.challenge(s, id, ctx.lang))
        .await
        .lang(ctx.lang)?;
    Ok(Json(ctx.app.challenge(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn move_to(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<ChallengeDetail>> {
    let s = ctx.api_writer()?;
    ctx.app.may_move_challenge(s, id).await.lang(ctx.lang)?;
    let b: ChallengeMoveInput = ctx.json(&body)?;
    or_current(ctx.app.move_challenge(s, id, &b, &ctx.ip).await, ctx.app.challenge(s, id, ctx.lang))
        .await
        .lang(ctx.lang)?;
    Ok(Json(ctx.app.challenge(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn apply(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    ctx.app.may_apply_challenge(s).lang(ctx.lang)?;
    let b: ChallengeApplicationInput = ctx.json(&body)?;
    let aid = ctx.app.apply_challenge(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    let view = ctx.app.challenge_application(s, aid, ctx.lang).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn assign_expert(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<ChallengeDetail>> {
    let s = ctx.api_writer()?;
    ctx.app.may_manage_challenge(s, id).await.lang(ctx.lang)?;
    let b: ChallengeExpertInput = ctx.json(&body)?;
    ctx.app.assign_challenge_expert(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(ctx.app.challenge(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn add_milestone(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    ctx.app.may_manage_challenge(s, id).await.lang(ctx.lang)?;
    let b: ChallengeMilestoneInput = ctx.json(&body)?;
    ctx.app.add_challenge_milestone(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    let view = ctx.app.challenge(s, id, ctx.lang).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn application(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<ChallengeApplicationView>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.challenge_application(s, id, ctx.lang).await.lang(ctx.lang)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AttachQuery {
    filename: String,
}

pub async fn attach(ctx: Ctx, Path(id): Path<i64>, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    ctx.app.may_attach_to_application(s, id).await.lang(ctx.lang)?;
    let q: AttachQuery = crate::extract::query(&ctx.query).lang(ctx.lang)?;
    let name = ui::clean_upload_name(&q.filename);
    let kind = ui::clean_upload_type(&headers);
    ctx.app.attach_to_application(s, id, &name, &kind, &body, &ctx.ip).await.lang(ctx.lang)?;
    let view = ctx.app.challenge_application(s, id, ctx.lang).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn review(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<ChallengeApplicationView>> {
    let s = ctx.api_writer()?;
    ctx.app.may_review_application(s, id).await.lang(ctx.lang)?;
    let b: ChallengeReviewInput = ctx.json(&body)?;
    ctx.app.review_application(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(ctx.app.challenge_application(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn attachment(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Response> {
    let s = ctx.api_user()?;
    let (name, data) = ctx.app.challenge_attachment(s, id).await.lang(ctx.lang)?;
    Ok(ui::download(&name, "application/octet-stream", data))
}
