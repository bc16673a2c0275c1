//! The computed view of every plan: indicators with their series and status, goals rolled up,
//! assignments with their reports and flags. Built from the store and cached until the store's revision
//! counter moves (a write by this server or by the CLI), so pages and API reads cost no recomputation.

use std::collections::HashMap;
use std::sync::Arc;

use jiqun_domain::period::Period;
use jiqun_domain::plan::Plan;
use jiqun_domain::report::{ReportStatus, ReviewState};
use jiqun_eval::progress::{Goal, Point, Progress, RollUp, Status, progress, roll_up};
use jiqun_store::{AssignmentRow, IndicatorRow, ItemRow, PlanRow, ReportRow, RoundRow};
use serde::Serialize;

use crate::{App, AppError, AppResult};

#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The store's revision of every write it was built at.
    pub revision: i64,
    /// The store's revision of the data (every write but progress reports) it was built at: what its
    /// plans, items and indicators were read at.
    pub data_revision: i64,
    pub now_year: i32,
    /// `YYYY-MM-DD`, UTC.
    pub today: String,
    /// The database holds the synthetic demo data set.
    pub synthetic: bool,
    pub plans: Vec<Arc<PlanView>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    pub plan: PlanRow,
    pub doc: Plan,
    pub items: Vec<ItemRow>,
    pub indicators: Vec<IndicatorView>,
    pub goals: Vec<GoalView>,
    pub assignments: Vec<AssignmentView>,
    pub rounds: Vec<RoundRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorView {
    pub row: IndicatorRow,
    /// Province-wide values, by period.
    pub series: Vec<Point>,
    /// Each city's latest value.
    pub cities: Vec<(String, Point)>,
    /// Each city's values, by period.
    pub city_series: Vec<(String, Vec<Point>)>,
    pub baseline: Option<Point>,
    pub latest: Option<Point>,
    pub progress: Progress,
    /// The status shown: the plan owner's override if any, else the computed one.
    pub status: Status,
    pub overridden: bool,
    /// The status as it stood at each observed period (not final before the target year).
    pub history: Vec<(String, Status)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GoalView {
    pub item: String,
    pub title: String,
    pub indicators: Vec<i64>,
    pub rollup: RollUp,
}

#[derive(Debug, Clone, Serialize)]
pub struct AssignmentView {
    pub row: AssignmentRow,
    /// The current version of each period's report.
    pub reports: Vec<ReportRow>,
    /// Periods whose deadline has passed without a submitted report.
    pub overdue: Vec<String>,
    /// No progress over the last two reporting periods.
    pub stalled: bool,
}

impl AssignmentView {
    pub fn latest(&self) -> Option<&ReportRow> {
        self.reports.last()
    }
}

/// What a cached rendering of the snapshot was made at: the revision of every write, for one that shows
/// progress reports (an assignment list, a dashboard), or of the data alone, for one that does not (the
/// plan JSON, the indicator list), which a report filed then leaves cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    All(i64),
    Data(i64),
}

impl Stamp {
    /// Both stamps count the same writes.
    pub(crate) fn same_kind(self, other: Stamp) -> bool {
        matches!((self, other), (Stamp::All(_), Stamp::All(_)) | (Stamp::Data(_), Stamp::Data(_)))
    }
}

impl Snapshot {
    /// The stamp of a rendering that shows progress reports (or anything else every write may change).
    pub fn stamp(&self) -> Stamp {
        Stamp::All(self.revision)
    }

    /// The stamp of a rendering made of the plans, items and indicators alone.
    pub fn data_stamp(&self) -> Stamp {
        Stamp::Data(self.data_revision)
    }

    pub fn plan(&self, id: i64) -> Option<&Arc<PlanView>> {
        self.plans.iter().find(|p| p.plan.id == id)
    }

    /// The plan shown by default: the newest active one.
    pub fn current_plan(&self) -> Option<&Arc<PlanView>> {
        self.plans.iter().rev().find(|p| p.plan.status == "active").or(self.plans.last())
    }
}

impl PlanView {
    pub fn indicator(&self, id: i64) -> Option<&IndicatorView> {
        self.indicators.iter().find(|i| i.row.id == id)
    }

    pub fn item(&self, item: &str) -> Option<&ItemRow> {
        self.items.iter().find(|i| i.item == item)
    }

    /// Submitted reports waiting for the plan owner.
    pub fn review_queue(&self) -> Vec<(&AssignmentView, &ReportRow)> {
        self.assignments
            .iter()
            .flat_map(|a| a.reports.iter().filter(|r| r.state == ReviewState::Submitted).map(move |r| (a, r)))
            .collect()
    }

    pub fn agencies(&self) -> Vec<jiqun_domain::AgencyName> {
        let mut v = Vec::new();
        for a in &self.assignments {
            if !v.contains(&a.row.agency) {
                v.push(a.row.agency.clone());
            }
        }
        v
    }
}

pub fn goal_of(row: &IndicatorRow) -> Goal {
    Goal { cmp: row.target_cmp, value: row.target_value, value_max: row.target_value_max, year: row.target_year as i32 }
}

