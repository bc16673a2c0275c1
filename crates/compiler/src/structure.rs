//! The document's skeleton: front matter (notice, title, preamble), sections (一、), items ((一)) and
//! sub-items (1. or (1)), each with its lines. Nothing is interpreted yet beyond the markers.

use jiqun_domain::plan::SectionKind;

use crate::input::Line;
use crate::text::chinese_number;

#[derive(Debug, Clone)]
pub struct Unit {
    pub no: u32,
    /// The unit's own lines, the marker removed from the first; children's lines are not here.
    pub lines: Vec<Line>,
    pub children: Vec<Unit>,
}

#[derive(Debug, Clone)]
pub struct RawSection {
    pub no: u32,
    pub title: String,
    pub kind: SectionKind,
    pub line: usize,
    pub intro: Vec<Line>,
    pub items: Vec<Unit>,
}

#[derive(Debug, Clone, Default)]
pub struct Skeleton {
    pub front: Vec<Line>,
    pub sections: Vec<RawSection>,
    /// Lines after the plan (attachments).
    pub back: Vec<Line>,
    /// Section or item numbers out of sequence: (line, expected, found).
    pub out_of_sequence: Vec<(usize, String, String)>,
}

/// `一、工作目标` or `第一章 总体要求` → (1, rest).
pub fn section_marker(text: &str) -> Option<(u32, &str)> {
    if let Some(rest) = text.strip_prefix('第') {
        let end = rest.find(['章', '部'])?;
        let n = chinese_number(&rest[..end])?;
        let after = &rest[end..];
        let after = after.strip_prefix("部分").or_else(|| after.strip_prefix('章'))?;
        return Some((n, after.trim_start_matches([' ', ':', '、'])));
    }
    let end = text.find('、')?;
    let n = chinese_number(&text[..end])?;
    if !(1..=30).contains(&n) || text[..end].contains(['〇', '零']) {
        return None;
    }
    Some((n, &text[end + '、'.len_utf8()..]))
}

/// `(一)…` → (1, rest). Input is normalised, so the parentheses are half-width.
pub fn item_marker(text: &str) -> Option<(u32, &str)> {
    let rest = text.strip_prefix('(')?;
    let end = rest.find(')')?;
    let n = chinese_number(&rest[..end])?;
    if !(1..=40).contains(&n) || rest[..end].contains(['〇', '零']) {
        return None;
    }
    Some((n, &rest[end + 1..]))
}

/// `1.…`, `1、…` → (1, rest); not `1.8万亿元` (a decimal) nor `2025年`.
pub fn decimal_marker(text: &str) -> Option<(u32, &str)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 2 {
        return None;
    }
    let rest = &text[digits..];
    let rest = rest.strip_prefix('.').or_else(|| rest.strip_prefix('、')).or_else(|| rest.strip_prefix('．'))?;
    if rest.starts_with(|c: char| c.is_ascii_digit()) || rest.trim().is_empty() {
        return None;
    }
    Some((text[..digits].parse().ok()?, rest))
}

/// `(1)…` → (1, rest).
pub fn paren_decimal_marker(text: &str) -> Option<(u32, &str)> {
    let rest = text.strip_prefix('(')?;
    let end = rest.find(')')?;
    let digits = &rest[..end];
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, &rest[end + 1..]))
}

type Marker = fn(&str) -> Option<(u32, &str)>;

