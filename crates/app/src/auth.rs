//! Identity: argon2 password hashes, session tokens (only their SHA-256 is stored), login with lock-out,
//! and the roles a user may hold.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};
use jiqun_domain::audit::AuditAction;
use jiqun_store::{Actor, SessionRow, UserRow, now_ms};
use sha2::{Digest, Sha256};

use crate::{App, AppError, AppResult};

pub const ROLES: &[&str] = &[
    "system_admin",
    "security_admin",
    "audit_admin",
    "plan_owner",
    "agency_reporter",
    "city_reporter",
    "enterprise",
    "expert",
    "viewer",
];

pub const ADMIN_ROLES: &[&str] = &["system_admin", "security_admin", "audit_admin"];

/// The role names people read.
pub fn role_label(role: &str, lang: jiqun_domain::Lang) -> &'static str {
    let (zh, en) = match role {
        "system_admin" => ("系统管理员", "system administrator"),
        "security_admin" => ("安全管理员", "security administrator"),
        "audit_admin" => ("审计管理员", "audit administrator"),
        "plan_owner" => ("计划管理(牵头处室)", "plan owner"),
        "agency_reporter" => ("部门填报员", "department reporter"),
        "city_reporter" => ("地市填报员", "city reporter"),
        "enterprise" => ("企业用户", "enterprise"),
        "expert" => ("专家", "expert"),
        "viewer" => ("查阅", "viewer"),
        _ => ("未知角色", "unknown role"),
    };
    lang.pick(zh, en)
}

/// Random bytes from the operating system, as hex.
pub fn random_hex(bytes: usize) -> AppResult<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AppError::internal(format!("random: {e}")))?;
    Ok(hex::encode(buf))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> AppResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("argon2: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A generated password: 16 characters from an alphabet without look-alikes.
pub fn generate_password() -> AppResult<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut buf = [0u8; 16];
    getrandom::fill(&mut buf).map_err(|e| AppError::internal(format!("random: {e}")))?;
    Ok(buf.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect())
}

/// Password rules: at least 8 characters, with at least three of upper case, lower case, digits, others.
pub fn check_password_rules(password: &str) -> AppResult<()> {
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if password.chars().count() < 8 || classes < 3 {
        return Err(AppError::invalid(
            "password",
            "密码至少 8 位，并包含大写字母、小写字母、数字、符号中的三类",
            "a password needs at least 8 characters from three of: upper case, lower case, digits, symbols",
        ));
    }
    Ok(())
}

/// A logged-in user with the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: UserRow,
    pub csrf: String,
    pub kind: String,
    pub token_hash: String,
    /// What the user must do before anything else: `password_change_required` (a generated or
    /// administrator-set password, or an expired one) or `totp_enrollment_required` (an administrator
    /// under the production policy without a second factor yet). Only the account routes are open then.
    pub restriction: Option<&'static str>,
    /// The role definitions in force when the request came.
    pub roles: std::sync::Arc<crate::authz::RoleTable>,
}

impl Session {
    /// The session's user, unless a restriction applies.
    pub fn unrestricted(&self) -> Result<&UserRow, AppError> {
        match self.restriction {
            None => Ok(&self.user),
            Some(code) => Err(AppError::of(crate::Code::parse(code).unwrap_or(crate::Code::PasswordChangeRequired))),
        }
    }
}

impl Session {
    /// Whether the user may do this (the one permission check, see `policy`).
    pub fn can(&self, action: &crate::authz::Action) -> bool {
        self.roles.allowed(&self.user, action)
    }

    /// `can`, as the use cases ask it: 403 when not.
    pub fn require(&self, action: &crate::authz::Action) -> crate::AppResult<()> {
        if self.can(action) { Ok(()) } else { Err(crate::AppError::forbidden()) }
    }

    pub fn actor(&self, ip: &str) -> Actor {
        // The operator's session (crate::operations::operator_session) is nobody's account.
        let id = (self.user.id != crate::operations::OPERATOR_ID).then_some(self.user.id);
        Actor { id, name: self.user.username.clone(), ip: ip.to_string() }
    }
}

