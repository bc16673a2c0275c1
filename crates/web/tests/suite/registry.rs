//! The enterprise registry and the per-mu evaluations through the API, on SQLite and (with
//! `JIQUN_TEST_POSTGRES`) PostgreSQL: registration with USCC checks, figures sealed at rest with their
//! history, who sees which firm's figures, the all-or-nothing CSV import, evaluation runs with their
//! distribution and movement, and roles edited as data.

use crate::common::{self, ADMIN_PASSWORD, Client, field, miscoded, tests_on_each_db, uscc};

use axum::http::StatusCode;
use serde_json::{Value, json};

// Each `async fn …(api: Client)` below is a test run on SQLite and PostgreSQL (see `common::on_each_db`).
tests_on_each_db!(
    the_directory_follows_the_provinces_city_order,
    registration_checks_every_field_and_names_the_wrong_one,
    figures_are_checked_sealed_at_rest_and_corrections_keep_history,
    figures_are_seen_by_the_firm_its_citys_bureau_and_assigned_experts_only,
    a_firms_user_reads_and_writes_its_own_firm_only,
    a_city_bureau_cannot_touch_another_citys_firm,
    an_import_is_all_or_nothing_with_every_error_located,
    a_gb18030_import_is_read_and_a_repeat_keeps_the_history,
    a_long_import_written_while_checked_keeps_nothing_when_a_late_row_is_wrong,
    a_figures_write_with_a_stale_version_is_refused_with_the_record_as_it_is,
    an_evaluation_shows_each_reader_what_it_may_see,
    a_published_scheme_scores_with_its_fixed_benchmarks,
    a_jurisdictions_own_scheme_is_checked_then_used,
    roles_are_data_the_security_administrator_edits,
);

/// Two firms the plan owner registered: 甲 of 深圳 (`a`) and 乙 of 广州 (`b`).
struct Registry {
    owner: String,
    a: String,
    id_a: i64,
    id_b: i64,
}

impl Registry {
    async fn new(api: &Client) -> Registry {
        let owner = api.demo_login("owner").await;
        let (a, b) = (uscc("440300", 1), uscc("440100", 2));
        let firm_a = json!({ "uscc": a, "name": "甲电子（测试）", "city": "深圳", "scale": "above", "founded_year": 2010,
                             "industry": "C3973", "tags": ["专精特新"] });
        let (s, firm_a) = api.register(&owner, firm_a).await;
        assert_eq!(s, StatusCode::CREATED, "{firm_a}");
        let firm_b =
            json!({ "uscc": b, "name": "乙软件（测试）", "city": "广州", "scale": "above", "founded_year": 2012 });
        let (_, firm_b) = api.register(&owner, firm_b).await;
        Registry { owner, a, id_a: firm_a["id"].as_i64().unwrap(), id_b: firm_b["id"].as_i64().unwrap() }
    }

    /// The firms, and 甲's figures for 2025 (50 mu, tax 1234.5 corrected to 1300 万元, revenue 20000 万元).
    async fn with_figures(api: &Client) -> Registry {
        let r = Registry::new(api).await;
        r.add_figures(api).await;
        r
    }

