//! Running a library over profiles: the checks, the membership status, the ranking and the counts that
//! feed the indicator engine.

use std::collections::BTreeMap;

use jiqun_domain::Lang;
use serde::Serialize;

use super::figures::{FigureInfo, lookup};
use super::{Criterion, Designation, Figure, Library, Membership, Profile, Rule, Test};
use crate::definition::{Text, fmt_num, tidy};

jiqun_domain::labelled_enum! {
    /// A check's result. "No data" is not a pass: a library admits only on `Passed`.
    pub enum Outcome {
        Passed = "passed", "达标", "passed";
        Failed = "failed", "未达标", "failed";
        NoData = "no_data", "无数据", "no data";
    }
}

/// What a check asks of its figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "op")]
pub enum Threshold {
    #[serde(rename = ">=")]
    Ge { value: f64 },
    #[serde(rename = "<=")]
    Le { value: f64 },
    #[serde(rename = ">")]
    Gt { value: f64 },
    #[serde(rename = "<")]
    Lt { value: f64 },
    /// Inclusive at both ends.
    #[serde(rename = "between")]
    Between { min: f64, max: f64 },
    #[serde(rename = "is")]
    Is { value: bool },
}

impl Threshold {
    fn of(t: Test) -> Threshold {
        match t {
            Test::Ge(value) => Threshold::Ge { value },
            Test::Le(value) => Threshold::Le { value },
            Test::Gt(value) => Threshold::Gt { value },
            Test::Lt(value) => Threshold::Lt { value },
            Test::Between(min, max) => Threshold::Between { min, max },
            Test::Is(value) => Threshold::Is { value },
        }
    }

    /// "≥ 70%", "1位 至 3位", "是".
    pub fn show(&self, f: &FigureInfo) -> Text {
        let cmp = |sym: &str, v: f64| {
            let s = f.show(v);
            Text::new(format!("{sym} {}", s.zh), format!("{sym} {}", s.en))
        };
        match *self {
            Threshold::Ge { value } => cmp("≥", value),
            Threshold::Le { value } => cmp("≤", value),
            Threshold::Gt { value } => cmp(">", value),
            Threshold::Lt { value } => cmp("<", value),
            Threshold::Between { min, max } => {
                let (a, b) = (f.show(min), f.show(max));
                Text::new(format!("{} 至 {}", a.zh, b.zh), format!("between {} and {}", a.en, b.en))
            }
            Threshold::Is { value: true } => Text::new("是", "yes"),
            Threshold::Is { value: false } => Text::new("否", "no"),
        }
    }

    fn passes(&self, v: Figure) -> Option<bool> {
        match (*self, v) {
            (Threshold::Ge { value }, Figure::Number(x)) => Some(x >= value),
            (Threshold::Le { value }, Figure::Number(x)) => Some(x <= value),
            (Threshold::Gt { value }, Figure::Number(x)) => Some(x > value),
            (Threshold::Lt { value }, Figure::Number(x)) => Some(x < value),
            (Threshold::Between { min, max }, Figure::Number(x)) => Some(min <= x && x <= max),
            (Threshold::Is { value }, Figure::Bool(b)) => Some(b == value),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    Check,
    AllOf,
    AnyOf,
}

/// One criterion's result; a group carries its items' results in `children`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    pub id: String,
    pub name: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<Text>,
    pub kind: CheckKind,
    pub outcome: Outcome,
    /// The figure checked (None for a group).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub figure: Option<String>,
    /// Its value as used (reported or computed); None when there is no data.
    pub value: Option<Figure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Threshold>,
    pub explanation: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<CheckResult>,
}

impl CheckResult {
    /// This result and all below it, depth first.
    pub fn walk(&self) -> Vec<&CheckResult> {
        let mut out = vec![self];
        for c in &self.children {
            out.extend(c.walk());
        }
        out
    }
}

jiqun_domain::labelled_enum! {
    /// Where an enterprise stands against a library.
    pub enum Status {
        /// In the library: designated, meeting every criterion of a criteria library, or ranked within the top N.
        Member = "member", "在库", "member";
        /// Meets every criterion of a designation library but is not designated: can apply.
        Candidate = "candidate", "符合条件，可申报认定", "meets the criteria, may apply";
        /// Meets the criteria of a ranked library; [`rank`] decides (it leaves no one `Eligible`).
        Eligible = "eligible", "符合入围条件，待排名", "eligible, ranking decides";
        NotMember = "not_member", "不在库", "not a member";
    }
}

/// An enterprise against one library.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub library: String,
    pub enterprise: String,
    pub status: Status,
    /// All criteria together (`Passed` when the library has none).
    pub outcome: Outcome,
    pub checks: Vec<CheckResult>,
    /// The profile's designations into this library.
    pub designations: Vec<Designation>,
    /// The chains of those designations (per-chain libraries), sorted, each once.
    pub chains: Vec<String>,
    /// Requirements Jiqun does not check, for the reviewer.
    pub unassessed: Vec<Text>,
    pub summary: Text,
}

