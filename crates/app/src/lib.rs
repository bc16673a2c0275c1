//! Jiqun's use cases, shared by the web server and the CLI: opening a database (with the bootstrap
//! account and the security policy preset), sessions, the permission check, the computed view of the plans,
//! and every write a user makes. Permission comes before validation: a caller who may not act gets 403
//! whatever the input.

pub mod auth;
pub mod demo;
pub mod error;
pub mod policy;
pub mod snapshot;
pub mod usecases;

use std::collections::HashMap;
use std::sync::Arc;

use jiqun_store::{Actor, NewUser, Store};
use tokio::sync::RwLock;

pub use auth::Session;
pub use error::{AppError, AppResult};
pub use policy::{Action, allowed};
pub use snapshot::Snapshot;

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

pub struct App {
    pub store: Store,
    cache: RwLock<Option<Arc<Snapshot>>>,
    sessions: RwLock<HashMap<String, (Session, i64)>>,
    /// Rendered views (JSON documents, HTML fragments) by key, valid for one snapshot revision.
    rendered: std::sync::RwLock<HashMap<String, (i64, Arc<Vec<u8>>)>>,
}

/// What `bootstrap` did on an empty database.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    pub created_admin: bool,
    /// The generated password, to be printed once (`None` when it came from the environment).
    pub generated_password: Option<String>,
}

impl App {
    pub async fn open(url: &str) -> AppResult<App> {
        let store = Store::open(url).await?;
        Ok(App { store, cache: RwLock::new(None), sessions: RwLock::new(HashMap::new()), rendered: Default::default() })
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
                    agency: Some("省工业和信息化厅".into()),
                    city: None,
                    uscc: None,
                    must_change_password: must_change,
                },
                &actor,
            )
            .await?;
        Ok(Bootstrap { created_admin: true, generated_password: generated.then_some(password) })
    }

    /// A rendering of the snapshot at `revision`, made once and then served from memory until the data
    /// changes.
    pub fn rendered(&self, key: &str, revision: i64, make: impl FnOnce() -> Vec<u8>) -> Arc<Vec<u8>> {
        if let Ok(map) = self.rendered.read()
            && let Some((rev, bytes)) = map.get(key)
            && *rev == revision
        {
            return bytes.clone();
        }
        let bytes = Arc::new(make());
        if let Ok(mut map) = self.rendered.write() {
            map.retain(|_, (rev, _)| *rev == revision);
            map.insert(key.to_string(), (revision, bytes.clone()));
        }
        bytes
    }

    pub async fn preset(&self) -> Preset {
        match self.store.setting("policy_preset").await.ok().flatten().as_deref() {
            Some("demo") => Preset::Demo,
            _ => Preset::Production,
        }
    }
}
