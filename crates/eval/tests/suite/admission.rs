//! New-project admission against the shipped example table: each metric passing, short of its soft band
//! and missing its hard limit, industry rules, missing data, bad proposals and bad tables.

use jiqun_domain::Lang;
use jiqun_eval::admission::{Decision, Metric, MetricResult, Proposal, Table, Verdict, assess, example_table};
use jiqun_eval::definition::Confidence;
use serde_json::{Value, json};

use crate::common::{Edit, refused};

fn table() -> Table {
    example_table().expect("the shipped table is valid")
}

/// A park project on 50 mu that meets every soft band of the electronics rule (industry 39).
fn good() -> Proposal {
    Proposal {
        project: "示例项目".into(),
        zone: "provincial_park".into(),
        industry_code: "3911".into(),
        land_mu: 50.0,
        fixed_investment_wan: Some(20000.0), // 400 /mu
        annual_output_wan: Some(25000.0),    // 500 /mu, exactly the soft band for 39
        annual_tax_wan: Some(1000.0),        // 20 /mu
        jobs: Some(100.0),                   // 2 /mu
        energy_tce: Some(4000.0),            // 4000 / 10000 = 0.4 tce per 万元
        value_added_wan: Some(10000.0),
        rd_wan: Some(750.0), // 750 × 100 / 25000 = 3%
    }
}

fn metric(r: &jiqun_eval::admission::AdmissionResult, m: Metric) -> &MetricResult {
    r.metrics.iter().find(|x| x.metric == m).expect("every metric is reported")
}

#[test]
fn all_met_is_admitted() {
    let r = assess(&good(), &table()).unwrap();
    assert_eq!(r.decision, Decision::Admit, "{:?}", r.reasons);
    let values: Vec<Option<f64>> = r.metrics.iter().map(|m| m.value).collect();
    assert_eq!(values, [Some(400.0), Some(500.0), Some(20.0), Some(2.0), Some(0.4), Some(3.0)]);
    assert!(r.metrics.iter().all(|m| m.verdict == Verdict::Pass));
    assert!(r.reasons.is_empty() && r.conditions.is_none());
    assert_eq!(r.summary.zh, "予以准入：6项指标均达标");
    let out = metric(&r, Metric::OutputPerMu);
    assert_eq!(out.rule_prefix.as_deref(), Some("39"));
    assert_eq!(out.hard.as_ref().map(|l| (l.value, l.confidence)), Some((350.0, Confidence::H)));
    assert_eq!(out.soft.as_ref().map(|l| (l.value, l.confidence)), Some((500.0, Confidence::X)));
    assert!(out.note.is_some(), "the sector split is marked as Jiqun's choice");
    assert_eq!(metric(&r, Metric::TaxPerMu).rule_prefix.as_deref(), Some(""), "falls back to the zone default");
}

