//! Who may do what. Roles are data: each role is a list of grants, a grant a permission with a scope
//! (everywhere, the user's own department, city or enterprise, or what the user is assigned to). The
//! built-in roles below are the defaults; the security administrator may change the grants of the
//! business roles and add roles of its own, kept in the table `roles`. The three administrator roles are
//! fixed (三员分立): their grants cannot be edited, and the permissions reserved to them (managing users,
//! managing roles and policy, reading the audit trail) cannot be granted to any other role.
//!
//! One function, [`RoleTable::allowed`], decides every action, so the web server and the CLI cannot
//! disagree. An action names its permission and carries the scope of its object (a department, a city,
//! an enterprise's USCC, the experts assigned to it), which the grant's scope is compared with.

use serde::{Deserialize, Serialize};

use jiqun_store::UserRow;

/// What a grant permits. The string ids (`as_str`) are what the table `roles` and the API hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Perm {
    /// Plans, indicators, supervision.
    ReadPlan,
    ImportPlan,
    ClosePlan,
    EditIndicator,
    OverrideStatus,
    AddObservation,
    FileReport,
    ReviewReport,
    ManageRounds,
    /// Create and disable accounts (system administrator only).
    ManageUsers,
    /// Grant roles, edit role definitions, set the security policy (security administrator only).
    ManageRoles,
    ReadUsers,
    /// The audit trail (audit administrator only).
    ReadAudit,
    /// The enterprise directory: names, places, industries, tags, libraries, classes. No figures.
    ReadEnterprises,
    /// An enterprise's figures (revenue, tax, land, energy …) and its evaluation items.
    ReadFigures,
    /// Register an enterprise, submit or correct its figures.
    EditEnterprise,
    /// Run a per-mu evaluation over the registry.
    RunEvaluation,
    /// Assign enterprises to experts for review.
    AssignExperts,
    /// Designate enterprises into the cultivation libraries (and withdraw them), edit their library
    /// profiles, recompute the indicators the libraries feed.
    ManageLibraries,
    /// Assess new industrial project proposals against the admission thresholds, and read them.
    AssessProjects,
}

impl Perm {
    pub const ALL: [Perm; 20] = [
        Perm::ReadPlan,
        Perm::ImportPlan,
        Perm::ClosePlan,
        Perm::EditIndicator,
        Perm::OverrideStatus,
        Perm::AddObservation,
        Perm::FileReport,
        Perm::ReviewReport,
        Perm::ManageRounds,
        Perm::ManageUsers,
        Perm::ManageRoles,
        Perm::ReadUsers,
        Perm::ReadAudit,
        Perm::ReadEnterprises,
        Perm::ReadFigures,
        Perm::EditEnterprise,
        Perm::RunEvaluation,
        Perm::AssignExperts,
        Perm::ManageLibraries,
        Perm::AssessProjects,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Perm::ReadPlan => "read_plan",
            Perm::ImportPlan => "import_plan",
            Perm::ClosePlan => "close_plan",
            Perm::EditIndicator => "edit_indicator",
            Perm::OverrideStatus => "override_status",
            Perm::AddObservation => "add_observation",
            Perm::FileReport => "file_report",
            Perm::ReviewReport => "review_report",
            Perm::ManageRounds => "manage_rounds",
            Perm::ManageUsers => "manage_users",
            Perm::ManageRoles => "manage_roles",
            Perm::ReadUsers => "read_users",
            Perm::ReadAudit => "read_audit",
            Perm::ReadEnterprises => "read_enterprises",
            Perm::ReadFigures => "read_figures",
            Perm::EditEnterprise => "edit_enterprise",
            Perm::RunEvaluation => "run_evaluation",
            Perm::AssignExperts => "assign_experts",
            Perm::ManageLibraries => "manage_libraries",
            Perm::AssessProjects => "assess_projects",
        }
    }

    pub fn parse(s: &str) -> Option<Perm> {
        Perm::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self, lang: jiqun_domain::Lang) -> &'static str {
        let (zh, en) = match self {
            Perm::ReadPlan => ("查阅计划与进展", "read plans and progress"),
            Perm::ImportPlan => ("导入计划", "import a plan"),
            Perm::ClosePlan => ("关闭计划", "close a plan"),
            Perm::EditIndicator => ("编辑指标", "edit indicators"),
            Perm::OverrideStatus => ("人工认定状态", "override a status"),
            Perm::AddObservation => ("填报指标数据", "enter indicator values"),
            Perm::FileReport => ("填报任务进展", "file progress reports"),
            Perm::ReviewReport => ("审核进展报告", "review reports"),
            Perm::ManageRounds => ("管理填报轮次", "manage reporting rounds"),
            Perm::ManageUsers => ("管理账户", "manage accounts"),
            Perm::ManageRoles => ("管理角色与安全策略", "manage roles and the security policy"),
            Perm::ReadUsers => ("查阅账户", "read accounts"),
            Perm::ReadAudit => ("查阅审计日志", "read the audit trail"),
            Perm::ReadEnterprises => ("查阅企业名录", "read the enterprise directory"),
            Perm::ReadFigures => ("查阅企业经营数据", "read enterprises' figures"),
            Perm::EditEnterprise => ("登记与填报企业数据", "register enterprises and enter figures"),
            Perm::RunEvaluation => ("开展亩均评价", "run per-mu evaluations"),
            Perm::AssignExperts => ("分派专家", "assign experts"),
            Perm::ManageLibraries => ("管理培育库（认定入库、维护档案）", "manage the cultivation libraries"),
            Perm::AssessProjects => ("新增工业项目准入评价", "assess new industrial projects"),
        };
        lang.pick(zh, en)
    }

    /// Only the administrator role that owns it may hold it.
    pub fn reserved_to(self) -> Option<&'static str> {
        match self {
            Perm::ManageUsers => Some("system_admin"),
            Perm::ManageRoles => Some("security_admin"),
            Perm::ReadAudit => Some("audit_admin"),
            _ => None,
        }
    }
}

