//! `/projects`: the key-project libraries (集成电路重点项目库, 5G重大项目库 …) with filters by library, city and
//! stage, and the form to register a project; `/projects/{id}`: one project with its stage timeline, its
//! problems (企业直通车) and the forms to move its stage, raise, answer and settle problems. Facts of the
//! plan's named projects come with their public source; demo projects say they are synthetic.

use axum::response::Response;
use jiqun_app::projects::{
    AnswerInput, MilestoneDoneInput, MilestoneInput, ProblemInput, ProgressInput, ProgressReviewInput, ProjectDetail,
    ProjectInput, ProjectView, SettleInput, StageInput, TrackingInput,
};
use jiqun_app::{Action, AppError, Object, Perm, Session};
use jiqun_domain::Lang;
use jiqun_domain::projects::TrackingKind;
use jiqun_domain::projects::{ProblemKind, ProblemState, ProjectStage};
use jiqun_domain::report::ReviewState;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

use super::api::ProjectQuery;
use crate::ctx::{AppState, Ctx};
use crate::error::{PageError, PageResult, WithLang};
use crate::extract::{Form, Path, Query};
use crate::kit::charts;
use crate::kit::ui::{self, CsvColumn, Export};

/// A project's stage as a chip (also on the plan owner's desk).
pub fn stage_chip(stage: ProjectStage, lang: Lang) -> Markup {
    html! { span class={ "chip st-" (stage.as_str()) } { (stage.label(lang)) } }
}

/// A problem's state as a chip, with a second one when it is overdue.
pub fn state_chip(state: ProblemState, overdue: bool, lang: Lang) -> Markup {
    html! {
        span class={ "chip pb-" (state.as_str()) } { (state.label(lang)) }
        @if overdue { " " span.chip.oc-failed { (lang.pick("已超期", "overdue")) } }
    }
}

fn synthetic_chip(lang: Lang) -> Markup {
    html! { span.chip.synthetic title=(lang.pick("演示用合成数据", "made up for the demo")) { (lang.pick("示例", "synthetic")) } }
}

fn money(v: Option<f64>, lang: Lang) -> String {
    match v {
        Some(w) => ui::human(w * 10_000.0, "元"),
        None => lang.pick("未公开", "not published").to_string(),
    }
}

pub async fn projects(ctx: Ctx, Query(q): Query<ProjectQuery>) -> PageResult<Response> {
    let s = ctx.page_user()?;
    show(&ctx.app, &ctx, s, &q, &NewProjectForm::default(), None).await
}

const PROJECTS_CSV: &[CsvColumn<ProjectView>] = &[
    ("id", |p| p.id.to_string()),
    ("name", |p| p.name.clone()),
    ("owner_uscc", |p| p.owner_uscc.clone().unwrap_or_default()),
    ("owner_name", |p| p.owner_name.clone()),
    ("city", |p| p.city.clone()),
    ("stage", |p| p.stage.as_str().to_string()),
    ("libraries", |p| p.libraries.join(" ")),
    ("plan_items", |p| p.plan_items.join(" ")),
    ("total_investment_wan", |p| p.total_investment_wan.map(|v| ui::num(v, 2)).unwrap_or_default()),
    ("open_problems", |p| p.open_problems.to_string()),
    ("overdue_problems", |p| p.overdue_problems.to_string()),
    ("source", |p| p.source.clone()),
    ("synthetic", |p| ui::flag(p.synthetic)),
    ("completed_investment_wan", |p| p.completed_investment_wan.map(|v| ui::num(v, 2)).unwrap_or_default()),
    ("physical_percent", |p| p.physical_percent.map(|v| ui::num(v, 1)).unwrap_or_default()),
    ("slipping_milestones", |p| p.slipping_milestones.to_string()),
];

