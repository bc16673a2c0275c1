//! A workbook or a CSV file read into a grid of cells, and the cells read the way people really fill them
//! in: numbers stored as text, full-width digits and punctuation, thousands separators, amounts written
//! with 万元 or 亿元, dates as Excel serial numbers or as text.
//!
//! Positions are kept in the user's terms: the sheet's name, the row number Excel (or the CSV's line)
//! shows, and the column as letters.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};
use jiqun_domain::date::Date;

/// A cell as it was read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A cell Excel holds as a date: its serial number (days since 1899-12-30).
    Date(f64),
    /// A formula error such as `#DIV/0!`.
    Error(String),
}

impl Cell {
    /// True for an empty cell and for one holding only spaces.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.chars().all(|c| c.is_whitespace()),
            _ => false,
        }
    }

    /// The cell as the user would read it in Excel (numbers without a needless `.0`).
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) | Cell::Date(n) => number_text(*n),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }

    /// The cell as text, full-width characters made half-width and the ends trimmed.
    pub fn text(&self) -> String {
        halfwidth(self.display().trim()).trim().to_string()
    }
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { format!("{n}") }
}

/// A row: the number Excel shows (or the CSV line the record starts on), and its cells from column A.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn get(&self, column: usize) -> &Cell {
        self.cells.get(column).unwrap_or(&Cell::Empty)
    }

    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_blank)
    }
}

/// One sheet: its name (for a CSV, the file's name) and its rows that hold anything, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Row>,
    /// Whether positions are said as CSV lines rather than worksheet cells.
    pub csv: bool,
}

/// A problem with a file or a cell, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub zh: String,
    pub en: String,
}

impl Problem {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Problem {
        Problem { zh: zh.into(), en: en.into() }
    }
}

/// Whether the bytes are a zip archive, as an .xlsx is.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The sheets of an .xlsx workbook, in the workbook's order, rows that hold nothing left out. Each sheet's
/// cells are read as they come from its XML, straight into rows (no grid of the whole sheet is built and
/// copied first); a sheet that is not a worksheet (a chart sheet) reads as empty.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Sheet>, Problem> {
    let mut book = open_xlsx(Cursor::new(bytes))?;
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let mut rows = Vec::new();
        each_row(&mut book, &name, |row| {
            rows.push(row);
            true
        })?;
        // Rows in the file's order, which is the sheet's (Excel writes them so; sorted in case not).
        rows.sort_by_key(|r| r.number);
        out.push(Sheet { name, rows, csv: false });
    }
    Ok(out)
}

fn open_xlsx<RS: std::io::Read + std::io::Seek>(reader: RS) -> Result<Xlsx<RS>, Problem> {
    Xlsx::new(reader).map_err(|e| {
        Problem::new(
            format!("无法读取 Excel 工作簿（应为 .xlsx 格式）：{e}"),
            format!("this is not a readable Excel workbook (.xlsx): {e}"),
        )
    })
}

/// Hands `visit` each row of a sheet that holds something, in the file's order, until it answers `false`;
/// returns the number of rows the sheet says it spans (its dimension), 0 for a sheet that is not a
/// worksheet.
fn each_row<RS: std::io::Read + std::io::Seek>(
    book: &mut Xlsx<RS>,
    name: &str,
    mut visit: impl FnMut(Row) -> bool,
) -> Result<usize, Problem> {
    let unreadable = |e: calamine::XlsxError| {
        Problem::new(format!("无法读取工作表“{name}”：{e}"), format!("the sheet “{name}” cannot be read: {e}"))
    };
    let mut reader = match book.worksheet_cells_reader(name) {
        Ok(r) => r,
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(0),
        Err(e) => return Err(unreadable(e)),
    };
    let span = reader.dimensions().end.0 as usize + 1;
    let mut row = Row { number: 0, cells: Vec::new() };
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let (r, c) = cell.get_position();
        let value = cell_of(cell.get_value());
        if value == Cell::Empty {
            continue;
        }
        let number = r as usize + 1;
        if number != row.number {
            let done = std::mem::replace(&mut row, Row { number, cells: Vec::new() });
            if !done.cells.is_empty() && !visit(done) {
                return Ok(span);
            }
        }
        let c = c as usize;
        if row.cells.len() < c {
            row.cells.resize(c, Cell::Empty);
        }
        // Cells of a row come left to right; a repeated position keeps the last.
        if row.cells.len() == c {
            row.cells.push(value);
        } else {
            row.cells[c] = value;
        }
    }
    if !row.cells.is_empty() {
        visit(row);
    }
    Ok(span)
}

