//! The enterprise registry's use cases: registering firms, entering and correcting their yearly figures
//! (sealed with SM4 before they reach the database, each with its source and full history), reading
//! them through the access rules (the enterprise itself, its city's bureau, experts assigned to it, the
//! plan owner), experts' assignments, and the per-mu evaluation run over the registry.

use std::collections::HashMap;

use jiqun_domain::enterprise::{EVALUATION_INPUTS, METRICS, metric, valid_industry_code};
use jiqun_domain::{CityCode, Lang, Scale};
use jiqun_office::sheet::{Row, RowStream};
use jiqun_store::{
    EnterpriseFilter, EnterpriseRow, EvaluationRow, FigureSetInput, FigureSetRow, ImportPart, NewEnterprise, ResultRow,
};
use serde::{Deserialize, Serialize};

use crate::authz::{Action, Object, Perm, Scope};
use crate::imports::{CellError, ImportKind, Located};
use crate::input::{parse_city, parse_scale};
use crate::{App, AppError, AppResult, Session};

// What a form or the API gives; its doc comments are the API's description of the body.
/// A firm to register, or the new record of a registered one (found by its USCC).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = EnterpriseBody)]
pub struct EnterpriseInput {
    /// Unified social credit code; its GB 32100 check character is validated.
    pub uscc: String,
    pub name: String,
    pub city: String,
    /// The county or district.
    #[serde(default)]
    pub county: String,
    /// GB/T 4754 industry code.
    #[serde(default)]
    pub industry: String,
    /// `above` (规上) or `below` (规下).
    pub scale: String,
    pub founded_year: i64,
    #[serde(default)]
    pub listed: bool,
    /// The industrial chains' nodes the firm belongs to.
    #[serde(default)]
    pub chain_nodes: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// One figure of a firm in clear (for those allowed to read it), one version of it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = EnterpriseFigure)]
pub struct Figure {
    pub id: i64,
    pub year: i64,
    /// The metric's key (contracts §4).
    pub metric: String,
    pub value: f64,
    /// Where the figure comes from.
    pub source: String,
    /// False for a version since corrected.
    pub is_current: bool,
    /// The user who entered it.
    pub entered_by: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub entered_at: i64,
}

/// One evaluation item of a firm: why it got its score.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[schema(as = EnterpriseResultItem)]
pub struct ItemScore {
    pub name: String,
    /// Null where the indicator is undefined for the firm (it then scores the group's mean).
    pub value: Option<f64>,
    pub benchmark: f64,
    pub score: f64,
}

/// A firm's result in a per-mu evaluation run; score, rank and items only for readers of its figures
/// (null otherwise).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = EnterpriseResult)]
pub struct ResultView {
    pub evaluation_id: i64,
    pub enterprise_id: i64,
    #[schema(value_type = String)]
    pub city: CityCode,
    /// `above` or `below`: the group the firm is ranked in.
    #[schema(value_type = String)]
    pub scale: Scale,
    /// A, B, C, D or T (not rated).
    pub class: String,
    /// Why the firm has its class.
    pub reason: String,
    pub score: Option<f64>,
    pub rank: Option<i64>,
    /// The number of firms in the firm's group.
    pub group_size: i64,
    pub items: Option<Vec<ItemScore>>,
}

pub struct EnterpriseView {
    pub row: EnterpriseRow,
    /// `None` when the reader may not see figures.
    pub figures: Option<Vec<Figure>>,
    pub results: Vec<(EvaluationRow, ResultView)>,
    pub experts: Vec<i64>,
    /// The assigned experts' display names (their user names where they have none).
    pub expert_names: Vec<String>,
    pub may_edit: bool,
    pub contact: Option<String>,
}

/// Distribution of one run: counts by city and class, and the movement between classes since the
/// previous year's run of the same scheme.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluationSummary {
    pub evaluation: EvaluationRow,
    /// (city, [A, B, C, D, T] counts).
    pub by_city: Vec<(CityCode, [i64; 5])>,
    pub previous: Option<EvaluationRow>,
    /// `moves[from][to]` over the firms in both runs, classes in the order A B C D T.
    pub moves: Option<[[i64; 5]; 5]>,
}

pub const CLASSES: [&str; 5] = ["A", "B", "C", "D", "T"];

fn class_index(c: &str) -> usize {
    CLASSES.iter().position(|x| *x == c).unwrap_or(4)
}

use jiqun_store::{enterprise_contact_context, figure_set_clear, figure_set_context, figure_set_values};

fn items_context(evaluation_id: i64, enterprise_id: i64) -> String {
    jiqun_store::result_items_context(evaluation_id, enterprise_id)
}

pub(crate) fn this_year() -> i64 {
    i64::from(crate::snapshot::civil(jiqun_store::now_ms() / 86_400_000).0)
}

/// Checks an enterprise's record; every error names its field.
pub fn check_enterprise(input: &EnterpriseInput) -> AppResult<NewEnterprise> {
    // Spaces, full-width characters and lower case are forgiven, as people type codes (Uscc::parse).
    let typed = input.uscc.trim();
    let uscc = jiqun_domain::uscc::Uscc::parse(typed)
        .map_err(|e| {
            AppError::invalid(
                "uscc",
                format!("{typed}：{}", e.message(Lang::Zh)),
                format!("{typed}: {}", e.message(Lang::En)),
            )
        })?
        .as_str()
        .to_string();
    let name = input.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AppError::invalid("name", "企业名称应为 1 至 100 字", "a name is 1 to 100 characters"));
    }
    let city = parse_city("city", &input.city)?;
    let county = input.county.trim().to_string();
    if county.chars().count() > 40 || county.chars().any(char::is_control) {
        return Err(AppError::invalid("county", "县（区）名称至多 40 字", "a county is at most 40 characters"));
    }
    let industry = input.industry.trim().to_string();
    if !industry.is_empty() && !valid_industry_code(&industry) {
        return Err(AppError::invalid(
            "industry",
            format!("“{industry}”不是国民经济行业分类（GB/T 4754）代码，应形如 C39 或 C3971"),
            format!("“{industry}” is not a GB/T 4754 industry code such as C39 or C3971"),
        ));
    }
    let scale = parse_scale("scale", &input.scale)?;
    let now = this_year();
    if input.founded_year < 1800 || input.founded_year > now {
        return Err(AppError::invalid(
            "founded_year",
            format!("成立年份应在 1800 至 {now} 之间"),
            format!("the founding year is between 1800 and {now}"),
        ));
    }
    let clean = |field: &str, list: &[String]| -> AppResult<Vec<String>> {
        let out: Vec<String> = list.iter().map(|s| s.trim().replace(',', "，")).filter(|s| !s.is_empty()).collect();
        if out.len() > 30 || out.iter().any(|s| s.chars().count() > 40 || s.chars().any(char::is_control)) {
            return Err(AppError::invalid(field, "至多 30 项，每项至多 40 字", "at most 30 entries of 40 characters"));
        }
        Ok(out)
    };
    Ok(NewEnterprise {
        uscc,
        name,
        city,
        county,
        industry,
        scale,
        founded_year: input.founded_year,
        listed: input.listed,
        chain_nodes: clean("chain_nodes", &input.chain_nodes)?,
        tags: clean("tags", &input.tags)?,
    })
}