/// Where a grant applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    All,
    /// Objects of the user's department (`users.agency`).
    OwnAgency,
    /// Objects of the user's city (`users.city`).
    OwnCity,
    /// The enterprise whose USCC the user holds (`users.uscc`).
    OwnEnterprise,
    /// Objects the user is assigned to (an expert's review assignments).
    Assigned,
}

impl Scope {
    pub const ALL: [Scope; 5] = [Scope::All, Scope::OwnAgency, Scope::OwnCity, Scope::OwnEnterprise, Scope::Assigned];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::OwnAgency => "own_agency",
            Scope::OwnCity => "own_city",
            Scope::OwnEnterprise => "own_enterprise",
            Scope::Assigned => "assigned",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self, lang: jiqun_domain::Lang) -> &'static str {
        let (zh, en) = match self {
            Scope::All => ("全部", "everywhere"),
            Scope::OwnAgency => ("本部门", "own department"),
            Scope::OwnCity => ("本市", "own city"),
            Scope::OwnEnterprise => ("本企业", "own enterprise"),
            Scope::Assigned => ("分派给本人的", "assigned to the user"),
        };
        lang.pick(zh, en)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub perm: Perm,
    pub scope: Scope,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleDef {
    pub name: String,
    pub label_zh: String,
    pub label_en: String,
    pub grants: Vec<Grant>,
    /// Built in (cannot be deleted). The administrator roles are also fixed (cannot be edited).
    #[serde(default)]
    pub builtin: bool,
}

impl RoleDef {
    pub fn label(&self, lang: jiqun_domain::Lang) -> &str {
        lang.pick(&self.label_zh, &self.label_en)
    }

    pub fn fixed(&self) -> bool {
        crate::auth::ADMIN_ROLES.contains(&self.name.as_str())
    }
}

/// The object of an action, as far as scopes are concerned. Empty fields match no scope but `All`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Object<'a> {
    pub agency: &'a str,
    pub city: &'a str,
    pub uscc: &'a str,
    /// The users assigned to the object (experts reviewing an enterprise).
    pub assigned: &'a [i64],
}

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
    /// The directory (no figures).
    ReadEnterprises,
    /// One enterprise's figures; `Object` says whose.
    ReadFigures(Object<'a>),
    /// Register or change one enterprise (`uscc`/`city` of the enterprise).
    EditEnterprise(Object<'a>),
    RunEvaluation,
    AssignExperts,
    /// Designate into or withdraw from a cultivation library, edit library profiles.
    ManageLibraries,
    /// Assess or read a project proposal located in `city` (`""` when not yet known).
    AssessProjects {
        city: &'a str,
    },
}

impl Action<'_> {
    fn parts(&self) -> (Perm, Object<'_>) {
        let none = Object::default();
        match self {
            Action::ReadPlan => (Perm::ReadPlan, none),
            Action::ImportPlan => (Perm::ImportPlan, none),
            Action::ClosePlan => (Perm::ClosePlan, none),
            Action::EditIndicator => (Perm::EditIndicator, none),
            Action::OverrideStatus => (Perm::OverrideStatus, none),
            Action::AddObservation { region } => (Perm::AddObservation, Object { city: region, ..none }),
            Action::FileReport { agency } => (Perm::FileReport, Object { agency, ..none }),
            Action::ReviewReport => (Perm::ReviewReport, none),
            Action::ManageRounds => (Perm::ManageRounds, none),
            Action::ManageUsers => (Perm::ManageUsers, none),
            Action::ManageRoles => (Perm::ManageRoles, none),
            Action::ReadUsers => (Perm::ReadUsers, none),
            Action::ReadAudit => (Perm::ReadAudit, none),
            Action::ReadEnterprises => (Perm::ReadEnterprises, none),
            Action::ReadFigures(o) => (Perm::ReadFigures, *o),
            Action::EditEnterprise(o) => (Perm::EditEnterprise, *o),
            Action::RunEvaluation => (Perm::RunEvaluation, none),
            Action::AssignExperts => (Perm::AssignExperts, none),
            Action::ManageLibraries => (Perm::ManageLibraries, none),
            Action::AssessProjects { city } => (Perm::AssessProjects, Object { city, ..none }),
        }
    }
}

