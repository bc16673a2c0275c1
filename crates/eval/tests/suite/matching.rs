//! Chip ↔ terminal matching: the built-in categories, candidates in the same category only, each component
//! hand-computed, filters, weights checked, deterministic order.

use std::collections::BTreeSet;

use jiqun_domain::CityCode;
use jiqun_domain::chains::Vocabulary;
use jiqun_domain::date::Date;
use jiqun_domain::matching::{Categories, ChipProduct, Maturity, TerminalNeed};
use jiqun_eval::matching::{Component, Filter, Market, Pair, Settings, Weights, candidates};
use serde_json::{Value, json};

use crate::chains::firm;

const PLAN: &str = include_str!("../../../../data/plans/guangdong-ngit-cluster-2025.txt");

fn today() -> Date {
    Date::new(2025, 1, 1).unwrap()
}

fn chip(n: u32, city: CityCode, category: &str, maturity: Maturity, volume: Option<u64>) -> ChipProduct {
    ChipProduct {
        firm: firm(n),
        city,
        category: category.into(),
        process_node_nm: Some(28),
        maturity,
        annual_volume: volume,
    }
}

fn need(n: u32, city: CityCode, category: &str, volume: Option<u64>, needed_by: Date) -> TerminalNeed {
    TerminalNeed {
        firm: firm(n),
        city,
        category: category.into(),
        annual_volume: volume,
        needed_by,
        requirements: "示例需求".into(),
    }
}

fn run(
    products: &[ChipProduct],
    needs: &[TerminalNeed],
    prior: &BTreeSet<(jiqun_domain::uscc::Uscc, jiqun_domain::uscc::Uscc)>,
    filter: &Filter,
) -> Vec<Pair> {
    let market = Market { products, needs, prior_cooperation: prior, today: today() };
    candidates(&market, Categories::builtin(), Vocabulary::builtin(), filter, &Settings::default()).unwrap()
}

fn fit(p: &Pair, c: Component) -> f64 {
    p.components.iter().find(|x| x.component == c).map(|x| x.fit).expect("every component is listed")
}

#[test]
fn builtin_categories_serve_known_chains_and_the_plans_chips_come_first() {
    let c = Categories::builtin();
    let v = Vocabulary::builtin();
    for cat in &c.categories {
        assert!(cat.chains.iter().all(|ch| v.chain(ch).is_some()), "{}", cat.id);
        if cat.substitution_priority {
            // The plan's own sentence is quoted.
            let quoted = cat.source.split('“').nth(1).and_then(|s| s.split('”').next()).unwrap_or("");
            assert!(!quoted.is_empty() && PLAN.contains(quoted), "{}", cat.id);
        } else {
            assert!(cat.source.contains("计划未点名"), "{}", cat.id);
        }
    }
    let priority: Vec<&str> =
        c.categories.iter().filter(|c| c.substitution_priority).map(|c| c.name.zh.as_str()).collect();
    assert_eq!(priority, ["手机CPU", "5G基带", "射频前端", "光通信/光交换", "图像处理", "AI芯片", "车规级SoC"]);
}

#[test]
fn bad_category_files_name_the_field() {
    let mut v: Value = serde_json::from_str(Categories::builtin_json()).unwrap();
    v["categories"][0]["chains"] = json!(["moon"]);
    v["categories"][1]["id"] = json!("mobile_cpu");
    v["categories"][2]["name"]["zh"] = json!("");
    let paths: Vec<String> =
        Categories::parse(&v.to_string(), Vocabulary::builtin()).unwrap_err().into_iter().map(|e| e.path).collect();
    assert_eq!(paths, ["categories[0].chains[0]", "categories[1].id", "categories[2].name"]);
}

#[test]
fn a_perfect_pair_scores_100_and_each_component_is_explained() {
    let products = [chip(1, CityCode::Shenzhen, "mobile_cpu", Maturity::MassProduction, Some(2_000_000))];
    let needs = [need(2, CityCode::Shenzhen, "mobile_cpu", Some(1_000_000), Date::new(2025, 6, 30).unwrap())];
    let prior = BTreeSet::from([(firm(1), firm(2))]);
    let pairs = run(&products, &needs, &prior, &Filter::default());
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0].score, 100.0);
    let points: f64 = pairs[0].components.iter().map(|c| c.points).sum();
    assert_eq!(points, 100.0);
    assert!(pairs[0].components.iter().all(|c| !c.reason.zh.is_empty() && !c.reason.en.is_empty()));
    assert!(pairs[0].components.iter().any(|c| c.reason.zh.contains("同在深圳")));
}

