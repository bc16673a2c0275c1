//! `/plan`, `/plans/{id}`: a plan's metadata, its sections and items (each with its lead and co-responsible
//! departments, targets, indicators and latest reports) and the responsibility matrix. `/plans`: the list of
//! plans and, for plan owners, the import of a plan document. `/plans/{id}/close`: closing a plan with its
//! final assessment (naming the successor plan loaded beside it).

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiqun_app::snapshot::{AssignmentView, IndicatorView, PlanView, Snapshot};
use jiqun_app::{Action, AppError, Session};
use jiqun_domain::Lang;
use jiqun_domain::plan::{Item, Target};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ctx::Ctx;
use crate::error::{PageResult, WithLang};
use crate::extract::{Form, Path, Query};
use crate::kit::ui::{self, Csv, Export, badge, can, city_link, human, period_label};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PlanQuery {
    table: Option<String>,
}

pub async fn current(ctx: Ctx, Query(q): Query<PlanQuery>) -> PageResult<Response> {
    show(ctx, None, q).await
}

pub async fn by_id(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<PlanQuery>) -> PageResult<Response> {
    show(ctx, Some(id), q).await
}

async fn show(ctx: Ctx, id: Option<i64>, q: PlanQuery) -> PageResult<Response> {
    let s = ui::reader(&ctx)?;
    let lang = ctx.lang;
    let snap = ctx.app.snapshot().await.page(lang)?;
    let plan = ui::plan_of(&ctx, &snap, id)?;
    let ix = Index::new(plan);
    match ui::export(&ctx) {
        Some(Export::Json) => return Ok(ui::json(snap.synthetic, "plan", plan_json(plan, lang))),
        Some(Export::Csv) if q.table.as_deref() == Some("matrix") => {
            return Ok(matrix_csv(plan, lang).respond(&format!("plan-{}-matrix", plan.plan.id), snap.synthetic));
        }
        Some(Export::Csv) => {
            return Ok(items_csv(plan, &ix, lang).respond(&format!("plan-{}", plan.plan.id), snap.synthetic));
        }
        None => {}
    }
    let others: Vec<(i64, String)> =
        snap.plans.iter().filter(|p| p.plan.id != plan.plan.id).map(|p| (p.plan.id, p.plan.name.clone())).collect();
    let closable = ui::can(s, &jiqun_app::Action::ClosePlan) && plan.plan.status == "active";
    let body = html! {
        (render(plan, &ix, lang))
        @if closable { (close_form(s, plan, &others, lang)) }
        (ui::downloads(&ctx, lang))
    };
    Ok(ui::page(&ctx, s, snap.synthetic, &plan.plan.name, body))
}

/// Look-ups built once per request: an item's targets, indicators and assignments.
struct Index<'a> {
    targets: HashMap<&'a str, Vec<&'a Target>>,
    indicators: HashMap<&'a str, Vec<&'a IndicatorView>>,
    assignments: HashMap<&'a str, Vec<&'a AssignmentView>>,
    by_pair: HashMap<(&'a str, &'a str), &'a AssignmentView>,
}

