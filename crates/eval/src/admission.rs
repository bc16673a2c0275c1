//! New industrial project admission (新增工业项目准入): a proposed project's per-mu figures against the
//! thresholds of its zone and industry, read from data (`data/admission/`). Each threshold has a hard
//! limit (missed: reject) and optionally a soft band (missed: admit with conditions). Missing data for a
//! checked figure counts as the worst the thresholds allow (reject; conditions when there is only a soft
//! band), with the reason.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::definition::{
    Confidence, FieldError, Source, Text, check_heading, check_id, check_text, fmt_num, parse_json, tidy,
};

/// The figures an admission table can set thresholds on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// 投资强度: fixed-asset investment ÷ land, 万元/亩.
    InvestmentIntensity,
    /// 产出强度 (亩均产值): expected annual output ÷ land, 万元/亩.
    OutputPerMu,
    /// 亩均税收: expected annual tax ÷ land, 万元/亩.
    TaxPerMu,
    /// 亩均就业: jobs ÷ land, persons/亩.
    JobsPerMu,
    /// 单位增加值能耗: energy ÷ value added, tce/万元. Lower is better.
    EnergyPerValueAdded,
    /// 研发投入强度: R&D ÷ expected annual output × 100, %.
    RdIntensity,
}

pub const METRICS: [Metric; 6] = [
    Metric::InvestmentIntensity,
    Metric::OutputPerMu,
    Metric::TaxPerMu,
    Metric::JobsPerMu,
    Metric::EnergyPerValueAdded,
    Metric::RdIntensity,
];

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::InvestmentIntensity => "investment_intensity",
            Metric::OutputPerMu => "output_per_mu",
            Metric::TaxPerMu => "tax_per_mu",
            Metric::JobsPerMu => "jobs_per_mu",
            Metric::EnergyPerValueAdded => "energy_per_value_added",
            Metric::RdIntensity => "rd_intensity",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        METRICS.into_iter().find(|m| m.as_str() == s)
    }

    pub fn label(self) -> Text {
        let (zh, en) = match self {
            Metric::InvestmentIntensity => ("投资强度", "investment intensity"),
            Metric::OutputPerMu => ("亩均产值", "output per mu"),
            Metric::TaxPerMu => ("亩均税收", "tax per mu"),
            Metric::JobsPerMu => ("亩均就业", "jobs per mu"),
            Metric::EnergyPerValueAdded => ("单位增加值能耗", "energy per unit of value added"),
            Metric::RdIntensity => ("研发投入强度", "R&D intensity"),
        };
        Text::new(zh, en)
    }

    fn unit(self) -> (&'static str, &'static str) {
        match self {
            Metric::InvestmentIntensity | Metric::OutputPerMu | Metric::TaxPerMu => ("万元/亩", " ×10,000 yuan/mu"),
            Metric::JobsPerMu => ("人/亩", " persons/mu"),
            Metric::EnergyPerValueAdded => ("吨标准煤/万元", " tce per 10,000 yuan"),
            Metric::RdIntensity => ("%", "%"),
        }
    }

    pub fn lower_is_better(self) -> bool {
        self == Metric::EnergyPerValueAdded
    }

    fn show(self, v: f64) -> Text {
        let (zh, en) = self.unit();
        Text::new(format!("{}{zh}", fmt_num(v)), format!("{}{en}", fmt_num(v)))
    }

    /// The value for a proposal, with how it was computed, or why it cannot be.
    fn compute(self, p: &Proposal) -> Result<(f64, Text), Text> {
        // (value, name zh, name en, unit zh, unit en) of the numerator and the denominator.
        type Part<'a> = (Option<f64>, &'a str, &'a str, &'a str, &'a str);
        let land: Part = (Some(p.land_mu), "用地", "land", "亩", " mu");
        let output: Part = (p.annual_output_wan, "预计年产值", "expected annual output", "万元", "");
        let (num, den, pct): (Part, Part, bool) = match self {
            Metric::InvestmentIntensity => {
                ((p.fixed_investment_wan, "固定资产投资", "fixed investment", "万元", ""), land, false)
            }
            Metric::OutputPerMu => (output, land, false),
            Metric::TaxPerMu => ((p.annual_tax_wan, "预计年税收", "expected annual tax", "万元", ""), land, false),
            Metric::JobsPerMu => ((p.jobs, "就业人数", "jobs", "人", ""), land, false),
            Metric::EnergyPerValueAdded => (
                (p.energy_tce, "年综合能耗", "annual energy use", "吨标准煤", " tce"),
                (p.value_added_wan, "预计年增加值", "expected value added", "万元", ""),
                false,
            ),
            Metric::RdIntensity => ((p.rd_wan, "年研发经费", "annual R&D", "万元", ""), output, true),
        };
        let absent = |x: &Part| Text::new(format!("未填报{}", x.1), format!("{} not given", x.2));
        let n = num.0.ok_or_else(|| absent(&num))?;
        let d = den.0.ok_or_else(|| absent(&den))?;
        if d == 0.0 {
            return Err(Text::new(
                format!("{}为0，无法计算", den.1),
                format!("{} is 0, so it cannot be computed", den.2),
            ));
        }
        let v = tidy(if pct { n * 100.0 / d } else { n / d });
        if !v.is_finite() {
            return Err(Text::new("计算结果不是有限数值", "the result is not a finite number"));
        }
        let tail = if pct { " × 100" } else { "" };
        Ok((
            v,
            Text::new(
                format!("{} {}{} ÷ {} {}{}{tail}", num.1, fmt_num(n), num.3, den.1, fmt_num(d), den.3),
                format!("{} {}{} / {} {}{}{tail}", num.2, fmt_num(n), num.4, den.2, fmt_num(d), den.4),
            ),
        ))
    }
}

