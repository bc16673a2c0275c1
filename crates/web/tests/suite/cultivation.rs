//! The cultivation libraries, new-project admission and the differentiated resource policy through the
//! API, on SQLite and (with `JIQUN_TEST_POSTGRES`) PostgreSQL, on top of the demo data set: library
//! profiles from registry figures, candidates and designation with every check, the backbone directory's
//! R&D intensity stored as the plan's observation (checked by hand), one proposal of each decision, the
//! policy's per-city summary (checked by hand), who is refused what, and the audit trail. Then the pages,
//! for the plan owner in Chinese and English.

use crate::common::{self, Client, DEMO_PASSWORD, field, tests_on_each_db, uscc};

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{Value, json};

// Each `async fn …(api: Client)` below is a test run on SQLite and PostgreSQL (see `common::on_each_db`).
tests_on_each_db!(
    library_profiles_are_written_by_the_plan_owner_and_checked,
    a_firm_meeting_every_criterion_is_a_candidate_with_every_check_shown,
    each_reader_sees_the_library_checks_it_may,
    designation_is_the_plan_owners_and_checked,
    the_backbone_directory_fills_the_plans_rd_indicator,
    a_count_indicator_is_filled_from_the_librarys_size,
    admission_decides_each_proposal_from_its_metrics,
    a_city_bureau_assesses_and_reads_its_own_citys_projects_only,
    the_resource_policy_classes_the_firms_and_sums_surcharges_by_city,
    every_demo_library_has_members_and_candidates,
);

/// One library of a firm's libraries answer.
fn lib<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["libraries"].as_array().unwrap().iter().find(|l| l["library"] == id).unwrap_or_else(|| panic!("{id}: {v}"))
}

/// A check anywhere in an assessment's tree, by id.
fn check<'a>(checks: &'a Value, id: &str) -> Option<&'a Value> {
    for c in checks.as_array()? {
        if c["id"] == id {
            return Some(c);
        }
        if let Some(found) = check(&c["children"], id) {
            return Some(found);
        }
    }
    None
}

/// Five firms of 深圳 with figures for 2023, a year the demo has none of: the libraries and the policy's
/// group are these five alone. Firm k has revenue falling with k and electricity 100·k MWh; the last one
/// alone reports its water.
struct Firms {
    owner: String,
    viewer: String,
    ids: Vec<i64>,
    usccs: Vec<String>,
}

const REVENUE: [f64; 5] = [30_000.0, 20_000.0, 18_000.0, 12_000.0, 6_000.0];
const RD: [f64; 5] = [1_500.0, 2_000.0, 900.0, 240.0, 60.0];

