//! Membership filters at 1M keys and 1% false-positive rate: insert, lookup of
//! present keys and lookup of absent keys, pillars beside `fastbloom`,
//! `bloomfilter`, `growable-bloom-filter`, `sbbf-rs-safe` (split block) and
//! `xorf` (BinaryFuse8/16, Xor8); binary fuse construction beside xorf's.
//! Before the timings it prints, for every filter, the false-positive rate
//! measured on 1M absent keys and the bits per key.
//!
//! Every lookup includes hashing the `u64` key (xorf and sbbf take a hash, so
//! they are given the same XXH3 hash pillars computes).
//!
//! Run: `cargo bench --bench bloom` (reports in `target/criterion/report/`).

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use pillars_kit::dsa::bloom::{
    AtomicBloomFilter, BinaryFuse8, BinaryFuse16, BloomFilter, CountingBloomFilter,
    ScalableBloomFilter, SplitBlockBloomFilter,
};
use pillars_kit::dsa::hash::{DEFAULT_SEED, hash64};
use xorf::Filter as _;

const N: usize = 1_000_000;
const FPR: f64 = 0.01;

fn h(k: u64) -> u64 {
    hash64(&k.to_le_bytes(), DEFAULT_SEED)
}

/// Present keys: 0..N scrambled; absent keys: a disjoint range.
fn present() -> Vec<u64> {
    (0..N as u64)
        .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .collect()
}

