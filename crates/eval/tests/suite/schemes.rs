//! Schemes as data: the shipped files, Huangyan's published formula checked by hand, score cut-offs,
//! county groups, exemptions, bonus and deduction items, a zero benchmark, groups below a minimum size,
//! and scheme files that are wrong in one field each.

use jiqun_domain::Lang;
use jiqun_eval::permu::{
    Adjustment, AdjustmentKind, Benchmark, Class, Classes, Field, GroupKey, Reason, Rule, Scale, Scheme, SmallGroup,
    builtin_ids, csv, evaluate, explain,
};

const HEADER: &str = "uscc,name,city,scale,founded_year,year,land_mu,tax_wan,revenue_wan,value_added_wan,rd_wan,energy_tce,emission_t,employees,electricity_mwh";

/// A valid USCC made from a number.
fn code(k: usize) -> String {
    let mut c = format!("91331003{k:09}").into_bytes();
    c.push(jiqun_domain::uscc::check_character(&c).unwrap());
    String::from_utf8(c).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn shipped_schemes_load_and_round_trip() {
    let ids: Vec<&str> = builtin_ids().collect();
    assert_eq!(ids, ["default", "huangyan-2021", "huangyan-2022"]);
    for id in ids {
        let s = Scheme::builtin(id).unwrap_or_else(|| panic!("{id} loads"));
        assert_eq!(s.id, id);
        assert!(!s.source.is_empty());
        let again = Scheme::from_json(&s.to_json()).unwrap();
        assert_eq!(again, s, "{id} survives writing and reading");
        let via_serde: Scheme = serde_json::from_str(&s.to_json()).unwrap();
        assert_eq!(via_serde, s);
    }
    assert_eq!(Scheme::builtin("default").unwrap(), Scheme::default(), "data/schemes/default.json is the default");
    assert!(Scheme::builtin("nowhere-1999").is_none());
    let h = Scheme::builtin("huangyan-2022").unwrap();
    assert!(h.source.contains("chacewang.com/newsdetail/news430850.html"));
    assert_eq!(h.cap, None, "the notice shows no cap");
    assert!(h.groups.is_empty());
    let fixed: Vec<f64> =
        h.above.items.iter().chain(&h.below.items).filter_map(|i| i.benchmark.fixed_value()).collect();
    assert_eq!(fixed, [24.097, 136.16, 2.694, 4929.81, 18.14, 0.0302, 11.5932, 0.2352]);
    let h21 = Scheme::builtin("huangyan-2021").unwrap();
    let fixed: Vec<f64> =
        h21.above.items.iter().chain(&h21.below.items).filter_map(|i| i.benchmark.fixed_value()).collect();
    assert_eq!(fixed, [26.01, 132.27, 2.54, 4861.08, 17.45, 0.0305, 16.601058, 0.236565]);
}

/// Six firms of Huangyan's 2022 evaluation year, scored by the notice's formula written out by hand.
fn huangyan_input() -> String {
    let rows = [
        // A: 亩均税收 30, 亩均增加值 150, 单位能耗增加值 3, 单位排放增加值 5000, 劳动生产率 15, R&D 0.03.
        format!("{},甲,台州,above,2010,2022,10,300,5000,1500,150,500,0.3,100,2000", code(1)),
        // B: no emissions reported; 亩均增加值 300 is 2.2 × its benchmark (no cap).
        format!("{},乙,台州,above,2010,2022,8,400,6000,2400,300,600,,120,3000", code(2)),
        format!("{},丙,台州,above,2010,2022,20,200,4000,1000,40,400,0.5,80,1000", code(3)),
        // D: below-scale, 亩均税收 12, 单位用电税收 0.24.
        format!("{},丁,台州,below,2010,2022,5,60,,,,,,,250", code(4)),
        format!("{},戊,台州,below,2010,2022,2,60,,,,,,,250", code(5)),
        format!("{},己,台州,above,2021,2022,10,300,5000,1500,150,500,0.3,100,2000", code(6)),
    ];
    format!("{HEADER}\n{}\n", rows.join("\n"))
}

#[test]
fn huangyan_2022_by_hand() {
    let scheme = Scheme::builtin("huangyan-2022").unwrap();
    let ds = csv::read(huangyan_input().as_bytes()).unwrap();
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    let ev = ds.evaluate(&scheme).unwrap();
    let r = &ev.ratings;
    let a = 30.0 / 24.097 * 30.0
        + 150.0 / 136.16 * 20.0
        + 3.0 / 2.694 * 20.0
        + (1500.0 / 0.3) / 4929.81 * 10.0
        + 15.0 / 18.14 * 10.0
        + (150.0 / 5000.0) / 0.0302 * 10.0; // ≈ 110.00
    let c = 10.0 / 24.097 * 30.0
        + 50.0 / 136.16 * 20.0
        + 2.5 / 2.694 * 20.0
        + (1000.0 / 0.5) / 4929.81 * 10.0
        + 12.5 / 18.14 * 10.0
        + (40.0 / 4000.0) / 0.0302 * 10.0; // ≈ 52.61
    // B has no emissions: the above-scale average of that item's scores (A's and C's).
    let emission_mean = ((1500.0 / 0.3) / 4929.81 * 10.0 + (1000.0 / 0.5) / 4929.81 * 10.0) / 2.0;
    let b = 50.0 / 24.097 * 30.0
        + 300.0 / 136.16 * 20.0
        + 4.0 / 2.694 * 20.0
        + emission_mean
        + 20.0 / 18.14 * 10.0
        + (300.0 / 6000.0) / 0.0302 * 10.0; // ≈ 170.69
    let d = 12.0 / 11.5932 * 50.0 + (60.0 / 250.0) / 0.2352 * 50.0; // ≈ 102.77
    for (k, want) in [(0, a), (1, b), (2, c), (3, d)] {
        assert!(close(r[k].score, want), "row {k}: {} ≠ {want}", r[k].score);
    }
    assert!((a - 110.00).abs() < 0.01 && (b - 170.69).abs() < 0.01 && (c - 52.61).abs() < 0.01);
    assert!((d - 102.77).abs() < 0.01);
    // One group per scale, district-wide: B, A, C; shares of 3: B (100 ≤ 180), C (200 ≤ 285), D.
    let got: Vec<(u32, Class)> = r[..3].iter().map(|x| (x.rank, x.class)).collect();
    assert_eq!(got, [(2, Class::C), (1, Class::B), (3, Class::D)]);
    assert_eq!((r[3].rank, r[3].group_size, r[3].class), (1, 1, Class::D));
    assert_eq!((r[4].class, ev.reason_text(r[4].reason)), (Class::T, "规下用地不足3亩"));
    assert_eq!((r[5].class, r[5].reason), (Class::T, Reason::New));

    // The explanation: each item's value, the published benchmark, the score; B's stand-in for emissions.
    let x = explain(&ev, &ds.rows, 1, &scheme).unwrap();
    let names: Vec<&str> = x.items.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        ["亩均税收", "亩均增加值", "单位能耗增加值", "单位排放增加值", "全员劳动生产率", "R&D经费占主营业务收入比重"]
    );
    assert_eq!(x.items[0].value, Some(50.0));
    assert_eq!(x.items[0].benchmark, 24.097);
    assert!(close(x.items[1].score, 300.0 / 136.16 * 20.0), "no cap: {}", x.items[1].score);
    assert!(!x.items[1].capped && x.items[1].cap.is_none());
    assert_eq!(x.items[3].value, None);
    assert!(close(x.items[3].score, emission_mean));
    assert_eq!(x.items.iter().map(|i| i.score).sum::<f64>(), r[1].score, "the items add up to the score");
    let below = explain(&ev, &ds.rows, 3, &scheme).unwrap();
    assert_eq!(below.items.iter().map(|i| i.benchmark).collect::<Vec<_>>(), [11.5932, 0.2352]);
    let t = explain(&ev, &ds.rows, 4, &scheme).unwrap();
    assert!(t.items.is_empty() && t.score.is_none() && t.reason == "规下用地不足3亩");

    // Output: no city grouping, so the order is scale, rank (not rated last), USCC.
    let mut out = Vec::new();
    csv::write(&ds, &ev, &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[1], format!("{},台州,above,{b:.6},1,3,B,", code(2)));
    assert_eq!(lines[4], format!("{},台州,above,,,,T,新设企业", code(6)));
    assert_eq!(lines[5], format!("{},台州,below,{d:.6},1,1,D,", code(4)));
    assert_eq!(lines.len(), 7);
}

