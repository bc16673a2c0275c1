//! The demo data set: the built-in plan with synthetic observations, users, reporting rounds and reports.
//! Every figure here is invented (labelled "示例数据 (synthetic)" wherever it is shown); none is an official
//! statistic. Generation is deterministic.

use jiqun_domain::RegionModel;
use jiqun_domain::bases::{BaseKind, BaseLevel};
use jiqun_domain::matching::MatchOutcome;
use jiqun_domain::period::Period;
use jiqun_store::{Actor, ReportInput};

use crate::usecases::UserInput;
use crate::{App, AppResult};

/// The password of the demo accounts (the demo preset; the bootstrap `admin` gets its own).
pub const DEMO_PASSWORD: &str = "Demo@2025";
pub const SOURCE: &str = "示例数据（合成）";

/// A small deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// Relative economic weight of each city for splitting provincial figures (invented, shaped like the
/// province: the Pearl River Delta carries most of the industry).
fn city_weight(name: &str) -> f64 {
    match name {
        "深圳" => 40.0,
        "广州" => 14.0,
        "东莞" => 12.0,
        "惠州" => 8.0,
        "佛山" => 5.0,
        "珠海" => 4.0,
        "中山" => 3.0,
        "江门" => 2.0,
        "肇庆" => 2.0,
        "汕头" | "河源" => 1.5,
        _ => 0.6,
    }
}

/// The demo's platforms and bases, all invented (names say 示例): (name, kind, level, city, recognised on).
/// Chosen so that some count targets are met and some are not: one national innovation centre of the two
/// the plan wants, three of three ultra-HD video bases, two of three IC design bases, …
const DEMO_BASES: &[(&str, BaseKind, BaseLevel, &str, &str)] = &[
    ("示例·国家级制造业创新中心甲（合成）", BaseKind::InnovationCentre, BaseLevel::National, "广州", "2019-06-18"),
    ("示例·省级制造业创新中心乙（合成）", BaseKind::InnovationCentre, BaseLevel::Provincial, "深圳", "2020-03-02"),
    ("示例·省级制造业创新中心丙（合成）", BaseKind::InnovationCentre, BaseLevel::Provincial, "东莞", "2022-09-15"),
    ("示例·超高清视频产业基地一（合成）", BaseKind::UhdVideoBase, BaseLevel::Provincial, "惠州", "2019-11-20"),
    ("示例·超高清视频产业基地二（合成）", BaseKind::UhdVideoBase, BaseLevel::Provincial, "广州", "2021-05-10"),
    ("示例·超高清视频产业基地三（合成）", BaseKind::UhdVideoBase, BaseLevel::Provincial, "深圳", "2023-08-01"),
    ("示例·集成电路设计基地一（合成）", BaseKind::IcDesignBase, BaseLevel::Provincial, "深圳", "2020-07-07"),
    ("示例·集成电路设计基地二（合成）", BaseKind::IcDesignBase, BaseLevel::Provincial, "珠海", "2022-12-01"),
    ("示例·智能终端产业基地一（合成）", BaseKind::SmartTerminalBase, BaseLevel::Provincial, "东莞", "2019-04-16"),
    ("示例·智能终端产业基地二（合成）", BaseKind::SmartTerminalBase, BaseLevel::Provincial, "惠州", "2020-10-12"),
    ("示例·智能终端产业基地三（合成）", BaseKind::SmartTerminalBase, BaseLevel::Provincial, "深圳", "2021-06-30"),
    ("示例·智能终端产业基地四（合成）", BaseKind::SmartTerminalBase, BaseLevel::Provincial, "河源", "2024-03-18"),
    ("示例·信创产业集聚区一（合成）", BaseKind::XinchuangCluster, BaseLevel::Provincial, "广州", "2021-01-25"),
    ("示例·信创产业集聚区二（合成）", BaseKind::XinchuangCluster, BaseLevel::Provincial, "珠海", "2022-04-08"),
    ("示例·信创产业集聚区三（合成）", BaseKind::XinchuangCluster, BaseLevel::Provincial, "佛山", "2023-11-11"),
    ("示例·人工智能产业园区一（合成）", BaseKind::AiPark, BaseLevel::Provincial, "广州", "2019-09-09"),
    ("示例·人工智能产业园区二（合成）", BaseKind::AiPark, BaseLevel::Provincial, "深圳", "2019-09-09"),
    ("示例·人工智能产业园区三（合成）", BaseKind::AiPark, BaseLevel::Provincial, "佛山", "2020-12-21"),
    ("示例·人工智能产业园区四（合成）", BaseKind::AiPark, BaseLevel::Provincial, "东莞", "2021-07-19"),
    ("示例·人工智能产业园区五（合成）", BaseKind::AiPark, BaseLevel::Provincial, "珠海", "2022-06-06"),
    ("示例·人工智能产业园区六（合成）", BaseKind::AiPark, BaseLevel::Provincial, "中山", "2023-03-27"),
    ("示例·人工智能产业园区七（合成）", BaseKind::AiPark, BaseLevel::Provincial, "江门", "2024-10-15"),
    ("示例·省重点实验室（合成）", BaseKind::KeyLab, BaseLevel::Provincial, "广州", "2020-02-14"),
    ("示例·公共服务平台（合成）", BaseKind::PublicServicePlatform, BaseLevel::Provincial, "深圳", "2021-09-01"),
];

pub struct DemoAccounts {
    pub accounts: Vec<(String, String)>,
}

