//! The JSON API (`/api/v1`). Handlers are thin: they read the request, call a use case, and shape the
//! contract's JSON. The routes and their OpenAPI description are declared together in `routes`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::model::{IndicatorEdit, ReportInput};
use jiqun_app::snapshot::{IndicatorView, PlanView};
use jiqun_app::{Action, AppError};
use jiqun_eval::progress::Point;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};

fn need(ctx: &Ctx, action: Action) -> Result<(), AppError> {
    let s = ctx.user()?;
    if s.can(&action) { Ok(()) } else { Err(AppError::forbidden()) }
}

fn point(p: &Option<Point>) -> Value {
    match p {
        Some(p) => json!({ "period": p.period.to_string(), "value": p.value }),
        None => Value::Null,
    }
}

pub fn indicator_json(iv: &IndicatorView, lang: jiqun_domain::Lang) -> Value {
    let r = &iv.row;
    let p = &iv.progress;
    json!({
        "id": r.id,
        "plan_id": r.plan_id,
        "item": r.item,
        "name": r.name,
        "unit": r.unit,
        "direction": r.direction,
        "method": r.method,
        "frequency": r.frequency,
        "by_city": r.by_city,
        "baseline": point(&iv.baseline),
        "target": { "cmp": r.target_cmp, "value": r.target_value, "value_max": r.target_value_max, "year": r.target_year },
        "latest": point(&iv.latest),
        "source_text": r.source_text,
        "progress": {
            "status": iv.status.as_str(),
            "label": iv.status.label(lang),
            "computed_status": p.status.as_str(),
            "overridden": iv.overridden,
            "override_reason": r.override_reason,
            "ratio": p.ratio,
            "achieved": p.achieved,
            "final": p.is_final,
            "method": p.method,
            "inputs": {
                "baseline": point(&p.baseline),
                "latest": point(&p.latest),
                "target_year": r.target_year,
                "observed_rate": p.observed_rate,
                "required_rate": p.required_rate,
                "achievement": p.achievement,
                "elapsed": p.elapsed,
            },
            "forecast": p.forecast,
            "shortfall": p.shortfall,
            "score": p.score,
        },
        "history": iv.history.iter().map(|(per, s)| json!({ "period": per, "status": s.as_str() })).collect::<Vec<_>>(),
    })
}

async fn plan_view(app: &AppState, id: i64) -> Result<std::sync::Arc<PlanView>, AppError> {
    let snap = app.snapshot().await?;
    snap.plan(id).cloned().ok_or_else(|| AppError::not_found(format!("计划 {id} 不存在"), format!("no plan {id}")))
}

pub async fn healthz(State(app): State<AppState>) -> Response {
    match app.health().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))).into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "database unavailable" }))).into_response(),
    }
}

#[derive(Deserialize)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub totp: Option<String>,
}

pub async fn login(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let body: LoginBody = parse_json(&body).lang(ctx.lang)?;
    let ok =
        app.login_with(&body.username, &body.password, body.totp.as_deref(), "bearer", &ctx.ip).await.lang(ctx.lang)?;
    let u = &ok.user;
    let restriction = app.restriction_of(u).await;
    Ok(Json(json!({
        "token": ok.token,
        "expires_at": ok.expires_at,
        "user": { "id": u.id, "username": u.username, "display_name": u.display_name, "roles": u.roles, "agency": u.agency, "city": u.city },
        "restriction": restriction,
    }))
    .into_response())
}

pub async fn me(ctx: Ctx) -> ApiResult<Json<Value>> {
    let s = ctx.account().lang(ctx.lang)?;
    let u = &s.user;
    Ok(Json(json!({
        "id": u.id, "username": u.username, "display_name": u.display_name, "roles": u.roles, "agency": u.agency,
        "city": u.city, "totp_enabled": u.totp_enabled, "restriction": s.restriction, "prev_login_at": u.prev_login_at,
    })))
}

#[derive(Deserialize)]
pub struct PasswordBody {
    pub old_password: String,
    pub new_password: String,
}

