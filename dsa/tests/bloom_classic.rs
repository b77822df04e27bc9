//! Behaviour tests for `BloomFilter`, `AtomicBloomFilter` and
//! `ScalableBloomFilter` (no timings).

use std::collections::HashSet;
use std::sync::Arc;

use pillars_dsa::bloom::{
    AtomicBloomFilter, BloomFilter, Error, FormatError, MAX_BITS, MAX_HASHES, ScalableBloomFilter,
};
use proptest::prelude::*;

/// Keys `offset..offset + n` scrambled so they are not consecutive integers.
fn keys(offset: u64, n: u64) -> impl Iterator<Item = u64> {
    (offset..offset + n).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5555)
}

/// Sample sizes: large in release, small enough for debug builds. With
/// `absent` lookups at rate 1% the count of false positives has standard
/// deviation about sqrt(absent · 0.01): 10% of the mean is 4.5 σ in debug
/// (200k lookups) and 10 σ in release (1M), so a correct filter fails this
/// with probability well below 1e-5.
fn sizes() -> (u64, u64) {
    if cfg!(debug_assertions) {
        (20_000, 200_000)
    } else {
        (100_000, 1_000_000)
    }
}

#[allow(clippy::cast_precision_loss)]
fn measured_fpr(n_absent: u64, contains: impl Fn(u64) -> bool) -> f64 {
    // Absent keys come from a disjoint range.
    let fp = keys(1 << 40, n_absent).filter(|&k| contains(k)).count();
    fp as f64 / n_absent as f64
}

// ---------------------------------------------------------------- bad input

#[test]
fn bad_rates_are_errors() {
    for fpr in [0.0, 1.0, -0.1, 1.5, f64::NAN, f64::INFINITY, -0.0] {
        assert!(
            matches!(BloomFilter::with_rate(100, fpr), Err(Error::InvalidFpr(_))),
            "{fpr}"
        );
        assert!(matches!(
            AtomicBloomFilter::with_rate(100, fpr),
            Err(Error::InvalidFpr(_))
        ));
        assert!(matches!(
            ScalableBloomFilter::new(100, fpr),
            Err(Error::InvalidFpr(_))
        ));
    }
    assert_eq!(BloomFilter::with_rate(0, 0.01), Err(Error::ZeroItems));
    assert!(matches!(
        AtomicBloomFilter::with_rate(0, 0.01),
        Err(Error::ZeroItems)
    ));
    assert!(matches!(
        ScalableBloomFilter::new(0, 0.01),
        Err(Error::ZeroItems)
    ));
    assert_eq!(BloomFilter::with_bits(0, 3), Err(Error::ZeroBits));
    assert_eq!(BloomFilter::with_bits(512, 0), Err(Error::ZeroHashes));
    assert!(matches!(
        AtomicBloomFilter::with_bits(0, 3),
        Err(Error::ZeroBits)
    ));
    assert!(matches!(
        AtomicBloomFilter::with_bits(512, 0),
        Err(Error::ZeroHashes)
    ));
    for (g, r) in [(0, 0.5), (1, 0.5), (2, 0.0), (2, 1.0), (2, f64::NAN)] {
        assert!(
            matches!(
                ScalableBloomFilter::with_params(10, 0.01, g, r),
                Err(Error::InvalidParameter(_))
            ),
            "{g} {r}"
        );
    }
}

#[test]
fn huge_sizes_are_too_large_not_an_abort() {
    assert_eq!(BloomFilter::with_rate(u64::MAX, 0.01), Err(Error::TooLarge));
    assert_eq!(BloomFilter::with_rate(1 << 40, 1e-9), Err(Error::TooLarge));
    assert_eq!(BloomFilter::with_bits(u64::MAX, 3), Err(Error::TooLarge));
    assert_eq!(
        BloomFilter::with_bits(MAX_BITS + 1, 3),
        Err(Error::TooLarge)
    );
    assert_eq!(
        BloomFilter::with_bits(512, MAX_HASHES + 1),
        Err(Error::TooLarge)
    );
    assert!(matches!(
        AtomicBloomFilter::with_rate(u64::MAX, 0.5),
        Err(Error::TooLarge)
    ));
    assert!(matches!(
        ScalableBloomFilter::new(u64::MAX, 0.01),
        Err(Error::TooLarge)
    ));
    // Tiny rates are fine as long as the size is.
    let f = BloomFilter::with_rate(10, 1e-30).expect("small filter");
    assert_eq!(f.hashes(), MAX_HASHES.min(f.hashes()));
}

