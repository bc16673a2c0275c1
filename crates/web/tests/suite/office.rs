//! Templates and imports (docs/office.md): a template downloaded, filled in the way people really fill
//! them (with mistakes), refused with each bad cell named, given back marked, corrected and imported; the
//! values read back equal what went in. Scoping for a city bureau, a department and an enterprise user;
//! the file's SHA-256 in the audit log.

use axum::http::StatusCode;
use jiqun_office::sheet::{self, Cell};
use serde_json::{Value, json};

use crate::common::{self, Client, tests_on_each_db, uscc};

tests_on_each_db!(
    an_enterprise_template_round_trip,
    a_department_reports_through_its_template,
    a_city_enters_observations_through_its_template,
    projects_progress_through_the_template,
    an_enterprise_reports_its_own_projects_through_the_template,
    templates_and_imports_follow_the_caller_scope,
    a_csv_with_the_template_columns_imports_the_same,
);

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn download(api: &Client, token: &str, uri: &str) -> Vec<u8> {
    let a = api.get(uri).token(token).await;
    assert_eq!(a.status, StatusCode::OK, "{uri}: {}", a.body);
    assert_eq!(a.header("content-type"), XLSX);
    assert!(a.header("content-disposition").contains(".xlsx"));
    a.bytes
}

/// The template's first sheet, and the column of each machine name (row 5, hidden).
fn first_sheet(bytes: &[u8]) -> (sheet::Sheet, Vec<String>) {
    let sheets = sheet::read_xlsx(bytes).unwrap();
    let s = sheets.into_iter().next().unwrap();
    let names = s.rows.iter().find(|r| r.number == 5).unwrap().cells.iter().map(Cell::text).collect();
    (s, names)
}

/// A filled-in workbook as people hand them back: the title merged over the first columns, the data sheet
/// first, an extra sheet after it, cells as given (text stays text, numbers numbers), trailing rows of
/// spaces.
fn workbook(s: &sheet::Sheet, edits: &[(usize, &str, Cell)], names: &[String]) -> Vec<u8> {
    use rust_xlsxwriter::Workbook;
    let mut rows = s.rows.clone();
    for (row, name, cell) in edits {
        let c = names.iter().position(|n| n == name).unwrap_or_else(|| panic!("no column {name}"));
        let r = match rows.iter_mut().find(|r| r.number == *row) {
            Some(r) => r,
            None => {
                rows.push(sheet::Row { number: *row, cells: Vec::new() });
                rows.last_mut().unwrap()
            }
        };
        if r.cells.len() <= c {
            r.cells.resize(c + 1, Cell::Empty);
        }
        r.cells[c] = cell.clone();
    }
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(&s.name).unwrap();
    let last = rows.iter().map(|r| r.number).max().unwrap_or(1);
    for r in &rows {
        for (c, cell) in r.cells.iter().enumerate() {
            let (row, col) = ((r.number - 1) as u32, c as u16);
            match cell {
                Cell::Empty => {}
                Cell::Number(n) | Cell::Date(n) => {
                    ws.write_number(row, col, *n).unwrap();
                }
                other => {
                    ws.write_string(row, col, other.display()).unwrap();
                }
            }
        }
    }
    let title = rows.iter().find(|r| r.number == 1).map(|r| r.get(0).display()).unwrap_or_default();
    ws.merge_range(0, 0, 0, 4, &title, &rust_xlsxwriter::Format::new()).unwrap();
    ws.set_row_hidden(4).unwrap();
    for extra in 1..=3 {
        ws.write_string(last as u32 + extra, 0, "   ").unwrap();
    }
    let notes = book.add_worksheet();
    notes.set_name("填表说明").unwrap();
    notes.write_string(0, 0, "uscc name city 这张表不导入").unwrap();
    book.save_to_buffer().unwrap()
}

async fn import(api: &Client, token: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let a =
        api.post(&format!("/api/v1/imports?name={name}")).token(token).body("application/octet-stream", bytes).await;
    (a.status, a.json())
}

