//! The chain map (稳链强链补链): the chain vocabulary in force, the firms, projects and bases on each
//! node, the gap analysis with the attraction and technology lists, and the names that match no node.
//!
//! Which node an enterprise's or a project's `chain_nodes` text names is worked out whenever the map is
//! read: by exact match against the vocabulary (its names, aliases and former names), or by a person's
//! decision recorded for that text. A text that matches nothing stays as it was and is listed as
//! unassigned, with the records that hold it, for a person to resolve; nothing is guessed. The analysis
//! itself is the engine's (`jiqun_eval::chains`); this module gathers its facts and decides who may see
//! and change what.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use jiqun_domain::bases::BaseKind;
use jiqun_domain::chains::{FirmRole, Node, Resolution, Segment, Tier, Vocabulary};
use jiqun_domain::datafile::Text;
use jiqun_domain::projects::ProjectStage;
use jiqun_domain::uscc::Uscc;
use jiqun_eval::chains::{self as engine, Analysis, Dependency, Facts, FirmFact, ListEntry, NodeReport, Settings};
use jiqun_store::{EnterpriseRow, ProjectFilter, ProjectRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::invalid_fields;
use crate::input::limit_text;
use crate::{Action, App, AppError, AppResult, Session};

/// The settings key of the gap analysis's settings (JSON of `jiqun_eval::chains::Settings`).
const SETTINGS_KEY: &str = "chain_settings";
/// The registry figures the analysis reads: revenue, and value added as the measure of output.
const REVENUE: &str = "revenue_wan";
const OUTPUT: &str = "value_added_wan";

/// A chain as the list shows it (contract §3: `id` and `name`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainSummary {
    pub id: String,
    /// The plan's own wording.
    pub name: String,
    pub name_en: String,
    /// Where the plan names it (`三(一)`).
    pub plan_item: String,
    pub nodes: usize,
    /// Firms on any of its nodes (a firm on two nodes counts once).
    pub firms: usize,
    /// Nodes with at least one gap.
    pub nodes_with_gaps: usize,
    /// Nodes without a firm in the province.
    pub empty_nodes: usize,
}

/// The chains, the two lists made from their gaps, and what the analysis rests on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainOverview {
    /// The vocabulary in force: its saved version, or null for the built-in one.
    pub vocabulary_version: Option<i64>,
    /// Where the vocabulary comes from.
    pub citation: String,
    /// The year of the registry figures the shares are computed from (the latest with figures).
    pub figures_year: Option<i64>,
    pub chains: Vec<ChainSummary>,
    /// 招商清单: gaps to be closed by attracting firms, most urgent first, each with its reasons.
    pub attraction_list: Vec<ListEntry>,
    pub attraction_rule: Text,
    /// 技术攻关清单: gaps to be closed by research (candidates for an open challenge).
    pub technology_list: Vec<ListEntry>,
    pub technology_rule: Text,
    pub settings: Settings,
    /// Names held by enterprises or projects that match no node (see `/api/v1/chains/unassigned`).
    pub unassigned: usize,
}

/// Whether a node depends on supply from outside the province, as recorded with its source.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ChainDependency)]
pub struct DependencyInput {
    pub outside: bool,
    /// The document or survey that says so; required when `outside` is true.
    #[serde(default)]
    pub source: String,
}

/// A node with what the vocabulary says of it and what the analysis found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainNodeView {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub tier: Tier,
    pub segment: Segment,
    pub aliases: Vec<String>,
    pub renamed_from: Vec<String>,
    /// The plan's sentence the node comes from.
    pub source: String,
    /// Recorded outside dependency, if any has been recorded.
    pub dependency: Option<DependencyInput>,
    /// The node's revenue and value added are withheld (shown as 0, their shares as null, the output part
    /// of the strength without its figure): fewer than three firms sit on it, so a sum would give away a
    /// firm's figures, and the reader does not read every firm's figures.
    pub figures_withheld: bool,
    pub report: NodeReport,
}

/// One chain, node by node.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainDetail {
    /// The chain as the list shows it, for the pages. Not serialised as it is: its `nodes` is a count, and
    /// here `nodes` is the list of nodes (flattened, the two gave one object the key `nodes` twice).
    #[serde(skip)]
    pub summary: ChainSummary,
    pub id: String,
    /// The plan's own wording.
    pub name: String,
    pub name_en: String,
    /// Where the plan names it (`三(一)`).
    pub plan_item: String,
    /// Firms on any of its nodes (a firm on two nodes counts once).
    pub firms: usize,
    /// Nodes with at least one gap.
    pub nodes_with_gaps: usize,
    /// Nodes without a firm in the province.
    pub empty_nodes: usize,
    pub source: String,
    pub figures_year: Option<i64>,
    pub settings: Settings,
    pub nodes: Vec<ChainNodeView>,
}

