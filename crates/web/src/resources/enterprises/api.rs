//! The enterprise registry: the directory, registering a firm, one firm with its figures and evaluation
//! results, entering figures, their history, assigning an expert, and the CSV import.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::AppError;
use jiqun_app::input::{parameter, parse_city, parse_scale};
use jiqun_app::model::{EnterpriseFilter, EnterpriseRow};
use jiqun_app::registry::{EnterpriseInput, EnterpriseView, Figure, ImportOutcome, ItemScore, ResultView};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::parse_json;

fn post_prelude<'c, T: serde::de::DeserializeOwned>(
    ctx: &'c Ctx,
    body: &[u8],
) -> ApiResult<(&'c jiqun_app::Session, T)> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    let parsed = parse_json(body).lang(ctx.lang)?;
    Ok((s, parsed))
}

#[derive(Deserialize, Default)]
pub struct EnterprisesQuery {
    pub city: Option<String>,
    pub scale: Option<String>,
    pub q: Option<String>,
    pub tag: Option<String>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

/// A firm of the registry: its record, without its figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseSummary {
    pub id: i64,
    /// Unified social credit code (GB 32100).
    pub uscc: String,
    pub name: String,
    pub city: String,
    /// The county or district; empty when not given.
    pub county: String,
    /// GB/T 4754 industry code; empty when not given.
    pub industry: String,
    /// `above` (规上) or `below` (规下).
    pub scale: String,
    pub founded_year: i64,
    pub listed: bool,
    /// The industrial chains' nodes the firm belongs to.
    pub chain_nodes: Vec<String>,
    pub tags: Vec<String>,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// Milliseconds since the Unix epoch.
    pub updated_at: i64,
}

impl From<&EnterpriseRow> for EnterpriseSummary {
    fn from(e: &EnterpriseRow) -> Self {
        EnterpriseSummary {
            id: e.id,
            uscc: e.uscc.clone(),
            name: e.name.clone(),
            city: e.city.to_string(),
            county: e.county.clone(),
            industry: e.industry.clone(),
            scale: e.scale.to_string(),
            founded_year: e.founded_year,
            listed: e.listed,
            chain_nodes: e.chain_nodes.clone(),
            tags: e.tags.clone(),
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// A page of the enterprise directory.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterprisePage {
    pub items: Vec<EnterpriseSummary>,
    /// How many firms match the filter in all.
    pub total: i64,
    /// The first item's position in the whole list.
    pub offset: i64,
}

pub async fn enterprises(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<EnterprisesQuery>,
) -> ApiResult<Json<EnterprisePage>> {
    let s = ctx.user().lang(ctx.lang)?;
    let filter = EnterpriseFilter {
        city: parameter("city", q.city.as_deref(), parse_city).lang(ctx.lang)?,
        scale: parameter("scale", q.scale.as_deref(), parse_scale).lang(ctx.lang)?,
        q: q.q,
        tag: q.tag,
        ids: None,
    };
    let offset = q.offset.unwrap_or(0);
    let limit = q.limit.unwrap_or(100);
    let (rows, total) = app.enterprises(s, filter, offset, limit).await.lang(ctx.lang)?;
    Ok(Json(EnterprisePage { items: rows.iter().map(EnterpriseSummary::from).collect(), total, offset }))
}

/// A firm to register, or the new record of a registered one (found by its USCC).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct EnterpriseBody {
    /// Unified social credit code; its GB 32100 check character is validated.
    pub uscc: String,
    pub name: String,
    pub city: String,
    /// The county or district.
    #[serde(default)]
    pub county: String,
    /// GB/T 4754 industry code.
    #[serde(default)]
    pub industry: String,
    /// `above` (规上) or `below` (规下).
    pub scale: String,
    pub founded_year: i64,
    #[serde(default)]
    pub listed: bool,
    /// The industrial chains' nodes the firm belongs to.
    #[serde(default)]
    pub chain_nodes: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

impl From<EnterpriseBody> for EnterpriseInput {
    fn from(b: EnterpriseBody) -> Self {
        EnterpriseInput {
            uscc: b.uscc,
            name: b.name,
            city: b.city,
            county: b.county,
            industry: b.industry,
            scale: b.scale,
            founded_year: b.founded_year,
            listed: b.listed,
            chain_nodes: b.chain_nodes,
            tags: b.tags,
        }
    }
}

pub async fn create_enterprise(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let (s, b): (_, EnterpriseBody) = post_prelude(&ctx, &body)?;
    let input = EnterpriseInput::from(b);
    let id = app.register_enterprise(s, &input, &ctx.ip).await.lang(ctx.lang)?;
    let view = app.enterprise_view(s, id).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(EnterpriseDetail::from(&view))).into_response())
}

