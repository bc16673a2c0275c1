//! Jobs: long work that must not be lost when the server doing it dies, nor done twice when several
//! servers share the database (docs/platform.md, "Several servers").
//!
//! The server that receives the request writes the job, claimed by itself, runs it in the request and
//! moves the job's heartbeat every few seconds while it runs. Every server (`jiqun serve`) also runs
//! `job_runner`: a job whose heartbeat is older than `stale_after_ms()` was left by a server that died, and is
//! taken over (PostgreSQL: `FOR UPDATE SKIP LOCKED`; both databases: the revision row serialises the claim)
//! and run again from the start, as the user who asked for it, with that user's permissions as they are
//! now. The job's result is committed in the same transaction that finishes it, and only under the claim
//! the server holds, so a run is committed once even when a server thought dead comes back.
//!
//! Today the evaluation run is a job; imports and bulletins still run inside their request.

use std::time::Duration;

use jiqun_domain::jobs::JobKind;
use serde::{Deserialize, Serialize};

use crate::{App, AppError, AppResult, Session};

/// A running job whose heartbeat is older than this (30 s, or `JIQUN_JOB_STALE_SECONDS`, 2 to 3600) was
/// left by a server that died. Every server on a database should be given the same value.
pub fn stale_after_ms() -> i64 {
    static STALE: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *STALE.get_or_init(|| {
        let secs = std::env::var("JIQUN_JOB_STALE_SECONDS").ok().and_then(|v| v.trim().parse::<i64>().ok());
        secs.map_or(30, |s| s.clamp(2, 3600)) * 1000
    })
}

/// How often a running job's heartbeat moves: six times within the stale limit.
fn heartbeat() -> Duration {
    Duration::from_millis((stale_after_ms() / 6) as u64)
}
/// A job taken over this many times without finishing is given up (marked failed).
pub const MAX_ATTEMPTS: i64 = 3;
/// How often each server looks for abandoned jobs: half the stale limit, at most every 3 s.
fn poll() -> Duration {
    Duration::from_millis((stale_after_ms() / 2).min(3000) as u64)
}

/// What an evaluation job needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationParams {
    pub year: i64,
    pub scheme: String,
}

/// A name for this process among the servers on one database: host, process id and a random part (a
/// restarted process with the same id is another server).
pub(crate) fn new_server_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_default();
    let mut r = [0u8; 4];
    let _ = getrandom::fill(&mut r);
    format!("{}-{}-{}", if host.is_empty() { "jiqun" } else { &host }, std::process::id(), hex::encode(r))
}

impl App {
    /// This server's name, as its jobs are claimed under it.
    pub fn server_id(&self) -> &str {
        &self.server_id
    }

    /// Writes an evaluation job claimed by this server and runs it now.
    pub(crate) async fn run_job(&self, session: &Session, params: &EvaluationParams, ip: &str) -> AppResult<i64> {
        let text = serde_json::to_string(params).map_err(AppError::internal)?;
        let requested_by = session.actor(ip).id;
        let job = self.store.start_job(JobKind::Evaluation, &text, &self.server_id, requested_by, ip).await?;
        self.run_claimed(session, &job, params).await
    }

    /// Runs a job this server holds, beating its heartbeat meanwhile; a failure is written to the job.
    async fn run_claimed(
        &self,
        session: &Session,
        job: &jiqun_store::JobRow,
        params: &EvaluationParams,
    ) -> AppResult<i64> {
        let store = self.store.clone();
        let (id, claim) = (job.id, job.claim);
        let beat = tokio::spawn(async move {
            loop {
                tokio::time::sleep(heartbeat()).await;
                // A lost claim or a database error ends the beating; finishing then fails on the claim.
                if !matches!(store.beat(id, claim).await, Ok(true)) {
                    break;
                }
            }
        });
        let out = self.evaluate(session, params.year, &params.scheme, &job.requested_ip, (id, claim)).await;
        beat.abort();
        if let Err(e) = &out {
            let error =
                serde_json::json!({ "zh": e.message(jiqun_domain::Lang::Zh), "en": e.message(jiqun_domain::Lang::En) });
            // Best effort: if this fails too, the job's heartbeat stops and another server retries it.
            let _ = self.store.fail_job(id, claim, &error.to_string()).await;
        }
        out
    }

    /// Takes over one job that a dead server left, if there is one, and runs it. Returns the job's id and
    /// what came of it.
    pub async fn take_over_abandoned_job(&self) -> AppResult<Option<(i64, AppResult<i64>)>> {
        let stale_before = jiqun_store::now_ms() - stale_after_ms();
        let Some(job) = self.store.take_over_job(&self.server_id, stale_before, MAX_ATTEMPTS).await? else {
            return Ok(None);
        };
        let out = self.resume(&job).await;
        Ok(Some((job.id, out)))
    }

    async fn resume(&self, job: &jiqun_store::JobRow) -> AppResult<i64> {
        let fail = |zh: String, en: String| AppError::invalid("job", zh, en);
        let params: EvaluationParams = match job.kind {
            JobKind::Evaluation => serde_json::from_str(&job.params).map_err(|e| {
                fail(format!("任务参数无法读取：{e}"), format!("the job's parameters cannot be read: {e}"))
            }),
        }?;
        // As the user who asked, with their permissions as they are now; the operator (no account) as the
        // operator.
        let session = match job.requested_by {
            None => crate::operations::operator_session("operator"),
            Some(uid) => match self.store.user(uid).await? {
                Some(user) if !user.disabled => Session {
                    user,
                    csrf: String::new(),
                    kind: "job".into(),
                    token_hash: String::new(),
                    restriction: None,
                    roles: self.role_table().await?,
                },
                _ => {
                    let e = fail(
                        format!("提出任务的用户 {uid} 已不存在或已停用"),
                        format!("the user {uid} who asked for the job no longer exists or is disabled"),
                    );
                    let error = serde_json::json!({ "zh": e.message(jiqun_domain::Lang::Zh), "en": e.message(jiqun_domain::Lang::En) });
                    self.store.fail_job(job.id, job.claim, &error.to_string()).await?;
                    return Err(e);
                }
            },
        };
        self.run_claimed(&session, job, &params).await
    }

    /// The newest jobs (at most `limit`), for those who may run evaluations.
    pub async fn jobs(&self, session: &Session, limit: i64) -> AppResult<Vec<jiqun_store::JobRow>> {
        session.require(&crate::Action::RunEvaluation)?;
        Ok(self.store.jobs(limit.clamp(1, 500)).await?)
    }
}

/// Every few seconds, takes over and runs the jobs that dead servers left: for as long as the server runs.
pub async fn job_runner(app: std::sync::Arc<App>) {
    loop {
        // Spread the servers' looks a little so that they do not all query at the same instant.
        let mut r = [0u8; 1];
        let _ = getrandom::fill(&mut r);
        tokio::time::sleep(poll() + Duration::from_millis(u64::from(r[0]) * 4)).await;
        loop {
            match app.take_over_abandoned_job().await {
                Ok(Some((id, Ok(result)))) => eprintln!("job {id}: taken over and done (result {result})"),
                Ok(Some((id, Err(e)))) => {
                    eprintln!("job {id}: taken over and failed: {}", e.message(jiqun_domain::Lang::En))
                }
                Ok(None) => break,
                Err(e) => {
                    eprintln!("jobs: {}", e.message(jiqun_domain::Lang::En));
                    break;
                }
            }
        }
    }
}
