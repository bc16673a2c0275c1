//! The same document in other clothes gives the same plan: GBK, full-width punctuation, CRLF, a BOM,
//! .docx paragraphs, and a GBK web page with its furniture.

use std::io::Write;

use jiqun_compiler::{BUILTIN_TEXT, Options, builtin, compile};
use jiqun_domain::plan::{Item, Plan};

/// Compares two plans through their JSON, naming the first line that differs (a whole plan in a panic
/// message is unreadable).
fn same(a: &Plan, b: &Plan, what: &str) {
    let (a, b) = (serde_json::to_string_pretty(a).unwrap(), serde_json::to_string_pretty(b).unwrap());
    if let Some((i, (x, y))) = a.lines().zip(b.lines()).enumerate().find(|(_, (x, y))| x != y) {
        panic!("{what}: line {i} differs:\n  {x}\n  {y}");
    }
    assert_eq!(a.lines().count(), b.lines().count(), "{what}: lengths differ");
}

fn plan_of(bytes: &[u8]) -> Plan {
    compile(bytes, &Options::default()).expect("compiles")
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            ',' => '，',
            '(' => '（',
            ')' => '）',
            ':' => '：',
            ';' => '；',
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c),
            c => c,
        })
        .collect()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn docx(lines: &[&str]) -> Vec<u8> {
    let mut body = String::new();
    for l in lines {
        body.push_str(&format!(r#"<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#, xml_escape(l)));
    }
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        z.start_file("[Content_Types].xml", opts).unwrap();
        z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#).unwrap();
        z.start_file("word/document.xml", opts).unwrap();
        z.write_all(document.as_bytes()).unwrap();
        z.finish().unwrap();
    }
    buf.into_inner()
}

/// Line numbers differ between a text file and a web page; everything else must not.
fn without_lines(mut p: Plan) -> Plan {
    fn clear(items: &mut [Item]) {
        for it in items {
            it.line = 0;
            clear(&mut it.children);
        }
    }
    for s in &mut p.sections {
        clear(&mut s.items);
    }
    for d in &mut p.diagnostics {
        d.line = None;
    }
    p
}

#[test]
fn gbk_gives_the_same_plan() {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(BUILTIN_TEXT);
    assert!(!unmappable);
    assert_ne!(bytes.as_ref(), BUILTIN_TEXT.as_bytes());
    same(&plan_of(&bytes), &builtin(&Options::default()), "GBK");
}

#[test]
fn full_width_punctuation_crlf_and_bom_give_the_same_plan() {
    let reference = builtin(&Options::default());
    let fw = full_width(BUILTIN_TEXT);
    assert_ne!(fw, BUILTIN_TEXT);
    same(&plan_of(fw.as_bytes()), &reference, "full-width");
    let crlf = BUILTIN_TEXT.replace('\n', "\r\n");
    same(&plan_of(crlf.as_bytes()), &reference, "CRLF");
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(BUILTIN_TEXT.as_bytes());
    same(&plan_of(&bom), &reference, "BOM");
    // All at once, in GB18030.
    let all_text = full_width(&crlf);
    let (all, _, _) = encoding_rs::GB18030.encode(&all_text);
    same(&plan_of(&all), &reference, "GB18030 + full-width + CRLF");
}

#[test]
fn docx_paragraphs_give_the_same_plan() {
    let lines: Vec<&str> = BUILTIN_TEXT.lines().collect();
    same(&plan_of(&docx(&lines)), &builtin(&Options::default()), "docx");
}

#[test]
fn a_gbk_web_page_with_furniture_gives_the_same_plan() {
    let mut html = String::from(
        "<!DOCTYPE html>\n<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">\
         <title>广东省人民政府门户网站</title><style>p{margin:0}</style>\
         <script>var x = '一、不是章节';</script></head>\n<body>\n\
         <div class=\"nav\">首页 &gt; 政务公开 &gt; 政策文件</div>\n\
         <div style=\"display:none\">一、隐藏的章节</div>\n<div class=\"content\">\n",
    );
    for l in BUILTIN_TEXT.lines() {
        html.push_str(&format!("<p>{}</p>\n", xml_escape(l)));
    }
    html.push_str("</div><!-- 一、注释 --><div class=\"footer\">【打印】 【关闭】</div></body></html>\n");
    let (bytes, _, _) = encoding_rs::GB18030.encode(&html);
    let p = plan_of(&bytes);
    same(&without_lines(p), &without_lines(builtin(&Options::default())), "html");
}
