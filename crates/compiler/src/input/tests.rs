use std::io::{Cursor, Write};

use jiqun_domain::Lang;

use super::numbering::format_number;
use super::*;

const PLAN: &str = "广东省培育新一代电子信息战略性支柱产业集群行动计划（２０２１—２０２５年）\n\
                    \n\
                    一、工作目标\n\
                    到２０２５年，产业营业收入达到６．５万亿元。\n\
                    （一）创新能力　显著 增强。\n";

fn texts(source: &Source) -> Vec<(usize, &str)> {
    source.lines.iter().map(|l| (l.no, l.text.as_str())).collect()
}

fn plan_lines() -> Vec<(usize, &'static str)> {
    vec![
        (1, "广东省培育新一代电子信息战略性支柱产业集群行动计划(2021—2025年)"),
        (3, "一、工作目标"),
        (4, "到2025年,产业营业收入达到6.5万亿元。"),
        (5, "(一)创新能力显著增强。"),
    ]
}

/// xorshift64: deterministic pseudo-random bytes without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

// --- normalize_line ---

#[test]
fn normalize_full_width_ascii() {
    assert_eq!(normalize_line("（一）目标：达到１００亿元；完成！吗？"), "(一)目标:达到100亿元;完成!吗?");
    assert_eq!(normalize_line("ＡＢＣ ｘｙｚ ＃％＆＠～"), "ABC xyz #%&@~");
    assert_eq!(normalize_line("到２０２５年，产值"), "到2025年,产值");
}

#[test]
fn normalize_keeps_cjk_punctuation() {
    let s = "一、“数字”《规划》〔2021〕【重点】——…。‘’";
    assert_eq!(normalize_line(s), s);
}

#[test]
fn normalize_spaces_and_invisibles() {
    assert_eq!(normalize_line("\u{3000}\u{3000}加快\u{00A0}\u{3000}推进  "), "加快推进");
    assert_eq!(normalize_line("a\u{200B}b\u{FEFF}c\u{200D}d\u{2060}e\u{00AD}f"), "abcdef");
    assert_eq!(normalize_line("x\u{0007}y\u{001B}z\u{007F}"), "xyz");
    assert_eq!(normalize_line("  Hello \t\u{2003}  world  "), "Hello world");
    assert_eq!(normalize_line(""), "");
    assert_eq!(normalize_line(" \u{3000}\u{200B} "), "");
}

#[test]
fn normalize_removes_spaces_inside_chinese() {
    assert_eq!(normalize_line("广东 省 培育 产业"), "广东省培育产业");
    assert_eq!(normalize_line("目标 ， 任务 。 措施"), "目标,任务。措施");
    assert_eq!(normalize_line("《 规划 》 印发"), "《规划》印发");
    assert_eq!(normalize_line("1. 加快建设"), "1.加快建设");
    assert_eq!(normalize_line("（一） 加快建设"), "(一)加快建设");
}

#[test]
fn normalize_keeps_spaces_between_words_and_numbers() {
    assert_eq!(normalize_line("New Generation IT 2025"), "New Generation IT 2025");
    assert_eq!(normalize_line("4.1 加快建设"), "4.1 加快建设");
    assert_eq!(normalize_line("采用 AI 技术"), "采用 AI 技术");
    assert_eq!(normalize_line("GDP 增长 5 %"), "GDP 增长 5 %");
}

// --- text decoding ---

#[test]
fn utf8_with_and_without_bom() {
    let plain = read(PLAN.as_bytes()).unwrap();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(PLAN.as_bytes());
    let with_bom = read(&bom).unwrap();
    assert_eq!(plain.format, Format::Text);
    assert_eq!(plain.encoding, "UTF-8");
    assert_eq!(texts(&plain), plan_lines());
    assert_eq!(with_bom, plain);
    assert_eq!(plain.html_title, None);
}

