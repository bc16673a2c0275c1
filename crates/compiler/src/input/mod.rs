//! Reading a document: format sniffing, encoding detection, docx and html text extraction, normalisation.
//! Everything the rest of the compiler sees of a user's file passes through [`read`] as numbered lines.

mod docx;
mod html;
mod numbering;
mod text;

#[cfg(test)]
mod tests;

use jiqun_domain::Lang;

pub use text::normalize_line;

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

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// No bytes, or only a byte-order mark and whitespace.
    Empty,
    /// Not text: a NUL, or too many control bytes; `offset` is the 0-based byte offset of the first one.
    Binary { offset: usize },
    /// Text in an encoding Jiqun does not read (only UTF-8, UTF-16 with a BOM, GBK/GB18030), or GB
    /// bytes that do not decode; `guess` is the detector's encoding name.
    UnknownEncoding { guess: String },
    /// A zip that is not a readable Word document; `reason` names the part and the fault, in English.
    BadDocx { reason: String },
    /// The document decoded but holds no visible text.
    NoText,
}

impl InputError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            InputError::Empty => "empty",
            InputError::Binary { .. } => "binary",
            InputError::UnknownEncoding { .. } => "unknown_encoding",
            InputError::BadDocx { .. } => "bad_docx",
            InputError::NoText => "no_text",
        }
    }

    /// What is wrong, for the user, in their language.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (InputError::Empty, Lang::Zh) => "文件为空，没有任何文字。".to_string(),
            (InputError::Empty, Lang::En) => "The file is empty: it holds no text.".to_string(),
            (InputError::Binary { offset }, Lang::Zh) => format!(
                "文件不是文本：在第 {offset} 字节处（从 0 起算）出现了二进制数据（NUL 或控制字符）。\
                 请提供 UTF-8 或 GB18030 文本、.docx 或 .html 文件。"
            ),
            (InputError::Binary { offset }, Lang::En) => format!(
                "The file is not text: binary data (a NUL or control byte) at byte offset {offset} \
                 (counting from 0). Please supply UTF-8 or GB18030 text, a .docx or an .html file."
            ),
            (InputError::UnknownEncoding { guess }, Lang::Zh) => {
                format!("无法识别文件的字符编码（检测结果为 {guess}）。请将文件另存为 UTF-8 或 GB18030 编码后重试。")
            }
            (InputError::UnknownEncoding { guess }, Lang::En) => format!(
                "The file's character encoding is not supported (it looks like {guess}). \
                 Please save it as UTF-8 or GB18030 and try again."
            ),
            (InputError::BadDocx { reason }, Lang::Zh) => {
                format!("无法读取 .docx 文件：{}。", docx::reason_zh(reason))
            }
            (InputError::BadDocx { reason }, Lang::En) => format!("The .docx file cannot be read: {reason}."),
            (InputError::NoText, Lang::Zh) => "文件中没有可读的正文文字。".to_string(),
            (InputError::NoText, Lang::En) => "The file holds no readable text.".to_string(),
        }
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for InputError {}

/// Decodes a text file (a CSV an office exported): BOM, UTF-8, else GB18030/GBK as Excel in China
/// writes it, else UTF-16 with a BOM; binary content and other encodings are refused with a reason.
pub fn decode_text(bytes: &[u8]) -> Result<(String, &'static str), InputError> {
    text::decode(bytes, |_| None)
}

/// Reads a document of any supported format. The format is sniffed from the bytes alone, because
/// uploaded files arrive with names that lie (`.doc` that is html, `.txt` that is GBK …).
pub fn read(bytes: &[u8]) -> Result<Source, InputError> {
    if bytes.is_empty() {
        return Err(InputError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return docx::read(bytes);
    }
    let (decoded, encoding) =
        text::decode(bytes, |raw| if html::sniff(raw) { html::declared_charset(raw) } else { None })?;
    let source = if html::sniff(decoded.as_bytes()) {
        let page = html::extract(&decoded);
        Source { format: Format::Html, encoding: encoding.to_string(), lines: page.lines, html_title: page.title }
    } else {
        Source { format: Format::Text, encoding: encoding.to_string(), lines: text::lines(&decoded), html_title: None }
    };
    if source.lines.is_empty() {
        return Err(InputError::NoText);
    }
    Ok(source)
}
