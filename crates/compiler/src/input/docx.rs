//! Word .docx: the zip container, the parts' XML, and the body text of `word/document.xml` as one
//! line per paragraph (more where a paragraph holds line breaks), with automatic numbering rendered.
//!
//! Limits: headers, footers, footnotes, endnotes and comments (separate parts) are not read;
//! hidden text is recognised only from a run's direct `w:vanish`, not from styles; symbols in
//! `w:sym` (font-dependent glyphs) are dropped.

use std::borrow::Cow;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;

use super::numbering::{Counter, Numbering, Styles};
use super::text::normalize_line;
use super::{Format, InputError, Line, Source};

const DOCUMENT: &str = "word/document.xml";

/// The most any one part may decompress to: a zip bomb must not be able to take the memory.
const MAX_PART: u64 = 64 << 20;

pub(super) fn read(bytes: &[u8]) -> Result<Source, InputError> {
    read_limited(bytes, MAX_PART)
}

pub(super) fn read_limited(bytes: &[u8], limit: u64) -> Result<Source, InputError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad("archive", &format!("not a zip archive ({e})")))?;
    let document = part(&mut archive, DOCUMENT, limit)?.ok_or_else(|| bad(DOCUMENT, "missing"))?;
    let numbering = match part(&mut archive, "word/numbering.xml", limit)? {
        Some(xml) => Numbering::parse("word/numbering.xml", &xml)?,
        None => Numbering::default(),
    };
    let styles = match part(&mut archive, "word/styles.xml", limit)? {
        Some(xml) => Styles::parse("word/styles.xml", &xml)?,
        None => Styles::default(),
    };
    let lines = body_lines(&document, Counter::new(&numbering, &styles))?;
    if lines.is_empty() {
        return Err(InputError::NoText);
    }
    Ok(Source { format: Format::Docx, encoding: "UTF-8".to_string(), lines, html_title: None })
}

fn bad(part: &str, problem: &str) -> InputError {
    InputError::BadDocx { reason: format!("{part}: {problem}") }
}

/// The Chinese rendering of a `BadDocx` reason built by this module; technical details in
/// parentheses (from the zip or XML library) stay as they are.
pub(super) fn reason_zh(reason: &str) -> String {
    let Some((part, rest)) = reason.split_once(": ") else { return reason.to_string() };
    if part == "archive"
        && let Some(detail) = rest.strip_prefix("not a zip archive")
    {
        return format!("文件不是有效的 zip 压缩包{detail}");
    }
    if rest == "missing" && part == DOCUMENT {
        format!("压缩包中没有 {part}，它不是 Word 文档")
    } else if rest == "missing" {
        format!("缺少 {part}")
    } else if let Some(mib) = rest.strip_prefix("larger than ").and_then(|r| r.strip_suffix(" MiB uncompressed")) {
        format!("{part} 解压后大于 {mib} MiB，拒绝读取")
    } else if let Some(detail) = rest.strip_prefix("cannot be decompressed") {
        format!("{part} 无法解压{detail}")
    } else if rest == "not UTF-8 text" {
        format!("{part} 不是 UTF-8 编码的文本")
    } else if let Some(r) = rest.strip_prefix("malformed XML at byte ") {
        let (offset, detail) = r.split_once(' ').unwrap_or((r, ""));
        format!("{part} 的 XML 格式错误，位于第 {offset} 字节 {detail}").trim_end().to_string()
    } else {
        reason.to_string()
    }
}

/// One part of the archive as text, `None` if absent. Reading stops one byte past `limit`, so a
/// forged size in the zip header cannot make it read more.
fn part(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str, limit: u64) -> Result<Option<String>, InputError> {
    let too_large = || bad(name, &format!("larger than {} MiB uncompressed", limit.div_ceil(1 << 20)));
    let file = match archive.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(bad(name, &format!("cannot be decompressed ({e})"))),
    };
    if file.size() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| bad(name, &format!("cannot be decompressed ({e})")))?;
    if u64::try_from(bytes.len()).map_or(true, |n| n > limit) {
        return Err(too_large());
    }
    xml_text(name, bytes).map(Some)
}

/// XML parts are UTF-8 in practice; UTF-16 with a BOM is allowed by the XML spec and handled too.
fn xml_text(name: &str, bytes: Vec<u8>) -> Result<String, InputError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (text, _, had_errors) = encoding_rs::UTF_16LE.decode(&bytes);
        return if had_errors { Err(bad(name, "not UTF-8 text")) } else { Ok(text.into_owned()) };
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(body) {
        Ok(s) => Ok(s.to_string()),
        Err(_) => Err(bad(name, "not UTF-8 text")),
    }
}

