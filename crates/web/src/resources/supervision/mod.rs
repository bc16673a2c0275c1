//! Supervision (督办): the departments' assignments (an item a department answers for), their progress
//! reports, the plan owner's review, evidence attachments, and a plan's reporting rounds and settings.
//!
//! - API: `/api/v1/supervision/assignments`, `/api/v1/supervision/assignments/{id}/reports`,
//!   `/api/v1/supervision/reports`, `/api/v1/supervision/reports/{id}/review`,
//!   `/api/v1/supervision/reports/{id}/attachments`, `/api/v1/supervision/attachments/{id}`, each also at its
//!   old path without `/supervision` (an alias, deprecated in the OpenAPI document);
//!   `/api/v1/plans/{id}/rounds`, `/api/v1/plans/{id}/settings`
//! - Pages: `/supervision`, `/reports/{id}/review`, `/plans/{id}/rounds`, `/plans/{id}/settings`,
//!   `/agencies/{name}`, `/my` (`pages.rs`); `/assignments/{id}`, `/assignments/{id}/reports`,
//!   `/reports/{id}/attachments`, `/attachments/{id}` (`assignment.rs`)
//!
//! Chosen here rather than in `plans`: the rounds and settings sit under `/plans/{id}/` but say when and how
//! departments report.

pub mod api;
pub mod assignment;
pub mod pages;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use jiqun_app::Perm;

use crate::routes::{Access, ApiRoute, PageRoute};

pub const API: &[ApiRoute] = &[
    ApiRoute {
        method: "get",
        path: "/api/v1/plans/{id}/rounds",
        aliases: &[],
        summary: "Reporting rounds and their deadlines",
        tag: "supervision",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::rounds),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/plans/{id}/rounds",
        aliases: &[],
        summary: "Open a reporting round or move its deadline",
        tag: "supervision",
        query: &[],
        body: Some("{period, deadline}"),
        ok: 201,
        access: Access::Perm(Perm::ManageRounds),
        auth: true,
        handler: || post(api::set_round),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/plans/{id}/settings",
        aliases: &[],
        summary: "The plan's supervision settings: whether reports are taken for periods with no round",
        tag: "supervision",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::plan_settings),
    },
    ApiRoute {
        method: "put",
        path: "/api/v1/plans/{id}/settings",
        aliases: &[],
        summary: "Sets the plan's supervision settings (off by default: a report answers a round)",
        tag: "supervision",
        query: &[],
        body: Some("{reports_outside_rounds: bool}"),
        ok: 200,
        access: Access::Perm(Perm::ManageRounds),
        auth: true,
        handler: || put(api::set_plan_settings),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/supervision/assignments",
        aliases: &["/api/v1/assignments"],
        summary: "Items a department answers for, with their reports",
        tag: "supervision",
        query: &[("agency", "department name"), ("plan", "plan id")],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::assignments),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/supervision/assignments/{id}/reports",
        aliases: &["/api/v1/assignments/{id}/reports"],
        summary: "File a progress report (a resubmission keeps the history)",
        tag: "supervision",
        query: &[],
        body: Some("{period, status, percent, narrative, problems?, help_needed?, draft?}"),
        ok: 201,
        access: Access::Perm(Perm::FileReport),
        auth: true,
        handler: || post(api::file_report),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/supervision/reports",
        aliases: &["/api/v1/reports"],
        summary: "Current reports",
        tag: "supervision",
        query: &[("plan", "plan id"), ("state", "draft, submitted, returned or accepted")],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::reports),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/supervision/reports/{id}/review",
        aliases: &["/api/v1/reports/{id}/review"],
        summary: "Accept a submitted report or return it with comments",
        tag: "supervision",
        query: &[],
        body: Some("{accept, comment}"),
        ok: 200,
        access: Access::Perm(Perm::ReviewReport),
        auth: true,
        handler: || post(api::review_report),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/supervision/reports/{id}/attachments",
        aliases: &["/api/v1/reports/{id}/attachments"],
        summary: "Attach evidence to a report (the file's bytes are the body; at most 10 MB)",
        tag: "supervision",
        query: &[("filename", "the file's name")],
        body: Some("the file's bytes"),
        ok: 201,
        access: Access::Perm(Perm::FileReport),
        auth: true,
        handler: || post(api::add_attachment),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/supervision/attachments/{id}",
        aliases: &["/api/v1/attachments/{id}"],
        summary: "Download an attachment",
        tag: "supervision",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::attachment),
    },
];

pub const PAGES: &[PageRoute] = &[
    PageRoute {
        method: "post",
        path: "/plans/{id}/rounds",
        access: Access::Perm(Perm::ManageRounds),
        handler: || post(pages::set_round),
    },
    PageRoute {
        method: "post",
        path: "/plans/{id}/settings",
        access: Access::Perm(Perm::ManageRounds),
        handler: || post(pages::set_settings),
    },
    PageRoute {
        method: "get",
        path: "/supervision",
        access: Access::Perm(Perm::ReadPlan),
        handler: || get(pages::supervision),
    },
    PageRoute {
        method: "post",
        path: "/reports/{id}/review",
        access: Access::Perm(Perm::ReviewReport),
        handler: || post(pages::review),
    },
    PageRoute {
        method: "post",
        path: "/reports/{id}/attachments",
        access: Access::Perm(Perm::FileReport),
        handler: || post(assignment::upload).layer(DefaultBodyLimit::max(assignment::MAX_ATTACHMENT + 64 * 1024)),
    },
    PageRoute {
        method: "get",
        path: "/attachments/{id}",
        access: Access::Perm(Perm::ReadPlan),
        handler: || get(assignment::download),
    },
    PageRoute {
        method: "get",
        path: "/agencies/{name}",
        access: Access::Perm(Perm::ReadPlan),
        handler: || get(pages::agency),
    },
    PageRoute { method: "get", path: "/my", access: Access::Perm(Perm::ReadPlan), handler: || get(pages::my) },
    PageRoute {
        method: "get",
        path: "/assignments/{id}",
        access: Access::Perm(Perm::ReadPlan),
        handler: || get(assignment::assignment),
    },
    PageRoute {
        method: "post",
        path: "/assignments/{id}/reports",
        access: Access::Perm(Perm::FileReport),
        handler: || post(assignment::file_report),
    },
];