/// A gap of a chain's node, as `/api/v1/chains/{id}/gaps` lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainGapView {
    pub node: String,
    pub name_zh: String,
    pub name_en: String,
    pub tier: Tier,
    pub segment: Segment,
    pub strength: f64,
    #[serde(flatten)]
    pub gap: engine::Gap,
}

/// A firm on a node.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainNodeFirm {
    pub enterprise_id: i64,
    pub name: String,
    pub uscc: String,
    pub city: jiqun_domain::CityCode,
    pub role: FirmRole,
    pub capacity: String,
    /// `text`: its `chain_nodes` names the node; `recorded`: someone put it there with its role.
    pub placed_by: String,
    pub backbone: bool,
    pub in_library: bool,
}

/// A project on a node.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainNodeProject {
    pub id: i64,
    pub name: String,
    pub city: String,
    pub stage: ProjectStage,
}

/// A base on a node.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainNodeBase {
    pub id: i64,
    pub name: String,
    pub kind: BaseKind,
    pub city: String,
    pub withdrawn: bool,
}

/// One node with the firms, projects and bases on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainNodeDetail {
    pub chain: ChainSummary,
    pub node: ChainNodeView,
    pub firms: Vec<ChainNodeFirm>,
    pub projects: Vec<ChainNodeProject>,
    pub bases: Vec<ChainNodeBase>,
}

/// A record holding an unassigned name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainHolder {
    /// `enterprise` or `project`.
    pub kind: String,
    pub id: i64,
    pub name: String,
}

/// A name that matches no node, with the records that hold it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainUnassigned {
    pub text: String,
    /// Why it is unassigned: `no_match`, `whole_chain` (it names a chain, not a node) or `ambiguous`.
    pub reason: String,
    /// The chain it names, for `whole_chain`.
    pub chain: Option<String>,
    /// Nodes bearing the name, for `ambiguous` (chain id, node id).
    pub candidates: Vec<(String, String)>,
    pub holders: Vec<ChainHolder>,
}

/// A person's decision of what a name means.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ChainTextDecision)]
pub struct TextDecisionInput {
    /// The name exactly as the records hold it.
    pub text: String,
    /// The node it means; null: it names no node (it is no longer listed).
    pub node: Option<String>,
}

/// A firm put on a node (or taken off, with `role` null).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ChainFirmPlacement)]
pub struct FirmPlacementInput {
    pub uscc: String,
    /// `leader`, `producer`, `supplier` or `research`; null takes the firm off the node.
    pub role: Option<String>,
    /// What it makes or can supply there.
    #[serde(default)]
    pub capacity: String,
    /// Where this comes from.
    #[serde(default)]
    pub source: String,
}

/// A base put on a node (`on` true) or taken off.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ChainBasePlacement)]
pub struct BasePlacementInput {
    pub base_id: i64,
    pub on: bool,
}

/// A new version of the vocabulary.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ChainVocabularyInput)]
pub struct VocabularyInput {
    /// The whole vocabulary (the shape of `GET /api/v1/chains/vocabulary`'s `vocabulary`).
    #[schema(value_type = Object)]
    pub vocabulary: serde_json::Value,
    /// What changed.
    pub note: String,
}

/// A saved version of the vocabulary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainVocabularyVersion {
    pub version: i64,
    pub note: String,
    pub saved_by: Option<String>,
    /// ms since 1970.
    pub saved_at: i64,
}

/// The vocabulary in force and its history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainVocabularyView {
    /// Null for the built-in vocabulary.
    pub version: Option<i64>,
    #[schema(value_type = Object)]
    pub vocabulary: serde_json::Value,
    pub history: Vec<ChainVocabularyVersion>,
}

/// Where each name of a record leads.
struct Placed {
    /// node id → (enterprise id, role, capacity, placed by text).
    firms: BTreeMap<String, Vec<(i64, FirmRole, String, bool)>>,
    projects: BTreeMap<String, Vec<i64>>,
    bases: BTreeMap<String, Vec<i64>>,
    unassigned: Vec<ChainUnassigned>,
}

/// Everything the analysis and the pages need, read once per revision (`App::chains` caches it).
pub(crate) struct Loaded {
    vocabulary: Vocabulary,
    version: Option<i64>,
    settings: Settings,
    enterprises: HashMap<i64, EnterpriseRow>,
    projects: HashMap<i64, ProjectRow>,
    placed: Placed,
    dependencies: BTreeMap<String, DependencyInput>,
    figures_year: Option<i64>,
    analysis: Analysis,
    backbone: BTreeSet<i64>,
    in_library: BTreeSet<i64>,
}

