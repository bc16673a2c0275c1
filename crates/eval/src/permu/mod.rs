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

/// The figures of one enterprise for one year. Money in 万元. An empty cell is NaN (so a row stays 100
/// bytes: a million of them fit in 100 MB); `Field::of` turns it into `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Enterprise {
    pub uscc: [u8; 18],
    pub scale: Scale,
    /// Index into the city table of the data set.
    pub city: u32,
    pub founded_year: i32,
    pub year: i32,
    /// land, tax, revenue, value added, R&D, energy, emission, employees, electricity.
    pub figures: [f64; 9],
}

impl Enterprise {
    pub fn land_mu(&self) -> f64 {
        self.figures[0]
    }
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
    fn index(self) -> usize {
        match self {
            Field::Land => 0,
            Field::Tax => 1,
            Field::Revenue => 2,
            Field::ValueAdded => 3,
            Field::Rd => 4,
            Field::Energy => 5,
            Field::Emission => 6,
            Field::Employees => 7,
            Field::Electricity => 8,
        }
    }

    pub fn of(self, e: &Enterprise) -> Option<f64> {
        let v = e.figures[self.index()];
        (!v.is_nan()).then_some(v)
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

/// One enterprise's result. 24 bytes, so a million fit in 24 MB.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rating {
    /// NaN when not rated.
    pub score: f64,
    /// 0 when not rated.
    pub rank: u32,
    pub group_size: u32,
    pub class: Class,
    pub reason: Reason,
}

/// Why an enterprise is not rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Rated,
    /// 新设企业
    New,
    /// 规下用地不足3亩
    SmallLand,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Rated => "",
            Reason::New => "新设企业",
            Reason::SmallLand => "规下用地不足3亩",
        }
    }
}

impl Rating {
    pub fn score(&self) -> Option<f64> {
        (!self.score.is_nan()).then_some(self.score)
    }
}

/// A group's benchmarks and the mean score of each item (what an undefined item scores).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupStats {
    pub city: u32,
    pub scale: Scale,
    pub benchmarks: Vec<f64>,
    pub means: Vec<f64>,
    pub size: u32,
}

/// The results in the input's order, and each group's statistics.
pub struct Evaluation {
    pub ratings: Vec<Rating>,
    pub groups: Vec<GroupStats>,
}

fn ratio(e: &Enterprise, item: &Item) -> Option<f64> {
    ratio_of(&e.figures, item)
}

fn item_score(value: Option<f64>, benchmark: f64, item: &Item, cap: f64) -> Option<f64> {
    let v = value?;
    Some(if benchmark != 0.0 { item.weight * (v / benchmark).min(cap) } else { 0.0 })
}

/// Rates every enterprise. Enterprises are bucketed by (city, scale) in one counting pass and each group's
/// figures gathered into a contiguous block, so the passes over a group read memory in order.
pub fn evaluate(rows: &[Enterprise], scheme: &Scheme) -> Evaluation {
    let mut ratings: Vec<Rating> = rows
        .iter()
        .map(|e| {
            let reason = if e.year - e.founded_year < scheme.min_age_years {
                Reason::New
            } else if e.scale == Scale::Below && e.land_mu() < scheme.below_min_land_mu {
                Reason::SmallLand
            } else {
                Reason::Rated
            };
            Rating { score: f64::NAN, rank: 0, group_size: 0, class: Class::T, reason }
        })
        .collect();
    let cities = rows.iter().map(|e| e.city as usize + 1).max().unwrap_or(0);
    let key = |e: &Enterprise| e.city as usize * 2 + e.scale as usize;
    let mut counts = vec![0usize; cities * 2 + 1];
    for (e, r) in rows.iter().zip(&ratings) {
        if r.reason == Reason::Rated {
            counts[key(e) + 1] += 1;
        }
    }
    for k in 1..counts.len() {
        counts[k] += counts[k - 1];
    }
    let starts = counts.clone();
    let mut idx = vec![0u32; counts[counts.len() - 1]];
    for (i, (e, r)) in rows.iter().zip(&ratings).enumerate() {
        if r.reason == Reason::Rated {
            let slot = &mut counts[key(e)];
            idx[*slot] = i as u32;
            *slot += 1;
        }
    }
    // Groups are independent: two threads take alternate groups (by size, so the work is even), each
    // writing its ratings into a list that is applied afterwards.
    let mut order: Vec<usize> = (0..cities * 2).filter(|&g| starts[g] < starts[g + 1]).collect();
    order.sort_unstable_by_key(|&g| std::cmp::Reverse(starts[g + 1] - starts[g]));
    let (mut mine, mut theirs) = (Vec::new(), Vec::new());
    let (mut load_a, mut load_b) = (0usize, 0usize);
    for g in order {
        let n = starts[g + 1] - starts[g];
        if load_a <= load_b {
            mine.push(g);
            load_a += n;
        } else {
            theirs.push(g);
            load_b += n;
        }
    }
    let work = |gs: &[usize]| -> GroupWork {
        let mut scratch = Scratch::default();
        let mut stats = Vec::with_capacity(gs.len());
        let mut out = Vec::new();
        for &g in gs {
            stats.push((g, rate_group(rows, &idx[starts[g]..starts[g + 1]], scheme, &mut out, &mut scratch)));
        }
        (stats, out)
    };
    let (a, b) = std::thread::scope(|s| {
        let h = s.spawn(|| work(&theirs));
        let a = work(&mine);
        (a, h.join())
    });
    let b = b.unwrap_or_else(|_| work(&theirs));
    let mut groups: Vec<(usize, GroupStats)> = Vec::with_capacity(a.0.len() + b.0.len());
    for (stats, out) in [a, b] {
        groups.extend(stats);
        for (i, r) in out {
            ratings[i as usize] = r;
        }
    }
    groups.sort_by_key(|(g, _)| *g);
    Evaluation { ratings, groups: groups.into_iter().map(|(_, s)| s).collect() }
}

