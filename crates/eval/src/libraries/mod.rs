//! Cultivation libraries (培育库): the backbone directory per chain, the AI top-100, 专精特新 SMEs,
//! "little giants", single champions, unicorns. Each library is data (JSON under `data/libraries/`): its
//! source and confidence, its criteria as checks over named figures (see [`figures::FIGURES`]), and for
//! the top-100 a weighted ranking. [`assess`] shows every check passed, failed or "no data" with the
//! figure and the threshold; missing data never passes. [`rank`] orders the eligible enterprises.

mod assess;
pub mod figures;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::definition::{FieldError, Source, Text, check_heading, check_id, check_text, parse_json};
pub use assess::{
    Assessment, CheckKind, CheckResult, Outcome, RankItem, Ranked, RankingResult, RdIntensity, Status, Threshold,
    assess, backbone_rd_intensity, count_by_chain, count_members, rank, rd_intensity,
};
use figures::{FigureInfo, Kind};

/// A figure's value: a number (in the unit [`figures::FIGURES`] gives) or yes/no.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Figure {
    Number(f64),
    Bool(bool),
}

/// That an enterprise was designated into a library by the authority (e.g. a backbone directory notice).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Designation {
    pub library: String,
    /// For a per-chain library, the chain's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    /// The notice or list it was published in, e.g. a document number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// One enterprise's figures for one assessment. Figures may be missing; a missing figure is "no data".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The enterprise's key in results (its USCC, or a name).
    pub enterprise: String,
    /// A `null` in JSON is read as a missing figure.
    #[serde(default, deserialize_with = "figures_without_nulls")]
    pub figures: BTreeMap<String, Figure>,
    #[serde(default)]
    pub designations: Vec<Designation>,
}

fn figures_without_nulls<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Figure>, D::Error> {
    let m: BTreeMap<String, Option<Figure>> = BTreeMap::deserialize(d)?;
    Ok(m.into_iter().filter_map(|(k, v)| Some((k, v?))).collect())
}

impl Profile {
    pub fn new(enterprise: impl Into<String>) -> Profile {
        Profile { enterprise: enterprise.into(), ..Profile::default() }
    }

    pub fn with(mut self, name: &str, v: f64) -> Profile {
        self.figures.insert(name.to_string(), Figure::Number(v));
        self
    }

    pub fn with_flag(mut self, name: &str, v: bool) -> Profile {
        self.figures.insert(name.to_string(), Figure::Bool(v));
        self
    }

    pub fn designated(mut self, library: &str, chain: Option<&str>) -> Profile {
        self.designations.push(Designation {
            library: library.to_string(),
            chain: chain.map(str::to_string),
            reference: None,
        });
        self
    }

    /// Figure names this profile carries that no library can use (likely typos), for the input form to show.
    pub fn unknown_figures(&self) -> Vec<&str> {
        self.figures.keys().map(String::as_str).filter(|k| figures::info(k).is_none()).collect()
    }
}

/// A criterion as written in a definition file: either a check over one figure (`figure` with `op` and
/// `value`, or `min` and `max` for `between`) or a group (`all_of` or `any_of`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionDef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// The heading it falls under (专 / 精 / 特 / 新 …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub figure: Option<String>,
    /// `>=`, `<=`, `>`, `<`, `between` (inclusive) or `is` (yes/no).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_of: Option<Vec<CriterionDef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any_of: Option<Vec<CriterionDef>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainDef {
    pub id: String,
    pub name: Text,
}

/// One figure's part in a ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = LibraryRankingWeight)]
pub struct WeightDef {
    /// A registry figure's key (`revenue_wan` …).
    pub figure: String,
    /// Relative weight (> 0); the weights need not add up to anything, the score is out of 100.
    #[schema(exclusive_minimum = 0)]
    pub weight: f64,
    #[serde(default)]
    pub lower_is_better: bool,
    /// Normalise ln(1 + x) instead of x, so one giant does not flatten everyone else (x must be ≥ 0).
    #[serde(default)]
    pub log: bool,
}

