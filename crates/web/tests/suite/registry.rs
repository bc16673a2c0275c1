//! The enterprise registry and the per-mu evaluations through the API, on SQLite and (with
//! `JIQUN_TEST_POSTGRES`) PostgreSQL: registration with USCC checks, figures sealed at rest with their
//! history, who sees which firm's figures, the all-or-nothing CSV import, evaluation runs with their
//! distribution and movement, and roles edited as data.

use crate::common;

use axum::http::StatusCode;
use common::{Api, uscc};
use serde_json::{Value, json};

#[tokio::test]
async fn the_registry_story() {
    for url in jiqun_store::testing::urls().await {
        story(&Api::demo(&url).await, &url).await;
    }
}

async fn story(api: &Api, url: &str) {
    let owner = api.login("owner", "Demo@2025").await;
    let a = uscc("440300", 1);
    let b = uscc("440100", 2);

    // The directory follows the province's city order (广州 first, though 东莞 sorts first by code point).
    let (_, dir) = api.call("GET", "/api/v1/enterprises?limit=1000", &owner, Value::Null).await;
    let cities: Vec<&str> = dir["items"].as_array().unwrap().iter().map(|e| e["city"].as_str().unwrap()).collect();
    assert_eq!(cities.first(), Some(&"广州"), "{url}");
    let model = jiqun_domain::RegionModel::guangdong();
    let rank = |c: &str| model.cities.iter().position(|x| x.name == c).unwrap();
    assert!(cities.windows(2).all(|w| rank(w[0]) <= rank(w[1])), "{cities:?}");

    // Registration: the USCC's check character is validated and the error names the field.
    let mut bad = a.clone();
    bad.pop();
    bad.push(if a.ends_with('0') { '1' } else { '0' });
    let (s, v) = api
        .call(
            "POST",
            "/api/v1/enterprises",
            &owner,
            json!({ "uscc": bad, "name": "甲", "city": "深圳", "scale": "above", "founded_year": 2010 }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {v}");
    assert_eq!(v["error"]["details"][0]["field"], "uscc");
    assert!(v["error"]["details"][0]["message"].as_str().unwrap().contains("校验位"), "{v}");
    for (field, body) in [
        ("city", json!({ "uscc": a, "name": "甲", "city": "澳门", "scale": "above", "founded_year": 2010 })),
        ("scale", json!({ "uscc": a, "name": "甲", "city": "深圳", "scale": "big", "founded_year": 2010 })),
        (
            "industry",
            json!({ "uscc": a, "name": "甲", "city": "深圳", "scale": "above", "founded_year": 2010, "industry": "Z99" }),
        ),
        ("founded_year", json!({ "uscc": a, "name": "甲", "city": "深圳", "scale": "above", "founded_year": 3000 })),
    ] {
        let (s, v) = api.call("POST", "/api/v1/enterprises", &owner, body).await;
        assert_eq!(
            (s, v["error"]["details"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{v}"
        );
    }
    let (s, firm_a) = api
        .call(
            "POST",
            "/api/v1/enterprises",
            &owner,
            json!({ "uscc": a, "name": "甲电子（测试）", "city": "深圳", "scale": "above", "founded_year": 2010, "industry": "C3973", "tags": ["专精特新"] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{firm_a}");
    let id_a = firm_a["id"].as_i64().unwrap();
    let (_, firm_b) = api
        .call(
            "POST",
            "/api/v1/enterprises",
            &owner,
            json!({ "uscc": b, "name": "乙软件（测试）", "city": "广州", "scale": "above", "founded_year": 2012 }),
        )
        .await;
    let id_b = firm_b["id"].as_i64().unwrap();

    // Figures: checked, stored sealed, corrections keep history.
    let put = |token: String, id: i64, body: Value| async move {
        api.call("POST", &format!("/api/v1/enterprises/{id}/figures"), &token, body).await
    };
    let (s, v) = put(owner.clone(), id_a, json!({ "year": 2025, "figures": { "tax_wan": -1 } })).await;
    assert_eq!((s, v["error"]["details"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("tax_wan")));
    let (s, v) = put(owner.clone(), id_a, json!({ "year": 2025, "figures": { "land_mu": 0 } })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = put(owner.clone(), id_a, json!({ "year": 2025, "figures": { "profit": 1 } })).await;
    assert_eq!((s, v["error"]["details"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("metric")));
    let (s, v) = put(
        owner.clone(),
        id_a,
        json!({ "year": 2025, "source": "2025年报", "figures": { "land_mu": 50, "tax_wan": 1234.5, "revenue_wan": 20000 } }),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, _) =
        put(owner.clone(), id_a, json!({ "year": 2025, "source": "更正：审计后", "figures": { "tax_wan": 1300 } }))
            .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, v) = api
        .call("GET", &format!("/api/v1/enterprises/{id_a}/history?year=2025&metric=tax_wan"), &owner, Value::Null)
        .await;
    let hist = v.as_array().unwrap();
    assert_eq!(hist.len(), 2, "{v}");
    assert_eq!((hist[0]["value"].as_f64(), hist[0]["is_current"].as_bool()), (Some(1234.5), Some(false)));
    assert_eq!((hist[1]["value"].as_f64(), hist[1]["source"].as_str()), (Some(1300.0), Some("更正：审计后")));
    // At rest the value is sealed: the database holds no 1300 and no 1234.5.
    let sealed: Vec<String> = sqlx_rows(api, id_a).await;
    assert!(sealed.iter().all(|s| !s.contains("1300") && !s.contains("1234.5") && s.len() > 30), "{sealed:?}");

    // Who sees the figures: the firm's own user, its city's bureau, an assigned expert, the owner.
    let firm_user = api.user("firm_a", "enterprise", None, Some(&a)).await;
    let sz = api.user("sz_bureau", "city_reporter", Some("深圳"), None).await;
    let gz = api.user("gz_bureau", "city_reporter", Some("广州"), None).await;
    let expert = api.user("expert_x", "expert", None, None).await;
    let viewer = api.login("viewer", "Demo@2025").await;
    for (who, token, sees) in [
        ("firm", &firm_user, true),
        ("sz", &sz, true),
        ("gz", &gz, false),
        ("expert", &expert, false),
        ("viewer", &viewer, false),
    ] {
        let (s, v) = api.call("GET", &format!("/api/v1/enterprises/{id_a}"), token, Value::Null).await;
        assert_eq!(s, StatusCode::OK, "{who}: {v}");
        assert_eq!(v["figures_visible"].as_bool(), Some(sees), "{who}: {v}");
        if !sees {
            assert!(v["figures"].is_null(), "{who}");
        }
    }
    // The firm's user cannot read another firm at all, nor list the directory beyond its own.
    let (s, _) = api.call("GET", &format!("/api/v1/enterprises/{id_b}"), &firm_user, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, v) = api.call("GET", "/api/v1/enterprises", &firm_user, Value::Null).await;
    assert_eq!((v["total"].as_i64(), v["items"][0]["uscc"].as_str()), (Some(1), Some(a.as_str())));
    // Object-level writes: 广州's bureau cannot touch 深圳's firm, even re-registering it as its own.
    let (s, _) = put(gz.clone(), id_a, json!({ "year": 2025, "figures": { "tax_wan": 1 } })).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = api
        .call(
            "POST",
            "/api/v1/enterprises",
            &gz,
            json!({ "uscc": a, "name": "夺取", "city": "广州", "scale": "above", "founded_year": 2010 }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = put(firm_user.clone(), id_b, json!({ "year": 2025, "figures": { "tax_wan": 1 } })).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) =
        put(firm_user.clone(), id_a, json!({ "year": 2025, "source": "企业自报", "figures": { "employees": 120 } }))
            .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // An expert sees figures once assigned.
    let (s, _) = api
        .call("POST", &format!("/api/v1/enterprises/{id_a}/experts"), &owner, json!({ "username": "expert_x" }))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, v) = api.call("GET", &format!("/api/v1/enterprises/{id_a}"), &expert, Value::Null).await;
    assert_eq!(v["figures_visible"].as_bool(), Some(true));
    let (s, _) =
        api.call("POST", &format!("/api/v1/enterprises/{id_a}/experts"), &owner, json!({ "username": "viewer" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "only experts are assigned");

    // Import: all or nothing, every error with its line and column.
    let c = uscc("440300", 3);
    let d = uscc("440300", 4);
    let header = "uscc,name,city,scale,founded_year,year,land_mu,tax_wan,revenue_wan,value_added_wan,rd_wan,energy_tce,emission_t,employees,electricity_mwh";
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
    // A truncated file (an open quote) and a missing column.
    let (s, v) =
        api.raw("POST", "/api/v1/enterprises/import", &owner, format!("{header}\n{c},\"丙,深圳").into_bytes()).await;
    assert_eq!((s, v["error"]["details"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("2:")), "{v}");
    let (s, v) = api.raw("POST", "/api/v1/enterprises/import", &owner, b"uscc,name\n".to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // GB18030, as Excel saves a CSV in China, imports; 广州's bureau may import only its own city.
    let good = format!("{header}\n{c},丙科技（测试）,深圳,above,2001,2025,10,100,1000,300,30,50,,40,200\n");
    let (gb, _, _) = encoding_rs::GB18030.encode(&good);
    let (s, v) = api.raw("POST", "/api/v1/enterprises/import?name=gb.csv", &gz, gb.to_vec()).await;
    assert_eq!(
        (s, v["error"]["details"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("2:city")),
        "{v}"
    );
    let (s, v) = api.raw("POST", "/api/v1/enterprises/import?name=gb.csv", &owner, gb.to_vec()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!((v["created"].as_u64(), v["encoding"].as_str()), (Some(1), Some("GB18030")));
    // Importing the firm again replaces its figures and keeps the old ones as history.
    let again = good.replace(",10,100,1000,", ",10,150,1000,");
    let (s, v) = api.raw("POST", "/api/v1/enterprises/import?name=again.csv", &owner, again.into_bytes()).await;
    assert_eq!((s, v["updated"].as_u64()), (StatusCode::CREATED, Some(1)), "{v}");
    let (_, found) = api.call("GET", &format!("/api/v1/enterprises?q={c}"), &owner, Value::Null).await;
    let id_c = found["items"][0]["id"].as_i64().unwrap();
    let (_, h) = api
        .call("GET", &format!("/api/v1/enterprises/{id_c}/history?year=2025&metric=tax_wan"), &owner, Value::Null)
        .await;
    let h: Vec<(f64, bool)> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["value"].as_f64().unwrap(), f["is_current"].as_bool().unwrap()))
        .collect();
    assert_eq!(h, [(100.0, false), (150.0, true)]);
    let (s, _) = api.raw("POST", "/api/v1/enterprises/import", &firm_user, gb.to_vec()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a firm's user does not bulk-import");

    // An evaluation over the registry: distribution by city, results with items for those who may see them.
    let (s, run) = api.call("POST", "/api/v1/evaluations", &owner, json!({ "year": 2025 })).await;
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
    assert_eq!(mine[0]["uscc"], a.as_str());
    let (_, v) = api.call("GET", &format!("/api/v1/enterprises/{id_a}"), &firm_user, Value::Null).await;
    let eval = v["evaluations"].as_array().unwrap().iter().find(|e| e["evaluation_id"] == run_id).unwrap().clone();
    let items = eval["items"].as_array().unwrap();
    assert_eq!(items[0]["name"], "亩均税收");
    assert_eq!(items[0]["value"].as_f64(), Some(1300.0 / 50.0), "tax per mu is the corrected tax over land");
    assert!(items[0]["benchmark"].as_f64().unwrap() > 0.0);
    let (_, v) = api.call("GET", &format!("/api/v1/enterprises/{id_a}"), &viewer, Value::Null).await;
    let eval = v["evaluations"].as_array().unwrap().iter().find(|e| e["evaluation_id"] == run_id).unwrap().clone();
    assert!(eval["items"].is_null() && eval["score"].is_null(), "a viewer sees the class only: {eval}");
    assert!(eval["class"].is_string());
    let (s, _) = api.call("GET", &format!("/api/v1/evaluations/{run_id}"), &firm_user, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the distribution is for directory readers");
    // A second scheme over the same registry: Huangyan 2022's fixed, published benchmarks.
    let (s, run2) =
        api.call("POST", "/api/v1/evaluations", &owner, json!({ "year": 2025, "scheme": "huangyan-2022" })).await;
    assert_eq!(s, StatusCode::CREATED, "{run2}");
    assert_eq!(run2["scheme"], "huangyan-2022");
    let (_, v) = api.call("GET", &format!("/api/v1/enterprises/{id_a}"), &owner, Value::Null).await;
    let hy = v["evaluations"].as_array().unwrap().iter().find(|e| e["scheme"] == "huangyan-2022").unwrap().clone();
    let tax = &hy["items"][0];
    assert_eq!(tax["benchmark"].as_f64(), Some(24.097), "{hy}");
    let expect = 1300.0 / 50.0 / 24.097 * 30.0;
    assert!((tax["score"].as_f64().unwrap() - expect).abs() < 1e-9, "{tax} vs {expect}");
    // A jurisdiction's own scheme, added as a file: checked field by field, then used like a shipped one.
    let mut local: Value = serde_json::from_str(include_str!("../../../../data/schemes/huangyan-2022.json")).unwrap();
    local["id"] = json!("huangyan-2022");
    let (s, v) = api.raw("POST", "/api/v1/schemes", &owner, local.to_string().into_bytes()).await;
    assert_eq!((s, v["error"]["details"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("id")), "{v}");
    local["id"] = json!("jiangmen-2025");
    local["name"] = json!("江门市2025年度亩均效益评价（测试）");
    local["above"]["items"][0]["weight"] = json!("thirty");
    let (s, v) = api.raw("POST", "/api/v1/schemes", &owner, local.to_string().into_bytes()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["details"][0]["field"], "above.items[0].weight", "{v}");
    local["above"]["items"][0]["weight"] = json!(60);
    let (s, _) = api.raw("POST", "/api/v1/schemes", &sz, local.to_string().into_bytes()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = api.raw("POST", "/api/v1/schemes", &owner, local.to_string().into_bytes()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, run3) =
        api.call("POST", "/api/v1/evaluations", &owner, json!({ "year": 2025, "scheme": "jiangmen-2025" })).await;
    assert_eq!(s, StatusCode::CREATED, "{run3}");
    let (_, v) = api.call("GET", &format!("/api/v1/enterprises/{id_a}"), &owner, Value::Null).await;
    let jm = v["evaluations"].as_array().unwrap().iter().find(|e| e["scheme"] == "jiangmen-2025").unwrap().clone();
    assert!((jm["items"][0]["score"].as_f64().unwrap() - 2.0 * expect).abs() < 1e-9, "the doubled weight: {jm}");
    let (_, schemes) = api.call("GET", "/api/v1/schemes", &owner, Value::Null).await;
    assert!(schemes.as_array().unwrap().iter().any(|s| s["id"] == "jiangmen-2025" && s["builtin"] == false));
    assert!(schemes.as_array().unwrap().iter().any(|s| s["id"] == "huangyan-2021"), "{schemes}");
    let (s, v) = api.call("POST", "/api/v1/evaluations", &owner, json!({ "year": 2025, "scheme": "nope" })).await;
    assert_eq!((s, v["error"]["details"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("scheme")));
    let (s, _) = api.call("POST", "/api/v1/evaluations", &sz, json!({ "year": 2025 })).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Roles as data: the security administrator narrows the viewer role; the administrators stay fixed.
    let sec = api.user("sec", "security_admin", None, None).await;
    let (s, v) = api
        .call(
            "PUT",
            "/api/v1/roles/viewer",
            &sec,
            json!({ "label_zh": "查阅", "label_en": "viewer", "grants": [{ "perm": "read_plan", "scope": "all" }] }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (s, _) = api.call("GET", "/api/v1/enterprises", &viewer, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the viewer lost the directory");
    let (s, _) = api.call("GET", "/api/v1/plans", &viewer, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = api
        .call(
            "PUT",
            "/api/v1/roles/viewer",
            &sec,
            json!({ "label_zh": "查阅", "label_en": "viewer", "grants": [{ "perm": "read_audit", "scope": "all" }] }),
        )
        .await;
    assert_eq!(
        (s, v["error"]["details"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("grants")),
        "{v}"
    );
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
    let (s, page, _) = api.send("GET", "/users", &sec, Vec::new()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("县区填报员"), "a custom role shows its label on the users page");
    let sys = api.login("admin", "Admin@12345").await;
    let (_, page, _) = api.send("GET", "/users", &sys, Vec::new()).await;
    assert!(page.contains("name=\"uscc\""), "the account form takes an enterprise user's USCC");
    let (s, _) = api
        .call("PUT", "/api/v1/roles/viewer", &owner, json!({ "label_zh": "x", "label_en": "x", "grants": [] }))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the plan owner does not manage roles");

    // Every write above is in the audit trail, and the chain holds.
    let audit = api.app.store_for_tests().audit_range(0, i64::MAX, 100_000).await.unwrap();
    for action in [
        "enterprise.create",
        "enterprise.figures",
        "enterprise.import",
        "evaluation.run",
        "role.set",
        "enterprise.assign_expert",
    ] {
        assert!(audit.iter().any(|r| r.action == action), "{action} audited");
    }
    common::audit_actions_are_labelled(&api.app).await;
    assert!(matches!(api.app.store_for_tests().verify_audit().await.unwrap(), jiqun_store::AuditCheck::Intact { .. }));
}

async fn sqlx_rows(api: &Api, id: i64) -> Vec<String> {
    let mut out = Vec::new();
    for year in [2025] {
        for m in ["tax_wan", "land_mu"] {
            out.extend(
                api.app.store_for_tests().figure_history(id, year, m).await.unwrap().into_iter().map(|f| f.sealed),
            );
        }
    }
    out
}
