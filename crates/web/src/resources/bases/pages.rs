//! `/bases`: the registry of recognised platforms and bases, the count targets it feeds (with their status),
//! and the form to register one; `/bases/{id}`: one base, with the form to withdraw its recognition.
//! Demo entries are synthetic and say so.

use axum::response::Response;
use jiqun_app::bases::{BaseInput, BaseView, WithdrawInput};
use jiqun_app::{Action, AppError, Session};
use jiqun_domain::Lang;
use jiqun_domain::bases::{BaseKind, BaseLevel, Derivation};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

use crate::ctx::Ctx;
use crate::error::{PageResult, WithLang};
use crate::extract::{Form, Path};
use crate::kit::ui::{self, Export};

pub async fn bases(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.page_user()?;
    show(&ctx, s, &BaseForm::default(), None).await
}

fn level_chip(b: &BaseView) -> Markup {
    html! { span class={ "chip lv-" (b.level.as_str()) } { (b.level_label) } }
}

fn synthetic_chip(lang: Lang) -> Markup {
    html! { span.chip.synthetic title=(lang.pick("演示用合成数据，非真实认定", "made up for the demo, not a real recognition")) { (lang.pick("示例", "synthetic")) } }
}

async fn show(ctx: &Ctx, s: &Session, form: &BaseForm, error: Option<AppError>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let items = ctx.app.bases(s, lang).await.page(lang)?;
    let snap = ctx.app.snapshot().await.page(lang)?;
    match ui::export(ctx) {
        Some(Export::Json) => return Ok(ui::json(snap.synthetic, "bases", json!({ "items": items }))),
        Some(Export::Csv) => {
            let csv = jiqun_app::export::TableFormat::Csv;
            return ui::export_download(ctx, s, "bases", csv, None, None).await.page(lang);
        }
        None => {}
    }
    // The count targets of the active plans that the registry feeds, with their status.
    let targets: Vec<_> = snap
        .plans
        .iter()
        .filter(|p| p.plan.status == "active")
        .flat_map(|p| p.indicators.iter())
        .filter_map(|iv| {
            let d = Derivation::parse(iv.row.derived_from.as_deref()?).ok()?;
            d.counts_bases().then_some((iv, d))
        })
        .collect();
    let may_manage = s.can(&Action::ManageBases);
    let status = ui::form_status(error.as_ref());
    let cities: Vec<&str> = ui::regions().prefecture_cities().map(|c| c.name.as_str()).collect();
    let standing = items.iter().filter(|b| b.withdrawn_on.is_none()).count();
    let body = html! {
        div.pagehead {
            h1 { (t("平台与基地", "Platforms and bases")) }
            p.sub { (t("经认定的制造业创新中心、重点实验室、产业基地、园区和集聚区。计划中的数量目标由本库自动计算：登记、更正或撤销认定后，相关指标即时更新。", "Recognised innovation centres, laboratories, industry bases, parks and clusters. The plan's count targets are computed from this registry: registering, correcting or withdrawing a recognition updates them at once.")) }
            (ui::export_buttons(lang, "bases", ""))
        }
        @if items.iter().any(|b| b.synthetic) {
            (ui::example_banner(lang, "标有“示例”的条目为演示用合成数据，名称和日期均为虚构，不代表真实认定。", "entries marked “synthetic” are made up for the demo: their names and dates are invented, not real recognitions."))
        }
        @if !targets.is_empty() {
            section aria-labelledby="h-targets" {
                h2 #h-targets { (t("本库计算的目标", "Targets computed from this registry")) }
                div.scroll { table.data.compact {
                    (ui::head(lang, &[ui::col("指标", "Indicator"), ui::col("计算口径", "Counted from"), ui::num_col("目标", "Target"), ui::num_col("当前", "Now"), ui::col("状态", "Status")]))
                    tbody { @for (iv, d) in &targets { tr {
                        th scope="row" { (ui::indicator_link(iv)) }
                        td { (d.label(lang)) }
                        td.numcell { (ui::target_text(iv, lang)) }
                        td.numcell { @if let Some(p) = &iv.latest { (ui::human(p.value, &iv.row.unit)) } @else { "—" } }
                        td { (ui::badge(iv.status, lang)) }
                    } } }
                } }
            }
        }
        h2 { (t("登记在册", "Registered")) " · " (standing) @if standing != items.len() { (ui::paren(lang, &format!("{}{}", t("另有已撤销 ", "and withdrawn: "), items.len() - standing))) } }
        @if items.is_empty() { p.muted { (t("尚未登记平台或基地。", "Nothing registered yet.")) } } @else {
            div.scroll { table.data.compact {
                (ui::head(lang, &[ui::col("名称", "Name"), ui::col("类别", "Kind"), ui::col("级别", "Level"), ui::col("城市", "City"), ui::col("认定机构", "Recognised by"), ui::col("认定日期", "Recognised on"), ui::col("状态", "Standing")]))
                tbody { @for b in &items { tr {
                    th scope="row" { a href={ "/bases/" (b.id) } { (b.name) } @if b.synthetic { " " (synthetic_chip(lang)) } }
                    td { (b.kind_label) }
                    td { (level_chip(b)) }
                    td { @if b.city.is_empty() { "—" } @else { (b.city) } }
                    td { (b.recognised_by) }
                    td { (b.recognised_on.to_string()) }
                    td { @if let Some(w) = b.withdrawn_on { span.chip.oc-failed { (t("已撤销 ", "withdrawn ")) (w.to_string()) } } @else { span.chip.oc-passed { (t("有效", "recognised")) } } }
                } } }
            } }
        }
        (ui::downloads(ctx, lang))
        @if may_manage {
            details.panel open[error.is_some()] {
                summary { (t("登记认定", "Register a recognition")) }
                @if let Some(e) = &error { (ui::form_error(e, lang)) }
                form.grid method="post" action="/bases" {
                    (ui::csrf(s))
                    label { (t("名称", "Name")) input name="name" required maxlength="100" value=(form.name); }
                    label { (t("类别", "Kind"))
                        select name="kind" required { @for k in BaseKind::ALL { option value=(k.as_str()) selected[form.kind == k.as_str()] { (k.label(lang)) } } } }
                    label { (t("认定级别", "Level"))
                        select name="level" required { @for l in BaseLevel::ALL { option value=(l.as_str()) selected[form.level == l.as_str()] { (l.label(lang)) } } } }
                    label { (t("所在城市", "City"))
                        select name="city" { option value="" { (t("（全省）", "(province-wide)")) } @for c in &cities { option value=(c) selected[form.city == *c] { (c) } } } }
                    label { (t("依托单位", "Host")) input name="host_name" maxlength="100" value=(form.host_name); }
                    label { (t("依托单位统一社会信用代码（企业时填）", "Host's USCC (for an enterprise)")) input name="host_uscc" maxlength="18" value=(form.host_uscc); }
                    label { (t("认定机构", "Recognised by")) input name="recognised_by" maxlength="100" value=(form.recognised_by) placeholder=(t("如：工业和信息化部", "e.g. the Ministry of Industry and IT")); }
                    label { (t("认定日期", "Recognised on")) input name="recognised_on" type="date" required value=(form.recognised_on); }
                    label.wide { (t("来源（认定文件、名单或网页）", "Source (notice, list or web page)")) input name="source" required maxlength="500" value=(form.source); }
                    div.actions { button type="submit" { (t("登记", "Register")) } }
                }
            }
        }
    };
    Ok(ui::page_status(ctx, s, snap.synthetic, status, t("平台与基地", "Platforms and bases"), body))
}

