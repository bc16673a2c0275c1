use std::io::Read as _;

use quick_xml::events::Event;

use super::*;

/// A one-pixel PNG.
fn png() -> Vec<u8> {
    let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
    p.extend_from_slice(&[
        0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
    ]);
    p
}

fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().unwrap().into_owned(), v)
        })
        .collect()
}

/// Parses the XML completely, failing on any error; returns the elements' names with their attributes.
fn elements(xml: &[u8]) -> Vec<(String, Vec<(String, String)>)> {
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = e.name().as_ref().to_string();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        let raw: &str = &a.value;
                        (a.key.as_ref().to_string(), quick_xml::escape::unescape(raw).unwrap().into_owned())
                    })
                    .collect();
                out.push((name, attrs));
            }
            Ok(Event::Text(t)) => {
                let _ = t.xml10_content();
            }
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", r.buffer_position()),
        }
        buf.clear();
    }
    out
}

fn attr_of<'a>(el: &'a (String, Vec<(String, String)>), key: &str) -> Option<&'a str> {
    el.1.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn sample() -> Document {
    let mut d = Document::new("通报 <测试> & “引号”", "Jiqun");
    d.created("2026-12-07");
    d.styled(Para::Title, "广东省\n实施进展通报");
    d.heading(1, "一、目标完成情况").heading(2, "（一）汇总").heading(3, "细目").heading(9, "too deep");
    d.paragraph("含控制字符\u{0}\u{1b}与\u{FFFE}和 <尖括号> & \"引号\"\t制表");
    let mut t = Table::new(["序号", "指标", "最新值"]).widths(&[1.5, 8.0, 3.0]).align(&[
        Align::Centre,
        Align::Left,
        Align::Right,
    ]);
    t.row(["1", "产业规模", "7万亿元"]);
    t.row(["2", "短行"]);
    d.table(&t);
    d.picture(png(), 15.0, 7.5, "图 “1” <alt>").unwrap();
    d.page_break();
    d
}

#[test]
fn every_part_is_well_formed_xml() {
    let bytes = sample().to_bytes().unwrap();
    let parts = parts(&bytes);
    let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
    for want in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/document.xml",
        "word/styles.xml",
        "word/footer1.xml",
        "docProps/core.xml",
        "word/media/image1.png",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    for (name, body) in &parts {
        if name.ends_with(".xml") || name.ends_with(".rels") {
            elements(body);
        }
    }
    let doc = &parts.iter().find(|(n, _)| n == "word/document.xml").unwrap().1;
    let s = std::str::from_utf8(doc).unwrap();
    assert!(!s.contains('\u{0}') && !s.contains('\u{1b}') && !s.contains('\u{FFFE}'), "forbidden characters dropped");
    assert!(s.contains("&lt;尖括号&gt; &amp; \"引号\""), "text escaped");
    let core =
        std::str::from_utf8(&parts.iter().find(|(n, _)| n == "docProps/core.xml").unwrap().1).unwrap().to_string();
    assert!(
        core.contains("<dc:title>通报 &lt;测试&gt; &amp; “引号”</dc:title>")
            && core.contains("<dc:creator>Jiqun</dc:creator>")
    );
    assert!(core.contains("2026-12-07T00:00:00Z"));
}

#[test]
fn headings_carry_the_built_in_heading_styles() {
    let parts = parts(&sample().to_bytes().unwrap());
    let doc = elements(&parts.iter().find(|(n, _)| n == "word/document.xml").unwrap().1);
    let styles: Vec<&str> = doc.iter().filter(|e| e.0 == "w:pStyle").filter_map(|e| attr_of(e, "w:val")).collect();
    assert_eq!(
        styles.iter().filter(|s| s.starts_with("Heading")).copied().collect::<Vec<_>>(),
        ["Heading1", "Heading2", "Heading3", "Heading3"]
    );
    let st = elements(&parts.iter().find(|(n, _)| n == "word/styles.xml").unwrap().1);
    // Each heading style: its id, Word's built-in name, its outline level, 黑体 as the East Asian font.
    for level in 1..=3 {
        let at = st
            .iter()
            .position(|e| e.0 == "w:style" && attr_of(e, "w:styleId") == Some(&format!("Heading{level}")))
            .unwrap();
        let end = st[at + 1..].iter().position(|e| e.0 == "w:style").map(|p| at + 1 + p).unwrap_or(st.len());
        let body = &st[at..end];
        assert!(body.iter().any(|e| e.0 == "w:name" && attr_of(e, "w:val") == Some(&format!("heading {level}"))));
        assert!(body.iter().any(|e| e.0 == "w:outlineLvl" && attr_of(e, "w:val") == Some(&(level - 1).to_string())));
        assert!(body.iter().any(|e| e.0 == "w:rFonts" && attr_of(e, "w:eastAsia") == Some(HEADING_FONT)));
    }
    // The body's East Asian font, with its fallback in the font table.
    assert!(st.iter().any(|e| e.0 == "w:rFonts" && attr_of(e, "w:eastAsia") == Some("仿宋_GB2312")));
    let fonts = elements(&parts.iter().find(|(n, _)| n == "word/fontTable.xml").unwrap().1);
    let at = fonts.iter().position(|e| e.0 == "w:font" && attr_of(e, "w:name") == Some("仿宋_GB2312")).unwrap();
    assert_eq!(fonts[at + 1].0, "w:altName");
    assert_eq!(attr_of(&fonts[at + 1], "w:val"), Some("仿宋"));
}

