//! The server-rendered pages, driven in process through the router on a fresh SQLite database with the demo
//! data set: every page renders for a logged-in user, exports CSV and JSON, refuses writes without the
//! CSRF token or the permission, escapes what users typed, and the forms change what they should.

use std::sync::Arc;

use crate::common::{self, ADMIN_PASSWORD, Answer, Browser, Client, DEMO_PASSWORD, enc};

use axum::http::{StatusCode, header};
use jiqun_app::snapshot::PlanView;
use jiqun_eval::progress::Status;
use serde_json::Value;

const XSS: &str = "<script>alert(1)</script>";

/// A demo server with the plan owner logged in through the login form, and the current plan as the
/// application sees it (to find indicators and assignments by what they are).
struct Fixture {
    ui: Client,
    owner: Browser,
    plan: Arc<PlanView>,
}

impl Fixture {
    async fn new() -> Fixture {
        let ui = Client::demo_sqlite().await;
        let plan = ui.app.snapshot().await.unwrap().current_plan().unwrap().clone();
        let owner = ui.browser("owner", DEMO_PASSWORD).await;
        Fixture { ui, owner, plan }
    }

    /// Logs a demo account in through the login form.
    async fn login(&self, user: &str) -> Browser {
        self.ui.browser(user, DEMO_PASSWORD).await
    }

    fn pid(&self) -> i64 {
        self.plan.plan.id
    }

    /// A growth indicator whose target (more than …) the demo data misses.
    fn missed(&self) -> &jiqun_app::snapshot::IndicatorView {
        self.plan
            .indicators
            .iter()
            .find(|i| {
                i.status == Status::Missed
                    && i.row.method == "growth"
                    && i.row.target_cmp.as_str().starts_with('>')
                    && i.row.derived_from.is_none()
            })
            .expect("a missed growth indicator entered by hand")
    }

    fn assignment_of(&self, agency: &str) -> i64 {
        self.plan.assignments.iter().find(|a| a.row.agency == agency).unwrap().row.id
    }

    /// An indicator's data as the page's JSON export gives it.
    async fn indicator_json(&self, id: i64) -> Value {
        serde_json::from_str(&self.ui.get(&format!("/indicators/{id}?format=json")).browser(&self.owner).await.body)
            .unwrap()
    }

    /// The owner posts an observation for 2025 through the indicator's form.
    async fn observe(&self, id: i64, value: &str, source: &str) -> Answer {
        let pairs = [
            ("csrf", self.owner.csrf.as_str()),
            ("period", "2025"),
            ("value", value),
            ("region", ""),
            ("source", source),
        ];
        self.ui.submit(&format!("/indicators/{id}/observations"), &self.owner, &pairs).await
    }

    /// The owner opens the reporting round of 2026Q4 through the plan's form.
    async fn open_round(&self, deadline: &str) -> Answer {
        let pairs = [("csrf", self.owner.csrf.as_str()), ("period", "2026Q4"), ("deadline", deadline)];
        self.ui.submit(&format!("/plans/{}/rounds", self.pid()), &self.owner, &pairs).await
    }

    /// 省科技厅's reporter posts its report for 2026Q4 on an assignment (`csrf` false leaves the token out).
    async fn report(&self, kjt: &Browser, assignment: i64, narrative: &str, csrf: bool) -> Answer {
        let mut pairs = vec![
            ("csrf", kjt.csrf.as_str()),
            ("period", "2026Q4"),
            ("status", "on_schedule"),
            ("percent", "40"),
            ("narrative", narrative),
            ("problems", ""),
            ("help_needed", ""),
            ("action", "submit"),
        ];
        if !csrf {
            pairs.remove(0);
        }
        self.ui.submit(&format!("/assignments/{assignment}/reports"), kjt, &pairs).await
    }

    /// The round of 2026Q4 opened and 省科技厅's report for it submitted: the reporter and the report's id.
    async fn submitted_report(&self) -> (Browser, i64) {
        assert_eq!(self.open_round("2027-01-15").await.status, StatusCode::SEE_OTHER);
        let kjt = self.login("kjt").await;
        let assignment = self.assignment_of("省科技厅");
        let a = self.report(&kjt, assignment, "<script>alert(1)</script>本期完成", true).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        let reports = self.ui.app.store_for_tests().assignment_reports(assignment).await.unwrap();
        let rid = reports.into_iter().find(|r| r.current && r.period == "2026Q4").unwrap().id;
        (kjt, rid)
    }
}