impl App {
    /// The vocabulary in force (the latest saved version, else the built-in one) and its version.
    pub(crate) async fn chain_vocabulary(&self) -> AppResult<(Vocabulary, Option<i64>)> {
        match self.store.current_chain_vocabulary().await? {
            Some(row) => {
                let v = Vocabulary::parse(&row.body).map_err(|e| {
                    AppError::internal(format!("stored chain vocabulary {} does not read: {:?}", row.id, e.first()))
                })?;
                Ok((v, Some(row.id)))
            }
            None => Ok((Vocabulary::builtin().clone(), None)),
        }
    }

    /// The vocabulary in force, for forms that name a node (drafting a challenge): the plan's own data,
    /// shown to whoever may fill such a form.
    pub async fn chain_vocabulary_for_forms(&self) -> AppResult<Vocabulary> {
        Ok(self.chain_vocabulary().await?.0)
    }

    async fn chain_settings(&self) -> AppResult<Settings> {
        match self.store.setting(SETTINGS_KEY).await? {
            Some(text) => serde_json::from_str(&text).map_err(AppError::internal),
            None => Ok(Settings::default()),
        }
    }

    /// The chain map's facts and analysis, computed once per revision of the data (every write but a
    /// progress report's moves it, so a change anywhere shows at once).
    async fn load_chains(&self) -> AppResult<Arc<Loaded>> {
        let revision = self.store.revision().await?.data;
        if let Ok(c) = self.chains.read()
            && let Some((rev, loaded)) = c.as_ref()
            && *rev == revision
        {
            return Ok(loaded.clone());
        }
        let loaded = Arc::new(self.compute_chains().await?);
        if let Ok(mut slot) = self.chains.write() {
            *slot = Some((revision, loaded.clone()));
        }
        Ok(loaded)
    }

