//! The cultivation libraries: the list with counts, one library's members and candidates, designating and
//! withdrawing a firm, a ranking's weights, recomputing the indicators the libraries feed, and a firm's
//! libraries and profile figures. Every write checks the caller's permission before it reads the body.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::cultivation::{
    BackboneRd, DesignationInput, FirmLibraries, FirmLibrary, IndicatorUpdate, LibraryEntry as AppLibraryEntry,
    LibrarySummary as AppLibrarySummary, LibraryView as AppLibraryView,
};
use jiqun_app::{Action, AppError};
use jiqun_eval::definition::Text;
use jiqun_eval::libraries::{Assessment, Ranked, Status};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

use super::super::enterprises::api::EnterpriseFigureIds;
use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::parse_json;

/// A text in Chinese and English.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LibraryText {
    pub zh: String,
    pub en: String,
}

impl From<&Text> for LibraryText {
    fn from(t: &Text) -> Self {
        LibraryText { zh: t.zh.clone(), en: t.en.clone() }
    }
}

/// A cultivation library with its counts for the year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LibrarySummary {
    pub id: String,
    /// How a firm becomes a member: `designation`, `criteria` or `ranking`.
    pub membership: String,
    /// The library's definition (`jiqun_eval::libraries::LibraryDef`: names, source and confidence,
    /// criteria, ranking), as the library's data file gives it.
    #[schema(value_type = Object)]
    pub definition: jiqun_eval::libraries::LibraryDef,
    pub members: usize,
    pub candidates: usize,
    /// Members per chain (the backbone directory).
    pub by_chain: BTreeMap<String, usize>,
}

impl From<&AppLibrarySummary> for LibrarySummary {
    fn from(l: &AppLibrarySummary) -> Self {
        LibrarySummary {
            id: l.id.clone(),
            membership: l.membership.to_string(),
            definition: l.definition.clone(),
            members: l.members,
            candidates: l.candidates,
            by_chain: l.by_chain.clone(),
        }
    }
}

/// The backbone directory's R&D intensity for a year, and what the plan's indicator holds for that year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LibraryBackboneRd {
    pub year: i64,
    /// Firms designated on at least one chain.
    pub members: usize,
    /// Members counted (R&D and revenue reported, not negative).
    pub used: usize,
    /// Members without R&D or revenue for the year: left out.
    pub missing: usize,
    /// Members left out for a negative or non-finite figure.
    pub skipped: usize,
    /// Σ R&D, 万元.
    pub rd_total: f64,
    /// Σ revenue, 万元.
    pub revenue_total: f64,
    /// Σ R&D ÷ Σ revenue × 100; null when no revenue was counted.
    pub percent: Option<f64>,
    /// The indicator 重点龙头骨干企业研发投入强度 in the current plan; null when there is none.
    pub indicator_id: Option<i64>,
    /// `[value, source]` stored for that indicator and year; null when none.
    #[schema(value_type = Option<Vec<Object>>)]
    pub stored: Option<(f64, String)>,
}

impl From<&BackboneRd> for LibraryBackboneRd {
    fn from(b: &BackboneRd) -> Self {
        LibraryBackboneRd {
            year: b.year,
            members: b.members,
            used: b.used,
            missing: b.missing,
            skipped: b.skipped,
            rd_total: b.rd_total,
            revenue_total: b.revenue_total,
            percent: b.percent,
            indicator_id: b.indicator_id,
            stored: b.stored.clone(),
        }
    }
}

/// The cultivation libraries for a year, and the backbone directory's R&D intensity.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LibraryList {
    /// The figures' year.
    pub year: i64,
    pub libraries: Vec<LibrarySummary>,
    pub backbone_rd: LibraryBackboneRd,
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub year: Option<i64>,
}

pub async fn libraries(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> ApiResult<Json<LibraryList>> {
    let s = ctx.user().lang(ctx.lang)?;
    let (year, list) = app.libraries(s, q.year).await.lang(ctx.lang)?;
    let backbone = app.backbone_rd(s, year).await.lang(ctx.lang)?;
    Ok(Json(LibraryList {
        year,
        libraries: list.iter().map(LibrarySummary::from).collect(),
        backbone_rd: LibraryBackboneRd::from(&backbone),
    }))
}

/// A firm in a library's list: a member, a candidate, or (for a ranking) a ranked firm.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LibraryEntry {
    pub enterprise_id: i64,
    pub uscc: String,
    pub name: String,
    pub city: String,
    /// `member`, `candidate`, `eligible` or `not_member`.
    #[schema(value_type = String)]
    pub status: Status,
    pub chains: Vec<String>,
    /// The notices the firm's designations were published in.
    pub references: Vec<String>,
    /// Whether the caller may read this firm's figures: only then are the checks' values given.
    pub figures_visible: bool,
    /// Every check with its value, threshold and explanation (the library engine's
    /// `jiqun_eval::libraries::Assessment`); null unless the caller reads the firm's figures.
    #[schema(value_type = Option<Object>)]
    pub assessment: Option<Assessment>,
    pub rank: Option<u32>,
    pub score: Option<f64>,
    /// The ranking's items, each figure's value and points (`jiqun_eval::libraries::Ranked`); null unless
    /// the caller reads the firm's figures.
    #[schema(value_type = Option<Object>)]
    pub ranked: Option<Ranked>,
    /// For the backbone directory: the firm's R&D ÷ revenue (readers of its figures only).
    pub rd_intensity: Option<f64>,
}

