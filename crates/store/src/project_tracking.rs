//! Following a key project (跟踪服务): its progress per period (investment completed in the period and
//! cumulative, physical progress), reported and reviewed like a progress report (each report a version,
//! a resubmission until one is accepted); its milestones with planned and actual dates; its tracking log
//! of visits, meetings and decisions.

use jiqun_domain::audit::AuditAction;
use jiqun_domain::date::Date;
use jiqun_domain::projects::TrackingKind;
use jiqun_domain::report::ReviewState;
use serde::Serialize;
use serde_json::json;

use crate::model::{Table, row};
use crate::{Actor, Clash, Missing, Result, Store, StoreError, Tx, get, now_ms};

row! {
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ProgressRow {
        pub id: i64,
        pub project_id: i64,
        /// `2025`, `2025Q2` or `2025-06`.
        pub period: String,
        /// The period's sort key (months since year 0 at its end, then its length).
        pub period_key: i64,
        pub version: i64,
        pub is_current: bool,
        pub state: ReviewState,
        /// Investment completed in the period, 万元.
        pub invest_period_wan: f64,
        /// Investment completed since the start, 万元.
        pub invest_cumulative_wan: f64,
        /// Physical progress, percent (0–100).
        pub physical_percent: f64,
        pub narrative: String,
        pub synthetic: bool,
        pub review_comment: Option<String>,
        pub created_by: Option<i64>,
        pub by_name: Option<String>,
        pub created_at: i64,
        pub reviewed_by: Option<i64>,
        pub reviewed_at: Option<i64>,
    }
}

/// A period's progress with the name of who reported it.
impl Table for ProgressRow {
    const TABLE: &'static str = "project_progress g LEFT JOIN users u ON u.id = g.created_by";
    const COLUMNS: &'static str = "g.id, g.project_id, g.period, g.period_key, g.version, g.is_current, g.state, g.invest_period_wan, g.invest_cumulative_wan, g.physical_percent, g.narrative, g.synthetic, g.review_comment, g.created_by, u.username AS by_name, g.created_at, g.reviewed_by, g.reviewed_at";
    const ID: &'static str = "g.id";
}

row! {
    table "project_milestones";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct MilestoneRow {
        pub id: i64,
        pub project_id: i64,
        pub name: String,
        pub planned_on: Date,
        /// The day it was done; empty while it is not.
        pub done_on: Option<Date>,
        pub synthetic: bool,
        pub created_by: Option<i64>,
        pub created_at: i64,
        pub done_by: Option<i64>,
        pub done_at: Option<i64>,
    }
}

row! {
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct TrackingRow {
        pub id: i64,
        pub project_id: i64,
        pub on_date: Date,
        pub kind: TrackingKind,
        pub note: String,
        /// Who took part (as written by whoever recorded it).
        pub who: String,
        pub synthetic: bool,
        pub by_user: Option<i64>,
        pub by_name: Option<String>,
        pub at: i64,
    }
}

/// A period's progress as the application checked it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProgress {
    pub period: String,
    pub period_key: i64,
    pub invest_period_wan: f64,
    pub invest_cumulative_wan: f64,
    pub physical_percent: f64,
    pub narrative: String,
    pub synthetic: bool,
}

/// A tracking-log entry as the application checked it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTracking {
    pub on: Date,
    pub kind: TrackingKind,
    pub note: String,
    pub who: String,
    pub synthetic: bool,
}

