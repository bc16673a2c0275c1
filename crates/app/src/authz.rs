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

jiqun_domain::labelled_enum! {
    /// What a grant permits. The string ids (`as_str`) are what the table `roles` and the API hold.
    pub enum Perm {
        /// Plans, indicators, supervision.
        ReadPlan = "read_plan", "查阅计划与进展", "read plans and progress";
        ImportPlan = "import_plan", "导入计划", "import a plan";
        ClosePlan = "close_plan", "关闭计划", "close a plan";
        EditIndicator = "edit_indicator", "编辑指标", "edit indicators";
        OverrideStatus = "override_status", "人工认定状态", "override a status";
        AddObservation = "add_observation", "填报指标数据", "enter indicator values";
        FileReport = "file_report", "填报任务进展", "file progress reports";
        ReviewReport = "review_report", "审核进展报告", "review reports";
        ManageRounds = "manage_rounds", "管理填报轮次", "manage reporting rounds";
        /// Create and disable accounts (system administrator only).
        ManageUsers = "manage_users", "管理账户", "manage accounts";
        /// Grant roles, edit role definitions, set the security policy (security administrator only).
        ManageRoles = "manage_roles", "管理角色与安全策略", "manage roles and the security policy";
        ReadUsers = "read_users", "查阅账户", "read accounts";
        /// The audit trail (audit administrator only).
        ReadAudit = "read_audit", "查阅审计日志", "read the audit trail";
        /// The enterprise directory: names, places, industries, tags, libraries, classes. No figures.
        ReadEnterprises = "read_enterprises", "查阅企业名录", "read the enterprise directory";
        /// An enterprise's figures (revenue, tax, land, energy …) and its evaluation items.
        ReadFigures = "read_figures", "查阅企业经营数据", "read enterprises' figures";
        /// Register an enterprise, submit or correct its figures.
        EditEnterprise = "edit_enterprise", "登记与填报企业数据", "register enterprises and enter figures";
        /// Run a per-mu evaluation over the registry.
        RunEvaluation = "run_evaluation", "开展亩均评价", "run per-mu evaluations";
        /// Assign enterprises to experts for review.
        AssignExperts = "assign_experts", "分派专家", "assign experts";
        /// Designate enterprises into the cultivation libraries (and withdraw them), edit their library
        /// profiles, recompute the indicators the libraries feed.
        ManageLibraries = "manage_libraries", "管理培育库（认定入库、维护档案）", "manage the cultivation libraries";
        /// Assess new industrial project proposals against the admission thresholds, and read them.
        AssessProjects = "assess_projects", "新增工业项目准入评价", "assess new industrial projects";
        /// Register recognised platforms and bases, edit them, withdraw their recognition.
        ManageBases = "manage_bases", "管理平台与基地", "manage the registry of platforms and bases";
        /// The key-project libraries: projects, their stages, problems and tracking.
        ReadProjects = "read_projects", "查阅重点项目", "read key projects";
        /// Register key projects, move their stages, put them in libraries.
        ManageProjects = "manage_projects", "管理重点项目（入库、阶段、跟踪服务）", "manage key projects";
        /// Raise a problem on a project (企业直通车) and accept or reopen its answer.
        RaiseProblem = "raise_problem", "提出项目问题（企业直通车）", "raise problems on projects";
        /// Answer the problems routed to the department.
        AnswerProblem = "answer_problem", "答复项目问题", "answer project problems";
        /// Report a project's progress per period (investment completed, physical progress).
        ReportProject = "report_project", "填报项目进度", "report projects' progress";
        /// The chain map: nodes, the firms, projects and bases on them, gaps and the lists made from them.
        ReadChains = "read_chains", "查阅产业链图谱与补链分析", "read the chain map and gap analysis";
        /// Edit the chain vocabulary, decide what unmatched names mean, record outside dependencies, set
        /// the gap-analysis settings, put firms and bases on nodes.
        ManageChains = "manage_chains", "管理产业链图谱", "manage the chain map";
        /// 揭榜挂帅: the challenges past their draft (a draft only to those who manage it).
        ReadChallenges = "read_challenges", "查阅揭榜挂帅榜单", "read open challenges";
        /// Draft and edit challenges, assign their experts, record milestones; move them as the workflow
        /// lets the user's roles (scope: the issuing department).
        ManageChallenges = "manage_challenges", "发布与管理揭榜挂帅榜单", "issue and manage open challenges";
        /// Apply for a challenge (an enterprise for itself; everywhere: record an institute's application).
        ApplyChallenge = "apply_challenge", "揭榜申报", "apply for open challenges";
        /// Review the applications one is assigned to and need not stand aside from.
        ReviewChallenge = "review_challenge", "评审揭榜申报", "review challenge applications";
        /// Chip–terminal matchmaking: the ranked pairs, the products, needs and meetings they rest on (scoped:
        /// an enterprise sees what involves it, a city bureau what involves a firm of its city).
        ReadMatches = "read_matches", "查阅芯片与终端对接", "read chip–terminal matchmaking";
        /// List and edit chip products and terminal needs (an enterprise its own).
        EditMatchListings = "edit_match_listings", "维护芯片产品与终端需求", "maintain chip products and terminal needs";
        /// Record matchmaking meetings (对接会) and their outcomes.
        RecordMatchMeetings = "record_match_meetings", "记录对接会与对接结果", "record matchmaking meetings and outcomes";
        /// Set the weights of the matchmaking score and the lead times it assumes.
        SetMatchSettings = "set_match_settings", "设定对接评分权重", "set the matchmaking weights";
    }
}