/// How many rows of each sheet `stream_xlsx` reads before the sheet holding the data is chosen: the header
/// is looked for in these.
pub const PREFIX_ROWS: usize = 30;

/// An .xlsx being read on a thread of its own: the first rows of every sheet now, the rest of one sheet
/// as it is read (`XlsxStream::rest`), so that a long sheet's rows can be checked and stored while the
/// rest of its XML is still being parsed.
pub struct XlsxStream {
    /// Each sheet with its first `PREFIX_ROWS` rows.
    pub sheets: Vec<Sheet>,
    /// Each sheet's span in rows, as its dimension says (for progress).
    pub spans: Vec<usize>,
    pick: std::sync::mpsc::SyncSender<usize>,
    rows: std::sync::mpsc::Receiver<Result<Vec<Row>, Problem>>,
}

/// The rows of a sheet after its first `PREFIX_ROWS`, in batches as they are read; an error ends them.
pub struct RowStream {
    rows: std::sync::mpsc::Receiver<Result<Vec<Row>, Problem>>,
    /// The last row already given with the sheet's first rows.
    after: usize,
    /// The rows the sheet spans, as its dimension says.
    pub span: usize,
}

impl RowStream {
    /// The next batch of rows (the reading thread waits while two are unread), or `None` at the end.
    pub fn next_batch(&mut self) -> Option<Result<Vec<Row>, Problem>> {
        let after = self.after;
        self.rows.recv().ok().map(|batch| batch.map(|rows| rows.into_iter().filter(|r| r.number > after).collect()))
    }
}

impl XlsxStream {
    /// The rest of sheet `index` (the rows after those in `sheets[index]`).
    pub fn rest(self, index: usize) -> RowStream {
        let after = self.sheets.get(index).and_then(|s| s.rows.last()).map_or(0, |r| r.number);
        let span = self.spans.get(index).copied().unwrap_or(0);
        // A closed channel means the thread has already stopped (an error it then reports, or no sheet).
        let _ = self.pick.send(index);
        RowStream { rows: self.rows, after, span }
    }
}

/// Starts reading an .xlsx on its own thread and waits for the first rows of each sheet. Dropping the
/// answer without `rest` ends the thread.
pub fn stream_xlsx(bytes: Vec<u8>) -> Result<XlsxStream, Problem> {
    let (first_tx, first_rx) = std::sync::mpsc::sync_channel::<Result<(Vec<Sheet>, Vec<usize>), Problem>>(1);
    let (pick_tx, pick_rx) = std::sync::mpsc::sync_channel::<usize>(1);
    let (rows_tx, rows_rx) = std::sync::mpsc::sync_channel::<Result<Vec<Row>, Problem>>(2);
    std::thread::spawn(move || {
        let mut book = match open_xlsx(Cursor::new(bytes.as_slice())) {
            Ok(b) => b,
            Err(p) => {
                let _ = first_tx.send(Err(p));
                return;
            }
        };
        let names = book.sheet_names();
        let (mut sheets, mut spans) = (Vec::new(), Vec::new());
        for name in &names {
            let mut rows = Vec::new();
            let span = each_row(&mut book, name, |row| {
                rows.push(row);
                rows.len() < PREFIX_ROWS
            });
            match span {
                Ok(span) => spans.push(span),
                Err(p) => {
                    let _ = first_tx.send(Err(p));
                    return;
                }
            }
            rows.sort_by_key(|r| r.number);
            sheets.push(Sheet { name: name.clone(), rows, csv: false });
        }
        if first_tx.send(Ok((sheets, spans))).is_err() {
            return;
        }
        let Ok(index) = pick_rx.recv() else { return };
        let Some(name) = names.get(index) else { return };
        let mut batch = Vec::with_capacity(1_000);
        let read = each_row(&mut book, name, |row| {
            batch.push(row);
            // A batch at a time; stop when the reader has gone away.
            batch.len() < 1_000 || rows_tx.send(Ok(std::mem::replace(&mut batch, Vec::with_capacity(1_000)))).is_ok()
        });
        let _ = match read {
            Ok(_) => rows_tx.send(Ok(batch)),
            Err(p) => rows_tx.send(Err(p)),
        };
    });
    let (sheets, spans) = first_rx
        .recv()
        .map_err(|_| Problem::new("读取 Excel 工作簿时出错", "the workbook's reader stopped unexpectedly"))??;
    Ok(XlsxStream { sheets, spans, pick: pick_tx, rows: rows_rx })
}

