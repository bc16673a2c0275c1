//! Quantitative targets and reported facts: the figures of a sentence (7万亿元, 6%, 3-5个, 千亿级), their
//! comparator (突破 >, 达到 >=, 以内 <=, bare =, 3-5 range), the subject they measure, the year, and whether
//! the plan aims for them (target) or reports them as already true (fact).

use jiqun_domain::plan::Cmp;

#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Byte range of the figure in its sentence, including comparator words after it (以上).
    pub start: usize,
    pub end: usize,
    pub value: f64,
    pub value_max: Option<f64>,
    pub unit: String,
    pub cmp: Cmp,
}

const MAGNITUDES: &[(&str, f64)] = &[
    ("万亿", 1e12),
    ("千亿", 1e11),
    ("百亿", 1e10),
    ("十亿", 1e9),
    ("亿", 1e8),
    ("千万", 1e7),
    ("百万", 1e6),
    ("十万", 1e5),
    ("万", 1e4),
    ("千", 1e3),
];

/// Units and counter words a figure may carry; longest first so 千瓦时 wins over 千瓦.
const UNITS: &[&str] = &[
    "个百分点",
    "平方公里",
    "千瓦时",
    "平方米",
    "人次",
    "美元",
    "千瓦",
    "兆瓦",
    "公里",
    "元",
    "%",
    "‰",
    "个",
    "家",
    "辆",
    "台",
    "座",
    "项",
    "所",
    "条",
    "件",
    "套",
    "款",
    "人",
    "名",
    "户",
    "亩",
    "吨",
    "部",
    "种",
    "片",
    "颗",
    "栋",
    "张",
    "位",
    "倍",
    "GW",
    "MW",
];

const BEFORE_CMP: &[(&str, Cmp)] = &[
    ("不低于", Cmp::Ge),
    ("不少于", Cmp::Ge),
    ("不超过", Cmp::Le),
    ("不高于", Cmp::Le),
    ("不多于", Cmp::Le),
    ("控制在", Cmp::Le),
    ("突破", Cmp::Gt),
    ("超过", Cmp::Gt),
    ("大于", Cmp::Gt),
    ("高于", Cmp::Gt),
    ("多于", Cmp::Gt),
    ("达到", Cmp::Ge),
    ("至少", Cmp::Ge),
    ("低于", Cmp::Lt),
    ("少于", Cmp::Lt),
    ("超", Cmp::Gt),
    ("达", Cmp::Ge),
];

const AFTER_CMP: &[(&str, Option<Cmp>)] = &[
    ("及以上", Some(Cmp::Ge)),
    ("以上", Some(Cmp::Ge)),
    ("以内", Some(Cmp::Le)),
    ("以下", Some(Cmp::Le)),
    ("左右", None),
];

/// Hedges: they soften a figure but change no comparator.
const HEDGES: &[&str] = &["力争", "争取", "约", "近", "预计"];

fn parse_number(s: &str) -> Option<(f64, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut digits = String::new();
    while i < b.len() {
        match b[i] {
            d if d.is_ascii_digit() => {
                digits.push(d as char);
                i += 1;
            }
            // A thousands separator: 1,000 (exactly three digits follow).
            b',' if !digits.is_empty()
                && !digits.contains('.')
                && b.len() >= i + 4
                && b[i + 1..i + 4].iter().all(u8::is_ascii_digit)
                && b.get(i + 4).is_none_or(|c| !c.is_ascii_digit()) =>
            {
                i += 1;
            }
            b'.' if !digits.is_empty() && !digits.contains('.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                digits.push('.');
                i += 1;
            }
            _ => break,
        }
    }
    if digits.is_empty() {
        return None;
    }
    digits.parse().ok().map(|v| (v, i))
}

fn match_prefix<'a>(s: &str, list: &[&'a str]) -> Option<&'a str> {
    list.iter().copied().find(|u| s.starts_with(u))
}