/// One limit and where its value comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitDef {
    pub value: f64,
    /// A key of the table's `sources`.
    pub source: String,
}

/// A threshold as written: `hard` (reject when missed) and/or `soft` (admit with conditions when missed).
/// For energy per value added they are ceilings, for the others floors.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdDef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hard: Option<LimitDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft: Option<LimitDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
}

/// Thresholds for projects whose industry code (GB/T 4754) starts with `industry_prefix`; "" for all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    #[serde(default)]
    pub industry_prefix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry_name: Option<Text>,
    /// Metric name (`investment_intensity` …) → threshold.
    pub thresholds: BTreeMap<String, ThresholdDef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneDef {
    pub id: String,
    pub name: Text,
    pub rules: Vec<RuleDef>,
}

/// An admission table as written in its data file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDef {
    pub id: String,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Citations the thresholds refer to by key.
    pub sources: BTreeMap<String, Source>,
    /// What "admit with conditions" asks of the project.
    pub conditions: Text,
    pub zones: Vec<ZoneDef>,
}

#[derive(Debug, Clone, PartialEq)]
struct Threshold {
    hard: Option<Limit>,
    soft: Option<Limit>,
    note: Option<Text>,
}

/// A limit as applied, with its source and that source's confidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Limit {
    pub value: f64,
    pub source: String,
    pub confidence: Confidence,
}

/// A validated admission table: only [`Table::from_json`] and [`Table::from_def`] make one.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    def: TableDef,
    /// Per zone, per rule: (prefix, thresholds by metric).
    rules: Vec<Vec<(String, BTreeMap<Metric, Threshold>)>>,
}

impl Table {
    pub fn from_json(text: &str) -> Result<Table, Vec<FieldError>> {
        Table::from_def(parse_json(text)?)
    }

