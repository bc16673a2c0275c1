//! Plans, their items and responsibility matrix, indicators and observations.

use jiqun_domain::audit::AuditAction;
use jiqun_domain::period::Period;
use jiqun_domain::plan::{Cmp, Plan};
use serde_json::json;

use crate::model::Table;
use crate::{
    Actor, IndicatorEdit, IndicatorRow, ItemRow, Missing, ObservationRow, PlanRow, Query, Result, Store, StoreError,
    Tx, get, now_ms, update_existing,
};

/// Units counted one by one (bases, centres, parks, firms): such targets use linear achievement.
const COUNT_UNITS: &[&str] = &["个", "家", "所", "座", "项", "条", "件", "套", "部", "位"];

fn cmp_str(c: Cmp) -> &'static str {
    c.as_str()
}

// sqlx's Any driver caches a prepared statement with the parameter types of its first execution; on
// PostgreSQL a nullable float bound as NULL first and as a number later is then refused ("incorrect binary
// data format"). Statements that bind an `Option<f64>` are therefore not cached (`persistent(false)`).

/// Inserts one indicator inside the caller's transaction.
async fn insert_indicator(
    tx: &mut crate::Tx,
    plan_id: i64,
    e: &IndicatorEdit,
    source_text: &str,
    position: i64,
    now: i64,
) -> Result<i64> {
    let q = sqlx::query(
        "INSERT INTO indicators (plan_id, item, name, unit, direction, method, frequency, baseline_period, baseline_value, \
         target_cmp, target_value, target_value_max, target_year, source_text, by_city, position, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id",
    );
    let row = bind_indicator(q.bind(plan_id), e)
        .bind(source_text)
        .bind(e.by_city as i64)
        .bind(position)
        .bind(now)
        .persistent(false)
        .fetch_one(&mut **tx)
        .await?;
    get(&row, "id")
}

/// Binds an indicator's fields from `item` to `target_year`, in the order of its columns.
fn bind_indicator<'q>(q: Query<'q>, e: &'q IndicatorEdit) -> Query<'q> {
    q.bind(&e.item)
        .bind(&e.name)
        .bind(&e.unit)
        .bind(&e.direction)
        .bind(&e.method)
        .bind(&e.frequency)
        .bind(&e.baseline_period)
        .bind(e.baseline_value)
        .bind(&e.target_cmp)
        .bind(e.target_value)
        .bind(e.target_value_max)
        .bind(e.target_year)
}

/// The current value of an indicator's period and region, if it has one: (its row, the value).
pub(crate) async fn current_observation(
    tx: &mut Tx,
    indicator_id: i64,
    period: &str,
    region: &str,
) -> Result<Option<(i64, f64)>> {
    sqlx::query(
        "SELECT id, value FROM observations WHERE indicator_id = $1 AND period = $2 AND region = $3 AND is_current = 1",
    )
    .bind(indicator_id)
    .bind(period)
    .bind(region)
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| -> Result<(i64, f64)> { Ok((get(&r, "id")?, get(&r, "value")?)) })
    .transpose()
}

