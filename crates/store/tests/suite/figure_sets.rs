//! A firm's figures of a year written together are one sealed set (migration 21): an import's row, an
//! entry or a correction. A figure's value is the one in the newest set that names it; a set stays
//! current while one of its figures has no newer set; rows stored before the migration read as sets of
//! one figure, sealed as they were.

use jiqun_crypto::Crypto;
use jiqun_domain::enterprise::Scale;
use jiqun_domain::region::CityCode;
use jiqun_store::{
    Actor, FigureSetInput, FigureSetRow, NewEnterprise, Store, figure_context, figure_set_clear, figure_set_context,
    figure_set_values, testing,
};

fn firm(uscc: &str) -> NewEnterprise {
    NewEnterprise {
        uscc: uscc.to_string(),
        name: format!("（合成）{uscc}"),
        city: CityCode::ALL[0],
        county: String::new(),
        industry: String::new(),
        scale: Scale::Above,
        founded_year: 2010,
        listed: false,
        chain_nodes: Vec::new(),
        tags: Vec::new(),
    }
}

/// Every set of the year, in the order an evaluation reads them.
async fn sets(s: &Store, year: i64) -> Vec<FigureSetRow> {
    let mut out = Vec::new();
    s.each_figure_set_of_year(year, |r| {
        out.push(r.clone());
        Ok::<_, jiqun_store::StoreError>(())
    })
    .await
    .unwrap();
    out
}

/// A set's figures in clear, as the application opens them.
fn open(s: &Store, r: &FigureSetRow) -> Vec<(String, f64)> {
    let clear = s.crypto().open(&r.sealed, figure_set_context(r.enterprise_id, r.year, &r.metrics).as_bytes()).unwrap();
    let values = figure_set_values(std::str::from_utf8(&clear).unwrap()).unwrap();
    r.metric_names().map(str::to_string).zip(values).collect()
}

