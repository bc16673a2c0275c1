//! Plans: the list, one plan's compiled document, importing a document, closing a plan.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::Action;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::{need, plan_view, write_request};

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
