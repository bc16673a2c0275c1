//! Supervision (督办): each assignment's progress reports (filed, reviewed, returned), their evidence, the
//! reporting rounds and which periods take a report. Each use case decides who may act before it reads
//! the input.

use jiqun_domain::period::Period;
use jiqun_domain::report::{ReportStatus, ReviewState};
use jiqun_store::{AssignmentRow, AttachmentMeta, ReportInput, ReportRow};

use crate::input::{begun, limit_text, parse_period};
use crate::{Action, App, AppError, AppResult, Session};

fn no_assignment(id: i64) -> AppError {
    AppError::not_found(format!("任务分工 {id} 不存在"), format!("no assignment {id}"))
}

impl App {
    /// May this user file reports on the assignment? Asked before the request body is read, so that a caller
    /// who may not report gets 403 whatever the body (and no hint whether the assignment exists).
    pub async fn may_file_report(&self, session: &Session, assignment_id: i64) -> AppResult<AssignmentRow> {
        match self.store.assignment(assignment_id).await? {
            Some(a) if session.can(&Action::FileReport { agency: a.agency.as_str() }) => Ok(a),
            Some(_) => Err(AppError::forbidden()),
            None if session.can(&Action::ReadPlan) => Err(no_assignment(assignment_id)),
            None => Err(AppError::forbidden()),
        }
    }

    /// Every version of every period's report on one assignment, oldest first.
    pub async fn assignment_reports(&self, session: &Session, assignment_id: i64) -> AppResult<Vec<ReportRow>> {
        session.require(&Action::ReadPlan)?;
        Ok(self.store.assignment_reports(assignment_id).await?)
    }

    /// One report (any version).
    pub async fn report(&self, session: &Session, id: i64) -> AppResult<ReportRow> {
        session.require(&Action::ReadPlan)?;
        self.store
            .report(id)
            .await?
            .ok_or_else(|| AppError::not_found(format!("报告 {id} 不存在"), format!("no report {id}")))
    }

    /// A report's evidence file: its description and bytes.
    pub async fn attachment(&self, session: &Session, id: i64) -> AppResult<(AttachmentMeta, Vec<u8>)> {
        session.require(&Action::ReadPlan)?;
        self.store
            .attachment(id)
            .await?
            .ok_or_else(|| AppError::not_found(format!("附件 {id} 不存在"), format!("no attachment {id}")))
    }
}

/// A report refused because the period's report was accepted: it stands until the reviewer returns it.
fn accepted_already(period: &str) -> AppError {
    AppError::conflict(
        format!("{period} 的报告已审核通过，不能再次提交；如需修改，请审核人先退回"),
        format!("the report for {period} was accepted and cannot be replaced; the reviewer must return it first"),
    )
}

/// The largest attachment accepted.
pub const MAX_ATTACHMENT: usize = 10 << 20;

/// The plan setting that lets departments report for periods with no reporting round.
pub fn outside_rounds_key(plan_id: i64) -> String {
    format!("plan.{plan_id}.reports_outside_rounds")
}

impl App {
    /// Files a progress report on an assignment (a draft, or a submission).
    pub async fn file_report(
        &self,
        session: &Session,
        assignment_id: i64,
        input: &ReportInput,
        ip: &str,
    ) -> AppResult<ReportRow> {
        // Whether the period's report was accepted already is checked by the write itself (no read of its
        // own before it): refused, it is said as `check_report` says it.
        let input = self.check_report_input(session, assignment_id, input).await?;
        let out = self.store.save_report(assignment_id, &input, &session.actor(ip)).await;
        if let Err(jiqun_store::StoreError::Conflict(jiqun_store::Clash::ReportAccepted)) = out {
            return Err(accepted_already(&input.period));
        }
        self.with_current_report(out, assignment_id, &input.period).await
    }

    /// A write refused because the report changed since the writer read it carries the report as it is now
    /// (contracts §3: "a stale one gets 409 with the current record").
    async fn with_current_report<T>(
        &self,
        out: Result<T, jiqun_store::StoreError>,
        assignment_id: i64,
        period: &str,
    ) -> AppResult<T> {
        match out {
            Err(e @ jiqun_store::StoreError::Conflict(jiqun_store::Clash::Stale { .. })) => {
                let now = self.store.assignment_reports(assignment_id).await?;
                let current = now.into_iter().find(|r| r.current && r.period == period);
                let e = AppError::from(e);
                Err(match current {
                    Some(r) => e.with_current(crate::Current::Report(Box::new(r))),
                    None => e,
                })
            }
            out => Ok(out?),
        }
    }

