//! The chain vocabulary (built-in data, exact resolution of legacy text, bad files) and the gap analysis
//! (each gap rule, strength, shares, the attraction and technology lists with their order).

use std::collections::BTreeMap;

use jiqun_domain::CityCode;
use jiqun_domain::chains::{FirmRole, LEGACY_CHAIN_IDS, Resolution, Segment, Vocabulary};
use jiqun_domain::uscc::Uscc;
use jiqun_eval::chains::{Dependency, Facts, FirmFact, GapRule, Settings, StrengthPart, analyse};
use serde_json::{Value, json};

const PLAN: &str = include_str!("../../../../data/plans/guangdong-ngit-cluster-2025.txt");

/// A valid synthetic USCC, distinct per number.
pub fn firm(n: u32) -> Uscc {
    Uscc::complete(format!("91440300MA{n:07}").as_bytes()).expect("synthetic code")
}

fn rules(a: &jiqun_eval::chains::Analysis, node: &str) -> Vec<GapRule> {
    a.node(node).expect("node reported").gaps.iter().map(|g| g.rule.clone()).collect()
}

/// The errors (path, English) a vocabulary gives after an edit of the built-in file.
fn vocabulary_refused(edit: impl FnOnce(&mut Value)) -> Vec<(String, String)> {
    let mut v: Value = serde_json::from_str(Vocabulary::builtin_json()).unwrap();
    edit(&mut v);
    match Vocabulary::parse(&v.to_string()) {
        Ok(_) => panic!("accepted"),
        Err(es) => es.into_iter().map(|e| (e.path, e.en)).collect(),
    }
}

#[test]
fn the_builtin_vocabulary_validates_and_names_the_six_chains_as_the_plan_does() {
    let v = Vocabulary::builtin();
    let ids: Vec<&str> = v.chains.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "ultra_hd_video",
            "next_gen_network",
            "smart_terminal",
            "ai",
            "iot",
            "auto_electronics",
            "integrated_circuits",
            "new_electronic_components"
        ]
    );
    let names: Vec<&str> = v.chains.iter().take(6).map(|c| c.name.zh.as_str()).collect();
    assert_eq!(names, ["超高清视频", "新一代通信与网络", "智能终端", "人工智能", "物联网", "汽车电子"]);
    assert!(
        PLAN.contains(&format!("在{}等新一代信息技术产业领域", names.join("、"))),
        "the plan's own list, in its order"
    );
    for c in &v.chains {
        assert!(PLAN.contains(&c.name.zh), "{}", c.name.zh);
    }
    for id in LEGACY_CHAIN_IDS {
        assert_eq!(v.legacy_chain(id).map(|c| c.id.as_str()), Some(id));
    }
    // Each of the six has a node of each of the plan's nine segments.
    for c in v.chains.iter().take(6) {
        for s in &Segment::ALL[..9] {
            assert!(c.nodes.iter().any(|n| n.segment == *s), "{} {s}", c.id);
        }
    }
    // Every quotation in a source is the plan's text, word for word.
    let mut quotes = 0;
    let sources = v.chains.iter().flat_map(|c| std::iter::once(&c.source).chain(c.nodes.iter().map(|n| &n.source)));
    for s in sources {
        let mut rest = s.as_str();
        let mut found = false;
        while let Some(start) = rest.find('“') {
            let after = &rest[start + '“'.len_utf8()..];
            let end = after.find('”').expect("closed quotation");
            assert!(PLAN.contains(&after[..end]), "not in the plan: {}", &after[..end]);
            rest = &after[end..];
            found = true;
            quotes += 1;
        }
        assert!(found, "a source quotes the plan: {s}");
    }
    assert!(quotes > 80);
}

