//! The cultivation libraries (`/libraries`, `/libraries/{name}`, with designating, withdrawing, a ranking's
//! weights and recomputing), and a firm's section "培育库" on its page with the profile form
//! (`/enterprises/{id}/profile`). A check's values are shown only to those who may read that firm's figures;
//! every example value (Jiqun's, confidence X) is labelled as such.

use std::collections::HashMap;

use axum::response::{IntoResponse, Redirect, Response};
use jiqun_app::cultivation::{self as cult, DesignationInput, FirmLibraries, LibraryEntry, LibraryView};
use jiqun_app::registry::Figure as RegistryFigure;
use jiqun_app::{Action, AppError, Session};
use jiqun_domain::Lang;
use jiqun_eval::definition::Confidence;
use jiqun_eval::libraries::figures::info;
use jiqun_eval::libraries::{CheckKind, CheckResult, Figure, Outcome, Status};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

use super::api::YearQuery;
use crate::ctx::Ctx;
use crate::error::{PageError, PageResult, WithLang};
use crate::extract::{Form, Path, Query};
use crate::kit::ui::{self, Csv, Export, example_banner, text};
use crate::resources::enterprises::pages::figures_form;

fn membership_label(m: &str, lang: Lang) -> &'static str {
    match m {
        "designation" => lang.pick("认定入库（条件仅用于筛选候选）", "by designation (criteria screen candidates)"),
        "criteria" => lang.pick("符合条件即入库", "by criteria"),
        "ranking" => lang.pick("按排名入库", "by ranking"),
        _ => lang.pick("未知", "unknown"),
    }
}

fn confidence_chip(c: Confidence, lang: Lang) -> Markup {
    let (class, letter) = match c {
        Confidence::H => ("oc-passed", "H"),
        Confidence::M => ("st-member", "M"),
        Confidence::L => ("dc-admit_with_conditions", "L"),
        Confidence::X => ("oc-failed", "X"),
    };
    html! { span class={ "chip " (class) } title=(c.label(lang)) { (letter) " · " (c.label(lang)) } }
}

fn status_chip(s: Status, lang: Lang) -> Markup {
    let class = match s {
        Status::Member => "st-member",
        Status::Candidate | Status::Eligible => "st-candidate",
        Status::NotMember => "oc-no_data",
    };
    html! { span class={ "chip " (class) } { (s.label(lang)) } }
}

fn outcome_chip(o: Outcome, lang: Lang) -> Markup {
    let icon = match o {
        Outcome::Passed => "✔",
        Outcome::Failed => "✖",
        Outcome::NoData => "○",
    };
    html! { span class={ "chip oc-" (o.as_str()) } { span aria-hidden="true" { (icon) } " " (o.label(lang)) } }
}

fn figure_value(figure: &str, v: Option<Figure>, lang: Lang) -> String {
    match (v, info(figure)) {
        (None, _) => lang.pick("无数据", "no data").to_string(),
        (Some(Figure::Bool(b)), _) => (if b { lang.pick("是", "yes") } else { lang.pick("否", "no") }).to_string(),
        (Some(Figure::Number(x)), Some(f)) => f.show(x).get(lang).to_string(),
        (Some(Figure::Number(x)), None) => ui::num(x, 2),
    }
}

/// Every check with its outcome, value, threshold and explanation; groups nest.
fn checks(list: &[CheckResult], lang: Lang) -> Markup {
    html! {
        ul.checklist {
            @for c in list {
                li {
                    (outcome_chip(c.outcome, lang)) " "
                    @if let Some(sec) = &c.section { span.muted { "[" (text(sec, lang)) "] " } }
                    strong { (text(&c.name, lang)) }
                    @if c.kind == CheckKind::Check {
                        @if let Some(f) = &c.figure {
                            " · " (lang.pick("数值 ", "value ")) (figure_value(f, c.value, lang))
                            @if let (Some(th), Some(fi)) = (&c.threshold, info(f)) {
                                " · " (lang.pick("要求 ", "required ")) (th.show(fi).get(lang))
                            }
                        }
                    }
                    span.expl { (text(&c.explanation, lang)) @if let Some(n) = &c.note { " " (lang.pick("注：", "Note: ")) (text(n, lang)) } }
                    @if !c.children.is_empty() { (checks(&c.children, lang)) }
                }
            }
        }
    }
}

