//! Coverage-guided fuzzing of the plan compiler: any bytes in, a plan or an error out, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = jiqun_compiler::Options::default();
    let _ = jiqun_compiler::compile(data, &opts);
});
