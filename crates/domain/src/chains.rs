//! The chain vocabulary of 稳链强链补链: the plan's industrial chains, their nodes (环节) with tier and
//! segment, and the resolution of the free text older records hold (`chain_nodes`) to a node — by exact
//! match only, never by guessing. The built-in vocabulary is data: `data/chains/guangdong-ngit-cluster-2025.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::datafile::{FieldError, Text, check_id, check_nonempty, check_text, normalise, parse_json};

crate::labelled_enum! {
    /// Where a node sits in its chain.
    pub enum Tier {
        Upstream = "upstream", "上游", "upstream";
        Midstream = "midstream", "中游", "midstream";
        Downstream = "downstream", "下游", "downstream";
    }
}

crate::labelled_enum! {
    /// The kind of link a node is. The first nine are the plan's 重点环节 (三、重点工程（一）: “围绕原材料、基础
    /// 工艺、核心零部件、芯片及电子元器件、生产设备、检验检测设备、控制软件、设计软件、操作系统等重点环节”).
    /// The last two are for the downstream ends the plan also names: products (三（四）“手机、平板、智能可穿
    /// 戴设备、智能网联汽车等消费类终端”, 三（三）“面向5G网络全系列网络产品”) and applications (三（七）“在智能
    /// 制造、智能医疗、智能交通等领域实施一批示范项目”), which none of the nine covers.
    pub enum Segment {
        RawMaterials = "raw_materials", "原材料", "raw materials";
        BasicProcesses = "basic_processes", "基础工艺", "basic processes";
        CoreParts = "core_parts", "核心零部件", "core parts";
        ChipsAndComponents = "chips_and_components", "芯片及电子元器件", "chips and electronic components";
        ProductionEquipment = "production_equipment", "生产设备", "production equipment";
        TestEquipment = "test_equipment", "检验检测设备", "inspection and testing equipment";
        ControlSoftware = "control_software", "控制软件", "control software";
        DesignSoftware = "design_software", "设计软件", "design software";
        OperatingSystems = "operating_systems", "操作系统", "operating systems";
        EndProducts = "end_products", "整机与终端", "end products and terminals";
        Applications = "applications", "应用与服务", "applications and services";
    }
}

crate::labelled_enum! {
    /// What a firm does on a node.
    pub enum FirmRole {
        Leader = "leader", "链主（龙头）企业", "chain leader";
        Producer = "producer", "生产企业", "producer";
        Supplier = "supplier", "配套企业", "supplier";
        Research = "research", "研发设计企业", "research and design";
    }
}

/// The six chain ids the backbone directory (`data/libraries/backbone-directory.json`) and stored
/// designations use; the built-in vocabulary keeps them as they are.
pub const LEGACY_CHAIN_IDS: [&str; 6] =
    ["ultra_hd_video", "next_gen_network", "smart_terminal", "ai", "iot", "auto_electronics"];

/// Where the vocabulary comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VocabularySource {
    /// The plan, as one would cite it.
    pub citation: String,
    /// What the vocabulary adds to the plan's words, and what it does not claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vocabulary {
    pub version: String,
    pub source: VocabularySource,
    pub chains: Vec<Chain>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chain {
    pub id: String,
    /// The plan's own wording in `zh`.
    pub name: Text,
    /// Where the plan names the chain: `三(一)` (programme 1 of part three).
    pub plan_item: String,
    /// Other names the chain goes by in the plan or in stored data (`新一代通信与网络（5G）`).
    pub aliases: Vec<String>,
    /// The plan's sentence(s) the chain comes from.
    pub source: String,
    pub nodes: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// Unique in the vocabulary: `ultra_hd_video.chips_and_components`.
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub tier: Tier,
    pub segment: Segment,
    pub aliases: Vec<String>,
    /// Names the node had in earlier versions of the vocabulary, so that text stored then still resolves.
    pub renamed_from: Vec<String>,
    /// The plan's sentence the node comes from.
    pub source: String,
}

