//! `/indicators` and `/indicators/{id}`: the indicators of a plan; one indicator's chart (observations
//! against the target trajectory), its status with every input, the status over time, the override, the
//! observations by province and city, the correction history, and the forms to add a value, override the
//! status and edit the baseline and target (their handlers are in `writes`).

use axum::http::StatusCode;
use axum::response::Response;
use jiqun_app::model::ObservationRow;
use jiqun_app::snapshot::{IndicatorView, PlanView};
use jiqun_app::{Action, AppError, Session};
use jiqun_domain::Lang;
use jiqun_eval::progress::Method;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use super::dashboard::indicators_csv;
use super::writes::{EditForm, ObsForm, OverrideForm};
use crate::ctx::Ctx;
use crate::error::{PageResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::charts::{ChartText, indicator_chart, sparkline};
use crate::kit::ui::{
    self, Csv, Export, badge, bar, can, human, num, pct, period_label, period_text, share_of_target, target_text,
};

#[derive(Deserialize, Default)]
pub struct ListQuery {
    plan: Option<i64>,
}

pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult<Response> {
    let s = ui::reader(&ctx)?;
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let snap = ctx.app.snapshot().await.page(lang)?;
    let plan = ui::plan_of(&ctx, &snap, q.plan)?;
    match ui::export(&ctx) {
        Some(Export::Json) => {
            let v = json!({
                "plan": { "id": plan.plan.id, "name": plan.plan.name },
                "indicators": plan.indicators.iter().map(|iv| indicator_json(iv, lang)).collect::<Vec<_>>(),
            });
            return Ok(ui::json(snap.synthetic, "indicators", v));
        }
        Some(Export::Csv) => return Ok(indicators_csv(plan, lang).respond("indicators", snap.synthetic)),
        None => {}
    }
    let body = html! {
        div.pagehead {
            h1 { (t("指标", "Indicators")) }
            p.sub { (plan.plan.name) }
            (ui::export_buttons(lang, "indicators", ""))
        }
        div.scroll {
            table.data.indicators {
                caption { (t("计划的全部指标：基期、目标、最新值、完成度与状态", "Every indicator of the plan: baseline, target, latest value, share of target and status")) }
                (ui::head(lang, &[ui::col("条目", "Item"), ui::col("指标", "Indicator"), ui::col("方法", "Method"), ui::col("基期", "Baseline"), ui::col("目标", "Target"), ui::col("最新值", "Latest"), ui::col("完成度", "Share of target"), ui::col("状态", "Status"), ui::col("走势", "Trend")]))
                tbody { @for iv in &plan.indicators {
                    tr {
                        td { span.item-no { (iv.row.item.as_deref().unwrap_or("")) } }
                        th scope="row" {
                            (ui::indicator_link(iv))
                            @if iv.row.by_city { " " span.tag { (t("分市", "by city")) } }
                        }
                        td { (ui::method_code_label(&iv.row.method, lang)) br; span.muted { (ui::frequency_label(&iv.row.frequency, lang)) } }
                        td.numcell { @match iv.baseline { Some(b) => { (human(b.value, &iv.row.unit)) br; span.muted { (period_text(b.period, lang)) } } None => span.muted { "—" } } }
                        td { (target_text(iv, lang)) br; span.muted { (iv.row.target_year) } }
                        td.numcell { @match iv.latest { Some(l) => { (human(l.value, &iv.row.unit)) br; span.muted { (period_text(l.period, lang)) } } None => span.muted { "—" } } }
                        td { (bar(share_of_target(iv), iv.status, lang)) }
                        td { (badge(iv.status, lang)) @if iv.overridden { br; span.muted.small { (t("人工调整", "overridden")) } } }
                        td { (sparkline(&iv.series, &format!("{} {}", iv.row.name, t("走势", "trend")))) }
                    }
                } }
            }
        }
        @if ui::can(s, &Action::EditIndicator) { (super::writes::add_indicator_form(s, plan, lang)) }
        (ui::downloads(&ctx, lang))
    };
    Ok(ui::page(&ctx, s, snap.synthetic, t("指标", "Indicators"), body))
}

fn point_json(p: Option<jiqun_eval::progress::Point>) -> Value {
    p.map(|p| json!({ "period": p.period.to_string(), "value": p.value })).unwrap_or(Value::Null)
}

pub fn indicator_json(iv: &IndicatorView, lang: Lang) -> Value {
    let r = &iv.row;
    let p = &iv.progress;
    json!({
        "id": r.id, "plan_id": r.plan_id, "item": r.item, "name": r.name, "unit": r.unit, "direction": r.direction,
        "method": r.method, "frequency": r.frequency, "by_city": r.by_city,
        "baseline": point_json(iv.baseline),
        "target": { "cmp": r.target_cmp, "value": r.target_value, "value_max": r.target_value_max, "year": r.target_year, "text": target_text(iv, lang) },
        "latest": point_json(iv.latest),
        "share_of_target": share_of_target(iv),
        "status": iv.status.as_str(),
        "status_label": iv.status.label(lang),
        "overridden": iv.overridden,
        "override_reason": r.override_reason,
        "override_at": r.override_at,
        "derived_from": r.derived_from,
        "progress": {
            "computed_status": p.status.as_str(), "method": p.method, "ratio": p.ratio, "achieved": p.achieved,
            "final": p.is_final, "observed_rate": p.observed_rate, "required_rate": p.required_rate,
            "achievement": p.achievement, "elapsed": p.elapsed, "forecast": p.forecast, "shortfall": p.shortfall,
            "score": p.score,
        },
        "history": iv.history.iter().map(|(per, st)| json!({ "period": per, "status": st.as_str() })).collect::<Vec<_>>(),
        "series": iv.series.iter().map(|p| json!({ "period": p.period.to_string(), "value": p.value })).collect::<Vec<_>>(),
    })
}

/// A form that was refused: which one, why, and what was typed.
#[derive(Default)]
pub struct Refused {
    pub(super) which: &'static str,
    pub(super) error: Option<AppError>,
    pub(super) obs: ObsForm,
    pub(super) over: OverrideForm,
    pub(super) edit: EditForm,
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    done: Option<String>,
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<DetailQuery>) -> PageResult<Response> {
    let s = ui::reader(&ctx)?;
    show(&ctx, s, id, Refused::default(), q.done.as_deref()).await
}

pub(super) async fn show(
    ctx: &Ctx,
    s: &Session,
    id: i64,
    refused: Refused,
    done: Option<&str>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let snap = ctx.app.snapshot().await.page(lang)?;
    let (plan, iv) = snap
        .plans
        .iter()
        .find_map(|p| p.indicator(id).map(|iv| (p, iv)))
        .ok_or_else(|| ui::not_found(lang, format!("指标 {id} 不存在"), format!("no indicator {id}")))?;
    let history = ctx.app.observation_history(s, id).await.page(lang)?;
    match ui::export(ctx) {
        Some(Export::Json) => {
            let v = json!({ "indicator": indicator_json(iv, lang), "observations": history });
            return Ok(ui::json(snap.synthetic, "indicator", v));
        }
        Some(Export::Csv) => {
            return Ok(observations_csv(iv, &history, lang).respond(&format!("indicator-{id}"), snap.synthetic));
        }
        None => {}
    }
    let override_by = match iv.row.override_by {
        Some(uid) if iv.overridden => ctx.app.override_author(s, uid).await.ok().flatten(),
        _ => None,
    };
    let status = if refused.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = render(ctx, s, plan, iv, &history, override_by.as_deref(), &refused, done);
    Ok(ui::page_status(ctx, s, snap.synthetic, status, &iv.row.name, body))
}

#[allow(clippy::too_many_arguments)]
fn render(
    ctx: &Ctx,
    s: &Session,
    plan: &PlanView,
    iv: &IndicatorView,
    history: &[ObservationRow],
    override_by: Option<&str>,
    refused: &Refused,
    done: Option<&str>,
) -> Markup {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let r = &iv.row;
    let chart_text = ChartText {
        title: &format!("{}：{}", r.name, t("观测值与目标路径", "observations and the path to the target")),
        actual: t("实际值（全省）", "observed (province)"),
        path: t("达标路径（基期→目标）", "path from baseline to target"),
        forecast: t("按当前趋势预测", "forecast on the current trend"),
        target: t("目标", "target"),
    };
    let mut province: Vec<&ObservationRow> = history.iter().filter(|o| o.current && o.region.is_empty()).collect();
    province.sort_by_key(|o| jiqun_domain::period::Period::parse(&o.period).map(|p| p.sort_key()).unwrap_or((0, 0)));
    let corrections: Vec<&ObservationRow> = history.iter().filter(|o| !o.current).collect();
    // The cities in the region model's order (广州, 深圳, 珠海 …), not by character code.
    let city_rows: Vec<(&str, &Vec<jiqun_eval::progress::Point>)> = ui::regions()
        .cities
        .iter()
        .filter_map(|c| iv.city_series.iter().find(|(n, _)| *n == c.name).map(|(n, s)| (n.as_str(), s)))
        .chain(iv.city_series.iter().filter(|(n, _)| ui::regions().city(n).is_none()).map(|(n, s)| (n.as_str(), s)))
        .collect();
    let periods: Vec<jiqun_domain::period::Period> = {
        let mut v: Vec<jiqun_domain::period::Period> =
            iv.city_series.iter().flat_map(|(_, s)| s.iter().map(|p| p.period)).collect();
        v.sort();
        v.dedup();
        v
    };
    html! {
        div.pagehead {
            p.crumbs { a href="/indicators" { (t("指标", "Indicators")) } " › " @if let Some(item) = &r.item { a href={ "/plans/" (plan.plan.id) "#item-" (item) } { (t("条目 ", "item ")) (item) } } }
            h1 { (r.name) " " (badge(iv.status, lang)) }
            p.sub {
                (t("目标：", "Target: ")) strong { (target_text(iv, lang)) } " (" (r.target_year) ")"
                " · " (t("单位：", "unit: ")) (r.unit)
                " · " (ui::frequency_label(&r.frequency, lang))
                @if r.by_city { " · " (t("分市统计", "by city")) }
            }
        }
        @if let Some(d) = done {
            p.notice role="status" { (match d { "obs" => t("已保存数据，状态已重新计算。", "The value is saved and the status recomputed."), "override" => t("已保存状态调整。", "The override is saved."), _ => t("已保存。", "Saved.") }) }
        }
        @if iv.overridden {
            div.override-note role="note" {
                p {
                    strong { (t("状态经人工调整", "The status is overridden")) } (ui::colon(lang))
                    (t("计算结果为 ", "the computed status is ")) (badge(iv.progress.status, lang))
                    (t("，显示为 ", "; shown as ")) (badge(iv.status, lang))
                }
                p { (t("理由：", "Reason: ")) (r.override_reason.as_deref().unwrap_or("")) }
                p.muted { (override_by.unwrap_or("")) " · " (ui::opt_datetime(r.override_at)) }
            }
        }
        (indicator_chart(iv, &chart_text, lang))
        div.two {
            section #status aria-labelledby="h-status" {
                h2 #h-status { (t("状态及其依据", "The status and its inputs")) }
                (inputs(iv, lang))
            }
            section aria-labelledby="h-hist" {
                h2 #h-hist { (t("历年状态", "Status over time")) }
                @if iv.history.is_empty() { p.muted { (t("暂无。", "None yet.")) } }
                @else {
                    table.data.compact {
                        caption { (t("按各期观测值当时计算的状态（目标年之前的状态不是最终状态）", "The status as it stood at each observed period (not final before the target year)")) }
                        (ui::head(lang, &[ui::col("期别", "Period"), ui::col("状态", "Status")]))
                        tbody { @for (p, st) in &iv.history { tr { th scope="row" { (period_label(p, lang)) } td { (badge(*st, lang)) } } } }
                    }
                }
                p.rule {
                    (t("判定规则：R = 实际年均增速 ÷ 所需年均增速（数量类为完成率 ÷ 时间进度）。R ≥ 0.95 进度正常；0.60 ≤ R < 0.95 需加快；0 ≤ R < 0.60 进展有限；R < 0 反向偏离；最新值达到目标即“已达成”；目标年过后状态为最终状态（已达成或未完成）。",
                       "Rule: R = observed annual rate ÷ required annual rate (for counts: achievement ÷ time elapsed). R ≥ 0.95 on track; 0.60 ≤ R < 0.95 needs acceleration; 0 ≤ R < 0.60 limited progress; R < 0 moving away; achieved once the latest value meets the target; after the target year the status is final (achieved or missed)."))
                }
            }
        }
        section #observations aria-labelledby="h-obs" {
            h2 #h-obs { (t("观测值", "Observations")) }
            table.data.compact {
                caption { (t("全省数值（当前有效值）", "Province-wide values (current)")) }
                (ui::head(lang, &[ui::col("期别", "Period"), ui::num_col("数值", "Value"), ui::col("来源", "Source"), ui::col("录入", "Entered")]))
                tbody { @for o in &province {
                    tr {
                        th scope="row" { (period_label(&o.period, lang)) }
                        td.numcell { (human(o.value, &r.unit)) }
                        td { (o.source) }
                        td.muted { (o.entered_by_name.as_deref().unwrap_or(t("系统", "system"))) " · " (ui::datetime(o.entered_at)) }
                    }
                } }
            }
            @if !iv.city_series.is_empty() {
                div.scroll {
                    table.data.compact.cities {
                        caption { (t("各市数值", "Values by city")) }
                        thead { tr {
                            th scope="col" { (t("城市", "City")) }
                            @for p in &periods { th scope="col" { (period_text(*p, lang)) } }
                        } }
                        tbody { @for (city, series) in &city_rows {
                            tr {
                                th scope="row" { (ui::city_link(city)) }
                                @for p in &periods {
                                    td.numcell { @if let Some(pt) = series.iter().find(|x| x.period == *p) { (human(pt.value, &r.unit)) } }
                                }
                            }
                        } }
                    }
                }
            }
        }
        section #corrections aria-labelledby="h-corr" {
            h2 #h-corr { (t("更正记录", "Corrections")) }
            @if corrections.is_empty() { p.muted { (t("没有更正过的数值。", "No value has been corrected.")) } }
            @else {
                table.data.compact {
                    caption { (t("被更正（已替换）的数值，最新在前", "Values that were corrected (replaced), newest first")) }
                    (ui::head(lang, &[ui::col("期别", "Period"), ui::col("地区", "Region"), ui::col("原值", "Old value"), ui::col("现值", "Current value"), ui::col("原值来源", "Old source"), ui::col("原值录入", "Old value entered")]))
                    tbody { @for o in &corrections {
                        @let now = history.iter().find(|x| x.current && x.period == o.period && x.region == o.region);
                        tr {
                            th scope="row" { (period_label(&o.period, lang)) }
                            td { @if o.region.is_empty() { (t("全省", "province")) } @else { (o.region) } }
                            td.numcell { del { (human(o.value, &r.unit)) } }
                            td.numcell { @if let Some(n) = now { (human(n.value, &r.unit)) br; span.muted { (n.entered_by_name.as_deref().unwrap_or("")) " · " (ui::datetime(n.entered_at)) } } }
                            td { (o.source) }
                            td.muted { (o.entered_by_name.as_deref().unwrap_or(t("系统", "system"))) " · " (ui::datetime(o.entered_at)) }
                        }
                    } }
                }
            }
        }
        (observation_form(s, iv, refused, lang))
        @if can(s, &Action::OverrideStatus) { (override_form(s, iv, refused, lang)) }
        @if can(s, &Action::EditIndicator) { (edit_form(s, iv, refused, lang)) }
        (ui::downloads(ctx, lang))
    }
}

