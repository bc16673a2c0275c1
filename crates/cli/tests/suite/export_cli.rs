//! `jiqun export` and `jiqun report` as an operator runs them on a database: CSV, JSON and Excel, a
//! table it cannot export refused with the ones it can.

use std::io::Read;
use std::path::PathBuf;
use std::process::Output;

use calamine::{Data, Reader, Xlsx};
use jiqun_app::bases::BaseInput;
use jiqun_app::projects::{ProblemInput, ProjectInput};
use jiqun_app::{App, Preset};
use serde_json::Value;

use crate::common::bin_in;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A database with one key project (with a problem), one recognised base and one published challenge.
fn seeded() -> String {
    let db = jiqun_store::testing::sqlite_url();
    let keys = PathBuf::from(db.trim_start_matches("sqlite://")).with_extension("keys");
    seed(&db, &keys);
    db
}

fn seed(db: &str, keys: &std::path::Path) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let app = App::open_keyed(db, keys).await.unwrap();
        app.bootstrap(Preset::Demo, Some("Admin@12345".into())).await.unwrap();
        let login = app.login("admin", "Admin@12345", "api", "").await.unwrap();
        let s = app.session(&login.token).await.unwrap().unwrap();
        let project = ProjectInput {
            name: "（测试）氮化镓功率器件项目, 一期".into(),
            owner_name: "（测试）业主".into(),
            city: "珠海".into(),
            plan_items: vec!["3.2".into()],
            libraries: vec!["ic_key".into()],
            total_investment_wan: Some(12_345.5),
            source: "（测试）签约文件".into(),
            ..Default::default()
        };
        let id = app.create_project(&s, &project, "").await.unwrap();
        let problem = ProblemInput { kind: "land".into(), description: "（测试）用地指标".into() };
        app.raise_problem(&s, id, &problem, "").await.unwrap();
        let base = BaseInput {
            name: "（测试）国家级制造业创新中心".into(),
            kind: "innovation_centre".into(),
            level: "national".into(),
            city: "广州".into(),
            recognised_by: "工业和信息化部".into(),
            recognised_on: "2024-05-01".into(),
            source: "（测试）认定文件".into(),
            ..Default::default()
        };
        app.recognise_base(&s, &base, "").await.unwrap();
        let challenge = jiqun_app::challenges::ChallengeInput {
            title: "（测试）8K编码芯片揭榜".into(),
            problem: "（测试）无省内企业".into(),
            indicators: "（测试）8K@60".into(),
            funding_wan: Some(800.0),
            department: "省科技厅".into(),
            chain_node: Some("ultra_hd_video.chips_and_components".into()),
            gap_rule: Some("no_firm".into()),
            ..Default::default()
        };
        let id = app.create_challenge(&s, &challenge, "").await.unwrap();
        let publish = jiqun_app::challenges::ChallengeMoveInput {
            to: "published".into(),
            winner: None,
            note: None,
            version: None,
        };
        app.move_challenge(&s, id, &publish, "").await.unwrap();
    });
}

fn export(db: &str, table: &str, format: &str) -> (Output, PathBuf) {
    export_with(db, table, format, None)
}

fn export_with(db: &str, table: &str, format: &str, keys: Option<&std::path::Path>) -> (Output, PathBuf) {
    run_export(db, table, format, keys, &[])
}

/// `jiqun export` of a table to a fresh file, with the key file given and the arguments added.
fn run_export(db: &str, table: &str, format: &str, keys: Option<&std::path::Path>, args: &[&str]) -> (Output, PathBuf) {
    let out = std::env::temp_dir().join(format!("jiqun-export-{}-{table}-{}.{format}", std::process::id(), nanos()));
    let mut c = bin_in("en_US.UTF-8");
    c.args(["export", "--db", db, "--table", table, "--format", format, "--output", out.to_str().unwrap()]);
    c.args(args);
    if let Some(k) = keys {
        c.env("JIQUN_KEY_FILE", k);
    }
    (c.output().expect("runs"), out)
}

/// An export that must succeed, read back as JSON.
fn export_json(db: &str, table: &str, keys: Option<&std::path::Path>) -> Value {
    serde_json::from_slice(&std::fs::read(exported(db, table, "json", keys)).unwrap()).unwrap()
}

/// An export that must succeed, read back as CSV text.
fn export_csv(db: &str, table: &str, keys: Option<&std::path::Path>) -> String {
    std::fs::read_to_string(exported(db, table, "csv", keys)).unwrap()
}

/// The file an export that must succeed wrote.
fn exported(db: &str, table: &str, format: &str, keys: Option<&std::path::Path>) -> PathBuf {
    let (o, path) = export_with(db, table, format, keys);
    assert!(o.status.success(), "{table}: {}", text(&o));
    path
}

