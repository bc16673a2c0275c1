//! The cultivation libraries, new-project admission and the differentiated resource policy through the
//! API, on SQLite and (with `JIQUN_TEST_POSTGRES`) PostgreSQL, on top of the demo data set: library
//! profiles from registry figures, candidates and designation with every check, the backbone directory's
//! R&D intensity stored as the plan's observation (checked by hand), one proposal of each decision, the
//! policy's per-city summary (checked by hand), who is refused what, and the audit trail. Then the pages,
//! for the plan owner in Chinese and English.

use crate::common;

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Api, uscc};
use serde_json::{Value, json};
use tower::ServiceExt;

fn field(v: &Value) -> Option<&str> {
    v["error"]["details"][0]["field"].as_str()
}

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

#[tokio::test]
async fn the_cultivation_story() {
    for url in jiqun_store::testing::urls().await {
        story(&Api::demo(&url).await, &url).await;
    }
}

async fn story(api: &Api, url: &str) {
    let owner = api.login("owner", "Demo@2025").await;
    let viewer = api.login("viewer", "Demo@2025").await;

    // Five firms of 深圳 with figures for 2023, a year the demo has none of: the library story and the
    // policy's group are these five alone. Firm k has revenue falling with k and electricity 100·k MWh.
    let mut ids = Vec::new();
    let mut usccs = Vec::new();
    let revenue = [30_000.0, 20_000.0, 18_000.0, 12_000.0, 6_000.0];
    let rd = [1_500.0, 2_000.0, 900.0, 240.0, 60.0];
    for k in 0..5 {
        let u = uscc("440300", 900 + k as u32);
        let (s, v) = api
            .call(
                "POST",
                "/api/v1/enterprises",
                &owner,
                json!({ "uscc": u, "name": format!("（测试）培育{k}"), "city": "深圳", "scale": "above", "founded_year": 2019, "industry": "C3973" }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{url}: {v}");
        let id = v["id"].as_i64().unwrap();
        let m = (5 - k) as f64;
        let mut figures = json!({
            "land_mu": 10, "tax_wan": 100.0 * m, "revenue_wan": revenue[k], "value_added_wan": revenue[k] / 4.0,
            "rd_wan": rd[k], "energy_tce": revenue[k] / 100.0, "employees": revenue[k] / 100.0,
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
    let (a, b) = (ids[0], ids[1]);

    // Library profiles: the registry's figures, written by the plan owner only, checked like any figure.
    let profile = |token: String, id: i64, year: i64, figures: Value| async move {
        api.call(
            "POST",
            &format!("/api/v1/enterprises/{id}/profile"),
            &token,
            json!({ "year": year, "source": "申报材料（测试）", "figures": figures }),
        )
        .await
    };
    let (s, _) = profile(viewer.clone(), a, 2023, json!({ "years_in_niche": 6 })).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a viewer edits no profile");
    let (s, v) = profile(owner.clone(), a, 2023, json!({ "land_mu": 6 })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("metric")), "land is no profile figure: {v}");
    let (s, v) = profile(owner.clone(), a, 2023, json!({ "has_it_system": 2 })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("has_it_system")), "{v}");
    let (s, v) = profile(
        owner.clone(),
        a,
        2023,
        json!({
            "main_revenue_wan": 25_500, "years_in_niche": 6, "main_growth_2y": 12, "has_it_system": true,
            "has_certification": 1, "debt_ratio": 40, "niche_share": 15, "own_brand": 1, "has_rd_institution": 1,
            "ipr_class1": 3,
        }),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // Last year's revenue and R&D (the "both years" R&D clause): 1000 / 25000 = 4%.
    let (s, _) = api
        .call(
            "POST",
            &format!("/api/v1/enterprises/{a}/figures"),
            &owner,
            json!({ "year": 2022, "figures": { "revenue_wan": 25_000, "rd_wan": 1_000 } }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = profile(owner.clone(), b, 2023, json!({ "debt_ratio": 75, "years_in_niche": 4 })).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = profile(owner.clone(), ids[2], 2023, json!({ "valuation_usd_m": 1500 })).await;
    assert_eq!(s, StatusCode::CREATED);

    // Firm a meets every little-giant criterion and is not designated: a candidate, every check shown.
    let (s, v) = api.call("GET", &format!("/api/v1/enterprises/{a}/libraries?year=2023"), &owner, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let lg = lib(&v, "little_giant");
    assert_eq!(lg["status"], "candidate", "{lg}");
    let share = check(&lg["assessment"]["checks"], "main_business_share").unwrap();
    assert_eq!((share["outcome"].as_str(), share["value"].as_f64()), (Some("passed"), Some(85.0)), "25500 / 30000");
    let prev = check(&lg["assessment"]["checks"], "band_over_100m_rd_prev").unwrap();
    assert_eq!((prev["outcome"].as_str(), prev["value"].as_f64()), (Some("passed"), Some(4.0)), "{prev}");
    assert_eq!(lib(&v, "unicorn")["status"], "not_member", "no valuation");
    // Firm b: a failed check and one without data; firm c, 4 years old and valued at US$ 1.5 bn, is a unicorn.
    let (_, v) = api.call("GET", &format!("/api/v1/enterprises/{b}/libraries?year=2023"), &owner, Value::Null).await;
    let lgb = lib(&v, "little_giant");
    assert_eq!(lgb["status"], "not_member");
    assert_eq!(check(&lgb["assessment"]["checks"], "debt_ratio").unwrap()["outcome"], "failed");
    assert_eq!(check(&lgb["assessment"]["checks"], "niche_market_share").unwrap()["outcome"], "no_data");
    let (_, v) =
        api.call("GET", &format!("/api/v1/enterprises/{}/libraries?year=2023", ids[2]), &owner, Value::Null).await;
    assert_eq!(lib(&v, "unicorn")["status"], "member", "{v}");

    // Who sees what: the firm's own user sees its checks and nobody else's; a viewer the statuses only.
    let firm_user = api.user("lg_firm", "enterprise", None, Some(&usccs[0])).await;
    let (s, v) =
        api.call("GET", &format!("/api/v1/enterprises/{a}/libraries?year=2023"), &firm_user, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    assert!(lib(&v, "little_giant")["assessment"]["checks"].is_array());
    let (s, _) =
        api.call("GET", &format!("/api/v1/enterprises/{b}/libraries?year=2023"), &firm_user, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an enterprise cannot see another firm's assessment");
    let (s, _) = api.call("GET", "/api/v1/libraries", &firm_user, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the membership lists are for directory readers");
    let (s, v) = api.call("GET", &format!("/api/v1/enterprises/{a}/libraries?year=2023"), &viewer, Value::Null).await;
    assert_eq!((s, v["figures_visible"].as_bool()), (StatusCode::OK, Some(false)));
    assert!(lib(&v, "little_giant")["assessment"].is_null() && lib(&v, "little_giant")["status"] == "candidate");
    let gz = api.user("gz_lib", "city_reporter", Some("广州"), None).await;
    let (_, v) = api.call("GET", "/api/v1/libraries/little_giant?year=2023", &gz, Value::Null).await;
    let entry = v["entries"].as_array().unwrap().iter().find(|e| e["enterprise_id"] == a).unwrap().clone();
    assert_eq!((entry["status"].as_str(), entry["assessment"].is_null()), (Some("candidate"), true), "{entry}");
    let sz = api.user("sz_lib", "city_reporter", Some("深圳"), None).await;
    let (_, v) = api.call("GET", "/api/v1/libraries/little_giant?year=2023", &sz, Value::Null).await;
    let entry = v["entries"].as_array().unwrap().iter().find(|e| e["enterprise_id"] == a).unwrap().clone();
    assert!(entry["assessment"]["checks"].is_array(), "深圳's bureau reads its firms' figures: {entry}");

    // Designation: the plan owner only; the library and chain are checked; twice is a conflict.
    let designate = |token: String, library: &'static str, body: Value| async move {
        api.call("POST", &format!("/api/v1/libraries/{library}/designations"), &token, body).await
    };
    let (s, _) = designate(viewer.clone(), "little_giant", json!({ "enterprise_id": a })).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a viewer cannot designate");
    let (s, _) = designate(sz.clone(), "little_giant", json!({ "enterprise_id": a })).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "nor a city bureau");
    let (s, v) = designate(owner.clone(), "unicorn", json!({ "enterprise_id": a })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("library")), "unicorns are by criteria");
    let (s, _) = designate(owner.clone(), "nope", json!({ "enterprise_id": a })).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = designate(owner.clone(), "backbone", json!({ "enterprise_id": a })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("chain")), "{v}");
    let (s, v) =
        designate(owner.clone(), "little_giant", json!({ "uscc": usccs[0], "reference": "工信部公告（测试）" })).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, _) = designate(owner.clone(), "little_giant", json!({ "enterprise_id": a })).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, v) = api.call("GET", &format!("/api/v1/enterprises/{a}/libraries?year=2023"), &owner, Value::Null).await;
    assert_eq!(lib(&v, "little_giant")["status"], "member");
    assert!(v["designations"].as_array().unwrap().iter().any(|d| d["reference"] == "工信部公告（测试）"));

    // The backbone directory and the plan's indicator: Σ R&D ÷ Σ revenue over the members with figures.
    for (id, chain) in [(a, "ai"), (b, "iot")] {
        let (s, v) = designate(owner.clone(), "backbone", json!({ "enterprise_id": id, "chain": chain })).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (_, v) = api.call("GET", "/api/v1/libraries?year=2023", &owner, Value::Null).await;
    let rd_box = v["backbone_rd"].clone();
    // (1500 + 2000) / (30000 + 20000) × 100 = 7%; the demo's members have no 2023 figures.
    assert_eq!((rd_box["percent"].as_f64(), rd_box["used"].as_u64()), (Some(7.0), Some(2)), "{rd_box}");
    assert_eq!(rd_box["missing"].as_u64().unwrap() + 2, rd_box["members"].as_u64().unwrap());
    let indicator = rd_box["indicator_id"].as_i64().expect("the built-in plan has the indicator");
    let (s, _) = api.call("POST", "/api/v1/libraries/recompute", &viewer, json!({ "year": 2023 })).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = api.call("POST", "/api/v1/libraries/recompute", &owner, json!({ "year": 2023 })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["updates"][0]["value"].as_f64(), v["updates"][0]["stored"].as_bool()), (Some(7.0), Some(true)));
    let current = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|o| o["period"] == "2023" && o["region"] == "" && o["current"] == true)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let (_, obs) = api.call("GET", &format!("/api/v1/indicators/{indicator}/observations"), &owner, Value::Null).await;
    let o = current(&obs);
    assert_eq!(o["value"].as_f64(), Some(7.0), "{obs}");
    let src = o["source"].as_str().unwrap();
    assert!(src.starts_with("由骨干企业目录计算") && src.contains("计入2家"), "{src}");
    // Withdrawn (kept as history): firm a alone, 1500 / 30000 = 5%.
    let (s, _) = api
        .call("POST", "/api/v1/libraries/backbone/withdraw", &viewer, json!({ "enterprise_id": b, "chain": "iot" }))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = api
        .call(
            "POST",
            "/api/v1/libraries/backbone/withdraw",
            &owner,
            json!({ "enterprise_id": b, "chain": "iot", "reason": "不再符合（测试）" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (s, _) = api
        .call("POST", "/api/v1/libraries/backbone/withdraw", &owner, json!({ "enterprise_id": b, "chain": "iot" }))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no longer designated");
    let (_, v) = api.call("POST", "/api/v1/libraries/recompute", &owner, json!({ "year": 2023 })).await;
    assert_eq!(v["updates"][0]["value"].as_f64(), Some(5.0), "{v}");
    let (_, obs) = api.call("GET", &format!("/api/v1/indicators/{indicator}/observations"), &owner, Value::Null).await;
    assert_eq!(current(&obs)["value"].as_f64(), Some(5.0));
    let (_, v) = api.call("GET", &format!("/api/v1/enterprises/{b}/libraries"), &owner, Value::Null).await;
    let withdrawn = v["designations"].as_array().unwrap().iter().find(|d| d["library"] == "backbone").unwrap().clone();
    assert_eq!(
        (withdrawn["active"].as_bool(), withdrawn["withdrawn_reason"].as_str()),
        (Some(false), Some("不再符合（测试）"))
    );
    // A count indicator the plan owner adds is filled from the library's size.
    let (_, plans) = api.call("GET", "/api/v1/plans", &owner, Value::Null).await;
    let plan = plans.as_array().unwrap()[0]["id"].as_i64().unwrap();
    let (s, v) = api
        .call(
            "POST",
            &format!("/api/v1/plans/{plan}/indicators"),
            &owner,
            json!({ "name": "独角兽企业数量", "unit": "个", "direction": "up", "method": "linear", "frequency": "annual", "target_cmp": ">=", "target_value": 10, "target_year": 2025, "by_city": false }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let unicorn_indicator = v["id"].as_i64().unwrap();
    let bind = format!("/api/v1/indicators/{unicorn_indicator}/derivation");
    let (s, v) = api.call("PUT", &bind, &owner, json!({ "derived_from": "library:dragons" })).await;
    assert_eq!(
        (s, v["error"]["details"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("derived_from"))
    );
    let (s, v) = api.call("PUT", &bind, &owner, json!({ "derived_from": "library:unicorn" })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = api.call("POST", "/api/v1/libraries/recompute", &owner, json!({ "year": 2023 })).await;
    let unicorns = v["updates"].as_array().unwrap().iter().find(|u| u["library"] == "unicorn").unwrap().clone();
    assert_eq!(unicorns["value"].as_f64(), Some(1.0), "only firm c has a valuation for 2023: {unicorns}");

    // Admission: one proposal of each decision, every metric's value from the inputs.
    let assess = |token: String, body: Value| async move { api.call("POST", "/api/v1/projects", &token, body).await };
    let (s, v) = assess(
        owner.clone(),
        json!({ "project": "（测试）甲", "city": "深圳", "zone": "provincial_park", "industry_code": "3974", "land_mu": 50,
                "fixed_investment_wan": 20000, "annual_output_wan": 30000, "annual_tax_wan": 1000, "jobs": 100,
                "energy_tce": 2000, "value_added_wan": 8000, "rd_wan": 900 }),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!((v["decision"].as_str(), v["assessed_by_name"].as_str()), (Some("admit"), Some("owner")));
    let metric = |v: &Value, m: &str| {
        v["result"]["metrics"].as_array().unwrap().iter().find(|x| x["metric"] == m).unwrap().clone()
    };
    assert_eq!(metric(&v, "investment_intensity")["value"].as_f64(), Some(400.0), "20000 / 50");
    assert_eq!(metric(&v, "energy_per_value_added")["value"].as_f64(), Some(0.25), "2000 / 8000");
    assert_eq!(metric(&v, "tax_per_mu")["hard"]["confidence"], "H");
    assert_eq!(metric(&v, "tax_per_mu")["soft"]["confidence"], "X", "the soft band is Jiqun's example");
    let (s, v) = assess(
        owner.clone(),
        json!({ "project": "（测试）乙", "city": "广州", "zone": "provincial_park", "industry_code": "3921", "land_mu": 40,
                "fixed_investment_wan": 10000, "annual_output_wan": 16000, "annual_tax_wan": 480, "jobs": 60,
                "energy_tce": 2400, "value_added_wan": 4000, "rd_wan": 400 }),
    )
    .await;
    assert_eq!((s, v["decision"].as_str()), (StatusCode::CREATED, Some("admit_with_conditions")), "{v}");
    assert_eq!(metric(&v, "investment_intensity")["verdict"], "conditional", "250 is within 150 and short of 300");
    assert!(v["result"]["conditions"]["zh"].is_string());
    let gz_project = v["id"].as_i64().unwrap();
    let (s, v) = assess(
        owner.clone(),
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
        owner.clone(),
        json!({ "project": "（测试）丁", "city": "深圳", "zone": "nowhere", "industry_code": "39x" }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> =
        v["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    for f in ["land_mu", "zone", "industry_code"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    // A city's bureau assesses and reads its own city's projects only; a viewer none.
    let (s, _) = assess(
        sz.clone(),
        json!({ "project": "x", "city": "广州", "zone": "other", "industry_code": "39", "land_mu": 1 }),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = assess(sz.clone(), json!({ "project": "（测试）深圳局", "city": "深圳", "zone": "other", "industry_code": "39", "land_mu": 10, "fixed_investment_wan": 2000, "annual_output_wan": 4000, "annual_tax_wan": 100, "energy_tce": 10, "value_added_wan": 1000 })).await;
    assert_eq!((s, v["decision"].as_str()), (StatusCode::CREATED, Some("admit")), "{v}");
    let (_, v) = api.call("GET", "/api/v1/projects", &sz, Value::Null).await;
    assert!(v["items"].as_array().unwrap().iter().all(|p| p["city"] == "深圳"), "{v}");
    assert!(v["table"]["zones"].is_array());
    let (s, _) = api.call("GET", &format!("/api/v1/projects/{gz_project}"), &sz, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = api.call("GET", "/api/v1/projects", &viewer, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The policy on a 2023 run: the five firms form one group, classed A, B, B, C, D by the cut-offs
    // (20 / 60 / 95 % of 5); surcharges are the example's rates × consumption.
    let (s, run) = api.call("POST", "/api/v1/evaluations", &owner, json!({ "year": 2023 })).await;
    assert_eq!(s, StatusCode::CREATED, "{run}");
    let run_id = run["id"].as_i64().unwrap();
    let (_, res) = api.call("GET", &format!("/api/v1/evaluations/{run_id}/results"), &owner, Value::Null).await;
    let class: HashMap<String, String> = res["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["uscc"].as_str().unwrap().to_string(), r["class"].as_str().unwrap().to_string()))
        .collect();
    let (s, p) = api.call("GET", &format!("/api/v1/evaluations/{run_id}/policy"), &owner, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["example"], true);
    let szp = p["cities"].as_array().unwrap().iter().find(|c| c["city"] == "深圳").unwrap().clone();
    assert_eq!(szp["by_class"], json!({ "A": 1, "B": 2, "C": 1, "D": 1, "T": 0 }), "{szp}");
    let (mut electricity, mut water, mut water_missing) = (0.0, 0.0, 0);
    for (k, u) in usccs.iter().enumerate() {
        let mwh = 100.0 * (k + 1) as f64;
        match class[u].as_str() {
            "C" => {
                electricity += 0.05 * mwh * 1000.0;
                water_missing += usize::from(k != 4);
                if k == 4 {
                    water += 0.5 * 1000.0;
                }
            }
            "D" => {
                electricity += 0.1 * mwh * 1000.0;
                water_missing += usize::from(k != 4);
                if k == 4 {
                    water += 1.0 * 1000.0;
                }
            }
            _ => {}
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
    let (s, v) = api.call("GET", &format!("/api/v1/evaluations/{run_id}/policy"), &viewer, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["measures"].as_array().unwrap().is_empty(), "a viewer sees the city totals only");
    let (s, _) = api.call("GET", &format!("/api/v1/evaluations/{run_id}/policy"), &firm_user, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The demo: every library has members, the designation libraries with criteria candidates.
    let (_, v) = api.call("GET", "/api/v1/libraries?year=2025", &owner, Value::Null).await;
    for l in v["libraries"].as_array().unwrap() {
        assert!(l["members"].as_u64().unwrap() > 0, "{} has members", l["id"]);
        if l["membership"] == "designation" && !l["definition"]["criteria"].as_array().unwrap().is_empty() {
            assert!(l["candidates"].as_u64().unwrap() > 0, "{} has candidates", l["id"]);
        }
    }
    assert!(v["backbone_rd"]["stored"].is_array(), "the demo stored the directory's 2025 value: {}", v["backbone_rd"]);

    // Every write is in the audit trail, and the chain holds.
    let audit = api.app.store_for_tests().audit_range(0, i64::MAX, 1_000_000).await.unwrap();
    for action in
        ["library.designate", "library.withdraw", "project.assess", "observation.derive", "enterprise.figures"]
    {
        assert!(audit.iter().any(|r| r.action == action), "{action} audited");
    }
    let withdraw = audit.iter().rev().find(|r| r.action == "library.withdraw").unwrap();
    assert_eq!(withdraw.object_id, usccs[1]);
    assert!(withdraw.detail.contains("不再符合（测试）"), "{}", withdraw.detail);
    common::audit_actions_are_labelled(&api.app).await;
    assert!(matches!(api.app.store_for_tests().verify_audit().await.unwrap(), jiqun_store::AuditCheck::Intact { .. }));
}

/// The pages render for the plan owner in Chinese and English, and the forms work.
#[tokio::test]
async fn the_pages() {
    let api = Api::demo(&jiqun_store::testing::sqlite_url()).await;
    let send = |method: &str, uri: String, cookie: &str, body: String| {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::COOKIE, cookie.to_string())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let router = api.router.clone();
        async move {
            let res = router.oneshot(req).await.unwrap();
            let s = res.status();
            let loc = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            let cookie = res
                .headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|c| c.starts_with("jiqun_session="))
                .map(|c| c.split(';').next().unwrap_or("").to_string());
            let b = axum::body::to_bytes(res.into_body(), 1 << 26).await.unwrap();
            (s, loc, cookie, String::from_utf8_lossy(&b).into_owned())
        }
    };
    let (_, _, cookie, _) = send("POST", "/login".into(), "", "username=owner&password=Demo%402025".into()).await;
    let cookie = cookie.unwrap();
    let (_, _, _, home) = send("GET", "/libraries".into(), &cookie, String::new()).await;
    let csrf = home.split("name=\"csrf\" content=\"").nth(1).and_then(|x| x.split('"').next()).unwrap().to_string();
    let project = api.app.store_for_tests().proposals(None).await.unwrap()[0].id;
    let run = api.app.store_for_tests().evaluations().await.unwrap()[0].id;
    let firm = api.app.store_for_tests().designations(Some("little_giant")).await.unwrap()[0].enterprise_id;
    let mut pages = vec![
        ("/libraries".to_string(), ("培育库", "Cultivation libraries")),
        ("/projects".into(), ("新增工业项目准入", "New industrial project admission")),
        (format!("/projects/{project}"), ("准入", "admission")),
        (format!("/evaluations/{run}/policy"), ("示例", "Example")),
        (format!("/enterprises/{firm}"), ("培育库", "Cultivation libraries")),
    ];
    for id in ["little_giant", "specialised_sme", "single_champion", "unicorn", "backbone", "ai_top100"] {
        pages.push((format!("/libraries/{id}"), ("在库", "Members")));
    }
    for (path, (zh, en)) in &pages {
        for (lang, want) in [("zh", zh), ("en", en)] {
            let (s, _, _, body) = send("GET", format!("{path}?lang={lang}"), &cookie, String::new()).await;
            assert_eq!(s, StatusCode::OK, "{path} {lang}: {}", &body[..body.len().min(300)]);
            assert!(body.contains(want), "{path} {lang} says {want}");
            assert!(!body.contains(" style="), "{path}: no inline styles");
        }
        let (s, _, _, csv) = send("GET", format!("{path}?format=json"), &cookie, String::new()).await;
        assert_eq!(s, StatusCode::OK, "{path} as JSON");
        assert!(csv.contains("\"synthetic\":true") || path.starts_with("/enterprises/"), "{path}");
    }
    // The AI top-100 page shows the weights as Jiqun's example.
    let (_, _, _, body) = send("GET", "/libraries/ai_top100?lang=zh".into(), &cookie, String::new()).await;
    assert!(body.contains("示例权重"), "the weights are labelled as an example");
    // The plan owner sets the weights: the ranking follows, the banner goes, a bad weight names its field.
    let (s, v) = api
        .raw(
            "PUT",
            "/api/v1/libraries/ai_top100/ranking",
            &api.login("owner", "Demo@2025").await,
            br#"{"top_n": 5, "weights": [{"figure": "rd", "weight": -1}], "note": {"zh": "prov", "en": "set"}}"#
                .to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["error"]["details"][0]["field"].as_str().unwrap().contains("weights[0]"), "{v}");
    let (s, v) = api
        .raw(
            "PUT",
            "/api/v1/libraries/ai_top100/ranking",
            &api.login("viewer", "Demo@2025").await,
            br#"{"top_n": 5, "weights": [{"figure": "rd", "weight": 1}], "note": {"zh": "prov", "en": "set"}}"#
                .to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let form =
        format!("csrf={csrf}&top_n=5&w.ai_revenue=1&w.rd=10&w.rd_intensity=1&w.invention_patents=1&w.revenue_growth=1");
    let (s, loc, _, _) = send("POST", "/libraries/ai_top100/ranking".into(), &cookie, form).await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/libraries/ai_top100"));
    let owner = api.login("owner", "Demo@2025").await;
    let (_, v) = api.call("GET", "/api/v1/libraries/ai_top100", &owner, Value::Null).await;
    let members = v["entries"].as_array().unwrap().iter().filter(|e| e["status"] == "member").count();
    assert_eq!(members, 5, "top 5 now: {}", v["entries"]);
    let (_, _, _, body) = send("GET", "/libraries/ai_top100?lang=zh".into(), &cookie, String::new()).await;
    assert!(!body.contains("示例权重"), "the weights are the province's now");
    // Forms: a project through the form, a designation, a refused form without the token.
    let form = format!(
        "csrf={csrf}&project=%EF%BC%88%E6%B5%8B%E8%AF%95%EF%BC%89%E8%A1%A8%E5%8D%95&city=%E6%B7%B1%E5%9C%B3&zone=other&industry_code=3973&land_mu=10&fixed_investment_wan=2000&annual_output_wan=4000&annual_tax_wan=100&energy_tce=10&value_added_wan=1000"
    );
    let (s, loc, _, _) = send("POST", "/projects".into(), &cookie, form).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(loc.starts_with("/projects/"), "{loc}");
    let (s, _, _, body) = send(
        "POST",
        "/projects".into(),
        &cookie,
        format!("csrf={csrf}&project=x&city=%E6%B7%B1%E5%9C%B3&zone=nowhere&industry_code=39&land_mu=abc"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{}", &body[..body.len().min(300)]);
    assert!(body.contains("form-error"));
    let candidate = api.app.store_for_tests().enterprises(&Default::default(), 0, 1).await.unwrap().0[0].id;
    let (s, loc, _, _) = send(
        "POST",
        "/libraries/backbone/designations".into(),
        &cookie,
        format!("csrf={csrf}&enterprise_id={candidate}&chain=iot&reference=x"),
    )
    .await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/libraries/backbone"));
    let (s, _, _, _) =
        send("POST", "/libraries/backbone/designations".into(), &cookie, format!("enterprise_id={candidate}&chain=ai"))
            .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no CSRF token");
    let (s, loc, _, _) = send("POST", "/libraries/recompute".into(), &cookie, format!("csrf={csrf}&year=2025")).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
}
