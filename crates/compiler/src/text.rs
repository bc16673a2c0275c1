//! Small helpers over Chinese text: numerals, character classes, byte-safe slicing by characters.

/// The value of a Chinese numeral of the kind used in headings and dates: 一 … 九十九, 〇/零 digits.
/// `二〇二三` (digit by digit) gives 2023. Returns `None` for anything else.
pub fn chinese_number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    let digit = |c: char| -> Option<u32> {
        Some(match c {
            '〇' | '零' | 'О' | 'o' | '○' => 0,
            '一' => 1,
            '二' | '两' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    };
    if !s.contains('十') {
        // Digit by digit, as years are written (二〇二三).
        let mut v: u32 = 0;
        for c in s.chars() {
            v = v.checked_mul(10)?.checked_add(digit(c)?)?;
        }
        return Some(v);
    }
    let mut parts = s.splitn(2, '十');
    let tens = match parts.next().unwrap_or("") {
        "" => 1,
        t if t.chars().count() == 1 => digit(t.chars().next()?)?,
        _ => return None,
    };
    let ones = match parts.next().unwrap_or("") {
        "" => 0,
        o if o.chars().count() == 1 => digit(o.chars().next()?)?,
        _ => return None,
    };
    Some(tens * 10 + ones)
}

/// Chinese numeral for small heading numbers (1 → 一, 12 → 十二).
pub fn to_chinese(n: u32) -> String {
    const D: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[(n - 10) as usize] }),
        20..=99 => {
            format!("{}十{}", D[(n / 10) as usize], if n.is_multiple_of(10) { "" } else { D[(n % 10) as usize] })
        }
        _ => n.to_string(),
    }
}

pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Characters that end a sentence.
pub fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | ';' | '!' | '?' | '；' | '！' | '？')
}

/// Characters that end a clause inside a sentence.
pub fn is_clause_break(c: char) -> bool {
    is_sentence_end(c) || matches!(c, ',' | ':' | '，' | '：')
}

/// Splits text into sentences, each with its terminator, trimmed; empty pieces are dropped.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if is_sentence_end(c) || c == '\n' {
            let end = i + c.len_utf8();
            let piece = text[start..end].trim();
            if !piece.trim_matches('\n').is_empty() {
                out.push(piece.trim_end_matches('\n'));
            }
            start = end;
        }
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// The first sentence of a heading line, without its terminator: the item's title.
pub fn first_sentence(line: &str) -> &str {
    let end = line.char_indices().find(|&(_, c)| matches!(c, '。' | ';' | '!' | '?')).map(|(i, _)| i);
    line[..end.unwrap_or(line.len())].trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals() {
        for (s, n) in [("一", 1), ("九", 9), ("十", 10), ("十一", 11), ("二十", 20), ("二十三", 23), ("二〇二三", 2023)]
        {
            assert_eq!(chinese_number(s), Some(n), "{s}");
            if n < 100 {
                assert_eq!(chinese_number(&to_chinese(n)), Some(n));
            }
        }
        for s in ["", "十十", "一二十", "甲", "三十四五"] {
            assert_eq!(chinese_number(s), None, "{s}");
        }
    }

    #[test]
    fn sentence_splitting() {
        assert_eq!(sentences("甲。乙;丙"), vec!["甲。", "乙;", "丙"]);
        assert_eq!(first_sentence("创新能力明显增强。其余"), "创新能力明显增强");
    }
}
