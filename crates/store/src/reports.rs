//! Supervision (督办): assignments (item × responsible agency), reporting rounds with deadlines, and the
//! progress reports with their versions, review and attachments.

use jiqun_domain::audit::AuditAction;
use serde_json::json;

use jiqun_domain::report::{ReportStatus, ReviewState};

use crate::model::{Column, FromRow, Table};

use crate::{
    Actor, AssignmentRow, AttachmentMeta, Clash, Missing, ReportInput, ReportRow, Result, RoundRow, Store, StoreError,
    Tx, Upload, get, insert_upload, now_ms,
};

const ASSIGNMENT_SELECT: &str = "SELECT a.id, a.plan_id, a.item, COALESCE(i.title, '') AS item_title, a.agency, a.role \
     FROM assignments a LEFT JOIN items i ON i.plan_id = a.plan_id AND i.item = a.item";

impl Store {
    pub async fn assignments(
        &self,
        plan_id: Option<i64>,
        agency: Option<&jiqun_domain::AgencyName>,
    ) -> Result<Vec<AssignmentRow>> {
        self.all::<AssignmentRow>(sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ASSIGNMENT_SELECT} WHERE ($1 IS NULL OR a.plan_id = $1) AND ($2 IS NULL OR a.agency = $2) ORDER BY a.plan_id, i.position, a.role DESC, a.id"
        )))
        .bind(plan_id)
        .bind(agency.map(|a| a.as_str()))).await
    }

    pub async fn assignment(&self, id: i64) -> Result<Option<AssignmentRow>> {
        self.one::<AssignmentRow>(
            sqlx::query(sqlx::AssertSqlSafe(format!("{ASSIGNMENT_SELECT} WHERE a.id = $1"))).bind(id),
        )
        .await
    }

    pub async fn rounds(&self, plan_id: i64) -> Result<Vec<RoundRow>> {
        let mut out = self
            .all::<RoundRow>(
                sqlx::query("SELECT id, plan_id, period, deadline FROM report_rounds WHERE plan_id = $1").bind(plan_id),
            )
            .await?;
        out.sort_by_key(|r| jiqun_domain::period::Period::parse(&r.period).map(|p| p.sort_key()).unwrap_or((0, 0)));
        Ok(out)
    }

    /// Opens a reporting round (or moves its deadline).
    pub async fn set_round(&self, plan_id: i64, period: &str, deadline: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        let n = sqlx::query("UPDATE report_rounds SET deadline = $1 WHERE plan_id = $2 AND period = $3")
            .bind(deadline)
            .bind(plan_id)
            .bind(period)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            sqlx::query("INSERT INTO report_rounds (plan_id, period, deadline) VALUES ($1, $2, $3)")
                .bind(plan_id)
                .bind(period)
                .bind(deadline)
                .execute(&mut *tx)
                .await?;
        }
        let detail = json!({ "period": period, "deadline": deadline });
        self.commit_audited(tx, actor, AuditAction::RoundSet, "plan", &plan_id.to_string(), &detail).await
    }

    /// Every version of every report of a plan (or of some assignments), newest version last.
    pub async fn reports(&self, plan_id: i64, current_only: bool) -> Result<Vec<ReportRow>> {
        let mut reports = self.all::<ReportRow>(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM reports r JOIN assignments a ON a.id = r.assignment_id LEFT JOIN users u ON u.id = r.created_by \
             WHERE a.plan_id = $1 AND ($2 = 0 OR r.is_current = 1) ORDER BY r.assignment_id, r.period, r.version",
            ReportRow::COLUMNS
        )))
        .bind(plan_id)
        .bind(current_only as i64)).await?;
        self.fill_attachments(&mut reports).await?;
        Ok(reports)
    }

    pub async fn assignment_reports(&self, assignment_id: i64) -> Result<Vec<ReportRow>> {
        let rest = "WHERE r.assignment_id = $1 ORDER BY r.period, r.version";
        let mut reports = self.all(ReportRow::select(rest).bind(assignment_id)).await?;
        self.fill_attachments(&mut reports).await?;
        Ok(reports)
    }

    /// The period and review state of the current version of each period's report on one assignment: what a
    /// new report is checked against, without reading every version and its attachments.
    pub async fn current_report_states(&self, assignment_id: i64) -> Result<Vec<(String, ReviewState)>> {
        sqlx::query("SELECT period, state FROM reports WHERE assignment_id = $1 AND is_current = 1")
            .bind(assignment_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((get(r, "period")?, Column::read(r, "state")?)))
            .collect()
    }

    pub async fn report(&self, id: i64) -> Result<Option<ReportRow>> {
        let row = self.one(ReportRow::select("WHERE r.id = $1").bind(id)).await?;
        let Some(row) = row else { return Ok(None) };
        let mut v = vec![row];
        self.fill_attachments(&mut v).await?;
        Ok(v.pop())
    }

    async fn fill_attachments(&self, reports: &mut [ReportRow]) -> Result<()> {
        if reports.is_empty() {
            return Ok(());
        }
        let rows = sqlx::query(
            "SELECT id, report_id, filename, content_type, size FROM attachments WHERE report_id BETWEEN $1 AND $2 ORDER BY id",
        )
        .bind(reports.iter().map(|r| r.id).min().unwrap_or(0))
        .bind(reports.iter().map(|r| r.id).max().unwrap_or(0))
        .fetch_all(self.pool())
        .await?;
        for r in rows {
            let meta = AttachmentMeta::from_row(&r)?;
            if let Some(rep) = reports.iter_mut().find(|x| x.id == meta.report_id) {
                rep.attachments.push(meta);
            }
        }
        Ok(())
    }

    /// Files a report (a draft or a submission). Each save is a new version; the previous one stays in the
    /// history. A report already accepted for the period cannot be replaced. Gives the report as stored.
    pub async fn save_report(&self, assignment_id: i64, input: &ReportInput, actor: &Actor) -> Result<ReportRow> {
        let mut tx = self.begin_report_write().await?;
        let report = self.save_report_tx(&mut tx, assignment_id, input, actor).await?;
        self.commit(tx).await?;
        Ok(report)
    }

    /// `save_report` inside a transaction the caller commits (an import commits many at once). The report
    /// is made from what was written rather than read back: reports are filed many at a time in a
    /// reporting season, and each statement costs the writers' turn.
    pub(crate) async fn save_report_tx(
        &self,
        tx: &mut Tx,
        assignment_id: i64,
        input: &ReportInput,
        actor: &Actor,
    ) -> Result<ReportRow> {
        let status = ReportStatus::parse(&input.status)
            .ok_or_else(|| StoreError::Corrupt(format!("report status {:?}", input.status)))?;
        // The current version stops being current; what it was is checked before anything else is written
        // (a refusal rolls the transaction back, this update with it). Read inside the write, after the
        // revision row has serialised it against every other writer, so two who read the same version
        // cannot both win.
        let prev: Option<(i64, i64, ReviewState)> = sqlx::query(
            "UPDATE reports SET is_current = 0 WHERE assignment_id = $1 AND period = $2 AND is_current = 1 \
             RETURNING id, version, state",
        )
        .bind(assignment_id)
        .bind(&input.period)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| -> Result<(i64, i64, ReviewState)> {
            Ok((get(&r, "id")?, get(&r, "version")?, Column::read(&r, "state")?))
        })
        .transpose()?;
        // The version the writer read (0: none yet).
        let current = prev.as_ref().map_or(0, |p| p.1);
        if let Some(read) = input.based_on
            && read != current
        {
            return Err(StoreError::Conflict(Clash::Stale { current }));
        }
        if let Some((_, _, ReviewState::Accepted)) = &prev {
            return Err(StoreError::Conflict(Clash::ReportAccepted));
        }
        let now = now_ms();
        let version = prev.as_ref().map(|p| p.1 + 1).unwrap_or(1);
        let state = if input.submit { ReviewState::Submitted } else { ReviewState::Draft };
        let submitted_at = input.submit.then_some(now);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reports (assignment_id, period, version, is_current, state, status, percent, narrative, problems, help_needed, created_at, created_by, submitted_at) \
             VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(assignment_id)
        .bind(&input.period)
        .bind(version)
        .bind(state.as_str())
        .bind(status.as_str())
        .bind(input.percent)
        .bind(&input.narrative)
        .bind(&input.problems)
        .bind(&input.help_needed)
        .bind(now)
        .bind(actor.id)
        .bind(submitted_at)
        .fetch_one(&mut **tx)
        .await?;
        // Evidence filed with an earlier version stays with the report.
        let mut attachments = Vec::new();
        if let Some((prev_id, _, _)) = &prev {
            let moved = sqlx::query(
                "UPDATE attachments SET report_id = $1 WHERE report_id = $2 \
                 RETURNING id, report_id, filename, content_type, size",
            )
            .bind(id)
            .bind(prev_id)
            .fetch_all(&mut **tx)
            .await?;
            attachments = moved.iter().map(AttachmentMeta::from_row).collect::<Result<Vec<_>>>()?;
            attachments.sort_by_key(|a| a.id);
        }
        let action = if input.submit { AuditAction::ReportSubmit } else { AuditAction::ReportDraft };
        let detail = json!({ "assignment": assignment_id, "period": input.period, "version": version, "status": input.status, "percent": input.percent });
        self.audit(tx, actor, action, "report", &id.to_string(), true, &detail).await?;
        Ok(ReportRow {
            id,
            assignment_id,
            period: input.period.clone(),
            version,
            current: true,
            state,
            status,
            percent: input.percent,
            narrative: input.narrative.clone(),
            problems: input.problems.clone(),
            help_needed: input.help_needed.clone(),
            review_comment: None,
            created_at: now,
            created_by: actor.id,
            // The name the report's reader joins from the users table: the account's, which is the actor's.
            created_by_name: actor.id.map(|_| actor.name.clone()),
            submitted_at,
            reviewed_at: None,
            attachments,
        })
    }

    /// The plan owner accepts a submitted report or returns it with comments; an accepted report may be
    /// returned too, which reopens it for a resubmission.
    pub async fn review_report(&self, report_id: i64, accept: bool, comment: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.begin_report_write().await?;
        let row = sqlx::query("SELECT assignment_id, period, is_current, state FROM reports WHERE id = $1")
            .bind(report_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound(Missing::Report(report_id)))?;
        // A version the department has since replaced: the reviewer read an old one.
        if get::<i64>(&row, "is_current")? == 0 {
            let current: i64 = sqlx::query_scalar(
                "SELECT version FROM reports WHERE assignment_id = $1 AND period = $2 AND is_current = 1",
            )
            .bind(get::<i64>(&row, "assignment_id")?)
            .bind(get::<String>(&row, "period")?)
            .fetch_one(&mut *tx)
            .await?;
            return Err(StoreError::Conflict(Clash::Stale { current }));
        }
        // A submitted report is accepted or returned; an accepted one can still be returned (reopened), so
        // that the department may correct it.
        let state: ReviewState = Column::read(&row, "state")?;
        if !state.may_review(accept) {
            return Err(StoreError::Conflict(Clash::ReportNotSubmitted { state: state.as_str().to_string() }));
        }
        sqlx::query(
            "UPDATE reports SET state = $1, review_comment = $2, reviewed_at = $3, reviewed_by = $4 WHERE id = $5",
        )
        .bind(if accept { ReviewState::Accepted } else { ReviewState::Returned }.as_str())
        .bind(comment)
        .bind(now_ms())
        .bind(actor.id)
        .bind(report_id)
        .execute(&mut *tx)
        .await?;
        let action = if accept { AuditAction::ReportAccept } else { AuditAction::ReportReturn };
        let detail = json!({ "comment": comment });
        self.commit_audited(tx, actor, action, "report", &report_id.to_string(), &detail).await
    }

    pub async fn add_attachment(
        &self,
        report_id: i64,
        filename: &str,
        content_type: &str,
        data: &[u8],
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin_report_write().await?;
        let file = Upload { filename, content_type, data };
        let id = insert_upload(&mut tx, "attachments", "report_id", report_id, file, actor).await?;
        let detail = json!({ "file": filename, "size": data.len() });
        self.commit_audited(tx, actor, AuditAction::AttachmentAdd, "report", &report_id.to_string(), &detail).await?;
        Ok(id)
    }

    /// An attachment's metadata and bytes.
    pub async fn attachment(&self, id: i64) -> Result<Option<(AttachmentMeta, Vec<u8>)>> {
        let row =
            sqlx::query("SELECT id, report_id, filename, content_type, size, data FROM attachments WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        let Some(r) = row else { return Ok(None) };
        let meta = AttachmentMeta::from_row(&r)?;
        Ok(Some((meta, get(&r, "data")?)))
    }
}
