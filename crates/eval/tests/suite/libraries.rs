//! Cultivation libraries: the shipped definitions, every kind of check passing, failing and lacking data,
//! any-of groups, designations, the ranking and the counts, and definitions that must be refused.

use jiqun_domain::Lang;
use jiqun_eval::definition::Text;
use jiqun_eval::libraries::{
    self, Assessment, CheckResult, Figure, Library, Outcome, Profile, RankingDef, Status, Threshold, WeightDef, assess,
    backbone_rd_intensity, count_by_chain, count_members, rank, rd_intensity,
};

fn lib(id: &str) -> Library {
    libraries::builtin_library(id).unwrap_or_else(|| panic!("no builtin library {id}"))
}

/// The check with this id anywhere in the assessment.
fn check<'a>(a: &'a Assessment, id: &str) -> &'a CheckResult {
    a.checks.iter().flat_map(|c| c.walk()).find(|c| c.id == id).unwrap_or_else(|| panic!("no check {id}"))
}

/// A firm that meets every little-giant criterion through the ≥ 1亿 revenue band.
fn giant() -> Profile {
    Profile::new("91440300MA5FXXXX0A")
        .with("years_in_niche", 5.0)
        .with("revenue", 20000.0)
        .with("revenue_prev", 18000.0)
        .with("main_business_revenue", 16000.0)
        .with("main_business_growth_2y", 8.0)
        .with_flag("has_it_system", true)
        .with_flag("has_certification", true)
        .with("debt_ratio", 60.0)
        .with("niche_market_share", 12.0)
        .with_flag("own_brand", true)
        .with("rd", 800.0)
        .with("rd_prev", 720.0)
        .with_flag("has_rd_institution", true)
        .with("ipr_class1", 3.0)
}

#[test]
fn builtins_load_and_round_trip() {
    let all = libraries::builtin().expect("shipped definitions are valid");
    let ids: Vec<&str> = all.iter().map(|l| l.id()).collect();
    assert_eq!(ids, ["little_giant", "specialised_sme", "single_champion", "unicorn", "backbone", "ai_top100"]);
    for l in &all {
        let again = Library::from_json(&l.to_json()).expect("round trip");
        assert_eq!(&again, l);
    }
    assert_eq!(lib("unicorn").source().confidence, jiqun_eval::definition::Confidence::L);
    assert_eq!(lib("little_giant").source().confidence, jiqun_eval::definition::Confidence::M);
    assert_eq!(lib("backbone").chains().len(), 6);
}

#[test]
fn little_giant_all_met_is_a_candidate_until_designated() {
    let l = lib("little_giant");
    let a = assess(&giant(), &l);
    assert_eq!(a.outcome, Outcome::Passed, "{}", a.summary.en);
    assert_eq!(a.status, Status::Candidate);
    // 16000 / 20000 × 100 = 80, computed from its parts and shown.
    let share = check(&a, "main_business_share");
    assert_eq!(share.value, Some(Figure::Number(80.0)));
    assert_eq!(share.threshold, Some(Threshold::Ge { value: 70.0 }));
    assert!(
        share.explanation.zh.contains("主营业务收入 16000万元 ÷ 上年度营业收入 20000万元 × 100"),
        "{}",
        share.explanation.zh
    );
    assert!(share.explanation.en.ends_with("required ≥ 70%: passed"), "{}", share.explanation.en);
    // 720 / 18000 × 100 = 4 ≥ 3.
    assert_eq!(check(&a, "band_over_100m_rd_prev").value, Some(Figure::Number(4.0)));
    assert_eq!(check(&a, "rd_by_revenue_band").outcome, Outcome::Passed);
    assert_eq!(check(&a, "rd_band_50m_100m").outcome, Outcome::Failed);
    assert_eq!(a.unassessed.len(), 3);

    let designated = giant().designated("little_giant", None);
    let a = assess(&designated, &l);
    assert_eq!(a.status, Status::Member);
    assert_eq!(a.summary.zh, "已认定入库");
}

