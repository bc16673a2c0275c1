//! `jiqun export --db URL --table NAME --format csv|json|xlsx --output FILE`: a table of the database as the
//! application gives it (`App::export_table`), written as CSV (UTF-8 with a byte-order mark, so that Excel
//! reads Chinese), a JSON array of objects, or an Excel workbook of one sheet.

use std::io::Write;
use std::path::Path;

use clap::ValueEnum;
use jiqun_app::export::Exported;
use jiqun_domain::Lang;
use jiqun_web::kit::ui::Csv;
use serde_json::Value;

use crate::{Refusal, io_refusal, server};

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
    Xlsx,
}

pub fn run(db: &str, table: &str, format: ExportFormat, output: &Path, lang: Lang) -> Result<(), Refusal> {
    server::block_on(async move {
        let app = server::open(db).await?;
        let t = app.export_table(table, lang).await?;
        let bytes = match format {
            ExportFormat::Csv => csv(&t).into_bytes(),
            ExportFormat::Json => {
                let rows: Vec<Value> = t.rows.iter().cloned().map(Value::Object).collect();
                let mut s = serde_json::to_string_pretty(&rows).map_err(jiqun_app::AppError::internal)?;
                s.push('\n');
                s.into_bytes()
            }
            ExportFormat::Xlsx => xlsx(&t, table)
                .map_err(|e| Refusal(jiqun_app::AppError::io(output, true, &std::io::Error::other(e.to_string()))))?,
        };
        // Written beside the target and renamed when complete: a failed export leaves no partial file.
        let tmp = output.with_extension("partial");
        std::fs::write(&tmp, &bytes).map_err(io_refusal(output, true))?;
        std::fs::rename(&tmp, output).map_err(io_refusal(output, true))?;
        say!(
            lang,
            ("已导出 {} 行到 {}。", t.rows.len(), output.display()),
            ("{} rows exported to {}.", t.rows.len(), output.display())
        );
        Ok(())
    })
}

fn cells(t: &Exported) -> impl Iterator<Item = Vec<String>> + '_ {
    t.rows.iter().map(|r| t.columns.iter().map(|c| r.get(*c).map(Exported::cell).unwrap_or_default()).collect())
}

/// The table as CSV: a header of the column names, CRLF line ends, cells Excel would read as formulas
/// quoted.
pub fn csv(t: &Exported) -> String {
    let mut out = Csv::new(&t.columns);
    for row in cells(t) {
        out.row(row);
    }
    out.text().to_string()
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Control characters other than tab and line ends are not allowed in XML 1.0.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The column letters of a 0-based index (A … Z, AA …).
fn column_name(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// The table as an Excel workbook (Office Open XML) of one sheet named after the table: a header row, then
/// the rows; numbers as numbers, everything else as inline text.
pub fn xlsx(t: &Exported, sheet: &str) -> zip::result::ZipResult<Vec<u8>> {
    let mut rows_xml = String::new();
    let mut push_row = |n: usize, values: Vec<(String, bool)>| {
        rows_xml.push_str(&format!("<row r=\"{n}\">"));
        for (i, (v, number)) in values.into_iter().enumerate() {
            let at = format!("{}{n}", column_name(i));
            if v.is_empty() {
                continue;
            }
            if number {
                rows_xml.push_str(&format!("<c r=\"{at}\"><v>{v}</v></c>"));
            } else {
                rows_xml.push_str(&format!(
                    "<c r=\"{at}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
                    xml_escape(&v)
                ));
            }
        }
        rows_xml.push_str("</row>");
    };
    push_row(1, t.columns.iter().map(|c| (c.to_string(), false)).collect());
    for (k, r) in t.rows.iter().enumerate() {
        let values = t
            .columns
            .iter()
            .map(|c| match r.get(*c) {
                Some(Value::Number(n)) => (n.to_string(), true),
                Some(v) => (Exported::cell(v), false),
                None => (String::new(), false),
            })
            .collect();
        push_row(k + 2, values);
    }
    let sheet_xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{rows_xml}</sheetData></worksheet>"
    );
    let files: [(&str, String); 5] = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>".into(),
        ),
        (
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>".into(),
        ),
        (
            "xl/workbook.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"{}\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
                xml_escape(sheet)
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>".into(),
        ),
        ("xl/worksheets/sheet1.xml", sheet_xml),
    ];
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, body) in files {
        z.start_file(name, opts)?;
        z.write_all(body.as_bytes())?;
    }
    Ok(z.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    #[test]
    fn column_names_run_past_z() {
        let names: Vec<String> = [0, 25, 26, 27, 51, 52, 701, 702].into_iter().map(super::column_name).collect();
        assert_eq!(names, ["A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }
}