fn combine(all: bool, outcomes: impl Iterator<Item = Outcome> + Clone) -> Outcome {
    let any = |o: Outcome| outcomes.clone().any(|x| x == o);
    if all {
        if any(Outcome::Failed) {
            Outcome::Failed
        } else if any(Outcome::NoData) {
            Outcome::NoData
        } else {
            Outcome::Passed
        }
    } else if any(Outcome::Passed) {
        Outcome::Passed
    } else if any(Outcome::NoData) {
        Outcome::NoData
    } else {
        Outcome::Failed
    }
}

fn run(c: &Criterion, p: &Profile) -> CheckResult {
    match &c.rule {
        Rule::Check(f, test) => {
            let threshold = Threshold::of(*test);
            let want = threshold.show(f);
            let name = c.name.clone().unwrap_or_else(|| match threshold {
                Threshold::Is { value: true } => f.label(),
                Threshold::Is { value: false } => Text::new(format!("否：{}", f.zh), format!("not: {}", f.en)),
                _ => Text::new(format!("{} {}", f.zh, want.zh), format!("{} {}", f.en, want.en)),
            });
            let l = lookup(p, f);
            let (outcome, explanation) = match l.value {
                None => {
                    let why = l.missing.unwrap_or_else(|| Text::new("未填报", "not reported"));
                    (
                        Outcome::NoData,
                        Text::new(
                            format!("{}：无数据（{}），要求 {}：视为未达标", f.zh, why.zh, want.zh),
                            format!("{}: no data ({}), required {}: counts as not met", f.en, why.en, want.en),
                        ),
                    )
                }
                Some(v) => {
                    let outcome = match threshold.passes(v) {
                        Some(true) => Outcome::Passed,
                        Some(false) => Outcome::Failed,
                        None => Outcome::NoData,
                    };
                    let shown = match v {
                        Figure::Number(x) => f.show(x),
                        Figure::Bool(true) => Text::new("是", "yes"),
                        Figure::Bool(false) => Text::new("否", "no"),
                    };
                    let (how_zh, how_en) = match &l.how {
                        Some(h) => (format!("（= {}）", h.zh), format!(" (= {})", h.en)),
                        None => (String::new(), String::new()),
                    };
                    let sep = if matches!(v, Figure::Bool(_)) { ("：", ": ") } else { (" ", " ") };
                    (
                        outcome,
                        Text::new(
                            format!(
                                "{}{}{}{}，要求 {}：{}",
                                f.zh,
                                sep.0,
                                shown.zh,
                                how_zh,
                                want.zh,
                                outcome.label(Lang::Zh)
                            ),
                            format!(
                                "{}{}{}{}, required {}: {}",
                                f.en,
                                sep.1,
                                shown.en,
                                how_en,
                                want.en,
                                outcome.label(Lang::En)
                            ),
                        ),
                    )
                }
            };
            CheckResult {
                id: c.id.clone(),
                name,
                section: c.section.clone(),
                kind: CheckKind::Check,
                outcome,
                figure: Some(f.name.to_string()),
                value: l.value,
                threshold: Some(threshold),
                explanation,
                note: c.note.clone(),
                children: Vec::new(),
            }
        }
        Rule::All(items) | Rule::Any(items) => {
            let all = matches!(c.rule, Rule::All(_));
            let children: Vec<CheckResult> = items.iter().map(|i| run(i, p)).collect();
            let outcome = combine(all, children.iter().map(|x| x.outcome));
            let n = children.len();
            let count = |o: Outcome| children.iter().filter(|x| x.outcome == o).count();
            let (ok, bad, none) = (count(Outcome::Passed), count(Outcome::Failed), count(Outcome::NoData));
            let explanation = if all {
                Text::new(
                    format!("{n}项须全部满足：{ok}项达标，{bad}项未达标，{none}项无数据：{}", outcome.label(Lang::Zh)),
                    format!("all {n} required: {ok} passed, {bad} failed, {none} no data: {}", outcome.label(Lang::En)),
                )
            } else {
                Text::new(
                    format!(
                        "{n}项满足其一即可：{ok}项达标，{bad}项未达标，{none}项无数据：{}",
                        outcome.label(Lang::Zh)
                    ),
                    format!(
                        "any one of {n} suffices: {ok} passed, {bad} failed, {none} no data: {}",
                        outcome.label(Lang::En)
                    ),
                )
            };
            let name = c.name.clone().unwrap_or_else(|| {
                if all {
                    Text::new("以下全部满足", "all of the following")
                } else {
                    Text::new("以下任一满足", "any of the following")
                }
            });
            CheckResult {
                id: c.id.clone(),
                name,
                section: c.section.clone(),
                kind: if all { CheckKind::AllOf } else { CheckKind::AnyOf },
                outcome,
                figure: None,
                value: None,
                threshold: None,
                explanation,
                note: c.note.clone(),
                children,
            }
        }
    }
}

