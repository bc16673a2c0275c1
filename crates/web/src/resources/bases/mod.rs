//! Platforms and bases: the registry of recognised innovation centres, laboratories, industry bases, parks
//! and clusters that the plan's count targets are computed from; and what an indicator is computed from.
//!
//! - API: `/api/v1/bases`, `/api/v1/bases/{id}`, `/api/v1/bases/{id}/withdraw`,
//!   `/api/v1/indicators/{id}/derivation`
//! - Pages: `/bases`, `/bases/{id}`

pub mod api;
pub mod pages;

use axum::routing::{get, post, put};
use jiqun_app::Perm;
use jiqun_app::bases::{BaseInput, BaseView, DerivationInput, DerivedSummary, WithdrawInput};

use crate::routes::{Access, ApiRoute, PageRoute, json, list, request};

pub const API: &[ApiRoute] = &[
    ApiRoute::new("get", "/api/v1/bases", "bases", "The recognised platforms, bases, parks and clusters, withdrawn ones included, each with the bound indicators it counts towards", Access::Perm(Perm::ReadPlan), || get(api::bases))
        .ok(200, Some(list::<BaseView>)),
    ApiRoute::new("post", "/api/v1/bases", "bases", "Registers a recognised base; the indicators that count its kind are recomputed at once", Access::Perm(Perm::ManageBases), || post(api::recognise))
        .body("{name, kind, level, city?, host_name?, host_uscc?, recognised_by?, recognised_on, source}", Some(request::<BaseInput>()))
        .ok(201, Some(json::<BaseView>)),
    ApiRoute::new("get", "/api/v1/bases/{id}", "bases", "One base", Access::Perm(Perm::ReadPlan), || get(api::base))
        .ok(200, Some(json::<BaseView>)),
    ApiRoute::new("put", "/api/v1/bases/{id}", "bases", "Corrects what is recorded of a base (a stale `version` gets 409)", Access::Perm(Perm::ManageBases), || put(api::update))
        .body("the base as for POST, with the `version` read", Some(request::<BaseInput>()))
        .ok(200, Some(json::<BaseView>)),
    ApiRoute::new("post", "/api/v1/bases/{id}/withdraw", "bases", "Withdraws a base's recognition from a day, with the reason; it no longer counts from that day", Access::Perm(Perm::ManageBases), || post(api::withdraw))
        .body("{withdrawn_on, reason, version?}", Some(request::<WithdrawInput>()))
        .ok(200, Some(json::<BaseView>)),
    ApiRoute::new("put", "/api/v1/indicators/{id}/derivation", "indicators", "Binds an indicator to what it is computed from (`bases:KIND[@LEVEL]`, `library:ID`, `library_rd:ID`, `matches:signed`) or, with null, makes it entered by hand again; its values are recomputed at once", Access::Perm(Perm::EditIndicator), || put(api::set_derivation))
        .body("{derived_from}", Some(request::<DerivationInput>()))
        .ok(200, Some(json::<DerivedSummary>)),
];

pub const PAGES: &[PageRoute] = &[
    PageRoute::new("get", "/bases", Access::Perm(Perm::ReadPlan), || get(pages::bases)),
    PageRoute::new("post", "/bases", Access::Perm(Perm::ManageBases), || post(pages::recognise)),
    PageRoute::new("get", "/bases/{id}", Access::Perm(Perm::ReadPlan), || get(pages::base)),
    PageRoute::new("post", "/bases/{id}/withdraw", Access::Perm(Perm::ManageBases), || post(pages::withdraw)),
];