    async fn compute_chains(&self) -> AppResult<Loaded> {
        let (vocabulary, version) = self.chain_vocabulary().await?;
        let settings = self.chain_settings().await?;
        let enterprises: HashMap<i64, EnterpriseRow> =
            self.store.all_enterprises().await?.into_iter().map(|e| (e.id, e)).collect();
        let projects: HashMap<i64, ProjectRow> =
            self.store.projects(&ProjectFilter::default()).await?.into_iter().map(|p| (p.id, p)).collect();
        let decisions: HashMap<String, Option<String>> =
            self.store.chain_text_map().await?.into_iter().map(|d| (d.text, d.node_id)).collect();
        let mut placed = Placed {
            firms: BTreeMap::new(),
            projects: BTreeMap::new(),
            bases: BTreeMap::new(),
            unassigned: Vec::new(),
        };
        let mut unassigned: BTreeMap<String, ChainUnassigned> = BTreeMap::new();
        // Text first (in id order, so that the lists are stable), then what people recorded.
        let mut ids: Vec<&i64> = enterprises.keys().collect();
        ids.sort_unstable();
        for id in ids {
            let e = &enterprises[id];
            for text in &e.chain_nodes {
                match place(&vocabulary, &decisions, text) {
                    Place::Node(node) => {
                        let list = placed.firms.entry(node).or_default();
                        if !list.iter().any(|(x, ..)| x == id) {
                            list.push((*id, FirmRole::Producer, String::new(), true));
                        }
                    }
                    Place::Nowhere => {}
                    Place::Unassigned(u) => hold(&mut unassigned, u, "enterprise", *id, &e.name),
                }
            }
        }
        let mut ids: Vec<&i64> = projects.keys().collect();
        ids.sort_unstable();
        for id in ids {
            let p = &projects[id];
            for text in &p.chain_nodes {
                match place(&vocabulary, &decisions, text) {
                    Place::Node(node) => placed.projects.entry(node).or_default().push(*id),
                    Place::Nowhere => {}
                    Place::Unassigned(u) => hold(&mut unassigned, u, "project", *id, &p.name),
                }
            }
        }
        for f in self.store.chain_firms().await? {
            if vocabulary.node(&f.node_id).is_none() || !enterprises.contains_key(&f.enterprise_id) {
                continue;
            }
            let list = placed.firms.entry(f.node_id).or_default();
            list.retain(|(x, ..)| *x != f.enterprise_id);
            list.push((f.enterprise_id, f.role, f.capacity, false));
        }
        for b in self.store.chain_bases().await? {
            if vocabulary.node(&b.node_id).is_some() {
                placed.bases.entry(b.node_id).or_default().push(b.base_id);
            }
        }
        placed.unassigned = unassigned.into_values().collect();
        let dependencies: BTreeMap<String, DependencyInput> = self
            .store
            .chain_node_facts()
            .await?
            .into_iter()
            .map(|f| (f.node_id, DependencyInput { outside: f.outside, source: f.source }))
            .collect();

        // Backbone and library members (active designations).
        let mut backbone = BTreeSet::new();
        let mut in_library = BTreeSet::new();
        for d in self.store.designations(None).await?.into_iter().filter(|d| d.active) {
            if d.library == "backbone" {
                backbone.insert(d.enterprise_id);
            } else {
                in_library.insert(d.enterprise_id);
            }
        }

        // The latest year's revenue and value added, split evenly among a firm's nodes.
        let figures_year = self.store.figure_years().await?.into_iter().max();
        let mut figures: HashMap<i64, (Option<f64>, Option<f64>)> = HashMap::new();
        if let Some(year) = figures_year {
            self.each_figure_of_year(year, &[REVENUE, OUTPUT], |firm, metric, v| {
                let slot = figures.entry(firm).or_default();
                match metric {
                    REVENUE => slot.0 = Some(v),
                    OUTPUT => slot.1 = Some(v),
                    _ => {}
                }
                Ok(())
            })
            .await?;
        }
        let mut nodes_of: HashMap<i64, usize> = HashMap::new();
        for list in placed.firms.values() {
            for (id, ..) in list {
                *nodes_of.entry(*id).or_default() += 1;
            }
        }
        let mut facts = Facts::default();
        for (node, list) in &placed.firms {
            for (id, role, ..) in list {
                let e = &enterprises[id];
                let Ok(uscc) = Uscc::parse(&e.uscc) else { continue };
                let share = nodes_of.get(id).copied().unwrap_or(1).max(1) as f64;
                let (revenue, output) = figures.get(id).copied().unwrap_or_default();
                facts.firms.push(FirmFact {
                    uscc,
                    city: e.city,
                    node: node.clone(),
                    role: *role,
                    revenue_wan: revenue.map(|v| v / share),
                    output_wan: output.map(|v| v / share),
                    is_backbone: backbone.contains(id),
                    in_library: in_library.contains(id),
                });
            }
        }
        for (node, list) in &placed.projects {
            let under_way = list
                .iter()
                .filter(|id| {
                    matches!(projects[*id].stage, ProjectStage::Signed | ProjectStage::Started | ProjectStage::Building)
                })
                .count();
            if under_way > 0 {
                facts.projects.insert(node.clone(), u32::try_from(under_way).unwrap_or(u32::MAX));
            }
        }
        let bases = self.store.bases().await?;
        let standing: BTreeSet<i64> = bases.iter().filter(|b| b.withdrawn_on.is_none()).map(|b| b.id).collect();
        for (node, list) in &placed.bases {
            let n = list.iter().filter(|id| standing.contains(id)).count();
            if n > 0 {
                facts.bases.insert(node.clone(), u32::try_from(n).unwrap_or(u32::MAX));
            }
        }
        facts.dependencies = dependencies
            .iter()
            .filter(|(node, _)| vocabulary.node(node).is_some())
            .map(|(node, d)| Dependency { node: node.clone(), outside: d.outside, source: d.source.clone() })
            .collect();
        let analysis = engine::analyse(&vocabulary, &facts, &settings).map_err(|e| invalid_fields(&e))?;
        Ok(Loaded {
            vocabulary,
            version,
            settings,
            enterprises,
            projects,
            placed,
            dependencies,
            figures_year,
            analysis,
            backbone,
            in_library,
        })
    }

    /// The chains with their gap counts, and the attraction and technology lists.
    pub async fn chains(&self, session: &Session) -> AppResult<ChainOverview> {
        session.require(&Action::ReadChains)?;
        let l = self.load_chains().await?;
        Ok(ChainOverview {
            vocabulary_version: l.version,
            citation: l.vocabulary.source.citation.clone(),
            figures_year: l.figures_year,
            chains: l.vocabulary.chains.iter().map(|c| summary(&l, c)).collect(),
            attraction_list: l.analysis.attraction_list.clone(),
            attraction_rule: l.analysis.attraction_rule.clone(),
            technology_list: l.analysis.technology_list.clone(),
            technology_rule: l.analysis.technology_rule.clone(),
            settings: l.settings.clone(),
            unassigned: l.placed.unassigned.len(),
        })
    }

    /// One chain, node by node.
    pub async fn chain(&self, session: &Session, id: &str) -> AppResult<ChainDetail> {
        session.require(&Action::ReadChains)?;
        let l = self.load_chains().await?;
        let chain = find_chain(&l.vocabulary, id)?;
        let summary = summary(&l, chain);
        Ok(ChainDetail {
            id: summary.id.clone(),
            name: summary.name.clone(),
            name_en: summary.name_en.clone(),
            plan_item: summary.plan_item.clone(),
            firms: summary.firms,
            nodes_with_gaps: summary.nodes_with_gaps,
            empty_nodes: summary.empty_nodes,
            summary,
            source: chain.source.clone(),
            figures_year: l.figures_year,
            settings: l.settings.clone(),
            nodes: chain.nodes.iter().filter_map(|n| node_view(&l, n, discloses(session))).collect(),
        })
    }

