//! Word automatic numbering: the definitions in `word/numbering.xml`, the paragraph styles in
//! `word/styles.xml` that carry numbering, and the running counters that turn them into labels
//! such as `一、`, `(二)` or `1.1`.
//!
//! Counters run per abstract definition, not per `w:num`: Word continues one sequence across all
//! `w:num` instances of the same `w:abstractNum`, and a `w:startOverride` restarts the shared
//! sequence where its instance is first used. Limits: `w:numFmt w:val="custom"` and picture bullets
//! fall back to decimal and `•`; `w:lvlRestart` is honoured but `w:legacy` spacing is not.

use std::collections::{HashMap, HashSet};

use super::InputError;
use super::docx::{Ns, Step, attr, is_on, local, walk};

/// OOXML has nine list levels, 0..=8.
const LEVELS: usize = 9;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Suffix {
    #[default]
    Tab,
    Space,
    Nothing,
}

#[derive(Debug, Clone, Default)]
struct Level {
    /// OOXML's default start is 0; Word writes `w:start` whenever it means 1.
    start: u32,
    format: String,
    text: String,
    suffix: Suffix,
    restart: Option<u32>,
    legal: bool,
    style: Option<String>,
}

#[derive(Debug, Default)]
struct Abstract {
    levels: HashMap<u8, Level>,
    /// `w:numStyleLink`: the definition lives with the numbering style of this id.
    style_link: Option<String>,
}

#[derive(Debug, Default)]
struct Num {
    abstract_id: String,
    starts: HashMap<u8, u32>,
    levels: HashMap<u8, Level>,
}

#[derive(Debug, Default)]
pub(super) struct Numbering {
    abstracts: HashMap<String, Abstract>,
    nums: HashMap<String, Num>,
}

fn level_attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<u8> {
    attr(e, name).and_then(|v| v.trim().parse::<u8>().ok()).filter(|&l| usize::from(l) < LEVELS)
}

fn number(e: &quick_xml::events::BytesStart<'_>) -> Option<u32> {
    attr(e, "val").and_then(|v| v.trim().parse().ok())
}

impl Numbering {
    pub(super) fn parse(part: &str, xml: &str) -> Result<Numbering, InputError> {
        let mut out = Numbering::default();
        let mut abs: Option<(String, Abstract)> = None;
        let mut num: Option<(String, Num)> = None;
        let mut over: Option<u8> = None;
        let mut lvl: Option<(u8, Level)> = None;
        walk(part, xml, |step| match step {
            Step::Start(Ns::Word, e) | Step::Empty(Ns::Word, e) => {
                let opens = matches!(step, Step::Start(..));
                match local(e) {
                    "abstractNum" if opens => {
                        abs = attr(e, "abstractNumId").map(|id| (id, Abstract::default()));
                    }
                    "num" if opens => num = attr(e, "numId").map(|id| (id, Num::default())),
                    "lvlOverride" if opens => over = level_attr(e, "ilvl"),
                    "lvl" if opens => lvl = level_attr(e, "ilvl").map(|i| (i, Level::default())),
                    "abstractNumId" => {
                        if let (Some((_, n)), Some(v)) = (num.as_mut(), attr(e, "val")) {
                            n.abstract_id = v;
                        }
                    }
                    "startOverride" => {
                        if let (Some((_, n)), Some(i), Some(v)) = (num.as_mut(), over, number(e)) {
                            n.starts.insert(i, v);
                        }
                    }
                    "numStyleLink" => {
                        if let Some((_, a)) = abs.as_mut() {
                            a.style_link = attr(e, "val");
                        }
                    }
                    name => {
                        if let Some((_, l)) = lvl.as_mut() {
                            read_level_property(l, name, e);
                        }
                    }
                }
            }
            Step::End(Ns::Word, name) => match name {
                "lvl" => {
                    if let Some((i, l)) = lvl.take() {
                        match (num.as_mut(), over, abs.as_mut()) {
                            (Some((_, n)), Some(_), _) => {
                                n.levels.insert(i, l);
                            }
                            (_, _, Some((_, a))) => {
                                a.levels.insert(i, l);
                            }
                            _ => {}
                        }
                    }
                }
                "lvlOverride" => over = None,
                "abstractNum" => {
                    if let Some((id, a)) = abs.take() {
                        out.abstracts.insert(id, a);
                    }
                }
                "num" => {
                    if let Some((id, n)) = num.take() {
                        out.nums.insert(id, n);
                    }
                }
                _ => {}
            },
            _ => {}
        })?;
        Ok(out)
    }
}

