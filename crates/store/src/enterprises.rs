//! The enterprise registry: enterprises keyed by USCC, their figures per year (each sealed by the app
//! layer with SM4 before it arrives here, with its source; a correction keeps the old row as history),
//! experts' review assignments, stored per-mu evaluations, and the role definitions security
//! administrators edit.
//!
//! Audit records of figure writes name the figure rows (old and new), not the values: the values stay
//! sealed and readable only through the access rules, while the rows themselves are never deleted, so
//! the before and after of every change can be reconstructed by someone allowed to read them.

use jiqun_domain::audit::AuditAction;
use jiqun_domain::{CityCode, Scale};
use std::collections::HashMap;

use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;

use crate::model::FromRow;
use crate::model::{Table, row};
use crate::{
    Actor, Backend, Missing, Query, Result, Store, StoreError, Tx, get, id_list, insert_rows, now_ms, update_existing,
    write_json_rows,
};

/// The associated data under which a set of one figure is sealed: its firm, year and figure. Every
/// figure row written before migration 21 is such a set.
pub fn figure_context(enterprise_id: i64, year: i64, metric: &str) -> String {
    format!("figure:{enterprise_id}:{year}:{metric}")
}

/// The associated data under which a set of figures is sealed: its firm, year and the figures' names in
/// the order of their values (`FigureSetRow::metrics`), so that a set moved to another firm, year or
/// list of names does not open. A set of one figure uses [`figure_context`].
pub fn figure_set_context(enterprise_id: i64, year: i64, metrics: &str) -> String {
    if metrics.contains(',') {
        format!("figures:{enterprise_id}:{year}:{metrics}")
    } else {
        figure_context(enterprise_id, year, metrics)
    }
}

/// The clear text of a set of figures: the values in the order of their names, `;` between them
/// (Rust's shortest text that reads back as the same number).
pub fn figure_set_clear(values: impl IntoIterator<Item = f64>) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        let _ = write!(out, "{v}");
    }
    out
}

/// The values of a set's clear text, in order; `None` if one is not a number.
pub fn figure_set_values(clear: &str) -> Option<Vec<f64>> {
    clear.split(';').map(|v| v.parse().ok()).collect()
}

/// The associated data under which a firm's contact person is sealed.
pub fn enterprise_contact_context(enterprise_id: i64) -> String {
    format!("enterprise-contact:{enterprise_id}")
}

