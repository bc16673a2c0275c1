//! Excel templates sent down and filled-in files taken back (`jiqun template`, `jiqun import`,
//! `/api/v1/templates/{kind}`, `/api/v1/imports`, the page `/imports`).
//!
//! Four kinds: enterprises (the registry's CSV columns), observations (indicator × period × city),
//! reports (a department's assignments) and projects (key projects' progress per period). A template is
//! scoped to who downloads it. An import reads the kind from the file's column names, checks every cell
//! with the rules the API applies (the same functions), and writes all or nothing in one transaction,
//! audited with the file's SHA-256. A refused file comes back as a list of mistakes (sheet, row, column,
//! value, what is wrong) and as the same workbook with the bad cells marked.

use std::collections::HashMap;

use jiqun_domain::Lang;
use jiqun_domain::enterprise::METRICS;
use jiqun_domain::period::Period;
use jiqun_domain::region::CityCode;
use jiqun_domain::report::ReportStatus;
use jiqun_office::sheet::{self, Cell, Problem, Row, RowStream, Sheet};
use jiqun_office::template::{self, Column, Mark, Rule, Template, Value};
use jiqun_store::{ImportWrite, ImportedFile, ProjectFilter, ReportInput};
use sha2::Digest;

use crate::project_tracking::{ProgressInput, check_progress};
use crate::{App, AppError, AppResult, Code, Perm, Scope, Session};

jiqun_domain::labelled_enum! {
    /// What a template holds and an import writes.
    pub enum ImportKind {
        Enterprises = "enterprises", "企业数据", "enterprise figures";
        Observations = "observations", "指标数据", "indicator values";
        Reports = "reports", "任务进展报告", "progress reports";
        Projects = "projects", "重点项目进展", "key project progress";
    }
}

impl ImportKind {
    /// The columns the kind cannot do without: a header row holding them names the kind.
    fn required(self) -> &'static [&'static str] {
        match self {
            ImportKind::Enterprises => &["uscc", "name", "city", "scale", "founded_year", "year", "land_mu", "tax_wan"],
            ImportKind::Observations => &["indicator_id", "period", "value"],
            ImportKind::Reports => &["assignment_id", "period", "status", "percent"],
            ImportKind::Projects => {
                &["project_id", "period", "invest_period_wan", "invest_cumulative_wan", "physical_percent"]
            }
        }
    }
}

/// A template file: its suggested name and its bytes.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A place in the file: sheet, row as Excel (or the CSV's line) shows it, column.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub sheet: String,
    pub csv: bool,
    pub row: usize,
    /// 0-based; `None` for the whole row.
    pub column: Option<usize>,
    /// The column's machine name.
    pub name: String,
}

impl Place {
    /// The field an error's detail names: `line:column` for a CSV (as the registry's CSV import always
    /// said), `Sheet!C7` for a workbook.
    pub fn field(&self) -> String {
        match (self.csv, self.column) {
            (true, _) => format!("{}:{}", self.row, self.name),
            (false, Some(c)) => format!("{}!{}{}", self.sheet, sheet::column_letters(c), self.row),
            (false, None) => format!("{}!{}", self.sheet, self.row),
        }
    }

    fn say(&self, lang: Lang) -> String {
        let col = self.column.map(sheet::column_letters);
        match (lang, self.csv) {
            (Lang::Zh, true) if self.name.is_empty() => format!("第 {} 行", self.row),
            (Lang::Zh, true) => format!("第 {} 行“{}”列", self.row, self.name),
            (Lang::En, true) if self.name.is_empty() => format!("line {}", self.row),
            (Lang::En, true) => format!("line {}, column {}", self.row, self.name),
            (Lang::Zh, false) => match col {
                Some(c) => format!("工作表“{}”{c}{}（{}）", self.sheet, self.row, self.name),
                None => format!("工作表“{}”第 {} 行", self.sheet, self.row),
            },
            (Lang::En, false) => match col {
                Some(c) => format!("sheet “{}” cell {c}{} ({})", self.sheet, self.row, self.name),
                None => format!("sheet “{}” row {}", self.sheet, self.row),
            },
        }
    }
}

/// One mistake in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct CellError {
    /// Boxed: errors travel in `Result`s row by row, and the place is the bulk of one.
    pub place: Box<Place>,
    /// The cell's content as the user sees it.
    pub value: String,
    pub zh: String,
    pub en: String,
}

impl CellError {
    pub fn new(place: Place, value: String, zh: impl Into<String>, en: impl Into<String>) -> CellError {
        CellError { place: Box::new(place), value, zh: zh.into(), en: en.into() }
    }

    fn from_app(place: Place, value: String, e: &AppError) -> CellError {
        match e.details.first() {
            Some((_, zh, en)) => CellError::new(place, value, zh.clone(), en.clone()),
            None => CellError::new(place, value, e.message(Lang::Zh), e.message(Lang::En)),
        }
    }

    /// The message with its place, in a language.
    pub fn message(&self, lang: Lang) -> String {
        let what = lang.pick(&self.zh, &self.en);
        format!("{}：{what}", self.place.say(lang)).replace("：", if lang == Lang::En { ": " } else { "：" })
    }
}