#[test]
fn short_of_a_soft_band_admits_with_conditions() {
    let p = Proposal { fixed_investment_wan: Some(10000.0), ..good() }; // 200: ≥ 150, < 300
    let r = assess(&p, &table()).unwrap();
    assert_eq!(r.decision, Decision::AdmitWithConditions);
    assert_eq!(metric(&r, Metric::InvestmentIntensity).verdict, Verdict::Conditional);
    assert_eq!(r.reasons.len(), 1);
    assert_eq!(
        r.reasons[0].zh,
        "投资强度 200万元/亩（= 固定资产投资 10000万元 ÷ 用地 50亩），低于标准线；准入线 ≥ 150万元/亩，标准线 ≥ 300万元/亩（示例值）：有条件准入"
    );
    assert!(
        r.reasons[0].get(Lang::En).ends_with("soft band ≥ 300 ×10,000 yuan/mu (example value): admit with conditions")
    );
    assert!(r.conditions.as_ref().is_some_and(|c| c.zh.contains("履约监管协议")));
    assert_eq!(r.decision.label(Lang::Zh), "有条件准入");
    // Jobs have only a soft band: 40 jobs on 50 mu (0.8) is a condition, never a rejection.
    let r = assess(&Proposal { jobs: Some(40.0), ..good() }, &table()).unwrap();
    assert_eq!(
        (r.decision, metric(&r, Metric::JobsPerMu).verdict),
        (Decision::AdmitWithConditions, Verdict::Conditional)
    );
    let r = assess(&Proposal { jobs: Some(0.0), ..good() }, &table()).unwrap();
    assert_eq!(r.decision, Decision::AdmitWithConditions);
    // Without the jobs figure: the worst a soft band allows, conditions (not a rejection).
    let r = assess(&Proposal { jobs: None, ..good() }, &table()).unwrap();
    let j = metric(&r, Metric::JobsPerMu);
    assert_eq!(
        (j.verdict, j.decision(), r.decision),
        (Verdict::NoData, Decision::AdmitWithConditions, Decision::AdmitWithConditions)
    );
    assert!(j.explanation.zh.ends_with("有条件准入（补充数据）"), "{}", j.explanation.zh);
    assert_eq!(r.summary.zh, "有条件准入：1项指标未达标准线或无数据，均无准入线问题");
}

#[test]
fn missing_a_hard_limit_rejects() {
    let r = assess(&Proposal { annual_tax_wan: Some(300.0), ..good() }, &table()).unwrap(); // 6 < 8
    assert_eq!(r.decision, Decision::Reject);
    assert_eq!(metric(&r, Metric::TaxPerMu).verdict, Verdict::Fail);
    assert!(
        r.reasons[0].en.starts_with(
            "tax per mu 6 ×10,000 yuan/mu (= expected annual tax 300 / land 50 mu), misses the hard limit"
        )
    );
    assert!(r.conditions.is_none());
    assert_eq!(r.summary.en, "reject: 1 metric(s) miss the hard limit or have no data");
    // A soft miss and a hard miss together: the hard one decides, both are given as reasons.
    let p = Proposal { annual_tax_wan: Some(300.0), fixed_investment_wan: Some(10000.0), ..good() };
    let r = assess(&p, &table()).unwrap();
    assert_eq!((r.decision, r.reasons.len()), (Decision::Reject, 2));
}

#[test]
fn energy_is_a_ceiling() {
    let with_energy = |tce: f64| Proposal { energy_tce: Some(tce), ..good() };
    let r = assess(&with_energy(5000.0), &table()).unwrap(); // 0.5: at the soft band
    assert_eq!(metric(&r, Metric::EnergyPerValueAdded).verdict, Verdict::Pass);
    let r = assess(&with_energy(8000.0), &table()).unwrap(); // 0.8
    assert_eq!(metric(&r, Metric::EnergyPerValueAdded).verdict, Verdict::Conditional);
    assert!(r.reasons[0].zh.contains("高于标准线"), "{}", r.reasons[0].zh);
    let r = assess(&with_energy(12000.0), &table()).unwrap(); // 1.2
    assert_eq!((metric(&r, Metric::EnergyPerValueAdded).verdict, r.decision), (Verdict::Fail, Decision::Reject));
    assert!(r.reasons[0].zh.contains("单位增加值能耗 1.2吨标准煤/万元"), "{}", r.reasons[0].zh);
}

#[test]
fn industry_rules_override_per_metric() {
    // 300 per mu: below the electronics hard limit (350), between the default hard (250) and soft (350).
    let p = Proposal { annual_output_wan: Some(15000.0), ..good() };
    let r = assess(&p, &table()).unwrap();
    let out = metric(&r, Metric::OutputPerMu);
    assert_eq!((out.verdict, out.rule_prefix.as_deref()), (Verdict::Fail, Some("39")));
    let r = assess(&Proposal { industry_code: "2611".into(), ..p.clone() }, &table()).unwrap();
    let out = metric(&r, Metric::OutputPerMu);
    assert_eq!((out.verdict, out.rule_prefix.as_deref()), (Verdict::Conditional, Some("")));
    assert_eq!(r.decision, Decision::AdmitWithConditions);
    // Two digits are enough to match the rule.
    let r = assess(&Proposal { industry_code: "39".into(), ..p }, &table()).unwrap();
    assert_eq!(metric(&r, Metric::OutputPerMu).rule_prefix.as_deref(), Some("39"));
}

