//! The built-in Guangdong plan, compiled, against the structure read from the document by hand.

use jiqun_compiler::{Options, builtin};
use jiqun_domain::plan::{Cmp, Plan, SectionKind};

fn plan() -> Plan {
    builtin(&Options::default())
}

#[test]
fn sections_and_all_21_items_with_titles() {
    let p = plan();
    let got: Vec<(u32, &str, SectionKind, usize)> =
        p.sections.iter().map(|s| (s.no, s.title.as_str(), s.kind, s.items.len())).collect();
    assert_eq!(
        got,
        vec![
            (1, "工作目标", SectionKind::Goals, 4),
            (2, "重点任务", SectionKind::Tasks, 5),
            (3, "重点工程", SectionKind::Programmes, 7),
            (4, "保障措施", SectionKind::Safeguards, 5),
        ]
    );
    let titles: Vec<(&str, &str)> = p.all_items().iter().map(|i| (i.id.as_str(), i.title.as_str())).collect();
    assert_eq!(
        titles,
        vec![
            ("1.1", "创新能力明显增强"),
            ("1.2", "产业规模持续增长"),
            ("1.3", "产业布局更加完善"),
            ("1.4", "骨干企业竞争力增强"),
            ("2.1", "构建产业发展新格局"),
            ("2.2", "发展核心技术和重点产品"),
            ("2.3", "培育具有核心竞争力的企业集群"),
            ("2.4", "构建科技创新型平台"),
            ("2.5", "推动建立完善产业生态"),
            ("3.1", "稳链强链补链工程"),
            ("3.2", "半导体芯片工程"),
            ("3.3", "新一代通信与网络(5G)工程"),
            ("3.4", "智能终端工程"),
            ("3.5", "信息技术应用创新工程"),
            ("3.6", "软件信息服务业工程"),
            ("3.7", "人工智能工程"),
            ("4.1", "强化组织协调领导"),
            ("4.2", "加大政策支持力度"),
            ("4.3", "强化资源要素供给"),
            ("4.4", "加强人才队伍支撑"),
            ("4.5", "推进国际交流合作"),
        ]
    );
    assert!(p.all_items().iter().all(|i| i.children.is_empty()));
    assert!(p.sections[0].text.starts_with("选准“五项”主攻方向"));
    assert!(p.preamble.starts_with("为贯彻省委、省政府"));
    // The document carries no notice: no title, number, date or issuers are invented.
    assert_eq!((p.title.as_deref(), p.doc_number.as_deref(), p.issued_on.as_deref()), (None, None, None));
    assert!(p.issuers.is_empty());
    assert_eq!(p.name, "新一代信息技术产业集群行动计划");
}

#[test]
fn every_items_lead_and_co_responsible_departments() {
    let p = plan();
    const GX: &str = "省工业和信息化厅";
    const FG: &str = "省发展改革委";
    const KJ: &str = "省科技厅";
    let expected: Vec<(&str, Vec<&str>, Vec<&str>)> = vec![
        ("1.1", vec![], vec![]),
        ("1.2", vec![], vec![]),
        ("1.3", vec![], vec![]),
        ("1.4", vec![], vec![]),
        ("2.1", vec![GX], vec!["省委网信办", FG, KJ]),
        ("2.2", vec![KJ, GX], vec![FG, "省卫生健康委", "省文化和旅游厅"]),
        ("2.3", vec![GX], vec![FG, KJ, "省商务厅"]),
        ("2.4", vec![KJ], vec![FG, GX, "省人力资源社会保障厅", "省市场监管局"]),
        ("2.5", vec![GX], vec![FG, KJ, "省通信管理局"]),
        ("3.1", vec![], vec![GX, KJ, FG, "省商务厅", "省市场监管局"]),
        ("3.2", vec![FG, KJ, GX], vec!["省国资委"]),
        ("3.3", vec![GX], vec![FG, KJ, "省通信管理局"]),
        ("3.4", vec![GX], vec![FG, KJ]),
        ("3.5", vec![GX], vec!["省委网信办", "省委机要局", FG, KJ, "省政务服务数据管理局"]),
        ("3.6", vec![GX], vec![FG, KJ]),
        ("3.7", vec![GX], vec![FG, KJ]),
        ("4.1", vec![GX], vec![FG, KJ, "省财政厅", "省商务厅", "省市场监管局"]),
        ("4.2", vec![GX], vec![FG, KJ, "省财政厅", "省广电局", "省地方金融监管局"]),
        ("4.3", vec![GX], vec![FG, KJ, "省自然资源厅", "省税务局"]),
        ("4.4", vec![KJ], vec!["省委组织部", "省教育厅", "省人力资源社会保障厅"]),
        ("4.5", vec!["省商务厅"], vec![FG, KJ, GX, "省港澳办"]),
    ];
    for (id, lead, co) in expected {
        let it = p.item(id).unwrap_or_else(|| panic!("item {id}"));
        assert_eq!(it.lead, lead, "lead of {id}");
        assert_eq!(it.co, co, "co of {id}");
        assert!(it.others.is_empty(), "others of {id}: {:?}", it.others);
    }
    assert!(
        p.diagnostics.iter().all(|d| d.code != "unknown_agency"),
        "every department is in the registry: {:?}",
        p.diagnostics
    );
    let gx = p.agencies.iter().find(|a| a.name == GX).expect("工信厅 in the agency list");
    assert_eq!(gx.lead, ["2.1", "2.2", "2.3", "2.5", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "4.1", "4.2", "4.3"]);
    assert_eq!(gx.co, ["2.4", "3.1", "4.5"]);
}

