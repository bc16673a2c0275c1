//! Templates and imports: the Excel templates officials fill in, and the filled-in files (or CSVs of the
//! same columns) taken back, all or nothing, with every mistake placed (docs/office.md).
//!
//! - API: `/api/v1/templates/{enterprises,observations,reports,projects}`, `/api/v1/imports`,
//!   `/api/v1/imports/marked`
//! - Pages: `/imports` (download a template, upload a file, see its mistakes, get it back marked)

pub mod api;
pub mod pages;

use axum::routing::{get, post};
use jiqun_app::{Perm, Scope};

use crate::routes::{Access, ApiRoute, PageRoute, binary, json};

/// Who fills in some template: those who register firms for a city or everywhere, enter indicator
/// values, file progress reports or report projects' progress. The use case narrows by the file's kind.
pub const FILLERS: Access =
    Access::Any(&[Perm::EditEnterprise, Perm::AddObservation, Perm::FileReport, Perm::ReportProject]);

const TEMPLATE_QUERY: &[(&str, &str)] = &[
    ("plan", "the plan's id (default: the first plan)"),
    ("period", "the rows' period: 2025, 2025Q2 or 2025-06 (default: the one under way)"),
];
const FILE_QUERY: &[(&str, &str)] = &[("name", "the file's name, as the audit log and the messages give it")];
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[rustfmt::skip]
pub const API: &[ApiRoute] = &[
    ApiRoute::new("get", "/api/v1/templates/enterprises", "imports", "The enterprise template (.xlsx): the registry's import columns; a city bureau's names its city", Access::Scoped(Perm::EditEnterprise, &[Scope::All, Scope::OwnCity]), || get(api::template_enterprises))
        .query(TEMPLATE_QUERY)
        .produces(&[XLSX])
        .ok(200, Some(binary)),
    ApiRoute::new("get", "/api/v1/templates/observations", "imports", "The observations template (.xlsx): a row per indicator × city the caller may enter, for a period", Access::Perm(Perm::AddObservation), || get(api::template_observations))
        .query(TEMPLATE_QUERY)
        .produces(&[XLSX])
        .ok(200, Some(binary)),
    ApiRoute::new("get", "/api/v1/templates/reports", "imports", "The reports template (.xlsx): the caller's department's assignments, with the four statuses as a list", Access::Perm(Perm::FileReport), || get(api::template_reports))
        .query(TEMPLATE_QUERY)
        .produces(&[XLSX])
        .ok(200, Some(binary)),
    ApiRoute::new("get", "/api/v1/templates/projects", "imports", "The projects template (.xlsx): progress per period of the key projects the caller reports on", Access::Perm(Perm::ReportProject), || get(api::template_projects))
        .query(TEMPLATE_QUERY)
        .produces(&[XLSX])
        .ok(200, Some(binary)),
    ApiRoute::new("post", "/api/v1/imports", "imports", "Import a filled-in template (.xlsx) or a CSV of the same columns; the kind is read from the file; all or nothing; every mistake placed (sheet!cell, or line:column for a CSV)", FILLERS, || post(api::import))
        .query(FILE_QUERY)
        .upload("the file's bytes (.xlsx or CSV in UTF-8 or GB18030)", "application/octet-stream")
        .ok(201, Some(json::<jiqun_app::imports::ImportSummary>)),
    ApiRoute::new("post", "/api/v1/imports/marked", "imports", "The same file given back as a workbook with each mistake's cell filled red and commented, and a sheet listing them; 204 when it has none; writes nothing", FILLERS, || post(api::marked))
        .query(FILE_QUERY)
        .upload("the file's bytes (.xlsx or CSV)", "application/octet-stream")
        .produces(&[XLSX])
        .ok(200, Some(binary)),
];

pub const PAGES: &[PageRoute] = &[PageRoute::new("get", "/imports", FILLERS, || get(pages::imports))];
