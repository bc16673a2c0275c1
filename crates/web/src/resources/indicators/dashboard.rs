//! `/`: the dashboard of the current plan. Every indicator with its target, latest value, share of the
//! target, status and sparkline; the goals rolled up; overdue and stalled assignments; the review queue; and
//! what changed since the user's previous login.

use jiqun_domain::report::ReviewState;
use std::sync::{Arc, Mutex, Weak};

use axum::response::{IntoResponse, Response};
use jiqun_app::model::AuditRow;
use jiqun_app::snapshot::{IndicatorView, PlanView, Snapshot};
use jiqun_app::{Action, Code, Session};
use jiqun_domain::Lang;
use jiqun_domain::audit::AuditAction;
use jiqun_eval::progress::Status;
use maud::{Markup, html};
use serde_json::{Value, json};

use crate::ctx::Ctx;
use crate::error::{PageResult, WithLang};
use crate::kit::charts::sparkline;
use crate::kit::layout;
use crate::kit::ui::{
    self, Csv, Export, STATUSES, SaidColumn, badge, bar, can, human, period_label, period_text, share_of_target,
    target_text,
};

fn rank(s: Status) -> usize {
    STATUSES.iter().position(|x| *x == s).unwrap_or(6)
}

pub async fn dashboard(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.page_user()?;
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let snap = ctx.app.snapshot().await.page(lang)?;
    if !can(s, &Action::ReadPlan) {
        // An enterprise account: its firm's desk.
        if s.user.uscc.is_some() {
            match ctx.app.enterprise_desk(s, lang).await {
                Ok(desk) => {
                    if let Some(Export::Json) = ui::export(&ctx) {
                        return Ok(ui::json(snap.synthetic, "desk", super::desk::desk_json(&desk, lang)));
                    }
                    let body = super::desk::enterprise_desk(&desk, lang);
                    return Ok(ui::page(&ctx, s, snap.synthetic, t("本企业", "My enterprise"), body));
                }
                Err(e) if e.code == Code::Forbidden => {}
                Err(e) => return Err(e).page(lang),
            }
        }
        let body = html! {
            h1 { (t("欢迎", "Welcome")) }
            p { (t("您的角色不查看计划数据。", "Your role does not read the plan's data.")) }
            @if can(s, &Action::ReadUsers) { p { a href="/users" { (t("用户管理", "Users")) } } }
        };
        return Ok(ui::page(&ctx, s, snap.synthetic, t("总览", "Dashboard"), body));
    }
    let Some(plan) = snap.current_plan() else {
        let body = html! {
            h1 { (t("总览", "Dashboard")) }
            p { (t("尚未导入任何行动计划。", "No plan has been imported yet.")) " " a href="/plans" { (t("导入计划", "Import a plan")) } }
        };
        return Ok(ui::page(&ctx, s, snap.synthetic, t("总览", "Dashboard"), body));
    };
    let today = jiqun_app::snapshot::today_in_china();
    // The whole page is the same for this session until the data changes: render it once per revision
    // (and day), and on a later request answer from memory before reading what only a rendering needs.
    let key = format!("page/dashboard/{}/{:?}/{}/{today:?}", s.token_hash, lang, ctx.query);
    if ui::export(&ctx).is_none()
        && let Some(html) = ctx.app.rendered_at(&key, snap.stamp())
    {
        return Ok(html_bytes(html));
    }
    let since = s.user.prev_login_at.unwrap_or(0);
    let changes = ctx.app.changes_since(since, 20).await.page(lang)?;
    // The key projects' panel: overdue problems depend on the day as well as the data.
    let watch = ctx.app.project_watch(s, lang).await.page(lang)?;
    match ui::export(&ctx) {
        Some(Export::Json) => {
            let mut v = dashboard_json(plan, &changes, since, lang);
            if let (Some(w), Some(o)) = (&watch, v.as_object_mut()) {
                o.insert("key_projects".into(), super::desk::watch_json(w));
            }
            return Ok(ui::json(snap.synthetic, "dashboard", v));
        }
        Some(Export::Csv) => return Ok(indicators_csv(plan, lang).respond("dashboard", snap.synthetic)),
        None => {}
    }
    let html = ctx.app.rendered(&key, snap.stamp(), || {
        let body = render_cached(&snap, plan, s, &changes, since, lang);
        let panel = watch.as_ref().map(|w| super::desk::project_panel(w, lang));
        let body = html! { (body) @if let Some(p) = panel { (p) } (ui::downloads(&ctx, lang)) };
        let here = if ctx.query.is_empty() { ctx.path.clone() } else { format!("{}?{}", ctx.path, ctx.query) };
        let f = layout::Frame { lang, session: s, here: &here, synthetic: snap.synthetic };
        layout::page(&f, t("总览", "Dashboard"), body).into_string().into_bytes()
    });
    Ok(html_bytes(html))
}

