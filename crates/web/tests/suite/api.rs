//! The JSON API as a client meets it, driven in process through the router with the demo data set loaded,
//! on SQLite and (with `JIQUN_TEST_POSTGRES`) PostgreSQL: plans, indicators and observations, supervision
//! (rounds, reports, evidence, review), users, roles and the security policy, the audit trail, sessions and
//! the error shape; then the OpenAPI document and the old paths kept as aliases.

use crate::common::{ADMIN_PASSWORD, Client, code, field, tests_on_each_db};

use axum::http::{StatusCode, header};
use serde_json::{Value, json};

// Each `async fn …(api: Client)` below is a test run on SQLite and PostgreSQL (see `common::on_each_db`).
tests_on_each_db!(
    health_is_ok,
    without_a_token_the_answer_is_401_in_the_callers_language,
    a_plan_reads_with_its_sections_and_targets,
    indicators_come_in_the_contracts_shape,
    an_observation_meeting_the_target_changes_the_status_and_keeps_the_old_value,
    an_indicators_observations_come_whole_or_by_the_page,
    a_bad_observation_names_its_field,
    a_city_reporter_writes_only_its_own_citys_figures,
    an_override_needs_a_reason_and_can_be_cleared,
    a_department_reports_on_its_own_assignments_only,
    a_report_needs_a_begun_period_with_a_round_unless_the_plan_allows_otherwise,
    a_resubmitted_report_keeps_its_history,
    evidence_is_attached_by_its_department_and_downloaded_by_readers,
    the_owner_reviews_the_reports_waiting,
    an_accepted_report_is_final_until_the_reviewer_returns_it,
    a_second_plan_is_imported_and_the_first_closes_naming_it,
    a_document_that_is_no_plan_is_refused,
    only_the_system_administrator_creates_accounts_and_never_two_administrator_roles,
    the_security_administrator_grants_roles_within_the_separation_of_duties,
    the_security_policy_is_set_by_the_security_administrator_within_bounds,
    the_audit_trail_is_read_and_exported_by_the_audit_administrator_only,
    logout_ends_the_session_on_the_server,
    five_failed_logins_lock_the_account,
    an_unknown_endpoint_answers_in_the_error_shape,
    errors_speak_the_requests_language,
);

/// The demo's current plan.
async fn plan_id(api: &Client, token: &str) -> i64 {
    let (s, plans) = api.call("GET", "/api/v1/plans", token, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    plans[0]["id"].as_i64().unwrap()
}

/// The plan's indicator 电子信息制造业总产值 (a scale in 元), as the indicator list gives it.
async fn scale_indicator(api: &Client, token: &str) -> Value {
    let plan_id = plan_id(api, token).await;
    let (s, inds) = api.call("GET", &format!("/api/v1/indicators?plan={plan_id}"), token, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    let inds = inds.as_array().unwrap().clone();
    assert_eq!(inds.len(), 12);
    inds.into_iter().find(|i| i["name"] == "电子信息制造业总产值").unwrap()
}

/// Records an observation of 6.1 × 10¹² for 2025, which meets the scale indicator's target; its id.
async fn observation_meeting_the_target(api: &Client, owner: &str) -> i64 {
    let id = scale_indicator(api, owner).await["id"].as_i64().unwrap();
    let obs = json!({ "period": "2025", "value": 6.1e12, "source": "修正" });
    let (s, v) = api.call("POST", &format!("/api/v1/indicators/{id}/observations"), owner, obs).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    id
}

/// The assignments of 省科技厅 as its reporter lists them.
async fn kjt_assignments(api: &Client, kjt: &str) -> Vec<Value> {
    let (_, mine) =
        api.call("GET", "/api/v1/assignments?agency=%E7%9C%81%E7%A7%91%E6%8A%80%E5%8E%85", kjt, Value::Null).await;
    mine.as_array().unwrap().clone()
}

/// The supervision fixture: the owner and 省科技厅's reporter logged in, one of 省科技厅's assignments, and
/// the round of 2026Q1 opened by the owner.
pub(crate) struct Supervision {
    pub(crate) owner: String,
    pub(crate) kjt: String,
    pub(crate) plan_id: i64,
    pub(crate) assignment: i64,
}

impl Supervision {
    pub(crate) async fn new(api: &Client) -> Supervision {
        let owner = api.demo_login("owner").await;
        let kjt = api.demo_login("kjt").await;
        let plan_id = plan_id(api, &owner).await;
        let assignment = kjt_assignments(api, &kjt).await[0]["id"].as_i64().unwrap();
        Supervision { owner, kjt, plan_id, assignment }
    }

    pub(crate) fn reports(&self) -> String {
        format!("/api/v1/assignments/{}/reports", self.assignment)
    }

    /// The owner opens the round of 2026Q1.
    pub(crate) async fn open_round(&self, api: &Client) {
        let round = json!({ "period": "2026Q1", "deadline": "2026-04-15" });
        let (s, v) = api.call("POST", &format!("/api/v1/plans/{}/rounds", self.plan_id), &self.owner, round).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }

    /// The department's report for 2026Q1, submitted.
    pub(crate) async fn submit(&self, api: &Client) -> Value {
        let report = json!({ "period": "2026Q1", "status": "on_schedule", "percent": 30, "narrative": "<script>alert(1)</script>推进中" });
        let (s, r) = api.call("POST", &self.reports(), &self.kjt, report).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        r
    }

    /// The owner accepts (`true`) or returns a report.
    pub(crate) async fn review(&self, api: &Client, report: i64, accept: bool) -> (StatusCode, Value) {
        let body = if accept {
            json!({ "accept": true, "comment": "好" })
        } else {
            json!({ "accept": false, "comment": "请补充数据" })
        };
        api.call("POST", &format!("/api/v1/reports/{report}/review"), &self.owner, body).await
    }

    /// A report for 2026Q1 submitted and accepted.
    pub(crate) async fn accepted(api: &Client) -> (Supervision, i64) {
        let sup = Supervision::new(api).await;
        sup.open_round(api).await;
        let rid = sup.submit(api).await["id"].as_i64().unwrap();
        let (s, v) = sup.review(api, rid, true).await;
        assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("accepted")));
        (sup, rid)
    }
}