/// One thread's share: its groups' statistics (with the group's number) and its ratings (with the row).
type GroupWork = (Vec<(usize, GroupStats)>, Vec<(u32, Rating)>);

#[derive(Default)]
struct Scratch {
    figures: Vec<[f64; 9]>,
    scores: Vec<(f64, [u8; 18], u32)>,
}

/// The ratio of an item over gathered figures; None when undefined.
fn ratio_of(f: &[f64; 9], item: &Item) -> Option<f64> {
    let num = f[item.numerator.index()];
    let den = f[item.denominator.index()];
    (!num.is_nan() && !den.is_nan() && den != 0.0).then(|| num / den)
}

fn rate_group(
    rows: &[Enterprise],
    group: &[u32],
    scheme: &Scheme,
    out: &mut Vec<(u32, Rating)>,
    scratch: &mut Scratch,
) -> GroupStats {
    let first = &rows[group[0] as usize];
    let items = if first.scale == Scale::Above { &scheme.above } else { &scheme.below };
    let n = group.len();
    let figures = &mut scratch.figures;
    figures.clear();
    figures.extend(group.iter().map(|&i| rows[i as usize].figures));
    // Benchmarks: ratio of sums over the enterprises for which the item is defined.
    let benchmarks: Vec<f64> = items
        .iter()
        .map(|it| {
            let (mut num, mut den) = (0.0, 0.0);
            for f in figures.iter() {
                if ratio_of(f, it).is_some() {
                    num += f[it.numerator.index()];
                    den += f[it.denominator.index()];
                }
            }
            if den != 0.0 { num / den } else { 0.0 }
        })
        .collect();
    // The mean of each item's score over the enterprises for which it is defined.
    let means: Vec<f64> = items
        .iter()
        .zip(&benchmarks)
        .map(|(it, &b)| {
            let (mut sum, mut count) = (0.0, 0usize);
            for f in figures.iter() {
                if let Some(s) = item_score(ratio_of(f, it), b, it, scheme.cap) {
                    sum += s;
                    count += 1;
                }
            }
            if count > 0 { sum / count as f64 } else { 0.0 }
        })
        .collect();
    let scores = &mut scratch.scores;
    scores.clear();
    for (f, &i) in figures.iter().zip(group) {
        let mut total = 0.0;
        for (k, it) in items.iter().enumerate() {
            total += item_score(ratio_of(f, it), benchmarks[k], it, scheme.cap).unwrap_or(means[k]);
        }
        scores.push((total, rows[i as usize].uscc, i));
    }
    // Rank by score, descending; equal scores share the best rank (SQL RANK()); the USCC orders ties.
    scores.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut rank = 0u32;
    for (pos, &(score, _, i)) in scores.iter().enumerate() {
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
        out.push((i, Rating { score, rank, group_size: n as u32, class, reason: Reason::Rated }));
    }
    GroupStats { city: first.city, scale: first.scale, benchmarks, means, size: n as u32 }
}

