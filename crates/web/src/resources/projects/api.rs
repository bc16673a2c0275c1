//! The key-project library as JSON: the projects (filtered), one project with its timeline and problems,
//! registering one (or assessing a new industrial project for admission, which starts one), moving its
//! stage, and the problems of the enterprise through-train.

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiqun_app::AppError;
use jiqun_app::cultivation::ProposalInput;
use jiqun_app::model::ProjectFilter;
use jiqun_app::projects::{
    AnswerInput, MilestoneDoneInput, MilestoneInput, MilestoneView, ProblemInput, ProblemView, ProgressInput,
    ProgressReviewInput, ProjectDetail, ProjectInput, ProjectLibrary, ProjectView, RouteInput, SettleInput, StageInput,
    TrackingInput,
};
use jiqun_domain::projects::ProjectStage;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::api::or_current;

/// The projects and the libraries, with the admission table an admission check applies.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectList {
    pub items: Vec<ProjectView>,
    pub total: usize,
    pub libraries: Vec<ProjectLibrary>,
    /// The admission table (Jiqun's example thresholds), as its data file gives it.
    #[schema(value_type = Option<Object>)]
    pub table: Option<jiqun_eval::admission::TableDef>,
}

/// Filters of the project list.
#[derive(Debug, Default, Deserialize)]
pub struct ProjectQuery {
    pub library: Option<String>,
    pub city: Option<String>,
    pub stage: Option<String>,
    pub item: Option<String>,
}

impl ProjectQuery {
    pub fn filter(&self) -> Result<ProjectFilter, AppError> {
        let nonempty = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        let stage = match nonempty(&self.stage) {
            None => None,
            Some(s) => Some(ProjectStage::parse(&s).ok_or_else(|| {
                AppError::new(
                    jiqun_app::Code::InvalidParameter,
                    format!("“{s}”不是项目阶段"),
                    format!("“{s}” is not a project stage"),
                )
            })?),
        };
        // A city of the province, as the other lists read it (`深圳` or `深圳市`); anything else is refused
        // rather than matching nothing.
        let city = jiqun_app::input::parameter("city", self.city.as_deref(), jiqun_app::input::parse_city)?;
        Ok(ProjectFilter {
            library: nonempty(&self.library),
            city: city.map(|c| c.as_str().to_string()),
            stage,
            plan_item: nonempty(&self.item),
            owner_uscc: None,
        })
    }
}

/// A body for `POST /api/v1/projects`: a key project to register, or (with `project`, as before) a new
/// industrial project to assess for admission, which starts a project at 谋划 with its check.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // documents the body; the handler reads it by its keys
pub enum NewProjectBody {
    Project(ProjectInput),
    Admission(ProposalInput),
}

pub async fn projects(ctx: Ctx, Query(q): Query<ProjectQuery>) -> ApiResult<Json<ProjectList>> {
    let s = ctx.api_user()?;
    let filter = q.filter().lang(ctx.lang)?;
    let items = ctx.app.projects(s, &filter, ctx.lang).await.lang(ctx.lang)?;
    let libraries = ctx.app.project_libraries(s, ctx.lang).await.lang(ctx.lang)?;
    let table = jiqun_eval::admission::example_table().ok().map(|t| t.def().clone());
    Ok(Json(ProjectList { total: items.len(), items, libraries, table }))
}

pub async fn project(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<ProjectDetail>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.project(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn create(ctx: Ctx, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    // Whoever may do neither was refused before the body was read (the route's declared access, see
    // `Ctx`); the city is checked by the use case.
    let v: serde_json::Value = ctx.json(&body)?;
    let id = if v.get("project").is_some() {
        let b: ProposalInput = ctx.json(&body)?;
        let view = ctx.app.assess_project(s, &b, &ctx.ip).await.lang(ctx.lang)?;
        view.project_id.ok_or_else(|| AppError::internal("an admission without its project")).lang(ctx.lang)?
    } else {
        let b: ProjectInput = ctx.json(&body)?;
        ctx.app.create_project(s, &b, &ctx.ip).await.lang(ctx.lang)?
    };
    let detail = ctx.app.project(s, id, ctx.lang).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(detail)).into_response())
}

pub async fn move_stage(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<ProjectDetail>> {
    let s = ctx.api_writer()?;
    let b: StageInput = ctx.json(&body)?;
    or_current(ctx.app.move_stage(s, id, &b, &ctx.ip).await, ctx.app.project(s, id, ctx.lang)).await.lang(ctx.lang)?;
    Ok(Json(ctx.app.project(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn raise_problem(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    let b: ProblemInput = ctx.json(&body)?;
    let pid = ctx.app.raise_problem(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    let problem = problem_of(&ctx, pid).await?;
    Ok((StatusCode::CREATED, Json(problem)).into_response())
}

async fn problem_of(ctx: &Ctx, id: i64) -> ApiResult<ProblemView> {
    let s = ctx.api_user()?;
    let all = ctx.app.problems(s, ctx.lang).await.lang(ctx.lang)?;
    all.into_iter().find(|p| p.id == id).ok_or_else(AppError::forbidden).lang(ctx.lang)
}

pub async fn problems(ctx: Ctx) -> ApiResult<Json<Vec<ProblemView>>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.problems(s, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn answer(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<ProblemView>> {
    let s = ctx.api_writer()?;
    let b: AnswerInput = ctx.json(&body)?;
    ctx.app.answer_problem(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(problem_of(&ctx, id).await?))
}

pub async fn settle(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<ProblemView>> {
    let s = ctx.api_writer()?;
    let b: SettleInput = ctx.json(&body)?;
    ctx.app.settle_problem(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(problem_of(&ctx, id).await?))
}

pub async fn route(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<ProblemView>> {
    let s = ctx.api_writer()?;
    let b: RouteInput = ctx.json(&body)?;
    ctx.app.route_problem(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(problem_of(&ctx, id).await?))
}

pub async fn report_progress(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    let b: ProgressInput = ctx.json(&body)?;
    ctx.app.report_progress(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    let detail = ctx.app.project(s, id, ctx.lang).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(detail)).into_response())
}

pub async fn review_progress(
    ctx: Ctx,
    Path((id, period)): Path<(i64, String)>,
    body: Bytes,
) -> ApiResult<Json<ProjectDetail>> {
    let s = ctx.api_writer()?;
    let b: ProgressReviewInput = ctx.json(&body)?;
    ctx.app.review_progress(s, id, &period, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(ctx.app.project(s, id, ctx.lang).await.lang(ctx.lang)?))
}

pub async fn add_milestone(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    let b: MilestoneInput = ctx.json(&body)?;
    let mid = ctx.app.add_milestone(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    let view: MilestoneView = ctx.app.milestone(s, mid).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn milestone_done(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<MilestoneView>> {
    let s = ctx.api_writer()?;
    let b: MilestoneDoneInput = ctx.json(&body)?;
    ctx.app.milestone_done(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    Ok(Json(ctx.app.milestone(s, id).await.lang(ctx.lang)?))
}

pub async fn add_tracking(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> ApiResult<Response> {
    let s = ctx.api_writer()?;
    let b: TrackingInput = ctx.json(&body)?;
    ctx.app.add_tracking(s, id, &b, &ctx.ip).await.lang(ctx.lang)?;
    let detail = ctx.app.project(s, id, ctx.lang).await.lang(ctx.lang)?;
    Ok((StatusCode::CREATED, Json(detail)).into_response())
}
