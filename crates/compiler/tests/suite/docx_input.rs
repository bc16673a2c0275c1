//! A Word document's parts that are anything at all give a plan or an error, never a panic: a property test
//! over `word/document.xml`, `word/numbering.xml` and `word/styles.xml` wrapped into a .docx, and a replay
//! of the cargo-fuzz corpus `fuzz/corpus/docx` (docs/security.md, "Fuzzing").

use std::io::{Cursor, Write};

use jiqun_compiler::{Options, compile};
use proptest::prelude::*;

const PARTS: [&str; 3] = ["word/document.xml", "word/numbering.xml", "word/styles.xml"];

/// The parts (up to three, in `PARTS` order) as a .docx archive, stored.
fn docx(parts: &[&[u8]]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in PARTS.iter().zip(parts) {
        zip.start_file(*name, stored).expect("a part");
        zip.write_all(bytes).expect("a part's bytes");
    }
    zip.finish().expect("the archive").into_inner()
}

/// A fuzz input as the `docx` target takes it: a zip as it is, else parts separated by 0xFF.
fn from_fuzz_input(data: &[u8]) -> Vec<u8> {
    if data.starts_with(b"PK\x03\x04") {
        return data.to_vec();
    }
    let parts: Vec<&[u8]> = data.split(|&b| b == 0xFF).take(3).collect();
    docx(&parts)
}

/// XML-ish text of WordprocessingML's own pieces.
fn xml() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("<w:p>"),
        Just("</w:p>"),
        Just("<w:r><w:t>"),
        Just("</w:t></w:r>"),
        Just("<w:tbl><w:tr><w:tc>"),
        Just("</w:tc></w:tr></w:tbl>"),
        Just("<w:pPr><w:numPr><w:ilvl w:val=\"9\"/><w:numId w:val=\"1\"/></w:numPr></w:pPr>"),
        Just("<w:pStyle w:val=\"Heading1\"/>"),
        Just(
            "<w:abstractNum w:abstractNumId=\"0\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"-1\"/><w:lvlText w:val=\"%1.%9\"/></w:lvl></w:abstractNum>"
        ),
        Just("<w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num>"),
        Just("&amp;&#x0;&#99999999;&unknown;"),
        Just("一、主要目标（一）到2025年，产值达到1万亿元。"),
        Just("<w:br/><w:tab/>"),
    ];
    proptest::collection::vec(prop_oneof![token.prop_map(str::to_string), any::<String>()], 0..24).prop_map(|v| {
        format!(
            "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{}</w:body></w:document>",
            v.concat()
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_document_part_gives_a_plan_or_an_error(document in xml(), numbering in xml(), styles in xml()) {
        let file = docx(&[document.as_bytes(), numbering.as_bytes(), styles.as_bytes()]);
        let _ = compile(&file, &Options::default());
    }

    #[test]
    fn any_bytes_as_parts_give_a_plan_or_an_error(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = compile(&from_fuzz_input(&data), &Options::default());
    }
}

#[test]
fn the_docx_fuzz_corpus_replays_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/docx");
    let entries = std::fs::read_dir(&dir).expect("the fuzz corpus is kept in the repository");
    let mut n = 0;
    for e in entries.flatten() {
        let bytes = std::fs::read(e.path()).expect("a corpus file");
        let _ = compile(&from_fuzz_input(&bytes), &Options::default());
        n += 1;
    }
    assert!(n > 0, "the corpus has inputs");
}
