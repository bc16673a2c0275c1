//! What an operator does with `--db` on the command line, where the database itself is the credential:
//! health, whether a database is new, backup and restore, the audit chain's check and pruning, key
//! rotation; and the audit trail as the audit administrator and the "what changed" feed read it.

pub use jiqun_store::AuditCheck;
use jiqun_store::{Actor, AuditRow};

use crate::{App, AppError, AppResult, Code};

/// `jiqun keys rotate`: adds a field key to the key file (the old ones stay, to read old values), then
/// re-seals every sealed field of the database with it. A server running on the database follows the file
/// and picks the new key up (jiqun_crypto::Software). Returns the number of fields re-sealed.
pub async fn rotate_keys(db: &str, key_file: &std::path::Path) -> AppResult<usize> {
    let p = key_file.display();
    let key_error = |e: &dyn std::fmt::Display| {
        AppError::new(Code::KeyFile, format!("密钥文件 {p} 无法使用"), format!("the key file {p} cannot be used"))
            .caused_by(e)
    };
    let mut keys = jiqun_crypto::KeyFile::load_or_create(key_file).map_err(|e| key_error(&e))?;
    keys.rotate().map_err(|e| key_error(&e))?;
    keys.save(key_file).map_err(|e| key_error(&e))?;
    let app = App::open_keyed(db, key_file).await?;
    app.reseal_secrets().await
}

/// The user id of the operator's session: no account has it, and what the operator writes is recorded
/// as the system's (`Session::actor`).
pub const OPERATOR_ID: i64 = 0;

/// The session of an operator who holds the database (`jiqun import --db`, `jiqun template --db`): every
/// permission over every scope but the administrators' reserved ones, as the database is the credential.
/// It is never a web session. `name` is what the audit log records (`命令行：jiqun import`).
pub fn operator_session(name: &str) -> crate::Session {
    use crate::authz::{Grant, PERMS_VERSION, Perm, RoleDef, RoleTable, Scope};
    let role = RoleDef {
        name: "operator".into(),
        label_zh: "数据库操作员".into(),
        label_en: "database operator".into(),
        grants: Perm::ALL.iter().map(|&perm| Grant { perm, scope: Scope::All }).collect(),
        builtin: true,
        perms_version: PERMS_VERSION,
    };
    let user = crate::authz::bare_user(OPERATOR_ID, name, &["operator"]);
    crate::Session {
        user,
        csrf: String::new(),
        kind: "operator".into(),
        token_hash: String::new(),
        restriction: None,
        roles: std::sync::Arc::new(RoleTable { roles: vec![role] }),
    }
}

impl App {
    /// The audit trail between two moments (milliseconds), for the audit administrator.
    pub async fn audit_trail(
        &self,
        session: &crate::Session,
        from: i64,
        to: i64,
        limit: i64,
    ) -> AppResult<Vec<jiqun_store::AuditRow>> {
        session.require(&crate::Action::ReadAudit)?;
        Ok(self.store.audit_range(from, to, limit.clamp(1, 100_000)).await?)
    }

    /// The database answers.
    pub async fn health(&self) -> AppResult<()> {
        Ok(self.store.ping().await?)
    }

    /// An empty database: no plan and no account yet.
    pub async fn is_new_database(&self) -> AppResult<bool> {
        Ok(self.store.plans().await?.is_empty() && self.store.user_count().await? == 0)
    }

    /// A consistent online copy, as lines of JSON; the number of rows written.
    pub async fn backup(&self, out: &mut dyn std::io::Write) -> AppResult<usize> {
        Ok(self.store.backup(out).await?)
    }

    /// Restores a backup into an empty database; the number of rows read.
    pub async fn restore(&self, input: &mut dyn std::io::BufRead) -> AppResult<usize> {
        Ok(self.store.restore(input).await?)
    }

    /// Checks the audit chain.
    pub async fn verify_audit(&self) -> AppResult<AuditCheck> {
        Ok(self.store.verify_audit().await?)
    }

    /// Removes audit records older than the retention setting (at least 183 days, 网络安全法 Art. 21(3)),
    /// keeping the chain verifiable. Returns (records removed, days kept).
    pub async fn prune_audit(&self, operator: &str) -> AppResult<(usize, i64)> {
        let actor = &Actor::system(operator);
        let days = self.store.setting("audit_retention_days").await?;
        let days: i64 = days.and_then(|d| d.parse().ok()).unwrap_or(365).max(183);
        let before = jiqun_store::now_ms() - days * 86_400_000;
        Ok((self.store.prune_audit(before, actor).await?, days))
    }
}

impl App {
    /// Re-seals every sealed field with the current (newest) field key, after a rotation.
    pub async fn reseal_secrets(&self) -> AppResult<usize> {
        let crypto = self.store.crypto();
        let mut n = 0;
        for u in self.store.users().await? {
            let actor = Actor::system("key-rotation");
            if let Some(sealed) = &u.contact {
                let ctx = format!("contact:{}", u.id);
                let clear = crypto
                    .open(sealed, ctx.as_bytes())
                    .map_err(|e| AppError::internal(format!("contact of {}: {e}", u.username)))?;
                let resealed = crypto.seal(&clear, ctx.as_bytes()).map_err(|e| AppError::internal(e.to_string()))?;
                self.store.set_contact(u.id, Some(&resealed), &actor).await?;
                n += 1;
            }
            if let Some(sealed) = &u.totp_secret {
                let ctx = format!("totp:{}", u.id);
                let clear = crypto
                    .open(sealed, ctx.as_bytes())
                    .map_err(|e| AppError::internal(format!("TOTP of {}: {e}", u.username)))?;
                let resealed = crypto.seal(&clear, ctx.as_bytes()).map_err(|e| AppError::internal(e.to_string()))?;
                self.store.set_totp(u.id, Some(&resealed), u.totp_enabled, &actor).await?;
                n += 1;
            }
        }
        n += self.store.reseal_registry(&Actor::system("key-rotation")).await?;
        Ok(n)
    }

    /// What changed since a moment (the user's previous login): the audit trail's writes, newest first.
    /// Kept in memory until the data changes, so the dashboard costs no query per request.
    pub async fn changes_since(&self, since: i64, limit: i64) -> AppResult<std::sync::Arc<Vec<AuditRow>>> {
        let revision = self.store.revision().await?.all;
        if let Ok(map) = self.changes.read()
            && let Some((rev, rows)) = map.get(&(since, limit))
            && *rev == revision
        {
            return Ok(rows.clone());
        }
        let rows = std::sync::Arc::new(self.store.audit_since(since, limit).await?);
        if let Ok(mut map) = self.changes.write() {
            map.retain(|_, (rev, _)| *rev == revision);
            if map.len() < 10_000 {
                map.insert((since, limit), (revision, rows.clone()));
            }
        }
        Ok(rows)
    }
}