fn absent() -> Vec<u64> {
    (0..N as u64)
        .map(|i| (i + (1 << 40)).wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .collect()
}

struct Filters {
    bloom: BloomFilter,
    atomic: AtomicBloomFilter,
    split: SplitBlockBloomFilter,
    counting: CountingBloomFilter,
    scalable: ScalableBloomFilter,
    fuse8: BinaryFuse8,
    fuse16: BinaryFuse16,
    fast: fastbloom::BloomFilter,
    classic: bloomfilter::Bloom<u64>,
    growable: growable_bloom_filter::GrowableBloom,
    sbbf: sbbf_rs_safe::Filter,
    xfuse8: xorf::BinaryFuse8,
    xfuse16: xorf::BinaryFuse16,
    xor8: xorf::Xor8,
}

fn build(keys: &[u64]) -> Filters {
    let n = keys.len() as u64;
    let mut f = Filters {
        bloom: BloomFilter::with_rate(n, FPR).expect("valid"),
        atomic: AtomicBloomFilter::with_rate(n, FPR).expect("valid"),
        split: SplitBlockBloomFilter::with_rate(n, FPR).expect("valid"),
        counting: CountingBloomFilter::with_rate(n, FPR).expect("valid"),
        scalable: ScalableBloomFilter::new(n, FPR).expect("valid"),
        fuse8: BinaryFuse8::from_keys(keys.iter()).expect("builds"),
        fuse16: BinaryFuse16::from_keys(keys.iter()).expect("builds"),
        fast: fastbloom::BloomFilter::with_false_pos(FPR).expected_items(keys.len()),
        classic: bloomfilter::Bloom::new_for_fp_rate(keys.len(), FPR).expect("valid"),
        growable: growable_bloom_filter::GrowableBloom::new(FPR, keys.len()),
        // sbbf-rs takes bits per key; 10.5 bits gives 1% for a split-block filter.
        sbbf: sbbf_rs_safe::Filter::new(11, keys.len()),
        xfuse8: xorf::BinaryFuse8::try_from(keys.iter().map(|&k| h(k)).collect::<Vec<_>>())
            .expect("builds"),
        xfuse16: xorf::BinaryFuse16::try_from(
            keys.iter().map(|&k| h(k)).collect::<Vec<_>>().as_slice(),
        )
        .expect("builds"),
        xor8: xorf::Xor8::from(keys.iter().map(|&k| h(k)).collect::<Vec<_>>().as_slice()),
    };
    for k in keys {
        f.bloom.insert(k);
        f.atomic.insert(k);
        f.split.insert(k);
        let _ = f.counting.insert(k);
        f.scalable.insert(k);
        f.fast.insert(k);
        f.classic.set(k);
        f.growable.insert(k);
        f.sbbf.insert_hash(h(*k));
    }
    f
}

fn print_quality(f: &Filters, absent: &[u64]) {
    let n = N as f64;
    let rate = |hit: &dyn Fn(u64) -> bool| {
        absent.iter().filter(|&&k| hit(k)).count() as f64 / absent.len() as f64
    };
    println!(
        "bloom quality at {N} keys, target FPR {FPR}: measured FPR on {} absent keys, bits per key",
        absent.len()
    );
    let rows: Vec<(&str, f64, f64)> = vec![
        (
            "pillars BloomFilter (blocked)",
            rate(&|k| f.bloom.contains(&k)),
            f.bloom.bits() as f64 / n,
        ),
        (
            "pillars AtomicBloomFilter",
            rate(&|k| f.atomic.contains(&k)),
            f.atomic.bits() as f64 / n,
        ),
        (
            "pillars SplitBlockBloomFilter",
            rate(&|k| f.split.contains(&k)),
            f.split.size_in_bytes() as f64 * 8.0 / n,
        ),
        (
            "pillars CountingBloomFilter (4-bit)",
            rate(&|k| f.counting.contains(&k)),
            f.counting.size_in_bytes() as f64 * 8.0 / n,
        ),
        (
            "pillars ScalableBloomFilter",
            rate(&|k| f.scalable.contains(&k)),
            f.scalable.bits() as f64 / n,
        ),
        (
            "pillars BinaryFuse8",
            rate(&|k| f.fuse8.contains(&k)),
            f.fuse8.bits_per_key(),
        ),
        (
            "pillars BinaryFuse16",
            rate(&|k| f.fuse16.contains(&k)),
            f.fuse16.bits_per_key(),
        ),
        (
            "fastbloom",
            rate(&|k| f.fast.contains(&k)),
            f.fast.num_bits() as f64 / n,
        ),
        (
            "bloomfilter",
            rate(&|k| f.classic.check(&k)),
            f.classic.len() as f64 / n,
        ),
        (
            "growable-bloom-filter",
            rate(&|k| f.growable.contains(k)),
            f64::NAN,
        ),
        (
            "sbbf-rs-safe (11 bits/key)",
            rate(&|k| f.sbbf.contains_hash(h(k))),
            f.sbbf.as_bytes().len() as f64 * 8.0 / n,
        ),
        (
            "xorf BinaryFuse8",
            rate(&|k| f.xfuse8.contains(&h(k))),
            f.xfuse8.fingerprints.len() as f64 * 8.0 / n,
        ),
        (
            "xorf BinaryFuse16",
            rate(&|k| f.xfuse16.contains(&h(k))),
            f.xfuse16.fingerprints.len() as f64 * 16.0 / n,
        ),
        (
            "xorf Xor8",
            rate(&|k| f.xor8.contains(&h(k))),
            f.xor8.fingerprints.len() as f64 * 8.0 / n,
        ),
    ];
    for (name, fpr, bpk) in rows {
        println!(
            "  {name:<36} fpr {:>8.5}%   bits/key {bpk:>6.2}",
            fpr * 100.0
        );
    }
}

/// One lookup benchmark per filter over `keys` (cycled).
fn lookups(c: &mut Criterion, group: &str, f: &Filters, keys: &[u64]) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(1));
    let mut i = 0;
    let mut next = || {
        i = (i + 1) % keys.len();
        black_box(keys[i])
    };
    g.bench_function("pillars::BloomFilter", |b| {
        b.iter(|| f.bloom.contains(&next()))
    });
    g.bench_function("pillars::AtomicBloomFilter", |b| {
        b.iter(|| f.atomic.contains(&next()))
    });
    g.bench_function("pillars::SplitBlockBloomFilter", |b| {
        b.iter(|| f.split.contains(&next()))
    });
    g.bench_function("pillars::CountingBloomFilter", |b| {
        b.iter(|| f.counting.contains(&next()))
    });
    g.bench_function("pillars::ScalableBloomFilter", |b| {
        b.iter(|| f.scalable.contains(&next()))
    });
    g.bench_function("pillars::BinaryFuse8", |b| {
        b.iter(|| f.fuse8.contains(&next()))
    });
    g.bench_function("pillars::BinaryFuse16", |b| {
        b.iter(|| f.fuse16.contains(&next()))
    });
    g.bench_function("fastbloom", |b| b.iter(|| f.fast.contains(&next())));
    g.bench_function("bloomfilter", |b| b.iter(|| f.classic.check(&next())));
    g.bench_function("growable-bloom-filter", |b| {
        b.iter(|| f.growable.contains(next()))
    });
    g.bench_function("sbbf-rs-safe", |b| {
        b.iter(|| f.sbbf.contains_hash(h(next())))
    });
    g.bench_function("xorf::BinaryFuse8", |b| {
        b.iter(|| f.xfuse8.contains(&h(next())))
    });
    g.bench_function("xorf::BinaryFuse16", |b| {
        b.iter(|| f.xfuse16.contains(&h(next())))
    });
    g.bench_function("xorf::Xor8", |b| b.iter(|| f.xor8.contains(&h(next()))));
    g.finish();
}

