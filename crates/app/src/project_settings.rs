//! Settings of key projects the plan owner edits: where each kind of problem goes (企业直通车) and in how many
//! days it is due. Stored as one JSON value under the setting `project.routing`; a kind missing there (or a
//! stored value that no longer reads) takes Jiqun's default (`ProblemKind::routing`).

use std::collections::BTreeMap;

use jiqun_domain::projects::ProblemKind;
use jiqun_eval::definition::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::invalid_fields;
use crate::input::registered_department;
use crate::{Action, App, AppError, AppResult, Object, Session};

/// The setting that holds the routing.
const ROUTING_KEY: &str = "project.routing";

/// Where problems of one kind go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ProjectRoutingRule)]
pub struct RoutingRule {
    /// The department (its short name in the registry, e.g. `省自然资源厅`).
    pub department: String,
    /// Days to answer (1–365); a fast-lane project gets half, at least two.
    pub days: i64,
}

/// The routing of problems per kind (`land`, `energy`, `power`, `finance`, `approval`, `talent`, `other`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ProjectRouting)]
pub struct ProblemRouting {
    /// Each kind's department and days; in a change, a kind left out keeps its setting.
    pub routing: BTreeMap<String, RoutingRule>,
}

impl ProblemRouting {
    /// Jiqun's defaults.
    pub fn defaults() -> ProblemRouting {
        let routing = ProblemKind::ALL
            .iter()
            .map(|k| {
                let (department, days) = k.routing();
                (k.as_str().to_string(), RoutingRule { department: department.into(), days: i64::from(days) })
            })
            .collect();
        ProblemRouting { routing }
    }

    /// The department and days (before the fast lane halves them) of a kind.
    pub fn rule(&self, kind: ProblemKind) -> (String, u32) {
        match self.routing.get(kind.as_str()) {
            Some(r) => (r.department.clone(), u32::try_from(r.days).unwrap_or(1)),
            None => {
                let (department, days) = kind.routing();
                (department.to_string(), days)
            }
        }
    }

    /// The deadline in days of a problem of `kind` on a project (on the fast lane or not).
    pub fn deadline_days(&self, kind: ProblemKind, fast_lane: bool) -> u32 {
        jiqun_domain::projects::deadline_days(self.rule(kind).1, fast_lane)
    }
}

impl App {
    /// The routing in force (stored, or the defaults).
    pub(crate) async fn routing_in_force(&self) -> AppResult<ProblemRouting> {
        let mut out = ProblemRouting::defaults();
        let stored = self.store.setting(ROUTING_KEY).await?;
        if let Some(stored) = stored.and_then(|json| serde_json::from_str::<ProblemRouting>(&json).ok()) {
            for (kind, rule) in stored.routing {
                if ProblemKind::parse(&kind).is_some() {
                    out.routing.insert(kind, rule);
                }
            }
        }
        Ok(out)
    }

    /// The routing of problems, for those who read projects.
    pub async fn problem_routing(&self, session: &Session) -> AppResult<ProblemRouting> {
        if session.roles.scopes(&session.user, crate::Perm::ReadProjects).is_empty() {
            return Err(AppError::forbidden());
        }
        self.routing_in_force().await
    }

