//! Rate limiter benchmarks: pillars beside `governor` 0.10 and the
//! `ratelimit` crate 0.10 in the same run.
//!
//! * `direct`: one uncontended check, quotas high enough that every check
//!   is allowed (so each one writes its state).
//! * `two_threads`: two threads checking one shared limiter (total
//!   throughput).
//! * `keyed_100k`: checks spread over 100 000 keys in a shuffled order.
//! * `redis` (feature `redis`): GCRA checks per second against a real
//!   `redis-server`, one round trip each vs pipelined batches; skipped when
//!   no server can be reached or started.
//!
//! Every loop counts the allowed checks and asserts the count, so the work
//! cannot be optimised away.
#![allow(missing_docs)]

#[cfg(feature = "redis")]
#[path = "../dsa/tests/redis_server/mod.rs"]
mod redis_server;

use std::hint::black_box;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pillars_kit::dsa::ratelimit::{
    FixedWindow, Gcra, KeyedLimiter, Quota, SlidingWindow, TokenBucket,
};

const RATE: u32 = 1_000_000_000;

fn pillars_quota() -> Quota {
    Quota::per_second(u64::from(RATE)).expect("valid")
}

fn governor_quota() -> governor::Quota {
    governor::Quota::per_second(NonZeroU32::new(RATE).expect("non-zero"))
}

fn peer_ratelimit() -> ratelimit::Ratelimiter {
    // 1000 tokens every microsecond: never runs dry in a bench loop.
    ratelimit::Ratelimiter::builder(1000, Duration::from_micros(1))
        .max_tokens(1_000_000)
        .initial_available(1_000_000)
        .build()
        .expect("valid")
}

fn direct(c: &mut Criterion) {
    let mut g = c.benchmark_group("direct");
    g.throughput(Throughput::Elements(1));
    let gcra = Gcra::new(pillars_quota());
    let bucket = TokenBucket::new(pillars_quota());
    let window = FixedWindow::new(u64::from(u32::MAX), Duration::from_secs(3600)).expect("valid");
    let sliding = SlidingWindow::new(u64::MAX / 2, Duration::from_secs(3600)).expect("valid");
    let gov = governor::RateLimiter::direct(governor_quota());
    let peer = peer_ratelimit();
    let (mut allowed, mut ran) = (0_u64, false);
    g.bench_function("pillars_gcra", |b| {
        ran = true;
        b.iter(|| allowed += u64::from(black_box(&gcra).check().is_allowed()));
    });
    g.bench_function("pillars_token_bucket", |b| {
        ran = true;
        b.iter(|| allowed += u64::from(black_box(&bucket).check().is_allowed()));
    });
    g.bench_function("pillars_fixed_window", |b| {
        ran = true;
        b.iter(|| allowed += u64::from(black_box(&window).check().is_allowed()));
    });
    g.bench_function("pillars_sliding_window", |b| {
        ran = true;
        b.iter(|| allowed += u64::from(black_box(&sliding).check().is_allowed()));
    });
    g.bench_function("governor", |b| {
        ran = true;
        b.iter(|| allowed += u64::from(black_box(&gov).check().is_ok()));
    });
    g.bench_function("ratelimit_crate", |b| {
        ran = true;
        b.iter(|| allowed += u64::from(black_box(&peer).try_wait().is_ok()));
    });
    assert!(!ran || allowed > 0, "every check was denied");
    g.finish();
}

/// Runs `iters` checks split over two threads; returns the wall time and
/// asserts that something was allowed.
fn two(iters: u64, check: &(dyn Fn() -> bool + Sync)) -> Duration {
    let start = Instant::now();
    let allowed: u64 = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|_| s.spawn(|| (0..iters / 2).map(|_| u64::from(check())).sum::<u64>()))
            .collect();
        hs.into_iter().map(|h| h.join().expect("no panic")).sum()
    });
    let t = start.elapsed();
    assert!(allowed > 0 || iters < 2);
    t
}

fn two_threads(c: &mut Criterion) {
    let mut g = c.benchmark_group("two_threads");
    g.throughput(Throughput::Elements(1));
    let gcra = Gcra::new(pillars_quota());
    let bucket = TokenBucket::new(pillars_quota());
    let gov = governor::RateLimiter::direct(governor_quota());
    let peer = peer_ratelimit();
    g.bench_function("pillars_gcra", |b| {
        b.iter_custom(|iters| two(iters, &|| gcra.check().is_allowed()));
    });
    g.bench_function("pillars_token_bucket", |b| {
        b.iter_custom(|iters| two(iters, &|| bucket.check().is_allowed()));
    });
    g.bench_function("governor", |b| {
        b.iter_custom(|iters| two(iters, &|| gov.check().is_ok()));
    });
    g.bench_function("ratelimit_crate", |b| {
        b.iter_custom(|iters| two(iters, &|| peer.try_wait().is_ok()));
    });
    g.finish();
}

