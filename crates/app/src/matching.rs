//! 芯片设计企业与终端应用企业对接合作: enterprises list chip products and terminal needs, Jiqun ranks the
//! candidate pairs with an explained score (`jiqun_eval::matching`), officials record the matchmaking meetings
//! (对接会) and what came of them. A signed contract or a trial counts as cooperation for later scores; the
//! number of pairs with a signed contract feeds an indicator bound to `matches:signed`.
//!
//! Who sees what (`read_matches`): the plan owner, departments and viewers everything; a city bureau the
//! pairs, products, needs and meetings that involve a firm of its city; an enterprise those that involve
//! itself. Products and needs are kept by their firm (`edit_match_listings`, own enterprise), by the city
//! bureau for the firms of its city, or by the plan owner. Meetings are recorded by the city bureau of either
//! firm or the plan owner (`record_match_meetings`); the weights by the plan owner (`set_match_settings`).

use std::collections::{BTreeMap, BTreeSet};

use jiqun_domain::chains::Vocabulary;
use jiqun_domain::date::Date;
use jiqun_domain::matching::{Categories, ChipProduct, MatchOutcome, Maturity, TerminalNeed};
use jiqun_domain::uscc::Uscc;
use jiqun_domain::{CityCode, Lang};
use jiqun_eval::definition::FieldError;
use jiqun_eval::matching::{self as engine, Component, Filter, LeadMonths, Market, Settings, Weights};
use jiqun_store::{
    MATCH_SETTINGS_KEY, MatchMeetingRow, MatchNeedRow, MatchProductRow, NewMatchMeeting, NewMatchNeed, NewMatchProduct,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::invalid_fields;
use crate::input::{date_field, text_field, today};
use crate::{Action, App, AppError, AppResult, Object, Perm, Session};

/// A chip product as a firm lists or edits it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchProductInput {
    /// The chip firm's USCC (a registered enterprise); an enterprise user may leave it out for its own.
    #[serde(default)]
    pub uscc: Option<String>,
    /// The product's name or model.
    pub name: String,
    /// A category id (`GET /api/v1/matches/categories`).
    pub category: String,
    /// The process node in nanometres (1–1000), where known.
    #[serde(default)]
    pub process_node_nm: Option<i64>,
    /// `research`, `sample`, `engineering_validation` or `mass_production`.
    pub maturity: String,
    /// Pieces a year the firm can supply, where known (0 or more).
    #[serde(default)]
    pub annual_volume: Option<i64>,
    /// Anything else the firm wants said (at most 500 characters).
    #[serde(default)]
    pub note: String,
    /// Still offered (default true); an inactive product is not matched.
    #[serde(default)]
    pub active: Option<bool>,
    /// The version read, for an edit: a stale one gets 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// A terminal maker's need as it lists or edits it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchNeedInput {
    /// The terminal maker's USCC (a registered enterprise); an enterprise user may leave it out for its own.
    #[serde(default)]
    pub uscc: Option<String>,
    /// What the chip is for (the terminal product).
    pub name: String,
    /// A category id.
    pub category: String,
    /// Pieces a year, where known (0 or more).
    #[serde(default)]
    pub annual_volume: Option<i64>,
    /// `YYYY-MM-DD`: by when the chip must be in mass production for the terminal.
    pub needed_by: String,
    /// The requirements as the firm writes them (1–1000 characters).
    pub requirements: String,
    /// Still sought (default true); an inactive need is not matched.
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// A matchmaking meeting (对接会) held on a chip product and a terminal need.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchMeetingInput {
    pub product_id: i64,
    pub need_id: i64,
    /// `YYYY-MM-DD`; not in the future.
    pub held_on: String,
    /// Where, or which event (1–100 characters).
    pub place: String,
    /// What was discussed (at most 1000 characters).
    #[serde(default)]
    pub note: String,
}

/// What came of a meeting.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchOutcomeInput {
    /// `signed` (contract signed), `trial` or `no_fit`.
    pub outcome: String,
    /// `YYYY-MM-DD`: the day of the contract, the trial's start or the decision; not before the meeting, not
    /// in the future.
    pub outcome_on: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub version: Option<i64>,
}

/// The weight of each component of the score; only their proportions matter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchWeights {
    pub category: f64,
    pub maturity: f64,
    pub volume: f64,
    pub proximity: f64,
    pub cooperation: f64,
    pub substitution: f64,
}

/// The months a product is assumed to need from its maturity to mass production (example values).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchLeadMonths {
    pub research: f64,
    pub sample: f64,
    pub engineering_validation: f64,
}

