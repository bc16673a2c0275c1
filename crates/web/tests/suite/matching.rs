//! Chip ↔ terminal matchmaking on SQLite and PostgreSQL: the ranked pairs and their explanations, the filters,
//! what an enterprise and a city bureau see and edit, meetings and outcomes feeding a bound indicator, bad
//! input named by field, the weights.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::{Client, audit_holds, code, tests_on_each_db};

tests_on_each_db!(
    pairs_are_ranked_with_every_score_explained_and_filtered,
    an_enterprise_sees_only_its_own_pairs_and_edits_only_its_own_listings,
    a_signed_outcome_feeds_a_bound_indicator,
    bad_input_is_refused_naming_each_field,
    weights_are_validated_and_set_by_the_plan_owner,
    the_pages_show_pairs_listings_meetings_and_weights,
);

fn fields(v: &Value) -> Vec<String> {
    v["error"]["details"]
        .as_array()
        .map_or_else(Vec::new, |d| d.iter().filter_map(|x| x["field"].as_str().map(String::from)).collect())
}

async fn pairs(api: &Client, token: &str, query: &str) -> Vec<Value> {
    let (s, v) = api.call("GET", &format!("/api/v1/matches{query}"), token, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{query}: {v}");
    v.as_array().unwrap().clone()
}

async fn pairs_are_ranked_with_every_score_explained_and_filtered(api: Client) {
    let owner = api.demo_login("owner").await;
    let all = pairs(&api, &owner, "").await;
    assert!(all.len() >= 7, "the demo's products and needs pair up: {}", all.len());
    let scores: Vec<f64> = all.iter().map(|p| p["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
    for (i, p) in all.iter().enumerate() {
        assert_eq!(p["rank"].as_u64(), Some(i as u64 + 1));
        let parts = p["components"].as_array().unwrap();
        let names: Vec<&str> = parts.iter().map(|c| c["component"].as_str().unwrap()).collect();
        assert_eq!(names, ["category", "maturity", "volume", "proximity", "cooperation", "substitution"]);
        let sum: f64 = parts.iter().map(|c| c["points"].as_f64().unwrap()).sum();
        assert!((sum - scores[i]).abs() < 0.05, "the points add up to the score: {p}");
        assert!(
            parts.iter().all(|c| !c["reason"].as_str().unwrap().is_empty() && !c["label"].as_str().unwrap().is_empty())
        );
        assert_ne!(p["chip_uscc"], p["terminal_uscc"], "a firm is not paired with itself");
    }
    // The demo's signed pair has its prior cooperation counted and its outcome shown.
    let signed = all.iter().find(|p| p["outcome"] == "signed").expect("the demo's signed pair");
    assert_eq!(signed["components"][4]["fit"].as_f64(), Some(1.0), "{signed}");
    assert_eq!(signed["outcome_label"], "签订合同");
    assert_eq!(signed["synthetic"], true);

    // Filters: a chain keeps the categories serving it; a city the pairs with either firm in it.
    let ai = pairs(&api, &owner, "?chain=ai").await;
    assert!(!ai.is_empty() && ai.len() < all.len());
    assert!(ai.iter().all(|p| p["category"] == "ai_chip"), "{ai:?}");
    let city = all[0]["chip_city"].as_str().unwrap().to_string();
    let here = pairs(&api, &owner, &format!("?city={}", crate::common::enc(&city))).await;
    assert!(!here.is_empty());
    assert!(here.iter().all(|p| p["chip_city"] == city.as_str() || p["terminal_city"] == city.as_str()));
    let (s, v) = api.call("GET", "/api/v1/matches?chain=castle&city=%E5%A4%A7%E9%98%AA", &owner, Value::Null).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["city", "chain"], "both named: {v}");

    let (s, cats) = api.call("GET", "/api/v1/matches/categories", &owner, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    assert!(cats.as_array().unwrap().iter().any(|c| c["id"] == "rf_frontend" && c["substitution_priority"] == true));
}

async fn an_enterprise_sees_only_its_own_pairs_and_edits_only_its_own_listings(api: Client) {
    let owner = api.demo_login("owner").await;
    let firm = api.app.store_for_tests().user_by_name("qiye").await.unwrap().unwrap().uscc.unwrap();
    let qiye = api.demo_login("qiye").await;
    let mine = pairs(&api, &qiye, "").await;
    assert!(!mine.is_empty(), "the demo lists a need of the enterprise user's firm");
    assert!(mine.iter().all(|p| p["chip_uscc"] == firm.as_str() || p["terminal_uscc"] == firm.as_str()), "{mine:?}");
    assert!(mine.len() < pairs(&api, &owner, "").await.len());
    let (_, needs) = api.call("GET", "/api/v1/matches/needs", &qiye, Value::Null).await;
    assert!(needs.as_array().unwrap().iter().all(|n| n["uscc"] == firm.as_str()), "{needs}");
    let (_, products) = api.call("GET", "/api/v1/matches/products", &qiye, Value::Null).await;
    assert!(products.as_array().unwrap().iter().all(|n| n["uscc"] == firm.as_str()), "{products}");

    // Its own product, without naming itself; a product of another firm is refused.
    let product = json!({ "name": "（测试）MCU一号", "category": "mcu", "maturity": "mass_production", "process_node_nm": 40, "annual_volume": 1_000_000 });
    let (s, p) = api.call("POST", "/api/v1/matches/products", &qiye, product.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!((p["uscc"].as_str(), p["synthetic"].as_bool()), (Some(firm.as_str()), Some(false)));
    let (_, all_products) = api.call("GET", "/api/v1/matches/products", &owner, Value::Null).await;
    let other = all_products.as_array().unwrap().iter().find(|x| x["uscc"] != firm.as_str()).unwrap().clone();
    let mut for_other = product.clone();
    for_other["uscc"] = other["uscc"].clone();
    let (s, v) = api.call("POST", "/api/v1/matches/products", &qiye, for_other).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let oid = other["id"].as_i64().unwrap();
    let (s, v) = api.call("PUT", &format!("/api/v1/matches/products/{oid}"), &qiye, product.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = api.call("GET", &format!("/api/v1/matches/products/{oid}"), &qiye, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    // Its own edited, then withdrawn; a stale version is a conflict.
    let id = p["id"].as_i64().unwrap();
    let mut edit = product.clone();
    edit["maturity"] = json!("sample");
    edit["active"] = json!(false);
    edit["version"] = p["version"].clone();
    let (s, e) = api.call("PUT", &format!("/api/v1/matches/products/{id}"), &qiye, edit.clone()).await;
    assert_eq!(
        (s, e["maturity"].as_str(), e["active"].as_bool()),
        (StatusCode::OK, Some("sample"), Some(false)),
        "{e}"
    );
    let (s, v) = api.call("PUT", &format!("/api/v1/matches/products/{id}"), &qiye, edit).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, Some("conflict")), "{v}");
    // The refusal carries the product as it is now, as its GET shows it.
    assert_eq!(
        (v["error"]["current"]["id"].as_i64(), v["error"]["current"]["maturity"].as_str()),
        (Some(id), Some("sample")),
        "{v}"
    );
    assert_eq!(v["error"]["current"]["version"], e["version"], "{v}");

    // A city bureau sees what involves its city's firms; a viewer reads all and lists nothing.
    let sz = api.demo_login("shenzhen").await;
    let theirs = pairs(&api, &sz, "").await;
    assert!(theirs.iter().all(|p| p["chip_city"] == "深圳" || p["terminal_city"] == "深圳"), "{theirs:?}");
    // It records meetings on those pairs only.
    let everything = pairs(&api, &owner, "").await;
    let meeting = |p: &Value| json!({ "product_id": p["product_id"], "need_id": p["need_id"], "held_on": "2026-01-10", "place": "（测试）市对接会" });
    let away = everything.iter().find(|p| p["chip_city"] != "深圳" && p["terminal_city"] != "深圳").unwrap();
    let (s, v) = api.call("POST", "/api/v1/matches/meetings", &sz, meeting(away)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let home = everything.iter().find(|p| p["chip_city"] == "深圳" || p["terminal_city"] == "深圳").unwrap();
    let (s, v) = api.call("POST", "/api/v1/matches/meetings", &sz, meeting(home)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let viewer = api.demo_login("viewer").await;
    assert_eq!(pairs(&api, &viewer, "").await.len(), everything.len());
    let (s, _) = api.call("POST", "/api/v1/matches/products", &viewer, product).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A meeting is recorded by officials, not by the firm.
    let (s, _) = api.call("POST", "/api/v1/matches/meetings", &qiye, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    audit_holds(&api.app, &["match_product.create", "match_product.update"]).await;
}

async fn a_signed_outcome_feeds_a_bound_indicator(api: Client) {
    let owner = api.demo_login("owner").await;
    let (_, inds) = api.call("GET", "/api/v1/indicators", &owner, Value::Null).await;
    let ind = inds.as_array().unwrap().iter().find(|i| i["derived_from"].is_null()).unwrap().clone();
    let id = ind["id"].as_i64().unwrap();
    let (s, v) = api
        .call(
            "PUT",
            &format!("/api/v1/indicators/{id}/derivation"),
            &owner,
            json!({ "derived_from": "matches:signed" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let current = |api: Client, owner: String| async move {
        let (_, obs) = api.call("GET", &format!("/api/v1/indicators/{id}/observations"), &owner, Value::Null).await;
        let mut out: Vec<(String, f64, String)> = obs
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["current"] == true && o["region"] == "")
            .map(|o| {
                (
                    o["period"].as_str().unwrap().into(),
                    o["value"].as_f64().unwrap(),
                    o["source"].as_str().unwrap().into(),
                )
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    };
    let before = current(api.clone(), owner.clone()).await;
    let y = |h: &[(String, f64, String)], p: &str| h.iter().find(|x| x.0 == p).map(|x| x.1);
    assert_eq!(y(&before, "2026"), Some(1.0), "the demo's one signed pair: {before:?}");
    assert_eq!(y(&before, "2025"), Some(0.0));
    assert!(before.last().unwrap().2.contains("芯片与终端对接"), "the source says what it is counted from: {before:?}");

    // A meeting on an unsigned pair, then its contract.
    let all = pairs(&api, &owner, "").await;
    let pair = all.iter().find(|p| p["outcome"].is_null() && p["meetings"] == 0).unwrap();
    let meeting = json!({ "product_id": pair["product_id"], "need_id": pair["need_id"], "held_on": "2026-02-01", "place": "（测试）对接会" });
    let (s, m) = api.call("POST", "/api/v1/matches/meetings", &owner, meeting).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert!(m["outcome"].is_null());
    let mid = m["id"].as_i64().unwrap();
    let signed =
        json!({ "outcome": "signed", "outcome_on": "2026-03-01", "note": "（测试）签约", "version": m["version"] });
    let (s, m) = api.call("POST", &format!("/api/v1/matches/meetings/{mid}/outcome"), &owner, signed).await;
    assert_eq!(
        (s, m["outcome"].as_str(), m["outcome_label"].as_str()),
        (StatusCode::OK, Some("signed"), Some("签订合同")),
        "{m}"
    );
    let after = current(api.clone(), owner.clone()).await;
    assert_eq!(y(&after, "2026"), Some(2.0), "{after:?}");
    assert_eq!(y(&after, "2025"), Some(0.0), "not before it was signed");
    // The pair now counts as prior cooperation.
    let again = pairs(&api, &owner, "").await;
    let same = again.iter().find(|p| p["product_id"] == pair["product_id"] && p["need_id"] == pair["need_id"]).unwrap();
    assert_eq!((same["outcome"].as_str(), same["components"][4]["fit"].as_f64()), (Some("signed"), Some(1.0)));
    assert!(same["score"].as_f64() > pair["score"].as_f64());
    // Corrected to no fit: the count goes back.
    let no_fit = json!({ "outcome": "no_fit", "outcome_on": "2026-03-02" });
    let (s, _) = api.call("POST", &format!("/api/v1/matches/meetings/{mid}/outcome"), &owner, no_fit).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(y(&current(api.clone(), owner.clone()).await, "2026"), Some(1.0));
    audit_holds(
        &api.app,
        &["match_meeting.create", "match_meeting.outcome", "observation.derive", "indicator.derivation"],
    )
    .await;
}

async fn bad_input_is_refused_naming_each_field(api: Client) {
    let owner = api.demo_login("owner").await;
    let firm = api.app.store_for_tests().user_by_name("qiye").await.unwrap().unwrap().uscc.unwrap();
    let bad = json!({ "uscc": firm, "name": "", "category": "castle", "maturity": "ripe", "process_node_nm": 0, "annual_volume": -5, "note": "x".repeat(501) });
    let (s, v) = api.call("POST", "/api/v1/matches/products", &owner, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["name", "category", "process_node_nm", "maturity", "annual_volume", "note"], "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("castle"), "{v}");
    let (s, v) = api
        .call(
            "POST",
            "/api/v1/matches/products",
            &owner,
            json!({ "uscc": "91440300MA5F00000X", "name": "x", "category": "mcu", "maturity": "sample" }),
        )
        .await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["uscc".to_string()]), "{v}");
    let (s, v) = api
        .call(
            "POST",
            "/api/v1/matches/needs",
            &owner,
            json!({ "uscc": firm, "name": "x", "category": "mcu", "needed_by": "2027-02-30", "requirements": " " }),
        )
        .await;
    assert_eq!(
        (s, fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["needed_by".to_string(), "requirements".to_string()]),
        "{v}"
    );
    let (s, v) = api.call("POST", "/api/v1/matches/needs", &owner, json!({ "uscc": firm, "name": "x", "category": "mcu", "needed_by": "2027-01-01", "requirements": "r", "colour": "red" })).await;
    assert!(s.is_client_error(), "an unknown field is refused: {s} {v}");
    assert!(v.to_string().contains("colour"), "{v}");

    // Meetings: a pair of two categories, a day to come; outcomes: an unknown one, before the meeting.
    let (_, products) = api.call("GET", "/api/v1/matches/products", &owner, Value::Null).await;
    let (_, needs) = api.call("GET", "/api/v1/matches/needs", &owner, Value::Null).await;
    let p = &products[0];
    let n = needs.as_array().unwrap().iter().find(|n| n["category"] != p["category"]).unwrap();
    let (s, v) = api
        .call(
            "POST",
            "/api/v1/matches/meetings",
            &owner,
            json!({ "product_id": p["id"], "need_id": n["id"], "held_on": "2999-01-01", "place": "x" }),
        )
        .await;
    assert_eq!(
        (s, fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["need_id".to_string(), "held_on".to_string()]),
        "{v}"
    );
    let (s, v) = api
        .call(
            "POST",
            "/api/v1/matches/meetings",
            &owner,
            json!({ "product_id": 999_999, "need_id": n["id"], "held_on": "2026-01-01", "place": "x" }),
        )
        .await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["product_id".to_string()]), "{v}");
    let (_, meetings) = api.call("GET", "/api/v1/matches/meetings", &owner, Value::Null).await;
    let mid = meetings[0]["id"].as_i64().unwrap();
    let (s, v) = api
        .call(
            "POST",
            &format!("/api/v1/matches/meetings/{mid}/outcome"),
            &owner,
            json!({ "outcome": "maybe", "outcome_on": "2000-01-01" }),
        )
        .await;
    assert_eq!(
        (s, fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["outcome".to_string(), "outcome_on".to_string()]),
        "{v}"
    );
    let (s, v) = api
        .call(
            "POST",
            "/api/v1/matches/meetings/999999/outcome",
            &owner,
            json!({ "outcome": "signed", "outcome_on": "2026-01-01" }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    // In English when asked.
    let a = api
        .post("/api/v1/matches/products")
        .token(&owner)
        .lang("en")
        .json(&json!({ "uscc": firm, "name": "x", "category": "castle", "maturity": "sample" }))
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.json()["error"]["message"].as_str().unwrap().contains("is not a chip category id"), "{}", a.body);
}

async fn weights_are_validated_and_set_by_the_plan_owner(api: Client) {
    let owner = api.demo_login("owner").await;
    let (s, d) = api.call("GET", "/api/v1/matches/settings", &owner, Value::Null).await;
    assert_eq!((s, d["weights"]["category"].as_f64()), (StatusCode::OK, Some(25.0)), "defaults: {d}");
    let mut bad = d.clone();
    bad["weights"]["volume"] = json!(-1);
    bad["lead_months"]["sample"] = json!(-2);
    let (s, v) = api.call("PUT", "/api/v1/matches/settings", &owner, bad).await;
    assert_eq!(
        (s, fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["weights.volume".to_string(), "lead_months.sample".to_string()]),
        "{v}"
    );
    let zero = json!({ "weights": { "category": 0, "maturity": 0, "volume": 0, "proximity": 0, "cooperation": 0, "substitution": 0 }, "lead_months": d["lead_months"] });
    let (s, v) = api.call("PUT", "/api/v1/matches/settings", &owner, zero).await;
    assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["weights".to_string()]), "{v}");
    let huge = json!({ "weights": { "category": 1e308, "maturity": 1e308, "volume": 0, "proximity": 0, "cooperation": 0, "substitution": 0 }, "lead_months": d["lead_months"] });
    let (s, v) = api.call("PUT", "/api/v1/matches/settings", &owner, huge).await;
    assert_eq!(
        (s, fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["weights".to_string()]),
        "no infinite sum: {v}"
    );
    let (s, _) = api.call("PUT", "/api/v1/matches/settings", &owner, json!({ "weights": d["weights"] })).await;
    assert!(s.is_client_error(), "lead times are required: {s}");

    // Only proximity counts: a pair in one city scores 100, one in two regions 0.
    let only = json!({ "weights": { "category": 0, "maturity": 0, "volume": 0, "proximity": 1, "cooperation": 0, "substitution": 0 }, "lead_months": d["lead_months"] });
    let viewer = api.demo_login("viewer").await;
    let (s, _) = api.call("PUT", "/api/v1/matches/settings", &viewer, only.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let sz = api.demo_login("shenzhen").await;
    let (s, _) = api.call("PUT", "/api/v1/matches/settings", &sz, only.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a city bureau does not set the province's weights");
    let (s, v) = api.call("PUT", "/api/v1/matches/settings", &owner, only).await;
    assert_eq!((s, v["weights"]["proximity"].as_f64()), (StatusCode::OK, Some(1.0)), "{v}");
    for p in pairs(&api, &owner, "").await {
        let expected = if p["chip_city"] == p["terminal_city"] {
            100.0
        } else {
            p["components"][3]["fit"].as_f64().unwrap() * 100.0
        };
        assert_eq!(p["score"].as_f64(), Some(expected), "{p}");
    }
    audit_holds(&api.app, &["match.settings"]).await;
}

async fn the_pages_show_pairs_listings_meetings_and_weights(api: Client) {
    let owner = api.browser("owner", crate::common::DEMO_PASSWORD).await;
    let page = api.page("/matching", &owner).await;
    assert!(page.contains("芯片与终端对接") && page.contains("六项得分") && page.contains("示例"), "{page}");
    assert!(page.contains("国产替代优先"));
    let filtered = api.page("/matching?chain=ai", &owner).await;
    assert!(filtered.contains("AI芯片") && !filtered.contains("射频前端模组"));
    let csv = api.get("/matching?format=csv").browser(&owner).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("排名") && csv.body.contains("评分说明"), "{}", csv.body);
    let json = api.get("/matching?format=json").browser(&owner).await.json();
    assert_eq!((json["page"].as_str(), json["synthetic"].as_bool()), (Some("matching"), Some(true)));
    assert!(json["items"].as_array().is_some_and(|i| !i.is_empty()));
    for path in ["/matching/products", "/matching/needs", "/matching/meetings"] {
        let page = api.page(path, &owner).await;
        assert!(page.contains("示例"), "{path}");
        let csv = api.get(&format!("{path}?format=csv")).browser(&owner).await;
        assert_eq!(csv.status, StatusCode::OK, "{path}");
        assert!(csv.body.lines().count() > 1, "{path}: {}", csv.body);
        let json = api.get(&format!("{path}?format=json")).browser(&owner).await.json();
        assert!(json["items"].as_array().is_some_and(|i| !i.is_empty()), "{path}");
    }
    let settings = api.page("/matching/settings", &owner).await;
    assert!(settings.contains("修改权重"));
    let a = api
        .submit(
            "/matching/settings",
            &owner,
            &[
                ("csrf", &owner.csrf),
                ("category", "25"),
                ("maturity", "x"),
                ("volume", "15"),
                ("proximity", "15"),
                ("cooperation", "10"),
                ("substitution", "10"),
                ("research", "24"),
                ("sample", "12"),
                ("engineering_validation", "6"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("weights.maturity"), "the field is named");

    // The enterprise user lists a need through the form and sees it; it has no weights form.
    let qiye = api.browser("qiye", crate::common::DEMO_PASSWORD).await;
    api.post_ok(
        "/matching/needs",
        &qiye,
        &[
            ("name", "（测试）手表电源管理"),
            ("category", "power_management"),
            ("annual_volume", "20万"),
            ("needed_by", "2027-12-31"),
            ("requirements", "（测试）低功耗"),
        ],
    )
    .await;
    let page = api.page("/matching/needs", &qiye).await;
    assert!(page.contains("（测试）手表电源管理") && page.contains("20万颗"), "{page}");
    assert!(page.contains("仅显示涉及本企业的条目"));
    // … and withdraws it with its button: it is no longer matched.
    let (_, needs) = api.call("GET", "/api/v1/matches/needs", &api.demo_login("qiye").await, Value::Null).await;
    let mine = needs.as_array().unwrap().iter().find(|n| n["name"] == "（测试）手表电源管理").unwrap().clone();
    let path = format!("/matching/needs/{}/active", mine["id"]);
    let version = mine["version"].to_string();
    api.post_ok(&path, &qiye, &[("active", "0"), ("version", &version)]).await;
    let owner_token = api.demo_login("owner").await;
    let (_, n) = api.call("GET", &format!("/api/v1/matches/needs/{}", mine["id"]), &owner_token, Value::Null).await;
    assert_eq!(n["active"], false, "{n}");
    assert!(pairs(&api, &owner_token, "").await.iter().all(|p| p["need_id"] != mine["id"]));
    assert!(!api.page("/matching/settings", &qiye).await.contains("修改权重"));
    let a = api.submit("/matching/settings", &qiye, &[("csrf", &qiye.csrf)]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}
