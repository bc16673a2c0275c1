//! How errors leave the server. Use cases return `AppError` (a code of the catalogue in
//! `jiqun_app::error`, and its message in both languages); the language is applied here, once per
//! response. API routes answer `{"error": {"code", "message", "details"}}` (and `current`, the record as it
//! is now, when a write carried a version that is no longer current); pages answer an error page in
//! the site's frame (header, navigation, language switch) that says what went wrong and what the user
//! may do instead. `error_pages` also catches what axum answers by itself (an unknown path, a method the
//! route does not take, a body over the limit), so no response leaves in English plain text. Database
//! errors are `internal` by then: their text goes to the log, not to users.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use jiqun_app::{AppError, Code, Current, Session};
use jiqun_domain::Lang;
use maud::html;
use serde_json::json;

use crate::ctx::{AppState, language_of, session_of, token_of};
use crate::kit::layout;

pub struct ApiError(pub AppError, pub Lang);

/// The message users see: the error's own, but only the catalogue's for a server fault (the database's
/// being unavailable is not one: its message says which of the causes it is, and nothing internal).
fn shown_message(e: &AppError, lang: Lang) -> String {
    if e.status() >= 500 && e.code != Code::Unavailable {
        e.code.message(lang).to_string()
    } else {
        e.message(lang).to_string()
    }
}

fn status_of(e: &AppError) -> StatusCode {
    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ApiError(e, lang) = self;
        let status = status_of(&e);
        if status.is_server_error() {
            eprintln!("jiqun: {e}");
        }
        let mut body = json!({ "error": { "code": e.code.as_str(), "message": shown_message(&e, lang), "details": e.details(lang) } });
        if let Some(current) = e.current.as_deref().and_then(current_record) {
            body["error"]["current"] = current;
        }
        (status, Json(body)).into_response()
    }
}

/// The record a stale write was refused over, as its resource's GET shows it (none when it could not be
/// read back).
fn current_record(c: &Current) -> Option<serde_json::Value> {
    match c {
        Current::Report(r) => serde_json::to_value(crate::resources::supervision::api::ReportView::new(r)).ok(),
        Current::View(v) => Some(v.clone()),
        Current::Stale => None,
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Attaches the request's language to a use case's error: `lang` for an API answer, `page` for a page.
pub trait WithLang<T> {
    fn lang(self, lang: Lang) -> ApiResult<T>;
    fn page(self, lang: Lang) -> PageResult<T>;
}

impl<T> WithLang<T> for Result<T, AppError> {
    fn lang(self, lang: Lang) -> ApiResult<T> {
        self.map_err(|e| ApiError(e, lang))
    }

    fn page(self, lang: Lang) -> PageResult<T> {
        self.map_err(|e| PageError(e, lang))
    }
}

pub struct PageError(pub AppError, pub Lang);

/// A page's error on its way out: `error_pages` renders it in the frame of the user's session.
#[derive(Clone)]
struct Shown(AppError, Lang);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let PageError(e, lang) = self;
        let status = status_of(&e);
        if status == StatusCode::UNAUTHORIZED {
            return axum::response::Redirect::to("/login").into_response();
        }
        if matches!(e.code, Code::PasswordChangeRequired | Code::TotpEnrollmentRequired) {
            return axum::response::Redirect::to("/account").into_response();
        }
        if status.is_server_error() {
            eprintln!("jiqun: {e}");
        }
        // Without the middleware (it is always there in `router`), a page without the frame.
        let mut res =
            (status, Html(layout::bare(lang, &capitalized(e.code.message(lang)), body(&e, lang, None)).into_string()))
                .into_response();
        res.extensions_mut().insert(Shown(e, lang));
        res
    }
}

/// The error page's content: what went wrong, the fields, and what to do instead.
fn body(e: &AppError, lang: Lang, back: Option<&str>) -> maud::Markup {
    let t = |zh, en| lang.pick(zh, en);
    let heading = capitalized(e.code.message(lang));
    let message = capitalized(&shown_message(e, lang));
    html! {
        section.error-page aria-labelledby="h-error" {
            h1 #h-error { (heading) }
            // The heading says it already when the error has no words of its own.
            p.error role="alert" { @if message != heading { (message) } @else { (e.hint(lang)) } }
            @let details = e.details(lang);
            @if !details.is_empty() {
                ul.details { @for d in &details { li { code { (d.field) } (t("：", ": ")) (d.message) } } }
            }
            @if message != heading { p.advice { (e.hint(lang)) } }
            ul.actions {
                @if let Some(b) = back { li { a href=(b) { (t("返回上一页", "Back to the previous page")) } } }
                li { a href="/" { (t("返回总览", "Back to the dashboard")) } }
                @if e.code == Code::Forbidden { li { a href="/account" { (t("查看我的账户和角色", "My account and roles")) } } }
            }
            p.muted.small { (t("错误代码：", "Error code: ")) code { (e.code.as_str()) } " · HTTP " (e.status()) }
        }
    }
}

