//! Users and access: the accounts, the roles (definitions and grants), the security policy, the audit trail,
//! and what changed since the caller's previous login.
//!
//! - API: `/api/v1/users`, `/api/v1/roles`, `/api/v1/roles/{name}`, `/api/v1/security/policy` (also at its
//!   old path `/api/v1/policy`, an alias), `/api/v1/audit`, `/api/v1/changes`
//! - Pages: `/users`, `/roles`
//!
//! Chosen here: `/api/v1/changes` (tagged "plans" in the OpenAPI document) is the caller's feed from the
//! audit trail since its previous login, so it sits with the audit trail.

pub mod api;
pub mod pages;

use axum::routing::{get, post, put};
use jiqun_app::Perm;

use crate::routes::{Access, ApiRoute, PageRoute};

pub const API: &[ApiRoute] = &[
    ApiRoute {
        method: "get",
        path: "/api/v1/users",
        aliases: &[],
        summary: "Users (administrators)",
        tag: "users",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadUsers),
        auth: true,
        handler: || get(api::users),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/users",
        aliases: &[],
        summary: "Create a user (system administrator)",
        tag: "users",
        query: &[],
        body: Some("{username, password, roles, display_name?, agency?, city?, uscc?, contact?}"),
        ok: 201,
        access: Access::Perm(Perm::ManageUsers),
        auth: true,
        handler: || post(api::create_user),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/roles",
        aliases: &[],
        summary: "Grant a role (security administrator); no account may hold two administrator roles",
        tag: "users",
        query: &[],
        body: Some("{username, role}"),
        ok: 204,
        access: Access::Perm(Perm::ManageRoles),
        auth: true,
        handler: || post(api::grant_role),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/security/policy",
        aliases: &["/api/v1/policy"],
        summary: "The security policy settings (security administrator)",
        tag: "users",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ManageRoles),
        auth: true,
        handler: || get(api::security_policy),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/security/policy",
        aliases: &["/api/v1/policy"],
        summary: "Change a security policy setting within its bounds (security administrator)",
        tag: "users",
        query: &[],
        body: Some("{key, value}"),
        ok: 200,
        access: Access::Perm(Perm::ManageRoles),
        auth: true,
        handler: || post(api::set_security_policy),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/audit",
        aliases: &[],
        summary: "The audit trail (audit administrator only); format=csv for a download",
        tag: "audit",
        query: &[("from", "ms since 1970"), ("to", "ms since 1970"), ("limit", "at most 100000"), ("format", "csv")],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadAudit),
        auth: true,
        handler: || get(api::audit),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/changes",
        aliases: &[],
        summary: "What changed since the caller's previous login",
        tag: "plans",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::changes),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/roles",
        aliases: &[],
        summary: "The role definitions in force (built-in and stored), the permissions and the scopes",
        tag: "users",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadUsers),
        auth: true,
        handler: || get(api::roles),
    },
    ApiRoute {
        method: "put",
        path: "/api/v1/roles/{name}",
        aliases: &[],
        summary: "Defines a role or changes a business role's grants (the three administrator roles are fixed)",
        tag: "users",
        query: &[],
        body: Some("{label_zh, label_en, grants: [{perm, scope}]}"),
        ok: 204,
        access: Access::Perm(Perm::ManageRoles),
        auth: true,
        handler: || put(api::set_role),
    },
];

pub const PAGES: &[PageRoute] = &[
    PageRoute { method: "get", path: "/roles", access: Access::Perm(Perm::ReadUsers), handler: || get(pages::roles) },
    PageRoute {
        method: "post",
        path: "/roles",
        access: Access::Perm(Perm::ManageRoles),
        handler: || post(pages::set_role),
    },
    PageRoute { method: "get", path: "/users", access: Access::Perm(Perm::ReadUsers), handler: || get(pages::list) },
    PageRoute {
        method: "post",
        path: "/users",
        access: Access::Perm(Perm::ManageUsers),
        handler: || post(pages::create),
    },
];