/// A file's mistakes as one error: nothing was imported; each mistake a detail.
pub fn refusal(source_name: &str, errors: &[CellError]) -> AppError {
    let n = errors.len();
    let mut err = AppError::new(
        Code::InvalidFile,
        format!("{source_name} 有 {n} 处错误，未导入任何数据"),
        format!("{source_name} has {n} errors; nothing was imported"),
    );
    for e in errors.iter().take(500) {
        err.details.push((e.place.field(), e.message(Lang::Zh), e.message(Lang::En)));
    }
    err
}

pub(crate) fn file_problem(p: Problem) -> AppError {
    let mut e = AppError::new(Code::InvalidFile, p.zh.clone(), p.en.clone());
    e.details.push(("file".into(), p.zh, p.en));
    e
}

/// What an import is doing, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Rows checked so far of all.
    Check,
    /// Writing the checked rows in one transaction (0 of n before, n of n after).
    Write,
}

/// Where an import reports its progress (`jiqun import` draws a bar with it).
#[derive(Clone, Default)]
pub struct Progress(Option<std::sync::Arc<Tick>>);

/// A progress report: the stage, how much is done, of how much.
type Tick = dyn Fn(Stage, usize, usize) + Send + Sync;

impl Progress {
    pub fn new(f: impl Fn(Stage, usize, usize) + Send + Sync + 'static) -> Progress {
        Progress(Some(std::sync::Arc::new(f)))
    }

    pub fn tick(&self, stage: Stage, done: usize, total: usize) {
        if let Some(f) = &self.0 {
            f(stage, done, total);
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Progress(on)" } else { "Progress(off)" })
    }
}

/// The sheet of a file that holds a kind's columns, with the columns named.
#[derive(Debug, Clone)]
pub struct Located {
    pub kind: ImportKind,
    pub sheet: Sheet,
    /// The row of machine names (or, without one, of the headers).
    pub header_row: usize,
    /// The hidden row of machine names of a template, when there is one.
    pub name_row: Option<usize>,
    /// Each column's machine name (`None`: a column the kind does not know, or empty).
    pub names: Vec<Option<String>>,
    /// Each column's unit as its header names it (`营业收入（亿元）`).
    pub units: Vec<Option<String>>,
    /// The encoding a CSV was read in.
    pub encoding: &'static str,
    pub sha256: String,
    pub progress: Progress,
}

impl Located {
    /// Reports a row checked, every 1,000 rows and at the last.
    pub fn checked(&self, n: usize, total: usize) {
        if n.is_multiple_of(1000) || n == total {
            self.progress.tick(Stage::Check, n, total);
        }
    }

    /// How many data rows there are.
    pub fn count(&self) -> usize {
        self.rows().count()
    }

    pub fn col(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n.as_deref() == Some(name))
    }

    /// The data rows: every non-blank row below the header.
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.sheet.rows.iter().filter(move |r| self.is_data(r))
    }

    /// Whether a row is a data row: below the header and not blank.
    pub fn is_data(&self, row: &Row) -> bool {
        row.number > self.header_row && !row.is_blank()
    }

    /// Reads the rows of the sheet not yet read (`locate_streamed`) into it.
    pub fn read_rest(&mut self, rest: Option<RowStream>) -> AppResult<()> {
        if let Some(mut rest) = rest {
            while let Some(batch) = rest.next_batch() {
                self.sheet.rows.extend(batch.map_err(file_problem)?);
            }
        }
        Ok(())
    }

    pub fn cell<'a>(&self, row: &'a Row, name: &str) -> &'a Cell {
        self.col(name).map_or(&Cell::Empty, |c| row.get(c))
    }

    pub fn text(&self, row: &Row, name: &str) -> String {
        self.cell(row, name).text()
    }

    pub fn place(&self, row: &Row, name: &str) -> Place {
        self.place_at(row.number, self.col(name), name)
    }

    /// A place on the located sheet by row number and column.
    pub fn place_at(&self, row: usize, column: Option<usize>, name: &str) -> Place {
        Place { sheet: self.sheet.name.clone(), csv: self.sheet.csv, row, column, name: name.to_string() }
    }

    /// An error at a cell, with the cell's content.
    pub fn error(&self, row: &Row, name: &str, zh: impl Into<String>, en: impl Into<String>) -> CellError {
        CellError::new(self.place(row, name), self.cell(row, name).display(), zh, en)
    }

    /// A use case's refusal of a row, placed at the cell of the field it names.
    pub fn app_error(&self, row: &Row, e: &AppError) -> CellError {
        let field = e.details.first().map(|d| d.0.clone()).unwrap_or_default();
        let name = if self.col(&field).is_some() { field } else { String::new() };
        let value = if name.is_empty() { String::new() } else { self.cell(row, &name).display() };
        let mut place = self.place(row, &name);
        if name.is_empty() {
            place.column = None;
        }
        CellError::from_app(place, value, e)
    }

    /// A number in a column, converted from the unit its header names to `unit` when both are units of
    /// money.
    pub fn number(&self, row: &Row, name: &str, unit: Option<&str>) -> Result<Option<f64>, CellError> {
        let cell = self.cell(row, name);
        let problem = |p: Problem| CellError::new(self.place(row, name), cell.display(), p.zh, p.en);
        let written = self.col(name).and_then(|c| self.units.get(c)?.as_deref());
        let factor = match (written.and_then(sheet::money_unit), unit.and_then(sheet::money_unit)) {
            (Some(w), Some(u)) => (w, u),
            _ => (1.0, 1.0),
        };
        // A cell that names its own unit (`1.2亿元`) is converted by that, not again by the header's.
        let own_unit = matches!(cell, Cell::Text(t) if t.trim_end().ends_with('元'));
        let factor = if own_unit { (1.0, 1.0) } else { factor };
        sheet::number(cell, unit).map(|v| v.map(|v| v * factor.0 / factor.1)).map_err(problem)
    }

    pub fn whole(&self, row: &Row, name: &str) -> Result<Option<i64>, CellError> {
        let cell = self.cell(row, name);
        sheet::whole(cell).map_err(|p| CellError::new(self.place(row, name), cell.display(), p.zh, p.en))
    }

    /// A row whose key an earlier row had: an error at `column` naming that row; else the key is noted.
    fn repeated(
        &self,
        seen: &mut HashMap<(i64, String, String), usize>,
        key: (i64, String, String),
        row: &Row,
        column: &str,
    ) -> Option<CellError> {
        let first = seen.insert(key, row.number)?;
        Some(self.error(row, column, format!("与第 {first} 行重复"), format!("duplicate of row {first}")))
    }

    fn required_number(&self, row: &Row, name: &str, unit: Option<&str>) -> Result<f64, CellError> {
        self.number(row, name, unit)?.ok_or_else(|| self.error(row, name, "不能为空", "must not be empty"))
    }
}

