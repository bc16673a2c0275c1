//! 芯片设计企业与终端应用企业对接: candidate pairs of a chip product and a terminal maker's need in the same
//! category, each with a score from 0 to 100 made of weighted components, every component with its reason.
//! Pure: products, needs, the cooperation already known and today's date come in. Rules: docs/matching.md.

use std::collections::BTreeSet;

use jiqun_domain::chains::Vocabulary;
use jiqun_domain::datafile::{FieldError, Text};
use jiqun_domain::date::Date;
use jiqun_domain::matching::{Categories, ChipProduct, Maturity, TerminalNeed};
use jiqun_domain::uscc::Uscc;
use jiqun_domain::{CityCode, Lang};
use serde::{Deserialize, Serialize};

use crate::definition::fmt_num;

/// The weight of each component; only their proportions matter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    pub category: f64,
    pub maturity: f64,
    pub volume: f64,
    pub proximity: f64,
    pub cooperation: f64,
    pub substitution: f64,
}

impl Default for Weights {
    fn default() -> Weights {
        Weights { category: 25.0, maturity: 25.0, volume: 15.0, proximity: 15.0, cooperation: 10.0, substitution: 10.0 }
    }
}

/// The months a product is assumed to need from its maturity to mass production: example values for the
/// plan owner to set, not industry facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LeadMonths {
    pub research: f64,
    pub sample: f64,
    pub engineering_validation: f64,
}

impl Default for LeadMonths {
    fn default() -> LeadMonths {
        LeadMonths { research: 24.0, sample: 12.0, engineering_validation: 6.0 }
    }
}