fn read_level_property(l: &mut Level, name: &str, e: &quick_xml::events::BytesStart<'_>) {
    match name {
        "start" => l.start = number(e).unwrap_or(0),
        "numFmt" => l.format = attr(e, "val").unwrap_or_default(),
        "lvlText" => l.text = attr(e, "val").unwrap_or_default(),
        "suff" => {
            l.suffix = match attr(e, "val").as_deref() {
                Some("space") => Suffix::Space,
                Some("nothing") => Suffix::Nothing,
                _ => Suffix::Tab,
            }
        }
        "lvlRestart" => l.restart = number(e),
        "isLgl" => l.legal = is_on(e),
        "pStyle" => l.style = attr(e, "val"),
        _ => {}
    }
}

#[derive(Debug, Default)]
struct Style {
    num_id: Option<String>,
    ilvl: Option<u8>,
    based_on: Option<String>,
}

/// Paragraph and numbering styles, for numbering that a paragraph gets through its style.
#[derive(Debug, Default)]
pub(super) struct Styles {
    map: HashMap<String, Style>,
}

impl Styles {
    pub(super) fn parse(part: &str, xml: &str) -> Result<Styles, InputError> {
        let mut out = Styles::default();
        let mut cur: Option<(String, Style)> = None;
        walk(part, xml, |step| match step {
            Step::Start(Ns::Word, e) | Step::Empty(Ns::Word, e) => match local(e) {
                "style" if matches!(step, Step::Start(..)) => {
                    let kind = attr(e, "type");
                    cur = match kind.as_deref() {
                        None | Some("paragraph" | "numbering") => attr(e, "styleId").map(|id| (id, Style::default())),
                        Some(_) => None,
                    };
                }
                name => {
                    if let Some((_, s)) = cur.as_mut() {
                        match name {
                            "basedOn" => s.based_on = attr(e, "val"),
                            "numId" => s.num_id = attr(e, "val"),
                            "ilvl" => s.ilvl = level_attr(e, "val"),
                            _ => {}
                        }
                    }
                }
            },
            Step::End(Ns::Word, "style") => {
                if let Some((id, s)) = cur.take() {
                    out.map.insert(id, s);
                }
            }
            _ => {}
        })?;
        Ok(out)
    }
}

/// The numbering state while reading a document's paragraphs in order.
pub(super) struct Counter<'n> {
    numbering: &'n Numbering,
    styles: &'n Styles,
    counts: HashMap<String, [Option<u32>; LEVELS]>,
    /// (numId, level) pairs already used, so a start override applies only at first use.
    seen: HashSet<(String, u8)>,
}

/// Style chains (`w:basedOn`) and numbering-style links are followed at most this far, which
/// also ends cycles in a corrupt file.
const MAX_HOPS: usize = 16;

