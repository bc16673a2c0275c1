//! The security policy (lock-out, password age, idle timeout, audit retention, who must use TOTP): its
//! settings with their bounds, read and set by the security administrator.

use crate::{Action, App, AppError, AppResult, Session};

/// The security policy's settings, with bounds: (key, min, max). `totp_required_roles` is a role list.
pub const SECURITY_POLICY_SETTINGS: &[(&str, i64, i64)] = &[
    ("lockout_failures", 3, 20),
    ("lockout_minutes", 1, 1440),
    ("idle_minutes", 5, 480),
    ("password_max_age_days", 0, 3650),
    // At least six months (网络安全法 Art. 21(3)).
    ("audit_retention_days", 183, 36500),
    ("totp_required_roles", 0, 0),
];

impl App {
    /// The security policy's settings and their values.
    pub async fn security_policy(&self, session: &Session) -> AppResult<Vec<(String, String)>> {
        session.require(&Action::ManageRoles)?;
        let mut out = Vec::new();
        for (key, _, _) in SECURITY_POLICY_SETTINGS {
            out.push((key.to_string(), self.store.setting(key).await?.unwrap_or_default()));
        }
        Ok(out)
    }

    /// Changes one policy setting (security administrator), within its bounds.
    pub async fn set_security_policy(&self, session: &Session, key: &str, value: &str, ip: &str) -> AppResult<()> {
        session.require(&Action::ManageRoles)?;
        let Some((_, lo, hi)) = SECURITY_POLICY_SETTINGS.iter().find(|(k, _, _)| *k == key) else {
            return Err(AppError::invalid("key", format!("未知设置“{key}”"), format!("unknown setting “{key}”")));
        };
        if key == "totp_required_roles" {
            let roles: Vec<String> = value.split(',').map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
            let table = self.role_table().await?;
            if let Some(bad) = roles.iter().find(|r| table.role(r).is_none()) {
                return Err(AppError::invalid("value", format!("未知角色“{bad}”"), format!("unknown role “{bad}”")));
            }
        } else {
            let n: i64 =
                value.trim().parse().map_err(|_| AppError::invalid("value", "应为整数", "must be a whole number"))?;
            if n < *lo || n > *hi {
                return Err(AppError::invalid(
                    "value",
                    format!("应在 {lo} 到 {hi} 之间"),
                    format!("must be between {lo} and {hi}"),
                ));
            }
        }
        Ok(self.store.set_setting(key, value.trim(), &session.actor(ip)).await?)
    }
}