#[test]
fn score_thresholds() {
    let mut scheme = Scheme::builtin("huangyan-2022").unwrap();
    scheme.above.classes = Classes::Score { a: 150.0, b: 100.0, c: 60.0 };
    scheme.below.classes = Classes::Score { a: 120.0, b: 100.0, c: 50.0 };
    scheme.validate().unwrap();
    let ds = csv::read(huangyan_input().as_bytes()).unwrap();
    let r = ds.evaluate(&scheme).unwrap().ratings;
    // A ≈ 110.00 → B; B ≈ 170.69 → A; C ≈ 52.61 → D (below 60); D (below-scale) ≈ 102.77 → B.
    let got: Vec<Class> = r[..4].iter().map(|x| x.class).collect();
    assert_eq!(got, [Class::B, Class::A, Class::D, Class::B]);
    assert_eq!(r[2].rank, 3, "ranks are still given");
    // A threshold equal to a score: that score reaches the class.
    scheme.above.classes = Classes::Score { a: r[1].score, b: r[0].score, c: r[2].score };
    let r = ds.evaluate(&scheme).unwrap().ratings;
    assert_eq!(r[..3].iter().map(|x| x.class).collect::<Vec<_>>(), [Class::B, Class::A, Class::C]);
}

#[test]
fn fixed_benchmark_of_zero_scores_zero() {
    let mut scheme = Scheme::builtin("huangyan-2022").unwrap();
    scheme.above.items[0].benchmark = Benchmark::Fixed { value: 0.0 };
    scheme.below.items[1].benchmark = Benchmark::LastYearMultiple { factor: 2.0, last_year_average: 0.0 };
    scheme.validate().unwrap();
    let ds = csv::read(huangyan_input().as_bytes()).unwrap();
    let ev = ds.evaluate(&scheme).unwrap();
    for k in 0..4 {
        let x = explain(&ev, &ds.rows, k, &scheme).unwrap();
        assert!(x.items.iter().all(|i| i.score.is_finite()));
        assert!(ev.ratings[k].score.is_finite());
    }
    let x = explain(&ev, &ds.rows, 0, &scheme).unwrap();
    assert_eq!((x.items[0].benchmark, x.items[0].score), (0.0, 0.0));
    let x = explain(&ev, &ds.rows, 3, &scheme).unwrap();
    assert_eq!((x.items[1].benchmark, x.items[1].score), (0.0, 0.0));
    assert!(close(x.score.unwrap(), 12.0 / 11.5932 * 50.0));
}

