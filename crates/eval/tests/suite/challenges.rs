//! 揭榜挂帅: the example workflow (roles are the application's, refusals name who may), and expert review
//! (recusal hides a review, incomplete reviews do not count, the award waits for every review).

use std::collections::BTreeMap;

use jiqun_domain::challenges::{ChallengeState as S, Workflow};
use jiqun_domain::datafile::Text;
use jiqun_eval::challenges::{
    Application, Assignment, Challenge, Criterion, Expert, Organisation, Recusal, Review, ReviewStatus, check,
    may_award, ranking, recused, review_status, score,
};
use serde_json::{Value, json};

use crate::chains::firm;

#[test]
fn the_example_workflow_uses_the_applications_role_names() {
    let w = Workflow::example();
    assert!(w.note.zh.starts_with("示例") && w.note.en.starts_with("An example"));
    let authz = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../app/src/authz.rs"))
        .expect("the role table's source");
    // The built-in roles: the first string after each `role(` in the role table.
    let builtin: Vec<&str> = authz
        .split("role(")
        .skip(1)
        .filter_map(|rest| rest.trim_start().strip_prefix('"'))
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(builtin.contains(&"plan_owner") && builtin.contains(&"expert"), "{builtin:?}");
    let roles = w.transitions.iter().flat_map(|t| t.roles.iter()).chain(w.role_labels.keys());
    for r in roles {
        assert!(builtin.contains(&r.as_str()), "{r} is not a built-in role: {builtin:?}");
    }
    for s in [S::Accepted, S::Failed] {
        assert_eq!(w.moves_from(s).count(), 0, "{s} is final");
    }
    // The whole way through, by the roles allowed.
    let path = [
        (S::Draft, S::Published, "plan_owner"),
        (S::Published, S::ApplicationsOpen, "plan_owner"),
        (S::ApplicationsOpen, S::Review, "plan_owner"),
        (S::Review, S::Awarded, "plan_owner"),
        (S::Awarded, S::InProgress, "enterprise"),
        (S::InProgress, S::Accepted, "agency_reporter"),
    ];
    for (from, to, role) in path {
        assert_eq!(w.check(from, to, role), Ok(()), "{from} → {to} by {role}");
    }
}

#[test]
fn a_refused_move_names_who_may_or_that_it_does_not_exist() {
    let w = Workflow::example();
    let r = w.check(S::Review, S::Awarded, "expert").unwrap_err();
    assert_eq!(r.allowed, ["plan_owner"]);
    assert_eq!(r.zh, "从“评审中”到“已定榜”只能由以下角色操作：计划管理(牵头处室)（plan_owner）");
    assert_eq!(r.en, "only these roles may move a challenge from under review to awarded: plan owner (plan_owner)");
    let r = w.check(S::InProgress, S::Failed, "enterprise").unwrap_err();
    assert_eq!(r.allowed, ["plan_owner", "agency_reporter"]);
    let r = w.check(S::Draft, S::Awarded, "plan_owner").unwrap_err();
    assert!(r.allowed.is_empty());
    assert_eq!(r.zh, "没有从“草拟”到“已定榜”的流转；可流转到：已发榜");
    let r = w.check(S::Accepted, S::Draft, "plan_owner").unwrap_err();
    assert!(r.en.contains("no move leaves that state"), "{}", r.en);
    assert_eq!(w.check_any(S::Review, S::Awarded, &["expert", "plan_owner"]), Ok(()));
}

#[test]
fn bad_workflow_files_name_the_field() {
    let refused = |edit: &dyn Fn(&mut Value)| -> Vec<String> {
        let mut v: Value = serde_json::from_str(Workflow::example_json()).unwrap();
        edit(&mut v);
        Workflow::parse(&v.to_string()).unwrap_err().into_iter().map(|e| e.path).collect()
    };
    assert_eq!(refused(&|v| v["transitions"][0]["to"] = json!("done")), ["transitions[0].to"]);
    assert_eq!(refused(&|v| v["transitions"][0]["from"] = json!("accepted")), ["transitions[0].from"]);
    assert_eq!(refused(&|v| v["transitions"][1]["to"] = json!("published")), ["transitions[1].to"]);
    assert_eq!(refused(&|v| v["transitions"][1] = v["transitions"][0].clone()), ["transitions[1]"]);
    assert_eq!(refused(&|v| v["transitions"][2]["roles"] = json!([])), ["transitions[2].roles"]);
    assert_eq!(refused(&|v| v["transitions"][2]["roles"] = json!(["Plan Owner"])), ["transitions[2].roles[0]"]);
    assert_eq!(refused(&|v| v["note"]["en"] = json!("")), ["note"]);
}

