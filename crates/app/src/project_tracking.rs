//! Following a key project (跟踪服务): progress per period, reported by the owner enterprise or the city
//! bureau (`report_project`) and reviewed like a progress report by those who manage the project
//! (accepted, or returned with a comment; a second report of a period is a resubmission until one is
//! accepted, the earlier ones kept); milestones with planned and actual dates (one past its planned date
//! and not done is slipping); the tracking log of visits, meetings and decisions, kept by those who manage
//! the project and the departments answering its problems.

use jiqun_domain::Lang;
use jiqun_domain::date::Date;
use jiqun_domain::period::Period;
use jiqun_domain::projects::TrackingKind;
use jiqun_domain::report::ReviewState;
use jiqun_eval::definition::FieldError;
use jiqun_store::{MilestoneRow, NewProgress, NewTracking, ProgressRow, ProjectRow, TrackingRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::invalid_fields;
use crate::input::{date_field, text_field, today};
use crate::projects::object;
use crate::snapshot::today_in_china;
use crate::{Action, App, AppError, AppResult, Session};

/// A period's progress as the owner or the city bureau reports it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressInput {
    /// `2025`, `2025Q2` or `2025-06`; a period that has not begun is refused.
    pub period: String,
    /// Investment completed in the period, 万元 (not below zero).
    pub invest_period_wan: f64,
    /// Investment completed since the start, 万元: not below the period's own, and not below an earlier
    /// period's accepted cumulative.
    pub invest_cumulative_wan: f64,
    /// Physical progress, percent (0–100).
    pub physical_percent: f64,
    /// What was done (1 to 1000 characters).
    pub narrative: String,
}

/// The review of a period's progress: accept, or return with a comment.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressReviewInput {
    pub accept: bool,
    /// Required when returning.
    #[serde(default)]
    pub comment: String,
}

/// A milestone of a project.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneInput {
    /// What is to be reached (主体结构封顶, 设备进场 …).
    pub name: String,
    /// `YYYY-MM-DD`.
    pub planned_on: String,
}

/// A milestone done.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneDoneInput {
    /// The day it was reached, `YYYY-MM-DD`; not in the future.
    pub on: String,
}

/// An entry of the tracking log.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingInput {
    /// The day, `YYYY-MM-DD`; not in the future.
    pub on: String,
    /// `visit`, `meeting` or `decision`.
    pub kind: String,
    /// What happened or was decided.
    pub note: String,
    /// Who took part.
    pub who: String,
}

/// A period's progress as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgressView {
    pub id: i64,
    pub period: String,
    /// 1 for the first report of the period, higher for each resubmission.
    pub version: i64,
    pub state: ReviewState,
    pub state_label: String,
    /// 万元.
    pub invest_period_wan: f64,
    /// 万元.
    pub invest_cumulative_wan: f64,
    /// Percent.
    pub physical_percent: f64,
    pub narrative: String,
    pub review_comment: Option<String>,
    /// Who reported it.
    pub by: Option<String>,
    pub created_at: i64,
    pub reviewed_at: Option<i64>,
    /// Made up for the demo (示例数据).
    pub synthetic: bool,
}

/// A milestone as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MilestoneView {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub planned_on: Date,
    /// The day it was reached; null while it is not.
    pub done_on: Option<Date>,
    /// Past its planned date and not done.
    pub slipping: bool,
    pub synthetic: bool,
}

/// An entry of the tracking log as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrackingEntry {
    pub id: i64,
    pub on: Date,
    pub kind: TrackingKind,
    pub kind_label: String,
    pub note: String,
    /// Who took part.
    pub who: String,
    /// Who recorded it.
    pub by: Option<String>,
    pub at: i64,
    pub synthetic: bool,
}

pub(crate) fn is_slipping(m: &MilestoneRow, today: Date) -> bool {
    m.done_on.is_none() && m.planned_on < today
}

