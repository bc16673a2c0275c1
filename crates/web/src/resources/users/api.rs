//! Users and access: accounts, role definitions and grants, the security policy, the audit trail, and what
//! changed since the caller's previous login.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::{Action, AppError, Perm, RoleDef, Scope};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ctx::{AppState, Ctx};
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::{need, parse_json, write_request};

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
    let input = jiqun_app::users::UserInput {
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

#[derive(Deserialize)]
pub struct GrantRoleBody {
    pub username: String,
    pub role: String,
}

pub async fn grant_role(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult<StatusCode> {
    ctx.require_csrf(None).lang(ctx.lang)?;
    let s = ctx.user().lang(ctx.lang)?;
    if !s.can(&Action::ManageRoles) {
        return Err(AppError::forbidden()).lang(ctx.lang);
    }
    let b: GrantRoleBody = parse_json(&body).lang(ctx.lang)?;
    app.grant_role(Some(s), &b.username, &b.role, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
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
