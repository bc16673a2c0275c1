//! Count targets from registries: a base counts from the day it is recognised until the day it is withdrawn.

use jiqun_domain::bases::{BaseKind, BaseLevel};
use jiqun_domain::date::Date;
use jiqun_eval::counts::{BaseFact, Membership, bases_at, members_at, yearly};

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn base(kind: BaseKind, level: BaseLevel, on: &str, off: Option<&str>) -> BaseFact {
    BaseFact { kind, level, recognised_on: d(on), withdrawn_on: off.map(d) }
}

#[test]
fn a_base_counts_from_recognition_until_withdrawal() {
    let facts = [
        base(BaseKind::InnovationCentre, BaseLevel::National, "2018-04-01", None),
        base(BaseKind::InnovationCentre, BaseLevel::Provincial, "2019-01-01", None),
        base(BaseKind::InnovationCentre, BaseLevel::National, "2021-07-15", Some("2024-03-01")),
        base(BaseKind::IcDesignBase, BaseLevel::National, "2020-01-01", None),
    ];
    let national = |at| bases_at(&facts, BaseKind::InnovationCentre, Some(BaseLevel::National), at);
    assert_eq!(national(d("2018-03-31")), 0);
    assert_eq!(national(d("2018-04-01")), 1, "counts on the day it is recognised");
    assert_eq!(national(d("2021-12-31")), 2);
    assert_eq!(national(d("2024-03-01")), 1, "no longer counts on the day it is withdrawn");
    assert_eq!(bases_at(&facts, BaseKind::InnovationCentre, None, d("2021-12-31")), 3, "any level");
    assert_eq!(bases_at(&facts, BaseKind::KeyLab, None, d("2025-12-31")), 0);
}

#[test]
fn yearly_values_run_to_the_current_year_counted_today() {
    let facts = [
        base(BaseKind::UhdVideoBase, BaseLevel::Provincial, "2020-05-01", None),
        base(BaseKind::UhdVideoBase, BaseLevel::Provincial, "2026-02-01", None),
    ];
    let today = d("2026-06-30");
    let years = yearly(2019, today, |at| bases_at(&facts, BaseKind::UhdVideoBase, None, at));
    assert_eq!(years, vec![(2019, 0), (2020, 1), (2021, 1), (2022, 1), (2023, 1), (2024, 1), (2025, 1), (2026, 2)]);
    assert!(yearly(2027, today, |_| 1).is_empty(), "no value for a year that has not begun");
}

#[test]
fn library_members_count_while_designated() {
    let m = |lib: &str, firm: i64, from: &str, until: Option<&str>| Membership {
        library: lib.into(),
        enterprise_id: firm,
        from: d(from),
        until: until.map(d),
    };
    let facts = [
        m("little_giant", 1, "2022-01-01", None),
        m("little_giant", 2, "2023-01-01", Some("2024-06-01")),
        m("unicorn", 3, "2022-01-01", None),
        m("backbone", 4, "2022-01-01", None),
        m("backbone", 4, "2022-03-01", None),
    ];
    assert_eq!(members_at(&facts, "little_giant", d("2023-12-31")), 2);
    assert_eq!(members_at(&facts, "little_giant", d("2024-12-31")), 1);
    assert_eq!(members_at(&facts, "unicorn", d("2021-12-31")), 0);
    assert_eq!(members_at(&facts, "backbone", d("2022-12-31")), 1, "a firm in two chains counts once");
}