async fn health_is_ok(api: Client) {
    let (s, v) = api.call("GET", "/healthz", "", Value::Null).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("ok")), "{}", api.db);
}

/// Without a token: 401 in the error shape, in Chinese by default and English on request.
async fn without_a_token_the_answer_is_401_in_the_callers_language(api: Client) {
    let (s, v) = api.call("GET", "/api/v1/plans", "", Value::Null).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"]["code"], "unauthorized");
    assert_eq!(v["error"]["message"], "请先登录");
    let v = api.get("/api/v1/plans").lang("en-US,en;q=0.9").await.json();
    assert_eq!(v["error"]["message"], "please log in");
}

async fn a_plan_reads_with_its_sections_and_targets(api: Client) {
    let owner = api.demo_login("owner").await;
    let plan_id = plan_id(&api, &owner).await;
    let (_, plan) = api.call("GET", &format!("/api/v1/plans/{plan_id}"), &owner, Value::Null).await;
    assert_eq!(plan["id"], plan_id);
    assert_eq!(plan["sections"].as_array().unwrap().len(), 4);
    assert_eq!(plan["targets"][2]["value"].as_f64(), Some(7e12));
}

async fn indicators_come_in_the_contracts_shape(api: Client) {
    let owner = api.demo_login("owner").await;
    let scale = scale_indicator(&api, &owner).await;
    for key in ["id", "name", "unit", "direction", "baseline", "target", "latest", "progress"] {
        assert!(scale.get(key).is_some(), "{key} in {scale}");
    }
    assert_eq!(scale["direction"], "up");
    assert_eq!(scale["target"]["cmp"], ">=");
    assert_eq!(scale["target"]["year"], 2025);
    assert_eq!(scale["latest"]["period"], "2025");
    assert_eq!(scale["progress"]["status"], "missed", "synthetic outcome 97 % of the target, final after 2025");
    assert!(scale["progress"]["inputs"]["required_rate"].is_number());
}

/// An observation that meets the target changes the status; the correction keeps the old value.
async fn an_observation_meeting_the_target_changes_the_status_and_keeps_the_old_value(api: Client) {
    let owner = api.demo_login("owner").await;
    let id = observation_meeting_the_target(&api, &owner).await;
    let (_, after) = api.call("GET", &format!("/api/v1/indicators/{id}"), &owner, Value::Null).await;
    assert_eq!(after["progress"]["status"], "achieved");
    assert_eq!(after["latest"]["value"].as_f64(), Some(6.1e12));
    let (_, hist) = api.call("GET", &format!("/api/v1/indicators/{id}/observations"), &owner, Value::Null).await;
    assert!(
        hist.as_array().unwrap().iter().any(|o| o["period"] == "2025" && o["region"] == "" && o["current"] == false)
    );
}