/// A firm to import: its record, its figures in clear as (figure, value), the year they are of and their
/// source (empty: the import's default source).
pub type ImportFirm = (NewEnterprise, Vec<(&'static str, f64)>, i64, String);

/// Seals a set's clear text (`figure_set_clear`) under its context (`figure_set_context`).
pub type SealFigure<'a> = dyn Fn(&str, &str) -> std::result::Result<String, String> + Sync + 'a;

/// What an import hands `Store::import_enterprises_streamed` while it checks its file.
#[derive(Debug)]
pub enum ImportPart {
    /// Rows checked and correct, to be written now.
    Rows(Vec<ImportFirm>),
    /// The whole file is checked and correct: keep what was written.
    Done,
}

/// How many firms an import writes at a time inside its one transaction: the rows it holds sealed and
/// bound at once, so that a large file does not hold every figure twice.
const IMPORT_CHUNK: usize = 2_000;

/// The associated data under which a result's items are sealed.
pub fn result_items_context(evaluation_id: i64, enterprise_id: i64) -> String {
    format!("items:{evaluation_id}:{enterprise_id}")
}

row! {
    table "enterprises";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct EnterpriseRow {
        pub id: i64,
        pub uscc: String,
        pub name: String,
        pub city: CityCode,
        pub county: String,
        /// GB/T 4754 code.
        pub industry: String,
        pub scale: Scale,
        pub founded_year: i64,
        pub listed: bool,
        pub chain_nodes: Vec<String>,
        pub tags: Vec<String>,
        /// Sealed contact (never serialised).
        #[serde(skip)]
        pub contact: Option<String>,
        pub created_at: i64,
        pub updated_at: i64,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewEnterprise {
    pub uscc: String,
    pub name: String,
    pub city: CityCode,
    pub county: String,
    pub industry: String,
    pub scale: Scale,
    pub founded_year: i64,
    pub listed: bool,
    pub chain_nodes: Vec<String>,
    pub tags: Vec<String>,
}

row! {
    table "enterprise_figures";
    /// A set of a firm's figures of one year, written together (an import's row, an entry or a correction)
    /// and sealed as one value. A figure's value now is the one in the newest set that names it; a set
    /// stays current while one of its figures has no newer set (migration 21).
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct FigureSetRow {
        pub id: i64,
        pub enterprise_id: i64,
        pub year: i64,
        /// The figures' names, `,` between them, in the order of the sealed values.
        pub metrics: String,
        #[serde(skip)]
        pub sealed: String,
        pub source: String,
        pub is_current: bool,
        pub entered_by: Option<i64>,
        pub entered_at: i64,
    }
}

impl FigureSetRow {
    /// The figures' names, in the order of the sealed values.
    pub fn metric_names(&self) -> impl Iterator<Item = &str> {
        self.metrics.split(',')
    }
}

/// A set of figures to store: the names, `,` between them, and the values sealed together.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureSetInput {
    pub year: i64,
    pub metrics: String,
    pub sealed: String,
    pub source: String,
}

row! {
    table "evaluations";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct EvaluationRow {
        pub id: i64,
        pub year: i64,
        pub scheme_id: String,
        pub scheme_name: String,
        #[serde(skip)]
        pub scheme_json: String,
        pub rated: i64,
        pub not_rated: i64,
        pub created_by: Option<i64>,
        pub created_at: i64,
    }
}

row! {
    table "evaluation_results";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ResultRow {
        pub evaluation_id: i64,
        pub enterprise_id: i64,
        pub city: CityCode,
        pub scale: Scale,
        pub score: Option<f64>,
        pub rank: i64,
        pub group_size: i64,
        pub class: String,
        pub reason: String,
        /// Each item's name, value, benchmark and score, sealed (they reveal the figures).
        #[serde(skip)]
        pub items: String,
    }
}

/// The province's official order of its cities (the region model's), as an SQL expression: the names are
/// the type's, not user input.
pub(crate) fn city_order() -> &'static str {
    static ORDER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ORDER.get_or_init(|| {
        let mut sql = String::from("CASE city");
        for (i, c) in CityCode::ALL.iter().enumerate() {
            sql.push_str(&format!(" WHEN '{c}' THEN {i}"));
        }
        sql.push_str(&format!(" ELSE {} END", CityCode::ALL.len()));
        sql
    })
}

/// The USCCs a search matches by their beginning: `[from, to)` in byte order, for a query of letters and
/// digits only (a USCC holds nothing else; its letters are capitals).
fn uscc_range(q: &str) -> Option<(String, String)> {
    let from = q.trim().to_ascii_uppercase();
    if from.is_empty() || !from.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let mut to = from.clone().into_bytes();
    // Letters and digits are followed by another ASCII character, so this stays one byte and valid text.
    *to.last_mut()? += 1;
    Some((from, String::from_utf8(to).ok()?))
}

/// Text a `LIKE … ESCAPE '\'` pattern matches literally: its wildcards and the escape character escaped.
fn like_literal(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The directory's condition (` WHERE …`, or nothing) and its arguments; `None` when nothing can match.
fn directory_where(f: &EnterpriseFilter, backend: Backend) -> Option<(String, Vec<String>)> {
    let mut conds = Vec::new();
    let mut args: Vec<String> = Vec::new();
    let mut arg = |v: String| {
        args.push(v);
        format!("${}", args.len())
    };
    if let Some(c) = &f.city {
        conds.push(format!("city = {}", arg(c.to_string())));
    }
    if let Some(s) = &f.scale {
        conds.push(format!("scale = {}", arg(s.to_string())));
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        let name = if backend == Backend::Sqlite && q.chars().count() >= 3 {
            // The trigram index of migration 19: a phrase of three characters or more matches where it
            // stands inside a name, as the `LIKE` below would (ASCII letters in either case).
            let p = arg(format!("\"{}\"", q.replace('"', "\"\"")));
            format!("id IN (SELECT rowid FROM enterprises_search WHERE enterprises_search MATCH {p})")
        } else {
            // PostgreSQL's trigram index serves this `ILIKE` itself (SQLite's `LIKE` already ignores the
            // case of ASCII letters); on SQLite, a query of one or two characters (which no trigram holds)
            // scans the directory in its order.
            let like = if backend == Backend::Postgres { "ILIKE" } else { "LIKE" };
            format!("name {like} {} ESCAPE '\\'", arg(format!("%{}%", like_literal(q))))
        };
        match uscc_range(q) {
            // A USCC by its beginning, on the index of USCCs in byte order.
            Some((from, to)) => {
                let c = if backend == Backend::Postgres { " COLLATE \"C\"" } else { "" };
                let (from, to) = (arg(from), arg(to));
                conds.push(format!("({name} OR (uscc{c} >= {from} AND uscc{c} < {to}))"));
            }
            None => conds.push(name),
        }
    }
    if let Some(t) = f.tag.as_deref().filter(|t| !t.is_empty()) {
        conds.push(format!("(',' || tags || ',') LIKE {} ESCAPE '\\'", arg(format!("%,{},%", like_literal(t)))));
    }
    if let Some(ids) = &f.ids {
        if ids.is_empty() {
            return None;
        }
        conds.push(format!("id IN ({})", id_list(ids)));
    }
    let where_ = if conds.is_empty() { String::new() } else { format!(" WHERE {}", conds.join(" AND ")) };
    Some((where_, args))
}

/// The statement of one page of the directory. Within one city, the rows of the index by city are
/// already in order of name (and id); across cities, the index `enterprises_in_order` of migration 18
/// holds this very order, so that no page sorts the table.
fn directory_page(f: &EnterpriseFilter, where_: &str, columns: &str, offset: i64, limit: i64) -> String {
    let order = if f.city.is_some() { "name, id".to_string() } else { format!("{}, name, id", city_order()) };
    let (limit, offset) = (limit.clamp(0, 100_000), offset.max(0));
    if where_.is_empty() || f.city.is_some() && f.q.is_none() && f.tag.is_none() && f.ids.is_none() {
        // The rows skipped by a deep offset are walked in the index alone (it holds the id), and only the
        // page's rows are read from the table.
        format!(
            "SELECT {columns} FROM enterprises WHERE id IN \
             (SELECT id FROM enterprises{where_} ORDER BY {order} LIMIT {limit} OFFSET {offset}) ORDER BY {order}"
        )
    } else {
        format!("SELECT {columns} FROM enterprises{where_} ORDER BY {order} LIMIT {limit} OFFSET {offset}")
    }
}

/// A filter over the directory.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    pub city: Option<CityCode>,
    pub scale: Option<Scale>,
    /// The name contains this, or the USCC begins with it (its letters in either case).
    pub q: Option<String>,
    pub tag: Option<String>,
    /// Only these ids (an expert's assignments, an enterprise's own record).
    pub ids: Option<Vec<i64>>,
}

impl Store {
    /// Binds a record's fields after the USCC (which never changes), in the order of the two statements
    /// below, and then the time.
    fn bind_enterprise<'q>(q: Query<'q>, e: &'q NewEnterprise, now: i64) -> Query<'q> {
        q.bind(&e.name)
            .bind(e.city.as_str())
            .bind(&e.county)
            .bind(&e.industry)
            .bind(e.scale.as_str())
            .bind(e.founded_year)
            .bind(e.listed as i64)
            .bind(e.chain_nodes.join(","))
            .bind(e.tags.join(","))
            .bind(now)
    }

    /// Inserts new firms, many to a statement (see `write_json_rows`), and returns their (uscc, id).
    async fn insert_firms_tx(tx: &mut Tx, firms: &[&NewEnterprise], now: i64) -> Result<Vec<AnyRow>> {
        let sql = "INSERT INTO enterprises (uscc, name, city, county, industry, scale, founded_year, listed, chain_nodes, tags, created_at, updated_at) \
                   SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5, CAST(j.value->>6 AS BIGINT), \
                   CAST(j.value->>7 AS BIGINT), j.value->>8, j.value->>9, CAST(j.value->>10 AS BIGINT), CAST(j.value->>10 AS BIGINT) \
                   FROM ROWS RETURNING uscc, id";
        write_json_rows(tx, sql, firms, true, |e| Self::firm_values(e, now, 0)).await
    }

    /// Writes the new records of registered firms (an import's), many to a statement.
    async fn update_firms_tx(tx: &mut Tx, firms: &[(&NewEnterprise, i64)], now: i64) -> Result<()> {
        let sql = "UPDATE enterprises SET name = j.value->>1, city = j.value->>2, county = j.value->>3, \
                   industry = j.value->>4, scale = j.value->>5, founded_year = CAST(j.value->>6 AS BIGINT), \
                   listed = CAST(j.value->>7 AS BIGINT), chain_nodes = j.value->>8, tags = j.value->>9, \
                   updated_at = CAST(j.value->>10 AS BIGINT) FROM ROWS WHERE enterprises.id = CAST(j.value->>11 AS BIGINT)";
        write_json_rows(tx, sql, firms, false, |(e, id)| Self::firm_values(e, now, *id)).await?;
        Ok(())
    }

    /// A firm's record as the JSON row of `insert_firms_tx` and `update_firms_tx`.
    #[allow(clippy::type_complexity)]
    fn firm_values(
        e: &NewEnterprise,
        now: i64,
        id: i64,
    ) -> (&str, &str, &str, &str, &str, &str, i64, i64, String, String, i64, i64) {
        (
            &e.uscc,
            &e.name,
            e.city.as_str(),
            &e.county,
            &e.industry,
            e.scale.as_str(),
            e.founded_year,
            e.listed as i64,
            e.chain_nodes.join(","),
            e.tags.join(","),
            now,
            id,
        )
    }

    async fn update_enterprise_tx(tx: &mut Tx, id: i64, e: &NewEnterprise, now: i64) -> Result<()> {
        let q = sqlx::query(
            "UPDATE enterprises SET name = $1, city = $2, county = $3, industry = $4, scale = $5, founded_year = $6, \
             listed = $7, chain_nodes = $8, tags = $9, updated_at = $10 WHERE id = $11",
        );
        Self::bind_enterprise(q, e, now).bind(id).execute(&mut **tx).await?;
        Ok(())
    }

    async fn insert_enterprise_tx(tx: &mut Tx, e: &NewEnterprise, now: i64) -> Result<i64> {
        let q = sqlx::query(
            "INSERT INTO enterprises (uscc, name, city, county, industry, scale, founded_year, listed, chain_nodes, tags, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        );
        let row = Self::bind_enterprise(q.bind(&e.uscc), e, now).fetch_one(&mut **tx).await?;
        get(&row, "id")
    }

    async fn upsert_enterprise_tx(
        &self,
        tx: &mut Tx,
        e: &NewEnterprise,
        now: i64,
    ) -> Result<(i64, Option<EnterpriseRow>)> {
        let old = EnterpriseRow::select("WHERE uscc = $1")
            .bind(&e.uscc)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| EnterpriseRow::from_row(&r))
            .transpose()?;
        let id = match &old {
            Some(o) => {
                Self::update_enterprise_tx(tx, o.id, e, now).await?;
                o.id
            }
            None => Self::insert_enterprise_tx(tx, e, now).await?,
        };
        Ok((id, old))
    }

    /// Retires the current sets of `year` of the firms in `metrics` that their new sets leave with no current
    /// figure (each name they hold is in a newer set or in `metrics`); returns the ids of the sets that
    /// held the current value of a figure in `metrics` (what the new sets replace).
    async fn retire_sets_tx(tx: &mut Tx, year: i64, metrics: &HashMap<i64, &str>) -> Result<Vec<i64>> {
        let mut replaced = Vec::new();
        let mut retired = Vec::new();
        let firms: Vec<i64> = metrics.keys().copied().collect();
        for part in firms.chunks(500) {
            let rows: Vec<(i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT id, enterprise_id, metrics FROM enterprise_figures WHERE is_current = 1 AND year = $1 \
                 AND enterprise_id IN ({}) ORDER BY enterprise_id, id DESC",
                id_list(part)
            )))
            .bind(year)
            .fetch_all(&mut **tx)
            .await?;
            // Newest first within a firm: what is named by the new set or a newer one is covered.
            let mut firm = None;
            let mut covered: Vec<&str> = Vec::new();
            let mut new: Vec<&str> = Vec::new();
            for (id, of, names) in &rows {
                if firm != Some(*of) {
                    firm = Some(*of);
                    new = metrics.get(of).map(|m| m.split(',').collect()).unwrap_or_default();
                    covered = new.clone();
                }
                let names: Vec<&str> = names.split(',').collect();
                // The newest set naming a figure of the new set held its current value.
                if names.iter().any(|m| new.contains(m) && !covered[new.len()..].contains(m)) {
                    replaced.push(*id);
                }
                if names.iter().all(|m| covered.contains(m)) {
                    retired.push(*id);
                }
                covered.extend(names.into_iter().filter(|m| !covered.contains(m)).collect::<Vec<_>>());
            }
        }
        for part in retired.chunks(500) {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE enterprise_figures SET is_current = 0 WHERE id IN ({})",
                id_list(part)
            )))
            .execute(&mut **tx)
            .await?;
        }
        Ok(replaced)
    }

    /// Registers an enterprise or updates its record (by USCC); returns its id.
    pub async fn upsert_enterprise(&self, e: &NewEnterprise, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin().await?;
        let now = now_ms();
        let (id, old) = self.upsert_enterprise_tx(&mut tx, e, now).await?;
        let after = self.enterprise_tx(&mut tx, id).await?;
        let action = if old.is_some() { AuditAction::EnterpriseUpdate } else { AuditAction::EnterpriseCreate };
        let detail = json!({ "before": old, "after": after });
        self.commit_audited(tx, actor, action, "enterprise", &e.uscc, &detail).await?;
        Ok(id)
    }

    async fn enterprise_tx(&self, tx: &mut Tx, id: i64) -> Result<Option<EnterpriseRow>> {
        EnterpriseRow::select("WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| EnterpriseRow::from_row(&r))
            .transpose()
    }

    /// Stores a set of figures of one enterprise (new values or corrections), in one transaction with its
    /// audit; returns the new set's id. The audit names the sets replaced and the new one, not the values.
    /// With `expected`, the write is refused as stale (`Clash::Stale`) unless the newest set of the firm's
    /// year is still that one (the id of that set; 0: none yet): two people correcting the same figures
    /// from the same page do not silently overwrite each other.
    pub async fn put_figures(
        &self,
        enterprise_id: i64,
        set: &FigureSetInput,
        expected: Option<i64>,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let Some(e) = self.enterprise_tx(&mut tx, enterprise_id).await? else {
            return Err(StoreError::NotFound(Missing::Enterprise(enterprise_id)));
        };
        // Write transactions take the revision row first (`begin`), so no other write runs between this
        // read and the insert below.
        let current = Self::figures_version_tx(&mut tx, enterprise_id, set.year).await?;
        if expected.is_some_and(|v| v != current) {
            return Err(StoreError::Conflict(crate::Clash::Stale { current }));
        }
        let now = now_ms();
        let names = HashMap::from([(enterprise_id, set.metrics.as_str())]);
        let before = Self::retire_sets_tx(&mut tx, set.year, &names).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO enterprise_figures (enterprise_id, year, metrics, sealed, source, is_current, entered_by, entered_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $7) RETURNING id",
        )
        .bind(enterprise_id)
        .bind(set.year)
        .bind(&set.metrics)
        .bind(&set.sealed)
        .bind(&set.source)
        .bind(actor.id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE enterprises SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(enterprise_id)
            .execute(&mut *tx)
            .await?;
        let detail = json!({
            "year": set.year,
            "metrics": set.metrics.split(',').collect::<Vec<_>>(),
            "source": set.source,
            "before_rows": before,
            "after_row": id,
        });
        self.commit_audited(tx, actor, AuditAction::EnterpriseFigures, "enterprise", &e.uscc, &detail).await?;
        Ok(id)
    }

    /// The version of a firm's figures of a year: the id of its newest set (0 when it has none).
    async fn figures_version_tx(conn: &mut sqlx::AnyConnection, enterprise_id: i64, year: i64) -> Result<i64> {
        // Both states spelled out, so that the year index is used (see migration 17).
        let newest: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(id) FROM enterprise_figures WHERE year = $2 AND is_current IN (0, 1) AND enterprise_id = $1",
        )
        .bind(enterprise_id)
        .bind(year)
        .fetch_one(&mut *conn)
        .await?;
        Ok(newest.unwrap_or(0))
    }

    /// Registers or updates many enterprises with their figures, all or nothing (an import). A firm's
    /// figures arrive in clear and are sealed together as one set by `seal(clear text, context)` once the
    /// firm's id is known, inside the same transaction; `default_source` stands for a firm's empty source.
    /// Returns the numbers of firms created and updated.
    pub async fn import_enterprises(
        &self,
        rows: &[ImportFirm],
        source: &str,
        default_source: &str,
        sha256: &str,
        seal: &SealFigure<'_>,
        actor: &Actor,
    ) -> Result<(usize, usize)> {
        let mut import = FirmImport::begin(self, default_source, actor).await?;
        for chunk in rows.chunks(IMPORT_CHUNK) {
            import.add(chunk, seal).await?;
        }
        import.commit(source, sha256).await
    }

    /// `import_enterprises` of rows that arrive while the file is still being checked: each `Rows` part
    /// is written as it comes (the database works while the application checks the next rows), in one
    /// transaction, and kept only when `Done` follows. When the sender goes away without it (a mistake
    /// further down the file), nothing is kept and the answer is `None`. Figures are sealed with the
    /// store's own key.
    pub async fn import_enterprises_streamed(
        &self,
        mut parts: tokio::sync::mpsc::Receiver<ImportPart>,
        source: &str,
        default_source: &str,
        sha256: &str,
        actor: &Actor,
    ) -> Result<Option<(usize, usize)>> {
        let crypto = self.crypto.clone();
        let sealer = crypto.sealer();
        let seal = |clear: &str, context: &str| sealer(clear.as_bytes(), context.as_bytes()).map_err(|e| e.to_string());
        let mut import = FirmImport::begin(self, default_source, actor).await?;
        while let Some(part) = parts.recv().await {
            match part {
                ImportPart::Rows(rows) => {
                    for chunk in rows.chunks(IMPORT_CHUNK) {
                        import.add(chunk, &seal).await?;
                    }
                }
                ImportPart::Done => return import.commit(source, sha256).await.map(Some),
            }
        }
        // The transaction is dropped unfinished: rolled back.
        Ok(None)
    }

    pub async fn set_enterprise_contact(&self, id: i64, sealed: Option<&str>, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        let q = sqlx::query("UPDATE enterprises SET contact = $1 WHERE id = $2").bind(sealed).bind(id);
        update_existing(&mut tx, q, Missing::Enterprise(id)).await?;
        self.commit_audited(tx, actor, AuditAction::EnterpriseContact, "enterprise", &id.to_string(), &json!({})).await
    }

    pub async fn enterprise(&self, id: i64) -> Result<Option<EnterpriseRow>> {
        self.one::<EnterpriseRow>(EnterpriseRow::select("WHERE id = $1").bind(id)).await
    }

    pub async fn enterprise_by_uscc(&self, uscc: &str) -> Result<Option<EnterpriseRow>> {
        self.one::<EnterpriseRow>(EnterpriseRow::select("WHERE uscc = $1").bind(uscc)).await
    }

    /// A page of the directory, ordered by city and name, and the number of matches.
    pub async fn enterprises(
        &self,
        f: &EnterpriseFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<EnterpriseRow>, i64)> {
        let Some((where_, args)) = directory_where(f, self.backend()) else { return Ok((Vec::new(), 0)) };
        let mut count =
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM enterprises{where_}")));
        for a in &args {
            count = count.bind(a);
        }
        let total = count.fetch_one(self.pool()).await?;
        let mut q = sqlx::query(sqlx::AssertSqlSafe(directory_page(f, &where_, EnterpriseRow::COLUMNS, offset, limit)));
        for a in &args {
            q = q.bind(a);
        }
        let rows = q.fetch_all(self.pool()).await?.iter().map(EnterpriseRow::from_row).collect::<Result<Vec<_>>>()?;
        Ok((rows, total))
    }

    /// How the database would read a page of the directory (`EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN` on
    /// PostgreSQL), one line a step: for the benchmark and the test that keep the list paged by index.
    pub async fn directory_plan(&self, f: &EnterpriseFilter, offset: i64, limit: i64) -> Result<Vec<String>> {
        let Some((where_, args)) = directory_where(f, self.backend()) else { return Ok(Vec::new()) };
        let explain = if self.backend == crate::Backend::Sqlite { "EXPLAIN QUERY PLAN" } else { "EXPLAIN" };
        let sql = format!("{explain} {}", directory_page(f, &where_, "id", offset, limit));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for a in &args {
            q = q.bind(a);
        }
        let rows = q.fetch_all(self.pool()).await?;
        let column = if self.backend == crate::Backend::Sqlite { "detail" } else { "QUERY PLAN" };
        rows.iter().map(|r| get::<String>(r, column)).collect()
    }

    /// The firms with these ids, in no particular order: the firms named by a page of results, read
    /// without the directory's count and order.
    pub async fn enterprises_with_ids(&self, ids: &[i64]) -> Result<Vec<EnterpriseRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.all::<EnterpriseRow>(EnterpriseRow::select(&format!("WHERE id IN ({})", id_list(ids)))).await
    }

    /// Every registered firm (an evaluation run), ordered by id.
    pub async fn all_enterprises(&self) -> Result<Vec<EnterpriseRow>> {
        self.all::<EnterpriseRow>(EnterpriseRow::select("ORDER BY id")).await
    }

    pub async fn enterprise_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM enterprises").fetch_one(self.pool()).await?)
    }

    /// The current sets of one enterprise, all years, oldest first within a year (a newer set's value of
    /// a figure replaces an older one's).
    pub async fn current_figures(&self, enterprise_id: i64) -> Result<Vec<FigureSetRow>> {
        self.all::<FigureSetRow>(
            FigureSetRow::select("WHERE enterprise_id = $1 AND is_current = 1 ORDER BY year, id").bind(enterprise_id),
        )
        .await
    }

    /// Every set of one firm's year, current or not, oldest first (a figure's history is the sets that
    /// name it).
    pub async fn figure_history(&self, enterprise_id: i64, year: i64) -> Result<Vec<FigureSetRow>> {
        self.all::<FigureSetRow>(
            // Both states spelled out, so that the year index is used (see migration 17).
            FigureSetRow::select("WHERE year = $2 AND is_current IN (0, 1) AND enterprise_id = $1 ORDER BY id")
                .bind(enterprise_id)
                .bind(year),
        )
        .await
    }

    /// Hands `visit` the current sets of one year, ordered by enterprise and then oldest first, one row at
    /// a time: a million firms' figures are read as they come instead of held at once (an evaluation's or
    /// a library's input; bench/scale.sh). Within a firm, a later set's value of a figure replaces an
    /// earlier one's.
    pub async fn each_figure_set_of_year<E: From<StoreError>>(
        &self,
        year: i64,
        mut visit: impl FnMut(&FigureSetRow) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        use futures_util::TryStreamExt;
        let q = FigureSetRow::select("WHERE year = $1 AND is_current = 1 ORDER BY enterprise_id, id").bind(year);
        let mut rows = q.fetch(self.pool());
        while let Some(row) = rows.try_next().await.map_err(|e| E::from(StoreError::from(e)))? {
            visit(&FigureSetRow::from_row(&row)?)?;
        }
        Ok(())
    }

    /// The current sets of one year of these firms (an export's page), by firm and then oldest first.
    pub async fn current_figures_of(&self, ids: &[i64], year: i64) -> Result<Vec<FigureSetRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rest = format!(
            "WHERE year = $1 AND is_current = 1 AND enterprise_id IN ({}) ORDER BY enterprise_id, id",
            id_list(ids)
        );
        self.all::<FigureSetRow>(FigureSetRow::select(&rest).bind(year)).await
    }

    /// The years that have figures, newest first.
    pub async fn figure_years(&self) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar("SELECT DISTINCT year FROM enterprise_figures WHERE is_current = 1 ORDER BY year DESC")
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn assign_expert(&self, user_id: i64, enterprise_id: i64, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM expert_assignments WHERE user_id = $1 AND enterprise_id = $2")
                .bind(user_id)
                .bind(enterprise_id)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_none() {
            sqlx::query(
                "INSERT INTO expert_assignments (user_id, enterprise_id, assigned_by, assigned_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(user_id)
            .bind(enterprise_id)
            .bind(actor.id)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        }
        let detail = json!({ "expert": user_id });
        self.commit_audited(
            tx,
            actor,
            AuditAction::EnterpriseAssignExpert,
            "enterprise",
            &enterprise_id.to_string(),
            &detail,
        )
        .await
    }

    pub async fn experts_of(&self, enterprise_id: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar("SELECT user_id FROM expert_assignments WHERE enterprise_id = $1 ORDER BY user_id")
            .bind(enterprise_id)
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn assigned_enterprises(&self, user_id: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar("SELECT enterprise_id FROM expert_assignments WHERE user_id = $1 ORDER BY enterprise_id")
            .bind(user_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// Stores an evaluation run and its results in one transaction; returns its id. Each result's
    /// `items` arrive in clear (JSON) and are sealed here with SM4 under the run's id and the firm
    /// ([`result_items_context`]), so a result cannot be moved to another run or firm unnoticed.
    /// Saves a run with its results; with `job` (its id and the claim held), finishes that job in the same
    /// transaction, or commits nothing when another server has taken the job over.
    pub async fn save_evaluation(
        &self,
        e: &EvaluationRow,
        results: &[ResultRow],
        job: Option<(i64, i64)>,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO evaluations (year, scheme_id, scheme_name, scheme_json, rated, not_rated, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(e.year)
        .bind(&e.scheme_id)
        .bind(&e.scheme_name)
        .bind(&e.scheme_json)
        .bind(e.rated)
        .bind(e.not_rated)
        .bind(actor.id)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        // See `values` on the number of rows to a statement (32 × 10 parameters).
        let head = "INSERT INTO evaluation_results (evaluation_id, enterprise_id, city, scale, score, rank, group_size, class, reason, items)";
        insert_rows(&mut tx, head, 10, 32, results, |q, r| {
            let sealed = self
                .crypto()
                .seal(r.items.as_bytes(), result_items_context(id, r.enterprise_id).as_bytes())
                .map_err(|e| StoreError::Corrupt(format!("seal: {e}")))?;
            Ok(q.bind(id)
                .bind(r.enterprise_id)
                .bind(r.city.as_str())
                .bind(r.scale.as_str())
                .bind(r.score)
                .bind(r.rank)
                .bind(r.group_size)
                .bind(&r.class)
                .bind(&r.reason)
                .bind(sealed))
        })
        .await?;
        if let Some(job) = job {
            crate::jobs::finish_job_tx(&mut tx, job, id).await?;
        }
        let detail = json!({ "year": e.year, "scheme": e.scheme_id, "rated": e.rated, "not_rated": e.not_rated, "job": job.map(|j| j.0) });
        self.commit_audited(tx, actor, AuditAction::EvaluationRun, "evaluation", &id.to_string(), &detail).await?;
        Ok(id)
    }

    /// Evaluation runs, newest first.
    pub async fn evaluations(&self) -> Result<Vec<EvaluationRow>> {
        self.all::<EvaluationRow>(EvaluationRow::select("ORDER BY id DESC")).await
    }

    pub async fn evaluation(&self, id: i64) -> Result<Option<EvaluationRow>> {
        self.one::<EvaluationRow>(EvaluationRow::select("WHERE id = $1").bind(id)).await
    }

    /// The results of one run, ordered as the evaluation's output (city, scale, rank, not rated last).
    pub async fn evaluation_results(&self, evaluation_id: i64) -> Result<Vec<ResultRow>> {
        self.all::<ResultRow>(ResultRow::select("WHERE evaluation_id = $1 ORDER BY city, scale, CASE WHEN rank = 0 THEN 1 ELSE 0 END, rank, enterprise_id")
        .bind(evaluation_id)).await
    }

    /// A page of one run's results after the result `after` (its row id), in the order they were stored,
    /// each with its row id (the key of the next page): an export reads a run of any size this way.
    pub async fn evaluation_results_after(
        &self,
        evaluation_id: i64,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, ResultRow)>> {
        // `+evaluation_id` keeps SQLite on the row-id order instead of sorting the run for every page.
        let sql = format!(
            "SELECT id AS page_key, {} FROM evaluation_results WHERE +evaluation_id = $1 AND id > $2 ORDER BY id LIMIT {}",
            ResultRow::COLUMNS,
            limit.clamp(1, 100_000)
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(evaluation_id).bind(after).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok((<i64 as crate::model::Column>::read(r, "page_key")?, ResultRow::from_row(r)?)))
            .collect()
    }

    /// The classes given in one run to some firms (the directory's "latest class" column).
    pub async fn classes_in_run(&self, evaluation_id: i64, ids: &[i64]) -> Result<Vec<(i64, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT enterprise_id, class FROM evaluation_results WHERE evaluation_id = $1 AND enterprise_id IN ({})",
            id_list(ids)
        )))
        .bind(evaluation_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// One enterprise's results, newest run first.
    pub async fn results_of_enterprise(&self, enterprise_id: i64) -> Result<Vec<ResultRow>> {
        self.all::<ResultRow>(
            ResultRow::select("WHERE enterprise_id = $1 ORDER BY evaluation_id DESC").bind(enterprise_id),
        )
        .await
    }

    /// Re-seals every sealed value of the registry (figures, contacts, evaluation items) with the newest
    /// field key, after a key rotation; one transaction, one audit record. Returns how many were re-sealed.
    pub async fn reseal_registry(&self, actor: &Actor) -> Result<usize> {
        let mut tx = self.begin().await?;
        let crypto = self.crypto();
        let reseal = |sealed: &str, ctx: &str| -> Result<String> {
            let clear =
                crypto.open(sealed, ctx.as_bytes()).map_err(|e| StoreError::Corrupt(format!("open {ctx}: {e}")))?;
            crypto.seal(&clear, ctx.as_bytes()).map_err(|e| StoreError::Corrupt(format!("seal {ctx}: {e}")))
        };
        // The sealed columns: (table, column, the columns that name a value, the value's context from them).
        type Context = fn(&AnyRow) -> Result<String>;
        let sealed: [(&str, &str, &str, Context); 3] = [
            ("enterprise_figures", "sealed", "id, enterprise_id, year, metrics", |r| {
                Ok(figure_set_context(get(r, "enterprise_id")?, get(r, "year")?, &get::<String>(r, "metrics")?))
            }),
            ("enterprises", "contact", "id", |r| Ok(enterprise_contact_context(get(r, "id")?))),
            ("evaluation_results", "items", "id, evaluation_id, enterprise_id", |r| {
                Ok(result_items_context(get(r, "evaluation_id")?, get(r, "enterprise_id")?))
            }),
        ];
        let mut n = 0;
        for (table, column, keys, context) in sealed {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {keys}, {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY id"
            )))
            .fetch_all(&mut *tx)
            .await?;
            for r in &rows {
                let new = reseal(&get::<String>(r, column)?, &context(r)?)?;
                sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table} SET {column} = $1 WHERE id = $2")))
                    .bind(new)
                    .bind(get::<i64>(r, "id")?)
                    .execute(&mut *tx)
                    .await?;
                n += 1;
            }
        }
        self.commit_audited(tx, actor, AuditAction::KeysReseal, "registry", "", &json!({ "values": n })).await?;
        Ok(n)
    }

    /// Evaluation schemes a jurisdiction added: (id, name, JSON definition, created at), by id.
    pub async fn stored_schemes(&self) -> Result<Vec<(String, String, String, i64)>> {
        Ok(sqlx::query_as("SELECT scheme_id, name, definition, created_at FROM evaluation_schemes ORDER BY scheme_id")
            .fetch_all(self.pool())
            .await?)
    }

    /// Adds or replaces a stored scheme (checked by the caller); audited with before and after.
    pub async fn put_scheme(&self, id: &str, name: &str, definition: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        let before = replaced_definition(&mut tx, "evaluation_schemes", "scheme_id", id).await?;
        sqlx::query(
            "INSERT INTO evaluation_schemes (scheme_id, name, definition, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(name)
        .bind(definition)
        .bind(actor.id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let action = if before.is_some() { AuditAction::SchemeUpdate } else { AuditAction::SchemeCreate };
        self.commit_audited(tx, actor, action, "scheme", id, &definition_change(before, definition)).await
    }

    /// Stored role definitions (name, JSON).
    pub async fn role_defs(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT name, definition FROM roles ORDER BY name").fetch_all(self.pool()).await?)
    }

    pub async fn set_role_def(&self, name: &str, definition: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        let before = replaced_definition(&mut tx, "roles", "name", name).await?;
        sqlx::query("INSERT INTO roles (name, definition, updated_at) VALUES ($1, $2, $3)")
            .bind(name)
            .bind(definition)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        self.commit_audited(tx, actor, AuditAction::RoleSet, "role", name, &definition_change(before, definition)).await
    }
}

/// Removes the stored JSON definition (a scheme, a role) that a new one replaces; returns it, if any.
async fn replaced_definition(tx: &mut Tx, table: &str, key: &str, value: &str) -> Result<Option<String>> {
    let before: Option<String> =
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT definition FROM {table} WHERE {key} = $1")))
            .bind(value)
            .fetch_optional(&mut **tx)
            .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE {key} = $1")))
        .bind(value)
        .execute(&mut **tx)
        .await?;
    Ok(before)
}

/// The audit detail of a replaced definition: before (if any) and after, as JSON.
fn definition_change(before: Option<String>, after: &str) -> serde_json::Value {
    let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap_or(serde_json::Value::Null);
    json!({ "before": before.as_deref().map(parse), "after": parse(after) })
}

/// Seals each set of an import's chunk (its clear text in place of the sealed), the sets shared among
/// the machine's cores: sealing is a third of the work left to the program once the database is fed.
fn seal_in_parallel(rows: &mut [(i64, i64, String, String, &str)], seal: &SealFigure<'_>) -> Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let per_thread = rows.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = rows
            .chunks_mut(per_thread)
            .map(|part| {
                scope.spawn(move || -> Result<()> {
                    for (id, year, metrics, text, _) in part.iter_mut() {
                        *text = seal(text, &figure_set_context(*id, *year, metrics))
                            .map_err(|e| StoreError::Corrupt(format!("seal: {e}")))?;
                    }
                    Ok(())
                })
            })
            .collect();
        // Every thread joined before an error is returned (a thread left unjoined that panicked would
        // make the scope panic).
        let joined: Vec<Result<()>> = workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|_| Err(StoreError::Corrupt("seal: a sealing thread failed".into()))))
            .collect();
        joined.into_iter().try_for_each(|r| r)
    })
}