/// Records a value (indicator, period, region, value, source) as the current one of its period and region;
/// the current row before it (`old`), if any, stays as history. Returns the new row's id.
pub(crate) async fn insert_observation(
    tx: &mut Tx,
    old: Option<(i64, f64)>,
    (indicator_id, period, region, value, source): (i64, &Period, &str, f64, &str),
    actor: &Actor,
    now: i64,
) -> Result<i64> {
    if let Some((old_id, _)) = old {
        sqlx::query("UPDATE observations SET is_current = 0 WHERE id = $1").bind(old_id).execute(&mut **tx).await?;
    }
    let (key, rank) = period.sort_key();
    Ok(sqlx::query_scalar(
        "INSERT INTO observations (indicator_id, period, period_key, region, value, source, is_current, entered_by, entered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8) RETURNING id",
    )
    .bind(indicator_id)
    .bind(period.to_string())
    .bind(key * 4 + i64::from(rank))
    .bind(region)
    .bind(value)
    .bind(source)
    .bind(actor.id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?)
}

impl Store {
    /// Stores a compiled plan: the plan itself, its items, one assignment per item × responsible agency,
    /// and one indicator per quantitative target (with its baseline when the plan reports one).
    pub async fn insert_plan(&self, plan: &Plan, source_name: &str, actor: &Actor) -> Result<i64> {
        let now = now_ms();
        let target_year =
            plan.period.and_then(|p| p.end).or_else(|| plan.targets.iter().filter_map(|t| t.year).max()).map(i64::from);
        let mut tx = self.begin().await?;
        let plan_json = serde_json::to_string(plan).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plans (name, title, doc_number, issued_on, period_start, period_end, target_year, plan_json, source_name, status, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11) RETURNING id",
        )
        .bind(&plan.name)
        .bind(&plan.title)
        .bind(&plan.doc_number)
        .bind(&plan.issued_on)
        .bind(plan.period.and_then(|p| p.start).map(i64::from))
        .bind(plan.period.and_then(|p| p.end).map(i64::from))
        .bind(target_year)
        .bind(plan_json)
        .bind(source_name)
        .bind(now)
        .bind(actor.id)
        .fetch_one(&mut *tx)
        .await?;
        let mut position = 0i64;
        for s in &plan.sections {
            let mut stack: Vec<(&jiqun_domain::plan::Item, Option<String>)> =
                s.items.iter().rev().map(|i| (i, None)).collect();
            while let Some((it, parent)) = stack.pop() {
                position += 1;
                sqlx::query(
                    "INSERT INTO items (plan_id, item, parent, section_no, section_title, section_kind, title, body, cities, position) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(id)
                .bind(&it.id)
                .bind(&parent)
                .bind(i64::from(s.no))
                .bind(&s.title)
                .bind(s.kind.as_str())
                .bind(&it.title)
                .bind(&it.text)
                .bind(it.cities.join(","))
                .bind(position)
                .execute(&mut *tx)
                .await?;
                for (names, role) in [(&it.lead, "lead"), (&it.co, "co")] {
                    for agency in names {
                        sqlx::query("INSERT INTO assignments (plan_id, item, agency, role) VALUES ($1, $2, $3, $4)")
                            .bind(id)
                            .bind(&it.id)
                            .bind(agency)
                            .bind(role)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                for c in it.children.iter().rev() {
                    stack.push((c, Some(it.id.clone())));
                }
            }
        }
        for (i, t) in plan.targets.iter().enumerate() {
            let baseline = plan.facts.iter().find(|f| f.subject == t.subject && f.unit == t.unit && f.year.is_some());
            let count = COUNT_UNITS.contains(&t.unit.as_str());
            let e = IndicatorEdit {
                item: Some(t.item.clone()),
                name: t.subject.clone(),
                unit: t.unit.clone(),
                direction: if matches!(t.cmp, Cmp::Le | Cmp::Lt) { "down" } else { "up" }.into(),
                method: if count { "linear" } else { "growth" }.into(),
                frequency: "annual".into(),
                baseline_period: baseline.and_then(|f| f.year).map(|y| y.to_string()),
                baseline_value: baseline.map(|f| f.value),
                target_cmp: cmp_str(t.cmp).into(),
                target_value: t.value,
                target_value_max: t.value_max,
                target_year: i64::from(t.year.or(target_year.map(|y| y as i32)).unwrap_or(2025)),
                by_city: t.unit == "元",
            };
            insert_indicator(&mut tx, id, &e, &t.text, i as i64 + 1, now).await?;
        }
        let detail =
            json!({ "name": plan.name, "source": source_name, "items": position, "targets": plan.targets.len() });
        self.commit_audited(tx, actor, AuditAction::PlanImport, "plan", &id.to_string(), &detail).await?;
        Ok(id)
    }

    pub async fn plans(&self) -> Result<Vec<PlanRow>> {
        self.all::<PlanRow>(PlanRow::select("ORDER BY id")).await
    }

    pub async fn plan(&self, id: i64) -> Result<Option<PlanRow>> {
        self.one::<PlanRow>(PlanRow::select("WHERE id = $1").bind(id)).await
    }

    /// The compiled plan as it was imported.
    pub async fn plan_document(&self, id: i64) -> Result<Option<Plan>> {
        let json: Option<String> = sqlx::query_scalar("SELECT plan_json FROM plans WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        json.map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(format!("stored plan {id}: {e}"))))
            .transpose()
    }

    pub async fn close_plan(&self, id: i64, assessment: &str, successor: Option<i64>, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        let q =
            sqlx::query("UPDATE plans SET status = 'closed', final_assessment = $1, successor_id = $2 WHERE id = $3")
                .bind(assessment)
                .bind(successor)
                .bind(id);
        update_existing(&mut tx, q, Missing::Plan(id)).await?;
        let detail = json!({ "assessment": assessment, "successor": successor });
        self.commit_audited(tx, actor, AuditAction::PlanClose, "plan", &id.to_string(), &detail).await
    }

    pub async fn items(&self, plan_id: i64) -> Result<Vec<ItemRow>> {
        self.all::<ItemRow>(ItemRow::select("WHERE plan_id = $1 ORDER BY position").bind(plan_id)).await
    }

    pub async fn indicators(&self, plan_id: i64) -> Result<Vec<IndicatorRow>> {
        self.all::<IndicatorRow>(IndicatorRow::select("WHERE plan_id = $1 ORDER BY position, id").bind(plan_id)).await
    }

    pub async fn indicator(&self, id: i64) -> Result<Option<IndicatorRow>> {
        self.one::<IndicatorRow>(IndicatorRow::select("WHERE id = $1").bind(id)).await
    }

    /// Adds an indicator the document lacks.
    pub async fn add_indicator(&self, plan_id: i64, e: &IndicatorEdit, actor: &Actor) -> Result<i64> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        let position: Option<i64> = sqlx::query_scalar("SELECT MAX(position) FROM indicators WHERE plan_id = $1")
            .bind(plan_id)
            .fetch_one(&mut *tx)
            .await?;
        let id = insert_indicator(&mut tx, plan_id, e, "", position.unwrap_or(0) + 1, now).await?;
        let detail = json!({ "name": e.name });
        self.commit_audited(tx, actor, AuditAction::IndicatorCreate, "indicator", &id.to_string(), &detail).await?;
        Ok(id)
    }

    pub async fn update_indicator(&self, id: i64, e: &IndicatorEdit, actor: &Actor) -> Result<()> {
        let before = self.indicator(id).await?.ok_or_else(|| StoreError::NotFound(Missing::Indicator(id)))?;
        let mut tx = self.begin().await?;
        let q = sqlx::query(
            "UPDATE indicators SET item = $1, name = $2, unit = $3, direction = $4, method = $5, frequency = $6, \
             baseline_period = $7, baseline_value = $8, target_cmp = $9, target_value = $10, target_value_max = $11, \
             target_year = $12, by_city = $13, updated_at = $14 WHERE id = $15",
        );
        bind_indicator(q, e).bind(e.by_city as i64).bind(now_ms()).bind(id).persistent(false).execute(&mut *tx).await?;
        let after = json!({
            "name": e.name, "unit": e.unit, "direction": e.direction, "method": e.method, "frequency": e.frequency,
            "baseline_period": e.baseline_period, "baseline_value": e.baseline_value, "target_cmp": e.target_cmp,
            "target_value": e.target_value, "target_value_max": e.target_value_max, "target_year": e.target_year,
        });
        let detail = json!({ "before": before, "after": after });
        self.commit_audited(tx, actor, AuditAction::IndicatorUpdate, "indicator", &id.to_string(), &detail).await
    }

    /// Sets (or with `None`, clears) the plan owner's override of the computed status.
    pub async fn set_override(&self, id: i64, status: Option<(&str, &str)>, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        let q = sqlx::query(
            "UPDATE indicators SET override_status = $1, override_reason = $2, override_by = $3, override_at = $4 WHERE id = $5",
        )
        .bind(status.map(|s| s.0))
        .bind(status.map(|s| s.1))
        .bind(status.and(actor.id))
        .bind(status.map(|_| now_ms()))
        .bind(id);
        update_existing(&mut tx, q, Missing::Indicator(id)).await?;
        let detail = match status {
            Some((s, reason)) => json!({ "status": s, "reason": reason }),
            None => json!({ "cleared": true }),
        };
        self.commit_audited(tx, actor, AuditAction::IndicatorOverride, "indicator", &id.to_string(), &detail).await
    }

    /// Current observations of an indicator, by period.
    pub async fn observations(&self, indicator_id: i64) -> Result<Vec<ObservationRow>> {
        let rest = "WHERE o.indicator_id = $1 AND o.is_current = 1 ORDER BY o.period_key, o.region";
        self.all(ObservationRow::select(rest).bind(indicator_id)).await
    }

    /// Every value ever entered for an indicator, corrections included, newest first.
    pub async fn observation_history(&self, indicator_id: i64) -> Result<Vec<ObservationRow>> {
        let rest = "WHERE o.indicator_id = $1 ORDER BY o.entered_at DESC, o.id DESC";
        self.all(ObservationRow::select(rest).bind(indicator_id)).await
    }

    /// A page of an indicator's observations, newest first, and how many it has in all.
    pub async fn observation_history_page(
        &self,
        indicator_id: i64,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<ObservationRow>, i64)> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM observations WHERE indicator_id = $1")
            .bind(indicator_id)
            .fetch_one(self.pool())
            .await?;
        let rest = format!(
            "WHERE o.indicator_id = $1 ORDER BY o.entered_at DESC, o.id DESC LIMIT {} OFFSET {}",
            limit.clamp(0, 100_000),
            offset.max(0)
        );
        let rows = self.all(ObservationRow::select(&rest).bind(indicator_id)).await?;
        Ok((rows, total))
    }

    /// Each current value of a plan's indicators (indicator, period, region, value), read as a stream:
    /// a plan's views keep a point per value, not the rows (a million values would otherwise sit in
    /// memory twice, as rows and as records, while the views are built).
    pub async fn each_current_value_of_plan<E: From<StoreError>>(
        &self,
        plan_id: i64,
        mut visit: impl FnMut(i64, &str, &str, f64) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        use futures_util::TryStreamExt;
        let q = sqlx::query(
            "SELECT o.indicator_id, o.period, o.region, o.value FROM observations o \
             JOIN indicators i ON i.id = o.indicator_id WHERE i.plan_id = $1 AND o.is_current = 1",
        )
        .bind(plan_id);
        let mut rows = q.fetch(self.pool());
        while let Some(row) = rows.try_next().await.map_err(|e| E::from(StoreError::from(e)))? {
            let (indicator, period, region, value): (i64, String, String, f64) =
                (get(&row, "indicator_id")?, get(&row, "period")?, get(&row, "region")?, get(&row, "value")?);
            visit(indicator, &period, &region, value)?;
        }
        Ok(())
    }

    /// A page of the current values of every indicator after the value `after` (its id), by id: an
    /// export reads them all this way.
    pub async fn current_observations_after(&self, after: i64, limit: i64) -> Result<Vec<ObservationRow>> {
        let rest = format!("WHERE o.is_current = 1 AND o.id > $1 ORDER BY o.id LIMIT {}", limit.clamp(1, 100_000));
        self.all(ObservationRow::select(&rest).bind(after)).await
    }

    /// Records a value. A second value for the same period and region is a correction: the old row stays,
    /// no longer current, and the audit record holds both.
    pub async fn add_observation(
        &self,
        indicator_id: i64,
        period: Period,
        region: &str,
        value: f64,
        source: &str,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = self.add_observation_tx(&mut tx, indicator_id, period, region, value, source, actor).await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// `add_observation` inside a transaction the caller commits (an import commits many at once).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn add_observation_tx(
        &self,
        tx: &mut Tx,
        indicator_id: i64,
        period: Period,
        region: &str,
        value: f64,
        source: &str,
        actor: &Actor,
    ) -> Result<i64> {
        let period_s = period.to_string();
        let old = current_observation(tx, indicator_id, &period_s, region).await?;
        let id = insert_observation(tx, old, (indicator_id, &period, region, value, source), actor, now_ms()).await?;
        let detail = json!({
            "indicator": indicator_id, "period": period_s, "region": region, "value": value, "source": source,
            "before": old.map(|(_, v)| v),
        });
        let action = if old.is_some() { AuditAction::ObservationCorrect } else { AuditAction::ObservationAdd };
        self.audit(tx, actor, action, "observation", &id.to_string(), true, &detail).await?;
        Ok(id)
    }

    /// Loads many observations in one transaction (the demo data set, imports). Not corrections: the
    /// periods and regions must be new.
    pub async fn bulk_observations(&self, rows: &[(i64, Period, String, f64, String)], actor: &Actor) -> Result<usize> {
        let mut tx = self.begin().await?;
        let now = now_ms();
        for (indicator_id, period, region, value, source) in rows {
            insert_observation(&mut tx, None, (*indicator_id, period, region, *value, source), actor, now).await?;
        }
        let detail = json!({ "rows": rows.len() });
        self.commit_audited(tx, actor, AuditAction::ObservationBulk, "observation", "*", &detail).await?;
        Ok(rows.len())
    }
}
