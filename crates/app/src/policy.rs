//! Who may do what. One function decides every action, so the web server and the CLI cannot disagree.
//! Objects carry their scope (a department, a city) and the check compares it with the user's.

use jiqun_store::UserRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action<'a> {
    /// Plans, indicators, supervision: every government user.
    ReadPlan,
    ImportPlan,
    ClosePlan,
    EditIndicator,
    OverrideStatus,
    /// An observation for a region (`""` = province-wide).
    AddObservation {
        region: &'a str,
    },
    /// A progress report on an assignment of this agency.
    FileReport {
        agency: &'a str,
    },
    ReviewReport,
    ManageRounds,
    /// Create and disable accounts (system administrator).
    ManageUsers,
    /// Grant roles and set the security policy (security administrator).
    ManageRoles,
    ReadUsers,
    ReadAudit,
}

/// Roles that read the plan and its progress.
const READERS: &[&str] =
    &["plan_owner", "agency_reporter", "city_reporter", "viewer", "system_admin", "security_admin", "expert"];

pub fn allowed(user: &UserRow, action: &Action) -> bool {
    if user.disabled {
        return false;
    }
    let has = |r: &str| user.has_role(r);
    match action {
        Action::ReadPlan => READERS.iter().any(|r| has(r)),
        Action::ImportPlan | Action::ClosePlan | Action::EditIndicator | Action::OverrideStatus => has("plan_owner"),
        Action::AddObservation { region } => {
            has("plan_owner") || (has("city_reporter") && !region.is_empty() && user.city.as_deref() == Some(*region))
        }
        Action::FileReport { agency } => has("agency_reporter") && user.agency.as_deref() == Some(*agency),
        Action::ReviewReport | Action::ManageRounds => has("plan_owner"),
        Action::ManageUsers => has("system_admin"),
        Action::ManageRoles => has("security_admin"),
        Action::ReadUsers => has("system_admin") || has("security_admin"),
        Action::ReadAudit => has("audit_admin"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[&str], agency: Option<&str>, city: Option<&str>) -> UserRow {
        UserRow {
            id: 1,
            username: "u".into(),
            display_name: String::new(),
            password_hash: String::new(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            agency: agency.map(String::from),
            city: city.map(String::from),
            uscc: None,
            must_change_password: false,
            disabled: false,
            failed_logins: 0,
            locked_until: None,
            last_login_at: None,
            prev_login_at: None,
            created_at: 0,
            totp_secret: None,
            totp_enabled: false,
            totp_last_step: 0,
            password_changed_at: None,
            contact: None,
        }
    }

    #[test]
    fn reporters_write_only_their_own() {
        let kjt = user(&["agency_reporter"], Some("省科技厅"), None);
        assert!(allowed(&kjt, &Action::FileReport { agency: "省科技厅" }));
        assert!(!allowed(&kjt, &Action::FileReport { agency: "省商务厅" }));
        assert!(allowed(&kjt, &Action::ReadPlan));
        assert!(!allowed(&kjt, &Action::AddObservation { region: "" }));
        let sz = user(&["city_reporter"], None, Some("深圳"));
        assert!(allowed(&sz, &Action::AddObservation { region: "深圳" }));
        assert!(!allowed(&sz, &Action::AddObservation { region: "广州" }));
        assert!(!allowed(&sz, &Action::AddObservation { region: "" }));
        let viewer = user(&["viewer"], None, None);
        assert!(allowed(&viewer, &Action::ReadPlan));
        assert!(!allowed(&viewer, &Action::ReviewReport));
        let owner = user(&["plan_owner"], None, None);
        assert!(allowed(&owner, &Action::AddObservation { region: "广州" }));
        assert!(!allowed(&owner, &Action::FileReport { agency: "省科技厅" }), "the owner reviews, departments report");
        let audit = user(&["audit_admin"], None, None);
        assert!(allowed(&audit, &Action::ReadAudit) && !allowed(&audit, &Action::ReadPlan));
    }
}
