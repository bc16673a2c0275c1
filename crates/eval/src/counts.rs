//! Count targets computed from registries: how many recognised bases of a kind stand at a day, how many
//! enterprises a library holds, and the yearly values an indicator bound to such a count gets.

use jiqun_domain::bases::{BaseKind, BaseLevel};
use jiqun_domain::date::Date;

/// What the count of bases needs to know of one base.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseFact {
    pub kind: BaseKind,
    pub level: BaseLevel,
    pub recognised_on: Date,
    pub withdrawn_on: Option<Date>,
}

/// One enterprise's time in a library.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    pub library: String,
    pub enterprise_id: i64,
    pub from: Date,
    pub until: Option<Date>,
}

/// Standing on `at`: begun on or before it, not ended on or before it.
fn stands(from: Date, until: Option<Date>, at: Date) -> bool {
    from <= at && until.is_none_or(|u| u > at)
}

/// The bases of `kind` (and `level`, if given) recognised by `at` and not withdrawn by then.
pub fn bases_at(facts: &[BaseFact], kind: BaseKind, level: Option<BaseLevel>, at: Date) -> usize {
    facts
        .iter()
        .filter(|f| f.kind == kind && level.is_none_or(|l| l == f.level) && stands(f.recognised_on, f.withdrawn_on, at))
        .count()
}

/// The enterprises in `library` on `at` (a firm in two chains of a per-chain library counts once).
pub fn members_at(facts: &[Membership], library: &str, at: Date) -> usize {
    let mut firms: Vec<i64> =
        facts.iter().filter(|m| m.library == library && stands(m.from, m.until, at)).map(|m| m.enterprise_id).collect();
    firms.sort_unstable();
    firms.dedup();
    firms.len()
}

/// The chip–terminal pairs whose contract was signed by `at`: each pair given by the day its first signed
/// outcome was recorded as happening.
pub fn signed_at(first_signed: &[Date], at: Date) -> usize {
    first_signed.iter().filter(|d| **d <= at).count()
}

/// The years whose value a bound indicator gets: from `first` to the year of `today`, each counted at the
/// year's end, the year in course at `today`. Empty when `first` is after today's year.
pub fn yearly(first: i32, today: Date, count: impl Fn(Date) -> usize) -> Vec<(i32, usize)> {
    (first..=today.year).map(|y| (y, count(if y == today.year { today } else { Date::year_end(y) }))).collect()
}
