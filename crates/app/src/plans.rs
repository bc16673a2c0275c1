//! Plans: importing an action-plan document, closing a plan with its final assessment.

use crate::input::limit_text;
use crate::{Action, App, AppError, AppResult, Session};

impl App {
    /// Imports a plan document (compiled here); returns the new plan's id.
    pub async fn import_plan(&self, session: &Session, bytes: &[u8], source_name: &str, ip: &str) -> AppResult<i64> {
        session.require(&Action::ImportPlan)?;
        let lang = jiqun_domain::Lang::Zh;
        let opts = jiqun_compiler::Options { lang, ..Default::default() };
        let plan = jiqun_compiler::compile(bytes, &opts).map_err(|e| {
            let mut err = AppError::new(
                crate::Code::InvalidDocument,
                e.message(jiqun_domain::Lang::Zh),
                e.message(jiqun_domain::Lang::En),
            );
            err.details.push(("document".into(), e.message(jiqun_domain::Lang::Zh), e.message(jiqun_domain::Lang::En)));
            err
        })?;
        let actor = session.actor(ip);
        let id = self.store.insert_plan(&plan, source_name, &actor).await?;
        self.bind_shipped(id, &actor).await?;
        Ok(id)
    }

    pub async fn close_plan(
        &self,
        session: &Session,
        plan_id: i64,
        assessment: &str,
        successor: Option<i64>,
        ip: &str,
    ) -> AppResult<()> {
        session.require(&Action::ClosePlan)?;
        if assessment.trim().is_empty() {
            return Err(AppError::invalid("assessment", "请填写总体评估", "write the final assessment"));
        }
        limit_text("assessment", assessment, 20_000)?;
        Ok(self.store.close_plan(plan_id, assessment, successor, &session.actor(ip)).await?)
    }
}
