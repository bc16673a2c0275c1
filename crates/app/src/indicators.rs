//! Indicator reads beyond the snapshot: an indicator's observations with their corrections, and who
//! overrode its status. The writes are in `usecases`.

use jiqun_store::ObservationRow;

use crate::{Action, App, AppResult, Session};

impl App {
    /// Every observation of an indicator, corrections included (the replaced values no longer current).
    pub async fn observation_history(&self, session: &Session, indicator_id: i64) -> AppResult<Vec<ObservationRow>> {
        session.require(&Action::ReadPlan)?;
        Ok(self.store.observation_history(indicator_id).await?)
    }

    /// The user name of whoever set an indicator's status override.
    pub async fn override_author(&self, session: &Session, user_id: i64) -> AppResult<Option<String>> {
        session.require(&Action::ReadPlan)?;
        Ok(self.store.user(user_id).await?.map(|u| u.username))
    }
}