#[derive(Deserialize, Default, Clone)]
pub struct BaseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    host_name: String,
    #[serde(default)]
    host_uscc: String,
    #[serde(default)]
    recognised_by: String,
    #[serde(default)]
    recognised_on: String,
    #[serde(default)]
    source: String,
}

impl BaseForm {
    fn input(&self) -> BaseInput {
        BaseInput {
            name: self.name.clone(),
            kind: self.kind.clone(),
            level: self.level.clone(),
            city: self.city.clone(),
            host_name: self.host_name.clone(),
            host_uscc: Some(self.host_uscc.clone()),
            recognised_by: self.recognised_by.clone(),
            recognised_on: self.recognised_on.clone(),
            source: self.source.clone(),
            version: None,
        }
    }
}

pub async fn recognise(ctx: Ctx, Form(f): Form<BaseForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer_for(Some(&f.csrf), &Action::ManageBases)?;
    let done = ctx.app.recognise_base(s, &f.input(), &ctx.ip).await.map(|id| format!("/bases/{id}"));
    ui::after_post(lang, done, ui::REFUSED, |e| show(&ctx, s, &f, Some(e))).await
}

pub async fn base(ctx: Ctx, Path(id): Path<i64>) -> PageResult<Response> {
    let s = ctx.page_user()?;
    show_one(&ctx, s, id, None).await
}

