//! 补链 gap analysis: per node of the chain vocabulary, the firms the province has on it (by city), their
//! share of the chain's revenue and output, backbone and library members, projects under way and bases; a
//! strength score; the gaps found, each with the rule that found it; and from the gaps two lists — the
//! investment-attraction list (招商清单) and the technology list (gaps to be closed by research, not by
//! attracting a firm). Pure: the facts come in, the analysis goes out. Rules: docs/chains.md.

use std::collections::BTreeMap;

use jiqun_domain::CityCode;
use jiqun_domain::chains::{FirmRole, Segment, Tier, Vocabulary};
use jiqun_domain::datafile::{FieldError, Text};
use jiqun_domain::uscc::Uscc;
use serde::{Deserialize, Serialize};

use crate::definition::fmt_num;

/// One firm on one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirmFact {
    pub uscc: Uscc,
    pub city: CityCode,
    /// A node id of the vocabulary.
    pub node: String,
    pub role: FirmRole,
    /// The firm's revenue on this node, 万元 (a firm on several nodes has its figure split among them).
    pub revenue_wan: Option<f64>,
    /// The firm's output value on this node, 万元.
    pub output_wan: Option<f64>,
    pub is_backbone: bool,
    /// A member of any cultivation library (小巨人, 单项冠军, …).
    pub in_library: bool,
}

/// Whether a node depends on supply from outside the province, and where that is said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dependency {
    pub node: String,
    pub outside: bool,
    /// The document or survey that says so.
    pub source: String,
}

/// Everything known about the province's chains.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Facts {
    pub firms: Vec<FirmFact>,
    /// Projects under way (signed to building) per node id.
    pub projects: BTreeMap<String, u32>,
    /// Recognised bases and platforms per node id.
    pub bases: BTreeMap<String, u32>,
    pub dependencies: Vec<Dependency>,
}

/// The most `full_firm_count` may be: more firms on one node than a province has.
pub const MAX_FULL_FIRM_COUNT: u32 = 100_000;

/// What the plan owner sets; a missing field takes its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
#[schema(as = ChainSettings)]
pub struct Settings {
    /// A node with firms whose strength is below this (0–100) has a `below_threshold` gap.
    #[schema(minimum = 0, maximum = 100)]
    pub strength_threshold: f64,
    /// The number of firms that earns the whole firm part of the strength (1 to 100,000).
    #[schema(minimum = 1, maximum = 100000)]
    pub full_firm_count: u32,
    /// Segments whose missing or outside-supplied nodes need research rather than investment.
    pub research_segments: Vec<Segment>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            strength_threshold: 60.0,
            full_firm_count: 5,
            research_segments: vec![
                Segment::ChipsAndComponents,
                Segment::DesignSoftware,
                Segment::OperatingSystems,
                Segment::BasicProcesses,
            ],
        }
    }
}

impl Settings {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !(self.strength_threshold.is_finite() && (0.0..=100.0).contains(&self.strength_threshold)) {
            errors.push(FieldError::new(
                "strength_threshold",
                "强度阈值应在 0 至 100 之间",
                "the strength threshold must be between 0 and 100",
            ));
        }
        if !(1..=MAX_FULL_FIRM_COUNT).contains(&self.full_firm_count) {
            errors.push(FieldError::new(
                "full_firm_count",
                "满分企业数应在 1 至 100000 之间",
                "the number of firms that make a node whole must be between 1 and 100000",
            ));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// The strength's three parts and their most points.
pub const FIRM_POINTS: f64 = 40.0;
pub const BACKBONE_POINTS: f64 = 30.0;
pub const OUTPUT_POINTS: f64 = 30.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ChainStrengthPart)]
pub enum StrengthPart {
    Firms,
    Backbone,
    Output,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = ChainStrengthItem)]
pub struct StrengthItem {
    pub part: StrengthPart,
    pub points: f64,
    pub max: f64,
    pub reason: Text,
}

/// 0–100, the sum of its parts (each shown with its reason).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = ChainStrength)]
pub struct Strength {
    pub score: f64,
    pub parts: Vec<StrengthItem>,
}

/// The rule that found a gap.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[schema(as = ChainGapRule)]
pub enum GapRule {
    /// No firm in the province on the node.
    NoFirm,
    /// One firm only: a single point of failure.
    SingleFirm,
    /// Firms there are, but the node's strength is below the plan owner's threshold.
    BelowThreshold { strength: f64, threshold: f64 },
    /// The node depends on supply from outside the province, as the source says.
    OutsideDependency { source: String },
}