async fn show(
    app: &AppState,
    ctx: &Ctx,
    s: &Session,
    q: &ProjectQuery,
    form: &NewProjectForm,
    error: Option<AppError>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let filter = q.filter().page(lang)?;
    let items = app.projects(s, &filter, lang).await.page(lang)?;
    let libraries = app.project_libraries(s, lang).await.page(lang)?;
    let snap = app.snapshot().await.page(lang)?;
    if let Some(export) = ui::list_export(ctx, snap.synthetic, ("projects", "projects"), &items, PROJECTS_CSV) {
        return Ok(export);
    }
    let may_register = !s.roles.scopes(&s.user, Perm::ManageProjects).is_empty();
    let may_assess = !s.roles.scopes(&s.user, Perm::AssessProjects).is_empty();
    let routing = match s.can(&Action::ManageProjects(Object::default())) {
        true => Some(app.problem_routing(s).await.page(lang)?),
        false => None,
    };
    let cities: Vec<&str> = ui::regions().prefecture_cities().map(|c| c.name.as_str()).collect();
    let status = ui::form_status(error.as_ref());
    let selected = |v: &Option<String>, x: &str| v.as_deref() == Some(x);
    // The plan items (programmes) the projects serve, for the filter.
    let mut items_in_use: Vec<String> =
        libraries.iter().map(|l| l.plan_item.clone()).filter(|i| !i.is_empty()).collect();
    items_in_use.extend(items.iter().flat_map(|p| p.plan_items.iter().cloned()));
    items_in_use.sort();
    items_in_use.dedup();
    let body = html! {
        div.pagehead {
            h1 { (t("重点项目", "Key projects")) }
            p.sub { (t("计划要求建立集成电路重点项目库和5G重大项目库，实行跟踪服务。每个项目从谋划到投产一条记录：阶段及其变更、企业直通车问题及办理情况。", "The plan asks for libraries of key IC and major 5G projects with tracking service. One record per project from planning to operation: its stages and their changes, and the problems raised on the enterprise through-train.")) }
            (ui::export_buttons(lang, "projects", ""))
        }
        @if items.iter().any(|p| p.synthetic) {
            (ui::example_banner(lang, "标有“示例”的项目为演示用合成数据；计划点名的项目只列公开来源载明的事实，来源未载明的数字留空。", "projects marked “synthetic” are made up for the demo; the projects the plan names carry only facts a public source gives, and figures no source gives are left empty."))
        }
        ul.cards { @for l in &libraries { li { a href={ "/projects?library=" (l.id) } { strong { (l.name) } } " · " (l.projects) (t(" 个项目", " projects")) @if !l.plan_item.is_empty() { " · " (t("计划条目 ", "plan item ")) (l.plan_item) }
            @if !l.trackers.departments.is_empty() || !l.trackers.officials.is_empty() {
                br; span.muted { (t("跟踪服务：", "Tracked by: ")) (l.trackers.departments.join("、")) @if !l.trackers.departments.is_empty() && !l.trackers.officials.is_empty() { "；" } (l.trackers.officials.join("、")) }
            }
        } } }
        form.filters method="get" action="/projects" {
            label { (t("项目库", "Library")) select name="library" { option value="" { (t("全部", "all")) } @for l in &libraries { option value=(l.id) selected[selected(&q.library, &l.id)] { (l.name) } } } }
            label { (t("城市", "City")) select name="city" { option value="" { (t("全部", "all")) } @for c in &cities { option value=(c) selected[selected(&q.city, c)] { (c) } } } }
            label { (t("计划条目", "Plan item")) select name="item" { option value="" { (t("全部", "all")) } @for i in &items_in_use { option value=(i) selected[selected(&q.item, i)] { (i) } } } }
            label { (t("阶段", "Stage")) select name="stage" { option value="" { (t("全部", "all")) } @for st in ProjectStage::ALL { option value=(st.as_str()) selected[selected(&q.stage, st.as_str())] { (st.label(lang)) } } } }
            button type="submit" { (t("筛选", "Filter")) }
        }
        h2 { (t("项目", "Projects")) " · " (items.len()) }
        @if items.is_empty() { p.muted { (t("没有符合条件的项目。", "No project matches.")) } } @else {
            div.scroll { table.data.compact {
                (ui::head(lang, &[ui::col("项目", "Project"), ui::col("城市", "City"), ui::col("业主", "Owner"), ui::col("阶段", "Stage"), ui::num_col("计划总投资", "Planned investment"), ui::num_col("未办结问题", "Open problems")]))
                tbody { @for p in &items { tr {
                    th scope="row" { a href={ "/projects/" (p.id) } { (p.name) } @if p.synthetic { " " (synthetic_chip(lang)) } }
                    td { (p.city) }
                    td { @if p.owner_name.is_empty() { span.muted { (t("待核实", "to be verified")) } } @else { (p.owner_name) } }
                    td { (stage_chip(p.stage, lang)) @if p.slipping_milestones > 0 { " " span.chip.oc-failed { (t("节点滞后 ", "slipping ")) (p.slipping_milestones) } } }
                    td.numcell { (money(p.total_investment_wan, lang)) }
                    td.numcell { (p.open_problems) @if p.overdue_problems > 0 { " " span.chip.oc-failed { (t("超期 ", "overdue ")) (p.overdue_problems) } } }
                } } }
            } }
        }
        (ui::downloads(ctx, lang))
        @if may_assess { p { a href="/projects/admission" { (t("新增工业项目准入评价 →", "Assess a new industrial project for admission →")) } } }
        @if may_register {
            details.panel open[error.is_some()] {
                summary { (t("登记重点项目", "Register a key project")) }
                @if let Some(e) = &error { (ui::form_error(e, lang)) }
                form.grid method="post" action="/projects/new" {
                    (ui::csrf(s))
                    label { (t("项目名称", "Name")) input name="name" required maxlength="100" value=(form.name); }
                    label { (t("城市", "City")) select name="city" required { @for c in &cities { option value=(c) selected[form.city == *c] { (c) } } } }
                    label { (t("业主单位", "Owner")) input name="owner_name" maxlength="100" value=(form.owner_name); }
                    label { (t("业主统一社会信用代码", "Owner's USCC")) input name="owner_uscc" maxlength="18" value=(form.owner_uscc); }
                    label { (t("项目库", "Library")) select name="library" { option value="" { (t("（不入库）", "(none)")) } @for l in &libraries { option value=(l.id) selected[form.library == l.id] { (l.name) } } } }
                    label { (t("计划总投资（万元）", "Planned investment (10k yuan)")) input name="total_investment_wan" inputmode="decimal" value=(form.total_investment_wan); }
                    label.wide { (t("来源（批复、签约或公开报道）", "Source (approval, contract or public report)")) input name="source" required maxlength="500" value=(form.source); }
                    div.actions { button type="submit" { (t("登记", "Register")) } }
                }
            }
        }
        @if let Some(routing) = &routing {
            (super::routing::panel(s, lang, routing, None))
            (super::libraries::trackers_panel(s, lang, &libraries))
        }
    };
    Ok(ui::page_status(ctx, s, snap.synthetic, status, t("重点项目", "Key projects"), body))
}

