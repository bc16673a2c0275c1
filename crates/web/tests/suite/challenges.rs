//! 揭榜挂帅 (open challenges): one challenge's life from draft to acceptance through the API with a recused
//! expert, on SQLite and PostgreSQL; refusals that say who may; validation naming the fields; the demo's
//! synthetic challenges; the new-challenge form prefilled from a chain gap; the export.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::{Client, audit_holds, code, tests_on_each_db, uscc};

tests_on_each_db!(a_challenge_goes_from_draft_to_accepted_with_a_recused_expert);

fn draft(title: &str) -> Value {
    json!({
        "title": title,
        "problem": "（测试）8K编解码芯片依赖省外供给",
        "indicators": "（测试）支持 8K@120fps 实时编码",
        "funding_wan": 1000,
        "reward": "（测试）验收后拨付",
        "eligibility": "（测试）在粤注册单位",
        "department": "省科技厅",
        "chain_node": "ultra_hd_video.chips_and_components",
        "gap_rule": "single_firm",
        "apply_by": "2026-06-30",
        "finish_by": "2027-12-31",
    })
}

async fn step(api: &Client, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    api.call("POST", &format!("/api/v1/challenges/{id}/moves"), token, body).await
}

fn full(a: f64) -> Value {
    json!({ "scores": { "technical": a, "team": a, "plan": a, "budget": a }, "comment": "（测试）", "submit": true })
}

