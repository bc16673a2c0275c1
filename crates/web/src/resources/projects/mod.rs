//! Key projects (重点项目库, 跟踪服务): one record per project from 谋划 to 投产, its stages, the project
//! libraries, the problems of the enterprise through-train (企业直通车); and new industrial project admission
//! (新增工业项目准入), a step of a project: a proposed project assessed on investment, output, tax, jobs,
//! energy and R&D per mu against the admission table (example thresholds).
//!
//! - API: `/api/v1/projects`, `/api/v1/projects/{id}`, `/api/v1/projects/{id}/stage`,
//!   `/api/v1/projects/{id}/problems`, `/api/v1/problems`, `/api/v1/problems/{id}/answer`,
//!   `/api/v1/problems/{id}/settle`, `/api/v1/problems/{id}/route`, `/api/v1/projects/admissions`, `/api/v1/projects/admissions/{id}`,
//!   `/api/v1/projects/{id}/progress`, `/api/v1/projects/{id}/progress/{period}/review`,
//!   `/api/v1/projects/{id}/milestones`, `/api/v1/milestones/{id}/done`, `/api/v1/projects/{id}/log`,
//!   `/api/v1/projects/routing`, `/api/v1/project-libraries/{id}`
//! - Pages: `/projects` (with the routing form for the plan owner, posted to `/projects/routing`), `/projects/{id}` (with its progress, milestones and tracking log and their forms),
//!   `/projects/admission`, `/projects/admission/{id}`

pub mod admission_api;
pub mod admission_pages;
pub mod api;
pub mod libraries;
pub mod pages;
pub mod routing;

use axum::routing::{get, post, put};
use jiqun_app::project_settings::{LibraryTrackers, ProblemRouting};
use jiqun_app::projects::{
    AnswerInput, MilestoneDoneInput, MilestoneInput, MilestoneView, ProblemInput, ProblemView, ProgressInput,
    ProgressReviewInput, ProjectDetail, ProjectLibrary, RouteInput, SettleInput, StageInput, TrackingInput,
};
use jiqun_app::{Perm, Scope};

use crate::routes::{Access, ApiRoute, PageRoute, json, list, request};

const READ: Access = Access::Perm(Perm::ReadProjects);
/// The province's settings of key projects: `manage_projects` everywhere (not a city bureau's).
const PROVINCE_MANAGES: Access = Access::Scoped(Perm::ManageProjects, &[Scope::All]);

