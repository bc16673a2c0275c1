//! Per-mu comprehensive evaluation (亩均效益综合评价) under a [`Scheme`] held as data: enterprises a
//! scheme does not rate get class T with the reason; the rest are scored within groups (their scale and
//! the scheme's keys: city, county, industry) item by item against a benchmark (the group's ratio of sums,
//! a published value, or a multiple of last year's average), capped, with a stand-in for an undefined
//! item; bonus and deduction items are added; then ranked with shared ranks for equal scores and classed
//! A/B/C/D by rank share or by score. A scheme may set a minimum group size, below which a group's firms
//! are rated within their scale's whole group or left unclassed. The default scheme is contracts §4.
//!
//! Entry points: [`evaluate`]`(rows, &scheme)` (or [`Dataset::evaluate`], which also checks that the
//! data has the columns the scheme needs and resolves industry codes), [`explain`] for one enterprise's
//! items, value, benchmark and score. An [`Enterprise`] is plain values: its `city`, `county` and
//! `industry` are small integers, indexes into the tables of names its [`Dataset`] keeps (`cities`,
//! `counties`, `industries`; 0 where the data has no such column); code that holds enterprises
//! elsewhere (a database) builds a `Dataset` with [`Dataset::push`] and a [`Record`]. Pure functions
//! over columns; no I/O except the CSV reader and writer in [`csv`].

pub mod csv;
mod dataset;
mod scheme;

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Mutex;

use serde::Serialize;

pub use dataset::{Columns, Dataset, Record};
pub use scheme::{
    Adjustment, AdjustmentKind, Benchmark, Classes, FORMAT_VERSION, GroupKey, Item, ItemCap, MAX_MIN_GROUP_SIZE,
    NO_CAP_LIMIT, Needs, NotRated, Rule, ScaleRules, Scheme, SchemeError, SmallGroup, Undefined, builtin_ids,
};

/// 规上 / 规下: the domain's type (`Scale as usize` indexes the scheme's per-scale tables).
pub use jiqun_domain::Scale;

/// How many figures an enterprise carries (see [`Field`]).
pub const FIGURES: usize = 10;

/// An enterprise's ten figures, indexed by `Field::index`, in 40 bytes: each kept as the decimal it was
/// written as (its digits, and how many of them follow the point), from which the very same f64 comes
/// back (digits ÷ 10^k, both exact, one rounding: how the reader computes it); an empty cell is NaN. A
/// set with a figure that is no such decimal (a negative or very large number, an exponent, a value
/// computed elsewhere) keeps all ten as they are, in a box. Equal, and printed, as the ten values.
#[derive(Clone)]
pub struct Figures {
    /// 0: empty (NaN); else `(digits << 3 | decimals) + 1`. Unused when `exact` is set.
    codes: [u32; FIGURES],
    exact: Option<Box<[f64; FIGURES]>>,
}

/// 10^k for the decimals of a figure's code.
const DECIMALS: [f64; 8] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7];

impl Figures {
    /// Every figure empty.
    pub const EMPTY: Figures = Figures { codes: [0; FIGURES], exact: None };

    #[inline]
    fn decode(c: u32) -> f64 {
        if c == 0 {
            return f64::NAN;
        }
        let c = c - 1;
        f64::from(c >> 3) / DECIMALS[(c & 7) as usize]
    }

    /// Figure `k` (NaN when empty, or past the last).
    #[inline]
    pub fn get(&self, k: usize) -> f64 {
        match &self.exact {
            None => self.codes.get(k).map_or(f64::NAN, |&c| Figures::decode(c)),
            Some(b) => b.get(k).copied().unwrap_or(f64::NAN),
        }
    }

    /// The codes, unless the figures are boxed.
    #[inline]
    fn codes(&self) -> Option<&[u32; FIGURES]> {
        if self.exact.is_none() { Some(&self.codes) } else { None }
    }

    /// All ten.
    #[inline]
    pub fn to_array(&self) -> [f64; FIGURES] {
        match &self.exact {
            None => std::array::from_fn(|k| self.get(k)),
            Some(b) => **b,
        }
    }

    /// Sets figure `k` (ignored past the last).
    pub fn set(&mut self, k: usize, v: f64) {
        if k >= FIGURES {
            return;
        }
        if self.exact.is_none() {
            if v.is_nan() {
                self.codes[k] = 0;
                return;
            }
            // The fewest decimals that give `v` back exactly, if any do.
            for (d, p) in DECIMALS.iter().enumerate() {
                let m = (v * p).round();
                if (0.0..DIGITS_LIMIT as f64).contains(&m) {
                    let c = ((m as u32) << 3 | d as u32) + 1;
                    if Figures::decode(c).to_bits() == v.to_bits() {
                        self.codes[k] = c;
                        return;
                    }
                }
            }
            self.exact = Some(Box::new(self.to_array()));
        }
        if let Some(b) = &mut self.exact {
            b[k] = v;
        }
    }

    /// Sets figure `k` to `value`, which is `digits ÷ 10^decimals` as a reader computes a plain decimal.
    #[inline]
    pub(crate) fn set_decimal(&mut self, k: usize, digits: u64, decimals: usize) {
        if digits < DIGITS_LIMIT && decimals < DECIMALS.len() && self.exact.is_none() && k < FIGURES {
            self.codes[k] = ((digits as u32) << 3 | decimals as u32) + 1;
        } else {
            let p = POW10.get(decimals).copied().unwrap_or_else(|| 10f64.powi(decimals as i32));
            self.set(k, digits as f64 / p);
        }
    }
}

/// 10^k, exact.
pub(crate) const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// No figure's code (a mark for boxed figures in `rate_group`).
const BOXED: u32 = u32::MAX;

/// Digits up to this (not included) fit in a figure's code.
const DIGITS_LIMIT: u64 = (1 << 29) - 1;

impl From<[f64; FIGURES]> for Figures {
    fn from(values: [f64; FIGURES]) -> Figures {
        let mut f = Figures::EMPTY;
        for (k, v) in values.into_iter().enumerate() {
            f.set(k, v);
        }
        f
    }
}

impl PartialEq for Figures {
    fn eq(&self, other: &Figures) -> bool {
        self.to_array() == other.to_array()
    }
}