/// One figure of a firm in clear (for those allowed to read it), one version of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseFigure {
    pub id: i64,
    pub year: i64,
    /// The metric's key (contracts §4).
    pub metric: String,
    pub value: f64,
    /// Where the figure comes from.
    pub source: String,
    /// False for a version since corrected.
    pub is_current: bool,
    /// The user who entered it.
    pub entered_by: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub entered_at: i64,
}

impl From<&Figure> for EnterpriseFigure {
    fn from(f: &Figure) -> Self {
        EnterpriseFigure {
            id: f.id,
            year: f.year,
            metric: f.metric.clone(),
            value: f.value,
            source: f.source.clone(),
            is_current: f.is_current,
            entered_by: f.entered_by,
            entered_at: f.entered_at,
        }
    }
}

/// One evaluation item of a firm: why it got its score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseResultItem {
    pub name: String,
    /// Null where the indicator is undefined for the firm (it then scores the group's mean).
    pub value: Option<f64>,
    pub benchmark: f64,
    pub score: f64,
}

impl From<&ItemScore> for EnterpriseResultItem {
    fn from(i: &ItemScore) -> Self {
        EnterpriseResultItem { name: i.name.clone(), value: i.value, benchmark: i.benchmark, score: i.score }
    }
}

/// A firm's result in a per-mu evaluation run; score, rank and items only for readers of its figures
/// (null otherwise).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseResult {
    pub evaluation_id: i64,
    pub enterprise_id: i64,
    pub city: String,
    /// `above` or `below`: the group the firm is ranked in.
    pub scale: String,
    /// A, B, C, D or T (not rated).
    pub class: String,
    /// Why the firm has its class.
    pub reason: String,
    pub score: Option<f64>,
    pub rank: Option<i64>,
    /// The number of firms in the firm's group.
    pub group_size: i64,
    pub items: Option<Vec<EnterpriseResultItem>>,
}

impl From<&ResultView> for EnterpriseResult {
    fn from(r: &ResultView) -> Self {
        EnterpriseResult {
            evaluation_id: r.evaluation_id,
            enterprise_id: r.enterprise_id,
            city: r.city.to_string(),
            scale: r.scale.to_string(),
            class: r.class.clone(),
            reason: r.reason.clone(),
            score: r.score,
            rank: r.rank,
            group_size: r.group_size,
            items: r.items.as_ref().map(|items| items.iter().map(EnterpriseResultItem::from).collect()),
        }
    }
}

/// A firm's result in one run, with the run's year and scheme.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseEvaluation {
    #[serde(flatten)]
    pub result: EnterpriseResult,
    /// The run's year.
    pub year: i64,
    /// The run's scheme id.
    pub scheme: String,
}

/// One firm: its record, its figures (null for those who may not read them), its evaluation results, its
/// experts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseDetail {
    #[serde(flatten)]
    pub record: EnterpriseSummary,
    /// Every version of every figure; null when the caller may not read the firm's figures.
    pub figures: Option<Vec<EnterpriseFigure>>,
    /// The firm's results in the evaluation runs.
    pub evaluations: Vec<EnterpriseEvaluation>,
    /// The ids of the experts assigned to review the firm.
    pub experts: Vec<i64>,
    /// Whether the caller may edit the firm's record and figures.
    pub may_edit: bool,
    /// The firm's contact, opened for those who may see it; null otherwise.
    pub contact: Option<String>,
    /// Whether the caller may read the firm's figures.
    pub figures_visible: bool,
}

