//! Supervision: departments' assignments, their progress reports, the review, evidence attachments, and a
//! plan's reporting rounds and supervision settings.

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::Action;
use jiqun_app::model::{AssignmentRow, AttachmentMeta, ReportInput, ReportRow};
use jiqun_app::snapshot::AssignmentView;
use jiqun_domain::report::{ReportStatus, ReviewState};
use serde::{Deserialize, Serialize};

use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::{api_record, json_bytes, text};
use crate::kit::api::{plan_view, write_request};

#[derive(Deserialize)]
pub struct AssignmentQuery {
    pub agency: Option<String>,
    pub plan: Option<i64>,
}

api_record! {
    /// Evidence attached to a progress report (its bytes are downloaded at `/api/v1/supervision/attachments/{id}`).
    #[derive(Serialize, utoipa::ToSchema)]
    pub struct ReportAttachment from AttachmentMeta {
        pub id: i64,
        pub report_id: i64,
        pub filename: String,
        /// As the uploader declared it.
        pub content_type: String,
        /// Bytes.
        pub size: i64,
    }
}

api_record! {
    /// A progress report on an assignment: one version of one period's report.
    #[derive(Serialize, utoipa::ToSchema)]
    pub struct ReportView from ReportRow {
        pub id: i64,
        pub assignment_id: i64,
        /// The reporting period (for example `2025Q2`).
        pub period: String,
        /// 1 for the first filing of the period, then one more for each resubmission.
        pub version: i64,
        /// The period's current version.
        pub current: bool,
        pub state: ReviewState,
        pub status: ReportStatus,
        /// Share of the work done, 0-100.
        pub percent: f64,
        pub narrative: String,
        pub problems: String,
        pub help_needed: String,
        /// The reviewer's comment, once reviewed.
        #[schema(required = true)]
        pub review_comment: Option<String>,
        /// Unix time, seconds.
        pub created_at: i64,
        /// Who filed it (a user id), when known.
        #[schema(required = true)]
        pub created_by: Option<i64>,
        #[schema(required = true)]
        pub created_by_name: Option<String>,
        #[schema(required = true)]
        pub submitted_at: Option<i64>,
        #[schema(required = true)]
        pub reviewed_at: Option<i64>,
        pub attachments: Vec<ReportAttachment> => attachments,
    }
}

fn attachments(a: &[AttachmentMeta]) -> Vec<ReportAttachment> {
    a.iter().map(ReportAttachment::new).collect()
}

/// A current report, with the department and the plan item it reports on.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportWithAssignment {
    #[serde(flatten)]
    pub report: ReportView,
    /// The department that answers for the item.
    pub agency: String,
    /// The plan item's number.
    pub item: String,
}

api_record! {
    /// An item a department answers for, with its current reports.
    #[derive(Serialize, utoipa::ToSchema)]
    pub struct SupervisionAssignment from AssignmentRow {
        pub id: i64,
        pub plan_id: i64,
        /// The plan item's number.
        pub item: String,
        pub item_title: String,
        /// The department.
        pub agency: String => text,
        /// `lead` or `co`.
        pub role: String,
    }
    with {
        /// Periods whose deadline has passed without a submitted report.
        pub overdue: Vec<String>,
        /// No progress over the last two reporting periods.
        pub stalled: bool,
        /// The current version of each period's report.
        pub reports: Vec<ReportView>,
    }
}

fn assignment(a: &AssignmentView) -> SupervisionAssignment {
    SupervisionAssignment::new(&a.row, a.overdue.clone(), a.stalled, a.reports.iter().map(ReportView::new).collect())
}

