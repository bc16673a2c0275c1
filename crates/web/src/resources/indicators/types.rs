//! The indicators API's request and response bodies: what a client sends to add or change an indicator,
//! override its status or record a value, and what it receives (an indicator with its computed progress,
//! its observations). Built from the app's views and rows, never the store's rows themselves.

use jiqun_app::model::{IndicatorEdit, ObservationRow};
use jiqun_app::snapshot::IndicatorView;
use jiqun_domain::plan::Cmp;
use jiqun_eval::progress::{Method, Point, Status};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kit::api::api_record;

/// An indicator as the plan owner sets it: what adding one needs, and what editing one replaces.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IndicatorBody {
    /// The plan item (goal) the indicator measures, by its number (for example `2.1`).
    pub item: Option<String>,
    pub name: String,
    pub unit: String,
    /// `up` or `down`.
    pub direction: String,
    /// `growth` or `linear`.
    pub method: String,
    /// `annual`, `quarterly` or `monthly`.
    pub frequency: String,
    /// The base period (for example `2024`).
    pub baseline_period: Option<String>,
    pub baseline_value: Option<f64>,
    /// The target's comparator: `>`, `>=`, `=`, `<=`, `<` or `range`.
    pub target_cmp: String,
    pub target_value: f64,
    /// The upper bound of a `range` target.
    pub target_value_max: Option<f64>,
    pub target_year: i64,
    /// Values are recorded city by city as well as province-wide.
    pub by_city: bool,
}

impl From<IndicatorBody> for IndicatorEdit {
    fn from(b: IndicatorBody) -> Self {
        IndicatorEdit {
            item: b.item,
            name: b.name,
            unit: b.unit,
            direction: b.direction,
            method: b.method,
            frequency: b.frequency,
            baseline_period: b.baseline_period,
            baseline_value: b.baseline_value,
            target_cmp: b.target_cmp,
            target_value: b.target_value,
            target_value_max: b.target_value_max,
            target_year: b.target_year,
            by_city: b.by_city,
        }
    }
}

/// The plan owner's override of an indicator's computed status.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IndicatorOverrideBody {
    /// A status to show instead of the computed one (`achieved`, `on_track`, `needs_acceleration`,
    /// `limited`, `moving_away`, `missed`, `insufficient_data`); `null` clears the override.
    pub status: Option<String>,
    /// Why the computed status is overridden.
    #[serde(default)]
    pub reason: String,
}

/// A value of an indicator to record; a second one for the same period and region is a correction.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IndicatorObservationBody {
    /// `2025`, `2025Q2` or `2025-06`.
    pub period: String,
    pub value: f64,
    /// A city's name; absent or empty for the province-wide figure.
    #[serde(default)]
    pub region: Option<String>,
    /// Where the figure comes from.
    #[serde(default)]
    pub source: Option<String>,
}

/// A value at a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorPoint {
    /// `2025`, `2025Q2` or `2025-06`.
    pub period: String,
    pub value: f64,
}

impl IndicatorPoint {
    fn of(p: &Option<Point>) -> Option<Self> {
        p.as_ref().map(|p| IndicatorPoint { period: p.period.to_string(), value: p.value })
    }
}

/// An indicator's target: the comparator, the value (and the upper bound of a range) and the year.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorTarget {
    pub cmp: Cmp,
    pub value: f64,
    /// The upper bound of a `range` target.
    #[schema(required = true)]
    pub value_max: Option<f64>,
    pub year: i64,
}

/// The status of an indicator's progress, computed from its values (or overridden by the plan owner).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorStatus {
    Missed,
    MovingAway,
    Limited,
    NeedsAcceleration,
    OnTrack,
    Achieved,
    /// Not enough data: no baseline, no observation, or no time elapsed.
    #[serde(rename = "insufficient_data")]
    Insufficient,
}