/// The permission list's version: it grows by one whenever permissions are added.
pub const PERMS_VERSION: u32 = 6;

impl Perm {
    /// The version of the permission list that brought it (see [`RoleTable::with_stored`]).
    pub fn since(self) -> u32 {
        match self {
            Perm::ManageBases
            | Perm::ReadProjects
            | Perm::ManageProjects
            | Perm::RaiseProblem
            | Perm::AnswerProblem => 2,
            Perm::ReportProject => 3,
            Perm::ReadChains | Perm::ManageChains => 4,
            Perm::ReadChallenges | Perm::ManageChallenges | Perm::ApplyChallenge | Perm::ReviewChallenge => 5,
            Perm::ReadMatches | Perm::EditMatchListings | Perm::RecordMatchMeetings | Perm::SetMatchSettings => 6,
            _ => 1,
        }
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

jiqun_domain::labelled_enum! {
    /// Where a grant applies.
    pub enum Scope {
        All = "all", "全部", "everywhere";
        /// Objects of the user's department (`users.agency`).
        OwnAgency = "own_agency", "本部门", "own department";
        /// Objects of the user's city (`users.city`).
        OwnCity = "own_city", "本市", "own city";
        /// The enterprise whose USCC the user holds (`users.uscc`).
        OwnEnterprise = "own_enterprise", "本企业", "own enterprise";
        /// Objects the user is assigned to (an expert's review assignments: firms, and challenge
        /// applications the expert need not stand aside from).
        Assigned = "assigned", "分派给本人的", "assigned to the user";
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
    /// The permission list's version when the definition was saved ([`PERMS_VERSION`]; 1 before versions
    /// were recorded).
    #[serde(default = "first_perms_version")]
    pub perms_version: u32,
}

fn first_perms_version() -> u32 {
    1
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
    ManageBases,
    /// A project (`city`, `uscc` of its owner).
    ReadProjects(Object<'a>),
    ManageProjects(Object<'a>),
    RaiseProblem(Object<'a>),
    /// Report a project's progress (`city`, `uscc` of its owner).
    ReportProject(Object<'a>),
    /// A problem routed to this department.
    AnswerProblem {
        agency: &'a str,
    },
    ReadChains,
    ManageChains,
    ReadChallenges,
    /// A challenge of this issuing department (`""` for one not yet drafted: everywhere only).
    ManageChallenges {
        agency: &'a str,
    },
    /// Apply for a challenge as the organisation of this USCC (`""` for an institute: everywhere only).
    ApplyChallenge {
        uscc: &'a str,
    },
    /// Review an application; `assigned` holds the experts assigned to it who need not stand aside.
    ReviewChallenge {
        assigned: &'a [i64],
    },
    /// Matchmaking that involves a firm (`uscc`, `city` of the firm).
    ReadMatches(Object<'a>),
    /// A product or need of a firm (`uscc`, `city`).
    EditMatchListings(Object<'a>),
    /// A meeting on a pair, checked against one of its two firms (`uscc`, `city`).
    RecordMatchMeetings(Object<'a>),
    SetMatchSettings,
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
            Action::ManageBases => (Perm::ManageBases, none),
            Action::ReadProjects(o) => (Perm::ReadProjects, *o),
            Action::ManageProjects(o) => (Perm::ManageProjects, *o),
            Action::ReadChallenges => (Perm::ReadChallenges, none),
            Action::ManageChallenges { agency } => (Perm::ManageChallenges, Object { agency, ..none }),
            Action::ApplyChallenge { uscc } => (Perm::ApplyChallenge, Object { uscc, ..none }),
            Action::ReviewChallenge { assigned } => (Perm::ReviewChallenge, Object { assigned, ..none }),
            Action::RaiseProblem(o) => (Perm::RaiseProblem, *o),
            Action::ReportProject(o) => (Perm::ReportProject, *o),
            Action::AnswerProblem { agency } => (Perm::AnswerProblem, Object { agency, ..none }),
            Action::ReadChains => (Perm::ReadChains, none),
            Action::ManageChains => (Perm::ManageChains, none),
            Action::ReadMatches(o) => (Perm::ReadMatches, *o),
            Action::EditMatchListings(o) => (Perm::EditMatchListings, *o),
            Action::RecordMatchMeetings(o) => (Perm::RecordMatchMeetings, *o),
            Action::SetMatchSettings => (Perm::SetMatchSettings, none),
        }
    }
}

fn matches(scope: Scope, user: &UserRow, o: &Object) -> bool {
    let same = |mine: Option<&str>, theirs: &str| !theirs.is_empty() && mine == Some(theirs);
    match scope {
        Scope::All => true,
        Scope::OwnAgency => same(user.agency.as_ref().map(|a| a.as_str()), o.agency),
        Scope::OwnCity => same(user.city.map(|c| c.as_str()), o.city),
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
            perms_version: PERMS_VERSION,
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
                        (ManageBases, All),
                        (ReadProjects, All),
                        (ManageProjects, All),
                        (RaiseProblem, All),
                        (AnswerProblem, All),
                        (ReportProject, All),
                        (ReadChains, All),
                        (ManageChains, All),
                        (ReadChallenges, All),
                        (ManageChallenges, All),
                        (ApplyChallenge, All),
                        (ReadMatches, All),
                        (EditMatchListings, All),
                        (RecordMatchMeetings, All),
                        (SetMatchSettings, All),
                    ]),
                ),
                role(
                    "agency_reporter",
                    "部门填报员",
                    "department reporter",
                    g(&[
                        (ReadPlan, All),
                        (FileReport, OwnAgency),
                        (ReadEnterprises, All),
                        (ReadProjects, All),
                        (AnswerProblem, OwnAgency),
                        (ReadChains, All),
                        (ReadChallenges, All),
                        (ManageChallenges, OwnAgency),
                        (ReadMatches, All),
                    ]),
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
                        (ReadProjects, OwnCity),
                        (ManageProjects, OwnCity),
                        (RaiseProblem, OwnCity),
                        (ReportProject, OwnCity),
                        (ReadChains, All),
                        (ReadChallenges, All),
                        (ReadMatches, OwnCity),
                        (EditMatchListings, OwnCity),
                        (RecordMatchMeetings, OwnCity),
                    ]),
                ),
                role(
                    "enterprise",
                    "企业用户",
                    "enterprise",
                    g(&[
                        (ReadFigures, OwnEnterprise),
                        (EditEnterprise, OwnEnterprise),
                        (ReadProjects, OwnEnterprise),
                        (RaiseProblem, OwnEnterprise),
                        (ReportProject, OwnEnterprise),
                        (ReadChallenges, All),
                        (ApplyChallenge, OwnEnterprise),
                        (ReadMatches, OwnEnterprise),
                        (EditMatchListings, OwnEnterprise),
                    ]),
                ),
                role(
                    "expert",
                    "专家",
                    "expert",
                    g(&[
                        (ReadPlan, All),
                        (ReadEnterprises, All),
                        (ReadFigures, Assigned),
                        (ReadChallenges, All),
                        (ReviewChallenge, Assigned),
                    ]),
                ),
                role(
                    "viewer",
                    "查阅",
                    "viewer",
                    g(&[
                        (ReadPlan, All),
                        (ReadEnterprises, All),
                        (ReadProjects, All),
                        (ReadChains, All),
                        (ReadChallenges, All),
                        (ReadMatches, All),
                    ]),
                ),
            ],
        }
    }
}

impl RoleTable {
    /// The built-in roles with stored definitions applied: a stored role replaces the built-in one of the
    /// same name (the administrator roles excepted) or adds a new role. A stored built-in role saved before
    /// some permissions existed gains the grants its defaults give of those (a new duty reaches a role the
    /// security administrator once edited); what the administrator removed of the older ones stays removed.
    pub fn with_stored(stored: Vec<RoleDef>) -> RoleTable {
        let mut table = RoleTable::default();
        for mut def in stored {
            match table.roles.iter_mut().find(|r| r.name == def.name) {
                Some(r) if r.fixed() => {}
                Some(r) => {
                    def.builtin = true;
                    for g in &r.grants {
                        if g.perm.since() > def.perms_version && !def.grants.contains(g) {
                            def.grants.push(*g);
                        }
                    }
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

/// A user record with nothing but an id, a name and roles (no department, city or firm; no password): the
/// operator's session and the tests build on it.
pub(crate) fn bare_user(id: i64, name: &str, roles: &[&str]) -> UserRow {
    UserRow {
        id,
        username: name.to_string(),
        display_name: name.to_string(),
        password_hash: String::new(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        agency: None,
        city: None,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[&str], agency: Option<&str>, city: Option<&str>) -> UserRow {
        UserRow {
            agency: agency.map(|a| jiqun_domain::AgencyName::parse(a).unwrap()),
            city: city.map(|c| jiqun_domain::CityCode::parse(c).unwrap()),
            ..super::bare_user(1, "u", roles)
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
    fn owners_and_city_bureaus_report_project_progress() {
        let t = RoleTable::default();
        let mut firm = user(&["enterprise"], None, None);
        firm.uscc = Some("91440300MA5F00000X".into());
        let own = Object { uscc: "91440300MA5F00000X", city: "深圳", ..Default::default() };
        let other = Object { uscc: "91440100MA5F00000Y", city: "广州", ..Default::default() };
        assert!(t.allowed(&firm, &Action::ReportProject(own)));
        assert!(!t.allowed(&firm, &Action::ReportProject(other)));
        assert!(!t.allowed(&firm, &Action::ManageProjects(own)), "firms do not review their own progress");
        let sz = user(&["city_reporter"], None, Some("深圳"));
        assert!(t.allowed(&sz, &Action::ReportProject(own)) && !t.allowed(&sz, &Action::ReportProject(other)));
        assert!(t.allowed(&user(&["plan_owner"], None, None), &Action::ReportProject(other)));
        for role in ["viewer", "expert", "agency_reporter"] {
            assert!(!t.allowed(&user(&[role], Some("省科技厅"), None), &Action::ReportProject(own)), "{role}");
        }
        // A city reporter's role saved before the permission existed gains it.
        let mut old = t.role("city_reporter").unwrap().clone();
        old.grants.retain(|g| g.perm != Perm::ReportProject);
        old.perms_version = 2;
        assert!(RoleTable::with_stored(vec![old]).allowed(&sz, &Action::ReportProject(own)));
    }

    #[test]
    fn challenges_are_issued_by_departments_applied_for_by_firms_reviewed_by_assigned_experts() {
        let t = RoleTable::default();
        let kjt = user(&["agency_reporter"], Some("省科技厅"), None);
        assert!(t.allowed(&kjt, &Action::ManageChallenges { agency: "省科技厅" }));
        assert!(!t.allowed(&kjt, &Action::ManageChallenges { agency: "省商务厅" }));
        assert!(t.allowed(&user(&["plan_owner"], None, None), &Action::ManageChallenges { agency: "省商务厅" }));
        let mut firm = user(&["enterprise"], None, None);
        firm.uscc = Some("91440300MA5F00000X".into());
        assert!(t.allowed(&firm, &Action::ApplyChallenge { uscc: "91440300MA5F00000X" }));
        assert!(!t.allowed(&firm, &Action::ApplyChallenge { uscc: "91440100MA5F00000Y" }));
        assert!(!t.allowed(&firm, &Action::ApplyChallenge { uscc: "" }), "an institute's application: not its own");
        let mut expert = user(&["expert"], None, None);
        expert.id = 7;
        assert!(t.allowed(&expert, &Action::ReviewChallenge { assigned: &[3, 7] }));
        assert!(!t.allowed(&expert, &Action::ReviewChallenge { assigned: &[3] }), "recused or not on the panel");
        for role in ["viewer", "city_reporter", "enterprise", "expert", "agency_reporter", "plan_owner"] {
            assert!(t.allowed(&user(&[role], None, None), &Action::ReadChallenges), "{role}");
        }
        assert!(!t.allowed(&user(&["viewer"], None, None), &Action::ReviewChallenge { assigned: &[1] }));
        // A role saved before the permissions existed (version 3) gains them; custom roles may be given them.
        let mut old = t.role("expert").unwrap().clone();
        old.grants.retain(|g| g.perm.since() < 5);
        old.perms_version = 3;
        assert!(RoleTable::with_stored(vec![old]).allowed(&expert, &Action::ReviewChallenge { assigned: &[7] }));
        assert_eq!(Perm::ManageChallenges.since(), 5);
        // Every role the example workflow names exists in the role table.
        for tr in &jiqun_domain::challenges::Workflow::example().transitions {
            for r in &tr.roles {
                assert!(t.role(r).is_some(), "the workflow names an unknown role {r}");
            }
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
            perms_version: PERMS_VERSION,
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
            perms_version: PERMS_VERSION,
        };
        assert!(check_role_def(&sneaky).is_err());
        let t = RoleTable::with_stored(vec![sneaky]);
        assert!(!t.allowed(&user(&["viewer"], None, None), &Action::ReadAudit));
    }

    #[test]
    fn a_role_edited_before_a_permission_existed_gains_it_as_its_defaults_do() {
        // The plan owner's role as an administrator saved it before the registry of bases existed
        // (no version recorded), without the right to close plans.
        let old = r#"{"name":"plan_owner","label_zh":"计划管理","label_en":"plan owner",
            "grants":[{"perm":"read_plan","scope":"all"},{"perm":"edit_indicator","scope":"all"}],"builtin":true}"#;
        let def: RoleDef = serde_json::from_str(old).unwrap();
        assert_eq!(def.perms_version, 1);
        let t = RoleTable::with_stored(vec![def.clone()]);
        let owner = user(&["plan_owner"], None, None);
        assert!(t.allowed(&owner, &Action::ManageBases), "the new duty reaches the edited role");
        assert!(!t.allowed(&owner, &Action::ClosePlan), "what the administrator removed stays removed");
        // Saved again today, with the new permission removed: it stays removed.
        let today = RoleDef { perms_version: PERMS_VERSION, ..def };
        assert!(!RoleTable::with_stored(vec![today]).allowed(&owner, &Action::ManageBases));
    }
}
