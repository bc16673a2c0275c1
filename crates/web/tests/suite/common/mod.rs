//! What every web test starts from: a server over a fresh database (`Client::demo_sqlite`, `Client::bare`),
//! the one client that calls it in process (JSON with a bearer token, forms with a session cookie, raw
//! bodies and headers), logged-in users of any role, and small helpers the subjects share.
//!
//! A test that should hold on both databases is an `async fn name(api: Client)` listed in
//! [`tests_on_each_db!`]: it runs once on SQLite and, with `JIQUN_TEST_POSTGRES` set, once more on
//! PostgreSQL, each time over a fresh database with the demo data.
#![allow(dead_code)] // each test file uses its own part

use std::future::{Future, IntoFuture};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use jiqun_app::users::UserInput;
use jiqun_app::{App, Preset};
use serde_json::{Value, json};
use sqlx::Connection;
use tower::ServiceExt;

/// The password of every demo account (`owner`, `kjt`, `swt`, `shenzhen`, `viewer`, `security`, …).
pub const DEMO_PASSWORD: &str = "Demo@2025";
/// The password of the bootstrap account `admin`.
pub const ADMIN_PASSWORD: &str = "Admin@12345";
/// The password of the users made by [`Client::user`].
pub const ROLE_PASSWORD: &str = "Role-12345";

/// The router of one server over its own database, and the application behind it.
#[derive(Clone)]
pub struct Client {
    pub router: axum::Router,
    pub app: Arc<App>,
    /// The database URL, for messages: which backend a failure happened on.
    pub db: String,
    /// The key file the database was sealed with, where the test knows it (a second server needs it).
    pub keys: Option<PathBuf>,
}

/// Runs `test` once on SQLite and, with `JIQUN_TEST_POSTGRES`, once on PostgreSQL, each time with a new
/// server over a fresh database with the demo data set.
pub async fn on_each_db<F, Fut>(test: F)
where
    F: Fn(Client) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut clients = vec![Client::demo_sqlite().await];
    clients.extend(Client::demo_postgres().await);
    for client in clients {
        println!("on {}", client.db); // shown when the test fails: which database it failed on
        test(client).await;
    }
}

/// Makes tests of async functions `name(api: Client)`: each runs once on SQLite and, with
/// `JIQUN_TEST_POSTGRES`, once on PostgreSQL, over a fresh demo database (see [`on_each_db`]). They are
/// listed as `<module>::on_each_db::<name>`; a function left out of the list is unused, which the build
/// refuses.
macro_rules! tests_on_each_db {
    ($($name:ident),* $(,)?) => {
        mod on_each_db {
            $(
                #[tokio::test]
                async fn $name() {
                    $crate::common::on_each_db(super::$name).await;
                }
            )*
        }
    };
}
pub(crate) use tests_on_each_db;

/// A database with the bootstrap `admin` and the demo data set, made once per test process and backend, and
/// the key file it was sealed and audited with. Each test works on a copy of it: loading the demo data
/// takes seconds, copying it a fraction of that.
struct Seed {
    url: String,
    keys: PathBuf,
}

static SQLITE_SEED: OnceLock<Seed> = OnceLock::new();
static POSTGRES_SEED: OnceLock<Option<Seed>> = OnceLock::new();

impl Seed {
    /// Seeds a new database (PostgreSQL or SQLite) in a thread of its own with its own runtime, so that
    /// when it returns no connection to the seed is left: a PostgreSQL template must have none, and an
    /// SQLite file is then whole without its journal.
    fn make(postgres: bool) -> Option<Seed> {
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let seed = rt.block_on(async {
                let url = match postgres {
                    true => jiqun_store::testing::postgres_url().await?,
                    false => jiqun_store::testing::sqlite_url(),
                };
                let name = url.rsplit_once('/').unwrap().1;
                let keys = std::env::temp_dir().join("jiqun-tests").join(format!("{name}.keys"));
                let app = App::open_keyed(&url, &keys).await.unwrap_or_else(|e| panic!("{url}: {e}"));
                app.bootstrap(Preset::Demo, Some(ADMIN_PASSWORD.into())).await.unwrap();
                jiqun_app::demo::load(&app).await.unwrap();
                let pool = app.store_for_tests().pool();
                if url.starts_with("sqlite://") {
                    // Everything into the file itself, which is all that is copied.
                    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await.unwrap();
                }
                pool.close().await;
                Some(Seed { url, keys })
            });
            drop(rt);
            seed
        })
        .join()
        .unwrap()
    }
}