pub async fn change_password(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<StatusCode> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.account().lang(ctx.lang)?;
    let b: PasswordBody = parse_json(&body).lang(ctx.lang)?;
    app.change_password(s, &b.old_password, &b.new_password, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn totp_enrol(State(app): State<AppState>, ctx: Ctx) -> ApiResult<Json<Value>> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.account().lang(ctx.lang)?;
    let e = app.totp_enrol(s, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(json!({ "secret": e.secret_base32, "otpauth_uri": e.otpauth_uri })))
}

#[derive(Deserialize)]
pub struct TotpBody {
    pub code: String,
}

pub async fn totp_confirm(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<StatusCode> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.account().lang(ctx.lang)?;
    let b: TotpBody = parse_json(&body).lang(ctx.lang)?;
    app.totp_confirm(s, &b.code, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn logout(State(app): State<AppState>, ctx: Ctx) -> ApiResult<StatusCode> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.account().lang(ctx.lang)?;
    app.logout(s, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The start of every JSON write: the CSRF token (for cookie sessions), the permission, then the body, in
/// that order (permission before validation).
fn write_request<'c, T: serde::de::DeserializeOwned>(
    ctx: &'c Ctx,
    action: Action,
    body: &[u8],
) -> ApiResult<(&'c jiqun_app::Session, T)> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    need(ctx, action).lang(ctx.lang)?;
    let parsed = parse_json(body).lang(ctx.lang)?;
    Ok((ctx.user().lang(ctx.lang)?, parsed))
}

/// JSON bodies are parsed by hand so that a malformed one gets the contract's error shape, in the request's
/// language (see `jiqun_app::error::parse_json`).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    jiqun_app::error::parse_json(body)
}

pub async fn plans(State(app): State<AppState>, ctx: Ctx) -> ApiResult<Json<Value>> {
    need(&ctx, Action::ReadPlan).lang(ctx.lang)?;
    let snap = app.snapshot().await.lang(ctx.lang)?;
    Ok(Json(Value::Array(snap.plans.iter().map(|p| serde_json::to_value(&p.plan).unwrap_or(Value::Null)).collect())))
}

pub async fn plan(State(app): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    need(&ctx, Action::ReadPlan).lang(ctx.lang)?;
    let pv = plan_view(&app, id).await.lang(ctx.lang)?;
    let mut v = serde_json::to_value(&pv.doc).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("id".into(), json!(pv.plan.id));
        m.insert("status".into(), json!(pv.plan.status));
        m.insert("final_assessment".into(), json!(pv.plan.final_assessment));
        m.insert("source_name".into(), json!(pv.plan.source_name));
    }
    Ok(Json(v))
}

#[derive(Deserialize)]
pub struct ImportQuery {
    pub name: Option<String>,
}

pub async fn import_plan(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> ApiResult<Response> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    let name = q.name.unwrap_or_else(|| "api".into());
    let id = app.import_plan(s, &body, &name, &ctx.ip).await.lang(ctx.lang)?;
    let pv = plan_view(&app, id).await.lang(ctx.lang)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "name": pv.plan.name, "items": pv.items.len(), "indicators": pv.indicators.len() })),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct PlanQuery {
    pub plan: Option<i64>,
}

pub async fn indicators(State(app): State<AppState>, ctx: Ctx, Query(q): Query<PlanQuery>) -> ApiResult<Response> {
    need(&ctx, Action::ReadPlan).lang(ctx.lang)?;
    let snap = app.snapshot().await.lang(ctx.lang)?;
    let plans: Vec<_> = match q.plan {
        Some(id) => vec![
            snap.plan(id)
                .cloned()
                .ok_or_else(|| AppError::not_found(format!("计划 {id} 不存在"), format!("no plan {id}")))
                .lang(ctx.lang)?,
        ],
        None => snap.plans.clone(),
    };
    // The list is the same for every reader until the data changes: serialise it once per revision.
    let key = format!("api/indicators/{:?}/{:?}", q.plan, ctx.lang);
    let body = app.rendered(&key, snap.revision, || {
        let list: Vec<Value> =
            plans.iter().flat_map(|p| p.indicators.iter().map(|i| indicator_json(i, ctx.lang))).collect();
        serde_json::to_vec(&list).unwrap_or_default()
    });
    Ok(json_bytes(body))
}

/// A JSON response from bytes already serialised, served without copying them.
pub fn json_bytes(body: std::sync::Arc<Vec<u8>>) -> Response {
    let mut r = axum::body::Body::from(Bytes::from_owner(ArcBytes(body))).into_response();
    r.headers_mut().insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    r
}

/// Lets a cached rendering back a response body.
pub struct ArcBytes(pub std::sync::Arc<Vec<u8>>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

async fn find_indicator(app: &AppState, id: i64) -> Result<(std::sync::Arc<PlanView>, usize), AppError> {
    let snap = app.snapshot().await?;
    for p in &snap.plans {
        if let Some(k) = p.indicators.iter().position(|i| i.row.id == id) {
            return Ok((p.clone(), k));
        }
    }
    Err(AppError::not_found(format!("指标 {id} 不存在"), format!("no indicator {id}")))
}

pub async fn indicator(State(app): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    need(&ctx, Action::ReadPlan).lang(ctx.lang)?;
    let (p, k) = find_indicator(&app, id).await.lang(ctx.lang)?;
    Ok(Json(indicator_json(&p.indicators[k], ctx.lang)))
}

pub async fn update_indicator(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let (session, edit) = write_request::<IndicatorEdit>(&ctx, Action::EditIndicator, &body)?;
    app.update_indicator(session, id, &edit, &ctx.ip).await.lang(ctx.lang)?;
    let (p, k) = find_indicator(&app, id).await.lang(ctx.lang)?;
    Ok(Json(indicator_json(&p.indicators[k], ctx.lang)))
}

pub async fn add_indicator(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(plan_id): Path<i64>,
    body: Bytes,
) -> ApiResult<Response> {
    let (session, edit) = write_request::<IndicatorEdit>(&ctx, Action::EditIndicator, &body)?;
    let id = app.add_indicator(session, plan_id, &edit, &ctx.ip).await.lang(ctx.lang)?;
    let (p, k) = find_indicator(&app, id).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(indicator_json(&p.indicators[k], ctx.lang))).into_response())
}

