//! Differentiated resource policy (差别化资源要素配置): per per-mu class (A/B/C/D/T), the electricity and
//! water surcharges and the priority for land quota, energy quota and credit, as a table read from data
//! (`data/policy/`). [`apply`] gives each enterprise its measures and each city a summary. The classes
//! come from the per-mu evaluation ([`crate::permu::Class`]); this module does not rate anyone.

use std::collections::{BTreeMap, BTreeSet};

use jiqun_domain::Lang;
use serde::{Deserialize, Serialize};

use crate::definition::{Confidence, FieldError, Source, Text, check_heading, check_text, fmt_num, parse_json};
use crate::permu::Class;

pub const CLASSES: [Class; 5] = [Class::A, Class::B, Class::C, Class::D, Class::T];

fn class_index(c: Class) -> usize {
    match c {
        Class::A => 0,
        Class::B => 1,
        Class::C => 2,
        Class::D => 3,
        Class::T => 4,
    }
}

/// "A" … "T" (either case, spaces around allowed) → the class, for inputs read from text.
pub fn parse_class(s: &str) -> Option<Class> {
    CLASSES.into_iter().find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
}

fn ser_class<S: serde::Serializer>(c: &Class, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.as_str())
}

/// How a class stands for a quota or for credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 优先保障
    Priority,
    /// 正常安排
    Normal,
    /// 从严控制 / 压减
    Restricted,
    /// 不予安排
    Excluded,
}

impl Level {
    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Level::Priority => ("优先保障", "priority"),
            Level::Normal => ("正常安排", "normal"),
            Level::Restricted => ("从严控制", "restricted"),
            Level::Excluded => ("不予安排", "excluded"),
        };
        lang.pick(zh, en)
    }
}

/// A class's standing for one lever; `order` ranks the classes that have priority (1 first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    pub level: Level,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<u8>,
}

/// The levers for one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Levers {
    /// 差别化电价: added to the tariff, 元/kWh.
    pub electricity_surcharge_yuan_per_kwh: f64,
    /// 差别化水价: added to the tariff, 元/m³.
    pub water_surcharge_yuan_per_m3: f64,
    /// 用地指标 (new land supply).
    pub land_quota: Allocation,
    /// 用能指标 (energy-use quota).
    pub energy_quota: Allocation,
    /// 信贷 (bank-credit support).
    pub credit: Allocation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
}

/// A policy table as written in its data file: `classes` has exactly the keys A, B, C, D and T.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDef {
    pub id: String,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Confidence X marks a table of example values.
    pub source: Source,
    pub classes: BTreeMap<String, Levers>,
}

/// A validated policy table: only [`Policy::from_json`] and [`Policy::from_def`] make one.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    def: PolicyDef,
    levers: Vec<Levers>,
}

/// Surcharges above these are almost surely a unit mistake (元/MWh or 元/吨 entered as 元/kWh or 元/m³).
const MAX_ELECTRICITY: f64 = 5.0;
const MAX_WATER: f64 = 50.0;

impl Policy {
    pub fn from_json(text: &str) -> Result<Policy, Vec<FieldError>> {
        Policy::from_def(parse_json(text)?)
    }

