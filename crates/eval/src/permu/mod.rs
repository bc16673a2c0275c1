//! Per-mu comprehensive evaluation (亩均效益综合评价), default scheme of contracts §4: enterprises not
//! rated (new firms, below-scale firms on under 3 mu) get class T; the rest are scored within their
//! (city, scale) group against the group's ratio-of-sums benchmarks, capped at twice the benchmark, with
//! the group mean standing in for an undefined item; ranked with shared ranks for equal scores; classed
//! A/B/C/D by rank share. Pure functions over columns; no I/O except the CSV reader and writer here.

pub mod csv;

/// 规上 / 规下.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scale {
    Above,
    Below,
}

impl Scale {
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Above => "above",
            Scale::Below => "below",
        }
    }
}

/// The figures of one enterprise for one year. Money in 万元; `None` is an empty cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Enterprise {
    pub uscc: [u8; 18],
    /// Index into the city table of the data set.
    pub city: u32,
    pub scale: Scale,
    pub founded_year: i32,
    pub year: i32,
    pub land_mu: f64,
    pub tax: Option<f64>,
    pub revenue: Option<f64>,
    pub value_added: Option<f64>,
    pub rd: Option<f64>,
    pub energy: Option<f64>,
    pub emission: Option<f64>,
    pub employees: Option<f64>,
    pub electricity: Option<f64>,
}

/// Which figure an indicator's numerator or denominator is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Tax,
    Revenue,
    ValueAdded,
    Rd,
    Land,
    Energy,
    Emission,
    Employees,
    Electricity,
}

