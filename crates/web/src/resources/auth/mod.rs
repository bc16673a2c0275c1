//! Auth: signing in and the caller's own account — log in and out, who am I, change the password, enrol
//! the TOTP second factor. Open to a restricted session (one that must first change its password or enrol).
//!
//! - API: `/api/v1/auth/login`, `/api/v1/auth/logout`, `/api/v1/auth/me`, `/api/v1/auth/password`,
//!   `/api/v1/auth/totp/enroll`, `/api/v1/auth/totp/confirm`
//! - Pages: `/login`, `/logout`, `/account`, `/account/password`, `/account/totp/enroll`, `/account/totp/confirm`

pub mod api;
pub mod pages;

use axum::routing::{get, post};

use crate::routes::{Access, ApiRoute, PageRoute, json, request};

#[rustfmt::skip]
pub const API: &[ApiRoute] = &[
    ApiRoute::new("post", "/api/v1/auth/login", "auth", "Log in; returns a bearer token. 401 on a wrong password, 423 while locked", Access::Public, || post(api::login))
        .body("{username, password, totp?}", Some(request::<api::LoginBody>()))
        .ok(200, Some(json::<api::LoginToken>))
        .public(),
    ApiRoute::new("post", "/api/v1/auth/logout", "auth", "End the session server-side", Access::Account, || post(api::logout))
        .ok(204, None),
    ApiRoute::new("get", "/api/v1/auth/me", "auth", "The caller, with any restriction (password change or TOTP enrolment required first)", Access::Account, || get(api::me))
        .ok(200, Some(json::<api::CurrentUser>)),
    ApiRoute::new("post", "/api/v1/auth/password", "auth", "Change the caller's password (not one of the last five)", Access::Account, || post(api::change_password))
        .body("{old_password, new_password}", Some(request::<api::PasswordBody>()))
        .ok(204, None),
    ApiRoute::new("post", "/api/v1/auth/totp/enroll", "auth", "Start enrolling a TOTP second factor: returns the secret and otpauth URI", Access::Account, || post(api::totp_enrol))
        .ok(200, Some(json::<api::TotpEnrolment>)),
    ApiRoute::new("post", "/api/v1/auth/totp/confirm", "auth", "Confirm the enrolment with a code; TOTP is then required at login", Access::Account, || post(api::totp_confirm))
        .body("{code}", Some(request::<api::TotpBody>()))
        .ok(204, None),
];

pub const PAGES: &[PageRoute] = &[
    PageRoute::new("get", "/login", Access::Public, || get(pages::login_page)),
    PageRoute::new("post", "/login", Access::Public, || post(pages::login_submit)),
    PageRoute::new("post", "/logout", Access::Account, || post(pages::logout)),
    PageRoute::new("get", "/account", Access::Account, || get(pages::page)),
    PageRoute::new("post", "/account/password", Access::Account, || post(pages::change_password)),
    PageRoute::new("post", "/account/totp/enroll", Access::Account, || post(pages::enrol)),
    PageRoute::new("post", "/account/totp/confirm", Access::Account, || post(pages::confirm)),
];
