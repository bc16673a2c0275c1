//! Identity: argon2 password hashes, session tokens (only their SHA-256 is stored), login with lock-out,
//! and the roles a user may hold.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};
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
}

impl Session {
    pub fn actor(&self, ip: &str) -> Actor {
        Actor { id: Some(self.user.id), name: self.user.username.clone(), ip: ip.to_string() }
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

impl App {
    pub async fn login(&self, username: &str, password: &str, kind: &str, ip: &str) -> AppResult<LoginOk> {
        let actor = Actor { id: None, name: username.to_string(), ip: ip.to_string() };
        let bad = || AppError::new("bad_credentials", 401, "用户名或密码错误", "wrong username or password");
        let Some(user) = self.store.user_by_name(username).await? else {
            // Same work and answer as a wrong password, so names cannot be probed by timing.
            static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let dummy = DUMMY.get_or_init(|| hash_password("unknown user").unwrap_or_default());
            let _ = verify_password(password, dummy);
            self.store
                .audit_event(
                    &actor,
                    "auth.login",
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
            self.store
                .audit_event(&actor, "auth.login", "user", username, false, &serde_json::json!({ "reason": "locked" }))
                .await?;
            return Err(AppError::new(
                "locked",
                423,
                "账户已锁定，请稍后再试",
                "the account is locked; try again later",
            ));
        }
        if user.disabled || !verify_password(password, &user.password_hash) {
            let max = self.setting_i64("lockout_failures", DEFAULT_MAX_FAILURES).await;
            let minutes = self.setting_i64("lockout_minutes", DEFAULT_LOCK_MINUTES).await;
            self.store.login_failed(&user, max, now + minutes * 60_000, &actor).await?;
            return Err(bad());
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
        self.store.login_succeeded(&user, &session, &token_hash(&token), &actor).await?;
        let user = self.store.user(user.id).await?.unwrap_or(user);
        Ok(LoginOk { token, expires_at, user, csrf })
    }

    /// The session a token stands for. Sessions are cached for a few seconds so that reading pages costs
    /// no database round trip; logout removes the entry at once.
    pub async fn session(&self, token: &str) -> AppResult<Option<Session>> {
        let hash = token_hash(token);
        let now = now_ms();
        if let Some((s, at)) = self.sessions.read().await.get(&hash).cloned()
            && now - at < 5_000
        {
            return Ok(Some(s));
        }
        let found = self.store.session(&hash).await?;
        let mut cache = self.sessions.write().await;
        match found {
            Some((row, user)) => {
                let s = Session { user, csrf: row.csrf, kind: row.kind, token_hash: hash.clone() };
                if cache.len() > 10_000 {
                    cache.clear();
                }
                cache.insert(hash, (s.clone(), now));
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

    pub(crate) async fn setting_i64(&self, key: &str, default: i64) -> i64 {
        self.store.setting(key).await.ok().flatten().and_then(|v| v.parse().ok()).unwrap_or(default)
    }
}
