//! Per-mu evaluations: the runs, running one, a run's distribution and results, the schemes, and the
//! differentiated resource policy applied to a run.

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::AppError;
use jiqun_app::cultivation::PolicyMeasure;
use jiqun_app::model::EvaluationRow;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::api_record;

api_record! {
    /// A per-mu evaluation run.
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct EvaluationRun from EvaluationRow {
        pub id: i64,
        /// The figures' year.
        pub year: i64,
        pub scheme_id: String,
        pub scheme_name: String,
        /// Firms rated A to D.
        pub rated: i64,
        /// Firms not rated (class T).
        pub not_rated: i64,
        /// The user who ran it.
        pub created_by: Option<i64>,
        /// Milliseconds since the Unix epoch.
        pub created_at: i64,
    }
}

pub async fn evaluations(ctx: Ctx) -> ApiResult<Json<Vec<EvaluationRun>>> {
    let s = ctx.api_user()?;
    let runs = ctx.app.evaluation_runs(s).await.lang(ctx.lang)?;
    Ok(Json(runs.iter().map(EvaluationRun::new).collect()))
}

/// A run to make: every registered firm with figures for the year, rated by a scheme.
#[derive(Deserialize, ToSchema)]
pub struct EvaluationRunBody {
    /// The figures' year.
    pub year: i64,
    /// The scheme's id (`default` when not given).
    #[serde(default = "default_scheme")]
    pub scheme: String,
}

fn default_scheme() -> String {
    "default".into()
}

pub async fn run_evaluation(ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer_for(&jiqun_app::Action::RunEvaluation)?;
    let b: EvaluationRunBody = ctx.json(&body)?;
    let id = ctx.app.run_evaluation(s, b.year, &b.scheme, &ctx.ip).await.lang(ctx.lang)?;
    let summary = ctx.app.evaluation_summary(s, id).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(EvaluationSummary::from(&summary))).into_response())
}

/// One city's firms by class in a run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationCityCounts {
    pub city: String,
    #[serde(rename = "A")]
    pub a: i64,
    #[serde(rename = "B")]
    pub b: i64,
    #[serde(rename = "C")]
    pub c: i64,
    #[serde(rename = "D")]
    pub d: i64,
    /// Not rated.
    #[serde(rename = "T")]
    pub t: i64,
}

/// A run's distribution by city and class, and the movement between classes since the previous year's run
/// of the same scheme.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationSummary {
    pub id: i64,
    pub year: i64,
    /// The scheme's id.
    pub scheme: String,
    pub scheme_name: String,
    pub rated: i64,
    pub not_rated: i64,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub by_city: Vec<EvaluationCityCounts>,
    /// The previous year's run of the same scheme, if any.
    pub previous: Option<i64>,
    /// from class → to class → firms, over the firms in both runs (classes A, B, C, D, T); null without a
    /// previous run.
    pub moves: Option<BTreeMap<String, BTreeMap<String, i64>>>,
}

impl From<&jiqun_app::registry::EvaluationSummary> for EvaluationSummary {
    fn from(sm: &jiqun_app::registry::EvaluationSummary) -> Self {
        let classes = jiqun_app::registry::CLASSES;
        EvaluationSummary {
            id: sm.evaluation.id,
            year: sm.evaluation.year,
            scheme: sm.evaluation.scheme_id.clone(),
            scheme_name: sm.evaluation.scheme_name.clone(),
            rated: sm.evaluation.rated,
            not_rated: sm.evaluation.not_rated,
            created_at: sm.evaluation.created_at,
            by_city: sm
                .by_city
                .iter()
                .map(|(c, n)| EvaluationCityCounts { city: c.to_string(), a: n[0], b: n[1], c: n[2], d: n[3], t: n[4] })
                .collect(),
            previous: sm.previous.as_ref().map(|p| p.id),
            moves: sm.moves.map(|m| {
                classes
                    .iter()
                    .enumerate()
                    .map(|(i, from)| {
                        let row = classes.iter().enumerate().map(|(j, to)| ((*to).to_string(), m[i][j])).collect();
                        ((*from).to_string(), row)
                    })
                    .collect()
            }),
        }
    }
}

