//! Errors of the compiler. Input problems come from `input`; a document that decodes but shows no plan
//! structure is `NoStructure`. Every error has a stable code and a message in Chinese and English.

use jiqun_domain::Lang;

use crate::input::InputError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    Input(InputError),
    /// No section heading (一、 or 第一章) was found in the document's `lines` lines.
    NoStructure {
        lines: usize,
    },
}

impl CompileError {
    pub fn code(&self) -> &'static str {
        match self {
            CompileError::Input(e) => e.code(),
            CompileError::NoStructure { .. } => "no_structure",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            CompileError::Input(e) => e.message(lang),
            CompileError::NoStructure { lines } => match lang {
                Lang::Zh => format!(
                    "未识别出行动计划的结构：全文 {lines} 行中没有“一、”或“第一章”式的章节标题。请确认这是一份行动计划或实施方案。"
                ),
                Lang::En => format!(
                    "no action-plan structure found: none of the document's {lines} lines is a section heading such as “一、” or “第一章”. Is this an action plan?"
                ),
            },
        }
    }
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for CompileError {}
