//! Key projects (重点项目库, 跟踪服务): registering them, moving their stages, the libraries they belong to,
//! and the problems owners raise (企业直通车), routed to a department with a deadline. Who sees a project:
//! the province everywhere, a city bureau its city's, an enterprise its own; a department answers the
//! problems routed to it.

use std::collections::HashMap;

use jiqun_domain::date::Date;
use jiqun_domain::projects::{ProblemKind, ProblemState, ProjectStage};
use jiqun_eval::definition::FieldError;
use jiqun_store::{NewProject, ProblemRow, ProjectFilter, ProjectLibraryRow, ProjectRow, StageChangeRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::invalid_fields;
use crate::input::{city_field, date_field, registered_department, text_field, today, uscc_field};
pub use crate::project_tracking::{
    MilestoneDoneInput, MilestoneInput, MilestoneView, ProgressInput, ProgressReviewInput, ProgressView, TrackingEntry,
    TrackingInput,
};
use crate::{Action, App, AppError, AppResult, Code, Object, Session};

/// A key project as a user registers it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    pub name: String,
    /// The owner enterprise's USCC (GB 32100), when known.
    #[serde(default)]
    pub owner_uscc: Option<String>,
    /// The owner's name as published.
    #[serde(default)]
    pub owner_name: String,
    /// The city it is built in.
    pub city: String,
    /// Plan items and programmes it serves (`3.2`).
    #[serde(default)]
    pub plan_items: Vec<String>,
    /// Chain nodes (free tags).
    #[serde(default)]
    pub chain_nodes: Vec<String>,
    /// Project libraries it goes into (`ic_key`, `5g_major`, …).
    #[serde(default)]
    pub libraries: Vec<String>,
    /// Total planned investment, 万元.
    #[serde(default)]
    pub total_investment_wan: Option<f64>,
    /// The planned investment by year, 万元 (years distinct; their sum not above the total).
    #[serde(default)]
    pub yearly_plan: Vec<YearAmount>,
    /// The source of each figure given (`total_investment_wan`, `yearly_plan`); a figure without its own
    /// source has the project's `source`.
    #[serde(default)]
    pub figure_sources: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub planned_start: Option<String>,
    #[serde(default)]
    pub planned_finish: Option<String>,
    /// On the fast lane (shorter deadlines for its problems).
    #[serde(default)]
    pub fast_lane: bool,
    /// Where the facts come from. Required.
    pub source: String,
}

/// A year's planned investment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct YearAmount {
    pub year: i32,
    /// 万元.
    pub amount_wan: f64,
}

/// The figures of a project that carry a source of their own.
const SOURCED_FIGURES: &[&str] = &["total_investment_wan", "yearly_plan"];

/// A stage change.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    /// The new stage (`signed`, `started`, …, `suspended`, `terminated`).
    pub stage: String,
    /// The day it happened, `YYYY-MM-DD`; not in the future.
    pub on: String,
    /// Why (a contract signed, a permit, a decision …).
    pub reason: String,
    /// The project's version read: a stale one gets 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// A problem raised on a project.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemInput {
    /// `land`, `energy`, `power`, `finance`, `approval`, `talent` or `other`.
    pub kind: String,
    pub description: String,
}

/// Routing a problem to another department.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteInput {
    /// A department the plan names (its full or short name).
    pub department: String,
}

/// A department's answer.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    pub answer: String,
    /// The basis of a decision taken case by case (一事一议), if it is one.
    #[serde(default)]
    pub decision_basis: Option<String>,
}

/// The raiser's verdict on an answer: accept closes the problem, otherwise it is reopened.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettleInput {
    pub accept: bool,
}

