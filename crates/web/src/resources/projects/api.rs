//! New industrial project admission: the proposals with their decisions, assessing one, and one proposal.

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::cultivation::{ProposalInput, ProposalView, StoredResult};
use jiqun_app::model::ProposalRow;
use jiqun_app::{AppError, Perm};
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
    }
}

fn proposal(v: &ProposalView) -> ProjectProposal {
    ProjectProposal::new(&v.row, v.assessed_by_name.clone(), v.result.clone())
}

/// The proposals and the admission table they are assessed against.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectList {
    pub items: Vec<ProjectProposal>,
    /// The admission table (`jiqun_eval::admission::TableDef`: Jiqun's example thresholds per metric and
    /// industry, with their sources), as its data file gives it; null if it cannot be read.
    #[schema(value_type = Option<Object>)]
    pub table: Option<jiqun_eval::admission::TableDef>,
}

pub async fn projects(ctx: Ctx) -> ApiResult<Json<ProjectList>> {
    let s = ctx.api_user()?;
    let items = ctx.app.proposals(s).await.lang(ctx.lang)?;
    let table = jiqun_eval::admission::example_table().ok().map(|t| t.def().clone());
    Ok(Json(ProjectList { items: items.iter().map(proposal).collect(), table }))
}

pub async fn assess_project(ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    // Whoever holds the permission in no scope is refused before the body is read; the city is checked
    // by the use case once it is known.
    if s.roles.scopes(&s.user, Perm::AssessProjects).is_empty() {
        return Err(AppError::forbidden()).lang(ctx.lang);
    }
    let input: ProposalInput = ctx.json(&body)?;
    let view = ctx.app.assess_project(s, &input, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(proposal(&view))).into_response())
}

pub async fn project(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<ProjectProposal>> {
    let s = ctx.api_user()?;
    let view = ctx.app.proposal(s, id).await.lang(ctx.lang)?;
    Ok(Json(proposal(&view)))
}
