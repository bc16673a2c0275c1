//! The cultivation libraries: the list with counts, one library's members and candidates, designating and
//! withdrawing a firm, a ranking's weights, recomputing the indicators the libraries feed, and a firm's
//! libraries and profile figures. Every write checks the caller's permission before it reads the body.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::cultivation::DesignationInput;
use jiqun_app::{Action, AppError};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::{parse_json, to_json};

#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub year: Option<i64>,
}

pub async fn libraries(State(app): State<AppState>, ctx: Ctx, Query(q): Query<YearQuery>) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    let (year, list) = app.libraries(s, q.year).await.lang(ctx.lang)?;
    let backbone = app.backbone_rd(s, year).await.lang(ctx.lang)?;
    Ok(Json(json!({ "year": year, "libraries": list, "backbone_rd": backbone })))
}

pub async fn library(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(name): Path<String>,
    Query(q): Query<YearQuery>,
) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    let view = app.library_view(s, &name, q.year).await.lang(ctx.lang)?;
    Ok(Json(to_json(&view)))
}

fn manager(ctx: &Ctx) -> ApiResult<&jiqun_app::Session> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    if !s.can(&Action::ManageLibraries) {
        return Err(AppError::forbidden()).lang(ctx.lang);
    }
    Ok(s)
}

pub async fn designate(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(name): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let s = manager(&ctx)?;
    let input: DesignationInput = parse_json(&body).lang(ctx.lang)?;
    let id = app.designate(s, &name, &input, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id, "library": name }))).into_response())
}

#[derive(Deserialize)]
pub struct WithdrawBody {
    #[serde(default)]
    pub enterprise_id: Option<i64>,
    #[serde(default)]
    pub uscc: Option<String>,
    #[serde(default)]
    pub chain: Option<String>,
    #[serde(default)]
    pub reason: String,
}

pub async fn withdraw(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(name): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let s = manager(&ctx)?;
    let b: WithdrawBody = parse_json(&body).lang(ctx.lang)?;
    let input = DesignationInput { enterprise_id: b.enterprise_id, uscc: b.uscc, chain: b.chain, reference: b.reason };
    app.withdraw_designation(s, &name, &input, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a ranking library's weights: the body is the `ranking` of a library definition
/// (`{top_n, weights: [{figure, weight, lower_is_better?, log?}], note: {zh, en}}`).
pub async fn set_ranking(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(name): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let s = manager(&ctx)?;
    let b: jiqun_eval::libraries::RankingDef = parse_json(&body).lang(ctx.lang)?;
    app.set_library_ranking(s, &name, b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct RecomputeBody {
    pub year: i64,
}

pub async fn recompute(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<Json<Value>> {
    let s = manager(&ctx)?;
    let b: RecomputeBody = parse_json(&body).lang(ctx.lang)?;
    let updates = app.recompute_library_indicators(s, b.year, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(json!({ "year": b.year, "updates": updates })))
}

pub async fn firm_libraries(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    let v = app.firm_libraries(s, id, q.year).await.lang(ctx.lang)?;
    Ok(Json(to_json(&v)))
}

#[derive(Deserialize)]
pub struct ProfileBody {
    pub year: i64,
    #[serde(default)]
    pub source: String,
    /// metric → value (flags 1 or 0, or true / false).
    pub figures: serde_json::Map<String, Value>,
}

pub async fn put_profile(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Response> {
    let s = manager(&ctx)?;
    let b: ProfileBody = parse_json(&body).lang(ctx.lang)?;
    let mut values = Vec::new();
    for (k, v) in &b.figures {
        let x = match v {
            Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            other => other.as_f64(),
        };
        let Some(x) = x else {
            return Err(AppError::invalid(k, "应为数字（是/否填 1 或 0）", "must be a number (1 or 0 for yes/no)"))
                .lang(ctx.lang);
        };
        values.push((k.clone(), x));
    }
    let ids = app.put_library_profile(s, id, b.year, &values, &b.source, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(json!({ "ids": ids }))).into_response())
}