    /// A chain's gaps, node by node, each with the rule that found it.
    pub async fn chain_gaps(&self, session: &Session, id: &str) -> AppResult<Vec<ChainGapView>> {
        let detail = self.chain(session, id).await?;
        Ok(detail
            .nodes
            .into_iter()
            .flat_map(|n| {
                let strength = n.report.strength.score;
                n.report.gaps.into_iter().map(move |gap| ChainGapView {
                    node: n.id.clone(),
                    name_zh: n.name_zh.clone(),
                    name_en: n.name_en.clone(),
                    tier: n.tier,
                    segment: n.segment,
                    strength,
                    gap,
                })
            })
            .collect())
    }

    /// One node with its firms, projects and bases.
    pub async fn chain_node(&self, session: &Session, chain: &str, node: &str) -> AppResult<ChainNodeDetail> {
        session.require(&Action::ReadChains)?;
        let l = self.load_chains().await?;
        let c = find_chain(&l.vocabulary, chain)?;
        let Some(n) = c.nodes.iter().find(|n| n.id == node) else {
            return Err(AppError::not_found(
                format!("产业链“{}”没有环节“{node}”", c.name.zh),
                format!("the chain {} has no node {node}", c.name.en),
            ));
        };
        let view = node_view(&l, n, discloses(session))
            .ok_or_else(|| AppError::internal(format!("node {node} not analysed")))?;
        let mut firms: Vec<ChainNodeFirm> = l
            .placed
            .firms
            .get(node)
            .into_iter()
            .flatten()
            .filter_map(|(id, role, capacity, by_text)| {
                let e = l.enterprises.get(id)?;
                Some(ChainNodeFirm {
                    enterprise_id: *id,
                    name: e.name.clone(),
                    uscc: e.uscc.clone(),
                    city: e.city,
                    role: *role,
                    capacity: capacity.clone(),
                    placed_by: if *by_text { "text" } else { "recorded" }.to_string(),
                    backbone: l.backbone.contains(id),
                    in_library: l.in_library.contains(id),
                })
            })
            .collect();
        firms.sort_by(|a, b| (a.city, &a.name).cmp(&(b.city, &b.name)));
        let projects = l
            .placed
            .projects
            .get(node)
            .into_iter()
            .flatten()
            .filter_map(|id| l.projects.get(id))
            .map(|p| ChainNodeProject { id: p.id, name: p.name.clone(), city: p.city.clone(), stage: p.stage })
            .collect();
        let on_node: BTreeSet<i64> = l.placed.bases.get(node).into_iter().flatten().copied().collect();
        let bases = self
            .store
            .bases()
            .await?
            .into_iter()
            .filter(|b| on_node.contains(&b.id))
            .map(|b| ChainNodeBase {
                id: b.id,
                name: b.name,
                kind: b.kind,
                city: b.city,
                withdrawn: b.withdrawn_on.is_some(),
            })
            .collect();
        Ok(ChainNodeDetail { chain: summary(&l, c), node: view, firms, projects, bases })
    }

    /// The names held by enterprises and projects that match no node.
    pub async fn chain_unassigned(&self, session: &Session) -> AppResult<Vec<ChainUnassigned>> {
        session.require(&Action::ReadChains)?;
        Ok(self.load_chains().await?.placed.unassigned.clone())
    }

    /// Every node of the vocabulary in force, for forms (chain id, node id, chain name, node name).
    pub async fn chain_node_choices(&self, session: &Session) -> AppResult<Vec<(String, String, Text, String)>> {
        session.require(&Action::ReadChains)?;
        let (v, _) = self.chain_vocabulary().await?;
        Ok(v.chains
            .iter()
            .flat_map(|c| c.nodes.iter().map(move |n| (c.id.clone(), n.id.clone(), c.name.clone(), n.name_zh.clone())))
            .collect())
    }

    /// Records what a name means (a node, or none) for every record that holds it.
    pub async fn decide_chain_text(&self, session: &Session, input: &TextDecisionInput, ip: &str) -> AppResult<()> {
        session.require(&Action::ManageChains)?;
        let text = input.text.trim();
        if text.is_empty() {
            return Err(AppError::invalid("text", "名称不能为空", "the name must not be empty"));
        }
        limit_text("text", text, 200)?;
        let (v, _) = self.chain_vocabulary().await?;
        if let Some(node) = &input.node {
            known_node(&v, node)?;
        }
        Ok(self.store.set_chain_text(text, input.node.as_deref(), &session.actor(ip)).await?)
    }