pub async fn assignments(ctx: Ctx, Query(q): Query<AssignmentQuery>) -> ApiResult<Response> {
    ctx.api_user_for(&Action::ReadPlan)?;
    let snap = ctx.app.snapshot().await.lang(ctx.lang)?;
    let agency = q.agency.as_deref().map(|a| crate::kit::ui::agencies().resolve(a, None).name);
    // The same for every reader until the data changes: serialised once per revision, plan and department.
    let key = format!("api/assignments/{:?}/{:?}", q.plan, agency);
    let body = ctx.app.rendered(&key, snap.stamp(), || {
        let out: Vec<SupervisionAssignment> = snap
            .plans
            .iter()
            .filter(|p| q.plan.is_none_or(|id| p.plan.id == id))
            .flat_map(|p| p.assignments.iter())
            .filter(|a| agency.as_deref().is_none_or(|ag| a.row.agency == ag))
            .map(assignment)
            .collect();
        serde_json::to_vec(&out).unwrap_or_default()
    });
    Ok(json_bytes(body))
}

/// A progress report as a department files it.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct FileReportBody {
    /// The reporting period (for example `2025Q2`).
    pub period: String,
    /// `not_started`, `on_schedule`, `behind` or `done` (`ReportStatus`).
    pub status: String,
    /// Share of the work done, 0-100.
    pub percent: f64,
    /// What was done.
    #[serde(default)]
    pub narrative: String,
    #[serde(default)]
    pub problems: String,
    /// What help the department needs.
    #[serde(default)]
    pub help_needed: String,
    /// Keep as a draft instead of submitting.
    #[serde(default)]
    pub draft: bool,
    /// The version of this period's report you read (0 when there was none). If the report has a newer
    /// version now, nothing is written: 409 with the report as it is now in `error.current`. Without it the
    /// report is filed whatever happened meanwhile.
    #[serde(default)]
    pub version: Option<i64>,
}

pub async fn file_report(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    // Permission before validation: whoever may not report for this assignment gets 403 whatever the body.
    ctx.app.may_file_report(s, id).await.lang(ctx.lang)?;
    let b: FileReportBody = ctx.json(&body)?;
    let input = ReportInput {
        period: b.period,
        status: b.status,
        percent: b.percent,
        narrative: b.narrative,
        problems: b.problems,
        help_needed: b.help_needed,
        submit: !b.draft,
        based_on: b.version,
    };
    let report = ctx.app.file_report(s, id, &input, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(ReportView::new(&report))).into_response())
}

/// The plan owner's review of a submitted report.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReviewReportBody {
    /// Accept the report; false returns it to the department.
    pub accept: bool,
    /// Comments (what to change, when returned).
    #[serde(default)]
    pub comment: String,
}

pub async fn review_report(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<ReportView>> {
    let (session, b) = write_request::<ReviewReportBody>(&ctx, Action::ReviewReport, &body)?;
    ctx.app.review_report(session, id, b.accept, &b.comment, &ctx.ip).await.lang(ctx.lang)?;
    let r = ctx.app.report(session, id).await.lang(ctx.lang)?;
    Ok(Json(ReportView::new(&r)))
}

#[derive(Deserialize)]
pub struct ReportsQuery {
    pub plan: Option<i64>,
    pub state: Option<jiqun_domain::report::ReviewState>,
}

pub async fn reports(ctx: Ctx, Query(q): Query<ReportsQuery>) -> ApiResult<Json<Vec<ReportWithAssignment>>> {
    ctx.api_user_for(&Action::ReadPlan)?;
    let snap = ctx.app.snapshot().await.lang(ctx.lang)?;
    let out = snap
        .plans
        .iter()
        .filter(|p| q.plan.is_none_or(|id| p.plan.id == id))
        .flat_map(|p| p.assignments.iter())
        .flat_map(|a| a.reports.iter().map(move |r| (a, r)))
        .filter(|(_, r)| q.state.is_none_or(|s| r.state == s))
        .map(|(a, r)| ReportWithAssignment {
            report: ReportView::new(r),
            agency: a.row.agency.to_string(),
            item: a.row.item.clone(),
        })
        .collect();
    Ok(Json(out))
}

/// A reporting round of a plan: the period reported on and its deadline.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportingRound {
    pub id: i64,
    pub plan_id: i64,
    /// The reporting period (for example `2025Q2`).
    pub period: String,
    /// `YYYY-MM-DD`.
    pub deadline: String,
}