fn rate(v: Option<f64>, m: Method, unit: &str, lang: Lang) -> String {
    match (v, m) {
        (Some(v), Method::Growth) => format!("{}{}", pct(v), lang.pick("/年", "/yr")),
        (Some(v), _) => format!("{}{}", human(v, unit), lang.pick("/年", "/yr")),
        (None, _) => "—".into(),
    }
}

fn inputs(iv: &IndicatorView, lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let p = &iv.progress;
    let unit = &iv.row.unit;
    let point = |pt: Option<jiqun_eval::progress::Point>| match pt {
        Some(pt) => format!("{}{}", human(pt.value, unit), ui::paren(lang, &period_text(pt.period, lang))),
        None => "—".to_string(),
    };
    let dash = || "—".to_string();
    html! {
        table.data.compact.inputs {
            caption { (t("计算状态所用的全部输入", "Every input of the computed status")) }
            tbody {
                tr { th scope="row" { (t("计算方法", "Method")) } td { (ui::method_label(p.method, lang)) } }
                tr { th scope="row" { (t("基期值", "Baseline")) } td { (point(p.baseline)) } }
                tr { th scope="row" { (t("最新值", "Latest")) } td { (point(p.latest)) } }
                tr { th scope="row" { (t("目标", "Target")) } td { (target_text(iv, lang)) (ui::paren(lang, &format!("{}{}", p.target.year, t("年", "")))) } }
                tr { th scope="row" { (t("实际年均增速", "Observed rate")) } td { (rate(p.observed_rate, p.method, unit, lang)) } }
                tr { th scope="row" { (t("所需年均增速", "Required rate")) } td { (rate(p.required_rate, p.method, unit, lang)) } }
                tr { th scope="row" { (t("比值 R", "Ratio R")) } td { (p.ratio.map(|r| num(r, 3)).unwrap_or_else(dash)) } }
                tr { th scope="row" { (t("完成率", "Achievement")) } td { (p.achievement.map(pct).unwrap_or_else(dash)) } }
                tr { th scope="row" { (t("时间进度", "Time elapsed")) } td { (p.elapsed.map(pct).unwrap_or_else(dash)) } }
                tr { th scope="row" { (t("趋势预测（目标年）", "Forecast (target year)")) } td { (p.forecast.map(|f| human(f, unit)).unwrap_or_else(dash)) } }
                tr { th scope="row" { (t("与目标差距", "Shortfall")) } td { (p.shortfall.map(|f| human(f, unit)).unwrap_or_else(dash)) } }
                tr { th scope="row" { (t("得分", "Score")) } td { (p.score.map(|f| num(f, 1)).unwrap_or_else(dash)) } }
                tr { th scope="row" { (t("是否最终", "Final")) } td { (if p.is_final { t("是（目标年已过）", "yes (the target year is over)") } else { t("否", "no") }) } }
                tr { th scope="row" { (t("计算状态", "Computed status")) } td { (badge(p.status, lang)) } }
                @if iv.overridden { tr { th scope="row" { (t("显示状态（人工调整）", "Shown status (override)")) } td { (badge(iv.status, lang)) } } }
            }
        }
    }
}

