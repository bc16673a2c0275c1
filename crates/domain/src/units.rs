//! How a figure is written for people, by its unit, as officials write it: percentages to one decimal
//! (4.7%), money in 万元/亿元/万亿元 with at most two decimals (1.82万亿元, 3500万元), counts as whole
//! numbers (12个, 3500家), anything else with at most two decimals and 万/亿/万亿 when large. Trailing
//! zeros are dropped (6%, not 6.0%). The exact value is what the API returns; this is for pages, exports
//! meant for reading, and the CLI's Markdown.

/// The kind of a unit, which decides how its figures are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// `%`, `个百分点`, `‰`: one decimal.
    Percent,
    /// `元`, `万元`, `亿元`, `万亿元`, `美元`…: scaled to 万/亿/万亿 of the base, two decimals.
    Money,
    /// Things counted one by one (`个`, `家`, `项`…): whole numbers.
    Count,
    Other,
}

/// Units counted one by one.
pub const COUNT_UNITS: &[&str] =
    &["个", "家", "所", "座", "项", "条", "件", "套", "部", "位", "人", "名", "户", "台", "张", "场", "批", "次"];

pub fn unit_kind(unit: &str) -> UnitKind {
    let u = unit.trim();
    if matches!(u, "%" | "个百分点" | "百分点" | "‰") {
        UnitKind::Percent
    } else if u.ends_with('元') && !u.contains('/') {
        UnitKind::Money
    } else if COUNT_UNITS.contains(&u) {
        UnitKind::Count
    } else {
        UnitKind::Other
    }
}

/// The multiplier a money unit carries (`亿元` → 1e8) and the unit without it (`元`).
fn money_base(unit: &str) -> (f64, &str) {
    for (prefix, m) in [("万亿", 1e12), ("亿", 1e8), ("万", 1e4)] {
        if let Some(rest) = unit.strip_prefix(prefix) {
            return (m, rest);
        }
    }
    (1.0, unit)
}

/// A figure with its unit: `figure(4.7412, "%")` is `4.7%`, `figure(1.8e12, "元")` is `1.8万亿元`,
/// `figure(12000.0, "亿元")` is `1.2万亿元`, `figure(12.4, "个")` is `12个`.
pub fn figure(v: f64, unit: &str) -> String {
    let mut s = figure_number(v, unit);
    match unit_kind(unit) {
        UnitKind::Money => s.push_str(money_base(unit.trim()).1),
        _ => s.push_str(unit),
    }
    s
}

/// The number part of `figure` (with its 万/亿 word, without the unit): the lower end of a range.
pub fn figure_number(v: f64, unit: &str) -> String {
    let mut s = String::with_capacity(16);
    let scaled = |v: f64| match v.abs() {
        a if a >= 1e12 => (v / 1e12, "万亿"),
        a if a >= 1e8 => (v / 1e8, "亿"),
        a if a >= 1e4 => (v / 1e4, "万"),
        _ => (v, ""),
    };
    let (x, word, digits) = match unit_kind(unit) {
        UnitKind::Percent => (v, "", 1),
        UnitKind::Money => {
            let (m, _) = money_base(unit.trim());
            let (x, w) = scaled(v * m);
            (x, w, 2)
        }
        UnitKind::Count if v.abs() < 1e8 => (v, "", 0),
        UnitKind::Count | UnitKind::Other => {
            let (x, w) = scaled(v);
            (x, w, 2)
        }
    };
    push_decimal(&mut s, x, digits);
    s.push_str(word);
    s
}

/// An amount of money in 元: finite, so it can be added, compared and written. Shown as officials write
/// money (`3500万元`, `1.2亿元`, `2.02万亿元`); serialised as its number of 元, or of 万元 where a field says
/// so (`#[serde(with = "jiqun_domain::units::wan")]`, for the registry's and the forms' `…_wan` fields).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Money(f64);

impl Money {
    pub const ZERO: Money = Money(0.0);

    /// An amount in 元; `None` for NaN or an infinity.
    pub fn yuan(v: f64) -> Option<Money> {
        v.is_finite().then_some(Money(v))
    }

    /// An amount in 万元 (the unit of the registry's figures).
    pub fn wan(v: f64) -> Option<Money> {
        Money::yuan(v * 1e4)
    }

    /// An amount in a money unit (`元`, `万元`, `亿元`, `万亿元`); `None` for another unit or a non-finite value.
    pub fn in_unit(v: f64, unit: &str) -> Option<Money> {
        let (m, base) = money_base(unit.trim());
        if base == "元" { Money::yuan(v * m) } else { None }
    }

    pub fn as_yuan(self) -> f64 {
        self.0
    }

    pub fn as_wan(self) -> f64 {
        self.0 / 1e4
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&figure(self.0, "元"))
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let v = f64::deserialize(d)?;
        Money::yuan(v).ok_or_else(|| serde::de::Error::custom("an amount of money is a finite number"))
    }
}

/// Serde for an optional amount written as a number of 万元 (fields named `…_wan`).
pub mod wan {
    use super::Money;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(m) => s.serialize_some(&m.as_wan()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
        Option::<f64>::deserialize(d)?
            .map(|v| Money::wan(v).ok_or_else(|| serde::de::Error::custom("an amount of money is a finite number")))
            .transpose()
    }
}

