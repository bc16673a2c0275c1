//! The home page's own parts beside the plan: an enterprise user's desk (its firm's class and why, its
//! libraries, what it may apply for, the figures it owes, its projects and open problems), and the
//! key-project panel of an official's dashboard (overdue problems, the projects with them, a department's
//! own problems to answer).

use jiqun_app::desk::{EnterpriseDesk, ProjectWatch};
use jiqun_app::projects::ProblemView;
use jiqun_domain::Lang;
use maud::{Markup, html};
use serde_json::{Value, json};

use crate::kit::ui;
use crate::resources::enterprises::pages::class_chip;
use crate::resources::libraries::pages::chain_label;
use crate::resources::projects::pages::{stage_chip, state_chip};

/// A table of problems: project, kind, department, deadline, state.
fn problems_table(problems: &[ProblemView], caption: &str, lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    html! {
        div.scroll {
            table.data {
                caption { (caption) }
                (ui::head(lang, &[ui::col("项目", "Project"), ui::col("问题", "Problem"), ui::col("承办部门", "Department"), ui::col("答复期限", "Deadline"), ui::col("状态", "State")]))
                tbody {
                    @for x in problems {
                        tr {
                            th scope="row" { a href={ "/projects/" (x.project_id) "#h-problems" } { (x.project_name) } }
                            td { span.muted { (x.kind_label) (t("：", ": ")) } (x.description) }
                            td { (x.department) }
                            td { (x.deadline) }
                            td { (state_chip(x.state, x.overdue, lang)) }
                        }
                    }
                }
            }
        }
    }
}