fn cell_of(d: &DataRef<'_>) -> Cell {
    match d {
        DataRef::Empty => Cell::Empty,
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_string()),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(d) => Cell::Date(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

/// A CSV text (already decoded) as one sheet named `name`: comma-separated, fields quoted with `"` where
/// they hold commas, quotes or line ends; each row numbered by the line its record starts on; blank lines
/// left out. An error names the line the broken record starts on.
pub fn read_csv(name: &str, text: &str) -> Result<Sheet, (usize, Problem)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut fields: Vec<Cell> = Vec::new();
    let mut field = String::new();
    let (mut line, mut start) = (1usize, 1usize);
    let mut quoted = false;
    let mut any = false;
    let mut chars = text.chars().peekable();
    let mut finish = |fields: &mut Vec<Cell>, start: usize| {
        let cells: Vec<Cell> = std::mem::take(fields);
        if cells.iter().any(|c| !c.is_blank()) {
            rows.push(Row { number: start, cells });
        }
    };
    let cell = |s: String| if s.is_empty() { Cell::Empty } else { Cell::Text(s) };
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                quoted = true;
                any = true;
            }
            ',' => {
                fields.push(cell(std::mem::take(&mut field)));
                any = true;
            }
            '\r' => {}
            '\n' => {
                fields.push(cell(std::mem::take(&mut field)));
                if any {
                    finish(&mut fields, start);
                }
                fields.clear();
                line += 1;
                start = line;
                any = false;
            }
            _ => {
                field.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err((
            start,
            Problem::new("引号未闭合（文件可能不完整）", "unbalanced quotes (is the file truncated?)"),
        ));
    }
    if any {
        fields.push(cell(field));
        finish(&mut fields, start);
    }
    Ok(Sheet { name: name.to_string(), rows, csv: true })
}

/// The column letters of a 0-based index: A … Z, AA …
pub fn column_letters(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

/// Full-width ASCII (！ to ～) and the ideographic space made half-width; the Chinese comma and full stop
/// left alone (they are text), except where a number is read.
pub fn halfwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' | '\u{a0}' => ' ',
            c => c,
        })
        .collect()
}

/// How many 元 a unit of money is: 元 1, 万元 10⁴, 亿元 10⁸.
pub fn money_unit(unit: &str) -> Option<f64> {
    match unit.trim() {
        "元" => Some(1.0),
        "千元" => Some(1e3),
        "万元" => Some(1e4),
        "百万元" => Some(1e6),
        "亿元" => Some(1e8),
        _ => None,
    }
}

/// The unit a header names in brackets at its end, as in `营业收入（亿元）` or `tax (万元)`.
pub fn header_unit(header: &str) -> Option<String> {
    let h = halfwidth(header.trim());
    let h = h.trim_end();
    let inner = h.strip_suffix(')').or_else(|| h.strip_suffix(']'))?;
    let open = inner.rfind(['(', '['])?;
    Some(inner[open + 1..].trim().to_string())
}

/// A header without its bracketed unit and spaces: `营业收入（亿元）` → `营业收入`.
pub fn header_name(header: &str) -> String {
    let h = halfwidth(header.trim());
    let base = match header_unit(&h) {
        Some(_) => h.rfind(['(', '[']).map_or(h.as_str(), |i| &h[..i]),
        None => h.as_str(),
    };
    base.chars().filter(|c| !c.is_whitespace() && *c != '*').collect()
}

/// A number as people type it into a cell: a number cell as it is; text with full-width digits, spaces,
/// thousands separators (`1,234.5`, `1，234`), a Chinese full stop as the decimal point, or a trailing
/// `%` (kept as the number before it). A trailing unit of money (`12.5亿元`) is converted into `unit`
/// (the column's unit of money) when both are units of money. Anything else is an error saying why.
pub fn number(cell: &Cell, unit: Option<&str>) -> Result<Option<f64>, Problem> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) if n.is_finite() => Ok(Some(*n)),
        Cell::Number(_) => Err(Problem::new("不是有效数字", "not a valid number")),
        Cell::Date(_) => Err(Problem::new("应为数字，不是日期", "a number is expected, not a date")),
        Cell::Bool(_) => Err(Problem::new("应为数字", "a number is expected")),
        Cell::Error(e) => Err(Problem::new(format!("单元格是公式错误 {e}"), format!("the cell holds the error {e}"))),
        Cell::Text(raw) => {
            let t: String = halfwidth(raw)
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| match c {
                    '。' => '.',
                    '，' => ',',
                    '－' | '−' => '-',
                    c => c,
                })
                .collect();
            if t.is_empty() || t == "-" {
                return Ok(None);
            }
            let (digits, factor) = match ["亿元", "百万元", "千元", "万元", "元"].iter().find(|u| t.ends_with(**u))
            {
                Some(u) => {
                    let written = money_unit(u).unwrap_or(1.0);
                    let column = unit.and_then(money_unit).ok_or_else(|| {
                        Problem::new(
                            format!("“{raw}”带有单位，此列不是金额"),
                            format!("“{raw}” has a unit; this column is not money"),
                        )
                    })?;
                    (&t[..t.len() - u.len()], (written, column))
                }
                None => (t.strip_suffix('%').unwrap_or(&t), (1.0, 1.0)),
            };
            let plain = strip_thousands(digits).ok_or_else(|| not_a_number(raw))?;
            match plain.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v * factor.0 / factor.1)),
                _ => Err(not_a_number(raw)),
            }
        }
    }
}

