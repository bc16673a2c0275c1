//! Hand-written documents of the genre that exercise every rule of the compiler: the notice parts amid page
//! furniture, sub-items with clauses of their own, a clause closing an item after its sub-items, labelled
//! clauses, open lists, local governments, prefix restoration, unknown agencies, facts against targets,
//! attachments. The documents are fictional and say so.

use jiqun_compiler::{Options, compile};
use jiqun_domain::plan::{Cmp, Period, Plan, SectionKind};

fn compile_str(s: &str) -> Plan {
    compile(s.as_bytes(), &Options::default()).expect("compiles")
}

fn auto() -> Plan {
    compile_str(include_str!("../fixtures/genre-auto-cluster.txt"))
}

#[test]
fn notice_parts_amid_page_furniture() {
    let p = auto();
    assert_eq!(p.title.as_deref(), Some("广东省发展智能网联汽车产业集群行动计划(2023—2025年)"));
    assert_eq!(p.doc_number.as_deref(), Some("粤工信汽车〔2023〕99号"));
    assert_eq!(p.issued_on.as_deref(), Some("2023-12-29"));
    // The page's metadata block (发布机构, the body that posted it) names the lead department only; the
    // signature names it among three, so the fuller list stands. A 发文机关 that disagrees with the signature
    // overrides it (`meta-table.html`); a block without issuers leaves them to the signature (`meta-pipe.txt`).
    assert_eq!(p.issuers, ["省工业和信息化厅", "省发展改革委", "省科技厅"]);
    assert_eq!(p.index_no.as_deref(), Some("006939748/2023-00412"));
    assert_eq!(p.period, Some(Period { start: Some(2023), end: Some(2025) }));
    assert!(p.preamble.contains("虚构示例"), "{}", p.preamble);
    assert!(!p.preamble.contains("首页"));
}

#[test]
fn sections_items_and_sub_items() {
    let p = auto();
    let kinds: Vec<(&str, SectionKind, usize)> =
        p.sections.iter().map(|s| (s.title.as_str(), s.kind, s.items.len())).collect();
    assert_eq!(
        kinds,
        vec![
            ("发展现状", SectionKind::Overview, 0),
            ("发展目标", SectionKind::Goals, 0),
            ("重点任务", SectionKind::Tasks, 3),
            ("重点工程", SectionKind::Programmes, 2),
            ("保障措施", SectionKind::Safeguards, 2),
        ]
    );
    let ids: Vec<&str> = p.all_items().iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["3.1", "3.1.1", "3.1.2", "3.2", "3.2.1", "3.2.2", "3.3", "4.1", "4.2", "5.1", "5.2"]);
    assert_eq!(p.item("3.1.2").unwrap().title, "发展动力电池");
    assert_eq!(p.item("5.2").unwrap().title, "强化要素保障", "the clause is not part of the title");
    // The attachment after the plan is not a section.
    assert!(p.sections.iter().all(|s| s.title != "整车项目"));
}

#[test]
fn responsibility_clauses_of_every_form() {
    let p = auto();
    let roles = |id: &str| {
        let it = p.item(id).unwrap();
        (it.lead.clone(), it.co.clone(), it.others.clone())
    };
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    // A sub-item's own clause belongs to the sub-item; the item carries none itself.
    assert_eq!(roles("3.1"), (v(&[]), v(&[]), v(&[])));
    assert_eq!(roles("3.1.1"), (v(&["省工业和信息化厅"]), v(&["省科技厅", "省委网信办", "省委机要局"]), v(&[])));
    // The labelled form, with an official full name.
    assert_eq!(roles("3.1.2"), (v(&["省发展改革委"]), v(&["省生态环境厅", "省商务厅"]), v(&[])));
    // A clause on its own line after the sub-items closes the item; open lists and local governments.
    assert_eq!(
        roles("3.2"),
        (v(&["省公安厅", "省交通运输厅"]), v(&["省通信管理局"]), v(&["其他有关单位", "各地级以上市人民政府"]))
    );
    assert_eq!(roles("3.2.2"), (v(&[]), v(&[]), v(&[])));
    // A bare 负责 names the lead.
    assert_eq!(roles("3.3").0, v(&["省工业和信息化厅"]));
    // Party and government prefixes restored across a list; central bodies keep their own names.
    assert_eq!(
        roles("4.1"),
        (
            v(&["省工业和信息化厅", "省国资委"]),
            v(&["省委宣传部", "省文化和旅游厅", "广东银保监局", "人民银行广州分行"]),
            v(&[])
        )
    );
    assert_eq!(roles("5.1").1, v(&["省委宣传部", "省委外办", "省教育厅", "省外办"]));
    assert_eq!(roles("5.2"), (v(&["省自然资源厅"]), v(&["省财政厅", "省税务局"]), v(&[])));
    // An unknown body is kept as written, with a warning that names its line.
    assert_eq!(roles("4.2"), (v(&["省低空经济促进局"]), v(&[]), v(&["各有关单位"])));
    let w: Vec<_> = p.diagnostics.iter().filter(|d| d.code == "unknown_agency").collect();
    assert_eq!(w.len(), 1, "{:?}", p.diagnostics);
    assert!(w[0].message.contains("省低空经济促进局"));
    assert_eq!(w[0].line, Some(31));
}

