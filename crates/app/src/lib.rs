//! Jiqun's use cases, shared by the web server and the CLI: opening a database (with the bootstrap
//! account and the security policy preset), sessions, the permission check, the computed view of the plans,
//! and every write a user makes. Permission comes before validation: a caller who may not act gets 403
//! whatever the input.

pub mod auth;
pub mod authz;
pub mod bases;
pub mod bulletin;
pub mod chains;
pub mod challenges;
pub mod cultivation;
pub mod demo;
pub mod desk;
pub mod error;
pub mod export;
pub mod imports;
pub mod indicators;
pub mod input;
pub mod jobs;
pub mod matching;
pub mod operations;
pub mod plans;
pub mod project_settings;
pub mod project_tracking;
pub mod projects;
pub mod registry;
pub mod schemes;
pub mod security;
pub mod snapshot;
pub mod supervision;
pub mod usecases;
pub mod users;

use std::collections::HashMap;
use std::sync::Arc;

use jiqun_store::{Actor, NewUser, Store};
use tokio::sync::RwLock;

pub use auth::Session;
pub use authz::{Action, Object, Perm, RoleDef, RoleTable, Scope};
pub use error::{AppError, AppResult, Code, Current};
pub use snapshot::{Snapshot, Stamp};

/// The records the use cases take and return. The web server and the CLI name them from here, never from
/// the store.
pub mod model {
    pub use jiqun_store::{
        AssignmentRow, AttachmentMeta, AuditRow, ChallengeStep, DesignationRow, EnterpriseFilter, EnterpriseRow,
        EvaluationRow, IndicatorEdit, NewChallenge, NewChallengeApplication, NewChallengeExpert, ObservationRow,
        PlanRow, ProjectFilter, ProposalRow, ReportInput, ReportRow, UserRow, now_ms,
    };
}

/// The security policy a database starts from (contracts §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// `jiqun demo`: nobody is forced to change a password or enrol a second factor.
    Demo,
    /// `jiqun serve`: generated and administrator-set passwords must be changed at first login.
    Production,
}

impl Preset {
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Demo => "demo",
            Preset::Production => "production",
        }
    }
}

/// A rendering and the revision it was made at.
type Rendered = (Stamp, Arc<Vec<u8>>);
/// A "what changed since" list and the revision it was read at.
type Changes = (i64, Arc<Vec<jiqun_store::AuditRow>>);

pub struct App {
    /// Storage, reached only through the use cases of this crate: the web server and the CLI do not depend
    /// on `jiqun-store` at all (ARCHITECTURE.md, "the one door").
    pub(crate) store: Store,
    cache: RwLock<Option<Arc<Snapshot>>>,
    /// Sessions by token hash, with when and at which store revision they were read (`App::session`).
    sessions: RwLock<HashMap<String, (Session, i64, i64)>>,
    /// Rendered views (JSON documents, HTML fragments) by key, valid for one snapshot revision.
    rendered: std::sync::RwLock<HashMap<String, Rendered>>,
    /// "What changed since" lists by (since, limit), valid for one revision.
    changes: std::sync::RwLock<HashMap<(i64, i64), Changes>>,
    /// The role definitions in force, valid for one revision.
    roles: std::sync::RwLock<Option<(i64, Arc<authz::RoleTable>)>>,
    /// The cultivation libraries' assessments of every firm, valid for one revision and year.
    cultivation: std::sync::RwLock<Option<(i64, i64, Arc<cultivation::Computed>)>>,
    /// The chain map's facts and analysis, valid for one revision.
    chains: std::sync::RwLock<Option<(i64, Arc<chains::Loaded>)>>,
    /// Evaluation runs' results with their firms, by run, valid for one revision (`App::run_results`).
    runs: std::sync::RwLock<HashMap<i64, (i64, Arc<registry::RunResults>)>>,
    /// Held while a run's results are read into `runs`: readers that miss together wait for that one read
    /// instead of each reading the run again (64 at once timed out under load).
    runs_loading: tokio::sync::Mutex<()>,
    /// This process among the servers sharing the database: the name its jobs are claimed under.
    server_id: String,
}