fn matches(scope: Scope, user: &UserRow, o: &Object) -> bool {
    let same = |mine: Option<&str>, theirs: &str| !theirs.is_empty() && mine == Some(theirs);
    match scope {
        Scope::All => true,
        Scope::OwnAgency => same(user.agency.as_deref(), o.agency),
        Scope::OwnCity => same(user.city.as_deref(), o.city),
        Scope::OwnEnterprise => same(user.uscc.as_deref(), o.uscc),
        Scope::Assigned => o.assigned.contains(&user.id),
    }
}

/// The role definitions in force: the built-in ones, with the stored changes and additions applied.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleTable {
    pub roles: Vec<RoleDef>,
}

impl Default for RoleTable {
    fn default() -> RoleTable {
        use Perm::*;
        use Scope::*;
        let g = |list: &[(Perm, Scope)]| list.iter().map(|&(perm, scope)| Grant { perm, scope }).collect();
        let role = |name: &str, zh: &str, en: &str, grants: Vec<Grant>| RoleDef {
            name: name.into(),
            label_zh: zh.into(),
            label_en: en.into(),
            grants,
            builtin: true,
        };
        RoleTable {
            roles: vec![
                role(
                    "system_admin",
                    "系统管理员",
                    "system administrator",
                    g(&[(ManageUsers, All), (ReadUsers, All), (ReadPlan, All)]),
                ),
                role(
                    "security_admin",
                    "安全管理员",
                    "security administrator",
                    g(&[(ManageRoles, All), (ReadUsers, All), (ReadPlan, All)]),
                ),
                role("audit_admin", "审计管理员", "audit administrator", g(&[(ReadAudit, All)])),
                role(
                    "plan_owner",
                    "计划管理(牵头处室)",
                    "plan owner",
                    g(&[
                        (ReadPlan, All),
                        (ImportPlan, All),
                        (ClosePlan, All),
                        (EditIndicator, All),
                        (OverrideStatus, All),
                        (AddObservation, All),
                        (ReviewReport, All),
                        (ManageRounds, All),
                        (ReadEnterprises, All),
                        (ReadFigures, All),
                        (EditEnterprise, All),
                        (RunEvaluation, All),
                        (AssignExperts, All),
                        (ManageLibraries, All),
                        (AssessProjects, All),
                    ]),
                ),
                role(
                    "agency_reporter",
                    "部门填报员",
                    "department reporter",
                    g(&[(ReadPlan, All), (FileReport, OwnAgency), (ReadEnterprises, All)]),
                ),
                role(
                    "city_reporter",
                    "地市填报员",
                    "city reporter",
                    g(&[
                        (ReadPlan, All),
                        (AddObservation, OwnCity),
                        (ReadEnterprises, All),
                        (ReadFigures, OwnCity),
                        (EditEnterprise, OwnCity),
                        (AssessProjects, OwnCity),
                    ]),
                ),
                role(
                    "enterprise",
                    "企业用户",
                    "enterprise",
                    g(&[(ReadFigures, OwnEnterprise), (EditEnterprise, OwnEnterprise)]),
                ),
                role(
                    "expert",
                    "专家",
                    "expert",
                    g(&[(ReadPlan, All), (ReadEnterprises, All), (ReadFigures, Assigned)]),
                ),
                role("viewer", "查阅", "viewer", g(&[(ReadPlan, All), (ReadEnterprises, All)])),
            ],
        }
    }
}

