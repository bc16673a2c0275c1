use jiqun_eval::permu::{Scheme, csv};
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let runs: usize = std::env::args().nth(2).map(|s| s.parse().unwrap()).unwrap_or(3);
    let mut best = [f64::MAX; 3];
    for _ in 0..runs {
        let t0 = Instant::now();
        let mut f = std::fs::File::open(&path).unwrap();
        let ds = csv::read_from(&mut f).unwrap();
        let t1 = Instant::now();
        let ev = ds.evaluate(&Scheme::default()).unwrap();
        let t2 = Instant::now();
        let mut out = std::fs::File::create("/tmp/pm/phases.csv").unwrap();
        csv::write(&ds, &ev, &mut out).unwrap();
        let t3 = Instant::now();
        let d = [(t1 - t0).as_secs_f64(), (t2 - t1).as_secs_f64(), (t3 - t2).as_secs_f64()];
        for k in 0..3 {
            best[k] = best[k].min(d[k]);
        }
        eprintln!("read {:.3} eval {:.3} write {:.3}", d[0], d[1], d[2]);
    }
    eprintln!("best read {:.3} eval {:.3} write {:.3}", best[0], best[1], best[2]);
}