/// The enterprise user's home page body.
pub fn enterprise_desk(d: &EnterpriseDesk, lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let firm_href = d.enterprise.as_ref().map(|e| format!("/enterprises/{}", e.id));
    html! {
        div.pagehead {
            h1 { @match &d.enterprise { Some(e) => (e.name), None => (t("本企业", "My enterprise")) } }
            p.sub { (t("企业工作台", "Enterprise desk")) " · " (t("统一社会信用代码 ", "USCC ")) (d.uscc) }
        }
        @if d.enterprise.is_none() {
            p role="note" { (t("本企业尚未在重点企业库中登记，请联系属地工业和信息化主管部门登记后报送数据。", "Your enterprise is not in the registry yet: ask your city's bureau to register it, then report its figures.")) }
        }
        section.cards aria-label=(t("概况", "Summary")) {
            div.card {
                p.k { (t("亩均评价", "Per-mu class")) }
                p.v { @match &d.latest { Some((_, r)) => (class_chip(&r.class, &r.reason, lang)), None => span.muted { "—" } } }
                @if let Some((run, _)) = &d.latest { p.muted.small { (run.year) (t(" 年度", "")) } }
            }
            div.card {
                p.k { (t("所在培育库", "Libraries")) }
                p.v { (d.libraries.len()) }
            }
            div.card.alert[!d.owed.is_empty()] {
                p.k { (d.owed_year) (t(" 年度待报数据", " figures owed")) }
                p.v { (d.owed.len()) }
            }
            @if let Some(projects) = &d.projects {
                div.card.alert[d.problems.iter().any(|p| p.overdue)] {
                    p.k { (t("重点项目", "Key projects")) }
                    p.v { (projects.len()) }
                    p.muted.small { (t("未办结问题 ", "open problems ")) (d.problems.len()) }
                }
            }
        }
        section aria-labelledby="h-class" {
            h2 #h-class { (t("亩均效益评价", "Per-mu evaluation")) }
            @match &d.latest {
                None => p.muted { (t("本企业尚无评价结果。", "Your enterprise has not been evaluated yet.")) },
                Some((run, r)) => {
                    p {
                        (run.year) (t(" 年度 · ", " · ")) (run.scheme_name) (t("：", ": ")) (class_chip(&r.class, &r.reason, lang))
                        @if let (Some(score), Some(rank)) = (r.score, r.rank) {
                            " " (t("综合得分 ", "score ")) strong { (ui::num(score, 2)) }
                            (t("，组内排名 ", ", rank ")) (rank) " / " (r.group_size)
                        }
                    }
                    @if !r.reason.is_empty() { p { (t("不参评原因：", "Not rated: ")) (r.reason) } }
                    @if let Some(items) = &r.items {
                        @if !items.is_empty() {
                            div.scroll {
                                table.data.compact {
                                    caption { (t("为何是这一档：各项指标的实际值、基准值与得分", "Why this class: each item's value, benchmark and score")) }
                                    (ui::head(lang, &[ui::col("指标", "Item"), ui::num_col("实际值", "Value"), ui::num_col("基准值", "Benchmark"), ui::num_col("得分", "Score")]))
                                    tbody { @for it in items { tr {
                                        th scope="row" { (it.name) }
                                        td.numcell { @match it.value { Some(v) => (ui::num(v, 2)), None => span.muted { (t("缺（取组均分）", "n/a (group mean)")) } } }
                                        td.numcell { (ui::num(it.benchmark, 2)) }
                                        td.numcell { (ui::num(it.score, 2)) }
                                    } } }
                                }
                            }
                        }
                    }
                    @if let Some(h) = &firm_href { p { a href=(h) { (t("查看历年评价与经营数据", "All evaluations and figures")) } } }
                }
            }
        }
        div.two {
            section aria-labelledby="h-libs" {
                h2 #h-libs { (t("所在培育库", "Libraries it is in")) }
                p.muted { (d.library_year) (t(" 年度", "")) }
                @if d.libraries.is_empty() {
                    p { (t("尚未进入任何培育库。", "Not a member of any library.")) }
                } @else {
                    ul { @for l in &d.libraries {
                        li {
                            (ui::text(&l.name, lang))
                            @if !l.chains.is_empty() { " " span.muted { "(" (l.chains.iter().map(|c| chain_label(&l.library, c, lang)).collect::<Vec<_>>().join(ui::sep(lang))) ")" } }
                            @if let Some(rank) = l.rank { " " span.muted { (t("第 ", "rank ")) (rank) (t(" 名", "")) } }
                        }
                    } }
                }
                h3 { (t("可申报", "May apply for")) }
                @if d.may_apply.is_empty() {
                    p.muted { (t("按已报送的数据，暂无符合条件的培育库。", "By the figures reported, no library's criteria are met yet.")) }
                } @else {
                    ul { @for l in &d.may_apply {
                        li {
                            (ui::text(&l.name, lang)) " "
                            span.muted { "(" (l.status.label(lang)) ")" }
                            @if let Some(s) = &l.summary { br; span.small { (ui::text(s, lang)) } }
                        }
                    } }
                }
                @if let Some(h) = &firm_href { p { a href={ (h) "#libraries" } { (t("各库条件与核验明细", "Each library's criteria and checks")) } } }
            }
            section aria-labelledby="h-owed" {
                h2 #h-owed { (t("待报送数据", "Figures owed")) }
                p.muted { (d.owed_year) (t(" 年度经营数据（本年度报送）", " figures (due this year)")) }
                @if d.owed.is_empty() {
                    p { (t("该年度数据已报齐。", "All of that year's figures are in.")) }
                } @else {
                    ul { @for m in &d.owed { li { (lang.pick(m.zh, m.en)) " " span.muted { "(" (lang.pick(m.unit_zh, m.unit_en)) ")" } } } }
                    @if let (Some(h), true) = (&firm_href, d.may_edit) { p { a href=(h) { (t("去报送", "Report them")) } } }
                }
            }
        }
        @if let Some(projects) = &d.projects {
            section aria-labelledby="h-projects" {
                h2 #h-projects { (t("本企业重点项目", "Our key projects")) }
                @if projects.is_empty() {
                    p { (t("本企业没有在库的重点项目。", "Your enterprise has no key project in the libraries.")) }
                } @else {
                    (ui::table(
                        "",
                        html! { (t("项目所处阶段与未办结问题", "Each project's stage and open problems")) },
                        html! { (ui::cols(lang, &[ui::col("项目", "Project"), ui::col("地市", "City"), ui::col("阶段", "Stage"), ui::num_col("未办结问题", "Open problems")])) },
                        html! {
                            @for p in projects { tr {
                                th scope="row" { a href={ "/projects/" (p.id) } { (p.name) } }
                                td { (p.city) }
                                td { (stage_chip(p.stage, lang)) }
                                td.numcell { (p.open_problems) @if p.overdue_problems > 0 { " " span.chip.oc-failed { (t("超期 ", "overdue ")) (p.overdue_problems) } } }
                            } }
                        },
                    ))
                }
                @if !d.problems.is_empty() {
                    h3 { (t("未办结的问题（企业直通车）", "Open problems (through-train)")) }
                    (problems_table(&d.problems, t("已提出、尚未办结的问题，超期的在前", "Problems raised and not closed, overdue first"), lang))
                }
                p { a href="/projects" { (t("全部重点项目", "All key projects")) } }
            }
        }
        p.downloads { (t("下载本页数据：", "This page's data: ")) a href="/?format=json" { "JSON" } }
    }
}

/// The problems routed to a department and waiting for its answer (its own reporter's task page).
pub fn department_problems(name: &str, list: &[ProblemView], lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    html! {
        section aria-labelledby="h-problems-to-answer" {
            h2 #h-problems-to-answer { (t("待答复的项目问题（企业直通车）", "Project problems to answer (through-train)")) " · " (list.len()) }
            @if list.is_empty() {
                p { (t("没有转办本部门、待答复的问题。", "No problem routed to your department waits for an answer.")) }
            } @else {
                (problems_table(list, &format!("{name}{}", t("：转办本部门、等待答复的问题，超期的在前", ": problems routed to it awaiting its answer, overdue first")), lang))
            }
        }
    }
}

