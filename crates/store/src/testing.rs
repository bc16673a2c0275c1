//! Fresh databases for tests: an SQLite file always, and a new PostgreSQL database when `JIQUN_TEST_POSTGRES`
//! holds a server URL (`postgres://postgres@127.0.0.1:5432/postgres`). One test story runs against both.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::Connection;

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

/// A URL of an empty SQLite database in the temp directory.
pub fn sqlite_url() -> String {
    let dir = std::env::temp_dir().join("jiqun-tests");
    let _ = std::fs::create_dir_all(&dir);
    format!("sqlite://{}", dir.join(format!("{}.db", unique("t"))).display())
}

/// A URL of a new, empty PostgreSQL database, or `None` when `JIQUN_TEST_POSTGRES` is not set.
pub async fn postgres_url() -> Option<String> {
    let server = std::env::var("JIQUN_TEST_POSTGRES").ok().filter(|s| !s.is_empty())?;
    sqlx::any::install_default_drivers();
    let name = unique("jiqun_test");
    let mut conn =
        sqlx::AnyConnection::connect(&server).await.unwrap_or_else(|e| panic!("JIQUN_TEST_POSTGRES={server}: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("create database {name}: {e}"));
    let base = match server.rfind('/') {
        Some(i) if i > "postgres://".len() => &server[..i],
        _ => server.as_str(),
    };
    Some(format!("{base}/{name}"))
}

/// The URLs a test story runs against: SQLite always, PostgreSQL when configured.
pub async fn urls() -> Vec<String> {
    let mut v = vec![sqlite_url()];
    v.extend(postgres_url().await);
    v
}

/// Brings a new database at `url` to the schema of migration `last` and no further, as an older Jiqun
/// left it: for tests of what a later migration does to data already stored. Opening it as a `Store`
/// afterwards applies the rest.
pub async fn migrate_to(url: &str, last: i64) -> crate::Result<()> {
    let (backend, url) = match url.strip_prefix("sqlite://") {
        Some(path) => (crate::Backend::Sqlite, format!("sqlite://{path}?mode=rwc")),
        None => (crate::Backend::Postgres, url.to_string()),
    };
    let pool = raw_pool(&url).await;
    crate::migrate_to(&pool, backend, last).await?;
    pool.close().await;
    Ok(())
}

/// A pool on the database at `url` with no migration applied on opening: for writing rows as an older
/// schema holds them (see `migrate_to`).
pub async fn raw_pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new().max_connections(1).connect(url).await.unwrap_or_else(|e| panic!("{url}: {e}"))
}
