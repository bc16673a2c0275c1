//! The cultivation libraries, new-project admission and the differentiated resource policy as use cases.
//!
//! - **Libraries.** A firm's library profile is built from the registry's own yearly figures (sealed with
//!   SM4 like every enterprise figure) through [`FIGURE_MAP`], plus its record (founding year, listed) and
//!   its designations (table `library_designations`). The engines (`jiqun_eval::libraries`) assess every
//!   registered firm against each shipped library; members and candidates are listed to directory readers,
//!   each check's values only to those who may read that firm's figures. The plan owner designates and
//!   withdraws firms (per chain for the backbone directory), edits library profiles, and recomputes the
//!   indicators the libraries feed ([`App::recompute_library_indicators`], on demand).
//! - **Admission.** A proposal is assessed against the shipped example table and stored with the decision,
//!   the full result and who assessed it.
//! - **Policy.** The example differentiated-resource table is applied to a stored evaluation run: classes
//!   from the run, electricity and water from the registry's figures of the run's year.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use jiqun_domain::bases::Derivation;
use jiqun_domain::enterprise::{Metric as RegistryMetric, metric};
use jiqun_domain::period::Period;
use jiqun_domain::{CityCode, Lang, Money, RegionModel};
use jiqun_eval::admission;
use jiqun_eval::definition::{Confidence, FieldError, Text};
use jiqun_eval::libraries::{
    self, Assessment, Designation, Library, LibraryDef, Membership, Profile, Ranked, RankingResult, Status,
};
use jiqun_eval::resource_policy;
use jiqun_store::{DesignationRow, EnterpriseFilter, EnterpriseRow, EvaluationRow, NewProposal, ProposalRow};
use serde::{Deserialize, Serialize};

use crate::authz::{Action, Object, Perm, Scope};
use crate::registry::{object, this_year};
use crate::{App, AppError, AppResult, Session};

/// The registry metric each library figure comes from: (registry metric, library figure, divisor). Flags
/// (1 / 0) become yes/no. The valuation is kept in US$ million and the libraries count in 亿美元 (US$ 100
/// million), hence its divisor.
pub const FIGURE_MAP: &[(&str, &str, f64)] = &[
    ("revenue_wan", "revenue", 1.0),
    ("rd_wan", "rd", 1.0),
    ("main_revenue_wan", "main_business_revenue", 1.0),
    ("patents", "invention_patents", 1.0),
    ("valuation_usd_m", "valuation_usd", 100.0),
    ("debt_ratio", "debt_ratio", 1.0),
    ("equity_financing_wan", "equity_financing_2y", 1.0),
    ("years_in_niche", "years_in_niche", 1.0),
    ("years_in_field", "years_in_field", 1.0),
    ("main_growth_2y", "main_business_growth_2y", 1.0),
    ("rd_staff_share", "rd_staff_share", 1.0),
    ("ipr_class1", "ipr_class1", 1.0),
    ("niche_share", "niche_market_share", 1.0),
    ("sme_score", "sme_score", 1.0),
    ("global_rank", "global_market_share_rank", 1.0),
    ("net_margin", "net_margin", 1.0),
    ("industry_net_margin", "industry_net_margin", 1.0),
    ("ai_revenue_wan", "ai_revenue", 1.0),
    ("has_it_system", "has_it_system", 1.0),
    ("has_certification", "has_certification", 1.0),
    ("own_brand", "own_brand", 1.0),
    ("has_rd_institution", "has_rd_institution", 1.0),
    ("sci_award_3y", "sci_award_3y", 1.0),
    ("chuangke_top500_3y", "chuangke_top500_3y", 1.0),
    ("clean_record_3y", "clean_record_3y", 1.0),
    ("energy_advanced", "energy_advanced", 1.0),
    ("new_product", "new_product", 1.0),
];

/// Figures of the year before the assessed one: (registry metric, library figure).
pub const PREV_YEAR_MAP: &[(&str, &str)] = &[("revenue_wan", "revenue_prev"), ("rd_wan", "rd_prev")];

/// The registry metrics a library profile holds (what `FIGURE_MAP` reads), for the profile form.
pub fn profile_metrics() -> Vec<&'static RegistryMetric> {
    let mut out: Vec<&'static RegistryMetric> = Vec::new();
    for (key, _, _) in FIGURE_MAP {
        if let Some(m) = metric(key)
            && !out.iter().any(|x| x.key == m.key)
        {
            out.push(m);
        }
    }
    out
}

fn round9(v: f64) -> f64 {
    if v.is_finite() && v.abs() < 1e6 { (v * 1e9).round() / 1e9 } else { v }
}

