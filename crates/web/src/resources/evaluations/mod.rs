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

use crate::routes::{Access, ApiRoute, FIRM_READERS, PageRoute, json, list};

pub const API: &[ApiRoute] = &[
    ApiRoute {
        method: "get",
        path: "/api/v1/evaluations",
        aliases: &[],
        summary: "Per-mu evaluation runs, newest first",
        tag: "evaluations",
        query: &[],
        body: None,
        request: None,
        ok: 200,
        response: Some(list::<api::EvaluationRun>),
        access: FIRM_READERS,
        auth: true,
        handler: || get(api::evaluations),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/evaluations",
        aliases: &[],
        summary: "Rates every registered firm with figures for the year by a scheme",
        tag: "evaluations",
        query: &[],
        body: Some("{year, scheme?}"),
        request: Some(json::<api::EvaluationRunBody>),
        ok: 201,
        response: Some(json::<api::EvaluationSummary>),
        access: Access::Perm(Perm::RunEvaluation),
        auth: true,
        handler: || post(api::run_evaluation),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/evaluations/{id}",
        aliases: &[],
        summary: "A run's distribution by city and class, and the movement between classes since last year's run",
        tag: "evaluations",
        query: &[],
        body: None,
        request: None,
        ok: 200,
        response: Some(json::<api::EvaluationSummary>),
        access: Access::Perm(Perm::ReadEnterprises),
        auth: true,
        handler: || get(api::evaluation),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/evaluations/{id}/results",
        aliases: &[],
        summary: "A run's results: classes for directory readers; scores, ranks and items where the caller reads the figures",
        tag: "evaluations",
        query: &[("city", "city")],
        body: None,
        request: None,
        ok: 200,
        response: Some(json::<api::EvaluationResults>),
        access: FIRM_READERS,
        auth: true,
        handler: || get(api::evaluation_results),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/schemes",
        aliases: &[],
        summary: "The per-mu evaluation schemes available",
        tag: "evaluations",
        query: &[],
        body: None,
        request: None,
        ok: 200,
        response: Some(list::<api::EvaluationScheme>),
        access: FIRM_READERS,
        auth: true,
        handler: || get(api::schemes),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/schemes",
        aliases: &[],
        summary: "Adds a jurisdiction's per-mu evaluation scheme (the JSON scheme file; errors name the JSON path)",
        tag: "evaluations",
        query: &[],
        body: Some("the scheme file (docs/evaluation.md)"),
        request: Some(json::<api::EvaluationSchemeBody>),
        ok: 201,
        response: Some(json::<api::EvaluationSchemeId>),
        access: Access::Perm(Perm::RunEvaluation),
        auth: true,
        handler: || post(api::put_scheme),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/evaluations/{id}/policy",
        aliases: &[],
        summary: "The differentiated resource policy (Jiqun's example table, to be set by the jurisdiction) applied to a run: per city counts by class, estimated surcharges, quota levels; per firm where the caller reads its figures",
        tag: "evaluations",
        query: &[],
        body: None,
        request: None,
        ok: 200,
        response: Some(json::<api::EvaluationPolicy>),
        access: Access::Perm(Perm::ReadEnterprises),
        auth: true,
        handler: || get(api::resource_policy),
    },
];

pub const PAGES: &[PageRoute] = &[
    PageRoute { method: "get", path: "/evaluations", access: FIRM_READERS, handler: || get(pages::evaluations) },
    PageRoute {
        method: "post",
        path: "/evaluations",
        access: Access::Perm(Perm::RunEvaluation),
        handler: || post(pages::run),
    },
    PageRoute {
        method: "get",
        path: "/evaluations/{id}",
        access: Access::Perm(Perm::ReadEnterprises),
        handler: || get(pages::evaluation),
    },
    PageRoute {
        method: "get",
        path: "/evaluations/{id}/policy",
        access: Access::Perm(Perm::ReadEnterprises),
        handler: || get(pages::resource_policy),
    },
    PageRoute {
        method: "post",
        path: "/schemes",
        access: Access::Perm(Perm::RunEvaluation),
        handler: || post(pages::put_scheme),
    },
];
