//! Supervision (督办) reads: an assignment, its reports and their evidence, each behind the permission
//! that decides who sees it. The writes (filing, reviewing, rounds) are in `usecases`.

use jiqun_store::{AssignmentRow, AttachmentMeta, ReportRow};

use crate::{Action, App, AppError, AppResult, Session};

fn no_assignment(id: i64) -> AppError {
    AppError::not_found(format!("任务分工 {id} 不存在"), format!("no assignment {id}"))
}

impl App {
    /// May this user file reports on the assignment? Asked before the request body is read, so that a caller
    /// who may not report gets 403 whatever the body (and no hint whether the assignment exists).
    pub async fn may_file_report(&self, session: &Session, assignment_id: i64) -> AppResult<AssignmentRow> {
        match self.store.assignment(assignment_id).await? {
            Some(a) if session.can(&Action::FileReport { agency: &a.agency }) => Ok(a),
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
