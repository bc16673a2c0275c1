//! The compiler against fixtures of the genre, the built-in plan, variants and hostile input.
//! One test binary for the crate (compile time matters on two cores); one module per subject.

mod docx_input;
mod genre;
mod guangdong;
mod robustness;
mod variants;

use jiqun_domain::plan::{Cmp, Plan};

/// item, subject, comparator, value, value_max, unit, year.
type TargetRow<'a> = (&'a str, &'a str, Cmp, f64, Option<f64>, &'a str, Option<i32>);

/// A plan's targets as rows, to compare with the targets a test expects.
fn target_rows(p: &Plan) -> Vec<TargetRow<'_>> {
    p.targets
        .iter()
        .map(|t| (t.item.as_str(), t.subject.as_str(), t.cmp, t.value, t.value_max, t.unit.as_str(), t.year))
        .collect()
}
