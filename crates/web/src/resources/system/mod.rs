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

pub const API: &[ApiRoute] = &[
    ApiRoute {
        method: "get",
        path: "/healthz",
        aliases: &[],
        summary: "200 when the database answers",
        tag: "system",
        query: &[],
        body: None,
        request: None,
        ok: 200,
        response: Some(json::<api::Health>),
        access: Access::Public,
        auth: false,
        handler: || get(api::healthz),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/openapi.json",
        aliases: &[],
        summary: "This document",
        tag: "system",
        query: &[],
        body: None,
        request: None,
        ok: 200,
        response: Some(json::<api::OpenApiDocument>),
        access: Access::Public,
        auth: false,
        handler: || get(api::openapi),
    },
];

pub const PAGES: &[PageRoute] = &[
    PageRoute {
        method: "get",
        path: "/assets/app.css",
        access: Access::Public,
        handler: || get(|| async { asset(CSS, "text/css; charset=utf-8") }),
    },
    PageRoute {
        method: "get",
        path: "/assets/app.js",
        access: Access::Public,
        handler: || get(|| async { asset(JS, "text/javascript; charset=utf-8") }),
    },
];
