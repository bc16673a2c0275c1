//! The routing of problems per kind (企业直通车) as JSON: read by those who read projects, changed by the
//! plan owner (a city bureau may not change the province's routing); its form on /projects.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::response::Response;
use jiqun_app::project_settings::{ProblemRouting, RoutingRule};
use jiqun_app::{Action, AppError, Object, Session};
use jiqun_domain::Lang;
use jiqun_domain::projects::ProblemKind;
use maud::{Markup, html};

use crate::ctx::Ctx;
use crate::error::{ApiResult, PageResult, WithLang};
use crate::extract::Form;
use crate::kit::ui;

pub async fn routing(ctx: Ctx) -> ApiResult<Json<ProblemRouting>> {
    let s = ctx.api_user()?;
    Ok(Json(ctx.app.problem_routing(s).await.lang(ctx.lang)?))
}

pub async fn set_routing(ctx: Ctx, body: Bytes) -> ApiResult<Json<ProblemRouting>> {
    let s = ctx.api_writer_for(&Action::ManageProjects(Object::default()))?;
    let b: ProblemRouting = ctx.json(&body)?;
    Ok(Json(ctx.app.set_problem_routing(s, &b, &ctx.ip).await.lang(ctx.lang)?))
}

/// The routing form on /projects, for the plan owner: one row per kind with its department and days.
pub fn panel(s: &Session, lang: Lang, routing: &ProblemRouting, error: Option<&AppError>) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    html! {
        details.panel open[error.is_some()] {
            summary { (t("问题分派（企业直通车）", "Routing of problems (enterprise through-train)")) }
            p.muted { (t("每类问题交办的部门和办理时限（天）；快速通道项目时限减半，至少两天。", "The department each kind of problem goes to and its deadline in days; a fast-lane project gets half, at least two.")) }
            @if let Some(e) = error { (ui::form_error(e, lang)) }
            form method="post" action="/projects/routing" {
                (ui::csrf(s))
                table.data.compact {
                    (ui::head(lang, &[ui::col("类别", "Kind"), ui::col("部门", "Department"), ui::col("时限（天）", "Days")]))
                    tbody { @for k in ProblemKind::ALL {
                        @let rule = routing.routing.get(k.as_str());
                        tr {
                            th scope="row" { (k.label(lang)) }
                            td { input name={ (k.as_str()) ".department" } required maxlength="50" aria-label={ (k.label(lang)) " " (t("部门", "department")) } value=(rule.map_or("", |r| r.department.as_str())); }
                            td { input name={ (k.as_str()) ".days" } required type="number" min="1" max="365" aria-label={ (k.label(lang)) " " (t("时限", "days")) } value=(rule.map_or(String::new(), |r| r.days.to_string())); }
                        }
                    } }
                }
                div.actions { button type="submit" { (t("保存", "Save")) } }
            }
        }
    }
}

/// `POST /projects/routing`: the form's rows (`land.department`, `land.days`, …) as a change of the routing;
/// a refusal shows the form again with the error.
pub async fn set_routing_page(ctx: Ctx, Form(f): Form<BTreeMap<String, String>>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer_for(f.get("csrf").map(String::as_str), &Action::ManageProjects(Object::default()))?;
    let mut routing = BTreeMap::new();
    for k in ProblemKind::ALL {
        let department = f.get(&format!("{}.department", k.as_str())).cloned().unwrap_or_default();
        let days = f.get(&format!("{}.days", k.as_str())).map(|d| d.trim().parse::<i64>().unwrap_or(0)).unwrap_or(0);
        routing.insert(k.as_str().to_string(), RoutingRule { department, days });
    }
    let input = ProblemRouting { routing };
    let done = ctx.app.set_problem_routing(s, &input, &ctx.ip).await.map(|_| "/projects".into());
    let ctx = &ctx;
    ui::after_post(lang, done, ui::REFUSED, |e| async move {
        let snap = ctx.app.snapshot().await.page(lang)?;
        let status = ui::form_status(Some(&e));
        let body = html! {
            div.pagehead { h1 { (lang.pick("问题分派", "Routing of problems")) } }
            (panel(s, lang, &input, Some(&e)))
            p { a href="/projects" { (lang.pick("← 重点项目", "← Key projects")) } }
        };
        Ok(ui::page_status(ctx, s, snap.synthetic, status, lang.pick("问题分派", "Routing of problems"), body))
    })
    .await
}