#[test]
fn gb18030_gives_the_same_lines() {
    let (bytes, _, errors) = encoding_rs::GB18030.encode(PLAN);
    assert!(!errors);
    let gb = read(&bytes).unwrap();
    assert_eq!(gb.encoding, "GB18030");
    assert_eq!(texts(&gb), plan_lines());
}

#[test]
fn gbk_without_full_width_digits_is_gb18030() {
    let text = "关于印发广东省发展智能制造产业集群行动计划的通知\n各地级以上市人民政府，省政府各部门：\n现将行动计划印发给你们，请认真组织实施。\n";
    let (bytes, _, _) = encoding_rs::GBK.encode(text);
    let src = read(&bytes).unwrap();
    assert_eq!(src.encoding, "GB18030");
    assert_eq!(src.lines[1].text, "各地级以上市人民政府,省政府各部门:");
}

#[test]
fn utf16_with_bom() {
    let mut le = vec![0xFF, 0xFE];
    le.extend(PLAN.encode_utf16().flat_map(u16::to_le_bytes));
    let src = read(&le).unwrap();
    assert_eq!(src.encoding, "UTF-16LE");
    assert_eq!(texts(&src), plan_lines());

    let mut be = vec![0xFE, 0xFF];
    be.extend(PLAN.encode_utf16().flat_map(u16::to_be_bytes));
    let src = read(&be).unwrap();
    assert_eq!(src.encoding, "UTF-16BE");
    assert_eq!(texts(&src), plan_lines());

    assert_eq!(read(&[0xFF, 0xFE, b' ', 0, b'\n', 0]), Err(InputError::Empty));
}

#[test]
fn line_endings_number_alike() {
    let lf = PLAN.to_string();
    let crlf = PLAN.replace('\n', "\r\n");
    let cr = PLAN.replace('\n', "\r");
    let a = read(lf.as_bytes()).unwrap();
    assert_eq!(read(crlf.as_bytes()).unwrap(), a);
    assert_eq!(read(cr.as_bytes()).unwrap(), a);
    assert_eq!(texts(&a), plan_lines());
    let mixed = read(b"a\r\nb\rc\nd\r\r\ne").unwrap();
    assert_eq!(texts(&mixed), vec![(1, "a"), (2, "b"), (3, "c"), (4, "d"), (6, "e")]);
}

#[test]
fn empty_inputs() {
    assert_eq!(read(b""), Err(InputError::Empty));
    assert_eq!(read(b"\xEF\xBB\xBF  \n"), Err(InputError::Empty));
    assert_eq!(read(b" \r\n\t "), Err(InputError::Empty));
    assert_eq!(read("\u{3000}\n".as_bytes()), Err(InputError::Empty));
    assert_eq!(read("\u{200B}\n".as_bytes()), Err(InputError::NoText));
}

#[test]
fn binary_inputs() {
    assert_eq!(read(b"plan text\x00more"), Err(InputError::Binary { offset: 9 }));
    assert_eq!(read(b"\xEF\xBB\xBFab\x00"), Err(InputError::Binary { offset: 5 }));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..50 {
        let bytes = rng.bytes(400);
        assert!(matches!(read(&bytes), Err(InputError::Binary { .. })), "{bytes:?}");
    }
    // A few control bytes among much text are tolerated: exported files hold a stray ESC.
    let mut text = "广东省行动计划\n".repeat(20).into_bytes();
    text.push(0x1B);
    assert!(read(&text).is_ok());
    // More than 1% is not.
    let mut dense = b"abcdefghij".repeat(5);
    dense.insert(3, 0x01);
    assert_eq!(read(&dense), Err(InputError::Binary { offset: 3 }));
}

#[test]
fn shift_jis_is_unknown_encoding() {
    let japanese = "日本の産業クラスター政策について、経済産業省はさまざまな取り組みを進めています。\
                    ひらがなとカタカナを多く含む文章です。これはテストのためのサンプルです。\n";
    let text = japanese.repeat(3);
    let (bytes, _, errors) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!errors);
    assert_eq!(read(&bytes), Err(InputError::UnknownEncoding { guess: "Shift_JIS".to_string() }));
}