/// Without a session every page sends the browser to the login page.
#[tokio::test]
async fn without_a_session_every_page_leads_to_the_login() {
    let ui = Client::demo_sqlite().await;
    for uri in ["/", "/plan", "/indicators", "/supervision", "/cities", "/indicators/1", "/assignments/1"] {
        let a = ui.get(uri).await;
        assert_eq!((a.status, a.location()), (StatusCode::SEE_OTHER, "/login"), "{uri}");
    }
}

/// The dashboard: indicators with targets in Chinese units, bars, badges, sparklines, goals, changes.
#[tokio::test]
async fn the_dashboard_shows_indicators_goals_and_changes() {
    let f = Fixture::new().await;
    let home = f.ui.page("/", &f.owner).await;
    crate::common::assert_shows(
        &home,
        "the dashboard",
        &[
            "示例数据 (synthetic)",
            "指标进展",
            "新一代信息技术产业规模",
            "超过7万亿元",
            "超过1.8万亿元",
            "超过6%",
            "svg class=\"spark\"",
            "svg class=\"bar\"",
            "badge st-achieved",
            "badge st-bad",
            "目标汇总",
            "上次登录以来的变化",
            "逾期与停滞",
            "待审核报告",
            "<caption>",
            "scope=\"col\"",
            "aria-current=\"page\"",
        ],
    );
    assert!(!home.contains("style="), "no inline styles (the CSP forbids them)");
    assert!(!home.contains("<script>"), "no inline scripts");
    let en = f.ui.page("/?lang=en", &f.owner).await;
    assert!(en.contains("Changes since your last login") && en.contains(">Indicators<") && en.contains("lang=\"en\""));
}

/// The plan: metadata, sections, items with departments, the responsibility matrix.
#[tokio::test]
async fn the_plan_page_shows_sections_departments_and_the_matrix() {
    let f = Fixture::new().await;
    let p = f.ui.page("/plan", &f.owner).await;
    crate::common::assert_shows(
        &p,
        "the plan page",
        &[
            "基本信息",
            "1. 工作目标",
            "构建产业发展新格局",
            "牵头：",
            "负责：",
            "责任分工矩阵",
            "table class=\"data matrix\"",
            ">牵<",
            ">负<",
        ],
    );
    assert!(f.ui.page(&format!("/plans/{}", f.pid()), &f.owner).await.contains("责任分工矩阵"));
    assert!(f.ui.page("/plans", &f.owner).await.contains("导入计划文件"), "owners may import");
    assert_eq!(f.ui.get("/plans/999").browser(&f.owner).await.status, StatusCode::NOT_FOUND);
}

/// Indicators and one indicator: its chart, its status with the reasons, its history and its forms.
#[tokio::test]
async fn an_indicator_page_shows_its_status_history_and_forms() {
    let f = Fixture::new().await;
    let list = f.ui.page("/indicators", &f.owner).await;
    assert_eq!(list.matches("href=\"/indicators/").count(), f.plan.indicators.len());
    // A count target computed from the registry of bases says so instead of offering a form.
    let derived =
        f.plan.indicators.iter().find(|i| i.row.derived_from.as_deref() == Some("bases:ic_design_base")).unwrap();
    let page = f.ui.page(&format!("/indicators/{}", derived.row.id), &f.owner).await;
    assert!(page.contains("平台与基地库：集成电路设计基地") && !page.contains("录入或更正数据"), "{page}");
    // A count's axis has whole ticks, each label once (not 0个, 0个, 1个, 1个 …): 国家级制造业创新中心, 1 of 2.
    let centres = f.plan.indicators.iter().find(|i| i.row.name == "国家级制造业创新中心").unwrap();
    let page = f.ui.page(&format!("/indicators/{}", centres.row.id), &f.owner).await;
    let chart = page.split("<svg class=\"linechart\"").nth(1).unwrap().split("</svg>").next().unwrap();
    for n in ["0个", "1个", "2个"] {
        assert_eq!(
            chart.matches(&format!("text-anchor=\"end\">{n}</text>")).count(),
            1,
            "{n} once on the axis: {chart}"
        );
    }
    let page = f.ui.page(&format!("/indicators/{}", f.missed().row.id), &f.owner).await;
    crate::common::assert_shows(
        &page,
        "the indicator page",
        &[
            "svg class=\"linechart\"",
            "polyline class=\"path\"",
            "状态及其依据",
            "比值 R",
            "所需年均增速",
            "历年状态",
            "观测值",
            "更正记录",
            "录入或更正数据",
            "人工调整状态",
            "修改基期与目标",
            "未完成",
        ],
    );
    assert_eq!(f.ui.get("/indicators/9999").browser(&f.owner).await.status, StatusCode::NOT_FOUND);
}

