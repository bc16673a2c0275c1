//! The evaluation's input and output files (contracts §4). Input: UTF-8 CSV with a header row, one
//! enterprise a row; every row is checked (USCC check character, numbers, land, required fields,
//! duplicates, one evaluation year) and each error names its line and column. The 15 contract columns
//! are required in any order; `county`, `industry` and `tenants` are optional (required when the scheme
//! reads them); other columns are ignored.
//!
//! Speed: two threads each take the next block of the file (read under a lock, so one reads while the
//! other parses) and parse each row in one pass over its bytes (a careful path takes any row that is not
//! plain, with the same result or the error); blocks are appended in file order and their buffers reused.

use std::io::{Read, Write as _};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use jiqun_domain::Lang;
use jiqun_domain::enterprise::EVALUATION_INPUTS;
// The fast USCC check (`validate` gives the error when this says no).
use jiqun_domain::uscc::is_valid as uscc_ok;

use super::{Class, Dataset, Enterprise, Evaluation, FIGURES, FastMap, GroupKey, Needs, Scale, Scheme, both};

/// The contract's columns: who and when, then the evaluation's nine inputs in their order.
pub const COLUMNS: [&str; 15] = {
    let head = ["uscc", "name", "city", "scale", "founded_year", "year"];
    let mut all = [""; 15];
    let mut i = 0;
    while i < all.len() {
        all[i] = if i < head.len() { head[i] } else { EVALUATION_INPUTS[i - head.len()] };
        i += 1;
    }
    all
};

/// Optional input columns a scheme may read.
pub const OPTIONAL_COLUMNS: [&str; 3] = ["county", "industry", "tenants"];

/// Columns that must not be empty; the figures after them may be (an empty denominator makes its
/// indicator undefined; an empty `emission_t` means not reported).
const REQUIRED: [bool; 15] =
    [true, true, true, true, true, true, true, true, false, false, false, false, false, false, false];

/// A block of input parsed at once.
const BLOCK: usize = 4 << 20;

#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    pub line: usize,
    pub column: String,
    pub zh: String,
    pub en: String,
}

impl RowError {
    pub fn message(&self, lang: Lang) -> &str {
        if lang == Lang::Zh { &self.zh } else { &self.en }
    }
}

fn err(line: usize, column: &str, zh: String, en: String) -> RowError {
    RowError { line, column: column.to_string(), zh, en }
}

/// What a column of the file holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Uscc,
    Name,
    City,
    Scale,
    FoundedYear,
    Year,
    /// A figure, by its place in `Enterprise::figures`.
    Figure(u8),
    County,
    Industry,
    Other,
}

/// Where each column is in the file.
#[derive(Debug, Clone)]
struct Layout {
    /// Each file column's role, in file order.
    roles: Vec<Role>,
    /// The contract's fifteen columns in the contract's order and nothing else (the common case, parsed
    /// by straight-line code).
    canonical: bool,
    /// File position of each contract column.
    at: [usize; 15],
    county: Option<usize>,
    industry: Option<usize>,
    tenants: Option<usize>,
    columns: usize,
    /// Whether every row must fill in its county, its industry (the scheme groups by them).
    fill: [bool; 2],
}

/// Splits one CSV line with quotes into fields (RFC 4180; a quoted field may not span lines), unquoted
/// into `buf`; `out` gets each field's range in `buf`.
fn split_quoted(line: &[u8], buf: &mut Vec<u8>, out: &mut Vec<(u32, u32)>) -> Result<(), ()> {
    out.clear();
    buf.clear();
    let mut i = 0;
    loop {
        let start = buf.len();
        if line.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match line.get(i) {
                    None => return Err(()),
                    Some(b'"') if line.get(i + 1) == Some(&b'"') => {
                        buf.push(b'"');
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(&c) => {
                        buf.push(c);
                        i += 1;
                    }
                }
            }
            if !matches!(line.get(i), None | Some(b',')) {
                return Err(());
            }
        } else {
            while let Some(&c) = line.get(i) {
                if c == b',' {
                    break;
                }
                buf.push(c);
                i += 1;
            }
        }
        out.push((start as u32, buf.len() as u32));
        if line.get(i) == Some(&b',') {
            i += 1;
        } else {
            return Ok(());
        }
    }
}

/// Parses a decimal number. The common case (up to 19 digits, optional fraction, no exponent) is computed
/// as mantissa ÷ 10^k with both exactly representable, which IEEE division rounds correctly, so the result
/// equals the standard library's; anything else goes to the standard library.
#[cfg(test)]
fn parse_number(s: &[u8]) -> Option<f64> {
    parse_number_digits(s).map(|(v, _)| v)
}

/// `parse_number`, with the digits and decimals where the number is a plain decimal (not negative).
fn parse_number_digits(s: &[u8]) -> Option<(f64, Option<(u64, usize)>)> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    let mut mantissa: u64 = 0;
    let mut frac = 0usize;
    let mut seen_dot = false;
    let mut n = 0;
    let mut simple = !digits.is_empty();
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d < 10 {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
            n += 1;
            frac += usize::from(seen_dot);
        } else if b == b'.' && !seen_dot {
            seen_dot = true;
        } else {
            simple = false;
            break;
        }
    }
    if simple && n > 0 && n <= 19 && mantissa < (1u64 << 53) && frac < POW10.len() {
        let v = mantissa as f64 / POW10[frac];
        return Some(if neg { (-v, None) } else { (v, Some((mantissa, frac))) });
    }
    let v: f64 = std::str::from_utf8(s).ok()?.trim().parse().ok()?;
    v.is_finite().then_some((v, None))
}

fn parse_year(s: &[u8]) -> Option<i32> {
    let y = match *s {
        [a, b, c, d] if [a, b, c, d].iter().all(u8::is_ascii_digit) => {
            i32::from(a - b'0') * 1000 + i32::from(b - b'0') * 100 + i32::from(c - b'0') * 10 + i32::from(d - b'0')
        }
        _ => std::str::from_utf8(s).ok()?.trim().parse().ok()?,
    };
    (1800..=2200).contains(&y).then_some(y)
}

fn trim(f: &[u8]) -> &[u8] {
    match (f.first(), f.last()) {
        (Some(a), Some(b)) if !a.is_ascii_whitespace() && !b.is_ascii_whitespace() => f,
        _ => f.trim_ascii(),
    }
}

/// A table of names local to one block: ids in first-seen order. Open addressing on the name's first
/// and last eight bytes and its length, which for names up to 16 bytes (most cities, counties and codes)
/// are the name, so no bytes need comparing.
#[derive(Default)]
struct Names {
    /// Id + 1, or 0 for a free slot; a power of two long.
    slots: Vec<u32>,
    keys: Vec<(u64, u64, usize)>,
    bytes: Vec<Vec<u8>>,
    names: Vec<String>,
}

impl Names {
    #[inline]
    fn key(name: &[u8]) -> (u64, u64, usize) {
        let n = name.len();
        match (load8(name, 0), n.checked_sub(8).and_then(|t| load8(name, t))) {
            (Some(head), Some(tail)) => (head, tail, n),
            _ => (name.iter().fold(0u64, |h, &x| h << 8 | u64::from(x)), 0, n),
        }
    }

    #[inline]
    fn slot(key: (u64, u64, usize), mask: usize) -> usize {
        let h = (key.0 ^ key.1.rotate_left(29) ^ key.2 as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> 40) as usize & mask
    }

    /// The name's id; None when it is new and not UTF-8 (names already in the table were checked).
    #[inline]
    fn id(&mut self, name: &[u8]) -> Option<u32> {
        if self.slots.len() < 2 * (self.bytes.len() + 1) {
            self.grow();
        }
        let key = Names::key(name);
        let mask = self.slots.len() - 1;
        let mut i = Names::slot(key, mask);
        loop {
            match self.slots[i] {
                0 => break,
                s if self.keys[s as usize - 1] == key && (key.2 <= 16 || self.bytes[s as usize - 1] == name) => {
                    return Some(s - 1);
                }
                _ => i = (i + 1) & mask,
            }
        }
        let text = std::str::from_utf8(name).ok()?;
        let id = self.bytes.len() as u32;
        self.slots[i] = id + 1;
        self.keys.push(key);
        self.bytes.push(name.to_vec());
        self.names.push(text.to_string());
        Some(id)
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(64);
        self.slots = vec![0; size];
        for (k, key) in self.keys.iter().enumerate() {
            let mut i = Names::slot(*key, size - 1);
            while self.slots[i] != 0 {
                i = (i + 1) & (size - 1);
            }
            self.slots[i] = k as u32 + 1;
        }
    }

    fn clear(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = 0);
        self.keys.clear();
        self.bytes.clear();
        self.names.clear();
    }
}

/// One block's rows; line numbers are counted from the block's first line (0).
#[derive(Default)]
struct Chunk {
    rows: Vec<Enterprise>,
    lines: Vec<u32>,
    errors: Vec<RowError>,
    cities: Names,
    counties: Names,
    industries: Names,
    /// Each row's USCC hashed (`uscc_hash`), for the duplicate check.
    keys: Vec<u64>,
    /// The year of the block's rows, and whether any differs from it.
    year: Option<i32>,
    mixed_years: bool,
    line_count: usize,
    ranges: Vec<(u32, u32)>,
    buf: Vec<u8>,
}