/// Checks one figure; the field named is the metric.
pub fn check_figure(year: i64, key: &str, value: f64) -> AppResult<()> {
    check_figure_of(this_year(), year, key, value)
}

/// `check_figure` with the year now given (an import reads the clock once, not once a figure).
fn check_figure_of(now: i64, year: i64, key: &str, value: f64) -> AppResult<()> {
    let Some(m) = metric(key) else {
        let known: Vec<&str> = METRICS.iter().map(|m| m.key).collect();
        return Err(AppError::invalid(
            "metric",
            format!("未知指标“{key}”，可选：{}", known.join(", ")),
            format!("unknown metric “{key}”; one of: {}", known.join(", ")),
        ));
    };
    if !(1990..=now).contains(&year) {
        return Err(AppError::invalid(
            "year",
            format!("年份应在 1990 至 {now} 之间"),
            format!("the year is between 1990 and {now}"),
        ));
    }
    if !value.is_finite() {
        return Err(AppError::invalid(key, format!("{}不是有效数值", m.zh), format!("{} is not a number", m.en)));
    }
    if m.flag && value != 0.0 && value != 1.0 {
        return Err(AppError::invalid(
            key,
            format!("{}填 1（是）或 0（否）", m.zh),
            format!("{} is 1 (yes) or 0 (no)", m.en),
        ));
    }
    if value < 0.0 && !m.signed {
        return Err(AppError::invalid(key, format!("{}不能为负数", m.zh), format!("{} cannot be negative", m.en)));
    }
    if m.signed && value.abs() > 1e6 {
        return Err(AppError::invalid(key, format!("{}超出合理范围", m.zh), format!("{} is out of range", m.en)));
    }
    if m.percent && value > 100.0 {
        return Err(AppError::invalid(key, format!("{}不能超过 100%", m.zh), format!("{} cannot exceed 100%", m.en)));
    }
    if key == "land_mu" && value == 0.0 {
        return Err(AppError::invalid(key, "用地面积不能为 0", "land cannot be 0"));
    }
    Ok(())
}

pub(crate) fn object(e: &EnterpriseRow) -> Object<'_> {
    Object { uscc: &e.uscc, city: e.city.as_str(), ..Default::default() }
}

impl App {
    fn not_found_enterprise(id: i64) -> AppError {
        AppError::not_found(format!("企业 {id} 不存在"), format!("no enterprise {id}"))
    }

    /// The firm and whether the user may read its figures (also for its own user and its experts).
    pub(crate) async fn readable(&self, session: &Session, id: i64) -> AppResult<(EnterpriseRow, Vec<i64>, bool)> {
        let Some(e) = self.store.enterprise(id).await? else {
            return Err(if session.can(&Action::ReadEnterprises) {
                Self::not_found_enterprise(id)
            } else {
                AppError::forbidden()
            });
        };
        let experts = self.store.experts_of(id).await?;
        let figures = session.can(&Action::ReadFigures(Object { assigned: &experts, ..object(&e) }));
        if !figures && !session.can(&Action::ReadEnterprises) {
            return Err(AppError::forbidden());
        }
        Ok((e, experts, figures))
    }

    /// Registers a firm or updates its record (by USCC).
    pub async fn register_enterprise(&self, session: &Session, input: &EnterpriseInput, ip: &str) -> AppResult<i64> {
        // Permission first, on what the caller claims; then the checks.
        let claimed_city = input.city.trim().trim_end_matches('市');
        if !session.can(&Action::EditEnterprise(Object {
            uscc: input.uscc.trim(),
            city: claimed_city,
            ..Default::default()
        })) {
            return Err(AppError::forbidden());
        }
        let e = check_enterprise(input)?;
        if let Some(existing) = self.store.enterprise_by_uscc(&e.uscc).await?
            && !session.can(&Action::EditEnterprise(object(&existing)))
        {
            // A city bureau cannot take over another city's firm by re-registering it.
            return Err(AppError::forbidden());
        }
        Ok(self.store.upsert_enterprise(&e, &session.actor(ip)).await?)
    }

    /// The firm, if the user may change it (403 otherwise, also for an id that does not exist unless the
    /// user reads the directory).
    pub async fn may_edit_enterprise(&self, session: &Session, id: i64) -> AppResult<EnterpriseRow> {
        let Some(e) = self.store.enterprise(id).await? else {
            return Err(if session.can(&Action::ReadEnterprises) {
                Self::not_found_enterprise(id)
            } else {
                AppError::forbidden()
            });
        };
        if !session.can(&Action::EditEnterprise(object(&e))) {
            return Err(AppError::forbidden());
        }
        Ok(e)
    }

    /// The evaluation runs, newest first: for directory readers and for users who read some firm's figures.
    pub async fn evaluation_runs(&self, session: &Session) -> AppResult<Vec<EvaluationRow>> {
        if !session.can(&Action::ReadEnterprises) && session.roles.scopes(&session.user, Perm::ReadFigures).is_empty() {
            return Err(AppError::forbidden());
        }
        Ok(self.store.evaluations().await?)
    }

    /// Enters or corrects figures of one year; all checked first, stored together.
    /// With `version` (the id of the year's newest figure set the writer read, 0 for none), refused as
    /// stale when the figures changed since (409 with the current version).
    #[allow(clippy::too_many_arguments)]
    pub async fn put_figures(
        &self,
        session: &Session,
        id: i64,
        year: i64,
        values: &[(String, f64)],
        source: &str,
        version: Option<i64>,
        ip: &str,
    ) -> AppResult<Vec<i64>> {
        self.may_edit_enterprise(session, id).await?;
        self.store_figures(session, id, year, values, source, version, ip).await
    }

