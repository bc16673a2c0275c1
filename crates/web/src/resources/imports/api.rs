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

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TemplateQuery {
    plan: Option<i64>,
    period: Option<String>,
}

/// A file as a download: its type, and its name for the browser to save it under (ASCII, and UTF-8 as
/// RFC 6266 says).
pub fn download(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let mut r = axum::body::Body::from(bytes).into_response();
    let h = r.headers_mut();
    h.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static(content_type));
    let ascii: String =
        file_name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect();
    if let Ok(v) =
        axum::http::HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
    {
        h.insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    r
}

async fn template(ctx: Ctx, kind: ImportKind, q: TemplateQuery) -> ApiResult<Response> {
    let s = ctx.api_user()?;
    let file = ctx.app.template(s, kind, q.plan, q.period.as_deref(), ctx.lang).await.lang(ctx.lang)?;
    Ok(download(file.bytes, XLSX, &file.file_name))
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
            Ok(download(bytes, XLSX, &format!("{stem}-errors.xlsx")))
        }
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}