impl LeadMonths {
    pub fn of(&self, m: Maturity) -> f64 {
        match m {
            Maturity::Research => self.research,
            Maturity::Sample => self.sample,
            Maturity::EngineeringValidation => self.engineering_validation,
            Maturity::MassProduction => 0.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub weights: Weights,
    pub lead_months: LeadMonths,
}

impl Settings {
    /// Weights non-negative and finite, their sum above zero; lead times non-negative and finite.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let w = &self.weights;
        let mut errors = Vec::new();
        let all = [
            ("weights.category", w.category),
            ("weights.maturity", w.maturity),
            ("weights.volume", w.volume),
            ("weights.proximity", w.proximity),
            ("weights.cooperation", w.cooperation),
            ("weights.substitution", w.substitution),
            ("lead_months.research", self.lead_months.research),
            ("lead_months.sample", self.lead_months.sample),
            ("lead_months.engineering_validation", self.lead_months.engineering_validation),
        ];
        for (path, v) in all {
            if !(v.is_finite() && v >= 0.0) {
                errors.push(FieldError::new(path, "应为非负数", "must be a non-negative number"));
            }
        }
        let sum = all[..6].iter().map(|(_, v)| v).sum::<f64>();
        if errors.is_empty() && sum <= 0.0 {
            errors.push(FieldError::new("weights", "权重之和应大于 0", "the weights must add up to more than 0"));
        } else if errors.is_empty() && !sum.is_finite() {
            errors.push(FieldError::new("weights", "权重过大，无法相加", "the weights are too large to add up"));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// What the list is narrowed to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    /// Only categories serving this chain.
    pub chain: Option<String>,
    /// Only pairs with the product's or the need's firm in this city.
    pub city: Option<CityCode>,
}

/// The facts a match is made from.
#[derive(Debug, Clone)]
pub struct Market<'a> {
    pub products: &'a [ChipProduct],
    pub needs: &'a [TerminalNeed],
    /// (chip firm, terminal firm) pairs that have worked together before.
    pub prior_cooperation: &'a BTreeSet<(Uscc, Uscc)>,
    pub today: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    Category,
    Maturity,
    Volume,
    Proximity,
    Cooperation,
    Substitution,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentScore {
    pub component: Component,
    pub weight: f64,
    /// 0 to 1.
    pub fit: f64,
    /// weight × fit over the sum of weights, × 100: what the component adds to the score.
    pub points: f64,
    pub reason: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    /// Positions in the inputs.
    pub product: usize,
    pub need: usize,
    pub chip_firm: Uscc,
    pub terminal_firm: Uscc,
    pub category: String,
    /// 0 to 100, the sum of the components' points.
    pub score: f64,
    pub components: Vec<ComponentScore>,
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Candidate pairs, best first; equal scores in the order of chip firm, terminal firm, category, then the
/// inputs' order. A firm is not paired with itself.
pub fn candidates(
    market: &Market,
    categories: &Categories,
    chains: &Vocabulary,
    filter: &Filter,
    settings: &Settings,
) -> Result<Vec<Pair>, Vec<FieldError>> {
    let mut errors = settings.validate().err().unwrap_or_default();
    for (i, p) in market.products.iter().enumerate() {
        if categories.get(&p.category).is_none() {
            errors.push(unknown_category(&format!("products[{i}].category"), &p.category));
        }
    }
    for (i, n) in market.needs.iter().enumerate() {
        if categories.get(&n.category).is_none() {
            errors.push(unknown_category(&format!("needs[{i}].category"), &n.category));
        }
    }
    if let Some(c) = &filter.chain
        && chains.chain(c).is_none()
    {
        errors.push(FieldError::new("chain", format!("“{c}”不是产业链的标识"), format!("\"{c}\" is not a chain id")));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let w = &settings.weights;
    let total = w.category + w.maturity + w.volume + w.proximity + w.cooperation + w.substitution;
    let mut pairs = Vec::new();
    for (pi, p) in market.products.iter().enumerate() {
        let Some(category) = categories.get(&p.category) else { continue };
        if filter.chain.as_ref().is_some_and(|c| !category.chains.contains(c)) {
            continue;
        }
        for (ni, n) in market.needs.iter().enumerate() {
            if n.category != p.category || n.firm == p.firm {
                continue;
            }
            if filter.city.is_some_and(|c| p.city != c && n.city != c) {
                continue;
            }
            let mut parts = vec![
                (
                    Component::Category,
                    w.category,
                    1.0,
                    Text::new(
                        format!("类别相同：{}", category.name.zh),
                        format!("same category: {}", category.name.en),
                    ),
                ),
                with(Component::Maturity, w.maturity, maturity(p, n, market.today, &settings.lead_months)),
                with(Component::Volume, w.volume, volume(p, n)),
                with(Component::Proximity, w.proximity, proximity(p.city, n.city)),
            ];
            let known = market.prior_cooperation.contains(&(p.firm.clone(), n.firm.clone()));
            parts.push((
                Component::Cooperation,
                w.cooperation,
                if known { 1.0 } else { 0.0 },
                if known {
                    Text::new("双方有过合作", "the two firms have worked together before")
                } else {
                    Text::new("未见双方合作记录", "no record of the two firms working together")
                },
            ));
            parts.push((
                Component::Substitution,
                w.substitution,
                if category.substitution_priority { 1.0 } else { 0.0 },
                if category.substitution_priority {
                    Text::new(
                        "计划点名的核心芯片，国产替代优先",
                        "a core chip the plan names: domestic supply is a priority",
                    )
                } else {
                    Text::new("不在计划点名的优先类别中", "not among the priority categories the plan names")
                },
            ));
            let components: Vec<ComponentScore> = parts
                .into_iter()
                .map(|(component, weight, fit, reason)| ComponentScore {
                    component,
                    weight,
                    fit,
                    points: round2(weight * fit / total * 100.0),
                    reason,
                })
                .collect();
            let score = round2(components.iter().map(|c| c.weight * c.fit).sum::<f64>() / total * 100.0);
            pairs.push(Pair {
                product: pi,
                need: ni,
                chip_firm: p.firm.clone(),
                terminal_firm: n.firm.clone(),
                category: p.category.clone(),
                score,
                components,
            });
        }
    }
    pairs.sort_by(|a, b| {
        let hundredths = |p: &Pair| (p.score * 100.0).round() as i64;
        hundredths(b)
            .cmp(&hundredths(a))
            .then_with(|| a.chip_firm.cmp(&b.chip_firm))
            .then_with(|| a.terminal_firm.cmp(&b.terminal_firm))
            .then_with(|| a.category.cmp(&b.category))
            .then_with(|| (a.product, a.need).cmp(&(b.product, b.need)))
    });
    Ok(pairs)
}

fn unknown_category(path: &str, c: &str) -> FieldError {
    FieldError::new(path, format!("“{c}”不是芯片类别的标识"), format!("\"{c}\" is not a chip category id"))
}

/// A component's fit (0 to 1) and its reason.
type Fit = (f64, Text);

fn with(component: Component, weight: f64, (fit, reason): Fit) -> (Component, f64, f64, Text) {
    (component, weight, fit, reason)
}

fn maturity(p: &ChipProduct, n: &TerminalNeed, today: Date, lead: &LeadMonths) -> Fit {
    let months_left = (n.needed_by.days() - today.days()) as f64 / 30.44;
    let need = lead.of(p.maturity);
    let (zh_m, en_m) = (p.maturity.label(Lang::Zh), p.maturity.label(Lang::En));
    let left = fmt_num(months_left.max(0.0).round());
    let (fit, zh, en) = if need <= 0.0 {
        (1.0, format!("{zh_m}，可按期供货"), format!("{en_m}: can supply on time"))
    } else if months_left <= 0.0 {
        (
            0.0,
            format!("{zh_m}，需求日期 {} 已到，尚未量产", n.needed_by),
            format!("{en_m}: the need date {} has come and the chip is not in mass production", n.needed_by),
        )
    } else {
        let fit = (months_left / need).min(1.0);
        (
            fit,
            format!("{zh_m}，按设定约需 {} 个月到量产；距需求日期约 {left} 个月", fmt_num(need)),
            format!(
                "{en_m}: about {} months to mass production as set; about {left} months to the need date",
                fmt_num(need)
            ),
        )
    };
    (round2(fit), Text::new(zh, en))
}

/// A number of pieces as an official writes it: 500万颗, 2.5亿颗, 800颗; in English with thousands separators
/// (5,000,000 pieces).
pub fn pieces(n: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh if n >= 100_000_000 => format!("{}亿颗", fmt_num(n as f64 / 1e8)),
        Lang::Zh if n >= 10_000 => format!("{}万颗", fmt_num(n as f64 / 1e4)),
        Lang::Zh => format!("{n}颗"),
        Lang::En => {
            let digits = n.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            out.push_str(if n == 1 { " piece" } else { " pieces" });
            out
        }
    }
}

fn volume(p: &ChipProduct, n: &TerminalNeed) -> Fit {
    let (zh, en) = (|v| pieces(v, Lang::Zh), |v| pieces(v, Lang::En));
    let (fit, zh, en) = match (p.annual_volume, n.annual_volume) {
        (Some(s), Some(0)) => {
            (1.0, format!("年供货能力 {}，需求量为 0", zh(s)), format!("supplies {} a year; the need is 0", en(s)))
        }
        (Some(s), Some(d)) => {
            let fit = (s as f64 / d as f64).min(1.0);
            (
                fit,
                format!("年供货能力 {}，年需求 {}，可满足 {}%", zh(s), zh(d), fmt_num(fit * 100.0)),
                format!("supplies {} a year against a need of {}: {}% covered", en(s), en(d), fmt_num(fit * 100.0)),
            )
        }
        _ => (
            0.5,
            "供货能力或需求量未知，按中性计一半".into(),
            "supply or need volume unknown: counted as neutral (half)".into(),
        ),
    };
    (round2(fit), Text::new(zh, en))
}

fn proximity(a: CityCode, b: CityCode) -> Fit {
    let (ra, rb) = (&a.city().region, &b.city().region);
    let (fit, zh, en) = if a == b {
        (1.0, format!("同在{}", a.label(Lang::Zh)), format!("both in {}", a.label(Lang::En)))
    } else if ra == rb {
        (
            0.5,
            format!("{}与{}同属{ra}", a.label(Lang::Zh), b.label(Lang::Zh)),
            format!("{} and {} are both in {ra}", a.label(Lang::En), b.label(Lang::En)),
        )
    } else {
        (
            0.0,
            format!("{}（{ra}）与{}（{rb}）不在同一区域", a.label(Lang::Zh), b.label(Lang::Zh)),
            format!("{} ({ra}) and {} ({rb}) are in different regions", a.label(Lang::En), b.label(Lang::En)),
        )
    };
    (fit, Text::new(zh, en))
}