fn names(checks: &[CheckResult], o: Outcome) -> (String, String) {
    let picked: Vec<&CheckResult> = checks.iter().filter(|c| c.outcome == o).collect();
    (
        picked.iter().map(|c| c.name.zh.as_str()).collect::<Vec<_>>().join("；"),
        picked.iter().map(|c| c.name.en.as_str()).collect::<Vec<_>>().join("; "),
    )
}

/// Checks an enterprise against a library: every criterion with its figure, threshold and explanation,
/// the designations on record, and the resulting status.
pub fn assess(profile: &Profile, library: &Library) -> Assessment {
    let checks: Vec<CheckResult> = library.criteria.iter().map(|c| run(c, profile)).collect();
    let outcome = combine(true, checks.iter().map(|c| c.outcome));
    let designations: Vec<Designation> =
        profile.designations.iter().filter(|d| d.library == library.def.id).cloned().collect();
    let mut chains: Vec<String> = designations.iter().filter_map(|d| d.chain.clone()).collect();
    chains.sort();
    chains.dedup();
    let designated = !designations.is_empty();
    let status = match library.membership {
        Membership::Designation if designated => Status::Member,
        Membership::Designation if !checks.is_empty() && outcome == Outcome::Passed => Status::Candidate,
        Membership::Criteria if outcome == Outcome::Passed => Status::Member,
        Membership::Ranking if outcome == Outcome::Passed => Status::Eligible,
        _ => Status::NotMember,
    };
    let (failed_zh, failed_en) = names(&checks, Outcome::Failed);
    let (nodata_zh, nodata_en) = names(&checks, Outcome::NoData);
    let (zh, en) = match (status, library.membership) {
        (Status::Member, Membership::Designation) => ("已认定入库", "designated"),
        (Status::Member, _) => ("符合全部条件，在库", "meets every criterion: a member"),
        (Status::Candidate, _) => {
            ("符合全部可核验条件，尚未认定，可申报", "meets every checkable criterion, not designated: may apply")
        }
        (Status::Eligible, _) => ("符合入围条件，是否入库由排名决定", "eligible: the ranking decides"),
        (Status::NotMember, Membership::Designation) if checks.is_empty() => ("未认定入库", "not designated"),
        (Status::NotMember, _) => ("不符合条件", "does not meet the criteria"),
    };
    let (mut zh, mut en) = (zh.to_string(), en.to_string());
    if !failed_zh.is_empty() {
        zh.push_str(&format!("；未达标：{failed_zh}"));
        en.push_str(&format!("; failed: {failed_en}"));
    }
    if !nodata_zh.is_empty() {
        zh.push_str(&format!("；无数据：{nodata_zh}"));
        en.push_str(&format!("; no data: {nodata_en}"));
    }
    Assessment {
        library: library.def.id.clone(),
        enterprise: profile.enterprise.clone(),
        status,
        outcome,
        checks,
        designations,
        chains,
        unassessed: library.def.unassessed.clone(),
        summary: Text::new(zh, en),
    }
}

