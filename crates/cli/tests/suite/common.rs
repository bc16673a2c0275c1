//! What the subjects share: the `jiqun` binary run in a given locale, and its standard error as text.

use std::process::{Command, Output};

/// The `jiqun` binary with `LANG` set to `lang` and nothing that would override it.
pub fn bin_in(lang: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jiqun"));
    c.env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", lang);
    c
}

/// Runs `jiqun args…` in the locale `lang`.
pub fn jiqun(args: &[&str], lang: &str) -> Output {
    bin_in(lang).args(args).output().expect("runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