impl From<&AppLibraryEntry> for LibraryEntry {
    fn from(e: &AppLibraryEntry) -> Self {
        LibraryEntry {
            enterprise_id: e.enterprise_id,
            uscc: e.uscc.clone(),
            name: e.name.clone(),
            city: e.city.to_string(),
            status: e.status,
            chains: e.chains.clone(),
            references: e.references.clone(),
            figures_visible: e.figures_visible,
            assessment: e.assessment.clone(),
            rank: e.rank,
            score: e.score,
            ranked: e.ranked.clone(),
            rd_intensity: e.rd_intensity,
        }
    }
}

/// One library for a year: its members and candidates.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LibraryView {
    pub year: i64,
    pub library: LibrarySummary,
    /// Members first, then candidates; a ranking in rank order.
    pub entries: Vec<LibraryEntry>,
    /// The backbone directory's R&D intensity (that library only; null otherwise).
    pub backbone: Option<LibraryBackboneRd>,
}

impl From<&AppLibraryView> for LibraryView {
    fn from(v: &AppLibraryView) -> Self {
        LibraryView {
            year: v.year,
            library: LibrarySummary::from(&v.library),
            entries: v.entries.iter().map(LibraryEntry::from).collect(),
            backbone: v.backbone.as_ref().map(LibraryBackboneRd::from),
        }
    }
}

pub async fn library(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(name): Path<String>,
    Query(q): Query<YearQuery>,
) -> ApiResult<Json<LibraryView>> {
    let s = ctx.user().lang(ctx.lang)?;
    let view = app.library_view(s, &name, q.year).await.lang(ctx.lang)?;
    Ok(Json(LibraryView::from(&view)))
}

fn manager(ctx: &Ctx) -> ApiResult<&jiqun_app::Session> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    if !s.can(&Action::ManageLibraries) {
        return Err(AppError::forbidden()).lang(ctx.lang);
    }
    Ok(s)
}

pub async fn designate(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(name): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let s = manager(&ctx)?;
    let b: LibraryDesignationBody = parse_json(&body).lang(ctx.lang)?;
    let input =
        DesignationInput { enterprise_id: b.enterprise_id, uscc: b.uscc, chain: b.chain, reference: b.reference };
    let id = app.designate(s, &name, &input, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(LibraryDesignationId { id, library: name })).into_response())
}