/// The observations of an indicator come whole as an array, or paged (newest first) when asked.
async fn an_indicators_observations_come_whole_or_by_the_page(api: Client) {
    let owner = api.demo_login("owner").await;
    let id = observation_meeting_the_target(&api, &owner).await;
    let url = format!("/api/v1/indicators/{id}/observations");
    let (_, all) = api.call("GET", &url, &owner, Value::Null).await;
    let all = all.as_array().unwrap().clone();
    assert!(all.len() >= 3, "{all:?}");
    let (s, first) = api.call("GET", &format!("{url}?limit=2"), &owner, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["total"].as_u64(), Some(all.len() as u64));
    assert_eq!(first["offset"], 0);
    assert_eq!(first["items"].as_array().unwrap()[..], all[..2]);
    let (_, rest) = api.call("GET", &format!("{url}?offset=2&limit=1000"), &owner, Value::Null).await;
    assert_eq!(rest["items"].as_array().unwrap()[..], all[2..]);
    // Past the end: an empty page, the same total.
    let (_, past) = api.call("GET", &format!("{url}?offset=100000"), &owner, Value::Null).await;
    assert_eq!((past["items"].as_array().unwrap().len(), past["total"].as_u64()), (0, Some(all.len() as u64)));
    let (s, v) = api.call("GET", &format!("{url}?limit=ten"), &owner, Value::Null).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
}

/// Bad input names its field; a body that is no JSON is a 400.
async fn a_bad_observation_names_its_field(api: Client) {
    let owner = api.demo_login("owner").await;
    let id = scale_indicator(&api, &owner).await["id"].as_i64().unwrap();
    let url = format!("/api/v1/indicators/{id}/observations");
    let (s, v) = api.call("POST", &url, &owner, json!({ "period": "2025Q5", "value": 1 })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["details"][0]["field"], "period");
    let (s, v) = api.raw("POST", &url, &owner, b"{not json".to_vec()).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, Some("invalid_json")));
    // Observations for a period that has not begun are refused too.
    let (s, v) =
        api.call("POST", "/api/v1/indicators/3/observations", &owner, json!({ "period": "2099", "value": 1 })).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("period")));
}