/// All figures of a sentence, in order.
pub fn scan(sentence: &str) -> Vec<Figure> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < sentence.len() {
        let rest = &sentence[pos..];
        let prev = sentence[..pos].chars().next_back();
        let c = rest.chars().next().unwrap_or(' ');
        if let Some(f) = figure_at(sentence, pos, prev) {
            pos = f.end;
            out.push(f);
            continue;
        }
        // Skip a whole run of digits and letters, so "IPv6" or "2025" yields nothing halfway through.
        if c.is_ascii_alphanumeric() {
            pos += rest.find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '.')).unwrap_or(rest.len());
        } else {
            pos += c.len_utf8();
        }
    }
    out
}

fn figure_at(sentence: &str, pos: usize, prev: Option<char>) -> Option<Figure> {
    let rest = &sentence[pos..];
    // 千亿级, 万亿级, 百亿元级: a scale class, meaning "at least".
    if !prev.is_some_and(|p| p.is_ascii_digit()) {
        for (m, v) in MAGNITUDES.iter().filter(|(m, _)| m.contains('亿')) {
            if let Some(after) = rest.strip_prefix(m) {
                let after_unit = after.strip_prefix('元').unwrap_or(after);
                if let Some(tail) = after_unit.strip_prefix('级') {
                    let end = sentence.len() - tail.len();
                    return Some(Figure {
                        start: pos,
                        end,
                        value: *v,
                        value_max: None,
                        unit: "元".into(),
                        cmp: Cmp::Ge,
                    });
                }
            }
        }
    }
    if !rest.starts_with(|c: char| c.is_ascii_digit())
        || prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == '第' || p == '.')
    {
        return None;
    }
    let (mut value, n) = parse_number(rest)?;
    let mut at = pos + n;
    let mut value_max = None;
    // A range: 3-5个, 3～5个, 3至5个.
    for sep in ["-", "~", "～", "—", "–", "至", "到"] {
        if let Some(r) = sentence[at..].strip_prefix(sep)
            && let Some((hi, m)) = parse_number(r)
        {
            value_max = Some(hi);
            at += sep.len() + m;
            break;
        }
    }
    let mut scale = 1.0;
    let mut unit = match_prefix(&sentence[at..], UNITS);
    if unit.is_none()
        && let Some((m, v)) = MAGNITUDES.iter().find(|(m, _)| sentence[at..].starts_with(m))
    {
        scale = *v;
        at += m.len();
        unit = match_prefix(&sentence[at..], UNITS);
    }
    let unit = unit?;
    at += unit.len();
    // 2025年 is a year and 3年 a duration, never a figure: they have no unit above. A figure glued to letters
    // or further digits (5G, 28nm) is a name, not a quantity.
    let mut cmp = None;
    let mut hedged_after = false;
    if let Some(tail) = sentence[at..].strip_prefix('级') {
        at = sentence.len() - tail.len();
        cmp = Some(Cmp::Ge);
    }
    for (w, c) in AFTER_CMP {
        if sentence[at..].starts_with(w) {
            at += w.len();
            match c {
                Some(c) => cmp = Some(*c),
                None => hedged_after = true,
            }
            break;
        }
    }
    let _ = hedged_after;
    let unit = match unit {
        "‰" => {
            value /= 10.0;
            value_max = value_max.map(|v| v / 10.0);
            "%"
        }
        u => u,
    };
    let before = before_cmp(&sentence[..pos]);
    let cmp = if value_max.is_some() {
        Cmp::Range
    } else {
        match (before, cmp) {
            (Some(Cmp::Le), _) | (Some(Cmp::Lt), Some(Cmp::Le)) => before.unwrap_or(Cmp::Le),
            (Some(b), _) => b,
            (None, Some(a)) => a,
            (None, None) => Cmp::Eq,
        }
    };
    Some(Figure {
        start: pos,
        end: at,
        value: round(value * scale),
        value_max: value_max.map(|v| round(v * scale)),
        unit: unit.to_string(),
        cmp,
    })
}

