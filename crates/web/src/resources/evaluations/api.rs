//! Per-mu evaluations: the runs, running one, a run's distribution and results, the schemes, and the
//! differentiated resource policy applied to a run.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::AppError;
use serde::Deserialize;
use serde_json::{Value, json};

use super::super::enterprises::api::result_json;
use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::{parse_json, to_json};

pub async fn evaluations(State(app): State<AppState>, ctx: Ctx) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    let runs = app.evaluation_runs(s).await.lang(ctx.lang)?;
    Ok(Json(serde_json::to_value(runs).unwrap_or(Value::Null)))
}

#[derive(Deserialize)]
pub struct RunBody {
    pub year: i64,
    #[serde(default = "default_scheme")]
    pub scheme: String,
}

fn default_scheme() -> String {
    "default".into()
}

pub async fn run_evaluation(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    if !s.can(&jiqun_app::Action::RunEvaluation) {
        return Err(AppError::forbidden()).lang(ctx.lang);
    }
    let b: RunBody = parse_json(&body).lang(ctx.lang)?;
    let id = app.run_evaluation(s, b.year, &b.scheme, &ctx.ip).await.lang(ctx.lang)?;
    let summary = app.evaluation_summary(s, id).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(summary_json(&summary))).into_response())
}

fn summary_json(sm: &jiqun_app::registry::EvaluationSummary) -> Value {
    let classes = jiqun_app::registry::CLASSES;
    json!({
        "id": sm.evaluation.id,
        "year": sm.evaluation.year,
        "scheme": sm.evaluation.scheme_id,
        "scheme_name": sm.evaluation.scheme_name,
        "rated": sm.evaluation.rated,
        "not_rated": sm.evaluation.not_rated,
        "created_at": sm.evaluation.created_at,
        "by_city": sm.by_city.iter().map(|(c, n)| {
            let mut m = serde_json::Map::new();
            m.insert("city".into(), json!(c));
            for (i, k) in classes.iter().enumerate() { m.insert((*k).into(), json!(n[i])); }
            Value::Object(m)
        }).collect::<Vec<_>>(),
        "previous": sm.previous.as_ref().map(|p| p.id),
        "moves": sm.moves.map(|m| {
            let mut out = serde_json::Map::new();
            for (i, from) in classes.iter().enumerate() {
                let mut row = serde_json::Map::new();
                for (j, to) in classes.iter().enumerate() { row.insert((*to).into(), json!(m[i][j])); }
                out.insert((*from).into(), Value::Object(row));
            }
            Value::Object(out)
        }),
    })
}

pub async fn evaluation(State(app): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    let summary = app.evaluation_summary(s, id).await.lang(ctx.lang)?;
    Ok(Json(summary_json(&summary)))
}

#[derive(Deserialize)]
pub struct ResultsQuery {
    pub city: Option<String>,
}

pub async fn evaluation_results(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ResultsQuery>,
) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    let rows = app.evaluation_results(s, id, q.city.as_deref().filter(|c| !c.is_empty())).await.lang(ctx.lang)?;
    let items: Vec<Value> = rows
        .iter()
        .map(|(e, r)| {
            let mut v = result_json(r);
            if let Value::Object(m) = &mut v {
                m.insert("uscc".into(), json!(e.uscc));
                m.insert("name".into(), json!(e.name));
            }
            v
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

pub async fn schemes(State(app): State<AppState>, ctx: Ctx) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    let _ = app.evaluation_runs(s).await.lang(ctx.lang)?;
    let list: Vec<Value> = app
        .schemes()
        .await
        .lang(ctx.lang)?
        .into_iter()
        .map(|s| {
            json!({ "id": s.id, "name": s.name, "builtin": s.builtin, "jurisdiction": s.scheme.jurisdiction,
                    "year": s.scheme.year, "source": s.scheme.source,
                    "definition": serde_json::from_str::<Value>(&s.json).unwrap_or(Value::Null) })
        })
        .collect();
    Ok(Json(Value::Array(list)))
}

/// Adds a jurisdiction's scheme: the body is the scheme file (docs/evaluation.md).
pub async fn put_scheme(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    if !s.can(&jiqun_app::Action::RunEvaluation) {
        return Err(AppError::forbidden()).lang(ctx.lang);
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| AppError::invalid("scheme", "方案文件须为 UTF-8 编码的 JSON", "a scheme file is UTF-8 JSON"))
        .lang(ctx.lang)?;
    let id = app.put_scheme(s, text, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

pub async fn resource_policy(State(app): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    let view = app.resource_policy(s, id).await.lang(ctx.lang)?;
    Ok(Json(to_json(&view)))
}
