//! Exports: any table a user may read, as an Excel workbook (header in the user's language, frozen, with
//! filters, widths and number formats), CSV (UTF-8 with a byte-order mark) or JSON, holding only the rows the
//! list use cases show that user, and recorded in the audit trail. One route a table, each with the access of
//! the table's list; the pages' "导出 Excel" / "导出 CSV" buttons link here.
//!
//! - API: `/api/v1/exports/{table}` for `indicators`, `observations`, `reports`, `enterprises`, `evaluations`,
//!   `projects`, `bases`, `chains`, `challenges`, `matches` (`?format=xlsx|csv|json`, xlsx by default)

pub mod api;

use axum::routing::get;
use jiqun_app::Perm;

use crate::routes::{Access, ApiRoute, FIRM_READERS, PageRoute, binary};

/// The media types an export is answered in.
pub const MEDIA_TYPES: &[&str] =
    &["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv", "application/json"];

const QUERY: &[(&str, &str)] = &[("format", "`xlsx` (default), `csv` (UTF-8 with a byte-order mark) or `json`")];
const QUERY_EVALUATIONS: &[(&str, &str)] = &[
    ("format", "`xlsx` (default), `csv` (UTF-8 with a byte-order mark) or `json`"),
    ("run", "the evaluation run's id (the latest year's newest run by default)"),
];
const QUERY_ENTERPRISES: &[(&str, &str)] = &[
    ("format", "`xlsx` (default), `csv` (UTF-8 with a byte-order mark) or `json`"),
    ("year", "the figures' year (the latest year with figures by default)"),
];

/// One route a table: `$table` is both the path's last segment and the table the use case exports.
macro_rules! export_route {
    ($table:literal, $summary:literal, $access:expr, $query:expr) => {
        ApiRoute::new("get", concat!("/api/v1/exports/", $table), "exports", $summary, $access, || {
            get(|ctx: crate::ctx::Ctx| api::export(ctx, $table))
        })
        .query($query)
        .produces(MEDIA_TYPES)
        .ok(200, Some(binary))
    };
}

pub const API: &[ApiRoute] = &[
    export_route!(
        "indicators",
        "The indicators of every plan with baseline, target, latest value and status, as a file",
        Access::Perm(Perm::ReadPlan),
        QUERY
    ),
    export_route!(
        "observations",
        "The current value of every indicator by period and region, as a file",
        Access::Perm(Perm::ReadPlan),
        QUERY
    ),
    export_route!(
        "reports",
        "The current version of every progress report with its assignment, as a file",
        Access::Perm(Perm::ReadPlan),
        QUERY
    ),
    export_route!(
        "enterprises",
        "The firms the caller may list (a city bureau its city's, an enterprise user its own), with the year's figures where the caller may read them, as a file",
        FIRM_READERS,
        QUERY_ENTERPRISES
    ),
    export_route!(
        "evaluations",
        "A per-mu evaluation run's results per firm as the caller may see them (score and rank only where the caller reads the figures), as a file",
        FIRM_READERS,
        QUERY_EVALUATIONS
    ),
    export_route!(
        "projects",
        "The key projects the caller may read, as a file",
        Access::Perm(Perm::ReadProjects),
        QUERY
    ),
    export_route!("bases", "The recognised platforms and bases, as a file", Access::Perm(Perm::ReadPlan), QUERY),
    export_route!(
        "chains",
        "The chain map, one row a node with what the gap analysis found there, as a file",
        Access::Perm(Perm::ReadChains),
        QUERY
    ),
    export_route!(
        "challenges",
        "The open challenges the caller may see, as a file",
        Access::Perm(Perm::ReadChallenges),
        QUERY
    ),
    export_route!(
        "matches",
        "The chip–terminal candidate pairs the caller may see, ranked, each component's points in a column, as a file",
        Access::Perm(Perm::ReadMatches),
        QUERY
    ),
];

pub const PAGES: &[PageRoute] = &[];