    /// The checks of `file_report` (permission first), without writing: the report as it is stored. An
    /// import checks each row with this.
    pub(crate) async fn check_report(
        &self,
        session: &Session,
        assignment_id: i64,
        input: &ReportInput,
    ) -> AppResult<ReportInput> {
        let input = self.check_report_input(session, assignment_id, input).await?;
        // An accepted report stands until the reviewer returns it.
        let period = Period::parse(&input.period).ok();
        let accepted = self
            .store
            .current_report_states(assignment_id)
            .await?
            .into_iter()
            .any(|(p, state)| Period::parse(&p).ok() == period && state == ReviewState::Accepted);
        if accepted {
            return Err(accepted_already(&input.period));
        }
        Ok(input)
    }

    /// The checks of a report that need no read of the assignment's reports: permission, the round, the
    /// fields.
    async fn check_report_input(
        &self,
        session: &Session,
        assignment_id: i64,
        input: &ReportInput,
    ) -> AppResult<ReportInput> {
        // Permission before validation and before revealing whether the assignment exists.
        let assignment = self.may_file_report(session, assignment_id).await?;
        let period = parse_period("period", &input.period)?;
        begun("period", period)?;
        let rounds = self.store.rounds(assignment.plan_id).await?;
        let in_round = rounds.iter().any(|r| Period::parse(&r.period).ok() == Some(period));
        if !in_round && !self.reports_outside_rounds(assignment.plan_id).await? {
            let open: Vec<&str> = rounds.iter().map(|r| r.period.as_str()).collect();
            let (zh_open, en_open) = if open.is_empty() {
                ("本计划尚未开启填报轮次".to_string(), "the plan has no reporting round yet".to_string())
            } else {
                (format!("已开启的轮次：{}", open.join("、")), format!("rounds open: {}", open.join(", ")))
            };
            return Err(AppError::invalid(
                "period",
                format!("期别 {period} 没有填报轮次，不接受报告（{zh_open}）"),
                format!("no reporting round for {period}, so no report is taken for it ({en_open})"),
            ));
        }
        if ReportStatus::parse(&input.status).is_none() {
            let names = |lang| ReportStatus::ALL.map(|s| format!("{}（{}）", s.as_str(), s.label(lang)));
            return Err(AppError::invalid(
                "status",
                format!("进展状态应为 {}", names(jiqun_domain::Lang::Zh).join("、")),
                format!("status must be one of {}", ReportStatus::ALL.map(|s| s.as_str()).join(", ")),
            ));
        }
        if !(0.0..=100.0).contains(&input.percent) || !input.percent.is_finite() {
            return Err(AppError::invalid(
                "percent",
                "完成比例应在 0 到 100 之间",
                "percent must be between 0 and 100",
            ));
        }
        if input.submit && input.narrative.trim().is_empty() {
            return Err(AppError::invalid(
                "narrative",
                "提交前请填写工作进展",
                "describe the progress before submitting",
            ));
        }
        limit_text("narrative", &input.narrative, 5000)?;
        limit_text("problems", &input.problems, 5000)?;
        limit_text("help_needed", &input.help_needed, 5000)?;
        // Stored in the contract's spelling (2025Q2, not 2025q2), so one period is one key.
        Ok(ReportInput { period: period.to_string(), ..input.clone() })
    }

