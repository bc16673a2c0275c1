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