#[test]
fn last_year_multiple() {
    let mut scheme = Scheme::builtin("huangyan-2022").unwrap();
    // Huai'an style: the benchmark is twice last year's average.
    scheme.below.items[0].benchmark = Benchmark::LastYearMultiple { factor: 2.0, last_year_average: 6.0 };
    let ds = csv::read(huangyan_input().as_bytes()).unwrap();
    let ev = ds.evaluate(&scheme).unwrap();
    let x = explain(&ev, &ds.rows, 3, &scheme).unwrap();
    assert_eq!(x.items[0].benchmark, 12.0);
    assert_eq!(x.items[0].score, 50.0, "亩均税收 12 against 2 × 6");
}

/// Two cities, one of them with two counties; a scheme grouped by city and county.
fn county_input(with_county: bool) -> String {
    let mut text = String::from(HEADER);
    if with_county {
        text.push_str(",county");
    }
    text.push('\n');
    let counties = ["黄岩区", "黄岩区", "椒江区", "椒江区", "椒江区", "鼓楼区"];
    let cities = ["台州", "台州", "台州", "台州", "台州", "福州"];
    for k in 0..6 {
        text.push_str(&format!("{},企业{k},{},below,2010,2024,10,{},,,,,,,100", code(100 + k), cities[k], 10 + 10 * k));
        if with_county {
            text.push_str(&format!(",{}", counties[k]));
        }
        text.push('\n');
    }
    text
}

fn county_scheme() -> Scheme {
    Scheme { id: "county-test".into(), groups: vec![GroupKey::City, GroupKey::County], ..Scheme::default() }
}

