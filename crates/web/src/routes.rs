//! The API's routes and their OpenAPI description, declared together in one table so that neither can
//! drift: the router is built from the table and the OpenAPI document is generated from it.

use axum::Router;
use axum::routing::{MethodRouter, get, post, put};
use serde_json::{Map, Value, json};

use jiqun_app::{Perm, Scope};

use crate::api;
use crate::api_cultivation as cult;
use crate::api_registry as reg;
use crate::ctx::AppState;

pub struct ApiRoute {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub tag: &'static str,
    /// Query parameters: (name, description).
    pub query: &'static [(&'static str, &'static str)],
    /// The request body, described; `None` when there is none.
    pub body: Option<&'static str>,
    /// The success status.
    pub ok: u16,
    /// False for the few routes that need no session.
    pub auth: bool,
    /// Who may call it. The handlers enforce this through the use cases' policy; the role × route test
    /// (`tests/access.rs`) checks every route against it for every role, so a route cannot be added
    /// without saying who may use it.
    pub access: Access,
    pub handler: fn() -> MethodRouter<AppState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No session needed.
    Public,
    /// Any logged-in user, also one who must first change the password or enrol TOTP.
    Account,
    /// Users whose roles grant this permission (in the scope of the object, where it has one: a
    /// department's assignment, a city's observation, an enterprise's figures). Roles are data
    /// (`jiqun_app::policy`); the role × route test checks every route against the built-in roles.
    Perm(Perm),
    /// Users holding any of these permissions (the handler narrows what each sees: an enterprise user
    /// lists only its own firm, an expert only what it is assigned).
    Any(&'static [Perm]),
    /// Users holding the permission in one of these scopes (a bulk import: everywhere or a whole city).
    Scoped(Perm, &'static [Scope]),
}

/// Who reads a firm: the directory readers, and those who read some firm's figures.
const FIRM_READERS: Access = Access::Any(&[Perm::ReadEnterprises, Perm::ReadFigures]);

pub const API: &[ApiRoute] = &[
    ApiRoute {
        method: "get",
        path: "/healthz",
        summary: "200 when the database answers",
        tag: "system",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Public,
        auth: false,
        handler: || get(api::healthz),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/openapi.json",
        summary: "This document",
        tag: "system",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Public,
        auth: false,
        handler: || get(api::openapi),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/auth/login",
        summary: "Log in; returns a bearer token. 401 on a wrong password, 423 while locked",
        tag: "auth",
        query: &[],
        body: Some("{username, password, totp?}"),
        ok: 200,
        access: Access::Public,
        auth: false,
        handler: || post(api::login),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/auth/logout",
        summary: "End the session server-side",
        tag: "auth",
        query: &[],
        body: None,
        ok: 204,
        access: Access::Account,
        auth: true,
        handler: || post(api::logout),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/auth/me",
        summary: "The caller, with any restriction (password change or TOTP enrolment required first)",
        tag: "auth",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Account,
        auth: true,
        handler: || get(api::me),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/auth/password",
        summary: "Change the caller's password (not one of the last five)",
        tag: "auth",
        query: &[],
        body: Some("{old_password, new_password}"),
        ok: 204,
        access: Access::Account,
        auth: true,
        handler: || post(api::change_password),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/auth/totp/enroll",
        summary: "Start enrolling a TOTP second factor: returns the secret and otpauth URI",
        tag: "auth",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Account,
        auth: true,
        handler: || post(api::totp_enrol),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/auth/totp/confirm",
        summary: "Confirm the enrolment with a code; TOTP is then required at login",
        tag: "auth",
        query: &[],
        body: Some("{code}"),
        ok: 204,
        access: Access::Account,
        auth: true,
        handler: || post(api::totp_confirm),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/plans",
        summary: "Plans",
        tag: "plans",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::plans),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/plans",
        summary: "Import a plan: the document (.txt UTF-8/GBK, .docx, .html) is the body",
        tag: "plans",
        query: &[("name", "where the document came from")],
        body: Some("the document's bytes"),
        ok: 201,
        access: Access::Perm(Perm::ImportPlan),
        auth: true,
        handler: || post(api::import_plan),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/plans/{id}",
        summary: "A plan: the compiled plan JSON with its id",
        tag: "plans",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::plan),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/plans/{id}/close",
        summary: "Close a plan with its final assessment, naming its successor plan",
        tag: "plans",
        query: &[],
        body: Some("{assessment, successor?}"),
        ok: 200,
        access: Access::Perm(Perm::ClosePlan),
        auth: true,
        handler: || post(api::close_plan),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/plans/{id}/indicators",
        summary: "Add an indicator the document lacks",
        tag: "indicators",
        query: &[],
        body: Some(
            "{name, unit, direction, method, frequency, baseline_period?, baseline_value?, target_cmp, target_value, target_value_max?, target_year, by_city, item?}",
        ),
        ok: 201,
        access: Access::Perm(Perm::EditIndicator),
        auth: true,
        handler: || post(api::add_indicator),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/plans/{id}/rounds",
        summary: "Reporting rounds and their deadlines",
        tag: "supervision",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::rounds),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/plans/{id}/rounds",
        summary: "Open a reporting round or move its deadline",
        tag: "supervision",
        query: &[],
        body: Some("{period, deadline}"),
        ok: 201,
        access: Access::Perm(Perm::ManageRounds),
        auth: true,
        handler: || post(api::set_round),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/indicators",
        summary: "Indicators with baseline, target, latest value and computed progress",
        tag: "indicators",
        query: &[("plan", "plan id")],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::indicators),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/indicators/{id}",
        summary: "One indicator",
        tag: "indicators",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::indicator),
    },
    ApiRoute {
        method: "put",
        path: "/api/v1/indicators/{id}",
        summary: "Edit an indicator (plan owner)",
        tag: "indicators",
        query: &[],
        body: Some("as for adding"),
        ok: 200,
        access: Access::Perm(Perm::EditIndicator),
        auth: true,
        handler: || put(api::update_indicator),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/indicators/{id}/override",
        summary: "Override the computed status with a reason, or clear it (status null)",
        tag: "indicators",
        query: &[],
        body: Some("{status|null, reason}"),
        ok: 200,
        access: Access::Perm(Perm::OverrideStatus),
        auth: true,
        handler: || post(api::override_status),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/indicators/{id}/observations",
        summary: "Every observation, corrections included",
        tag: "indicators",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::observations),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/indicators/{id}/observations",
        summary: "Record a value; a second one for the same period and region is a correction",
        tag: "indicators",
        query: &[],
        body: Some("{period, value, region?, source?}"),
        ok: 201,
        access: Access::Perm(Perm::AddObservation),
        auth: true,
        handler: || post(api::add_observation),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/assignments",
        summary: "Items a department answers for, with their reports",
        tag: "supervision",
        query: &[("agency", "department name"), ("plan", "plan id")],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::assignments),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/assignments/{id}/reports",
        summary: "File a progress report (a resubmission keeps the history)",
        tag: "supervision",
        query: &[],
        body: Some("{period, status, percent, narrative, problems?, help_needed?, draft?}"),
        ok: 201,
        access: Access::Perm(Perm::FileReport),
        auth: true,
        handler: || post(api::file_report),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/reports",
        summary: "Current reports",
        tag: "supervision",
        query: &[("plan", "plan id"), ("state", "draft, submitted, returned or accepted")],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::reports),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/reports/{id}/review",
        summary: "Accept a submitted report or return it with comments",
        tag: "supervision",
        query: &[],
        body: Some("{accept, comment}"),
        ok: 200,
        access: Access::Perm(Perm::ReviewReport),
        auth: true,
        handler: || post(api::review_report),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/reports/{id}/attachments",
        summary: "Attach evidence to a report (the file's bytes are the body; at most 10 MB)",
        tag: "supervision",
        query: &[("filename", "the file's name")],
        body: Some("the file's bytes"),
        ok: 201,
        access: Access::Perm(Perm::FileReport),
        auth: true,
        handler: || post(api::add_attachment),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/attachments/{id}",
        summary: "Download an attachment",
        tag: "supervision",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::attachment),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/users",
        summary: "Users (administrators)",
        tag: "users",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadUsers),
        auth: true,
        handler: || get(api::users),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/users",
        summary: "Create a user (system administrator)",
        tag: "users",
        query: &[],
        body: Some("{username, password, roles, display_name?, agency?, city?, uscc?, contact?}"),
        ok: 201,
        access: Access::Perm(Perm::ManageUsers),
        auth: true,
        handler: || post(api::create_user),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/roles",
        summary: "Grant a role (security administrator); no account may hold two administrator roles",
        tag: "users",
        query: &[],
        body: Some("{username, role}"),
        ok: 204,
        access: Access::Perm(Perm::ManageRoles),
        auth: true,
        handler: || post(api::grant_role),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/policy",
        summary: "The security policy settings (security administrator)",
        tag: "users",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ManageRoles),
        auth: true,
        handler: || get(api::policy),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/policy",
        summary: "Change a security policy setting within its bounds (security administrator)",
        tag: "users",
        query: &[],
        body: Some("{key, value}"),
        ok: 200,
        access: Access::Perm(Perm::ManageRoles),
        auth: true,
        handler: || post(api::set_policy),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/audit",
        summary: "The audit trail (audit administrator only); format=csv for a download",
        tag: "audit",
        query: &[("from", "ms since 1970"), ("to", "ms since 1970"), ("limit", "at most 100000"), ("format", "csv")],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadAudit),
        auth: true,
        handler: || get(api::audit),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/changes",
        summary: "What changed since the caller's previous login",
        tag: "plans",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadPlan),
        auth: true,
        handler: || get(api::changes),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/roles",
        summary: "The role definitions in force (built-in and stored), the permissions and the scopes",
        tag: "users",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadUsers),
        auth: true,
        handler: || get(reg::roles),
    },
    ApiRoute {
        method: "put",
        path: "/api/v1/roles/{name}",
        summary: "Defines a role or changes a business role's grants (the three administrator roles are fixed)",
        tag: "users",
        query: &[],
        body: Some("{label_zh, label_en, grants: [{perm, scope}]}"),
        ok: 204,
        access: Access::Perm(Perm::ManageRoles),
        auth: true,
        handler: || put(reg::set_role),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/enterprises",
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
        ok: 200,
        access: FIRM_READERS,
        auth: true,
        handler: || get(reg::enterprises),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/enterprises",
        summary: "Registers a firm or updates its record (by USCC, GB 32100 check character validated)",
        tag: "enterprises",
        query: &[],
        body: Some(
            "{uscc, name, city, county?, industry?, scale: above|below, founded_year, listed?, chain_nodes?, tags?}",
        ),
        ok: 201,
        access: Access::Perm(Perm::EditEnterprise),
        auth: true,
        handler: || post(reg::create_enterprise),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/enterprises/import",
        summary: "Imports a CSV in the evaluation input format (contracts §4), all or nothing; errors name line and column",
        tag: "enterprises",
        query: &[("name", "the file's name, recorded as the figures' source")],
        body: Some("CSV (UTF-8 or GB18030)"),
        ok: 201,
        access: Access::Scoped(Perm::EditEnterprise, &[Scope::All, Scope::OwnCity]),
        auth: true,
        handler: || post(reg::import),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/enterprises/{id}",
        summary: "One firm: record, figures (for those who may read them), evaluation results with each item",
        tag: "enterprises",
        query: &[],
        body: None,
        ok: 200,
        access: FIRM_READERS,
        auth: true,
        handler: || get(reg::enterprise),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/enterprises/{id}/figures",
        summary: "Enters or corrects a year's figures (sealed with SM4; the old value kept in history)",
        tag: "enterprises",
        query: &[],
        body: Some("{year, source, figures: {metric: value}}"),
        ok: 201,
        access: Access::Perm(Perm::EditEnterprise),
        auth: true,
        handler: || post(reg::put_figures),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/enterprises/{id}/history",
        summary: "Every version of one figure with its source",
        tag: "enterprises",
        query: &[("year", "year"), ("metric", "metric key")],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadFigures),
        auth: true,
        handler: || get(reg::figure_history),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/enterprises/{id}/experts",
        summary: "Assigns the firm to an expert for review",
        tag: "enterprises",
        query: &[],
        body: Some("{username}"),
        ok: 204,
        access: Access::Perm(Perm::AssignExperts),
        auth: true,
        handler: || post(reg::assign_expert),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/evaluations",
        summary: "Per-mu evaluation runs, newest first",
        tag: "evaluations",
        query: &[],
        body: None,
        ok: 200,
        access: FIRM_READERS,
        auth: true,
        handler: || get(reg::evaluations),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/evaluations",
        summary: "Rates every registered firm with figures for the year by a scheme",
        tag: "evaluations",
        query: &[],
        body: Some("{year, scheme?}"),
        ok: 201,
        access: Access::Perm(Perm::RunEvaluation),
        auth: true,
        handler: || post(reg::run_evaluation),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/evaluations/{id}",
        summary: "A run's distribution by city and class, and the movement between classes since last year's run",
        tag: "evaluations",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadEnterprises),
        auth: true,
        handler: || get(reg::evaluation),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/evaluations/{id}/results",
        summary: "A run's results: classes for directory readers; scores, ranks and items where the caller reads the figures",
        tag: "evaluations",
        query: &[("city", "city")],
        body: None,
        ok: 200,
        access: FIRM_READERS,
        auth: true,
        handler: || get(reg::evaluation_results),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/schemes",
        summary: "The per-mu evaluation schemes available",
        tag: "evaluations",
        query: &[],
        body: None,
        ok: 200,
        access: FIRM_READERS,
        auth: true,
        handler: || get(reg::schemes),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/schemes",
        summary: "Adds a jurisdiction's per-mu evaluation scheme (the JSON scheme file; errors name the JSON path)",
        tag: "evaluations",
        query: &[],
        body: Some("the scheme file (docs/evaluation.md)"),
        ok: 201,
        access: Access::Perm(Perm::RunEvaluation),
        auth: true,
        handler: || post(reg::put_scheme),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/evaluations/{id}/policy",
        summary: "The differentiated resource policy (Jiqun's example table, to be set by the jurisdiction) applied to a run: per city counts by class, estimated surcharges, quota levels; per firm where the caller reads its figures",
        tag: "evaluations",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadEnterprises),
        auth: true,
        handler: || get(cult::evaluation_policy),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/libraries",
        summary: "The cultivation libraries with source, confidence and member / candidate counts for the year, and the backbone directory's R&D intensity",
        tag: "libraries",
        query: &[("year", "the figures' year (default: the registry's latest)")],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadEnterprises),
        auth: true,
        handler: || get(cult::libraries),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/libraries/recompute",
        summary: "Computes the indicators the libraries feed for a year (backbone R&D intensity; count indicators the plan has) and stores them as the current plan's observations",
        tag: "libraries",
        query: &[],
        body: Some("{year}"),
        ok: 200,
        access: Access::Perm(Perm::ManageLibraries),
        auth: true,
        handler: || post(cult::recompute),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/libraries/{name}",
        summary: "One library: members and candidates (a ranking in rank order, with its example weights); each check's values only for firms whose figures the caller reads",
        tag: "libraries",
        query: &[("year", "the figures' year (default: the registry's latest)")],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::ReadEnterprises),
        auth: true,
        handler: || get(cult::library),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/libraries/{name}/designations",
        summary: "Designates a registered firm into a designation library (the backbone directory per chain), with the notice; audited",
        tag: "libraries",
        query: &[],
        body: Some("{enterprise_id | uscc, chain?, reference?}"),
        ok: 201,
        access: Access::Perm(Perm::ManageLibraries),
        auth: true,
        handler: || post(cult::designate),
    },
    ApiRoute {
        method: "put",
        path: "/api/v1/libraries/{name}/ranking",
        summary: "Sets a ranking library's weights and the number selected (the AI top-100); checked field by field; audited",
        tag: "libraries",
        query: &[],
        body: Some("{top_n, weights: [{figure, weight, lower_is_better?, log?}], note: {zh, en}}"),
        ok: 204,
        access: Access::Perm(Perm::ManageLibraries),
        auth: true,
        handler: || put(cult::set_ranking),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/libraries/{name}/withdraw",
        summary: "Withdraws a firm's designation (kept as history, with the reason); audited",
        tag: "libraries",
        query: &[],
        body: Some("{enterprise_id | uscc, chain?, reason?}"),
        ok: 204,
        access: Access::Perm(Perm::ManageLibraries),
        auth: true,
        handler: || post(cult::withdraw),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/enterprises/{id}/libraries",
        summary: "One firm in every library: status for its readers; each check with value and threshold for those who read its figures",
        tag: "libraries",
        query: &[("year", "the figures' year (default: the registry's latest)")],
        body: None,
        ok: 200,
        access: FIRM_READERS,
        auth: true,
        handler: || get(cult::firm_libraries),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/enterprises/{id}/profile",
        summary: "Enters or corrects a firm's library profile figures (registry figures, sealed with SM4; flags 1 or 0)",
        tag: "libraries",
        query: &[],
        body: Some("{year, source, figures: {metric: value}}"),
        ok: 201,
        access: Access::Perm(Perm::ManageLibraries),
        auth: true,
        handler: || post(cult::put_profile),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/projects",
        summary: "New industrial project proposals with their decisions (a city's own for its bureau), and the admission table (example thresholds)",
        tag: "admission",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::AssessProjects),
        auth: true,
        handler: || get(cult::projects),
    },
    ApiRoute {
        method: "post",
        path: "/api/v1/projects",
        summary: "Assesses a proposal (admit, admit with conditions, reject, with each metric, threshold, source and reason) and stores it",
        tag: "admission",
        query: &[],
        body: Some(
            "{project, city, zone, industry_code, land_mu, fixed_investment_wan?, annual_output_wan?, annual_tax_wan?, jobs?, energy_tce?, value_added_wan?, rd_wan?}",
        ),
        ok: 201,
        access: Access::Perm(Perm::AssessProjects),
        auth: true,
        handler: || post(cult::assess_project),
    },
    ApiRoute {
        method: "get",
        path: "/api/v1/projects/{id}",
        summary: "One proposal with its stored result and who assessed it",
        tag: "admission",
        query: &[],
        body: None,
        ok: 200,
        access: Access::Perm(Perm::AssessProjects),
        auth: true,
        handler: || get(cult::project),
    },
];