#[test]
fn every_quantitative_target() {
    let p = plan();
    let got = crate::target_rows(&p);
    let y = Some(2025);
    assert_eq!(
        got,
        vec![
            ("1.1", "国家级制造业创新中心", Cmp::Ge, 2.0, None, "个", y),
            ("1.1", "重点龙头骨干企业研发投入强度", Cmp::Gt, 6.0, None, "%", y),
            ("1.2", "新一代信息技术产业规模", Cmp::Gt, 7e12, None, "元", y),
            ("1.2", "电子信息制造业总产值", Cmp::Ge, 6e12, None, "元", y),
            ("1.2", "软件和信息技术服务业业务收入", Cmp::Gt, 1.8e12, None, "元", y),
            ("1.3", "全球重要的超高清视频产业基地", Cmp::Eq, 3.0, None, "个", y),
            ("1.3", "集成电路设计基地", Cmp::Eq, 3.0, None, "个", y),
            ("1.3", "智能终端产业基地", Cmp::Eq, 5.0, None, "个", y),
            ("3.3", "5G产业集聚区", Cmp::Ge, 1e12, None, "元", y),
            ("3.5", "产业集聚区", Cmp::Range, 3.0, Some(5.0), "个", y),
            ("3.5", "信息技术应用创新产业集群", Cmp::Ge, 1e11, None, "元", y),
            ("3.7", "省级人工智能产业园区", Cmp::Eq, 10.0, None, "个", y),
        ]
    );
    for t in &p.targets {
        let item_text = &p.item(&t.item).expect("target's item").text;
        assert!(item_text.contains(&t.text), "{} comes from its item", t.text);
    }
    assert!(p.facts.is_empty(), "the document reports no baseline figures: {:?}", p.facts);
}

#[test]
fn cities_of_the_cluster_layout() {
    let p = plan();
    let layout = p.item("2.1").unwrap();
    assert_eq!(layout.cities, ["广州", "深圳", "香港", "澳门", "珠海", "东莞", "惠州", "中山", "河源", "肇庆", "潮州"]);
    assert_eq!(layout.regions, ["珠三角", "粤东", "粤西", "粤北"]);
    let l: Vec<(&str, Vec<&str>)> = p
        .layout
        .iter()
        .filter(|l| l.item == "2.1")
        .map(|l| (l.subject.as_str(), l.cities.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        l,
        vec![
            ("集成电路产业集聚区", vec!["广州", "深圳", "珠海", "东莞", "惠州"]),
            ("超高清视频产业集聚区", vec!["广州", "深圳", "惠州"]),
            ("高端化智能终端产业集聚区", vec!["广州", "深圳", "惠州", "中山", "东莞", "河源"]),
            ("新型电子元器件产业集聚区", vec!["肇庆", "深圳", "潮州"]),
            ("网络安全产业集聚区", vec!["广州", "深圳"]),
        ]
    );
    assert_eq!(p.item("3.4").unwrap().cities, ["广州", "深圳", "东莞", "惠州", "河源"]);
    assert_eq!(p.item("3.5").unwrap().cities, ["云浮"]);
    assert!(p.item("1.1").unwrap().cities.is_empty());
}
