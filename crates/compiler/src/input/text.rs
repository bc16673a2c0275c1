//! Plain text: byte decoding (BOM, UTF-8, GB18030, UTF-16), the binary check, line splitting and the
//! line normalisation every format shares.

use encoding_rs::Encoding;

use super::{InputError, Line};

/// Decodes text bytes. `declared` is asked for an in-document charset declaration (html `<meta>`)
/// only when the bytes have no BOM and are not UTF-8, since a declaration cannot override either.
/// Returns the text without BOM and the encoding's name as `Source.encoding` spells it.
pub(super) fn decode(
    bytes: &[u8],
    declared: impl FnOnce(&[u8]) -> Option<&'static Encoding>,
) -> Result<(String, &'static str), InputError> {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return decode_utf16(rest, false);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return decode_utf16(rest, true);
    }
    let (body, bom_len, utf8_bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, 3, true),
        None => (bytes, 0, false),
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::Empty);
    }
    if let Some(offset) = binary_offset(body) {
        return Err(InputError::Binary { offset: offset + bom_len });
    }
    let (text, encoding) = if let Ok(s) = std::str::from_utf8(body) {
        (s.to_string(), "UTF-8")
    } else if utf8_bom {
        // The BOM is an explicit statement of UTF-8; a few broken sequences do not outvote it.
        (String::from_utf8_lossy(body).into_owned(), "UTF-8")
    } else {
        match declared(body) {
            // A page that says UTF-8 and mostly is has a few broken bytes; they become U+FFFD.
            Some(enc) if enc == encoding_rs::UTF_8 => (String::from_utf8_lossy(body).into_owned(), "UTF-8"),
            Some(enc) if is_gb(enc) => (decode_gb18030(body)?, "GB18030"),
            // Any other declaration is as likely a stale template default as the truth: let the
            // detector decide.
            _ => (detect_and_decode(body)?, "GB18030"),
        }
    };
    if text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    Ok((text, encoding))
}

fn is_gb(enc: &'static Encoding) -> bool {
    enc == encoding_rs::GBK || enc == encoding_rs::GB18030
}

/// Returns GB18030 text or says which encoding the bytes look like; GBK is decoded as its
/// superset GB18030 so that characters outside GBK written by newer software survive.
fn detect_and_decode(body: &[u8]) -> Result<String, InputError> {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(body, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
    if is_gb(guess) {
        decode_gb18030(body)
    } else {
        Err(InputError::UnknownEncoding { guess: guess.name().to_string() })
    }
}

fn decode_gb18030(body: &[u8]) -> Result<String, InputError> {
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(body)
        .map(|s| s.into_owned())
        .ok_or_else(|| InputError::UnknownEncoding { guess: "GB18030".to_string() })
}

/// Control bytes that plain text legitimately holds.
fn is_text_control(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn is_suspect(b: u8) -> bool {
    (b < 0x20 && !is_text_control(b)) || b == 0x7f
}

/// The offset of the first offending byte if the bytes look binary: any NUL, or control bytes
/// making up more than 1% (a stray ESC or form feed in an exported text must not reject it).
fn binary_offset(body: &[u8]) -> Option<usize> {
    if let Some(nul) = body.iter().position(|&b| b == 0) {
        return Some(nul);
    }
    let count = body.iter().filter(|&&b| is_suspect(b)).count();
    if count > 0 && count.saturating_mul(100) > body.len() {
        return body.iter().position(|&b| is_suspect(b));
    }
    None
}

/// Decodes UTF-16 after its BOM, applying the binary check to code units since the bytes of
/// UTF-16 text are full of NULs. An unpaired surrogate never occurs in real UTF-16 text, so it is
/// taken as a sign of binary data behind a lucky `FF FE`; a dangling odd last byte is dropped as a
/// truncation.
fn decode_utf16(body: &[u8], big_endian: bool) -> Result<(String, &'static str), InputError> {
    let name = if big_endian { "UTF-16BE" } else { "UTF-16LE" };
    let units: Vec<u16> = body
        .chunks_exact(2)
        .map(|pair| match *pair {
            [a, b] if big_endian => u16::from_be_bytes([a, b]),
            [a, b] => u16::from_le_bytes([a, b]),
            _ => 0,
        })
        .collect();
    let suspect = |u: u16| u8::try_from(u).is_ok_and(|b| b == 0 || is_suspect(b));
    let offset_of = |i: usize| 2 + 2 * i;
    if let Some(i) = units.iter().position(|&u| u == 0) {
        return Err(InputError::Binary { offset: offset_of(i) });
    }
    let count = units.iter().filter(|&&u| suspect(u)).count();
    if count > 0
        && count.saturating_mul(100) > units.len()
        && let Some(i) = units.iter().position(|&u| suspect(u))
    {
        return Err(InputError::Binary { offset: offset_of(i) });
    }
    let mut text = String::with_capacity(units.len());
    let mut at = 0;
    for decoded in char::decode_utf16(units.iter().copied()) {
        match decoded {
            Ok(c) => {
                text.push(c);
                at += c.len_utf16();
            }
            Err(_) => return Err(InputError::Binary { offset: offset_of(at) }),
        }
    }
    if text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    Ok((text, name))
}

/// Physical lines: CRLF, LF and a lone CR each end one, so files from any platform number alike.
pub(super) fn split_lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['\r', '\n']) {
        out.push(&rest[..i]);
        let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
        rest = &rest[i + skip..];
    }
    out.push(rest);
    out
}

