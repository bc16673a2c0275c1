//! The directory of enterprises stays paged by index however large the registry grows: the plans the
//! databases choose (bench/scale.sh times the same pages on a million firms).

use jiqun_domain::enterprise::Scale;
use jiqun_domain::region::CityCode;
use jiqun_store::{Actor, EnterpriseFilter, NewEnterprise, Store, testing};

fn firm(k: usize) -> NewEnterprise {
    let cities = CityCode::ALL;
    NewEnterprise {
        // Not checked by the store; unique is all it needs here.
        uscc: format!("91440000TEST{k:06}"),
        name: format!("（合成）企业{k:05}"),
        // Most in one city, as in a real registry, whose pages are then worth an index to the planner.
        city: if k.is_multiple_of(4) { cities[k % cities.len()] } else { cities[1] },
        county: String::new(),
        industry: String::new(),
        scale: if k.is_multiple_of(3) { Scale::Above } else { Scale::Below },
        founded_year: 2000 + (k % 20) as i64,
        listed: false,
        chain_nodes: Vec::new(),
        tags: Vec::new(),
    }
}

#[tokio::test]
async fn a_page_of_the_directory_is_read_by_index_without_sorting_the_table() {
    for url in testing::urls().await {
        let s = Store::open(&url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        let rows: Vec<_> = (0..4000).map(|k| (firm(k), Vec::new(), 2024, String::new())).collect();
        let seal = |_: &str, _: &str| -> Result<String, String> { Ok(String::new()) };
        s.import_enterprises(&rows, "test", "test", "", &seal, &Actor::system("test")).await.unwrap();
        let postgres = url.starts_with("postgres");
        let analyze = if postgres { "ANALYZE enterprises" } else { "ANALYZE" };
        sqlx::query(analyze).execute(s.pool()).await.unwrap();
        let all = EnterpriseFilter::default();
        let city = EnterpriseFilter { city: Some(CityCode::ALL[1]), ..Default::default() };
        for (f, index) in [(&all, "enterprises_in_order"), (&city, "enterprises_by_city")] {
            // Deep pages too on SQLite; PostgreSQL's planner rightly scans a table of 4,000 rows for them
            // (bench/scale.sh shows its plans on a million).
            let offsets: &[i64] = if postgres { &[0] } else { &[0, 2000] };
            for &offset in offsets {
                let plan = s.directory_plan(f, offset, 100).await.unwrap().join("\n");
                assert!(plan.contains(index), "{url}: the page at {offset} should read {index}:\n{plan}");
                // The page's own rows may be put in order once read (at most `limit` of them); a plan that
                // sorted the table would sort once more, beneath the limit.
                let sorts = plan.matches(if postgres { "Sort  (" } else { "TEMP B-TREE" }).count();
                assert!(sorts <= 1, "{url}: the page at {offset} sorts the table:\n{plan}");
            }
        }
        if postgres {
            // A deep page walks the index of the order alone (it holds the city, migration 20): with a
            // scan of the table ruled out, as on a million rows, no row of the table is read for the
            // rows skipped.
            sqlx::query("VACUUM ANALYZE enterprises").execute(s.pool()).await.unwrap();
            let mut order = String::from("CASE city");
            for (i, c) in CityCode::ALL.iter().enumerate() {
                order.push_str(&format!(" WHEN '{c}' THEN {i}"));
            }
            order.push_str(&format!(" ELSE {} END", CityCode::ALL.len()));
            let mut tx = s.pool().begin().await.unwrap();
            sqlx::query("SET LOCAL enable_seqscan = off").execute(&mut *tx).await.unwrap();
            let sql = format!("EXPLAIN SELECT id FROM enterprises ORDER BY {order}, name, id LIMIT 100 OFFSET 2000");
            let plan: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *tx).await.unwrap();
            let plan = plan.join("\n");
            assert!(plan.contains("Index Only Scan using enterprises_in_order"), "{url}: a deep page:\n{plan}");
        }
        // And the pages come in that order: the province's order of cities, then names.
        let (page, total) = s.enterprises(&all, 0, 4000).await.unwrap();
        assert_eq!(total, 4000);
        let keys: Vec<_> =
            page.iter().map(|e| (CityCode::ALL.iter().position(|c| *c == e.city), e.name.clone())).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{url}: out of order");
    }
}