pub fn classify(title: &str) -> SectionKind {
    const KEYS: &[(&str, SectionKind)] = &[
        ("工作目标", SectionKind::Goals),
        ("发展目标", SectionKind::Goals),
        ("主要目标", SectionKind::Goals),
        ("总体目标", SectionKind::Goals),
        ("重点任务", SectionKind::Tasks),
        ("主要任务", SectionKind::Tasks),
        ("重点工程", SectionKind::Programmes),
        ("专项行动", SectionKind::Programmes),
        ("重大工程", SectionKind::Programmes),
        ("重点行动", SectionKind::Programmes),
        ("保障措施", SectionKind::Safeguards),
        ("保障机制", SectionKind::Safeguards),
        ("组织实施", SectionKind::Safeguards),
        ("总体情况", SectionKind::Overview),
        ("发展现状", SectionKind::Overview),
        ("总体要求", SectionKind::Overview),
        ("基本情况", SectionKind::Overview),
        ("发展基础", SectionKind::Overview),
        ("指导思想", SectionKind::Overview),
        ("总体思路", SectionKind::Overview),
        ("产业现状", SectionKind::Overview),
        ("目标", SectionKind::Goals),
        ("任务", SectionKind::Tasks),
        ("工程", SectionKind::Programmes),
        ("行动", SectionKind::Programmes),
        ("保障", SectionKind::Safeguards),
        ("措施", SectionKind::Safeguards),
        ("现状", SectionKind::Overview),
    ];
    // The keyword that appears earliest wins ("发展目标和重点任务" is about goals first); among equals, the
    // longer, listed first.
    KEYS.iter()
        .filter_map(|(k, kind)| title.find(k).map(|pos| (pos, *kind)))
        .min_by_key(|(pos, _)| *pos)
        .map(|(_, k)| k)
        .unwrap_or(SectionKind::Other)
}

/// `附件`, `附件1`, `附件:` on a line of its own: what follows is an attachment, not the plan.
fn is_attachment_heading(text: &str) -> bool {
    let rest = match text.strip_prefix("附件") {
        Some(r) => r,
        None => return false,
    };
    rest.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start_matches([':', ' ']).chars().count() <= 30
        && !rest.contains('。')
}

pub fn skeleton(lines: &[Line]) -> Skeleton {
    let mut sk = Skeleton::default();
    let first_section = lines.iter().position(|l| section_marker(&l.text).is_some_and(|(_, t)| !t.is_empty()));
    let Some(first) = first_section else {
        sk.front = lines.to_vec();
        return sk;
    };
    sk.front = lines[..first].to_vec();
    let mut expected = 1;
    let mut current: Option<(RawSection, Vec<Line>)> = None;
    let mut i = first;
    while i < lines.len() {
        let line = &lines[i];
        if is_attachment_heading(&line.text) {
            sk.back = lines[i..].to_vec();
            break;
        }
        if let Some((n, rest)) = section_marker(&line.text).filter(|(_, t)| !t.is_empty()) {
            // A new run of 一、 after the plan is over (an attachment without a heading) ends the plan.
            if n == 1 && !sk.sections.is_empty() || current.as_ref().is_some_and(|(s, _)| n == 1 && s.no > 1) {
                sk.back = lines[i..].to_vec();
                break;
            }
            if n != expected {
                sk.out_of_sequence.push((line.no, crate::text::to_chinese(expected), crate::text::to_chinese(n)));
            }
            expected = n + 1;
            if let Some((s, body)) = current.take() {
                sk.sections.push(finish_section(s, body, &mut sk.out_of_sequence));
            }
            let title = crate::text::first_sentence(rest);
            let mut body = Vec::new();
            let end = rest.find(['。', ';', '!', '?']).unwrap_or(rest.len());
            let remainder = rest[end..].trim_start_matches(['。', ';', '!', '?']).trim();
            if !remainder.is_empty() {
                body.push(Line { no: line.no, text: remainder.to_string() });
            }
            let section = RawSection {
                no: n,
                title: title.trim_end_matches([':', ' ']).to_string(),
                kind: classify(title),
                line: line.no,
                intro: Vec::new(),
                items: Vec::new(),
            };
            current = Some((section, body));
        } else if let Some((_, body)) = current.as_mut() {
            body.push(line.clone());
        }
        i += 1;
    }
    if let Some((s, body)) = current.take() {
        sk.sections.push(finish_section(s, body, &mut sk.out_of_sequence));
    }
    sk
}