#[derive(Deserialize, Default, Clone)]
pub struct NewProjectForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    owner_name: String,
    #[serde(default)]
    owner_uscc: String,
    #[serde(default)]
    library: String,
    #[serde(default)]
    total_investment_wan: String,
    #[serde(default)]
    source: String,
}

pub async fn register(ctx: Ctx, Form(f): Form<NewProjectForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer(Some(&f.csrf))?;
    let investment = match f.total_investment_wan.trim() {
        "" => Ok(None),
        raw => ui::parse_amount(raw, "").map(Some).ok_or_else(|| {
            AppError::invalid("total_investment_wan", format!("“{raw}”不是数值"), format!("“{raw}” is not a number"))
        }),
    };
    let result = match investment {
        Ok(total_investment_wan) => {
            let input = ProjectInput {
                name: f.name.clone(),
                owner_uscc: Some(f.owner_uscc.clone()),
                owner_name: f.owner_name.clone(),
                city: f.city.clone(),
                libraries: if f.library.is_empty() { vec![] } else { vec![f.library.clone()] },
                total_investment_wan,
                source: f.source.clone(),
                ..Default::default()
            };
            ctx.app.create_project(s, &input, &ctx.ip).await
        }
        Err(e) => Err(e),
    };
    let done = result.map(|id| format!("/projects/{id}"));
    let query = ProjectQuery::default();
    ui::after_post(lang, done, ui::REFUSED, |e| show(&ctx.app, &ctx, s, &query, &f, Some(e))).await
}

fn object(p: &ProjectView) -> Object<'_> {
    Object { city: &p.city, uscc: p.owner_uscc.as_deref().unwrap_or(""), ..Object::default() }
}

pub async fn project(ctx: Ctx, Path(id): Path<i64>) -> PageResult<Response> {
    let s = ctx.page_user()?;
    show_one(&ctx.app, &ctx, s, id, None).await
}

