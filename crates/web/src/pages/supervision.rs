//! Supervision (督办). `/supervision`: the plan owner's review list, the reporting rounds, and every
//! assignment with its latest report and its overdue and stalled flags, filterable by department.
//! `/agencies/{name}`: a department's tasks. `/my`: the user's own page. `/assignments/{id}`: one
//! assignment with every report version, its review comments and attachments, and the department's report
//! form. Attachments are uploaded as the raw request body (`app.js`), at most 10 MB.

use std::sync::OnceLock;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiqun_app::model::{ReportInput, ReportRow};
use jiqun_app::snapshot::{AssignmentView, PlanView, Snapshot};
use jiqun_app::{Action, AppError, Session};
use jiqun_domain::{AgencyRegistry, Lang};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use super::plan::flags;
use super::ui::{self, Csv, Export, bar, can, enc, num, period_label, report_status_label, role_label, state_chip};
use crate::ctx::{AppState, Ctx};
use crate::error::{ApiError, PageError, PageLang, PageResult};
use crate::extract::{Form, Path, Query};

/// The largest attachment accepted.
pub const MAX_ATTACHMENT: usize = 10 * 1024 * 1024;

fn registry() -> &'static AgencyRegistry {
    static R: OnceLock<AgencyRegistry> = OnceLock::new();
    R.get_or_init(AgencyRegistry::guangdong)
}

const REPORT_STATUSES: [&str; 4] = ["not_started", "on_schedule", "behind", "done"];

// ---- /supervision ----

#[derive(Deserialize, Default)]
pub struct SupQuery {
    plan: Option<i64>,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    flag: String,
    done: Option<String>,
}

/// A refused write on the supervision page.
#[derive(Default)]
struct SupRefused {
    which: &'static str,
    report: i64,
    error: Option<AppError>,
    comment: String,
    period: String,
    deadline: String,
}

pub async fn supervision(State(app): State<AppState>, ctx: Ctx, Query(q): Query<SupQuery>) -> PageResult<Response> {
    let s = ui::reader(&ctx)?;
    sup_page(&app, &ctx, s, &q, SupRefused::default()).await
}

fn filtered<'a>(plan: &'a PlanView, q: &SupQuery) -> Vec<&'a AssignmentView> {
    plan.assignments
        .iter()
        .filter(|a| q.agency.is_empty() || a.row.agency == q.agency)
        .filter(|a| match q.flag.as_str() {
            "overdue" => !a.overdue.is_empty(),
            "stalled" => a.stalled,
            "any" => !a.overdue.is_empty() || a.stalled,
            _ => true,
        })
        .collect()
}

