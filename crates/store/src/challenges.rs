//! 揭榜挂帅 (open challenges): the challenges, the applications with their attachments, each challenge's
//! panel of experts with their organisation and declared interests, the experts' reviews, and the milestones
//! of the work. The rules (who may move a challenge, recusal, scores) live in the application and the engines;
//! here each write is one transaction with its audit record, and a write that depends on the challenge's
//! state checks that state inside the transaction.

use jiqun_domain::audit::AuditAction;
use jiqun_domain::challenges::ChallengeState;
use jiqun_domain::date::Date;
use serde::Serialize;
use serde_json::json;

use crate::model::{Table, row};
use crate::{Actor, Clash, Missing, Result, Store, StoreError, Tx, Upload, insert_upload, now_ms, select};

row! {
    table "challenges";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ChallengeRow {
        pub id: i64,
        pub title: String,
        /// The problem to solve.
        pub problem: String,
        /// The technical indicators to reach.
        pub indicators: String,
        /// Public funding offered, 万元.
        pub funding_wan: Option<f64>,
        /// The reward or support promised besides.
        pub reward: String,
        /// Who may apply.
        pub eligibility: String,
        /// The issuing department (the agency registry's short form).
        pub department: String,
        /// The chain node whose gap the challenge answers (`ultra_hd_video.chips_and_components`).
        pub chain_node: Option<String>,
        /// The gap rule that found it (`no_firm`, `single_firm`, `outside_dependency`, `below_threshold`).
        pub gap_rule: Option<String>,
        /// The review criteria, as JSON (`[{id, name: {zh, en}, weight}]`).
        pub criteria: String,
        /// The last day to apply.
        pub apply_by: Option<Date>,
        /// The day the work is to be done by.
        pub finish_by: Option<Date>,
        pub state: ChallengeState,
        /// The application that won the award.
        pub winner_id: Option<i64>,
        /// What the acceptance (or failure) found.
        pub outcome_note: Option<String>,
        /// Made up for the demo, and labelled so wherever it is shown.
        pub synthetic: bool,
        pub version: i64,
        pub created_by: Option<i64>,
        pub created_at: i64,
        pub updated_at: i64,
    }
}

/// A challenge as drafted or edited (already checked by the application).
#[derive(Debug, Clone, PartialEq)]
pub struct NewChallenge {
    pub title: String,
    pub problem: String,
    pub indicators: String,
    pub funding_wan: Option<f64>,
    pub reward: String,
    pub eligibility: String,
    pub department: String,
    pub chain_node: Option<String>,
    pub gap_rule: Option<String>,
    pub criteria: String,
    pub apply_by: Option<Date>,
    pub finish_by: Option<Date>,
    pub synthetic: bool,
}

/// A move of a challenge: from the state it was read in, to the next, with the winner (on the award) and the
/// acceptance's note (on acceptance or failure).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChallengeStep<'a> {
    pub from: ChallengeState,
    pub to: ChallengeState,
    pub winner: Option<i64>,
    pub note: Option<&'a str>,
}

impl ChallengeStep<'_> {
    /// A plain move, with neither winner nor note.
    pub fn plain(from: ChallengeState, to: ChallengeState) -> ChallengeStep<'static> {
        ChallengeStep { from, to, winner: None, note: None }
    }
}