/// What a text names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Resolution {
    /// Exactly one node.
    Node { chain: String, node: String },
    /// A chain as a whole (`集成电路`), no node of it.
    Chain { chain: String },
    /// Nodes of several chains bear this name (`原材料`); the chain must be said (see `resolve_in`).
    Ambiguous { text: String, candidates: Vec<(String, String)> },
    /// Nothing; the text is kept as it was, to be assigned by a person.
    Unassigned { text: String },
}

// The JSON form, with tier and segment as text so that an unknown value is an error naming its field.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVocabulary {
    version: String,
    source: VocabularySource,
    chains: Vec<RawChain>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChain {
    id: String,
    name: Text,
    plan_item: String,
    #[serde(default)]
    aliases: Vec<String>,
    source: String,
    nodes: Vec<RawNode>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    id: String,
    name_zh: String,
    name_en: String,
    tier: String,
    segment: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    renamed_from: Vec<String>,
    source: String,
}

const BUILTIN: &str = include_str!("../../../data/chains/guangdong-ngit-cluster-2025.json");

impl Vocabulary {
    /// The built-in vocabulary of the built-in plan.
    pub fn builtin() -> &'static Vocabulary {
        static V: std::sync::OnceLock<Vocabulary> = std::sync::OnceLock::new();
        // The file is part of the build and checked by a test, so a failure is a build defect.
        V.get_or_init(|| {
            Vocabulary::parse(BUILTIN).unwrap_or_else(|e| {
                let list: Vec<String> = e.iter().map(|e| e.message(crate::Lang::En)).collect();
                panic!("built-in chain vocabulary: {}", list.join("; "))
            })
        })
    }

    /// The built-in file's text (for export and for tests that edit it).
    pub fn builtin_json() -> &'static str {
        BUILTIN
    }

    /// Reads and checks a vocabulary; every problem found is returned, each naming its field.
    pub fn parse(text: &str) -> Result<Vocabulary, Vec<FieldError>> {
        let raw: RawVocabulary = parse_json(text)?;
        let mut errors = Vec::new();
        check_nonempty(&raw.version, "version", &mut errors);
        check_nonempty(&raw.source.citation, "source.citation", &mut errors);
        if let Some(n) = &raw.source.note {
            check_text(n, "source.note", &mut errors);
        }
        if raw.chains.is_empty() {
            errors.push(FieldError::new("chains", "至少要有一条产业链", "at least one chain is required"));
        }
        // First the chains: their ids, names and aliases, each naming at most one chain.
        let mut chain_ids: BTreeMap<&str, usize> = BTreeMap::new();
        let mut chain_keys: BTreeMap<String, String> = BTreeMap::new();
        for (ci, c) in raw.chains.iter().enumerate() {
            let p = format!("chains[{ci}]");
            check_id(&c.id, &format!("{p}.id"), &mut errors);
            if let Some(first) = chain_ids.insert(&c.id, ci) {
                errors.push(dup(&format!("{p}.id"), &c.id, &format!("chains[{first}].id")));
            }
            check_text(&c.name, &format!("{p}.name"), &mut errors);
            check_nonempty(&c.plan_item, &format!("{p}.plan_item"), &mut errors);
            check_nonempty(&c.source, &format!("{p}.source"), &mut errors);
            if c.nodes.is_empty() {
                errors.push(FieldError::new(format!("{p}.nodes"), "至少要有一个环节", "at least one node is required"));
            }
            let keys = [("id", c.id.as_str()), ("name.zh", &c.name.zh), ("name.en", &c.name.en)]
                .into_iter()
                .map(|(f, k)| (f.to_string(), k))
                .chain(c.aliases.iter().enumerate().map(|(i, a)| (format!("aliases[{i}]"), a.as_str())));
            for (field, key) in keys {
                let path = format!("{p}.{field}");
                if field.starts_with("aliases") {
                    check_nonempty(key, &path, &mut errors);
                }
                let k = normalise(key);
                if k.is_empty() {
                    continue;
                }
                match chain_keys.get(&k) {
                    Some(other) if !other.starts_with(&format!("{p}.")) => errors.push(dup(&path, key, other)),
                    Some(_) => {}
                    None => {
                        chain_keys.insert(k, path);
                    }
                }
            }
        }
        // Then the nodes: ids unique in the vocabulary; names unique within their chain and unlike any chain's.
        let mut node_ids: BTreeMap<String, String> = BTreeMap::new();
        let mut chains = Vec::new();
        for (ci, c) in raw.chains.into_iter().enumerate() {
            let p = format!("chains[{ci}]");
            let mut node_keys: BTreeMap<String, String> = BTreeMap::new();
            let mut nodes = Vec::new();
            for (ni, n) in c.nodes.into_iter().enumerate() {
                let np = format!("{p}.nodes[{ni}]");
                check_id(&n.id, &format!("{np}.id"), &mut errors);
                if let Some(first) = node_ids.insert(n.id.clone(), np.clone()) {
                    errors.push(dup(&format!("{np}.id"), &n.id, &format!("{first}.id")));
                }
                check_nonempty(&n.source, &format!("{np}.source"), &mut errors);
                let tier = Tier::parse(&n.tier);
                if tier.is_none() {
                    errors.push(unknown(&format!("{np}.tier"), &n.tier, &Tier::ALL.map(Tier::as_str)));
                }
                let segment = Segment::parse(&n.segment);
                if segment.is_none() {
                    errors.push(unknown(&format!("{np}.segment"), &n.segment, &Segment::ALL.map(Segment::as_str)));
                }
                let keys = [("id", n.id.as_str()), ("name_zh", &n.name_zh), ("name_en", &n.name_en)]
                    .into_iter()
                    .map(|(f, k)| (f.to_string(), k))
                    .chain(n.aliases.iter().enumerate().map(|(i, a)| (format!("aliases[{i}]"), a.as_str())))
                    .chain(n.renamed_from.iter().enumerate().map(|(i, a)| (format!("renamed_from[{i}]"), a.as_str())));
                for (field, key) in keys {
                    let path = format!("{np}.{field}");
                    if field != "id" {
                        check_nonempty(key, &path, &mut errors);
                    }
                    let k = normalise(key);
                    if k.is_empty() {
                        continue;
                    }
                    if let Some(chain_path) = chain_keys.get(&k) {
                        errors.push(dup(&path, key, chain_path));
                        continue;
                    }
                    match node_keys.get(&k) {
                        Some(other) if !other.starts_with(&format!("{np}.")) => errors.push(dup(&path, key, other)),
                        Some(_) => {}
                        None => {
                            node_keys.insert(k, path);
                        }
                    }
                }
                if let (Some(tier), Some(segment)) = (tier, segment) {
                    nodes.push(Node {
                        id: n.id,
                        name_zh: n.name_zh,
                        name_en: n.name_en,
                        tier,
                        segment,
                        aliases: n.aliases,
                        renamed_from: n.renamed_from,
                        source: n.source,
                    });
                }
            }
            chains.push(Chain {
                id: c.id,
                name: c.name,
                plan_item: c.plan_item,
                aliases: c.aliases,
                source: c.source,
                nodes,
            });
        }
        if errors.is_empty() {
            Ok(Vocabulary { version: raw.version, source: raw.source, chains })
        } else {
            Err(errors)
        }
    }

    pub fn chain(&self, id: &str) -> Option<&Chain> {
        self.chains.iter().find(|c| c.id == id)
    }

    /// The node and its chain.
    pub fn node(&self, id: &str) -> Option<(&Chain, &Node)> {
        self.chains.iter().find_map(|c| c.nodes.iter().find(|n| n.id == id).map(|n| (c, n)))
    }

    /// The chain a legacy chain id (one of [`LEGACY_CHAIN_IDS`]) stands for; `None` for anything else.
    pub fn legacy_chain(&self, legacy_id: &str) -> Option<&Chain> {
        LEGACY_CHAIN_IDS.contains(&legacy_id.trim()).then(|| self.chain(legacy_id.trim())).flatten()
    }

    /// What a text names, by exact match (after [`normalise`]) of a node's id, names, aliases or former
    /// names, or of a chain's id, names or aliases. Never a guess: a text that matches nothing is
    /// `Unassigned`, one that matches nodes of several chains is `Ambiguous`.
    pub fn resolve(&self, text: &str) -> Resolution {
        self.resolve_among(text, self.chains.iter())
    }

    /// As [`Vocabulary::resolve`], among one chain's nodes only (records that say their chain, such as a
    /// backbone designation). An unknown chain resolves nothing.
    pub fn resolve_in(&self, chain: &str, text: &str) -> Resolution {
        self.resolve_among(text, self.chains.iter().filter(|c| c.id == chain))
    }

    fn resolve_among<'a>(&'a self, text: &str, chains: impl Iterator<Item = &'a Chain>) -> Resolution {
        let key = normalise(text);
        if key.is_empty() {
            return Resolution::Unassigned { text: text.to_string() };
        }
        let mut found: Vec<(String, String)> = Vec::new();
        let mut chain_hit = None;
        for c in chains {
            if c.keys().any(|k| normalise(k) == key) {
                chain_hit = Some(c.id.clone());
            }
            if let Some(n) = c.nodes.iter().find(|n| n.keys().any(|k| normalise(k) == key)) {
                found.push((c.id.clone(), n.id.clone()));
            }
        }
        match (found.len(), chain_hit) {
            (0, Some(chain)) => Resolution::Chain { chain },
            (0, None) => Resolution::Unassigned { text: text.to_string() },
            (1, _) => {
                let (chain, node) = found.swap_remove(0);
                Resolution::Node { chain, node }
            }
            _ => Resolution::Ambiguous { text: text.to_string(), candidates: found },
        }
    }
}

