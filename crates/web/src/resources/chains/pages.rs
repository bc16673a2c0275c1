//! `/chains`: the plan's chains with their gaps, the attraction list and the technology list;
//! `/chains/{id}`: one chain drawn as a map and node by node; `/chains/{id}/nodes/{node}`: the firms,
//! projects and bases on a node; `/chains/unassigned`: the names that match no node, to be resolved by a
//! person. Each also as CSV and JSON.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use jiqun_app::chains::{
    BasePlacementInput, ChainDetail, ChainNodeFirm, ChainNodeView, ChainSummary, ChainUnassigned, DependencyInput,
    FirmPlacementInput, TextDecisionInput,
};
use jiqun_app::{Action, AppError, Session};
use jiqun_domain::Lang;
use jiqun_domain::chains::{FirmRole, Segment};
use jiqun_eval::chains::{ListEntry, Settings};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

use super::map::{chain_map, chain_map_file};
use crate::ctx::Ctx;
use crate::error::{PageResult, WithLang};
use crate::extract::{Form, Path};
use crate::kit::ui::{self, Csv, Export, SaidColumn, enc, num, pct};

fn synthetic_note(lang: Lang) -> Markup {
    ui::example_banner(
        lang,
        "演示库中的企业、项目和平台均为合成数据；环节表取自计划原文，各环节的企业分布为虚构，不代表真实产业状况。",
        "the demo's firms, projects and bases are synthetic: the nodes come from the plan's text, but which firms sit on them is invented and says nothing about the real industry.",
    )
}

fn node_href(chain: &str, node: &str) -> String {
    format!("/chains/{}/nodes/{}", enc(chain), enc(node))
}

/// A list entry's chain name, from the overview.
fn list_table(entries: &[ListEntry], names: &[(String, String)], lang: Lang, challenge_link: bool) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let chain_name = |id: &str| names.iter().find(|(c, _)| c == id).map(|(_, n)| n.clone()).unwrap_or_default();
    html! {
        @if entries.is_empty() { p.muted { (t("无。", "None.")) } } @else {
            div.scroll { table.data.compact {
                thead { tr {
                    (ui::cols(lang, &[ui::num_col("序号", "Rank"), ui::col("产业链", "Chain"), ui::col("环节", "Node"), ui::col("短板", "Gaps"), ui::col("排序理由", "Why this rank")]))
                    @if challenge_link { th scope="col" { (t("操作", "Action")) } }
                } }
                tbody { @for e in entries { tr {
                    td.numcell { (e.rank) }
                    td { (chain_name(&e.chain)) }
                    th scope="row" { a href=(node_href(&e.chain, &e.node)) { (e.name.get(lang)) } }
                    td { @for g in &e.gaps { span.chip.oc-failed title=(g.explanation.get(lang)) { (g.rule.label().get(lang)) } " " } }
                    td.small { (e.reasons.iter().map(|r| r.get(lang)).collect::<Vec<_>>().join(t("；", "; "))) }
                    @if challenge_link {
                        td { a href={ "/challenges/new?node=" (enc(&e.node)) "&rule=" (enc(e.gaps.first().map(|g| g.rule.kind().as_str()).unwrap_or(""))) } { (t("转为揭榜挂帅", "Open a challenge")) } }
                    }
                } } }
            } }
        }
    }
}

const CHAINS_CSV: &[SaidColumn<ChainSummary>] = &[
    (("产业链", "chain"), |c, _| c.id.clone()),
    (("名称", "name"), |c, lang| lang.pick(&c.name, &c.name_en).to_string()),
    (("计划条目", "plan item"), |c, _| c.plan_item.clone()),
    (("环节数", "nodes"), |c, _| c.nodes.to_string()),
    (("企业数", "firms"), |c, _| c.firms.to_string()),
    (("有短板的环节", "nodes with gaps"), |c, _| c.nodes_with_gaps.to_string()),
    (("无企业的环节", "empty nodes"), |c, _| c.empty_nodes.to_string()),
];

pub async fn chains(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.page_user()?;
    show_chains(&ctx, s, None).await
}