#[test]
fn the_header_row_repeats_and_the_page_is_a4() {
    let parts = parts(&sample().to_bytes().unwrap());
    let doc = elements(&parts.iter().find(|(n, _)| n == "word/document.xml").unwrap().1);
    assert_eq!(doc.iter().filter(|e| e.0 == "w:tblHeader").count(), 1, "one header row");
    let first_tr = doc.iter().position(|e| e.0 == "w:tr").unwrap();
    assert_eq!(doc[first_tr + 2].0, "w:cantSplit");
    assert_eq!(doc[first_tr + 3].0, "w:tblHeader", "the first row is flagged");
    assert_eq!(doc.iter().filter(|e| e.0 == "w:tr").count(), 3);
    // Every row has a cell for each column, the short one too.
    assert_eq!(doc.iter().filter(|e| e.0 == "w:tc").count(), 9);
    assert_eq!(doc.iter().filter(|e| e.0 == "w:tblBorders").count(), 1);
    let pg = doc.iter().find(|e| e.0 == "w:pgSz").unwrap();
    assert_eq!((attr_of(pg, "w:w"), attr_of(pg, "w:h")), (Some("11906"), Some("16838")));
    let footer =
        std::str::from_utf8(&parts.iter().find(|(n, _)| n == "word/footer1.xml").unwrap().1).unwrap().to_string();
    assert!(footer.contains(" PAGE "), "a page number field");
}

#[test]
fn a_picture_is_inline_with_its_relationship_and_alt_text() {
    let parts = parts(&sample().to_bytes().unwrap());
    let doc = elements(&parts.iter().find(|(n, _)| n == "word/document.xml").unwrap().1);
    let blip = doc.iter().find(|e| e.0 == "a:blip").unwrap();
    let rid = attr_of(blip, "r:embed").unwrap();
    assert!(doc.iter().any(|e| e.0 == "wp:inline"));
    assert!(doc.iter().any(|e| e.0 == "wp:docPr" && attr_of(e, "descr") == Some("图 “1” <alt>")));
    let ext = doc.iter().find(|e| e.0 == "wp:extent").unwrap();
    assert_eq!((attr_of(ext, "cx"), attr_of(ext, "cy")), (Some("5400000"), Some("2700000")));
    let rels = elements(&parts.iter().find(|(n, _)| n == "word/_rels/document.xml.rels").unwrap().1);
    let rel = rels.iter().find(|e| attr_of(e, "Id") == Some(rid)).unwrap();
    assert_eq!(attr_of(rel, "Target"), Some("media/image1.png"));
    let types =
        std::str::from_utf8(&parts.iter().find(|(n, _)| n == "[Content_Types].xml").unwrap().1).unwrap().to_string();
    assert!(types.contains("Extension=\"png\" ContentType=\"image/png\""));
}

#[test]
fn what_is_not_a_png_is_refused() {
    let mut d = Document::new("t", "c");
    assert!(matches!(d.picture(b"GIF89a".to_vec(), 1.0, 1.0, "x"), Err(DocxError::NotPng { .. })));
    // Nonsense sizes still give a picture within the page.
    d.picture(png(), f64::NAN, -3.0, "x").unwrap();
    d.picture(png(), 1e9, 1e9, "x").unwrap();
    assert_eq!(d.pictures(), 2);
    let parts = parts(&d.to_bytes().unwrap());
    let doc = elements(&parts.iter().find(|(n, _)| n == "word/document.xml").unwrap().1);
    for ext in doc.iter().filter(|e| e.0 == "wp:extent") {
        let cx: f64 = attr_of(ext, "cx").unwrap().parse().unwrap();
        assert!(cx > 0.0 && cx <= f64::from(TEXT_WIDTH_TWIPS) / TWIPS_PER_CM * EMU_PER_CM + 1.0);
    }
}

#[test]
fn an_empty_document_and_an_empty_table_are_still_documents() {
    let mut d = Document::new("", "");
    d.created("not a date");
    d.table(&Table::default());
    let parts = parts(&d.to_bytes().unwrap());
    for (name, body) in &parts {
        if name.ends_with(".xml") {
            elements(body);
        }
    }
}
