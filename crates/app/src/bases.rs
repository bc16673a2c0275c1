//! The registry of platforms and bases, and the indicators computed from registries.
//!
//! A plan's count targets (国家级制造业创新中心2个以上, 集成电路设计基地3个 …) are bound to a query over a
//! registry (`indicators.derived_from`, a [`Derivation`]). Whenever the registry changes, Jiqun writes the
//! bound indicators' yearly province-wide values itself ([`App::refresh_derived`]); a hand-typed value for
//! such an indicator is refused, and the status override with a reason still works.

use jiqun_domain::bases::{BaseKind, BaseLevel, Derivation};
use jiqun_domain::date::Date;
use jiqun_domain::period::Period;
use jiqun_eval::counts::{self, BaseFact, Membership};
use jiqun_store::{Actor, BaseRow, Derived, IndicatorRow, NewBase};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use jiqun_eval::definition::FieldError;

use crate::error::invalid_fields;
use crate::input::limit_text;
use crate::input::{city_field, date_field, today, uscc_field};
use crate::snapshot::date_in_china;
use crate::{Action, App, AppError, AppResult, Session};

/// A base as a user registers or edits it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BaseInput {
    /// Its name as the recognition names it.
    pub name: String,
    /// One of the kinds (`innovation_centre`, `ic_design_base`, …).
    pub kind: String,
    /// `national`, `provincial` or `municipal`: the level of the recognition.
    pub level: String,
    /// The city it lies in (empty for a province-wide platform).
    #[serde(default)]
    pub city: String,
    /// The organisation that hosts or runs it.
    #[serde(default)]
    pub host_name: String,
    /// The host's USCC, where the host is an enterprise.
    #[serde(default)]
    pub host_uscc: Option<String>,
    /// Who recognised it.
    #[serde(default)]
    pub recognised_by: String,
    /// `YYYY-MM-DD`; not in the future.
    pub recognised_on: String,
    /// Where the facts come from (a notice, a list, a web page). Required.
    pub source: String,
    /// The version read, for an edit: a stale one gets 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Withdrawing a base's recognition.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawInput {
    /// `YYYY-MM-DD`; not before its recognition, not in the future.
    pub withdrawn_on: String,
    pub reason: String,
    #[serde(default)]
    pub version: Option<i64>,
}

/// What an indicator is computed from; `null` makes it entered by hand again.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DerivationInput {
    /// `bases:KIND[@LEVEL]`, `library:ID`, `library_rd:ID` or `matches:signed`, or null.
    pub derived_from: Option<String>,
}

/// A base as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BaseView {
    pub id: i64,
    pub name: String,
    pub kind: BaseKind,
    pub kind_label: String,
    pub level: BaseLevel,
    pub level_label: String,
    pub city: String,
    pub host_name: String,
    pub host_uscc: Option<String>,
    pub recognised_by: String,
    pub recognised_on: Date,
    pub withdrawn_on: Option<Date>,
    pub withdrawn_reason: Option<String>,
    pub source: String,
    /// Made up for the demo (示例数据).
    pub synthetic: bool,
    pub version: i64,
    /// The bound indicators this base counts towards (their ids).
    pub counts_for: Vec<i64>,
}

/// What a registry change wrote.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DerivedSummary {
    /// Values written (unchanged ones are not written again).
    pub written: usize,
}

fn view(b: BaseRow, lang: jiqun_domain::Lang, bound: &[(i64, Derivation)]) -> BaseView {
    let counts_for = bound
        .iter()
        .filter(|(_, d)| matches!(d, Derivation::Bases { kind, level } if *kind == b.kind && level.is_none_or(|l| l == b.level)))
        .map(|(id, _)| *id)
        .collect();
    BaseView {
        id: b.id,
        kind_label: b.kind.label(lang).to_string(),
        level_label: b.level.label(lang).to_string(),
        name: b.name,
        kind: b.kind,
        level: b.level,
        city: b.city,
        host_name: b.host_name,
        host_uscc: b.host_uscc,
        recognised_by: b.recognised_by,
        recognised_on: b.recognised_on,
        withdrawn_on: b.withdrawn_on,
        withdrawn_reason: b.withdrawn_reason,
        source: b.source,
        synthetic: b.synthetic,
        version: b.version,
        counts_for,
    }
}

