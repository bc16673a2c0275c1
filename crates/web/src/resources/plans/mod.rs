//! Plans: the action-plan documents, imported and compiled (sections, items, responsibilities, indicators);
//! listing, reading, importing and closing them.
//!
//! - API: `/api/v1/plans`, `/api/v1/plans/{id}`, `/api/v1/plans/{id}/close`
//! - Pages: `/plan` (the current plan), `/plans`, `/plans/import`, `/plans/{id}`, `/plans/{id}/close`
//!
//! Under `/plans/{id}/` but elsewhere, by what they do: adding an indicator (`/plans/{id}/indicators`) is in
//! `indicators`; the reporting rounds and supervision settings (`/plans/{id}/rounds`, `/plans/{id}/settings`)
//! are in `supervision`.

pub mod api;
pub mod pages;

use axum::routing::{get, post};
use jiqun_app::Perm;

use crate::routes::{Access, ApiRoute, PageRoute, json, list};

pub const API: &[ApiRoute] = &[
    ApiRoute {
        method: "get",
        path: "/api/v1/plans",
        aliases: &[],
        summary: "Plans",
        tag: "plans",
        query: &[],
        body: None,
        request: None,
        ok: 200,
        response: Some(list::<api::PlanSummary>),
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::plans),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/plans",
        aliases: &[],
        summary: "Import a plan: the document (.txt UTF-8/GBK, .docx, .html) is the body",
        tag: "plans",
        query: &[("name", "where the document came from")],
        body: Some("the document's bytes"),
        request: None,
        ok: 201,
        response: Some(json::<api::PlanImported>),
        access: Access::Perm(Perm::ImportPlan),
        auth: true,
        handler: || post(api::import_plan),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/plans/{id}",
        aliases: &[],
        summary: "A plan: the compiled plan JSON with its id",
        tag: "plans",
        query: &[],
        body: None,
        request: None,
        ok: 200,
        response: Some(json::<api::PlanDocument>),
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::plan),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/plans/{id}/close",
        aliases: &[],
        summary: "Close a plan with its final assessment, naming its successor plan",
        tag: "plans",
        query: &[],
        body: Some("{assessment, successor?}"),
        request: Some(json::<api::ClosePlanBody>),
        ok: 200,
        response: Some(json::<api::PlanSummary>),
        access: Access::Perm(Perm::ClosePlan),
        auth: true,
        handler: || post(api::close_plan),
    },
];

pub const PAGES: &[PageRoute] = &[
    PageRoute { method: "get", path: "/plan", access: Access::Perm(Perm::ReadPlan), handler: || get(pages::current) },
    PageRoute { method: "get", path: "/plans", access: Access::Perm(Perm::ReadPlan), handler: || get(pages::list) },
    PageRoute {
        method: "post",
        path: "/plans/import",
        access: Access::Perm(Perm::ImportPlan),
        handler: || post(pages::import),
    },
    PageRoute {
        method: "get",
        path: "/plans/{id}",
        access: Access::Perm(Perm::ReadPlan),
        handler: || get(pages::by_id),
    },
    PageRoute {
        method: "post",
        path: "/plans/{id}/close",
        access: Access::Perm(Perm::ClosePlan),
        handler: || post(pages::close),
    },
];
