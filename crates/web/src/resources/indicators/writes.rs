//! The indicator forms' handlers: a value (`/indicators/{id}/observations`), the status override
//! (`/indicators/{id}/override`), the baseline and target (`/indicators/{id}/edit`), each answering with the
//! page again and the error when the input was wrong; and adding an indicator the document lacks
//! (`/plans/{id}/indicators`, the form shown on `/indicators`).

use axum::response::{IntoResponse, Redirect, Response};
use jiqun_app::model::IndicatorEdit;
use jiqun_app::snapshot::{IndicatorView, PlanView};
use jiqun_app::{Action, AppError, Session};
use jiqun_domain::Lang;
use maud::{Markup, html};
use serde::Deserialize;

use super::pages::{Refused, show};
use crate::ctx::Ctx;
use crate::error::{PageError, PageResult, WithLang};
use crate::extract::{Form, Path};
use crate::kit::ui;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ObsForm {
    pub(super) csrf: String,
    pub(super) period: String,
    pub(super) value: String,
    pub(super) region: String,
    pub(super) source: String,
}

/// Answers a write of the form `form.which`: 303 back to the page when it worked, the page again with the
/// form as typed and the error (422) when the input was wrong, an error page otherwise.
async fn answer(ctx: &Ctx, s: &Session, id: i64, result: Result<(), AppError>, form: Refused) -> PageResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/indicators/{id}?done={}#status", form.which)).into_response()),
        Err(e) if e.status() == 422 => show(ctx, s, id, Refused { error: Some(e), ..form }, None).await,
        Err(e) => Err(PageError(e, ctx.lang)),
    }
}

/// An indicator of any plan of the snapshot, or 404.
fn indicator<'a>(ctx: &Ctx, snap: &'a jiqun_app::Snapshot, id: i64) -> PageResult<&'a IndicatorView> {
    snap.plans
        .iter()
        .find_map(|p| p.indicator(id))
        .ok_or_else(|| ui::not_found(ctx.lang, format!("指标 {id} 不存在"), format!("no indicator {id}")))
}