fn inserts(c: &mut Criterion, f: &mut Filters, keys: &[u64]) {
    let mut g = c.benchmark_group("bloom/insert");
    g.throughput(Throughput::Elements(1));
    let mut i = 0;
    let mut next = || {
        i = (i + 1) % keys.len();
        black_box(keys[i])
    };
    g.bench_function("pillars::BloomFilter", |b| {
        b.iter(|| f.bloom.insert(&next()))
    });
    g.bench_function("pillars::AtomicBloomFilter", |b| {
        b.iter(|| f.atomic.insert(&next()))
    });
    g.bench_function("pillars::SplitBlockBloomFilter", |b| {
        b.iter(|| f.split.insert(&next()))
    });
    g.bench_function("pillars::ScalableBloomFilter", |b| {
        b.iter(|| f.scalable.insert(&next()))
    });
    g.bench_function("fastbloom", |b| b.iter(|| f.fast.insert(&next())));
    g.bench_function("bloomfilter", |b| b.iter(|| f.classic.set(&next())));
    g.bench_function("growable-bloom-filter", |b| {
        b.iter(|| f.growable.insert(next()))
    });
    g.bench_function("sbbf-rs-safe", |b| b.iter(|| f.sbbf.insert_hash(h(next()))));
    g.finish();
}

fn construction(c: &mut Criterion, keys: &[u64]) {
    let hashes: Vec<u64> = keys.iter().map(|&k| h(k)).collect();
    let mut g = c.benchmark_group("bloom/fuse_build_1M");
    g.sample_size(10);
    g.throughput(Throughput::Elements(keys.len() as u64));
    g.bench_function(
        BenchmarkId::new("pillars::BinaryFuse8::from_hashes", N),
        |b| {
            b.iter_batched(
                || hashes.clone(),
                |v| BinaryFuse8::from_hashes(&v),
                BatchSize::LargeInput,
            );
        },
    );
    g.bench_function(BenchmarkId::new("xorf::BinaryFuse8::try_from", N), |b| {
        b.iter_batched(
            || hashes.clone(),
            xorf::BinaryFuse8::try_from,
            BatchSize::LargeInput,
        );
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let keys = present();
    let missing = absent();
    let mut f = build(&keys);
    print_quality(&f, &missing);
    lookups(c, "bloom/contains_present", &f, &keys);
    lookups(c, "bloom/contains_absent", &f, &missing);
    inserts(c, &mut f, &keys);
    construction(c, &keys);
}

criterion_group!(filters, benches);
criterion_main!(filters);