impl RoleTable {
    /// The built-in roles with stored definitions applied: a stored role replaces the built-in one of the
    /// same name (the administrator roles excepted) or adds a new role.
    pub fn with_stored(stored: Vec<RoleDef>) -> RoleTable {
        let mut table = RoleTable::default();
        for mut def in stored {
            match table.roles.iter_mut().find(|r| r.name == def.name) {
                Some(r) if r.fixed() => {}
                Some(r) => {
                    def.builtin = true;
                    *r = def;
                }
                None => {
                    def.builtin = false;
                    table.roles.push(def);
                }
            }
        }
        table
    }

    pub fn role(&self, name: &str) -> Option<&RoleDef> {
        self.roles.iter().find(|r| r.name == name)
    }

    pub fn names(&self) -> Vec<&str> {
        self.roles.iter().map(|r| r.name.as_str()).collect()
    }

    pub fn allowed(&self, user: &UserRow, action: &Action) -> bool {
        if user.disabled {
            return false;
        }
        let (perm, object) = action.parts();
        user.roles.iter().filter_map(|r| self.role(r)).any(|role| {
            role.grants.iter().any(|g| g.perm == perm && matches(g.scope, user, &object))
                // A reserved permission counts only in its own administrator role.
                && perm.reserved_to().is_none_or(|owner| owner == role.name)
        })
    }

    /// The scopes in which the user holds a permission (to filter lists: all, or own city, …).
    pub fn scopes(&self, user: &UserRow, perm: Perm) -> Vec<Scope> {
        if user.disabled {
            return Vec::new();
        }
        let mut out: Vec<Scope> = user
            .roles
            .iter()
            .filter_map(|r| self.role(r))
            .filter(|role| perm.reserved_to().is_none_or(|owner| owner == role.name))
            .flat_map(|role| role.grants.iter().filter(|g| g.perm == perm).map(|g| g.scope))
            .collect();
        out.sort_by_key(|s| s.as_str());
        out.dedup();
        out
    }

    /// Whether a role with this name holds the permission in some scope (for the route table).
    pub fn role_has(&self, role: &str, perm: Perm) -> bool {
        self.role(role).is_some_and(|r| r.grants.iter().any(|g| g.perm == perm))
    }
}

