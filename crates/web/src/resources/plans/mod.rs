//! Plans: the action-plan documents, imported and compiled (sections, items, responsibilities, indicators);
//! listing, reading, importing and closing them.
//!
//! - API: `/api/v1/plans`, `/api/v1/plans/{id}`, `/api/v1/plans/{id}/close`, `/api/v1/plans/{id}/bulletin`
//! - Pages: `/plan` (the current plan), `/plans`, `/plans/import`, `/plans/{id}`, `/plans/{id}/close`,
//!   `/plans/{id}/bulletin` and `/plans/{id}/bulletin.docx`
//!
//! Under `/plans/{id}/` but elsewhere, by what they do: adding an indicator (`/plans/{id}/indicators`) is in
//! `indicators`; the reporting rounds and supervision settings (`/plans/{id}/rounds`, `/plans/{id}/settings`)
//! are in `supervision`.

pub mod api;
pub mod bulletin;
pub mod bulletin_docx;
pub mod pages;

use axum::routing::{get, post};
use jiqun_app::Perm;

use crate::routes::{Access, ApiRoute, PageRoute, binary, json, list, request};

#[rustfmt::skip]
pub const API: &[ApiRoute] = &[
    ApiRoute::new("get", "/api/v1/plans", "plans", "Plans", Access::Perm(Perm::ReadPlan), || get(api::plans))
        .ok(200, Some(list::<api::PlanSummary>)),
    ApiRoute::new("post", "/api/v1/plans", "plans", "Import a plan: the document (.txt UTF-8/GBK, .docx, .html) is the body", Access::Perm(Perm::ImportPlan), || post(api::import_plan))
        .query(&[("name", "where the document came from")])
        .upload("the document's bytes", "application/octet-stream")
        .ok(201, Some(json::<api::PlanImported>)),
    ApiRoute::new("get", "/api/v1/plans/{id}", "plans", "A plan: the compiled plan JSON with its id", Access::Perm(Perm::ReadPlan), || get(api::plan))
        .ok(200, Some(json::<api::PlanDocument>)),
    ApiRoute::new("post", "/api/v1/plans/{id}/close", "plans", "Close a plan with its final assessment, naming its successor plan", Access::Perm(Perm::ClosePlan), || post(api::close_plan))
        .body("{assessment, successor?}", Some(request::<api::ClosePlanBody>()))
        .ok(200, Some(json::<api::PlanSummary>)),
    ApiRoute::new("get", "/api/v1/plans/{id}/bulletin", "plans", "The progress bulletin (督办通报) of a period as a file: Word (.docx, with a chart per target) or a standalone HTML document", Access::Perm(Perm::ReadPlan), || get(bulletin::api_bulletin))
        .query(&[("period", "2025, 2025Q4 or 2025-06; the latest reporting round's when absent"), ("format", "docx (the default) or html")])
        .ok(200, Some(binary))
        .produces(&[bulletin_docx::DOCX, "text/html"]),
];

pub const PAGES: &[PageRoute] = &[
    PageRoute::new("get", "/plan", Access::Perm(Perm::ReadPlan), || get(pages::current)),
    PageRoute::new("get", "/plans", Access::Perm(Perm::ReadPlan), || get(pages::list)),
    PageRoute::new("post", "/plans/import", Access::Perm(Perm::ImportPlan), || post(pages::import)),
    PageRoute::new("get", "/plans/{id}", Access::Perm(Perm::ReadPlan), || get(pages::by_id)),
    PageRoute::new("get", "/plans/{id}/bulletin", Access::Perm(Perm::ReadPlan), || get(bulletin::bulletin)),
    PageRoute::new("get", "/plans/{id}/bulletin.docx", Access::Perm(Perm::ReadPlan), || get(bulletin::bulletin_docx)),
    PageRoute::new("post", "/plans/{id}/close", Access::Perm(Perm::ClosePlan), || post(pages::close)),
];
