//! Backup under concurrent writes, and restore into an empty database (also across databases).

use std::sync::Arc;

use jiqun_domain::period::Period;
use jiqun_store::{Actor, AuditCheck, Store, testing};

fn crypto(keys: &jiqun_crypto::KeyFile) -> Arc<dyn jiqun_crypto::Crypto> {
    Arc::new(jiqun_crypto::Software::new(keys.clone()))
}

async fn count(s: &Store, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(s.pool()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_writing_restores_to_a_consistent_database() {
    let keys = jiqun_crypto::KeyFile::generate().unwrap();
    let sources = testing::urls().await;
    for src_url in &sources {
        let src = Store::open_with(src_url, crypto(&keys)).await.unwrap();
        let actor = Actor::system("test");
        let plan = jiqun_compiler::builtin(&jiqun_compiler::Options::default());
        src.insert_plan(&plan, "builtin", &actor).await.unwrap();
        let ind = src.indicators(1).await.unwrap()[2].id;
        src.add_attachment_fixture(&actor).await;
        // A writer adds observations while the backup runs.
        let writer = {
            let s = src.clone();
            tokio::spawn(async move {
                for y in 0..300 {
                    let p = Period::Month(2000 + y / 12, (y % 12 + 1) as u8);
                    s.add_observation(ind, p, "", y as f64, "w", &Actor::system("writer")).await.unwrap();
                }
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let mut buf = Vec::new();
        let rows = src.backup(&mut buf).await.unwrap();
        writer.await.unwrap();
        assert!(rows > 100, "{src_url}");

        // Restore into a fresh database of each kind.
        let mut targets = vec![testing::sqlite_url()];
        targets.extend(testing::postgres_url().await);
        for dst_url in targets {
            let dst = Store::open_with(&dst_url, crypto(&keys)).await.unwrap();
            let n = dst.restore(&mut std::io::BufReader::new(&buf[..])).await.unwrap();
            assert_eq!(n, rows, "{src_url} → {dst_url}");
            // Consistent: every observation has its audit record and the chain is whole.
            assert!(matches!(dst.verify_audit().await.unwrap(), AuditCheck::Intact { .. }), "{src_url} → {dst_url}");
            let obs = count(&dst, "SELECT COUNT(*) FROM observations").await;
            let audited = count(&dst, "SELECT COUNT(*) FROM audit_log WHERE action = 'observation.add'").await;
            assert_eq!(obs, audited, "{src_url} → {dst_url}");
            assert_eq!(dst.indicators(1).await.unwrap().len(), 12);
            assert_eq!(dst.attachment(1).await.unwrap().unwrap().1, b"%PDF binary \x00\xff".to_vec());
            // New rows get new ids after the restored ones.
            dst.set_setting("after", "restore", &actor).await.unwrap();
            dst.add_observation(ind, Period::Year(2030), "", 1.0, "", &actor).await.unwrap();
            assert!(matches!(dst.verify_audit().await.unwrap(), AuditCheck::Intact { .. }));
            // A second restore into the same database is refused.
            assert!(dst.restore(&mut std::io::BufReader::new(&buf[..])).await.is_err());
        }
    }
}

/// Doubles come back bit for bit: a value whose shortest decimal form a fast parser rounds to the
/// neighbouring double (found by deploy/drill.sh: scores off by one unit in the last place after a
/// restore), the smallest subnormal and the largest double, on each database and across them.
#[tokio::test]
async fn a_restore_gives_back_every_double_bit_for_bit() {
    let keys = jiqun_crypto::KeyFile::generate().unwrap();
    let values = [123.50267760382107, 98.93939099604985, 37.734609808084684, 0.1 + 0.2, 5e-324, f64::MAX];
    for src_url in testing::urls().await {
        let src = Store::open_with(&src_url, crypto(&keys)).await.unwrap();
        let actor = Actor::system("test");
        let plan = jiqun_compiler::builtin(&jiqun_compiler::Options::default());
        src.insert_plan(&plan, "builtin", &actor).await.unwrap();
        let ind = src.indicators(1).await.unwrap()[2].id;
        for (i, v) in values.iter().enumerate() {
            src.add_observation(ind, Period::Year(2000 + i as i32), "", *v, "", &actor).await.unwrap();
        }
        let mut first = Vec::new();
        src.backup(&mut first).await.unwrap();
        for dst_url in testing::urls().await {
            let dst = Store::open_with(&dst_url, crypto(&keys)).await.unwrap();
            dst.restore(&mut std::io::BufReader::new(&first[..])).await.unwrap();
            let got: Vec<u64> = dst.observations(ind).await.unwrap().iter().map(|o| o.value.to_bits()).collect();
            let want: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, want, "{src_url} → {dst_url}");
            let mut second = Vec::new();
            dst.backup(&mut second).await.unwrap();
            let rows = |b: &[u8]| b.split(|c| *c == b'\n').skip(1).map(<[u8]>::to_vec).collect::<Vec<_>>();
            assert!(rows(&first) == rows(&second), "{src_url} → {dst_url}: the copy's backup differs");
        }
    }
}

#[tokio::test]
async fn damaged_backups_are_refused_whole() {
    let s = Store::open(&testing::sqlite_url()).await.unwrap();
    for bad in ["", "{}\n", "{\"format\":\"jiqun-backup\",\"schema\":1}\n", "not json\n"] {
        let e = s.restore(&mut std::io::BufReader::new(bad.as_bytes())).await;
        assert!(e.is_err(), "{bad:?}");
    }
    let src = Store::open(&testing::sqlite_url()).await.unwrap();
    src.set_setting("a", "b", &Actor::system("t")).await.unwrap();
    let mut buf = Vec::new();
    src.backup(&mut buf).await.unwrap();
    let truncated = &buf[..buf.len() - 20];
    let dst = Store::open(&testing::sqlite_url()).await.unwrap();
    assert!(dst.restore(&mut std::io::BufReader::new(truncated)).await.is_err());
    assert_eq!(dst.setting("a").await.unwrap(), None, "nothing is half-written");
}

trait Fixture {
    async fn add_attachment_fixture(&self, actor: &Actor);
}

impl Fixture for Store {
    async fn add_attachment_fixture(&self, actor: &Actor) {
        let a = self.assignments(Some(1), None).await.unwrap()[0].id;
        let input = jiqun_store::ReportInput {
            period: "2025".into(),
            status: "done".into(),
            percent: 100.0,
            narrative: "x".into(),
            submit: true,
            ..Default::default()
        };
        let r = self.save_report(a, &input, actor).await.unwrap();
        self.add_attachment(r.id, "a.pdf", "application/pdf", b"%PDF binary \x00\xff", actor).await.unwrap();
    }
}

#[tokio::test]
async fn the_backup_covers_every_table_and_column() {
    let s = Store::open(&testing::sqlite_url()).await.unwrap();
    // The search index of enterprises (an FTS5 table and its shadow tables) is derived: its triggers fill
    // it again as a restore puts the rows back.
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> 'schema_migrations' AND name NOT LIKE 'enterprises_search%' ORDER BY name",
    )
    .fetch_all(s.pool())
    .await
    .unwrap();
    let mut listed: Vec<String> = jiqun_store::backup::TABLES.iter().map(|(t, _)| t.to_string()).collect();
    listed.sort();
    assert_eq!(tables, listed, "a table is missing from backup::TABLES");
    for (table, cols) in jiqun_store::backup::TABLES {
        let actual: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        )))
        .fetch_all(s.pool())
        .await
        .unwrap();
        let listed: Vec<String> = cols.iter().map(|(c, _)| c.to_string()).collect();
        assert_eq!(actual, listed, "columns of {table}");
    }
}