fn keyed(c: &mut Criterion) {
    const KEYS: u64 = 100_000;
    let mut g = c.benchmark_group("keyed_100k");
    g.throughput(Throughput::Elements(1));
    // A shuffled order of the keys, so the map is touched all over.
    let mut order: Vec<u64> = (0..KEYS).collect();
    fastrand::seed(7);
    fastrand::shuffle(&mut order);
    let ours: KeyedLimiter<u64> =
        KeyedLimiter::with_max_keys(pillars_quota(), 1 << 20).expect("valid");
    let gov = governor::RateLimiter::keyed(governor_quota());
    for k in &order {
        let _ = ours.check(k);
        let _ = gov.check_key(k);
    }
    let mut i = 0_usize;
    let (mut allowed, mut ran) = (0_u64, false);
    g.bench_function("pillars", |b| {
        ran = true;
        b.iter(|| {
            i = (i + 1) % order.len();
            allowed += u64::from(ours.check(black_box(&order[i])).is_allowed());
        });
    });
    g.bench_function("governor", |b| {
        ran = true;
        b.iter(|| {
            i = (i + 1) % order.len();
            allowed += u64::from(gov.check_key(black_box(&order[i])).is_ok());
        });
    });
    assert!(!ran || allowed > 0, "every check was denied");
    assert_eq!(ours.len(), usize::try_from(KEYS).expect("fits"));
    g.finish();
}

/// Redis GCRA checks per second: one round trip per check vs pipelined
/// batches of 100. Uses `PILLARS_REDIS_URL`, else starts a private
/// `redis-server` on a free port; skips (loudly) when neither works.
#[cfg(feature = "redis")]
fn redis_group(c: &mut Criterion) {
    use pillars_kit::dsa::ratelimit::redis::RedisGcra;

    let mut keep_server = None;
    let url = if let Ok(url) = std::env::var("PILLARS_REDIS_URL") {
        url
    } else if let Some(server) = redis_server::RedisServer::start() {
        keep_server.insert(server).url.clone()
    } else {
        eprintln!("SKIPPED redis bench: no PILLARS_REDIS_URL and no redis-server on PATH");
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let q = Quota::per_second(1_000_000_000).expect("valid");
    // A generous timeout: one answer slower than the 250 ms default on a
    // loaded machine would count as a failure, not as a slow sample.
    match rt.block_on(RedisGcra::connect_with_timeout(
        &url,
        q,
        Duration::from_secs(5),
    )) {
        Ok(lim) => {
            let mut g = c.benchmark_group("redis");
            let keys: Vec<String> = (0..100).map(|i| format!("bench-{i}")).collect();
            let (mut allowed, mut ran) = (0_u64, false);
            g.throughput(Throughput::Elements(1));
            g.bench_function("pillars_one_per_round_trip", |b| {
                ran = true;
                let mut i = 0;
                b.iter(|| {
                    i = (i + 1) % keys.len();
                    allowed += u64::from(rt.block_on(lim.check(&keys[i])).is_allowed());
                });
            });
            let batch: Vec<(&str, u64)> = keys.iter().map(|k| (k.as_str(), 1)).collect();
            g.throughput(Throughput::Elements(100));
            g.bench_function("pillars_pipelined_100", |b| {
                ran = true;
                b.iter(|| {
                    let ds = rt.block_on(lim.check_many(&batch)).expect("valid n");
                    allowed += ds.iter().filter(|d| d.is_allowed()).count() as u64;
                });
            });
            assert!(!ran || allowed > 0, "every check was denied");
            assert_eq!(lim.failures(), 0);
            g.finish();
        }
        Err(e) => eprintln!("SKIPPED redis bench: cannot connect to {url}: {e}"),
    }
}

#[cfg(not(feature = "redis"))]
fn redis_group(_: &mut Criterion) {
    eprintln!("SKIPPED redis bench: build with --features redis");
}

criterion_group!(benches, direct, two_threads, keyed, redis_group);
criterion_main!(benches);
