//! The plan owner's forms that are not about one indicator: adding an indicator the document lacks, and
//! closing a plan with its final assessment (naming the successor plan loaded beside it).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jiqun_app::model::IndicatorEdit;
use jiqun_app::snapshot::PlanView;
use jiqun_app::{Action, AppError, Session};
use jiqun_domain::Lang;
use maud::{Markup, html};
use serde::Deserialize;

use super::ui;
use crate::ctx::{AppState, Ctx};
use crate::error::{PageLang, PageResult};
use crate::extract::{Form, Path};

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

pub fn close_form(s: &Session, plan: &PlanView, others: &[(i64, String)], lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    html! {
        details.panel {
            summary { (t("关闭计划（总体评估）", "Close the plan (final assessment)")) }
            form method="post" action=(format!("/plans/{}/close", plan.plan.id)) data-confirm=(t("确定关闭此计划？", "Close this plan?")) {
                (ui::csrf(s))
                label for="assessment" { (t("总体评估", "Final assessment")) }
                textarea #assessment name="assessment" required rows="5" maxlength="20000" {}
                label for="successor" { (t("接续计划", "Successor plan")) }
                select #successor name="successor" {
                    option value="" { (t("（无）", "(none)")) }
                    @for (id, name) in others { option value=(id) { (name) } }
                }
                button type="submit" { (t("关闭计划", "Close the plan")) }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    frequency: String,
    #[serde(default)]
    target_cmp: String,
    #[serde(default)]
    target_value: String,
    #[serde(default)]
    target_value_max: String,
    #[serde(default)]
    target_year: String,
    #[serde(default)]
    baseline_period: String,
    #[serde(default)]
    baseline_value: String,
    #[serde(default)]
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

pub async fn add_indicator(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(plan_id): Path<i64>,
    Form(f): Form<AddForm>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ui::form_user(&ctx, &f.csrf, &Action::EditIndicator)?;
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
    let id = app.add_indicator(s, plan_id, &e, &ctx.ip).await.page(lang)?;
    Ok(Redirect::to(&format!("/indicators/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    assessment: String,
    #[serde(default)]
    successor: String,
}

pub async fn close(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(plan_id): Path<i64>,
    Form(f): Form<CloseForm>,
) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ui::form_user(&ctx, &f.csrf, &Action::ClosePlan)?;
    let successor = f.successor.trim().parse::<i64>().ok();
    app.close_plan(s, plan_id, &f.assessment, successor, &ctx.ip).await.page(lang)?;
    Ok(Redirect::to(&format!("/plans/{plan_id}")).into_response())
}
