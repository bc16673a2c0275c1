//! Import templates as Excel workbooks, and a filled-in workbook given back with its mistakes marked.
//!
//! Every template has the same layout, on its first sheet:
//!
//! | row | holds |
//! |---|---|
//! | 1 | the title |
//! | 2 | the header block: plan, period, reporting unit, date (label and value pairs) |
//! | 3 | how to fill it in |
//! | 4 | the column headers in Chinese (with their units) |
//! | 5 | hidden: the machine names of the columns (the CSV header), which the import reads |
//! | 6 … | the data |
//!
//! Cells where nothing is to be typed are locked (the sheet is protected without a password, so that
//! nobody types there by mistake); input columns carry validation (lists, number ranges, dates), the
//! panes are frozen below the headers and the columns are as wide as their content.

use std::collections::BTreeMap;

use jiqun_domain::Lang;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign, FormatBorder,
    FormatPattern, Note, ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use crate::sheet::{Cell, Problem, Sheet, column_letters};

/// The 1-based row of the Chinese headers.
pub const LABEL_ROW: usize = 4;
/// The 1-based row of the machine names (hidden).
pub const NAME_ROW: usize = 5;
/// The 1-based row the data start on.
pub const FIRST_DATA_ROW: usize = 6;

/// What a column accepts, checked by Excel as it is typed (the import checks again, with the same rules as
/// the API).
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Any,
    /// One of these (shown as a drop-down list).
    List(Vec<String>),
    Whole {
        min: i32,
        max: i32,
    },
    Decimal {
        min: Option<f64>,
        max: Option<f64>,
    },
    Date,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The machine name (the CSV header).
    pub name: String,
    /// The header people read, without the unit.
    pub label: String,
    /// The unit shown in the header, as in `营业收入（万元）`.
    pub unit: Option<String>,
    pub rule: Rule,
    /// Whether the user types here; other cells are locked.
    pub input: bool,
    /// Whether the cell must be filled in (the header is marked with `*`).
    pub required: bool,
    /// Decimal places shown for numbers.
    pub decimals: Option<u8>,
}

impl Column {
    pub fn new(name: &str, label: &str) -> Column {
        Column {
            name: name.into(),
            label: label.into(),
            unit: None,
            rule: Rule::Any,
            input: true,
            required: false,
            decimals: None,
        }
    }

    pub fn unit(mut self, unit: &str) -> Column {
        self.unit = (!unit.is_empty()).then(|| unit.to_string());
        self
    }

    pub fn rule(mut self, rule: Rule) -> Column {
        self.rule = rule;
        self
    }

    pub fn locked(mut self) -> Column {
        self.input = false;
        self
    }

    pub fn required(mut self) -> Column {
        self.required = true;
        self
    }

    pub fn decimals(mut self, n: u8) -> Column {
        self.decimals = Some(n);
        self
    }

    /// The header as written in row 4: label, unit in brackets, `*` when required.
    pub fn header(&self) -> String {
        let mut h = self.label.clone();
        if let Some(u) = &self.unit {
            h.push_str(&format!("（{u}）"));
        }
        if self.required {
            h.push('*');
        }
        h
    }
}

/// A value written into a template cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The first sheet's name.
    pub sheet: String,
    pub title: String,
    /// The header block: (label, value) pairs such as (计划, …), (期间, 2025Q2), (填报单位, 深圳市), (日期, …).
    pub info: Vec<(String, String)>,
    /// How to fill it in, one line.
    pub note: String,
    pub columns: Vec<Column>,
    /// Rows given in advance (the assignments of a department, the indicators × cities of a period).
    pub rows: Vec<Vec<Value>>,
    /// How many rows take input in all (validation and unlocked cells reach that far); at least
    /// `rows.len()`. A template the user extends (enterprises) gives room for many.
    pub input_rows: usize,
}

fn xlsx_problem(e: XlsxError) -> Problem {
    Problem::new(format!("生成 Excel 文件失败：{e}"), format!("the Excel file could not be written: {e}"))
}

/// Display width of text in Excel's character units: CJK characters count two.
pub fn text_width(s: &str) -> f64 {
    s.chars().map(|c| if (c as u32) < 0x2e80 { 1.0 } else { 2.0 }).sum()
}

/// The template as an .xlsx file.
pub fn write(t: &Template) -> Result<Vec<u8>, Problem> {
    write_inner(t).map_err(xlsx_problem)
}

