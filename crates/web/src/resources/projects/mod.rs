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
use jiqun_app::cultivation::ProposalInput;

use crate::routes::{Access, ApiRoute, PageRoute, json};

#[rustfmt::skip]
pub const API: &[ApiRoute] = &[
    ApiRoute::new("get", "/api/v1/projects", "admission", "New industrial project proposals with their decisions (a city's own for its bureau), and the admission table (example thresholds)", Access::Perm(Perm::AssessProjects), || get(api::projects))
        .ok(200, Some(json::<api::ProjectList>)),
    ApiRoute::new("post", "/api/v1/projects", "admission", "Assesses a proposal (admit, admit with conditions, reject, with each metric, threshold, source and reason) and stores it", Access::Perm(Perm::AssessProjects), || post(api::assess_project))
        .body("{project, city, zone, industry_code, land_mu, fixed_investment_wan?, annual_output_wan?, annual_tax_wan?, jobs?, energy_tce?, value_added_wan?, rd_wan?}", Some(json::<ProposalInput>))
        .ok(201, Some(json::<api::ProjectProposal>)),
    ApiRoute::new("get", "/api/v1/projects/{id}", "admission", "One proposal with its stored result and who assessed it", Access::Perm(Perm::AssessProjects), || get(api::project))
        .ok(200, Some(json::<api::ProjectProposal>)),
];

pub const PAGES: &[PageRoute] = &[
    PageRoute::new("get", "/projects", Access::Perm(Perm::AssessProjects), || get(pages::projects)),
    PageRoute::new("post", "/projects", Access::Perm(Perm::AssessProjects), || post(pages::assess)),
    PageRoute::new("get", "/projects/{id}", Access::Perm(Perm::AssessProjects), || get(pages::project)),
];