/// Why an enterprise got its score: each item's name, value (None when undefined), benchmark and score.
pub fn explain(e: &Enterprise, stats: &GroupStats, scheme: &Scheme) -> Vec<(&'static str, Option<f64>, f64, f64)> {
    let items = if e.scale == Scale::Above { &scheme.above } else { &scheme.below };
    items
        .iter()
        .enumerate()
        .map(|(k, it)| {
            let v = ratio(e, it);
            let s = item_score(v, stats.benchmarks[k], it, scheme.cap).unwrap_or(stats.means[k]);
            (it.name, v, stats.benchmarks[k], s)
        })
        .collect()
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
            figures: [land, tax, 1000.0, va, 30.0, 100.0, 10.0, 50.0, 200.0],
        }
    }

    #[test]
    fn not_rated_rules() {
        let mut young = firm(0, Scale::Above, 10.0, 100.0, 300.0);
        young.founded_year = 2023;
        let small = firm(0, Scale::Below, 2.0, 10.0, 30.0);
        let mut both = small.clone();
        both.founded_year = 2024;
        let r = evaluate(&[young, small, both], &Scheme::default()).ratings;
        assert_eq!(
            r.iter().map(|x| (x.class, x.reason.as_str())).collect::<Vec<_>>(),
            vec![(Class::T, "新设企业"), (Class::T, "规下用地不足3亩"), (Class::T, "新设企业"),]
        );
    }

    #[test]
    fn benchmarks_caps_means_ties_and_classes() {
        // Five identical firms and one far better: the better one is capped at twice each benchmark.
        let mut rows: Vec<Enterprise> = (0..5).map(|_| firm(0, Scale::Above, 10.0, 100.0, 300.0)).collect();
        rows.push(firm(0, Scale::Above, 10.0, 10_000.0, 30_000.0));
        // One without emissions reported: that item scores the group's mean.
        rows[0].figures[6] = f64::NAN;
        let scheme = Scheme::default();
        let ev = evaluate(&rows, &scheme);
        let r = &ev.ratings;
        assert_eq!(r[5].rank, 1);
        assert_eq!(r[5].class, Class::A);
        let why = |k: usize| explain(&rows[k], &ev.groups[0], &scheme);
        assert_eq!(why(5)[0].3, 60.0, "capped at 2 × 30");
        // The firm without emissions scores the group's mean there, which the capped leader lifts: rank 2.
        assert_eq!((r[0].rank, r[0].class), (2, Class::B));
        // The four equal firms share rank 3 (6 firms: 100·3 ≤ 60·6 → B).
        for x in &r[1..5] {
            assert_eq!((x.rank, x.class), (3, Class::B));
        }
        let emission_scores: Vec<f64> = (1..6).map(|k| why(k)[3].3).collect();
        let mean = emission_scores.iter().sum::<f64>() / 5.0;
        assert!((why(0)[3].3 - mean).abs() < 1e-12);
        assert!(why(0)[3].1.is_none());
        let total: f64 = why(0).iter().map(|x| x.3).sum();
        assert!((total - r[0].score).abs() < 1e-9, "the explanation adds up to the score");
    }

    #[test]
    fn groups_are_city_and_scale() {
        let rows = vec![
            firm(0, Scale::Above, 10.0, 100.0, 300.0),
            firm(1, Scale::Above, 10.0, 50.0, 300.0),
            firm(0, Scale::Below, 10.0, 5.0, 30.0),
        ];
        let r = evaluate(&rows, &Scheme::default()).ratings;
        assert!(r.iter().all(|x| x.group_size == 1 && x.rank == 1));
        // Alone in its group, a firm meets every benchmark: 100 points.
        assert!((r[0].score - 100.0).abs() < 1e-9);
        assert!((r[2].score - 100.0).abs() < 1e-9);
    }

    #[test]
    fn class_cut_offs() {
        // 20 firms with distinct scores: ranks 1-4 A, 5-12 B, 13-19 C, 20 D.
        let rows: Vec<Enterprise> = (0..20).map(|k| firm(0, Scale::Below, 10.0, 100.0 + k as f64, 30.0)).collect();
        let r = evaluate(&rows, &Scheme::default()).ratings;
        let mut by_rank: Vec<(u32, Class)> = r.iter().map(|x| (x.rank, x.class)).collect();
        by_rank.sort_by_key(|x| x.0);
        let classes: String = by_rank.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(classes, "AAAABBBBBBBBCCCCCCCD");
    }
}
