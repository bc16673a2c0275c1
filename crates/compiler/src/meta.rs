//! The labelled metadata block that government portals print above a document: 索引号, 发文机关, 发文字号,
//! 成文日期, 发布日期, 有效期至 …, as `label | value`, `label: value` or `label value`, several pairs a line
//! or one label or value a line, from an html table or flattened into text. Normalisation has already
//! removed the space between two Chinese cells (`发文机关 广东省…` is `发文机关广东省…`), so a value runs
//! from its label to the next known label. Labels that set no field (企业规模, 适用区域, 关键词 …) are known
//! too, so that they end the value before them. The lines of the block are set aside: they are not the
//! notice or the plan.

use crate::input::Line;
use crate::notice::{is_furniture, looks_like_title, parse_date_until, parse_doc_number};

/// A field of the plan a label fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    IndexNo,
    Issuers,
    DocNumber,
    IssuedOn,
    PublishedOn,
    ValidUntil,
    /// Only a fallback for the title: the document's own title line comes first.
    Title,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Field(Field),
    /// A label of the block that fills nothing.
    Other,
    /// Page furniture that may share a line with the block (字号:大 中 小, 浏览次数): it ends the value
    /// before it, but a line it starts is furniture, not the block.
    Stop,
}

/// The labels, in order of preference where several fill one field (发文机关 before 发布机构, the
/// publishing body).
const LABELS: &[(&str, Role)] = &[
    ("索引号", Role::Field(Field::IndexNo)),
    ("发文机关", Role::Field(Field::Issuers)),
    ("发文单位", Role::Field(Field::Issuers)),
    ("发文机构", Role::Field(Field::Issuers)),
    ("发布机构", Role::Field(Field::Issuers)),
    ("发文字号", Role::Field(Field::DocNumber)),
    ("文号", Role::Field(Field::DocNumber)),
    ("成文日期", Role::Field(Field::IssuedOn)),
    ("发布日期", Role::Field(Field::PublishedOn)),
    ("有效期至", Role::Field(Field::ValidUntil)),
    ("标题", Role::Field(Field::Title)),
    ("主题分类", Role::Other),
    ("组配分类", Role::Other),
    ("体裁分类", Role::Other),
    ("分类", Role::Other),
    ("主题词", Role::Other),
    ("关键词", Role::Other),
    ("企业规模", Role::Other),
    ("适用区域", Role::Other),
    ("政策类别", Role::Other),
    ("实施主体", Role::Other),
    ("政策依据", Role::Other),
    ("有效性", Role::Other),
    ("时效性", Role::Other),
    ("生效日期", Role::Other),
    ("施行日期", Role::Other),
    ("废止日期", Role::Other),
    ("公开方式", Role::Other),
    ("公开范围", Role::Other),
    ("文种", Role::Other),
    ("字号", Role::Stop),
    ("发布时间", Role::Stop),
    ("信息来源", Role::Stop),
    ("来源", Role::Stop),
    ("浏览次数", Role::Stop),
    ("访问量", Role::Stop),
    ("【打印】", Role::Stop),
    ("【关闭】", Role::Stop),
];

/// Characters between a label and its value, and between a value and the next label.
const SEPARATORS: &[char] = &[' ', ':', '|', '\t'];

/// Longer than this, a line is text, not a row of the block.
const MAX_LINE: usize = 300;

/// One labelled value of the block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub label: &'static str,
    /// Empty when the block prints the label without a value.
    pub value: String,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Block {
    pub entries: Vec<Entry>,
    /// Which of the lines read belong to the block.
    held: Vec<bool>,
}

impl Block {
    pub fn holds(&self, index: usize) -> bool {
        self.held.get(index).copied().unwrap_or(false)
    }

    /// The first value for the field, by the labels' order of preference; an empty value or a
    /// placeholder (`无`, `—`) is none.
    pub fn get(&self, field: Field) -> Option<&Entry> {
        LABELS
            .iter()
            .filter(|(_, role)| *role == Role::Field(field))
            .find_map(|(label, _)| self.entries.iter().find(|e| e.label == *label && !is_blank(&e.value)))
    }
}

/// The longest label at the start of `s`.
fn label_at(s: &str) -> Option<(&'static str, Role)> {
    LABELS.iter().filter(|(l, _)| s.starts_with(l)).max_by_key(|(l, _)| l.len()).copied()
}

/// Each label of the line with its byte range, left to right; a label inside a longer one is not one.
fn labels(t: &str) -> Vec<(usize, usize, &'static str, Role)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(rest) = t.get(i..) {
        let Some(c) = rest.chars().next() else { break };
        match label_at(rest) {
            Some((l, role)) => {
                out.push((i, i + l.len(), l, role));
                i += l.len();
            }
            None => i += c.len_utf8(),
        }
    }
    out
}