    /// Checks, seals and stores a year's figures of a firm, once the caller's permission is settled.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn store_figures(
        &self,
        session: &Session,
        id: i64,
        year: i64,
        values: &[(String, f64)],
        source: &str,
        version: Option<i64>,
        ip: &str,
    ) -> AppResult<Vec<i64>> {
        if values.is_empty() {
            return Err(AppError::invalid("figures", "没有要保存的数据", "no figures given"));
        }
        let source = source.trim();
        if source.chars().count() > 200 || source.chars().any(char::is_control) {
            return Err(AppError::invalid("source", "来源至多 200 字", "a source is at most 200 characters"));
        }
        // One set: each figure once (a second value of the same figure replaces the first).
        let mut set: Vec<(&str, f64)> = Vec::with_capacity(values.len());
        for (key, value) in values {
            check_figure(year, key, *value)?;
            match set.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = *value,
                None => set.push((key, *value)),
            }
        }
        let metrics = set.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(",");
        let sealed =
            self.seal(&figure_set_clear(set.iter().map(|(_, v)| *v)), &figure_set_context(id, year, &metrics))?;
        let input = FigureSetInput { year, metrics, sealed, source: source.to_string() };
        let set_id = self.store.put_figures(id, &input, version, &session.actor(ip)).await?;
        // The set holds every figure given: each answers with its id.
        Ok(vec![set_id; values.len()])
    }

    fn seal(&self, clear: &str, context: &str) -> AppResult<String> {
        self.store
            .crypto()
            .seal(clear.as_bytes(), context.as_bytes())
            .map_err(|e| AppError::internal(format!("seal: {e}")))
    }

    /// A set's figures in clear: (name, value) in the set's order.
    pub(crate) fn open_set<'r>(&self, f: &'r FigureSetRow) -> AppResult<Vec<(&'r str, f64)>> {
        let clear = self
            .store
            .crypto()
            .open(&f.sealed, figure_set_context(f.enterprise_id, f.year, &f.metrics).as_bytes())
            .map_err(|e| AppError::internal(format!("figures {}: {e}", f.id)))?;
        let values = std::str::from_utf8(&clear)
            .ok()
            .and_then(figure_set_values)
            .filter(|v| v.len() == f.metric_names().count())
            .ok_or_else(|| AppError::internal(format!("figures {}: not a set of numbers", f.id)))?;
        Ok(f.metric_names().zip(values).collect())
    }

    /// Hands `visit(firm, figure, value)` the current figures of `year` named in `wanted`, firm by firm;
    /// within a firm a later value of the same figure follows (and replaces) an earlier one. Only the sets
    /// that hold a wanted figure are opened.
    pub(crate) async fn each_figure_of_year(
        &self,
        year: i64,
        wanted: &[&str],
        mut visit: impl FnMut(i64, &str, f64) -> AppResult<()>,
    ) -> AppResult<()> {
        self.store
            .each_figure_set_of_year(year, |set| {
                if !set.metric_names().any(|m| wanted.contains(&m)) {
                    return Ok(());
                }
                for (metric, value) in self.open_set(set)? {
                    if wanted.contains(&metric) {
                        visit(set.enterprise_id, metric, value)?;
                    }
                }
                Ok::<_, AppError>(())
            })
            .await
    }

    /// The figures of these sets (oldest first) as versions: each figure's value in each set that names it
    /// (only the figure `only`, when given), in the sets' order; the newest version of each figure and
    /// year is the current one.
    fn figures_of_sets(&self, sets: &[FigureSetRow], only: Option<&str>) -> AppResult<Vec<Figure>> {
        let mut out: Vec<Figure> = Vec::new();
        for set in sets {
            if only.is_some_and(|m| !set.metric_names().any(|n| n == m)) {
                continue;
            }
            for (metric, value) in self.open_set(set)? {
                if only.is_some_and(|m| m != metric) {
                    continue;
                }
                // A newer set's figure supersedes the older version of the same figure and year.
                for older in out.iter_mut().filter(|o| o.year == set.year && o.metric == metric) {
                    older.is_current = false;
                }
                out.push(Figure {
                    id: set.id,
                    year: set.year,
                    metric: metric.to_string(),
                    value,
                    source: set.source.clone(),
                    is_current: true,
                    entered_by: set.entered_by,
                    entered_at: set.entered_at,
                });
            }
        }
        Ok(out)
    }

    /// A result as a reader sees it: score, rank and (with `items`, opened from their seal) the items only
    /// for a reader of the firm's figures.
    /// With `opened`, the items are opened once and kept there for the next reader.
    fn result_view(
        &self,
        r: &ResultRow,
        figures: bool,
        items: bool,
        opened: Option<&OpenedItems>,
    ) -> AppResult<ResultView> {
        let open = || -> AppResult<Option<Vec<ItemScore>>> {
            let clear = self
                .store
                .crypto()
                .open(&r.items, items_context(r.evaluation_id, r.enterprise_id).as_bytes())
                .map_err(|e| AppError::internal(format!("result items: {e}")))?;
            Ok(Some(serde_json::from_slice(&clear).map_err(|e| AppError::internal(format!("result items: {e}")))?))
        };
        let items = match (figures && items && !r.items.is_empty(), opened) {
            (false, _) => None,
            (true, None) => open()?,
            (true, Some(kept)) => match kept.get() {
                Some(items) => items.clone(),
                None => {
                    let items = open()?;
                    let _ = kept.set(items.clone());
                    items
                }
            },
        };
        Ok(ResultView {
            evaluation_id: r.evaluation_id,
            enterprise_id: r.enterprise_id,
            city: r.city,
            scale: r.scale,
            class: r.class.clone(),
            reason: r.reason.clone(),
            score: if figures { r.score } else { None },
            rank: (figures && r.rank > 0).then_some(r.rank),
            group_size: r.group_size,
            items,
        })
    }

    /// The class each of these firms got in the latest year's evaluation run (for the directory): only the
    /// firms the reader may list.
    pub async fn latest_classes(
        &self,
        session: &Session,
        ids: &[i64],
    ) -> AppResult<(Option<EvaluationRow>, HashMap<i64, String>)> {
        if !session.can(&Action::ReadEnterprises) && session.roles.scopes(&session.user, Perm::ReadFigures).is_empty() {
            return Err(AppError::forbidden());
        }
        let runs = self.store.evaluations().await?;
        let Some(latest) = runs.into_iter().max_by_key(|r| (r.year, r.id)) else { return Ok((None, HashMap::new())) };
        let classes = self.store.classes_in_run(latest.id, ids).await?.into_iter().collect();
        Ok((Some(latest), classes))
    }

    /// One firm: its record, its figures (for those allowed), its evaluation results.
    pub async fn enterprise_view(&self, session: &Session, id: i64) -> AppResult<EnterpriseView> {
        let (row, experts, may_figures) = self.readable(session, id).await?;
        let figures = if may_figures {
            let mut current = self.figures_of_sets(&self.store.current_figures(id).await?, None)?;
            current.retain(|f| f.is_current);
            current.sort_by(|a, b| (a.year, &a.metric).cmp(&(b.year, &b.metric)));
            Some(current)
        } else {
            None
        };
        let runs: HashMap<i64, EvaluationRow> =
            self.store.evaluations().await?.into_iter().map(|e| (e.id, e)).collect();
        let mut results = Vec::new();
        for r in self.store.results_of_enterprise(id).await? {
            if let Some(run) = runs.get(&r.evaluation_id) {
                results.push((run.clone(), self.result_view(&r, may_figures, true, None)?));
            }
        }
        let may_edit = session.can(&Action::EditEnterprise(object(&row)));
        let contact = if may_figures { self.enterprise_contact(&row) } else { None };
        let expert_names = if experts.is_empty() {
            Vec::new()
        } else {
            self.store
                .users()
                .await?
                .into_iter()
                .filter(|u| experts.contains(&u.id))
                .map(|u| if u.display_name.is_empty() { u.username } else { u.display_name })
                .collect()
        };
        Ok(EnterpriseView { row, figures, results, experts, expert_names, may_edit, contact })
    }

    fn enterprise_contact(&self, e: &EnterpriseRow) -> Option<String> {
        let sealed = e.contact.as_deref()?;
        let clear = self.store.crypto().open(sealed, enterprise_contact_context(e.id).as_bytes()).ok()?;
        String::from_utf8(clear).ok()
    }

    /// Sets a firm's contact person (sealed, like a user's).
    pub async fn set_enterprise_contact(
        &self,
        session: &Session,
        id: i64,
        contact: Option<&str>,
        ip: &str,
    ) -> AppResult<()> {
        let Some(e) = self.store.enterprise(id).await? else { return Err(AppError::forbidden()) };
        if !session.can(&Action::EditEnterprise(object(&e))) {
            return Err(AppError::forbidden());
        }
        let contact = contact.map(str::trim).filter(|c| !c.is_empty());
        if let Some(c) = contact
            && (c.chars().count() > 100 || c.chars().any(char::is_control))
        {
            return Err(AppError::invalid("contact", "联系方式至多 100 字", "a contact is at most 100 characters"));
        }
        let sealed = contact.map(|c| self.seal(c, &enterprise_contact_context(id))).transpose()?;
        Ok(self.store.set_enterprise_contact(id, sealed.as_deref(), &session.actor(ip)).await?)
    }

    /// Every version of one figure, oldest first.
    pub async fn figure_history(&self, session: &Session, id: i64, year: i64, key: &str) -> AppResult<Vec<Figure>> {
        let (_, _, may_figures) = self.readable(session, id).await?;
        if !may_figures {
            return Err(AppError::forbidden());
        }
        self.figures_of_sets(&self.store.figure_history(id, year).await?, Some(key))
    }

    /// A page of the directory as the user may see it: everything for directory readers; otherwise only
    /// the firms whose figures the user reads (its own enterprise, an expert's assignments).
    pub async fn enterprises(
        &self,
        session: &Session,
        mut filter: EnterpriseFilter,
        offset: i64,
        limit: i64,
    ) -> AppResult<(Vec<EnterpriseRow>, i64)> {
        if !session.can(&Action::ReadEnterprises) {
            let scopes = session.roles.scopes(&session.user, Perm::ReadFigures);
            let mut ids = Vec::new();
            if scopes.contains(&Scope::OwnEnterprise)
                && let Some(uscc) = session.user.uscc.as_deref()
                && let Some(e) = self.store.enterprise_by_uscc(uscc).await?
            {
                ids.push(e.id);
            }
            if scopes.contains(&Scope::Assigned) {
                ids.extend(self.store.assigned_enterprises(session.user.id).await?);
            }
            if scopes.contains(&Scope::All) || scopes.contains(&Scope::OwnCity) {
                if scopes.contains(&Scope::OwnCity) && !scopes.contains(&Scope::All) {
                    match session.user.city {
                        Some(c) => filter.city = Some(c),
                        // A city bureau's account without a city sees no firm.
                        None => filter.ids = Some(Vec::new()),
                    }
                }
            } else if scopes.is_empty() {
                return Err(AppError::forbidden());
            } else {
                filter.ids = Some(ids);
            }
        }
        Ok(self.store.enterprises(&filter, offset, limit.clamp(1, 1000)).await?)
    }

    /// Assigns a firm to an expert for review.
    pub async fn assign_expert(&self, session: &Session, id: i64, username: &str, ip: &str) -> AppResult<()> {
        if !session.can(&Action::AssignExperts) {
            return Err(AppError::forbidden());
        }
        if self.store.enterprise(id).await?.is_none() {
            return Err(Self::not_found_enterprise(id));
        }
        let expert = self.store.user_by_name(username).await?.filter(|u| u.has_role("expert")).ok_or_else(|| {
            AppError::invalid("username", format!("“{username}”不是专家账户"), format!("“{username}” is not an expert"))
        })?;
        Ok(self.store.assign_expert(expert.id, id, &session.actor(ip)).await?)
    }

    /// The years with figures in the registry, newest first.
    pub async fn figure_years(&self) -> AppResult<Vec<i64>> {
        Ok(self.store.figure_years().await?)
    }

    /// Rates every registered firm with figures for `year` by the scheme; stores and returns the run.
    /// Rates every registered firm with figures for the year by a scheme. Runs as a job (crate::jobs) on
    /// this server: if the server dies before the run is committed, another takes it over.
    pub async fn run_evaluation(&self, session: &Session, year: i64, scheme_id: &str, ip: &str) -> AppResult<i64> {
        if !session.can(&Action::RunEvaluation) {
            return Err(AppError::forbidden());
        }
        // A scheme that does not exist is refused before any job is written.
        self.scheme(scheme_id).await?;
        let params = crate::jobs::EvaluationParams { year, scheme: scheme_id.to_string() };
        self.run_job(session, &params, ip).await
    }

    /// The evaluation itself, for the job that holds `job` (its id and claim): the run and its results are
    /// committed together with the job's end.
    pub(crate) async fn evaluate(
        &self,
        session: &Session,
        year: i64,
        scheme_id: &str,
        ip: &str,
        job: (i64, i64),
    ) -> AppResult<i64> {
        if !session.can(&Action::RunEvaluation) {
            return Err(AppError::forbidden());
        }
        let scheme = self.scheme(scheme_id).await?;
        let firms = self.store.all_enterprises().await?;
        let by_id: HashMap<i64, &EnterpriseRow> = firms.iter().map(|e| (e.id, e)).collect();
        let mut figures: HashMap<i64, [f64; 9]> = HashMap::new();
        self.each_figure_of_year(year, &EVALUATION_INPUTS, |firm, metric, v| {
            if let Some(i) = EVALUATION_INPUTS.iter().position(|k| *k == metric) {
                figures.entry(firm).or_insert([f64::NAN; 9])[i] = v;
            }
            Ok(())
        })
        .await?;
        // Firms with the required figures (land and tax) are rated; the others are left out and counted.
        let mut ids: Vec<i64> = figures
            .iter()
            .filter(|(id, f)| by_id.contains_key(id) && !f[0].is_nan() && f[0] > 0.0 && !f[1].is_nan())
            .map(|(id, _)| *id)
            .collect();
        if ids.is_empty() {
            return Err(AppError::invalid(
                "year",
                format!("{year} 年没有企业录入了用地面积和税收，无法评价"),
                format!("no firm has land and tax figures for {year}; nothing to evaluate"),
            ));
        }
        ids.sort_unstable();
        // The same checks as a CSV row, through the engine's own record interface.
        let mut ds = jiqun_eval::permu::Dataset::new();
        let opt = |v: f64| (!v.is_nan()).then_some(v);
        let mut kept = Vec::with_capacity(ids.len());
        let mut refused = 0i64;
        for id in &ids {
            let e = by_id[id];
            let f = &figures[id];
            let mut r = jiqun_eval::permu::Record::new(
                &e.uscc,
                e.city.as_str(),
                e.scale,
                e.founded_year as i32,
                year as i32,
                f[0],
                f[1],
            );
            r.county = Some(e.county.as_str()).filter(|c| !c.is_empty());
            r.industry = Some(e.industry.as_str()).filter(|c| !c.is_empty());
            r.revenue_wan = opt(f[2]);
            r.value_added_wan = opt(f[3]);
            r.rd_wan = opt(f[4]);
            r.energy_tce = opt(f[5]);
            r.emission_t = opt(f[6]);
            r.employees = opt(f[7]);
            r.electricity_mwh = opt(f[8]);
            match ds.push(&r) {
                Ok(()) => kept.push(*id),
                Err(_) => refused += 1,
            }
        }
        let ev = ds.evaluate(&scheme.scheme).map_err(|e| {
            AppError::invalid(
                "scheme",
                format!("评价方案“{}”不适用于登记数据：{}", scheme.id, e.message(Lang::Zh)),
                format!("the scheme “{}” does not fit the registry's data: {}", scheme.id, e.message(Lang::En)),
            )
        })?;
        let run = EvaluationRow {
            id: 0,
            year,
            scheme_id: scheme.id.to_string(),
            scheme_name: scheme.name.to_string(),
            scheme_json: scheme.json.to_string(),
            rated: ev.ratings.iter().filter(|r| r.score().is_some()).count() as i64,
            not_rated: ev.ratings.iter().filter(|r| r.score().is_none()).count() as i64 + refused,
            created_by: session.user.id.into(),
            created_at: 0,
        };
        let mut results = Vec::with_capacity(kept.len());
        for (i, rating) in ev.ratings.iter().enumerate() {
            let items: Vec<ItemScore> = match ev.explain(&ds.rows, i, &scheme.scheme) {
                Some(x) if rating.score().is_some() => x
                    .items
                    .into_iter()
                    .map(|it| ItemScore { name: it.name, value: it.value, benchmark: it.benchmark, score: it.score })
                    .chain(x.adjustments.into_iter().map(|a| ItemScore {
                        name: a.name,
                        value: None,
                        benchmark: 0.0,
                        score: a.points,
                    }))
                    .collect(),
                _ => Vec::new(),
            };
            let json = serde_json::to_string(&items).map_err(AppError::internal)?;
            let firm = by_id[&kept[i]];
            results.push(ResultRow {
                evaluation_id: 0,
                enterprise_id: firm.id,
                city: firm.city,
                scale: firm.scale,
                score: rating.score(),
                rank: i64::from(rating.rank),
                group_size: i64::from(rating.group_size),
                class: rating.class.as_str().to_string(),
                reason: ev.reason_text(rating.reason).to_string(),
                // Sealed by the store under the run's id (see `Store::save_evaluation`).
                items: json,
            });
        }
        let id = self.store.save_evaluation(&run, &results, Some(job), &session.actor(ip)).await?;
        Ok(id)
    }

    /// An evaluation run, or `not_found` naming it.
    pub(crate) async fn evaluation(&self, id: i64) -> AppResult<EvaluationRow> {
        self.store
            .evaluation(id)
            .await?
            .ok_or_else(|| AppError::not_found(format!("评价 {id} 不存在"), format!("no evaluation {id}")))
    }

    /// An evaluation run, for a reader of the whole directory (its summaries span every firm).
    pub(crate) async fn evaluation_for_directory(&self, session: &Session, id: i64) -> AppResult<EvaluationRow> {
        if !session.can(&Action::ReadEnterprises) {
            return Err(AppError::forbidden());
        }
        self.evaluation(id).await
    }

    /// A run's distribution by city and class, and its movement since last year's run.
    pub async fn evaluation_summary(&self, session: &Session, id: i64) -> AppResult<EvaluationSummary> {
        let evaluation = self.evaluation_for_directory(session, id).await?;
        let results = self.store.evaluation_results(id).await?;
        // In the province's order of its cities (the type's).
        let mut counts: std::collections::BTreeMap<CityCode, [i64; 5]> = Default::default();
        for r in &results {
            counts.entry(r.city).or_default()[class_index(&r.class)] += 1;
        }
        let by_city = counts.into_iter().collect();
        let previous = self
            .store
            .evaluations()
            .await?
            .into_iter()
            .filter(|e| e.year == evaluation.year - 1 && e.scheme_id == evaluation.scheme_id)
            .max_by_key(|e| e.id);
        let moves = match &previous {
            Some(p) => {
                let before: HashMap<i64, usize> = self
                    .store
                    .evaluation_results(p.id)
                    .await?
                    .iter()
                    .map(|r| (r.enterprise_id, class_index(&r.class)))
                    .collect();
                let mut m = [[0i64; 5]; 5];
                for r in &results {
                    if let Some(&from) = before.get(&r.enterprise_id) {
                        m[from][class_index(&r.class)] += 1;
                    }
                }
                Some(m)
            }
            None => None,
        };
        Ok(EvaluationSummary { evaluation, by_city, previous, moves })
    }

    /// A run's results as the user may see them: classes for directory readers; scores and items for the
    /// firms whose figures the user reads; only those firms for a user without the directory.
    pub async fn evaluation_results(
        &self,
        session: &Session,
        id: i64,
        city: Option<CityCode>,
    ) -> AppResult<Vec<(EnterpriseRow, ResultView)>> {
        let run = self.run_results(id).await?;
        let reader = RegistryReader::of(session, self.store.assigned_enterprises(session.user.id).await?);
        let results =
            run.results.iter().zip(run.opened.iter().map(Some)).filter(|(r, _)| city.is_none_or(|c| c == r.city));
        let out = self.readable_from(&reader, results, &run.firms, true)?;
        if !session.can(&Action::ReadEnterprises)
            && out.is_empty()
            && session.roles.scopes(&session.user, Perm::ReadFigures).is_empty()
        {
            return Err(AppError::forbidden());
        }
        Ok(out)
    }

    /// The results the reader may see, in their order, each with its firm; score, rank (and, with
    /// `items`, the items) only where the reader reads the firm's figures.
    pub(crate) async fn readable_results(
        &self,
        reader: &RegistryReader<'_>,
        results: &[ResultRow],
        items: bool,
    ) -> AppResult<Vec<(EnterpriseRow, ResultView)>> {
        let firms = self.firms_of(results).await?;
        self.readable_from(reader, results.iter().map(|r| (r, None)), &firms, items)
    }

    /// The firms these results are of, by id, read a thousand at a time.
    async fn firms_of(&self, results: &[ResultRow]) -> AppResult<HashMap<i64, EnterpriseRow>> {
        let mut firms: HashMap<i64, EnterpriseRow> = HashMap::new();
        let need: Vec<i64> = results.iter().map(|r| r.enterprise_id).collect();
        for chunk in need.chunks(1000) {
            for e in self.store.enterprises_with_ids(chunk).await? {
                firms.insert(e.id, e);
            }
        }
        Ok(firms)
    }

    /// `readable_results` with the firms already read.
    fn readable_from<'r>(
        &self,
        reader: &RegistryReader<'_>,
        results: impl IntoIterator<Item = (&'r ResultRow, Option<&'r OpenedItems>)>,
        firms: &HashMap<i64, EnterpriseRow>,
        items: bool,
    ) -> AppResult<Vec<(EnterpriseRow, ResultView)>> {
        let mut out = Vec::new();
        for (r, opened) in results {
            let Some(e) = firms.get(&r.enterprise_id) else { continue };
            let figures = reader.reads_figures(e);
            if figures || reader.lists_all() {
                out.push((e.clone(), self.result_view(r, figures, items, opened)?));
            }
        }
        Ok(out)
    }

    /// A run's results (in the evaluation's order) and their firms, read once per revision of the data
    /// (progress reports do not change them): every reader of the run's results then filters them by what
    /// it may see (`readable_from`). Not found: no such run.
    async fn run_results(&self, id: i64) -> AppResult<std::sync::Arc<RunResults>> {
        let revision = self.store.revision().await?.data;
        let kept = || {
            let map = self.runs.read().ok()?;
            let (rev, run) = map.get(&id)?;
            (*rev == revision).then(|| run.clone())
        };
        if let Some(run) = kept() {
            return Ok(run);
        }
        // One read at a time; whoever waited finds it done.
        let _loading = self.runs_loading.lock().await;
        if let Some(run) = kept() {
            return Ok(run);
        }
        self.evaluation(id).await?;
        let results = self.store.evaluation_results(id).await?;
        let firms = self.firms_of(&results).await?;
        let opened = results.iter().map(|_| OpenedItems::new()).collect();
        let run = std::sync::Arc::new(RunResults { results, firms, opened });
        if let Ok(mut map) = self.runs.write() {
            map.retain(|_, (rev, _)| *rev == revision);
            // Readers look at a few runs (this year's and last year's): keep the memory bounded.
            if map.len() >= 8 {
                map.clear();
            }
            map.insert(id, (revision, run.clone()));
        }
        Ok(run)
    }

    /// Who reads the registry: the operator, or a user with the firms the user is assigned to review.
    pub(crate) async fn registry_reader<'a>(&self, who: crate::export::Exporter<'a>) -> AppResult<RegistryReader<'a>> {
        match who {
            crate::export::Exporter::Operator => Ok(RegistryReader::Operator),
            crate::export::Exporter::User(session) => {
                if !session.can(&Action::ReadEnterprises)
                    && session.roles.scopes(&session.user, Perm::ReadFigures).is_empty()
                {
                    return Err(AppError::forbidden());
                }
                Ok(RegistryReader::of(session, self.store.assigned_enterprises(session.user.id).await?))
            }
        }
    }
}