#[test]
fn facts_are_never_targets_and_targets_never_facts() {
    let p = auto();
    let facts: Vec<(&str, &str, f64, &str, Option<i32>)> =
        p.facts.iter().map(|f| (f.item.as_str(), f.subject.as_str(), f.value, f.unit.as_str(), f.year)).collect();
    assert_eq!(
        facts,
        vec![
            ("1", "汽车制造业营业收入", 8.40478e11, "元", Some(2022)),
            ("1", "汽车制造业营业收入同比增长", 5.6, "%", Some(2022)),
            ("1", "整车制造企业", 25.0, "家", Some(2022)),
            ("1", "新能源汽车产量", 1.3e6, "辆", Some(2022)),
        ]
    );
    let targets = crate::target_rows(&p);
    assert_eq!(
        targets,
        vec![
            ("2", "汽车制造业营业收入", Cmp::Gt, 1.2e12, None, "元", Some(2025)),
            ("2", "新能源汽车产量", Cmp::Ge, 2e6, None, "辆", Some(2025)),
            ("2", "汽车零部件本地配套率", Cmp::Ge, 60.0, None, "%", Some(2025)),
            ("2", "单位工业增加值能耗", Cmp::Le, 0.3, None, "吨", Some(2025)),
            ("2", "智能网联汽车测试示范区", Cmp::Range, 3.0, Some(5.0), "个", Some(2024)),
            ("4.1", "链主企业", Cmp::Ge, 10.0, None, "家", Some(2025)),
        ]
    );
    // The attachment's 100亿元 is not the plan's.
    assert!(p.targets.iter().chain(p.facts.iter().map(|_| &p.targets[0])).all(|t| t.value != 1e10));
}

#[test]
fn places_and_layout() {
    let p = auto();
    let it = p.item("3.3").unwrap();
    assert_eq!(it.cities, ["广州", "深圳", "佛山", "肇庆", "江门"]);
    assert_eq!(it.regions, ["粤东", "粤西", "粤北"]);
    assert!(p.item("4.1").unwrap().cities.is_empty(), "人民银行广州分行 is not a mention of the city");
    let layout: Vec<(&str, &str)> = p.layout.iter().map(|l| (l.item.as_str(), l.subject.as_str())).collect();
    assert_eq!(layout, [("3.3", "新能源汽车产业集聚区"), ("3.3", "零部件配套基地")]);
}

/// Chapters (第一章), a Chinese-numeral date, run-together issuers in the notice title, full-width brackets
/// around the year, a "责任单位" label, and items numbered 1. where a section has no (一).
#[test]
fn a_second_shape_of_the_genre() {
    let doc = "中共广东省委组织部广东省科学技术厅关于印发广东省人才集聚行动方案的通知\n\
               粤科人（2021）7号\n\
               各有关单位:\n现印发给你们。\n\
               二〇二一年三月五日\n\
               (本方案为测试编写的虚构示例)\n\
               第一章 总体要求\n到2023年,引进高层次人才团队不少于50个。\n\
               第二章 主要任务\n\
               1.引进人才团队。实施团队引进计划。(责任单位:省科技厅、省委组织部、人社厅)\n\
               2.建设人才平台。建设博士后工作站20个。(省人力资源社会保障厅牵头负责)\n\
               3.优化服务。\n\
               第三章 保障措施\n加强组织领导。";
    let p = compile_str(doc);
    assert_eq!(p.title.as_deref(), Some("广东省人才集聚行动方案"));
    assert_eq!(p.doc_number.as_deref(), Some("粤科人〔2021〕7号"));
    assert_eq!(p.issued_on.as_deref(), Some("2021-03-05"));
    assert_eq!(p.issuers, ["省委组织部", "省科技厅"]);
    assert_eq!(p.period, None, "no period is written, none is invented");
    assert_eq!(p.sections.len(), 3);
    assert_eq!(p.sections[0].kind, SectionKind::Overview);
    assert_eq!(p.sections[1].kind, SectionKind::Tasks);
    let it = p.item("2.1").unwrap();
    assert!(it.lead.is_empty());
    assert_eq!(it.co, ["省科技厅", "省委组织部", "省人力资源社会保障厅"]);
    assert_eq!(p.item("2.2").unwrap().lead, ["省人力资源社会保障厅"]);
    let t: Vec<(&str, &str, Cmp, f64, Option<i32>)> =
        p.targets.iter().map(|t| (t.item.as_str(), t.subject.as_str(), t.cmp, t.value, t.year)).collect();
    assert_eq!(
        t,
        [("1", "高层次人才团队", Cmp::Ge, 50.0, Some(2023)), ("2.2", "博士后工作站", Cmp::Eq, 20.0, Some(2023))]
    );
    assert!(
        p.diagnostics.iter().any(|d| d.code == "no_responsibility" && d.message.contains("2.3")),
        "an item of a task section without a clause is reported: {:?}",
        p.diagnostics
    );
}

