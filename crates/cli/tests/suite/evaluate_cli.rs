//! `jiqun evaluate` as a user runs it: built-in schemes by id, scheme files, the errors a wrong scheme or
//! a scheme the data cannot serve gives (file and field named, exit 1), usage errors (exit 2), details.

use crate::common::{jiqun, stderr};
use std::path::PathBuf;

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("jiqun-evaluate-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn file(name: &str, text: &str) -> String {
    let p = dir().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn out(name: &str) -> String {
    dir().join(name).to_string_lossy().into_owned()
}

fn code(k: usize) -> String {
    let mut c = format!("91331003{k:09}").into_bytes();
    c.push(jiqun_domain::uscc::check_character(&c).unwrap());
    String::from_utf8(c).unwrap()
}

fn input() -> String {
    let mut text = String::from(
        "uscc,name,city,scale,founded_year,year,land_mu,tax_wan,revenue_wan,value_added_wan,rd_wan,energy_tce,emission_t,employees,electricity_mwh\n",
    );
    for k in 0..8 {
        text.push_str(&format!(
            "{},企业{k},台州,{},2010,2022,{},{},5000,1500,150,500,0.3,100,2000\n",
            code(k),
            if k < 5 { "above" } else { "below" },
            5 + k,
            100 + 40 * k
        ));
    }
    text
}

fn scheme_path() -> String {
    format!("{}/../../data/schemes/default.json", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn builtin_ids_and_files_are_schemes() {
    let inp = file("in.csv", &input());
    let o = jiqun(&["evaluate", "--input", &inp, "--output", &out("default.csv")], "en_US.UTF-8");
    assert!(o.status.success(), "{}", stderr(&o));
    for (arg, name) in [("default", "by-id.csv"), (scheme_path().as_str(), "by-file.csv")] {
        let o = jiqun(&["evaluate", "--input", &inp, "--output", &out(name), "--scheme", arg], "en_US.UTF-8");
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(std::fs::read(out(name)).unwrap(), std::fs::read(out("default.csv")).unwrap());
    }
    let o = jiqun(
        &[
            "evaluate",
            "--input",
            &inp,
            "--output",
            &out("hy.csv"),
            "--scheme",
            "huangyan-2022",
            "--details",
            &out("d.csv"),
        ],
        "zh_CN.UTF-8",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "the data are of the scheme's year: {}", stderr(&o));
    let result = std::fs::read_to_string(out("hy.csv")).unwrap();
    assert_eq!(result.lines().count(), 9);
    assert!(result.lines().nth(1).unwrap().contains(",above,") && result.contains(",1,5,A,"), "{result}");
    let details = std::fs::read_to_string(out("d.csv")).unwrap();
    assert!(details.starts_with("uscc,item,unit,value,benchmark,weight,score,capped\n"));
    assert!(details.contains(&format!("{},亩均税收,万元/亩,20,24.097,30,", code(0))), "{details}");
    assert_eq!(details.lines().count(), 1 + 5 * 6 + 3 * 2);
    // Another year's data: evaluated, with a note.
    let inp24 = file("in24.csv", &input().replace(",2022,", ",2024,"));
    let o = jiqun(
        &["evaluate", "--input", &inp24, "--output", &out("hy24.csv"), "--scheme", "huangyan-2022"],
        "en_US.UTF-8",
    );
    assert!(o.status.success());
    assert!(stderr(&o).contains("for 2022"), "{}", stderr(&o));
}

#[test]
fn a_wrong_scheme_names_file_and_field() {
    let inp = file("in2.csv", &input());
    let text = std::fs::read_to_string(scheme_path()).unwrap().replacen("\"weight\": 30", "\"weight\": \"30\"", 1);
    let bad = file("bad.json", &text);
    for (lang, words) in [("en_US.UTF-8", "must be a number"), ("zh_CN.UTF-8", "应为数字")] {
        let o = jiqun(&["evaluate", "--input", &inp, "--output", &out("x.csv"), "--scheme", &bad], lang);
        assert_eq!(o.status.code(), Some(1));
        let e = stderr(&o);
        assert!(e.contains("bad.json") && e.contains("above.items[0].weight") && e.contains(words), "{e}");
    }
    assert!(!dir().join("x.csv").exists(), "nothing written");
    let o =
        jiqun(&["evaluate", "--input", &inp, "--output", &out("x.csv"), "--scheme", "huangyan-1999"], "en_US.UTF-8");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("huangyan-2022"), "names the built-in ones: {}", stderr(&o));
    let o = jiqun(
        &["evaluate", "--input", &inp, "--output", &out("x.csv"), "--scheme", &file("syntax.json", "{\"id\":")],
        "en_US.UTF-8",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("syntax.json: not valid JSON at line 1"), "{}", stderr(&o));
}

#[test]
fn a_scheme_the_data_cannot_serve_is_refused() {
    let inp = file("in3.csv", &input());
    let text = std::fs::read_to_string(scheme_path())
        .unwrap()
        .replace("\"groups\": [\"city\"]", "\"groups\": [\"city\", \"county\"]");
    let by_county = file("county.json", &text);
    let o = jiqun(&["evaluate", "--input", &inp, "--output", &out("y.csv"), "--scheme", &by_county], "en_US.UTF-8");
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("in3.csv:1:") && e.contains("county"), "{e}");
}

#[test]
fn usage_errors_exit_2() {
    let o = jiqun(&["evaluate", "--output", &out("z.csv")], "en_US.UTF-8");
    assert_eq!(o.status.code(), Some(2));
    let o = jiqun(&["evaluate", "--input", "a", "--output", "b", "--scheme"], "en_US.UTF-8");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bad_rows_write_nothing_unless_skipped() {
    let text = input().replacen(",above,2010,2022,5,", ",above,2010,2022,0,", 1);
    let inp = file("in4.csv", &text);
    let o = jiqun(&["evaluate", "--input", &inp, "--output", &out("w.csv")], "en_US.UTF-8");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("in4.csv:2: column land_mu: "), "{}", stderr(&o));
    assert!(!dir().join("w.csv").exists());
    let o = jiqun(&["evaluate", "--input", &inp, "--output", &out("w.csv"), "--skip-invalid"], "en_US.UTF-8");
    assert!(o.status.success());
    assert_eq!(std::fs::read_to_string(out("w.csv")).unwrap().lines().count(), 8);
    assert!(std::fs::read_to_string(out("w.errors.csv")).unwrap().contains("2,land_mu,"));
}
