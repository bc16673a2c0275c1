//! The periodic progress bulletin of a plan (督办通报): what stood at the end of a reporting period — the
//! targets with their status as of that period, each department's report for it (draft, submitted,
//! accepted, returned or missing), the overdue and stalled assignments named with their departments, the key
//! projects by stage, and the latest per-mu evaluation by city. The bulletin is data; the web crate renders
//! it as a printable page and `jiqun report` writes it to a file.

use std::collections::BTreeMap;

use jiqun_domain::date::Date;
use jiqun_domain::period::Period;
use jiqun_domain::projects::ProjectStage;
use jiqun_domain::report::ReviewState;
use jiqun_eval::progress::Status;
use jiqun_store::ProjectFilter;

use crate::input::today;
use crate::{Action, App, AppError, AppResult, Session};

/// A target as it stood at the end of the period.
#[derive(Debug, Clone)]
pub struct TargetLine {
    pub indicator_id: i64,
    pub item: Option<String>,
    pub name: String,
    pub unit: String,
    /// The plan's wording of the target.
    pub source_text: String,
    pub baseline: Option<(String, f64)>,
    /// The latest province-wide value in or before the period.
    pub latest: Option<(String, f64)>,
    /// The status at that value; `None` before any value.
    pub status: Option<Status>,
    /// The target: how it compares, its value (and the upper end of a range) and its year.
    pub target_cmp: jiqun_domain::plan::Cmp,
    pub target_value: f64,
    pub target_value_max: Option<f64>,
    pub target_year: i64,
}

/// A department's report on one assignment for the period.
#[derive(Debug, Clone)]
pub struct MatrixCell {
    pub item: String,
    pub item_title: String,
    /// `lead` or `co`.
    pub role: String,
    /// `None`: no report for the period.
    pub state: Option<ReviewState>,
    pub percent: Option<f64>,
}

/// An assignment flagged overdue or stalled.
#[derive(Debug, Clone)]
pub struct Flagged {
    pub agency: String,
    pub item: String,
    pub item_title: String,
    /// The periods whose deadline passed without a submitted report (empty for a stalled one).
    pub overdue: Vec<String>,
    pub stalled: bool,
}

/// An evaluation run's year and each city's count of firms by class (A, B, C, D, not rated).
pub type ClassesByCity = (i64, Vec<(String, [usize; 5])>);

#[derive(Debug, Clone)]
pub struct Bulletin {
    pub plan_id: i64,
    pub plan_name: String,
    pub doc_number: Option<String>,
    /// The issuing units the plan names (its 发文机关), else none.
    pub issuers: Vec<String>,
    pub period: Period,
    /// The reporting round's deadline for the period, if a round was set.
    pub deadline: Option<String>,
    pub made_on: Date,
    pub synthetic: bool,
    pub targets: Vec<TargetLine>,
    /// Each department with its assignments' reports for the period, departments in name order.
    pub matrix: Vec<(String, Vec<MatrixCell>)>,
    pub flagged: Vec<Flagged>,
    /// Key projects by stage (every stage listed, in the stages' order).
    pub projects_by_stage: Vec<(ProjectStage, usize)>,
    pub open_problems: usize,
    /// The latest evaluation run, by city (for readers of the directory).
    pub evaluation: Option<ClassesByCity>,
}

impl App {
    /// The bulletin of a plan for a period (`2025`, `2025Q4`, `2025-06`): for those who read the plan.
    pub async fn bulletin(&self, session: &Session, plan_id: i64, period: &str) -> AppResult<Bulletin> {
        session.require(&Action::ReadPlan)?;
        self.make_bulletin(plan_id, period, session.can(&Action::ReadEnterprises)).await
    }

    /// The same for the operator who holds the database (`jiqun report`).
    pub async fn bulletin_for_operator(&self, plan_id: i64, period: &str) -> AppResult<Bulletin> {
        self.make_bulletin(plan_id, period, true).await
    }

