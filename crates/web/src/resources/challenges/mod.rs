//! 揭榜挂帅 (open challenges): drafting and issuing a challenge, applications with attachments, the expert
//! panel with recusal, reviews, the award, milestones and acceptance. The workflow is the shipped example
//! (`data/challenges/workflow-example.json`), said to be one on every page.
//!
//! - API: `/api/v1/challenges`, `/api/v1/challenges/workflow`, `/api/v1/challenges/{id}`,
//!   `/api/v1/challenges/{id}/moves`, `/api/v1/challenges/{id}/applications`, `/api/v1/challenges/{id}/experts`,
//!   `/api/v1/challenges/{id}/milestones`, `/api/v1/challenge-applications/{id}`,
//!   `/api/v1/challenge-applications/{id}/attachments`, `/api/v1/challenge-applications/{id}/review`,
//!   `/api/v1/challenge-attachments/{id}`
//! - Pages: `/challenges`, `/challenges/new` (accepts `?node=<chain node>&rule=<gap rule>`), `/challenges/{id}`
//!   with its forms, `/challenge-applications/{id}` with the review form and the upload,
//!   `/challenge-attachments/{id}`

pub mod api;
pub mod pages;

use axum::routing::{get, post, put};
use jiqun_app::Perm;
use jiqun_app::challenges::{
    ChallengeApplicationInput, ChallengeApplicationView, ChallengeDetail, ChallengeExpertInput, ChallengeInput,
    ChallengeMilestoneInput, ChallengeMoveInput, ChallengeReviewInput, ChallengeView, ChallengeWorkflowView,
};

use crate::routes::{Access, ApiRoute, PageRoute, binary, json, list, request};

/// Who may open an application: its issuing department, its applicant, the experts assigned to it.
const APPLICATION_READERS: Access = Access::Any(&[Perm::ManageChallenges, Perm::ApplyChallenge, Perm::ReviewChallenge]);
/// Who may move a challenge: its issuing department, and (to start the work) its winner.
const MOVERS: Access = Access::Any(&[Perm::ManageChallenges, Perm::ApplyChallenge]);

