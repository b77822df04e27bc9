//! Min-of-rounds ns per check of the local limiters beside governor, run
//! interleaved round by round in one process so that each sees the same
//! noise (the figures of `benches/RESULTS.md`, ratelimit section, where a
//! loaded machine makes criterion swing more than the gaps measured).
//! `cargo run --release --example ratelimit_minbench` (set `TWO=1` for two
//! threads on one limiter).
use std::hint::black_box;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use pillars_kit::dsa::ratelimit::{FixedWindow, Gcra, Quota, SlidingWindow, TokenBucket};

const N: u32 = 20_000;

fn round(f: &(dyn Fn() -> bool + Sync)) -> f64 {
    if std::env::var("TWO").is_ok() {
        let t = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    let mut a = 0u32;
                    for _ in 0..N * 5 {
                        a += u32::from(f());
                    }
                    assert!(a > 0);
                });
            }
        });
        return t.elapsed().as_nanos() as f64 / f64::from(N * 10);
    }
    let t = Instant::now();
    let mut a = 0u32;
    for _ in 0..N {
        a += u32::from(f());
    }
    assert!(a > 0);
    t.elapsed().as_nanos() as f64 / f64::from(N)
}

fn main() {
    let q = Quota::per_second(1_000_000_000).unwrap();
    let gcra = Gcra::new(q);
    let tb = TokenBucket::new(q);
    let fw = FixedWindow::new(u64::from(u32::MAX), Duration::from_secs(3600)).unwrap();
    let sw = SlidingWindow::new(u64::MAX / 2, Duration::from_secs(3600)).unwrap();
    let gov = governor::RateLimiter::direct(governor::Quota::per_second(
        NonZeroU32::new(1_000_000_000).unwrap(),
    ));
    let names = [
        "gcra",
        "token_bucket",
        "fixed_window",
        "sliding_window",
        "governor",
    ];
    let fs: [&(dyn Fn() -> bool + Sync); 5] = [
        &|| black_box(&gcra).check().is_allowed(),
        &|| black_box(&tb).check().is_allowed(),
        &|| black_box(&fw).check().is_allowed(),
        &|| black_box(&sw).check().is_allowed(),
        &|| black_box(&gov).check().is_ok(),
    ];
    let rounds: usize = std::env::args().nth(1).map_or(300, |s| s.parse().unwrap());
    let mut best = [f64::MAX; 5];
    let mut all: Vec<Vec<f64>> = vec![Vec::new(); 5];
    for _ in 0..rounds {
        for (i, f) in fs.iter().enumerate() {
            let t = round(*f);
            best[i] = best[i].min(t);
            all[i].push(t);
        }
    }
    for v in &mut all {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    }
    for i in 0..5 {
        let p10 = all[i][all[i].len() / 10];
        let med = all[i][all[i].len() / 2];
        println!(
            "{:15} min {:6.2} p10 {:6.2} med {:6.2}  ratio(min) {:.2} ratio(p10) {:.2}",
            names[i],
            best[i],
            p10,
            med,
            best[i] / best[4],
            p10 / all[4][all[4].len() / 10]
        );
    }
}
