//! An import of a filled-in template: its writes in one transaction, each audited as it would be alone,
//! and one record of the file (its name, kind, rows and SHA-256). All or nothing: the first write the
//! database refuses rolls back every other.

use jiqun_domain::audit::AuditAction;
use jiqun_domain::period::Period;
use serde_json::json;

use crate::model::ReportInput;
use crate::project_tracking::NewProgress;
use crate::{Actor, Result, Store};

/// One write of an import, checked by the application before it comes here.
#[derive(Debug, Clone)]
pub enum ImportWrite {
    Observation { indicator_id: i64, period: Period, region: String, value: f64, source: String },
    Report { assignment_id: i64, input: ReportInput },
    Progress { project_id: i64, progress: NewProgress },
}

/// The file an import came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedFile {
    pub kind: String,
    pub name: String,
    pub sha256: String,
    pub rows: usize,
}

impl Store {
    /// Applies every write in one transaction, with one audit record per write and one for the file.
    /// Returns the new records' ids in the writes' order.
    pub async fn import_writes(&self, writes: &[ImportWrite], file: &ImportedFile, actor: &Actor) -> Result<Vec<i64>> {
        let mut tx = self.begin().await?;
        let mut ids = Vec::with_capacity(writes.len());
        for w in writes {
            let id = match w {
                ImportWrite::Observation { indicator_id, period, region, value, source } => {
                    self.add_observation_tx(&mut tx, *indicator_id, *period, region, *value, source, actor).await?
                }
                ImportWrite::Report { assignment_id, input } => {
                    self.save_report_tx(&mut tx, *assignment_id, input, actor).await?.id
                }
                ImportWrite::Progress { project_id, progress } => {
                    self.report_progress_tx(&mut tx, *project_id, progress, actor).await?
                }
            };
            ids.push(id);
        }
        let detail = json!({ "kind": file.kind, "file": file.name, "sha256": file.sha256, "rows": file.rows, "writes": writes.len() });
        self.commit_audited(tx, actor, AuditAction::FileImport, "import", &file.kind, &detail).await?;
        Ok(ids)
    }
}