/// One run's results with their firms by id (`App::run_results`).
pub(crate) struct RunResults {
    results: Vec<ResultRow>,
    firms: HashMap<i64, EnterpriseRow>,
    /// Each result's items once a reader of its figures has opened them (SM4 and JSON are most of the
    /// cost of a page of results): kept as long as the run's results are, one revision.
    opened: Vec<OpenedItems>,
}

/// A result's items, opened once (`App::result_view`).
type OpenedItems = std::sync::OnceLock<Option<Vec<ItemScore>>>;

/// The registry's read rule, once: who lists a firm and who reads its figures. The operator holding the
/// database reads everything; a user lists every firm with the directory (`ReadEnterprises`) and reads the
/// figures its grants allow (its own enterprise, its city, the firms it is assigned to review, all).
pub(crate) enum RegistryReader<'a> {
    Operator,
    User { session: &'a Session, directory: bool, assigned: Vec<i64> },
}

impl<'a> RegistryReader<'a> {
    pub(crate) fn of(session: &'a Session, assigned: Vec<i64>) -> RegistryReader<'a> {
        RegistryReader::User { session, directory: session.can(&Action::ReadEnterprises), assigned }
    }

    /// Whether the reader lists every firm (the directory), not only those whose figures it reads.
    pub(crate) fn lists_all(&self) -> bool {
        match self {
            RegistryReader::Operator => true,
            RegistryReader::User { directory, .. } => *directory,
        }
    }

    /// Whether the reader may read this firm's figures (and its results' scores).
    pub(crate) fn reads_figures(&self, e: &EnterpriseRow) -> bool {
        match self {
            RegistryReader::Operator => true,
            RegistryReader::User { session, assigned, .. } => {
                let experts: &[i64] =
                    if assigned.contains(&e.id) { std::slice::from_ref(&session.user.id) } else { &[] };
                session.can(&Action::ReadFigures(Object { assigned: experts, ..object(e) }))
            }
        }
    }
}

/// What a CSV import did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = EnterpriseImport)]
pub struct ImportOutcome {
    /// The figures' year.
    pub year: i64,
    /// Firms registered.
    pub created: usize,
    /// Firms whose record was updated.
    pub updated: usize,
    /// Figures stored.
    pub figures: usize,
    /// The file's encoding as detected: UTF-8 or GB18030.
    #[schema(value_type = String)]
    pub encoding: &'static str,
}

/// A row ready to store: the firm, its figures, the year and the source.
type ParsedRow = jiqun_store::ImportFirm;

/// The import's columns: the evaluation input of contracts §4, with optional registry columns.
const IMPORT_REQUIRED: [&str; 6] = ["uscc", "name", "city", "scale", "founded_year", "year"];
const IMPORT_OPTIONAL: [&str; 6] = ["county", "industry", "listed", "chain_nodes", "tags", "source"];

impl App {
    /// Imports enterprises and their figures from a CSV in the evaluation input format (contracts §4;
    /// optional columns county, industry, listed, chain_nodes, tags (separated by ;), source, and any
    /// metric of the catalogue) or from the enterprise template (.xlsx) with the same columns: registers
    /// or updates each firm and stores its figures for the row's year. All or nothing: every row is
    /// checked first and every error names its line (or cell) and column. A city bureau may import only
    /// firms of its own city.
    pub async fn import_enterprises(
        &self,
        session: &Session,
        bytes: &[u8],
        source_name: &str,
        ip: &str,
    ) -> AppResult<ImportOutcome> {
        may_import_enterprises(session)?;
        let (located, rest) = crate::imports::locate_streamed(bytes, source_name, Some(ImportKind::Enterprises))?;
        self.import_enterprise_table(session, &located, rest, source_name, ip).await
    }