/// How many assessments are members (a library's count, for a count indicator).
pub fn count_members(assessments: &[Assessment]) -> usize {
    assessments.iter().filter(|a| a.status == Status::Member).count()
}

/// Members per chain of a per-chain library (an enterprise designated on two chains counts on both).
pub fn count_by_chain(assessments: &[Assessment]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for a in assessments.iter().filter(|a| a.status == Status::Member) {
        for c in &a.chains {
            *out.entry(c.clone()).or_insert(0) += 1;
        }
    }
    out
}

/// One figure's part in a ranked enterprise's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankItem {
    pub figure: String,
    /// The figure as reported or computed; None = no data, which scores 0 points.
    pub value: Option<f64>,
    /// 0 (worst among the eligible) to 1 (best).
    pub normalised: Option<f64>,
    pub weight: f64,
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub enterprise: String,
    /// Position in the input.
    pub index: usize,
    /// 1 is best; equal scores share the better rank.
    pub rank: u32,
    /// 0 to 100.
    pub score: f64,
    pub selected: bool,
    pub items: Vec<RankItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankingResult {
    pub library: String,
    pub top_n: u32,
    /// The eligible enterprises, best first.
    pub ranked: Vec<Ranked>,
    /// Every profile's assessment in input order; after ranking the selected ones have status `Member` and
    /// the rest `NotMember`, with the rank in the summary.
    pub assessments: Vec<Assessment>,
    /// Whose weights these are.
    pub note: Text,
}

