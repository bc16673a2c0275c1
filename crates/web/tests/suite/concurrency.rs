//! Concurrent writers on one report (issue 15, contracts §3): a write may carry the version it read; a
//! stale one gets 409 with the report as it is now in `error.current`, nothing is written, and of writers
//! who read the same version exactly one wins, whichever server each is on. A write without a version is
//! filed as before. On SQLite and PostgreSQL.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::api::Supervision;
use crate::common::{Client, DEMO_PASSWORD, tests_on_each_db};

tests_on_each_db!(
    a_report_filed_over_a_version_read_earlier_is_refused_with_the_current_one,
    of_reporters_who_read_the_same_version_on_two_servers_exactly_one_wins,
    a_review_of_a_version_the_department_has_replaced_is_refused_with_the_current_one,
    a_review_racing_a_resubmission_never_lets_both_through,
    a_report_form_drawn_before_another_filing_comes_back_refused,
    a_report_filed_shows_at_once_and_leaves_the_plans_figures_cached,
    the_report_a_filing_answers_is_the_report_as_stored,
);

fn report(narrative: &str, version: Option<i64>) -> Value {
    let mut r = json!({ "period": "2026Q1", "status": "on_schedule", "percent": 30, "narrative": narrative });
    if let Some(v) = version {
        r["version"] = json!(v);
    }
    r
}

/// Every version of the 2026Q1 report, oldest first, as stored (`id`, `version`, `current`, `state`,
/// `narrative`).
async fn versions(api: &Client, sup: &Supervision) -> Vec<Value> {
    let rows = api.app.store_for_tests().assignment_reports(sup.assignment).await.unwrap();
    let rows = rows.into_iter().filter(|r| r.period == "2026Q1");
    rows.map(|r| json!({ "id": r.id, "version": r.version, "current": r.current, "state": r.state.as_str(), "narrative": r.narrative }))
        .collect()
}

