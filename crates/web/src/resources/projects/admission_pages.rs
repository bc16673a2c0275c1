//! New-project admission: the proposals and the form to assess one (`/projects/admission`), and one decision with each
//! metric, threshold and source (`/projects/admission/{id}`); an assessment starts a key project. Every example threshold (Jiqun's, confidence X) is
//! labelled as such.

use axum::response::{IntoResponse, Redirect, Response};
use jiqun_app::cultivation::{self as cult, ProposalInput, ProposalView};
use jiqun_app::{AppError, Perm, Scope, Session};
use jiqun_domain::Lang;
use jiqun_eval::definition::Confidence;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

use crate::ctx::Ctx;
use crate::error::{PageError, PageResult, WithLang};
use crate::extract::{Form, Path};
use crate::kit::ui::{self, CsvColumn, Export, example_banner, text};

fn decision_chip(code: &str, lang: Lang) -> Markup {
    html! { span class={ "chip dc-" (code) } { (cult::decision_label(code, lang)) } }
}

fn may_assess(s: &Session) -> bool {
    !s.roles.scopes(&s.user, Perm::AssessProjects).is_empty()
}

pub async fn admission(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.page_user()?;
    show_projects(&ctx, s, &ProposalForm::default(), None).await
}

const PROPOSALS_CSV: &[CsvColumn<ProposalView>] = &[
    ("id", |p| p.row.id.to_string()),
    ("project", |p| p.row.project.clone()),
    ("city", |p| p.row.city.to_string()),
    ("zone", |p| p.row.zone.clone()),
    ("industry_code", |p| p.row.industry_code.clone()),
    ("land_mu", |p| ui::num(p.row.land_mu, 2)),
    ("decision", |p| p.row.decision.clone()),
    ("assessed_by", |p| p.assessed_by_name.clone().unwrap_or_default()),
    ("assessed_at", |p| ui::datetime(p.row.assessed_at)),
];