/// The settings of the score: weights (non-negative, sum above 0) and lead times (non-negative).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchSettings {
    pub weights: MatchWeights,
    pub lead_months: MatchLeadMonths,
}

impl From<&Settings> for MatchSettings {
    fn from(s: &Settings) -> MatchSettings {
        let (w, l) = (&s.weights, &s.lead_months);
        MatchSettings {
            weights: MatchWeights {
                category: w.category,
                maturity: w.maturity,
                volume: w.volume,
                proximity: w.proximity,
                cooperation: w.cooperation,
                substitution: w.substitution,
            },
            lead_months: MatchLeadMonths {
                research: l.research,
                sample: l.sample,
                engineering_validation: l.engineering_validation,
            },
        }
    }
}

impl From<&MatchSettings> for Settings {
    fn from(s: &MatchSettings) -> Settings {
        let (w, l) = (&s.weights, &s.lead_months);
        Settings {
            weights: Weights {
                category: w.category,
                maturity: w.maturity,
                volume: w.volume,
                proximity: w.proximity,
                cooperation: w.cooperation,
                substitution: w.substitution,
            },
            lead_months: LeadMonths {
                research: l.research,
                sample: l.sample,
                engineering_validation: l.engineering_validation,
            },
        }
    }
}

/// A chip product as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchProductView {
    pub id: i64,
    /// The chip firm.
    pub uscc: String,
    pub firm_name: String,
    pub city: CityCode,
    pub name: String,
    pub category: String,
    pub category_label: String,
    pub process_node_nm: Option<i64>,
    pub maturity: Maturity,
    pub maturity_label: String,
    pub annual_volume: Option<i64>,
    pub note: String,
    pub active: bool,
    /// Made up for the demo (示例数据).
    pub synthetic: bool,
    pub version: i64,
}

/// A terminal need as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchNeedView {
    pub id: i64,
    /// The terminal maker.
    pub uscc: String,
    pub firm_name: String,
    pub city: CityCode,
    pub name: String,
    pub category: String,
    pub category_label: String,
    pub annual_volume: Option<i64>,
    pub needed_by: Date,
    pub requirements: String,
    pub active: bool,
    pub synthetic: bool,
    pub version: i64,
}

/// A meeting as the API shows it, with its pair.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchMeetingView {
    pub id: i64,
    pub product_id: i64,
    pub product_name: String,
    pub chip_uscc: String,
    pub chip_firm: String,
    pub need_id: i64,
    pub need_name: String,
    pub terminal_uscc: String,
    pub terminal_firm: String,
    pub category_label: String,
    pub held_on: Date,
    pub place: String,
    pub note: String,
    /// `signed`, `trial`, `no_fit`, or null while none is recorded.
    pub outcome: Option<MatchOutcome>,
    pub outcome_label: Option<String>,
    pub outcome_on: Option<Date>,
    pub outcome_note: Option<String>,
    pub synthetic: bool,
    pub version: i64,
}

/// One component of a pair's score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchComponentView {
    /// `category`, `maturity`, `volume`, `proximity`, `cooperation` or `substitution`.
    pub component: String,
    pub label: String,
    pub weight: f64,
    /// 0 to 1.
    pub fit: f64,
    /// What the component adds to the score (0–100 in all).
    pub points: f64,
    /// Why, in the caller's language.
    pub reason: String,
}

/// A candidate pair, ranked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchPairView {
    /// 1 for the best pair of the whole list (before the caller's scope narrowed it).
    pub rank: usize,
    pub product_id: i64,
    pub product_name: String,
    pub chip_uscc: String,
    pub chip_firm: String,
    pub chip_city: CityCode,
    pub maturity_label: String,
    pub need_id: i64,
    pub need_name: String,
    pub terminal_uscc: String,
    pub terminal_firm: String,
    pub terminal_city: CityCode,
    pub needed_by: Date,
    pub category: String,
    pub category_label: String,
    /// 0 to 100, the sum of the components' points.
    pub score: f64,
    pub components: Vec<MatchComponentView>,
    /// Meetings recorded on the pair, and the latest outcome recorded.
    pub meetings: usize,
    pub outcome: Option<MatchOutcome>,
    pub outcome_label: Option<String>,
    /// Either side is demo data.
    pub synthetic: bool,
}

/// What the ranked list is narrowed to.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MatchFilter {
    /// A chain id (`ic`, `5g`, …): only categories serving it.
    #[serde(default)]
    pub chain: Option<String>,
    /// A city: only pairs with either firm in it.
    #[serde(default)]
    pub city: Option<String>,
}