/// Asserts that a page holds every one of `needles`; `what` names the page in the message.
pub fn assert_shows(page: &str, what: &str, needles: &[&str]) {
    for needle in needles {
        assert!(page.contains(needle), "{what} shows {needle}");
    }
}

impl Client {
    /// A demo server (the bootstrap `admin` with [`ADMIN_PASSWORD`], the demo data set) on a fresh SQLite
    /// database.
    pub async fn demo_sqlite() -> Client {
        let seed = SQLITE_SEED.get_or_init(|| Seed::make(false).expect("an SQLite seed"));
        let url = jiqun_store::testing::sqlite_url();
        std::fs::copy(sqlite_path(&seed.url), sqlite_path(&url)).unwrap();
        Client::keyed(&url, &seed.keys).await
    }

    /// The same on a fresh PostgreSQL database, when `JIQUN_TEST_POSTGRES` names a server.
    pub async fn demo_postgres() -> Option<Client> {
        let seed = POSTGRES_SEED.get_or_init(|| Seed::make(true));
        let seed = seed.as_ref()?;
        let (base, template) = seed.url.rsplit_once('/').unwrap();
        // The seed's name is unique to this process; its copies are numbered.
        static COPIES: AtomicU64 = AtomicU64::new(0);
        let name = format!("{template}_{}", COPIES.fetch_add(1, Ordering::Relaxed));
        let server = std::env::var("JIQUN_TEST_POSTGRES").unwrap();
        let mut conn = sqlx::postgres::PgConnection::connect(&server).await.unwrap();
        // The seed's last connection may still be closing on the server: then the copy waits for it.
        for attempt in 0.. {
            let copy = format!("CREATE DATABASE {name} TEMPLATE {template}");
            match sqlx::query(sqlx::AssertSqlSafe(copy)).execute(&mut conn).await {
                Ok(_) => break,
                Err(e) if attempt < 50 && e.to_string().contains("being accessed by other users") => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("copy {template}: {e}"),
            }
        }
        Some(Client::keyed(&format!("{base}/{name}"), &seed.keys).await)
    }

    async fn keyed(db: &str, keys: &Path) -> Client {
        let app = App::open_keyed(db, keys).await.unwrap_or_else(|e| panic!("{db}: {e}"));
        Client { keys: Some(keys.to_path_buf()), ..Client::over(app, db) }
    }

    /// A second server on the same database and keys, with its own application, caches and connections
    /// (as another process would have).
    pub async fn second_server(&self) -> Client {
        let keys = self.keys.as_deref().expect("a demo database's keys");
        Client::keyed(&self.db, keys).await
    }

    /// A new database at `db` with only the bootstrap `admin`, under the given security policy preset.
    pub async fn bare(db: &str, preset: Preset, admin_password: &str) -> Client {
        let app = App::open(db).await.unwrap_or_else(|e| panic!("{db}: {e}"));
        app.bootstrap(preset, Some(admin_password.into())).await.unwrap();
        Client::over(app, db)
    }

    /// A server over an application that is already open (a second server on the same database).
    pub fn over(app: App, db: &str) -> Client {
        let app = Arc::new(app);
        Client { router: jiqun_web::router(app.clone()), app, db: db.to_string(), keys: None }
    }

