//! Plans: the list, one plan's compiled document, importing a document, closing a plan.

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::model::PlanRow;
use jiqun_app::snapshot::PlanView;
use jiqun_app::{Action, AppError};
use serde::{Deserialize, Serialize};

use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::{Upload, api_record, json_bytes, plan_view, write_request};

api_record! {
    /// A plan as the system holds it: what the document says of itself, where it came from, and whether it is
    /// still in force.
    #[derive(Serialize, utoipa::ToSchema)]
    pub struct PlanSummary from PlanRow {
        pub id: i64,
        /// What to call the plan on screen.
        pub name: String,
        pub title: Option<String>,
        /// The document number (文号).
        pub doc_number: Option<String>,
        /// ISO date.
        pub issued_on: Option<String>,
        /// The first year of the plan's period.
        pub period_start: Option<i64>,
        /// The last year of the plan's period.
        pub period_end: Option<i64>,
        /// The year the plan's targets aim at: the period's end, else the targets' latest year.
        pub target_year: Option<i64>,
        /// Where the document came from (a file name or URL).
        pub source_name: String,
        /// `active` or `closed`.
        pub status: String,
        /// The final assessment, once closed.
        pub final_assessment: Option<String>,
        /// The plan that follows this one, once closed.
        pub successor_id: Option<i64>,
        /// When it was imported, ms since 1970.
        pub created_at: i64,
    }
}

/// A plan: the compiled plan JSON (contracts §2) with the system's id, status and source.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanDocument {
    pub id: i64,
    #[serde(flatten)]
    pub plan: jiqun_domain::plan::Plan,
    /// `active` or `closed`.
    pub status: String,
    /// The final assessment, once closed.
    pub final_assessment: Option<String>,
    /// Where the document came from (a file name or URL).
    pub source_name: String,
}

impl From<&PlanView> for PlanDocument {
    fn from(pv: &PlanView) -> Self {
        PlanDocument {
            id: pv.plan.id,
            plan: pv.doc.clone(),
            status: pv.plan.status.clone(),
            final_assessment: pv.plan.final_assessment.clone(),
            source_name: pv.plan.source_name.clone(),
        }
    }
}

pub async fn plans(ctx: Ctx) -> ApiResult<Json<Vec<PlanSummary>>> {
    ctx.api_user_for(&Action::ReadPlan)?;
    let snap = ctx.app.snapshot().await.lang(ctx.lang)?;
    Ok(Json(snap.plans.iter().map(|p| PlanSummary::new(&p.plan)).collect()))
}

pub async fn plan(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Response> {
    ctx.api_user_for(&Action::ReadPlan)?;
    let snap = ctx.app.snapshot().await.lang(ctx.lang)?;
    let pv = snap
        .plan(id)
        .ok_or_else(|| AppError::not_found(format!("计划 {id} 不存在"), format!("no plan {id}")))
        .lang(ctx.lang)?;
    // The same for every reader until the data changes: serialised once per revision.
    let body = ctx.app.rendered(&format!("api/plan/{id}"), snap.data_stamp(), || {
        serde_json::to_vec(&PlanDocument::from(&**pv)).unwrap_or_default()
    });
    Ok(json_bytes(body))
}

pub async fn import_plan(ctx: Ctx, Query(q): Query<Upload>, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    let id = ctx.app.import_plan(s, &body, q.name(), &ctx.ip).await.lang(ctx.lang)?;
    let pv = plan_view(&ctx.app, id).await.lang(ctx.lang)?;
    let out = PlanImported { id, name: pv.plan.name.clone(), items: pv.items.len(), indicators: pv.indicators.len() };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// A plan just imported, with how much the compiler found in it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanImported {
    pub id: i64,
    /// What to call the plan on screen.
    pub name: String,
    /// How many items (tasks) the plan has.
    pub items: usize,
    /// How many indicators the plan has.
    pub indicators: usize,
}

/// Closing a plan.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ClosePlanBody {
    /// The final assessment of the plan.
    pub assessment: String,
    /// The id of the plan that follows this one.
    #[serde(default)]
    pub successor: Option<i64>,
}

pub async fn close_plan(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<PlanSummary>> {
    let (session, b) = write_request::<ClosePlanBody>(&ctx, Action::ClosePlan, &body)?;
    if let Some(s) = b.successor {
        plan_view(&ctx.app, s).await.lang(ctx.lang)?;
    }
    ctx.app.close_plan(session, id, &b.assessment, b.successor, &ctx.ip).await.lang(ctx.lang)?;
    let pv = plan_view(&ctx.app, id).await.lang(ctx.lang)?;
    Ok(Json(PlanSummary::new(&pv.plan)))
}