#[test]
fn with_bits_rounds_up_to_blocks() {
    let f = BloomFilter::with_bits(1, 1).expect("valid");
    assert_eq!(f.bits(), 512);
    let f = BloomFilter::with_bits(513, 64).expect("valid");
    assert_eq!((f.bits(), f.hashes()), (1024, 64));
}

// ---------------------------------------------------------------- model tests

fn filter_for(n: usize, small: bool) -> BloomFilter {
    if small {
        // Deliberately overfull: false positives galore, never false negatives.
        BloomFilter::with_bits(512, 4).expect("valid")
    } else {
        BloomFilter::with_rate(n.max(1) as u64, 0.01).expect("valid")
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn no_false_negatives(
        keys in prop::collection::vec(any::<u64>(), 0..400),
        probes in prop::collection::vec(any::<u64>(), 0..100),
        small in any::<bool>(),
    ) {
        let mut f = filter_for(keys.len(), small);
        let mut model = HashSet::new();
        for k in &keys {
            let was_new = f.insert(k);
            // A key the model has seen is always reported present already.
            if !model.insert(*k) {
                prop_assert!(!was_new);
            }
            prop_assert!(f.contains(k));
        }
        for k in keys.iter().chain(&probes) {
            if model.contains(k) {
                prop_assert!(f.contains(k));
            }
        }
        prop_assert!(f.contains_all(&keys));
        prop_assert_eq!(f.is_empty(), keys.is_empty());
        f.clear();
        prop_assert!(f.is_empty());
    }

    #[test]
    fn strings_and_bytes_agree(keys in prop::collection::vec(".{0,20}", 0..50)) {
        let mut f = BloomFilter::with_rate(64, 0.01).expect("valid");
        for k in &keys {
            f.insert(k.as_str());
        }
        for k in &keys {
            prop_assert!(f.contains(k));
            prop_assert!(f.contains(k.as_bytes()));
        }
    }

    #[test]
    fn union_and_intersect_match_the_model(
        a in prop::collection::hash_set(any::<u64>(), 0..300),
        b in prop::collection::hash_set(any::<u64>(), 0..300),
        small in any::<bool>(),
    ) {
        let mut fa = filter_for(600, small);
        let mut fb = fa.clone();
        fa.insert_all(&a);
        fb.insert_all(&b);
        let mut u = fa.clone();
        u.union(&fb).expect("compatible");
        for k in a.union(&b) {
            prop_assert!(u.contains(k));
        }
        // Union is the filter of the union of the keys, bit for bit.
        let mut both = fa.clone();
        both.clear();
        both.insert_all(a.union(&b));
        prop_assert_eq!(&u, &both);
        for k in a.iter().chain(&b).copied().chain(0..200) {
            if fa.contains(&k) || fb.contains(&k) {
                prop_assert!(u.contains(&k));
            }
        }
        let mut i = fa.clone();
        i.intersect(&fb).expect("compatible");
        for k in a.intersection(&b) {
            prop_assert!(i.contains(k));
        }
        for k in a.iter().chain(&b).copied().chain(0..200) {
            if i.contains(&k) {
                prop_assert!(fa.contains(&k) && fb.contains(&k));
            }
        }
    }

    #[test]
    fn bytes_round_trip(
        keys in prop::collection::vec(any::<u64>(), 0..300),
        probes in prop::collection::vec(any::<u64>(), 0..100),
        seed in any::<u64>(),
    ) {
        let mut f = BloomFilter::with_rate(300, 0.05).expect("valid").with_seed(seed);
        f.insert_all(&keys);
        let bytes = f.to_bytes();
        let g = BloomFilter::from_bytes(&bytes).expect("round trip");
        prop_assert_eq!(&g, &f);
        prop_assert_eq!(g.to_bytes(), bytes.clone());
        for k in keys.iter().chain(&probes) {
            prop_assert_eq!(g.contains(k), f.contains(k));
        }
        // The atomic filter reads and writes the same payload.
        let a = AtomicBloomFilter::from(f.clone());
        let ab = a.to_bytes();
        prop_assert_eq!(&ab[8..ab.len() - 8], &bytes[8..bytes.len() - 8]);
        let a2 = AtomicBloomFilter::from_bytes(&ab).expect("round trip");
        prop_assert_eq!(BloomFilter::from(a2), f);
    }

    #[test]
    fn scalable_model_and_round_trip(
        keys in prop::collection::vec(any::<u64>(), 0..600),
        probes in prop::collection::vec(any::<u64>(), 0..100),
        cap in 1_u64..50,
    ) {
        let mut f = ScalableBloomFilter::new(cap, 0.01).expect("valid");
        let mut model = HashSet::new();
        for k in &keys {
            let new = f.insert(k);
            if !model.insert(*k) {
                prop_assert!(!new);
            }
        }
        for k in &model {
            prop_assert!(f.contains(k));
        }
        prop_assert!(f.len() <= model.len() as u64);
        let bytes = f.to_bytes();
        let g = ScalableBloomFilter::from_bytes(&bytes).expect("round trip");
        prop_assert_eq!(&g, &f);
        prop_assert_eq!(g.to_bytes(), bytes);
        for k in keys.iter().chain(&probes) {
            prop_assert_eq!(g.contains(k), f.contains(k));
        }
    }
}

#[test]
fn incompatible_filters_are_refused() {
    let mut a = BloomFilter::with_bits(1024, 4).expect("valid");
    a.insert("x");
    let before = a.clone();
    for other in [
        BloomFilter::with_bits(2048, 4).expect("valid"),
        BloomFilter::with_bits(1024, 5).expect("valid"),
        BloomFilter::with_bits(1024, 4).expect("valid").with_seed(1),
    ] {
        assert_eq!(a.union(&other), Err(Error::Incompatible));
        assert_eq!(a.intersect(&other), Err(Error::Incompatible));
    }
    assert_eq!(a, before);
}

#[test]
fn estimated_len_tracks_distinct_keys() {
    let mut f = BloomFilter::with_rate(10_000, 0.01).expect("valid");
    assert_eq!(f.estimated_len(), 0);
    f.insert_all(keys(0, 8000));
    f.insert_all(keys(0, 8000)); // duplicates do not count
    let est = f.estimated_len();
    assert!((7600..8400).contains(&est), "{est}");
    let mut full = BloomFilter::with_bits(512, 8).expect("valid");
    full.insert_all(keys(0, 10_000));
    assert_eq!(full.estimated_len(), u64::MAX);
    assert!((full.expected_fpr() - 1.0).abs() < 1e-12);
}

#[test]
fn layout_is_pinned() {
    // Golden bytes: the bit layout and format are stable across releases
    // and platforms. Changing them is a breaking format change.
    let mut f = BloomFilter::with_bits(1024, 4).expect("valid");
    f.insert("pillars");
    f.insert(&42_u64);
    let set: Vec<u64> = f
        .to_bytes()
        .get(29..29 + 128)
        .expect("payload")
        .chunks_exact(8)
        .enumerate()
        .flat_map(|(i, w)| {
            let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
            (0..64_u64)
                .filter(move |b| w >> b & 1 == 1)
                .map(move |b| i as u64 * 64 + b)
        })
        .collect();
    println!("golden set bits: {set:?}");
    assert_eq!(set, GOLDEN_BITS);
}

const GOLDEN_BITS: &[u64] = &[519, 618, 729, 745, 747, 785, 786];

// ---------------------------------------------------------------- corruption

fn assert_every_corruption_fails(bytes: &[u8], parse: impl Fn(&[u8]) -> Result<(), Error>) {
    assert_eq!(parse(bytes), Ok(()));
    for cut in 0..bytes.len() {
        assert!(parse(&bytes[..cut]).is_err(), "truncated at {cut}");
    }
    let mut longer = bytes.to_vec();
    longer.push(0);
    assert!(parse(&longer).is_err());
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut bad = bytes.to_vec();
            bad[i] ^= 1 << bit;
            assert!(parse(&bad).is_err(), "flip at byte {i} bit {bit}");
        }
    }
}

