//! How long the dashboard takes to render, in process, without HTTP: the demo data set with the plan
//! padded to N indicators, rendered from scratch and with the part that is the same for every user cached.
//! Prints a Markdown table (the best of 10 batches of 20 renders for each case, because the machine may be
//! busy). Run it in a release build: `bench/render.sh`, or
//! `cargo run --release -p jiqun-web --example dashboard_render -- 50 200`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiqun_app::{App, Preset};
use jiqun_domain::Lang;
use jiqun_web::resources::indicators::dashboard::{render, render_cached};

fn best(f: &dyn Fn() -> usize) -> Duration {
    (0..10)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..20 {
                std::hint::black_box(f());
            }
            t.elapsed() / 20
        })
        .min()
        .unwrap_or_default()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![12, 50, 200] } else { sizes };
    let url = jiqun_store::testing::sqlite_url();
    let app = App::open(&url).await.expect("a database");
    app.bootstrap(Preset::Demo, Some("Bench@12345".into())).await.expect("bootstrap");
    jiqun_app::demo::load(&app).await.expect("the demo data");
    let ok = app.login("owner", jiqun_app::demo::DEMO_PASSWORD, "cookie", "").await.expect("login");
    let session = app.session(&ok.token).await.expect("session").expect("a live session");
    let snap = app.snapshot().await.expect("snapshot");
    let current = snap.current_plan().expect("the demo plan");
    let changes = app.changes_since(0, 20).await.expect("changes");
    println!(
        "Dashboard render — {}, {} cores, {} build",
        std::env::consts::ARCH,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    println!();
    println!("| indicators | language | from scratch µs | plan part cached µs | HTML KiB |");
    println!("|---:|---|---:|---:|---:|");
    for n in sizes {
        let mut plan = (**current).clone();
        let base = plan.indicators.clone();
        while plan.indicators.len() < n {
            let mut iv = base[plan.indicators.len() % base.len()].clone();
            iv.row.id += 1000 + plan.indicators.len() as i64;
            plan.indicators.push(iv);
        }
        let arc = Arc::new(plan.clone());
        for lang in [Lang::Zh, Lang::En] {
            let size = render(&snap, &plan, &session, &changes, 0, lang).into_string().len();
            let fresh = best(&|| render(&snap, &plan, &session, &changes, 0, lang).into_string().len());
            let cached = best(&|| render_cached(&snap, &arc, &session, &changes, 0, lang).into_string().len());
            println!(
                "| {} | {} | {:.1} | {:.1} | {:.0} |",
                plan.indicators.len(),
                lang.pick("zh", "en"),
                fresh.as_secs_f64() * 1e6,
                cached.as_secs_f64() * 1e6,
                size as f64 / 1024.0
            );
        }
    }
    if let Some(path) = url.strip_prefix("sqlite://") {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    }
}
