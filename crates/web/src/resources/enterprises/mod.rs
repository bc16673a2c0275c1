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
use jiqun_app::registry::{EnterpriseInput, Figure, ImportOutcome};
use jiqun_app::{Perm, Scope};

use crate::routes::{Access, ApiRoute, FIRM_READERS, PageRoute, json, list, request};

#[rustfmt::skip]
pub const API: &[ApiRoute] = &[
    ApiRoute::new("get", "/api/v1/enterprises", "enterprises", "The enterprise directory, paged ({items, total}); an enterprise user sees its own firm, an expert its assignments", FIRM_READERS, || get(api::enterprises))
        .query(&[("city", "city"), ("scale", "above|below"), ("q", "the name contains it, or the USCC begins with it"), ("tag", "a tag"), ("offset", "from 0"), ("limit", "at most 1000")])
        .ok(200, Some(json::<api::EnterprisePage>)),
    ApiRoute::new("post", "/api/v1/enterprises", "enterprises", "Registers a firm or updates its record (by USCC, GB 32100 check character validated)", Access::Perm(Perm::EditEnterprise), || post(api::create_enterprise))
        .body("{uscc, name, city, county?, industry?, scale: above|below, founded_year, listed?, chain_nodes?, tags?}", Some(request::<EnterpriseInput>()))
        .ok(201, Some(json::<api::EnterpriseDetail>)),
    ApiRoute::new("post", "/api/v1/enterprises/import", "enterprises", "Imports a CSV in the evaluation input format (contracts §4), all or nothing; errors name line and column", Access::Scoped(Perm::EditEnterprise, &[Scope::All, Scope::OwnCity]), || post(api::import))
        .query(&[("name", "the file's name, recorded as the figures' source")])
        .upload("CSV (UTF-8 or GB18030)", "text/csv")
        .ok(201, Some(json::<ImportOutcome>)),
    ApiRoute::new("get", "/api/v1/enterprises/{id}", "enterprises", "One firm: record, figures (for those who may read them), evaluation results with each item", FIRM_READERS, || get(api::enterprise))
        .ok(200, Some(json::<api::EnterpriseDetail>)),
    ApiRoute::new("post", "/api/v1/enterprises/{id}/figures", "enterprises", "Enters or corrects a year's figures (sealed with SM4; the old value kept in history)", Access::Perm(Perm::EditEnterprise), || post(api::put_figures))
        .body("{year, source, figures: {metric: value}}", Some(request::<api::EnterpriseFiguresBody>()))
        .ok(201, Some(json::<api::EnterpriseFigureIds>)),
    ApiRoute::new("get", "/api/v1/enterprises/{id}/history", "enterprises", "Every version of one figure with its source", Access::Perm(Perm::ReadFigures), || get(api::figure_history))
        .query(&[("year", "year"), ("metric", "metric key")])
        .ok(200, Some(list::<Figure>)),
    ApiRoute::new("post", "/api/v1/enterprises/{id}/experts", "enterprises", "Assigns the firm to an expert for review", Access::Perm(Perm::AssignExperts), || post(api::assign_expert))
        .body("{username}", Some(request::<api::EnterpriseExpertBody>()))
        .ok(204, None),
];

pub const PAGES: &[PageRoute] = &[
    PageRoute::new("get", "/enterprises", FIRM_READERS, || get(pages::list)),
    PageRoute::new("post", "/enterprises", Access::Perm(Perm::EditEnterprise), || post(pages::register)),
    PageRoute::new("get", "/enterprises/{id}", FIRM_READERS, || get(pages::detail)),
    PageRoute::new("post", "/enterprises/{id}/figures", Access::Perm(Perm::EditEnterprise), || {
        post(pages::put_figures)
    }),
    PageRoute::new("post", "/enterprises/{id}/experts", Access::Perm(Perm::AssignExperts), || {
        post(pages::assign_expert)
    }),
];
