//! The notice parts of the front matter: title, document number, issuing departments, issue date, period,
//! and the preamble. Page furniture (breadcrumbs, print links) is recognised and set aside; so is the
//! portal's metadata block (`meta`), whose fields override what the body says.

use jiqun_domain::AgencyRegistry;
use jiqun_domain::plan::Period;

use crate::input::Line;
use crate::meta::{self, Field};
use crate::text::chinese_number;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Notice {
    pub title: Option<String>,
    pub doc_number: Option<String>,
    pub issued_on: Option<String>,
    pub published_on: Option<String>,
    pub valid_until: Option<String>,
    pub index_no: Option<String>,
    pub issuers: Vec<String>,
    pub unknown_issuers: Vec<String>,
    /// Values of the metadata block that could not be read: (line, label, value).
    pub unread_meta: Vec<(usize, &'static str, String)>,
    pub period: Option<Period>,
    pub preamble: Vec<Line>,
}

const FURNITURE: &[&str] = &[
    "首页",
    "当前位置",
    "您现在的位置",
    "字号",
    "打印本页",
    "【打印】",
    "关闭窗口",
    "【关闭】",
    "分享到",
    "扫一扫",
    "浏览次数",
    "访问量",
    "责任编辑",
    "网站地图",
    "信息来源",
    "来源:",
    "发布时间",
    "视力保护色",
    "收藏",
];

const PLAN_SUFFIXES: &[&str] =
    &["行动计划", "实施方案", "工作方案", "行动方案", "方案", "规划", "计划", "意见", "若干措施", "措施", "纲要"];

/// Page furniture: breadcrumbs, print and close links, view counters. Never part of the plan. (A row of
/// the metadata block may look like furniture, `发文字号` holding `字号`; `compile_source` keeps those.)
pub fn is_furniture(text: &str) -> bool {
    text.chars().count() < 80 && !text.contains('。') && FURNITURE.iter().any(|f| text.contains(f))
        || text.contains(" > ") && text.chars().count() < 80
        || text.starts_with('>')
}

/// A date as officials write it: 2023年12月29日, 二〇二三年十二月二十九日, 2023-12-29, 2023/12/29, 2023.12.29.
pub fn parse_date(s: &str) -> Option<String> {
    parse_date_until(s, 2100)
}

/// [`parse_date`] with another last year: a document of 2099 may be in force until 2101.
pub(crate) fn parse_date_until(s: &str, last_year: u32) -> Option<String> {
    let s = s.trim();
    let parts: Vec<&str> = if s.contains('年') {
        let (y, rest) = s.split_once('年')?;
        let (m, rest) = rest.split_once('月')?;
        let d = rest.strip_suffix('日').or_else(|| rest.strip_suffix('号'))?;
        vec![y, m, d]
    } else {
        let p: Vec<&str> = s.split(['-', '/', '.']).collect();
        if p.len() != 3 {
            return None;
        }
        p
    };
    let num = |t: &str| -> Option<u32> {
        let t = t.trim();
        if t.bytes().all(|b| b.is_ascii_digit()) && !t.is_empty() && t.len() <= 4 {
            t.parse().ok()
        } else {
            chinese_number(t)
        }
    };
    let (y, m, d) = (num(parts[0])?, num(parts[1])?, num(parts[2])?);
    let valid = (1949..=last_year).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d);
    valid.then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// 粤工信装备〔2023〕14号, with [] () 【】 around the year accepted; output uses 〔〕.
pub fn parse_doc_number(s: &str) -> Option<String> {
    for (i, c) in s.char_indices() {
        if !matches!(c, '〔' | '[' | '(' | '（' | '【' | '［') {
            continue;
        }
        let prefix: String = {
            let before = s[..i].trim_end();
            let han: Vec<char> = before.chars().rev().take_while(|c| crate::text::is_han(*c)).collect();
            han.into_iter().rev().collect()
        };
        if prefix.is_empty() {
            continue;
        }
        let rest = s[i + c.len_utf8()..].trim_start();
        if rest.len() < 4 || !rest.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
            continue;
        }
        let year = &rest[..4];
        let rest = rest[4..].trim_start();
        let Some(close) = rest.chars().next().filter(|c| matches!(c, '〕' | ']' | ')' | '）' | '】' | '］')) else {
            continue;
        };
        let rest = rest[close.len_utf8()..].trim_start();
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.is_empty() || !rest[digits.len()..].trim_start().starts_with('号') {
            continue;
        }
        return Some(format!("{prefix}〔{year}〕{digits}号"));
    }
    None
}