    pub fn from_def(def: PolicyDef) -> Result<Policy, Vec<FieldError>> {
        let mut errors = Vec::new();
        check_heading(&def.id, &def.name, def.description.as_ref(), &mut errors);
        def.source.validate("source", &mut errors);
        let known: BTreeSet<&str> = CLASSES.iter().map(|c| c.as_str()).collect();
        for k in def.classes.keys() {
            if !known.contains(k.as_str()) {
                errors.push(FieldError::new(
                    format!("classes.{k}"),
                    format!("未知类别“{k}”，应为 A、B、C、D、T"),
                    format!("unknown class \"{k}\": use A, B, C, D or T"),
                ));
            }
        }
        let mut levers = Vec::new();
        for c in CLASSES {
            let path = format!("classes.{}", c.as_str());
            let Some(l) = def.classes.get(c.as_str()) else {
                errors.push(FieldError::new(
                    path,
                    format!("缺少类别 {} 的政策", c.as_str()),
                    format!("the policy for class {} is missing", c.as_str()),
                ));
                continue;
            };
            for (field, v, max, unit_zh, unit_en) in [
                (
                    "electricity_surcharge_yuan_per_kwh",
                    l.electricity_surcharge_yuan_per_kwh,
                    MAX_ELECTRICITY,
                    "元/千瓦时",
                    "yuan/kWh",
                ),
                ("water_surcharge_yuan_per_m3", l.water_surcharge_yuan_per_m3, MAX_WATER, "元/立方米", "yuan/m³"),
            ] {
                if !(v.is_finite() && v >= 0.0) {
                    errors.push(FieldError::new(
                        format!("{path}.{field}"),
                        format!("加价必须是不小于0的数值，不能是 {v}"),
                        format!("a surcharge must be a number ≥ 0, not {v}"),
                    ));
                } else if v > max {
                    errors.push(FieldError::new(
                        format!("{path}.{field}"),
                        format!("加价 {v} {unit_zh} 超过 {max}，可能是单位错误（应以{unit_zh}计）"),
                        format!(
                            "a surcharge of {v} {unit_en} is above {max}: probably a unit mistake (it is in {unit_en})"
                        ),
                    ));
                }
            }
            for (field, a) in [("land_quota", l.land_quota), ("energy_quota", l.energy_quota), ("credit", l.credit)] {
                match (a.level, a.order) {
                    (Level::Priority, Some(0)) => errors.push(FieldError::new(
                        format!("{path}.{field}.order"),
                        "优先顺序从1开始",
                        "the order starts at 1",
                    )),
                    (Level::Priority, _) | (_, None) => {}
                    (_, Some(_)) => errors.push(FieldError::new(
                        format!("{path}.{field}.order"),
                        "只有 priority（优先保障）才有优先顺序",
                        "only level priority takes an order",
                    )),
                }
            }
            if let Some(n) = &l.note {
                check_text(n, &format!("{path}.note"), &mut errors);
            }
            levers.push(l.clone());
        }
        if errors.is_empty() { Ok(Policy { def, levers }) } else { Err(errors) }
    }

    pub fn def(&self) -> &PolicyDef {
        &self.def
    }

    /// True when the table is Jiqun's example (confidence X), which the UI must say.
    pub fn is_example(&self) -> bool {
        self.def.source.confidence == Confidence::X
    }

    pub fn levers(&self, c: Class) -> Option<&Levers> {
        self.levers.get(class_index(c))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.def).unwrap_or_default()
    }
}

/// One enterprise's class and consumption. Electricity in MWh (as the per-mu input has it), water in m³.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyInput {
    pub enterprise: String,
    pub city: String,
    pub class: Class,
    pub electricity_mwh: Option<f64>,
    pub water_m3: Option<f64>,
}

/// What the policy means for one enterprise. Surcharge estimates in 元 per year; None when the
/// consumption is missing or invalid and the rate is not 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measures {
    pub enterprise: String,
    pub city: String,
    #[serde(serialize_with = "ser_class")]
    pub class: Class,
    pub electricity_surcharge_yuan_per_kwh: f64,
    pub electricity_surcharge_yuan: Option<f64>,
    pub water_surcharge_yuan_per_m3: f64,
    pub water_surcharge_yuan: Option<f64>,
    pub land_quota: Allocation,
    pub energy_quota: Allocation,
    pub credit: Allocation,
    /// Why an estimate is missing, and the class's note.
    pub notes: Vec<Text>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ClassCounts {
    #[serde(rename = "A")]
    pub a: usize,
    #[serde(rename = "B")]
    pub b: usize,
    #[serde(rename = "C")]
    pub c: usize,
    #[serde(rename = "D")]
    pub d: usize,
    #[serde(rename = "T")]
    pub t: usize,
}

impl ClassCounts {
    pub fn get(&self, c: Class) -> usize {
        match c {
            Class::A => self.a,
            Class::B => self.b,
            Class::C => self.c,
            Class::D => self.d,
            Class::T => self.t,
        }
    }