#[test]
fn each_kind_of_check_fails_with_its_figure() {
    let l = lib("little_giant");
    let cases: Vec<(&str, Profile)> = vec![
        ("niche_years", giant().with("years_in_niche", 2.5)),
        ("main_business_share", giant().with("main_business_revenue", 13900.0)),
        ("main_business_growth", giant().with("main_business_growth_2y", 4.99)),
        ("it_system", giant().with_flag("has_it_system", false)),
        ("debt_ratio", giant().with("debt_ratio", 70.01)),
        ("niche_market_share", giant().with("niche_market_share", 9.0)),
        ("ipr_class1", giant().with("ipr_class1", 1.0)),
    ];
    for (id, p) in cases {
        let a = assess(&p, &l);
        assert_eq!(check(&a, id).outcome, Outcome::Failed, "{id}");
        assert_eq!(a.outcome, Outcome::Failed, "{id}");
        assert_eq!(a.status, Status::NotMember, "{id}");
        assert!(a.summary.en.contains("failed:"), "{}", a.summary.en);
        let failed: Vec<&str> =
            a.checks.iter().filter(|c| c.outcome == Outcome::Failed).map(|c| c.id.as_str()).collect();
        assert_eq!(failed, [id]);
    }
    let a = assess(&giant().with("debt_ratio", 75.0), &l);
    let d = check(&a, "debt_ratio");
    assert_eq!((d.value, d.threshold), (Some(Figure::Number(75.0)), Some(Threshold::Le { value: 70.0 })));
    assert_eq!(d.explanation.zh, "资产负债率 75%，要求 ≤ 70%：未达标");
    assert_eq!(d.explanation.get(Lang::En), "asset-liability ratio 75%, required ≤ 70%: failed");
    let a = assess(&giant().with_flag("own_brand", false), &l);
    assert_eq!(check(&a, "own_brand").explanation.zh, "拥有自主品牌：否，要求 是：未达标");
}

#[test]
fn thresholds_are_inclusive_where_the_rule_says_so() {
    let l = lib("little_giant");
    let p = giant().with("main_business_revenue", 14000.0).with("debt_ratio", 70.0).with("years_in_niche", 3.0);
    let a = assess(&p, &l);
    assert_eq!(check(&a, "main_business_share").value, Some(Figure::Number(70.0)));
    assert_eq!(a.outcome, Outcome::Passed, "{}", a.summary.en);
}

#[test]
fn rd_tiers_by_revenue_band_are_an_any_of_group() {
    let l = lib("little_giant");
    // 5000万-1亿 band: 6% both years needed. 450 / 8000 = 5.625% fails that band; the others don't apply.
    let mid = giant().with("revenue", 8000.0).with("main_business_revenue", 7000.0).with("rd", 450.0);
    let mid = mid.with("revenue_prev", 7000.0).with("rd_prev", 490.0);
    let a = assess(&mid, &l);
    let group = check(&a, "rd_by_revenue_band");
    assert_eq!(group.outcome, Outcome::Failed);
    assert_eq!(group.children.iter().map(|c| c.outcome).collect::<Vec<_>>(), [Outcome::Failed; 3]);
    assert_eq!(check(&a, "band_50m_100m_rd").outcome, Outcome::Failed);
    assert_eq!(check(&a, "band_50m_100m_rd_prev").value, Some(Figure::Number(7.0)));
    assert!(group.explanation.en.starts_with("any one of 3 suffices: 0 passed, 3 failed"), "{}", group.explanation.en);
    // 480 / 8000 = 6% and 490 / 7000 = 7%: the middle band passes.
    let a = assess(&mid.clone().with("rd", 480.0), &l);
    assert_eq!(check(&a, "rd_band_50m_100m").outcome, Outcome::Passed);
    assert_eq!(check(&a, "rd_by_revenue_band").outcome, Outcome::Passed);
    assert_eq!(a.outcome, Outcome::Passed, "{}", a.summary.en);

    // Under 5000万: equity ≥ 8000, R&D over 2 years 1600 + 1500 = 3100 ≥ 3000, R&D staff ≥ 50%.
    let small = giant()
        .with("revenue", 3000.0)
        .with("main_business_revenue", 2800.0)
        .with("revenue_prev", 2500.0)
        .with("rd", 1600.0)
        .with("rd_prev", 1500.0)
        .with("equity_financing_2y", 9000.0)
        .with("rd_staff_share", 55.0);
    let a = assess(&small, &l);
    assert_eq!(check(&a, "band_under_50m_rd").value, Some(Figure::Number(3100.0)));
    assert_eq!(check(&a, "rd_band_under_50m").outcome, Outcome::Passed);
    assert_eq!(a.outcome, Outcome::Passed, "{}", a.summary.en);
    let a = assess(&small.clone().with("rd_staff_share", 49.0), &l);
    assert_eq!(check(&a, "rd_band_under_50m").outcome, Outcome::Failed);
    assert_eq!(a.outcome, Outcome::Failed);
    // Without the equity figure, the only band that could apply has no data: the group has no data.
    let mut no_equity = small.clone();
    no_equity.figures.remove("equity_financing_2y");
    let a = assess(&no_equity, &l);
    assert_eq!(check(&a, "rd_by_revenue_band").outcome, Outcome::NoData);
    assert_eq!(a.status, Status::NotMember);
}

