//! The registry of recognised platforms and places (innovation centres, key laboratories, industry bases,
//! parks, clusters), and the observations Jiqun writes for the indicators that count them.
//!
//! A base is never deleted: a withdrawn recognition keeps its row with the day and the reason, so the count
//! on any past day can be reconstructed.

use jiqun_domain::audit::AuditAction;
use jiqun_domain::bases::{BaseKind, BaseLevel};
use jiqun_domain::date::Date;
use jiqun_domain::period::Period;
use serde::Serialize;
use serde_json::json;

use crate::model::{Table, row};
use crate::plans::{current_observation, insert_observation};
use crate::{Actor, Clash, Missing, Result, Store, StoreError, Tx, checked_version, now_ms, update_existing};

row! {
    table "bases";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct BaseRow {
        pub id: i64,
        pub name: String,
        pub kind: BaseKind,
        pub level: BaseLevel,
        /// The city it lies in (empty for a province-wide platform).
        pub city: String,
        /// The organisation that hosts or runs it.
        pub host_name: String,
        /// The host's USCC, where the host is an enterprise of the registry.
        pub host_uscc: Option<String>,
        /// Who recognised it (工业和信息化部, 省工业和信息化厅 …).
        pub recognised_by: String,
        pub recognised_on: Date,
        pub withdrawn_on: Option<Date>,
        pub withdrawn_reason: Option<String>,
        /// Where the facts come from (a notice, a list, a web page).
        pub source: String,
        /// Made up for the demo, and labelled so wherever it is shown.
        pub synthetic: bool,
        pub version: i64,
        pub created_by: Option<i64>,
        pub created_at: i64,
        pub updated_at: i64,
    }
}

/// A base as registered or edited (already checked by the application).
#[derive(Debug, Clone, PartialEq)]
pub struct NewBase {
    pub name: String,
    pub kind: BaseKind,
    pub level: BaseLevel,
    pub city: String,
    pub host_name: String,
    pub host_uscc: Option<String>,
    pub recognised_by: String,
    pub recognised_on: Date,
    pub source: String,
    pub synthetic: bool,
}

/// A value Jiqun computed for a bound indicator: (indicator, period, value, source).
pub type Derived = (i64, Period, f64, String);

impl Store {
    pub async fn bases(&self) -> Result<Vec<BaseRow>> {
        self.all(BaseRow::select("ORDER BY kind, level, recognised_on, id")).await
    }

    pub async fn base(&self, id: i64) -> Result<BaseRow> {
        self.by_id(id, Missing::Base).await
    }

    async fn base_clash(&self, tx: &mut Tx, b: &NewBase, except: i64) -> Result<()> {
        let other: Option<i64> =
            sqlx::query_scalar("SELECT id FROM bases WHERE kind = $1 AND level = $2 AND name = $3 AND id <> $4")
                .bind(b.kind.as_str())
                .bind(b.level.as_str())
                .bind(&b.name)
                .bind(except)
                .fetch_optional(&mut **tx)
                .await?;
        match other {
            Some(id) => Err(StoreError::Conflict(Clash::BaseExists { name: b.name.clone(), id })),
            None => Ok(()),
        }
    }

    /// Registers a recognised base; returns its id. The same name, kind and level twice is a conflict.
    pub async fn insert_base(&self, b: &NewBase, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin().await?;
        self.base_clash(&mut tx, b, 0).await?;
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO bases (name, kind, level, city, host_name, host_uscc, recognised_by, recognised_on, source, synthetic, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12, $12) RETURNING id",
        )
        .bind(&b.name)
        .bind(b.kind.as_str())
        .bind(b.level.as_str())
        .bind(&b.city)
        .bind(&b.host_name)
        .bind(&b.host_uscc)
        .bind(&b.recognised_by)
        .bind(b.recognised_on.to_string())
        .bind(&b.source)
        .bind(i64::from(b.synthetic))
        .bind(actor.id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let detail = json!({ "name": b.name, "kind": b.kind, "level": b.level, "city": b.city, "recognised_on": b.recognised_on });
        self.commit_audited(tx, actor, AuditAction::BaseRecognise, "base", &id.to_string(), &detail).await?;
        Ok(id)
    }

