//! The route tables, and what is built from them. Every resource (`crate::resources`) declares its routes in
//! its `mod.rs`: `API` (the JSON API, each route with its OpenAPI description) and `PAGES` (the HTML pages),
//! each route with who may use it. The routers are built from those tables and the OpenAPI document
//! (`crate::openapi`) is generated from them, so neither can drift; the role × route test walks them.

use axum::Router;
use axum::routing::MethodRouter;

use jiqun_app::{Perm, Scope};

use crate::ctx::AppState;
use crate::resources::{
    auth, bases, chains, challenges, enterprises, evaluations, exports, imports, indicators, libraries, matching,
    plans, projects, supervision, system, users,
};

pub use crate::openapi::{Components, RequestBody, SchemaFn, binary, json, list, openapi, request};

/// A route of the JSON API: its OpenAPI description, who may call it, and its handler.
pub struct ApiRoute {
    pub method: &'static str,
    pub path: &'static str,
    /// Older paths that answer too: every existing `/api/v1` path keeps working, and a route that moves keeps
    /// its old path as an alias. The router serves the handler at each; the OpenAPI document lists each as
    /// deprecated, pointing to `path`; the role × route test walks each. Empty for most routes.
    pub aliases: &'static [&'static str],
    pub summary: &'static str,
    pub tag: &'static str,
    /// Query parameters: (name, description).
    pub query: &'static [(&'static str, &'static str)],
    /// The request body, described; `None` when there is none.
    pub body: Option<&'static str>,
    /// The JSON request body's type (`request::<ReportingRoundBody>()`), whose schema the OpenAPI document gives and whose parser the handler uses; `None`
    /// for no body or a raw one (a document, an attachment).
    pub request: Option<RequestBody>,
    /// The media type of a body that is not JSON but uploaded as it is (a plan document, an attachment, a
    /// CSV file); `None` for JSON bodies and for no body.
    pub upload: Option<&'static str>,
    /// The success status.
    pub ok: u16,
    /// The media types of a success response that is a file in one of several formats (an export, the
    /// bulletin as Word or HTML); empty for the others.
    pub produces: &'static [&'static str],
    /// The success response's type (`json::<ReportView>`, `list::<PlanSummary>`); `None` for a 204 and,
    /// until their types are written, the routes counted in `UNTYPED_RESPONSES`.
    pub response: Option<SchemaFn>,
    /// False for the few routes that need no session.
    pub auth: bool,
    /// Who may call it. The handlers enforce this through the use cases' policy; the role × route test
    /// (`tests/suite/access.rs`) checks every route against it for every role, so a route cannot be added
    /// without saying who may use it.
    pub access: Access,
    pub handler: fn() -> MethodRouter<AppState>,
}

impl ApiRoute {
    /// A route that needs a session and has no body; `.body`, `.ok`, `.query`, `.aliases` and `.public`
    /// say the rest.
    pub const fn new(
        method: &'static str,
        path: &'static str,
        tag: &'static str,
        summary: &'static str,
        access: Access,
        handler: fn() -> MethodRouter<AppState>,
    ) -> ApiRoute {
        ApiRoute {
            method,
            path,
            aliases: &[],
            summary,
            tag,
            query: &[],
            body: None,
            request: None,
            upload: None,
            ok: 200,
            produces: &[],
            response: None,
            auth: true,
            access,
            handler,
        }
    }

    /// The request body: described, and its type when it is JSON (`None` for a raw upload).
    pub const fn body(mut self, description: &'static str, request: Option<RequestBody>) -> ApiRoute {
        self.body = Some(description);
        self.request = request;
        self
    }

    /// A body uploaded as it is, of this media type (`text/csv`, `application/octet-stream`).
    pub const fn upload(mut self, description: &'static str, media_type: &'static str) -> ApiRoute {
        self.body = Some(description);
        self.upload = Some(media_type);
        self
    }

    /// The success status and the response's type (`None` for a 204).
    pub const fn ok(mut self, status: u16, response: Option<SchemaFn>) -> ApiRoute {
        self.ok = status;
        self.response = response;
        self
    }