async fn show_one(
    app: &AppState,
    ctx: &Ctx,
    s: &Session,
    id: i64,
    error: Option<(&str, AppError)>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let d: ProjectDetail = app.project(s, id, lang).await.page(lang)?;
    let snap = app.snapshot().await.page(lang)?;
    if let Some(Export::Json) = ui::export(ctx) {
        return Ok(ui::json(snap.synthetic, "project", json!(d)));
    }
    let p = &d.project;
    let libraries = ctx.app.project_libraries(s, lang).await.page(lang)?;
    let library_names: Vec<&str> = p
        .libraries
        .iter()
        .map(|id| libraries.iter().find(|l| &l.id == id).map_or(id.as_str(), |l| l.name.as_str()))
        .collect();
    let manage = s.can(&Action::ManageProjects(object(p)));
    let raise = s.can(&Action::RaiseProblem(object(p))) && p.stage.is_open();
    let report = s.can(&Action::ReportProject(object(p)));
    let log = app.may_log_project(s, id).await.page(lang)?;
    let routing = app.problem_routing(s).await.page(lang)?;
    let chart_points: Vec<(String, f64)> = d
        .progress
        .iter()
        .filter(|g| g.state == ReviewState::Accepted)
        .map(|g| (g.period.clone(), g.invest_cumulative_wan))
        .collect();
    let chart_text = charts::InvestmentText {
        title: t("累计完成投资与计划总投资", "Cumulative investment completed against the planned total"),
        completed: t("累计完成投资（已审核）", "cumulative completed (accepted)"),
        planned: t("计划总投资", "planned total"),
    };
    let wan = |v: f64| ui::num(v, 2);
    let status = ui::form_status(error.as_ref().map(|(_, e)| e));
    let err = |which: &str| error.as_ref().filter(|(w, _)| *w == which).map(|(_, e)| ui::form_error(e, lang));
    let dash = |v: &str| if v.is_empty() { t("—", "—").to_string() } else { v.to_string() };
    let next: Vec<ProjectStage> =
        ProjectStage::ALL.into_iter().filter(|to| p.stage.may_move(*to, p.suspended_from).is_ok()).collect();
    let body = html! {
        p.crumbs { a href="/projects" { (t("重点项目", "Key projects")) } }
        div.pagehead {
            h1 { (p.name) " " (stage_chip(p.stage, lang)) @if p.synthetic { " " (synthetic_chip(lang)) } }
            p.sub { (p.city) " · " (t("业主 ", "owner ")) (dash(&p.owner_name)) @if let Some(u) = &p.owner_uscc { " " code { (u) } } }
        }
        @if p.synthetic { (ui::example_banner(lang, "本项目为演示用合成数据。", "this project is made up for the demo.")) }
        dl.facts {
            dt { (t("项目库", "Libraries")) } dd { (dash(&library_names.join("、"))) }
            dt { (t("服务的计划条目", "Plan items")) } dd { (dash(&p.plan_items.join("、"))) }
            dt { (t("计划总投资", "Planned investment")) } dd {
                (money(p.total_investment_wan, lang))
                @if let Some(src) = p.figure_sources.get("total_investment_wan") { " " span.small.muted { (t("来源：", "source: ")) (src) } }
            }
            @if !p.yearly_plan.is_empty() {
                dt { (t("分年度投资计划", "Investment plan by year")) } dd {
                    @for (i, y) in p.yearly_plan.iter().enumerate() { @if i > 0 { "；" } (y.year) (t("年 ", ": ")) (money(Some(y.amount_wan), lang)) }
                    @if let Some(src) = p.figure_sources.get("yearly_plan") { " " span.small.muted { (t("来源：", "source: ")) (src) } }
                }
            }
            @if p.fast_lane { dt { (t("快速通道", "Fast lane")) } dd { (t("是（问题办理时限减半）", "yes (problem deadlines halved)")) } }
            dt { (t("来源", "Source")) } dd { (p.source) }
            @if let Some(a) = p.admission_id {
                dt { (t("准入评价", "Admission check")) } dd { a href={ "/projects/admission/" (a) } { (p.decision.as_deref().map(|d| jiqun_app::cultivation::decision_label(d, lang)).unwrap_or("—")) } }
            }
        }
        section aria-labelledby="h-timeline" {
            h2 #h-timeline { (t("阶段", "Stages")) }
            ol.timeline { @for c in &d.stages { li {
                (stage_chip(c.to_stage, lang)) " "
                @match c.on { Some(on) => (on.to_string()), None => span.muted { (t("日期未记录", "date not recorded")) } }
                " · " (c.reason) @if let Some(by) = &c.by { span.muted { " · " (by) } }
            } } }
            @if manage && !next.is_empty() {
                details.panel open[err("stage").is_some()] {
                    summary { (t("变更阶段", "Change the stage")) }
                    @if let Some(e) = err("stage") { (e) }
                    form.grid method="post" action={ "/projects/" (p.id) "/stage" } {
                        (ui::csrf(s))
                        input type="hidden" name="version" value=(p.version);
                        label { (t("新阶段", "New stage")) select name="stage" required { @for st in &next { option value=(st.as_str()) { (st.label(lang)) } } } }
                        label { (t("日期", "Date")) input name="on" type="date" required; }
                        label.wide { (t("依据（签约、施工许可、验收等）", "Why (contract, permit, acceptance …)")) input name="reason" required maxlength="500"; }
                        div.actions { button type="submit" { (t("变更", "Change")) } }
                    }
                }
            }
        }
        section aria-labelledby="h-problems" {
            h2 #h-problems { (t("企业直通车问题", "Problems (enterprise through-train)")) " · " (d.problems.len()) }
            @if d.problems.is_empty() { p.muted { (t("暂无问题。", "No problem raised.")) } }
            @for x in &d.problems {
                article.panel {
                    h3 { (x.kind_label) " " (state_chip(x.state, x.overdue, lang)) }
                    p { (x.description) }
                    p.small.muted { (t("交办 ", "routed to ")) (x.department) " · " (t("办理时限 ", "deadline ")) (x.deadline.to_string()) " · " (t("提出于 ", "raised ")) (ui::datetime(x.raised_at)) @if x.reopened > 0 { " · " (t("重新办理 ", "reopened ")) (x.reopened) } }
                    @if let Some(a) = &x.answer { p { strong { (t("答复：", "Answer: ")) } (a) } }
                    @if let Some(b) = &x.decision_basis { p.small { (t("一事一议依据：", "Basis of the case-by-case decision: ")) (b) } }
                    @if x.state.awaits_answer() && s.can(&Action::AnswerProblem { agency: &x.department }) {
                        @if let Some(e) = err(&format!("answer-{}", x.id)) { (e) }
                        form.grid method="post" action={ "/problems/" (x.id) "/answer" } {
                            (ui::csrf(s))
                            label.wide { (t("答复", "Answer")) textarea name="answer" required maxlength="2000" {} }
                            label.wide { (t("一事一议依据（如有）", "Basis of a case-by-case decision (if any)")) input name="decision_basis" maxlength="1000"; }
                            div.actions { button type="submit" { (t("答复", "Answer")) } }
                        }
                    }
                    @if x.state == ProblemState::Answered && s.can(&Action::RaiseProblem(object(p))) {
                        form.inline method="post" action={ "/problems/" (x.id) "/settle" } {
                            (ui::csrf(s))
                            button type="submit" name="accept" value="true" { (t("确认办结", "Accept and close")) }
                            " "
                            button type="submit" name="accept" value="false" { (t("不满意，重新办理", "Not solved: reopen")) }
                        }
                    }
                }
            }
            @if raise {
                details.panel open[err("problem").is_some()] {
                    summary { (t("提出问题", "Raise a problem")) }
                    @if let Some(e) = err("problem") { (e) }
                    form.grid method="post" action={ "/projects/" (p.id) "/problems" } {
                        (ui::csrf(s))
                        label { (t("类别", "Kind")) select name="kind" required { @for k in ProblemKind::ALL { option value=(k.as_str()) { (k.label(lang)) " → " (routing.rule(k).0) } } } }
                        label.wide { (t("问题描述", "What is the problem")) textarea name="description" required maxlength="2000" {} }
                        div.actions { button type="submit" { (t("提交", "Submit")) } }
                    }
                }
            }
        }
        section aria-labelledby="h-progress" {
            h2 #h-progress { (t("分期进度", "Progress by period")) }
            @if let Some(done) = p.completed_investment_wan {
                p { (t("已审核累计完成投资 ", "Accepted cumulative investment ")) strong { (money(Some(done), lang)) }
                    @if let Some(total) = p.total_investment_wan { @if total > 0.0 { " · " (t("占计划总投资 ", "of the planned total ")) (ui::num(done * 100.0 / total, 1)) "%" } }
                    @if let Some(pc) = p.physical_percent { " · " (t("形象进度 ", "physical progress ")) (ui::num(pc, 1)) "%" }
                }
            }
            (charts::investment_chart(&format!("invest-{}", p.id), &chart_points, p.total_investment_wan, &chart_text))
            @if d.progress.is_empty() { p.muted { (t("尚未填报进度。", "No progress reported yet.")) } } @else {
                div.scroll { table.data.compact {
                    (ui::head(lang, &[ui::col("报告期", "Period"), ui::num_col("本期完成投资（万元）", "In the period (10k yuan)"), ui::num_col("累计完成投资（万元）", "Cumulative (10k yuan)"), ui::num_col("形象进度", "Physical progress"), ui::col("进展", "Narrative"), ui::col("审核", "Review")]))
                    tbody { @for g in &d.progress { tr {
                        th scope="row" { (g.period) @if g.synthetic { " " (synthetic_chip(lang)) } }
                        td.numcell { (wan(g.invest_period_wan)) }
                        td.numcell { (wan(g.invest_cumulative_wan)) }
                        td.numcell { (ui::num(g.physical_percent, 1)) "%" }
                        td { (g.narrative) @if let Some(by) = &g.by { span.muted { " · " (by) } } @if g.version > 1 { span.muted { " · " (t("第 ", "version ")) (g.version) (t(" 次报送", "")) } } }
                        td {
                            (ui::state_chip(&g.state, lang))
                            @if let Some(c) = g.review_comment.as_deref().filter(|c| !c.is_empty()) { " " span.small { (c) } }
                            @if manage && g.state.may_review(false) {
                                @if let Some(e) = err(&format!("review-{}", g.period)) { (e) }
                                form.inline method="post" action={ "/projects/" (p.id) "/progress/" (g.period) "/review" } {
                                    (ui::csrf(s))
                                    input name="comment" maxlength="1000" placeholder=(t("意见（退回时必填）", "comment (required to return)"));
                                    @if g.state.may_review(true) && g.by.as_deref() != Some(s.user.username.as_str()) { button type="submit" name="accept" value="true" { (t("通过", "Accept")) } " " }
                                    button type="submit" name="accept" value="false" { (t("退回", "Return")) }
                                }
                            }
                        }
                    } } }
                } }
            }
            @if !d.progress_history.is_empty() {
                details.panel {
                    summary { (t("历次报送", "Earlier versions")) " · " (d.progress_history.len()) }
                    ul { @for g in &d.progress_history { li {
                        (g.period) " · " (t("第 ", "version ")) (g.version) (t(" 次", "")) " · " (g.state_label) " · "
                        (wan(g.invest_cumulative_wan)) (t(" 万元", " (10k yuan)")) " · " (ui::num(g.physical_percent, 1)) "%"
                        @if let Some(c) = g.review_comment.as_deref().filter(|c| !c.is_empty()) { " · " (c) }
                    } } }
                }
            }
            @if report {
                details.panel open[err("progress").is_some()] {
                    summary { (t("填报进度", "Report progress")) }
                    @if let Some(e) = err("progress") { (e) }
                    form.grid method="post" action={ "/projects/" (p.id) "/progress" } {
                        (ui::csrf(s))
                        label { (t("报告期（如 2025Q2）", "Period (e.g. 2025Q2)")) input name="period" required maxlength="7"; }
                        label { (t("本期完成投资（万元）", "Investment in the period (10k yuan)")) input name="invest_period_wan" required inputmode="decimal"; }
                        label { (t("累计完成投资（万元）", "Cumulative investment (10k yuan)")) input name="invest_cumulative_wan" required inputmode="decimal"; }
                        label { (t("形象进度（%）", "Physical progress (%)")) input name="physical_percent" required inputmode="decimal"; }
                        label.wide { (t("进展情况", "What was done")) textarea name="narrative" required maxlength="1000" {} }
                        div.actions { button type="submit" { (t("提交", "Submit")) } }
                    }
                }
            }
        }
        section aria-labelledby="h-milestones" {
            h2 #h-milestones { (t("关键节点", "Milestones")) @if p.slipping_milestones > 0 { " " span.chip.oc-failed { (t("滞后 ", "slipping ")) (p.slipping_milestones) } } }
            @if d.milestones.is_empty() { p.muted { (t("尚未设置节点。", "No milestone set.")) } } @else {
                div.scroll { table.data.compact {
                    (ui::head(lang, &[ui::col("节点", "Milestone"), ui::col("计划日期", "Planned"), ui::col("实际完成", "Done")]))
                    tbody { @for m in &d.milestones { tr {
                        th scope="row" { (m.name) @if m.synthetic { " " (synthetic_chip(lang)) } @if m.slipping { " " span.chip.oc-failed { (t("滞后", "slipping")) } } }
                        td { (m.planned_on.to_string()) }
                        td {
                            @match m.done_on { Some(on) => (on.to_string()), None => span.muted { (t("未完成", "not yet")) } }
                            @if manage && m.done_on.is_none() {
                                @if let Some(e) = err(&format!("done-{}", m.id)) { (e) }
                                form.inline method="post" action={ "/milestones/" (m.id) "/done" } {
                                    (ui::csrf(s))
                                    input name="on" type="date" required aria-label=(t("完成日期", "Day done"));
                                    " " button type="submit" { (t("标记完成", "Mark done")) }
                                }
                            }
                        }
                    } } }
                } }
            }
            @if manage {
                details.panel open[err("milestone").is_some()] {
                    summary { (t("新增节点", "Add a milestone")) }
                    @if let Some(e) = err("milestone") { (e) }
                    form.grid method="post" action={ "/projects/" (p.id) "/milestones" } {
                        (ui::csrf(s))
                        label { (t("节点名称", "Name")) input name="name" required maxlength="200"; }
                        label { (t("计划日期", "Planned date")) input name="planned_on" type="date" required; }
                        div.actions { button type="submit" { (t("新增", "Add")) } }
                    }
                }
            }
        }
        section aria-labelledby="h-log" {
            h2 #h-log { (t("跟踪服务记录", "Tracking log")) " · " (d.log.len()) }
            @if d.log.is_empty() { p.muted { (t("暂无记录。", "Nothing recorded yet.")) } }
            ol.timeline { @for e in &d.log { li {
                (e.on.to_string()) " · " strong { (e.kind_label) } " · " (e.note)
                span.muted { " · " (t("参加：", "with: ")) (e.who) @if let Some(by) = &e.by { " · " (t("记录人 ", "recorded by ")) (by) } }
                @if e.synthetic { " " (synthetic_chip(lang)) }
            } } }
            @if log {
                details.panel open[err("log").is_some()] {
                    summary { (t("记录走访、会商或决策", "Record a visit, meeting or decision")) }
                    @if let Some(e) = err("log") { (e) }
                    form.grid method="post" action={ "/projects/" (p.id) "/log" } {
                        (ui::csrf(s))
                        label { (t("日期", "Date")) input name="on" type="date" required; }
                        label { (t("类别", "Kind")) select name="kind" required { @for k in TrackingKind::ALL { option value=(k.as_str()) { (k.label(lang)) } } } }
                        label.wide { (t("参加人员", "Who took part")) input name="who" required maxlength="200"; }
                        label.wide { (t("内容", "Note")) textarea name="note" required maxlength="2000" {} }
                        div.actions { button type="submit" { (t("记录", "Record")) } }
                    }
                }
            }
        }
        p.downloads { a href={ "/projects/" (p.id) "?format=json" } { "JSON" } }
    };
    Ok(ui::page_status(ctx, s, snap.synthetic, status, &p.name, body))
}