    /// Every row of an enterprise file checked: the rows to store, or every mistake.
    pub(crate) async fn check_enterprise_table(
        &self,
        session: &Session,
        l: &Located,
    ) -> AppResult<Result<(i64, Vec<ParsedRow>), Vec<CellError>>> {
        let mut check = FirmCheck::new(session, l)?;
        let total = l.count();
        let mut parsed: Vec<ParsedRow> = Vec::new();
        for (n, row) in l.rows().enumerate() {
            l.checked(n + 1, total);
            parsed.extend(check.row(row));
        }
        let city = match check.errors.is_empty() {
            true => self.another_city(&check, &parsed).await?,
            false => None,
        };
        Ok(match (check.finish(), city) {
            (Ok(year), None) => Ok((year, parsed)),
            (Ok(_), Some(e)) => Err(vec![e]),
            (Err(errors), _) => Err(errors),
        })
    }

    /// The first of these firms, already registered, that belongs to a city other than the importing
    /// bureau's own: it stays with its city's bureau. `None` for those who edit every firm.
    async fn another_city(&self, check: &FirmCheck<'_>, firms: &[ParsedRow]) -> AppResult<Option<CellError>> {
        if check.all {
            return Ok(None);
        }
        let l = check.l;
        for (e, _, _, _) in firms {
            if let Some(old) = self.store.enterprise_by_uscc(&e.uscc).await?
                && Some(old.city) != check.own_city
            {
                let place = l.place_at(check.seen[&e.uscc], l.col("uscc"), "uscc");
                return Ok(Some(CellError::new(
                    place,
                    e.uscc.clone(),
                    "该企业属于其他城市",
                    "this firm belongs to another city",
                )));
            }
        }
        Ok(None)
    }