/// A cached rendering of a page as the response.
fn html_bytes(html: std::sync::Arc<Vec<u8>>) -> Response {
    let mut res =
        axum::body::Body::from(axum::body::Bytes::from_owner(crate::kit::api::ArcBytes(html))).into_response();
    res.headers_mut()
        .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("text/html; charset=utf-8"));
    res
}

/// What the dashboard shows of a plan, the same for every user: rendered once per snapshot and language.
pub struct PlanPart {
    counts: [usize; 7],
    overdue: usize,
    stalled: usize,
    queue: usize,
    indicators: Markup,
    goals: Markup,
    flagged: Markup,
}

pub fn plan_part(plan: &PlanView, lang: Lang) -> PlanPart {
    let t = |zh, en| lang.pick(zh, en);
    let mut counts = [0usize; 7];
    for iv in &plan.indicators {
        counts[rank(iv.status)] += 1;
    }
    let overdue: Vec<_> = plan.assignments.iter().filter(|a| !a.overdue.is_empty() || a.stalled).collect();
    let indicators = html! {
        section aria-labelledby="h-ind" {
            h2 #h-ind { (t("指标进展", "Indicators")) }
            div.scroll {
                table.data.indicators {
                    caption { (t("各项目标指标的最新值、完成度与进展状态", "Each target indicator: latest value, share of target and status")) }
                    (ui::head(lang, &[ui::col("指标", "Indicator"), ui::col("目标", "Target"), ui::col("最新值", "Latest"), ui::col("完成度", "Share of target"), ui::col("状态", "Status"), ui::col("走势", "Trend")]))
                    tbody {
                        @for iv in &plan.indicators {
                            tr {
                                th scope="row" {
                                    @if let Some(item) = &iv.row.item { span.item-no { (item) } " " }
                                    (ui::indicator_link(iv))
                                }
                                td { (target_text(iv, lang)) " " span.muted { "(" (iv.row.target_year) ")" } }
                                td.numcell {
                                    @match iv.latest {
                                        Some(l) => { (human(l.value, &iv.row.unit)) br; span.muted { (period_text(l.period, lang)) } }
                                        None => span.muted { (t("暂无数据", "no data")) },
                                    }
                                }
                                td { (bar(share_of_target(iv), iv.status, lang)) }
                                td {
                                    (badge(iv.status, lang))
                                    @if iv.overridden { br; span.muted.small { (t("人工调整", "overridden")) } }
                                }
                                td { (sparkline(&iv.series, &spark_label(iv, lang))) }
                            }
                        }
                    }
                }
            }
        }
    };
    let goals = html! {
        section aria-labelledby="h-goals" {
            h2 #h-goals { (t("目标汇总", "Goals rolled up")) }
            table.data {
                caption { (t("按计划目标条目汇总：最差状态与平均得分", "By goal item: the worst status and the mean score")) }
                (ui::head(lang, &[ui::col("目标", "Goal"), ui::col("指标数", "Indicators"), ui::col("最差状态", "Worst status"), ui::col("平均得分", "Mean score")]))
                tbody {
                    @for g in &plan.goals {
                        tr {
                            th scope="row" { span.item-no { (g.item) } " " (g.title) }
                            td.numcell { (g.indicators.len()) }
                            td { @match g.rollup.worst { Some(w) => (badge(w, lang)), None => (badge(Status::Insufficient, lang)) } }
                            td { (bar(g.rollup.mean_score.map(|m| m / 100.0), g.rollup.worst.unwrap_or(Status::Insufficient), lang)) }
                        }
                    }
                }
            }
        }
    };
    let flagged = html! {
        section aria-labelledby="h-overdue" #overdue {
            h2 #h-overdue { (t("逾期与停滞", "Overdue and stalled")) }
            @if overdue.is_empty() {
                p { (t("没有逾期或停滞的任务。", "No assignment is overdue or stalled.")) }
            } @else {
                (ui::table(
                    "",
                    html! { (t("截止日期已过仍未提交报告的期别，及连续两期无进展的任务", "Periods past their deadline without a submitted report, and tasks without progress over two periods")) },
                    html! { (ui::cols(lang, &[ui::col("部门", "Department"), ui::col("任务", "Task"), ui::col("逾期期别", "Overdue periods"), ui::col("停滞", "Stalled"), ui::col("最新报告", "Latest report")])) },
                    html! {
                        @for a in &overdue {
                            tr {
                                td { (ui::agency_link(&a.row.agency)) " " span.muted { "(" (ui::role_label(&a.row.role, lang)) ")" } }
                                th scope="row" { a href={ "/assignments/" (a.row.id) } { span.item-no { (a.row.item) } " " (a.row.item_title) } }
                                td { @for (i, p) in a.overdue.iter().enumerate() { @if i > 0 { (ui::sep(lang)) } span.flag.bad { (period_label(p, lang)) } } }
                                td { @if a.stalled { span.flag.warn { "‖ " (t("停滞", "stalled")) } } }
                                td {
                                    @if let Some(r) = a.latest() {
                                        (period_label(&r.period, lang)) " " (ui::state_chip(&r.state, lang)) " " (ui::num(r.percent, 1)) "%"
                                    } @else { span.muted { (t("无", "none")) } }
                                }
                            }
                        }
                    },
                ))
            }
        }
    };
    PlanPart {
        counts,
        overdue: plan.assignments.iter().filter(|a| !a.overdue.is_empty()).count(),
        stalled: plan.assignments.iter().filter(|a| a.stalled).count(),
        queue: plan
            .assignments
            .iter()
            .map(|a| a.reports.iter().filter(|r| r.state == ReviewState::Submitted).count())
            .sum(),
        indicators,
        goals,
        flagged,
    }
}