#[test]
fn county_groups() {
    let scheme = county_scheme();
    let ds = csv::read_for(&mut county_input(true).as_bytes(), &scheme).unwrap();
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    let ev = ds.evaluate(&scheme).unwrap();
    let sizes: Vec<u32> = ev.ratings.iter().map(|r| r.group_size).collect();
    assert_eq!(sizes, [2, 2, 3, 3, 3, 1]);
    let ranks: Vec<u32> = ev.ratings.iter().map(|r| r.rank).collect();
    assert_eq!(ranks, [2, 1, 3, 2, 1, 1]);
    let g = &ev.groups[ev.ratings[2].group as usize];
    assert_eq!(ds.counties[g.county.unwrap() as usize], "椒江区");
    // Output: by city, county, scale, rank; the county is an added column.
    let mut out = Vec::new();
    csv::write(&ds, &ev, &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    let order: Vec<&str> = out.lines().skip(1).map(|l| l.rsplit(',').next().unwrap()).collect();
    assert_eq!(order, ["椒江区", "椒江区", "椒江区", "黄岩区", "黄岩区", "鼓楼区"]);
    assert!(out.starts_with("uscc,city,scale,score,rank,group_size,class,reason,county\n"));
    // The default scheme on the same file: the county column is read and ignored.
    let ev = ds.evaluate(&Scheme::default()).unwrap();
    assert_eq!(ev.ratings.iter().map(|r| r.group_size).collect::<Vec<_>>(), [5, 5, 5, 5, 5, 1]);
}

#[test]
fn county_groups_need_the_column_and_a_value() {
    let scheme = county_scheme();
    let e = csv::read_for(&mut county_input(false).as_bytes(), &scheme).unwrap_err();
    assert_eq!((e.line, e.column.as_str()), (1, "county"));
    assert!(e.en.contains("county") && e.zh.contains("county"), "{e:?}");
    // Read without the scheme, the data set still says what is missing.
    let ds = csv::read(county_input(false).as_bytes()).unwrap();
    let e = ds.evaluate(&scheme).unwrap_err();
    assert_eq!(e.column, "county");
    // An empty county in a row is that row's error.
    let text = county_input(true).replace(",鼓楼区", ",");
    let ds = csv::read_for(&mut text.as_bytes(), &scheme).unwrap();
    assert_eq!(ds.errors.len(), 1);
    assert_eq!((ds.errors[0].line, ds.errors[0].column.as_str()), (7, "county"));
}

#[test]
fn exemptions() {
    let mut scheme = Scheme::default();
    scheme.not_rated.exempt_industries = vec!["44".into(), "4610".into()];
    scheme.not_rated.exempt_uscc = vec![code(3)];
    scheme.not_rated.min_age_years = 3;
    scheme.not_rated.below_min_land_mu = 5.0;
    scheme.validate().unwrap();
    let mut text = format!("{HEADER},industry\n");
    for (k, (industry, founded, scale, land)) in [
        ("4411", 2010, "above", 10), // electricity: exempt by "44"
        ("4610", 2010, "above", 10), // water supply, exact code
        ("4620", 2010, "above", 10), // not exempt
        ("3911", 2010, "above", 10), // listed by USCC
        ("3911", 2022, "above", 10), // 2 years old: new under a 3-year rule
        ("3911", 2010, "below", 4),  // below-scale on 4 mu
        ("", 2010, "below", 6),      // no code: rated
    ]
    .into_iter()
    .enumerate()
    {
        text.push_str(&format!(
            "{},企业{k},台州,{scale},{founded},2024,{land},100,1000,300,30,100,1,50,200,{industry}\n",
            code(k)
        ));
    }
    let ds = csv::read_for(&mut text.as_bytes(), &scheme).unwrap();
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    let ev = ds.evaluate(&scheme).unwrap();
    let reasons: Vec<&str> = ev.ratings.iter().map(|r| ev.reason_text(r.reason)).collect();
    assert_eq!(reasons, ["豁免行业", "豁免行业", "", "豁免企业", "新设企业", "规下用地不足5亩", ""]);
    // Without the industry names (evaluate on bare rows), industry rules cannot match.
    let bare = evaluate(&ds.rows, &scheme);
    assert_eq!(bare.ratings[0].reason, Reason::Rated);
    // Exempting by industry needs the column.
    let e = csv::read_for(&mut huangyan_input().as_bytes(), &scheme).unwrap_err();
    assert_eq!(e.column, "industry");
}

#[test]
fn bonus_and_deduction_items() {
    let mut scheme = Scheme::default();
    // Wenling's rule for renting out plant: above-scale, the first tenant free and each further one −5;
    // below-scale, the first −10 and each further −5 (−5 once for having any, −5 a tenant). And a bonus.
    let item = |name: &str, kind: AdjustmentKind, points: f64, scale: Option<Scale>, rule: Rule| Adjustment {
        name: name.into(),
        kind,
        points,
        scale,
        max_points: None,
        rule,
    };
    let rent = |name: &str, scale: Scale, rule: Rule| item(name, AdjustmentKind::Deduction, 5.0, Some(scale), rule);
    scheme.adjustments = vec![
        rent("出租厂房（规上）", Scale::Above, Rule::PerUnit { field: Field::Tenants, beyond: 1.0 }),
        rent("出租厂房（规下，首户）", Scale::Below, Rule::AtLeast { field: Field::Tenants, value: 1.0 }),
        rent("出租厂房（规下）", Scale::Below, Rule::PerUnit { field: Field::Tenants, beyond: 0.0 }),
        item("专精特新", AdjustmentKind::Bonus, 3.0, None, Rule::Listed(vec![code(1), code(3)])),
        Adjustment {
            max_points: Some(4.0),
            ..item("高新产业", AdjustmentKind::Bonus, 10.0, None, Rule::Industries(vec!["39".into()]))
        },
    ];
    scheme.validate().unwrap();
    let mut text = format!("{HEADER},tenants,industry\n");
    for (k, (scale, tenants)) in
        [("above", "0"), ("above", "1"), ("above", "3"), ("below", "1"), ("below", "3"), ("below", "")]
            .into_iter()
            .enumerate()
    {
        text.push_str(&format!(
            "{},企业{k},台州,{scale},2010,2024,10,100,1000,300,30,100,1,50,200,{tenants},{}\n",
            code(k),
            if k == 0 { "3911" } else { "2710" }
        ));
    }
    let ds = csv::read_for(&mut text.as_bytes(), &scheme).unwrap();
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    let ev = ds.evaluate(&scheme).unwrap();
    // Identical figures: every item meets its benchmark, 100 points before the adjustments.
    let want = [100.0 + 4.0, 100.0 + 3.0, 100.0 - 10.0, 100.0 - 10.0 + 3.0, 100.0 - 20.0, 100.0];
    for (k, w) in want.iter().enumerate() {
        assert!(close(ev.ratings[k].score, *w), "row {k}: {} ≠ {w}", ev.ratings[k].score);
        let x = explain(&ev, &ds.rows, k, &scheme).unwrap();
        let total = x.items.iter().map(|i| i.score).sum::<f64>() + x.adjustments.iter().map(|a| a.points).sum::<f64>();
        assert_eq!(total, ev.ratings[k].score, "row {k}: the explanation adds up");
    }
    let x = explain(&ev, &ds.rows, 4, &scheme).unwrap();
    let adj: Vec<(&str, f64)> = x.adjustments.iter().map(|a| (a.name.as_str(), a.points)).collect();
    assert_eq!(adj, [("出租厂房（规下，首户）", -5.0), ("出租厂房（规下）", -15.0)]);
    // A deduction can take a score below zero, and it is written with its sign.
    scheme.adjustments[2].points = 100.0;
    let ev = ds.evaluate(&scheme).unwrap();
    assert!(ev.ratings[4].score < 0.0);
    let mut out = Vec::new();
    csv::write(&ds, &ev, &mut out).unwrap();
    assert!(String::from_utf8(out).unwrap().contains(",below,-205.000000,3,3,"));
    // The tenants column is needed.
    let e = csv::read_for(&mut huangyan_input().as_bytes(), &scheme).unwrap_err();
    assert!(e.column == "tenants" || e.column == "industry", "{e:?}");
}

/// The default scheme's JSON with `min_group_size` and `small_group` set to these values.
fn small_groups(min: serde_json::Value, rule: serde_json::Value) -> String {
    mutated(|v| {
        v["min_group_size"] = min;
        v["small_group"] = rule;
    })
}

/// The default scheme's JSON, changed at one place.
fn mutated(change: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&Scheme::default().to_json()).unwrap();
    change(&mut v);
    v.to_string()
}

