//! Hit ratios and memory per entry of `pillars_kit::dsa::lru` beside its peers.
//!
//! ```sh
//! cargo run --release --example lru_report
//! ```
//!
//! Traces (fixed seeds): Zipf(s = 0.99) over 1M keys, and the same Zipf trace
//! with a one-off scan of `2 × capacity` never-repeated keys after every 50k
//! requests; then S3-FIFO and `quick_cache` again on four other seeds. Each
//! request is a get; a miss inserts the key. Memory is the live heap (a
//! counting global allocator) of a cache of `u64 → u64` entries divided by the
//! entry count, just filled and after eight times as many distinct keys went
//! through it (hash tables that erase and insert grow as deleted markers pile
//! up, so the second figure is the steady state).

use std::alloc::{GlobalAlloc, Layout, System};
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicIsize, Ordering};

use pillars_kit::dsa::lru::{ConcurrentLru, LruCache, Policy};
use rand::{SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, Zipf};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size().cast_signed(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size().cast_signed(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size.cast_signed() - layout.size().cast_signed(),
            Ordering::Relaxed,
        );
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const KEYS: u64 = 1_000_000;

fn zipf_trace(n: usize, seed: u64) -> Vec<u64> {
    let mut rng = StdRng::seed_from_u64(seed);
    #[allow(clippy::cast_precision_loss)]
    let zipf = Zipf::new(KEYS as f64, 0.99).expect("valid zipf");
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    (0..n)
        .map(|_| pillars_kit::dsa::hash::mix64(zipf.sample(&mut rng) as u64))
        .collect()
}

fn scan_trace(n: usize, cap: usize, seed: u64) -> Vec<u64> {
    let z = zipf_trace(n, seed);
    let mut out = Vec::with_capacity(n * 2);
    let mut next_scan = u64::MAX / 2;
    for chunk in z.chunks(50_000) {
        out.extend_from_slice(chunk);
        for _ in 0..2 * cap {
            out.push(next_scan);
            next_scan += 1;
        }
    }
    out
}

#[allow(clippy::cast_precision_loss)]
fn ratio(trace: &[u64], mut access: impl FnMut(u64) -> bool) -> f64 {
    // Warm up on the first half, measure on the second.
    let half = trace.len() / 2;
    for &k in &trace[..half] {
        access(k);
    }
    let hits = trace[half..].iter().filter(|&&k| access(k)).count();
    hits as f64 / (trace.len() - half) as f64
}

fn hit_ratios(name: &str, trace: &[u64], cap: usize) {
    let ncap = NonZeroUsize::new(cap).expect("cap > 0");
    let mut row = vec![format!("{name} cap {cap}")];
    for policy in [Policy::Lru, Policy::Sieve, Policy::S3Fifo] {
        let mut c = LruCache::new(ncap).with_policy(policy);
        row.push(format!("{:.4}", ratio(trace, |k| get_or_put(&mut c, k))));
    }
    let mut c = lru::LruCache::new(ncap);
    row.push(format!(
        "{:.4}",
        ratio(trace, |k| hit_or_insert(c.get(&k).is_some(), || {
            c.put(k, k);
        }))
    ));
    row.push(format!("{:.4}", quick_cache_ratio(trace, cap)));
    for policy in [Policy::Sieve, Policy::S3Fifo] {
        let c = ConcurrentLru::<u64, u64>::builder(cap as u64)
            .policy(policy)
            .build()
            .expect("cap > 0");
        row.push(format!(
            "{:.4}",
            ratio(trace, |k| hit_or_insert(c.get(&k).is_some(), || {
                let _ = c.insert(k, k);
            }))
        ));
    }
    println!("| {} |", row.join(" | "));
}

/// One request of the traces: `hit`, else `insert` runs (a miss inserts).
fn hit_or_insert(hit: bool, insert: impl FnOnce()) -> bool {
    if !hit {
        insert();
    }
    hit
}

/// A get, then a put on a miss: whether it hit.
fn get_or_put(c: &mut LruCache<u64, u64>, k: u64) -> bool {
    hit_or_insert(c.get(&k).is_some(), || {
        c.put(k, k);
    })
}

/// `quick_cache`'s (unsync) hit ratio on `trace` at `cap` entries.
fn quick_cache_ratio(trace: &[u64], cap: usize) -> f64 {
    let mut q = quick_cache::unsync::Cache::<u64, u64>::new(cap);
    ratio(trace, |k| {
        hit_or_insert(q.get(&k).is_some(), || q.insert(k, k))
    })
}

fn s3fifo_vs_quick(seed: u64, name: &str, trace: &[u64], cap: usize) {
    let ncap = NonZeroUsize::new(cap).expect("cap > 0");
    let mut c = LruCache::new(ncap).with_policy(Policy::S3Fifo);
    let ours = ratio(trace, |k| get_or_put(&mut c, k));
    let theirs = quick_cache_ratio(trace, cap);
    println!(
        "| {seed} | {name} | {cap} | {ours:.4} | {theirs:.4} | {:+.2} |",
        100.0 * (ours - theirs)
    );
}

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// Live heap bytes per entry of a cache of `n` entries, as
/// "just filled / after churn": built by `fill(keys)` with `keys` distinct
/// keys put, first `n`, then `CHURN × n` (every put past `n` evicts, so the
/// table has met its steady state of erases and inserts).
#[allow(clippy::cast_precision_loss)]
fn per_entry(n: usize, fill: impl Fn(u64) -> Box<dyn std::any::Any>) -> String {
    let bytes = |keys: u64| {
        let before = live();
        let keep = fill(keys);
        let bytes = live() - before;
        drop(keep);
        bytes as f64 / n as f64
    };
    format!("{:.1} / {:.1}", bytes(n as u64), bytes(CHURN * n as u64))
}

/// Distinct keys put per entry for the "after churn" memory figure.
const CHURN: u64 = 8;

fn main() {
    println!("## Hit ratio (second half of each trace; a miss inserts)\n");
    println!(
        "| trace | pillars LRU | pillars SIEVE | pillars S3-FIFO | lru | quick_cache | pillars ConcurrentLru SIEVE (sharded) | pillars ConcurrentLru S3-FIFO (sharded) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let z = zipf_trace(2_000_000, 0x5eed);
    for cap in [10_000, 100_000] {
        hit_ratios("zipf 0.99", &z, cap);
    }
    for cap in [10_000, 100_000] {
        let s = scan_trace(2_000_000, cap, 7);
        hit_ratios("zipf + scans", &s, cap);
    }

    println!("\n## S3-FIFO beside quick_cache on other trace seeds (points = 100 x ratio)\n");
    println!(
        "| seed | trace | capacity | pillars S3-FIFO | quick_cache | S3-FIFO - quick_cache (points) |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for seed in [1_u64, 2, 3, 4] {
        let z = zipf_trace(2_000_000, seed);
        for cap in [10_000, 100_000] {
            s3fifo_vs_quick(seed, "zipf 0.99", &z, cap);
            let s = scan_trace(2_000_000, cap, seed + 100);
            s3fifo_vs_quick(seed, "zipf + scans", &s, cap);
        }
    }

    println!("\n## Heap bytes per entry (u64 -> u64): just filled / after {CHURN}x churn\n");
    println!(
        "| entries | pillars LruCache | pillars S3-FIFO (ghosts full) | lru::LruCache | schnellru | quick_cache unsync | pillars ConcurrentLru |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for n in [10_000_usize, 100_000, 1_000_000] {
        let ncap = NonZeroUsize::new(n).expect("n > 0");
        let ours = per_entry(n, |keys| {
            let mut c = LruCache::new(ncap);
            for i in 0..keys {
                c.put(i, i);
            }
            Box::new(c)
        });
        // At least twice as many keys as entries: every ghost slot is written.
        let s3 = per_entry(n, |keys| {
            let mut c = LruCache::new(ncap).with_policy(Policy::S3Fifo);
            for i in 0..keys.max(2 * n as u64) {
                c.put(i, i);
            }
            Box::new(c)
        });
        let theirs = per_entry(n, |keys| {
            let mut c = lru::LruCache::new(ncap);
            for i in 0..keys {
                c.put(i, i);
            }
            Box::new(c)
        });
        let schnell = per_entry(n, |keys| {
            #[allow(clippy::cast_possible_truncation)]
            let mut c = schnellru::LruMap::<u64, u64>::new(schnellru::ByLength::new(n as u32));
            for i in 0..keys {
                c.insert(i, i);
            }
            Box::new(c)
        });
        let quick = per_entry(n, |keys| {
            let mut c = quick_cache::unsync::Cache::<u64, u64>::new(n);
            for i in 0..keys {
                c.insert(i, i);
            }
            Box::new(c)
        });
        let conc = per_entry(n, |keys| {
            let c = ConcurrentLru::<u64, u64>::new(n).expect("n > 0");
            for i in 0..keys {
                let _ = c.insert(i, i);
            }
            Box::new(c)
        });
        println!("| {n} | {ours} | {s3} | {theirs} | {schnell} | {quick} | {conc} |");
    }
}
