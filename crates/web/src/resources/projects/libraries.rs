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