fn fields(v: &Value) -> Vec<String> {
    v["error"]["details"]
        .as_array()
        .map_or_else(Vec::new, |d| d.iter().map(|x| x["field"].as_str().unwrap_or_default().to_string()).collect())
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

async fn firm(api: &Client, token: &str, code: &str) -> Value {
    let (s, found) = api.call("GET", &format!("/api/v1/enterprises?q={code}"), token, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{found}");
    let id = found["items"][0]["id"].as_i64().unwrap_or_else(|| panic!("{code} registered: {found}"));
    let (_, v) = api.call("GET", &format!("/api/v1/enterprises/{id}"), token, Value::Null).await;
    v
}

fn figure(v: &Value, metric: &str) -> Option<f64> {
    v["figures"].as_array()?.iter().find(|f| f["metric"] == metric && f["is_current"] == true)?["value"].as_f64()
}

/// 深圳's bureau downloads the enterprise template, fills it as people do (numbers as text with thousands
/// separators, full-width digits, 规上, a USCC in lower case with spaces, a money column re-headed in 亿元),
/// with three mistakes; the import refuses the whole file naming each cell, the marked workbook comments
/// them; corrected, it imports, and the stored figures are what went in.
async fn an_enterprise_template_round_trip(api: Client) {
    let sz = api.demo_login("shenzhen").await;
    let bytes = download(&api, &sz, "/api/v1/templates/enterprises").await;
    let (s, names) = first_sheet(&bytes);
    assert_eq!(
        s.rows.iter().find(|r| r.number == 6).unwrap().get(2),
        &text("深圳"),
        "a city's template names its city"
    );
    let col = |n: &str| names.iter().position(|x| x == n).unwrap();
    // The revenue column re-headed in 亿元 by the user.
    let mut s = s;
    s.rows.iter_mut().find(|r| r.number == 4).unwrap().cells[col("revenue_wan")] = text("营业收入（亿元）");
    let (a, b, c) = (uscc("440300", 711), uscc("440300", 712), uscc("440300", 713));
    let spaced = format!("{} {}", &a[..9].to_lowercase(), &a[9..]);
    let row = |n: usize, code: &str, name: &str, land: Cell, city: &str| {
        vec![
            (n, "uscc", text(code)),
            (n, "name", text(name)),
            (n, "city", text(city)),
            (n, "scale", text("规上")),
            (n, "founded_year", text("２００８")),
            (n, "year", Cell::Number(2025.0)),
            (n, "land_mu", land),
            (n, "tax_wan", text("1,234.5")),
            (n, "revenue_wan", text("0.5")),
            (n, "listed", text("否")),
        ]
    };
    let mut edits = Vec::new();
    edits.extend(row(6, &spaced, "导入甲（测试）", text("１２"), "深圳"));
    edits.extend(row(7, &common::miscoded(&b), "导入乙（测试）", Cell::Number(8.0), "深圳"));
    edits.extend(row(8, &c, "导入丙（测试）", text("abc"), "深圳"));
    edits.extend(row(9, &uscc("440100", 714), "导入丁（测试）", Cell::Number(5.0), "广州"));
    let bad = workbook(&s, &edits, &names);
    let (st, v) = import(&api, &sz, "企业.xlsx", bad.clone()).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let letter = |n: &str| sheet::column_letters(col(n));
    assert_eq!(
        fields(&v),
        [
            format!("企业数据!{}7", letter("uscc")),
            format!("企业数据!{}8", letter("land_mu")),
            format!("企业数据!{}9", letter("city"))
        ],
        "{v}"
    );
    let msg = v["error"]["details"][1]["message"].as_str().unwrap();
    assert!(msg.contains("abc") && msg.contains("8"), "the message names the cell and its value: {msg}");
    let (_, none) = api.call("GET", &format!("/api/v1/enterprises?q={c}"), &sz, Value::Null).await;
    assert_eq!(none["total"], 0, "nothing was imported");

    // The same file given back marked: each mistake's cell commented, and a sheet listing them.
    let m = api.post("/api/v1/imports/marked?name=企业.xlsx").token(&sz).body("application/octet-stream", bad).await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.body);
    let marked = sheet::read_xlsx(&m.bytes).unwrap();
    assert_eq!(marked[1].name, "错误清单");
    let listed: Vec<String> = marked[1].rows.iter().skip(1).map(|r| r.get(1).text()).collect();
    assert_eq!(
        listed,
        [format!("{}7", letter("uscc")), format!("{}8", letter("land_mu")), format!("{}9", letter("city"))]
    );
    assert_eq!(marked[1].rows[2].get(2), &text("abc"), "the list gives the value");
    let mut z = zip_names(&m.bytes);
    z.sort();
    assert!(z.iter().any(|n| n.starts_with("xl/comments")), "the cells carry comments: {z:?}");

    // Corrected: the bad rows fixed, the other city's firm taken out.
    let mut fixed = edits.clone();
    fixed.retain(|(r, _, _)| *r != 9);
    for (r, n, cell) in fixed.iter_mut() {
        if *r == 7 && *n == "uscc" {
            *cell = text(&b);
        }
        if *r == 8 && *n == "land_mu" {
            *cell = text("6.5");
        }
    }
    let good = workbook(&s, &fixed, &names);
    let (st, v) = import(&api, &sz, "企业.xlsx", good).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(
        (v["kind"].as_str(), v["created"].as_u64(), v["figures"].as_u64()),
        (Some("enterprises"), Some(3), Some(9)),
        "{v}"
    );
    let owner = api.demo_login("owner").await;
    let got = firm(&api, &owner, &a).await;
    assert_eq!(got["scale"], "above", "{got}");
    assert_eq!(got["founded_year"], 2008);
    assert_eq!(figure(&got, "land_mu"), Some(12.0));
    assert_eq!(figure(&got, "tax_wan"), Some(1234.5));
    assert_eq!(figure(&got, "revenue_wan"), Some(5000.0), "0.5 亿元 is 5000 万元");
    assert_eq!(figure(&firm(&api, &owner, &c).await, "land_mu"), Some(6.5));
    // Exported again, the values are what went in.
    let e = api.get("/api/v1/exports/enterprises?format=csv&year=2025").token(&owner).await;
    assert_eq!(e.status, StatusCode::OK, "{}", e.body);
    let table = sheet::read_csv("e.csv", &e.body).unwrap();
    let head: Vec<String> = table.rows[0].cells.iter().map(Cell::text).collect();
    let at = |n: &str| head.iter().position(|h| h == n).unwrap_or_else(|| panic!("{n} in {head:?}"));
    let out = table.rows.iter().find(|r| r.get(at("uscc")).text() == a).expect("the imported firm is exported");
    let value = |n: &str| sheet::number(out.get(at(n)), None).unwrap();
    assert_eq!((value("land_mu"), value("tax_wan"), value("revenue_wan")), (Some(12.0), Some(1234.5), Some(5000.0)));
    let rows = api.app.store_for_tests().audit_range(0, i64::MAX, 100_000).await.unwrap();
    let audited = rows.iter().rev().find(|r| r.action == "enterprise.import").unwrap();
    let detail: Value = serde_json::from_str(&audited.detail).unwrap();
    assert_eq!(detail["sha256"].as_str().map(str::len), Some(64), "{detail}");
}

fn zip_names(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    // The local file headers name every part; enough to see that a comments part is there.
    text.match_indices("xl/")
        .map(|(i, _)| text[i..].chars().take_while(|c| !c.is_control()).take(40).collect())
        .collect()
}

/// 省科技厅's reporter gets its own assignments only, reports on one with the status in Chinese and the
/// percent in full-width digits, and submits it; a row for another department's assignment is refused.
async fn a_department_reports_through_its_template(api: Client) {
    let owner = api.demo_login("owner").await;
    let (s, v) =
        api.call("POST", "/api/v1/plans/1/rounds", &owner, json!({"period": "2026Q2", "deadline": "2026-07-15"})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let kjt = api.demo_login("kjt").await;
    let bytes = download(&api, &kjt, "/api/v1/templates/reports?period=2026Q2").await;
    let (s, names) = first_sheet(&bytes);
    let col = |n: &str| names.iter().position(|x| x == n).unwrap();
    let data: Vec<&sheet::Row> = s.rows.iter().filter(|r| r.number >= 6).collect();
    assert!(!data.is_empty());
    assert!(data.iter().all(|r| r.get(col("agency")).text() == "省科技厅"), "only its own assignments");
    assert!(data.iter().all(|r| r.get(col("period")).text() == "2026Q2"));
    let first = data[0].get(col("assignment_id")).text();
    let (_, all) = api.call("GET", "/api/v1/supervision/assignments", &owner, Value::Null).await;
    let other =
        all.as_array().unwrap().iter().find(|a| a["agency"] != "省科技厅").map(|a| a["id"].as_i64().unwrap()).unwrap();
    let mut edits = vec![
        (6, "status", text("按计划推进")),
        (6, "percent", text("８０")),
        (6, "narrative", text("完成年度评审（测试）")),
        (6, "submit", text("是")),
    ];
    edits.push((7, "assignment_id", Cell::Number(other as f64)));
    edits.push((7, "status", text("滞后")));
    edits.push((7, "percent", Cell::Number(10.0)));
    let (st, v) = import(&api, &kjt, "reports.xlsx", workbook(&s, &edits, &names)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), [format!("任务进展报告!{}7", sheet::column_letters(col("assignment_id")))], "{v}");
    edits.truncate(4);
    let (st, v) = import(&api, &kjt, "reports.xlsx", workbook(&s, &edits, &names)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["rows"], 1);
    let (_, reports) = api.call("GET", "/api/v1/supervision/reports", &kjt, Value::Null).await;
    let r = reports
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["period"] == "2026Q2" && r["assignment_id"].as_i64().map(|i| i.to_string()) == Some(first.clone()))
        .unwrap_or_else(|| panic!("{reports}"));
    assert_eq!(
        (r["status"].as_str(), r["percent"].as_f64(), r["state"].as_str()),
        (Some("on_schedule"), Some(80.0), Some("submitted")),
        "{r}"
    );
    common::audit_holds(&api.app, &["import.file", "report.submit"]).await;
}