pub(crate) fn progress_view(r: ProgressRow, lang: Lang) -> ProgressView {
    ProgressView {
        state_label: r.state.label(lang).to_string(),
        id: r.id,
        period: r.period,
        version: r.version,
        state: r.state,
        invest_period_wan: r.invest_period_wan,
        invest_cumulative_wan: r.invest_cumulative_wan,
        physical_percent: r.physical_percent,
        narrative: r.narrative,
        review_comment: r.review_comment,
        by: r.by_name,
        created_at: r.created_at,
        reviewed_at: r.reviewed_at,
        synthetic: r.synthetic,
    }
}

pub(crate) fn milestone_view(m: MilestoneRow, today: Date) -> MilestoneView {
    MilestoneView {
        slipping: is_slipping(&m, today),
        id: m.id,
        project_id: m.project_id,
        name: m.name,
        planned_on: m.planned_on,
        done_on: m.done_on,
        synthetic: m.synthetic,
    }
}

pub(crate) fn tracking_entry(t: TrackingRow, lang: Lang) -> TrackingEntry {
    TrackingEntry {
        kind_label: t.kind.label(lang).to_string(),
        id: t.id,
        on: t.on_date,
        kind: t.kind,
        note: t.note,
        who: t.who,
        by: t.by_name,
        at: t.at,
        synthetic: t.synthetic,
    }
}

/// A period that has begun, or the field's error.
fn begun_period(field: &str, s: &str, errors: &mut Vec<FieldError>) -> Option<Period> {
    match Period::parse(s) {
        Ok(p) if !p.has_begun(today_in_china()) => {
            errors.push(FieldError::new(
                field,
                format!("{p} 尚未开始，不能填报"),
                format!("{p} has not begun: its progress cannot be reported yet"),
            ));
            None
        }
        Ok(p) => Some(p),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                format!("“{}”不是报告期，应形如 2025、2025Q2 或 2025-06", s.trim()),
                format!("“{}” is not a period such as 2025, 2025Q2 or 2025-06", s.trim()),
            ));
            None
        }
    }
}

/// The period's place in time, for ordering in the database.
fn period_key(p: Period) -> i64 {
    let (months, rank) = p.sort_key();
    months * 4 + i64::from(rank)
}

fn amount(field: &str, v: f64, errors: &mut Vec<FieldError>) {
    if !(v.is_finite() && (0.0..=1e9).contains(&v)) {
        errors.push(FieldError::new(
            field,
            "投资额应为 0 至 1000000000 万元之间的数",
            "an amount from 0 to 1000000000 (10k yuan)",
        ));
    }
}

/// Checks a period's progress (the period begun, amounts not negative, the cumulative not below the
/// period's own, the percent within 0–100).
pub(crate) fn check_progress(input: &ProgressInput) -> AppResult<NewProgress> {
    let mut errors = Vec::new();
    let period = begun_period("period", &input.period, &mut errors);
    amount("invest_period_wan", input.invest_period_wan, &mut errors);
    amount("invest_cumulative_wan", input.invest_cumulative_wan, &mut errors);
    if errors.iter().all(|e| !e.path.starts_with("invest")) && input.invest_cumulative_wan < input.invest_period_wan {
        errors.push(FieldError::new(
            "invest_cumulative_wan",
            "累计完成投资不能少于本期完成投资",
            "the cumulative investment cannot be less than the period's",
        ));
    }
    if !(input.physical_percent.is_finite() && (0.0..=100.0).contains(&input.physical_percent)) {
        errors.push(FieldError::new(
            "physical_percent",
            "形象进度应在 0 至 100 之间",
            "physical progress is between 0 and 100 percent",
        ));
    }
    let narrative = text_field("narrative", &input.narrative, 1000, &mut errors);
    let (Some(period), true) = (period, errors.is_empty()) else { return Err(invalid_fields(&errors)) };
    Ok(NewProgress {
        period: period.to_string(),
        period_key: period_key(period),
        invest_period_wan: input.invest_period_wan,
        invest_cumulative_wan: input.invest_cumulative_wan,
        physical_percent: input.physical_percent,
        narrative,
        synthetic: false,
    })
}