fn nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

#[test]
fn projects_export_as_csv_json_and_xlsx() {
    let db = seeded();
    let (o, path) = export(&db, "projects", "csv");
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("1 rows exported"), "{}", text(&o));
    let csv = std::fs::read_to_string(&path).unwrap();
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("id,name,owner_uscc,owner_name,city,stage,"), "{header}");
    let row = lines.next().unwrap();
    assert!(row.contains("\"（测试）氮化镓功率器件项目, 一期\""), "a comma is quoted: {row}");
    assert!(row.contains(",珠海,planning,"), "{row}");
    assert!(row.contains("ic_key") && row.contains("12345.5"), "{row}");

    let v = export_json(&db, "projects", None);
    let p = &v.as_array().unwrap()[0];
    assert_eq!((p["stage"].as_str(), p["city"].as_str()), (Some("planning"), Some("珠海")), "{v}");
    assert_eq!((p["open_problems"].as_u64(), p["overdue_problems"].as_u64()), (Some(1), Some(0)), "{v}");
    assert_eq!(p["libraries"], serde_json::json!(["ic_key"]));
    assert_eq!(p["total_investment_wan"].as_f64(), Some(12_345.5));

    let (o, path) = export(&db, "projects", "xlsx");
    assert!(o.status.success(), "{}", text(&o));
    let rows = sheet(&path);
    assert_eq!(rows.len(), 2, "a header and the project");
    assert_eq!((&rows[0][0], &rows[0][1]), (&Data::String("ID".into()), &Data::String("Project".into())));
    let at = |key: &str| rows[0].iter().position(|h| h == &Data::String(key.into())).expect(key);
    assert_eq!(rows[1][at("Project")], Data::String("（测试）氮化镓功率器件项目, 一期".into()));
    assert_eq!(rows[1][at("Total investment (10k yuan)")], Data::Float(12_345.5));
    assert_eq!(rows[1][at("Libraries")], Data::String("ic_key".into()));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut xml).unwrap();
    assert!(xml.contains("state=\"frozen\"") && xml.contains("<autoFilter ref=\"A1:"), "frozen header, filters");
}

/// The first sheet of a workbook, read back.
fn sheet(path: &std::path::Path) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = calamine::open_workbook(path).expect("a workbook");
    let name = book.sheet_names()[0].clone();
    book.worksheet_range(&name).expect("its sheet").rows().map(|r| r.to_vec()).collect()
}

#[test]
fn bases_export_with_their_kind_and_level() {
    let db = seeded();
    let v = export_json(&db, "bases", None);
    let b = &v.as_array().unwrap()[0];
    assert_eq!(
        (b["kind"].as_str(), b["level"].as_str(), b["recognised_on"].as_str()),
        (Some("innovation_centre"), Some("national"), Some("2024-05-01")),
        "{v}"
    );
    let csv = export_csv(&db, "bases", None);
    assert!(csv.contains("（测试）国家级制造业创新中心,innovation_centre,"), "{csv}");
}

#[test]
fn challenges_export_with_their_state_and_chain_gap() {
    let db = seeded();
    let v = export_json(&db, "challenges", None);
    let c = &v.as_array().unwrap()[0];
    assert_eq!(
        (c["state"].as_str(), c["chain_node"].as_str(), c["gap_rule"].as_str(), c["applications"].as_u64()),
        (Some("published"), Some("ultra_hd_video.chips_and_components"), Some("no_firm"), Some(0)),
        "{v}"
    );
    let csv = export_csv(&db, "challenges", None);
    assert!(csv.contains("（测试）8K编码芯片揭榜,published,"), "{csv}");
}

#[test]
fn a_table_not_exported_yet_is_refused_naming_those_that_are() {
    let db = seeded();
    let (o, path) = export(&db, "matches_of_mars", "csv");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("projects, bases, chains, challenges, matches"), "{}", text(&o));
    assert!(!path.exists(), "no file written");
}

#[test]
fn the_chain_map_exports_a_row_a_node() {
    let db = seeded();
    let csv = export_csv(&db, "chains", None);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].trim_start_matches('\u{feff}').starts_with("chain,chain_name,node,node_name,tier,segment,firms"),
        "{csv}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("integrated_circuits,") && l.contains(",integrated_circuits.gan_chips,")),
        "{csv}"
    );
    assert_eq!(lines.len(), 1 + 82, "one row a node of the built-in vocabulary");
    assert!(!csv.contains("-0.0"), "no negative zero: {csv}");
}