/// The key-project panel of an official's dashboard.
pub fn project_panel(w: &ProjectWatch, lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    html! {
        section aria-labelledby="h-projects" #projects {
            h2 #h-projects { (t("重点项目", "Key projects")) }
            @if let Some((name, mine)) = &w.department {
                h3 { (name) (t("待答复的问题", ": problems to answer")) }
                @if mine.is_empty() {
                    p { (t("没有转办本部门、待答复的问题。", "No problem routed to your department waits for an answer.")) }
                } @else {
                    (problems_table(mine, t("转办本部门、等待答复的问题，超期的在前", "Problems routed to your department awaiting its answer, overdue first"), lang))
                }
            }
            @if !w.slipping.is_empty() {
                div.scroll {
                    table.data {
                        caption { (t("关键节点滞后的项目", "Projects with slipping milestones")) }
                        (ui::head(lang, &[ui::col("项目", "Project"), ui::col("地市", "City"), ui::col("阶段", "Stage"), ui::num_col("滞后节点", "Slipping milestones")]))
                        tbody { @for p in &w.slipping { tr {
                            th scope="row" { a href={ "/projects/" (p.id) } { (p.name) } }
                            td { (p.city) }
                            td { (stage_chip(p.stage, lang)) }
                            td.numcell { span.chip.oc-failed { (p.slipping_milestones) } }
                        } } }
                    }
                }
            }
            @if w.overdue.is_empty() {
                p { (t("没有超期未答复的项目问题。", "No project problem is past its deadline.")) " " a href="/projects" { (t("全部重点项目", "All key projects")) } }
            } @else {
                div.scroll {
                    table.data {
                        caption { (t("有超期问题的项目", "Projects with overdue problems")) }
                        (ui::head(lang, &[ui::col("项目", "Project"), ui::col("地市", "City"), ui::col("阶段", "Stage"), ui::num_col("超期问题", "Overdue"), ui::num_col("未办结问题", "Open")]))
                        tbody { @for p in &w.projects { tr {
                            th scope="row" { a href={ "/projects/" (p.id) } { (p.name) } }
                            td { (p.city) }
                            td { (stage_chip(p.stage, lang)) }
                            td.numcell { span.chip.oc-failed { (p.overdue) } }
                            td.numcell { (p.open) }
                        } } }
                    }
                }
                (problems_table(&w.overdue, t("超过答复期限仍未答复的问题", "Problems past their deadline without an answer"), lang))
                p { a href="/projects" { (t("全部重点项目", "All key projects")) } }
            }
        }
    }
}

/// The desk as the page's JSON download (`/?format=json`).
pub fn desk_json(d: &EnterpriseDesk, lang: Lang) -> Value {
    let library = |l: &jiqun_app::cultivation::FirmLibrary| {
        json!({
            "library": l.library, "name": ui::text(&l.name, lang), "membership": l.membership,
            "status": l.status.as_str(), "status_label": l.status.label(lang), "chains": l.chains,
            "rank": l.rank, "summary": l.summary.as_ref().map(|s| ui::text(s, lang)),
        })
    };
    json!({
        "uscc": d.uscc,
        "enterprise": d.enterprise.as_ref().map(|e| json!({ "id": e.id, "name": e.name, "city": e.city.as_str() })),
        "evaluation": d.latest.as_ref().map(|(run, r)| json!({
            "evaluation_id": run.id, "year": run.year, "scheme": run.scheme_name, "class": r.class,
            "reason": r.reason, "score": r.score, "rank": r.rank, "group_size": r.group_size, "items": r.items,
        })),
        "library_year": d.library_year,
        "libraries": d.libraries.iter().map(library).collect::<Vec<_>>(),
        "may_apply": d.may_apply.iter().map(library).collect::<Vec<_>>(),
        "owed_year": d.owed_year,
        "owed": d.owed.iter().map(|m| json!({ "metric": m.key, "name": lang.pick(m.zh, m.en), "unit": lang.pick(m.unit_zh, m.unit_en) })).collect::<Vec<_>>(),
        "projects": d.projects,
        "open_problems": d.problems,
    })
}

/// The key-project panel in the dashboard's JSON download.
pub fn watch_json(w: &ProjectWatch) -> Value {
    json!({
        "overdue_problems": w.overdue,
        "projects_with_overdue_problems": w.projects.iter().map(|p| json!({
            "id": p.id, "name": p.name, "city": p.city, "stage": p.stage.as_str(), "stage_label": p.stage_label,
            "overdue_problems": p.overdue, "open_problems": p.open,
        })).collect::<Vec<_>>(),
        "department": w.department.as_ref().map(|(name, mine)| json!({ "name": name, "to_answer": mine })),
        "projects_with_slipping_milestones": w.slipping.iter().map(|p| json!({
            "id": p.id, "name": p.name, "city": p.city, "stage": p.stage.as_str(), "slipping_milestones": p.slipping_milestones,
        })).collect::<Vec<_>>(),
    })
}
