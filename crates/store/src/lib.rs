//! Jiqun's storage: one `Store` over SQLite (the embedded default, in WAL mode) and PostgreSQL, picked by
//! the URL's scheme (`sqlite://PATH`, `postgres://…`). Queries are written once (`$1` placeholders work on
//! both); the migrations differ only in a few type names (see `schema`). Every write runs in a transaction
//! that also bumps the revision counter (so a running server notices changes made by the CLI at once) and
//! appends its audit record.

pub mod backup;
mod bases;
mod chains;
mod challenges;
mod cultivation;
mod enterprises;
mod imports;
mod jobs;
mod matching;
pub mod model;
mod plans;
mod project_settings;
mod project_tracking;
mod projects;
mod reports;
mod schema;
pub mod testing;
mod users;

use jiqun_domain::audit::AuditAction;
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Row, Transaction};

pub use bases::{BaseRow, Derived, NewBase};
pub use chains::{ChainBaseRow, ChainFirmRow, NodeFactRow, TextMapRow, VocabularyRow};
pub use challenges::{
    ChallengeApplicationRow, ChallengeAttachmentMeta, ChallengeExpertRow, ChallengeMilestoneRow, ChallengeReviewRow,
    ChallengeRow, ChallengeStep, NewChallenge, NewChallengeApplication, NewChallengeExpert,
};
pub use cultivation::{DesignationRow, NewProposal, ProposalRow};
pub use enterprises::{
    EnterpriseFilter, EnterpriseRow, EvaluationRow, FigureSetInput, FigureSetRow, ImportFirm, ImportPart,
    NewEnterprise, ResultRow, enterprise_contact_context, figure_context, figure_set_clear, figure_set_context,
    figure_set_values, result_items_context,
};
pub use imports::{ImportWrite, ImportedFile};
pub use jobs::JobRow;
pub use matching::{
    MATCH_SETTINGS_KEY, MatchMeetingRow, MatchNeedRow, MatchProductRow, NewMatchMeeting, NewMatchNeed, NewMatchProduct,
};
pub use model::*;
pub use project_settings::LibraryTrackersRow;
pub use project_tracking::{MilestoneRow, NewProgress, NewTracking, ProgressRow, TrackingRow};
pub use projects::{NewProject, ProblemRow, ProjectFilter, ProjectLibraryRow, ProjectRow, StageChangeRow, StageMove};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug)]
pub enum StoreError {
    /// The URL is neither `sqlite://…` nor `postgres://…`.
    BadUrl(String),
    Db(sqlx::Error),
    NotFound(Missing),
    /// A uniqueness or state rule refused the write.
    Conflict(Clash),
    /// A backup cannot be written, or a file cannot be restored.
    Backup(BackupFault),
    /// Stored data or a key that cannot be read or sealed: a fault of the installation, not of the request.
    Corrupt(String),
}

/// What a lookup did not find. The application says it in the user's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    Plan(i64),
    Indicator(i64),
    Report(i64),
    User(i64),
    Enterprise(i64),
    Designation {
        uscc: String,
        library: String,
        chain: String,
    },
    Base(i64),
    Project(i64),
    Problem(i64),
    /// No progress of that project for that period.
    Progress {
        project: i64,
        period: String,
    },
    Milestone(i64),
    Challenge(i64),
    ChallengeApplication(i64),
    ChallengeAttachment(i64),
    MatchProduct(i64),
    MatchNeed(i64),
    MatchMeeting(i64),
}

/// Why a write was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clash {
    /// The report of that period has been accepted: it no longer changes.
    ReportAccepted,
    /// Only a submitted report can be reviewed.
    ReportNotSubmitted {
        state: String,
    },
    UserExists(String),
    AlreadyDesignated {
        uscc: String,
        library: String,
        chain: String,
    },
    /// A base of that name, kind and level is registered already (its id).
    BaseExists {
        name: String,
        id: i64,
    },
    /// The base's recognition was withdrawn on that day.
    BaseWithdrawn {
        on: String,
    },
    /// Someone moved the problem on first (answered, closed or reopened it).
    ProblemMoved,
    /// A period's cumulative investment (`submitted`, 万元) would go below an earlier period's accepted
    /// cumulative (`later` false) or above a later one's (`later` true).
    CumulativeOrder {
        submitted: String,
        period: String,
        accepted: String,
        later: bool,
    },
    /// Whoever filed a report does not accept it.
    OwnReport,
    /// The milestone was done already, on that day.
    MilestoneDone {
        on: String,
    },
    /// The challenge is not (or no longer) in the state the write needs: its state now.
    ChallengeState {
        state: String,
    },
    /// The organisation has applied for the challenge already.
    AlreadyApplied,
    /// The expert is on the challenge's panel already.
    ExpertOnPanel,
    /// The expert handed the review in already: it no longer changes.
    ReviewSubmitted,
    /// The record changed since the caller read it: its current version.
    Stale {
        current: i64,
    },
    /// Another server took the job over (this one was thought dead): its result is not committed twice.
    JobTakenOver {
        job: i64,
    },
}

/// What went wrong with a backup or a restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupFault {
    /// Writing the backup failed (the I/O error's text).
    Write(String),
    /// The file is empty or not a backup.
    NotABackup,
    /// The backup comes from another schema version.
    Schema { found: String, want: i64 },
    /// A line that is not what the format says (with the technical cause).
    Malformed { line: usize, cause: String },
    /// A restore goes into an empty database only.
    NotEmpty,
}

