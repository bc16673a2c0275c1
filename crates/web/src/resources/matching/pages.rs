//! `/matching`: the ranked chip ↔ terminal pairs with every score explained, filtered by chain and city;
//! `/matching/products` and `/matching/needs`: the listings with the forms to add one; `/matching/meetings`:
//! the matchmaking meetings and their outcomes with their forms (a listing is withdrawn or offered again with
//! `/matching/products/{id}/active`, `/matching/needs/{id}/active`); `/matching/settings`: the weights. Each list
//! also as CSV and JSON (`?format=csv`, `?format=json`). Demo entries are synthetic and say so.

use axum::response::Response;
use jiqun_app::matching::{
    MatchFilter, MatchLeadMonths, MatchMeetingInput, MatchMeetingView, MatchNeedInput, MatchNeedView,
    MatchOutcomeInput, MatchProductInput, MatchProductView, MatchSettings, MatchWeights,
};
use jiqun_app::{AppError, Perm, Session};
use jiqun_domain::Lang;
use jiqun_domain::chains::Vocabulary;
use jiqun_domain::matching::{Categories, MatchOutcome, Maturity};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

use crate::ctx::Ctx;
use crate::error::{PageResult, WithLang};
use crate::extract::{Form, Path, Query};
use crate::kit::ui::{self, Csv, CsvColumn, Export};

use super::listing::{Listing, Needs, Products};

fn synthetic_chip(lang: Lang) -> Markup {
    html! { span.chip.synthetic title=(lang.pick("演示用合成数据，非真实企业信息", "made up for the demo, not a real firm's")) { (lang.pick("示例", "synthetic")) } }
}

/// Pieces a year as an official writes them (500万颗), or a dash when unknown.
fn pieces(v: Option<i64>, lang: Lang) -> String {
    match v.and_then(|v| u64::try_from(v).ok()) {
        Some(v) => jiqun_eval::matching::pieces(v, lang),
        None => "—".into(),
    }
}

fn outcome_chip(o: Option<MatchOutcome>, lang: Lang) -> Markup {
    match o {
        Some(MatchOutcome::Signed) => html! { span.chip.oc-passed { (MatchOutcome::Signed.label(lang)) } },
        Some(MatchOutcome::Trial) => html! { span.chip { (MatchOutcome::Trial.label(lang)) } },
        Some(MatchOutcome::NoFit) => html! { span.chip.oc-failed { (MatchOutcome::NoFit.label(lang)) } },
        None => html! { span.muted { "—" } },
    }
}

/// The tabs of the matchmaking pages.
fn tabs(ctx: &Ctx, s: &Session) -> Markup {
    let t = |zh, en| ctx.lang.pick(zh, en);
    let here = ctx.path.as_str();
    let mut items = vec![
        ("/matching", t("候选对接", "Candidate pairs")),
        ("/matching/products", t("芯片产品", "Chip products")),
        ("/matching/needs", t("终端需求", "Terminal needs")),
        ("/matching/meetings", t("对接会与结果", "Meetings and outcomes")),
    ];
    if !s.roles.scopes(&s.user, Perm::ReadMatches).is_empty() {
        items.push(("/matching/settings", t("评分权重", "Weights")));
    }
    html! {
        nav.toc aria-label=(t("芯片与终端对接", "Chip–terminal matching")) {
            ul { @for (href, label) in &items {
                li { a href=(href) aria-current=[(here == *href).then_some("page")] { (label) } }
            } }
        }
    }
}

fn head(ctx: &Ctx, s: &Session, title: &str, sub: &str) -> Markup {
    html! {
        div.pagehead {
            h1 { (title) }
            p.sub { (sub) }
        }
        (tabs(ctx, s))
    }
}

/// Whether the database holds the synthetic demo data set (the frame's banner, the exports' flag), or the
/// entries shown include synthetic ones.
async fn synthetic(ctx: &Ctx, shown: bool) -> PageResult<bool> {
    Ok(shown || ctx.app.snapshot().await.page(ctx.lang)?.synthetic)
}

fn scope_note(s: &Session, lang: Lang) -> Option<&'static str> {
    let scopes = s.roles.scopes(&s.user, Perm::ReadMatches);
    if scopes.contains(&jiqun_app::Scope::All) {
        None
    } else if scopes.contains(&jiqun_app::Scope::OwnCity) {
        Some(lang.pick("仅显示涉及本市企业的条目。", "Only entries involving a firm of your city are shown."))
    } else {
        Some(lang.pick("仅显示涉及本企业的条目。", "Only entries involving your enterprise are shown."))
    }
}

// ---- /matching ----