pub async fn evaluation(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<EvaluationSummary>> {
    let s = ctx.api_user()?;
    let summary = ctx.app.evaluation_summary(s, id).await.lang(ctx.lang)?;
    Ok(Json(EvaluationSummary::from(&summary)))
}

#[derive(Deserialize)]
pub struct ResultsQuery {
    pub city: Option<String>,
}

pub async fn evaluation_results(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ResultsQuery>,
) -> ApiResult<Json<EvaluationResults>> {
    let s = ctx.api_user()?;
    let city = jiqun_app::input::parameter("city", q.city.as_deref(), jiqun_app::input::parse_city).lang(ctx.lang)?;
    let rows = ctx.app.evaluation_results(s, id, city).await.lang(ctx.lang)?;
    let items: Vec<EvaluationResult> = rows
        .iter()
        .map(|(e, r)| EvaluationResult { result: r.clone(), uscc: e.uscc.clone(), name: e.name.clone() })
        .collect();
    Ok(Json(EvaluationResults { total: items.len(), items }))
}

/// A firm's result in a run, with the firm's USCC and name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationResult {
    #[serde(flatten)]
    pub result: jiqun_app::registry::ResultView,
    pub uscc: String,
    pub name: String,
}

/// A run's results (the whole list, not paged).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationResults {
    pub items: Vec<EvaluationResult>,
    /// How many results there are (all of them are in `items`).
    pub total: usize,
}

/// A per-mu evaluation scheme available for runs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationScheme {
    pub id: String,
    pub name: String,
    /// Shipped with Jiqun (not added by a jurisdiction).
    pub builtin: bool,
    pub jurisdiction: String,
    /// The evaluation year the scheme was published for; null for any year.
    pub year: Option<i32>,
    /// Where the settings come from (a citation).
    pub source: String,
    /// The scheme file itself (docs/evaluation.md).
    #[schema(value_type = Object)]
    pub definition: Value,
}

pub async fn schemes(ctx: Ctx) -> ApiResult<Json<Vec<EvaluationScheme>>> {
    let s = ctx.api_user()?;
    let _ = ctx.app.evaluation_runs(s).await.lang(ctx.lang)?;
    let list = ctx
        .app
        .schemes()
        .await
        .lang(ctx.lang)?
        .into_iter()
        .map(|s| EvaluationScheme {
            id: s.id,
            name: s.name,
            builtin: s.builtin,
            jurisdiction: s.scheme.jurisdiction,
            year: s.scheme.year,
            source: s.scheme.source,
            definition: serde_json::from_str::<Value>(&s.json).unwrap_or(Value::Null),
        })
        .collect();
    Ok(Json(list))
}

/// A jurisdiction's per-mu evaluation scheme file (docs/evaluation.md), checked by the evaluation engine
/// (`jiqun_eval::permu::Scheme`); errors name the JSON path. Declared as an object here: the engine's
/// type does not derive a schema.
#[derive(Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct EvaluationSchemeBody(pub Value);

/// The id of the scheme stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationSchemeId {
    pub id: String,
}

pub async fn put_scheme(ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer_for(&jiqun_app::Action::RunEvaluation)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| AppError::invalid("scheme", "方案文件须为 UTF-8 编码的 JSON", "a scheme file is UTF-8 JSON"))
        .lang(ctx.lang)?;
    let id = ctx.app.put_scheme(s, text, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(EvaluationSchemeId { id })).into_response())
}

/// The differentiated resource policy applied to a run: per city and in total; per firm only where the
/// caller reads its figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationPolicy {
    pub evaluation: EvaluationRun,
    /// The policy table (`jiqun_eval::resource_policy::PolicyDef`: id, name, source, levers per class).
    #[schema(value_type = Object)]
    pub definition: jiqun_eval::resource_policy::PolicyDef,
    /// The table is Jiqun's example, to be set by the jurisdiction.
    pub example: bool,
    /// Per city totals (`jiqun_eval::resource_policy::CitySummary`: firms by class, estimated surcharges,
    /// quota levels).
    #[schema(value_type = Vec<Object>)]
    pub cities: Vec<jiqun_eval::resource_policy::CitySummary>,
    /// The province's totals, as each city's.
    #[schema(value_type = Object)]
    pub total: jiqun_eval::resource_policy::CitySummary,
    pub measures: Vec<PolicyMeasure>,
    /// Firms of the run with an electricity figure for its year.
    pub electricity_reported: usize,
    /// Firms of the run with a water figure for its year.
    pub water_reported: usize,
}

impl From<jiqun_app::cultivation::PolicyView> for EvaluationPolicy {
    fn from(v: jiqun_app::cultivation::PolicyView) -> Self {
        EvaluationPolicy {
            evaluation: EvaluationRun::new(&v.evaluation),
            definition: v.definition,
            example: v.example,
            cities: v.cities,
            total: v.total,
            measures: v.measures,
            electricity_reported: v.electricity_reported,
            water_reported: v.water_reported,
        }
    }
}

pub async fn resource_policy(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<EvaluationPolicy>> {
    let s = ctx.api_user()?;
    let view = ctx.app.resource_policy(s, id).await.lang(ctx.lang)?;
    Ok(Json(EvaluationPolicy::from(view)))
}
