//! 揭榜挂帅 (open challenges): drafting and publishing a challenge, applications with their attachments,
//! the expert panel with recusal, reviews and scores, the award, the milestones of the work, acceptance.
//!
//! The moves between states and who may make each are the workflow configuration
//! (`jiqun_domain::challenges::Workflow::example()`, an example, not official rules); recusal, scores and
//! whether the challenge may be awarded are the engine's (`jiqun_eval::challenges`). This module joins them to
//! the store and to the role table: a move needs the workflow to give it to one of the user's roles AND the
//! user to act for the challenge (its issuing department's manager, or, for starting the work, the winner).
//! An expert sees an application only when on the challenge's panel and not standing aside from it.

use std::collections::BTreeMap;

use jiqun_domain::Lang;
use jiqun_domain::chains::Vocabulary;
use jiqun_domain::challenges::{ChallengeState, Workflow};
use jiqun_domain::date::Date;
use jiqun_domain::uscc::Uscc;
use jiqun_eval::challenges as engine;
use jiqun_eval::definition::FieldError;

/// The engines' field errors (`jiqun_domain::datafile`) as the use cases' (`jiqun_eval::definition`).
fn fields(es: Vec<jiqun_domain::datafile::FieldError>) -> Vec<FieldError> {
    es.into_iter().map(|e| FieldError::new(e.path, e.zh, e.en)).collect()
}
use jiqun_store::{
    ChallengeApplicationRow, ChallengeExpertRow, ChallengeReviewRow, ChallengeRow, NewChallenge,
    NewChallengeApplication, NewChallengeExpert,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::invalid_fields;
use crate::input::{date_field, limit_text, parse_agency, text_field, uscc_field};
use crate::{Action, App, AppError, AppResult, Code, Session};

/// The largest attachment an application takes.
pub const MAX_CHALLENGE_ATTACHMENT: usize = 10 << 20;

/// The gap rules of the chain analysis a challenge may answer (`jiqun_eval::chains::GapRule`).
/// The kinds of chain gap a challenge may answer: the chain map's rules (`jiqun_eval::chains::GapKind`).
pub use jiqun_eval::chains::GapKind;

/// A review criterion as entered.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ChallengeCriterion)]
pub struct CriterionInput {
    /// A short id, unique in the challenge (`technical`).
    pub id: String,
    /// Its name in Chinese.
    pub name_zh: String,
    /// Its name in English.
    pub name_en: String,
    /// Its weight: finite, not negative; the weights add up to more than 0.
    pub weight: f64,
}

/// A challenge as drafted or edited.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeInput {
    /// Its title, 1 to 100 characters.
    pub title: String,
    /// The problem to solve (揭榜的技术难题).
    pub problem: String,
    /// The technical indicators to reach.
    pub indicators: String,
    /// Public funding offered, 万元.
    #[serde(default)]
    pub funding_wan: Option<f64>,
    /// The reward or support promised besides.
    #[serde(default)]
    pub reward: String,
    /// Who may apply.
    #[serde(default)]
    pub eligibility: String,
    /// The issuing department (`省科技厅`); a department reporter issues only for its own.
    pub department: String,
    /// The chain node whose gap the challenge answers (`ultra_hd_video.chips_and_components`).
    #[serde(default)]
    pub chain_node: Option<String>,
    /// The gap rule that found it: `no_firm`, `single_firm`, `outside_dependency`, `below_threshold`.
    #[serde(default)]
    pub gap_rule: Option<String>,
    /// The review criteria; the default four when absent.
    #[serde(default)]
    pub criteria: Option<Vec<CriterionInput>>,
    /// The last day to apply, `YYYY-MM-DD`.
    #[serde(default)]
    pub apply_by: Option<String>,
    /// The day the work is to be done by, `YYYY-MM-DD`.
    #[serde(default)]
    pub finish_by: Option<String>,
    /// The version read, for an edit: a stale one gets 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// A move of a challenge to another state.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeMoveInput {
    /// The state to move to (`published`, `applications_open`, `review`, `awarded`, …).
    pub to: String,
    /// On the award: the winning application's id.
    #[serde(default)]
    pub winner: Option<i64>,
    /// On acceptance or failure: what the acceptance found (required then).
    #[serde(default)]
    pub note: Option<String>,
    /// The version read: a stale one gets 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// An application for a challenge.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeApplicationInput {
    /// What the applicant proposes: the approach, the team, the plan.
    pub summary: String,
    /// The applying firm's USCC (an enterprise user applies for its own firm and may leave it out).
    #[serde(default)]
    pub uscc: Option<String>,
    /// The applying institute's name (university, research body), recorded by a user who applies for others.
    #[serde(default)]
    pub institute: Option<String>,
    /// The organisation's name (taken from the registry for a registered firm).
    #[serde(default)]
    pub org_name: Option<String>,
}

/// An expert put on a challenge's panel, with what the expert declared.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeExpertInput {
    /// The expert's user name (a user holding the expert's review permission).
    pub username: String,
    /// Where the expert works: a USCC (a firm) or an institute's name; empty for none.
    #[serde(default)]
    pub organisation: String,
    /// Organisations the expert declared an interest in, each a USCC or an institute's name.
    #[serde(default)]
    pub interests: Vec<String>,
}

/// An expert's review of an application.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeReviewInput {
    /// Scores per criterion id, 0 to 100.
    #[serde(default)]
    pub scores: BTreeMap<String, f64>,
    #[serde(default)]
    pub comment: String,
    /// Hand it in (it then no longer changes and counts when every criterion is scored).
    #[serde(default)]
    pub submit: bool,
}

/// A milestone of the work.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeMilestoneInput {
    pub name: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    /// `YYYY-MM-DD`, when done; not after today.
    #[serde(default)]
    pub done_on: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// A move the workflow has from the challenge's state, and whether the caller may make it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengeMoveView {
    pub to: ChallengeState,
    pub to_label: String,
    /// The caller may make it (a role the workflow names, acting for the challenge).
    pub allowed: bool,
    /// The roles the workflow gives it to, as people call them.
    pub roles: Vec<String>,
}

