//! Key projects through the API and the pages, on SQLite and PostgreSQL: one project's life from 谋划 to 投产
//! with a problem raised, answered and closed; impossible stage changes; who sees and does what; the
//! admission check as a project's first step; the plan's named projects with their sources.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::{Client, DEMO_PASSWORD, audit_holds, code, field, tests_on_each_db};

tests_on_each_db!(
    a_project_goes_from_planning_to_operation_with_a_problem_solved_on_the_way,
    a_periods_progress_is_resubmitted_until_accepted_and_the_cumulative_never_goes_down,
    a_milestone_past_its_date_and_not_done_is_slipping,
);

fn stage(to: &str, on: &str) -> Value {
    json!({ "stage": to, "on": on, "reason": "（测试）依据" })
}

async fn new_project(api: &Client, token: &str) -> i64 {
    let body = json!({ "name": "（测试）功率芯片封测项目", "city": "深圳", "owner_name": "（测试）业主", "libraries": ["ic_key"],
                       "plan_items": ["3.2"], "total_investment_wan": 50000, "source": "（测试）签约文件" });
    let (s, v) = api.call("POST", "/api/v1/projects", token, body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!((v["stage"].as_str(), v["libraries"][0].as_str()), (Some("planning"), Some("ic_key")));
    v["id"].as_i64().unwrap()
}

async fn a_project_goes_from_planning_to_operation_with_a_problem_solved_on_the_way(api: Client) {
    let owner = api.demo_login("owner").await;
    let id = new_project(&api, &owner).await;
    let at = |p: &str| format!("/api/v1/projects/{id}{p}");
    for (to, on) in [("signed", "2025-01-10"), ("started", "2025-03-01"), ("building", "2025-03-20")] {
        let (s, v) = api.call("POST", &at("/stage"), &owner, stage(to, on)).await;
        assert_eq!((s, v["stage"].as_str()), (StatusCode::OK, Some(to)), "{v}");
    }
    // The city bureau raises a problem; it goes to the department for its kind, with a deadline.
    let sz = api.demo_login("shenzhen").await;
    let (s, p) = api
        .call("POST", &at("/problems"), &sz, json!({ "kind": "land", "description": "（测试）二期用地指标未落实" }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!((p["department"].as_str(), p["state"].as_str()), (Some("省自然资源厅"), Some("open")));
    let pid = p["id"].as_i64().unwrap();
    // The plan owner routes it to 省科技厅, whose reporter answers; the bureau first reopens, then accepts.
    let (s, v) =
        api.call("POST", &format!("/api/v1/problems/{pid}/route"), &owner, json!({ "department": "省科技厅" })).await;
    assert_eq!((s, v["department"].as_str()), (StatusCode::OK, Some("省科技厅")), "{v}");
    let kjt = api.demo_login("kjt").await;
    let (s, mine) = api.call("GET", "/api/v1/problems", &kjt, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    assert!(mine.as_array().unwrap().iter().any(|x| x["id"] == pid), "in the department's own list: {mine}");
    let gxt = api.demo_login("gxt").await;
    let answer = json!({ "answer": "（测试）已协调", "decision_basis": "（测试）一事一议会议纪要" });
    assert_eq!(
        api.call("POST", &format!("/api/v1/problems/{pid}/answer"), &gxt, answer.clone()).await.0,
        StatusCode::FORBIDDEN,
        "another department"
    );
    let (s, v) = api.call("POST", &format!("/api/v1/problems/{pid}/answer"), &kjt, answer.clone()).await;
    assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("answered")), "{v}");
    let (s, v) = api.call("POST", &format!("/api/v1/problems/{pid}/answer"), &kjt, answer.clone()).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, Some("conflict")), "answered already");
    let (s, v) = api.call("POST", &format!("/api/v1/problems/{pid}/settle"), &sz, json!({ "accept": false })).await;
    assert_eq!((s, v["state"].as_str(), v["reopened"].as_i64()), (StatusCode::OK, Some("reopened"), Some(1)), "{v}");
    assert_eq!(api.call("POST", &format!("/api/v1/problems/{pid}/answer"), &kjt, answer).await.0, StatusCode::OK);
    let (s, v) = api.call("POST", &format!("/api/v1/problems/{pid}/settle"), &sz, json!({ "accept": true })).await;
    assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("closed")), "{v}");
    // Then completion and operation; the timeline has every change with its date.
    for (to, on) in [("completed", "2025-11-30"), ("operating", "2026-01-05")] {
        assert_eq!(api.call("POST", &at("/stage"), &owner, stage(to, on)).await.0, StatusCode::OK);
    }
    let (s, d) = api.call("GET", &at(""), &sz, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    let stages: Vec<&str> = d["stages"].as_array().unwrap().iter().map(|x| x["to_stage"].as_str().unwrap()).collect();
    assert_eq!(stages, ["planning", "signed", "started", "building", "completed", "operating"]);
    assert_eq!(d["stages"][5]["on"], "2026-01-05");
    assert_eq!(
        (d["open_problems"].as_u64(), d["problems"][0]["decision_basis"].as_str()),
        (Some(0), Some("（测试）一事一议会议纪要"))
    );
    // Nothing follows operation.
    let (s, v) = api.call("POST", &at("/stage"), &owner, stage("suspended", "2026-01-06")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("投产"), "{v}");
    audit_holds(
        &api.app,
        &[
            "project.create",
            "project.stage",
            "problem.raise",
            "problem.route",
            "problem.answer",
            "problem.reopen",
            "problem.close",
        ],
    )
    .await;
}