/// A firm's figures of some years: (year, metric, value), a dozen or so per firm, kept in a short list
/// (a map per firm with a `String` per key cost about a kilobyte a firm on a million firms).
#[derive(Debug, Clone, Default)]
pub struct YearFigures(Vec<(i64, &'static str, f64)>);

impl YearFigures {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, year: i64, metric: &str) -> Option<f64> {
        self.0.iter().find(|(y, m, _)| *y == year && *m == metric).map(|(_, _, v)| *v)
    }

    /// Sets a figure (a second value for the same year and metric replaces the first).
    pub fn insert(&mut self, year: i64, metric: &'static str, value: f64) {
        match self.0.iter_mut().find(|(y, m, _)| *y == year && *m == metric) {
            Some(slot) => slot.2 = value,
            None => self.0.push((year, metric, value)),
        }
    }
}

/// A firm's library profile for `year`: its mapped figures, last year's revenue and R&D, the revenue
/// growth and (when not reported) the 2-year main-business growth computed from three years of
/// main-business revenue, its founding year and listing, and its active designations.
pub fn profile_of(e: &EnterpriseRow, year: i64, figures: &YearFigures, designations: &[&DesignationRow]) -> Profile {
    let get = |y: i64, k: &str| figures.get(y, k).filter(|v| v.is_finite());
    let mut p = Profile::new(e.uscc.clone()).with("year", year as f64).with("founded_year", e.founded_year as f64);
    p = p.with_flag("listed", e.listed);
    for (key, figure, divisor) in FIGURE_MAP {
        if let Some(v) = get(year, key) {
            let flag = metric(key).is_some_and(|m| m.flag);
            p = if flag { p.with_flag(figure, v != 0.0) } else { p.with(figure, round9(v / divisor)) };
        }
    }
    for (key, figure) in PREV_YEAR_MAP {
        if let Some(v) = get(year - 1, key) {
            p = p.with(figure, v);
        }
    }
    if let (Some(now), Some(prev)) = (get(year, "revenue_wan"), get(year - 1, "revenue_wan"))
        && prev > 0.0
    {
        p = p.with("revenue_growth", round9((now - prev) * 100.0 / prev));
    }
    if get(year, "main_growth_2y").is_none()
        && let (Some(m0), Some(m1), Some(m2)) =
            (get(year, "main_revenue_wan"), get(year - 1, "main_revenue_wan"), get(year - 2, "main_revenue_wan"))
        && m1 > 0.0
        && m2 > 0.0
    {
        p = p.with("main_business_growth_2y", round9(((m0 - m1) / m1 + (m1 - m2) / m2) * 50.0));
    }
    for d in designations {
        p.designations.push(Designation {
            library: d.library.clone(),
            chain: Some(d.chain.clone()).filter(|c| !c.is_empty()),
            reference: Some(d.reference.clone()).filter(|r| !r.is_empty()),
        });
    }
    p
}

/// Every registered firm assessed against every shipped library for one year (computed once per
/// revision and year).
pub struct Computed {
    pub year: i64,
    pub firms: Vec<EnterpriseRow>,
    pub profiles: Vec<Profile>,
    /// Per library: the assessments in the order of `firms` (ranking applied) and the ranking.
    pub libraries: Vec<(Library, Vec<Assessment>, Option<RankingResult>)>,
    /// Each firm's R&D and revenue of the year, where reported.
    pub rd_revenue: Vec<(Option<f64>, Option<f64>)>,
    pub designations: Vec<DesignationRow>,
}

impl Computed {
    fn library(&self, id: &str) -> Option<&(Library, Vec<Assessment>, Option<RankingResult>)> {
        self.libraries.iter().find(|(l, _, _)| l.id() == id)
    }

    fn index_of(&self, enterprise_id: i64) -> Option<usize> {
        self.firms.iter().position(|e| e.id == enterprise_id)
    }

    /// The backbone directory's R&D intensity: Σ R&D ÷ Σ revenue over its designated firms (each once).
    pub fn backbone_rd(&self) -> BackboneRd {
        let members: Vec<usize> = match self.library("backbone") {
            Some((_, a, _)) => (0..a.len()).filter(|&i| a[i].status == Status::Member).collect(),
            None => Vec::new(),
        };
        let mut pairs = Vec::new();
        let mut missing = 0;
        for &i in &members {
            match self.rd_revenue.get(i) {
                Some((Some(rd), Some(rev))) => pairs.push((*rd, *rev)),
                _ => missing += 1,
            }
        }
        let r = libraries::rd_intensity(&pairs);
        BackboneRd {
            year: self.year,
            members: members.len(),
            used: r.used,
            missing,
            skipped: r.skipped,
            rd_total: r.rd_total,
            revenue_total: r.revenue_total,
            percent: r.percent,
            indicator_id: None,
            stored: None,
        }
    }

    /// How many firms are members of a library (each firm once).
    pub fn members(&self, id: &str) -> usize {
        self.library(id).map_or(0, |(_, a, _)| libraries::count_members(a))
    }
}

/// The backbone directory's R&D intensity for a year, and what the plan's indicator holds for that year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LibraryBackboneRd)]
pub struct BackboneRd {
    pub year: i64,
    /// Firms designated on at least one chain.
    pub members: usize,
    /// Members counted (R&D and revenue reported, not negative).
    pub used: usize,
    /// Members without R&D or revenue for the year: left out.
    pub missing: usize,
    /// Members left out for a negative or non-finite figure.
    pub skipped: usize,
    /// Σ R&D, 万元.
    pub rd_total: f64,
    /// Σ revenue, 万元.
    pub revenue_total: f64,
    /// Σ R&D ÷ Σ revenue × 100; null when no revenue was counted.
    pub percent: Option<f64>,
    /// The indicator 重点龙头骨干企业研发投入强度 in the current plan; null when there is none.
    pub indicator_id: Option<i64>,
    /// `[value, source]` stored for that indicator and year; null when none.
    #[schema(schema_with = stored_schema)]
    pub stored: Option<(f64, String)>,
}

/// `[number, string]` or null: the schema of `BackboneRd::stored`, a pair (utoipa does not describe tuples).
fn stored_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ArrayItems, ObjectBuilder, SchemaType, Type};
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .prefix_items([
            ObjectBuilder::new().schema_type(Type::Number).build(),
            ObjectBuilder::new().schema_type(Type::String).build(),
        ])
        .items(ArrayItems::False)
        .min_items(Some(2))
        .max_items(Some(2))
        .build()
}

impl BackboneRd {
    /// The observation's source text: how the value was computed.
    pub fn source(&self) -> String {
        format!(
            "由骨干企业目录计算：{}年目录成员{}家，计入{}家（研发费用合计{}万元 ÷ 营业收入合计{}万元），{}家缺数据未计入",
            self.year,
            self.members,
            self.used,
            jiqun_eval::definition::fmt_num(self.rd_total),
            jiqun_eval::definition::fmt_num(self.revenue_total),
            self.missing + self.skipped
        )
    }
}

/// A cultivation library with its counts for the year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LibrarySummary {
    pub id: String,
    /// How a firm becomes a member: `designation`, `criteria` or `ranking`.
    #[schema(value_type = String)]
    pub membership: &'static str,
    /// The library's definition (`jiqun_eval::libraries::LibraryDef`: names, source and confidence,
    /// criteria, ranking), as the library's data file gives it.
    #[schema(value_type = Object)]
    pub definition: LibraryDef,
    pub members: usize,
    pub candidates: usize,
    /// Members per chain (the backbone directory).
    pub by_chain: BTreeMap<String, usize>,
}

/// A firm in a library's list: a member, a candidate, or (for a ranking) a ranked firm.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LibraryEntry {
    pub enterprise_id: i64,
    pub uscc: String,
    pub name: String,
    #[schema(value_type = String)]
    pub city: CityCode,
    /// `member`, `candidate`, `eligible` or `not_member`.
    #[schema(value_type = String)]
    pub status: Status,
    pub chains: Vec<String>,
    /// The notices the firm's designations were published in.
    pub references: Vec<String>,
    /// Whether the caller may read this firm's figures: only then are the checks' values given.
    pub figures_visible: bool,
    /// Every check with its value, threshold and explanation (the library engine's
    /// `jiqun_eval::libraries::Assessment`); null unless the caller reads the firm's figures.
    #[schema(value_type = Option<Object>)]
    pub assessment: Option<Assessment>,
    pub rank: Option<u32>,
    pub score: Option<f64>,
    /// The ranking's items, each figure's value and points (`jiqun_eval::libraries::Ranked`); null unless
    /// the caller reads the firm's figures.
    #[schema(value_type = Option<Object>)]
    pub ranked: Option<Ranked>,
    /// For the backbone directory: the firm's R&D ÷ revenue (readers of its figures only).
    pub rd_intensity: Option<f64>,
}

/// One library for a year: its members and candidates.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LibraryView {
    pub year: i64,
    pub library: LibrarySummary,
    /// Members first, then candidates; a ranking in rank order.
    pub entries: Vec<LibraryEntry>,
    /// The backbone directory's R&D intensity (that library only; null otherwise).
    pub backbone: Option<BackboneRd>,
}