/// A challenge as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengeView {
    pub id: i64,
    pub title: String,
    pub problem: String,
    pub indicators: String,
    /// Public funding offered, 万元.
    pub funding_wan: Option<f64>,
    pub reward: String,
    pub eligibility: String,
    /// The issuing department.
    pub department: String,
    pub chain_node: Option<String>,
    /// The chain and node as people call them.
    pub chain_node_label: Option<String>,
    pub gap_rule: Option<String>,
    pub gap_rule_label: Option<String>,
    pub criteria: Vec<CriterionInput>,
    pub apply_by: Option<Date>,
    pub finish_by: Option<Date>,
    pub state: ChallengeState,
    pub state_label: String,
    /// The winning application (after the award).
    pub winner_id: Option<i64>,
    /// The winner's name (after the award).
    pub winner_name: Option<String>,
    pub outcome_note: Option<String>,
    /// How many applications it has.
    pub applications: usize,
    /// Made up for the demo (示例…（合成）).
    pub synthetic: bool,
    pub version: i64,
    /// The moves from its state, each with whether the caller may make it.
    pub moves: Vec<ChallengeMoveView>,
}

/// A file of an application.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengeAttachmentView {
    pub id: i64,
    pub filename: String,
    pub size: i64,
}

/// A review as the issuing department (all) or its expert (own) sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengeReviewView {
    pub expert_id: i64,
    pub expert: String,
    pub scores: BTreeMap<String, f64>,
    /// Each criterion with its weight and score, as people read it (`技术方案（权重 40）：85`).
    pub breakdown: Vec<String>,
    pub comment: String,
    pub submitted: bool,
    /// Whether it counts towards the score; if not, why.
    pub counted: bool,
    pub not_counted_reason: Option<String>,
}

/// An application as those who may see it see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengeApplicationView {
    pub id: i64,
    pub challenge_id: i64,
    pub challenge_title: String,
    /// `firm` or `institute`.
    pub org_kind: String,
    /// The USCC, or the institute's name.
    pub org_id: String,
    pub org_name: String,
    pub summary: String,
    pub created_at: i64,
    pub attachments: Vec<ChallengeAttachmentView>,
    /// The mean of the counted reviews' weighted scores (to the issuing department only).
    pub score: Option<f64>,
    /// The reviews the caller may see: all for the issuing department, the expert's own for an expert.
    pub reviews: Vec<ChallengeReviewView>,
    /// The caller is an expert who may review it now.
    pub may_review: bool,
}

/// An expert on a challenge's panel (to the issuing department).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengeExpertView {
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub organisation: Option<String>,
    pub interests: Vec<String>,
    /// The applications the expert stands aside from, and why.
    pub recused: Vec<ChallengeRecusalView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengeRecusalView {
    pub application_id: i64,
    pub org_name: String,
    pub reason: String,
}

/// Whether the challenge may be awarded, and what is missing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengeAwardView {
    pub may_award: bool,
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengeMilestoneView {
    pub id: i64,
    pub name: String,
    pub due_on: Date,
    pub done_on: Option<Date>,
    pub note: String,
}

/// One challenge with what the caller may see of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengeDetail {
    pub challenge: ChallengeView,
    /// The applications the caller may see (an expert: not those it stands aside from).
    pub applications: Vec<ChallengeApplicationView>,
    /// The panel (to the issuing department only).
    pub experts: Vec<ChallengeExpertView>,
    /// Ranking by score, best first (application ids; to the issuing department only).
    pub ranking: Vec<i64>,
    /// Whether it may be awarded (to the issuing department, under review).
    pub award: Option<ChallengeAwardView>,
    pub milestones: Vec<ChallengeMilestoneView>,
    /// The caller manages it (issuing department or plan owner).
    pub may_manage: bool,
    /// The caller may apply now.
    pub may_apply: bool,
    /// The workflow's note: that it is an example, not official rules.
    pub workflow_note: String,
}

/// The workflow in force: its note and its moves (for the pages and the API).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengeWorkflowView {
    pub version: String,
    pub note: String,
    pub moves: Vec<ChallengeWorkflowMove>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengeWorkflowMove {
    pub from: ChallengeState,
    pub from_label: String,
    pub to: ChallengeState,
    pub to_label: String,
    pub roles: Vec<String>,
}

/// The four criteria a challenge gets unless it says otherwise.
pub fn default_criteria() -> Vec<CriterionInput> {
    let c = |id: &str, zh: &str, en: &str, weight: f64| CriterionInput {
        id: id.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        weight,
    };
    vec![
        c("technical", "技术方案与指标可达性", "technical approach and the indicators' reach", 40.0),
        c("team", "团队与研发基础", "team and research record", 25.0),
        c("plan", "实施计划与进度安排", "work plan and schedule", 20.0),
        c("budget", "经费预算与配套", "budget and matching funds", 15.0),
    ]
}

fn gap_rule_label(rule: &str, lang: Lang) -> Option<String> {
    GapKind::parse(rule).map(|k| k.label(lang).to_string())
}

/// An organisation as written: a valid USCC is a firm, anything else an institute's name.
fn organisation(text: &str) -> Option<engine::Organisation> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    Some(match Uscc::parse(t) {
        Ok(u) => engine::Organisation::Firm(u),
        Err(_) => engine::Organisation::Institute(t.to_string()),
    })
}

fn org_of_application(a: &ChallengeApplicationRow) -> engine::Organisation {
    match (a.org_kind.as_str(), Uscc::parse(&a.org_id)) {
        ("firm", Ok(u)) => engine::Organisation::Firm(u),
        _ => engine::Organisation::Institute(a.org_id.clone()),
    }
}

fn expert_of(e: &ChallengeExpertRow) -> engine::Expert {
    let interests: Vec<String> = serde_json::from_str(&e.interests).unwrap_or_default();
    engine::Expert {
        id: e.user_id.to_string(),
        organisation: organisation(&e.org_id),
        interests: interests.iter().filter_map(|i| organisation(i)).collect(),
    }
}

fn criteria_of(c: &ChallengeRow) -> Vec<CriterionInput> {
    serde_json::from_str(&c.criteria).unwrap_or_else(|_| default_criteria())
}

/// What the engine needs of a challenge: its criteria, applications, panel (assigned to every application),
/// and reviews.
struct Loaded {
    row: ChallengeRow,
    criteria: Vec<CriterionInput>,
    applications: Vec<ChallengeApplicationRow>,
    experts: Vec<ChallengeExpertRow>,
    reviews: Vec<ChallengeReviewRow>,
    /// The panel's user names by id.
    names: BTreeMap<i64, String>,
}

