//! Tables written out for people: a typed description of the columns and a writer that takes the rows one
//! at a time and writes them as an Excel workbook (header in the reader's language, frozen, with filters,
//! widths that fit Chinese text, number formats), as CSV (UTF-8 with a byte-order mark so that Excel reads
//! Chinese, CRLF line ends, cells Excel would take for formulas neutralised) or as a JSON array of objects.
//!
//! Nothing is held per row: the CSV and JSON go straight to the writer, and the workbook's sheet is written
//! in rust_xlsxwriter's constant-memory mode (each row goes to a temporary file as soon as the next one
//! starts; the file is zipped when the table is finished). Memory stays flat whatever the number of rows.

use std::borrow::Cow;
use std::io::Write;

use jiqun_domain::Lang;
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, FormatBorder, Workbook};

/// What a column holds, which decides its cells' number format in a workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text as it is.
    Text,
    /// An identifier or a year: a whole number without thousands separators.
    Id,
    /// A count: a whole number with thousands separators (`#,##0`).
    Integer,
    /// A measured value with this many decimals (`#,##0.00` for 2).
    Number(u8),
    /// An amount in 万元 (ten thousand yuan): `#,##0.00`.
    Money,
    /// A fraction shown as a percentage (`0.0%`: 0.125 reads 12.5%).
    Percent,
    /// A calendar day (`yyyy-mm-dd`); the cell is `Cell::Date`.
    Date,
    /// A moment (`yyyy-mm-dd hh:mm:ss`, China time); the cell is `Cell::Time`.
    Timestamp,
}

/// One column: its machine name (the CSV header and the JSON key), its header in Chinese and in English
/// (the workbook's header, in the reader's language), and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub zh: Cow<'static, str>,
    pub en: Cow<'static, str>,
    pub kind: Kind,
}

impl Column {
    pub const fn new(key: &'static str, zh: &'static str, en: &'static str, kind: Kind) -> Column {
        Column { key, zh: Cow::Borrowed(zh), en: Cow::Borrowed(en), kind }
    }

    /// A column whose headers are made when the table is (a metric with its unit).
    pub fn named(key: &'static str, zh: String, en: String, kind: Kind) -> Column {
        Column { key, zh: Cow::Owned(zh), en: Cow::Owned(en), kind }
    }

    /// The header in the reader's language.
    pub fn header(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// One cell of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    /// A number; one that is not finite is written as an empty cell.
    Num(f64),
    Bool(bool),
    /// Several values: a JSON array, joined with `;` elsewhere.
    List(Vec<String>),
    /// A day as `YYYY-MM-DD` (written as text when it is not one).
    Date(String),
    /// Milliseconds since the Unix epoch.
    Time(i64),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// Text, or an empty cell for none.
    pub fn opt_text<S: Into<String>>(s: Option<S>) -> Cell {
        s.map_or(Cell::Empty, |s| Cell::Text(s.into()))
    }

    pub fn opt_num(v: Option<f64>) -> Cell {
        v.map_or(Cell::Empty, Cell::Num)
    }

    pub fn opt_int(v: Option<i64>) -> Cell {
        v.map_or(Cell::Empty, Cell::Int)
    }

    /// The cell as text, as a CSV cell says it.
    pub fn to_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) | Cell::Date(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Num(v) => number_text(*v),
            Cell::Bool(b) => b.to_string(),
            Cell::List(items) => items.join(";"),
            Cell::Time(ms) => moment_text(*ms),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Cell::Empty => Value::Null,
            Cell::Text(s) | Cell::Date(s) => Value::String(s.clone()),
            Cell::Int(n) | Cell::Time(n) => Value::from(*n),
            Cell::Num(v) => {
                serde_json::Number::from_f64(if *v == 0.0 { 0.0 } else { *v }).map_or(Value::Null, Value::Number)
            }
            Cell::Bool(b) => Value::Bool(*b),
            Cell::List(items) => Value::Array(items.iter().cloned().map(Value::String).collect()),
        }
    }
}

/// A number as text: no negative zero, nothing for a value that is not finite.
fn number_text(v: f64) -> String {
    if !v.is_finite() {
        String::new()
    } else if v == 0.0 {
        "0".into()
    } else {
        v.to_string()
    }
}

