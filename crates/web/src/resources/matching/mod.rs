//! Chip ↔ terminal matchmaking (芯片设计企业与终端应用企业对接): chip products and terminal needs listed by
//! enterprises, the ranked candidate pairs with each score explained, the matchmaking meetings (对接会) and
//! their outcomes, and the weights of the score.
//!
//! - API: `/api/v1/matches`, `/api/v1/matches/categories`, `/api/v1/matches/products`,
//!   `/api/v1/matches/products/{id}`, `/api/v1/matches/needs`, `/api/v1/matches/needs/{id}`,
//!   `/api/v1/matches/meetings`, `/api/v1/matches/meetings/{id}`, `/api/v1/matches/meetings/{id}/outcome`,
//!   `/api/v1/matches/settings`
//! - Pages: `/matching` (the ranked pairs), `/matching/products`, `/matching/needs` (each listing withdrawn or
//!   offered again at `…/{id}/active`), `/matching/meetings`
//!   (with the outcome form, posted to `/matching/meetings/{id}/outcome`), `/matching/settings`

pub mod api;
pub mod listing;
pub mod pages;

use axum::routing::{get, post, put};
use jiqun_app::Perm;
use jiqun_app::matching::{
    MatchCategoryView, MatchMeetingInput, MatchMeetingView, MatchNeedInput, MatchNeedView, MatchOutcomeInput,
    MatchPairView, MatchProductInput, MatchProductView, MatchSettings,
};

use crate::routes::{Access, ApiRoute, PageRoute, json, list, request};

use listing::{Needs, Products};

const READ: Access = Access::Perm(Perm::ReadMatches);
const LIST: Access = Access::Perm(Perm::EditMatchListings);
const RECORD: Access = Access::Perm(Perm::RecordMatchMeetings);
const SET: Access = Access::Perm(Perm::SetMatchSettings);

