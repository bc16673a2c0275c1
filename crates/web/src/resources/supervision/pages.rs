//! Supervision (督办). `/supervision`: the plan owner's review list, the reporting rounds, and every
//! assignment with its latest report and its overdue and stalled flags, filterable by department; the
//! review (`/reports/{id}/review`), the rounds and settings forms (`/plans/{id}/rounds`,
//! `/plans/{id}/settings`). `/agencies/{name}`: a department's tasks. `/my`: the user's own page. One
//! assignment's page, its reports and attachments are in `assignment`.

use jiqun_domain::report::{ReportStatus, ReviewState};
use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiqun_app::snapshot::{AssignmentView, PlanView};
use jiqun_app::{Action, AppError, Session};
use jiqun_domain::{AgencyRegistry, Lang};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ctx::Ctx;
use crate::error::{PageError, PageResult, WithLang};
use crate::extract::{Form, Path, Query};
use crate::kit::ui::{
    self, Csv, Export, bar, can, enc, num, period_label, report_status_label, role_label, state_chip,
};
use crate::resources::plans::pages::flags;

fn registry() -> &'static AgencyRegistry {
    static R: OnceLock<AgencyRegistry> = OnceLock::new();
    R.get_or_init(AgencyRegistry::guangdong)
}

// ---- /supervision ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SupQuery {
    plan: Option<i64>,
    agency: String,
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

