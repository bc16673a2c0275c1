//! How errors leave the server. Use cases return `AppError` (a stable code, an HTTP status, a message in
//! both languages). API routes turn it into `{"error": {"code", "message", "details"}}` in the request's
//! language; pages into an HTML page that says the same. Nothing else crosses the boundary: database
//! errors are already `internal` by then and their text is not shown to users.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use jiqun_app::AppError;
use jiqun_domain::Lang;
use serde_json::json;

pub struct ApiError(pub AppError, pub Lang);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ApiError(e, lang) = self;
        let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            eprintln!("jiqun: {e}");
        }
        let message = if status.is_server_error() {
            lang.pick("服务器内部错误", "internal server error").to_string()
        } else {
            e.message(lang).to_string()
        };
        (status, Json(json!({ "error": { "code": e.code, "message": message, "details": e.details(lang) } })))
            .into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Attaches the request's language to a use case's error.
pub trait WithLang<T> {
    fn lang(self, lang: Lang) -> ApiResult<T>;
}

impl<T> WithLang<T> for Result<T, AppError> {
    fn lang(self, lang: Lang) -> ApiResult<T> {
        self.map_err(|e| ApiError(e, lang))
    }
}

pub struct PageError(pub AppError, pub Lang);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let PageError(e, lang) = self;
        let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status == StatusCode::UNAUTHORIZED {
            return axum::response::Redirect::to("/login").into_response();
        }
        if matches!(e.code, "password_change_required" | "totp_enrollment_required") {
            return axum::response::Redirect::to("/account").into_response();
        }
        if status.is_server_error() {
            eprintln!("jiqun: {e}");
        }
        let message = if status.is_server_error() {
            lang.pick("服务器内部错误", "internal server error").to_string()
        } else {
            e.message(lang).to_string()
        };
        let page = crate::pages::layout::bare(
            lang,
            lang.pick("出错了", "Error"),
            maud::html! {
                main.narrow {
                    h1 { (lang.pick("出错了", "Something went wrong")) }
                    p.error role="alert" { (message) }
                    @for d in e.details(lang) { p { code { (d.field) } "：" (d.message) } }
                    p { a href="/" { (lang.pick("返回首页", "Back to the dashboard")) } }
                }
            },
        );
        (status, Html(page.into_string())).into_response()
    }
}

pub type PageResult<T> = Result<T, PageError>;

pub trait PageLang<T> {
    fn page(self, lang: Lang) -> PageResult<T>;
}

impl<T> PageLang<T> for Result<T, AppError> {
    fn page(self, lang: Lang) -> PageResult<T> {
        self.map_err(|e| PageError(e, lang))
    }
}
