//! Backup and restore in a logical format that works across both databases: every table's rows as JSON
//! lines, read inside one transaction so the copy is consistent even while the server writes (SQLite's WAL
//! snapshot; PostgreSQL's REPEATABLE READ). Restore fills an empty database in one transaction and
//! carries the audit chain over unchanged (same ids, same hashes), so `audit verify` passes on the copy.

use std::io::{BufRead, Write};

use serde_json::{Value, json};
use sqlx::Row;

use crate::{Backend, BackupFault, Result, Store, StoreError};

#[derive(Clone, Copy, PartialEq)]
pub enum Ty {
    I,
    F,
    T,
    B,
}

/// Tables in dependency order, with their columns and types (a test checks this against the schema).
pub const TABLES: &[(&str, &[(&str, Ty)])] = {
    use Ty::*;
    &[
        ("settings", &[("key", T), ("value", T)]),
        ("revision", &[("id", I), ("n", I), ("d", I)]),
        (
            "users",
            &[
                ("id", I),
                ("username", T),
                ("display_name", T),
                ("password_hash", T),
                ("roles", T),
                ("agency", T),
                ("city", T),
                ("uscc", T),
                ("must_change_password", I),
                ("disabled", I),
                ("failed_logins", I),
                ("locked_until", I),
                ("last_login_at", I),
                ("prev_login_at", I),
                ("created_at", I),
                ("totp_secret", T),
                ("totp_enabled", I),
                ("totp_last_step", I),
                ("password_changed_at", I),
                ("contact", T),
            ],
        ),
        ("password_history", &[("id", I), ("user_id", I), ("password_hash", T), ("changed_at", I)]),
        (
            "sessions",
            &[
                ("id", I),
                ("token_hash", T),
                ("user_id", I),
                ("csrf", T),
                ("kind", T),
                ("created_at", I),
                ("last_seen_at", I),
                ("expires_at", I),
            ],
        ),
        (
            "plans",
            &[
                ("id", I),
                ("name", T),
                ("title", T),
                ("doc_number", T),
                ("issued_on", T),
                ("period_start", I),
                ("period_end", I),
                ("target_year", I),
                ("plan_json", T),
                ("source_name", T),
                ("status", T),
                ("final_assessment", T),
                ("successor_id", I),
                ("created_at", I),
                ("created_by", I),
            ],
        ),
        (
            "items",
            &[
                ("id", I),
                ("plan_id", I),
                ("item", T),
                ("parent", T),
                ("section_no", I),
                ("section_title", T),
                ("section_kind", T),
                ("title", T),
                ("body", T),
                ("cities", T),
                ("position", I),
            ],
        ),
        ("assignments", &[("id", I), ("plan_id", I), ("item", T), ("agency", T), ("role", T)]),
        ("report_rounds", &[("id", I), ("plan_id", I), ("period", T), ("deadline", T)]),
        (
            "reports",
            &[
                ("id", I),
                ("assignment_id", I),
                ("period", T),
                ("version", I),
                ("is_current", I),
                ("state", T),
                ("status", T),
                ("percent", F),
                ("narrative", T),
                ("problems", T),
                ("help_needed", T),
                ("review_comment", T),
                ("created_at", I),
                ("created_by", I),
                ("submitted_at", I),
                ("reviewed_at", I),
                ("reviewed_by", I),
            ],
        ),
        (
            "attachments",
            &[
                ("id", I),
                ("report_id", I),
                ("filename", T),
                ("content_type", T),
                ("size", I),
                ("data", B),
                ("created_at", I),
                ("created_by", I),
            ],
        ),
        (
            "indicators",
            &[
                ("id", I),
                ("plan_id", I),
                ("item", T),
                ("name", T),
                ("unit", T),
                ("direction", T),
                ("method", T),
                ("frequency", T),
                ("baseline_period", T),
                ("baseline_value", F),
                ("target_cmp", T),
                ("target_value", F),
                ("target_value_max", F),
                ("target_year", I),
                ("source_text", T),
                ("derived_from", T),
                ("override_status", T),
                ("override_reason", T),
                ("override_by", I),
                ("override_at", I),
                ("by_city", I),
                ("position", I),
                ("created_at", I),
                ("updated_at", I),
            ],
        ),
        (
            "observations",
            &[
                ("id", I),
                ("indicator_id", I),
                ("period", T),
                ("period_key", I),
                ("region", T),
                ("value", F),
                ("source", T),
                ("is_current", I),
                ("entered_by", I),
                ("entered_at", I),
            ],
        ),
        ("roles", &[("name", T), ("definition", T), ("updated_at", I)]),
        (
            "bases",
            &[
                ("id", I),
                ("name", T),
                ("kind", T),
                ("level", T),
                ("city", T),
                ("host_name", T),
                ("host_uscc", T),
                ("recognised_by", T),
                ("recognised_on", T),
                ("withdrawn_on", T),
                ("withdrawn_reason", T),
                ("source", T),
                ("synthetic", I),
                ("version", I),
                ("created_by", I),
                ("created_at", I),
                ("updated_at", I),
            ],
        ),
        (
            "enterprises",
            &[
                ("id", I),
                ("uscc", T),
                ("name", T),
                ("city", T),
                ("county", T),
                ("industry", T),
                ("scale", T),
                ("founded_year", I),
                ("listed", I),
                ("chain_nodes", T),
                ("tags", T),
                ("contact", T),
                ("created_at", I),
                ("updated_at", I),
            ],
        ),
        (
            "enterprise_figures",
            &[
                ("id", I),
                ("enterprise_id", I),
                ("year", I),
                ("metrics", T),
                ("sealed", T),
                ("source", T),
                ("is_current", I),
                ("entered_by", I),
                ("entered_at", I),
            ],
        ),
        (
            "expert_assignments",
            &[("id", I), ("user_id", I), ("enterprise_id", I), ("assigned_by", I), ("assigned_at", I)],
        ),
        (
            "evaluations",
            &[
                ("id", I),
                ("year", I),
                ("scheme_id", T),
                ("scheme_name", T),
                ("scheme_json", T),
                ("rated", I),
                ("not_rated", I),
                ("created_by", I),
                ("created_at", I),
            ],
        ),
        (
            "evaluation_results",
            &[
                ("id", I),
                ("evaluation_id", I),
                ("enterprise_id", I),
                ("city", T),
                ("scale", T),
                ("score", F),
                ("rank", I),
                ("group_size", I),
                ("class", T),
                ("reason", T),
                ("items", T),
            ],
        ),
        (
            "evaluation_schemes",
            &[("scheme_id", T), ("name", T), ("definition", T), ("created_by", I), ("created_at", I)],
        ),
        (
            "library_designations",
            &[
                ("id", I),
                ("library", T),
                ("chain", T),
                ("enterprise_id", I),
                ("reference", T),
                ("active", I),
                ("designated_by", I),
                ("designated_at", I),
                ("withdrawn_by", I),
                ("withdrawn_at", I),
                ("withdrawn_reason", T),
            ],
        ),
        (
            "project_proposals",
            &[
                ("id", I),
                ("project", T),
                ("city", T),
                ("zone", T),
                ("industry_code", T),
                ("land_mu", F),
                ("fixed_investment_wan", F),
                ("annual_output_wan", F),
                ("annual_tax_wan", F),
                ("jobs", F),
                ("energy_tce", F),
                ("value_added_wan", F),
                ("rd_wan", F),
                ("table_id", T),
                ("decision", T),
                ("result", T),
                ("assessed_by", I),
                ("assessed_at", I),
            ],
        ),
        (
            "audit_log",
            &[
                ("id", I),
                ("at", I),
                ("actor", T),
                ("actor_id", I),
                ("ip", T),
                ("action", T),
                ("object_type", T),
                ("object_id", T),
                ("success", I),
                ("detail", T),
                ("prev_hash", T),
                ("hash", T),
            ],
        ),
        (
            "projects",
            &[
                ("id", I),
                ("name", T),
                ("owner_uscc", T),
                ("owner_name", T),
                ("city", T),
                ("stage", T),
                ("suspended_from", T),
                ("plan_items", T),
                ("chain_nodes", T),
                ("total_investment_wan", F),
                ("planned_start", T),
                ("planned_finish", T),
                ("fast_lane", I),
                ("source", T),
                ("synthetic", I),
                ("admission_id", I),
                ("version", I),
                ("created_by", I),
                ("created_at", I),
                ("updated_at", I),
                ("yearly_plan", T),
                ("figure_sources", T),
            ],
        ),
        (
            "project_stages",
            &[
                ("id", I),
                ("project_id", I),
                ("from_stage", T),
                ("to_stage", T),
                ("on_date", T),
                ("reason", T),
                ("by_user", I),
                ("at", I),
            ],
        ),
        (
            "project_libraries",
            &[
                ("id", T),
                ("name_zh", T),
                ("name_en", T),
                ("plan_item", T),
                ("position", I),
                ("tracking_departments", T),
                ("tracking_officials", T),
            ],
        ),
        ("project_library_members", &[("library_id", T), ("project_id", I)]),
        (
            "project_problems",
            &[
                ("id", I),
                ("project_id", I),
                ("kind", T),
                ("description", T),
                ("department", T),
                ("deadline", T),
                ("state", T),
                ("raised_by", I),
                ("raised_at", I),
                ("answer", T),
                ("decision_basis", T),
                ("answered_by", I),
                ("answered_at", I),
                ("closed_at", I),
                ("reopened", I),
            ],
        ),
        (
            "project_progress",
            &[
                ("id", I),
                ("project_id", I),
                ("period", T),
                ("period_key", I),
                ("version", I),
                ("is_current", I),
                ("state", T),
                ("invest_period_wan", F),
                ("invest_cumulative_wan", F),
                ("physical_percent", F),
                ("narrative", T),
                ("synthetic", I),
                ("review_comment", T),
                ("created_by", I),
                ("created_at", I),
                ("reviewed_by", I),
                ("reviewed_at", I),
            ],
        ),
        (
            "project_milestones",
            &[
                ("id", I),
                ("project_id", I),
                ("name", T),
                ("planned_on", T),
                ("done_on", T),
                ("synthetic", I),
                ("created_by", I),
                ("created_at", I),
                ("done_by", I),
                ("done_at", I),
            ],
        ),
        (
            "project_log",
            &[
                ("id", I),
                ("project_id", I),
                ("on_date", T),
                ("kind", T),
                ("note", T),
                ("who", T),
                ("synthetic", I),
                ("by_user", I),
                ("at", I),
            ],
        ),
        ("chain_vocabularies", &[("id", I), ("body", T), ("note", T), ("created_by", I), ("created_at", I)]),
        ("chain_text_map", &[("text", T), ("node_id", T), ("decided_by", I), ("decided_at", I)]),
        ("chain_node_facts", &[("node_id", T), ("outside", I), ("source", T), ("updated_by", I), ("updated_at", I)]),
        (
            "chain_firms",
            &[
                ("enterprise_id", I),
                ("node_id", T),
                ("role", T),
                ("capacity", T),
                ("source", T),
                ("updated_by", I),
                ("updated_at", I),
            ],
        ),
        ("chain_bases", &[("base_id", I), ("node_id", T), ("updated_by", I), ("updated_at", I)]),
        (
            "challenges",
            &[
                ("id", I),
                ("title", T),
                ("problem", T),
                ("indicators", T),
                ("funding_wan", F),
                ("reward", T),
                ("eligibility", T),
                ("department", T),
                ("chain_node", T),
                ("gap_rule", T),
                ("criteria", T),
                ("apply_by", T),
                ("finish_by", T),
                ("state", T),
                ("winner_id", I),
                ("outcome_note", T),
                ("synthetic", I),
                ("version", I),
                ("created_by", I),
                ("created_at", I),
                ("updated_at", I),
            ],
        ),
        (
            "challenge_applications",
            &[
                ("id", I),
                ("challenge_id", I),
                ("org_kind", T),
                ("org_id", T),
                ("org_name", T),
                ("summary", T),
                ("created_by", I),
                ("created_at", I),
            ],
        ),
        (
            "challenge_attachments",
            &[
                ("id", I),
                ("application_id", I),
                ("filename", T),
                ("content_type", T),
                ("size", I),
                ("data", B),
                ("created_by", I),
                ("created_at", I),
            ],
        ),
        (
            "challenge_experts",
            &[
                ("id", I),
                ("challenge_id", I),
                ("user_id", I),
                ("org_kind", T),
                ("org_id", T),
                ("interests", T),
                ("assigned_by", I),
                ("assigned_at", I),
            ],
        ),
        (
            "challenge_reviews",
            &[
                ("id", I),
                ("application_id", I),
                ("expert_id", I),
                ("scores", T),
                ("comment", T),
                ("submitted", I),
                ("updated_at", I),
            ],
        ),
        (
            "challenge_milestones",
            &[
                ("id", I),
                ("challenge_id", I),
                ("name", T),
                ("due_on", T),
                ("done_on", T),
                ("note", T),
                ("created_by", I),
                ("created_at", I),
            ],
        ),
        (
            "match_products",
            &[
                ("id", I),
                ("enterprise_id", I),
                ("name", T),
                ("category", T),
                ("process_node_nm", I),
                ("maturity", T),
                ("annual_volume", I),
                ("note", T),
                ("active", I),
                ("synthetic", I),
                ("version", I),
                ("created_by", I),
                ("created_at", I),
                ("updated_at", I),
            ],
        ),
        (
            "match_needs",
            &[
                ("id", I),
                ("enterprise_id", I),
                ("name", T),
                ("category", T),
                ("annual_volume", I),
                ("needed_by", T),
                ("requirements", T),
                ("active", I),
                ("synthetic", I),
                ("version", I),
                ("created_by", I),
                ("created_at", I),
                ("updated_at", I),
            ],
        ),
        (
            "match_meetings",
            &[
                ("id", I),
                ("product_id", I),
                ("need_id", I),
                ("held_on", T),
                ("place", T),
                ("note", T),
                ("outcome", T),
                ("outcome_on", T),
                ("outcome_note", T),
                ("synthetic", I),
                ("version", I),
                ("created_by", I),
                ("created_at", I),
                ("updated_at", I),
            ],
        ),
        (
            "jobs",
            &[
                ("id", I),
                ("kind", T),
                ("params", T),
                ("state", T),
                ("requested_by", I),
                ("requested_ip", T),
                ("server", T),
                ("claim", I),
                ("attempts", I),
                ("heartbeat_at", I),
                ("result_id", I),
                ("error", T),
                ("created_at", I),
                ("finished_at", I),
            ],
        ),
    ]
};

