//! What every handler knows about its request: the application, the language, the session (from a bearer token or the
//! session cookie), the client's address, and whether a cookie-authenticated write carries its CSRF token.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri, header};
use jiqun_app::{Action, App, AppError, Perm, Session};
use jiqun_domain::Lang;

use crate::error::{ApiResult, PageResult, WithLang};
use crate::routes::Access;

pub const SESSION_COOKIE: &str = "jiqun_session";
pub const LANG_COOKIE: &str = "jiqun_lang";

pub type AppState = Arc<App>;

pub struct Ctx {
    /// The application: the use cases the handler calls.
    pub app: AppState,
    pub lang: Lang,
    pub session: Option<Session>,
    pub ip: String,
    /// The session came from the cookie (so writes need the CSRF token), not from a bearer token.
    pub via_cookie: bool,
    pub csrf_header: Option<String>,
    pub path: String,
    pub query: String,
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The request's language: `?lang=`, then the language cookie, then `Accept-Language`; Chinese by default.
pub fn language(parts: &Parts) -> Lang {
    language_of(&parts.uri, &parts.headers)
}

pub fn language_of(uri: &Uri, headers: &HeaderMap) -> Lang {
    let q = uri.query().unwrap_or("");
    if let Some(v) = q.split('&').find_map(|kv| kv.strip_prefix("lang=")) {
        return Lang::from_locale(v);
    }
    if let Some(v) = cookie(headers, LANG_COOKIE) {
        return Lang::from_locale(v);
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(|v| Lang::from_locale(v.split(',').next().unwrap_or("")))
        .unwrap_or_default()
}

/// The session token of a request (a bearer token, else the session cookie) and whether it is the cookie.
pub fn token_of(headers: &HeaderMap) -> (Option<String>, bool) {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    match bearer {
        Some(t) => (Some(t), false),
        None => (cookie(headers, SESSION_COOKIE).map(String::from), true),
    }
}

/// The live session a token names, if any. A database failure counts as none (the handler then answers
/// 401, and the health check reports the database).
/// The caller's session; an error when the database cannot say (it is down): such a request is refused
/// with 503, not treated as logged out.
pub async fn session_of(app: &AppState, token: Option<&str>) -> Result<Option<Session>, AppError> {
    match token {
        Some(t) if !t.is_empty() && t.len() <= 128 => app.session(t).await,
        _ => Ok(None),
    }
}

/// Whether the route's declared access admits the caller: 401 without a session, the restriction's
/// error for a restricted session, 403 without the permission in any scope. This runs when the request's
/// context is made, before a handler reads its path, query or body, so a caller who may not use a route
/// learns nothing from a validation error (permission before validation, contract §3). The handler and
/// the use case then decide on the object's scope.
fn admits(access: Access, session: Option<&Session>) -> Result<(), AppError> {
    let perms: &[Perm] = match access {
        Access::Public => return Ok(()),
        Access::Account => return session.map(|_| ()).ok_or_else(AppError::unauthorized),
        Access::Perm(ref p) => std::slice::from_ref(p),
        Access::Any(ps) => ps,
        Access::Scoped(p, scopes) => {
            let s = session.ok_or_else(AppError::unauthorized)?;
            s.unrestricted()?;
            let held = s.roles.scopes(&s.user, p);
            return if held.iter().any(|x| scopes.contains(x)) { Ok(()) } else { Err(AppError::forbidden()) };
        }
    };
    let s = session.ok_or_else(AppError::unauthorized)?;
    s.unrestricted()?;
    if perms.iter().any(|p| !s.roles.scopes(&s.user, *p).is_empty()) { Ok(()) } else { Err(AppError::forbidden()) }
}

impl FromRequestParts<AppState> for Ctx {
    /// A caller the route's declared access does not admit: an API error or a page error.
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let lang = language(parts);
        // The peer, or behind a trusted proxy the client it forwarded for (crate::proxies).
        let proxies = parts.extensions.get::<Arc<crate::proxies::TrustedProxies>>();
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| match proxies {
                Some(p) => p.client(c.0.ip(), &parts.headers).to_string(),
                None => c.0.ip().to_string(),
            })
            .unwrap_or_default();
        let (token, via_cookie) = token_of(&parts.headers);
        let refuse = |e: AppError| {
            if parts.uri.path().starts_with("/api/") {
                crate::error::ApiError(e, lang).into_response()
            } else {
                crate::error::PageError(e, lang).into_response()
            }
        };
        let session = session_of(app, token.as_deref()).await.map_err(refuse)?;
        let matched = parts.extensions.get::<axum::extract::MatchedPath>().map(|m| m.as_str().to_string());
        if let Some(access) = matched.and_then(|path| crate::routes::access_of(parts.method.as_str(), &path))
            && let Err(e) = admits(access, session.as_ref())
        {
            return Err(refuse(e));
        }
        Ok(Ctx {
            app: app.clone(),
            lang,
            via_cookie: via_cookie && session.is_some(),
            session,
            ip,
            csrf_header: parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).map(String::from),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().unwrap_or("").to_string(),
        })
    }
}

