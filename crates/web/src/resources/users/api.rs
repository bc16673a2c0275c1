//! Users and access: accounts, role definitions and grants, the security policy, the audit trail, and what
//! changed since the caller's previous login.

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::model::{AuditRow, UserRow};
use jiqun_app::{Action, AppError, Perm, RoleDef, Scope};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};
use crate::extract::Path;
use crate::kit::api::write_request;
use crate::kit::api::{api_record, opt_text};

api_record! {
    /// An account, as the administrators see it (never its password hash or TOTP secret).
    #[derive(Serialize, utoipa::ToSchema)]
    pub struct UserView from UserRow {
        pub id: i64,
        pub username: String,
        pub display_name: String,
        /// The names of the roles held.
        pub roles: Vec<String>,
        /// The department the user works for.
        pub agency: Option<String> => opt_text,
        /// The city the user works for.
        pub city: Option<String> => opt_text,
        /// The enterprise's unified social credit code, for an enterprise account.
        pub uscc: Option<String>,
        /// The password must be changed at the next login.
        pub must_change_password: bool,
        pub disabled: bool,
        /// Consecutive failed logins.
        pub failed_logins: i64,
        /// Locked until then, ms since 1970.
        pub locked_until: Option<i64>,
        /// ms since 1970.
        pub last_login_at: Option<i64>,
        /// The login before the last, ms since 1970.
        pub prev_login_at: Option<i64>,
        /// ms since 1970.
        pub created_at: i64,
        /// A TOTP second factor is enrolled and asked for at login.
        pub totp_enabled: bool,
        /// ms since 1970.
        pub password_changed_at: Option<i64>,
    }
    with {
        /// A phone number or e-mail (stored sealed with SM4).
        pub contact: Option<String>,
    }
}

pub async fn users(ctx: Ctx) -> ApiResult<Json<Vec<UserView>>> {
    let s = ctx.api_user()?;
    let users = ctx.app.users(s).await.lang(ctx.lang)?;
    Ok(Json(users.iter().map(|u| UserView::new(u, ctx.app.contact_of(u))).collect()))
}

/// A new account.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct UserBody {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    /// The initial password; under the production policy it must be changed at the first login.
    pub password: String,
    /// The names of the roles to grant.
    pub roles: Vec<String>,
    /// The department the user works for.
    #[serde(default)]
    pub agency: Option<String>,
    /// The city the user works for.
    #[serde(default)]
    pub city: Option<String>,
    /// The enterprise's unified social credit code, for an enterprise account.
    #[serde(default)]
    pub uscc: Option<String>,
    /// A phone number or e-mail; stored sealed with SM4.
    #[serde(default)]
    pub contact: Option<String>,
}

pub async fn create_user(ctx: Ctx, body: Bytes) -> ApiResult<Response> {
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
    let id = ctx.app.create_user(Some(session), &input, &ctx.ip).await.lang(ctx.lang)?;
    if b.contact.is_some() {
        ctx.app.set_contact(Some(session), id, b.contact.as_deref(), &ctx.ip).await.lang(ctx.lang)?;
    }
    let u = ctx.app.user(session, id).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(UserView::new(&u, ctx.app.contact_of(&u)))).into_response())
}

/// A role to grant to an account, or to take from it.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct GrantRoleBody {
    pub username: String,
    /// The role's name.
    pub role: String,
}