/// The columns every kind knows, for finding a header row and reading Chinese headers.
fn known_columns() -> Vec<(ImportKind, Column)> {
    let mut out = Vec::new();
    for kind in ImportKind::ALL {
        for c in columns(kind) {
            out.push((kind, c));
        }
    }
    out
}

/// Reads a file (an .xlsx, or a CSV in UTF-8 or GB18030) and finds the sheet and row holding a kind's
/// columns: a row of machine names (the template's hidden row, or a CSV's header), else a row of the
/// template's Chinese headers. Extra sheets and rows above are passed over; merged cells above the header
/// do not matter.
pub fn locate(bytes: &[u8], source_name: &str, want: Option<ImportKind>) -> AppResult<Located> {
    let (mut located, rest) = locate_streamed(bytes, source_name, want)?;
    located.read_rest(rest)?;
    Ok(located)
}

/// `locate`, with an .xlsx read on a thread of its own: the header is found in the first rows of its
/// sheets, and the located sheet's other rows come after, as they are read (`RowStream`), so that they
/// can be checked and stored while the rest of the workbook is still being parsed. A CSV is read whole
/// (no stream).
pub fn locate_streamed(
    bytes: &[u8],
    source_name: &str,
    want: Option<ImportKind>,
) -> AppResult<(Located, Option<RowStream>)> {
    let sha256 = hex::encode(sha2::Sha256::digest(bytes));
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(file_problem(Problem::new(
            "这是旧版 Excel 文件（.xls），请在 Excel 中另存为 .xlsx 后上传",
            "this is an old Excel file (.xls); save it as .xlsx in Excel and upload that",
        )));
    }
    if sheet::is_zip(bytes) {
        let stream = sheet::stream_xlsx(bytes.to_vec()).map_err(file_problem)?;
        let (located, index) = find_header(stream.sheets.clone(), "xlsx", sha256, source_name, want)?;
        return Ok((located, Some(stream.rest(index))));
    }
    let (sheets, encoding) = {
        let (text, encoding) = jiqun_compiler::input::decode_text(bytes)
            .map_err(|e| file_problem(Problem::new(e.message(Lang::Zh), e.message(Lang::En))))?;
        let name = if source_name.is_empty() { "CSV".to_string() } else { source_name.to_string() };
        let sheet = sheet::read_csv(&name, &text).map_err(|(line, p)| {
            let at = Place { sheet: name.clone(), csv: true, row: line, column: None, name: String::new() };
            refusal(source_name, &[CellError::new(at, String::new(), p.zh, p.en)])
        })?;
        (vec![sheet], encoding)
    };
    Ok((find_header(sheets, encoding, sha256, source_name, want)?.0, None))
}