async fn show_chains(ctx: &Ctx, s: &Session, error: Option<AppError>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let o = ctx.app.chains(s).await.page(lang)?;
    let snap = ctx.app.snapshot().await.page(lang)?;
    match ui::export(ctx) {
        Some(Export::Json) => return Ok(ui::json(snap.synthetic, "chains", json!(o))),
        Some(Export::Csv) => {
            return Ok(Csv::said(lang, CHAINS_CSV, &o.chains).respond("chains", snap.synthetic));
        }
        None => {}
    }
    let names: Vec<(String, String)> =
        o.chains.iter().map(|c| (c.id.clone(), lang.pick(&c.name, &c.name_en).to_string())).collect();
    let manage = s.can(&Action::ManageChains);
    // Who may draft a challenge (for any department) is offered to turn a technology gap into one.
    let may_issue = !s.roles.scopes(&s.user, jiqun_app::Perm::ManageChallenges).is_empty();
    let body = html! {
        div.pagehead {
            h1 { (t("产业链图谱与补链", "Chains and their gaps")) }
            p.sub { (t("计划“稳链强链补链”工程：各产业链按上游、中游、下游的环节排列，标出省内企业、项目和平台，按规则找出短板，形成招商清单和技术攻关清单。", "The plan's programme to stabilise, strengthen and complete the chains: each chain's nodes upstream to downstream, the province's firms, projects and bases on them, the gaps found by rule, and from them the attraction list and the technology list.")) }
            (ui::export_buttons(lang, "chains", ""))
        }
        @if snap.synthetic { (synthetic_note(lang)) }
        p.muted.small {
            (t("环节表：", "Vocabulary: ")) (o.citation)
            @if let Some(v) = o.vocabulary_version { (t("（第 ", " (version ")) (v) (t(" 版）", ")")) } @else { (t("（内置）", " (built in)")) }
            " " a href="/chains/vocabulary" { (t("查看环节表", "the vocabulary")) }
            " · " @if let Some(y) = o.figures_year { (t("营收与增加值取 ", "Revenue and value added from ")) (y) (t(" 年企业库数据", " registry figures")) } @else { (t("企业库尚无营收数据", "no registry figures yet")) }
        }
        @if o.unassigned > 0 {
            p.notice { a href="/chains/unassigned" { (t("有 ", "")) (o.unassigned) (t(" 个产业链名称未能对应到环节，请认定", " chain names match no node: resolve them")) } }
        }
        h2 { (t("产业链", "Chains")) }
        div.scroll { table.data.compact {
            (ui::head(lang, &[ui::col("产业链", "Chain"), ui::col("计划条目", "Plan item"), ui::num_col("环节", "Nodes"), ui::num_col("企业", "Firms"), ui::num_col("有短板的环节", "Nodes with gaps"), ui::num_col("无企业的环节", "Empty nodes")]))
            tbody { @for c in &o.chains { tr {
                th scope="row" { a href={ "/chains/" (enc(&c.id)) } { (lang.pick(&c.name, &c.name_en)) } }
                td { (c.plan_item) }
                td.numcell { (c.nodes) }
                td.numcell { (c.firms) }
                td.numcell { (c.nodes_with_gaps) }
                td.numcell { (c.empty_nodes) }
            } } }
        } }
        h2 #attraction { (t("招商清单", "Attraction list")) }
        p.muted.small { (o.attraction_rule.get(lang)) }
        (list_table(&o.attraction_list, &names, lang, false))
        h2 #technology { (t("技术攻关清单", "Technology list")) }
        p.muted.small { (o.technology_rule.get(lang)) }
        (list_table(&o.technology_list, &names, lang, may_issue))
        (ui::downloads(ctx, lang))
        @if manage { (settings_form(s, &o.settings, &error, lang)) }
    };
    Ok(ui::page_status(ctx, s, snap.synthetic, ui::form_status(error.as_ref()), t("产业链", "Chains"), body))
}

