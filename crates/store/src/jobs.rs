//! Jobs: long work (an evaluation run) that the server which received the request runs, recording that it
//! does so, and that another server takes over when the first stops beating.
//!
//! A job is written `running`, claimed by the server that made it, and its `heartbeat_at` is moved every
//! few seconds while it runs. A job whose heartbeat is older than the caller's limit was left by a server
//! that died: `take_over_job` gives it to the caller with a new `claim` number. Only the holder of the
//! current claim can finish it (`finish_job_tx`, in the transaction that commits the job's result), so a
//! server that was thought dead but wakes up later cannot commit the same work a second time.

use jiqun_domain::audit::AuditAction;
use jiqun_domain::jobs::{JobKind, JobState};
use serde_json::json;

use crate::model::{Table, row};
use crate::{Actor, Backend, Result, Store, StoreError, Tx, now_ms};

row! {
    table "jobs";
    #[derive(Debug, Clone, PartialEq)]
    pub struct JobRow {
        pub id: i64,
        pub kind: JobKind,
        /// What the job needs to run, as JSON (an evaluation: `{"year": 2025, "scheme": "default"}`).
        pub params: String,
        pub state: JobState,
        /// The user on whose behalf it runs (their permissions are checked again when it is taken over).
        pub requested_by: Option<i64>,
        pub requested_ip: String,
        /// The server holding it (`App::server_id`).
        pub server: String,
        /// Raised at every take-over; only the current claim may finish the job.
        pub claim: i64,
        pub attempts: i64,
        pub heartbeat_at: i64,
        /// What it made (an evaluation run's id), once done.
        pub result_id: Option<i64>,
        /// Why it failed, as JSON `{"zh": …, "en": …}`.
        pub error: Option<String>,
        pub created_at: i64,
        pub finished_at: Option<i64>,
    }
}