async fn show_projects(ctx: &Ctx, s: &Session, form: &ProposalForm, error: Option<AppError>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let items = ctx.app.proposals(s).await.page(lang)?;
    let snap = ctx.app.snapshot().await.page(lang)?;
    if let Some(export) = ui::list_export(ctx, snap.synthetic, ("projects", "projects"), &items, PROPOSALS_CSV) {
        return Ok(export);
    }
    let table = jiqun_eval::admission::example_table().ok();
    let zone_name = |id: &str| -> String {
        table
            .as_ref()
            .and_then(|tb| tb.def().zones.iter().find(|z| z.id == id))
            .map_or_else(|| id.to_string(), |z| text(&z.name, lang).to_string())
    };
    let cities: Vec<&str> = ui::regions().prefecture_cities().map(|c| c.name.as_str()).collect();
    let all = s.roles.scopes(&s.user, Perm::AssessProjects).contains(&Scope::All);
    let own = s.user.city.as_deref().unwrap_or_default();
    let status = ui::form_status(error.as_ref());
    let num_field = |name: &str, zh: &str, en: &str, v: &str| {
        html! { label { (lang.pick(zh, en)) input name=(name) inputmode="decimal" value=(v); } }
    };
    let body = html! {
        div.pagehead {
            h1 { (t("新增工业项目准入", "New industrial project admission")) }
            p.sub { (t("按亩均投资强度、产出、税收、就业、能耗和研发投入评价拟落地的工业项目：予以准入、有条件准入（签订履约监管协议）或不予准入。", "Proposed industrial projects assessed on investment, output, tax, jobs, energy and R&D per mu: admit, admit with conditions (a performance agreement) or reject.")) }
        }
        (example_banner(lang, "准入阈值为示例表：投资强度、亩均税收、亩均产值的准入线取自四川隆昌2022年做法（H，非广东规定），其余数值为 Jiqun 示例（X），须由省或地市主管部门设定。", "the thresholds are an example table: the hard limits for investment, tax and output per mu follow Longchang, Sichuan, 2022 (H, not a Guangdong rule); everything else is Jiqun's example (X), for the province or city to set."))
        h2 { (t("已评价项目", "Assessed projects")) " · " (items.len()) }
        @if items.is_empty() { p.muted { (t("尚无项目。", "No project yet.")) } } @else {
            div.scroll { table.data.compact {
                (ui::head(lang, &[ui::col("项目", "Project"), ui::col("城市", "City"), ui::col("区域", "Zone"), ui::col("行业代码", "Industry"), ui::num_col("用地（亩）", "Land (mu)"), ui::col("结论", "Decision"), ui::col("评价人", "Assessed by"), ui::col("评价时间", "Assessed at")]))
                tbody { @for p in &items { tr {
                    th scope="row" { a href={ "/projects/admission/" (p.row.id) } { (p.row.project) } }
                    td { (p.row.city) }
                    td { (zone_name(&p.row.zone)) }
                    td { code { (p.row.industry_code) } }
                    td.numcell { (ui::num(p.row.land_mu, 2)) }
                    td { (decision_chip(&p.row.decision, lang)) }
                    td { (p.assessed_by_name.as_deref().unwrap_or("—")) }
                    td { (ui::datetime(p.row.assessed_at)) }
                } } }
            } }
        }
        (ui::downloads(ctx, lang))
        @if may_assess(s) {
            details.panel open[error.is_some() || items.is_empty()] {
                summary { (t("评价新项目", "Assess a project")) }
                @if let Some(e) = &error { (ui::form_error(e, lang)) }
                form.grid method="post" action="/projects/admission" {
                    (ui::csrf(s))
                    label { (t("项目名称", "Project")) input name="project" required maxlength="100" value=(form.project); }
                    label { (t("城市", "City"))
                        select name="city" required { @for c in &cities { @if all || *c == own { option value=(c) selected[form.city == *c] { (c) } } } } }
                    label { (t("所在区域", "Zone"))
                        select name="zone" required { @if let Some(tb) = &table { @for z in &tb.def().zones { option value=(z.id) selected[form.zone == z.id] { (text(&z.name, lang)) } } } } }
                    label { (t("行业代码（GB/T 4754，2至4位数字）", "Industry code (GB/T 4754, 2 to 4 digits)")) input name="industry_code" required maxlength="4" pattern="[0-9]{2,4}" value=(form.industry_code) placeholder="3973"; }
                    (num_field("land_mu", "用地面积（亩）", "Land (mu)", &form.land_mu))
                    (num_field("fixed_investment_wan", "固定资产投资（万元）", "Fixed investment (10k yuan)", &form.fixed_investment_wan))
                    (num_field("annual_output_wan", "预计年产值（万元）", "Expected annual output (10k yuan)", &form.annual_output_wan))
                    (num_field("annual_tax_wan", "预计年税收（万元）", "Expected annual tax (10k yuan)", &form.annual_tax_wan))
                    (num_field("jobs", "就业人数", "Jobs", &form.jobs))
                    (num_field("energy_tce", "年综合能耗（吨标准煤）", "Annual energy (tce)", &form.energy_tce))
                    (num_field("value_added_wan", "预计年增加值（万元）", "Expected value added (10k yuan)", &form.value_added_wan))
                    (num_field("rd_wan", "年研发经费（万元）", "Annual R&D (10k yuan)", &form.rd_wan))
                    button type="submit" { (t("评价并保存", "Assess and save")) }
                }
            }
        }
        @if let Some(tb) = &table {
            details.panel {
                summary { (t("准入阈值表（示例）", "The admission table (example)")) }
                @for z in &tb.def().zones {
                    h3 { (text(&z.name, lang)) }
                    table.data.compact {
                        (ui::head(lang, &[ui::col("行业", "Industry"), ui::col("指标", "Metric"), ui::num_col("准入线", "Hard limit"), ui::num_col("标准线", "Soft band")]))
                        tbody { @for r in &z.rules { @for (m, th) in &r.thresholds { tr {
                            td { @if r.industry_prefix.is_empty() { (t("全部", "all")) } @else { code { (r.industry_prefix) } @if let Some(n) = &r.industry_name { " " (text(n, lang)) } } }
                            td { (cult::metric_label(m).get(lang)) }
                            td.numcell { @if let Some(h) = &th.hard { (ui::num(h.value, 2)) " " (limit_source(tb, &h.source, lang)) } }
                            td.numcell { @if let Some(x) = &th.soft { (ui::num(x.value, 2)) " " (limit_source(tb, &x.source, lang)) } }
                        } } } }
                    }
                }
                p.small { (t("有条件准入要求：", "Conditions: ")) (text(&tb.def().conditions, lang)) }
            }
        }
    };
    Ok(ui::page_status(ctx, s, snap.synthetic, status, t("新增工业项目准入", "Project admission"), body))
}