fn settings_form(s: &Session, settings: &Settings, error: &Option<AppError>, lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    html! {
        details.panel open[error.is_some()] {
            summary { (t("补链分析设置", "Gap-analysis settings")) }
            @if let Some(e) = error { (ui::form_error(e, lang)) }
            form.grid method="post" action="/chains/settings" {
                (ui::csrf(s))
                label { (t("强度阈值（0—100）", "Strength threshold (0–100)")) input name="strength_threshold" type="number" min="0" max="100" step="1" required value=(num(settings.strength_threshold, 0)); }
                label { (t("满分企业数", "Firms that make a node whole")) input name="full_firm_count" type="number" min="1" step="1" required value=(settings.full_firm_count); }
                fieldset.wide {
                    legend { (t("需技术攻关（而非招商）的环节类别", "Segments that need research rather than investment")) }
                    @for seg in Segment::ALL {
                        label.check { input type="checkbox" name="research" value=(seg.as_str()) checked[settings.research_segments.contains(&seg)]; (seg.label(lang)) }
                    }
                }
                div.actions { button type="submit" { (t("保存", "Save")) } }
            }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    strength_threshold: String,
    #[serde(default)]
    full_firm_count: String,
    #[serde(default)]
    research: Vec<String>,
}

pub async fn set_settings(ctx: Ctx, body: axum::body::Bytes) -> PageResult<Response> {
    let lang = ctx.lang;
    // Several checkboxes share a name, which the form extractor's map does not keep: read the pairs.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let mut f = SettingsForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "csrf" => f.csrf = v,
            "strength_threshold" => f.strength_threshold = v,
            "full_firm_count" => f.full_firm_count = v,
            "research" => f.research.push(v),
            _ => {}
        }
    }
    let s = ctx.page_writer_for(Some(&f.csrf), &Action::ManageChains)?;
    let parsed = (|| {
        let threshold: f64 = f.strength_threshold.trim().parse().map_err(|_| {
            AppError::invalid(
                "strength_threshold",
                "强度阈值应为 0 至 100 的数",
                "the threshold must be a number from 0 to 100",
            )
        })?;
        let count: u32 = f.full_firm_count.trim().parse().map_err(|_| {
            AppError::invalid("full_firm_count", "满分企业数应为正整数", "the firm count must be a whole number")
        })?;
        let mut research = Vec::new();
        for r in &f.research {
            research.push(Segment::parse(r).ok_or_else(|| {
                AppError::invalid("research_segments", format!("“{r}”不是环节类别"), format!("“{r}” is not a segment"))
            })?);
        }
        Ok::<_, AppError>(Settings {
            strength_threshold: threshold,
            full_firm_count: count,
            research_segments: research,
        })
    })();
    let result = match parsed {
        Ok(settings) => ctx.app.set_chain_settings(s, &settings, &ctx.ip).await.map(|_| ()),
        Err(e) => Err(e),
    };
    let done = result.map(|()| "/chains".into());
    ui::after_post(lang, done, ui::REFUSED, |e| show_chains(&ctx, s, Some(e))).await
}

pub async fn chain(ctx: Ctx, Path(id): Path<String>) -> PageResult<Response> {
    let s = ctx.page_user()?;
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let c = ctx.app.chain(s, &id).await.page(lang)?;
    let snap = ctx.app.snapshot().await.page(lang)?;
    match ui::export(&ctx) {
        Some(Export::Json) => return Ok(ui::json(snap.synthetic, "chain", json!(c))),
        Some(Export::Csv) => return Ok(nodes_csv(&c, lang).respond(&format!("chain-{}", c.summary.id), snap.synthetic)),
        None => {}
    }
    let name = lang.pick(&c.summary.name, &c.summary.name_en);
    let body = html! {
        p.crumbs { a href="/chains" { (t("产业链", "Chains")) } }
        div.pagehead {
            h1 { (name) }
            p.sub { (t("计划条目 ", "Plan item ")) (c.summary.plan_item) " · " (c.summary.nodes) (t(" 个环节 · ", " nodes · ")) (c.summary.firms) (t(" 家企业", " firms")) }
        }
        @if snap.synthetic { (synthetic_note(lang)) }
        figure.chainmap {
            (chain_map(&c, lang, false))
            figcaption.muted.small {
                (t("来源：", "Source: ")) (c.source)
                " · " a href={ "/chains/" (enc(&c.summary.id)) "/map.svg" } download { (t("下载 SVG", "Download SVG")) }
            }
        }
        h2 { (t("环节", "Nodes")) }
        div.scroll { table.data.compact {
            (ui::head(lang, &[ui::col("环节", "Node"), ui::col("层级", "Tier"), ui::col("类别", "Segment"), ui::num_col("企业", "Firms"), ui::num_col("营收占比", "Revenue share"), ui::num_col("增加值占比", "Value-added share"), ui::num_col("骨干", "Backbone"), ui::num_col("在建项目", "Projects"), ui::num_col("平台", "Bases"), ui::num_col("强度", "Strength"), ui::col("短板", "Gaps")]))
            tbody { @for n in &c.nodes { tr {
                th scope="row" { a href=(node_href(&c.summary.id, &n.id)) { (lang.pick(&n.name_zh, &n.name_en)) } }
                td { (n.tier.label(lang)) }
                td { (n.segment.label(lang)) }
                td.numcell { (n.report.firms) }
                @if n.figures_withheld {
                    td.numcell colspan="2" title=(t("不足 3 家企业，数据不公开", "fewer than 3 firms: not shown")) { (t("不公开", "withheld")) }
                } @else {
                    td.numcell { (share(n.report.revenue_share)) }
                    td.numcell { (share(n.report.output_share)) }
                }
                td.numcell { (n.report.backbone) }
                td.numcell { (n.report.projects) }
                td.numcell { (n.report.bases) }
                td.numcell { (num(n.report.strength.score, 0)) }
                td { @for g in &n.report.gaps { span.chip.oc-failed title=(g.explanation.get(lang)) { (g.rule.label().get(lang)) } " " } }
            } } }
        } }
        (ui::downloads(&ctx, lang))
    };
    Ok(ui::page(&ctx, s, snap.synthetic, name, body))
}