impl Store {
    /// A new job, running at once on `server` (the one that received the request).
    pub async fn start_job(
        &self,
        kind: JobKind,
        params: &str,
        server: &str,
        requested_by: Option<i64>,
        ip: &str,
    ) -> Result<JobRow> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO jobs (kind, params, state, requested_by, requested_ip, server, claim, attempts, heartbeat_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, 1, $7, $7) RETURNING id",
        )
        .bind(kind.as_str())
        .bind(params)
        .bind(JobState::Running.as_str())
        .bind(requested_by)
        .bind(ip)
        .bind(server)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let job = job_in(&mut tx, id).await?;
        self.commit(tx).await?;
        Ok(job)
    }

    /// Moves the job's heartbeat, if `claim` still holds it. Not a revision: caches stay valid.
    pub async fn beat(&self, id: i64, claim: i64) -> Result<bool> {
        Ok(sqlx::query("UPDATE jobs SET heartbeat_at = $1 WHERE id = $2 AND claim = $3 AND state = $4")
            .bind(now_ms())
            .bind(id)
            .bind(claim)
            .bind(JobState::Running.as_str())
            .execute(self.pool())
            .await?
            .rows_affected()
            > 0)
    }

    /// Takes over the oldest running job whose heartbeat is older than `stale_before` (ms since 1970): its
    /// server died. A job already tried `max_attempts` times is marked failed instead, so that work which
    /// kills every server that runs it does not go round for ever. Audited (`job.take_over`).
    pub async fn take_over_job(&self, server: &str, stale_before: i64, max_attempts: i64) -> Result<Option<JobRow>> {
        // A plain read first: most looks find nothing, and need not queue behind the writers.
        let any: Option<i64> = sqlx::query_scalar("SELECT id FROM jobs WHERE state = $1 AND heartbeat_at < $2 LIMIT 1")
            .bind(JobState::Running.as_str())
            .bind(stale_before)
            .fetch_optional(self.pool())
            .await?;
        if any.is_none() {
            return Ok(None);
        }
        let mut tx = self.begin().await?;
        // The revision bump in `begin` already serialises writers; on PostgreSQL the row lock says so too.
        let pick = match self.backend {
            Backend::Postgres => {
                "SELECT id FROM jobs WHERE state = $1 AND heartbeat_at < $2 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
            }
            Backend::Sqlite => "SELECT id FROM jobs WHERE state = $1 AND heartbeat_at < $2 ORDER BY id LIMIT 1",
        };
        let id: Option<i64> = sqlx::query_scalar(pick)
            .bind(JobState::Running.as_str())
            .bind(stale_before)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(id) = id else {
            tx.rollback().await?;
            return Ok(None);
        };
        let before = job_in(&mut tx, id).await?;
        let now = now_ms();
        let actor = Actor::system(server);
        if before.attempts >= max_attempts {
            let error = json!({
                "zh": format!("任务已尝试 {} 次，每次执行它的服务器都中途停止，不再重试", before.attempts),
                "en": format!("tried {} times; each server running it stopped before the end, not tried again", before.attempts),
            });
            sqlx::query("UPDATE jobs SET state = $1, error = $2, finished_at = $3 WHERE id = $4")
                .bind(JobState::Failed.as_str())
                .bind(error.to_string())
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let detail = json!({ "from": before.server, "attempts": before.attempts, "given_up": true });
            self.commit_audited(tx, &actor, AuditAction::JobTakeOver, "job", &id.to_string(), &detail).await?;
            return Ok(None);
        }
        sqlx::query(
            "UPDATE jobs SET server = $1, claim = claim + 1, attempts = attempts + 1, heartbeat_at = $2 WHERE id = $3",
        )
        .bind(server)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let job = job_in(&mut tx, id).await?;
        let detail = json!({ "from": before.server, "kind": job.kind.as_str(), "attempt": job.attempts });
        self.commit_audited(tx, &actor, AuditAction::JobTakeOver, "job", &id.to_string(), &detail).await?;
        Ok(Some(job))
    }

    /// Marks the job failed with `error` (JSON `{"zh", "en"}`), if `claim` still holds it.
    pub async fn fail_job(&self, id: i64, claim: i64, error: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        let closed = close_job(&mut tx, (id, claim), JobState::Failed, None, Some(error)).await?;
        self.commit(tx).await?;
        Ok(closed)
    }

    pub async fn job(&self, id: i64) -> Result<Option<JobRow>> {
        self.one(JobRow::select("WHERE id = $1").bind(id)).await
    }

    /// The newest jobs first, at most `limit`.
    pub async fn jobs(&self, limit: i64) -> Result<Vec<JobRow>> {
        self.all(JobRow::select("ORDER BY id DESC LIMIT $1").bind(limit)).await
    }
}

async fn job_in(tx: &mut Tx, id: i64) -> Result<JobRow> {
    let row = JobRow::select("WHERE id = $1").bind(id).fetch_one(&mut **tx).await?;
    <JobRow as crate::model::FromRow>::from_row(&row)
}

/// Finishes the job inside the transaction that commits its result: refused (`Conflict`) when another
/// server has taken it over since `claim`, which rolls the result back with it.
pub(crate) async fn finish_job_tx(tx: &mut Tx, job: (i64, i64), result_id: i64) -> Result<()> {
    if !close_job(tx, job, JobState::Done, Some(result_id), None).await? {
        return Err(StoreError::Conflict(crate::Clash::JobTakenOver { job: job.0 }));
    }
    Ok(())
}

/// Ends a running job (`done` with its result, or `failed` with the reason) if `claim` still holds it;
/// false when another server has taken it over or it has ended already.
async fn close_job(
    tx: &mut Tx,
    (id, claim): (i64, i64),
    state: JobState,
    result_id: Option<i64>,
    error: Option<&str>,
) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE jobs SET state = $1, result_id = $2, error = $3, finished_at = $4 \
         WHERE id = $5 AND claim = $6 AND state = $7",
    )
    .bind(state.as_str())
    .bind(result_id)
    .bind(error)
    .bind(now_ms())
    .bind(id)
    .bind(claim)
    .bind(JobState::Running.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n > 0)
}