/// Supervision, a department (by its full or short name) and an assignment, which the owner reviews.
#[tokio::test]
async fn supervision_pages_filter_by_department() {
    let f = Fixture::new().await;
    let sup = f.ui.page("/supervision", &f.owner).await;
    assert!(sup.contains("待审核报告") && sup.contains("报送轮次") && sup.contains("全部任务分工"));
    let kjt_only = f.ui.page(&format!("/supervision?agency={}", enc("省科技厅")), &f.owner).await;
    let rows = kjt_only.split("<table class=\"data assignments\">").nth(1).unwrap_or("");
    assert!(rows.contains("省科技厅") && !rows.contains(">省商务厅<"), "the filter keeps one department");
    let dept = f.ui.page(&format!("/agencies/{}", enc("省科技厅")), &f.owner).await;
    assert!(dept.contains("省科技厅") && dept.contains("table class=\"data agency\""));
    let unknown = f.ui.get(&format!("/agencies/{}", enc("不存在的部门"))).browser(&f.owner).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        f.ui.page(&format!("/agencies/{}", enc("科技厅")), &f.owner).await.contains("<h1>省科技厅</h1>"),
        "short names resolve"
    );
    let asg = f.ui.page(&format!("/assignments/{}", f.assignment_of("省科技厅")), &f.owner).await;
    assert!(asg.contains("报告及历史版本") && !asg.contains("填报进展报告"), "the owner reviews, does not report");
}

/// The cities: a tile map with one tile per city, an indicator by city, and a city's own page.
#[tokio::test]
async fn the_cities_map_has_a_tile_per_city() {
    let f = Fixture::new().await;
    let cities = f.ui.page("/cities", &f.owner).await;
    let map = cities.split("svg class=\"tilemap\"").nth(1).and_then(|m| m.split("</svg>").next()).unwrap_or("");
    assert_eq!(map.matches("<a href=\"/cities/").count(), 21, "one tile per city");
    assert!(cities.contains("svg class=\"tilemap\"") && cities.contains("图例") && cities.contains("深圳"));
    let by_city = f.plan.indicators.iter().filter(|i| i.row.by_city).nth(1).unwrap();
    assert!(f.ui.page(&format!("/cities?indicator={}", by_city.row.id), &f.owner).await.contains(&by_city.row.name));
    let sz = f.ui.page(&format!("/cities/{}", enc("深圳")), &f.owner).await;
    assert!(
        sz.contains("440300") && sz.contains("珠三角") && sz.contains("集成电路产业集聚区") && sz.contains("主要数据")
    );
    assert_eq!(f.ui.get(&format!("/cities/{}", enc("纽约"))).browser(&f.owner).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        f.ui.get("/users").browser(&f.owner).await.status,
        StatusCode::FORBIDDEN,
        "the plan owner manages no accounts"
    );
}

/// Every page's data as CSV (BOM, header row) and JSON (says it is synthetic).
#[tokio::test]
async fn every_page_exports_csv_and_json() {
    let f = Fixture::new().await;
    let (owner, iid) = (&f.owner, f.missed().row.id);
    for path in [
        "/".to_string(),
        "/plan".into(),
        "/plans".into(),
        "/indicators".into(),
        format!("/indicators/{iid}"),
        "/supervision".into(),
        format!("/agencies/{}", enc("省科技厅")),
        format!("/assignments/{}", f.assignment_of("省科技厅")),
        "/cities".into(),
        format!("/cities/{}", enc("深圳")),
    ] {
        let sep = if path.contains('?') { '&' } else { '?' };
        let csv = f.ui.get(&format!("{path}{sep}format=csv")).browser(owner).await;
        assert_eq!(csv.status, StatusCode::OK, "{path} csv");
        assert!(csv.header(header::CONTENT_TYPE.as_str()).starts_with("text/csv"), "{path}");
        assert!(csv.body.starts_with('\u{feff}'), "{path}: CSV starts with a BOM");
        assert!(csv.body.lines().count() >= 2, "{path}: a header and rows");
        let json = f.ui.get(&format!("{path}{sep}format=json")).browser(owner).await;
        assert_eq!(json.status, StatusCode::OK, "{path} json");
        let v: Value = serde_json::from_str(&json.body).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(v["synthetic"], true, "{path}");
    }
    let csv = f.ui.get("/?format=csv").browser(owner).await.body;
    assert!(csv.lines().next().unwrap().contains("指标") && csv.contains("新一代信息技术产业规模"));
    let matrix = f.ui.get("/plan?format=csv&table=matrix").browser(owner).await.body;
    assert!(matrix.contains("省工业和信息化厅,牵"));
    assert_eq!(f.indicator_json(iid).await["indicator"]["status"], "missed");
}