#[test]
fn invalid_scheme_files_name_the_field() {
    use serde_json::json;
    let cases: Vec<(String, &str)> = vec![
        ("{\"id\": \"x\",".to_string(), ""),
        ("[]".to_string(), ""),
        (mutated(|v| v["version"] = json!(2)), "version"),
        (mutated(|v| v["id"] = json!("有 空格")), "id"),
        (mutated(|v| v["source"] = json!("")), "source"),
        (mutated(|v| drop(v.as_object_mut().unwrap().remove("cap"))), "cap"),
        (mutated(|v| v["cap"] = json!(-1)), "cap"),
        (mutated(|v| v["groups"] = json!(["town"])), "groups[0]"),
        (mutated(|v| v["groups"] = json!(["city", "city"])), "groups[1]"),
        (mutated(|v| v["undefined_item"] = json!("median")), "undefined_item"),
        (mutated(|v| v["not_rated"]["min_age_years"] = json!(1.5)), "not_rated.min_age_years"),
        (mutated(|v| v["not_rated"]["exempt_uscc"] = json!(["91440300708461136U"])), "not_rated.exempt_uscc[0]"),
        (mutated(|v| v["not_rated"]["exempt_industries"] = json!(["4-4"])), "not_rated.exempt_industries[0]"),
        (mutated(|v| v["above"]["items"][1]["weigth"] = json!(20)), "above.items[1].weigth"),
        (mutated(|v| v["above"]["items"][0]["weight"] = json!("thirty")), "above.items[0].weight"),
        (mutated(|v| v["above"]["items"][0]["weight"] = json!(-30)), "above.items[0].weight"),
        (mutated(|v| v["above"]["items"][0]["numerator"] = json!("profit")), "above.items[0].numerator"),
        (mutated(|v| v["above"]["items"][1]["name"] = json!("亩均税收")), "above.items[1].name"),
        (mutated(|v| v["above"]["items"][2]["benchmark"] = json!({"kind": "median"})), "above.items[2].benchmark.kind"),
        (mutated(|v| v["below"]["items"][1]["benchmark"] = json!({"kind": "fixed"})), "below.items[1].benchmark.value"),
        (
            mutated(|v| v["below"]["items"][1]["benchmark"] = json!({"kind": "fixed", "value": -0.2})),
            "below.items[1].benchmark.value",
        ),
        (
            mutated(|v| v["below"]["items"][0]["benchmark"] = json!({"kind": "group_ratio", "value": 3})),
            "below.items[0].benchmark.value",
        ),
        (mutated(|v| v["below"]["items"][0]["cap"] = json!(0)), "below.items[0].cap"),
        (mutated(|v| v["below"]["items"] = json!([])), "below.items"),
        (mutated(|v| v["above"]["classes"] = json!({"by": "rank_share", "a": 60, "b": 20, "c": 95})), "above.classes"),
        (mutated(|v| v["above"]["classes"] = json!({"by": "score", "a": 60, "b": 70, "c": 50})), "above.classes"),
        (mutated(|v| v["above"]["classes"]["by"] = json!("percentile")), "above.classes.by"),
        (mutated(|v| drop(v["above"]["classes"].as_object_mut().unwrap().remove("c"))), "above.classes.c"),
        (
            mutated(|v| {
                v["adjustments"] =
                    json!([{"name": "x", "kind": "bonus", "points": 1, "listed": [], "industries": ["39"]}])
            }),
            "adjustments[0]",
        ),
        (
            mutated(|v| v["adjustments"] = json!([{"name": "x", "kind": "penalty", "points": 1, "listed": []}])),
            "adjustments[0].kind",
        ),
        (
            mutated(|v| v["adjustments"] = json!([{"name": "x", "kind": "deduction", "points": -5, "listed": []}])),
            "adjustments[0].points",
        ),
        (
            mutated(|v| {
                v["adjustments"] =
                    json!([{"name": "x", "kind": "deduction", "points": 5, "per_unit": {"field": "floors"}}])
            }),
            "adjustments[0].per_unit.field",
        ),
        (small_groups(json!(0), json!("unclassed")), "min_group_size"),
        (small_groups(json!(-3), json!("unclassed")), "min_group_size"),
        (small_groups(json!(2.5), json!("unclassed")), "min_group_size"),
        (small_groups(json!("3"), json!("unclassed")), "min_group_size"),
        (small_groups(json!(1001), json!("merge_all")), "min_group_size"),
        (small_groups(json!(1e20), json!("merge_all")), "min_group_size"),
        (small_groups(json!(3), json!("merge_province")), "small_group"),
        (small_groups(json!(3), json!(true)), "small_group"),
        (mutated(|v| v["min_group_size"] = json!(3)), "small_group"),
        (mutated(|v| v["small_group"] = json!("merge_all")), "min_group_size"),
    ];
    for (text, path) in cases {
        let e = Scheme::from_json(&text).expect_err(path);
        assert_eq!(e.path, path, "{text}\n{e:?}");
        assert!(!e.zh.is_empty() && !e.en.is_empty());
        assert!(e.message(Lang::Zh).starts_with(path) && e.message(Lang::En).starts_with(path));
        assert!(serde_json::from_str::<Scheme>(&text).is_err());
    }
    let e = Scheme::from_json("{\"id\": \"x\",").unwrap_err();
    assert!(e.en.contains("line 1"), "{}", e.en);
    assert!(e.zh.contains("第 1 行"), "{}", e.zh);
    let e = Scheme::from_json(&mutated(|v| v["above"]["items"][1]["weigth"] = json!(20))).unwrap_err();
    assert!(e.en.contains("unknown field") && e.en.contains("weight"), "{}", e.en);
}