pub async fn grant_role(ctx: Ctx, body: Bytes) -> ApiResult<StatusCode> {
    let s = ctx.api_writer_for(&Action::ManageRoles)?;
    let b: GrantRoleBody = ctx.json(&body)?;
    ctx.app.grant_role(Some(s), &b.username, &b.role, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn revoke_role(ctx: Ctx, body: Bytes) -> ApiResult<StatusCode> {
    let s = ctx.api_writer_for(&Action::ManageRoles)?;
    let b: GrantRoleBody = ctx.json(&body)?;
    ctx.app.revoke_role(Some(s), &b.username, &b.role, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The security policy's settings, by key (`lockout_failures`, `idle_minutes`, `totp_required_roles`, …),
/// each as a string.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SecurityPolicy(pub BTreeMap<String, String>);

pub async fn security_policy(ctx: Ctx) -> ApiResult<Json<SecurityPolicy>> {
    let s = ctx.api_user()?;
    let settings = ctx.app.security_policy(s).await.lang(ctx.lang)?;
    Ok(Json(SecurityPolicy(settings.into_iter().collect())))
}

/// A change to one security policy setting.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct SecurityPolicyBody {
    /// The setting's key.
    pub key: String,
    /// Its new value, within the setting's bounds.
    pub value: String,
}

pub async fn set_security_policy(ctx: Ctx, body: Bytes) -> ApiResult<Json<SecurityPolicy>> {
    let s = ctx.api_writer_for(&Action::ManageRoles)?;
    let b: SecurityPolicyBody = ctx.json(&body)?;
    ctx.app.set_security_policy(s, &b.key, &b.value, &ctx.ip).await.lang(ctx.lang)?;
    let settings = ctx.app.security_policy(s).await.lang(ctx.lang)?;
    Ok(Json(SecurityPolicy(settings.into_iter().collect())))
}

api_record! {
    /// One entry of the audit trail: who did what to which object, from where, and whether it succeeded.
    #[derive(Serialize, utoipa::ToSchema)]
    pub struct AuditEntry from AuditRow {
        pub id: i64,
        /// When, ms since 1970.
        pub at: i64,
        /// The actor's username (or `system`).
        pub actor: String,
        /// The actor's account id; null for the system or an unknown user.
        pub actor_id: Option<i64>,
        pub ip: String,
        /// What was done (`login`, `create_user`, `import_plan`, …).
        pub action: String,
        pub object_type: String,
        pub object_id: String,
        pub success: bool,
        pub detail: String,
    }
}

/// What changed since the caller's previous login, from the audit trail (at most 200 entries).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Changes {
    /// The caller's previous login, ms since 1970; 0 at the first.
    pub since: i64,
    pub items: Vec<AuditEntry>,
}

/// The audit trail between two times.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditTrail {
    pub items: Vec<AuditEntry>,
}

pub async fn changes(ctx: Ctx) -> ApiResult<Json<Changes>> {
    ctx.api_user_for(&Action::ReadPlan)?;
    let s = ctx.api_user()?;
    let since = s.user.prev_login_at.unwrap_or(0);
    let rows = ctx.app.changes_since(since, 200).await.lang(ctx.lang)?;
    Ok(Json(Changes { since, items: rows.iter().map(AuditEntry::new).collect() }))
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
pub async fn audit(ctx: Ctx) -> ApiResult<Response> {
    // Permission before validation (contracts §3): the query is read only for a caller who may read the trail.
    let s = ctx.api_user_for(&Action::ReadAudit)?;
    let q: AuditQuery = crate::extract::query(&ctx.query).lang(ctx.lang)?;
    let now = jiqun_app::model::now_ms();
    let (from, to) = (q.from.unwrap_or(now - 30 * 86_400_000), q.to.unwrap_or(i64::MAX));
    let rows = ctx.app.audit_trail(s, from, to, q.limit.unwrap_or(10_000)).await.lang(ctx.lang)?;
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
    Ok(Json(AuditTrail { items: rows.iter().map(AuditEntry::new).collect() }).into_response())
}

/// A CSV cell: quoted when needed; a leading = + - @ is neutralised so a spreadsheet does not run it.
pub fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// The role definitions in force, and the permissions and scopes a grant can name.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RoleTableView {
    /// The built-in roles and those defined here.
    pub roles: Vec<RoleView>,
    pub permissions: Vec<RolePermission>,
    pub scopes: Vec<RoleScope>,
}

/// A role: its labels and what it grants.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RoleView {
    pub name: String,
    pub label_zh: String,
    pub label_en: String,
    /// One of the roles the system comes with.
    pub builtin: bool,
    /// One of the three administrator roles, whose grants cannot be changed.
    pub fixed: bool,
    pub grants: Vec<RoleGrant>,
}

/// A permission, and where it applies.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RoleGrant {
    pub perm: Perm,
    pub scope: Scope,
}

/// A permission a grant can name.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RolePermission {
    pub perm: Perm,
    /// In the caller's language.
    pub label: String,
    /// The administrator role that alone may hold it (`system_admin`, `security_admin`, `audit_admin`);
    /// null when any role may.
    pub reserved_to: Option<String>,
}

/// A scope a grant can name.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RoleScope {
    pub scope: Scope,
    /// In the caller's language.
    pub label: String,
}

pub async fn roles(ctx: Ctx) -> ApiResult<Json<RoleTableView>> {
    let s = ctx.api_user()?;
    let table = ctx.app.roles(s).await.lang(ctx.lang)?;
    let roles = table
        .roles
        .iter()
        .map(|r| RoleView {
            name: r.name.clone(),
            label_zh: r.label_zh.clone(),
            label_en: r.label_en.clone(),
            builtin: r.builtin,
            fixed: r.fixed(),
            grants: r.grants.iter().map(|g| RoleGrant { perm: g.perm, scope: g.scope }).collect(),
        })
        .collect();
    let permissions = Perm::ALL
        .iter()
        .map(|p| RolePermission {
            perm: *p,
            label: p.label(ctx.lang).to_string(),
            reserved_to: p.reserved_to().map(str::to_string),
        })
        .collect();
    let scopes = Scope::ALL.iter().map(|s| RoleScope { scope: *s, label: s.label(ctx.lang).to_string() }).collect();
    Ok(Json(RoleTableView { roles, permissions, scopes }))
}

/// A role's definition: its labels and its grants, replacing those it had.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct RoleBody {
    /// The label in Chinese.
    pub label_zh: String,
    /// The label in English.
    pub label_en: String,
    pub grants: Vec<RoleGrantBody>,
}

/// A grant in a role's definition, by the strings of the permission and the scope.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct RoleGrantBody {
    /// A permission (see `GET /api/v1/roles`).
    pub perm: String,
    /// A scope (see `GET /api/v1/roles`).
    pub scope: String,
}

pub async fn set_role(ctx: Ctx, Path(name): Path<String>, body: Bytes) -> ApiResult<StatusCode> {
    let s = ctx.api_writer_for(&jiqun_app::Action::ManageRoles)?;
    let b: RoleBody = ctx.json(&body)?;
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
    let def = RoleDef {
        name,
        label_zh: b.label_zh,
        label_en: b.label_en,
        grants,
        builtin: false,
        perms_version: jiqun_app::authz::PERMS_VERSION,
    };
    ctx.app.set_role(s, &def, &ctx.ip).await.lang(ctx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}
