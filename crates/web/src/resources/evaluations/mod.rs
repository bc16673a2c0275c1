//! Evaluations: the per-mu (亩均) evaluation of registered firms, run by a scheme for a year — the runs, the
//! schemes, each run's distribution and results — and the differentiated resource policy (an example table)
//! applied to a run.
//!
//! - API: `/api/v1/evaluations`, `/api/v1/evaluations/{id}`, `/api/v1/evaluations/{id}/results`,
//!   `/api/v1/evaluations/{id}/policy`, `/api/v1/schemes`
//! - Pages: `/evaluations`, `/evaluations/{id}`, `/evaluations/{id}/policy`, `/schemes`

pub mod api;
pub mod pages;

use axum::routing::{get, post};
use jiqun_app::Perm;

use crate::routes::{Access, ApiRoute, FIRM_READERS, PageRoute, json, list, request};

#[rustfmt::skip]
pub const API: &[ApiRoute] = &[
    ApiRoute::new("get", "/api/v1/evaluations", "evaluations", "Per-mu evaluation runs, newest first", FIRM_READERS, || get(api::evaluations))
        .ok(200, Some(list::<api::EvaluationRun>)),
    ApiRoute::new("post", "/api/v1/evaluations", "evaluations", "Rates every registered firm with figures for the year by a scheme", Access::Perm(Perm::RunEvaluation), || post(api::run_evaluation))
        .body("{year, scheme?}", Some(request::<api::EvaluationRunBody>()))
        .ok(201, Some(json::<api::EvaluationSummary>)),
    ApiRoute::new("get", "/api/v1/evaluations/{id}", "evaluations", "A run's distribution by city and class, and the movement between classes since last year's run", Access::Perm(Perm::ReadEnterprises), || get(api::evaluation))
        .ok(200, Some(json::<api::EvaluationSummary>)),
    ApiRoute::new("get", "/api/v1/evaluations/{id}/results", "evaluations", "A run's results: classes for directory readers; scores, ranks and items where the caller reads the figures", FIRM_READERS, || get(api::evaluation_results))
        .query(&[("city", "city")])
        .ok(200, Some(json::<api::EvaluationResults>)),
    ApiRoute::new("get", "/api/v1/schemes", "evaluations", "The per-mu evaluation schemes available", FIRM_READERS, || get(api::schemes))
        .ok(200, Some(list::<api::EvaluationScheme>)),
    ApiRoute::new("post", "/api/v1/schemes", "evaluations", "Adds a jurisdiction's per-mu evaluation scheme (the JSON scheme file; errors name the JSON path)", Access::Perm(Perm::RunEvaluation), || post(api::put_scheme))
        .body("the scheme file (docs/evaluation.md)", Some(request::<api::EvaluationSchemeBody>()))
        .ok(201, Some(json::<api::EvaluationSchemeId>)),
    ApiRoute::new("get", "/api/v1/evaluations/{id}/policy", "evaluations", "The differentiated resource policy (Jiqun's example table, to be set by the jurisdiction) applied to a run: per city counts by class, estimated surcharges, quota levels; per firm where the caller reads its figures", Access::Perm(Perm::ReadEnterprises), || get(api::resource_policy))
        .ok(200, Some(json::<api::EvaluationPolicy>)),
];

pub const PAGES: &[PageRoute] = &[
    PageRoute::new("get", "/evaluations", FIRM_READERS, || get(pages::evaluations)),
    PageRoute::new("post", "/evaluations", Access::Perm(Perm::RunEvaluation), || post(pages::run)),
    PageRoute::new("get", "/evaluations/{id}", Access::Perm(Perm::ReadEnterprises), || get(pages::evaluation)),
    PageRoute::new("get", "/evaluations/{id}/policy", Access::Perm(Perm::ReadEnterprises), || {
        get(pages::resource_policy)
    }),
    PageRoute::new("post", "/schemes", Access::Perm(Perm::RunEvaluation), || post(pages::put_scheme)),
];
