//! `pillars_kit::dsa::lru` (LRU, SIEVE, S3-FIFO) beside `lru`, `schnellru`,
//! `quick_cache`, `moka` and `mini-moka` on a Zipf (s = 0.99) trace over 1M
//! keys.
//!
//! * `lru_get_or_insert/{cap}`: single thread, get-or-insert per key
//!   (`quick_cache` through its `unsync::Cache`).
//! * `lru_get_put/{cap}`: single thread, 90 % get / 10 % put.
//! * `lru_concurrent_{n}t/{cap}`: `n` threads (2, or `PILLARS_BENCH_THREADS`),
//!   get then insert on a miss.
//!
//! Every loop folds the values it reads into a checksum that is checked, so
//! the work cannot be optimised away. Hit ratios and bytes per entry are
//! printed by `cargo run --release --example lru_report`.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use pillars_kit::dsa::lru::{ConcurrentLru, LruCache, Policy};
use rand::{Rng, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, Zipf};

const KEYS: u64 = 1_000_000;
const TRACE: usize = 1 << 20;
const CHUNK: usize = 4096;

/// A fixed-seed Zipf(0.99) trace of keys, scrambled so hot keys are not
/// small integers; the top bit of each `u64` marks a put for the mix bench.
fn trace() -> Vec<u64> {
    trace_of(TRACE)
}

/// The first `len` keys of the trace (the same keys as [`trace`] for its
/// length).
fn trace_of(len: usize) -> Vec<u64> {
    let mut rng = StdRng::seed_from_u64(0x5eed);
    #[allow(clippy::cast_precision_loss)]
    let zipf = Zipf::new(KEYS as f64, 0.99).expect("valid zipf");
    (0..len)
        .map(|_| {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let k = zipf.sample(&mut rng) as u64;
            let k = pillars_kit::dsa::hash::mix64(k) >> 1;
            if rng.random_ratio(1, 10) {
                k | 1 << 63
            } else {
                k
            }
        })
        .collect()
}

const PUT: u64 = 1 << 63;

fn single_thread(c: &mut Criterion) {
    let tr = trace();
    for cap in [10_000_usize, 100_000] {
        let ncap = NonZeroUsize::new(cap).expect("cap > 0");
        let mut g = c.benchmark_group(format!("lru_get_or_insert/{cap}"));
        g.throughput(Throughput::Elements(CHUNK as u64));
        g.sample_size(20);

        macro_rules! run {
            ($name:expr, $cache:expr, |$c:ident, $k:ident| $op:expr) => {{
                let mut $c = $cache;
                let mut pos = 0_usize;
                for &k in &tr {
                    let $k = k & !PUT;
                    let _ = $op;
                }
                g.bench_function(BenchmarkId::from_parameter($name), |b| {
                    b.iter(|| {
                        let mut sum = 0_u64;
                        for _ in 0..CHUNK {
                            let $k = tr[pos] & !PUT;
                            pos = (pos + 1) & (TRACE - 1);
                            sum = sum.wrapping_add($op);
                        }
                        assert_ne!(sum, 0);
                        sum
                    });
                });
            }};
        }
        run!("pillars_lru", LruCache::new(ncap), |c, k| *c
            .get_or_insert_with(k, || k)
            .expect("unit weight"));
        run!(
            "pillars_lru_foldhash",
            LruCache::with_hasher(ncap, foldhash::fast::FixedState::with_seed(1)),
            |c, k| *c.get_or_insert_with(k, || k).expect("unit weight")
        );
        run!(
            "pillars_sieve",
            LruCache::new(ncap).with_policy(Policy::Sieve),
            |c, k| *c.get_or_insert_with(k, || k).expect("unit weight")
        );
        run!(
            "pillars_s3fifo",
            LruCache::new(ncap).with_policy(Policy::S3Fifo),
            |c, k| *c.get_or_insert_with(k, || k).expect("unit weight")
        );
        run!("lru", lru::LruCache::new(ncap), |c, k| *c
            .get_or_insert(k, || k));
        run!(
            "quick_cache",
            quick_cache::unsync::Cache::<u64, u64>::new(cap),
            |c, k| c
                .get_or_insert_with(&k, || Ok::<_, ()>(k))
                .ok()
                .flatten()
                .map_or(k, |v| *v)
        );
        #[allow(clippy::cast_possible_truncation)]
        let by_len = schnellru::ByLength::new(cap as u32);
        run!(
            "schnellru",
            schnellru::LruMap::<u64, u64>::new(by_len),
            |c, k| *c.get_or_insert(k, || k).expect("fits")
        );
        g.finish();

        let mut g = c.benchmark_group(format!("lru_get_put/{cap}"));
        g.throughput(Throughput::Elements(CHUNK as u64));
        g.sample_size(20);
        macro_rules! mix {
            ($name:expr, $cache:expr, |$c:ident, $k:ident| get: $get:expr, put: $put:expr) => {{
                let mut $c = $cache;
                for &k in &tr {
                    let $k = k & !PUT;
                    $put;
                }
                let mut pos = 0_usize;
                g.bench_function(BenchmarkId::from_parameter($name), |b| {
                    b.iter(|| {
                        let mut sum = 1_u64;
                        for _ in 0..CHUNK {
                            let raw = tr[pos];
                            pos = (pos + 1) & (TRACE - 1);
                            let $k = raw & !PUT;
                            if raw & PUT == 0 {
                                sum = sum.wrapping_add($get.unwrap_or(1));
                            } else {
                                $put;
                            }
                        }
                        assert_ne!(sum, 0);
                        sum
                    });
                });
            }};
        }
        mix!("pillars_lru", LruCache::new(ncap), |c, k| get: c.get(&k).copied(), put: c.put(k, k));
        mix!("pillars_sieve", LruCache::new(ncap).with_policy(Policy::Sieve), |c, k| get: c.get(&k).copied(), put: c.put(k, k));
        mix!("pillars_s3fifo", LruCache::new(ncap).with_policy(Policy::S3Fifo), |c, k| get: c.get(&k).copied(), put: c.put(k, k));
        mix!("lru", lru::LruCache::new(ncap), |c, k| get: c.get(&k).copied(), put: c.put(k, k));
        mix!("quick_cache", quick_cache::unsync::Cache::<u64, u64>::new(cap), |c, k| get: c.get(&k).copied(), put: c.insert(k, k));
        run_schnell_mix(&mut g, &tr, cap);
        g.finish();
    }
}

