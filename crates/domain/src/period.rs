//! Reporting periods as the contract writes them: `2025` (a year, whose value is the annual figure),
//! `2025Q2` (a quarter), `2025-06` (a month). They order by time: a quarter or month sorts before the year
//! that contains it ends; `2025Q4` and `2025` end together and the year sorts last.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Year(i32),
    Quarter(i32, u8),
    Month(i32, u8),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError(pub String);

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "“{}” is not a period such as 2025, 2025Q2 or 2025-06", self.0)
    }
}

impl Period {
    pub fn parse(s: &str) -> Result<Period, PeriodError> {
        let err = || PeriodError(s.to_string());
        let s = s.trim();
        let year = |y: &str| -> Result<i32, PeriodError> {
            if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) {
                let v: i32 = y.parse().map_err(|_| err())?;
                if (1900..=2200).contains(&v) {
                    return Ok(v);
                }
            }
            Err(err())
        };
        if let Some((y, q)) = s.split_once(['Q', 'q']) {
            let q: u8 = q.parse().map_err(|_| err())?;
            if !(1..=4).contains(&q) || q.to_string().len() != 1 {
                return Err(err());
            }
            return Ok(Period::Quarter(year(y)?, q));
        }
        if let Some((y, m)) = s.split_once('-') {
            if m.len() != 2 {
                return Err(err());
            }
            let m: u8 = m.parse().map_err(|_| err())?;
            if !(1..=12).contains(&m) {
                return Err(err());
            }
            return Ok(Period::Month(year(y)?, m));
        }
        Ok(Period::Year(year(s)?))
    }

    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) | Period::Quarter(y, _) | Period::Month(y, _) => y,
        }
    }

    /// The moment the period ends, in years: 2025 → 2025.0, 2025Q2 → 2024.5, 2025-06 → 2024.5.
    /// Growth rates are taken between these moments.
    pub fn end_time(self) -> f64 {
        match self {
            Period::Year(y) => y as f64,
            Period::Quarter(y, q) => y as f64 - 1.0 + q as f64 / 4.0,
            Period::Month(y, m) => y as f64 - 1.0 + m as f64 / 12.0,
        }
    }

    /// Sort key: by end time, and at equal end the longer period (the year) last.
    pub fn sort_key(self) -> (i64, u8) {
        let rank = match self {
            Period::Month(..) => 0,
            Period::Quarter(..) => 1,
            Period::Year(_) => 2,
        };
        ((self.end_time() * 12.0).round() as i64, rank)
    }

    /// The first day of the period: 2025 → 2025-01-01, 2025Q2 → 2025-04-01, 2025-06 → 2025-06-01.
    pub fn first_day(self) -> (i32, u8, u8) {
        match self {
            Period::Year(y) => (y, 1, 1),
            Period::Quarter(y, q) => (y, q * 3 - 2, 1),
            Period::Month(y, m) => (y, m, 1),
        }
    }

    /// Whether the period has begun on `today` (year, month, day): its first day is today or earlier.
    pub fn has_begun(self, today: (i32, u8, u8)) -> bool {
        self.first_day() <= today
    }

    pub fn is_annual(self) -> bool {
        matches!(self, Period::Year(_))
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Quarter(y, q) => write!(f, "{y}Q{q}"),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        let p = |s| Period::parse(s).unwrap();
        assert_eq!(p("2025"), Period::Year(2025));
        assert_eq!(p("2025Q2"), Period::Quarter(2025, 2));
        assert_eq!(p("2025-06"), Period::Month(2025, 6));
        assert_eq!(p("2025Q2").first_day(), (2025, 4, 1));
        assert_eq!(p("2025Q4").first_day(), (2025, 10, 1));
        assert_eq!(p("2025-06").first_day(), (2025, 6, 1));
        assert!(p("2025Q2").has_begun((2025, 4, 1)) && !p("2025Q2").has_begun((2025, 3, 31)));
        assert!(!p("2026").has_begun((2025, 12, 31)) && p("2026").has_begun((2026, 1, 1)));
        for bad in ["25", "2025Q5", "2025-13", "2025-6", "abcd", "", "2025Q", "9999", "2025-00"] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
        let mut v = [p("2025"), p("2025Q2"), p("2024"), p("2025-06"), p("2025-01"), p("2025Q4")];
        v.sort();
        let s: Vec<String> = v.iter().map(|x| x.to_string()).collect();
        assert_eq!(s, ["2024", "2025-01", "2025-06", "2025Q2", "2025Q4", "2025"]);
        assert_eq!(p("2025Q2").end_time(), 2024.5);
    }
}
