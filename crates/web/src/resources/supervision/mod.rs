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

use crate::routes::{Access, ApiRoute, PageRoute, binary, json, list, request};

#[rustfmt::skip]
pub const API: &[ApiRoute] = &[
    ApiRoute::new("get", "/api/v1/plans/{id}/rounds", "supervision", "Reporting rounds and their deadlines", Access::Perm(Perm::ReadPlan), || get(api::rounds))
        .ok(200, Some(list::<api::ReportingRound>)),
    ApiRoute::new("post", "/api/v1/plans/{id}/rounds", "supervision", "Open a reporting round or move its deadline", Access::Perm(Perm::ManageRounds), || post(api::set_round))
        .body("{period, deadline}", Some(request::<api::ReportingRoundBody>()))
        .ok(201, Some(json::<api::ReportingRoundSet>)),
    ApiRoute::new("get", "/api/v1/plans/{id}/settings", "supervision", "The plan's supervision settings: whether reports are taken for periods with no round", Access::Perm(Perm::ReadPlan), || get(api::plan_settings))
        .ok(200, Some(json::<api::PlanSettings>)),
    ApiRoute::new("put", "/api/v1/plans/{id}/settings", "supervision", "Sets the plan's supervision settings (off by default: a report answers a round)", Access::Perm(Perm::ManageRounds), || put(api::set_plan_settings))
        .body("{reports_outside_rounds: bool}", Some(request::<api::PlanSettingsBody>()))
        .ok(200, Some(json::<api::PlanSettings>)),
    ApiRoute::new("get", "/api/v1/supervision/assignments", "supervision", "Items a department answers for, with their reports", Access::Perm(Perm::ReadPlan), || get(api::assignments))
        .aliases(&["/api/v1/assignments"])
        .query(&[("agency", "department name"), ("plan", "plan id")])
        .ok(200, Some(list::<api::SupervisionAssignment>)),
    ApiRoute::new("post", "/api/v1/supervision/assignments/{id}/reports", "supervision", "File a progress report (a resubmission keeps the history)", Access::Perm(Perm::FileReport), || post(api::file_report))
        .aliases(&["/api/v1/assignments/{id}/reports"])
        .body("{period, status, percent, narrative, problems?, help_needed?, draft?}", Some(request::<api::FileReportBody>()))
        .ok(201, Some(json::<api::ReportView>)),
    ApiRoute::new("get", "/api/v1/supervision/reports", "supervision", "Current reports", Access::Perm(Perm::ReadPlan), || get(api::reports))
        .aliases(&["/api/v1/reports"])
        .query(&[("plan", "plan id"), ("state", "draft, submitted, returned or accepted")])
        .ok(200, Some(list::<api::ReportWithAssignment>)),
    ApiRoute::new("post", "/api/v1/supervision/reports/{id}/review", "supervision", "Accept a submitted report or return it with comments", Access::Perm(Perm::ReviewReport), || post(api::review_report))
        .aliases(&["/api/v1/reports/{id}/review"])
        .body("{accept, comment}", Some(request::<api::ReviewReportBody>()))
        .ok(200, Some(json::<api::ReportView>)),
    ApiRoute::new("post", "/api/v1/supervision/reports/{id}/attachments", "supervision", "Attach evidence to a report (the file's bytes are the body; at most 10 MB)", Access::Perm(Perm::FileReport), || post(api::add_attachment))
        .aliases(&["/api/v1/reports/{id}/attachments"])
        .query(&[("filename", "the file's name")])
        .upload("the file's bytes", "application/octet-stream")
        .ok(201, Some(json::<api::ReportAttachmentAdded>)),
    ApiRoute::new("get", "/api/v1/supervision/attachments/{id}", "supervision", "Download an attachment", Access::Perm(Perm::ReadPlan), || get(api::attachment))
        .aliases(&["/api/v1/attachments/{id}"])
        .ok(200, Some(binary)),
];

pub const PAGES: &[PageRoute] = &[
    PageRoute::new("post", "/plans/{id}/rounds", Access::Perm(Perm::ManageRounds), || post(pages::set_round)),
    PageRoute::new("post", "/plans/{id}/settings", Access::Perm(Perm::ManageRounds), || post(pages::set_settings)),
    PageRoute::new("get", "/supervision", Access::Perm(Perm::ReadPlan), || get(pages::supervision)),
    PageRoute::new("post", "/reports/{id}/review", Access::Perm(Perm::ReviewReport), || post(pages::review)),
    PageRoute::new("post", "/reports/{id}/attachments", Access::Perm(Perm::FileReport), || {
        post(assignment::upload).layer(DefaultBodyLimit::max(assignment::MAX_ATTACHMENT + 64 * 1024))
    }),
    PageRoute::new("get", "/attachments/{id}", Access::Perm(Perm::ReadPlan), || get(assignment::download)),
    PageRoute::new("get", "/agencies/{name}", Access::Perm(Perm::ReadPlan), || get(pages::agency)),
    PageRoute::new("get", "/my", Access::Perm(Perm::ReadPlan), || get(pages::my)),
    PageRoute::new("get", "/assignments/{id}", Access::Perm(Perm::ReadPlan), || get(assignment::assignment)),
    PageRoute::new("post", "/assignments/{id}/reports", Access::Perm(Perm::FileReport), || {
        post(assignment::file_report)
    }),
];
