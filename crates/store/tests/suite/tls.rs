//! The connection to PostgreSQL is encrypted when the URL asks for it (`sslmode=require`, `verify-ca`,
//! `verify-full`): servers and database on different machines need it (docs/deploy.md, section 2).

use jiqun_store::{Store, testing};

#[tokio::test]
async fn postgres_connections_use_tls_when_the_url_asks_for_it() {
    let Some(url) = testing::postgres_url().await else { return };
    let plain = Store::open(&url).await.unwrap();
    let ssl: String = sqlx::query_scalar("SHOW ssl").fetch_one(plain.pool()).await.unwrap();
    let tls_url = format!("{url}?sslmode=require");
    let opened = Store::open(&tls_url).await;
    if ssl == "on" {
        let s = opened.unwrap_or_else(|e| panic!("{tls_url}: {e}"));
        let encrypted: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(s.pool())
            .await
            .unwrap();
        assert!(encrypted, "{tls_url}: the connection is not encrypted");
    } else {
        assert!(opened.is_err(), "{tls_url}: a server without TLS accepted a URL that requires it");
    }
}
