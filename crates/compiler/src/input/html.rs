//! Html: sniffing, the `<meta charset>` declaration, and the visible text of a page as lines, by a
//! small forgiving tokenizer (pages pasted from government sites are rarely well-formed).
//!
//! Line numbers are the html source lines on which each block's first visible character stands,
//! so a message can point into the file the user has. Limits: no CSS beyond an inline
//! `display:none`; text in `<textarea>` and `<select>` is shown as if it were ordinary text.

use std::collections::HashMap;

use encoding_rs::Encoding;

use super::Line;
use super::text::normalize_line;

/// Tag names whose presence near the start makes a `<`-led file html rather than text.
const TELLTALE_TAGS: &[&str] =
    &["html", "head", "body", "meta", "p", "div", "table", "br", "title", "span", "h1", "h2", "h3", "ul", "li"];

/// Whether the bytes (or decoded text) are html: after an optional UTF-8 BOM and whitespace, a
/// doctype or a common html tag, or an xml declaration of xhtml, or any `<`-led text with an
/// html tag in its first 4 KB.
pub(super) fn sniff(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    let head = bytes.get(start..).unwrap_or_default();
    let head = head.get(..4096).unwrap_or(head).to_ascii_lowercase();
    if !head.starts_with(b"<") {
        return false;
    }
    if head.starts_with(b"<!doctype html") {
        return true;
    }
    if head.starts_with(b"<?xml") && (find(&head, b"xhtml", 0).is_some() || find(&head, b"<html", 0).is_some()) {
        return true;
    }
    if ["html", "head", "body", "meta", "p", "div"].iter().any(|t| tag_at(&head, 0, t)) {
        return true;
    }
    head.iter().enumerate().any(|(i, &b)| b == b'<' && TELLTALE_TAGS.iter().any(|t| tag_at(&head, i, t)))
}

/// Whether `lower` has the start tag `<name` at `i`, followed by whatever may end a tag name.
fn tag_at(lower: &[u8], i: usize, name: &str) -> bool {
    let Some(rest) = lower.get(i..) else { return false };
    let Some(after) = rest.strip_prefix(b"<").and_then(|r| r.strip_prefix(name.as_bytes())) else {
        return false;
    };
    matches!(after.first(), None | Some(b'>' | b'/') | Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'))
}

/// The encoding a page declares in its first 2 KB (`<meta charset="gbk">` or
/// `content="text/html; charset=gb2312"`), by the WHATWG label table.
pub(super) fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = bytes.get(..2048).unwrap_or(bytes).to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = find(&head, b"charset", from) {
        from = at + 1;
        let mut k = at + b"charset".len();
        while head.get(k).is_some_and(u8::is_ascii_whitespace) {
            k += 1;
        }
        if head.get(k) != Some(&b'=') {
            continue;
        }
        k += 1;
        while head.get(k).is_some_and(|&c| c.is_ascii_whitespace() || c == b'"' || c == b'\'') {
            k += 1;
        }
        let label_start = k;
        while head.get(k).is_some_and(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':')) {
            k += 1;
        }
        if let Some(enc) = head.get(label_start..k).and_then(Encoding::for_label) {
            return Some(enc);
        }
    }
    None
}

/// The visible text of a page and its title.
pub(super) struct Page {
    pub lines: Vec<Line>,
    pub title: Option<String>,
}

pub(super) fn extract(src: &str) -> Page {
    let mut ex = Extractor {
        src,
        b: src.as_bytes(),
        lower: src.as_bytes().to_ascii_lowercase(),
        pos: 0,
        line: 1,
        lines: Vec::new(),
        cur: String::new(),
        cur_no: None,
        title: None,
        open: Vec::new(),
        open_count: HashMap::new(),
        skip_from: None,
    };
    ex.run();
    ex.flush();
    Page { lines: ex.lines, title: ex.title }
}

/// Elements whose content is raw text up to their end tag, never markup.
const RAW_TEXT: &[&str] = &["script", "style", "title", "xmp", "iframe", "noembed", "noframes", "noscript"];

/// Elements whose whole subtree is not shown.
const UNSHOWN: &[&str] = &["template", "svg", "object", "canvas", "audio", "video", "datalist"];

const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input", "keygen", "link",
    "meta", "param", "source", "track", "wbr",
];

/// Headings: blocks (`BLOCK`) that also close an open `<p>` (`CLOSES_P`).
const HEADINGS: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6"];

