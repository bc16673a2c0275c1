//! The progress bulletin as a Word document: downloaded from its page and from the API, on SQLite and
//! PostgreSQL. (Who may download it is the role × route walk's: `access.rs`.)

use axum::http::StatusCode;

use crate::common::{Client, tests_on_each_db};

// Each `async fn …(ui: Client)` below is a test run on SQLite and PostgreSQL (see `common::on_each_db`).
tests_on_each_db!(the_bulletin_downloads_as_word_from_its_page_and_the_api);

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The text of `word/document.xml` in a .docx file's bytes.
fn document_xml(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut s = String::new();
    z.by_name("word/document.xml").expect("word/document.xml").read_to_string(&mut s).unwrap();
    s
}

async fn the_bulletin_downloads_as_word_from_its_page_and_the_api(ui: Client) {
    let owner = ui.browser("owner", "Demo@2025").await;
    let page = ui.page("/plans/1/bulletin?period=2025", &owner).await;
    assert!(page.contains("href=\"/plans/1/bulletin.docx?period=2025\""), "the page links its Word version");
    assert!(page.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"targetchart\""), "a chart per target");

    let r = ui.get("/plans/1/bulletin.docx?period=2025").browser(&owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.header("content-type"), DOCX);
    assert!(r.header("content-disposition").starts_with("attachment;"), "{}", r.header("content-disposition"));
    assert!(r.bytes.starts_with(b"PK"), "a zip");
    let xml = document_xml(&r.bytes);
    assert!(xml.contains("一、目标完成情况") && xml.contains("w:tblHeader") && xml.contains("<wp:inline"));
    assert!(xml.contains("示例数据（合成）"), "the demo's bulletin says its data are synthetic");

    let token = ui.demo_login("owner").await;
    let r = ui.get("/api/v1/plans/1/bulletin?period=2025").token(&token).await;
    assert_eq!((r.status, r.header("content-type")), (StatusCode::OK, DOCX));
    assert!(document_xml(&r.bytes).contains("二、责任分工落实情况"));
    // In English when asked.
    let r = ui.get("/api/v1/plans/1/bulletin?period=2025").token(&token).header("accept-language", "en").await;
    assert!(document_xml(&r.bytes).contains("1. Targets"));
    let r = ui.get("/api/v1/plans/1/bulletin?period=2025&format=html").token(&token).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("text/html") && r.body.contains("实施进展通报"));
    let r = ui.get("/api/v1/plans/1/bulletin?period=2025&format=pdf").token(&token).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("format"), "{}", r.body);
    let r = ui.get("/api/v1/plans/1/bulletin?period=2025Q9").token(&token).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = ui.get("/plans/999/bulletin.docx").browser(&owner).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
