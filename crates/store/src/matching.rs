//! 芯片设计企业与终端应用企业对接: the chip products and terminal needs enterprises list, the matchmaking
//! meetings (对接会) held on a pair of them and what came of each. The settings of the scoring (weights, lead
//! times) are one JSON value in `settings` (key `match_settings`).
//!
//! Nothing here is deleted: a product or need no longer offered is made inactive, so the meetings held on it
//! keep their subject.

use jiqun_domain::CityCode;
use jiqun_domain::audit::AuditAction;
use jiqun_domain::date::Date;
use jiqun_domain::matching::{MatchOutcome, Maturity};
use serde::Serialize;
use serde_json::json;

use crate::model::{Table, row};
use crate::{Actor, Missing, Result, Store, checked_version, now_ms};

row! {
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct MatchProductRow {
        pub id: i64,
        pub enterprise_id: i64,
        /// The chip firm's USCC, name and city (from the registry).
        pub uscc: String,
        pub firm_name: String,
        pub city: CityCode,
        pub name: String,
        /// A category id (`data/matching/categories.json`).
        pub category: String,
        pub process_node_nm: Option<i64>,
        pub maturity: Maturity,
        /// Pieces a year the firm can supply.
        pub annual_volume: Option<i64>,
        pub note: String,
        /// Still offered: only active products are matched.
        pub active: bool,
        pub synthetic: bool,
        pub version: i64,
        pub created_by: Option<i64>,
        pub created_at: i64,
        pub updated_at: i64,
    }
}

row! {
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct MatchNeedRow {
        pub id: i64,
        pub enterprise_id: i64,
        /// The terminal maker's USCC, name and city (from the registry).
        pub uscc: String,
        pub firm_name: String,
        pub city: CityCode,
        pub name: String,
        pub category: String,
        pub annual_volume: Option<i64>,
        pub needed_by: Date,
        pub requirements: String,
        pub active: bool,
        pub synthetic: bool,
        pub version: i64,
        pub created_by: Option<i64>,
        pub created_at: i64,
        pub updated_at: i64,
    }
}

row! {
    table "match_meetings";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct MatchMeetingRow {
        pub id: i64,
        pub product_id: i64,
        pub need_id: i64,
        pub held_on: Date,
        pub place: String,
        pub note: String,
        pub outcome: Option<MatchOutcome>,
        pub outcome_on: Option<Date>,
        pub outcome_note: Option<String>,
        pub synthetic: bool,
        pub version: i64,
        pub created_by: Option<i64>,
        pub created_at: i64,
        pub updated_at: i64,
    }
}

/// A product with its firm's USCC, name and city.
impl Table for MatchProductRow {
    const TABLE: &'static str = "match_products p JOIN enterprises e ON e.id = p.enterprise_id";
    const COLUMNS: &'static str = "p.id, p.enterprise_id, e.uscc, e.name AS firm_name, e.city, p.name, p.category, p.process_node_nm, p.maturity, p.annual_volume, p.note, p.active, p.synthetic, p.version, p.created_by, p.created_at, p.updated_at";
    const ID: &'static str = "p.id";
}

/// A need with its firm's USCC, name and city.
impl Table for MatchNeedRow {
    const TABLE: &'static str = "match_needs n JOIN enterprises e ON e.id = n.enterprise_id";
    const COLUMNS: &'static str = "n.id, n.enterprise_id, e.uscc, e.name AS firm_name, e.city, n.name, n.category, n.annual_volume, n.needed_by, n.requirements, n.active, n.synthetic, n.version, n.created_by, n.created_at, n.updated_at";
    const ID: &'static str = "n.id";
}

/// A chip product as listed or edited (checked by the application).
#[derive(Debug, Clone, PartialEq)]
pub struct NewMatchProduct {
    pub enterprise_id: i64,
    pub name: String,
    pub category: String,
    pub process_node_nm: Option<i64>,
    pub maturity: Maturity,
    pub annual_volume: Option<i64>,
    pub note: String,
    pub active: bool,
    pub synthetic: bool,
}