impl Loaded {
    fn engine(&self) -> engine::Challenge {
        let applications: Vec<engine::Application> = self
            .applications
            .iter()
            .map(|a| engine::Application { id: a.id.to_string(), organisation: org_of_application(a) })
            .collect();
        let experts: Vec<engine::Expert> = self.experts.iter().map(expert_of).collect();
        let assignments = self
            .experts
            .iter()
            .flat_map(|e| {
                self.applications
                    .iter()
                    .map(move |a| engine::Assignment { expert: e.user_id.to_string(), application: a.id.to_string() })
            })
            .collect();
        let reviews = self
            .reviews
            .iter()
            .map(|r| engine::Review {
                expert: r.expert_id.to_string(),
                application: r.application_id.to_string(),
                scores: serde_json::from_str(&r.scores).unwrap_or_default(),
                submitted: r.submitted,
            })
            .collect();
        engine::Challenge {
            id: self.row.id.to_string(),
            criteria: self
                .criteria
                .iter()
                .map(|k| engine::Criterion {
                    id: k.id.clone(),
                    name: jiqun_domain::datafile::Text::new(&k.name_zh, &k.name_en),
                    weight: k.weight,
                })
                .collect(),
            applications,
            experts,
            assignments,
            reviews,
        }
    }

    /// The panel's experts who need not stand aside from the application (those "assigned" to it).
    fn assigned_to(&self, a: &ChallengeApplicationRow) -> Vec<i64> {
        let app = engine::Application { id: a.id.to_string(), organisation: org_of_application(a) };
        self.experts.iter().filter(|e| engine::recused(&expert_of(e), &app).is_none()).map(|e| e.user_id).collect()
    }

    fn recusal(&self, e: &ChallengeExpertRow, a: &ChallengeApplicationRow) -> Option<engine::Recusal> {
        let app = engine::Application { id: a.id.to_string(), organisation: org_of_application(a) };
        engine::recused(&expert_of(e), &app)
    }
}

/// The workflow in force (the shipped example).
pub fn workflow() -> &'static Workflow {
    Workflow::example()
}

impl App {
    /// A node's name with its chain's, by the vocabulary in force (`App::chain_vocabulary`).
    fn node_label(v: &Vocabulary, id: &str, lang: Lang) -> Option<String> {
        let (chain, node) = v.node(id)?;
        Some(format!("{} · {}", chain.name.get(lang), lang.pick(&node.name_zh, &node.name_en)))
    }

    async fn load_challenge(&self, id: i64) -> AppResult<Loaded> {
        let row = self.store.challenge(id).await?;
        let criteria = criteria_of(&row);
        let experts = self.store.challenge_experts(id).await?;
        let mut names = BTreeMap::new();
        for e in &experts {
            if let Some(u) = self.store.user(e.user_id).await? {
                names.insert(e.user_id, u.username);
            }
        }
        Ok(Loaded {
            criteria,
            applications: self.store.challenge_applications(id).await?,
            experts,
            reviews: self.store.challenge_reviews(id).await?,
            names,
            row,
        })
    }

    /// The challenge if the caller may see it: past its draft to every reader, a draft only to those who
    /// manage it (404 to others, as if it did not exist).
    async fn visible_challenge(&self, session: &Session, id: i64) -> AppResult<Loaded> {
        session.require(&Action::ReadChallenges)?;
        let c = self.load_challenge(id).await?;
        if c.row.state == ChallengeState::Draft && !manages(session, &c.row) {
            return Err(AppError::from(jiqun_store::StoreError::NotFound(jiqun_store::Missing::Challenge(id))));
        }
        Ok(c)
    }

    fn challenge_view(&self, session: &Session, c: &Loaded, v: &Vocabulary, lang: Lang) -> ChallengeView {
        let r = &c.row;
        let roles: Vec<&str> = session.user.roles.iter().map(String::as_str).collect();
        let w = workflow();
        let moves = w
            .moves_from(r.state)
            .map(|t| ChallengeMoveView {
                to: t.to,
                to_label: t.to.label(lang).to_string(),
                allowed: w.check_any(r.state, t.to, &roles).is_ok() && acts_for(session, c, t.to),
                roles: t
                    .roles
                    .iter()
                    .map(|name| w.role_labels.get(name).map(|l| l.get(lang).to_string()).unwrap_or(name.clone()))
                    .collect(),
            })
            .collect();
        let winner = r.winner_id.and_then(|w| c.applications.iter().find(|a| a.id == w));
        ChallengeView {
            id: r.id,
            title: r.title.clone(),
            problem: r.problem.clone(),
            indicators: r.indicators.clone(),
            funding_wan: r.funding_wan,
            reward: r.reward.clone(),
            eligibility: r.eligibility.clone(),
            department: r.department.clone(),
            chain_node_label: r.chain_node.as_deref().and_then(|n| Self::node_label(v, n, lang)),
            chain_node: r.chain_node.clone(),
            gap_rule_label: r.gap_rule.as_deref().and_then(|g| gap_rule_label(g, lang)),
            gap_rule: r.gap_rule.clone(),
            criteria: c.criteria.clone(),
            apply_by: r.apply_by,
            finish_by: r.finish_by,
            state: r.state,
            state_label: r.state.label(lang).to_string(),
            winner_id: r.winner_id,
            winner_name: winner.map(|a| a.org_name.clone()),
            outcome_note: r.outcome_note.clone(),
            applications: c.applications.len(),
            synthetic: r.synthetic,
            version: r.version,
            moves,
        }
    }

    /// The challenges the caller may see, newest first.
    pub async fn challenges(&self, session: &Session, lang: Lang) -> AppResult<Vec<ChallengeView>> {
        session.require(&Action::ReadChallenges)?;
        let (v, _) = self.chain_vocabulary().await?;
        let mut out = Vec::new();
        for row in self.store.challenges().await?.into_iter().rev() {
            if row.state == ChallengeState::Draft && !manages(session, &row) {
                continue;
            }
            let c = self.load_challenge(row.id).await?;
            out.push(self.challenge_view(session, &c, &v, lang));
        }
        Ok(out)
    }

    /// Every challenge for the operator's export (`jiqun export --table challenges`), no permission check.
    pub(crate) async fn challenge_rows_for_export(&self) -> AppResult<Vec<(ChallengeRow, usize)>> {
        let apps = self.store.all_challenge_applications().await?;
        Ok(self
            .store
            .challenges()
            .await?
            .into_iter()
            .map(|c| {
                let n = apps.iter().filter(|a| a.challenge_id == c.id).count();
                (c, n)
            })
            .collect())
    }