/// Any scheme that passes its checks evaluates without a panic and with finite scores, whatever the
/// figures.
#[test]
fn extreme_settings_and_figures_stay_finite() {
    let mut text = format!("{HEADER},tenants\n");
    let figures = ["0", "1e-300", "1e300", "1.7e308", "", "5"];
    for k in 0..36 {
        let f = |j: usize| figures[(k * 7 + j * 3) % figures.len()];
        text.push_str(&format!(
            "{},企业,台州,{},2010,2024,{},{},{},{},{},{},{},{},{},{}\n",
            code(k),
            if k % 3 == 0 { "below" } else { "above" },
            ["1e-300", "1e300", "3", "7.5"][k % 4],
            ["0", "1e300", "7"][k % 3],
            f(2),
            f(3),
            f(4),
            f(5),
            f(6),
            f(7),
            f(8),
            f(9)
        ));
    }
    let ds = csv::read(text.as_bytes()).unwrap();
    assert_eq!(ds.rows.len(), 36, "{:?}", ds.errors);
    let mut schemes = vec![Scheme::default(), Scheme::builtin("huangyan-2022").unwrap()];
    let mut s = Scheme::builtin("huangyan-2022").unwrap();
    s.above.items[0].benchmark = Benchmark::Fixed { value: 1e-300 };
    s.above.items[0].weight = 1000.0;
    s.adjustments = vec![Adjustment {
        name: "租户".into(),
        kind: AdjustmentKind::Deduction,
        points: 1000.0,
        scale: None,
        max_points: None,
        rule: Rule::PerUnit { field: Field::Tenants, beyond: 0.0 },
    }];
    schemes.push(s);
    // Small-group settings: the below-scale group (under 13 firms) has nothing to merge into; all are small.
    schemes.push(Scheme { min_group_size: Some(13), small_group: Some(SmallGroup::MergeAll), ..Scheme::default() });
    schemes.push(Scheme { min_group_size: Some(1000), small_group: Some(SmallGroup::Unclassed), ..Scheme::default() });
    for scheme in &schemes {
        scheme.validate().unwrap();
        let ev = ds.evaluate(scheme).unwrap();
        for (k, r) in ev.ratings.iter().enumerate() {
            if r.class != Class::T {
                assert!(r.score.is_finite(), "{}: row {k} scores {}", scheme.id, r.score);
            }
            let x = explain(&ev, &ds.rows, k, scheme).unwrap();
            assert!(x.items.iter().all(|i| i.score.is_finite() && i.benchmark.is_finite()));
        }
        let mut out = Vec::new();
        csv::write(&ds, &ev, &mut out).unwrap();
        csv::write_details(&ds, &ev, scheme, &mut out).unwrap();
    }
}

/// So many counties and industries that their combinations do not fit a table: groups are numbered as
/// they come, with the same results.
#[test]
fn many_groups() {
    let scheme = Scheme { id: "fine".into(), groups: vec![GroupKey::County, GroupKey::Industry], ..Scheme::default() };
    let mut ds = jiqun_eval::permu::Dataset::new();
    let names: Vec<(String, String, String)> =
        (0..3000).map(|k| (code(k), format!("县{k}"), format!("{:04}", 1000 + k))).collect();
    for (k, (uscc, county, industry)) in names.iter().enumerate() {
        let mut r = jiqun_eval::permu::Record::new(uscc, "台州", Scale::Below, 2010, 2024, 10.0, 10.0 + k as f64);
        r.county = Some(county);
        // Two firms share each industry code and county pair from 1500 on.
        r.industry = Some(if k < 1500 { industry } else { &names[k - 1500].2 });
        r.county = Some(if k < 1500 { county } else { &names[k - 1500].1 });
        r.electricity_mwh = Some(100.0);
        ds.push(&r).unwrap();
    }
    let ev = ds.evaluate(&scheme).unwrap();
    assert_eq!(ev.groups.len(), 1500);
    for (k, r) in ev.ratings.iter().enumerate() {
        assert_eq!(r.group_size, 2);
        assert_eq!(r.rank, if k < 1500 { 2 } else { 1 }, "the later firm pays more tax");
        assert_eq!(ev.ratings[(k + 1500) % 3000].group, r.group);
    }
}

/// Two cities: 台州 with five above-scale and four below-scale firms, 丽水 with one of each (the best of
/// its scale: more tax on the same land and electricity) and a new firm, which is not rated and so not
/// counted in its group.
fn small_group_input() -> String {
    let mut text = format!("{HEADER}\n");
    let rows: [(&str, &str, i32, u32); 12] = [
        ("台州", "above", 2010, 100),
        ("台州", "above", 2010, 150),
        ("台州", "above", 2010, 200),
        ("台州", "above", 2010, 250),
        ("台州", "above", 2010, 300),
        ("丽水", "above", 2010, 400),
        ("台州", "below", 2010, 20),
        ("台州", "below", 2010, 30),
        ("台州", "below", 2010, 40),
        ("台州", "below", 2010, 50),
        ("丽水", "below", 2010, 60),
        ("丽水", "above", 2023, 500),
    ];
    for (k, (city, scale, founded, tax)) in rows.into_iter().enumerate() {
        text.push_str(&format!(
            "{},企业{k},{city},{scale},{founded},2024,10,{tax},1000,{},30,100,1,50,200\n",
            code(200 + k),
            3 * tax
        ));
    }
    text
}

/// A rating without its group's number (which depends on how many groups there are).
fn result(r: &jiqun_eval::permu::Rating) -> (u64, u32, u32, Class, Reason) {
    (r.score.to_bits(), r.rank, r.group_size, r.class, r.reason)
}

fn with_small_groups(min: u32, rule: SmallGroup) -> Scheme {
    let s = Scheme { id: "small".into(), min_group_size: Some(min), small_group: Some(rule), ..Scheme::default() };
    s.validate().unwrap();
    s
}

