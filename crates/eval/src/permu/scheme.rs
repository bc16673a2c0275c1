//! Evaluation schemes as data: one jurisdiction's indicators, weights, benchmarks, caps, groups, exemptions,
//! bonus and deduction items and class cut-offs for one year, read from a JSON file and checked field by
//! field, so a wrong file is refused with the JSON path of the first bad field (in Chinese and English)
//! and never reaches the engine. The file format is described in docs/evaluation.md; the shipped schemes
//! are in data/schemes/ and compiled in.

use std::fmt;

use jiqun_domain::Lang;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::{Field, Scale};

/// The file format's version; a file may say `"version": 1` (or leave it out).
pub const FORMAT_VERSION: u32 = 1;

/// A ratio to the benchmark counts at most this much when a scheme sets no cap, only so that sums stay
/// finite whatever the input: a firm a million times the benchmark is not a case a county meets.
pub const NO_CAP_LIMIT: f64 = 1e6;

/// The shipped schemes, compiled in: (id, JSON text).
const BUILTIN: [(&str, &str); 3] = [
    ("default", include_str!("../../../../data/schemes/default.json")),
    ("huangyan-2021", include_str!("../../../../data/schemes/huangyan-2021.json")),
    ("huangyan-2022", include_str!("../../../../data/schemes/huangyan-2022.json")),
];

/// The ids of the shipped schemes (`Scheme::builtin`).
pub fn builtin_ids() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(id, _)| *id)
}

/// One evaluation scheme. Units: money in 万元, land in 亩, energy in tce (等价值), emissions in t,
/// electricity in MWh, as in the input file; an item's ratio is numerator ÷ denominator × `factor`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scheme {
    pub version: u32,
    /// Short name for files and the command line, e.g. `huangyan-2022`.
    pub id: String,
    pub name: String,
    pub jurisdiction: String,
    /// The evaluation year the scheme was published for; None for any year.
    pub year: Option<i32>,
    /// Where the settings come from (a citation).
    pub source: String,
    /// What the source does not say and what was chosen instead.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Enterprises are rated within groups of these keys and their scale (规上/规下 is always a key).
    pub groups: Vec<GroupKey>,
    /// A group with fewer rated enterprises than this is treated by `small_group`; None (the default, as
    /// contracts §4 has it): every group is ranked on its own, however small. Set together with
    /// `small_group`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_group_size: Option<u32>,
    /// What becomes of the enterprises of a group below `min_group_size`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub small_group: Option<SmallGroup>,
    /// An item scores at most `cap` × its weight (the ratio to the benchmark is capped); None: no cap.
    pub cap: Option<f64>,
    /// What an item scores for an enterprise for which it is undefined (empty or zero denominator).
    pub undefined_item: Undefined,
    pub not_rated: NotRated,
    pub above: ScaleRules,
    pub below: ScaleRules,
    /// Bonus and deduction items, added to the sum of item scores.
    pub adjustments: Vec<Adjustment>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKey {
    City,
    County,
    Industry,
}

impl GroupKey {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupKey::City => "city",
            GroupKey::County => "county",
            GroupKey::Industry => "industry",
        }
    }
}

/// What becomes of the enterprises of a group smaller than `min_group_size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmallGroup {
    /// Rated within the group of every rated enterprise of the same scale in the data (the province, for
    /// a province-wide run grouped by city): its benchmarks, its rank, its size. The enterprises of the
    /// groups large enough keep their own group's results. Where even that group is below
    /// `min_group_size`, its enterprises are not classed (as `Unclassed`).
    MergeAll,
    /// Not classed (class T, reason `Reason::SmallGroup`).
    Unclassed,
}

impl SmallGroup {
    pub fn as_str(self) -> &'static str {
        match self {
            SmallGroup::MergeAll => "merge_all",
            SmallGroup::Unclassed => "unclassed",
        }
    }
}

/// The largest `min_group_size` a scheme may set.
pub const MAX_MIN_GROUP_SIZE: u32 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Undefined {
    /// The mean of the item's scores over the group's enterprises for which it is defined (0 if none).
    GroupMean,
    Zero,
}

/// Who is not rated (class T).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotRated {
    /// `year - founded_year` below this: 新设企业. 0: nobody.
    pub min_age_years: i32,
    /// Below-scale enterprises on less land (亩) than this. 0: nobody.
    pub below_min_land_mu: f64,
    /// GB/T 4754 codes or code prefixes (e.g. `44` for electricity and heat supply) never rated.
    pub exempt_industries: Vec<String>,
    /// Enterprises exempted by name (their USCCs).
    pub exempt_uscc: Vec<String>,
}