#[test]
fn components_hand_computed() {
    // A sample (12 months to mass production by default) needed in 183 days (6.01 months → 0.5); volume
    // unknown (0.5); 深圳 and 汕头 in different regions (0); no cooperation (0); a priority category (1).
    // 25 + 25 × 0.5 + 15 × 0.5 + 0 + 0 + 10 = 55.
    let products = [chip(1, CityCode::Shenzhen, "baseband_5g", Maturity::Sample, None)];
    let needs = [need(2, CityCode::Shantou, "baseband_5g", Some(10), today().plus_days(183))];
    let p = &run(&products, &needs, &BTreeSet::new(), &Filter::default())[0];
    assert_eq!(fit(p, Component::Maturity), 0.5);
    assert_eq!(fit(p, Component::Volume), 0.5);
    assert_eq!(fit(p, Component::Proximity), 0.0);
    assert_eq!(fit(p, Component::Cooperation), 0.0);
    assert_eq!(fit(p, Component::Substitution), 1.0);
    assert_eq!(p.score, 55.0);
    // Same region (广州 and 深圳, 珠三角) is half; a volume of half the need is 0.5; research past the date is 0.
    let products = [chip(1, CityCode::Guangzhou, "memory", Maturity::Research, Some(500))];
    let needs = [need(2, CityCode::Shenzhen, "memory", Some(1000), Date::new(2024, 12, 1).unwrap())];
    let p = &run(&products, &needs, &BTreeSet::new(), &Filter::default())[0];
    assert_eq!(fit(p, Component::Proximity), 0.5);
    assert!(p.components.iter().any(|c| c.reason.zh.contains("同属珠三角")));
    assert_eq!(fit(p, Component::Volume), 0.5);
    assert_eq!(fit(p, Component::Maturity), 0.0);
    assert_eq!(fit(p, Component::Substitution), 0.0, "memory is an example category, not the plan's");
    // 25 + 0 + 7.5 + 7.5 + 0 + 0
    assert_eq!(p.score, 40.0);
}

#[test]
fn only_the_same_category_pairs_and_never_a_firm_with_itself() {
    let d = Date::new(2026, 1, 1).unwrap();
    let products = [
        chip(1, CityCode::Shenzhen, "ai_chip", Maturity::MassProduction, None),
        chip(2, CityCode::Shenzhen, "mcu", Maturity::MassProduction, None),
    ];
    let needs = [need(1, CityCode::Shenzhen, "ai_chip", None, d), need(3, CityCode::Shenzhen, "ai_chip", None, d)];
    let pairs = run(&products, &needs, &BTreeSet::new(), &Filter::default());
    let got: Vec<(usize, usize)> = pairs.iter().map(|p| (p.product, p.need)).collect();
    assert_eq!(got, [(0, 1)]);
}