/// Loads the demo data set into an empty database: returns the accounts created, for printing.
pub async fn load(app: &App) -> AppResult<DemoAccounts> {
    let actor = Actor::system("demo");
    let store = &app.store;
    store.set_setting("synthetic_data", "1", &actor).await?;
    let plan = jiqun_compiler::builtin(&jiqun_compiler::Options::default());
    let plan_id = store.insert_plan(&plan, "内置：广东省新一代信息技术产业集群行动计划", &actor).await?;
    let mut rng = Rng::new(2025);

    // Observations: a baseline in 2019 and annual values to 2025, heading for the target with outcomes
    // that differ between indicators (some achieved, some short), and a split by city for money figures.
    let model = RegionModel::guangdong();
    let cities: Vec<&str> = model.prefecture_cities().map(|c| c.name.as_str()).collect();
    let total_weight: f64 = cities.iter().map(|c| city_weight(c)).sum();
    let mut rows = Vec::new();
    let bound = crate::bases::shipped_bindings(&plan.name);
    for (k, ind) in store.indicators(plan_id).await?.iter().enumerate() {
        let derived =
            bound.iter().find(|(item, name, _)| ind.item.as_deref() == Some(item.as_str()) && *name == ind.name);
        if let Some((_, _, jiqun_domain::bases::Derivation::Bases { kind, level })) = derived {
            // Counted from the demo's bases (below): the baseline is their count at the end of 2019.
            let n = DEMO_BASES
                .iter()
                .filter(|b| b.1 == *kind && level.is_none_or(|l| l == b.2) && b.4 <= "2019-12-31")
                .count();
            let mut e = edit_of(ind);
            e.baseline_period = Some("2019".into());
            e.baseline_value = Some(n as f64);
            store.update_indicator(ind.id, &e, &actor).await?;
            continue;
        }
        // Outcomes relative to the target, chosen so that some targets are met and some are missed.
        let outcome = [1.0, 0.93, 1.02, 0.97, 1.12, 0.67, 1.0, 0.8, 1.05, 1.0, 1.15, 0.7][k % 12];
        let target = ind.target_value;
        let count = ind.method == "linear";
        let (start, end) = if count {
            ((target * 0.1).floor(), (target * outcome).round())
        } else {
            (target * rng.range(0.5, 0.65), target * outcome)
        };
        let years = 2019..=2025;
        for (i, year) in years.clone().enumerate() {
            let t = i as f64 / 6.0;
            let value = if count {
                (start + (end - start) * t).round()
            } else {
                let v = start * (end / start).powf(t);
                // Noise that leaves the endpoints exact.
                v * (1.0 + if i == 0 || i == 6 { 0.0 } else { rng.range(-0.02, 0.02) })
            };
            let period = Period::Year(year);
            rows.push((ind.id, period, String::new(), round_sig(value), SOURCE.to_string()));
            if ind.by_city {
                for c in &cities {
                    let share = city_weight(c) / total_weight * rng.range(0.9, 1.1);
                    rows.push((ind.id, period, c.to_string(), round_sig(value * share), SOURCE.to_string()));
                }
            }
        }
        if !count {
            let mut e = edit_of(ind);
            e.baseline_period = Some("2019".into());
            e.baseline_value = Some(round_sig(start));
            store.update_indicator(ind.id, &e, &actor).await?;
        } else {
            let mut e = edit_of(ind);
            e.baseline_period = Some("2019".into());
            e.baseline_value = Some(start);
            store.update_indicator(ind.id, &e, &actor).await?;
        }
    }
    store.bulk_observations(&rows, &actor).await?;
    for (name, kind, level, city, on) in DEMO_BASES {
        let input = crate::bases::BaseInput {
            name: name.to_string(),
            kind: kind.as_str().into(),
            level: level.as_str().into(),
            city: city.to_string(),
            host_name: format!("{city}示例运营单位（合成）"),
            recognised_by: match level {
                BaseLevel::National => "国家部委（示例）",
                BaseLevel::Provincial => "省工业和信息化厅（示例）",
                BaseLevel::Municipal => "市工业和信息化局（示例）",
            }
            .into(),
            recognised_on: on.to_string(),
            source: SOURCE.into(),
            ..Default::default()
        };
        app.recognise_synthetic_base(&input, &actor).await?;
    }
    app.bind_shipped(plan_id, &actor).await?;

    // Accounts, one per kind of user.
    let mut accounts = Vec::new();
    // (username, display name, role, department, city)
    type DemoUser<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<&'a str>);
    let demo_users: &[DemoUser] = &[
        ("owner", "省工信厅集群处（示例）", "plan_owner", Some("省工业和信息化厅"), None),
        ("gxt", "省工业和信息化厅填报员（示例）", "agency_reporter", Some("省工业和信息化厅"), None),
        ("kjt", "省科技厅填报员（示例）", "agency_reporter", Some("省科技厅"), None),
        ("fgw", "省发展改革委填报员（示例）", "agency_reporter", Some("省发展改革委"), None),
        ("swt", "省商务厅填报员（示例）", "agency_reporter", Some("省商务厅"), None),
        ("shenzhen", "深圳市工信局（示例）", "city_reporter", None, Some("深圳")),
        ("guangzhou", "广州市工信局（示例）", "city_reporter", None, Some("广州")),
        ("viewer", "查阅用户（示例）", "viewer", None, None),
        ("auditor", "审计管理员（示例）", "audit_admin", None, None),
        ("security", "安全管理员（示例）", "security_admin", None, None),
    ];
    for (username, display, role, agency, city) in demo_users {
        app.create_user(
            None,
            &UserInput {
                username: username.to_string(),
                display_name: display.to_string(),
                password: DEMO_PASSWORD.into(),
                roles: vec![role.to_string()],
                agency: agency.map(String::from),
                city: city.map(String::from),
                uscc: None,
            },
            "",
        )
        .await?;
        accounts.push((username.to_string(), role.to_string()));
    }

    // Reporting rounds: the plan's final year quarter by quarter, then the annual summary.
    let rounds = [
        ("2025Q1", "2025-04-15"),
        ("2025Q2", "2025-07-15"),
        ("2025Q3", "2025-10-15"),
        ("2025Q4", "2026-01-15"),
        ("2025", "2026-03-31"),
    ];
    for (p, d) in rounds {
        store.set_round(plan_id, p, d, &actor).await?;
    }
    let reporter = |agency: &str| {
        let username = match agency {
            "省工业和信息化厅" => "gxt",
            "省科技厅" => "kjt",
            "省发展改革委" => "fgw",
            "省商务厅" => "swt",
            _ => "",
        };
        Actor {
            id: None,
            name: if username.is_empty() { format!("{agency}（示例）") } else { username.to_string() },
            ip: String::new(),
        }
    };
    let mut user_ids = std::collections::HashMap::new();
    for u in store.users().await? {
        user_ids.insert(u.username.clone(), u.id);
    }
    let owner = Actor { id: user_ids.get("owner").copied(), name: "owner".into(), ip: String::new() };
    for (n, a) in store.assignments(Some(plan_id), None).await?.into_iter().enumerate() {
        let mut who = reporter(a.agency.as_str());
        who.id = user_ids.get(&who.name).copied();
        // Every tenth assignment of each kind: 0 stalls, 1 is late, 2 is behind, 3 keeps a draft, 4 is returned.
        let kind = (n * 7 + 3) % 10;
        let mut percent: f64 = rng.range(10.0, 25.0).round();
        for (i, (period, _)) in rounds.iter().enumerate() {
            let last = i == rounds.len() - 1;
            // Some departments stall: the same percentage over the last rounds.
            let stalls = kind == 0 && i >= 2;
            if !stalls {
                percent = (percent + rng.range(12.0, 25.0)).min(100.0).round();
            }
            if last && kind == 1 {
                break; // the annual report is late: overdue on the dashboard
            }
            let status = if percent >= 100.0 {
                "done"
            } else if stalls || kind == 2 {
                "behind"
            } else {
                "on_schedule"
            };
            let input = ReportInput {
                period: period.to_string(),
                status: status.into(),
                percent,
                narrative: format!(
                    "（示例）{}：本期围绕“{}”推进相关工作，完成年度计划的 {percent}% 。",
                    a.agency, a.item_title
                ),
                problems: if status == "behind" {
                    "（示例）项目用地与配套资金落实进度慢于预期。".into()
                } else {
                    String::new()
                },
                help_needed: if status == "behind" {
                    "（示例）请省发展改革委协调用地指标。".into()
                } else {
                    String::new()
                },
                submit: !(last && kind == 3),
                based_on: None,
            };
            let report = store.save_report(a.id, &input, &who).await?;
            if !input.submit {
                continue; // a draft, not yet submitted
            }
            if last {
                if kind == 4 {
                    store.review_report(report.id, false, "（示例）请补充本年度主要指标完成数据。", &owner).await?;
                }
                continue; // the annual reports wait for review
            }
            store.review_report(report.id, true, "（示例）已审核。", &owner).await?;
        }
    }
    accounts.extend(load_registry(app).await?);
    Ok(DemoAccounts { accounts })
}

/// The USCC of the demo's enterprise account (`qiye`): the first synthetic firm of 深圳.
pub const DEMO_FIRM: usize = 0;

/// The registry's demo: synthetic firms of the new-generation IT chains in every city with two years of
/// figures, imported through the same path an office's CSV takes, rated for both years by the default
/// scheme; an enterprise account for one firm and an expert assigned to a few.
async fn load_registry(app: &App) -> AppResult<Vec<(String, String)>> {
    let login = app.login("owner", DEMO_PASSWORD, "api", "").await?;
    let session = app.session(&login.token).await?.ok_or_else(|| crate::AppError::internal("demo: owner session"))?;
    let (csv_2024, csv_2025, firm) = registry_csv(360, 2026);
    app.import_enterprises(&session, csv_2024.as_bytes(), "示例企业数据2024.csv（合成）", "").await?;
    app.import_enterprises(&session, csv_2025.as_bytes(), "示例企业数据2025.csv（合成）", "").await?;
    app.run_evaluation(&session, 2024, "default", "").await?;
    app.run_evaluation(&session, 2025, "default", "").await?;
    let mut accounts = Vec::new();
    for (username, display, role, uscc) in [
        ("qiye", "示例企业填报员（示例）", "enterprise", Some(firm.as_str())),
        ("zhuanjia", "评审专家（示例）", "expert", None),
    ] {
        app.create_user(
            None,
            &UserInput {
                username: username.into(),
                display_name: display.into(),
                password: DEMO_PASSWORD.into(),
                roles: vec![role.into()],
                agency: None,
                city: None,
                uscc: uscc.map(String::from),
            },
            "",
        )
        .await?;
        accounts.push((username.to_string(), role.to_string()));
    }
    let (firms, _) = app.store.enterprises(&jiqun_store::EnterpriseFilter::default(), 0, 5).await?;
    for f in firms {
        app.assign_expert(&session, f.id, "zhuanjia", "").await?;
    }
    let chain_of_firm = load_chains(app, &session).await?;
    load_cultivation(app, &session, &firm, &chain_of_firm).await?;
    load_projects(app, &session, &firm).await?;
    load_challenges(app, &session, &firm).await?;
    load_matching(app, &firm).await?;
    app.logout(&session, "").await?;
    Ok(accounts)
}