pub async fn pairs(ctx: Ctx, Query(f): Query<MatchFilter>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let s = ctx.page_user()?;
    let items = ctx.app.match_pairs(s, &f, lang).await.page(lang)?;
    let settings = ctx.app.match_settings(s).await.page(lang)?;
    let shown = items.iter().any(|p| p.synthetic);
    let synthetic = synthetic(&ctx, shown).await?;
    match ui::export(&ctx) {
        Some(Export::Json) => {
            return Ok(ui::json(synthetic, "matching", json!({ "items": items, "settings": settings })));
        }
        Some(Export::Csv) => {
            let mut csv = Csv::translated(
                lang,
                &[
                    ("排名", "rank"),
                    ("得分", "score"),
                    ("类别", "category"),
                    ("芯片产品", "chip product"),
                    ("芯片企业", "chip firm"),
                    ("芯片企业统一社会信用代码", "chip firm USCC"),
                    ("芯片企业所在市", "chip firm city"),
                    ("成熟度", "maturity"),
                    ("终端需求", "terminal need"),
                    ("终端企业", "terminal firm"),
                    ("终端企业统一社会信用代码", "terminal firm USCC"),
                    ("终端企业所在市", "terminal firm city"),
                    ("需求日期", "needed by"),
                    ("类别匹配得分", "category points"),
                    ("成熟度与时间得分", "maturity points"),
                    ("供需量得分", "volume points"),
                    ("地域邻近得分", "proximity points"),
                    ("合作基础得分", "cooperation points"),
                    ("国产替代优先得分", "substitution points"),
                    ("评分说明", "explanation"),
                    ("对接会次数", "meetings"),
                    ("对接结果", "outcome"),
                    ("示例数据", "synthetic"),
                ],
            );
            for p in &items {
                let mut row = vec![
                    p.rank.to_string(),
                    ui::num(p.score, 2),
                    p.category_label.clone(),
                    p.product_name.clone(),
                    p.chip_firm.clone(),
                    p.chip_uscc.clone(),
                    p.chip_city.to_string(),
                    p.maturity_label.clone(),
                    p.need_name.clone(),
                    p.terminal_firm.clone(),
                    p.terminal_uscc.clone(),
                    p.terminal_city.to_string(),
                    p.needed_by.to_string(),
                ];
                row.extend(p.components.iter().map(|c| ui::num(c.points, 2)));
                let why: Vec<String> =
                    p.components.iter().map(|c| format!("{}{}{}", c.label, ui::colon(lang), c.reason)).collect();
                row.push(why.join(t("；", "; ")));
                row.push(p.meetings.to_string());
                row.push(p.outcome_label.clone().unwrap_or_default());
                row.push(if p.synthetic { "1".into() } else { "0".into() });
                csv.row(row);
            }
            return Ok(csv.respond("matching", synthetic));
        }
        None => {}
    }
    let chains = Vocabulary::builtin();
    let cities: Vec<&str> = ui::regions().prefecture_cities().map(|c| c.name.as_str()).collect();
    let chain = f.chain.clone().unwrap_or_default();
    let city = f.city.clone().unwrap_or_default();
    let w = &settings.weights;
    let body = html! {
        (head(&ctx, s, t("芯片与终端对接", "Chip–terminal matching"), t("芯片设计企业的产品与终端应用企业的需求按类别配对，逐项说明得分：类别匹配、成熟度与需求时间、供需量、地域邻近、合作基础、国产替代优先。", "Chip designers' products paired with terminal makers' needs of the same category, each score explained: category, maturity against timing, volume, proximity, prior cooperation, domestic substitution.")))
        (ui::export_buttons(ctx.lang, "matches", ""))
        @if shown {
            (ui::example_banner(lang, "标有“示例”的产品、需求和对接记录为演示用合成数据，企业与数字均为虚构。", "entries marked “synthetic” are made up for the demo: the firms and figures are invented."))
        }
        @if let Some(note) = scope_note(s, lang) { p.muted { (note) } }
        form.filters method="get" action="/matching" {
            label { (t("产业链", "Chain"))
                select name="chain" {
                    option value="" { (t("（全部）", "(all)")) }
                    @for c in &chains.chains { option value=(c.id) selected[chain == c.id] { (c.name.get(lang)) } }
                }
            }
            label { (t("城市（任一方所在）", "City (either firm)"))
                select name="city" {
                    option value="" { (t("（全省）", "(province)")) }
                    @for c in &cities { option value=(c) selected[city == *c] { (c) } }
                }
            }
            button type="submit" { (t("筛选", "Filter")) }
        }
        p.muted {
            (t("当前权重：", "Weights now: "))
            (t("类别 ", "category ")) (ui::num(w.category, 2)) (ui::sep(lang))
            (t("成熟度 ", "maturity ")) (ui::num(w.maturity, 2)) (ui::sep(lang))
            (t("供需量 ", "volume ")) (ui::num(w.volume, 2)) (ui::sep(lang))
            (t("邻近 ", "proximity ")) (ui::num(w.proximity, 2)) (ui::sep(lang))
            (t("合作 ", "cooperation ")) (ui::num(w.cooperation, 2)) (ui::sep(lang))
            (t("国产替代 ", "substitution ")) (ui::num(w.substitution, 2))
            " · " a href="/matching/settings" { (t("说明与设置", "about and settings")) }
        }
        h2 { (t("候选对接", "Candidate pairs")) " · " (items.len()) }
        @if items.is_empty() { p.muted { (t("没有符合条件的候选对接。", "No candidate pairs match.")) } } @else {
            div.scroll { table.data.compact {
                (ui::head(lang, &[ui::num_col("排名", "Rank"), ui::num_col("得分", "Score"), ui::col("类别", "Category"), ui::col("芯片产品（企业，城市）", "Chip product (firm, city)"), ui::col("终端需求（企业，城市）", "Terminal need (firm, city)"), ui::col("评分说明", "Why"), ui::col("对接结果", "Outcome")]))
                tbody { @for p in &items { tr {
                    td.numcell { (p.rank) }
                    td.numcell { strong { (ui::num(p.score, 1)) } }
                    td { (p.category_label) }
                    td { (p.product_name) @if p.synthetic { " " (synthetic_chip(lang)) } br; span.muted { (p.chip_firm) (ui::sep(lang)) (p.chip_city.label(lang)) (ui::sep(lang)) (p.maturity_label) } }
                    td { (p.need_name) br; span.muted { (p.terminal_firm) (ui::sep(lang)) (p.terminal_city.label(lang)) (ui::sep(lang)) (t("需求日期 ", "needed by ")) (p.needed_by.to_string()) } }
                    td {
                        details {
                            summary { (t("六项得分", "Six components")) }
                            table.data.compact {
                                (ui::head(lang, &[ui::col("项目", "Component"), ui::num_col("权重", "Weight"), ui::num_col("符合度", "Fit"), ui::num_col("得分", "Points"), ui::col("理由", "Reason")]))
                                tbody { @for c in &p.components { tr {
                                    th scope="row" { (c.label) }
                                    td.numcell { (ui::num(c.weight, 2)) }
                                    td.numcell { (ui::pct(c.fit)) }
                                    td.numcell { (ui::num(c.points, 2)) }
                                    td { (c.reason) }
                                } } }
                            }
                        }
                    }
                    td { (outcome_chip(p.outcome, lang)) @if p.meetings > 0 { br; span.muted { (t("对接会 ", "meetings: ")) (p.meetings) (t(" 次", "")) } } }
                } } }
            } }
        }
        (ui::downloads(&ctx, lang))
    };
    Ok(ui::page(&ctx, s, synthetic, t("芯片与终端对接", "Chip–terminal matching"), body))
}