/// China's offset from UTC, in milliseconds (no daylight saving).
const CHINA_OFFSET_MS: i64 = 8 * 3_600_000;

/// A moment as `YYYY-MM-DD HH:MM:SS` in China time.
fn moment_text(ms: i64) -> String {
    let local = ms.saturating_add(CHINA_OFFSET_MS);
    let days = local.div_euclid(86_400_000);
    let secs = local.rem_euclid(86_400_000) / 1000;
    let jiqun_domain::date::Date { year: y, month: m, day: d } = jiqun_domain::date::Date::from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// The formats a table is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Xlsx,
    Csv,
    Json,
}

impl TableFormat {
    pub fn parse(s: &str) -> Option<TableFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "xlsx" | "excel" => Some(TableFormat::Xlsx),
            "csv" => Some(TableFormat::Csv),
            "json" => Some(TableFormat::Json),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TableFormat::Xlsx => "xlsx",
            TableFormat::Csv => "csv",
            TableFormat::Json => "json",
        }
    }

    /// The media type of a file of this format.
    pub fn content_type(self) -> &'static str {
        match self {
            TableFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            TableFormat::Csv => "text/csv; charset=utf-8",
            TableFormat::Json => "application/json",
        }
    }
}

/// Why a table could not be written.
#[derive(Debug)]
pub enum TableError {
    /// Writing failed (the disk, the temporary directory, the connection).
    Io(std::io::Error),
    /// The workbook library refused something.
    Workbook(String),
    /// More rows than an Excel sheet holds (1,048,576 with the header).
    TooManyRows { limit: u64 },
    /// A row with a number of cells other than the columns'.
    RowShape { expected: usize, got: usize },
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TableError::Io(e) => write!(f, "writing the table failed: {e}"),
            TableError::Workbook(e) => write!(f, "writing the workbook failed: {e}"),
            TableError::TooManyRows { limit } => write!(f, "an Excel sheet holds at most {limit} rows"),
            TableError::RowShape { expected, got } => write!(f, "a row of {got} cells for {expected} columns"),
        }
    }
}

impl std::error::Error for TableError {}

impl From<std::io::Error> for TableError {
    fn from(e: std::io::Error) -> Self {
        TableError::Io(e)
    }
}

impl From<rust_xlsxwriter::XlsxError> for TableError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        match e {
            rust_xlsxwriter::XlsxError::IoError(e) => TableError::Io(e),
            other => TableError::Workbook(other.to_string()),
        }
    }
}

/// Rows an Excel sheet holds below its header.
pub const XLSX_MAX_ROWS: u64 = 1_048_575;
/// Characters an Excel cell holds.
const XLSX_MAX_TEXT: usize = 32_767;
/// Column widths, in Excel's units (about one Latin character each).
const MIN_WIDTH: f64 = 6.0;
const MAX_WIDTH: f64 = 60.0;

/// Where rows go, one at a time: `jiqun export` writes them to a file, the web to a response.
pub trait RowSink {
    /// The columns, once, before any row.
    fn begin(&mut self, columns: &[Column]) -> Result<(), TableError>;
    /// One row, a cell per column in their order.
    fn row(&mut self, cells: &[Cell]) -> Result<(), TableError>;
}

/// A table kept in memory: for tests, and for the few small tables a page shows and exports at once.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Collected {
    /// The cell of a row in the column of this key.
    pub fn get(&self, row: usize, key: &str) -> Option<&Cell> {
        let i = self.columns.iter().position(|c| c.key == key)?;
        self.rows.get(row)?.get(i)
    }

    /// Writes the collected table to another sink.
    pub fn replay(&self, sink: &mut dyn RowSink) -> Result<(), TableError> {
        sink.begin(&self.columns)?;
        for r in &self.rows {
            sink.row(r)?;
        }
        Ok(())
    }
}