    /// 甲's figures for 2025, then a correction of its tax.
    async fn add_figures(&self, api: &Client) {
        let body = json!({ "year": 2025, "source": "2025年报", "figures": { "land_mu": 50, "tax_wan": 1234.5, "revenue_wan": 20000 } });
        let (s, v) = figures(api, &self.owner, self.id_a, body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let correction = json!({ "year": 2025, "source": "更正：审计后", "figures": { "tax_wan": 1300 } });
        let (s, _) = figures(api, &self.owner, self.id_a, correction).await;
        assert_eq!(s, StatusCode::CREATED);
    }
}

/// Posts a firm's figures.
async fn figures(api: &Client, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    api.call("POST", &format!("/api/v1/enterprises/{id}/figures"), token, body).await
}

/// A figure's values over time, oldest first.
async fn history(api: &Client, token: &str, id: i64) -> Value {
    api.call("GET", &format!("/api/v1/enterprises/{id}/history?year=2025&metric=tax_wan"), token, Value::Null).await.1
}

/// The directory follows the province's city order (广州 first, though 东莞 sorts first by code point).
async fn the_directory_follows_the_provinces_city_order(api: Client) {
    let owner = api.demo_login("owner").await;
    let (_, dir) = api.call("GET", "/api/v1/enterprises?limit=1000", &owner, Value::Null).await;
    let cities: Vec<&str> = dir["items"].as_array().unwrap().iter().map(|e| e["city"].as_str().unwrap()).collect();
    assert_eq!(cities.first(), Some(&"广州"), "{}", api.db);
    let model = jiqun_domain::RegionModel::guangdong();
    let rank = |c: &str| model.cities.iter().position(|x| x.name == c).unwrap();
    assert!(cities.windows(2).all(|w| rank(w[0]) <= rank(w[1])), "{cities:?}");
}

/// Registration: the USCC's check character is validated and the error names the field, as do the city,
/// scale, industry and founding year.
async fn registration_checks_every_field_and_names_the_wrong_one(api: Client) {
    let owner = api.demo_login("owner").await;
    let a = uscc("440300", 1);
    let bad = miscoded(&a);
    let miscoded = json!({ "uscc": bad, "name": "甲", "city": "深圳", "scale": "above", "founded_year": 2010 });
    let (s, v) = api.register(&owner, miscoded).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{}: {v}", api.db);
    assert_eq!(v["error"]["details"][0]["field"], "uscc");
    assert!(v["error"]["details"][0]["message"].as_str().unwrap().contains("校验位"), "{v}");
    for (name, body) in [
        ("city", json!({ "uscc": a, "name": "甲", "city": "澳门", "scale": "above", "founded_year": 2010 })),
        ("scale", json!({ "uscc": a, "name": "甲", "city": "深圳", "scale": "big", "founded_year": 2010 })),
        (
            "industry",
            json!({ "uscc": a, "name": "甲", "city": "深圳", "scale": "above", "founded_year": 2010, "industry": "Z99" }),
        ),
        ("founded_year", json!({ "uscc": a, "name": "甲", "city": "深圳", "scale": "above", "founded_year": 3000 })),
    ] {
        let (s, v) = api.register(&owner, body).await;
        assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some(name)), "{v}");
    }
}

/// Figures: checked, stored sealed, corrections keep history.
async fn figures_are_checked_sealed_at_rest_and_corrections_keep_history(api: Client) {
    let r = Registry::new(&api).await;
    let (s, v) = figures(&api, &r.owner, r.id_a, json!({ "year": 2025, "figures": { "tax_wan": -1 } })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("tax_wan")));
    let (s, v) = figures(&api, &r.owner, r.id_a, json!({ "year": 2025, "figures": { "land_mu": 0 } })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = figures(&api, &r.owner, r.id_a, json!({ "year": 2025, "figures": { "profit": 1 } })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("metric")));
    r.add_figures(&api).await;
    // The firm's page: each figure once, the corrected tax from the correction, the rest from the first
    // entry (the correction wrote a set of one figure; the first set still holds the others).
    let (_, firm) = api.call("GET", &format!("/api/v1/enterprises/{}", r.id_a), &r.owner, Value::Null).await;
    let mut now: Vec<(String, f64, String)> = firm["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (f["metric"].as_str().unwrap().into(), f["value"].as_f64().unwrap(), f["source"].as_str().unwrap().into())
        })
        .collect();
    now.sort_by(|a, b| a.0.cmp(&b.0));
    let want =
        [("land_mu", 50.0, "2025年报"), ("revenue_wan", 20000.0, "2025年报"), ("tax_wan", 1300.0, "更正：审计后")];
    let want: Vec<(String, f64, String)> = want.iter().map(|(m, v, s)| (m.to_string(), *v, s.to_string())).collect();
    assert_eq!(now, want, "{firm}");
    let v = history(&api, &r.owner, r.id_a).await;
    let hist = v.as_array().unwrap();
    assert_eq!(hist.len(), 2, "{v}");
    assert_eq!((hist[0]["value"].as_f64(), hist[0]["is_current"].as_bool()), (Some(1234.5), Some(false)));
    assert_eq!((hist[1]["value"].as_f64(), hist[1]["source"].as_str()), (Some(1300.0), Some("更正：审计后")));
    // At rest the value is sealed: the database holds no 1300 and no 1234.5.
    let rows = api.app.store_for_tests().figure_history(r.id_a, 2025).await.unwrap();
    assert!(rows.iter().any(|f| f.metrics.split(',').any(|m| m == "land_mu")), "{rows:?}");
    let sealed: Vec<String> = rows.into_iter().map(|f| f.sealed).collect();
    // (Each is `sm4gcm:KEY:NONCE:CIPHERTEXT` in hex; random hex may hold the digits 1300 by chance, so the
    // check is that no part is the figure as written, in the clear or hex-encoded.)
    let clear = |s: &str| ["1300", "1234.5", "31333030", "313233342e35"].iter().any(|x| s.split(':').any(|p| p == *x));
    assert!(sealed.iter().all(|s| s.starts_with("sm4gcm:") && s.split(':').count() == 4 && !clear(s)), "{sealed:?}");
    common::audit_holds(&api.app, &["enterprise.create", "enterprise.figures"]).await;
}

