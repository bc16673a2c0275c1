//! What several subjects share: a definition file refused after one edit, with the fields it names.

use jiqun_eval::definition::FieldError;
use serde_json::Value;

/// A change to a definition's JSON.
pub type Edit = Box<dyn FnOnce(&mut Value)>;

/// The errors (path, English message) that `parse` gives for the `valid` JSON after `edit`; it must refuse.
pub fn refused<T>(
    valid: &str,
    edit: impl FnOnce(&mut Value),
    parse: impl Fn(&str) -> Result<T, Vec<FieldError>>,
) -> Vec<(String, String)> {
    let mut v: Value = serde_json::from_str(valid).unwrap();
    edit(&mut v);
    match parse(&v.to_string()) {
        Ok(_) => panic!("accepted"),
        Err(es) => es.into_iter().map(|e| (e.path, e.en)).collect(),
    }
}
