//! Indicators: a plan's measured targets with their observations, computed progress and overrides; and the
//! pages that show them across the plan, the dashboard and the map of the cities.
//!
//! - API: `/api/v1/indicators`, `/api/v1/indicators/{id}`, `/api/v1/indicators/{id}/override`,
//!   `/api/v1/indicators/{id}/observations`, `/api/v1/plans/{id}/indicators` (add one)
//! - Pages: `/` (`dashboard.rs`); `/indicators`, `/indicators/{id}` (`pages.rs`);
//!   `/indicators/{id}/observations`, `/indicators/{id}/override`, `/indicators/{id}/edit`,
//!   `/plans/{id}/indicators` (`writes.rs`); `/cities`, `/cities/{name}` (`cities.rs`)
//!
//! Chosen here rather than elsewhere: adding an indicator sits under `/plans/{id}/` but creates an
//! indicator (permission to edit indicators, answered with the new indicator); the dashboard `/` and the
//! city map show the plan through its indicators (the dashboard also lists overdue assignments and
//! the review queue, which belong to `supervision`).

pub mod api;
pub mod cities;
pub mod dashboard;
pub mod pages;
pub mod types;
pub mod writes;

use axum::routing::{get, post, put};
use jiqun_app::Perm;

use crate::routes::{Access, ApiRoute, PageRoute, json, list};

pub const API: &[ApiRoute] = &[
    ApiRoute {
        method: "post",
        path: "/api/v1/plans/{id}/indicators",
        aliases: &[],
        summary: "Add an indicator the document lacks",
        tag: "indicators",
        query: &[],
        body: Some(
            "{name, unit, direction, method, frequency, baseline_period?, baseline_value?, target_cmp, target_value, target_value_max?, target_year, by_city, item?}",
        ),
        request: Some(json::<api::IndicatorBody>),
        ok: 201,
        response: Some(json::<api::IndicatorSummary>),
        access: Access::Perm(Perm::EditIndicator),
        auth: true,
        handler: || post(api::add_indicator),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/indicators",
        aliases: &[],
        summary: "Indicators with baseline, target, latest value and computed progress",
        tag: "indicators",
        query: &[("plan", "plan id")],
        body: None,
        request: None,
        ok: 200,
        response: Some(list::<api::IndicatorSummary>),
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::indicators),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/indicators/{id}",
        aliases: &[],
        summary: "One indicator",
        tag: "indicators",
        query: &[],
        body: None,
        request: None,
        ok: 200,
        response: Some(json::<api::IndicatorSummary>),
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::indicator),
    },
    ApiRoute {
        method: "put",
        path: "/api/v1/indicators/{id}",
        aliases: &[],
        summary: "Edit an indicator (plan owner)",
        tag: "indicators",
        query: &[],
        body: Some("as for adding"),
        request: Some(json::<api::IndicatorBody>),
        ok: 200,
        response: Some(json::<api::IndicatorSummary>),
        access: Access::Perm(Perm::EditIndicator),
        auth: true,
        handler: || put(api::update_indicator),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/indicators/{id}/override",
        aliases: &[],
        summary: "Override the computed status with a reason, or clear it (status null)",
        tag: "indicators",
        query: &[],
        body: Some("{status|null, reason}"),
        request: Some(json::<api::IndicatorOverrideBody>),
        ok: 200,
        response: Some(json::<api::IndicatorSummary>),
        access: Access::Perm(Perm::OverrideStatus),
        auth: true,
        handler: || post(api::override_status),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/indicators/{id}/observations",
        aliases: &[],
        summary: "Every observation, corrections included",
        tag: "indicators",
        query: &[],
        body: None,
        request: None,
        ok: 200,
        response: Some(list::<api::IndicatorObservation>),
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::observations),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/indicators/{id}/observations",
        aliases: &[],
        summary: "Record a value; a second one for the same period and region is a correction",
        tag: "indicators",
        query: &[],
        body: Some("{period, value, region?, source?}"),
        request: Some(json::<api::IndicatorObservationBody>),
        ok: 201,
        response: Some(json::<api::IndicatorObservationRecorded>),
        access: Access::Perm(Perm::AddObservation),
        auth: true,
        handler: || post(api::add_observation),
    },
];

pub const PAGES: &[PageRoute] = &[
    // The dashboard greets every logged-in user; roles that do not read the plan see only a welcome.
    PageRoute { method: "get", path: "/", access: Access::Account, handler: || get(dashboard::dashboard) },
    PageRoute {
        method: "post",
        path: "/plans/{id}/indicators",
        access: Access::Perm(Perm::EditIndicator),
        handler: || post(writes::add_indicator),
    },
    PageRoute {
        method: "get",
        path: "/indicators",
        access: Access::Perm(Perm::ReadPlan),
        handler: || get(pages::list),
    },
    PageRoute {
        method: "get",
        path: "/indicators/{id}",
        access: Access::Perm(Perm::ReadPlan),
        handler: || get(pages::detail),
    },
    PageRoute {
        method: "post",
        path: "/indicators/{id}/observations",
        access: Access::Perm(Perm::AddObservation),
        handler: || post(writes::add_observation),
    },
    PageRoute {
        method: "post",
        path: "/indicators/{id}/override",
        access: Access::Perm(Perm::OverrideStatus),
        handler: || post(writes::override_status),
    },
    PageRoute {
        method: "post",
        path: "/indicators/{id}/edit",
        access: Access::Perm(Perm::EditIndicator),
        handler: || post(writes::edit),
    },
    PageRoute { method: "get", path: "/cities", access: Access::Perm(Perm::ReadPlan), handler: || get(cities::map) },
    PageRoute {
        method: "get",
        path: "/cities/{name}",
        access: Access::Perm(Perm::ReadPlan),
        handler: || get(cities::city),
    },
];