/// Removes floating-point noise of the multiplication (1.8 × 1e12) while keeping every written digit.
fn round(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let digits = 12 - v.abs().log10().ceil() as i32;
    let f = 10f64.powi(digits.clamp(-300, 300));
    (v * f).round() / f
}

fn strip_hedges_end(mut s: &str) -> &str {
    loop {
        let t = s.trim_end();
        match HEDGES.iter().find(|h| t.ends_with(*h)) {
            Some(h) => s = &t[..t.len() - h.len()],
            None => return t,
        }
    }
}

fn before_cmp(before: &str) -> Option<Cmp> {
    let b = strip_hedges_end(before);
    BEFORE_CMP.iter().find(|(w, _)| b.ends_with(w)).map(|(_, c)| *c)
}

/// Leading words that are not part of what a figure measures.
const LEAD_WORDS: &[&str] = &[
    "其中", "力争", "争取", "全省", "我省", "全市", "预计", "累计", "同时", "实现", "建设", "建成", "打造", "培育",
    "新增", "引进", "形成", "创建", "设立", "组建", "布局", "推动", "拥有", "认定", "争创", "建立", "推进", "发展",
    "新建", "带动", "使", "将", "并", "和", "及", "、", "的", "共", "有", "为",
];

/// Verbs after which the thing measured follows the figure (建设10个省级人工智能产业园区).
const BUILD_VERBS: &[&str] = &[
    "打造成为",
    "建设成为",
    "打造成",
    "建设成",
    "建成为",
    "培育成",
    "打造",
    "建设",
    "建成",
    "培育",
    "形成",
    "成为",
    "新增",
    "引进",
    "创建",
    "组建",
    "布局",
    "新建",
    "认定",
    "争创",
    "建立",
    "拥有",
    "设立",
];

/// Words that continue the previous figure's subject (同比增长5.6%).
const CONTINUATIONS: &[&str] = &["同比", "年均", "增长", "增速", "占全国", "占比", "比重", "较"];

/// The subject a figure measures: the noun phrase before it in its clause, or after it when the clause
/// builds something ("建设10个省级人工智能产业园区").
pub fn subject(sentence: &str, fig: &Figure, prev: Option<(&Figure, &str)>) -> String {
    let before_all = &sentence[..fig.start];
    // The clause starts after the last comma, colon or semicolon, or after the previous figure.
    let mut start = before_all
        .char_indices()
        .rev()
        .find(|(_, c)| matches!(c, ',' | ':' | ';' | '(' | ')' | '“' | '”'))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    if let Some((p, _)) = prev
        && p.end > start
        && p.end <= fig.start
    {
        start = p.end;
    }
    let mut s = strip_hedges_end(&before_all[start..]);
    if let Some((w, _)) = BEFORE_CMP.iter().find(|(w, _)| s.ends_with(w)) {
        s = &s[..s.len() - w.len()];
    }
    let s = strip_hedges_end(s);
    let s = strip_year_phrases(s);
    let builds = BUILD_VERBS.iter().any(|v| s.ends_with(v));
    let mut lead = s;
    loop {
        let t = lead.trim_start_matches([' ', '、']);
        match LEAD_WORDS.iter().find(|w| t.starts_with(*w) && t.len() > w.len()) {
            Some(w) => lead = &t[w.len()..],
            None => {
                lead = t;
                break;
            }
        }
    }
    let lead = lead.trim_end_matches(['的', ' ']);
    if builds || lead.is_empty() || BUILD_VERBS.contains(&lead) {
        let after = &sentence[fig.end..];
        let end = after.find([',', ';', '。', '、', ':', '(', '!', '?']).unwrap_or(after.len());
        let noun = after[..end].trim_start_matches('的').trim();
        if noun.chars().any(crate::text::is_han) {
            return noun.to_string();
        }
    }
    let lead = lead.to_string();
    match prev {
        Some((_, prev_subject)) if CONTINUATIONS.iter().any(|c| lead.starts_with(c)) => format!("{prev_subject}{lead}"),
        _ => lead,
    }
}