/// A chain's name (the backbone directory's chains), or its id.
pub(crate) fn chain_label(library: &str, chain: &str, lang: Lang) -> String {
    jiqun_eval::libraries::builtin_library(library)
        .and_then(|l| l.chains().iter().find(|c| c.id == chain).map(|c| text(&c.name, lang).to_string()))
        .unwrap_or_else(|| chain.to_string())
}

fn year_filter(action: &str, years: &[i64], year: i64, lang: Lang) -> Markup {
    html! {
        form.filters method="get" action=(action) {
            label { (lang.pick("数据年度", "Figures of"))
                select name="year" { @for y in years { option value=(y) selected[*y == year] { (y) } } } }
            button type="submit" { (lang.pick("查看", "Show")) }
        }
    }
}

pub async fn list(ctx: Ctx, Query(q): Query<YearQuery>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let s = ctx.page_user()?;
    let (year, libs) = ctx.app.libraries(s, q.year).await.page(lang)?;
    let rd = ctx.app.backbone_rd(s, year).await.page(lang)?;
    let snap = ctx.app.snapshot().await.page(lang)?;
    match ui::export(&ctx) {
        Some(Export::Json) => {
            return Ok(ui::json(
                snap.synthetic,
                "libraries",
                json!({ "year": year, "libraries": libs, "backbone_rd": rd }),
            ));
        }
        Some(Export::Csv) => {
            let mut csv = Csv::new(&["library", "name", "membership", "confidence", "members", "candidates", "year"]);
            for l in &libs {
                csv.row([
                    l.id.as_str(),
                    &l.definition.name.zh,
                    l.membership,
                    &format!("{:?}", l.definition.source.confidence),
                    &l.members.to_string(),
                    &l.candidates.to_string(),
                    &year.to_string(),
                ]);
            }
            return Ok(csv.respond("libraries", snap.synthetic));
        }
        None => {}
    }
    let years = ctx.app.figure_years().await.page(lang)?;
    let body = html! {
        div.pagehead {
            h1 { (t("企业培育库", "Cultivation libraries")) }
            p.sub { (t("按行动计划建立的企业库：专精特新“小巨人”、专精特新中小企业、单项冠军、独角兽、重点龙头骨干企业目录（分产业链）、人工智能百强。认定类库以主管部门认定为准，条件只用于筛选候选企业；核验所用数据来自企业名录的年度经营数据。", "The enterprise libraries the plan calls for. A designation library's members are those the authority designates; its criteria only screen candidates. Checks use the registry's yearly figures.")) }
        }
        (year_filter("/libraries", &years, year, lang))
        div.scroll { table.data {
            caption { (year) (t(" 年数据核验", " figures")) }
            (ui::head(lang, &[ui::col("培育库", "Library"), ui::col("入库方式", "Membership"), ui::col("依据与可信度", "Source and confidence"), ui::num_col("在库", "Members"), ui::num_col("候选", "Candidates")]))
            tbody { @for l in &libs { tr {
                th scope="row" { a href={ "/libraries/" (ui::enc(&l.id)) "?year=" (year) } { (text(&l.definition.name, lang)) } }
                td { (membership_label(l.membership, lang)) }
                td { (confidence_chip(l.definition.source.confidence, lang)) br; span.small.muted { (l.definition.source.citation) } }
                td.numcell { (l.members) }
                td.numcell { @if l.membership == "designation" && !l.definition.criteria.is_empty() { (l.candidates) } @else { span.muted { "—" } } }
            } } }
        } }
        (backbone_box(s, &rd, lang))
        (ui::downloads(&ctx, lang))
    };
    Ok(ui::page(&ctx, s, snap.synthetic, t("企业培育库", "Cultivation libraries"), body))
}