/// A category of the shared vocabulary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchCategoryView {
    pub id: String,
    pub name: String,
    /// Chain ids it serves.
    pub chains: Vec<String>,
    /// Domestic substitution is a priority (the plan names it).
    pub substitution_priority: bool,
    pub source: String,
}

fn category_label(id: &str, lang: Lang) -> String {
    Categories::builtin().get(id).map_or_else(|| id.to_string(), |c| c.name.get(lang).to_string())
}

fn product_view(p: MatchProductRow, lang: Lang) -> MatchProductView {
    MatchProductView {
        id: p.id,
        category_label: category_label(&p.category, lang),
        maturity_label: p.maturity.label(lang).to_string(),
        uscc: p.uscc,
        firm_name: p.firm_name,
        city: p.city,
        name: p.name,
        category: p.category,
        process_node_nm: p.process_node_nm,
        maturity: p.maturity,
        annual_volume: p.annual_volume,
        note: p.note,
        active: p.active,
        synthetic: p.synthetic,
        version: p.version,
    }
}

fn need_view(n: MatchNeedRow, lang: Lang) -> MatchNeedView {
    MatchNeedView {
        id: n.id,
        category_label: category_label(&n.category, lang),
        uscc: n.uscc,
        firm_name: n.firm_name,
        city: n.city,
        name: n.name,
        category: n.category,
        annual_volume: n.annual_volume,
        needed_by: n.needed_by,
        requirements: n.requirements,
        active: n.active,
        synthetic: n.synthetic,
        version: n.version,
    }
}

fn component_label(c: Component, lang: Lang) -> &'static str {
    let (zh, en) = match c {
        Component::Category => ("类别匹配", "category"),
        Component::Maturity => ("成熟度与时间", "maturity against timing"),
        Component::Volume => ("供需量", "volume"),
        Component::Proximity => ("地域邻近", "proximity"),
        Component::Cooperation => ("合作基础", "prior cooperation"),
        Component::Substitution => ("国产替代优先", "domestic substitution"),
    };
    lang.pick(zh, en)
}

fn component_id(c: Component) -> &'static str {
    match c {
        Component::Category => "category",
        Component::Maturity => "maturity",
        Component::Volume => "volume",
        Component::Proximity => "proximity",
        Component::Cooperation => "cooperation",
        Component::Substitution => "substitution",
    }
}

fn object<'a>(uscc: &'a str, city: CityCode) -> Object<'a> {
    Object { uscc, city: city.as_str(), ..Object::default() }
}

/// Whether the caller holds the permission in any scope (else 403 before anything is read).
fn require_any(session: &Session, perm: Perm) -> AppResult<()> {
    if session.roles.scopes(&session.user, perm).is_empty() { Err(AppError::forbidden()) } else { Ok(()) }
}

fn sees(session: &Session, uscc: &str, city: CityCode) -> bool {
    session.can(&Action::ReadMatches(object(uscc, city)))
}

fn outcome_label(o: Option<MatchOutcome>, lang: Lang) -> Option<String> {
    o.map(|o| o.label(lang).to_string())
}

/// A count of pieces: 0 or more, within what the engine reads.
fn volume_field(field: &str, v: Option<i64>, errors: &mut Vec<FieldError>) {
    if v.is_some_and(|v| v < 0) {
        errors.push(FieldError::new(
            field,
            "应为不小于 0 的整数（颗/年）",
            "a whole number of pieces a year, 0 or more",
        ));
    }
}

fn category_field(id: &str, errors: &mut Vec<FieldError>) -> String {
    let id = id.trim();
    if Categories::builtin().get(id).is_none() {
        let known: Vec<&str> = Categories::builtin().categories.iter().map(|c| c.id.as_str()).collect();
        errors.push(FieldError::new(
            "category",
            format!("“{id}”不是芯片类别的标识，可选：{}", known.join("、")),
            format!("“{id}” is not a chip category id; one of: {}", known.join(", ")),
        ));
    }
    id.to_string()
}

fn limit(field: &str, s: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let t = s.trim();
    if t.chars().count() > max || t.chars().any(|c| c.is_control() && c != '\n') {
        errors.push(FieldError::new(field, format!("不能超过 {max} 字"), format!("at most {max} characters")));
    }
    t.to_string()
}

impl App {
    /// The settings in force: the stored ones, else the defaults.
    async fn match_settings_in_force(&self) -> AppResult<Settings> {
        match self.store.setting(MATCH_SETTINGS_KEY).await? {
            None => Ok(Settings::default()),
            Some(text) => serde_json::from_str::<Settings>(&text)
                .map_err(|e| AppError::internal(format!("setting {MATCH_SETTINGS_KEY}: {e}"))),
        }
    }

