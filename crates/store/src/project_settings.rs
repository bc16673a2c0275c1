//! Who tracks and serves each project library (跟踪服务): its departments (short names in the registry) and
//! its officials (usernames), columns of `project_libraries` since migration 12.

use jiqun_domain::audit::AuditAction;
use serde::Serialize;
use serde_json::json;

use crate::model::{Table, row};
use crate::{Actor, Result, Store};

row! {
    table "project_libraries";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct LibraryTrackersRow {
        /// The library (`ic_key`, `5g_major`, …).
        pub id: String,
        pub tracking_departments: Vec<String>,
        /// Usernames.
        pub tracking_officials: Vec<String>,
    }
}

impl Store {
    /// Each project library's trackers.
    pub async fn library_trackers(&self) -> Result<Vec<LibraryTrackersRow>> {
        self.all(LibraryTrackersRow::select("ORDER BY position, id")).await
    }

    /// Sets a library's departments and officials (checked by the caller), audited with before and after.
    pub async fn set_library_trackers(
        &self,
        id: &str,
        departments: &[String],
        officials: &[String],
        actor: &Actor,
    ) -> Result<()> {
        let before = self.library_trackers().await?.into_iter().find(|l| l.id == id);
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE project_libraries SET tracking_departments = $1, tracking_officials = $2 WHERE id = $3")
            .bind(departments.join(","))
            .bind(officials.join(","))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let detail = json!({
            "before": before.map(|b| json!({ "departments": b.tracking_departments, "officials": b.tracking_officials })),
            "after": { "departments": departments, "officials": officials },
        });
        self.commit_audited(tx, actor, AuditAction::ProjectLibraryTrackers, "project_library", id, &detail).await
    }
}