/// The line's (label, value) pairs when it is a row of the block; `None` when it is anything else.
fn row(text: &str) -> Option<Vec<(&'static str, String)>> {
    let t = text.trim_start_matches(SEPARATORS);
    if t.contains('。') || t.chars().count() > MAX_LINE {
        return None;
    }
    let found = labels(t);
    let &(start, end, first, role) = found.first()?;
    if start != 0 || role == Role::Stop {
        return None;
    }
    // A two-character label run into what follows (分类推进…) is a label only where the line holds
    // another one, or where 标题 and 文号 are followed by what they name.
    let rest = &t[end..];
    let glued = !rest.is_empty() && !rest.starts_with(SEPARATORS);
    if glued && first.chars().count() < 3 {
        let another = found.iter().skip(1).any(|f| f.3 != Role::Stop);
        let named = match first {
            "标题" => rest.contains("印发") || looks_like_title(rest),
            "文号" => parse_doc_number(rest).is_some_and(|_| rest.len() < 40),
            _ => false,
        };
        if !another && !named {
            return None;
        }
    }
    let mut pairs = Vec::new();
    for (k, &(_, end, label, role)) in found.iter().enumerate() {
        let to = found.get(k + 1).map_or(t.len(), |f| f.0);
        if role != Role::Stop {
            let value = t.get(end..to).unwrap_or_default().trim_matches(SEPARATORS);
            pairs.push((label, value.to_string()));
        }
    }
    Some(pairs)
}

/// Whether the line is a row of the block (it starts with a label of the block).
pub fn is_row(text: &str) -> bool {
    row(text).is_some()
}

/// A rule line of a text table: `|---|---|`, `+----+`.
fn is_rule(text: &str) -> bool {
    text.contains(['-', '=']) && text.chars().all(|c| matches!(c, '|' | '-' | ':' | '+' | '=' | ' ' | '—' | '─'))
}

/// Whether `v`, on the line after a label alone, is that label's value rather than the next part of the
/// page (the notice title, the document number, the date under the signature).
fn fits(label: &'static str, role: Role, v: &str) -> bool {
    if v.chars().count() > 100 || v.contains('。') || is_furniture(v) || is_row(v) || is_rule(v) {
        return false;
    }
    let plain = !looks_like_title(v) && !v.contains("印发") && !v.contains("通知");
    match role {
        Role::Field(Field::IssuedOn | Field::PublishedOn | Field::ValidUntil) => {
            date(v).is_some() || open_ended(v) || is_blank(v)
        }
        Role::Field(Field::DocNumber) => parse_doc_number(v).is_some(),
        Role::Field(Field::IndexNo) => v.chars().count() <= 60 && v.bytes().any(|b| b.is_ascii_digit()),
        Role::Field(Field::Title) => true,
        Role::Field(Field::Issuers) => plain && parse_doc_number(v).is_none() && date(v).is_none(),
        Role::Other => plain && parse_doc_number(v).is_none() && (label.ends_with("日期") || date(v).is_none()),
        Role::Stop => false,
    }
}

/// Reads the block out of the front matter's lines. Rows may stand anywhere before the plan's first
/// section (portals print the title above the block too); a label alone on its line takes the next
/// line as its value when that line fits the label.
pub fn read(lines: &[Line]) -> Block {
    let mut b = Block { entries: Vec::new(), held: vec![false; lines.len()] };
    let mut i = 0;
    while let Some(l) = lines.get(i) {
        if is_rule(&l.text) {
            b.held[i] = true;
            i += 1;
            continue;
        }
        let Some(pairs) = row(&l.text) else {
            i += 1;
            continue;
        };
        b.held[i] = true;
        let alone = match pairs.as_slice() {
            [(label, v)] if v.is_empty() => Some(*label),
            _ => None,
        };
        for (label, value) in pairs {
            b.entries.push(Entry { label, value, line: l.no });
        }
        if let Some(label) = alone
            && let Some(role) = LABELS.iter().find(|(x, _)| *x == label).map(|(_, r)| *r)
            && let Some(next) = lines.get(i + 1)
            && fits(label, role, &next.text)
            && let Some(last) = b.entries.last_mut()
        {
            last.value = next.text.clone();
            b.held[i + 1] = true;
            i += 1;
        }
        i += 1;
    }
    b
}

/// A date of the block: `2099-01-15`, `2099年1月15日`, `2099/1/15`, `2099.01.15`, a time after it allowed.
pub fn date(v: &str) -> Option<String> {
    let v = v.trim();
    let first = v.split([' ', 'T']).next().unwrap_or(v);
    let first = match first.find('日') {
        Some(i) => &first[..i + '日'.len_utf8()],
        None => first,
    };
    parse_date_until(first, 2199)
}