/// Tables whose `id` is an auto-increment key (PostgreSQL sequences are moved past the restored ids).
fn has_serial_id(table: &str) -> bool {
    !matches!(
        table,
        "settings"
            | "revision"
            | "roles"
            | "evaluation_schemes"
            | "project_libraries"
            | "project_library_members"
            | "chain_text_map"
            | "chain_node_facts"
            | "chain_firms"
            | "chain_bases"
    )
}

pub const FORMAT: &str = "jiqun-backup";

impl Store {
    /// Writes a consistent copy of the database; returns the number of rows.
    pub async fn backup(&self, out: &mut dyn Write) -> Result<usize> {
        let mut tx = self.pool().begin().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
        }
        let version: i64 = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations").fetch_one(&mut *tx).await?;
        let io = |e: std::io::Error| StoreError::Backup(BackupFault::Write(e.to_string()));
        writeln!(out, "{}", json!({ "format": FORMAT, "schema": version, "backend": format!("{:?}", self.backend()) }))
            .map_err(io)?;
        let mut total = 0;
        for (table, cols) in TABLES {
            let names: Vec<&str> = cols.iter().map(|(c, _)| *c).collect();
            let sql = format!("SELECT {} FROM {table} ORDER BY 1", names.join(", "));
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *tx).await?;
            writeln!(out, "{}", json!({ "table": table, "columns": names, "rows": rows.len() })).map_err(io)?;
            for r in &rows {
                let mut vals = Vec::with_capacity(cols.len());
                for (c, ty) in cols.iter() {
                    let v = match ty {
                        Ty::I => json!(r.try_get::<Option<i64>, _>(*c)?),
                        Ty::F => json!(r.try_get::<Option<f64>, _>(*c)?),
                        Ty::T => json!(r.try_get::<Option<String>, _>(*c)?),
                        Ty::B => json!(r.try_get::<Option<Vec<u8>>, _>(*c)?.map(hex_encode)),
                    };
                    vals.push(v);
                }
                writeln!(out, "{}", Value::Array(vals)).map_err(io)?;
            }
            total += rows.len();
        }
        tx.commit().await?;
        out.flush().map_err(io)?;
        Ok(total)
    }

    /// Loads a backup into this database, which must hold no data yet; all or nothing.
    pub async fn restore(&self, input: &mut dyn BufRead) -> Result<usize> {
        let bad =
            |line: usize, what: &str| StoreError::Backup(BackupFault::Malformed { line, cause: what.to_string() });
        let mut lines = input.lines().enumerate();
        let mut next = || -> Result<Option<(usize, Value)>> {
            match lines.next() {
                None => Ok(None),
                Some((i, Ok(l))) => {
                    serde_json::from_str(&l).map(|v| Some((i + 1, v))).map_err(|e| bad(i + 1, &e.to_string()))
                }
                Some((i, Err(e))) => Err(bad(i + 1, &e.to_string())),
            }
        };
        let Some((_, head)) = next()? else { return Err(StoreError::Backup(BackupFault::NotABackup)) };
        if head["format"] != FORMAT {
            return Err(StoreError::Backup(BackupFault::NotABackup));
        }
        let have: i64 = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations").fetch_one(self.pool()).await?;
        if head["schema"].as_i64() != Some(have) {
            return Err(StoreError::Backup(BackupFault::Schema { found: head["schema"].to_string(), want: have }));
        }
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(self.pool()).await?;
        let plans: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plans").fetch_one(self.pool()).await?;
        if users > 0 || plans > 0 {
            return Err(StoreError::Backup(BackupFault::NotEmpty));
        }
        let mut tx = self.begin_turn().await?;
        for (table, _) in TABLES {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}"))).execute(&mut *tx).await?;
        }
        let mut total = 0;
        while let Some((line, header)) = next()? {
            let table = header["table"].as_str().ok_or_else(|| bad(line, "expected a table header"))?;
            let (_, cols) = TABLES.iter().find(|(t, _)| *t == table).ok_or_else(|| bad(line, "unknown table"))?;
            let n = header["rows"].as_u64().ok_or_else(|| bad(line, "no row count"))?;
            let names: Vec<&str> = cols.iter().map(|(c, _)| *c).collect();
            let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
            let sql = format!("INSERT INTO {table} ({}) VALUES ({})", names.join(", "), placeholders.join(", "));
            for _ in 0..n {
                let (line, row) = next()?.ok_or_else(|| bad(line, "the file ends inside a table"))?;
                let vals = row
                    .as_array()
                    .filter(|v| v.len() == cols.len())
                    .ok_or_else(|| bad(line, "wrong number of values"))?;
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).persistent(false);
                for ((_, ty), v) in cols.iter().zip(vals) {
                    q = match ty {
                        Ty::I => q.bind(v.as_i64()),
                        Ty::F => q.bind(v.as_f64()),
                        Ty::T => q.bind(v.as_str().map(String::from)),
                        Ty::B => q.bind(
                            v.as_str().map(|h| hex_decode(h).ok_or_else(|| bad(line, "bad binary"))).transpose()?,
                        ),
                    };
                }
                q.execute(&mut *tx).await?;
                total += 1;
            }
            if self.backend() == Backend::Postgres && has_serial_id(table) {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )))
                .execute(&mut *tx)
                .await?;
            }
        }
        if self.backend() == Backend::Postgres {
            sqlx::query("NOTIFY jiqun_revision").execute(&mut *tx).await?;
        }
        self.commit(tx).await?;
        // The chain restored is another chain.
        self.forget_chain_end();
        Ok(total)
    }
}

fn hex_encode(b: Vec<u8>) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect()
}