fn run_schnell_mix(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    tr: &[u64],
    cap: usize,
) {
    #[allow(clippy::cast_possible_truncation)]
    let mut c = schnellru::LruMap::<u64, u64>::new(schnellru::ByLength::new(cap as u32));
    for &k in tr {
        c.insert(k & !PUT, k & !PUT);
    }
    let mut pos = 0_usize;
    g.bench_function(BenchmarkId::from_parameter("schnellru"), |b| {
        b.iter(|| {
            let mut sum = 1_u64;
            for _ in 0..CHUNK {
                let raw = tr[pos];
                pos = (pos + 1) & (TRACE - 1);
                let k = raw & !PUT;
                if raw & PUT == 0 {
                    sum = sum.wrapping_add(c.get(&k).map_or(1, |v| *v));
                } else {
                    c.insert(k, k);
                }
            }
            assert_ne!(sum, 0);
            sum
        });
    });
}

/// A cache two threads can share: get, and insert on a miss.
trait Shared: Sync {
    fn get_or_put(&self, k: u64) -> u64;
}

impl Shared for ConcurrentLru<u64, u64> {
    #[inline]
    fn get_or_put(&self, k: u64) -> u64 {
        if let Some(v) = self.get(&k) {
            v
        } else {
            let _ = self.insert(k, k);
            k
        }
    }
}

impl Shared for quick_cache::sync::Cache<u64, u64> {
    #[inline]
    fn get_or_put(&self, k: u64) -> u64 {
        if let Some(v) = self.get(&k) {
            v
        } else {
            self.insert(k, k);
            k
        }
    }
}

impl Shared for moka::sync::Cache<u64, u64> {
    #[inline]
    fn get_or_put(&self, k: u64) -> u64 {
        if let Some(v) = self.get(&k) {
            v
        } else {
            self.insert(k, k);
            k
        }
    }
}

impl Shared for mini_moka::sync::Cache<u64, u64> {
    #[inline]
    fn get_or_put(&self, k: u64) -> u64 {
        if let Some(v) = self.get(&k) {
            v
        } else {
            self.insert(k, k);
            k
        }
    }
}

impl Shared for Mutex<lru::LruCache<u64, u64>> {
    #[inline]
    fn get_or_put(&self, k: u64) -> u64 {
        let mut g = self.lock().expect("not poisoned");
        *g.get_or_insert(k, || k)
    }
}