/// The non-empty normalised lines of plain text, numbered by physical line.
pub(super) fn lines(text: &str) -> Vec<Line> {
    split_lines(text)
        .into_iter()
        .enumerate()
        .filter_map(|(i, raw)| {
            let text = normalize_line(raw);
            (!text.is_empty()).then_some(Line { no: i + 1, text })
        })
        .collect()
}

/// Characters that occupy no space and carry no text: zero-width spaces and joiners, BOM, word
/// joiner, soft hyphen, Mongolian vowel separator and bidi controls that web copies leave behind.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Han ideographs and kana: scripts written without spaces between words.
pub(super) fn is_cjk(c: char) -> bool {
    matches!(
        c,
        '\u{2E80}'..='\u{2FDF}'
            | '\u{3005}'..='\u{3007}'
            | '\u{3021}'..='\u{3029}'
            | '\u{3038}'..='\u{303B}'
            | '\u{3040}'..='\u{30FF}'
            | '\u{31F0}'..='\u{31FF}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{20000}'..='\u{3FFFF}'
    )
}

/// Punctuation used in CJK text that is not ASCII (full-width ASCII variants are ASCII by the
/// time this is asked).
fn is_cjk_punct(c: char) -> bool {
    !is_cjk(c)
        && matches!(
            c,
            '\u{00B7}'
                | '\u{2010}'..='\u{2027}'
                | '\u{2030}'..='\u{205E}'
                | '\u{3001}'..='\u{303F}'
                | '\u{FE10}'..='\u{FE1F}'
                | '\u{FE30}'..='\u{FE6F}'
                | '\u{FF5F}'..='\u{FF65}'
                | '\u{FFE0}'..='\u{FFEE}'
        )
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation() || is_cjk_punct(c)
}

/// Whether a single space between `a` and `b` is an artefact: Chinese takes no spaces, so one
/// beside an ideograph and another ideograph or punctuation mark was put there by a layout or a
/// copy. Spaces between a CJK character and a digit or Latin word stay, since `4.1 加快` and
/// `1 总体要求` use them as the separator after a heading number.
fn space_is_artefact(a: char, b: char) -> bool {
    (is_cjk(a) && (is_cjk(b) || is_punct(b))) || (is_cjk(b) && is_punct(a)) || (is_cjk_punct(a) && is_cjk_punct(b))
}

/// Normalises one line of text for matching: full-width ASCII variants (U+FF01..U+FF5E, e.g.
/// `，（）：１Ａ`) become ASCII; every Unicode space becomes an ASCII space; zero-width characters,
/// soft hyphens and control characters go; runs of spaces collapse; the ends are trimmed; and a
/// space between two CJK characters, or between a CJK character and punctuation, is removed.
/// CJK punctuation outside the full-width block (`。、“”《》—…`) is left alone.
pub fn normalize_line(s: &str) -> String {
    let mut collapsed: Vec<char> = Vec::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !collapsed.is_empty();
            continue;
        }
        if c.is_control() {
            continue;
        }
        if pending_space {
            collapsed.push(' ');
            pending_space = false;
        }
        collapsed.push(c);
    }
    let mut out = String::with_capacity(collapsed.len() * 3);
    let mut prev: Option<char> = None;
    for (i, &c) in collapsed.iter().enumerate() {
        if c == ' '
            && let (Some(a), Some(&b)) = (prev, collapsed.get(i + 1))
            && space_is_artefact(a, b)
        {
            continue;
        }
        out.push(c);
        prev = Some(c);
    }
    out
}
