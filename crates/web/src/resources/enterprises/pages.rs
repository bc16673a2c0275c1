//! The enterprise registry's pages: the directory (`/enterprises`, with registering and importing), one firm
//! (`/enterprises/{id}`) with its figures, their history, its evaluation items and its libraries section, and
//! the forms for its figures and expert. What a user sees follows the access rules: figures only for those
//! who may read them.

use std::collections::HashMap;

use axum::response::{IntoResponse, Redirect, Response};
use jiqun_app::input::{parameter, parse_city, parse_scale};
use jiqun_app::model::{EnterpriseFilter, EnterpriseRow};
use jiqun_app::registry::{EnterpriseInput, EnterpriseView, Figure};
use jiqun_app::{Action, AppError, Perm, Scope, Session};
use jiqun_domain::enterprise::{METRICS, Metric, metric};
use jiqun_domain::{Lang, Scale};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

use crate::ctx::Ctx;
use crate::error::{PageResult, WithLang};
use crate::extract::{Form, Path, Query};
use crate::kit::ui::{self, Csv, CsvColumn, Export};

const PAGE: i64 = 50;

/// `?year=` on a firm's page: the year its library section shows.
fn ctx_year(ctx: &Ctx) -> Option<i64> {
    ctx.query.split('&').find_map(|kv| kv.strip_prefix("year=")).and_then(|y| y.parse().ok())
}

pub(crate) fn scale_label(s: &Scale, lang: Lang) -> &'static str {
    s.label(lang)
}

pub(crate) fn class_chip(class: &str, reason: &str, lang: Lang) -> Markup {
    let title = if reason.is_empty() { String::new() } else { reason.to_string() };
    html! { span class={ "chip class-" (class.to_ascii_lowercase()) } title=(title) { (class) @if class == "T" { " " (lang.pick("不参评", "not rated")) } } }
}

fn value_text(v: f64, key: &str, lang: Lang) -> String {
    if metric(key).is_some_and(|m| m.flag) {
        return (if v != 0.0 { lang.pick("是", "yes") } else { lang.pick("否", "no") }).to_string();
    }
    let digits = if matches!(key, "employees" | "patents") { 0 } else { 2 };
    ui::num(v, digits)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    city: String,
    scale: String,
    q: String,
    tag: String,
    page: i64,
}

fn may_import(s: &Session) -> bool {
    let scopes = s.roles.scopes(&s.user, Perm::EditEnterprise);
    scopes.contains(&Scope::All) || scopes.contains(&Scope::OwnCity)
}

const ENTERPRISES_CSV: &[CsvColumn<EnterpriseRow>] = &[
    ("uscc", |e| e.uscc.as_str().to_string()),
    ("name", |e| e.name.clone()),
    ("city", |e| e.city.as_str().to_string()),
    ("county", |e| e.county.clone()),
    ("industry", |e| e.industry.clone()),
    ("scale", |e| e.scale.as_str().to_string()),
    ("founded_year", |e| e.founded_year.to_string()),
    ("listed", |e| ui::flag(e.listed)),
    ("chain_nodes", |e| e.chain_nodes.join(";")),
    ("tags", |e| e.tags.join(";")),
];

pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let s = ctx.page_user()?;
    let filter = EnterpriseFilter {
        city: parameter("city", Some(&q.city), parse_city).page(lang)?,
        scale: parameter("scale", Some(&q.scale), parse_scale).page(lang)?,
        q: Some(q.q.trim().to_string()).filter(|c| !c.is_empty()),
        tag: Some(q.tag.trim().to_string()).filter(|c| !c.is_empty()),
        ids: None,
    };
    let page = q.page.max(0);
    let export = ui::export(&ctx);
    let (offset, limit) = if export.is_some() { (0, 1000) } else { (page * PAGE, PAGE) };
    let (rows, total) = ctx.app.enterprises(s, filter, offset, limit).await.page(lang)?;
    // An enterprise user has one firm: its page is the directory.
    if !s.can(&Action::ReadEnterprises) && rows.len() == 1 && total == 1 && export.is_none() {
        return Ok(Redirect::to(&format!("/enterprises/{}", rows[0].id)).into_response());
    }
    let snap = ctx.app.snapshot().await.page(lang)?;
    match export {
        Some(Export::Json) => {
            return Ok(ui::json(snap.synthetic, "enterprises", json!({ "total": total, "items": rows })));
        }
        Some(Export::Csv) => {
            return Ok(Csv::of(ENTERPRISES_CSV, &rows).respond("enterprises", snap.synthetic));
        }
        None => {}
    }
    let cities: Vec<&str> = ui::regions().prefecture_cities().map(|c| c.name.as_str()).collect();
    let pages = (total + PAGE - 1) / PAGE;
    // The class each firm got in the latest year's run.
    let ids: Vec<i64> = rows.iter().map(|e| e.id).collect();
    let (latest, classes) = ctx.app.latest_classes(s, &ids).await.page(lang)?;
    let link = |p: i64| {
        format!(
            "/enterprises?city={}&scale={}&q={}&tag={}&page={p}",
            ui::enc(&q.city),
            ui::enc(&q.scale),
            ui::enc(&q.q),
            ui::enc(&q.tag)
        )
    };
    let body = html! {
        div.pagehead {
            h1 { (t("企业名录", "Enterprise registry")) }
            p.sub { (t("重点企业库：按统一社会信用代码登记，经营数据按年度报送（加密存储，仅本企业、属地主管部门、分派专家和计划管理处室可见）。", "Key enterprises by USCC; yearly figures are stored encrypted and shown only to the firm, its city's bureau, assigned experts and the plan owner.")) }
            (ui::export_buttons(lang, "enterprises", ""))
        }
        form.filters method="get" action="/enterprises" {
            label { (t("城市", "City"))
                select name="city" { option value="" { (t("全部", "all")) } @for c in &cities { option value=(c) selected[q.city == *c] { (c) } } } }
            label { (t("规模", "Scale"))
                select name="scale" { option value="" { (t("全部", "all")) }
                    option value="above" selected[q.scale == "above"] { (t("规上", "above scale")) }
                    option value="below" selected[q.scale == "below"] { (t("规下", "below scale")) } } }
            label { (t("名称或代码", "Name or code")) input name="q" value=(q.q) maxlength="60" placeholder=(t("名称的一部分，或信用代码的开头几位", "part of the name, or the USCC's first characters")); }
            label { (t("标签", "Tag")) input name="tag" value=(q.tag) maxlength="40" placeholder="专精特新"; }
            button type="submit" { (t("筛选", "Filter")) }
        }
        p.muted { (t("共 ", "")) (total) (t(" 家企业", " enterprises")) }
        div.scroll { table.data {
            caption { (t("企业（按城市、名称排序）", "Enterprises by city and name")) }
            thead { tr {
                (ui::cols(lang, &[ui::col("企业名称", "Name"), ui::col("统一社会信用代码", "USCC"), ui::col("城市", "City"), ui::col("行业", "Industry"), ui::col("规模", "Scale"), ui::col("产业链环节", "Chain"), ui::col("标签", "Tags")]))
                th scope="col" { @if let Some(r) = &latest { (r.year) } (t(" 年评价", " class")) }
            } }
            tbody { @for e in &rows { tr {
                th scope="row" { a href={ "/enterprises/" (e.id) } { (e.name) } }
                td { code { (e.uscc) } }
                td { (ui::city_link(&e.city)) }
                td { (e.industry) }
                td { (scale_label(&e.scale, lang)) }
                td { (e.chain_nodes.join(ui::sep(lang))) }
                td { @for tag in &e.tags { span.chip { (tag) } " " } }
                td { @if let Some(c) = classes.get(&e.id) { (class_chip(c, "", lang)) } }
            } } }
        } }
        @if pages > 1 {
            nav.pager aria-label=(t("分页", "Pages")) {
                @if page > 0 { a href=(link(page - 1)) rel="prev" { (t("上一页", "Previous")) } " " }
                span { (t("第 ", "Page ")) (page + 1) " / " (pages) (t(" 页", "")) }
                @if page + 1 < pages { " " a href=(link(page + 1)) rel="next" { (t("下一页", "Next")) } }
            }
        }
        (ui::downloads(&ctx, lang))
        @if may_import(s) {
            details.panel {
                summary { (t("导入企业数据（CSV）", "Import enterprise figures (CSV)")) }
                p.muted { (t("格式同亩均评价输入（uscc,name,city,scale,founded_year,year,land_mu,tax_wan,…），可另附 county、industry、chain_nodes、tags（以 ; 分隔）、source 列；UTF-8 或 GB18030 编码。整份文件校验通过才导入，错误标明行和列。", "The per-mu evaluation input format (uscc,name,city,scale,founded_year,year,land_mu,tax_wan,…), optionally with county, industry, chain_nodes, tags (separated by ;) and source; UTF-8 or GB18030. The whole file is checked first; errors name line and column.")) }
                form data-import-csv="/api/v1/enterprises/import" {
                    input type="file" name="file" accept=".csv,text/csv" required aria-label=(t("CSV 文件", "CSV file"));
                    button type="submit" { (t("导入", "Import")) }
                    p.import-status role="status" aria-live="polite" {}
                }
            }
        }
        @if s.can(&Action::EditEnterprise(jiqun_app::Object { city: s.user.city.as_deref().unwrap_or(""), ..Default::default() })) || may_import(s) {
            (register_form(s, lang, &EnterpriseInput::default(), None))
        }
    };
    Ok(ui::page(&ctx, s, snap.synthetic, t("企业名录", "Enterprise registry"), body))
}