/// 深圳's bureau gets rows of its own city only; a value typed as text with a unit imports; a row moved to
/// another city is refused.
async fn a_city_enters_observations_through_its_template(api: Client) {
    let sz = api.demo_login("shenzhen").await;
    let bytes = download(&api, &sz, "/api/v1/templates/observations?period=2026").await;
    let (s, names) = first_sheet(&bytes);
    let col = |n: &str| names.iter().position(|x| x == n).unwrap();
    let data: Vec<&sheet::Row> = s.rows.iter().filter(|r| r.number >= 6).collect();
    assert!(!data.is_empty(), "深圳 enters values for the indicators split by city");
    assert!(data.iter().all(|r| r.get(col("city")).text() == "深圳"));
    let indicator = data[0].get(col("indicator_id")).text();
    let mut edits = vec![(6, "value", text("1,200.5")), (6, "source", text("市统计局（测试）"))];
    edits.push((7, "city", text("广州")));
    edits.push((7, "value", Cell::Number(3.0)));
    let (st, v) = import(&api, &sz, "obs.xlsx", workbook(&s, &edits, &names)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), [format!("指标数据!{}7", sheet::column_letters(col("city")))], "{v}");
    edits.truncate(2);
    let (st, v) = import(&api, &sz, "obs.xlsx", workbook(&s, &edits, &names)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (_, history) = api.call("GET", &format!("/api/v1/indicators/{indicator}/observations"), &sz, Value::Null).await;
    let o = history.as_array().unwrap().iter().find(|o| o["period"] == "2026" && o["region"] == "深圳");
    assert_eq!(o.and_then(|o| o["value"].as_f64()), Some(1200.5), "{history}");
}