impl<'a> Index<'a> {
    fn new(plan: &'a PlanView) -> Index<'a> {
        let mut ix = Index {
            targets: HashMap::new(),
            indicators: HashMap::new(),
            assignments: HashMap::new(),
            by_pair: HashMap::new(),
        };
        for t in &plan.doc.targets {
            ix.targets.entry(t.item.as_str()).or_default().push(t);
        }
        for iv in &plan.indicators {
            if let Some(item) = &iv.row.item {
                ix.indicators.entry(item.as_str()).or_default().push(iv);
            }
        }
        for a in &plan.assignments {
            ix.assignments.entry(a.row.item.as_str()).or_default().push(a);
            ix.by_pair.insert((a.row.item.as_str(), a.row.agency.as_str()), a);
        }
        ix
    }
}

fn render(plan: &PlanView, ix: &Index, lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let doc = &plan.doc;
    let p = &plan.plan;
    let none = t("（无）", "(none)");
    let period = doc.period.map(|pp| {
        format!(
            "{}—{}",
            pp.start.map(|y| y.to_string()).unwrap_or_default(),
            pp.end.map(|y| y.to_string()).unwrap_or_default()
        )
    });
    html! {
        div.pagehead {
            h1 { (p.name) }
            p.sub {
                (t("计划与分工", "Plan and responsibilities"))
                " · " a href="/plans" { (t("全部计划", "All plans")) }
            }
        }
        nav.toc aria-label=(t("本页目录", "On this page")) {
            ul {
                li { a href="#meta" { (t("基本信息", "About the plan")) } }
                @for sec in &doc.sections { li { a href={ "#sec-" (sec.no) } { (sec.no) ". " (sec.title) } } }
                li { a href="#matrix" { (t("责任分工矩阵", "Responsibility matrix")) } }
            }
        }
        section #meta aria-labelledby="h-meta" {
            h2 #h-meta { (t("基本信息", "About the plan")) }
            dl.meta {
                dt { (t("名称", "Name")) } dd { (doc.name) }
                dt { (t("标题", "Title")) } dd { (p.title.as_deref().unwrap_or(none)) }
                dt { (t("文号", "Document number")) } dd { (p.doc_number.as_deref().unwrap_or(none)) }
                dt { (t("印发日期", "Issued on")) } dd { (p.issued_on.as_deref().unwrap_or(none)) }
                @if let Some(d) = &doc.published_on { dt { (t("发布日期", "Published on")) } dd { (d) } }
                @if let Some(d) = &doc.valid_until { dt { (t("有效期至", "Valid until")) } dd { (d) } }
                @if let Some(d) = &doc.index_no { dt { (t("索引号", "Index number")) } dd { (d) } }
                dt { (t("印发单位", "Issued by")) } dd { @if doc.issuers.is_empty() { (none) } @else { (doc.issuers.join(ui::sep(lang))) } }
                dt { (t("实施期", "Period")) } dd { (period.as_deref().unwrap_or(none)) }
                dt { (t("目标年份", "Target year")) } dd { (p.target_year.map(|y| y.to_string()).unwrap_or_else(|| none.into())) }
                dt { (t("来源", "Source")) } dd { (p.source_name) }
                dt { (t("状态", "Status")) } dd { (if p.status == "active" { t("执行中", "active") } else { t("已关闭", "closed") }) }
                dt { (t("导入时间", "Imported")) } dd { (ui::datetime(p.created_at)) }
                dt { (t("规模", "Size")) } dd {
                    (doc.sections.len()) (t(" 个部分，", " sections, ")) (plan.items.len()) (t(" 个条目，", " items, "))
                    (plan.indicators.len()) (t(" 项指标，", " indicators, ")) (plan.assignments.len()) (t(" 项任务分工", " assignments"))
                }
                @if !doc.cities.is_empty() {
                    dt { (t("涉及城市", "Cities named")) }
                    dd { @for (i, c) in doc.cities.iter().enumerate() { @if i > 0 { (ui::sep(lang)) } (city_link(c)) } }
                }
                @if let Some(a) = &p.final_assessment { dt { (t("总体评估", "Final assessment")) } dd { (a) } }
            }
            @if !doc.preamble.is_empty() { p.preamble { (doc.preamble) } }
            @if !doc.diagnostics.is_empty() {
                details.diagnostics {
                    summary { (t("解析提示", "Notes from reading the document")) " (" (doc.diagnostics.len()) ")" }
                    ul { @for d in &doc.diagnostics { li { @if let Some(l) = d.line { (t("第 ", "line ")) (l) (t(" 行：", ": ")) } (d.message) } } }
                }
            }
        }
        @for sec in &doc.sections {
            section.plan-section #{ "sec-" (sec.no) } aria-labelledby={ "h-sec-" (sec.no) } {
                h2 #{ "h-sec-" (sec.no) } { (sec.no) ". " (sec.title) }
                @if !sec.text.is_empty() { p.section-text { (sec.text) } }
                @for item in &sec.items { (item_block(item, ix, lang, 3)) }
            }
        }
        section #matrix aria-labelledby="h-matrix" {
            h2 #h-matrix { (t("责任分工矩阵", "Responsibility matrix")) }
            p.muted { (t("牵 = 牵头单位，负 = 按职责分工负责；点击可查看该项任务的报告。", "L = lead agency, C = co-responsible; each mark links to the assignment's reports.")) }
            (matrix(plan, ix, lang))
        }
    }
}