fn written(ds: &jiqun_eval::permu::Dataset, ev: &jiqun_eval::permu::Evaluation) -> String {
    let mut out = Vec::new();
    csv::write(ds, ev, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The contract's default: a group of one firm is ranked 1 of 1 and, under rank shares, is D
/// (100 · 1 > 95 · 1). Setting `min_group_size` to 1 changes nothing.
#[test]
fn a_group_of_one_is_d_by_default() {
    let ds = csv::read(small_group_input().as_bytes()).unwrap();
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    let ev = ds.evaluate(&Scheme::default()).unwrap();
    let r = &ev.ratings;
    assert_eq!((r[5].rank, r[5].group_size, r[5].class), (1, 1, Class::D));
    assert_eq!((r[10].rank, r[10].group_size, r[10].class), (1, 1, Class::D));
    assert!(close(r[5].score, 100.0), "alone, a firm meets every benchmark");
    assert!(!ev.groups[r[5].group as usize].merged);
    let out = written(&ds, &ev);
    assert!(out.contains(&format!("\n{},丽水,above,100.000000,1,1,D,\n", code(205))), "{out}");
    for rule in [SmallGroup::MergeAll, SmallGroup::Unclassed] {
        let same = ds.evaluate(&with_small_groups(1, rule)).unwrap();
        assert_eq!(format!("{:?}", same.ratings), format!("{:?}", ev.ratings));
        assert_eq!(written(&ds, &same), out);
    }
    // The shipped default says nothing about small groups, and writes nothing about them.
    assert_eq!(Scheme::default().min_group_size, None);
    assert!(!Scheme::default().to_json().contains("group_size") && !Scheme::default().to_json().contains("small"));
}

#[test]
fn small_groups_unclassed() {
    let scheme = with_small_groups(3, SmallGroup::Unclassed);
    let ds = csv::read(small_group_input().as_bytes()).unwrap();
    let ev = ds.evaluate(&scheme).unwrap();
    let default = ds.evaluate(&Scheme::default()).unwrap();
    let r = &ev.ratings;
    for k in [5, 10] {
        assert_eq!((r[k].class, r[k].reason, r[k].score()), (Class::T, Reason::SmallGroup, None), "row {k}");
        assert_eq!((r[k].rank, r[k].group_size), (0, 0));
        assert_eq!(ev.reason_text(r[k].reason), "同组参评企业不足3家");
        let x = explain(&ev, &ds.rows, k, &scheme).unwrap();
        assert!(x.items.is_empty() && x.score.is_none() && x.reason == "同组参评企业不足3家");
    }
    // The new firm keeps its own reason; the groups large enough are as under the default.
    assert_eq!(r[11].reason, Reason::New);
    for k in (0..5).chain(6..10) {
        assert_eq!(r[k].score, default.ratings[k].score, "row {k}");
        assert_eq!(
            (r[k].rank, r[k].group_size, r[k].class),
            (default.ratings[k].rank, if k < 5 { 5 } else { 4 }, default.ratings[k].class)
        );
    }
    assert_eq!(ev.unrated(), [5, 10, 11]);
    assert_eq!(ev.groups.len(), 2);
    // Written as every unrated row is: no score, rank or size, class T, the reason.
    let out = written(&ds, &ev);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 13);
    assert_eq!(lines[1], format!("{},丽水,above,,,,T,同组参评企业不足3家", code(205)));
    assert_eq!(lines[2], format!("{},丽水,above,,,,T,新设企业", code(211)));
    assert_eq!(lines[3], format!("{},丽水,below,,,,T,同组参评企业不足3家", code(210)));
    assert!(lines[4].starts_with(&format!("{},台州,above,", code(204))));
    // No details for a firm not classed.
    let mut details = Vec::new();
    csv::write_details(&ds, &ev, &scheme, &mut details).unwrap();
    let details = String::from_utf8(details).unwrap();
    assert!(!details.contains(&code(205)) && details.contains(&code(204)));
}

#[test]
fn small_groups_merged_with_their_scale() {
    let mut scheme = with_small_groups(3, SmallGroup::MergeAll);
    // A bonus for the 丽水 above-scale firm: counted once, though that firm is rated in a larger group.
    scheme.adjustments = vec![Adjustment {
        name: "专精特新".into(),
        kind: AdjustmentKind::Bonus,
        points: 3.0,
        scale: None,
        max_points: None,
        rule: Rule::Listed(vec![code(205)]),
    }];
    scheme.validate().unwrap();
    // What the merged firms should get: their ranking among every firm of their scale, as a scheme with
    // one group per scale gives it; the others, their city's, as the default gives it.
    let whole = Scheme { groups: vec![], ..scheme.clone() };
    let by_city = Scheme { min_group_size: None, small_group: None, ..scheme.clone() };
    let ds = csv::read(small_group_input().as_bytes()).unwrap();
    let ev = ds.evaluate(&scheme).unwrap();
    let (w, c) = (ds.evaluate(&whole).unwrap(), ds.evaluate(&by_city).unwrap());
    let r = &ev.ratings;
    for k in [5, 10] {
        let want = &w.ratings[k];
        assert_eq!(
            (r[k].score, r[k].rank, r[k].group_size, r[k].class),
            (want.score, want.rank, want.group_size, want.class)
        );
        let g = &ev.groups[r[k].group as usize];
        assert!(g.merged);
        assert_eq!(ds.cities[g.city.unwrap() as usize], "丽水");
        assert_eq!(g.benchmarks, w.groups[want.group as usize].benchmarks);
        assert_eq!(ev.ranked(r[k].group as usize).len(), 1, "only its own firm is listed");
    }
    // The best of six above-scale firms (40 万元 a mu against the six firms' 1400 ÷ 60, every ratio item in
    // proportion, R&D equal), with its bonus: A (D when alone in its group).
    assert!(close(r[5].score, 400.0 / (1400.0 / 6.0) * 90.0 + 10.0 + 3.0), "{}", r[5].score);
    assert_eq!((r[5].rank, r[5].group_size, r[5].class), (1, 6, Class::A));
    assert_eq!((r[10].rank, r[10].group_size, r[10].class), (1, 5, Class::A));
    for k in (0..5).chain(6..10) {
        assert_eq!(result(&r[k]), result(&c.ratings[k]), "row {k} keeps its city's results");
    }
    assert_eq!(r[11].reason, Reason::New);
    // The explanation: the whole scale's benchmarks, the bonus once, adding up to the score.
    let x = explain(&ev, &ds.rows, 5, &scheme).unwrap();
    assert_eq!(x.adjustments.len(), 1);
    let total = x.items.iter().map(|i| i.score).sum::<f64>() + x.adjustments.iter().map(|a| a.points).sum::<f64>();
    assert_eq!(total, r[5].score);
    assert_eq!((x.rank, x.group_size, x.class), (1, 6, Class::A));
    assert_eq!(x, explain(&w, &ds.rows, 5, &whole).unwrap());
    // Written in its own city's place, with its rank and the size of the group it was ranked in.
    let out = written(&ds, &ev);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 13);
    assert_eq!(lines[1], format!("{},丽水,above,{:.6},1,6,A,", code(205), r[5].score));
    assert_eq!(lines[2], format!("{},丽水,above,,,,T,新设企业", code(211)));
    assert_eq!(lines[3], format!("{},丽水,below,{:.6},1,5,A,", code(210), r[10].score));
    let mut details = Vec::new();
    csv::write_details(&ds, &ev, &scheme, &mut details).unwrap();
    let details = String::from_utf8(details).unwrap();
    assert_eq!(details.lines().filter(|l| l.starts_with(&code(205))).count(), 7, "six items and the bonus");

    // Where the whole scale is below the minimum there is nothing to merge into: not classed.
    let scheme = with_small_groups(6, SmallGroup::MergeAll);
    let ev = ds.evaluate(&scheme).unwrap();
    let r = &ev.ratings;
    assert_eq!((r[5].rank, r[5].group_size, r[5].class), (1, 6, Class::A));
    assert!((6..11).all(|k| r[k].class == Class::T && r[k].reason == Reason::SmallGroup));
    assert_eq!(ev.reason_text(Reason::SmallGroup), "同组参评企业不足6家");
    // 台州's five above-scale firms are below six too: every above-scale firm is in the merged group.
    assert!((0..6).all(|k| r[k].group_size == 6 && ev.groups[r[k].group as usize].merged));
}