/// One firm in one library.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LibraryFirmEntry)]
pub struct FirmLibrary {
    /// The library's id.
    pub library: String,
    #[schema(value_type = LibraryText)]
    pub name: Text,
    /// `designation`, `criteria` or `ranking`.
    #[schema(value_type = String)]
    pub membership: &'static str,
    /// How far the library's definition can be trusted: H, M, L or X (Jiqun's example).
    #[schema(value_type = String)]
    pub confidence: Confidence,
    /// `member`, `candidate`, `eligible` or `not_member`.
    #[schema(value_type = String)]
    pub status: Status,
    pub chains: Vec<String>,
    #[schema(value_type = Option<LibraryText>)]
    pub summary: Option<Text>,
    /// Every check with value and threshold (`jiqun_eval::libraries::Assessment`); null unless the caller
    /// reads the firm's figures.
    #[schema(value_type = Option<Object>)]
    pub assessment: Option<Assessment>,
    pub rank: Option<u32>,
    pub score: Option<f64>,
    /// The ranking's items (`jiqun_eval::libraries::Ranked`); null unless the caller reads the firm's
    /// figures.
    #[schema(value_type = Option<Object>)]
    pub ranked: Option<Ranked>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FirmLibraries {
    pub enterprise_id: i64,
    pub year: i64,
    pub figures_visible: bool,
    pub libraries: Vec<FirmLibrary>,
    /// Every designation of the firm, withdrawn ones included.
    pub designations: Vec<DesignationRow>,
    pub may_manage: bool,
}

// A designation as a form or the API gives it; a withdrawal too, with the reason in `reference` (the API's
// withdrawal body names it `reason`).
/// A firm to designate into a designation library: by id or USCC.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = LibraryDesignationBody)]
pub struct DesignationInput {
    #[serde(default)]
    pub enterprise_id: Option<i64>,
    #[serde(default)]
    pub uscc: Option<String>,
    /// The chain, for a per-chain library (the backbone directory).
    #[serde(default)]
    pub chain: Option<String>,
    /// The notice or list the designation was published in.
    #[serde(default)]
    pub reference: String,
}

/// What recomputing one indicator did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LibraryIndicatorUpdate)]
pub struct IndicatorUpdate {
    pub library: String,
    /// The indicator's name.
    pub indicator: String,
    /// The indicator in the current plan; null when the plan has none.
    pub indicator_id: Option<i64>,
    pub period: String,
    pub value: Option<f64>,
    /// How the value was computed (the observation's source).
    pub source: String,
    /// Whether it was stored as an observation.
    pub stored: bool,
    /// Why it was not, where it was not.
    #[schema(value_type = Option<LibraryText>)]
    pub note: Option<Text>,
}

// The doc comments of the types the API gives and takes are its descriptions in the OpenAPI document.

/// A text in Chinese and English.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Only a schema: that of `jiqun_eval::definition::Text`, which derives none.
pub struct ProjectText {
    zh: String,
    en: String,
}

/// A text in Chinese and English.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Only a schema, as `ProjectText`, under the name the libraries' API has always given it.
pub struct LibraryText {
    zh: String,
    en: String,
}

/// A new industrial project proposal to assess. Missing figures count as no data (the worst case).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ProjectProposalBody)]
pub struct ProposalInput {
    /// The project's name. Required by `POST /api/v1/projects`, which tells this body by it.
    #[serde(default)]
    #[schema(required = true)]
    pub project: String,
    #[serde(default)]
    pub city: String,
    /// The zone (park) it would be built in.
    #[serde(default)]
    pub zone: String,
    /// GB/T 4754 industry code.
    #[serde(default)]
    pub industry_code: String,
    /// Land, mu.
    #[serde(default)]
    pub land_mu: Option<f64>,
    /// Fixed-asset investment, 万元.
    #[serde(default)]
    pub fixed_investment_wan: Option<f64>,
    /// Annual output, 万元.
    #[serde(default)]
    pub annual_output_wan: Option<f64>,
    /// Annual tax, 万元.
    #[serde(default)]
    pub annual_tax_wan: Option<f64>,
    #[serde(default)]
    pub jobs: Option<f64>,
    /// Energy use, tonnes of coal equivalent a year.
    #[serde(default)]
    pub energy_tce: Option<f64>,
    /// Value added, 万元.
    #[serde(default)]
    pub value_added_wan: Option<f64>,
    /// R&D spending, 万元.
    #[serde(default)]
    pub rd_wan: Option<f64>,
}

/// A threshold an assessment applied.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ProjectLimit)]
pub struct StoredLimit {
    pub value: f64,
    /// Where the threshold comes from.
    pub source: String,
    /// How far it can be trusted: H, M, L or X (Jiqun's example value).
    #[schema(value_type = String)]
    pub confidence: Confidence,
}

/// One metric of an assessment: the proposal's value, the thresholds, the verdict and why.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ProjectMetric)]
pub struct StoredMetric {
    pub metric: String,
    /// Null when the proposal gives no figure (judged as the worst case).
    pub value: Option<f64>,
    /// The admission line.
    pub hard: Option<StoredLimit>,
    /// The band above it where admission comes with conditions.
    pub soft: Option<StoredLimit>,
    /// `pass`, `conditional`, `fail`, `no_data` or `not_set`.
    pub verdict: String,
    /// The industry code prefix of the rule applied, if a rule for the industry was.
    #[serde(default)]
    pub rule_prefix: Option<String>,
    #[schema(value_type = ProjectText)]
    pub explanation: Text,
    #[serde(default)]
    #[schema(value_type = Option<ProjectText>)]
    pub note: Option<Text>,
}

/// The admission result stored with a proposal.
// The engine's `AdmissionResult`, read back.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ProjectResult)]
pub struct StoredResult {
    /// `admit`, `admit_with_conditions` or `reject`.
    pub decision: String,
    pub metrics: Vec<StoredMetric>,
    #[schema(value_type = Vec<ProjectText>)]
    pub reasons: Vec<Text>,
    /// The conditions of an admission with conditions.
    #[serde(default)]
    #[schema(value_type = Option<ProjectText>)]
    pub conditions: Option<Text>,
    #[schema(value_type = ProjectText)]
    pub summary: Text,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProposalView {
    #[serde(flatten)]
    pub row: ProposalRow,
    /// The project this check is a step of.
    pub project_id: Option<i64>,
    /// Who assessed it (username).
    pub assessed_by_name: Option<String>,
    pub result: StoredResult,
}

/// The policy applied to one run, per city and in total; per firm only where the reader reads figures.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyView {
    pub evaluation: EvaluationRow,
    pub definition: resource_policy::PolicyDef,
    /// The table is Jiqun's example, to be set by the jurisdiction.
    pub example: bool,
    pub cities: Vec<resource_policy::CitySummary>,
    pub total: resource_policy::CitySummary,
    pub measures: Vec<PolicyMeasure>,
    /// Firms of the run with an electricity / water figure for its year.
    pub electricity_reported: usize,
    pub water_reported: usize,
}

/// What the differentiated resource policy means for one firm of the run.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = EvaluationPolicyMeasure)]
pub struct PolicyMeasure {
    pub enterprise_id: i64,
    pub uscc: String,
    pub name: String,
    /// The resource policy engine's measures for the firm (`jiqun_eval::resource_policy::Measures`: class,
    /// surcharge rates and estimates in 元, land / energy / credit quota levels, notes).
    #[schema(value_type = Object)]
    pub measures: resource_policy::Measures,
}

pub fn decision_label(code: &str, lang: Lang) -> &'static str {
    let (zh, en) = match code {
        "admit" => ("予以准入", "admit"),
        "admit_with_conditions" => ("有条件准入", "admit with conditions"),
        "reject" => ("不予准入", "reject"),
        _ => ("未知", "unknown"),
    };
    lang.pick(zh, en)
}