#[test]
fn every_truncation_and_bit_flip_is_an_error() {
    let mut f = BloomFilter::with_bits(1024, 3).expect("valid");
    f.insert_all(0_u32..20);
    assert_every_corruption_fails(&f.to_bytes(), |b| BloomFilter::from_bytes(b).map(drop));
    let a = AtomicBloomFilter::from(f.clone());
    assert_every_corruption_fails(&a.to_bytes(), |b| {
        AtomicBloomFilter::from_bytes(b).map(drop)
    });
    let mut s = ScalableBloomFilter::new(4, 0.1).expect("valid");
    s.insert_all(0_u32..10);
    assert!(s.stages() >= 2);
    assert_every_corruption_fails(&s.to_bytes(), |b| {
        ScalableBloomFilter::from_bytes(b).map(drop)
    });
    // Kinds are not interchangeable.
    assert!(matches!(
        AtomicBloomFilter::from_bytes(&f.to_bytes()),
        Err(Error::Format(FormatError::WrongKind { .. }))
    ));
}

#[test]
fn forged_lengths_are_rejected_before_allocating() {
    // A valid checksum over a header claiming 2^33 words (2^36 bytes).
    let f = BloomFilter::with_bits(512, 3).expect("valid");
    let mut bytes = f.to_bytes();
    bytes.truncate(bytes.len() - 8);
    bytes.truncate(8 + 13);
    bytes.extend_from_slice(&(1_u64 << 33).to_le_bytes());
    let sum = xxh3(&bytes);
    bytes.extend_from_slice(&sum.to_le_bytes());
    assert!(matches!(
        BloomFilter::from_bytes(&bytes),
        Err(Error::Format(_))
    ));
}

