//! Storage of plans, observations, reports, users and the audit chain, each test on SQLite and (with
//! `JIQUN_TEST_POSTGRES`) on PostgreSQL.

use jiqun_domain::period::Period;
use jiqun_store::{Actor, NewUser, ReportInput, Store, testing};

fn plan() -> jiqun_domain::plan::Plan {
    jiqun_compiler::builtin(&jiqun_compiler::Options::default())
}

/// A store over a fresh database with the built-in plan inserted: the store, the plan's id, the actor.
async fn with_plan(url: &str) -> (Store, i64, Actor) {
    let s = Store::open(url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
    let owner = Actor::system("test");
    let id = s.insert_plan(&plan(), "builtin", &owner).await.unwrap();
    (s, id, owner)
}

#[tokio::test]
async fn a_plan_is_stored_with_its_items_assignments_and_indicators() {
    for url in testing::urls().await {
        let s = Store::open(&url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        // Opening again runs no migration twice.
        let s2 = Store::open(&url).await.unwrap();
        let owner = Actor::system("test");
        let r0 = s.revision().await.unwrap().all;
        let id = s.insert_plan(&plan(), "builtin", &owner).await.unwrap();
        assert!(s2.revision().await.unwrap().all > r0, "{url}: another connection sees the write");
        let p = s.plan(id).await.unwrap().unwrap();
        assert_eq!(p.target_year, Some(2025));
        assert_eq!(s.items(id).await.unwrap().len(), 21);
        let a = s.assignments(Some(id), Some(&kjt())).await.unwrap();
        assert_eq!(a.iter().filter(|x| x.role == "lead").count(), 4, "{url}");
        assert_eq!(s.assignments(Some(id), None).await.unwrap().len(), 76, "{url}");
        let inds = s.indicators(id).await.unwrap();
        assert_eq!(inds.len(), 12);
        assert_eq!(inds[2].name, "新一代信息技术产业规模");
        assert_eq!(inds[2].target_value, 7e12);
        assert_eq!(inds[0].method, "linear", "a count of centres");
        assert_eq!(inds[2].method, "growth");
        assert_eq!(s.plan_document(id).await.unwrap().unwrap().targets.len(), 12);
    }
}

/// Observations and a correction that keeps the old value.
#[tokio::test]
async fn a_correction_keeps_the_old_observation() {
    for url in testing::urls().await {
        let (s, id, owner) = with_plan(&url).await;
        let ind = s.indicators(id).await.unwrap()[2].id;
        s.add_observation(ind, Period::parse("2023").unwrap(), "", 5.0e12, "统计局", &owner).await.unwrap();
        s.add_observation(ind, Period::parse("2023").unwrap(), "", 5.1e12, "统计局(修正)", &owner).await.unwrap();
        s.add_observation(ind, Period::parse("2023").unwrap(), "深圳", 2.5e12, "", &owner).await.unwrap();
        let cur = s.observations(ind).await.unwrap();
        assert_eq!(cur.len(), 2, "{url}");
        assert_eq!(cur.iter().find(|o| o.region.is_empty()).unwrap().value, 5.1e12);
        let hist = s.observation_history(ind).await.unwrap();
        assert_eq!(hist.len(), 3);
        assert!(hist.iter().any(|o| o.value == 5.0e12 && !o.current));
        assert_audited(&s, "observation.correct").await;
    }
}

/// Reports: draft, submit, return, resubmit, accept; versions kept, evidence stays with the report.
#[tokio::test]
async fn a_report_goes_from_draft_to_accepted_keeping_every_version() {
    for url in testing::urls().await {
        let (s, id, owner) = with_plan(&url).await;
        let asg = s.assignments(Some(id), Some(&kjt())).await.unwrap()[0].id;
        let input = |submit| ReportInput {
            period: "2025Q1".into(),
            status: "on_schedule".into(),
            percent: 40.0,
            narrative: "进展".into(),
            submit,
            ..Default::default()
        };
        s.save_report(asg, &input(false), &owner).await.unwrap();
        let r = s.save_report(asg, &input(true), &owner).await.unwrap();
        assert_eq!((r.version, r.state.as_str()), (2, "submitted"));
        s.add_attachment(r.id, "证明.pdf", "application/pdf", b"%PDF-1.4", &owner).await.unwrap();
        s.review_report(r.id, false, "请补充数据", &owner).await.unwrap();
        assert!(s.review_report(r.id, true, "", &owner).await.is_err(), "a returned report is not under review");
        let r3 = s.save_report(asg, &input(true), &owner).await.unwrap();
        assert_eq!(r3.version, 3);
        assert_eq!(r3.attachments.len(), 1, "{url}: evidence stays with the report");
        s.review_report(r3.id, true, "同意", &owner).await.unwrap();
        assert!(s.save_report(asg, &input(true), &owner).await.is_err(), "accepted reports are final");
        let all = s.assignment_reports(asg).await.unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all.iter().filter(|r| r.current).count(), 1);
        assert_audited(&s, "report.return").await;
    }
}

/// Setting a round's deadline again moves it.
#[tokio::test]
async fn a_rounds_deadline_can_be_moved() {
    for url in testing::urls().await {
        let (s, id, owner) = with_plan(&url).await;
        s.set_round(id, "2025Q1", "2025-04-15", &owner).await.unwrap();
        s.set_round(id, "2025Q1", "2025-04-20", &owner).await.unwrap();
        assert_eq!(s.rounds(id).await.unwrap()[0].deadline, "2025-04-20", "{url}");
    }
}

/// A user keeps its roles and scope; a username is taken once.
#[tokio::test]
async fn a_username_is_taken_once() {
    for url in testing::urls().await {
        let s = Store::open(&url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        let owner = Actor::system("test");
        let kjt = NewUser {
            username: "kjt".into(),
            display_name: "科技厅填报员".into(),
            password_hash: "x".into(),
            roles: vec!["agency_reporter".into()],
            agency: Some(kjt()),
            ..s_user()
        };
        let uid = s.create_user(&kjt, &owner).await.unwrap();
        assert!(s.create_user(&NewUser { username: "kjt".into(), ..s_user() }, &owner).await.is_err(), "{url}");
        let u = s.user(uid).await.unwrap().unwrap();
        assert!(u.has_role("agency_reporter"));
    }
}

/// The audit log has a record of the action.
async fn assert_audited(s: &Store, action: &str) {
    let audit = s.audit_log(100).await.unwrap();
    assert!(audit.iter().any(|a| a.action == action), "{action}");
}

fn kjt() -> jiqun_domain::AgencyName {
    jiqun_domain::AgencyName::parse("省科技厅").unwrap()
}

fn s_user() -> NewUser {
    NewUser {
        username: String::new(),
        display_name: String::new(),
        password_hash: String::new(),
        roles: vec![],
        agency: None,
        city: None,
        uscc: None,
        must_change_password: false,
    }
}

#[tokio::test]
async fn the_audit_chain_detects_edits_deletions_and_reordering() {
    for url in testing::urls().await {
        let s = Store::open(&url).await.unwrap();
        let a = Actor::system("test");
        for k in 0..6 {
            s.set_setting(&format!("k{k}"), "v", &a).await.unwrap();
        }
        assert_eq!(s.verify_audit().await.unwrap(), jiqun_store::AuditCheck::Intact { records: 6 }, "{url}");
        // An edit of record 3 is found at record 3.
        sqlx::query("UPDATE audit_log SET detail = '{}' WHERE id = 3").execute(s.pool()).await.unwrap();
        assert!(matches!(s.verify_audit().await.unwrap(), jiqun_store::AuditCheck::Broken { id: 3, .. }), "{url}");
        // Deleting it (to hide the edit) breaks the chain at the next record.
        sqlx::query("DELETE FROM audit_log WHERE id = 3").execute(s.pool()).await.unwrap();
        match s.verify_audit().await.unwrap() {
            jiqun_store::AuditCheck::Broken { id, reason } => assert_eq!(id, 4, "{url}: {reason}"),
            other => panic!("{url}: {other:?}"),
        }
        // A second store with other keys cannot vouch for the chain either.
        let other = Store::open(&url).await.unwrap();
        assert!(matches!(other.verify_audit().await.unwrap(), jiqun_store::AuditCheck::Broken { id: 1, .. }));
    }
}

#[tokio::test]
async fn pruning_old_records_keeps_the_chain_verifiable() {
    let s = Store::open(&testing::sqlite_url()).await.unwrap();
    let a = Actor::system("test");
    for k in 0..5 {
        s.set_setting(&format!("k{k}"), "v", &a).await.unwrap();
    }
    let cut = jiqun_store::now_ms() + 1;
    std::thread::sleep(std::time::Duration::from_millis(5));
    s.set_setting("after", "v", &a).await.unwrap();
    assert_eq!(s.prune_audit(cut, &a).await.unwrap(), 5);
    assert!(matches!(s.verify_audit().await.unwrap(), jiqun_store::AuditCheck::Intact { records: 2 }));
    s.set_setting("later", "v", &a).await.unwrap();
    assert!(matches!(s.verify_audit().await.unwrap(), jiqun_store::AuditCheck::Intact { records: 3 }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_process_writes_are_seen_without_polling_queries() {
    for url in testing::urls().await {
        let server = Store::open(&url).await.unwrap();
        let cli = Store::open(&url).await.unwrap();
        // Let the PostgreSQL listener start.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let before = server.revision().await.unwrap().all;
        assert_eq!(server.revision().await.unwrap().all, before);
        cli.set_setting("from", "cli", &Actor::system("cli")).await.unwrap();
        // SQLite: at once (the files changed). PostgreSQL: as soon as the notification arrives; it is looked
        // for up to 300 times, 10 ms apart (a count of tries, not a measured time).
        let mut seen = server.revision().await.unwrap().all;
        for _ in 0..300 {
            if seen != before {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            seen = server.revision().await.unwrap().all;
        }
        assert!(seen > before, "{url}: the write of another process is seen");
        // Own writes are seen at once.
        server.set_setting("from", "server", &Actor::system("server")).await.unwrap();
        assert!(server.revision().await.unwrap().all > seen, "{url}");
    }
}

/// Reports saved at once for the same assignment and period: each gets its own version and exactly one is
/// current (every write transaction takes the revision row first, and the indexes of migration 7 refuse a
/// second current version or a repeated version number should that ever change).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_report_saves_keep_one_current_version() {
    for url in testing::urls().await {
        let (s, plan_id, owner) = with_plan(&url).await;
        let asg = s.assignments(Some(plan_id), Some(&kjt())).await.unwrap()[0].id;
        let mut saves = tokio::task::JoinSet::new();
        for i in 0..12 {
            let s = s.clone();
            let owner = owner.clone();
            saves.spawn(async move {
                let input = ReportInput {
                    period: "2025Q1".into(),
                    status: "on_schedule".into(),
                    percent: i as f64,
                    narrative: format!("第 {i} 次"),
                    problems: String::new(),
                    help_needed: String::new(),
                    submit: true,
                    based_on: None,
                };
                s.save_report(asg, &input, &owner).await.unwrap().version
            });
        }
        let mut versions = Vec::new();
        while let Some(v) = saves.join_next().await {
            versions.push(v.unwrap());
        }
        versions.sort();
        assert_eq!(versions, (1..=12).collect::<Vec<i64>>(), "{url}");
        let all = s.assignment_reports(asg).await.unwrap();
        assert_eq!(all.iter().filter(|r| r.current).count(), 1, "{url}");
        assert_eq!(all.iter().find(|r| r.current).map(|r| r.version), Some(12), "{url}");
    }
}

/// Each process keeps the chain's end its last audited commit left, and takes it instead of reading the
/// chain when nothing was appended since. Two processes on one database, appending in turns by writes and
/// by audit records alone (an export's, a failed login's), each with records in one transaction, keep one
/// intact chain: a process that kept an end another has since appended after reads the chain's end again.
#[tokio::test]
async fn two_processes_appending_in_turns_keep_one_audit_chain() {
    let keys = jiqun_crypto::KeyFile::generate().unwrap();
    let crypto = || std::sync::Arc::new(jiqun_crypto::Software::new(keys.clone()));
    for url in testing::urls().await {
        let one = Store::open_with(&url, crypto()).await.unwrap();
        let other = Store::open_with(&url, crypto()).await.unwrap();
        let a = Actor::system("test");
        let detail = serde_json::json!({});
        let mut records = 0;
        for round in 0..4 {
            for (k, s) in [&one, &other, &one, &one, &other].into_iter().enumerate() {
                s.set_setting(&format!("r{round}k{k}"), "v", &a).await.unwrap();
                records += 1;
                if (round + k) % 2 == 0 {
                    let by = if k % 2 == 0 { &other } else { &one };
                    by.audit_event(&a, jiqun_domain::audit::AuditAction::DataExport, "export", "t", true, &detail)
                        .await
                        .unwrap();
                    records += 1;
                }
            }
        }
        assert_eq!(one.verify_audit().await.unwrap(), jiqun_store::AuditCheck::Intact { records }, "{url}");
    }
}
