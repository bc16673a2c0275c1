//! Auth: signing in and the caller's own account — log in and out, who am I, change the password, enrol
//! the TOTP second factor. Open to a restricted session (one that must first change its password or enrol).
//!
//! - API: `/api/v1/auth/login`, `/api/v1/auth/logout`, `/api/v1/auth/me`, `/api/v1/auth/password`,
//!   `/api/v1/auth/totp/enroll`, `/api/v1/auth/totp/confirm`
//! - Pages: `/login`, `/logout`, `/account`, `/account/password`, `/account/totp/enroll`, `/account/totp/confirm`

pub mod api;
pub mod pages;

use axum::routing::{get, post};

use crate::routes::{Access, ApiRoute, PageRoute, json};

pub const API: &[ApiRoute] = &[
    ApiRoute {
        method: "post",
        path: "/api/v1/auth/login",
        aliases: &[],
        summary: "Log in; returns a bearer token. 401 on a wrong password, 423 while locked",
        tag: "auth",
        query: &[],
        body: Some("{username, password, totp?}"),
        request: Some(json::<api::LoginBody>),
        ok: 200,
        response: Some(json::<api::LoginToken>),
        access: Access::Public,
        auth: false,
        handler: || post(api::login),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/auth/logout",
        aliases: &[],
        summary: "End the session server-side",
        tag: "auth",
        query: &[],
        body: None,
        request: None,
        ok: 204,
        response: None,
        access: Access::Account,
        auth: true,
        handler: || post(api::logout),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/auth/me",
        aliases: &[],
        summary: "The caller, with any restriction (password change or TOTP enrolment required first)",
        tag: "auth",
        query: &[],
        body: None,
        request: None,
        ok: 200,
        response: Some(json::<api::CurrentUser>),
        access: Access::Account,
        auth: true,
        handler: || get(api::me),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/auth/password",
        aliases: &[],
        summary: "Change the caller's password (not one of the last five)",
        tag: "auth",
        query: &[],
        body: Some("{old_password, new_password}"),
        request: Some(json::<api::PasswordBody>),
        ok: 204,
        response: None,
        access: Access::Account,
        auth: true,
        handler: || post(api::change_password),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/auth/totp/enroll",
        aliases: &[],
        summary: "Start enrolling a TOTP second factor: returns the secret and otpauth URI",
        tag: "auth",
        query: &[],
        body: None,
        request: None,
        ok: 200,
        response: Some(json::<api::TotpEnrolment>),
        access: Access::Account,
        auth: true,
        handler: || post(api::totp_enrol),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/auth/totp/confirm",
        aliases: &[],
        summary: "Confirm the enrolment with a code; TOTP is then required at login",
        tag: "auth",
        query: &[],
        body: Some("{code}"),
        request: Some(json::<api::TotpBody>),
        ok: 204,
        response: None,
        access: Access::Account,
        auth: true,
        handler: || post(api::totp_confirm),
    },
];

pub const PAGES: &[PageRoute] = &[
    PageRoute { method: "get", path: "/login", access: Access::Public, handler: || get(pages::login_page) },
    PageRoute { method: "post", path: "/login", access: Access::Public, handler: || post(pages::login_submit) },
    PageRoute { method: "post", path: "/logout", access: Access::Account, handler: || post(pages::logout) },
    PageRoute { method: "get", path: "/account", access: Access::Account, handler: || get(pages::page) },
    PageRoute {
        method: "post",
        path: "/account/password",
        access: Access::Account,
        handler: || post(pages::change_password),
    },
    PageRoute { method: "post", path: "/account/totp/enroll", access: Access::Account, handler: || post(pages::enrol) },
    PageRoute {
        method: "post",
        path: "/account/totp/confirm",
        access: Access::Account,
        handler: || post(pages::confirm),
    },
];
