//! The Office exchange CSV import (`jiqun import`, `POST /api/v1/imports`): any bytes (UTF-8, GB18030,
//! UTF-16 or none) decoded, read as a sheet, its header found and every cell read.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if jiqun_office::sheet::is_zip(data) {
        return; // the xlsx target's
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = jiqun_office::sheet::read_csv("fuzz", text);
    }
    jiqun_fuzz::import(data);
});
