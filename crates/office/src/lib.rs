//! Office files, free of SQL and HTTP: what the application reads from and writes to the Excel workbooks
//! and Word documents that officials exchange.

pub mod chart;
pub mod docx;
pub mod raster;