impl Chain {
    fn keys(&self) -> impl Iterator<Item = &str> {
        [self.id.as_str(), &self.name.zh, &self.name.en].into_iter().chain(self.aliases.iter().map(String::as_str))
    }
}

impl Node {
    fn keys(&self) -> impl Iterator<Item = &str> {
        [self.id.as_str(), &self.name_zh, &self.name_en]
            .into_iter()
            .chain(self.aliases.iter().map(String::as_str))
            .chain(self.renamed_from.iter().map(String::as_str))
    }
}

fn dup(path: &str, value: &str, other: &str) -> FieldError {
    FieldError::new(
        path,
        format!("“{value}”与 {other} 重复（比较时忽略全角半角、空白和英文大小写）"),
        format!("\"{value}\" repeats {other} (compared ignoring full/half width, white space and ASCII case)"),
    )
}

fn unknown(path: &str, value: &str, known: &[&str]) -> FieldError {
    FieldError::new(
        path,
        format!("“{value}”不是可用的值，可选：{}", known.join("、")),
        format!("\"{value}\" is not a known value; one of: {}", known.join(", ")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_keeps_the_legacy_ids() {
        let v = Vocabulary::builtin();
        for id in LEGACY_CHAIN_IDS {
            assert_eq!(v.legacy_chain(id).map(|c| c.id.as_str()), Some(id));
        }
        assert!(v.legacy_chain("integrated_circuits").is_none(), "not a legacy id");
        assert_eq!(Tier::parse("upstream"), Some(Tier::Upstream));
        assert_eq!(Segment::ChipsAndComponents.label(crate::Lang::Zh), "芯片及电子元器件");
    }
}
