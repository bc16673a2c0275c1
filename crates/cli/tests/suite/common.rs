//! What the subjects share: the `jiqun` binary run in a given locale, and its standard error as text.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// The `jiqun` binary with `LANG` set to `lang` and nothing that would override it.
pub fn bin_in(lang: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jiqun"));
    c.env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", lang);
    c
}

/// Runs `jiqun args…` in the locale `lang`.
pub fn jiqun(args: &[&str], lang: &str) -> Output {
    bin_in(lang).args(args).output().expect("runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A minimal HTTP/1.1 exchange: returns (status, body).
pub fn http(addr: &str, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).ok();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let status = raw.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    // Chunked bodies: good enough to search in for these tests.
    (status, body)
}

pub struct Server {
    child: Child,
    pub addr: String,
    pub output: String,
}

impl Server {
    pub fn start(cmd: &str, db: &str, env: &[(&str, &str)]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let addr = format!("127.0.0.1:{port}");
        let mut c = bin_in("en_US.UTF-8");
        c.args([cmd, "--db", db, "--addr", &addr]).stdout(Stdio::piped()).stderr(Stdio::inherit());
        for (k, v) in env {
            c.env(k, v);
        }
        let mut child = c.spawn().expect("server starts");
        let stdout = child.stdout.take().unwrap();
        let mut output = String::new();
        // Up to the line that says the server is ready, or the end of its output (it exited).
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            output.push_str(&line);
            output.push('\n');
            if line.contains("Ctrl-C") {
                break;
            }
        }
        Server { child, addr, output }
    }
}

impl Server {
    /// `kill -9`: the process ends at once, in whatever it was doing.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn login(addr: &str, user: &str, password: &str) -> (u16, String) {
    let (s, body) =
        http(addr, "POST", "/api/v1/auth/login", None, &format!(r#"{{"username":"{user}","password":"{password}"}}"#));
    let token = body.split("\"token\":\"").nth(1).and_then(|t| t.split('"').next()).unwrap_or("").to_string();
    (s, token)
}