impl Firms {
    async fn new(api: &Client) -> Firms {
        let owner = api.demo_login("owner").await;
        let viewer = api.demo_login("viewer").await;
        let (mut ids, mut usccs) = (Vec::new(), Vec::new());
        for k in 0..5 {
            let u = uscc("440300", 900 + k as u32);
            let firm = json!({ "uscc": u, "name": format!("（测试）培育{k}"), "city": "深圳", "scale": "above",
                               "founded_year": 2019, "industry": "C3973" });
            let (s, v) = api.register(&owner, firm).await;
            assert_eq!(s, StatusCode::CREATED, "{}: {v}", api.db);
            let id = v["id"].as_i64().unwrap();
            let m = (5 - k) as f64;
            let mut figures = json!({
                "land_mu": 10, "tax_wan": 100.0 * m, "revenue_wan": REVENUE[k], "value_added_wan": REVENUE[k] / 4.0,
                "rd_wan": RD[k], "energy_tce": REVENUE[k] / 100.0, "employees": REVENUE[k] / 100.0,
                "electricity_mwh": 100.0 * (k + 1) as f64,
            });
            if k == 4 {
                figures["water_m3"] = json!(1000);
            }
            let (s, v) = api
                .call(
                    "POST",
                    &format!("/api/v1/enterprises/{id}/figures"),
                    &owner,
                    json!({ "year": 2023, "source": "测试", "figures": figures }),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
            ids.push(id);
            usccs.push(u);
        }
        Firms { owner, viewer, ids, usccs }
    }

    /// The firms with library profiles: firm a meets every little-giant criterion (with last year's revenue
    /// and R&D: 1000 / 25000 = 4%), firm b is indebted and young in its niche, firm c is valued at US$ 1.5 bn.
    async fn with_profiles(api: &Client) -> Firms {
        let f = Firms::new(api).await;
        let (a, b) = (f.ids[0], f.ids[1]);
        let (s, v) = f
            .profile(
                api,
                &f.owner,
                a,
                json!({
                    "main_revenue_wan": 25_500, "years_in_niche": 6, "main_growth_2y": 12, "has_it_system": true,
                    "has_certification": 1, "debt_ratio": 40, "niche_share": 15, "own_brand": 1, "has_rd_institution": 1,
                    "ipr_class1": 3,
                }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let (s, _) = api
            .call(
                "POST",
                &format!("/api/v1/enterprises/{a}/figures"),
                &f.owner,
                json!({ "year": 2022, "figures": { "revenue_wan": 25_000, "rd_wan": 1_000 } }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, _) = f.profile(api, &f.owner, b, json!({ "debt_ratio": 75, "years_in_niche": 4 })).await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, _) = f.profile(api, &f.owner, f.ids[2], json!({ "valuation_usd_m": 1500 })).await;
        assert_eq!(s, StatusCode::CREATED);
        f
    }

    /// Writes a firm's library profile for 2023.
    async fn profile(&self, api: &Client, token: &str, id: i64, figures: Value) -> (StatusCode, Value) {
        let body = json!({ "year": 2023, "source": "申报材料（测试）", "figures": figures });
        api.call("POST", &format!("/api/v1/enterprises/{id}/profile"), token, body).await
    }

    /// A firm's libraries for 2023 as a reader sees them.
    async fn libraries(&self, api: &Client, token: &str, id: i64) -> (StatusCode, Value) {
        api.call("GET", &format!("/api/v1/enterprises/{id}/libraries?year=2023"), token, Value::Null).await
    }
}

/// Designates a firm into a library.
async fn designate(api: &Client, token: &str, library: &str, body: Value) -> (StatusCode, Value) {
    api.call("POST", &format!("/api/v1/libraries/{library}/designations"), token, body).await
}

/// Library profiles: the registry's figures, written by the plan owner only, checked like any figure.
async fn library_profiles_are_written_by_the_plan_owner_and_checked(api: Client) {
    let f = Firms::new(&api).await;
    let a = f.ids[0];
    let (s, _) = f.profile(&api, &f.viewer, a, json!({ "years_in_niche": 6 })).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a viewer edits no profile");
    let (s, v) = f.profile(&api, &f.owner, a, json!({ "land_mu": 6 })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("metric")), "land is no profile figure: {v}");
    let (s, v) = f.profile(&api, &f.owner, a, json!({ "has_it_system": 2 })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("has_it_system")), "{v}");
    Firms::with_profiles(&api).await;
    common::audit_holds(&api.app, &["enterprise.figures"]).await;
}

/// Firm a meets every little-giant criterion and is not designated: a candidate, every check shown.
/// Firm b: a failed check and one without data; firm c, 4 years old and valued at US$ 1.5 bn, is a unicorn.
async fn a_firm_meeting_every_criterion_is_a_candidate_with_every_check_shown(api: Client) {
    let f = Firms::with_profiles(&api).await;
    let (s, v) = f.libraries(&api, &f.owner, f.ids[0]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let lg = lib(&v, "little_giant");
    assert_eq!(lg["status"], "candidate", "{lg}");
    let share = check(&lg["assessment"]["checks"], "main_business_share").unwrap();
    assert_eq!((share["outcome"].as_str(), share["value"].as_f64()), (Some("passed"), Some(85.0)), "25500 / 30000");
    let prev = check(&lg["assessment"]["checks"], "band_over_100m_rd_prev").unwrap();
    assert_eq!((prev["outcome"].as_str(), prev["value"].as_f64()), (Some("passed"), Some(4.0)), "{prev}");
    assert_eq!(lib(&v, "unicorn")["status"], "not_member", "no valuation");
    let (_, v) = f.libraries(&api, &f.owner, f.ids[1]).await;
    let lgb = lib(&v, "little_giant");
    assert_eq!(lgb["status"], "not_member");
    assert_eq!(check(&lgb["assessment"]["checks"], "debt_ratio").unwrap()["outcome"], "failed");
    assert_eq!(check(&lgb["assessment"]["checks"], "niche_market_share").unwrap()["outcome"], "no_data");
    let (_, v) = f.libraries(&api, &f.owner, f.ids[2]).await;
    assert_eq!(lib(&v, "unicorn")["status"], "member", "{v}");
}

/// Who sees what: the firm's own user sees its checks and nobody else's; a viewer the statuses only; a
/// city's bureau reads its own firms' figures.
async fn each_reader_sees_the_library_checks_it_may(api: Client) {
    let f = Firms::with_profiles(&api).await;
    let (a, b) = (f.ids[0], f.ids[1]);
    let firm_user = api.user("lg_firm", "enterprise", None, Some(&f.usccs[0])).await;
    let (s, v) = f.libraries(&api, &firm_user, a).await;
    assert_eq!(s, StatusCode::OK);
    assert!(lib(&v, "little_giant")["assessment"]["checks"].is_array());
    let (s, _) = f.libraries(&api, &firm_user, b).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an enterprise cannot see another firm's assessment");
    let (s, _) = api.call("GET", "/api/v1/libraries", &firm_user, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the membership lists are for directory readers");
    let (s, v) = f.libraries(&api, &f.viewer, a).await;
    assert_eq!((s, v["figures_visible"].as_bool()), (StatusCode::OK, Some(false)));
    assert!(lib(&v, "little_giant")["assessment"].is_null() && lib(&v, "little_giant")["status"] == "candidate");
    let entry_of =
        |v: &Value| v["entries"].as_array().unwrap().iter().find(|e| e["enterprise_id"] == a).unwrap().clone();
    let gz = api.user("gz_lib", "city_reporter", Some("广州"), None).await;
    let (_, v) = api.call("GET", "/api/v1/libraries/little_giant?year=2023", &gz, Value::Null).await;
    let entry = entry_of(&v);
    assert_eq!((entry["status"].as_str(), entry["assessment"].is_null()), (Some("candidate"), true), "{entry}");
    let sz = api.user("sz_lib", "city_reporter", Some("深圳"), None).await;
    let (_, v) = api.call("GET", "/api/v1/libraries/little_giant?year=2023", &sz, Value::Null).await;
    let entry = entry_of(&v);
    assert!(entry["assessment"]["checks"].is_array(), "深圳's bureau reads its firms' figures: {entry}");
}

/// Designation: the plan owner only; the library and chain are checked; twice is a conflict.
async fn designation_is_the_plan_owners_and_checked(api: Client) {
    let f = Firms::with_profiles(&api).await;
    let (owner, a) = (&f.owner, f.ids[0]);
    let sz = api.user("sz_lib", "city_reporter", Some("深圳"), None).await;
    let (s, _) = designate(&api, &f.viewer, "little_giant", json!({ "enterprise_id": a })).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a viewer cannot designate");
    let (s, _) = designate(&api, &sz, "little_giant", json!({ "enterprise_id": a })).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "nor a city bureau");
    let (s, v) = designate(&api, owner, "unicorn", json!({ "enterprise_id": a })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("library")), "unicorns are by criteria");
    let (s, _) = designate(&api, owner, "nope", json!({ "enterprise_id": a })).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = designate(&api, owner, "backbone", json!({ "enterprise_id": a })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("chain")), "{v}");
    let by_uscc = json!({ "uscc": f.usccs[0], "reference": "工信部公告（测试）" });
    let (s, v) = designate(&api, owner, "little_giant", by_uscc).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, _) = designate(&api, owner, "little_giant", json!({ "enterprise_id": a })).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, v) = f.libraries(&api, owner, a).await;
    assert_eq!(lib(&v, "little_giant")["status"], "member");
    assert!(v["designations"].as_array().unwrap().iter().any(|d| d["reference"] == "工信部公告（测试）"));
    common::audit_holds(&api.app, &["library.designate"]).await;
}