    fn add(&mut self, c: Class) {
        let slot = match c {
            Class::A => &mut self.a,
            Class::B => &mut self.b,
            Class::C => &mut self.c,
            Class::D => &mut self.d,
            Class::T => &mut self.t,
        };
        *slot += 1;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LevelCounts {
    pub priority: usize,
    pub normal: usize,
    pub restricted: usize,
    pub excluded: usize,
}

impl LevelCounts {
    fn add(&mut self, l: Level) {
        let slot = match l {
            Level::Priority => &mut self.priority,
            Level::Normal => &mut self.normal,
            Level::Restricted => &mut self.restricted,
            Level::Excluded => &mut self.excluded,
        };
        *slot += 1;
    }
}

/// A city's (or the province's) totals.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct CitySummary {
    pub city: String,
    pub enterprises: usize,
    pub by_class: ClassCounts,
    /// Estimated surcharge revenue, 元 per year, over the enterprises with an estimate.
    pub electricity_surcharge_yuan: f64,
    pub water_surcharge_yuan: f64,
    /// Enterprises liable to a surcharge whose consumption is missing: the totals are then lower bounds.
    pub electricity_missing: usize,
    pub water_missing: usize,
    pub land_quota: LevelCounts,
    pub energy_quota: LevelCounts,
    pub credit: LevelCounts,
}

impl CitySummary {
    fn add(&mut self, m: &Measures) {
        self.enterprises += 1;
        self.by_class.add(m.class);
        match m.electricity_surcharge_yuan {
            Some(v) => self.electricity_surcharge_yuan += v,
            None => self.electricity_missing += 1,
        }
        match m.water_surcharge_yuan {
            Some(v) => self.water_surcharge_yuan += v,
            None => self.water_missing += 1,
        }
        self.land_quota.add(m.land_quota.level);
        self.energy_quota.add(m.energy_quota.level);
        self.credit.add(m.credit.level);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyOutcome {
    pub policy: String,
    /// The table is Jiqun's example: say so wherever its figures are shown.
    pub example: bool,
    /// In the input's order.
    pub measures: Vec<Measures>,
    /// One per city, by city name.
    pub cities: Vec<CitySummary>,
    /// All cities together (`city` is empty).
    pub total: CitySummary,
}

/// rate × quantity, or why there is no estimate. A rate of 0 needs no data.
fn surcharge(rate: f64, qty: Option<f64>, per: f64, what: (&str, &str)) -> (Option<f64>, Option<Text>) {
    if rate == 0.0 {
        return (Some(0.0), None);
    }
    match qty {
        Some(q) if q.is_finite() && q >= 0.0 && (rate * q * per).is_finite() => (Some(rate * q * per), None),
        Some(q) => (
            None,
            Some(Text::new(
                format!("{}数据无效（{}），无法估算加价", what.0, fmt_num(q)),
                format!("{} figure invalid ({}): no surcharge estimate", what.1, fmt_num(q)),
            )),
        ),
        None => (
            None,
            Some(Text::new(
                format!("缺少{}数据，无法估算加价", what.0),
                format!("no {} figure: no surcharge estimate", what.1),
            )),
        ),
    }
}

/// Applies the policy to each enterprise and sums it up per city.
pub fn apply(inputs: &[PolicyInput], policy: &Policy) -> PolicyOutcome {
    let mut measures = Vec::with_capacity(inputs.len());
    for e in inputs {
        // The table always has five classes once validated; an impossible gap falls back to neutral levers.
        let neutral = Levers {
            electricity_surcharge_yuan_per_kwh: 0.0,
            water_surcharge_yuan_per_m3: 0.0,
            land_quota: Allocation { level: Level::Normal, order: None },
            energy_quota: Allocation { level: Level::Normal, order: None },
            credit: Allocation { level: Level::Normal, order: None },
            note: None,
        };
        let l = policy.levers(e.class).unwrap_or(&neutral);
        let mut notes = Vec::new();
        let (elec, n1) =
            surcharge(l.electricity_surcharge_yuan_per_kwh, e.electricity_mwh, 1000.0, ("用电量", "electricity"));
        let (water, n2) = surcharge(l.water_surcharge_yuan_per_m3, e.water_m3, 1.0, ("用水量", "water"));
        notes.extend(n1);
        notes.extend(n2);
        notes.extend(l.note.clone());
        measures.push(Measures {
            enterprise: e.enterprise.clone(),
            city: e.city.clone(),
            class: e.class,
            electricity_surcharge_yuan_per_kwh: l.electricity_surcharge_yuan_per_kwh,
            electricity_surcharge_yuan: elec,
            water_surcharge_yuan_per_m3: l.water_surcharge_yuan_per_m3,
            water_surcharge_yuan: water,
            land_quota: l.land_quota,
            energy_quota: l.energy_quota,
            credit: l.credit,
            notes,
        });
    }
    let mut cities: BTreeMap<&str, CitySummary> = BTreeMap::new();
    let mut total = CitySummary::default();
    for m in &measures {
        cities
            .entry(m.city.as_str())
            .or_insert_with(|| CitySummary { city: m.city.clone(), ..Default::default() })
            .add(m);
        total.add(m);
    }
    PolicyOutcome {
        policy: policy.def.id.clone(),
        example: policy.is_example(),
        cities: cities.into_values().collect(),
        measures,
        total,
    }
}

/// The example table Jiqun ships (`data/policy/example-differentiated.json`).
pub const EXAMPLE_JSON: &str = include_str!("../../../data/policy/example-differentiated.json");

pub fn example_policy() -> Result<Policy, Vec<FieldError>> {
    Policy::from_json(EXAMPLE_JSON)
}