    pub async fn challenge(&self, session: &Session, id: i64, lang: Lang) -> AppResult<ChallengeDetail> {
        let c = self.visible_challenge(session, id).await?;
        let may_manage = manages(session, &c.row);
        let eng = c.engine();
        let ranking = if may_manage { engine::ranking(&eng).unwrap_or_default() } else { Vec::new() };
        let mut applications = Vec::new();
        for a in &c.applications {
            if may_see_application(session, &c, a) {
                applications.push(self.application_view(session, &c, a, &ranking, lang).await?);
            }
        }
        let mut experts = Vec::new();
        if may_manage {
            for e in &c.experts {
                let user = self.store.user(e.user_id).await?;
                let interests: Vec<String> = serde_json::from_str(&e.interests).unwrap_or_default();
                experts.push(ChallengeExpertView {
                    user_id: e.user_id,
                    username: user.as_ref().map(|u| u.username.clone()).unwrap_or_default(),
                    name: user.map(|u| u.display_name).unwrap_or_default(),
                    organisation: (!e.org_id.is_empty()).then(|| e.org_id.clone()),
                    interests,
                    recused: c
                        .applications
                        .iter()
                        .filter_map(|a| {
                            c.recusal(e, a).map(|why| ChallengeRecusalView {
                                application_id: a.id,
                                org_name: a.org_name.clone(),
                                reason: why.explanation().get(lang).to_string(),
                            })
                        })
                        .collect(),
                });
            }
        }
        let award = (may_manage && c.row.state == ChallengeState::Review).then(|| match engine::may_award(&eng) {
            Ok(a) => ChallengeAwardView {
                may_award: a.may_award,
                missing: a.missing.iter().map(|m| missing_text(&c, m, lang)).collect(),
            },
            Err(e) => ChallengeAwardView { may_award: false, missing: e.iter().map(|f| f.message(lang)).collect() },
        });
        let milestones = self
            .store
            .challenge_milestones(id)
            .await?
            .into_iter()
            .map(|m| ChallengeMilestoneView {
                id: m.id,
                name: m.name,
                due_on: m.due_on,
                done_on: m.done_on,
                note: m.note,
            })
            .collect();
        let (v, _) = self.chain_vocabulary().await?;
        Ok(ChallengeDetail {
            challenge: self.challenge_view(session, &c, &v, lang),
            applications,
            experts,
            ranking: ranking.iter().filter_map(|s| s.application.parse().ok()).collect(),
            award,
            milestones,
            may_manage,
            may_apply: c.row.state == ChallengeState::ApplicationsOpen && may_apply(session),
            workflow_note: workflow().note.get(lang).to_string(),
        })
    }

    async fn application_view(
        &self,
        session: &Session,
        c: &Loaded,
        a: &ChallengeApplicationRow,
        ranking: &[engine::ApplicationScore],
        lang: Lang,
    ) -> AppResult<ChallengeApplicationView> {
        let may_manage = manages(session, &c.row);
        let me = session.user.id;
        let score = ranking.iter().find(|s| s.application == a.id.to_string());
        let eng_criteria = c.engine().criteria;
        let mut reviews = Vec::new();
        for r in c.reviews.iter().filter(|r| r.application_id == a.id && (may_manage || r.expert_id == me)) {
            let why = score.and_then(|s| s.not_counted.iter().find(|n| n.expert == r.expert_id.to_string()));
            let expert = c.names.get(&r.expert_id).cloned().unwrap_or_default();
            let scores: BTreeMap<String, f64> = serde_json::from_str(&r.scores).unwrap_or_default();
            let review = engine::Review {
                expert: r.expert_id.to_string(),
                application: a.id.to_string(),
                scores: scores.clone(),
                submitted: r.submitted,
            };
            let breakdown =
                engine::review_breakdown(&review, &eng_criteria).iter().map(|t| t.get(lang).to_string()).collect();
            reviews.push(ChallengeReviewView {
                expert_id: r.expert_id,
                expert,
                scores,
                breakdown,
                comment: r.comment.clone(),
                submitted: r.submitted,
                counted: score.is_some_and(|s| s.counted.contains(&r.expert_id.to_string())),
                not_counted_reason: why.map(|n| n.reason.get(lang).to_string()),
            });
        }
        let attachments = self
            .store
            .challenge_attachments(a.id)
            .await?
            .into_iter()
            .map(|f| ChallengeAttachmentView { id: f.id, filename: f.filename, size: f.size })
            .collect();
        let mine_submitted = c.reviews.iter().any(|r| r.application_id == a.id && r.expert_id == me && r.submitted);
        Ok(ChallengeApplicationView {
            id: a.id,
            challenge_id: a.challenge_id,
            challenge_title: c.row.title.clone(),
            org_kind: a.org_kind.clone(),
            org_id: a.org_id.clone(),
            org_name: a.org_name.clone(),
            summary: a.summary.clone(),
            created_at: a.created_at,
            attachments,
            score: if may_manage { score.and_then(|s| s.score) } else { None },
            reviews,
            may_review: c.row.state == ChallengeState::Review && !mine_submitted && reviews_it(session, c, a),
        })
    }

    /// One application, to those who may see it: the issuing department, the applicant, and the panel's
    /// experts who need not stand aside from it (403 to an expert who must: the application stays hidden).
    pub async fn challenge_application(
        &self,
        session: &Session,
        id: i64,
        lang: Lang,
    ) -> AppResult<ChallengeApplicationView> {
        let (c, a) = self.application_for(session, id).await?;
        let ranking = if manages(session, &c.row) { engine::ranking(&c.engine()).unwrap_or_default() } else { vec![] };
        self.application_view(session, &c, &a, &ranking, lang).await
    }

    async fn application_for(&self, session: &Session, id: i64) -> AppResult<(Loaded, ChallengeApplicationRow)> {
        let a = self.store.challenge_application(id).await?;
        let c = self.load_challenge(a.challenge_id).await?;
        if !may_see_application(session, &c, &a) {
            let on_panel = c.experts.iter().any(|e| e.user_id == session.user.id);
            return Err(if on_panel { AppError::of(Code::ChallengeRecused) } else { AppError::forbidden() });
        }
        Ok((c, a))
    }

