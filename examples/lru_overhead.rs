//! Single-thread cost of the concurrent wrappers (get, insert on a miss),
//! beside `quick_cache` and a `Mutex<lru::LruCache>`: the `lru_overhead`
//! figures of `benches/RESULTS.md`. `cargo run --release --example lru_overhead`.
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::Instant;

use pillars_kit::dsa::lru::{ConcurrentLru, LruCache, Policy};
use rand::{SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, Zipf};

fn main() {
    let mut rng = StdRng::seed_from_u64(1);
    let zipf = Zipf::new(1e6, 0.99).expect("zipf");
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let tr: Vec<u64> = (0..2_000_000)
        .map(|_| pillars_kit::dsa::hash::mix64(zipf.sample(&mut rng) as u64))
        .collect();
    let cap = 10_000;
    let time = |name: &str, f: &mut dyn FnMut(u64) -> u64| {
        for &k in &tr[..1_000_000] {
            f(k);
        }
        let t = Instant::now();
        let mut s = 0_u64;
        for &k in &tr[1_000_000..] {
            s = s.wrapping_add(f(k));
        }
        println!(
            "{name}: {:.1} ns/op ({s})",
            t.elapsed().as_nanos() as f64 / 1e6
        );
    };
    let mut a = LruCache::new(NonZeroUsize::new(cap).expect("cap"));
    time("LruCache get/put", &mut |k| {
        if let Some(v) = a.get(&k) {
            *v
        } else {
            a.put(k, k);
            k
        }
    });
    let b = ConcurrentLru::<u64, u64>::builder(cap as u64)
        .shards(8)
        .build()
        .expect("cap");
    time("ConcurrentLru LRU", &mut |k| {
        if let Some(v) = b.get(&k) {
            v
        } else {
            let _ = b.insert(k, k);
            k
        }
    });
    let b2 = ConcurrentLru::<u64, u64>::builder(cap as u64)
        .shards(8)
        .policy(Policy::Sieve)
        .build()
        .expect("cap");
    time("ConcurrentLru SIEVE", &mut |k| {
        if let Some(v) = b2.get(&k) {
            v
        } else {
            let _ = b2.insert(k, k);
            k
        }
    });
    let c = Mutex::new(lru::LruCache::<u64, u64>::new(
        NonZeroUsize::new(cap).expect("cap"),
    ));
    time("Mutex<lru>", &mut |k| {
        *c.lock().expect("lock").get_or_insert(k, || k)
    });
    let d = quick_cache::sync::Cache::<u64, u64>::new(cap);
    time("quick_cache", &mut |k| {
        if let Some(v) = d.get(&k) {
            v
        } else {
            d.insert(k, k);
            k
        }
    });
}