/// A terminal need as listed or edited (checked by the application).
#[derive(Debug, Clone, PartialEq)]
pub struct NewMatchNeed {
    pub enterprise_id: i64,
    pub name: String,
    pub category: String,
    pub annual_volume: Option<i64>,
    pub needed_by: Date,
    pub requirements: String,
    pub active: bool,
    pub synthetic: bool,
}

/// A meeting held on a product and a need (checked by the application).
#[derive(Debug, Clone, PartialEq)]
pub struct NewMatchMeeting {
    pub product_id: i64,
    pub need_id: i64,
    pub held_on: Date,
    pub place: String,
    pub note: String,
    pub synthetic: bool,
}

/// The setting that holds the matchmaking weights and lead times as JSON.
pub const MATCH_SETTINGS_KEY: &str = "match_settings";

impl Store {
    pub async fn match_products(&self) -> Result<Vec<MatchProductRow>> {
        self.all(MatchProductRow::select("ORDER BY p.id")).await
    }

    pub async fn match_product(&self, id: i64) -> Result<MatchProductRow> {
        self.by_id(id, Missing::MatchProduct).await
    }

    pub async fn match_needs(&self) -> Result<Vec<MatchNeedRow>> {
        self.all(MatchNeedRow::select("ORDER BY n.id")).await
    }

    pub async fn match_need(&self, id: i64) -> Result<MatchNeedRow> {
        self.by_id(id, Missing::MatchNeed).await
    }

    pub async fn match_meetings(&self) -> Result<Vec<MatchMeetingRow>> {
        self.all(MatchMeetingRow::select("ORDER BY held_on DESC, id DESC")).await
    }

    pub async fn match_meeting(&self, id: i64) -> Result<MatchMeetingRow> {
        self.by_id(id, Missing::MatchMeeting).await
    }

    /// Lists a chip product; returns its id.
    pub async fn insert_match_product(&self, p: &NewMatchProduct, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin().await?;
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO match_products (enterprise_id, name, category, process_node_nm, maturity, annual_volume, note, active, synthetic, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $11) RETURNING id",
        )
        .bind(p.enterprise_id)
        .bind(&p.name)
        .bind(&p.category)
        .bind(p.process_node_nm)
        .bind(p.maturity.as_str())
        .bind(p.annual_volume)
        .bind(&p.note)
        .bind(i64::from(p.active))
        .bind(i64::from(p.synthetic))
        .bind(actor.id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        self.commit_audited(
            tx,
            actor,
            AuditAction::MatchProductCreate,
            "match_product",
            &id.to_string(),
            &product_detail(p),
        )
        .await?;
        Ok(id)
    }