#[tokio::test]
async fn an_import_writes_one_sealed_set_per_firm_and_a_newer_set_retires_only_what_it_covers() {
    for url in testing::urls().await {
        let s = Store::open(&url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        let actor = Actor::system("test");
        let crypto = s.crypto();
        let seal = |clear: &str, ctx: &str| crypto.seal(clear.as_bytes(), ctx.as_bytes()).map_err(|e| e.to_string());
        let import = |rows: Vec<(&str, Vec<(&'static str, f64)>)>| {
            rows.into_iter().map(|(u, f)| (firm(u), f, 2024, String::new())).collect::<Vec<_>>()
        };
        let first = import(vec![("A", vec![("tax_wan", 10.0), ("land_mu", 2.5)]), ("B", vec![("tax_wan", 7.0)])]);
        s.import_enterprises(&first, "one.csv", "导入", "", &seal, &actor).await.unwrap();
        let after_first = sets(&s, 2024).await;
        assert_eq!(after_first.len(), 2, "{url}: one set per firm, not one row per figure");
        assert_eq!(open(&s, &after_first[0]), vec![("tax_wan".into(), 10.0), ("land_mu".into(), 2.5)], "{url}");
        assert!(after_first[0].sealed.starts_with("sm4gcm:"), "{url}: sealed at rest");
        let a = after_first[0].enterprise_id;

        // A's tax again with its revenue: the first set still holds A's land, so it stays current.
        let second = import(vec![("A", vec![("tax_wan", 11.0), ("revenue_wan", 300.0)])]);
        s.import_enterprises(&second, "two.csv", "导入", "", &seal, &actor).await.unwrap();
        let now: Vec<(i64, String)> = sets(&s, 2024).await.into_iter().map(|r| (r.enterprise_id, r.metrics)).collect();
        assert_eq!(now.len(), 3, "{url}: {now:?}");
        assert_eq!(now[0], (a, "tax_wan,land_mu".to_string()), "{url}: still current for its land");
        assert_eq!(now[1], (a, "tax_wan,revenue_wan".to_string()), "{url}: newer, after it");

        // A correction of A's land (one figure, through the page or the API): the first set now holds
        // nothing current and is retired; the audit names the set it replaces.
        let sealed = crypto.seal(b"3", figure_context(a, 2024, "land_mu").as_bytes()).unwrap();
        let set = FigureSetInput { year: 2024, metrics: "land_mu".into(), sealed, source: "更正".into() };
        let id = s.put_figures(a, &set, None, &actor).await.unwrap();
        let current = s.current_figures(a).await.unwrap();
        let names: Vec<&str> = current.iter().map(|r| r.metrics.as_str()).collect();
        assert_eq!(names, ["tax_wan,revenue_wan", "land_mu"], "{url}");
        assert_eq!(open(&s, &current[1]), vec![("land_mu".into(), 3.0)], "{url}");
        let history = s.figure_history(a, 2024).await.unwrap();
        assert_eq!(history.len(), 3, "{url}: every set of the year, current or not");
        assert!(!history[0].is_current && history[1].is_current && history[2].id == id, "{url}: {history:?}");
        let detail: String = sqlx::query_scalar(
            "SELECT detail FROM audit_log WHERE action = 'enterprise.figures' ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(s.pool())
        .await
        .unwrap();
        let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
        assert_eq!(detail["before_rows"], serde_json::json!([history[0].id]), "{url}: {detail}");
        assert_eq!(detail["after_row"], serde_json::json!(id), "{url}: {detail}");

        // A set moved to another firm does not open: its context names the firm.
        let moved = figure_set_context(a + 1, 2024, &history[1].metrics);
        assert!(crypto.open(&history[1].sealed, moved.as_bytes()).is_err(), "{url}");
        // After a key rotation every set is re-sealed and opens as before.
        assert_eq!(s.reseal_registry(&actor).await.unwrap(), 4, "{url}");
        let current = s.current_figures(a).await.unwrap();
        assert_eq!(open(&s, &current[0]), vec![("tax_wan".into(), 11.0), ("revenue_wan".into(), 300.0)], "{url}");
    }
}

#[tokio::test]
async fn figures_stored_before_sets_read_as_sets_of_one_figure() {
    for url in testing::urls().await {
        // A database as migration 20 left it, with figures one row each, sealed one by one.
        testing::migrate_to(&url, 20).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        let keys = jiqun_crypto::KeyFile::generate().unwrap();
        let crypto = std::sync::Arc::new(jiqun_crypto::Software::new(keys));
        {
            let old = testing::raw_pool(&url).await;
            sqlx::query(
                "INSERT INTO enterprises (uscc, name, city, county, industry, scale, founded_year, listed, chain_nodes, tags, created_at, updated_at) \
                 VALUES ('OLD1', '（合成）旧', '广州', '', '', 'above', 2000, 0, '', '', 1, 1)",
            )
            .execute(&old)
            .await
            .unwrap();
            let firm: i64 = sqlx::query_scalar("SELECT id FROM enterprises").fetch_one(&old).await.unwrap();
            for (i, (metric, value, current)) in
                [("tax_wan", "5", 0), ("tax_wan", "6", 1), ("land_mu", "2", 1)].iter().enumerate()
            {
                let sealed = crypto.seal(value.as_bytes(), figure_context(firm, 2023, metric).as_bytes()).unwrap();
                sqlx::query(
                    "INSERT INTO enterprise_figures (enterprise_id, year, metric, sealed, source, is_current, entered_by, entered_at) \
                     VALUES ($1, 2023, $2, $3, '旧', $4, NULL, $5)",
                )
                .bind(firm)
                .bind(*metric)
                .bind(sealed)
                .bind(*current as i64)
                .bind(i as i64)
                .execute(&old)
                .await
                .unwrap();
            }
            old.close().await;
        }
        let s = Store::open_with(&url, crypto).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        let all = sets(&s, 2023).await;
        let read: Vec<(String, f64)> = all.iter().flat_map(|r| open(&s, r)).collect();
        assert_eq!(read, vec![("tax_wan".into(), 6.0), ("land_mu".into(), 2.0)], "{url}: the current ones, as stored");
        let history = s.figure_history(all[0].enterprise_id, 2023).await.unwrap();
        assert_eq!(history.len(), 3, "{url}: the corrected row kept as history");
        assert_eq!(figure_set_clear([6.0]), "6");
    }
}