/// Writes without the CSRF token, or with a wrong one, are refused.
#[tokio::test]
async fn a_form_without_the_right_csrf_token_is_refused() {
    let f = Fixture::new().await;
    let url = format!("/indicators/{}/observations", f.missed().row.id);
    let a = f.ui.submit(&url, &f.owner, &[("period", "2025"), ("value", "1")]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = f.ui.submit(&url, &f.owner, &[("csrf", "wrong"), ("period", "2025"), ("value", "1")]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.body.contains("表单已过期"));
}

/// Adding an observation: a wrong value comes back with the form filled in; a good one changes the status,
/// and its source is shown escaped.
#[tokio::test]
async fn the_observation_form_keeps_bad_input_and_a_good_value_changes_the_status() {
    let f = Fixture::new().await;
    let missed = f.missed();
    let iid = missed.row.id;
    let a = f.observe(iid, "很多", "x").await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("role=\"alert\"") && a.body.contains("value=\"很多\""));
    let pairs = [("csrf", f.owner.csrf.as_str()), ("period", "25"), ("value", "1"), ("region", "")];
    let a = f.ui.submit(&format!("/indicators/{iid}/observations"), &f.owner, &pairs).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "a bad period");
    let a = f.observe(iid, &format!("{}", missed.row.target_value * 1.05), XSS).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let page = f.ui.page(&format!("/indicators/{iid}"), &f.owner).await;
    assert!(page.contains("已达成"), "the correction meets the target");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.contains(XSS), "the source is escaped");
    assert!(!f.ui.page("/", &f.owner).await.contains(XSS));
    common::audit_holds(&f.ui.app, &["observation.correct"]).await;
}

/// Chinese units are understood: 1.2万亿 for a money indicator.
#[tokio::test]
async fn the_observation_form_understands_chinese_units() {
    let f = Fixture::new().await;
    let money = f.plan.indicators.iter().find(|i| i.row.unit == "元").unwrap();
    let pairs = [("csrf", f.owner.csrf.as_str()), ("period", "2025"), ("value", "7.5万亿"), ("region", "")];
    let a = f.ui.submit(&format!("/indicators/{}/observations", money.row.id), &f.owner, &pairs).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(f.indicator_json(money.row.id).await["indicator"]["latest"]["value"], 7.5e12);
}

/// Figures are written as officials write them, by unit (a percentage to one decimal); the exact value
/// stays in the data exports and the API.
#[tokio::test]
async fn figures_are_written_as_officials_write_them() {
    let f = Fixture::new().await;
    // (The plan's one percentage is computed from the backbone directory: made typed by hand for this.)
    let pct = f.plan.indicators.iter().find(|i| i.row.unit == "%").expect("a percentage indicator");
    let token = f.ui.app.login("owner", "Demo@2025", "bearer", "").await.unwrap().token;
    let session = f.ui.app.session(&token).await.unwrap().unwrap();
    let unbind = jiqun_app::bases::DerivationInput { derived_from: None };
    f.ui.app.set_derivation(&session, pct.row.id, &unbind, "").await.unwrap();
    let a = f.observe(pct.row.id, "4.7412%", "").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let page = f.ui.page(&format!("/indicators/{}", pct.row.id), &f.owner).await;
    assert!(page.contains("4.7%") && !page.contains("4.7412"), "one decimal for a percentage");
    let list = f.ui.page(&format!("/indicators?plan={}", f.pid()), &f.owner).await;
    assert!(list.contains("4.7%") && !list.contains("4.7412"), "the list too");
    let json = f.ui.get(&format!("/indicators/{}?format=json", pct.row.id)).browser(&f.owner).await.body;
    assert!(json.contains("4.7412"), "the exact value in the data");
}