/// A city bureau reports its city's projects' progress: the cumulative checked as the API checks it.
async fn projects_progress_through_the_template(api: Client) {
    let sz = api.demo_login("shenzhen").await;
    let bytes = download(&api, &sz, "/api/v1/templates/projects?period=2026Q3").await;
    let (s, names) = first_sheet(&bytes);
    let col = |n: &str| names.iter().position(|x| x == n).unwrap();
    let data: Vec<&sheet::Row> = s.rows.iter().filter(|r| r.number >= 6).collect();
    assert!(!data.is_empty(), "深圳 has projects");
    assert!(data.iter().all(|r| r.get(col("city")).text() == "深圳"));
    let project = data[0].get(col("project_id")).text();
    let edits = vec![
        (6, "invest_period_wan", text("500")),
        (6, "invest_cumulative_wan", text("400")),
        (6, "physical_percent", Cell::Number(30.0)),
        (6, "narrative", text("主体结构施工（测试）")),
    ];
    let (st, v) = import(&api, &sz, "p.xlsx", workbook(&s, &edits, &names)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), [format!("重点项目进展!{}6", sheet::column_letters(col("invest_cumulative_wan")))], "{v}");
    let mut edits = edits;
    edits[1].2 = text("1.2亿元");
    let (st, v) = import(&api, &sz, "p.xlsx", workbook(&s, &edits, &names)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (_, p) = api.call("GET", &format!("/api/v1/projects/{project}"), &sz, Value::Null).await;
    let progress = p["progress"].as_array().unwrap_or_else(|| panic!("{p}"));
    let got = progress.iter().find(|x| x["period"] == "2026Q3").unwrap();
    assert_eq!(got["invest_cumulative_wan"].as_f64(), Some(12000.0), "{got}");
}

