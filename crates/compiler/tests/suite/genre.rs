//! Hand-written documents of the genre that exercise every rule of the compiler: the notice parts amid page
//! furniture, sub-items with clauses of their own, a clause closing an item after its sub-items, labelled
//! clauses, open lists, local governments, prefix restoration, unknown agencies, facts against targets,
//! attachments. The documents are fictional and say so.

use jiqun_compiler::{Options, compile};
/// item, subject, comparator, value, value_max, unit, year.
type TargetRow<'a> = (&'a str, &'a str, Cmp, f64, Option<f64>, &'a str, Option<i32>);

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
    assert_eq!(p.issuers, ["省工业和信息化厅", "省发展改革委", "省科技厅"]);
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
    let targets: Vec<TargetRow> = p
        .targets
        .iter()
        .map(|t| (t.item.as_str(), t.subject.as_str(), t.cmp, t.value, t.value_max, t.unit.as_str(), t.year))
        .collect();
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