/// What `bootstrap` did on an empty database.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    pub created_admin: bool,
    /// The generated password, to be printed once (`None` when it came from the environment).
    pub generated_password: Option<String>,
}

/// Where the key file of a database is: `JIQUN_KEY_FILE`, else beside an SQLite file (`jiqun-demo.db` →
/// `jiqun-demo.keys`). A PostgreSQL database needs the variable.
pub fn key_file_path(url: &str, env_value: Option<String>) -> AppResult<std::path::PathBuf> {
    if let Some(p) = env_value.filter(|p| !p.is_empty()) {
        return Ok(p.into());
    }
    match url.strip_prefix("sqlite://") {
        Some(rest) => Ok(std::path::Path::new(rest.split('?').next().unwrap_or(rest)).with_extension("keys")),
        None if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) => {
            Err(jiqun_store::StoreError::BadUrl(url.to_string()).into())
        }
        None => Err(AppError::new(
            crate::Code::NoKeyFile,
            "请用环境变量 JIQUN_KEY_FILE 指定密钥文件（密钥不存入数据库）",
            "set JIQUN_KEY_FILE to the key file (keys are never kept in the database)",
        )),
    }
}

impl App {
    /// Opens with throw-away keys: for tests, where nothing needs to verify the audit chain later.
    pub async fn open(url: &str) -> AppResult<App> {
        let store = Store::open(url).await?;
        Ok(App::with_store(store))
    }

    /// Opens with the keys of the key file (created, mode 0600, when absent).
    pub async fn open_keyed(url: &str, key_file: &std::path::Path) -> AppResult<App> {
        // The store follows the file: a `jiqun keys rotate` run by another process is picked up without a
        // restart (see jiqun_crypto::Software).
        let crypto = jiqun_crypto::Software::from_file(key_file).map_err(|e| {
            let p = key_file.display();
            AppError::new(
                crate::Code::KeyFile,
                format!("密钥文件 {p} 无法使用"),
                format!("the key file {p} cannot be used"),
            )
            .caused_by(e)
        })?;
        let store = Store::open_with(url, Arc::new(crypto)).await?;
        Ok(App::with_store(store))
    }

    /// The store behind the application, for tests that set up or inspect storage directly.
    #[cfg(feature = "testing")]
    #[doc(hidden)]
    pub fn store_for_tests(&self) -> &Store {
        &self.store
    }

    fn with_store(store: Store) -> App {
        App {
            store,
            cache: RwLock::new(None),
            sessions: RwLock::new(HashMap::new()),
            rendered: Default::default(),
            changes: Default::default(),
            roles: Default::default(),
            cultivation: Default::default(),
            chains: Default::default(),
            runs: Default::default(),
            runs_loading: Default::default(),
            server_id: jobs::new_server_id(),
        }
    }

    /// The role definitions in force: the built-in ones with the stored changes (kept until a write).
    pub async fn role_table(&self) -> AppResult<Arc<authz::RoleTable>> {
        self.role_table_at(self.store.revision().await?.data).await
    }

    /// The role table as of `revision`, the data's (re-read when the one kept is older).
    pub(crate) async fn role_table_at(&self, revision: i64) -> AppResult<Arc<authz::RoleTable>> {
        if let Ok(r) = self.roles.read()
            && let Some((rev, t)) = r.as_ref()
            && *rev == revision
        {
            return Ok(t.clone());
        }
        let mut stored = Vec::new();
        for (name, json) in self.store.role_defs().await? {
            match serde_json::from_str::<authz::RoleDef>(&json) {
                Ok(def) if def.name == name => stored.push(def),
                // Checked when written; a row damaged since grants nothing rather than the defaults.
                _ => stored.push(authz::RoleDef {
                    name: name.clone(),
                    label_zh: name.clone(),
                    label_en: name,
                    grants: Vec::new(),
                    builtin: false,
                    perms_version: authz::PERMS_VERSION,
                }),
            }
        }
        let table = Arc::new(authz::RoleTable::with_stored(stored));
        if let Ok(mut r) = self.roles.write() {
            *r = Some((revision, table.clone()));
        }
        Ok(table)
    }