impl Ctx {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(zh, en)
    }

    /// The session, or 401; or 403 while the user must first change the password or enrol TOTP.
    pub fn user(&self) -> Result<&Session, AppError> {
        let s = self.session.as_ref().ok_or_else(AppError::unauthorized)?;
        s.unrestricted()?;
        Ok(s)
    }

    /// The session even when restricted: for the routes that lift the restriction (password, TOTP, logout).
    pub fn account(&self) -> Result<&Session, AppError> {
        self.session.as_ref().ok_or_else(AppError::unauthorized)
    }

    /// A write authenticated by the cookie must carry the session's CSRF token (form field or header).
    pub fn require_csrf(&self, form_token: Option<&str>) -> Result<(), AppError> {
        // Restricted sessions may still post to the account routes; the restriction is checked by `user`.
        let Some(s) = &self.session else { return Err(AppError::unauthorized()) };
        if !self.via_cookie {
            return Ok(());
        }
        let given = form_token.or(self.csrf_header.as_deref()).unwrap_or("");
        if !given.is_empty() && constant_time_eq(given.as_bytes(), s.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(AppError::new(
                jiqun_app::Code::Csrf,
                "表单已过期或来源不明，请刷新页面后重试",
                "the form is stale or forged; reload the page and try again",
            ))
        }
    }

    // The starts of handlers, in the order the contract asks (§3): the CSRF token of a cookie-authenticated
    // write, the session, the permission, and only then the request's body or query (permission before
    // validation). `api_*` answer errors as JSON, `page_*` as error pages.

    /// The session of a JSON request (`user`).
    pub fn api_user(&self) -> ApiResult<&Session> {
        self.user().lang(self.lang)
    }

    /// The session of a JSON request whose caller may do `action`.
    pub fn api_user_for(&self, action: &Action) -> ApiResult<&Session> {
        self.user().and_then(|s| s.require(action).map(|()| s)).lang(self.lang)
    }

    /// The start of a JSON write: the CSRF token, then the session.
    pub fn api_writer(&self) -> ApiResult<&Session> {
        self.require_csrf(None).lang(self.lang)?;
        self.api_user()
    }

    /// The start of a JSON write that needs `action`: the CSRF token, the session, the permission.
    pub fn api_writer_for(&self, action: &Action) -> ApiResult<&Session> {
        self.require_csrf(None).lang(self.lang)?;
        self.api_user_for(action)
    }

    /// A JSON body, parsed as the contract says (`kit::api::parse_json`), its error in the request's language.
    pub fn json<T: serde::de::DeserializeOwned>(&self, body: &[u8]) -> ApiResult<T> {
        crate::kit::api::parse_json(body).lang(self.lang)
    }

    /// The session of a page (`user`).
    pub fn page_user(&self) -> PageResult<&Session> {
        self.user().page(self.lang)
    }

    /// The session of a page whose user may do `action`.
    pub fn page_user_for(&self, action: &Action) -> PageResult<&Session> {
        self.user().and_then(|s| s.require(action).map(|()| s)).page(self.lang)
    }

    /// The start of a form post: the form's CSRF token, then the session.
    pub fn page_writer(&self, csrf: Option<&str>) -> PageResult<&Session> {
        self.require_csrf(csrf).page(self.lang)?;
        self.page_user()
    }

    /// The start of a form post that needs `action`: the CSRF token, the session, the permission.
    pub fn page_writer_for(&self, csrf: Option<&str>, action: &Action) -> PageResult<&Session> {
        self.require_csrf(csrf).page(self.lang)?;
        self.page_user_for(action)
    }

    pub fn wants(&self, format: &str) -> bool {
        self.query.split('&').any(|kv| kv == format!("format={format}"))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