#[test]
fn projects_and_bases_export_from_postgresql_too() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Some(db) = rt.block_on(jiqun_store::testing::postgres_url()) else { return };
    drop(rt);
    let keys = std::env::temp_dir().join(format!("jiqun-export-{}-{}.keys", std::process::id(), nanos()));
    seed(&db, &keys);
    let v = export_json(&db, "projects", Some(&keys));
    assert_eq!((v[0]["stage"].as_str(), v[0]["open_problems"].as_u64()), (Some("planning"), Some(1)), "{v}");
    assert!(export_csv(&db, "bases", Some(&keys)).contains(",innovation_centre,"));
}

/// `jiqun report`: the bulletin as an HTML file that carries its style sheet; a bad period names itself and
/// leaves no file (Word and PDF: `report_cli`).
#[test]
fn the_bulletin_is_written_as_a_standalone_html_file() {
    let db = seeded();
    // The built-in plan, imported by a plan owner.
    let keys = PathBuf::from(db.trim_start_matches("sqlite://")).with_extension("keys");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let app = App::open_keyed(&db, &keys).await.unwrap();
        let owner = jiqun_app::users::UserInput {
            username: "owner".into(),
            display_name: "（测试）计划管理".into(),
            password: "Owner@12345".into(),
            roles: vec!["plan_owner".into()],
            agency: None,
            city: None,
            uscc: None,
        };
        app.create_user(None, &owner, "").await.unwrap();
        let login = app.login("owner", "Owner@12345", "api", "").await.unwrap();
        let s = app.session(&login.token).await.unwrap().unwrap();
        let text =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/plans/guangdong-ngit-cluster-2025.txt"));
        app.import_plan(&s, &text.unwrap(), "builtin.txt", "").await.unwrap();
    });
    drop(rt);
    let out = std::env::temp_dir().join(format!("jiqun-report-{}-{}.html", std::process::id(), nanos()));
    let run = |period: &str, format: &str| {
        let mut c = bin_in("zh_CN.UTF-8");
        c.args(["report", "--db", &db, "--plan", "1", "--period", period, "--format", format]);
        c.args(["--output", out.to_str().unwrap()]);
        c.output().expect("runs")
    };
    let o = run("2025Q9", "html");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("2025Q9") && !out.exists(), "{}", text(&o));
    let o = run("2025", "html");
    assert!(o.status.success(), "{}", text(&o));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<style>") && html.contains("实施进展通报"));
    assert!(html.contains("二、各单位报送情况"), "the responsibility matrix");
    let _ = std::fs::remove_file(&out);
}

/// A valid USCC of a firm of the division, unique by `n`.
fn uscc(division: &str, n: u32) -> String {
    let mut s = format!("91{division}MA{n:07}");
    s.truncate(17);
    let c = jiqun_domain::uscc::check_character(s.as_bytes()).unwrap();
    s.push(c as char);
    s
}

#[test]
fn matches_export_ranked_with_each_components_points() {
    use jiqun_app::matching::{MatchNeedInput, MatchProductInput};
    use jiqun_app::registry::EnterpriseInput;
    let db = jiqun_store::testing::sqlite_url();
    let keys = PathBuf::from(db.trim_start_matches("sqlite://")).with_extension("keys");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (chip, terminal) = (uscc("440300", 1), uscc("440100", 2));
    rt.block_on(async {
        let app = App::open_keyed(&db, &keys).await.unwrap();
        app.bootstrap(Preset::Demo, Some("Admin@12345".into())).await.unwrap();
        let owner = jiqun_app::users::UserInput {
            username: "owner".into(),
            display_name: String::new(),
            password: "Owner@12345".into(),
            roles: vec!["plan_owner".into()],
            agency: None,
            city: None,
            uscc: None,
        };
        app.create_user(None, &owner, "").await.unwrap();
        let login = app.login("owner", "Owner@12345", "api", "").await.unwrap();
        let s = app.session(&login.token).await.unwrap().unwrap();
        for (u, name, city) in [(&chip, "（测试）芯片设计公司", "深圳"), (&terminal, "（测试）终端公司", "广州")]
        {
            let firm = EnterpriseInput {
                uscc: u.clone(),
                name: name.into(),
                city: city.into(),
                scale: "above".into(),
                founded_year: 2010,
                ..Default::default()
            };
            app.register_enterprise(&s, &firm, "").await.unwrap();
        }
        let product = MatchProductInput {
            uscc: Some(chip.clone()),
            name: "（测试）射频前端, R1".into(),
            category: "rf_frontend".into(),
            maturity: "mass_production".into(),
            annual_volume: Some(1_000),
            ..Default::default()
        };
        app.create_match_product(&s, &product, "").await.unwrap();
        let need = MatchNeedInput {
            uscc: Some(terminal.clone()),
            name: "（测试）手机射频".into(),
            category: "rf_frontend".into(),
            annual_volume: Some(2_000),
            needed_by: "2030-01-01".into(),
            requirements: "（测试）n78".into(),
            ..Default::default()
        };
        app.create_match_need(&s, &need, "").await.unwrap();
    });
    drop(rt);
    let v = export_json(&db, "matches", None);
    let p = &v.as_array().unwrap()[0];
    assert_eq!(
        (p["rank"].as_u64(), p["chip_uscc"].as_str(), p["terminal_uscc"].as_str()),
        (Some(1), Some(chip.as_str()), Some(terminal.as_str())),
        "{v}"
    );
    // 25 + 25 + 15 × 0.5 (half the need) + 15 × 0.5 (same region) + 0 + 10 = 75.
    assert_eq!(
        (p["score"].as_f64(), p["points_volume"].as_f64(), p["points_proximity"].as_f64()),
        (Some(75.0), Some(7.5), Some(7.5)),
        "{p}"
    );
    let csv = export_csv(&db, "matches", None);
    assert!(csv.contains("rank,score,category,") && csv.contains("\"（测试）射频前端, R1\""), "{csv}");
}