/// The plan's indicator 重点龙头骨干企业研发投入强度 as the directory gives it, what is stored, and the
/// recompute button.
fn backbone_box(s: &Session, rd: &cult::BackboneRd, lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    html! {
        section.panel #backbone-rd {
            h2 { (t("计划指标：重点龙头骨干企业研发投入强度（目标 >6%）", "Plan indicator: backbone firms' R&D intensity (target > 6%)")) }
            p {
                (rd.year) (t(" 年，由骨干企业目录计算：", ": computed from the backbone directory: "))
                @match rd.percent {
                    Some(p) => { strong { (ui::num(p, 2)) "%" } }
                    None => { strong { (t("无法计算（无可用数据）", "cannot be computed (no data)")) } }
                }
                " = " (t("研发费用合计 ", "Σ R&D ")) (ui::num(rd.rd_total, 2)) (t(" 万元 ÷ 营业收入合计 ", " ÷ Σ revenue ")) (ui::num(rd.revenue_total, 2)) (t(" 万元 × 100", " (10k yuan) × 100"))
            }
            p.small.muted {
                (t("目录成员 ", "Members ")) (rd.members) (t(" 家，计入 ", ", counted ")) (rd.used)
                (t(" 家，缺研发费用或营业收入 ", ", without R&D or revenue ")) (rd.missing)
                (t(" 家，数据无效 ", ", invalid ")) (rd.skipped) (t(" 家。按营业收入加权（合计之比），不是各企业比值的平均。", ". Weighted by revenue (ratio of sums), not a mean of ratios."))
            }
            @match (&rd.stored, rd.indicator_id) {
                (Some((v, src)), Some(id)) => p {
                    (t("指标已存值：", "Stored observation: ")) a href={ "/indicators/" (id) } { (ui::num(*v, 2)) "%" } " · " span.small { (src) }
                    @if rd.percent.is_some_and(|p| (p - v).abs() > 1e-9) { " " span.flag.warn { (t("与当前计算值不一致，请重新计算", "differs from the value computed now: recompute")) } }
                },
                (None, Some(id)) => p { a href={ "/indicators/" (id) } { (t("该指标", "The indicator")) } (t(" 尚无本年度数值。", " has no value for this year.")) },
                _ => p.muted { (t("当前计划没有该指标。", "The current plan has no such indicator.")) },
            }
            @if s.can(&Action::ManageLibraries) {
                form.inline method="post" action="/libraries/recompute" {
                    (ui::csrf(s))
                    input type="hidden" name="year" value=(rd.year);
                    button type="submit" { (t("重新计算并写入指标", "Recompute and store the indicator")) }
                    span.small.muted { " " (t("（按需计算：认定或数据变动后点击；同时写入计划中已有的培育库数量类指标）", "(on demand: after designations or figures change; also fills the plan's library count indicators, if any)")) }
                }
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RecomputeForm {
    csrf: String,
    year: String,
}

pub async fn recompute(ctx: Ctx, Form(f): Form<RecomputeForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer_for(Some(&f.csrf), &Action::ManageLibraries)?;
    let year = f.year.trim().parse().unwrap_or(0);
    ctx.app.recompute_library_indicators(s, year, &ctx.ip).await.page(lang)?;
    Ok(Redirect::to(&format!("/libraries?year={year}#backbone-rd")).into_response())
}

pub async fn library(ctx: Ctx, Path(name): Path<String>, Query(q): Query<YearQuery>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_user()?;
    let view = ctx.app.library_view(s, &name, q.year).await.page(lang)?;
    show_library(&ctx, s, &view, None).await
}

async fn show_library(ctx: &Ctx, s: &Session, view: &LibraryView, error: Option<AppError>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let snap = ctx.app.snapshot().await.page(lang)?;
    let def = &view.library.definition;
    match ui::export(ctx) {
        Some(Export::Json) => return Ok(ui::json(snap.synthetic, "library", json!(view))),
        Some(Export::Csv) => {
            let mut csv =
                Csv::new(&["uscc", "name", "city", "status", "chains", "references", "rank", "score", "year"]);
            for e in &view.entries {
                csv.row([
                    e.uscc.as_str(),
                    &e.name,
                    &e.city,
                    e.status.as_str(),
                    &e.chains.join(";"),
                    &e.references.join(";"),
                    &e.rank.map(|r| r.to_string()).unwrap_or_default(),
                    &e.score.map(|v| format!("{v:.4}")).unwrap_or_default(),
                    &view.year.to_string(),
                ]);
            }
            return Ok(csv.respond(&format!("library-{}", view.library.id), snap.synthetic));
        }
        None => {}
    }
    let years = ctx.app.figure_years().await.page(lang)?;
    let manage = s.can(&Action::ManageLibraries) && view.library.membership == "designation";
    let members: Vec<&LibraryEntry> = view.entries.iter().filter(|e| e.status == Status::Member).collect();
    let candidates: Vec<&LibraryEntry> = view.entries.iter().filter(|e| e.status == Status::Candidate).collect();
    let status = ui::form_status(error.as_ref());
    let here = format!("/libraries/{}", ui::enc(&view.library.id));
    let body = html! {
        div.pagehead {
            p.crumbs { a href={ "/libraries?year=" (view.year) } { (t("企业培育库", "Libraries")) } " › " }
            h1 { (text(&def.name, lang)) }
            @if let Some(d) = &def.description { p.sub { (text(d, lang)) } }
        }
        dl.facts {
            dt { (t("入库方式", "Membership")) } dd { (membership_label(view.library.membership, lang)) }
            dt { (t("依据", "Source")) } dd { (def.source.citation) }
            dt { (t("可信度", "Confidence")) } dd { (confidence_chip(def.source.confidence, lang)) }
            @if let Some(n) = &def.source.note { dt { (t("说明", "Note")) } dd { (text(n, lang)) } }
            @if !def.source.urls.is_empty() { dt { (t("来源网址", "Addresses")) } dd { @for u in &def.source.urls { code { (u) } " " } } }
            dt { (t("在库", "Members")) } dd { (view.library.members) }
            @if view.library.membership == "designation" && !def.criteria.is_empty() { dt { (t("候选", "Candidates")) } dd { (view.library.candidates) } }
        }
        @if def.source.confidence == Confidence::X {
            (example_banner(lang, "本库的入库规则为 Jiqun 的示例，须由主管部门设定。", "this library's rule is Jiqun's example, for the authority to set."))
        }
        @if !def.unassessed.is_empty() {
            details.panel {
                summary { (t("本系统未核验的要求（由专家审查）", "Requirements not checked here (for expert review)")) }
                ul { @for u in &def.unassessed { li { (text(u, lang)) } } }
            }
        }
        @if let Some(e) = &error { (ui::form_error(e, lang)) }
        (year_filter(&here, &years, view.year, lang))
        @if let Some(rd) = &view.backbone { (backbone_box(s, rd, lang)) }
        @if let Some(r) = &def.ranking {
            section.panel {
                h2 { (t("排名权重", "Ranking weights")) }
                @if jiqun_eval::libraries::builtin_library(&view.library.id).and_then(|l| l.def().ranking.clone()).as_ref() == Some(r) {
                    (example_banner(lang, "以下权重是 Jiqun 的示例权重，非官方；前 N 名入库。", "these are Jiqun's example weights, not official; the top N are members."))
                }
                p { (text(&r.note, lang)) " " (t("入选名额：前 ", "Selected: top ")) (r.top_n) }
                table.data.compact {
                    (ui::head(lang, &[ui::col("指标", "Figure"), ui::num_col("权重", "Weight"), ui::num_col("占比", "Share"), ui::col("标准化", "Scale")]))
                    tbody {
                        @let total: f64 = r.weights.iter().map(|w| w.weight).sum();
                        @for w in &r.weights { tr {
                            th scope="row" { (info(&w.figure).map_or(w.figure.clone(), |f| f.label().get(lang).to_string())) }
                            td.numcell { (ui::num(w.weight, 2)) }
                            td.numcell { @if total > 0.0 { (ui::num(w.weight * 100.0 / total, 1)) "%" } }
                            td { (if w.log { t("对数 ln(1+x)", "log ln(1+x)") } else { t("线性", "linear") }) @if w.lower_is_better { " · " (t("越低越好", "lower is better")) } }
                        } }
                    }
                }
                @if s.can(&Action::ManageLibraries) {
                    details.panel open[error.is_some()] {
                        summary { (t("调整排名权重与名额", "Change the weights and the number selected")) }
                        form.grid method="post" action={ "/libraries/" (ui::enc(&view.library.id)) "/ranking" } {
                            (ui::csrf(s))
                            label { (t("入选名额（前 N 名）", "Selected (top N)")) input name="top_n" required inputmode="numeric" value=(r.top_n); }
                            @for w in &r.weights {
                                label { (info(&w.figure).map_or(w.figure.clone(), |f| f.label().get(lang).to_string())) (t(" 的权重", " weight"))
                                    input name={ "w." (w.figure) } required inputmode="decimal" value=(w.weight); }
                            }
                            button type="submit" { (t("保存权重", "Save the weights")) }
                        }
                    }
                }
            }
            h2 { (t("排名", "Ranking")) }
            @if view.entries.is_empty() { p.muted { (t("没有企业符合入围条件（无相关数据）。", "No firm meets the criteria (no data).")) } }
            div.scroll { table.data.compact {
                (ui::head(lang, &[ui::num_col("名次", "Rank"), ui::col("企业", "Enterprise"), ui::col("城市", "City"), ui::num_col("得分", "Score"), ui::col("结果", "Result"), ui::col("各项得分", "Points")]))
                tbody { @for e in &view.entries { tr {
                    td.numcell { @if let Some(r) = e.rank { (r) } }
                    th scope="row" { a href={ "/enterprises/" (e.enterprise_id) } { (e.name) } }
                    td { (e.city) }
                    td.numcell { @if let Some(v) = e.score { (ui::num(v, 2)) } }
                    td { (status_chip(e.status, lang)) }
                    td.small { @match &e.ranked {
                        Some(r) => { @for it in &r.items {
                            (info(&it.figure).map_or(it.figure.clone(), |f| f.label().get(lang).to_string())) " "
                            (it.value.map_or_else(|| t("无数据", "no data").to_string(), |v| figure_value(&it.figure, Some(Figure::Number(v)), lang)))
                            " → " (ui::num(it.points, 2)) (t(" 分", " pts")) br;
                        } }
                        None => span.muted { (t("明细仅对可查阅该企业经营数据的用户显示", "details for readers of the firm's figures only")) },
                    } }
                } } }
            } }
        } @else if !def.chains.is_empty() {
            @for c in &def.chains {
                @let in_chain: Vec<&&LibraryEntry> = members.iter().filter(|e| e.chains.contains(&c.id)).collect();
                h2 { (text(&c.name, lang)) " · " (in_chain.len()) (t(" 家", "")) }
                @if in_chain.is_empty() { p.muted { (t("尚未认定企业。", "No firm designated yet.")) } } @else {
                    div.scroll { table.data.compact {
                        thead { tr {
                            (ui::cols(lang, &[ui::col("企业", "Enterprise"), ui::col("城市", "City"), ui::col("认定文件", "Notice"), ui::num_col("研发投入强度", "R&D intensity")]))
                            @if manage { th scope="col" { (t("操作", "Action")) } }
                        } }
                        tbody { @for e in &in_chain { tr {
                            th scope="row" { a href={ "/enterprises/" (e.enterprise_id) } { (e.name) } }
                            td { (e.city) }
                            td { (e.references.join(ui::sep(lang))) }
                            td.numcell { @match (e.figures_visible, e.rd_intensity) {
                                (true, Some(v)) => { (ui::num(v, 2)) "%" }
                                (true, None) => span.muted { (t("无数据", "no data")) },
                                (false, _) => span.muted { "—" },
                            } }
                            @if manage { td { (withdraw_form(s, &view.library.id, e.enterprise_id, Some(&c.id), lang)) } }
                        } } }
                    } }
                }
            }
        } @else {
            h2 { (t("在库企业", "Members")) " · " (members.len()) }
            (entries_table(s, &view.library.id, &members, manage, false, lang))
            @if view.library.membership == "designation" && !def.criteria.is_empty() {
                h2 { (t("候选企业（符合全部可核验条件，尚未认定）", "Candidates (meet every checkable criterion, not designated)")) " · " (candidates.len()) }
                (entries_table(s, &view.library.id, &candidates, false, manage, lang))
            }
        }
        @if manage {
            details.panel open[error.is_some()] {
                summary { (t("认定入库", "Designate a firm")) }
                form.grid method="post" action={ (here) "/designations" } {
                    (ui::csrf(s))
                    label { (t("统一社会信用代码", "USCC")) input name="uscc" required maxlength="18"; }
                    @if !def.chains.is_empty() {
                        label { (t("产业链", "Chain")) select name="chain" required { @for c in &def.chains { option value=(c.id) { (text(&c.name, lang)) } } } }
                    }
                    label { (t("认定文件（文号或名单）", "Notice (document number or list)")) input name="reference" maxlength="200"; }
                    button type="submit" { (t("认定", "Designate")) }
                }
            }
        }
        p.small.muted { (t("认定与撤销均记入审计日志；撤销后记录保留。核验明细（各项数值）仅对可查阅该企业经营数据的用户显示。", "Designations and withdrawals are audited; a withdrawn designation is kept. Check values are shown only to those who may read the firm's figures.")) }
        (ui::downloads(ctx, lang))
    };
    Ok(ui::page_status(ctx, s, snap.synthetic, status, text(&def.name, lang), body))
}

fn withdraw_form(s: &Session, library: &str, enterprise_id: i64, chain: Option<&str>, lang: Lang) -> Markup {
    html! {
        form.inline method="post" action={ "/libraries/" (ui::enc(library)) "/withdraw" } {
            (ui::csrf(s))
            input type="hidden" name="enterprise_id" value=(enterprise_id);
            @if let Some(c) = chain { input type="hidden" name="chain" value=(c); }
            input name="reference" maxlength="200" placeholder=(lang.pick("撤销原因", "reason")) aria-label=(lang.pick("撤销原因", "reason"));
            button.secondary type="submit" { (lang.pick("撤销认定", "Withdraw")) }
        }
    }
}

fn entries_table(
    s: &Session,
    library: &str,
    entries: &[&LibraryEntry],
    withdraw: bool,
    designate: bool,
    lang: Lang,
) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    html! {
        @if entries.is_empty() { p.muted { (t("无。", "None.")) } } @else {
            div.scroll { table.data.compact {
                thead { tr {
                    (ui::cols(lang, &[ui::col("企业", "Enterprise"), ui::col("城市", "City"), ui::col("状态", "Status"), ui::col("认定文件", "Notice"), ui::col("逐项核验", "Checks")]))
                    @if withdraw || designate { th scope="col" { (t("操作", "Action")) } }
                } }
                tbody { @for e in entries { tr {
                    th scope="row" { a href={ "/enterprises/" (e.enterprise_id) "#libraries" } { (e.name) } }
                    td { (e.city) }
                    td { (status_chip(e.status, lang)) }
                    td { (e.references.join(ui::sep(lang))) }
                    td { @match &e.assessment {
                        Some(a) if !a.checks.is_empty() => details {
                            summary { (text(&a.summary, lang)) }
                            (checks(&a.checks, lang))
                        },
                        Some(_) => span.muted { (t("本库无量化条件", "no measured criteria")) },
                        None => span.muted { (t("仅对可查阅该企业经营数据的用户显示", "shown to readers of the firm's figures only")) },
                    } }
                    @if withdraw { td { (withdraw_form(s, library, e.enterprise_id, None, lang)) } }
                    @if designate { td {
                        form.inline method="post" action={ "/libraries/" (ui::enc(library)) "/designations" } {
                            (ui::csrf(s))
                            input type="hidden" name="enterprise_id" value=(e.enterprise_id);
                            input name="reference" maxlength="200" placeholder=(t("认定文件", "notice")) aria-label=(t("认定文件", "notice"));
                            button type="submit" { (t("认定入库", "Designate")) }
                        }
                    } }
                } } }
            } }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DesignationForm {
    csrf: String,
    enterprise_id: String,
    uscc: String,
    chain: String,
    reference: String,
}

impl DesignationForm {
    fn input(&self) -> DesignationInput {
        DesignationInput {
            enterprise_id: self.enterprise_id.trim().parse().ok(),
            uscc: Some(self.uscc.trim().to_string()).filter(|u| !u.is_empty()),
            chain: Some(self.chain.trim().to_string()).filter(|c| !c.is_empty()),
            reference: self.reference.clone(),
        }
    }
}

async fn after_designation(ctx: &Ctx, s: &Session, name: &str, result: Result<(), AppError>) -> PageResult<Response> {
    let lang = ctx.lang;
    let done = result.map(|()| format!("/libraries/{}", ui::enc(name)));
    ui::after_post(lang, done, ui::REFUSED_OR_GONE, |e| async move {
        let view = ctx.app.library_view(s, name, None).await.page(lang)?;
        show_library(ctx, s, &view, Some(e)).await
    })
    .await
}

pub async fn designate(ctx: Ctx, Path(name): Path<String>, Form(f): Form<DesignationForm>) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    let r = ctx.app.designate(s, &name, &f.input(), &ctx.ip).await.map(|_| ());
    after_designation(&ctx, s, &name, r).await
}

pub async fn withdraw(ctx: Ctx, Path(name): Path<String>, Form(f): Form<DesignationForm>) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    let r = ctx.app.withdraw_designation(s, &name, &f.input(), &ctx.ip).await;
    after_designation(&ctx, s, &name, r).await
}

/// Saves a ranking library's weights from the form: the same figures as now, new weights and N; the note
/// says the weights were set here.
pub async fn set_ranking(
    ctx: Ctx,
    Path(name): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer_for(f.get("csrf").map(String::as_str), &Action::ManageLibraries)?;
    let view = ctx.app.library_view(s, &name, None).await.page(lang)?;
    let Some(mut ranking) = view.library.definition.ranking.clone() else {
        return Err(PageError(AppError::not_found("此库不按排名入库", "this library is not a ranking"), lang));
    };
    let number = |field: &str| -> Result<f64, AppError> {
        let raw = f.get(field).map_or("", |v| v.trim());
        raw.parse::<f64>()
            .map_err(|_| AppError::invalid(field, format!("“{raw}”不是数值"), format!("“{raw}” is not a number")))
    };
    let parsed = (|| -> Result<(), AppError> {
        let n = number("top_n")?;
        if n.fract() != 0.0 || !(1.0..=100_000.0).contains(&n) {
            return Err(AppError::invalid(
                "top_n",
                "名额应为 1 至 100000 的整数",
                "N is a whole number from 1 to 100000",
            ));
        }
        ranking.top_n = n as u32;
        for w in &mut ranking.weights {
            w.weight = number(&format!("w.{}", w.figure))?;
        }
        ranking.note = jiqun_eval::definition::Text {
            zh: format!("由{}在本系统设定的权重", s.user.username),
            en: format!("weights set in this system by {}", s.user.username),
        };
        Ok(())
    })();
    let result = match parsed {
        Ok(()) => ctx.app.set_library_ranking(s, &name, ranking, &ctx.ip).await,
        Err(e) => Err(e),
    };
    after_designation(&ctx, s, &name, result).await
}

/// The section "培育库" of a firm's page: each library's status, the checks for readers of its figures,
/// the designation history, and the profile form for the plan owner.
pub fn firm_section(
    s: &Session,
    fl: &FirmLibraries,
    figures: Option<&[RegistryFigure]>,
    enterprise_id: i64,
    lang: Lang,
) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let value =
        |key: &str| figures.and_then(|f| f.iter().find(|x| x.year == fl.year && x.metric == key)).map(|x| x.value);
    // Only directory readers may open a library's list.
    let directory = s.can(&Action::ReadEnterprises);
    html! {
        h2 #libraries { (t("培育库", "Cultivation libraries")) " · " (fl.year) (t(" 年数据", " figures")) }
        div.scroll { table.data.compact {
            (ui::head(lang, &[ui::col("培育库", "Library"), ui::col("可信度", "Confidence"), ui::col("状态", "Status"), ui::col("核验", "Checks")]))
            tbody { @for l in &fl.libraries { tr {
                th scope="row" { @if directory { a href={ "/libraries/" (ui::enc(&l.library)) } { (text(&l.name, lang)) } } @else { (text(&l.name, lang)) } }
                td { (confidence_chip(l.confidence, lang)) }
                td { (status_chip(l.status, lang))
                    @if !l.chains.is_empty() { " " span.small { (l.chains.iter().map(|c| chain_label(&l.library, c, lang)).collect::<Vec<_>>().join(ui::sep(lang))) } }
                    @if let (Some(r), Some(sc)) = (l.rank, l.score) { " " span.small { (t("第 ", "rank ")) (r) (t(" 名，", ", score ")) (ui::num(sc, 2)) (t(" 分", "")) } }
                }
                td { @match &l.assessment {
                    Some(a) if !a.checks.is_empty() => details {
                        summary { (l.summary.as_ref().map_or("", |x| text(x, lang))) }
                        (checks(&a.checks, lang))
                        @if !a.unassessed.is_empty() { p.small.muted { (t("未核验：", "Not checked: ")) @for u in &a.unassessed { (text(u, lang)) "；" } } }
                    },
                    Some(_) => span.muted { (t("无量化条件", "no measured criteria")) },
                    None => span.muted { (t("核验明细仅对可查阅本企业经营数据的用户显示", "check details for readers of the firm's figures only")) },
                } }
            } } }
        } }
        @if !fl.designations.is_empty() {
            table.data.compact {
                caption { (t("认定记录", "Designations")) }
                (ui::head(lang, &[ui::col("培育库", "Library"), ui::col("产业链", "Chain"), ui::col("认定文件", "Notice"), ui::col("认定时间", "Designated"), ui::col("状态", "State")]))
                tbody { @for d in &fl.designations { tr {
                    td { (fl.libraries.iter().find(|l| l.library == d.library).map_or(d.library.as_str(), |l| text(&l.name, lang))) }
                    td { (chain_label(&d.library, &d.chain, lang)) } td { (d.reference) } td { (ui::datetime(d.designated_at)) }
                    td { @if d.active { (t("有效", "active")) } @else { span.muted { (t("已撤销", "withdrawn")) @if let Some(r) = &d.withdrawn_reason { "：" (r) } } } }
                } } }
            }
        }
        @if fl.may_manage {
            details.panel {
                summary { (t("维护培育库档案数据", "Edit the library profile")) }
                p.small.muted { (t("档案数据即企业名录的年度经营数据（加密存储、保留修改历史）；是/否项填“是”或“否”。营业收入、研发投入还取上一年度数据。", "Profile figures are the registry's yearly figures (sealed, with history); yes/no items take yes or no. Revenue and R&D of the year before are read too.")) }
                form.grid method="post" action={ "/enterprises/" (enterprise_id) "/profile" } {
                    (ui::csrf(s))
                    label { (t("年度", "Year")) input name="year" required inputmode="numeric" value=(fl.year); }
                    label { (t("来源", "Source")) input name="source" maxlength="200" placeholder=(t("如：企业申报材料", "e.g. the firm's application")); }
                    @for m in cult::profile_metrics() {
                        @if m.flag {
                            label { (lang.pick(m.zh, m.en))
                                select name=(m.key) {
                                    option value="" { "—" }
                                    option value="1" selected[value(m.key) == Some(1.0)] { (t("是", "yes")) }
                                    option value="0" selected[value(m.key) == Some(0.0)] { (t("否", "no")) }
                                } }
                        } @else {
                            label { (lang.pick(m.zh, m.en)) " (" (lang.pick(m.unit_zh, m.unit_en)) ")"
                                input name=(m.key) inputmode="decimal" value=(value(m.key).map(|v| v.to_string()).unwrap_or_default()); }
                        }
                    }
                    button type="submit" { (t("保存档案", "Save the profile")) }
                }
            }
        }
    }
}

pub async fn put_profile(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer_for(f.get("csrf").map(String::as_str), &Action::ManageLibraries)?;
    let (year, source, values) = figures_form(&f, cult::profile_metrics());
    let values = values.page(lang)?;
    ctx.app.put_library_profile(s, id, year, &values, source, &ctx.ip).await.page(lang)?;
    Ok(Redirect::to(&format!("/enterprises/{id}?year={year}#libraries")).into_response())
}