impl From<&EnterpriseView> for EnterpriseDetail {
    fn from(v: &EnterpriseView) -> Self {
        EnterpriseDetail {
            record: EnterpriseSummary::from(&v.row),
            figures: v.figures.as_ref().map(|f| f.iter().map(EnterpriseFigure::from).collect()),
            evaluations: v
                .results
                .iter()
                .map(|(run, r)| EnterpriseEvaluation {
                    result: EnterpriseResult::from(r),
                    year: run.year,
                    scheme: run.scheme_id.clone(),
                })
                .collect(),
            experts: v.experts.clone(),
            may_edit: v.may_edit,
            contact: v.contact.clone(),
            figures_visible: v.figures.is_some(),
        }
    }
}

/// The firm as the API gives it, for a page's JSON view.
pub fn view_json(v: &EnterpriseView, _lang: jiqun_domain::Lang) -> Value {
    serde_json::to_value(EnterpriseDetail::from(v)).unwrap_or(Value::Null)
}

pub async fn enterprise(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<EnterpriseDetail>> {
    let s = ctx.user().lang(ctx.lang)?;
    let view = app.enterprise_view(s, id).await.lang(ctx.lang)?;
    Ok(Json(EnterpriseDetail::from(&view)))
}

/// A year's figures of a firm, entered or corrected.
#[derive(Deserialize, ToSchema)]
pub struct EnterpriseFiguresBody {
    pub year: i64,
    /// Where the figures come from.
    #[serde(default)]
    pub source: String,
    /// metric key → value (a number).
    #[schema(value_type = BTreeMap<String, f64>)]
    pub figures: serde_json::Map<String, Value>,
}

/// The ids of the figures' new versions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseFigureIds {
    pub ids: Vec<i64>,
}

pub async fn put_figures(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Response> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    // Permission before validation: the use case checks it first, on the stored firm; a body that does
    // not parse is reported only to a caller who may write.
    app.may_edit_enterprise(s, id).await.lang(ctx.lang)?;
    let b: EnterpriseFiguresBody = parse_json(&body).lang(ctx.lang)?;
    let mut values = Vec::new();
    for (k, v) in &b.figures {
        let Some(x) = v.as_f64() else {
            return Err(AppError::invalid(k, "应为数字", "must be a number")).lang(ctx.lang);
        };
        values.push((k.clone(), x));
    }
    let ids = app.put_figures(s, id, b.year, &values, &b.source, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(EnterpriseFigureIds { ids })).into_response())
}

#[derive(Deserialize)]
pub struct HistoryQuery {
    pub year: Option<i64>,
    pub metric: Option<String>,
}

pub async fn figure_history(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<HistoryQuery>,
) -> ApiResult<Json<Vec<EnterpriseFigure>>> {
    let s = ctx.user().lang(ctx.lang)?;
    let (year, metric) = (q.year.unwrap_or(0), q.metric.as_deref().unwrap_or(""));
    let rows = app.figure_history(s, id, year, metric).await.lang(ctx.lang)?;
    Ok(Json(rows.iter().map(EnterpriseFigure::from).collect()))
}

/// The expert to assign the firm to.
#[derive(Deserialize, ToSchema)]
pub struct EnterpriseExpertBody {
    /// The expert's user name.
    pub username: String,
}

pub async fn assign_expert(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    if !s.can(&jiqun_app::Action::AssignExperts) {
        return Err(AppError::forbidden()).lang(ctx.lang);
    }
    let b: EnterpriseExpertBody = parse_json(&body).lang(ctx.lang)?;
    app.assign_expert(s, id, &b.username, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct ImportQuery {
    pub name: Option<String>,
}

pub async fn import(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> ApiResult<Response> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    let name = q.name.unwrap_or_else(|| "api".into());
    let out = app.import_enterprises(s, &body, &name, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(EnterpriseImport::from(&out))).into_response())
}

/// What a CSV import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseImport {
    /// The figures' year.
    pub year: i64,
    /// Firms registered.
    pub created: usize,
    /// Firms whose record was updated.
    pub updated: usize,
    /// Figures stored.
    pub figures: usize,
    /// The file's encoding as detected: UTF-8 or GB18030.
    pub encoding: String,
}

impl From<&ImportOutcome> for EnterpriseImport {
    fn from(o: &ImportOutcome) -> Self {
        EnterpriseImport {
            year: o.year,
            created: o.created,
            updated: o.updated,
            figures: o.figures,
            encoding: o.encoding.to_string(),
        }
    }
}