    /// Records whether a node depends on supply from outside the province.
    pub async fn set_chain_dependency(
        &self,
        session: &Session,
        node: &str,
        input: &DependencyInput,
        ip: &str,
    ) -> AppResult<()> {
        session.require(&Action::ManageChains)?;
        let (v, _) = self.chain_vocabulary().await?;
        known_node(&v, node)?;
        let source = input.source.trim();
        if input.outside && source.is_empty() {
            return Err(AppError::invalid(
                "source",
                "记录省外依赖须注明来源（调研报告、文件等）",
                "an outside dependency needs its source (a survey, a document)",
            ));
        }
        limit_text("source", source, 500)?;
        Ok(self.store.set_chain_dependency(node, input.outside, source, &session.actor(ip)).await?)
    }

    /// Changes the gap analysis's settings (threshold, the number of firms that makes a node whole, the
    /// segments that need research).
    pub async fn set_chain_settings(&self, session: &Session, settings: &Settings, ip: &str) -> AppResult<Settings> {
        session.require(&Action::ManageChains)?;
        settings.validate().map_err(|e| invalid_fields(&e))?;
        let text = serde_json::to_string(settings).map_err(AppError::internal)?;
        self.store.set_setting(SETTINGS_KEY, &text, &session.actor(ip)).await?;
        Ok(settings.clone())
    }