/// A threshold's source as a confidence chip with the citation in its title; example values say so.
fn limit_source(table: &jiqun_eval::admission::Table, key: &str, lang: Lang) -> Markup {
    match table.def().sources.get(key) {
        Some(src) => {
            let letter = match src.confidence {
                Confidence::H => "H",
                Confidence::M => "M",
                Confidence::L => "L",
                Confidence::X => "X",
            };
            let class = if src.confidence == Confidence::X { "oc-failed" } else { "oc-passed" };
            html! { span class={ "chip " (class) } title=(src.citation) { (letter) @if src.confidence == Confidence::X { " " (lang.pick("示例", "example")) } } }
        }
        None => html! { span.chip { (key) } },
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ProposalForm {
    csrf: String,
    project: String,
    city: String,
    zone: String,
    industry_code: String,
    land_mu: String,
    fixed_investment_wan: String,
    annual_output_wan: String,
    annual_tax_wan: String,
    jobs: String,
    energy_tce: String,
    value_added_wan: String,
    rd_wan: String,
}

impl ProposalForm {
    fn input(&self) -> Result<ProposalInput, AppError> {
        let num = |field: &str, raw: &str| -> Result<Option<f64>, AppError> {
            let raw = raw.trim();
            if raw.is_empty() {
                return Ok(None);
            }
            ui::parse_amount(raw, "")
                .map(Some)
                .ok_or_else(|| AppError::invalid(field, format!("“{raw}”不是数值"), format!("“{raw}” is not a number")))
        };
        Ok(ProposalInput {
            project: self.project.clone(),
            city: self.city.clone(),
            zone: self.zone.clone(),
            industry_code: self.industry_code.clone(),
            land_mu: num("land_mu", &self.land_mu)?,
            fixed_investment_wan: num("fixed_investment_wan", &self.fixed_investment_wan)?,
            annual_output_wan: num("annual_output_wan", &self.annual_output_wan)?,
            annual_tax_wan: num("annual_tax_wan", &self.annual_tax_wan)?,
            jobs: num("jobs", &self.jobs)?,
            energy_tce: num("energy_tce", &self.energy_tce)?,
            value_added_wan: num("value_added_wan", &self.value_added_wan)?,
            rd_wan: num("rd_wan", &self.rd_wan)?,
        })
    }
}

pub async fn assess(ctx: Ctx, Form(f): Form<ProposalForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer(Some(&f.csrf))?;
    if !may_assess(s) {
        return Err(PageError(AppError::forbidden(), lang));
    }
    let result = match f.input() {
        Ok(input) => ctx.app.assess_project(s, &input, &ctx.ip).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(v) => Ok(Redirect::to(&match v.project_id {
            Some(p) => format!("/projects/{p}"),
            None => format!("/projects/admission/{}", v.row.id),
        })
        .into_response()),
        Err(e) if e.status() == 403 => Err(PageError(e, lang)),
        Err(e) => show_projects(&ctx, s, &f, Some(e)).await,
    }
}

pub async fn check(ctx: Ctx, Path(id): Path<i64>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let s = ctx.page_user()?;
    let v: ProposalView = ctx.app.proposal(s, id).await.page(lang)?;
    let snap = ctx.app.snapshot().await.page(lang)?;
    if let Some(Export::Json) = ui::export(&ctx) {
        return Ok(ui::json(snap.synthetic, "project", json!(v)));
    }
    let table = jiqun_eval::admission::example_table().ok().filter(|tb| tb.def().id == v.row.table_id);
    let zone = table
        .as_ref()
        .and_then(|tb| tb.def().zones.iter().find(|z| z.id == v.row.zone))
        .map_or_else(|| v.row.zone.clone(), |z| text(&z.name, lang).to_string());
    let limit = |l: &Option<cult::StoredLimit>| -> Markup {
        match l {
            None => html! { span.muted { "—" } },
            Some(l) => html! {
                (ui::num(l.value, 2)) " "
                @match &table { Some(tb) => (limit_source(tb, &l.source, lang)), None => span.chip { (l.source) } }
            },
        }
    };
    let inputs: [(&str, &str, Option<f64>); 8] = [
        (t("用地面积（亩）", "Land (mu)"), "", Some(v.row.land_mu)),
        (t("固定资产投资（万元）", "Fixed investment (10k yuan)"), "", v.row.fixed_investment_wan.map(|m| m.as_wan())),
        (t("预计年产值（万元）", "Expected output (10k yuan)"), "", v.row.annual_output_wan.map(|m| m.as_wan())),
        (t("预计年税收（万元）", "Expected tax (10k yuan)"), "", v.row.annual_tax_wan.map(|m| m.as_wan())),
        (t("就业人数", "Jobs"), "", v.row.jobs),
        (t("年综合能耗（吨标准煤）", "Energy (tce)"), "", v.row.energy_tce),
        (t("预计年增加值（万元）", "Expected value added (10k yuan)"), "", v.row.value_added_wan.map(|m| m.as_wan())),
        (t("年研发经费（万元）", "Annual R&D (10k yuan)"), "", v.row.rd_wan.map(|m| m.as_wan())),
    ];
    let example = v
        .result
        .metrics
        .iter()
        .any(|m| [&m.hard, &m.soft].into_iter().flatten().any(|l| l.confidence == Confidence::X));
    let body = html! {
        div.pagehead {
            p.crumbs { a href="/projects/admission" { (t("新增工业项目准入", "Project admission")) } " › " @if let Some(p) = v.project_id { a href={ "/projects/" (p) } { (t("所属重点项目", "its project")) } } }
            h1 { (v.row.project) " " (decision_chip(&v.row.decision, lang)) }
            p.sub { (ui::city_link(&v.row.city)) " · " (zone) " · " (t("行业 ", "industry ")) code { (v.row.industry_code) }
                " · " (t("评价人 ", "assessed by ")) (v.assessed_by_name.as_deref().unwrap_or("—")) " · " (ui::datetime(v.row.assessed_at)) }
        }
        p { strong { (text(&v.result.summary, lang)) } }
        @if let Some(c) = &v.result.conditions { p.notice { (t("准入条件：", "Conditions: ")) (text(c, lang)) } }
        @if example { (example_banner(lang, "标“X 示例”的阈值是 Jiqun 的示例值，不是官方规定；标 H 的取自四川隆昌2022年做法。", "thresholds marked “X example” are Jiqun's example values, not official; those marked H follow Longchang, Sichuan, 2022.")) }
        div.scroll { table.data.compact {
            caption { (t("各项指标：数值、准入线（不达即不予准入）、标准线（不达则有条件准入）及依据", "Each metric: value, hard limit (missed: reject), soft band (missed: conditions) and source")) }
            (ui::head(lang, &[ui::col("指标", "Metric"), ui::num_col("数值", "Value"), ui::num_col("准入线", "Hard limit"), ui::num_col("标准线", "Soft band"), ui::col("结论", "Verdict"), ui::col("说明", "Explanation")]))
            tbody { @for m in &v.result.metrics { tr {
                th scope="row" { (cult::metric_label(&m.metric).get(lang)) }
                td.numcell { @match m.value { Some(x) => (ui::num(x, 2)), None => span.muted { (t("无数据", "no data")) } } }
                td.numcell { (limit(&m.hard)) }
                td.numcell { (limit(&m.soft)) }
                td { (cult::verdict_label(&m.verdict, lang)) }
                td.small { (text(&m.explanation, lang)) @if let Some(n) = &m.note { " " (text(n, lang)) } }
            } } }
        } }
        @if !v.result.reasons.is_empty() {
            h2 { (t("理由", "Reasons")) }
            ul { @for r in &v.result.reasons { li { (text(r, lang)) } } }
        }
        h2 { (t("申报数据", "The proposal")) }
        dl.facts { @for (label, _, val) in &inputs { dt { (label) } dd { @match val { Some(x) => (ui::num(*x, 2)), None => span.muted { (t("未填报", "not given")) } } } } }
        p.downloads { a href={ "/projects/admission/" (v.row.id) "?format=json" } { "JSON" } }
    };
    Ok(ui::page(&ctx, s, snap.synthetic, &v.row.project, body))
}
