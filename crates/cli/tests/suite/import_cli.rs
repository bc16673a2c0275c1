//! `jiqun template` and `jiqun import` as an operator runs them: a template with and without a database,
//! a refused file listing its mistakes (exit 1) with the marked workbook written beside, then the corrected
//! file imported; a CSV of the same columns imports the same way.

use std::path::PathBuf;

use crate::common::jiqun;

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("jiqun-import-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn out(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn templates_are_written_with_and_without_a_database() {
    let d = dir();
    for kind in ["observations", "reports", "enterprises", "projects"] {
        let f = d.join(format!("{kind}.xlsx"));
        let o = jiqun(&["template", "--kind", kind, "--output", f.to_str().unwrap()], "en_US.UTF-8");
        assert!(o.status.success(), "{kind}: {}", out(&o));
        let bytes = std::fs::read(&f).unwrap();
        let sheets = jiqun_office::sheet::read_xlsx(&bytes).unwrap();
        let names: Vec<String> =
            sheets[0].rows.iter().find(|r| r.number == 5).unwrap().cells.iter().map(|c| c.text()).collect();
        assert!(!names.is_empty(), "{kind}: the hidden row of machine names");
    }
    let o = jiqun(&["template", "--kind", "budgets", "--output", "x.xlsx"], "en_US.UTF-8");
    assert_eq!(o.status.code(), Some(2), "an unknown kind is a usage error: {}", out(&o));
}

#[test]
fn an_import_is_refused_with_every_mistake_then_taken_whole() {
    let d = dir();
    let db = jiqun_store::testing::sqlite_url();
    let keys = PathBuf::from(db.trim_start_matches("sqlite://")).with_extension("keys");
    let file = d.join("firms.xlsx");
    let o = jiqun(
        &["demo-data", "enterprises", "--count", "30", "--seed", "7", "--output", file.to_str().unwrap()],
        "zh_CN.UTF-8",
    );
    assert!(o.status.success(), "{}", out(&o));
    // A CSV of the same firms with one bad figure.
    let csv = d.join("firms.csv");
    let o = jiqun(
        &["demo-data", "enterprises", "--count", "30", "--seed", "7", "--output", csv.to_str().unwrap()],
        "zh_CN.UTF-8",
    );
    assert!(o.status.success(), "{}", out(&o));
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut fields: Vec<String> = lines[3].split(',').map(String::from).collect();
    fields[6] = "十亩".into();
    lines[3] = fields.join(",");
    let bad = d.join("bad.csv");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let marked = d.join("bad-errors.xlsx");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_jiqun"))
        .env("LANG", "zh_CN.UTF-8")
        .env("JIQUN_KEY_FILE", &keys)
        .args(["import", "--db", &db, bad.to_str().unwrap(), "--errors", marked.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let said = out(&o);
    assert!(said.contains("4:land_mu") && said.contains("十亩"), "line, column and value: {said}");
    let back = jiqun_office::sheet::read_xlsx(&std::fs::read(&marked).unwrap()).unwrap();
    assert_eq!(back[1].rows.len(), 2, "one mistake listed");
    // The workbook imports whole, and the CSV of the same firms updates them all.
    for (f, expect) in [(&file, "新增 30"), (&csv, "更新 30")] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_jiqun"))
            .env("LANG", "zh_CN.UTF-8")
            .env("JIQUN_KEY_FILE", &keys)
            .args(["import", "--db", &db, f.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success() && out(&o).contains(expect), "{}", out(&o));
    }
}