/// Checks a base as entered; every wrong field is named at once.
fn check_base(input: &BaseInput) -> AppResult<NewBase> {
    let mut errors = Vec::new();
    let name = input.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        errors.push(FieldError::new("name", "名称应为 1 至 100 字", "the name is 1 to 100 characters"));
    }
    let kind = BaseKind::parse(&input.kind);
    if kind.is_none() {
        let known: Vec<&str> = BaseKind::ALL.iter().map(|k| k.as_str()).collect();
        errors.push(FieldError::new(
            "kind",
            format!("“{}”不是平台或基地的类别，可选：{}", input.kind, known.join("、")),
            format!("“{}” is not a kind of base; one of: {}", input.kind, known.join(", ")),
        ));
    }
    let level = BaseLevel::parse(&input.level);
    if level.is_none() {
        errors.push(FieldError::new(
            "level",
            format!("“{}”不是认定级别，可选：national、provincial、municipal", input.level),
            format!("“{}” is not a level; one of: national, provincial, municipal", input.level),
        ));
    }
    let city = city_field("city", &input.city, true, &mut errors);
    let host_uscc = uscc_field("host_uscc", input.host_uscc.as_deref(), &mut errors);
    let recognised_on = date_field("recognised_on", &input.recognised_on, true, &mut errors);
    let source = input.source.trim().to_string();
    if source.is_empty() {
        errors.push(FieldError::new(
            "source",
            "请注明来源（认定文件、名单或网页）",
            "give the source (the notice, list or web page)",
        ));
    }
    for (field, text, max) in [
        ("host_name", &input.host_name, 100),
        ("recognised_by", &input.recognised_by, 100),
        ("source", &input.source, 500),
    ] {
        if text.chars().count() > max {
            errors.push(FieldError::new(field, format!("不能超过 {max} 字"), format!("at most {max} characters")));
        }
    }
    match (kind, level, recognised_on) {
        (Some(kind), Some(level), Some(recognised_on)) if errors.is_empty() => Ok(NewBase {
            name,
            kind,
            level,
            city,
            host_name: input.host_name.trim().to_string(),
            host_uscc,
            recognised_by: input.recognised_by.trim().to_string(),
            recognised_on,
            source,
            synthetic: false,
        }),
        _ => Err(invalid_fields(&errors)),
    }
}

/// What an indicator is computed from, as people say it: a library by its name, not its id.
pub fn derivation_label(d: &Derivation, lang: jiqun_domain::Lang) -> String {
    match d {
        Derivation::Library { library } | Derivation::LibraryRd { library } => {
            match jiqun_eval::libraries::builtin_library(library) {
                Some(l) => {
                    let name = lang.pick(&l.name().zh, &l.name().en).to_string();
                    let rd = matches!(d, Derivation::LibraryRd { .. });
                    match (lang, rd) {
                        (jiqun_domain::Lang::Zh, false) => format!("{name}在库企业数"),
                        (jiqun_domain::Lang::Zh, true) => format!("{name}研发投入强度"),
                        (jiqun_domain::Lang::En, false) => format!("members of {name}"),
                        (jiqun_domain::Lang::En, true) => format!("R&D intensity of {name}"),
                    }
                }
                None => d.label(lang),
            }
        }
        Derivation::Bases { .. } | Derivation::MatchesSigned => d.label(lang),
    }
}

/// The shipped bindings of known plans (`data/bindings/`): which count targets are computed from what.
const SHIPPED_BINDINGS: &[&str] = &[include_str!("../../../data/bindings/guangdong-ngit-cluster-2025.json")];

#[derive(Deserialize)]
struct ShippedBindings {
    plan_name: String,
    bindings: Vec<ShippedBinding>,
}

#[derive(Deserialize)]
struct ShippedBinding {
    item: String,
    indicator: String,
    derived_from: String,
}

/// The shipped bindings for a plan of this name: (item, indicator name, derivation).
pub fn shipped_bindings(plan_name: &str) -> Vec<(String, String, Derivation)> {
    let mut out = Vec::new();
    for text in SHIPPED_BINDINGS {
        // A test reads every shipped file, so a broken one never ships.
        let Ok(file) = serde_json::from_str::<ShippedBindings>(text) else { continue };
        if file.plan_name != plan_name {
            continue;
        }
        for b in file.bindings {
            if let Ok(d) = Derivation::parse(&b.derived_from) {
                out.push((b.item, b.indicator, d));
            }
        }
    }
    out
}