/// What kind of database failure an error is, for a message people can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbProblem {
    /// The server cannot be reached (I/O, the pool timed out or closed).
    Unreachable,
    /// The URL or its options are wrong, or TLS failed.
    Configuration,
    Migration,
    /// A uniqueness, foreign-key or check constraint.
    Constraint,
    /// The database takes no writes: a read-only file or mount (SQLite), a read-only transaction or a
    /// standby (PostgreSQL).
    ReadOnly,
    /// The disk holding the database is full.
    Full,
    /// An SQLite file that cannot be opened for writing: its folder is missing or not writable, or it is on
    /// a read-only file system.
    CannotOpen,
    Other,
}

impl StoreError {
    /// The kind of a database failure (`None` for the other errors).
    pub fn db_problem(&self) -> Option<DbProblem> {
        let StoreError::Db(e) = self else { return None };
        Some(match e {
            sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ReadOnlyFilesystem => DbProblem::ReadOnly,
            sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::StorageFull => DbProblem::Full,
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => DbProblem::Unreachable,
            sqlx::Error::Configuration(_) | sqlx::Error::Tls(_) => DbProblem::Configuration,
            sqlx::Error::Migrate(_) => DbProblem::Migration,
            sqlx::Error::Database(d)
                if d.is_unique_violation() || d.is_foreign_key_violation() || d.is_check_violation() =>
            {
                DbProblem::Constraint
            }
            sqlx::Error::Database(d) => {
                let code = d.code().unwrap_or_default();
                // PostgreSQL's codes are SQLSTATEs, always five characters (often all digits); SQLite's
                // are numbers below 10000, whose low byte is the primary code.
                let sqlite = (code.len() < 5).then(|| code.parse::<u32>().ok().map(|c| c & 0xff)).flatten();
                match (sqlite, code.as_ref()) {
                    (Some(8), _) | (None, "25006") => DbProblem::ReadOnly,
                    (Some(13), _) | (None, "53100") => DbProblem::Full,
                    (Some(14), _) => DbProblem::CannotOpen,
                    // Connection exceptions (08…), and a server shutting down, crashed or starting up
                    // (57P01 to 57P03).
                    (None, c) if c.starts_with("08") || c.starts_with("57P") => DbProblem::Unreachable,
                    _ => DbProblem::Other,
                }
            }
            _ => DbProblem::Other,
        })
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::BadUrl(u) => write!(f, "database URL “{u}” is neither sqlite://PATH nor postgres://…"),
            StoreError::Db(e) => write!(f, "database error: {e}"),
            StoreError::NotFound(what) => write!(f, "not found: {what:?}"),
            StoreError::Conflict(what) => write!(f, "conflict: {what:?}"),
            StoreError::Backup(what) => write!(f, "backup: {what:?}"),
            StoreError::Corrupt(what) => write!(f, "{what}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Db(e)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Who does something, for the audit log.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
    pub ip: String,
}

impl Actor {
    pub fn system(name: &str) -> Actor {
        Actor { id: None, name: name.to_string(), ip: String::new() }
    }
}

/// The store's two revision counters, read together: caches compare the one their contents depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    /// Moves with every write, by any process.
    pub all: i64,
    /// Moves with every write but those that change progress reports alone (`Store::begin_report_write`):
    /// what the plans' figures, the registry, the users and the roles are read at.
    pub data: i64,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// Chains the audit log (HMAC-SM3 under the key file's audit key).
    crypto: std::sync::Arc<dyn jiqun_crypto::Crypto>,
    backend: Backend,
    /// For SQLite: the database file, whose WAL and main file change on every commit by any process.
    sqlite_path: Option<std::path::PathBuf>,
    /// The file marker and revision last read, so an unchanged file answers without a query.
    last_seen: std::sync::Arc<std::sync::Mutex<Option<(FileMarker, Revision)>>>,
    /// For PostgreSQL: changes announced by `NOTIFY jiqun_revision` (every write transaction sends one).
    notified: Option<std::sync::Arc<Notified>>,
    /// The read of the revision counter that requests arriving together share (`revision_now`).
    reads: std::sync::Arc<SharedReads>,
    /// The audit chain's last hash as this process's last audited commit left it, with the revision of
    /// every write that commit moved the counter to. Every transaction that appends a record moves the
    /// counter by one, so a transaction that moves it to the next value knows that no process has
    /// appended since, and takes the hash from here instead of reading the chain's end.
    chain_head: std::sync::Arc<std::sync::Mutex<Option<(i64, String)>>>,
    /// SQLite: the writers' own pool of one connection, for which this process's writers take turns in the
    /// order they came. SQLite writes one transaction at a time; when writers took connections from the
    /// readers' pool, each waited inside SQLite's busy handler holding one (sleeping and polling, up to
    /// 100 ms a time), readers found none free, and the writer whose turn it was queued behind readers for
    /// a connection (docs/benchmarks.md, "Load").
    writes: Option<AnyPool>,
}

/// Reads of the revision counter, numbered in the order they start; the last one's value is published to
/// whoever waits. A caller is answered by the first read that starts after it arrived, so it sees every
/// commit made before it asked, yet a burst of callers costs one query, not one each.
struct SharedReads {
    state: std::sync::Mutex<ReadState>,
    /// (number of the read, its value; `None` when it failed or was abandoned).
    published: tokio::sync::watch::Sender<(u64, Option<Revision>)>,
}

#[derive(Default)]
struct ReadState {
    /// How many reads have started.
    started: u64,
    /// Whether one is under way.
    running: bool,
}

impl SharedReads {
    /// The state; two counters that no panic can leave half-written, so a poisoned lock is still good.
    fn state(&self) -> std::sync::MutexGuard<'_, ReadState> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The number the next read to start will have.
    fn next_number(&self) -> u64 {
        self.state().started + 1
    }