#[rustfmt::skip]
pub const API: &[ApiRoute] = &[
    ApiRoute::new("get", "/api/v1/projects", "projects", "Key projects the caller may read (a city's own for its bureau, an enterprise's own), filtered by library, city, stage and plan item, with the project libraries", READ, || get(api::projects))
        .query(&[("library", "a project library id"), ("city", "a city"), ("stage", "a stage code"), ("item", "a plan item")])
        .ok(200, Some(json::<api::ProjectList>)),
    ApiRoute::new("post", "/api/v1/projects", "projects", "Registers a key project at 谋划; or, with the admission body (`project`, `land_mu` …), assesses a new industrial project and starts a project with its check", Access::Any(&[Perm::ManageProjects, Perm::AssessProjects]), || post(api::create))
        .body("{name, city, source, owner_uscc?, owner_name?, libraries?, plan_items?, …} or the admission body {project, city, zone, industry_code, land_mu, …}", Some(request::<api::NewProjectBody>()))
        .ok(201, Some(json::<ProjectDetail>)),
    ApiRoute::new("get", "/api/v1/projects/routing", "projects", "Where each kind of problem goes (企业直通车) and in how many days it is due (half, at least two, on the fast lane)", READ, || get(routing::routing))
        .ok(200, Some(json::<ProblemRouting>)),
    ApiRoute::new("put", "/api/v1/projects/routing", "projects", "Changes the routing of problems (the plan owner: `manage_projects` everywhere); each department must be registered, each number of days 1–365; a kind left out keeps its setting", PROVINCE_MANAGES, || put(routing::set_routing))
        .body("{routing: {land: {department, days}, …}}", Some(request::<ProblemRouting>()))
        .ok(200, Some(json::<ProblemRouting>)),
    ApiRoute::new("put", "/api/v1/project-libraries/{id}", "projects", "Sets who tracks and serves a project library (跟踪服务): its departments (registered ones) and officials (usernames of existing accounts); the plan owner only; an unknown one is 422 naming it", PROVINCE_MANAGES, || put(libraries::set_trackers))
        .body("{departments, officials}", Some(request::<LibraryTrackers>()))
        .ok(200, Some(json::<ProjectLibrary>)),
    ApiRoute::new("get", "/api/v1/projects/admissions", "admission", "New industrial project proposals with their decisions (a city's own for its bureau), and the admission table (example thresholds)", Access::Perm(Perm::AssessProjects), || get(admission_api::admissions))
        .ok(200, Some(json::<admission_api::AdmissionList>)),
    ApiRoute::new("get", "/api/v1/projects/admissions/{id}", "admission", "One admission check with its stored result, who assessed it and its project", Access::Perm(Perm::AssessProjects), || get(admission_api::admission))
        .ok(200, Some(json::<admission_api::ProjectProposal>)),
    ApiRoute::new("get", "/api/v1/projects/{id}", "projects", "One project with its stage timeline and problems", READ, || get(api::project))
        .ok(200, Some(json::<ProjectDetail>)),
    ApiRoute::new("post", "/api/v1/projects/{id}/stage", "projects", "Moves a project to another stage with the day and why; an impossible change (投产 before 开工, anything after 终止) is 409 naming both stages", Access::Perm(Perm::ManageProjects), || post(api::move_stage))
        .body("{stage, on, reason, version?}", Some(request::<StageInput>()))
        .ok(200, Some(json::<ProjectDetail>)),
    ApiRoute::new("post", "/api/v1/projects/{id}/problems", "projects", "Raises a problem on a project (企业直通车), routed to the department for its kind with a deadline", Access::Perm(Perm::RaiseProblem), || post(api::raise_problem))
        .body("{kind, description}", Some(request::<ProblemInput>()))
        .ok(201, Some(json::<ProblemView>)),
    ApiRoute::new("get", "/api/v1/problems", "projects", "Problems: those routed to the caller's department, and those on the projects the caller reads; open and overdue first", Access::Any(&[Perm::ReadProjects, Perm::AnswerProblem]), || get(api::problems))
        .ok(200, Some(list::<ProblemView>)),
    ApiRoute::new("post", "/api/v1/problems/{id}/answer", "projects", "The department answers a problem routed to it (with the basis of a case-by-case decision, if it is one)", Access::Perm(Perm::AnswerProblem), || post(api::answer))
        .body("{answer, decision_basis?}", Some(request::<AnswerInput>()))
        .ok(200, Some(json::<ProblemView>)),
    ApiRoute::new("post", "/api/v1/problems/{id}/route", "projects", "Routes a problem to another department (those who manage the project); its deadline starts again", Access::Perm(Perm::ManageProjects), || post(api::route))
        .body("{department}", Some(request::<RouteInput>()))
        .ok(200, Some(json::<ProblemView>)),
    ApiRoute::new("post", "/api/v1/problems/{id}/settle", "projects", "The raiser accepts an answer (closing the problem) or reopens it", Access::Perm(Perm::RaiseProblem), || post(api::settle))
        .body("{accept}", Some(request::<SettleInput>()))
        .ok(200, Some(json::<ProblemView>)),
    ApiRoute::new("post", "/api/v1/projects/{id}/progress", "projects", "Reports a period's progress (investment completed in the period and cumulative, physical progress, narrative): the owner enterprise, the city bureau or the plan owner; a period not begun is refused; a second report of a period is a resubmission until one is accepted; a cumulative below an earlier accepted period's is 409", Access::Perm(Perm::ReportProject), || post(api::report_progress))
        .body("{period, invest_period_wan, invest_cumulative_wan, physical_percent, narrative}", Some(request::<ProgressInput>()))
        .ok(201, Some(json::<ProjectDetail>)),
    ApiRoute::new("post", "/api/v1/projects/{id}/progress/{period}/review", "projects", "Accepts a period's progress or returns it with a comment (those who manage the project)", Access::Perm(Perm::ManageProjects), || post(api::review_progress))
        .body("{accept, comment?}", Some(request::<ProgressReviewInput>()))
        .ok(200, Some(json::<ProjectDetail>)),
    ApiRoute::new("post", "/api/v1/projects/{id}/milestones", "projects", "Adds a milestone with its planned date (those who manage the project); one past its planned date and not done is slipping", Access::Perm(Perm::ManageProjects), || post(api::add_milestone))
        .body("{name, planned_on}", Some(request::<MilestoneInput>()))
        .ok(201, Some(json::<MilestoneView>)),
    ApiRoute::new("post", "/api/v1/milestones/{id}/done", "projects", "Records the day a milestone was reached (those who manage its project)", Access::Perm(Perm::ManageProjects), || post(api::milestone_done))
        .body("{on}", Some(request::<MilestoneDoneInput>()))
        .ok(200, Some(json::<MilestoneView>)),
    ApiRoute::new("post", "/api/v1/projects/{id}/log", "projects", "Records a visit, meeting or decision in the project's tracking log (跟踪服务): those who manage the project, or a department answering one of its problems", Access::Any(&[Perm::ManageProjects, Perm::AnswerProblem]), || post(api::add_tracking))
        .body("{on, kind, note, who}", Some(request::<TrackingInput>()))
        .ok(201, Some(json::<ProjectDetail>)),
];