/// The sheet and row holding a kind's columns (see `locate`), with the sheet's index.
fn find_header(
    sheets: Vec<Sheet>,
    encoding: &'static str,
    sha256: String,
    source_name: &str,
    want: Option<ImportKind>,
) -> AppResult<(Located, usize)> {
    let known = known_columns();
    let by_label: HashMap<String, &str> =
        known.iter().map(|(_, c)| (sheet::header_name(&c.label), c.name.as_str())).collect();
    // Machine names first, anywhere in the first rows of any sheet (a template's hidden row lies under
    // its Chinese headers); only a file without them is read by its Chinese headers.
    for by_labels in [false, true] {
        for si in 0..sheets.len() {
            let s = &sheets[si];
            for (i, row) in s.rows.iter().take(30).enumerate() {
                let machine: Vec<Option<String>> = row
                    .cells
                    .iter()
                    .map(|c| {
                        let t = c.text().to_ascii_lowercase();
                        known.iter().any(|(_, k)| k.name == t).then_some(t)
                    })
                    .collect();
                let labelled: Vec<Option<String>> = row
                    .cells
                    .iter()
                    .map(|c| by_label.get(&sheet::header_name(&c.text())).map(|n| n.to_string()))
                    .collect();
                let (names, label_row) = if !by_labels && machine.iter().flatten().count() >= 2 {
                    let above = i.checked_sub(1).map(|j| &s.rows[j]).filter(|r| r.number + 1 == row.number);
                    (machine, above)
                } else if by_labels && labelled.iter().flatten().count() >= 2 {
                    (labelled, Some(row))
                } else {
                    continue;
                };
                let present: Vec<&str> = names.iter().flatten().map(String::as_str).collect();
                let kind = match want {
                    Some(k) => k,
                    None => {
                        let best = ImportKind::ALL
                            .into_iter()
                            .max_by_key(|k| k.required().iter().filter(|r| present.contains(r)).count());
                        let Some(best) = best else { continue };
                        best
                    }
                };
                let missing: Vec<&str> = kind.required().iter().copied().filter(|r| !present.contains(r)).collect();
                if !missing.is_empty() {
                    let at =
                        Place { sheet: s.name.clone(), csv: s.csv, row: row.number, column: None, name: String::new() };
                    let list = missing.join(", ");
                    return Err(refusal(
                        source_name,
                        &[CellError::new(
                            at,
                            String::new(),
                            format!("缺少“{list}”列（{}模板的列）", kind.label(Lang::Zh)),
                            format!(
                                "the column(s) “{list}” are missing (columns of the {} template)",
                                kind.label(Lang::En)
                            ),
                        )],
                    ));
                }
                let units =
                    (0..names.len()).map(|c| label_row.and_then(|r| sheet::header_unit(&r.get(c).text()))).collect();
                let name_row = (!s.csv && label_row.is_some_and(|r| r.number != row.number)).then_some(row.number);
                let mut located = Located {
                    kind,
                    // Moved in below, once nothing borrows the sheets: a sheet of many rows is not copied.
                    sheet: Sheet::default(),
                    header_row: row.number,
                    name_row,
                    names,
                    units,
                    encoding,
                    sha256,
                    progress: Progress::default(),
                };
                let mut sheets = sheets;
                located.sheet = sheets.swap_remove(si);
                return Ok((located, si));
            }
        }
    }
    let expected = want.map_or_else(
        || "uscc, name … / indicator_id, period, value … / assignment_id … / project_id …".to_string(),
        |k| k.required().join(", "),
    );
    Err(file_problem(Problem::new(
        format!("找不到表头：文件中没有模板的列名（{expected}），请用系统下载的模板或同样列名的 CSV"),
        format!(
            "no header found: the file has none of the template's column names ({expected}); use a template from Jiqun or a CSV with the same columns"
        ),
    )))
}

fn city_names() -> Vec<String> {
    CityCode::ALL.iter().map(|c| c.as_str().to_string()).collect()
}