async fn a_challenge_goes_from_draft_to_accepted_with_a_recused_expert(api: Client) {
    let db = &api.db;
    let owner = api.demo_login("owner").await;
    let kjt = api.demo_login("kjt").await;
    let qiye = api.demo_login("qiye").await;
    let zhuanjia = api.demo_login("zhuanjia").await;
    let other_expert = api.user("zj_other", "expert", None, None).await;

    // A department reporter drafts for its own department only; the plan owner publishes.
    let mut other = draft("（测试）别的部门");
    other["department"] = json!("省商务厅");
    let (s, v) = api.call("POST", "/api/v1/challenges", &kjt, other).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{db}: {v}");
    let (s, c) = api.call("POST", "/api/v1/challenges", &kjt, draft("（测试）8K编解码芯片")).await;
    assert_eq!(s, StatusCode::CREATED, "{db}: {c}");
    let id = c["challenge"]["id"].as_i64().unwrap();
    assert_eq!(c["challenge"]["state"], "draft");
    assert_eq!(c["challenge"]["chain_node_label"], "超高清视频 · 芯片及电子元器件", "{c}");
    // Drafts are not shown to readers who do not manage them.
    let viewer = api.demo_login("viewer").await;
    let (s, _) = api.call("GET", &format!("/api/v1/challenges/{id}"), &viewer, Value::Null).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The department reporter may not publish: 403 naming who may, in the request's language.
    let (s, v) = step(&api, &kjt, id, json!({ "to": "published" })).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, Some("challenge_role")), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("计划管理(牵头处室)（plan_owner）"), "{v}");
    let a = api
        .request("POST", &format!("/api/v1/challenges/{id}/moves"))
        .token(&kjt)
        .lang("en")
        .json(&json!({ "to": "published" }))
        .await;
    assert!(a.json()["error"]["message"].as_str().unwrap().contains("only these roles may move"), "{}", a.body);
    // A move the workflow does not have: 409 saying where it may go.
    let (s, v) = step(&api, &owner, id, json!({ "to": "review" })).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, Some("challenge_move")), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("已发榜"), "{v}");
    for to in ["published", "applications_open"] {
        let (s, v) = step(&api, &owner, id, json!({ "to": to })).await;
        assert_eq!(s, StatusCode::OK, "{to}: {v}");
    }

    // Applications: the enterprise for itself, the plan owner for another firm and an institute.
    let (s, mine) = api
        .call("POST", &format!("/api/v1/challenges/{id}/applications"), &qiye, json!({ "summary": "（测试）自研SoC" }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{mine}");
    assert_eq!(mine["org_kind"], "firm", "{mine}");
    let (mine, mine_name) = (mine["id"].as_i64().unwrap(), mine["org_name"].clone());
    let (s, v) = api
        .call("POST", &format!("/api/v1/challenges/{id}/applications"), &qiye, json!({ "summary": "（测试）又一次" }))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "once per organisation: {v}");
    let firm_b = uscc("440300", 77);
    let body = json!({ "summary": "（测试）IP授权", "uscc": firm_b, "org_name": "（测试）乙公司" });
    let (s, b) = api.call("POST", &format!("/api/v1/challenges/{id}/applications"), &owner, body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let b = b["id"].as_i64().unwrap();
    let body = json!({ "summary": "（测试）算法验证", "institute": "（测试）示例研究院" });
    let (s, inst) = api.call("POST", &format!("/api/v1/challenges/{id}/applications"), &owner, body).await;
    assert_eq!(s, StatusCode::CREATED, "{inst}");
    let inst = inst["id"].as_i64().unwrap();
    // A file on the enterprise's own application.
    let a = api
        .request("POST", &format!("/api/v1/challenge-applications/{mine}/attachments?filename=plan.txt"))
        .token(&qiye)
        .body("text/plain", b"(test) plan".to_vec())
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let file = a.json()["attachments"][0]["id"].as_i64().unwrap();
    let (s, _) = api.call("GET", &format!("/api/v1/challenge-attachments/{file}"), &viewer, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a viewer does not read applications");

    // The panel: zhuanjia declared an interest in firm B; the other expert works at the institute.
    let body = json!({ "username": "zhuanjia", "organisation": "（测试）某大学", "interests": [firm_b] });
    let (s, v) = api.call("POST", &format!("/api/v1/challenges/{id}/experts"), &kjt, body).await;
    assert_eq!(s, StatusCode::OK, "the issuing department assigns experts: {v}");
    let body = json!({ "username": "zj_other", "organisation": "（测试）示例研究院" });
    let (s, v) = api.call("POST", &format!("/api/v1/challenges/{id}/experts"), &kjt, body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let recused: Vec<&str> = v["experts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["recused"].as_array().unwrap())
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(recused.len(), 2, "{v}");
    let (s, v) = step(&api, &owner, id, json!({ "to": "review" })).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // The recused expert cannot see the application it stands aside from, nor review it.
    let (s, v) = api.call("GET", &format!("/api/v1/challenge-applications/{b}"), &zhuanjia, Value::Null).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, Some("challenge_recused")), "{v}");
    let (s, v) = api.call("PUT", &format!("/api/v1/challenge-applications/{b}/review"), &zhuanjia, full(90.0)).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, Some("challenge_recused")), "{v}");
    let (_, d) = api.call("GET", &format!("/api/v1/challenges/{id}"), &zhuanjia, Value::Null).await;
    let seen: Vec<i64> = d["applications"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    assert_eq!(seen, vec![mine, inst], "{d}");
    let (_, d) = api.call("GET", &format!("/api/v1/challenges/{id}"), &other_expert, Value::Null).await;
    let seen: Vec<i64> = d["applications"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    assert_eq!(seen, vec![mine, b], "{d}");
    // The enterprise sees its own application only.
    let (_, d) = api.call("GET", &format!("/api/v1/challenges/{id}"), &qiye, Value::Null).await;
    assert_eq!(d["applications"].as_array().unwrap().len(), 1, "{d}");

    // A review with a criterion missing cannot be handed in; a saved draft does not count.
    let half = json!({ "scores": { "technical": 80 }, "submit": true });
    let (s, v) = api.call("PUT", &format!("/api/v1/challenge-applications/{mine}/review"), &zhuanjia, half).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["details"][0]["field"], "scores.team", "{v}");
    let (s, v) = api.call("PUT", &format!("/api/v1/challenge-applications/{mine}/review"), &zhuanjia, full(80.0)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = api.call("PUT", &format!("/api/v1/challenge-applications/{mine}/review"), &zhuanjia, full(10.0)).await;
    assert_eq!(s, StatusCode::CONFLICT, "a handed-in review no longer changes: {v}");

    // Not every review is in: no award, and the refusal says what is missing.
    let (s, v) = step(&api, &owner, id, json!({ "to": "awarded", "winner": mine })).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, Some("challenge_move")), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("zj_other"), "{v}");
    for (token, app, score) in [(&zhuanjia, inst, 70.0), (&other_expert, mine, 90.0), (&other_expert, b, 60.0)] {
        let (s, v) = api.call("PUT", &format!("/api/v1/challenge-applications/{app}/review"), token, full(score)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (_, d) = api.call("GET", &format!("/api/v1/challenges/{id}"), &owner, Value::Null).await;
    assert_eq!(d["award"]["may_award"], true, "{d}");
    assert_eq!(d["ranking"], json!([mine, inst, b]), "{d}");
    let top = d["applications"].as_array().unwrap().iter().find(|a| a["id"] == mine).unwrap().clone();
    assert_eq!(top["score"].as_f64(), Some(85.0), "the mean of the two counted reviews: {top}");
    let (s, v) = step(&api, &owner, id, json!({ "to": "awarded", "winner": mine })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["challenge"]["winner_name"], mine_name, "{v}");

    // The department reporter may not start the work (the workflow gives it to the winner or the owner); the
    // winning enterprise does.
    let (s, v) = step(&api, &kjt, id, json!({ "to": "in_progress" })).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, Some("challenge_role")), "{v}");
    let (s, v) = step(&api, &qiye, id, json!({ "to": "in_progress" })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let m = json!({ "name": "（测试）样片流片", "due_on": "2026-12-31" });
    let (s, v) = api.call("POST", &format!("/api/v1/challenges/{id}/milestones"), &kjt, m).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = step(&api, &kjt, id, json!({ "to": "accepted" })).await;
    assert_eq!(
        (s, v["error"]["details"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("note")),
        "{v}"
    );
    let (s, v) = step(&api, &kjt, id, json!({ "to": "accepted", "note": "（测试）指标全部达到" })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["challenge"]["state"], "accepted");
    assert!(v["challenge"]["moves"].as_array().unwrap().is_empty(), "final: {v}");
    audit_holds(
        &api.app,
        &[
            "challenge.create",
            "challenge.move",
            "challenge.apply",
            "challenge.attach",
            "challenge.expert",
            "challenge.review",
            "challenge.milestone",
        ],
    )
    .await;
}

#[tokio::test]
async fn a_challenge_with_errors_is_refused_naming_each_field() {
    let api = Client::demo_sqlite().await;
    let owner = api.demo_login("owner").await;
    let bad = json!({ "title": "", "problem": " ", "indicators": "x", "funding_wan": -1, "department": "",
                      "chain_node": "ultra_hd_video.nowhere", "gap_rule": "bad_luck", "apply_by": "2026-02-30",
                      "criteria": [{ "id": "a", "name_zh": "甲", "name_en": "A", "weight": 0 }] });
    let (s, v) = api.call("POST", "/api/v1/challenges", &owner, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> =
        v["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    for f in ["title", "problem", "funding_wan", "department", "chain_node", "gap_rule", "criteria", "apply_by"] {
        assert!(fields.contains(&f), "{f} named: {v}");
    }
    let (s, v) = api.call("POST", "/api/v1/challenges", &owner, json!({ "title": "x", "colour": "red" })).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "unknown fields are refused: {v}");
    let (s, v) = api.call("POST", "/api/v1/challenges/999999/moves", &owner, json!({ "to": "published" })).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, c) = api.call("POST", "/api/v1/challenges", &owner, draft("（测试）挑战")).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["challenge"]["id"].as_i64().unwrap();
    let (s, v) = step(&api, &owner, id, json!({ "to": "sideways" })).await;
    assert_eq!((s, v["error"]["details"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")), "{v}");
    // Applications only while they are open.
    let qiye = api.demo_login("qiye").await;
    let (s, v) =
        api.call("POST", &format!("/api/v1/challenges/{id}/applications"), &qiye, json!({ "summary": "x" })).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a draft is not shown to the enterprise: {v}");
    // A stale version is a conflict.
    let mut edit = draft("（测试）挑战（改）");
    edit["version"] = json!(99);
    let (s, v) = api.call("PUT", &format!("/api/v1/challenges/{id}"), &owner, edit.clone()).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    // With the challenge as it is now, as its GET shows it.
    assert_eq!(v["error"]["current"]["challenge"]["version"], c["challenge"]["version"], "{v}");
    edit["version"] = c["challenge"]["version"].clone();
    let (s, v) = api.call("PUT", &format!("/api/v1/challenges/{id}"), &owner, edit).await;
    assert_eq!((s, v["challenge"]["title"].as_str()), (StatusCode::OK, Some("（测试）挑战（改）")), "{v}");
    // A department reporter cannot edit another department's challenge, whatever the body.
    let kjt = api.demo_login("kjt").await;
    let mut other = draft("（测试）商务厅的");
    other["department"] = json!("省商务厅");
    let (_, o) = api.call("POST", "/api/v1/challenges", &owner, other).await;
    let oid = o["challenge"]["id"].as_i64().unwrap();
    let (s, v) = api.call("PUT", &format!("/api/v1/challenges/{oid}"), &kjt, json!({ "nonsense": 1 })).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "permission before validation: {v}");
}

#[tokio::test]
async fn the_demo_has_synthetic_challenges_one_under_review_with_a_recused_expert() {
    let api = Client::demo_sqlite().await;
    let owner = api.demo_login("owner").await;
    let (s, list) = api.call("GET", "/api/v1/challenges", &owner, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    let list = list.as_array().unwrap();
    assert!(list.len() >= 4, "{list:?}");
    for c in list {
        let title = c["title"].as_str().unwrap();
        assert!(c["synthetic"] == true && title.starts_with("示例") && title.ends_with("（合成）"), "{title}");
    }
    let review = list.iter().find(|c| c["state"] == "review").expect("one under review");
    let id = review["id"].as_i64().unwrap();
    let (_, d) = api.call("GET", &format!("/api/v1/challenges/{id}"), &owner, Value::Null).await;
    let recused = d["experts"][0]["recused"].as_array().unwrap();
    assert_eq!(recused.len(), 1, "{d}");
    assert_eq!(d["award"]["may_award"], false, "{d}");
    // The expert sees two of the three applications.
    let zhuanjia = api.demo_login("zhuanjia").await;
    let (_, d) = api.call("GET", &format!("/api/v1/challenges/{id}"), &zhuanjia, Value::Null).await;
    assert_eq!(d["applications"].as_array().unwrap().len(), 2, "{d}");
    // The viewer sees the challenges past their draft, with no application.
    let viewer = api.demo_login("viewer").await;
    let (_, v) = api.call("GET", "/api/v1/challenges", &viewer, Value::Null).await;
    assert_eq!(v.as_array().unwrap().len(), list.len() - 1, "not the draft");
    let (_, d) = api.call("GET", &format!("/api/v1/challenges/{id}"), &viewer, Value::Null).await;
    assert!(d["applications"].as_array().unwrap().is_empty(), "{d}");
    // The export.
    use jiqun_app::export::{Collected, ExportRequest, Exporter, TableFormat};
    let mut t = Collected::default();
    let request = ExportRequest::new("challenges", TableFormat::Json, jiqun_domain::Lang::Zh);
    api.app.export(Exporter::Operator, &request, &mut t).await.unwrap();
    assert_eq!(t.rows.len(), list.len());
    assert!(t.columns.iter().any(|c| c.key == "state") && t.columns.iter().any(|c| c.key == "synthetic"));
}

#[tokio::test]
async fn the_pages_show_the_workflow_as_an_example_and_the_form_takes_a_chain_gap() {
    let api = Client::demo_sqlite().await;
    let owner = api.browser("owner", crate::common::DEMO_PASSWORD).await;
    let page = api.page("/challenges", &owner).await;
    assert!(page.contains("流程为示例配置") && page.contains("不是官方规则"), "the workflow is said to be an example");
    assert!(page.contains("示例（合成）"));
    let form = api.page("/challenges/new?node=ultra_hd_video.chips_and_components&rule=single_firm", &owner).await;
    assert!(form.contains(r#"<option value="ultra_hd_video.chips_and_components" selected>"#), "node prefilled");
    assert!(form.contains(r#"<option value="single_firm" selected>"#), "rule prefilled");
    let form = api.page("/challenges/new?node=nowhere.at_all", &owner).await;
    assert!(form.contains("nowhere.at_all") && form.contains("不在词表中"), "an unknown node is said so");
    // Drafting through the form lands on the challenge's page.
    let a = api
        .post_ok(
            "/challenges",
            &owner,
            &[
                ("title", "（测试）页面起草"),
                ("problem", "x"),
                ("indicators", "y"),
                ("department", "省科技厅"),
                ("chain_node", "ultra_hd_video.chips_and_components"),
                ("gap_rule", "single_firm"),
            ],
        )
        .await;
    let page = api.page(a.location(), &owner).await;
    assert!(page.contains("（测试）页面起草") && page.contains("转为：已发榜"), "the owner may publish");
    // Every demo challenge's page renders for the expert and the enterprise.
    for who in ["zhuanjia", "qiye", "viewer"] {
        let b = api.browser(who, crate::common::DEMO_PASSWORD).await;
        let list = api.page("/challenges", &b).await;
        assert!(list.contains("揭榜挂帅"), "{who}");
    }
}

#[tokio::test]
async fn recusal_holds_for_a_custom_role_that_reviews_everywhere() {
    let api = Client::demo_sqlite().await;
    let sec = api.demo_login("security").await;
    let role = json!({ "label_zh": "特聘评审", "label_en": "panel reviewer",
                       "grants": [{ "perm": "read_challenges", "scope": "all" }, { "perm": "review_challenge", "scope": "all" }] });
    let (s, v) = api.call("PUT", "/api/v1/roles/panel_reviewer", &sec, role).await;
    assert!(s.is_success(), "{v}");
    api.user("wide_zj", "viewer", None, None).await;
    let (s, v) =
        api.call("POST", "/api/v1/roles", &sec, json!({ "username": "wide_zj", "role": "panel_reviewer" })).await;
    assert!(s.is_success(), "{v}");
    let owner = api.demo_login("owner").await;
    let (_, list) = api.call("GET", "/api/v1/challenges", &owner, Value::Null).await;
    let id = list.as_array().unwrap().iter().find(|c| c["state"] == "review").unwrap()["id"].as_i64().unwrap();
    let (_, d) = api.call("GET", &format!("/api/v1/challenges/{id}"), &owner, Value::Null).await;
    let firm = d["applications"].as_array().unwrap().iter().find(|a| a["org_kind"] == "firm").unwrap().clone();
    let body = json!({ "username": "wide_zj", "interests": [firm["org_id"]] });
    let (s, v) = api.call("POST", &format!("/api/v1/challenges/{id}/experts"), &owner, body).await;
    assert_eq!(s, StatusCode::OK, "a custom role holding review_challenge may sit on the panel: {v}");
    // Logged in again, with the role granted.
    let reviewer = api.login("wide_zj", crate::common::ROLE_PASSWORD).await;
    let (s, v) =
        api.call("GET", &format!("/api/v1/challenge-applications/{}", firm["id"]), &reviewer, Value::Null).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, Some("challenge_recused")), "{v}");
    let (_, d) = api.call("GET", &format!("/api/v1/challenges/{id}"), &reviewer, Value::Null).await;
    assert_eq!(d["applications"].as_array().unwrap().len(), 2, "all but the one it stands aside from: {d}");
}
