//! Indicators: the list with computed progress, one indicator, editing, adding one the document lacks,
//! overriding the computed status, and the observations (values by period and region).

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::snapshot::PlanView;
use jiqun_app::{Action, AppError};
use serde::Deserialize;

pub use super::types::*;

use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::{json_bytes, parse_json, write_request};

#[derive(Deserialize)]
pub struct PlanQuery {
    pub plan: Option<i64>,
}

pub async fn indicators(ctx: Ctx, Query(q): Query<PlanQuery>) -> ApiResult<Response> {
    ctx.api_user_for(&Action::ReadPlan)?;
    let snap = ctx.app.snapshot().await.lang(ctx.lang)?;
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
    let body = ctx.app.rendered(&key, snap.data_stamp(), || {
        let list: Vec<IndicatorSummary> =
            plans.iter().flat_map(|p| p.indicators.iter().map(|i| IndicatorSummary::new(i, ctx.lang))).collect();
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

pub async fn indicator(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<IndicatorSummary>> {
    ctx.api_user_for(&Action::ReadPlan)?;
    let (p, k) = find_indicator(&ctx.app, id).await.lang(ctx.lang)?;
    Ok(Json(IndicatorSummary::new(&p.indicators[k], ctx.lang)))
}

pub async fn update_indicator(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<IndicatorSummary>> {
    let (session, b) = write_request::<IndicatorBody>(&ctx, Action::EditIndicator, &body)?;
    ctx.app.update_indicator(session, id, &b.into(), &ctx.ip).await.lang(ctx.lang)?;
    let (p, k) = find_indicator(&ctx.app, id).await.lang(ctx.lang)?;
    Ok(Json(IndicatorSummary::new(&p.indicators[k], ctx.lang)))
}

pub async fn add_indicator(ctx: Ctx, Path(plan_id): Path<i64>, body: Bytes) -> ApiResult<Response> {
    let (session, b) = write_request::<IndicatorBody>(&ctx, Action::EditIndicator, &body)?;
    let id = ctx.app.add_indicator(session, plan_id, &b.into(), &ctx.ip).await.lang(ctx.lang)?;
    let (p, k) = find_indicator(&ctx.app, id).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(IndicatorSummary::new(&p.indicators[k], ctx.lang))).into_response())
}

pub async fn override_status(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<IndicatorSummary>> {
    let (session, b) = write_request::<IndicatorOverrideBody>(&ctx, Action::OverrideStatus, &body)?;
    ctx.app.override_status(session, id, b.status.as_deref(), &b.reason, &ctx.ip).await.lang(ctx.lang)?;
    let (p, k) = find_indicator(&ctx.app, id).await.lang(ctx.lang)?;
    Ok(Json(IndicatorSummary::new(&p.indicators[k], ctx.lang)))
}

/// A page of a list: where it starts and how long it is (neither given: the whole list).
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

pub async fn observations(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<IndicatorObservations>> {
    let s = ctx.api_user()?;
    find_indicator(&ctx.app, id).await.lang(ctx.lang)?;
    if q.offset.is_none() && q.limit.is_none() {
        let rows = ctx.app.observation_history(s, id).await.lang(ctx.lang)?;
        return Ok(Json(IndicatorObservations::All(rows.iter().map(IndicatorObservation::new).collect())));
    }
    let offset = q.offset.unwrap_or(0);
    let (rows, total) = ctx.app.observation_history_page(s, id, offset, q.limit.unwrap_or(100)).await.lang(ctx.lang)?;
    let items = rows.iter().map(IndicatorObservation::new).collect();
    Ok(Json(IndicatorObservations::Page(IndicatorObservationPage { items, total, offset })))
}

pub async fn add_observation(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    // A body that is not even JSON: the permission question cannot depend on it, so answer it first.
    let parsed: Result<IndicatorObservationBody, AppError> = parse_json(&body);
    let b = match parsed {
        Ok(b) => b,
        Err(e) => {
            let anywhere = s.can(&Action::AddObservation { region: "" })
                || s.user.city.as_deref().is_some_and(|c| s.can(&Action::AddObservation { region: c }));
            return Err(if anywhere { e } else { AppError::forbidden() }).lang(ctx.lang);
        }
    };
    let obs = ctx
        .app
        .add_observation(s, id, &b.period, b.value, b.region.as_deref(), b.source.as_deref(), &ctx.ip)
        .await
        .lang(ctx.lang)?;
    let recorded = IndicatorObservationRecorded {
        id: obs,
        indicator_id: id,
        period: b.period,
        value: b.value,
        region: b.region.unwrap_or_default(),
    };
    Ok((StatusCode::CREATED, Json(recorded)).into_response())
}