fn write_inner(t: &Template) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(&t.sheet)?;
    let title = Format::new().set_bold().set_font_size(14);
    let label = Format::new().set_bold().set_font_color(Color::RGB(0x555555));
    let note = Format::new().set_font_color(Color::RGB(0x666666));
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_pattern(FormatPattern::Solid)
        .set_background_color(Color::RGB(0xDDE5F0))
        .set_border(FormatBorder::Thin);
    let machine = Format::new().set_font_color(Color::RGB(0x999999));
    let fixed = Format::new().set_pattern(FormatPattern::Solid).set_background_color(Color::RGB(0xF2F2F2));
    let input = Format::new().set_unlocked();
    let width_of = |c: &Column| -> f64 {
        let content = t
            .rows
            .iter()
            .map(|r| match r.get(t.columns.iter().position(|x| x == c).unwrap_or(0)) {
                Some(Value::Text(s)) => text_width(s),
                Some(Value::Number(n)) => format!("{n}").len() as f64,
                _ => 0.0,
            })
            .fold(0.0, f64::max);
        (text_width(&c.header()).max(content) + 2.0).clamp(8.0, 60.0)
    };

    let last_col = t.columns.len().saturating_sub(1) as u16;
    ws.merge_range(0, 0, 0, last_col.max(3), &t.title, &title)?;
    for (i, (l, v)) in t.info.iter().enumerate() {
        let c = (i * 2) as u16;
        ws.write_string_with_format(1, c, l, &label)?;
        ws.write_string_with_format(1, c + 1, v, &Format::new())?;
    }
    ws.merge_range(2, 0, 2, last_col.max(3), &t.note, &note)?;

    let last_input_row = (FIRST_DATA_ROW - 1 + t.input_rows.max(t.rows.len()).max(1) - 1) as u32;
    for (i, c) in t.columns.iter().enumerate() {
        let col = i as u16;
        ws.set_column_width(col, width_of(c))?;
        ws.write_string_with_format((LABEL_ROW - 1) as u32, col, c.header(), &header)?;
        ws.write_string_with_format((NAME_ROW - 1) as u32, col, &c.name, &machine)?;
        let mut cell = if c.input { input.clone() } else { fixed.clone() };
        if let Some(d) = c.decimals {
            cell = cell.set_num_format(if d == 0 {
                "#,##0".to_string()
            } else {
                format!("#,##0.{}", "0".repeat(d.into()))
            });
        }
        if matches!(c.rule, Rule::Date) {
            cell = cell.set_num_format("yyyy-mm-dd");
        }
        if matches!(c.rule, Rule::Any | Rule::List(_)) && c.decimals.is_none() {
            // Text: a code of digits typed here stays as typed (as a number Excel would keep 15 digits).
            cell = cell.set_num_format("@");
        }
        if c.input {
            // The whole column is open for typing (the header rows carry their own locked formats).
            ws.set_column_format(col, &cell)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let at = (FIRST_DATA_ROW - 1 + r) as u32;
            match row.get(i).unwrap_or(&Value::Empty) {
                Value::Empty if c.input => {}
                Value::Empty => {
                    ws.write_blank(at, col, &cell)?;
                }
                Value::Text(s) => {
                    ws.write_string_with_format(at, col, s, &cell)?;
                }
                Value::Number(n) => {
                    ws.write_number_with_format(at, col, *n, &cell)?;
                }
            }
        }
        if c.input
            && let Some(v) = validation(c)?
        {
            ws.add_data_validation((FIRST_DATA_ROW - 1) as u32, col, last_input_row, col, &v)?;
        }
    }
    ws.set_row_hidden((NAME_ROW - 1) as u32)?;
    ws.set_row_height((LABEL_ROW - 1) as u32, 30)?;
    ws.set_freeze_panes((FIRST_DATA_ROW - 1) as u32, 0)?;
    let options = ProtectionOptions {
        select_locked_cells: true,
        select_unlocked_cells: true,
        format_columns: true,
        format_rows: true,
        insert_rows: true,
        delete_rows: true,
        sort: true,
        use_autofilter: true,
        ..ProtectionOptions::default()
    };
    ws.protect_with_options(&options);
    book.save_to_buffer()
}