impl std::fmt::Debug for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.to_array()).finish()
    }
}

/// The figures of one enterprise for one year. Money in 万元. An empty cell is NaN (88 bytes a row: a
/// million of them fit in 88 MB); `Field::of` turns it into `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Enterprise {
    pub uscc: [u8; 18],
    pub scale: Scale,
    /// Index into the data set's `cities`.
    pub city: u32,
    /// Index into the data set's `counties` (0 when the data has no county column).
    pub county: u32,
    /// Index into the data set's `industries` (GB/T 4754 codes; 0 when the data has none).
    pub industry: u32,
    pub founded_year: i32,
    pub year: i32,
    /// Indexed by `Field::index`: land, tax, revenue, value added, R&D, energy, emission, employees,
    /// electricity, tenants.
    pub figures: Figures,
}

impl Enterprise {
    /// Nothing known yet: every figure missing (NaN), every index 0.
    pub const BLANK: Enterprise = Enterprise {
        uscc: [0; 18],
        scale: Scale::Above,
        city: 0,
        county: 0,
        industry: 0,
        founded_year: 0,
        year: 0,
        figures: Figures::EMPTY,
    };

    pub fn land_mu(&self) -> f64 {
        self.figures.get(0)
    }
}

/// A figure of the input, named in a scheme file by its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Field {
    #[serde(rename = "land_mu")]
    Land,
    #[serde(rename = "tax_wan")]
    Tax,
    #[serde(rename = "revenue_wan")]
    Revenue,
    #[serde(rename = "value_added_wan")]
    ValueAdded,
    #[serde(rename = "rd_wan")]
    Rd,
    #[serde(rename = "energy_tce")]
    Energy,
    #[serde(rename = "emission_t")]
    Emission,
    #[serde(rename = "employees")]
    Employees,
    #[serde(rename = "electricity_mwh")]
    Electricity,
    /// 出租户数: how many firms rent the enterprise's plant (an optional column, for deductions).
    #[serde(rename = "tenants")]
    Tenants,
}

impl Field {
    pub const ALL: [Field; FIGURES] = [
        Field::Land,
        Field::Tax,
        Field::Revenue,
        Field::ValueAdded,
        Field::Rd,
        Field::Energy,
        Field::Emission,
        Field::Employees,
        Field::Electricity,
        Field::Tenants,
    ];

    /// Its place in `Enterprise::figures`.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Its input column.
    pub fn column(self) -> &'static str {
        match self {
            Field::Land => "land_mu",
            Field::Tax => "tax_wan",
            Field::Revenue => "revenue_wan",
            Field::ValueAdded => "value_added_wan",
            Field::Rd => "rd_wan",
            Field::Energy => "energy_tce",
            Field::Emission => "emission_t",
            Field::Employees => "employees",
            Field::Electricity => "electricity_mwh",
            Field::Tenants => "tenants",
        }
    }

    pub fn of(self, e: &Enterprise) -> Option<f64> {
        let v = e.figures.get(self.index());
        (!v.is_nan()).then_some(v)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
    /// Index into `Evaluation::groups`; `u32::MAX` when not rated.
    pub group: u32,
    pub class: Class,
    pub reason: Reason,
}

impl Rating {
    pub fn score(&self) -> Option<f64> {
        (!self.score.is_nan()).then_some(self.score)
    }

    const NOT_RATED: Rating =
        Rating { score: f64::NAN, rank: 0, group_size: 0, group: u32::MAX, class: Class::T, reason: Reason::Rated };
}

/// Why an enterprise is not rated. Checked in this order: a listed exemption, an exempt industry, a new
/// firm, a below-scale firm on too little land; then, among the rest, a group below the scheme's
/// `min_group_size` under `small_group: unclassed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Reason {
    Rated,
    /// 新设企业
    New,
    /// 规下用地不足3亩 (the default scheme's threshold; `Evaluation::reason_text` says the scheme's)
    SmallLand,
    /// 豁免行业
    ExemptIndustry,
    /// 豁免企业
    ExemptListed,
    /// 同组参评企业不足N家: the group is below the scheme's `min_group_size` and the scheme leaves such
    /// groups unclassed (`Evaluation::reason_text` says the scheme's N).
    SmallGroup,
}

impl Reason {
    /// The text under the default scheme.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Rated => "",
            Reason::New => "新设企业",
            Reason::SmallLand => "规下用地不足3亩",
            Reason::ExemptIndustry => "豁免行业",
            Reason::ExemptListed => "豁免企业",
            Reason::SmallGroup => "同组参评企业过少",
        }
    }
}

/// A group's keys, benchmarks and the mean score of each item (what an undefined item scores under
/// `undefined_item: group_mean`).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupStats {
    pub scale: Scale,
    /// The group's city, county and industry, where the scheme groups by them.
    pub city: Option<u32>,
    pub county: Option<u32>,
    pub industry: Option<u32>,
    pub benchmarks: Vec<f64>,
    pub means: Vec<f64>,
    /// How many enterprises were ranked together: the group's, or for a merged group its scale's whole
    /// group's (the `group_size` of the output).
    pub size: u32,
    /// The group was below the scheme's `min_group_size` and its enterprises were rated within every
    /// rated enterprise of their scale (`small_group: merge_all`): the benchmarks, means and size are that
    /// group's, and `Evaluation::ranked` lists only this group's own enterprises, with their ranks there.
    pub merged: bool,
}

/// One rated enterprise in its group's rank order (ties by USCC), until its rating is written.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ranked {
    score: f64,
    /// Its row in the evaluated data.
    row: u32,
    rank: u32,
    class: Class,
}

/// The results in the input's order, each group's statistics, and each group's enterprises in rank order.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub ratings: Vec<Rating>,
    pub groups: Vec<GroupStats>,
    /// Each thread's groups' rows in rank order (their results are in `ratings`); `at[g]` says where group
    /// g is (which list, from where, how many).
    ranked: [Vec<u32>; 2],
    at: Vec<(u8, u32, u32)>,
    /// The rows not rated, in input order.
    unrated: Vec<u32>,
    /// Non-zero bonus and deduction points: (row, adjustment, points), by row.
    adjustments: Vec<(u32, u32, f64)>,
    reasons: [String; 6],
    by: [bool; 3],
}