/// Override: a reason is required; then the page says so; an empty status clears it.
#[tokio::test]
async fn an_override_needs_a_reason_and_shows_on_the_page() {
    let f = Fixture::new().await;
    let iid = f.missed().row.id;
    let url = format!("/indicators/{iid}/override");
    let csrf = f.owner.csrf.as_str();
    let a = f.ui.submit(&url, &f.owner, &[("csrf", csrf), ("status", "on_track"), ("reason", "")]).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let a = f.ui.submit(&url, &f.owner, &[("csrf", csrf), ("status", "on_track"), ("reason", "统计口径调整")]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let page = f.ui.page(&format!("/indicators/{iid}"), &f.owner).await;
    assert!(page.contains("状态经人工调整") && page.contains("统计口径调整"));
    let a = f.ui.submit(&url, &f.owner, &[("csrf", csrf), ("status", ""), ("reason", "")]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "the override is cleared");
    common::audit_holds(&f.ui.app, &[]).await;
}

/// The owner edits the baseline and target; a bad target is refused.
#[tokio::test]
async fn the_owner_edits_the_target() {
    let f = Fixture::new().await;
    let missed = f.missed();
    let iid = missed.row.id;
    let baseline = missed.baseline.unwrap().value.to_string();
    let target = (missed.row.target_value * 2.0).to_string();
    let csrf = f.owner.csrf.as_str();
    let a =
        f.ui.submit(
            &format!("/indicators/{iid}/edit"),
            &f.owner,
            &[
                ("csrf", csrf),
                ("baseline_period", "2019"),
                ("baseline_value", &baseline),
                ("target_cmp", ">="),
                ("target_value", &target),
                ("target_value_max", ""),
                ("target_year", "2025"),
                ("frequency", "annual"),
                ("method", "growth"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let v = f.indicator_json(iid).await;
    assert_eq!(v["indicator"]["target"]["value"].as_f64(), Some(missed.row.target_value * 2.0));
    let bad = [("csrf", csrf), ("target_value", "x"), ("target_year", "2025")];
    let a = f.ui.submit(&format!("/indicators/{iid}/edit"), &f.owner, &bad).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    common::audit_holds(&f.ui.app, &[]).await;
}

/// A reporting round: its deadline must be a date.
#[tokio::test]
async fn the_owner_opens_a_reporting_round() {
    let f = Fixture::new().await;
    assert_eq!(f.open_round("2027-01-15").await.status, StatusCode::SEE_OTHER);
    assert_eq!(f.open_round("明年").await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A department reporter: /my goes to its page; it may report for itself only, with the token and a
/// narrative, which is shown escaped to it and on the owner's review list.
#[tokio::test]
async fn a_department_reports_for_itself_only() {
    let f = Fixture::new().await;
    assert_eq!(f.open_round("2027-01-15").await.status, StatusCode::SEE_OTHER);
    let kjt = f.login("kjt").await;
    let (kjt_assignment, swt_assignment) = (f.assignment_of("省科技厅"), f.assignment_of("省商务厅"));
    let a = f.ui.get("/my").browser(&kjt).await;
    assert_eq!((a.status, a.location()), (StatusCode::SEE_OTHER, format!("/agencies/{}", enc("省科技厅")).as_str()));
    assert!(f.ui.page(&format!("/assignments/{kjt_assignment}"), &kjt).await.contains("填报进展报告"));
    assert!(!f.ui.page(&format!("/assignments/{swt_assignment}"), &kjt).await.contains("填报进展报告"));
    let a = f.report(&kjt, swt_assignment, "他部门的报告", true).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "another department's assignment");
    let a = f.report(&kjt, kjt_assignment, "他部门的报告", false).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "no CSRF token");
    let a = f.report(&kjt, kjt_assignment, "", true).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "submitting needs a narrative");
    let a = f.report(&kjt, kjt_assignment, "<script>alert(1)</script>本期完成", true).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let page = f.ui.page(&format!("/assignments/{kjt_assignment}"), &kjt).await;
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;本期完成") && !page.contains(XSS));
    let sup = f.ui.page("/supervision", &f.owner).await;
    assert!(
        sup.contains("&lt;script&gt;alert(1)&lt;/script&gt;本期完成") && !sup.contains(XSS),
        "on the review list, escaped"
    );
    common::audit_holds(&f.ui.app, &[]).await;
}

/// Attachments: the raw body with the CSRF header; the department's own reports only; 10 MB at most.
#[tokio::test]
async fn attachments_need_the_csrf_header_their_own_department_and_at_most_10_mb() {
    let f = Fixture::new().await;
    let (kjt, rid) = f.submitted_report().await;
    let up = |name: &str| format!("/reports/{rid}/attachments?name={}", enc(name));
    let pdf = b"%PDF-1.4 test".to_vec();
    let a = f.ui.post(&up("证明.pdf")).browser(&kjt).body("application/pdf", pdf.clone()).csrf_header(&kjt).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let aid = a.json()["id"].as_i64().unwrap();
    let a = f.ui.post(&up("x.pdf")).browser(&kjt).body("application/pdf", pdf.clone()).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "no CSRF header");
    let swt = f.login("swt").await;
    let a = f.ui.post(&up("x.pdf")).browser(&swt).body("application/pdf", pdf).csrf_header(&swt).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "another department's report");
    let big = vec![0u8; 10 * 1024 * 1024 + 1];
    let a = f.ui.post(&up("big.bin")).browser(&kjt).body("application/octet-stream", big).csrf_header(&kjt).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    let a = f.ui.get(&format!("/attachments/{aid}")).browser(&f.owner).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header(header::CONTENT_TYPE.as_str()), "application/pdf");
    assert!(a.header(header::CONTENT_DISPOSITION.as_str()).starts_with("attachment;"));
    let page = f.ui.page(&format!("/assignments/{}", f.assignment_of("省科技厅")), &kjt).await;
    assert!(page.contains("证明.pdf"));
    common::audit_holds(&f.ui.app, &[]).await;
}