fn wan(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl Store {
    /// Every version of every period's progress of a project, by period then version.
    pub async fn progress(&self, project_id: i64) -> Result<Vec<ProgressRow>> {
        let rest = "WHERE g.project_id = $1 ORDER BY g.period_key, g.id";
        self.all(ProgressRow::select(rest).bind(project_id)).await
    }

    /// The current report of every period of every project (for the lists).
    pub async fn current_progress(&self) -> Result<Vec<ProgressRow>> {
        self.all(ProgressRow::select("WHERE g.is_current = 1 ORDER BY g.project_id, g.period_key")).await
    }

    /// The cumulative investment must not go down: not below an earlier period's accepted cumulative, not
    /// above a later one's.
    async fn check_cumulative(&self, tx: &mut Tx, project_id: i64, key: i64, period: &str, value: f64) -> Result<()> {
        let rows = sqlx::query(
            "SELECT period, period_key, invest_cumulative_wan FROM project_progress \
             WHERE project_id = $1 AND is_current = 1 AND state = 'accepted' AND period <> $2 ORDER BY period_key",
        )
        .bind(project_id)
        .bind(period)
        .fetch_all(&mut **tx)
        .await?;
        for r in &rows {
            let (p, k, v): (String, i64, f64) =
                (get(r, "period")?, get(r, "period_key")?, get(r, "invest_cumulative_wan")?);
            let later = k > key;
            if (!later && value < v - 1e-9) || (later && value > v + 1e-9) {
                return Err(StoreError::Conflict(Clash::CumulativeOrder {
                    submitted: wan(value),
                    period: p,
                    accepted: wan(v),
                    later,
                }));
            }
        }
        Ok(())
    }

    /// Files a period's progress: a new version, the period's earlier one kept in the history. A period
    /// whose progress was accepted does not change; the cumulative must not go down from an earlier
    /// accepted period (nor exceed a later one). Returns the new row's id.
    pub async fn report_progress(&self, project_id: i64, p: &NewProgress, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = self.report_progress_tx(&mut tx, project_id, p, actor).await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// `report_progress` inside a transaction the caller commits (an import commits many at once).
    pub(crate) async fn report_progress_tx(
        &self,
        tx: &mut Tx,
        project_id: i64,
        p: &NewProgress,
        actor: &Actor,
    ) -> Result<i64> {
        let prev = sqlx::query(
            "SELECT id, version, state FROM project_progress WHERE project_id = $1 AND period = $2 AND is_current = 1",
        )
        .bind(project_id)
        .bind(&p.period)
        .fetch_optional(&mut **tx)
        .await?;
        let prev: Option<(i64, i64, String)> = match prev {
            Some(r) => Some((get(&r, "id")?, get(&r, "version")?, get(&r, "state")?)),
            None => None,
        };
        if prev.as_ref().is_some_and(|(_, _, s)| s == "accepted") {
            return Err(StoreError::Conflict(Clash::ReportAccepted));
        }
        self.check_cumulative(tx, project_id, p.period_key, &p.period, p.invest_cumulative_wan).await?;
        if let Some((id, _, _)) = &prev {
            sqlx::query("UPDATE project_progress SET is_current = 0 WHERE id = $1").bind(id).execute(&mut **tx).await?;
        }
        let version = prev.as_ref().map_or(1, |p| p.1 + 1);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO project_progress (project_id, period, period_key, version, is_current, state, invest_period_wan, invest_cumulative_wan, physical_percent, narrative, synthetic, created_by, created_at) \
             VALUES ($1, $2, $3, $4, 1, 'submitted', $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(project_id)
        .bind(&p.period)
        .bind(p.period_key)
        .bind(version)
        .bind(p.invest_period_wan)
        .bind(p.invest_cumulative_wan)
        .bind(p.physical_percent)
        .bind(&p.narrative)
        .bind(i64::from(p.synthetic))
        .bind(actor.id)
        .bind(now_ms())
        .fetch_one(&mut **tx)
        .await?;
        let detail = json!({ "project": project_id, "period": p.period, "version": version,
            "invest_period_wan": p.invest_period_wan, "invest_cumulative_wan": p.invest_cumulative_wan,
            "physical_percent": p.physical_percent });
        self.audit(tx, actor, AuditAction::ProjectProgress, "project_progress", &id.to_string(), true, &detail).await?;
        Ok(id)
    }

    /// Accepts a period's submitted progress or returns it with a comment (an accepted one may be returned,
    /// which reopens it). Nobody accepts a report they filed (four eyes). Accepting checks the cumulative
    /// against the other accepted periods again.
    pub async fn review_progress(
        &self,
        project_id: i64,
        period: &str,
        accept: bool,
        comment: &str,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT id, state, period_key, invest_cumulative_wan, created_by FROM project_progress WHERE project_id = $1 AND period = $2 AND is_current = 1",
        )
        .bind(project_id)
        .bind(period)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(Missing::Progress { project: project_id, period: period.to_string() }))?;
        let (id, state, key, cumulative): (i64, String, i64, f64) =
            (get(&row, "id")?, get(&row, "state")?, get(&row, "period_key")?, get(&row, "invest_cumulative_wan")?);
        if !ReviewState::parse(&state).is_some_and(|s| s.may_review(accept)) {
            return Err(StoreError::Conflict(Clash::ReportNotSubmitted { state }));
        }
        let by: Option<i64> = get(&row, "created_by")?;
        if accept && actor.id.is_some() && actor.id == by {
            return Err(StoreError::Conflict(Clash::OwnReport));
        }
        if accept {
            self.check_cumulative(&mut tx, project_id, key, period, cumulative).await?;
        }
        sqlx::query(
            "UPDATE project_progress SET state = $1, review_comment = $2, reviewed_by = $3, reviewed_at = $4 WHERE id = $5",
        )
        .bind(if accept { "accepted" } else { "returned" })
        .bind(comment)
        .bind(actor.id)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let action = if accept { AuditAction::ProjectProgressAccept } else { AuditAction::ProjectProgressReturn };
        let detail = json!({ "project": project_id, "period": period, "comment": comment });
        self.commit_audited(tx, actor, action, "project_progress", &id.to_string(), &detail).await
    }

    /// The milestones of one project, or of all, by project and planned day.
    pub async fn milestones(&self, project_id: Option<i64>) -> Result<Vec<MilestoneRow>> {
        let rest = "WHERE ($1 IS NULL OR project_id = $1) ORDER BY project_id, planned_on, id";
        self.all(MilestoneRow::select(rest).bind(project_id)).await
    }

    pub async fn milestone(&self, id: i64) -> Result<MilestoneRow> {
        self.by_id(id, Missing::Milestone).await
    }

    /// Adds a milestone to a project; returns its id.
    pub async fn add_milestone(
        &self,
        project_id: i64,
        name: &str,
        planned_on: Date,
        synthetic: bool,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO project_milestones (project_id, name, planned_on, synthetic, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(project_id)
        .bind(name)
        .bind(planned_on.to_string())
        .bind(i64::from(synthetic))
        .bind(actor.id)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let detail = json!({ "project": project_id, "name": name, "planned_on": planned_on });
        self.commit_audited(tx, actor, AuditAction::MilestoneAdd, "milestone", &id.to_string(), &detail).await?;
        Ok(id)
    }

    /// Records the day a milestone was done; one done already is a conflict naming that day.
    pub async fn milestone_done(&self, id: i64, on: Date, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        let done: Option<Option<String>> = sqlx::query_scalar("SELECT done_on FROM project_milestones WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        match done {
            None => return Err(StoreError::NotFound(Missing::Milestone(id))),
            Some(Some(day)) => return Err(StoreError::Conflict(Clash::MilestoneDone { on: day })),
            Some(None) => {}
        }
        sqlx::query("UPDATE project_milestones SET done_on = $1, done_by = $2, done_at = $3 WHERE id = $4")
            .bind(on.to_string())
            .bind(actor.id)
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let detail = json!({ "on": on });
        self.commit_audited(tx, actor, AuditAction::MilestoneDone, "milestone", &id.to_string(), &detail).await
    }

    pub async fn tracking_log(&self, project_id: i64) -> Result<Vec<TrackingRow>> {
        self.all(
            sqlx::query(
                "SELECT l.id, l.project_id, l.on_date, l.kind, l.note, l.who, l.synthetic, l.by_user, u.username AS by_name, l.at \
                 FROM project_log l LEFT JOIN users u ON u.id = l.by_user WHERE l.project_id = $1 ORDER BY l.on_date DESC, l.id DESC",
            )
            .bind(project_id),
        )
        .await
    }

    /// Records a visit, meeting or decision on a project; returns its id.
    pub async fn add_tracking(&self, project_id: i64, e: &NewTracking, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO project_log (project_id, on_date, kind, note, who, synthetic, by_user, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(project_id)
        .bind(e.on.to_string())
        .bind(e.kind.as_str())
        .bind(&e.note)
        .bind(&e.who)
        .bind(i64::from(e.synthetic))
        .bind(actor.id)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let detail = json!({ "project": project_id, "on": e.on, "kind": e.kind, "who": e.who });
        self.commit_audited(tx, actor, AuditAction::ProjectLog, "project", &project_id.to_string(), &detail).await?;
        Ok(id)
    }
}
