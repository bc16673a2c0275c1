//! The cultivation libraries' designations and the new-project admission proposals.
//!
//! A designation puts an enterprise into a library (for the backbone directory, into one chain of it) by
//! the authority's decision, with the notice it was published in. Withdrawing it keeps the row (no longer
//! active), with who withdrew it, when and why, so the directory's membership at any time can be
//! reconstructed. The figures the libraries check are the registry's own (sealed) yearly figures; nothing
//! here holds a figure of an enterprise.
//!
//! A proposal is a new industrial project as submitted for admission, with the decision the admission
//! table gave and the full result (every metric, threshold, source and reason) as JSON.

use jiqun_domain::Money;
use jiqun_domain::audit::AuditAction;
use serde::Serialize;
use serde_json::json;

use crate::model::{Table, row};
use crate::{Actor, Clash, Missing, Result, Store, StoreError, Tx, now_ms};

row! {
    table "library_designations";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct DesignationRow {
        pub id: i64,
        pub library: String,
        /// The chain of a per-chain library; empty otherwise.
        pub chain: String,
        pub enterprise_id: i64,
        /// The notice or list it was published in.
        pub reference: String,
        pub active: bool,
        pub designated_by: Option<i64>,
        pub designated_at: i64,
        pub withdrawn_by: Option<i64>,
        pub withdrawn_at: Option<i64>,
        pub withdrawn_reason: Option<String>,
    }
}

/// A proposal as assessed, ready to store. Its money is stored in 万元, the unit its columns are named by.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProposal {
    pub project: String,
    pub city: jiqun_domain::CityCode,
    pub zone: String,
    pub industry_code: String,
    pub land_mu: f64,
    pub fixed_investment_wan: Option<Money>,
    pub annual_output_wan: Option<Money>,
    pub annual_tax_wan: Option<Money>,
    pub jobs: Option<f64>,
    pub energy_tce: Option<f64>,
    pub value_added_wan: Option<Money>,
    pub rd_wan: Option<Money>,
    /// The admission table it was assessed against.
    pub table_id: String,
    /// `admit`, `admit_with_conditions` or `reject`.
    pub decision: String,
    /// The engine's full result, as JSON.
    pub result: String,
}

row! {
    table "project_proposals";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ProposalRow {
        pub id: i64,
        pub project: String,
        pub city: jiqun_domain::CityCode,
        pub zone: String,
        pub industry_code: String,
        pub land_mu: f64,
        #[serde(with = "jiqun_domain::units::wan")]
        pub fixed_investment_wan: Option<Money>,
        #[serde(with = "jiqun_domain::units::wan")]
        pub annual_output_wan: Option<Money>,
        #[serde(with = "jiqun_domain::units::wan")]
        pub annual_tax_wan: Option<Money>,
        pub jobs: Option<f64>,
        pub energy_tce: Option<f64>,
        #[serde(with = "jiqun_domain::units::wan")]
        pub value_added_wan: Option<Money>,
        #[serde(with = "jiqun_domain::units::wan")]
        pub rd_wan: Option<Money>,
        pub table_id: String,
        pub decision: String,
        #[serde(skip)]
        pub result: String,
        pub assessed_by: Option<i64>,
        pub assessed_at: i64,
    }
}

/// The firm's active designation in a library and chain, if it has one.
async fn active_designation(tx: &mut Tx, library: &str, chain: &str, enterprise_id: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM library_designations WHERE library = $1 AND chain = $2 AND enterprise_id = $3 AND active = 1",
    )
    .bind(library)
    .bind(chain)
    .bind(enterprise_id)
    .fetch_optional(&mut **tx)
    .await?)
}

impl Store {
    async fn uscc_tx(&self, tx: &mut Tx, enterprise_id: i64) -> Result<String> {
        sqlx::query_scalar("SELECT uscc FROM enterprises WHERE id = $1")
            .bind(enterprise_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(Missing::Enterprise(enterprise_id)))
    }

    /// Designates an enterprise into a library (and chain); returns the designation's id. A firm already
    /// designated there is a conflict.
    pub async fn designate(
        &self,
        library: &str,
        chain: &str,
        enterprise_id: i64,
        reference: &str,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let uscc = self.uscc_tx(&mut tx, enterprise_id).await?;
        if active_designation(&mut tx, library, chain, enterprise_id).await?.is_some() {
            return Err(StoreError::Conflict(Clash::AlreadyDesignated {
                uscc,
                library: library.to_string(),
                chain: chain.to_string(),
            }));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO library_designations (library, chain, enterprise_id, reference, active, designated_by, designated_at) \
             VALUES ($1, $2, $3, $4, 1, $5, $6) RETURNING id",
        )
        .bind(library)
        .bind(chain)
        .bind(enterprise_id)
        .bind(reference)
        .bind(actor.id)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let detail = json!({ "designation": id, "library": library, "chain": chain, "reference": reference });
        self.commit_audited(tx, actor, AuditAction::LibraryDesignate, "enterprise", &uscc, &detail).await?;
        Ok(id)
    }

