//! The JSON API as a client meets it, driven in process through the router, on SQLite and (with
//! `JIQUN_TEST_POSTGRES`) PostgreSQL, with the demo data set loaded.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiqun_app::{App, Preset};
use serde_json::{Value, json};
use tower::ServiceExt;

struct Api {
    router: axum::Router,
}

impl Api {
    async fn new(url: &str) -> Api {
        let app = App::open(url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        app.bootstrap(Preset::Demo, Some("Admin@12345".into())).await.unwrap();
        jiqun_app::demo::load(&app).await.unwrap();
        Api { router: jiqun_web::router(Arc::new(app)) }
    }

    async fn call(&self, method: &str, uri: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        self.raw(method, uri, token, body.map(|b| b.to_string().into_bytes()), &[]).await
    }

    async fn raw(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req =
            req.header(header::CONTENT_TYPE, "application/json").body(Body::from(body.unwrap_or_default())).unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn login(&self, user: &str) -> String {
        let (s, v) = self
            .call("POST", "/api/v1/auth/login", None, Some(json!({ "username": user, "password": "Demo@2025" })))
            .await;
        assert_eq!(s, StatusCode::OK, "{user}: {v}");
        v["token"].as_str().unwrap().to_string()
    }
}

#[tokio::test]
async fn the_api_story() {
    for url in jiqun_store::testing::urls().await {
        story(&Api::new(&url).await, &url).await;
    }
}

async fn story(api: &Api, url: &str) {
    let (s, v) = api.call("GET", "/healthz", None, None).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("ok")), "{url}");