    /// The firm a new listing is for (the given USCC, or the caller's own; a registered enterprise) once the
    /// caller may keep its listings.
    async fn listing_firm(&self, session: &Session, uscc: Option<&str>) -> AppResult<jiqun_store::EnterpriseRow> {
        require_any(session, Perm::EditMatchListings)?;
        let given = uscc.map(str::trim).filter(|s| !s.is_empty());
        let Some(uscc) = given.or(session.user.uscc.as_deref()) else {
            return Err(AppError::invalid("uscc", "请填写企业的统一社会信用代码", "give the firm's USCC"));
        };
        let firm = self.store.enterprise_by_uscc(uscc).await?.ok_or_else(|| {
            AppError::invalid(
                "uscc",
                format!("“{uscc}”不是已登记企业的统一社会信用代码"),
                format!("“{uscc}” is not the USCC of a registered enterprise"),
            )
        })?;
        session.require(&Action::EditMatchListings(object(&firm.uscc, firm.city)))?;
        Ok(firm)
    }

    /// The categories chips and their uses are filed under.
    pub fn match_categories(&self, session: &Session, lang: Lang) -> AppResult<Vec<MatchCategoryView>> {
        require_any(session, Perm::ReadMatches)?;
        Ok(Categories::builtin()
            .categories
            .iter()
            .map(|c| MatchCategoryView {
                id: c.id.clone(),
                name: c.name.get(lang).to_string(),
                chains: c.chains.clone(),
                substitution_priority: c.substitution_priority,
                source: c.source.clone(),
            })
            .collect())
    }

    /// The products the caller may see.
    pub async fn match_products(&self, session: &Session, lang: Lang) -> AppResult<Vec<MatchProductView>> {
        require_any(session, Perm::ReadMatches)?;
        Ok(visible(session, self.store.match_products().await?, |p| product_view(p, lang)))
    }

    pub async fn match_product(&self, session: &Session, id: i64, lang: Lang) -> AppResult<MatchProductView> {
        Ok(product_view(readable(session, self.store.match_product(id)).await?, lang))
    }

    pub(crate) fn check_product(input: &MatchProductInput, enterprise_id: i64) -> AppResult<NewMatchProduct> {
        let mut errors = Vec::new();
        let name = text_field("name", &input.name, 100, &mut errors);
        let category = category_field(&input.category, &mut errors);
        if input.process_node_nm.is_some_and(|n| !(1..=1000).contains(&n)) {
            errors.push(FieldError::new(
                "process_node_nm",
                "工艺节点应为 1 至 1000 纳米",
                "the process node is 1 to 1000 nm",
            ));
        }
        let maturity = Maturity::parse(input.maturity.trim());
        if maturity.is_none() {
            errors.push(FieldError::new(
                "maturity",
                format!(
                    "“{}”不是成熟度，可选：research、sample、engineering_validation、mass_production",
                    input.maturity
                ),
                format!(
                    "“{}” is not a maturity; one of: research, sample, engineering_validation, mass_production",
                    input.maturity
                ),
            ));
        }
        volume_field("annual_volume", input.annual_volume, &mut errors);
        let note = limit("note", &input.note, 500, &mut errors);
        match maturity {
            Some(maturity) if errors.is_empty() => Ok(NewMatchProduct {
                enterprise_id,
                name,
                category,
                process_node_nm: input.process_node_nm,
                maturity,
                annual_volume: input.annual_volume,
                note,
                active: input.active.unwrap_or(true),
                synthetic: false,
            }),
            _ => Err(invalid_fields(&errors)),
        }
    }

    /// Lists a chip product for a firm the caller keeps listings of.
    pub async fn create_match_product(&self, session: &Session, input: &MatchProductInput, ip: &str) -> AppResult<i64> {
        let firm = self.listing_firm(session, input.uscc.as_deref()).await?;
        let p = Self::check_product(input, firm.id)?;
        Ok(self.store.insert_match_product(&p, &session.actor(ip)).await?)
    }

    /// Edits a product; its firm does not change (a `uscc` other than its own is refused).
    pub async fn update_match_product(
        &self,
        session: &Session,
        id: i64,
        input: &MatchProductInput,
        ip: &str,
    ) -> AppResult<()> {
        let old = kept(session, input.uscc.as_deref(), self.store.match_product(id)).await?;
        let p = NewMatchProduct { synthetic: old.synthetic, ..Self::check_product(input, old.enterprise_id)? };
        Ok(self.store.update_match_product(id, &p, input.version, &session.actor(ip)).await?)
    }