#[derive(Deserialize)]
pub struct OverrideBody {
    /// A status to show instead of the computed one; `null` clears the override.
    pub status: Option<String>,
    #[serde(default)]
    pub reason: String,
}

pub async fn override_status(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let (session, b) = write_request::<OverrideBody>(&ctx, Action::OverrideStatus, &body)?;
    app.override_status(session, id, b.status.as_deref(), &b.reason, &ctx.ip).await.lang(ctx.lang)?;
    let (p, k) = find_indicator(&app, id).await.lang(ctx.lang)?;
    Ok(Json(indicator_json(&p.indicators[k], ctx.lang)))
}

pub async fn observations(State(app): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    find_indicator(&app, id).await.lang(ctx.lang)?;
    let rows = app.observation_history(s, id).await.lang(ctx.lang)?;
    Ok(Json(serde_json::to_value(rows).unwrap_or(Value::Null)))
}

#[derive(Deserialize)]
pub struct ObservationBody {
    pub period: String,
    pub value: f64,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

pub async fn add_observation(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Response> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    // A body that is not even JSON: the permission question cannot depend on it, so answer it first.
    let parsed: Result<ObservationBody, AppError> = parse_json(&body);
    let b = match parsed {
        Ok(b) => b,
        Err(e) => {
            let anywhere = s.can(&Action::AddObservation { region: "" })
                || s.user.city.as_deref().is_some_and(|c| s.can(&Action::AddObservation { region: c }));
            return Err(if anywhere { e } else { AppError::forbidden() }).lang(ctx.lang);
        }
    };
    let obs = app
        .add_observation(s, id, &b.period, b.value, b.region.as_deref(), b.source.as_deref(), &ctx.ip)
        .await
        .lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(json!({ "id": obs, "indicator_id": id, "period": b.period, "value": b.value, "region": b.region.unwrap_or_default() }))).into_response())
}

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
    pub state: Option<String>,
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
        .filter(|(_, r)| q.state.as_deref().is_none_or(|s| r.state == s))
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSettingsBody {
    pub reports_outside_rounds: bool,
}

pub async fn plan_settings(State(app): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    need(&ctx, Action::ReadPlan).lang(ctx.lang)?;
    plan_view(&app, id).await.lang(ctx.lang)?;
    let allow = app.reports_outside_rounds(id).await.lang(ctx.lang)?;
    Ok(Json(json!({ "plan_id": id, "reports_outside_rounds": allow })))
}

pub async fn set_plan_settings(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let (session, b) = write_request::<PlanSettingsBody>(&ctx, Action::ManageRounds, &body)?;
    app.set_reports_outside_rounds(session, id, b.reports_outside_rounds, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(json!({ "plan_id": id, "reports_outside_rounds": b.reports_outside_rounds })))
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

#[derive(Deserialize)]
pub struct CloseBody {
    pub assessment: String,
    #[serde(default)]
    pub successor: Option<i64>,
}

pub async fn close_plan(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let (session, b) = write_request::<CloseBody>(&ctx, Action::ClosePlan, &body)?;
    if let Some(s) = b.successor {
        plan_view(&app, s).await.lang(ctx.lang)?;
    }
    app.close_plan(session, id, &b.assessment, b.successor, &ctx.ip).await.lang(ctx.lang)?;
    let pv = plan_view(&app, id).await.lang(ctx.lang)?;
    Ok(Json(serde_json::to_value(&pv.plan).unwrap_or(Value::Null)))
}

pub async fn users(State(app): State<AppState>, ctx: Ctx) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    let users = app.users(s).await.lang(ctx.lang)?;
    let list: Vec<Value> = users
        .iter()
        .map(|u| {
            let mut v = serde_json::to_value(u).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                m.insert("contact".into(), json!(app.contact_of(u)));
            }
            v
        })
        .collect();
    Ok(Json(Value::Array(list)))
}

#[derive(Deserialize)]
pub struct UserBody {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    pub password: String,
    pub roles: Vec<String>,
    #[serde(default)]
    pub agency: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub uscc: Option<String>,
    /// A phone number or e-mail; stored sealed with SM4.
    #[serde(default)]
    pub contact: Option<String>,
}

