//! Users and their sessions. Passwords arrive hashed (argon2, by the app layer); session tokens arrive
//! hashed too, so the database never holds a usable secret.

use jiqun_domain::audit::AuditAction;
use serde_json::json;

use crate::model::{FromRow, Table};

use crate::{Actor, Clash, Missing, NewUser, Result, SessionRow, Store, StoreError, UserRow, get, now_ms};

impl Store {
    pub async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(self.pool()).await?)
    }

    pub async fn create_user(&self, u: &NewUser, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(&u.username)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(Clash::UserExists(u.username.clone())));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, password_hash, roles, agency, city, uscc, must_change_password, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(&u.password_hash)
        .bind(u.roles.join(","))
        .bind(u.agency.as_ref().map(|a| a.as_str()))
        .bind(u.city.map(|c| c.as_str()))
        .bind(&u.uscc)
        .bind(u.must_change_password as i64)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let detail = json!({ "roles": u.roles, "agency": u.agency, "city": u.city, "uscc": u.uscc });
        self.commit_audited(tx, actor, AuditAction::UserCreate, "user", &u.username, &detail).await?;
        Ok(id)
    }

    pub async fn set_roles(&self, user_id: i64, roles: &[String], actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        let before: Option<String> =
            sqlx::query_scalar("SELECT roles FROM users WHERE id = $1").bind(user_id).fetch_optional(&mut *tx).await?;
        let Some(before) = before else { return Err(StoreError::NotFound(Missing::User(user_id))) };
        sqlx::query("UPDATE users SET roles = $1 WHERE id = $2")
            .bind(roles.join(","))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let detail = json!({ "before": before, "after": roles });
        self.commit_audited(tx, actor, AuditAction::UserRoles, "user", &user_id.to_string(), &detail).await
    }

    /// Sets a new password hash, keeping the old one in the history (for the no-reuse rule).
    /// The user's other sessions end in the same transaction (all but `keep`, the token hash of the session
    /// that made the change, if any): whoever held the old password holds nothing any more.
    pub async fn set_password(
        &self,
        user_id: i64,
        hash: &str,
        must_change: bool,
        keep: Option<&str>,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let old: Option<String> = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(old) = old else { return Err(StoreError::NotFound(Missing::User(user_id))) };
        let now = now_ms();
        sqlx::query("INSERT INTO password_history (user_id, password_hash, changed_at) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(old)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2, password_changed_at = $3 WHERE id = $4",
        )
        .bind(hash)
        .bind(must_change as i64)
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep.unwrap_or(""))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let detail = json!({ "sessions_ended": ended });
        self.commit_audited(tx, actor, AuditAction::UserPassword, "user", &user_id.to_string(), &detail).await
    }

    /// The user's previous password hashes, newest first.
    pub async fn password_history(&self, user_id: i64, n: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(n)
        .fetch_all(self.pool())
        .await?)
    }

    /// Stores a TOTP secret (sealed) awaiting confirmation, enables it, or removes it (`None`).
    pub async fn set_totp(
        &self,
        user_id: i64,
        sealed_secret: Option<&str>,
        enabled: bool,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET totp_secret = $1, totp_enabled = $2, totp_last_step = 0 WHERE id = $3")
            .bind(sealed_secret)
            .bind(enabled as i64)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let action = match (sealed_secret.is_some(), enabled) {
            (true, false) => AuditAction::TotpEnrol,
            (true, true) => AuditAction::TotpEnable,
            _ => AuditAction::TotpRemove,
        };
        self.commit_audited(tx, actor, action, "user", &user_id.to_string(), &json!({})).await
    }

    /// Records the TOTP step just used, so the same code cannot be replayed. False when it was used already.
    pub async fn use_totp_step(&self, user_id: i64, step: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1")
            .bind(step)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        self.commit(tx).await?;
        Ok(n == 1)
    }

    pub async fn set_contact(&self, user_id: i64, sealed: Option<&str>, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET contact = $1 WHERE id = $2").bind(sealed).bind(user_id).execute(&mut *tx).await?;
        // The audit record says that it changed, not what it is.
        let detail = json!({ "set": sealed.is_some() });
        self.commit_audited(tx, actor, AuditAction::UserContact, "user", &user_id.to_string(), &detail).await
    }

    /// Marks a session as used now (called at most once a minute per session); ends it when it has been
    /// idle longer than `idle_ms`. Returns whether it is still live.
    pub async fn touch_session(&self, token_hash: &str, idle_ms: i64) -> Result<bool> {
        let now = now_ms();
        let mut tx = self.begin_turn().await?;
        let expired = sqlx::query("DELETE FROM sessions WHERE token_hash = $1 AND last_seen_at < $2")
            .bind(token_hash)
            .bind(now - idle_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if !expired {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash)
                .execute(&mut *tx)
                .await?;
        }
        self.commit(tx).await?;
        Ok(!expired)
    }

    pub async fn users(&self) -> Result<Vec<UserRow>> {
        self.all::<UserRow>(UserRow::select("ORDER BY id")).await
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>> {
        self.one::<UserRow>(UserRow::select("WHERE username = $1").bind(username)).await
    }

    pub async fn user(&self, id: i64) -> Result<Option<UserRow>> {
        self.one::<UserRow>(UserRow::select("WHERE id = $1").bind(id)).await
    }

    /// A failed login: counts it in the database (`failed_logins + 1`, never a value the caller read earlier,
    /// so parallel guesses each count), locks the account when the count reaches `max_failures`, and audits
    /// it. The lock is decided from the value the database returns. Returns whether this failure locked it.
    pub async fn login_failed(
        &self,
        user: &UserRow,
        max_failures: i64,
        lock_until: i64,
        actor: &Actor,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        // One statement: every expression on the right reads the row as it was before this update, and the
        // row is locked until commit (PostgreSQL) or the database is (SQLite), so no increment is lost.
        let row = sqlx::query(
            "UPDATE users SET \
               failed_logins = CASE WHEN failed_logins + 1 >= $1 THEN 0 ELSE failed_logins + 1 END, \
               locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END \
             WHERE id = $3 RETURNING failed_logins, locked_until",
        )
        .bind(max_failures.max(1))
        .bind(lock_until)
        .bind(user.id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Err(StoreError::NotFound(Missing::User(user.id))) };
        let count: i64 = get(&row, "failed_logins")?;
        let locked_at: Option<i64> = get(&row, "locked_until")?;
        let locked = count == 0 && locked_at == Some(lock_until);
        let failures = if locked { max_failures.max(1) } else { count };
        let detail = json!({ "failures": failures, "locked": locked });
        self.audit(&mut tx, actor, AuditAction::AuthLogin, "user", &user.username, false, &detail).await?;
        self.commit(tx).await?;
        Ok(locked)
    }

    /// A successful login: resets the failure count, remembers the previous login (for "what changed since
    /// you were last here"), and stores the session. False, and nothing written, when the account is locked
    /// (parallel failures may have locked it after the caller read it).
    pub async fn login_succeeded(
        &self,
        user: &UserRow,
        session: &SessionRow,
        token_hash: &str,
        actor: &Actor,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let now = now_ms();
        // The account may have been locked by parallel failures since the caller read it: the reset happens
        // only when it is not locked now, decided by the database.
        let n = sqlx::query(
            "UPDATE users SET failed_logins = 0, locked_until = NULL, prev_login_at = last_login_at, last_login_at = $1 \
             WHERE id = $2 AND (locked_until IS NULL OR locked_until <= $1)",
        )
        .bind(now)
        .bind(user.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, kind, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(token_hash)
        .bind(user.id)
        .bind(&session.csrf)
        .bind(&session.kind)
        .bind(now)
        .bind(session.expires_at)
        .execute(&mut *tx)
        .await?;
        let detail = json!({ "kind": session.kind });
        self.commit_audited(tx, actor, AuditAction::AuthLogin, "user", &user.username, &detail).await?;
        Ok(true)
    }

    /// The live session for a token hash, with its user.
    pub async fn session(&self, token_hash: &str) -> Result<Option<(SessionRow, UserRow)>> {
        let row = sqlx::query(
            "SELECT id, user_id, csrf, kind, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_ms())
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        let s = SessionRow::from_row(&r)?;
        let user = self.user(s.user_id).await?;
        Ok(user.filter(|u| !u.disabled).map(|u| (s, u)))
    }

    /// Ends a session server-side.
    pub async fn delete_session(&self, token_hash: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *tx).await?;
        self.commit_audited(tx, actor, AuditAction::AuthLogout, "session", "", &json!({})).await
    }
}