async fn sup_page(app: &AppState, ctx: &Ctx, s: &Session, q: &SupQuery, refused: SupRefused) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let snap = app.snapshot().await.page(lang)?;
    let plan = ui::plan_of(ctx, &snap, q.plan)?;
    let rows = filtered(plan, q);
    let owner = can(s, &Action::ReviewReport);
    let queue: Vec<_> =
        plan.review_queue().into_iter().filter(|(a, _)| q.agency.is_empty() || a.row.agency == q.agency).collect();
    match ui::export(ctx) {
        Some(Export::Json) => {
            let v = json!({
                "plan": { "id": plan.plan.id, "name": plan.plan.name },
                "filter": { "agency": q.agency, "flag": q.flag },
                "rounds": plan.rounds,
                "review_queue": if owner { queue.iter().map(|(a, r)| json!({ "assignment": a.row.id, "agency": a.row.agency, "item": a.row.item, "report": r })).collect::<Vec<_>>() } else { Vec::new() },
                "assignments": rows.iter().map(|a| assignment_json(a)).collect::<Vec<_>>(),
            });
            return Ok(ui::json(snap.synthetic, "supervision", v));
        }
        Some(Export::Csv) => return Ok(assignments_csv(&rows, lang).respond("supervision", snap.synthetic)),
        None => {}
    }
    let agencies = plan.agencies();
    let outside_rounds = app.reports_outside_rounds(plan.plan.id).await.page(lang)?;
    let status = if refused.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = html! {
        div.pagehead {
            h1 { (t("督办", "Supervision")) }
            p.sub { (plan.plan.name) }
        }
        @if let Some(d) = &q.done {
            p.notice role="status" { (match d.as_str() { "review" => t("已保存审核结果。", "The review is saved."), "round" => t("已保存报送轮次。", "The reporting round is saved."), _ => t("已保存。", "Saved.") }) }
        }
        form.filters aria-label=(t("按部门筛选", "Filter by department")) method="get" action="/supervision" {
            @if let Some(p) = q.plan { input type="hidden" name="plan" value=(p); }
            div.field {
                label for="f-agency" { (t("部门", "Department")) }
                select #f-agency name="agency" {
                    option value="" { (t("全部部门", "All departments")) }
                    @for a in &agencies { option value=(a) selected[q.agency == *a] { (a) } }
                }
            }
            div.field {
                label for="f-flag" { (t("任务提示", "Task flags")) }
                select #f-flag name="flag" {
                    option value="" { (t("全部", "All")) }
                    option value="any" selected[q.flag == "any"] { (t("逾期或停滞", "Overdue or stalled")) }
                    option value="overdue" selected[q.flag == "overdue"] { (t("逾期", "Overdue")) }
                    option value="stalled" selected[q.flag == "stalled"] { (t("停滞", "Stalled")) }
                }
            }
            div.actions { button.secondary type="submit" { (t("筛选", "Filter")) } }
        }
        @if owner {
            section #review aria-labelledby="h-review" {
                h2 #h-review { (t("待审核报告", "Reports to review")) " " span.count { (queue.len()) } }
                @if refused.which == "review" { @if let Some(e) = &refused.error { (ui::form_error(e, lang)) } }
                @if queue.is_empty() { p { (t("没有待审核的报告。", "No report is waiting for review.")) } }
                @else {
                    div.scroll {
                        table.data.review {
                            caption { (t("各部门已提交、等待审核的进展报告；通过或写明意见后退回", "Reports the departments have submitted, waiting for review: accept, or return with a comment")) }
                            thead { tr {
                                th scope="col" { (t("部门 / 任务", "Department / task")) }
                                th scope="col" { (t("期别", "Period")) }
                                th scope="col" { (t("进展", "Progress")) }
                                th scope="col" { (t("报告内容", "Report")) }
                                th scope="col" { (t("审核", "Review")) }
                            } }
                            tbody {
                                @for (a, r) in &queue {
                                    tr #{ "r" (r.id) } {
                                        th scope="row" {
                                            (ui::agency_link(&a.row.agency)) br;
                                            a href={ "/assignments/" (a.row.id) } { span.item-no { (a.row.item) } " " (a.row.item_title) }
                                        }
                                        td { (period_label(&r.period, lang)) br; span.muted.small { (ui::opt_datetime(r.submitted_at)) } }
                                        td { (report_status_label(&r.status, lang)) br; (num(r.percent, 1)) "%" }
                                        td.report-text {
                                            p { (r.narrative) }
                                            @if !r.problems.is_empty() { p { strong { (t("问题：", "Problems: ")) } (r.problems) } }
                                            @if !r.help_needed.is_empty() { p { strong { (t("需协调：", "Help needed: ")) } (r.help_needed) } }
                                            @if !r.attachments.is_empty() {
                                                p { strong { (t("附件：", "Attachments: ")) } @for (i, f) in r.attachments.iter().enumerate() { @if i > 0 { (ui::sep(lang)) } a href={ "/attachments/" (f.id) } { (f.filename) } } }
                                            }
                                        }
                                        td {
                                            form.review method="post" action={ "/reports/" (r.id) "/review" } {
                                                (ui::csrf(s))
                                                label.visually-hidden for={ "c" (r.id) } { (t("审核意见", "Comment")) }
                                                textarea #{ "c" (r.id) } name="comment" rows="2" maxlength="2000" placeholder=(t("审核意见（退回时必填）", "Comment (required to return)")) {
                                                    @if refused.which == "review" && refused.report == r.id { (refused.comment) }
                                                }
                                                div.buttons {
                                                    button type="submit" name="decision" value="accept" { (t("通过", "Accept")) }
                                                    button.secondary type="submit" name="decision" value="return" data-confirm=(t("确定退回该报告吗？", "Return this report?")) { (t("退回", "Return")) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section #rounds aria-labelledby="h-rounds" {
            h2 #h-rounds { (t("报送轮次", "Reporting rounds")) }
            @if plan.rounds.is_empty() { p { (t("尚未设置报送轮次。", "No reporting round has been set.")) } }
            @else {
                table.data.compact {
                    caption { (t("各期进展报告的截止日期", "The deadline of each period's reports")) }
                    thead { tr {
                        th scope="col" { (t("期别", "Period")) }
                        th scope="col" { (t("截止日期", "Deadline")) }
                        th scope="col" { (t("已提交", "Filed")) }
                        th scope="col" { (t("逾期未报", "Overdue")) }
                    } }
                    tbody { @for round in &plan.rounds {
                        @let filed = plan.assignments.iter().filter(|a| a.reports.iter().any(|r| r.period == round.period && r.state != "draft")).count();
                        @let late = plan.assignments.iter().filter(|a| a.overdue.contains(&round.period)).count();
                        tr {
                            th scope="row" { (period_label(&round.period, lang)) }
                            td { (round.deadline) @if round.deadline.as_str() < snap.today.as_str() { span.muted { " (" (t("已截止", "closed")) ")" } } }
                            td.numcell { (filed) " / " (plan.assignments.len()) }
                            td.numcell { @if late > 0 { span.flag.bad { (late) } } @else { "0" } }
                        }
                    } }
                }
            }
            @if can(s, &Action::ManageRounds) {
                @if refused.which == "round" { @if let Some(e) = &refused.error { (ui::form_error(e, lang)) } }
                form.grid.inline method="post" action={ "/plans/" (plan.plan.id) "/rounds" } {
                    (ui::csrf(s))
                    div.field {
                        label for="round-period" { (t("期别", "Period")) }
                        input #round-period name="period" required value=(refused.period) placeholder="2026Q1" maxlength="7";
                    }
                    div.field {
                        label for="round-deadline" { (t("截止日期", "Deadline")) }
                        input #round-deadline name="deadline" type="date" required value=(refused.deadline);
                    }
                    div.actions { button type="submit" { (t("设置轮次", "Set the round")) } }
                }
                form.inline method="post" action={ "/plans/" (plan.plan.id) "/settings" } {
                    (ui::csrf(s))
                    input type="hidden" name="reports_outside_rounds" value=(if outside_rounds { "0" } else { "1" });
                    p.muted {
                        @if outside_rounds { (t("目前也接受没有报送轮次的期别的报告。", "Reports are also taken for periods with no round.")) }
                        @else { (t("目前只接受已开启轮次的期别的报告。", "Reports are taken only for periods with a round.")) }
                        " "
                        button.link type="submit" {
                            @if outside_rounds { (t("改为只接受轮次内的报告", "Take reports in rounds only")) }
                            @else { (t("改为也接受轮次之外的报告", "Also take reports outside rounds")) }
                        }
                    }
                }
            } @else if outside_rounds {
                p.muted { (t("本计划也接受没有报送轮次的期别的报告。", "This plan also takes reports for periods with no round.")) }
            }
        }
        section #assignments aria-labelledby="h-asg" {
            h2 #h-asg { (t("全部任务分工", "All assignments")) " " span.count { (rows.len()) } }
            (assignments_table(&rows, lang, true))
        }
        (ui::downloads(ctx, lang))
    };
    Ok(ui::page_status(ctx, s, snap.synthetic, status, t("督办", "Supervision"), body))
}

fn assignments_table(rows: &[&AssignmentView], lang: Lang, with_agency: bool) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    html! {
        div.scroll {
            table.data.assignments {
                caption { (t("任务分工及其最新报告、逾期与停滞提示", "Assignments with their latest report and overdue and stalled flags")) }
                thead { tr {
                    th scope="col" { (t("任务", "Task")) }
                    @if with_agency { th scope="col" { (t("部门", "Department")) } }
                    th scope="col" { (t("角色", "Role")) }
                    th scope="col" { (t("最新报告", "Latest report")) }
                    th scope="col" { (t("进展", "Progress")) }
                    th scope="col" { (t("完成比例", "Percent")) }
                    th scope="col" { (t("提示", "Flags")) }
                } }
                tbody { @for a in rows {
                    tr {
                        th scope="row" { a href={ "/assignments/" (a.row.id) } { span.item-no { (a.row.item) } " " (a.row.item_title) } }
                        @if with_agency { td { (ui::agency_link(&a.row.agency)) } }
                        td { (role_label(&a.row.role, lang)) }
                        @match a.latest() {
                            Some(r) => {
                                td { (period_label(&r.period, lang)) " " (state_chip(&r.state, lang)) }
                                td { (report_status_label(&r.status, lang)) }
                                td { (bar(Some(r.percent / 100.0), report_colour(&r.status), lang)) }
                            }
                            None => { td { span.muted { (t("未报", "none")) } } td {} td {} }
                        }
                        td { (flags(a, lang)) }
                    }
                } }
            }
        }
    }
}

/// A report's own status, in the indicator colours: done green, on schedule green, behind amber.
fn report_colour(status: &str) -> jiqun_eval::progress::Status {
    use jiqun_eval::progress::Status;
    match status {
        "done" => Status::Achieved,
        "on_schedule" => Status::OnTrack,
        "behind" => Status::NeedsAcceleration,
        _ => Status::Insufficient,
    }
}

fn assignment_json(a: &AssignmentView) -> Value {
    json!({
        "id": a.row.id, "item": a.row.item, "item_title": a.row.item_title, "agency": a.row.agency, "role": a.row.role,
        "latest": a.latest().map(|r| json!({ "id": r.id, "period": r.period, "state": r.state, "status": r.status, "percent": r.percent })),
        "reports": a.reports.iter().map(|r| json!({ "id": r.id, "period": r.period, "version": r.version, "state": r.state, "status": r.status, "percent": r.percent })).collect::<Vec<_>>(),
        "overdue": a.overdue, "stalled": a.stalled,
    })
}

fn assignments_csv(rows: &[&AssignmentView], lang: Lang) -> Csv {
    let t = |zh, en| lang.pick(zh, en);
    let mut csv = Csv::new(&[
        t("任务分工编号", "assignment"),
        t("条目", "item"),
        t("任务", "task"),
        t("部门", "department"),
        t("角色", "role"),
        t("最新期别", "latest period"),
        t("报告状态", "report state"),
        t("进展", "progress"),
        t("完成比例", "percent"),
        t("逾期期别", "overdue periods"),
        t("停滞", "stalled"),
    ]);
    for a in rows {
        let l = a.latest();
        csv.row([
            a.row.id.to_string(),
            a.row.item.clone(),
            a.row.item_title.clone(),
            a.row.agency.clone(),
            role_label(&a.row.role, lang).to_string(),
            l.map(|r| r.period.clone()).unwrap_or_default(),
            l.map(|r| ui::report_state_label(&r.state, lang).to_string()).unwrap_or_default(),
            l.map(|r| report_status_label(&r.status, lang).to_string()).unwrap_or_default(),
            l.map(|r| r.percent.to_string()).unwrap_or_default(),
            a.overdue.join(" "),
            a.stalled.to_string(),
        ]);
    }
    csv
}

#[derive(Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

pub async fn review(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> PageResult<Response> {
    ctx.require_csrf(Some(&f.csrf)).page(ctx.lang)?;
    let s = ctx.user().page(ctx.lang)?;
    let result = if s.can(&Action::ReviewReport) && !matches!(f.decision.as_str(), "accept" | "return") {
        Err(AppError::invalid("decision", "请选择通过或退回", "choose accept or return"))
    } else {
        app.review_report(s, id, f.decision == "accept", f.comment.trim(), &ctx.ip).await
    };
    match result {
        Ok(()) => Ok(Redirect::to("/supervision?done=review#review").into_response()),
        Err(e) if e.status() == 422 => {
            let refused =
                SupRefused { which: "review", report: id, error: Some(e), comment: f.comment, ..Default::default() };
            sup_page(&app, &ctx, s, &SupQuery::default(), refused).await
        }
        Err(e) => Err(PageError(e, ctx.lang)),
    }
}

#[derive(Deserialize, Default)]
pub struct RoundForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    deadline: String,
}

pub async fn set_round(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(plan_id): Path<i64>,
    Form(f): Form<RoundForm>,
) -> PageResult<Response> {
    ctx.require_csrf(Some(&f.csrf)).page(ctx.lang)?;
    let s = ctx.user().page(ctx.lang)?;
    match app.set_round(s, plan_id, f.period.trim(), f.deadline.trim(), &ctx.ip).await {
        Ok(()) => Ok(Redirect::to(&format!("/supervision?plan={plan_id}&done=round#rounds")).into_response()),
        Err(e) if e.status() == 422 => {
            let refused = SupRefused {
                which: "round",
                error: Some(e),
                period: f.period,
                deadline: f.deadline,
                ..Default::default()
            };
            let q = SupQuery { plan: Some(plan_id), ..Default::default() };
            sup_page(&app, &ctx, s, &q, refused).await
        }
        Err(e) => Err(PageError(e, ctx.lang)),
    }
}

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reports_outside_rounds: String,
}

pub async fn set_settings(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(plan_id): Path<i64>,
    Form(f): Form<SettingsForm>,
) -> PageResult<Response> {
    ctx.require_csrf(Some(&f.csrf)).page(ctx.lang)?;
    let s = ctx.user().page(ctx.lang)?;
    let allow = f.reports_outside_rounds == "1";
    app.set_reports_outside_rounds(s, plan_id, allow, &ctx.ip).await.page(ctx.lang)?;
    Ok(Redirect::to(&format!("/supervision?plan={plan_id}&done=round#rounds")).into_response())
}

// ---- /agencies/{name}, /my ----

fn resolve_agency(plan: &PlanView, name: &str) -> Option<String> {
    if plan.assignments.iter().any(|a| a.row.agency == name) {
        return Some(name.to_string());
    }
    let r = registry().resolve(name, None);
    plan.assignments.iter().any(|a| a.row.agency == r.name).then_some(r.name)
}

#[derive(Deserialize, Default)]
pub struct AgencyQuery {
    plan: Option<i64>,
}

pub async fn agency(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(name): Path<String>,
    Query(q): Query<AgencyQuery>,
) -> PageResult<Response> {
    let s = ui::reader(&ctx)?;
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let snap = app.snapshot().await.page(lang)?;
    let plan = ui::plan_of(&ctx, &snap, q.plan)?;
    let agency = resolve_agency(plan, &name).ok_or_else(|| {
        ui::not_found(
            lang,
            format!("部门“{name}”在本计划中没有任务"),
            format!("“{name}” has no assignment in this plan"),
        )
    })?;
    let rows: Vec<&AssignmentView> = plan.assignments.iter().filter(|a| a.row.agency == agency).collect();
    match ui::export(&ctx) {
        Some(Export::Json) => {
            let v = json!({ "agency": agency, "plan": { "id": plan.plan.id, "name": plan.plan.name }, "assignments": rows.iter().map(|a| assignment_json(a)).collect::<Vec<_>>() });
            return Ok(ui::json(snap.synthetic, "agency", v));
        }
        Some(Export::Csv) => return Ok(assignments_csv(&rows, lang).respond("agency", snap.synthetic)),
        None => {}
    }
    let mine = s.user.agency.as_deref() == Some(agency.as_str());
    let files = can(s, &Action::FileReport { agency: &agency });
    let full = registry().get(&agency).map(|a| a.full.clone()).filter(|f| *f != agency);
    let lead = rows.iter().filter(|a| a.row.role == "lead").count();
    let overdue = rows.iter().filter(|a| !a.overdue.is_empty()).count();
    let stalled = rows.iter().filter(|a| a.stalled).count();
    let returned = rows.iter().filter(|a| a.reports.iter().any(|r| r.state == "returned")).count();
    let body = html! {
        div.pagehead {
            p.crumbs { a href="/supervision" { (t("督办", "Supervision")) } " › " (t("部门", "Department")) }
            h1 { @if mine { (t("我的任务：", "My tasks: ")) } (agency) }
            @if let Some(f) = full { p.sub { (f) } }
        }
        section.cards aria-label=(t("概况", "Summary")) {
            div.card { p.k { (t("任务分工", "Assignments")) } p.v { (rows.len()) } p.muted { (t("其中牵头 ", "lead ")) (lead) } }
            div.card.alert[overdue > 0] { p.k { (t("逾期未报", "Overdue")) } p.v { (overdue) } }
            div.card.alert[stalled > 0] { p.k { (t("进展停滞", "Stalled")) } p.v { (stalled) } }
            div.card.alert[returned > 0] { p.k { (t("被退回待修改", "Returned")) } p.v { (returned) } }
        }
        section aria-labelledby="h-tasks" {
            h2 #h-tasks { (t("任务与各期报告", "Tasks and reports by period")) }
            div.scroll {
                table.data.agency {
                    caption { (agency) (t(" 承担的任务及各期报告状态", "'s tasks and each period's report")) }
                    thead { tr {
                        th scope="col" { (t("任务", "Task")) }
                        th scope="col" { (t("角色", "Role")) }
                        @for round in &plan.rounds { th scope="col" { (period_label(&round.period, lang)) br; span.muted.small { (t("截止 ", "due ")) (round.deadline) } } }
                        th scope="col" { (t("完成比例", "Percent")) }
                        th scope="col" { (t("提示", "Flags")) }
                        th scope="col" { span.visually-hidden { (t("操作", "Action")) } }
                    } }
                    tbody { @for a in &rows {
                        tr {
                            th scope="row" { a href={ "/assignments/" (a.row.id) } { span.item-no { (a.row.item) } " " (a.row.item_title) } }
                            td { (role_label(&a.row.role, lang)) }
                            @for round in &plan.rounds {
                                td {
                                    @match a.reports.iter().find(|r| r.period == round.period) {
                                        Some(r) => (state_chip(&r.state, lang)),
                                        None if a.overdue.contains(&round.period) => span.flag.bad { (t("逾期", "overdue")) },
                                        None => span.muted { "—" },
                                    }
                                }
                            }
                            td { @if let Some(r) = a.latest() { (bar(Some(r.percent / 100.0), report_colour(&r.status), lang)) } }
                            td { (flags(a, lang)) }
                            td { a.button.small href={ "/assignments/" (a.row.id) "#report" } { @if files { (t("填报", "Report")) } @else { (t("查看", "View")) } } }
                        }
                    } }
                }
            }
        }
        (ui::downloads(&ctx, lang))
    };
    Ok(ui::page(&ctx, s, snap.synthetic, &agency, body))
}

pub async fn my(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.user().page(ctx.lang)?;
    if !can(s, &Action::ReadPlan) {
        return Err(AppError::forbidden()).page(ctx.lang);
    }
    let u = &s.user;
    let to = if let (true, Some(a)) = (u.has_role("agency_reporter"), u.agency.as_deref()) {
        format!("/agencies/{}", enc(a))
    } else if let (true, Some(c)) = (u.has_role("city_reporter"), u.city.as_deref()) {
        format!("/cities/{}", enc(c))
    } else if u.has_role("system_admin") && !u.has_role("plan_owner") {
        "/users".to_string()
    } else {
        "/supervision".to_string()
    };
    Ok(Redirect::to(&to).into_response())
}

// ---- /assignments/{id} ----

#[derive(Deserialize, Default, Clone)]
pub struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    percent: String,
    #[serde(default)]
    narrative: String,
    #[serde(default)]
    problems: String,
    #[serde(default)]
    help_needed: String,
    #[serde(default)]
    action: String,
}

#[derive(Deserialize, Default)]
pub struct AssignmentQuery {
    done: Option<String>,
    period: Option<String>,
}

fn find_assignment(snap: &Snapshot, id: i64) -> Option<(&PlanView, &AssignmentView)> {
    snap.plans.iter().find_map(|p| p.assignments.iter().find(|a| a.row.id == id).map(|a| (p.as_ref(), a)))
}

pub async fn assignment(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<AssignmentQuery>,
) -> PageResult<Response> {
    let s = ui::reader(&ctx)?;
    assignment_page(&app, &ctx, s, id, &q, None).await
}

async fn assignment_page(
    app: &AppState,
    ctx: &Ctx,
    s: &Session,
    id: i64,
    q: &AssignmentQuery,
    refused: Option<(AppError, ReportForm)>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let snap = app.snapshot().await.page(lang)?;
    let (plan, a) = find_assignment(&snap, id)
        .ok_or_else(|| ui::not_found(lang, format!("任务分工 {id} 不存在"), format!("no assignment {id}")))?;
    let versions = app.assignment_reports(s, id).await.page(lang)?;
    match ui::export(ctx) {
        Some(Export::Json) => {
            let v = json!({ "assignment": assignment_json(a), "versions": versions });
            return Ok(ui::json(snap.synthetic, "assignment", v));
        }
        Some(Export::Csv) => {
            return Ok(versions_csv(a, &versions, lang).respond(&format!("assignment-{id}"), snap.synthetic));
        }
        None => {}
    }
    let status = match &refused {
        Some((e, _)) => StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
        None => StatusCode::OK,
    };
    let title = format!("{} {} · {}", a.row.item, a.row.item_title, a.row.agency);
    let body = render_assignment(ctx, s, &snap, plan, a, &versions, q, refused.as_ref());
    Ok(ui::page_status(ctx, s, snap.synthetic, status, &title, body))
}

#[allow(clippy::too_many_arguments)]
fn render_assignment(
    ctx: &Ctx,
    s: &Session,
    snap: &Snapshot,
    plan: &PlanView,
    a: &AssignmentView,
    versions: &[ReportRow],
    q: &AssignmentQuery,
    refused: Option<&(AppError, ReportForm)>,
) -> Markup {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let item = plan.item(&a.row.item);
    let doc_item = plan.doc.item(&a.row.item);
    let others: Vec<&AssignmentView> =
        plan.assignments.iter().filter(|o| o.row.item == a.row.item && o.row.id != a.row.id).collect();
    let files = can(s, &Action::FileReport { agency: &a.row.agency });
    // Periods, newest first, each with its versions newest first.
    let mut periods: Vec<&str> = Vec::new();
    for v in versions.iter().rev() {
        if !periods.contains(&v.period.as_str()) {
            periods.push(&v.period);
        }
    }
    periods.sort_by_key(|p| {
        std::cmp::Reverse(jiqun_domain::period::Period::parse(p).map(|x| x.sort_key()).unwrap_or((0, 0)))
    });
    html! {
        div.pagehead {
            p.crumbs {
                a href="/supervision" { (t("督办", "Supervision")) } " › "
                (ui::agency_link(&a.row.agency)) " › " (t("任务 ", "task ")) (a.row.item)
            }
            h1 { span.item-no { (a.row.item) } " " (a.row.item_title) }
            p.sub {
                (a.row.agency) " · " (role_label(&a.row.role, lang))
                " · " a href={ "/plans/" (plan.plan.id) "#item-" (a.row.item) } { (t("在计划中查看", "see in the plan")) }
            }
            (flags(a, lang))
        }
        @if let Some(d) = &q.done {
            p.notice role="status" { (match d.as_str() { "submit" => t("报告已提交，等待审核。", "The report is submitted for review."), "draft" => t("草稿已保存。", "The draft is saved."), _ => t("已保存。", "Saved.") }) }
        }
        section aria-labelledby="h-item" {
            h2 #h-item { (t("任务内容", "The task")) }
            @if let Some(di) = doc_item {
                p.roles {
                    @if !di.lead.is_empty() { span.role-k { (t("牵头：", "Lead: ")) } (di.lead.join(ui::sep(lang))) " " }
                    @if !di.co.is_empty() { span.role-k { (t("负责：", "Co-responsible: ")) } (di.co.join(ui::sep(lang))) }
                }
            }
            @if let Some(it) = item { @if !it.body.is_empty() { details.text open { summary { (t("条文", "Text")) } p { (it.body) } } } }
            @if !others.is_empty() {
                p.roles {
                    span.role-k { (t("同一条目的其他单位：", "Other departments on this item: ")) }
                    @for (i, o) in others.iter().enumerate() { @if i > 0 { (ui::sep(lang)) } a href={ "/assignments/" (o.row.id) } { (o.row.agency) } }
                }
            }
        }
        @if files { (report_form(s, snap, plan, a, q, refused, lang)) }
        section #history aria-labelledby="h-history" {
            h2 #h-history { (t("报告及历史版本", "Reports and their versions")) }
            @if versions.is_empty() { p { (t("尚无报告。", "No report yet.")) } }
            @for p in &periods {
                @let vs: Vec<&ReportRow> = versions.iter().filter(|v| v.period == *p).rev().collect();
                article.period {
                    h3 { (period_label(p, lang)) }
                    @for v in vs {
                        div.version.current[v.current] {
                            p.vhead {
                                strong { (t("第 ", "Version ")) (v.version) (t(" 版", "")) }
                                " " (state_chip(&v.state, lang))
                                " " (report_status_label(&v.status, lang)) " · " (num(v.percent, 1)) "%"
                                @if !v.current { " " span.muted { (t("（已被新版本替代）", "(superseded)")) } }
                            }
                            p.muted.small {
                                (v.created_by_name.as_deref().unwrap_or(t("系统", "system"))) " · " (t("创建 ", "created ")) (ui::datetime(v.created_at))
                                @if let Some(at) = v.submitted_at { " · " (t("提交 ", "submitted ")) (ui::datetime(at)) }
                                @if let Some(at) = v.reviewed_at { " · " (t("审核 ", "reviewed ")) (ui::datetime(at)) }
                            }
                            dl.report {
                                dt { (t("工作进展", "Progress")) } dd { (v.narrative) }
                                @if !v.problems.is_empty() { dt { (t("存在问题", "Problems")) } dd { (v.problems) } }
                                @if !v.help_needed.is_empty() { dt { (t("需协调事项", "Help needed")) } dd { (v.help_needed) } }
                                @if let Some(c) = &v.review_comment { @if !c.is_empty() { dt { (t("审核意见", "Review comment")) } dd.comment { (c) } } }
                                @if !v.attachments.is_empty() {
                                    dt { (t("附件", "Attachments")) }
                                    dd { ul.files { @for f in &v.attachments { li { a href={ "/attachments/" (f.id) } { (f.filename) } " " span.muted { "(" (size(f.size)) ")" } } } } }
                                }
                            }
                            @if files && v.current && v.state == "returned" {
                                p { a.button.small href={ "/assignments/" (a.row.id) "?period=" (enc(&v.period)) "#report" } { (t("修改后重新提交", "Revise and resubmit")) } }
                            }
                            @if files && v.current && v.state != "accepted" {
                                form.upload method="post" action={ "/reports/" (v.id) "/attachments" } data-upload={ "/reports/" (v.id) "/attachments" } data-max=(MAX_ATTACHMENT) {
                                    label for={ "file-" (v.id) } { (t("上传附件（不超过 10 MB）", "Attach a file (up to 10 MB)")) }
                                    input #{ "file-" (v.id) } type="file" required;
                                    button.secondary type="submit" { (t("上传", "Upload")) }
                                    span.upload-status role="status" aria-live="polite" {}
                                }
                            }
                        }
                    }
                }
            }
        }
        (ui::downloads(ctx, lang))
    }
}

fn size(n: i64) -> String {
    if n >= 1024 * 1024 {
        format!("{} MB", num(n as f64 / 1048576.0, 1))
    } else if n >= 1024 {
        format!("{} KB", num(n as f64 / 1024.0, 1))
    } else {
        format!("{n} B")
    }
}

fn report_form(
    s: &Session,
    snap: &Snapshot,
    plan: &PlanView,
    a: &AssignmentView,
    q: &AssignmentQuery,
    refused: Option<&(AppError, ReportForm)>,
    lang: Lang,
) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    // The period: the one asked for, else the first open round not yet accepted, else the last round.
    let returned = a.reports.iter().rev().find(|r| r.state == "returned").map(|r| r.period.clone());
    let default_period = q
        .period
        .clone()
        .or(returned)
        .or_else(|| {
            plan.rounds
                .iter()
                .find(|r| {
                    r.deadline.as_str() >= snap.today.as_str()
                        && !a.reports.iter().any(|x| x.period == r.period && x.state == "accepted")
                })
                .or_else(|| {
                    plan.rounds
                        .iter()
                        .find(|r| !a.reports.iter().any(|x| x.period == r.period && x.state == "accepted"))
                })
                .map(|r| r.period.clone())
        })
        .or_else(|| plan.rounds.last().map(|r| r.period.clone()))
        .unwrap_or_default();
    let editing = a.reports.iter().find(|r| r.period == default_period && r.state != "accepted");
    let f: ReportForm = match refused {
        Some((_, f)) => f.clone(),
        None => match a.reports.iter().find(|r| r.period == default_period && r.state != "accepted") {
            Some(r) => ReportForm {
                period: r.period.clone(),
                status: r.status.clone(),
                percent: num(r.percent, 1),
                narrative: r.narrative.clone(),
                problems: r.problems.clone(),
                help_needed: r.help_needed.clone(),
                ..Default::default()
            },
            None => ReportForm {
                period: default_period.clone(),
                status: "on_schedule".into(),
                percent: a.latest().map(|r| num(r.percent, 1)).unwrap_or_default(),
                ..Default::default()
            },
        },
    };
    html! {
        section.panel #report aria-labelledby="h-report" {
            h2 #h-report { (t("填报进展报告", "File a progress report")) }
            @if let (None, Some(r)) = (refused, editing) {
                p.notice { (t("表单已填入 ", "The form holds ")) (period_label(&r.period, lang)) (t(" 的当前版本（", "'s current version (")) (ui::report_state_label(&r.state, lang)) (t("），修改后保存即形成新版本。", "); saving makes a new version.")) }
            }
            p.muted { (t("保存草稿不会提交审核；提交后由牵头处室审核，退回的报告可修改后再次提交。每次保存都形成新版本。", "A draft is not sent for review; a submitted report is reviewed by the plan owner, and a returned one can be corrected and submitted again. Each save is a new version.")) }
            @if let Some((e, _)) = refused { (ui::form_error(e, lang)) }
            form.grid method="post" action={ "/assignments/" (a.row.id) "/reports" } {
                (ui::csrf(s))
                div.field.wide {
                    label for="rp-period" { (t("报送期别", "Period")) }
                    @if plan.rounds.is_empty() {
                        input #rp-period name="period" required value=(f.period) placeholder="2025Q1" maxlength="7";
                    } @else {
                        select #rp-period name="period" data-reload="period" aria-describedby="rp-period-hint" {
                            @for r in &plan.rounds {
                                @let accepted = a.reports.iter().any(|x| x.period == r.period && x.state == "accepted");
                                option value=(r.period) selected[f.period == r.period] disabled[accepted] {
                                    (period_label(&r.period, lang)) (t("（截止 ", " (due ")) (r.deadline) (if accepted { t("，已通过）", ", accepted)") } else { t("）", ")") })
                                }
                            }
                        }
                        p.hint #rp-period-hint { (t("换期别时，表单改为该期的当前版本（尚未填写时）。", "Choosing another period loads that period's current version (before you type).")) }
                    }
                }
                div.field {
                    label for="rp-status" { (t("进展状态", "Status")) }
                    select #rp-status name="status" {
                        @for st in REPORT_STATUSES { option value=(st) selected[f.status == st] { (report_status_label(st, lang)) } }
                    }
                }
                div.field {
                    label for="rp-percent" { (t("完成比例（%）", "Percent done")) }
                    input #rp-percent name="percent" type="number" min="0" max="100" step="0.1" required value=(f.percent);
                }
                div.field.full {
                    label for="rp-narrative" { (t("工作进展", "Progress")) }
                    textarea #rp-narrative name="narrative" rows="5" maxlength="5000" aria-describedby="rp-narrative-hint" { (f.narrative) }
                    p.hint #rp-narrative-hint { (t("提交时必填。", "Required to submit.")) }
                }
                div.field.full {
                    label for="rp-problems" { (t("存在问题", "Problems")) }
                    textarea #rp-problems name="problems" rows="3" maxlength="5000" { (f.problems) }
                }
                div.field.full {
                    label for="rp-help" { (t("需协调事项", "Help needed")) }
                    textarea #rp-help name="help_needed" rows="3" maxlength="5000" { (f.help_needed) }
                }
                div.actions {
                    button.secondary type="submit" name="action" value="draft" { (t("保存草稿", "Save draft")) }
                    button type="submit" name="action" value="submit" { (t("提交审核", "Submit for review")) }
                }
            }
        }
    }
}