async fn a_report_filed_over_a_version_read_earlier_is_refused_with_the_current_one(api: Client) {
    let sup = Supervision::new(&api).await;
    sup.open_round(&api).await;
    // 0: the writer saw no report for the period yet.
    let (s, first) = api.call("POST", &sup.reports(), &sup.kjt, report("第一稿", Some(0))).await;
    assert_eq!((s, first["version"].as_i64()), (StatusCode::CREATED, Some(1)), "{}: {first}", api.db);
    let (s, v) = api.call("POST", &sup.reports(), &sup.kjt, report("基于旧稿", Some(0))).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{}: {v}", api.db);
    let current = &v["error"]["current"];
    assert_eq!((current["version"].as_i64(), current["narrative"].as_str()), (Some(1), Some("第一稿")), "{v}");
    assert_eq!(current["id"], first["id"], "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("当前版本 1"), "{v}");
    // The message in English on request.
    let a = api.post(&sup.reports()).token(&sup.kjt).header("accept-language", "en").json(&report("x", Some(0))).await;
    assert!(a.json()["error"]["message"].as_str().unwrap().contains("now version 1"), "{}", a.body);
    // The version read now is accepted; a write without one is filed as before.
    let (s, second) = api.call("POST", &sup.reports(), &sup.kjt, report("第二稿", Some(1))).await;
    assert_eq!((s, second["version"].as_i64()), (StatusCode::CREATED, Some(2)), "{second}");
    let (s, third) = api.call("POST", &sup.reports(), &sup.kjt, report("不带版本", None)).await;
    assert_eq!((s, third["version"].as_i64()), (StatusCode::CREATED, Some(3)), "{third}");
    let all = versions(&api, &sup).await;
    let texts: Vec<&str> = all.iter().map(|r| r["narrative"].as_str().unwrap()).collect();
    assert_eq!(texts, ["第一稿", "第二稿", "不带版本"], "{}: the refused writes left nothing", api.db);
}

async fn of_reporters_who_read_the_same_version_on_two_servers_exactly_one_wins(api: Client) {
    let sup = Supervision::new(&api).await;
    sup.open_round(&api).await;
    let (s, _) = api.call("POST", &sup.reports(), &sup.kjt, report("起点", None)).await;
    assert_eq!(s, StatusCode::CREATED);
    let other = api.second_server().await;
    let mut writers = Vec::new();
    for i in 0..8 {
        let server = if i % 2 == 0 { api.clone() } else { other.clone() };
        let (uri, token) = (sup.reports(), sup.kjt.clone());
        writers.push(tokio::spawn(async move {
            let (s, v) = server.call("POST", &uri, &token, report(&format!("写者 {i}"), Some(1))).await;
            (s, v)
        }));
    }
    let mut won = Vec::new();
    for w in writers {
        let (s, v) = w.await.unwrap();
        match s {
            StatusCode::CREATED => won.push(v),
            StatusCode::CONFLICT => assert_eq!(v["error"]["current"]["version"].as_i64(), Some(2), "{}: {v}", api.db),
            other => panic!("{}: {other} {v}", api.db),
        }
    }
    assert_eq!(won.len(), 1, "{}: exactly one of the writers who read version 1 wins: {won:?}", api.db);
    let all = versions(&api, &sup).await;
    assert_eq!(all.len(), 2, "{}: {all:?}", api.db);
    assert_eq!(all[1]["narrative"], won[0]["narrative"], "{}", api.db);
    let current: Vec<&Value> = all.iter().filter(|r| r["current"] == true).collect();
    assert_eq!(current.len(), 1, "{}: one current version", api.db);
}

async fn a_review_of_a_version_the_department_has_replaced_is_refused_with_the_current_one(api: Client) {
    let sup = Supervision::new(&api).await;
    sup.open_round(&api).await;
    let old = sup.submit(&api).await["id"].as_i64().unwrap();
    let (s, new) = api.call("POST", &sup.reports(), &sup.kjt, report("补充了数据", Some(1))).await;
    assert_eq!(s, StatusCode::CREATED, "{new}");
    // The reviewer read version 1; the department has filed version 2 since.
    let (s, v) = sup.review(&api, old, true).await;
    assert_eq!(s, StatusCode::CONFLICT, "{}: {v}", api.db);
    assert_eq!(v["error"]["current"]["id"], new["id"], "{v}");
    assert_eq!(v["error"]["current"]["narrative"], "补充了数据", "{v}");
    let all = versions(&api, &sup).await;
    assert!(all.iter().all(|r| r["state"] == "submitted"), "{}: nothing was accepted: {all:?}", api.db);
    let (s, v) = sup.review(&api, new["id"].as_i64().unwrap(), true).await;
    assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("accepted")), "{v}");
}

async fn a_review_racing_a_resubmission_never_lets_both_through(api: Client) {
    let sup = Supervision::new(&api).await;
    sup.open_round(&api).await;
    let rid = sup.submit(&api).await["id"].as_i64().unwrap();
    let other = api.second_server().await;
    let (owner, kjt, uri) = (sup.owner.clone(), sup.kjt.clone(), sup.reports());
    let review = {
        let api = api.clone();
        tokio::spawn(async move {
            let body = json!({ "accept": true, "comment": "好" });
            api.call("POST", &format!("/api/v1/reports/{rid}/review"), &owner, body).await
        })
    };
    let resubmit = tokio::spawn(async move { other.call("POST", &uri, &kjt, report("更正", None)).await });
    let (rs, rv) = review.await.unwrap();
    let (fs, fv) = resubmit.await.unwrap();
    let all = versions(&api, &sup).await;
    match (rs, fs) {
        // Accepted first: the resubmission is refused (an accepted report stands).
        (StatusCode::OK, StatusCode::CONFLICT) => {
            assert_eq!(all.len(), 1, "{}: {all:?}", api.db);
            assert_eq!(all[0]["state"], "accepted");
        }
        // Resubmitted first: the review of the replaced version is refused, with the new one.
        (StatusCode::CONFLICT, StatusCode::CREATED) => {
            assert_eq!(rv["error"]["current"]["id"], fv["id"], "{rv}");
            assert_eq!(all.len(), 2, "{}: {all:?}", api.db);
            assert!(all.iter().all(|r| r["state"] == "submitted"), "{all:?}");
        }
        other => panic!("{}: review {rv}, resubmission {fv}: {other:?}", api.db),
    }
}