// ---- /matching/products and /matching/needs ----

/// The form that adds a listing: the fields of a product and those of a need (each kind reads its own).
#[derive(Deserialize, Default, Clone)]
pub struct ListingForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    process_node_nm: String,
    #[serde(default)]
    maturity: String,
    #[serde(default)]
    annual_volume: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    needed_by: String,
    #[serde(default)]
    requirements: String,
}

/// A whole number typed in a form: empty is none; anything else that is not one is an error naming the field.
fn whole(field: &str, s: &str) -> Result<Option<i64>, AppError> {
    let t: String = s.trim().chars().filter(|c| !matches!(c, ',' | '，' | ' ')).collect();
    if t.is_empty() {
        return Ok(None);
    }
    let v = match t.strip_suffix('万') {
        Some(r) => r.parse::<f64>().ok().map(|v| v * 1e4),
        None => t.parse::<f64>().ok(),
    };
    match v {
        Some(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 => Ok(Some(v as i64)),
        _ => Err(AppError::invalid(
            field,
            format!("“{}”不是整数", s.trim()),
            format!("“{}” is not a whole number", s.trim()),
        )),
    }
}

fn category_options(selected: &str, lang: Lang) -> Markup {
    html! {
        @for c in &Categories::builtin().categories {
            option value=(c.id) selected[selected == c.id] {
                (c.name.get(lang)) @if c.substitution_priority { (lang.pick("（国产替代优先）", " (substitution priority)")) }
            }
        }
    }
}

/// The USCC field for a user who keeps other firms' listings (an enterprise user lists its own).
fn firm_field(s: &Session, value: &str, lang: Lang) -> Markup {
    let own_only = s.user.uscc.is_some()
        && !s
            .roles
            .scopes(&s.user, Perm::EditMatchListings)
            .iter()
            .any(|x| matches!(x, jiqun_app::Scope::All | jiqun_app::Scope::OwnCity));
    html! {
        @if !own_only {
            label { (lang.pick("企业统一社会信用代码（须为已登记企业）", "Firm's USCC (a registered enterprise)")) input name="uscc" required maxlength="18" value=(value); }
        }
    }
}

/// Words in both languages: `(zh, en)`.
type Said = (&'static str, &'static str);

/// What a listing's page says: its title, the line under it, the banner over synthetic entries, the words for
/// an empty list and the summary of the form that adds one.
pub struct ListingText {
    title: Said,
    sub: Said,
    banner: Said,
    empty: Said,
    add: Said,
}

/// What the products' page and the needs' page show differently; the page itself is written once (`show`).
pub trait ListingPage: Listing {
    const TEXT: ListingText;
    /// The names of its JSON export and of its CSV file.
    const EXPORTS: (&'static str, &'static str);
    const CSV: &'static [CsvColumn<Self::View>];
    /// The columns of its table.
    const COLUMNS: &'static [ui::Col];

    fn synthetic(v: &Self::View) -> bool;

    /// A row of the table (its cells).
    fn row(s: &Session, v: &Self::View, lang: Lang) -> Markup;

    /// The form's fields after the firm's.
    fn fields(form: &ListingForm, lang: Lang) -> Markup;

    fn input(form: &ListingForm) -> Result<Self::Input, AppError>;
}

impl ListingPage for Products {
    const TEXT: ListingText = ListingText {
        title: ("芯片产品", "Chip products"),
        sub: (
            "芯片设计企业登记的产品：类别、工艺节点、成熟度和年供货能力。",
            "Products chip designers list: category, process node, maturity and yearly supply.",
        ),
        banner: ("标有“示例”的产品为演示用合成数据。", "products marked “synthetic” are made up for the demo."),
        empty: ("尚无芯片产品。", "No chip products yet."),
        add: ("登记芯片产品", "List a chip product"),
    };
    const EXPORTS: (&'static str, &'static str) = ("matching_products", "matching-products");
    const CSV: &'static [CsvColumn<MatchProductView>] = &[
        ("id", |p| p.id.to_string()),
        ("uscc", |p| p.uscc.clone()),
        ("firm_name", |p| p.firm_name.clone()),
        ("city", |p| p.city.to_string()),
        ("name", |p| p.name.clone()),
        ("category", |p| p.category_label.clone()),
        ("process_node_nm", |p| p.process_node_nm.map(|n| n.to_string()).unwrap_or_default()),
        ("maturity", |p| p.maturity_label.clone()),
        ("annual_volume", |p| p.annual_volume.map(|n| n.to_string()).unwrap_or_default()),
        ("note", |p| p.note.clone()),
        ("active", |p| ui::flag(p.active)),
        ("synthetic", |p| ui::flag(p.synthetic)),
    ];
    const COLUMNS: &'static [ui::Col] = &[
        ui::col("产品", "Product"),
        ui::col("企业", "Firm"),
        ui::col("城市", "City"),
        ui::col("类别", "Category"),
        ui::num_col("工艺节点", "Node"),
        ui::col("成熟度", "Maturity"),
        ui::num_col("年供货能力", "Pieces a year"),
        ui::col("状态", "Status"),
    ];

    fn synthetic(p: &MatchProductView) -> bool {
        p.synthetic
    }

    fn row(s: &Session, p: &MatchProductView, lang: Lang) -> Markup {
        let t = |zh, en| lang.pick(zh, en);
        html! {
            th scope="row" { (p.name) @if p.synthetic { " " (synthetic_chip(lang)) } }
            td { (p.firm_name) }
            td.nowrap { (p.city.label(lang)) }
            td { (p.category_label) }
            td.numcell { @if let Some(n) = p.process_node_nm { (n) "nm" } @else { "—" } }
            td { (p.maturity_label) }
            td.numcell { (pieces(p.annual_volume, lang)) }
            td.nowrap {
                @if p.active { (t("在供", "offered")) } @else { span.muted { (t("已停供", "withdrawn")) } }
                @if keeps(s, &p.uscc, p.city) { (active_form(s, &format!("/matching/products/{}/active", p.id), p.active, p.version, [t("停供", "withdraw"), t("恢复在供", "offer again")])) }
            }
        }
    }

    fn fields(form: &ListingForm, lang: Lang) -> Markup {
        let t = |zh, en| lang.pick(zh, en);
        html! {
            label { (t("产品名称或型号", "Product name or model")) input name="name" required maxlength="100" value=(form.name); }
            label { (t("类别", "Category")) select name="category" required { (category_options(&form.category, lang)) } }
            label { (t("成熟度", "Maturity"))
                select name="maturity" required { @for m in Maturity::ALL { option value=(m.as_str()) selected[form.maturity == m.as_str()] { (m.label(lang)) } } } }
            label { (t("工艺节点（纳米，可不填）", "Process node (nm, optional)")) input name="process_node_nm" inputmode="numeric" value=(form.process_node_nm); }
            label { (t("年供货能力（颗，可写“500万”，可不填）", "Pieces a year (optional)")) input name="annual_volume" inputmode="numeric" value=(form.annual_volume); }
            label.wide { (t("说明", "Note")) input name="note" maxlength="500" value=(form.note); }
        }
    }

    fn input(form: &ListingForm) -> Result<MatchProductInput, AppError> {
        Ok(MatchProductInput {
            uscc: Some(form.uscc.clone()),
            name: form.name.clone(),
            category: form.category.clone(),
            process_node_nm: whole("process_node_nm", &form.process_node_nm)?,
            maturity: form.maturity.clone(),
            annual_volume: whole("annual_volume", &form.annual_volume)?,
            note: form.note.clone(),
            active: None,
            version: None,
        })
    }
}