#[test]
fn big5_is_unknown_encoding() {
    let traditional = "臺灣產業聚落發展計畫，經濟部將推動數位轉型與綠色轉型，強化國際競爭力。\
                       這個計畫說明了各個縣市的產業發展方向與實施策略。\n";
    let text = traditional.repeat(3);
    let (bytes, _, errors) = encoding_rs::BIG5.encode(&text);
    assert!(!errors);
    assert_eq!(read(&bytes), Err(InputError::UnknownEncoding { guess: "Big5".to_string() }));
}

// --- errors ---

#[test]
fn error_codes_and_messages() {
    let errors = [
        (InputError::Empty, "empty"),
        (InputError::Binary { offset: 42 }, "binary"),
        (InputError::UnknownEncoding { guess: "Big5".into() }, "unknown_encoding"),
        (InputError::BadDocx { reason: "word/document.xml: missing".into() }, "bad_docx"),
        (InputError::NoText, "no_text"),
    ];
    for (e, code) in &errors {
        assert_eq!(e.code(), *code);
        assert!(!e.message(Lang::Zh).is_empty());
        assert!(!e.message(Lang::En).is_empty());
        assert_eq!(e.to_string(), e.message(Lang::Zh));
    }
    assert!(errors[1].0.message(Lang::Zh).contains("42"));
    assert!(errors[1].0.message(Lang::En).contains("byte offset 42"));
    assert!(errors[2].0.message(Lang::Zh).contains("Big5"));
    assert_eq!(
        errors[3].0.message(Lang::Zh),
        "无法读取 .docx 文件：压缩包中没有 word/document.xml，它不是 Word 文档。"
    );
    assert_eq!(errors[3].0.message(Lang::En), "The .docx file cannot be read: word/document.xml: missing.");
    let xml = InputError::BadDocx { reason: "word/numbering.xml: malformed XML at byte 17 (ill-formed)".into() };
    assert_eq!(
        xml.message(Lang::Zh),
        "无法读取 .docx 文件：word/numbering.xml 的 XML 格式错误，位于第 17 字节 (ill-formed)。"
    );
    let _: &dyn std::error::Error = &errors[0].0;
}

// --- docx ---

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const MC: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

fn numbered(num: u32, level: u32, text: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
    )
}

fn document_xml() -> String {
    let body = [
        r#"<w:p><w:pPr><w:jc w:val="center"/><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr><w:r><w:t>广东省行动计划</w:t></w:r></w:p>"#.to_string(),
        "<w:p/>".to_string(),
        numbered(1, 0, "工作目标"),
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>创新能力</w:t></w:r><w:del w:id="1" w:author="x"><w:r><w:delText>删除的</w:delText></w:r></w:del><w:ins w:id="2" w:author="x"><w:r><w:t xml:space="preserve">显著</w:t></w:r></w:ins><w:r><w:t>增强。</w:t></w:r></w:p>"#.to_string(),
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>产业规模</w:t></w:r><w:r><w:br/><w:t>第二行</w:t></w:r></w:p>"#.to_string(),
        numbered(1, 0, "重点任务"),
        r#"<w:p><w:pPr><w:pStyle w:val="ListSub"/></w:pPr><w:r><w:t>加快</w:t></w:r><w:r><w:tab/><w:t>建设</w:t></w:r></w:p>"#.to_string(),
        r#"<w:tbl><w:tblPr/><w:tr><w:tc><w:p><w:r><w:t>指标</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>2025年</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#.to_string(),
        r#"<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r><w:r><w:t>A&amp;B&#x4E2D;</w:t></w:r><w:r><w:tab/><w:t>C</w:t></w:r></w:p>"#.to_string(),
        r#"<w:p><w:r><w:t>框外</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"#.to_string(),
        numbered(2, 0, "保障措施"),
        numbered(3, 0, "附则"),
        r#"<w:p><w:pPr><w:pStyle w:val="ListSub"/><w:pPrChange w:id="9"><w:pPr><w:numPr><w:numId w:val="7"/></w:numPr></w:pPr></w:pPrChange></w:pPr><w:r><w:t>推进</w:t></w:r></w:p>"#.to_string(),
        r#"<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>"#.to_string(),
    ]
    .concat();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W}" xmlns:mc="{MC}"><w:body>{body}</w:body></w:document>"#
    )
}

