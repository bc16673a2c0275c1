//! Supervision: departments' assignments, their progress reports, the review, evidence attachments, and a
//! plan's reporting rounds and supervision settings.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::Action;
use jiqun_app::model::ReportInput;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::{need, parse_json, plan_view, write_request};

#[derive(Deserialize)]
pub struct AssignmentQuery {
    pub agency: Option<String>,
    pub plan: Option<i64>,
}

pub fn assignment_json(a: &jiqun_app::snapshot::AssignmentView) -> Value {
    json!({
        "id": a.row.id,
        "plan_id": a.row.plan_id,
        "item": a.row.item,
        "item_title": a.row.item_title,
        "agency": a.row.agency,
        "role": a.row.role,
        "overdue": a.overdue,
        "stalled": a.stalled,
        "reports": a.reports,
    })
}

pub async fn assignments(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AssignmentQuery>,
) -> ApiResult<Json<Value>> {
    need(&ctx, Action::ReadPlan).lang(ctx.lang)?;
    let snap = app.snapshot().await.lang(ctx.lang)?;
    let agency = q.agency.as_deref().map(|a| jiqun_domain::AgencyRegistry::guangdong().resolve(a, None).name);
    let out: Vec<Value> = snap
        .plans
        .iter()
        .filter(|p| q.plan.is_none_or(|id| p.plan.id == id))
        .flat_map(|p| p.assignments.iter())
        .filter(|a| agency.as_deref().is_none_or(|ag| a.row.agency == ag))
        .map(assignment_json)
        .collect();
    Ok(Json(Value::Array(out)))
}

#[derive(Deserialize)]
pub struct ReportBody {
    pub period: String,
    pub status: String,
    pub percent: f64,
    #[serde(default)]
    pub narrative: String,
    #[serde(default)]
    pub problems: String,
    #[serde(default)]
    pub help_needed: String,
    /// Keep as a draft instead of submitting.
    #[serde(default)]
    pub draft: bool,
}

pub async fn file_report(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Response> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    // Permission before validation: whoever may not report for this assignment gets 403 whatever the body.
    app.may_file_report(s, id).await.lang(ctx.lang)?;
    let b: ReportBody = parse_json(&body).lang(ctx.lang)?;
    let input = ReportInput {
        period: b.period,
        status: b.status,
        percent: b.percent,
        narrative: b.narrative,
        problems: b.problems,
        help_needed: b.help_needed,
        submit: !b.draft,
    };
    let report = app.file_report(s, id, &input, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(report).unwrap_or(Value::Null))).into_response())
}

#[derive(Deserialize)]
pub struct ReviewBody {
    pub accept: bool,
    #[serde(default)]
    pub comment: String,
}

pub async fn review_report(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let (session, b) = write_request::<ReviewBody>(&ctx, Action::ReviewReport, &body)?;
    app.review_report(session, id, b.accept, &b.comment, &ctx.ip).await.lang(ctx.lang)?;
    let r = app.report(session, id).await.lang(ctx.lang)?;
    Ok(Json(serde_json::to_value(r).unwrap_or(Value::Null)))
}

#[derive(Deserialize)]
pub struct ReportsQuery {
    pub plan: Option<i64>,
    pub state: Option<jiqun_domain::report::ReviewState>,
}

pub async fn reports(State(app): State<AppState>, ctx: Ctx, Query(q): Query<ReportsQuery>) -> ApiResult<Json<Value>> {
    need(&ctx, Action::ReadPlan).lang(ctx.lang)?;
    let snap = app.snapshot().await.lang(ctx.lang)?;
    let out: Vec<Value> = snap
        .plans
        .iter()
        .filter(|p| q.plan.is_none_or(|id| p.plan.id == id))
        .flat_map(|p| p.assignments.iter())
        .flat_map(|a| a.reports.iter().map(move |r| (a, r)))
        .filter(|(_, r)| q.state.is_none_or(|s| r.state == s))
        .map(|(a, r)| {
            let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                m.insert("agency".into(), json!(a.row.agency));
                m.insert("item".into(), json!(a.row.item));
            }
            v
        })
        .collect();
    Ok(Json(Value::Array(out)))
}

pub async fn rounds(State(app): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    need(&ctx, Action::ReadPlan).lang(ctx.lang)?;
    let pv = plan_view(&app, id).await.lang(ctx.lang)?;
    Ok(Json(serde_json::to_value(&pv.rounds).unwrap_or(Value::Null)))
}

#[derive(Deserialize)]
pub struct RoundBody {
    pub period: String,
    pub deadline: String,
}

pub async fn set_round(State(app): State<AppState>, ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Response> {
    let (session, b) = write_request::<RoundBody>(&ctx, Action::ManageRounds, &body)?;
    app.set_round(session, id, &b.period, &b.deadline, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(json!({ "plan_id": id, "period": b.period, "deadline": b.deadline })))
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

pub async fn plan_settings(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<PlanSettings>> {
    need(&ctx, Action::ReadPlan).lang(ctx.lang)?;
    plan_view(&app, id).await.lang(ctx.lang)?;
    let allow = app.reports_outside_rounds(id).await.lang(ctx.lang)?;
    Ok(Json(PlanSettings { plan_id: id, reports_outside_rounds: allow }))
}

pub async fn set_plan_settings(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<PlanSettings>> {
    let (session, b) = write_request::<PlanSettingsBody>(&ctx, Action::ManageRounds, &body)?;
    app.set_reports_outside_rounds(session, id, b.reports_outside_rounds, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(PlanSettings { plan_id: id, reports_outside_rounds: b.reports_outside_rounds }))
}

#[derive(Deserialize)]
pub struct AttachmentQuery {
    pub filename: String,
}

pub async fn add_attachment(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    Query(q): Query<AttachmentQuery>,
    body: Bytes,
) -> ApiResult<Response> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    let content_type = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let aid = app.add_attachment(s, id, &q.filename, content_type, &body, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(json!({ "id": aid, "report_id": id, "filename": q.filename, "size": body.len() })))
        .into_response())
}

pub async fn attachment(State(app): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Response> {
    let s = ctx.user().lang(ctx.lang)?;
    let (meta, data) = app.attachment(s, id).await.lang(ctx.lang)?;
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