/// The projects the plan names (三、(二): “跟踪服务‘粤芯半导体’、‘中芯国际’、英诺赛科氮化镓芯片、紫光集团
/// ‘芯云城’等重大项目建设落地”), with only what a public source says: name, city, owner where the source names
/// it, the source, and the stage it reports with its date. Figures no source gives are left empty.
/// (name, city, owner, source, (stage, on, what the source reports))
type Named<'a> = (&'a str, &'a str, &'a str, &'a str, Option<(&'a str, &'a str, &'a str)>);
const NAMED_PROJECTS: &[Named] = &[
    (
        "粤芯半导体12英寸集成电路生产线",
        "广州",
        "广州粤芯半导体技术有限公司",
        "新华网，2019-03-18，《广州首条12英寸芯片生产线预计9月实现量产》：项目位于中新广州知识城，主设备已进入厂房",
        Some(("building", "2019-03-17", "据新华网报道：主设备已进入厂房（2019年3月）")),
    ),
    (
        "中芯国际深圳12英寸集成电路生产线",
        "深圳",
        "中芯国际集成电路制造（深圳）有限公司",
        "中芯国际公告（美通社），2016-11-03：宣布正式启动中芯深圳12英寸集成电路生产线项目，位于深圳市坪山新区",
        None,
    ),
    (
        "英诺赛科氮化镓芯片项目",
        "珠海",
        "",
        "《广东省发展新一代信息技术产业集群行动计划》点名跟踪服务；企业创办于珠海（公开报道）。业主名称、投资额等待核实后填写",
        None,
    ),
    (
        "紫光集团“芯云城”（芯云产业城）项目",
        "东莞",
        "紫光集团有限公司",
        "新快报（网易转载），2017-11-17：东莞市人民政府与紫光集团签订战略合作框架协议，拟落户滨海湾新区；2018-06-21 东莞招商大会签署落地协议（公开报道）",
        Some(("signed", "2018-06-21", "据公开报道：在东莞产业招商大会签署落地协议")),
    ),
];

/// The projects' demo: the four the plan names (facts from public sources only) and synthetic ones
/// (names say 示例), one of them the demo enterprise's own with a problem raised on the through-train.
async fn load_projects(app: &App, session: &crate::Session, own_firm: &str) -> AppResult<()> {
    use crate::projects::{ProblemInput, ProjectInput, StageInput};
    let actor = session.actor("");
    for (name, city, owner, source, stage) in NAMED_PROJECTS {
        // The node the name says (a production line makes chips; 氮化镓芯片 is a node of its own); 芯云城
        // says no more than 集成电路, left for a person to place.
        let chain_node = if name.contains("生产线") {
            "集成电路制造"
        } else if name.contains("氮化镓") {
            "氮化镓芯片"
        } else {
            "集成电路"
        };
        let input = ProjectInput {
            name: name.to_string(),
            owner_name: owner.to_string(),
            city: city.to_string(),
            plan_items: vec!["3.2".into()],
            chain_nodes: vec![chain_node.to_string()],
            libraries: vec!["ic_key".into()],
            source: source.to_string(),
            ..Default::default()
        };
        let id = app.create_listed_project(&input, false, &actor).await?;
        if let Some((to, on, why)) = stage {
            let s = StageInput { stage: to.to_string(), on: on.to_string(), reason: why.to_string(), version: None };
            app.move_stage(session, id, &s, "").await?;
        }
    }
    // Synthetic projects: (name, city, library, stages reached with their dates, investment 万元, own firm's)
    type Demo<'a> = (&'a str, &'a str, &'a str, &'a [(&'a str, &'a str)], f64, bool);
    let demo: &[Demo] = &[
        (
            "示例·5G基站射频器件扩产项目（合成）",
            "深圳",
            "5g_major",
            &[("signed", "2024-03-01"), ("started", "2024-06-18"), ("building", "2024-09-01")],
            85_000.0,
            true,
        ),
        (
            "示例·5G工业互联网平台项目（合成）",
            "广州",
            "5g_major",
            &[
                ("signed", "2023-11-20"),
                ("started", "2024-02-26"),
                ("building", "2024-05-01"),
                ("completed", "2025-10-30"),
                ("operating", "2026-02-01"),
            ],
            42_000.0,
            false,
        ),
        ("示例·车规级芯片封测基地（合成）", "珠海", "ic_key", &[("signed", "2025-04-08")], 120_000.0, false),
        (
            "示例·化合物半导体外延项目（合成）",
            "东莞",
            "ic_key",
            &[("signed", "2024-07-15"), ("started", "2024-12-01"), ("suspended", "2025-08-20")],
            60_000.0,
            false,
        ),
        ("示例·智能终端显示模组项目（合成）", "惠州", "5g_major", &[], 38_000.0, false),
    ];
    let mut own_project = None;
    let mut ids = Vec::new();
    for (name, city, library, stages, invest, own) in demo {
        let input = ProjectInput {
            name: name.to_string(),
            owner_uscc: own.then(|| own_firm.to_string()),
            owner_name: if *own { "示例企业（合成）".into() } else { String::new() },
            city: city.to_string(),
            plan_items: vec![if *library == "ic_key" { "3.2".into() } else { "3.3".into() }],
            libraries: vec![library.to_string()],
            total_investment_wan: Some(*invest),
            yearly_plan: if *own {
                [(2024, 20_000.0), (2025, 45_000.0), (2026, 20_000.0)]
                    .map(|(year, amount_wan)| crate::projects::YearAmount { year, amount_wan })
                    .to_vec()
            } else {
                Vec::new()
            },
            fast_lane: *own,
            source: SOURCE.into(),
            ..Default::default()
        };
        let id = app.create_listed_project(&input, true, &actor).await?;
        for (to, on) in *stages {
            let s =
                StageInput { stage: to.to_string(), on: on.to_string(), reason: "（示例）".into(), version: None };
            app.move_stage(session, id, &s, "").await?;
        }
        if *own {
            own_project = Some(id);
        }
        ids.push(id);
    }
    load_project_tracking(app, session, &ids).await?;
    // Who tracks each library (跟踪服务): the departments the plan charges with it, and the plan owner.
    for (library, departments) in
        [("ic_key", ["省工业和信息化厅", "省发展改革委"]), ("5g_major", ["省工业和信息化厅", "省通信管理局"])]
    {
        let trackers = crate::project_settings::LibraryTrackers {
            departments: departments.iter().map(|d| d.to_string()).collect(),
            officials: vec!["owner".into()],
        };
        app.set_library_trackers(session, library, &trackers, "").await?;
    }
    if let Some(id) = own_project {
        let login = app.login("qiye", DEMO_PASSWORD, "api", "").await?;
        let firm = app.session(&login.token).await?.ok_or_else(|| crate::AppError::internal("demo: qiye session"))?;
        let problem = ProblemInput {
            kind: "power".into(),
            description: "（示例）新厂房双回路供电接入排期晚于设备进场时间，请协调供电部门提前接入。".into(),
        };
        app.raise_problem(&firm, id, &problem, "").await?;
        app.logout(&firm, "").await?;
    }
    Ok(())
}