/// What a portal prints in a cell it has nothing for.
fn is_blank(v: &str) -> bool {
    matches!(v.trim(), "" | "无" | "暂无" | "-" | "--" | "—" | "——" | "/" | "空")
}

/// 有效期至 长期: in force until repealed, no date.
pub fn open_ended(v: &str) -> bool {
    let v = v.trim();
    v.starts_with("长期") || v.starts_with("永久")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<Line> {
        s.lines()
            .enumerate()
            .map(|(i, t)| Line { no: i + 1, text: crate::input::normalize_line(t) })
            .filter(|l| !l.text.is_empty())
            .collect()
    }

    fn value(b: &Block, f: Field) -> Option<&str> {
        b.get(f).map(|e| e.value.as_str())
    }

    #[test]
    fn dates_of_every_form() {
        for s in ["2099-01-15", "2099年01月15日", "2099年1月15日", "2099/1/15", "2099.01.15", "2099-01-15 09:30:00"]
        {
            assert_eq!(date(s).as_deref(), Some("2099-01-15"), "{s}");
        }
        assert_eq!(date("2101年12月31日").as_deref(), Some("2101-12-31"));
        for s in ["长期", "", "2099年13月1日", "2099年", "2099-01"] {
            assert_eq!(date(s), None, "{s}");
        }
        assert!(open_ended("长期") && open_ended("长期有效") && open_ended("永久") && !open_ended("2101-12-31"));
        let b = read(&lines("有效期至:无 发文字号:— 索引号:"));
        assert_eq!((value(&b, Field::ValidUntil), value(&b, Field::DocNumber)), (None, None));
        assert_eq!(value(&b, Field::IndexNo), None);
    }

    #[test]
    fn rows_of_every_shape() {
        // Several pairs a line, each form of separator, labels run into their values.
        let b = read(&lines(
            "索引号：006939748/2099-00001　　发文机关：广东省工业和信息化厅\n\
             | 发文字号 | 粤工信规字〔2099〕1号 | 企业规模 | 中小企业 |\n\
             成文日期 2099年1月15日 适用区域 全省\n\
             发布日期2099.01.20有效期至长期",
        ));
        assert!((0..4).all(|i| b.holds(i)));
        assert_eq!(value(&b, Field::IndexNo), Some("006939748/2099-00001"));
        assert_eq!(value(&b, Field::Issuers), Some("广东省工业和信息化厅"));
        assert_eq!(value(&b, Field::DocNumber), Some("粤工信规字〔2099〕1号"));
        assert_eq!(value(&b, Field::IssuedOn), Some("2099年1月15日"));
        assert_eq!(value(&b, Field::PublishedOn), Some("2099.01.20"));
        assert_eq!(value(&b, Field::ValidUntil), Some("长期"));
        assert!(b.entries.iter().any(|e| e.label == "企业规模" && e.value == "中小企业"));
        assert!(b.entries.iter().any(|e| e.label == "适用区域" && e.value == "全省"));
    }

    #[test]
    fn a_label_alone_takes_the_next_line_only_when_it_fits() {
        let b = read(&lines(
            "发文机关\n关键词\n外贸\n有效期至\n关于印发跨境电商工作方案的通知\n发文字号\n粤商务贸字〔2099〕4号",
        ));
        assert_eq!(value(&b, Field::Issuers), None, "a label is not the value of the label before it");
        assert!(b.entries.iter().any(|e| e.label == "关键词" && e.value == "外贸"));
        assert_eq!(value(&b, Field::ValidUntil), None);
        assert!(!b.holds(4), "the notice title is not the value of 有效期至");
        assert_eq!(value(&b, Field::DocNumber), Some("粤商务贸字〔2099〕4号"));
        assert!(b.holds(6));
    }

    #[test]
    fn text_is_not_a_row() {
        for t in [
            "分类推进重点产业发展",
            "为加快发展超导材料产业集群,制定本行动计划。",
            "标题党",
            "关于印发广东省发展超导材料产业集群行动计划的通知",
            "字号:大 中 小 【打印】【关闭】",
        ] {
            assert!(!is_row(&crate::input::normalize_line(t)), "{t}");
        }
        // Preferences: 发文机关 before 发布机构, 发文字号 before 文号; a label's first value wins.
        let b = read(&lines(
            "发布机构:省商务厅 文号:粤商〔2099〕9号\n发文机关:省工业和信息化厅\n发文字号:粤工信〔2099〕1号",
        ));
        assert_eq!(value(&b, Field::Issuers), Some("省工业和信息化厅"));
        assert_eq!(value(&b, Field::DocNumber), Some("粤工信〔2099〕1号"));
    }
}
