//! The plan owner's forms: adding an indicator the document lacks, and closing a plan with its final
//! assessment and successor.

use crate::common::{Client, DEMO_PASSWORD, enc};

use axum::http::StatusCode;

#[tokio::test]
async fn add_an_indicator_and_close_the_plan() {
    let ui = Client::demo_sqlite().await;
    let owner = ui.browser("owner", DEMO_PASSWORD).await;
    let page = ui.page("/indicators", &owner).await;
    assert!(page.contains("新增指标"), "the owner sees the form");
    let csrf = &owner.csrf;
    let form = format!(
        "csrf={csrf}&name={}&unit=%25&item=1.1&direction=up&method=growth&frequency=annual&target_cmp=%3E%3D&target_value=4&target_year=2025&baseline_period=2020&baseline_value=2.5",
        enc("数字经济核心产业增加值占比")
    );
    let a = ui.post("/plans/1/indicators").browser(&owner).form_encoded(&form).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert!(a.location().starts_with("/indicators/"));
    assert!(ui.page(a.location(), &owner).await.contains("数字经济核心产业增加值占比"));
    // Bad input names the field and adds nothing.
    let a = ui.post("/plans/1/indicators").browser(&owner).form_encoded(&format!("csrf={csrf}&name=x&unit=%25&direction=up&method=growth&frequency=annual&target_cmp=%3E%3D&target_value=abc&target_year=2025")).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("target_value"));
    // A second plan, then the first closes naming it.
    let doc = include_str!("../../../compiler/tests/fixtures/genre-auto-cluster.txt");
    let sess = ui.app.session(owner.cookie.trim_start_matches("jiqun_session=")).await.unwrap().unwrap();
    let second = ui.app.import_plan(&sess, doc.as_bytes(), "test", "").await.unwrap();
    assert!(ui.page("/plans/1", &owner).await.contains("关闭计划"));
    let a = ui
        .post("/plans/1/close")
        .browser(&owner)
        .form_encoded(&format!("csrf={csrf}&assessment={}&successor={second}", enc("（示例）总体完成。")))
        .await;
    assert_eq!((a.status, a.location()), (StatusCode::SEE_OTHER, "/plans/1"), "{}", a.body);
    let plan = ui.app.store_for_tests().plan(1).await.unwrap().unwrap();
    assert_eq!((plan.status.as_str(), plan.successor_id), ("closed", Some(second)));
    // A department reporter sees neither form and may not post them.
    let kjt = ui.browser("kjt", DEMO_PASSWORD).await;
    let page = ui.page("/indicators", &kjt).await;
    assert!(!page.contains("新增指标（"));
}