    /// On an empty database: stores the policy preset and creates `admin` (system administrator and plan
    /// owner). The password is `bootstrap_password` when given, else generated.
    pub async fn bootstrap(&self, preset: Preset, bootstrap_password: Option<String>) -> AppResult<Bootstrap> {
        if self.store.user_count().await? > 0 {
            return Ok(Bootstrap { created_admin: false, generated_password: None });
        }
        let actor = Actor::system("bootstrap");
        if self.store.setting("policy_preset").await?.is_none() {
            self.store.set_setting("policy_preset", preset.as_str(), &actor).await?;
            // The production preset: administrators log in with TOTP, passwords expire after 90 days.
            let (totp_roles, max_age) = match preset {
                Preset::Production => ("system_admin,security_admin,audit_admin", "90"),
                Preset::Demo => ("", "0"),
            };
            self.store.set_setting("totp_required_roles", totp_roles, &actor).await?;
            self.store.set_setting("password_max_age_days", max_age, &actor).await?;
            self.store.set_setting("lockout_failures", &auth::DEFAULT_MAX_FAILURES.to_string(), &actor).await?;
            self.store.set_setting("lockout_minutes", &auth::DEFAULT_LOCK_MINUTES.to_string(), &actor).await?;
            self.store.set_setting("idle_minutes", &auth::DEFAULT_IDLE_MINUTES.to_string(), &actor).await?;
        }
        let (password, generated) = match bootstrap_password.filter(|p| !p.is_empty()) {
            Some(p) => (p, false),
            None => (auth::generate_password()?, true),
        };
        let must_change = self.preset().await == Preset::Production;
        self.store
            .create_user(
                &NewUser {
                    username: "admin".into(),
                    display_name: "系统管理员".into(),
                    password_hash: auth::hash_password(&password)?,
                    roles: vec!["system_admin".into(), "plan_owner".into()],
                    agency: jiqun_domain::AgencyName::parse("省工业和信息化厅").ok(),
                    city: None,
                    uscc: None,
                    must_change_password: must_change,
                },
                &actor,
            )
            .await?;
        Ok(Bootstrap { created_admin: true, generated_password: generated.then_some(password) })
    }

    /// A rendering of the snapshot at `stamp` (`Snapshot::stamp` or `Snapshot::data_stamp`), made once and
    /// then served from memory until what it shows changes.
    pub fn rendered(&self, key: &str, stamp: Stamp, make: impl FnOnce() -> Vec<u8>) -> Arc<Vec<u8>> {
        if let Some(bytes) = self.rendered_at(key, stamp) {
            return bytes;
        }
        let bytes = Arc::new(make());
        if let Ok(mut map) = self.rendered.write() {
            // Renderings of an older revision of the same counter are gone for good.
            map.retain(|_, (made, _)| *made == stamp || !made.same_kind(stamp));
            // Per-session pages are cached too: keep the map bounded.
            if map.len() >= 4096 {
                map.clear();
            }
            map.insert(key.to_string(), (stamp, bytes.clone()));
        }
        bytes
    }

    /// The rendering `rendered` made under `key` at `stamp`, if there is one: a caller whose rendering
    /// needs more than the snapshot (further reads) asks this first and does that work only on a miss.
    pub fn rendered_at(&self, key: &str, stamp: Stamp) -> Option<Arc<Vec<u8>>> {
        let map = self.rendered.read().ok()?;
        let (made, bytes) = map.get(key)?;
        (*made == stamp).then(|| bytes.clone())
    }

    pub async fn preset(&self) -> Preset {
        match self.store.setting("policy_preset").await.ok().flatten().as_deref() {
            Some("demo") => Preset::Demo,
            _ => Preset::Production,
        }
    }
}