/// A firm to designate into a designation library: by id or USCC.
#[derive(Deserialize, ToSchema)]
pub struct LibraryDesignationBody {
    #[serde(default)]
    pub enterprise_id: Option<i64>,
    #[serde(default)]
    pub uscc: Option<String>,
    /// The chain, for a per-chain library (the backbone directory).
    #[serde(default)]
    pub chain: Option<String>,
    /// The notice or list the designation was published in.
    #[serde(default)]
    pub reference: String,
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

pub async fn withdraw(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(name): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let s = manager(&ctx)?;
    let b: LibraryWithdrawBody = parse_json(&body).lang(ctx.lang)?;
    let input = DesignationInput { enterprise_id: b.enterprise_id, uscc: b.uscc, chain: b.chain, reference: b.reason };
    app.withdraw_designation(s, &name, &input, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a ranking library's weights: the body is the `ranking` of a library definition
/// (`{top_n, weights: [{figure, weight, lower_is_better?, log?}], note: {zh, en}}`).
pub async fn set_ranking(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(name): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let s = manager(&ctx)?;
    let b: LibraryRankingBody = parse_json(&body).lang(ctx.lang)?;
    app.set_library_ranking(s, &name, b.0, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

/// A ranking library's weights and the number selected: `{top_n, weights: [{figure, weight,
/// lower_is_better?, log?}], note: {zh, en}}`, the library engine's `jiqun_eval::libraries::RankingDef`,
/// checked field by field. Declared as an object here: the engine's type does not derive a schema.
#[derive(Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct LibraryRankingBody(pub jiqun_eval::libraries::RankingDef);

/// The year whose library indicators to recompute.
#[derive(Deserialize, ToSchema)]
pub struct LibraryRecomputeBody {
    pub year: i64,
}

/// What recomputing one indicator did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LibraryIndicatorUpdate {
    pub library: String,
    /// The indicator's name.
    pub indicator: String,
    /// The indicator in the current plan; null when the plan has none.
    pub indicator_id: Option<i64>,
    pub period: String,
    pub value: Option<f64>,
    /// How the value was computed (the observation's source).
    pub source: String,
    /// Whether it was stored as an observation.
    pub stored: bool,
    /// Why it was not, where it was not.
    pub note: Option<LibraryText>,
}

impl From<&IndicatorUpdate> for LibraryIndicatorUpdate {
    fn from(u: &IndicatorUpdate) -> Self {
        LibraryIndicatorUpdate {
            library: u.library.clone(),
            indicator: u.indicator.clone(),
            indicator_id: u.indicator_id,
            period: u.period.clone(),
            value: u.value,
            source: u.source.clone(),
            stored: u.stored,
            note: u.note.as_ref().map(LibraryText::from),
        }
    }
}

/// What a recomputation did, indicator by indicator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LibraryRecompute {
    pub year: i64,
    pub updates: Vec<LibraryIndicatorUpdate>,
}

pub async fn recompute(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<Json<LibraryRecompute>> {
    let s = manager(&ctx)?;
    let b: LibraryRecomputeBody = parse_json(&body).lang(ctx.lang)?;
    let updates = app.recompute_library_indicators(s, b.year, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(LibraryRecompute { year: b.year, updates: updates.iter().map(LibraryIndicatorUpdate::from).collect() }))
}

/// One firm in one library.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LibraryFirmEntry {
    /// The library's id.
    pub library: String,
    pub name: LibraryText,
    /// `designation`, `criteria` or `ranking`.
    pub membership: String,
    /// How far the library's definition can be trusted: H, M, L or X (Jiqun's example).
    #[schema(value_type = String)]
    pub confidence: jiqun_eval::definition::Confidence,
    /// `member`, `candidate`, `eligible` or `not_member`.
    #[schema(value_type = String)]
    pub status: Status,
    pub chains: Vec<String>,
    pub summary: Option<LibraryText>,
    /// Every check with value and threshold (`jiqun_eval::libraries::Assessment`); null unless the caller
    /// reads the firm's figures.
    #[schema(value_type = Option<Object>)]
    pub assessment: Option<Assessment>,
    pub rank: Option<u32>,
    pub score: Option<f64>,
    /// The ranking's items (`jiqun_eval::libraries::Ranked`); null unless the caller reads the firm's
    /// figures.
    #[schema(value_type = Option<Object>)]
    pub ranked: Option<Ranked>,
}

impl From<&FirmLibrary> for LibraryFirmEntry {
    fn from(f: &FirmLibrary) -> Self {
        LibraryFirmEntry {
            library: f.library.clone(),
            name: LibraryText::from(&f.name),
            membership: f.membership.to_string(),
            confidence: f.confidence,
            status: f.status,
            chains: f.chains.clone(),
            summary: f.summary.as_ref().map(LibraryText::from),
            assessment: f.assessment.clone(),
            rank: f.rank,
            score: f.score,
            ranked: f.ranked.clone(),
        }
    }
}

/// A firm's designation into a library, or its withdrawal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LibraryDesignation {
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

/// One firm in every library.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LibraryFirmView {
    pub enterprise_id: i64,
    pub year: i64,
    /// Whether the caller reads the firm's figures (then each check's values are given).
    pub figures_visible: bool,
    pub libraries: Vec<LibraryFirmEntry>,
    /// Every designation of the firm, withdrawn ones included.
    pub designations: Vec<LibraryDesignation>,
    /// Whether the caller may manage the libraries.
    pub may_manage: bool,
}

impl From<&FirmLibraries> for LibraryFirmView {
    fn from(v: &FirmLibraries) -> Self {
        LibraryFirmView {
            enterprise_id: v.enterprise_id,
            year: v.year,
            figures_visible: v.figures_visible,
            libraries: v.libraries.iter().map(LibraryFirmEntry::from).collect(),
            designations: v
                .designations
                .iter()
                .map(|d| LibraryDesignation {
                    id: d.id,
                    library: d.library.clone(),
                    chain: d.chain.clone(),
                    enterprise_id: d.enterprise_id,
                    reference: d.reference.clone(),
                    active: d.active,
                    designated_by: d.designated_by,
                    designated_at: d.designated_at,
                    withdrawn_by: d.withdrawn_by,
                    withdrawn_at: d.withdrawn_at,
                    withdrawn_reason: d.withdrawn_reason.clone(),
                })
                .collect(),
            may_manage: v.may_manage,
        }
    }
}

pub async fn firm_libraries(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> ApiResult<Json<LibraryFirmView>> {
    let s = ctx.user().lang(ctx.lang)?;
    let v = app.firm_libraries(s, id, q.year).await.lang(ctx.lang)?;
    Ok(Json(LibraryFirmView::from(&v)))
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

pub async fn put_profile(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Response> {
    let s = manager(&ctx)?;
    let b: LibraryProfileBody = parse_json(&body).lang(ctx.lang)?;
    let mut values = Vec::new();
    for (k, v) in &b.figures {
        let x = match v {
            Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            other => other.as_f64(),
        };
        let Some(x) = x else {
            return Err(AppError::invalid(k, "应为数字（是/否填 1 或 0）", "must be a number (1 or 0 for yes/no)"))
                .lang(ctx.lang);
        };
        values.push((k.clone(), x));
    }
    let ids = app.put_library_profile(s, id, b.year, &values, &b.source, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(EnterpriseFigureIds { ids })).into_response())
}