/// Elements that start a new line where they open and where they close, with `HEADINGS`.
const BLOCK: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "hr",
    "form",
    "main",
    "aside",
    "figure",
    "figcaption",
    "address",
    "center",
    "caption",
    "tbody",
    "thead",
    "tfoot",
    "fieldset",
    "legend",
    "details",
    "summary",
    "menu",
    "hgroup",
    "dir",
    "listing",
    "option",
    "body",
    "html",
];

/// Start tags that close an open `<p>`, as the html parsing algorithm does, with `HEADINGS`.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "header",
    "hgroup",
    "hr",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "ul",
    "li",
    "dd",
    "dt",
    "listing",
];

fn is_block(name: &str) -> bool {
    BLOCK.contains(&name) || HEADINGS.contains(&name)
}

const HEAD_CONTENT: &[&str] = &["title", "meta", "link", "style", "script", "base", "noscript", "template"];

/// Deeper nesting than this is not tracked; it only occurs in generated garbage, and the bound keeps
/// memory in proportion.
const MAX_OPEN: usize = 1024;

struct Extractor<'a> {
    src: &'a str,
    b: &'a [u8],
    /// ASCII-lowercased copy with the same byte offsets, for case-insensitive searches.
    lower: Vec<u8>,
    pos: usize,
    /// The source line at `pos`.
    line: usize,
    lines: Vec<Line>,
    cur: String,
    cur_no: Option<usize>,
    title: Option<String>,
    /// Open elements, to know when a hidden subtree ends even if its own end tag is missing.
    open: Vec<String>,
    /// How many of each name are open, so unmatched end tags and ancestor questions cost no scan.
    open_count: HashMap<String, usize>,
    /// While set, everything from this depth of `open` down is hidden.
    skip_from: Option<usize>,
}

struct Tag {
    name: String,
    self_closing: bool,
    hidden: bool,
    end: usize,
}