/// One scale's items and class cut-offs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScaleRules {
    pub items: Vec<Item>,
    pub classes: Classes,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub name: String,
    pub numerator: Field,
    pub denominator: Field,
    /// The ratio's unit, for people (e.g. `万元/亩`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub unit: String,
    /// Multiplies numerator ÷ denominator, to reach the unit the benchmark is published in.
    #[serde(skip_serializing_if = "is_one")]
    pub factor: f64,
    pub weight: f64,
    pub benchmark: Benchmark,
    #[serde(skip_serializing_if = "ItemCap::is_scheme")]
    pub cap: ItemCap,
}

fn is_one(v: &f64) -> bool {
    *v == 1.0
}

/// What an item's value is divided by.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Benchmark {
    /// Σ numerator ÷ Σ denominator over the group's rated enterprises for which the item is defined.
    GroupRatio,
    /// A published value, in the item's unit.
    Fixed { value: f64 },
    /// `factor` × last year's average; the average is written in the scheme, since an input file holds
    /// one year.
    LastYearMultiple { factor: f64, last_year_average: f64 },
}

impl Benchmark {
    /// The value of a fixed or last-year benchmark; None for a group ratio.
    pub fn fixed_value(&self) -> Option<f64> {
        match *self {
            Benchmark::GroupRatio => None,
            Benchmark::Fixed { value } => Some(value),
            Benchmark::LastYearMultiple { factor, last_year_average } => Some(factor * last_year_average),
        }
    }
}

/// An item's own cap: the scheme's, none, or its own value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ItemCap {
    Scheme,
    None,
    At(f64),
}

impl ItemCap {
    fn is_scheme(&self) -> bool {
        *self == ItemCap::Scheme
    }
}

impl Serialize for ItemCap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ItemCap::At(v) => s.serialize_f64(*v),
            _ => s.serialize_none(),
        }
    }
}

/// Class cut-offs: by rank share (percent of the group, A while 100·rank ≤ a·n, …) or by score (A from a
/// points, …); what is beyond `c` is D.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Classes {
    RankShare { a: f64, b: f64, c: f64 },
    Score { a: f64, b: f64, c: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    Bonus,
    Deduction,
}

/// A bonus or deduction item: `points` (≥ 0; a deduction subtracts them) under a rule, limited to
/// `max_points` in all when set, for one scale or both.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adjustment {
    pub name: String,
    pub kind: AdjustmentKind,
    pub points: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_points: Option<f64>,
    #[serde(flatten)]
    pub rule: Rule,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// `points` for each unit of `field` beyond the first `beyond` (an empty cell: none).
    PerUnit { field: Field, beyond: f64 },
    /// `points` once when `field` is at least `value`.
    AtLeast { field: Field, value: f64 },
    /// `points` once for the enterprises listed (USCCs).
    Listed(Vec<String>),
    /// `points` once for enterprises whose industry code starts with one of these.
    Industries(Vec<String>),
}

impl Adjustment {
    /// The signed points for one enterprise, given its figures, USCC and whether its industry matches
    /// (for an `industries` rule).
    pub(crate) fn points_for(&self, figures: &super::Figures, listed: bool, industry_matches: bool) -> f64 {
        let raw = match &self.rule {
            Rule::PerUnit { field, beyond } => {
                let v = figures.get(field.index());
                if v.is_nan() { 0.0 } else { self.points * (v - beyond).max(0.0) }
            }
            Rule::AtLeast { field, value } => {
                let v = figures.get(field.index());
                if !v.is_nan() && v >= *value { self.points } else { 0.0 }
            }
            Rule::Listed(_) => {
                if listed {
                    self.points
                } else {
                    0.0
                }
            }
            Rule::Industries(_) => {
                if industry_matches {
                    self.points
                } else {
                    0.0
                }
            }
        };
        // Bounded so that sums stay finite whatever the input (see NO_CAP_LIMIT).
        let limited = raw.min(self.max_points.unwrap_or(NO_CAP_LIMIT * 1000.0));
        match self.kind {
            AdjustmentKind::Bonus => limited,
            AdjustmentKind::Deduction => -limited,
        }
    }
}