    /// Checks an enterprise file and stores it in one transaction, its figures sealed. The rows are
    /// written while the file is still being checked, a chunk at a time as they pass (the database at work
    /// on one core while the check goes on on the other), and the transaction is kept only when the whole
    /// file passed: a mistake anywhere rolls back what was written, and every mistake is reported.
    pub(crate) async fn import_enterprise_table(
        &self,
        session: &Session,
        l: &Located,
        rest: Option<RowStream>,
        source_name: &str,
        ip: &str,
    ) -> AppResult<ImportOutcome> {
        let mut check = FirmCheck::new(session, l)?;
        let (parts, received) = tokio::sync::mpsc::channel(2);
        let writer = {
            let store = self.store.clone();
            let (source, sha256, actor) = (source_name.to_string(), l.sha256.clone(), session.actor(ip));
            let default_source = format!("导入：{source_name}");
            tokio::spawn(async move {
                store.import_enterprises_streamed(received, &source, &default_source, &sha256, &actor).await
            })
        };
        // An .xlsx's rows after its first ones arrive as they are read: their number is the sheet's span.
        let total = rest.as_ref().map_or_else(|| l.count(), |r| r.span.saturating_sub(l.header_row));
        let mut feed = Feed { parts, chunk: Vec::new(), figures: 0, city: None, writing: true, n: 0, total };
        for row in l.rows() {
            self.feed(&mut check, &mut feed, row).await?;
        }
        if let Some(mut rest) = rest {
            while let Some(batch) = rest.next_batch() {
                // A workbook that breaks off: nothing is kept (the writer rolls back once `feed` is gone).
                let batch = batch.map_err(crate::imports::file_problem)?;
                for row in batch.iter().filter(|r| l.is_data(r)) {
                    self.feed(&mut check, &mut feed, row).await?;
                }
            }
        }
        let Feed { parts, chunk, figures, mut city, writing, n, .. } = feed;
        l.progress.tick(crate::imports::Stage::Check, n, n);
        let total = n;
        l.progress.tick(crate::imports::Stage::Write, 0, total);
        if check.errors.is_empty() && city.is_none() && writing {
            city = self.another_city(&check, &chunk).await?;
        }
        let checked = check.finish();
        if let (Ok(_), None, true) = (&checked, &city, writing)
            && parts.send(ImportPart::Rows(chunk)).await.is_ok()
        {
            // A closed channel here means the writer failed: its error is read below.
            let _ = parts.send(ImportPart::Done).await;
        }
        // Without `Done` the writer rolls back.
        drop(parts);
        let written = writer.await.map_err(|e| AppError::internal(format!("import writer: {e}")));
        let refuse = |errors: &[CellError]| crate::imports::refusal(source_name, errors);
        let year = match (checked, city) {
            (Err(errors), _) => return Err(refuse(&errors)),
            (Ok(_), Some(e)) => return Err(refuse(&[e])),
            (Ok(year), None) => year,
        };
        let Some((created, updated)) = written?? else {
            return Err(AppError::internal("the import's writer stopped without finishing"));
        };
        l.progress.tick(crate::imports::Stage::Write, total, total);
        Ok(ImportOutcome { year, created, updated, figures, encoding: l.encoding })
    }