/// Checks a role definition a security administrator submits. Messages in (zh, en).
pub fn check_role_def(def: &RoleDef) -> Result<(), (&'static str, String, String)> {
    let name_ok = !def.name.is_empty()
        && def.name.len() <= 40
        && def.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !name_ok {
        return Err((
            "name",
            "角色标识应为 1 至 40 个小写字母、数字或下划线".into(),
            "a role name is 1 to 40 lower-case letters, digits or underscores".into(),
        ));
    }
    if crate::auth::ADMIN_ROLES.contains(&def.name.as_str()) {
        return Err((
            "name",
            "三员角色的权限固定，不能修改".into(),
            "the three administrator roles are fixed and cannot be edited".into(),
        ));
    }
    for (field, label) in [("label_zh", &def.label_zh), ("label_en", &def.label_en)] {
        if label.trim().is_empty() || label.chars().count() > 40 || label.chars().any(char::is_control) {
            return Err((field, "名称须为 1 至 40 字".into(), "a label is 1 to 40 characters".into()));
        }
    }
    for g in &def.grants {
        if let Some(owner) = g.perm.reserved_to() {
            return Err((
                "grants",
                format!("权限“{}”专属{}，不能授予其他角色（三员分立）", g.perm.as_str(), owner),
                format!("the permission “{}” belongs to {owner} alone (separation of duties)", g.perm.as_str()),
            ));
        }
    }
    Ok(())
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
        let t = RoleTable::default();
        let kjt = user(&["agency_reporter"], Some("省科技厅"), None);
        assert!(t.allowed(&kjt, &Action::FileReport { agency: "省科技厅" }));
        assert!(!t.allowed(&kjt, &Action::FileReport { agency: "省商务厅" }));
        assert!(t.allowed(&kjt, &Action::ReadPlan));
        assert!(!t.allowed(&kjt, &Action::AddObservation { region: "" }));
        let sz = user(&["city_reporter"], None, Some("深圳"));
        assert!(t.allowed(&sz, &Action::AddObservation { region: "深圳" }));
        assert!(!t.allowed(&sz, &Action::AddObservation { region: "广州" }));
        assert!(!t.allowed(&sz, &Action::AddObservation { region: "" }));
        let viewer = user(&["viewer"], None, None);
        assert!(t.allowed(&viewer, &Action::ReadPlan));
        assert!(!t.allowed(&viewer, &Action::ReviewReport));
        let owner = user(&["plan_owner"], None, None);
        assert!(t.allowed(&owner, &Action::AddObservation { region: "广州" }));
        assert!(
            !t.allowed(&owner, &Action::FileReport { agency: "省科技厅" }),
            "the owner reviews, departments report"
        );
        let audit = user(&["audit_admin"], None, None);
        assert!(t.allowed(&audit, &Action::ReadAudit) && !t.allowed(&audit, &Action::ReadPlan));
    }

    #[test]
    fn enterprises_see_only_their_own_figures() {
        let t = RoleTable::default();
        let mut firm = user(&["enterprise"], None, None);
        firm.uscc = Some("91440300MA5F00000X".into());
        let own = Object { uscc: "91440300MA5F00000X", city: "深圳", ..Default::default() };
        let other = Object { uscc: "91440100MA5F00000Y", city: "深圳", ..Default::default() };
        assert!(t.allowed(&firm, &Action::ReadFigures(own)));
        assert!(!t.allowed(&firm, &Action::ReadFigures(other)));
        assert!(!t.allowed(&firm, &Action::ReadPlan));
        let mut expert = user(&["expert"], None, None);
        expert.id = 7;
        assert!(t.allowed(&expert, &Action::ReadFigures(Object { assigned: &[3, 7], ..own })));
        assert!(!t.allowed(&expert, &Action::ReadFigures(own)));
        let sz = user(&["city_reporter"], None, Some("深圳"));
        assert!(t.allowed(&sz, &Action::ReadFigures(other)));
        assert!(!t.allowed(&sz, &Action::ReadFigures(Object { city: "广州", ..other })));
        assert!(!t.allowed(&user(&["viewer"], None, None), &Action::ReadFigures(own)));
    }

    #[test]
    fn libraries_and_projects() {
        let t = RoleTable::default();
        let owner = user(&["plan_owner"], None, None);
        assert!(t.allowed(&owner, &Action::ManageLibraries));
        assert!(t.allowed(&owner, &Action::AssessProjects { city: "广州" }));
        let sz = user(&["city_reporter"], None, Some("深圳"));
        assert!(t.allowed(&sz, &Action::AssessProjects { city: "深圳" }));
        assert!(!t.allowed(&sz, &Action::AssessProjects { city: "广州" }));
        assert!(!t.allowed(&sz, &Action::AssessProjects { city: "" }));
        assert!(!t.allowed(&sz, &Action::ManageLibraries));
        for role in ["viewer", "expert", "agency_reporter", "enterprise"] {
            let u = user(&[role], None, None);
            assert!(!t.allowed(&u, &Action::ManageLibraries), "{role}");
            assert!(!t.allowed(&u, &Action::AssessProjects { city: "深圳" }), "{role}");
        }
    }

    #[test]
    fn stored_roles_change_grants_but_not_the_administrators() {
        let viewer = RoleDef {
            name: "viewer".into(),
            label_zh: "查阅".into(),
            label_en: "viewer".into(),
            grants: vec![Grant { perm: Perm::ReadPlan, scope: Scope::All }],
            builtin: false,
        };
        let audit = RoleDef { name: "audit_admin".into(), grants: vec![], ..viewer.clone() };
        let county = RoleDef {
            name: "county_reporter".into(),
            grants: vec![Grant { perm: Perm::AddObservation, scope: Scope::OwnCity }],
            ..viewer.clone()
        };
        let t = RoleTable::with_stored(vec![viewer, audit, county]);
        let v = user(&["viewer"], None, None);
        assert!(t.allowed(&v, &Action::ReadPlan) && !t.allowed(&v, &Action::ReadEnterprises));
        assert!(t.allowed(&user(&["audit_admin"], None, None), &Action::ReadAudit), "fixed role kept");
        assert!(t.allowed(&user(&["county_reporter"], None, Some("佛山")), &Action::AddObservation { region: "佛山" }));
        assert!(!t.role("county_reporter").unwrap().builtin);
        // A reserved permission smuggled into another role counts for nothing.
        let sneaky = RoleDef {
            name: "viewer".into(),
            label_zh: "查阅".into(),
            label_en: "viewer".into(),
            grants: vec![Grant { perm: Perm::ReadAudit, scope: Scope::All }],
            builtin: true,
        };
        assert!(check_role_def(&sneaky).is_err());
        let t = RoleTable::with_stored(vec![sneaky]);
        assert!(!t.allowed(&user(&["viewer"], None, None), &Action::ReadAudit));
    }
}