    /// The needs the caller may see.
    pub async fn match_needs(&self, session: &Session, lang: Lang) -> AppResult<Vec<MatchNeedView>> {
        require_any(session, Perm::ReadMatches)?;
        Ok(visible(session, self.store.match_needs().await?, |n| need_view(n, lang)))
    }

    pub async fn match_need(&self, session: &Session, id: i64, lang: Lang) -> AppResult<MatchNeedView> {
        Ok(need_view(readable(session, self.store.match_need(id)).await?, lang))
    }

    pub(crate) fn check_need(input: &MatchNeedInput, enterprise_id: i64) -> AppResult<NewMatchNeed> {
        let mut errors = Vec::new();
        let name = text_field("name", &input.name, 100, &mut errors);
        let category = category_field(&input.category, &mut errors);
        volume_field("annual_volume", input.annual_volume, &mut errors);
        let needed_by = date_field("needed_by", &input.needed_by, false, &mut errors);
        let requirements = text_field("requirements", &input.requirements, 1000, &mut errors);
        match needed_by {
            Some(needed_by) if errors.is_empty() => Ok(NewMatchNeed {
                enterprise_id,
                name,
                category,
                annual_volume: input.annual_volume,
                needed_by,
                requirements,
                active: input.active.unwrap_or(true),
                synthetic: false,
            }),
            _ => Err(invalid_fields(&errors)),
        }
    }

    pub async fn create_match_need(&self, session: &Session, input: &MatchNeedInput, ip: &str) -> AppResult<i64> {
        let firm = self.listing_firm(session, input.uscc.as_deref()).await?;
        let n = Self::check_need(input, firm.id)?;
        Ok(self.store.insert_match_need(&n, &session.actor(ip)).await?)
    }

    pub async fn update_match_need(
        &self,
        session: &Session,
        id: i64,
        input: &MatchNeedInput,
        ip: &str,
    ) -> AppResult<()> {
        let old = kept(session, input.uscc.as_deref(), self.store.match_need(id)).await?;
        let n = NewMatchNeed { synthetic: old.synthetic, ..Self::check_need(input, old.enterprise_id)? };
        Ok(self.store.update_match_need(id, &n, input.version, &session.actor(ip)).await?)
    }

    /// The meetings the caller may see, latest first.
    pub async fn match_meetings(&self, session: &Session, lang: Lang) -> AppResult<Vec<MatchMeetingView>> {
        require_any(session, Perm::ReadMatches)?;
        let products: BTreeMap<i64, MatchProductRow> =
            self.store.match_products().await?.into_iter().map(|p| (p.id, p)).collect();
        let needs: BTreeMap<i64, MatchNeedRow> =
            self.store.match_needs().await?.into_iter().map(|n| (n.id, n)).collect();
        let mut out = Vec::new();
        for m in self.store.match_meetings().await? {
            let (Some(p), Some(n)) = (products.get(&m.product_id), needs.get(&m.need_id)) else { continue };
            if sees(session, &p.uscc, p.city) || sees(session, &n.uscc, n.city) {
                out.push(meeting_view(m, p, n, lang));
            }
        }
        Ok(out)
    }

    pub async fn match_meeting(&self, session: &Session, id: i64, lang: Lang) -> AppResult<MatchMeetingView> {
        require_any(session, Perm::ReadMatches)?;
        let m = self.store.match_meeting(id).await?;
        let p = self.store.match_product(m.product_id).await?;
        let n = self.store.match_need(m.need_id).await?;
        if !(sees(session, &p.uscc, p.city) || sees(session, &n.uscc, n.city)) {
            return Err(AppError::forbidden());
        }
        Ok(meeting_view(m, &p, &n, lang))
    }

    /// Whether the caller may record meetings on a pair of these two firms.
    fn may_record(session: &Session, p: &MatchProductRow, n: &MatchNeedRow) -> bool {
        session.can(&Action::RecordMatchMeetings(object(&p.uscc, p.city)))
            || session.can(&Action::RecordMatchMeetings(object(&n.uscc, n.city)))
    }

