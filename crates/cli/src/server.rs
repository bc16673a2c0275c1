//! `jiqun demo` and `jiqun serve`: open (and on first use fill) the database, then serve the web UI and API.

use std::net::SocketAddr;
use std::sync::Arc;

use jiqun_app::{App, AppError, Code, Preset};
use jiqun_domain::Lang;

use crate::{Refusal, refuse};

pub fn block_on<F: std::future::Future<Output = Result<(), Refusal>>>(f: F) -> Result<(), Refusal> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| AppError::new(Code::Internal, "无法启动运行时", "cannot start the runtime").caused_by(e))?;
    rt.block_on(f)
}

pub async fn open(db: &str) -> Result<App, Refusal> {
    let keys = jiqun_app::key_file_path(db, std::env::var("JIQUN_KEY_FILE").ok())?;
    App::open_keyed(db, &keys).await.map_err(|mut e| {
        e.zh = format!("无法打开数据库 {db}：{}", e.message(Lang::Zh));
        e.en = format!("cannot open the database {db}: {}", e.message(Lang::En));
        Refusal(e)
    })
}

/// HTTPS: both files, or neither (plain HTTP, e.g. behind a TLS or SM-TLS gateway).
#[derive(clap::Args, Debug, Default)]
pub struct TlsArgs {
    /// A PEM certificate chain: serve HTTPS (with HSTS) instead of HTTP.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The PEM private key of the certificate.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
}

pub fn run(db: &str, addr: &str, demo: bool, tls: TlsArgs, lang: Lang) -> Result<(), Refusal> {
    let addr: SocketAddr = addr.parse().map_err(|_| {
        refuse(Code::InvalidArgument, |l| match l {
            Lang::Zh => format!("地址“{addr}”无效，应形如 127.0.0.1:8080"),
            Lang::En => format!("“{addr}” is not an address such as 127.0.0.1:8080"),
        })
    })?;
    let tls_config = match (&tls.tls_cert, &tls.tls_key) {
        (Some(c), Some(k)) => Some(jiqun_web::tls_config(c, k).map_err(|e| {
            AppError::new(Code::KeyFile, "无法读取证书或私钥", "cannot read the certificate or its key").caused_by(e)
        })?),
        _ => None,
    };
    // Behind nginx the peer is nginx: the proxies whose X-Forwarded-For names the client.
    let var = jiqun_web::proxies::TRUSTED_PROXIES_VAR;
    let proxies =
        jiqun_web::proxies::TrustedProxies::parse(&std::env::var(var).unwrap_or_default()).map_err(|bad| {
            refuse(Code::InvalidArgument, |l| match l {
                Lang::Zh => format!("环境变量 {var} 中的“{bad}”不是地址或网段，应形如 127.0.0.1 或 10.0.0.0/8"),
                Lang::En => format!("“{bad}” in {var} is not an address or network such as 127.0.0.1 or 10.0.0.0/8"),
            })
        })?;
    let scheme = if tls_config.is_some() { "https" } else { "http" };
    let db = db.to_string();
    block_on(async move {
        let app = open(&db).await?;
        let fresh = app.is_new_database().await?;
        let preset = if demo { Preset::Demo } else { Preset::Production };
        let boot = app.bootstrap(preset, std::env::var("JIQUN_BOOTSTRAP_PASSWORD").ok()).await?;
        let mut accounts = Vec::new();
        if demo && fresh {
            println!(
                "{}",
                lang.pick(
                    "正在载入内置计划和示例数据（合成）……",
                    "loading the built-in plan and the synthetic demo data…"
                )
            );
            accounts = jiqun_app::demo::load(&app).await?.accounts;
        }
        let app = Arc::new(app);
        // Jobs that a server sharing this database left unfinished when it died are taken over here.
        tokio::spawn(jiqun_app::jobs::job_runner(app.clone()));
        let on_ready = move |bound: SocketAddr| {
            println!();
            println!("{} {scheme}://{bound}/", lang.pick("集群已启动：", "Jiqun is running at"));
            if boot.created_admin {
                match &boot.generated_password {
                    Some(p) => println!(
                        "{} admin / {p}",
                        lang.pick("管理员账户（仅显示这一次）：", "administrator account (shown only this once):")
                    ),
                    None => println!(
                        "{}",
                        lang.pick(
                            "管理员账户 admin，密码取自 JIQUN_BOOTSTRAP_PASSWORD。",
                            "administrator account admin, password from JIQUN_BOOTSTRAP_PASSWORD."
                        )
                    ),
                }
            }
            if !accounts.is_empty() {
                println!(
                    "{}",
                    lang.pick("示例账户（密码均为 ", "demo accounts (password ").to_string()
                        + jiqun_app::demo::DEMO_PASSWORD
                        + lang.pick("）：", "):")
                );
                for (u, role) in &accounts {
                    println!("  {u:<10} {}", jiqun_app::auth::role_label(role, lang));
                }
            } else if demo {
                println!(
                    "{}",
                    lang.pick("数据库已存在，沿用其中的账户。", "the database exists; its accounts are unchanged.")
                );
            }
            println!("{}", lang.pick("按 Ctrl-C 停止。", "Press Ctrl-C to stop."));
        };
        let served = match tls_config {
            Some(config) => jiqun_web::serve_tls(app, addr, config, proxies, on_ready).await,
            None => jiqun_web::serve(app, addr, proxies, on_ready).await,
        };
        served.map_err(|e| {
            let (zh, en) = match e.kind() {
                std::io::ErrorKind::AddrInUse => ("地址已被占用", "the address is in use"),
                std::io::ErrorKind::AddrNotAvailable => ("本机没有这个地址", "this machine has no such address"),
                std::io::ErrorKind::PermissionDenied => ("没有权限使用这个端口", "no permission to use this port"),
                _ => ("网络错误", "network error"),
            };
            Refusal(
                AppError::new(
                    Code::InvalidArgument,
                    format!("无法在 {addr} 上提供服务：{zh}"),
                    format!("cannot serve on {addr}: {en}"),
                )
                .caused_by(e),
            )
        })
    })
}