#[test]
fn english_diagnostics() {
    let opts = Options { lang: jiqun_domain::Lang::En, ..Options::default() };
    let p = compile(include_str!("../fixtures/genre-auto-cluster.txt").as_bytes(), &opts).unwrap();
    let w = p.diagnostics.iter().find(|d| d.code == "unknown_agency").unwrap();
    assert!(w.message.contains("is not in the agency registry"), "{}", w.message);
}

// --- The metadata block that portals print above a document (索引号, 发文机关, 发文字号 …) ---

fn meta_fixture(name: &str) -> &'static str {
    match name {
        "table" => include_str!("../fixtures/meta-table.html"),
        "colon" => include_str!("../fixtures/meta-colon.txt"),
        "pipe" => include_str!("../fixtures/meta-pipe.txt"),
        "lines" => include_str!("../fixtures/meta-lines.html"),
        _ => unreachable!("no fixture {name}"),
    }
}

/// The same document with its metadata block cut out (its lines left empty, so line numbers stay).
fn without_block(name: &str) -> String {
    let doc = meta_fixture(name);
    let cut = |from: &str, to: &str| {
        let (a, b) = (doc.find(from).unwrap(), doc.find(to).unwrap() + to.len());
        format!("{}{}{}", &doc[..a], "\n".repeat(doc[a..b].matches('\n').count()), &doc[b..])
    };
    match name {
        "table" => cut("<table", "</table>"),
        "lines" => cut("<div class=\"info\">", "</div>"),
        _ => {
            let notice = doc.lines().position(|l| l.contains("通知")).unwrap();
            doc.lines().enumerate().map(|(i, l)| if i < notice { "" } else { l }).collect::<Vec<_>>().join("\n")
        }
    }
}

type MetaRow<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, Option<&'a str>, Option<&'a str>);

fn meta_of(p: &Plan) -> MetaRow<'_> {
    (
        p.doc_number.as_deref(),
        p.issued_on.as_deref(),
        p.published_on.as_deref(),
        p.valid_until.as_deref(),
        p.index_no.as_deref(),
    )
}

/// Compiles a metadata fixture and checks what its block gives: number, dates and index, issuers, title.
fn block_gives(name: &str, meta: MetaRow<'_>, issuers: &[&str], title: &str) -> Plan {
    let p = compile_str(meta_fixture(name));
    assert_eq!(meta_of(&p), meta, "{name}");
    assert_eq!(p.issuers, issuers, "{name}");
    assert_eq!(p.title.as_deref(), Some(title), "{name}");
    p
}

/// An html table of label and value cells, two pairs a row, other labels (企业规模, 适用区域, 关键词) among
/// them. Where block and body disagree (two issuers against one, 15 January against 14) the block wins.
#[test]
fn metadata_in_an_html_table() {
    let meta = (
        Some("粤工信规字〔2099〕1号"),
        Some("2099-01-15"),
        Some("2099-01-20"),
        Some("2101-12-31"),
        Some("006939748/2099-00001"),
    );
    let p = block_gives(
        "table",
        meta,
        &["省工业和信息化厅", "省科技厅"],
        "广东省发展超导材料产业集群行动计划(2099—2101年)",
    );
    assert_eq!(p.period, Some(Period { start: Some(2099), end: Some(2101) }));
    assert!(p.diagnostics.iter().all(|d| d.code != "unknown_agency"), "{:?}", p.diagnostics);
}

/// Flattened text, `label：value` with several pairs a line, full-width colons and spaces, issuers
/// separated by a comma, an empty 有效期至. The block's number and date override the body's.
#[test]
fn metadata_as_colon_pairs_in_text() {
    let meta = (
        Some("粤工信规字〔2099〕2号"),
        Some("2099-01-05"),
        Some("2099-01-08"),
        None,
        Some("11440000MB2C99999X/2099-00002"),
    );
    let p = block_gives("colon", meta, &["省工业和信息化厅", "省发展改革委"], "广东省发展量子信息产业集群行动方案");
    assert!(p.diagnostics.iter().all(|d| d.code != "unknown_agency"), "{:?}", p.diagnostics);
}