/// (2021—2025年), 2021-2025年, 2021至2025年.
pub fn parse_period(s: &str) -> Option<Period> {
    let b = s.as_bytes();
    let mut i = 0;
    while i + 4 <= b.len() {
        if b[i..i + 4].iter().all(u8::is_ascii_digit) && (i == 0 || !b[i - 1].is_ascii_digit()) {
            let rest = &s[i + 4..];
            let sep = rest.trim_start_matches(['—', '–', '-', '－', '~', '～', '至', '到', ' ']);
            if sep.len() < rest.len() && sep.len() >= 4 && sep.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
                let start: i32 = s[i..i + 4].parse().ok()?;
                let end: i32 = sep[..4].parse().ok()?;
                if start <= end && (1949..=2100).contains(&start) && end - start <= 30 {
                    return Some(Period { start: Some(start), end: Some(end) });
                }
            }
        }
        i += 1;
    }
    None
}

fn strip_book_marks(s: &str) -> &str {
    s.trim().trim_start_matches('《').trim_end_matches('》')
}

/// The plan's title inside a notice title: 关于印发《X》的通知, 关于印发X的通知.
fn title_from_notice(s: &str) -> Option<String> {
    if let Some(i) = s.find('《') {
        let rest = &s[i + '《'.len_utf8()..];
        let end = rest.find('》')?;
        return Some(rest[..end].trim().to_string());
    }
    let rest = &s[s.find("印发")? + "印发".len()..];
    let end = rest.rfind("的通知")?;
    Some(rest[..end].trim().to_string()).filter(|t| !t.is_empty())
}

pub(crate) fn looks_like_title(s: &str) -> bool {
    let core = strip_book_marks(s);
    let core = match core.rfind('(') {
        Some(i) if core.ends_with(')') && parse_period(&core[i..]).is_some() => &core[..i],
        _ => core,
    };
    let n = core.chars().count();
    (4..=80).contains(&n)
        && PLAN_SUFFIXES.iter().any(|suf| core.ends_with(suf))
        && !core.contains(['。', ',', ';'])
        && !core.starts_with('为')
        && !core.contains("印发")
}

/// Splits "广东省工业和信息化厅 广东省发展和改革委员会" (or the same run together, or separated by 、 , ;)
/// into known bodies.
fn split_issuers(s: &str, reg: &AgencyRegistry) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in s.split([' ', '、', ',', ';']).filter(|c| !c.is_empty()) {
        if reg.resolve(chunk, None).known {
            out.push(chunk.to_string());
            continue;
        }
        // Run together: cut before each official prefix.
        let mut cuts: Vec<usize> = Vec::new();
        for p in [&reg.full_party_prefix, &reg.full_gov_prefix] {
            if p.is_empty() {
                continue;
            }
            let mut from = 0;
            while let Some(i) = chunk[from..].find(p.as_str()) {
                cuts.push(from + i);
                from += i + p.len();
            }
        }
        // 中共广东省委 contains 广东省: keep the earlier cut of the two.
        cuts.sort_unstable();
        cuts.dedup();
        let mut merged: Vec<usize> = Vec::new();
        for c in cuts {
            if merged.last().is_some_and(|&l| {
                c < l + reg.full_party_prefix.len().max(1) && chunk[l..].starts_with(&reg.full_party_prefix)
            }) {
                continue;
            }
            merged.push(c);
        }
        if merged.first() != Some(&0) {
            match segment(chunk, reg) {
                Some(names) => out.extend(names),
                None => out.push(chunk.to_string()),
            }
            continue;
        }
        merged.push(chunk.len());
        for w in merged.windows(2) {
            out.push(chunk[w[0]..w[1]].to_string());
        }
    }
    out
}

/// Short forms run together (`省工业和信息化厅省发展改革委`, a table cell whose space normalisation removed):
/// the longest known name at each point, when known names cover the whole chunk.
fn segment(chunk: &str, reg: &AgencyRegistry) -> Option<Vec<String>> {
    if chunk.chars().count() > 120 {
        return None;
    }
    let bounds: Vec<usize> = chunk.char_indices().map(|(i, _)| i).chain([chunk.len()]).collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k + 1 < bounds.len() {
        let from = bounds[k];
        let next = (k + 2..bounds.len()).rev().find(|&j| reg.resolve(&chunk[from..bounds[j]], None).known)?;
        out.push(chunk[from..bounds[next]].to_string());
        k = next;
    }
    (out.len() >= 2).then_some(out)
}

