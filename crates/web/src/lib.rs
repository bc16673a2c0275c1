//! Jiqun's web server: the JSON API under `/api/v1` (routes and OpenAPI in `routes`), and the
//! server-rendered UI (`pages`), Chinese first with an English switch. Both sit on the same use cases
//! (`jiqun_app`), so the API and the UI cannot disagree about who may do what.

pub mod api;
pub mod ctx;
pub mod error;
pub mod pages;
pub mod routes;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use jiqun_app::App;

pub use ctx::AppState;

/// Security headers on every response: no framing, no sniffing, a strict CSP without inline scripts.
async fn security_headers(req: axum::extract::Request, next: Next) -> Response {
    // `?lang=en` or `?lang=zh` on any page also remembers the choice.
    let lang = req
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang=")).map(jiqun_domain::Lang::from_locale));
    let mut res = next.run(req).await;
    if let Some(l) = lang {
        let v = if l == jiqun_domain::Lang::En {
            "jiqun_lang=en; Path=/; SameSite=Lax; Max-Age=31536000"
        } else {
            "jiqun_lang=zh; Path=/; SameSite=Lax; Max-Age=31536000"
        };
        res.headers_mut().append(header::SET_COOKIE, HeaderValue::from_static(v));
    }
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    );
    res
}

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .merge(routes::api_router())
        .nest("/api/v1", Router::new().fallback(api::not_found))
        .merge(pages::router())
        .layer(middleware::from_fn(security_headers))
        // Plan documents and attachments are larger than axum's 2 MB default.
        .layer(axum::extract::DefaultBodyLimit::max(16 << 20))
        .with_state(app)
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(app: Arc<App>, addr: SocketAddr, on_ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    on_ready(listener.local_addr()?);
    axum::serve(listener, router(app).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let ctrl_c = tokio::signal::ctrl_c();
            #[cfg(unix)]
            {
                let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(s) => s,
                    Err(_) => return,
                };
                tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
            }
            #[cfg(not(unix))]
            let _ = ctrl_c.await;
        })
        .await
}