/// A message as a heading or a sentence on a page: the first letter of English capitalised (the API's
/// messages are not).
fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Renders an error page in the frame when the user has a session (the login link otherwise).
async fn page(
    app: &AppState,
    e: &AppError,
    lang: Lang,
    session: Option<&Session>,
    here: &str,
    back: Option<&str>,
) -> Response {
    let status = status_of(e);
    let markup = match session {
        Some(s) => {
            let synthetic = app.snapshot().await.map(|snap| snap.synthetic).unwrap_or(false);
            let f = layout::Frame { lang, session: s, here, synthetic };
            layout::page(&f, &capitalized(e.code.message(lang)), body(e, lang, back))
        }
        None => layout::bare(
            lang,
            &capitalized(e.code.message(lang)),
            html! {
                main.narrow {
                    (body(e, lang, back))
                    p { a href="/login" { (lang.pick("登录", "Log in")) } " · "
                        a href=(layout::switch_lang(here, if lang == Lang::Zh { "en" } else { "zh" })) { (lang.pick("English", "中文")) } }
                }
            },
        ),
    };
    let mut res = (status, Html(markup.into_string())).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Whether a response is one axum made by itself (no body type of ours): an unknown path, a method the
/// route does not take, a body over the limit.
fn from_axum(res: &Response) -> bool {
    match res.headers().get(header::CONTENT_TYPE) {
        None => true,
        Some(v) => v.as_bytes().starts_with(b"text/plain"),
    }
}

/// The catalogue's code for a status axum chose.
fn code_for(status: StatusCode) -> Code {
    match status.as_u16() {
        401 => Code::Unauthorized,
        403 => Code::Forbidden,
        404 => Code::NotFound,
        405 => Code::MethodNotAllowed,
        409 => Code::Conflict,
        413 => Code::TooLarge,
        415 => Code::UnsupportedMediaType,
        422 => Code::Invalid,
        s if s < 500 => Code::InvalidParameter,
        _ => Code::Internal,
    }
}

/// Middleware: error pages in the frame, and the catalogue's words for what axum answers by itself.
pub async fn error_pages(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let uri = req.uri().clone();
    let lang = language_of(&uri, req.headers());
    let (token, _) = token_of(req.headers());
    let referer = req.headers().get(header::REFERER).and_then(|v| v.to_str().ok()).map(String::from);
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let api = uri.path().starts_with("/api/") || uri.path() == "/healthz";
    let shown = res.extensions().get::<Shown>().cloned();
    let (e, lang) = match shown {
        Some(Shown(e, l)) if !api => (e, l),
        _ if from_axum(&res) => (AppError::of(code_for(status)), lang),
        _ => return res,
    };
    let allow = res.headers().get(header::ALLOW).cloned();
    let mut out = if api {
        ApiError(e, lang).into_response()
    } else {
        let here = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        // Back to where the user came from, when that is a page of this site other than this one.
        let back = referer.as_deref().and_then(local_path).filter(|p| *p != here && !p.starts_with("/login"));
        // The error page of a request whose session the database could not read is drawn logged out.
        let session = session_of(&app, token.as_deref()).await.ok().flatten();
        page(&app, &e, lang, session.as_ref(), here, back).await
    };
    // A 405 still says which methods the route takes.
    if let Some(v) = allow {
        out.headers_mut().insert(header::ALLOW, v);
    }
    out
}

/// The path and query of a same-site referer (`http://host/x?y` → `/x?y`).
fn local_path(referer: &str) -> Option<&str> {
    let rest = referer.split_once("://").map_or(referer, |(_, r)| r);
    let path = &rest[rest.find('/')?..];
    (path.starts_with('/') && !path.starts_with("//")).then_some(path)
}

/// Unknown pages: 404 in the frame.
pub async fn no_such_page(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> PageError {
    PageError(AppError::not_found("没有这个页面", "there is no such page"), language_of(&uri, &headers))
}

pub type PageResult<T> = Result<T, PageError>;