#[derive(Deserialize, Default)]
pub struct StageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: Option<i64>,
}

/// A form's answer: back to the project, or the project with the refused form's error.
async fn after(
    app: &AppState,
    ctx: &Ctx,
    s: &Session,
    id: i64,
    which: &str,
    r: Result<(), AppError>,
) -> PageResult<Response> {
    let done = r.map(|()| format!("/projects/{id}"));
    ui::after_post(ctx.lang, done, ui::REFUSED_OR_GONE, |e| show_one(app, ctx, s, id, Some((which, e)))).await
}

pub async fn stage(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<StageForm>) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    let input = StageInput { stage: f.stage, on: f.on, reason: f.reason, version: f.version };
    let r = ctx.app.move_stage(s, id, &input, &ctx.ip).await;
    after(&ctx.app, &ctx, s, id, "stage", r).await
}

#[derive(Deserialize, Default)]
pub struct ProblemForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
}

pub async fn raise(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ProblemForm>) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    let r = ctx
        .app
        .raise_problem(s, id, &ProblemInput { kind: f.kind, description: f.description }, &ctx.ip)
        .await
        .map(|_| ());
    after(&ctx.app, &ctx, s, id, "problem", r).await
}

#[derive(Deserialize, Default)]
pub struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    decision_basis: String,
    #[serde(default)]
    accept: String,
}

