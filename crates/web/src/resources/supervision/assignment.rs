//! `/assignments/{id}`: one assignment with every report version, its review comments and attachments, and
//! the department's report form (`/assignments/{id}/reports`). Attachments are uploaded as the raw request
//! body (`app.js`, `/reports/{id}/attachments`), at most 10 MB, and downloaded from `/attachments/{id}`.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use jiqun_app::model::{ReportInput, ReportRow};
use jiqun_app::snapshot::{AssignmentView, PlanView, Snapshot};
use jiqun_app::{Action, AppError, Session};
use jiqun_domain::Lang;
use jiqun_domain::report::{ReportStatus, ReviewState};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

use super::pages::assignment_json;
use crate::ctx::Ctx;
use crate::error::{ApiError, PageError, PageResult, WithLang};
use crate::extract::{Form, Path, Query};
use crate::kit::ui::{self, Csv, Export, can, enc, num, period_label, report_status_label, role_label, state_chip};
use crate::resources::plans::pages::flags;

/// The largest attachment accepted (the use case's limit).
pub use jiqun_app::supervision::MAX_ATTACHMENT;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReportForm {
    csrf: String,
    period: String,
    status: String,
    percent: String,
    narrative: String,
    problems: String,
    help_needed: String,
    action: String,
    /// The period's current version when the form was drawn, and that period: a newer version on saving
    /// means someone else filed meanwhile (the form comes back with their version's notice).
    #[serde(default)]
    read_version: String,
    #[serde(default)]
    read_period: String,
}

#[derive(Deserialize, Default)]
pub struct AssignmentQuery {
    done: Option<String>,
    period: Option<String>,
}

fn find_assignment(snap: &Snapshot, id: i64) -> Option<(&PlanView, &AssignmentView)> {
    snap.plans.iter().find_map(|p| p.assignments.iter().find(|a| a.row.id == id).map(|a| (p.as_ref(), a)))
}

pub async fn assignment(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<AssignmentQuery>) -> PageResult<Response> {
    let s = ui::reader(&ctx)?;
    assignment_page(&ctx, s, id, &q, None).await
}