    pub async fn update_match_product(
        &self,
        id: i64,
        p: &NewMatchProduct,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let version = checked_version(&mut tx, "match_products", id, expected_version, Missing::MatchProduct).await?;
        sqlx::query(
            "UPDATE match_products SET name = $1, category = $2, process_node_nm = $3, maturity = $4, annual_volume = $5, \
             note = $6, active = $7, version = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(&p.name)
        .bind(&p.category)
        .bind(p.process_node_nm)
        .bind(p.maturity.as_str())
        .bind(p.annual_volume)
        .bind(&p.note)
        .bind(i64::from(p.active))
        .bind(version + 1)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        self.commit_audited(
            tx,
            actor,
            AuditAction::MatchProductUpdate,
            "match_product",
            &id.to_string(),
            &product_detail(p),
        )
        .await
    }

    /// Lists a terminal need; returns its id.
    pub async fn insert_match_need(&self, n: &NewMatchNeed, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin().await?;
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO match_needs (enterprise_id, name, category, annual_volume, needed_by, requirements, active, synthetic, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $10) RETURNING id",
        )
        .bind(n.enterprise_id)
        .bind(&n.name)
        .bind(&n.category)
        .bind(n.annual_volume)
        .bind(n.needed_by.to_string())
        .bind(&n.requirements)
        .bind(i64::from(n.active))
        .bind(i64::from(n.synthetic))
        .bind(actor.id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        self.commit_audited(tx, actor, AuditAction::MatchNeedCreate, "match_need", &id.to_string(), &need_detail(n))
            .await?;
        Ok(id)
    }

    pub async fn update_match_need(
        &self,
        id: i64,
        n: &NewMatchNeed,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let version = checked_version(&mut tx, "match_needs", id, expected_version, Missing::MatchNeed).await?;
        sqlx::query(
            "UPDATE match_needs SET name = $1, category = $2, annual_volume = $3, needed_by = $4, requirements = $5, \
             active = $6, version = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(&n.name)
        .bind(&n.category)
        .bind(n.annual_volume)
        .bind(n.needed_by.to_string())
        .bind(&n.requirements)
        .bind(i64::from(n.active))
        .bind(version + 1)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        self.commit_audited(tx, actor, AuditAction::MatchNeedUpdate, "match_need", &id.to_string(), &need_detail(n))
            .await
    }

    /// Records a meeting held on a product and a need; returns its id.
    pub async fn insert_match_meeting(&self, m: &NewMatchMeeting, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin().await?;
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO match_meetings (product_id, need_id, held_on, place, note, synthetic, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $8) RETURNING id",
        )
        .bind(m.product_id)
        .bind(m.need_id)
        .bind(m.held_on.to_string())
        .bind(&m.place)
        .bind(&m.note)
        .bind(i64::from(m.synthetic))
        .bind(actor.id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let detail = json!({ "product": m.product_id, "need": m.need_id, "held_on": m.held_on, "place": m.place });
        self.commit_audited(tx, actor, AuditAction::MatchMeetingCreate, "match_meeting", &id.to_string(), &detail)
            .await?;
        Ok(id)
    }

    /// Records (or corrects) what came of a meeting.
    pub async fn set_match_outcome(
        &self,
        id: i64,
        outcome: MatchOutcome,
        on: Date,
        note: &str,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let version = checked_version(&mut tx, "match_meetings", id, expected_version, Missing::MatchMeeting).await?;
        sqlx::query(
            "UPDATE match_meetings SET outcome = $1, outcome_on = $2, outcome_note = $3, version = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(outcome.as_str())
        .bind(on.to_string())
        .bind(note)
        .bind(version + 1)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let detail = json!({ "outcome": outcome, "outcome_on": on, "note": note });
        self.commit_audited(tx, actor, AuditAction::MatchMeetingOutcome, "match_meeting", &id.to_string(), &detail)
            .await
    }

    /// Stores the matchmaking settings (JSON, checked by the application), audited with before and after.
    pub async fn set_match_settings(&self, value: &str, actor: &Actor) -> Result<()> {
        let before = self.setting(MATCH_SETTINGS_KEY).await?;
        let mut tx = self.begin().await?;
        self.put_setting(&mut tx, MATCH_SETTINGS_KEY, value).await?;
        let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap_or(serde_json::Value::Null);
        let detail = json!({ "before": before.as_deref().map(parse), "after": parse(value) });
        self.commit_audited(tx, actor, AuditAction::MatchSettings, "setting", MATCH_SETTINGS_KEY, &detail).await
    }
}

fn product_detail(p: &NewMatchProduct) -> serde_json::Value {
    json!({ "enterprise": p.enterprise_id, "name": p.name, "category": p.category, "maturity": p.maturity,
            "process_node_nm": p.process_node_nm, "annual_volume": p.annual_volume, "active": p.active })
}

fn need_detail(n: &NewMatchNeed) -> serde_json::Value {
    json!({ "enterprise": n.enterprise_id, "name": n.name, "category": n.category, "annual_volume": n.annual_volume,
            "needed_by": n.needed_by, "active": n.active })
}