    /// Checks one row of an import and, when it is correct and the file has had no mistake so far, hands it
    /// to the writer with the next 2,000 (a city bureau's rows checked first for firms of other cities).
    async fn feed(&self, check: &mut FirmCheck<'_>, feed: &mut Feed, row: &Row) -> AppResult<()> {
        feed.n += 1;
        check.l.checked(feed.n, feed.total.max(feed.n));
        let Some(firm) = check.row(row) else { return Ok(()) };
        // After a mistake nothing more is written, but the check goes on to report every mistake.
        if !check.errors.is_empty() || feed.city.is_some() || !feed.writing {
            return Ok(());
        }
        feed.figures += firm.1.len();
        feed.chunk.push(firm);
        if feed.chunk.len() == WRITE_CHUNK {
            feed.city = self.another_city(check, &feed.chunk).await?;
            feed.writing =
                feed.city.is_none() && feed.parts.send(ImportPart::Rows(std::mem::take(&mut feed.chunk))).await.is_ok();
        }
        Ok(())
    }
}

/// An import's rows on their way to the writer (`App::feed`).
struct Feed {
    parts: tokio::sync::mpsc::Sender<ImportPart>,
    /// Correct rows not yet handed over.
    chunk: Vec<ParsedRow>,
    figures: usize,
    /// A firm of another city, the first found (a city bureau's import).
    city: Option<CellError>,
    /// Whether the writer still takes rows (it stops on an error of its own).
    writing: bool,
    /// Rows checked, and how many there are (an estimate while an .xlsx is still being read).
    n: usize,
    total: usize,
}

/// How many checked firms an import hands the writer at a time.
const WRITE_CHUNK: usize = 2_000;

/// The check of an enterprise file, row by row: the rules the API applies to a firm and its figures,
/// a year shared by every row, no USCC twice, a city bureau's own city only.
pub(crate) struct FirmCheck<'l> {
    l: &'l Located,
    /// The importer edits every firm (else only its own city's).
    all: bool,
    own_city: Option<CityCode>,
    errors: Vec<CellError>,
    /// Each USCC and the row it was first seen on.
    seen: HashMap<String, usize>,
    /// The first row's year.
    year0: Option<i64>,
    /// The figures the file has columns for, in their order.
    metrics: Vec<&'static jiqun_domain::enterprise::Metric>,
    /// The year now, read once for the whole file.
    this_year: i64,
}