pub async fn create_user(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let (session, b) = write_request::<UserBody>(&ctx, Action::ManageUsers, &body)?;
    let input = jiqun_app::usecases::UserInput {
        username: b.username,
        display_name: b.display_name,
        password: b.password,
        roles: b.roles,
        agency: b.agency,
        city: b.city,
        uscc: b.uscc,
    };
    let id = app.create_user(Some(session), &input, &ctx.ip).await.lang(ctx.lang)?;
    if b.contact.is_some() {
        app.set_contact(Some(session), id, b.contact.as_deref(), &ctx.ip).await.lang(ctx.lang)?;
    }
    let u = app.user(session, id).await.lang(ctx.lang)?;
    let mut v = serde_json::to_value(&u).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("contact".into(), json!(app.contact_of(&u)));
    }
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

pub async fn security_policy(State(app): State<AppState>, ctx: Ctx) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    let settings = app.security_policy(s).await.lang(ctx.lang)?;
    Ok(Json(Value::Object(settings.into_iter().map(|(k, v)| (k, Value::String(v))).collect())))
}

#[derive(Deserialize)]
pub struct PolicyBody {
    pub key: String,
    pub value: String,
}

pub async fn set_security_policy(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<Json<Value>> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    if !s.can(&Action::ManageRoles) {
        return Err(AppError::forbidden()).lang(ctx.lang);
    }
    let b: PolicyBody = parse_json(&body).lang(ctx.lang)?;
    app.set_security_policy(s, &b.key, &b.value, &ctx.ip).await.lang(ctx.lang)?;
    let settings = app.security_policy(s).await.lang(ctx.lang)?;
    Ok(Json(Value::Object(settings.into_iter().map(|(k, v)| (k, Value::String(v))).collect())))
}

#[derive(Deserialize)]
pub struct GrantBody {
    pub username: String,
    pub role: String,
}

pub async fn grant_role(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<StatusCode> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    if !s.can(&Action::ManageRoles) {
        return Err(AppError::forbidden()).lang(ctx.lang);
    }
    let b: GrantBody = parse_json(&body).lang(ctx.lang)?;
    app.grant_role(Some(s), &b.username, &b.role, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn changes(State(app): State<AppState>, ctx: Ctx) -> ApiResult<Json<Value>> {
    need(&ctx, Action::ReadPlan).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    let since = s.user.prev_login_at.unwrap_or(0);
    let rows = app.changes_since(since, 200).await.lang(ctx.lang)?;
    Ok(Json(json!({ "since": since, "items": rows.as_slice() })))
}

#[derive(Deserialize)]
pub struct AuditQuery {
    /// Milliseconds since 1970; default: the last 30 days.
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub limit: Option<i64>,
    /// `csv` for a download.
    pub format: Option<String>,
}

/// The audit trail, for the audit administrator only; also as CSV.
pub async fn audit(State(app): State<AppState>, ctx: Ctx, Query(q): Query<AuditQuery>) -> ApiResult<Response> {
    let s = ctx.user().lang(ctx.lang)?;
    let now = jiqun_app::model::now_ms();
    let (from, to) = (q.from.unwrap_or(now - 30 * 86_400_000), q.to.unwrap_or(i64::MAX));
    let rows = app.audit_trail(s, from, to, q.limit.unwrap_or(10_000)).await.lang(ctx.lang)?;
    if q.format.as_deref() == Some("csv") {
        let mut out = String::from("\u{feff}id,at,actor,ip,action,object_type,object_id,success,detail\n");
        for r in &rows {
            let cells = [
                r.id.to_string(),
                r.at.to_string(),
                r.actor.clone(),
                r.ip.clone(),
                r.action.clone(),
                r.object_type.clone(),
                r.object_id.clone(),
                r.success.to_string(),
                r.detail.clone(),
            ];
            out.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
            out.push('\n');
        }
        let mut res = out.into_response();
        res.headers_mut()
            .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("text/csv; charset=utf-8"));
        res.headers_mut().insert(
            axum::http::header::CONTENT_DISPOSITION,
            axum::http::HeaderValue::from_static("attachment; filename=\"audit-log.csv\""),
        );
        return Ok(res);
    }
    Ok(Json(json!({ "items": rows })).into_response())
}

/// A CSV cell: quoted when needed; a leading = + - @ is neutralised so a spreadsheet does not run it.
pub fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

pub async fn openapi() -> Json<Value> {
    Json(crate::routes::openapi())
}

pub async fn not_found(ctx: Ctx) -> ApiError {
    crate::error::ApiError(
        AppError::not_found(format!("没有这个接口：{}", ctx.path), format!("no such endpoint: {}", ctx.path)),
        ctx.lang,
    )
}

use crate::error::ApiError;