pub fn api_router() -> Router<AppState> {
    let mut r = Router::new();
    for route in API {
        r = r.route(route.path, (route.handler)());
    }
    r
}

pub fn openapi() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for r in API {
        let mut params: Vec<Value> = Vec::new();
        for seg in r.path.split('/') {
            if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                let ty = if name == "id" { "integer" } else { "string" };
                params.push(json!({ "name": name, "in": "path", "required": true, "schema": { "type": ty } }));
            }
        }
        for (name, desc) in r.query {
            params.push(json!({ "name": name, "in": "query", "required": false, "description": desc, "schema": { "type": "string" } }));
        }
        params.push(json!({ "name": "Accept-Language", "in": "header", "required": false, "description": "zh-CN (default) or en", "schema": { "type": "string" } }));
        let mut op = json!({
            "summary": r.summary,
            "tags": [r.tag],
            "operationId": format!("{}_{}", r.method, r.path.trim_start_matches('/').replace(['/', '{', '}', '.'], "_")),
            "parameters": params,
            "responses": {
                r.ok.to_string(): { "description": "success" },
                "4XX": { "description": "error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
            },
        });
        if let Some(body) = r.body {
            let raw = r.path == "/api/v1/plans" || r.path.ends_with("/attachments");
            let content_type = if raw { "application/octet-stream" } else { "application/json" };
            op["requestBody"] = json!({ "required": true, "description": body, "content": { content_type: { "schema": { "type": if content_type == "application/json" { "object" } else { "string" } } } } });
        }
        if r.auth {
            op["security"] = json!([{ "bearer": [] }]);
        }
        op["x-jiqun-access"] = json!(match r.access {
            Access::Public => "public".to_string(),
            Access::Account => "any logged-in user".to_string(),
            Access::Perm(p) => {
                let table = jiqun_app::RoleTable::default();
                let holders: Vec<String> = table
                    .roles
                    .iter()
                    .filter_map(|role| {
                        let scopes: Vec<&str> =
                            role.grants.iter().filter(|g| g.perm == p).map(|g| g.scope.as_str()).collect();
                        (!scopes.is_empty()).then(|| format!("{} ({})", role.name, scopes.join(", ")))
                    })
                    .collect();
                format!("permission {}; built-in roles holding it: {}", p.as_str(), holders.join(", "))
            }
            Access::Scoped(p, scopes) => {
                let list: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
                format!("permission {} in scope {}", p.as_str(), list.join(" or "))
            }
            Access::Any(perms) => {
                let list: Vec<&str> = perms.iter().map(|p| p.as_str()).collect();
                format!("any of the permissions {}; each caller sees only what its scopes cover", list.join(", "))
            }
        });
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        entry[r.method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Jiqun (集群) API", "version": env!("CARGO_PKG_VERSION"), "description": "The system of record for an industrial-cluster action plan. Errors are {\"error\": {\"code\", \"message\", \"details\"}} with the message in the request's language." },
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": { "error": { "type": "object", "properties": {
                        "code": { "type": "string" }, "message": { "type": "string" }, "details": { "type": "array", "items": { "type": "object" } }
                    } } }
                }
            }
        }
    })
}