async fn assignment_page(
    ctx: &Ctx,
    s: &Session,
    id: i64,
    q: &AssignmentQuery,
    refused: Option<(AppError, ReportForm)>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let snap = ctx.app.snapshot().await.page(lang)?;
    let (plan, a) = find_assignment(&snap, id)
        .ok_or_else(|| ui::not_found(lang, format!("任务分工 {id} 不存在"), format!("no assignment {id}")))?;
    let versions = ctx.app.assignment_reports(s, id).await.page(lang)?;
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
    let status = ui::form_status(refused.as_ref().map(|(e, _)| e));
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
                            @if files && v.current && v.state == ReviewState::Returned {
                                p { a.button.small href={ "/assignments/" (a.row.id) "?period=" (enc(&v.period)) "#report" } { (t("修改后重新提交", "Revise and resubmit")) } }
                            }
                            @if files && v.current && v.state != ReviewState::Accepted {
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
    let returned = a.reports.iter().rev().find(|r| r.state == ReviewState::Returned).map(|r| r.period.clone());
    let default_period = q
        .period
        .clone()
        .or(returned)
        .or_else(|| {
            plan.rounds
                .iter()
                .find(|r| {
                    r.deadline.as_str() >= snap.today.as_str()
                        && !a.reports.iter().any(|x| x.period == r.period && x.state == ReviewState::Accepted)
                })
                .or_else(|| {
                    plan.rounds
                        .iter()
                        .find(|r| !a.reports.iter().any(|x| x.period == r.period && x.state == ReviewState::Accepted))
                })
                .map(|r| r.period.clone())
        })
        .or_else(|| plan.rounds.last().map(|r| r.period.clone()))
        .unwrap_or_default();
    let editing = a.reports.iter().find(|r| r.period == default_period && r.state != ReviewState::Accepted);
    let f: ReportForm = match refused {
        Some((_, f)) => f.clone(),
        None => match a.reports.iter().find(|r| r.period == default_period && r.state != ReviewState::Accepted) {
            Some(r) => ReportForm {
                period: r.period.clone(),
                status: r.status.as_str().to_string(),
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
    // As it stands now (after a refusal too: saving again then files over the version just shown).
    let read_version = a.reports.iter().filter(|r| r.period == f.period).map(|r| r.version).max().unwrap_or(0);
    html! {
        section.panel #report aria-labelledby="h-report" {
            h2 #h-report { (t("填报进展报告", "File a progress report")) }
            @if let (None, Some(r)) = (refused, editing) {
                p.notice { (t("表单已填入 ", "The form holds ")) (period_label(&r.period, lang)) (t(" 的当前版本（", "'s current version (")) (ui::report_state_label(&r.state, lang)) (t("），修改后保存即形成新版本。", "); saving makes a new version.")) }
            }
            p.muted { (t("保存草稿不会提交审核；提交后由牵头处室审核，退回的报告可修改后再次提交。每次保存都形成新版本。", "A draft is not sent for review; a submitted report is reviewed by the plan owner, and a returned one can be corrected and submitted again. Each save is a new version.")) }
            @if let Some((e, _)) = refused { (ui::form_error(e, lang)) }
            @if let Some((AppError { current: Some(current), .. }, _)) = refused {
                @if let jiqun_app::Current::Report(r) = &**current {
                    p.notice {
                        (t("他人已报送第 ", "Someone else filed version ")) (r.version)
                        (t(" 版（见下方“报告及历史版本”）。您填写的内容仍在表单中；核对后再次保存，将在其后形成新版本。", " meanwhile (see the history below). What you typed is still in the form; check it and save again to file it as the next version."))
                    }
                }
            }
            form.grid method="post" action={ "/assignments/" (a.row.id) "/reports" } {
                (ui::csrf(s))
                input type="hidden" name="read_period" value=(f.period);
                input type="hidden" name="read_version" value=(read_version);
                div.field.wide {
                    label for="rp-period" { (t("报送期别", "Period")) }
                    @if plan.rounds.is_empty() {
                        input #rp-period name="period" required value=(f.period) placeholder="2025Q1" maxlength="7";
                    } @else {
                        select #rp-period name="period" data-reload="period" aria-describedby="rp-period-hint" {
                            @for r in &plan.rounds {
                                @let accepted = a.reports.iter().any(|x| x.period == r.period && x.state == ReviewState::Accepted);
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
                        @for st in ReportStatus::ALL { option value=(st.as_str()) selected[f.status == st.as_str()] { (report_status_label(&st, lang)) } }
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
    let mut csv = Csv::translated(
        lang,
        &[
            ("部门", "department"),
            ("条目", "item"),
            ("期别", "period"),
            ("版本", "version"),
            ("当前版本", "current"),
            ("报告状态", "state"),
            ("进展", "status"),
            ("完成比例", "percent"),
            ("工作进展", "narrative"),
            ("存在问题", "problems"),
            ("需协调事项", "help needed"),
            ("审核意见", "review comment"),
            ("填报人", "created by"),
            ("创建时间", "created at"),
            ("提交时间", "submitted at"),
            ("审核时间", "reviewed at"),
            ("附件", "attachments"),
        ],
    );
    for v in versions {
        csv.row([
            a.row.agency.to_string(),
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

pub async fn file_report(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ReportForm>) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    let lang = ctx.lang;
    // Permission before validation: another department's assignment is 403 whatever the form says.
    ctx.app.may_file_report(s, id).await.page(lang)?;
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
                // Checked only for the period the form was drawn for (the period may have been changed).
                based_on: f
                    .read_version
                    .parse()
                    .ok()
                    .filter(|_| f.read_period.trim() == f.period.trim() && !f.read_period.is_empty()),
            };
            ctx.app.file_report(s, id, &input, &ctx.ip).await.map(|_| ())
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
            assignment_page(&ctx, s, id, &q, Some((e, f))).await
        }
        Err(e) => Err(PageError(e, lang)),
    }
}

// ---- attachments ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UploadQuery {
    name: String,
}

pub async fn upload(
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
    let name = ui::clean_upload_name(&q.name);
    let kind = ui::clean_upload_type(&headers);
    // One use case for the page and the API: permission, the report's state, the size.
    let aid = ctx.app.add_attachment(s, id, &name, &kind, &body, &ctx.ip).await.map_err(e)?;
    Ok((StatusCode::CREATED, axum::Json(json!({ "id": aid, "report_id": id, "filename": name, "size": body.len() })))
        .into_response())
}

pub async fn download(ctx: Ctx, Path(id): Path<i64>) -> PageResult<Response> {
    let s = ctx.page_user()?;
    let (meta, data) = ctx.app.attachment(s, id).await.page(ctx.lang)?;
    Ok(ui::download(&meta.filename, &meta.content_type, data))
}