fn not_a_number(raw: &str) -> Problem {
    Problem::new(format!("“{}”不是数字", raw.trim()), format!("“{}” is not a number", raw.trim()))
}

/// `1,234,567.8` → `1234567.8`; `None` when commas are not in groups of three.
fn strip_thousands(s: &str) -> Option<String> {
    if !s.contains(',') {
        return Some(s.to_string());
    }
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let int = int.strip_prefix('-').map_or((false, int), |r| (true, r));
    let groups: Vec<&str> = int.1.split(',').collect();
    let ok = groups.first().is_some_and(|g| (1..=3).contains(&g.len()))
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    if !ok || frac.is_some_and(|f| f.contains(',')) {
        return None;
    }
    let mut out = String::new();
    if int.0 {
        out.push('-');
    }
    out.push_str(&groups.concat());
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    Some(out)
}

/// A whole number (a year, a count): as [`number`], and it must have no fraction.
pub fn whole(cell: &Cell) -> Result<Option<i64>, Problem> {
    match number(cell, None)? {
        None => Ok(None),
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => Ok(Some(v as i64)),
        Some(_) => Err(Problem::new(
            format!("“{}”不是整数", cell.display()),
            format!("“{}” is not a whole number", cell.display()),
        )),
    }
}

/// A day: a date cell or an Excel serial number (the 1900 date system), or text as `Date::parse` reads it
/// (2025-03-01, 2025/3/1, 2025年3月1日) after full-width characters are made half-width.
pub fn date(cell: &Cell) -> Result<Option<Date>, Problem> {
    let bad = |raw: &str| {
        Problem::new(
            format!("“{raw}”不是日期（应如 2025-03-01）"),
            format!("“{raw}” is not a date (write it as 2025-03-01)"),
        )
    };
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(serial) | Cell::Number(serial) => from_serial(*serial).map(Some).ok_or_else(|| bad(&cell.display())),
        Cell::Text(raw) => {
            let t = halfwidth(raw);
            let t = t.trim();
            if t.is_empty() {
                return Ok(None);
            }
            // "2025-03-01 00:00:00" as some programs write a date.
            let day = t.split_once([' ', 'T']).map_or(t, |(d, _)| d);
            Date::parse(day).map(Some).map_err(|_| bad(raw.trim()))
        }
        _ => Err(bad(&cell.display())),
    }
}

/// The day of an Excel serial number in the 1900 date system (serial 1 is 1900-01-01; Excel counts a
/// 29 February 1900 that never was, so serials from 61 on are one day ahead).
pub fn from_serial(serial: f64) -> Option<Date> {
    if !serial.is_finite() || !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let n = serial.floor() as i64;
    // Days since 1970-01-01: serial 25569 is 1970-01-01.
    let days = if n < 61 { n - 25568 } else { n - 25569 };
    let d = Date::from_days(days);
    Date::new(d.year, d.month, d.day)
}