type PartCache = Vec<(Weak<PlanView>, Lang, Arc<PlanPart>)>;

/// The plan part of a plan of the cached snapshot. A weak reference keys the entry: a new snapshot has new
/// plan views, and entries whose plan view is gone are dropped.
pub fn cached_part(plan: &Arc<PlanView>, lang: Lang) -> Arc<PlanPart> {
    static CACHE: Mutex<PartCache> = Mutex::new(Vec::new());
    if let Ok(c) = CACHE.lock()
        && let Some((_, _, part)) = c.iter().find(|(w, l, _)| *l == lang && std::ptr::eq(w.as_ptr(), Arc::as_ptr(plan)))
    {
        return part.clone();
    }
    let part = Arc::new(plan_part(plan, lang));
    if let Ok(mut c) = CACHE.lock() {
        c.retain(|(w, _, _)| w.strong_count() > 0);
        c.push((Arc::downgrade(plan), lang, part.clone()));
    }
    part
}

/// The dashboard's body, rendering the plan part afresh (pure: the snapshot, the user and the changes in,
/// markup out).
pub fn render(snap: &Snapshot, plan: &PlanView, s: &Session, changes: &[AuditRow], since: i64, lang: Lang) -> Markup {
    render_with(snap, plan, &plan_part(plan, lang), s, changes, since, lang)
}

/// The dashboard's body with the plan part from the cache.
pub fn render_cached(
    snap: &Snapshot,
    plan: &Arc<PlanView>,
    s: &Session,
    changes: &[AuditRow],
    since: i64,
    lang: Lang,
) -> Markup {
    render_with(snap, plan, &cached_part(plan, lang), s, changes, since, lang)
}

