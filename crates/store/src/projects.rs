//! Key projects: one record per project from 谋划 to 投产, its stage changes (date, who, why), the project
//! libraries it belongs to, and the problems raised on it (企业直通车). A new-project admission check is a
//! step of a project (`admission_id`).

use jiqun_domain::audit::AuditAction;
use jiqun_domain::date::Date;
use jiqun_domain::projects::{ProblemKind, ProblemState, ProjectStage};
use serde::Serialize;
use serde_json::json;

use crate::model::{Table, row};
use crate::{Actor, Clash, Missing, Result, Store, StoreError, Tx, checked_version, now_ms, update_existing};

row! {
    table "projects";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ProjectRow {
        pub id: i64,
        pub name: String,
        /// The owner enterprise's USCC, when it is known (and registered).
        pub owner_uscc: Option<String>,
        pub owner_name: String,
        pub city: String,
        pub stage: ProjectStage,
        /// The stage a suspended project was in.
        pub suspended_from: Option<ProjectStage>,
        /// The plan items and programmes it serves (`3.2`, …).
        pub plan_items: Vec<String>,
        /// Chain nodes it belongs to (free tags until the chain map arrives).
        pub chain_nodes: Vec<String>,
        /// Total planned investment, 万元; empty when no source gives it.
        pub total_investment_wan: Option<f64>,
        /// The planned investment by year, as JSON `[{"year", "amount_wan"}]` (empty text for none).
        pub yearly_plan: String,
        /// The source of each figure, as JSON `{"total_investment_wan": "…", "yearly_plan": "…"}`.
        pub figure_sources: String,
        pub planned_start: Option<Date>,
        pub planned_finish: Option<Date>,
        /// On the fast lane: problems get shorter deadlines.
        pub fast_lane: bool,
        /// Where the facts come from.
        pub source: String,
        pub synthetic: bool,
        /// The new-project admission check recorded on it.
        pub admission_id: Option<i64>,
        pub version: i64,
        pub created_by: Option<i64>,
        pub created_at: i64,
        pub updated_at: i64,
    }
}

row! {
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct StageChangeRow {
        pub id: i64,
        pub project_id: i64,
        pub from_stage: Option<ProjectStage>,
        pub to_stage: ProjectStage,
        /// The day it happened (empty for a project created by an admission check before stages existed).
        pub on_date: Option<Date>,
        pub reason: String,
        pub by_user: Option<i64>,
        pub by_name: Option<String>,
        pub at: i64,
    }
}

row! {
    table "project_libraries";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ProjectLibraryRow {
        pub id: String,
        pub name_zh: String,
        pub name_en: String,
        pub plan_item: String,
        pub position: i64,
    }
}

row! {
    table "project_problems";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ProblemRow {
        pub id: i64,
        pub project_id: i64,
        pub kind: ProblemKind,
        pub description: String,
        /// The department it is routed to.
        pub department: String,
        pub deadline: Date,
        pub state: ProblemState,
        pub raised_by: Option<i64>,
        pub raised_at: i64,
        pub answer: Option<String>,
        /// A decision taken case by case (一事一议), with its basis.
        pub decision_basis: Option<String>,
        pub answered_by: Option<i64>,
        pub answered_at: Option<i64>,
        pub closed_at: Option<i64>,
        /// How many times the raiser reopened it.
        pub reopened: i64,
    }
}

/// A project as registered (checked by the application).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewProject {
    pub name: String,
    pub owner_uscc: Option<String>,
    pub owner_name: String,
    pub city: String,
    pub plan_items: Vec<String>,
    pub chain_nodes: Vec<String>,
    pub total_investment_wan: Option<f64>,
    /// JSON, as in `ProjectRow::yearly_plan`.
    pub yearly_plan: String,
    /// JSON, as in `ProjectRow::figure_sources`.
    pub figure_sources: String,
    pub planned_start: Option<Date>,
    pub planned_finish: Option<Date>,
    pub fast_lane: bool,
    pub source: String,
    pub synthetic: bool,
    pub libraries: Vec<String>,
}

/// A stage change as the application checked it: the new stage, the stage a suspension leaves, the day,
/// why, and the stage (and version, if given) the caller saw.
#[derive(Debug, Clone, Copy)]
pub struct StageMove<'a> {
    pub to: ProjectStage,
    pub suspended_from: Option<ProjectStage>,
    pub on: Date,
    pub reason: &'a str,
    pub expected: (ProjectStage, Option<i64>),
}

/// A filter on the list of projects; empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub library: Option<String>,
    pub city: Option<String>,
    pub stage: Option<ProjectStage>,
    pub plan_item: Option<String>,
    pub owner_uscc: Option<String>,
}