/// Removes "到2025年", "2019年", "截至2022年底", "2025年前" and similar from the start of a phrase.
fn strip_year_phrases(s: &str) -> &str {
    let mut t = s.trim();
    loop {
        let before = t;
        for p in ["到", "至", "截至", "截止到", "截止", "在"] {
            if let Some(r) = t.strip_prefix(p)
                && r.starts_with(|c: char| c.is_ascii_digit())
            {
                t = r;
            }
        }
        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 4 && t[4..].starts_with('年') {
            t = &t[4 + '年'.len_utf8()..];
            for p in ["底前", "年底", "前", "底", "末", "内"] {
                if let Some(r) = t.strip_prefix(p) {
                    t = r;
                    break;
                }
            }
        }
        t = t.trim_start_matches([',', ' ', '、']);
        if t == before {
            return t;
        }
    }
}

/// What a sentence says about time, from the text before a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearMark {
    /// 到2025年, 2025年前, 2025年底前: aiming at that year.
    By(i32),
    /// 截至2022年底: as of that year.
    AsOf(i32),
    /// 2019年 with nothing around it.
    Bare(i32),
}

/// The last year mark in the text.
pub fn last_year_mark(text: &str) -> Option<YearMark> {
    let mut found = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        let is_year = bytes[i..i + 4].iter().all(u8::is_ascii_digit)
            && (i == 0 || !bytes[i - 1].is_ascii_digit())
            && text[i + 4..].starts_with('年');
        if !is_year {
            i += 1;
            continue;
        }
        let year: i32 = text[i..i + 4].parse().unwrap_or(0);
        if !(1949..=2100).contains(&year) {
            i += 4;
            continue;
        }
        let pre = &text[..i];
        let post = &text[i + 4 + '年'.len_utf8()..];
        let mark = if pre.ends_with("截至") || pre.ends_with("截止") || pre.ends_with("截止到") {
            YearMark::AsOf(year)
        } else if pre.ends_with('到')
            || pre.ends_with('至')
            || ["前", "底前", "末前", "年底前"].iter().any(|p| post.starts_with(p))
        {
            YearMark::By(year)
        } else if pre.ends_with('-') || pre.ends_with('—') || post.starts_with('-') || post.starts_with('—') {
            // A period such as 2021—2025年 is not a year mark of one figure.
            i += 4;
            continue;
        } else {
            YearMark::Bare(year)
        };
        found = Some(mark);
        i += 4;
    }
    found
}

/// Words saying a figure is already true.
const FACT_WORDS: &[&str] =
    &["已", "现有", "累计建成", "累计认定", "共有", "拥有", "同比增长", "实现营业收入", "比上年"];
/// Words saying the plan aims for it.
const TARGET_WORDS: &[&str] =
    &["力争", "目标", "突破", "超过", "达到", "建成", "打造", "培育", "新增", "争取", "确保", "以上"];

pub fn has_fact_words(s: &str) -> bool {
    FACT_WORDS.iter().any(|w| s.contains(w))
}