#[test]
fn resolve_matches_exactly_and_never_guesses() {
    let v = Vocabulary::builtin();
    let node = |chain: &str, node: &str| Resolution::Node { chain: chain.into(), node: node.into() };
    assert_eq!(v.resolve("新型显示"), node("ultra_hd_video", "ultra_hd_video.new_display"));
    assert_eq!(v.resolve("  ＡＩ芯片\u{3000}"), node("ai", "ai.ai_chips"), "full width and spaces forgiven");
    assert_eq!(v.resolve("ai chips"), node("ai", "ai.ai_chips"), "English name, ASCII case forgiven");
    assert_eq!(v.resolve("基带芯片"), node("next_gen_network", "next_gen_network.baseband_chips"), "alias");
    assert_eq!(v.resolve("smart_terminal.phones"), node("smart_terminal", "smart_terminal.phones"), "id");
    assert_eq!(v.resolve("新一代通信与网络(5G)"), Resolution::Chain { chain: "next_gen_network".into() });
    assert_eq!(v.resolve("集成电路"), Resolution::Chain { chain: "integrated_circuits".into() });
    match v.resolve("原材料") {
        Resolution::Ambiguous { candidates, .. } => assert_eq!(candidates.len(), 6, "{candidates:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(v.resolve_in("smart_terminal", "原材料"), node("smart_terminal", "smart_terminal.raw_materials"));
    assert_eq!(v.resolve_in("nowhere", "原材料"), Resolution::Unassigned { text: "原材料".into() });
    for near_miss in ["新型显示屏", "显示", "手机 CPU", "计算机整机", "芯片", "", "   "] {
        assert_eq!(v.resolve(near_miss), Resolution::Unassigned { text: near_miss.into() }, "{near_miss}");
    }
}

#[test]
fn former_names_still_resolve() {
    let mut doc: Value = serde_json::from_str(Vocabulary::builtin_json()).unwrap();
    doc["chains"][0]["nodes"][1]["renamed_from"] = json!(["新型显示器件"]);
    let v = Vocabulary::parse(&doc.to_string()).expect("valid");
    assert_eq!(
        v.resolve("新型显示器件"),
        Resolution::Node { chain: "ultra_hd_video".into(), node: "ultra_hd_video.new_display".into() }
    );
}

#[test]
fn bad_vocabulary_files_name_the_field() {
    let has = |errs: &[(String, String)], path: &str| errs.iter().any(|(p, _)| p == path);
    let e = vocabulary_refused(|v| v["chains"][0]["nodes"][0]["tier"] = json!("sideways"));
    assert!(has(&e, "chains[0].nodes[0].tier"), "{e:?}");
    assert!(e[0].1.contains("upstream, midstream, downstream"), "{e:?}");
    let e = vocabulary_refused(|v| v["chains"][2]["nodes"][3]["segment"] = json!("firmware"));
    assert!(has(&e, "chains[2].nodes[3].segment"), "{e:?}");
    let e = vocabulary_refused(|v| v["chains"][1]["nodes"][0]["name_zh"] = json!(" "));
    assert!(has(&e, "chains[1].nodes[0].name_zh"), "{e:?}");
    let e = vocabulary_refused(|v| v["chains"][1]["nodes"][1]["id"] = json!("ultra_hd_video.new_display"));
    assert!(has(&e, "chains[1].nodes[1].id"), "{e:?}");
    let e = vocabulary_refused(|v| v["chains"][7]["id"] = json!("ai"));
    assert!(has(&e, "chains[7].id"), "{e:?}");
    let e = vocabulary_refused(|v| v["chains"][0]["nodes"][0]["aliases"] = json!(["新型显示"]));
    assert!(has(&e, "chains[0].nodes[1].name_zh"), "two nodes of a chain share a name: {e:?}");
    let e = vocabulary_refused(|v| v["chains"][0]["nodes"][1]["name_zh"] = json!("人工智能"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, "chains[0].nodes[1].name_zh", "a node named like a later chain");
    assert!(e[0].1.contains("chains[3].name.zh"), "{e:?}");
    let e = vocabulary_refused(|v| v["chains"][0]["name"]["en"] = json!(""));
    assert!(has(&e, "chains[0].name"), "{e:?}");
    let e = vocabulary_refused(|v| v["chains"][0]["nodes"][0]["colour"] = json!("red"));
    assert!(e[0].1.contains("unknown field `colour`"), "{e:?}");
    assert!(Vocabulary::parse("{").is_err());
}

/// One chain of six nodes, for hand-computed analyses.
fn small() -> Vocabulary {
    let node = |id: &str, segment: &str| json!({"id": id, "name_zh": id, "name_en": id, "tier": "midstream", "segment": segment, "source": "test"});
    let doc = json!({
        "version": "t", "source": {"citation": "test"},
        "chains": [{"id": "c", "name": {"zh": "测试链", "en": "test chain"}, "plan_item": "x", "source": "test",
            "nodes": [node("a", "raw_materials"), node("b", "core_parts"), node("c.strong", "end_products"),
                      node("d", "production_equipment"), node("e", "chips_and_components"),
                      node("f", "design_software")]}]
    });
    Vocabulary::parse(&doc.to_string()).expect("valid test vocabulary")
}

fn fact(n: u32, city: CityCode, node: &str, output: f64) -> FirmFact {
    FirmFact {
        uscc: firm(n),
        city,
        node: node.into(),
        role: FirmRole::Producer,
        revenue_wan: Some(output / 2.0),
        output_wan: Some(output),
        is_backbone: false,
        in_library: false,
    }
}

/// a: none; b: one library firm (100); c.strong: five firms, one backbone (5 × 300); d: two firms (2 × 200);
/// e: none (a research segment); f: two firms, outside dependency. Output 2000 + f's 0 over six nodes.
fn facts() -> Facts {
    let mut firms = vec![FirmFact { in_library: true, ..fact(1, CityCode::Shenzhen, "b", 100.0) }];
    for i in 0..5 {
        let city = if i < 3 { CityCode::Shenzhen } else { CityCode::Dongguan };
        firms.push(FirmFact { is_backbone: i == 0, ..fact(10 + i, city, "c.strong", 300.0) });
    }
    firms.push(fact(20, CityCode::Guangzhou, "d", 200.0));
    firms.push(fact(21, CityCode::Guangzhou, "d", 200.0));
    firms.push(FirmFact { output_wan: Some(0.0), ..fact(30, CityCode::Zhuhai, "f", 0.0) });
    firms.push(FirmFact { output_wan: None, ..fact(31, CityCode::Zhuhai, "f", 0.0) });
    Facts {
        firms,
        dependencies: vec![
            Dependency { node: "c.strong".into(), outside: true, source: "示例调查".into() },
            Dependency { node: "f".into(), outside: true, source: "示例调查".into() },
            Dependency { node: "d".into(), outside: false, source: String::new() },
        ],
        ..Facts::default()
    }
}

#[test]
fn each_gap_rule_fires_and_only_then() {
    let a = analyse(&small(), &facts(), &Settings::default()).unwrap();
    assert_eq!(rules(&a, "a"), [GapRule::NoFirm], "no firm: not also below the threshold");
    assert_eq!(rules(&a, "b"), [GapRule::SingleFirm, GapRule::BelowThreshold { strength: 32.0, threshold: 60.0 }]);
    assert_eq!(rules(&a, "c.strong"), [GapRule::OutsideDependency { source: "示例调查".into() }]);
    assert_eq!(rules(&a, "d"), [GapRule::BelowThreshold { strength: 46.0, threshold: 60.0 }]);
    assert_eq!(rules(&a, "e"), [GapRule::NoFirm]);
    // A threshold at the strength is met (below means strictly below).
    let at = Settings { strength_threshold: 32.0, ..Settings::default() };
    let a = analyse(&small(), &facts(), &at).unwrap();
    assert_eq!(rules(&a, "b"), [GapRule::SingleFirm]);
    assert!(a.node("b").unwrap().gaps[0].explanation.zh.contains("仅一家"));
}

#[test]
fn strength_is_firms_backbone_and_output_share_with_reasons() {
    let a = analyse(&small(), &facts(), &Settings::default()).unwrap();
    // Even share over six nodes is 1/6. b: 1 of 5 firms → 8; a library member, no backbone → 15; 100 of
    // the chain's 2000 output is 5%, 0.3 of the even share → 9.
    let b = a.node("b").unwrap();
    let points: Vec<(StrengthPart, f64)> = b.strength.parts.iter().map(|p| (p.part, p.points)).collect();
    assert_eq!(points, [(StrengthPart::Firms, 8.0), (StrengthPart::Backbone, 15.0), (StrengthPart::Output, 9.0)]);
    assert_eq!(b.output_share, Some(0.05));
    assert_eq!(b.strength.score, 32.0);
    let c = a.node("c.strong").unwrap();
    assert_eq!(c.strength.score, 100.0);
    assert_eq!(c.backbone, 1);
    let by_city: Vec<(CityCode, usize)> = c.firms_by_city.iter().map(|x| (x.city, x.firms)).collect();
    assert_eq!(by_city, [(CityCode::Shenzhen, 3), (CityCode::Dongguan, 2)]);
    assert_eq!(c.revenue_share, Some(0.75), "750 of 1000");
    let d = a.node("d").unwrap();
    assert_eq!(d.strength.score, 46.0, "16 for two firms + 0 backbone + 30 (400/2000 ≥ 1/6)");
    let f = a.node("f").unwrap();
    assert_eq!(f.firms_without_output, 1);
    assert!(f.strength.parts.iter().all(|p| !p.reason.zh.is_empty() && !p.reason.en.is_empty()));
}

#[test]
fn attraction_and_technology_lists_are_ranked_with_reasons() {
    let a = analyse(&small(), &facts(), &Settings::default()).unwrap();
    let order: Vec<&str> = a.attraction_list.iter().map(|e| e.node.as_str()).collect();
    // a: no firm (4); b: single firm (3); c.strong: outside (2); d and f: below threshold (1), f weaker (16
    // against 46), so first.
    assert_eq!(order, ["a", "b", "c.strong", "f", "d"]);
    assert_eq!(a.attraction_list[0].rank, 1);
    assert!(a.attraction_list[0].reasons[0].zh.contains("无企业"));
    // e (chips, no firm) and f's outside dependency (design software) need research, not investment.
    let tech: Vec<(&str, Vec<GapRule>)> =
        a.technology_list.iter().map(|e| (e.node.as_str(), e.gaps.iter().map(|g| g.rule.clone()).collect())).collect();
    assert_eq!(
        tech,
        [("e", vec![GapRule::NoFirm]), ("f", vec![GapRule::OutsideDependency { source: "示例调查".into() }])]
    );
    assert!(a.attraction_list.iter().all(|e| e.node != "e"));
    let f = a.attraction_list.iter().find(|e| e.node == "f").unwrap();
    assert!(f.gaps.iter().all(|g| matches!(g.rule, GapRule::BelowThreshold { .. })), "f's other gap stays");
    assert!(a.technology_rule.zh.contains("芯片及电子元器件"));
    // With no research segments everything is for attraction.
    let none = Settings { research_segments: vec![], ..Settings::default() };
    let a = analyse(&small(), &facts(), &none).unwrap();
    assert!(a.technology_list.is_empty());
    assert_eq!(a.attraction_list.len(), 6);
}

#[test]
fn ties_break_on_projects_then_vocabulary_order() {
    let mut projects = BTreeMap::new();
    projects.insert("a".to_string(), 2);
    let facts = Facts { projects, ..Facts::default() };
    let s = Settings { research_segments: vec![], ..Settings::default() };
    let a = analyse(&small(), &facts, &s).unwrap();
    // All six have no firm; a has projects under way, so it goes last; the rest keep the vocabulary's order.
    let order: Vec<&str> = a.attraction_list.iter().map(|e| e.node.as_str()).collect();
    assert_eq!(order, ["b", "c.strong", "d", "e", "f", "a"]);
    assert!(a.attraction_list[1].reasons.iter().any(|r| r.en.contains("vocabulary's order")));
    assert!(!a.attraction_list[0].reasons.iter().any(|r| r.en.contains("vocabulary's order")));
    assert!(a.attraction_list[5].reasons.iter().any(|r| r.zh.contains("2 个在建项目")));
    assert_eq!(a.node("a").unwrap().projects, 2);
}

#[test]
fn the_analysis_does_not_depend_on_the_order_of_the_facts() {
    let f = facts();
    let mut reversed = f.clone();
    reversed.firms.reverse();
    let s = Settings::default();
    assert_eq!(analyse(&small(), &f, &s).unwrap(), analyse(&small(), &reversed, &s).unwrap());
}

#[test]
fn bad_facts_and_settings_name_the_field() {
    let v = small();
    let mut f = facts();
    f.firms[0].node = "zz".into();
    f.firms[1].revenue_wan = Some(-1.0);
    f.firms[2].output_wan = Some(f64::NAN);
    f.firms.push(fact(20, CityCode::Guangzhou, "d", 1.0));
    f.dependencies[0].source = " ".into();
    f.bases.insert("nowhere".into(), 1);
    let s = Settings { strength_threshold: 150.0, full_firm_count: 0, ..Settings::default() };
    let paths: Vec<String> = analyse(&v, &f, &s).unwrap_err().into_iter().map(|e| e.path).collect();
    for p in [
        "strength_threshold",
        "full_firm_count",
        "firms[0].node",
        "firms[1].revenue_wan",
        "firms[2].output_wan",
        "firms[10]",
        "dependencies[0].source",
        "bases.nowhere",
    ] {
        assert!(paths.iter().any(|x| x == p), "{p} in {paths:?}");
    }
}

#[test]
fn the_builtin_vocabulary_with_no_facts_lists_every_node() {
    let v = Vocabulary::builtin();
    let a = analyse(v, &Facts::default(), &Settings::default()).unwrap();
    let nodes: usize = v.chains.iter().map(|c| c.nodes.len()).sum();
    assert_eq!(a.nodes.len(), nodes);
    assert_eq!(a.attraction_list.len() + a.technology_list.len(), nodes, "each no-firm gap is on one list");
    assert!(a.nodes.iter().all(|n| n.revenue_share.is_none() && n.gaps.len() == 1));
}

#[test]
fn hostile_text_and_files_never_panic() {
    let v = Vocabulary::builtin();
    let long = "链".repeat(100_000);
    for text in ["\u{0}", "\u{FEFF}新型显示", "～", "\u{FF5E}\u{FF01}", "e\u{301}", &long, "\n\t\r", "🦀"] {
        assert!(matches!(v.resolve(text), Resolution::Unassigned { .. }), "{text:?}");
    }
    for file in ["", "null", "[]", "{\"version\": 1}", "{\"chains\": [[[[[]]]]]}", &"[".repeat(10_000)] {
        assert!(Vocabulary::parse(file).is_err(), "{file:.20}");
    }
    let f = Facts {
        firms: vec![FirmFact {
            revenue_wan: Some(f64::INFINITY),
            output_wan: Some(1e308),
            ..fact(1, CityCode::Yunfu, "a", 0.0)
        }],
        ..Facts::default()
    };
    assert!(analyse(&small(), &f, &Settings::default()).is_err());
    let huge = Facts {
        firms: vec![fact(1, CityCode::Yunfu, "a", 1e308), fact(2, CityCode::Yunfu, "b", 1e308)],
        ..Facts::default()
    };
    let a = analyse(&small(), &huge, &Settings::default()).unwrap();
    assert!(a.nodes.iter().all(|n| n.strength.score.is_finite() || n.output_share.is_none()));
}

#[test]
fn facts_settings_and_the_analysis_travel_as_json() {
    let f = facts();
    let back: Facts = serde_json::from_value(serde_json::to_value(&f).unwrap()).unwrap();
    assert_eq!(back, f);
    let s: Settings = serde_json::from_str(r#"{"strength_threshold": 50}"#).unwrap();
    assert_eq!(s, Settings { strength_threshold: 50.0, ..Settings::default() });
    assert!(serde_json::from_str::<Settings>(r#"{"threshold": 50}"#).is_err(), "unknown fields are refused");
    let a = serde_json::to_value(analyse(&small(), &f, &Settings::default()).unwrap()).unwrap();
    assert_eq!(a["nodes"][1]["gaps"][1]["rule"], "below_threshold");
    assert_eq!(a["nodes"][1]["gaps"][1]["threshold"], 60.0);
    assert_eq!(a["nodes"][1]["firms_by_city"][0]["city"], "深圳");
    assert_eq!(a["attraction_list"][0]["gaps"][0]["rule"], "no_firm");
    assert_eq!(a["settings"]["research_segments"][0], "chips_and_components");
}
