//! The JSON API of templates and imports.

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::imports::ImportKind;
use serde::Deserialize;

use super::XLSX;
use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};
use crate::extract::Query;
use crate::kit::api::Upload;
use crate::kit::ui;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TemplateQuery {
    plan: Option<i64>,
    period: Option<String>,
}

async fn template(ctx: Ctx, kind: ImportKind, q: TemplateQuery) -> ApiResult<Response> {
    let s = ctx.api_user()?;
    let file = ctx.app.template(s, kind, q.plan, q.period.as_deref(), ctx.lang).await.lang(ctx.lang)?;
    Ok(ui::download(&file.file_name, XLSX, file.bytes))
}

pub async fn template_enterprises(ctx: Ctx, Query(q): Query<TemplateQuery>) -> ApiResult<Response> {
    template(ctx, ImportKind::Enterprises, q).await
}

pub async fn template_observations(ctx: Ctx, Query(q): Query<TemplateQuery>) -> ApiResult<Response> {
    template(ctx, ImportKind::Observations, q).await
}

pub async fn template_reports(ctx: Ctx, Query(q): Query<TemplateQuery>) -> ApiResult<Response> {
    template(ctx, ImportKind::Reports, q).await
}

pub async fn template_projects(ctx: Ctx, Query(q): Query<TemplateQuery>) -> ApiResult<Response> {
    template(ctx, ImportKind::Projects, q).await
}

pub async fn import(ctx: Ctx, Query(q): Query<Upload>, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    let out = ctx.app.import_file(s, &body, q.name(), &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

pub async fn marked(ctx: Ctx, Query(q): Query<Upload>, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    match ctx.app.import_annotated(s, &body, q.name(), ctx.lang).await.lang(ctx.lang)? {
        Some(bytes) => {
            let stem = q.name().rsplit_once('.').map_or(q.name(), |(a, _)| a);
            Ok(ui::download(&format!("{stem}-errors.xlsx"), XLSX, bytes))
        }
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}