pub fn verdict_label(code: &str, lang: Lang) -> &'static str {
    let (zh, en) = match code {
        "pass" => ("达标", "passed"),
        "conditional" => ("未达标准线，有条件", "short of the soft band"),
        "fail" => ("未达准入线", "misses the hard limit"),
        "no_data" => ("无数据，按最不利处理", "no data: worst case"),
        "not_set" => ("未设阈值", "no threshold"),
        _ => ("未知", "unknown"),
    };
    lang.pick(zh, en)
}

pub fn metric_label(code: &str) -> Text {
    admission::Metric::parse(code).map_or_else(|| Text::new(code, code), |m| m.label())
}

fn engine_error(what: &str, errors: &[FieldError]) -> AppError {
    let text: Vec<String> = errors.iter().map(|e| e.message(Lang::En)).collect();
    AppError::internal(format!("{what}: {}", text.join("; ")))
}

fn builtin_libraries() -> AppResult<Vec<Library>> {
    libraries::builtin().map_err(|e| engine_error("libraries", &e))
}

fn no_library(id: &str) -> AppError {
    AppError::not_found(format!("培育库“{id}”不存在"), format!("no library “{id}”"))
}

/// The setting that holds a ranking library's weights as the province set them.
fn ranking_key(id: &str) -> String {
    format!("library_ranking:{id}")
}

impl App {
    /// The shipped libraries, with the ranking weights the plan owner set where there are any.
    async fn configured_libraries(&self) -> AppResult<Vec<Library>> {
        let mut out = Vec::new();
        for lib in builtin_libraries()? {
            let stored = match lib.membership() {
                Membership::Ranking => self.store.setting(&ranking_key(lib.id())).await?,
                _ => None,
            };
            let configured = stored
                .and_then(|json| serde_json::from_str::<libraries::RankingDef>(&json).ok())
                .and_then(|def| lib.with_ranking(def).ok());
            out.push(configured.unwrap_or(lib));
        }
        Ok(out)
    }

    /// Sets a ranking library's weights and the number selected (the plan owner); checked by the engine,
    /// every error naming its field; audited as a setting with before and after.
    pub async fn set_library_ranking(
        &self,
        session: &Session,
        id: &str,
        ranking: libraries::RankingDef,
        ip: &str,
    ) -> AppResult<()> {
        if !session.can(&Action::ManageLibraries) {
            return Err(AppError::forbidden());
        }
        let lib = builtin_libraries()?.into_iter().find(|l| l.id() == id).ok_or_else(|| no_library(id))?;
        if lib.membership() != Membership::Ranking {
            return Err(AppError::invalid(
                "library",
                format!("培育库“{id}”不是按排名入库的"),
                format!("the library “{id}” is not a ranking"),
            ));
        }
        lib.with_ranking(ranking.clone()).map_err(|e| crate::error::invalid_fields(&e))?;
        let json = serde_json::to_string(&ranking).map_err(AppError::internal)?;
        Ok(self.store.set_setting(&ranking_key(id), &json, &session.actor(ip)).await?)
    }

    /// The year a library view shows when none is asked for: the registry's latest year with figures.
    pub async fn default_library_year(&self) -> AppResult<i64> {
        Ok(self.store.figure_years().await?.first().copied().unwrap_or_else(|| this_year() - 1))
    }

