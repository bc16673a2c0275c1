//! Progress status of an indicator against its target, after the measure national statistics offices use
//! for SDG indicators (Open SDG's progress measure, from Statistics Canada and Eurostat):
//!
//! - **Growth method** (scale and intensity targets): R = CAGR_observed / CAGR_required, the compound
//!   annual growth rate since the baseline against the rate needed to reach the target by the target year.
//!   Both rates carry their sign, so a "lower is better" target, whose required rate is negative, is
//!   handled by the same ratio. Where a value is not positive, growth rates are undefined and the linear
//!   rates (change per year) are used instead.
//! - **Linear method** (counts and milestones: bases, centres, parks): achievement = current / target,
//!   compared with the share of the period elapsed: R = achievement / elapsed share.
//!
//! R ≥ 0.95 on track; 0.60 ≤ R < 0.95 needs acceleration; 0 ≤ R < 0.60 limited progress; R < 0 moving
//! away. "Achieved" as soon as the latest value meets the target. After the target year the status is
//! final: achieved or missed, with the shortfall. Every result carries the inputs it was computed from.

use jiqun_domain::period::Period;
use jiqun_domain::plan::Cmp;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }

    /// `<=` and `<` targets are "lower is better".
    pub fn of(cmp: Cmp) -> Direction {
        match cmp {
            Cmp::Le | Cmp::Lt => Direction::Down,
            _ => Direction::Up,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Compound annual growth rate ratio.
    Growth,
    /// Growth ratio on linear rates, because a value was not positive.
    LinearRate,
    /// Achievement share against time elapsed (counts and milestones).
    Linear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Ordered from worst to best, so the worst of a set is its minimum.
    Missed,
    MovingAway,
    Limited,
    NeedsAcceleration,
    OnTrack,
    Achieved,
    /// Not enough data: no baseline, no observation, or no time elapsed.
    Insufficient,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Missed => "missed",
            Status::MovingAway => "moving_away",
            Status::Limited => "limited",
            Status::NeedsAcceleration => "needs_acceleration",
            Status::OnTrack => "on_track",
            Status::Achieved => "achieved",
            Status::Insufficient => "insufficient_data",
        }
    }

    pub fn label(self, lang: jiqun_domain::Lang) -> &'static str {
        let (zh, en) = match self {
            Status::Missed => ("未完成", "missed"),
            Status::MovingAway => ("反向偏离", "moving away"),
            Status::Limited => ("进展有限", "limited progress"),
            Status::NeedsAcceleration => ("需加快", "needs acceleration"),
            Status::OnTrack => ("进度正常", "on track"),
            Status::Achieved => ("已达成", "achieved"),
            Status::Insufficient => ("数据不足", "insufficient data"),
        };
        lang.pick(zh, en)
    }

    /// From a ratio R.
    pub fn from_ratio(r: f64) -> Status {
        if r >= 0.95 {
            Status::OnTrack
        } else if r >= 0.60 {
            Status::NeedsAcceleration
        } else if r >= 0.0 {
            Status::Limited
        } else {
            Status::MovingAway
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Missed,
            Status::MovingAway,
            Status::Limited,
            Status::NeedsAcceleration,
            Status::OnTrack,
            Status::Achieved,
            Status::Insufficient,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// A value at a period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    #[serde(serialize_with = "ser_period")]
    pub period: Period,
    pub value: f64,
}

fn ser_period<S: serde::Serializer>(p: &Period, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(p)
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Goal {
    pub cmp: Cmp,
    pub value: f64,
    pub value_max: Option<f64>,
    pub year: i32,
}

impl Goal {
    /// Whether a value meets the target (a range is met from its lower bound).
    pub fn met_by(&self, v: f64) -> bool {
        match self.cmp {
            Cmp::Gt => v > self.value,
            Cmp::Ge | Cmp::Range => v >= self.value,
            Cmp::Eq => v >= self.value,
            Cmp::Le => v <= self.value,
            Cmp::Lt => v < self.value,
        }
    }
}

/// Everything the status was computed from, shown beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub status: Status,
    /// R, the ratio the status is read from (`None` when it could not be computed).
    pub ratio: Option<f64>,
    pub achieved: bool,
    pub method: Method,
    /// True once the target year is over: achieved or missed is then final.
    #[serde(rename = "final")]
    pub is_final: bool,
    pub baseline: Option<Point>,
    pub latest: Option<Point>,
    pub target: Goal,
    pub observed_rate: Option<f64>,
    pub required_rate: Option<f64>,
    /// Achievement share (linear method): current / target.
    pub achievement: Option<f64>,
    /// Share of the baseline-to-target time elapsed at the latest observation.
    pub elapsed: Option<f64>,
    /// The value the current trend reaches by the target year.
    pub forecast: Option<f64>,
    /// How far the latest value falls short of the target (positive = short), once final or now.
    pub shortfall: Option<f64>,
    /// 0-100, for roll-ups: min(R, 1) × 100, 100 when achieved, 0 when moving away or missed.
    pub score: Option<f64>,
}

/// Computes the progress of an indicator.
///
/// `baseline` is the base-period value; `latest` the most recent (province-wide) value; `count` selects the
/// linear method; `now_year` is the current year, which decides whether the status is final.
pub fn progress(baseline: Option<Point>, latest: Option<Point>, target: Goal, count: bool, now_year: i32) -> Progress {
    let method = if count { Method::Linear } else { Method::Growth };
    let mut p = Progress {
        status: Status::Insufficient,
        ratio: None,
        achieved: false,
        method,
        is_final: now_year > target.year,
        baseline,
        latest,
        target,
        observed_rate: None,
        required_rate: None,
        achievement: None,
        elapsed: None,
        forecast: None,
        shortfall: None,
        score: None,
    };
    let Some(l) = latest else {
        if p.is_final {
            p.status = Status::Missed;
            p.score = Some(0.0);
        }
        return p;
    };
    p.achieved = target.met_by(l.value);
    p.shortfall = Some(match Direction::of(target.cmp) {
        Direction::Up => (target.value - l.value).max(0.0),
        Direction::Down => (l.value - target.value).max(0.0),
    });
    let target_time = target.year as f64;
    if let Some(b) = baseline {
        let span = target_time - b.period.end_time();
        let elapsed = l.period.end_time() - b.period.end_time();
        if span > 0.0 && elapsed > 0.0 {
            p.elapsed = Some(elapsed / span);
            if count {
                let achievement = if target.value != 0.0 { l.value / target.value } else { 1.0 };
                p.achievement = Some(achievement);
                p.ratio = Some(achievement / (elapsed / span));
                // Linear trend from the baseline to the target year.
                p.forecast = Some(b.value + (l.value - b.value) / elapsed * span);
            } else if b.value > 0.0 && l.value > 0.0 && target.value > 0.0 {
                let obs = (l.value / b.value).powf(1.0 / elapsed) - 1.0;
                let req = (target.value / b.value).powf(1.0 / span) - 1.0;
                p.observed_rate = Some(obs);
                p.required_rate = Some(req);
                p.ratio = ratio(obs, req);
                p.forecast = Some(l.value * (1.0 + obs).powf(target_time - l.period.end_time()));
            } else {
                p.method = Method::LinearRate;
                let obs = (l.value - b.value) / elapsed;
                let req = (target.value - b.value) / span;
                p.observed_rate = Some(obs);
                p.required_rate = Some(req);
                p.ratio = ratio(obs, req);
                p.forecast = Some(l.value + obs * (target_time - l.period.end_time()));
            }
        }
    } else if count && target.value != 0.0 {
        // No baseline: a count still shows how much of the target is there.
        p.achievement = Some(l.value / target.value);
    }
    p.status = if p.achieved {
        Status::Achieved
    } else if p.is_final || l.period.end_time() >= target_time {
        Status::Missed
    } else {
        p.ratio.map(Status::from_ratio).unwrap_or(Status::Insufficient)
    };
    p.score = match p.status {
        Status::Achieved => Some(100.0),
        Status::Missed | Status::MovingAway => Some(0.0),
        Status::Insufficient => None,
        _ => p.ratio.map(|r| r.clamp(0.0, 1.0) * 100.0),
    };
    p
}

/// R, when the required rate is not zero. A required rate of zero means the target equals the baseline.
fn ratio(observed: f64, required: f64) -> Option<f64> {
    (required.abs() > f64::EPSILON).then(|| observed / required)
}

/// Roll-up of several indicators (a goal): the worst status and the mean score of those that have one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollUp {
    pub worst: Option<Status>,
    pub mean_score: Option<f64>,
    pub counted: usize,
}