impl Extractor<'_> {
    fn run(&mut self) {
        while let Some(&c) = self.b.get(self.pos) {
            if c == b'<' {
                if !self.markup() {
                    self.push_char('<');
                    self.pos += 1;
                }
            } else {
                let end = find(self.b, b"<", self.pos + 1).unwrap_or(self.b.len());
                self.text(end);
            }
        }
    }

    /// Counts line breaks up to `to` and moves there; a CR counts only when no LF follows it.
    fn advance_to(&mut self, to: usize) {
        let to = to.min(self.b.len()).max(self.pos);
        for k in self.pos..to {
            match self.b.get(k) {
                Some(b'\n') => self.line += 1,
                Some(b'\r') if self.b.get(k + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
        }
        self.pos = to;
    }

    fn after(&self, from: usize, needle: &[u8]) -> usize {
        find(self.b, needle, from).map_or(self.b.len(), |at| at + needle.len())
    }

    /// Handles markup at `<`; false when the `<` is literal text.
    fn markup(&mut self) -> bool {
        let at = self.pos;
        let next = self.b.get(at + 1).copied();
        if self.b.get(at..).is_some_and(|r| r.starts_with(b"<!--")) {
            // Searching from `<!` also ends the abrupt comments `<!-->` and `<!--->`.
            let end = self.after(at + 2, b"-->");
            self.advance_to(end);
            return true;
        }
        match next {
            Some(b'!' | b'?') => {
                let end = self.after(at, b">");
                self.advance_to(end);
                true
            }
            Some(b'/') => match self.b.get(at + 2) {
                Some(c) if c.is_ascii_alphabetic() => {
                    let name_end = name_end(self.b, at + 2);
                    let name = lower_name(&self.lower, at + 2, name_end);
                    let end = self.after(name_end, b">");
                    self.advance_to(end);
                    self.end_tag(&name);
                    true
                }
                None => false,
                Some(_) => {
                    // `</>` vanishes; `</ …>` and the like are bogus comments.
                    let end = self.after(at, b">");
                    self.advance_to(end);
                    true
                }
            },
            Some(c) if c.is_ascii_alphabetic() => {
                let tag = parse_start_tag(self.b, &self.lower, at);
                self.advance_to(tag.end);
                self.start_tag(tag);
                true
            }
            _ => false,
        }
    }

    fn start_tag(&mut self, tag: Tag) {
        let name = tag.name.as_str();
        // `<script src="…"/>` comes from xhtml-minded pages that mean it closed; reading it as the
        // start of raw text would swallow the rest of the page.
        if RAW_TEXT.contains(&name) {
            if !tag.self_closing {
                self.raw_text(name);
            }
            return;
        }
        if self.in_head() && !HEAD_CONTENT.contains(&name) {
            self.close("head");
        }
        if name == "head" {
            self.push_open(name);
            return;
        }
        self.close_implied(name);
        let opens = !tag.self_closing && !VOID.contains(&name);
        if opens && self.push_open(name) && self.skip_from.is_none() && (tag.hidden || UNSHOWN.contains(&name)) {
            self.skip_from = Some(self.open.len() - 1);
        }
        if self.skip_from.is_some() {
            return;
        }
        if is_block(name) {
            self.flush();
        } else if name == "td" || name == "th" {
            self.push_char(' ');
        }
    }

    fn end_tag(&mut self, name: &str) {
        if name == "br" {
            // `</br>` is a `<br>` to browsers.
            if self.skip_from.is_none() {
                self.flush();
            }
            return;
        }
        // A hidden block generates no box, so its end separates nothing either.
        let was_hidden = self.skip_from.is_some();
        self.close(name);
        if !was_hidden && is_block(name) {
            self.flush();
        }
    }

    /// Records an open element; false when nesting is too deep to track.
    fn push_open(&mut self, name: &str) -> bool {
        let room = self.open.len() < MAX_OPEN;
        if room {
            self.open.push(name.to_string());
            *self.open_count.entry(name.to_string()).or_insert(0) += 1;
        }
        room
    }

    fn is_open(&self, name: &str) -> bool {
        self.open_count.get(name).is_some_and(|&n| n > 0)
    }

    fn in_head(&self) -> bool {
        self.is_open("head")
    }

    /// Pops the innermost open `name` and everything inside it; an end tag nothing matches is
    /// ignored, as browsers do.
    fn close(&mut self, name: &str) {
        if !self.is_open(name) {
            return;
        }
        if let Some(i) = self.open.iter().rposition(|n| n == name) {
            self.truncate(i);
        }
    }

    fn truncate(&mut self, len: usize) {
        for name in self.open.drain(len.min(self.open.len())..) {
            if let Some(n) = self.open_count.get_mut(&name) {
                *n = n.saturating_sub(1);
            }
        }
        if self.skip_from.is_some_and(|from| from >= len) {
            self.skip_from = None;
        }
    }

    /// Closes what a start tag implicitly ends (`<p>a<p>b`, `<li>a<li>b`, `<td>a<td>b`), stopping
    /// at the container that scopes it.
    fn close_implied(&mut self, name: &str) {
        let (targets, scope): (&[&str], &[&str]) = match name {
            "li" => (&["li", "p"], &["ul", "ol", "table", "td", "th"]),
            "dt" | "dd" => (&["dt", "dd", "p"], &["dl", "table", "td", "th"]),
            "td" | "th" => (&["td", "th"], &["tr", "table"]),
            "tr" => (&["tr", "td", "th"], &["table", "tbody", "thead", "tfoot"]),
            "tbody" | "thead" | "tfoot" => (&["tbody", "thead", "tfoot", "tr", "td", "th"], &["table"]),
            "option" => (&["option"], &["select", "datalist"]),
            _ if CLOSES_P.contains(&name) || HEADINGS.contains(&name) => {
                (&["p"], &["td", "th", "table", "caption", "button", "object", "template"])
            }
            _ => return,
        };
        // Only the innermost elements are searched: the bound keeps deeply unclosed markup (old pages
        // never close their <font>) linear, and an implied end further out changes nothing visible.
        for i in (0..self.open.len()).rev().take(64) {
            let Some(open) = self.open.get(i) else { break };
            if targets.contains(&open.as_str()) {
                // Close the outermost target in the run, e.g. `td` together with a `p` inside it.
                let mut cut = i;
                while cut > 0 && self.open.get(cut - 1).is_some_and(|o| targets.contains(&o.as_str())) {
                    cut -= 1;
                }
                self.truncate(cut);
                return;
            }
            if scope.contains(&open.as_str()) {
                return;
            }
        }
    }

    /// Skips a raw-text element's content; a `<title>` outside hidden content becomes the title.
    fn raw_text(&mut self, name: &str) {
        let content_start = self.pos;
        let (content_end, end) = find_end_tag(&self.lower, content_start, name);
        if name == "title" && self.skip_from.is_none() && self.title.is_none() {
            let raw = self.src.get(content_start..content_end).unwrap_or_default();
            let title = normalize_line(&decode_entities(raw));
            if !title.is_empty() {
                self.title = Some(title);
            }
        }
        self.advance_to(end);
    }

    /// Text up to `end`, with entities decoded; source newlines are spaces except inside `<pre>`.
    fn text(&mut self, end: usize) {
        let Some(seg) = self.src.get(self.pos..end) else {
            self.advance_to(end);
            return;
        };
        if self.skip_from.is_some() {
            self.advance_to(end);
            return;
        }
        if self.in_head() {
            if seg.trim().is_empty() {
                self.advance_to(end);
                return;
            }
            // Text cannot stand in the head; browsers end the head and show it.
            self.close("head");
        }
        let in_pre = self.is_open("pre") || self.is_open("listing");
        let bytes = seg.as_bytes();
        let mut k = 0;
        while let Some(&c) = bytes.get(k) {
            match c {
                b'\n' => {
                    self.line += 1;
                    self.newline(in_pre);
                    k += 1;
                }
                b'\r' => {
                    if bytes.get(k + 1) != Some(&b'\n') {
                        self.line += 1;
                        self.newline(in_pre);
                    }
                    k += 1;
                }
                b'&' => match entity(bytes.get(k..).unwrap_or_default()) {
                    Some((ch, len)) => {
                        self.push_char(ch);
                        k += len;
                    }
                    None => {
                        self.push_char('&');
                        k += 1;
                    }
                },
                _ => match seg.get(k..).and_then(|r| r.chars().next()) {
                    Some(ch) => {
                        self.push_char(ch);
                        k += ch.len_utf8();
                    }
                    None => k += 1,
                },
            }
        }
        self.pos = end;
    }

    fn newline(&mut self, in_pre: bool) {
        if in_pre {
            self.flush();
        } else {
            self.cur.push(' ');
        }
    }

    fn push_char(&mut self, c: char) {
        if self.cur_no.is_none() && !c.is_whitespace() {
            self.cur_no = Some(self.line);
        }
        self.cur.push(c);
    }

    fn flush(&mut self) {
        let text = normalize_line(&self.cur);
        if !text.is_empty() {
            self.lines.push(Line { no: self.cur_no.unwrap_or(self.line), text });
        }
        self.cur.clear();
        self.cur_no = None;
    }
}

/// Where a tag name starting at `from` ends.
fn name_end(b: &[u8], from: usize) -> usize {
    let mut j = from;
    while b.get(j).is_some_and(|&c| !(c.is_ascii_whitespace() || c == b'/' || c == b'>')) {
        j += 1;
    }
    j
}

fn lower_name(lower: &[u8], from: usize, to: usize) -> String {
    String::from_utf8_lossy(lower.get(from..to).unwrap_or_default()).into_owned()
}

/// Parses the start tag at `at` (`<` then a letter) far enough to know its name, whether it closes
/// itself, and whether it is hidden. Quoted attribute values may hold `>`.
fn parse_start_tag(b: &[u8], lower: &[u8], at: usize) -> Tag {
    let mut j = name_end(b, at + 1);
    let name = lower_name(lower, at + 1, j);
    let mut self_closing = false;
    let mut hidden = false;
    loop {
        while let Some(&c) = b.get(j) {
            if c.is_ascii_whitespace() {
                j += 1;
            } else if c == b'/' {
                j += 1;
                self_closing = b.get(j) == Some(&b'>');
            } else {
                break;
            }
        }
        match b.get(j) {
            None => return Tag { name, self_closing: false, hidden, end: b.len() },
            Some(b'>') => return Tag { name, self_closing, hidden, end: j + 1 },
            Some(_) => {}
        }
        self_closing = false;
        let name_start = j;
        // The first character is part of the name even if it is `=`, as in the html spec.
        j += 1;
        while b.get(j).is_some_and(|&c| !(c.is_ascii_whitespace() || matches!(c, b'/' | b'>' | b'='))) {
            j += 1;
        }
        let attr = lower.get(name_start..j).unwrap_or_default();
        while b.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        let mut value: &[u8] = &[];
        if b.get(j) == Some(&b'=') {
            j += 1;
            while b.get(j).is_some_and(u8::is_ascii_whitespace) {
                j += 1;
            }
            match b.get(j) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    let close = find(b, &[q], j + 1).unwrap_or(b.len());
                    value = lower.get(j + 1..close).unwrap_or_default();
                    j = close + 1;
                }
                _ => {
                    let start = j;
                    while b.get(j).is_some_and(|&c| !(c.is_ascii_whitespace() || c == b'>')) {
                        j += 1;
                    }
                    value = lower.get(start..j).unwrap_or_default();
                }
            }
        }
        if attr == b"hidden" {
            hidden = true;
        } else if attr == b"style" {
            let compact: Vec<u8> = value.iter().copied().filter(|c| !c.is_ascii_whitespace()).collect();
            hidden |= find(&compact, b"display:none", 0).is_some();
        }
    }
}