fn versions_csv(a: &AssignmentView, versions: &[ReportRow], lang: Lang) -> Csv {
    let t = |zh, en| lang.pick(zh, en);
    let mut csv = Csv::new(&[
        t("部门", "department"),
        t("条目", "item"),
        t("期别", "period"),
        t("版本", "version"),
        t("当前版本", "current"),
        t("报告状态", "state"),
        t("进展", "status"),
        t("完成比例", "percent"),
        t("工作进展", "narrative"),
        t("存在问题", "problems"),
        t("需协调事项", "help needed"),
        t("审核意见", "review comment"),
        t("填报人", "created by"),
        t("创建时间", "created at"),
        t("提交时间", "submitted at"),
        t("审核时间", "reviewed at"),
        t("附件", "attachments"),
    ]);
    for v in versions {
        csv.row([
            a.row.agency.clone(),
            a.row.item.clone(),
            v.period.clone(),
            v.version.to_string(),
            v.current.to_string(),
            ui::report_state_label(&v.state, lang).to_string(),
            report_status_label(&v.status, lang).to_string(),
            v.percent.to_string(),
            v.narrative.clone(),
            v.problems.clone(),
            v.help_needed.clone(),
            v.review_comment.clone().unwrap_or_default(),
            v.created_by_name.clone().unwrap_or_default(),
            ui::datetime(v.created_at),
            ui::opt_datetime(v.submitted_at),
            ui::opt_datetime(v.reviewed_at),
            v.attachments.iter().map(|f| f.filename.clone()).collect::<Vec<_>>().join("; "),
        ]);
    }
    csv
}