/// Who sees the figures: the firm's own user, its city's bureau, an assigned expert, the owner.
async fn figures_are_seen_by_the_firm_its_citys_bureau_and_assigned_experts_only(api: Client) {
    let r = Registry::with_figures(&api).await;
    let firm_user = api.user("firm_a", "enterprise", None, Some(&r.a)).await;
    let sz = api.user("sz_bureau", "city_reporter", Some("深圳"), None).await;
    let gz = api.user("gz_bureau", "city_reporter", Some("广州"), None).await;
    let expert = api.user("expert_x", "expert", None, None).await;
    let viewer = api.demo_login("viewer").await;
    for (who, token, sees) in [
        ("firm", &firm_user, true),
        ("sz", &sz, true),
        ("gz", &gz, false),
        ("expert", &expert, false),
        ("viewer", &viewer, false),
    ] {
        let (s, v) = api.call("GET", &format!("/api/v1/enterprises/{}", r.id_a), token, Value::Null).await;
        assert_eq!(s, StatusCode::OK, "{who}: {v}");
        assert_eq!(v["figures_visible"].as_bool(), Some(sees), "{who}: {v}");
        if !sees {
            assert!(v["figures"].is_null(), "{who}");
        }
    }
    // An expert sees figures once assigned; only experts are assigned.
    let experts = format!("/api/v1/enterprises/{}/experts", r.id_a);
    let (s, _) = api.call("POST", &experts, &r.owner, json!({ "username": "expert_x" })).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, v) = api.call("GET", &format!("/api/v1/enterprises/{}", r.id_a), &expert, Value::Null).await;
    assert_eq!(v["figures_visible"].as_bool(), Some(true));
    let (s, _) = api.call("POST", &experts, &r.owner, json!({ "username": "viewer" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "only experts are assigned");
    common::audit_holds(&api.app, &["enterprise.assign_expert"]).await;
}

/// The firm's user cannot read another firm at all, nor list the directory beyond its own, nor write
/// another firm's figures; it reports its own.
async fn a_firms_user_reads_and_writes_its_own_firm_only(api: Client) {
    let r = Registry::new(&api).await;
    let firm_user = api.user("firm_a", "enterprise", None, Some(&r.a)).await;
    let (s, _) = api.call("GET", &format!("/api/v1/enterprises/{}", r.id_b), &firm_user, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, v) = api.call("GET", "/api/v1/enterprises", &firm_user, Value::Null).await;
    assert_eq!((v["total"].as_i64(), v["items"][0]["uscc"].as_str()), (Some(1), Some(r.a.as_str())));
    let (s, _) = figures(&api, &firm_user, r.id_b, json!({ "year": 2025, "figures": { "tax_wan": 1 } })).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let own = json!({ "year": 2025, "source": "企业自报", "figures": { "employees": 120 } });
    let (s, v) = figures(&api, &firm_user, r.id_a, own).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

/// Object-level writes: 广州's bureau cannot touch 深圳's firm, even re-registering it as its own.
async fn a_city_bureau_cannot_touch_another_citys_firm(api: Client) {
    let r = Registry::new(&api).await;
    let gz = api.user("gz_bureau", "city_reporter", Some("广州"), None).await;
    let (s, _) = figures(&api, &gz, r.id_a, json!({ "year": 2025, "figures": { "tax_wan": 1 } })).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let taken = json!({ "uscc": r.a, "name": "夺取", "city": "广州", "scale": "above", "founded_year": 2010 });
    let (s, _) = api.register(&gz, taken).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

const IMPORT_HEADER: &str = "uscc,name,city,scale,founded_year,year,land_mu,tax_wan,revenue_wan,value_added_wan,rd_wan,energy_tce,emission_t,employees,electricity_mwh";

/// Import: all or nothing, every error with its line and column; a truncated file, a missing column.
async fn an_import_is_all_or_nothing_with_every_error_located(api: Client) {
    let owner = api.demo_login("owner").await;
    let (a, c, d) = (uscc("440300", 1), uscc("440300", 3), uscc("440300", 4));
    let bad = miscoded(&a);
    let header = IMPORT_HEADER;
    let bad_csv = format!(
        "{header}\n{c},丙,深圳,above,2001,2025,10,100,1000,300,30,50,,40,200\n{bad},丁,深圳,above,2001,2025,10,100,1000,300,30,50,,40,200\n{d},戊,深圳,above,2001,2025,-3,100,1000,300,30,50,,40,200\n{c},丙2,深圳,above,2001,2025,10,100,1000,300,30,50,,40,200\n"
    );
    let (s, v) = api.raw("POST", "/api/v1/enterprises/import?name=t.csv", &owner, bad_csv.into_bytes()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> =
        v["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["3:uscc", "4:land_mu", "5:uscc"], "{v}");
    let (_, none) = api.call("GET", &format!("/api/v1/enterprises?q={c}"), &owner, Value::Null).await;
    assert_eq!(none["total"], 0, "nothing was imported");
    let (s, v) =
        api.raw("POST", "/api/v1/enterprises/import", &owner, format!("{header}\n{c},\"丙,深圳").into_bytes()).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("2:")), "{v}");
    let (s, v) = api.raw("POST", "/api/v1/enterprises/import", &owner, b"uscc,name\n".to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}

/// GB18030, as Excel saves a CSV in China, imports; 广州's bureau may import only its own city, a firm's
/// user not at all; importing the firm again replaces its figures and keeps the old ones as history.
async fn a_gb18030_import_is_read_and_a_repeat_keeps_the_history(api: Client) {
    let r = Registry::new(&api).await;
    let owner = &r.owner;
    let gz = api.user("gz_bureau", "city_reporter", Some("广州"), None).await;
    let firm_user = api.user("firm_a", "enterprise", None, Some(&r.a)).await;
    let c = uscc("440300", 3);
    let good = format!("{IMPORT_HEADER}\n{c},丙科技（测试）,深圳,above,2001,2025,10,100,1000,300,30,50,,40,200\n");
    let (gb, _, _) = encoding_rs::GB18030.encode(&good);
    let (s, v) = api.raw("POST", "/api/v1/enterprises/import?name=gb.csv", &gz, gb.to_vec()).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("2:city")), "{v}");
    let (s, v) = api.raw("POST", "/api/v1/enterprises/import?name=gb.csv", owner, gb.to_vec()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!((v["created"].as_u64(), v["encoding"].as_str()), (Some(1), Some("GB18030")));
    // Again, with a new name and scale: the record is rewritten and found by its new name.
    let again = good
        .replace(",10,100,1000,", ",10,150,1000,")
        .replace("丙科技（测试）,深圳,above", "丙新材料（测试）,深圳,below");
    let (s, v) = api.raw("POST", "/api/v1/enterprises/import?name=again.csv", owner, again.into_bytes()).await;
    assert_eq!((s, v["updated"].as_u64()), (StatusCode::CREATED, Some(1)), "{v}");
    let (_, found) = api.call("GET", "/api/v1/enterprises?q=丙新材料", owner, Value::Null).await;
    assert_eq!(found["total"], 1, "{found}");
    let (_, old_name) = api.call("GET", "/api/v1/enterprises?q=丙科技", owner, Value::Null).await;
    assert_eq!(old_name["total"], 0, "{old_name}");
    let (_, found) = api.call("GET", &format!("/api/v1/enterprises?q={c}"), owner, Value::Null).await;
    assert_eq!(
        (found["items"][0]["name"].as_str(), found["items"][0]["scale"].as_str()),
        (Some("丙新材料(测试)"), Some("below")),
        "{found}"
    );
    let id_c = found["items"][0]["id"].as_i64().unwrap();
    let h: Vec<(f64, bool)> = history(&api, owner, id_c)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["value"].as_f64().unwrap(), f["is_current"].as_bool().unwrap()))
        .collect();
    assert_eq!(h, [(100.0, false), (150.0, true)]);
    let (s, _) = api.raw("POST", "/api/v1/enterprises/import", &firm_user, gb.to_vec()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a firm's user does not bulk-import");
    common::audit_holds(&api.app, &["enterprise.import"]).await;
}

/// A file longer than what the import writes at a time (2,000 firms) is written while it is still being
/// checked: a mistake near its end, a cell or a firm of another city, must still leave nothing behind;
/// the same file put right is taken whole.
async fn a_long_import_written_while_checked_keeps_nothing_when_a_late_row_is_wrong(api: Client) {
    let r = Registry::new(&api).await;
    let gz = api.user("gz_bureau", "city_reporter", Some("广州"), None).await;
    let before = firm_count(&api, &r.owner).await;
    let rows: String = (0..4_500)
        .map(|k| {
            format!(
                "{},广州企业{k}（测试）,广州,above,2001,2025,10,{},1000,300,30,50,,40,200\n",
                uscc("440100", 100 + k),
                100 + k
            )
        })
        .collect();
    let imports_before = store_imports(&api).await;
    // A wrong number on the last line (line 4,502): refused, naming it.
    let late_cell =
        format!("{IMPORT_HEADER}\n{rows}{},迟到,广州,above,2001,2025,-1,1,1,1,1,1,,1,1\n", uscc("440100", 9_000));
    let (s, v) =
        api.raw("POST", "/api/v1/enterprises/import?name=long.csv", &r.owner, late_cell.clone().into_bytes()).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("4502:land_mu")), "{v}");
    assert_eq!(
        firm_count(&api, &r.owner).await,
        before,
        "the 4,500 firms written before the mistake was found are gone"
    );
    // 深圳's firm near the end of 广州's file: the bureau may not take it over.
    let late_city = format!("{IMPORT_HEADER}\n{rows}{},夺取,广州,above,2001,2025,10,1,1,1,1,1,,1,1\n", r.a);
    let (s, v) = api.raw("POST", "/api/v1/enterprises/import?name=long.csv", &gz, late_city.into_bytes()).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("4502:uscc")), "{v}");
    assert!(v.to_string().contains("其他城市") || v.to_string().contains("another city"), "{v}");
    assert_eq!(firm_count(&api, &r.owner).await, before);
    assert_eq!(store_imports(&api).await, imports_before, "no import was audited");
    // The same as a workbook, whose rows reach the check while the sheet is still being read.
    let (s, v) = api.raw("POST", "/api/v1/enterprises/import?name=long.xlsx", &r.owner, xlsx_of(&late_cell)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let detail = &v["error"]["details"][0];
    assert_eq!(
        (detail["field"].as_str(), v["error"]["details"].as_array().map(Vec::len)),
        (Some("Sheet1!G4502"), Some(1)),
        "{v}"
    );
    assert_eq!(firm_count(&api, &r.owner).await, before);
    // Put right: all of it, once.
    let good = format!("{IMPORT_HEADER}\n{rows}");
    let (s, v) = api.raw("POST", "/api/v1/enterprises/import?name=long.csv", &gz, good.into_bytes()).await;
    assert_eq!(
        (s, v["created"].as_u64(), v["figures"].as_u64()),
        (StatusCode::CREATED, Some(4_500), Some(4_500 * 8)),
        "{v}"
    );
    assert_eq!(firm_count(&api, &r.owner).await, before.map(|n| n + 4_500));
    assert_eq!(store_imports(&api).await, imports_before + 1);
    let last = uscc("440100", 100 + 4_499);
    let (_, found) = api.call("GET", &format!("/api/v1/enterprises?q={last}"), &r.owner, Value::Null).await;
    let id = found["items"][0]["id"].as_i64().unwrap();
    let (_, firm) = api.call("GET", &format!("/api/v1/enterprises/{id}"), &r.owner, Value::Null).await;
    let tax = firm["figures"].as_array().unwrap().iter().find(|f| f["metric"] == "tax_wan").unwrap();
    assert_eq!(tax["value"].as_f64(), Some(4_599.0), "the last firm's own figure, sealed and opened: {firm}");
}

