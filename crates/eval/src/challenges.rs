//! 揭榜挂帅 expert review: who must stand aside (recusal), when a review is complete, an application's score
//! from the completed reviews of experts who need not stand aside, and whether the challenge may be awarded
//! (every such review in). Pure: the challenge's applications, experts, assignments and reviews come in.
//! The workflow of states is `jiqun_domain::challenges`. Rules: docs/challenges.md.

use std::collections::{BTreeMap, BTreeSet};

use jiqun_domain::datafile::{FieldError, Text, normalise};
use jiqun_domain::uscc::Uscc;
use serde::{Deserialize, Serialize};

use crate::definition::fmt_num;

/// Who applies or employs an expert: a firm by its code, or an institute (university, research body) by
/// its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Organisation {
    Firm(Uscc),
    Institute(String),
}

impl Organisation {
    /// The same organisation: the same code, or the same institute name (ignoring width, spaces, ASCII case).
    pub fn same(&self, other: &Organisation) -> bool {
        match (self, other) {
            (Organisation::Firm(a), Organisation::Firm(b)) => a == b,
            (Organisation::Institute(a), Organisation::Institute(b)) => {
                let a = normalise(a);
                !a.is_empty() && a == normalise(b)
            }
            _ => false,
        }
    }

    fn name(&self) -> &str {
        match self {
            Organisation::Firm(u) => u.as_str(),
            Organisation::Institute(n) => n,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub id: String,
    pub name: Text,
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    pub organisation: Organisation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expert {
    pub id: String,
    /// Where the expert works, if anywhere.
    pub organisation: Option<Organisation>,
    /// Organisations the expert declared an interest in (former employer, shareholding, co-authorship …).
    pub interests: Vec<Organisation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub expert: String,
    pub application: String,
}

/// Scores per criterion id, 0 to 100; `submitted` once the expert has handed it in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub expert: String,
    pub application: String,
    pub scores: BTreeMap<String, f64>,
    pub submitted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Challenge {
    pub id: String,
    pub criteria: Vec<Criterion>,
    pub applications: Vec<Application>,
    pub experts: Vec<Expert>,
    pub assignments: Vec<Assignment>,
    pub reviews: Vec<Review>,
}

/// Why an expert stands aside from an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recusal {
    SameOrganisation,
    DeclaredInterest,
}

impl Recusal {
    pub fn explanation(self) -> Text {
        match self {
            Recusal::SameOrganisation => {
                Text::new("专家与申报单位为同一单位，须回避", "the expert works for the applicant: must stand aside")
            }
            Recusal::DeclaredInterest => Text::new(
                "专家申报了与申报单位的利益关系，须回避",
                "the expert declared an interest in the applicant: must stand aside",
            ),
        }
    }
}

/// Whether the expert must stand aside from the application, and why.
pub fn recused(expert: &Expert, application: &Application) -> Option<Recusal> {
    if expert.organisation.as_ref().is_some_and(|o| o.same(&application.organisation)) {
        Some(Recusal::SameOrganisation)
    } else if expert.interests.iter().any(|i| i.same(&application.organisation)) {
        Some(Recusal::DeclaredInterest)
    } else {
        None
    }
}

/// Whether a review is complete: handed in, with a score for every criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ReviewStatus {
    Complete,
    Incomplete { submitted: bool, missing_criteria: Vec<String> },
}

pub fn review_status(review: &Review, criteria: &[Criterion]) -> ReviewStatus {
    let missing: Vec<String> =
        criteria.iter().filter(|c| !review.scores.contains_key(&c.id)).map(|c| c.id.clone()).collect();
    if review.submitted && missing.is_empty() {
        ReviewStatus::Complete
    } else {
        ReviewStatus::Incomplete { submitted: review.submitted, missing_criteria: missing }
    }
}

/// A review that does not count, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotCounted {
    pub expert: String,
    pub reason: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplicationScore {
    pub application: String,
    /// The mean of the counted reviews' weighted scores (0–100); `None` with none counted.
    pub score: Option<f64>,
    /// The experts whose reviews count.
    pub counted: Vec<String>,
    pub not_counted: Vec<NotCounted>,
}

/// A review that is still wanted before the award.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Missing {
    pub expert: Option<String>,
    pub application: String,
    pub reason: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AwardCheck {
    pub may_award: bool,
    pub missing: Vec<Missing>,
}

/// Checks a challenge's data: criteria with unique ids and valid weights (non-negative, finite, summing
/// above zero); unique applications and experts; assignments and reviews that name them, once each;
/// scores for known criteria between 0 and 100.
pub fn check(c: &Challenge) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if c.criteria.is_empty() {
        errors.push(FieldError::new("criteria", "至少要有一项评审标准", "at least one criterion is required"));
    }
    let mut ids = BTreeSet::new();
    for (i, k) in c.criteria.iter().enumerate() {
        if k.id.trim().is_empty() || !ids.insert(k.id.as_str()) {
            errors.push(FieldError::new(
                format!("criteria[{i}].id"),
                format!("标准标识“{}”为空或重复", k.id),
                format!("criterion id \"{}\" is empty or repeated", k.id),
            ));
        }
        if k.name.is_blank() {
            errors.push(FieldError::new(
                format!("criteria[{i}].name"),
                "中文和英文名称都不能为空",
                "both names are required",
            ));
        }
        if !(k.weight.is_finite() && k.weight >= 0.0) {
            errors.push(FieldError::new(
                format!("criteria[{i}].weight"),
                "权重应为非负数",
                "a weight must be non-negative",
            ));
        }
    }
    let sum: f64 = c.criteria.iter().map(|k| k.weight).filter(|w| w.is_finite() && *w >= 0.0).sum();
    if !c.criteria.is_empty() && sum <= 0.0 {
        errors.push(FieldError::new("criteria", "权重之和应大于 0", "the weights must add up to more than 0"));
    }
    let unique = |list: Vec<&str>, what: &str, errors: &mut Vec<FieldError>| {
        let mut seen = BTreeSet::new();
        for (i, id) in list.into_iter().enumerate() {
            if id.trim().is_empty() || !seen.insert(id) {
                errors.push(FieldError::new(
                    format!("{what}[{i}].id"),
                    format!("标识“{id}”为空或重复"),
                    format!("id \"{id}\" is empty or repeated"),
                ));
            }
        }
    };
    unique(c.applications.iter().map(|a| a.id.as_str()).collect(), "applications", &mut errors);
    unique(c.experts.iter().map(|e| e.id.as_str()).collect(), "experts", &mut errors);
    let known_expert = |id: &str| c.experts.iter().any(|e| e.id == id);
    let known_app = |id: &str| c.applications.iter().any(|a| a.id == id);
    let names = |path: String, expert: &str, app: &str, errors: &mut Vec<FieldError>| {
        if !known_expert(expert) {
            errors.push(FieldError::new(
                format!("{path}.expert"),
                format!("没有专家“{expert}”"),
                format!("no expert \"{expert}\""),
            ));
        }
        if !known_app(app) {
            errors.push(FieldError::new(
                format!("{path}.application"),
                format!("没有申报“{app}”"),
                format!("no application \"{app}\""),
            ));
        }
    };
    let mut pairs = BTreeSet::new();
    for (i, a) in c.assignments.iter().enumerate() {
        names(format!("assignments[{i}]"), &a.expert, &a.application, &mut errors);
        if !pairs.insert((a.expert.as_str(), a.application.as_str())) {
            errors.push(FieldError::new(format!("assignments[{i}]"), "重复分配", "assigned twice"));
        }
    }
    let mut reviewed = BTreeSet::new();
    for (i, r) in c.reviews.iter().enumerate() {
        names(format!("reviews[{i}]"), &r.expert, &r.application, &mut errors);
        if !reviewed.insert((r.expert.as_str(), r.application.as_str())) {
            errors.push(FieldError::new(
                format!("reviews[{i}]"),
                "同一专家对同一申报有两份评审",
                "two reviews by the same expert of the same application",
            ));
        }
        for (k, v) in &r.scores {
            let path = format!("reviews[{i}].scores.{k}");
            if !ids.contains(k.as_str()) {
                errors.push(FieldError::new(&path, format!("没有评审标准“{k}”"), format!("no criterion \"{k}\"")));
            } else if !(v.is_finite() && (0.0..=100.0).contains(v)) {
                errors.push(FieldError::new(&path, "分数应在 0 至 100 之间", "a score must be between 0 and 100"));
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// A complete review's weighted score: Σ weight × score ÷ Σ weight.
fn weighted(review: &Review, criteria: &[Criterion]) -> f64 {
    let total: f64 = criteria.iter().map(|k| k.weight).sum();
    let sum: f64 = criteria.iter().map(|k| k.weight * review.scores.get(&k.id).copied().unwrap_or(0.0)).sum();
    if total > 0.0 { sum / total } else { 0.0 }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn score_of(c: &Challenge, app: &Application) -> ApplicationScore {
    let assigned = |expert: &str| c.assignments.iter().any(|a| a.expert == expert && a.application == app.id);
    let mut counted = Vec::new();
    let mut not_counted = Vec::new();
    let mut values = Vec::new();
    for r in c.reviews.iter().filter(|r| r.application == app.id) {
        let Some(expert) = c.experts.iter().find(|e| e.id == r.expert) else { continue };
        let reason = if let Some(why) = recused(expert, app) {
            Some(why.explanation())
        } else if !assigned(&r.expert) {
            Some(Text::new("该专家未被分配评审此申报", "the expert was not assigned to this application"))
        } else if let ReviewStatus::Incomplete { submitted, missing_criteria } = review_status(r, &c.criteria) {
            Some(if submitted {
                Text::new(
                    format!("评审未完成，缺少：{}", missing_criteria.join("、")),
                    format!("review incomplete, missing: {}", missing_criteria.join(", ")),
                )
            } else {
                Text::new("评审尚未提交", "review not yet submitted")
            })
        } else {
            None
        };
        match reason {
            Some(reason) => not_counted.push(NotCounted { expert: r.expert.clone(), reason }),
            None => {
                counted.push(r.expert.clone());
                values.push(weighted(r, &c.criteria));
            }
        }
    }
    let score = (!values.is_empty()).then(|| round2(values.iter().sum::<f64>() / values.len() as f64));
    ApplicationScore { application: app.id.clone(), score, counted, not_counted }
}

/// An application's score from the completed reviews of assigned experts who need not stand aside.
pub fn score(c: &Challenge, application: &str) -> Result<ApplicationScore, Vec<FieldError>> {
    check(c)?;
    let app = c.applications.iter().find(|a| a.id == application).ok_or_else(|| {
        vec![FieldError::new(
            "application",
            format!("没有申报“{application}”"),
            format!("no application \"{application}\""),
        )]
    })?;
    Ok(score_of(c, app))
}

/// Every application's score, best first; unscored last; equal scores by application id.
pub fn ranking(c: &Challenge) -> Result<Vec<ApplicationScore>, Vec<FieldError>> {
    check(c)?;
    let mut all: Vec<ApplicationScore> = c.applications.iter().map(|a| score_of(c, a)).collect();
    let key = |s: &ApplicationScore| s.score.map(|v| -(v * 100.0).round() as i64);
    all.sort_by(|a, b| match (key(a), key(b)) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.application.cmp(&b.application)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.application.cmp(&b.application),
    });
    Ok(all)
}

/// Whether the challenge may be awarded: every assignment of an expert who need not stand aside has a
/// complete review, and every application has at least one such assignment. Otherwise, what is missing.
pub fn may_award(c: &Challenge) -> Result<AwardCheck, Vec<FieldError>> {
    check(c)?;
    let mut missing = Vec::new();
    if c.applications.is_empty() {
        missing.push(Missing {
            expert: None,
            application: String::new(),
            reason: Text::new("没有申报", "there are no applications"),
        });
    }
    for app in &c.applications {
        let mut reviewers = 0;
        for a in c.assignments.iter().filter(|a| a.application == app.id) {
            let Some(expert) = c.experts.iter().find(|e| e.id == a.expert) else { continue };
            if recused(expert, app).is_some() {
                continue;
            }
            reviewers += 1;
            let review = c.reviews.iter().find(|r| r.expert == a.expert && r.application == app.id);
            let reason = match review.map(|r| review_status(r, &c.criteria)) {
                None => Some(Text::new("尚未开始评审", "no review yet")),
                Some(ReviewStatus::Incomplete { submitted: false, .. }) => {
                    Some(Text::new("评审尚未提交", "review not yet submitted"))
                }
                Some(ReviewStatus::Incomplete { missing_criteria, .. }) => Some(Text::new(
                    format!("评审缺少：{}", missing_criteria.join("、")),
                    format!("review lacks: {}", missing_criteria.join(", ")),
                )),
                Some(ReviewStatus::Complete) => None,
            };
            if let Some(reason) = reason {
                missing.push(Missing { expert: Some(a.expert.clone()), application: app.id.clone(), reason });
            }
        }
        if reviewers == 0 {
            missing.push(Missing {
                expert: None,
                application: app.id.clone(),
                reason: Text::new(
                    format!("申报“{}”（{}）没有无须回避的评审专家", app.id, app.organisation.name()),
                    format!(
                        "application \"{}\" ({}) has no assigned expert who need not stand aside",
                        app.id,
                        app.organisation.name()
                    ),
                ),
            });
        }
    }
    Ok(AwardCheck { may_award: missing.is_empty(), missing })
}

/// A review's weighted score for display, with the criteria's points.
pub fn review_breakdown(review: &Review, criteria: &[Criterion]) -> Vec<Text> {
    criteria
        .iter()
        .map(|k| {
            let v = review.scores.get(&k.id).map(|v| fmt_num(*v)).unwrap_or_else(|| "—".into());
            Text::new(
                format!("{}（权重 {}）：{v}", k.name.zh, fmt_num(k.weight)),
                format!("{} (weight {}): {v}", k.name.en, fmt_num(k.weight)),
            )
        })
        .collect()
}