    /// Evidence for a report, filed by the department that owns it. At most `MAX_ATTACHMENT` bytes.
    pub async fn add_attachment(
        &self,
        session: &Session,
        report_id: i64,
        filename: &str,
        content_type: &str,
        data: &[u8],
        ip: &str,
    ) -> AppResult<i64> {
        let report = self.store.report(report_id).await?;
        let assignment = match &report {
            Some(r) => self.store.assignment(r.assignment_id).await?,
            None => None,
        };
        let Some(assignment) = assignment else {
            return Err(if session.can(&Action::ReadPlan) {
                AppError::not_found(format!("报告 {report_id} 不存在"), format!("no report {report_id}"))
            } else {
                AppError::forbidden()
            });
        };
        session.require(&Action::FileReport { agency: assignment.agency.as_str() })?;
        if report.as_ref().is_some_and(|r| !r.current || r.state == ReviewState::Accepted) {
            return Err(AppError::conflict(
                "只能给当前版本、尚未通过审核的报告添加附件",
                "only the current version of a report not yet accepted takes attachments",
            ));
        }
        let (name, content_type) = crate::input::check_upload(filename, content_type, data, MAX_ATTACHMENT)?;
        Ok(self.store.add_attachment(report_id, name, content_type, data, &session.actor(ip)).await?)
    }

    /// Whether the plan takes reports for periods with no reporting round (off unless the plan owner turns it
    /// on: a report answers a round's call, which gives it a deadline and a place on the review list).
    pub async fn reports_outside_rounds(&self, plan_id: i64) -> AppResult<bool> {
        Ok(self.store.setting(&outside_rounds_key(plan_id)).await?.as_deref() == Some("1"))
    }

    /// The plan owner's supervision settings for a plan.
    pub async fn set_reports_outside_rounds(
        &self,
        session: &Session,
        plan_id: i64,
        allow: bool,
        ip: &str,
    ) -> AppResult<()> {
        session.require(&Action::ManageRounds)?;
        if self.store.plan(plan_id).await?.is_none() {
            return Err(AppError::not_found(format!("计划 {plan_id} 不存在"), format!("no plan {plan_id}")));
        }
        let value = if allow { "1" } else { "0" };
        Ok(self.store.set_setting(&outside_rounds_key(plan_id), value, &session.actor(ip)).await?)
    }

    pub async fn review_report(
        &self,
        session: &Session,
        report_id: i64,
        accept: bool,
        comment: &str,
        ip: &str,
    ) -> AppResult<()> {
        session.require(&Action::ReviewReport)?;
        limit_text("comment", comment, 2000)?;
        if !accept && comment.trim().is_empty() {
            return Err(AppError::invalid("comment", "退回时请写明意见", "say why the report is returned"));
        }
        let Some(report) = self.store.report(report_id).await? else {
            return Err(AppError::not_found(format!("报告 {report_id} 不存在"), format!("no report {report_id}")));
        };
        // The department filed a newer version since the reviewer read this one: 409 with the newer one.
        if !report.current {
            let now = self.store.assignment_reports(report.assignment_id).await?;
            let current = now.iter().filter(|r| r.period == report.period).map(|r| r.version).max().unwrap_or(0);
            let stale: Result<(), _> = Err(jiqun_store::StoreError::Conflict(jiqun_store::Clash::Stale { current }));
            return self.with_current_report(stale, report.assignment_id, &report.period).await;
        }
        let state_zh = report.state.label(jiqun_domain::Lang::Zh);
        match accept {
            _ if report.state.may_review(accept) => {}
            true => {
                return Err(AppError::conflict(
                    format!("只有已提交的报告可以审核通过，该报告目前为“{state_zh}”"),
                    format!("only a submitted report can be accepted; this one is {}", report.state),
                ));
            }
            false => {
                return Err(AppError::conflict(
                    format!("只有已提交或已通过的报告可以退回，该报告目前为“{state_zh}”"),
                    format!("only a submitted or accepted report can be returned; this one is {}", report.state),
                ));
            }
        }
        let out = self.store.review_report(report_id, accept, comment, &session.actor(ip)).await;
        self.with_current_report(out, report.assignment_id, &report.period).await
    }

    pub async fn set_round(
        &self,
        session: &Session,
        plan_id: i64,
        period: &str,
        deadline: &str,
        ip: &str,
    ) -> AppResult<()> {
        session.require(&Action::ManageRounds)?;
        parse_period("period", period)?;
        if jiqun_compiler::notice::parse_date(deadline).as_deref() != Some(deadline) {
            return Err(AppError::invalid(
                "deadline",
                "截止日期应形如 2025-04-15",
                "the deadline must look like 2025-04-15",
            ));
        }
        Ok(self.store.set_round(plan_id, period, deadline, &session.actor(ip)).await?)
    }
}
