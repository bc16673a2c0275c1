//! Two `jiqun` server processes on one database, as behind a load balancer: what one server does to a
//! session, an account or the keys takes effect on the other at once (docs/platform.md, "Several
//! servers"). On SQLite (two processes on one file) and, with `JIQUN_TEST_POSTGRES`, PostgreSQL.

use crate::common::{Server, bin_in, http, login};

/// Runs `test` on each database with a key file of its own (`name` keeps tests running in parallel apart).
fn each_db(name: &str, test: impl Fn(&str, &[(&str, &str)])) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut dbs = vec![jiqun_store::testing::sqlite_url()];
    dbs.extend(rt.block_on(jiqun_store::testing::postgres_url()));
    for (i, db) in dbs.iter().enumerate() {
        let keys = std::env::temp_dir().join("jiqun-tests").join(format!("two-{name}-{}-{i}.keys", std::process::id()));
        let _ = std::fs::remove_file(&keys);
        let key_env = keys.display().to_string();
        test(db, &[("JIQUN_BOOTSTRAP_PASSWORD", "Admin@12345"), ("JIQUN_KEY_FILE", key_env.as_str())]);
        let _ = std::fs::remove_file(&keys);
    }
}

/// The demo on one server, `serve` on the same database on a second.
fn two(db: &str, env: &[(&str, &str)]) -> (Server, Server) {
    let a = Server::start("demo", db, env);
    let b = Server::start("serve", db, env);
    assert!(b.output.contains("Ctrl-C"), "{db}: the second server did not start: {}", b.output);
    (a, b)
}

fn me(server: &Server, token: &str) -> u16 {
    http(&server.addr, "GET", "/api/v1/auth/me", Some(token), "").0
}

#[test]
fn a_logout_on_one_server_ends_the_session_on_the_other() {
    each_db("logout", |db, env| {
        let (a, b) = two(db, env);
        let (s, token) = login(&a.addr, "gxt", "Demo@2025");
        assert_eq!(s, 200, "{db}");
        // Read twice on B, so that B holds the session in its cache.
        assert_eq!(me(&b, &token), 200, "{db}");
        assert_eq!(me(&b, &token), 200, "{db}");
        let (s, body) = http(&a.addr, "POST", "/api/v1/auth/logout", Some(&token), "");
        assert!(s == 204 || s == 200, "{db}: logout {s} {body}");
        assert_eq!(me(&b, &token), 401, "{db}: B still honours a session ended on A");
        assert_eq!(me(&a, &token), 401, "{db}");
    });
}

#[test]
fn a_password_change_on_one_server_ends_the_users_other_sessions_on_the_other() {
    each_db("password", |db, env| {
        let (a, b) = two(db, env);
        let (_, old_session) = login(&b.addr, "kjt", "Demo@2025");
        assert_eq!(me(&b, &old_session), 200, "{db}");
        let (s, changer) = login(&a.addr, "kjt", "Demo@2025");
        assert_eq!(s, 200, "{db}");
        let body = r#"{"old_password": "Demo@2025", "new_password": "Changed@2026x"}"#;
        let (s, out) = http(&a.addr, "POST", "/api/v1/auth/password", Some(&changer), body);
        assert_eq!(s, 204, "{db}: {out}");
        assert_eq!(me(&b, &old_session), 401, "{db}: the other session outlived the password change");
        // The session that made the change goes on; the old password is refused on either server.
        assert_eq!(me(&b, &changer), 200, "{db}");
        assert_eq!(login(&b.addr, "kjt", "Demo@2025").0, 401, "{db}");
        assert_eq!(login(&b.addr, "kjt", "Changed@2026x").0, 200, "{db}");
    });
}

#[test]
fn a_role_taken_away_on_one_server_is_gone_on_the_other() {
    each_db("revoke", |db, env| {
        let (a, b) = two(db, env);
        let (_, city) = login(&b.addr, "shenzhen", "Demo@2025");
        let indicators = |t: &str| http(&b.addr, "GET", "/api/v1/indicators?plan=1", Some(t), "").0;
        assert_eq!(indicators(&city), 200, "{db}");
        assert_eq!(indicators(&city), 200, "{db}");
        let (s, security) = login(&a.addr, "security", "Demo@2025");
        assert_eq!(s, 200, "{db}");
        let body = r#"{"username": "shenzhen", "role": "city_reporter"}"#;
        let (s, out) = http(&a.addr, "POST", "/api/v1/role-revocations", Some(&security), body);
        assert_eq!(s, 204, "{db}: {out}");
        assert_eq!(indicators(&city), 403, "{db}: B still grants a role taken away on A");
    });
}

#[test]
fn a_lock_out_on_one_server_holds_on_the_other() {
    each_db("lockout", |db, env| {
        let (a, b) = two(db, env);
        for _ in 0..jiqun_app::auth::DEFAULT_MAX_FAILURES {
            assert_eq!(login(&a.addr, "fgw", "wrong-password").0, 401, "{db}");
        }
        let (s, _) = login(&b.addr, "fgw", "Demo@2025");
        assert_eq!(s, 423, "{db}: the right password opened an account locked on the other server");
        assert_eq!(login(&a.addr, "fgw", "Demo@2025").0, 423, "{db}");
    });
}

