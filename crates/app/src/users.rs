//! Accounts as administrators see them. Creating accounts, roles and passwords are in `usecases` and
//! `auth`.

use jiqun_store::UserRow;

use crate::{Action, App, AppError, AppResult, Session};

impl App {
    /// Every account, for those who read accounts.
    pub async fn users(&self, session: &Session) -> AppResult<Vec<UserRow>> {
        session.require(&Action::ReadUsers)?;
        Ok(self.store.users().await?)
    }

    /// One account.
    pub async fn user(&self, session: &Session, id: i64) -> AppResult<UserRow> {
        session.require(&Action::ReadUsers)?;
        self.store
            .user(id)
            .await?
            .ok_or_else(|| AppError::not_found(format!("账户 {id} 不存在"), format!("no account {id}")))
    }
}