#[tokio::test]
async fn a_stage_move_from_a_stale_version_is_refused_with_the_project_as_it_is_now() {
    let api = Client::demo_sqlite().await;
    let owner = api.demo_login("owner").await;
    let id = new_project(&api, &owner).await;
    let at = format!("/api/v1/projects/{id}/stage");
    let (_, read) = api.call("GET", &format!("/api/v1/projects/{id}"), &owner, Value::Null).await;
    let mut signed = stage("signed", "2025-01-01");
    signed["version"] = read["version"].clone();
    let (s, moved) = api.call("POST", &at, &owner, signed.clone()).await;
    assert_eq!(s, StatusCode::OK, "{moved}");
    // A second writer who read the same version moves it too: refused, and shown the project now.
    signed["stage"] = json!("started");
    let (s, v) = api.call("POST", &at, &owner, signed).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, Some("conflict")), "{v}");
    let now = &v["error"]["current"];
    assert_eq!((now["id"].as_i64(), now["stage"].as_str()), (Some(id), Some("signed")), "{v}");
    assert_eq!(now["version"], moved["version"], "{v}");
}

#[tokio::test]
async fn impossible_stage_changes_are_refused_naming_both_stages() {
    let api = Client::demo_sqlite().await;
    let owner = api.demo_login("owner").await;
    let id = new_project(&api, &owner).await;
    let at = format!("/api/v1/projects/{id}/stage");
    let (s, v) = api.call("POST", &at, &owner, stage("operating", "2025-01-01")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let m = v["error"]["message"].as_str().unwrap();
    assert!(m.contains("谋划") && m.contains("投产") && m.contains("尚未开工"), "{m}");
    let (_, v) = api
        .request("POST", &at)
        .token(&owner)
        .lang("en")
        .json(&stage("operating", "2025-01-01"))
        .await
        .json()
        .clone()
        .pipe_json();
    assert!(v["error"]["message"].as_str().unwrap().contains("planning"), "{v}");
    let (s, v) = api.call("POST", &at, &owner, json!({ "stage": "flying", "on": "2099-01-01", "reason": "" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> =
        v["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["stage", "on", "reason"]);
    assert_eq!(api.call("POST", &at, &owner, stage("signed", "2025-01-10")).await.0, StatusCode::OK);
    let (s, v) = api.call("POST", &at, &owner, stage("started", "2024-12-01")).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("on")), "before the signing: {v}");
    assert_eq!(api.call("POST", &at, &owner, stage("terminated", "2025-02-01")).await.0, StatusCode::OK);
    let (s, v) = api.call("POST", &at, &owner, stage("signed", "2025-02-02")).await;
    assert!(s == StatusCode::CONFLICT && v["error"]["message"].as_str().unwrap().contains("终止"), "{v}");
    let (s, v) = api
        .call("POST", &format!("/api/v1/projects/{id}/problems"), &owner, json!({ "kind": "land", "description": "x" }))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a terminated project takes no problems: {v}");
    let (s, v) = api
        .call(
            "POST",
            "/api/v1/projects",
            &owner,
            json!({ "name": "", "city": "香港", "owner_uscc": "123", "libraries": ["nope"], "source": "" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(field(&v), Some("name"));
}

trait PipeJson {
    fn pipe_json(self) -> (StatusCode, Value);
}

impl PipeJson for Value {
    fn pipe_json(self) -> (StatusCode, Value) {
        (StatusCode::OK, self)
    }
}

#[tokio::test]
async fn each_sees_its_own_projects_and_the_enterprise_raises_problems_on_its_own() {
    let api = Client::demo_sqlite().await;
    let firm = api.demo_login("qiye").await;
    let (s, v) = api.call("GET", "/api/v1/projects", &firm, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mine = v["items"].as_array().unwrap();
    assert_eq!(mine.len(), 1, "the demo firm owns one project: {v}");
    assert_eq!(
        (mine[0]["synthetic"].as_bool(), mine[0]["open_problems"].as_u64()),
        (Some(true), Some(1)),
        "with its problem"
    );
    let own = mine[0]["id"].as_i64().unwrap();
    let (s, _) = api
        .call(
            "POST",
            &format!("/api/v1/projects/{own}/problems"),
            &firm,
            json!({ "kind": "finance", "description": "（测试）" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let owner = api.demo_login("owner").await;
    let (_, all) = api.call("GET", "/api/v1/projects", &owner, Value::Null).await;
    let other = all["items"].as_array().unwrap().iter().find(|p| p["id"] != own).unwrap()["id"].as_i64().unwrap();
    assert_eq!(
        api.call("GET", &format!("/api/v1/projects/{other}"), &firm, Value::Null).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api.call(
            "POST",
            &format!("/api/v1/projects/{other}/problems"),
            &firm,
            json!({ "kind": "land", "description": "x" })
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api.call("POST", &format!("/api/v1/projects/{own}/stage"), &firm, stage("started", "2025-01-01")).await.0,
        StatusCode::FORBIDDEN,
        "firms do not move stages"
    );
    let gz = api.demo_login("guangzhou").await;
    let (_, v) = api.call("GET", "/api/v1/projects", &gz, Value::Null).await;
    assert!(v["items"].as_array().unwrap().iter().all(|p| p["city"] == "广州"), "{v}");
    let viewer = api.demo_login("viewer").await;
    assert_eq!(api.call("POST", "/api/v1/projects", &viewer, json!({})).await.0, StatusCode::FORBIDDEN);
    let (s, v) = api.call("GET", "/api/v1/projects?stage=nonsense", &owner, Value::Null).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, Some("invalid_parameter")));
    let (_, v) = api.call("GET", "/api/v1/projects?library=5g_major&stage=operating", &owner, Value::Null).await;
    assert!(
        v["items"].as_array().unwrap().iter().all(|p| p["stage"] == "operating" && p["libraries"][0] == "5g_major"),
        "{v}"
    );
    assert_eq!(v["total"].as_u64(), Some(v["items"].as_array().unwrap().len() as u64));
}

#[tokio::test]
async fn the_plans_named_projects_carry_only_sourced_facts() {
    let api = Client::demo_sqlite().await;
    let owner = api.demo_login("owner").await;
    let (_, v) = api.call("GET", "/api/v1/projects?library=ic_key", &owner, Value::Null).await;
    let items = v["items"].as_array().unwrap();
    let named: Vec<&Value> = items.iter().filter(|p| p["synthetic"] == false).collect();
    assert_eq!(named.len(), 4, "粤芯, 中芯国际, 英诺赛科, 紫光芯云城: {v}");
    for p in &named {
        assert!(!p["source"].as_str().unwrap().is_empty(), "each with its source: {p}");
        assert!(p["total_investment_wan"].is_null(), "no figure without a source: {p}");
    }
    let yuexin = named.iter().find(|p| p["name"].as_str().unwrap().contains("粤芯")).unwrap();
    assert_eq!((yuexin["city"].as_str(), yuexin["stage"].as_str()), (Some("广州"), Some("building")));
    assert!(yuexin["source"].as_str().unwrap().contains("新华网"));
    let synthetic = items.iter().filter(|p| p["synthetic"] == true);
    assert!(synthetic.clone().all(|p| p["name"].as_str().unwrap().contains("示例")), "demo projects say so");
}

#[tokio::test]
async fn an_admission_check_starts_a_project_and_keeps_its_result() {
    let api = Client::demo_sqlite().await;
    let owner = api.demo_login("owner").await;
    let body = json!({ "project": "（测试）新型显示模组", "city": "惠州", "zone": "provincial_park", "industry_code": "3974", "land_mu": 50,
                       "fixed_investment_wan": 20000, "annual_output_wan": 30000, "annual_tax_wan": 1000, "jobs": 100,
                       "energy_tce": 2000, "value_added_wan": 8000, "rd_wan": 900 });
    let (s, v) = api.call("POST", "/api/v1/projects", &owner, body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (v["stage"].as_str(), v["decision"].as_str(), v["assessed_by_name"].as_str()),
        (Some("planning"), Some("admit"), Some("owner"))
    );
    assert!(v["result"]["metrics"].is_array() && v["admission_id"].is_i64());
    let (s, a) =
        api.call("GET", &format!("/api/v1/projects/admissions/{}", v["admission_id"]), &owner, Value::Null).await;
    assert_eq!((s, a["project_id"].as_i64()), (StatusCode::OK, v["id"].as_i64()), "{a}");
    // The demo's earlier checks became projects too (migration), each with its check.
    let (_, list) = api.call("GET", "/api/v1/projects/admissions", &owner, Value::Null).await;
    let checks = list["items"].as_array().unwrap();
    assert!(checks.len() >= 5 && checks.iter().all(|c| c["project_id"].is_i64()), "{list}");
}

#[tokio::test]
async fn the_project_pages_show_the_timeline_and_take_the_forms() {
    let api = Client::demo_sqlite().await;
    let owner = api.browser("owner", DEMO_PASSWORD).await;
    let page = api.page("/projects", &owner).await;
    for needle in
        ["重点项目", "集成电路重点项目库", "5G重大项目库", "粤芯半导体", "待核实", "登记重点项目", "演示用合成数据"]
    {
        assert!(page.contains(needle), "/projects shows {needle}");
    }
    assert!(api.page("/projects?lang=en", &owner).await.contains("Key projects"));
    let csv = api.get("/projects?format=csv").browser(&owner).await.body;
    assert!(csv.starts_with('\u{feff}') || csv.contains("owner_uscc"), "{csv}");
    let form = [
        ("csrf", owner.csrf.as_str()),
        ("name", "（测试）页面登记项目"),
        ("city", "佛山"),
        ("library", "5g_major"),
        ("total_investment_wan", "1.2亿"),
        ("source", "（测试）"),
    ];
    let a = api.submit("/projects/new", &owner, &form).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let at = a.location().to_string();
    let page = api.page(&at, &owner).await;
    assert!(page.contains("（测试）页面登记项目") && page.contains("变更阶段") && page.contains("提出问题"), "{page}");
    let a = api
        .submit(
            &format!("{at}/stage"),
            &owner,
            &[("csrf", &owner.csrf), ("stage", "operating"), ("on", "2025-01-01"), ("reason", "x")],
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "the form comes back with the refusal");
    assert!(a.body.contains("尚未开工"));
    let a = api
        .submit(
            &format!("{at}/stage"),
            &owner,
            &[("csrf", &owner.csrf), ("stage", "signed"), ("on", "2025-01-01"), ("reason", "签约")],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let a = api
        .submit(
            &format!("{at}/problems"),
            &owner,
            &[("csrf", &owner.csrf), ("kind", "approval"), ("description", "（测试）环评批复")],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let page = api.page(&at, &owner).await;
    assert!(
        page.contains("签约") && page.contains("（测试）环评批复") && page.contains("省政务服务数据管理局"),
        "{page}"
    );
}

fn progress(period: &str, invest: f64, cumulative: f64, percent: f64) -> Value {
    json!({ "period": period, "invest_period_wan": invest, "invest_cumulative_wan": cumulative,
            "physical_percent": percent, "narrative": "（测试）进展" })
}

fn fields(v: &Value) -> Vec<&str> {
    v["error"]["details"].as_array().map(|d| d.iter().filter_map(|x| x["field"].as_str()).collect()).unwrap_or_default()
}

async fn a_periods_progress_is_resubmitted_until_accepted_and_the_cumulative_never_goes_down(api: Client) {
    let owner = api.demo_login("owner").await;
    let id = new_project(&api, &owner).await; // in 深圳
    let at = format!("/api/v1/projects/{id}/progress");
    let review = |period: &str| format!("/api/v1/projects/{id}/progress/{period}/review");
    // The city bureau of 深圳 reports; a viewer, another city and a firm not owning it may not.
    let sz = api.demo_login("shenzhen").await;
    for who in ["viewer", "guangzhou", "qiye"] {
        let t = api.demo_login(who).await;
        let (s, v) = api.call("POST", &at, &t, progress("2025Q1", 1000.0, 1000.0, 5.0)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}: {v}");
    }
    let (s, v) = api.call("POST", &at, &sz, progress("2025Q1", 1000.0, 1000.0, 5.0)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (v["progress"][0]["state"].as_str(), v["progress"][0]["version"].as_i64()),
        (Some("submitted"), Some(1))
    );
    // A second report of the period is a resubmission; the first stays in the history.
    let (s, v) = api.call("POST", &at, &sz, progress("2025Q1", 1200.0, 1200.0, 6.0)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["progress"].as_array().unwrap().len(), 1);
    assert_eq!(
        (v["progress"][0]["version"].as_i64(), v["progress_history"][0]["version"].as_i64()),
        (Some(2), Some(1))
    );
    // Returning needs a comment; a return reopens it for another resubmission; then it is accepted.
    let (s, v) = api.call("POST", &review("2025Q1"), &owner, json!({ "accept": false })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("comment")), "{v}");
    let (s, v) =
        api.call("POST", &review("2025Q1"), &owner, json!({ "accept": false, "comment": "（测试）请附凭证" })).await;
    assert_eq!((s, v["progress"][0]["state"].as_str()), (StatusCode::OK, Some("returned")), "{v}");
    let (s, v) = api.call("POST", &at, &sz, progress("2025Q1", 1200.0, 1200.0, 6.0)).await;
    assert_eq!((s, v["progress"][0]["version"].as_i64()), (StatusCode::CREATED, Some(3)), "{v}");
    // The city bureau manages its city's projects, but does not accept what it filed itself (four eyes).
    let (s, v) = api.call("POST", &review("2025Q1"), &sz, json!({ "accept": true })).await;
    assert!(s == StatusCode::CONFLICT && v["error"]["message"].as_str().unwrap().contains("本人"), "{v}");
    let (s, v) = api.call("POST", &review("2025Q1"), &owner, json!({ "accept": true })).await;
    assert_eq!((s, v["progress"][0]["state"].as_str()), (StatusCode::OK, Some("accepted")), "{v}");
    let (s, v) = api.call("POST", &review("2025Q1"), &owner, json!({ "accept": true })).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, Some("conflict")), "accepted already: {v}");
    // An accepted period no longer changes.
    let (s, v) = api.call("POST", &at, &sz, progress("2025Q1", 1300.0, 1300.0, 7.0)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    // The next period's cumulative must not go below 1200.
    let (s, v) = api.call("POST", &at, &sz, progress("2025Q2", 100.0, 900.0, 8.0)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let m = v["error"]["message"].as_str().unwrap();
    assert!(m.contains("900") && m.contains("1200") && m.contains("2025Q1") && m.contains("不能下降"), "{m}");
    let (s, v) = api.call("POST", &at, &sz, progress("2025Q2", 800.0, 2000.0, 15.0)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let periods: Vec<&str> = v["progress"].as_array().unwrap().iter().map(|g| g["period"].as_str().unwrap()).collect();
    assert_eq!(periods, ["2025Q1", "2025Q2"]);
    assert_eq!((v["completed_investment_wan"].as_f64(), v["physical_percent"].as_f64()), (Some(1200.0), Some(6.0)));
    // Bad input names its fields; a period not begun is refused.
    let (s, v) = api.call("POST", &at, &sz, progress("2099Q1", -1.0, 10.0, 120.0)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["period", "invest_period_wan", "physical_percent"]);
    assert!(v["error"]["message"].as_str().unwrap().contains("尚未开始"), "{v}");
    let (s, v) = api.call("POST", &at, &sz, progress("2025Q3", 500.0, 400.0, 20.0)).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("invest_cumulative_wan")), "{v}");
    let (s, v) = api.call("POST", &review("someday"), &owner, json!({ "accept": true })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("period")), "{v}");
    let (s, _) = api.call("POST", &review("2024Q4"), &owner, json!({ "accept": true })).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no progress for that period");
    audit_holds(&api.app, &["project.progress", "project.progress_accept", "project.progress_return"]).await;
}

async fn a_milestone_past_its_date_and_not_done_is_slipping(api: Client) {
    let owner = api.demo_login("owner").await;
    let id = new_project(&api, &owner).await;
    let at = format!("/api/v1/projects/{id}/milestones");
    let (s, m) = api.call("POST", &at, &owner, json!({ "name": "（测试）主体封顶", "planned_on": "2020-01-31" })).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!((m["slipping"].as_bool(), m["done_on"].is_null()), (Some(true), true), "{m}");
    let (s, v) = api.call("POST", &at, &owner, json!({ "name": "（测试）投产", "planned_on": "2099-12-31" })).await;
    assert_eq!((s, v["slipping"].as_bool()), (StatusCode::CREATED, Some(false)), "not yet due: {v}");
    let (_, d) = api.call("GET", &format!("/api/v1/projects/{id}"), &owner, Value::Null).await;
    assert_eq!(d["slipping_milestones"].as_u64(), Some(1), "{d}");
    assert_eq!(d["milestones"].as_array().unwrap().len(), 2);
    let (_, list) = api.call("GET", "/api/v1/projects", &owner, Value::Null).await;
    let mine = list["items"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap();
    assert_eq!(mine["slipping_milestones"].as_u64(), Some(1));
    let done = format!("/api/v1/milestones/{}/done", m["id"]);
    let (s, v) = api.call("POST", &done, &owner, json!({ "on": "2099-01-01" })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("on")), "not in the future: {v}");
    let (s, v) = api.call("POST", &at, &owner, json!({ "name": "", "planned_on": "someday" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), ["name", "planned_on"]);
    let firm = api.demo_login("qiye").await;
    assert_eq!(api.call("POST", &done, &firm, json!({ "on": "2020-02-10" })).await.0, StatusCode::FORBIDDEN);
    let gz = api.demo_login("guangzhou").await;
    assert_eq!(
        api.call("POST", &done, &gz, json!({ "on": "2020-02-10" })).await.0,
        StatusCode::FORBIDDEN,
        "another city"
    );
    let (s, v) = api.call("POST", &done, &owner, json!({ "on": "2020-02-10" })).await;
    assert_eq!(
        (s, v["slipping"].as_bool(), v["done_on"].as_str()),
        (StatusCode::OK, Some(false), Some("2020-02-10")),
        "{v}"
    );
    let (s, v) = api.call("POST", &done, &owner, json!({ "on": "2020-02-11" })).await;
    assert!(s == StatusCode::CONFLICT && v["error"]["message"].as_str().unwrap().contains("2020-02-10"), "{v}");
    assert_eq!(
        api.call("POST", "/api/v1/milestones/999999/done", &owner, json!({ "on": "2020-02-11" })).await.0,
        StatusCode::NOT_FOUND
    );
    audit_holds(&api.app, &["milestone.add", "milestone.done"]).await;
}

#[tokio::test]
async fn the_tracking_log_is_kept_by_managers_and_the_departments_answering_the_projects_problems() {
    let api = Client::demo_sqlite().await;
    let owner = api.demo_login("owner").await;
    let id = new_project(&api, &owner).await;
    let at = format!("/api/v1/projects/{id}/log");
    let entry = json!({ "on": "2025-05-20", "kind": "meeting", "note": "（测试）协调用地", "who": "（测试）市自然资源局、业主" });
    let (s, v) = api.call("POST", &at, &owner, entry.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!((v["log"][0]["kind"].as_str(), v["log"][0]["kind_label"].as_str()), (Some("meeting"), Some("会商")));
    assert_eq!(v["log"][0]["by"].as_str(), Some("owner"));
    // A department logs once a problem of the project is routed to it.
    let kjt = api.demo_login("kjt").await;
    assert_eq!(api.call("POST", &at, &kjt, entry.clone()).await.0, StatusCode::FORBIDDEN, "no problem of its own here");
    let (_, p) = api
        .call(
            "POST",
            &format!("/api/v1/projects/{id}/problems"),
            &owner,
            json!({ "kind": "other", "description": "（测试）" }),
        )
        .await;
    let pid = p["id"].as_i64().unwrap();
    api.call("POST", &format!("/api/v1/problems/{pid}/route"), &owner, json!({ "department": "省科技厅" })).await;
    let visit = json!({ "on": "2025-06-01", "kind": "visit", "note": "（测试）现场调研", "who": "（测试）省科技厅" });
    let (s, v) = api.call("POST", &at, &kjt, visit).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["log"].as_array().unwrap().len(), 2, "latest first: {v}");
    assert_eq!(v["log"][0]["kind"].as_str(), Some("visit"));
    let (s, v) =
        api.call("POST", &at, &owner, json!({ "on": "2999-01-01", "kind": "party", "note": "", "who": "x" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), ["on", "kind", "note"]);
    for who in ["qiye", "viewer"] {
        let t = api.demo_login(who).await;
        assert_eq!(api.call("POST", &at, &t, entry.clone()).await.0, StatusCode::FORBIDDEN, "{who}");
    }
    audit_holds(&api.app, &["project.log"]).await;
}

#[tokio::test]
async fn the_demo_follows_its_synthetic_projects_and_invents_nothing_for_the_named_ones() {
    let api = Client::demo_sqlite().await;
    let owner = api.demo_login("owner").await;
    let (_, v) = api.call("GET", "/api/v1/projects", &owner, Value::Null).await;
    let items = v["items"].as_array().unwrap();
    let mut slipping = 0;
    for p in items {
        let (_, d) = api.call("GET", &format!("/api/v1/projects/{}", p["id"]), &owner, Value::Null).await;
        if p["synthetic"] == false {
            for part in ["progress", "milestones", "log"] {
                assert!(d[part].as_array().unwrap().is_empty(), "no invented {part} for {}", p["name"]);
            }
            assert!(d["completed_investment_wan"].is_null());
        } else {
            for part in ["progress", "milestones", "log"] {
                assert!(d[part].as_array().unwrap().iter().all(|x| x["synthetic"] == true), "{part} labelled: {d}");
            }
        }
        slipping += d["slipping_milestones"].as_u64().unwrap();
    }
    assert_eq!(slipping, 1, "one slipping milestone in the demo");
    let firm = api.demo_login("qiye").await;
    let (_, mine) = api.call("GET", "/api/v1/projects", &firm, Value::Null).await;
    let own = &mine["items"][0];
    assert_eq!(own["slipping_milestones"].as_u64(), Some(1), "{own}");
    let (_, d) = api.call("GET", &format!("/api/v1/projects/{}", own["id"]), &firm, Value::Null).await;
    let states: Vec<&str> = d["progress"].as_array().unwrap().iter().map(|g| g["state"].as_str().unwrap()).collect();
    assert!(states.contains(&"accepted") && states.contains(&"submitted"), "{states:?}");
    assert!(!d["log"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_project_page_shows_progress_milestones_the_log_and_the_investment_chart() {
    let api = Client::demo_sqlite().await;
    let owner_token = api.demo_login("owner").await;
    let (_, v) = api.call("GET", "/api/v1/projects?city=深圳", &owner_token, Value::Null).await;
    let rf =
        v["items"].as_array().unwrap().iter().find(|p| p["name"].as_str().unwrap().contains("射频")).unwrap()["id"]
            .as_i64()
            .unwrap();
    let owner = api.browser("owner", DEMO_PASSWORD).await;
    let at = format!("/projects/{rf}");
    let page = api.page(&at, &owner).await;
    crate::common::assert_shows(
        &page,
        &at,
        &[
            "分期进度",
            "<svg",
            "计划总投资",
            "关键节点",
            "滞后",
            "跟踪服务记录",
            "走访",
            "填报进度",
            "新增节点",
            "记录走访、会商或决策",
            "待审核",
        ],
    );
    assert!(!page.contains(" style="), "no inline style");
    assert!(api.page(&format!("{at}?lang=en"), &owner).await.contains("Progress by period"));
    // The forms: accept the waiting period, report the next, add a milestone and mark it done, log a visit.
    let a =
        api.submit(&format!("{at}/progress/2025Q3/review"), &owner, &[("csrf", &owner.csrf), ("accept", "true")]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let form = [
        ("csrf", owner.csrf.as_str()),
        ("period", "2025Q4"),
        ("invest_period_wan", "3000"),
        ("invest_cumulative_wan", "30000"),
        ("physical_percent", "50%"),
        ("narrative", "（测试）页面填报"),
    ];
    let a = api.submit(&format!("{at}/progress"), &owner, &form).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "below the accepted 40000: the form comes back");
    assert!(a.body.contains("不能下降"), "{}", a.body);
    let form = [("invest_cumulative_wan", "43000"), form[0], form[1], form[2], form[4], form[5]];
    assert_eq!(api.submit(&format!("{at}/progress"), &owner, &form).await.status, StatusCode::SEE_OTHER);
    api.post_ok(&format!("{at}/milestones"), &owner, &[("name", "（测试）页面节点"), ("planned_on", "2026-01-15")])
        .await;
    api.post_ok(
        &format!("{at}/log"),
        &owner,
        &[("on", "2025-09-01"), ("kind", "decision"), ("note", "（测试）页面记录"), ("who", "（测试）")],
    )
    .await;
    let a = api.submit(&format!("{at}/log"), &owner, &[("csrf", &owner.csrf), ("on", "x"), ("kind", "visit")]).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = api.page(&at, &owner).await;
    assert!(
        page.contains("2025Q4") && page.contains("（测试）页面节点") && page.contains("（测试）页面记录"),
        "{page}"
    );
    let (_, d) = api.call("GET", &format!("/api/v1/projects/{rf}"), &owner_token, Value::Null).await;
    let m = d["milestones"].as_array().unwrap().iter().find(|m| m["name"] == "（测试）页面节点").unwrap()["id"]
        .as_i64()
        .unwrap();
    api.post_ok(&format!("/milestones/{m}/done"), &owner, &[("on", "2026-01-10")]).await;
    // The firm sees its project's page with the progress form but neither the milestone nor the log form.
    let firm = api.browser("qiye", DEMO_PASSWORD).await;
    let page = api.page(&at, &firm).await;
    assert!(page.contains("填报进度") && !page.contains("新增节点") && !page.contains("记录走访、会商或决策"));
}

/// A project's figures each carry a source; the yearly plan is checked against the total; the owner must be
/// a registered enterprise.
#[tokio::test]
async fn a_projects_figures_carry_their_sources_and_the_yearly_plan_fits_the_total() {
    let api = Client::demo_sqlite().await;
    let owner = api.demo_login("owner").await;
    let body = |plan: Value, uscc: Option<&str>| {
        json!({ "name": "（测试）分年度项目", "city": "广州", "source": "（测试）立项批复", "owner_uscc": uscc,
                "total_investment_wan": 10000, "yearly_plan": plan,
                "figure_sources": { "yearly_plan": "（测试）年度投资计划表" } })
    };
    let too_much = json!([{ "year": 2025, "amount_wan": 6000 }, { "year": 2026, "amount_wan": 6000 }]);
    let (s, v) = api.call("POST", "/api/v1/projects", &owner, body(too_much, None)).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("yearly_plan")), "{v}");
    let twice = json!([{ "year": 2025, "amount_wan": 1 }, { "year": 2025, "amount_wan": 1 }]);
    let (s, v) = api.call("POST", "/api/v1/projects", &owner, body(twice, None)).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("yearly_plan[1]")), "{v}");
    let unregistered = crate::common::uscc("440100", 999);
    let ok = json!([{ "year": 2025, "amount_wan": 4000 }, { "year": 2026, "amount_wan": 6000 }]);
    let (s, v) = api.call("POST", "/api/v1/projects", &owner, body(ok.clone(), Some(&unregistered))).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("owner_uscc")), "not in the registry: {v}");
    let (s, v) = api.call("POST", "/api/v1/projects", &owner, body(ok, None)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["yearly_plan"][1]["amount_wan"].as_f64(), Some(6000.0));
    assert_eq!(v["figure_sources"]["yearly_plan"], "（测试）年度投资计划表");
    assert_eq!(
        v["figure_sources"]["total_investment_wan"], "（测试）立项批复",
        "the project's source when none of its own"
    );
    let browser = api.browser("owner", DEMO_PASSWORD).await;
    let page = api.page(&format!("/projects/{}", v["id"]), &browser).await;
    assert!(page.contains("分年度投资计划") && page.contains("（测试）年度投资计划表"), "{page}");
    let page = api.page("/projects?item=3.3", &browser).await;
    assert!(page.contains("5G基站射频器件") && !page.contains("粤芯"), "filtered by plan item");
}

/// The plan owner sets who tracks a library on /projects; an unknown department is refused naming it; a
/// city bureau may not.
#[tokio::test]
async fn the_plan_owner_sets_who_tracks_a_library_on_the_page() {
    let api = Client::demo_sqlite().await;
    let owner = api.browser("owner", DEMO_PASSWORD).await;
    let page = api.page("/projects", &owner).await;
    assert!(page.contains("跟踪服务的部门和人员"), "the form is there for the plan owner");
    let at = "/projects/libraries/5g_major/trackers";
    api.post_ok(at, &owner, &[("departments", "省科技厅、省工业和信息化厅"), ("officials", "owner, kjt")]).await;
    let page = api.page("/projects", &owner).await;
    assert!(page.contains("省科技厅、省工业和信息化厅；owner、kjt"), "the card says who tracks it");
    let a = api.submit(at, &owner, &[("csrf", &owner.csrf), ("departments", "省魔法厅"), ("officials", "")]).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("省魔法厅"), "the unknown department is named");
    let sz = api.browser("shenzhen", DEMO_PASSWORD).await;
    assert!(!api.page("/projects", &sz).await.contains("跟踪服务的部门和人员"));
    assert_eq!(
        api.submit(at, &sz, &[("csrf", &sz.csrf), ("departments", "省科技厅")]).await.status,
        StatusCode::FORBIDDEN
    );
}
