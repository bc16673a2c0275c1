//! Jiqun's web server: the JSON API under `/api/v1` and the server-rendered UI, Chinese first with an
//! English switch. Both sit on the same use cases (`jiqun_app`), so the API and the UI cannot disagree about
//! who may do what.
//!
//! The code behind a URL is in `resources/<resource>/`: its `mod.rs` lists the resource's URLs and holds its
//! route tables, `api.rs` its JSON handlers, `pages.rs` its pages (`resources/mod.rs` maps URLs to
//! resources). `routes` gathers the tables and builds the routers, `openapi` generates the API's document
//! from them, and `kit` holds what the handlers share.

pub mod ctx;
pub mod error;
pub mod extract;
pub mod kit;
pub mod openapi;
pub mod proxies;
pub mod resources;
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

/// `Strict-Transport-Security` on every response when the server speaks HTTPS.
async fn hsts(req: axum::extract::Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    res.headers_mut()
        .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    // Session cookies travel over TLS only.
    let cookies: Vec<HeaderValue> = res.headers().get_all(header::SET_COOKIE).iter().cloned().collect();
    if !cookies.is_empty() {
        res.headers_mut().remove(header::SET_COOKIE);
        for c in cookies {
            let secured = c.to_str().map(|s| format!("{s}; Secure")).ok().and_then(|s| HeaderValue::from_str(&s).ok());
            res.headers_mut().append(header::SET_COOKIE, secured.unwrap_or(c));
        }
    }
    res
}

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .merge(routes::api_router())
        .nest("/api/v1", Router::new().fallback(resources::system::api::not_found))
        .merge(routes::page_router())
        .fallback(error::no_such_page)
        .layer(middleware::from_fn_with_state(app.clone(), error::error_pages))
        .layer(middleware::from_fn(security_headers))
        // Plan documents and attachments are larger than axum's 2 MB default.
        .layer(axum::extract::DefaultBodyLimit::max(16 << 20))
        .with_state(app)
}

async fn shutdown_signal() {
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
}

/// The router as served behind these proxies (whose `X-Forwarded-For` names the client; `Ctx::ip`).
pub fn behind(router: Router, proxies: proxies::TrustedProxies) -> Router {
    router.layer(axum::Extension(Arc::new(proxies)))
}

/// Serves plain HTTP until Ctrl-C or SIGTERM.
pub async fn serve(
    app: Arc<App>,
    addr: SocketAddr,
    proxies: proxies::TrustedProxies,
    on_ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    on_ready(listener.local_addr()?);
    axum::serve(listener, behind(router(app), proxies).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
}

/// Reads a PEM certificate chain and private key into a TLS server configuration.
pub fn tls_config(cert: &std::path::Path, key: &std::path::Path) -> Result<tokio_rustls::rustls::ServerConfig, String> {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("{}: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    let provider = std::sync::Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| e.to_string())
}

/// Serves HTTPS (rustls) until Ctrl-C or SIGTERM, with HSTS and secure cookies.
pub async fn serve_tls(
    app: Arc<App>,
    addr: SocketAddr,
    config: tokio_rustls::rustls::ServerConfig,
    proxies: proxies::TrustedProxies,
    on_ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    on_ready(listener.local_addr()?);
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let app_router = behind(router(app), proxies).layer(middleware::from_fn(hsts));
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(_) => continue,
            },
            _ = &mut shutdown => return Ok(()),
        };
        let acceptor = acceptor.clone();
        let svc = tower::ServiceExt::map_request(
            app_router.clone(),
            move |mut req: axum::extract::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                req
            },
        );
        tokio::spawn(async move {
            // A failed handshake (a plain-HTTP client, a scanner) ends that connection only.
            let Ok(tls) = acceptor.accept(tcp).await else { return };
            let io = hyper_util::rt::TokioIo::new(tls);
            let service = hyper_util::service::TowerToHyperService::new(svc);
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).with_upgrades().await;
        });
    }
}