pub fn notice(front: &[Line], html_title: Option<&str>, reg: &AgencyRegistry) -> Notice {
    let mut n = Notice::default();
    // The portal's metadata block: its fields override the body's, a field it lacks falls back to the body.
    let block = meta::read(front);
    let content: Vec<&Line> =
        front.iter().enumerate().filter(|(i, l)| !block.holds(*i) && !is_furniture(&l.text)).map(|(_, l)| l).collect();
    let mut unread = |e: &meta::Entry| -> Option<String> {
        n.unread_meta.push((e.line, e.label, e.value.clone()));
        None
    };
    let doc_number = block.get(Field::DocNumber).and_then(|e| parse_doc_number(&e.value).or_else(|| unread(e)));
    let issued_on = block.get(Field::IssuedOn).and_then(|e| meta::date(&e.value).or_else(|| unread(e)));
    let published_on = block.get(Field::PublishedOn).and_then(|e| meta::date(&e.value).or_else(|| unread(e)));
    let valid_until = block.get(Field::ValidUntil).and_then(|e| match meta::date(&e.value) {
        None if !meta::open_ended(&e.value) => unread(e),
        d => d,
    });
    n.published_on = published_on;
    n.valid_until = valid_until;
    n.index_no = block.get(Field::IndexNo).map(|e| e.value.clone());

    // Document number: a line of its own; never a document cited in the text.
    n.doc_number = doc_number
        .or_else(|| content.iter().filter(|l| l.text.chars().count() <= 30).find_map(|l| parse_doc_number(&l.text)));

    // Issue date: the date under the signature (a line of its own).
    let date_line = content.iter().rposition(|l| parse_date(&l.text).is_some());
    n.issued_on = issued_on.or_else(|| date_line.and_then(|i| parse_date(&content[i].text)));

    // Title: the plan's own title line (the last one before the preamble), else the notice title's 《…》.
    let notice_line =
        content.iter().position(|l| l.text.contains("印发") && (l.text.contains("通知") || l.text.contains('《')));
    let title_line = content.iter().rposition(|l| looks_like_title(&l.text));
    n.title = title_line
        .map(|i| strip_book_marks(&content[i].text).to_string())
        .or_else(|| notice_line.and_then(|i| title_from_notice(&content[i].text)))
        .or_else(|| {
            let t = &block.get(Field::Title)?.value;
            Some(title_from_notice(t).unwrap_or_else(|| strip_book_marks(t).to_string()))
        })
        .or_else(|| {
            let t = html_title?;
            let t = t.split(['_', '|']).next().unwrap_or(t).trim();
            title_from_notice(t).or_else(|| looks_like_title(t).then(|| strip_book_marks(t).to_string()))
        });

    // Issuers: the metadata block, else the signature block above the date, else the notice title's
    // "X Y关于印发".
    let from_block = block.get(Field::Issuers);
    let mut issuers: Vec<String> = from_block.map(|e| split_issuers(&e.value, reg)).unwrap_or_default();
    let mut signed: Vec<String> = Vec::new();
    if let Some(d) = date_line {
        let mut i = d;
        while i > 0 {
            i -= 1;
            let names = split_issuers(&content[i].text, reg);
            if names.is_empty() || !names.iter().all(|x| reg.resolve(x, None).known) {
                break;
            }
            let mut above = names;
            above.extend(signed);
            signed = above;
        }
    }
    // 发布机构 is the body that posted the page: for a joint document it names the lead department only.
    // When the signature names it among others, the signature's fuller list stands.
    let resolved = |v: &[String]| v.iter().map(|x| reg.resolve(x, None).name).collect::<Vec<_>>();
    let publisher_only = from_block.is_some_and(|e| e.label == "发布机构");
    if issuers.is_empty()
        || (publisher_only && signed.len() > issuers.len() && {
            let s = resolved(&signed);
            resolved(&issuers).iter().all(|x| s.contains(x))
        })
    {
        issuers = signed;
    }
    if issuers.is_empty()
        && let Some(i) = notice_line
        && let Some(k) = content[i].text.find("关于")
    {
        issuers = split_issuers(content[i].text[..k].trim(), reg);
    }
    for w in issuers {
        let r = reg.resolve(&w, None);
        if !r.known {
            n.unknown_issuers.push(r.name.clone());
        }
        if !n.issuers.contains(&r.name) {
            n.issuers.push(r.name);
        }
    }

    n.period = n
        .title
        .as_deref()
        .and_then(parse_period)
        .or_else(|| content.iter().filter(|l| l.text.chars().count() <= 80).find_map(|l| parse_period(&l.text)));

    // The preamble: what follows the last notice part (title, date, number, notice title).
    let last_part = [title_line, date_line, notice_line].into_iter().flatten().max();
    let start = match last_part {
        Some(i) => i + 1,
        None => 0,
    };
    n.preamble = content[start.min(content.len())..]
        .iter()
        .filter(|l| parse_doc_number(&l.text).is_none() || l.text.chars().count() > 30)
        .map(|l| (*l).clone())
        .collect();
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<Line> {
        s.lines().enumerate().map(|(i, t)| Line { no: i + 1, text: t.trim().to_string() }).collect()
    }

    #[test]
    fn dates_numbers_periods() {
        assert_eq!(parse_date("2020年9月25日").as_deref(), Some("2020-09-25"));
        assert_eq!(parse_date("二〇二三年十二月二十九日").as_deref(), Some("2023-12-29"));
        assert_eq!(parse_date("2023-12-29").as_deref(), Some("2023-12-29"));
        assert_eq!(parse_date("2023年13月1日"), None);
        assert_eq!(parse_date("到2025年"), None);
        assert_eq!(parse_doc_number("粤工信装备〔2023〕14号").as_deref(), Some("粤工信装备〔2023〕14号"));
        assert_eq!(parse_doc_number("粤工信装备[2023]14号").as_deref(), Some("粤工信装备〔2023〕14号"));
        assert_eq!(parse_doc_number("粤府办(2021)3 号").as_deref(), Some("粤府办〔2021〕3号"));
        assert_eq!(parse_doc_number("2023年"), None);
        assert_eq!(parse_period("(2021—2025年)"), Some(Period { start: Some(2021), end: Some(2025) }));
        assert_eq!(parse_period("2023-2025年"), Some(Period { start: Some(2023), end: Some(2025) }));
        assert_eq!(parse_period("到2025年"), None);
    }

    #[test]
    fn a_full_notice_with_furniture() {
        let reg = AgencyRegistry::guangdong();
        let front = lines(
            "首页 > 政务公开 > 政策文件\n索引号: 006939748/2023-00412 分类: 通知\n发布机构: 广东省工业和信息化厅 成文日期: 2023-12-29\n\
             广东省工业和信息化厅 广东省发展和改革委员会关于印发《广东省发展汽车战略性支柱产业集群行动计划(2023—2025年)》的通知\n\
             粤工信装备[2023]14号\n各地级以上市人民政府,省有关单位:\n现将《广东省发展汽车战略性支柱产业集群行动计划(2023—2025年)》印发给你们,请认真贯彻执行。\n\
             广东省工业和信息化厅\n广东省发展和改革委员会\n2023年12月29日\n广东省发展汽车战略性支柱产业集群行动计划(2023—2025年)\n为加快…,制定本行动计划。",
        );
        let n = notice(&front, None, &reg);
        assert_eq!(n.title.as_deref(), Some("广东省发展汽车战略性支柱产业集群行动计划(2023—2025年)"));
        assert_eq!(n.doc_number.as_deref(), Some("粤工信装备〔2023〕14号"));
        assert_eq!(n.issued_on.as_deref(), Some("2023-12-29"));
        // 发布机构 names the lead department only; the signature names it with the co-issuer, so the fuller
        // list stands.
        assert_eq!(n.issuers, ["省工业和信息化厅", "省发展改革委"]);
        assert_eq!(n.index_no.as_deref(), Some("006939748/2023-00412"));
        assert_eq!((n.published_on.as_deref(), n.valid_until.as_deref()), (None, None));
        assert_eq!(n.period, Some(Period { start: Some(2023), end: Some(2025) }));
        assert_eq!(n.preamble.len(), 1);
    }

    #[test]
    fn issuers_in_the_metadata_block_by_any_separator() {
        let reg = AgencyRegistry::guangdong();
        for row in [
            "发文机关: 广东省工业和信息化厅 广东省发展和改革委员会",
            "发文机关 | 广东省工业和信息化厅、广东省发展和改革委员会",
            "发文机关:省工业和信息化厅,省发展改革委",
            // Normalisation takes the space out of `省工业和信息化厅 省发展改革委`.
            "发文机关 省工业和信息化厅 省发展改革委",
        ] {
            let front = lines(&format!("{row}\n广东省工业和信息化厅\n2099年1月4日\n广东省测试行动计划"));
            let front: Vec<Line> =
                front.into_iter().map(|l| Line { text: crate::input::normalize_line(&l.text), ..l }).collect();
            let n = notice(&front, None, &reg);
            assert_eq!(n.issuers, ["省工业和信息化厅", "省发展改革委"], "{row}");
            assert!(n.unknown_issuers.is_empty(), "{row}");
            assert_eq!(n.title.as_deref(), Some("广东省测试行动计划"), "{row}");
        }
    }

    #[test]
    fn issuers_from_the_notice_title_run_together() {
        let reg = AgencyRegistry::guangdong();
        let front = lines("中共广东省委组织部广东省科学技术厅关于印发人才行动方案的通知");
        let n = notice(&front, None, &reg);
        assert_eq!(n.issuers, ["省委组织部", "省科技厅"]);
        assert_eq!(n.title.as_deref(), Some("人才行动方案"));
    }
}
