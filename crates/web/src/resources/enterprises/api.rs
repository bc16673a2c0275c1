//! The enterprise registry: the directory, registering a firm, one firm with its figures and evaluation
//! results, entering figures, their history, assigning an expert, and the CSV import.

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::AppError;
use jiqun_app::input::{parameter, parse_city, parse_scale};
use jiqun_app::model::{EnterpriseFilter, EnterpriseRow};
use jiqun_app::registry::{EnterpriseInput, EnterpriseView, Figure, ResultView};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::{Upload, api_record, or_current, text};

#[derive(Deserialize, Default)]
pub struct EnterprisesQuery {
    pub city: Option<String>,
    pub scale: Option<String>,
    pub q: Option<String>,
    pub tag: Option<String>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

api_record! {
    /// A firm of the registry: its record, without its figures.
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct EnterpriseSummary from EnterpriseRow {
        pub id: i64,
        /// Unified social credit code (GB 32100).
        pub uscc: String,
        pub name: String,
        pub city: String => text,
        /// The county or district; empty when not given.
        pub county: String,
        /// GB/T 4754 industry code; empty when not given.
        pub industry: String,
        /// `above` (规上) or `below` (规下).
        pub scale: String => text,
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

pub async fn enterprises(ctx: Ctx, Query(q): Query<EnterprisesQuery>) -> ApiResult<Json<EnterprisePage>> {
    let s = ctx.api_user()?;
    let filter = EnterpriseFilter {
        city: parameter("city", q.city.as_deref(), parse_city).lang(ctx.lang)?,
        scale: parameter("scale", q.scale.as_deref(), parse_scale).lang(ctx.lang)?,
        q: q.q,
        tag: q.tag,
        ids: None,
    };
    let offset = q.offset.unwrap_or(0);
    let limit = q.limit.unwrap_or(100);
    let (rows, total) = ctx.app.enterprises(s, filter, offset, limit).await.lang(ctx.lang)?;
    Ok(Json(EnterprisePage { items: rows.iter().map(EnterpriseSummary::new).collect(), total, offset }))
}

pub async fn create_enterprise(ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    let input: EnterpriseInput = ctx.json(&body)?;
    let id = ctx.app.register_enterprise(s, &input, &ctx.ip).await.lang(ctx.lang)?;
    let view = ctx.app.enterprise_view(s, id).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(EnterpriseDetail::from(&view))).into_response())
}

/// A firm's result in one run, with the run's year and scheme.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseEvaluation {
    #[serde(flatten)]
    pub result: ResultView,
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
    pub figures: Option<Vec<Figure>>,
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
            record: EnterpriseSummary::new(&v.row),
            figures: v.figures.clone(),
            evaluations: v
                .results
                .iter()
                .map(|(run, r)| EnterpriseEvaluation {
                    result: r.clone(),
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

pub async fn enterprise(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<EnterpriseDetail>> {
    let s = ctx.api_user()?;
    let view = ctx.app.enterprise_view(s, id).await.lang(ctx.lang)?;
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
    /// The version read: the largest `id` among the year's figures on the firm's record (0 when the year
    /// had none). When given and the year's figures changed since, the write is refused with 409 and the
    /// firm's record as it is now. Without it, the write is made whatever came before.
    #[serde(default)]
    pub version: Option<i64>,
}

/// The ids of the figures' new versions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseFigureIds {
    pub ids: Vec<i64>,
}

/// The values of a figures body (metric → number; with `flags`, also true / false as 1 / 0, as a library
/// profile takes them); an error names the metric.
pub fn figure_values(figures: &serde_json::Map<String, Value>, flags: bool) -> Result<Vec<(String, f64)>, AppError> {
    let number = |v: &Value| match v {
        Value::Bool(b) if flags => Some(if *b { 1.0 } else { 0.0 }),
        other => other.as_f64(),
    };
    figures
        .iter()
        .map(|(k, v)| match number(v) {
            Some(x) => Ok((k.clone(), x)),
            None if flags => {
                Err(AppError::invalid(k, "应为数字（是/否填 1 或 0）", "must be a number (1 or 0 for yes/no)"))
            }
            None => Err(AppError::invalid(k, "应为数字", "must be a number")),
        })
        .collect()
}

pub async fn put_figures(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    // Permission before validation: the use case checks it first, on the stored firm; a body that does
    // not parse is reported only to a caller who may write.
    ctx.app.may_edit_enterprise(s, id).await.lang(ctx.lang)?;
    let b: EnterpriseFiguresBody = ctx.json(&body)?;
    let values = figure_values(&b.figures, false).lang(ctx.lang)?;
    let written = ctx.app.put_figures(s, id, b.year, &values, &b.source, b.version, &ctx.ip).await;
    let ids = or_current(written, async { ctx.app.enterprise_view(s, id).await.map(|v| EnterpriseDetail::from(&v)) })
        .await
        .lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(EnterpriseFigureIds { ids })).into_response())
}

#[derive(Deserialize)]
pub struct HistoryQuery {
    pub year: Option<i64>,
    pub metric: Option<String>,
}

pub async fn figure_history(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<HistoryQuery>,
) -> ApiResult<Json<Vec<Figure>>> {
    let s = ctx.api_user()?;
    let (year, metric) = (q.year.unwrap_or(0), q.metric.as_deref().unwrap_or(""));
    let rows = ctx.app.figure_history(s, id, year, metric).await.lang(ctx.lang)?;
    Ok(Json(rows))
}

/// The expert to assign the firm to.
#[derive(Deserialize, ToSchema)]
pub struct EnterpriseExpertBody {
    /// The expert's user name.
    pub username: String,
}

pub async fn assign_expert(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<StatusCode> {
    let s = ctx.api_writer_for(&jiqun_app::Action::AssignExperts)?;
    let b: EnterpriseExpertBody = ctx.json(&body)?;
    ctx.app.assign_expert(s, id, &b.username, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn import(ctx: Ctx, Query(q): Query<Upload>, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    let out = ctx.app.import_enterprises(s, &body, q.name(), &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}
