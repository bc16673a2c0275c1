//! The export handler: the table as a file, with its media type and a file name of the table and the day.

use axum::response::Response;
use jiqun_app::export::TableFormat;
use jiqun_app::{AppError, Code};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};

#[derive(Deserialize)]
pub struct ExportQuery {
    pub format: Option<String>,
    pub run: Option<i64>,
    pub year: Option<i64>,
    /// The language of the page that links here (the request's language is read from it already).
    #[serde(default)]
    pub lang: Option<String>,
}

pub async fn export(ctx: Ctx, table: &'static str) -> ApiResult<Response> {
    let s = ctx.api_user()?;
    let q: ExportQuery = crate::extract::query(&ctx.query).lang(ctx.lang)?;
    let format = match q.format.as_deref() {
        None | Some("") => TableFormat::Xlsx,
        Some(f) => TableFormat::parse(f)
            .ok_or_else(|| {
                AppError::new(
                    Code::InvalidParameter,
                    format!("导出格式“{f}”不受支持，可选 xlsx、csv、json"),
                    format!("the export format “{f}” is not supported; one of xlsx, csv, json"),
                )
            })
            .lang(ctx.lang)?,
    };
    crate::kit::ui::export_download(&ctx, s, table, format, q.run, q.year).await.lang(ctx.lang)
}