pub fn roll_up<'a>(items: impl IntoIterator<Item = &'a Progress>) -> RollUp {
    let mut worst: Option<Status> = None;
    let mut scores = Vec::new();
    let mut counted = 0;
    for p in items {
        counted += 1;
        if p.status != Status::Insufficient {
            worst = Some(worst.map_or(p.status, |w| w.min(p.status)));
        }
        if let Some(s) = p.score {
            scores.push(s);
        }
    }
    let mean_score = (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
    RollUp { worst, mean_score, counted }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(p: &str, v: f64) -> Option<Point> {
        Some(Point { period: Period::parse(p).unwrap(), value: v })
    }

    fn goal(cmp: Cmp, value: f64, year: i32) -> Goal {
        Goal { cmp, value, value_max: None, year }
    }

    #[test]
    fn on_track_when_growing_as_fast_as_required() {
        // 4 → 7 over 2019..2025 needs (7/4)^(1/6)-1 ≈ 9.78 %/yr; observed 4 → 5.8 over 4 years ≈ 9.73 %/yr.
        let p = progress(pt("2019", 4.0), pt("2023", 5.8), goal(Cmp::Gt, 7.0, 2025), false, 2024);
        assert_eq!(p.method, Method::Growth);
        let r = p.ratio.unwrap();
        assert!((0.95..1.0).contains(&r), "{r}");
        assert_eq!(p.status, Status::OnTrack);
        assert!(p.forecast.unwrap() > 6.9 && p.forecast.unwrap() < 7.0);
        assert!(!p.achieved && !p.is_final);
    }

    #[test]
    fn each_band() {
        let g = goal(Cmp::Ge, 200.0, 2025);
        let status = |latest: f64| progress(pt("2020", 100.0), pt("2023", latest), g, false, 2024).status;
        assert_eq!(status(150.0), Status::OnTrack);
        assert_eq!(status(130.0), Status::NeedsAcceleration);
        assert_eq!(status(110.0), Status::Limited);
        assert_eq!(status(90.0), Status::MovingAway);
        assert_eq!(status(210.0), Status::Achieved);
    }

    #[test]
    fn lower_is_better() {
        // Energy intensity 1.0 → target ≤ 0.8 by 2025; falling to 0.9 by 2022 is on track.
        let g = goal(Cmp::Le, 0.8, 2025);
        let p = progress(pt("2020", 1.0), pt("2022", 0.9), g, false, 2023);
        assert!(p.required_rate.unwrap() < 0.0 && p.observed_rate.unwrap() < 0.0);
        assert_eq!(p.status, Status::OnTrack);
        let p = progress(pt("2020", 1.0), pt("2022", 1.1), g, false, 2023);
        assert_eq!(p.status, Status::MovingAway);
        assert_eq!(Direction::of(Cmp::Le), Direction::Down);
    }

    #[test]
    fn counts_use_linear_achievement() {
        // 10 parks by 2025 from 0 in 2020: 6 in 2023 is 60 % done at 60 % of the time.
        let p = progress(pt("2020", 0.0), pt("2023", 6.0), goal(Cmp::Eq, 10.0, 2025), true, 2024);
        assert_eq!(p.method, Method::Linear);
        assert_eq!(p.achievement, Some(0.6));
        assert!((p.ratio.unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(p.status, Status::OnTrack);
        let p = progress(pt("2020", 0.0), pt("2023", 3.0), goal(Cmp::Eq, 10.0, 2025), true, 2024);
        assert_eq!(p.status, Status::Limited);
    }

    #[test]
    fn non_positive_values_fall_back_to_linear_rates() {
        let p = progress(pt("2020", 0.0), pt("2022", 50.0), goal(Cmp::Ge, 100.0, 2024), false, 2023);
        assert_eq!(p.method, Method::LinearRate);
        assert_eq!(p.status, Status::OnTrack);
    }

    #[test]
    fn final_after_the_target_year() {
        let g = goal(Cmp::Gt, 7.0, 2025);
        let p = progress(pt("2019", 4.0), pt("2025", 6.5), g, false, 2026);
        assert!(p.is_final);
        assert_eq!(p.status, Status::Missed);
        assert_eq!(p.shortfall, Some(0.5));
        let p = progress(pt("2019", 4.0), pt("2025", 7.2), g, false, 2026);
        assert_eq!(p.status, Status::Achieved);
        let p = progress(None, None, g, false, 2026);
        assert_eq!(p.status, Status::Missed, "no data by the end is a miss");
        let p = progress(None, None, g, false, 2024);
        assert_eq!(p.status, Status::Insufficient);
    }

    #[test]
    fn quarters_count_as_fractions_of_years() {
        let p = progress(pt("2020", 100.0), pt("2022Q2", 130.0), goal(Cmp::Ge, 200.0, 2025), false, 2022);
        assert_eq!(p.elapsed, Some(1.5 / 5.0));
    }

    #[test]
    fn roll_up_shows_worst_and_mean() {
        let g = goal(Cmp::Ge, 200.0, 2025);
        let a = progress(pt("2020", 100.0), pt("2023", 150.0), g, false, 2024);
        let b = progress(pt("2020", 100.0), pt("2023", 110.0), g, false, 2024);
        let c = progress(None, None, g, false, 2024);
        let r = roll_up([&a, &b, &c]);
        assert_eq!(r.worst, Some(Status::Limited));
        assert_eq!(r.counted, 3);
        let mean = r.mean_score.unwrap();
        assert!(mean > 50.0 && mean < 80.0, "{mean}");
    }
}