pub async fn supervision(ctx: Ctx, Query(q): Query<SupQuery>) -> PageResult<Response> {
    let s = ui::reader(&ctx)?;
    sup_page(&ctx, s, &q, SupRefused::default()).await
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

async fn sup_page(ctx: &Ctx, s: &Session, q: &SupQuery, refused: SupRefused) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let snap = ctx.app.snapshot().await.page(lang)?;
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
    let outside_rounds = ctx.app.reports_outside_rounds(plan.plan.id).await.page(lang)?;
    let status = if refused.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = html! {
        div.pagehead {
            h1 { (t("督办", "Supervision")) }
            p.sub { (plan.plan.name) }
            (ui::export_buttons(lang, "reports", ""))
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
                            (ui::head(lang, &[ui::col("部门 / 任务", "Department / task"), ui::col("期别", "Period"), ui::col("进展", "Progress"), ui::col("报告内容", "Report"), ui::col("审核", "Review")]))
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
                    (ui::head(lang, &[ui::col("期别", "Period"), ui::col("截止日期", "Deadline"), ui::col("已提交", "Filed"), ui::col("逾期未报", "Overdue")]))
                    tbody { @for round in &plan.rounds {
                        @let filed = plan.assignments.iter().filter(|a| a.reports.iter().any(|r| r.period == round.period && r.state != ReviewState::Draft)).count();
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
        (ui::table(
            "assignments",
            html! { (t("任务分工及其最新报告、逾期与停滞提示", "Assignments with their latest report and overdue and stalled flags")) },
            html! {
                th scope="col" { (t("任务", "Task")) }
                @if with_agency { th scope="col" { (t("部门", "Department")) } }
                (ui::cols(lang, &[ui::col("角色", "Role"), ui::col("最新报告", "Latest report"), ui::col("进展", "Progress"), ui::col("完成比例", "Percent"), ui::col("提示", "Flags")]))
            },
            html! {
                @for a in rows {
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
                }
            },
        ))
    }
}

/// A report's own status, in the indicator colours: done green, on schedule green, behind amber.
fn report_colour(status: &ReportStatus) -> jiqun_eval::progress::Status {
    use jiqun_eval::progress::Status;
    match status {
        ReportStatus::Done => Status::Achieved,
        ReportStatus::OnSchedule => Status::OnTrack,
        ReportStatus::Behind => Status::NeedsAcceleration,
        ReportStatus::NotStarted => Status::Insufficient,
    }
}

pub(super) fn assignment_json(a: &AssignmentView) -> Value {
    json!({
        "id": a.row.id, "item": a.row.item, "item_title": a.row.item_title, "agency": a.row.agency, "role": a.row.role,
        "latest": a.latest().map(|r| json!({ "id": r.id, "period": r.period, "state": r.state, "status": r.status, "percent": r.percent })),
        "reports": a.reports.iter().map(|r| json!({ "id": r.id, "period": r.period, "version": r.version, "state": r.state, "status": r.status, "percent": r.percent })).collect::<Vec<_>>(),
        "overdue": a.overdue, "stalled": a.stalled,
    })
}

fn assignments_csv(rows: &[&AssignmentView], lang: Lang) -> Csv {
    let mut csv = Csv::translated(
        lang,
        &[
            ("任务分工编号", "assignment"),
            ("条目", "item"),
            ("任务", "task"),
            ("部门", "department"),
            ("角色", "role"),
            ("最新期别", "latest period"),
            ("报告状态", "report state"),
            ("进展", "progress"),
            ("完成比例", "percent"),
            ("逾期期别", "overdue periods"),
            ("停滞", "stalled"),
        ],
    );
    for a in rows {
        let l = a.latest();
        csv.row([
            a.row.id.to_string(),
            a.row.item.clone(),
            a.row.item_title.clone(),
            a.row.agency.to_string(),
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
#[serde(default)]
pub struct ReviewForm {
    csrf: String,
    decision: String,
    comment: String,
}

pub async fn review(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ReviewForm>) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    let result = if s.can(&Action::ReviewReport) && !matches!(f.decision.as_str(), "accept" | "return") {
        Err(AppError::invalid("decision", "请选择通过或退回", "choose accept or return"))
    } else {
        ctx.app.review_report(s, id, f.decision == "accept", f.comment.trim(), &ctx.ip).await
    };
    match result {
        Ok(()) => Ok(Redirect::to("/supervision?done=review#review").into_response()),
        Err(e) if e.status() == 422 => {
            let refused =
                SupRefused { which: "review", report: id, error: Some(e), comment: f.comment, ..Default::default() };
            sup_page(&ctx, s, &SupQuery::default(), refused).await
        }
        Err(e) => Err(PageError(e, ctx.lang)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoundForm {
    csrf: String,
    period: String,
    deadline: String,
}

pub async fn set_round(ctx: Ctx, Path(plan_id): Path<i64>, Form(f): Form<RoundForm>) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    match ctx.app.set_round(s, plan_id, f.period.trim(), f.deadline.trim(), &ctx.ip).await {
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
            sup_page(&ctx, s, &q, refused).await
        }
        Err(e) => Err(PageError(e, ctx.lang)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    csrf: String,
    reports_outside_rounds: String,
}

pub async fn set_settings(ctx: Ctx, Path(plan_id): Path<i64>, Form(f): Form<SettingsForm>) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    let allow = f.reports_outside_rounds == "1";
    ctx.app.set_reports_outside_rounds(s, plan_id, allow, &ctx.ip).await.page(ctx.lang)?;
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

pub async fn agency(ctx: Ctx, Path(name): Path<String>, Query(q): Query<AgencyQuery>) -> PageResult<Response> {
    let s = ui::reader(&ctx)?;
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let snap = ctx.app.snapshot().await.page(lang)?;
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
    // The department's own reporter: the key-project problems routed to it, waiting for its answer.
    let to_answer = match mine {
        true => ctx.app.project_watch(s, lang).await.page(lang)?.and_then(|w| w.department),
        false => None,
    };
    let files = can(s, &Action::FileReport { agency: &agency });
    let full = registry().get(&agency).map(|a| a.full.clone()).filter(|f| *f != agency);
    let lead = rows.iter().filter(|a| a.row.role == "lead").count();
    let overdue = rows.iter().filter(|a| !a.overdue.is_empty()).count();
    let stalled = rows.iter().filter(|a| a.stalled).count();
    let returned = rows.iter().filter(|a| a.reports.iter().any(|r| r.state == ReviewState::Returned)).count();
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
                        (ui::cols(lang, &[ui::col("任务", "Task"), ui::col("角色", "Role")]))
                        @for round in &plan.rounds { th scope="col" { (period_label(&round.period, lang)) br; span.muted.small { (t("截止 ", "due ")) (round.deadline) } } }
                        (ui::cols(lang, &[ui::col("完成比例", "Percent"), ui::col("提示", "Flags")]))
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
        @if let Some((name, list)) = &to_answer { (crate::resources::indicators::desk::department_problems(name, list, lang)) }
        (ui::downloads(&ctx, lang))
    };
    Ok(ui::page(&ctx, s, snap.synthetic, &agency, body))
}

pub async fn my(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.page_user_for(&Action::ReadPlan)?;
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
