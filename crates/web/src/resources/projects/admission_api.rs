//! New industrial project admission: the proposals with their decisions, assessing one, and one proposal.

use axum::Json;
use axum::extract::State;
use jiqun_app::cultivation::{ProposalInput, ProposalView, StoredLimit, StoredMetric, StoredResult};
use jiqun_eval::definition::Text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};
use crate::extract::Path;

/// A new industrial project proposal to assess. Missing figures count as no data (the worst case).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ProjectProposalBody {
    /// The project's name.
    #[serde(default)]
    pub project: String,
    #[serde(default)]
    pub city: String,
    /// The zone (park) it would be built in.
    #[serde(default)]
    pub zone: String,
    /// GB/T 4754 industry code.
    #[serde(default)]
    pub industry_code: String,
    /// Land, mu.
    #[serde(default)]
    pub land_mu: Option<f64>,
    /// Fixed-asset investment, 万元.
    #[serde(default)]
    pub fixed_investment_wan: Option<f64>,
    /// Annual output, 万元.
    #[serde(default)]
    pub annual_output_wan: Option<f64>,
    /// Annual tax, 万元.
    #[serde(default)]
    pub annual_tax_wan: Option<f64>,
    #[serde(default)]
    pub jobs: Option<f64>,
    /// Energy use, tonnes of coal equivalent a year.
    #[serde(default)]
    pub energy_tce: Option<f64>,
    /// Value added, 万元.
    #[serde(default)]
    pub value_added_wan: Option<f64>,
    /// R&D spending, 万元.
    #[serde(default)]
    pub rd_wan: Option<f64>,
}

impl From<ProjectProposalBody> for ProposalInput {
    fn from(b: ProjectProposalBody) -> Self {
        ProposalInput {
            project: b.project,
            city: b.city,
            zone: b.zone,
            industry_code: b.industry_code,
            land_mu: b.land_mu,
            fixed_investment_wan: b.fixed_investment_wan,
            annual_output_wan: b.annual_output_wan,
            annual_tax_wan: b.annual_tax_wan,
            jobs: b.jobs,
            energy_tce: b.energy_tce,
            value_added_wan: b.value_added_wan,
            rd_wan: b.rd_wan,
        }
    }
}

/// A text in Chinese and English.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectText {
    pub zh: String,
    pub en: String,
}

impl From<&Text> for ProjectText {
    fn from(t: &Text) -> Self {
        ProjectText { zh: t.zh.clone(), en: t.en.clone() }
    }
}

/// A threshold an assessment applied.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectLimit {
    pub value: f64,
    /// Where the threshold comes from.
    pub source: String,
    /// How far it can be trusted: H, M, L or X (Jiqun's example value).
    #[schema(value_type = String)]
    pub confidence: jiqun_eval::definition::Confidence,
}

impl From<&StoredLimit> for ProjectLimit {
    fn from(l: &StoredLimit) -> Self {
        ProjectLimit { value: l.value, source: l.source.clone(), confidence: l.confidence }
    }
}

/// One metric of an assessment: the proposal's value, the thresholds, the verdict and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectMetric {
    pub metric: String,
    /// Null when the proposal gives no figure (judged as the worst case).
    pub value: Option<f64>,
    /// The admission line.
    pub hard: Option<ProjectLimit>,
    /// The band above it where admission comes with conditions.
    pub soft: Option<ProjectLimit>,
    /// `pass`, `conditional`, `fail`, `no_data` or `not_set`.
    pub verdict: String,
    /// The industry code prefix of the rule applied, if a rule for the industry was.
    pub rule_prefix: Option<String>,
    pub explanation: ProjectText,
    pub note: Option<ProjectText>,
}

impl From<&StoredMetric> for ProjectMetric {
    fn from(m: &StoredMetric) -> Self {
        ProjectMetric {
            metric: m.metric.clone(),
            value: m.value,
            hard: m.hard.as_ref().map(ProjectLimit::from),
            soft: m.soft.as_ref().map(ProjectLimit::from),
            verdict: m.verdict.clone(),
            rule_prefix: m.rule_prefix.clone(),
            explanation: ProjectText::from(&m.explanation),
            note: m.note.as_ref().map(ProjectText::from),
        }
    }
}