/// Review: departments do not review; returning needs a comment, which the department then reads.
#[tokio::test]
async fn returning_a_report_needs_a_comment_the_department_reads() {
    let f = Fixture::new().await;
    let (kjt, rid) = f.submitted_report().await;
    let review = format!("/reports/{rid}/review");
    let a = f.ui.submit(&review, &kjt, &[("csrf", kjt.csrf.as_str()), ("decision", "accept")]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "departments do not review");
    let csrf = f.owner.csrf.as_str();
    let a = f.ui.submit(&review, &f.owner, &[("csrf", csrf), ("decision", "return"), ("comment", "")]).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let a =
        f.ui.submit(&review, &f.owner, &[("csrf", csrf), ("decision", "return"), ("comment", "请补充<数据>")]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let page = f.ui.page(&format!("/assignments/{}", f.assignment_of("省科技厅")), &kjt).await;
    assert!(page.contains("请补充&lt;数据&gt;") && page.contains("已退回"));
    common::audit_holds(&f.ui.app, &["report.return"]).await;
}

/// Importing a plan: pasted text through the form, a file through the API with the cookie and header.
#[tokio::test]
async fn a_plan_is_imported_from_pasted_text_or_a_file() {
    let f = Fixture::new().await;
    let kjt = f.login("kjt").await;
    let csrf = f.owner.csrf.as_str();
    let text = "广东省发展示例产业集群行动计划(2024—2026年)\n本文件为测试编写的虚构示例。\n一、工作目标\n到2026年,示例产业营业收入突破1000亿元。\n二、重点任务\n(一)推动示例产业发展。支持广州、深圳建设示例基地。(省工业和信息化厅牵头,省科技厅按职责分工负责)\n";
    let a = f.ui.submit("/plans/import", &f.owner, &[("csrf", csrf), ("name", "测试粘贴"), ("text", text)]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert!(a.location().starts_with("/plans/"));
    assert!(f.ui.page(a.location(), &f.owner).await.contains("示例"));
    let a = f.ui.submit("/plans/import", &f.owner, &[("csrf", csrf), ("name", ""), ("text", "")]).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let a = f.ui.submit("/plans/import", &kjt, &[("csrf", kjt.csrf.as_str()), ("name", ""), ("text", text)]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a =
        f.ui.post("/api/v1/plans?name=file.txt")
            .browser(&f.owner)
            .body("text/plain", text.as_bytes().to_vec())
            .csrf_header(&f.owner)
            .await;
    assert_eq!(a.status, StatusCode::CREATED, "the JS import path: {}", a.body);
    common::audit_holds(&f.ui.app, &[]).await;
}

/// Users: the administrator lists and creates accounts, never one with two administrator roles; a city
/// reporter's /my is its city.
#[tokio::test]
async fn the_administrator_creates_accounts() {
    let f = Fixture::new().await;
    let admin = f.ui.browser("admin", ADMIN_PASSWORD).await;
    let users = f.ui.page("/users", &admin).await;
    assert!(users.contains("新建用户") && users.contains("kjt"));
    let pairs = [
        ("csrf", admin.csrf.as_str()),
        ("username", "zhj"),
        ("display_name", "珠海工信局"),
        ("password", "Zhuhai@2025"),
        ("roles", "city_reporter"),
        ("agency", ""),
        ("city", "珠海"),
    ];
    let a = f.ui.submit("/users", &admin, &pairs).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert!(f.ui.page("/users", &admin).await.contains("珠海工信局"));
    let pairs = [
        ("csrf", admin.csrf.as_str()),
        ("username", "two"),
        ("password", "Two@20250"),
        ("roles", "system_admin"),
        ("roles", "audit_admin"),
    ];
    let a = f.ui.submit("/users", &admin, &pairs).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "separation of duties");
    assert!(a.body.contains("三员分立"));
    let zhj = f.ui.browser("zhj", "Zhuhai@2025").await;
    let a = f.ui.get("/my").browser(&zhj).await;
    assert_eq!(a.location(), format!("/cities/{}", enc("珠海")));
    common::audit_holds(&f.ui.app, &[]).await;
}

/// The "what changed" feed says every action in words, in both languages, never by its raw event name
/// (such as `project.assess`); and every action written is one that has those words.
#[tokio::test]
async fn the_change_feed_says_every_action_in_words() {
    let f = Fixture::new().await;
    let (_kjt, _report) = f.submitted_report().await;
    assert_eq!(f.observe(f.missed().row.id, "1", "x").await.status, StatusCode::SEE_OTHER);
    for lang in ["zh", "en"] {
        let home = f.ui.page(&format!("/?lang={lang}"), &f.owner).await;
        for a in jiqun_domain::audit::AuditAction::ALL {
            assert!(!home.contains(&format!(">{}", a.as_str())), "{lang}: the feed shows `{a}`");
        }
    }
    common::audit_holds(&f.ui.app, &["observation.correct"]).await;
}

/// An error page keeps the site's frame (header, navigation, language switch), says what went wrong in
/// the page's language and what the user may do instead.
#[tokio::test]
async fn an_error_page_keeps_the_frame_and_says_what_to_do() {
    let f = Fixture::new().await;
    let (owner, iid) = (&f.owner, f.missed().row.id);
    let viewer = f.login("viewer").await;
    let cases: &[(&str, &str, &Browser, StatusCode, &[&str])] = &[
        ("GET", "/users", &viewer, StatusCode::FORBIDDEN, &["无权执行此操作", "如需此权限，请联系系统管理员"]),
        ("GET", "/indicators/99999", owner, StatusCode::NOT_FOUND, &["未找到", "请检查网址"]),
        ("GET", "/no-such-page", owner, StatusCode::NOT_FOUND, &["没有这个页面"]),
        ("GET", "/indicators/abc", owner, StatusCode::BAD_REQUEST, &["网址中的“abc”不是整数"]),
        ("DELETE", "/plan", owner, StatusCode::METHOD_NOT_ALLOWED, &["不支持此请求方法"]),
        (
            "POST",
            &format!("/indicators/{iid}/observations"),
            owner,
            StatusCode::FORBIDDEN,
            &["表单已过期", "请刷新页面后重试"],
        ),
    ];
    for (method, uri, who, status, words) in cases {
        let mut call = f.ui.request(method, uri).browser(who).header("referer", "http://127.0.0.1/plan");
        if *method == "POST" {
            call = call.form(&[("period", "2025")]);
        }
        let a = call.await;
        assert_eq!(a.status, *status, "{method} {uri}: {}", a.body);
        for w in *words {
            assert!(a.body.contains(w), "{method} {uri} says {w}: {}", a.body);
        }
        for frame in
            ["aria-label=\"主导航\"", "lang=en\"", "退出", "返回总览", "href=\"/plan\"", "示例数据 (synthetic)"]
        {
            assert!(a.body.contains(frame), "{method} {uri}: the frame has {frame}");
        }
        assert!(!a.body.contains("出错了"), "{method} {uri}");
        // In English, the whole page is English.
        let mut call = f.ui.request(method, &format!("{uri}?lang=en")).browser(who);
        if *method == "POST" {
            call = call.form(&[("period", "2025")]);
        }
        let en = call.await;
        assert_eq!(en.status, *status, "{method} {uri}?lang=en");
        let alert = en.body.split("role=\"alert\">").nth(1).and_then(|r| r.split('<').next()).unwrap_or("");
        let cjk = alert.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        assert!(!alert.is_empty() && !cjk, "{method} {uri}?lang=en: “{alert}”");
        assert!(en.body.contains("Back to the dashboard") && en.body.contains("aria-label=\"Main\""));
    }
    // Without a session, an unknown page is still said in the frame's words, with a way to log in.
    let a = f.ui.get("/no-such-page").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.body.contains("没有这个页面") && a.body.contains("href=\"/login\""), "{}", a.body);
}

/// The dashboard of a plan with 50 indicators shows every one of them, and the cached rendering (the part
/// that is the same for every user, kept per snapshot and language) is the very page rendered from scratch.
/// How long either takes is measured by `bench/render.sh` (docs/benchmarks.md), not asserted here: a timed
/// assertion fails on a busy machine and says nothing about speed.
#[tokio::test]
async fn the_cached_dashboard_is_the_page_from_scratch() {
    let ui = Client::demo_sqlite().await;
    let ok = ui.app.login("owner", DEMO_PASSWORD, "cookie", "").await.unwrap();
    let session = ui.app.session(&ok.token).await.unwrap().unwrap();
    let snap = ui.app.snapshot().await.unwrap();
    let mut plan = (**snap.current_plan().unwrap()).clone();
    let base = plan.indicators.clone();
    while plan.indicators.len() < 50 {
        let mut iv = base[plan.indicators.len() % base.len()].clone();
        iv.row.id += 1000 + plan.indicators.len() as i64;
        plan.indicators.push(iv);
    }
    let changes = ui.app.changes_since(0, 20).await.unwrap();
    let arc = Arc::new(plan.clone());
    for lang in [jiqun_domain::Lang::Zh, jiqun_domain::Lang::En] {
        let fresh = jiqun_web::resources::indicators::dashboard::render(&snap, &plan, &session, &changes, 0, lang)
            .into_string();
        for iv in &plan.indicators {
            assert!(fresh.contains(&format!("href=\"/indicators/{}\"", iv.row.id)), "indicator {}", iv.row.id);
        }
        for _ in 0..2 {
            let cached =
                jiqun_web::resources::indicators::dashboard::render_cached(&snap, &arc, &session, &changes, 0, lang)
                    .into_string();
            assert_eq!(cached, fresh, "{lang:?}: the cached part is the same page");
        }
    }
}

/// The progress bulletin of a period: a printable document of its own, with each department's report state
/// for the period and the missing ones marked; a bad period is refused naming it.
#[tokio::test]
async fn the_bulletin_of_a_period_names_the_missing_reports() {
    let ui = Client::demo_sqlite().await;
    let owner = ui.browser("owner", "Demo@2025").await;
    let page = ui.page("/plans/1/bulletin?period=2025", &owner).await;
    assert!(page.contains("实施进展通报") && page.contains("示例数据（合成）"), "titled and labelled synthetic");
    for heading in ["一、目标完成情况", "二、各单位报送情况", "三、逾期与停滞事项", "四、重点项目", "五、亩均效益评价"]
    {
        assert!(page.contains(heading), "{heading}");
    }
    assert!(page.contains("tr class=\"missing\""), "a department without a report for the period is marked");
    assert!(page.contains("href=\"/assets/app.css\""), "served, it links the style sheet");
    let bad = ui.get("/plans/1/bulletin?period=2025Q9").browser(&owner).await;
    assert_eq!(bad.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("2025Q9"), "the bad period is named");
    let en = ui.get("/plans/1/bulletin?period=2025").browser(&owner).lang("en").await;
    assert!(en.body.contains("Progress bulletin") && en.body.contains("1. Targets"));
}