fn xxh3(b: &[u8]) -> u64 {
    // The checksum of the shared format (XXH3-64, seed 0): seed-0 XXH3 via
    // the crate's public hash.
    pillars_dsa::hash::hash64(b, 0)
}

// ---------------------------------------------------------------- concurrency

#[test]
fn atomic_concurrent_inserts_are_all_found() {
    let per_thread = if cfg!(debug_assertions) {
        5_000
    } else {
        50_000
    };
    let f = Arc::new(AtomicBloomFilter::with_rate(4 * per_thread, 0.01).expect("valid"));
    std::thread::scope(|s| {
        for t in 0..4 {
            let f = Arc::clone(&f);
            s.spawn(move || {
                for k in keys(t * per_thread, per_thread) {
                    f.insert(&k);
                }
            });
        }
    });
    for k in keys(0, 4 * per_thread) {
        assert!(f.contains(&k), "lost {k}");
    }
    // Same bits as a single-threaded filter fed the same keys.
    let mut single = BloomFilter::with_rate(4 * per_thread, 0.01).expect("valid");
    single.insert_all(keys(0, 4 * per_thread));
    assert_eq!(f.snapshot(), single);
}

// ---------------------------------------------------------------- FPR quality

#[allow(clippy::cast_precision_loss)]
fn check_rate(name: &str, measured: f64, target: f64, bits: u64, n: u64) {
    println!(
        "{name}: measured FPR {:.4}% (target {:.2}%), {:.2} bits/key",
        measured * 100.0,
        target * 100.0,
        bits as f64 / n as f64
    );
    assert!(
        (measured - target).abs() <= 0.1 * target,
        "{name}: measured {measured} vs target {target}"
    );
}

#[test]
fn bloom_fpr_is_within_10_percent_of_target() {
    let (n, absent) = sizes();
    let mut f = BloomFilter::with_rate(n, 0.01).expect("valid");
    f.insert_all(keys(0, n));
    let m = measured_fpr(absent, |k| f.contains(&k));
    check_rate("BloomFilter", m, 0.01, f.bits(), n);
    // The fill-based estimate agrees with the measurement.
    assert!(
        (f.expected_fpr() - m).abs() <= 0.1 * m,
        "{}",
        f.expected_fpr()
    );
}

#[test]
fn bloom_fpr_at_other_rates() {
    let (n, absent) = sizes();
    for target in [0.05, 0.001] {
        let mut f = BloomFilter::with_rate(n, target).expect("valid");
        f.insert_all(keys(0, n));
        let m = measured_fpr(absent, |k| f.contains(&k));
        println!(
            "rate {target}: measured {m}, k {}, bits/key {:.2}",
            f.hashes(),
            f.bits_per_key(n)
        );
        // 5 sigma of the binomial count, or 10%, whichever is larger.
        #[allow(clippy::cast_precision_loss)]
        let sigma = (target * (1.0 - target) / absent as f64).sqrt();
        assert!((m - target).abs() <= (0.1 * target).max(5.0 * sigma), "{m}");
    }
}

#[test]
fn atomic_fpr_is_within_10_percent_of_target() {
    let (n, absent) = sizes();
    let f = AtomicBloomFilter::with_rate(n, 0.01).expect("valid");
    f.insert_all(keys(0, n));
    let m = measured_fpr(absent, |k| f.contains(&k));
    check_rate("AtomicBloomFilter", m, 0.01, f.bits(), n);
}