/// The end of a raw-text element's content and the position after its end tag; without an end
/// tag, the content runs to the end of the input as it does in browsers.
fn find_end_tag(lower: &[u8], from: usize, name: &str) -> (usize, usize) {
    let needle = format!("</{name}");
    let mut k = from;
    while let Some(at) = find(lower, needle.as_bytes(), k) {
        let after_name = at + needle.len();
        match lower.get(after_name) {
            None => return (at, lower.len()),
            Some(&c) if c.is_ascii_whitespace() || c == b'/' || c == b'>' => {
                let end = find(lower, b">", after_name).map_or(lower.len(), |p| p + 1);
                return (at, end);
            }
            Some(_) => k = at + 1,
        }
    }
    (lower.len(), lower.len())
}

/// The first occurrence of `needle` in `hay` at or after `from`.
pub(super) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

pub(super) fn decode_entities(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut k = 0;
    while let Some(rest) = s.get(k..) {
        let Some(ch) = rest.chars().next() else { break };
        if ch == '&'
            && let Some((decoded, len)) = entity(bytes.get(k..).unwrap_or_default())
        {
            out.push(decoded);
            k += len;
            continue;
        }
        out.push(ch);
        k += ch.len_utf8();
    }
    out
}

/// Decodes the character reference at the start of `s` (which begins with `&`) and says how many
/// bytes it took. Numeric references may lack the `;`, as browsers allow; named ones may not.
fn entity(s: &[u8]) -> Option<(char, usize)> {
    if s.get(1) == Some(&b'#') {
        let (radix, digits) = match s.get(2) {
            Some(b'x' | b'X') => (16, 3),
            _ => (10, 2),
        };
        let mut k = digits;
        let mut value: u32 = 0;
        while let Some(d) = s.get(k).and_then(|&c| char::from(c).to_digit(radix)) {
            value = value.saturating_mul(radix).saturating_add(d);
            k += 1;
        }
        if k == digits {
            return None;
        }
        if s.get(k) == Some(&b';') {
            k += 1;
        }
        return Some((numeric_char(value), k));
    }
    let mut k = 1;
    while k <= 32 && s.get(k).is_some_and(u8::is_ascii_alphanumeric) {
        k += 1;
    }
    if s.get(k) != Some(&b';') {
        return None;
    }
    let name = std::str::from_utf8(s.get(1..k)?).ok()?;
    named_entity(name).map(|c| (c, k + 1))
}

