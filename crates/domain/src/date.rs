//! A calendar day as officials write it (`2025-06-30`): parsed once, so that a stored or submitted date
//! cannot be 2025-02-30.

use std::fmt;

/// A day of the Gregorian calendar. Orders by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

/// Why a text is not a date; says what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError(pub String);

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "“{}” is not a date such as 2025-06-30", self.0)
    }
}

impl std::error::Error for DateError {}

fn days_in(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A day, or `None` when there is no such day (or the year is outside 1900–2200).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1900..=2200).contains(&year) && day >= 1 && day <= days_in(year, month)).then_some(Date { year, month, day })
    }

    /// `YYYY-MM-DD` (also `YYYY/MM/DD` and `YYYY年M月D日`, as officials type them).
    pub fn parse(s: &str) -> Result<Date, DateError> {
        let t = s.trim();
        let bad = || DateError(t.to_string());
        let norm: String = t
            .trim_end_matches('日')
            .chars()
            .map(|c| if matches!(c, '/' | '年' | '月' | '.') { '-' } else { c })
            .collect();
        let mut parts = norm.split('-');
        let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let digits = |p: &str, max: usize| !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit());
        if !(y.len() == 4 && digits(y, 4) && digits(m, 2) && digits(d, 2)) {
            return Err(bad());
        }
        let (y, m, d) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
        Date::new(y, m, d).ok_or_else(bad)
    }

    /// The last day of a year.
    pub fn year_end(year: i32) -> Date {
        Date { year, month: 12, day: 31 }
    }

    pub fn from_tuple((year, month, day): (i32, u8, u8)) -> Date {
        Date { year, month, day }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    pub fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The day `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date { year: y as i32, month: m as u8, day: d as u8 }
    }

    pub fn plus_days(self, n: i64) -> Date {
        Date::from_days(self.days() + n)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Date::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Date {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                utoipa::openapi::schema::KnownFormat::Date,
            )))
            .examples(["2025-06-30"])
            .into()
    }
}

impl utoipa::ToSchema for Date {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        assert!(Date::parse("2025-02-29").is_err());
        assert!(Date::parse("2025-13-01").is_err());
        assert!(Date::parse("2025-1").is_err());
        assert!(Date::parse("２０２５-01-01").is_err());
        assert_eq!(Date::parse("2025年6月3日").unwrap().to_string(), "2025-06-03");
        assert_eq!(Date::parse("2025/6/3").unwrap(), Date::new(2025, 6, 3).unwrap());
        assert!(Date::parse("2025-06-03").unwrap() < Date::parse("2025-06-10").unwrap());
        let d = Date::parse("2024-02-20").unwrap();
        assert_eq!(d.plus_days(10).to_string(), "2024-03-01", "through a leap day");
        assert_eq!(Date::parse("2025-12-25").unwrap().plus_days(10).to_string(), "2026-01-04");
        assert_eq!(Date::new(1970, 1, 1).unwrap().days(), 0);
    }
}