/// Why a scheme is refused: the JSON path of the field (`above.items[2].benchmark.value`; empty for the
/// file as a whole) and the reason in both languages.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemeError {
    pub path: String,
    pub zh: String,
    pub en: String,
}

impl SchemeError {
    fn at(path: &str, zh: impl Into<String>, en: impl Into<String>) -> SchemeError {
        SchemeError { path: path.to_string(), zh: zh.into(), en: en.into() }
    }

    /// `path: reason` in the language asked for.
    pub fn message(&self, lang: Lang) -> String {
        let (text, sep) = if lang == Lang::Zh { (&self.zh, "：") } else { (&self.en, ": ") };
        if self.path.is_empty() { text.clone() } else { format!("{}{sep}{text}", self.path) }
    }
}

impl fmt::Display for SchemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for SchemeError {}

impl Default for Scheme {
    /// The default scheme of contracts §4, which every build must reproduce (data/schemes/default.json
    /// holds the same settings; a test compares them).
    fn default() -> Scheme {
        use Field::*;
        let item = |name: &str, numerator, denominator, unit: &str, weight| Item {
            name: name.to_string(),
            numerator,
            denominator,
            unit: unit.to_string(),
            factor: 1.0,
            weight,
            benchmark: Benchmark::GroupRatio,
            cap: ItemCap::Scheme,
        };
        let classes = Classes::RankShare { a: 20.0, b: 60.0, c: 95.0 };
        Scheme {
            version: FORMAT_VERSION,
            id: "default".into(),
            name: "默认方案（合同第 4 节）".into(),
            jurisdiction: "任意（Jiqun 默认）".into(),
            year: None,
            source: "Jiqun contracts.md §4, the default per-mu scheme".into(),
            notes: Vec::new(),
            groups: vec![GroupKey::City],
            min_group_size: None,
            small_group: None,
            cap: Some(2.0),
            undefined_item: Undefined::GroupMean,
            not_rated: NotRated {
                min_age_years: 2,
                below_min_land_mu: 3.0,
                exempt_industries: Vec::new(),
                exempt_uscc: Vec::new(),
            },
            above: ScaleRules {
                items: vec![
                    item("亩均税收", Tax, Land, "万元/亩", 30.0),
                    item("亩均增加值", ValueAdded, Land, "万元/亩", 20.0),
                    item("单位能耗增加值", ValueAdded, Energy, "万元/吨标准煤", 20.0),
                    item("单位排放增加值", ValueAdded, Emission, "万元/吨", 10.0),
                    item("全员劳动生产率", ValueAdded, Employees, "万元/人", 10.0),
                    item("研发投入强度", Rd, Revenue, "", 10.0),
                ],
                classes,
            },
            below: ScaleRules {
                items: vec![
                    item("亩均税收", Tax, Land, "万元/亩", 50.0),
                    item("单位用电税收", Tax, Electricity, "万元/兆瓦时", 50.0),
                ],
                classes,
            },
            adjustments: Vec::new(),
        }
    }
}

impl Scheme {
    /// A shipped scheme by id (`default`, `huangyan-2021`, `huangyan-2022`).
    pub fn builtin(id: &str) -> Option<Scheme> {
        BUILTIN.iter().find(|(k, _)| *k == id).and_then(|(_, text)| Scheme::from_json(text).ok())
    }

    /// Reads and checks a scheme file.
    pub fn from_json(text: &str) -> Result<Scheme, SchemeError> {
        let v: Value = serde_json::from_str(text).map_err(|e| {
            SchemeError::at(
                "",
                format!("不是有效的 JSON（第 {} 行第 {} 列）", e.line(), e.column()),
                format!("not valid JSON at line {}, column {}: {e}", e.line(), e.column()),
            )
        })?;
        Scheme::from_value(&v)
    }

    /// Reads and checks a scheme already parsed as JSON.
    pub fn from_value(v: &Value) -> Result<Scheme, SchemeError> {
        let s = read_scheme(v)?;
        s.validate()?;
        Ok(s)
    }