    /// Records a meeting held on a product and a need of the same category.
    pub async fn record_match_meeting(&self, session: &Session, input: &MatchMeetingInput, ip: &str) -> AppResult<i64> {
        require_any(session, Perm::RecordMatchMeetings)?;
        let missing = |field: &str, zh: String, en: String| AppError::invalid(field, zh, en);
        let p = match self.store.match_product(input.product_id).await {
            Ok(p) => p,
            Err(jiqun_store::StoreError::NotFound(_)) => {
                let id = input.product_id;
                return Err(missing("product_id", format!("芯片产品 {id} 不存在"), format!("no chip product {id}")));
            }
            Err(e) => return Err(e.into()),
        };
        let n = match self.store.match_need(input.need_id).await {
            Ok(n) => n,
            Err(jiqun_store::StoreError::NotFound(_)) => {
                let id = input.need_id;
                return Err(missing("need_id", format!("终端需求 {id} 不存在"), format!("no terminal need {id}")));
            }
            Err(e) => return Err(e.into()),
        };
        if !Self::may_record(session, &p, &n) {
            return Err(AppError::forbidden());
        }
        let mut errors = Vec::new();
        if p.category != n.category {
            errors.push(FieldError::new(
                "need_id",
                format!(
                    "产品与需求的类别不同（{} / {}）",
                    category_label(&p.category, Lang::Zh),
                    category_label(&n.category, Lang::Zh)
                ),
                format!(
                    "the product and the need are of different categories ({} / {})",
                    category_label(&p.category, Lang::En),
                    category_label(&n.category, Lang::En)
                ),
            ));
        }
        if p.enterprise_id == n.enterprise_id {
            errors.push(FieldError::new(
                "need_id",
                "产品与需求属于同一企业",
                "the product and the need are of one firm",
            ));
        }
        let held_on = date_field("held_on", &input.held_on, true, &mut errors);
        let place = text_field("place", &input.place, 100, &mut errors);
        let note = limit("note", &input.note, 1000, &mut errors);
        match held_on {
            Some(held_on) if errors.is_empty() => Ok(self
                .store
                .insert_match_meeting(
                    &NewMatchMeeting { product_id: p.id, need_id: n.id, held_on, place, note, synthetic: false },
                    &session.actor(ip),
                )
                .await?),
            _ => Err(invalid_fields(&errors)),
        }
    }

    /// Records what came of a meeting; the indicators counting signed pairs are recomputed at once.
    pub async fn record_match_outcome(
        &self,
        session: &Session,
        id: i64,
        input: &MatchOutcomeInput,
        ip: &str,
    ) -> AppResult<()> {
        require_any(session, Perm::RecordMatchMeetings)?;
        let m = self.store.match_meeting(id).await?;
        let p = self.store.match_product(m.product_id).await?;
        let n = self.store.match_need(m.need_id).await?;
        if !Self::may_record(session, &p, &n) {
            return Err(AppError::forbidden());
        }
        let mut errors = Vec::new();
        let outcome = MatchOutcome::parse(input.outcome.trim());
        if outcome.is_none() {
            errors.push(FieldError::new(
                "outcome",
                format!("“{}”不是对接结果，可选：signed、trial、no_fit", input.outcome),
                format!("“{}” is not an outcome; one of: signed, trial, no_fit", input.outcome),
            ));
        }
        let on = date_field("outcome_on", &input.outcome_on, true, &mut errors);
        if let Some(on) = on
            && on < m.held_on
        {
            errors.push(FieldError::new(
                "outcome_on",
                format!("结果日期不能早于对接会日期 {}", m.held_on),
                format!("the outcome cannot come before the meeting on {}", m.held_on),
            ));
        }
        let note = limit("note", &input.note, 1000, &mut errors);
        match (outcome, on) {
            (Some(outcome), Some(on)) if errors.is_empty() => {
                let actor = session.actor(ip);
                self.store.set_match_outcome(id, outcome, on, &note, input.version, &actor).await?;
                self.refresh_derived(&actor).await?;
                Ok(())
            }
            _ => Err(invalid_fields(&errors)),
        }
    }

    pub async fn match_settings(&self, session: &Session) -> AppResult<MatchSettings> {
        require_any(session, Perm::ReadMatches)?;
        Ok(MatchSettings::from(&self.match_settings_in_force().await?))
    }

    /// Sets the weights and lead times (the plan owner); every wrong one is named.
    pub async fn set_match_settings(&self, session: &Session, input: &MatchSettings, ip: &str) -> AppResult<()> {
        session.require(&Action::SetMatchSettings)?;
        let settings = Settings::from(input);
        settings.validate().map_err(|e| invalid_fields(&from_data(e)))?;
        let text = serde_json::to_string(&settings).map_err(AppError::internal)?;
        Ok(self.store.set_match_settings(&text, &session.actor(ip)).await?)
    }

    /// The ranked candidate pairs the caller may see, with every component explained.
    pub async fn match_pairs(
        &self,
        session: &Session,
        filter: &MatchFilter,
        lang: Lang,
    ) -> AppResult<Vec<MatchPairView>> {
        require_any(session, Perm::ReadMatches)?;
        self.ranked_pairs(filter, lang, |uscc, city| sees(session, uscc, city)).await
    }