#[test]
fn missing_data_rejects_where_a_threshold_needs_it() {
    let r = assess(&Proposal { energy_tce: None, ..good() }, &table()).unwrap();
    let e = metric(&r, Metric::EnergyPerValueAdded);
    assert_eq!((e.verdict, e.value, r.decision), (Verdict::NoData, None, Decision::Reject));
    assert!(e.explanation.zh.starts_with("单位增加值能耗：无数据（未填报年综合能耗）"), "{}", e.explanation.zh);
    let r = assess(&Proposal { value_added_wan: Some(0.0), ..good() }, &table()).unwrap();
    assert!(metric(&r, Metric::EnergyPerValueAdded).explanation.en.contains("expected value added is 0"));
    assert_eq!(r.decision, Decision::Reject);
    // Outside parks the example sets no jobs or R&D threshold: missing them does not matter.
    let p = Proposal { zone: "other".into(), jobs: None, rd_wan: None, ..good() };
    let r = assess(&p, &table()).unwrap();
    assert_eq!(r.decision, Decision::Admit, "{:?}", r.reasons);
    let j = metric(&r, Metric::JobsPerMu);
    assert_eq!(j.verdict, Verdict::NotSet);
    assert_eq!(j.explanation.zh, "亩均就业：无法计算（未填报就业人数），未设阈值");
    assert_eq!(r.summary.zh, "予以准入：4项指标均达标");
}

#[test]
fn a_figure_exactly_at_the_limit_meets_it() {
    // 336 / 2.24 is 149.99999999999997 in binary floating point; it is 150 and meets ≥ 150.
    let p = Proposal {
        zone: "other".into(),
        industry_code: "2611".into(),
        land_mu: 2.24,
        fixed_investment_wan: Some(336.0),
        annual_output_wan: Some(560.0),
        annual_tax_wan: Some(17.92),
        energy_tce: Some(10.0),
        value_added_wan: Some(100.0),
        ..Proposal::default()
    };
    let r = assess(&p, &table()).unwrap();
    assert_eq!(metric(&r, Metric::InvestmentIntensity).value, Some(150.0));
    assert_eq!(r.decision, Decision::Admit, "{:?}", r.reasons);
}

#[test]
fn bad_proposals_name_their_fields() {
    let p = Proposal {
        zone: "park".into(),
        industry_code: "C39".into(),
        land_mu: 0.0,
        annual_tax_wan: Some(-1.0),
        jobs: Some(f64::NAN),
        ..good()
    };
    let es = assess(&p, &table()).unwrap_err();
    let fields: Vec<&str> = es.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(fields, ["zone", "industry_code", "land_mu", "annual_tax_wan", "jobs"]);
    assert_eq!(es[0].en, "unknown zone \"park\"; the table has: provincial_park, other");
    assert!(es[2].zh.starts_with("用地面积必须大于0亩"));
    for land in [f64::INFINITY, -3.0, f64::NAN] {
        assert!(assess(&Proposal { land_mu: land, ..good() }, &table()).is_err());
    }
    assert!(assess(&Proposal { industry_code: "39112".into(), ..good() }, &table()).is_err());
    assert!(assess(&Proposal { industry_code: "3".into(), ..good() }, &table()).is_err());
}