    /// Drafts a challenge (issuing department: the user's own for a department reporter).
    pub async fn create_challenge(&self, session: &Session, input: &ChallengeInput, ip: &str) -> AppResult<i64> {
        may_manage_some(session)?;
        let c = self.check_challenge(input).await?;
        session.require(&Action::ManageChallenges { agency: &c.department })?;
        Ok(self.store.insert_challenge(&c, &session.actor(ip)).await?)
    }

    /// Drafts a demo challenge, marked synthetic.
    pub(crate) async fn create_synthetic_challenge(
        &self,
        input: &ChallengeInput,
        actor: &jiqun_store::Actor,
    ) -> AppResult<i64> {
        let mut c = self.check_challenge(input).await?;
        c.synthetic = true;
        Ok(self.store.insert_challenge(&c, actor).await?)
    }

    pub async fn update_challenge(
        &self,
        session: &Session,
        id: i64,
        input: &ChallengeInput,
        ip: &str,
    ) -> AppResult<()> {
        self.may_manage_challenge(session, id).await?;
        let old = self.store.challenge(id).await?;
        let mut c = self.check_challenge(input).await?;
        session.require(&Action::ManageChallenges { agency: &c.department })?;
        c.synthetic = old.synthetic;
        Ok(self.store.update_challenge(id, &c, input.version, &session.actor(ip)).await?)
    }

    /// Whether the caller may draft challenges at all (asked before a body is read).
    pub fn may_draft_challenge(&self, session: &Session) -> AppResult<()> {
        may_manage_some(session)
    }

    /// Whether the caller manages this challenge (asked before a body is read): 404 for an unknown one,
    /// 403 otherwise.
    pub async fn may_manage_challenge(&self, session: &Session, id: i64) -> AppResult<()> {
        may_manage_some(session)?;
        let c = self.store.challenge(id).await?;
        session.require(&Action::ManageChallenges { agency: &c.department })
    }