#[test]
fn a_key_rotation_reaches_both_servers() {
    each_db("rotation", |db, env| {
        let (a, b) = two(db, env);
        let (_, ta) = login(&a.addr, "owner", "Demo@2025");
        let (_, tb) = login(&b.addr, "owner", "Demo@2025");
        let firm = |s: &Server, t: &str| http(&s.addr, "GET", "/api/v1/enterprises/1", Some(t), "");
        let (s, before) = firm(&a, &ta);
        assert_eq!(s, 200, "{db}: {before}");
        assert_eq!(firm(&b, &tb).1, before, "{db}");
        let key_file = env.iter().find(|(k, _)| *k == "JIQUN_KEY_FILE").map(|(_, v)| *v).unwrap();
        let o = bin_in("en_US.UTF-8").args(["keys", "rotate", "--db", db]).env("JIQUN_KEY_FILE", key_file).output();
        let o = o.unwrap();
        assert!(o.status.success(), "{db}: {}", String::from_utf8_lossy(&o.stderr));
        // Both read the re-sealed fields; a figure sealed by one with the new key reads on the other.
        assert_eq!(firm(&a, &ta).1, before, "{db}");
        assert_eq!(firm(&b, &tb).1, before, "{db}");
        let body = r#"{"year": 2025, "source": "two servers", "figures": {"tax_wan": 9876.5}}"#;
        let (s, out) = http(&b.addr, "POST", "/api/v1/enterprises/1/figures", Some(&tb), body);
        assert_eq!(s, 201, "{db}: {out}");
        assert!(firm(&a, &ta).1.contains("9876.5"), "{db}");
        let o = bin_in("en_US.UTF-8").args(["audit", "verify", "--db", db]).env("JIQUN_KEY_FILE", key_file).output();
        let o = o.unwrap();
        assert!(o.status.success(), "{db}: {}", String::from_utf8_lossy(&o.stderr));
    });
}

/// Reads one number from the database.
fn scalar(db: &str, sql: &'static str) -> i64 {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let st = jiqun_store::Store::open(db).await.unwrap();
        let n: i64 = sqlx::query_scalar(sql).fetch_one(st.pool()).await.unwrap();
        st.pool().close().await;
        n
    })
}

/// An evaluation run on server A, which is killed with SIGKILL while it runs (or, if the run was quicker,
/// just after): whatever the moment, the run ends up committed exactly once, by A or by B taking the job
/// over, and the audit chain verifies. The stale limit is two seconds here (`JIQUN_JOB_STALE_SECONDS`).
#[test]
fn an_evaluation_cut_off_by_kill_9_is_finished_once_by_the_other_server() {
    each_db("kill", |db, env| {
        let dir = std::env::temp_dir().join("jiqun-tests").join(format!("kill-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let firms = dir.join("firms.xlsx");
        let o = bin_in("en_US.UTF-8")
            .args(["demo-data", "enterprises", "--count", "20000", "--output", firms.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut env = env.to_vec();
        env.push(("JIQUN_JOB_STALE_SECONDS", "2"));
        let (mut a, b) = two(db, &env);
        let key_file = env.iter().find(|(k, _)| *k == "JIQUN_KEY_FILE").map(|(_, v)| *v).unwrap();
        // 20,000 more firms with figures, so that a run takes long enough to be cut off.
        let o = bin_in("en_US.UTF-8")
            .args(["import", "--db", db, firms.to_str().unwrap()])
            .env("JIQUN_KEY_FILE", key_file)
            .output()
            .unwrap();
        assert!(o.status.success(), "{db}: {}", String::from_utf8_lossy(&o.stderr));
        let year = scalar(db, "SELECT MAX(year) FROM enterprise_figures");
        let runs_before = scalar(db, "SELECT COUNT(*) FROM evaluations");
        let jobs_before = scalar(db, "SELECT COUNT(*) FROM jobs");
        let (_, token) = login(&a.addr, "owner", "Demo@2025");
        let addr = a.addr.clone();
        let asked = std::thread::spawn(move || {
            http(&addr, "POST", "/api/v1/evaluations", Some(&token), &format!(r#"{{"year": {year}}}"#))
        });
        // Kill A as soon as its job is written.
        for _ in 0..600 {
            if scalar(db, "SELECT COUNT(*) FROM jobs") > jobs_before {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        a.kill();
        let _ = asked.join();
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM jobs"), jobs_before + 1, "{db}: the job was not written");
        // B takes the job over once its heartbeat is two seconds old (bounded wait: a minute).
        for _ in 0..600 {
            if scalar(db, "SELECT COUNT(*) FROM jobs WHERE state = 'running'") == 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert_eq!(
            scalar(db, "SELECT COUNT(*) FROM jobs WHERE state = 'running'"),
            0,
            "{db}: the job was left running"
        );
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM jobs WHERE state = 'done'"), jobs_before + 1, "{db}");
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM evaluations"), runs_before + 1, "{db}: committed once");
        let o = bin_in("en_US.UTF-8").args(["audit", "verify", "--db", db]).env("JIQUN_KEY_FILE", key_file).output();
        let o = o.unwrap();
        assert!(o.status.success(), "{db}: {}", String::from_utf8_lossy(&o.stderr));
        drop(b);
        let _ = std::fs::remove_dir_all(&dir);
    });
}