/// Two people correct the same year's figures from the same reading: the second, carrying the version it
/// read, gets 409 with the firm as it is now instead of overwriting the first; a write without a version
/// is made as before.
async fn a_figures_write_with_a_stale_version_is_refused_with_the_record_as_it_is(api: Client) {
    let r = Registry::with_figures(&api).await;
    let read = |firm: &Value, year: i64| {
        let ids = firm["figures"].as_array().unwrap().iter().filter(|f| f["year"] == year);
        ids.filter_map(|f| f["id"].as_i64()).max().unwrap_or(0)
    };
    let (_, firm) = api.call("GET", &format!("/api/v1/enterprises/{}", r.id_a), &r.owner, Value::Null).await;
    let version = read(&firm, 2025);
    assert!(version > 0, "{firm}");
    let body = |tax: f64, version: i64| json!({ "year": 2025, "figures": { "tax_wan": tax }, "version": version });
    let (s, v) = figures(&api, &r.owner, r.id_a, body(1400.0, version)).await;
    assert_eq!(s, StatusCode::CREATED, "the version read is still the newest: {v}");
    let (s, v) = figures(&api, &r.owner, r.id_a, body(1500.0, version)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "stale: {v}");
    let now = &v["error"]["current"];
    assert_eq!(now["id"].as_i64(), Some(r.id_a), "the firm as it is now: {v}");
    let tax = now["figures"].as_array().unwrap().iter().find(|f| f["metric"] == "tax_wan").unwrap();
    assert_eq!(tax["value"].as_f64(), Some(1400.0), "the first writer's value stands: {v}");
    assert!(read(now, 2025) > version, "the record carries the version to retry with: {v}");
    // A year with no figures yet is version 0, once.
    let first = json!({ "year": 2024, "figures": { "tax_wan": 900 }, "version": 0 });
    let (s, v) = figures(&api, &r.owner, r.id_a, first.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = figures(&api, &r.owner, r.id_a, first).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    // Without a version: written, as before.
    let (s, v) = figures(&api, &r.owner, r.id_a, json!({ "year": 2025, "figures": { "tax_wan": 1600 } })).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

/// A CSV text as the first sheet of a workbook: numbers as numbers, the rest as text.
fn xlsx_of(csv: &str) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in csv.lines().enumerate() {
        for (c, v) in line.split(',').enumerate().filter(|(_, v)| !v.is_empty()) {
            let (r, c) = (r as u32, c as u16);
            match v.parse::<f64>() {
                Ok(n) => sheet.write_number(r, c, n).map(|_| ()),
                Err(_) => sheet.write_string(r, c, v).map(|_| ()),
            }
            .unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

/// How many firms the directory lists.
async fn firm_count(api: &Client, token: &str) -> Option<i64> {
    api.call("GET", "/api/v1/enterprises?limit=1", token, Value::Null).await.1["total"].as_i64()
}

/// How many imports of firms the audit log holds.
async fn store_imports(api: &Client) -> usize {
    let rows = api.app.store_for_tests().audit_range(0, i64::MAX, 1_000_000).await.unwrap();
    rows.iter().filter(|r| r.action == "enterprise.import").count()
}

/// An evaluation over the registry: distribution by city, results with items for those who may see them.
async fn an_evaluation_shows_each_reader_what_it_may_see(api: Client) {
    let r = Registry::with_figures(&api).await;
    let firm_user = api.user("firm_a", "enterprise", None, Some(&r.a)).await;
    let viewer = api.demo_login("viewer").await;
    let (s, run) = api.call("POST", "/api/v1/evaluations", &r.owner, json!({ "year": 2025 })).await;
    assert_eq!(s, StatusCode::CREATED, "{run}");
    let run_id = run["id"].as_i64().unwrap();
    let sz_row = run["by_city"].as_array().unwrap().iter().find(|r| r["city"] == "深圳").unwrap().clone();
    let sz_total: i64 = ["A", "B", "C", "D", "T"].iter().map(|k| sz_row[k].as_i64().unwrap()).sum();
    assert!(sz_total > 10, "{sz_row}");
    assert!(run["moves"].is_object(), "the demo's 2024 run gives the movement: {run}");
    let (_, res) =
        api.call("GET", &format!("/api/v1/evaluations/{run_id}/results?city=深圳"), &firm_user, Value::Null).await;
    let mine = res["items"].as_array().unwrap();
    assert_eq!(mine.len(), 1, "the firm's user sees its own result only: {res}");
    assert_eq!(res["total"].as_u64(), Some(1), "the list says how many: {res}");
    assert_eq!(mine[0]["uscc"], r.a.as_str());
    let run_of =
        |v: &Value| v["evaluations"].as_array().unwrap().iter().find(|e| e["evaluation_id"] == run_id).unwrap().clone();
    let (_, v) = api.call("GET", &format!("/api/v1/enterprises/{}", r.id_a), &firm_user, Value::Null).await;
    let eval = run_of(&v);
    let items = eval["items"].as_array().unwrap();
    assert_eq!(items[0]["name"], "亩均税收");
    assert_eq!(items[0]["value"].as_f64(), Some(1300.0 / 50.0), "tax per mu is the corrected tax over land");
    assert!(items[0]["benchmark"].as_f64().unwrap() > 0.0);
    let (_, v) = api.call("GET", &format!("/api/v1/enterprises/{}", r.id_a), &viewer, Value::Null).await;
    let eval = run_of(&v);
    assert!(eval["items"].is_null() && eval["score"].is_null(), "a viewer sees the class only: {eval}");
    assert!(eval["class"].is_string());
    let (s, _) = api.call("GET", &format!("/api/v1/evaluations/{run_id}"), &firm_user, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the distribution is for directory readers");
    common::audit_holds(&api.app, &["evaluation.run"]).await;
}

/// 甲's tax-per-mu score under Huangyan 2022: 1300 / 50 against the benchmark 24.097, weight 30.
const HUANGYAN_TAX_SCORE: f64 = 1300.0 / 50.0 / 24.097 * 30.0;

/// The item scores of 甲 in its latest run of a scheme.
async fn scored(api: &Client, r: &Registry, scheme: &str) -> Value {
    let (_, v) = api.call("GET", &format!("/api/v1/enterprises/{}", r.id_a), &r.owner, Value::Null).await;
    v["evaluations"].as_array().unwrap().iter().find(|e| e["scheme"] == scheme).unwrap().clone()
}

/// A second scheme over the same registry: Huangyan 2022's fixed, published benchmarks.
async fn a_published_scheme_scores_with_its_fixed_benchmarks(api: Client) {
    let r = Registry::with_figures(&api).await;
    let (s, run2) =
        api.call("POST", "/api/v1/evaluations", &r.owner, json!({ "year": 2025, "scheme": "huangyan-2022" })).await;
    assert_eq!(s, StatusCode::CREATED, "{run2}");
    assert_eq!(run2["scheme"], "huangyan-2022");
    let hy = scored(&api, &r, "huangyan-2022").await;
    let tax = &hy["items"][0];
    assert_eq!(tax["benchmark"].as_f64(), Some(24.097), "{hy}");
    let expect = HUANGYAN_TAX_SCORE;
    assert!((tax["score"].as_f64().unwrap() - expect).abs() < 1e-9, "{tax} vs {expect}");
    let (_, schemes) = api.call("GET", "/api/v1/schemes", &r.owner, Value::Null).await;
    assert!(schemes.as_array().unwrap().iter().any(|s| s["id"] == "huangyan-2021"), "{schemes}");
    let (s, v) = api.call("POST", "/api/v1/evaluations", &r.owner, json!({ "year": 2025, "scheme": "nope" })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("scheme")));
    let sz = api.user("sz_bureau", "city_reporter", Some("深圳"), None).await;
    let (s, _) = api.call("POST", "/api/v1/evaluations", &sz, json!({ "year": 2025 })).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn post_scheme(api: &Client, token: &str, scheme: &Value) -> (StatusCode, Value) {
    api.raw("POST", "/api/v1/schemes", token, scheme.to_string().into_bytes()).await
}

/// A jurisdiction's own scheme, added as a file: checked field by field, then used like a shipped one.
async fn a_jurisdictions_own_scheme_is_checked_then_used(api: Client) {
    let r = Registry::with_figures(&api).await;
    let sz = api.user("sz_bureau", "city_reporter", Some("深圳"), None).await;
    let mut local: Value = serde_json::from_str(include_str!("../../../../data/schemes/huangyan-2022.json")).unwrap();
    local["id"] = json!("huangyan-2022");
    let (s, v) = post_scheme(&api, &r.owner, &local).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("id")), "{v}");
    local["id"] = json!("jiangmen-2025");
    local["name"] = json!("江门市2025年度亩均效益评价（测试）");
    local["above"]["items"][0]["weight"] = json!("thirty");
    let (s, v) = post_scheme(&api, &r.owner, &local).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["details"][0]["field"], "above.items[0].weight", "{v}");
    local["above"]["items"][0]["weight"] = json!(60);
    assert_eq!(post_scheme(&api, &sz, &local).await.0, StatusCode::FORBIDDEN);
    let (s, v) = post_scheme(&api, &r.owner, &local).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, run3) =
        api.call("POST", "/api/v1/evaluations", &r.owner, json!({ "year": 2025, "scheme": "jiangmen-2025" })).await;
    assert_eq!(s, StatusCode::CREATED, "{run3}");
    let jm = scored(&api, &r, "jiangmen-2025").await;
    assert!(
        (jm["items"][0]["score"].as_f64().unwrap() - 2.0 * HUANGYAN_TAX_SCORE).abs() < 1e-9,
        "the doubled weight: {jm}"
    );
    let (_, schemes) = api.call("GET", "/api/v1/schemes", &r.owner, Value::Null).await;
    assert!(schemes.as_array().unwrap().iter().any(|s| s["id"] == "jiangmen-2025" && s["builtin"] == false));
}

/// Roles as data: the security administrator narrows the viewer role and adds one; the administrators
/// stay fixed; the plan owner manages no roles.
async fn roles_are_data_the_security_administrator_edits(api: Client) {
    let owner = api.demo_login("owner").await;
    let viewer = api.demo_login("viewer").await;
    let sec = api.user("sec", "security_admin", None, None).await;
    let role = |grant: &str| json!({ "label_zh": "查阅", "label_en": "viewer", "grants": [{ "perm": grant, "scope": "all" }] });
    let (s, v) = api.call("PUT", "/api/v1/roles/viewer", &sec, role("read_plan")).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (s, _) = api.call("GET", "/api/v1/enterprises", &viewer, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the viewer lost the directory");
    let (s, _) = api.call("GET", "/api/v1/plans", &viewer, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = api.call("PUT", "/api/v1/roles/viewer", &sec, role("read_audit")).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("grants")), "{v}");
    let (s, _) = api
        .call(
            "PUT",
            "/api/v1/roles/audit_admin",
            &sec,
            json!({ "label_zh": "审计", "label_en": "audit", "grants": [] }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = api
        .call("PUT", "/api/v1/roles/county_reporter", &sec, json!({ "label_zh": "县区填报员", "label_en": "county reporter", "grants": [{ "perm": "read_plan", "scope": "all" }] }))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, v) = api.call("GET", "/api/v1/roles", &sec, Value::Null).await;
    assert!(v["roles"].as_array().unwrap().iter().any(|r| r["name"] == "county_reporter" && r["builtin"] == false));
    api.user("county", "county_reporter", None, None).await;
    let page = api.get("/users").token(&sec).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("县区填报员"), "a custom role shows its label on the users page");
    let sys = api.login("admin", ADMIN_PASSWORD).await;
    let page = api.get("/users").token(&sys).await;
    assert!(page.body.contains("name=\"uscc\""), "the account form takes an enterprise user's USCC");
    let (s, _) = api
        .call("PUT", "/api/v1/roles/viewer", &owner, json!({ "label_zh": "x", "label_en": "x", "grants": [] }))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the plan owner does not manage roles");
    common::audit_holds(&api.app, &["role.set"]).await;
}