/// The ids of the firms whose name holds `q` or whose USCC begins with it, as the search answers and as a
/// scan finds them.
async fn search_both_ways(s: &Store, q: &str) -> (Vec<i64>, Vec<i64>) {
    let f = EnterpriseFilter { q: Some(q.to_string()), ..Default::default() };
    let (page, total) = s.enterprises(&f, 0, 10_000).await.unwrap();
    assert_eq!(total as usize, page.len(), "{q}: the count and the rows disagree");
    let mut found: Vec<i64> = page.iter().map(|e| e.id).collect();
    found.sort();
    let (all, _) = s.enterprises(&EnterpriseFilter::default(), 0, 10_000).await.unwrap();
    // The name holds it, in either case of ASCII letters; or the USCC begins with it, if it could.
    let lower = q.to_ascii_lowercase();
    let upper = q.trim().to_ascii_uppercase();
    let usccish = !upper.is_empty() && upper.bytes().all(|b| b.is_ascii_alphanumeric());
    let mut scanned: Vec<i64> = all
        .iter()
        .filter(|e| e.name.to_ascii_lowercase().contains(&lower) || usccish && e.uscc.starts_with(&upper))
        .map(|e| e.id)
        .collect();
    scanned.sort();
    (found, scanned)
}

#[tokio::test]
async fn a_search_by_part_of_a_name_or_the_start_of_a_uscc_uses_indexes_and_finds_what_a_scan_finds() {
    for url in testing::urls().await {
        let s = Store::open(&url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        let mut rows: Vec<_> = (0..3000).map(|k| (firm(k), Vec::new(), 2024, String::new())).collect();
        // Names with what a query must take literally: quotes, LIKE's wildcards, Latin letters in either case.
        for (k, name) in
            [(0, "深圳\"引号\"科技有限公司"), (1, "广州100%_通配有限公司"), (2, "TCL华星光电"), (3, "华为终端有限公司")]
        {
            rows[k].0.name = name.to_string();
        }
        let seal = |_: &str, _: &str| -> Result<String, String> { Ok(String::new()) };
        let actor = Actor::system("test");
        s.import_enterprises(&rows, "test", "test", "", &seal, &actor).await.unwrap();
        for q in [
            "企业01234",
            "企业0",
            "\"引号\"",
            "100%_",
            "%_通",
            "tcl华",
            "TCL",
            "华为",
            "为",
            "test00002",
            "91440000",
            "终端有限",
            "没有这家",
        ] {
            let (found, scanned) = search_both_ways(&s, q).await;
            assert_eq!(found, scanned, "{url}: the search for {q:?}");
        }
        let (found, _) = search_both_ways(&s, "企业01234").await;
        assert_eq!(found.len(), 1, "{url}: one firm is called 企业01234");

        // A firm renamed is found by its new name only.
        rows[2].0.name = "（合成）改名后的光电".to_string();
        s.import_enterprises(&rows[2..3], "test", "test", "", &seal, &actor).await.unwrap();
        for q in ["改名后的", "TCL华星"] {
            let (found, scanned) = search_both_ways(&s, q).await;
            assert_eq!(found, scanned, "{url}: after the rename, the search for {q:?}");
        }
        assert_eq!(search_both_ways(&s, "TCL华星").await.0.len(), 0, "{url}: the old name is gone");

        if url.starts_with("postgres") {
            // A table this small is rightly scanned; with scans ruled out, the trigram indexes serve the
            // search's `ILIKE` (bench/scale.sh shows the planner choosing them on a million).
            let mut tx = s.pool().begin().await.unwrap();
            sqlx::query("SET LOCAL enable_seqscan = off").execute(&mut *tx).await.unwrap();
            let plan: Vec<String> = sqlx::query_scalar(
                "EXPLAIN SELECT id FROM enterprises WHERE name ILIKE '%企业01234%' ESCAPE '\\' \
                 OR (uscc COLLATE \"C\" >= '9144' AND uscc COLLATE \"C\" < '9145')",
            )
            .fetch_all(&mut *tx)
            .await
            .unwrap();
            let plan = plan.join("\n");
            for index in ["enterprises_name_trigrams", "enterprises_uscc_bytes"] {
                assert!(plan.contains(index), "{url}: the search should read {index}:\n{plan}");
            }
        } else {
            let f = EnterpriseFilter { q: Some("企业01234".into()), ..Default::default() };
            let plan = s.directory_plan(&f, 0, 100).await.unwrap().join("\n");
            assert!(plan.contains("VIRTUAL TABLE INDEX"), "{url}: the search should read the trigram index:\n{plan}");
            let f = EnterpriseFilter { q: Some("9144abc".into()), ..Default::default() };
            let plan = s.directory_plan(&f, 0, 100).await.unwrap().join("\n");
            assert!(
                plan.contains("VIRTUAL TABLE INDEX") && plan.contains("(uscc>? AND uscc<?)"),
                "{url}: the search should read the trigram index and the USCCs' index:\n{plan}"
            );
            let check = "INSERT INTO enterprises_search (enterprises_search, rank) VALUES ('integrity-check', 1)";
            let integrity = sqlx::query(check).execute(s.pool()).await.map(|_| "ok".to_string());
            assert_eq!(
                integrity.unwrap_or_else(|e| e.to_string()),
                "ok",
                "{url}: the trigram index and the table disagree"
            );
        }
    }
}