fn numbering_xml() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="{W}">
<w:abstractNum w:abstractNumId="0">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/><w:suff w:val="nothing"/><w:pPr><w:tabs><w:tab w:val="num" w:pos="420"/></w:tabs></w:pPr></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/><w:suff w:val="nothing"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="5">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="第%1条"/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="5"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="9"/></w:lvlOverride></w:num>
</w:numbering>"#
    )
}

fn styles_xml() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}">
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="ListBase"><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="ListSub"><w:basedOn w:val="ListBase"/><w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="character" w:styleId="Strong"><w:rPr><w:b/></w:rPr></w:style>
</w:styles>"#
    )
}

fn zip(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in parts {
        writer.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn docx_with(document: &str) -> Vec<u8> {
    let numbering = numbering_xml();
    let styles = styles_xml();
    zip(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("word/document.xml", document.as_bytes()),
        ("word/numbering.xml", numbering.as_bytes()),
        ("word/styles.xml", styles.as_bytes()),
    ])
}

#[test]
fn docx_paragraphs_tables_breaks_and_numbering() {
    let src = read(&docx_with(&document_xml())).unwrap();
    assert_eq!(src.format, Format::Docx);
    assert_eq!(src.encoding, "UTF-8");
    assert_eq!(
        texts(&src),
        vec![
            (1, "广东省行动计划"),
            (3, "一、工作目标"),
            (4, "(一)创新能力显著增强。"),
            (5, "(二)产业规模"),
            (5, "第二行"),
            (6, "二、重点任务"),
            (7, "(一)加快建设"),
            (8, "指标"),
            (9, "2025年"),
            (10, "3A&B中 C"),
            (11, "框外"),
            (12, "文本框"),
            // numId 2 shares abstract 0 with numId 1, so Word continues the sequence.
            (13, "三、保障措施"),
            (14, "第9条附则"),
            // The old numbering in w:pPrChange is not the current one.
            (15, "(一)推进"),
        ]
    );
}

#[test]
fn docx_with_other_prefix_and_no_numbering_part() {
    let doc = format!(
        r#"<?xml version="1.0"?><x:document xmlns:x="{W}"><x:body><x:p><x:r><x:t>第一段</x:t></x:r></x:p><x:p><x:pPr><x:numPr><x:ilvl x:val="0"/><x:numId x:val="1"/></x:numPr></x:pPr><x:r><x:t>无编号定义</x:t></x:r></x:p></x:body></x:document>"#
    );
    let bytes = zip(&[("word/document.xml", doc.as_bytes())]);
    let src = read(&bytes).unwrap();
    assert_eq!(texts(&src), vec![(1, "第一段"), (2, "无编号定义")]);
}

#[test]
fn docx_faults() {
    let bad = |bytes: &[u8]| match read(bytes) {
        Err(InputError::BadDocx { reason }) => reason,
        other => panic!("expected BadDocx, got {other:?}"),
    };
    let corrupt = bad(b"PK\x03\x04\x14\x00\x00\x00garbage that is no zip");
    assert!(corrupt.starts_with("archive: not a zip archive"), "{corrupt}");
    assert!(InputError::BadDocx { reason: corrupt }.message(Lang::Zh).contains("不是有效的 zip 压缩包"));

    let no_document = bad(&zip(&[("[Content_Types].xml", CONTENT_TYPES.as_bytes()), ("word/other.xml", b"<a/>")]));
    assert_eq!(no_document, "word/document.xml: missing");

    let malformed =
        bad(&zip(&[("word/document.xml", format!("<w:document xmlns:w=\"{W}\"><w:body><w:p></w:body>").as_bytes())]));
    assert!(malformed.starts_with("word/document.xml: malformed XML at byte "), "{malformed}");

    let bad_numbering = bad(&zip(&[
        ("word/document.xml", document_xml().as_bytes()),
        ("word/numbering.xml", b"<w:numbering><w:num></w:numbering>"),
    ]));
    assert!(bad_numbering.starts_with("word/numbering.xml: malformed XML"), "{bad_numbering}");

    let not_utf8 = bad(&zip(&[("word/document.xml", b"<a>\xB9\xE3</a>")]));
    assert_eq!(not_utf8, "word/document.xml: not UTF-8 text");

    let empty = zip(&[(
        "word/document.xml",
        format!("<w:document xmlns:w=\"{W}\"><w:body><w:p/></w:body></w:document>").as_bytes(),
    )]);
    assert_eq!(read(&empty), Err(InputError::NoText));
}

#[test]
fn docx_part_size_is_limited() {
    let big = format!("<w:document xmlns:w=\"{W}\"><w:body>{}</w:body></w:document>", "<w:p/>".repeat(100_000));
    let bytes = zip(&[("word/document.xml", big.as_bytes())]);
    match docx::read_limited(&bytes, 1 << 16) {
        Err(InputError::BadDocx { reason }) => {
            assert_eq!(reason, "word/document.xml: larger than 1 MiB uncompressed");
            assert!(InputError::BadDocx { reason }.message(Lang::Zh).contains("解压后大于 1 MiB"));
        }
        other => panic!("expected BadDocx, got {other:?}"),
    }
    assert_eq!(docx::read_limited(&bytes, 1 << 20), Err(InputError::NoText));
}

#[test]
fn number_formats() {
    let chinese: Vec<String> = [1, 2, 9, 10, 11, 15, 20, 21, 35, 99, 100, 101, 110, 1000, 10010]
        .iter()
        .map(|&n| format_number(n, "chineseCounting"))
        .collect();
    assert_eq!(
        chinese,
        [
            "一",
            "二",
            "九",
            "十",
            "十一",
            "十五",
            "二十",
            "二十一",
            "三十五",
            "九十九",
            "一百",
            "一百〇一",
            "一百一十",
            "一千",
            "一万〇一十"
        ]
    );
    assert_eq!(format_number(101, "chineseCountingThousand"), "一百零一");
    assert_eq!(format_number(12, "chineseLegalSimplified"), "壹拾贰");
    assert_eq!(format_number(3, "ideographTraditional"), "丙");
    assert_eq!(format_number(11, "ideographTraditional"), "11");
    assert_eq!(format_number(28, "lowerLetter"), "bb");
    assert_eq!(format_number(3, "upperLetter"), "C");
    assert_eq!(format_number(1994, "upperRoman"), "MCMXCIV");
    assert_eq!(format_number(4, "lowerRoman"), "iv");
    assert_eq!(format_number(3, "decimalEnclosedCircle"), "③");
    assert_eq!(format_number(7, "decimalZero"), "07");
    assert_eq!(format_number(7, "somethingNew"), "7");
    assert_eq!(format_number(0, "lowerLetter"), "0");
}

// --- html ---

const PAGE: &str = "<!DOCTYPE html>
<html>
<head>
<meta charset=\"utf-8\">
<title>广东省 行动计划 &amp; 通知</title>
<style>p { color: red; } </p></style>
<script>var s = \"<p>不应出现</p></script\";</script>
</head>
<BODY>
<!-- 注释 <p>不应出现</p> -->
<h1>广东省培育产业集群行动计划</h1>
<p>一、工作目标</p>
<div hidden><p>隐藏内容</p><div>更深</div><span>未闭合</div>
<div style=\"color:red; DISPLAY : none\">也隐藏</div>
<p>到2025年，产值达到&nbsp;1&nbsp;万亿元&mdash;&#x4E2D;&#20013;&bogus; &#0;&#xD800;&#150; 1 &lt; 2
<table><tr><td>指标</td><td>target</td></tr><tr><td><table><tr><td>内</td><td>嵌</td></tr></table></td><td>值</td></tr></table>
<p>第一行<br>第二行<br/>第三行</p>
<p>跨
行文本</p>
<a href=\"x\" title=\"a>b\">链接</a> < 不是标签
<noscript>请启用</noscript><template><p>模板</p></template><svg><text>图</text></svg>
<pre>预格式
第二行</pre>
<ul><li>甲<li>乙</ul>
</body>
</html>
";

#[test]
fn html_visible_text() {
    let src = read(PAGE.as_bytes()).unwrap();
    assert_eq!(src.format, Format::Html);
    assert_eq!(src.encoding, "UTF-8");
    assert_eq!(src.html_title.as_deref(), Some("广东省行动计划&通知"));
    assert_eq!(
        texts(&src),
        vec![
            (11, "广东省培育产业集群行动计划"),
            (12, "一、工作目标"),
            (15, "到2025年,产值达到 1 万亿元—中中&bogus; \u{FFFD}\u{FFFD}– 1 < 2"),
            (16, "指标 target"),
            (16, "内嵌"),
            (16, "值"),
            (17, "第一行"),
            (17, "第二行"),
            (17, "第三行"),
            (18, "跨行文本"),
            (20, "链接<不是标签"),
            (22, "预格式"),
            (23, "第二行"),
            (24, "甲"),
            (24, "乙"),
        ]
    );
}

#[test]
fn html_declared_gb2312_with_gb18030_body() {
    let page = "<html><head><meta charset=\"gb2312\"><title>通知</title></head>\n<body><p>一、总体要求</p>\n<p>（一）发展目标：到２０２５年</p></body></html>";
    let (bytes, _, errors) = encoding_rs::GB18030.encode(page);
    assert!(!errors);
    let src = read(&bytes).unwrap();
    assert_eq!(src.format, Format::Html);
    assert_eq!(src.encoding, "GB18030");
    assert_eq!(src.html_title.as_deref(), Some("通知"));
    assert_eq!(texts(&src), vec![(2, "一、总体要求"), (3, "(一)发展目标:到2025年")]);

    let http_equiv = page
        .replace("<meta charset=\"gb2312\">", "<META http-equiv=\"Content-Type\" content=\"text/html; charset=GBK\">");
    let (bytes, _, _) = encoding_rs::GB18030.encode(&http_equiv);
    assert_eq!(texts(&read(&bytes).unwrap()), vec![(2, "一、总体要求"), (3, "(一)发展目标:到2025年")]);
}

#[test]
fn html_sniffing() {
    let html = |s: &str| read(s.as_bytes()).map(|src| src.format);
    assert_eq!(html("  <p>段落</p>"), Ok(Format::Html));
    assert_eq!(html("<DIV>段落</DIV>"), Ok(Format::Html));
    assert_eq!(
        html("<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><body>x</body></html>"),
        Ok(Format::Html)
    );
    assert_eq!(html("<!-- c --><span>x</span><p>y</p>"), Ok(Format::Html));
    assert_eq!(html("<2025年>行动计划"), Ok(Format::Text));
    assert_eq!(html("plain <p> text"), Ok(Format::Text));
    assert_eq!(read(b"<html><script>x</script></html>"), Err(InputError::NoText));
    assert_eq!(read(b"<html><head><title>t</title></head>Hello</html>").map(|s| texts(&s).len()), Ok(1));
}

#[test]
fn html_tolerates_broken_markup() {
    for page in [
        "<html><body><p>a<div>b</span></p></div></body>",
        "<html><p title=\"unterminated>text",
        "<html><p>&#xFFFFFFFFFF; &#99999999999; &#; &#x; &amp &nbsp",
        "<html><p hidden>x<p>visible",
        "<html><span hidden>x</div>",
        "<html></",
        "<html><p>a</",
        "<html><!-- unterminated",
        "<html><script>never closed",
    ] {
        let _ = read(page.as_bytes());
    }
    let src = read(b"<html><p hidden>x<p>visible").unwrap();
    assert_eq!(texts(&src), vec![(1, "visible")]);
    let src = read(b"<html><div><span hidden>x</div><p>shown</p>").unwrap();
    assert_eq!(texts(&src), vec![(1, "shown")]);
}

// --- robustness ---

#[test]
fn arbitrary_bytes_never_panic() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let prefixes: [&[u8]; 7] = [b"", b"PK\x03\x04", b"<html>", b"\xEF\xBB\xBF", b"\xFF\xFE", b"<p>", b"<?xml "];
    let alphabet: Vec<char> = "<>/=\"'&;#x!-? \n\r\tabcdpshtmlr0123456789一、（）：，。的".chars().collect();
    let mut seen = std::collections::HashMap::new();
    for i in 0..3000 {
        let prefix = prefixes[i % prefixes.len()];
        let len = rng.below(512);
        let mut bytes = prefix.to_vec();
        if i % 2 == 0 {
            bytes.extend(rng.bytes(len));
        } else {
            let s: String = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
            bytes.extend(s.as_bytes());
        }
        let outcome = match read(&bytes) {
            Ok(src) => format!("{:?}", src.format),
            Err(e) => e.code().to_string(),
        };
        *seen.entry(outcome).or_insert(0) += 1;
    }
    // The inputs must reach every path, not stop at the binary check.
    for outcome in ["Html", "Text", "binary", "bad_docx", "empty", "no_text"] {
        assert!(seen.contains_key(outcome), "{outcome} never reached: {seen:?}");
    }
}