async fn a_city_reporter_writes_only_its_own_citys_figures(api: Client) {
    let owner = api.demo_login("owner").await;
    let id = scale_indicator(&api, &owner).await["id"].as_i64().unwrap();
    let sz = api.demo_login("shenzhen").await;
    let url = format!("/api/v1/indicators/{id}/observations");
    let obs = |region: &str| json!({ "period": "2025", "value": 3.1e12, "region": region });
    assert_eq!(api.call("POST", &url, &sz, obs("深圳")).await.0, StatusCode::CREATED);
    assert_eq!(api.call("POST", &url, &sz, obs("广州")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(api.call("POST", &url, &sz, obs("")).await.0, StatusCode::FORBIDDEN);
}

/// Override with a reason, then clear it; the computed status stays beside the overriding one.
async fn an_override_needs_a_reason_and_can_be_cleared(api: Client) {
    let owner = api.demo_login("owner").await;
    let id = observation_meeting_the_target(&api, &owner).await;
    let url = format!("/api/v1/indicators/{id}/override");
    let (s, v) =
        api.call("POST", &url, &owner, json!({ "status": "needs_acceleration", "reason": "统计口径调整" })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["progress"]["status"].as_str(), v["progress"]["computed_status"].as_str()),
        (Some("needs_acceleration"), Some("achieved"))
    );
    let (s, _) = api.call("POST", &url, &owner, json!({ "status": "on_track" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "an override needs a reason");
    let (_, v) = api.call("POST", &url, &owner, json!({ "status": null })).await;
    assert_eq!(v["progress"]["overridden"], false);
}

/// Supervision: a department reports on its own assignments only, permission before validation.
async fn a_department_reports_on_its_own_assignments_only(api: Client) {
    let sup = Supervision::new(&api).await;
    let mine = kjt_assignments(&api, &sup.kjt).await;
    assert!(!mine.is_empty());
    assert!(mine.iter().all(|a| a["agency"] == "省科技厅" && a["reports"].is_array()));
    let (_, all) = api.call("GET", &format!("/api/v1/assignments?plan={}", sup.plan_id), &sup.kjt, Value::Null).await;
    let other = all.as_array().unwrap().iter().find(|a| a["agency"] == "省商务厅").unwrap()["id"].as_i64().unwrap();
    let (s, _) = api.raw("POST", &format!("/api/v1/assignments/{other}/reports"), &sup.kjt, b"garbage".to_vec()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "403 whatever the body");
}

/// Periods: one that has not begun is refused, naming it; one with no round is refused unless the plan
/// allows reports outside rounds (off by default, set by the plan owner only).
async fn a_report_needs_a_begun_period_with_a_round_unless_the_plan_allows_otherwise(api: Client) {
    let sup = Supervision::new(&api).await;
    let future = json!({ "period": "2099Q1", "status": "on_schedule", "percent": 30, "narrative": "x" });
    let (s, v) = api.call("POST", &sup.reports(), &sup.kjt, future).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("period")));
    assert!(v["error"]["message"].as_str().unwrap().contains("2099Q1 尚未开始"), "{v}");
    let no_round = json!({ "period": "2026Q2", "status": "on_schedule", "percent": 30, "narrative": "x" });
    let (s, v) = api.call("POST", &sup.reports(), &sup.kjt, no_round.clone()).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("period")));
    assert!(v["error"]["message"].as_str().unwrap().contains("2026Q2 没有填报轮次"), "{v}");
    let settings = format!("/api/v1/plans/{}/settings", sup.plan_id);
    let (s, v) = api.call("GET", &settings, &sup.kjt, Value::Null).await;
    assert_eq!((s, v["reports_outside_rounds"].as_bool()), (StatusCode::OK, Some(false)));
    let allow = |on: bool| json!({ "reports_outside_rounds": on });
    assert_eq!(api.call("PUT", &settings, &sup.kjt, allow(true)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(api.call("PUT", &settings, &sup.owner, allow(true)).await.0, StatusCode::OK);
    let (s, v) = api.call("POST", &sup.reports(), &sup.kjt, no_round).await;
    assert_eq!(s, StatusCode::CREATED, "allowed outside rounds: {v}");
    assert_eq!(api.call("PUT", &settings, &sup.owner, allow(false)).await.0, StatusCode::OK);
}

/// The owner opens the round; then the department reports, and a resubmission keeps the history.
async fn a_resubmitted_report_keeps_its_history(api: Client) {
    let sup = Supervision::new(&api).await;
    sup.open_round(&api).await;
    let r1 = sup.submit(&api).await;
    let r2 = sup.submit(&api).await;
    assert_eq!(r2["version"].as_i64(), r1["version"].as_i64().map(|v| v + 1), "a resubmission keeps the history");
    let sleeping = json!({ "period": "2026Q1", "status": "sleeping", "percent": 30, "narrative": "x" });
    let (s, v) = api.call("POST", &sup.reports(), &sup.kjt, sleeping).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("status")));
}

/// Evidence: the department attaches a file; another department may not; anyone reading may download.
async fn evidence_is_attached_by_its_department_and_downloaded_by_readers(api: Client) {
    let sup = Supervision::new(&api).await;
    sup.open_round(&api).await;
    let rid = sup.submit(&api).await["id"].as_i64().unwrap();
    let (s, att) = api
        .raw(
            "POST",
            &format!("/api/v1/reports/{rid}/attachments?filename=%E8%AF%81%E6%98%8E.pdf"),
            &sup.kjt,
            b"%PDF-1.4 demo".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{att}");
    let swt = api.demo_login("swt").await;
    let (s, _) =
        api.raw("POST", &format!("/api/v1/reports/{rid}/attachments?filename=x.pdf"), &swt, b"x".to_vec()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let res = api.get(&format!("/api/v1/attachments/{}", att["id"])).token(&sup.owner).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header(header::CONTENT_DISPOSITION.as_str()).contains("filename*=UTF-8''%E8%AF%81%E6%98%8E.pdf"));
    assert_eq!(&res.bytes[..], b"%PDF-1.4 demo");
}

/// The owner sees a submitted report waiting and accepts it; a department does not review.
async fn the_owner_reviews_the_reports_waiting(api: Client) {
    let sup = Supervision::new(&api).await;
    sup.open_round(&api).await;
    let r = sup.submit(&api).await;
    let (_, queue) = api
        .call("GET", &format!("/api/v1/reports?plan={}&state=submitted", sup.plan_id), &sup.owner, Value::Null)
        .await;
    assert!(queue.as_array().unwrap().iter().any(|q| q["id"] == r["id"]));
    let rid = r["id"].as_i64().unwrap();
    let accept = json!({ "accept": true });
    assert_eq!(
        api.call("POST", &format!("/api/v1/reports/{rid}/review"), &sup.kjt, accept).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, v) = sup.review(&api, rid, true).await;
    assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("accepted")));
}