/// Which vocabulary an element belongs to. Matching on namespaces rather than on the `w:` prefix
/// keeps documents from generators that pick other prefixes, and Strict OOXML, readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ns {
    Word,
    MarkupCompatibility,
    Other,
}

fn ns_of(resolved: &ResolveResult<'_>) -> Ns {
    match resolved {
        ResolveResult::Bound(Namespace(
            "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
            | "http://purl.oclc.org/ooxml/wordprocessingml/main",
        )) => Ns::Word,
        ResolveResult::Bound(Namespace("http://schemas.openxmlformats.org/markup-compatibility/2006")) => {
            Ns::MarkupCompatibility
        }
        _ => Ns::Other,
    }
}

/// What the walker hands on: elements (by namespace) and text with references resolved.
pub(super) enum Step<'a> {
    Start(Ns, &'a BytesStart<'a>),
    Empty(Ns, &'a BytesStart<'a>),
    End(Ns, &'a str),
    Text(&'a str),
}

/// Subtrees that are never shown: tracked deletions and moves-away, field instructions, the old
/// properties of tracked formatting changes (which would otherwise override current numbering),
/// ruby annotations, and the fallback copies of content already read from `mc:Choice`.
fn is_skipped(ns: Ns, local: &str) -> bool {
    match ns {
        Ns::Word => matches!(
            local,
            "del"
                | "moveFrom"
                | "delText"
                | "instrText"
                | "delInstrText"
                | "pPrChange"
                | "rPrChange"
                | "sectPrChange"
                | "tblPrChange"
                | "tblPrExChange"
                | "trPrChange"
                | "tcPrChange"
                | "numberingChange"
                | "rt"
        ),
        Ns::MarkupCompatibility => local == "Fallback",
        Ns::Other => false,
    }
}

pub(super) fn local<'a>(e: &'a BytesStart<'_>) -> &'a str {
    e.local_name().into_inner()
}

/// The unescaped value of the attribute with this local name (`w:val` → `val`).
pub(super) fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    let mut attrs = e.attributes();
    attrs.with_checks(false);
    attrs
        .map_while(Result::ok)
        .find(|a| a.key.local_name().into_inner() == name)
        .map(|a| super::html::decode_entities(&a.value))
}

/// An OOXML on/off property: present means on unless its `val` says otherwise.
pub(super) fn is_on(e: &BytesStart<'_>) -> bool {
    !matches!(attr(e, "val").as_deref(), Some("0" | "false" | "off"))
}

fn general_ref(r: &BytesRef<'_>) -> Cow<'static, str> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Cow::Owned(c.to_string()),
        Err(_) => Cow::Borrowed("\u{FFFD}"),
        Ok(None) => match &**r {
            "amp" => Cow::Borrowed("&"),
            "lt" => Cow::Borrowed("<"),
            "gt" => Cow::Borrowed(">"),
            "quot" => Cow::Borrowed("\""),
            "apos" => Cow::Borrowed("'"),
            other => Cow::Owned(format!("&{other};")),
        },
    }
}