    /// Changes the routing (the plan owner: `manage_projects` everywhere; a city bureau may not change the
    /// province's routing). Each department must be a registered one, each number of days 1–365; every
    /// error names its field (`routing[land].department`). Audited as a setting, with before and after.
    pub async fn set_problem_routing(
        &self,
        session: &Session,
        input: &ProblemRouting,
        ip: &str,
    ) -> AppResult<ProblemRouting> {
        session.require(&Action::ManageProjects(Object::default()))?;
        let mut errors = Vec::new();
        let mut out = self.routing_in_force().await?;
        for (kind, rule) in &input.routing {
            let field = |what: &str| format!("routing[{kind}]{what}");
            if ProblemKind::parse(kind).is_none() {
                errors.push(FieldError::new(
                    field(""),
                    format!("“{kind}”不是问题类别，可选：land、energy、power、finance、approval、talent、other"),
                    format!("“{kind}” is not a kind of problem; one of: land, energy, power, finance, approval, talent, other"),
                ));
                continue;
            }
            let department = registered_department(field(".department"), &rule.department).unwrap_or_else(|e| {
                errors.push(e);
                String::new()
            });
            if !(1..=365).contains(&rule.days) {
                errors.push(FieldError::new(
                    field(".days"),
                    format!("{} 不在 1 至 365 天之间", rule.days),
                    format!("{} is not between 1 and 365 days", rule.days),
                ));
            }
            out.routing.insert(kind.clone(), RoutingRule { department, days: rule.days });
        }
        if !errors.is_empty() {
            return Err(invalid_fields(&errors));
        }
        let json = serde_json::to_string(&out).map_err(AppError::internal)?;
        self.store.set_setting(ROUTING_KEY, &json, &session.actor(ip)).await?;
        Ok(out)
    }
}

/// Who tracks and serves a project library (跟踪服务).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ProjectLibraryTrackers)]
pub struct LibraryTrackers {
    /// Departments (registered ones; stored by their short names, e.g. `省工业和信息化厅`).
    #[serde(default)]
    pub departments: Vec<String>,
    /// Officials: usernames of existing accounts.
    #[serde(default)]
    pub officials: Vec<String>,
}

/// At most this many departments, and as many officials, per library.
const MAX_TRACKERS: usize = 20;

impl App {
    /// Each project library's trackers, by library id.
    pub(crate) async fn library_trackers(&self) -> AppResult<std::collections::HashMap<String, LibraryTrackers>> {
        Ok(self
            .store
            .library_trackers()
            .await?
            .into_iter()
            .map(|r| (r.id, LibraryTrackers { departments: r.tracking_departments, officials: r.tracking_officials }))
            .collect())
    }

    /// Sets who tracks a project library (the plan owner: `manage_projects` everywhere): each department must be
    /// a registered one, each official an existing account's username; an unknown one is 422 naming it and its
    /// field (`departments[1]`). Repeats are dropped. Returns what is stored.
    pub async fn set_library_trackers(
        &self,
        session: &Session,
        id: &str,
        input: &LibraryTrackers,
        ip: &str,
    ) -> AppResult<LibraryTrackers> {
        session.require(&Action::ManageProjects(Object::default()))?;
        if !self.store.project_libraries().await?.iter().any(|l| l.id == id) {
            return Err(AppError::not_found(format!("没有项目库“{id}”"), format!("no project library “{id}”")));
        }
        let mut errors = Vec::new();
        let mut out = LibraryTrackers::default();
        for (i, name) in input.departments.iter().enumerate() {
            match registered_department(format!("departments[{i}]"), name) {
                Err(e) => errors.push(e),
                Ok(department) if !out.departments.contains(&department) => out.departments.push(department),
                Ok(_) => {}
            }
        }
        for (i, name) in input.officials.iter().enumerate() {
            let name = name.trim();
            if name.is_empty() || self.store.user_by_name(name).await?.is_none() {
                errors.push(FieldError::new(
                    format!("officials[{i}]"),
                    format!("没有用户“{name}”"),
                    format!("no account “{name}”"),
                ));
            } else if !out.officials.iter().any(|o| o == name) {
                out.officials.push(name.to_string());
            }
        }
        for (field, n) in [("departments", out.departments.len()), ("officials", out.officials.len())] {
            if n > MAX_TRACKERS {
                errors.push(FieldError::new(
                    field,
                    format!("至多 {MAX_TRACKERS} 个"),
                    format!("at most {MAX_TRACKERS}"),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(invalid_fields(&errors));
        }
        self.store.set_library_trackers(id, &out.departments, &out.officials, &session.actor(ip)).await?;
        Ok(out)
    }
}