/// A ranking library's weights and the number selected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = LibraryRankingDef)]
pub struct RankingDef {
    /// How many are selected (100 for the top-100). Ties at the cut are all selected.
    #[schema(minimum = 1)]
    pub top_n: u32,
    /// At least one.
    #[schema(min_items = 1)]
    pub weights: Vec<WeightDef>,
    /// Whose weights these are (official, or Jiqun's example).
    pub note: Text,
}

/// A library as written in its definition file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryDef {
    pub id: String,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    pub source: Source,
    /// `designation`: an enterprise is in the library when the authority designates it, the criteria (if
    /// any) only screen candidates; `criteria`: in when it meets every criterion; `ranking`: eligible when it
    /// meets the criteria, in when ranked within the top N.
    pub membership: String,
    /// For a library kept per industrial chain (the backbone directory).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chains: Vec<ChainDef>,
    #[serde(default)]
    pub criteria: Vec<CriterionDef>,
    /// Requirements of the official text that Jiqun does not check (qualitative, or not seen in full).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unassessed: Vec<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranking: Option<RankingDef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Membership {
    Designation,
    Criteria,
    Ranking,
}

impl Membership {
    pub fn as_str(self) -> &'static str {
        match self {
            Membership::Designation => "designation",
            Membership::Criteria => "criteria",
            Membership::Ranking => "ranking",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Test {
    Ge(f64),
    Le(f64),
    Gt(f64),
    Lt(f64),
    Between(f64, f64),
    Is(bool),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Rule {
    Check(&'static FigureInfo, Test),
    All(Vec<Criterion>),
    Any(Vec<Criterion>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Criterion {
    pub id: String,
    pub name: Option<Text>,
    pub section: Option<Text>,
    pub note: Option<Text>,
    pub rule: Rule,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Weight {
    pub figure: &'static FigureInfo,
    pub weight: f64,
    pub lower_is_better: bool,
    pub log: bool,
}

/// A validated library: only [`Library::from_json`] and [`Library::from_def`] make one.
#[derive(Debug, Clone, PartialEq)]
pub struct Library {
    def: LibraryDef,
    membership: Membership,
    criteria: Vec<Criterion>,
    weights: Vec<Weight>,
}

/// Groups nest at most this deep.
const MAX_DEPTH: usize = 8;

impl Library {
    pub fn from_json(text: &str) -> Result<Library, Vec<FieldError>> {
        Library::from_def(parse_json(text)?)
    }

    /// Checks a definition. Every problem is reported, each naming its field.
    pub fn from_def(def: LibraryDef) -> Result<Library, Vec<FieldError>> {
        let mut errors = Vec::new();
        check_heading(&def.id, &def.name, def.description.as_ref(), &mut errors);
        def.source.validate("source", &mut errors);
        let membership = match def.membership.as_str() {
            "designation" => Some(Membership::Designation),
            "criteria" => Some(Membership::Criteria),
            "ranking" => Some(Membership::Ranking),
            other => {
                errors.push(FieldError::new(
                    "membership",
                    format!("入库方式“{other}”无效，应为 designation（认定）、criteria（按条件）或 ranking（按排名）"),
                    format!("unknown membership \"{other}\": use designation, criteria or ranking"),
                ));
                None
            }
        };
        let mut seen = BTreeSet::new();
        for (i, c) in def.chains.iter().enumerate() {
            check_id(&c.id, &format!("chains[{i}].id"), &mut errors);
            check_text(&c.name, &format!("chains[{i}].name"), &mut errors);
            if !seen.insert(c.id.as_str()) {
                errors.push(dup(&format!("chains[{i}].id"), &c.id));
            }
        }
        let mut ids = BTreeSet::new();
        let criteria = compile_all(&def.criteria, "criteria", 1, &mut ids, &mut errors);
        for (i, t) in def.unassessed.iter().enumerate() {
            check_text(t, &format!("unassessed[{i}]"), &mut errors);
        }
        let weights = match &def.ranking {
            Some(r) => compile_ranking(r, &mut errors),
            None => Vec::new(),
        };
        let m = membership;
        if m == Some(Membership::Criteria) && def.criteria.is_empty() {
            errors.push(FieldError::new(
                "criteria",
                "按条件入库的库至少要有一项条件",
                "a library whose membership is by criteria needs at least one criterion",
            ));
        }
        if m == Some(Membership::Ranking) && def.ranking.is_none() {
            errors.push(FieldError::new(
                "ranking",
                "按排名入库的库必须给出排名（top_n 和权重）",
                "a library whose membership is by ranking needs a ranking (top_n and weights)",
            ));
        }
        if m.is_some_and(|m| m != Membership::Ranking) && def.ranking.is_some() {
            errors.push(FieldError::new(
                "ranking",
                "只有按排名入库（membership = ranking）的库才能有排名",
                "only a library with membership = ranking can have a ranking",
            ));
        }
        if m.is_some_and(|m| m != Membership::Designation) && !def.chains.is_empty() {
            errors.push(FieldError::new(
                "chains",
                "分产业链的库只能按认定入库（membership = designation）",
                "a per-chain library must have membership = designation",
            ));
        }
        match (membership, errors.is_empty()) {
            (Some(membership), true) => Ok(Library { def, membership, criteria, weights }),
            _ => Err(errors),
        }
    }

    /// The same library ranked with other weights or another N (the top-100's weights are configurable).
    pub fn with_ranking(&self, ranking: RankingDef) -> Result<Library, Vec<FieldError>> {
        let mut def = self.def.clone();
        def.ranking = Some(ranking);
        Library::from_def(def)
    }

    pub fn def(&self) -> &LibraryDef {
        &self.def
    }

    pub fn id(&self) -> &str {
        &self.def.id
    }

    pub fn name(&self) -> &Text {
        &self.def.name
    }

    pub fn source(&self) -> &Source {
        &self.def.source
    }

    pub fn membership(&self) -> Membership {
        self.membership
    }

    pub fn chains(&self) -> &[ChainDef] {
        &self.def.chains
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.def).unwrap_or_default()
    }
}

fn dup(path: &str, id: &str) -> FieldError {
    FieldError::new(path, format!("标识“{id}”重复"), format!("duplicate id \"{id}\""))
}

fn compile_all(
    defs: &[CriterionDef],
    path: &str,
    depth: usize,
    ids: &mut BTreeSet<String>,
    errors: &mut Vec<FieldError>,
) -> Vec<Criterion> {
    defs.iter().enumerate().filter_map(|(i, c)| compile(c, &format!("{path}[{i}]"), depth, ids, errors)).collect()
}

fn compile(
    c: &CriterionDef,
    path: &str,
    depth: usize,
    ids: &mut BTreeSet<String>,
    errors: &mut Vec<FieldError>,
) -> Option<Criterion> {
    let before = errors.len();
    let err = |errors: &mut Vec<FieldError>, field: &str, zh: String, en: String| {
        errors.push(FieldError::new(format!("{path}.{field}"), zh, en));
    };
    check_id(&c.id, &format!("{path}.id"), errors);
    if !ids.insert(c.id.clone()) {
        errors.push(dup(&format!("{path}.id"), &c.id));
    }
    for (field, t) in [("name", &c.name), ("section", &c.section), ("note", &c.note)] {
        if let Some(t) = t {
            check_text(t, &format!("{path}.{field}"), errors);
        }
    }
    let is_group = c.all_of.is_some() || c.any_of.is_some();
    let has_check = c.figure.is_some() || c.op.is_some() || c.value.is_some() || c.min.is_some() || c.max.is_some();
    let rule = if is_group {
        if has_check {
            err(
                errors,
                "figure",
                "条件组（all_of / any_of）不能同时写 figure、op、value、min 或 max".into(),
                "a group (all_of / any_of) cannot also have figure, op, value, min or max".into(),
            );
        }
        if depth >= MAX_DEPTH {
            err(
                errors,
                "all_of",
                format!("条件组嵌套超过 {MAX_DEPTH} 层"),
                format!("groups are nested more than {MAX_DEPTH} deep"),
            );
            return None;
        }
        let (field, items, all) = match (&c.all_of, &c.any_of) {
            (Some(_), Some(_)) => {
                err(
                    errors,
                    "any_of",
                    "一个条件组只能是 all_of 或 any_of 之一".into(),
                    "a group is either all_of or any_of, not both".into(),
                );
                return None;
            }
            (Some(items), None) => ("all_of", items, true),
            (None, Some(items)) => ("any_of", items, false),
            (None, None) => return None,
        };
        if items.is_empty() {
            err(errors, field, "条件组不能为空".into(), "a group needs at least one item".into());
        }
        let sub = compile_all(items, &format!("{path}.{field}"), depth + 1, ids, errors);
        if all { Rule::All(sub) } else { Rule::Any(sub) }
    } else {
        let Some(name) = &c.figure else {
            err(
                errors,
                "figure",
                "缺少 figure（或 all_of / any_of 条件组）".into(),
                "figure is missing (or an all_of / any_of group)".into(),
            );
            return None;
        };
        let Some(f) = figures::info(name) else {
            err(
                errors,
                "figure",
                format!("未知指标“{name}”（可用指标见 figures::FIGURES）"),
                format!("unknown figure \"{name}\" (the known ones are in figures::FIGURES)"),
            );
            return None;
        };
        let op = c.op.as_deref().unwrap_or("");
        let number = |errors: &mut Vec<FieldError>| -> Option<f64> {
            match c.value.as_ref().and_then(serde_json::Value::as_f64) {
                Some(v) if v.is_finite() => Some(v),
                _ => {
                    err(
                        errors,
                        "value",
                        format!("“{op}”需要一个数值 value"),
                        format!("\"{op}\" needs a numeric value"),
                    );
                    None
                }
            }
        };
        let test = match (op, f.kind) {
            (">=" | "<=" | ">" | "<", Kind::Number) => {
                if c.min.is_some() || c.max.is_some() {
                    err(errors, "min", "min / max 只用于 between".into(), "min / max are for between only".into());
                }
                let v = number(errors)?;
                Some(match op {
                    ">=" => Test::Ge(v),
                    "<=" => Test::Le(v),
                    ">" => Test::Gt(v),
                    _ => Test::Lt(v),
                })
            }
            ("between", Kind::Number) => {
                if c.value.is_some() {
                    err(
                        errors,
                        "value",
                        "between 用 min 和 max，不用 value".into(),
                        "between takes min and max, not value".into(),
                    );
                }
                match (c.min, c.max) {
                    (Some(lo), Some(hi)) if lo.is_finite() && hi.is_finite() && lo <= hi => Some(Test::Between(lo, hi)),
                    (Some(lo), Some(hi)) if lo > hi => {
                        err(errors, "min", format!("min {lo} 大于 max {hi}"), format!("min {lo} is above max {hi}"));
                        None
                    }
                    _ => {
                        err(
                            errors,
                            "min",
                            "between 需要数值 min 和 max".into(),
                            "between needs numeric min and max".into(),
                        );
                        None
                    }
                }
            }
            ("is", Kind::Bool) => match c.value.as_ref().and_then(serde_json::Value::as_bool) {
                Some(b) => Some(Test::Is(b)),
                None => {
                    err(errors, "value", "“is”需要 true 或 false".into(), "\"is\" needs true or false".into());
                    None
                }
            },
            (">=" | "<=" | ">" | "<" | "between", Kind::Bool) => {
                err(
                    errors,
                    "op",
                    format!("“{name}”是是/否指标，只能用 is"),
                    format!("\"{name}\" is a yes/no figure: use is"),
                );
                None
            }
            ("is", Kind::Number) => {
                err(
                    errors,
                    "op",
                    format!("“{name}”是数值指标，不能用 is"),
                    format!("\"{name}\" is a number: is does not apply"),
                );
                None
            }
            _ => {
                err(
                    errors,
                    "op",
                    format!("比较符“{op}”无效，应为 >=、<=、>、<、between 或 is"),
                    format!("unknown op \"{op}\": use >=, <=, >, <, between or is"),
                );
                None
            }
        };
        Rule::Check(f, test?)
    };
    (errors.len() == before).then(|| Criterion {
        id: c.id.clone(),
        name: c.name.clone(),
        section: c.section.clone(),
        note: c.note.clone(),
        rule,
    })
}

fn compile_ranking(r: &RankingDef, errors: &mut Vec<FieldError>) -> Vec<Weight> {
    if r.top_n == 0 {
        errors.push(FieldError::new("ranking.top_n", "top_n 至少为 1", "top_n must be at least 1"));
    }
    check_text(&r.note, "ranking.note", errors);
    if r.weights.is_empty() {
        errors.push(FieldError::new("ranking.weights", "至少要有一项权重", "at least one weight is needed"));
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, w) in r.weights.iter().enumerate() {
        let path = format!("ranking.weights[{i}]");
        if !(w.weight.is_finite() && w.weight > 0.0) {
            errors.push(FieldError::new(
                format!("{path}.weight"),
                format!("权重必须是大于0的数值，不能是 {}", w.weight),
                format!("the weight must be a number above 0, not {}", w.weight),
            ));
        }
        if !seen.insert(w.figure.as_str()) {
            errors.push(FieldError::new(
                format!("{path}.figure"),
                format!("指标“{}”重复", w.figure),
                format!("figure \"{}\" appears twice", w.figure),
            ));
        }
        match figures::info(&w.figure) {
            Some(f) if f.kind == Kind::Number => {
                out.push(Weight { figure: f, weight: w.weight, lower_is_better: w.lower_is_better, log: w.log })
            }
            Some(_) => errors.push(FieldError::new(
                format!("{path}.figure"),
                format!("“{}”是是/否指标，不能参与排名", w.figure),
                format!("\"{}\" is a yes/no figure and cannot be ranked on", w.figure),
            )),
            None => errors.push(FieldError::new(
                format!("{path}.figure"),
                format!("未知指标“{}”", w.figure),
                format!("unknown figure \"{}\"", w.figure),
            )),
        }
    }
    out
}

/// The definitions Jiqun ships, as (file name, JSON).
pub const BUILTIN: &[(&str, &str)] = &[
    ("little-giants-miit-2022.json", include_str!("../../../../data/libraries/little-giants-miit-2022.json")),
    ("specialised-smes-2022.json", include_str!("../../../../data/libraries/specialised-smes-2022.json")),
    ("single-champions.json", include_str!("../../../../data/libraries/single-champions.json")),
    ("unicorns.json", include_str!("../../../../data/libraries/unicorns.json")),
    ("backbone-directory.json", include_str!("../../../../data/libraries/backbone-directory.json")),
    ("ai-top100.json", include_str!("../../../../data/libraries/ai-top100.json")),
];

/// The shipped libraries, read once. An error (a test keeps this from happening) names the file in each
/// path.
pub fn builtin() -> Result<Vec<Library>, Vec<FieldError>> {
    static PARSED: OnceLock<Result<Vec<Library>, Vec<FieldError>>> = OnceLock::new();
    PARSED.get_or_init(parse_builtin).clone()
}

fn parse_builtin() -> Result<Vec<Library>, Vec<FieldError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (file, text) in BUILTIN {
        match Library::from_json(text) {
            Ok(l) => out.push(l),
            Err(es) => errors.extend(es.into_iter().map(|mut e| {
                e.path = format!("{file}: {}", e.path);
                e
            })),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// One shipped library by id.
pub fn builtin_library(id: &str) -> Option<Library> {
    builtin().ok()?.into_iter().find(|l| l.id() == id)
}