impl ListingPage for Needs {
    const TEXT: ListingText = ListingText {
        title: ("终端需求", "Terminal needs"),
        sub: (
            "终端应用企业登记的芯片需求：类别、年需求量、需求日期和技术要求。",
            "Chip needs terminal makers list: category, yearly volume, when it is needed and the requirements.",
        ),
        banner: ("标有“示例”的需求为演示用合成数据。", "needs marked “synthetic” are made up for the demo."),
        empty: ("尚无终端需求。", "No terminal needs yet."),
        add: ("登记终端需求", "List a terminal need"),
    };
    const EXPORTS: (&'static str, &'static str) = ("matching_needs", "matching-needs");
    const CSV: &'static [CsvColumn<MatchNeedView>] = &[
        ("id", |n| n.id.to_string()),
        ("uscc", |n| n.uscc.clone()),
        ("firm_name", |n| n.firm_name.clone()),
        ("city", |n| n.city.to_string()),
        ("name", |n| n.name.clone()),
        ("category", |n| n.category_label.clone()),
        ("annual_volume", |n| n.annual_volume.map(|v| v.to_string()).unwrap_or_default()),
        ("needed_by", |n| n.needed_by.to_string()),
        ("requirements", |n| n.requirements.clone()),
        ("active", |n| ui::flag(n.active)),
        ("synthetic", |n| ui::flag(n.synthetic)),
    ];
    const COLUMNS: &'static [ui::Col] = &[
        ui::col("需求", "Need"),
        ui::col("企业", "Firm"),
        ui::col("城市", "City"),
        ui::col("类别", "Category"),
        ui::num_col("年需求量", "Pieces a year"),
        ui::col("需求日期", "Needed by"),
        ui::col("技术要求", "Requirements"),
        ui::col("状态", "Status"),
    ];

    fn synthetic(n: &MatchNeedView) -> bool {
        n.synthetic
    }

    fn row(s: &Session, n: &MatchNeedView, lang: Lang) -> Markup {
        let t = |zh, en| lang.pick(zh, en);
        html! {
            th scope="row" { (n.name) @if n.synthetic { " " (synthetic_chip(lang)) } }
            td { (n.firm_name) }
            td.nowrap { (n.city.label(lang)) }
            td { (n.category_label) }
            td.numcell { (pieces(n.annual_volume, lang)) }
            td.nowrap { (n.needed_by.to_string()) }
            td { (n.requirements) }
            td.nowrap {
                @if n.active { (t("有效", "open")) } @else { span.muted { (t("已撤回", "withdrawn")) } }
                @if keeps(s, &n.uscc, n.city) { (active_form(s, &format!("/matching/needs/{}/active", n.id), n.active, n.version, [t("撤回", "withdraw"), t("重新发布", "list again")])) }
            }
        }
    }

    fn fields(form: &ListingForm, lang: Lang) -> Markup {
        let t = |zh, en| lang.pick(zh, en);
        html! {
            label { (t("需求名称（用于何种终端）", "Need (for which terminal)")) input name="name" required maxlength="100" value=(form.name); }
            label { (t("类别", "Category")) select name="category" required { (category_options(&form.category, lang)) } }
            label { (t("年需求量（颗，可不填）", "Pieces a year (optional)")) input name="annual_volume" inputmode="numeric" value=(form.annual_volume); }
            label { (t("需求日期（须量产供货）", "Needed by (in mass production)")) input name="needed_by" type="date" required value=(form.needed_by); }
            label.wide { (t("技术要求", "Requirements")) input name="requirements" required maxlength="1000" value=(form.requirements); }
        }
    }

    fn input(form: &ListingForm) -> Result<MatchNeedInput, AppError> {
        Ok(MatchNeedInput {
            uscc: Some(form.uscc.clone()),
            name: form.name.clone(),
            category: form.category.clone(),
            annual_volume: whole("annual_volume", &form.annual_volume)?,
            needed_by: form.needed_by.clone(),
            requirements: form.requirements.clone(),
            active: None,
            version: None,
        })
    }
}