/// A numeric reference's character: NUL, surrogates and values past U+10FFFF are U+FFFD, and
/// 0x80..0x9F mean their windows-1252 characters (`&#150;` is a dash), both as browsers do.
fn numeric_char(value: u32) -> char {
    match value {
        0 => '\u{FFFD}',
        0x80..=0x9F => u8::try_from(value)
            .ok()
            .and_then(|b| encoding_rs::WINDOWS_1252.decode_without_bom_handling(&[b]).0.chars().next())
            .unwrap_or('\u{FFFD}'),
        _ => char::from_u32(value).unwrap_or('\u{FFFD}'),
    }
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "nbsp" => '\u{A0}',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "amp" | "AMP" => '&',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "middot" => '·',
        "emsp" => '\u{2003}',
        "ensp" => '\u{2002}',
        "thinsp" => '\u{2009}',
        "times" => '×',
        "divide" => '÷',
        "copy" | "COPY" => '©',
        "reg" | "REG" => '®',
        "trade" => '™',
        "yen" => '¥',
        "euro" => '€',
        "pound" => '£',
        "cent" => '¢',
        "deg" => '°',
        "plusmn" => '±',
        "permil" => '‰',
        "sect" => '§',
        "para" => '¶',
        "bull" => '•',
        "laquo" => '«',
        "raquo" => '»',
        "larr" => '←',
        "rarr" => '→',
        "uarr" => '↑',
        "darr" => '↓',
        "le" => '≤',
        "ge" => '≥',
        "ne" => '≠',
        "asymp" => '≈',
        "shy" => '\u{AD}',
        _ => return None,
    })
}