/// An accepted report is not overwritten by a resubmission (409, in the caller's language) until the
/// reviewer returns it.
async fn an_accepted_report_is_final_until_the_reviewer_returns_it(api: Client) {
    let (sup, rid) = Supervision::accepted(&api).await;
    let again = json!({ "period": "2026Q1", "status": "done", "percent": 100, "narrative": "再报" });
    let (s, v) = api.call("POST", &sup.reports(), &sup.kjt, again.clone()).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, Some("conflict")), "{v}");
    assert_eq!(v["error"]["message"], "2026Q1 的报告已审核通过，不能再次提交；如需修改，请审核人先退回");
    let en = api.post(&sup.reports()).token(&sup.kjt).json(&again).lang("en").await;
    assert_eq!(en.status, StatusCode::CONFLICT);
    let v = en.json();
    assert!(v["error"]["message"].as_str().unwrap().starts_with("the report for 2026Q1 was accepted"), "{v}");
    let (s, v) = sup.review(&api, rid, false).await;
    assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("returned")), "{v}");
    let (s, v) = api.call("POST", &sup.reports(), &sup.kjt, again).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

/// A second plan beside the first; the first closes with its final assessment, naming its successor.
async fn a_second_plan_is_imported_and_the_first_closes_naming_it(api: Client) {
    let owner = api.demo_login("owner").await;
    let kjt = api.demo_login("kjt").await;
    let plan_id = plan_id(&api, &owner).await;
    let doc = include_bytes!("../../../compiler/tests/fixtures/genre-auto-cluster.txt").to_vec();
    let (s, v) = api.raw("POST", "/api/v1/plans?name=auto", &owner, doc.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(api.call("GET", "/api/v1/plans", &owner, Value::Null).await.1.as_array().unwrap().len(), 2);
    assert_eq!(api.raw("POST", "/api/v1/plans", &kjt, doc).await.0, StatusCode::FORBIDDEN);
    let second = v["id"].as_i64().unwrap();
    let close = json!({ "assessment": "（示例）总体完成，个别指标未达标。", "successor": second });
    let url = format!("/api/v1/plans/{plan_id}/close");
    assert_eq!(api.call("POST", &url, &kjt, close.clone()).await.0, StatusCode::FORBIDDEN);
    let (s, v) = api.call("POST", &url, &owner, close).await;
    assert_eq!((s, v["status"].as_str(), v["successor_id"].as_i64()), (StatusCode::OK, Some("closed"), Some(second)));
}

async fn a_document_that_is_no_plan_is_refused(api: Client) {
    let owner = api.demo_login("owner").await;
    let (s, v) = api.raw("POST", "/api/v1/plans", &owner, b"just words".to_vec()).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_document")));
}

/// Creates an account through the API as the system administrator.
async fn create_user(api: &Client, admin: &str, body: Value) -> (StatusCode, Value) {
    api.call("POST", "/api/v1/users", admin, body).await
}

/// Users: system administrators only; the three administrator roles stay apart.
async fn only_the_system_administrator_creates_accounts_and_never_two_administrator_roles(api: Client) {
    let admin = api.login("admin", ADMIN_PASSWORD).await;
    let kjt = api.demo_login("kjt").await;
    assert_eq!(api.call("GET", "/api/v1/users", &kjt, Value::Null).await.0, StatusCode::FORBIDDEN);
    let two = json!({ "username": "two", "password": "Xx-12345", "roles": ["system_admin", "audit_admin"] });
    let (s, v) = create_user(&api, &admin, two).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, Some("separation_of_duties")));
    let swj = json!({ "username": "swj", "password": "Xx-12345", "roles": ["agency_reporter"], "agency": "商务厅" });
    assert_eq!(create_user(&api, &admin, swj).await.0, StatusCode::CREATED);
}