fn validation(c: &Column) -> Result<Option<DataValidation>, XlsxError> {
    let v = match &c.rule {
        Rule::Any => return Ok(None),
        Rule::List(items) => DataValidation::new().allow_list_strings(items)?,
        Rule::Whole { min, max } => DataValidation::new().allow_whole_number(DataValidationRule::Between(*min, *max)),
        Rule::Decimal { min: Some(a), max: Some(b) } => {
            DataValidation::new().allow_decimal_number(DataValidationRule::Between(*a, *b))
        }
        Rule::Decimal { min: Some(a), max: None } => {
            DataValidation::new().allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(*a))
        }
        Rule::Decimal { min: None, max: Some(b) } => {
            DataValidation::new().allow_decimal_number(DataValidationRule::LessThanOrEqualTo(*b))
        }
        Rule::Decimal { min: None, max: None } => return Ok(None),
        Rule::Date => DataValidation::new().allow_date(DataValidationRule::Between(
            rust_xlsxwriter::ExcelDateTime::from_ymd(1990, 1, 1)?,
            rust_xlsxwriter::ExcelDateTime::from_ymd(2100, 12, 31)?,
        )),
    };
    let message = match &c.rule {
        Rule::List(items) => format!("请从列表中选择：{}", items.join("、")),
        Rule::Whole { min, max } => format!("请填写 {min} 到 {max} 之间的整数"),
        Rule::Decimal { min: Some(a), max: Some(b) } => format!("请填写 {a} 到 {b} 之间的数字"),
        Rule::Decimal { min: Some(a), .. } => format!("请填写不小于 {a} 的数字"),
        Rule::Decimal { max: Some(b), .. } => format!("请填写不大于 {b} 的数字"),
        Rule::Date => "请填写日期，如 2025-03-01".to_string(),
        _ => String::new(),
    };
    let message: String = message.chars().take(200).collect();
    Ok(Some(
        v.set_error_title(c.label.chars().take(30).collect::<String>())?
            .set_error_message(message)?
            // A warning, not a stop: the import checks every cell anyway, and a stop would refuse a
            // value pasted from elsewhere that the import would read correctly (1,234 as text, say).
            .set_error_style(DataValidationErrorStyle::Warning),
    ))
}

/// A mistake to mark in the workbook given back: a cell (row 1-based as Excel shows it, column
/// 0-based), or a whole row when `column` is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub row: usize,
    pub column: Option<usize>,
    pub message: String,
}

/// The sheet that was read, written back with each marked cell filled red and commented with what is
/// wrong, the machine-name row hidden again, and a second sheet listing every mistake (sheet, cell, value,
/// message). What is given back is the user's own data, not a fresh template: they correct it and send it
/// again.
pub fn annotate(sheet: &Sheet, name_row: Option<usize>, marks: &[Mark], lang: Lang) -> Result<Vec<u8>, Problem> {
    annotate_inner(sheet, name_row, marks, lang).map_err(xlsx_problem)
}