pub async fn add_observation(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ObsForm>) -> PageResult<Response> {
    let region = f.region.trim();
    // Permission before validation.
    let s = ctx.page_writer_for(Some(&f.csrf), &Action::AddObservation { region })?;
    let snap = ctx.app.snapshot().await.page(ctx.lang)?;
    let unit = &indicator(&ctx, &snap, id)?.row.unit;
    let result = match ui::parse_amount(&f.value, unit) {
        Some(v) => {
            ctx.app.add_observation(s, id, &f.period, v, Some(region), Some(&f.source), &ctx.ip).await.map(|_| ())
        }
        None => {
            Err(AppError::invalid("value", format!("“{}”不是数值", f.value), format!("“{}” is not a number", f.value)))
        }
    };
    answer(&ctx, s, id, result, Refused { which: "obs", obs: f, ..Default::default() }).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct OverrideForm {
    pub(super) csrf: String,
    pub(super) status: String,
    pub(super) reason: String,
}

pub async fn override_status(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<OverrideForm>) -> PageResult<Response> {
    let s = ctx.page_writer(Some(&f.csrf))?;
    let status = Some(f.status.trim()).filter(|x| !x.is_empty());
    let result = ctx.app.override_status(s, id, status, &f.reason, &ctx.ip).await;
    answer(&ctx, s, id, result, Refused { which: "override", over: f, ..Default::default() }).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EditForm {
    pub(super) csrf: String,
    pub(super) baseline_period: String,
    pub(super) baseline_value: String,
    pub(super) target_cmp: String,
    pub(super) target_value: String,
    pub(super) target_value_max: String,
    pub(super) target_year: String,
    pub(super) frequency: String,
    pub(super) method: String,
}

fn edit_of(iv: &IndicatorView, f: &EditForm) -> Result<IndicatorEdit, AppError> {
    let r = &iv.row;
    let amount = |field: &str, s: &str| -> Result<Option<f64>, AppError> {
        if s.trim().is_empty() {
            return Ok(None);
        }
        ui::parse_amount(s, &r.unit)
            .map(Some)
            .ok_or_else(|| AppError::invalid(field, format!("“{s}”不是数值"), format!("“{s}” is not a number")))
    };
    let target_value = amount("target_value", &f.target_value)?
        .ok_or_else(|| AppError::invalid("target_value", "请填写目标值", "the target value is required"))?;
    let target_year: i64 = f.target_year.trim().parse().map_err(|_| {
        AppError::invalid(
            "target_year",
            format!("“{}”不是年份", f.target_year),
            format!("“{}” is not a year", f.target_year),
        )
    })?;
    let baseline_period = Some(f.baseline_period.trim().to_string()).filter(|p| !p.is_empty());
    let baseline_value = amount("baseline_value", &f.baseline_value)?;
    if baseline_period.is_some() != baseline_value.is_some() {
        return Err(AppError::invalid(
            "baseline_value",
            "基期和基期值应同时填写或同时留空",
            "give both the baseline period and value, or neither",
        ));
    }
    Ok(IndicatorEdit {
        item: r.item.clone(),
        name: r.name.clone(),
        unit: r.unit.clone(),
        direction: r.direction.clone(),
        method: f.method.clone(),
        frequency: f.frequency.clone(),
        baseline_period,
        baseline_value,
        target_cmp: f.target_cmp.clone(),
        target_value,
        target_value_max: amount("target_value_max", &f.target_value_max)?,
        target_year,
        by_city: r.by_city,
    })
}

pub async fn edit(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<EditForm>) -> PageResult<Response> {
    let s = ctx.page_writer_for(Some(&f.csrf), &Action::EditIndicator)?;
    let snap = ctx.app.snapshot().await.page(ctx.lang)?;
    let result = match edit_of(indicator(&ctx, &snap, id)?, &f) {
        Ok(e) => ctx.app.update_indicator(s, id, &e, &ctx.ip).await,
        Err(e) => Err(e),
    };
    answer(&ctx, s, id, result, Refused { which: "edit", edit: f, ..Default::default() }).await
}

// ---- /plans/{id}/indicators ----

pub fn add_indicator_form(s: &Session, plan: &PlanView, lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    html! {
        details.panel {
            summary { (t("新增指标（文件中没有的）", "Add an indicator the document lacks")) }
            form.grid method="post" action=(format!("/plans/{}/indicators", plan.plan.id)) {
                (ui::csrf(s))
                label { (t("名称", "Name")) input name="name" required maxlength="200"; }
                label { (t("单位", "Unit")) input name="unit" required maxlength="20" placeholder="元 / % / 个"; }
                label { (t("所属条目", "Item")) input name="item" placeholder="1.2"; }
                label { (t("方向", "Direction"))
                    select name="direction" { option value="up" { (t("越大越好", "higher is better")) } option value="down" { (t("越小越好", "lower is better")) } } }
                label { (t("方法", "Method"))
                    select name="method" { option value="growth" { (t("增速比", "growth ratio")) } option value="linear" { (t("线性完成度（计数）", "linear (counts)")) } } }
                label { (t("频率", "Frequency"))
                    select name="frequency" { option value="annual" { (t("年度", "annual")) } option value="quarterly" { (t("季度", "quarterly")) } option value="monthly" { (t("月度", "monthly")) } } }
                label { (t("比较", "Comparator"))
                    select name="target_cmp" { @for c in [">=", ">", "=", "<=", "<", "range"] { option value=(c) { (c) } } } }
                label { (t("目标值（基本单位）", "Target (base unit)")) input name="target_value" required inputmode="decimal"; }
                label { (t("区间上限（仅区间）", "Range maximum (ranges only)")) input name="target_value_max" inputmode="decimal"; }
                label { (t("目标年份", "Target year")) input name="target_year" required inputmode="numeric" value=(plan.plan.target_year.unwrap_or(2025)); }
                label { (t("基期", "Baseline period")) input name="baseline_period" placeholder="2020"; }
                label { (t("基期值", "Baseline value")) input name="baseline_value" inputmode="decimal"; }
                label.check { input type="checkbox" name="by_city" value="1"; " " (t("分市填报", "reported by city")) }
                button type="submit" { (t("新增指标", "Add indicator")) }
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddForm {
    csrf: String,
    name: String,
    unit: String,
    item: String,
    direction: String,
    method: String,
    frequency: String,
    target_cmp: String,
    target_value: String,
    target_value_max: String,
    target_year: String,
    baseline_period: String,
    baseline_value: String,
    by_city: String,
}

fn amount(field: &str, s: &str, unit: &str) -> Result<Option<f64>, AppError> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    ui::parse_amount(s, unit)
        .map(Some)
        .ok_or_else(|| AppError::invalid(field, format!("“{s}”不是数值"), format!("“{s}” is not a number")))
}

pub async fn add_indicator(ctx: Ctx, Path(plan_id): Path<i64>, Form(f): Form<AddForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer_for(Some(&f.csrf), &Action::EditIndicator)?;
    let e = (|| -> Result<IndicatorEdit, AppError> {
        Ok(IndicatorEdit {
            item: Some(f.item.trim().to_string()).filter(|i| !i.is_empty()),
            name: f.name.trim().to_string(),
            unit: f.unit.trim().to_string(),
            direction: f.direction.clone(),
            method: f.method.clone(),
            frequency: f.frequency.clone(),
            baseline_period: Some(f.baseline_period.trim().to_string()).filter(|p| !p.is_empty()),
            baseline_value: amount("baseline_value", &f.baseline_value, &f.unit)?,
            target_cmp: f.target_cmp.clone(),
            target_value: amount("target_value", &f.target_value, &f.unit)?
                .ok_or_else(|| AppError::invalid("target_value", "请填写目标值", "the target value is required"))?,
            target_value_max: amount("target_value_max", &f.target_value_max, &f.unit)?,
            target_year: f
                .target_year
                .trim()
                .parse()
                .map_err(|_| AppError::invalid("target_year", "目标年份无效", "the target year is not a year"))?,
            by_city: f.by_city == "1",
        })
    })()
    .page(lang)?;
    let id = ctx.app.add_indicator(s, plan_id, &e, &ctx.ip).await.page(lang)?;
    Ok(Redirect::to(&format!("/indicators/{id}")).into_response())
}