    /// The scheme as pretty JSON, in the file format.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn rules(&self, scale: Scale) -> &ScaleRules {
        match scale {
            Scale::Above => &self.above,
            Scale::Below => &self.below,
        }
    }

    pub fn groups_by(&self, key: GroupKey) -> bool {
        self.groups.contains(&key)
    }

    /// The optional input columns this scheme reads: `county`, `industry`, `tenants`.
    pub fn needs(&self) -> Needs {
        let fields =
            self.above.items.iter().chain(&self.below.items).flat_map(|it| [it.numerator, it.denominator]).chain(
                self.adjustments.iter().filter_map(|a| match &a.rule {
                    Rule::PerUnit { field, .. } | Rule::AtLeast { field, .. } => Some(*field),
                    _ => None,
                }),
            );
        let mut needs = Needs {
            county: self.groups_by(GroupKey::County),
            industry: self.groups_by(GroupKey::Industry)
                || !self.not_rated.exempt_industries.is_empty()
                || self.adjustments.iter().any(|a| matches!(a.rule, Rule::Industries(_))),
            tenants: false,
        };
        for f in fields {
            if f == Field::Tenants {
                needs.tenants = true;
            }
        }
        needs
    }

    /// Checks ranges and consistency; `from_json` calls it, and so should code that builds a scheme.
    pub fn validate(&self) -> Result<(), SchemeError> {
        let bad = |path: &str, zh: &str, en: &str| Err(SchemeError::at(path, zh, en));
        if self.version != FORMAT_VERSION {
            return bad("version", "本程序只读第 1 版方案文件", "only version 1 scheme files are understood");
        }
        if self.id.is_empty()
            || self.id.len() > 64
            || !self.id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            return bad(
                "id",
                "应为 1 至 64 个字母、数字、“-”“_”或“.”",
                "must be 1 to 64 letters, digits, “-”, “_” or “.”",
            );
        }
        for (path, text) in [("name", &self.name), ("jurisdiction", &self.jurisdiction), ("source", &self.source)] {
            if text.trim().is_empty() {
                return bad(path, "不能为空", "cannot be empty");
            }
        }
        if let Some(y) = self.year
            && !(1900..=2200).contains(&y)
        {
            return bad("year", "应为 1900 至 2200 之间的年份", "must be a year from 1900 to 2200");
        }
        for (k, g) in self.groups.iter().enumerate() {
            if self.groups[..k].contains(g) {
                return bad(&format!("groups[{k}]"), "重复的分组键", "a grouping key given twice");
            }
        }
        match (self.min_group_size, self.small_group) {
            (None, None) => {}
            (Some(n), Some(_)) => {
                if !(1..=MAX_MIN_GROUP_SIZE).contains(&n) {
                    return bad("min_group_size", "应为 1 至 1000 的整数", "must be a whole number from 1 to 1000");
                }
            }
            (Some(_), None) => {
                return bad(
                    "small_group",
                    "设置 min_group_size 时须写明 small_group（merge_all 或 unclassed）",
                    "required with min_group_size: merge_all or unclassed",
                );
            }
            (None, Some(_)) => {
                return bad(
                    "min_group_size",
                    "设置 small_group 时须写明 min_group_size",
                    "required with small_group: the smallest group ranked on its own",
                );
            }
        }
        if let Some(c) = self.cap {
            check_positive(c, "cap")?;
        }
        let nr = &self.not_rated;
        if !(0..=100).contains(&nr.min_age_years) {
            return bad("not_rated.min_age_years", "应为 0 至 100", "must be 0 to 100");
        }
        check_non_negative(nr.below_min_land_mu, "not_rated.below_min_land_mu")?;
        check_codes(&nr.exempt_industries, "not_rated.exempt_industries")?;
        check_usccs(&nr.exempt_uscc, "not_rated.exempt_uscc")?;
        for (scale, rules) in [("above", &self.above), ("below", &self.below)] {
            if rules.items.is_empty() || rules.items.len() > 32 {
                return bad(&format!("{scale}.items"), "应有 1 至 32 项指标", "must hold 1 to 32 items");
            }
            for (k, it) in rules.items.iter().enumerate() {
                let p = format!("{scale}.items[{k}]");
                if it.name.trim().is_empty() {
                    return bad(&format!("{p}.name"), "不能为空", "cannot be empty");
                }
                if rules.items[..k].iter().any(|o| o.name == it.name) {
                    return bad(&format!("{p}.name"), "与前面的指标重名", "repeats an earlier item's name");
                }
                if !(it.weight.is_finite() && (0.0..=1000.0).contains(&it.weight)) {
                    return bad(&format!("{p}.weight"), "应为 0 至 1000", "must be 0 to 1000");
                }
                check_positive(it.factor, &format!("{p}.factor"))?;
                match it.benchmark {
                    Benchmark::GroupRatio => {}
                    Benchmark::Fixed { value } => check_non_negative(value, &format!("{p}.benchmark.value"))?,
                    Benchmark::LastYearMultiple { factor, last_year_average } => {
                        check_positive(factor, &format!("{p}.benchmark.factor"))?;
                        check_non_negative(last_year_average, &format!("{p}.benchmark.last_year_average"))?;
                    }
                }
                if let ItemCap::At(c) = it.cap {
                    check_positive(c, &format!("{p}.cap"))?;
                }
            }
            let p = format!("{scale}.classes");
            match rules.classes {
                Classes::RankShare { a, b, c } => {
                    let ok = [a, b, c].iter().all(|v| v.is_finite() && (0.0..=100.0).contains(v)) && a <= b && b <= c;
                    if !ok {
                        return bad(
                            &p,
                            "按名次比例分类时应满足 0 ≤ a ≤ b ≤ c ≤ 100（百分比）",
                            "rank shares must satisfy 0 ≤ a ≤ b ≤ c ≤ 100 (percent)",
                        );
                    }
                }
                Classes::Score { a, b, c } => {
                    if !([a, b, c].iter().all(|v| v.is_finite()) && a >= b && b >= c) {
                        return bad(&p, "按得分分类时应满足 a ≥ b ≥ c", "score thresholds must satisfy a ≥ b ≥ c");
                    }
                }
            }
        }
        if self.adjustments.len() > 64 {
            return bad("adjustments", "最多 64 项加减分", "at most 64 bonus and deduction items");
        }
        for (k, a) in self.adjustments.iter().enumerate() {
            let p = format!("adjustments[{k}]");
            if a.name.trim().is_empty() {
                return bad(&format!("{p}.name"), "不能为空", "cannot be empty");
            }
            if !(a.points.is_finite() && (0.0..=1000.0).contains(&a.points)) {
                return bad(
                    &format!("{p}.points"),
                    "应为 0 至 1000（扣分项用 kind 表示，分值写正数）",
                    "must be 0 to 1000 (a deduction says so in kind; its points are positive)",
                );
            }
            if let Some(m) = a.max_points {
                check_non_negative(m, &format!("{p}.max_points"))?;
            }
            match &a.rule {
                Rule::PerUnit { beyond, .. } => check_non_negative(*beyond, &format!("{p}.per_unit.beyond"))?,
                Rule::AtLeast { value, .. } => {
                    if !value.is_finite() {
                        return bad(&format!("{p}.at_least.value"), "应为数字", "must be a number");
                    }
                }
                Rule::Listed(list) => check_usccs(list, &format!("{p}.listed"))?,
                Rule::Industries(codes) => check_codes(codes, &format!("{p}.industries"))?,
            }
        }
        Ok(())
    }
}