impl App {
    /// Binds a freshly loaded plan's count targets as its shipped bindings say, and computes them.
    pub(crate) async fn bind_shipped(&self, plan_id: i64, actor: &Actor) -> AppResult<()> {
        let Some(plan) = self.store.plans().await?.into_iter().find(|p| p.id == plan_id) else { return Ok(()) };
        let shipped = shipped_bindings(&plan.name);
        if shipped.is_empty() {
            return Ok(());
        }
        for ind in self.store.indicators(plan_id).await? {
            let found =
                shipped.iter().find(|(item, name, _)| ind.item.as_deref() == Some(item.as_str()) && *name == ind.name);
            if let Some((_, _, d)) = found {
                self.store.set_derivation(ind.id, Some(&d.to_string()), actor).await?;
            }
        }
        self.refresh_derived(actor).await?;
        Ok(())
    }

    /// The bound indicators of the active plans, with what they are computed from. A stored text that
    /// no longer parses is a fault of the data, said as such.
    pub(crate) async fn bound_indicators(&self) -> AppResult<Vec<(IndicatorRow, Derivation)>> {
        let mut out = Vec::new();
        for plan in self.store.plans().await?.into_iter().filter(|p| p.status == "active") {
            for ind in self.store.indicators(plan.id).await? {
                if let Some(text) = &ind.derived_from {
                    let d = Derivation::parse(text).map_err(|(_, en)| {
                        AppError::internal(format!("indicator {}: derived_from “{text}”: {en}", ind.id))
                    })?;
                    out.push((ind, d));
                }
            }
        }
        Ok(out)
    }

    pub async fn bases(&self, session: &Session, lang: jiqun_domain::Lang) -> AppResult<Vec<BaseView>> {
        session.require(&Action::ReadPlan)?;
        self.base_views(lang).await
    }

    /// Every base as the API shows it, with no permission check: for the use cases that decided it, and for
    /// the operator's export (`jiqun export --table bases`).
    pub(crate) async fn base_views(&self, lang: jiqun_domain::Lang) -> AppResult<Vec<BaseView>> {
        let bound: Vec<(i64, Derivation)> =
            self.bound_indicators().await?.into_iter().map(|(i, d)| (i.id, d)).collect();
        Ok(self.store.bases().await?.into_iter().map(|b| view(b, lang, &bound)).collect())
    }

    pub async fn base(&self, session: &Session, id: i64, lang: jiqun_domain::Lang) -> AppResult<BaseView> {
        session.require(&Action::ReadPlan)?;
        let bound: Vec<(i64, Derivation)> =
            self.bound_indicators().await?.into_iter().map(|(i, d)| (i.id, d)).collect();
        Ok(view(self.store.base(id).await?, lang, &bound))
    }

    /// Registers a recognised base and brings the indicators that count it up to date.
    pub async fn recognise_base(&self, session: &Session, input: &BaseInput, ip: &str) -> AppResult<i64> {
        session.require(&Action::ManageBases)?;
        let base = check_base(input)?;
        let actor = session.actor(ip);
        let id = self.store.insert_base(&base, &actor).await?;
        self.refresh_derived(&actor).await?;
        Ok(id)
    }

    /// Registers demo bases, marked synthetic (the demo data set).
    pub(crate) async fn recognise_synthetic_base(&self, input: &BaseInput, actor: &Actor) -> AppResult<i64> {
        let mut base = check_base(input)?;
        base.synthetic = true;
        Ok(self.store.insert_base(&base, actor).await?)
    }

    pub async fn update_base(&self, session: &Session, id: i64, input: &BaseInput, ip: &str) -> AppResult<()> {
        session.require(&Action::ManageBases)?;
        let mut base = check_base(input)?;
        let old = self.store.base(id).await?;
        base.synthetic = old.synthetic;
        if let Some(w) = old.withdrawn_on
            && base.recognised_on > w
        {
            return Err(AppError::invalid(
                "recognised_on",
                format!("认定日期不能晚于撤销日期 {w}"),
                format!("the recognition cannot come after its withdrawal on {w}"),
            ));
        }
        let actor = session.actor(ip);
        self.store.update_base(id, &base, input.version, &actor).await?;
        self.refresh_derived(&actor).await?;
        Ok(())
    }