impl Store {
    pub async fn projects(&self, f: &ProjectFilter) -> Result<Vec<ProjectRow>> {
        let mut rows: Vec<ProjectRow> = self.all(ProjectRow::select("ORDER BY id")).await?;
        if let Some(l) = &f.library {
            let members: Vec<i64> =
                sqlx::query_scalar("SELECT project_id FROM project_library_members WHERE library_id = $1")
                    .bind(l)
                    .fetch_all(&self.pool)
                    .await?;
            rows.retain(|p| members.contains(&p.id));
        }
        rows.retain(|p| {
            f.city.as_ref().is_none_or(|c| &p.city == c)
                && f.stage.is_none_or(|s| p.stage == s)
                && f.plan_item.as_ref().is_none_or(|i| p.plan_items.contains(i))
                && f.owner_uscc.as_ref().is_none_or(|u| p.owner_uscc.as_ref() == Some(u))
        });
        Ok(rows)
    }

    pub async fn project(&self, id: i64) -> Result<ProjectRow> {
        self.by_id(id, Missing::Project).await
    }

    /// The project an admission check belongs to.
    pub async fn project_of_admission(&self, admission_id: i64) -> Result<Option<ProjectRow>> {
        self.one(ProjectRow::select("WHERE admission_id = $1").bind(admission_id)).await
    }

    pub async fn project_libraries(&self) -> Result<Vec<ProjectLibraryRow>> {
        self.all(ProjectLibraryRow::select("ORDER BY position, id")).await
    }