/// A registry of synthetic firms imported with their figures and rated for their year, as the plan owner.
fn registry(db: &str, keys: &std::path::Path) -> i64 {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let app = App::open_keyed(db, keys).await.unwrap();
        app.bootstrap(Preset::Demo, Some("Admin@12345".into())).await.unwrap();
        let login = app.login("admin", "Admin@12345", "api", "").await.unwrap();
        let s = app.session(&login.token).await.unwrap().unwrap();
        let mut csv = Vec::new();
        jiqun_app::demo::enterprises_csv(40, 7, &mut csv).unwrap();
        let outcome = app.import_enterprises(&s, &csv, "synthetic.csv", "").await.unwrap();
        app.run_evaluation(&s, outcome.year, "default", "").await.unwrap();
        outcome.year
    })
}

#[test]
fn enterprises_export_with_their_figures_and_evaluations_with_their_scores() {
    let db = jiqun_store::testing::sqlite_url();
    let keys = PathBuf::from(db.trim_start_matches("sqlite://")).with_extension("keys");
    let year = registry(&db, &keys);
    let (o, path) = export(&db, "enterprises", "json");
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("40 rows exported"), "{}", text(&o));
    let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let firms = v.as_array().unwrap();
    assert_eq!(firms.len(), 40);
    assert!(firms.iter().all(|f| f["figures_year"].as_i64() == Some(year) && f["revenue_wan"].is_number()), "{v}");
    let (o, path) = export(&db, "enterprises", "xlsx");
    assert!(o.status.success(), "{}", text(&o));
    let rows = sheet(&path);
    assert_eq!(rows.len(), 41);
    let revenue = rows[0].iter().position(|h| h == &Data::String("Revenue (10k yuan)".into())).unwrap();
    for (row, firm) in rows[1..].iter().zip(firms) {
        assert_eq!(row[1], Data::String(firm["uscc"].as_str().unwrap().into()));
        assert_eq!(row[revenue], Data::Float(firm["revenue_wan"].as_f64().unwrap()));
    }
    let csv = export_csv(&db, "evaluations", None);
    assert!(csv.starts_with("\u{feff}evaluation_id,year,scheme,enterprise_id,uscc,name,city,scale,class,"), "{csv}");
    assert_eq!(csv.lines().count(), 41, "{csv}");
    let (o, _) = run_export(&db, "evaluations", "csv", None, &["--run", "999"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("999"), "{}", text(&o));
    // Every export is in the audit trail: who, the table, the format and the rows.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let trail = rt.block_on(async {
        let app = App::open_keyed(&db, &keys).await.unwrap();
        app.store_for_tests().audit_range(0, i64::MAX, 100_000).await.unwrap()
    });
    let exports: Vec<Value> = trail
        .iter()
        .filter(|r| r.action == "export.table" && r.actor == "cli")
        .map(|r| serde_json::from_str(&r.detail).unwrap())
        .collect();
    assert!(
        exports.iter().any(|d| d["table"] == "enterprises" && d["format"] == "xlsx" && d["rows"] == 40),
        "{exports:?}"
    );
    assert!(exports.iter().any(|d| d["table"] == "evaluations" && d["rows"] == 40), "{exports:?}");
}

#[test]
fn indicators_observations_and_reports_export() {
    let db = seeded();
    for table in ["indicators", "observations", "reports"] {
        let csv = export_csv(&db, table, None);
        assert!(csv.starts_with('\u{feff}') && csv.contains("\r\n"), "{table}: {csv}");
    }
    let csv = export_csv(&db, "reports", None);
    assert!(csv.trim_start_matches('\u{feff}').starts_with("id,plan_id,assignment_id,item,"), "{csv}");
}