/// The hidden `read_version` of the report form on a page.
fn read_version(page: &str) -> String {
    let at = page.find("name=\"read_version\" value=\"").expect("the form says which version it was drawn from");
    let rest = &page[at + "name=\"read_version\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn a_report_form_drawn_before_another_filing_comes_back_refused(api: Client) {
    let sup = Supervision::new(&api).await;
    sup.open_round(&api).await;
    sup.submit(&api).await;
    let browser = api.browser("kjt", DEMO_PASSWORD).await;
    let page_uri = format!("/assignments/{}?period=2026Q1", sup.assignment);
    let page = api.page(&page_uri, &browser).await;
    let drawn = read_version(&page);
    assert_eq!(drawn, "1", "{}", api.db);
    // A colleague files meanwhile, through the API.
    let (s, _) = api.call("POST", &sup.reports(), &sup.kjt, report("同事先报", Some(1))).await;
    assert_eq!(s, StatusCode::CREATED);
    let uri = format!("/assignments/{}/reports", sup.assignment);
    let form = |version: &str| {
        let csrf = browser.csrf.clone();
        let version = version.to_string();
        [
            ("csrf", csrf),
            ("period", "2026Q1".to_string()),
            ("status", "behind".to_string()),
            ("percent", "20".to_string()),
            ("narrative", "表单里写的".to_string()),
            ("problems", String::new()),
            ("help_needed", String::new()),
            ("action", "submit".to_string()),
            ("read_period", "2026Q1".to_string()),
            ("read_version", version),
        ]
    };
    let pairs = form(&drawn);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = api.submit(&uri, &browser, &pairs).await;
    assert!(a.body.contains("记录已被他人修改（当前版本 2）"), "{}: {}", api.db, a.body);
    assert!(a.body.contains("表单里写的"), "the form keeps what was typed");
    assert!(a.body.contains("他人已报送第 2 版"), "the page says whose version is newer: {}", a.body);
    assert_eq!(read_version(&a.body), "2", "the form now knows the version shown");
    assert_eq!(versions(&api, &sup).await.len(), 2, "{}: nothing written", api.db);
    // Saved again from the form that came back: filed over the version it now shows.
    let pairs = form("2");
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = api.submit(&uri, &browser, &pairs).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let all = versions(&api, &sup).await;
    assert_eq!(all.last().unwrap()["narrative"], "表单里写的", "{}", api.db);
}

/// A report filed or reviewed moves the revision of every write but not the data's: the plans' indicators
/// stay as built (the same values, not read again), while the assignment list and the snapshot's
/// assignments show the report at once; an observation entered moves both, and the indicator list shows it
/// at once. (What this saves under load is measured by `bench/load.sh`, the mix.)
async fn a_report_filed_shows_at_once_and_leaves_the_plans_figures_cached(api: Client) {
    let sup = Supervision::new(&api).await;
    sup.open_round(&api).await;
    let plan_json = format!("/api/v1/plans/{}", sup.plan_id);
    let list = format!("/api/v1/indicators?plan={}", sup.plan_id);
    let (_, plan_before) = api.call("GET", &plan_json, &sup.owner, Value::Null).await;
    let (_, list_before) = api.call("GET", &list, &sup.owner, Value::Null).await;
    let before = api.app.snapshot().await.unwrap();

    let filed = sup.submit(&api).await;
    let after = api.app.snapshot().await.unwrap();
    assert!(after.revision > before.revision, "the report moved the revision of every write");
    assert_eq!(after.data_revision, before.data_revision, "but not the data's");
    let (p0, p1) = (before.plan(sup.plan_id).unwrap(), after.plan(sup.plan_id).unwrap());
    assert_eq!(serde_json::to_value(&p0.indicators).unwrap(), serde_json::to_value(&p1.indicators).unwrap());
    let shown = |snap: &jiqun_app::Snapshot| {
        let a = snap.plan(sup.plan_id).unwrap().assignments.iter().find(|a| a.row.id == sup.assignment).unwrap();
        a.latest().map(|r| r.id)
    };
    assert_eq!(shown(&after), filed["id"].as_i64(), "the snapshot's assignment shows the report");
    let (s, mine) =
        api.call("GET", "/api/v1/assignments?agency=%E7%9C%81%E7%A7%91%E6%8A%80%E5%8E%85", &sup.kjt, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    let a = mine.as_array().unwrap().iter().find(|a| a["id"] == sup.assignment).unwrap().clone();
    assert!(a["reports"].as_array().unwrap().iter().any(|r| r["id"] == filed["id"]), "the list shows it: {a}");
    let (_, plan_after) = api.call("GET", &plan_json, &sup.owner, Value::Null).await;
    let (_, list_after) = api.call("GET", &list, &sup.owner, Value::Null).await;
    assert_eq!((plan_after, &list_after), (plan_before, &list_before));

    // The owner's review is a report write as well.
    let (s, v) = sup.review(&api, filed["id"].as_i64().unwrap(), true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let reviewed = api.app.snapshot().await.unwrap();
    assert!(reviewed.revision > after.revision && reviewed.data_revision == after.data_revision);
    let latest = |snap: &jiqun_app::Snapshot| {
        let a = snap.plan(sup.plan_id).unwrap().assignments.iter().find(|a| a.row.id == sup.assignment).unwrap();
        a.latest().map(|r| r.state.as_str())
    };
    assert_eq!(latest(&reviewed), Some("accepted"));

    // An observation is data: both counters move and the list shows the new value at once.
    let scale = list_before.as_array().unwrap().iter().find(|i| i["name"] == "电子信息制造业总产值").cloned();
    let id = scale.unwrap()["id"].as_i64().unwrap();
    let obs = json!({ "period": "2025", "value": 6.1e12, "source": "修正" });
    let (s, v) = api.call("POST", &format!("/api/v1/indicators/{id}/observations"), &sup.owner, obs).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let moved = api.app.snapshot().await.unwrap();
    assert!(moved.revision > reviewed.revision && moved.data_revision > reviewed.data_revision);
    let (_, list_now) = api.call("GET", &list, &sup.owner, Value::Null).await;
    let ind = list_now.as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
    assert_ne!(list_now, list_before, "the indicator list is made again");
    assert!(ind.to_string().contains("6100000000000"), "and shows the new value: {ind}");
}

/// A filing answers the report made from what it wrote (not read back): it is the report as stored, field
/// for field, its predecessor's evidence included, and a refused filing leaves the predecessor current.
async fn the_report_a_filing_answers_is_the_report_as_stored(api: Client) {
    let sup = Supervision::new(&api).await;
    sup.open_round(&api).await;
    let (s, first) = api.call("POST", &sup.reports(), &sup.kjt, report("第一稿", None)).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let rid = first["id"].as_i64().unwrap();
    for name in ["b.pdf", "a.pdf"] {
        let path = format!("/api/v1/reports/{rid}/attachments?filename={name}");
        let (s, v) = api.raw("POST", &path, &sup.kjt, b"%PDF-1.4 demo".to_vec()).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let mut second = report("第二稿", Some(1));
    second["submit"] = json!(true);
    let (s, answered) = api.call("POST", &sup.reports(), &sup.kjt, second).await;
    assert_eq!(s, StatusCode::CREATED, "{answered}");
    let (s, current) = api.call("GET", "/api/v1/supervision/reports", &sup.owner, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{current}");
    let mut stored = current.as_array().unwrap().iter().find(|r| r["id"] == answered["id"]).cloned().unwrap();
    // The list names the assignment's department and item besides.
    for key in ["agency", "item"] {
        stored.as_object_mut().unwrap().remove(key);
    }
    assert_eq!(answered, stored, "the answer is the stored report");
    assert_eq!(answered["attachments"].as_array().map(Vec::len), Some(2), "{answered}");
    assert_eq!(answered["version"], 2);

    // Refused as stale: nothing written, the second version still the current one.
    let (s, _) = api.call("POST", &sup.reports(), &sup.kjt, report("基于旧稿", Some(1))).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let now = versions(&api, &sup).await;
    assert_eq!(now.len(), 2, "{now:?}");
    assert_eq!(now[1]["current"], true, "{now:?}");
    assert_eq!(now[0]["current"], false, "{now:?}");
}
