//! Office files, free of SQL and HTTP: what the application reads from and writes to the Excel workbooks
//! and Word documents that officials exchange.
//!
//! - [`sheet`]: a workbook or a CSV read into a grid of cells, and cells read the way people fill them
//!   (numbers stored as text, full-width digits, thousands separators, 万元/亿元, dates as serials), with
//!   positions in Excel's terms for error messages.
//! - [`template`]: the import templates (header block, Chinese headers over a hidden row of machine names,
//!   validation lists, locked cells, frozen panes), and a filled-in workbook given back with its mistakes
//!   marked.
//! - [`docx`], [`chart`], [`raster`]: the Word writer (the bulletin), charts drawn once as SVG, and their
//!   rasterising to PNG with resvg (CJK fonts from the system or a named file).
//! - [`table`]: tables written row by row as a workbook (constant memory), CSV or JSON, for exports.

pub mod chart;
pub mod docx;
pub mod raster;
pub mod sheet;
pub mod table;
pub mod template;