/// `| label | value |` rows with a rule line, `label  value` lines, dates as 2099.02.01, 有效期至 长期. The
/// block has neither issuers nor 成文日期: both come from the signature block and the date under it.
#[test]
fn metadata_as_pipes_and_spaces_falls_back_to_the_body() {
    let meta =
        (Some("粤工信规字〔2099〕3号"), Some("2099-01-25"), Some("2099-02-01"), None, Some("006939748/2099-00003"));
    block_gives("pipe", meta, &["省工业和信息化厅", "省发展改革委"], "广东省发展类脑智能产业集群行动计划");
}

/// Each label and each value on a line of its own (<dt>/<dd>); an empty 发文机关 is followed by the label
/// 关键词, which is not taken for its value, so the issuers come from the body.
#[test]
fn metadata_as_one_label_or_value_a_line() {
    let meta =
        (Some("粤商务贸字〔2099〕4号"), Some("2099-03-01"), Some("2099-03-03"), None, Some("006939748/2099-00004"));
    let p = block_gives("lines", meta, &["省商务厅", "省发展改革委"], "广东省跨境电商产业集群工作方案");
    assert!(p.diagnostics.iter().all(|d| d.code != "unknown_agency"), "{:?}", p.diagnostics);
}

/// The block is set aside: title, preamble, sections, targets and cities are what the document without
/// it gives; without it the new fields are null.
#[test]
fn the_metadata_block_is_not_part_of_the_body() {
    for name in ["table", "colon", "pipe", "lines"] {
        let with = compile_str(meta_fixture(name));
        let without = compile_str(&without_block(name));
        assert_eq!(with.title, without.title, "{name}");
        assert_eq!(with.preamble, without.preamble, "{name}");
        assert!(with.preamble.starts_with("本文件为测试编写的虚构示例"), "{name}: {}", with.preamble);
        assert_eq!(with.sections, without.sections, "{name}");
        assert_eq!(with.targets, without.targets, "{name}");
        assert_eq!(with.cities, without.cities, "{name}");
        assert_eq!((without.published_on, without.valid_until, without.index_no), (None, None, None), "{name}");
    }
}

#[test]
fn markdown_shows_the_metadata() {
    let p = compile_str(meta_fixture("table"));
    let md = jiqun_compiler::markdown::render(&p, jiqun_domain::Lang::Zh);
    for row in [
        "| 文号 | 粤工信规字〔2099〕1号 |",
        "| 印发日期 | 2099-01-15 |",
        "| 发布日期 | 2099-01-20 |",
        "| 有效期至 | 2101-12-31 |",
        "| 索引号 | 006939748/2099-00001 |",
    ] {
        assert!(md.contains(row), "{row} missing from:\n{md}");
    }
    let md = jiqun_compiler::markdown::render(&compile_str(meta_fixture("colon")), jiqun_domain::Lang::En);
    assert!(md.contains("| valid until | (none) |"), "{md}");
}

/// A value the block cannot mean is reported and the body's is used; a placeholder (无) is no value and
/// no fault; an issuer the registry does not know is kept as written, with a warning.
#[test]
fn unreadable_metadata_falls_back_to_the_body_with_a_warning() {
    let doc = "发文字号:无 成文日期:2099年15月1日\n\
               有效期至:2101年12月 发布机构:广东省星际航行局 发布日期:长期\n\
               关于印发广东省发展星际航行产业集群行动方案的通知\n\
               粤工信规字〔2099〕7号\n\
               各有关单位:\n现印发给你们。\n\
               广东省工业和信息化厅\n\
               2099年1月4日\n\
               广东省发展星际航行产业集群行动方案\n\
               本文件为测试编写的虚构示例。\n\
               一、工作目标\n到2101年,建成星际航行创新平台5个以上。\n\
               发布日期:2099-01-20 浏览次数:12";
    let p = compile_str(doc);
    assert_eq!(meta_of(&p), (Some("粤工信规字〔2099〕7号"), Some("2099-01-04"), None, None, None));
    assert_eq!(p.issuers, ["广东省星际航行局"]);
    let unread: Vec<(Option<usize>, &str)> =
        p.diagnostics.iter().filter(|d| d.code == "unread_metadata").map(|d| (d.line, d.message.as_str())).collect();
    assert_eq!(unread.len(), 3, "{unread:?}");
    assert_eq!(unread[0].0, Some(1));
    assert!(unread[0].1.contains("成文日期") && unread[0].1.contains("2099年15月1日"), "{unread:?}");
    assert!(unread.iter().any(|u| u.1.contains("有效期至")) && unread.iter().any(|u| u.1.contains("发布日期")));
    assert!(p.diagnostics.iter().any(|d| d.code == "unknown_agency" && d.message.contains("广东省星际航行局")));
    // Below the first section such a line is page furniture, neither metadata nor text.
    assert!(!p.sections[0].text.contains("浏览次数"), "{}", p.sections[0].text);
}