fn finish_section(mut s: RawSection, body: Vec<Line>, seq: &mut Vec<(usize, String, String)>) -> RawSection {
    // Items are (一)(二)…; a section written without them numbers its items 1. 2. instead.
    let levels: [Marker; 3] = [item_marker, decimal_marker, paren_decimal_marker];
    let item_level = levels.iter().position(|m| body.iter().any(|l| m(&l.text).is_some())).unwrap_or(0);
    let (intro, items) = split_units(&body, levels[item_level], seq, true);
    s.intro = intro;
    s.items = items
        .into_iter()
        .map(|mut u| {
            let sub: Vec<Marker> = levels[item_level + 1..].to_vec();
            // The first sub-marker kind met in the item defines its children; deeper ones stay in their text.
            let found = u.lines.iter().skip(1).find_map(|l| sub.iter().find(|m| m(&l.text).is_some()));
            if let Some(&m) = found {
                // The item's heading line is never a child's marker.
                let mut own = std::mem::take(&mut u.lines);
                let rest = own.split_off(1.min(own.len()));
                let (head, children) = split_units(&rest, m, seq, false);
                own.extend(head);
                u.lines = own;
                u.children = children;
            }
            u
        })
        .collect();
    s
}

/// Splits lines at lines carrying `marker`; lines before the first marked line are returned apart.
fn split_units(
    lines: &[Line],
    marker: Marker,
    seq: &mut Vec<(usize, String, String)>,
    chinese: bool,
) -> (Vec<Line>, Vec<Unit>) {
    let mut head = Vec::new();
    let mut units: Vec<Unit> = Vec::new();
    for l in lines {
        match marker(&l.text) {
            Some((n, rest)) if !rest.trim().is_empty() || chinese => {
                let expected = units.last().map(|u| u.no + 1).unwrap_or(1);
                if n != expected {
                    let show = |v: u32| if chinese { crate::text::to_chinese(v) } else { v.to_string() };
                    seq.push((l.no, show(expected), show(n)));
                }
                units.push(Unit {
                    no: n,
                    lines: vec![Line { no: l.no, text: rest.trim().to_string() }],
                    children: vec![],
                });
            }
            _ => match units.last_mut() {
                Some(u) => u.lines.push(l.clone()),
                None => head.push(l.clone()),
            },
        }
    }
    (head, units)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<Line> {
        s.lines().enumerate().map(|(i, t)| Line { no: i + 1, text: t.to_string() }).collect()
    }

    #[test]
    fn markers() {
        assert_eq!(section_marker("一、工作目标"), Some((1, "工作目标")));
        assert_eq!(section_marker("十二、其他"), Some((12, "其他")));
        assert_eq!(section_marker("第三章 重点任务"), Some((3, "重点任务")));
        assert_eq!(section_marker("第二部分 发展目标"), Some((2, "发展目标")));
        assert_eq!(section_marker("一是加强"), None);
        assert_eq!(item_marker("(三)产业布局"), Some((3, "产业布局")));
        assert_eq!(item_marker("(1)小项"), None);
        assert_eq!(decimal_marker("2.建设平台"), Some((2, "建设平台")));
        assert_eq!(decimal_marker("1.8万亿元"), None);
        assert_eq!(decimal_marker("2025年"), None);
        assert_eq!(paren_decimal_marker("(2)推进"), Some((2, "推进")));
    }

    #[test]
    fn classifies_sections() {
        assert_eq!(classify("工作目标"), SectionKind::Goals);
        assert_eq!(classify("重点任务"), SectionKind::Tasks);
        assert_eq!(classify("重点工程"), SectionKind::Programmes);
        assert_eq!(classify("保障措施"), SectionKind::Safeguards);
        assert_eq!(classify("发展现状"), SectionKind::Overview);
        assert_eq!(classify("附则"), SectionKind::Other);
    }

    #[test]
    fn builds_sections_items_and_children() {
        let sk = skeleton(&lines(
            "通知\n一、目标\n总的目标。\n(一)甲。\n正文\n(二)乙\n1.子一\n(1)孙\n2.子二\n二、任务\n1.项一\n2.项二\n附件\n一、附表",
        ));
        assert_eq!(sk.front.len(), 1);
        assert_eq!(sk.sections.len(), 2);
        let s = &sk.sections[0];
        assert_eq!(s.intro.len(), 1);
        assert_eq!(s.items.len(), 2);
        assert_eq!(s.items[0].lines.len(), 2);
        assert_eq!(s.items[1].children.len(), 2);
        assert_eq!(s.items[1].children[0].lines.len(), 2, "(1) stays in its sub-item's text");
        assert_eq!(sk.sections[1].items.len(), 2, "decimal items when a section has no (一)");
        assert_eq!(sk.back.len(), 2);
        assert!(sk.out_of_sequence.is_empty());
    }
}