pub async fn rounds(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<Vec<ReportingRound>>> {
    ctx.api_user_for(&Action::ReadPlan)?;
    let pv = plan_view(&ctx.app, id).await.lang(ctx.lang)?;
    let out = pv
        .rounds
        .iter()
        .map(|r| ReportingRound {
            id: r.id,
            plan_id: r.plan_id,
            period: r.period.clone(),
            deadline: r.deadline.clone(),
        })
        .collect();
    Ok(Json(out))
}

/// A reporting round to open, or the new deadline of an open one.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReportingRoundBody {
    /// The reporting period (for example `2025Q2`).
    pub period: String,
    /// `YYYY-MM-DD`.
    pub deadline: String,
}

/// A reporting round as just opened or moved.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportingRoundSet {
    pub plan_id: i64,
    pub period: String,
    /// `YYYY-MM-DD`.
    pub deadline: String,
}

pub async fn set_round(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Response> {
    let (session, b) = write_request::<ReportingRoundBody>(&ctx, Action::ManageRounds, &body)?;
    ctx.app.set_round(session, id, &b.period, &b.deadline, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(ReportingRoundSet { plan_id: id, period: b.period, deadline: b.deadline }))
        .into_response())
}

/// What the plan owner sets on a plan's supervision.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanSettingsBody {
    /// Take reports for periods that have no reporting round (off by default).
    pub reports_outside_rounds: bool,
}

/// A plan's supervision settings.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanSettings {
    pub plan_id: i64,
    /// Reports are taken for periods that have no reporting round.
    pub reports_outside_rounds: bool,
}

pub async fn plan_settings(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<PlanSettings>> {
    ctx.api_user_for(&Action::ReadPlan)?;
    plan_view(&ctx.app, id).await.lang(ctx.lang)?;
    let allow = ctx.app.reports_outside_rounds(id).await.lang(ctx.lang)?;
    Ok(Json(PlanSettings { plan_id: id, reports_outside_rounds: allow }))
}

pub async fn set_plan_settings(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<PlanSettings>> {
    let (session, b) = write_request::<PlanSettingsBody>(&ctx, Action::ManageRounds, &body)?;
    ctx.app.set_reports_outside_rounds(session, id, b.reports_outside_rounds, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(PlanSettings { plan_id: id, reports_outside_rounds: b.reports_outside_rounds }))
}

/// Evidence just attached to a report.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportAttachmentAdded {
    /// The attachment's id.
    pub id: i64,
    pub report_id: i64,
    pub filename: String,
    /// Bytes.
    pub size: usize,
}

/// A missing `filename` is an empty one, which the use case refuses naming the field (422), as the
/// challenges' attachments do; the OpenAPI document gives every query parameter as optional.
#[derive(Deserialize)]
pub struct AttachmentQuery {
    #[serde(default)]
    pub filename: String,
}

pub async fn add_attachment(
    ctx: Ctx,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    Query(q): Query<AttachmentQuery>,
    body: Bytes,
) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    let content_type = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let aid = ctx.app.add_attachment(s, id, &q.filename, content_type, &body, &ctx.ip).await.lang(ctx.lang)?;
    let added = ReportAttachmentAdded { id: aid, report_id: id, filename: q.filename, size: body.len() };
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

pub async fn attachment(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Response> {
    let s = ctx.api_user()?;
    let (meta, data) = ctx.app.attachment(s, id).await.lang(ctx.lang)?;
    let mut r = axum::body::Body::from(data).into_response();
    let h = r.headers_mut();
    // Served as a download, never rendered in the site's origin.
    h.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/octet-stream"));
    let ascii: String = meta
        .filename
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' { c } else { '_' })
        .collect();
    let encoded: String = meta
        .filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    if let Ok(v) =
        axum::http::HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
    {
        h.insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
