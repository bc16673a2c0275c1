//! The enterprise registry: the directory, registering a firm, one firm with its figures and evaluation
//! results, entering figures, their history, assigning an expert, and the CSV import.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::AppError;
use jiqun_app::model::{EnterpriseFilter, EnterpriseRow};
use jiqun_app::registry::{EnterpriseInput, EnterpriseView, ResultView};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::parse_json;

fn post_prelude<'c, T: serde::de::DeserializeOwned>(
    ctx: &'c Ctx,
    body: &[u8],
) -> ApiResult<(&'c jiqun_app::Session, T)> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    let parsed = parse_json(body).lang(ctx.lang)?;
    Ok((s, parsed))
}

#[derive(Deserialize, Default)]
pub struct EnterprisesQuery {
    pub city: Option<String>,
    pub scale: Option<String>,
    pub q: Option<String>,
    pub tag: Option<String>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

pub fn enterprise_json(e: &EnterpriseRow) -> Value {
    serde_json::to_value(e).unwrap_or(Value::Null)
}

pub async fn enterprises(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<EnterprisesQuery>,
) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    let filter = EnterpriseFilter {
        city: q.city.filter(|c| !c.is_empty()),
        scale: q.scale.filter(|c| !c.is_empty()),
        q: q.q,
        tag: q.tag,
        ids: None,
    };
    let offset = q.offset.unwrap_or(0);
    let limit = q.limit.unwrap_or(100);
    let (rows, total) = app.enterprises(s, filter, offset, limit).await.lang(ctx.lang)?;
    Ok(Json(json!({ "items": rows.iter().map(enterprise_json).collect::<Vec<_>>(), "total": total, "offset": offset })))
}

pub async fn create_enterprise(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let (s, input): (_, EnterpriseInput) = post_prelude(&ctx, &body)?;
    let id = app.register_enterprise(s, &input, &ctx.ip).await.lang(ctx.lang)?;
    let view = app.enterprise_view(s, id).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(view_json(&view, ctx.lang))).into_response())
}

pub fn result_json(r: &ResultView) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

pub fn view_json(v: &EnterpriseView, lang: jiqun_domain::Lang) -> Value {
    let mut out = enterprise_json(&v.row);
    if let Value::Object(m) = &mut out {
        m.insert(
            "figures".into(),
            match &v.figures {
                Some(f) => serde_json::to_value(f).unwrap_or(Value::Null),
                None => Value::Null,
            },
        );
        m.insert(
            "evaluations".into(),
            Value::Array(
                v.results
                    .iter()
                    .map(|(run, r)| {
                        let mut x = result_json(r);
                        if let Value::Object(xm) = &mut x {
                            xm.insert("year".into(), json!(run.year));
                            xm.insert("scheme".into(), json!(run.scheme_id));
                        }
                        x
                    })
                    .collect(),
            ),
        );
        m.insert("experts".into(), json!(v.experts));
        m.insert("may_edit".into(), json!(v.may_edit));
        m.insert("contact".into(), json!(v.contact));
        m.insert("figures_visible".into(), json!(v.figures.is_some()));
        let _ = lang;
    }
    out
}

pub async fn enterprise(State(app): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    let view = app.enterprise_view(s, id).await.lang(ctx.lang)?;
    Ok(Json(view_json(&view, ctx.lang)))
}

#[derive(Deserialize)]
pub struct FiguresBody {
    pub year: i64,
    #[serde(default)]
    pub source: String,
    /// metric → value.
    pub figures: serde_json::Map<String, Value>,
}

pub async fn put_figures(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Response> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    // Permission before validation: the use case checks it first, on the stored firm; a body that does
    // not parse is reported only to a caller who may write.
    app.may_edit_enterprise(s, id).await.lang(ctx.lang)?;
    let b: FiguresBody = parse_json(&body).lang(ctx.lang)?;
    let mut values = Vec::new();
    for (k, v) in &b.figures {
        let Some(x) = v.as_f64() else {
            return Err(AppError::invalid(k, "应为数字", "must be a number")).lang(ctx.lang);
        };
        values.push((k.clone(), x));
    }
    let ids = app.put_figures(s, id, b.year, &values, &b.source, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(json!({ "ids": ids })).into_response()).into_response())
}

#[derive(Deserialize)]
pub struct HistoryQuery {
    pub year: Option<i64>,
    pub metric: Option<String>,
}

pub async fn figure_history(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<HistoryQuery>,
) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    let (year, metric) = (q.year.unwrap_or(0), q.metric.as_deref().unwrap_or(""));
    let rows = app.figure_history(s, id, year, metric).await.lang(ctx.lang)?;
    Ok(Json(serde_json::to_value(rows).unwrap_or(Value::Null)))
}

#[derive(Deserialize)]
pub struct ExpertBody {
    pub username: String,
}

pub async fn assign_expert(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    if !s.can(&jiqun_app::Action::AssignExperts) {
        return Err(AppError::forbidden()).lang(ctx.lang);
    }
    let b: ExpertBody = parse_json(&body).lang(ctx.lang)?;
    app.assign_expert(s, id, &b.username, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct ImportQuery {
    pub name: Option<String>,
}

pub async fn import(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> ApiResult<Response> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    let name = q.name.unwrap_or_else(|| "api".into());
    let out = app.import_enterprises(s, &body, &name, &ctx.ip).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(out).unwrap_or(Value::Null))).into_response())
}