    /// Every firm assessed against every library for `year`, computed once per revision of the data
    /// (progress reports do not change it).
    pub async fn cultivation(&self, year: i64) -> AppResult<Arc<Computed>> {
        let revision = self.store.revision().await?.data;
        if let Ok(c) = self.cultivation.read()
            && let Some((rev, y, computed)) = c.as_ref()
            && *rev == revision
            && *y == year
        {
            return Ok(computed.clone());
        }
        let libs = self.configured_libraries().await?;
        let firms = self.store.all_enterprises().await?;
        let wanted: HashSet<&'static str> = FIGURE_MAP.iter().map(|(k, _, _)| *k).collect();
        let mut figures: HashMap<i64, YearFigures> = HashMap::new();
        const EARLIER: [&str; 3] = ["revenue_wan", "rd_wan", "main_revenue_wan"];
        let this_year: Vec<&'static str> = wanted.iter().copied().chain(EARLIER).collect();
        for y in [year, year - 1, year - 2] {
            let metrics: &[&'static str] = if y == year { &this_year } else { &EARLIER };
            self.each_figure_of_year(y, metrics, |firm, metric, v| {
                // Named by the static names asked for.
                if let Some(metric) = metrics.iter().find(|m| **m == metric) {
                    figures.entry(firm).or_default().insert(y, metric, v);
                }
                Ok(())
            })
            .await?;
        }
        let designations = self.store.designations(None).await?;
        let empty = YearFigures::new();
        // Each firm's designations, found once (not by a pass over all of them per firm).
        let mut designated: HashMap<i64, Vec<&DesignationRow>> = HashMap::new();
        for d in &designations {
            designated.entry(d.enterprise_id).or_default().push(d);
        }
        let mut profiles = Vec::with_capacity(firms.len());
        let mut rd_revenue = Vec::with_capacity(firms.len());
        for e in &firms {
            let figs = figures.get(&e.id).unwrap_or(&empty);
            let mine = designated.get(&e.id).map(Vec::as_slice).unwrap_or(&[]);
            profiles.push(profile_of(e, year, figs, mine));
            let get = |k: &str| figs.get(year, k);
            rd_revenue.push((get("rd_wan"), get("revenue_wan")));
        }
        let mut computed = Vec::with_capacity(libs.len());
        for lib in libs {
            let ranking = if lib.membership() == Membership::Ranking { libraries::rank(&profiles, &lib) } else { None };
            let assessments = match &ranking {
                Some(r) => r.assessments.clone(),
                None => profiles.iter().map(|p| libraries::assess(p, &lib)).collect(),
            };
            computed.push((lib, assessments, ranking));
        }
        let c = Arc::new(Computed { year, firms, profiles, libraries: computed, rd_revenue, designations });
        if let Ok(mut slot) = self.cultivation.write() {
            *slot = Some((revision, year, c.clone()));
        }
        Ok(c)
    }

    fn library_summary(lib: &Library, assessments: &[Assessment]) -> LibrarySummary {
        LibrarySummary {
            id: lib.id().to_string(),
            membership: lib.membership().as_str(),
            definition: lib.def().clone(),
            members: libraries::count_members(assessments),
            candidates: assessments.iter().filter(|a| a.status == Status::Candidate).count(),
            by_chain: if lib.chains().is_empty() { BTreeMap::new() } else { libraries::count_by_chain(assessments) },
        }
    }

    /// The libraries with their source, confidence and counts for the year (directory readers).
    pub async fn libraries(&self, session: &Session, year: Option<i64>) -> AppResult<(i64, Vec<LibrarySummary>)> {
        if !session.can(&Action::ReadEnterprises) {
            return Err(AppError::forbidden());
        }
        let year = match year {
            Some(y) => check_year(y)?,
            None => self.default_library_year().await?,
        };
        let c = self.cultivation(year).await?;
        Ok((year, c.libraries.iter().map(|(l, a, _)| Self::library_summary(l, a)).collect()))
    }

    /// The backbone directory's R&D intensity for the year, with what the plan's indicator holds.
    pub async fn backbone_rd(&self, session: &Session, year: i64) -> AppResult<BackboneRd> {
        if !session.can(&Action::ReadEnterprises) {
            return Err(AppError::forbidden());
        }
        let c = self.cultivation(check_year(year)?).await?;
        let mut rd = c.backbone_rd();
        let bound = self.bound_indicators().await?;
        let fed = bound
            .into_iter()
            .rev()
            .find(|(_, d)| matches!(d, Derivation::LibraryRd { library } if library == "backbone"));
        if let Some((ind, _)) = fed {
            rd.indicator_id = Some(ind.id);
            let period = year.to_string();
            rd.stored = self
                .store
                .observations(ind.id)
                .await?
                .into_iter()
                .find(|o| o.period == period && o.region.is_empty())
                .map(|o| (o.value, o.source));
        }
        Ok(rd)
    }

    /// Whether the reader may read each firm's figures, given the firms the reader is assigned to.
    async fn figure_reader<'s>(&self, session: &'s Session) -> AppResult<impl Fn(&EnterpriseRow) -> bool + 's> {
        let assigned = self.store.assigned_enterprises(session.user.id).await?;
        Ok(move |e: &EnterpriseRow| {
            let me: &[i64] = if assigned.contains(&e.id) { std::slice::from_ref(&session.user.id) } else { &[] };
            session.can(&Action::ReadFigures(Object { assigned: me, ..object(e) }))
        })
    }

    /// One library: its members and candidates (a ranking in rank order), each check's values for the
    /// firms whose figures the reader may read.
    pub async fn library_view(&self, session: &Session, id: &str, year: Option<i64>) -> AppResult<LibraryView> {
        if !session.can(&Action::ReadEnterprises) {
            return Err(AppError::forbidden());
        }
        let year = match year {
            Some(y) => check_year(y)?,
            None => self.default_library_year().await?,
        };
        let c = self.cultivation(year).await?;
        let Some((lib, assessments, ranking)) = c.library(id) else { return Err(no_library(id)) };
        let visible = self.figure_reader(session).await?;
        let refs = |i: usize| -> Vec<String> {
            c.designations
                .iter()
                .filter(|d| d.enterprise_id == c.firms[i].id && d.library == id && !d.reference.is_empty())
                .map(|d| d.reference.clone())
                .collect()
        };
        let entry = |i: usize, ranked: Option<&Ranked>| -> LibraryEntry {
            let e = &c.firms[i];
            let a = &assessments[i];
            let see = visible(e);
            let rd_intensity = match (see && lib.id() == "backbone", c.rd_revenue.get(i)) {
                (true, Some((Some(rd), Some(rev)))) if *rev > 0.0 => Some(round9(rd * 100.0 / rev)),
                _ => None,
            };
            LibraryEntry {
                enterprise_id: e.id,
                uscc: e.uscc.clone(),
                name: e.name.clone(),
                city: e.city,
                status: a.status,
                chains: a.chains.clone(),
                references: refs(i),
                figures_visible: see,
                assessment: see.then(|| a.clone()),
                rank: ranked.map(|r| r.rank),
                score: ranked.map(|r| r.score),
                ranked: ranked.filter(|_| see).cloned(),
                rd_intensity,
            }
        };
        let entries: Vec<LibraryEntry> = match ranking {
            Some(r) => r.ranked.iter().map(|x| entry(x.index, Some(x))).collect(),
            None => {
                let mut out: Vec<LibraryEntry> = (0..assessments.len())
                    .filter(|&i| assessments[i].status == Status::Member)
                    .map(|i| entry(i, None))
                    .collect();
                out.extend(
                    (0..assessments.len())
                        .filter(|&i| assessments[i].status == Status::Candidate)
                        .map(|i| entry(i, None)),
                );
                out
            }
        };
        let backbone = if lib.id() == "backbone" { Some(self.backbone_rd(session, year).await?) } else { None };
        Ok(LibraryView { year, library: Self::library_summary(lib, assessments), entries, backbone })
    }

    /// One firm against every library (the firm's page): statuses for its readers, each check's values
    /// for those who may read its figures.
    pub async fn firm_libraries(&self, session: &Session, id: i64, year: Option<i64>) -> AppResult<FirmLibraries> {
        let (_, _, may_figures) = self.readable(session, id).await?;
        let year = match year {
            Some(y) => check_year(y)?,
            None => self.default_library_year().await?,
        };
        let c = self.cultivation(year).await?;
        let mut out = Vec::new();
        if let Some(i) = c.index_of(id) {
            for (lib, assessments, ranking) in &c.libraries {
                let a = &assessments[i];
                let ranked = ranking.as_ref().and_then(|r| r.ranked.iter().find(|x| x.index == i));
                out.push(FirmLibrary {
                    library: lib.id().to_string(),
                    name: lib.name().clone(),
                    membership: lib.membership().as_str(),
                    confidence: lib.source().confidence,
                    status: a.status,
                    chains: a.chains.clone(),
                    summary: may_figures.then(|| a.summary.clone()),
                    assessment: may_figures.then(|| a.clone()),
                    rank: ranked.map(|r| r.rank),
                    score: ranked.map(|r| r.score),
                    ranked: ranked.filter(|_| may_figures).cloned(),
                });
            }
        }
        Ok(FirmLibraries {
            enterprise_id: id,
            year,
            figures_visible: may_figures,
            libraries: out,
            designations: self.store.designations_of(id).await?,
            may_manage: session.can(&Action::ManageLibraries),
        })
    }

    /// The firm a designation names (by id, else by USCC).
    async fn designated_firm(&self, input: &DesignationInput) -> AppResult<EnterpriseRow> {
        let firm = match (input.enterprise_id, input.uscc.as_deref().map(str::trim).filter(|u| !u.is_empty())) {
            (Some(id), _) => self.store.enterprise(id).await?,
            (None, Some(uscc)) => self.store.enterprise_by_uscc(&uscc.to_ascii_uppercase()).await?,
            (None, None) => {
                return Err(AppError::invalid(
                    "enterprise",
                    "请指定企业（企业编号或统一社会信用代码）",
                    "name the enterprise (its id or USCC)",
                ));
            }
        };
        firm.ok_or_else(|| {
            AppError::invalid("enterprise", "该企业未在企业名录中登记", "this enterprise is not registered")
        })
    }

    /// The library and chain a designation names, checked.
    fn designation_target(id: &str, chain: Option<&str>) -> AppResult<(Library, String)> {
        let lib = builtin_libraries()?.into_iter().find(|l| l.id() == id).ok_or_else(|| no_library(id))?;
        if lib.membership() != Membership::Designation {
            return Err(AppError::invalid(
                "library",
                format!(
                    "“{}”按{}入库，无需认定",
                    lib.name().zh,
                    if lib.membership() == Membership::Criteria { "条件" } else { "排名" }
                ),
                format!(
                    "“{}” is entered by {}, not by designation",
                    lib.name().en,
                    if lib.membership() == Membership::Criteria { "criteria" } else { "ranking" }
                ),
            ));
        }
        let chain = chain.map(str::trim).unwrap_or("").to_string();
        if lib.chains().is_empty() {
            if !chain.is_empty() {
                return Err(AppError::invalid("chain", "该库不分产业链", "this library has no chains"));
            }
        } else if !lib.chains().iter().any(|c| c.id == chain) {
            let known: Vec<&str> = lib.chains().iter().map(|c| c.id.as_str()).collect();
            return Err(AppError::invalid(
                "chain",
                format!("请选择产业链：{}", known.join("、")),
                format!("choose a chain: {}", known.join(", ")),
            ));
        }
        Ok((lib, chain))
    }

    /// Designates a firm into a library (a chain of the backbone directory), with the notice.
    pub async fn designate(
        &self,
        session: &Session,
        library: &str,
        input: &DesignationInput,
        ip: &str,
    ) -> AppResult<i64> {
        if !session.can(&Action::ManageLibraries) {
            return Err(AppError::forbidden());
        }
        let (_, chain) = Self::designation_target(library, input.chain.as_deref())?;
        let reference = input.reference.trim();
        if reference.chars().count() > 200 || reference.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "reference",
                "认定文件至多 200 字",
                "the reference is at most 200 characters",
            ));
        }
        let firm = self.designated_firm(input).await?;
        let actor = session.actor(ip);
        let id = self.store.designate(library, &chain, firm.id, reference, &actor).await?;
        self.refresh_derived(&actor).await?;
        Ok(id)
    }

    /// Withdraws a firm's designation (the record stays, withdrawn, with the reason).
    pub async fn withdraw_designation(
        &self,
        session: &Session,
        library: &str,
        input: &DesignationInput,
        ip: &str,
    ) -> AppResult<()> {
        if !session.can(&Action::ManageLibraries) {
            return Err(AppError::forbidden());
        }
        let (_, chain) = Self::designation_target(library, input.chain.as_deref())?;
        let reason = input.reference.trim();
        if reason.chars().count() > 200 || reason.chars().any(char::is_control) {
            return Err(AppError::invalid("reference", "撤销原因至多 200 字", "the reason is at most 200 characters"));
        }
        let firm = self.designated_firm(input).await?;
        let actor = session.actor(ip);
        self.store.withdraw_designation(library, &chain, firm.id, reason, &actor).await?;
        self.refresh_derived(&actor).await?;
        Ok(())
    }

    /// Enters or corrects a firm's library profile figures (the registry's yearly figures the libraries
    /// read, sealed like every figure).
    pub async fn put_library_profile(
        &self,
        session: &Session,
        id: i64,
        year: i64,
        values: &[(String, f64)],
        source: &str,
        ip: &str,
    ) -> AppResult<Vec<i64>> {
        if !session.can(&Action::ManageLibraries) {
            return Err(AppError::forbidden());
        }
        if self.store.enterprise(id).await?.is_none() {
            return Err(AppError::not_found(format!("企业 {id} 不存在"), format!("no enterprise {id}")));
        }
        let allowed = profile_metrics();
        for (key, _) in values {
            if !allowed.iter().any(|m| m.key == key) {
                let known: Vec<&str> = allowed.iter().map(|m| m.key).collect();
                return Err(AppError::invalid(
                    "metric",
                    format!("“{key}”不是培育库档案指标，可选：{}", known.join(", ")),
                    format!("“{key}” is not a library profile figure; one of: {}", known.join(", ")),
                ));
            }
        }
        self.store_figures(session, id, year, values, source, None, ip).await
    }

    /// Computes the indicators bound to a library (`library:ID` counts its members, `library_rd:backbone`
    /// the backbone directory's R&D intensity) for `year`, and stores each as the province-wide value.
    /// Which indicators these are is data (`indicators.derived_from`), not names in code.
    pub async fn recompute_library_indicators(
        &self,
        session: &Session,
        year: i64,
        ip: &str,
    ) -> AppResult<Vec<IndicatorUpdate>> {
        session.require(&Action::ManageLibraries)?;
        let year = check_year(year)?;
        let c = self.cultivation(year).await?;
        let actor = session.actor(ip);
        let period = Period::Year(year as i32);
        let mut out = Vec::new();
        for (ind, d) in self.bound_indicators().await? {
            let mut update = IndicatorUpdate {
                library: String::new(),
                indicator: ind.name.clone(),
                indicator_id: Some(ind.id),
                period: period.to_string(),
                value: None,
                source: String::new(),
                stored: false,
                note: None,
            };
            match &d {
                Derivation::LibraryRd { library } if library == "backbone" => {
                    let rd = c.backbone_rd();
                    update.library = library.clone();
                    update.source = rd.source();
                    update.value = rd.percent;
                    match rd.percent {
                        Some(v) => {
                            self.store.write_derived(&[(ind.id, period, v, update.source.clone())], &actor).await?;
                            update.stored = true;
                        }
                        None => {
                            update.note = Some(Text::new(
                                "目录成员没有可用的研发费用和营业收入数据，未写入",
                                "no member has R&D and revenue for the year: nothing stored",
                            ))
                        }
                    }
                }
                Derivation::LibraryRd { library } => {
                    update.library = library.clone();
                    update.note = Some(Text::new(
                        "目前只能计算骨干企业目录的研发投入强度，未写入",
                        "only the backbone directory's R&D intensity can be computed: nothing stored",
                    ));
                }
                Derivation::Library { library } => {
                    let n = c.members(library) as f64;
                    update.library = library.clone();
                    update.source = format!("由培育库计算：{year}年“{library}”库在库企业{n}家");
                    update.value = Some(n);
                    update.stored = true;
                }
                Derivation::Bases { .. } | Derivation::MatchesSigned => continue,
            }
            out.push(update);
        }
        // Member counts follow the designations' dates, like every other count.
        self.refresh_derived(&actor).await?;
        Ok(out)
    }

    /// Assesses a proposal against the shipped admission table and stores it with the decision.
    pub async fn assess_project(&self, session: &Session, input: &ProposalInput, ip: &str) -> AppResult<ProposalView> {
        // Permission first, on the city the caller claims.
        let claimed = input.city.trim().trim_end_matches('市');
        if session.roles.scopes(&session.user, Perm::AssessProjects).is_empty()
            || !session.can(&Action::AssessProjects { city: claimed })
        {
            return Err(AppError::forbidden());
        }
        let table = admission::example_table().map_err(|e| engine_error("admission table", &e))?;
        let mut errors = Vec::new();
        let project = input.project.trim().to_string();
        if project.is_empty() || project.chars().count() > 100 || project.chars().any(char::is_control) {
            errors.push(FieldError::new(
                "project",
                "项目名称应为 1 至 100 字",
                "a project name is 1 to 100 characters",
            ));
        }
        let city = CityCode::from_name(claimed)
            .map_err(|e| errors.push(FieldError::new("city", e.message(Lang::Zh), e.message(Lang::En))))
            .ok();
        let land = match input.land_mu {
            Some(v) => v,
            None => {
                errors.push(FieldError::new("land_mu", "请填写用地面积（亩）", "give the land in mu"));
                1.0
            }
        };
        // Money arrives in 万元, as the form asks for it.
        let mut money = |field: &str, v: Option<f64>| -> Option<Money> {
            let m = Money::wan(v?);
            if m.is_none() {
                errors.push(FieldError::new(field, "金额超出范围", "the amount is out of range"));
            }
            m
        };
        let fixed_investment = money("fixed_investment_wan", input.fixed_investment_wan);
        let annual_output = money("annual_output_wan", input.annual_output_wan);
        let annual_tax = money("annual_tax_wan", input.annual_tax_wan);
        let value_added = money("value_added_wan", input.value_added_wan);
        let rd = money("rd_wan", input.rd_wan);
        let wan = |m: Option<Money>| m.map(Money::as_wan);
        let proposal = admission::Proposal {
            project: project.clone(),
            zone: input.zone.trim().to_string(),
            industry_code: input.industry_code.trim().to_string(),
            land_mu: land,
            fixed_investment_wan: wan(fixed_investment),
            annual_output_wan: wan(annual_output),
            annual_tax_wan: wan(annual_tax),
            jobs: input.jobs,
            energy_tce: input.energy_tce,
            value_added_wan: wan(value_added),
            rd_wan: wan(rd),
        };
        let (result, city) = match (admission::assess(&proposal, &table), city) {
            (Ok(r), Some(city)) if errors.is_empty() => (r, city),
            (Ok(_), _) => return Err(crate::error::invalid_fields(&errors)),
            (Err(es), _) => {
                errors.extend(es);
                return Err(crate::error::invalid_fields(&errors));
            }
        };
        let json = serde_json::to_string(&result).map_err(AppError::internal)?;
        let row = NewProposal {
            project,
            city,
            zone: proposal.zone.clone(),
            industry_code: proposal.industry_code.clone(),
            land_mu: land,
            fixed_investment_wan: fixed_investment,
            annual_output_wan: annual_output,
            annual_tax_wan: annual_tax,
            jobs: input.jobs,
            energy_tce: input.energy_tce,
            value_added_wan: value_added,
            rd_wan: rd,
            table_id: table.def().id.clone(),
            decision: result.decision.as_str().to_string(),
            result: json,
        };
        // The check is the first step of a project: the project starts at 谋划 with it, in one transaction.
        let project = jiqun_store::NewProject {
            name: row.project.clone(),
            city: row.city.as_str().to_string(),
            source: "新增工业项目准入评价".into(),
            ..Default::default()
        };
        let today = jiqun_domain::date::Date::from_tuple(crate::snapshot::today_in_china());
        let (_, id) = self.store.insert_project_with_admission(&project, &row, today, &session.actor(ip)).await?;
        self.proposal(session, id).await
    }

    fn proposal_view(row: ProposalRow, names: &HashMap<i64, String>) -> AppResult<ProposalView> {
        let result: StoredResult =
            serde_json::from_str(&row.result).map_err(|e| AppError::internal(format!("proposal {}: {e}", row.id)))?;
        Ok(ProposalView {
            assessed_by_name: row.assessed_by.and_then(|u| names.get(&u).cloned()),
            project_id: None,
            row,
            result,
        })
    }

    pub(crate) async fn user_names(&self) -> AppResult<HashMap<i64, String>> {
        Ok(self.store.users().await?.into_iter().map(|u| (u.id, u.username)).collect())
    }

    /// The proposals the user may read: all for a province-wide grant, the own city's otherwise.
    pub async fn proposals(&self, session: &Session) -> AppResult<Vec<ProposalView>> {
        let scopes = session.roles.scopes(&session.user, Perm::AssessProjects);
        let rows = if scopes.contains(&Scope::All) {
            self.store.proposals(None).await?
        } else if scopes.contains(&Scope::OwnCity)
            && let Some(city) = session.user.city
        {
            self.store.proposals(Some(city)).await?
        } else if scopes.is_empty() {
            return Err(AppError::forbidden());
        } else {
            Vec::new()
        };
        let names = self.user_names().await?;
        let projects: HashMap<i64, i64> = self
            .store
            .projects(&jiqun_store::ProjectFilter::default())
            .await?
            .into_iter()
            .filter_map(|p| Some((p.admission_id?, p.id)))
            .collect();
        rows.into_iter()
            .map(|r| {
                let id = r.id;
                Self::proposal_view(r, &names).map(|mut v| {
                    v.project_id = projects.get(&id).copied();
                    v
                })
            })
            .collect()
    }

    pub async fn proposal(&self, session: &Session, id: i64) -> AppResult<ProposalView> {
        if session.roles.scopes(&session.user, Perm::AssessProjects).is_empty() {
            return Err(AppError::forbidden());
        }
        let row = self
            .store
            .proposal(id)
            .await?
            .ok_or_else(|| AppError::not_found(format!("项目 {id} 不存在"), format!("no proposal {id}")))?;
        if !session.can(&Action::AssessProjects { city: row.city.as_str() }) {
            return Err(AppError::forbidden());
        }
        let names = self.user_names().await?;
        let mut view = Self::proposal_view(row, &names)?;
        view.project_id = self.store.project_of_admission(id).await?.map(|p| p.id);
        Ok(view)
    }

    /// The example differentiated-resource policy applied to one evaluation run: counts by class,
    /// surcharge estimates and quota levels per city (directory readers); per firm only where the reader
    /// may read its figures. Electricity and water come from the registry's figures of the run's year;
    /// a firm without them has no estimate and is counted as missing.
    pub async fn resource_policy(&self, session: &Session, id: i64) -> AppResult<PolicyView> {
        let evaluation = self.evaluation_for_directory(session, id).await?;
        let table = resource_policy::example_policy().map_err(|e| engine_error("policy table", &e))?;
        let results = self.store.evaluation_results(id).await?;
        let mut consumption: HashMap<i64, (Option<f64>, Option<f64>)> = HashMap::new();
        self.each_figure_of_year(evaluation.year, &["electricity_mwh", "water_m3"], |firm, metric, v| {
            let slot = consumption.entry(firm).or_default();
            match metric {
                "electricity_mwh" => slot.0 = Some(v),
                "water_m3" => slot.1 = Some(v),
                _ => {}
            }
            Ok(())
        })
        .await?;
        let mut inputs = Vec::with_capacity(results.len());
        let mut ids = Vec::with_capacity(results.len());
        for r in &results {
            let Some(class) = resource_policy::parse_class(&r.class) else { continue };
            let (electricity_mwh, water_m3) = consumption.get(&r.enterprise_id).copied().unwrap_or_default();
            inputs.push(resource_policy::PolicyInput {
                enterprise: r.enterprise_id.to_string(),
                city: r.city.to_string(),
                class,
                electricity_mwh,
                water_m3,
            });
            ids.push(r.enterprise_id);
        }
        let outcome = resource_policy::apply(&inputs, &table);
        let electricity_reported = inputs.iter().filter(|i| i.electricity_mwh.is_some()).count();
        let water_reported = inputs.iter().filter(|i| i.water_m3.is_some()).count();
        let filter = EnterpriseFilter { ids: Some(ids.clone()), ..Default::default() };
        let firms: HashMap<i64, EnterpriseRow> = if ids.is_empty() {
            HashMap::new()
        } else {
            self.store.enterprises(&filter, 0, i64::MAX).await?.0.into_iter().map(|e| (e.id, e)).collect()
        };
        let visible = self.figure_reader(session).await?;
        let mut measures = Vec::new();
        for (m, eid) in outcome.measures.iter().zip(&ids) {
            if let Some(e) = firms.get(eid)
                && visible(e)
            {
                measures.push(PolicyMeasure {
                    enterprise_id: e.id,
                    uscc: e.uscc.clone(),
                    name: e.name.clone(),
                    measures: m.clone(),
                });
            }
        }
        let model = RegionModel::guangdong();
        let order = |c: &str| model.cities.iter().position(|x| x.name == c).unwrap_or(usize::MAX);
        let mut cities = outcome.cities;
        cities.sort_by_key(|c| order(&c.city));
        Ok(PolicyView {
            evaluation,
            example: outcome.example,
            definition: table.def().clone(),
            cities,
            total: outcome.total,
            measures,
            electricity_reported,
            water_reported,
        })
    }
}

