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
pub mod desk;
pub mod pages;
pub mod types;
pub mod writes;

use axum::routing::{get, post, put};
use jiqun_app::Perm;

use crate::routes::{Access, ApiRoute, PageRoute, json, list, request};

#[rustfmt::skip]
pub const API: &[ApiRoute] = &[
    ApiRoute::new("post", "/api/v1/plans/{id}/indicators", "indicators", "Add an indicator the document lacks", Access::Perm(Perm::EditIndicator), || post(api::add_indicator))
        .body("{name, unit, direction, method, frequency, baseline_period?, baseline_value?, target_cmp, target_value, target_value_max?, target_year, by_city, item?}", Some(request::<api::IndicatorBody>()))
        .ok(201, Some(json::<api::IndicatorSummary>)),
    ApiRoute::new("get", "/api/v1/indicators", "indicators", "Indicators with baseline, target, latest value and computed progress", Access::Perm(Perm::ReadPlan), || get(api::indicators))
        .query(&[("plan", "plan id")])
        .ok(200, Some(list::<api::IndicatorSummary>)),
    ApiRoute::new("get", "/api/v1/indicators/{id}", "indicators", "One indicator", Access::Perm(Perm::ReadPlan), || get(api::indicator))
        .ok(200, Some(json::<api::IndicatorSummary>)),
    ApiRoute::new("put", "/api/v1/indicators/{id}", "indicators", "Edit an indicator (plan owner)", Access::Perm(Perm::EditIndicator), || put(api::update_indicator))
        .body("as for adding", Some(request::<api::IndicatorBody>()))
        .ok(200, Some(json::<api::IndicatorSummary>)),
    ApiRoute::new("post", "/api/v1/indicators/{id}/override", "indicators", "Override the computed status with a reason, or clear it (status null)", Access::Perm(Perm::OverrideStatus), || post(api::override_status))
        .body("{status|null, reason}", Some(request::<api::IndicatorOverrideBody>()))
        .ok(200, Some(json::<api::IndicatorSummary>)),
    ApiRoute::new("get", "/api/v1/indicators/{id}/observations", "indicators", "Every observation, corrections included, newest first; paged ({items, total, offset}) when limit or offset is given", Access::Perm(Perm::ReadPlan), || get(api::observations))
        .query(&[("offset", "from 0"), ("limit", "at most 1000 (default 100 when paged)")])
        .ok(200, Some(json::<api::IndicatorObservations>)),
    ApiRoute::new("post", "/api/v1/indicators/{id}/observations", "indicators", "Record a value; a second one for the same period and region is a correction", Access::Perm(Perm::AddObservation), || post(api::add_observation))
        .body("{period, value, region?, source?}", Some(request::<api::IndicatorObservationBody>()))
        .ok(201, Some(json::<api::IndicatorObservationRecorded>)),
];

pub const PAGES: &[PageRoute] = &[
    // The dashboard greets every logged-in user; roles that do not read the plan see only a welcome.
    PageRoute::new("get", "/", Access::Account, || get(dashboard::dashboard)),
    PageRoute::new("post", "/plans/{id}/indicators", Access::Perm(Perm::EditIndicator), || post(writes::add_indicator)),
    PageRoute::new("get", "/indicators", Access::Perm(Perm::ReadPlan), || get(pages::list)),
    PageRoute::new("get", "/indicators/{id}", Access::Perm(Perm::ReadPlan), || get(pages::detail)),
    PageRoute::new("post", "/indicators/{id}/observations", Access::Perm(Perm::AddObservation), || {
        post(writes::add_observation)
    }),
    PageRoute::new("post", "/indicators/{id}/override", Access::Perm(Perm::OverrideStatus), || {
        post(writes::override_status)
    }),
    PageRoute::new("post", "/indicators/{id}/edit", Access::Perm(Perm::EditIndicator), || post(writes::edit)),
    PageRoute::new("get", "/cities", Access::Perm(Perm::ReadPlan), || get(cities::map)),
    PageRoute::new("get", "/cities/{name}", Access::Perm(Perm::ReadPlan), || get(cities::city)),
];