    /// Whether the caller may move this challenge at all (its manager or one of its applicants), asked
    /// before a body is read; the move itself is decided by [`App::move_challenge`].
    pub async fn may_move_challenge(&self, session: &Session, id: i64) -> AppResult<()> {
        let c = self.load_challenge(id).await?;
        if manages(session, &c.row) || c.applications.iter().any(|a| applies_as(session, a)) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    async fn check_challenge(&self, input: &ChallengeInput) -> AppResult<NewChallenge> {
        let (vocabulary, _) = self.chain_vocabulary().await?;
        let mut errors = Vec::new();
        let title = text_field("title", &input.title, 100, &mut errors);
        let problem = text_field("problem", &input.problem, 4000, &mut errors);
        let indicators = text_field("indicators", &input.indicators, 4000, &mut errors);
        if let Some(f) = input.funding_wan
            && !(f.is_finite() && (0.0..=1e9).contains(&f))
        {
            errors.push(FieldError::new(
                "funding_wan",
                "资助金额应为 0 至 10 亿万元之间的数",
                "the funding is a number from 0 to 1e9 (10k yuan)",
            ));
        }
        for (field, text, max) in [("reward", &input.reward, 2000), ("eligibility", &input.eligibility, 2000)] {
            if text.chars().count() > max || text.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
                errors.push(FieldError::new(field, format!("不能超过 {max} 字"), format!("at most {max} characters")));
            }
        }
        let department = match parse_agency("department", &input.department) {
            Ok(a) => a.as_str().to_string(),
            Err(e) => {
                for (f, zh, en) in e.details {
                    errors.push(FieldError::new(f, zh, en));
                }
                String::new()
            }
        };
        let chain_node = input.chain_node.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        if let Some(n) = &chain_node
            && vocabulary.node(n).is_none()
        {
            errors.push(FieldError::new(
                "chain_node",
                format!("产业链词表中没有节点“{n}”"),
                format!("the chain vocabulary has no node \"{n}\""),
            ));
        }
        let gap_rule = input.gap_rule.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        if let Some(g) = &gap_rule {
            if gap_rule_label(g, Lang::En).is_none() {
                let known: Vec<&str> = GapKind::ALL.iter().map(|k| k.as_str()).collect();
                errors.push(FieldError::new(
                    "gap_rule",
                    format!("“{g}”不是短板规则，可选：{}", known.join("、")),
                    format!("\"{g}\" is not a gap rule; one of: {}", known.join(", ")),
                ));
            } else if chain_node.is_none() {
                errors.push(FieldError::new(
                    "gap_rule",
                    "短板规则须与产业链节点一同填写",
                    "a gap rule goes with a chain node",
                ));
            }
        }
        let criteria = input.criteria.clone().unwrap_or_else(default_criteria);
        let probe = engine::Challenge {
            id: String::new(),
            criteria: criteria
                .iter()
                .map(|k| engine::Criterion {
                    id: k.id.trim().to_string(),
                    name: jiqun_domain::datafile::Text::new(k.name_zh.trim(), k.name_en.trim()),
                    weight: k.weight,
                })
                .collect(),
            applications: vec![],
            experts: vec![],
            assignments: vec![],
            reviews: vec![],
        };
        if let Err(es) = engine::check(&probe) {
            errors.extend(fields(es));
        }
        for (i, k) in criteria.iter().enumerate() {
            if k.id.chars().count() > 40 || k.name_zh.chars().count() > 100 || k.name_en.chars().count() > 100 {
                errors.push(FieldError::new(
                    format!("criteria[{i}]"),
                    "标识不超过 40 字，名称不超过 100 字",
                    "an id is at most 40 characters, a name at most 100",
                ));
            }
        }
        if criteria.len() > 20 {
            errors.push(FieldError::new("criteria", "评审标准不超过 20 项", "at most 20 criteria"));
        }
        let date = |field: &str, v: &Option<String>, errors: &mut Vec<FieldError>| match v
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => date_field(field, s, false, errors),
        };
        let apply_by = date("apply_by", &input.apply_by, &mut errors);
        let finish_by = date("finish_by", &input.finish_by, &mut errors);
        if let (Some(a), Some(f)) = (apply_by, finish_by)
            && f < a
        {
            errors.push(FieldError::new(
                "finish_by",
                "完成期限不能早于申报截止日",
                "the work cannot end before applications close",
            ));
        }
        if !errors.is_empty() {
            return Err(invalid_fields(&errors));
        }
        let criteria: Vec<CriterionInput> = criteria
            .into_iter()
            .map(|k| CriterionInput {
                id: k.id.trim().into(),
                name_zh: k.name_zh.trim().into(),
                name_en: k.name_en.trim().into(),
                weight: k.weight,
            })
            .collect();
        Ok(NewChallenge {
            title,
            problem,
            indicators,
            funding_wan: input.funding_wan,
            reward: input.reward.trim().to_string(),
            eligibility: input.eligibility.trim().to_string(),
            department,
            chain_node,
            gap_rule,
            criteria: serde_json::to_string(&criteria).map_err(AppError::internal)?,
            apply_by,
            finish_by,
            synthetic: false,
        })
    }

    /// Moves a challenge as the workflow allows: a move that does not exist is 409 (`challenge_move`), one the
    /// workflow gives to other roles 403 (`challenge_role`), each saying where it may go or who may make it.
    /// The award needs every review in (the engine's `may_award`) and a winner with a score; acceptance or
    /// failure needs a note.
    pub async fn move_challenge(
        &self,
        session: &Session,
        id: i64,
        input: &ChallengeMoveInput,
        ip: &str,
    ) -> AppResult<()> {
        self.may_move_challenge(session, id).await?;
        let c = self.load_challenge(id).await?;
        let lang_pair = |r: &jiqun_domain::challenges::Refusal| (r.zh.clone(), r.en.clone());
        let Some(to) = ChallengeState::parse(input.to.trim()) else {
            let known: Vec<&str> = ChallengeState::ALL.iter().map(|s| s.as_str()).collect();
            return Err(AppError::invalid(
                "to",
                format!("“{}”不是榜单的状态，可选：{}", input.to, known.join("、")),
                format!("\"{}\" is not a challenge state; one of: {}", input.to, known.join(", ")),
            ));
        };
        let from = c.row.state;
        let roles: Vec<&str> = session.user.roles.iter().map(String::as_str).collect();
        if let Err(r) = workflow().check_any(from, to, &roles) {
            let (zh, en) = lang_pair(&r);
            let code = if r.allowed.is_empty() { Code::ChallengeMove } else { Code::ChallengeRole };
            return Err(AppError::new(code, zh, en));
        }
        if !acts_for(session, &c, to) {
            let winner = c.row.winner_id.and_then(|w| c.applications.iter().find(|a| a.id == w));
            let (zh, en) = match (to, winner) {
                (ChallengeState::InProgress, Some(w)) => (
                    format!("只有发榜部门（{}）的人员或中榜单位（{}）可以启动攻关", c.row.department, w.org_name),
                    format!(
                        "only the issuing department ({}) or the winner ({}) may start the work",
                        c.row.department, w.org_name
                    ),
                ),
                _ => (
                    format!("只有发榜部门（{}）的人员或计划管理(牵头处室)可以流转此榜单", c.row.department),
                    format!(
                        "only the issuing department ({}) or the plan owner may move this challenge",
                        c.row.department
                    ),
                ),
            };
            return Err(AppError::new(Code::ChallengeRole, zh, en));
        }
        let mut winner = None;
        let mut note = None;
        match to {
            ChallengeState::Review if c.applications.is_empty() => {
                return Err(AppError::new(
                    Code::ChallengeMove,
                    "尚无揭榜申报，不能进入评审",
                    "there are no applications to review yet",
                ));
            }
            ChallengeState::Awarded => {
                let eng = c.engine();
                let check = engine::may_award(&eng).map_err(|e| invalid_fields(&fields(e)))?;
                if !check.may_award {
                    let zh: Vec<String> = check.missing.iter().map(|m| missing_text(&c, m, Lang::Zh)).collect();
                    let en: Vec<String> = check.missing.iter().map(|m| missing_text(&c, m, Lang::En)).collect();
                    return Err(AppError::new(
                        Code::ChallengeMove,
                        format!("评审尚未全部完成，不能定榜：{}", zh.join("；")),
                        format!("not every review is in, so it cannot be awarded: {}", en.join("; ")),
                    ));
                }
                let Some(w) = input.winner else {
                    return Err(AppError::invalid("winner", "请选择中榜的申报", "choose the winning application"));
                };
                let scored = engine::score(&eng, &w.to_string()).ok().and_then(|s| s.score);
                if !c.applications.iter().any(|a| a.id == w) || scored.is_none() {
                    return Err(AppError::invalid(
                        "winner",
                        format!("申报 {w} 不是本榜单有评分的申报"),
                        format!("application {w} is not a scored application of this challenge"),
                    ));
                }
                winner = Some(w);
            }
            ChallengeState::Accepted | ChallengeState::Failed => {
                let n = input.note.as_deref().map(str::trim).unwrap_or("");
                if n.is_empty() {
                    return Err(AppError::invalid("note", "请填写验收意见", "give what the acceptance found"));
                }
                limit_text("note", n, 2000)?;
                note = Some(n.to_string());
            }
            _ => {}
        }
        let step = jiqun_store::ChallengeStep { from, to, winner, note: note.as_deref() };
        self.store.move_challenge(id, &step, input.version, &session.actor(ip)).await?;
        Ok(())
    }

    /// Whether the caller may apply for challenges at all (asked before a body is read).
    pub fn may_apply_challenge(&self, session: &Session) -> AppResult<()> {
        if may_apply(session) { Ok(()) } else { Err(AppError::forbidden()) }
    }

    /// Applies for a challenge while applications are open: an enterprise user for its own firm; a user who
    /// may apply everywhere for a firm (by USCC) or an institute (by name).
    pub async fn apply_challenge(
        &self,
        session: &Session,
        id: i64,
        input: &ChallengeApplicationInput,
        ip: &str,
    ) -> AppResult<i64> {
        self.may_apply_challenge(session)?;
        let c = self.visible_challenge(session, id).await?;
        let mut errors = Vec::new();
        let summary = text_field("summary", &input.summary, 4000, &mut errors);
        let uscc = input.uscc.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let institute = input.institute.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let own = session.user.uscc.clone();
        let (kind, org_id) = match (uscc, institute) {
            (Some(_), Some(_)) => {
                errors.push(FieldError::new(
                    "institute",
                    "企业代码和院所名称只填一项",
                    "give either a firm's code or an institute's name, not both",
                ));
                ("firm", String::new())
            }
            (Some(u), None) => ("firm", uscc_field("uscc", Some(u), &mut errors).unwrap_or_default()),
            (None, Some(i)) => {
                if i.chars().count() > 100 || i.chars().any(char::is_control) {
                    errors.push(FieldError::new("institute", "院所名称为 1 至 100 字", "1 to 100 characters"));
                }
                ("institute", i.to_string())
            }
            (None, None) => match &own {
                Some(u) => ("firm", u.clone()),
                None => {
                    errors.push(FieldError::new(
                        "uscc",
                        "请填写申报企业的统一社会信用代码或院所名称",
                        "give the applying firm's code or the institute's name",
                    ));
                    ("firm", String::new())
                }
            },
        };
        if !errors.is_empty() {
            return Err(invalid_fields(&errors));
        }
        let uscc_for_check = if kind == "firm" { org_id.as_str() } else { "" };
        session.require(&Action::ApplyChallenge { uscc: uscc_for_check })?;
        let registered = if kind == "firm" { self.store.enterprise_by_uscc(&org_id).await? } else { None };
        let org_name = match (registered, input.org_name.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
            (Some(e), _) => e.name,
            (None, Some(n)) => {
                limit_text("org_name", n, 100)?;
                n.to_string()
            }
            (None, None) if kind == "institute" => org_id.clone(),
            (None, None) => {
                return Err(AppError::invalid(
                    "org_name",
                    "该企业未在企业库登记，请填写单位名称",
                    "the firm is not in the registry: give its name",
                ));
            }
        };
        let new = NewChallengeApplication { org_kind: kind.into(), org_id, org_name, summary };
        Ok(self.store.insert_challenge_application(c.row.id, &new, &session.actor(ip)).await?)
    }

    /// Whether the caller applied as this application's organisation (asked before an upload is read).
    pub async fn may_attach_to_application(&self, session: &Session, id: i64) -> AppResult<()> {
        let a = self.store.challenge_application(id).await?;
        if applies_as(session, &a) { Ok(()) } else { Err(AppError::forbidden()) }
    }

    /// Attaches a file to an application while applications are open (its applicant only).
    pub async fn attach_to_application(
        &self,
        session: &Session,
        id: i64,
        filename: &str,
        content_type: &str,
        data: &[u8],
        ip: &str,
    ) -> AppResult<i64> {
        self.may_attach_to_application(session, id).await?;
        let (name, content_type) = crate::input::check_upload(filename, content_type, data, MAX_CHALLENGE_ATTACHMENT)?;
        Ok(self.store.insert_challenge_attachment(id, name, content_type, data, &session.actor(ip)).await?)
    }

    /// An attachment's name and bytes, to those who may see its application.
    pub async fn challenge_attachment(&self, session: &Session, id: i64) -> AppResult<(String, Vec<u8>)> {
        let (meta, data) = self.store.challenge_attachment(id).await?;
        self.application_for(session, meta.application_id).await?;
        Ok((meta.filename, data))
    }

    /// Puts an expert on the challenge's panel with the organisation and interests the expert declared. The
    /// expert then reviews every application it need not stand aside from.
    pub async fn assign_challenge_expert(
        &self,
        session: &Session,
        id: i64,
        input: &ChallengeExpertInput,
        ip: &str,
    ) -> AppResult<()> {
        self.may_manage_challenge(session, id).await?;
        let mut errors = Vec::new();
        let user = self.store.user_by_name(input.username.trim()).await?;
        let user = match user {
            Some(u)
                if !u.disabled && u.roles.iter().any(|r| session.roles.role_has(r, crate::Perm::ReviewChallenge)) =>
            {
                Some(u)
            }
            _ => {
                errors.push(FieldError::new(
                    "username",
                    format!("“{}”不是可评审榜单的专家账户", input.username.trim()),
                    format!("“{}” is not an expert's account that may review challenges", input.username.trim()),
                ));
                None
            }
        };
        let org = input.organisation.trim().to_string();
        if org.chars().count() > 100 || org.chars().any(char::is_control) {
            errors.push(FieldError::new("organisation", "不超过 100 字", "at most 100 characters"));
        }
        let mut interests = Vec::new();
        for (i, t) in input.interests.iter().enumerate() {
            let t = t.trim();
            if t.is_empty() {
                continue;
            }
            if t.chars().count() > 100 || t.chars().any(char::is_control) {
                errors.push(FieldError::new(format!("interests[{i}]"), "不超过 100 字", "at most 100 characters"));
            }
            interests.push(t.to_string());
        }
        if interests.len() > 50 {
            errors.push(FieldError::new("interests", "不超过 50 项", "at most 50"));
        }
        let Some(user) = user.filter(|_| errors.is_empty()) else {
            return Err(invalid_fields(&errors));
        };
        let org_kind = match organisation(&org) {
            None => "",
            Some(engine::Organisation::Firm(_)) => "firm",
            Some(engine::Organisation::Institute(_)) => "institute",
        };
        let new = NewChallengeExpert {
            user_id: user.id,
            org_kind: org_kind.into(),
            org_id: org,
            interests: serde_json::to_string(&interests).map_err(AppError::internal)?,
        };
        self.store.insert_challenge_expert(id, &new, &session.actor(ip)).await?;
        Ok(())
    }

    /// Whether the caller is an expert who may review this application (asked before a body is read).
    pub async fn may_review_application(&self, session: &Session, id: i64) -> AppResult<()> {
        let a = self.store.challenge_application(id).await?;
        let c = self.load_challenge(a.challenge_id).await?;
        if reviews_it(session, &c, &a) {
            return Ok(());
        }
        let on_panel = c.experts.iter().any(|e| e.user_id == session.user.id);
        Err(if on_panel { AppError::of(Code::ChallengeRecused) } else { AppError::forbidden() })
    }

    /// Saves (and, with `submit`, hands in) the caller's review of an application it is assigned to and need
    /// not stand aside from, while the challenge is under review.
    pub async fn review_application(
        &self,
        session: &Session,
        id: i64,
        input: &ChallengeReviewInput,
        ip: &str,
    ) -> AppResult<()> {
        self.may_review_application(session, id).await?;
        let a = self.store.challenge_application(id).await?;
        let c = self.load_challenge(a.challenge_id).await?;
        let mut errors = Vec::new();
        for (k, v) in &input.scores {
            if !c.criteria.iter().any(|x| x.id == *k) {
                errors.push(FieldError::new(
                    format!("scores.{k}"),
                    format!("没有评审标准“{k}”"),
                    format!("no criterion \"{k}\""),
                ));
            } else if !(v.is_finite() && (0.0..=100.0).contains(v)) {
                errors.push(FieldError::new(
                    format!("scores.{k}"),
                    "分数应在 0 至 100 之间",
                    "a score must be between 0 and 100",
                ));
            }
        }
        if input.submit {
            for k in &c.criteria {
                if !input.scores.contains_key(&k.id) {
                    errors.push(FieldError::new(
                        format!("scores.{}", k.id),
                        format!("提交前请为“{}”打分", k.name_zh),
                        format!("score “{}” before handing the review in", k.name_en),
                    ));
                }
            }
        }
        if input.comment.chars().count() > 4000 {
            errors.push(FieldError::new("comment", "不能超过 4000 字", "at most 4000 characters"));
        }
        if !errors.is_empty() {
            return Err(invalid_fields(&errors));
        }
        let scores = serde_json::to_string(&input.scores).map_err(AppError::internal)?;
        self.store
            .save_challenge_review(id, session.user.id, &scores, input.comment.trim(), input.submit, &session.actor(ip))
            .await?;
        Ok(())
    }

    /// Records a milestone of the work (after the award).
    pub async fn add_challenge_milestone(
        &self,
        session: &Session,
        id: i64,
        input: &ChallengeMilestoneInput,
        ip: &str,
    ) -> AppResult<i64> {
        self.may_manage_challenge(session, id).await?;
        let mut errors = Vec::new();
        let name = text_field("name", &input.name, 200, &mut errors);
        let due_on = date_field("due_on", input.due_on.trim(), false, &mut errors);
        let done_on = match input.done_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(d) => date_field("done_on", d, true, &mut errors),
            None => None,
        };
        if input.note.chars().count() > 2000 {
            errors.push(FieldError::new("note", "不能超过 2000 字", "at most 2000 characters"));
        }
        let Some(due_on) = due_on.filter(|_| errors.is_empty()) else {
            return Err(invalid_fields(&errors));
        };
        Ok(self
            .store
            .insert_challenge_milestone(id, &name, due_on, done_on, input.note.trim(), &session.actor(ip))
            .await?)
    }

    /// The workflow in force, with its note saying it is an example.
    pub fn challenge_workflow(&self, session: &Session, lang: Lang) -> AppResult<ChallengeWorkflowView> {
        session.require(&Action::ReadChallenges)?;
        let w = workflow();
        Ok(ChallengeWorkflowView {
            version: w.version.clone(),
            note: w.note.get(lang).to_string(),
            moves: w
                .transitions
                .iter()
                .map(|t| ChallengeWorkflowMove {
                    from: t.from,
                    from_label: t.from.label(lang).to_string(),
                    to: t.to,
                    to_label: t.to.label(lang).to_string(),
                    roles: t
                        .roles
                        .iter()
                        .map(|r| w.role_labels.get(r).map(|l| l.get(lang).to_string()).unwrap_or(r.clone()))
                        .collect(),
                })
                .collect(),
        })
    }
}