fn render_with(
    snap: &Snapshot,
    plan: &PlanView,
    part: &PlanPart,
    s: &Session,
    changes: &[AuditRow],
    since: i64,
    lang: Lang,
) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let owner = can(s, &Action::ReviewReport);
    let (counts, n_overdue, n_stalled, queue) = (part.counts, part.overdue, part.stalled, part.queue);
    html! {
        div.pagehead {
            h1 { (plan.plan.name) }
            p.sub {
                (t("总览", "Dashboard"))
                @if let Some(y) = plan.plan.target_year { " · " (t("目标年份 ", "target year ")) (y) }
                " · " (t("数据日期 ", "as of ")) (snap.today)
            }
        }
        section.cards aria-label=(t("概况", "Summary")) {
            div.card {
                p.k { (t("指标", "Indicators")) }
                p.v { (plan.indicators.len()) }
                ul.mini {
                    @for (k, st) in STATUSES.iter().enumerate() {
                        @if counts[k] > 0 { li { (badge(*st, lang)) " " (counts[k]) } }
                    }
                }
            }
            @if owner {
                a.card.link href="/supervision#review" {
                    p.k { (t("待审核报告", "Reports to review")) }
                    p.v { (queue) }
                }
            }
            a.card.link.alert[n_overdue > 0] href="#overdue" {
                p.k { (t("逾期未报", "Overdue reports")) }
                p.v { (n_overdue) }
            }
            a.card.link.alert[n_stalled > 0] href="#overdue" {
                p.k { (t("进展停滞", "Stalled tasks")) }
                p.v { (n_stalled) }
            }
        }
        (part.indicators)
        div.two {
            (part.goals)
            section aria-labelledby="h-changes" {
                h2 #h-changes { (t("上次登录以来的变化", "Changes since your last login")) }
                p.muted {
                    @if since > 0 { (t("自 ", "Since ")) (ui::datetime(since)) (t(" 起，最近 20 条", ", the latest 20")) }
                    @else { (t("首次登录：最近 20 条", "First login: the latest 20")) }
                }
                @if changes.is_empty() {
                    p { (t("没有新的变化。", "Nothing has changed.")) }
                } @else {
                    ol.changes tabindex="0" aria-labelledby="h-changes" {
                        @for c in changes {
                            @let (what, href) = change_text(c, plan, lang);
                            li {
                                time { (ui::datetime(c.at)) }
                                span.actor { (c.actor) }
                                @match href {
                                    Some(h) => a href=(h) { (what) },
                                    None => span { (what) },
                                }
                            }
                        }
                    }
                }
            }
        }
        (part.flagged)
    }
}

fn spark_label(iv: &jiqun_app::snapshot::IndicatorView, lang: Lang) -> String {
    match (iv.series.first(), iv.series.last()) {
        (Some(a), Some(b)) if iv.series.len() > 1 => format!(
            "{}{}–{}: {} → {}",
            lang.pick("走势 ", "trend "),
            a.period,
            b.period,
            human(a.value, &iv.row.unit),
            human(b.value, &iv.row.unit)
        ),
        _ => lang.pick("数据不足", "not enough data").to_string(),
    }
}

fn detail(c: &AuditRow) -> Value {
    serde_json::from_str(&c.detail).unwrap_or(Value::Null)
}

