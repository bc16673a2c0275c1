//! Accounts: creating them (passwords checked, 三员分立 enforced), contacts (sealed), granting roles, role
//! definitions as data, and reading accounts. Logging in and passwords are in `auth`.

use jiqun_store::{Actor, NewUser, UserRow};

use crate::auth::{ADMIN_ROLES, check_password_rules, hash_password};
use crate::input::limit_text;
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

/// A new user as an administrator or the CLI describes it.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub roles: Vec<String>,
    pub agency: Option<String>,
    pub city: Option<String>,
    pub uscc: Option<String>,
}

/// No account holds two of the three administrator roles (三员分立).
pub fn check_role_combination(roles: &[String], table: &crate::authz::RoleTable) -> AppResult<()> {
    let names = table.names();
    for r in roles {
        if !names.contains(&r.as_str()) {
            return Err(AppError::invalid(
                "role",
                format!("未知角色“{r}”，可选：{}", names.join(", ")),
                format!("unknown role “{r}”; one of: {}", names.join(", ")),
            ));
        }
    }
    if roles.iter().filter(|r| ADMIN_ROLES.contains(&r.as_str())).count() > 1 {
        return Err(AppError::new(
            crate::Code::SeparationOfDuties,
            "三员分立：系统管理员、安全管理员、审计管理员不能由同一账户兼任",
            "separation of duties: no account may hold two of the system, security and audit administrator roles",
        ));
    }
    Ok(())
}