/// The synthetic projects' progress per period, milestones (one slipping: the RF project's equipment
/// move-in, planned for 2025-06-30 and not done) and tracking log, all marked synthetic. The plan's named
/// projects get none: no source gives their figures. `ids` are the synthetic projects in the order
/// `load_projects` lists them.
async fn load_project_tracking(app: &App, session: &crate::Session, ids: &[i64]) -> AppResult<()> {
    use crate::projects::ProgressInput;
    use jiqun_domain::date::Date;
    use jiqun_domain::projects::TrackingKind;
    let (Some(&rf), Some(&platform), Some(&compound)) = (ids.first(), ids.get(1), ids.get(3)) else {
        return Ok(());
    };
    let date = |s: &str| Date::parse(s).map_err(|_| crate::AppError::internal("demo: a date"));
    // (project, period, in the period, cumulative, percent, narrative, accepted)
    type Row<'a> = (i64, &'a str, f64, f64, f64, &'a str, bool);
    let rows: &[Row] = &[
        (rf, "2024Q4", 9_000.0, 9_000.0, 12.0, "（示例）桩基施工完成，主体结构开始施工。", true),
        (rf, "2025Q1", 14_000.0, 23_000.0, 28.0, "（示例）主体结构封顶。", true),
        (rf, "2025Q2", 11_000.0, 34_000.0, 40.0, "（示例）机电安装过半；设备进场因供电接入推迟。", true),
        (rf, "2025Q3", 6_000.0, 40_000.0, 46.0, "（示例）等待双回路供电接入，设备进场顺延。", false),
        (platform, "2024", 18_000.0, 18_000.0, 45.0, "（示例）平台一期建设，完成机房与网络部署。", true),
        (platform, "2025", 24_000.0, 42_000.0, 100.0, "（示例）二期完成，10月竣工验收。", true),
        (compound, "2025Q1", 7_500.0, 7_500.0, 10.0, "（示例）厂房基础施工。", true),
        (compound, "2025Q2", 4_000.0, 11_500.0, 15.0, "（示例）资金到位不及预期，施工放缓。", true),
    ];
    for (id, period, invest, cumulative, percent, narrative, accept) in rows {
        let input = ProgressInput {
            period: period.to_string(),
            invest_period_wan: *invest,
            invest_cumulative_wan: *cumulative,
            physical_percent: *percent,
            narrative: narrative.to_string(),
        };
        app.report_listed_progress(session, *id, &input, *accept).await?;
    }
    // (project, name, planned, done)
    type Mile<'a> = (i64, &'a str, &'a str, Option<&'a str>);
    let miles: &[Mile] = &[
        (rf, "（示例）主体结构封顶", "2025-03-31", Some("2025-03-28")),
        (rf, "（示例）生产设备进场", "2025-06-30", None),
        // Future milestones are dated from today, so that the demo has exactly one slipping milestone whenever
        // it is loaded (a fixed date would slip one day).
        (rf, "（示例）试生产", "+200", None),
        (platform, "（示例）一期上线", "2024-12-31", Some("2024-12-20")),
        (platform, "（示例）竣工验收", "2025-10-31", Some("2025-10-30")),
        (compound, "（示例）厂房封顶", "+400", None),
    ];
    for (id, name, planned, done) in miles {
        let done = match done {
            Some(d) => Some(date(d)?),
            None => None,
        };
        let planned = match planned.strip_prefix('+').and_then(|n| n.parse::<i64>().ok()) {
            Some(days) => jiqun_domain::date::Date::from_tuple(crate::snapshot::today_in_china()).plus_days(days),
            None => date(planned)?,
        };
        app.add_listed_milestone(session, *id, name, planned, done).await?;
    }
    // (project, day, kind, note, who)
    type Log<'a> = (i64, &'a str, TrackingKind, &'a str, &'a str);
    let log: &[Log] = &[
        (
            rf,
            "2025-03-12",
            TrackingKind::Visit,
            "（示例）现场走访，了解主体施工进度与用电需求。",
            "（示例）市工业和信息化局、业主",
        ),
        (
            rf,
            "2025-07-08",
            TrackingKind::Meeting,
            "（示例）协调供电部门，商定双回路接入排期。",
            "（示例）市工业和信息化局、供电局、业主",
        ),
        (
            compound,
            "2025-08-25",
            TrackingKind::Decision,
            "（示例）同意项目暂停，资金落实后恢复建设。",
            "（示例）市重点项目联席会议",
        ),
    ];
    for (id, on, kind, note, who) in log {
        app.add_listed_tracking(session, *id, date(on)?, *kind, note, who).await?;
    }
    Ok(())
}

/// The source recorded with the demo's library profile figures.
pub const PROFILE_SOURCE: &str = "示例培育库档案（合成）";

/// The libraries' demo, all synthetic: library profile figures (2025) for some firms, designations
/// (the backbone directory four firms a chain, little giants, specialised SMEs, single champions), so that
/// every library has members and the designation libraries candidates; AI revenue for the software and
/// cloud firms (the top-100 ranking); a few unicorns; four project proposals, one for each decision and
/// one admitted with conditions for missing data; the indicators the libraries feed, recomputed for 2024
/// and 2025.
/// The chain map's demo: the synthetic firms put on nodes by their sector (a made-up mapping, spread over
/// a few nodes of each chain so that some nodes are strong, some thin and some empty), two outside
/// dependencies and the demo's bases on their nodes, all labelled as examples. The sectors' own names stay
/// on the firms: some match a node (新型显示, 通信设备), the others are left for a person to resolve on
/// `/chains/unassigned`. Returns each placed firm's first chain among the backbone directory's six.
async fn load_chains(app: &App, session: &crate::Session) -> AppResult<std::collections::HashMap<i64, &'static str>> {
    use crate::chains::{BasePlacementInput, DependencyInput, FirmPlacementInput};
    // (sector, nodes its firms are spread over)
    const SPREAD: &[(&str, &[&str])] = &[
        (
            "集成电路",
            &[
                "integrated_circuits.design",
                "integrated_circuits.packaging_testing",
                "auto_electronics.automotive_soc",
                "smart_terminal.mobile_cpu",
                "ai.ai_chips",
                "integrated_circuits.design",
                "next_gen_network.rf_chips",
                "auto_electronics.automotive_soc",
            ],
        ),
        ("新型显示", &["ultra_hd_video.core_parts", "ultra_hd_video.capture_equipment"]),
        (
            "通信设备",
            &[
                "next_gen_network.core_devices",
                "next_gen_network.optical_switching_chips",
                "next_gen_network.core_devices",
            ],
        ),
        ("计算机整机", &["smart_terminal.tablets", "auto_electronics.connected_vehicles"]),
        ("电子元器件", &["new_electronic_components.core_components", "iot.core_parts", "auto_electronics.core_parts"]),
        ("智能终端", &["smart_terminal.phones", "smart_terminal.wearables", "smart_terminal.phones"]),
        ("软件与信息服务", &["ai.smart_manufacturing", "iot.nb_iot", "auto_electronics.control_software"]),
        ("互联网与云计算", &["ai.smart_healthcare", "ai.smart_transport", "iot.nb_iot"]),
    ];
    let (firms, _) = app.store.enterprises(&jiqun_store::EnterpriseFilter::default(), 0, i64::MAX).await?;
    let mut turn: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut chain_of = std::collections::HashMap::new();
    for e in &firms {
        let Some(sector) = e.chain_nodes.first() else { continue };
        let Some((_, nodes)) = SPREAD.iter().find(|(s, _)| s == sector) else { continue };
        let k = turn.entry(sector_key(sector)).or_default();
        let node = nodes[*k % nodes.len()];
        *k += 1;
        let role = if e.scale == jiqun_domain::Scale::Above && *k % 5 == 1 {
            "leader"
        } else if (*k).is_multiple_of(3) {
            "supplier"
        } else {
            "producer"
        };
        let input = FirmPlacementInput {
            uscc: e.uscc.clone(),
            role: Some(role.into()),
            capacity: "（示例）主营产品与产能为虚构".into(),
            source: "示例数据（合成）".into(),
        };
        app.place_chain_firm(session, node, &input, "").await?;
        let chain = node.split('.').next().unwrap_or("");
        if let Some(six) = jiqun_domain::chains::LEGACY_CHAIN_IDS.iter().find(|c| **c == chain) {
            chain_of.entry(e.id).or_insert(*six);
        }
    }
    for (node, source) in [
        ("integrated_circuits.equipment", "（示例）省内集成电路装备主要依赖省外和进口，见示例调研报告（合成）"),
        ("smart_terminal.mobile_cpu", "（示例）手机CPU主要由省外企业供给，见示例调研报告（合成）"),
        ("auto_electronics.automotive_soc", "（示例）车规级芯片主要依赖省外和进口供给，见示例调研报告（合成）"),
    ] {
        app.set_chain_dependency(session, node, &DependencyInput { outside: true, source: source.into() }, "").await?;
    }
    let bases = app.store.bases().await?;
    for b in &bases {
        let node = match b.kind {
            BaseKind::IcDesignBase => "integrated_circuits.design",
            BaseKind::UhdVideoBase => "ultra_hd_video.capture_equipment",
            BaseKind::SmartTerminalBase => "smart_terminal.phones",
            BaseKind::AiPark => "ai.smart_manufacturing",
            _ => continue,
        };
        app.place_chain_base(session, node, &BasePlacementInput { base_id: b.id, on: true }, "").await?;
    }
    Ok(chain_of)
}

fn sector_key(s: &str) -> &'static str {
    match s {
        "集成电路" => "ic",
        "新型显示" => "display",
        "通信设备" => "comms",
        "计算机整机" => "computers",
        "电子元器件" => "components",
        "智能终端" => "terminals",
        "软件与信息服务" => "software",
        _ => "cloud",
    }
}