    // Without a token: 401 in the error shape, in Chinese by default and English on request.
    let (s, v) = api.call("GET", "/api/v1/plans", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"]["code"], "unauthorized");
    assert_eq!(v["error"]["message"], "请先登录");
    let (_, v) = api.raw("GET", "/api/v1/plans", None, None, &[("accept-language", "en-US,en;q=0.9")]).await;
    assert_eq!(v["error"]["message"], "please log in");

    let owner = api.login("owner").await;
    let (s, plans) = api.call("GET", "/api/v1/plans", Some(&owner), None).await;
    assert_eq!(s, StatusCode::OK);
    let plan_id = plans[0]["id"].as_i64().unwrap();
    let (_, plan) = api.call("GET", &format!("/api/v1/plans/{plan_id}"), Some(&owner), None).await;
    assert_eq!(plan["id"], plan_id);
    assert_eq!(plan["sections"].as_array().unwrap().len(), 4);
    assert_eq!(plan["targets"][2]["value"].as_f64(), Some(7e12));

    // Indicators in the contract's shape.
    let (s, inds) = api.call("GET", &format!("/api/v1/indicators?plan={plan_id}"), Some(&owner), None).await;
    assert_eq!(s, StatusCode::OK);
    let inds = inds.as_array().unwrap().clone();
    assert_eq!(inds.len(), 12);
    let scale = inds.iter().find(|i| i["name"] == "电子信息制造业总产值").unwrap();
    for key in ["id", "name", "unit", "direction", "baseline", "target", "latest", "progress"] {
        assert!(scale.get(key).is_some(), "{key} in {scale}");
    }
    assert_eq!(scale["direction"], "up");
    assert_eq!(scale["target"]["cmp"], ">=");
    assert_eq!(scale["target"]["year"], 2025);
    assert_eq!(scale["latest"]["period"], "2025");
    assert_eq!(scale["progress"]["status"], "missed", "synthetic outcome 97 % of the target, final after 2025");
    assert!(scale["progress"]["inputs"]["required_rate"].is_number());

    // An observation that meets the target changes the status; the correction keeps the old value.
    let id = scale["id"].as_i64().unwrap();
    let obs = json!({ "period": "2025", "value": 6.1e12, "source": "修正" });
    let (s, v) = api.call("POST", &format!("/api/v1/indicators/{id}/observations"), Some(&owner), Some(obs)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, after) = api.call("GET", &format!("/api/v1/indicators/{id}"), Some(&owner), None).await;
    assert_eq!(after["progress"]["status"], "achieved");
    assert_eq!(after["latest"]["value"].as_f64(), Some(6.1e12));
    let (_, hist) = api.call("GET", &format!("/api/v1/indicators/{id}/observations"), Some(&owner), None).await;
    assert!(
        hist.as_array().unwrap().iter().any(|o| o["period"] == "2025" && o["region"] == "" && o["current"] == false)
    );
    // Bad input names its field.
    let (s, v) = api
        .call(
            "POST",
            &format!("/api/v1/indicators/{id}/observations"),
            Some(&owner),
            Some(json!({ "period": "2025Q5", "value": 1 })),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["details"][0]["field"], "period");
    let (s, v) = api
        .raw("POST", &format!("/api/v1/indicators/{id}/observations"), Some(&owner), Some(b"{not json".to_vec()), &[])
        .await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_json")));

    // A city reporter writes only its own city's figures.
    let sz = api.login("shenzhen").await;
    let obs = |region: &str| Some(json!({ "period": "2025", "value": 3.1e12, "region": region }));
    assert_eq!(
        api.call("POST", &format!("/api/v1/indicators/{id}/observations"), Some(&sz), obs("深圳")).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        api.call("POST", &format!("/api/v1/indicators/{id}/observations"), Some(&sz), obs("广州")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api.call("POST", &format!("/api/v1/indicators/{id}/observations"), Some(&sz), obs("")).await.0,
        StatusCode::FORBIDDEN
    );

    // Override with a reason, then clear it.
    let (s, v) = api
        .call(
            "POST",
            &format!("/api/v1/indicators/{id}/override"),
            Some(&owner),
            Some(json!({ "status": "needs_acceleration", "reason": "统计口径调整" })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["progress"]["status"].as_str(), v["progress"]["computed_status"].as_str()),
        (Some("needs_acceleration"), Some("achieved"))
    );
    let (s, _) = api
        .call("POST", &format!("/api/v1/indicators/{id}/override"), Some(&owner), Some(json!({ "status": "on_track" })))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "an override needs a reason");
    let (_, v) = api
        .call("POST", &format!("/api/v1/indicators/{id}/override"), Some(&owner), Some(json!({ "status": null })))
        .await;
    assert_eq!(v["progress"]["overridden"], false);

    // Supervision: a department reports on its own assignments only, permission before validation.
    let kjt = api.login("kjt").await;
    let (_, mine) =
        api.call("GET", "/api/v1/assignments?agency=%E7%9C%81%E7%A7%91%E6%8A%80%E5%8E%85", Some(&kjt), None).await;
    let mine = mine.as_array().unwrap().clone();
    assert!(!mine.is_empty());
    assert!(mine.iter().all(|a| a["agency"] == "省科技厅" && a["reports"].is_array()));
    let (_, all) = api.call("GET", &format!("/api/v1/assignments?plan={plan_id}"), Some(&kjt), None).await;
    let other = all.as_array().unwrap().iter().find(|a| a["agency"] == "省商务厅").unwrap()["id"].as_i64().unwrap();
    let (s, _) = api
        .raw("POST", &format!("/api/v1/assignments/{other}/reports"), Some(&kjt), Some(b"garbage".to_vec()), &[])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "403 whatever the body");
    let a = mine[0]["id"].as_i64().unwrap();
    // Periods: one that has not begun is refused, naming it; one with no round is refused unless the plan allows
    // reports outside rounds (off by default).
    let future = json!({ "period": "2099Q1", "status": "on_schedule", "percent": 30, "narrative": "x" });
    let (s, v) = api.call("POST", &format!("/api/v1/assignments/{a}/reports"), Some(&kjt), Some(future)).await;
    assert_eq!((s, v["error"]["details"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("period")));
    assert!(v["error"]["message"].as_str().unwrap().contains("2099Q1 尚未开始"), "{v}");
    let no_round = json!({ "period": "2026Q2", "status": "on_schedule", "percent": 30, "narrative": "x" });
    let (s, v) =
        api.call("POST", &format!("/api/v1/assignments/{a}/reports"), Some(&kjt), Some(no_round.clone())).await;
    assert_eq!((s, v["error"]["details"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("period")));
    assert!(v["error"]["message"].as_str().unwrap().contains("2026Q2 没有填报轮次"), "{v}");
    let settings = format!("/api/v1/plans/{plan_id}/settings");
    let (s, v) = api.call("GET", &settings, Some(&kjt), None).await;
    assert_eq!((s, v["reports_outside_rounds"].as_bool()), (StatusCode::OK, Some(false)));
    let allow = |on: bool| Some(json!({ "reports_outside_rounds": on }));
    assert_eq!(api.call("PUT", &settings, Some(&kjt), allow(true)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(api.call("PUT", &settings, Some(&owner), allow(true)).await.0, StatusCode::OK);
    let (s, v) = api.call("POST", &format!("/api/v1/assignments/{a}/reports"), Some(&kjt), Some(no_round)).await;
    assert_eq!(s, StatusCode::CREATED, "allowed outside rounds: {v}");
    assert_eq!(api.call("PUT", &settings, Some(&owner), allow(false)).await.0, StatusCode::OK);
    // Observations for a period that has not begun are refused too.
    let (s, v) = api
        .call("POST", "/api/v1/indicators/3/observations", Some(&owner), Some(json!({ "period": "2099", "value": 1 })))
        .await;
    assert_eq!((s, v["error"]["details"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("period")));
    // A count target computed from the registry takes no hand-typed value (indicator 1: 国家级制造业创新中心).
    let (s, v) = api
        .call("POST", "/api/v1/indicators/1/observations", Some(&owner), Some(json!({ "period": "2024", "value": 5 })))
        .await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("derived_indicator")), "{v}");
    // The owner opens the round; then the department reports.
    let round = json!({ "period": "2026Q1", "deadline": "2026-04-15" });
    let (s, v) = api.call("POST", &format!("/api/v1/plans/{plan_id}/rounds"), Some(&owner), Some(round)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let report = json!({ "period": "2026Q1", "status": "on_schedule", "percent": 30, "narrative": "<script>alert(1)</script>推进中" });
    let (s, r1) = api.call("POST", &format!("/api/v1/assignments/{a}/reports"), Some(&kjt), Some(report.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{r1}");
    let (s, r2) = api.call("POST", &format!("/api/v1/assignments/{a}/reports"), Some(&kjt), Some(report)).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(r2["version"].as_i64(), r1["version"].as_i64().map(|v| v + 1), "a resubmission keeps the history");
    let (s, v) = api
        .call(
            "POST",
            &format!("/api/v1/assignments/{a}/reports"),
            Some(&kjt),
            Some(json!({ "period": "2026Q1", "status": "sleeping", "percent": 30, "narrative": "x" })),
        )
        .await;
    assert_eq!((s, v["error"]["details"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("status")));
    // Evidence: the department attaches a file; another department may not; anyone reading may download.
    let rid = r2["id"].as_i64().unwrap();
    let (s, att) = api
        .raw(
            "POST",
            &format!("/api/v1/reports/{rid}/attachments?filename=%E8%AF%81%E6%98%8E.pdf"),
            Some(&kjt),
            Some(b"%PDF-1.4 demo".to_vec()),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{att}");
    let swt = api.login("swt").await;
    let (s, _) = api
        .raw("POST", &format!("/api/v1/reports/{rid}/attachments?filename=x.pdf"), Some(&swt), Some(b"x".to_vec()), &[])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let res = api
        .router
        .clone()
        .oneshot(
            Request::get(format!("/api/v1/attachments/{}", att["id"]))
                .header(header::AUTHORIZATION, format!("Bearer {owner}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''%E8%AF%81%E6%98%8E.pdf")
    );
    assert_eq!(&axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap()[..], b"%PDF-1.4 demo");
    // The owner sees it waiting and accepts it.
    let (_, queue) =
        api.call("GET", &format!("/api/v1/reports?plan={plan_id}&state=submitted"), Some(&owner), None).await;
    assert!(queue.as_array().unwrap().iter().any(|r| r["id"] == r2["id"]));
    let rid = r2["id"].as_i64().unwrap();
    assert_eq!(
        api.call("POST", &format!("/api/v1/reports/{rid}/review"), Some(&kjt), Some(json!({ "accept": true }))).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, v) = api
        .call(
            "POST",
            &format!("/api/v1/reports/{rid}/review"),
            Some(&owner),
            Some(json!({ "accept": true, "comment": "好" })),
        )
        .await;
    assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("accepted")));
    // An accepted report is not overwritten by a resubmission (409, in the caller's language) until the
    // reviewer returns it.
    let again = json!({ "period": "2026Q1", "status": "done", "percent": 100, "narrative": "再报" });
    let url = format!("/api/v1/assignments/{a}/reports");
    let (s, v) = api.call("POST", &url, Some(&kjt), Some(again.clone())).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{v}");
    assert_eq!(v["error"]["message"], "2026Q1 的报告已审核通过，不能再次提交；如需修改，请审核人先退回");
    let body = Some(again.to_string().into_bytes());
    let (s, v) = api.raw("POST", &url, Some(&kjt), body, &[("accept-language", "en")]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(v["error"]["message"].as_str().unwrap().starts_with("the report for 2026Q1 was accepted"), "{v}");
    let returned = Some(json!({ "accept": false, "comment": "请补充数据" }));
    let (s, v) = api.call("POST", &format!("/api/v1/reports/{rid}/review"), Some(&owner), returned).await;
    assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("returned")), "{v}");
    let (s, v) = api.call("POST", &url, Some(&kjt), Some(again)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // A second plan beside the first.
    let doc = include_bytes!("../../../compiler/tests/fixtures/genre-auto-cluster.txt").to_vec();
    let (s, v) = api.raw("POST", "/api/v1/plans?name=auto", Some(&owner), Some(doc.clone()), &[]).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(api.call("GET", "/api/v1/plans", Some(&owner), None).await.1.as_array().unwrap().len(), 2);
    assert_eq!(api.raw("POST", "/api/v1/plans", Some(&kjt), Some(doc), &[]).await.0, StatusCode::FORBIDDEN);
    let second = v["id"].as_i64().unwrap();
    // The first plan closes with its final assessment, naming its successor.
    let close = json!({ "assessment": "（示例）总体完成，个别指标未达标。", "successor": second });
    assert_eq!(
        api.call("POST", &format!("/api/v1/plans/{plan_id}/close"), Some(&kjt), Some(close.clone())).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, v) = api.call("POST", &format!("/api/v1/plans/{plan_id}/close"), Some(&owner), Some(close)).await;
    assert_eq!((s, v["status"].as_str(), v["successor_id"].as_i64()), (StatusCode::OK, Some("closed"), Some(second)));
    let (s, v) = api.raw("POST", "/api/v1/plans", Some(&owner), Some(b"just words".to_vec()), &[]).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_document")));

    // Users: system administrators only; the three administrator roles stay apart.
    let admin = {
        let (_, v) = api
            .call("POST", "/api/v1/auth/login", None, Some(json!({ "username": "admin", "password": "Admin@12345" })))
            .await;
        v["token"].as_str().unwrap().to_string()
    };
    assert_eq!(api.call("GET", "/api/v1/users", Some(&kjt), None).await.0, StatusCode::FORBIDDEN);
    let (s, v) = api
        .call(
            "POST",
            "/api/v1/users",
            Some(&admin),
            Some(json!({ "username": "two", "password": "Xx-12345", "roles": ["system_admin", "audit_admin"] })),
        )
        .await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("separation_of_duties")));
    let (s, _) = api
        .call(
            "POST",
            "/api/v1/users",
            Some(&admin),
            Some(
                json!({ "username": "swj", "password": "Xx-12345", "roles": ["agency_reporter"], "agency": "商务厅" }),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);

    // The security administrator grants roles and sets the policy; the system administrator does neither.
    let (s, _) = api
        .call(
            "POST",
            "/api/v1/users",
            Some(&admin),
            Some(json!({ "username": "sec", "password": "Sec-12345", "roles": ["security_admin"] })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let sec = {
        let (_, v) = api
            .call("POST", "/api/v1/auth/login", None, Some(json!({ "username": "sec", "password": "Sec-12345" })))
            .await;
        v["token"].as_str().unwrap().to_string()
    };
    assert_eq!(
        api.call("POST", "/api/v1/roles", Some(&admin), Some(json!({ "username": "swj", "role": "viewer" }))).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api.call("POST", "/api/v1/roles", Some(&sec), Some(json!({ "username": "swj", "role": "viewer" }))).await.0,
        StatusCode::NO_CONTENT
    );
    let (s, v) = api
        .call("POST", "/api/v1/roles", Some(&sec), Some(json!({ "username": "admin", "role": "audit_admin" })))
        .await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("separation_of_duties")));
    let (s, v) =
        api.call("POST", "/api/v1/roles", Some(&sec), Some(json!({ "username": "sec", "role": "plan_owner" }))).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("self_grant")), "no self-elevation");
    let (s, v) = api
        .call("POST", "/api/v1/policy", Some(&sec), Some(json!({ "key": "audit_retention_days", "value": "30" })))
        .await;
    assert_eq!(
        (s, v["error"]["details"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("value")),
        "six months at least"
    );
    let (s, v) =
        api.call("POST", "/api/v1/policy", Some(&sec), Some(json!({ "key": "lockout_failures", "value": "6" }))).await;
    assert_eq!((s, v["lockout_failures"].as_str()), (StatusCode::OK, Some("6")));
    api.call("POST", "/api/v1/policy", Some(&sec), Some(json!({ "key": "lockout_failures", "value": "5" }))).await;
    assert_eq!(api.call("GET", "/api/v1/policy", Some(&admin), None).await.0, StatusCode::FORBIDDEN);

    // The audit trail: the audit administrator reads and exports it; nobody else does.
    let auditor = api.login("auditor").await;
    let (s, v) = api.call("GET", "/api/v1/audit?limit=5000", Some(&auditor), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["items"].as_array().unwrap().iter().any(|r| r["action"] == "report.accept"));
    assert_eq!(api.call("GET", "/api/v1/audit", Some(&owner), None).await.0, StatusCode::FORBIDDEN);
    let res = api
        .router
        .clone()
        .oneshot(
            Request::get("/api/v1/audit?format=csv")
                .header(header::AUTHORIZATION, format!("Bearer {auditor}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let csv = String::from_utf8(axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap().to_vec()).unwrap();
    assert!(csv.starts_with("\u{feff}id,at,actor,ip,action"));

    // Logout ends the session on the server.
    assert_eq!(api.call("POST", "/api/v1/auth/logout", Some(&kjt), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(api.call("GET", "/api/v1/plans", Some(&kjt), None).await.0, StatusCode::UNAUTHORIZED);

    // Lock-out: five failures, then 423 even with the right password.
    for _ in 0..5 {
        let (s, _) = api
            .call("POST", "/api/v1/auth/login", None, Some(json!({ "username": "viewer", "password": "wrong" })))
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, v) = api
        .call("POST", "/api/v1/auth/login", None, Some(json!({ "username": "viewer", "password": "Demo@2025" })))
        .await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::LOCKED, Some("locked")));

    // Unknown endpoints answer in the error shape.
    let (s, v) = api.call("GET", "/api/v1/nothing", Some(&owner), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    errors_speak_the_requests_language(api, &owner, &auditor).await;
}

/// Every error a client can meet is said in the request's language, including what the JSON parser, the
/// address and axum itself would have said in English: a malformed body names the field, line and column.
async fn errors_speak_the_requests_language(api: &Api, owner: &str, auditor: &str) {
    use jiqun_app::error::english_words;
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
        let token = if uri.contains("audit") { auditor } else { owner };
        let (s, zh) = api.raw(method, uri, Some(token), Some(body.to_vec()), &[]).await;
        assert_eq!((s, zh["error"]["code"].as_str()), (*status, Some(*code)), "{method} {uri}: {zh}");
        let (_, en) = api.raw(method, uri, Some(token), Some(body.to_vec()), &[("accept-language", "en-US")]).await;
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
    let (_, v) = api.raw("POST", obs, Some(owner), Some(br#"{"period":"2025","value":"lots"}"#.to_vec()), &[]).await;
    assert_eq!(
        v["error"]["message"],
        "请求体不是有效的 JSON：字段 value（第 1 行第 31 列）：应为数字，实际为字符串 \"lots\""
    );
    assert_eq!(v["error"]["details"][0]["field"], "value");
    let (_, v) = api.raw("GET", "/api/v1/audit?limit=lots", Some(auditor), None, &[]).await;
    assert_eq!(v["error"]["details"][0]["field"], "limit", "{v}");
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_for_api_writes() {
    let api = Api::new(&jiqun_store::testing::sqlite_url()).await;
    let token = api.login("owner").await;
    let cookie = format!("jiqun_session={token}");
    let body = Some(json!({ "period": "2025", "value": 1.0 }).to_string().into_bytes());
    let (s, v) = api.raw("POST", "/api/v1/indicators/3/observations", None, body.clone(), &[("cookie", &cookie)]).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("csrf")));
    // Reads with the cookie are fine.
    assert_eq!(api.raw("GET", "/api/v1/plans", None, None, &[("cookie", &cookie)]).await.0, StatusCode::OK);
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
    let api = Api::new(&jiqun_store::testing::sqlite_url()).await;
    for r in jiqun_web::routes::api_routes() {
        for path in std::iter::once(r.path).chain(r.aliases.iter().copied()) {
            let path = path.replace("{id}", "1");
            let (s, _) = api.raw(&r.method.to_uppercase(), &path, None, Some(b"{}".to_vec()), &[]).await;
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
    let api = Api::new(&jiqun_store::testing::sqlite_url()).await;
    let kjt = api.login("kjt").await;
    let query = "?agency=%E7%9C%81%E7%A7%91%E6%8A%80%E5%8E%85";
    let old = api.call("GET", &format!("/api/v1/assignments{query}"), Some(&kjt), None).await;
    let new = api.call("GET", &format!("/api/v1/supervision/assignments{query}"), Some(&kjt), None).await;
    assert_eq!(old.0, StatusCode::OK, "{}", old.1);
    assert!(old.1.as_array().is_some_and(|a| !a.is_empty()), "{}", old.1);
    assert_eq!(old, new);

    let sec = api.login("security").await;
    let body = json!({ "key": "lockout_failures", "value": "6" });
    let old = api.call("POST", "/api/v1/policy", Some(&sec), Some(body.clone())).await;
    let new = api.call("POST", "/api/v1/security/policy", Some(&sec), Some(body)).await;
    assert_eq!((old.0, old.1["lockout_failures"].as_str()), (StatusCode::OK, Some("6")), "{}", old.1);
    assert_eq!(old, new);
    assert_eq!(
        api.call("GET", "/api/v1/policy", Some(&sec), None).await,
        api.call("GET", "/api/v1/security/policy", Some(&sec), None).await
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