fn share(v: Option<f64>) -> String {
    v.map(pct).unwrap_or_else(|| "—".into())
}

/// A figure of a node, empty where the reader may not see the firms' figures.
fn node_figure(n: &ChainNodeView, v: f64) -> String {
    if n.figures_withheld { String::new() } else { num(v, 2) }
}

const NODES_CSV: &[SaidColumn<ChainNodeView>] = &[
    (("环节", "node"), |n, _| n.id.clone()),
    (("名称", "name"), |n, lang| lang.pick(&n.name_zh, &n.name_en).to_string()),
    (("层级", "tier"), |n, lang| n.tier.label(lang).to_string()),
    (("类别", "segment"), |n, lang| n.segment.label(lang).to_string()),
    (("企业数", "firms"), |n, _| n.report.firms.to_string()),
    (("营收（万元）", "revenue (10k yuan)"), |n, _| node_figure(n, n.report.revenue_wan)),
    (("营收占比", "revenue share"), |n, _| n.report.revenue_share.map(|x| num(x, 4)).unwrap_or_default()),
    (("增加值（万元）", "value added (10k yuan)"), |n, _| node_figure(n, n.report.output_wan)),
    (("增加值占比", "value-added share"), |n, _| n.report.output_share.map(|x| num(x, 4)).unwrap_or_default()),
    (("骨干企业", "backbone"), |n, _| n.report.backbone.to_string()),
    (("培育库企业", "library firms"), |n, _| n.report.in_library.to_string()),
    (("在建项目", "projects"), |n, _| n.report.projects.to_string()),
    (("平台基地", "bases"), |n, _| n.report.bases.to_string()),
    (("强度", "strength"), |n, _| num(n.report.strength.score, 1)),
    (("短板", "gaps"), |n, lang| {
        n.report.gaps.iter().map(|g| g.explanation.get(lang).to_string()).collect::<Vec<_>>().join("; ")
    }),
];

fn nodes_csv(c: &ChainDetail, lang: Lang) -> Csv {
    Csv::said(lang, NODES_CSV, &c.nodes)
}