#[test]
fn equal_scores_order_by_firm_codes_and_filters_narrow() {
    let d = Date::new(2026, 1, 1).unwrap();
    let products = [
        chip(9, CityCode::Shenzhen, "automotive_soc", Maturity::MassProduction, None),
        chip(4, CityCode::Shenzhen, "automotive_soc", Maturity::MassProduction, None),
        chip(5, CityCode::Zhuhai, "display_driver", Maturity::MassProduction, None),
    ];
    let needs = [
        need(7, CityCode::Guangzhou, "automotive_soc", None, d),
        need(6, CityCode::Guangzhou, "automotive_soc", None, d),
        need(8, CityCode::Huizhou, "display_driver", None, d),
    ];
    let pairs = run(&products, &needs, &BTreeSet::new(), &Filter::default());
    let got: Vec<(String, String)> =
        pairs.iter().map(|p| (p.chip_firm.to_string(), p.terminal_firm.to_string())).collect();
    let f = |n| firm(n).to_string();
    // Automotive SoC is a priority category (+10), so its four pairs come first, ordered by codes.
    assert_eq!(got, [(f(4), f(6)), (f(4), f(7)), (f(9), f(6)), (f(9), f(7)), (f(5), f(8))]);
    let auto = run(&products, &needs, &BTreeSet::new(), &Filter { chain: Some("auto_electronics".into()), city: None });
    assert_eq!(auto.len(), 4);
    let uhd = run(&products, &needs, &BTreeSet::new(), &Filter { chain: Some("ultra_hd_video".into()), city: None });
    assert_eq!(uhd.len(), 1);
    let huizhou = run(&products, &needs, &BTreeSet::new(), &Filter { chain: None, city: Some(CityCode::Huizhou) });
    assert_eq!(huizhou.len(), 1, "either side's city");
    // The same inputs in another order give the same list.
    let mut rev_p = products.to_vec();
    rev_p.reverse();
    let again = run(&rev_p, &needs, &BTreeSet::new(), &Filter::default());
    let again: Vec<(String, String)> =
        again.iter().map(|p| (p.chip_firm.to_string(), p.terminal_firm.to_string())).collect();
    assert_eq!(again, got);
}

#[test]
fn weights_and_inputs_are_checked() {
    let products = [chip(1, CityCode::Shenzhen, "quantum", Maturity::Sample, None)];
    let needs = [need(2, CityCode::Shenzhen, "mcu", None, today())];
    let prior = BTreeSet::new();
    let market = Market { products: &products, needs: &needs, prior_cooperation: &prior, today: today() };
    let bad =
        Settings { weights: Weights { volume: -1.0, maturity: f64::NAN, ..Weights::default() }, ..Settings::default() };
    let filter = Filter { chain: Some("moon".into()), city: None };
    let paths: Vec<String> = candidates(&market, Categories::builtin(), Vocabulary::builtin(), &filter, &bad)
        .unwrap_err()
        .into_iter()
        .map(|e| e.path)
        .collect();
    assert_eq!(paths, ["weights.maturity", "weights.volume", "products[0].category", "chain"]);
    let zero =
        Weights { category: 0.0, maturity: 0.0, volume: 0.0, proximity: 0.0, cooperation: 0.0, substitution: 0.0 };
    let e = Settings { weights: zero, ..Settings::default() }.validate().unwrap_err();
    assert_eq!(e[0].path, "weights");
    assert!(Settings::default().validate().is_ok());
    // Only the proportions matter: doubling every weight changes nothing.
    let w = Weights::default();
    let double = Weights {
        category: w.category * 2.0,
        maturity: w.maturity * 2.0,
        volume: w.volume * 2.0,
        proximity: w.proximity * 2.0,
        cooperation: w.cooperation * 2.0,
        substitution: w.substitution * 2.0,
    };
    let products = [chip(1, CityCode::Shenzhen, "mcu", Maturity::Sample, None)];
    let needs = [need(2, CityCode::Foshan, "mcu", None, today().plus_days(100))];
    let market = Market { products: &products, needs: &needs, prior_cooperation: &prior, today: today() };
    let one =
        candidates(&market, Categories::builtin(), Vocabulary::builtin(), &Filter::default(), &Settings::default())
            .unwrap();
    let two = candidates(
        &market,
        Categories::builtin(),
        Vocabulary::builtin(),
        &Filter::default(),
        &Settings { weights: double, ..Settings::default() },
    )
    .unwrap();
    assert_eq!(one[0].score, two[0].score);
}

#[test]
fn pieces_are_written_as_officials_write_them() {
    use jiqun_domain::Lang;
    use jiqun_eval::matching::pieces;
    assert_eq!(pieces(5_000_000, Lang::Zh), "500万颗");
    assert_eq!(pieces(250_000_000, Lang::Zh), "2.5亿颗");
    assert_eq!(pieces(800, Lang::Zh), "800颗");
    assert_eq!(pieces(5_000_000, Lang::En), "5,000,000 pieces");
    assert_eq!(pieces(1, Lang::En), "1 piece");
}