impl From<Status> for IndicatorStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Missed => IndicatorStatus::Missed,
            Status::MovingAway => IndicatorStatus::MovingAway,
            Status::Limited => IndicatorStatus::Limited,
            Status::NeedsAcceleration => IndicatorStatus::NeedsAcceleration,
            Status::OnTrack => IndicatorStatus::OnTrack,
            Status::Achieved => IndicatorStatus::Achieved,
            Status::Insufficient => IndicatorStatus::Insufficient,
        }
    }
}

/// How the progress ratio was computed.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorProgressMethod {
    /// Compound annual growth rate ratio.
    Growth,
    /// Growth ratio on linear rates, because a value was not positive.
    LinearRate,
    /// Achievement share against time elapsed (counts and milestones).
    Linear,
}

impl From<Method> for IndicatorProgressMethod {
    fn from(m: Method) -> Self {
        match m {
            Method::Growth => IndicatorProgressMethod::Growth,
            Method::LinearRate => IndicatorProgressMethod::LinearRate,
            Method::Linear => IndicatorProgressMethod::Linear,
        }
    }
}

/// What the progress was computed from.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorProgressInputs {
    #[schema(required = true)]
    pub baseline: Option<IndicatorPoint>,
    #[schema(required = true)]
    pub latest: Option<IndicatorPoint>,
    pub target_year: i64,
    #[schema(required = true)]
    pub observed_rate: Option<f64>,
    #[schema(required = true)]
    pub required_rate: Option<f64>,
    /// Achievement share (linear method): current / target.
    #[schema(required = true)]
    pub achievement: Option<f64>,
    /// Share of the baseline-to-target time elapsed at the latest observation.
    #[schema(required = true)]
    pub elapsed: Option<f64>,
}

/// An indicator's computed progress, and the status shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorProgress {
    /// The status shown: the plan owner's override if any, else the computed one.
    pub status: IndicatorStatus,
    /// The shown status in the request's language.
    pub label: String,
    pub computed_status: IndicatorStatus,
    pub overridden: bool,
    #[schema(required = true)]
    pub override_reason: Option<String>,
    /// R, the ratio the status is read from (`null` when it could not be computed).
    #[schema(required = true)]
    pub ratio: Option<f64>,
    pub achieved: bool,
    /// True once the target year is over: achieved or missed is then final.
    #[serde(rename = "final")]
    pub is_final: bool,
    pub method: IndicatorProgressMethod,
    pub inputs: IndicatorProgressInputs,
    /// The value the current trend reaches by the target year.
    #[schema(required = true)]
    pub forecast: Option<f64>,
    /// How far the latest value falls short of the target (positive = short).
    #[schema(required = true)]
    pub shortfall: Option<f64>,
    /// 0-100, for roll-ups.
    #[schema(required = true)]
    pub score: Option<f64>,
}

/// The status as it stood at an observed period.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorHistoryEntry {
    pub period: String,
    pub status: IndicatorStatus,
}

/// An indicator with its baseline, target, latest value and computed progress (contract §3).
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorSummary {
    pub id: i64,
    pub plan_id: i64,
    /// The plan item (goal) the indicator measures.
    #[schema(required = true)]
    pub item: Option<String>,
    pub name: String,
    pub unit: String,
    /// `up` or `down`.
    pub direction: String,
    /// `growth` or `linear`.
    pub method: String,
    /// `annual`, `quarterly` or `monthly`.
    pub frequency: String,
    pub by_city: bool,
    #[schema(required = true)]
    pub baseline: Option<IndicatorPoint>,
    pub target: IndicatorTarget,
    /// The latest province-wide value.
    #[schema(required = true)]
    pub latest: Option<IndicatorPoint>,
    /// The plan's wording of the target.
    pub source_text: String,
    /// What the value is computed from, when Jiqun computes it (`bases:innovation_centre@national`,
    /// `library:little_giant`, `library_rd:backbone`); null when it is entered by hand.
    #[schema(required = true)]
    pub derived_from: Option<String>,
    /// `derived_from` as people say it.
    #[schema(required = true)]
    pub derived_from_label: Option<String>,
    pub progress: IndicatorProgress,
    /// The status at each observed period.
    pub history: Vec<IndicatorHistoryEntry>,
}

