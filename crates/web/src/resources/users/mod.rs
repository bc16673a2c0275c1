//! Users and access: the accounts, the roles (definitions and grants), the security policy, the audit trail,
//! and what changed since the caller's previous login.
//!
//! - API: `/api/v1/users`, `/api/v1/roles` (grant), `/api/v1/role-revocations`, `/api/v1/roles/{name}`, `/api/v1/security/policy` (also at its
//!   old path `/api/v1/policy`, an alias), `/api/v1/audit`, `/api/v1/changes`
//! - Pages: `/users`, `/roles`
//!
//! Chosen here: `/api/v1/changes` (tagged "plans" in the OpenAPI document) is the caller's feed from the
//! audit trail since its previous login, so it sits with the audit trail.

pub mod api;
pub mod pages;

use axum::routing::{get, post, put};
use jiqun_app::Perm;

use crate::routes::{Access, ApiRoute, PageRoute, json, list, request};

#[rustfmt::skip]
pub const API: &[ApiRoute] = &[
    ApiRoute::new("get", "/api/v1/users", "users", "Users (administrators)", Access::Perm(Perm::ReadUsers), || get(api::users))
        .ok(200, Some(list::<api::UserView>)),
    ApiRoute::new("post", "/api/v1/users", "users", "Create a user (system administrator)", Access::Perm(Perm::ManageUsers), || post(api::create_user))
        .body("{username, password, roles, display_name?, agency?, city?, uscc?, contact?}", Some(request::<api::UserBody>()))
        .ok(201, Some(json::<api::UserView>)),
    ApiRoute::new("post", "/api/v1/roles", "users", "Grant a role (security administrator); no account may hold two administrator roles", Access::Perm(Perm::ManageRoles), || post(api::grant_role))
        .body("{username, role}", Some(request::<api::GrantRoleBody>()))
        .ok(204, None),
    ApiRoute::new("post", "/api/v1/role-revocations", "users", "Take a role from an account (security administrator); not one's own. Nothing changes if the account does not hold it", Access::Perm(Perm::ManageRoles), || post(api::revoke_role))
        .body("{username, role}", Some(request::<api::GrantRoleBody>()))
        .ok(204, None),
    ApiRoute::new("get", "/api/v1/security/policy", "users", "The security policy settings (security administrator)", Access::Perm(Perm::ManageRoles), || get(api::security_policy))
        .aliases(&["/api/v1/policy"])
        .ok(200, Some(json::<api::SecurityPolicy>)),
    ApiRoute::new("post", "/api/v1/security/policy", "users", "Change a security policy setting within its bounds (security administrator)", Access::Perm(Perm::ManageRoles), || post(api::set_security_policy))
        .aliases(&["/api/v1/policy"])
        .body("{key, value}", Some(request::<api::SecurityPolicyBody>()))
        .ok(200, Some(json::<api::SecurityPolicy>)),
    ApiRoute::new("get", "/api/v1/audit", "audit", "The audit trail (audit administrator only); format=csv for a download", Access::Perm(Perm::ReadAudit), || get(api::audit))
        .query(&[("from", "ms since 1970"), ("to", "ms since 1970"), ("limit", "at most 100000"), ("format", "csv")])
        .ok(200, Some(json::<api::AuditTrail>)),
    ApiRoute::new("get", "/api/v1/changes", "plans", "What changed since the caller's previous login", Access::Perm(Perm::ReadPlan), || get(api::changes))
        .ok(200, Some(json::<api::Changes>)),
    ApiRoute::new("get", "/api/v1/roles", "users", "The role definitions in force (built-in and stored), the permissions and the scopes", Access::Perm(Perm::ReadUsers), || get(api::roles))
        .ok(200, Some(json::<api::RoleTableView>)),
    ApiRoute::new("put", "/api/v1/roles/{name}", "users", "Defines a role or changes a business role's grants (the three administrator roles are fixed)", Access::Perm(Perm::ManageRoles), || put(api::set_role))
        .body("{label_zh, label_en, grants: [{perm, scope}]}", Some(request::<api::RoleBody>()))
        .ok(204, None),
];

pub const PAGES: &[PageRoute] = &[
    PageRoute::new("get", "/roles", Access::Perm(Perm::ReadUsers), || get(pages::roles)),
    PageRoute::new("post", "/roles", Access::Perm(Perm::ManageRoles), || post(pages::set_role)),
    PageRoute::new("get", "/users", Access::Perm(Perm::ReadUsers), || get(pages::list)),
    PageRoute::new("post", "/users", Access::Perm(Perm::ManageUsers), || post(pages::create)),
];