impl RowSink for Collected {
    fn begin(&mut self, columns: &[Column]) -> Result<(), TableError> {
        self.columns = columns.to_vec();
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> Result<(), TableError> {
        if cells.len() != self.columns.len() {
            return Err(TableError::RowShape { expected: self.columns.len(), got: cells.len() });
        }
        self.rows.push(cells.to_vec());
        Ok(())
    }
}

/// Writes a table to `W` in one of the formats.
pub struct TableWriter<W: Write + Send> {
    lang: Lang,
    sheet: String,
    columns: Vec<Column>,
    rows: u64,
    target: Target<W>,
}

enum Target<W: Write + Send> {
    Csv(std::io::BufWriter<W>),
    Json(std::io::BufWriter<W>),
    Xlsx(Box<Sheet<W>>),
}

struct Sheet<W> {
    book: Workbook,
    out: W,
    header: CellFormat,
    formats: Vec<CellFormat>,
    widths: Vec<f64>,
}

/// An Excel sheet's name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') && !c.is_control())
        .take(31)
        .collect();
    let clean = clean.trim_matches('\'').to_string();
    if clean.is_empty() { "Sheet1".into() } else { clean }
}

/// How wide text shows: a Chinese (full-width) character takes two Latin ones' room.
pub fn display_width(s: &str) -> f64 {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2.0,
            _ => 1.0,
        })
        .sum()
}

fn number_format(kind: Kind) -> Option<String> {
    Some(match kind {
        Kind::Text => return None,
        Kind::Id => "0".into(),
        Kind::Integer => "#,##0".into(),
        Kind::Number(0) => "#,##0".into(),
        Kind::Number(d) => format!("#,##0.{}", "0".repeat(usize::from(d.min(10)))),
        Kind::Money => "#,##0.00".into(),
        Kind::Percent => "0.0%".into(),
        Kind::Date => "yyyy-mm-dd".into(),
        Kind::Timestamp => "yyyy-mm-dd hh:mm:ss".into(),
    })
}

/// A cell's width as it shows in its column's format.
fn shown_width(cell: &Cell, kind: Kind) -> f64 {
    match (cell, kind) {
        (Cell::Num(v), Kind::Percent) => number_text(*v * 100.0).len().min(8) as f64 + 2.0,
        (Cell::Num(v), Kind::Money | Kind::Number(_) | Kind::Integer) => {
            let digits = format!("{:.0}", v.abs()).len() as f64;
            let decimals = match kind {
                Kind::Money => 3.0,
                Kind::Number(d) if d > 0 => f64::from(d) + 1.0,
                _ => 0.0,
            };
            digits + (digits / 3.0).floor() + decimals + 1.0
        }
        (Cell::Date(_), _) => 10.0,
        (Cell::Time(_), _) => 19.0,
        (other, _) => display_width(&other.to_text()),
    }
}

