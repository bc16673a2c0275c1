//! 芯片设计企业与终端应用企业对接合作: the chip/use categories that a chip a firm makes and a terminal maker's
//! need are filed under, which chains each serves and whether the plan gives it priority for domestic
//! substitution; a chip product's maturity; the product and the need themselves. The built-in categories
//! are data: `data/matching/categories.json`. The engine that pairs them is `jiqun_eval::matching`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::chains::Vocabulary;
use crate::datafile::{FieldError, Text, check_id, check_nonempty, check_text, parse_json};
use crate::{CityCode, date::Date, uscc::Uscc};

crate::labelled_enum! {
    /// How far a chip product has come, in order.
    pub enum Maturity {
        Research = "research", "研发", "in research";
        Sample = "sample", "样片", "samples";
        EngineeringValidation = "engineering_validation", "工程验证", "engineering validation";
        MassProduction = "mass_production", "量产", "mass production";
    }
}

crate::labelled_enum! {
    /// What came of a matchmaking meeting (对接结果). A signed contract and a trial count as cooperation
    /// for later matching; a signed contract is what `matches:signed` counts.
    pub enum MatchOutcome {
        Signed = "signed", "签订合同", "contract signed";
        Trial = "trial", "试用验证", "trial";
        NoFit = "no_fit", "未达成合作", "no fit";
    }
}

impl MatchOutcome {
    /// Whether the two firms have worked together after it.
    pub fn is_cooperation(self) -> bool {
        matches!(self, MatchOutcome::Signed | MatchOutcome::Trial)
    }
}

/// A chip/use category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub name: Text,
    /// The ids of the chains (see `chains::Vocabulary`) the category serves.
    pub chains: Vec<String>,
    /// The plan names it among the core chips whose self-reliance it wants raised (三（二）“提升核心芯片自主化
    /// 水平”) or that it wants developed first (三（三）“优先发展…5G高端芯片”), so a domestic supplier is preferred.
    pub substitution_priority: bool,
    /// The plan's sentence, or a note that the category is Jiqun's example and not named in the plan.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Categories {
    pub version: String,
    pub note: Text,
    pub categories: Vec<Category>,
}

const BUILTIN: &str = include_str!("../../../data/matching/categories.json");

impl Categories {
    /// The built-in categories, checked against the built-in chain vocabulary.
    pub fn builtin() -> &'static Categories {
        static C: std::sync::OnceLock<Categories> = std::sync::OnceLock::new();
        // Part of the build and checked by a test: a failure is a build defect.
        C.get_or_init(|| {
            Categories::parse(BUILTIN, Vocabulary::builtin()).unwrap_or_else(|e| {
                let list: Vec<String> = e.iter().map(|e| e.message(crate::Lang::En)).collect();
                panic!("built-in chip categories: {}", list.join("; "))
            })
        })
    }

    pub fn builtin_json() -> &'static str {
        BUILTIN
    }

    /// Reads and checks categories; chain ids must be the vocabulary's.
    pub fn parse(text: &str, chains: &Vocabulary) -> Result<Categories, Vec<FieldError>> {
        let c: Categories = parse_json(text)?;
        let mut errors = Vec::new();
        check_nonempty(&c.version, "version", &mut errors);
        check_text(&c.note, "note", &mut errors);
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, cat) in c.categories.iter().enumerate() {
            let p = format!("categories[{i}]");
            check_id(&cat.id, &format!("{p}.id"), &mut errors);
            if let Some(first) = seen.insert(&cat.id, i) {
                errors.push(FieldError::new(
                    format!("{p}.id"),
                    format!("“{}”与 categories[{first}].id 重复", cat.id),
                    format!("\"{}\" repeats categories[{first}].id", cat.id),
                ));
            }
            check_text(&cat.name, &format!("{p}.name"), &mut errors);
            check_nonempty(&cat.source, &format!("{p}.source"), &mut errors);
            if cat.chains.is_empty() {
                errors.push(FieldError::new(
                    format!("{p}.chains"),
                    "至少服务一条产业链",
                    "a category serves at least one chain",
                ));
            }
            for (j, ch) in cat.chains.iter().enumerate() {
                if chains.chain(ch).is_none() {
                    let known: Vec<&str> = chains.chains.iter().map(|c| c.id.as_str()).collect();
                    errors.push(FieldError::new(
                        format!("{p}.chains[{j}]"),
                        format!("“{ch}”不是产业链的标识，可选：{}", known.join("、")),
                        format!("\"{ch}\" is not a chain id; one of: {}", known.join(", ")),
                    ));
                }
            }
        }
        if errors.is_empty() { Ok(c) } else { Err(errors) }
    }

    pub fn get(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }
}

/// A chip a firm makes (or is developing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChipProduct {
    pub firm: Uscc,
    pub city: CityCode,
    /// A category id.
    pub category: String,
    /// The process node in nanometres, where known.
    #[serde(default)]
    pub process_node_nm: Option<u32>,
    pub maturity: Maturity,
    /// Pieces a year the firm can supply, where known.
    #[serde(default)]
    pub annual_volume: Option<u64>,
}

/// What a terminal maker needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TerminalNeed {
    pub firm: Uscc,
    pub city: CityCode,
    /// A category id.
    pub category: String,
    /// Pieces a year, where known.
    #[serde(default)]
    pub annual_volume: Option<u64>,
    /// By when the chip must be in mass production for the terminal.
    pub needed_by: Date,
    /// The requirements as the firm wrote them.
    pub requirements: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_categories_check_against_the_chains() {
        let c = Categories::builtin();
        assert!(c.get("mobile_cpu").is_some_and(|m| m.substitution_priority));
        assert!(Maturity::Sample < Maturity::MassProduction, "maturity orders");
    }
}