#[test]
fn missing_data_never_passes() {
    let l = lib("little_giant");
    let mut p = giant();
    p.figures.remove("debt_ratio");
    p.figures.remove("rd_prev");
    let a = assess(&p, &l);
    assert_eq!(a.outcome, Outcome::NoData);
    assert_eq!(a.status, Status::NotMember);
    let d = check(&a, "debt_ratio");
    assert_eq!((d.outcome, d.value), (Outcome::NoData, None));
    assert_eq!(d.explanation.zh, "资产负债率：无数据（未填报），要求 ≤ 70%：视为未达标");
    // A derived figure names what it lacks.
    let r = check(&a, "band_over_100m_rd_prev");
    assert_eq!(r.outcome, Outcome::NoData);
    assert!(
        r.explanation.en.contains("cannot be computed without R&D expense, the year before"),
        "{}",
        r.explanation.en
    );
    assert!(a.summary.zh.contains("无数据：资产负债率 ≤ 70%"), "{}", a.summary.zh);
    // The wrong kind of value, or a non-finite one, is no data too.
    let a = assess(&giant().with_flag("debt_ratio", true).with("ipr_class1", f64::NAN), &l);
    assert_eq!(check(&a, "debt_ratio").outcome, Outcome::NoData);
    assert!(check(&a, "debt_ratio").explanation.en.contains("a number was expected"));
    assert_eq!(check(&a, "ipr_class1").outcome, Outcome::NoData);
    // Revenue 0: a share of it cannot be computed.
    let a = assess(&giant().with("revenue", 0.0), &l);
    assert!(check(&a, "main_business_share").explanation.en.contains("is 0"));
    // A figure given directly wins over the derivation.
    let a = assess(&giant().with("main_business_share", 65.0), &l);
    assert_eq!(check(&a, "main_business_share").outcome, Outcome::Failed);
}

