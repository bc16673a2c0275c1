//! The enterprise registry's pages: the directory (`/enterprises`), one firm (`/enterprises/{id}`) with its
//! figures, their history and its evaluation items, the evaluation runs (`/evaluations`, `/evaluations/{id}`)
//! with the distribution by city and class and the movement since last year, and the role definitions
//! (`/roles`). What a user sees follows the access rules: figures only for those who may read them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiqun_app::model::{EnterpriseFilter, EnterpriseRow};
use jiqun_app::registry::{CLASSES, EnterpriseInput, EnterpriseView, Figure};
use jiqun_app::{Action, AppError, Perm, RoleDef, Scope, Session};
use jiqun_domain::Lang;
use jiqun_domain::enterprise::{METRICS, metric};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

use super::ui::{self, Csv, Export};
use crate::ctx::{AppState, Ctx};
use crate::error::{PageError, PageLang, PageResult};
use crate::extract::{Form, Path, Query};

const PAGE: i64 = 50;

/// `?year=` on a firm's page: the year its library section shows.
fn ctx_year(ctx: &Ctx) -> Option<i64> {
    ctx.query.split('&').find_map(|kv| kv.strip_prefix("year=")).and_then(|y| y.parse().ok())
}

fn scale_label(s: &str, lang: Lang) -> &'static str {
    match s {
        "above" => lang.pick("规上", "above scale"),
        _ => lang.pick("规下", "below scale"),
    }
}