pub struct LoginOk {
    pub token: String,
    pub expires_at: i64,
    pub user: UserRow,
    pub csrf: String,
}

/// Lock-out: after this many consecutive failures the account is locked for `LOCK_MINUTES`.
pub const DEFAULT_MAX_FAILURES: i64 = 5;
pub const DEFAULT_LOCK_MINUTES: i64 = 15;
/// Absolute session lifetime.
pub const SESSION_HOURS: i64 = 12;
/// Idle sessions end after this many minutes (a setting).
pub const DEFAULT_IDLE_MINUTES: i64 = 30;
/// Previous passwords that may not be used again.
pub const PASSWORD_HISTORY: i64 = 5;

/// RFC 4648 base32 without padding, as authenticator apps read secrets.
pub fn base32(bytes: &[u8]) -> String {
    const A: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut buf: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(A[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(A[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// A second factor being enrolled: the secret to put into the authenticator app.
pub struct TotpEnrolment {
    pub secret_base32: String,
    pub otpauth_uri: String,
}

impl App {
    pub async fn login(&self, username: &str, password: &str, kind: &str, ip: &str) -> AppResult<LoginOk> {
        self.login_with(username, password, None, kind, ip).await
    }

    /// A login refused because the account is locked (before the password is checked, or by parallel
    /// failures while it was): audited, and the answer.
    async fn locked_out(&self, actor: &Actor, username: &str) -> AppError {
        let reason = serde_json::json!({ "reason": "locked" });
        match self.store.audit_event(actor, AuditAction::AuthLogin, "user", username, false, &reason).await {
            Ok(()) => {
                AppError::new(crate::Code::Locked, "账户已锁定，请稍后再试", "the account is locked; try again later")
            }
            Err(e) => e.into(),
        }
    }

    /// Logs in; `totp` is the 6-digit code, required for accounts that have enrolled a second factor.
    pub async fn login_with(
        &self,
        username: &str,
        password: &str,
        totp: Option<&str>,
        kind: &str,
        ip: &str,
    ) -> AppResult<LoginOk> {
        let actor = Actor { id: None, name: username.to_string(), ip: ip.to_string() };
        let bad = || AppError::new(crate::Code::BadCredentials, "用户名或密码错误", "wrong username or password");
        let Some(user) = self.store.user_by_name(username).await? else {
            // Same work and answer as a wrong password, so names cannot be probed by timing.
            static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let dummy = DUMMY.get_or_init(|| hash_password("unknown user").unwrap_or_default());
            let _ = verify_password(password, dummy);
            self.store
                .audit_event(
                    &actor,
                    AuditAction::AuthLogin,
                    "user",
                    username,
                    false,
                    &serde_json::json!({ "reason": "unknown user" }),
                )
                .await?;
            return Err(bad());
        };
        let now = now_ms();
        if user.locked_until.is_some_and(|t| t > now) {
            return Err(self.locked_out(&actor, username).await);
        }
        let max = self.setting_i64("lockout_failures", DEFAULT_MAX_FAILURES).await;
        let minutes = self.setting_i64("lockout_minutes", DEFAULT_LOCK_MINUTES).await;
        if user.disabled || !verify_password(password, &user.password_hash) {
            self.store.login_failed(&user, max, now + minutes * 60_000, &actor).await?;
            return Err(bad());
        }
        if user.totp_enabled {
            let Some(code) = totp.filter(|c| !c.trim().is_empty()) else {
                // The password was right; asking for the code is not a failed attempt.
                return Err(AppError::new(
                    crate::Code::TotpRequired,
                    "请输入动态口令（6 位数字）",
                    "enter the 6-digit code from your authenticator",
                ));
            };
            let secret = self.totp_secret(&user)?;
            let step = jiqun_crypto::totp_verify(&secret, code, (now / 1000) as u64);
            let fresh = match step {
                Some(s) => self.store.use_totp_step(user.id, s as i64).await?,
                None => false,
            };
            if !fresh {
                self.store.login_failed(&user, max, now + minutes * 60_000, &actor).await?;
                return Err(AppError::new(crate::Code::BadTotp, "动态口令错误或已使用", "wrong or already used code"));
            }
        }
        let token = random_hex(32)?;
        let csrf = random_hex(16)?;
        let expires_at = now + SESSION_HOURS * 3_600_000;
        let session = SessionRow {
            id: 0,
            user_id: user.id,
            csrf: csrf.clone(),
            kind: kind.to_string(),
            created_at: now,
            last_seen_at: now,
            expires_at,
        };
        let actor = Actor { id: Some(user.id), ..actor };
        if !self.store.login_succeeded(&user, &session, &token_hash(&token), &actor).await? {
            return Err(self.locked_out(&actor, username).await);
        }
        let user = self.store.user(user.id).await?.unwrap_or(user);
        Ok(LoginOk { token, expires_at, user, csrf })
    }

    /// The session a token stands for. A session read from the database is kept for at most five seconds,
    /// and only while nothing has been committed since (the store's data revision, which every write by
    /// any server moves but a progress report's): reading pages costs no round trip, and a logout,
    /// lock-out, role change or password change made by another server on the same database takes effect
    /// here at once.
    pub async fn session(&self, token: &str) -> AppResult<Option<Session>> {
        let hash = token_hash(token);
        let now = now_ms();
        // Read before the session: a commit after this point moves the revision, so the entry made below
        // is not trusted again. Read from the database itself, not from what notifications have said so
        // far: a logout on another server a moment ago must end this session here now.
        // Progress reports do not change sessions, users or roles: the data's revision is the one to compare.
        let revision = self.store.revision_now().await?.data;
        if let Some((mut s, at, seen)) = self.sessions.read().await.get(&hash).cloned()
            && now - at < 5_000
            && seen == revision
        {
            s.roles = self.role_table_at(revision).await?;
            return Ok(Some(s));
        }
        let roles = self.role_table_at(revision).await?;
        let found = self.store.session(&hash).await?;
        let mut cache = self.sessions.write().await;
        match found {
            Some((row, user)) => {
                // Idle timeout: a session unused for longer than the setting ends. `last_seen_at` is written
                // at most once a minute per session, not on every request.
                let idle_ms = self.setting_i64("idle_minutes", DEFAULT_IDLE_MINUTES).await * 60_000;
                if now - row.last_seen_at > 60_000 && !self.store.touch_session(&hash, idle_ms).await? {
                    cache.remove(&hash);
                    return Ok(None);
                }
                let restriction = self.restriction_of(&user).await;
                let s = Session { user, csrf: row.csrf, kind: row.kind, token_hash: hash.clone(), restriction, roles };
                if cache.len() > 10_000 {
                    cache.clear();
                }
                cache.insert(hash, (s.clone(), now, revision));
                Ok(Some(s))
            }
            None => {
                cache.remove(&hash);
                Ok(None)
            }
        }
    }

    pub async fn logout(&self, session: &Session, ip: &str) -> AppResult<()> {
        self.sessions.write().await.remove(&session.token_hash);
        self.store.delete_session(&session.token_hash, &session.actor(ip)).await?;
        Ok(())
    }

    /// What the user must do first, if anything (see `Session::restriction`).
    pub async fn restriction_of(&self, user: &UserRow) -> Option<&'static str> {
        if user.must_change_password {
            return Some("password_change_required");
        }
        let max_age_days = self.setting_i64("password_max_age_days", 0).await;
        if max_age_days > 0 {
            let since = user.password_changed_at.unwrap_or(user.created_at);
            if now_ms() - since > max_age_days * 86_400_000 {
                return Some("password_change_required");
            }
        }
        let required = self.store.setting("totp_required_roles").await.ok().flatten().unwrap_or_default();
        let needs_totp = required.split(',').map(str::trim).any(|r| !r.is_empty() && user.has_role(r));
        if needs_totp && !user.totp_enabled {
            return Some("totp_enrollment_required");
        }
        None
    }

    fn totp_secret(&self, user: &UserRow) -> AppResult<Vec<u8>> {
        let sealed = user.totp_secret.as_deref().ok_or_else(|| AppError::internal("no TOTP secret"))?;
        self.store
            .crypto()
            .open(sealed, format!("totp:{}", user.id).as_bytes())
            .map_err(|e| AppError::internal(format!("TOTP secret: {e}")))
    }

    /// Changes the caller's password: the old one must be right, the new one must follow the rules and
    /// differ from the current and the last five. The user's other sessions end, on every server; the one
    /// that made the change goes on.
    pub async fn change_password(&self, session: &Session, old: &str, new: &str, ip: &str) -> AppResult<()> {
        let user = self.store.user(session.user.id).await?.ok_or_else(AppError::unauthorized)?;
        if !verify_password(old, &user.password_hash) {
            return Err(AppError::invalid("old_password", "原密码不正确", "the current password is wrong"));
        }
        check_password_rules(new)?;
        let history = self.store.password_history(user.id, PASSWORD_HISTORY).await?;
        if std::iter::once(&user.password_hash).chain(history.iter()).any(|h| verify_password(new, h)) {
            return Err(AppError::invalid(
                "new_password",
                format!("新密码不能与当前及最近 {PASSWORD_HISTORY} 次使用过的密码相同"),
                format!("the new password may not repeat the current one or the last {PASSWORD_HISTORY}"),
            ));
        }
        self.store
            .set_password(user.id, &hash_password(new)?, false, Some(&session.token_hash), &session.actor(ip))
            .await?;
        self.sessions.write().await.retain(|_, (s, _, _)| s.user.id != user.id);
        Ok(())
    }

    /// Starts enrolling a second factor: a new secret, stored sealed until a code confirms it.
    pub async fn totp_enrol(&self, session: &Session, ip: &str) -> AppResult<TotpEnrolment> {
        let mut secret = [0u8; 20];
        getrandom::fill(&mut secret).map_err(|e| AppError::internal(format!("random: {e}")))?;
        let sealed = self
            .store
            .crypto()
            .seal(&secret, format!("totp:{}", session.user.id).as_bytes())
            .map_err(|e| AppError::internal(format!("seal: {e}")))?;
        self.store.set_totp(session.user.id, Some(&sealed), false, &session.actor(ip)).await?;
        let secret_base32 = base32(&secret);
        let otpauth_uri = format!(
            "otpauth://totp/Jiqun:{}?secret={secret_base32}&issuer=Jiqun&digits=6&period=30",
            session.user.username
        );
        self.sessions.write().await.retain(|_, (s, _, _)| s.user.id != session.user.id);
        Ok(TotpEnrolment { secret_base32, otpauth_uri })
    }

    /// Confirms the enrolment with a code from the authenticator; the second factor is required from then on.
    pub async fn totp_confirm(&self, session: &Session, code: &str, ip: &str) -> AppResult<()> {
        let user = self.store.user(session.user.id).await?.ok_or_else(AppError::unauthorized)?;
        if user.totp_secret.is_none() {
            return Err(AppError::conflict("请先开始绑定动态口令", "start the enrolment first"));
        }
        let secret = self.totp_secret(&user)?;
        let step = jiqun_crypto::totp_verify(&secret, code, (now_ms() / 1000) as u64)
            .ok_or_else(|| AppError::invalid("code", "动态口令不正确", "the code is wrong"))?;
        self.store.set_totp(user.id, user.totp_secret.as_deref(), true, &session.actor(ip)).await?;
        self.store.use_totp_step(user.id, step as i64).await?;
        self.sessions.write().await.retain(|_, (s, _, _)| s.user.id != user.id);
        Ok(())
    }

    pub(crate) async fn setting_i64(&self, key: &str, default: i64) -> i64 {
        self.store.setting(key).await.ok().flatten().and_then(|v| v.parse().ok()).unwrap_or(default)
    }
}