impl IndicatorSummary {
    pub fn new(iv: &IndicatorView, lang: jiqun_domain::Lang) -> Self {
        let r = &iv.row;
        let p = &iv.progress;
        IndicatorSummary {
            id: r.id,
            plan_id: r.plan_id,
            item: r.item.clone(),
            name: r.name.clone(),
            unit: r.unit.clone(),
            direction: r.direction.clone(),
            method: r.method.clone(),
            frequency: r.frequency.clone(),
            by_city: r.by_city,
            baseline: IndicatorPoint::of(&iv.baseline),
            target: IndicatorTarget {
                cmp: r.target_cmp,
                value: r.target_value,
                value_max: r.target_value_max,
                year: r.target_year,
            },
            latest: IndicatorPoint::of(&iv.latest),
            source_text: r.source_text.clone(),
            derived_from: r.derived_from.clone(),
            derived_from_label: r
                .derived_from
                .as_deref()
                .and_then(|t| jiqun_domain::bases::Derivation::parse(t).ok())
                .map(|d| jiqun_app::bases::derivation_label(&d, lang)),
            progress: IndicatorProgress {
                status: iv.status.into(),
                label: iv.status.label(lang).to_string(),
                computed_status: p.status.into(),
                overridden: iv.overridden,
                override_reason: r.override_reason.clone(),
                ratio: p.ratio,
                achieved: p.achieved,
                is_final: p.is_final,
                method: p.method.into(),
                inputs: IndicatorProgressInputs {
                    baseline: IndicatorPoint::of(&p.baseline),
                    latest: IndicatorPoint::of(&p.latest),
                    target_year: r.target_year,
                    observed_rate: p.observed_rate,
                    required_rate: p.required_rate,
                    achievement: p.achievement,
                    elapsed: p.elapsed,
                },
                forecast: p.forecast,
                shortfall: p.shortfall,
                score: p.score,
            },
            history: iv
                .history
                .iter()
                .map(|(period, s)| IndicatorHistoryEntry { period: period.clone(), status: (*s).into() })
                .collect(),
        }
    }
}

api_record! {
    /// A recorded value of an indicator, current or superseded by a correction.
    #[derive(Debug, Serialize, ToSchema)]
    pub struct IndicatorObservation from ObservationRow {
        pub id: i64,
        pub indicator_id: i64,
        pub period: String,
        /// Empty for the province-wide figure, else a city's name.
        pub region: String,
        pub value: f64,
        /// Where the figure comes from.
        pub source: String,
        /// The value in force (false once corrected).
        pub current: bool,
        /// Who entered it (a user id), when known.
        #[schema(required = true)]
        pub entered_by: Option<i64>,
        #[schema(required = true)]
        pub entered_by_name: Option<String>,
        /// Unix time, seconds.
        pub entered_at: i64,
    }
}

/// The observations of an indicator: every one (as the contract first gave them), or a page of them when
/// `limit` or `offset` is asked for.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum IndicatorObservations {
    All(Vec<IndicatorObservation>),
    Page(IndicatorObservationPage),
}

/// A page of an indicator's observations, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorObservationPage {
    pub items: Vec<IndicatorObservation>,
    /// How many observations the indicator has in all, corrections included.
    pub total: i64,
    /// The first item's position in the whole list.
    pub offset: i64,
}

/// A value just recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorObservationRecorded {
    /// The observation's id.
    pub id: i64,
    pub indicator_id: i64,
    pub period: String,
    pub value: f64,
    /// Empty for the province-wide figure, else a city's name.
    pub region: String,
}