impl Evaluation {
    /// Group `g`'s enterprises (their rows; their results are in `ratings`), best first (of a merged group,
    /// only its own, with their ranks in the group they were ranked in).
    pub fn ranked(&self, g: usize) -> &[u32] {
        let Some(&(list, start, len)) = self.at.get(g) else { return &[] };
        let start = start as usize;
        self.ranked[usize::from(list & 1)].get(start..start + len as usize).unwrap_or(&[])
    }

    /// The rows not rated, in input order.
    pub fn unrated(&self) -> &[u32] {
        &self.unrated
    }

    /// The reason's text under the evaluated scheme (its land threshold, for one).
    pub fn reason_text(&self, r: Reason) -> &str {
        &self.reasons[r as usize]
    }

    /// Whether the scheme grouped by this key.
    pub fn grouped_by(&self, key: GroupKey) -> bool {
        self.by[key as usize]
    }

    /// The bonus and deduction points of row `i`: (adjustment index in the scheme, points).
    pub fn adjustments_of(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let start = self.adjustments.partition_point(|a| (a.0 as usize) < i);
        self.adjustments[start..].iter().take_while(move |a| a.0 as usize == i).map(|a| (a.1 as usize, a.2))
    }
}

/// FxHash-style hashing: the keys (USCCs, names) are short, and nothing here is worth an attack.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Eight bytes at a time, each word mixed by a multiply (FxHash's scheme).
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            h = (h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        self.0 = h;
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
type FastSet<K> = HashSet<K, BuildHasherDefault<Fnv>>;

/// Runs two closures at once, the second on a new thread.
pub(crate) fn both<A, B: Send>(a: impl FnOnce() -> A, b: impl FnOnce() -> B + Send) -> (A, B) {
    std::thread::scope(|s| {
        let h = s.spawn(b);
        let ra = a();
        match h.join() {
            Ok(rb) => (ra, rb),
            Err(p) => std::panic::resume_unwind(p),
        }
    })
}

/// An item, compiled: figure indexes, the effective cap, the benchmark when it is fixed.
#[derive(Debug, Clone, Copy)]
struct ItemPlan {
    num: usize,
    den: usize,
    weight: f64,
    factor: f64,
    cap: f64,
    fixed: Option<f64>,
}

impl ItemPlan {
    fn new(it: &Item, scheme: &Scheme) -> ItemPlan {
        let cap = match it.cap {
            ItemCap::Scheme => scheme.cap,
            ItemCap::None => None,
            ItemCap::At(c) => Some(c),
        };
        ItemPlan {
            num: it.numerator.index(),
            den: it.denominator.index(),
            weight: it.weight,
            factor: it.factor,
            cap: cap.map_or(NO_CAP_LIMIT, |c| c.min(NO_CAP_LIMIT)),
            fixed: it.benchmark.fixed_value().map(finite_or_zero),
        }
    }

    /// The item's value; None when undefined (numerator or denominator empty, denominator 0).
    #[inline]
    fn value(&self, f: &[f64; FIGURES]) -> Option<f64> {
        let num = f[self.num];
        let den = f[self.den];
        (!num.is_nan() && !den.is_nan() && den != 0.0).then(|| num / den * self.factor)
    }

    /// weight × min(value ÷ benchmark, cap); 0 when the benchmark is 0.
    #[inline]
    fn score(&self, value: Option<f64>, benchmark: f64) -> Option<f64> {
        let v = value?;
        Some(if benchmark != 0.0 { self.weight * (v / benchmark).min(self.cap) } else { 0.0 })
    }
}

fn finite_or_zero(v: f64) -> f64 {
    if v.is_finite() { v } else { 0.0 }
}

struct AdjustmentPlan<'s> {
    rule: &'s Adjustment,
    listed: FastSet<[u8; 18]>,
    /// By industry id, for an `industries` rule.
    industry: Vec<bool>,
}

/// A scheme compiled against the data's industry names.
struct Plan<'s> {
    items: [Vec<ItemPlan>; 2],
    classes: [Classes; 2],
    group_mean: bool,
    /// `min_group_size` (above 1) and what to do below it.
    small: Option<(usize, SmallGroup)>,
    min_age: i32,
    below_min_land: f64,
    by: [bool; 3],
    exempt_industry: Vec<bool>,
    exempt_uscc: FastSet<[u8; 18]>,
    adjustments: Vec<AdjustmentPlan<'s>>,
}

fn uscc_set(list: &[String]) -> FastSet<[u8; 18]> {
    list.iter().filter_map(|c| <[u8; 18]>::try_from(c.as_bytes()).ok()).collect()
}

fn industry_matches(industries: &[String], prefixes: &[String]) -> Vec<bool> {
    if prefixes.is_empty() {
        return Vec::new();
    }
    industries.iter().map(|code| !code.is_empty() && prefixes.iter().any(|p| code.starts_with(p.as_str()))).collect()
}