impl<'n> Counter<'n> {
    pub(super) fn new(numbering: &'n Numbering, styles: &'n Styles) -> Counter<'n> {
        Counter { numbering, styles, counts: HashMap::new(), seen: HashSet::new() }
    }

    /// Advances the counters for a paragraph and returns its label with the separator after it,
    /// or `None` if the paragraph is not numbered. Direct `w:numPr` values win over the style's.
    pub(super) fn label(&mut self, num_id: Option<&str>, ilvl: Option<u8>, style: Option<&str>) -> Option<String> {
        let mut num_id = num_id.map(str::to_string);
        let mut ilvl = ilvl.filter(|&l| usize::from(l) < LEVELS);
        let mut next = style;
        for _ in 0..MAX_HOPS {
            let Some(s) = next.and_then(|id| self.styles.map.get(id)) else { break };
            if num_id.is_none() {
                num_id.clone_from(&s.num_id);
            }
            if ilvl.is_none() {
                ilvl = s.ilvl;
            }
            next = s.based_on.as_deref();
        }
        let num_id = num_id.filter(|id| id.trim() != "0")?;
        let num = self.numbering.nums.get(&num_id)?;
        let (abstract_id, abs) = self.resolve_abstract(num)?;
        let ilvl = ilvl
            .or_else(|| {
                let style = style?;
                abs.levels.iter().find(|(_, l)| l.style.as_deref() == Some(style)).map(|(&i, _)| i)
            })
            .unwrap_or(0);
        let def = |i: u8| num.levels.get(&i).or_else(|| abs.levels.get(&i));
        let level = def(ilvl)?;
        let first_use = self.seen.insert((num_id.clone(), ilvl));
        let counts = self.counts.entry(abstract_id).or_insert([None; LEVELS]);
        let at = usize::from(ilvl);
        let value = match (first_use, num.starts.get(&ilvl)) {
            (true, Some(&start)) => start,
            _ => counts.get(at).copied().flatten().map_or(level.start, |c| c.saturating_add(1)),
        };
        if let Some(slot) = counts.get_mut(at) {
            *slot = Some(value);
        }
        for deeper in (at + 1)..LEVELS {
            let restarts = match u8::try_from(deeper).ok().and_then(def).and_then(|l| l.restart) {
                Some(0) => false,
                Some(after) => u32::from(ilvl) < after,
                None => true,
            };
            if restarts && let Some(slot) = counts.get_mut(deeper) {
                *slot = None;
            }
        }
        let counts = *counts;
        let shown = |i: u8| -> String {
            let Some(l) = def(i) else { return String::new() };
            let start = num.starts.get(&i).copied().unwrap_or(l.start);
            let n = counts.get(usize::from(i)).copied().flatten().unwrap_or(start);
            let format = if level.legal { "decimal" } else { l.format.as_str() };
            format_number(n, format)
        };
        let mut label = if level.format == "bullet" { bullet(&level.text) } else { expand(&level.text, shown) };
        if !label.is_empty() {
            match level.suffix {
                Suffix::Tab | Suffix::Space => label.push(' '),
                Suffix::Nothing => {}
            }
        }
        Some(label)
    }

    fn resolve_abstract(&self, num: &'n Num) -> Option<(String, &'n Abstract)> {
        let mut id = num.abstract_id.clone();
        for _ in 0..MAX_HOPS {
            let abs = self.numbering.abstracts.get(&id)?;
            match &abs.style_link {
                Some(link) if abs.levels.is_empty() => {
                    let linked = self.styles.map.get(link)?.num_id.as_ref()?;
                    id.clone_from(&self.numbering.nums.get(linked)?.abstract_id);
                }
                _ => return Some((id, abs)),
            }
        }
        None
    }
}

/// Replaces `%1`..`%9` in a level text with the rendered counters of those levels.
fn expand(template: &str, shown: impl Fn(u8) -> String) -> String {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '%'
            && let Some(d) = chars.peek().and_then(|d| d.to_digit(10)).filter(|d| (1..=9).contains(d))
        {
            chars.next();
            out.push_str(&shown(u8::try_from(d - 1).unwrap_or(0)));
        } else {
            out.push(c);
        }
    }
    out
}

/// A bullet's glyph; symbol-font bullets sit in the private use area and mean nothing as text.
fn bullet(text: &str) -> String {
    if text.is_empty() || text.chars().any(|c| ('\u{E000}'..='\u{F8FF}').contains(&c)) {
        "•".to_string()
    } else {
        text.to_string()
    }
}

/// Renders a counter in a `w:numFmt`; unknown formats are decimal, as Word falls back.
pub(super) fn format_number(n: u32, format: &str) -> String {
    match format {
        "none" => String::new(),
        "decimalZero" if n < 10 => format!("0{n}"),
        "ideographDigital" => {
            n.to_string().chars().map(|d| ideograph_digit(d.to_digit(10).unwrap_or(0), '〇')).collect()
        }
        "chineseCounting" | "japaneseCounting" | "taiwaneseCounting" => counting(n, &SIMPLE, '〇'),
        "chineseCountingThousand" | "taiwaneseCountingThousand" | "japaneseCountingThousand" => {
            counting(n, &SIMPLE, '零')
        }
        "chineseLegalSimplified" | "ideographLegalTraditional" | "japaneseLegal" => counting(n, &LEGAL, '零'),
        "ideographTraditional" => cycle(n, &['甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬', '癸']),
        "ideographZodiac" => cycle(n, &['子', '丑', '寅', '卯', '辰', '巳', '午', '未', '申', '酉', '戌', '亥']),
        "lowerLetter" => letters(n, b'a'),
        "upperLetter" => letters(n, b'A'),
        "lowerRoman" => roman(n).to_lowercase(),
        "upperRoman" => roman(n),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" => enclosed(n),
        "decimalEnclosedParen" => offset_glyph(n, 20, 0x2474),
        "decimalEnclosedFullstop" => offset_glyph(n, 20, 0x2488),
        _ => n.to_string(),
    }
}

