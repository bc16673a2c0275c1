//! System: what the server answers for itself rather than for a resource of the plan.
//!
//! - API: `GET /healthz` (the database answers), `GET /api/v1/openapi.json` (generated from every resource's
//!   `API` table by `crate::openapi`); any other path under `/api/v1` gets the JSON 404 `api::not_found`.
//! - Pages: `GET /assets/app.css`, `GET /assets/app.js` (the files are `crates/web/assets/`, served by
//!   `crate::kit::assets`).

pub mod api;

use axum::routing::get;

use crate::kit::assets::{CSS, JS, asset};
use crate::routes::{Access, ApiRoute, PageRoute, json};

#[rustfmt::skip]
pub const API: &[ApiRoute] = &[
    ApiRoute::new("get", "/healthz", "system", "200 when the database answers", Access::Public, || get(api::healthz))
        .ok(200, Some(json::<api::Health>))
        .public(),
    ApiRoute::new("get", "/api/v1/openapi.json", "system", "This document", Access::Public, || get(api::openapi))
        .ok(200, Some(json::<api::OpenApiDocument>))
        .public(),
];

pub const PAGES: &[PageRoute] = &[
    PageRoute::new("get", "/assets/app.css", Access::Public, || {
        get(|| async { asset(CSS, "text/css; charset=utf-8") })
    }),
    PageRoute::new("get", "/assets/app.js", Access::Public, || {
        get(|| async { asset(JS, "text/javascript; charset=utf-8") })
    }),
];