    /// Changes what is recorded of a base (not its withdrawal).
    pub async fn update_base(&self, id: i64, b: &NewBase, expected_version: Option<i64>, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        let version = checked_version(&mut tx, "bases", id, expected_version, Missing::Base).await?;
        self.base_clash(&mut tx, b, id).await?;
        sqlx::query(
            "UPDATE bases SET name = $1, kind = $2, level = $3, city = $4, host_name = $5, host_uscc = $6, recognised_by = $7, \
             recognised_on = $8, source = $9, synthetic = $10, version = $11, updated_at = $12 WHERE id = $13",
        )
        .bind(&b.name)
        .bind(b.kind.as_str())
        .bind(b.level.as_str())
        .bind(&b.city)
        .bind(&b.host_name)
        .bind(&b.host_uscc)
        .bind(&b.recognised_by)
        .bind(b.recognised_on.to_string())
        .bind(&b.source)
        .bind(i64::from(b.synthetic))
        .bind(version + 1)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let detail = json!({ "name": b.name, "kind": b.kind, "level": b.level, "city": b.city, "recognised_on": b.recognised_on });
        self.commit_audited(tx, actor, AuditAction::BaseUpdate, "base", &id.to_string(), &detail).await
    }

    /// Withdraws a base's recognition from `on`, with the reason; withdrawing twice is a conflict.
    pub async fn withdraw_base(
        &self,
        id: i64,
        on: Date,
        reason: &str,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let version = checked_version(&mut tx, "bases", id, expected_version, Missing::Base).await?;
        let done: Option<String> =
            sqlx::query_scalar("SELECT withdrawn_on FROM bases WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
        if let Some(on) = done {
            return Err(StoreError::Conflict(Clash::BaseWithdrawn { on }));
        }
        sqlx::query(
            "UPDATE bases SET withdrawn_on = $1, withdrawn_reason = $2, version = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(on.to_string())
        .bind(reason)
        .bind(version + 1)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let detail = json!({ "withdrawn_on": on, "reason": reason });
        self.commit_audited(tx, actor, AuditAction::BaseWithdraw, "base", &id.to_string(), &detail).await
    }

    /// Sets or clears what an indicator is computed from (the text form of a `Derivation`).
    pub async fn set_derivation(&self, indicator_id: i64, derived_from: Option<&str>, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        let q = sqlx::query("UPDATE indicators SET derived_from = $1, updated_at = $2 WHERE id = $3")
            .bind(derived_from)
            .bind(now_ms())
            .bind(indicator_id);
        update_existing(&mut tx, q, Missing::Indicator(indicator_id)).await?;
        let detail = json!({ "derived_from": derived_from });
        self.commit_audited(
            tx,
            actor,
            AuditAction::IndicatorDerivation,
            "indicator",
            &indicator_id.to_string(),
            &detail,
        )
        .await
    }

    /// Writes computed province-wide values in one transaction: a value equal to the current one is left
    /// alone, a different one becomes the current value (the old one kept, as for a correction). Returns
    /// how many values were written.
    pub async fn write_derived(&self, values: &[Derived], actor: &Actor) -> Result<usize> {
        let mut tx = self.begin().await?;
        let now = now_ms();
        let mut written = Vec::new();
        for (indicator_id, period, value, source) in values {
            let period_s = period.to_string();
            let old = current_observation(&mut tx, *indicator_id, &period_s, "").await?;
            if old.is_some_and(|(_, v)| v == *value) {
                continue;
            }
            insert_observation(&mut tx, old, (*indicator_id, period, "", *value, source), actor, now).await?;
            written.push(json!({ "indicator": indicator_id, "period": period_s, "value": value }));
        }
        if written.is_empty() {
            // Nothing changed: no transaction to keep (the revision counter stays where it was).
            tx.rollback().await?;
            return Ok(0);
        }
        let detail = json!({ "values": written });
        self.commit_audited(tx, actor, AuditAction::ObservationDerive, "observation", "*", &detail).await?;
        Ok(written.len())
    }
}

impl Store {
    /// Every designation ever made, withdrawn ones included: (library, enterprise, designated at, withdrawn
    /// at), for counting a library's members on past days.
    pub async fn designation_spans(&self) -> Result<Vec<(String, i64, i64, Option<i64>)>> {
        Ok(sqlx::query_as("SELECT library, enterprise_id, designated_at, withdrawn_at FROM library_designations")
            .fetch_all(&self.pool)
            .await?)
    }
}
