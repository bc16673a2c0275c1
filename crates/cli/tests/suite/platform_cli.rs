//! `jiqun demo`, `serve`, `user add`, `user grant` and `demo-data scale` as an operator runs them, with a
//! real server process and the CLI writing to its database while it runs.

use std::process::{Command, Output, Stdio};

use crate::common::{Server, bin_in, http, login};

fn bin() -> Command {
    bin_in("en_US.UTF-8")
}

fn db() -> String {
    jiqun_store::testing::sqlite_url()
}

fn run(args: &[&str], password: Option<&str>) -> Output {
    let mut c = bin();
    c.args(args).stdin(Stdio::null());
    match password {
        Some(p) => c.env("JIQUN_NEW_PASSWORD", p),
        None => c.env_remove("JIQUN_NEW_PASSWORD"),
    };
    c.output().expect("runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn demo_serves_the_plan_and_says_how_to_log_in() {
    let db = db();
    let server = Server::start("demo", &db, &[("JIQUN_BOOTSTRAP_PASSWORD", "Admin@12345")]);
    assert!(server.output.contains(&format!("http://{}/", server.addr)), "{}", server.output);
    assert!(server.output.contains("owner") && server.output.contains("Demo@2025"), "{}", server.output);
    assert_eq!(http(&server.addr, "GET", "/healthz", None, "").0, 200);
    let (s, token) = login(&server.addr, "owner", "Demo@2025");
    assert_eq!(s, 200);
    let (s, body) = http(&server.addr, "GET", "/api/v1/indicators?plan=1", Some(&token), "");
    assert_eq!(s, 200);
    assert!(body.contains("新一代信息技术产业规模"));
    // The bootstrap administrator from the environment.
    assert_eq!(login(&server.addr, "admin", "Admin@12345").0, 200);

    // The CLI writes while the server runs, and the server sees it at once.
    let o = run(
        &["user", "add", "--db", &db, "--username", "kjt2", "--role", "agency_reporter", "--agency", "科技厅"],
        Some("Kj-123456"),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(login(&server.addr, "kjt2", "Kj-123456").0, 200);
    let o = run(&["demo-data", "scale", "--db", &db, "--indicators", "3", "--years", "4"], None);
    assert!(o.status.success(), "{}", text(&o));
    let (_, body) = http(&server.addr, "GET", "/api/v1/indicators?plan=1", Some(&token), "");
    assert!(body.contains("扩展指标 03"), "the new indicators are served without a restart");
}

#[test]
fn serve_bootstraps_a_production_database_with_a_generated_password() {
    let db = db();
    let server = Server::start("serve", &db, &[]);
    let line = server.output.lines().find(|l| l.contains("admin /")).unwrap_or_else(|| panic!("{}", server.output));
    let password = line.rsplit(' ').next().unwrap().to_string();
    assert!(password.len() >= 16);
    assert_eq!(login(&server.addr, "admin", &password).0, 200);
    assert_eq!(login(&server.addr, "admin", "wrong").0, 401);
    // An empty production database has no plan and no demo accounts.
    assert!(!server.output.contains("Demo@2025"));
}

#[test]
fn user_add_and_grant() {
    let db = db();
    let ok = run(&["user", "add", "--db", &db, "--username", "sec", "--role", "security_admin"], Some("Sec-12345"));
    assert!(ok.status.success(), "{}", text(&ok));
    // Twice: refused.
    let again = run(&["user", "add", "--db", &db, "--username", "sec", "--role", "viewer"], Some("Sec-12345"));
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    // Bad role, weak password, a department reporter without a department, no password at all.
    for (args, pw, says) in [
        (vec!["--username", "x1", "--role", "boss"], Some("Xx-123456"), "unknown role"),
        (vec!["--username", "x2", "--role", "viewer"], Some("short"), "password"),
        (vec!["--username", "x3", "--role", "agency_reporter"], Some("Xx-123456"), "agency"),
        (vec!["--username", "x4", "--role", "city_reporter", "--city", "台北"], Some("Xx-123456"), "city"),
        (vec!["--username", "x5", "--role", "viewer"], None, "JIQUN_NEW_PASSWORD"),
    ] {
        let mut a = vec!["user", "add", "--db", &db];
        a.extend(args);
        let o = run(&a, pw);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        assert!(text(&o).contains(says), "{says}: {}", text(&o));
    }
    // Separation of duties: no account holds two of the three administrator roles.
    let o = run(&["user", "grant", "--db", &db, "--username", "sec", "--role", "audit_admin"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("separation of duties"), "{}", text(&o));
    let o = run(&["user", "grant", "--db", &db, "--username", "sec", "--role", "viewer"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&["user", "grant", "--db", &db, "--username", "nobody", "--role", "viewer"], None);
    assert_eq!(o.status.code(), Some(1));
    // Usage errors exit 2.
    assert_eq!(run(&["user", "add", "--db", &db], None).status.code(), Some(2));
    assert_eq!(run(&["serve"], None).status.code(), Some(2));
    // A database URL of neither kind.
    let o = run(&["user", "add", "--db", "mysql://x", "--username", "a", "--role", "viewer"], Some("Xx-123456"));
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("sqlite://"), "{}", text(&o));
}

#[test]
fn audit_verify_finds_a_tampered_record() {
    let db = db();
    let keys = std::path::PathBuf::from(db.trim_start_matches("sqlite://")).with_extension("keys");
    for name in ["a1", "a2", "a3"] {
        let o = run(&["user", "add", "--db", &db, "--username", name, "--role", "viewer"], Some("Xx-123456"));
        assert!(o.status.success(), "{}", text(&o));
    }
    // The key file was created beside the database, readable by its owner only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&keys).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let o = run(&["audit", "verify", "--db", &db], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("intact"), "{}", text(&o));
    // Someone with database access edits a record.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let s = jiqun_store::Store::open(&db).await.unwrap();
        sqlx::query("UPDATE audit_log SET actor = 'nobody' WHERE id = 2").execute(s.pool()).await.unwrap();
    });
    let o = run(&["audit", "verify", "--db", &db], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("record 2"), "{}", text(&o));
    // Another key file cannot vouch for the chain.
    let o = bin()
        .args(["audit", "verify", "--db", &db])
        .env("JIQUN_KEY_FILE", keys.with_extension("other"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("record 1"), "{}", text(&o));
}

#[test]
fn backup_and_restore_round_trip_with_the_same_keys() {
    let src = db();
    for name in ["b1", "b2"] {
        assert!(
            run(&["user", "add", "--db", &src, "--username", name, "--role", "viewer"], Some("Xx-123456"))
                .status
                .success()
        );
    }
    let keys = std::path::PathBuf::from(src.trim_start_matches("sqlite://")).with_extension("keys");
    let out = std::env::temp_dir().join(format!("jiqun-backup-{}.jsonl", std::process::id()));
    let o = run(&["backup", "--db", &src, "--output", out.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    let dst = db();
    // The copy is restored with the original's key file, so its audit chain still verifies.
    let restore = |target: &str| {
        bin()
            .args(["restore", "--input", out.to_str().unwrap(), "--db", target])
            .env("JIQUN_KEY_FILE", &keys)
            .output()
            .unwrap()
    };
    let o = restore(&dst);
    assert!(o.status.success(), "{}", text(&o));
    let o = bin().args(["audit", "verify", "--db", &dst]).env("JIQUN_KEY_FILE", &keys).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    // Not into a database that holds data.
    let o = restore(&dst);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("not empty"), "{}", text(&o));
    // A missing input file.
    let o = run(&["restore", "--input", "/nonexistent.jsonl", "--db", &db()], None);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn contacts_are_sealed_and_survive_a_key_rotation() {
    let db = db();
    let o = run(
        &["user", "add", "--db", &db, "--username", "c1", "--role", "viewer", "--contact", "13800138000"],
        Some("Xx-123456"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let stored = |db: String| {
        rt.block_on(async move {
            let s = jiqun_store::Store::open(&db).await.unwrap();
            sqlx::query_scalar::<_, String>("SELECT contact FROM users WHERE username = 'c1'")
                .fetch_one(s.pool())
                .await
                .unwrap()
        })
    };
    let before = stored(db.clone());
    assert!(before.starts_with("sm4gcm:1:") && !before.contains("13800138000"), "sealed at rest: {before}");
    // A firm's figure, sealed under the same key file.
    let keys = std::path::PathBuf::from(db.trim_start_matches("sqlite://")).with_extension("keys");
    let figure = |db: String| {
        rt.block_on(async move {
            let s = jiqun_store::Store::open(&db).await.unwrap();
            sqlx::query_scalar::<_, String>("SELECT sealed FROM enterprise_figures").fetch_one(s.pool()).await.unwrap()
        })
    };
    let firm = rt.block_on(async {
        let k = jiqun_crypto::KeyFile::load_or_create(&keys).unwrap();
        let s = jiqun_store::Store::open_with(&db, std::sync::Arc::new(jiqun_crypto::Software::new(k))).await.unwrap();
        let actor = jiqun_store::Actor::system("test");
        let mut e = jiqun_store::NewEnterprise {
            uscc: "91440300MA5F00000K".into(),
            name: "甲".into(),
            city: jiqun_domain::CityCode::Shenzhen,
            county: String::new(),
            industry: String::new(),
            scale: jiqun_domain::Scale::Above,
            founded_year: 2010,
            listed: false,
            chain_nodes: Vec::new(),
            tags: Vec::new(),
        };
        e.uscc.pop();
        let c = jiqun_domain::uscc::check_character(e.uscc.as_bytes()).unwrap();
        e.uscc.push(c as char);
        let id = s.upsert_enterprise(&e, &actor).await.unwrap();
        let sealed = s.crypto().seal(b"1234.5", jiqun_store::figure_context(id, 2025, "tax_wan").as_bytes()).unwrap();
        // A set of one figure is sealed as a single figure was before sets (migration 21).
        let f = jiqun_store::FigureSetInput { year: 2025, metrics: "tax_wan".into(), sealed, source: String::new() };
        s.put_figures(id, &f, None, &actor).await.unwrap();
        id
    });
    assert!(figure(db.clone()).starts_with("sm4gcm:1:"));
    let o = run(&["keys", "rotate", "--db", &db], None);
    assert!(o.status.success(), "{}", text(&o));
    let after = stored(db.clone());
    assert!(after.starts_with("sm4gcm:2:"), "re-sealed with the new key: {after}");
    let figure_after = figure(db.clone());
    assert!(figure_after.starts_with("sm4gcm:2:"), "the registry too: {figure_after}");
    // Still readable with the rotated key file, and the audit chain (keyed separately) still verifies.
    let k = jiqun_crypto::KeyFile::load_or_create(&keys).unwrap();
    let c = jiqun_crypto::Software::new(k);
    use jiqun_crypto::Crypto;
    let id: i64 = rt.block_on(async {
        let s = jiqun_store::Store::open(&db).await.unwrap();
        sqlx::query_scalar("SELECT id FROM users WHERE username = 'c1'").fetch_one(s.pool()).await.unwrap()
    });
    assert_eq!(c.open(&after, format!("contact:{id}").as_bytes()).unwrap(), b"13800138000");
    assert_eq!(
        c.open(&figure_after, jiqun_store::figure_context(firm, 2025, "tax_wan").as_bytes()).unwrap(),
        b"1234.5"
    );
    assert!(run(&["audit", "verify", "--db", &db], None).status.success());
}

/// `jiqun keys rotate` while `jiqun serve` runs on the same database: the server follows the key file, so
/// old sealed fields stay readable, new writes use the new key and the audit chain verifies, with no restart.
/// On SQLite and (with `JIQUN_TEST_POSTGRES`) PostgreSQL.
#[test]
fn keys_rotate_while_the_server_runs() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut dbs = vec![db()];
    dbs.extend(rt.block_on(jiqun_store::testing::postgres_url()));
    for db in dbs {
        let keys = std::env::temp_dir().join("jiqun-tests").join(format!("rotate-{}.keys", std::process::id()));
        let _ = std::fs::remove_file(&keys);
        let key_env = keys.display().to_string();
        let env = [("JIQUN_BOOTSTRAP_PASSWORD", "Admin@12345"), ("JIQUN_KEY_FILE", key_env.as_str())];
        let server = Server::start("demo", &db, &env);
        let (s, token) = login(&server.addr, "owner", "Demo@2025");
        assert_eq!(s, 200, "{db}");
        let firm = |token: &str| http(&server.addr, "GET", "/api/v1/enterprises/1", Some(token), "");
        let (s, before) = firm(&token);
        assert_eq!(s, 200, "{db}: {before}");
        assert!(before.contains("\"figures\""), "{db}: {before}");

        let o = bin().args(["keys", "rotate", "--db", &db]).env("JIQUN_KEY_FILE", &keys).output().unwrap();
        assert!(o.status.success(), "{db}: {}", text(&o));

        // Old (now re-sealed) fields read through the running server, unchanged.
        let (s, after) = firm(&token);
        assert_eq!(s, 200, "{db}: {after}");
        assert_eq!(after, before, "{db}: the same figures after the rotation");
        // A new write is sealed with the new key.
        let body = r#"{"year": 2025, "source": "rotation test", "figures": {"tax_wan": 4321.5}}"#;
        let (s, out) = http(&server.addr, "POST", "/api/v1/enterprises/1/figures", Some(&token), body);
        assert_eq!(s, 201, "{db}: {out}");
        let newest: String = rt.block_on(async {
            let st = jiqun_store::Store::open(&db).await.unwrap();
            sqlx::query_scalar(
                "SELECT sealed FROM enterprise_figures WHERE enterprise_id = 1 AND year = 2025 AND metrics = 'tax_wan' ORDER BY id DESC LIMIT 1",
            )
            .fetch_one(st.pool())
            .await
            .unwrap()
        });
        assert!(newest.starts_with("sm4gcm:2:"), "{db}: {newest}");
        let (s, page) = firm(&token);
        assert_eq!(s, 200, "{db}");
        assert!(page.contains("4321.5"), "{db}: {page}");
        let o = bin().args(["audit", "verify", "--db", &db]).env("JIQUN_KEY_FILE", &keys).output().unwrap();
        assert!(o.status.success(), "{db}: {}", text(&o));
        drop(server);
        let _ = std::fs::remove_file(&keys);
    }
}