impl<W: Write + Send> TableWriter<W> {
    /// A writer of `format` into `out`; a workbook's sheet is named `sheet` and its header is said in `lang`.
    pub fn new(format: TableFormat, lang: Lang, sheet: &str, out: W) -> Result<TableWriter<W>, TableError> {
        let target = match format {
            TableFormat::Csv => Target::Csv(std::io::BufWriter::with_capacity(64 * 1024, out)),
            TableFormat::Json => Target::Json(std::io::BufWriter::with_capacity(64 * 1024, out)),
            TableFormat::Xlsx => {
                let mut book = Workbook::new();
                // The sheet's rows go to a temporary file as they are written (constant-memory mode).
                book.add_worksheet_with_constant_memory()?.set_name(sheet_name(sheet))?;
                let header =
                    CellFormat::new().set_bold().set_background_color(0xDDE6F0).set_border_bottom(FormatBorder::Thin);
                Target::Xlsx(Box::new(Sheet { book, out, header, formats: Vec::new(), widths: Vec::new() }))
            }
        };
        Ok(TableWriter { lang, sheet: sheet.to_string(), columns: Vec::new(), rows: 0, target })
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The sheet's name as asked.
    pub fn sheet(&self) -> &str {
        &self.sheet
    }

    /// Ends the table (a JSON array is closed, the workbook zipped into the writer) and gives the writer
    /// back with the number of rows.
    pub fn finish(self) -> Result<(W, u64), TableError> {
        let rows = self.rows;
        let out = match self.target {
            Target::Csv(out) => out.into_inner().map_err(|e| TableError::Io(e.into_error()))?,
            Target::Json(mut out) => {
                if self.columns.is_empty() || rows == 0 {
                    out.write_all(b"[")?;
                }
                out.write_all(b"\n]\n")?;
                out.into_inner().map_err(|e| TableError::Io(e.into_error()))?
            }
            Target::Xlsx(sheet) => {
                let Sheet { mut book, mut out, widths, .. } = *sheet;
                let ws = book.worksheet_from_index(0)?;
                for (i, w) in widths.iter().enumerate() {
                    let col = u16::try_from(i).map_err(|_| TableError::Workbook("too many columns".into()))?;
                    ws.set_column_width(col, w.clamp(MIN_WIDTH, MAX_WIDTH) + 2.0)?;
                }
                if !widths.is_empty() {
                    let last_col = u16::try_from(widths.len() - 1).unwrap_or(u16::MAX);
                    let last_row = u32::try_from(rows).unwrap_or(u32::MAX);
                    ws.autofilter(0, 0, last_row, last_col)?;
                }
                book.save_to_writer(&mut out)?;
                out
            }
        };
        Ok((out, rows))
    }
}

impl<W: Write + Send> RowSink for TableWriter<W> {
    fn begin(&mut self, columns: &[Column]) -> Result<(), TableError> {
        self.columns = columns.to_vec();
        let lang = self.lang;
        match &mut self.target {
            Target::Csv(out) => {
                out.write_all("\u{feff}".as_bytes())?;
                write_csv_row(out, columns.iter().map(|c| c.key))?;
            }
            Target::Json(_) => {}
            Target::Xlsx(sheet) => {
                let ws = sheet.book.worksheet_from_index(0)?;
                ws.set_freeze_panes(1, 0)?;
                for (i, c) in columns.iter().enumerate() {
                    let col = u16::try_from(i).map_err(|_| TableError::Workbook("too many columns".into()))?;
                    ws.write_string_with_format(0, col, c.header(lang), &sheet.header)?;
                }
                sheet.formats = columns
                    .iter()
                    .map(|c| match number_format(c.kind) {
                        Some(f) => CellFormat::new().set_num_format(f),
                        None => CellFormat::new(),
                    })
                    .collect();
                // Room for the header and its filter button.
                sheet.widths = columns.iter().map(|c| display_width(c.header(lang)) + 2.0).collect();
            }
        }
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> Result<(), TableError> {
        if cells.len() != self.columns.len() {
            return Err(TableError::RowShape { expected: self.columns.len(), got: cells.len() });
        }
        match &mut self.target {
            Target::Csv(out) => write_csv_row(out, cells.iter().map(Cell::to_text))?,
            Target::Json(out) => {
                let mut object = serde_json::Map::with_capacity(cells.len());
                for (c, v) in self.columns.iter().zip(cells) {
                    object.insert(c.key.to_string(), v.to_json());
                }
                out.write_all(if self.rows == 0 { b"[\n" } else { b",\n" })?;
                serde_json::to_writer(&mut *out, &object).map_err(std::io::Error::from)?;
            }
            Target::Xlsx(sheet) => {
                if self.rows >= XLSX_MAX_ROWS {
                    return Err(TableError::TooManyRows { limit: XLSX_MAX_ROWS });
                }
                let row = u32::try_from(self.rows + 1).map_err(|_| TableError::TooManyRows { limit: XLSX_MAX_ROWS })?;
                let Sheet { book, formats, widths, .. } = &mut **sheet;
                let ws = book.worksheet_from_index(0)?;
                for (i, (cell, column)) in cells.iter().zip(&self.columns).enumerate() {
                    let col = u16::try_from(i).map_err(|_| TableError::Workbook("too many columns".into()))?;
                    let Some(format) = formats.get(i) else { continue };
                    if let Some(w) = widths.get_mut(i)
                        && *w < MAX_WIDTH
                    {
                        *w = w.max(shown_width(cell, column.kind));
                    }
                    match cell {
                        Cell::Empty => {}
                        Cell::Num(v) if !v.is_finite() => {}
                        Cell::Num(v) => {
                            ws.write_number_with_format(row, col, if *v == 0.0 { 0.0 } else { *v }, format)?;
                        }
                        // Beyond 2^53 a number loses digits in Excel: such a value is written as text.
                        Cell::Int(n) if n.unsigned_abs() < (1 << 53) => {
                            ws.write_number_with_format(row, col, *n as f64, format)?;
                        }
                        Cell::Bool(b) => {
                            ws.write_boolean(row, col, *b)?;
                        }
                        Cell::Date(s) => match day(s) {
                            Some(d) => {
                                ws.write_datetime_with_format(row, col, &d, format)?;
                            }
                            None => {
                                ws.write_string(row, col, clip(s))?;
                            }
                        },
                        Cell::Time(ms) => {
                            // Excel counts days from 1899-12-30; the moment in China time.
                            let serial = (*ms as f64 + CHINA_OFFSET_MS as f64) / 86_400_000.0 + 25_569.0;
                            ws.write_number_with_format(row, col, serial, format)?;
                        }
                        other => {
                            let text = other.to_text();
                            if !text.is_empty() {
                                ws.write_string(row, col, clip(&text))?;
                            }
                        }
                    }
                }
            }
        }
        self.rows += 1;
        Ok(())
    }
}

/// A `YYYY-MM-DD` day, if it is one Excel can show.
fn day(s: &str) -> Option<ExcelDateTime> {
    let mut parts = s.splitn(3, '-');
    let y: u16 = parts.next()?.parse().ok()?;
    let m: u8 = parts.next()?.parse().ok()?;
    let d: u8 = parts.next()?.parse().ok()?;
    if s.len() != 10 || !(1900..=9999).contains(&y) {
        return None;
    }
    ExcelDateTime::from_ymd(y, m, d).ok()
}

/// Text cut to what an Excel cell holds, without control characters XML cannot carry.
fn clip(s: &str) -> String {
    s.chars().filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r')).take(XLSX_MAX_TEXT).collect()
}

/// One CSV record: cells quoted where they hold a comma, a quote or a line end, and a cell Excel would read
/// as a formula (`=`, `+`, `-`, `@`, a tab or a carriage return first, not a number) quoted with an
/// apostrophe before it; CRLF at the end.
pub fn write_csv_row<S: AsRef<str>>(out: &mut impl Write, cells: impl IntoIterator<Item = S>) -> std::io::Result<()> {
    let mut line = String::new();
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_csv_cell(&mut line, cell.as_ref());
    }
    line.push_str("\r\n");
    out.write_all(line.as_bytes())
}

/// Appends one CSV cell, quoted and neutralised as `write_csv_row` says.
pub fn push_csv_cell(out: &mut String, cell: &str) {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err();
    let quote = formula || cell.contains([',', '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for ch in cell.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    if quote {
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    const COLUMNS: &[Column] = &[
        Column::new("id", "编号", "ID", Kind::Id),
        Column::new("name", "名称", "Name", Kind::Text),
        Column::new("revenue_wan", "营业收入（万元）", "Revenue (10k yuan)", Kind::Money),
        Column::new("share", "占比", "Share", Kind::Percent),
        Column::new("founded", "成立日期", "Founded", Kind::Date),
        Column::new("tags", "标签", "Tags", Kind::Text),
        Column::new("listed", "上市", "Listed", Kind::Text),
    ];

    fn rows() -> Vec<Vec<Cell>> {
        vec![
            vec![
                Cell::Int(1),
                Cell::text("（测试）广州芯片设计有限公司, 一期"),
                Cell::Num(12_345.5),
                Cell::Num(0.125),
                Cell::Date("2010-03-04".into()),
                Cell::List(vec!["a".into(), "b".into()]),
                Cell::Bool(true),
            ],
            vec![
                Cell::Int(2),
                Cell::text("=HYPERLINK(\"x\")"),
                Cell::Num(-0.0),
                Cell::Empty,
                Cell::Date("not a day".into()),
                Cell::List(vec![]),
                Cell::Bool(false),
            ],
        ]
    }

    fn write(format: TableFormat, lang: Lang) -> Vec<u8> {
        let mut w = TableWriter::new(format, lang, "企业", Vec::new()).unwrap();
        w.begin(COLUMNS).unwrap();
        for r in rows() {
            w.row(&r).unwrap();
        }
        let (out, n) = w.finish().unwrap();
        assert_eq!(n, 2);
        out
    }

    #[test]
    fn a_workbook_reads_back_with_its_header_in_the_readers_language_and_typed_cells() {
        let bytes = write(TableFormat::Xlsx, Lang::Zh);
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), vec!["企业".to_string()]);
        let range = book.worksheet_range("企业").unwrap();
        let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        assert_eq!(rows[0][0], Data::String("编号".into()));
        assert_eq!(rows[0][2], Data::String("营业收入（万元）".into()));
        assert_eq!(rows[1][0], Data::Float(1.0));
        assert_eq!(rows[1][1], Data::String("（测试）广州芯片设计有限公司, 一期".into()));
        assert_eq!(rows[1][2], Data::Float(12_345.5));
        assert_eq!(rows[1][3], Data::Float(0.125));
        assert!(matches!(rows[1][4], Data::DateTime(_)), "{:?}", rows[1][4]);
        assert_eq!(rows[1][5], Data::String("a;b".into()));
        assert_eq!(rows[1][6], Data::Bool(true));
        assert_eq!(rows[2][1], Data::String("=HYPERLINK(\"x\")".into()), "text, never a formula");
        assert_eq!(rows[2][2], Data::Float(0.0));
        assert_eq!(rows[2][4], Data::String("not a day".into()));
        assert_eq!(rows.len(), 3);
    }

    #[test]
    fn a_workbook_has_a_frozen_header_filters_widths_and_number_formats() {
        let bytes = write(TableFormat::Xlsx, Lang::En);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet).unwrap();
        assert!(sheet.contains("<pane ySplit=\"1\"") && sheet.contains("state=\"frozen\""), "{sheet}");
        assert!(sheet.contains("<autoFilter ref=\"A1:G3\""), "{sheet}");
        assert!(sheet.contains("<col min=\"2\" max=\"2\" width="), "{sheet}");
        let mut styles = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
        assert!(styles.contains("#,##0.00") && styles.contains("0.0%") && styles.contains("yyyy-mm-dd"), "{styles}");
        assert!(sheet.contains("Revenue (10k yuan)") || !sheet.contains("营业收入"), "English header");
    }