/// A template of the built-in plan, for `jiqun template` without a database: the plan is compiled into a
/// scratch database that is removed afterwards. Enterprise, observation and report templates are whole;
/// a projects template has no rows (projects live in a database).
pub async fn template_of_builtin_plan(kind: ImportKind, period: Option<&str>, lang: Lang) -> AppResult<TemplateFile> {
    let dir = std::env::temp_dir().join(format!("jiqun-template-{}-{}", std::process::id(), crate::input::today()));
    std::fs::create_dir_all(&dir).map_err(|e| AppError::io(&dir, true, &e))?;
    let result = async {
        let db = format!("sqlite://{}", dir.join("plan.db").display());
        let app = App::open_keyed(&db, &dir.join("plan.keys")).await?;
        let plan = jiqun_compiler::builtin(&jiqun_compiler::Options::default());
        app.store.insert_plan(&plan, "内置计划", &jiqun_store::Actor::system("jiqun template")).await?;
        app.template(&crate::operations::operator_session("命令行：jiqun template"), kind, None, period, lang).await
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// A template of a kind without rows or header values (a synthetic data set fills it).
pub fn blank_template(kind: ImportKind) -> (ImportKind, Template) {
    let t = Template {
        sheet: kind.label(Lang::Zh).to_string(),
        title: String::new(),
        info: Vec::new(),
        note: String::new(),
        columns: columns(kind),
        rows: Vec::new(),
        input_rows: 0,
    };
    (kind, t)
}

/// A kind's columns, in the template's order.
fn columns(kind: ImportKind) -> Vec<Column> {
    let yes_no = Rule::List(vec!["是".into(), "否".into()]);
    match kind {
        ImportKind::Enterprises => {
            let mut v = vec![
                Column::new("uscc", "统一社会信用代码").required(),
                Column::new("name", "企业名称").required(),
                Column::new("city", "城市").required().rule(Rule::List(city_names())),
                Column::new("county", "县（市、区）"),
                Column::new("industry", "行业代码"),
                Column::new("scale", "规模").required().rule(Rule::List(vec!["规上".into(), "规下".into()])),
                Column::new("founded_year", "成立年份").required().rule(Rule::Whole { min: 1900, max: 2100 }),
                Column::new("listed", "是否上市").rule(yes_no),
                Column::new("chain_nodes", "产业链环节（以;分隔）"),
                Column::new("tags", "标签（以;分隔）"),
                Column::new("year", "数据年份").required().rule(Rule::Whole { min: 1990, max: 2100 }),
            ];
            for m in METRICS {
                let rule = if m.flag {
                    Rule::List(vec!["是".into(), "否".into()])
                } else if m.percent {
                    Rule::Decimal { min: if m.signed { None } else { Some(0.0) }, max: Some(100.0) }
                } else {
                    Rule::Decimal { min: if m.signed { None } else { Some(0.0) }, max: None }
                };
                let mut c = Column::new(m.key, m.zh).unit(m.unit_zh).rule(rule).decimals(2);
                if m.key == "land_mu" || m.key == "tax_wan" {
                    c = c.required();
                }
                v.push(c);
            }
            v.push(Column::new("source", "数据来源"));
            v
        }
        ImportKind::Observations => vec![
            Column::new("indicator_id", "指标编号").locked().required(),
            Column::new("indicator", "指标名称").locked(),
            Column::new("unit", "单位").locked(),
            Column::new("city", "地区（空为全省）").locked(),
            Column::new("period", "期别").required(),
            Column::new("value", "数值").required().rule(Rule::Decimal { min: None, max: None }),
            Column::new("source", "数据来源"),
        ],
        ImportKind::Reports => vec![
            Column::new("assignment_id", "任务分工编号").locked().required(),
            Column::new("item", "条目").locked(),
            Column::new("title", "任务").locked(),
            Column::new("agency", "责任单位").locked(),
            Column::new("role", "牵头/配合").locked(),
            Column::new("period", "期别").required(),
            Column::new("status", "进展状态")
                .required()
                .rule(Rule::List(ReportStatus::ALL.iter().map(|s| s.label(Lang::Zh).to_string()).collect())),
            Column::new("percent", "完成比例")
                .unit("%")
                .required()
                .rule(Rule::Decimal { min: Some(0.0), max: Some(100.0) }),
            Column::new("narrative", "工作进展"),
            Column::new("problems", "存在问题"),
            Column::new("help_needed", "需协调事项"),
            Column::new("submit", "是否提交审核").rule(Rule::List(vec!["是".into(), "否".into()])),
        ],
        ImportKind::Projects => vec![
            Column::new("project_id", "项目编号").locked().required(),
            Column::new("project", "项目名称").locked(),
            Column::new("city", "城市").locked(),
            Column::new("period", "期别").required(),
            Column::new("invest_period_wan", "本期完成投资")
                .unit("万元")
                .required()
                .decimals(2)
                .rule(Rule::Decimal { min: Some(0.0), max: None }),
            Column::new("invest_cumulative_wan", "累计完成投资")
                .unit("万元")
                .required()
                .decimals(2)
                .rule(Rule::Decimal { min: Some(0.0), max: None }),
            Column::new("physical_percent", "形象进度")
                .unit("%")
                .required()
                .rule(Rule::Decimal { min: Some(0.0), max: Some(100.0) }),
            Column::new("narrative", "进展情况").required(),
        ],
    }
}

/// The period a template suggests for a frequency: the one under way today.
fn current_period(frequency: &str) -> Period {
    let (y, m, _) = crate::snapshot::today_in_china();
    match frequency {
        "monthly" => Period::Month(y, m),
        "quarterly" => Period::Quarter(y, (m - 1) / 3 + 1),
        _ => Period::Year(y),
    }
}

/// Whether a session imports or downloads with every scope (the operator's session does).
fn scoped_city(session: &Session, perm: Perm) -> AppResult<Option<CityCode>> {
    let scopes = session.roles.scopes(&session.user, perm);
    if scopes.contains(&Scope::All) {
        Ok(None)
    } else if scopes.contains(&Scope::OwnCity) && session.user.city.is_some() {
        Ok(session.user.city)
    } else {
        Err(AppError::forbidden())
    }
}

impl App {
    /// A template for a kind, scoped to who downloads it: a city bureau gets its city's rows, a
    /// department its own assignments, an enterprise its own projects.
    pub async fn template(
        &self,
        session: &Session,
        kind: ImportKind,
        plan_id: Option<i64>,
        period: Option<&str>,
        lang: Lang,
    ) -> AppResult<TemplateFile> {
        let period =
            period.filter(|p| !p.trim().is_empty()).map(|p| crate::input::parse_period("period", p)).transpose()?;
        let plans = self.store.plans().await?;
        let plan = match plan_id {
            Some(id) => plans
                .iter()
                .find(|p| p.id == id)
                .ok_or_else(|| AppError::not_found(format!("计划 {id} 不存在"), format!("no plan {id}")))?,
            None => plans.first().ok_or_else(|| AppError::not_found("尚无计划", "there is no plan yet"))?,
        };
        let unit = match (&session.user.agency, session.user.city) {
            (Some(a), _) => a.as_str().to_string(),
            (None, Some(c)) => format!("{}市", c.as_str()),
            (None, None) => lang.pick("（请填写）", "(fill in)").to_string(),
        };
        let today = crate::input::today().to_string();
        let mut rows: Vec<Vec<Value>> = Vec::new();
        let mut input_rows = 0;
        let text = |s: &str| Value::Text(s.to_string());
        let period_text = |p: Option<Period>, freq: &str| p.unwrap_or_else(|| current_period(freq)).to_string();
        let note = match kind {
            ImportKind::Enterprises => {
                let city = scoped_city(session, Perm::EditEnterprise)?;
                input_rows = 2000;
                if let Some(c) = city {
                    rows.push(vec![Value::Empty, Value::Empty, text(c.as_str())]);
                }
                "每行一家企业、一个年份的数据；第 5 行（隐藏）是列名，请勿改动；带 * 的列必填；金额单位见表头，可在表头改为“亿元”等。"
            }
            ImportKind::Observations => {
                let city = match session.roles.scopes(&session.user, Perm::AddObservation) {
                    s if s.contains(&Scope::All) => None,
                    s if s.contains(&Scope::OwnCity) && session.user.city.is_some() => session.user.city,
                    _ => return Err(AppError::forbidden()),
                };
                for ind in self.store.indicators(plan.id).await? {
                    if ind.derived_from.is_some() {
                        continue;
                    }
                    let p = period_text(period, &ind.frequency);
                    let regions: Vec<String> = match city {
                        Some(c) => vec![c.as_str().to_string()],
                        None if ind.by_city => std::iter::once(String::new()).chain(city_names()).collect(),
                        None => vec![String::new()],
                    };
                    for r in regions {
                        rows.push(vec![
                            Value::Number(ind.id as f64),
                            text(&ind.name),
                            text(&ind.unit),
                            text(&r),
                            text(&p),
                            Value::Empty,
                            Value::Empty,
                        ]);
                    }
                }
                "每行一个指标、一个地区、一个期别的数值，按“单位”列的单位填写；只需填写“数值”和“数据来源”，空行不导入。"
            }
            ImportKind::Reports => {
                let agency = match session.roles.scopes(&session.user, Perm::FileReport) {
                    s if s.contains(&Scope::All) => None,
                    s if s.contains(&Scope::OwnAgency) && session.user.agency.is_some() => session.user.agency.clone(),
                    _ => return Err(AppError::forbidden()),
                };
                let rounds = self.store.rounds(plan.id).await?;
                let open = period.map(|p| p.to_string()).or_else(|| rounds.last().map(|r| r.period.clone()));
                for a in self.store.assignments(Some(plan.id), agency.as_ref()).await? {
                    rows.push(vec![
                        Value::Number(a.id as f64),
                        text(&a.item),
                        text(&a.item_title),
                        text(a.agency.as_str()),
                        text(if a.role == "lead" { "牵头" } else { "配合" }),
                        text(&open.clone().unwrap_or_else(|| period_text(None, "quarterly"))),
                        Value::Empty,
                        Value::Empty,
                        Value::Empty,
                        Value::Empty,
                        Value::Empty,
                        text("否"),
                    ]);
                }
                "每行一项任务分工；填写进展状态、完成比例和工作进展；“是否提交审核”填“是”即提交，否则存为草稿；进展状态不填的行不导入。"
            }
            ImportKind::Projects => {
                if session.roles.scopes(&session.user, Perm::ReportProject).is_empty() {
                    return Err(AppError::forbidden());
                }
                let views = self.projects(session, &ProjectFilter::default(), lang).await?;
                let mut mine = Vec::new();
                for v in views {
                    if self.may_report_project(session, v.id).await.unwrap_or(false) {
                        mine.push(v);
                    }
                }

                for v in mine {
                    rows.push(vec![
                        Value::Number(v.id as f64),
                        text(&v.name),
                        text(&v.city),
                        text(&period_text(period, "quarterly")),
                        Value::Empty,
                        Value::Empty,
                        Value::Empty,
                        Value::Empty,
                    ]);
                }
                "每行一个项目一个期别的进展；投资单位为万元（可在表头改为“亿元”）；累计完成投资不得少于本期和以前已审核的累计数；进度不填的行不导入。"
            }
        };
        let cols = columns(kind);
        let t = Template {
            sheet: kind.label(Lang::Zh).to_string(),
            title: format!("{} · {}填报模板", plan.name, kind.label(Lang::Zh)),
            info: vec![
                ("计划".into(), plan.name.clone()),
                ("期间".into(), period.map_or_else(|| "见“期别”列".to_string(), |p| p.to_string())),
                ("填报单位".into(), unit),
                ("日期".into(), today.clone()),
            ],
            note: note.to_string(),
            columns: cols,
            input_rows: input_rows.max(rows.len()),
            rows,
        };
        let bytes = template::write(&t).map_err(|p| AppError::new(Code::Internal, p.zh, p.en))?;
        Ok(TemplateFile { file_name: format!("{}-template-{today}.xlsx", kind.as_str()), bytes })
    }

    /// Imports a filled-in template or a CSV of the same columns: the kind is read from the file. All or
    /// nothing. A refused file is an `invalid_file` error whose details place each mistake.
    pub async fn import_file(
        &self,
        session: &Session,
        bytes: &[u8],
        source_name: &str,
        ip: &str,
    ) -> AppResult<ImportSummary> {
        self.import_file_with_progress(session, bytes, source_name, ip, Progress::default()).await
    }

    /// `import_file`, reporting its progress as it checks and writes.
    pub async fn import_file_with_progress(
        &self,
        session: &Session,
        bytes: &[u8],
        source_name: &str,
        ip: &str,
        progress: Progress,
    ) -> AppResult<ImportSummary> {
        let (mut located, rest) = locate_streamed(bytes, source_name, None)?;
        located.progress = progress;
        self.import_located(session, located, rest, source_name, ip).await
    }

    /// The file given back with its mistakes marked (an .xlsx), or `None` when it has none that a check
    /// before writing finds. Writes nothing.
    pub async fn import_annotated(
        &self,
        session: &Session,
        bytes: &[u8],
        source_name: &str,
        lang: Lang,
    ) -> AppResult<Option<Vec<u8>>> {
        let located = locate(bytes, source_name, None)?;
        let errors = match located.kind {
            ImportKind::Enterprises => self.check_enterprise_table(session, &located).await?.err().unwrap_or_default(),
            _ => self.check_writes(session, &located).await?.err().unwrap_or_default(),
        };
        if errors.is_empty() {
            return Ok(None);
        }
        let marks: Vec<Mark> = errors
            .iter()
            .map(|e| Mark { row: e.place.row, column: e.place.column, message: lang.pick(&e.zh, &e.en).to_string() })
            .collect();
        template::annotate(&located.sheet, located.name_row, &marks, lang)
            .map(Some)
            .map_err(|p| AppError::new(Code::Internal, p.zh, p.en))
    }

    /// Imports a located file; `rest`, the rows of its sheet not yet read (`locate_streamed`).
    pub(crate) async fn import_located(
        &self,
        session: &Session,
        mut located: Located,
        rest: Option<RowStream>,
        source_name: &str,
        ip: &str,
    ) -> AppResult<ImportSummary> {
        if located.kind == ImportKind::Enterprises {
            let out = self.import_enterprise_table(session, &located, rest, source_name, ip).await?;
            return Ok(ImportSummary {
                kind: ImportKind::Enterprises,
                rows: out.created + out.updated,
                created: out.created,
                updated: out.updated,
                figures: out.figures,
                sha256: located.sha256.clone(),
            });
        }
        located.read_rest(rest)?;
        let writes = match self.check_writes(session, &located).await? {
            Ok(w) => w,
            Err(errors) => return Err(refusal(source_name, &errors)),
        };
        if writes.is_empty() {
            return Err(file_problem(Problem::new("文件中没有填写任何数据行", "the file has no filled-in rows")));
        }
        let file = ImportedFile {
            kind: located.kind.as_str().to_string(),
            name: source_name.chars().take(200).collect(),
            sha256: located.sha256.clone(),
            rows: writes.len(),
        };
        located.progress.tick(Stage::Write, 0, writes.len());
        self.store.import_writes(&writes, &file, &session.actor(ip)).await?;
        located.progress.tick(Stage::Write, writes.len(), writes.len());
        Ok(ImportSummary {
            kind: located.kind,
            rows: writes.len(),
            created: writes.len(),
            updated: 0,
            figures: 0,
            sha256: located.sha256,
        })
    }

    /// Every row of an observations, reports or projects file checked with the use cases' own rules:
    /// the writes, or every mistake.
    async fn check_writes(
        &self,
        session: &Session,
        l: &Located,
    ) -> AppResult<Result<Vec<ImportWrite>, Vec<CellError>>> {
        let mut errors = Vec::new();
        let mut writes = Vec::new();
        let mut seen: HashMap<(i64, String, String), usize> = HashMap::new();
        let total = l.count();
        for (n, row) in l.rows().enumerate() {
            l.checked(n + 1, total);
            let id = match l.whole(row, l.kind.required()[0]) {
                Ok(Some(id)) => id,
                Ok(None) => {
                    errors.push(l.error(row, l.kind.required()[0], "不能为空", "must not be empty"));
                    continue;
                }
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let period = l.text(row, "period");
            match l.kind {
                ImportKind::Observations => {
                    let value = match l.number(row, "value", None) {
                        Ok(Some(v)) => v,
                        Ok(None) => continue, // a row left empty is not imported
                        Err(e) => {
                            errors.push(e);
                            continue;
                        }
                    };
                    let region = l.text(row, "city");
                    let region = if region.is_empty() || region == "全省" {
                        String::new()
                    } else {
                        match CityCode::from_name(&region) {
                            Ok(c) => c.as_str().to_string(),
                            Err(e) => {
                                errors.push(l.error(row, "city", e.message(Lang::Zh), e.message(Lang::En)));
                                continue;
                            }
                        }
                    };
                    if let Some(e) = l.repeated(&mut seen, (id, period.clone(), region.clone()), row, "value") {
                        errors.push(e);
                        continue;
                    }
                    let source = l.text(row, "source");
                    match self.check_observation(session, id, &period, value, Some(&region), Some(&source)).await {
                        Ok((period, region, source)) => {
                            writes.push(ImportWrite::Observation { indicator_id: id, period, region, value, source })
                        }
                        Err(e) if e.code == Code::Forbidden => errors.push(l.error(
                            row,
                            "city",
                            "无权填报此地区的数据",
                            "you may not enter values for this region",
                        )),
                        Err(e) => errors.push(l.app_error(row, &e)),
                    }
                }
                ImportKind::Reports => {
                    let status_text = l.text(row, "status");
                    if status_text.is_empty() {
                        continue;
                    }
                    let Some(status) = ReportStatus::from_text(&status_text) else {
                        let list: Vec<&str> = ReportStatus::ALL.iter().map(|s| s.label(Lang::Zh)).collect();
                        errors.push(l.error(
                            row,
                            "status",
                            format!("进展状态应为 {}", list.join("、")),
                            format!("the status is one of {}", ReportStatus::ALL.map(|s| s.as_str()).join(", ")),
                        ));
                        continue;
                    };
                    let percent = match l.required_number(row, "percent", None) {
                        Ok(v) => v,
                        Err(e) => {
                            errors.push(e);
                            continue;
                        }
                    };
                    let submit = match l.text(row, "submit").as_str() {
                        "" | "否" | "no" | "0" | "false" => false,
                        "是" | "yes" | "1" | "true" => true,
                        _ => {
                            errors.push(l.error(row, "submit", "应填“是”或“否”", "yes or no"));
                            continue;
                        }
                    };
                    if let Some(e) = l.repeated(&mut seen, (id, period.clone(), String::new()), row, "period") {
                        errors.push(e);
                        continue;
                    }
                    let input = ReportInput {
                        period,
                        status: status.as_str().to_string(),
                        percent,
                        narrative: l.text(row, "narrative"),
                        problems: l.text(row, "problems"),
                        help_needed: l.text(row, "help_needed"),
                        submit,
                        based_on: None,
                    };
                    match self.check_report(session, id, &input).await {
                        Ok(input) => writes.push(ImportWrite::Report { assignment_id: id, input }),
                        Err(e) if e.code == Code::Forbidden || e.code == Code::NotFound => errors.push(l.error(
                            row,
                            "assignment_id",
                            "无权填报此任务分工（或不存在）",
                            "you may not report on this assignment (or it does not exist)",
                        )),
                        Err(e) => errors.push(l.app_error(row, &e)),
                    }
                }
                ImportKind::Projects => {
                    if l.cell(row, "physical_percent").is_blank() && l.cell(row, "invest_period_wan").is_blank() {
                        continue;
                    }
                    let figures = (
                        l.required_number(row, "invest_period_wan", Some("万元")),
                        l.required_number(row, "invest_cumulative_wan", Some("万元")),
                        l.required_number(row, "physical_percent", None),
                    );
                    let (invest_period_wan, invest_cumulative_wan, physical_percent) = match figures {
                        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
                        (a, b, c) => {
                            errors.extend([a.err(), b.err(), c.err()].into_iter().flatten());
                            continue;
                        }
                    };
                    if let Some(e) = l.repeated(&mut seen, (id, period.clone(), String::new()), row, "period") {
                        errors.push(e);
                        continue;
                    }
                    let input = ProgressInput {
                        period,
                        invest_period_wan,
                        invest_cumulative_wan,
                        physical_percent,
                        narrative: l.text(row, "narrative"),
                    };
                    let allowed = self.may_report_project(session, id).await;
                    match (allowed, check_progress(&input)) {
                        (Ok(true), Ok(progress)) => writes.push(ImportWrite::Progress { project_id: id, progress }),
                        (Ok(true), Err(e)) => errors.extend(split_fields(l, row, &e)),
                        _ => errors.push(l.error(
                            row,
                            "project_id",
                            "无权填报此项目（或项目不存在）",
                            "you may not report on this project (or it does not exist)",
                        )),
                    }
                }
                ImportKind::Enterprises => {}
            }
        }
        Ok(if errors.is_empty() { Ok(writes) } else { Err(errors) })
    }
}

/// A use case's error with several fields, one mistake per field.
fn split_fields(l: &Located, row: &Row, e: &AppError) -> Vec<CellError> {
    if e.details.len() <= 1 {
        return vec![l.app_error(row, e)];
    }
    e.details
        .iter()
        .map(|d| {
            let one = AppError { details: vec![d.clone()], ..e.clone() };
            l.app_error(row, &one)
        })
        .collect()
}

/// What an import wrote.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub kind: ImportKind,
    /// Rows written.
    pub rows: usize,
    /// New records (firms registered; reports, values and progress filed).
    pub created: usize,
    /// Records updated (firms already registered).
    pub updated: usize,
    /// Enterprise figures stored.
    pub figures: usize,
    /// The file's SHA-256, as the audit log records it.
    pub sha256: String,
}

/// Any file given to the import gives a located sheet or a refusal, never a panic (docs/security.md,
/// "Fuzzing"): a property test, and a replay of the cargo-fuzz corpora `fuzz/corpus/import_csv` and
/// `fuzz/corpus/import_xlsx` (their structured inputs, XML parts, are wrapped by the fuzz crate; here they
/// are read as the bytes they are).
#[cfg(test)]
mod any_input {
    use super::*;
    use proptest::prelude::*;

    fn import(bytes: &[u8]) {
        let Ok(located) = locate(bytes, "t.csv", None) else { return };
        for row in located.rows() {
            for name in located.names.iter().flatten() {
                let _ = (located.number(row, name, Some("万元")), located.whole(row, name), located.text(row, name));
                let _ = sheet::date(located.cell(row, name));
            }
        }
    }

    fn field() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("91440300MA5G000001".to_string()),
            Just("深圳".to_string()),
            Just("2025Q2".to_string()),
            Just("1.5亿元".to_string()),
            Just("\"1,200\"".to_string()),
            Just("45%".to_string()),
            Just("2025-13-40".to_string()),
            Just(String::new()),
            any::<String>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn any_bytes_are_located_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            import(&bytes);
        }

        #[test]
        fn any_rows_under_a_header_are_located_or_refused(
            header in prop_oneof![
                Just("uscc,name,city,scale,founded_year,year,land_mu,tax_wan,revenue_wan"),
                Just("indicator_id,period,value,region,source"),
                Just("assignment_id,period,status,percent,narrative"),
            ],
            rows in proptest::collection::vec(proptest::collection::vec(field(), 0..10), 0..5),
        ) {
            let mut text = format!("{header}\n");
            for r in &rows {
                text.push_str(&r.join(","));
                text.push('\n');
            }
            import(text.as_bytes());
        }
    }

    #[test]
    fn the_fuzz_corpora_replay_cleanly() {
        for target in ["import_csv", "import_xlsx"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(target);
            let entries = std::fs::read_dir(&dir).expect("the fuzz corpus is kept in the repository");
            let mut n = 0;
            for e in entries.flatten() {
                import(&std::fs::read(e.path()).expect("a corpus file"));
                n += 1;
            }
            assert!(n > 0, "the corpus {target} has inputs");
        }
    }
}