    /// Puts a firm on a node with its role and capacity, or takes it off.
    pub async fn place_chain_firm(
        &self,
        session: &Session,
        node: &str,
        input: &FirmPlacementInput,
        ip: &str,
    ) -> AppResult<()> {
        session.require(&Action::ManageChains)?;
        let (v, _) = self.chain_vocabulary().await?;
        known_node(&v, node)?;
        let given = input.uscc.trim();
        let uscc = Uscc::parse(given).map_err(|_| {
            AppError::invalid(
                "uscc",
                format!("“{given}”不是有效的统一社会信用代码"),
                format!("“{given}” is not a valid unified social credit code (GB 32100)"),
            )
        })?;
        let Some(e) = self.store.enterprise_by_uscc(uscc.as_str()).await? else {
            return Err(AppError::invalid(
                "uscc",
                format!("企业库中没有统一社会信用代码为 {uscc} 的企业"),
                format!("no enterprise with USCC {uscc} in the registry"),
            ));
        };
        let role = match input.role.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(r) => Some(FirmRole::parse(r).ok_or_else(|| {
                let known: Vec<&str> = FirmRole::ALL.iter().map(|r| r.as_str()).collect();
                AppError::invalid(
                    "role",
                    format!("“{r}”不是企业在环节上的角色，应为 {}", known.join("、")),
                    format!("“{r}” is not a role on a node; one of {}", known.join(", ")),
                )
            })?),
        };
        limit_text("capacity", &input.capacity, 500)?;
        limit_text("source", &input.source, 500)?;
        let placement = role.map(|r| (r, input.capacity.trim(), input.source.trim()));
        Ok(self.store.set_chain_firm(e.id, node, placement, &session.actor(ip)).await?)
    }

    /// Puts a base on a node, or takes it off.
    pub async fn place_chain_base(
        &self,
        session: &Session,
        node: &str,
        input: &BasePlacementInput,
        ip: &str,
    ) -> AppResult<()> {
        session.require(&Action::ManageChains)?;
        let (v, _) = self.chain_vocabulary().await?;
        known_node(&v, node)?;
        self.store.base(input.base_id).await?;
        Ok(self.store.set_chain_base(input.base_id, node, input.on, &session.actor(ip)).await?)
    }

    /// The vocabulary in force and the saved versions.
    pub async fn chain_vocabulary_view(&self, session: &Session) -> AppResult<ChainVocabularyView> {
        session.require(&Action::ReadChains)?;
        let (v, version) = self.chain_vocabulary().await?;
        let names = self.user_names().await?;
        let history = self
            .store
            .chain_vocabularies()
            .await?
            .into_iter()
            .map(|r| ChainVocabularyVersion {
                version: r.id,
                note: r.note,
                saved_by: r.created_by.and_then(|id| names.get(&id).cloned()),
                saved_at: r.created_at,
            })
            .collect();
        Ok(ChainVocabularyView { version, vocabulary: serde_json::to_value(&v).map_err(AppError::internal)?, history })
    }

    /// Saves a new version of the vocabulary. It is checked field by field; a node may be renamed (its id
    /// stays, and its former name is kept so that text holding it still resolves), but a node on which
    /// firms or bases are recorded cannot be removed.
    pub async fn put_chain_vocabulary(&self, session: &Session, input: &VocabularyInput, ip: &str) -> AppResult<i64> {
        session.require(&Action::ManageChains)?;
        let note = input.note.trim();
        if note.is_empty() {
            return Err(AppError::invalid("note", "请说明改了什么", "say what changed"));
        }
        limit_text("note", note, 500)?;
        let body = serde_json::to_string(&input.vocabulary).map_err(AppError::internal)?;
        let mut new = Vocabulary::parse(&body).map_err(|e| {
            let e: Vec<_> = e
                .into_iter()
                .map(|mut f| {
                    f.path = format!("vocabulary.{}", f.path);
                    f
                })
                .collect();
            invalid_fields(&e)
        })?;
        let (old, _) = self.chain_vocabulary().await?;
        // Former names follow a renamed node.
        for c in &mut new.chains {
            for n in &mut c.nodes {
                if let Some((_, before)) = old.node(&n.id) {
                    for name in std::iter::once(&before.name_zh).chain(&before.renamed_from) {
                        if *name != n.name_zh && !n.renamed_from.contains(name) && !n.aliases.contains(name) {
                            n.renamed_from.push(name.clone());
                        }
                    }
                }
            }
        }
        let recorded: BTreeSet<String> = self
            .store
            .chain_firms()
            .await?
            .into_iter()
            .map(|f| f.node_id)
            .chain(self.store.chain_bases().await?.into_iter().map(|b| b.node_id))
            .collect();
        if let Some(gone) = recorded.iter().find(|n| old.node(n).is_some() && new.node(n).is_none()) {
            return Err(AppError::conflict(
                format!("环节“{gone}”上记录有企业或平台基地，不能删除；可改名"),
                format!("the node {gone} has firms or bases recorded on it and cannot be removed; it may be renamed"),
            ));
        }
        let body = serde_json::to_string(&new).map_err(AppError::internal)?;
        Ok(self.store.put_chain_vocabulary(&body, note, &session.actor(ip)).await?)
    }

    /// The export's rows (`jiqun export --table chains`, for the operator who holds the database): one a
    /// node, with what the analysis found there.
    pub(crate) async fn chain_export_rows(&self, lang: jiqun_domain::Lang) -> AppResult<Vec<serde_json::Value>> {
        let l = self.load_chains().await?;
        let mut rows = Vec::new();
        for c in &l.vocabulary.chains {
            for n in c.nodes.iter().filter_map(|n| node_view(&l, n, true)) {
                let r = &n.report;
                let gaps: Vec<&str> = r.gaps.iter().map(|g| g.explanation.get(lang)).collect();
                rows.push(serde_json::json!({
                    "chain": c.id,
                    "chain_name": c.name.get(lang),
                    "node": n.id,
                    "node_name": lang.pick(&n.name_zh, &n.name_en),
                    "tier": n.tier.label(lang),
                    "segment": n.segment.label(lang),
                    "firms": r.firms,
                    "backbone": r.backbone,
                    "in_library": r.in_library,
                    "projects": r.projects,
                    "bases": r.bases,
                    "revenue_wan": r.revenue_wan,
                    "revenue_share": r.revenue_share,
                    "output_wan": r.output_wan,
                    "output_share": r.output_share,
                    "strength": r.strength.score,
                    "outside_dependency": n.dependency.as_ref().map(|d| d.outside),
                    "gaps": gaps,
                    "figures_year": l.figures_year,
                }));
            }
        }
        Ok(rows)
    }
}

/// What one of a record's chain names leads to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainPlace {
    pub text: String,
    /// The node's chain and id, and its name; null when the name matches no node (see `/chains/unassigned`).
    pub chain: Option<String>,
    pub node: Option<String>,
    pub node_name: Option<String>,
}

impl App {
    /// Where each of a record's chain names leads, by the vocabulary in force and the names decided (for a
    /// record's own page, so that an unmatched name shows where it is).
    pub async fn chain_places(&self, texts: &[String]) -> AppResult<Vec<ChainPlace>> {
        let (v, _) = self.chain_vocabulary().await?;
        let decisions: HashMap<String, Option<String>> =
            self.store.chain_text_map().await?.into_iter().map(|d| (d.text, d.node_id)).collect();
        Ok(texts
            .iter()
            .filter_map(|text| {
                let node = match place(&v, &decisions, text) {
                    Place::Node(n) => Some(n),
                    Place::Nowhere => return None,
                    Place::Unassigned(_) => None,
                };
                let found = node.as_deref().and_then(|n| v.node(n));
                Some(ChainPlace {
                    text: text.clone(),
                    chain: found.map(|(c, _)| c.id.clone()),
                    node: found.map(|(_, n)| n.id.clone()),
                    node_name: found.map(|(_, n)| n.name_zh.clone()),
                })
            })
            .collect())
    }
}