#[test]
fn specialised_sme_score_or_fast_track() {
    let l = lib("specialised_sme");
    let base = Profile::new("sme")
        .with("years_in_niche", 2.0)
        .with("revenue", 800.0)
        .with("equity_financing_2y", 2500.0)
        .with("rd", 120.0)
        .with("rd_prev", 90.0)
        .with("sme_score", 55.0);
    // 120 / 800 = 15% ≥ 3; revenue < 1000 but equity ≥ 2000; score 55 < 60 and no fast track.
    let a = assess(&base, &l);
    assert_eq!(check(&a, "scale").outcome, Outcome::Passed);
    assert_eq!(check(&a, "score").outcome, Outcome::Failed);
    // The fast track's yes/no items are not reported: no data, so the fast track has no data, not a pass.
    assert_eq!(check(&a, "fast_track").outcome, Outcome::NoData);
    assert_eq!(a.status, Status::NotMember);
    // Score 60 passes.
    assert_eq!(assess(&base.clone().with("sme_score", 60.0), &l).status, Status::Candidate);
    // Or a fast track: equity 6000 over 2 years.
    let a = assess(&base.clone().with("equity_financing_2y", 6000.0), &l);
    assert_eq!(check(&a, "fast_equity").outcome, Outcome::Passed);
    assert_eq!(check(&a, "score_or_fast_track").outcome, Outcome::Passed);
    assert_eq!(a.status, Status::Candidate);
    // 2-year average R&D: (1100 + 950) / 2 = 1025 ≥ 1000.
    let a = assess(&base.clone().with("rd", 1100.0).with("rd_prev", 950.0), &l);
    assert_eq!(check(&a, "fast_rd").value, Some(Figure::Number(1025.0)));
    assert_eq!(a.status, Status::Candidate);
    // Neither revenue ≥ 1000 nor equity ≥ 2000.
    let a = assess(&base.clone().with("equity_financing_2y", 1500.0).with("sme_score", 70.0), &l);
    assert_eq!(check(&a, "scale").outcome, Outcome::Failed);
    assert_eq!(a.status, Status::NotMember);
}

#[test]
fn unicorn_common_definition() {
    let l = lib("unicorn");
    let p = Profile::new("u")
        .with("year", 2025.0)
        .with("founded_year", 2015.0)
        .with("valuation_usd", 12.0)
        .with_flag("listed", false);
    let a = assess(&p, &l);
    assert_eq!(check(&a, "age").value, Some(Figure::Number(10.0)));
    assert_eq!(a.status, Status::Member, "{}", a.summary.en);
    assert_eq!(a.summary.zh, "符合全部条件，在库");
    assert_eq!(assess(&p.clone().with("founded_year", 2014.0), &l).status, Status::NotMember);
    assert_eq!(assess(&p.clone().with("valuation_usd", 9.9), &l).status, Status::NotMember);
    let listed = assess(&p.clone().with_flag("listed", true), &l);
    assert_eq!(check(&listed, "unlisted").outcome, Outcome::Failed);
    let mut no_year = p.clone();
    no_year.figures.remove("year");
    let a = assess(&no_year, &l);
    assert_eq!(check(&a, "age").outcome, Outcome::NoData);
    assert!(check(&a, "age").explanation.zh.contains("缺少数据年度"), "{}", check(&a, "age").explanation.zh);
}

#[test]
fn single_champion_measurable_parts() {
    let l = lib("single_champion");
    let p = Profile::new("c")
        .with("years_in_field", 12.0)
        .with("global_market_share_rank", 2.0)
        .with("net_margin", 11.0)
        .with("industry_net_margin", 7.5)
        .with_flag("clean_record_3y", true)
        .with_flag("energy_advanced", true);
    let a = assess(&p, &l);
    assert_eq!(a.status, Status::Candidate, "{}", a.summary.en);
    assert_eq!(check(&a, "profitability").value, Some(Figure::Number(3.5)));
    // 5 years: only with a new product.
    let young = p.clone().with("years_in_field", 5.0);
    assert_eq!(check(&assess(&young, &l), "years_in_field").outcome, Outcome::NoData, "new_product not reported");
    assert_eq!(
        check(&assess(&young.clone().with_flag("new_product", false), &l), "years_in_field").outcome,
        Outcome::Failed
    );
    assert_eq!(assess(&young.with_flag("new_product", true), &l).status, Status::Candidate);
    // Between 1 and 3, inclusive.
    assert_eq!(
        check(&assess(&p.clone().with("global_market_share_rank", 3.0), &l), "global_rank").outcome,
        Outcome::Passed
    );
    assert_eq!(
        check(&assess(&p.clone().with("global_market_share_rank", 4.0), &l), "global_rank").outcome,
        Outcome::Failed
    );
    assert_eq!(
        check(&assess(&p.clone().with("global_market_share_rank", 0.0), &l), "global_rank").outcome,
        Outcome::Failed
    );
    // Profitability must be strictly above the industry.
    assert_eq!(check(&assess(&p.clone().with("net_margin", 7.5), &l), "profitability").outcome, Outcome::Failed);
    assert_eq!(a.unassessed.len(), 2);
}