/// Today's date in UTC and its year.
pub fn today() -> (String, i32) {
    let (y, m, d) = civil(jiqun_store::now_ms().div_euclid(86_400_000));
    (format!("{y:04}-{m:02}-{d:02}"), y)
}

/// Today's date in China (UTC+8), the calendar the plan's periods follow: a quarter begins at midnight
/// Beijing time.
pub fn today_in_china() -> (i32, u8, u8) {
    civil((jiqun_store::now_ms() + 8 * 3_600_000).div_euclid(86_400_000))
}

/// The day in China (UTC+8) of a time in milliseconds since the epoch.
pub fn date_in_china(ms: i64) -> jiqun_domain::date::Date {
    jiqun_domain::date::Date::from_tuple(civil((ms + 8 * 3_600_000).div_euclid(86_400_000)))
}

/// The civil date (year, month, day) of a day counted from 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil(days: i64) -> (i32, u8, u8) {
    let d = jiqun_domain::date::Date::from_days(days);
    (d.year, d.month, d.day)
}

/// An indicator's view from its current values, each a region (empty: province-wide) and a point.
pub fn indicator_view(row: &IndicatorRow, obs: &[(&str, Point)], now_year: i32) -> IndicatorView {
    let mut series: Vec<Point> = obs.iter().filter(|(region, _)| region.is_empty()).map(|(_, p)| *p).collect();
    series.sort_by_key(|p| p.period);
    let mut by_city: HashMap<&str, Vec<Point>> = HashMap::new();
    for (region, p) in obs.iter().filter(|(region, _)| !region.is_empty()) {
        by_city.entry(region).or_default().push(*p);
    }
    let mut city_series: Vec<(String, Vec<Point>)> = by_city
        .into_iter()
        .map(|(c, mut v)| {
            v.sort_by_key(|p| p.period);
            (c.to_string(), v)
        })
        .collect();
    city_series.sort_by(|a, b| a.0.cmp(&b.0));
    let cities = city_series.iter().filter_map(|(c, v)| v.last().map(|p| (c.clone(), *p))).collect();
    let baseline = match (&row.baseline_period, row.baseline_value) {
        (Some(p), Some(v)) => Period::parse(p).ok().map(|period| Point { period, value: v }),
        _ => series.first().copied(),
    };
    let goal = goal_of(row);
    let count = row.method == "linear";
    let latest = series.last().copied();
    let computed = progress(baseline, latest, goal, count, now_year);
    let history = series
        .iter()
        .filter(|p| baseline.is_none_or(|b| p.period > b.period))
        .map(|p| (p.period.to_string(), progress(baseline, Some(*p), goal, count, p.period.year()).status))
        .collect();
    let over = row.override_status.as_deref().and_then(Status::parse);
    IndicatorView {
        row: row.clone(),
        series,
        cities,
        city_series,
        baseline,
        latest,
        status: over.unwrap_or(computed.status),
        overridden: over.is_some(),
        progress: computed,
        history,
    }
}

fn assignment_views(
    assignments: Vec<AssignmentRow>,
    reports: &[ReportRow],
    rounds: &[RoundRow],
    today: &str,
) -> Vec<AssignmentView> {
    let mut by_assignment: HashMap<i64, Vec<ReportRow>> = HashMap::new();
    for r in reports.iter().filter(|r| r.current) {
        by_assignment.entry(r.assignment_id).or_default().push(r.clone());
    }
    assignments
        .into_iter()
        .map(|row| {
            let mut reports = by_assignment.remove(&row.id).unwrap_or_default();
            reports.sort_by_key(|r| Period::parse(&r.period).map(|p| p.sort_key()).unwrap_or((0, 0)));
            let filed = |period: &str| reports.iter().any(|r| r.period == period && r.state != ReviewState::Draft);
            let overdue = rounds
                .iter()
                .filter(|round| round.deadline.as_str() < today && !filed(&round.period))
                .map(|round| round.period.clone())
                .collect();
            // No progress for two periods: the last two closed rounds both report no gain over the one before.
            let percents: Vec<f64> = rounds
                .iter()
                .filter(|round| round.deadline.as_str() < today)
                .map(|round| reports.iter().find(|r| r.period == round.period).map(|r| r.percent).unwrap_or(f64::NAN))
                .collect();
            let done = reports.last().is_some_and(|r| r.status == ReportStatus::Done);
            let stalled = !done
                && percents.len() >= 3
                && percents[percents.len() - 3..].iter().all(|p| !p.is_nan())
                && percents[percents.len() - 1] <= percents[percents.len() - 3];
            AssignmentView { row, reports, overdue, stalled }
        })
        .collect()
}