jiqun_domain::labelled_enum! {
    /// The kind of a gap rule without its figures: how a gap is named where only its kind matters (the gap
    /// an open challenge answers).
    pub enum GapKind {
        NoFirm = "no_firm", "无企业", "no firm";
        SingleFirm = "single_firm", "仅一家企业", "a single firm";
        OutsideDependency = "outside_dependency", "依赖省外供给", "supplied from outside the province";
        BelowThreshold = "below_threshold", "强度低于阈值", "strength below the threshold";
    }
}

impl GapRule {
    pub fn kind(&self) -> GapKind {
        match self {
            GapRule::NoFirm => GapKind::NoFirm,
            GapRule::SingleFirm => GapKind::SingleFirm,
            GapRule::OutsideDependency { .. } => GapKind::OutsideDependency,
            GapRule::BelowThreshold { .. } => GapKind::BelowThreshold,
        }
    }

    /// How severe, for the attraction list: no firm 4, single firm 3, outside dependency 2, below threshold 1.
    pub fn severity(&self) -> u8 {
        match self {
            GapRule::NoFirm => 4,
            GapRule::SingleFirm => 3,
            GapRule::OutsideDependency { .. } => 2,
            GapRule::BelowThreshold { .. } => 1,
        }
    }

    pub fn label(&self) -> Text {
        let k = self.kind();
        Text::new(k.label(jiqun_domain::Lang::Zh), k.label(jiqun_domain::Lang::En))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = ChainGap)]
pub struct Gap {
    #[serde(flatten)]
    pub rule: GapRule,
    pub explanation: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ChainCityFirms)]
pub struct CityFirms {
    pub city: CityCode,
    pub firms: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ChainRoleFirms)]
pub struct RoleFirms {
    pub role: FirmRole,
    pub firms: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = ChainNodeReport)]
pub struct NodeReport {
    pub chain: String,
    pub node: String,
    pub name: Text,
    pub tier: Tier,
    pub segment: Segment,
    pub firms: usize,
    pub firms_by_city: Vec<CityFirms>,
    pub firms_by_role: Vec<RoleFirms>,
    /// Sum of the known figures, 万元.
    pub revenue_wan: f64,
    /// The node's revenue over the chain's (sum over the chain's nodes); `None` when the chain has none.
    pub revenue_share: Option<f64>,
    pub output_wan: f64,
    pub output_share: Option<f64>,
    /// Firms whose output is not known (their output counts as nothing).
    pub firms_without_output: usize,
    pub backbone: usize,
    pub in_library: usize,
    pub projects: u32,
    pub bases: u32,
    pub strength: Strength,
    pub gaps: Vec<Gap>,
}

/// A node on one of the two lists, with the gaps that put it there and why it ranks where it does.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = ChainListEntry)]
pub struct ListEntry {
    pub rank: usize,
    pub chain: String,
    pub node: String,
    pub name: Text,
    pub gaps: Vec<Gap>,
    pub reasons: Vec<Text>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = ChainAnalysis)]
pub struct Analysis {
    pub settings: Settings,
    pub nodes: Vec<NodeReport>,
    /// 招商清单.
    pub attraction_list: Vec<ListEntry>,
    /// How the attraction list is made and ordered.
    pub attraction_rule: Text,
    /// 技术攻关清单.
    pub technology_list: Vec<ListEntry>,
    pub technology_rule: Text,
}

impl Analysis {
    pub fn node(&self, id: &str) -> Option<&NodeReport> {
        self.nodes.iter().find(|n| n.node == id)
    }
}

fn round2(v: f64) -> f64 {
    // `+ 0.0` turns a negative zero (a sum of nothing) into zero, which is how it should be written.
    if v.is_finite() { (v * 100.0).round() / 100.0 + 0.0 } else { v }
}