/// Ranks the enterprises that meet a ranked library's criteria. Each weighted figure is min-max
/// normalised over the eligible ones (after ln(1 + x) where `log` is set; reversed where lower is better;
/// 1 for all when they are equal), weighted, and scaled so the best possible score is 100. A missing
/// figure scores 0 for its part. Ties are broken by the enterprise key, then input order, and share the
/// rank; all those ranked within `top_n` are selected. None when the library has no ranking.
pub fn rank(profiles: &[Profile], library: &Library) -> Option<RankingResult> {
    let def = library.def.ranking.as_ref()?;
    let mut assessments: Vec<Assessment> = profiles.iter().map(|p| assess(p, library)).collect();
    let eligible: Vec<usize> = (0..profiles.len()).filter(|&i| assessments[i].status == Status::Eligible).collect();
    let total_weight: f64 = library.weights.iter().map(|w| w.weight).sum();
    // Raw and transformed values, one row per eligible enterprise.
    let values: Vec<Vec<(Option<f64>, Option<f64>)>> = eligible
        .iter()
        .map(|&i| {
            library
                .weights
                .iter()
                .map(|w| {
                    let raw = match lookup(&profiles[i], w.figure).value {
                        Some(Figure::Number(x)) => Some(x),
                        _ => None,
                    };
                    let t = raw.and_then(|x| if w.log { (x >= 0.0).then(|| x.ln_1p()) } else { Some(x) });
                    (raw, t)
                })
                .collect()
        })
        .collect();
    let ranges: Vec<Option<(f64, f64)>> = (0..library.weights.len())
        .map(|k| {
            values.iter().filter_map(|row| row.get(k).and_then(|v| v.1)).fold(None, |acc, x| match acc {
                None => Some((x, x)),
                Some((lo, hi)) => Some((f64::min(lo, x), f64::max(hi, x))),
            })
        })
        .collect();
    let mut ranked: Vec<Ranked> = eligible
        .iter()
        .zip(&values)
        .map(|(&i, row)| {
            let items: Vec<RankItem> = library
                .weights
                .iter()
                .zip(row)
                .zip(&ranges)
                .map(|((w, &(raw, t)), range)| {
                    let normalised = match (t, range) {
                        (Some(x), Some((lo, hi))) => Some(if hi > lo {
                            // Halved first so that hi − lo cannot overflow for figures near f64::MAX.
                            let n = ((x / 2.0 - lo / 2.0) / (hi / 2.0 - lo / 2.0)).clamp(0.0, 1.0);
                            if w.lower_is_better { 1.0 - n } else { n }
                        } else {
                            1.0
                        }),
                        _ => None,
                    };
                    let points = normalised.map_or(0.0, |n| n * w.weight / total_weight * 100.0);
                    RankItem { figure: w.figure.name.to_string(), value: raw, normalised, weight: w.weight, points }
                })
                .collect();
            let score = items.iter().map(|x| x.points).sum();
            Ranked { enterprise: profiles[i].enterprise.clone(), index: i, rank: 0, score, selected: false, items }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score.total_cmp(&a.score).then_with(|| a.enterprise.cmp(&b.enterprise)).then(a.index.cmp(&b.index))
    });
    // Equal scores share the better rank (SQL RANK()).
    for pos in 0..ranked.len() {
        ranked[pos].rank = if pos > 0 && ranked[pos].score == ranked[pos - 1].score {
            ranked[pos - 1].rank
        } else {
            u32::try_from(pos + 1).unwrap_or(u32::MAX)
        };
    }
    for r in &mut ranked {
        r.selected = r.rank <= def.top_n;
        if let Some(a) = assessments.get_mut(r.index) {
            let (zh, en) = if r.selected {
                a.status = Status::Member;
                (
                    format!("排名第{}（得分 {}），入选前{}", r.rank, fmt_num(r.score), def.top_n),
                    format!("ranked {} (score {}), within the top {}", r.rank, fmt_num(r.score), def.top_n),
                )
            } else {
                a.status = Status::NotMember;
                (
                    format!("排名第{}（得分 {}），未进入前{}", r.rank, fmt_num(r.score), def.top_n),
                    format!("ranked {} (score {}), outside the top {}", r.rank, fmt_num(r.score), def.top_n),
                )
            };
            a.summary = Text::new(zh, en);
        }
    }
    Some(RankingResult {
        library: library.def.id.clone(),
        top_n: def.top_n,
        ranked,
        assessments,
        note: def.note.clone(),
    })
}

/// R&D intensity of a set of enterprises, Σ R&D ÷ Σ revenue × 100, with what went into it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RdIntensity {
    /// Percent; None when no revenue was counted.
    pub percent: Option<f64>,
    pub rd_total: f64,
    pub revenue_total: f64,
    /// Members counted.
    pub used: usize,
    /// Members left out because a figure was negative or not a finite number.
    pub skipped: usize,
}

/// Σ R&D ÷ Σ revenue × 100 over `(rd, revenue)` pairs in the same unit. A pair with a negative or
/// non-finite figure is left out and counted in `skipped`.
pub fn rd_intensity(members: &[(f64, f64)]) -> RdIntensity {
    let mut r = RdIntensity { percent: None, rd_total: 0.0, revenue_total: 0.0, used: 0, skipped: 0 };
    for &(rd, revenue) in members {
        if rd.is_finite() && revenue.is_finite() && rd >= 0.0 && revenue >= 0.0 {
            r.rd_total += rd;
            r.revenue_total += revenue;
            r.used += 1;
        } else {
            r.skipped += 1;
        }
    }
    r.percent = (r.revenue_total > 0.0).then(|| tidy(r.rd_total * 100.0 / r.revenue_total)).filter(|p| p.is_finite());
    r
}

/// The plan's indicator 重点龙头骨干企业研发投入强度 (target "超过6%"): Σ R&D ÷ Σ revenue × 100 over the
/// backbone directory's members. See [`rd_intensity`] for what is left out.
pub fn backbone_rd_intensity(members: &[(f64, f64)]) -> Option<f64> {
    rd_intensity(members).percent
}