impl<'s> Plan<'s> {
    fn new(scheme: &'s Scheme, industries: &[String]) -> Plan<'s> {
        let items = |r: &ScaleRules| r.items.iter().map(|it| ItemPlan::new(it, scheme)).collect();
        Plan {
            items: [items(&scheme.above), items(&scheme.below)],
            classes: [scheme.above.classes, scheme.below.classes],
            group_mean: scheme.undefined_item == Undefined::GroupMean,
            small: match (scheme.min_group_size, scheme.small_group) {
                (Some(n), Some(rule)) if n > 1 => Some((n as usize, rule)),
                _ => None,
            },
            min_age: scheme.not_rated.min_age_years,
            below_min_land: scheme.not_rated.below_min_land_mu,
            by: [GroupKey::City, GroupKey::County, GroupKey::Industry].map(|k| scheme.groups_by(k)),
            exempt_industry: industry_matches(industries, &scheme.not_rated.exempt_industries),
            exempt_uscc: uscc_set(&scheme.not_rated.exempt_uscc),
            adjustments: scheme
                .adjustments
                .iter()
                .map(|a| AdjustmentPlan {
                    rule: a,
                    listed: if let Rule::Listed(l) = &a.rule { uscc_set(l) } else { FastSet::default() },
                    industry: if let Rule::Industries(p) = &a.rule {
                        industry_matches(industries, p)
                    } else {
                        Vec::new()
                    },
                })
                .collect(),
        }
    }

    fn reason(&self, e: &Enterprise) -> Reason {
        if !self.exempt_uscc.is_empty() && self.exempt_uscc.contains(&e.uscc) {
            Reason::ExemptListed
        } else if self.exempt_industry.get(e.industry as usize) == Some(&true) {
            Reason::ExemptIndustry
        } else if e.year - e.founded_year < self.min_age {
            Reason::New
        } else if e.scale == Scale::Below && e.land_mu() < self.below_min_land {
            Reason::SmallLand
        } else {
            Reason::Rated
        }
    }

    /// Adds row `i`'s bonus and deduction points to `total`, recording the non-zero ones.
    fn adjust(&self, e: &Enterprise, i: u32, total: &mut f64, out: &mut Vec<(u32, u32, f64)>) {
        for (k, a) in self.adjustments.iter().enumerate() {
            if a.rule.scale.is_some_and(|s| s != e.scale) {
                continue;
            }
            let listed = !a.listed.is_empty() && a.listed.contains(&e.uscc);
            let industry = a.industry.get(e.industry as usize) == Some(&true);
            let p = a.rule.points_for(&e.figures, listed, industry);
            if p != 0.0 {
                *total += p;
                out.push((i, k as u32, p));
            }
        }
    }
}

/// Rates every enterprise under `scheme`. Industry-code rules (exempt industries, industry bonuses)
/// need the industry names: use [`Dataset::evaluate`] for them; here they match nothing.
pub fn evaluate(rows: &[Enterprise], scheme: &Scheme) -> Evaluation {
    evaluate_in(rows, &[], scheme)
}

/// Rows are bucketed by group in one counting pass over a key per row; groups are rated on two threads.
pub(crate) fn evaluate_in(rows: &[Enterprise], industries: &[String], scheme: &Scheme) -> Evaluation {
    let plan = Plan::new(scheme, industries);
    let n = rows.len();
    // Not rated or not, and each rated row's group key (u32::MAX: not rated). Keys are mixed-radix
    // numbers of the grouping ids and the scale while they stay small, else numbered as they come. The
    // city is the most significant digit, so only the county's and industry's ranges need a pass.
    let range = |f: fn(&Enterprise) -> u32, on: bool| {
        if on { rows.iter().map(f).max().map_or(1, |m| u64::from(m) + 1) } else { 1 }
    };
    let (nco, ni) = (range(|e| e.county, plan.by[1]), range(|e| e.industry, plan.by[2]));
    let limit = (1u64 << 22).max(4 * n as u64).min(u64::from(u32::MAX) - 1);
    let by = plan.by;
    let radix = move |e: &Enterprise| -> u64 {
        let c = if by[0] { u64::from(e.city) } else { 0 };
        let co = if by[1] { u64::from(e.county) } else { 0 };
        let i = if by[2] { u64::from(e.industry) } else { 0 };
        let k = c.saturating_mul(nco).saturating_add(co).saturating_mul(ni).saturating_add(i);
        k.saturating_mul(2).saturating_add(e.scale as u64)
    };
    let mut ratings = vec![Rating::NOT_RATED; n];
    let mut keys = vec![u32::MAX; n];
    // Per half: the rows not rated, the largest key, whether a key went past the limit.
    let classify = |rows: &[Enterprise], ratings: &mut [Rating], keys: &mut [u32], first: usize| {
        let mut unrated = Vec::new();
        let (mut max, mut over) = (0u64, false);
        for (i, ((e, r), k)) in rows.iter().zip(ratings.iter_mut()).zip(keys.iter_mut()).enumerate() {
            r.reason = plan.reason(e);
            if r.reason == Reason::Rated {
                let key = radix(e);
                over |= key >= limit;
                max = max.max(key);
                *k = key.min(limit) as u32;
            } else {
                unrated.push((first + i) as u32);
            }
        }
        (unrated, max, over)
    };
    let (unrated, max, over) = if n >= 1 << 14 {
        let mid = n / 2;
        let (ra, rb) = ratings.split_at_mut(mid);
        let (ka, kb) = keys.split_at_mut(mid);
        let ((mut a, max_a, over_a), (b, max_b, over_b)) =
            both(|| classify(&rows[..mid], ra, ka, 0), || classify(&rows[mid..], rb, kb, mid));
        a.extend(b);
        (a, max_a.max(max_b), over_a || over_b)
    } else {
        classify(rows, &mut ratings, &mut keys, 0)
    };
    let direct = (!over).then_some(max + 1);
    let nkeys = match direct {
        Some(k) => k as usize,
        None => {
            // Too many combinations for a table: number the groups as they come.
            let mut wide: FastMap<(u32, u32, u32, u8), u32> = FastMap::default();
            for (e, k) in rows.iter().zip(keys.iter_mut()) {
                if *k != u32::MAX {
                    let t = (
                        if by[0] { e.city } else { 0 },
                        if by[1] { e.county } else { 0 },
                        if by[2] { e.industry } else { 0 },
                        e.scale as u8,
                    );
                    let next = wide.len() as u32;
                    *k = *wide.entry(t).or_insert(next);
                }
            }
            wide.len()
        }
    };
    // Bucket the rated rows by group (a counting sort on the keys).
    let mut starts = vec![0u32; nkeys + 1];
    for &k in &keys {
        if k != u32::MAX {
            starts[k as usize + 1] += 1;
        }
    }
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    let mut fill = starts.clone();
    let mut order = vec![0u32; starts[nkeys] as usize];
    for (i, &k) in keys.iter().enumerate() {
        if k != u32::MAX {
            let slot = &mut fill[k as usize];
            order[*slot as usize] = i as u32;
            *slot += 1;
        }
    }
    drop(keys);
    drop(fill);
    // The non-empty groups in key order; two threads take them, the largest first, to even the work.
    let mut groups_rows: Vec<&[u32]> = starts
        .windows(2)
        .filter(|w| w[1] > w[0])
        .map(|w| order.get(w[0] as usize..w[1] as usize).unwrap_or(&[]))
        .collect();
    // Groups below the scheme's min_group_size (nothing to do without it): left unclassed, or marked to be
    // rated within their scale's whole group.
    let mut unrated = unrated;
    let mut merged: Vec<bool> = Vec::new();
    if let Some((min, rule)) = plan.small {
        let scale_of = |g: &[u32]| g.first().and_then(|&i| rows.get(i as usize)).map_or(Scale::Above, |e| e.scale);
        // Per group: 0 on its own, 1 merged, 2 unclassed.
        let mut state: Vec<u8> = groups_rows.iter().map(|g| if g.len() < min { 2 } else { 0 }).collect();
        if rule == SmallGroup::MergeAll {
            for scale in [Scale::Above, Scale::Below] {
                let total: usize = groups_rows.iter().filter(|g| scale_of(g) == scale).map(|g| g.len()).sum();
                if total >= min {
                    for (s, g) in state.iter_mut().zip(&groups_rows) {
                        if *s == 2 && scale_of(g) == scale {
                            *s = 1;
                        }
                    }
                }
            }
        }
        if state.contains(&2) {
            for (&s, g) in state.iter().zip(&groups_rows) {
                if s == 2 {
                    for &i in g.iter() {
                        if let Some(r) = ratings.get_mut(i as usize) {
                            r.reason = Reason::SmallGroup;
                            unrated.push(i);
                        }
                    }
                }
            }
            unrated.sort_unstable();
            let mut k = 0;
            groups_rows.retain(|_| {
                k += 1;
                state[k - 1] != 2
            });
            state.retain(|&s| s != 2);
        }
        if state.contains(&1) {
            merged = state.iter().map(|&s| s == 1).collect();
        }
    }
    let is_merged = |g: usize| merged.get(g) == Some(&true);
    let mut by_size: Vec<usize> = (0..groups_rows.len()).filter(|&g| !is_merged(g)).collect();
    by_size.sort_unstable_by_key(|&g| std::cmp::Reverse(groups_rows[g].len()));
    let (mut mine, mut theirs) = (Vec::new(), Vec::new());
    let (mut load_a, mut load_b) = (0usize, 0usize);
    for g in by_size {
        if load_a <= load_b {
            load_a += groups_rows[g].len();
            mine.push(g);
        } else {
            load_b += groups_rows[g].len();
            theirs.push(g);
        }
    }
    // Each group's results go into `ratings` as soon as it is rated (the lock is taken once a group), so
    // no more than a group's results are held twice.
    let shared = Mutex::new(&mut ratings[..]);
    let work = |gs: Vec<usize>| -> Work {
        let mut w = Work::default();
        w.order.reserve(gs.iter().map(|&g| groups_rows[g].len()).sum());
        let mut scratch = Scratch::default();
        for g in gs {
            let stats = rate_group(rows, groups_rows[g], &plan, &mut scratch, &mut w);
            let list = std::mem::take(&mut w.ranked);
            w.settle(g, &list, stats, &shared);
            w.ranked = list;
            w.ranked.clear();
        }
        w
    };
    let (mut wa, wb) = if load_b > 0 { both(|| work(mine), || work(theirs)) } else { (work(mine), Work::default()) };
    if merged.contains(&true) {
        rate_merged(rows, &groups_rows, &merged, &plan, &mut wa, &shared);
    }
    let group_count = groups_rows.len();
    drop(groups_rows);
    drop(order);
    let mut groups: Vec<Option<GroupStats>> = vec![None; group_count];
    let mut at = vec![(0u8, 0u32, 0u32); group_count];
    let mut adjustments = Vec::with_capacity(wa.adjustments.len() + wb.adjustments.len());
    let mut ranked = [Vec::new(), Vec::new()];
    for (list, w) in [wa, wb].into_iter().enumerate() {
        for (g, start, len, stats) in w.groups {
            if let (Some(a), Some(s)) = (at.get_mut(g), groups.get_mut(g)) {
                *a = (list as u8, start as u32, len as u32);
                *s = Some(stats);
            }
        }
        adjustments.extend(w.adjustments);
        ranked[list] = w.order;
    }
    adjustments.sort_unstable_by_key(|a| (a.0, a.1));
    let groups: Vec<GroupStats> = groups.into_iter().flatten().collect();
    let land = scheme.not_rated.below_min_land_mu;
    Evaluation {
        ratings,
        groups,
        ranked,
        at,
        unrated,
        adjustments,
        reasons: [
            String::new(),
            Reason::New.as_str().to_string(),
            format!("规下用地不足{land}亩"),
            Reason::ExemptIndustry.as_str().to_string(),
            Reason::ExemptListed.as_str().to_string(),
            match scheme.min_group_size {
                Some(n) => format!("同组参评企业不足{n}家"),
                None => Reason::SmallGroup.as_str().to_string(),
            },
        ],
        by: plan.by,
    }
}

/// One thread's share: per group (its number, where its list starts in `ranked`, how long it is, its
/// statistics).
#[derive(Default)]
struct Work {
    groups: Vec<(usize, usize, usize, GroupStats)>,
    /// The group being rated, in rank order (then moved to `ratings` and `order`).
    ranked: Vec<Ranked>,
    /// The rows of the groups rated, each group in rank order.
    order: Vec<u32>,
    adjustments: Vec<(u32, u32, f64)>,
}

impl Work {
    /// Group `g`'s enterprises `list`, in rank order: their ratings written, their rows listed, the group
    /// recorded.
    fn settle(&mut self, g: usize, list: &[Ranked], stats: GroupStats, ratings: &Mutex<&mut [Rating]>) {
        {
            let mut ratings = ratings.lock().unwrap_or_else(|e| e.into_inner());
            for r in list {
                if let Some(slot) = ratings.get_mut(r.row as usize) {
                    *slot = Rating {
                        score: r.score,
                        rank: r.rank,
                        group_size: stats.size,
                        group: g as u32,
                        class: r.class,
                        reason: Reason::Rated,
                    };
                }
            }
        }
        let at = self.order.len();
        self.order.extend(list.iter().map(|r| r.row));
        self.groups.push((g, at, list.len(), stats));
    }
}

#[derive(Default)]
struct Scratch {
    figures: Vec<[u32; FIGURES]>,
    /// Per row and item: the value, then the score (NaN: undefined).
    cells: Vec<f64>,
    ids: Vec<([u8; 18], u32)>,
    totals: Vec<f64>,
    order: Vec<(u64, u32)>,
}

/// Rates one group (its rows, `group`, ascending), appending its enterprises in rank order to `w.ranked`.
/// The rows' figures are gathered first; then three passes: each row's item values and the benchmarks'
/// sums, the item scores and their means, the totals. Every sum runs in row order.
fn rate_group(rows: &[Enterprise], group: &[u32], plan: &Plan, scratch: &mut Scratch, w: &mut Work) -> GroupStats {
    let Some(first) = group.first().and_then(|&i| rows.get(i as usize)) else {
        return GroupStats {
            scale: Scale::Above,
            city: None,
            county: None,
            industry: None,
            benchmarks: Vec::new(),
            means: Vec::new(),
            size: 0,
            merged: false,
        };
    };
    let scale = first.scale;
    let items = &plan.items[scale as usize];
    let n = group.len();
    let cells = &mut scratch.cells;
    cells.clear();
    cells.reserve(n * items.len());
    let ids = &mut scratch.ids;
    ids.clear();
    // The rows' figures first, a few thousand at a time, in a loop short enough for many rows' memory reads
    // to be under way at once.
    let figures = &mut scratch.figures;
    let mut sums = vec![(0.0f64, 0.0f64); items.len()];
    // Only the figures the items read are decoded.
    let mut used: Vec<usize> = items.iter().flat_map(|it| [it.num, it.den]).filter(|&k| k < FIGURES).collect();
    used.sort_unstable();
    used.dedup();
    for part in group.chunks(4096) {
        // The rows' codes (a loop of loads only), then the figures decoded from them.
        figures.clear();
        let from = ids.len();
        for &i in part {
            if let Some(e) = rows.get(i as usize) {
                figures.push(e.figures.codes().copied().unwrap_or([BOXED; FIGURES]));
                ids.push((e.uscc, i));
            }
        }
        for (codes, &(_, i)) in figures.iter().zip(&ids[from..]) {
            let mut f = [f64::NAN; FIGURES];
            if codes[0] == BOXED {
                let e = rows.get(i as usize).map_or(&Figures::EMPTY, |e| &e.figures);
                for &k in &used {
                    f[k] = e.get(k);
                }
            } else {
                for &k in &used {
                    f[k] = Figures::decode(codes[k]);
                }
            }
            if items.is_empty() {
                // (A scheme with no items here fails its checks; built in code, its firms score 0.)
                cells.push(f64::NAN);
            }
            for (it, sum) in items.iter().zip(sums.iter_mut()) {
                let num = f[it.num];
                let den = f[it.den];
                if !num.is_nan() && !den.is_nan() && den != 0.0 {
                    sum.0 += num;
                    sum.1 += den;
                    cells.push(num / den * it.factor);
                } else {
                    cells.push(f64::NAN);
                }
            }
        }
    }
    // Benchmarks: fixed, or the ratio of sums over the enterprises for which the item is defined.
    let benchmarks: Vec<f64> = items
        .iter()
        .zip(&sums)
        .map(|(it, &(num, den))| {
            it.fixed.unwrap_or_else(|| finite_or_zero(if den != 0.0 { num / den * it.factor } else { 0.0 }))
        })
        .collect();
    // Item scores, and their mean over the enterprises for which each is defined.
    let mut mean_sums = vec![(0.0f64, 0usize); items.len()];
    for row in cells.chunks_exact_mut(items.len().max(1)) {
        for (((cell, it), &b), m) in row.iter_mut().zip(items).zip(&benchmarks).zip(mean_sums.iter_mut()) {
            if !cell.is_nan() {
                let s = it.score(Some(*cell), b).unwrap_or(0.0);
                m.0 += s;
                m.1 += 1;
                *cell = s;
            }
        }
    }
    let means: Vec<f64> = mean_sums
        .iter()
        .map(|&(sum, count)| if plan.group_mean && count > 0 { sum / count as f64 } else { 0.0 })
        .collect();
    let totals = &mut scratch.totals;
    totals.clear();
    let order = &mut scratch.order;
    order.clear();
    for (k, (row, &(_, i))) in cells.chunks_exact(items.len().max(1)).zip(ids.iter()).enumerate() {
        let mut total = 0.0;
        for (cell, mean) in row.iter().zip(&means) {
            total += if cell.is_nan() { *mean } else { *cell };
        }
        if !plan.adjustments.is_empty()
            && let Some(e) = rows.get(i as usize)
        {
            plan.adjust(e, i, &mut total, &mut w.adjustments);
        }
        totals.push(total);
        // Descending in f64::total_cmp's order, as an unsigned key.
        let bits = total.to_bits() as i64;
        let ascending = (bits ^ (((bits >> 63) as u64) >> 1) as i64) as u64 ^ (1 << 63);
        order.push((!ascending, k as u32));
    }
    // Rank by score, descending; equal scores share the best rank (SQL RANK()); the USCC orders ties.
    order.sort_unstable_by_key(|x| x.0);
    let mut a = 0;
    while a < order.len() {
        let b = a + order[a..].iter().take_while(|x| x.0 == order[a].0).count();
        if b - a > 1 {
            order[a..b].sort_unstable_by(|x, y| ids[x.1 as usize].0.cmp(&ids[y.1 as usize].0));
        }
        a = b;
    }
    let mut rank = 0u32;
    let mut previous = f64::NAN;
    for (pos, &(_, k)) in order.iter().enumerate() {
        let (score, (_, row)) = (totals[k as usize], ids[k as usize]);
        if pos == 0 || score != previous {
            rank = pos as u32 + 1;
        }
        previous = score;
        let class = match plan.classes[scale as usize] {
            Classes::RankShare { a, b, c } => {
                let share = 100.0 * rank as f64;
                if share <= a * n as f64 {
                    Class::A
                } else if share <= b * n as f64 {
                    Class::B
                } else if share <= c * n as f64 {
                    Class::C
                } else {
                    Class::D
                }
            }
            Classes::Score { a, b, c } => {
                if score >= a {
                    Class::A
                } else if score >= b {
                    Class::B
                } else if score >= c {
                    Class::C
                } else {
                    Class::D
                }
            }
        };
        w.ranked.push(Ranked { score, row, rank, class });
    }
    GroupStats {
        scale,
        city: plan.by[0].then_some(first.city),
        county: plan.by[1].then_some(first.county),
        industry: plan.by[2].then_some(first.industry),
        benchmarks,
        means,
        size: n as u32,
        merged: false,
    }
}

/// Rates the groups marked in `merged` (below `min_group_size`) within their scale's whole group: every
/// rated enterprise of that scale, in row order, as one group (the two scales on two threads when both
/// have such groups). Each marked group keeps its keys and its own enterprises, with their scores, ranks
/// and classes in the whole group and the whole group's benchmarks, means and size; appended to `w`. The
/// other groups' results are their own, rated before.
fn rate_merged(
    rows: &[Enterprise],
    groups_rows: &[&[u32]],
    merged: &[bool],
    plan: &Plan,
    w: &mut Work,
    ratings: &Mutex<&mut [Rating]>,
) {
    let scale_of = |g: &[u32]| g.first().and_then(|&i| rows.get(i as usize)).map(|e| e.scale);
    let marked: Vec<usize> = (0..groups_rows.len()).filter(|&g| merged.get(g) == Some(&true)).collect();
    // Each merged row's place in `marked`.
    let mut owner = vec![u32::MAX; rows.len()];
    for (m, &g) in marked.iter().enumerate() {
        for &i in groups_rows[g] {
            if let Some(o) = owner.get_mut(i as usize) {
                *o = m as u32;
            }
        }
    }
    let owned = |row: u32| owner.get(row as usize).copied().filter(|&m| m != u32::MAX);
    let needed = |scale: Scale| marked.iter().any(|&g| scale_of(groups_rows[g]) == Some(scale));
    let whole = |scale: Scale| -> Option<(GroupStats, Work)> {
        if !needed(scale) {
            return None;
        }
        let mut all: Vec<u32> =
            groups_rows.iter().filter(|g| scale_of(g) == Some(scale)).flat_map(|g| g.iter().copied()).collect();
        all.sort_unstable();
        let mut work = Work::default();
        let stats = rate_group(rows, &all, plan, &mut Scratch::default(), &mut work);
        Some((stats, work))
    };
    let (above, below) = if needed(Scale::Above) && needed(Scale::Below) {
        both(|| whole(Scale::Above), || whole(Scale::Below))
    } else {
        (whole(Scale::Above), whole(Scale::Below))
    };
    for (scale, (stats, whole)) in
        [(Scale::Above, above), (Scale::Below, below)].into_iter().filter_map(|(scale, x)| x.map(|x| (scale, x)))
    {
        w.adjustments.extend(whole.adjustments.iter().filter(|a| owned(a.0).is_some()));
        // The whole group's ranking, split by the merged group each enterprise belongs to, in rank order.
        let mut lists: Vec<Vec<Ranked>> = vec![Vec::new(); marked.len()];
        for r in &whole.ranked {
            if let Some(m) = owned(r.row)
                && let Some(list) = lists.get_mut(m as usize)
            {
                list.push(*r);
            }
        }
        for (&g, list) in marked.iter().zip(&lists) {
            let Some(first) = groups_rows[g].first().and_then(|&i| rows.get(i as usize)) else { continue };
            if first.scale != scale {
                continue;
            }
            let group = GroupStats {
                scale,
                city: plan.by[0].then_some(first.city),
                county: plan.by[1].then_some(first.county),
                industry: plan.by[2].then_some(first.industry),
                benchmarks: stats.benchmarks.clone(),
                means: stats.means.clone(),
                size: stats.size,
                merged: true,
            };
            w.settle(g, list, group, ratings);
        }
    }
}

/// One item of an explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemScore {
    pub name: String,
    pub unit: String,
    pub weight: f64,
    /// None when undefined for this enterprise (its score is then the stand-in).
    pub value: Option<f64>,
    pub benchmark: f64,
    /// The ratio to the benchmark counted at most this (None: no cap).
    pub cap: Option<f64>,
    pub score: f64,
    /// The value was above cap × benchmark.
    pub capped: bool,
}

