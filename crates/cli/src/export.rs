//! `jiqun export --db URL --table NAME --format xlsx|csv|json --output FILE`: a table of the database as the
//! application hands it out (`App::export`, as the operator who holds the database), written row by row as
//! an Excel workbook (header in the user's language, frozen, with filters and number formats), CSV (UTF-8
//! with a byte-order mark, so that Excel reads Chinese) or a JSON array of objects. Rows go to the file as
//! they are read: a million rows do not sit in memory.

use std::io::{IsTerminal, Write};
use std::path::Path;

use clap::ValueEnum;
use jiqun_app::export::{ExportRequest, Exporter, TableFormat, TableWriter};
use jiqun_domain::Lang;
use jiqun_office::table::{Cell as TableCell, Column, RowSink, TableError};

use crate::{Refusal, io_refusal, server};

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
    Xlsx,
}

impl ExportFormat {
    fn table_format(self) -> TableFormat {
        match self {
            ExportFormat::Csv => TableFormat::Csv,
            ExportFormat::Json => TableFormat::Json,
            ExportFormat::Xlsx => TableFormat::Xlsx,
        }
    }
}

/// What to export besides the table.
pub struct Options {
    /// `evaluations`: the run.
    pub run: Option<i64>,
    /// `enterprises`: the figures' year.
    pub year: Option<i64>,
}

pub fn run(
    db: &str,
    table: &str,
    format: ExportFormat,
    output: &Path,
    options: Options,
    lang: Lang,
) -> Result<(), Refusal> {
    server::block_on(async move {
        let app = server::open(db).await?;
        let rows = crate::write_whole_from(output, |file| async {
            let (file, rows) = write(&app, table, format, file, options, lang).await?;
            file.sync_all().map_err(io_refusal(output, true))?;
            Ok(rows)
        })
        .await?;
        say!(
            lang,
            ("已导出 {} 行到 {}。", rows, output.display()),
            ("{} rows exported to {}.", rows, output.display())
        );
        Ok(())
    })
}

async fn write(
    app: &jiqun_app::App,
    table: &str,
    format: ExportFormat,
    file: std::fs::File,
    options: Options,
    lang: Lang,
) -> Result<(std::fs::File, u64), Refusal> {
    let format = format.table_format();
    let mut sink = TableWriter::new(format, lang, table, file).map_err(jiqun_app::export::sink_error)?;
    let request = ExportRequest { run: options.run, year: options.year, ..ExportRequest::new(table, format, lang) };
    let mut counted = Counting { inner: &mut sink, rows: 0, lang, shown: std::io::stderr().is_terminal() };
    app.export(Exporter::Operator, &request, &mut counted).await?;
    if counted.shown && counted.rows >= STEP {
        eprintln!();
    }
    Ok(sink.finish().map_err(jiqun_app::export::sink_error)?)
}

/// How often the count of rows written is shown on a terminal.
const STEP: u64 = 10_000;

/// The sink, counting the rows on standard error as they go when it is a terminal (a long export shows
/// that it moves).
struct Counting<'a, S> {
    inner: &'a mut S,
    rows: u64,
    lang: Lang,
    shown: bool,
}

impl<S: RowSink + Send> RowSink for Counting<'_, S> {
    fn begin(&mut self, columns: &[Column]) -> Result<(), TableError> {
        self.inner.begin(columns)
    }

    fn row(&mut self, cells: &[TableCell]) -> Result<(), TableError> {
        self.inner.row(cells)?;
        self.rows += 1;
        if self.shown && self.rows.is_multiple_of(STEP) {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{}", self.lang.pick("已写出 ", "written: "));
            let _ = write!(err, "{}{}", self.rows, self.lang.pick(" 行", " rows"));
            let _ = err.flush();
        }
        Ok(())
    }
}