fn crit(id: &str, weight: f64) -> Criterion {
    Criterion { id: id.into(), name: Text::new(id, id), weight }
}

fn expert(id: &str, org: Option<Organisation>, interests: Vec<Organisation>) -> Expert {
    Expert { id: id.into(), organisation: org, interests }
}

fn review(expert: &str, app: &str, scores: &[(&str, f64)], submitted: bool) -> Review {
    Review {
        expert: expert.into(),
        application: app.into(),
        scores: scores.iter().map(|(k, v)| (k.to_string(), *v)).collect::<BTreeMap<_, _>>(),
        submitted,
    }
}

/// Two applications (a firm, an institute); four experts: e1 works for the firm, e2 declared an interest in
/// the institute, e3 and e4 are free. Every expert is assigned to both. Criteria: technology 60, team 40.
fn challenge() -> Challenge {
    let institute = Organisation::Institute("华南示例研究院".into());
    Challenge {
        id: "c1".into(),
        criteria: vec![crit("tech", 60.0), crit("team", 40.0)],
        applications: vec![
            Application { id: "a1".into(), organisation: Organisation::Firm(firm(1)) },
            Application { id: "a2".into(), organisation: institute.clone() },
        ],
        experts: vec![
            expert("e1", Some(Organisation::Firm(firm(1))), vec![]),
            expert(
                "e2",
                Some(Organisation::Institute("某大学".into())),
                vec![Organisation::Institute(" 华南示例研究院 ".into())],
            ),
            expert("e3", None, vec![]),
            expert("e4", Some(Organisation::Firm(firm(9))), vec![]),
        ],
        assignments: ["e1", "e2", "e3", "e4"]
            .iter()
            .flat_map(|e| ["a1", "a2"].map(|a| Assignment { expert: e.to_string(), application: a.into() }))
            .collect(),
        reviews: vec![],
    }
}

#[test]
fn recusal_for_the_same_organisation_or_a_declared_interest() {
    let c = challenge();
    let (a1, a2) = (&c.applications[0], &c.applications[1]);
    assert_eq!(recused(&c.experts[0], a1), Some(Recusal::SameOrganisation));
    assert_eq!(recused(&c.experts[0], a2), None);
    assert_eq!(recused(&c.experts[1], a2), Some(Recusal::DeclaredInterest), "names compared ignoring spaces");
    assert_eq!(recused(&c.experts[1], a1), None);
    assert_eq!(recused(&c.experts[2], a1), None);
    let same_name = expert("x", Some(Organisation::Institute("华南示例研究院".into())), vec![]);
    assert_eq!(recused(&same_name, a2), Some(Recusal::SameOrganisation));
}

#[test]
fn the_score_counts_only_complete_reviews_of_experts_who_need_not_stand_aside() {
    let mut c = challenge();
    c.reviews = vec![
        review("e1", "a1", &[("tech", 100.0), ("team", 100.0)], true), // recused: hidden
        review("e3", "a1", &[("tech", 80.0), ("team", 50.0)], true),   // 0.6 × 80 + 0.4 × 50 = 68
        review("e4", "a1", &[("tech", 90.0), ("team", 90.0)], true),   // 90
        review("e2", "a1", &[("tech", 10.0)], true),                   // incomplete: team missing
    ];
    let s = score(&c, "a1").unwrap();
    assert_eq!(s.score, Some(79.0), "mean of 68 and 90");
    assert_eq!(s.counted, ["e3", "e4"]);
    let why: Vec<(&str, &str)> = s.not_counted.iter().map(|n| (n.expert.as_str(), n.reason.en.as_str())).collect();
    assert_eq!(
        why,
        [("e1", "the expert works for the applicant: must stand aside"), ("e2", "review incomplete, missing: team")]
    );
    assert_eq!(
        review_status(&c.reviews[3], &c.criteria),
        ReviewStatus::Incomplete { submitted: true, missing_criteria: vec!["team".into()] }
    );
    // Not submitted does not count even with every score.
    c.reviews.push(review("e3", "a2", &[("tech", 70.0), ("team", 70.0)], false));
    assert_eq!(score(&c, "a2").unwrap().score, None);
    // A review by an expert not assigned to the application does not count.
    c.assignments.retain(|a| !(a.expert == "e4" && a.application == "a1"));
    assert_eq!(score(&c, "a1").unwrap().score, Some(68.0));
    assert!(score(&c, "a9").is_err());
    let lines = jiqun_eval::challenges::review_breakdown(&c.reviews[3], &c.criteria);
    assert_eq!(lines[0].en, "tech (weight 60): 10");
    assert_eq!(lines[1].zh, "team（权重 40）：—");
}