fn annotate_inner(sheet: &Sheet, name_row: Option<usize>, marks: &[Mark], lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let red = Format::new().set_pattern(FormatPattern::Solid).set_background_color(Color::RGB(0xFFC7CE));
    let bold = Format::new().set_bold();
    let mut by_cell: BTreeMap<(usize, usize), Vec<&str>> = BTreeMap::new();
    let mut by_row: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for m in marks {
        match m.column {
            Some(c) => by_cell.entry((m.row, c)).or_default().push(&m.message),
            None => by_row.entry(m.row).or_default().push(&m.message),
        }
    }
    let ws: &mut Worksheet = book.add_worksheet();
    let name: String = sheet.name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    ws.set_name(if name.is_empty() { "Sheet1" } else { &name })?;
    let mut widths: BTreeMap<usize, f64> = BTreeMap::new();
    for row in &sheet.rows {
        let r = (row.number - 1) as u32;
        for (c, cell) in row.cells.iter().enumerate() {
            let marked = by_cell.contains_key(&(row.number, c)) || by_row.contains_key(&row.number);
            let w = widths.entry(c).or_insert(8.0);
            *w = w.max((text_width(&cell.display()) + 2.0).min(60.0));
            let col = c as u16;
            match (cell, marked) {
                (Cell::Empty, true) => ws.write_blank(r, col, &red)?,
                (Cell::Empty, false) => ws,
                (Cell::Number(n), true) => ws.write_number_with_format(r, col, *n, &red)?,
                (Cell::Number(n), false) => ws.write_number(r, col, *n)?,
                (other, true) => ws.write_string_with_format(r, col, other.display(), &red)?,
                (other, false) => ws.write_string(r, col, other.display())?,
            };
        }
    }
    for (c, w) in &widths {
        ws.set_column_width(*c as u16, *w)?;
    }
    let author = lang.pick("集群系统", "Jiqun");
    for ((r, c), messages) in &by_cell {
        let note = Note::new(messages.join("\n")).set_author(author).add_author_prefix(false).set_width(240);
        ws.insert_note((*r - 1) as u32, *c as u16, &note)?;
    }
    for (r, messages) in &by_row {
        let note = Note::new(messages.join("\n")).set_author(author).add_author_prefix(false).set_width(240);
        ws.insert_note((*r - 1) as u32, 0, &note)?;
    }
    if let Some(n) = name_row {
        ws.set_row_hidden((n - 1) as u32)?;
        ws.set_freeze_panes(n as u32, 0)?;
    }

    let list = book.add_worksheet();
    list.set_name(lang.pick("错误清单", "Errors"))?;
    let heads = match lang {
        Lang::Zh => ["工作表", "单元格", "值", "问题"],
        Lang::En => ["Sheet", "Cell", "Value", "Problem"],
    };
    for (i, h) in heads.iter().enumerate() {
        list.write_string_with_format(0, i as u16, *h, &bold)?;
    }
    let value_at =
        |r: usize, c: usize| sheet.rows.iter().find(|x| x.number == r).map(|x| x.get(c).display()).unwrap_or_default();
    let mut sorted: Vec<&Mark> = marks.iter().collect();
    sorted.sort_by_key(|m| (m.row, m.column));
    for (i, m) in sorted.iter().enumerate() {
        let r = (i + 1) as u32;
        let cell = match m.column {
            Some(c) => format!("{}{}", column_letters(c), m.row),
            None => format!("{}", m.row),
        };
        list.write_string(r, 0, &sheet.name)?;
        list.write_string(r, 1, cell)?;
        list.write_string(r, 2, m.column.map(|c| value_at(m.row, c)).unwrap_or_default())?;
        list.write_string(r, 3, &m.message)?;
    }
    list.set_column_width(0, 16)?;
    list.set_column_width(1, 10)?;
    list.set_column_width(2, 24)?;
    list.set_column_width(3, 80)?;
    list.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::{Row, read_xlsx};

    fn template() -> Template {
        Template {
            sheet: "企业".into(),
            title: "企业数据填报模板".into(),
            info: vec![("计划".into(), "示例计划".into()), ("日期".into(), "2026-12-07".into())],
            note: "灰色单元格不可编辑".into(),
            columns: vec![
                Column::new("uscc", "统一社会信用代码").required(),
                Column::new("scale", "规模").rule(Rule::List(vec!["规上".into(), "规下".into()])),
                Column::new("tax_wan", "税收")
                    .unit("万元")
                    .decimals(2)
                    .rule(Rule::Decimal { min: Some(0.0), max: None }),
                Column::new("city", "城市").locked(),
            ],
            rows: vec![vec![Value::Text("X".into()), Value::Empty, Value::Number(12.5), Value::Text("深圳市".into())]],
            input_rows: 50,
        }
    }

    #[test]
    fn a_template_reads_back_with_its_layout() {
        let bytes = write(&template()).unwrap();
        let sheets = read_xlsx(&bytes).unwrap();
        let s = &sheets[0];
        assert_eq!(s.name, "企业");
        let at = |n: usize| s.rows.iter().find(|r| r.number == n).unwrap();
        assert_eq!(at(1).cells[0], Cell::Text("企业数据填报模板".into()));
        assert_eq!(at(LABEL_ROW).cells[2], Cell::Text("税收（万元）".into()));
        assert_eq!(at(LABEL_ROW).cells[0], Cell::Text("统一社会信用代码*".into()));
        assert_eq!(
            at(NAME_ROW).cells.iter().map(Cell::display).collect::<Vec<_>>(),
            ["uscc", "scale", "tax_wan", "city"]
        );
        assert_eq!(at(FIRST_DATA_ROW).cells[2], Cell::Number(12.5));
        // The sheet is protected, the name row hidden, validation present.
        let xml = sheet_xml(&bytes);
        assert!(xml.contains("<sheetProtection"));
        assert!(xml.contains("hidden=\"1\""));
        assert!(xml.contains("<dataValidation") && xml.contains("规上,规下"));
        assert!(xml.contains("<pane"));
    }

    fn sheet_xml(bytes: &[u8]) -> String {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        z.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn mistakes_are_marked_and_listed() {
        let sheet = Sheet {
            name: "企业".into(),
            rows: vec![
                Row { number: 5, cells: vec![Cell::Text("uscc".into()), Cell::Text("tax_wan".into())] },
                Row { number: 6, cells: vec![Cell::Text("bad".into()), Cell::Number(1.0)] },
            ],
            csv: false,
        };
        let marks = [Mark { row: 6, column: Some(0), message: "校验码不符".into() }];
        let bytes = annotate(&sheet, Some(5), &marks, Lang::Zh).unwrap();
        let back = read_xlsx(&bytes).unwrap();
        assert_eq!(back[0].rows[1].cells[0], Cell::Text("bad".into()));
        assert_eq!(back[1].name, "错误清单");
        assert_eq!(
            back[1].rows[1].cells.iter().map(Cell::display).collect::<Vec<_>>(),
            ["企业", "A6", "bad", "校验码不符"]
        );
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
        assert!(z.by_name("xl/comments1.xml").is_ok(), "the marked cell carries a note");
    }
}