    pub fn from_def(def: TableDef) -> Result<Table, Vec<FieldError>> {
        let mut errors = Vec::new();
        check_heading(&def.id, &def.name, def.description.as_ref(), &mut errors);
        check_text(&def.conditions, "conditions", &mut errors);
        for (k, s) in &def.sources {
            s.validate(&format!("sources.{k}"), &mut errors);
        }
        if def.zones.is_empty() {
            errors.push(FieldError::new("zones", "至少要有一个区域", "at least one zone is needed"));
        }
        let mut zone_ids = BTreeSet::new();
        let mut rules = Vec::new();
        for (z, zone) in def.zones.iter().enumerate() {
            let zp = format!("zones[{z}]");
            check_id(&zone.id, &format!("{zp}.id"), &mut errors);
            if !zone_ids.insert(zone.id.as_str()) {
                errors.push(FieldError::new(
                    format!("{zp}.id"),
                    format!("区域“{}”重复", zone.id),
                    format!("zone \"{}\" appears twice", zone.id),
                ));
            }
            check_text(&zone.name, &format!("{zp}.name"), &mut errors);
            if zone.rules.is_empty() {
                errors.push(FieldError::new(format!("{zp}.rules"), "至少要有一条规则", "at least one rule is needed"));
            }
            let mut prefixes = BTreeSet::new();
            let mut zone_rules = Vec::new();
            for (r, rule) in zone.rules.iter().enumerate() {
                let rp = format!("{zp}.rules[{r}]");
                let prefix = rule.industry_prefix.as_str();
                if prefix.len() > 4 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
                    errors.push(FieldError::new(
                        format!("{rp}.industry_prefix"),
                        format!("行业代码前缀“{prefix}”无效：应为0至4位数字（GB/T 4754）"),
                        format!("invalid industry prefix \"{prefix}\": use 0 to 4 digits (GB/T 4754)"),
                    ));
                }
                if !prefixes.insert(prefix) {
                    errors.push(FieldError::new(
                        format!("{rp}.industry_prefix"),
                        format!("同一区域内行业代码前缀“{prefix}”重复"),
                        format!("industry prefix \"{prefix}\" appears twice in the zone"),
                    ));
                }
                if let Some(n) = &rule.industry_name {
                    check_text(n, &format!("{rp}.industry_name"), &mut errors);
                }
                if rule.thresholds.is_empty() {
                    errors.push(FieldError::new(
                        format!("{rp}.thresholds"),
                        "至少要有一项阈值",
                        "at least one threshold is needed",
                    ));
                }
                let mut map = BTreeMap::new();
                for (name, t) in &rule.thresholds {
                    let tp = format!("{rp}.thresholds.{name}");
                    let Some(m) = Metric::parse(name) else {
                        let known: Vec<&str> = METRICS.iter().map(|m| m.as_str()).collect();
                        errors.push(FieldError::new(
                            tp,
                            format!("未知指标“{name}”，可用：{}", known.join("、")),
                            format!("unknown metric \"{name}\"; known: {}", known.join(", ")),
                        ));
                        continue;
                    };
                    if let Some(th) = check_threshold(m, t, &tp, &def.sources, &mut errors) {
                        map.insert(m, th);
                    }
                }
                zone_rules.push((prefix.to_string(), map));
            }
            rules.push(zone_rules);
        }
        if errors.is_empty() { Ok(Table { def, rules }) } else { Err(errors) }
    }

    pub fn def(&self) -> &TableDef {
        &self.def
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.def).unwrap_or_default()
    }
}

fn check_threshold(
    m: Metric,
    t: &ThresholdDef,
    path: &str,
    sources: &BTreeMap<String, Source>,
    errors: &mut Vec<FieldError>,
) -> Option<Threshold> {
    let before = errors.len();
    if t.hard.is_none() && t.soft.is_none() {
        errors.push(FieldError::new(path, "hard 和 soft 至少要给一个", "give hard, soft or both"));
    }
    let mut limit = |field: &str, l: &Option<LimitDef>| -> Option<Limit> {
        let l = l.as_ref()?;
        let mut ok = true;
        if !(l.value.is_finite() && l.value >= 0.0) {
            errors.push(FieldError::new(
                format!("{path}.{field}.value"),
                format!("阈值必须是不小于0的数值，不能是 {}", l.value),
                format!("a threshold must be a number ≥ 0, not {}", l.value),
            ));
            ok = false;
        }
        let Some(src) = sources.get(&l.source) else {
            errors.push(FieldError::new(
                format!("{path}.{field}.source"),
                format!("出处“{}”不在 sources 中", l.source),
                format!("source \"{}\" is not among the sources", l.source),
            ));
            return None;
        };
        ok.then(|| Limit { value: l.value, source: l.source.clone(), confidence: src.confidence })
    };
    let hard = limit("hard", &t.hard);
    let soft = limit("soft", &t.soft);
    if let (Some(h), Some(s)) = (&hard, &soft) {
        let (h, s) = (h.value, s.value);
        if m.lower_is_better() && s > h {
            errors.push(FieldError::new(
                format!("{path}.soft.value"),
                format!("越低越好的指标，soft（{s}）不能高于 hard（{h}）"),
                format!("for a lower-is-better metric, soft ({s}) cannot be above hard ({h})"),
            ));
        } else if !m.lower_is_better() && s < h {
            errors.push(FieldError::new(
                format!("{path}.soft.value"),
                format!("soft（{s}）不能低于 hard（{h}）"),
                format!("soft ({s}) cannot be below hard ({h})"),
            ));
        }
    }
    if let Some(n) = &t.note {
        check_text(n, &format!("{path}.note"), errors);
    }
    (errors.len() == before).then(|| Threshold { hard, soft, note: t.note.clone() })
}

