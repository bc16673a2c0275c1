//! What the data-driven engines (cultivation libraries, new-project admission, resource policy) share:
//! bilingual text, a source citation with its confidence, and the errors a definition file can have, each
//! naming the field it is about.

use jiqun_domain::Lang;
use serde::{Deserialize, Serialize};

pub use jiqun_domain::datafile::{FieldError, Text, check_text, parse_json};

/// How far a fact can be trusted, as `docs/mechanisms.md` grades it: H official text seen; M a mirror or
/// several agreeing copies of government text; L one third-party source; X Jiqun's own example value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Confidence {
    H,
    M,
    L,
    /// Not a fact: an example value Jiqun ships for the jurisdiction to replace.
    X,
}

impl Confidence {
    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Confidence::H => ("H：见到官方文本", "H: official text seen"),
            Confidence::M => ("M：见到政府文本的转载或多份一致的副本", "M: copies of government text seen"),
            Confidence::L => ("L：仅一个第三方来源", "L: a single third-party source"),
            Confidence::X => ("示例值，须由主管部门设定", "example value, to be set by the authority"),
        };
        lang.pick(zh, en)
    }
}

/// Where a definition's facts come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The document or page, as one would cite it.
    pub citation: String,
    pub confidence: Confidence,
    /// Addresses seen, if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// Caveats: what was not seen, what may have changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
}

impl Source {
    pub(crate) fn validate(&self, path: &str, errors: &mut Vec<FieldError>) {
        if self.citation.trim().is_empty() {
            errors.push(FieldError::new(format!("{path}.citation"), "出处不能为空", "the citation must not be empty"));
        }
        if let Some(n) = &self.note {
            check_text(n, &format!("{path}.note"), errors);
        }
    }
}

/// Checks what every definition begins with: its id, its name and its description, if it has one.
pub(crate) fn check_heading(id: &str, name: &Text, description: Option<&Text>, errors: &mut Vec<FieldError>) {
    check_id(id, "id", errors);
    check_text(name, "name", errors);
    if let Some(d) = description {
        check_text(d, "description", errors);
    }
}

/// An identifier: lower-case ASCII letters, digits, `_` and `-`, 1 to 64 characters.
pub(crate) fn check_id(id: &str, path: &str, errors: &mut Vec<FieldError>) {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if !ok {
        errors.push(FieldError::new(
            path,
            format!("标识“{id}”无效：只能用小写字母、数字、_ 和 -，1 至 64 个字符"),
            format!("invalid id \"{id}\": use 1 to 64 lower-case letters, digits, _ or -"),
        ));
    }
}

/// A computed ratio with the binary rounding noise taken off (490 × 100 ÷ 7000 is 7, and 0.1 + 0.2 is
/// 0.3), so a figure exactly at a published threshold meets it. Rounds to 9 decimals; larger values,
/// whose noise is below that anyway, are left as they are.
pub(crate) fn tidy(v: f64) -> f64 {
    if v.is_finite() && v.abs() < 1e6 { (v * 1e9).round() / 1e9 } else { v }
}

/// A number for people: at most two decimals, trailing zeros dropped (82 → "82", 2.345 → "2.35").
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let s = format!("{v:.2}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" { "0".to_string() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_removes_rounding_noise_only() {
        assert_eq!(tidy(490.0 / 7000.0 * 100.0), 7.0);
        assert_eq!(tidy(0.1 + 0.2), 0.3);
        assert_eq!(tidy(2.123_456_789_4), 2.123_456_789);
        assert_eq!(tidy(1e12 + 0.5), 1e12 + 0.5);
        assert!(tidy(f64::NAN).is_nan());
    }

    #[test]
    fn numbers_for_people() {
        assert_eq!(fmt_num(82.0), "82");
        assert_eq!(fmt_num(2.345_1), "2.35");
        assert_eq!(fmt_num(0.5), "0.5");
        assert_eq!(fmt_num(-0.001), "0");
        assert_eq!(fmt_num(10000.0), "10000");
    }
}