fn check_year(year: i64) -> AppResult<i64> {
    let now = this_year();
    if (1990..=now).contains(&year) {
        Ok(year)
    } else {
        Err(AppError::invalid(
            "year",
            format!("年份应在 1990 至 {now} 之间"),
            format!("the year is between 1990 and {now}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiqun_eval::libraries::Figure;
    use jiqun_eval::libraries::figures::{Kind, info};

    #[test]
    fn every_mapped_figure_exists_with_its_kind() {
        for (key, figure, divisor) in FIGURE_MAP {
            let m = metric(key).unwrap_or_else(|| panic!("registry metric {key}"));
            let f = info(figure).unwrap_or_else(|| panic!("library figure {figure}"));
            assert_eq!(f.kind == Kind::Bool, m.flag, "{key} → {figure}");
            assert!(f.derive.is_none(), "{figure} is derived by the engine; map its parts");
            assert!(*divisor > 0.0);
        }
        for (key, figure) in PREV_YEAR_MAP {
            assert!(metric(key).is_some() && info(figure).is_some(), "{key} → {figure}");
        }
    }

    #[test]
    fn every_figure_a_library_uses_can_be_had() {
        // Mapped, given by the record or computed here; a derived figure needs its parts.
        let mut have: HashSet<&str> = FIGURE_MAP.iter().map(|(_, f, _)| *f).collect();
        have.extend(PREV_YEAR_MAP.iter().map(|(_, f)| *f));
        have.extend(["year", "founded_year", "listed", "revenue_growth"]);
        for lib in libraries::builtin().unwrap() {
            let json: serde_json::Value = serde_json::from_str(&lib.to_json()).unwrap();
            let mut stack = vec![json];
            while let Some(v) = stack.pop() {
                if let Some(f) = v.get("figure").and_then(|f| f.as_str()) {
                    let fi = info(f).unwrap();
                    let ok = match fi.derive {
                        None => have.contains(f),
                        Some(
                            jiqun_eval::libraries::figures::Derive::Percent(a, b)
                            | jiqun_eval::libraries::figures::Derive::Sum(a, b)
                            | jiqun_eval::libraries::figures::Derive::Mean(a, b)
                            | jiqun_eval::libraries::figures::Derive::Difference(a, b),
                        ) => have.contains(a) && have.contains(b),
                    };
                    assert!(ok, "{}: {f} has no source in the registry", lib.id());
                }
                match v {
                    serde_json::Value::Array(a) => stack.extend(a),
                    serde_json::Value::Object(o) => stack.extend(o.into_iter().map(|(_, v)| v)),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn a_profile_from_registry_figures() {
        let e = EnterpriseRow {
            id: 7,
            uscc: "X".into(),
            name: "n".into(),
            city: CityCode::Shenzhen,
            county: String::new(),
            industry: String::new(),
            scale: jiqun_domain::Scale::Above,
            founded_year: 2018,
            listed: false,
            chain_nodes: vec![],
            tags: vec![],
            contact: None,
            created_at: 0,
            updated_at: 0,
        };
        let mut f = YearFigures::new();
        for (y, k, v) in [
            (2025, "revenue_wan", 12000.0),
            (2024, "revenue_wan", 10000.0),
            (2025, "rd_wan", 600.0),
            (2024, "rd_wan", 500.0),
            (2025, "valuation_usd_m", 1500.0),
            (2025, "own_brand", 1.0),
            (2025, "main_revenue_wan", 11000.0),
            (2024, "main_revenue_wan", 10000.0),
            (2023, "main_revenue_wan", 8000.0),
        ] {
            f.insert(y, k, v);
        }
        let p = profile_of(&e, 2025, &f, &[]);
        let num = |k: &str| match p.figures.get(k) {
            Some(Figure::Number(v)) => Some(*v),
            _ => None,
        };
        assert_eq!(num("revenue"), Some(12000.0));
        assert_eq!(num("revenue_prev"), Some(10000.0));
        assert_eq!(num("rd_prev"), Some(500.0));
        assert_eq!(num("valuation_usd"), Some(15.0), "US$ 1500 million is 15 亿美元");
        assert_eq!(num("revenue_growth"), Some(20.0));
        // (11000/10000 − 1 + 10000/8000 − 1) / 2 × 100 = (10% + 25%) / 2
        assert_eq!(num("main_business_growth_2y"), Some(17.5));
        assert_eq!(p.figures.get("own_brand"), Some(&Figure::Bool(true)));
        assert_eq!(p.figures.get("listed"), Some(&Figure::Bool(false)));
        let unicorn = libraries::builtin_library("unicorn").unwrap();
        assert_eq!(libraries::assess(&p, &unicorn).status, Status::Member, "7 years old, US$ 1.5 bn, unlisted");
    }
}