/// The security administrator grants roles; the system administrator does not; nobody elevates itself.
async fn the_security_administrator_grants_roles_within_the_separation_of_duties(api: Client) {
    let admin = api.login("admin", ADMIN_PASSWORD).await;
    let swj = json!({ "username": "swj", "password": "Xx-12345", "roles": ["agency_reporter"], "agency": "商务厅" });
    assert_eq!(create_user(&api, &admin, swj).await.0, StatusCode::CREATED);
    let sec = json!({ "username": "sec", "password": "Sec-12345", "roles": ["security_admin"] });
    assert_eq!(create_user(&api, &admin, sec).await.0, StatusCode::CREATED);
    let sec = api.login("sec", "Sec-12345").await;
    let grant = |username: &str, role: &str| json!({ "username": username, "role": role });
    assert_eq!(api.call("POST", "/api/v1/roles", &admin, grant("swj", "viewer")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(api.call("POST", "/api/v1/roles", &sec, grant("swj", "viewer")).await.0, StatusCode::NO_CONTENT);
    let (s, v) = api.call("POST", "/api/v1/roles", &sec, grant("admin", "audit_admin")).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, Some("separation_of_duties")));
    let (s, v) = api.call("POST", "/api/v1/roles", &sec, grant("sec", "plan_owner")).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, Some("self_grant")), "no self-elevation");
}

/// The security administrator sets the policy within its bounds; the system administrator does not read it.
async fn the_security_policy_is_set_by_the_security_administrator_within_bounds(api: Client) {
    let admin = api.login("admin", ADMIN_PASSWORD).await;
    let sec = api.demo_login("security").await;
    let set = |key: &str, value: &str| json!({ "key": key, "value": value });
    let (s, v) = api.call("POST", "/api/v1/policy", &sec, set("audit_retention_days", "30")).await;
    assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("value")), "six months at least");
    let (s, v) = api.call("POST", "/api/v1/policy", &sec, set("lockout_failures", "6")).await;
    assert_eq!((s, v["lockout_failures"].as_str()), (StatusCode::OK, Some("6")));
    api.call("POST", "/api/v1/policy", &sec, set("lockout_failures", "5")).await;
    assert_eq!(api.call("GET", "/api/v1/policy", &admin, Value::Null).await.0, StatusCode::FORBIDDEN);
}

/// The audit trail: the audit administrator reads and exports it; nobody else does.
async fn the_audit_trail_is_read_and_exported_by_the_audit_administrator_only(api: Client) {
    let (sup, _) = Supervision::accepted(&api).await;
    let auditor = api.demo_login("auditor").await;
    let (s, v) = api.call("GET", "/api/v1/audit?limit=5000", &auditor, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["items"].as_array().unwrap().iter().any(|r| r["action"] == "report.accept"));
    assert_eq!(api.call("GET", "/api/v1/audit", &sup.owner, Value::Null).await.0, StatusCode::FORBIDDEN);
    // Permission before validation: a query that does not parse is still 403 for a caller who may not read it.
    assert_eq!(api.call("GET", "/api/v1/audit?limit=lots", &sup.owner, Value::Null).await.0, StatusCode::FORBIDDEN);
    let res = api.get("/api/v1/audit?format=csv").token(&auditor).await;
    assert_eq!(res.header(header::CONTENT_TYPE.as_str()), "text/csv; charset=utf-8");
    assert!(res.body.starts_with("\u{feff}id,at,actor,ip,action"));
}

/// Logout ends the session on the server.
async fn logout_ends_the_session_on_the_server(api: Client) {
    let kjt = api.demo_login("kjt").await;
    assert_eq!(api.call("POST", "/api/v1/auth/logout", &kjt, Value::Null).await.0, StatusCode::NO_CONTENT);
    assert_eq!(api.call("GET", "/api/v1/plans", &kjt, Value::Null).await.0, StatusCode::UNAUTHORIZED);
}

/// Lock-out: five failures, then 423 even with the right password.
async fn five_failed_logins_lock_the_account(api: Client) {
    let login = |password: &str| json!({ "username": "viewer", "password": password });
    for _ in 0..5 {
        let (s, _) = api.call("POST", "/api/v1/auth/login", "", login("wrong")).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, v) = api.call("POST", "/api/v1/auth/login", "", login(crate::common::DEMO_PASSWORD)).await;
    assert_eq!((s, code(&v)), (StatusCode::LOCKED, Some("locked")));
}