impl Field {
    fn of(self, e: &Enterprise) -> Option<f64> {
        match self {
            Field::Tax => e.tax,
            Field::Revenue => e.revenue,
            Field::ValueAdded => e.value_added,
            Field::Rd => e.rd,
            Field::Land => Some(e.land_mu),
            Field::Energy => e.energy,
            Field::Emission => e.emission,
            Field::Employees => e.employees,
            Field::Electricity => e.electricity,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub name: &'static str,
    pub numerator: Field,
    pub denominator: Field,
    pub weight: f64,
}

/// A scheme's settings (the default one here; schemes as data come with the enterprise registry).
#[derive(Debug, Clone, PartialEq)]
pub struct Scheme {
    pub above: Vec<Item>,
    pub below: Vec<Item>,
    /// An item scores at most `cap` × its weight.
    pub cap: f64,
    /// Class cut-offs as shares of the group, in percent: A up to 20, B up to 60, C up to 95, D beyond.
    pub cutoffs: [f64; 3],
    /// Firms younger than this many years are not rated (新设企业).
    pub min_age_years: i32,
    /// Below-scale firms on less land than this are not rated.
    pub below_min_land_mu: f64,
}

impl Default for Scheme {
    fn default() -> Scheme {
        use Field::*;
        let item = |name, numerator, denominator, weight| Item { name, numerator, denominator, weight };
        Scheme {
            above: vec![
                item("亩均税收", Tax, Land, 30.0),
                item("亩均增加值", ValueAdded, Land, 20.0),
                item("单位能耗增加值", ValueAdded, Energy, 20.0),
                item("单位排放增加值", ValueAdded, Emission, 10.0),
                item("全员劳动生产率", ValueAdded, Employees, 10.0),
                item("研发投入强度", Rd, Revenue, 10.0),
            ],
            below: vec![item("亩均税收", Tax, Land, 50.0), item("单位用电税收", Tax, Electricity, 50.0)],
            cap: 2.0,
            cutoffs: [20.0, 60.0, 95.0],
            min_age_years: 2,
            below_min_land_mu: 3.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    A,
    B,
    C,
    D,
    /// Not rated.
    T,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::A => "A",
            Class::B => "B",
            Class::C => "C",
            Class::D => "D",
            Class::T => "T",
        }
    }
}

/// One enterprise's result, with each item's value, benchmark and score so it can see why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rating {
    pub score: Option<f64>,
    pub rank: Option<u32>,
    pub group_size: Option<u32>,
    pub class: Class,
    /// Why not rated (`新设企业`, `规下用地不足3亩`), empty when rated.
    pub reason: &'static str,
    /// (value or None when undefined, benchmark, score) per item of its scale.
    pub items: Vec<(Option<f64>, f64, f64)>,
}

fn ratio(e: &Enterprise, item: &Item) -> Option<f64> {
    let num = item.numerator.of(e)?;
    let den = item.denominator.of(e)?;
    (den != 0.0).then(|| num / den)
}

/// Rates every enterprise; the result is in the input's order.
pub fn evaluate(rows: &[Enterprise], scheme: &Scheme) -> Vec<Rating> {
    let mut out: Vec<Rating> = rows
        .iter()
        .map(|e| {
            let reason = if e.year - e.founded_year < scheme.min_age_years {
                "新设企业"
            } else if e.scale == Scale::Below && e.land_mu < scheme.below_min_land_mu {
                "规下用地不足3亩"
            } else {
                ""
            };
            Rating { score: None, rank: None, group_size: None, class: Class::T, reason, items: Vec::new() }
        })
        .collect();
    // Groups of rated enterprises by (city, scale): sort indexes once, then walk the runs.
    let mut idx: Vec<u32> = (0..rows.len() as u32).filter(|&i| out[i as usize].reason.is_empty()).collect();
    idx.sort_unstable_by_key(|&i| (rows[i as usize].city, rows[i as usize].scale));
    let mut start = 0;
    while start < idx.len() {
        let key = (rows[idx[start] as usize].city, rows[idx[start] as usize].scale);
        let mut end = start;
        while end < idx.len() && (rows[idx[end] as usize].city, rows[idx[end] as usize].scale) == key {
            end += 1;
        }
        rate_group(rows, &idx[start..end], scheme, &mut out);
        start = end;
    }
    out
}

fn rate_group(rows: &[Enterprise], group: &[u32], scheme: &Scheme, out: &mut [Rating]) {
    let scale = rows[group[0] as usize].scale;
    let items = if scale == Scale::Above { &scheme.above } else { &scheme.below };
    let n = group.len();
    // Benchmarks: ratio of sums over the enterprises for which the item is defined.
    let benchmarks: Vec<f64> = items
        .iter()
        .map(|it| {
            let (mut num, mut den) = (0.0, 0.0);
            for &i in group {
                let e = &rows[i as usize];
                if ratio(e, it).is_some() {
                    num += it.numerator.of(e).unwrap_or(0.0);
                    den += it.denominator.of(e).unwrap_or(0.0);
                }
            }
            if den != 0.0 { num / den } else { 0.0 }
        })
        .collect();
    // Item scores of the defined items, and their means for the undefined ones.
    let mut sums = vec![0.0; items.len()];
    let mut counts = vec![0usize; items.len()];
    for &i in group {
        let e = &rows[i as usize];
        let mut scored = Vec::with_capacity(items.len());
        for (k, it) in items.iter().enumerate() {
            let value = ratio(e, it);
            let score = match value {
                Some(v) if benchmarks[k] != 0.0 => it.weight * (v / benchmarks[k]).min(scheme.cap),
                Some(_) => 0.0,
                None => f64::NAN,
            };
            if value.is_some() {
                sums[k] += score;
                counts[k] += 1;
            }
            scored.push((value, benchmarks[k], score));
        }
        out[i as usize].items = scored;
    }
    let means: Vec<f64> = sums.iter().zip(&counts).map(|(s, &c)| if c > 0 { s / c as f64 } else { 0.0 }).collect();
    let mut scores: Vec<(f64, u32)> = Vec::with_capacity(n);
    for &i in group {
        let r = &mut out[i as usize];
        let mut total = 0.0;
        for (k, item) in r.items.iter_mut().enumerate() {
            if item.0.is_none() {
                item.2 = means[k];
            }
            total += item.2;
        }
        r.score = Some(total);
        scores.push((total, i));
    }
    // Rank by score, descending; equal scores share the best rank (SQL RANK()).
    scores.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    let mut rank = 0u32;
    for (pos, &(score, i)) in scores.iter().enumerate() {
        if pos == 0 || score != scores[pos - 1].0 {
            rank = pos as u32 + 1;
        }
        let share = 100.0 * rank as f64;
        let class = if share <= scheme.cutoffs[0] * n as f64 {
            Class::A
        } else if share <= scheme.cutoffs[1] * n as f64 {
            Class::B
        } else if share <= scheme.cutoffs[2] * n as f64 {
            Class::C
        } else {
            Class::D
        };
        let r = &mut out[i as usize];
        r.rank = Some(rank);
        r.group_size = Some(n as u32);
        r.class = class;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn firm(city: u32, scale: Scale, land: f64, tax: f64, va: f64) -> Enterprise {
        Enterprise {
            uscc: *b"91440300708461136T",
            city,
            scale,
            founded_year: 2015,
            year: 2024,
            land_mu: land,
            tax: Some(tax),
            revenue: Some(1000.0),
            value_added: Some(va),
            rd: Some(30.0),
            energy: Some(100.0),
            emission: Some(10.0),
            employees: Some(50.0),
            electricity: Some(200.0),
        }
    }

    #[test]
    fn not_rated_rules() {
        let mut young = firm(0, Scale::Above, 10.0, 100.0, 300.0);
        young.founded_year = 2023;
        let small = firm(0, Scale::Below, 2.0, 10.0, 30.0);
        let mut both = small.clone();
        both.founded_year = 2024;
        let r = evaluate(&[young, small, both], &Scheme::default());
        assert_eq!(
            r.iter().map(|x| (x.class, x.reason)).collect::<Vec<_>>(),
            vec![(Class::T, "新设企业"), (Class::T, "规下用地不足3亩"), (Class::T, "新设企业"),]
        );
    }

    #[test]
    fn benchmarks_caps_means_ties_and_classes() {
        // Five identical firms and one far better: the better one is capped at twice each benchmark.
        let mut rows: Vec<Enterprise> = (0..5).map(|_| firm(0, Scale::Above, 10.0, 100.0, 300.0)).collect();
        rows.push(firm(0, Scale::Above, 10.0, 10_000.0, 30_000.0));
        // One without emissions reported: that item scores the group's mean.
        rows[0].emission = None;
        let r = evaluate(&rows, &Scheme::default());
        assert_eq!(r[5].rank, Some(1));
        assert_eq!(r[5].class, Class::A);
        let tax_item = r[5].items[0];
        assert_eq!(tax_item.2, 60.0, "capped at 2 × 30");
        // The firm without emissions scores the group's mean there, which the capped leader lifts: rank 2.
        assert_eq!((r[0].rank, r[0].class), (Some(2), Class::B));
        // The four equal firms share rank 3 (6 firms: 100·3 ≤ 60·6 → B).
        for x in &r[1..5] {
            assert_eq!((x.rank, x.class), (Some(3), Class::B));
        }
        let emission_scores: Vec<f64> = r[1..].iter().map(|x| x.items[3].2).collect();
        let mean = emission_scores.iter().sum::<f64>() / 5.0;
        assert!((r[0].items[3].2 - mean).abs() < 1e-12);
        assert!(r[0].items[3].0.is_none());
    }

    #[test]
    fn groups_are_city_and_scale() {
        let rows = vec![
            firm(0, Scale::Above, 10.0, 100.0, 300.0),
            firm(1, Scale::Above, 10.0, 50.0, 300.0),
            firm(0, Scale::Below, 10.0, 5.0, 30.0),
        ];
        let r = evaluate(&rows, &Scheme::default());
        assert!(r.iter().all(|x| x.group_size == Some(1) && x.rank == Some(1)));
        // Alone in its group, a firm meets every benchmark: 100 points.
        assert!((r[0].score.unwrap() - 100.0).abs() < 1e-9);
        assert!((r[2].score.unwrap() - 100.0).abs() < 1e-9);
    }

    #[test]
    fn class_cut_offs() {
        // 20 firms with distinct scores: ranks 1-4 A, 5-12 B, 13-19 C, 20 D.
        let rows: Vec<Enterprise> = (0..20).map(|k| firm(0, Scale::Below, 10.0, 100.0 + k as f64, 30.0)).collect();
        let r = evaluate(&rows, &Scheme::default());
        let mut by_rank: Vec<(u32, Class)> = r.iter().map(|x| (x.rank.unwrap(), x.class)).collect();
        by_rank.sort_by_key(|x| x.0);
        let classes: String = by_rank.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(classes, "AAAABBBBBBBBCCCCCCCD");
    }
}
