//! Jobs shared by the servers on one database (docs/platform.md, "Several servers"): an evaluation run is a
//! job; a job whose server died is taken over by another and committed once; a server thought dead that
//! comes back cannot commit the same run again. On SQLite and PostgreSQL.

use jiqun_domain::jobs::{JobKind, JobState};
use serde_json::{Value, json};

use crate::common::{Client, tests_on_each_db};

tests_on_each_db!(
    an_evaluation_run_is_a_job_done_with_its_result,
    a_job_left_by_a_dead_server_is_taken_over_and_committed_once,
    a_server_thought_dead_cannot_commit_a_job_taken_over,
    a_job_that_keeps_killing_its_servers_is_given_up,
    two_servers_share_abandoned_jobs_without_running_one_twice,
    a_job_runs_with_the_permissions_its_user_has_now,
);

async fn evaluations(api: &Client) -> i64 {
    let pool = api.app.store_for_tests().pool();
    sqlx::query_scalar("SELECT COUNT(*) FROM evaluations").fetch_one(pool).await.unwrap()
}

/// A job as a dead server leaves it: running, claimed by `server`, its heartbeat a minute old.
async fn abandoned(api: &Client, server: &str, requested_by: &str) -> i64 {
    let store = api.app.store_for_tests();
    let uid = store.user_by_name(requested_by).await.unwrap().unwrap().id;
    let params = json!({ "year": 2025, "scheme": "default" }).to_string();
    let job = store.start_job(JobKind::Evaluation, &params, server, Some(uid), "10.0.0.9").await.unwrap();
    age(api, job.id).await;
    job.id
}

async fn age(api: &Client, job: i64) {
    let old = jiqun_store::now_ms() - 60_000;
    sqlx::query("UPDATE jobs SET heartbeat_at = $1 WHERE id = $2")
        .bind(old)
        .bind(job)
        .execute(api.app.store_for_tests().pool())
        .await
        .unwrap();
}

async fn job(api: &Client, id: i64) -> jiqun_store::JobRow {
    api.app.store_for_tests().job(id).await.unwrap().unwrap()
}

async fn an_evaluation_run_is_a_job_done_with_its_result(api: Client) {
    let owner = api.demo_login("owner").await;
    let (s, run) = api.call("POST", "/api/v1/evaluations", &owner, json!({ "year": 2025 })).await;
    assert_eq!(s, 201, "{}: {run}", api.db);
    let jobs = api.app.store_for_tests().jobs(1).await.unwrap();
    let j = &jobs[0];
    assert_eq!((j.kind, j.state, j.attempts), (JobKind::Evaluation, JobState::Done, 1), "{}", api.db);
    assert_eq!(j.server, api.app.server_id(), "{}", api.db);
    assert_eq!(j.result_id, run["id"].as_i64(), "{}: {run}", api.db);
    // A refused run leaves a failed job with the reason in both languages.
    let (s, _) = api.call("POST", "/api/v1/evaluations", &owner, json!({ "year": 1990 })).await;
    assert_eq!(s, 422, "{}", api.db);
    let j = api.app.store_for_tests().jobs(1).await.unwrap().remove(0);
    assert_eq!(j.state, JobState::Failed, "{}", api.db);
    let error: Value = serde_json::from_str(j.error.as_deref().unwrap()).unwrap();
    assert!(error["zh"].as_str().unwrap().contains("1990"), "{}: {error}", api.db);
    assert!(error["en"].as_str().unwrap().contains("1990"), "{}: {error}", api.db);
}

