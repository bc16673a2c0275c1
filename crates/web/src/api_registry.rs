//! The API of the enterprise registry, the per-mu evaluations and the role definitions.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::model::{EnterpriseFilter, EnterpriseRow};
use jiqun_app::registry::{EnterpriseInput, EnterpriseView, ResultView};
use jiqun_app::{AppError, Perm, RoleDef, Scope};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::parse_json;
use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};

fn post_prelude<'c, T: serde::de::DeserializeOwned>(
    ctx: &'c Ctx,
    body: &[u8],
) -> ApiResult<(&'c jiqun_app::Session, T)> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    let parsed = parse_json(body).lang(ctx.lang)?;
    Ok((s, parsed))
}

pub async fn roles(State(app): State<AppState>, ctx: Ctx) -> ApiResult<Json<Value>> {
    let s = ctx.user().lang(ctx.lang)?;
    let table = app.roles(s).await.lang(ctx.lang)?;
    let roles: Vec<Value> = table
        .roles
        .iter()
        .map(|r| {
            json!({
                "name": r.name, "label_zh": r.label_zh, "label_en": r.label_en, "builtin": r.builtin, "fixed": r.fixed(),
                "grants": r.grants.iter().map(|g| json!({ "perm": g.perm.as_str(), "scope": g.scope.as_str() })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let perms: Vec<Value> = Perm::ALL
        .iter()
        .map(|p| json!({ "perm": p.as_str(), "label": p.label(ctx.lang), "reserved_to": p.reserved_to() }))
        .collect();
    let scopes: Vec<Value> =
        Scope::ALL.iter().map(|s| json!({ "scope": s.as_str(), "label": s.label(ctx.lang) })).collect();
    Ok(Json(json!({ "roles": roles, "permissions": perms, "scopes": scopes })))
}

#[derive(Deserialize)]
pub struct RoleBody {
    pub label_zh: String,
    pub label_en: String,
    pub grants: Vec<GrantBody>,
}

#[derive(Deserialize)]
pub struct GrantBody {
    pub perm: String,
    pub scope: String,
}

pub async fn set_role(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(name): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    if !s.can(&jiqun_app::Action::ManageRoles) {
        return Err(AppError::forbidden()).lang(ctx.lang);
    }
    let b: RoleBody = parse_json(&body).lang(ctx.lang)?;
    let mut grants = Vec::new();
    for (i, g) in b.grants.iter().enumerate() {
        let perm = Perm::parse(&g.perm).ok_or_else(|| {
            AppError::invalid(
                &format!("grants[{i}].perm"),
                format!("未知权限“{}”", g.perm),
                format!("unknown permission “{}”", g.perm),
            )
        });
        let scope = Scope::parse(&g.scope).ok_or_else(|| {
            AppError::invalid(
                &format!("grants[{i}].scope"),
                format!("未知范围“{}”", g.scope),
                format!("unknown scope “{}”", g.scope),
            )
        });
        grants.push(jiqun_app::authz::Grant { perm: perm.lang(ctx.lang)?, scope: scope.lang(ctx.lang)? });
    }
    let def = RoleDef { name, label_zh: b.label_zh, label_en: b.label_en, grants, builtin: false };
    app.set_role(s, &def, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
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

fn result_json(r: &ResultView) -> Value {
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