/// The project a problem is on, for the redirect back (403/404 as the use case says).
async fn problem_project(app: &AppState, ctx: &Ctx, s: &Session, problem: i64) -> PageResult<i64> {
    let all = app.problems(s, ctx.lang).await.page(ctx.lang)?;
    all.into_iter()
        .find(|x| x.id == problem)
        .map(|x| x.project_id)
        .ok_or_else(|| PageError(AppError::forbidden(), ctx.lang))
}

pub async fn answer(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<AnswerForm>) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    let project = problem_project(&ctx.app, &ctx, s, id).await?;
    let basis = Some(f.decision_basis).filter(|b| !b.trim().is_empty());
    let r = ctx.app.answer_problem(s, id, &AnswerInput { answer: f.answer, decision_basis: basis }, &ctx.ip).await;
    after(&ctx.app, &ctx, s, project, &format!("answer-{id}"), r).await
}

pub async fn settle(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<AnswerForm>) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    let project = problem_project(&ctx.app, &ctx, s, id).await?;
    let r = ctx.app.settle_problem(s, id, &SettleInput { accept: f.accept == "true" }, &ctx.ip).await;
    after(&ctx.app, &ctx, s, project, "settle", r).await
}

/// A number typed in a form: empty or not a number is `NaN`, which the use case refuses naming the field.
fn number(raw: &str) -> f64 {
    ui::parse_amount(raw.trim(), "").unwrap_or(f64::NAN)
}