    /// (library, project) pairs.
    pub async fn project_memberships(&self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as("SELECT library_id, project_id FROM project_library_members ORDER BY library_id, project_id")
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn stage_changes(&self, project_id: i64) -> Result<Vec<StageChangeRow>> {
        self.all(
            sqlx::query(
                "SELECT s.id, s.project_id, s.from_stage, s.to_stage, s.on_date, s.reason, s.by_user, u.username AS by_name, s.at \
                 FROM project_stages s LEFT JOIN users u ON u.id = s.by_user WHERE s.project_id = $1 ORDER BY s.id",
            )
            .bind(project_id),
        )
        .await
    }

    async fn insert_project_tx(
        &self,
        tx: &mut Tx,
        p: &NewProject,
        admission_id: Option<i64>,
        on: Date,
        actor: &Actor,
    ) -> Result<i64> {
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO projects (name, owner_uscc, owner_name, city, stage, plan_items, chain_nodes, total_investment_wan, planned_start, planned_finish, fast_lane, source, synthetic, admission_id, version, created_by, created_at, updated_at, yearly_plan, figure_sources) \
             VALUES ($1, $2, $3, $4, 'planning', $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $15, $15, $16, $17) RETURNING id",
        )
        .bind(&p.name)
        .bind(&p.owner_uscc)
        .bind(&p.owner_name)
        .bind(&p.city)
        .bind(p.plan_items.join(","))
        .bind(p.chain_nodes.join(","))
        .bind(p.total_investment_wan)
        .bind(p.planned_start.map(|d| d.to_string()))
        .bind(p.planned_finish.map(|d| d.to_string()))
        .bind(i64::from(p.fast_lane))
        .bind(&p.source)
        .bind(i64::from(p.synthetic))
        .bind(admission_id)
        .bind(actor.id)
        .bind(now)
        .bind(&p.yearly_plan)
        .bind(&p.figure_sources)
        // A null float and a number bind differently through the Any driver: no cached statement.
        .persistent(false)
        .fetch_one(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO project_stages (project_id, from_stage, to_stage, on_date, reason, by_user, at) VALUES ($1, NULL, 'planning', $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(on.to_string())
        .bind(if admission_id.is_some() { "新增工业项目准入评价" } else { "入库" })
        .bind(actor.id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        for lib in &p.libraries {
            sqlx::query("INSERT INTO project_library_members (library_id, project_id) VALUES ($1, $2)")
                .bind(lib)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        let detail = json!({ "name": p.name, "city": p.city, "owner_uscc": p.owner_uscc, "libraries": p.libraries, "admission": admission_id });
        self.audit(tx, actor, AuditAction::ProjectCreate, "project", &id.to_string(), true, &detail).await?;
        Ok(id)
    }

    /// Registers a project at 谋划 in the libraries named; returns its id.
    pub async fn insert_project(&self, p: &NewProject, on: Date, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = self.insert_project_tx(&mut tx, p, None, on, actor).await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// An admission check and the project at 谋划 it starts, in one transaction: (project, check).
    pub async fn insert_project_with_admission(
        &self,
        p: &NewProject,
        proposal: &crate::NewProposal,
        on: Date,
        actor: &Actor,
    ) -> Result<(i64, i64)> {
        let mut tx = self.begin().await?;
        let admission = self.save_proposal_tx(&mut tx, proposal, actor).await?;
        let id = self.insert_project_tx(&mut tx, p, Some(admission), on, actor).await?;
        self.commit(tx).await?;
        Ok((id, admission))
    }

    /// Moves a project to another stage (the application has checked the move is possible), recording the
    /// day, who and why. A stale `version` is a conflict.
    pub async fn move_stage(&self, id: i64, m: &StageMove<'_>, actor: &Actor) -> Result<()> {
        let StageMove { to, suspended_from, on, reason, expected } = *m;
        let mut tx = self.begin().await?;
        let version = checked_version(&mut tx, "projects", id, expected.1, Missing::Project).await?;
        let stage: String =
            sqlx::query_scalar("SELECT stage FROM projects WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
        if stage != expected.0.as_str() {
            return Err(StoreError::Conflict(Clash::Stale { current: version }));
        }
        sqlx::query("UPDATE projects SET stage = $1, suspended_from = $2, version = $3, updated_at = $4 WHERE id = $5")
            .bind(to.as_str())
            .bind(suspended_from.map(|s| s.as_str()))
            .bind(version + 1)
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO project_stages (project_id, from_stage, to_stage, on_date, reason, by_user, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(&stage)
        .bind(to.as_str())
        .bind(on.to_string())
        .bind(reason)
        .bind(actor.id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let detail = json!({ "from": stage, "to": to, "on": on, "reason": reason });
        self.commit_audited(tx, actor, AuditAction::ProjectStage, "project", &id.to_string(), &detail).await
    }

    /// The problems of one project, or of all, oldest first.
    pub async fn problems(&self, project_id: Option<i64>) -> Result<Vec<ProblemRow>> {
        let rest = "WHERE ($1 IS NULL OR project_id = $1) ORDER BY id";
        self.all(ProblemRow::select(rest).bind(project_id)).await
    }

    pub async fn problem(&self, id: i64) -> Result<ProblemRow> {
        self.by_id(id, Missing::Problem).await
    }

    /// Raises a problem on a project, routed to a department with a deadline; returns its id.
    pub async fn raise_problem(
        &self,
        project_id: i64,
        kind: ProblemKind,
        description: &str,
        department: &str,
        deadline: Date,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO project_problems (project_id, kind, description, department, deadline, state, raised_by, raised_at) \
             VALUES ($1, $2, $3, $4, $5, 'open', $6, $7) RETURNING id",
        )
        .bind(project_id)
        .bind(kind.as_str())
        .bind(description)
        .bind(department)
        .bind(deadline.to_string())
        .bind(actor.id)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let detail = json!({ "project": project_id, "kind": kind, "department": department, "deadline": deadline });
        self.commit_audited(tx, actor, AuditAction::ProblemRaise, "problem", &id.to_string(), &detail).await?;
        Ok(id)
    }

    /// Marks a project as made up for the demo (the demo's admission checks start such projects).
    pub async fn mark_project_synthetic(&self, id: i64, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE projects SET synthetic = 1, source = $1 WHERE id = $2")
            .bind("示例数据（合成）")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let detail = json!({ "synthetic": true });
        self.commit_audited(tx, actor, AuditAction::ProjectUpdate, "project", &id.to_string(), &detail).await
    }

    /// Routes a problem to another department with a new deadline.
    pub async fn reroute_problem(&self, id: i64, department: &str, deadline: Date, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        let q = sqlx::query("UPDATE project_problems SET department = $1, deadline = $2 WHERE id = $3")
            .bind(department)
            .bind(deadline.to_string())
            .bind(id);
        update_existing(&mut tx, q, Missing::Problem(id)).await?;
        let detail = json!({ "department": department, "deadline": deadline });
        self.commit_audited(tx, actor, AuditAction::ProblemRoute, "problem", &id.to_string(), &detail).await
    }

    /// Moves a problem from `from` to `to` (the application has checked who may and that it may), with the
    /// answer and its basis when answered. Someone else having moved it first is a conflict.
    pub async fn move_problem(
        &self,
        id: i64,
        from: ProblemState,
        to: ProblemState,
        answer: Option<(&str, Option<&str>)>,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let now = now_ms();
        let n = match (to, answer) {
            (ProblemState::Answered, Some((text, basis))) => sqlx::query(
                "UPDATE project_problems SET state = $1, answer = $2, decision_basis = $3, answered_by = $4, answered_at = $5 WHERE id = $6 AND state = $7",
            )
            .bind(to.as_str())
            .bind(text)
            .bind(basis)
            .bind(actor.id)
            .bind(now)
            .bind(id)
            .bind(from.as_str()),
            (ProblemState::Closed, _) => {
                sqlx::query("UPDATE project_problems SET state = $1, closed_at = $2 WHERE id = $3 AND state = $4")
                    .bind(to.as_str())
                    .bind(now)
                    .bind(id)
                    .bind(from.as_str())
            }
            _ => sqlx::query("UPDATE project_problems SET state = $1, reopened = reopened + 1 WHERE id = $2 AND state = $3")
                .bind(to.as_str())
                .bind(id)
                .bind(from.as_str()),
        }
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict(Clash::ProblemMoved));
        }
        let action = match to {
            ProblemState::Answered => AuditAction::ProblemAnswer,
            ProblemState::Closed => AuditAction::ProblemClose,
            _ => AuditAction::ProblemReopen,
        };
        let detail =
            json!({ "from": from, "to": to, "answer": answer.map(|a| a.0), "basis": answer.and_then(|a| a.1) });
        self.commit_audited(tx, actor, action, "problem", &id.to_string(), &detail).await
    }
}