#[rustfmt::skip]
pub const PAGES: &[PageRoute] = &[
    PageRoute::new("get", "/projects", READ, || get(pages::projects)),
    PageRoute::new("post", "/projects", Access::Perm(Perm::AssessProjects), || post(admission_pages::assess)),
    PageRoute::new("post", "/projects/routing", PROVINCE_MANAGES, || post(routing::set_routing_page)),
    PageRoute::new("post", "/projects/libraries/{id}/trackers", PROVINCE_MANAGES, || post(libraries::set_trackers_page)),
    PageRoute::new("post", "/projects/new", Access::Perm(Perm::ManageProjects), || post(pages::register)),
    PageRoute::new("get", "/projects/admission", Access::Perm(Perm::AssessProjects), || {
        get(admission_pages::admission)
    }),
    PageRoute::new("post", "/projects/admission", Access::Perm(Perm::AssessProjects), || post(admission_pages::assess)),
    PageRoute::new("get", "/projects/admission/{id}", Access::Perm(Perm::AssessProjects), || {
        get(admission_pages::check)
    }),
    PageRoute::new("get", "/projects/{id}", READ, || get(pages::project)),
    PageRoute::new("post", "/projects/{id}/stage", Access::Perm(Perm::ManageProjects), || post(pages::stage)),
    PageRoute::new("post", "/projects/{id}/problems", Access::Perm(Perm::RaiseProblem), || post(pages::raise)),
    PageRoute::new("post", "/problems/{id}/answer", Access::Perm(Perm::AnswerProblem), || post(pages::answer)),
    PageRoute::new("post", "/problems/{id}/settle", Access::Perm(Perm::RaiseProblem), || post(pages::settle)),
    PageRoute::new("post", "/projects/{id}/progress", Access::Perm(Perm::ReportProject), || post(pages::progress)),
    PageRoute::new("post", "/projects/{id}/progress/{period}/review", Access::Perm(Perm::ManageProjects), || post(pages::review)),
    PageRoute::new("post", "/projects/{id}/milestones", Access::Perm(Perm::ManageProjects), || post(pages::milestone)),
    PageRoute::new("post", "/milestones/{id}/done", Access::Perm(Perm::ManageProjects), || post(pages::milestone_done)),
    PageRoute::new("post", "/projects/{id}/log", Access::Any(&[Perm::ManageProjects, Perm::AnswerProblem]), || post(pages::log)),
];
