//! `Path`, `Query` and `Form` as the handlers use them, with axum's English rejections ("Invalid URL:
//! Cannot parse `abc` to a `i64`", "Failed to deserialize form body: …") replaced by the error catalogue:
//! `invalid_parameter` for the address, `invalid` for a form, `unsupported_media_type` and `too_large`
//! for the body, said in the request's language, as JSON under `/api/` and as an error page elsewhere.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use jiqun_app::error::field_error;
use jiqun_app::{AppError, Code};
use jiqun_domain::Lang;
use serde::de::DeserializeOwned;

use crate::ctx::language_of;
use crate::error::{ApiError, PageError};

/// A refused extraction: the error, the language, and whether the request is an API call.
pub struct Rejected {
    pub error: AppError,
    pub lang: Lang,
    pub api: bool,
}

impl Rejected {
    fn new(error: AppError, uri: &Uri, headers: &HeaderMap) -> Rejected {
        Rejected { error, lang: language_of(uri, headers), api: uri.path().starts_with("/api/") }
    }
}

impl IntoResponse for Rejected {
    fn into_response(self) -> Response {
        if self.api {
            ApiError(self.error, self.lang).into_response()
        } else {
            PageError(self.error, self.lang).into_response()
        }
    }
}

/// Path parameters.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = Rejected;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(r) => {
                let error = match r {
                    PathRejection::FailedToDeserializePathParams(e) => match e.into_kind() {
                        ErrorKind::ParseErrorAtKey { value, expected_type, .. }
                        | ErrorKind::ParseErrorAtIndex { value, expected_type, .. }
                        | ErrorKind::ParseError { value, expected_type } => {
                            let (zh, en) = jiqun_app::error::expected_kind(expected_type);
                            AppError::new(
                                Code::InvalidParameter,
                                format!("网址中的“{value}”不是{zh}"),
                                format!("“{value}” in the address is not {en}"),
                            )
                        }
                        other => AppError::of(Code::InvalidParameter).caused_by(other),
                    },
                    other => AppError::internal(other.body_text()),
                };
                Err(Rejected::new(error, &parts.uri, &parts.headers))
            }
        }
    }
}

/// The query string.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Rejected;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        query(parts.uri.query().unwrap_or("")).map(Query).map_err(|e| Rejected::new(e, &parts.uri, &parts.headers))
    }
}

/// A query string read by the handler itself, after the permission check, where `Query` would answer 400
/// before it (permission before validation).
pub fn query<T: DeserializeOwned>(q: &str) -> Result<T, AppError> {
    urlencoded(q.as_bytes(), Code::InvalidParameter)
}

/// A form posted as `application/x-www-form-urlencoded`.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = Rejected;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (uri, headers) = (req.uri().clone(), req.headers().clone());
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(Rejected::new(AppError::of(Code::UnsupportedMediaType), &uri, &headers));
        }
        let body = Bytes::from_request(req, state).await.map_err(|r| {
            let code = if r.status() == StatusCode::PAYLOAD_TOO_LARGE { Code::TooLarge } else { Code::Invalid };
            Rejected::new(AppError::of(code).caused_by(r.body_text()), &uri, &headers)
        })?;
        urlencoded(&body, Code::Invalid).map(Form).map_err(|e| Rejected::new(e, &uri, &headers))
    }
}

/// Deserializes `a=1&b=2`, naming the field that does not fit.
fn urlencoded<T: DeserializeOwned>(bytes: &[u8], code: Code) -> Result<T, AppError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(bytes));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        field_error(code, &path, &e.inner().to_string())
    })
}