fn register_form(s: &Session, lang: Lang, v: &EnterpriseInput, error: Option<&AppError>) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let cities: Vec<&str> = ui::regions().prefecture_cities().map(|c| c.name.as_str()).collect();
    let own_city = s.user.city.as_deref().unwrap_or_default();
    let only_own = !s.roles.scopes(&s.user, Perm::EditEnterprise).contains(&Scope::All);
    html! {
        details.panel open[error.is_some()] {
            summary { (t("登记企业", "Register an enterprise")) }
            @if let Some(e) = error { (ui::form_error(e, lang)) }
            form.grid method="post" action="/enterprises" {
                (ui::csrf(s))
                label { (t("统一社会信用代码", "USCC")) input name="uscc" required maxlength="18" minlength="18" value=(v.uscc) pattern="[0-9A-HJ-NPQRTUWXY]{18}"; }
                label { (t("企业名称", "Name")) input name="name" required maxlength="100" value=(v.name); }
                label { (t("城市", "City"))
                    select name="city" required { @for c in &cities { @if !only_own || *c == own_city { option value=(c) selected[v.city == *c] { (c) } } } } }
                label { (t("县（区）", "County")) input name="county" maxlength="40" value=(v.county); }
                label { (t("行业代码（GB/T 4754）", "Industry (GB/T 4754)")) input name="industry" maxlength="5" value=(v.industry) placeholder="C3973"; }
                label { (t("规模", "Scale"))
                    select name="scale" { option value="above" selected[v.scale != "below"] { (t("规上", "above scale")) } option value="below" selected[v.scale == "below"] { (t("规下", "below scale")) } } }
                label { (t("成立年份", "Founded")) input name="founded_year" required inputmode="numeric" value=(if v.founded_year > 0 { v.founded_year.to_string() } else { String::new() }); }
                label { (t("产业链环节（以 ; 分隔）", "Chain nodes (separated by ;)")) input name="chain_nodes" maxlength="200" value=(v.chain_nodes.join(";")); }
                label { (t("标签（以 ; 分隔）", "Tags (separated by ;)")) input name="tags" maxlength="200" value=(v.tags.join(";")); }
                label.check { input type="checkbox" name="listed" value="1" checked[v.listed]; " " (t("上市企业", "listed")) }
                button type="submit" { (t("登记", "Register")) }
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegisterForm {
    csrf: String,
    uscc: String,
    name: String,
    city: String,
    county: String,
    industry: String,
    scale: String,
    founded_year: String,
    chain_nodes: String,
    tags: String,
    listed: String,
}

fn split_list(s: &str) -> Vec<String> {
    s.split([';', '；']).map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
}

pub async fn register(ctx: Ctx, Form(f): Form<RegisterForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer(Some(&f.csrf))?;
    let input = EnterpriseInput {
        uscc: f.uscc.trim().to_ascii_uppercase(),
        name: f.name,
        city: f.city,
        county: f.county,
        industry: f.industry.trim().to_ascii_uppercase(),
        scale: f.scale,
        founded_year: f.founded_year.trim().parse().unwrap_or(0),
        listed: f.listed == "1",
        chain_nodes: split_list(&f.chain_nodes),
        tags: split_list(&f.tags),
    };
    let done = ctx.app.register_enterprise(s, &input, &ctx.ip).await.map(|id| format!("/enterprises/{id}"));
    let ctx = &ctx;
    ui::after_post(lang, done, ui::REFUSED, |e| async move {
        let snap = ctx.app.snapshot().await.page(lang)?;
        let t = |zh, en| lang.pick(zh, en);
        let body = html! {
            div.pagehead { h1 { (t("登记企业", "Register an enterprise")) } }
            (register_form(s, lang, &input, Some(&e)))
        };
        let status = ui::form_status(Some(&e));
        Ok(ui::page_status(ctx, s, snap.synthetic, status, t("登记企业", "Register an enterprise"), body))
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetailQuery {
    history: String,
    year: Option<i64>,
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<DetailQuery>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_user()?;
    let view = ctx.app.enterprise_view(s, id).await.page(lang)?;
    let history = if !q.history.is_empty()
        && let Some(year) = q.year
    {
        Some((year, q.history.clone(), ctx.app.figure_history(s, id, year, &q.history).await.page(lang)?))
    } else {
        None
    };
    show_detail(&ctx, s, &view, history, None).await
}

async fn show_detail(
    ctx: &Ctx,
    s: &Session,
    view: &EnterpriseView,
    history: Option<(i64, String, Vec<Figure>)>,
    error: Option<AppError>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let snap = ctx.app.snapshot().await.page(lang)?;
    let e = &view.row;
    if let Some(Export::Json) = ui::export(ctx) {
        return Ok(ui::json(snap.synthetic, "enterprise", super::api::view_json(view, lang)));
    }
    let mut years: Vec<i64> = view.figures.iter().flatten().map(|f| f.year).collect();
    years.sort_unstable();
    years.dedup();
    let shown: Vec<&jiqun_domain::enterprise::Metric> =
        METRICS.iter().filter(|m| view.figures.iter().flatten().any(|f| f.metric == m.key)).collect();
    let cell = |year: i64, key: &str| view.figures.iter().flatten().find(|f| f.year == year && f.metric == key);
    let experts = if view.experts.is_empty() { String::new() } else { view.expert_names.join(ui::sep(lang)) };
    let status = ui::form_status(error.as_ref());
    let next_year = years.last().copied().unwrap_or(2025);
    let libraries = match ctx.app.firm_libraries(s, e.id, ctx_year(ctx)).await {
        Err(err) if err.status() == 422 => ctx.app.firm_libraries(s, e.id, None).await,
        other => other,
    }
    .page(lang)?;
    let places = ctx.app.chain_places(&e.chain_nodes).await.page(lang)?;
    let read_chains = s.can(&Action::ReadChains);
    let body = html! {
        div.pagehead {
            p.crumbs { @if s.can(&Action::ReadEnterprises) { a href="/enterprises" { (t("企业名录", "Registry")) } " › " } }
            h1 { (e.name) }
            p.sub { code { (e.uscc) } " · " (ui::city_link(&e.city)) @if !e.county.is_empty() { " " (e.county) } " · " (scale_label(&e.scale, lang)) }
        }
        dl.facts {
            dt { (t("行业代码", "Industry")) } dd { (if e.industry.is_empty() { "—" } else { &e.industry }) }
            dt { (t("成立年份", "Founded")) } dd { (e.founded_year) }
            dt { (t("上市", "Listed")) } dd { (if e.listed { t("是", "yes") } else { t("否", "no") }) }
            dt { (t("产业链环节", "Chain nodes")) } dd {
                @for (i, p) in places.iter().enumerate() {
                    @if i > 0 { (ui::sep(lang)) }
                    @match (&p.chain, &p.node, read_chains) {
                        (Some(c), Some(n), true) => { a href={ "/chains/" (ui::enc(c)) "/nodes/" (ui::enc(n)) } { (p.text) } }
                        (Some(_), Some(_), false) => { (p.text) }
                        _ => { (p.text) " " span.chip.oc-failed title=(t("与产业链环节表不一致，待认定", "matches no node of the chain vocabulary; to be resolved")) { (t("未对应环节", "no node")) } }
                    }
                }
            }
            dt { (t("标签", "Tags")) } dd { @for tag in &e.tags { span.chip { (tag) } " " } }
            @if let Some(c) = &view.contact { dt { (t("联系人", "Contact")) } dd { (c) } }
            @if !experts.is_empty() { dt { (t("评审专家", "Experts")) } dd { (experts) } }
        }
        @if let Some(err) = &error { (ui::form_error(err, lang)) }
        h2 { (t("亩均效益评价", "Per-mu evaluation")) }
        @if view.results.is_empty() {
            p.muted { (t("尚无评价结果。", "No evaluation yet.")) }
        } @else {
            @for (run, r) in &view.results {
                section.panel {
                    h3 { (run.year) (t(" 年 · ", " · ")) (run.scheme_name) " " (class_chip(&r.class, &r.reason, lang)) }
                    @if !r.reason.is_empty() { p { (t("不参评原因：", "Not rated: ")) (r.reason) } }
                    @if let (Some(score), Some(rank)) = (r.score, r.rank) {
                        p {
                            (t("综合得分 ", "Score ")) strong { (ui::num(score, 2)) }
                            (t("，在", ", rank ")) @if lang == Lang::En { (rank) " / " (r.group_size) " in the " }
                            (r.city) (t("", " ")) (scale_label(&r.scale, lang)) (t("组排第 ", " group"))
                            @if lang == Lang::Zh { (rank) " / " (r.group_size) " 名" }
                        }
                    }
                    @if let Some(items) = &r.items {
                        @if !items.is_empty() {
                            table.data.compact {
                                caption { (t("各项指标：实际值、基准值（组内加总比）与得分", "Items: value, benchmark (the group's ratio of sums) and score")) }
                                (ui::head(lang, &[ui::col("指标", "Item"), ui::num_col("实际值", "Value"), ui::num_col("基准值", "Benchmark"), ui::num_col("得分", "Score")]))
                                tbody { @for it in items { tr {
                                    th scope="row" { (it.name) }
                                    td.numcell { @match it.value { Some(v) => (ui::num(v, 2)), None => span.muted title=(t("缺数据，按组内该项平均得分计", "no data: scored the group's mean")) { (t("缺（取组均分）", "n/a (group mean)")) } } }
                                    td.numcell { (ui::num(it.benchmark, 2)) }
                                    td.numcell { (ui::num(it.score, 2)) }
                                } } }
                            }
                        }
                    }
                }
            }
        }
        (crate::resources::libraries::pages::firm_section(s, &libraries, view.figures.as_deref(), e.id, lang))
        h2 { (t("经营数据", "Figures")) }
        @match &view.figures {
            None => p.muted { (t("经营数据仅本企业、属地主管部门、分派专家和计划管理处室可见。", "Figures are shown only to the firm, its city's bureau, assigned experts and the plan owner.")) },
            Some(_) if years.is_empty() => p.muted { (t("尚未报送数据。", "No figures yet.")) },
            Some(_) => div.scroll { table.data.compact {
                caption { (t("按年度（点击数值查看修改历史）", "By year (a value links to its history)")) }
                thead { tr { th scope="col" { (t("指标", "Figure")) } @for y in &years { th.num scope="col" { (y) } } } }
                tbody { @for m in &shown { tr {
                    th scope="row" { (lang.pick(m.zh, m.en)) span.muted { " (" (lang.pick(m.unit_zh, m.unit_en)) ")" } }
                    @for y in &years { td.numcell { @if let Some(f) = cell(*y, m.key) {
                        a href={ "/enterprises/" (e.id) "?history=" (m.key) "&year=" (y) "#history" } title=(f.source) { (value_text(f.value, m.key, lang)) }
                    } } }
                } } }
            } },
        }
        @if let Some((year, key, rows)) = &history {
            section.panel #history {
                h3 { (t("修改历史：", "History: ")) (metric(key).map_or(key.as_str(), |m| lang.pick(m.zh, m.en))) " · " (year) }
                table.data.compact {
                    (ui::head(lang, &[ui::col("录入时间", "Entered"), ui::num_col("数值", "Value"), ui::col("来源", "Source"), ui::col("状态", "State")]))
                    tbody { @for f in rows { tr {
                        td { (ui::datetime(f.entered_at)) }
                        td.numcell { (value_text(f.value, key, lang)) }
                        td { (f.source) }
                        td { @if f.is_current { (t("现行", "current")) } @else { span.muted { (t("已更正", "corrected")) } } }
                    } } }
                }
            }
        }
        @if view.may_edit {
            details.panel open[error.is_some()] {
                summary { (t("报送或更正数据", "Enter or correct figures")) }
                form.grid method="post" action={ "/enterprises/" (e.id) "/figures" } {
                    (ui::csrf(s))
                    label { (t("年度", "Year")) input name="year" required inputmode="numeric" value=(next_year); }
                    label { (t("来源", "Source")) input name="source" maxlength="200" placeholder=(t("如：2025年度财务报表", "e.g. 2025 annual accounts")); }
                    @for m in METRICS {
                        @if m.flag {
                            label { (lang.pick(m.zh, m.en))
                                select name=(m.key) {
                                    option value="" { "—" }
                                    option value="1" selected[cell(next_year, m.key).is_some_and(|f| f.value == 1.0)] { (t("是", "yes")) }
                                    option value="0" selected[cell(next_year, m.key).is_some_and(|f| f.value == 0.0)] { (t("否", "no")) }
                                } }
                        } @else {
                            label { (lang.pick(m.zh, m.en)) " (" (lang.pick(m.unit_zh, m.unit_en)) ")"
                                input name=(m.key) inputmode="decimal" value=(cell(next_year, m.key).map(|f| f.value.to_string()).unwrap_or_default()); }
                        }
                    }
                    button type="submit" { (t("保存", "Save")) }
                }
            }
        }
        @if s.can(&Action::AssignExperts) {
            details.panel {
                summary { (t("分派评审专家", "Assign an expert")) }
                form method="post" action={ "/enterprises/" (e.id) "/experts" } {
                    (ui::csrf(s))
                    label { (t("专家用户名", "Expert's username")) input name="username" required maxlength="64"; }
                    button type="submit" { (t("分派", "Assign")) }
                }
            }
        }
    };
    Ok(ui::page_status(ctx, s, snap.synthetic, status, &e.name, body))
}

/// Metric key and value.
type Figures = Vec<(String, f64)>;

/// A form of a firm's figures for a year (its figures, or its library profile): the year, the source, and
/// the value of each of `metrics` filled in; an error names the first value that is not a number.
pub(crate) fn figures_form(
    f: &HashMap<String, String>,
    metrics: impl IntoIterator<Item = &'static Metric>,
) -> (i64, &str, Result<Figures, AppError>) {
    let year: i64 = f.get("year").and_then(|y| y.trim().parse().ok()).unwrap_or(0);
    let source = f.get("source").map(String::as_str).unwrap_or("");
    let values = metrics
        .into_iter()
        .filter_map(|m| Some((m, f.get(m.key).map(|v| v.trim()).filter(|v| !v.is_empty())?)))
        .map(|(m, raw)| match ui::parse_amount(raw, "") {
            Some(v) => Ok((m.key.to_string(), v)),
            None => Err(AppError::invalid(m.key, format!("“{raw}”不是数值"), format!("“{raw}” is not a number"))),
        })
        .collect();
    (year, source, values)
}

pub async fn put_figures(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer(f.get("csrf").map(String::as_str))?;
    ctx.app.may_edit_enterprise(s, id).await.page(lang)?;
    let (year, source, values) = figures_form(&f, METRICS);
    let result = match values {
        Ok(values) => ctx.app.put_figures(s, id, year, &values, source, None, &ctx.ip).await,
        Err(e) => Err(e),
    };
    let done = result.map(|_| format!("/enterprises/{id}"));
    ui::after_post(lang, done, ui::REFUSED, |e| detail_again(&ctx, s, id, e)).await
}

/// The firm's page again, with the error of a form posted on it.
async fn detail_again(ctx: &Ctx, s: &Session, id: i64, e: AppError) -> PageResult<Response> {
    let view = ctx.app.enterprise_view(s, id).await.page(ctx.lang)?;
    show_detail(ctx, s, &view, None, Some(e)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExpertForm {
    csrf: String,
    username: String,
}

pub async fn assign_expert(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ExpertForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer(Some(&f.csrf))?;
    let done = ctx.app.assign_expert(s, id, f.username.trim(), &ctx.ip).await.map(|()| format!("/enterprises/{id}"));
    ui::after_post(lang, done, ui::REFUSED_OR_GONE, |e| detail_again(&ctx, s, id, e)).await
}