#[test]
fn large_and_deep_inputs_stay_linear() {
    let mut page = String::from("<html><body>");
    page.push_str(&"<font><span>字".repeat(50_000));
    page.push_str(&"</i>".repeat(50_000));
    page.push_str("<p>尾</p>");
    let src = read(page.as_bytes()).unwrap();
    assert_eq!(src.lines.last().map(|l| l.text.as_str()), Some("尾"));

    let text = "一、工作目标\r\n".repeat(100_000);
    assert_eq!(read(text.as_bytes()).unwrap().lines.len(), 100_000);

    let deep = format!(
        "<w:document xmlns:w=\"{W}\"><w:body>{}</w:body></w:document>",
        "<w:p><w:r><w:t>段</w:t></w:r></w:p>".repeat(50_000)
    );
    assert_eq!(read(&docx_with(&deep)).unwrap().lines.len(), 50_000);
}

#[test]
fn html_script_self_closed_and_hidden_blocks() {
    let src = read(b"<html><script src=\"a.js\"/><p>shown</p>a<div hidden>x</div>b").unwrap();
    assert_eq!(texts(&src), vec![(1, "shown"), (1, "ab")]);
}

#[test]
fn mutated_docx_never_panics() {
    let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
    let good = docx_with(&document_xml());
    for _ in 0..300 {
        let mut bytes = good.clone();
        for _ in 0..=rng.below(8) {
            let at = rng.below(bytes.len());
            bytes[at] = rng.next() as u8;
        }
        if rng.below(4) == 0 {
            bytes.truncate(rng.below(bytes.len()));
        }
        let _ = read(&bytes);
    }
    let xml = document_xml();
    let pieces: [&str; 8] = ["<w:p>", "</w:p>", "<w:r>", "<w:t>", "</w:t>", "&amp;", "&#0;", "<w:br/>"];
    for _ in 0..100 {
        let mut doc = xml.clone();
        for _ in 0..=rng.below(4) {
            let mut at = rng.below(doc.len());
            while !doc.is_char_boundary(at) {
                at -= 1;
            }
            doc.insert_str(at, pieces[rng.below(pieces.len())]);
        }
        let _ = read(&docx_with(&doc));
    }
}