async fn load_cultivation(
    app: &App,
    session: &crate::Session,
    own_firm: &str,
    chain_of_firm: &std::collections::HashMap<i64, &'static str>,
) -> AppResult<()> {
    use crate::cultivation::{DesignationInput, ProposalInput};
    let (firms, _) = app.store.enterprises(&jiqun_store::EnterpriseFilter::default(), 0, i64::MAX).await?;
    let mut clear: std::collections::HashMap<(i64, i64, String), f64> = std::collections::HashMap::new();
    for year in [2024, 2025] {
        app.each_figure_of_year(year, &["revenue_wan", "rd_wan"], |firm, metric, v| {
            clear.insert((firm, year, metric.to_string()), v);
            Ok(())
        })
        .await?;
    }
    let fig = |id: i64, year: i64, k: &str| clear.get(&(id, year, k.to_string())).copied().unwrap_or(0.0);
    let intensity = |id: i64, year: i64| {
        let r = fig(id, year, "revenue_wan");
        if r > 0.0 { fig(id, year, "rd_wan") * 100.0 / r } else { 0.0 }
    };
    let mut rng = Rng::new(7001);
    let mut used: std::collections::HashSet<i64> = std::collections::HashSet::new();
    // Biggest first, by 2025 revenue (ties by id), above-scale firms only.
    let mut big: Vec<&jiqun_store::EnterpriseRow> =
        firms.iter().filter(|e| e.scale == jiqun_domain::Scale::Above).collect();
    big.sort_by(|a, b| fig(b.id, 2025, "revenue_wan").total_cmp(&fig(a.id, 2025, "revenue_wan")).then(a.id.cmp(&b.id)));
    let put = |id: i64, values: Vec<(&'static str, f64)>| async move {
        let values: Vec<(String, f64)> =
            values.into_iter().map(|(k, v)| (k.to_string(), (v * 100.0).round() / 100.0)).collect();
        app.put_library_profile(session, id, 2025, &values, PROFILE_SOURCE, "").await
    };
    let designate = |library: &'static str, id: i64, chain: Option<&'static str>, n: usize| async move {
        let input = DesignationInput {
            enterprise_id: Some(id),
            uscc: None,
            chain: chain.map(String::from),
            reference: format!("（示例）粤工信培育〔2025〕{n}号"),
        };
        app.designate(session, library, &input, "").await
    };

    // The backbone directory: four big firms a chain, by the chain the demo put them on (a synthetic
    // mapping); a firm on none of the six chains is not designated.
    let chain_of = |e: &jiqun_store::EnterpriseRow| chain_of_firm.get(&e.id).copied();
    let mut n = 1;
    for chain in jiqun_domain::chains::LEGACY_CHAIN_IDS {
        for e in big.iter().filter(|e| chain_of(e) == Some(chain)).take(4) {
            designate("backbone", e.id, Some(chain), n).await?;
            used.insert(e.id);
            n += 1;
        }
    }
    if let Some(e) = firms.iter().find(|e| e.uscc == own_firm)
        && !used.contains(&e.id)
        && let Some(chain) = chain_of(e)
    {
        designate("backbone", e.id, Some(chain), n).await?;
        n += 1;
    }

    // Little giants: ten firms that meet every criterion (revenue ≥ 1亿, R&D ≥ 3% in both years); six are
    // designated, four are candidates. Three more miss a criterion or lack a figure.
    let fits: Vec<&jiqun_store::EnterpriseRow> = firms
        .iter()
        .filter(|e| !used.contains(&e.id))
        .filter(|e| {
            fig(e.id, 2025, "revenue_wan") >= 10_000.0 && intensity(e.id, 2025) >= 3.2 && intensity(e.id, 2024) >= 3.2
        })
        .take(13)
        .collect();
    for (k, e) in fits.iter().enumerate() {
        let rev = fig(e.id, 2025, "revenue_wan");
        let mut values = vec![
            ("years_in_niche", (3 + rng.next_u64() % 12) as f64),
            ("main_revenue_wan", rev * rng.range(0.75, 0.95)),
            ("main_growth_2y", rng.range(6.0, 20.0)),
            ("has_it_system", 1.0),
            ("has_certification", 1.0),
            ("debt_ratio", if k == 10 { 76.0 } else { rng.range(30.0, 60.0) }),
            ("own_brand", 1.0),
            ("has_rd_institution", 1.0),
            ("ipr_class1", (2 + rng.next_u64() % 7) as f64),
            ("patents", (3 + rng.next_u64() % 40) as f64),
        ];
        if k != 11 {
            values.push(("niche_share", rng.range(10.5, 30.0)));
        }
        if k == 12 {
            values.retain(|(key, _)| *key != "main_growth_2y");
        }
        put(e.id, values).await?;
        used.insert(e.id);
        if k < 6 {
            designate("little_giant", e.id, None, n).await?;
            n += 1;
        }
    }

    // Provincial specialised SMEs: twelve that meet the criteria, eight designated.
    let smes: Vec<&jiqun_store::EnterpriseRow> = firms
        .iter()
        .filter(|e| !used.contains(&e.id))
        .filter(|e| {
            fig(e.id, 2025, "revenue_wan") >= 1_000.0
                && fig(e.id, 2025, "rd_wan") >= 100.0
                && intensity(e.id, 2025) >= 3.2
        })
        .take(12)
        .collect();
    for (k, e) in smes.iter().enumerate() {
        let values = vec![
            ("years_in_niche", (2 + rng.next_u64() % 10) as f64),
            ("sme_score", rng.range(62.0, 88.0)),
            ("patents", (1 + rng.next_u64() % 15) as f64),
        ];
        put(e.id, values).await?;
        used.insert(e.id);
        if k < 8 {
            designate("specialised_sme", e.id, None, n).await?;
            n += 1;
        }
    }

    // Single champions: three of the biggest firms not yet used; two designated.
    let champions: Vec<&&jiqun_store::EnterpriseRow> = big.iter().filter(|e| !used.contains(&e.id)).take(3).collect();
    for (k, e) in champions.iter().enumerate() {
        let values = vec![
            ("years_in_field", (12 + rng.next_u64() % 14) as f64),
            ("global_rank", (1 + rng.next_u64() % 3) as f64),
            ("net_margin", rng.range(8.0, 15.0)),
            ("industry_net_margin", 5.5),
            ("clean_record_3y", 1.0),
            ("energy_advanced", 1.0),
        ];
        put(e.id, values).await?;
        used.insert(e.id);
        if k < 2 {
            designate("single_champion", e.id, None, n).await?;
            n += 1;
        }
    }

    // Unicorns (by criteria): young unlisted firms with a valuation; the last one is below US$ 1 bn.
    let young: Vec<&jiqun_store::EnterpriseRow> =
        firms.iter().filter(|e| !used.contains(&e.id) && !e.listed && e.founded_year >= 2017).take(4).collect();
    for (e, valuation) in young.iter().zip([1200.0, 2500.0, 1800.0, 700.0]) {
        put(e.id, vec![("valuation_usd_m", valuation), ("equity_financing_wan", rng.range(20_000.0, 90_000.0))])
            .await?;
        used.insert(e.id);
    }

    // The AI top-100: AI revenue for the software and cloud firms (ranked on Jiqun's example weights).
    for e in firms.iter().filter(|e| chain_of(e) == Some("ai")).take(30) {
        let rev = fig(e.id, 2025, "revenue_wan");
        if rev > 0.0 {
            let values =
                vec![("ai_revenue_wan", rev * rng.range(0.15, 0.7)), ("patents", (2 + rng.next_u64() % 60) as f64)];
            put(e.id, values).await?;
        }
    }

    // Project proposals: admit (深圳), conditions (广州), reject (东莞), conditions for a missing figure (佛山).
    let proposals = [
        (
            "（示例）深圳超高清显示模组项目",
            "深圳",
            "provincial_park",
            "3974",
            50.0,
            [Some(20_000.0), Some(30_000.0), Some(1_000.0), Some(100.0), Some(2_000.0), Some(8_000.0), Some(900.0)],
        ),
        (
            "（示例）广州通信设备扩产项目",
            "广州",
            "provincial_park",
            "3921",
            40.0,
            [Some(10_000.0), Some(16_000.0), Some(480.0), Some(60.0), Some(2_400.0), Some(4_000.0), Some(400.0)],
        ),
        (
            "（示例）东莞结构件加工项目",
            "东莞",
            "other",
            "3360",
            80.0,
            [Some(8_000.0), Some(16_000.0), Some(400.0), Some(90.0), Some(3_000.0), Some(3_000.0), None],
        ),
        (
            "（示例）佛山工业软件研发中心",
            "佛山",
            "provincial_park",
            "6513",
            20.0,
            [Some(7_000.0), Some(8_000.0), Some(320.0), None, Some(200.0), Some(3_000.0), Some(400.0)],
        ),
    ];
    for (project, city, zone, code, land, f) in proposals {
        let input = ProposalInput {
            project: project.into(),
            city: city.into(),
            zone: zone.into(),
            industry_code: code.into(),
            land_mu: Some(land),
            fixed_investment_wan: f[0],
            annual_output_wan: f[1],
            annual_tax_wan: f[2],
            jobs: f[3],
            energy_tce: f[4],
            value_added_wan: f[5],
            rd_wan: f[6],
        };
        let check = app.assess_project(session, &input, "").await?;
        if let Some(project) = check.project_id {
            // The demo's proposals are invented: the projects they start say so.
            app.store.mark_project_synthetic(project, &session.actor("")).await?;
        }
    }

    // The plan's indicator 重点龙头骨干企业研发投入强度, from the directory (a correction of the synthetic
    // series for these years).
    for year in [2024, 2025] {
        app.recompute_library_indicators(session, year, "").await?;
    }
    Ok(())
}