/// The admission result stored with a proposal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectResult {
    /// `admit`, `admit_with_conditions` or `reject`.
    pub decision: String,
    pub metrics: Vec<ProjectMetric>,
    pub reasons: Vec<ProjectText>,
    /// The conditions of an admission with conditions.
    pub conditions: Option<ProjectText>,
    pub summary: ProjectText,
}

impl From<&StoredResult> for ProjectResult {
    fn from(r: &StoredResult) -> Self {
        ProjectResult {
            decision: r.decision.clone(),
            metrics: r.metrics.iter().map(ProjectMetric::from).collect(),
            reasons: r.reasons.iter().map(ProjectText::from).collect(),
            conditions: r.conditions.as_ref().map(ProjectText::from),
            summary: ProjectText::from(&r.summary),
        }
    }
}

/// A proposal as assessed, with its result and who assessed it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectProposal {
    pub id: i64,
    pub project: String,
    pub city: String,
    pub zone: String,
    pub industry_code: String,
    pub land_mu: f64,
    pub fixed_investment_wan: Option<f64>,
    pub annual_output_wan: Option<f64>,
    pub annual_tax_wan: Option<f64>,
    pub jobs: Option<f64>,
    pub energy_tce: Option<f64>,
    pub value_added_wan: Option<f64>,
    pub rd_wan: Option<f64>,
    /// The admission table it was assessed against.
    pub table_id: String,
    /// `admit`, `admit_with_conditions` or `reject`.
    pub decision: String,
    /// The user who assessed it.
    pub assessed_by: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub assessed_at: i64,
    /// Who assessed it (user name).
    pub assessed_by_name: Option<String>,
    pub result: ProjectResult,
    /// The key project this check is a step of.
    pub project_id: Option<i64>,
}

impl From<&ProposalView> for ProjectProposal {
    fn from(v: &ProposalView) -> Self {
        let r = &v.row;
        ProjectProposal {
            id: r.id,
            project: r.project.clone(),
            city: r.city.to_string(),
            zone: r.zone.clone(),
            industry_code: r.industry_code.clone(),
            land_mu: r.land_mu,
            fixed_investment_wan: r.fixed_investment_wan.map(|m| m.as_wan()),
            annual_output_wan: r.annual_output_wan.map(|m| m.as_wan()),
            annual_tax_wan: r.annual_tax_wan.map(|m| m.as_wan()),
            jobs: r.jobs,
            energy_tce: r.energy_tce,
            value_added_wan: r.value_added_wan.map(|m| m.as_wan()),
            rd_wan: r.rd_wan.map(|m| m.as_wan()),
            table_id: r.table_id.clone(),
            decision: r.decision.clone(),
            assessed_by: r.assessed_by,
            assessed_at: r.assessed_at,
            assessed_by_name: v.assessed_by_name.clone(),
            result: ProjectResult::from(&v.result),
            project_id: v.project_id,
        }
    }
}

/// The proposals and the admission table they are assessed against.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdmissionList {
    pub items: Vec<ProjectProposal>,
    /// The admission table (`jiqun_eval::admission::TableDef`: Jiqun's example thresholds per metric and
    /// industry, with their sources), as its data file gives it; null if it cannot be read.
    #[schema(value_type = Option<Object>)]
    pub table: Option<jiqun_eval::admission::TableDef>,
}

pub async fn admissions(State(app): State<AppState>, ctx: Ctx) -> ApiResult<Json<AdmissionList>> {
    let s = ctx.user().lang(ctx.lang)?;
    let items = app.proposals(s).await.lang(ctx.lang)?;
    let table = jiqun_eval::admission::example_table().ok().map(|t| t.def().clone());
    Ok(Json(AdmissionList { items: items.iter().map(ProjectProposal::from).collect(), table }))
}

pub async fn admission(State(app): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<ProjectProposal>> {
    let s = ctx.user().lang(ctx.lang)?;
    let view = app.proposal(s, id).await.lang(ctx.lang)?;
    Ok(Json(ProjectProposal::from(&view)))
}
