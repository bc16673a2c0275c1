//! Enterprises: the registry of firms (by USCC), their yearly figures (sealed with SM4, every version kept),
//! the experts assigned to review them, and the CSV import.
//!
//! - API: `/api/v1/enterprises`, `/api/v1/enterprises/import`, `/api/v1/enterprises/{id}`,
//!   `/api/v1/enterprises/{id}/figures`, `/api/v1/enterprises/{id}/history`, `/api/v1/enterprises/{id}/experts`
//! - Pages: `/enterprises`, `/enterprises/{id}`, `/enterprises/{id}/figures`, `/enterprises/{id}/experts`
//!
//! Under `/enterprises/{id}/` but in `libraries`: a firm in every library (`/api/v1/enterprises/{id}/libraries`)
//! and its library profile (`/enterprises/{id}/profile`, also under `/api/v1`).

pub mod api;
pub mod pages;

use axum::routing::{get, post};
use jiqun_app::{Perm, Scope};

use crate::routes::{Access, ApiRoute, FIRM_READERS, PageRoute, json, list};

pub const API: &[ApiRoute] = &[
    ApiRoute {
        method: "get",
        path: "/api/v1/enterprises",
        aliases: &[],
        summary: "The enterprise directory, paged ({items, total}); an enterprise user sees its own firm, an expert its assignments",
        tag: "enterprises",
        query: &[
            ("city", "city"),
            ("scale", "above|below"),
            ("q", "name or USCC contains"),
            ("tag", "a tag"),
            ("offset", "from 0"),
            ("limit", "at most 1000"),
        ],
        body: None,
        request: None,
        ok: 200,
        response: Some(json::<api::EnterprisePage>),
        access: FIRM_READERS,
        auth: true,
        handler: || get(api::enterprises),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/enterprises",
        aliases: &[],
        summary: "Registers a firm or updates its record (by USCC, GB 32100 check character validated)",
        tag: "enterprises",
        query: &[],
        body: Some(
            "{uscc, name, city, county?, industry?, scale: above|below, founded_year, listed?, chain_nodes?, tags?}",
        ),
        request: Some(json::<api::EnterpriseBody>),
        ok: 201,
        response: Some(json::<api::EnterpriseDetail>),
        access: Access::Perm(Perm::EditEnterprise),
        auth: true,
        handler: || post(api::create_enterprise),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/enterprises/import",
        aliases: &[],
        summary: "Imports a CSV in the evaluation input format (contracts §4), all or nothing; errors name line and column",
        tag: "enterprises",
        query: &[("name", "the file's name, recorded as the figures' source")],
        body: Some("CSV (UTF-8 or GB18030)"),
        request: None,
        ok: 201,
        response: Some(json::<api::EnterpriseImport>),
        access: Access::Scoped(Perm::EditEnterprise, &[Scope::All, Scope::OwnCity]),
        auth: true,
        handler: || post(api::import),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/enterprises/{id}",
        aliases: &[],
        summary: "One firm: record, figures (for those who may read them), evaluation results with each item",
        tag: "enterprises",
        query: &[],
        body: None,
        request: None,
        ok: 200,
        response: Some(json::<api::EnterpriseDetail>),
        access: FIRM_READERS,
        auth: true,
        handler: || get(api::enterprise),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/enterprises/{id}/figures",
        aliases: &[],
        summary: "Enters or corrects a year's figures (sealed with SM4; the old value kept in history)",
        tag: "enterprises",
        query: &[],
        body: Some("{year, source, figures: {metric: value}}"),
        request: Some(json::<api::EnterpriseFiguresBody>),
        ok: 201,
        response: Some(json::<api::EnterpriseFigureIds>),
        access: Access::Perm(Perm::EditEnterprise),
        auth: true,
        handler: || post(api::put_figures),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/enterprises/{id}/history",
        aliases: &[],
        summary: "Every version of one figure with its source",
        tag: "enterprises",
        query: &[("year", "year"), ("metric", "metric key")],
        body: None,
        request: None,
        ok: 200,
        response: Some(list::<api::EnterpriseFigure>),
        access: Access::Perm(Perm::ReadFigures),
        auth: true,
        handler: || get(api::figure_history),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/enterprises/{id}/experts",
        aliases: &[],
        summary: "Assigns the firm to an expert for review",
        tag: "enterprises",
        query: &[],
        body: Some("{username}"),
        request: Some(json::<api::EnterpriseExpertBody>),
        ok: 204,
        response: None,
        access: Access::Perm(Perm::AssignExperts),
        auth: true,
        handler: || post(api::assign_expert),
    },
];

pub const PAGES: &[PageRoute] = &[
    PageRoute { method: "get", path: "/enterprises", access: FIRM_READERS, handler: || get(pages::list) },
    PageRoute {
        method: "post",
        path: "/enterprises",
        access: Access::Perm(Perm::EditEnterprise),
        handler: || post(pages::register),
    },
    PageRoute { method: "get", path: "/enterprises/{id}", access: FIRM_READERS, handler: || get(pages::detail) },
    PageRoute {
        method: "post",
        path: "/enterprises/{id}/figures",
        access: Access::Perm(Perm::EditEnterprise),
        handler: || post(pages::put_figures),
    },
    PageRoute {
        method: "post",
        path: "/enterprises/{id}/experts",
        access: Access::Perm(Perm::AssignExperts),
        handler: || post(pages::assign_expert),
    },
];