enum Place {
    Node(String),
    /// A person decided the text names no node.
    Nowhere,
    Unassigned(ChainUnassigned),
}

fn place(v: &Vocabulary, decisions: &HashMap<String, Option<String>>, text: &str) -> Place {
    let text = text.trim();
    if let Some(decided) = decisions.get(text) {
        return match decided {
            Some(node) if v.node(node).is_some() => Place::Node(node.clone()),
            Some(_) => unassigned(text, "no_match", None, Vec::new()),
            None => Place::Nowhere,
        };
    }
    match v.resolve(text) {
        Resolution::Node { node, .. } => Place::Node(node),
        Resolution::Chain { chain } => unassigned(text, "whole_chain", Some(chain), Vec::new()),
        Resolution::Ambiguous { candidates, .. } => unassigned(text, "ambiguous", None, candidates),
        Resolution::Unassigned { .. } => unassigned(text, "no_match", None, Vec::new()),
    }
}

fn unassigned(text: &str, reason: &str, chain: Option<String>, candidates: Vec<(String, String)>) -> Place {
    Place::Unassigned(ChainUnassigned {
        text: text.to_string(),
        reason: reason.to_string(),
        chain,
        candidates,
        holders: Vec::new(),
    })
}

fn hold(list: &mut BTreeMap<String, ChainUnassigned>, u: ChainUnassigned, kind: &str, id: i64, name: &str) {
    let entry = list.entry(u.text.clone()).or_insert(u);
    entry.holders.push(ChainHolder { kind: kind.to_string(), id, name: name.to_string() });
}

fn find_chain<'v>(v: &'v Vocabulary, id: &str) -> AppResult<&'v jiqun_domain::chains::Chain> {
    v.chain(id).ok_or_else(|| AppError::not_found(format!("没有产业链“{id}”"), format!("no chain {id}")))
}

fn known_node(v: &Vocabulary, node: &str) -> AppResult<()> {
    match v.node(node) {
        Some(_) => Ok(()),
        None => Err(AppError::invalid(
            "node",
            format!("“{node}”不是产业链环节表中的环节"),
            format!("“{node}” is not a node of the chain vocabulary"),
        )),
    }
}

fn summary(l: &Loaded, c: &jiqun_domain::chains::Chain) -> ChainSummary {
    let reports: Vec<&NodeReport> = c.nodes.iter().filter_map(|n| l.analysis.node(&n.id)).collect();
    let firms: BTreeSet<i64> =
        c.nodes.iter().flat_map(|n| l.placed.firms.get(&n.id).into_iter().flatten().map(|(id, ..)| *id)).collect();
    ChainSummary {
        id: c.id.clone(),
        name: c.name.zh.clone(),
        name_en: c.name.en.clone(),
        plan_item: c.plan_item.clone(),
        nodes: c.nodes.len(),
        firms: firms.len(),
        nodes_with_gaps: reports.iter().filter(|r| !r.gaps.is_empty()).count(),
        empty_nodes: reports.iter().filter(|r| r.firms == 0).count(),
    }
}

/// Fewer firms than this on a node and its money figures are withheld from readers who do not read every
/// firm's figures (the usual rule against disclosing one firm through an aggregate).
pub const DISCLOSURE_MIN_FIRMS: usize = 3;

/// Whether the reader may see every node's money figures: only who reads all firms' figures.
fn discloses(session: &Session) -> bool {
    session.roles.scopes(&session.user, crate::Perm::ReadFigures).contains(&crate::Scope::All)
}

fn node_view(l: &Loaded, n: &Node, disclose: bool) -> Option<ChainNodeView> {
    let mut report = l.analysis.node(&n.id)?.clone();
    let withheld = !disclose && report.firms > 0 && report.firms < DISCLOSURE_MIN_FIRMS;
    if withheld {
        report.revenue_wan = 0.0;
        report.output_wan = 0.0;
        report.revenue_share = None;
        report.output_share = None;
        for p in &mut report.strength.parts {
            if p.part == jiqun_eval::chains::StrengthPart::Output {
                p.reason = Text::new(
                    "产值部分：不足 3 家企业，数据不公开",
                    "output part: fewer than 3 firms, the figure is not shown",
                );
            }
        }
    }
    Some(ChainNodeView {
        id: n.id.clone(),
        name_zh: n.name_zh.clone(),
        name_en: n.name_en.clone(),
        tier: n.tier,
        segment: n.segment,
        aliases: n.aliases.clone(),
        renamed_from: n.renamed_from.clone(),
        source: n.source.clone(),
        dependency: l.dependencies.get(&n.id).cloned(),
        figures_withheld: withheld,
        report,
    })
}
