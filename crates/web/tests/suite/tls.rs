//! HTTPS with rustls: the server speaks TLS with the certificate it is given, sends HSTS, and a client
//! that does not speak TLS does not disturb it.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};

const CERT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/test-cert.pem");
/// The test CA that signed the certificate (its key was thrown away after signing).
const CA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/test-ca.pem");
const KEY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/test-key.pem");

async fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(CA).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut tls = connector.connect(ServerName::try_from("localhost").unwrap(), tcp).await.unwrap();
    tls.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = Vec::new();
    let _ = tls.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn https_with_hsts() {
    let app = jiqun_app::App::open(&jiqun_store::testing::sqlite_url()).await.unwrap();
    let config = jiqun_web::tls_config(CERT.as_ref(), KEY.as_ref()).unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(jiqun_web::serve_tls(
        Arc::new(app),
        "127.0.0.1:0".parse().unwrap(),
        config,
        Default::default(),
        move |a| {
            let _ = tx.send(a);
        },
    ));
    let addr = rx.await.unwrap();
    // Plain HTTP to the TLS port is refused without harm.
    let mut plain = tokio::net::TcpStream::connect(addr).await.unwrap();
    plain.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), plain.read_to_end(&mut buf)).await;
    assert!(!String::from_utf8_lossy(&buf).contains("200 OK"));
    let res = get(addr, "/healthz").await;
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    assert!(res.to_ascii_lowercase().contains("strict-transport-security: max-age=31536000"), "{res}");
    let res = get(addr, "/login?lang=en").await;
    assert!(res.contains("jiqun_lang=en") && res.contains("; Secure"), "cookies are Secure over TLS: {res}");
}

#[test]
fn bad_certificates_are_named() {
    let e = jiqun_web::tls_config("/nonexistent.pem".as_ref(), KEY.as_ref()).unwrap_err();
    assert!(e.contains("/nonexistent.pem"), "{e}");
    let e = jiqun_web::tls_config(KEY.as_ref(), KEY.as_ref()).unwrap_err();
    assert!(e.contains("test-key.pem"), "{e}");
}