/// The plan's current observation of an indicator for 2023, or `Null`.
async fn current_2023(api: &Client, token: &str, indicator: i64) -> Value {
    let (_, obs) = api.call("GET", &format!("/api/v1/indicators/{indicator}/observations"), token, Value::Null).await;
    obs.as_array()
        .unwrap()
        .iter()
        .find(|o| o["period"] == "2023" && o["region"] == "" && o["current"] == true)
        .cloned()
        .unwrap_or(Value::Null)
}

/// The backbone directory and the plan's indicator: Σ R&D ÷ Σ revenue over the members with figures,
/// recomputed by the plan owner when a member is withdrawn (kept as history).
async fn the_backbone_directory_fills_the_plans_rd_indicator(api: Client) {
    let f = Firms::with_profiles(&api).await;
    let (owner, viewer, a, b) = (&f.owner, &f.viewer, f.ids[0], f.ids[1]);
    for (id, chain) in [(a, "ai"), (b, "iot")] {
        let (s, v) = designate(&api, owner, "backbone", json!({ "enterprise_id": id, "chain": chain })).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (_, v) = api.call("GET", "/api/v1/libraries?year=2023", owner, Value::Null).await;
    let rd_box = v["backbone_rd"].clone();
    // (1500 + 2000) / (30000 + 20000) × 100 = 7%; the demo's members have no 2023 figures.
    assert_eq!((rd_box["percent"].as_f64(), rd_box["used"].as_u64()), (Some(7.0), Some(2)), "{rd_box}");
    assert_eq!(rd_box["missing"].as_u64().unwrap() + 2, rd_box["members"].as_u64().unwrap());
    let indicator = rd_box["indicator_id"].as_i64().expect("the built-in plan has the indicator");
    let recompute = |token| api.call("POST", "/api/v1/libraries/recompute", token, json!({ "year": 2023 }));
    assert_eq!(recompute(viewer).await.0, StatusCode::FORBIDDEN);
    let (s, v) = recompute(owner).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["updates"][0]["value"].as_f64(), v["updates"][0]["stored"].as_bool()), (Some(7.0), Some(true)));
    let o = current_2023(&api, owner, indicator).await;
    assert_eq!(o["value"].as_f64(), Some(7.0), "{o}");
    let src = o["source"].as_str().unwrap();
    assert!(src.starts_with("由骨干企业目录计算") && src.contains("计入2家"), "{src}");
    // Withdrawn (kept as history): firm a alone, 1500 / 30000 = 5%.
    let withdraw = |token, body| api.call("POST", "/api/v1/libraries/backbone/withdraw", token, body);
    let (s, _) = withdraw(viewer, json!({ "enterprise_id": b, "chain": "iot" })).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = withdraw(owner, json!({ "enterprise_id": b, "chain": "iot", "reason": "不再符合（测试）" })).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (s, _) = withdraw(owner, json!({ "enterprise_id": b, "chain": "iot" })).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no longer designated");
    let (_, v) = recompute(owner).await;
    assert_eq!(v["updates"][0]["value"].as_f64(), Some(5.0), "{v}");
    assert_eq!(current_2023(&api, owner, indicator).await["value"].as_f64(), Some(5.0));
    let (_, v) = api.call("GET", &format!("/api/v1/enterprises/{b}/libraries"), owner, Value::Null).await;
    let withdrawn = v["designations"].as_array().unwrap().iter().find(|d| d["library"] == "backbone").unwrap().clone();
    assert_eq!(
        (withdrawn["active"].as_bool(), withdrawn["withdrawn_reason"].as_str()),
        (Some(false), Some("不再符合（测试）"))
    );
    let audit = api.app.store_for_tests().audit_range(0, i64::MAX, 1_000_000).await.unwrap();
    let withdraw = audit.iter().rev().find(|r| r.action == "library.withdraw").unwrap();
    assert_eq!(withdraw.object_id, f.usccs[1]);
    assert!(withdraw.detail.contains("不再符合（测试）"), "{}", withdraw.detail);
    common::audit_holds(&api.app, &["library.designate", "library.withdraw", "observation.derive"]).await;
}