const PER_THREAD: usize = 1 << 16;

/// A `quick_cache` with as many shards as a default `ConcurrentLru` of `cap`.
fn quick_cache_sharded(cap: usize) -> quick_cache::sync::Cache<u64, u64> {
    let shards = ConcurrentLru::<u64, u64>::new(cap)
        .expect("cap > 0")
        .shard_count();
    let options = quick_cache::OptionsBuilder::new()
        .estimated_items_capacity(cap)
        .weight_capacity(cap as u64)
        .shards(shards)
        .build()
        .expect("valid options");
    quick_cache::sync::Cache::with_options(
        options,
        quick_cache::UnitWeighter,
        quick_cache::DefaultHashBuilder::default(),
        quick_cache::sync::DefaultLifecycle::default(),
    )
}

/// Threads of the concurrent group: `PILLARS_BENCH_THREADS`, else 2.
fn bench_threads() -> usize {
    std::env::var("PILLARS_BENCH_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n >= 1)
        .unwrap_or(2)
}

fn concurrent(c: &mut Criterion) {
    let threads = bench_threads();
    // Half of it warms the caches; the other half gives each of 4 rounds
    // fresh keys for every thread.
    let len = TRACE.max(8 * threads * PER_THREAD);
    let tr = trace_of(len);
    let rounds = len / 2 / (threads * PER_THREAD);
    for cap in [10_000_usize, 100_000] {
        let mut g = c.benchmark_group(format!("lru_concurrent_{threads}t/{cap}"));
        g.throughput(Throughput::Elements((threads * PER_THREAD) as u64));
        g.sample_size(10);
        let ncap = NonZeroUsize::new(cap).expect("cap > 0");
        let contenders: Vec<(&str, Box<dyn Shared>)> = vec![
            (
                "pillars_lru",
                Box::new(ConcurrentLru::<u64, u64>::new(cap).expect("cap > 0")),
            ),
            (
                "pillars_sieve",
                Box::new(
                    ConcurrentLru::<u64, u64>::builder(cap as u64)
                        .policy(Policy::Sieve)
                        .build()
                        .expect("cap > 0"),
                ),
            ),
            (
                "pillars_s3fifo",
                Box::new(
                    ConcurrentLru::<u64, u64>::builder(cap as u64)
                        .policy(Policy::S3Fifo)
                        .build()
                        .expect("cap > 0"),
                ),
            ),
            (
                "quick_cache",
                Box::new(quick_cache::sync::Cache::<u64, u64>::new(cap)),
            ),
            // The same shard count as ours: quick_cache's default is 4 per CPU,
            // ours 32, and both gain from more shards under a Zipf load.
            ("quick_cache_our_shards", Box::new(quick_cache_sharded(cap))),
            (
                "moka",
                Box::new(moka::sync::Cache::<u64, u64>::new(cap as u64)),
            ),
            (
                "mini_moka",
                Box::new(mini_moka::sync::Cache::<u64, u64>::new(cap as u64)),
            ),
            (
                "mutex_lru",
                Box::new(Mutex::new(lru::LruCache::<u64, u64>::new(ncap))),
            ),
        ];
        for (name, cache) in contenders {
            for &k in &tr[..len / 2] {
                cache.get_or_put(k & !PUT);
            }
            let mut round = 0_usize;
            g.bench_function(BenchmarkId::from_parameter(name), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        round = (round + 1) % rounds;
                        let start = Instant::now();
                        let sums: Vec<u64> = std::thread::scope(|s| {
                            let hs: Vec<_> = (0..threads)
                                .map(|t| {
                                    let cache = &*cache;
                                    let base = len / 2 + (round * threads + t) * PER_THREAD;
                                    let slice = &tr[base..base + PER_THREAD];
                                    s.spawn(move || {
                                        slice.iter().fold(0_u64, |a, &k| {
                                            a.wrapping_add(cache.get_or_put(k & !PUT))
                                        })
                                    })
                                })
                                .collect();
                            hs.into_iter()
                                .map(|h| h.join().expect("no panic"))
                                .collect()
                        });
                        total += start.elapsed();
                        assert!(sums.iter().all(|&s| s != 0));
                    }
                    total
                });
            });
        }
        g.finish();
    }
}

criterion_group!(benches, single_thread, concurrent);
criterion_main!(benches);