/// A project as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectView {
    pub id: i64,
    pub name: String,
    pub owner_uscc: Option<String>,
    pub owner_name: String,
    pub city: String,
    pub stage: ProjectStage,
    pub stage_label: String,
    pub suspended_from: Option<ProjectStage>,
    pub plan_items: Vec<String>,
    pub chain_nodes: Vec<String>,
    /// The project libraries it is in.
    pub libraries: Vec<String>,
    /// 万元; null when no source gives it.
    pub total_investment_wan: Option<f64>,
    /// The planned investment by year, 万元.
    pub yearly_plan: Vec<YearAmount>,
    /// The source of each figure given (`total_investment_wan`, `yearly_plan`).
    pub figure_sources: std::collections::BTreeMap<String, String>,
    pub planned_start: Option<Date>,
    pub planned_finish: Option<Date>,
    pub fast_lane: bool,
    pub source: String,
    /// Made up for the demo (示例数据).
    pub synthetic: bool,
    pub version: i64,
    pub open_problems: usize,
    pub overdue_problems: usize,
    /// Milestones past their planned date and not done.
    pub slipping_milestones: usize,
    /// The cumulative investment completed by the latest accepted period, 万元; null before any.
    pub completed_investment_wan: Option<f64>,
    /// Physical progress by the latest accepted period, percent; null before any.
    pub physical_percent: Option<f64>,
    /// The new-project admission check recorded on it, if any: its id, decision, full result and assessor.
    pub admission_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub result: Option<crate::cultivation::StoredResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessed_by_name: Option<String>,
}

/// A problem as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemView {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub kind: ProblemKind,
    pub kind_label: String,
    pub description: String,
    pub department: String,
    pub deadline: Date,
    pub state: ProblemState,
    pub state_label: String,
    /// Waiting for an answer past its deadline.
    pub overdue: bool,
    pub answer: Option<String>,
    pub decision_basis: Option<String>,
    pub raised_at: i64,
    pub answered_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub reopened: i64,
}

/// One stage change in a project's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageChange {
    pub from_stage: Option<ProjectStage>,
    pub to_stage: ProjectStage,
    pub to_label: String,
    pub on: Option<Date>,
    pub reason: String,
    pub by: Option<String>,
    pub at: i64,
}

/// A project with its timeline, problems, progress per period, milestones and tracking log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectDetail {
    #[serde(flatten)]
    pub project: ProjectView,
    pub stages: Vec<StageChange>,
    pub problems: Vec<ProblemView>,
    /// The current report of each period, in time order.
    pub progress: Vec<ProgressView>,
    /// Earlier versions of the periods' reports (resubmitted), in time order.
    pub progress_history: Vec<ProgressView>,
    /// By planned date.
    pub milestones: Vec<MilestoneView>,
    /// Visits, meetings and decisions, latest first.
    pub log: Vec<TrackingEntry>,
}

/// A project library.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectLibrary {
    pub id: String,
    pub name: String,
    /// The plan item it serves.
    pub plan_item: String,
    pub projects: usize,
    /// The departments and officials who track and serve it (跟踪服务).
    pub trackers: crate::project_settings::LibraryTrackers,
}

pub(crate) fn object(p: &ProjectRow) -> Object<'_> {
    Object { city: &p.city, uscc: p.owner_uscc.as_deref().unwrap_or(""), ..Object::default() }
}

/// A JSON column of a project: empty text is nothing; text that does not read is a fault of the data.
fn stored_json<T: serde::de::DeserializeOwned + Default>(id: i64, column: &str, text: &str) -> AppResult<T> {
    if text.is_empty() {
        return Ok(T::default());
    }
    serde_json::from_str(text).map_err(|e| AppError::internal(format!("project {id}: {column}: {e}")))
}

fn problem_view(p: ProblemRow, project_name: &str, lang: jiqun_domain::Lang) -> ProblemView {
    ProblemView {
        overdue: p.state.awaits_answer() && p.deadline < today(),
        id: p.id,
        project_id: p.project_id,
        project_name: project_name.to_string(),
        kind_label: p.kind.label(lang).to_string(),
        kind: p.kind,
        description: p.description,
        department: p.department,
        deadline: p.deadline,
        state_label: p.state.label(lang).to_string(),
        state: p.state,
        answer: p.answer,
        decision_basis: p.decision_basis,
        raised_at: p.raised_at,
        answered_at: p.answered_at,
        closed_at: p.closed_at,
        reopened: p.reopened,
    }
}