    #[test]
    fn chinese_text_is_given_twice_the_room() {
        assert_eq!(display_width("abc"), 3.0);
        assert_eq!(display_width("企业名称"), 8.0);
        assert_eq!(display_width("（测试）"), 8.0);
    }

    #[test]
    fn csv_has_a_bom_crlf_machine_headers_and_neutralised_formulas() {
        let text = String::from_utf8(write(TableFormat::Csv, Lang::Zh)).unwrap();
        assert!(text.starts_with("\u{feff}id,name,revenue_wan,share,founded,tags,listed\r\n"), "{text}");
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[1], "1,\"（测试）广州芯片设计有限公司, 一期\",12345.5,0.125,2010-03-04,a;b,true");
        assert_eq!(lines[2], "2,\"'=HYPERLINK(\"\"x\"\")\",0,,not a day,,false");
        assert_eq!(lines.len(), 4, "{text}");
    }

    #[test]
    fn json_is_an_array_of_objects_with_lists_as_arrays() {
        let v: serde_json::Value = serde_json::from_slice(&write(TableFormat::Json, Lang::En)).unwrap();
        assert_eq!(v[0]["tags"], serde_json::json!(["a", "b"]));
        assert_eq!(v[0]["revenue_wan"], serde_json::json!(12_345.5));
        assert_eq!(v[1]["share"], serde_json::Value::Null);
        assert_eq!(v.as_array().map(Vec::len), Some(2));
        let mut empty = TableWriter::new(TableFormat::Json, Lang::En, "x", Vec::new()).unwrap();
        empty.begin(COLUMNS).unwrap();
        let (out, _) = empty.finish().unwrap();
        assert_eq!(serde_json::from_slice::<serde_json::Value>(&out).unwrap(), serde_json::json!([]));
    }

    #[test]
    fn a_row_of_the_wrong_shape_is_refused_not_written() {
        let mut w = TableWriter::new(TableFormat::Xlsx, Lang::En, "x", Vec::new()).unwrap();
        w.begin(COLUMNS).unwrap();
        assert!(matches!(w.row(&[Cell::Int(1)]), Err(TableError::RowShape { expected: 7, got: 1 })));
    }

    #[test]
    fn moments_are_written_in_china_time() {
        assert_eq!(Cell::Time(0).to_text(), "1970-01-01 08:00:00");
        assert_eq!(Cell::Time(1_796_601_600_000).to_text(), "2026-12-07 08:00:00");
        assert_eq!(sheet_name("a/b[c]"), "abc");
        assert_eq!(sheet_name(""), "Sheet1");
    }
}