    /// The ranked pairs of which the caller sees one side, with no permission check of its own: for the use
    /// case that decided it, and for the operator's export (`jiqun export --table matches`).
    pub(crate) async fn ranked_pairs(
        &self,
        filter: &MatchFilter,
        lang: Lang,
        sees: impl Fn(&str, CityCode) -> bool,
    ) -> AppResult<Vec<MatchPairView>> {
        let mut errors = Vec::new();
        let city = match filter.city.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(c) => match CityCode::from_name(c) {
                Ok(c) => Some(c),
                Err(e) => {
                    errors.push(FieldError::new("city", e.message(Lang::Zh), e.message(Lang::En)));
                    None
                }
            },
        };
        let chain = filter.chain.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        if let Some(c) = &chain
            && Vocabulary::builtin().chain(c).is_none()
        {
            let known: Vec<&str> = Vocabulary::builtin().chains.iter().map(|c| c.id.as_str()).collect();
            errors.push(FieldError::new(
                "chain",
                format!("“{c}”不是产业链的标识，可选：{}", known.join("、")),
                format!("“{c}” is not a chain id; one of: {}", known.join(", ")),
            ));
        }
        if !errors.is_empty() {
            return Err(invalid_fields(&errors));
        }
        let settings = self.match_settings_in_force().await?;
        let products: Vec<MatchProductRow> =
            self.store.match_products().await?.into_iter().filter(|p| p.active).collect();
        let needs: Vec<MatchNeedRow> = self.store.match_needs().await?.into_iter().filter(|n| n.active).collect();
        let meetings = self.store.match_meetings().await?;
        let uscc = |s: &str| Uscc::parse(s).map_err(|_| AppError::internal(format!("stored USCC “{s}”")));
        let mut chip = Vec::new();
        for p in &products {
            chip.push(ChipProduct {
                firm: uscc(&p.uscc)?,
                city: p.city,
                category: p.category.clone(),
                process_node_nm: p.process_node_nm.and_then(|n| u32::try_from(n).ok()),
                maturity: p.maturity,
                annual_volume: p.annual_volume.and_then(|v| u64::try_from(v).ok()),
            });
        }
        let mut terminal = Vec::new();
        for n in &needs {
            terminal.push(TerminalNeed {
                firm: uscc(&n.uscc)?,
                city: n.city,
                category: n.category.clone(),
                annual_volume: n.annual_volume.and_then(|v| u64::try_from(v).ok()),
                needed_by: n.needed_by,
                requirements: n.requirements.clone(),
            });
        }
        let all_products: BTreeMap<i64, MatchProductRow> =
            self.store.match_products().await?.into_iter().map(|p| (p.id, p)).collect();
        let all_needs: BTreeMap<i64, MatchNeedRow> =
            self.store.match_needs().await?.into_iter().map(|n| (n.id, n)).collect();
        let mut cooperation = BTreeSet::new();
        for m in &meetings {
            if m.outcome.is_some_and(MatchOutcome::is_cooperation)
                && let (Some(p), Some(n)) = (all_products.get(&m.product_id), all_needs.get(&m.need_id))
            {
                cooperation.insert((uscc(&p.uscc)?, uscc(&n.uscc)?));
            }
        }
        let market = Market { products: &chip, needs: &terminal, prior_cooperation: &cooperation, today: today() };
        let pairs = engine::candidates(
            &market,
            Categories::builtin(),
            Vocabulary::builtin(),
            &Filter { chain, city },
            &settings,
        )
        .map_err(|e| invalid_fields(&from_data(e)))?;
        let mut out = Vec::new();
        for (i, pair) in pairs.into_iter().enumerate() {
            let (p, n) = (&products[pair.product], &needs[pair.need]);
            if !(sees(&p.uscc, p.city) || sees(&n.uscc, n.city)) {
                continue;
            }
            // Meetings come latest first: the first with an outcome is the latest outcome.
            let on_pair: Vec<&MatchMeetingRow> =
                meetings.iter().filter(|m| m.product_id == p.id && m.need_id == n.id).collect();
            let outcome = on_pair.iter().find_map(|m| m.outcome);
            out.push(MatchPairView {
                rank: i + 1,
                product_id: p.id,
                product_name: p.name.clone(),
                chip_uscc: p.uscc.clone(),
                chip_firm: p.firm_name.clone(),
                chip_city: p.city,
                maturity_label: p.maturity.label(lang).to_string(),
                need_id: n.id,
                need_name: n.name.clone(),
                terminal_uscc: n.uscc.clone(),
                terminal_firm: n.firm_name.clone(),
                terminal_city: n.city,
                needed_by: n.needed_by,
                category_label: category_label(&pair.category, lang),
                category: pair.category,
                score: pair.score,
                components: pair
                    .components
                    .into_iter()
                    .map(|c| MatchComponentView {
                        component: component_id(c.component).to_string(),
                        label: component_label(c.component, lang).to_string(),
                        weight: c.weight,
                        fit: c.fit,
                        points: c.points,
                        reason: c.reason.get(lang).to_string(),
                    })
                    .collect(),
                meetings: on_pair.len(),
                outcome,
                outcome_label: outcome_label(outcome, lang),
                synthetic: p.synthetic || n.synthetic,
            });
        }
        Ok(out)
    }

    /// For each pair (product, need) with a signed contract recorded, the earliest day one was signed: what
    /// `matches:signed` counts.
    pub(crate) async fn signed_pairs(&self) -> AppResult<Vec<Date>> {
        let mut first: BTreeMap<(i64, i64), Date> = BTreeMap::new();
        for m in self.store.match_meetings().await? {
            if let (Some(MatchOutcome::Signed), Some(on)) = (m.outcome, m.outcome_on) {
                let e = first.entry((m.product_id, m.need_id)).or_insert(on);
                *e = (*e).min(on);
            }
        }
        Ok(first.into_values().collect())
    }
}