#[derive(Deserialize, Default)]
pub struct ProgressForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    invest_period_wan: String,
    #[serde(default)]
    invest_cumulative_wan: String,
    #[serde(default)]
    physical_percent: String,
    #[serde(default)]
    narrative: String,
}

pub async fn progress(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ProgressForm>) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    let input = ProgressInput {
        period: f.period,
        invest_period_wan: number(&f.invest_period_wan),
        invest_cumulative_wan: number(&f.invest_cumulative_wan),
        physical_percent: number(f.physical_percent.trim().trim_end_matches(['%', '％'])),
        narrative: f.narrative,
    };
    let r = ctx.app.report_progress(s, id, &input, &ctx.ip).await.map(|_| ());
    after(&ctx.app, &ctx, s, id, "progress", r).await
}

#[derive(Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    accept: String,
    #[serde(default)]
    comment: String,
}

pub async fn review(
    ctx: Ctx,
    Path((id, period)): Path<(i64, String)>,
    Form(f): Form<ReviewForm>,
) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    let input = ProgressReviewInput { accept: f.accept == "true", comment: f.comment };
    let r = ctx.app.review_progress(s, id, &period, &input, &ctx.ip).await;
    after(&ctx.app, &ctx, s, id, &format!("review-{period}"), r).await
}

#[derive(Deserialize, Default)]
pub struct MilestoneForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    planned_on: String,
    #[serde(default)]
    on: String,
}

pub async fn milestone(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<MilestoneForm>) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    let input = MilestoneInput { name: f.name, planned_on: f.planned_on };
    let r = ctx.app.add_milestone(s, id, &input, &ctx.ip).await.map(|_| ());
    after(&ctx.app, &ctx, s, id, "milestone", r).await
}

pub async fn milestone_done(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<MilestoneForm>) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    let m = ctx.app.milestone(s, id).await.page(ctx.lang)?;
    let r = ctx.app.milestone_done(s, id, &MilestoneDoneInput { on: f.on }, &ctx.ip).await.map(|_| ());
    after(&ctx.app, &ctx, s, m.project_id, &format!("done-{id}"), r).await
}

#[derive(Deserialize, Default)]
pub struct LogForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    who: String,
}

pub async fn log(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<LogForm>) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    let input = TrackingInput { on: f.on, kind: f.kind, note: f.note, who: f.who };
    let r = ctx.app.add_tracking(s, id, &input, &ctx.ip).await.map(|_| ());
    after(&ctx.app, &ctx, s, id, "log", r).await
}