row! {
    table "challenge_applications";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ChallengeApplicationRow {
        pub id: i64,
        pub challenge_id: i64,
        /// `firm` (by USCC) or `institute` (by name).
        pub org_kind: String,
        /// The USCC, or the institute's name.
        pub org_id: String,
        pub org_name: String,
        /// What the applicant proposes.
        pub summary: String,
        pub created_by: Option<i64>,
        pub created_at: i64,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewChallengeApplication {
    pub org_kind: String,
    pub org_id: String,
    pub org_name: String,
    pub summary: String,
}

row! {
    table "challenge_attachments";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ChallengeAttachmentMeta {
        pub id: i64,
        pub application_id: i64,
        pub filename: String,
        pub content_type: String,
        pub size: i64,
        pub created_at: i64,
    }
}

row! {
    table "challenge_experts";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ChallengeExpertRow {
        pub id: i64,
        pub challenge_id: i64,
        pub user_id: i64,
        /// The expert's organisation: `firm`, `institute`, or empty for none.
        pub org_kind: String,
        pub org_id: String,
        /// Declared interests, as JSON (`[{"firm": USCC} | {"institute": name}]`).
        pub interests: String,
        pub assigned_by: Option<i64>,
        pub assigned_at: i64,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewChallengeExpert {
    pub user_id: i64,
    pub org_kind: String,
    pub org_id: String,
    pub interests: String,
}

row! {
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ChallengeReviewRow {
        pub id: i64,
        pub application_id: i64,
        pub expert_id: i64,
        /// Scores per criterion id, as JSON.
        pub scores: String,
        pub comment: String,
        pub submitted: bool,
        pub updated_at: i64,
    }
}

row! {
    table "challenge_milestones";
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct ChallengeMilestoneRow {
        pub id: i64,
        pub challenge_id: i64,
        pub name: String,
        pub due_on: Date,
        pub done_on: Option<Date>,
        pub note: String,
        pub created_by: Option<i64>,
        pub created_at: i64,
    }
}

impl Store {
    pub async fn challenges(&self) -> Result<Vec<ChallengeRow>> {
        self.all(ChallengeRow::select("ORDER BY id")).await
    }

    pub async fn challenge(&self, id: i64) -> Result<ChallengeRow> {
        self.by_id(id, Missing::Challenge).await
    }

    /// The challenge's state inside a write, with its version; a stale `expected` version is a conflict.
    async fn challenge_state(&self, tx: &mut Tx, id: i64, expected: Option<i64>) -> Result<(ChallengeState, i64)> {
        let row = sqlx::query("SELECT state, version FROM challenges WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound(Missing::Challenge(id)))?;
        let state: String = crate::get(&row, "state")?;
        let version: i64 = crate::get(&row, "version")?;
        let state = ChallengeState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("challenges.state: unknown value “{state}”")))?;
        match expected {
            Some(v) if v != version => Err(StoreError::Conflict(Clash::Stale { current: version })),
            _ => Ok((state, version)),
        }
    }

    /// Requires the challenge to be in one of the states (a conflict naming its state otherwise).
    async fn challenge_in(&self, tx: &mut Tx, id: i64, states: &[ChallengeState]) -> Result<()> {
        let (state, _) = self.challenge_state(tx, id, None).await?;
        if states.contains(&state) {
            Ok(())
        } else {
            Err(StoreError::Conflict(Clash::ChallengeState { state: state.as_str().to_string() }))
        }
    }

    /// Drafts a challenge; returns its id.
    pub async fn insert_challenge(&self, c: &NewChallenge, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin().await?;
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO challenges (title, problem, indicators, funding_wan, reward, eligibility, department, chain_node, gap_rule, criteria, apply_by, finish_by, state, synthetic, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $16, $16) RETURNING id",
        )
        .bind(&c.title)
        .bind(&c.problem)
        .bind(&c.indicators)
        .bind(c.funding_wan)
        .bind(&c.reward)
        .bind(&c.eligibility)
        .bind(&c.department)
        .bind(&c.chain_node)
        .bind(&c.gap_rule)
        .bind(&c.criteria)
        .bind(c.apply_by.map(|d| d.to_string()))
        .bind(c.finish_by.map(|d| d.to_string()))
        .bind(ChallengeState::Draft.as_str())
        .bind(i64::from(c.synthetic))
        .bind(actor.id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let detail =
            json!({ "title": c.title, "department": c.department, "chain_node": c.chain_node, "gap_rule": c.gap_rule });
        self.commit_audited(tx, actor, AuditAction::ChallengeCreate, "challenge", &id.to_string(), &detail).await?;
        Ok(id)
    }

    /// Changes what a challenge says, while it is a draft or published (before applications open).
    pub async fn update_challenge(
        &self,
        id: i64,
        c: &NewChallenge,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let (state, version) = self.challenge_state(&mut tx, id, expected_version).await?;
        if !matches!(state, ChallengeState::Draft | ChallengeState::Published) {
            return Err(StoreError::Conflict(Clash::ChallengeState { state: state.as_str().to_string() }));
        }
        sqlx::query(
            "UPDATE challenges SET title = $1, problem = $2, indicators = $3, funding_wan = $4, reward = $5, eligibility = $6, department = $7, \
             chain_node = $8, gap_rule = $9, criteria = $10, apply_by = $11, finish_by = $12, version = $13, updated_at = $14 WHERE id = $15",
        )
        .bind(&c.title)
        .bind(&c.problem)
        .bind(&c.indicators)
        .bind(c.funding_wan)
        .bind(&c.reward)
        .bind(&c.eligibility)
        .bind(&c.department)
        .bind(&c.chain_node)
        .bind(&c.gap_rule)
        .bind(&c.criteria)
        .bind(c.apply_by.map(|d| d.to_string()))
        .bind(c.finish_by.map(|d| d.to_string()))
        .bind(version + 1)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let detail =
            json!({ "title": c.title, "department": c.department, "chain_node": c.chain_node, "gap_rule": c.gap_rule });
        self.commit_audited(tx, actor, AuditAction::ChallengeUpdate, "challenge", &id.to_string(), &detail).await
    }

    /// Moves a challenge from `step.from` to `step.to` (a conflict if someone moved it first), recording the
    /// winner (on the award) and the outcome's note (on acceptance or failure) where given.
    pub async fn move_challenge(
        &self,
        id: i64,
        step: &ChallengeStep<'_>,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<()> {
        let ChallengeStep { from, to, winner, note } = *step;
        let mut tx = self.begin().await?;
        let (state, version) = self.challenge_state(&mut tx, id, expected_version).await?;
        if state != from {
            return Err(StoreError::Conflict(Clash::ChallengeState { state: state.as_str().to_string() }));
        }
        sqlx::query(
            "UPDATE challenges SET state = $1, winner_id = COALESCE($2, winner_id), outcome_note = COALESCE($3, outcome_note), \
             version = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(to.as_str())
        .bind(winner)
        .bind(note)
        .bind(version + 1)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let detail = json!({ "from": from, "to": to, "winner": winner, "note": note });
        self.commit_audited(tx, actor, AuditAction::ChallengeMove, "challenge", &id.to_string(), &detail).await
    }

    pub async fn challenge_applications(&self, challenge_id: i64) -> Result<Vec<ChallengeApplicationRow>> {
        self.all(ChallengeApplicationRow::select("WHERE challenge_id = $1 ORDER BY id").bind(challenge_id)).await
    }

    pub async fn all_challenge_applications(&self) -> Result<Vec<ChallengeApplicationRow>> {
        self.all(ChallengeApplicationRow::select("ORDER BY id")).await
    }

    pub async fn challenge_application(&self, id: i64) -> Result<ChallengeApplicationRow> {
        self.by_id(id, Missing::ChallengeApplication).await
    }

    /// Records an application while applications are open; one per organisation and challenge.
    pub async fn insert_challenge_application(
        &self,
        challenge_id: i64,
        a: &NewChallengeApplication,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        self.challenge_in(&mut tx, challenge_id, &[ChallengeState::ApplicationsOpen]).await?;
        let seen: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM challenge_applications WHERE challenge_id = $1 AND org_kind = $2 AND org_id = $3",
        )
        .bind(challenge_id)
        .bind(&a.org_kind)
        .bind(&a.org_id)
        .fetch_optional(&mut *tx)
        .await?;
        if seen.is_some() {
            return Err(StoreError::Conflict(Clash::AlreadyApplied));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO challenge_applications (challenge_id, org_kind, org_id, org_name, summary, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(challenge_id)
        .bind(&a.org_kind)
        .bind(&a.org_id)
        .bind(&a.org_name)
        .bind(&a.summary)
        .bind(actor.id)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let detail =
            json!({ "challenge": challenge_id, "org_kind": a.org_kind, "org_id": a.org_id, "org_name": a.org_name });
        self.commit_audited(tx, actor, AuditAction::ChallengeApply, "challenge_application", &id.to_string(), &detail)
            .await?;
        Ok(id)
    }

    /// Stores a file of an application while applications are open.
    pub async fn insert_challenge_attachment(
        &self,
        application_id: i64,
        filename: &str,
        content_type: &str,
        data: &[u8],
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let challenge_id: i64 = sqlx::query_scalar("SELECT challenge_id FROM challenge_applications WHERE id = $1")
            .bind(application_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound(Missing::ChallengeApplication(application_id)))?;
        self.challenge_in(&mut tx, challenge_id, &[ChallengeState::ApplicationsOpen]).await?;
        let file = Upload { filename, content_type, data };
        let id = insert_upload(&mut tx, "challenge_attachments", "application_id", application_id, file, actor).await?;
        let detail = json!({ "application": application_id, "filename": filename, "size": data.len() });
        self.commit_audited(tx, actor, AuditAction::ChallengeAttach, "challenge_attachment", &id.to_string(), &detail)
            .await?;
        Ok(id)
    }

    pub async fn challenge_attachments(&self, application_id: i64) -> Result<Vec<ChallengeAttachmentMeta>> {
        self.all(ChallengeAttachmentMeta::select("WHERE application_id = $1 ORDER BY id").bind(application_id)).await
    }

    /// One attachment with its bytes.
    pub async fn challenge_attachment(&self, id: i64) -> Result<(ChallengeAttachmentMeta, Vec<u8>)> {
        let meta: ChallengeAttachmentMeta = self.by_id(id, Missing::ChallengeAttachment).await?;
        let data: Vec<u8> = sqlx::query_scalar("SELECT data FROM challenge_attachments WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        Ok((meta, data))
    }

    pub async fn challenge_experts(&self, challenge_id: i64) -> Result<Vec<ChallengeExpertRow>> {
        self.all(ChallengeExpertRow::select("WHERE challenge_id = $1 ORDER BY id").bind(challenge_id)).await
    }

    /// Puts an expert on a challenge's panel (before the award); once per expert and challenge.
    pub async fn insert_challenge_expert(
        &self,
        challenge_id: i64,
        e: &NewChallengeExpert,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        self.challenge_in(
            &mut tx,
            challenge_id,
            &[
                ChallengeState::Draft,
                ChallengeState::Published,
                ChallengeState::ApplicationsOpen,
                ChallengeState::Review,
            ],
        )
        .await?;
        let seen: Option<i64> =
            sqlx::query_scalar("SELECT id FROM challenge_experts WHERE challenge_id = $1 AND user_id = $2")
                .bind(challenge_id)
                .bind(e.user_id)
                .fetch_optional(&mut *tx)
                .await?;
        if seen.is_some() {
            return Err(StoreError::Conflict(Clash::ExpertOnPanel));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO challenge_experts (challenge_id, user_id, org_kind, org_id, interests, assigned_by, assigned_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(challenge_id)
        .bind(e.user_id)
        .bind(&e.org_kind)
        .bind(&e.org_id)
        .bind(&e.interests)
        .bind(actor.id)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let detail = json!({ "challenge": challenge_id, "expert": e.user_id, "org_kind": e.org_kind, "org_id": e.org_id, "interests": e.interests });
        self.commit_audited(tx, actor, AuditAction::ChallengeExpert, "challenge", &challenge_id.to_string(), &detail)
            .await?;
        Ok(id)
    }

    /// The reviews of a challenge's applications.
    pub async fn challenge_reviews(&self, challenge_id: i64) -> Result<Vec<ChallengeReviewRow>> {
        self.all(
            select(
                "r.id, r.application_id, r.expert_id, r.scores, r.comment, r.submitted, r.updated_at",
                "challenge_reviews r JOIN challenge_applications a ON a.id = r.application_id",
                "WHERE a.challenge_id = $1 ORDER BY r.id",
            )
            .bind(challenge_id),
        )
        .await
    }

    /// Saves an expert's review of an application while the challenge is under review; a review handed in
    /// no longer changes.
    pub async fn save_challenge_review(
        &self,
        application_id: i64,
        expert_id: i64,
        scores: &str,
        comment: &str,
        submitted: bool,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let challenge_id: i64 = sqlx::query_scalar("SELECT challenge_id FROM challenge_applications WHERE id = $1")
            .bind(application_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound(Missing::ChallengeApplication(application_id)))?;
        self.challenge_in(&mut tx, challenge_id, &[ChallengeState::Review]).await?;
        let old =
            sqlx::query("SELECT id, submitted FROM challenge_reviews WHERE application_id = $1 AND expert_id = $2")
                .bind(application_id)
                .bind(expert_id)
                .fetch_optional(&mut *tx)
                .await?;
        let now = now_ms();
        match old {
            Some(r) => {
                if crate::get::<i64>(&r, "submitted")? != 0 {
                    return Err(StoreError::Conflict(Clash::ReviewSubmitted));
                }
                sqlx::query("UPDATE challenge_reviews SET scores = $1, comment = $2, submitted = $3, updated_at = $4 WHERE id = $5")
                    .bind(scores)
                    .bind(comment)
                    .bind(i64::from(submitted))
                    .bind(now)
                    .bind(crate::get::<i64>(&r, "id")?)
                    .execute(&mut *tx)
                    .await?;
            }
            None => {
                sqlx::query(
                    "INSERT INTO challenge_reviews (application_id, expert_id, scores, comment, submitted, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(application_id)
                .bind(expert_id)
                .bind(scores)
                .bind(comment)
                .bind(i64::from(submitted))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        let detail = json!({ "application": application_id, "expert": expert_id, "submitted": submitted });
        self.commit_audited(
            tx,
            actor,
            AuditAction::ChallengeReview,
            "challenge_application",
            &application_id.to_string(),
            &detail,
        )
        .await
    }

    pub async fn challenge_milestones(&self, challenge_id: i64) -> Result<Vec<ChallengeMilestoneRow>> {
        self.all(ChallengeMilestoneRow::select("WHERE challenge_id = $1 ORDER BY due_on, id").bind(challenge_id)).await
    }

    /// Records a milestone of the work (due, and done where it is) while the work is under way.
    pub async fn insert_challenge_milestone(
        &self,
        challenge_id: i64,
        name: &str,
        due_on: Date,
        done_on: Option<Date>,
        note: &str,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        self.challenge_in(&mut tx, challenge_id, &[ChallengeState::Awarded, ChallengeState::InProgress]).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO challenge_milestones (challenge_id, name, due_on, done_on, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(challenge_id)
        .bind(name)
        .bind(due_on.to_string())
        .bind(done_on.map(|d| d.to_string()))
        .bind(note)
        .bind(actor.id)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let detail = json!({ "milestone": id, "name": name, "due_on": due_on, "done_on": done_on });
        self.commit_audited(
            tx,
            actor,
            AuditAction::ChallengeMilestone,
            "challenge",
            &challenge_id.to_string(),
            &detail,
        )
        .await?;
        Ok(id)
    }
}