#[test]
fn proposals_read_from_json() {
    let p: Proposal = serde_json::from_value(json!({
        "project": "x", "zone": "other", "industry_code": "3911", "land_mu": 10,
        "fixed_investment_wan": 2000, "annual_output_wan": 4000, "annual_tax_wan": 100,
        "energy_tce": 100, "value_added_wan": 1000
    }))
    .unwrap();
    assert_eq!(p.jobs, None);
    assert_eq!(assess(&p, &table()).unwrap().decision, Decision::Admit);
}

fn table_errors(edit: impl FnOnce(&mut Value)) -> Vec<(String, String)> {
    refused(&table().to_json(), edit, Table::from_json)
}

#[test]
fn bad_tables_name_their_fields() {
    let t = "zones[0].rules[0].thresholds";
    let cases: Vec<(Edit, String, &str)> = vec![
        (
            Box::new(|v| v["zones"][0]["rules"][0]["thresholds"]["investment_intensity"]["soft"]["value"] = json!(100)),
            format!("{t}.investment_intensity.soft.value"),
            "soft (100) cannot be below hard (150)",
        ),
        (
            Box::new(|v| v["zones"][0]["rules"][0]["thresholds"]["energy_per_value_added"]["soft"]["value"] = json!(2)),
            format!("{t}.energy_per_value_added.soft.value"),
            "cannot be above hard",
        ),
        (
            Box::new(|v| {
                v["zones"][0]["rules"][0]["thresholds"]["land_price"] =
                    json!({"hard": {"value": 1, "source": "jiqun_example"}})
            }),
            format!("{t}.land_price"),
            "unknown metric \"land_price\"",
        ),
        (
            Box::new(|v| v["zones"][0]["rules"][0]["thresholds"]["tax_per_mu"]["hard"]["source"] = json!("nowhere")),
            format!("{t}.tax_per_mu.hard.source"),
            "source \"nowhere\" is not among the sources",
        ),
        (
            Box::new(|v| v["zones"][0]["rules"][0]["thresholds"]["tax_per_mu"]["hard"]["value"] = json!(-8)),
            format!("{t}.tax_per_mu.hard.value"),
            "a threshold must be a number ≥ 0",
        ),
        (
            Box::new(|v| v["zones"][0]["rules"][0]["thresholds"]["tax_per_mu"] = json!({})),
            format!("{t}.tax_per_mu"),
            "give hard, soft or both",
        ),
        (
            Box::new(|v| v["zones"][0]["rules"][1]["industry_prefix"] = json!("")),
            "zones[0].rules[1].industry_prefix".into(),
            "appears twice",
        ),
        (
            Box::new(|v| v["zones"][1]["rules"][1]["industry_prefix"] = json!("C39")),
            "zones[1].rules[1].industry_prefix".into(),
            "invalid industry prefix",
        ),
        (Box::new(|v| v["zones"][1]["id"] = json!("provincial_park")), "zones[1].id".into(), "appears twice"),
        (Box::new(|v| v["zones"] = json!([])), "zones".into(), "at least one zone"),
        (Box::new(|v| v["conditions"]["en"] = json!("")), "conditions".into(), "both the zh and the en text"),
        (
            Box::new(|v| v["sources"]["jiqun_example"]["citation"] = json!("")),
            "sources.jiqun_example.citation".into(),
            "must not be empty",
        ),
    ];
    for (edit, path, en) in cases {
        let es = table_errors(edit);
        assert!(es.iter().any(|(p, e)| *p == path && e.contains(en)), "{path}: {es:?}");
    }
    let es = table_errors(|v| v["zones"][0]["rules"][0]["thresholds"]["tax_per_mu"]["hard"]["valeu"] = json!(1));
    assert!(es[0].1.contains("unknown field `valeu`"), "{es:?}");
}

#[test]
fn table_round_trips() {
    let t = table();
    assert_eq!(Table::from_json(&t.to_json()).unwrap(), t);
    assert_eq!(t.def().sources["longchang_2022"].confidence, Confidence::H);
    assert_eq!(t.def().sources["jiqun_example"].confidence, Confidence::X);
}