pub const API: &[ApiRoute] = &[
    ApiRoute::new("get", "/api/v1/challenges", "challenges", "The open challenges the caller may see (drafts only to those who manage them), newest first, each with the moves the caller may make", Access::Perm(Perm::ReadChallenges), || get(api::challenges))
        .ok(200, Some(list::<ChallengeView>)),
    ApiRoute::new("post", "/api/v1/challenges", "challenges", "Drafts a challenge (a department reporter for its own department); the chain node is checked against the chain vocabulary", Access::Perm(Perm::ManageChallenges), || post(api::create))
        .body("{title, problem, indicators, funding_wan?, reward?, eligibility?, department, chain_node?, gap_rule?, criteria?, apply_by?, finish_by?}", Some(request::<ChallengeInput>()))
        .ok(201, Some(json::<ChallengeDetail>)),
    ApiRoute::new("get", "/api/v1/challenges/workflow", "challenges", "The workflow in force: the moves and the roles that may make each (an example, not official rules; its note says so)", Access::Perm(Perm::ReadChallenges), || get(api::workflow))
        .ok(200, Some(json::<ChallengeWorkflowView>)),
    ApiRoute::new("get", "/api/v1/challenges/{id}", "challenges", "One challenge with what the caller may see: applications (an expert not those it stands aside from), the panel, ranking and whether it may be awarded (to its department), milestones", Access::Perm(Perm::ReadChallenges), || get(api::challenge))
        .ok(200, Some(json::<ChallengeDetail>)),
    ApiRoute::new("put", "/api/v1/challenges/{id}", "challenges", "Edits a challenge while it is a draft or published (a stale `version` gets 409)", Access::Perm(Perm::ManageChallenges), || put(api::update))
        .body("the challenge as for POST, with the `version` read", Some(request::<ChallengeInput>()))
        .ok(200, Some(json::<ChallengeDetail>)),
    ApiRoute::new("post", "/api/v1/challenges/{id}/moves", "challenges", "Moves a challenge to another state as the workflow allows: 409 `challenge_move` for a move that does not exist, 403 `challenge_role` naming the roles that may; the award needs every review in and a scored winner, acceptance or failure a note", MOVERS, || post(api::move_to))
        .body("{to, winner?, note?, version?}", Some(request::<ChallengeMoveInput>()))
        .ok(200, Some(json::<ChallengeDetail>)),
    ApiRoute::new("post", "/api/v1/challenges/{id}/applications", "challenges", "Applies for a challenge while applications are open: an enterprise for its own firm; a user who may apply everywhere for a firm or an institute", Access::Perm(Perm::ApplyChallenge), || post(api::apply))
        .body("{summary, uscc?, institute?, org_name?}", Some(request::<ChallengeApplicationInput>()))
        .ok(201, Some(json::<ChallengeApplicationView>)),
    ApiRoute::new("post", "/api/v1/challenges/{id}/experts", "challenges", "Puts an expert on the challenge's panel with the organisation and interests the expert declared; the expert stands aside from (and cannot see) applications of those organisations", Access::Perm(Perm::ManageChallenges), || post(api::assign_expert))
        .body("{username, organisation?, interests?}", Some(request::<ChallengeExpertInput>()))
        .ok(200, Some(json::<ChallengeDetail>)),
    ApiRoute::new("post", "/api/v1/challenges/{id}/milestones", "challenges", "Records a milestone of the work (after the award)", Access::Perm(Perm::ManageChallenges), || post(api::add_milestone))
        .body("{name, due_on, done_on?, note?}", Some(request::<ChallengeMilestoneInput>()))
        .ok(201, Some(json::<ChallengeDetail>)),
    ApiRoute::new("get", "/api/v1/challenge-applications/{id}", "challenges", "One application, to its issuing department, its applicant and the experts assigned to it who need not stand aside (403 `challenge_recused` to one who must)", APPLICATION_READERS, || get(api::application))
        .ok(200, Some(json::<ChallengeApplicationView>)),
    ApiRoute::new("post", "/api/v1/challenge-applications/{id}/attachments", "challenges", "Attaches a file to an application while applications are open (its applicant; the file's bytes are the body; at most 10 MB)", Access::Perm(Perm::ApplyChallenge), || post(api::attach))
        .query(&[("filename", "the file's name")])
        .upload("the file's bytes", "application/octet-stream")
        .ok(201, Some(json::<ChallengeApplicationView>)),
    ApiRoute::new("put", "/api/v1/challenge-applications/{id}/review", "challenges", "Saves the caller's review of an application it is assigned to and need not stand aside from, under review; `submit` hands it in (every criterion scored)", Access::Perm(Perm::ReviewChallenge), || put(api::review))
        .body("{scores, comment?, submit?}", Some(request::<ChallengeReviewInput>()))
        .ok(200, Some(json::<ChallengeApplicationView>)),
    ApiRoute::new("get", "/api/v1/challenge-attachments/{id}", "challenges", "Downloads an application's file (to those who may see the application)", APPLICATION_READERS, || get(api::attachment))
        .ok(200, Some(binary)),
];

pub const PAGES: &[PageRoute] = &[
    PageRoute::new("get", "/challenges", Access::Perm(Perm::ReadChallenges), || get(pages::challenges)),
    PageRoute::new("post", "/challenges", Access::Perm(Perm::ManageChallenges), || post(pages::create)),
    PageRoute::new("get", "/challenges/new", Access::Perm(Perm::ManageChallenges), || get(pages::new_form)),
    PageRoute::new("get", "/challenges/{id}", Access::Perm(Perm::ReadChallenges), || get(pages::challenge)),
    PageRoute::new("post", "/challenges/{id}/move", MOVERS, || post(pages::move_to)),
    PageRoute::new("post", "/challenges/{id}/apply", Access::Perm(Perm::ApplyChallenge), || post(pages::apply)),
    PageRoute::new("post", "/challenges/{id}/experts", Access::Perm(Perm::ManageChallenges), || {
        post(pages::assign_expert)
    }),
    PageRoute::new("post", "/challenges/{id}/milestones", Access::Perm(Perm::ManageChallenges), || {
        post(pages::add_milestone)
    }),
    PageRoute::new("get", "/challenge-applications/{id}", APPLICATION_READERS, || get(pages::application)),
    PageRoute::new("post", "/challenge-applications/{id}/review", Access::Perm(Perm::ReviewChallenge), || {
        post(pages::review)
    }),
    PageRoute::new("post", "/challenge-applications/{id}/attachments", Access::Perm(Perm::ApplyChallenge), || {
        post(pages::upload)
    }),
    PageRoute::new("get", "/challenge-attachments/{id}", APPLICATION_READERS, || get(pages::download)),
];
