//! Reading a document: format sniffing, encoding detection, docx and html text extraction, normalisation.
//! (Being written; see the interface below.)

/// The format of a document, sniffed from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Docx,
    Html,
}

/// One non-empty line of the document, normalised, with its 1-based line number in the source
/// (physical line for text and html source, paragraph number for docx).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub no: usize,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub format: Format,
    /// `UTF-8`, `GB18030`, `UTF-16LE` …
    pub encoding: String,
    pub lines: Vec<Line>,
    /// The html `<title>`, which is not visible text but may name the plan.
    pub html_title: Option<String>,
}
