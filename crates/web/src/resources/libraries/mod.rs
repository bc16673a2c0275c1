//! Cultivation libraries (培育库): the directories of firms to cultivate (by designation, by criteria or by
//! ranking), each firm's checks against their criteria, the designations, and the indicators they feed.
//!
//! - API: `/api/v1/libraries`, `/api/v1/libraries/recompute`, `/api/v1/libraries/{name}`,
//!   `/api/v1/libraries/{name}/designations`, `/api/v1/libraries/{name}/ranking`,
//!   `/api/v1/libraries/{name}/withdraw`, `/api/v1/enterprises/{id}/libraries`, `/api/v1/enterprises/{id}/profile`
//! - Pages: `/libraries`, `/libraries/recompute`, `/libraries/{name}`, `/libraries/{name}/designations`,
//!   `/libraries/{name}/ranking`, `/libraries/{name}/withdraw`, `/enterprises/{id}/profile`; and the
//!   section a firm's page shows (`pages::firm_section`)
//!
//! Chosen here rather than in `enterprises`: a firm's libraries and its library profile sit under
//! `/enterprises/{id}/` but are read and written by the libraries' use cases and permission.

pub mod api;
pub mod pages;

use axum::routing::{get, post, put};
use jiqun_app::Perm;
use jiqun_app::cultivation::{DesignationInput, LibraryView};

use crate::routes::{Access, ApiRoute, FIRM_READERS, PageRoute, json, request};

#[rustfmt::skip]
pub const API: &[ApiRoute] = &[
    ApiRoute::new("get", "/api/v1/libraries", "libraries", "The cultivation libraries with source, confidence and member / candidate counts for the year, and the backbone directory's R&D intensity", Access::Perm(Perm::ReadEnterprises), || get(api::libraries))
        .query(&[("year", "the figures' year (default: the registry's latest)")])
        .ok(200, Some(json::<api::LibraryList>)),
    ApiRoute::new("post", "/api/v1/libraries/recompute", "libraries", "Computes the indicators the libraries feed for a year (backbone R&D intensity; count indicators the plan has) and stores them as the current plan's observations", Access::Perm(Perm::ManageLibraries), || post(api::recompute))
        .body("{year}", Some(request::<api::LibraryRecomputeBody>()))
        .ok(200, Some(json::<api::LibraryRecompute>)),
    ApiRoute::new("get", "/api/v1/libraries/{name}", "libraries", "One library: members and candidates (a ranking in rank order, with its example weights); each check's values only for firms whose figures the caller reads", Access::Perm(Perm::ReadEnterprises), || get(api::library))
        .query(&[("year", "the figures' year (default: the registry's latest)")])
        .ok(200, Some(json::<LibraryView>)),
    ApiRoute::new("post", "/api/v1/libraries/{name}/designations", "libraries", "Designates a registered firm into a designation library (the backbone directory per chain), with the notice; audited", Access::Perm(Perm::ManageLibraries), || post(api::designate))
        .body("{enterprise_id | uscc, chain?, reference?}", Some(request::<DesignationInput>()))
        .ok(201, Some(json::<api::LibraryDesignationId>)),
    ApiRoute::new("put", "/api/v1/libraries/{name}/ranking", "libraries", "Sets a ranking library's weights and the number selected (the AI top-100); checked field by field; audited", Access::Perm(Perm::ManageLibraries), || put(api::set_ranking))
        .body("{top_n, weights: [{figure, weight, lower_is_better?, log?}], note: {zh, en}}", Some(request::<api::LibraryRankingBody>()))
        .ok(204, None),
    ApiRoute::new("post", "/api/v1/libraries/{name}/withdraw", "libraries", "Withdraws a firm's designation (kept as history, with the reason); audited", Access::Perm(Perm::ManageLibraries), || post(api::withdraw))
        .body("{enterprise_id | uscc, chain?, reason?}", Some(request::<api::LibraryWithdrawBody>()))
        .ok(204, None),
    ApiRoute::new("get", "/api/v1/enterprises/{id}/libraries", "libraries", "One firm in every library: status for its readers; each check with value and threshold for those who read its figures", FIRM_READERS, || get(api::firm_libraries))
        .query(&[("year", "the figures' year (default: the registry's latest)")])
        .ok(200, Some(json::<api::LibraryFirmView>)),
    ApiRoute::new("post", "/api/v1/enterprises/{id}/profile", "libraries", "Enters or corrects a firm's library profile figures (registry figures, sealed with SM4; flags 1 or 0)", Access::Perm(Perm::ManageLibraries), || post(api::put_profile))
        .body("{year, source, figures: {metric: value}}", Some(request::<api::LibraryProfileBody>()))
        .ok(201, Some(json::<crate::resources::enterprises::api::EnterpriseFigureIds>)),
];

pub const PAGES: &[PageRoute] = &[
    PageRoute::new("post", "/enterprises/{id}/profile", Access::Perm(Perm::ManageLibraries), || {
        post(pages::put_profile)
    }),
    PageRoute::new("get", "/libraries", Access::Perm(Perm::ReadEnterprises), || get(pages::list)),
    PageRoute::new("post", "/libraries/recompute", Access::Perm(Perm::ManageLibraries), || post(pages::recompute)),
    PageRoute::new("get", "/libraries/{name}", Access::Perm(Perm::ReadEnterprises), || get(pages::library)),
    PageRoute::new("post", "/libraries/{name}/designations", Access::Perm(Perm::ManageLibraries), || {
        post(pages::designate)
    }),
    PageRoute::new("post", "/libraries/{name}/ranking", Access::Perm(Perm::ManageLibraries), || {
        post(pages::set_ranking)
    }),
    PageRoute::new("post", "/libraries/{name}/withdraw", Access::Perm(Perm::ManageLibraries), || post(pages::withdraw)),
];