#[test]
fn small_group_settings_round_trip() {
    for rule in [SmallGroup::MergeAll, SmallGroup::Unclassed] {
        let s = with_small_groups(5, rule);
        let json = s.to_json();
        assert!(
            json.contains("\"min_group_size\": 5") && json.contains(&format!("\"small_group\": \"{}\"", rule.as_str()))
        );
        assert_eq!(Scheme::from_json(&json).unwrap(), s);
    }
    let mut s = Scheme { min_group_size: Some(3), ..Scheme::default() };
    assert_eq!(s.validate().unwrap_err().path, "small_group");
    s.small_group = Some(SmallGroup::Unclassed);
    s.min_group_size = Some(0);
    assert_eq!(s.validate().unwrap_err().path, "min_group_size");
}

/// Enough rows for every step to run on two threads, groups of many sizes (1 to 120) in many cities and
/// counties: each firm gets what its own group, or its scale's whole group, gives it.
#[test]
fn small_groups_at_scale() {
    let mut ds = jiqun_eval::permu::Dataset::new();
    let mut names = Vec::new();
    let mut k = 0usize;
    for city in 0..80 {
        for size in [1usize, 2, 3, 4, 7, 40] {
            for scale in [Scale::Above, Scale::Below] {
                for _ in 0..size * (1 + city % 3) {
                    names.push((code(10_000 + k), format!("市{city}-{size}"), scale, k));
                    k += 1;
                }
            }
        }
    }
    for (uscc, city, scale, k) in &names {
        let mut r =
            jiqun_eval::permu::Record::new(uscc, city, *scale, 2010, 2024, 10.0, 10.0 + (k * 7919 % 1000) as f64);
        r.electricity_mwh = Some(100.0 + (k % 13) as f64);
        r.value_added_wan = Some(50.0 + (k % 17) as f64);
        r.county = Some(["甲县", "乙县"][k % 2]);
        ds.push(&r).unwrap();
    }
    assert!(ds.rows.len() > 1 << 14);
    for groups in [vec![GroupKey::City], vec![GroupKey::City, GroupKey::County]] {
        let plain = Scheme { id: "g".into(), groups: groups.clone(), ..Scheme::default() };
        let whole = Scheme { groups: vec![], ..plain.clone() };
        let own = ds.evaluate(&plain).unwrap();
        let all = ds.evaluate(&whole).unwrap();
        let merged = ds
            .evaluate(&Scheme { min_group_size: Some(5), small_group: Some(SmallGroup::MergeAll), ..plain.clone() })
            .unwrap();
        let unclassed = ds
            .evaluate(&Scheme { min_group_size: Some(5), small_group: Some(SmallGroup::Unclassed), ..plain.clone() })
            .unwrap();
        let (mut small, mut large) = (0, 0);
        for (i, o) in own.ratings.iter().enumerate() {
            if o.group_size < 5 {
                small += 1;
                assert_eq!(merged.ratings[i].score, all.ratings[i].score);
                assert_eq!(
                    (merged.ratings[i].rank, merged.ratings[i].class),
                    (all.ratings[i].rank, all.ratings[i].class)
                );
                assert_eq!(merged.ratings[i].group_size, all.ratings[i].group_size);
                assert_eq!((unclassed.ratings[i].class, unclassed.ratings[i].reason), (Class::T, Reason::SmallGroup));
            } else {
                large += 1;
                assert_eq!(result(&merged.ratings[i]), result(o));
                assert_eq!(result(&unclassed.ratings[i]), result(o));
            }
        }
        assert!(small > 1000 && large > 1000, "{small} {large}");
        // Every firm written once, in both.
        for ev in [&merged, &unclassed] {
            let out = written(&ds, ev);
            assert_eq!(out.lines().count(), ds.rows.len() + 1);
        }
        assert_eq!(unclassed.unrated().len(), small);
        assert!(unclassed.unrated().windows(2).all(|w| w[0] < w[1]));
    }
}