#[test]
fn backbone_is_by_designation_per_chain() {
    let l = lib("backbone");
    let a1 = assess(&Profile::new("a").designated("backbone", Some("ai")).designated("backbone", Some("iot")), &l);
    let a2 = assess(&Profile::new("b").designated("backbone", Some("ai")).designated("unicorn", None), &l);
    let a3 = assess(&Profile::new("c").designated("little_giant", None), &l);
    assert_eq!((a1.status, a2.status, a3.status), (Status::Member, Status::Member, Status::NotMember));
    assert_eq!(a1.chains, ["ai", "iot"]);
    assert_eq!(a2.designations.len(), 1);
    assert_eq!(a3.summary.en, "not designated");
    assert!(a1.checks.is_empty() && a1.outcome == Outcome::Passed);
    let all = [a1, a2, a3];
    assert_eq!(count_members(&all), 2);
    let by_chain = count_by_chain(&all);
    assert_eq!(by_chain.get("ai"), Some(&2));
    assert_eq!(by_chain.get("iot"), Some(&1));
    assert_eq!(by_chain.len(), 2);
}

#[test]
fn backbone_rd_intensity_is_sum_over_sum() {
    // (60 + 40 + 200) / (1000 + 1000 + 3000) × 100 = 6, not the mean of 6%, 4% and 6.67%.
    let v = backbone_rd_intensity(&[(60.0, 1000.0), (40.0, 1000.0), (200.0, 3000.0)]).unwrap();
    assert!((v - 6.0).abs() < 1e-12, "{v}");
    let r = rd_intensity(&[(60.0, 1000.0), (f64::NAN, 500.0), (-1.0, 10.0), (40.0, 1000.0)]);
    assert_eq!((r.used, r.skipped, r.rd_total, r.revenue_total), (2, 2, 100.0, 2000.0));
    assert_eq!(r.percent, Some(5.0));
    assert_eq!(backbone_rd_intensity(&[]), None);
    assert_eq!(backbone_rd_intensity(&[(5.0, 0.0)]), None);
    assert_eq!(backbone_rd_intensity(&[(f64::INFINITY, 1.0)]), None);
}

fn ai(id: &str, ai_revenue: f64) -> Profile {
    Profile::new(id).with("ai_revenue", ai_revenue)
}

