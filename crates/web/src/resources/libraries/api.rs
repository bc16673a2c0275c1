//! The cultivation libraries: the list with counts, one library's members and candidates, designating and
//! withdrawing a firm, a ranking's weights, recomputing the indicators the libraries feed, and a firm's
//! libraries and profile figures. Every write checks the caller's permission before it reads the body.

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::Action;
use jiqun_app::cultivation::{
    BackboneRd, DesignationInput, FirmLibraries, FirmLibrary, IndicatorUpdate, LibrarySummary, LibraryView,
};
use jiqun_app::model::DesignationRow;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::super::enterprises::api::{EnterpriseFigureIds, figure_values};
use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::api_record;

/// The cultivation libraries for a year, and the backbone directory's R&D intensity.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LibraryList {
    /// The figures' year.
    pub year: i64,
    pub libraries: Vec<LibrarySummary>,
    pub backbone_rd: BackboneRd,
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub year: Option<i64>,
}

pub async fn libraries(ctx: Ctx, Query(q): Query<YearQuery>) -> ApiResult<Json<LibraryList>> {
    let s = ctx.api_user()?;
    let (year, list) = ctx.app.libraries(s, q.year).await.lang(ctx.lang)?;
    let backbone = ctx.app.backbone_rd(s, year).await.lang(ctx.lang)?;
    Ok(Json(LibraryList { year, libraries: list, backbone_rd: backbone }))
}

pub async fn library(ctx: Ctx, Path(name): Path<String>, Query(q): Query<YearQuery>) -> ApiResult<Json<LibraryView>> {
    let s = ctx.api_user()?;
    let view = ctx.app.library_view(s, &name, q.year).await.lang(ctx.lang)?;
    Ok(Json(view))
}

pub async fn designate(ctx: Ctx, Path(name): Path<String>, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer_for(&Action::ManageLibraries)?;
    let input: DesignationInput = ctx.json(&body)?;
    let id = ctx.app.designate(s, &name, &input, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(LibraryDesignationId { id, library: name })).into_response())
}

/// The designation made.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LibraryDesignationId {
    pub id: i64,
    pub library: String,
}

/// A designation to withdraw: the firm by id or USCC.
#[derive(Deserialize, ToSchema)]
pub struct LibraryWithdrawBody {
    #[serde(default)]
    pub enterprise_id: Option<i64>,
    #[serde(default)]
    pub uscc: Option<String>,
    /// The chain, for a per-chain library.
    #[serde(default)]
    pub chain: Option<String>,
    /// Why it is withdrawn (kept with the history).
    #[serde(default)]
    pub reason: String,
}

pub async fn withdraw(ctx: Ctx, Path(name): Path<String>, body: Bytes) -> ApiResult<StatusCode> {
    let s = ctx.api_writer_for(&Action::ManageLibraries)?;
    let b: LibraryWithdrawBody = ctx.json(&body)?;
    let input = DesignationInput { enterprise_id: b.enterprise_id, uscc: b.uscc, chain: b.chain, reference: b.reason };
    ctx.app.withdraw_designation(s, &name, &input, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a ranking library's weights: the body is the `ranking` of a library definition
/// (`{top_n, weights: [{figure, weight, lower_is_better?, log?}], note: {zh, en}}`).
pub async fn set_ranking(ctx: Ctx, Path(name): Path<String>, body: Bytes) -> ApiResult<StatusCode> {
    let s = ctx.api_writer_for(&Action::ManageLibraries)?;
    let b: LibraryRankingBody = ctx.json(&body)?;
    ctx.app.set_library_ranking(s, &name, b.0, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

/// A ranking library's weights and the number selected: `{top_n, weights: [{figure, weight,
/// lower_is_better?, log?}], note: {zh, en}}`, the library engine's `jiqun_eval::libraries::RankingDef`,
/// checked field by field.
#[derive(Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = jiqun_eval::libraries::RankingDef)]
pub struct LibraryRankingBody(pub jiqun_eval::libraries::RankingDef);

/// The year whose library indicators to recompute.
#[derive(Deserialize, ToSchema)]
pub struct LibraryRecomputeBody {
    pub year: i64,
}

/// What a recomputation did, indicator by indicator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LibraryRecompute {
    pub year: i64,
    pub updates: Vec<IndicatorUpdate>,
}

pub async fn recompute(ctx: Ctx, body: Bytes) -> ApiResult<Json<LibraryRecompute>> {
    let s = ctx.api_writer_for(&Action::ManageLibraries)?;
    let b: LibraryRecomputeBody = ctx.json(&body)?;
    let updates = ctx.app.recompute_library_indicators(s, b.year, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(LibraryRecompute { year: b.year, updates }))
}

api_record! {
    /// A firm's designation into a library, or its withdrawal.
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct LibraryDesignation from DesignationRow {
        pub id: i64,
        pub library: String,
        /// The chain of a per-chain library; empty otherwise.
        pub chain: String,
        pub enterprise_id: i64,
        /// The notice or list it was published in.
        pub reference: String,
        pub active: bool,
        pub designated_by: Option<i64>,
        /// Milliseconds since the Unix epoch.
        pub designated_at: i64,
        pub withdrawn_by: Option<i64>,
        pub withdrawn_at: Option<i64>,
        pub withdrawn_reason: Option<String>,
    }
}

api_record! {
    /// One firm in every library.
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct LibraryFirmView from FirmLibraries {
        pub enterprise_id: i64,
        pub year: i64,
        /// Whether the caller reads the firm's figures (then each check's values are given).
        pub figures_visible: bool,
        pub libraries: Vec<FirmLibrary>,
        /// Every designation of the firm, withdrawn ones included.
        pub designations: Vec<LibraryDesignation> => designations,
        /// Whether the caller may manage the libraries.
        pub may_manage: bool,
    }
}

fn designations(d: &[DesignationRow]) -> Vec<LibraryDesignation> {
    d.iter().map(LibraryDesignation::new).collect()
}

pub async fn firm_libraries(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> ApiResult<Json<LibraryFirmView>> {
    let s = ctx.api_user()?;
    let v = ctx.app.firm_libraries(s, id, q.year).await.lang(ctx.lang)?;
    Ok(Json(LibraryFirmView::new(&v)))
}

/// A year's library profile figures of a firm, entered or corrected.
#[derive(Deserialize, ToSchema)]
pub struct LibraryProfileBody {
    pub year: i64,
    /// Where the figures come from.
    #[serde(default)]
    pub source: String,
    /// metric → value (flags 1 or 0, or true / false).
    #[schema(value_type = BTreeMap<String, f64>)]
    pub figures: serde_json::Map<String, Value>,
}

pub async fn put_profile(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer_for(&Action::ManageLibraries)?;
    let b: LibraryProfileBody = ctx.json(&body)?;
    let values = figure_values(&b.figures, true).lang(ctx.lang)?;
    let ids = ctx.app.put_library_profile(s, id, b.year, &values, &b.source, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(EnterpriseFigureIds { ids })).into_response())
}