fn class_chip(class: &str, reason: &str, lang: Lang) -> Markup {
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
pub struct ListQuery {
    #[serde(default)]
    city: String,
    #[serde(default)]
    scale: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    page: i64,
}

fn may_import(s: &Session) -> bool {
    let scopes = s.roles.scopes(&s.user, Perm::EditEnterprise);
    scopes.contains(&Scope::All) || scopes.contains(&Scope::OwnCity)
}

pub async fn list(State(app): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let s = ctx.user().page(lang)?;
    let filter = EnterpriseFilter {
        city: Some(q.city.clone()).filter(|c| !c.is_empty()),
        scale: Some(q.scale.clone()).filter(|c| !c.is_empty()),
        q: Some(q.q.trim().to_string()).filter(|c| !c.is_empty()),
        tag: Some(q.tag.trim().to_string()).filter(|c| !c.is_empty()),
        ids: None,
    };
    let page = q.page.max(0);
    let export = ui::export(&ctx);
    let (offset, limit) = if export.is_some() { (0, 1000) } else { (page * PAGE, PAGE) };
    let (rows, total) = app.enterprises(s, filter, offset, limit).await.page(lang)?;
    // An enterprise user has one firm: its page is the directory.
    if !s.can(&Action::ReadEnterprises) && rows.len() == 1 && total == 1 && export.is_none() {
        return Ok(Redirect::to(&format!("/enterprises/{}", rows[0].id)).into_response());
    }
    let snap = app.snapshot().await.page(lang)?;
    match export {
        Some(Export::Json) => {
            return Ok(ui::json(snap.synthetic, "enterprises", json!({ "total": total, "items": rows })));
        }
        Some(Export::Csv) => {
            let mut csv = Csv::new(&[
                "uscc",
                "name",
                "city",
                "county",
                "industry",
                "scale",
                "founded_year",
                "listed",
                "chain_nodes",
                "tags",
            ]);
            for e in &rows {
                csv.row([
                    e.uscc.as_str(),
                    &e.name,
                    &e.city,
                    &e.county,
                    &e.industry,
                    &e.scale,
                    &e.founded_year.to_string(),
                    if e.listed { "1" } else { "0" },
                    &e.chain_nodes.join(";"),
                    &e.tags.join(";"),
                ]);
            }
            return Ok(csv.respond("enterprises", snap.synthetic));
        }
        None => {}
    }
    let cities: Vec<&str> = ui::regions().prefecture_cities().map(|c| c.name.as_str()).collect();
    let pages = (total + PAGE - 1) / PAGE;
    // The class each firm got in the latest year's run.
    let ids: Vec<i64> = rows.iter().map(|e| e.id).collect();
    let (latest, classes) = app.latest_classes(s, &ids).await.page(lang)?;
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
        }
        form.filters method="get" action="/enterprises" {
            label { (t("城市", "City"))
                select name="city" { option value="" { (t("全部", "all")) } @for c in &cities { option value=(c) selected[q.city == *c] { (c) } } } }
            label { (t("规模", "Scale"))
                select name="scale" { option value="" { (t("全部", "all")) }
                    option value="above" selected[q.scale == "above"] { (t("规上", "above scale")) }
                    option value="below" selected[q.scale == "below"] { (t("规下", "below scale")) } } }
            label { (t("名称或代码", "Name or code")) input name="q" value=(q.q) maxlength="60"; }
            label { (t("标签", "Tag")) input name="tag" value=(q.tag) maxlength="40" placeholder="专精特新"; }
            button type="submit" { (t("筛选", "Filter")) }
        }
        p.muted { (t("共 ", "")) (total) (t(" 家企业", " enterprises")) }
        div.scroll { table.data {
            caption { (t("企业（按城市、名称排序）", "Enterprises by city and name")) }
            thead { tr {
                th scope="col" { (t("企业名称", "Name")) }
                th scope="col" { (t("统一社会信用代码", "USCC")) }
                th scope="col" { (t("城市", "City")) }
                th scope="col" { (t("行业", "Industry")) }
                th scope="col" { (t("规模", "Scale")) }
                th scope="col" { (t("产业链环节", "Chain")) }
                th scope="col" { (t("标签", "Tags")) }
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
    let own_city = s.user.city.clone().unwrap_or_default();
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
pub struct RegisterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    county: String,
    #[serde(default)]
    industry: String,
    #[serde(default)]
    scale: String,
    #[serde(default)]
    founded_year: String,
    #[serde(default)]
    chain_nodes: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    listed: String,
}

fn split_list(s: &str) -> Vec<String> {
    s.split([';', '；']).map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
}

pub async fn register(State(app): State<AppState>, ctx: Ctx, Form(f): Form<RegisterForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    ctx.require_csrf(Some(&f.csrf)).page(lang)?;
    let s = ctx.user().page(lang)?;
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
    match app.register_enterprise(s, &input, &ctx.ip).await {
        Ok(id) => Ok(Redirect::to(&format!("/enterprises/{id}")).into_response()),
        Err(e) if e.status() == 403 => Err(PageError(e, lang)),
        Err(e) => {
            let snap = app.snapshot().await.page(lang)?;
            let t = |zh, en| lang.pick(zh, en);
            let body = html! {
                div.pagehead { h1 { (t("登记企业", "Register an enterprise")) } }
                (register_form(s, lang, &input, Some(&e)))
            };
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            Ok(ui::page_status(&ctx, s, snap.synthetic, status, t("登记企业", "Register an enterprise"), body))
        }
    }
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    #[serde(default)]
    history: String,
    #[serde(default)]
    year: Option<i64>,
}

pub async fn detail(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.user().page(lang)?;
    let view = app.enterprise_view(s, id).await.page(lang)?;
    let history = if !q.history.is_empty()
        && let Some(year) = q.year
    {
        Some((year, q.history.clone(), app.figure_history(s, id, year, &q.history).await.page(lang)?))
    } else {
        None
    };
    show_detail(&app, &ctx, s, &view, history, None).await
}

async fn show_detail(
    app: &AppState,
    ctx: &Ctx,
    s: &Session,
    view: &EnterpriseView,
    history: Option<(i64, String, Vec<Figure>)>,
    error: Option<AppError>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let snap = app.snapshot().await.page(lang)?;
    let e = &view.row;
    if let Some(Export::Json) = ui::export(ctx) {
        return Ok(ui::json(snap.synthetic, "enterprise", crate::api_registry::view_json(view, lang)));
    }
    let mut years: Vec<i64> = view.figures.iter().flatten().map(|f| f.year).collect();
    years.sort_unstable();
    years.dedup();
    let shown: Vec<&jiqun_domain::enterprise::Metric> =
        METRICS.iter().filter(|m| view.figures.iter().flatten().any(|f| f.metric == m.key)).collect();
    let cell = |year: i64, key: &str| view.figures.iter().flatten().find(|f| f.year == year && f.metric == key);
    let experts = if view.experts.is_empty() { String::new() } else { view.expert_names.join(ui::sep(lang)) };
    let status = match &error {
        Some(e) => StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
        None => StatusCode::OK,
    };
    let next_year = years.last().copied().unwrap_or(2025);
    let libraries = match app.firm_libraries(s, e.id, ctx_year(ctx)).await {
        Err(err) if err.status() == 422 => app.firm_libraries(s, e.id, None).await,
        other => other,
    }
    .page(lang)?;
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
            dt { (t("产业链环节", "Chain nodes")) } dd { (e.chain_nodes.join(ui::sep(lang))) }
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
                                thead { tr { th scope="col" { (t("指标", "Item")) } th.num scope="col" { (t("实际值", "Value")) } th.num scope="col" { (t("基准值", "Benchmark")) } th.num scope="col" { (t("得分", "Score")) } } }
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
        (super::cultivation::firm_section(s, &libraries, view.figures.as_deref(), e.id, lang))
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
                    thead { tr { th scope="col" { (t("录入时间", "Entered")) } th.num scope="col" { (t("数值", "Value")) } th scope="col" { (t("来源", "Source")) } th scope="col" { (t("状态", "State")) } } }
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

pub async fn put_figures(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<std::collections::HashMap<String, String>>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    ctx.require_csrf(f.get("csrf").map(String::as_str)).page(lang)?;
    let s = ctx.user().page(lang)?;
    app.may_edit_enterprise(s, id).await.page(lang)?;
    let mut values = Vec::new();
    let mut bad: Option<AppError> = None;
    for m in METRICS {
        let raw = f.get(m.key).map(|v| v.trim()).unwrap_or("");
        if raw.is_empty() {
            continue;
        }
        match ui::parse_amount(raw, "") {
            Some(v) => values.push((m.key.to_string(), v)),
            None => {
                bad = Some(AppError::invalid(m.key, format!("“{raw}”不是数值"), format!("“{raw}” is not a number")));
                break;
            }
        }
    }
    let year: i64 = f.get("year").and_then(|y| y.trim().parse().ok()).unwrap_or(0);
    let source = f.get("source").map(String::as_str).unwrap_or("");
    let result = match bad {
        Some(e) => Err(e),
        None => app.put_figures(s, id, year, &values, source, &ctx.ip).await,
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/enterprises/{id}")).into_response()),
        Err(e) if e.status() == 403 => Err(PageError(e, lang)),
        Err(e) => {
            let view = app.enterprise_view(s, id).await.page(lang)?;
            show_detail(&app, &ctx, s, &view, None, Some(e)).await
        }
    }
}

#[derive(Deserialize)]
pub struct ExpertForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
}

pub async fn assign_expert(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ExpertForm>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    ctx.require_csrf(Some(&f.csrf)).page(lang)?;
    let s = ctx.user().page(lang)?;
    match app.assign_expert(s, id, f.username.trim(), &ctx.ip).await {
        Ok(()) => Ok(Redirect::to(&format!("/enterprises/{id}")).into_response()),
        Err(e) if e.status() == 403 || e.status() == 404 => Err(PageError(e, lang)),
        Err(e) => {
            let view = app.enterprise_view(s, id).await.page(lang)?;
            show_detail(&app, &ctx, s, &view, None, Some(e)).await
        }
    }
}

pub async fn evaluations(State(app): State<AppState>, ctx: Ctx) -> PageResult<Response> {
    let s = ctx.user().page(ctx.lang)?;
    show_evaluations(&app, &ctx, s, None, "").await
}

async fn show_evaluations(
    app: &AppState,
    ctx: &Ctx,
    s: &Session,
    error: Option<AppError>,
    draft: &str,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let runs = app.evaluation_runs(s).await.page(lang)?;
    let snap = app.snapshot().await.page(lang)?;
    if let Some(Export::Json) = ui::export(ctx) {
        return Ok(ui::json(snap.synthetic, "evaluations", json!({ "evaluations": runs })));
    }
    let years = app.figure_years().await.page(lang)?;
    let schemes = app.schemes().await.page(lang)?;
    let status = match &error {
        Some(e) => StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
        None => StatusCode::OK,
    };
    let body = html! {
        div.pagehead {
            h1 { (t("亩均效益评价", "Per-mu evaluations")) }
            p.sub { (t("按评价方案对登记企业逐年评价：在方案规定的分组内按基准值计分、排名并分 A/B/C/D 类。", "Registered firms rated year by year by a scheme: scored against benchmarks within the scheme's groups, ranked and classed A/B/C/D.")) }
        }
        table.data {
            thead { tr {
                th scope="col" { (t("年度", "Year")) }
                th scope="col" { (t("评价方案", "Scheme")) }
                th.num scope="col" { (t("参评", "Rated")) }
                th.num scope="col" { (t("不参评", "Not rated")) }
                th scope="col" { (t("评价时间", "Run at")) }
            } }
            tbody { @for r in &runs { tr {
                th scope="row" { @if s.can(&Action::ReadEnterprises) { a href={ "/evaluations/" (r.id) } { (r.year) } } @else { (r.year) } }
                td { (r.scheme_name) }
                td.numcell { (r.rated) }
                td.numcell { (r.not_rated) }
                td { (ui::datetime(r.created_at)) }
            } } }
        }
        h2 { (t("评价方案", "Schemes")) }
        table.data.compact {
            thead { tr {
                th scope="col" { (t("方案", "Scheme")) }
                th scope="col" { (t("适用地区", "Jurisdiction")) }
                th scope="col" { (t("年度", "Year")) }
                th scope="col" { (t("依据", "Source")) }
            } }
            tbody { @for sc in &schemes { tr {
                th scope="row" { (sc.name) br; code { (sc.id) } @if !sc.builtin { " " span.chip { (t("本地添加", "added here")) } } }
                td { (sc.scheme.jurisdiction) }
                td { @if let Some(y) = sc.scheme.year { (y) } }
                td.small { (sc.scheme.source) }
            } } }
        }
        @if s.can(&Action::RunEvaluation) {
            details.panel {
                summary { (t("开展评价", "Run an evaluation")) }
                form method="post" action="/evaluations" {
                    (ui::csrf(s))
                    label { (t("年度", "Year"))
                        select name="year" { @for y in &years { option value=(y) { (y) } } } }
                    label { (t("评价方案", "Scheme"))
                        select name="scheme" { @for sc in &schemes { option value=(sc.id) { (sc.name) } } } }
                    button type="submit" { (t("评价", "Evaluate")) }
                }
            }
            details.panel open[error.is_some()] {
                summary { (t("添加本地评价方案（JSON）", "Add a local scheme (JSON)")) }
                p.muted { (t("方案文件格式见 docs/evaluation.md：指标、权重、基准（组内加总比、公布的固定值或上年均值的倍数）、封顶、分组、不参评规则、加减分项和分类线。整份校验，错误指明字段路径。", "The file format is in docs/evaluation.md: items, weights, benchmarks (group ratio of sums, fixed published values or a multiple of last year's mean), caps, groups, not-rated rules, bonus and deduction items and cut-offs. Checked whole; errors name the field's path.")) }
                @if let Some(e) = &error { (ui::form_error(e, lang)) }
                form method="post" action="/schemes" {
                    (ui::csrf(s))
                    label for="scheme-json" { (t("方案 JSON", "Scheme JSON")) }
                    textarea #scheme-json name="json" required rows="14" maxlength="200000" spellcheck="false" { (draft) }
                    button type="submit" { (t("校验并保存", "Check and save")) }
                }
            }
        }
    };
    Ok(ui::page_status(ctx, s, snap.synthetic, status, t("亩均效益评价", "Per-mu evaluations"), body))
}

#[derive(Deserialize)]
pub struct SchemeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    json: String,
}

pub async fn put_scheme(State(app): State<AppState>, ctx: Ctx, Form(f): Form<SchemeForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    ctx.require_csrf(Some(&f.csrf)).page(lang)?;
    let s = ctx.user().page(lang)?;
    match app.put_scheme(s, &f.json, &ctx.ip).await {
        Ok(_) => Ok(Redirect::to("/evaluations").into_response()),
        Err(e) if e.status() == 403 => Err(PageError(e, lang)),
        Err(e) => show_evaluations(&app, &ctx, s, Some(e), &f.json).await,
    }
}

#[derive(Deserialize)]
pub struct RunForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    scheme: String,
}

pub async fn run(State(app): State<AppState>, ctx: Ctx, Form(f): Form<RunForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ui::form_user(&ctx, &f.csrf, &Action::RunEvaluation)?;
    let year = f.year.trim().parse().unwrap_or(0);
    let scheme = if f.scheme.is_empty() { "default" } else { f.scheme.as_str() };
    let id = app.run_evaluation(s, year, scheme, &ctx.ip).await.page(lang)?;
    Ok(Redirect::to(&format!("/evaluations/{id}")).into_response())
}

#[derive(Deserialize, Default)]
pub struct EvalQuery {
    #[serde(default)]
    city: String,
}

pub async fn evaluation(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<EvalQuery>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let s = ctx.user().page(lang)?;
    let sm = app.evaluation_summary(s, id).await.page(lang)?;
    let city = Some(q.city.as_str()).filter(|c| !c.is_empty());
    let results = app.evaluation_results(s, id, city).await.page(lang)?;
    let snap = app.snapshot().await.page(lang)?;
    match ui::export(&ctx) {
        Some(Export::Csv) => {
            let mut csv =
                Csv::new(&["uscc", "name", "city", "scale", "score", "rank", "group_size", "class", "reason"]);
            for (e, r) in &results {
                csv.row([
                    &e.uscc,
                    &e.name,
                    &r.city,
                    &r.scale,
                    &r.score.map(|v| format!("{v:.6}")).unwrap_or_default(),
                    &r.rank.map(|v| v.to_string()).unwrap_or_default(),
                    &r.group_size.to_string(),
                    &r.class,
                    &r.reason,
                ]);
            }
            return Ok(csv.respond("evaluation", snap.synthetic));
        }
        Some(Export::Json) => {
            let items: Vec<_> =
                results.iter().map(|(e, r)| json!({ "uscc": e.uscc, "name": e.name, "result": r })).collect();
            return Ok(ui::json(snap.synthetic, "evaluation", json!({ "summary": sm, "results": items })));
        }
        None => {}
    }
    let totals: [i64; 5] = sm.by_city.iter().fold([0; 5], |mut acc, (_, n)| {
        for i in 0..5 {
            acc[i] += n[i];
        }
        acc
    });
    let shown: Vec<&(EnterpriseRow, jiqun_app::registry::ResultView)> = results.iter().take(500).collect();
    let title =
        format!("{} {} · {}", sm.evaluation.year, t("年亩均效益评价", "per-mu evaluation"), sm.evaluation.scheme_name);
    let body = html! {
        div.pagehead {
            p.crumbs { a href="/evaluations" { (t("亩均效益评价", "Evaluations")) } " › " }
            h1 { (title) }
            p.sub { (t("参评 ", "Rated ")) (sm.evaluation.rated) (t(" 家，不参评 ", ", not rated ")) (sm.evaluation.not_rated) (t(" 家", "")) }
        }
        div.scroll { table.data.compact {
            caption { (t("各市分类分布（家）", "Firms by city and class")) }
            thead { tr { th scope="col" { (t("城市", "City")) } @for c in CLASSES { th.num scope="col" { (c) } } th scope="col" { (t("分布", "Distribution")) } } }
            tbody {
                @for (c, n) in &sm.by_city { tr {
                    th scope="row" { a href={ "/evaluations/" (id) "?city=" (ui::enc(c)) } { (c) } }
                    @for v in n { td.numcell { (v) } }
                    td { (class_bar(n)) }
                } }
                tr.total { th scope="row" { (t("全省", "Province")) } @for v in &totals { td.numcell { (v) } } td { (class_bar(&totals)) } }
            }
        } }
        @if let (Some(prev), Some(moves)) = (&sm.previous, &sm.moves) {
            div.scroll { table.data.compact {
                caption { (t("较上年（", "Movement since ")) (prev.year) (t(" 年）分类变动：行为上年类别，列为本年类别", "): rows last year's class, columns this year's")) }
                thead { tr { th scope="col" { (t("上年＼本年", "From＼to")) } @for c in CLASSES { th.num scope="col" { (c) } } } }
                tbody { @for (i, from) in CLASSES.iter().enumerate() { tr {
                    th scope="row" { (from) }
                    @for (j, v) in moves[i].iter().enumerate() { td.numcell class=(if i == j { "same" } else if j < i { "up" } else { "down" }) { (v) } }
                } } }
            } }
        }
        h2 { (t("企业结果", "Results")) @if let Some(c) = city { " · " (c) } }
        @if results.len() > shown.len() { p.muted { (t("仅显示前 500 家；完整结果请下载 CSV。", "The first 500 are shown; download the CSV for all.")) } }
        div.scroll { table.data.compact {
            thead { tr {
                th scope="col" { (t("企业", "Enterprise")) }
                th scope="col" { (t("城市", "City")) }
                th scope="col" { (t("规模", "Scale")) }
                th.num scope="col" { (t("得分", "Score")) }
                th.num scope="col" { (t("组内排名", "Rank")) }
                th scope="col" { (t("类别", "Class")) }
            } }
            tbody { @for (e, r) in &shown { tr {
                th scope="row" { a href={ "/enterprises/" (e.id) } { (e.name) } }
                td { (r.city) }
                td { (scale_label(&r.scale, lang)) }
                td.numcell { @if let Some(v) = r.score { (ui::num(v, 2)) } @else { span.muted { "—" } } }
                td.numcell { @if let Some(v) = r.rank { (v) " / " (r.group_size) } @else { span.muted { "—" } } }
                td { (class_chip(&r.class, &r.reason, lang)) }
            } } }
        } }
        p { a href={ "/evaluations/" (id) "/policy" } { (t("差别化资源要素配置（示例表）按本次评价结果的测算 →", "The differentiated resource policy (example table) on these results →")) } }
        (ui::downloads(&ctx, lang))
    };
    Ok(ui::page(&ctx, s, snap.synthetic, &title, body))
}

/// A stacked bar of the class counts (A to T), as SVG (the CSP allows no inline styles).
fn class_bar(n: &[i64; 5]) -> Markup {
    let total: i64 = n.iter().sum();
    let label = CLASSES.iter().zip(n).map(|(c, v)| format!("{c} {v}")).collect::<Vec<_>>().join(", ");
    let mut x = 0.0;
    let mut segments = Vec::new();
    for (c, v) in CLASSES.iter().zip(n) {
        if *v > 0 && total > 0 {
            let w = *v as f64 * 200.0 / total as f64;
            segments.push((c.to_ascii_lowercase(), *c, *v, x, w));
            x += w;
        }
    }
    html! {
        svg.classbar viewBox="0 0 200 14" width="200" height="14" role="img" aria-label=(label) {
            @for (class, c, v, x, w) in &segments {
                rect class={ "seg class-" (class) } x=(format!("{x:.2}")) y="0" width=(format!("{w:.2}")) height="14" { title { (c) " " (v) } }
            }
        }
    }
}

pub async fn roles(State(app): State<AppState>, ctx: Ctx) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.user().page(lang)?;
    show_roles(&app, &ctx, s, None).await
}

async fn show_roles(app: &AppState, ctx: &Ctx, s: &Session, error: Option<AppError>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let table = app.roles(s).await.page(lang)?;
    let snap = app.snapshot().await.page(lang)?;
    let edit = s.can(&Action::ManageRoles);
    let scope_of = |r: &RoleDef, p: Perm| -> Option<Scope> { r.grants.iter().find(|g| g.perm == p).map(|g| g.scope) };
    let status = match &error {
        Some(e) => StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
        None => StatusCode::OK,
    };
    let body = html! {
        div.pagehead {
            h1 { (t("角色与权限", "Roles and permissions")) }
            p.sub { (t("每个角色是一组“权限＋范围”。三员（系统、安全、审计管理员）权限固定且互斥；其余角色的权限由安全管理员维护。", "Each role is a set of permissions with scopes. The three administrator roles are fixed and exclusive; the security administrator maintains the others.")) }
        }
        @if let Some(e) = &error { (ui::form_error(e, lang)) }
        div.scroll { table.data.compact {
            caption { (t("权限矩阵（单元格为范围）", "Permission matrix (cells give the scope)")) }
            thead { tr { th scope="col" { (t("权限", "Permission")) } @for r in &table.roles { th scope="col" { (r.label(lang)) } } } }
            tbody { @for p in Perm::ALL { tr {
                th scope="row" { (p.label(lang)) }
                @for r in &table.roles { td { @if let Some(sc) = scope_of(r, p) { (sc.label(lang)) } } }
            } } }
        } }
        @if edit {
            h2 { (t("修改角色", "Edit a role")) }
            @for r in table.roles.iter().filter(|r| !r.fixed()) {
                details.panel {
                    summary { (r.label(lang)) " (" code { (r.name) } ")" }
                    (role_form(s, r, lang))
                }
            }
            details.panel {
                summary { (t("新增角色", "Add a role")) }
                (role_form(s, &RoleDef { name: String::new(), label_zh: String::new(), label_en: String::new(), grants: Vec::new(), builtin: false }, lang))
            }
        }
    };
    Ok(ui::page_status(ctx, s, snap.synthetic, status, t("角色与权限", "Roles and permissions"), body))
}

fn role_form(s: &Session, r: &RoleDef, lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let scope_of = |p: Perm| r.grants.iter().find(|g| g.perm == p).map(|g| g.scope);
    html! {
        form.grid method="post" action="/roles" {
            (ui::csrf(s))
            label { (t("角色标识", "Role name")) input name="name" required maxlength="40" pattern="[a-z0-9_]+" value=(r.name) readonly[!r.name.is_empty()]; }
            label { (t("中文名称", "Chinese label")) input name="label_zh" required maxlength="40" value=(r.label_zh); }
            label { (t("英文名称", "English label")) input name="label_en" required maxlength="40" value=(r.label_en); }
            @for p in Perm::ALL.iter().filter(|p| p.reserved_to().is_none()) {
                label { (p.label(lang))
                    select name=(p.as_str()) {
                        option value="" { (t("（无）", "(none)")) }
                        @for sc in Scope::ALL { option value=(sc.as_str()) selected[scope_of(*p) == Some(sc)] { (sc.label(lang)) } }
                    }
                }
            }
            button type="submit" { (t("保存角色", "Save the role")) }
        }
    }
}

pub async fn set_role(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<std::collections::HashMap<String, String>>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    ctx.require_csrf(f.get("csrf").map(String::as_str)).page(lang)?;
    let s = ctx.user().page(lang)?;
    if !s.can(&Action::ManageRoles) {
        return Err(PageError(AppError::forbidden(), lang));
    }
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut grants = Vec::new();
    for p in Perm::ALL {
        if let Some(scope) = Scope::parse(&get(p.as_str())) {
            grants.push(jiqun_app::authz::Grant { perm: p, scope });
        }
    }
    let def =
        RoleDef { name: get("name"), label_zh: get("label_zh"), label_en: get("label_en"), grants, builtin: false };
    match app.set_role(s, &def, &ctx.ip).await {
        Ok(()) => Ok(Redirect::to("/roles").into_response()),
        Err(e) if e.status() == 403 => Err(PageError(e, lang)),
        Err(e) => show_roles(&app, &ctx, s, Some(e)).await,
    }
}