    /// A request to build: add a token, a session, headers and a body, then `.await` it.
    pub fn request(&self, method: &str, uri: &str) -> Call<'_> {
        Call { client: self, method: method.to_string(), uri: uri.to_string(), headers: Vec::new(), body: Vec::new() }
    }

    pub fn get(&self, uri: &str) -> Call<'_> {
        self.request("GET", uri)
    }

    pub fn post(&self, uri: &str) -> Call<'_> {
        self.request("POST", uri)
    }

    /// JSON in (`Value::Null` for no body), JSON out, with a bearer token (`""` for none).
    pub async fn call(&self, method: &str, uri: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let call = self.request(method, uri).token(token);
        let a = if body.is_null() { call.await } else { call.json(&body).await };
        (a.status, a.json())
    }

    /// A raw body in (sent as JSON, whatever it is), JSON out, with a bearer token (`""` for none).
    pub async fn raw(&self, method: &str, uri: &str, token: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let a = self.request(method, uri).token(token).body("application/json", body).await;
        (a.status, a.json())
    }

    /// Registers a firm (or re-registers it: the same USCC updates it) through the API.
    pub async fn register(&self, token: &str, firm: Value) -> (StatusCode, Value) {
        self.call("POST", "/api/v1/enterprises", token, firm).await
    }

    /// Logs in through the API and returns the bearer token.
    pub async fn login(&self, user: &str, password: &str) -> String {
        let (s, v) =
            self.call("POST", "/api/v1/auth/login", "", json!({ "username": user, "password": password })).await;
        assert_eq!(s, StatusCode::OK, "{user}: {v}");
        v["token"].as_str().unwrap().to_string()
    }

    /// Logs a demo account in through the API ([`DEMO_PASSWORD`]).
    pub async fn demo_login(&self, user: &str) -> String {
        self.login(user, DEMO_PASSWORD).await
    }

    /// Creates a user of one role ([`ROLE_PASSWORD`]) and logs it in through the API.
    pub async fn user(&self, username: &str, role: &str, city: Option<&str>, uscc: Option<&str>) -> String {
        let input = UserInput {
            username: username.into(),
            display_name: String::new(),
            password: ROLE_PASSWORD.into(),
            roles: vec![role.into()],
            agency: None,
            city: city.map(String::from),
            uscc: uscc.map(String::from),
        };
        self.app.create_user(None, &input, "").await.unwrap();
        self.login(username, ROLE_PASSWORD).await
    }

    /// Logs in through the login form, as a browser does, and reads the CSRF token from the page the login
    /// leads to (the dashboard, or the account page for a session that must change something first).
    pub async fn browser(&self, user: &str, password: &str) -> Browser {
        let a = self.post("/login").form(&[("username", user), ("password", password)]).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "login {user}: {}", a.body);
        let cookie = a.session_cookie().unwrap_or_else(|| panic!("login {user}: a session cookie"));
        let mut b = Browser { cookie, csrf: String::new() };
        let page = self.page(a.location(), &b).await;
        b.csrf = csrf_meta(&page);
        assert_eq!(b.csrf.len(), 32, "a CSRF token");
        b
    }

    /// A form posted by a logged-in browser (the CSRF token is one of the pairs, or missing on purpose).
    pub async fn submit(&self, uri: &str, user: &Browser, pairs: &[(&str, &str)]) -> Answer {
        self.post(uri).browser(user).form(pairs).await
    }

    /// A form posted by a logged-in browser with its CSRF token, which must be taken: 303, to the page it
    /// names.
    pub async fn post_ok(&self, uri: &str, user: &Browser, pairs: &[(&str, &str)]) -> Answer {
        let mut all = vec![("csrf", user.csrf.as_str())];
        all.extend_from_slice(pairs);
        let a = self.submit(uri, user, &all).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{uri}: {}", a.body);
        a
    }

    /// A page that must render: 200 and HTML, with no inline style, script or event handler (the CSP
    /// allows none).
    pub async fn page(&self, uri: &str, user: &Browser) -> String {
        let a = self.get(uri).browser(user).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}: {}", &a.body[..a.body.len().min(2000)]);
        assert!(a.body.starts_with("<!DOCTYPE html>"), "{uri} is HTML");
        assert!(!a.body.contains(" style=") && !a.body.contains("<style"), "{uri}: no inline style");
        let handler = a.body.match_indices(" on").any(|(i, _)| {
            let rest = &a.body[i + 3..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_lowercase()).collect();
            !name.is_empty() && rest[name.len()..].starts_with("=\"")
        });
        assert!(!a.body.contains("<script>") && !handler, "{uri}: no inline script or event handler");
        a.body
    }
}

/// A logged-in browser: its session cookie (`jiqun_session=…`) and the CSRF token of its pages.
#[derive(Clone)]
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