/// The caller manages the challenge: holds the permission for its issuing department.
fn manages(session: &Session, c: &ChallengeRow) -> bool {
    session.can(&Action::ManageChallenges { agency: &c.department })
}

/// The caller may manage some challenge (a department's or every one).
fn may_manage_some(session: &Session) -> AppResult<()> {
    let scopes = session.roles.scopes(&session.user, crate::Perm::ManageChallenges);
    if scopes.is_empty() { Err(AppError::forbidden()) } else { Ok(()) }
}

fn may_apply(session: &Session) -> bool {
    let own = session.user.uscc.as_deref().unwrap_or("");
    session.can(&Action::ApplyChallenge { uscc: own }) || session.can(&Action::ApplyChallenge { uscc: "" })
}

/// The caller applies as this application's organisation (its own firm, or, holding the permission
/// everywhere, any).
fn applies_as(session: &Session, a: &ChallengeApplicationRow) -> bool {
    let uscc = if a.org_kind == "firm" { a.org_id.as_str() } else { "" };
    session.can(&Action::ApplyChallenge { uscc })
}

/// The caller acts for the challenge in this move: its manager; for starting the work, also the winner.
fn acts_for(session: &Session, c: &Loaded, to: ChallengeState) -> bool {
    if manages(session, &c.row) {
        return true;
    }
    to == ChallengeState::InProgress
        && c.row
            .winner_id
            .and_then(|w| c.applications.iter().find(|a| a.id == w))
            .is_some_and(|a| a.org_kind == "firm" && session.user.uscc.as_deref() == Some(a.org_id.as_str()))
}

