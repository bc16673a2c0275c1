//! The chain map's records: the versions of the chain vocabulary (the built-in one until the plan owner
//! saves another), the names a person decided to mean a node (for text that matches none), each node's
//! dependence on supply from outside the province, firms' roles and capacities on nodes, and the nodes
//! of bases. Which node an enterprise's or a project's `chain_nodes` text names is worked out when it is
//! read (`jiqun_app::chains`), so there is nothing here to keep in step with those records.

use jiqun_domain::audit::AuditAction;
use jiqun_domain::chains::FirmRole;
use serde::Serialize;
use serde_json::json;

use crate::model::Table;
use crate::model::row;
use crate::{Actor, Result, Store, now_ms};

row! {
    table "chain_vocabularies";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct VocabularyRow {
        pub id: i64,
        /// The vocabulary, as JSON (`jiqun_domain::chains::Vocabulary::parse` reads it).
        pub body: String,
        /// What changed, in the words of whoever saved it.
        pub note: String,
        pub created_by: Option<i64>,
        pub created_at: i64,
    }
}

row! {
    table "chain_text_map";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct TextMapRow {
        pub text: String,
        /// The node the text means; `None`: it names no node (not a chain's link at all).
        pub node_id: Option<String>,
        pub decided_by: Option<i64>,
        pub decided_at: i64,
    }
}

row! {
    table "chain_node_facts";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct NodeFactRow {
        pub node_id: String,
        pub outside: bool,
        /// The document or survey that says so.
        pub source: String,
        pub updated_by: Option<i64>,
        pub updated_at: i64,
    }
}

row! {
    table "chain_firms";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ChainFirmRow {
        pub enterprise_id: i64,
        pub node_id: String,
        pub role: FirmRole,
        /// What the firm makes or can supply there, in its own words (capacity, products).
        pub capacity: String,
        pub source: String,
        pub updated_by: Option<i64>,
        pub updated_at: i64,
    }
}

row! {
    table "chain_bases";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ChainBaseRow {
        pub base_id: i64,
        pub node_id: String,
        pub updated_by: Option<i64>,
        pub updated_at: i64,
    }
}

impl Store {
    /// Every saved version of the vocabulary, the newest first.
    pub async fn chain_vocabularies(&self) -> Result<Vec<VocabularyRow>> {
        self.all(VocabularyRow::select("ORDER BY id DESC")).await
    }

    /// The newest saved version of the vocabulary, if any was saved.
    pub async fn current_chain_vocabulary(&self) -> Result<Option<VocabularyRow>> {
        self.one(VocabularyRow::select("ORDER BY id DESC LIMIT 1")).await
    }

    /// Saves a new version of the vocabulary (checked by the application); returns its id.
    pub async fn put_chain_vocabulary(&self, body: &str, note: &str, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO chain_vocabularies (body, note, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(body)
        .bind(note)
        .bind(actor.id)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let detail = json!({ "version": id, "note": note });
        self.commit_audited(tx, actor, AuditAction::ChainVocabulary, "chain_vocabulary", &id.to_string(), &detail)
            .await?;
        Ok(id)
    }

    pub async fn chain_text_map(&self) -> Result<Vec<TextMapRow>> {
        self.all(TextMapRow::select("ORDER BY text")).await
    }

    /// Records that a text means a node (or none), for every record that holds it.
    pub async fn set_chain_text(&self, text: &str, node: Option<&str>, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM chain_text_map WHERE text = $1").bind(text).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO chain_text_map (text, node_id, decided_by, decided_at) VALUES ($1, $2, $3, $4)")
            .bind(text)
            .bind(node)
            .bind(actor.id)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        let detail = json!({ "text": text, "node": node });
        self.commit_audited(tx, actor, AuditAction::ChainTextMap, "chain_text", text, &detail).await
    }

    pub async fn chain_node_facts(&self) -> Result<Vec<NodeFactRow>> {
        self.all(NodeFactRow::select("ORDER BY node_id")).await
    }

    /// Records whether a node depends on supply from outside the province, and the source that says so.
    pub async fn set_chain_dependency(&self, node: &str, outside: bool, source: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM chain_node_facts WHERE node_id = $1").bind(node).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO chain_node_facts (node_id, outside, source, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(node)
        .bind(i64::from(outside))
        .bind(source)
        .bind(actor.id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let detail = json!({ "outside": outside, "source": source });
        self.commit_audited(tx, actor, AuditAction::ChainDependency, "chain_node", node, &detail).await
    }

    pub async fn chain_firms(&self) -> Result<Vec<ChainFirmRow>> {
        self.all(ChainFirmRow::select("ORDER BY node_id, enterprise_id")).await
    }

    /// Puts a firm on a node with its role and capacity (replacing what was recorded of it there), or takes
    /// it off (`role` `None`).
    pub async fn set_chain_firm(
        &self,
        enterprise_id: i64,
        node: &str,
        role: Option<(FirmRole, &str, &str)>,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM chain_firms WHERE enterprise_id = $1 AND node_id = $2")
            .bind(enterprise_id)
            .bind(node)
            .execute(&mut *tx)
            .await?;
        if let Some((role, capacity, source)) = role {
            sqlx::query(
                "INSERT INTO chain_firms (enterprise_id, node_id, role, capacity, source, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(enterprise_id)
            .bind(node)
            .bind(role.as_str())
            .bind(capacity)
            .bind(source)
            .bind(actor.id)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        }
        let detail = json!({ "node": node, "role": role.map(|r| r.0), "capacity": role.map(|r| r.1) });
        self.commit_audited(tx, actor, AuditAction::ChainFirm, "enterprise", &enterprise_id.to_string(), &detail).await
    }

    pub async fn chain_bases(&self) -> Result<Vec<ChainBaseRow>> {
        self.all(ChainBaseRow::select("ORDER BY node_id, base_id")).await
    }

    /// Puts a base on a node (`on` true) or takes it off.
    pub async fn set_chain_base(&self, base_id: i64, node: &str, on: bool, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM chain_bases WHERE base_id = $1 AND node_id = $2")
            .bind(base_id)
            .bind(node)
            .execute(&mut *tx)
            .await?;
        if on {
            sqlx::query("INSERT INTO chain_bases (base_id, node_id, updated_by, updated_at) VALUES ($1, $2, $3, $4)")
                .bind(base_id)
                .bind(node)
                .bind(actor.id)
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
        }
        let detail = json!({ "node": node, "on": on });
        self.commit_audited(tx, actor, AuditAction::ChainBase, "base", &base_id.to_string(), &detail).await
    }
}