/// `/matching/products`, `/matching/needs`: the listings, with the form to add one.
pub async fn listings<L: ListingPage>(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.page_user()?;
    show::<L>(&ctx, s, &ListingForm::default(), None).await
}

async fn show<L: ListingPage>(
    ctx: &Ctx,
    s: &Session,
    form: &ListingForm,
    error: Option<AppError>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |(zh, en): Said| lang.pick(zh, en);
    let text = &L::TEXT;
    let items = L::list(&ctx.app, s, lang).await.page(lang)?;
    let shown = items.iter().any(L::synthetic);
    let synthetic = synthetic(ctx, shown).await?;
    if let Some(export) = ui::list_export(ctx, synthetic, L::EXPORTS, &items, L::CSV) {
        return Ok(export);
    }
    let may_list = !s.roles.scopes(&s.user, Perm::EditMatchListings).is_empty();
    let body = html! {
        (head(ctx, s, t(text.title), t(text.sub)))
        @if shown { (ui::example_banner(lang, text.banner.0, text.banner.1)) }
        @if let Some(note) = scope_note(s, lang) { p.muted { (note) } }
        @if items.is_empty() { p.muted { (t(text.empty)) } } @else {
            div.scroll { table.data.compact {
                (ui::head(lang, L::COLUMNS))
                tbody { @for item in &items { tr { (L::row(s, item, lang)) } } }
            } }
        }
        (ui::downloads(ctx, lang))
        @if may_list {
            details.panel open[error.is_some()] {
                summary { (t(text.add)) }
                @if let Some(e) = &error { (ui::form_error(e, lang)) }
                form.grid method="post" action=(L::PAGE) {
                    (ui::csrf(s))
                    (firm_field(s, &form.uscc, lang))
                    (L::fields(form, lang))
                    div.actions { button type="submit" { (t(("登记", "List"))) } }
                }
            }
        }
    };
    Ok(ui::page_status(ctx, s, synthetic, ui::form_status(error.as_ref()), t(text.title), body))
}

/// Adds a listing; the page again with the error when it was refused for its input.
pub async fn create<L: ListingPage>(ctx: Ctx, Form(f): Form<ListingForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer(Some(&f.csrf))?;
    let result = match L::input(&f) {
        Ok(input) => L::create(&ctx.app, s, &input, &ctx.ip).await.map(|_| ()),
        Err(e) => Err(e),
    };
    let done = result.map(|()| L::PAGE.into());
    ui::after_post(lang, done, ui::REFUSED, |e| show::<L>(&ctx, s, &f, Some(e))).await
}

/// Whether the user keeps this firm's listings.
fn keeps(s: &Session, uscc: &str, city: jiqun_domain::CityCode) -> bool {
    s.can(&jiqun_app::Action::EditMatchListings(jiqun_app::Object { uscc, city: city.as_str(), ..Default::default() }))
}