/// Two years of a synthetic registry as import CSVs (with the registry's optional columns), and the USCC
/// of the first firm of 深圳.
pub fn registry_csv(count: usize, seed: u64) -> (String, String, String) {
    // (industry code, chain node, word in the name)
    const LINES: &[(&str, &str, &str)] = &[
        ("C3973", "集成电路", "微电子"),
        ("C3974", "新型显示", "显示科技"),
        ("C3921", "通信设备", "通信技术"),
        ("C3911", "计算机整机", "计算机"),
        ("C3971", "电子元器件", "电子元件"),
        ("C3963", "智能终端", "智能终端"),
        ("I6513", "软件与信息服务", "软件"),
        ("I6450", "互联网与云计算", "云计算"),
    ];
    let model = RegionModel::guangdong();
    let cities: Vec<(&str, &str)> = model.prefecture_cities().map(|c| (c.name.as_str(), c.code.as_str())).collect();
    let total: f64 = cities.iter().map(|(c, _)| city_weight(c)).sum();
    let mut rng = Rng::new(seed);
    let header = "uscc,name,city,county,industry,scale,founded_year,year,land_mu,tax_wan,revenue_wan,value_added_wan,rd_wan,energy_tce,emission_t,employees,electricity_mwh,chain_nodes,tags,source\n";
    let (mut a, mut b) = (header.to_string(), header.to_string());
    let mut first_sz = String::new();
    let mut k = 0u64;
    for (city, code) in &cities {
        // At least four firms a city so every group can be classed; more where the industry is.
        let n = ((count as f64 * city_weight(city) / total).round() as usize).max(4);
        for _ in 0..n {
            k += 1;
            let mut uscc = Vec::with_capacity(18);
            uscc.extend_from_slice(b"91");
            uscc.extend_from_slice(code.as_bytes());
            let mut org = [b'0'; 9];
            jiqun_domain::uscc::encode(k * 104_729 + seed, &mut org);
            uscc.extend_from_slice(&org);
            uscc.push(jiqun_domain::uscc::check_character(&uscc).unwrap_or(b'0'));
            let uscc = String::from_utf8_lossy(&uscc).into_owned();
            if *city == "深圳" && first_sz.is_empty() {
                first_sz = uscc.clone();
            }
            let (industry, chain, word) = LINES[(rng.next_u64() % LINES.len() as u64) as usize];
            let above = rng.unit() < 0.75;
            let founded = 1995 + (rng.next_u64() % 30) as i64;
            let name = format!("（示例）{city}{word}{:03}有限公司", k);
            let mut tags = Vec::new();
            if rng.unit() < 0.15 {
                tags.push("专精特新");
            }
            if rng.unit() < 0.3 {
                tags.push("高新技术企业");
            }
            if above && rng.unit() < 0.1 {
                tags.push("骨干企业");
            }
            let land = if above { rng.range(8.0, 260.0) } else { rng.range(1.5, 30.0) };
            let intensity = rng.range(0.4, 2.6);
            let growth = rng.range(0.9, 1.25);
            for (year, out, g) in [(2024, &mut a, 1.0), (2025, &mut b, growth)] {
                let revenue = land * 420.0 * intensity * g * rng.range(0.95, 1.05);
                let va = revenue * rng.range(0.18, 0.32);
                let tax = revenue * rng.range(0.015, 0.07);
                let rd = revenue * rng.range(0.005, 0.09);
                let energy = revenue * rng.range(0.004, 0.03);
                let emission = if rng.unit() > 0.06 {
                    format!("{:.3}", revenue * rng.range(0.00005, 0.0004))
                } else {
                    String::new()
                };
                let employees = (revenue / rng.range(60.0, 250.0)).max(3.0).round();
                let electricity = revenue * rng.range(0.03, 0.15);
                out.push_str(&format!(
                    "{uscc},{name},{city},,{industry},{},{founded},{year},{land:.2},{tax:.2},{revenue:.2},{va:.2},{rd:.2},{energy:.2},{emission},{employees},{electricity:.2},{chain},{},{SOURCE}\n",
                    if above { "above" } else { "below" },
                    tags.join(";"),
                ));
            }
        }
    }
    (a, b, first_sz)
}

/// A few synthetic open challenges (揭榜挂帅), titled 示例…（合成）, each on a gap the demo's chain map finds
/// by the rule it names: one drafted, one open for applications,
/// one under review with the expert `zhuanjia` standing aside from an applicant it declared an interest in,
/// and one awarded and under way with a milestone.
async fn load_challenges(app: &App, owner: &crate::Session, own_firm: &str) -> AppResult<()> {
    use crate::challenges::{
        ChallengeApplicationInput, ChallengeExpertInput, ChallengeInput, ChallengeMilestoneInput, ChallengeMoveInput,
        ChallengeReviewInput,
    };
    let actor = Actor { id: Some(owner.user.id), name: owner.user.username.clone(), ip: String::new() };
    let (others, _) = app.store.enterprises(&jiqun_store::EnterpriseFilter::default(), 5, 3).await?;
    let other: Vec<String> = others.iter().map(|e| e.uscc.to_string()).filter(|u| u != own_firm).collect();
    let (Some(firm_b), Some(firm_c)) = (other.first().cloned(), other.get(1).cloned()) else { return Ok(()) };
    let challenge = |title: &str, department: &str, node: &str, rule: &str, funding: f64| ChallengeInput {
        title: title.into(),
        problem: "（合成示例）省内该环节企业少、关键技术依赖省外供给，需组织联合攻关。".into(),
        indicators: "（合成示例）关键性能指标达到国内先进水平；完成样品流片或样机验证；形成不少于 3 项发明专利申请。"
            .into(),
        funding_wan: Some(funding),
        reward: "（合成示例）验收通过后按合同拨付后续资金，并优先推荐参评省级创新平台。".into(),
        eligibility: "（合成示例）在粤注册的企业、高校或科研院所，可牵头组建联合体。".into(),
        department: department.into(),
        chain_node: Some(node.into()),
        gap_rule: Some(rule.into()),
        criteria: None,
        apply_by: Some("2026-03-31".into()),
        finish_by: Some("2027-12-31".into()),
        version: None,
    };
    let step = |to: &str| ChallengeMoveInput { to: to.into(), winner: None, note: None, version: None };
    let apply = |uscc: Option<&str>, institute: Option<&str>, what: &str| ChallengeApplicationInput {
        summary: format!("（合成示例）{what}"),
        uscc: uscc.map(String::from),
        institute: institute.map(String::from),
        org_name: None,
    };
    let expert = |interests: Vec<String>| ChallengeExpertInput {
        username: "zhuanjia".into(),
        organisation: "示例大学（合成）".into(),
        interests,
    };
    let full = |comment: &str, s: [f64; 4], submit: bool| ChallengeReviewInput {
        scores: ["technical", "team", "plan", "budget"].iter().map(|k| k.to_string()).zip(s).collect(),
        comment: comment.into(),
        submit,
    };
    let zhuanjia = app.login("zhuanjia", DEMO_PASSWORD, "api", "").await?;
    let expert_session =
        app.session(&zhuanjia.token).await?.ok_or_else(|| crate::AppError::internal("demo: expert session"))?;

    // A draft, not yet published.
    let draft = challenge(
        "示例：第三代半导体功率器件可靠性提升（合成）",
        "省工业和信息化厅",
        "integrated_circuits.gan_chips",
        "no_firm",
        800.0,
    );
    app.create_synthetic_challenge(&draft, &actor).await?;

    // Open for applications.
    let open = challenge(
        "示例：工业互联网边缘计算网关国产化（合成）",
        "省工业和信息化厅",
        "iot.control_software",
        "no_firm",
        500.0,
    );
    let id = app.create_synthetic_challenge(&open, &actor).await?;
    app.move_challenge(owner, id, &step("published"), "").await?;
    app.move_challenge(owner, id, &step("applications_open"), "").await?;

    // Under review: the expert declared an interest in one applicant and stands aside from it.
    let review = challenge(
        "示例：8K超高清视频编解码芯片攻关（合成）",
        "省科技厅",
        "ultra_hd_video.chips_and_components",
        "no_firm",
        2000.0,
    );
    let id = app.create_synthetic_challenge(&review, &actor).await?;
    app.move_challenge(owner, id, &step("published"), "").await?;
    app.move_challenge(owner, id, &step("applications_open"), "").await?;
    let a1 = app.apply_challenge(owner, id, &apply(Some(own_firm), None, "基于自研架构的8K编解码SoC方案"), "").await?;
    app.apply_challenge(owner, id, &apply(Some(&firm_b), None, "联合高校的编解码IP授权与流片方案"), "").await?;
    let a3 = app
        .apply_challenge(owner, id, &apply(None, Some("示例研究院（合成）"), "面向广电的编解码算法与芯片验证"), "")
        .await?;
    app.assign_challenge_expert(owner, id, &expert(vec![firm_b.clone()]), "").await?;
    app.move_challenge(owner, id, &step("review"), "").await?;
    app.review_application(
        &expert_session,
        a1,
        &full("（合成示例）方案完整，指标论证充分。", [85.0, 80.0, 78.0, 70.0], true),
        "",
    )
    .await?;
    // A draft with two criteria scored so far.
    let mut partly = full("（合成示例）尚在评审中。", [72.0, 75.0, 0.0, 0.0], false);
    partly.scores.retain(|k, _| k == "technical" || k == "team");
    app.review_application(&expert_session, a3, &partly, "").await?;

    // Awarded and under way, with a milestone.
    let done = challenge(
        "示例：车规级MCU功能安全认证攻关（合成）",
        "省科技厅",
        "auto_electronics.automotive_soc",
        "outside_dependency",
        1500.0,
    );
    let id = app.create_synthetic_challenge(&done, &actor).await?;
    app.move_challenge(owner, id, &step("published"), "").await?;
    app.move_challenge(owner, id, &step("applications_open"), "").await?;
    let w = app.apply_challenge(owner, id, &apply(Some(&firm_c), None, "车规MCU功能安全流程与认证方案"), "").await?;
    app.assign_challenge_expert(owner, id, &expert(vec![]), "").await?;
    app.move_challenge(owner, id, &step("review"), "").await?;
    app.review_application(&expert_session, w, &full("（合成示例）同意推荐。", [88.0, 82.0, 85.0, 80.0], true), "")
        .await?;
    let award = ChallengeMoveInput { winner: Some(w), ..step("awarded") };
    app.move_challenge(owner, id, &award, "").await?;
    app.move_challenge(owner, id, &step("in_progress"), "").await?;
    let milestone = ChallengeMilestoneInput {
        name: "（合成示例）完成功能安全概念设计评审".into(),
        due_on: "2026-06-30".into(),
        done_on: None,
        note: String::new(),
    };
    app.add_challenge_milestone(owner, id, &milestone, "").await?;
    app.logout(&expert_session, "").await?;
    Ok(())
}