/// A bonus or deduction applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdjustmentScore {
    pub name: String,
    pub points: f64,
}

/// Why an enterprise got its class: each item's value, benchmark and score, the bonus and deduction
/// points, and the sum (its score), rank and class. Not rated: no items, and the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub scale: Scale,
    pub items: Vec<ItemScore>,
    pub adjustments: Vec<AdjustmentScore>,
    /// None when not rated.
    pub score: Option<f64>,
    pub rank: u32,
    pub group_size: u32,
    pub class: Class,
    /// Why not rated; empty when rated.
    pub reason: String,
}

/// Explains row `i` of an evaluation of `rows` under `scheme` (the same scheme it was evaluated with);
/// None when `i` is out of range. The items add up to the score exactly (same order of sums).
pub fn explain(ev: &Evaluation, rows: &[Enterprise], i: usize, scheme: &Scheme) -> Option<Explanation> {
    let r = ev.ratings.get(i)?;
    let e = rows.get(i)?;
    let mut x = Explanation {
        scale: e.scale,
        items: Vec::new(),
        adjustments: Vec::new(),
        score: r.score(),
        rank: r.rank,
        group_size: r.group_size,
        class: r.class,
        reason: ev.reason_text(r.reason).to_string(),
    };
    let Some(stats) = ev.groups.get(r.group as usize) else {
        return Some(x);
    };
    let rules = scheme.rules(e.scale);
    for (k, it) in rules.items.iter().enumerate() {
        let p = ItemPlan::new(it, scheme);
        let value = p.value(&e.figures.to_array());
        let benchmark = stats.benchmarks.get(k).copied().unwrap_or(0.0);
        let mean = stats.means.get(k).copied().unwrap_or(0.0);
        let score = p.score(value, benchmark).unwrap_or(mean);
        x.items.push(ItemScore {
            name: it.name.clone(),
            unit: it.unit.clone(),
            weight: it.weight,
            value,
            benchmark,
            cap: (p.cap < NO_CAP_LIMIT).then_some(p.cap),
            score,
            capped: value.is_some_and(|v| benchmark != 0.0 && v / benchmark > p.cap),
        });
    }
    for (k, points) in ev.adjustments_of(i) {
        if let Some(a) = scheme.adjustments.get(k) {
            x.adjustments.push(AdjustmentScore { name: a.name.clone(), points });
        }
    }
    Some(x)
}