pub fn has_target_words(s: &str) -> bool {
    TARGET_WORDS.iter().any(|w| s.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> Figure {
        let f = scan(s);
        assert_eq!(f.len(), 1, "{s}: {f:?}");
        f.into_iter().next().unwrap()
    }

    #[test]
    fn values_units_and_comparators() {
        // (text, value, unit, comparator); `None`: not what the case is about.
        let cases: [(&str, f64, Option<&str>, Option<Cmp>); 11] = [
            ("新一代信息技术产业规模突破7万亿元", 7e12, Some("元"), Some(Cmp::Gt)),
            ("软件业务收入超过1.8万亿元", 1.8e12, None, Some(Cmp::Gt)),
            ("总产值达到6万亿元", 6e12, None, Some(Cmp::Ge)),
            ("建设国家级制造业创新中心2个以上", 2.0, Some("个"), Some(Cmp::Ge)),
            ("研发投入强度超过6%", 6.0, Some("%"), Some(Cmp::Gt)),
            ("打造千亿级信息技术应用创新产业集群", 1e11, Some("元"), Some(Cmp::Ge)),
            ("打造成万亿级5G产业集聚区", 1e12, None, Some(Cmp::Ge)),
            ("单位能耗控制在0.5吨以内", 0.5, None, Some(Cmp::Le)),
            ("力争产量约300万辆", 3e6, Some("辆"), Some(Cmp::Eq)),
            ("营业收入8404.78亿元", 8.40478e11, None, None),
            ("装机容量1,200万千瓦", 1.2e7, Some("千瓦"), None),
        ];
        for (text, value, unit, cmp) in cases {
            let f = one(text);
            assert_eq!(f.value, value, "{text}");
            assert!(unit.is_none_or(|u| f.unit == u), "{text}: {f:?}");
            assert!(cmp.is_none_or(|c| f.cmp == c), "{text}: {f:?}");
        }
        let f = one("建设3-5个产业集聚区");
        assert_eq!((f.value, f.value_max, f.cmp), (3.0, Some(5.0), Cmp::Range));
    }

    #[test]
    fn names_and_years_are_not_figures() {
        for s in ["到2025年,推进5G商用", "IPv6应用", "8K超高清", "28nm工艺", "第1名", "千兆光纤进小区", "3年行动"]
        {
            assert!(scan(s).is_empty(), "{s}: {:?}", scan(s));
        }
    }

    #[test]
    fn subjects() {
        let s = "到2025年,新一代信息技术产业规模突破7万亿元,其中电子信息制造业总产值达到6万亿元";
        let f = scan(s);
        assert_eq!(subject(s, &f[0], None), "新一代信息技术产业规模");
        assert_eq!(subject(s, &f[1], Some((&f[0], "x"))), "电子信息制造业总产值");
        let s = "建成全球重要的超高清视频产业基地3个、集成电路设计基地3个";
        let f = scan(s);
        assert_eq!(subject(s, &f[0], None), "全球重要的超高清视频产业基地");
        assert_eq!(subject(s, &f[1], Some((&f[0], "x"))), "集成电路设计基地");
        let s = "引进重大项目落地建设,建设3-5个产业集聚区,打造千亿级信息技术应用创新产业集群";
        let f = scan(s);
        assert_eq!(subject(s, &f[0], None), "产业集聚区");
        assert_eq!(subject(s, &f[1], Some((&f[0], "x"))), "信息技术应用创新产业集群");
        let s = "将粤港澳大湾区打造成万亿级5G产业集聚区";
        assert_eq!(subject(s, &scan(s)[0], None), "5G产业集聚区");
        let s = "2019年,全省汽车制造业营业收入8404.78亿元,同比增长5.6%";
        let f = scan(s);
        let first = subject(s, &f[0], None);
        assert_eq!(first, "汽车制造业营业收入");
        assert_eq!(subject(s, &f[1], Some((&f[0], &first))), "汽车制造业营业收入同比增长");
    }

    #[test]
    fn year_marks() {
        assert_eq!(last_year_mark("到2025年,"), Some(YearMark::By(2025)));
        assert_eq!(last_year_mark("2025年底前"), Some(YearMark::By(2025)));
        assert_eq!(last_year_mark("截至2022年底,"), Some(YearMark::AsOf(2022)));
        assert_eq!(last_year_mark("2019年,全省"), Some(YearMark::Bare(2019)));
        assert_eq!(last_year_mark("(2021—2025年)"), None);
        assert_eq!(last_year_mark("无"), None);
    }
}
