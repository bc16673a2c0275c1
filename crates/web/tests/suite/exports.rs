//! Exports (`/api/v1/exports/{table}`): every table as a workbook, CSV and JSON on both databases; a
//! workbook read back equals the rows; a city bureau exports only its city's rows, an enterprise user only
//! its own firm's; each export is in the audit trail with its row count.

use crate::common::{Answer, Client, tests_on_each_db};

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

tests_on_each_db!(
    every_table_exports_as_a_workbook_csv_and_json,
    a_workbook_read_back_equals_the_rows,
    a_city_bureau_exports_only_its_citys_rows,
    an_enterprise_user_exports_only_its_own_firm,
    exports_are_audited_with_their_row_count,
);

async fn export(api: &Client, token: &str, table: &str, format: &str) -> Answer {
    api.get(&format!("/api/v1/exports/{table}?format={format}")).token(token).await
}

async fn rows(api: &Client, token: &str, table: &str) -> Vec<Value> {
    let a = export(api, token, table, "json").await;
    assert_eq!(a.status, StatusCode::OK, "{table}: {}", a.body);
    match a.json() {
        Value::Array(rows) => rows,
        other => panic!("{table}: not an array: {other}"),
    }
}

fn sheet(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a workbook");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("its sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

async fn every_table_exports_as_a_workbook_csv_and_json(api: Client) {
    let owner = api.demo_login("owner").await;
    for table in jiqun_app::export::EXPORT_TABLES {
        let a = export(&api, &owner, table, "xlsx").await;
        assert_eq!(a.status, StatusCode::OK, "{table}: {}", a.body);
        assert_eq!(a.header("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        let disposition = a.header("content-disposition");
        assert!(
            disposition.starts_with(&format!("attachment; filename=\"{table}-20")) && disposition.ends_with(".xlsx\""),
            "{disposition}"
        );
        let json = rows(&api, &owner, table).await;
        assert_eq!(sheet(&a.bytes).len(), json.len() + 1, "{table}: a header and a row each");
        let csv = export(&api, &owner, table, "csv").await;
        assert_eq!(csv.status, StatusCode::OK, "{table}");
        assert!(csv.header("content-type").starts_with("text/csv"));
        assert!(csv.bytes.starts_with("\u{feff}".as_bytes()), "{table}: the CSV starts with a BOM");
        assert!(csv.body.contains("\r\n"), "CRLF");
    }
    for table in ["enterprises", "evaluations", "observations", "indicators", "projects"] {
        assert!(!rows(&api, &owner, table).await.is_empty(), "the demo has {table}");
    }
    let a = export(&api, &owner, "enterprises", "docx").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    assert!(a.body.contains("xlsx"), "{}", a.body);
}

async fn a_workbook_read_back_equals_the_rows(api: Client) {
    let owner = api.demo_login("owner").await;
    let json = rows(&api, &owner, "enterprises").await;
    let a = api.get("/api/v1/exports/enterprises?format=xlsx").token(&owner).lang("en").await;
    let cells = sheet(&a.bytes);
    assert_eq!(cells[0][0], Data::String("ID".into()), "the header in the reader's language");
    assert_eq!(cells[0][1], Data::String("USCC".into()));
    for (row, firm) in cells[1..].iter().zip(&json) {
        assert_eq!(row[0], Data::Float(firm["id"].as_f64().unwrap()));
        assert_eq!(row[1], Data::String(firm["uscc"].as_str().unwrap().into()));
        assert_eq!(row[2], Data::String(firm["name"].as_str().unwrap().into()));
        assert_eq!(row[3], Data::String(firm["city"].as_str().unwrap().into()));
        let tax = cells[0].iter().position(|h| h == &Data::String("Tax (10k yuan)".into())).expect("the tax column");
        match firm["tax_wan"].as_f64() {
            Some(v) => assert_eq!(row[tax], Data::Float(v), "{firm}"),
            None => assert_eq!(row[tax], Data::Empty, "{firm}"),
        }
    }
    assert_eq!(cells.len(), json.len() + 1);
    let zh = sheet(&export(&api, &owner, "enterprises", "xlsx").await.bytes);
    assert_eq!(zh[0][2], Data::String("企业名称".into()));
}

async fn a_city_bureau_exports_only_its_citys_rows(api: Client) {
    let owner = api.demo_login("owner").await;
    let shenzhen = api.demo_login("shenzhen").await;
    // Its projects: 深圳's, every one of them.
    let all = rows(&api, &owner, "projects").await;
    let mine = rows(&api, &shenzhen, "projects").await;
    assert!(!mine.is_empty() && mine.iter().all(|r| r["city"] == "深圳"), "only 深圳's projects");
    assert_eq!(mine.len(), all.iter().filter(|r| r["city"] == "深圳").count(), "every project of 深圳");
    assert!(all.len() > mine.len(), "the owner sees other cities' too");
    // The directory, as the bureau reads it: every firm listed, figures only of 深圳's firms.
    let firms = rows(&api, &shenzhen, "enterprises").await;
    let with_figures: Vec<&Value> = firms.iter().filter(|f| f["figures_year"].is_number()).collect();
    assert!(!with_figures.is_empty(), "its city's figures");
    assert!(with_figures.iter().all(|f| f["city"] == "深圳"), "no other city's figures");
    assert!(
        firms.iter().filter(|f| f["city"] != "深圳").all(|f| f["tax_wan"].is_null() && f["revenue_wan"].is_null()),
        "no figure of another city's firm"
    );
    assert_eq!(with_figures.len(), firms.iter().filter(|f| f["city"] == "深圳").count());
    // A run's results: classes for the directory, scores only for 深圳's firms.
    let results = rows(&api, &shenzhen, "evaluations").await;
    let scored: Vec<&Value> = results.iter().filter(|r| r["score"].is_number()).collect();
    assert!(!scored.is_empty() && scored.iter().all(|r| r["city"] == "深圳"), "scores of 深圳's firms only");
    assert!(results.iter().filter(|r| r["city"] != "深圳").all(|r| r["rank"].is_null()));
}

async fn an_enterprise_user_exports_only_its_own_firm(api: Client) {
    let qiye = api.demo_login("qiye").await;
    let user = api.app.store_for_tests().user_by_name("qiye").await.unwrap().expect("the demo's enterprise user");
    let uscc = user.uscc.expect("its firm");
    let firms = rows(&api, &qiye, "enterprises").await;
    assert_eq!(firms.len(), 1, "{firms:?}");
    assert_eq!(firms[0]["uscc"].as_str(), Some(uscc.as_str()));
    assert!(firms[0]["revenue_wan"].is_number(), "its own figures: {}", firms[0]);
    let results = rows(&api, &qiye, "evaluations").await;
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["uscc"].as_str(), Some(uscc.as_str()));
    assert!(results[0]["score"].is_number(), "its own score: {}", results[0]);
    let projects = rows(&api, &qiye, "projects").await;
    assert!(projects.iter().all(|p| p["owner_uscc"].as_str() == Some(uscc.as_str())), "{projects:?}");
    // A table the enterprise may not read at all.
    let a = export(&api, &qiye, "chains", "xlsx").await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
}

async fn exports_are_audited_with_their_row_count(api: Client) {
    let shenzhen = api.demo_login("shenzhen").await;
    let n = rows(&api, &shenzhen, "enterprises").await.len();
    let qiye = api.demo_login("qiye").await;
    export(&api, &qiye, "evaluations", "xlsx").await;
    let trail = api.app.store_for_tests().audit_range(0, i64::MAX, 100_000).await.unwrap();
    let exports: Vec<_> = trail.iter().filter(|r| r.action == "export.table").collect();
    let of = |who: &str, table: &str| {
        exports
            .iter()
            .find(|r| r.actor == who && r.object_id == table)
            .map(|r| serde_json::from_str::<Value>(&r.detail).unwrap_or(Value::Null))
    };
    let d = of("shenzhen", "enterprises").expect("the bureau's export audited");
    assert_eq!((d["rows"].as_u64(), d["format"].as_str()), (Some(n as u64), Some("json")), "{d}");
    let d = of("qiye", "evaluations").expect("the enterprise's export audited");
    assert_eq!((d["rows"].as_u64(), d["format"].as_str()), (Some(1), Some("xlsx")), "{d}");
    crate::common::audit_holds(&api.app, &["export.table"]).await;
    // An export changes nothing: it is not in the "what changed" feed.
    let changes = api.app.changes_since(0, 10_000).await.unwrap();
    assert!(changes.iter().all(|r| r.action != "export.table"));
}

/// The pages that show a table offer its export, and the link works with the page's own session.
#[tokio::test]
async fn the_pages_showing_a_table_offer_its_export() {
    let api = Client::demo_sqlite().await;
    let owner = api.browser("owner", crate::common::DEMO_PASSWORD).await;
    for (page, table) in [
        ("/enterprises", "enterprises"),
        ("/indicators", "indicators"),
        ("/supervision", "reports"),
        ("/projects", "projects"),
        ("/bases", "bases"),
        ("/chains", "chains"),
        ("/challenges", "challenges"),
        ("/matching", "matches"),
    ] {
        let html = api.page(page, &owner).await;
        let href = format!("/api/v1/exports/{table}?format=xlsx");
        assert!(html.contains(&href) && html.contains("导出 Excel") && html.contains("导出 CSV"), "{page}");
    }
    let run = api.app.store_for_tests().evaluations().await.unwrap()[0].id;
    let html = api.page(&format!("/evaluations/{run}"), &owner).await;
    assert!(html.contains(&format!("/api/v1/exports/evaluations?format=csv&amp;run={run}")), "the run's own export");
    let a = api.get(&format!("/api/v1/exports/evaluations?format=csv&run={run}")).browser(&owner).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.bytes.starts_with("\u{feff}evaluation_id,".as_bytes()));
}