impl App {
    /// The computed view, rebuilt when the store has changed since the last build. When only progress
    /// reports changed, the plans' figures are taken from the last build and only the assignments are read.
    pub async fn snapshot(&self) -> AppResult<Arc<Snapshot>> {
        let revision = self.store.revision().await?;
        if let Some(s) = self.cache.read().await.as_ref()
            && s.revision == revision.all
        {
            return Ok(s.clone());
        }
        let mut cache = self.cache.write().await;
        if let Some(s) = cache.as_ref()
            && s.revision == revision.all
        {
            return Ok(s.clone());
        }
        let (today, now_year) = today();
        let built = match cache.as_ref() {
            Some(s) if s.data_revision == revision.data && s.now_year == now_year => {
                self.with_reports_of(s, revision.all, today).await?
            }
            _ => self.build_snapshot(revision, today, now_year).await?,
        };
        let built = Arc::new(built);
        *cache = Some(built.clone());
        Ok(built)
    }

    /// `kept` with its assignments, reports and rounds read again (at `revision`, of every write).
    async fn with_reports_of(&self, kept: &Snapshot, revision: i64, today: String) -> AppResult<Snapshot> {
        let mut plans = Vec::with_capacity(kept.plans.len());
        for pv in &kept.plans {
            let (assignments, rounds) = self.assignments_of(pv.plan.id, &today).await?;
            plans.push(Arc::new(PlanView {
                plan: pv.plan.clone(),
                doc: pv.doc.clone(),
                items: pv.items.clone(),
                indicators: pv.indicators.clone(),
                goals: pv.goals.clone(),
                assignments,
                rounds,
            }));
        }
        Ok(Snapshot { revision, today, plans, ..*kept })
    }

    /// A plan's assignments with their current reports and flags, and its reporting rounds.
    async fn assignments_of(&self, plan_id: i64, today: &str) -> AppResult<(Vec<AssignmentView>, Vec<RoundRow>)> {
        let rounds = self.store.rounds(plan_id).await?;
        let reports = self.store.reports(plan_id, true).await?;
        let assignments = self.store.assignments(Some(plan_id), None).await?;
        Ok((assignment_views(assignments, &reports, &rounds, today), rounds))
    }

    async fn build_snapshot(
        &self,
        revision: jiqun_store::Revision,
        today: String,
        now_year: i32,
    ) -> AppResult<Snapshot> {
        let synthetic = self.store.setting("synthetic_data").await?.as_deref() == Some("1");
        let mut plans = Vec::new();
        for plan in self.store.plans().await? {
            let doc = self.store.plan_document(plan.id).await?.unwrap_or_default();
            let items = self.store.items(plan.id).await?;
            let rows = self.store.indicators(plan.id).await?;
            // Each current value as a point, grouped by indicator; the regions (a handful of names) once each.
            let mut regions: Vec<String> = Vec::new();
            let mut by_indicator: HashMap<i64, Vec<(u32, Point)>> = HashMap::new();
            self.store
                .each_current_value_of_plan(plan.id, |indicator, period, region, value| {
                    // A period that does not parse was refused when entered; such a value is not drawn.
                    let Ok(period) = Period::parse(period) else { return Ok::<_, AppError>(()) };
                    let r = match regions.iter().position(|x| x == region) {
                        Some(r) => r,
                        None => {
                            regions.push(region.to_string());
                            regions.len() - 1
                        }
                    };
                    by_indicator.entry(indicator).or_default().push((r as u32, Point { period, value }));
                    Ok(())
                })
                .await?;
            let indicators: Vec<IndicatorView> = rows
                .iter()
                .map(|r| {
                    let obs: Vec<(&str, Point)> = by_indicator
                        .remove(&r.id)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(region, p)| (regions[region as usize].as_str(), p))
                        .collect();
                    indicator_view(r, &obs, now_year)
                })
                .collect();
            let mut goals: Vec<GoalView> = Vec::new();
            for iv in &indicators {
                let key = iv.row.item.clone().unwrap_or_default();
                match goals.iter_mut().find(|g| g.item == key) {
                    Some(g) => g.indicators.push(iv.row.id),
                    None => goals.push(GoalView {
                        title: items.iter().find(|i| i.item == key).map(|i| i.title.clone()).unwrap_or_default(),
                        item: key,
                        indicators: vec![iv.row.id],
                        rollup: RollUp { worst: None, mean_score: None, counted: 0 },
                    }),
                }
            }
            for g in &mut goals {
                g.rollup = roll_up(indicators.iter().filter(|i| g.indicators.contains(&i.row.id)).map(|i| {
                    // An override counts as the status it sets.
                    &i.progress
                }));
                let overridden: Vec<Status> = indicators
                    .iter()
                    .filter(|i| g.indicators.contains(&i.row.id) && i.overridden)
                    .map(|i| i.status)
                    .collect();
                for s in overridden {
                    g.rollup.worst = Some(g.rollup.worst.map_or(s, |w| w.min(s)));
                }
            }
            let (assignments, rounds) = self.assignments_of(plan.id, &today).await?;
            plans.push(Arc::new(PlanView { plan, doc, items, indicators, goals, assignments, rounds }));
        }
        Ok(Snapshot { revision: revision.all, data_revision: revision.data, now_year, today, synthetic, plans })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_date() {
        let (d, y) = today();
        assert_eq!(d.len(), 10);
        assert!(y >= 2024);
        assert_eq!(&d[..4], y.to_string());
    }
}