async fn show_one(ctx: &Ctx, s: &Session, id: i64, error: Option<AppError>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let b = ctx.app.base(s, id, lang).await.page(lang)?;
    let snap = ctx.app.snapshot().await.page(lang)?;
    if let Some(Export::Json) = ui::export(ctx) {
        return Ok(ui::json(snap.synthetic, "base", json!(b)));
    }
    let counted: Vec<_> =
        snap.plans.iter().flat_map(|p| p.indicators.iter()).filter(|iv| b.counts_for.contains(&iv.row.id)).collect();
    let status = ui::form_status(error.as_ref());
    let dash = |v: &str| if v.is_empty() { "—".to_string() } else { v.to_string() };
    let body = html! {
        p.crumbs { a href="/bases" { (t("平台与基地", "Platforms and bases")) } }
        div.pagehead {
            h1 { (b.name) @if b.synthetic { " " (synthetic_chip(lang)) } }
            p.sub { (b.level_label) " · " (b.kind_label) @if !b.city.is_empty() { " · " (b.city) } }
        }
        @if b.synthetic {
            (ui::example_banner(lang, "本条目为演示用合成数据，名称、单位和日期均为虚构。", "this entry is made up for the demo: its name, host and dates are invented."))
        }
        dl.facts {
            dt { (t("依托单位", "Host")) } dd { (dash(&b.host_name)) @if let Some(u) = &b.host_uscc { " " code { (u) } } }
            dt { (t("认定机构", "Recognised by")) } dd { (dash(&b.recognised_by)) }
            dt { (t("认定日期", "Recognised on")) } dd { (b.recognised_on.to_string()) }
            @if let Some(w) = b.withdrawn_on {
                dt { (t("撤销认定", "Withdrawn on")) } dd { (w.to_string()) " " (b.withdrawn_reason.as_deref().unwrap_or("")) }
            }
            dt { (t("来源", "Source")) } dd { (b.source) }
        }
        @if !counted.is_empty() {
            h2 { (t("计入的目标", "Counts towards")) }
            ul { @for iv in &counted { li { (ui::indicator_link(iv)) " · " (ui::target_text(iv, lang)) " · " (ui::badge(iv.status, lang)) } } }
        }
        @if b.withdrawn_on.is_none() && s.can(&Action::ManageBases) {
            details.panel open[error.is_some()] {
                summary { (t("撤销认定", "Withdraw the recognition")) }
                @if let Some(e) = &error { (ui::form_error(e, lang)) }
                form.grid method="post" action={ "/bases/" (b.id) "/withdraw" } {
                    (ui::csrf(s))
                    input type="hidden" name="version" value=(b.version);
                    label { (t("撤销日期", "Withdrawn on")) input name="withdrawn_on" type="date" required; }
                    label.wide { (t("理由（如：复核未通过，文件号）", "Reason (e.g. failed its review, notice number)")) input name="reason" required maxlength="500"; }
                    div.actions { button type="submit" { (t("撤销", "Withdraw")) } }
                }
            }
        }
    };
    Ok(ui::page_status(ctx, s, snap.synthetic, status, &b.name, body))
}

#[derive(Deserialize, Default)]
pub struct WithdrawForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    withdrawn_on: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: Option<i64>,
}

pub async fn withdraw(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<WithdrawForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer_for(Some(&f.csrf), &Action::ManageBases)?;
    let input = WithdrawInput { withdrawn_on: f.withdrawn_on, reason: f.reason, version: f.version };
    let done = ctx.app.withdraw_base(s, id, &input, &ctx.ip).await.map(|()| format!("/bases/{id}"));
    ui::after_post(lang, done, ui::REFUSED_OR_GONE, |e| show_one(&ctx, s, id, Some(e))).await
}
