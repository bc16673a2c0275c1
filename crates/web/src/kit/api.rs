//! What the JSON handlers share: the start of every write (CSRF, permission, body, in that order), the
//! contract's JSON parsing, a plan by id, answers from bytes already serialised, and `api_record!`, which
//! declares a response type that copies a record's fields.

use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use jiqun_app::snapshot::PlanView;
use jiqun_app::{Action, AppError};
use serde_json::Value;

use crate::ctx::{AppState, Ctx};
use crate::error::ApiResult;

/// A plan of the current snapshot by id, or 404.
pub async fn plan_view(app: &AppState, id: i64) -> Result<std::sync::Arc<PlanView>, AppError> {
    let snap = app.snapshot().await?;
    snap.plan(id).cloned().ok_or_else(|| AppError::not_found(format!("计划 {id} 不存在"), format!("no plan {id}")))
}

/// The start of every JSON write: the CSRF token (for cookie sessions), the permission, then the body, in
/// that order (permission before validation).
pub fn write_request<'c, T: serde::de::DeserializeOwned>(
    ctx: &'c Ctx,
    action: Action,
    body: &[u8],
) -> ApiResult<(&'c jiqun_app::Session, T)> {
    let s = ctx.api_writer_for(&action)?;
    Ok((s, ctx.json(body)?))
}

/// The query of a document uploaded as it is: the file's name, recorded as where the data came from.
#[derive(serde::Deserialize)]
pub struct Upload {
    name: Option<String>,
}

impl Upload {
    /// The name given, else `api`.
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("api")
    }
}

/// JSON bodies are parsed by hand so that a malformed one gets the contract's error shape, in the request's
/// language (see `jiqun_app::error::parse_json`).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    jiqun_app::error::parse_json(body)
}

/// A JSON response from bytes already serialised, served without copying them.
pub fn json_bytes(body: std::sync::Arc<Vec<u8>>) -> Response {
    let mut r = axum::body::Body::from(Bytes::from_owner(ArcBytes(body))).into_response();
    r.headers_mut().insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    r
}

/// Lets a cached rendering back a response body.
pub struct ArcBytes(pub std::sync::Arc<Vec<u8>>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// A value as JSON (`null` if it cannot be).
pub fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A typed value (a city, a scale, a department) as the string the API gives.
pub fn text<T: std::fmt::Display>(v: &T) -> String {
    v.to_string()
}

pub fn opt_text<T: std::fmt::Display>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(T::to_string)
}

/// An amount in 万元, as the `…_wan` fields give it.
pub fn wan(v: &Option<jiqun_domain::units::Money>) -> Option<f64> {
    v.map(|m| m.as_wan())
}

/// Declares a response type of the API whose fields are those of a record (a store row the app returns),
/// under the same names, and `new`, which copies them: the API's types stay its own (the fields it gives,
/// described for the OpenAPI document) while the copying is written once, here. A field given as
/// `pub f: T => convert` is `convert(&record.f)`; the fields after `with` are not the record's and `new`
/// takes them in that order.
macro_rules! api_record {
    (
        $(#[$m:meta])*
        pub struct $name:ident from $record:ty {
            $($(#[$fm:meta])* pub $f:ident: $t:ty $(=> $convert:expr)?,)*
        }
        $(with { $($(#[$xm:meta])* pub $x:ident: $xt:ty,)* })?
    ) => {
        $(#[$m])*
        pub struct $name {
            $($(#[$fm])* pub $f: $t,)*
            $($($(#[$xm])* pub $x: $xt,)*)?
        }

        impl $name {
            pub fn new(record: &$record $($(, $x: $xt)*)?) -> Self {
                $name {
                    $($f: $crate::kit::api::api_record!(@copy record.$f $(, $convert)?),)*
                    $($($x,)*)?
                }
            }
        }
    };
    (@copy $v:expr) => { ::core::clone::Clone::clone(&$v) };
    (@copy $v:expr, $convert:expr) => { $convert(&$v) };
}
pub(crate) use api_record;

/// A write refused because the writer read an older version (409) answers with the record as it is now
/// (contracts §3), as `now` (the resource's GET) shows it. Only a refusal as stale reads it.
pub async fn or_current<T, V: serde::Serialize>(
    out: Result<T, AppError>,
    now: impl std::future::Future<Output = Result<V, AppError>>,
) -> Result<T, AppError> {
    match out {
        Err(mut e) if matches!(e.current.as_deref(), Some(jiqun_app::Current::Stale)) => {
            if let Some(v) = now.await.ok().and_then(|v| serde_json::to_value(v).ok()) {
                e.current = Some(Box::new(jiqun_app::Current::View(v)));
            }
            Err(e)
        }
        out => out,
    }
}
