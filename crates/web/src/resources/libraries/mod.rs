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

use crate::routes::{Access, ApiRoute, FIRM_READERS, PageRoute, json};

pub const API: &[ApiRoute] = &[
    ApiRoute {
        method: "get",
        path: "/api/v1/libraries",
        aliases: &[],
        summary: "The cultivation libraries with source, confidence and member / candidate counts for the year, and the backbone directory's R&D intensity",
        tag: "libraries",
        query: &[("year", "the figures' year (default: the registry's latest)")],
        body: None,
        request: None,
        ok: 200,
        response: Some(json::<api::LibraryList>),
        access: Access::Perm(Perm::ReadEnterprises),
        auth: true,
        handler: || get(api::libraries),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/libraries/recompute",
        aliases: &[],
        summary: "Computes the indicators the libraries feed for a year (backbone R&D intensity; count indicators the plan has) and stores them as the current plan's observations",
        tag: "libraries",
        query: &[],
        body: Some("{year}"),
        request: Some(json::<api::LibraryRecomputeBody>),
        ok: 200,
        response: Some(json::<api::LibraryRecompute>),
        access: Access::Perm(Perm::ManageLibraries),
        auth: true,
        handler: || post(api::recompute),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/libraries/{name}",
        aliases: &[],
        summary: "One library: members and candidates (a ranking in rank order, with its example weights); each check's values only for firms whose figures the caller reads",
        tag: "libraries",
        query: &[("year", "the figures' year (default: the registry's latest)")],
        body: None,
        request: None,
        ok: 200,
        response: Some(json::<api::LibraryView>),
        access: Access::Perm(Perm::ReadEnterprises),
        auth: true,
        handler: || get(api::library),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/libraries/{name}/designations",
        aliases: &[],
        summary: "Designates a registered firm into a designation library (the backbone directory per chain), with the notice; audited",
        tag: "libraries",
        query: &[],
        body: Some("{enterprise_id | uscc, chain?, reference?}"),
        request: Some(json::<api::LibraryDesignationBody>),
        ok: 201,
        response: Some(json::<api::LibraryDesignationId>),
        access: Access::Perm(Perm::ManageLibraries),
        auth: true,
        handler: || post(api::designate),
    },
    ApiRoute {
        method: "put",
        path: "/api/v1/libraries/{name}/ranking",
        aliases: &[],
        summary: "Sets a ranking library's weights and the number selected (the AI top-100); checked field by field; audited",
        tag: "libraries",
        query: &[],
        body: Some("{top_n, weights: [{figure, weight, lower_is_better?, log?}], note: {zh, en}}"),
        request: Some(json::<api::LibraryRankingBody>),
        ok: 204,
        response: None,
        access: Access::Perm(Perm::ManageLibraries),
        auth: true,
        handler: || put(api::set_ranking),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/libraries/{name}/withdraw",
        aliases: &[],
        summary: "Withdraws a firm's designation (kept as history, with the reason); audited",
        tag: "libraries",
        query: &[],
        body: Some("{enterprise_id | uscc, chain?, reason?}"),
        request: Some(json::<api::LibraryWithdrawBody>),
        ok: 204,
        response: None,
        access: Access::Perm(Perm::ManageLibraries),
        auth: true,
        handler: || post(api::withdraw),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/enterprises/{id}/libraries",
        aliases: &[],
        summary: "One firm in every library: status for its readers; each check with value and threshold for those who read its figures",
        tag: "libraries",
        query: &[("year", "the figures' year (default: the registry's latest)")],
        body: None,
        request: None,
        ok: 200,
        response: Some(json::<api::LibraryFirmView>),
        access: FIRM_READERS,
        auth: true,
        handler: || get(api::firm_libraries),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/enterprises/{id}/profile",
        aliases: &[],
        summary: "Enters or corrects a firm's library profile figures (registry figures, sealed with SM4; flags 1 or 0)",
        tag: "libraries",
        query: &[],
        body: Some("{year, source, figures: {metric: value}}"),
        request: Some(json::<api::LibraryProfileBody>),
        ok: 201,
        response: Some(json::<crate::resources::enterprises::api::EnterpriseFigureIds>),
        access: Access::Perm(Perm::ManageLibraries),
        auth: true,
        handler: || post(api::put_profile),
    },
];

pub const PAGES: &[PageRoute] = &[
    PageRoute {
        method: "post",
        path: "/enterprises/{id}/profile",
        access: Access::Perm(Perm::ManageLibraries),
        handler: || post(pages::put_profile),
    },
    PageRoute {
        method: "get",
        path: "/libraries",
        access: Access::Perm(Perm::ReadEnterprises),
        handler: || get(pages::list),
    },
    PageRoute {
        method: "post",
        path: "/libraries/recompute",
        access: Access::Perm(Perm::ManageLibraries),
        handler: || post(pages::recompute),
    },
    PageRoute {
        method: "get",
        path: "/libraries/{name}",
        access: Access::Perm(Perm::ReadEnterprises),
        handler: || get(pages::library),
    },
    PageRoute {
        method: "post",
        path: "/libraries/{name}/designations",
        access: Access::Perm(Perm::ManageLibraries),
        handler: || post(pages::designate),
    },
    PageRoute {
        method: "post",
        path: "/libraries/{name}/ranking",
        access: Access::Perm(Perm::ManageLibraries),
        handler: || post(pages::set_ranking),
    },
    PageRoute {
        method: "post",
        path: "/libraries/{name}/withdraw",
        access: Access::Perm(Perm::ManageLibraries),
        handler: || post(pages::withdraw),
    },
];
