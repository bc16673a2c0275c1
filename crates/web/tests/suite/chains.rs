//! The chain map: the vocabulary in force, firms on nodes, gaps found by rule, the attraction and technology
//! lists, names that match no node, and who may change what; on SQLite and PostgreSQL.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::{Client, audit_holds, code, field, tests_on_each_db};

tests_on_each_db!(
    a_firm_put_on_an_empty_node_closes_its_no_firm_gap,
    an_unmatched_name_is_listed_until_a_person_decides_it
);

async fn get(api: &Client, token: &str, uri: &str) -> Value {
    let (s, v) = api.call("GET", uri, token, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{uri}: {v}");
    v
}

fn gaps_of<'v>(gaps: &'v Value, node: &str) -> Vec<&'v str> {
    gaps.as_array().unwrap().iter().filter(|g| g["node"] == node).map(|g| g["rule"].as_str().unwrap()).collect()
}

async fn a_firm_put_on_an_empty_node_closes_its_no_firm_gap(api: Client) {
    let owner = api.login("owner", "Demo@2025").await;
    let node = "integrated_circuits.gan_chips";
    let gaps = get(&api, &owner, "/api/v1/chains/integrated_circuits/gaps").await;
    assert_eq!(gaps_of(&gaps, node), ["no_firm"], "the demo has no firm on 氮化镓芯片: {gaps}");

    // Two firms of the registry: the first makes it a single firm (a single point of failure), the second
    // leaves only the strength rule to judge.
    let (firms, _) = {
        let v = get(&api, &owner, "/api/v1/enterprises?limit=2").await;
        (v["items"].as_array().unwrap().clone(), ())
    };
    let place = |uscc: &str| json!({ "uscc": uscc, "role": "producer", "capacity": "（测试）6英寸氮化镓晶圆", "source": "（测试）调研" });
    let uri = format!("/api/v1/chains/nodes/{node}/firms");
    let (s, v) = api.call("POST", &uri, &owner, place(firms[0]["uscc"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let gaps = get(&api, &owner, "/api/v1/chains/integrated_circuits/gaps").await;
    assert_eq!(gaps_of(&gaps, node), ["single_firm", "below_threshold"], "{gaps}");
    let (s, _) = api.call("POST", &uri, &owner, place(firms[1]["uscc"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let detail = get(&api, &owner, &format!("/api/v1/chains/integrated_circuits/nodes/{node}")).await;
    assert_eq!(detail["firms"].as_array().unwrap().len(), 2, "{detail}");
    assert_eq!(detail["firms"][0]["placed_by"], "recorded");
    assert_eq!(detail["node"]["report"]["firms"], 2);
    let gaps = get(&api, &owner, "/api/v1/chains/integrated_circuits/gaps").await;
    assert!(!gaps_of(&gaps, node).contains(&"no_firm") && !gaps_of(&gaps, node).contains(&"single_firm"), "{gaps}");

    // Outside dependency: recorded with its source, it is a gap of its own; without a source it is refused.
    let dep = format!("/api/v1/chains/nodes/{node}/dependency");
    let (s, v) = api.call("PUT", &dep, &owner, json!({ "outside": true, "source": "" })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("source")), "{v}");
    let (s, _) = api.call("PUT", &dep, &owner, json!({ "outside": true, "source": "（测试）外延片依赖省外" })).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let gaps = get(&api, &owner, "/api/v1/chains/integrated_circuits/gaps").await;
    assert!(gaps_of(&gaps, node).contains(&"outside_dependency"), "{gaps}");
    let g = gaps.as_array().unwrap().iter().find(|g| g["node"] == node && g["rule"] == "outside_dependency").unwrap();
    assert_eq!(g["source"], "（测试）外延片依赖省外", "the gap says where it is said: {g}");

    // Taking a firm off leaves one again.
    let (s, _) = api.call("POST", &uri, &owner, json!({ "uscc": firms[1]["uscc"], "role": null })).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let gaps = get(&api, &owner, "/api/v1/chains/integrated_circuits/gaps").await;
    assert!(gaps_of(&gaps, node).contains(&"single_firm"), "{gaps}");
    audit_holds(&api.app, &["chain.firm", "chain.dependency"]).await;
}

async fn an_unmatched_name_is_listed_until_a_person_decides_it(api: Client) {
    let owner = api.login("owner", "Demo@2025").await;
    let list = get(&api, &owner, "/api/v1/chains/unassigned").await;
    let computers = list.as_array().unwrap().iter().find(|u| u["text"] == "计算机整机").cloned();
    let computers = computers.unwrap_or_else(|| panic!("计算机整机 matches no node and is listed: {list}"));
    assert_eq!(computers["reason"], "no_match");
    let holders = computers["holders"].as_array().unwrap().len();
    assert!(holders > 3, "every firm holding it: {computers}");
    let whole = list.as_array().unwrap().iter().find(|u| u["text"] == "集成电路").unwrap();
    assert_eq!((whole["reason"].as_str(), whole["chain"].as_str()), (Some("whole_chain"), Some("integrated_circuits")));

    // An unknown node is refused naming the field; a decision applies to every holder.
    let (s, v) =
        api.call("PUT", "/api/v1/chains/names", &owner, json!({ "text": "计算机整机", "node": "nowhere" })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("node")), "{v}");
    let before = get(&api, &owner, "/api/v1/chains/smart_terminal/nodes/smart_terminal.tablets").await;
    let decide = json!({ "text": "计算机整机", "node": "smart_terminal.tablets" });
    let (s, after) = api.call("PUT", "/api/v1/chains/names", &owner, decide).await;
    assert_eq!(s, StatusCode::OK, "{after}");
    assert!(after.as_array().unwrap().iter().all(|u| u["text"] != "计算机整机"), "no longer listed: {after}");
    let now = get(&api, &owner, "/api/v1/chains/smart_terminal/nodes/smart_terminal.tablets").await;
    let count = |v: &Value| v["firms"].as_array().unwrap().len();
    assert!(count(&now) > count(&before), "the holders are now on the node: {} → {}", count(&before), count(&now));
    // "Not a chain node" also takes it off the list, without placing anyone.
    let (s, after) = api.call("PUT", "/api/v1/chains/names", &owner, json!({ "text": "集成电路", "node": null })).await;
    assert_eq!(s, StatusCode::OK);
    assert!(after.as_array().unwrap().iter().all(|u| u["text"] != "集成电路"), "{after}");
    audit_holds(&api.app, &["chain.text_map"]).await;
}

#[tokio::test]
async fn the_chains_carry_the_plans_names_and_the_lists_say_why() {
    let api = Client::demo_sqlite().await;
    let viewer = api.login("viewer", "Demo@2025").await;
    let chains = get(&api, &viewer, "/api/v1/chains").await;
    let names: Vec<(&str, &str)> =
        chains.as_array().unwrap().iter().map(|c| (c["id"].as_str().unwrap(), c["name"].as_str().unwrap())).collect();
    for (id, name) in [
        ("ultra_hd_video", "超高清视频"),
        ("next_gen_network", "新一代通信与网络"),
        ("smart_terminal", "智能终端"),
        ("ai", "人工智能"),
        ("iot", "物联网"),
        ("auto_electronics", "汽车电子"),
    ] {
        assert!(names.contains(&(id, name)), "{id} {name}: {names:?}");
    }
    let o = get(&api, &viewer, "/api/v1/chains/overview").await;
    let attraction = o["attraction_list"].as_array().unwrap();
    assert!(!attraction.is_empty(), "{o}");
    assert_eq!(attraction[0]["rank"], 1);
    assert!(attraction.iter().all(|e| !e["reasons"].as_array().unwrap().is_empty()), "each with its reasons");
    let tech = o["technology_list"].as_array().unwrap();
    assert!(
        tech.iter().any(|e| e["node"] == "smart_terminal.mobile_cpu"),
        "the demo's outside-supplied mobile CPU (a chip) needs research: {tech:?}"
    );
    assert!(o["attraction_rule"]["zh"].as_str().is_some_and(|r| !r.is_empty()));

    let detail = get(&api, &viewer, "/api/v1/chains/ultra_hd_video").await;
    assert_eq!(detail["name"], "超高清视频");
    let shares: f64 =
        detail["nodes"].as_array().unwrap().iter().filter_map(|n| n["report"]["revenue_share"].as_f64()).sum();
    assert!((shares - 1.0).abs() < 0.01, "the revenue shares of a chain's nodes add up: {shares}");
    let (s, v) = api.call("GET", "/api/v1/chains/atlantis", &viewer, Value::Null).await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, Some("not_found")), "{v}");
    let (s, _) = api.call("GET", "/api/v1/chains/ai/nodes/ai.nothing", &viewer, Value::Null).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_node_of_fewer_than_three_firms_withholds_its_money_figures() {
    let api = Client::demo_sqlite().await;
    let owner = api.login("owner", "Demo@2025").await;
    let node = "integrated_circuits.gan_chips";
    let firms = get(&api, &owner, "/api/v1/enterprises?limit=1").await;
    let uscc = firms["items"][0]["uscc"].clone();
    let place = json!({ "uscc": uscc, "role": "producer" });
    let (s, _) = api.call("POST", &format!("/api/v1/chains/nodes/{node}/firms"), &owner, place).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let uri = format!("/api/v1/chains/integrated_circuits/nodes/{node}");
    // The plan owner reads every firm's figures: the single firm's share is shown.
    let mine = get(&api, &owner, &uri).await;
    assert_eq!(mine["node"]["figures_withheld"], false, "{mine}");
    // A department does not: the sum of one firm would be that firm's revenue.
    let kjt = api.login("kjt", "Demo@2025").await;
    let theirs = get(&api, &kjt, &uri).await;
    assert_eq!(theirs["node"]["figures_withheld"], true, "{theirs}");
    assert_eq!(theirs["node"]["report"]["revenue_wan"], 0.0);
    assert_eq!(theirs["node"]["report"]["revenue_share"], Value::Null);
    let parts = theirs["node"]["report"]["strength"]["parts"].to_string();
    assert!(parts.contains("不公开") || parts.contains("not shown"), "{parts}");
    // A node of many firms shows its figures to everyone.
    let design = get(&api, &kjt, "/api/v1/chains/integrated_circuits/nodes/integrated_circuits.design").await;
    assert_eq!(design["node"]["figures_withheld"], false);
    assert!(design["node"]["report"]["revenue_share"].as_f64().is_some(), "{design}");
}

#[tokio::test]
async fn only_the_plan_owner_changes_the_map() {
    let api = Client::demo_sqlite().await;
    let city = api.login("shenzhen", "Demo@2025").await;
    assert_eq!(get(&api, &city, "/api/v1/chains").await.as_array().unwrap().len(), 8);
    for (method, uri, body) in [
        ("PUT", "/api/v1/chains/names", json!({ "text": "计算机整机", "node": "smart_terminal.tablets" })),
        ("PUT", "/api/v1/chains/settings", json!({ "strength_threshold": 10 })),
        ("PUT", "/api/v1/chains/nodes/ai.ai_chips/dependency", json!({ "outside": false })),
    ] {
        let (s, v) = api.call(method, uri, &city, body).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{uri}: {v}");
    }
    let firm = api.login("qiye", "Demo@2025").await;
    let (s, _) = api.call("GET", "/api/v1/chains", &firm, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an enterprise user does not read the province's map");
}

#[tokio::test]
async fn settings_are_checked_and_change_the_gaps() {
    let api = Client::demo_sqlite().await;
    let owner = api.login("owner", "Demo@2025").await;
    let (s, v) = api.call("PUT", "/api/v1/chains/settings", &owner, json!({ "strength_threshold": 140 })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("strength_threshold")), "{v}");
    let (s, v) = api.call("PUT", "/api/v1/chains/settings", &owner, json!({ "research_segments": ["magic"] })).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "an unknown segment: {v}");
    let below = |v: &Value| v.as_array().unwrap().iter().filter(|g| g["rule"] == "below_threshold").count();
    let (s, _) = api.call("PUT", "/api/v1/chains/settings", &owner, json!({ "strength_threshold": 100 })).await;
    assert_eq!(s, StatusCode::OK);
    let before = below(&get(&api, &owner, "/api/v1/chains/smart_terminal/gaps").await);
    let (s, v) = api.call("PUT", "/api/v1/chains/settings", &owner, json!({ "strength_threshold": 0 })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["full_firm_count"], 5, "a missing field keeps its default");
    let after = below(&get(&api, &owner, "/api/v1/chains/smart_terminal/gaps").await);
    assert!(before > 0 && after == 0, "every node with firms is below 100, none below 0: {before} → {after}");
}

#[tokio::test]
async fn a_renamed_node_keeps_its_former_name_and_a_recorded_node_stays() {
    let api = Client::demo_sqlite().await;
    let owner = api.login("owner", "Demo@2025").await;
    let view = get(&api, &owner, "/api/v1/chains/vocabulary").await;
    assert_eq!(view["version"], Value::Null, "the built-in vocabulary");
    let mut vocab = view["vocabulary"].clone();
    // Rename 新型显示 (firms hold that name as text).
    let node = vocab["chains"][0]["nodes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|n| n["id"] == "ultra_hd_video.new_display")
        .unwrap();
    node["name_zh"] = json!("新型显示器件");
    let (s, v) = api
        .call("PUT", "/api/v1/chains/vocabulary", &owner, json!({ "vocabulary": vocab, "note": "（测试）改名" }))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["version"].as_i64(), v["history"][0]["version"].as_i64());
    let renamed = v["vocabulary"]["chains"][0]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "ultra_hd_video.new_display")
        .unwrap()
        .clone();
    assert_eq!(renamed["renamed_from"], json!(["新型显示"]), "{renamed}");
    let n = get(&api, &owner, "/api/v1/chains/ultra_hd_video/nodes/ultra_hd_video.new_display").await;
    assert!(!n["firms"].as_array().unwrap().is_empty(), "text holding the former name still resolves: {n}");

    // A node with firms recorded on it cannot be dropped; a bad vocabulary names the field.
    let mut dropped = v["vocabulary"].clone();
    dropped["chains"][0]["nodes"].as_array_mut().unwrap().retain(|n| n["id"] != "ultra_hd_video.core_parts");
    let (s, e) =
        api.call("PUT", "/api/v1/chains/vocabulary", &owner, json!({ "vocabulary": dropped, "note": "x" })).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let mut bad = v["vocabulary"].clone();
    bad["chains"][0]["nodes"][0]["tier"] = json!("sideways");
    let (s, e) = api.call("PUT", "/api/v1/chains/vocabulary", &owner, json!({ "vocabulary": bad, "note": "x" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(field(&e).is_some_and(|f| f.starts_with("vocabulary.chains[0].nodes[0].tier")), "{e}");
    audit_holds(&api.app, &["chain.vocabulary"]).await;
}

#[tokio::test]
async fn the_pages_draw_the_map_and_export_it() {
    let api = Client::demo_sqlite().await;
    let owner = api.browser("owner", "Demo@2025").await;
    let page = api.page("/chains", &owner).await;
    assert!(page.contains("招商清单") && page.contains("技术攻关清单") && page.contains("示例"), "labelled synthetic");
    assert!(page.contains("/challenges/new?node="), "a technology gap can be turned into a challenge");
    let page = api.page("/chains/integrated_circuits", &owner).await;
    assert!(page.contains("<svg") && page.contains("/chains/integrated_circuits/nodes/integrated_circuits.design"));
    let svg = api.get("/chains/integrated_circuits/map.svg").browser(&owner).await;
    assert_eq!(svg.status, StatusCode::OK);
    assert!(svg.header("content-type").starts_with("image/svg+xml"));
    assert!(svg.body.starts_with("<?xml") && svg.body.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    let csv = api.get("/chains/integrated_circuits?format=csv").browser(&owner).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("integrated_circuits.gan_chips"), "{}", csv.body);
    let json = api.get("/chains?format=json").browser(&owner).await.json();
    assert_eq!(json["synthetic"], true, "{json}");
    let page = api.page("/chains/unassigned", &owner).await;
    assert!(page.contains("计算机整机"));
    let en = api.get("/chains").browser(&owner).lang("en").await;
    assert!(en.body.contains("Attraction list"), "English");

    // A firm's own page says which of its chain names match a node (a link) and which do not.
    let token = api.login("owner", "Demo@2025").await;
    let list = get(&api, &token, "/api/v1/chains/unassigned").await;
    let holder =
        list.as_array().unwrap().iter().find(|u| u["text"] == "计算机整机").unwrap()["holders"][0]["id"].clone();
    let firm = api.page(&format!("/enterprises/{holder}"), &owner).await;
    assert!(firm.contains("计算机整机") && firm.contains("未对应环节"), "the unmatched name is flagged");
    let matched = list.as_array().unwrap().iter().all(|u| u["text"] != "新型显示");
    assert!(matched, "新型显示 is a node's name");

    // A base put on a node from its page counts there.
    let bases = get(&api, &token, "/api/v1/bases").await;
    let key_lab = bases.as_array().unwrap().iter().find(|b| b["kind"] == "key_lab").unwrap()["id"].to_string();
    let node = "/chains/ai/nodes/ai.ai_chips";
    let a = api
        .submit(&format!("{node}/bases"), &owner, &[("csrf", &owner.csrf), ("base_id", &key_lab), ("on", "1")])
        .await;
    assert_eq!((a.status, a.location()), (StatusCode::SEE_OTHER, node));
    let d = get(&api, &token, "/api/v1/chains/ai/nodes/ai.ai_chips").await;
    assert_eq!(d["bases"].as_array().unwrap().len(), 1, "{d}");
    assert_eq!(d["node"]["report"]["bases"], 1);
    let a = api.submit(&format!("{node}/bases"), &owner, &[("csrf", &owner.csrf), ("on", "1")]).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "no base chosen");

    // The vocabulary page: the plan owner saves a new version from it; bad JSON is shown with its position.
    let page = api.page("/chains/vocabulary", &owner).await;
    assert!(page.contains("内置版本") && page.contains("integrated_circuits.gan_chips"));
    let a = api
        .submit("/chains/vocabulary", &owner, &[("csrf", &owner.csrf), ("vocabulary", "{ nope"), ("note", "x")])
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("第1行"), "the position of the JSON error");
    let v = get(&api, &token, "/api/v1/chains/vocabulary").await["vocabulary"].to_string();
    let renamed = v.replace("\"氮化镓芯片\"", "\"氮化镓功率芯片\"");
    let a = api
        .submit(
            "/chains/vocabulary",
            &owner,
            &[("csrf", &owner.csrf), ("vocabulary", &renamed), ("note", "（测试）改名")],
        )
        .await;
    assert_eq!(
        (a.status, a.location()),
        (StatusCode::SEE_OTHER, "/chains/vocabulary"),
        "{}",
        &a.body[..a.body.len().min(400)]
    );
    let page = api.page("/chains/vocabulary", &owner).await;
    assert!(page.contains("（测试）改名") && page.contains("氮化镓功率芯片"));

    // The settings form: a bad threshold is shown on the page, in the page's language.
    let a = api
        .submit(
            "/chains/settings",
            &owner,
            &[("csrf", &owner.csrf), ("strength_threshold", "abc"), ("full_firm_count", "5")],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", &a.body[..a.body.len().min(500)]);
    let a = api
        .submit(
            "/chains/settings",
            &owner,
            &[
                ("csrf", &owner.csrf),
                ("strength_threshold", "50"),
                ("full_firm_count", "4"),
                ("research", "operating_systems"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", &a.body[..a.body.len().min(500)]);
}

/// The demo's challenges answer gaps the demo's chain map finds, by the rule each names (a made-up data set
/// that contradicted itself would teach the wrong thing).
#[tokio::test]
async fn the_demo_challenges_answer_gaps_the_map_finds() {
    let api = Client::demo_sqlite().await;
    let owner = api.login("owner", "Demo@2025").await;
    let challenges = get(&api, &owner, "/api/v1/challenges").await;
    let mut checked = 0;
    for c in challenges.as_array().unwrap() {
        let (Some(node), Some(rule)) = (c["chain_node"].as_str(), c["gap_rule"].as_str()) else { continue };
        let chain = node.split('.').next().unwrap();
        let gaps = get(&api, &owner, &format!("/api/v1/chains/{chain}/gaps")).await;
        assert!(gaps_of(&gaps, node).contains(&rule), "{} names {node} {rule}: {gaps}", c["title"]);
        checked += 1;
    }
    assert!(checked >= 4, "{challenges}");
}