/// Who sees an application: the issuing department, the applicant, the panel's experts who need not stand
/// aside from it.
fn may_see_application(session: &Session, c: &Loaded, a: &ChallengeApplicationRow) -> bool {
    manages(session, &c.row) || applies_as(session, a) || reviews_it(session, c, a)
}

/// The caller is an expert who reviews the application: on the panel, need not stand aside, holding the
/// permission for it. Recusal holds whatever the grant's scope (a custom role granting review everywhere
/// still does not see what its holder must stand aside from).
fn reviews_it(session: &Session, c: &Loaded, a: &ChallengeApplicationRow) -> bool {
    let assigned = c.assigned_to(a);
    assigned.contains(&session.user.id) && session.can(&Action::ReviewChallenge { assigned: &assigned })
}

fn missing_text(c: &Loaded, m: &engine::Missing, lang: Lang) -> String {
    let who = |id: &str| c.applications.iter().find(|a| a.id.to_string() == id).map(|a| a.org_name.clone());
    let app = who(&m.application).unwrap_or_else(|| m.application.clone());
    let reason = m.reason.get(lang);
    match &m.expert {
        Some(e) => {
            let e = e.parse::<i64>().ok().and_then(|id| c.names.get(&id).cloned()).unwrap_or_else(|| e.clone());
            match lang {
                Lang::Zh => format!("{app}（专家 {e}）：{reason}"),
                Lang::En => format!("{app} (expert {e}): {reason}"),
            }
        }
        // No application at all, or one with no expert who need not stand aside (the engine says it by id).
        None if m.application.is_empty() => reason.to_string(),
        None => match lang {
            Lang::Zh => format!("{app}：没有无须回避的评审专家，请另行指派"),
            Lang::En => format!("{app}: no assigned expert who need not stand aside; assign another"),
        },
    }
}