/// The engines' field errors (the data files' type) as the application's.
fn from_data(errors: Vec<jiqun_domain::datafile::FieldError>) -> Vec<FieldError> {
    errors.into_iter().map(|e| FieldError::new(e.path, e.zh, e.en)).collect()
}

/// A chip product or a terminal need: listed for a registered firm, read by whoever sees that firm, kept by
/// whoever may keep its listings.
trait Listing {
    /// The firm's USCC and city.
    fn firm(&self) -> (&str, CityCode);
}

impl Listing for MatchProductRow {
    fn firm(&self) -> (&str, CityCode) {
        (&self.uscc, self.city)
    }
}

impl Listing for MatchNeedRow {
    fn firm(&self) -> (&str, CityCode) {
        (&self.uscc, self.city)
    }
}

/// The listings the caller sees, as `view` shows them.
fn visible<L: Listing, V>(session: &Session, listings: Vec<L>, view: impl Fn(L) -> V) -> Vec<V> {
    let seen = |l: &L| {
        let (uscc, city) = l.firm();
        sees(session, uscc, city)
    };
    listings.into_iter().filter(seen).map(view).collect()
}

/// A listing the caller may read. `read` is awaited only once the caller may read some listings (a future
/// does nothing until awaited), so a caller who may not gets 403 before anything is read.
async fn readable<L: Listing>(session: &Session, read: impl Future<Output = jiqun_store::Result<L>>) -> AppResult<L> {
    require_any(session, Perm::ReadMatches)?;
    let listing = read.await?;
    let (uscc, city) = listing.firm();
    session.require(&Action::ReadMatches(object(uscc, city)))?;
    Ok(listing)
}

/// An existing listing the caller may edit, whose firm the edit does not change (`given`, the USCC the edit
/// names, if any). `read` is awaited only once the caller may edit some listings.
async fn kept<L: Listing>(
    session: &Session,
    given: Option<&str>,
    read: impl Future<Output = jiqun_store::Result<L>>,
) -> AppResult<L> {
    require_any(session, Perm::EditMatchListings)?;
    let listing = read.await?;
    let (own, city) = listing.firm();
    session.require(&Action::EditMatchListings(object(own, city)))?;
    match given.map(str::trim).filter(|s| !s.is_empty()) {
        Some(u) if u != own => Err(AppError::invalid(
            "uscc",
            format!("不能把条目改到另一家企业（原为 {own}）"),
            format!("an entry cannot move to another firm (it is {own}'s)"),
        )),
        _ => Ok(listing),
    }
}

fn meeting_view(m: MatchMeetingRow, p: &MatchProductRow, n: &MatchNeedRow, lang: Lang) -> MatchMeetingView {
    MatchMeetingView {
        id: m.id,
        product_id: p.id,
        product_name: p.name.clone(),
        chip_uscc: p.uscc.clone(),
        chip_firm: p.firm_name.clone(),
        need_id: n.id,
        need_name: n.name.clone(),
        terminal_uscc: n.uscc.clone(),
        terminal_firm: n.firm_name.clone(),
        category_label: category_label(&p.category, lang),
        held_on: m.held_on,
        place: m.place,
        note: m.note,
        outcome: m.outcome,
        outcome_label: outcome_label(m.outcome, lang),
        outcome_on: m.outcome_on,
        outcome_note: m.outcome_note,
        synthetic: m.synthetic,
        version: m.version,
    }
}