pub async fn map_svg(ctx: Ctx, Path(id): Path<String>) -> PageResult<Response> {
    let s = ctx.page_user()?;
    let c = ctx.app.chain(s, &id).await.page(ctx.lang)?;
    let file = chain_map_file(&c, ctx.lang);
    Ok(([(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")], file).into_response())
}

const FIRMS_CSV: &[SaidColumn<ChainNodeFirm>] = &[
    (("企业", "enterprise"), |f, _| f.name.clone()),
    (("统一社会信用代码", "uscc"), |f, _| f.uscc.clone()),
    (("城市", "city"), |f, _| f.city.to_string()),
    (("角色", "role"), |f, lang| f.role.label(lang).to_string()),
    (("能力", "capacity"), |f, _| f.capacity.clone()),
    (("骨干", "backbone"), |f, _| ui::flag(f.backbone)),
    (("培育库", "library"), |f, _| ui::flag(f.in_library)),
];

const UNASSIGNED_CSV: &[SaidColumn<ChainUnassigned>] = &[
    (("名称", "name"), |u, _| u.text.clone()),
    (("原因", "reason"), |u, _| u.reason.clone()),
    (("记录数", "records"), |u, _| u.holders.len().to_string()),
    (("记录", "held by"), |u, _| {
        u.holders.iter().map(|h| format!("{}:{}", h.kind, h.id)).collect::<Vec<_>>().join(";")
    }),
];

pub async fn node(ctx: Ctx, Path((id, node)): Path<(String, String)>) -> PageResult<Response> {
    let s = ctx.page_user()?;
    show_node(&ctx, s, &id, &node, None).await
}

async fn show_node(ctx: &Ctx, s: &Session, id: &str, node: &str, error: Option<AppError>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let d = ctx.app.chain_node(s, id, node).await.page(lang)?;
    let snap = ctx.app.snapshot().await.page(lang)?;
    match ui::export(ctx) {
        Some(Export::Json) => return Ok(ui::json(snap.synthetic, "chain_node", json!(d))),
        Some(Export::Csv) => {
            let csv = Csv::said(lang, FIRMS_CSV, &d.firms);
            return Ok(csv.respond(&format!("chain-node-{}", d.node.id), snap.synthetic));
        }
        None => {}
    }
    let n: &ChainNodeView = &d.node;
    let r = &n.report;
    let manage = s.can(&Action::ManageChains);
    let bases = if manage { ctx.app.bases(s, lang).await.page(lang)? } else { Vec::new() };
    let name = lang.pick(&n.name_zh, &n.name_en);
    let body = html! {
        p.crumbs {
            a href="/chains" { (t("产业链", "Chains")) } " › "
            a href={ "/chains/" (enc(&d.chain.id)) } { (lang.pick(&d.chain.name, &d.chain.name_en)) }
        }
        div.pagehead {
            h1 { (name) }
            p.sub { (n.tier.label(lang)) " · " (n.segment.label(lang)) " · " (t("强度 ", "strength ")) (num(r.strength.score, 0)) }
        }
        @if snap.synthetic { (synthetic_note(lang)) }
        @if !r.gaps.is_empty() {
            div.notice { @for g in &r.gaps { p { strong { (g.rule.label().get(lang)) } (ui::colon(lang)) (g.explanation.get(lang)) } } }
        }
        dl.facts {
            dt { (t("计划原文", "In the plan")) } dd { (n.source) }
            @if !n.aliases.is_empty() { dt { (t("别名", "Also called")) } dd { (n.aliases.join(ui::sep(lang))) } }
            @if !n.renamed_from.is_empty() { dt { (t("曾用名", "Formerly")) } dd { (n.renamed_from.join(ui::sep(lang))) } }
            dt { (t("强度构成", "Strength")) } dd { @for p in &r.strength.parts { (p.reason.get(lang)) br; } }
            dt { (t("省外依赖", "Outside supply")) } dd {
                @match &n.dependency {
                    Some(dep) if dep.outside => { (t("依赖省外供给", "depends on supply from outside the province")) (ui::colon(lang)) (dep.source) }
                    Some(dep) => { (t("已核实不依赖省外", "checked: supplied within the province")) @if !dep.source.is_empty() { (ui::colon(lang)) (dep.source) } }
                    None => { span.muted { (t("未记录", "not recorded")) } }
                }
            }
            @if !r.firms_by_city.is_empty() {
                dt { (t("按城市", "By city")) } dd { @for (i, c) in r.firms_by_city.iter().enumerate() { @if i > 0 { (ui::sep(lang)) } (c.city.as_str()) " " (c.firms) } }
            }
        }
        h2 { (t("企业", "Firms")) " · " (d.firms.len()) }
        @if d.firms.is_empty() { p.muted { (t("省内尚无企业在此环节。", "No firm of the province on this node.")) } } @else {
            div.scroll { table.data.compact {
                (ui::head(lang, &[ui::col("企业", "Enterprise"), ui::col("城市", "City"), ui::col("角色", "Role"), ui::col("能力", "Capacity"), ui::col("标注", "Marks"), ui::col("依据", "Placed by")]))
                tbody { @for f in &d.firms { tr {
                    th scope="row" { a href={ "/enterprises/" (f.enterprise_id) } { (f.name) } }
                    td { (f.city.as_str()) }
                    td { (f.role.label(lang)) }
                    td { (f.capacity) }
                    td { @if f.backbone { span.chip { (t("骨干", "backbone")) } " " } @if f.in_library { span.chip { (t("培育库", "library")) } } }
                    td.small { @if f.placed_by == "text" { (t("企业信息所填环节", "the firm's chain field")) } @else { (t("人工登记", "recorded")) } }
                } } }
            } }
        }
        h2 { (t("项目", "Projects")) " · " (d.projects.len()) }
        @if d.projects.is_empty() { p.muted { (t("无。", "None.")) } } @else {
            ul { @for p in &d.projects { li { a href={ "/projects/" (p.id) } { (p.name) } " · " (p.city) " · " (p.stage.label(lang)) } } }
        }
        h2 { (t("平台与基地", "Bases")) " · " (d.bases.len()) }
        @if d.bases.is_empty() { p.muted { (t("无。", "None.")) } } @else {
            ul { @for b in &d.bases { li { a href={ "/bases/" (b.id) } { (b.name) } " · " (b.kind.label(lang)) @if b.withdrawn { " · " (t("已撤销", "withdrawn")) } } } }
        }
        (ui::downloads(ctx, lang))
        @if manage {
            @if let Some(e) = &error { (ui::form_error(e, lang)) }
            details.panel {
                summary { (t("记录省外依赖", "Record outside dependency")) }
                form.grid method="post" action={ (node_href(&d.chain.id, &n.id)) "/dependency" } {
                    (ui::csrf(s))
                    label.check { input type="checkbox" name="outside" value="1" checked[n.dependency.as_ref().is_some_and(|x| x.outside)]; (t("依赖省外供给", "depends on supply from outside the province")) }
                    label.wide { (t("来源（调研报告、文件）", "Source (survey, document)")) input name="source" maxlength="500" value=(n.dependency.as_ref().map(|x| x.source.as_str()).unwrap_or("")); }
                    div.actions { button type="submit" { (t("保存", "Save")) } }
                }
            }
            details.panel {
                summary { (t("登记平台或基地在本环节", "Put a base on this node")) }
                form.grid method="post" action={ (node_href(&d.chain.id, &n.id)) "/bases" } {
                    (ui::csrf(s))
                    label.wide { (t("平台或基地", "Base")) select name="base_id" required {
                        @for b in &bases { option value=(b.id) { (b.name) " · " (b.kind_label) } }
                    } }
                    label { (t("操作", "Action")) select name="on" {
                        option value="1" { (t("列入本环节", "put on this node")) }
                        option value="0" { (t("移出本环节", "take off this node")) }
                    } }
                    div.actions { button type="submit" { (t("保存", "Save")) } }
                }
            }
            details.panel {
                summary { (t("登记企业在本环节", "Put a firm on this node")) }
                form.grid method="post" action={ (node_href(&d.chain.id, &n.id)) "/firms" } {
                    (ui::csrf(s))
                    label { (t("统一社会信用代码", "USCC")) input name="uscc" required maxlength="18"; }
                    label { (t("角色", "Role")) select name="role" {
                        @for r in FirmRole::ALL { option value=(r.as_str()) { (r.label(lang)) } }
                        option value="" { (t("（移出本环节）", "(take off this node)")) }
                    } }
                    label.wide { (t("能力（产品、产能）", "Capacity (products, output)")) input name="capacity" maxlength="500"; }
                    label.wide { (t("来源", "Source")) input name="source" maxlength="500"; }
                    div.actions { button type="submit" { (t("保存", "Save")) } }
                }
            }
        }
    };
    Ok(ui::page_status(ctx, s, snap.synthetic, ui::form_status(error.as_ref()), name, body))
}

#[derive(Deserialize, Default)]
pub struct DependencyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    outside: String,
    #[serde(default)]
    source: String,
}

pub async fn set_dependency(
    ctx: Ctx,
    Path((id, node)): Path<(String, String)>,
    Form(f): Form<DependencyForm>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer_for(Some(&f.csrf), &Action::ManageChains)?;
    let input = DependencyInput { outside: f.outside == "1", source: f.source.clone() };
    let done = ctx.app.set_chain_dependency(s, &node, &input, &ctx.ip).await.map(|()| node_href(&id, &node));
    ui::after_post(lang, done, ui::REFUSED, |e| show_node(&ctx, s, &id, &node, Some(e))).await
}

#[derive(Deserialize, Default)]
pub struct BaseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    base_id: String,
    #[serde(default)]
    on: String,
}

pub async fn place_base(
    ctx: Ctx,
    Path((id, node)): Path<(String, String)>,
    Form(f): Form<BaseForm>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer_for(Some(&f.csrf), &Action::ManageChains)?;
    let result = match f.base_id.trim().parse::<i64>() {
        Ok(base_id) => {
            let input = BasePlacementInput { base_id, on: f.on != "0" };
            ctx.app.place_chain_base(s, &node, &input, &ctx.ip).await
        }
        Err(_) => Err(AppError::invalid("base_id", "请选择平台或基地", "choose a base")),
    };
    let done = result.map(|()| node_href(&id, &node));
    ui::after_post(lang, done, ui::REFUSED, |e| show_node(&ctx, s, &id, &node, Some(e))).await
}

#[derive(Deserialize, Default)]
pub struct FirmForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    source: String,
}

pub async fn place_firm(
    ctx: Ctx,
    Path((id, node)): Path<(String, String)>,
    Form(f): Form<FirmForm>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer_for(Some(&f.csrf), &Action::ManageChains)?;
    let input = FirmPlacementInput {
        uscc: f.uscc.clone(),
        role: Some(f.role.clone()).filter(|r| !r.is_empty()),
        capacity: f.capacity.clone(),
        source: f.source.clone(),
    };
    let done = ctx.app.place_chain_firm(s, &node, &input, &ctx.ip).await.map(|()| node_href(&id, &node));
    ui::after_post(lang, done, ui::REFUSED, |e| show_node(&ctx, s, &id, &node, Some(e))).await
}

pub async fn unassigned(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.page_user()?;
    show_unassigned(&ctx, s, None).await
}

async fn show_unassigned(ctx: &Ctx, s: &Session, error: Option<AppError>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let items = ctx.app.chain_unassigned(s).await.page(lang)?;
    let snap = ctx.app.snapshot().await.page(lang)?;
    match ui::export(ctx) {
        Some(Export::Json) => return Ok(ui::json(snap.synthetic, "chain_unassigned", json!({ "items": items }))),
        Some(Export::Csv) => {
            return Ok(Csv::said(lang, UNASSIGNED_CSV, &items).respond("chain-unassigned", snap.synthetic));
        }
        None => {}
    }
    let manage = s.can(&Action::ManageChains);
    let choices = if manage { ctx.app.chain_node_choices(s).await.page(lang)? } else { Vec::new() };
    let body = html! {
        p.crumbs { a href="/chains" { (t("产业链", "Chains")) } }
        div.pagehead {
            h1 { (t("未对应环节的名称", "Names that match no node")) }
            p.sub { (t("企业和项目所填的产业链环节名称，凡与环节表的名称、别名或曾用名不完全一致的，都列在这里，保持原样，不作猜测；认定一次即对所有使用该名称的记录生效。", "Chain names held by enterprises and projects that are not exactly a node's name, alias or former name are listed here as they were typed; nothing is guessed. A decision applies to every record holding the name.")) }
        }
        @if let Some(e) = &error { (ui::form_error(e, lang)) }
        @if items.is_empty() { p.muted { (t("所有名称都已对应到环节。", "Every name matches a node.")) } } @else {
            div.scroll { table.data.compact {
                thead { tr {
                    (ui::cols(lang, &[ui::col("名称", "Name"), ui::col("原因", "Why"), ui::num_col("记录", "Records"), ui::col("例如", "For example")]))
                    @if manage { th scope="col" { (t("认定为", "Means")) } }
                } }
                tbody { @for u in &items { tr {
                    th scope="row" { (u.text) }
                    td { (reason_label(&u.reason, lang)) }
                    td.numcell { (u.holders.len()) }
                    td.small { @for h in u.holders.iter().take(3) {
                        a href={ (if h.kind == "project" { "/projects/" } else { "/enterprises/" }) (h.id) } { (h.name) } br;
                    } }
                    @if manage { td {
                        form.inline method="post" action="/chains/names" {
                            (ui::csrf(s))
                            input type="hidden" name="text" value=(u.text);
                            select name="node" required aria-label=(t("环节", "Node")) {
                                option value="" disabled selected { (t("请选择……", "Choose…")) }
                                option value="none" { (t("（不是产业链环节，不再列出）", "(not a chain node: stop listing it)")) }
                                @for (chain, node, chain_name, node_name) in &choices {
                                    @let suggested = u.candidates.iter().any(|(c, n)| c == chain && n == node) || u.chain.as_deref() == Some(chain.as_str());
                                    option value=(node) class=[suggested.then_some("suggested")] { (chain_name.get(lang)) " › " (node_name) }
                                }
                            }
                            " " button type="submit" { (t("认定", "Decide")) }
                        }
                    } }
                } } }
            } }
        }
        (ui::downloads(ctx, lang))
    };
    Ok(ui::page_status(
        ctx,
        s,
        snap.synthetic,
        ui::form_status(error.as_ref()),
        t("未对应环节的名称", "Unmatched chain names"),
        body,
    ))
}

fn reason_label(reason: &str, lang: Lang) -> &'static str {
    match reason {
        "whole_chain" => lang.pick("指整条产业链，未指明环节", "names a whole chain, not a node"),
        "ambiguous" => lang.pick("多条产业链都有此环节", "several chains have a node of this name"),
        _ => lang.pick("与环节表不一致", "matches no node"),
    }
}