/// Which optional input columns a scheme reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    pub county: bool,
    pub industry: bool,
    pub tenants: bool,
}

fn check_positive(v: f64, path: &str) -> Result<(), SchemeError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(SchemeError::at(path, "应为正数", "must be a positive number"))
    }
}

fn check_non_negative(v: f64, path: &str) -> Result<(), SchemeError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(SchemeError::at(path, "应为非负数", "must be a number ≥ 0"))
    }
}

fn check_codes(codes: &[String], path: &str) -> Result<(), SchemeError> {
    for (k, c) in codes.iter().enumerate() {
        if c.is_empty() || c.len() > 16 || !c.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(SchemeError::at(
                &format!("{path}[{k}]"),
                "应为国民经济行业分类（GB/T 4754）代码或其前缀，如“44”",
                "must be a GB/T 4754 industry code or its prefix, such as “44”",
            ));
        }
    }
    Ok(())
}

fn check_usccs(list: &[String], path: &str) -> Result<(), SchemeError> {
    for (k, c) in list.iter().enumerate() {
        if let Err(e) = jiqun_domain::uscc::validate(c.as_bytes()) {
            return Err(SchemeError::at(&format!("{path}[{k}]"), e.message(Lang::Zh), e.message(Lang::En)));
        }
    }
    Ok(())
}

// ---- Reading the JSON, field by field, so that each error names its path. ----

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