impl<'l> FirmCheck<'l> {
    /// Starts a check, refusing those who may not import and noting the columns the file should not have.
    fn new(session: &Session, l: &'l Located) -> AppResult<FirmCheck<'l>> {
        let scopes = may_import_enterprises(session)?;
        let mut errors: Vec<CellError> = Vec::new();
        // Columns the enterprise file does not know are refused rather than passed over.
        if let Some(header) = l.sheet.rows.iter().find(|r| r.number == l.header_row) {
            for (c, cell) in header.cells.iter().enumerate() {
                let h = cell.text().to_ascii_lowercase();
                let known = l.names.get(c).cloned().flatten().is_some_and(|n| {
                    IMPORT_REQUIRED.contains(&n.as_str())
                        || IMPORT_OPTIONAL.contains(&n.as_str())
                        || metric(&n).is_some()
                });
                if !h.is_empty() && !known {
                    let place = l.place_at(l.header_row, Some(c), &h);
                    errors.push(CellError::new(
                        place,
                        h.clone(),
                        format!("未知列“{h}”"),
                        format!("unknown column “{h}”"),
                    ));
                }
            }
        }
        Ok(FirmCheck {
            l,
            all: scopes.contains(&Scope::All),
            own_city: session.user.city,
            errors,
            seen: HashMap::new(),
            year0: None,
            metrics: l.names.iter().flatten().filter_map(|n| metric(n)).collect(),
            this_year: this_year(),
        })
    }

    /// Checks one row: the firm with its figures when the row is correct, else `None` with its mistakes
    /// noted (all of them, not only the first).
    fn row(&mut self, row: &Row) -> Option<ParsedRow> {
        let l = self.l;
        let own_name = self.own_city.map_or("", CityCode::as_str);
        let (founded, year) = match (l.whole(row, "founded_year"), l.whole(row, "year")) {
            (Ok(Some(f)), Ok(Some(y))) => (f, y),
            (f, y) => {
                for (r, name) in [(f, "founded_year"), (y, "year")] {
                    match r {
                        Err(e) => self.errors.push(e),
                        Ok(None) => self.errors.push(l.error(row, name, "不能为空", "must not be empty")),
                        Ok(Some(_)) => {}
                    }
                }
                return None;
            }
        };
        match self.year0 {
            None => self.year0 = Some(year),
            Some(y) if y != year => {
                self.errors.push(l.error(
                    row,
                    "year",
                    format!("年份应与首行相同（{y}）"),
                    format!("the year must be the first row's ({y})"),
                ));
                return None;
            }
            _ => {}
        }
        if let jiqun_office::sheet::Cell::Number(n) = l.cell(row, "uscc")
            && *n >= 1e15
        {
            self.errors.push(l.error(
                row,
                "uscc",
                "统一社会信用代码被存成了数字，Excel 只保留 15 位有效数字，末几位已丢失；请把该列设为“文本”后重新填写",
                "the USCC was stored as a number, and Excel keeps only 15 digits, so its last digits are lost; format the column as text and type it again",
            ));
            return None;
        }
        let get = |name: &str| l.text(row, name);
        let list =
            |name: &str| get(name).split([';', '；']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        let listed = match get("listed").as_str() {
            "" | "0" | "false" | "no" | "否" => false,
            "1" | "true" | "yes" | "是" => true,
            other => {
                self.errors.push(l.error(
                    row,
                    "listed",
                    format!("“{other}”应为“是”或“否”"),
                    format!("“{other}” is not yes or no"),
                ));
                return None;
            }
        };
        let input = EnterpriseInput {
            uscc: get("uscc"),
            name: get("name"),
            city: get("city"),
            county: get("county"),
            industry: get("industry"),
            scale: get("scale"),
            founded_year: founded,
            listed,
            chain_nodes: list("chain_nodes"),
            tags: list("tags"),
        };
        // The record's mistakes and the figures' are all reported, not only the first of the row.
        let mut bad = false;
        let record = match check_enterprise(&input) {
            Ok(e) => Some(e),
            Err(err) => {
                self.errors.push(l.app_error(row, &err));
                bad = true;
                None
            }
        };
        if let Some(e) = &record {
            if !self.all && Some(e.city) != self.own_city {
                self.errors.push(l.error(
                    row,
                    "city",
                    format!("只能导入本市（{own_name}）的企业"),
                    format!("only firms of your own city ({own_name}) may be imported"),
                ));
                bad = true;
            } else if let Some(first) = self.seen.insert(e.uscc.clone(), row.number) {
                self.errors.push(l.error(
                    row,
                    "uscc",
                    format!("与第 {first} 行重复"),
                    format!("duplicate of line {first}"),
                ));
                bad = true;
            }
        }
        let mut values = Vec::new();
        for &m in &self.metrics {
            // A yes/no figure as the template's list gives it: 是 or 否.
            let flag = match m.flag.then(|| l.text(row, m.key)).as_deref() {
                Some("是" | "yes") => Some(1.0),
                Some("否" | "no") => Some(0.0),
                _ => None,
            };
            let read = match flag {
                Some(v) => Ok(Some(v)),
                None => l.number(row, m.key, Some(m.unit_zh)),
            };
            let v = match read {
                Ok(Some(v)) => v,
                Ok(None) => {
                    if m.key == "land_mu" || m.key == "tax_wan" {
                        self.errors.push(l.error(row, m.key, "不能为空", "must not be empty"));
                        bad = true;
                    }
                    continue;
                }
                Err(e) => {
                    self.errors.push(e);
                    bad = true;
                    continue;
                }
            };
            if let Err(err) = check_figure_of(self.this_year, year, m.key, v) {
                let mut e = l.app_error(row, &err);
                e.place = Box::new(l.place(row, m.key));
                self.errors.push(e);
                bad = true;
                continue;
            }
            values.push((m.key, v));
        }
        if let (Some(e), false) = (record, bad) {
            let source = match get("source").as_str() {
                "" => String::new(),
                s => s.chars().take(200).collect(),
            };
            return Some((e, values, year, source));
        }
        None
    }

    /// Every mistake, or the year of the file's figures.
    fn finish(self) -> Result<i64, Vec<CellError>> {
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        self.year0.ok_or_else(|| {
            let place = self.l.place_at(self.l.header_row + 1, None, "");
            vec![CellError::new(place, String::new(), "没有数据行", "no data rows")]
        })
    }
}

/// Who may import enterprises: those who edit every firm, or their own city's.
fn may_import_enterprises(session: &Session) -> AppResult<Vec<Scope>> {
    let scopes = session.roles.scopes(&session.user, Perm::EditEnterprise);
    if !scopes.contains(&Scope::All) && !scopes.contains(&Scope::OwnCity) {
        return Err(AppError::forbidden());
    }
    Ok(scopes)
}
