//! Any bytes given to the per-mu CSV reader give a data set or an error, never a panic: a property test
//! (proptest, a modest number of cases) and a replay of the cargo-fuzz corpus `fuzz/corpus/permu_csv`
//! (docs/security.md, "Fuzzing").

use jiqun_eval::permu::{Scheme, csv};
use proptest::prelude::*;

/// What `jiqun evaluate` does with an input: read, evaluate under the default scheme, write.
fn read_evaluate_write(bytes: &[u8]) {
    if let Ok(ds) = csv::read(bytes) {
        let _ = csv::write_errors(&ds.errors, jiqun_domain::Lang::En);
        if let Ok(ev) = ds.evaluate(&Scheme::default()) {
            let mut out = Vec::new();
            csv::write(&ds, &ev, &mut out).expect("writing to memory");
        }
    }
}

fn header() -> String {
    csv::COLUMNS.join(",") + "\n"
}

/// Fields that matter to the reader: codes, cities, scales, years, figures, quotes, separators.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("91440300MA5G000001".to_string()),
        Just("深圳".to_string()),
        Just("above".to_string()),
        Just("2019".to_string()),
        Just("2025".to_string()),
        Just("12.5".to_string()),
        Just("-0".to_string()),
        Just("1e308".to_string()),
        Just("\"a,\"\"b\"".to_string()),
        Just("\"".to_string()),
        Just(String::new()),
        "[0-9.,e+-]{0,12}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_bytes_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        read_evaluate_write(&bytes);
    }

    #[test]
    fn any_bytes_under_the_header_are_read_or_refused(rows in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut bytes = header().into_bytes();
        bytes.extend(rows);
        read_evaluate_write(&bytes);
    }

    #[test]
    fn any_rows_of_plausible_fields_are_read_or_refused(
        rows in proptest::collection::vec(proptest::collection::vec(field(), 0..18), 0..6),
        crlf in any::<bool>(),
    ) {
        let end = if crlf { "\r\n" } else { "\n" };
        let mut text = header();
        for r in &rows {
            text.push_str(&r.join(","));
            text.push_str(end);
        }
        read_evaluate_write(text.as_bytes());
    }
}

#[test]
fn the_fuzz_corpus_replays_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/permu_csv");
    let entries = std::fs::read_dir(&dir).expect("the fuzz corpus is kept in the repository");
    let mut n = 0;
    for e in entries.flatten() {
        let bytes = std::fs::read(e.path()).expect("a corpus file");
        read_evaluate_write(&bytes);
        n += 1;
    }
    assert!(n > 0, "the corpus has inputs");
}