    async fn make_bulletin(&self, plan_id: i64, period: &str, with_evaluation: bool) -> AppResult<Bulletin> {
        let period = Period::parse(period.trim()).map_err(|_| {
            AppError::invalid(
                "period",
                format!("“{period}”不是报告期，应形如 2025、2025Q4 或 2025-06"),
                format!("“{period}” is not a period such as 2025, 2025Q4 or 2025-06"),
            )
        })?;
        let snap = self.snapshot().await?;
        let pv = snap
            .plan(plan_id)
            .ok_or_else(|| AppError::not_found(format!("计划 {plan_id} 不存在"), format!("no plan {plan_id}")))?;
        let key = period.to_string();
        let targets = pv
            .indicators
            .iter()
            .map(|iv| {
                let latest = iv.series.iter().rev().find(|p| p.period <= period);
                let status =
                    iv.history.iter().rev().find(|(p, _)| Period::parse(p).is_ok_and(|p| p <= period)).map(|(_, s)| *s);
                TargetLine {
                    indicator_id: iv.row.id,
                    item: iv.row.item.clone(),
                    name: iv.row.name.clone(),
                    unit: iv.row.unit.clone(),
                    source_text: iv.row.source_text.clone(),
                    baseline: iv.baseline.as_ref().map(|p| (p.period.to_string(), p.value)),
                    latest: latest.map(|p| (p.period.to_string(), p.value)),
                    status,
                    target_cmp: iv.row.target_cmp,
                    target_value: iv.row.target_value,
                    target_value_max: iv.row.target_value_max,
                    target_year: iv.row.target_year,
                }
            })
            .collect();
        let mut matrix: BTreeMap<String, Vec<MatrixCell>> = BTreeMap::new();
        let mut flagged = Vec::new();
        for a in &pv.assignments {
            let report = a.reports.iter().rev().find(|r| r.period == key);
            matrix.entry(a.row.agency.to_string()).or_default().push(MatrixCell {
                item: a.row.item.clone(),
                item_title: a.row.item_title.clone(),
                role: a.row.role.clone(),
                state: report.map(|r| r.state),
                percent: report.map(|r| r.percent),
            });
            if !a.overdue.is_empty() || a.stalled {
                flagged.push(Flagged {
                    agency: a.row.agency.to_string(),
                    item: a.row.item.clone(),
                    item_title: a.row.item_title.clone(),
                    overdue: a.overdue.clone(),
                    stalled: a.stalled,
                });
            }
        }
        let projects = self.store.projects(&ProjectFilter::default()).await?;
        let projects_by_stage =
            ProjectStage::ALL.iter().map(|s| (*s, projects.iter().filter(|p| p.stage == *s).count())).collect();
        let open_problems = self
            .store
            .problems(None)
            .await?
            .iter()
            .filter(|p| !matches!(p.state, jiqun_domain::projects::ProblemState::Closed))
            .count();
        let evaluation = if with_evaluation { self.evaluation_by_city().await? } else { None };
        Ok(Bulletin {
            plan_id,
            plan_name: pv.plan.name.clone(),
            doc_number: pv.plan.doc_number.clone(),
            issuers: pv.doc.issuers.clone(),
            period,
            deadline: pv.rounds.iter().find(|r| r.period == key).map(|r| r.deadline.clone()),
            made_on: today(),
            synthetic: snap.synthetic,
            targets,
            matrix: matrix.into_iter().collect(),
            flagged,
            projects_by_stage,
            open_problems,
            evaluation,
        })
    }

    /// The newest evaluation run: each city's firms by class.
    async fn evaluation_by_city(&self) -> AppResult<Option<ClassesByCity>> {
        let Some(run) = self.store.evaluations().await?.into_iter().max_by_key(|e| (e.year, e.id)) else {
            return Ok(None);
        };
        let mut by_city: BTreeMap<String, [usize; 5]> = BTreeMap::new();
        for r in self.store.evaluation_results(run.id).await? {
            let i = match r.class.as_str() {
                "A" => 0,
                "B" => 1,
                "C" => 2,
                "D" => 3,
                _ => 4,
            };
            by_city.entry(r.city.to_string()).or_default()[i] += 1;
        }
        // In the province's order of its cities.
        let order: Vec<String> =
            jiqun_domain::RegionModel::guangdong().prefecture_cities().map(|c| c.name.clone()).collect();
        let mut rows: Vec<(String, [usize; 5])> = by_city.into_iter().collect();
        rows.sort_by_key(|(c, _)| order.iter().position(|o| o == c).unwrap_or(usize::MAX));
        Ok(Some((run.year, rows)))
    }
}