#[test]
fn ranking_hand_computed() {
    let l = lib("ai_top100").with_ranking(RankingDef {
        top_n: 2,
        weights: vec![
            WeightDef { figure: "ai_revenue".into(), weight: 3.0, lower_is_better: false, log: false },
            WeightDef { figure: "rd_intensity".into(), weight: 1.0, lower_is_better: false, log: false },
        ],
        note: Text::new("测试权重", "test weights"),
    });
    let l = l.expect("valid ranking");
    let profiles = vec![
        ai("e1", 100.0).with("rd", 10.0).with("revenue", 100.0),
        ai("e2", 300.0).with("rd", 5.0).with("revenue", 100.0),
        ai("e3", 200.0),
        ai("e4", 0.0).with("rd", 50.0).with("revenue", 100.0),
    ];
    let r = rank(&profiles, &l).expect("a ranked library");
    // ai_revenue 100..300 → e1 0, e2 1, e3 0.5 (× 75 points); rd_intensity 5..10 → e1 1, e2 0, e3 none (× 25).
    let got: Vec<(&str, u32, f64, bool)> =
        r.ranked.iter().map(|x| (x.enterprise.as_str(), x.rank, x.score, x.selected)).collect();
    assert_eq!(got, [("e2", 1, 75.0, true), ("e3", 2, 37.5, true), ("e1", 3, 25.0, false)]);
    let e3 = &r.ranked[1];
    assert_eq!((e3.items[1].value, e3.items[1].normalised, e3.items[1].points), (None, None, 0.0));
    assert_eq!(e3.items[0].normalised, Some(0.5));
    // e4 is not eligible (no AI revenue) and is not ranked.
    assert_eq!(r.assessments[3].status, Status::NotMember);
    assert_eq!(r.assessments[3].outcome, Outcome::Failed);
    assert_eq!(
        r.assessments.iter().map(|a| a.status).collect::<Vec<_>>(),
        [Status::NotMember, Status::Member, Status::Member, Status::NotMember]
    );
    assert_eq!(count_members(&r.assessments), 2);
    assert_eq!(r.assessments[0].summary.en, "ranked 3 (score 25), outside the top 2");

    // Lower is better reverses the normalisation: e2 (5%) gets the full 100, e1 (10%) 0, e3 (no data) 0.
    let rev = l
        .with_ranking(RankingDef {
            top_n: 2,
            weights: vec![WeightDef { figure: "rd_intensity".into(), weight: 1.0, lower_is_better: true, log: false }],
            note: l.def().ranking.as_ref().unwrap().note.clone(),
        })
        .unwrap();
    let r = rank(&profiles, &rev).unwrap();
    let got: Vec<(&str, f64)> = r.ranked.iter().map(|x| (x.enterprise.as_str(), x.score)).collect();
    assert_eq!(got, [("e2", 100.0), ("e1", 0.0), ("e3", 0.0)]);
    assert_eq!(r.ranked[1].rank, 2);
    assert_eq!(r.ranked[2].rank, 2, "equal scores share the rank");
    assert!(r.ranked.iter().all(|x| x.selected), "ties at the cut are all selected");
}

#[test]
fn default_ai_ranking_uses_logs_and_selects_top_100() {
    let l = lib("ai_top100");
    let profiles: Vec<Profile> = (0..150)
        .map(|k| {
            ai(&format!("firm{k:03}"), 100.0 * (k + 1) as f64)
                .with("rd", 10.0 * (k + 1) as f64)
                .with("revenue", 1000.0)
                .with("invention_patents", k as f64)
                .with("revenue_growth", 5.0)
        })
        .collect();
    let r = rank(&profiles, &l).unwrap();
    assert_eq!(r.ranked.len(), 150);
    assert_eq!(r.ranked.iter().filter(|x| x.selected).count(), 100);
    assert_eq!(r.ranked[0].enterprise, "firm149");
    assert!((r.ranked[0].score - 100.0).abs() < 1e-9, "the best on every figure scores 100");
    assert!(r.ranked.last().is_some_and(|x| x.enterprise == "firm000"));
    // ln(1 + x) normalisation: the middle firm by AI revenue is well above half on that item.
    let mid = r.ranked.iter().find(|x| x.enterprise == "firm074").unwrap();
    let n = mid.items[0].normalised.unwrap();
    let expect = ((7500.0f64).ln_1p() - (100.0f64).ln_1p()) / ((15000.0f64).ln_1p() - (100.0f64).ln_1p());
    assert!((n - expect).abs() < 1e-12 && n > 0.8, "{n}");
    assert!(r.note.en.contains("not official"));
    // A library without a ranking has none.
    assert!(rank(&profiles, &lib("unicorn")).is_none());
    assert!(rank(&[], &l).is_some_and(|r| r.ranked.is_empty()));
}

#[test]
fn profiles_read_from_json() {
    let p: Profile = serde_json::from_str(
        r#"{"enterprise": "x", "figures": {"debt_ratio": 50, "own_brand": true, "rd": null},
            "designations": [{"library": "backbone", "chain": "ai", "reference": "粤工信〔2024〕1号"}]}"#,
    )
    .unwrap();
    assert_eq!(p.figures.get("debt_ratio"), Some(&Figure::Number(50.0)));
    assert_eq!(p.figures.get("own_brand"), Some(&Figure::Bool(true)));
    assert!(!p.figures.contains_key("rd"), "null is a missing figure");
    assert!(p.unknown_figures().is_empty());
    assert_eq!(Profile::new("y").with("debt_ratoi", 1.0).unknown_figures(), ["debt_ratoi"]);
    let a = assess(&p, &lib("backbone"));
    assert_eq!(a.designations[0].reference.as_deref(), Some("粤工信〔2024〕1号"));
}

