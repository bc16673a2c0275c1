//! New industrial project admission: the checks with their decisions, and one check (assessing one is
//! `POST /api/v1/projects`, which starts a project with it).

use axum::Json;
use jiqun_app::cultivation::{ProposalView, StoredResult};
use jiqun_app::model::ProposalRow;
use serde::Serialize;
use utoipa::ToSchema;

use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};
use crate::extract::Path;
use crate::kit::api::{api_record, text, wan};

api_record! {
    /// A proposal as assessed, with its result and who assessed it.
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct ProjectProposal from ProposalRow {
        pub id: i64,
        pub project: String,
        pub city: String => text,
        pub zone: String,
        pub industry_code: String,
        pub land_mu: f64,
        pub fixed_investment_wan: Option<f64> => wan,
        pub annual_output_wan: Option<f64> => wan,
        pub annual_tax_wan: Option<f64> => wan,
        pub jobs: Option<f64>,
        pub energy_tce: Option<f64>,
        pub value_added_wan: Option<f64> => wan,
        pub rd_wan: Option<f64> => wan,
        /// The admission table it was assessed against.
        pub table_id: String,
        /// `admit`, `admit_with_conditions` or `reject`.
        pub decision: String,
        /// The user who assessed it.
        pub assessed_by: Option<i64>,
        /// Milliseconds since the Unix epoch.
        pub assessed_at: i64,
    }
    with {
        /// Who assessed it (user name).
        pub assessed_by_name: Option<String>,
        pub result: StoredResult,
        /// The key project this check is a step of.
        pub project_id: Option<i64>,
    }
}

fn proposal(v: &ProposalView) -> ProjectProposal {
    ProjectProposal::new(&v.row, v.assessed_by_name.clone(), v.result.clone(), v.project_id)
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

pub async fn admissions(ctx: Ctx) -> ApiResult<Json<AdmissionList>> {
    let s = ctx.api_user()?;
    let items = ctx.app.proposals(s).await.lang(ctx.lang)?;
    let table = jiqun_eval::admission::example_table().ok().map(|t| t.def().clone());
    Ok(Json(AdmissionList { items: items.iter().map(proposal).collect(), table }))
}

pub async fn admission(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<ProjectProposal>> {
    let s = ctx.api_user()?;
    let view = ctx.app.proposal(s, id).await.lang(ctx.lang)?;
    Ok(Json(proposal(&view)))
}
