//! The Excel import (`jiqun import`, `POST /api/v1/imports`): a workbook read (calamine), its header found
//! and every cell read. A zip input is taken as it is; other bytes are the XML parts of a one-sheet
//! workbook, separated by 0xFF (see `jiqun_fuzz::XLSX_PARTS`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = jiqun_fuzz::office_file(data, &jiqun_fuzz::XLSX_PARTS, &jiqun_fuzz::XLSX_FIXED);
    if let Ok(sheets) = jiqun_office::sheet::read_xlsx(&file) {
        for s in &sheets {
            for row in &s.rows {
                for cell in &row.cells {
                    let _ = jiqun_office::sheet::number(cell, None);
                    let _ = jiqun_office::sheet::date(cell);
                }
            }
        }
        jiqun_fuzz::import(&file);
    }
});