fn errors(json: &str) -> Vec<(String, String, String)> {
    match Library::from_json(json) {
        Ok(_) => panic!("accepted: {json}"),
        Err(es) => es.into_iter().map(|e| (e.path, e.zh, e.en)).collect(),
    }
}

fn def_with(criteria: &str) -> String {
    format!(
        r#"{{"id": "t", "name": {{"zh": "测", "en": "t"}},
            "source": {{"citation": "c", "confidence": "L"}},
            "membership": "criteria", "criteria": {criteria}}}"#
    )
}

#[test]
fn invalid_definitions_are_refused_with_the_field_named() {
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"[{"id": "a", "figure": "debt_ratoi", "op": "<=", "value": 70}]"#,
            "criteria[0].figure",
            "unknown figure \"debt_ratoi\"",
        ),
        (r#"[{"id": "a", "figure": "debt_ratio", "op": "=<", "value": 70}]"#, "criteria[0].op", "unknown op \"=<\""),
        (
            r#"[{"id": "a", "figure": "debt_ratio", "op": "<=", "value": "70"}]"#,
            "criteria[0].value",
            "needs a numeric value",
        ),
        (r#"[{"id": "a", "figure": "debt_ratio", "op": "<="}]"#, "criteria[0].value", "needs a numeric value"),
        (r#"[{"id": "a", "figure": "listed", "op": ">=", "value": 1}]"#, "criteria[0].op", "yes/no figure"),
        (r#"[{"id": "a", "figure": "listed", "op": "is", "value": 1}]"#, "criteria[0].value", "true or false"),
        (r#"[{"id": "a", "figure": "revenue", "op": "is", "value": true}]"#, "criteria[0].op", "is does not apply"),
        (r#"[{"id": "a", "figure": "revenue", "op": "between", "min": 5, "max": 1}]"#, "criteria[0].min", "above max"),
        (r#"[{"id": "a", "figure": "revenue", "op": "between", "min": 5}]"#, "criteria[0].min", "numeric min and max"),
        (r#"[{"id": "a", "op": ">=", "value": 1}]"#, "criteria[0].figure", "figure is missing"),
        (r#"[{"id": "a", "all_of": []}]"#, "criteria[0].all_of", "at least one item"),
        (
            r#"[{"id": "a", "all_of": [{"id": "b", "figure": "rd", "op": ">=", "value": 1}], "any_of": []}]"#,
            "criteria[0].any_of",
            "not both",
        ),
        (
            r#"[{"id": "a", "figure": "rd", "any_of": [{"id": "b", "figure": "rd", "op": ">=", "value": 1}]}]"#,
            "criteria[0].figure",
            "cannot also have figure",
        ),
        (
            r#"[{"id": "a", "any_of": [{"id": "b", "figure": "rd", "op": ">", "value": 1}, {"id": "b", "figure": "rd", "op": "<", "value": 9}]}]"#,
            "criteria[0].any_of[1].id",
            "duplicate id \"b\"",
        ),
        (r#"[{"id": "A b", "figure": "rd", "op": ">=", "value": 1}]"#, "criteria[0].id", "invalid id"),
        (r#"[]"#, "criteria", "needs at least one criterion"),
    ];
    for (criteria, path, en) in cases {
        let es = errors(&def_with(criteria));
        assert!(es.iter().any(|(p, zh, e)| p == path && e.contains(en) && !zh.is_empty()), "{criteria}: {es:?}");
    }
}

#[test]
fn invalid_library_fields_and_json() {
    let es = errors(
        r#"{"id": "t", "name": {"zh": "", "en": "t"}, "source": {"citation": " ", "confidence": "L"}, "membership": "vote"}"#,
    );
    let paths: Vec<&str> = es.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(paths, ["name", "source.citation", "membership"]);
    assert!(es[2].1.contains("入库方式“vote”无效"));
    // Shape errors from the JSON reader keep serde's wording (which names the field) and the position.
    let es = errors(r#"{"id": "t", "nmae": {}}"#);
    assert!(es[0].2.contains("unknown field `nmae`") && es[0].2.contains("line 1"), "{es:?}");
    let es = errors(r#"{"id": "t", "#);
    assert!(es[0].1.starts_with("JSON 无效"), "{es:?}");
    let es = errors(
        r#"{"id": "t", "name": {"zh": "测", "en": "t"}, "source": {"citation": "c", "confidence": "Q"}, "membership": "criteria"}"#,
    );
    assert!(es[0].2.contains("unknown variant `Q`"), "{es:?}");
    // Ranking rules.
    let ranking = |w: &str| {
        format!(
            r#"{{"id": "t", "name": {{"zh": "测", "en": "t"}}, "source": {{"citation": "c", "confidence": "X"}},
                "membership": "ranking", "criteria": [],
                "ranking": {{"top_n": 0, "weights": {w}, "note": {{"zh": "示例", "en": "example"}}}}}}"#
        )
    };
    let es = errors(&ranking(
        r#"[{"figure": "rd", "weight": 0}, {"figure": "rd", "weight": 1}, {"figure": "listed", "weight": 1}, {"figure": "x", "weight": 1}]"#,
    ));
    let paths: Vec<&str> = es.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        paths,
        [
            "ranking.top_n",
            "ranking.weights[0].weight",
            "ranking.weights[1].figure",
            "ranking.weights[2].figure",
            "ranking.weights[3].figure"
        ]
    );
    let es = errors(&ranking("[]").replace("\"top_n\": 0", "\"top_n\": 5"));
    assert_eq!(es[0].0, "ranking.weights");
    let es = errors(&ranking("[]").replace("\"membership\": \"ranking\"", "\"membership\": \"criteria\""));
    assert!(es.iter().any(|e| e.0 == "ranking" && e.2.contains("only a library with membership = ranking")));
    let es = errors(
        &def_with(r#"[{"id": "a", "figure": "rd", "op": ">=", "value": 1}]"#)
            .replace("\"membership\": \"criteria\"", "\"membership\": \"ranking\""),
    );
    assert!(es.iter().any(|e| e.0 == "ranking" && e.2.contains("needs a ranking")));
    let es = errors(&def_with(r#"[{"id": "a", "figure": "rd", "op": ">=", "value": 1}]"#).replace(
        "\"criteria\": [",
        "\"chains\": [{\"id\": \"ai\", \"name\": {\"zh\": \"人工智能\", \"en\": \"AI\"}}, {\"id\": \"ai\", \"name\": {\"zh\": \"人工智能\", \"en\": \"AI\"}}], \"criteria\": [",
    ));
    let paths: Vec<&str> = es.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(paths, ["chains[1].id", "chains"]);
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    let mut c = r#"{"id": "leaf", "figure": "rd", "op": ">=", "value": 1}"#.to_string();
    for k in 0..20 {
        c = format!(r#"{{"id": "g{k}", "all_of": [{c}]}}"#);
    }
    let es = errors(&def_with(&format!("[{c}]")));
    assert!(es.iter().any(|e| e.2.contains("nested more than 8 deep")), "{es:?}");
    // Far deeper than serde_json's recursion limit: still an error, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(!errors(&def_with(&deep)).is_empty());
}

#[test]
fn messages_in_both_languages() {
    let es = match Library::from_json(&def_with(r#"[{"id": "a", "figure": "nope", "op": ">=", "value": 1}]"#)) {
        Err(es) => es,
        Ok(_) => panic!("accepted"),
    };
    assert_eq!(
        es[0].message(Lang::En),
        "criteria[0].figure: unknown figure \"nope\" (the known ones are in figures::FIGURES)"
    );
    assert!(es[0].message(Lang::Zh).starts_with("criteria[0].figure: 未知指标“nope”"));
    assert_eq!(es[0].to_string(), es[0].message(Lang::Zh));
}