/// The regions this user may enter values for on this indicator: `""` is province-wide.
fn regions_for(s: &Session, iv: &IndicatorView) -> Vec<&'static str> {
    let mut out = Vec::new();
    if s.can(&Action::AddObservation { region: "" }) {
        out.push("");
    }
    if iv.row.by_city {
        for c in ui::regions().prefecture_cities() {
            if s.can(&Action::AddObservation { region: &c.name }) {
                out.push(c.name.as_str());
            }
        }
    }
    out
}

fn observation_form(s: &Session, iv: &IndicatorView, refused: &Refused, lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    if let Some(d) = iv.row.derived_from.as_deref().and_then(|t| jiqun_domain::bases::Derivation::parse(t).ok()) {
        let registry = if d.counts_bases() { "/bases" } else { "/libraries" };
        return html! {
            section.panel #add aria-labelledby="h-add" {
                h2 #h-add { (t("数据来源", "Where the values come from")) }
                p { (t("本指标由系统根据", "Jiqun computes this indicator from the ")) a href=(registry) { (jiqun_app::bases::derivation_label(&d, lang)) } (t("自动计算，登记库变动时即时更新，不接受手工填报。如需人工认定完成情况，请使用下方“人工认定状态”并说明理由。", " and updates it whenever the registry changes; values cannot be typed in. To set its status by hand, use the override below with a reason.")) }
            }
        };
    }
    let regions = regions_for(s, iv);
    if regions.is_empty() {
        return html! {};
    }
    let f = &refused.obs;
    let id = iv.row.id;
    html! {
        section.panel #add aria-labelledby="h-add" {
            h2 #h-add { (t("录入或更正数据", "Add or correct a value")) }
            p.muted { (t("同一期别、同一地区再次录入即为更正，原值保留在更正记录中。", "Entering a value for a period and region that already has one corrects it; the old value stays in the corrections.")) }
            @if refused.which == "obs" { @if let Some(e) = &refused.error { (ui::form_error(e, lang)) } }
            form.grid method="post" action={ "/indicators/" (id) "/observations" } {
                (ui::csrf(s))
                div.field {
                    label for="obs-period" { (t("期别", "Period")) }
                    input #obs-period name="period" required value=(f.period) aria-describedby="obs-period-hint" pattern="[0-9]{4}([Qq][1-4]|-[0-9]{2})?" maxlength="7";
                    p.hint #obs-period-hint { (t("如 2025、2025Q2 或 2025-06", "e.g. 2025, 2025Q2 or 2025-06")) }
                }
                div.field {
                    label for="obs-value" { (t("数值", "Value")) " (" (iv.row.unit) ")" }
                    input #obs-value name="value" required value=(f.value) inputmode="decimal" aria-describedby="obs-value-hint" maxlength="40";
                    p.hint #obs-value-hint { (value_hint(&iv.row.unit, lang)) }
                }
                div.field {
                    label for="obs-region" { (t("地区", "Region")) }
                    select #obs-region name="region" {
                        @for r in &regions {
                            option value=(r) selected[f.region == *r] { @if r.is_empty() { (t("全省", "Province-wide")) } @else { (r) } }
                        }
                    }
                }
                div.field.wide {
                    label for="obs-source" { (t("来源", "Source")) }
                    input #obs-source name="source" value=(f.source) maxlength="200" placeholder=(t("如：省统计局快报", "e.g. provincial statistics bureau"));
                }
                div.actions { button type="submit" { (t("保存数据", "Save the value")) } }
            }
        }
    }
}