/// The serial number Excel gives a day (the inverse of [`from_serial`] from 1900-03-01 on).
pub fn to_serial(d: Date) -> f64 {
    (d.days() + 25569) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn numbers_as_people_type_them() {
        assert_eq!(number(&Cell::Number(12.5), None), Ok(Some(12.5)));
        assert_eq!(number(&t("１２３．５"), None), Ok(Some(123.5)));
        assert_eq!(number(&t(" 1,234,567.5 "), None), Ok(Some(1_234_567.5)));
        assert_eq!(number(&t("1，234"), None), Ok(Some(1234.0)));
        assert_eq!(number(&t("12。5"), None), Ok(Some(12.5)));
        assert_eq!(number(&t("45%"), None), Ok(Some(45.0)));
        assert_eq!(number(&t(""), None), Ok(None));
        assert_eq!(number(&t("1.2亿元"), Some("万元")), Ok(Some(12_000.0)));
        assert_eq!(number(&t("3500万元"), Some("亿元")), Ok(Some(0.35)));
        assert!(number(&t("12,34"), None).is_err());
        assert!(number(&t("abc"), None).is_err());
        assert!(number(&t("12亿元"), None).is_err());
        assert!(number(&Cell::Error("#DIV/0!".into()), None).is_err());
    }

    #[test]
    fn whole_numbers_refuse_fractions() {
        assert_eq!(whole(&t("２０２５")), Ok(Some(2025)));
        assert_eq!(whole(&Cell::Number(2025.0)), Ok(Some(2025)));
        assert!(whole(&Cell::Number(2025.5)).is_err());
    }

    #[test]
    fn dates_from_serials_and_text() {
        assert_eq!(date(&Cell::Date(45717.0)), Ok(Date::new(2025, 3, 1)));
        assert_eq!(date(&Cell::Number(1.0)), Ok(Date::new(1900, 1, 1)));
        assert_eq!(date(&Cell::Number(61.0)), Ok(Date::new(1900, 3, 1)));
        assert_eq!(date(&t("２０２５年３月１日")), Ok(Date::new(2025, 3, 1)));
        assert_eq!(date(&t("2025/3/1")), Ok(Date::new(2025, 3, 1)));
        assert_eq!(date(&t("2025-03-01 00:00:00")), Ok(Date::new(2025, 3, 1)));
        assert!(date(&t("2025-02-30")).is_err());
        for d in [Date::new(2025, 3, 1), Date::new(2000, 2, 29), Date::new(1999, 12, 31)].into_iter().flatten() {
            assert_eq!(from_serial(to_serial(d)), Some(d));
        }
    }

    #[test]
    fn headers_with_units() {
        assert_eq!(header_unit("营业收入（亿元）").as_deref(), Some("亿元"));
        assert_eq!(header_unit("tax (万元)").as_deref(), Some("万元"));
        assert_eq!(header_unit("企业名称"), None);
        assert_eq!(header_name("营业收入（亿元）"), "营业收入");
        assert_eq!(header_name(" 统一社会信用代码* "), "统一社会信用代码");
    }

    #[test]
    fn csv_rows_keep_their_line_numbers() {
        let s = read_csv("a.csv", "\u{feff}a,b\r\n\r\n\"x\ny\",2\n,\n3,\"q\"\"\"").unwrap();
        let numbers: Vec<usize> = s.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 3, 6]);
        assert_eq!(s.rows[1].cells[0], t("x\ny"));
        assert_eq!(s.rows[2].cells[1], t("q\""));
        assert!(read_csv("b.csv", "a,\"b\n").is_err());
    }

    #[test]
    fn column_letters_run_past_z() {
        let names: Vec<String> = [0, 25, 26, 27, 51, 52, 701, 702].into_iter().map(column_letters).collect();
        assert_eq!(names, ["A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }
}

/// Any input to the readers gives sheets or an error, never a panic (docs/security.md, "Fuzzing"; the
/// cargo-fuzz targets `import_csv` and `import_xlsx` go further).
#[cfg(test)]
mod any_input {
    use super::*;
    use proptest::prelude::*;

    fn read_cells(sheet: &Sheet) {
        for row in &sheet.rows {
            for cell in &row.cells {
                let _ = (number(cell, None), number(cell, Some("万元")), whole(cell), date(cell), cell.display());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn any_text_is_a_csv_sheet_or_an_error(text in any::<String>()) {
            if let Ok(sheet) = read_csv("t", &text) {
                read_cells(&sheet);
            }
        }

        #[test]
        fn any_csv_of_quotes_and_separators_is_read_or_refused(text in "[\"a,\r\n１２.%元亿万-]{0,64}") {
            if let Ok(sheet) = read_csv("t", &text) {
                read_cells(&sheet);
            }
        }

        #[test]
        fn any_bytes_are_a_workbook_or_an_error(mut bytes in proptest::collection::vec(any::<u8>(), 0..300), zip in any::<bool>()) {
            if zip {
                bytes.splice(0..0, *b"PK\x03\x04");
            }
            if let Ok(sheets) = read_xlsx(&bytes) {
                sheets.iter().for_each(read_cells);
            }
        }
    }
}