fn parse_block(text: &[u8], layout: &Layout, chunk: &mut Chunk) {
    chunk.year = None;
    chunk.mixed_years = false;
    chunk.rows.clear();
    chunk.lines.clear();
    chunk.keys.clear();
    chunk.errors.clear();
    chunk.cities.clear();
    chunk.counties.clear();
    chunk.industries.clear();
    let mut pos = 0usize;
    let mut line_no = 0u32;
    while pos < text.len() {
        let quick = if layout.canonical {
            canonical_row(text, pos, line_no, chunk)
        } else {
            fast_row(text, pos, line_no, layout, chunk)
        };
        pos = match quick {
            Some(next) => next,
            None => {
                let end = text[pos..].iter().position(|&b| b == b'\n').map_or(text.len(), |p| pos + p);
                let line_end = if end > pos && text[end - 1] == b'\r' { end - 1 } else { end };
                if line_end > pos {
                    let mut ranges = std::mem::take(&mut chunk.ranges);
                    ranges.clear();
                    let quoted = text[pos..line_end].contains(&b'"');
                    if !quoted {
                        let mut field = pos;
                        for (i, &b) in text[pos..line_end].iter().enumerate() {
                            if b == b',' {
                                ranges.push((field as u32, (pos + i) as u32));
                                field = pos + i + 1;
                            }
                        }
                        ranges.push((field as u32, line_end as u32));
                    }
                    line(text, pos, line_end, quoted, &mut ranges, line_no, layout, chunk);
                    chunk.ranges = ranges;
                }
                end + 1
            }
        };
        line_no += 1;
    }
    chunk.line_count = line_no as usize;
    chunk.year = chunk.rows.first().map(|r| r.year);
    chunk.mixed_years = chunk.rows.iter().any(|r| Some(r.year) != chunk.year);
}

/// A 64-bit hash of a code, for the duplicate check (which compares the codes where hashes meet).
#[inline]
fn uscc_hash(code: &[u8; 18]) -> u64 {
    let word = |k: usize| {
        u64::from_le_bytes([
            code[k],
            code[k + 1],
            code[k + 2],
            code[k + 3],
            code[k + 4],
            code[k + 5],
            code[k + 6],
            code[k + 7],
        ])
    };
    let (a, b, c) = (word(0), word(8), u64::from(code[16]) << 8 | u64::from(code[17]));
    let mut h = (a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b).rotate_left(27).wrapping_mul(0xC2B2_AE3D_27D4_EB4F) ^ c;
    h ^= h >> 29;
    h = h.wrapping_mul(0x1656_67B1_9E37_79F9);
    h ^ h >> 32
}

/// Whether bytes are UTF-8, as `std::str::from_utf8` decides, quicker for a few Chinese characters:
/// ASCII and the three-byte sequences led by E1–EC or EE–EF (whose continuation bytes may be any of
/// 80–BF) are taken here; at anything else the standard library checks the rest.
#[inline]
fn utf8(s: &[u8]) -> bool {
    let n = s.len();
    let mut i = 0;
    while i < n {
        let b = s[i];
        if b < 0x80 {
            i += 1;
        } else if i + 2 < n
            && (b.wrapping_sub(0xE1) < 12 || (0xEE..=0xEF).contains(&b))
            && s[i + 1] & 0xC0 == 0x80
            && s[i + 2] & 0xC0 == 0x80
        {
            i += 3;
        } else {
            return std::str::from_utf8(&s[i..]).is_ok();
        }
    }
    true
}

/// The eight bytes at `i`, little-endian; None near the end of the text.
#[inline]
fn load8(text: &[u8], i: usize) -> Option<u64> {
    text.get(i..i + 8).and_then(|b| <[u8; 8]>::try_from(b).ok()).map(u64::from_le_bytes)
}

/// Each byte of `w` equal to `c` gets its high bit set, and nothing else (exact, unlike the usual
/// "has zero byte" test, so positions can be read off the mask).
#[inline]
fn eq_mask(w: u64, c: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = w ^ (0x0101_0101_0101_0101u64 * u64::from(c));
    let t = (x & LOW7).wrapping_add(LOW7);
    !(t | x | LOW7)
}

/// How many of the eight bytes of `w` (first byte lowest) are ASCII digits before the first that is not.
/// (A byte from 0xFA up carries into the next byte; only bytes after a non-digit are affected.)
#[inline(always)]
fn digit_run(w: u64) -> usize {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const THREES: u64 = 0x3030_3030_3030_3030;
    let a = (w & HIGH) ^ THREES;
    let c = (w.wrapping_add(0x0606_0606_0606_0606) & HIGH) ^ THREES;
    ((a | c).trailing_zeros() / 8) as usize
}