/// Appends `v` with at most `digits` decimals (0 to 6), trailing zeros dropped, without going through
/// float formatting (which is slow enough to matter on a page of many figures).
pub fn push_decimal(out: &mut String, v: f64, digits: usize) {
    use std::fmt::Write as _;
    let digits = digits.min(6);
    let scale = 10u64.pow(digits as u32);
    let t = v.abs() * scale as f64;
    let scaled = t.round();
    // Near a tie the binary product may round otherwise than the exact decimal: take the exact path.
    if !v.is_finite() || scaled >= 9.0e15 || (t - t.floor() - 0.5).abs() < 1e-6 {
        let s = format!("{v:.digits$}");
        let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { &s };
        out.push_str(if s == "-0" { "0" } else { s });
        return;
    }
    let n = scaled as u64;
    if v < 0.0 && n > 0 {
        out.push('-');
    }
    let _ = write!(out, "{}", n / scale);
    let mut frac = n % scale;
    if frac > 0 {
        let mut width = digits;
        while frac.is_multiple_of(10) {
            frac /= 10;
            width -= 1;
        }
        let _ = write!(out, ".{frac:0width$}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_written_by_their_unit() {
        for (v, unit, shown) in [
            (4.7412, "%", "4.7%"),
            (6.0, "%", "6%"),
            (0.05, "%", "0.1%"),
            (1.26, "个百分点", "1.3个百分点"),
            (7e12, "元", "7万亿元"),
            (1.8e12, "元", "1.8万亿元"),
            (2.016e12, "元", "2.02万亿元"),
            (1.15e11, "元", "1150亿元"),
            (35_000_000.0, "元", "3500万元"),
            (3500.0, "元", "3500元"),
            (12000.0, "亿元", "1.2万亿元"),
            (3.456, "亿元", "3.46亿元"),
            (250.0, "万元", "250万元"),
            (123_456.0, "万元", "12.35亿元"),
            (12.4, "个", "12个"),
            (3.0, "家", "3家"),
            (12345.0, "家", "12345家"),
            (5.58, "", "5.58"),
            (0.93456, "", "0.93"),
            (123456.0, "吨", "12.35万吨"),
            (-3.25, "", "-3.25"),
            (-0.04, "%", "0%"),
            (0.0, "元", "0元"),
            (2.5, "元/千瓦时", "2.5元/千瓦时"),
        ] {
            assert_eq!(figure(v, unit), shown, "{v} {unit}");
        }
        assert_eq!(figure_number(1.5e12, "元"), "1.5万亿");
        assert_eq!(figure_number(3.0, "个"), "3");
    }

    #[test]
    fn money_is_finite_and_written_in_wan_or_yi() {
        assert_eq!(Money::wan(3500.0).unwrap().to_string(), "3500万元");
        assert_eq!(Money::yuan(1.2e8).unwrap().to_string(), "1.2亿元");
        assert_eq!(Money::in_unit(2.016, "万亿元").unwrap().to_string(), "2.02万亿元");
        assert_eq!(Money::yuan(3500.0).unwrap().to_string(), "3500元");
        assert_eq!(Money::wan(123_456.0).unwrap().as_yuan(), 1_234_560_000.0);
        assert_eq!(Money::yuan(25_000.0).unwrap().as_wan(), 2.5);
        assert_eq!(Money::yuan(f64::NAN), None);
        assert_eq!(Money::wan(f64::INFINITY), None);
        assert_eq!(Money::in_unit(3.0, "个"), None);
        assert_eq!(Money::in_unit(3.0, "元/千瓦时"), None);
        let total: Money = [Money::wan(1.0).unwrap(), Money::wan(2.5).unwrap()].into_iter().sum();
        assert_eq!(total.as_wan(), 3.5);
        assert_eq!(serde_json::to_string(&total).unwrap(), "35000.0");
        assert!(serde_json::from_str::<Money>("1e400").is_err());

        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Form {
            #[serde(with = "wan", default)]
            tax_wan: Option<Money>,
        }
        let form: Form = serde_json::from_str(r#"{"tax_wan": 250}"#).unwrap();
        assert_eq!(form.tax_wan.map(|m| m.to_string()).as_deref(), Some("250万元"));
        assert_eq!(serde_json::to_string(&form).unwrap(), r#"{"tax_wan":250.0}"#);
        assert_eq!(serde_json::from_str::<Form>("{}").unwrap(), Form { tax_wan: None });
    }

    /// The fast path writes what float formatting would, for many values.
    #[test]
    fn decimals_match_float_formatting() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..5000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mag = 10f64.powi((x % 15) as i32 - 2);
            let v = (x >> 11) as f64 / (1u64 << 53) as f64 * mag;
            for digits in [0, 1, 2, 4] {
                let mut fast = String::new();
                push_decimal(&mut fast, v, digits);
                let slow = format!("{v:.digits$}");
                let slow = if slow.contains('.') { slow.trim_end_matches('0').trim_end_matches('.') } else { &slow };
                assert_eq!(fast, slow, "{v} {digits}");
            }
        }
    }
}