impl App {
    /// Creates a user. `session` is the administrator; `None` is the CLI, which holds the database itself.
    pub async fn create_user(&self, session: Option<&Session>, input: &UserInput, ip: &str) -> AppResult<i64> {
        if let Some(s) = session {
            s.require(&Action::ManageUsers)?;
        }
        let name = input.username.trim();
        let valid = !name.is_empty()
            && name.chars().count() <= 64
            && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '@'));
        if !valid {
            return Err(AppError::invalid(
                "username",
                "用户名应为 1 至 64 个字母、数字或 _ - . @",
                "a username is 1 to 64 letters, digits or _ - . @",
            ));
        }
        check_role_combination(&input.roles, &*self.role_table().await?)?;
        if input.roles.is_empty() {
            return Err(AppError::invalid("role", "至少需要一个角色", "at least one role is needed"));
        }
        if input.roles.iter().any(|r| r == "agency_reporter") && input.agency.as_deref().unwrap_or("").is_empty() {
            return Err(AppError::invalid(
                "agency",
                "部门填报员须指定所属部门",
                "a department reporter needs --agency",
            ));
        }
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(String::from);
        let agency = given(&input.agency).map(|a| crate::input::parse_agency("agency", &a)).transpose()?;
        let city = match given(&input.city) {
            Some(c) => Some(crate::input::parse_city("city", &c)?),
            None if input.roles.iter().any(|r| r == "city_reporter") => {
                return Err(AppError::invalid(
                    "city",
                    "地市填报员须指定本省地级以上市",
                    "a city reporter needs --city, a city of the province",
                ));
            }
            None => None,
        };
        let uscc = input.uscc.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_string);
        if let Some(u) = &uscc {
            jiqun_domain::uscc::validate(u.as_bytes()).map_err(|e| {
                AppError::invalid(
                    "uscc",
                    format!("{u}：{}", e.message(jiqun_domain::Lang::Zh)),
                    format!("{u}: {}", e.message(jiqun_domain::Lang::En)),
                )
            })?;
        }
        if input.roles.iter().any(|r| r == "enterprise") && uscc.is_none() {
            return Err(AppError::invalid(
                "uscc",
                "企业用户须指定本企业的统一社会信用代码",
                "an enterprise user needs --uscc, its firm's unified social credit code",
            ));
        }
        check_password_rules(&input.password)?;
        let preset = self.preset().await;
        let actor = match session {
            Some(s) => s.actor(ip),
            None => Actor::system("cli"),
        };
        Ok(self
            .store
            .create_user(
                &NewUser {
                    username: name.to_string(),
                    display_name: input.display_name.clone(),
                    password_hash: hash_password(&input.password)?,
                    roles: input.roles.clone(),
                    agency,
                    city,
                    uscc,
                    must_change_password: preset == crate::Preset::Production,
                },
                &actor,
            )
            .await?)
    }

    /// Sets (or clears) a user's contact (phone or e-mail), kept sealed with SM4 in the database.
    pub async fn set_contact(
        &self,
        session: Option<&Session>,
        user_id: i64,
        contact: Option<&str>,
        ip: &str,
    ) -> AppResult<()> {
        if let Some(s) = session
            && s.user.id != user_id
        {
            s.require(&Action::ManageUsers)?;
        }
        let contact = contact.map(str::trim).filter(|c| !c.is_empty());
        if let Some(c) = contact {
            limit_text("contact", c, 100)?;
        }
        let sealed = match contact {
            Some(c) => Some(
                self.store
                    .crypto()
                    .seal(c.as_bytes(), format!("contact:{user_id}").as_bytes())
                    .map_err(|e| AppError::internal(format!("seal: {e}")))?,
            ),
            None => None,
        };
        let actor = match session {
            Some(s) => s.actor(ip),
            None => Actor::system("cli"),
        };
        Ok(self.store.set_contact(user_id, sealed.as_deref(), &actor).await?)
    }

    /// A user's contact in clear, for the people allowed to see it (the user, administrators).
    pub fn contact_of(&self, user: &jiqun_store::UserRow) -> Option<String> {
        let sealed = user.contact.as_deref()?;
        let clear = self.store.crypto().open(sealed, format!("contact:{}", user.id).as_bytes()).ok()?;
        String::from_utf8(clear).ok()
    }

    /// The user whose roles `session` (the operator when `None`) changes: the session may manage roles, the
    /// user exists, and is not the session's own user (`own` is the refusal then, in both languages).
    async fn role_change_target(
        &self,
        session: Option<&Session>,
        username: &str,
        own: [&str; 2],
    ) -> AppResult<jiqun_store::UserRow> {
        if let Some(s) = session {
            s.require(&Action::ManageRoles)?;
        }
        let user =
            self.store.user_by_name(username).await?.ok_or_else(|| {
                AppError::not_found(format!("用户“{username}”不存在"), format!("no user “{username}”"))
            })?;
        if session.is_some_and(|s| s.user.id == user.id) {
            return Err(AppError::new(crate::Code::SelfGrant, own[0], own[1]));
        }
        Ok(user)
    }

    /// Writes a user's new roles as `session` (the operator when `None`) from `ip`.
    async fn set_roles_as(&self, session: Option<&Session>, user_id: i64, roles: &[String], ip: &str) -> AppResult<()> {
        let actor = match session {
            Some(s) => s.actor(ip),
            None => Actor::system("cli"),
        };
        // Sessions held by the user, on this server or another, are read again after this write (`session`).
        Ok(self.store.set_roles(user_id, roles, &actor).await?)
    }

    /// Adds a role to a user, refusing combinations the policy forbids. No one raises their own
    /// privileges: another security administrator must grant it.
    pub async fn grant_role(&self, session: Option<&Session>, username: &str, role: &str, ip: &str) -> AppResult<()> {
        let own = [
            "不能给自己授予角色，须由另一名安全管理员授予",
            "you cannot grant yourself a role; another security administrator must",
        ];
        let user = self.role_change_target(session, username, own).await?;
        let mut roles = user.roles.clone();
        if !roles.iter().any(|r| r == role) {
            roles.push(role.to_string());
        }
        check_role_combination(&roles, &*self.role_table().await?)?;
        self.set_roles_as(session, user.id, &roles, ip).await
    }

    /// Takes a role from a user (security administrator). Taking a role the user does not hold changes
    /// nothing and writes nothing. No one takes their own roles: that is how the last security
    /// administrator would lock everyone out of role management.
    pub async fn revoke_role(&self, session: Option<&Session>, username: &str, role: &str, ip: &str) -> AppResult<()> {
        let own = [
            "不能撤销自己的角色，须由另一名安全管理员撤销",
            "you cannot take away your own role; another security administrator must",
        ];
        let user = self.role_change_target(session, username, own).await?;
        if !user.roles.iter().any(|r| r == role) {
            return Ok(());
        }
        let roles: Vec<String> = user.roles.iter().filter(|r| *r != role).cloned().collect();
        self.set_roles_as(session, user.id, &roles, ip).await
    }

    /// The role definitions in force (security and system administrators).
    pub async fn roles(&self, session: &Session) -> AppResult<std::sync::Arc<crate::authz::RoleTable>> {
        session.require(&Action::ReadUsers)?;
        self.role_table().await
    }

    /// Defines a role or changes a business role's grants (security administrator). The administrator
    /// roles are fixed and their reserved permissions cannot be granted elsewhere (三员分立).
    pub async fn set_role(&self, session: &Session, def: &crate::authz::RoleDef, ip: &str) -> AppResult<()> {
        session.require(&Action::ManageRoles)?;
        crate::authz::check_role_def(def).map_err(|(field, zh, en)| AppError::invalid(field, zh, en))?;
        let mut def = def.clone();
        def.label_zh = def.label_zh.trim().to_string();
        def.label_en = def.label_en.trim().to_string();
        let mut seen = std::collections::HashSet::new();
        def.grants.retain(|g| seen.insert(*g));
        def.builtin = crate::authz::RoleTable::default().role(&def.name).is_some();
        // Saved with today's permissions in view: later ones will be offered again (see `with_stored`).
        def.perms_version = crate::authz::PERMS_VERSION;
        let json = serde_json::to_string(&def).map_err(AppError::internal)?;
        Ok(self.store.set_role_def(&def.name, &json, &session.actor(ip)).await?)
    }
}