fn object<'v>(v: &'v Value, path: &str, fields: &[&str]) -> Result<&'v Map<String, Value>, SchemeError> {
    let m = v.as_object().ok_or_else(|| SchemeError::at(path, "应为对象（{…}）", "must be an object ({…})"))?;
    for k in m.keys() {
        if !fields.contains(&k.as_str()) {
            return Err(SchemeError::at(
                &join(path, k),
                format!("未知字段；此处可用的字段：{}", fields.join("、")),
                format!("unknown field; the fields here are {}", fields.join(", ")),
            ));
        }
    }
    Ok(m)
}

fn required<'v>(m: &'v Map<String, Value>, path: &str, key: &str) -> Result<&'v Value, SchemeError> {
    m.get(key).ok_or_else(|| SchemeError::at(&join(path, key), "缺少此字段", "this field is missing"))
}

/// A present, non-null field.
fn optional<'v>(m: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    m.get(key).filter(|v| !v.is_null())
}

fn text(v: &Value, path: &str) -> Result<String, SchemeError> {
    v.as_str().map(str::to_string).ok_or_else(|| SchemeError::at(path, "应为字符串", "must be a string"))
}

fn number(v: &Value, path: &str) -> Result<f64, SchemeError> {
    v.as_f64().ok_or_else(|| SchemeError::at(path, "应为数字", "must be a number"))
}

fn integer(v: &Value, path: &str) -> Result<i64, SchemeError> {
    v.as_i64().ok_or_else(|| SchemeError::at(path, "应为整数", "must be a whole number"))
}

fn array<'v>(v: &'v Value, path: &str) -> Result<&'v Vec<Value>, SchemeError> {
    v.as_array().ok_or_else(|| SchemeError::at(path, "应为数组（[…]）", "must be an array ([…])"))
}

fn texts(v: &Value, path: &str) -> Result<Vec<String>, SchemeError> {
    array(v, path)?.iter().enumerate().map(|(k, x)| text(x, &format!("{path}[{k}]"))).collect()
}

/// One of a fixed set of words.
fn word<T: Copy>(v: &Value, path: &str, choices: &[(&str, T)]) -> Result<T, SchemeError> {
    let names: Vec<&str> = choices.iter().map(|c| c.0).collect();
    let wrong = || {
        SchemeError::at(
            path,
            format!("应为以下之一：{}", names.join("、")),
            format!("must be one of: {}", names.join(", ")),
        )
    };
    let s = v.as_str().ok_or_else(wrong)?;
    choices.iter().find(|c| c.0 == s).map(|c| c.1).ok_or_else(wrong)
}

fn field(v: &Value, path: &str) -> Result<Field, SchemeError> {
    let choices: Vec<(&str, Field)> = Field::ALL.iter().map(|f| (f.column(), *f)).collect();
    word(v, path, &choices)
}

