//! Who tracks and serves a project library (跟踪服务), set by the plan owner.

use axum::Json;
use axum::body::Bytes;
use jiqun_app::project_settings::LibraryTrackers;
use jiqun_app::projects::ProjectLibrary;
use jiqun_app::{Action, AppError, Object};

use crate::ctx::Ctx;
use crate::error::{ApiResult, WithLang};
use crate::extract::Path;

pub async fn set_trackers(ctx: Ctx, Path(id): Path<String>, body: Bytes) -> ApiResult<Json<ProjectLibrary>> {
    let s = ctx.api_writer_for(&Action::ManageProjects(Object::default()))?;
    let b: LibraryTrackers = ctx.json(&body)?;
    ctx.app.set_library_trackers(s, &id, &b, &ctx.ip).await.lang(ctx.lang)?;
    let libraries = ctx.app.project_libraries(s, ctx.lang).await.lang(ctx.lang)?;
    let library = libraries.into_iter().find(|l| l.id == id);
    Ok(Json(library.ok_or_else(|| AppError::internal("a library just set is gone")).lang(ctx.lang)?))
}

/// The plan owner's form on /projects: for each library, who tracks and serves it (departments and
/// officials, separated by commas or 、).
pub fn trackers_panel(s: &jiqun_app::Session, lang: jiqun_domain::Lang, libraries: &[ProjectLibrary]) -> maud::Markup {
    let t = |zh, en| lang.pick(zh, en);
    maud::html! {
        details.panel {
            summary { (t("跟踪服务的部门和人员", "Who tracks and serves each library")) }
            @for l in libraries {
                form.grid method="post" action={ "/projects/libraries/" (l.id) "/trackers" } {
                    (crate::kit::ui::csrf(s))
                    p.wide { strong { (l.name) } }
                    label { (t("部门（以逗号或顿号分隔）", "Departments (separated by commas)")) input name="departments" value=(l.trackers.departments.join("、")); }
                    label { (t("人员（账户名）", "Officials (user names)")) input name="officials" value=(l.trackers.officials.join("、")); }
                    div.actions { button type="submit" { (t("保存", "Save")) } }
                }
            }
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub struct TrackersForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    departments: String,
    #[serde(default)]
    officials: String,
}

fn names(s: &str) -> Vec<String> {
    s.split([',', '，', '、', ';', '；']).map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect()
}

/// `POST /projects/libraries/{id}/trackers`: back to /projects, or the refusal in the site's frame.
pub async fn set_trackers_page(
    ctx: Ctx,
    Path(id): Path<String>,
    crate::extract::Form(f): crate::extract::Form<TrackersForm>,
) -> crate::error::PageResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let lang = ctx.lang;
    let s = ctx.page_writer_for(Some(&f.csrf), &Action::ManageProjects(Object::default()))?;
    let input = LibraryTrackers { departments: names(&f.departments), officials: names(&f.officials) };
    match ctx.app.set_library_trackers(s, &id, &input, &ctx.ip).await {
        Ok(_) => Ok(axum::response::Redirect::to("/projects").into_response()),
        Err(e) => Err(crate::error::PageError(e, lang)),
    }
}