/// An import under way: its transaction, the firms registered before it, and what it has written.
struct FirmImport<'a> {
    store: &'a Store,
    tx: Tx,
    now: i64,
    existing: HashMap<String, i64>,
    default_source: &'a str,
    actor: &'a Actor,
    created: usize,
    updated: usize,
    figures: usize,
}

impl<'a> FirmImport<'a> {
    /// Starts the transaction and reads the firms already registered, in one query (each statement is a
    /// round trip to the database).
    async fn begin(store: &'a Store, default_source: &'a str, actor: &'a Actor) -> Result<FirmImport<'a>> {
        let mut tx = store.begin().await?;
        let existing: HashMap<String, i64> =
            sqlx::query_as("SELECT uscc, id FROM enterprises").fetch_all(&mut *tx).await?.into_iter().collect();
        Ok(FirmImport { store, tx, now: now_ms(), existing, default_source, actor, created: 0, updated: 0, figures: 0 })
    }

    /// Writes a chunk of firms: the new ones many to a statement, a statement per firm updated, the sets
    /// they replace retired per year for many firms at once, and their figures sealed and inserted many to
    /// a statement. Only a chunk's rows are held sealed at once, whatever the file's length.
    async fn add(&mut self, chunk: &[ImportFirm], seal: &SealFigure<'_>) -> Result<()> {
        let (tx, now) = (&mut self.tx, self.now);
        let new_firms: Vec<&NewEnterprise> =
            chunk.iter().map(|r| &r.0).filter(|e| !self.existing.contains_key(&e.uscc)).collect();
        let stored = Store::insert_firms_tx(tx, &new_firms, now).await?;
        let registered: Vec<(&NewEnterprise, i64)> =
            chunk.iter().filter_map(|r| Some((&r.0, *self.existing.get(&r.0.uscc)?))).collect();
        Store::update_firms_tx(tx, &registered, now).await?;
        let ids: HashMap<String, i64> =
            stored.iter().map(|r| Ok((get::<String>(r, "uscc")?, get::<i64>(r, "id")?))).collect::<Result<_>>()?;
        // Year → the registered firms given figures of it, with the names of those figures.
        let mut retire: HashMap<i64, HashMap<i64, String>> = HashMap::new();
        let mut new_rows: Vec<(i64, i64, String, String, &str)> = Vec::with_capacity(chunk.len());
        for (e, figures, year, firm_source) in chunk {
            let metrics = figures.iter().map(|(m, _)| *m).collect::<Vec<_>>().join(",");
            let id = match self.existing.get(&e.uscc) {
                Some(&id) => {
                    self.updated += 1;
                    if !figures.is_empty() {
                        retire.entry(*year).or_default().insert(id, metrics.clone());
                    }
                    id
                }
                None => {
                    self.created += 1;
                    *ids.get(&e.uscc).ok_or_else(|| StoreError::Corrupt(format!("{} not stored", e.uscc)))?
                }
            };
            if figures.is_empty() {
                continue;
            }
            self.figures += figures.len();
            let firm_source = if firm_source.is_empty() { self.default_source } else { firm_source.as_str() };
            let clear = figure_set_clear(figures.iter().map(|(_, v)| *v));
            new_rows.push((id, *year, metrics, clear, firm_source));
        }
        // The clear text of each set replaced by its sealed text, on every core.
        seal_in_parallel(&mut new_rows, seal)?;
        for (year, firms) in &retire {
            let names: HashMap<i64, &str> = firms.iter().map(|(id, m)| (*id, m.as_str())).collect();
            Store::retire_sets_tx(tx, *year, &names).await?;
        }
        let sql = "INSERT INTO enterprise_figures (enterprise_id, year, metrics, sealed, source, is_current, entered_by, entered_at) \
                   SELECT CAST(j.value->>0 AS BIGINT), CAST(j.value->>1 AS BIGINT), j.value->>2, j.value->>3, j.value->>4, 1, \
                   CAST(j.value->>5 AS BIGINT), CAST(j.value->>6 AS BIGINT) FROM ROWS";
        let actor = self.actor.id;
        write_json_rows(tx, sql, &new_rows, false, |(id, year, metrics, sealed, source)| {
            (id, year, metrics, sealed, source, actor, now)
        })
        .await?;
        Ok(())
    }

    /// Commits the import with its audit record; returns the numbers of firms created and updated.
    async fn commit(self, source: &str, sha256: &str) -> Result<(usize, usize)> {
        let (created, updated) = (self.created, self.updated);
        let detail = json!({ "created": created, "updated": updated, "figures": self.figures, "source": source, "sha256": sha256 });
        self.store
            .commit_audited(self.tx, self.actor, AuditAction::EnterpriseImport, "enterprise", source, &detail)
            .await?;
        Ok((created, updated))
    }
}