fn read_scheme(v: &Value) -> Result<Scheme, SchemeError> {
    let m = object(
        v,
        "",
        &[
            "version",
            "id",
            "name",
            "jurisdiction",
            "year",
            "source",
            "notes",
            "groups",
            "min_group_size",
            "small_group",
            "cap",
            "undefined_item",
            "not_rated",
            "above",
            "below",
            "adjustments",
        ],
    )?;
    let version = match optional(m, "version") {
        Some(v) => u32::try_from(integer(v, "version")?).unwrap_or(0),
        None => FORMAT_VERSION,
    };
    let year = match optional(m, "year") {
        Some(v) => Some(i32::try_from(integer(v, "year")?).unwrap_or(0)),
        None => None,
    };
    let notes = match optional(m, "notes") {
        Some(v) => texts(v, "notes")?,
        None => Vec::new(),
    };
    let mut groups = Vec::new();
    for (k, g) in array(required(m, "", "groups")?, "groups")?.iter().enumerate() {
        let key = word(
            g,
            &format!("groups[{k}]"),
            &[
                ("city", Some(GroupKey::City)),
                ("county", Some(GroupKey::County)),
                ("industry", Some(GroupKey::Industry)),
                ("scale", None),
            ],
        )?;
        // `scale` is always a key; saying so is allowed.
        if let Some(key) = key {
            if groups.contains(&key) {
                return Err(SchemeError::at(&format!("groups[{k}]"), "重复的分组键", "a grouping key given twice"));
            }
            groups.push(key);
        }
    }
    // Both or neither (`validate` says which is missing, and refuses 0); a size beyond 1000 is refused here.
    let min_group_size = match optional(m, "min_group_size") {
        Some(v) => {
            let n = integer(v, "min_group_size")?;
            Some(u32::try_from(n).ok().filter(|&n| n <= MAX_MIN_GROUP_SIZE).ok_or_else(|| {
                SchemeError::at("min_group_size", "应为 1 至 1000 的整数", "must be a whole number from 1 to 1000")
            })?)
        }
        None => None,
    };
    let small_group = match optional(m, "small_group") {
        Some(v) => {
            Some(word(v, "small_group", &[("merge_all", SmallGroup::MergeAll), ("unclassed", SmallGroup::Unclassed)])?)
        }
        None => None,
    };
    // `cap` must be written: a number, or null for no cap.
    let cap_value = required(m, "", "cap")?;
    let cap = if cap_value.is_null() { None } else { Some(number(cap_value, "cap")?) };
    let undefined_item = match optional(m, "undefined_item") {
        Some(v) => word(v, "undefined_item", &[("group_mean", Undefined::GroupMean), ("zero", Undefined::Zero)])?,
        None => Undefined::GroupMean,
    };
    let adjustments = match optional(m, "adjustments") {
        Some(v) => array(v, "adjustments")?
            .iter()
            .enumerate()
            .map(|(k, a)| read_adjustment(a, &format!("adjustments[{k}]")))
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    Ok(Scheme {
        version,
        id: text(required(m, "", "id")?, "id")?,
        name: text(required(m, "", "name")?, "name")?,
        jurisdiction: text(required(m, "", "jurisdiction")?, "jurisdiction")?,
        year,
        source: text(required(m, "", "source")?, "source")?,
        notes,
        groups,
        min_group_size,
        small_group,
        cap,
        undefined_item,
        not_rated: read_not_rated(required(m, "", "not_rated")?)?,
        above: read_rules(required(m, "", "above")?, "above")?,
        below: read_rules(required(m, "", "below")?, "below")?,
        adjustments,
    })
}

fn read_not_rated(v: &Value) -> Result<NotRated, SchemeError> {
    let p = "not_rated";
    let m = object(v, p, &["min_age_years", "below_min_land_mu", "exempt_industries", "exempt_uscc"])?;
    Ok(NotRated {
        min_age_years: match optional(m, "min_age_years") {
            Some(v) => i32::try_from(integer(v, &join(p, "min_age_years"))?).unwrap_or(-1),
            None => 0,
        },
        below_min_land_mu: match optional(m, "below_min_land_mu") {
            Some(v) => number(v, &join(p, "below_min_land_mu"))?,
            None => 0.0,
        },
        exempt_industries: match optional(m, "exempt_industries") {
            Some(v) => texts(v, &join(p, "exempt_industries"))?,
            None => Vec::new(),
        },
        exempt_uscc: match optional(m, "exempt_uscc") {
            Some(v) => texts(v, &join(p, "exempt_uscc"))?,
            None => Vec::new(),
        },
    })
}

fn read_rules(v: &Value, p: &str) -> Result<ScaleRules, SchemeError> {
    let m = object(v, p, &["items", "classes"])?;
    let ip = join(p, "items");
    let items = array(required(m, p, "items")?, &ip)?
        .iter()
        .enumerate()
        .map(|(k, it)| read_item(it, &format!("{ip}[{k}]")))
        .collect::<Result<_, _>>()?;
    let cp = join(p, "classes");
    let c = object(required(m, p, "classes")?, &cp, &["by", "a", "b", "c"])?;
    let by = word(required(c, &cp, "by")?, &join(&cp, "by"), &[("rank_share", true), ("score", false)])?;
    let mut abc = [0.0; 3];
    for (slot, key) in abc.iter_mut().zip(["a", "b", "c"]) {
        *slot = number(required(c, &cp, key)?, &join(&cp, key))?;
    }
    let [a, b, c] = abc;
    let classes = if by { Classes::RankShare { a, b, c } } else { Classes::Score { a, b, c } };
    Ok(ScaleRules { items, classes })
}

fn read_item(v: &Value, p: &str) -> Result<Item, SchemeError> {
    let m = object(v, p, &["name", "numerator", "denominator", "unit", "factor", "weight", "benchmark", "cap"])?;
    let bp = join(p, "benchmark");
    let b = object(required(m, p, "benchmark")?, &bp, &["kind", "value", "factor", "last_year_average"])?;
    let kind = word(
        required(b, &bp, "kind")?,
        &join(&bp, "kind"),
        &[("group_ratio", 0u8), ("fixed", 1), ("last_year_multiple", 2)],
    )?;
    let allowed: &[&str] = match kind {
        0 => &["kind"],
        1 => &["kind", "value"],
        _ => &["kind", "factor", "last_year_average"],
    };
    object(&Value::Object(b.clone()), &bp, allowed)?;
    let benchmark = match kind {
        0 => Benchmark::GroupRatio,
        1 => Benchmark::Fixed { value: number(required(b, &bp, "value")?, &join(&bp, "value"))? },
        _ => Benchmark::LastYearMultiple {
            factor: number(required(b, &bp, "factor")?, &join(&bp, "factor"))?,
            last_year_average: number(required(b, &bp, "last_year_average")?, &join(&bp, "last_year_average"))?,
        },
    };
    // An absent cap is the scheme's; null is none; a number is the item's own.
    let cap = match m.get("cap") {
        None => ItemCap::Scheme,
        Some(Value::Null) => ItemCap::None,
        Some(v) => ItemCap::At(number(v, &join(p, "cap"))?),
    };
    Ok(Item {
        name: text(required(m, p, "name")?, &join(p, "name"))?,
        numerator: field(required(m, p, "numerator")?, &join(p, "numerator"))?,
        denominator: field(required(m, p, "denominator")?, &join(p, "denominator"))?,
        unit: match optional(m, "unit") {
            Some(v) => text(v, &join(p, "unit"))?,
            None => String::new(),
        },
        factor: match optional(m, "factor") {
            Some(v) => number(v, &join(p, "factor"))?,
            None => 1.0,
        },
        weight: number(required(m, p, "weight")?, &join(p, "weight"))?,
        benchmark,
        cap,
    })
}

fn read_adjustment(v: &Value, p: &str) -> Result<Adjustment, SchemeError> {
    const RULES: [&str; 4] = ["per_unit", "at_least", "listed", "industries"];
    let m = object(
        v,
        p,
        &["name", "kind", "points", "scale", "max_points", "per_unit", "at_least", "listed", "industries"],
    )?;
    let present: Vec<&str> = RULES.iter().copied().filter(|r| m.contains_key(*r)).collect();
    if present.len() != 1 {
        return Err(SchemeError::at(
            p,
            format!("应恰有一条规则：{} 之一", RULES.join("、")),
            format!("must have exactly one rule, one of {}", RULES.join(", ")),
        ));
    }
    let rp = join(p, present[0]);
    let rv = &m[present[0]];
    let rule = match present[0] {
        "per_unit" => {
            let r = object(rv, &rp, &["field", "beyond"])?;
            Rule::PerUnit {
                field: field(required(r, &rp, "field")?, &join(&rp, "field"))?,
                beyond: match optional(r, "beyond") {
                    Some(v) => number(v, &join(&rp, "beyond"))?,
                    None => 0.0,
                },
            }
        }
        "at_least" => {
            let r = object(rv, &rp, &["field", "value"])?;
            Rule::AtLeast {
                field: field(required(r, &rp, "field")?, &join(&rp, "field"))?,
                value: number(required(r, &rp, "value")?, &join(&rp, "value"))?,
            }
        }
        "listed" => Rule::Listed(texts(rv, &rp)?),
        _ => Rule::Industries(texts(rv, &rp)?),
    };
    Ok(Adjustment {
        name: text(required(m, p, "name")?, &join(p, "name"))?,
        kind: word(
            required(m, p, "kind")?,
            &join(p, "kind"),
            &[("bonus", AdjustmentKind::Bonus), ("deduction", AdjustmentKind::Deduction)],
        )?,
        points: number(required(m, p, "points")?, &join(p, "points"))?,
        scale: match optional(m, "scale") {
            Some(v) => Some(word(v, &join(p, "scale"), &Scale::ALL.map(|s| (s.as_str(), s)))?),
            None => None,
        },
        max_points: match optional(m, "max_points") {
            Some(v) => Some(number(v, &join(p, "max_points"))?),
            None => None,
        },
        rule,
    })
}

impl<'de> serde::Deserialize<'de> for Scheme {
    /// Through the same checks as `from_json`; the error names the field's path.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Scheme, D::Error> {
        let v = Value::deserialize(d)?;
        Scheme::from_value(&v).map_err(|e| serde::de::Error::custom(e.message(Lang::En)))
    }
}
