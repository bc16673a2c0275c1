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
        let seal = |_: i64, _: i64, _: &str, _: f64| -> Result<String, String> { Ok(String::new()) };
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
        // And the pages come in that order: the province's order of cities, then names.
        let (page, total) = s.enterprises(&all, 0, 4000).await.unwrap();
        assert_eq!(total, 4000);
        let keys: Vec<_> =
            page.iter().map(|e| (CityCode::ALL.iter().position(|c| *c == e.city), e.name.clone())).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{url}: out of order");
    }
}