#[rustfmt::skip]
pub const API: &[ApiRoute] = &[
    ApiRoute::new("get", "/api/v1/matches", "matching", "Chip ↔ terminal candidate pairs, best first, each with its score (0–100) and the six components explained (category, maturity against timing, volume, proximity, prior cooperation, domestic substitution); those the caller may see (an enterprise its own pairs, a city bureau its city's); filtered by chain and city", READ, || get(api::pairs))
        .query(&[("chain", "a chain id (ic, 5g, …): only categories serving it"), ("city", "a city: pairs with either firm in it")])
        .ok(200, Some(list::<MatchPairView>)),
    ApiRoute::new("get", "/api/v1/matches/categories", "matching", "The shared vocabulary of chip categories and their uses, with the chains each serves and whether domestic substitution is a priority", READ, || get(api::categories))
        .ok(200, Some(list::<MatchCategoryView>)),
    ApiRoute::new("get", "/api/v1/matches/products", "matching", "Chip products the caller may see (an enterprise its own, a city bureau its city's)", READ, || get(api::listings::<Products>))
        .ok(200, Some(list::<MatchProductView>)),
    ApiRoute::new("post", "/api/v1/matches/products", "matching", "Lists a chip product of a registered firm (an enterprise user its own: `uscc` may be left out)", LIST, || post(api::create_listing::<Products>))
        .body("{uscc?, name, category, process_node_nm?, maturity, annual_volume?, note?}", Some(request::<MatchProductInput>()))
        .ok(201, Some(json::<MatchProductView>)),
    ApiRoute::new("get", "/api/v1/matches/products/{id}", "matching", "One chip product", READ, || get(api::listing::<Products>))
        .ok(200, Some(json::<MatchProductView>)),
    ApiRoute::new("put", "/api/v1/matches/products/{id}", "matching", "Edits a chip product, or makes it inactive (`active: false`); a stale `version` gets 409", LIST, || put(api::update_listing::<Products>))
        .body("the product as for POST, with `active?` and the `version` read", Some(request::<MatchProductInput>()))
        .ok(200, Some(json::<MatchProductView>)),
    ApiRoute::new("get", "/api/v1/matches/needs", "matching", "Terminal needs the caller may see", READ, || get(api::listings::<Needs>))
        .ok(200, Some(list::<MatchNeedView>)),
    ApiRoute::new("post", "/api/v1/matches/needs", "matching", "Lists a terminal maker's need (an enterprise user its own)", LIST, || post(api::create_listing::<Needs>))
        .body("{uscc?, name, category, annual_volume?, needed_by, requirements}", Some(request::<MatchNeedInput>()))
        .ok(201, Some(json::<MatchNeedView>)),
    ApiRoute::new("get", "/api/v1/matches/needs/{id}", "matching", "One terminal need", READ, || get(api::listing::<Needs>))
        .ok(200, Some(json::<MatchNeedView>)),
    ApiRoute::new("put", "/api/v1/matches/needs/{id}", "matching", "Edits a terminal need, or makes it inactive; a stale `version` gets 409", LIST, || put(api::update_listing::<Needs>))
        .body("the need as for POST, with `active?` and the `version` read", Some(request::<MatchNeedInput>()))
        .ok(200, Some(json::<MatchNeedView>)),
    ApiRoute::new("get", "/api/v1/matches/meetings", "matching", "Matchmaking meetings (对接会) on pairs the caller may see, latest first, with their outcomes", READ, || get(api::meetings))
        .ok(200, Some(list::<MatchMeetingView>)),
    ApiRoute::new("post", "/api/v1/matches/meetings", "matching", "Records a meeting held on a product and a need of the same category (the plan owner, or the city bureau of either firm)", RECORD, || post(api::record_meeting))
        .body("{product_id, need_id, held_on, place, note?}", Some(request::<MatchMeetingInput>()))
        .ok(201, Some(json::<MatchMeetingView>)),
    ApiRoute::new("get", "/api/v1/matches/meetings/{id}", "matching", "One meeting", READ, || get(api::meeting))
        .ok(200, Some(json::<MatchMeetingView>)),
    ApiRoute::new("post", "/api/v1/matches/meetings/{id}/outcome", "matching", "Records what came of a meeting (`signed`, `trial`, `no_fit`); signed and trial count as prior cooperation, and indicators bound to `matches:signed` are recomputed at once", RECORD, || post(api::record_outcome))
        .body("{outcome, outcome_on, note?, version?}", Some(request::<MatchOutcomeInput>()))
        .ok(200, Some(json::<MatchMeetingView>)),
    ApiRoute::new("get", "/api/v1/matches/settings", "matching", "The weights of the score's components and the lead times assumed per maturity", READ, || get(api::settings))
        .ok(200, Some(json::<MatchSettings>)),
    ApiRoute::new("put", "/api/v1/matches/settings", "matching", "Sets the weights and lead times (the plan owner); each must be a finite non-negative number and the weights must add up to more than 0, every wrong one named", SET, || put(api::set_settings))
        .body("{weights: {category, maturity, volume, proximity, cooperation, substitution}, lead_months: {research, sample, engineering_validation}}", Some(request::<MatchSettings>()))
        .ok(200, Some(json::<MatchSettings>)),
];

#[rustfmt::skip]
pub const PAGES: &[PageRoute] = &[
    PageRoute::new("get", "/matching", READ, || get(pages::pairs)),
    PageRoute::new("get", "/matching/products", READ, || get(pages::listings::<Products>)),
    PageRoute::new("post", "/matching/products", LIST, || post(pages::create::<Products>)),
    PageRoute::new("post", "/matching/products/{id}/active", LIST, || post(pages::set_active::<Products>)),
    PageRoute::new("get", "/matching/needs", READ, || get(pages::listings::<Needs>)),
    PageRoute::new("post", "/matching/needs", LIST, || post(pages::create::<Needs>)),
    PageRoute::new("post", "/matching/needs/{id}/active", LIST, || post(pages::set_active::<Needs>)),
    PageRoute::new("get", "/matching/meetings", READ, || get(pages::meetings)),
    PageRoute::new("post", "/matching/meetings", RECORD, || post(pages::record_meeting)),
    PageRoute::new("post", "/matching/meetings/{id}/outcome", RECORD, || post(pages::record_outcome)),
    PageRoute::new("get", "/matching/settings", READ, || get(pages::settings)),
    PageRoute::new("post", "/matching/settings", SET, || post(pages::set_settings)),
];