    pub async fn withdraw_base(&self, session: &Session, id: i64, input: &WithdrawInput, ip: &str) -> AppResult<()> {
        session.require(&Action::ManageBases)?;
        let base = self.store.base(id).await?;
        let mut errors = Vec::new();
        let Some(on) = date_field("withdrawn_on", &input.withdrawn_on, true, &mut errors) else {
            return Err(invalid_fields(&errors));
        };
        if on < base.recognised_on {
            return Err(AppError::invalid(
                "withdrawn_on",
                format!("撤销日期不能早于认定日期 {}", base.recognised_on),
                format!("the withdrawal cannot come before the recognition on {}", base.recognised_on),
            ));
        }
        let reason = input.reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "请说明撤销理由", "give the reason"));
        }
        limit_text("reason", reason, 500)?;
        let actor = session.actor(ip);
        self.store.withdraw_base(id, on, reason, input.version, &actor).await?;
        self.refresh_derived(&actor).await?;
        Ok(())
    }

    /// Binds an indicator to a registry query (or unbinds it) and computes its values at once.
    pub async fn set_derivation(
        &self,
        session: &Session,
        indicator_id: i64,
        input: &DerivationInput,
        ip: &str,
    ) -> AppResult<usize> {
        session.require(&Action::EditIndicator)?;
        self.existing_indicator(indicator_id).await?;
        let text = match input.derived_from.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => {
                let d = Derivation::parse(s).map_err(|(zh, en)| AppError::invalid("derived_from", zh, en))?;
                if let Derivation::Library { library } | Derivation::LibraryRd { library } = &d
                    && jiqun_eval::libraries::builtin_library(library).is_none()
                {
                    return Err(AppError::invalid(
                        "derived_from",
                        format!("培育库“{library}”不存在"),
                        format!("there is no library “{library}”"),
                    ));
                }
                Some(d.to_string())
            }
        };
        let actor = session.actor(ip);
        self.store.set_derivation(indicator_id, text.as_deref(), &actor).await?;
        self.refresh_derived(&actor).await
    }

    /// Writes the yearly values of every indicator bound to a count (bases, library members), from the
    /// indicator's baseline year (else the plan's first year, else five years before its target) to this
    /// year; unchanged values are not written again. Library R&D intensity needs the members' figures
    /// and is computed by [`App::recompute_library_indicators`].
    pub async fn refresh_derived(&self, actor: &Actor) -> AppResult<usize> {
        let bound = self.bound_indicators().await?;
        if bound.is_empty() {
            return Ok(0);
        }
        let bases: Vec<BaseFact> = self
            .store
            .bases()
            .await?
            .into_iter()
            .map(|b| BaseFact {
                kind: b.kind,
                level: b.level,
                recognised_on: b.recognised_on,
                withdrawn_on: b.withdrawn_on,
            })
            .collect();
        let members: Vec<Membership> = self
            .store
            .designation_spans()
            .await?
            .into_iter()
            .map(|(library, enterprise_id, from, until)| Membership {
                library,
                enterprise_id,
                from: date_in_china(from),
                until: until.map(date_in_china),
            })
            .collect();
        let signed = if bound.iter().any(|(_, d)| *d == Derivation::MatchesSigned) {
            self.signed_pairs().await?
        } else {
            Vec::new()
        };
        let today = today();
        let mut values: Vec<Derived> = Vec::new();
        for (ind, d) in &bound {
            let first = ind
                .baseline_period
                .as_deref()
                .and_then(|p| Period::parse(p).ok())
                .map(|p| p.year())
                .unwrap_or(ind.target_year as i32 - 5);
            let yearly = match d {
                Derivation::Bases { kind, level } => {
                    counts::yearly(first, today, |at| counts::bases_at(&bases, *kind, *level, at))
                }
                Derivation::Library { library } => {
                    counts::yearly(first, today, |at| counts::members_at(&members, library, at))
                }
                Derivation::MatchesSigned => counts::yearly(first, today, |at| counts::signed_at(&signed, at)),
                Derivation::LibraryRd { .. } => continue,
            };
            let what = derivation_label(d, jiqun_domain::Lang::Zh);
            for (year, n) in yearly {
                let at = if year == today.year { today } else { Date::year_end(year) };
                values.push((ind.id, Period::Year(year), n as f64, format!("由系统根据{what}计算（截至 {at}）")));
            }
        }
        Ok(self.store.write_derived(&values, actor).await?)
    }
}
