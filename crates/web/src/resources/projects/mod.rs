//! Projects: new industrial project admission (新增工业项目准入) — a proposed project assessed on investment,
//! output, tax, jobs, energy and R&D per mu against the admission table (example thresholds), and stored
//! with its decision.
//!
//! - API: `/api/v1/projects`, `/api/v1/projects/{id}`
//! - Pages: `/projects`, `/projects/{id}`

pub mod api;
pub mod pages;

use axum::routing::{get, post};
use jiqun_app::Perm;

use crate::routes::{Access, ApiRoute, PageRoute, json};

pub const API: &[ApiRoute] = &[
    ApiRoute {
        method: "get",
        path: "/api/v1/projects",
        aliases: &[],
        summary: "New industrial project proposals with their decisions (a city's own for its bureau), and the admission table (example thresholds)",
        tag: "admission",
        query: &[],
        body: None,
        request: None,
        ok: 200,
        response: Some(json::<api::ProjectList>),
        access: Access::Perm(Perm::AssessProjects),
        auth: true,
        handler: || get(api::projects),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/projects",
        aliases: &[],
        summary: "Assesses a proposal (admit, admit with conditions, reject, with each metric, threshold, source and reason) and stores it",
        tag: "admission",
        query: &[],
        body: Some(
            "{project, city, zone, industry_code, land_mu, fixed_investment_wan?, annual_output_wan?, annual_tax_wan?, jobs?, energy_tce?, value_added_wan?, rd_wan?}",
        ),
        request: Some(json::<api::ProjectProposalBody>),
        ok: 201,
        response: Some(json::<api::ProjectProposal>),
        access: Access::Perm(Perm::AssessProjects),
        auth: true,
        handler: || post(api::assess_project),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/projects/{id}",
        aliases: &[],
        summary: "One proposal with its stored result and who assessed it",
        tag: "admission",
        query: &[],
        body: None,
        request: None,
        ok: 200,
        response: Some(json::<api::ProjectProposal>),
        access: Access::Perm(Perm::AssessProjects),
        auth: true,
        handler: || get(api::project),
    },
];

pub const PAGES: &[PageRoute] = &[
    PageRoute {
        method: "get",
        path: "/projects",
        access: Access::Perm(Perm::AssessProjects),
        handler: || get(pages::projects),
    },
    PageRoute {
        method: "post",
        path: "/projects",
        access: Access::Perm(Perm::AssessProjects),
        handler: || post(pages::assess),
    },
    PageRoute {
        method: "get",
        path: "/projects/{id}",
        access: Access::Perm(Perm::AssessProjects),
        handler: || get(pages::project),
    },
];