/// An audit record as a sentence, with a link to what it is about when that is a page.
pub fn change_text(c: &AuditRow, plan: &PlanView, lang: Lang) -> (String, Option<String>) {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let d = detail(c);
    let indicator = |id: i64| plan.indicator(id).map(|i| i.row.name.clone()).unwrap_or_else(|| format!("#{id}"));
    let assignment = |id: i64| {
        plan.assignments
            .iter()
            .find(|a| a.row.id == id)
            .map(|a| format!("{} · {} {}", a.row.agency, a.row.item, a.row.item_title))
            .unwrap_or_else(|| format!("#{id}"))
    };
    let oid: i64 = c.object_id.parse().unwrap_or(0);
    let Some(action) = AuditAction::parse(&c.action) else {
        return (AuditAction::label_of(&c.action, lang), None);
    };
    let verb = action.label(lang).to_string();
    let colon = ui::colon(lang);
    match action {
        AuditAction::ReportSubmit | AuditAction::ReportDraft => {
            let aid = d["assignment"].as_i64().unwrap_or(0);
            let period = period_label(d["period"].as_str().unwrap_or(""), lang);
            let pct = d["percent"].as_f64().map(|p| format!(" {}%", ui::num(p, 1))).unwrap_or_default();
            (format!("{verb}{}{} {period}{pct}", ui::colon(lang), assignment(aid)), Some(format!("/assignments/{aid}")))
        }
        AuditAction::ReportAccept | AuditAction::ReportReturn => {
            let found = plan.assignments.iter().find_map(|a| a.reports.iter().find(|r| r.id == oid).map(|r| (a, r)));
            match found {
                Some((a, r)) => (
                    format!(
                        "{verb}{}{} · {} {} {}",
                        ui::colon(lang),
                        a.row.agency,
                        a.row.item,
                        a.row.item_title,
                        period_label(&r.period, lang)
                    ),
                    Some(format!("/assignments/{}", a.row.id)),
                ),
                None => (format!("{verb} #{oid}"), None),
            }
        }
        AuditAction::ObservationAdd | AuditAction::ObservationCorrect => {
            let id = d["indicator"].as_i64().unwrap_or(0);
            let unit = plan.indicator(id).map(|i| i.row.unit.as_str()).unwrap_or("");
            let region = d["region"].as_str().filter(|r| !r.is_empty()).unwrap_or(lang.pick("全省", "province"));
            let value = d["value"].as_f64().map(|v| human(v, unit)).unwrap_or_default();
            let before = d["before"]
                .as_f64()
                .map(|v| ui::paren(lang, &format!("{}{}", t("原为 ", "was "), human(v, unit))))
                .unwrap_or_default();
            (
                format!(
                    "{verb}{}{} · {region} {} = {value}{before}",
                    ui::colon(lang),
                    indicator(id),
                    period_label(d["period"].as_str().unwrap_or(""), lang)
                ),
                Some(format!("/indicators/{id}")),
            )
        }
        AuditAction::ObservationBulk => {
            let rows = d["rows"].as_u64().unwrap_or(0);
            (format!("{verb}{}", ui::paren(lang, &format!("{rows}{}", t(" 条", " rows")))), None)
        }
        AuditAction::IndicatorUpdate | AuditAction::IndicatorCreate => {
            (format!("{verb}{colon}{}", indicator(oid)), Some(format!("/indicators/{oid}")))
        }
        AuditAction::IndicatorOverride => {
            let what = match d["status"].as_str().and_then(Status::parse) {
                Some(st) => format!("{} → {}", t("人工调整状态", "overrode the status"), st.label(lang)),
                None => t("清除人工调整", "cleared the override"),
            };
            (format!("{what}{}{}", ui::colon(lang), indicator(oid)), Some(format!("/indicators/{oid}")))
        }
        AuditAction::RoundSet => (
            format!(
                "{verb}{}{}{}{} {}",
                ui::colon(lang),
                period_label(d["period"].as_str().unwrap_or(""), lang),
                t("，", ", "),
                t("截止", "due"),
                d["deadline"].as_str().unwrap_or("")
            ),
            Some("/supervision#rounds".into()),
        ),
        AuditAction::PlanImport => {
            (format!("{verb}{colon}{}", d["name"].as_str().unwrap_or("")), Some(format!("/plans/{oid}")))
        }
        AuditAction::PlanClose => (verb, Some(format!("/plans/{oid}"))),
        AuditAction::AttachmentAdd => (format!("{verb}{colon}{}", d["file"].as_str().unwrap_or("")), None),
        AuditAction::UserCreate | AuditAction::SettingSet | AuditAction::RoleSet => {
            (format!("{verb}{colon}{}", c.object_id), None)
        }
        // The rest say enough by their label: the object is an internal id, nothing, or (an enterprise's
        // code) not for every reader of the dashboard.
        _ => (verb, None),
    }
}