fn edit_of(ind: &jiqun_store::IndicatorRow) -> jiqun_store::IndicatorEdit {
    jiqun_store::IndicatorEdit {
        item: ind.item.clone(),
        name: ind.name.clone(),
        unit: ind.unit.clone(),
        direction: ind.direction.clone(),
        method: ind.method.clone(),
        frequency: ind.frequency.clone(),
        baseline_period: ind.baseline_period.clone(),
        baseline_value: ind.baseline_value,
        target_cmp: ind.target_cmp.as_str().to_string(),
        target_value: ind.target_value,
        target_value_max: ind.target_value_max,
        target_year: ind.target_year,
        by_city: ind.by_city,
    }
}

/// Synthetic chip products of the demo's IC firms and needs of its terminal and equipment makers, with three
/// matchmaking meetings (one signed, one on trial, one awaiting its outcome). The enterprise user's own firm
/// lists one too, so that its view is not empty.
async fn load_matching(app: &App, own_firm: &str) -> AppResult<()> {
    use crate::matching::{MatchNeedInput, MatchProductInput};
    let actor = Actor::system("demo");
    let store = &app.store;
    let (firms, _) = store.enterprises(&jiqun_store::EnterpriseFilter::default(), 0, 10_000).await?;
    // One firm a city in turn, so that the pairs span the province (same city, same region, farther).
    let spread = |keep: &dyn Fn(&jiqun_store::EnterpriseRow) -> bool| {
        let mut seen = std::collections::BTreeSet::new();
        let mut first: Vec<&jiqun_store::EnterpriseRow> = Vec::new();
        for f in firms.iter().filter(|f| keep(f) && f.uscc != own_firm) {
            if seen.insert(f.city) {
                first.push(f);
            }
        }
        first
    };
    let chip = spread(&|f| f.industry == "C3973");
    // Terminal makers from the other end of the list, so that a pair is not always of one city.
    let terminal: Vec<_> =
        spread(&|f| matches!(f.industry.as_str(), "C3963" | "C3921" | "C3911")).into_iter().rev().collect();
    if chip.is_empty() || terminal.is_empty() {
        return Ok(());
    }
    // (name, category, node nm, maturity, pieces a year)
    type Product<'a> = (&'a str, &'a str, Option<i64>, &'a str, Option<i64>);
    let products: &[Product] = &[
        ("示例·5G基带芯片 X1（合成）", "baseband_5g", Some(7), "sample", Some(2_000_000)),
        ("示例·射频前端模组 R2（合成）", "rf_frontend", Some(28), "mass_production", Some(5_000_000)),
        ("示例·AI推理芯片 A3（合成）", "ai_chip", Some(12), "engineering_validation", Some(300_000)),
        ("示例·车规级SoC C4（合成）", "automotive_soc", Some(16), "research", None),
        ("示例·图像处理芯片 V5（合成）", "image_processing", Some(22), "mass_production", Some(1_000_000)),
        ("示例·电源管理芯片 P6（合成）", "power_management", Some(55), "mass_production", Some(20_000_000)),
        ("示例·手机CPU M7（合成）", "mobile_cpu", Some(5), "sample", Some(1_000_000)),
    ];
    // (name, category, pieces a year, needed by, requirements)
    let needs: &[(&str, &str, Option<i64>, &str, &str)] = &[
        (
            "示例·5G CPE终端基带（合成）",
            "baseband_5g",
            Some(500_000),
            "2027-06-30",
            "示例：支持SA/NSA，功耗低于3瓦（合成）",
        ),
        (
            "示例·智能手机射频前端（合成）",
            "rf_frontend",
            Some(8_000_000),
            "2027-03-31",
            "示例：覆盖n77/n78/n79频段（合成）",
        ),
        (
            "示例·边缘AI盒子推理芯片（合成）",
            "ai_chip",
            Some(200_000),
            "2027-09-30",
            "示例：INT8算力不低于16TOPS（合成）",
        ),
        (
            "示例·安防摄像头图像处理（合成）",
            "image_processing",
            Some(2_000_000),
            "2027-01-31",
            "示例：支持4K、宽动态（合成）",
        ),
        (
            "示例·车载智能座舱主控（合成）",
            "automotive_soc",
            Some(100_000),
            "2028-12-31",
            "示例：AEC-Q100车规认证（合成）",
        ),
        ("示例·可穿戴设备电源管理（合成）", "power_management", None, "2027-06-30", "示例：静态电流低于1微安（合成）"),
        ("示例·智能手机主控（合成）", "mobile_cpu", Some(3_000_000), "2027-12-31", "示例：八核，支持5G（合成）"),
    ];
    let mut product_ids = Vec::new();
    for ((name, category, node, maturity, volume), firm) in products.iter().zip(chip.iter().cycle()) {
        let input = MatchProductInput {
            name: name.to_string(),
            category: category.to_string(),
            process_node_nm: *node,
            maturity: maturity.to_string(),
            annual_volume: *volume,
            note: SOURCE.into(),
            ..Default::default()
        };
        let mut p = App::check_product(&input, firm.id)?;
        p.synthetic = true;
        product_ids.push(store.insert_match_product(&p, &actor).await?);
    }
    let mut need_ids = Vec::new();
    for ((name, category, volume, by, requirements), firm) in needs.iter().zip(terminal.iter().cycle()) {
        let input = MatchNeedInput {
            name: name.to_string(),
            category: category.to_string(),
            annual_volume: *volume,
            needed_by: by.to_string(),
            requirements: requirements.to_string(),
            ..Default::default()
        };
        let mut n = App::check_need(&input, firm.id)?;
        n.synthetic = true;
        need_ids.push(store.insert_match_need(&n, &actor).await?);
    }
    // The enterprise user's firm: a chip maker lists a product, any other firm a need.
    if let Some(own) = firms.iter().find(|f| f.uscc == own_firm) {
        if own.industry == "C3973" {
            let input = MatchProductInput {
                name: "示例·本企业射频前端芯片（合成）".into(),
                category: "rf_frontend".into(),
                process_node_nm: Some(40),
                maturity: "engineering_validation".into(),
                annual_volume: Some(1_000_000),
                note: SOURCE.into(),
                ..Default::default()
            };
            let mut p = App::check_product(&input, own.id)?;
            p.synthetic = true;
            store.insert_match_product(&p, &actor).await?;
        } else {
            let input = MatchNeedInput {
                name: "示例·本企业服务器用AI推理芯片（合成）".into(),
                category: "ai_chip".into(),
                annual_volume: Some(150_000),
                needed_by: "2027-10-31".into(),
                requirements: "示例：INT8算力不低于32TOPS，功耗低于75瓦（合成）".into(),
                ..Default::default()
            };
            let mut n = App::check_need(&input, own.id)?;
            n.synthetic = true;
            store.insert_match_need(&n, &actor).await?;
        }
    }
    let date =
        |s: &str| jiqun_domain::date::Date::parse(s).map_err(|_| crate::AppError::internal(format!("demo date {s}")));
    // (the product and need at that position, held on, the outcome with its day and note)
    type Meeting<'a> = (usize, &'a str, Option<(MatchOutcome, &'a str, &'a str)>);
    let meetings: &[Meeting] = &[
        (1, "2026-03-18", Some((MatchOutcome::Signed, "2026-06-30", "示例：签订年度供货框架合同（合成）"))),
        (0, "2026-05-20", Some((MatchOutcome::Trial, "2026-08-15", "示例：送样试用（合成）"))),
        (4, "2026-10-22", None),
    ];
    for (k, held, outcome) in meetings {
        let (Some(&product_id), Some(&need_id)) = (product_ids.get(*k), need_ids.get(*k)) else { continue };
        let m = jiqun_store::NewMatchMeeting {
            product_id,
            need_id,
            held_on: date(held)?,
            place: "示例·全省芯片设计与终端应用对接会（合成）".into(),
            note: SOURCE.into(),
            synthetic: true,
        };
        let id = store.insert_match_meeting(&m, &actor).await?;
        if let Some((o, on, note)) = outcome {
            store.set_match_outcome(id, *o, date(on)?, note, None, &actor).await?;
        }
    }
    Ok(())
}