async fn a_job_left_by_a_dead_server_is_taken_over_and_committed_once(api: Client) {
    let before = evaluations(&api).await;
    let id = abandoned(&api, "dead-server", "owner").await;
    let (taken, out) = api.app.take_over_abandoned_job().await.unwrap().expect("the abandoned job is taken over");
    assert_eq!(taken, id, "{}", api.db);
    let run = out.unwrap_or_else(|e| panic!("{}: {e}", api.db));
    let j = job(&api, id).await;
    assert_eq!((j.state, j.result_id, j.claim, j.attempts), (JobState::Done, Some(run), 2, 2), "{}", api.db);
    assert_eq!(j.server, api.app.server_id(), "{}", api.db);
    assert_eq!(evaluations(&api).await, before + 1, "{}", api.db);
    // Nothing is left to take over; the run is on the list for whoever asked, made as them.
    assert!(api.app.take_over_abandoned_job().await.unwrap().is_none(), "{}", api.db);
    let owner = api.demo_login("owner").await;
    let (_, list) = api.call("GET", "/api/v1/evaluations", &owner, Value::Null).await;
    assert!(list.to_string().contains(&format!("\"id\":{run}")), "{}: {list}", api.db);
    let pool = api.app.store_for_tests().pool();
    let (actor, ip): (String, String) =
        sqlx::query_as("SELECT actor, ip FROM audit_log WHERE action = 'evaluation.run' ORDER BY id DESC LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!((actor.as_str(), ip.as_str()), ("owner", "10.0.0.9"), "{}", api.db);
    let from: String =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'job.take_over' ORDER BY id DESC LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(from.contains("dead-server"), "{}: {from}", api.db);
}

async fn a_server_thought_dead_cannot_commit_a_job_taken_over(api: Client) {
    // A slow server holds the job (claim 1) but stops beating; another takes it over and finishes it.
    let id = abandoned(&api, "slow-server", "owner").await;
    let (_, out) = api.app.take_over_abandoned_job().await.unwrap().unwrap();
    out.unwrap();
    let after_take_over = evaluations(&api).await;
    // The slow server wakes and tries to commit its own run under its old claim: refused, nothing written.
    let store = api.app.store_for_tests();
    let run = store.evaluations().await.unwrap().remove(0);
    let err = store.save_evaluation(&run, &[], Some((id, 1)), &jiqun_store::Actor::system("slow-server")).await;
    assert!(
        matches!(err, Err(jiqun_store::StoreError::Conflict(jiqun_store::Clash::JobTakenOver { job })) if job == id),
        "{}: {err:?}",
        api.db
    );
    assert_eq!(evaluations(&api).await, after_take_over, "{}", api.db);
    assert!(!store.beat(id, 1).await.unwrap(), "{}: an old claim moved the heartbeat", api.db);
}

async fn a_job_that_keeps_killing_its_servers_is_given_up(api: Client) {
    let before = evaluations(&api).await;
    let id = abandoned(&api, "dead-server", "owner").await;
    sqlx::query("UPDATE jobs SET attempts = $1 WHERE id = $2")
        .bind(jiqun_app::jobs::MAX_ATTEMPTS)
        .bind(id)
        .execute(api.app.store_for_tests().pool())
        .await
        .unwrap();
    assert!(api.app.take_over_abandoned_job().await.unwrap().is_none(), "{}", api.db);
    let j = job(&api, id).await;
    assert_eq!(j.state, JobState::Failed, "{}", api.db);
    assert!(j.error.unwrap().contains("不再重试"), "{}", api.db);
    assert_eq!(evaluations(&api).await, before, "{}", api.db);
}

async fn two_servers_share_abandoned_jobs_without_running_one_twice(api: Client) {
    let before = evaluations(&api).await;
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(abandoned(&api, "dead-server", "owner").await);
    }
    let other = api.second_server().await;
    let drain = |c: Client| async move {
        let mut ran = Vec::new();
        while let Some((id, out)) = c.app.take_over_abandoned_job().await.unwrap() {
            out.unwrap_or_else(|e| panic!("{}: {e}", c.db));
            ran.push(id);
        }
        ran
    };
    let (a, b) = tokio::join!(drain(api.clone()), drain(other.clone()));
    let mut all: Vec<i64> = a.iter().chain(b.iter()).copied().collect();
    all.sort_unstable();
    assert_eq!(all, ids, "{}: each job once (server A {a:?}, server B {b:?})", api.db);
    assert_eq!(evaluations(&api).await, before + 4, "{}", api.db);
    for id in ids {
        let j = job(&api, id).await;
        assert_eq!((j.state, j.claim), (JobState::Done, 2), "{}", api.db);
        assert!(j.server == api.app.server_id() || j.server == other.app.server_id(), "{}", api.db);
    }
}

async fn a_job_runs_with_the_permissions_its_user_has_now(api: Client) {
    // The viewer may not run evaluations: a job in their name (as if their role had been taken away while
    // it ran) fails on take-over instead of running with rights they no longer have.
    let before = evaluations(&api).await;
    let id = abandoned(&api, "dead-server", "viewer").await;
    let (_, out) = api.app.take_over_abandoned_job().await.unwrap().unwrap();
    assert!(out.is_err(), "{}", api.db);
    assert_eq!(job(&api, id).await.state, JobState::Failed, "{}", api.db);
    assert_eq!(evaluations(&api).await, before, "{}", api.db);
}