/// Unknown endpoints answer in the error shape.
async fn an_unknown_endpoint_answers_in_the_error_shape(api: Client) {
    let owner = api.demo_login("owner").await;
    let (s, v) = api.call("GET", "/api/v1/nothing", &owner, Value::Null).await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, Some("not_found")));
}

/// Every error a client can meet is said in the request's language, including what the JSON parser, the
/// address and axum itself would have said in English: a malformed body names the field, line and column.
async fn errors_speak_the_requests_language(api: Client) {
    use jiqun_app::error::english_words;
    let owner = api.demo_login("owner").await;
    let auditor = api.demo_login("auditor").await;
    let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let obs = "/api/v1/indicators/3/observations";
    let cases: &[(&str, &str, &[u8], StatusCode, &str)] = &[
        ("POST", obs, br#"{"period":"2025","value":"lots"}"#, StatusCode::BAD_REQUEST, "invalid_json"),
        ("POST", obs, br#"{"period":"2025"}"#, StatusCode::BAD_REQUEST, "invalid_json"),
        ("POST", obs, b"{not json", StatusCode::BAD_REQUEST, "invalid_json"),
        ("POST", obs, br#"{"period":"2025","value":1"#, StatusCode::BAD_REQUEST, "invalid_json"),
        ("POST", "/api/v1/auth/login", br#"{"username":1}"#, StatusCode::BAD_REQUEST, "invalid_json"),
        ("GET", "/api/v1/indicators/abc", b"", StatusCode::BAD_REQUEST, "invalid_parameter"),
        ("GET", "/api/v1/audit?limit=lots", b"", StatusCode::BAD_REQUEST, "invalid_parameter"),
        ("DELETE", "/api/v1/plans", b"", StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        ("GET", "/api/v1/indicators/99999", b"", StatusCode::NOT_FOUND, "not_found"),
        ("POST", obs, br#"{"period":"2025Q5","value":1}"#, StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
    ];
    let fields = ["value", "period", "username", "limit", "body"];
    for (method, uri, body, status, code) in cases {
        let token = if uri.contains("audit") { &auditor } else { &owner };
        let (s, zh) = api.raw(method, uri, token, body.to_vec()).await;
        assert_eq!((s, zh["error"]["code"].as_str()), (*status, Some(*code)), "{method} {uri}: {zh}");
        let en = api.request(method, uri).token(token).body("application/json", body.to_vec()).lang("en-US").await;
        let en = en.json();
        assert_eq!(en["error"]["code"].as_str(), Some(*code));
        let (mzh, men) = (zh["error"]["message"].as_str().unwrap(), en["error"]["message"].as_str().unwrap());
        assert!(cjk(mzh) && english_words(mzh, &fields).is_empty(), "{method} {uri}: “{mzh}”");
        assert!(!cjk(men) && !men.is_empty(), "{method} {uri}: “{men}”");
        for d in zh["error"]["details"].as_array().unwrap() {
            let m = d["message"].as_str().unwrap();
            assert!(english_words(m, &fields).is_empty(), "{method} {uri}: detail “{m}”");
        }
    }
    // The field, line and column are named.
    let (_, v) = api.raw("POST", obs, &owner, br#"{"period":"2025","value":"lots"}"#.to_vec()).await;
    assert_eq!(
        v["error"]["message"],
        "请求体不是有效的 JSON：字段 value（第 1 行第 31 列）：应为数字，实际为字符串 \"lots\""
    );
    assert_eq!(v["error"]["details"][0]["field"], "value");
    let v = api.get("/api/v1/audit?limit=lots").token(&auditor).await.json();
    assert_eq!(v["error"]["details"][0]["field"], "limit", "{v}");
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_for_api_writes() {
    let api = Client::demo_sqlite().await;
    let token = api.demo_login("owner").await;
    let cookie = format!("jiqun_session={token}");
    let body = json!({ "period": "2025", "value": 1.0 });
    let a = api.post("/api/v1/indicators/3/observations").cookie(&cookie).json(&body).await;
    assert_eq!((a.status, code(&a.json())), (StatusCode::FORBIDDEN, Some("csrf")));
    // Reads with the cookie are fine.
    assert_eq!(api.get("/api/v1/plans").cookie(&cookie).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_matches_its_snapshot() {
    let doc = jiqun_web::routes::openapi();
    for r in jiqun_web::routes::api_routes() {
        assert!(doc["paths"][r.path][r.method].is_object(), "{} {} is documented", r.method, r.path);
        assert!(doc["paths"][r.path][r.method]["deprecated"].is_null(), "{} {} is current", r.method, r.path);
        // A moved route's old path is documented too, deprecated, pointing to the new one.
        for alias in r.aliases {
            let op = &doc["paths"][alias][r.method];
            assert_eq!(op["deprecated"], true, "{} {alias} is a deprecated alias", r.method);
            assert!(op["description"].as_str().is_some_and(|d| d.contains(r.path)), "{} {alias}: {op}", r.method);
            assert_eq!(op["x-jiqun-access"], doc["paths"][r.path][r.method]["x-jiqun-access"]);
        }
    }
    // Every documented route is served (not 404 for the path nor 405 for the method), at each alias too.
    let api = Client::demo_sqlite().await;
    for r in jiqun_web::routes::api_routes() {
        for path in std::iter::once(r.path).chain(r.aliases.iter().copied()) {
            let path = path.replace("{id}", "1");
            let (s, _) = api.raw(&r.method.to_uppercase(), &path, "", b"{}".to_vec()).await;
            assert!(
                s != StatusCode::METHOD_NOT_ALLOWED && (s != StatusCode::NOT_FOUND || r.auth),
                "{} {path}: {s}",
                r.method
            );
        }
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json");
    let pretty = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(&path, &pretty).unwrap();
    }
    let expected = std::fs::read_to_string(&path).expect("tests/snapshots/openapi.json (UPDATE_SNAPSHOTS=1 writes it)");
    assert_eq!(pretty, expected, "the API changed: review it and run with UPDATE_SNAPSHOTS=1");
}

/// A moved route keeps its old path as an alias: the old path and the new one give the same answer, for a
/// read (a department's assignments) and for a write (a security policy setting).
#[tokio::test]
async fn an_old_path_and_its_new_one_give_the_same_answer() {
    let api = Client::demo_sqlite().await;
    let kjt = api.demo_login("kjt").await;
    let query = "?agency=%E7%9C%81%E7%A7%91%E6%8A%80%E5%8E%85";
    let old = api.call("GET", &format!("/api/v1/assignments{query}"), &kjt, Value::Null).await;
    let new = api.call("GET", &format!("/api/v1/supervision/assignments{query}"), &kjt, Value::Null).await;
    assert_eq!(old.0, StatusCode::OK, "{}", old.1);
    assert!(old.1.as_array().is_some_and(|a| !a.is_empty()), "{}", old.1);
    assert_eq!(old, new);

    let sec = api.demo_login("security").await;
    let body = json!({ "key": "lockout_failures", "value": "6" });
    let old = api.call("POST", "/api/v1/policy", &sec, body.clone()).await;
    let new = api.call("POST", "/api/v1/security/policy", &sec, body).await;
    assert_eq!((old.0, old.1["lockout_failures"].as_str()), (StatusCode::OK, Some("6")), "{}", old.1);
    assert_eq!(old, new);
    assert_eq!(
        api.call("GET", "/api/v1/policy", &sec, Value::Null).await,
        api.call("GET", "/api/v1/security/policy", &sec, Value::Null).await
    );
}

/// Every route names the types of its bodies (the OpenAPI document then gives their schemas), except the
/// ones not typed yet, whose number only goes down.
#[test]
fn routes_declare_the_types_of_their_bodies() {
    let untyped: Vec<String> = jiqun_web::routes::api_routes()
        .iter()
        .filter(|r| {
            (r.ok != 204 && r.response.is_none()) || (r.body.is_some() && r.upload.is_none() && r.request.is_none())
        })
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        untyped.len(),
        jiqun_web::openapi::UNTYPED_RESPONSES,
        "untyped routes (lower UNTYPED in crates/web/src/openapi.rs when you type one): {untyped:#?}"
    );
    // A typed body is in the document, by reference to its schema; no two types share a name.
    let doc = jiqun_web::routes::openapi();
    assert!(doc.get("x-jiqun-schema-conflicts").is_none(), "{}", doc["x-jiqun-schema-conflicts"]);
    for r in jiqun_web::routes::api_routes().iter().filter(|r| r.response.is_some() && r.ok != 204) {
        let content = &doc["paths"][r.path][r.method]["responses"][r.ok.to_string()]["content"];
        let schema = content.as_object().and_then(|c| c.values().next()).map(|c| &c["schema"]);
        assert!(schema.is_some_and(|s| s.is_object()), "{} {}: {content}", r.method, r.path);
    }
}