#[test]
fn scalable_fpr_stays_below_target() {
    let (n, absent) = sizes();
    // Start small so that several stages are needed.
    let mut f = ScalableBloomFilter::new(n / 64, 0.01).expect("valid");
    f.insert_all(keys(0, n));
    assert!(f.stages() >= 6, "{}", f.stages());
    let m = measured_fpr(absent, |k| f.contains(&k));
    #[allow(clippy::cast_precision_loss)]
    let bpk = f.bits() as f64 / n as f64;
    println!(
        "ScalableBloomFilter: {} stages, measured FPR {:.4}%, predicted {:.4}%, {bpk:.2} bits/key",
        f.stages(),
        m * 100.0,
        f.expected_fpr() * 100.0
    );
    // The target is a bound on the compounded rate; the measurement must
    // not exceed it by more than sampling noise, and must match the
    // fill-based prediction.
    assert!(m <= 0.011, "{m}");
    assert!(
        (f.expected_fpr() - m).abs() <= 0.15 * m + 1e-4,
        "{}",
        f.expected_fpr()
    );
    // Fill the last stage exactly: then the rate approaches the bound.
    assert!(f.expected_fpr() <= 0.01);
}

// ---------------------------------------------------------------- serde

#[cfg(feature = "serde")]
#[test]
fn serde_json_round_trip() {
    let mut f = BloomFilter::with_rate(100, 0.01).expect("valid");
    f.insert_all(["a", "b"]);
    let json = serde_json::to_string(&f).expect("serialise");
    let g: BloomFilter = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(f, g);

    let a = AtomicBloomFilter::from(f);
    let json = serde_json::to_string(&a).expect("serialise");
    let b: AtomicBloomFilter = serde_json::from_str(&json).expect("deserialise");
    assert!(b.contains("a"));

    let mut s = ScalableBloomFilter::new(2, 0.01).expect("valid");
    s.insert_all(0_u8..10);
    let json = serde_json::to_string(&s).expect("serialise");
    let t: ScalableBloomFilter = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(s, t);

    assert!(serde_json::from_str::<BloomFilter>("[1,2,3]").is_err());
}

// ------------------------------------------------------- parallel batches

/// Batch sizes on both sides of the sequential threshold.
#[cfg(feature = "rayon")]
fn batch_sizes() -> [usize; 4] {
    use pillars_dsa::bloom::PARALLEL_BATCH_MIN;
    [0, 1, PARALLEL_BATCH_MIN - 1, 5 * PARALLEL_BATCH_MIN + 17]
}

#[cfg(feature = "rayon")]
#[test]
fn contains_batch_equals_sequential_answers() {
    let mut f = BloomFilter::with_rate(5_000, 0.05).unwrap();
    f.insert_all(keys(0, 5_000));
    let a = AtomicBloomFilter::from(f.clone());
    for n in batch_sizes() {
        // Half present, half absent (and a few false positives among them).
        let batch: Vec<u64> = keys(2_500, n as u64).collect();
        let want: Vec<bool> = batch.iter().map(|k| f.contains(k)).collect();
        assert_eq!(f.contains_batch(&batch), want, "BloomFilter, {n} keys");
        assert_eq!(
            a.contains_batch(&batch),
            want,
            "AtomicBloomFilter, {n} keys"
        );
    }
    let strs: Vec<String> = (0..30_000).map(|i| format!("k{i}")).collect();
    let want: Vec<bool> = strs.iter().map(|k| f.contains(k)).collect();
    assert_eq!(f.contains_batch(&strs), want);
}

#[cfg(feature = "rayon")]
#[test]
fn atomic_insert_batch_sets_the_same_bits_as_sequential_inserts() {
    for n in batch_sizes() {
        let batch: Vec<u64> = keys(0, n as u64).collect();
        let parallel = AtomicBloomFilter::with_rate(10_000, 0.01)
            .unwrap()
            .with_seed(3);
        parallel.insert_batch(&batch);
        let mut sequential = BloomFilter::with_rate(10_000, 0.01).unwrap().with_seed(3);
        sequential.insert_all(batch.iter());
        assert_eq!(parallel.snapshot(), sequential, "{n} keys");
        assert!(parallel.contains_batch(&batch).iter().all(|&hit| hit));
    }
}