    /// Starts a read if none is under way, and gives its number.
    fn take_turn(&self) -> Option<u64> {
        let mut st = self.state();
        if st.running {
            return None;
        }
        st.running = true;
        st.started += 1;
        Some(st.started)
    }
}

impl Default for SharedReads {
    fn default() -> Self {
        SharedReads { state: Default::default(), published: tokio::sync::watch::Sender::new((0, None)) }
    }
}

/// Ends a shared read: publishes its value, or `None` if the read's caller went away before it finished
/// (its waiters then read for themselves).
struct ReadTurn<'a> {
    reads: &'a SharedReads,
    number: u64,
    value: Option<Revision>,
}

impl Drop for ReadTurn<'_> {
    fn drop(&mut self) {
        // The turn is given up before the value is published, so that a waiter woken by it finds no read
        // under way and starts one if it needs a later one. A read started meanwhile may publish first:
        // a value is published only over an older one.
        self.reads.state().running = false;
        let (number, value) = (self.number, self.value);
        self.reads.published.send_if_modified(|seen| {
            let newer = number > seen.0;
            if newer {
                *seen = (number, value);
            }
            newer
        });
    }
}

/// What the PostgreSQL listener has seen: a counter of notifications, and whether it is listening now
/// (while it is not, every revision check queries the database).
#[derive(Default, Debug)]
struct Notified {
    generation: std::sync::atomic::AtomicU64,
    healthy: std::sync::atomic::AtomicBool,
}

/// SQLite: checkpoints the write-ahead log every half second, beside the writers, for as long as the pool
/// is open (`wal_autocheckpoint` is off: see `SQLITE_PRAGMAS`).
fn spawn_checkpoints(pool: AnyPool) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            if pool.is_closed() {
                return;
            }
            // PASSIVE: copies what no reader still needs, never waits for readers or writers.
            let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await;
        }
    });
}

/// Listens for `jiqun_revision` notifications for as long as the process runs, reconnecting after a loss
/// (during which the store falls back to querying the counter).
fn spawn_listener(url: String, n: std::sync::Arc<Notified>) {
    use std::sync::atomic::Ordering::SeqCst;
    tokio::spawn(async move {
        loop {
            let listener = async {
                let mut l = sqlx::postgres::PgListener::connect(&url).await?;
                l.listen("jiqun_revision").await?;
                Ok::<_, sqlx::Error>(l)
            }
            .await;
            if let Ok(mut l) = listener {
                n.generation.fetch_add(1, SeqCst);
                n.healthy.store(true, SeqCst);
                // `try_recv` answers None when the connection was lost: notifications may have been missed.
                while let Ok(Some(_)) = l.try_recv().await {
                    n.generation.fetch_add(1, SeqCst);
                }
            }
            n.healthy.store(false, SeqCst);
            n.generation.fetch_add(1, SeqCst);
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    });
}

/// Size and modification time (ns) of the SQLite database and its WAL.
type FileMarker = [(u64, u128); 2];

fn file_marker(path: &std::path::Path) -> Option<FileMarker> {
    let stamp = |p: &std::path::Path| -> Option<(u64, u128)> {
        let m = std::fs::metadata(p).ok()?;
        let t = m.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
        Some((m.len(), t))
    };
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    Some([stamp(path)?, stamp(std::path::Path::new(&wal)).unwrap_or((0, 0))])
}

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// A write transaction (`Store::begin`), on the writers' own connection where the database has one writer
/// at a time (SQLite). Statements run on it as on sqlx's transaction (`&mut *tx`); it ends with
/// `Store::commit` or `rollback`, or rolls back when dropped.
pub struct Tx {
    inner: Transaction<'static, Any>,
    /// The revision of every write this transaction moved the counter to (`None`: it moved none).
    revision: Option<i64>,
    /// The hash of the last audit record this transaction appended.
    head: Option<String>,
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}

impl Tx {
    pub async fn rollback(self) -> Result<()> {
        Ok(self.inner.rollback().await?)
    }
}

/// The revision bump that opens a write transaction: both counters (`Store::begin`), or only that of every
/// write (`Store::begin_report_write`, `Store::audit_event`).
const MOVE_BOTH: &str = "UPDATE revision SET n = n + 1, d = d + 1 WHERE id = 1 RETURNING n";
const MOVE_ALL: &str = "UPDATE revision SET n = n + 1 WHERE id = 1 RETURNING n";

/// How long a writer waits for its turn before it gives up, as SQLite's own `busy_timeout` would.
const WRITE_TURN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({:?})", self.backend)
    }
}

