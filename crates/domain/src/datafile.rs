//! What the vocabularies held as JSON data (chains, chip categories, the challenge workflow) share: bilingual
//! text, errors that name the field they are about, and the normalising of text typed by people.
//!
//! The eval crate's definition files (libraries, admission, resource policy) use the same types
//! (`jiqun_eval::definition` re-exports them), so every data file's errors read alike.

use crate::Lang;
use serde::{Deserialize, Serialize};

/// A text in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = BilingualText)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text { zh: zh.into(), en: en.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }

    pub fn is_blank(&self) -> bool {
        self.zh.trim().is_empty() || self.en.trim().is_empty()
    }
}

/// One thing wrong with a data file or an input; `path` names the field (`chains[2].nodes[0].tier`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub path: String,
    pub zh: String,
    pub en: String,
}

impl FieldError {
    pub fn new(path: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> FieldError {
        FieldError { path: path.into(), zh: zh.into(), en: en.into() }
    }

    /// `path: message` in the language asked for.
    pub fn message(&self, lang: Lang) -> String {
        let m = lang.pick(&self.zh, &self.en);
        if self.path.is_empty() { m.to_string() } else { format!("{}: {m}", self.path) }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for FieldError {}

/// Reads JSON into its serde form; a syntax or shape error is one error with its line and column (serde's
/// wording of a shape problem names the field and is kept in both languages).
pub fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Vec<FieldError>> {
    serde_json::from_str(text).map_err(|e| {
        let (line, col) = (e.line(), e.column());
        let what = e.to_string();
        let what = what.split(" at line ").next().unwrap_or(&what).to_string();
        vec![FieldError::new(
            format!("line {line}, column {col}"),
            format!("JSON 无效（第{line}行第{col}列）：{what}"),
            format!("invalid JSON (line {line}, column {col}): {what}"),
        )]
    })
}

/// Both languages present.
pub fn check_text(t: &Text, path: &str, errors: &mut Vec<FieldError>) {
    if t.is_blank() {
        errors.push(FieldError::new(path, "中文和英文文本都不能为空", "both the zh and the en text are required"));
    }
}

/// A required text field.
pub fn check_nonempty(s: &str, path: &str, errors: &mut Vec<FieldError>) {
    if s.trim().is_empty() {
        errors.push(FieldError::new(path, "不能为空", "must not be empty"));
    }
}

/// An identifier: lower-case ASCII letters, digits, `_`, `-` and `.`, 1 to 64 characters.
pub fn check_id(id: &str, path: &str, errors: &mut Vec<FieldError>) {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.'));
    if !ok {
        errors.push(FieldError::new(
            path,
            format!("标识“{id}”无效：只能用小写字母、数字、_、- 和 .，1 至 64 个字符"),
            format!("invalid id \"{id}\": use 1 to 64 lower-case letters, digits, _, - or ."),
        ));
    }
}

/// Text as people type it, made comparable: full-width ASCII forms (`ＡＩ芯片`, `５Ｇ`) and the ideographic
/// space become their ASCII forms, runs of white space become one space, the ends are trimmed and ASCII
/// letters are lower-cased. Nothing else changes: this is for exact matching, not for guessing.
pub fn normalise(s: &str) -> String {
    let mapped = s.chars().map(|c| match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    });
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in mapped {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_is_width_space_and_ascii_case_only() {
        assert_eq!(normalise("  ＡＩ芯片\u{3000}"), "ai芯片");
        assert_eq!(normalise("Ultra-HD   video"), "ultra-hd video");
        assert_eq!(normalise("５Ｇ基带（芯片）"), "5g基带(芯片)");
        assert_eq!(normalise("芯片、器件"), "芯片、器件", "the enumeration comma is not an ASCII form");
        assert_eq!(normalise(""), "");
    }

    #[test]
    fn json_errors_name_the_position() {
        let e = parse_json::<Text>("{\"zh\": \"x\", \"fr\": 1}").unwrap_err();
        assert!(e[0].en.contains("unknown field `fr`"), "{}", e[0].en);
        assert!(e[0].zh.contains("第1行"), "{}", e[0].zh);
    }
}