fn item_block(item: &Item, ix: &Index, lang: Lang, level: u8) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let targets = ix.targets.get(item.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
    let indicators = ix.indicators.get(item.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
    let assignments = ix.assignments.get(item.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
    let heading = html! { span.item-no { (item.id) } " " (item.title) };
    html! {
        article.item #{ "item-" (item.id) } {
            @if level <= 3 { h3 { (heading) } } @else { h4 { (heading) } }
            @if !item.lead.is_empty() || !item.co.is_empty() {
                p.roles {
                    @if !item.lead.is_empty() {
                        span.role-k { (t("牵头：", "Lead: ")) }
                        @for (i, a) in item.lead.iter().enumerate() { @if i > 0 { (ui::sep(lang)) } (agency_in(a, item, ix)) }
                    }
                    @if !item.co.is_empty() {
                        span.role-k { (t("负责：", "Co-responsible: ")) }
                        @for (i, a) in item.co.iter().enumerate() { @if i > 0 { (ui::sep(lang)) } (agency_in(a, item, ix)) }
                    }
                }
            }
            @if !item.cities.is_empty() {
                p.roles { span.role-k { (t("城市：", "Cities: ")) } @for (i, c) in item.cities.iter().enumerate() { @if i > 0 { (ui::sep(lang)) } (city_link(c)) } }
            }
            @if !targets.is_empty() {
                ul.targets {
                    @for tg in targets {
                        @let iv = indicators.iter().find(|iv| iv.row.name == tg.subject);
                        li {
                            span.role-k { (t("目标：", "Target: ")) }
                            @match iv {
                                Some(iv) => { (ui::indicator_link(iv)) " " (ui::target_text(iv, lang)) " " (badge(iv.status, lang)) }
                                None => { (tg.subject) " " (human(tg.value, &tg.unit)) }
                            }
                            @if let Some(y) = tg.year { span.muted { " (" (y) ")" } }
                        }
                    }
                }
            }
            @let other: Vec<&&IndicatorView> = indicators.iter().filter(|iv| !targets.iter().any(|tg| tg.subject == iv.row.name)).collect();
            @if !other.is_empty() {
                ul.targets { @for iv in other { li { span.role-k { (t("指标：", "Indicator: ")) } (ui::indicator_link(iv)) " " (badge(iv.status, lang)) } } }
            }
            @if !assignments.is_empty() {
                details.reports open {
                    summary { (t("各单位最新报告", "Latest reports by department")) " (" (assignments.len()) ")" }
                    table.data.compact {
                        caption.visually-hidden { (t("各责任单位的最新进展报告", "Each responsible department's latest report")) }
                        (ui::head(lang, &[ui::col("单位", "Department"), ui::col("角色", "Role"), ui::col("最新报告", "Latest report"), ui::col("完成比例", "Percent"), ui::col("提示", "Flags")]))
                        tbody { @for a in assignments {
                            tr {
                                th scope="row" { a href={ "/assignments/" (a.row.id) } { (a.row.agency) } }
                                td { (ui::role_label(&a.row.role, lang)) }
                                td { @match a.latest() {
                                    Some(r) => { (period_label(&r.period, lang)) " " (ui::state_chip(&r.state, lang)) " " (ui::report_status_label(&r.status, lang)) }
                                    None => span.muted { (t("未报", "none")) },
                                } }
                                td.numcell { @if let Some(r) = a.latest() { (ui::num(r.percent, 1)) "%" } }
                                td { (flags(a, lang)) }
                            }
                        } }
                    }
                }
            }
            @if !item.text.is_empty() {
                details.text { summary { (t("条文", "Text")) } p { (item.text) } }
            }
            @for child in &item.children { (item_block(child, ix, lang, level + 1)) }
        }
    }
}

/// An agency named by an item, linked to its assignment when there is one.
fn agency_in(agency: &str, item: &Item, ix: &Index) -> Markup {
    match ix.by_pair.get(&(item.id.as_str(), agency)) {
        Some(a) => html! { a href={ "/assignments/" (a.row.id) } { (agency) } },
        None => ui::agency_link(agency),
    }
}

pub fn flags(a: &AssignmentView, lang: Lang) -> Markup {
    html! {
        @if !a.overdue.is_empty() {
            span.flag.bad { (lang.pick("逾期 ", "overdue ")) (a.overdue.iter().map(|p| period_label(p, lang)).collect::<Vec<_>>().join(ui::sep(lang))) }
            " "
        }
        @if a.stalled { span.flag.warn { "‖ " (lang.pick("停滞", "stalled")) } }
    }
}

/// Items that have departments, in document order.
fn matrix_items(plan: &PlanView) -> Vec<&Item> {
    plan.doc.all_items().into_iter().filter(|i| !i.lead.is_empty() || !i.co.is_empty()).collect()
}

fn matrix(plan: &PlanView, ix: &Index, lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let items = matrix_items(plan);
    html! {
        (ui::table(
            "matrix",
            html! { (t("部门 × 条目：牵头（牵）与按职责分工负责（负）", "Departments × items: lead (L) and co-responsible (C)")) },
            html! {
                th scope="col" { (t("单位", "Department")) }
                @for it in &items { th scope="col" { abbr title=(it.title) { (it.id) } } }
                (ui::cols(lang, &[ui::col("牵头", "Lead"), ui::col("负责", "Co")]))
            },
            html! {
                @for ag in &plan.doc.agencies {
                    tr {
                        th scope="row" { (ui::agency_link(&ag.name)) }
                        @for it in &items {
                            @let lead = ag.lead.contains(&it.id);
                            @let co = ag.co.contains(&it.id);
                            @let a = ix.by_pair.get(&(it.id.as_str(), ag.name.as_str()));
                            td.mark.lead[lead].co[co && !lead] {
                                @if lead || co {
                                    @let mark = if lead { t("牵", "L") } else { t("负", "C") };
                                    @let label = format!("{} {} {}", ag.name, if lead { t("牵头", "leads") } else { t("负责", "co-responsible for") }, it.id);
                                    @match a {
                                        Some(a) => a href={ "/assignments/" (a.row.id) } aria-label=(label) { (mark) },
                                        None => span aria-label=(label) { (mark) },
                                    }
                                }
                            }
                        }
                        td.numcell { (ag.lead.len()) }
                        td.numcell { (ag.co.len()) }
                    }
                }
            },
        ))
    }
}

fn items_csv(plan: &PlanView, ix: &Index, lang: Lang) -> Csv {
    let mut csv = Csv::translated(
        lang,
        &[
            ("部分", "section"),
            ("条目", "item"),
            ("标题", "title"),
            ("牵头单位", "lead"),
            ("负责单位", "co-responsible"),
            ("城市", "cities"),
            ("目标", "targets"),
            ("指标状态", "indicator status"),
            ("最新报告", "latest reports"),
        ],
    );
    for sec in &plan.doc.sections {
        let mut items = Vec::new();
        walk(&sec.items, &mut items);
        for item in items {
            let targets = ix.targets.get(item.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            let indicators = ix.indicators.get(item.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            let assignments = ix.assignments.get(item.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            csv.row([
                format!("{}. {}", sec.no, sec.title),
                item.id.clone(),
                item.title.clone(),
                item.lead.join("、"),
                item.co.join("、"),
                item.cities.join("、"),
                targets
                    .iter()
                    .map(|tg| format!("{} {} {}", tg.subject, tg.cmp.as_str(), human(tg.value, &tg.unit)))
                    .collect::<Vec<_>>()
                    .join("; "),
                indicators
                    .iter()
                    .map(|iv| format!("{}: {}", iv.row.name, iv.status.label(lang)))
                    .collect::<Vec<_>>()
                    .join("; "),
                assignments
                    .iter()
                    .filter_map(|a| {
                        a.latest().map(|r| {
                            format!(
                                "{} {} {} {}%",
                                a.row.agency,
                                r.period,
                                ui::report_state_label(&r.state, lang),
                                ui::num(r.percent, 1)
                            )
                        })
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            ]);
        }
    }
    csv
}

fn walk<'a>(items: &'a [Item], out: &mut Vec<&'a Item>) {
    for it in items {
        out.push(it);
        walk(&it.children, out);
    }
}

fn matrix_csv(plan: &PlanView, lang: Lang) -> Csv {
    let items = matrix_items(plan);
    let mut headers = vec![lang.pick("单位", "department").to_string()];
    headers.extend(items.iter().map(|i| i.id.clone()));
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut csv = Csv::new(&refs);
    for ag in &plan.doc.agencies {
        let mut row = vec![ag.name.clone()];
        for it in &items {
            let cell = if ag.lead.contains(&it.id) {
                lang.pick("牵", "L")
            } else if ag.co.contains(&it.id) {
                lang.pick("负", "C")
            } else {
                ""
            };
            row.push(cell.to_string());
        }
        csv.row(row);
    }
    csv
}

fn plan_json(plan: &PlanView, lang: Lang) -> Value {
    json!({
        "plan": plan.plan,
        "document": plan.doc,
        "items": plan.items,
        "indicators": plan.indicators.iter().map(|iv| json!({
            "id": iv.row.id, "item": iv.row.item, "name": iv.row.name, "status": iv.status.as_str(), "status_label": iv.status.label(lang),
        })).collect::<Vec<_>>(),
        "assignments": plan.assignments.iter().map(|a| json!({
            "id": a.row.id, "item": a.row.item, "agency": a.row.agency, "role": a.row.role,
            "latest": a.latest().map(|r| json!({ "period": r.period, "state": r.state, "status": r.status, "percent": r.percent })),
            "overdue": a.overdue, "stalled": a.stalled,
        })).collect::<Vec<_>>(),
    })
}

// ---- /plans ----

pub async fn list(ctx: Ctx) -> PageResult<Response> {
    let s = ui::reader(&ctx)?;
    let snap = ctx.app.snapshot().await.page(ctx.lang)?;
    match ui::export(&ctx) {
        Some(Export::Json) => {
            let v = json!({ "plans": snap.plans.iter().map(|p| json!({
                "plan": p.plan, "items": p.items.len(), "indicators": p.indicators.len(), "assignments": p.assignments.len(),
            })).collect::<Vec<_>>() });
            return Ok(ui::json(snap.synthetic, "plans", v));
        }
        Some(Export::Csv) => return Ok(plans_csv(&snap, ctx.lang).respond("plans", snap.synthetic)),
        None => {}
    }
    Ok(list_page(&ctx, s, &snap, None, &ImportForm::default(), StatusCode::OK))
}

fn plans_csv(snap: &Snapshot, lang: Lang) -> Csv {
    let mut csv = Csv::translated(
        lang,
        &[
            ("编号", "id"),
            ("名称", "name"),
            ("状态", "status"),
            ("来源", "source"),
            ("导入时间", "imported"),
            ("条目", "items"),
            ("指标", "indicators"),
            ("任务分工", "assignments"),
        ],
    );
    for p in &snap.plans {
        csv.row([
            p.plan.id.to_string(),
            p.plan.name.clone(),
            p.plan.status.clone(),
            p.plan.source_name.clone(),
            ui::datetime(p.plan.created_at),
            p.items.len().to_string(),
            p.indicators.len().to_string(),
            p.assignments.len().to_string(),
        ]);
    }
    csv
}

fn list_page(
    ctx: &Ctx,
    s: &Session,
    snap: &Snapshot,
    error: Option<&AppError>,
    form: &ImportForm,
    status: StatusCode,
) -> Response {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let body = html! {
        div.pagehead { h1 { (t("行动计划", "Plans")) } }
        table.data {
            caption { (t("系统中的行动计划", "The plans in the system")) }
            (ui::head(lang, &[ui::col("名称", "Name"), ui::col("状态", "Status"), ui::col("来源", "Source"), ui::col("导入时间", "Imported"), ui::col("条目", "Items"), ui::col("指标", "Indicators"), ui::col("任务分工", "Assignments")]))
            tbody { @for p in &snap.plans {
                tr {
                    th scope="row" { a href={ "/plans/" (p.plan.id) } { (p.plan.name) } }
                    td { (if p.plan.status == "active" { t("执行中", "active") } else { t("已关闭", "closed") }) }
                    td { (p.plan.source_name) }
                    td { (ui::datetime(p.plan.created_at)) }
                    td.numcell { (p.items.len()) }
                    td.numcell { (p.indicators.len()) }
                    td.numcell { (p.assignments.len()) }
                }
            } }
        }
        @if can(s, &Action::ImportPlan) {
            section.panel #import aria-labelledby="h-import" {
                h2 #h-import { (t("导入计划文件", "Import a plan document")) }
                p.muted { (t("支持 .txt（UTF-8 或 GBK）、.docx 和 .html。系统解析出条目、牵头与负责单位、量化目标和城市布局。", "Accepts .txt (UTF-8 or GBK), .docx and .html. The system reads the items, lead and co-responsible departments, quantitative targets and the cities of the layout.")) }
                @if let Some(e) = error { (ui::form_error(e, lang)) }
                form.stack method="post" action="/plans/import" data-import="/api/v1/plans" {
                    (ui::csrf(s))
                    div.field {
                        label for="plan-file" { (t("选择文件", "Choose a file")) }
                        input #plan-file type="file" accept=".txt,.docx,.html,.htm,text/plain,text/html,application/vnd.openxmlformats-officedocument.wordprocessingml.document";
                        p.hint #plan-file-hint { (t("选择文件后点击“导入”（需要浏览器启用脚本）；也可以在下面粘贴全文。", "Choose a file and press Import (needs scripts enabled), or paste the text below.")) }
                    }
                    div.field {
                        label for="plan-name" { (t("来源说明", "Where it came from")) }
                        input #plan-name name="name" maxlength="200" value=(form.name) placeholder=(t("例如：省政府官网 2021-01-05", "e.g. the provincial government's site, 2021-01-05"));
                    }
                    div.field {
                        label for="plan-text" { (t("或粘贴计划全文", "Or paste the plan's text")) }
                        textarea #plan-text name="text" rows="6" { (form.text) }
                    }
                    p.import-status role="status" aria-live="polite" {}
                    button type="submit" { (t("导入", "Import")) }
                }
            }
        }
        (ui::downloads(ctx, lang))
    };
    ui::page_status(ctx, s, snap.synthetic, status, t("行动计划", "Plans"), body)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ImportForm {
    csrf: String,
    name: String,
    text: String,
}

pub async fn import(ctx: Ctx, Form(f): Form<ImportForm>) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    let lang = ctx.lang;
    let result = if f.text.trim().is_empty() && can(s, &Action::ImportPlan) {
        Err(AppError::invalid("document", "请选择文件或粘贴计划全文", "choose a file or paste the plan's text"))
    } else {
        let name = if f.name.trim().is_empty() { lang.pick("粘贴的文本", "pasted text") } else { f.name.trim() };
        ctx.app.import_plan(s, f.text.as_bytes(), name, &ctx.ip).await
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/plans/{id}")).into_response()),
        Err(e) if e.status() == 422 => {
            let snap = ctx.app.snapshot().await.page(lang)?;
            Ok(list_page(&ctx, s, &snap, Some(&e), &f, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e).page(lang),
    }
}

// ---- /plans/{id}/close ----

pub fn close_form(s: &Session, plan: &PlanView, others: &[(i64, String)], lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    html! {
        details.panel {
            summary { (t("关闭计划（总体评估）", "Close the plan (final assessment)")) }
            form method="post" action=(format!("/plans/{}/close", plan.plan.id)) data-confirm=(t("确定关闭此计划？", "Close this plan?")) {
                (ui::csrf(s))
                label for="assessment" { (t("总体评估", "Final assessment")) }
                textarea #assessment name="assessment" required rows="5" maxlength="20000" {}
                label for="successor" { (t("接续计划", "Successor plan")) }
                select #successor name="successor" {
                    option value="" { (t("（无）", "(none)")) }
                    @for (id, name) in others { option value=(id) { (name) } }
                }
                button type="submit" { (t("关闭计划", "Close the plan")) }
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CloseForm {
    csrf: String,
    assessment: String,
    successor: String,
}

pub async fn close(ctx: Ctx, Path(plan_id): Path<i64>, Form(f): Form<CloseForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer_for(Some(&f.csrf), &Action::ClosePlan)?;
    let successor = f.successor.trim().parse::<i64>().ok();
    ctx.app.close_plan(s, plan_id, &f.assessment, successor, &ctx.ip).await.page(lang)?;
    Ok(Redirect::to(&format!("/plans/{plan_id}")).into_response())
}