/// A count indicator the plan owner adds is filled from the library's size.
async fn a_count_indicator_is_filled_from_the_librarys_size(api: Client) {
    let f = Firms::with_profiles(&api).await;
    let (_, plans) = api.call("GET", "/api/v1/plans", &f.owner, Value::Null).await;
    let plan = plans.as_array().unwrap()[0]["id"].as_i64().unwrap();
    let (s, v) = api
        .call(
            "POST",
            &format!("/api/v1/plans/{plan}/indicators"),
            &f.owner,
            json!({ "name": "独角兽企业数量", "unit": "个", "direction": "up", "method": "linear", "frequency": "annual", "target_cmp": ">=", "target_value": 10, "target_year": 2025, "by_city": false }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let unicorn_indicator = v["id"].as_i64().unwrap();
    let bind = format!("/api/v1/indicators/{unicorn_indicator}/derivation");
    let (s, v) = api.call("PUT", &bind, &f.owner, json!({ "derived_from": "library:dragons" })).await;
    assert_eq!(
        (s, v["error"]["details"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("derived_from"))
    );
    let (s, v) = api.call("PUT", &bind, &f.owner, json!({ "derived_from": "library:unicorn" })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = api.call("POST", "/api/v1/libraries/recompute", &f.owner, json!({ "year": 2023 })).await;
    let unicorns = v["updates"].as_array().unwrap().iter().find(|u| u["library"] == "unicorn").unwrap().clone();
    assert_eq!(unicorns["value"].as_f64(), Some(1.0), "only firm c has a valuation for 2023: {unicorns}");
}

/// A proposed project's assessment.
async fn assess(api: &Client, token: &str, body: Value) -> (StatusCode, Value) {
    api.call("POST", "/api/v1/projects", token, body).await
}

/// A project of 广州 that is admitted with conditions (investment intensity 250 is within 150 and short of
/// 300).
fn guangzhou_project() -> Value {
    json!({ "project": "（测试）乙", "city": "广州", "zone": "provincial_park", "industry_code": "3921", "land_mu": 40,
            "fixed_investment_wan": 10000, "annual_output_wan": 16000, "annual_tax_wan": 480, "jobs": 60,
            "energy_tce": 2400, "value_added_wan": 4000, "rd_wan": 400 })
}

/// Admission: one proposal of each decision, every metric's value from the inputs.
async fn admission_decides_each_proposal_from_its_metrics(api: Client) {
    let owner = api.demo_login("owner").await;
    let metric = |v: &Value, m: &str| {
        v["result"]["metrics"].as_array().unwrap().iter().find(|x| x["metric"] == m).unwrap().clone()
    };
    let (s, v) = assess(
        &api,
        &owner,
        json!({ "project": "（测试）甲", "city": "深圳", "zone": "provincial_park", "industry_code": "3974", "land_mu": 50,
                "fixed_investment_wan": 20000, "annual_output_wan": 30000, "annual_tax_wan": 1000, "jobs": 100,
                "energy_tce": 2000, "value_added_wan": 8000, "rd_wan": 900 }),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!((v["decision"].as_str(), v["assessed_by_name"].as_str()), (Some("admit"), Some("owner")));
    assert_eq!(metric(&v, "investment_intensity")["value"].as_f64(), Some(400.0), "20000 / 50");
    assert_eq!(metric(&v, "energy_per_value_added")["value"].as_f64(), Some(0.25), "2000 / 8000");
    assert_eq!(metric(&v, "tax_per_mu")["hard"]["confidence"], "H");
    assert_eq!(metric(&v, "tax_per_mu")["soft"]["confidence"], "X", "the soft band is Jiqun's example");
    let (s, v) = assess(&api, &owner, guangzhou_project()).await;
    assert_eq!((s, v["decision"].as_str()), (StatusCode::CREATED, Some("admit_with_conditions")), "{v}");
    assert_eq!(metric(&v, "investment_intensity")["verdict"], "conditional", "250 is within 150 and short of 300");
    assert!(v["result"]["conditions"]["zh"].is_string());
    let (s, v) = assess(
        &api,
        &owner,
        json!({ "project": "（测试）丙", "city": "东莞", "zone": "other", "industry_code": "3360", "land_mu": 80,
                "fixed_investment_wan": 8000, "annual_output_wan": 16000, "annual_tax_wan": 400, "energy_tce": 3000,
                "value_added_wan": 3000 }),
    )
    .await;
    assert_eq!((s, v["decision"].as_str()), (StatusCode::CREATED, Some("reject")), "{v}");
    assert_eq!(
        (metric(&v, "tax_per_mu")["value"].as_f64(), metric(&v, "tax_per_mu")["verdict"].as_str()),
        (Some(5.0), Some("fail"))
    );
    assert!(!v["result"]["reasons"].as_array().unwrap().is_empty());
    let (s, v) = assess(
        &api,
        &owner,
        json!({ "project": "（测试）丁", "city": "深圳", "zone": "nowhere", "industry_code": "39x" }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> =
        v["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    for f in ["land_mu", "zone", "industry_code"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    common::audit_holds(&api.app, &["project.assess"]).await;
}

/// A city's bureau assesses and reads its own city's projects only; a viewer none.
async fn a_city_bureau_assesses_and_reads_its_own_citys_projects_only(api: Client) {
    let owner = api.demo_login("owner").await;
    let viewer = api.demo_login("viewer").await;
    let sz = api.user("sz_lib", "city_reporter", Some("深圳"), None).await;
    let (s, v) = assess(&api, &owner, guangzhou_project()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let gz_project = v["id"].as_i64().unwrap();
    let (s, _) = assess(
        &api,
        &sz,
        json!({ "project": "x", "city": "广州", "zone": "other", "industry_code": "39", "land_mu": 1 }),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = assess(&api, &sz, json!({ "project": "（测试）深圳局", "city": "深圳", "zone": "other", "industry_code": "39", "land_mu": 10, "fixed_investment_wan": 2000, "annual_output_wan": 4000, "annual_tax_wan": 100, "energy_tce": 10, "value_added_wan": 1000 })).await;
    assert_eq!((s, v["decision"].as_str()), (StatusCode::CREATED, Some("admit")), "{v}");
    let (_, v) = api.call("GET", "/api/v1/projects", &sz, Value::Null).await;
    assert!(v["items"].as_array().unwrap().iter().all(|p| p["city"] == "深圳"), "{v}");
    assert!(v["table"]["zones"].is_array());
    let (s, _) = api.call("GET", &format!("/api/v1/projects/{gz_project}"), &sz, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = api.call("GET", "/api/v1/projects/admissions", &viewer, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "admission checks are for those who assess");
    let (s, _) = api.call("GET", "/api/v1/projects", &viewer, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "viewers read the key projects");
}

/// The policy on a 2023 run: the five firms form one group, classed A, B, B, C, D by the cut-offs
/// (20 / 60 / 95 % of 5); surcharges are the example's rates × consumption.
async fn the_resource_policy_classes_the_firms_and_sums_surcharges_by_city(api: Client) {
    let f = Firms::new(&api).await;
    let (owner, usccs) = (&f.owner, &f.usccs);
    let firm_user = api.user("lg_firm", "enterprise", None, Some(&usccs[0])).await;
    let (s, run) = api.call("POST", "/api/v1/evaluations", owner, json!({ "year": 2023 })).await;
    assert_eq!(s, StatusCode::CREATED, "{run}");
    let run_id = run["id"].as_i64().unwrap();
    let (_, res) = api.call("GET", &format!("/api/v1/evaluations/{run_id}/results"), owner, Value::Null).await;
    let class: HashMap<String, String> = res["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["uscc"].as_str().unwrap().to_string(), r["class"].as_str().unwrap().to_string()))
        .collect();
    let policy = format!("/api/v1/evaluations/{run_id}/policy");
    let (s, p) = api.call("GET", &policy, owner, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["example"], true);
    let szp = p["cities"].as_array().unwrap().iter().find(|c| c["city"] == "深圳").unwrap().clone();
    assert_eq!(szp["by_class"], json!({ "A": 1, "B": 2, "C": 1, "D": 1, "T": 0 }), "{szp}");
    let (mut electricity, mut water, mut water_missing) = (0.0, 0.0, 0);
    for (k, u) in usccs.iter().enumerate() {
        let mwh = 100.0 * (k + 1) as f64;
        let (electricity_rate, water_rate) = match class[u].as_str() {
            "C" => (0.05, 0.5),
            "D" => (0.1, 1.0),
            _ => continue,
        };
        electricity += electricity_rate * mwh * 1000.0;
        water_missing += usize::from(k != 4);
        if k == 4 {
            water += water_rate * 1000.0;
        }
    }
    // As designed (falling figures), C is the fourth firm and D the fifth: 0.05 × 400 × 1000 + 0.1 × 500 × 1000.
    assert_eq!((class[&usccs[3]].as_str(), class[&usccs[4]].as_str()), ("C", "D"));
    assert_eq!(electricity, 70_000.0);
    assert!((szp["electricity_surcharge_yuan"].as_f64().unwrap() - electricity).abs() < 1e-6, "{szp}");
    assert!((szp["water_surcharge_yuan"].as_f64().unwrap() - water).abs() < 1e-6, "{szp}");
    assert_eq!(szp["water_missing"].as_u64(), Some(water_missing as u64));
    assert_eq!((szp["land_quota"]["priority"].as_u64(), szp["land_quota"]["excluded"].as_u64()), (Some(3), Some(1)));
    assert_eq!(szp["energy_quota"]["priority"].as_u64(), Some(3));
    assert_eq!(p["measures"].as_array().unwrap().len(), 5, "the owner sees every firm's measures");
    let (s, v) = api.call("GET", &policy, &f.viewer, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["measures"].as_array().unwrap().is_empty(), "a viewer sees the city totals only");
    let (s, _) = api.call("GET", &policy, &firm_user, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    common::audit_holds(&api.app, &["enterprise.figures"]).await;
}

/// The demo: every library has members, the designation libraries with criteria candidates.
async fn every_demo_library_has_members_and_candidates(api: Client) {
    let owner = api.demo_login("owner").await;
    let (_, v) = api.call("GET", "/api/v1/libraries?year=2025", &owner, Value::Null).await;
    for l in v["libraries"].as_array().unwrap() {
        assert!(l["members"].as_u64().unwrap() > 0, "{} has members", l["id"]);
        if l["membership"] == "designation" && !l["definition"]["criteria"].as_array().unwrap().is_empty() {
            assert!(l["candidates"].as_u64().unwrap() > 0, "{} has candidates", l["id"]);
        }
    }
    assert!(v["backbone_rd"]["stored"].is_array(), "the demo stored the directory's 2025 value: {}", v["backbone_rd"]);
}

/// The pages render for the plan owner in Chinese and English, and give their data as JSON.
#[tokio::test]
async fn cultivation_pages_render_in_both_languages() {
    let ui = Client::demo_sqlite().await;
    let owner = ui.browser("owner", DEMO_PASSWORD).await;
    let store = ui.app.store_for_tests();
    let project = store.proposals(None).await.unwrap()[0].id;
    let run = store.evaluations().await.unwrap()[0].id;
    let firm = store.designations(Some("little_giant")).await.unwrap()[0].enterprise_id;
    let mut pages = vec![
        ("/libraries".to_string(), ("培育库", "Cultivation libraries")),
        ("/projects/admission".into(), ("新增工业项目准入", "New industrial project admission")),
        (format!("/projects/admission/{project}"), ("准入", "admission")),
        ("/projects".into(), ("重点项目", "Key projects")),
        (format!("/evaluations/{run}/policy"), ("示例", "Example")),
        (format!("/enterprises/{firm}"), ("培育库", "Cultivation libraries")),
    ];
    for id in ["little_giant", "specialised_sme", "single_champion", "unicorn", "backbone", "ai_top100"] {
        pages.push((format!("/libraries/{id}"), ("在库", "Members")));
    }
    for (path, (zh, en)) in &pages {
        for (lang, want) in [("zh", zh), ("en", en)] {
            let a = ui.get(&format!("{path}?lang={lang}")).browser(&owner).await;
            assert_eq!(a.status, StatusCode::OK, "{path} {lang}: {}", &a.body[..a.body.len().min(300)]);
            assert!(a.body.contains(want), "{path} {lang} says {want}");
            assert!(!a.body.contains(" style="), "{path}: no inline styles");
        }
        let a = ui.get(&format!("{path}?format=json")).browser(&owner).await;
        assert_eq!(a.status, StatusCode::OK, "{path} as JSON");
        assert!(a.body.contains("\"synthetic\":true") || path.starts_with("/enterprises/"), "{path}");
    }
}

/// The AI top-100 page shows the weights as Jiqun's example until the plan owner sets them: the ranking
/// follows, the banner goes, a bad weight names its field.
#[tokio::test]
async fn the_plan_owner_sets_the_ai_top_100_weights() {
    let ui = Client::demo_sqlite().await;
    let owner = ui.browser("owner", DEMO_PASSWORD).await;
    let page = ui.get("/libraries/ai_top100?lang=zh").browser(&owner).await;
    assert!(page.body.contains("示例权重"), "the weights are labelled as an example");
    let ranking = |weight: i64| {
        format!(r#"{{"top_n": 5, "weights": [{{"figure": "rd", "weight": {weight}}}], "note": {{"zh": "prov", "en": "set"}}}}"#)
            .into_bytes()
    };
    let (s, v) = ui.raw("PUT", "/api/v1/libraries/ai_top100/ranking", &ui.demo_login("owner").await, ranking(-1)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(field(&v).unwrap().contains("weights[0]"), "{v}");
    let (s, v) = ui.raw("PUT", "/api/v1/libraries/ai_top100/ranking", &ui.demo_login("viewer").await, ranking(1)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let csrf = owner.csrf.as_str();
    let weights =
        format!("csrf={csrf}&top_n=5&w.ai_revenue=1&w.rd=10&w.rd_intensity=1&w.invention_patents=1&w.revenue_growth=1");
    let a = ui.post("/libraries/ai_top100/ranking").browser(&owner).form_encoded(&weights).await;
    assert_eq!((a.status, a.location()), (StatusCode::SEE_OTHER, "/libraries/ai_top100"));
    let (_, v) = ui.call("GET", "/api/v1/libraries/ai_top100", &ui.demo_login("owner").await, Value::Null).await;
    let members = v["entries"].as_array().unwrap().iter().filter(|e| e["status"] == "member").count();
    assert_eq!(members, 5, "top 5 now: {}", v["entries"]);
    let page = ui.get("/libraries/ai_top100?lang=zh").browser(&owner).await;
    assert!(!page.body.contains("示例权重"), "the weights are the province's now");
}

/// Forms: a project through the form, a designation, a refused form without the token, a recomputation.
#[tokio::test]
async fn cultivation_forms_assess_designate_and_recompute() {
    let ui = Client::demo_sqlite().await;
    let owner = ui.browser("owner", DEMO_PASSWORD).await;
    let csrf = owner.csrf.as_str();
    let project = [
        ("csrf", csrf),
        ("project", "（测试）表单"),
        ("city", "深圳"),
        ("zone", "other"),
        ("industry_code", "3973"),
        ("land_mu", "10"),
        ("fixed_investment_wan", "2000"),
        ("annual_output_wan", "4000"),
        ("annual_tax_wan", "100"),
        ("energy_tce", "10"),
        ("value_added_wan", "1000"),
    ];
    let a = ui.submit("/projects", &owner, &project).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert!(a.location().starts_with("/projects/"), "{}", a.location());
    let bad = [
        ("csrf", csrf),
        ("project", "x"),
        ("city", "深圳"),
        ("zone", "nowhere"),
        ("industry_code", "39"),
        ("land_mu", "abc"),
    ];
    let a = ui.submit("/projects", &owner, &bad).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", &a.body[..a.body.len().min(300)]);
    assert!(a.body.contains("form-error"));
    let candidate = ui.app.store_for_tests().enterprises(&Default::default(), 0, 1).await.unwrap().0[0].id;
    let candidate = candidate.to_string();
    let designation = [("csrf", csrf), ("enterprise_id", &candidate), ("chain", "iot"), ("reference", "x")];
    let a = ui.submit("/libraries/backbone/designations", &owner, &designation).await;
    assert_eq!((a.status, a.location()), (StatusCode::SEE_OTHER, "/libraries/backbone"));
    let a =
        ui.submit("/libraries/backbone/designations", &owner, &[("enterprise_id", &candidate), ("chain", "ai")]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "no CSRF token");
    let a = ui.submit("/libraries/recompute", &owner, &[("csrf", csrf), ("year", "2025")]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.location());
    common::audit_holds(&ui.app, &["project.assess", "library.designate"]).await;
}