/// One audit record's fields in the order the chain hashes them.
fn audit_record(id: i64, r: &AuditRow, prev: &str) -> String {
    serde_json::json!([
        id,
        r.at,
        r.actor,
        r.actor_id,
        r.ip,
        r.action,
        r.object_type,
        r.object_id,
        r.success,
        r.detail,
        prev
    ])
    .to_string()
}

/// What `verify_audit` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditCheck {
    Intact {
        records: usize,
    },
    /// The first record that does not fit the chain, and why.
    Broken {
        id: i64,
        reason: String,
    },
}

impl Store {
    /// Opens with fresh, throw-away keys (tests, and tools that write no audit record worth verifying).
    pub async fn open(url: &str) -> Result<Store> {
        let keys = jiqun_crypto::KeyFile::generate().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Store::open_with(url, std::sync::Arc::new(jiqun_crypto::Software::new(keys))).await
    }

    /// Opens (creating an SQLite file if absent) and migrates.
    pub async fn open_with(url: &str, crypto: std::sync::Arc<dyn jiqun_crypto::Crypto>) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if let Some(path) = url.strip_prefix("sqlite://") {
            let url = if path.contains('?') { url.to_string() } else { format!("sqlite://{path}?mode=rwc") };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StoreError::BadUrl(url.to_string()));
        };
        const SQLITE_PRAGMAS: [&str; 5] = [
            "PRAGMA journal_mode = WAL",
            "PRAGMA busy_timeout = 10000",
            "PRAGMA foreign_keys = ON",
            "PRAGMA synchronous = NORMAL",
            // Checkpoints are not run by the commit that fills the log (with the log's flush to disk, in
            // the writers' turn) but beside the writers (`spawn_checkpoints`).
            "PRAGMA wal_autocheckpoint = 0",
        ];
        let mut opts = AnyPoolOptions::new().max_connections(if backend == Backend::Sqlite { 8 } else { 16 });
        if backend == Backend::Sqlite {
            // One connection first, so that a file that cannot be opened for writing (a read-only file
            // system, a full disk) says so at once; the pool would retry it until its timeout and then
            // report only the timeout.
            use sqlx::Connection;
            // SQLite itself falls back to reading a file it may not write, and then waits on locks it
            // cannot take: ask the file system first.
            if let Some(path) = url["sqlite://".len()..].split('?').next().filter(|p| std::path::Path::new(p).exists())
                && let Err(e) = std::fs::OpenOptions::new().append(true).open(path)
            {
                return Err(StoreError::Db(sqlx::Error::Io(e)));
            }
            let mut probe = sqlx::AnyConnection::connect(&url).await?;
            for pragma in SQLITE_PRAGMAS {
                sqlx::query(pragma).execute(&mut probe).await?;
            }
            probe.close().await?;
            // A connection to a local file does not go away: no ping before each use (a round trip to the
            // connection's thread, on every read and in every writer's turn).
            opts = opts.test_before_acquire(false).after_connect(|conn, _| {
                Box::pin(async move {
                    for pragma in SQLITE_PRAGMAS {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            });
        }
        // SQLite writes one transaction at a time: its writers take turns for a pool of one connection of
        // their own, in the order they came.
        let writes = match backend {
            Backend::Sqlite => {
                Some(opts.clone().max_connections(1).acquire_timeout(WRITE_TURN_WAIT).connect(&url).await?)
            }
            Backend::Postgres => None,
        };
        let pool = opts.connect(&url).await?;
        if backend == Backend::Sqlite {
            spawn_checkpoints(pool.clone());
        }
        let sqlite_path = (backend == Backend::Sqlite).then(|| {
            let rest = &url["sqlite://".len()..];
            std::path::PathBuf::from(rest.split('?').next().unwrap_or(rest))
        });
        let notified = (backend == Backend::Postgres).then(|| {
            let n = std::sync::Arc::new(Notified::default());
            spawn_listener(url.clone(), n.clone());
            n
        });
        let store = Store {
            pool,
            crypto,
            backend,
            sqlite_path,
            last_seen: Default::default(),
            notified,
            reads: Default::default(),
            writes,
            chain_head: Default::default(),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// The cryptography this store was opened with (for sealing fields before they are stored).
    pub fn crypto(&self) -> &dyn jiqun_crypto::Crypto {
        self.crypto.as_ref()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Runs a query and reads every row it returns as `T`.
    pub(crate) async fn all<T: model::FromRow>(&self, q: Query<'_>) -> Result<Vec<T>> {
        q.fetch_all(&self.pool).await?.iter().map(T::from_row).collect()
    }

    /// Runs a query and reads the row it returns, if any, as `T`.
    pub(crate) async fn one<T: model::FromRow>(&self, q: Query<'_>) -> Result<Option<T>> {
        q.fetch_optional(&self.pool).await?.as_ref().map(T::from_row).transpose()
    }

    /// The row of `T`'s table with this id; `missing(id)` when there is none.
    pub(crate) async fn by_id<T: model::Table>(&self, id: i64, missing: fn(i64) -> Missing) -> Result<T> {
        let query = T::select(&format!("WHERE {} = $1", T::ID)).bind(id);
        self.one(query).await?.ok_or(StoreError::NotFound(missing(id)))
    }

    async fn migrate(&self) -> Result<()> {
        migrate_to(&self.pool, self.backend, i64::MAX).await?;
        // On PostgreSQL the local notification count moves, as after any commit of this process.
        if let Some(n) = &self.notified {
            n.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(())
    }

    /// A write transaction: moves both revision counters first (which also takes SQLite's write lock early).
    pub async fn begin(&self) -> Result<Tx> {
        self.begin_moving(MOVE_BOTH).await
    }

    /// A write transaction that changes progress reports alone (filing, review, evidence): moves only the
    /// counter of every write (`Revision::all`), so that what does not show reports stays cached
    /// (`Revision::data`). Writers take turns on the same row as with `begin`.
    pub async fn begin_report_write(&self) -> Result<Tx> {
        self.begin_moving(MOVE_ALL).await
    }

    async fn begin_moving(&self, bump: &'static str) -> Result<Tx> {
        let mut tx = self.begin_turn().await?;
        tx.revision = Some(sqlx::query_scalar(bump).fetch_one(&mut *tx).await?);
        if self.backend == Backend::Postgres {
            // Delivered at commit, to every server listening (see `spawn_listener`).
            sqlx::query("NOTIFY jiqun_revision").execute(&mut *tx).await?;
        }
        Ok(tx)
    }

    /// A transaction that will write, begun in this process's turn (SQLite) and moving no counter: the
    /// callers that write without changing what caches hold (a session's last use) and a restore, which
    /// writes the counters itself.
    pub(crate) async fn begin_turn(&self) -> Result<Tx> {
        let inner = self.writes.as_ref().unwrap_or(&self.pool).begin().await?;
        Ok(Tx { inner, revision: None, head: None })
    }

    /// Commits a write transaction. On PostgreSQL the local notification count moves at once, so this
    /// process reads its own writes without waiting for the notification to come back.
    pub async fn commit(&self, tx: Tx) -> Result<()> {
        tx.inner.commit().await?;
        if let (Some(revision), Some(head)) = (tx.revision, tx.head)
            && let Ok(mut kept) = self.chain_head.lock()
        {
            *kept = Some((revision, head));
        }
        if let Some(n) = &self.notified {
            n.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(())
    }

    /// What tells, without a query, that nothing was committed since the last look: the SQLite files'
    /// size and time, or the PostgreSQL listener's notification count while it is listening.
    fn change_marker(&self) -> Option<FileMarker> {
        if let Some(p) = &self.sqlite_path {
            return file_marker(p);
        }
        let n = self.notified.as_ref()?;
        if !n.healthy.load(std::sync::atomic::Ordering::SeqCst) {
            return None;
        }
        Some([(n.generation.load(std::sync::atomic::Ordering::SeqCst), 0), (0, 0)])
    }

    /// The revision counter: changes whenever anything is written, by this process or another. On SQLite
    /// every commit, by any process, changes the WAL or the database file; on PostgreSQL every commit sends
    /// a notification. While neither says anything changed since the last read, no query is needed.
    pub async fn revision(&self) -> Result<Revision> {
        // Read the marker before the query: a commit after it moves the marker, so the next call re-reads.
        let marker = self.change_marker();
        if let Some(m) = marker
            && let Ok(seen) = self.last_seen.lock()
            && let Some((seen_marker, rev)) = *seen
            && seen_marker == m
        {
            return Ok(rev);
        }
        let rev = self.read_revision().await?;
        if let Some(m) = marker
            && let Ok(mut seen) = self.last_seen.lock()
        {
            *seen = Some((m, rev));
        }
        Ok(rev)
    }

    /// The revision counter as the database has it this instant, without the shortcut of `revision`: on
    /// PostgreSQL that learns of other servers' commits by a notification, which can arrive a few
    /// milliseconds after the commit. What must take effect at once on every server (a logout, a lock-out, a
    /// role taken away) is checked against this.
    ///
    /// Callers that arrive while a read is under way share the next one: each is answered by a read that
    /// started after it called (so it sees every commit made before), and a burst of requests makes one
    /// query instead of one each.
    pub async fn revision_now(&self) -> Result<Revision> {
        let reads = &*self.reads;
        let mut published = reads.published.subscribe();
        // Reads numbered up to `started` may have begun before this call; the next one cannot have.
        let wanted = reads.next_number();
        loop {
            let (number, value) = *published.borrow_and_update();
            if number >= wanted {
                return match value {
                    Some(v) => Ok(v),
                    None => self.read_revision().await,
                };
            }
            match reads.take_turn() {
                Some(number) => {
                    let mut turn = ReadTurn { reads, number, value: None };
                    let read = self.read_revision().await;
                    turn.value = read.as_ref().ok().copied();
                    return read;
                }
                None => {
                    if published.changed().await.is_err() {
                        return self.read_revision().await;
                    }
                }
            }
        }
    }

    async fn read_revision(&self) -> Result<Revision> {
        let row = sqlx::query("SELECT n, d FROM revision WHERE id = 1").fetch_one(&self.pool).await?;
        Ok(Revision { all: get(&row, "n")?, data: get(&row, "d")? })
    }

    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(&self.pool).await?)
    }

    /// Replaces a setting's value inside a write transaction (its caller audits it).
    pub(crate) async fn put_setting(&self, tx: &mut Tx, key: &str, value: &str) -> Result<()> {
        sqlx::query("DELETE FROM settings WHERE key = $1").bind(key).execute(&mut **tx).await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
            .bind(key)
            .bind(value)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    pub async fn set_setting(&self, key: &str, value: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        self.put_setting(&mut tx, key, value).await?;
        let detail = serde_json::json!({ "value": value });
        self.commit_audited(tx, actor, AuditAction::SettingSet, "setting", key, &detail).await
    }

    /// Records an event that has no write of its own (a failed login), in its own transaction.
    pub async fn audit_event(
        &self,
        actor: &Actor,
        action: AuditAction,
        object_type: &str,
        object_id: &str,
        success: bool,
        detail: &serde_json::Value,
    ) -> Result<()> {
        // The record's place in the chain is read, then the record written: like every write, this first
        // takes the revision row, so that writers take turns. Without it, on SQLite a write committed
        // between the read and the insert made the insert fail at once with "database is locked" (an
        // export answered 500 beside a concurrent write), and on PostgreSQL two such records could name
        // the same predecessor, forking the chain. It moves the counter of every write (not the data's),
        // as every transaction that appends to the chain must (see `chain_head`).
        let mut tx = self.begin_moving(MOVE_ALL).await?;
        self.audit(&mut tx, actor, action, object_type, object_id, success, detail).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Ends a successful write: appends its audit record in the transaction and commits the two together.
    pub(crate) async fn commit_audited(
        &self,
        mut tx: Tx,
        actor: &Actor,
        action: AuditAction,
        object_type: &str,
        object_id: &str,
        detail: &serde_json::Value,
    ) -> Result<()> {
        self.audit(&mut tx, actor, action, object_type, object_id, true, detail).await?;
        self.commit(tx).await
    }

    /// Successful writes after a moment, newest first (for "what changed since you were last here"); an
    /// export, which changes nothing, is not one.
    pub async fn audit_since(&self, since: i64, limit: i64) -> Result<Vec<AuditRow>> {
        self.all::<AuditRow>(
            sqlx::query(
                "SELECT id, at, actor, actor_id, ip, action, object_type, object_id, success, detail FROM audit_log \
             WHERE at > $1 AND success = 1 AND action NOT LIKE 'auth.%' AND action NOT LIKE 'export.%' ORDER BY id DESC LIMIT $2",
            )
            .bind(since)
            .bind(limit),
        )
        .await
    }

    /// Appends an audit record inside the caller's transaction, so the record and the change it describes
    /// commit or fail together. Each record carries the previous record's hash and its own, an HMAC-SM3
    /// over its fields and that previous hash: editing, deleting or reordering records breaks the chain.
    /// Writers are serialised by the revision update that opens every write transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn audit(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        action: AuditAction,
        object_type: &str,
        object_id: &str,
        success: bool,
        detail: &serde_json::Value,
    ) -> Result<()> {
        let prev = match self.chain_end(tx) {
            Some(h) => h,
            None => {
                let last: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
                    .fetch_optional(&mut **tx)
                    .await?;
                match last {
                    Some(h) => h,
                    None => self.audit_anchor_in(tx).await?,
                }
            }
        };
        let row = AuditRow {
            id: 0,
            at: now_ms(),
            actor: actor.name.clone(),
            actor_id: actor.id,
            ip: actor.ip.clone(),
            action: action.as_str().to_string(),
            object_type: object_type.to_string(),
            object_id: object_id.to_string(),
            success,
            detail: detail.to_string(),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO audit_log (at, actor, actor_id, ip, action, object_type, object_id, success, detail, prev_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(row.at)
        .bind(&row.actor)
        .bind(row.actor_id)
        .bind(&row.ip)
        .bind(&row.action)
        .bind(&row.object_type)
        .bind(&row.object_id)
        .bind(row.success as i64)
        .bind(&row.detail)
        .bind(&prev)
        .fetch_one(&mut **tx)
        .await?;
        let hash = self.crypto.audit_mac(audit_record(id, &row, &prev).as_bytes());
        sqlx::query("UPDATE audit_log SET hash = $1 WHERE id = $2").bind(&hash).bind(id).execute(&mut **tx).await?;
        tx.head = Some(hash);
        Ok(())
    }

    /// Forgets the chain's end kept from this process's last audited commit (a restore replaced the chain).
    pub(crate) fn forget_chain_end(&self) {
        if let Ok(mut kept) = self.chain_head.lock() {
            *kept = None;
        }
    }

    /// The chain's last hash without reading it, where that is known: the record this transaction appended
    /// last, or the one this process's last audited commit left when this transaction's revision is the
    /// next one (no process has appended since).
    fn chain_end(&self, tx: &Tx) -> Option<String> {
        if let Some(h) = &tx.head {
            return Some(h.clone());
        }
        let kept = self.chain_head.lock().ok()?;
        let (revision, hash) = kept.as_ref()?;
        (tx.revision? == revision + 1).then(|| hash.clone())
    }

    /// Where the chain starts: empty, or the hash of the last record removed by retention.
    async fn audit_anchor_in(&self, tx: &mut Tx) -> Result<String> {
        let v: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'audit_anchor'")
            .fetch_optional(&mut **tx)
            .await?;
        Ok(v.unwrap_or_default())
    }

    /// Walks the whole chain. Reports the first record whose hash does not match its fields, or whose
    /// `prev_hash` is not the hash of the record before it (a deletion, reordering or insertion).
    pub async fn verify_audit(&self) -> Result<AuditCheck> {
        let anchor = self.setting("audit_anchor").await?.unwrap_or_default();
        let rows = sqlx::query(
            "SELECT id, at, actor, actor_id, ip, action, object_type, object_id, success, detail, prev_hash, hash FROM audit_log ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut expected_prev = anchor;
        let mut n = 0;
        for r in &rows {
            let row = AuditRow::from_row(r)?;
            let prev: String = get(r, "prev_hash")?;
            let hash: String = get(r, "hash")?;
            if prev != expected_prev {
                return Ok(AuditCheck::Broken {
                    id: row.id,
                    reason: "does not follow the record before it (a record was deleted, inserted or moved)".into(),
                });
            }
            if self.crypto.audit_mac(audit_record(row.id, &row, &prev).as_bytes()) != hash {
                return Ok(AuditCheck::Broken {
                    id: row.id,
                    reason: "its content does not match its hash (edited)".into(),
                });
            }
            expected_prev = hash;
            n += 1;
        }
        Ok(AuditCheck::Intact { records: n })
    }

    /// Audit records in a time window, oldest first (for the audit administrator's view and export).
    pub async fn audit_range(&self, from: i64, to: i64, limit: i64) -> Result<Vec<AuditRow>> {
        self.all::<AuditRow>(
            sqlx::query(
                "SELECT id, at, actor, actor_id, ip, action, object_type, object_id, success, detail FROM audit_log \
             WHERE at >= $1 AND at < $2 ORDER BY id LIMIT $3",
            )
            .bind(from)
            .bind(to)
            .bind(limit),
        )
        .await
    }

    /// Removes audit records older than `before` (ms). The hash of the last record removed becomes the
    /// chain's anchor, so the remaining chain still verifies. The removal is itself audited.
    pub async fn prune_audit(&self, before: i64, actor: &Actor) -> Result<usize> {
        let mut tx = self.begin().await?;
        let last: Option<(i64, String)> =
            sqlx::query("SELECT id, hash FROM audit_log WHERE at < $1 ORDER BY id DESC LIMIT 1")
                .bind(before)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| -> Result<(i64, String)> { Ok((get(&r, "id")?, get(&r, "hash")?)) })
                .transpose()?;
        let Some((last_id, anchor)) = last else {
            tx.rollback().await?;
            return Ok(0);
        };
        let n =
            sqlx::query("DELETE FROM audit_log WHERE id <= $1").bind(last_id).execute(&mut *tx).await?.rows_affected();
        sqlx::query("DELETE FROM settings WHERE key = 'audit_anchor'").execute(&mut *tx).await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ('audit_anchor', $1)")
            .bind(&anchor)
            .execute(&mut *tx)
            .await?;
        let detail = serde_json::json!({ "removed": n, "before": before });
        self.commit_audited(tx, actor, AuditAction::AuditPrune, "audit_log", &last_id.to_string(), &detail).await?;
        Ok(n as usize)
    }

    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditRow>> {
        self.all::<AuditRow>(sqlx::query(
            "SELECT id, at, actor, actor_id, ip, action, object_type, object_id, success, detail FROM audit_log ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)).await
    }
}

/// The `VALUES` of a multi-row INSERT: `rows` tuples of `width` numbered parameters, `($1, $2), ($3, $4)`.
/// Many rows to a statement, since each is a round trip to the database; not too many, since the SQLite
/// driver finds each parameter by name (a cost that grows with the square of their number).
pub(crate) fn values(rows: usize, width: usize) -> String {
    let tuple = |r: usize| {
        let params: Vec<String> = (1..=width).map(|k| format!("${}", r * width + k)).collect();
        format!("({})", params.join(", "))
    };
    (0..rows).map(tuple).collect::<Vec<_>>().join(", ")
}

/// The same with SQLite's anonymous `?` placeholders: SQLite finds a named parameter (`$12`) by walking
/// the statement's list of names, so binding hundreds of them costs the square of their number (it was
/// most of an import's time); anonymous ones are bound by position.
fn anonymous_values(rows: usize, width: usize) -> String {
    let tuple = format!("({})", vec!["?"; width].join(", "));
    vec![tuple.as_str(); rows].join(", ")
}

/// Inserts `rows` with multi-row INSERTs of `per_statement` rows each (see `values`): `head` is
/// `INSERT INTO table (columns)` with `width` columns, and `bind` binds one row's values in that order.
/// Not cached on PostgreSQL: a nullable float may be bound (see plans.rs on sqlx's Any driver).
pub(crate) async fn insert_rows<'r, T>(
    tx: &mut Tx,
    head: &str,
    width: usize,
    per_statement: usize,
    rows: &'r [T],
    mut bind: impl FnMut(Query<'r>, &'r T) -> Result<Query<'r>>,
) -> Result<()> {
    let sqlite = tx.backend_name() == "SQLite";
    // Anonymous parameters cost SQLite nothing to bind (see `anonymous_values`): fewer, larger statements,
    // within its limit of 32,766 parameters.
    let per_statement = if sqlite { (8_000 / width.max(1)).max(per_statement) } else { per_statement };
    for chunk in rows.chunks(per_statement) {
        let placeholders = if sqlite { anonymous_values(chunk.len(), width) } else { values(chunk.len(), width) };
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!("{head} VALUES {placeholders}")));
        for row in chunk {
            q = bind(q, row)?;
        }
        // SQLite keeps the statement prepared (full chunks share one text); PostgreSQL does not, see above.
        q.persistent(sqlite).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Writes many rows with one statement a chunk, whose one parameter is the chunk as JSON: an array with an
/// array of values for each row (`row` gives one row's). `sql` reads them from `ROWS`, which becomes the
/// database's own reader of the array (`jsonb_each($1) AS j` on SQLite, `json_array_elements($1::json) AS
/// j(value)` on PostgreSQL), each row's values as `j.value->>0`, `CAST(j.value->>5 AS BIGINT)`, …: an
/// `INSERT … SELECT … FROM ROWS` or an `UPDATE … FROM ROWS WHERE …`. A value bound through sqlx's Any
/// driver costs copies and allocations on both sides, and SQLite's C parser reads JSON faster than that
/// (`jsonb_each` hands each row to `->>` already parsed; `json_each` would render it as text to be parsed
/// again). On an import of 100,000 firms the whole import went from 2.95 s to 2.5 s (docs/benchmarks.md,
/// "Import", session 11). Nothing from outside is written into the statement. With `returning`, the rows
/// the statements return (`sql` ends with its RETURNING clause).
pub(crate) async fn write_json_rows<'r, T, R: serde::Serialize>(
    tx: &mut Tx,
    sql: &str,
    rows: &'r [T],
    returning: bool,
    row: impl Fn(&'r T) -> R,
) -> Result<Vec<AnyRow>> {
    let source =
        if tx.backend_name() == "SQLite" { "jsonb_each($1) AS j" } else { "json_array_elements($1::json) AS j(value)" };
    let sql = sql.replace("ROWS", source);
    let mut out = Vec::new();
    for chunk in rows.chunks(5_000) {
        let json = serde_json::to_string(&chunk.iter().map(&row).collect::<Vec<R>>())
            .map_err(|e| StoreError::Corrupt(format!("json: {e}")))?;
        let q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(json);
        if returning {
            out.extend(q.fetch_all(&mut **tx).await?);
        } else {
            q.execute(&mut **tx).await?;
        }
    }
    Ok(out)
}

/// Applies the migrations not yet applied, up to and including `last`, each in its own transaction.
pub(crate) async fn migrate_to(pool: &AnyPool, backend: Backend, last: i64) -> Result<()> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(pool)
    .await?;
    for (version, name, sql) in schema::MIGRATIONS.iter().filter(|m| m.0 <= last) {
        let done: Option<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
            .bind(*version)
            .fetch_optional(pool)
            .await?;
        if done.is_some() {
            continue;
        }
        let mut tx = pool.begin().await?;
        // Two processes starting on an empty database at once: the loser's insert fails and it retries.
        let rendered = schema::render(sql, backend);
        for stmt in schema::statements(&rendered) {
            // The migrations are constants of this crate, and so is all that `render` substitutes.
            sqlx::query(sqlx::AssertSqlSafe(stmt)).execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(*version)
            .bind(*name)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Ids as the text of an SQL list (`1,2,3`), for `IN (…)`: integers only, so safe to inline.
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

/// The version of the row a write is about to change, which must still be the one the caller read
/// (`expected`; `None` skips the check): a newer one is a conflict (409), no row `missing(id)`.
pub(crate) async fn checked_version(
    tx: &mut Tx,
    table: &str,
    id: i64,
    expected: Option<i64>,
    missing: fn(i64) -> Missing,
) -> Result<i64> {
    let current: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT version FROM {table} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound(missing(id)))?;
    match expected {
        Some(v) if v != current => Err(StoreError::Conflict(Clash::Stale { current })),
        _ => Ok(current),
    }
}

/// Runs a write that must change a row: when it changes none, the row does not exist (`missing`).
pub(crate) async fn update_existing(tx: &mut Tx, q: Query<'_>, missing: Missing) -> Result<()> {
    if q.execute(&mut **tx).await?.rows_affected() == 0 {
        return Err(StoreError::NotFound(missing));
    }
    Ok(())
}

/// A file as uploaded: its name, its type and its bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Upload<'a> {
    pub filename: &'a str,
    pub content_type: &'a str,
    pub data: &'a [u8],
}

/// Stores an uploaded file in `table` (`attachments`, `challenge_attachments`) under the record it belongs
/// to (`owner`, the column naming it, and its id), inside the caller's transaction; returns the file's id.
pub(crate) async fn insert_upload(
    tx: &mut Tx,
    table: &str,
    owner: &str,
    owner_id: i64,
    file: Upload<'_>,
    actor: &Actor,
) -> Result<i64> {
    let sql = format!(
        "INSERT INTO {table} ({owner}, filename, content_type, size, data, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    );
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(owner_id)
        .bind(file.filename)
        .bind(file.content_type)
        .bind(file.data.len() as i64)
        .bind(file.data)
        .bind(actor.id)
        .bind(now_ms())
        .fetch_one(&mut **tx)
        .await?)
}

/// `SELECT columns FROM table rest`, the start of a query for a row type (`rest` is SQL text, never input).
pub(crate) fn select(columns: &str, table: &str, rest: &str) -> Query<'static> {
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {columns} FROM {table} {rest}")))
}

/// A query with its parameters bound, ready to run.
pub(crate) type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

pub(crate) fn get<'r, T>(row: &'r AnyRow, col: &str) -> Result<T>
where
    T: sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    Ok(row.try_get(col)?)
}
