//! Indicators: the list with computed progress, one indicator, editing, adding one the document lacks,
//! overriding the computed status, and the observations (values by period and region).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::model::IndicatorEdit;
use jiqun_app::snapshot::{IndicatorView, PlanView};
use jiqun_app::{Action, AppError};
use jiqun_eval::progress::Point;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::{json_bytes, need, parse_json, write_request};

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