/// One request being built; `.await` sends it.
pub struct Call<'a> {
    client: &'a Client,
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl<'a> Call<'a> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// `Authorization: Bearer …`; an empty token sends none.
    pub fn token(self, token: &str) -> Self {
        if token.is_empty() { self } else { self.header("authorization", &format!("Bearer {token}")) }
    }

    /// The session cookie of a logged-in browser.
    pub fn browser(self, user: &Browser) -> Self {
        self.cookie(&user.cookie)
    }

    /// A `Cookie` header as given (`jiqun_session=…`).
    pub fn cookie(self, cookie: &str) -> Self {
        self.header("cookie", cookie)
    }

    /// The CSRF header that scripts send with a raw body.
    pub fn csrf_header(self, user: &Browser) -> Self {
        self.header("x-csrf-token", &user.csrf)
    }

    pub fn lang(self, accept_language: &str) -> Self {
        self.header("accept-language", accept_language)
    }

    pub fn body(mut self, content_type: &str, bytes: Vec<u8>) -> Self {
        self.body = bytes;
        self.header("content-type", content_type)
    }

    pub fn json(self, body: &Value) -> Self {
        self.body("application/json", body.to_string().into_bytes())
    }

    /// A form, each name and value percent-encoded.
    pub fn form(self, pairs: &[(&str, &str)]) -> Self {
        self.form_encoded(&form(pairs))
    }

    /// A form already encoded (`a=1&b=2`).
    pub fn form_encoded(self, encoded: &str) -> Self {
        self.body("application/x-www-form-urlencoded", encoded.as_bytes().to_vec())
    }

    pub async fn send(self) -> Answer {
        let mut req = axum::http::Request::builder().method(self.method.as_str()).uri(&self.uri);
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        let res = self.client.router.clone().oneshot(req.body(Body::from(self.body)).unwrap()).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 26).await.unwrap().to_vec();
        Answer { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes }
    }
}

impl<'a> IntoFuture for Call<'a> {
    type Output = Answer;
    type IntoFuture = Pin<Box<dyn Future<Output = Answer> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// What the server answered.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as text (lossy), for pages, CSV and messages.
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Answer {
    /// The body as JSON, `Value::Null` when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    /// A header's value, `""` when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn location(&self) -> &str {
        self.header(header::LOCATION.as_str())
    }

    /// The session cookie set by this answer, as a `Cookie` header sends it back (`jiqun_session=…`).
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("jiqun_session="))
            .map(|c| c.split(';').next().unwrap_or("").to_string())
    }
}

/// The file of an SQLite URL.
fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").unwrap().split('?').next().unwrap()
}

/// Percent-encodes every byte but the unreserved ones.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A form body, `name=value&…`, percent-encoded.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// The CSRF token a page carries in its `<meta name="csrf">`.
pub fn csrf_meta(page: &str) -> String {
    page.split("name=\"csrf\" content=\"").nth(1).and_then(|x| x.split('"').next()).expect("the csrf meta").to_string()
}

/// The CSRF token of a form's hidden field.
pub fn csrf_field(page: &str) -> String {
    page.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("a CSRF field").to_string()
}

/// The field an API error names first.
pub fn field(v: &Value) -> Option<&str> {
    v["error"]["details"][0]["field"].as_str()
}

/// The code of an API error.
pub fn code(v: &Value) -> Option<&str> {
    v["error"]["code"].as_str()
}

/// A valid USCC for a firm of the division (`440300` Shenzhen, `440100` Guangzhou), unique by `n`.
pub fn uscc(division: &str, n: u32) -> String {
    let mut s = format!("91{division}MA{n:07}");
    s.truncate(17);
    let c = jiqun_domain::uscc::check_character(s.as_bytes()).unwrap();
    s.push(c as char);
    s
}

/// The USCC with a wrong check character.
pub fn miscoded(uscc: &str) -> String {
    let mut bad = uscc.to_string();
    bad.pop();
    bad.push(if uscc.ends_with('0') { '1' } else { '0' });
    bad
}

/// Decodes the base-32 secret of a TOTP enrolment.
pub fn base32_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => continue,
        };
        buf = (buf << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            out.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    out
}

/// Seconds since the epoch, for TOTP codes.
pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// The audit trail holds each of `actions`, every action written is one of
/// `jiqun_domain::audit::AuditAction` (so it has a label in both languages and the "what changed" feed never
/// shows a raw event name such as `project.assess`), and the chain holds.
pub async fn audit_holds(app: &App, actions: &[&str]) {
    let rows = app.store_for_tests().audit_range(0, i64::MAX, 1_000_000).await.unwrap();
    assert!(!rows.is_empty());
    for action in actions {
        assert!(rows.iter().any(|r| r.action == *action), "{action} audited");
    }
    for r in &rows {
        assert!(
            jiqun_domain::audit::AuditAction::parse(&r.action).is_some(),
            "`{}` is written without a label",
            r.action
        );
    }
    assert!(matches!(app.store_for_tests().verify_audit().await.unwrap(), jiqun_store::AuditCheck::Intact { .. }));
}
