//! The per-mu evaluation's input CSV (`jiqun evaluate --input`, the evaluation runs' uploads): any bytes
//! in, a data set or an error out; a data set read is evaluated under the default scheme and written, as
//! `jiqun evaluate` does.
#![no_main]

use jiqun_eval::permu::{Scheme, csv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(ds) = csv::read(data) {
        let _ = csv::write_errors(&ds.errors, jiqun_domain::Lang::Zh);
        if let Ok(ev) = ds.evaluate(&Scheme::default()) {
            let _ = csv::write(&ds, &ev, &mut std::io::sink());
        }
    }
});