impl App {
    /// Whether the caller may keep the project's tracking log: who manages the project, or a department
    /// answering one of its problems.
    async fn may_log(&self, session: &Session, p: &ProjectRow) -> AppResult<bool> {
        if session.can(&Action::ManageProjects(object(p))) {
            return Ok(true);
        }
        let problems = self.store.problems(Some(p.id)).await?;
        Ok(problems.iter().any(|x| session.can(&Action::AnswerProblem { agency: &x.department })))
    }

    /// Whether the caller may report the project's progress (the owner enterprise, its city's bureau, the
    /// plan owner): the check `report_progress` makes, for a template's rows and an import's.
    pub(crate) async fn may_report_project(&self, session: &Session, project_id: i64) -> AppResult<bool> {
        let p = match self.store.project(project_id).await {
            Ok(p) => p,
            Err(jiqun_store::StoreError::NotFound(_)) => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        Ok(session.can(&Action::ReportProject(object(&p))))
    }

    /// Whether the caller may add to the project's tracking log (for the page's form).
    pub async fn may_log_project(&self, session: &Session, project_id: i64) -> AppResult<bool> {
        let p = self.store.project(project_id).await?;
        self.may_log(session, &p).await
    }

    /// Reports a period's progress of a project (the owner enterprise, the city bureau or the plan owner);
    /// a second report of the same period is a resubmission until one is accepted. Returns its id.
    pub async fn report_progress(
        &self,
        session: &Session,
        project_id: i64,
        input: &ProgressInput,
        ip: &str,
    ) -> AppResult<i64> {
        self.project_for(session, project_id, |p| Action::ReportProject(object(p))).await?;
        let new = check_progress(input)?;
        Ok(self.store.report_progress(project_id, &new, &session.actor(ip)).await?)
    }

    /// Demo progress, marked synthetic, accepted or left waiting for review.
    pub(crate) async fn report_listed_progress(
        &self,
        session: &Session,
        project_id: i64,
        input: &ProgressInput,
        accept: bool,
    ) -> AppResult<()> {
        let mut new = check_progress(input)?;
        new.synthetic = true;
        // Filed by nobody in particular (the demo), accepted by the caller.
        let filer = jiqun_store::Actor::system("示例数据（合成）");
        self.store.report_progress(project_id, &new, &filer).await?;
        if accept {
            self.store.review_progress(project_id, &new.period, true, "（示例）", &session.actor("")).await?;
        }
        Ok(())
    }

    /// Accepts a period's progress or returns it with a comment (those who manage the project); nobody
    /// accepts a report they filed.
    pub async fn review_progress(
        &self,
        session: &Session,
        project_id: i64,
        period: &str,
        input: &ProgressReviewInput,
        ip: &str,
    ) -> AppResult<()> {
        self.project_for(session, project_id, |p| Action::ManageProjects(object(p))).await?;
        let period = Period::parse(period).map_err(|_| {
            AppError::invalid(
                "period",
                format!("“{period}”不是报告期，应形如 2025、2025Q2 或 2025-06"),
                format!("“{period}” is not a period such as 2025, 2025Q2 or 2025-06"),
            )
        })?;
        let comment = input.comment.trim();
        if comment.chars().count() > 1000 || (!input.accept && comment.is_empty()) {
            return Err(AppError::invalid(
                "comment",
                "退回时须写明意见（不超过 1000 字）",
                "a return needs a comment (at most 1000 characters)",
            ));
        }
        let actor = session.actor(ip);
        Ok(self.store.review_progress(project_id, &period.to_string(), input.accept, comment, &actor).await?)
    }

    /// Adds a milestone to a project (those who manage it); returns its id.
    pub async fn add_milestone(
        &self,
        session: &Session,
        project_id: i64,
        input: &MilestoneInput,
        ip: &str,
    ) -> AppResult<i64> {
        self.project_for(session, project_id, |p| Action::ManageProjects(object(p))).await?;
        let mut errors = Vec::new();
        let name = text_field("name", &input.name, 200, &mut errors);
        let planned = date_field("planned_on", &input.planned_on, false, &mut errors);
        let (Some(planned), true) = (planned, errors.is_empty()) else { return Err(invalid_fields(&errors)) };
        Ok(self.store.add_milestone(project_id, &name, planned, false, &session.actor(ip)).await?)
    }

    /// Demo milestones, marked synthetic (done on the day given, if any).
    pub(crate) async fn add_listed_milestone(
        &self,
        session: &Session,
        project_id: i64,
        name: &str,
        planned: Date,
        done: Option<Date>,
    ) -> AppResult<()> {
        let actor = session.actor("");
        let id = self.store.add_milestone(project_id, name, planned, true, &actor).await?;
        if let Some(d) = done {
            self.store.milestone_done(id, d, &actor).await?;
        }
        Ok(())
    }

    /// Records the day a milestone was reached (those who manage the project); returns the project's id.
    pub async fn milestone_done(
        &self,
        session: &Session,
        id: i64,
        input: &MilestoneDoneInput,
        ip: &str,
    ) -> AppResult<i64> {
        let m = self.store.milestone(id).await?;
        let p = self.project_for(session, m.project_id, |p| Action::ManageProjects(object(p))).await?;
        let mut errors = Vec::new();
        let Some(on) = date_field("on", &input.on, true, &mut errors) else { return Err(invalid_fields(&errors)) };
        self.store.milestone_done(id, on, &session.actor(ip)).await?;
        Ok(p.id)
    }

    /// One milestone, for whoever may read its project.
    pub async fn milestone(&self, session: &Session, id: i64) -> AppResult<MilestoneView> {
        let m = self.store.milestone(id).await?;
        self.project_for(session, m.project_id, |p| Action::ReadProjects(object(p))).await?;
        Ok(milestone_view(m, today()))
    }

    /// Records a visit, meeting or decision on a project; returns its id.
    pub async fn add_tracking(
        &self,
        session: &Session,
        project_id: i64,
        input: &TrackingInput,
        ip: &str,
    ) -> AppResult<i64> {
        let p = self.store.project(project_id).await?;
        if !self.may_log(session, &p).await? {
            return Err(AppError::forbidden());
        }
        let mut errors = Vec::new();
        let on = date_field("on", &input.on, true, &mut errors);
        let kind = TrackingKind::parse(input.kind.trim());
        if kind.is_none() {
            errors.push(FieldError::new(
                "kind",
                format!("“{}”不是跟踪记录类别，可选：走访 visit、会商 meeting、决策 decision", input.kind),
                format!("“{}” is not a kind of entry; one of: visit, meeting, decision", input.kind),
            ));
        }
        let note = text_field("note", &input.note, 2000, &mut errors);
        let who = text_field("who", &input.who, 200, &mut errors);
        let (Some(on), Some(kind), true) = (on, kind, errors.is_empty()) else {
            return Err(invalid_fields(&errors));
        };
        let entry = NewTracking { on, kind, note, who, synthetic: false };
        Ok(self.store.add_tracking(project_id, &entry, &session.actor(ip)).await?)
    }

    /// Demo tracking-log entries, marked synthetic.
    pub(crate) async fn add_listed_tracking(
        &self,
        session: &Session,
        project_id: i64,
        on: Date,
        kind: TrackingKind,
        note: &str,
        who: &str,
    ) -> AppResult<()> {
        let entry = NewTracking { on, kind, note: note.into(), who: who.into(), synthetic: true };
        self.store.add_tracking(project_id, &entry, &session.actor("")).await?;
        Ok(())
    }
}