fn ideograph_digit(d: u32, zero: char) -> char {
    match d {
        1 => '一',
        2 => '二',
        3 => '三',
        4 => '四',
        5 => '五',
        6 => '六',
        7 => '七',
        8 => '八',
        9 => '九',
        _ => zero,
    }
}

struct Numerals {
    digits: [char; 9],
    ten: char,
    hundred: char,
    thousand: char,
    /// Whether 10..19 drop the leading one (`十一`, not `一十一`), as ordinary counting does.
    bare_ten: bool,
}

const SIMPLE: Numerals = Numerals {
    digits: ['一', '二', '三', '四', '五', '六', '七', '八', '九'],
    ten: '十',
    hundred: '百',
    thousand: '千',
    bare_ten: true,
};

const LEGAL: Numerals = Numerals {
    digits: ['壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'],
    ten: '拾',
    hundred: '佰',
    thousand: '仟',
    bare_ten: false,
};

/// Chinese counting: 1 一, 10 十, 11 十一, 20 二十, 101 一百零一, 10010 一万零一十; beyond
/// 99 999 999 it falls back to digits.
fn counting(n: u32, numerals: &Numerals, zero: char) -> String {
    if n == 0 {
        return zero.to_string();
    }
    if n >= 100_000_000 {
        return n.to_string();
    }
    let (high, low) = (n / 10_000, n % 10_000);
    if high == 0 {
        return below_ten_thousand(low, numerals, zero, true);
    }
    let mut s = below_ten_thousand(high, numerals, zero, true);
    s.push('万');
    if low > 0 {
        if low < 1000 {
            s.push(zero);
        }
        s.push_str(&below_ten_thousand(low, numerals, zero, false));
    }
    s
}

fn below_ten_thousand(n: u32, numerals: &Numerals, zero: char, leading: bool) -> String {
    let places = [
        (n / 1000 % 10, Some(numerals.thousand)),
        (n / 100 % 10, Some(numerals.hundred)),
        (n / 10 % 10, Some(numerals.ten)),
        (n % 10, None),
    ];
    let mut s = String::new();
    let mut started = false;
    let mut gap = false;
    for (digit, unit) in places {
        if digit == 0 {
            gap = started;
            continue;
        }
        if gap {
            s.push(zero);
            gap = false;
        }
        let bare = numerals.bare_ten && leading && !started && digit == 1 && unit == Some(numerals.ten);
        if !bare && let Some(&c) = numerals.digits.get((digit - 1) as usize) {
            s.push(c);
        }
        if let Some(u) = unit {
            s.push(u);
        }
        started = true;
    }
    s
}

fn cycle(n: u32, symbols: &[char]) -> String {
    match n.checked_sub(1).and_then(|i| symbols.get(i as usize)) {
        Some(c) => c.to_string(),
        None => n.to_string(),
    }
}

/// Word's letters: a..z, then aa..zz, aaa…
fn letters(n: u32, base: u8) -> String {
    let Some(i) = n.checked_sub(1) else { return n.to_string() };
    let letter = char::from(base + u8::try_from(i % 26).unwrap_or(0));
    let repeat = usize::try_from(i / 26 + 1).unwrap_or(1).min(64);
    std::iter::repeat_n(letter, repeat).collect()
}

fn roman(n: u32) -> String {
    if n == 0 || n >= 4000 {
        return n.to_string();
    }
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut rest = n;
    let mut s = String::new();
    for (value, glyph) in TABLE {
        while rest >= value {
            s.push_str(glyph);
            rest -= value;
        }
    }
    s
}

/// ① to ㊿ over the three Unicode runs of circled numbers.
fn enclosed(n: u32) -> String {
    let code = match n {
        1..=20 => 0x2460 + n - 1,
        21..=35 => 0x3251 + n - 21,
        36..=50 => 0x32B1 + n - 36,
        _ => return n.to_string(),
    };
    char::from_u32(code).map_or_else(|| n.to_string(), |c| c.to_string())
}

fn offset_glyph(n: u32, max: u32, first: u32) -> String {
    if (1..=max).contains(&n)
        && let Some(c) = char::from_u32(first + n - 1)
    {
        return c.to_string();
    }
    n.to_string()
}