pub async fn file_report(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReportForm>,
) -> PageResult<Response> {
    ctx.require_csrf(Some(&f.csrf)).page(ctx.lang)?;
    let s = ctx.user().page(ctx.lang)?;
    let lang = ctx.lang;
    // Permission before validation: another department's assignment is 403 whatever the form says.
    app.may_file_report(s, id).await.page(lang)?;
    let submit = f.action != "draft";
    let percent = f.percent.trim().trim_end_matches('%').parse::<f64>();
    let result = match percent {
        Ok(percent) => {
            let input = ReportInput {
                period: f.period.trim().to_string(),
                status: f.status.clone(),
                percent,
                narrative: f.narrative.clone(),
                problems: f.problems.clone(),
                help_needed: f.help_needed.clone(),
                submit,
            };
            app.file_report(s, id, &input, &ctx.ip).await.map(|_| ())
        }
        Err(_) => Err(AppError::invalid(
            "percent",
            "完成比例应为 0 到 100 之间的数",
            "percent must be a number from 0 to 100",
        )),
    };
    match result {
        Ok(()) => {
            let done = if submit { "submit" } else { "draft" };
            Ok(Redirect::to(&format!("/assignments/{id}?done={done}#history")).into_response())
        }
        Err(e) if e.status() == 422 || e.code == jiqun_app::Code::Conflict => {
            let q = AssignmentQuery::default();
            assignment_page(&app, &ctx, s, id, &q, Some((e, f))).await
        }
        Err(e) => Err(PageError(e, lang)),
    }
}