/// How to write a value of this unit.
fn value_hint(unit: &str, lang: Lang) -> &'static str {
    match unit {
        "%" | "个百分点" => lang.pick("如 6.2（不写 % 号亦可）", "e.g. 6.2"),
        "元" | "美元" => lang.pick("可写 7.2万亿、7200亿 或 7200000000000", "e.g. 7.2万亿, 7200亿 or 7200000000000"),
        _ => lang.pick("如 3；大数可写 1.5万、2亿", "e.g. 3; large numbers as 1.5万 or 2亿"),
    }
}

fn override_form(s: &Session, iv: &IndicatorView, refused: &Refused, lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let f = &refused.over;
    let current =
        if refused.which == "override" { f.status.clone() } else { iv.row.override_status.clone().unwrap_or_default() };
    html! {
        section.panel #override aria-labelledby="h-override" {
            h2 #h-override { (t("人工调整状态", "Override the status")) }
            p.muted { (t("调整须写明理由，并记入审计日志；选择“不调整”可恢复计算结果。", "An override needs a reason and is recorded in the audit log; choose “no override” to go back to the computed status.")) }
            @if refused.which == "override" { @if let Some(e) = &refused.error { (ui::form_error(e, lang)) } }
            form.grid method="post" action={ "/indicators/" (iv.row.id) "/override" } data-confirm=(t("确定调整该指标的状态吗？", "Override this indicator's status?")) {
                (ui::csrf(s))
                div.field {
                    label for="ov-status" { (t("显示状态", "Status to show")) }
                    select #ov-status name="status" {
                        option value="" selected[current.is_empty()] { (t("不调整（使用计算结果）", "no override (computed)")) }
                        @for st in ui::STATUSES { option value=(st.as_str()) selected[current == st.as_str()] { (st.label(lang)) } }
                    }
                }
                div.field.wide {
                    label for="ov-reason" { (t("理由", "Reason")) }
                    textarea #ov-reason name="reason" rows="2" maxlength="2000" { (if refused.which == "override" { f.reason.clone() } else { iv.row.override_reason.clone().unwrap_or_default() }) }
                }
                div.actions { button type="submit" { (t("保存调整", "Save the override")) } }
            }
        }
    }
}