impl App {
    async fn check_project(&self, input: &ProjectInput) -> AppResult<NewProject> {
        let mut errors = Vec::new();
        let name = text_field("name", &input.name, 100, &mut errors);
        let city = city_field("city", &input.city, false, &mut errors);
        let owner_uscc = uscc_field("owner_uscc", input.owner_uscc.as_deref(), &mut errors);
        let libraries = self.store.project_libraries().await?;
        for l in &input.libraries {
            if !libraries.iter().any(|x| &x.id == l) {
                let known: Vec<&str> = libraries.iter().map(|x| x.id.as_str()).collect();
                errors.push(FieldError::new(
                    "libraries",
                    format!("没有项目库“{l}”，可选：{}", known.join("、")),
                    format!("there is no project library “{l}”; one of: {}", known.join(", ")),
                ));
            }
        }
        if let Some(v) = input.total_investment_wan
            && !(v.is_finite() && v >= 0.0)
        {
            errors.push(FieldError::new(
                "total_investment_wan",
                "投资额应为非负数",
                "the investment is a number not below zero",
            ));
        }
        let planned_start = input
            .planned_start
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .and_then(|s| date_field("planned_start", s, false, &mut errors));
        let planned_finish = input
            .planned_finish
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .and_then(|s| date_field("planned_finish", s, false, &mut errors));
        if let (Some(a), Some(b)) = (planned_start, planned_finish)
            && b < a
        {
            errors.push(FieldError::new(
                "planned_finish",
                "计划竣工日期早于计划开工日期",
                "the planned finish is before the planned start",
            ));
        }
        let source = text_field("source", &input.source, 500, &mut errors);
        if let Some(u) = &owner_uscc
            && self.store.enterprise_by_uscc(u).await?.is_none()
        {
            errors.push(FieldError::new(
                "owner_uscc",
                format!("{u} 未在企业名录中登记，请先登记业主企业"),
                format!("{u} is not in the enterprise registry: register the owner first"),
            ));
        }
        let mut years = std::collections::BTreeSet::new();
        for (i, y) in input.yearly_plan.iter().enumerate() {
            let field = format!("yearly_plan[{i}]");
            if !(2000..=2100).contains(&y.year) || !years.insert(y.year) {
                errors.push(FieldError::new(
                    &field,
                    format!("年份 {} 无效或重复", y.year),
                    format!("the year {} is invalid or repeated", y.year),
                ));
            }
            if !(y.amount_wan.is_finite() && y.amount_wan >= 0.0) {
                errors.push(FieldError::new(
                    &field,
                    "计划投资额应为非负数",
                    "the planned amount is a number not below zero",
                ));
            }
        }
        let planned: f64 = input.yearly_plan.iter().map(|y| y.amount_wan).filter(|v| v.is_finite()).sum();
        if let Some(total) = input.total_investment_wan
            && planned > total * (1.0 + 1e-9)
        {
            errors.push(FieldError::new(
                "yearly_plan",
                format!("分年度计划合计 {planned} 万元，超过计划总投资 {total} 万元"),
                format!("the yearly plan adds up to {planned} (10k yuan), above the planned total of {total}"),
            ));
        }
        let mut figure_sources = std::collections::BTreeMap::new();
        for (k, v) in &input.figure_sources {
            if !SOURCED_FIGURES.contains(&k.as_str()) {
                errors.push(FieldError::new(
                    "figure_sources",
                    format!("“{k}”不是可注明来源的数字，可选：{}", SOURCED_FIGURES.join("、")),
                    format!("“{k}” is not a figure with a source; one of: {}", SOURCED_FIGURES.join(", ")),
                ));
            } else if !v.trim().is_empty() {
                figure_sources.insert(k.clone(), text_field(&format!("figure_sources.{k}"), v, 500, &mut errors));
            }
        }
        // Each figure given has a source: its own, else the project's.
        let given = [input.total_investment_wan.is_some(), !input.yearly_plan.is_empty()];
        for (k, present) in SOURCED_FIGURES.iter().zip(given) {
            if present {
                figure_sources.entry(k.to_string()).or_insert_with(|| source.clone());
            }
        }
        let tags = |v: &[String]| {
            v.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty() && !s.contains(',')).collect()
        };
        if !errors.is_empty() {
            return Err(invalid_fields(&errors));
        }
        Ok(NewProject {
            name,
            owner_uscc,
            owner_name: input.owner_name.trim().to_string(),
            city,
            plan_items: tags(&input.plan_items),
            chain_nodes: tags(&input.chain_nodes),
            total_investment_wan: input.total_investment_wan,
            yearly_plan: if input.yearly_plan.is_empty() {
                String::new()
            } else {
                serde_json::to_string(&input.yearly_plan).map_err(AppError::internal)?
            },
            figure_sources: if figure_sources.is_empty() {
                String::new()
            } else {
                serde_json::to_string(&figure_sources).map_err(AppError::internal)?
            },
            planned_start,
            planned_finish,
            fast_lane: input.fast_lane,
            source,
            synthetic: false,
            libraries: input.libraries.clone(),
        })
    }

    pub(crate) async fn project_views(
        &self,
        rows: Vec<ProjectRow>,
        lang: jiqun_domain::Lang,
    ) -> AppResult<Vec<ProjectView>> {
        let memberships = self.store.project_memberships().await?;
        let problems = self.store.problems(None).await?;
        let names: HashMap<i64, String> = self.store.users().await?.into_iter().map(|u| (u.id, u.username)).collect();
        let milestones = self.store.milestones(None).await?;
        let progress = self.store.current_progress().await?;
        let day = today();
        let mut out = Vec::with_capacity(rows.len());
        for p in rows {
            let mine: Vec<&ProblemRow> = problems.iter().filter(|x| x.project_id == p.id).collect();
            let admission = match p.admission_id {
                Some(a) => self.store.proposal(a).await?,
                None => None,
            };
            let result = admission.as_ref().and_then(|a| serde_json::from_str(&a.result).ok());
            let accepted = progress
                .iter()
                .filter(|g| g.project_id == p.id && g.state == jiqun_domain::report::ReviewState::Accepted)
                .max_by_key(|g| g.period_key);
            out.push(ProjectView {
                slipping_milestones: milestones
                    .iter()
                    .filter(|m| m.project_id == p.id && crate::project_tracking::is_slipping(m, day))
                    .count(),
                completed_investment_wan: accepted.map(|g| g.invest_cumulative_wan),
                physical_percent: accepted.map(|g| g.physical_percent),
                libraries: memberships.iter().filter(|(_, id)| *id == p.id).map(|(l, _)| l.clone()).collect(),
                open_problems: mine.iter().filter(|x| x.state != ProblemState::Closed).count(),
                overdue_problems: mine.iter().filter(|x| x.state.awaits_answer() && x.deadline < today()).count(),
                stage_label: p.stage.label(lang).to_string(),
                decision: admission.as_ref().map(|a| a.decision.clone()),
                assessed_by_name: admission.as_ref().and_then(|a| a.assessed_by).and_then(|u| names.get(&u).cloned()),
                result,
                id: p.id,
                name: p.name,
                owner_uscc: p.owner_uscc,
                owner_name: p.owner_name,
                city: p.city,
                stage: p.stage,
                suspended_from: p.suspended_from,
                plan_items: p.plan_items,
                chain_nodes: p.chain_nodes,
                total_investment_wan: p.total_investment_wan,
                yearly_plan: stored_json(p.id, "yearly_plan", &p.yearly_plan)?,
                figure_sources: stored_json(p.id, "figure_sources", &p.figure_sources)?,
                planned_start: p.planned_start,
                planned_finish: p.planned_finish,
                fast_lane: p.fast_lane,
                source: p.source,
                synthetic: p.synthetic,
                version: p.version,
                admission_id: p.admission_id,
            });
        }
        Ok(out)
    }

    /// The projects the caller may read, filtered; 403 for a caller who may read none.
    pub async fn projects(
        &self,
        session: &Session,
        filter: &ProjectFilter,
        lang: jiqun_domain::Lang,
    ) -> AppResult<Vec<ProjectView>> {
        if session.roles.scopes(&session.user, crate::Perm::ReadProjects).is_empty() {
            return Err(AppError::forbidden());
        }
        let rows: Vec<ProjectRow> = self
            .store
            .projects(filter)
            .await?
            .into_iter()
            .filter(|p| session.can(&Action::ReadProjects(object(p))))
            .collect();
        self.project_views(rows, lang).await
    }

    /// A project, once the caller may do the action with it.
    pub(crate) async fn project_for(
        &self,
        session: &Session,
        id: i64,
        action: impl FnOnce(&ProjectRow) -> Action<'_>,
    ) -> AppResult<ProjectRow> {
        let p = self.store.project(id).await?;
        session.require(&action(&p))?;
        Ok(p)
    }

    async fn readable_project(&self, session: &Session, id: i64) -> AppResult<ProjectRow> {
        if session.roles.scopes(&session.user, crate::Perm::ReadProjects).is_empty() {
            return Err(AppError::forbidden());
        }
        self.project_for(session, id, |p| Action::ReadProjects(object(p))).await
    }

    pub async fn project(&self, session: &Session, id: i64, lang: jiqun_domain::Lang) -> AppResult<ProjectDetail> {
        let p = self.readable_project(session, id).await?;
        let name = p.name.clone();
        let project = self
            .project_views(vec![p], lang)
            .await?
            .pop()
            .ok_or_else(|| AppError::internal("a project without its view"))?;
        let stages = self
            .store
            .stage_changes(id)
            .await?
            .into_iter()
            .map(|s: StageChangeRow| StageChange {
                from_stage: s.from_stage,
                to_label: s.to_stage.label(lang).to_string(),
                to_stage: s.to_stage,
                on: s.on_date,
                reason: s.reason,
                by: s.by_name,
                at: s.at,
            })
            .collect();
        let problems = self.store.problems(Some(id)).await?.into_iter().map(|x| problem_view(x, &name, lang)).collect();
        let (current, history): (Vec<_>, Vec<_>) =
            self.store.progress(id).await?.into_iter().partition(|g| g.is_current);
        let view = |v: Vec<jiqun_store::ProgressRow>| {
            v.into_iter().map(|g| crate::project_tracking::progress_view(g, lang)).collect()
        };
        let day = today();
        let milestones = self
            .store
            .milestones(Some(id))
            .await?
            .into_iter()
            .map(|m| crate::project_tracking::milestone_view(m, day))
            .collect();
        let log = self
            .store
            .tracking_log(id)
            .await?
            .into_iter()
            .map(|t| crate::project_tracking::tracking_entry(t, lang))
            .collect();
        Ok(ProjectDetail {
            project,
            stages,
            problems,
            progress: view(current),
            progress_history: view(history),
            milestones,
            log,
        })
    }

    pub async fn project_libraries(
        &self,
        session: &Session,
        lang: jiqun_domain::Lang,
    ) -> AppResult<Vec<ProjectLibrary>> {
        if session.roles.scopes(&session.user, crate::Perm::ReadProjects).is_empty() {
            return Err(AppError::forbidden());
        }
        let members = self.store.project_memberships().await?;
        let mut trackers = self.library_trackers().await?;
        Ok(self
            .store
            .project_libraries()
            .await?
            .into_iter()
            .map(|l: ProjectLibraryRow| ProjectLibrary {
                projects: members.iter().filter(|(id, _)| *id == l.id).count(),
                trackers: trackers.remove(&l.id).unwrap_or_default(),
                name: lang.pick(&l.name_zh, &l.name_en).to_string(),
                id: l.id,
                plan_item: l.plan_item,
            })
            .collect())
    }

    /// Registers a key project at 谋划; returns its id.
    pub async fn create_project(&self, session: &Session, input: &ProjectInput, ip: &str) -> AppResult<i64> {
        let city = input.city.trim().trim_end_matches('市');
        session.require(&Action::ManageProjects(Object { city, ..Object::default() }))?;
        let p = self.check_project(input).await?;
        Ok(self.store.insert_project(&p, today(), &session.actor(ip)).await?)
    }

    /// Demo projects, marked synthetic, or facts from a public source (the demo data set).
    pub(crate) async fn create_listed_project(
        &self,
        input: &ProjectInput,
        synthetic: bool,
        actor: &jiqun_store::Actor,
    ) -> AppResult<i64> {
        let mut p = self.check_project(input).await?;
        p.synthetic = synthetic;
        Ok(self.store.insert_project(&p, today(), actor).await?)
    }

    /// Moves a project to another stage; an impossible change is 409 naming both stages.
    pub async fn move_stage(&self, session: &Session, id: i64, input: &StageInput, ip: &str) -> AppResult<()> {
        let p = self.project_for(session, id, |p| Action::ManageProjects(object(p))).await?;
        let mut errors = Vec::new();
        let to = ProjectStage::parse(&input.stage);
        if to.is_none() {
            let known: Vec<&str> = ProjectStage::ALL.iter().map(|s| s.as_str()).collect();
            errors.push(FieldError::new(
                "stage",
                format!("“{}”不是项目阶段，可选：{}", input.stage, known.join("、")),
                format!("“{}” is not a stage; one of: {}", input.stage, known.join(", ")),
            ));
        }
        let on = date_field("on", &input.on, true, &mut errors);
        let reason = text_field("reason", &input.reason, 500, &mut errors);
        // Stage changes follow each other in time (the first entry is the day the project was entered, which
        // may come after its real history when that is entered later).
        if let Some(d) = on {
            let last = self
                .store
                .stage_changes(id)
                .await?
                .into_iter()
                .filter(|c| c.from_stage.is_some())
                .filter_map(|c| c.on_date)
                .max();
            if let Some(last) = last
                && d < last
            {
                errors.push(FieldError::new(
                    "on",
                    format!("{d} 早于上一次阶段变更（{last}）"),
                    format!("{d} is before the previous stage change ({last})"),
                ));
            }
        }
        let (Some(to), Some(on), true) = (to, on, errors.is_empty()) else { return Err(invalid_fields(&errors)) };
        p.stage.may_move(to, p.suspended_from).map_err(|r| AppError::new(Code::Conflict, r.zh, r.en))?;
        let suspended_from = match to {
            ProjectStage::Suspended => Some(p.stage),
            _ => None,
        };
        let change =
            jiqun_store::StageMove { to, suspended_from, on, reason: &reason, expected: (p.stage, input.version) };
        self.store.move_stage(id, &change, &session.actor(ip)).await?;
        Ok(())
    }

    /// Raises a problem on an open project, routed to the department for its kind with a deadline
    /// (shorter on the fast lane); returns its id.
    pub async fn raise_problem(
        &self,
        session: &Session,
        project_id: i64,
        input: &ProblemInput,
        ip: &str,
    ) -> AppResult<i64> {
        let p = self.project_for(session, project_id, |p| Action::RaiseProblem(object(p))).await?;
        let mut errors = Vec::new();
        let kind = ProblemKind::parse(&input.kind);
        if kind.is_none() {
            errors.push(FieldError::new(
                "kind",
                format!("“{}”不是问题类别，可选：用地 land、能耗指标 energy、用电 power、融资 finance、审批 approval、人才 talent、其他 other", input.kind),
                format!("“{}” is not a kind of problem; one of: land, energy, power, finance, approval, talent, other", input.kind),
            ));
        }
        let description = text_field("description", &input.description, 2000, &mut errors);
        let (Some(kind), true) = (kind, errors.is_empty()) else { return Err(invalid_fields(&errors)) };
        if !p.stage.is_open() {
            return Err(AppError::conflict(
                format!("项目已{}，不再受理问题", p.stage.label(jiqun_domain::Lang::Zh)),
                format!("the project is {}: no more problems are taken", p.stage.label(jiqun_domain::Lang::En)),
            ));
        }
        let routing = self.routing_in_force().await?;
        let (department, _) = routing.rule(kind);
        let deadline = today().plus_days(i64::from(routing.deadline_days(kind, p.fast_lane)));
        Ok(self.store.raise_problem(project_id, kind, &description, &department, deadline, &session.actor(ip)).await?)
    }

    /// Routes a problem to another department (those who manage the project); the deadline starts again.
    pub async fn route_problem(&self, session: &Session, id: i64, input: &RouteInput, ip: &str) -> AppResult<()> {
        let x = self.store.problem(id).await?;
        let p = self.project_for(session, x.project_id, |p| Action::ManageProjects(object(p))).await?;
        let department = registered_department("department", &input.department).map_err(|e| invalid_fields(&[e]))?;
        if !x.state.awaits_answer() {
            return Err(AppError::conflict(
                format!("该问题当前为“{}”，不能改派", x.state.label(jiqun_domain::Lang::Zh)),
                format!("the problem is {}: it cannot be rerouted", x.state.label(jiqun_domain::Lang::En)),
            ));
        }
        let days = self.routing_in_force().await?.deadline_days(x.kind, p.fast_lane);
        let deadline = today().plus_days(i64::from(days));
        Ok(self.store.reroute_problem(id, &department, deadline, &session.actor(ip)).await?)
    }

    /// The department answers a problem routed to it.
    pub async fn answer_problem(&self, session: &Session, id: i64, input: &AnswerInput, ip: &str) -> AppResult<()> {
        let x = self.store.problem(id).await?;
        session.require(&Action::AnswerProblem { agency: &x.department })?;
        let mut errors = Vec::new();
        let answer = text_field("answer", &input.answer, 2000, &mut errors);
        let basis = input.decision_basis.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        if basis.as_ref().is_some_and(|b| b.chars().count() > 1000) {
            errors.push(FieldError::new("decision_basis", "不能超过 1000 字", "at most 1000 characters"));
        }
        if !errors.is_empty() {
            return Err(invalid_fields(&errors));
        }
        if !x.state.awaits_answer() {
            return Err(AppError::conflict(
                format!("该问题当前为“{}”，不在待答复状态", x.state.label(jiqun_domain::Lang::Zh)),
                format!("the problem is {}, not waiting for an answer", x.state.label(jiqun_domain::Lang::En)),
            ));
        }
        self.store
            .move_problem(id, x.state, ProblemState::Answered, Some((&answer, basis.as_deref())), &session.actor(ip))
            .await?;
        Ok(())
    }

    /// The raiser (or whoever may raise problems on the project) accepts an answer, closing the problem,
    /// or reopens it.
    pub async fn settle_problem(&self, session: &Session, id: i64, input: &SettleInput, ip: &str) -> AppResult<()> {
        let x = self.store.problem(id).await?;
        self.project_for(session, x.project_id, |p| Action::RaiseProblem(object(p))).await?;
        if x.state != ProblemState::Answered {
            return Err(AppError::conflict(
                format!("该问题当前为“{}”，尚无答复可确认", x.state.label(jiqun_domain::Lang::Zh)),
                format!("the problem is {}: there is no answer to settle", x.state.label(jiqun_domain::Lang::En)),
            ));
        }
        let to = if input.accept { ProblemState::Closed } else { ProblemState::Reopened };
        self.store.move_problem(id, x.state, to, None, &session.actor(ip)).await?;
        Ok(())
    }

    /// Problems the caller deals with: routed to the caller's department (a department), on the projects
    /// the caller may read otherwise; open ones first, overdue first among them.
    pub async fn problems(&self, session: &Session, lang: jiqun_domain::Lang) -> AppResult<Vec<ProblemView>> {
        let answers = session.roles.scopes(&session.user, crate::Perm::AnswerProblem);
        let reads = session.roles.scopes(&session.user, crate::Perm::ReadProjects);
        if answers.is_empty() && reads.is_empty() {
            return Err(AppError::forbidden());
        }
        let projects: HashMap<i64, ProjectRow> =
            self.store.projects(&ProjectFilter::default()).await?.into_iter().map(|p| (p.id, p)).collect();
        let mut out: Vec<ProblemView> = self
            .store
            .problems(None)
            .await?
            .into_iter()
            .filter_map(|x| {
                let p = projects.get(&x.project_id)?;
                let mine = session.can(&Action::AnswerProblem { agency: &x.department });
                (mine || session.can(&Action::ReadProjects(object(p)))).then(|| problem_view(x, &p.name, lang))
            })
            .collect();
        out.sort_by_key(|x| (x.state == ProblemState::Closed, !x.overdue, x.deadline));
        Ok(out)
    }
}
