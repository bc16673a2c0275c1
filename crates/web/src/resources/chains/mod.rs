//! The chain map (稳链强链补链): the plan's chains node by node, the firms, projects and bases on each
//! node, the gaps found with the rule that found each, the attraction list (招商清单) and the technology
//! list, the names that match no node, and the vocabulary the plan owner keeps.
//!
//! - API: `/api/v1/chains`, `/api/v1/chains/{id}`, `/api/v1/chains/{id}/gaps`,
//!   `/api/v1/chains/{id}/nodes/{node}`, `/api/v1/chains/unassigned`, `/api/v1/chains/names`,
//!   `/api/v1/chains/settings`, `/api/v1/chains/vocabulary`, `/api/v1/chains/nodes/{node}/dependency`,
//!   `/api/v1/chains/nodes/{node}/firms`, `/api/v1/chains/nodes/{node}/bases`
//! - Pages: `/chains`, `/chains/unassigned`, `/chains/vocabulary`, `/chains/{id}` (with the map, `/chains/{id}/map.svg`),
//!   `/chains/{id}/nodes/{node}`, and the forms they post

pub mod api;
pub mod map;
pub mod pages;

use axum::routing::{get, post, put};
use jiqun_app::Perm;
use jiqun_app::chains::{
    BasePlacementInput, ChainDetail, ChainGapView, ChainNodeDetail, ChainOverview, ChainSummary, ChainUnassigned,
    ChainVocabularyView, DependencyInput, FirmPlacementInput, TextDecisionInput, VocabularyInput,
};
use jiqun_eval::chains::Settings;

use crate::routes::{Access, ApiRoute, PageRoute, json, list, request};

const READ: Access = Access::Perm(Perm::ReadChains);
const MANAGE: Access = Access::Perm(Perm::ManageChains);

#[rustfmt::skip]
pub const API: &[ApiRoute] = &[
    ApiRoute::new("get", "/api/v1/chains", "chains", "The plan's industrial chains, each with `id`, `name` (the plan's wording), its nodes, firms and nodes with gaps", READ, || get(api::chains))
        .ok(200, Some(list::<ChainSummary>)),
    ApiRoute::new("get", "/api/v1/chains/overview", "chains", "The chains with the attraction list (招商清单) and the technology list made from their gaps, each entry with the reasons for its rank, and the analysis's settings", READ, || get(api::overview))
        .ok(200, Some(json::<ChainOverview>)),
    ApiRoute::new("get", "/api/v1/chains/unassigned", "chains", "Names held by enterprises and projects that match no node of the vocabulary, with the records that hold them (nothing is guessed)", READ, || get(api::unassigned))
        .ok(200, Some(list::<ChainUnassigned>)),
    ApiRoute::new("put", "/api/v1/chains/names", "chains", "Decides what a name means: a node, or none; applies to every record holding it", MANAGE, || put(api::decide_name))
        .body("{text, node}", Some(request::<TextDecisionInput>()))
        .ok(200, Some(list::<ChainUnassigned>)),
    ApiRoute::new("put", "/api/v1/chains/settings", "chains", "Sets the gap analysis's settings: the strength threshold (0–100), the firm count that makes a node whole, the segments that need research", MANAGE, || put(api::set_settings))
        .body("{strength_threshold, full_firm_count, research_segments}", Some(request::<Settings>()))
        .ok(200, Some(json::<Settings>)),
    ApiRoute::new("get", "/api/v1/chains/vocabulary", "chains", "The chain vocabulary in force (chains, nodes with tier and segment, names, sources) and its saved versions", READ, || get(api::vocabulary))
        .ok(200, Some(json::<ChainVocabularyView>)),
    ApiRoute::new("put", "/api/v1/chains/vocabulary", "chains", "Saves a new version of the vocabulary, checked field by field; a renamed node keeps its id and former name; a node with firms or bases recorded on it cannot be removed (409)", MANAGE, || put(api::put_vocabulary))
        .body("{vocabulary, note}", Some(request::<VocabularyInput>()))
        .ok(200, Some(json::<ChainVocabularyView>)),
    ApiRoute::new("put", "/api/v1/chains/nodes/{node}/dependency", "chains", "Records whether a node depends on supply from outside the province, with the source that says so", MANAGE, || put(api::set_dependency))
        .body("{outside, source}", Some(request::<DependencyInput>()))
        .ok(204, None),
    ApiRoute::new("post", "/api/v1/chains/nodes/{node}/firms", "chains", "Puts a registered firm on a node with its role and capacity, or takes it off (`role` null)", MANAGE, || post(api::place_firm))
        .body("{uscc, role, capacity?, source?}", Some(request::<FirmPlacementInput>()))
        .ok(204, None),
    ApiRoute::new("post", "/api/v1/chains/nodes/{node}/bases", "chains", "Puts a registered base on a node, or takes it off", MANAGE, || post(api::place_base))
        .body("{base_id, on}", Some(request::<BasePlacementInput>()))
        .ok(204, None),
    ApiRoute::new("get", "/api/v1/chains/{id}", "chains", "One chain node by node: firms by city and role, revenue and output shares, backbone and library firms, projects under way, bases, strength with its parts, gaps", READ, || get(api::chain))
        .ok(200, Some(json::<ChainDetail>)),
    ApiRoute::new("get", "/api/v1/chains/{id}/gaps", "chains", "A chain's gaps, each with the rule that found it (no firm, a single firm, strength below the threshold, outside dependency) and its explanation", READ, || get(api::gaps))
        .ok(200, Some(list::<ChainGapView>)),
    ApiRoute::new("get", "/api/v1/chains/{id}/nodes/{node}", "chains", "One node with its firms (role, capacity), projects and bases", READ, || get(api::node))
        .ok(200, Some(json::<ChainNodeDetail>)),
];

pub const PAGES: &[PageRoute] = &[
    PageRoute::new("get", "/chains", READ, || get(pages::chains)),
    PageRoute::new("post", "/chains/settings", MANAGE, || post(pages::set_settings)),
    PageRoute::new("get", "/chains/unassigned", READ, || get(pages::unassigned)),
    PageRoute::new("get", "/chains/vocabulary", READ, || get(pages::vocabulary)),
    PageRoute::new("post", "/chains/vocabulary", MANAGE, || post(pages::put_vocabulary)),
    PageRoute::new("post", "/chains/names", MANAGE, || post(pages::decide_name)),
    PageRoute::new("get", "/chains/{id}", READ, || get(pages::chain)),
    PageRoute::new("get", "/chains/{id}/map.svg", READ, || get(pages::map_svg)),
    PageRoute::new("get", "/chains/{id}/nodes/{node}", READ, || get(pages::node)),
    PageRoute::new("post", "/chains/{id}/nodes/{node}/dependency", MANAGE, || post(pages::set_dependency)),
    PageRoute::new("post", "/chains/{id}/nodes/{node}/firms", MANAGE, || post(pages::place_firm)),
    PageRoute::new("post", "/chains/{id}/nodes/{node}/bases", MANAGE, || post(pages::place_base)),
];