/// A proposed industrial project. Money in 万元, land in 亩 (mu), energy in tonnes of standard coal.
/// Figures are optional; one that a threshold needs and that is missing counts as the worst case.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    pub project: String,
    /// A zone id of the table.
    pub zone: String,
    /// GB/T 4754 industry code, 2 to 4 digits (e.g. 3912).
    pub industry_code: String,
    pub land_mu: f64,
    #[serde(default)]
    pub fixed_investment_wan: Option<f64>,
    #[serde(default)]
    pub annual_output_wan: Option<f64>,
    #[serde(default)]
    pub annual_tax_wan: Option<f64>,
    #[serde(default)]
    pub jobs: Option<f64>,
    #[serde(default)]
    pub energy_tce: Option<f64>,
    #[serde(default)]
    pub value_added_wan: Option<f64>,
    #[serde(default)]
    pub rd_wan: Option<f64>,
}

jiqun_domain::labelled_enum! {
    /// What the table says of a proposal. Ordered best first, so the decision is the worst of the metrics'
    /// verdicts.
    pub enum Decision {
        Admit = "admit", "予以准入", "admit";
        AdmitWithConditions = "admit_with_conditions", "有条件准入", "admit with conditions";
        Reject = "reject", "不予准入", "reject";
    }
}

jiqun_domain::labelled_enum! {
    /// How a metric stands against the table's thresholds.
    pub enum Verdict {
        Pass = "pass", "达标", "passed";
        /// Within the hard limit, short of the soft band.
        Conditional = "conditional", "未达标准线，有条件", "short of the soft band: conditions";
        /// Misses the hard limit.
        Fail = "fail", "未达准入线", "misses the hard limit";
        /// Needed by a threshold but not given or not computable: rejects where there is a hard limit, admits
        /// with conditions where there is only a soft band.
        NoData = "no_data", "无数据，按最不利情形处理", "no data: treated as the worst case";
        /// No threshold for this metric in the zone and industry: shown, not decided on.
        NotSet = "not_set", "未设阈值", "no threshold set";
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricResult {
    pub metric: Metric,
    pub value: Option<f64>,
    pub hard: Option<Limit>,
    pub soft: Option<Limit>,
    pub verdict: Verdict,
    /// The industry prefix of the rule the thresholds came from ("" = the zone's default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_prefix: Option<String>,
    pub explanation: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
}

impl MetricResult {
    /// What this metric alone decides. No data counts as the worst the thresholds allow: a reject where
    /// there is a hard limit, conditions where there is only a soft band.
    pub fn decision(&self) -> Decision {
        match self.verdict {
            Verdict::Fail => Decision::Reject,
            Verdict::NoData if self.hard.is_some() => Decision::Reject,
            Verdict::NoData | Verdict::Conditional => Decision::AdmitWithConditions,
            Verdict::Pass | Verdict::NotSet => Decision::Admit,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdmissionResult {
    pub project: String,
    pub zone: String,
    pub industry_code: String,
    pub decision: Decision,
    /// Every metric, in the order of [`METRICS`].
    pub metrics: Vec<MetricResult>,
    /// Why the decision is not a plain admit: the explanations of the metrics that are not passed.
    pub reasons: Vec<Text>,
    /// What admission with conditions requires (the table's `conditions`), only for that decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Text>,
    pub summary: Text,
}

fn check_proposal(p: &Proposal, table: &Table) -> Result<usize, Vec<FieldError>> {
    let mut errors = Vec::new();
    let zone = table.def.zones.iter().position(|z| z.id == p.zone);
    if zone.is_none() {
        let known: Vec<&str> = table.def.zones.iter().map(|z| z.id.as_str()).collect();
        errors.push(FieldError::new(
            "zone",
            format!("未知区域“{}”，可选：{}", p.zone, known.join("、")),
            format!("unknown zone \"{}\"; the table has: {}", p.zone, known.join(", ")),
        ));
    }
    let code = p.industry_code.trim();
    if !(2..=4).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(FieldError::new(
            "industry_code",
            format!("行业代码“{}”无效：应为2至4位数字（GB/T 4754，如 3912）", p.industry_code),
            format!("invalid industry code \"{}\": use 2 to 4 digits (GB/T 4754, e.g. 3912)", p.industry_code),
        ));
    }
    if !(p.land_mu.is_finite() && p.land_mu > 0.0) {
        errors.push(FieldError::new(
            "land_mu",
            format!("用地面积必须大于0亩，不能是 {}", p.land_mu),
            format!("land must be above 0 mu, not {}", p.land_mu),
        ));
    }
    for (field, v) in [
        ("fixed_investment_wan", p.fixed_investment_wan),
        ("annual_output_wan", p.annual_output_wan),
        ("annual_tax_wan", p.annual_tax_wan),
        ("jobs", p.jobs),
        ("energy_tce", p.energy_tce),
        ("value_added_wan", p.value_added_wan),
        ("rd_wan", p.rd_wan),
    ] {
        if let Some(v) = v
            && !(v.is_finite() && v >= 0.0)
        {
            errors.push(FieldError::new(
                field,
                format!("必须是不小于0的数值，不能是 {v}"),
                format!("must be a number ≥ 0, not {v}"),
            ));
        }
    }
    match zone {
        Some(z) if errors.is_empty() => Ok(z),
        _ => Err(errors),
    }
}

/// Decides on a proposal. Each metric's thresholds come from the longest industry prefix among the zone's
/// rules that sets that metric, so an industry rule overrides only the metrics it names. Errors (unknown
/// zone, bad industry code, land ≤ 0, a negative or non-finite figure) name their field.
pub fn assess(p: &Proposal, table: &Table) -> Result<AdmissionResult, Vec<FieldError>> {
    let zone = check_proposal(p, table)?;
    let code = p.industry_code.trim();
    let rules = table.rules.get(zone).map(Vec::as_slice).unwrap_or_default();
    let mut metrics = Vec::new();
    for m in METRICS {
        let found = rules
            .iter()
            .filter(|(prefix, map)| code.starts_with(prefix.as_str()) && map.contains_key(&m))
            .max_by_key(|(prefix, _)| prefix.len())
            .and_then(|(prefix, map)| map.get(&m).map(|t| (prefix, t)));
        let computed = m.compute(p);
        let label = m.label();
        let mut r = MetricResult {
            metric: m,
            value: computed.as_ref().ok().map(|x| x.0),
            hard: None,
            soft: None,
            verdict: Verdict::NotSet,
            rule_prefix: None,
            explanation: Text::default(),
            note: None,
        };
        let (cmp, worse) = if m.lower_is_better() { ("≤", "高于") } else { ("≥", "低于") };
        let (limits_zh, limits_en) = match found {
            Some((_, t)) => {
                let mut zh = Vec::new();
                let mut en = Vec::new();
                let example = |l: &Limit| {
                    if l.confidence == Confidence::X { ("（示例值）", " (example value)") } else { ("", "") }
                };
                if let Some(h) = &t.hard {
                    let x = example(h);
                    zh.push(format!("准入线 {cmp} {}{}", m.show(h.value).zh, x.0));
                    en.push(format!("hard limit {cmp} {}{}", m.show(h.value).en, x.1));
                }
                if let Some(s) = &t.soft {
                    let x = example(s);
                    zh.push(format!("标准线 {cmp} {}{}", m.show(s.value).zh, x.0));
                    en.push(format!("soft band {cmp} {}{}", m.show(s.value).en, x.1));
                }
                (zh.join("，"), en.join(", "))
            }
            None => (String::new(), String::new()),
        };
        if let Some((prefix, t)) = found {
            r.hard = t.hard.clone();
            r.soft = t.soft.clone();
            r.rule_prefix = Some(prefix.clone());
            r.note = t.note.clone();
        }
        let verdict = match (&computed, found) {
            (_, None) => Verdict::NotSet,
            (Err(_), Some(_)) => Verdict::NoData,
            (Ok((v, _)), Some((_, t))) => {
                let misses = |limit: &Option<Limit>| {
                    limit.as_ref().is_some_and(|l| if m.lower_is_better() { *v > l.value } else { *v < l.value })
                };
                if misses(&t.hard) {
                    Verdict::Fail
                } else if misses(&t.soft) {
                    Verdict::Conditional
                } else {
                    Verdict::Pass
                }
            }
        };
        r.verdict = verdict;
        r.explanation = match &computed {
            Ok((v, how)) => {
                let shown = m.show(*v);
                let head_zh = format!("{} {}（= {}）", label.zh, shown.zh, how.zh);
                let head_en = format!("{} {} (= {})", label.en, shown.en, how.en);
                match verdict {
                    Verdict::NotSet => {
                        Text::new(format!("{head_zh}：未设阈值"), format!("{head_en}: no threshold set"))
                    }
                    Verdict::Pass => {
                        Text::new(format!("{head_zh}；{limits_zh}：达标"), format!("{head_en}; {limits_en}: passed"))
                    }
                    Verdict::Conditional => Text::new(
                        format!("{head_zh}，{worse}标准线；{limits_zh}：有条件准入"),
                        format!("{head_en}, short of the soft band; {limits_en}: admit with conditions"),
                    ),
                    _ => Text::new(
                        format!("{head_zh}，{worse}准入线；{limits_zh}：不予准入"),
                        format!("{head_en}, misses the hard limit; {limits_en}: reject"),
                    ),
                }
            }
            Err(why) => match verdict {
                Verdict::NotSet => Text::new(
                    format!("{}：无法计算（{}），未设阈值", label.zh, why.zh),
                    format!("{}: cannot be computed ({}), no threshold set", label.en, why.en),
                ),
                _ if r.hard.is_some() => Text::new(
                    format!("{}：无数据（{}）；{limits_zh}：不予准入", label.zh, why.zh),
                    format!("{}: no data ({}); {limits_en}: reject", label.en, why.en),
                ),
                _ => Text::new(
                    format!("{}：无数据（{}）；{limits_zh}：有条件准入（补充数据）", label.zh, why.zh),
                    format!(
                        "{}: no data ({}); {limits_en}: admit with conditions (supply the figure)",
                        label.en, why.en
                    ),
                ),
            },
        };
        metrics.push(r);
    }
    let decision = metrics.iter().map(MetricResult::decision).max().unwrap_or(Decision::Admit);
    let reasons: Vec<Text> = metrics
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Fail | Verdict::NoData | Verdict::Conditional))
        .map(|r| r.explanation.clone())
        .collect();
    let checked = metrics.iter().filter(|r| r.verdict != Verdict::NotSet).count();
    let summary = match decision {
        Decision::Admit => {
            Text::new(format!("予以准入：{checked}项指标均达标"), format!("admit: all {checked} checked metrics pass"))
        }
        Decision::AdmitWithConditions => {
            let n = metrics.iter().filter(|r| r.decision() == Decision::AdmitWithConditions).count();
            Text::new(
                format!("有条件准入：{n}项指标未达标准线或无数据，均无准入线问题"),
                format!(
                    "admit with conditions: {n} metric(s) short of the soft band or without data, no hard limit missed"
                ),
            )
        }
        Decision::Reject => {
            let n = metrics.iter().filter(|r| r.decision() == Decision::Reject).count();
            Text::new(
                format!("不予准入：{n}项指标未达准入线或无数据"),
                format!("reject: {n} metric(s) miss the hard limit or have no data"),
            )
        }
    };
    Ok(AdmissionResult {
        project: p.project.clone(),
        zone: p.zone.clone(),
        industry_code: code.to_string(),
        decision,
        metrics,
        reasons,
        conditions: (decision == Decision::AdmitWithConditions).then(|| table.def.conditions.clone()),
        summary,
    })
}

/// The example table Jiqun ships (`data/admission/example-thresholds.json`).
pub const EXAMPLE_JSON: &str = include_str!("../../../data/admission/example-thresholds.json");

pub fn example_table() -> Result<Table, Vec<FieldError>> {
    Table::from_json(EXAMPLE_JSON)
}