const INDICATORS_CSV: &[SaidColumn<IndicatorView>] = &[
    (("编号", "id"), |iv, _| iv.row.id.to_string()),
    (("条目", "item"), |iv, _| iv.row.item.clone().unwrap_or_default()),
    (("指标", "indicator"), |iv, _| iv.row.name.clone()),
    (("单位", "unit"), |iv, _| iv.row.unit.clone()),
    (("目标", "target"), |iv, lang| target_text(iv, lang)),
    (("比较", "comparator"), |iv, _| iv.row.target_cmp.as_str().to_string()),
    (("目标值", "target value"), |iv, _| iv.row.target_value.to_string()),
    (("目标上限", "target upper bound"), |iv, _| {
        iv.row.target_value_max.map(|v| v.to_string()).unwrap_or_default()
    }),
    (("目标年份", "target year"), |iv, _| iv.row.target_year.to_string()),
    (("基期", "baseline period"), |iv, _| iv.baseline.map(|b| b.period.to_string()).unwrap_or_default()),
    (("基期值", "baseline value"), |iv, _| iv.baseline.map(|b| b.value.to_string()).unwrap_or_default()),
    (("最新期别", "latest period"), |iv, _| iv.latest.map(|l| l.period.to_string()).unwrap_or_default()),
    (("最新值", "latest value"), |iv, _| iv.latest.map(|l| l.value.to_string()).unwrap_or_default()),
    (("完成度", "share of target"), |iv, _| share_of_target(iv).map(|v| ui::num(v, 4)).unwrap_or_default()),
    (("状态", "status"), |iv, lang| iv.status.label(lang).to_string()),
    (("状态代码", "status code"), |iv, _| iv.status.as_str().to_string()),
    (("人工调整", "overridden"), |iv, _| iv.overridden.to_string()),
];

pub fn indicators_csv(plan: &PlanView, lang: Lang) -> Csv {
    Csv::said(lang, INDICATORS_CSV, &plan.indicators)
}

fn dashboard_json(plan: &PlanView, changes: &[AuditRow], since: i64, lang: Lang) -> Value {
    json!({
        "plan": { "id": plan.plan.id, "name": plan.plan.name, "target_year": plan.plan.target_year },
        "indicators": plan.indicators.iter().map(|iv| json!({
            "id": iv.row.id,
            "item": iv.row.item,
            "name": iv.row.name,
            "unit": iv.row.unit,
            "target": { "cmp": iv.row.target_cmp, "value": iv.row.target_value, "value_max": iv.row.target_value_max, "year": iv.row.target_year, "text": target_text(iv, lang) },
            "latest": iv.latest.map(|l| json!({ "period": l.period.to_string(), "value": l.value })),
            "share_of_target": share_of_target(iv),
            "status": iv.status.as_str(),
            "status_label": iv.status.label(lang),
            "overridden": iv.overridden,
            "series": iv.series.iter().map(|p| json!({ "period": p.period.to_string(), "value": p.value })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "goals": plan.goals.iter().map(|g| json!({
            "item": g.item, "title": g.title, "indicators": g.indicators,
            "worst": g.rollup.worst.map(|w| w.as_str()), "mean_score": g.rollup.mean_score,
        })).collect::<Vec<_>>(),
        "overdue_or_stalled": plan.assignments.iter().filter(|a| !a.overdue.is_empty() || a.stalled).map(|a| json!({
            "assignment": a.row.id, "agency": a.row.agency, "role": a.row.role, "item": a.row.item,
            "item_title": a.row.item_title, "overdue": a.overdue, "stalled": a.stalled,
        })).collect::<Vec<_>>(),
        "review_queue": plan.review_queue().len(),
        "changes_since": since,
        "changes": changes.iter().map(|c| {
            let (text, href) = change_text(c, plan, lang);
            json!({ "at": c.at, "actor": c.actor, "action": c.action, "text": text, "href": href })
        }).collect::<Vec<_>>(),
    })
}