    /// The media types of a success response that is a file in one of several formats (an export, the
    /// bulletin as Word or HTML); empty for the others.
    pub const fn produces(mut self, media_types: &'static [&'static str]) -> ApiRoute {
        self.produces = media_types;
        self
    }

    pub const fn query(mut self, query: &'static [(&'static str, &'static str)]) -> ApiRoute {
        self.query = query;
        self
    }

    pub const fn aliases(mut self, aliases: &'static [&'static str]) -> ApiRoute {
        self.aliases = aliases;
        self
    }

    /// Needs no session.
    pub const fn public(mut self) -> ApiRoute {
        self.auth = false;
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No session needed.
    Public,
    /// Any logged-in user, also one who must first change the password or enrol TOTP.
    Account,
    /// Users whose roles grant this permission (in the scope of the object, where it has one: a
    /// department's assignment, a city's observation, an enterprise's figures). Roles are data
    /// (`jiqun_app::authz`); the role × route test checks every route against the built-in roles.
    Perm(Perm),
    /// Users holding any of these permissions (the handler narrows what each sees: an enterprise user
    /// lists only its own firm, an expert only what it is assigned).
    Any(&'static [Perm]),
    /// Users holding the permission in one of these scopes (a bulk import: everywhere or a whole city).
    Scoped(Perm, &'static [Scope]),
}

/// Who reads a firm: the directory readers, and those who read some firm's figures.
pub const FIRM_READERS: Access = Access::Any(&[Perm::ReadEnterprises, Perm::ReadFigures]);

/// A page route and who may use it. The router is built from the tables, and the role × route test walks
/// them with every role (as it walks the API's), so a page cannot be added without saying who may use it.
pub struct PageRoute {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub handler: fn() -> MethodRouter<AppState>,
}

impl PageRoute {
    pub const fn new(
        method: &'static str,
        path: &'static str,
        access: Access,
        handler: fn() -> MethodRouter<AppState>,
    ) -> PageRoute {
        PageRoute { method, path, access, handler }
    }
}

/// Every resource's tables, in the order the routers, the OpenAPI document and the role × route test take
/// them.
const RESOURCES: &[(&[ApiRoute], &[PageRoute])] = &[
    (system::API, system::PAGES),
    (auth::API, auth::PAGES),
    (plans::API, plans::PAGES),
    (indicators::API, indicators::PAGES),
    (supervision::API, supervision::PAGES),
    (users::API, users::PAGES),
    (enterprises::API, enterprises::PAGES),
    (evaluations::API, evaluations::PAGES),
    (libraries::API, libraries::PAGES),
    (projects::API, projects::PAGES),
    (bases::API, bases::PAGES),
    (chains::API, chains::PAGES),
    (challenges::API, challenges::PAGES),
    (matching::API, matching::PAGES),
    (imports::API, imports::PAGES),
    (exports::API, exports::PAGES),
];

/// Every API route of every resource.
pub fn api_routes() -> Vec<&'static ApiRoute> {
    RESOURCES.iter().flat_map(|(api, _)| api.iter()).collect()
}

/// Every page route of every resource.
pub fn page_routes() -> Vec<&'static PageRoute> {
    RESOURCES.iter().flat_map(|(_, pages)| pages.iter()).collect()
}

/// The declared access of the route a request matched (by method and route path, aliases included).
pub fn access_of(method: &str, path: &str) -> Option<Access> {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static TABLE: OnceLock<HashMap<(String, &'static str), Access>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = HashMap::new();
        for r in api_routes() {
            for p in std::iter::once(r.path).chain(r.aliases.iter().copied()) {
                t.insert((r.method.to_uppercase(), p), r.access);
            }
        }
        for p in page_routes() {
            t.insert((p.method.to_uppercase(), p.path), p.access);
        }
        t
    });
    table.get(&(method.to_uppercase(), path)).copied()
}

pub fn api_router() -> Router<AppState> {
    let mut r = Router::new();
    for route in api_routes() {
        r = r.route(route.path, (route.handler)());
        for alias in route.aliases {
            r = r.route(alias, (route.handler)());
        }
    }
    r
}

pub fn page_router() -> Router<AppState> {
    let mut r = Router::new();
    for p in page_routes() {
        r = r.route(p.path, (p.handler)());
    }
    r
}