    /// Withdraws a designation; the row stays, no longer active. Not designated there: not found.
    pub async fn withdraw_designation(
        &self,
        library: &str,
        chain: &str,
        enterprise_id: i64,
        reason: &str,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let uscc = self.uscc_tx(&mut tx, enterprise_id).await?;
        let Some(id) = active_designation(&mut tx, library, chain, enterprise_id).await? else {
            return Err(StoreError::NotFound(Missing::Designation {
                uscc: uscc.to_string(),
                library: library.to_string(),
                chain: chain.to_string(),
            }));
        };
        sqlx::query(
            "UPDATE library_designations SET active = 0, withdrawn_by = $1, withdrawn_at = $2, withdrawn_reason = $3 WHERE id = $4",
        )
        .bind(actor.id)
        .bind(now_ms())
        .bind(reason)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let detail = json!({ "designation": id, "library": library, "chain": chain, "reason": reason });
        self.commit_audited(tx, actor, AuditAction::LibraryWithdraw, "enterprise", &uscc, &detail).await
    }

    /// The active designations, of one library or all, by library, chain and firm.
    pub async fn designations(&self, library: Option<&str>) -> Result<Vec<DesignationRow>> {
        let rest = "WHERE active = 1 AND ($1 IS NULL OR library = $1) ORDER BY library, chain, enterprise_id";
        self.all(DesignationRow::select(rest).bind(library)).await
    }

    /// Every designation of one firm, withdrawn ones included, oldest first.
    pub async fn designations_of(&self, enterprise_id: i64) -> Result<Vec<DesignationRow>> {
        self.all(DesignationRow::select("WHERE enterprise_id = $1 ORDER BY id").bind(enterprise_id)).await
    }

    /// Stores an assessed proposal with its audit record; returns its id.
    pub async fn save_proposal(&self, p: &NewProposal, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = self.save_proposal_tx(&mut tx, p, actor).await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// The same inside a transaction (a project's admission step).
    pub(crate) async fn save_proposal_tx(&self, tx: &mut Tx, p: &NewProposal, actor: &Actor) -> Result<i64> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO project_proposals (project, city, zone, industry_code, land_mu, fixed_investment_wan, annual_output_wan, \
             annual_tax_wan, jobs, energy_tce, value_added_wan, rd_wan, table_id, decision, result, assessed_by, assessed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
        )
        .bind(&p.project)
        .bind(p.city.as_str())
        .bind(&p.zone)
        .bind(&p.industry_code)
        .bind(p.land_mu)
        .bind(p.fixed_investment_wan.map(Money::as_wan))
        .bind(p.annual_output_wan.map(Money::as_wan))
        .bind(p.annual_tax_wan.map(Money::as_wan))
        .bind(p.jobs)
        .bind(p.energy_tce)
        .bind(p.value_added_wan.map(Money::as_wan))
        .bind(p.rd_wan.map(Money::as_wan))
        .bind(&p.table_id)
        .bind(&p.decision)
        .bind(&p.result)
        .bind(actor.id)
        .bind(now_ms())
        .persistent(false)
        .fetch_one(&mut **tx)
        .await?;
        self.audit(
            tx,
            actor,
            AuditAction::ProjectAssess,
            "project",
            &id.to_string(),
            true,
            &json!({
                "project": p.project, "city": p.city, "zone": p.zone, "industry_code": p.industry_code,
                "table": p.table_id, "decision": p.decision,
            }),
        )
        .await?;
        Ok(id)
    }

    /// Proposals, of one city or all, newest first.
    pub async fn proposals(&self, city: Option<jiqun_domain::CityCode>) -> Result<Vec<ProposalRow>> {
        self.all(ProposalRow::select("WHERE ($1 IS NULL OR city = $1) ORDER BY id DESC").bind(city.map(|c| c.as_str())))
            .await
    }

    pub async fn proposal(&self, id: i64) -> Result<Option<ProposalRow>> {
        self.one::<ProposalRow>(ProposalRow::select("WHERE id = $1").bind(id)).await
    }
}
