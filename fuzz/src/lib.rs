//! What the fuzz targets share: each reader driven the way the application drives it, and the zip archive
//! a .docx or .xlsx is, built around XML parts the fuzzer mutates (a mutated archive mostly fails its
//! checksums, so the XML readers behind the zip would rarely be reached from raw archives alone).

use std::io::{Cursor, Write};

use jiqun_domain::Lang;
use jiqun_office::sheet;
use jiqun_office::template::{self, Mark};

/// Separates the XML parts in a structured input: 0xFF never occurs in UTF-8.
pub const PART_SEPARATOR: u8 = 0xFF;

/// A zip archive (stored, no compression) of the given files.
pub fn archive(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in files {
        if zip.start_file(*name, options).is_err() || zip.write_all(bytes).is_err() {
            return Vec::new();
        }
    }
    zip.finish().map(Cursor::into_inner).unwrap_or_default()
}

/// A fuzz input as an Office file: bytes that are already a zip archive are taken as they are; other bytes
/// are split at `PART_SEPARATOR` into the parts named in `parts`, wrapped with the fixed files around them.
pub fn office_file(data: &[u8], parts: &[&str], fixed: &[(&str, &[u8])]) -> Vec<u8> {
    if sheet::is_zip(data) {
        return data.to_vec();
    }
    let mut files: Vec<(&str, &[u8])> = fixed.to_vec();
    for (name, bytes) in parts.iter().zip(data.split(|&b| b == PART_SEPARATOR)) {
        files.push((name, bytes));
    }
    archive(&files)
}

/// The parts of an .xlsx that the fuzzer writes, in the order a structured input gives them.
pub const XLSX_PARTS: [&str; 4] =
    ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml"];

/// The fixed parts of a one-sheet .xlsx around `XLSX_PARTS`.
pub const XLSX_FIXED: [(&str, &[u8]); 2] = [
    (
        "[Content_Types].xml",
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#,
    ),
    (
        "xl/_rels/workbook.xml.rels",
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#,
    ),
];

/// The parts of a .docx that the fuzzer writes.
pub const DOCX_PARTS: [&str; 3] = ["word/document.xml", "word/numbering.xml", "word/styles.xml"];

/// An import as `jiqun import` and the upload route take it: the file located (decoded, read as a sheet,
/// its header row found), then every cell of a known column read as the checks read it (number with its
/// unit, whole number, date, text); a refused file is marked up as the annotated workbook is.
pub fn import(bytes: &[u8]) {
    let Ok(located) = jiqun_app::imports::locate(bytes, "fuzz.csv", None) else { return };
    let mut marks = Vec::new();
    for row in located.rows().take(200) {
        for (c, name) in located.names.iter().enumerate() {
            let Some(name) = name else { continue };
            let cell = located.cell(row, name);
            let _ = located.text(row, name);
            let _ = cell.display();
            let _ = located.number(row, name, Some("万元"));
            let _ = located.number(row, name, None);
            let _ = located.whole(row, name);
            let _ = sheet::date(cell);
            if let Err(e) = located.whole(row, name) {
                marks.push(Mark { row: row.number, column: Some(c), message: e.message(Lang::Zh) });
            }
        }
    }
    if located.sheet.rows.len() <= 50 {
        let _ = template::annotate(&located.sheet, located.name_row, &marks, Lang::Zh);
    }
}