fn edit_form(s: &Session, iv: &IndicatorView, refused: &Refused, lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let r = &iv.row;
    let f = if refused.which == "edit" {
        refused.edit.clone()
    } else {
        EditForm {
            csrf: String::new(),
            baseline_period: r.baseline_period.clone().unwrap_or_default(),
            baseline_value: r.baseline_value.map(|v| v.to_string()).unwrap_or_default(),
            target_cmp: r.target_cmp.as_str().to_string(),
            target_value: r.target_value.to_string(),
            target_value_max: r.target_value_max.map(|v| v.to_string()).unwrap_or_default(),
            target_year: r.target_year.to_string(),
            frequency: r.frequency.clone(),
            method: r.method.clone(),
        }
    };
    let cmps: [(&str, &str, &str); 6] = [
        (">", "超过 (>)", "over (>)"),
        (">=", "不少于 (≥)", "at least (≥)"),
        ("=", "达到 (=)", "reach (=)"),
        ("<=", "不超过 (≤)", "at most (≤)"),
        ("<", "低于 (<)", "under (<)"),
        ("range", "区间", "range"),
    ];
    html! {
        details.panel #edit open[refused.which == "edit"] {
            summary { h2 { (t("修改基期与目标", "Edit the baseline and target")) } }
            @if refused.which == "edit" { @if let Some(e) = &refused.error { (ui::form_error(e, lang)) } }
            form.grid method="post" action={ "/indicators/" (r.id) "/edit" } {
                (ui::csrf(s))
                div.field {
                    label for="ed-bp" { (t("基期", "Baseline period")) }
                    input #ed-bp name="baseline_period" value=(f.baseline_period) maxlength="7";
                }
                div.field {
                    label for="ed-bv" { (t("基期值", "Baseline value")) " (" (r.unit) ")" }
                    input #ed-bv name="baseline_value" value=(f.baseline_value) inputmode="decimal" maxlength="40";
                }
                div.field {
                    label for="ed-cmp" { (t("比较方式", "Comparator")) }
                    select #ed-cmp name="target_cmp" {
                        @for (v, zh, en) in cmps { option value=(v) selected[f.target_cmp == v] { (lang.pick(zh, en)) } }
                    }
                }
                div.field {
                    label for="ed-tv" { (t("目标值", "Target value")) " (" (r.unit) ")" }
                    input #ed-tv name="target_value" required value=(f.target_value) inputmode="decimal" maxlength="40";
                }
                div.field {
                    label for="ed-tmax" { (t("目标上限（区间目标）", "Upper bound (range)")) }
                    input #ed-tmax name="target_value_max" value=(f.target_value_max) inputmode="decimal" maxlength="40";
                }
                div.field {
                    label for="ed-ty" { (t("目标年份", "Target year")) }
                    input #ed-ty name="target_year" required value=(f.target_year) inputmode="numeric" maxlength="4";
                }
                div.field {
                    label for="ed-freq" { (t("频率", "Frequency")) }
                    select #ed-freq name="frequency" {
                        @for v in ["annual", "quarterly", "monthly"] { option value=(v) selected[f.frequency == v] { (ui::frequency_label(v, lang)) } }
                    }
                }
                div.field {
                    label for="ed-method" { (t("方法", "Method")) }
                    select #ed-method name="method" {
                        @for v in ["growth", "linear"] { option value=(v) selected[f.method == v] { (ui::method_code_label(v, lang)) } }
                    }
                }
                div.actions { button type="submit" { (t("保存修改", "Save")) } }
            }
        }
    }
}

fn observations_csv(iv: &IndicatorView, history: &[ObservationRow], lang: Lang) -> Csv {
    let t = |zh, en| lang.pick(zh, en);
    let mut csv = Csv::translated(
        lang,
        &[
            ("指标", "indicator"),
            ("期别", "period"),
            ("地区", "region"),
            ("数值", "value"),
            ("单位", "unit"),
            ("当前有效", "current"),
            ("来源", "source"),
            ("录入人", "entered by"),
            ("录入时间", "entered at"),
        ],
    );
    for o in history {
        csv.row([
            iv.row.name.clone(),
            o.period.clone(),
            if o.region.is_empty() { t("全省", "province").to_string() } else { o.region.clone() },
            o.value.to_string(),
            iv.row.unit.clone(),
            o.current.to_string(),
            o.source.clone(),
            o.entered_by_name.clone().unwrap_or_default(),
            ui::datetime(o.entered_at),
        ]);
    }
    csv
}