/// The enterprise user's projects template holds its own projects only; its import is audited with the
/// file's SHA-256 under the user's name.
async fn an_enterprise_reports_its_own_projects_through_the_template(api: Client) {
    let qiye = api.demo_login("qiye").await;
    let bytes = download(&api, &qiye, "/api/v1/templates/projects?period=2026Q3").await;
    let (s, names) = first_sheet(&bytes);
    let data: Vec<&sheet::Row> = s.rows.iter().filter(|r| r.number >= 6).collect();
    let (_, all) = api.call("GET", "/api/v1/projects", &api.demo_login("owner").await, Value::Null).await;
    let all = all["items"].as_array().cloned().unwrap_or_default();
    assert!(!data.is_empty() && data.len() < all.len(), "its own projects only: {} of {}", data.len(), all.len());
    let edits = vec![
        (6, "invest_period_wan", Cell::Number(80.0)),
        (6, "invest_cumulative_wan", Cell::Number(1_000_000.0)),
        (6, "physical_percent", text("４５%")),
        (6, "narrative", text("设备安装（测试）")),
    ];
    let (st, v) = import(&api, &qiye, "mine.xlsx", workbook(&s, &edits, &names)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let sha = v["sha256"].as_str().unwrap().to_string();
    let rows = api.app.store_for_tests().audit_range(0, i64::MAX, 100_000).await.unwrap();
    let file = rows.iter().rev().find(|r| r.action == "import.file").expect("the file is audited");
    let detail: Value = serde_json::from_str(&file.detail).unwrap();
    assert_eq!(
        (detail["sha256"].as_str(), detail["kind"].as_str(), file.actor.as_str()),
        (Some(sha.as_str()), Some("projects"), "qiye")
    );
}

/// Who may download which template, and import: a firm's user gets no enterprise template and cannot bulk
/// import firms; a viewer cannot import at all; a department gets no observations template.
async fn templates_and_imports_follow_the_caller_scope(api: Client) {
    let qiye = api.demo_login("qiye").await;
    let a = api.get("/api/v1/templates/enterprises").token(&qiye).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let viewer = api.demo_login("viewer").await;
    let (st, _) = import(&api, &viewer, "x.csv", b"uscc,name\n".to_vec()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let kjt = api.demo_login("kjt").await;
    assert_eq!(api.get("/api/v1/templates/observations").token(&kjt).await.status, StatusCode::FORBIDDEN);
    // A firm's user may import its projects' progress but not firms: an enterprise file is refused.
    let sz = api.demo_login("shenzhen").await;
    let bytes = download(&api, &sz, "/api/v1/templates/enterprises").await;
    let (st, _) = import(&api, &qiye, "e.xlsx", bytes).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // A file that is neither a workbook nor a CSV with the columns.
    let (st, v) = import(&api, &sz, "x.xlsx", b"PK\x03\x04garbage".to_vec()).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, v) = import(&api, &sz, "x.csv", "名称,数值\n甲,1\n".as_bytes().to_vec()).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("表头"), "{v}");
}

/// A CSV with the template's Chinese headers (no machine names) and one with the machine names import
/// the same firm with the same figures.
async fn a_csv_with_the_template_columns_imports_the_same(api: Client) {
    let owner = api.demo_login("owner").await;
    let code = uscc("440300", 721);
    let chinese = format!(
        "统一社会信用代码,企业名称,城市,规模,成立年份,数据年份,用地面积（亩）,税收（万元）,营业收入（亿元）\n{code},中文表头（测试）,深圳市,规下,2015,2025,\"1,000\",２５０,1.5\n"
    );
    let (st, v) = import(&api, &owner, "中文.csv", chinese.into_bytes()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let a = firm(&api, &owner, &code).await;
    let machine = format!(
        "uscc,name,city,scale,founded_year,year,land_mu,tax_wan,revenue_wan\n{code},中文表头（测试）,深圳,below,2015,2025,1000,250,15000\n"
    );
    let (st, v) = import(&api, &owner, "machine.csv", machine.into_bytes()).await;
    assert_eq!((st, v["updated"].as_u64()), (StatusCode::CREATED, Some(1)), "{v}");
    let b = firm(&api, &owner, &code).await;
    for m in ["land_mu", "tax_wan", "revenue_wan"] {
        assert_eq!(figure(&a, m), figure(&b, m), "{m}");
    }
    assert_eq!(figure(&b, "revenue_wan"), Some(15000.0));
    assert_eq!(a["scale"], "below");
}