/// The button that withdraws a listing or offers it again.
fn active_form(s: &Session, action: &str, active: bool, version: i64, labels: [&str; 2]) -> Markup {
    html! {
        form method="post" action=(action) {
            (ui::csrf(s))
            input type="hidden" name="version" value=(version);
            input type="hidden" name="active" value=(if active { "0" } else { "1" });
            button.link.small type="submit" { @if active { (labels[0]) } @else { (labels[1]) } }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ActiveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    active: String,
    #[serde(default)]
    version: Option<i64>,
}

/// Withdraws a listing or offers it again, keeping what is recorded of it.
pub async fn set_active<L: ListingPage>(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer(Some(&f.csrf))?;
    let view = L::read(&ctx.app, s, id, lang).await.page(lang)?;
    let input = L::made_active(view, f.active == "1", f.version);
    let done = L::update(&ctx.app, s, id, &input, &ctx.ip).await.map(|()| L::PAGE.into());
    let blank = ListingForm::default();
    ui::after_post(lang, done, ui::REFUSED_OR_GONE, |e| show::<L>(&ctx, s, &blank, Some(e))).await
}

// ---- /matching/meetings ----

#[derive(Deserialize, Default, Clone)]
pub struct MeetingForm {
    #[serde(default)]
    csrf: String,
    /// `product_id:need_id`, from the list of candidate pairs.
    #[serde(default)]
    pair: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct OutcomeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    outcome_on: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: Option<i64>,
}

const MEETINGS_CSV: &[CsvColumn<MatchMeetingView>] = &[
    ("id", |m| m.id.to_string()),
    ("held_on", |m| m.held_on.to_string()),
    ("place", |m| m.place.clone()),
    ("category", |m| m.category_label.clone()),
    ("product_id", |m| m.product_id.to_string()),
    ("product_name", |m| m.product_name.clone()),
    ("chip_uscc", |m| m.chip_uscc.clone()),
    ("chip_firm", |m| m.chip_firm.clone()),
    ("need_id", |m| m.need_id.to_string()),
    ("need_name", |m| m.need_name.clone()),
    ("terminal_uscc", |m| m.terminal_uscc.clone()),
    ("terminal_firm", |m| m.terminal_firm.clone()),
    ("note", |m| m.note.clone()),
    ("outcome", |m| m.outcome_label.clone().unwrap_or_default()),
    ("outcome_on", |m| m.outcome_on.map(|d| d.to_string()).unwrap_or_default()),
    ("outcome_note", |m| m.outcome_note.clone().unwrap_or_default()),
    ("synthetic", |m| ui::flag(m.synthetic)),
];

pub async fn meetings(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.page_user()?;
    show_meetings(&ctx, s, &MeetingForm::default(), None, None).await
}

async fn show_meetings(
    ctx: &Ctx,
    s: &Session,
    form: &MeetingForm,
    error: Option<AppError>,
    outcome_error: Option<(i64, AppError)>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let items = ctx.app.match_meetings(s, lang).await.page(lang)?;
    let shown = items.iter().any(|m| m.synthetic);
    let synthetic = synthetic(ctx, shown).await?;
    if let Some(export) =
        ui::list_export(ctx, synthetic, ("matching_meetings", "matching-meetings"), &items, MEETINGS_CSV)
    {
        return Ok(export);
    }
    let may_record = !s.roles.scopes(&s.user, Perm::RecordMatchMeetings).is_empty();
    let pairs =
        if may_record { ctx.app.match_pairs(s, &MatchFilter::default(), lang).await.page(lang)? } else { Vec::new() };
    let status = ui::form_status(error.as_ref().or(outcome_error.as_ref().map(|(_, e)| e)));
    let body = html! {
        (head(ctx, s, t("对接会与对接结果", "Meetings and outcomes"), t("对接会记录及其结果（签订合同、试用验证、未达成合作）。签约和试用计入此后评分的“合作基础”。", "Matchmaking meetings and what came of them (contract signed, trial, no fit). A contract or a trial counts as prior cooperation in later scores.")))
        @if shown { (ui::example_banner(lang, "标有“示例”的对接记录为演示用合成数据。", "records marked “synthetic” are made up for the demo.")) }
        @if let Some(note) = scope_note(s, lang) { p.muted { (note) } }
        @if items.is_empty() { p.muted { (t("尚无对接会记录。", "No meetings recorded yet.")) } } @else {
            div.scroll { table.data.compact {
                (ui::head(lang, &[ui::col("日期", "Held on"), ui::col("对接会", "Meeting"), ui::col("芯片产品（企业）", "Chip product (firm)"), ui::col("终端需求（企业）", "Terminal need (firm)"), ui::col("结果", "Outcome")]))
                tbody { @for m in &items { tr {
                    td.nowrap { (m.held_on.to_string()) }
                    td { (m.place) @if m.synthetic { " " (synthetic_chip(lang)) } @if !m.note.is_empty() { br; span.muted { (m.note) } } }
                    td { (m.product_name) br; span.muted { (m.chip_firm) } }
                    td { (m.need_name) br; span.muted { (m.terminal_firm) } }
                    td {
                        (outcome_chip(m.outcome, lang))
                        @if let Some(on) = m.outcome_on { " " (on.to_string()) }
                        @if let Some(n) = &m.outcome_note { @if !n.is_empty() { br; span.muted { (n) } } }
                        @if may_record {
                            @let open = outcome_error.as_ref().is_some_and(|(id, _)| *id == m.id);
                            details open[open] {
                                summary { @if m.outcome.is_some() { (t("更正结果", "Correct the outcome")) } @else { (t("记录结果", "Record the outcome")) } }
                                @if let Some((id, e)) = &outcome_error { @if *id == m.id { (ui::form_error(e, lang)) } }
                                form.grid method="post" action={ "/matching/meetings/" (m.id) "/outcome" } {
                                    (ui::csrf(s))
                                    input type="hidden" name="version" value=(m.version);
                                    label { (t("结果", "Outcome"))
                                        select name="outcome" required { @for o in MatchOutcome::ALL { option value=(o.as_str()) selected[m.outcome == Some(o)] { (o.label(lang)) } } } }
                                    label { (t("日期", "On")) input name="outcome_on" type="date" required value=(m.outcome_on.map(|d| d.to_string()).unwrap_or_default()); }
                                    label.wide { (t("说明", "Note")) input name="note" maxlength="1000" value=(m.outcome_note.clone().unwrap_or_default()); }
                                    div.actions { button type="submit" { (t("保存", "Save")) } }
                                }
                            }
                        }
                    }
                } } }
            } }
        }
        (ui::downloads(ctx, lang))
        @if may_record {
            details.panel open[error.is_some()] {
                summary { (t("记录对接会", "Record a meeting")) }
                @if let Some(e) = &error { (ui::form_error(e, lang)) }
                @if pairs.is_empty() { p.muted { (t("没有可记录的候选对接。", "There is no candidate pair to record a meeting on.")) } } @else {
                    form.grid method="post" action="/matching/meetings" {
                        (ui::csrf(s))
                        label.wide { (t("候选对接", "Candidate pair"))
                            select name="pair" required {
                                @for p in &pairs {
                                    @let v = format!("{}:{}", p.product_id, p.need_id);
                                    option value=(v) selected[form.pair == v] { (p.product_name) " — " (p.need_name) " (" (ui::num(p.score, 1)) ")" }
                                }
                            }
                        }
                        label { (t("日期", "Held on")) input name="held_on" type="date" required value=(form.held_on); }
                        label { (t("对接会名称或地点", "Meeting or place")) input name="place" required maxlength="100" value=(form.place); }
                        label.wide { (t("纪要", "Note")) input name="note" maxlength="1000" value=(form.note); }
                        div.actions { button type="submit" { (t("记录", "Record")) } }
                    }
                }
            }
        }
    };
    Ok(ui::page_status(ctx, s, synthetic, status, t("对接会与对接结果", "Meetings and outcomes"), body))
}

pub async fn record_meeting(ctx: Ctx, Form(f): Form<MeetingForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer(Some(&f.csrf))?;
    let ids =
        f.pair.split_once(':').and_then(|(p, n)| Some((p.trim().parse::<i64>().ok()?, n.trim().parse::<i64>().ok()?)));
    let result = match ids {
        Some((product_id, need_id)) => {
            let input = MatchMeetingInput {
                product_id,
                need_id,
                held_on: f.held_on.clone(),
                place: f.place.clone(),
                note: f.note.clone(),
            };
            ctx.app.record_match_meeting(s, &input, &ctx.ip).await.map(|_| ())
        }
        None => Err(AppError::invalid("pair", "请选择候选对接", "choose a candidate pair")),
    };
    let done = result.map(|()| "/matching/meetings".into());
    ui::after_post(lang, done, ui::REFUSED, |e| show_meetings(&ctx, s, &f, Some(e), None)).await
}

pub async fn record_outcome(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<OutcomeForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer(Some(&f.csrf))?;
    let input = MatchOutcomeInput { outcome: f.outcome, outcome_on: f.outcome_on, note: f.note, version: f.version };
    let blank = MeetingForm::default();
    let done = ctx.app.record_match_outcome(s, id, &input, &ctx.ip).await.map(|()| "/matching/meetings".into());
    ui::after_post(lang, done, ui::REFUSED_OR_GONE, |e| show_meetings(&ctx, s, &blank, None, Some((id, e)))).await
}

// ---- /matching/settings ----

#[derive(Deserialize, Default, Clone)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    maturity: String,
    #[serde(default)]
    volume: String,
    #[serde(default)]
    proximity: String,
    #[serde(default)]
    cooperation: String,
    #[serde(default)]
    substitution: String,
    #[serde(default)]
    research: String,
    #[serde(default)]
    sample: String,
    #[serde(default)]
    engineering_validation: String,
}

impl SettingsForm {
    fn of(s: &MatchSettings) -> SettingsForm {
        let (w, l) = (&s.weights, &s.lead_months);
        let n = |v: f64| ui::num(v, 6);
        SettingsForm {
            csrf: String::new(),
            category: n(w.category),
            maturity: n(w.maturity),
            volume: n(w.volume),
            proximity: n(w.proximity),
            cooperation: n(w.cooperation),
            substitution: n(w.substitution),
            research: n(l.research),
            sample: n(l.sample),
            engineering_validation: n(l.engineering_validation),
        }
    }

    /// The numbers as typed; one that is not a number reads as NaN, which the use case refuses naming its
    /// field (as the API names it).
    fn settings(&self) -> MatchSettings {
        let read = |s: &str| s.trim().parse::<f64>().unwrap_or(f64::NAN);
        MatchSettings {
            weights: MatchWeights {
                category: read(&self.category),
                maturity: read(&self.maturity),
                volume: read(&self.volume),
                proximity: read(&self.proximity),
                cooperation: read(&self.cooperation),
                substitution: read(&self.substitution),
            },
            lead_months: MatchLeadMonths {
                research: read(&self.research),
                sample: read(&self.sample),
                engineering_validation: read(&self.engineering_validation),
            },
        }
    }
}

pub async fn settings(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.page_user()?;
    let current = ctx.app.match_settings(s).await.page(ctx.lang)?;
    let demo = synthetic(&ctx, false).await?;
    show_settings(&ctx, s, demo, &current, &SettingsForm::of(&current), None)
}

fn show_settings(
    ctx: &Ctx,
    s: &Session,
    demo: bool,
    current: &MatchSettings,
    form: &SettingsForm,
    error: Option<AppError>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    if let Some(Export::Json) = ui::export(ctx) {
        return Ok(ui::json(demo, "matching_settings", json!({ "settings": current })));
    }
    let (w, l) = (&current.weights, &current.lead_months);
    let total = w.category + w.maturity + w.volume + w.proximity + w.cooperation + w.substitution;
    let share = |v: f64| if total > 0.0 { ui::pct(v / total) } else { "—".into() };
    let may_set = s.can(&jiqun_app::Action::SetMatchSettings);
    let rows: [(&str, &str, &str, f64, &str); 6] = [
        (
            "category",
            "类别匹配",
            "category",
            w.category,
            t(
                "同一类别才配对，此项总是满分，用于让总分可加",
                "pairs are always of one category: full marks, shown so the score adds up",
            ),
        ),
        (
            "maturity",
            "成熟度与时间",
            "maturity against timing",
            w.maturity,
            t(
                "量产为满分；否则按距需求日期的月数 ÷ 设定的到量产月数",
                "full in mass production; else months to the need date ÷ the months assumed to reach mass production",
            ),
        ),
        (
            "volume",
            "供需量",
            "volume",
            w.volume,
            t("年供货能力 ÷ 年需求量，最高为 1；未知按一半", "supply ÷ need, at most 1; half when unknown"),
        ),
        (
            "proximity",
            "地域邻近",
            "proximity",
            w.proximity,
            t("同市为 1，同区域（珠三角、粤东、粤西、粤北）为 0.5", "same city 1, same region 0.5"),
        ),
        (
            "cooperation",
            "合作基础",
            "prior cooperation",
            w.cooperation,
            t("双方有签约或试用记录为 1", "1 if the two firms have a signed or trial outcome recorded"),
        ),
        (
            "substitution",
            "国产替代优先",
            "domestic substitution",
            w.substitution,
            t("计划点名的核心芯片类别为 1", "1 for the core chip categories the plan names"),
        ),
    ];
    let value = |id: &str| match id {
        "category" => &form.category,
        "maturity" => &form.maturity,
        "volume" => &form.volume,
        "proximity" => &form.proximity,
        "cooperation" => &form.cooperation,
        _ => &form.substitution,
    };
    let body = html! {
        (head(ctx, s, t("对接评分权重", "Matchmaking weights"), t("各项得分的权重由计划管理处室设定，只看比例；到量产所需月数为示例假设，不是行业数据。", "The plan owner sets each component's weight (only proportions matter); the months to mass production are example assumptions, not industry facts.")))
        div.scroll { table.data.compact {
            (ui::head(lang, &[ui::col("项目", "Component"), ui::num_col("权重", "Weight"), ui::num_col("占比", "Share"), ui::col("计分规则", "Rule")]))
            tbody { @for (_, zh, en, v, rule) in &rows { tr {
                th scope="row" { (t(zh, en)) }
                td.numcell { (ui::num(*v, 2)) }
                td.numcell { (share(*v)) }
                td { (rule) }
            } } }
        } }
        h2 { (t("到量产所需月数（示例假设）", "Months to mass production (example assumptions)")) }
        @let months = |v: f64| format!("{}{}", ui::num(v, 1), t(" 个月", " months"));
        p { (Maturity::Research.label(lang)) (ui::colon(lang)) (months(l.research)) (ui::sep(lang))
            (Maturity::Sample.label(lang)) (ui::colon(lang)) (months(l.sample)) (ui::sep(lang))
            (Maturity::EngineeringValidation.label(lang)) (ui::colon(lang)) (months(l.engineering_validation)) }
        p.downloads { (t("下载本页数据：", "This page's data: ")) a href="/matching/settings?format=json" { "JSON" } }
        @if may_set {
            details.panel open[error.is_some()] {
                summary { (t("修改权重", "Change the weights")) }
                @if let Some(e) = &error { (ui::form_error(e, lang)) }
                form.grid method="post" action="/matching/settings" {
                    (ui::csrf(s))
                    @for (id, zh, en, _, _) in &rows {
                        label { (t(zh, en)) input name=(id) required inputmode="decimal" value=(value(id)); }
                    }
                    label { (t("研发→量产（月）", "Research → mass production (months)")) input name="research" required inputmode="decimal" value=(form.research); }
                    label { (t("样片→量产（月）", "Samples → mass production (months)")) input name="sample" required inputmode="decimal" value=(form.sample); }
                    label { (t("工程验证→量产（月）", "Engineering validation → mass production (months)")) input name="engineering_validation" required inputmode="decimal" value=(form.engineering_validation); }
                    div.actions { button type="submit" { (t("保存", "Save")) } }
                }
            }
        }
    };
    Ok(ui::page_status(ctx, s, demo, ui::form_status(error.as_ref()), t("对接评分权重", "Matchmaking weights"), body))
}

pub async fn set_settings(ctx: Ctx, Form(f): Form<SettingsForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer_for(Some(&f.csrf), &jiqun_app::Action::SetMatchSettings)?;
    let done = ctx.app.set_match_settings(s, &f.settings(), &ctx.ip).await.map(|()| "/matching/settings".into());
    let ctx = &ctx;
    ui::after_post(lang, done, ui::REFUSED, |e| async move {
        let current = ctx.app.match_settings(s).await.page(lang)?;
        let demo = synthetic(ctx, false).await?;
        show_settings(ctx, s, demo, &current, &f, Some(e))
    })
    .await
}