/// Four significant digits, as statistics are published.
fn round_sig(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let mag = 10f64.powi(v.abs().log10().floor() as i32 - 3);
    (v / mag).round() * mag
}

/// Adds `indicators` synthetic indicators to a plan, each with `years` annual values for the province and
/// every city (the benchmark's data set: 50 × 10 years × 21 cities).
pub async fn load_scale(app: &App, plan_id: i64, indicators: usize, years: i32) -> AppResult<usize> {
    let actor = Actor::system("demo-data");
    let store = &app.store;
    store.set_setting("synthetic_data", "1", &actor).await?;
    let model = RegionModel::guangdong();
    let cities: Vec<&str> = model.prefecture_cities().map(|c| c.name.as_str()).collect();
    let mut rng = Rng::new(indicators as u64 * 7919 + years as u64);
    let mut rows = Vec::new();
    let last = 2025;
    for k in 0..indicators {
        let target = 1e10 * rng.range(1.0, 50.0).round();
        let start = target * rng.range(0.45, 0.7);
        let edit = jiqun_store::IndicatorEdit {
            item: None,
            name: format!("（示例）扩展指标 {:02}", k + 1),
            unit: "元".into(),
            direction: "up".into(),
            method: "growth".into(),
            frequency: "annual".into(),
            baseline_period: Some((last - years + 1).to_string()),
            baseline_value: Some(round_sig(start)),
            target_cmp: ">=".into(),
            target_value: target,
            target_value_max: None,
            target_year: i64::from(last),
            by_city: true,
        };
        let id = store.add_indicator(plan_id, &edit, &actor).await?;
        let end = target * rng.range(0.85, 1.15);
        for (i, year) in (last - years + 1..=last).enumerate() {
            let t = i as f64 / (years - 1).max(1) as f64;
            let v = start * (end / start).powf(t);
            rows.push((id, Period::Year(year), String::new(), round_sig(v), SOURCE.to_string()));
            for c in &cities {
                let share = city_weight(c) / 110.0 * rng.range(0.9, 1.1);
                rows.push((id, Period::Year(year), c.to_string(), round_sig(v * share), SOURCE.to_string()));
            }
        }
    }
    store.bulk_observations(&rows, &actor).await?;
    Ok(rows.len())
}

/// A reproducible synthetic input for the per-mu evaluation (contracts §4 columns): valid USCCs, the 21
/// cities, above- and below-scale firms, some new, some on little land, some without emissions reported.
pub fn enterprises_csv(count: usize, seed: u64, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use std::io::Write as _;
    let model = RegionModel::guangdong();
    let cities: Vec<(&str, &str)> = model.prefecture_cities().map(|c| (c.name.as_str(), c.code.as_str())).collect();
    let mut rng = Rng::new(seed ^ 0x5EED);
    let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
    writeln!(
        w,
        "uscc,name,city,scale,founded_year,year,land_mu,tax_wan,revenue_wan,value_added_wan,rd_wan,energy_tce,emission_t,employees,electricity_mwh"
    )?;
    for k in 0..count {
        let (city, code) = cities[(rng.next_u64() % cities.len() as u64) as usize];
        // 9 (enterprise) 1 (company) + division code + a 9-character organisation code made unique by k.
        let mut uscc = Vec::with_capacity(18);
        uscc.extend_from_slice(b"91");
        uscc.extend_from_slice(code.as_bytes());
        let mut org = [b'0'; 9];
        jiqun_domain::uscc::encode(k as u64 * 7_919 + (seed % 1000), &mut org);
        uscc.extend_from_slice(&org);
        uscc.push(jiqun_domain::uscc::check_character(&uscc).unwrap_or(b'0'));
        let above = rng.unit() < 0.7;
        let founded = 1985 + (rng.next_u64() % 40) as i64;
        let land = if above { rng.range(5.0, 300.0) } else { rng.range(1.0, 40.0) };
        let intensity = rng.range(0.3, 3.0);
        let revenue = land * rng.range(50.0, 800.0) * intensity;
        let va = revenue * rng.range(0.15, 0.35);
        let tax = revenue * rng.range(0.01, 0.08);
        let rd = revenue * rng.range(0.0, 0.08);
        let energy = revenue * rng.range(0.005, 0.05);
        let emission = (rng.unit() > 0.05).then(|| revenue * rng.range(0.00005, 0.0005));
        let employees = (revenue / rng.range(50.0, 300.0)).max(3.0).round();
        let electricity = revenue * rng.range(0.02, 0.2);
        writeln!(
            w,
            "{},示例企业{:07},{city},{},{founded},2024,{land:.2},{tax:.2},{revenue:.2},{va:.2},{rd:.2},{energy:.2},{},{employees},{electricity:.2}",
            String::from_utf8_lossy(&uscc),
            k + 1,
            if above { "above" } else { "below" },
            emission.map(|e| format!("{e:.3}")).unwrap_or_default(),
        )?;
    }
    w.flush()
}

/// The same synthetic firms as [`enterprises_csv`], as a filled-in enterprise template (.xlsx): the
/// benchmark's and the tests' workbook of many rows.
pub fn enterprises_xlsx(count: usize, seed: u64) -> AppResult<Vec<u8>> {
    let mut csv = Vec::new();
    enterprises_csv(count, seed, &mut csv).map_err(crate::AppError::internal)?;
    let text = String::from_utf8(csv).map_err(crate::AppError::internal)?;
    let sheet =
        jiqun_office::sheet::read_csv("enterprises", &text).map_err(|(_, p)| crate::AppError::internal(p.en))?;
    let (kind, mut t) = crate::imports::blank_template(crate::imports::ImportKind::Enterprises);
    let header: Vec<String> =
        sheet.rows.first().map(|r| r.cells.iter().map(|c| c.text()).collect()).unwrap_or_default();
    let at: Vec<Option<usize>> = t.columns.iter().map(|c| header.iter().position(|h| *h == c.name)).collect();
    // Figures and years as numbers; codes and names as text (an all-digit USCC would lose digits as a number).
    let numeric: Vec<bool> = t.columns.iter().map(|c| c.unit.is_some() || c.name.ends_with("year")).collect();
    for row in sheet.rows.iter().skip(1) {
        let cells = at.iter().zip(&numeric).map(|(i, numeric)| match i.map(|i| row.get(i)) {
            Some(jiqun_office::sheet::Cell::Text(s)) => match s.parse::<f64>() {
                Ok(v) if *numeric => jiqun_office::template::Value::Number(v),
                _ => jiqun_office::template::Value::Text(s.clone()),
            },
            _ => jiqun_office::template::Value::Empty,
        });
        t.rows.push(cells.collect());
    }
    t.input_rows = t.rows.len();
    t.title = format!("示例企业数据（合成）· {}", kind.label(jiqun_domain::Lang::Zh));
    jiqun_office::template::write(&t).map_err(|p| crate::AppError::internal(p.en))
}
