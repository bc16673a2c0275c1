//! The stylesheet and the script every page loads (`crates/web/assets/`), compiled into the binary and served
//! at `/assets/app.css` and `/assets/app.js` (the routes are in `resources::system`).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

pub const CSS: &str = include_str!("../../assets/app.css");
pub const JS: &str = include_str!("../../assets/app.js");

pub fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    r
}