#[derive(Deserialize, Default)]
pub struct NameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    node: String,
}

pub async fn decide_name(ctx: Ctx, Form(f): Form<NameForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer_for(Some(&f.csrf), &Action::ManageChains)?;
    if f.node.is_empty() {
        let e = AppError::invalid("node", "请选择环节", "choose a node");
        return show_unassigned(&ctx, s, Some(e)).await;
    }
    let input = TextDecisionInput { text: f.text.clone(), node: Some(f.node.clone()).filter(|n| n != "none") };
    let done = ctx.app.decide_chain_text(s, &input, &ctx.ip).await.map(|()| "/chains/unassigned".into());
    ui::after_post(lang, done, ui::REFUSED, |e| show_unassigned(&ctx, s, Some(e))).await
}

pub async fn vocabulary(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.page_user()?;
    show_vocabulary(&ctx, s, None, None).await
}

async fn show_vocabulary(ctx: &Ctx, s: &Session, text: Option<&str>, error: Option<AppError>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let v = ctx.app.chain_vocabulary_view(s).await.page(lang)?;
    let snap = ctx.app.snapshot().await.page(lang)?;
    if let Some(Export::Json) = ui::export(ctx) {
        return Ok(ui::json(snap.synthetic, "chain_vocabulary", json!(v)));
    }
    let pretty = serde_json::to_string_pretty(&v.vocabulary).unwrap_or_default();
    let body = html! {
        p.crumbs { a href="/chains" { (t("产业链", "Chains")) } }
        div.pagehead {
            h1 { (t("产业链环节表", "Chain vocabulary")) }
            p.sub {
                @match v.version { Some(n) => { (t("第 ", "Version ")) (n) (t(" 版", "")) }, None => { (t("内置版本（取自计划原文）", "The built-in version (from the plan's text)")) } }
            }
        }
        @if let Some(e) = &error { (ui::form_error(e, lang)) }
        @if v.history.is_empty() { p.muted { (t("尚未修改。", "Not changed yet.")) } } @else {
            table.data.compact {
                (ui::head(lang, &[ui::num_col("版本", "Version"), ui::col("说明", "What changed"), ui::col("保存人", "Saved by"), ui::col("时间", "When")]))
                tbody { @for h in &v.history { tr {
                    td.numcell { (h.version) }
                    td { (h.note) }
                    td { (h.saved_by.as_deref().unwrap_or("—")) }
                    td { (ui::datetime(h.saved_at)) }
                } } }
            }
        }
        @if s.can(&Action::ManageChains) {
            form.grid method="post" action="/chains/vocabulary" {
                (ui::csrf(s))
                p.muted.small.wide { (t("改名时保留环节标识（id），原名自动记入曾用名；已有企业或平台的环节不能删除。每项都校验，错误指明字段。", "Keep a node's id when renaming it: the former name is kept. A node with firms or bases on it cannot be removed. Every field is checked; an error names its field.")) }
                label.wide { (t("环节表（JSON）", "Vocabulary (JSON)")) textarea name="vocabulary" rows="24" spellcheck="false" { (text.unwrap_or(&pretty)) } }
                label.wide { (t("修改说明", "What changed")) input name="note" required maxlength="500"; }
                div.actions { button type="submit" { (t("保存为新版本", "Save as a new version")) } }
            }
        } @else {
            pre.small { (pretty) }
        }
    };
    let status = ui::form_status(error.as_ref());
    Ok(ui::page_status(ctx, s, snap.synthetic, status, t("产业链环节表", "Chain vocabulary"), body))
}

#[derive(Deserialize, Default)]
pub struct VocabularyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    vocabulary: String,
    #[serde(default)]
    note: String,
}

pub async fn put_vocabulary(ctx: Ctx, Form(f): Form<VocabularyForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer_for(Some(&f.csrf), &Action::ManageChains)?;
    let result = match serde_json::from_str::<serde_json::Value>(&f.vocabulary) {
        Ok(vocabulary) => {
            let input = jiqun_app::chains::VocabularyInput { vocabulary, note: f.note.clone() };
            ctx.app.put_chain_vocabulary(s, &input, &ctx.ip).await.map(|_| ())
        }
        Err(e) => Err(AppError::invalid(
            "vocabulary",
            format!("JSON 无效（第{}行第{}列）", e.line(), e.column()),
            format!("invalid JSON (line {}, column {})", e.line(), e.column()),
        )),
    };
    let done = result.map(|()| "/chains/vocabulary".into());
    ui::after_post(lang, done, ui::REFUSED, |e| show_vocabulary(&ctx, s, Some(&f.vocabulary), Some(e))).await
}
