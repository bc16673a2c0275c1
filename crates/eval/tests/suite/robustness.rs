//! Odd inputs never panic and never produce a result that contradicts itself: NaN, infinities, negative
//! and huge figures, the wrong kind of value, unknown zones and codes.

use jiqun_eval::admission::{self, Decision, Proposal, Verdict};
use jiqun_eval::libraries::{self, CheckKind, CheckResult, Figure, Membership, Outcome, Profile, Status};
use jiqun_eval::permu::Class;
use jiqun_eval::resource_policy::{self, PolicyInput};

/// A small deterministic generator (no dependency needed for this).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[(self.next() as usize) % xs.len()]
    }

    fn odd(&mut self) -> f64 {
        let v = self.pick(&[
            0.0,
            -0.0,
            -1.0,
            1.0,
            3.0,
            70.0,
            5000.0,
            10000.0,
            1e-300,
            1e308,
            -1e308,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ]);
        if self.next().is_multiple_of(3) { (self.next() % 100_000) as f64 / 7.0 } else { v }
    }

    fn maybe(&mut self) -> Option<f64> {
        if self.next().is_multiple_of(5) { None } else { Some(self.odd()) }
    }
}

fn consistent(c: &CheckResult) {
    let kids: Vec<Outcome> = c.children.iter().map(|k| k.outcome).collect();
    match c.kind {
        CheckKind::AllOf => assert_eq!(c.outcome == Outcome::Passed, kids.iter().all(|&o| o == Outcome::Passed)),
        CheckKind::AnyOf => assert_eq!(c.outcome == Outcome::Passed, kids.contains(&Outcome::Passed)),
        CheckKind::Check => assert_eq!(
            c.outcome == Outcome::NoData,
            c.value.is_none() || c.value.is_some_and(|v| matches!(v, Figure::Number(x) if !x.is_finite()))
        ),
    }
    c.children.iter().for_each(consistent);
}

#[test]
fn libraries_take_any_profile() {
    let libs = libraries::builtin().unwrap();
    let mut g = Lcg(7);
    let mut profiles = Vec::new();
    for k in 0..400 {
        let mut p = Profile::new(format!("e{k}"));
        for f in libraries::figures::FIGURES {
            match g.next() % 4 {
                0 => {}
                1 => {
                    p.figures.insert(f.name.to_string(), Figure::Bool(g.next().is_multiple_of(2)));
                }
                _ => {
                    p.figures.insert(f.name.to_string(), Figure::Number(g.odd()));
                }
            }
        }
        if g.next().is_multiple_of(4) {
            p = p.designated(g.pick(&["backbone", "little_giant", "nope"]), Some("ai"));
        }
        profiles.push(p);
    }
    for l in &libs {
        for p in &profiles {
            let a = libraries::assess(p, l);
            a.checks.iter().for_each(consistent);
            if l.membership() == Membership::Criteria {
                assert_eq!(a.status == Status::Member, a.outcome == Outcome::Passed);
            }
            assert!(!a.summary.zh.is_empty() && !a.summary.en.is_empty());
        }
        if let Some(r) = libraries::rank(&profiles, l) {
            for x in &r.ranked {
                assert!(x.score.is_finite() && (-1e-9..=100.0 + 1e-9).contains(&x.score), "{}", x.score);
            }
            assert!(r.ranked.windows(2).all(|w| w[0].score >= w[1].score && w[0].rank <= w[1].rank));
        }
    }
    let pairs: Vec<(f64, f64)> = (0..200).map(|_| (g.odd(), g.odd())).collect();
    let r = libraries::rd_intensity(&pairs);
    assert_eq!(r.used + r.skipped, pairs.len());
    assert!(r.percent.is_none_or(f64::is_finite));
}

#[test]
fn admission_takes_any_proposal() {
    let t = admission::example_table().unwrap();
    let mut g = Lcg(11);
    for _ in 0..3000 {
        let p = Proposal {
            project: "p".into(),
            zone: g.pick(&["provincial_park", "other", "", "x"]).into(),
            industry_code: g.pick(&["3911", "39", "2611", "", "3", "abcd", "39112", "３９"]).into(),
            land_mu: g.odd(),
            fixed_investment_wan: g.maybe(),
            annual_output_wan: g.maybe(),
            annual_tax_wan: g.maybe(),
            jobs: g.maybe(),
            energy_tce: g.maybe(),
            value_added_wan: g.maybe(),
            rd_wan: g.maybe(),
        };
        match admission::assess(&p, &t) {
            Ok(r) => {
                assert_eq!(r.metrics.len(), 6);
                let worst = r.metrics.iter().map(|m| m.decision()).max().unwrap_or(Decision::Admit);
                assert_eq!(r.decision, worst);
                if r.decision == Decision::Admit {
                    assert!(r.metrics.iter().all(|m| matches!(m.verdict, Verdict::Pass | Verdict::NotSet)));
                }
                assert!(r.metrics.iter().all(|m| m.value.is_none_or(f64::is_finite)));
            }
            Err(es) => assert!(!es.is_empty() && es.iter().all(|e| !e.path.is_empty() && !e.zh.is_empty())),
        }
    }
}

#[test]
fn policy_takes_any_input() {
    let p = resource_policy::example_policy().unwrap();
    let mut g = Lcg(13);
    let inputs: Vec<PolicyInput> = (0..2000)
        .map(|k| PolicyInput {
            enterprise: format!("e{k}"),
            city: g.pick(&["广州", "深圳", ""]).into(),
            class: g.pick(&[Class::A, Class::B, Class::C, Class::D, Class::T]),
            electricity_mwh: g.maybe(),
            water_m3: g.maybe(),
        })
        .collect();
    let out = resource_policy::apply(&inputs, &p);
    assert_eq!(out.measures.len(), inputs.len());
    assert_eq!(out.cities.iter().map(|c| c.enterprises).sum::<usize>(), inputs.len());
    for m in &out.measures {
        assert!(m.electricity_surcharge_yuan.is_none_or(|v| v.is_finite() && v >= 0.0));
        assert!(m.water_surcharge_yuan.is_none_or(|v| v.is_finite() && v >= 0.0));
    }
}
