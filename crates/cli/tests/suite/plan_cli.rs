//! `jiqun plan parse` and `jiqun plan show` as a user runs them: exit status, output, and the error
//! messages for bad input in Chinese and in English.

use crate::common::{jiqun, stderr};
use std::path::PathBuf;

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jiqun-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn plan_show_prints_the_builtin_plan_as_json_and_markdown() {
    let o = jiqun(&["plan", "show"], "zh_CN.UTF-8");
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["sections"].as_array().map(Vec::len), Some(4));
    assert_eq!(v["targets"][2]["value"].as_f64(), Some(7e12));
    assert_eq!(v["targets"][2]["cmp"], ">");
    assert_eq!(v["sections"][1]["items"][0]["lead"][0], "省工业和信息化厅");
    assert!(v["title"].is_null(), "absent facts are null");

    let o = jiqun(&["plan", "show", "--format", "md"], "zh_CN.UTF-8");
    assert!(o.status.success());
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(md.contains("## 量化目标") && md.contains("## 责任分工矩阵") && md.contains("## 各条目涉及城市"));
    assert!(md.contains("| 1.2 | 新一代信息技术产业规模 | > | 7万亿元 | 2025 |"), "{md}");
    let o = jiqun(&["plan", "show", "--format", "md"], "en_US.UTF-8");
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(md.contains("## Responsibility matrix"));
}

#[test]
fn plan_parse_reads_a_gbk_file() {
    let text = include_str!("../../../../data/plans/guangdong-ngit-cluster-2025.txt");
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let path = temp_file("plan-gbk.txt", &gbk);
    let o = jiqun(&["plan", "parse", path.to_str().unwrap()], "zh_CN.UTF-8");
    assert!(o.status.success(), "{}", stderr(&o));
    let shown = jiqun(&["plan", "show"], "zh_CN.UTF-8");
    assert_eq!(o.stdout, shown.stdout);
}

#[test]
fn bad_input_exits_1_with_a_message_in_the_users_language() {
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("empty.txt", vec![], "文件为空", "empty"),
        ("binary.txt", vec![0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 3, 0, 0xff], "二进制", "binary"),
        (
            "notes.txt",
            "这是一段普通的文字,没有任何章节。\n第二行。".as_bytes().to_vec(),
            "未识别出行动计划的结构",
            "no action-plan structure",
        ),
        ("broken.docx", b"PK\x03\x04garbage".to_vec(), "docx", "docx"),
    ];
    for (name, bytes, zh, en) in cases {
        let path = temp_file(name, &bytes);
        let p = path.to_str().unwrap();
        let o = jiqun(&["plan", "parse", p], "zh_CN.UTF-8");
        assert_eq!(o.status.code(), Some(1), "{name}");
        assert!(o.stdout.is_empty(), "{name}: nothing on stdout");
        let e = stderr(&o);
        assert!(e.contains(zh) && e.contains(name), "{name}: {e}");
        assert!(!e.contains("panicked"), "{name}: {e}");
        let o = jiqun(&["plan", "parse", p], "en_US.UTF-8");
        assert_eq!(o.status.code(), Some(1));
        let e = stderr(&o);
        assert!(e.to_lowercase().contains(en), "{name}: {e}");
    }
    // Japanese in Shift_JIS is no encoding a plan comes in.
    let (sjis, _, _) =
        encoding_rs::SHIFT_JIS.encode("これは日本語の文章です。行動計画ではありません。ひらがなとカタカナ。");
    let path = temp_file("sjis.txt", &sjis);
    let o = jiqun(&["plan", "parse", path.to_str().unwrap()], "en_US.UTF-8");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).to_lowercase().contains("encoding"), "{}", stderr(&o));
    // A file that is not there.
    let o = jiqun(&["plan", "parse", "/nonexistent/plan.txt"], "zh_CN.UTF-8");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("无法读取文件"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(jiqun(&["plan", "parse"], "C").status.code(), Some(2));
    assert_eq!(jiqun(&["plan", "show", "--format", "pdf"], "C").status.code(), Some(2));
    assert_eq!(jiqun(&["frobnicate"], "C").status.code(), Some(2));
}

#[test]
fn another_provinces_registry_can_be_given() {
    let registry = "@province\t江苏\n@gov_prefix\t省\n@party_prefix\t省委\n@full_gov_prefix\t江苏省\n@full_party_prefix\t中共江苏省委\n\
                    省工业和信息化厅\t江苏省工业和信息化厅\tgov\t工信厅\n省科技厅\t江苏省科学技术厅\tgov\n";
    let cities = "@province\t江苏\n南京\t南京市\t320100\t苏南\n苏州\t苏州市\t320500\t苏南\n";
    let reg = temp_file("js-agencies.tsv", registry.as_bytes());
    let cit = temp_file("js-cities.tsv", cities.as_bytes());
    let doc = "江苏省测试行动计划\n一、重点任务\n(一)建设集群。以南京、苏州为依托发展集成电路产业集聚区。(省工业和信息化厅牵头,科技厅按职责分工负责)\n";
    let doc = temp_file("js-plan.txt", doc.as_bytes());
    let o = jiqun(
        &[
            "plan",
            "parse",
            doc.to_str().unwrap(),
            "--registry",
            reg.to_str().unwrap(),
            "--cities",
            cit.to_str().unwrap(),
        ],
        "zh_CN.UTF-8",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let item = &v["sections"][0]["items"][0];
    assert_eq!(item["lead"][0], "省工业和信息化厅");
    assert_eq!(item["co"][0], "省科技厅");
    assert_eq!(item["cities"], serde_json::json!(["南京", "苏州"]));
    // A broken registry names its line.
    let bad = temp_file("bad.tsv", "省甲\t甲\tclub\n".as_bytes());
    let o = jiqun(&["plan", "parse", doc.to_str().unwrap(), "--registry", bad.to_str().unwrap()], "zh_CN.UTF-8");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("第 1 行：类别“club”"), "{}", stderr(&o));
}