#[test]
fn the_award_waits_for_every_review_and_says_which_are_missing() {
    let mut c = challenge();
    let full = [("tech", 70.0), ("team", 60.0)];
    c.reviews = vec![
        review("e3", "a1", &full, true),
        review("e4", "a1", &full, true),
        review("e1", "a2", &full, true),
        review("e3", "a2", &full, false),
    ];
    let check = may_award(&c).unwrap();
    assert!(!check.may_award);
    let missing: Vec<(Option<&str>, &str, &str)> =
        check.missing.iter().map(|m| (m.expert.as_deref(), m.application.as_str(), m.reason.en.as_str())).collect();
    // e1 on a1 and e2 on a2 stand aside and are not waited for.
    let expected = [
        (Some("e2"), "a1", "no review yet"),
        (Some("e3"), "a2", "review not yet submitted"),
        (Some("e4"), "a2", "no review yet"),
    ];
    assert_eq!(missing, expected);
    c.reviews[3].submitted = true;
    c.reviews.push(review("e4", "a2", &full, true));
    assert!(!may_award(&c).unwrap().may_award, "e2 on a1 still missing");
    c.reviews.push(review("e2", "a1", &full, true));
    let check = may_award(&c).unwrap();
    assert!(check.may_award, "{:?}", check.missing);
    // An application whose only experts stand aside cannot be awarded.
    c.assignments.retain(|a| !(a.application == "a1" && a.expert != "e1"));
    let check = may_award(&c).unwrap();
    assert!(!check.may_award);
    assert_eq!(check.missing[0].application, "a1");
    assert!(check.missing[0].reason.zh.contains("没有无须回避的评审专家"));
}

#[test]
fn ranking_orders_by_score_then_id_with_unscored_last() {
    let mut c = challenge();
    c.applications
        .push(Application { id: "a0".into(), organisation: Organisation::Institute("另一研究所".into()) });
    let same = [("tech", 50.0), ("team", 50.0)];
    c.reviews = vec![review("e3", "a2", &same, true), review("e3", "a1", &same, true)];
    let order: Vec<(String, Option<f64>)> =
        ranking(&c).unwrap().into_iter().map(|s| (s.application, s.score)).collect();
    assert_eq!(order, [("a1".into(), Some(50.0)), ("a2".into(), Some(50.0)), ("a0".into(), None)]);
}

#[test]
fn criteria_and_references_are_checked() {
    let mut c = challenge();
    c.criteria = vec![crit("tech", 0.0), crit("tech", -1.0)];
    c.reviews = vec![review("e9", "a1", &[("speed", 50.0)], true), review("e3", "a1", &[("tech", 101.0)], true)];
    c.assignments.push(Assignment { expert: "e3".into(), application: "a1".into() });
    let paths: Vec<String> = check(&c).unwrap_err().into_iter().map(|e| e.path).collect();
    assert_eq!(
        paths,
        [
            "criteria[1].id",
            "criteria[1].weight",
            "criteria",
            "assignments[8]",
            "reviews[0].expert",
            "reviews[0].scores.speed",
            "reviews[1].scores.tech"
        ]
    );
    let mut zero = challenge();
    zero.criteria = vec![crit("tech", 0.0)];
    assert_eq!(may_award(&zero).unwrap_err()[0].path, "criteria");
}

#[test]
fn a_challenge_reads_from_json() {
    let c = challenge();
    let back: Challenge = serde_json::from_value(serde_json::to_value(&c).unwrap()).unwrap();
    assert_eq!(back, c);
    let app: Application =
        serde_json::from_value(json!({"id": "a", "organisation": {"institute": "某研究院"}})).unwrap();
    assert_eq!(app.organisation, Organisation::Institute("某研究院".into()));
    assert!(serde_json::from_value::<Application>(json!({"id": "a", "organisation": {"firm": "123"}})).is_err());
}