impl Evaluation {
    /// `explain(self, rows, i, scheme)`.
    pub fn explain(&self, rows: &[Enterprise], i: usize, scheme: &Scheme) -> Option<Explanation> {
        explain(self, rows, i, scheme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn firm(city: u32, scale: Scale, land: f64, tax: f64, va: f64) -> Enterprise {
        Enterprise {
            uscc: *b"91440300708461136T",
            city,
            county: 0,
            industry: 0,
            scale,
            founded_year: 2015,
            year: 2024,
            figures: Figures::from([land, tax, 1000.0, va, 30.0, 100.0, 10.0, 50.0, 200.0, f64::NAN]),
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
        rows[0].figures.set(6, f64::NAN);
        let scheme = Scheme::default();
        let ev = evaluate(&rows, &scheme);
        let r = &ev.ratings;
        assert_eq!(r[5].rank, 1);
        assert_eq!(r[5].class, Class::A);
        let why = |k: usize| explain(&ev, &rows, k, &scheme).unwrap().items;
        assert_eq!(why(5)[0].score, 60.0, "capped at 2 × 30");
        assert!(why(5)[0].capped);
        // The firm without emissions scores the group's mean there, which the capped leader lifts: rank 2.
        assert_eq!((r[0].rank, r[0].class), (2, Class::B));
        // The four equal firms share rank 3 (6 firms: 100·3 ≤ 60·6 → B).
        for x in &r[1..5] {
            assert_eq!((x.rank, x.class), (3, Class::B));
        }
        let emission_scores: Vec<f64> = (1..6).map(|k| why(k)[3].score).collect();
        let mean = emission_scores.iter().sum::<f64>() / 5.0;
        assert!((why(0)[3].score - mean).abs() < 1e-12);
        assert!(why(0)[3].value.is_none());
        let total: f64 = why(0).iter().map(|x| x.score).sum();
        assert_eq!(total, r[0].score, "the explanation adds up to the score");
        assert_eq!(ev.ranked(0), [5, 0, 1, 2, 3, 4]);
    }

    #[test]
    fn groups_are_city_and_scale() {
        let rows = vec![
            firm(0, Scale::Above, 10.0, 100.0, 300.0),
            firm(1, Scale::Above, 10.0, 50.0, 300.0),
            firm(0, Scale::Below, 10.0, 5.0, 30.0),
        ];
        let ev = evaluate(&rows, &Scheme::default());
        let r = ev.ratings;
        assert!(r.iter().all(|x| x.group_size == 1 && x.rank == 1));
        // Alone in its group, a firm meets every benchmark: 100 points.
        assert!((r[0].score - 100.0).abs() < 1e-9);
        assert!((r[2].score - 100.0).abs() < 1e-9);
        assert_eq!(ev.groups.len(), 3);
        assert_eq!(ev.groups[r[1].group as usize].city, Some(1));
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

    /// A scheme built in code and never checked still rates everyone, without a panic.
    #[test]
    fn unchecked_schemes() {
        let rows: Vec<Enterprise> = (0..5).map(|k| firm(0, Scale::Above, 10.0, 100.0 + k as f64, 300.0)).collect();
        let mut s = Scheme::default();
        s.above.items.clear();
        s.cap = Some(f64::NAN);
        s.below.classes = Classes::Score { a: f64::NAN, b: f64::NAN, c: f64::NAN };
        assert!(s.validate().is_err());
        let ev = evaluate(&rows, &s);
        assert!(ev.ratings.iter().all(|r| r.class != Class::T && r.score == 0.0 && r.rank == 1));
        s.above.items = Scheme::default().above.items;
        s.above.items[0].weight = f64::NAN;
        let ev = evaluate(&rows, &s);
        assert!(ev.ratings.iter().all(|r| r.class != Class::T && r.group_size == 5));
    }

    /// Figures give back exactly what was set (bit for bit, NaN as NaN), whether kept as decimals or boxed.
    #[test]
    fn figures_keep_every_value() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
        let special =
            [0.0, -0.0, 1.0, 0.1, 7622.98, 1e300, -2.5, f64::INFINITY, f64::MIN_POSITIVE, 5e-324, 536870910.0];
        for round in 0..20_000 {
            let mut values = [f64::NAN; FIGURES];
            for v in values.iter_mut() {
                *v = match next() % 5 {
                    0 => f64::from_bits(next()),
                    1 => special[(next() % special.len() as u64) as usize],
                    2 => f64::NAN,
                    _ => (next() % 1_000_000_000) as f64 / POW10[(next() % 9) as usize],
                };
            }
            let f = Figures::from(values);
            for (k, &v) in values.iter().enumerate() {
                assert!(same(f.get(k), v), "{round}: {v:e} gave {:e}", f.get(k));
            }
            // Set one at a time over another set, and by digits as the reader does.
            let mut g = Figures::from([1.5; FIGURES]);
            for (k, &v) in values.iter().enumerate() {
                g.set(k, v);
            }
            assert_eq!(format!("{g:?}"), format!("{values:?}"));
            let mut h = Figures::EMPTY;
            let digits = next() % (1 << 40);
            let decimals = (next() % 23) as usize;
            h.set_decimal(3, digits, decimals);
            assert!(same(h.get(3), digits as f64 / POW10[decimals]));
            assert!(h.get(0).is_nan() && h.get(FIGURES).is_nan());
        }
        assert_eq!(std::mem::size_of::<Enterprise>(), 88);
    }

    #[test]
    fn empty_input() {
        let ev = evaluate(&[], &Scheme::default());
        assert!(ev.ratings.is_empty() && ev.groups.is_empty());
        assert!(explain(&ev, &[], 0, &Scheme::default()).is_none());
    }
}