// ---- attachments ----

#[derive(Deserialize, Default)]
pub struct UploadQuery {
    #[serde(default)]
    name: String,
}

/// A file name as stored: the last path component, without control characters, at most 200 characters.
fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let s: String = last.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>')).take(200).collect();
    let s = s.trim().to_string();
    if s.is_empty() { "attachment".into() } else { s }
}

/// A content type as stored: `type/subtype` from the header when it looks like one.
fn clean_type(headers: &HeaderMap) -> String {
    let v = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let v = v.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let ok = v.len() <= 100
        && v.split_once('/').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && (a.chars().chain(b.chars())).all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'))
        });
    if ok { v } else { "application/octet-stream".into() }
}

pub async fn upload(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let lang = ctx.lang;
    let e = |err: AppError| ApiError(err, lang);
    ctx.require_csrf(None).map_err(e)?;
    let s = ctx.user().map_err(e)?;
    let name = clean_name(&q.name);
    let kind = clean_type(&headers);
    // One use case for the page and the API: permission, the report's state, the size.
    let aid = app.add_attachment(s, id, &name, &kind, &body, &ctx.ip).await.map_err(e)?;
    Ok((StatusCode::CREATED, axum::Json(json!({ "id": aid, "report_id": id, "filename": name, "size": body.len() })))
        .into_response())
}

/// Types a browser may show inline-safe as a download; everything else is `application/octet-stream`.
const SAFE_TYPES: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
];

pub async fn download(State(app): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> PageResult<Response> {
    let s = ctx.user().page(ctx.lang)?;
    let (meta, data) = app.attachment(s, id).await.page(ctx.lang)?;
    let kind = if SAFE_TYPES.contains(&meta.content_type.as_str()) {
        meta.content_type.as_str()
    } else {
        "application/octet-stream"
    };
    let mut r = data.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(kind).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let ascii: String = meta
        .filename
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    let disp = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", enc(&meta.filename));
    if let Ok(v) = HeaderValue::from_str(&disp) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(r)
}
