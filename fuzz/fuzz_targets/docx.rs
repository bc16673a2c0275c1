//! The plan compiler reading a Word document: a zip input is taken as it is; other bytes are the parts
//! `word/document.xml`, `word/numbering.xml` and `word/styles.xml` separated by 0xFF, wrapped into a .docx.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = jiqun_fuzz::office_file(data, &jiqun_fuzz::DOCX_PARTS, &[]);
    let _ = jiqun_compiler::compile(&file, &jiqun_compiler::Options::default());
});