fn check_facts(v: &Vocabulary, facts: &Facts) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    let known = |id: &str, path: String, errors: &mut Vec<FieldError>| {
        if v.node(id).is_none() {
            errors.push(FieldError::new(
                path,
                format!("“{id}”不是产业链词表中的环节"),
                format!("\"{id}\" is not a node of the chain vocabulary"),
            ));
        }
    };
    let mut seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (i, f) in facts.firms.iter().enumerate() {
        known(&f.node, format!("firms[{i}].node"), &mut errors);
        if let Some(first) = seen.insert((f.uscc.as_str(), f.node.as_str()), i) {
            errors.push(FieldError::new(
                format!("firms[{i}]"),
                format!("企业 {} 在环节 {} 上与 firms[{first}] 重复", f.uscc, f.node),
                format!("firm {} on node {} repeats firms[{first}]", f.uscc, f.node),
            ));
        }
        for (field, value) in [("revenue_wan", f.revenue_wan), ("output_wan", f.output_wan)] {
            if let Some(x) = value
                && !(x.is_finite() && x >= 0.0)
            {
                errors.push(FieldError::new(
                    format!("firms[{i}].{field}"),
                    "应为非负数（万元）",
                    "must be a non-negative number (万元)",
                ));
            }
        }
    }
    for id in facts.projects.keys() {
        known(id, format!("projects.{id}"), &mut errors);
    }
    for id in facts.bases.keys() {
        known(id, format!("bases.{id}"), &mut errors);
    }
    let mut dep_seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, d) in facts.dependencies.iter().enumerate() {
        known(&d.node, format!("dependencies[{i}].node"), &mut errors);
        if let Some(first) = dep_seen.insert(d.node.as_str(), i) {
            errors.push(FieldError::new(
                format!("dependencies[{i}].node"),
                format!("环节 {} 与 dependencies[{first}] 重复", d.node),
                format!("node {} repeats dependencies[{first}]", d.node),
            ));
        }
        if d.outside && d.source.trim().is_empty() {
            errors.push(FieldError::new(
                format!("dependencies[{i}].source"),
                "依赖省外供给须注明出处",
                "an outside dependency needs its source",
            ));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// The analysis of every node of the vocabulary, in the vocabulary's order.
pub fn analyse(v: &Vocabulary, facts: &Facts, settings: &Settings) -> Result<Analysis, Vec<FieldError>> {
    let mut errors = settings.validate().err().unwrap_or_default();
    if let Err(e) = check_facts(v, facts) {
        errors.extend(e);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut nodes = Vec::new();
    for chain in &v.chains {
        let chain_total = |get: fn(&FirmFact) -> Option<f64>| -> f64 {
            chain.nodes.iter().flat_map(|n| on(facts, &n.id)).filter_map(get).sum()
        };
        let chain_revenue = chain_total(|f| f.revenue_wan);
        let chain_output = chain_total(|f| f.output_wan);
        let even_share = 1.0 / chain.nodes.len().max(1) as f64;
        for node in &chain.nodes {
            let firms: Vec<&FirmFact> = on(facts, &node.id).collect();
            let n = firms.len();
            let mut by_city: BTreeMap<CityCode, usize> = BTreeMap::new();
            let mut by_role: BTreeMap<FirmRole, usize> = BTreeMap::new();
            for f in &firms {
                *by_city.entry(f.city).or_default() += 1;
                *by_role.entry(f.role).or_default() += 1;
            }
            let revenue: f64 = firms.iter().filter_map(|f| f.revenue_wan).sum();
            let output: f64 = firms.iter().filter_map(|f| f.output_wan).sum();
            let share =
                |x: f64, total: f64| (total > 0.0 && total.is_finite()).then(|| round2(x / total * 100.0) / 100.0);
            let revenue_share = share(revenue, chain_revenue);
            let output_share = share(output, chain_output);
            let backbone = firms.iter().filter(|f| f.is_backbone).count();
            let in_library = firms.iter().filter(|f| f.in_library).count();
            let strength = strength(n, backbone, in_library, output_share, even_share, settings);
            let dependency = facts.dependencies.iter().find(|d| d.node == node.id && d.outside);
            let gaps = gaps(n, &strength, dependency, settings);
            nodes.push(NodeReport {
                chain: chain.id.clone(),
                node: node.id.clone(),
                name: Text::new(&node.name_zh, &node.name_en),
                tier: node.tier,
                segment: node.segment,
                firms: n,
                firms_by_city: by_city.into_iter().map(|(city, firms)| CityFirms { city, firms }).collect(),
                firms_by_role: by_role.into_iter().map(|(role, firms)| RoleFirms { role, firms }).collect(),
                revenue_wan: round2(revenue),
                revenue_share,
                output_wan: round2(output),
                output_share,
                firms_without_output: firms.iter().filter(|f| f.output_wan.is_none()).count(),
                backbone,
                in_library,
                projects: facts.projects.get(&node.id).copied().unwrap_or(0),
                bases: facts.bases.get(&node.id).copied().unwrap_or(0),
                strength,
                gaps,
            });
        }
    }
    let (attraction_list, technology_list) = lists(&nodes, settings);
    let research: Vec<&str> = settings.research_segments.iter().map(|s| s.label(jiqun_domain::Lang::Zh)).collect();
    let research_en: Vec<&str> = settings.research_segments.iter().map(|s| s.label(jiqun_domain::Lang::En)).collect();
    Ok(Analysis {
        settings: settings.clone(),
        nodes,
        attraction_list,
        attraction_rule: Text::new(
            "招商清单列出有缺口的环节（技术攻关清单收走的缺口除外）。排序依次按：最严重缺口的档次（无企业 > 仅一家 > 依赖省外 > 强度低于阈值）；没有在建项目的在前；强度低的在前；缺口多的在前；仍相同则按词表中链和环节的顺序。",
            "The attraction list holds the nodes with gaps (except the gaps the technology list takes). Order: the most severe gap (no firm > single firm > outside dependency > below threshold); nodes with no project under way first; lower strength first; more gaps first; then the vocabulary's order of chains and nodes.",
        ),
        technology_list,
        technology_rule: Text::new(
            format!(
                "技术攻关清单：环节属于{}，且无企业或依赖省外供给——这类缺口靠研发攻关补，不靠招商。排序：无企业在前，其次依赖省外；强度低的在前；再按词表顺序。",
                research.join("、")
            ),
            format!(
                "The technology list: nodes of the segments {} that have no firm or depend on supply from outside the province — gaps closed by research rather than by attracting a firm. Order: no firm before outside dependency; lower strength first; then the vocabulary's order.",
                research_en.join(", ")
            ),
        ),
    })
}

fn on<'a>(facts: &'a Facts, node: &'a str) -> impl Iterator<Item = &'a FirmFact> {
    facts.firms.iter().filter(move |f| f.node == node)
}

fn strength(
    n: usize,
    backbone: usize,
    in_library: usize,
    output_share: Option<f64>,
    even_share: f64,
    s: &Settings,
) -> Strength {
    let full = s.full_firm_count.max(1);
    let firm_points = round2(FIRM_POINTS * (n.min(full as usize) as f64) / f64::from(full));
    let firms = StrengthItem {
        part: StrengthPart::Firms,
        points: firm_points,
        max: FIRM_POINTS,
        reason: Text::new(
            format!("{n} 家企业（{full} 家及以上得满分 {}）", fmt_num(FIRM_POINTS)),
            format!("{n} firm(s) ({full} or more earn the full {})", fmt_num(FIRM_POINTS)),
        ),
    };
    let (bb_points, bb_zh, bb_en) = if backbone > 0 {
        (BACKBONE_POINTS, format!("有 {backbone} 家骨干企业"), format!("{backbone} backbone firm(s)"))
    } else if in_library > 0 {
        (
            BACKBONE_POINTS / 2.0,
            format!("无骨干企业，有 {in_library} 家入库企业（得一半）"),
            format!("no backbone firm; {in_library} library member(s) (half the points)"),
        )
    } else {
        (0.0, "无骨干企业，也无入库企业".to_string(), "no backbone firm and no library member".to_string())
    };
    let backbone = StrengthItem {
        part: StrengthPart::Backbone,
        points: bb_points,
        max: BACKBONE_POINTS,
        reason: Text::new(bb_zh, bb_en),
    };
    let even_pct = fmt_num(even_share * 100.0);
    let output = match output_share {
        Some(share) => {
            let points = round2(OUTPUT_POINTS * (share / even_share).min(1.0));
            StrengthItem {
                part: StrengthPart::Output,
                points,
                max: OUTPUT_POINTS,
                reason: Text::new(
                    format!("产值占本链 {}%（达到平均份额 {even_pct}% 得满分）", fmt_num(share * 100.0)),
                    format!(
                        "{}% of the chain's output (the even share, {even_pct}%, earns the full points)",
                        fmt_num(share * 100.0)
                    ),
                ),
            }
        }
        None => StrengthItem {
            part: StrengthPart::Output,
            points: 0.0,
            max: OUTPUT_POINTS,
            reason: Text::new("本链没有产值数据", "no output figures for the chain"),
        },
    };
    let score = round2(firms.points + backbone.points + output.points);
    Strength { score, parts: vec![firms, backbone, output] }
}

fn gaps(n: usize, strength: &Strength, dependency: Option<&Dependency>, s: &Settings) -> Vec<Gap> {
    let mut out = Vec::new();
    match n {
        0 => out.push(Gap {
            rule: GapRule::NoFirm,
            explanation: Text::new("省内没有企业在这一环节", "no firm in the province is on this node"),
        }),
        1 => out.push(Gap {
            rule: GapRule::SingleFirm,
            explanation: Text::new(
                "省内仅一家企业在这一环节：一旦停产即断链",
                "a single firm in the province is on this node: a single point of failure",
            ),
        }),
        _ => {}
    }
    if n > 0 && strength.score < s.strength_threshold {
        let (st, th) = (fmt_num(strength.score), fmt_num(s.strength_threshold));
        out.push(Gap {
            rule: GapRule::BelowThreshold { strength: strength.score, threshold: s.strength_threshold },
            explanation: Text::new(
                format!("强度 {st} 低于计划管理方设定的阈值 {th}"),
                format!("strength {st} is below the threshold of {th} the plan owner set"),
            ),
        });
    }
    if let Some(d) = dependency {
        out.push(Gap {
            rule: GapRule::OutsideDependency { source: d.source.clone() },
            explanation: Text::new(
                format!("依赖省外供给（出处：{}）", d.source),
                format!("depends on supply from outside the province (source: {})", d.source),
            ),
        });
    }
    out
}

/// Whether a gap of this node goes to the technology list.
fn is_research(node: &NodeReport, gap: &Gap, s: &Settings) -> bool {
    s.research_segments.contains(&node.segment)
        && matches!(gap.rule, GapRule::NoFirm | GapRule::OutsideDependency { .. })
}

fn lists(nodes: &[NodeReport], s: &Settings) -> (Vec<ListEntry>, Vec<ListEntry>) {
    // (position in the vocabulary, the node, its gaps on the list)
    let mut attraction: Vec<(usize, &NodeReport, Vec<Gap>)> = Vec::new();
    let mut technology: Vec<(usize, &NodeReport, Vec<Gap>)> = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let (tech, inv): (Vec<Gap>, Vec<Gap>) = n.gaps.iter().cloned().partition(|g| is_research(n, g, s));
        if !inv.is_empty() {
            attraction.push((i, n, inv));
        }
        if !tech.is_empty() {
            technology.push((i, n, tech));
        }
    }
    let severity = |gaps: &[Gap]| gaps.iter().map(|g| g.rule.severity()).max().unwrap_or(0);
    // Keys, in order of precedence; strength compares as hundredths (it is rounded to two decimals).
    type Key = (std::cmp::Reverse<u8>, bool, i64, std::cmp::Reverse<usize>, usize);
    // The technology list does not look at projects (a project does not close a research gap).
    let key = |(i, n, g): &(usize, &NodeReport, Vec<Gap>), technology: bool| -> Key {
        let strength = (n.strength.score * 100.0).round() as i64;
        (std::cmp::Reverse(severity(g)), !technology && n.projects > 0, strength, std::cmp::Reverse(g.len()), *i)
    };
    attraction.sort_by_key(|x| key(x, false));
    technology.sort_by_key(|x| key(x, true));
    let entries = |list: Vec<(usize, &NodeReport, Vec<Gap>)>, technology: bool| -> Vec<ListEntry> {
        let mut out: Vec<ListEntry> = Vec::new();
        let mut previous: Option<Key> = None;
        for (rank, item) in list.iter().enumerate() {
            let k = key(item, technology);
            let (_, n, g) = item;
            let worst = g.iter().max_by_key(|g| g.rule.severity()).map(|g| g.rule.label()).unwrap_or_default();
            let mut reasons =
                vec![Text::new(format!("最严重的缺口：{}", worst.zh), format!("most severe gap: {}", worst.en))];
            if !technology {
                reasons.push(if n.projects == 0 {
                    Text::new("没有在建项目", "no project under way")
                } else {
                    Text::new(
                        format!("已有 {} 个在建项目，排在同档无项目的环节之后", n.projects),
                        format!(
                            "{} project(s) under way: ranked after the nodes of the same gap with none",
                            n.projects
                        ),
                    )
                });
            }
            reasons.push(Text::new(
                format!("强度 {}", fmt_num(n.strength.score)),
                format!("strength {}", fmt_num(n.strength.score)),
            ));
            reasons
                .push(Text::new(format!("本清单上的缺口 {} 个", g.len()), format!("{} gap(s) on this list", g.len())));
            if previous.is_some_and(|p| (p.0, p.1, p.2, p.3) == (k.0, k.1, k.2, k.3)) {
                reasons.push(Text::new(
                    "与上一名各项相同，按词表中链与环节的顺序排在其后",
                    "equal to the one above on every count: placed after it in the vocabulary's order",
                ));
            }
            previous = Some(k);
            out.push(ListEntry {
                rank: rank + 1,
                chain: n.chain.clone(),
                node: n.node.clone(),
                name: n.name.clone(),
                gaps: g.clone(),
                reasons,
            });
        }
        out
    };
    (entries(attraction, false), entries(technology, true))
}