/// Streams a part's XML to `f`, leaving out skipped subtrees. Malformed XML is a `BadDocx` naming
/// the part and byte offset.
pub(super) fn walk(part: &str, xml: &str, mut f: impl FnMut(Step<'_>)) -> Result<(), InputError> {
    let mut reader = NsReader::from_str(xml);
    let mut skip = 0usize;
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((resolved, event)) => (ns_of(&resolved), event),
            Err(e) => {
                return Err(bad(part, &format!("malformed XML at byte {} ({e})", reader.error_position())));
            }
        };
        match &event {
            Event::Start(e) => {
                if skip > 0 {
                    skip += 1;
                } else if is_skipped(ns, local(e)) {
                    skip = 1;
                } else {
                    f(Step::Start(ns, e));
                }
            }
            Event::Empty(e) if skip == 0 && !is_skipped(ns, local(e)) => f(Step::Empty(ns, e)),
            Event::End(e) => {
                if skip > 0 {
                    skip -= 1;
                } else {
                    f(Step::End(ns, e.local_name().into_inner()));
                }
            }
            Event::Text(t) if skip == 0 => f(Step::Text(&t.xml10_content())),
            Event::CData(t) if skip == 0 => f(Step::Text(&t.xml10_content())),
            Event::GeneralRef(r) if skip == 0 => f(Step::Text(&general_ref(r))),
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// A paragraph being read: its number, its text split at line breaks, and its numbering.
struct Para {
    no: usize,
    segments: Vec<String>,
    num_id: Option<String>,
    ilvl: Option<u8>,
    style: Option<String>,
}

struct Body<'n> {
    counter: Counter<'n>,
    /// Open paragraphs; more than one when a text box sits inside a paragraph.
    paras: Vec<Para>,
    count: usize,
    /// Depth inside `w:pPr`: tab stops and paragraph-mark properties there are not content.
    ppr: usize,
    rpr: usize,
    /// Open runs and whether each is hidden.
    runs: Vec<bool>,
    in_t: bool,
    lines: Vec<Line>,
}

fn body_lines(xml: &str, counter: Counter<'_>) -> Result<Vec<Line>, InputError> {
    let mut body =
        Body { counter, paras: Vec::new(), count: 0, ppr: 0, rpr: 0, runs: Vec::new(), in_t: false, lines: Vec::new() };
    walk(DOCUMENT, xml, |step| body.step(step))?;
    // Paragraphs left open by a truncated part still hold text worth keeping.
    while let Some(p) = body.paras.pop() {
        body.emit(p);
    }
    body.lines.sort_by_key(|l| l.no);
    Ok(body.lines)
}

impl Body<'_> {
    fn step(&mut self, step: Step<'_>) {
        match step {
            Step::Text(t) if self.in_t && !self.runs.iter().any(|&hidden| hidden) => self.push(t),
            Step::Start(Ns::Word, e) => match local(e) {
                "p" => {
                    self.count += 1;
                    self.paras.push(Para {
                        no: self.count,
                        segments: vec![String::new()],
                        num_id: None,
                        ilvl: None,
                        style: None,
                    });
                }
                "pPr" => self.ppr += 1,
                "rPr" => self.rpr += 1,
                "r" => self.runs.push(false),
                "t" => self.in_t = true,
                _ => self.element(e),
            },
            Step::Empty(Ns::Word, e) => match local(e) {
                // An empty paragraph still counts, so later numbers match what Word shows.
                "p" => self.count += 1,
                _ => self.element(e),
            },
            Step::End(Ns::Word, name) => match name {
                "p" => {
                    if let Some(p) = self.paras.pop() {
                        self.emit(p);
                    }
                }
                "pPr" => self.ppr = self.ppr.saturating_sub(1),
                "rPr" => self.rpr = self.rpr.saturating_sub(1),
                "r" => {
                    self.runs.pop();
                }
                "t" => self.in_t = false,
                _ => {}
            },
            _ => {}
        }
    }

    /// Elements that matter whether written empty or with children.
    fn element(&mut self, e: &BytesStart<'_>) {
        let in_content = self.ppr == 0 && !self.runs.is_empty();
        let visible = !self.runs.iter().any(|&hidden| hidden);
        match local(e) {
            "tab" | "ptab" if in_content && visible => self.push(" "),
            "noBreakHyphen" if in_content && visible => self.push("-"),
            "br" | "cr" if in_content && visible => {
                if let Some(p) = self.paras.last_mut() {
                    p.segments.push(String::new());
                }
            }
            "vanish" if self.ppr == 0 && self.rpr > 0 => {
                if let Some(hidden) = self.runs.last_mut() {
                    *hidden = is_on(e);
                }
            }
            "pStyle" if self.ppr > 0 => {
                if let Some(p) = self.paras.last_mut() {
                    p.style = attr(e, "val");
                }
            }
            "numId" if self.ppr > 0 => {
                if let Some(p) = self.paras.last_mut() {
                    p.num_id = attr(e, "val");
                }
            }
            "ilvl" if self.ppr > 0 => {
                if let Some(p) = self.paras.last_mut() {
                    p.ilvl = attr(e, "val").and_then(|v| v.trim().parse().ok());
                }
            }
            _ => {}
        }
    }

    fn push(&mut self, text: &str) {
        if let Some(seg) = self.paras.last_mut().and_then(|p| p.segments.last_mut()) {
            seg.push_str(text);
        }
    }

    fn emit(&mut self, mut p: Para) {
        let label = self.counter.label(p.num_id.as_deref(), p.ilvl, p.style.as_deref());
        if let (Some(label), Some(first)) = (label, p.segments.first_mut()) {
            first.insert_str(0, &label);
        }
        for seg in &p.segments {
            let text = normalize_line(seg);
            if !text.is_empty() {
                self.lines.push(Line { no: p.no, text });
            }
        }
    }
}