/// The value of the first `n` (1 to 8) bytes of `w`, all digits: moved to the top of an eight-digit
/// string of leading zeros, then converted by the usual three multiplications.
#[inline(always)]
fn digits_value(w: u64, n: usize) -> u64 {
    const THREES: u64 = 0x3030_3030_3030_3030;
    let shift = 8 * (8 - n.clamp(1, 8)) as u32;
    let mut v = if shift == 0 { w } else { w << shift | THREES >> (64 - shift) };
    v = v.wrapping_sub(THREES);
    v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let low = (v & 0x0000_00FF_0000_00FF).wrapping_mul(0x000F_4240_0000_0064);
    let high = ((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(0x0000_2710_0000_0001);
    low.wrapping_add(high) >> 32
}

/// Where the field starting at `i` ends: the next comma or newline (or the end of the text).
#[inline]
fn field_end(text: &[u8], mut i: usize) -> usize {
    while let Some(w) = load8(text, i) {
        let m = eq_mask(w, b',') | eq_mask(w, b'\n');
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = text.get(i) {
        if b == b',' || b == b'\n' {
            break;
        }
        i += 1;
    }
    i
}

/// A plain decimal starting at `text[i]` (digits, at most one point, at most 19 digits, below 2^53),
/// exactly as the standard library rounds it (mantissa ÷ 10^fraction digits, both exact, one rounding),
/// and where it ends; an empty field is `Some((None, i))`. None for anything else (signs, exponents,
/// spaces), which the checked path handles.
#[cfg(test)]
fn fast_decimal(text: &[u8], i: usize) -> Option<(Option<f64>, usize)> {
    fast_digits(text, i).map(|(d, end)| (d.map(|(m, f)| m as f64 / super::POW10[f]), end))
}

/// `fast_decimal` as the digits and how many of them follow the point (the value is digits ÷ 10^that).
#[inline(always)]
fn fast_digits(text: &[u8], i: usize) -> Option<(Option<(u64, usize)>, usize)> {
    // The common case in one eight-byte word: up to seven digits, or digits, a point and digits in at most
    // eight bytes ("7622.98"). The point is squeezed out and the digits converted at once: the same
    // mantissa and exponent as below, so the same result.
    if let Some(w) = load8(text, i) {
        let n = digit_run(w);
        if n < 8 {
            if (w >> (8 * n)) as u8 != b'.' {
                return Some(((n > 0).then(|| (digits_value(w, n), 0)), i + n));
            }
            let low = (1u64 << (8 * n)) - 1;
            let joined = (w & low) | ((w >> 8) & !low);
            let t = digit_run(joined);
            // t < 8 always (the top byte is now 0); at 7 the fraction may go on past the word.
            if t < 7 || !text.get(i + 8).is_some_and(u8::is_ascii_digit) {
                if t == 0 {
                    return None;
                }
                return Some((Some((digits_value(joined, t), t - n)), i + t + 1));
            }
        }
    }
    // Appends the digits from `s[k]` on (up to `s[limit]`, not included) to `mantissa`; where they end.
    #[inline(always)]
    fn digits(s: &[u8], mut k: usize, limit: usize, mantissa: &mut u64) -> usize {
        while k < s.len() && k < limit {
            let d = s[k].wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            *mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
            k += 1;
        }
        k
    }
    let s = text.get(i..).unwrap_or(&[]);
    let mut mantissa = 0u64;
    let mut k = digits(s, 0, 20, &mut mantissa);
    let whole = k;
    let mut frac = 0;
    if k < s.len() && s[k] == b'.' {
        let from = k + 1;
        k = digits(s, from, 21, &mut mantissa);
        frac = k - from;
        if whole + frac == 0 {
            return None;
        }
    } else if whole == 0 {
        return Some((None, i));
    }
    if whole + frac > 19 || mantissa >= 1 << 53 || (k < s.len() && s[k].is_ascii_digit()) {
        return None;
    }
    Some((Some((mantissa, frac)), i + k))
}

#[inline(always)]
fn fast_year(s: &[u8]) -> Option<i32> {
    match *s {
        [a, b, c, d] => {
            let v = [a, b, c, d].map(|x| x.wrapping_sub(b'0'));
            if v.iter().all(|&x| x < 10) {
                let y = i32::from(v[0]) * 1000 + i32::from(v[1]) * 100 + i32::from(v[2]) * 10 + i32::from(v[3]);
                (1800..=2200).contains(&y).then_some(y)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// `fast_row` for the contract's columns in the contract's order, written out field by field.
#[inline]
fn canonical_row(text: &[u8], start: usize, line_no: u32, chunk: &mut Chunk) -> Option<usize> {
    #[inline(always)]
    fn comma(text: &[u8], i: usize) -> Option<usize> {
        (text.get(i) == Some(&b',')).then_some(i + 1)
    }
    #[inline(always)]
    fn plain(f: &[u8]) -> bool {
        match (f.first(), f.last()) {
            (Some(a), Some(b)) => *a != b'"' && !a.is_ascii_whitespace() && !b.is_ascii_whitespace() && f.len() <= 200,
            _ => false,
        }
    }
    let mut e = Enterprise::BLANK;
    let code = text.get(start..start + 18)?;
    if !uscc_ok(code) {
        return None;
    }
    e.uscc.copy_from_slice(code);
    let mut i = comma(text, start + 18)?;
    let name_end = field_end(text, i);
    let name = &text[i..name_end];
    if !plain(name) || !utf8(name) {
        return None;
    }
    i = comma(text, name_end)?;
    let city_end = field_end(text, i);
    let city = &text[i..city_end];
    if !plain(city) {
        return None;
    }
    i = comma(text, city_end)?;
    e.scale = Scale::from_bytes(text.get(i..i + 5)?)?;
    i = comma(text, i + 5)?;
    e.founded_year = fast_year(text.get(i..i + 4)?)?;
    i = comma(text, i + 4)?;
    e.year = fast_year(text.get(i..i + 4)?)?;
    i = comma(text, i + 4)?;
    for k in 0..9 {
        let (v, next) = fast_digits(text, i)?;
        match v {
            // Land 0 is an error (the careful path says so).
            Some((0, _)) if k == 0 => return None,
            Some((m, f)) => e.figures.set_decimal(k, m, f),
            None if k < 2 => return None,
            None => {}
        }
        i = if k < 8 {
            comma(text, next)?
        } else {
            match text.get(next) {
                Some(b'\n') => next + 1,
                Some(b'\r') if text.get(next + 1) == Some(&b'\n') => next + 2,
                None => next,
                _ => return None,
            }
        };
    }
    e.city = chunk.cities.id(city)?;
    chunk.keys.push(uscc_hash(&e.uscc));
    chunk.rows.push(e);
    chunk.lines.push(line_no);
    Some(i)
}

/// A row whose every field is plain (no quotes, no surrounding spaces, numbers as plain decimals) and
/// right, parsed as its bytes are scanned: kept, and where the next line starts. Anything else: None, and
/// the checked path (`line`) takes the line, with the same result for a good row and the errors for a bad
/// one.
#[inline]
fn fast_row(text: &[u8], start: usize, line_no: u32, layout: &Layout, chunk: &mut Chunk) -> Option<usize> {
    let mut e = Enterprise::BLANK;
    let (mut city, mut county, mut industry): (&[u8], Option<&[u8]>, Option<&[u8]>) = (&[], None, None);
    let mut key = 0u64;
    let mut i = start;
    let last = layout.roles.len().saturating_sub(1);
    for (k, role) in layout.roles.iter().enumerate() {
        match *role {
            Role::Uscc => {
                let f = text.get(i..i + 18)?;
                if !uscc_ok(f) {
                    return None;
                }
                e.uscc.copy_from_slice(f);
                key = uscc_hash(&e.uscc);
                i += 18;
            }
            Role::Scale => {
                e.scale = Scale::from_bytes(text.get(i..i + 5)?)?;
                i += 5;
            }
            Role::FoundedYear | Role::Year => {
                let y = fast_year(text.get(i..i + 4)?)?;
                if *role == Role::Year {
                    e.year = y;
                } else {
                    e.founded_year = y;
                }
                i += 4;
            }
            Role::Figure(j) => {
                let (v, next) = fast_digits(text, i)?;
                match v {
                    Some((m, f)) => e.figures.set_decimal(usize::from(j) % FIGURES, m, f),
                    None if j < 2 => return None,
                    None => {}
                }
                i = next;
            }
            Role::Name | Role::City | Role::County | Role::Industry | Role::Other => {
                let from = i;
                i = field_end(text, i);
                let mut f = &text[from..i];
                if k == last && f.last() == Some(&b'\r') {
                    f = &f[..f.len() - 1];
                }
                if let (Some(a), Some(b)) = (f.first(), f.last())
                    && (*a == b'"' || a.is_ascii_whitespace() || b.is_ascii_whitespace())
                {
                    return None;
                }
                // Names are checked here; cities, counties and industries when first met (`Names::id`).
                if *role != Role::Other && (f.len() > 200 || (*role == Role::Name && !utf8(f))) {
                    return None;
                }
                match *role {
                    Role::Name if f.is_empty() => return None,
                    Role::City if f.is_empty() => return None,
                    Role::City => city = f,
                    Role::County if layout.fill[0] && f.is_empty() => return None,
                    Role::County => county = Some(f),
                    Role::Industry if layout.fill[1] && f.is_empty() => return None,
                    Role::Industry => industry = Some(f),
                    _ => {}
                }
            }
        }
        // The separator: a comma, or the line's end.
        match text.get(i) {
            Some(b',') if k < last => i += 1,
            Some(b'\n') if k == last => i += 1,
            Some(b'\r') if k == last && text.get(i + 1) == Some(&b'\n') => i += 2,
            None if k == last => {}
            _ => return None,
        }
    }
    if e.figures.get(0) == 0.0 || layout.roles.is_empty() {
        return None;
    }
    e.city = chunk.cities.id(city)?;
    if let Some(c) = county {
        e.county = chunk.counties.id(c)?;
    }
    if let Some(c) = industry {
        e.industry = chunk.industries.id(c)?;
    }
    chunk.rows.push(e);
    chunk.lines.push(line_no);
    chunk.keys.push(key);
    Some(i)
}

/// Checks and keeps one line (`text[start..end]`, its fields at `ranges` unless it has quotes).
#[allow(clippy::too_many_arguments)]
fn line(
    text: &[u8],
    start: usize,
    end: usize,
    quoted: bool,
    ranges: &mut Vec<(u32, u32)>,
    line_no: u32,
    layout: &Layout,
    chunk: &mut Chunk,
) {
    let mut buf = std::mem::take(&mut chunk.buf);
    let src: &[u8] = if quoted {
        if split_quoted(&text[start..end], &mut buf, ranges).is_err() {
            chunk.errors.push(err(line_no as usize, "", "引号不配对".into(), "unbalanced quotes".into()));
            chunk.buf = buf;
            return;
        }
        &buf
    } else {
        text
    };
    row(src, ranges, line_no, layout, chunk);
    chunk.buf = buf;
}

fn row(src: &[u8], ranges: &[(u32, u32)], line_no: u32, layout: &Layout, chunk: &mut Chunk) {
    let line_here = line_no as usize;
    if ranges.len() != layout.columns {
        chunk.errors.push(err(
            line_here,
            "",
            format!("应有 {} 列，实有 {} 列（文件可能被截断）", layout.columns, ranges.len()),
            format!("expected {} columns, found {} (is the file truncated?)", layout.columns, ranges.len()),
        ));
        return;
    }
    let at = |k: usize| -> &[u8] {
        let (a, b) = ranges.get(k).copied().unwrap_or((0, 0));
        trim(src.get(a as usize..b as usize).unwrap_or(&[]))
    };
    let field = |c: usize| at(layout.at[c]);
    let mut bad = false;
    for (c, name) in COLUMNS.iter().enumerate() {
        if REQUIRED[c] && field(c).is_empty() {
            chunk.errors.push(err(line_here, name, format!("“{name}”不能为空"), format!("“{name}” is required")));
            bad = true;
        }
    }
    if bad {
        return;
    }
    let uscc = field(0);
    if let Err(e) = jiqun_domain::uscc::validate(uscc) {
        chunk.errors.push(err(line_here, "uscc", e.message(Lang::Zh), e.message(Lang::En)));
        return;
    }
    if std::str::from_utf8(field(1)).is_err() || std::str::from_utf8(field(2)).is_err() || field(2).len() > 200 {
        chunk.errors.push(err(
            line_here,
            "name",
            "不是 UTF-8 编码（请另存为 UTF-8）".into(),
            "not UTF-8 (save the file as UTF-8)".into(),
        ));
        return;
    }
    let scale = match Scale::from_bytes(field(3)) {
        Some(s) => s,
        None => {
            let v = String::from_utf8_lossy(field(3));
            chunk.errors.push(err(
                line_here,
                "scale",
                format!("“{v}”应为 above（规上）或 below（规下）"),
                format!("“{v}” must be above or below"),
            ));
            return;
        }
    };
    let mut years = [0i32; 2];
    for (k, c) in [4usize, 5].into_iter().enumerate() {
        match parse_year(field(c)) {
            Some(y) => years[k] = y,
            None => {
                let v = String::from_utf8_lossy(field(c));
                chunk.errors.push(err(
                    line_here,
                    COLUMNS[c],
                    format!("“{v}”不是有效年份"),
                    format!("“{v}” is not a year"),
                ));
                bad = true;
            }
        }
    }
    let mut nums = [f64::NAN; FIGURES];
    let mut figures = super::Figures::EMPTY;
    let figure_columns = (6..15).map(|c| (layout.at[c], COLUMNS[c])).chain(layout.tenants.map(|t| (t, "tenants")));
    for (k, (pos, name)) in figure_columns.enumerate() {
        let f = at(pos);
        if f.is_empty() {
            continue;
        }
        match parse_number_digits(f) {
            Some((v, digits)) if v >= 0.0 => {
                nums[k] = v;
                match digits {
                    Some((m, f)) => figures.set_decimal(k, m, f),
                    None => figures.set(k, v),
                }
            }
            Some(_) => {
                chunk.errors.push(err(line_here, name, "不能为负数".into(), "cannot be negative".into()));
                bad = true;
            }
            None => {
                let v = String::from_utf8_lossy(f);
                chunk.errors.push(err(line_here, name, format!("“{v}”不是数字"), format!("“{v}” is not a number")));
                bad = true;
            }
        }
    }
    let mut present = [false; 2];
    for (k, (pos, name)) in [(layout.county, "county"), (layout.industry, "industry")].into_iter().enumerate() {
        let Some(pos) = pos else { continue };
        let v = at(pos);
        if std::str::from_utf8(v).is_err() || v.len() > 200 {
            chunk.errors.push(err(
                line_here,
                name,
                "不是 UTF-8 编码（请另存为 UTF-8）".into(),
                "not UTF-8 (save the file as UTF-8)".into(),
            ));
            bad = true;
        } else if layout.fill[k] && v.is_empty() {
            chunk.errors.push(err(
                line_here,
                name,
                format!("评价方案按“{name}”分组，此项不能为空"),
                format!("the scheme groups by “{name}”, so it is required"),
            ));
            bad = true;
        } else {
            present[k] = true;
        }
    }
    if bad {
        return;
    }
    if nums[0] == 0.0 {
        chunk.errors.push(err(line_here, "land_mu", "用地面积不能为 0".into(), "land_mu cannot be 0".into()));
        return;
    }
    let city = chunk.cities.id(field(2)).unwrap_or(0);
    let county = match layout.county {
        Some(p) if present[0] => chunk.counties.id(at(p)).unwrap_or(0),
        _ => 0,
    };
    let industry = match layout.industry {
        Some(p) if present[1] => chunk.industries.id(at(p)).unwrap_or(0),
        _ => 0,
    };
    let mut code = [0u8; 18];
    code.copy_from_slice(uscc);
    chunk.keys.push(uscc_hash(&code));
    chunk.rows.push(Enterprise {
        uscc: code,
        city,
        county,
        industry,
        scale,
        founded_year: years[0],
        year: years[1],
        figures,
    });
    chunk.lines.push(line_no);
}

/// Reads and checks an input file. Rows with errors are left out and their errors listed.
pub fn read(bytes: &[u8]) -> Result<Dataset, RowError> {
    read_from(&mut std::io::Cursor::new(bytes))
}

/// Reads from a stream; the optional columns are read when present.
pub fn read_from(input: &mut (dyn Read + Send)) -> Result<Dataset, RowError> {
    read_with(input, Needs::default(), [false; 2])
}

/// Reads for a scheme: the optional columns it reads must be in the header, and where it groups by county
/// or industry, every row must fill them in (an industry exemption or bonus just does not apply to a row
/// without a code).
pub fn read_for(input: &mut (dyn Read + Send), scheme: &Scheme) -> Result<Dataset, RowError> {
    let fill = [scheme.groups_by(GroupKey::County), scheme.groups_by(GroupKey::Industry)];
    read_with(input, scheme.needs(), fill)
}

fn read_header(input: &mut dyn std::io::BufRead, needs: Needs, fill: [bool; 2]) -> Result<Layout, RowError> {
    let mut first = Vec::new();
    input
        .read_until(b'\n', &mut first)
        .map_err(|e| err(1, "", format!("读取失败：{e}"), format!("cannot read: {e}")))?;
    let first = first.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&first);
    if first.iter().all(u8::is_ascii_whitespace) {
        return Err(err(1, "", "文件为空".into(), "the file is empty".into()));
    }
    let header = std::str::from_utf8(first)
        .map_err(|_| err(1, "", "表头不是 UTF-8 编码".into(), "the header is not UTF-8".into()))?;
    let names: Vec<&str> =
        header.trim_end_matches(['\r', '\n']).split(',').map(|h| h.trim().trim_matches('"')).collect();
    for (k, n) in names.iter().enumerate() {
        if (COLUMNS.contains(n) || OPTIONAL_COLUMNS.contains(n)) && names[..k].contains(n) {
            return Err(err(1, n, format!("列“{n}”出现了两次"), format!("the column “{n}” appears twice")));
        }
    }
    let mut at = [0usize; 15];
    for (c, col) in COLUMNS.iter().enumerate() {
        at[c] = names.iter().position(|n| n == col).ok_or_else(|| {
            err(
                1,
                col,
                format!("缺少列“{col}”；表头应为 {}", COLUMNS.join(",")),
                format!("missing column “{col}”; the header is {}", COLUMNS.join(",")),
            )
        })?;
    }
    let find = |col: &str| names.iter().position(|n| *n == col);
    let mut roles = vec![Role::Other; names.len()];
    for (c, &pos) in at.iter().enumerate() {
        roles[pos] = match c {
            0 => Role::Uscc,
            1 => Role::Name,
            2 => Role::City,
            3 => Role::Scale,
            4 => Role::FoundedYear,
            5 => Role::Year,
            _ => Role::Figure((c - 6) as u8),
        };
    }
    for (col, role) in [("county", Role::County), ("industry", Role::Industry), ("tenants", Role::Figure(9))] {
        if let Some(pos) = find(col) {
            roles[pos] = role;
        }
    }
    let layout = Layout {
        canonical: names.len() == COLUMNS.len() && at.iter().enumerate().all(|(c, &p)| c == p),
        roles,
        at,
        county: find("county"),
        industry: find("industry"),
        tenants: find("tenants"),
        columns: names.len(),
        fill,
    };
    for (need, has, col) in [
        (needs.county, layout.county.is_some(), "county"),
        (needs.industry, layout.industry.is_some(), "industry"),
        (needs.tenants, layout.tenants.is_some(), "tenants"),
    ] {
        if need && !has {
            return Err(err(
                1,
                col,
                format!("评价方案需要列“{col}”，表头中没有"),
                format!("the scheme needs the column “{col}”, which the header lacks"),
            ));
        }
    }
    Ok(layout)
}

/// The file being read, shared by the two parsing threads.
struct Source<'r> {
    input: std::io::BufReader<&'r mut (dyn Read + Send)>,
    carry: Vec<u8>,
    seq: usize,
    done: bool,
    failed: Option<RowError>,
}

impl Source<'_> {
    /// The next block of whole lines into `text`, and its number; None at the end.
    fn next(&mut self, text: &mut Vec<u8>) -> Option<usize> {
        if self.done {
            return None;
        }
        text.clear();
        text.append(&mut self.carry);
        let mut target = BLOCK;
        loop {
            let want = target.saturating_sub(text.len()) as u64;
            let got = match std::io::Read::by_ref(&mut self.input).take(want).read_to_end(text) {
                Ok(n) => n as u64,
                Err(e) => {
                    self.failed = Some(err(0, "", format!("读取失败：{e}"), format!("cannot read: {e}")));
                    self.done = true;
                    return None;
                }
            };
            if got < want {
                self.done = true;
                break;
            }
            // Complete lines only; the rest waits for the next block (a line longer than a block: read on).
            if let Some(p) = text.iter().rposition(|&b| b == b'\n') {
                self.carry.extend_from_slice(&text[p + 1..]);
                text.truncate(p + 1);
                break;
            }
            target = target.saturating_mul(2);
        }
        let seq = self.seq;
        self.seq += 1;
        Some(seq)
    }
}

/// Parsed blocks waiting to be appended, and emptied ones to reuse.
#[derive(Default)]
struct Queue {
    pending: Vec<(usize, Chunk)>,
    pool: Vec<Chunk>,
}

/// The data set, to which parsed blocks are appended in file order.
struct Sink {
    ds: Dataset,
    /// The first row's year, and whether any row's differs (then the rows are checked one by one).
    year: Option<i32>,
    mixed_years: bool,
    /// Each row's hashed USCC.
    keys: Vec<u64>,
    next: usize,
    next_line: usize,
    cities: FastMap<String, u32>,
    counties: FastMap<String, u32>,
    industries: FastMap<String, u32>,
}

fn remap(local: &Names, ids: &mut FastMap<String, u32>, table: &mut Vec<String>) -> Vec<u32> {
    local
        .names
        .iter()
        .map(|c| {
            *ids.entry(c.clone()).or_insert_with(|| {
                table.push(c.clone());
                table.len() as u32 - 1
            })
        })
        .collect()
}

impl Sink {
    /// Appends the queued blocks that come next, returning them emptied to the queue's pool.
    fn drain(&mut self, queue: &Mutex<Queue>) {
        loop {
            let next = {
                let mut q = lock(queue);
                let at = q.pending.iter().position(|(s, _)| *s == self.next);
                at.map(|k| q.pending.swap_remove(k).1)
            };
            let Some(mut c) = next else { return };
            self.append(&mut c);
            lock(queue).pool.push(c);
        }
    }

    fn append(&mut self, c: &mut Chunk) {
        let base = self.next_line;
        if let Some(y) = c.year {
            self.mixed_years |= c.mixed_years || self.year.is_some_and(|first| first != y);
            self.year.get_or_insert(y);
        }
        let ds = &mut self.ds;
        let cities = remap(&c.cities, &mut self.cities, &mut ds.cities);
        let counties = remap(&c.counties, &mut self.counties, &mut ds.counties);
        let industries = remap(&c.industries, &mut self.industries, &mut ds.industries);
        let get = |t: &[u32], id: u32| t.get(id as usize).copied().unwrap_or(0);
        ds.rows.extend(c.rows.drain(..).map(|mut r| {
            r.city = get(&cities, r.city);
            r.county = get(&counties, r.county);
            r.industry = get(&industries, r.industry);
            r
        }));
        ds.lines.extend(c.lines.drain(..).map(|l| base + l as usize));
        self.keys.extend_from_slice(&c.keys);
        ds.errors.extend(c.errors.drain(..).map(|mut e| {
            e.line += base;
            e
        }));
        self.next_line += c.line_count;
        self.next += 1;
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn read_with(input: &mut (dyn Read + Send), needs: Needs, fill: [bool; 2]) -> Result<Dataset, RowError> {
    let mut input = std::io::BufReader::with_capacity(1 << 16, input);
    let layout = read_header(&mut input, needs, fill)?;
    let source = Mutex::new(Source { input, carry: Vec::new(), seq: 0, done: false, failed: None });
    let mut ds = Dataset::default();
    ds.columns.county = layout.county.is_some();
    ds.columns.industry = layout.industry.is_some();
    ds.columns.tenants = layout.tenants.is_some();
    let sink = Mutex::new(Sink {
        ds,
        year: None,
        mixed_years: false,
        keys: Vec::new(),
        next: 0,
        next_line: 2,
        cities: FastMap::default(),
        counties: FastMap::default(),
        industries: FastMap::default(),
    });
    let queue = Mutex::new(Queue::default());
    let stop = AtomicBool::new(false);
    // A thread queues the block it parsed, then appends what is next in order unless the other thread is
    // appending already (then it goes on parsing: appending, with its page faults, never holds it up).
    let run = || {
        let mut text = Vec::with_capacity(BLOCK + (1 << 16));
        let mut chunk = Chunk::default();
        while !stop.load(Ordering::Relaxed) {
            // A thread that got ahead (the other one was held up) waits for the blocks before its own to be
            // appended, so parsed blocks do not pile up; it appends them itself when it can.
            while lock(&queue).pending.len() >= 3 {
                match sink.try_lock() {
                    Ok(mut s) => s.drain(&queue),
                    Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner().drain(&queue),
                    Err(std::sync::TryLockError::WouldBlock) => {}
                }
                if lock(&queue).pending.len() >= 3 {
                    std::thread::yield_now();
                }
            }
            let Some(seq) = lock(&source).next(&mut text) else { break };
            parse_block(&text, &layout, &mut chunk);
            {
                let mut q = lock(&queue);
                let next = q.pool.pop().unwrap_or_default();
                q.pending.push((seq, std::mem::replace(&mut chunk, next)));
            }
            let mut s = match sink.try_lock() {
                Ok(s) => s,
                Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => continue,
            };
            s.drain(&queue);
            if s.ds.errors.len() > 100_000 {
                stop.store(true, Ordering::Relaxed); // enough to report; the file is not what it should be
            }
        }
    };
    both(run, run);
    // What neither thread got to.
    lock(&sink).drain(&queue);
    let source = source.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = source.failed {
        return Err(e);
    }
    let sink = sink.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut ds = sink.ds;
    whole_file_rules(&mut ds, sink.keys, sink.mixed_years);
    ds.errors.sort_by_key(|e| e.line);
    Ok(ds)
}

/// One evaluation year (the first row's), no USCC twice (the first keeps it; the others are errors
/// naming its line). `keys` are the rows' hashed USCCs.
fn whole_file_rules(ds: &mut Dataset, keys: Vec<u64>, mixed_years: bool) {
    let year = ds.rows.first().map(|r| r.year);
    // The blocks said whether all rows are of one year; only then are the rows themselves read.
    let mut keep: Vec<bool> =
        if mixed_years { ds.rows.iter().map(|r| Some(r.year) == year).collect() } else { vec![true; ds.rows.len()] };
    for (k, ok) in keep.iter().enumerate() {
        if !ok {
            let y = year.unwrap_or(0);
            ds.errors.push(err(
                ds.lines[k],
                "year",
                format!("评价年度应与首行一致（{y}）"),
                format!("all rows must be of the first row's year ({y})"),
            ));
        }
    }
    for (k, first) in duplicates(&keys, &keep, &ds.rows) {
        let code = String::from_utf8_lossy(&ds.rows[k].uscc);
        let first = ds.lines[first];
        ds.errors.push(err(
            ds.lines[k],
            "uscc",
            format!("{code} 与第 {first} 行重复"),
            format!("{code} repeats line {first}"),
        ));
        keep[k] = false;
    }
    drop(keys);
    if keep.iter().any(|k| !k) {
        let mut k = 0;
        ds.rows.retain(|_| {
            k += 1;
            keep[k - 1]
        });
        let mut k = 0;
        ds.lines.retain(|_| {
            k += 1;
            keep[k - 1]
        });
    }
    ds.rows.shrink_to_fit();
}

/// Rows whose USCC an earlier kept row has: (row, the first row with it). The hashes, each with its row
/// number, are spread by their top bits over partitions small enough for the cache (two threads, each
/// its half of the rows, in row order), then each partition is checked with a small hash table.
fn duplicates(keys: &[u64], keep: &[bool], rows: &[Enterprise]) -> Vec<(usize, usize)> {
    const BITS: u32 = 10;
    const PARTS: usize = 1 << BITS;
    let n = keys.len().min(keep.len()).min(rows.len()).min(u32::MAX as usize);
    let part_of = |h: u64| (h >> (64 - BITS)) as usize;
    let mid = n / 2;
    let halves = [0..mid, mid..n];
    let count = |range: std::ops::Range<usize>| -> Vec<usize> {
        let mut c = vec![0usize; PARTS];
        for i in range {
            if keep[i] {
                c[part_of(keys[i])] += 1;
            }
        }
        c
    };
    let (c0, c1) = both(|| count(halves[0].clone()), || count(halves[1].clone()));
    let total: usize = c0.iter().sum::<usize>() + c1.iter().sum::<usize>();
    // Each entry: 32 bits of the hash (not those that chose the partition) and the row.
    let mut spread = vec![0u64; total];
    {
        // Partition p holds thread 0's entries, then thread 1's: disjoint slices, one list per thread.
        let (mut s0, mut s1): (Vec<&mut [u64]>, Vec<&mut [u64]>) = (Vec::new(), Vec::new());
        let mut rest: &mut [u64] = &mut spread;
        for p in 0..PARTS {
            let (a, tail) = rest.split_at_mut(c0[p]);
            let (b, tail) = tail.split_at_mut(c1[p]);
            s0.push(a);
            s1.push(b);
            rest = tail;
        }
        let fill = |range: std::ops::Range<usize>, mut slots: Vec<&mut [u64]>| {
            let mut at = vec![0usize; PARTS];
            for i in range {
                if keep[i] {
                    let p = part_of(keys[i]);
                    if let Some(slot) = slots[p].get_mut(at[p]) {
                        *slot = (keys[i] as u32 as u64) << 32 | i as u64;
                    }
                    at[p] += 1;
                }
            }
        };
        both(|| fill(halves[0].clone(), s0), || fill(halves[1].clone(), s1));
    }
    let mut parts: Vec<&mut [u64]> = Vec::with_capacity(PARTS);
    let mut rest: &mut [u64] = &mut spread;
    for p in 0..PARTS {
        let (a, tail) = rest.split_at_mut(c0[p] + c1[p]);
        parts.push(a);
        rest = tail;
    }
    let later = parts.split_off(PARTS / 2);
    // Each partition (rows ascending) goes through a small open-addressing table of its entries;
    // where two hashes meet, the codes are compared (a collision of different codes goes on probing).
    let find = |parts: Vec<&mut [u64]>| -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        let mut table: Vec<u32> = Vec::new();
        for part in parts {
            let size = (part.len() * 2).next_power_of_two().max(16);
            table.clear();
            table.resize(size, 0);
            let mask = size - 1;
            for (j, &x) in part.iter().enumerate() {
                let (hash, row) = (x >> 32, x as u32 as usize);
                let mut slot = hash as usize & mask;
                loop {
                    let at = table[slot];
                    if at == 0 {
                        table[slot] = j as u32 + 1;
                        break;
                    }
                    let other = part[at as usize - 1];
                    if other >> 32 == hash {
                        let first = other as u32 as usize;
                        if rows.get(first).map(|r| r.uscc) == rows.get(row).map(|r| r.uscc) {
                            found.push((row, first));
                            break;
                        }
                    }
                    slot = (slot + 1) & mask;
                }
            }
        }
        found
    };
    let (mut a, b) = both(|| find(parts), || find(later));
    a.extend(b);
    a
}

/// Where each display unit (a city, county and industry, as far as the scheme groups by them) comes in
/// name order.
struct Units {
    by: [bool; 3],
    /// By city id, when the scheme groups by city alone.
    city_rank: Vec<u32>,
    rank: FastMap<(u32, u32, u32), u32>,
}

impl Units {
    fn new(ds: &Dataset, ev: &Evaluation) -> Units {
        let by = [GroupKey::City, GroupKey::County, GroupKey::Industry].map(|k| ev.grouped_by(k));
        let mut u = Units { by, city_rank: Vec::new(), rank: FastMap::default() };
        if by == [true, false, false] {
            let mut by_name: Vec<u32> = (0..ds.cities.len() as u32).collect();
            by_name.sort_by(|a, b| ds.cities[*a as usize].cmp(&ds.cities[*b as usize]));
            u.city_rank = vec![0u32; ds.cities.len()];
            for (pos, c) in by_name.iter().enumerate() {
                u.city_rank[*c as usize] = pos as u32;
            }
            return u;
        }
        // The units that occur: the groups' and the unrated rows'; ordered by their names.
        let mut keys: Vec<(u32, u32, u32)> = ev
            .groups
            .iter()
            .map(|g| u.key(g.city.unwrap_or(0), g.county.unwrap_or(0), g.industry.unwrap_or(0)))
            .chain(
                ev.unrated()
                    .iter()
                    .filter_map(|&i| ds.rows.get(i as usize))
                    .map(|r| u.key(r.city, r.county, r.industry)),
            )
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let name = |table: &[String], id: u32, on: bool| -> String {
            if on { table.get(id as usize).cloned().unwrap_or_default() } else { String::new() }
        };
        keys.sort_by_cached_key(|&(c, co, i)| {
            (name(&ds.cities, c, by[0]), name(&ds.counties, co, by[1]), name(&ds.industries, i, by[2]))
        });
        u.rank = keys.into_iter().enumerate().map(|(pos, k)| (k, pos as u32)).collect();
        u
    }

    fn key(&self, c: u32, co: u32, i: u32) -> (u32, u32, u32) {
        let by = self.by;
        (if by[0] { c } else { 0 }, if by[1] { co } else { 0 }, if by[2] { i } else { 0 })
    }

    fn of(&self, c: u32, co: u32, i: u32) -> u32 {
        if !self.city_rank.is_empty() || self.rank.is_empty() {
            return self.city_rank.get(c as usize).copied().unwrap_or(0);
        }
        self.rank.get(&self.key(c, co, i)).copied().unwrap_or(0)
    }
}

/// What a group's output lines share: `,city,scale,` (when the group has one city) and, for each class,
/// what follows the rank.
type Shared = (Option<Vec<u8>>, [Vec<u8>; 4]);

/// Writes the results: header `uscc,city,scale,score,rank,group_size,class,reason` (then `county` and
/// `industry` when the scheme groups by them), ordered by city (county, industry, as grouped), scale,
/// rank (not rated last), uscc; score to six decimals. Where the scheme does not group by city, the city
/// is not part of the order.
pub fn write(ds: &Dataset, ev: &Evaluation, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let units = Units::new(ds, ev);
    // The output order: each (unit, scale) in turn, its group's enterprises in rank order, then its rows not
    // rated by USCC. Groups and unrated rows are each sorted by that key, then merged into a list of lines:
    // (group, place in its ranking) or (u32::MAX, place among the unrated).
    let mut groups: Vec<(u64, usize)> = ev
        .groups
        .iter()
        .enumerate()
        .map(|(g, s)| {
            let unit = units.of(s.city.unwrap_or(0), s.county.unwrap_or(0), s.industry.unwrap_or(0));
            ((u64::from(unit) << 1) | s.scale as u64, g)
        })
        .collect();
    groups.sort_unstable();
    let mut unrated: Vec<(u64, [u8; 18], u32)> = ev
        .unrated()
        .iter()
        .filter_map(|&i| ds.rows.get(i as usize).map(|r| (i, r)))
        .map(|(i, r)| ((u64::from(units.of(r.city, r.county, r.industry)) << 1) | r.scale as u64, r.uscc, i))
        .collect();
    unrated.sort_unstable();
    // The output as runs of lines: (group, from, to) in its ranking, or (u32::MAX, from, to) among the
    // unrated rows.
    let mut runs: Vec<(u32, u32, u32)> = Vec::new();
    let mut t = 0usize;
    let unrated_run = |runs: &mut Vec<(u32, u32, u32)>, t: &mut usize, upto: &dyn Fn(u64) -> bool| {
        let from = *t;
        while *t < unrated.len() && upto(unrated[*t].0) {
            *t += 1;
        }
        if *t > from {
            runs.push((u32::MAX, from as u32, *t as u32));
        }
    };
    for &(key, g) in &groups {
        unrated_run(&mut runs, &mut t, &|k| k < key);
        runs.push((g as u32, 0, ev.ranked(g).len() as u32));
        unrated_run(&mut runs, &mut t, &|k| k == key);
    }
    unrated_run(&mut runs, &mut t, &|_| true);
    let extra = [(GroupKey::County, &ds.counties), (GroupKey::Industry, &ds.industries)]
        .map(|(k, table)| ev.grouped_by(k).then_some(table));
    let by_city = ev.grouped_by(GroupKey::City);
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    w.write_all(b"uscc,city,scale,score,rank,group_size,class,reason")?;
    for (k, col) in [(0, ",county"), (1, ",industry")] {
        if extra[k].is_some() {
            w.write_all(col.as_bytes())?;
        }
    }
    w.write_all(b"\n")?;
    let reasons: Vec<&[u8]> = [
        super::Reason::Rated,
        super::Reason::New,
        super::Reason::SmallLand,
        super::Reason::ExemptIndustry,
        super::Reason::ExemptListed,
        super::Reason::SmallGroup,
    ]
    .map(|r| ev.reason_text(r).as_bytes())
    .to_vec();
    fn name(table: &[String], id: u32) -> &[u8] {
        table.get(id as usize).map_or(&[][..], |s| s.as_bytes())
    }
    fn escaped(s: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        push_csv(s, &mut v);
        v
    }
    let cities: Vec<Vec<u8>> = ds.cities.iter().map(|c| escaped(c.as_bytes())).collect();
    let city_of = |id: u32| cities.get(id as usize).map_or(&[][..], |c| c.as_slice());
    let extras = |county: u32, industry: u32| -> Vec<u8> {
        let mut v = Vec::new();
        for (k, id) in [(0, county), (1, industry)] {
            if let Some(table) = extra[k] {
                v.push(b',');
                push_csv(name(table, id), &mut v);
            }
        }
        v
    };
    // Per group, what its lines share: `,city,scale,` before the score (when the city is the group's) and
    // `,size,class,` + added columns + newline after the rank, one for each class.
    let shared: Vec<Shared> = ev
        .groups
        .iter()
        .map(|s| {
            let middle = s.city.filter(|_| by_city).map(|c| {
                let mut m = vec![b','];
                m.extend_from_slice(city_of(c));
                m.push(b',');
                m.extend_from_slice(s.scale.as_str().as_bytes());
                m.push(b',');
                m
            });
            let tail = [Class::A, Class::B, Class::C, Class::D].map(|class| {
                let mut t = vec![b','];
                push_u64(u64::from(s.size), &mut t);
                t.push(b',');
                t.extend_from_slice(class.as_str().as_bytes());
                t.push(b',');
                t.extend_from_slice(&extras(s.county.unwrap_or(0), s.industry.unwrap_or(0)));
                t.push(b'\n');
                t
            });
            (middle, tail)
        })
        .collect();
    // A rated run's rows are read first, in a loop short enough for many of their (scattered) reads to be
    // under way at once; then their lines are formatted.
    type Gathered = ([u8; 18], u32, Scale, f64, u32, Class);
    let format = |part: &[(u32, u32, u32)], line: &mut Vec<u8>, gathered: &mut Vec<Gathered>| {
        line.clear();
        for &(g, from, to) in part {
            if g != u32::MAX {
                let Some((middle, tail)) = shared.get(g as usize) else { continue };
                let list = ev.ranked(g as usize).get(from as usize..to as usize).unwrap_or(&[]);
                gathered.clear();
                gathered.extend(list.iter().filter_map(|&row| {
                    let (r, x) = (ds.rows.get(row as usize)?, ev.ratings.get(row as usize)?);
                    Some((r.uscc, r.city, r.scale, x.score, x.rank, x.class))
                }));
                for &(uscc, city, scale, score, rank, class) in gathered.iter() {
                    line.extend_from_slice(&uscc);
                    match middle {
                        Some(m) => line.extend_from_slice(m),
                        None => {
                            line.push(b',');
                            line.extend_from_slice(city_of(city));
                            line.push(b',');
                            line.extend_from_slice(scale.as_str().as_bytes());
                            line.push(b',');
                        }
                    }
                    fixed6(score, line);
                    line.push(b',');
                    push_u64(u64::from(rank), line);
                    line.extend_from_slice(&tail[(class as usize).min(3)]);
                }
                continue;
            }
            for k in from..to {
                let Some(&(_, uscc, i)) = unrated.get(k as usize) else { continue };
                let (Some(r), Some(t)) = (ds.rows.get(i as usize), ev.ratings.get(i as usize)) else { continue };
                line.extend_from_slice(&uscc);
                line.push(b',');
                line.extend_from_slice(city_of(r.city));
                line.push(b',');
                line.extend_from_slice(r.scale.as_str().as_bytes());
                line.extend_from_slice(b",,,,T,");
                line.extend_from_slice(reasons.get(t.reason as usize).copied().unwrap_or_default());
                if extra[0].is_some() || extra[1].is_some() {
                    line.extend_from_slice(&extras(r.county, r.industry));
                }
                line.push(b'\n');
            }
        }
    };
    // Two threads format a block at a time; the one that writes the last block formats the smaller share.
    const LINES: u32 = 1 << 15;
    let (mut fa, mut fb) = (Vec::with_capacity(LINES as usize * 64), Vec::with_capacity(LINES as usize * 64));
    let mut pending: Option<(Vec<u8>, Vec<u8>)> = None;
    let (mut run, mut offset) = (0usize, 0u32);
    // The next `count` lines, as runs.
    let mut take = |count: u32, out: &mut Vec<(u32, u32, u32)>| {
        out.clear();
        let mut left = count;
        while left > 0 && run < runs.len() {
            let (g, from, to) = runs[run];
            let start = from + offset;
            let end = to.min(start + left);
            out.push((g, start, end));
            left -= end - start;
            if end == to {
                run += 1;
                offset = 0;
            } else {
                offset = end - from;
            }
        }
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let (mut ga, mut gb) = (Vec::new(), Vec::new());
    loop {
        take(LINES * 9 / 20, &mut a);
        take(LINES - LINES * 9 / 20, &mut b);
        let done = a.is_empty();
        let (written, ()) = both(
            || -> std::io::Result<()> {
                if let Some((pa, pb)) = &pending {
                    w.write_all(pa)?;
                    w.write_all(pb)?;
                }
                format(&a, &mut fa, &mut ga);
                Ok(())
            },
            || format(&b, &mut fb, &mut gb),
        );
        written?;
        if done {
            break;
        }
        let (mut na, mut nb) = pending.take().unwrap_or_default();
        std::mem::swap(&mut na, &mut fa);
        std::mem::swap(&mut nb, &mut fb);
        pending = Some((na, nb));
    }
    w.flush()
}

/// A text field, quoted when it holds a comma, a quote or a line break.
fn push_csv(s: &[u8], out: &mut Vec<u8>) {
    if s.iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for &b in s {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s);
    }
}

/// "00", "01", … "99".
const PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

fn push_u64(mut v: u64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    while v >= 100 {
        let p = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        buf[i] = PAIRS[p];
        buf[i + 1] = PAIRS[p + 1];
    }
    if v >= 10 {
        i -= 2;
        buf[i] = PAIRS[v as usize * 2];
        buf[i + 1] = PAIRS[v as usize * 2 + 1];
    } else {
        i -= 1;
        buf[i] = b'0' + v as u8;
    }
    out.extend_from_slice(&buf[i..]);
}

/// A score with six decimals, rounded half away from zero (beyond 10^12, the standard library's).
fn fixed6(v: f64, out: &mut Vec<u8>) {
    if v.is_nan() || v.abs() >= 1e12 {
        out.extend_from_slice(format!("{v:.6}").as_bytes());
        return;
    }
    let micro = (v.abs() * 1e6).round() as u64;
    if v < 0.0 && micro != 0 {
        out.push(b'-');
    }
    push_u64(micro / 1_000_000, out);
    let f = (micro % 1_000_000) as usize;
    let (a, b, c) = (f / 10_000 * 2, f / 100 % 100 * 2, f % 100 * 2);
    out.extend_from_slice(&[b'.', PAIRS[a], PAIRS[a + 1], PAIRS[b], PAIRS[b + 1], PAIRS[c], PAIRS[c + 1]]);
}

/// Each rated enterprise's items and bonus or deduction points, one a line, in input order:
/// `uscc,item,unit,value,benchmark,weight,score,capped`; a bonus or deduction has no unit, value,
/// benchmark or weight; an undefined value is empty (its score is the stand-in).
pub fn write_details(
    ds: &Dataset,
    ev: &Evaluation,
    scheme: &Scheme,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
    w.write_all(b"uscc,item,unit,value,benchmark,weight,score,capped\n")?;
    let mut line = Vec::with_capacity(256);
    for i in 0..ds.rows.len() {
        let Some(x) = super::explain(ev, &ds.rows, i, scheme) else { continue };
        let uscc = &ds.rows[i].uscc;
        line.clear();
        for it in &x.items {
            line.extend_from_slice(uscc);
            line.push(b',');
            push_csv(it.name.as_bytes(), &mut line);
            line.push(b',');
            push_csv(it.unit.as_bytes(), &mut line);
            line.push(b',');
            if let Some(v) = it.value {
                line.extend_from_slice(format!("{v}").as_bytes());
            }
            line.extend_from_slice(format!(",{},{},", it.benchmark, it.weight).as_bytes());
            fixed6(it.score, &mut line);
            line.extend_from_slice(if it.capped { b",yes\n" } else { b",\n" });
        }
        for a in &x.adjustments {
            line.extend_from_slice(uscc);
            line.push(b',');
            push_csv(a.name.as_bytes(), &mut line);
            line.extend_from_slice(b",,,,,");
            fixed6(a.points, &mut line);
            line.extend_from_slice(b",\n");
        }
        w.write_all(&line)?;
    }
    w.flush()
}

/// The errors as CSV (`line,column,message`), for `--skip-invalid`.
pub fn write_errors(errors: &[RowError], lang: Lang) -> String {
    let mut s = String::from("line,column,message\n");
    for e in errors {
        let m = e.message(lang).replace('"', "\"\"");
        s.push_str(&format!("{},{},\"{m}\"\n", e.line, e.column));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "uscc,name,city,scale,founded_year,year,land_mu,tax_wan,revenue_wan,value_added_wan,rd_wan,energy_tce,emission_t,employees,electricity_mwh\n";

    #[test]
    fn each_error_names_line_and_column() {
        let text = format!(
            "{HEADER}91440300708461136T,甲,深圳,above,2010,2024,10,100,1000,300,30,100,,50,200\n\
             91440300708461136U,乙,深圳,above,2010,2024,10,100,1000,300,30,100,10,50,200\n\
             9144030071526726XG,丙,深圳,above,2010,2024,0,100,1000,300,30,100,10,50,200\n\
             9144030071526726XG,丁,深圳,middle,2010,2024,5,100,1000,300,30,100,10,50,200\n\
             91440300708461136T,戊,深圳,above,2010,2024,5,-1,1000,300,30,100,10,50,200\n\
             91440300708461136T,己,深圳,above,2010,2024,5,abc,1000,300,30,100,10,50,200\n\
             91440300708461136T,庚,深圳,above,2010,2024,5,10,1000,300,30,100,10,50,200\n\
             9144030071526726XG,辛,广州,below,2010,2023,5,10,,,,,,,20\n\
             9144030071526726XG,\"壬,有限公司\",广州,below,2010,2024,5,10,,,,,,,20\n\
             91440300708461136T,癸,深圳\n"
        );
        let ds = read(text.as_bytes()).unwrap();
        let got: Vec<(usize, &str)> = ds.errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (3, "uscc"),
                (4, "land_mu"),
                (5, "scale"),
                (6, "tax_wan"),
                (7, "tax_wan"),
                (8, "uscc"),
                (9, "year"),
                (11, "")
            ]
        );
        assert_eq!(ds.rows.len(), 2, "the first row and the quoted name");
        assert!(ds.errors[0].en.contains("check character"));
        assert!(ds.errors[5].zh.contains("与第 2 行重复"), "{}", ds.errors[5].zh);
    }

    #[test]
    fn numbers_parse_as_the_standard_library_does() {
        for s in [
            "0",
            "1",
            "12.5",
            "0.1",
            "1234567.891",
            "7000000000000",
            "0.000001",
            "1e3",
            "-2.5",
            "9007199254740993",
            "3.14159265358979",
        ] {
            assert_eq!(parse_number(s.as_bytes()), s.parse::<f64>().ok(), "{s}");
        }
        for s in ["", ".", "1.2.3", "abc", "1,5", "inf", "NaN"] {
            assert_eq!(parse_number(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn quick_checks_agree_with_the_careful_ones() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        // USCCs: valid ones, one character changed, and noise.
        for k in 0..20_000 {
            let mut code = format!("9144{:04}{:09}", next() % 10_000, next() % 1_000_000_000).into_bytes();
            code.push(jiqun_domain::uscc::check_character(&code).unwrap());
            if k % 2 == 1 {
                let at = (next() % 18) as usize;
                code[at] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ a"[(next() % 38) as usize];
            }
            if k % 7 == 0 {
                code.truncate((next() % 19) as usize);
            }
            assert_eq!(uscc_ok(&code), jiqun_domain::uscc::validate(&code).is_ok(), "{code:?}");
        }
        assert_ne!(uscc_hash(b"91440300708461136T"), uscc_hash(b"9144030071526726XG"));
        // UTF-8: random bytes weighted towards the edges of the encoding.
        let edges = [
            0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0x9F, 0xA0, 0x8F, 0x90,
        ];
        for _ in 0..200_000 {
            let len = (next() % 6) as usize;
            let bytes: Vec<u8> =
                (0..len).map(|_| if next() % 3 == 0 { next() as u8 } else { edges[(next() % 18) as usize] }).collect();
            assert_eq!(utf8(&bytes), std::str::from_utf8(&bytes).is_ok(), "{bytes:x?}");
        }
        for s in ["示例企业0000001", "韶关", "", "a😀b", "\u{10FFFF}"] {
            assert!(utf8(s.as_bytes()));
        }
        // Decimals (a whole field) and years.
        let fast_decimal = |s: &[u8]| fast_decimal(s, 0).and_then(|(v, end)| if end == s.len() { v } else { None });
        for s in [
            "0",
            "7622.98",
            "0.864",
            "109",
            "123456789012345",
            "1234567890123456789",
            "12345678901234567890",
            "9007199254740993",
            ".5",
            "5.",
            "1.2.3",
            "1e3",
            " 1",
            "-1",
            "+1",
            "",
        ] {
            let fast = fast_decimal(s.as_bytes());
            if let Some(v) = fast {
                assert_eq!(Some(v), s.parse::<f64>().ok(), "{s}");
            }
            assert_eq!(
                fast.is_some(),
                ["0", "7622.98", "0.864", "109", "123456789012345", ".5", "5."].contains(&s),
                "{s}"
            );
        }
        for k in 0..100_000u64 {
            let s = format!("{}.{:0w$}", next() % 10u64.pow((k % 9) as u32), next() % 10_000, w = (k % 5) as usize);
            assert_eq!(fast_decimal(s.as_bytes()), s.parse::<f64>().ok(), "{s}");
            let followed = format!("{s},12345678");
            let want = Some((s.parse::<f64>().ok(), s.len()));
            assert_eq!(super::fast_decimal(followed.as_bytes(), 0), want, "{s}");
        }
        // In place, with what follows (the eight-byte path needs eight bytes to read).
        for s in [
            "7622.98,1",
            "109,xxxxxxxxx",
            "0.864\n12345678",
            "1234567.1234567,x",
            "12345678.5,xxxxxxx",
            ",xxxxxxxx",
            ".,xxxxxxxx",
            "5.,xxxxxxxxx",
        ] {
            let field = s.split([',', '\n']).next().unwrap();
            let got = super::fast_decimal(s.as_bytes(), 0);
            let want = if field.is_empty() {
                Some((None, 0))
            } else if field == "." {
                None
            } else {
                Some((field.parse::<f64>().ok(), field.len()))
            };
            assert_eq!(got, want, "{s}");
        }
        for w in [*b"0123456x", *b"98765432", *b"1.5,,,,,", *b"\xfa9\x00\x00\x00\x00\x00\x00", *b"/:09,abc"] {
            let run = w.iter().take_while(|b| b.is_ascii_digit()).count();
            assert_eq!(digit_run(u64::from_le_bytes(w)), run, "{w:?}");
            if run > 0 {
                let text = std::str::from_utf8(&w[..run]).unwrap();
                assert_eq!(digits_value(u64::from_le_bytes(w), run), text.parse::<u64>().unwrap());
            }
        }
        // Names: short and long, sharing heads and tails, are told apart.
        let mut names = Names::default();
        let words = [
            "韶关",
            "广州",
            "州",
            "",
            "a",
            "ab",
            "abcdefgh",
            "abcdefghi",
            "abcdefghXabcdefgh",
            "abcdefghYabcdefgh",
            "abcdefgh",
            "州",
        ];
        let ids: Vec<u32> = words.iter().map(|w| names.id(w.as_bytes()).unwrap()).collect();
        assert_eq!(ids, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 6, 2]);
        for k in 0..500 {
            assert_eq!(names.id(format!("城市{k}").as_bytes()), Some(10 + k));
        }
        assert_eq!(names.id("城市7".as_bytes()), Some(17));
        assert_eq!(names.id(b"\xff"), None);
        assert_eq!(field_end(b"abc,def", 0), 3);
        assert_eq!(field_end("示例企业0000001,x".as_bytes(), 0), 19);
        assert_eq!(field_end(b"abcdefghijk\nx", 2), 11);
        assert_eq!(field_end(b"abc", 0), 3);
        assert_eq!(fast_year(b"2024"), Some(2024));
        assert_eq!(fast_year(b"1799"), None);
        assert_eq!(fast_year(b"20 4"), None);
    }

    /// Rows that need the careful path (spaces, quotes, signs) give what the quick path gives for the same
    /// values written plainly.
    #[test]
    fn plain_and_padded_rows_agree() {
        let plain = format!("{HEADER}91440300708461136T,甲,深圳,above,2010,2024,10,100,1000,300,30,100,,50,200\n");
        let padded = format!(
            "{HEADER}\"91440300708461136T\", 甲 ,\"深圳\",above , 2010,2024,+10,100.0,1e3, 300 ,30,100,,50,\"200\"\n"
        );
        let (a, b) = (read(plain.as_bytes()).unwrap(), read(padded.as_bytes()).unwrap());
        assert!(a.errors.is_empty() && b.errors.is_empty(), "{:?}", b.errors);
        assert_eq!(format!("{:?}", a.rows), format!("{:?}", b.rows));
        assert_eq!(a.cities, b.cities);
    }

    #[test]
    fn header_and_emptiness() {
        assert_eq!(read(b"").unwrap_err().line, 1);
        let e = read(b"uscc,name\n1,2\n").unwrap_err();
        assert!(e.en.contains("missing column"), "{}", e.en);
        let ds = read(HEADER.as_bytes()).unwrap();
        assert!(ds.rows.is_empty() && ds.errors.is_empty());
        let twice = format!("{},city\n", HEADER.trim_end());
        assert!(read(twice.as_bytes()).unwrap_err().en.contains("twice"));
    }

    #[test]
    fn lines_are_numbered_across_blocks_and_line_ends() {
        // Enough rows for several blocks, CRLF line ends, an empty line, no newline at the end.
        let good = "9144030071526726XG,乙,深圳,above,2010,2024,10,100,1000,300,30,100,10,50,200";
        let mut text = HEADER.replace('\n', "\r\n");
        let rows = 2 * BLOCK / good.len() + 10;
        for k in 0..rows {
            if k == rows / 2 {
                text.push_str("\r\n");
            }
            let mut code = format!("91440300{:09}", k).into_bytes();
            code.push(jiqun_domain::uscc::check_character(&code).unwrap());
            text.push_str(&String::from_utf8(code).unwrap());
            text.push_str(&good[18..]);
            text.push_str("\r\n");
        }
        text.push_str("91440300708461136T,甲,深圳,above,2010,2024,x,100,1000,300,30,100,10,50,200");
        let ds = read(text.as_bytes()).unwrap();
        assert_eq!(ds.rows.len(), rows);
        assert_eq!(ds.lines[0], 2);
        assert_eq!(ds.lines[rows / 2], rows / 2 + 3, "the empty line counts");
        assert_eq!(ds.lines[rows - 1], rows + 2);
        assert_eq!((ds.errors[0].line, ds.errors[0].column.as_str()), (rows + 3, "land_mu"));
        assert_eq!(ds.rows[rows - 1].figures.get(8), 200.0, "the \\r is not part of the last field");
    }

    /// Damaged files (bytes changed, cut, doubled) are read, rated, written and explained without a panic.
    #[test]
    fn damaged_input_never_panics() {
        let mut text = String::from(HEADER.trim_end());
        text.push_str(",county,tenants,extra\n");
        for k in 0..300 {
            let mut code = format!("91440300{:09}", k).into_bytes();
            code.push(jiqun_domain::uscc::check_character(&code).unwrap());
            text.push_str(&String::from_utf8(code).unwrap());
            text.push_str(&format!(
                ",\"乙{k}\",深圳,{},2010,2024,{}.5,100,1000,300,30,100,,50,200,南山,{},x\n",
                if k % 3 == 0 { "below" } else { "above" },
                1 + k % 9,
                k % 4
            ));
        }
        let base = text.into_bytes();
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let noise = b",\n\r\" .-+e0123456789AXY\xe4\xb8\xff";
        let mut scheme = super::super::Scheme::default();
        scheme.groups.push(GroupKey::County);
        for round in 0..300 {
            let mut bytes = base.clone();
            for _ in 0..1 + round % 20 {
                let at = (next() as usize) % bytes.len();
                match next() % 4 {
                    0 => bytes[at] = noise[(next() as usize) % noise.len()],
                    1 => {
                        bytes.remove(at);
                    }
                    2 => bytes.insert(at, noise[(next() as usize) % noise.len()]),
                    _ => bytes.truncate(at.max(1)),
                }
            }
            let Ok(ds) = read(&bytes) else { continue };
            for s in [&super::super::Scheme::default(), &scheme] {
                let ev = super::super::evaluate(&ds.rows, s);
                let mut out = Vec::new();
                write(&ds, &ev, &mut out).unwrap();
                write_details(&ds, &ev, s, &mut out).unwrap();
            }
            let _ = write_errors(&ds.errors, Lang::En);
        }
    }

    #[test]
    fn every_repeat_names_the_first_line() {
        let mut text = String::from(HEADER);
        for k in 0..3000 {
            let mut code = format!("91440300{:09}", k % 1000).into_bytes();
            code.push(jiqun_domain::uscc::check_character(&code).unwrap());
            text.push_str(&String::from_utf8(code).unwrap());
            text.push_str(",乙,深圳,above,2010,2024,10,100,1000,300,30,100,10,50,200\n");
        }
        let ds = read(text.as_bytes()).unwrap();
        assert_eq!(ds.rows.len(), 1000);
        assert_eq!(ds.errors.len(), 2000);
        for e in &ds.errors {
            let first = (e.line - 2) % 1000 + 2;
            assert!(e.en.ends_with(&format!("repeats line {first}")), "{}: {}", e.line, e.en);
        }
        assert_eq!(ds.lines, (2..1002).collect::<Vec<_>>());
    }

    /// A group of one: 100·1 ≤ 20·1 fails, and so do the B and C cut-offs, so the contract's rule gives D.
    #[test]
    fn output_format_and_order() {
        let text = format!(
            "{HEADER}91440300708461136T,甲,深圳,above,2023,2024,10,100,1000,300,30,100,10,50,200\n\
             9144030071526726XG,乙,深圳,above,2010,2024,10,100,1000,300,30,100,10,50,200\n"
        );
        let ds = read(text.as_bytes()).unwrap();
        let ev = super::super::evaluate(&ds.rows, &super::super::Scheme::default());
        let mut out = Vec::new();
        write(&ds, &ev, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "uscc,city,scale,score,rank,group_size,class,reason\n\
             9144030071526726XG,深圳,above,100.000000,1,1,D,\n\
             91440300708461136T,深圳,above,,,,T,新设企业\n"
        );
    }

    #[test]
    fn scores_format() {
        let f = |v: f64| {
            let mut o = Vec::new();
            fixed6(v, &mut o);
            String::from_utf8(o).unwrap()
        };
        assert_eq!(f(0.0), "0.000000");
        assert_eq!(f(12.3456785), "12.345679");
        assert_eq!(f(-5.0), "-5.000000");
        assert_eq!(f(-0.0000001), "0.000000");
        assert_eq!(f(2e12), "2000000000000.000000");
    }
}
