//! Behaviour tests of the binary fuse, split-block and counting filters.
//! Everything here is deterministic (stable, seeded hashes), so no test is
//! flaky; rates are checked with bounds that are sound for the sample size.

use std::collections::{HashMap, HashSet};

use pillars_dsa::bloom::{
    BinaryFuse8, BinaryFuse16, CountingBloomFilter, Error, FormatError, Insert, Kind,
    SplitBlockBloomFilter,
};
use proptest::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

// ---------------------------------------------------------------- helpers

/// Every truncation and every single-bit flip of `bytes` must be rejected by
/// `read`, without a panic.
fn assert_corruption_rejected<T>(bytes: &[u8], read: impl Fn(&[u8]) -> Result<T, Error>) {
    assert!(read(bytes).is_ok());
    for cut in 0..bytes.len() {
        assert!(
            read(&bytes[..cut]).is_err(),
            "truncation to {cut} bytes accepted"
        );
    }
    let mut extended = bytes.to_vec();
    extended.push(0);
    assert!(read(&extended).is_err(), "extra byte accepted");
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut bad = bytes.to_vec();
            bad[i] ^= 1 << bit;
            assert!(
                read(&bad).is_err(),
                "flip of bit {bit} of byte {i} accepted"
            );
        }
    }
}

/// A serialised filter with a correct header and checksum around `fields`,
/// the way the shared format writes it.
fn forge(kind: Kind, fields: &[u8]) -> Vec<u8> {
    let mut b = b"PLBF".to_vec();
    b.push(1);
    b.push(kind as u8);
    b.extend_from_slice(&[0, 0]);
    b.extend_from_slice(fields);
    let sum = xxh3_64(&b);
    b.extend_from_slice(&sum.to_le_bytes());
    b
}

fn fields(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn invalid_params<T: std::fmt::Debug>(r: Result<T, Error>) -> bool {
    matches!(
        r,
        Err(Error::Format(
            FormatError::InvalidParameters(_) | FormatError::Truncated | FormatError::TrailingBytes
        ))
    )
}

/// Asserts that `hits` false positives out of `trials` match rate `p`: within
/// 10 % relative, or within 4.5 standard deviations where the sample is too
/// small for 10 % to be a sound bound.
fn assert_rate(name: &str, hits: usize, trials: usize, p: f64) {
    let expected = trials as f64 * p;
    let sd = (trials as f64 * p * (1.0 - p)).sqrt();
    let tolerance = f64::max(0.10 * expected, 4.5 * sd);
    let measured = hits as f64 / trials as f64;
    println!(
        "{name}: measured FPR {measured:.7} (expected {p:.7}, {hits} of {trials}, tolerance ±{:.1} %)",
        100.0 * tolerance / expected
    );
    assert!(
        (hits as f64 - expected).abs() <= tolerance,
        "{name}: {hits} false positives of {trials}, expected {expected:.1} ± {tolerance:.1}"
    );
}

fn absent_keys(n: usize) -> impl Iterator<Item = String> {
    (0..n).map(|i| format!("absent:{i}"))
}

fn present_keys(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("present:{i}")).collect()
}

fn big() -> bool {
    !cfg!(debug_assertions)
}

// ---------------------------------------------------------- binary fuse

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn fuse_has_no_false_negatives(keys in prop::collection::vec(any::<u64>(), 0..2000)) {
        let distinct: HashSet<u64> = keys.iter().copied().collect();
        let f8 = BinaryFuse8::from_keys(keys.iter())?;
        let f16 = BinaryFuse16::from_keys(keys.iter())?;
        prop_assert_eq!(f8.len(), distinct.len());
        prop_assert_eq!(f16.len(), distinct.len());
        for k in &distinct {
            prop_assert!(f8.contains(k));
            prop_assert!(f16.contains(k));
        }
        prop_assert_eq!(BinaryFuse8::from_bytes(&f8.to_bytes())?, f8);
        prop_assert_eq!(BinaryFuse16::from_bytes(&f16.to_bytes())?, f16);
    }

    #[test]
    fn fuse_from_hashes_has_no_false_negatives(hashes in prop::collection::vec(any::<u64>(), 0..3000)) {
        let f = BinaryFuse8::from_hashes(&hashes)?;
        for &h in &hashes {
            prop_assert!(f.contains_hash(h));
        }
    }

    /// Forged but self-consistent parameters with arbitrary fingerprints load
    /// and never read out of bounds.
    #[test]
    fn fuse_forged_consistent_filters_never_panic(
        log_len in 0_u32..7,
        count in 1_u32..6,
        fill in any::<u8>(),
        probes in prop::collection::vec(any::<u64>(), 1..200),
    ) {
        let len = 1_u32 << log_len;
        let n = ((count + 2) * len) as usize;
        let payload: Vec<u8> = (0..n).map(|i| (i as u8).wrapping_mul(fill)).collect();
        let bytes = forge(Kind::BinaryFuse8, &fields(&[
            &1_u64.to_le_bytes(), &2_u64.to_le_bytes(), &3_u64.to_le_bytes(),
            &len.to_le_bytes(), &count.to_le_bytes(), &payload,
        ]));
        let f = BinaryFuse8::from_bytes(&bytes)?;
        for p in probes {
            let _ = f.contains_hash(p);
            let _ = f.contains(&p);
        }
    }
}

#[test]
fn fuse_with_many_duplicates_terminates_and_contains_all() {
    // 100 000 keys, only 1 000 distinct.
    let keys: Vec<u64> = (0..100_000_u64).map(|i| i % 1000).collect();
    let f = BinaryFuse8::from_slice(&keys).unwrap();
    assert_eq!(f.len(), 1000);
    assert!(keys.iter().all(|k| f.contains(k)));
    // One key repeated: a single distinct key.
    let same = vec!["same"; 10_000];
    let f = BinaryFuse16::from_slice(&same).unwrap();
    assert_eq!(f.len(), 1);
    assert!(f.contains("same"));
    // Hashes with duplicates.
    let hashes: Vec<u64> = (0..50_000_u64).map(|i| i / 7).collect();
    let f = BinaryFuse8::from_hashes(&hashes).unwrap();
    assert_eq!(f.len(), 50_000_usize.div_ceil(7));
    assert!(hashes.iter().all(|&h| f.contains_hash(h)));
}

#[test]
fn fuse_small_sizes_all_build() {
    for n in 0..300_u64 {
        let keys: Vec<u64> = (0..n).collect();
        let f8 = BinaryFuse8::from_slice(&keys).unwrap();
        let f16 = BinaryFuse16::from_slice(&keys).unwrap();
        assert_eq!(f8.len() as u64, n);
        assert!(
            keys.iter().all(|k| f8.contains(k) && f16.contains(k)),
            "n = {n}"
        );
    }
    let empty = BinaryFuse8::from_hashes(&[]).unwrap();
    assert!(empty.is_empty());
    assert_eq!(empty.bits_per_key(), 0.0);
}

#[test]
fn fuse_bytes_depend_only_on_the_key_set() {
    // Large enough for the parallel path (rayon) of from_slice.
    let keys = present_keys(70_000);
    let a = BinaryFuse8::from_slice(&keys).unwrap();
    let mut reversed = keys.clone();
    reversed.reverse();
    reversed.extend(keys.iter().take(500).cloned());
    let b = BinaryFuse8::from_keys(reversed.iter()).unwrap();
    assert_eq!(a.to_bytes(), b.to_bytes());
    let hashes: Vec<u64> = keys.iter().map(BinaryFuse8::hash_key).collect();
    assert_eq!(BinaryFuse8::from_hashes(&hashes).unwrap(), a);
}

#[test]
fn fuse_size_and_fpr_match_the_paper() {
    let n = if big() { 1_000_000 } else { 100_000 };
    let trials = 1_000_000;
    let keys = present_keys(n);
    let f8 = BinaryFuse8::from_slice(&keys).unwrap();
    let f16 = BinaryFuse16::from_slice(&keys).unwrap();
    println!(
        "binary fuse, {n} keys: 8-bit {:.3} bits/key, 16-bit {:.3} bits/key",
        f8.bits_per_key(),
        f16.bits_per_key()
    );
    assert_eq!(f8.fingerprint_bits(), 8);
    assert_eq!(f16.fingerprint_bits(), 16);
    // The reference sizing: capacity n · max(1.125, 0.875 + 0.25·ln(10^6)/ln(n)),
    // rounded up to whole segments (9.0 bits/key at 1M keys, 9.5 at 100k).
    let factor = f64::max(1.125, 0.875 + 0.25 * 1e6_f64.ln() / (n as f64).ln());
    assert!(
        f8.bits_per_key() < 8.0 * factor * 1.03,
        "{}",
        f8.bits_per_key()
    );
    assert!(
        f16.bits_per_key() < 16.0 * factor * 1.03,
        "{}",
        f16.bits_per_key()
    );
    if big() {
        assert!(f8.bits_per_key() < 9.1 && f16.bits_per_key() < 18.2);
    }
    assert!(keys.iter().all(|k| f8.contains(k) && f16.contains(k)));
    let hits = absent_keys(trials).filter(|k| f8.contains(k)).count();
    assert_rate("binary fuse 8", hits, trials, 1.0 / 256.0);
    let trials16 = if big() { 16_000_000 } else { 4_000_000 };
    let hits = absent_keys(trials16).filter(|k| f16.contains(k)).count();
    assert_rate("binary fuse 16", hits, trials16, 1.0 / 65536.0);
}

#[test]
fn fuse_corruption_is_always_an_error() {
    let f8 = BinaryFuse8::from_keys(["a", "b", "c"]).unwrap();
    assert_corruption_rejected(&f8.to_bytes(), BinaryFuse8::from_bytes);
    let f16 = BinaryFuse16::from_keys(0_u32..10).unwrap();
    assert_corruption_rejected(&f16.to_bytes(), BinaryFuse16::from_bytes);
    assert!(matches!(
        BinaryFuse16::from_bytes(&f8.to_bytes()),
        Err(Error::Format(FormatError::WrongKind { .. }))
    ));
}

#[test]
fn fuse_forged_inconsistent_parameters_are_rejected() {
    let seeds = fields(&[&1_u64.to_le_bytes(), &2_u64.to_le_bytes()]);
    let make = |len: u64, seg_len: u32, seg_count: u32, payload: usize, kind: Kind| {
        forge(
            kind,
            &fields(&[
                &seeds,
                &len.to_le_bytes(),
                &seg_len.to_le_bytes(),
                &seg_count.to_le_bytes(),
                &vec![0; payload],
            ]),
        )
    };
    // Consistent: (1 + 2) · 4 = 12 fingerprints.
    assert!(BinaryFuse8::from_bytes(&make(3, 4, 1, 12, Kind::BinaryFuse8)).is_ok());
    assert!(BinaryFuse16::from_bytes(&make(3, 4, 1, 24, Kind::BinaryFuse16)).is_ok());
    let bad = [
        make(3, 3, 1, 12, Kind::BinaryFuse8),       // not a power of two
        make(3, 0, 1, 0, Kind::BinaryFuse8),        // zero segment length
        make(3, 1 << 19, 1, 12, Kind::BinaryFuse8), // segment too long
        make(3, 4, 0, 8, Kind::BinaryFuse8),        // zero segments
        make(3, 4, 1, 11, Kind::BinaryFuse8),       // array too short
        make(3, 4, 1, 13, Kind::BinaryFuse8),       // array too long
        make(3, 4, 1, 12, Kind::BinaryFuse16),      // 16-bit array too short
        make(13, 4, 1, 12, Kind::BinaryFuse8),      // more keys than slots
        // (count + 2) · length overflows u32: must fail before allocating.
        make(3, 1 << 18, u32::MAX - 1, 12, Kind::BinaryFuse8),
        // Huge but representable array with no payload: no allocation.
        make(3, 1 << 18, 16_000, 12, Kind::BinaryFuse8),
    ];
    for (i, b) in bad.iter().enumerate() {
        let r8 = BinaryFuse8::from_bytes(b);
        let r16 = BinaryFuse16::from_bytes(b);
        assert!(r8.is_err() && r16.is_err(), "forged case {i} accepted");
        assert!(invalid_params(r8) || invalid_params(r16), "forged case {i}");
    }
}

// ---------------------------------------------------------- split block

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn split_block_has_no_false_negatives(
        keys in prop::collection::hash_set(any::<u64>(), 0..2000),
        others in prop::collection::hash_set(any::<u64>(), 0..200),
        bytes in 1_u64..4096,
    ) {
        let mut f = SplitBlockBloomFilter::with_bytes(bytes)?;
        let mut g = f.clone();
        for k in &keys {
            f.insert(k);
        }
        for k in &others {
            g.insert(k);
        }
        for k in &keys {
            prop_assert!(f.contains(k));
        }
        prop_assert_eq!(SplitBlockBloomFilter::from_bytes(&f.to_bytes())?, f.clone());
        f.union(&g)?;
        for k in keys.iter().chain(&others) {
            prop_assert!(f.contains(k));
        }
    }
}

#[test]
fn split_block_fpr_is_within_ten_percent_of_target() {
    let n = if big() { 1_000_000 } else { 100_000 };
    let trials = 1_000_000;
    for target in [0.01, 0.001] {
        let mut f = SplitBlockBloomFilter::with_rate(n as u64, target).unwrap();
        let keys = present_keys(n);
        for k in &keys {
            f.insert(k);
        }
        assert!(keys.iter().all(|k| f.contains(k)));
        let bpk = f.size_in_bytes() as f64 * 8.0 / n as f64;
        println!(
            "split block at {target}: {bpk:.2} bits/key, {} blocks",
            f.num_blocks()
        );
        let hits = absent_keys(trials).filter(|k| f.contains(k)).count();
        assert_rate(&format!("split block {target}"), hits, trials, target);
    }
}

#[test]
fn split_block_matches_the_parquet_bit_layout() {
    // One block: the block index is 0 and word i gets bit (x · SALT[i]) >> 27.
    const SALT: [u32; 8] = [
        0x47b6_137b,
        0x4497_4d91,
        0x8824_ad5b,
        0xa2b7_289d,
        0x7054_95c7,
        0x2df1_424b,
        0x9efc_4947,
        0x5c6b_fb31,
    ];
    let mut f = SplitBlockBloomFilter::with_bytes(32).unwrap();
    let hash = 0x1234_5678_9abc_def0_u64;
    f.insert_hash(hash);
    let bytes = f.to_bytes();
    let words = &bytes[8 + 16..8 + 16 + 32];
    for (i, salt) in SALT.iter().enumerate() {
        let w = u32::from_le_bytes(words[4 * i..4 * i + 4].try_into().unwrap());
        assert_eq!(
            w,
            1 << ((hash as u32).wrapping_mul(*salt) >> 27),
            "word {i}"
        );
    }
    // Block index from the upper 32 bits: with 4 blocks, upper bits 0xC000_0000 → block 3.
    let mut f = SplitBlockBloomFilter::with_bytes(128).unwrap();
    f.insert_hash(0xC000_0000_0000_0001);
    let bytes = f.to_bytes();
    assert!(bytes[24..24 + 96].iter().all(|&b| b == 0));
    assert!(bytes[24 + 96..24 + 128].iter().any(|&b| b != 0));
}

#[test]
fn split_block_errors() {
    assert_eq!(
        SplitBlockBloomFilter::with_rate(0, 0.01),
        Err(Error::ZeroItems)
    );
    for bad in [0.0, 1.0, -0.5, 2.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            SplitBlockBloomFilter::with_rate(10, bad),
            Err(Error::InvalidFpr(_))
        ));
    }
    assert_eq!(SplitBlockBloomFilter::with_bytes(0), Err(Error::ZeroBits));
    assert_eq!(
        SplitBlockBloomFilter::with_bytes(u64::MAX),
        Err(Error::TooLarge)
    );
    assert_eq!(
        SplitBlockBloomFilter::with_rate(u64::MAX, 1e-9),
        Err(Error::TooLarge)
    );
    let mut a = SplitBlockBloomFilter::with_bytes(64).unwrap();
    let b = SplitBlockBloomFilter::with_bytes(96).unwrap();
    assert_eq!(a.union(&b), Err(Error::Incompatible));
}

#[test]
fn split_block_corruption_and_forgery_are_errors() {
    let mut f = SplitBlockBloomFilter::with_bytes(64).unwrap();
    f.insert("a");
    assert_corruption_rejected(&f.to_bytes(), SplitBlockBloomFilter::from_bytes);
    let make = |count: u64, payload: usize| {
        forge(
            Kind::SplitBlock,
            &fields(&[
                &1_u64.to_le_bytes(),
                &count.to_le_bytes(),
                &vec![0; payload],
            ]),
        )
    };
    assert!(SplitBlockBloomFilter::from_bytes(&make(2, 64)).is_ok());
    for (count, payload) in [
        (0, 0),
        (2, 63),
        (2, 65),
        (1 << 33, 64),
        (1 << 31, 64),
        (u64::MAX, 32),
    ] {
        assert!(
            invalid_params(SplitBlockBloomFilter::from_bytes(&make(count, payload))),
            "count {count}, payload {payload}"
        );
    }
}

// ---------------------------------------------------------- counting

#[derive(Clone, Debug)]
enum Op {
    Insert(u8),
    Remove(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0_u8..24).prop_map(Op::Insert),
        (0_u8..24).prop_map(Op::Remove),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Against a multiset model: every key inserted more often than removed
    /// is present; removing a definitely absent key errors and changes
    /// nothing; saturation never causes a false negative. Small filters
    /// force collisions and saturation.
    #[test]
    fn counting_matches_a_multiset_model(
        counters in 8_u64..200,
        hashes in 1_u32..6,
        ops in prop::collection::vec(op(), 0..300),
    ) {
        let mut f = CountingBloomFilter::new(counters, hashes)?;
        let mut model: HashMap<u8, u32> = HashMap::new();
        for op in ops {
            match op {
                Op::Insert(k) => {
                    let _ = f.insert(&k);
                    *model.entry(k).or_default() += 1;
                }
                Op::Remove(k) => {
                    let count = model.get(&k).copied().unwrap_or(0);
                    if count > 0 {
                        prop_assert_eq!(f.remove(&k), Ok(()));
                        model.insert(k, count - 1);
                    } else if !f.contains(&k) {
                        let before = f.clone();
                        prop_assert_eq!(f.remove(&k), Err(Error::NotPresent));
                        prop_assert_eq!(&f, &before);
                    }
                    // Else a false positive: removing it would be a caller
                    // error the filter cannot detect, so the model skips it.
                }
            }
            for (k, &c) in &model {
                if c > 0 {
                    prop_assert!(f.contains(k), "key {} inserted {} more times than removed is absent", k, c);
                }
            }
        }
        prop_assert_eq!(CountingBloomFilter::from_bytes(&f.to_bytes())?, f);
    }

    #[test]
    fn counting_has_no_false_negatives(keys in prop::collection::vec(any::<u64>(), 0..1000)) {
        let mut f = CountingBloomFilter::with_rate(1000, 0.01)?;
        for k in &keys {
            f.insert(k);
        }
        for k in &keys {
            prop_assert!(f.contains(k));
        }
        for k in &keys {
            prop_assert_eq!(f.remove(k), Ok(()));
        }
        prop_assert!(f.is_empty());
    }
}

#[test]
fn counting_saturation_never_causes_false_negatives() {
    let mut f = CountingBloomFilter::new(16, 3).unwrap();
    let mut saw_saturated = false;
    for _ in 0..40 {
        saw_saturated |= f.insert("hot") == Insert::Saturated;
    }
    assert!(saw_saturated);
    assert!(f.saturated_counters() > 0);
    // Remove far more often than inserted: saturated counters stay.
    for _ in 0..40 {
        f.remove("hot").unwrap();
    }
    assert!(f.contains("hot"));
    // Another key sharing the counters stays present too.
    let mut g = CountingBloomFilter::new(4, 2).unwrap();
    for i in 0..100_u32 {
        g.insert(&i);
    }
    for i in 0..50_u32 {
        g.remove(&i).unwrap();
    }
    assert!((0..100_u32).all(|i| g.contains(&i)));
}

#[test]
fn counting_fpr_is_within_ten_percent_of_target() {
    let n = if big() { 1_000_000 } else { 50_000 };
    let trials = 1_000_000;
    let mut f = CountingBloomFilter::with_rate(n as u64, 0.01).unwrap();
    let keys = present_keys(n);
    for k in &keys {
        assert_eq!(f.insert(k), Insert::Added);
    }
    assert!(keys.iter().all(|k| f.contains(k)));
    println!(
        "counting: {} counters ({:.2} counters/key, {} bytes), {} hashes",
        f.num_counters(),
        f.num_counters() as f64 / n as f64,
        f.size_in_bytes(),
        f.num_hashes()
    );
    let hits = absent_keys(trials).filter(|k| f.contains(k)).count();
    assert_rate("counting 0.01", hits, trials, 0.01);
}

#[test]
fn counting_errors() {
    assert_eq!(
        CountingBloomFilter::with_rate(0, 0.01),
        Err(Error::ZeroItems)
    );
    assert!(matches!(
        CountingBloomFilter::with_rate(10, f64::NAN),
        Err(Error::InvalidFpr(_))
    ));
    assert_eq!(CountingBloomFilter::new(0, 3), Err(Error::ZeroBits));
    assert_eq!(CountingBloomFilter::new(10, 0), Err(Error::ZeroHashes));
    assert_eq!(CountingBloomFilter::new(u64::MAX, 3), Err(Error::TooLarge));
    assert_eq!(CountingBloomFilter::new(10, 33), Err(Error::TooLarge));
    let mut f = CountingBloomFilter::with_rate(100, 0.01).unwrap();
    assert_eq!(f.remove("never"), Err(Error::NotPresent));
    assert!(f.is_empty());
}

#[test]
fn counting_corruption_and_forgery_are_errors() {
    let mut f = CountingBloomFilter::new(40, 3).unwrap();
    f.insert("a");
    f.insert("b");
    assert_corruption_rejected(&f.to_bytes(), CountingBloomFilter::from_bytes);
    let make = |counters: u64, hashes: u32, words: &[u64]| {
        let w: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        forge(
            Kind::Counting,
            &fields(&[
                &1_u64.to_le_bytes(),
                &counters.to_le_bytes(),
                &hashes.to_le_bytes(),
                &w,
            ]),
        )
    };
    assert!(CountingBloomFilter::from_bytes(&make(20, 3, &[0, 0xff])).is_ok());
    let bad = [
        make(0, 3, &[]),             // no counters
        make(20, 0, &[0, 0]),        // no hashes
        make(20, 33, &[0, 0]),       // too many hashes
        make(20, 3, &[0]),           // too few words
        make(20, 3, &[0, 0, 0]),     // too many words
        make(20, 3, &[0, 0x1_0000]), // unused counter 20 is set
        make(1 << 41, 3, &[0, 0]),   // too many counters
        make(u64::MAX / 2, 3, &[0]), // huge count, tiny payload
    ];
    for (i, b) in bad.iter().enumerate() {
        assert!(
            invalid_params(CountingBloomFilter::from_bytes(b)),
            "forged case {i}"
        );
    }
}

// ---------------------------------------------------------- format pins

/// The byte format and the hashing are stable: these checksums of small
/// filters change only with a deliberate, versioned format change.
#[test]
fn golden_bytes() {
    let fuse8 = BinaryFuse8::from_keys(["a", "b", "c"]).unwrap().to_bytes();
    let fuse16 = BinaryFuse16::from_keys(0_u32..100).unwrap().to_bytes();
    let mut sb = SplitBlockBloomFilter::with_rate(100, 0.01).unwrap();
    sb.insert("a");
    sb.insert(&7_u64);
    let mut c = CountingBloomFilter::with_rate(100, 0.01).unwrap();
    c.insert("a");
    c.insert("a");
    c.insert(&7_u64);
    let got = [
        xxh3_64(&fuse8),
        xxh3_64(&fuse16),
        xxh3_64(&sb.to_bytes()),
        xxh3_64(&c.to_bytes()),
    ];
    println!("golden: {got:#018x?}");
    assert_eq!(got, GOLDEN);
}

const GOLDEN: [u64; 4] = [
    0xd5eb_e291_08e1_0a17,
    0xe4dc_d405_83ee_6c84,
    0x08a7_3cfc_9423_9736,
    0xfc03_2f95_a365_6c45,
];

// ------------------------------------------------------------------- seeds

#[test]
fn split_block_seed_is_used_and_survives_bytes() {
    let keys = present_keys(2_000);
    let mut seeded = SplitBlockBloomFilter::with_rate(2_000, 0.01)
        .unwrap()
        .with_seed(0xfeed);
    let mut plain = SplitBlockBloomFilter::with_rate(2_000, 0.01).unwrap();
    for k in &keys {
        seeded.insert(k);
        plain.insert(k);
    }
    assert_eq!(seeded.seed(), 0xfeed);
    assert_ne!(seeded.hash_key("x"), plain.hash_key("x"));
    assert_ne!(
        seeded.to_bytes(),
        plain.to_bytes(),
        "the seed changes the bits"
    );
    let copy = SplitBlockBloomFilter::from_bytes(&seeded.to_bytes()).unwrap();
    assert_eq!(copy, seeded);
    assert_eq!(copy.seed(), 0xfeed);
    assert!(keys.iter().all(|k| copy.contains(k)));
    // with_seed clears, and filters of different seeds do not combine.
    assert!(plain.clone().with_seed(1).is_empty());
    assert_eq!(plain.union(&seeded), Err(Error::Incompatible));
}

#[test]
fn counting_seed_is_used_and_survives_bytes() {
    let keys = present_keys(2_000);
    let mut seeded = CountingBloomFilter::with_rate(2_000, 0.01)
        .unwrap()
        .with_seed(0xfeed);
    let mut plain = CountingBloomFilter::with_rate(2_000, 0.01).unwrap();
    for k in &keys {
        seeded.insert(k);
        plain.insert(k);
    }
    assert_eq!(seeded.seed(), 0xfeed);
    assert_ne!(
        seeded.to_bytes(),
        plain.to_bytes(),
        "the seed changes the counters"
    );
    let mut copy = CountingBloomFilter::from_bytes(&seeded.to_bytes()).unwrap();
    assert_eq!(copy, seeded);
    assert_eq!(copy.seed(), 0xfeed);
    assert!(keys.iter().all(|k| copy.contains(k)));
    for k in &keys {
        copy.remove(k).unwrap();
    }
    assert!(copy.is_empty(), "removal hashes under the stored seed too");
    assert!(plain.with_seed(1).is_empty());
}

#[test]
fn fuse_key_seed_is_used_and_survives_bytes() {
    let keys = present_keys(5_000);
    let f8 = BinaryFuse8::from_slice_with_seed(&keys, 0xfeed).unwrap();
    let f16 = BinaryFuse16::from_keys_with_seed(keys.iter(), 0xfeed).unwrap();
    assert_eq!(
        f8,
        BinaryFuse8::from_keys_with_seed(keys.iter(), 0xfeed).unwrap()
    );
    assert_eq!(
        f16,
        BinaryFuse16::from_slice_with_seed(&keys, 0xfeed).unwrap()
    );
    assert_eq!((f8.key_seed(), f16.key_seed()), (0xfeed, 0xfeed));
    assert_ne!(
        f8.to_bytes(),
        BinaryFuse8::from_slice(&keys).unwrap().to_bytes()
    );
    let c8 = BinaryFuse8::from_bytes(&f8.to_bytes()).unwrap();
    let c16 = BinaryFuse16::from_bytes(&f16.to_bytes()).unwrap();
    assert_eq!((&c8, &c16), (&f8, &f16));
    assert_eq!((c8.key_seed(), c16.key_seed()), (0xfeed, 0xfeed));
    assert!(keys.iter().all(|k| c8.contains(k) && c16.contains(k)));
    // Pre-hashed keys under the same seed build the same filter.
    let hashes: Vec<u64> = keys
        .iter()
        .map(|k| pillars_dsa::hash::hash64(k.as_bytes(), 0xfeed))
        .collect();
    assert_eq!(
        BinaryFuse8::from_hashes_with_seed(&hashes, 0xfeed).unwrap(),
        f8
    );
    // Another key seed gives independent false positives.
    let other = BinaryFuse8::from_slice_with_seed(&keys, 1).unwrap();
    let fp = |f: &BinaryFuse8| -> HashSet<String> {
        absent_keys(20_000).filter(|k| f.contains(k)).collect()
    };
    let (a, b) = (fp(&f8), fp(&other));
    assert!(
        a.intersection(&b).count() * 4 < a.len().max(1),
        "{a:?} / {b:?}"
    );
}

// ------------------------------------------------------- parallel batches

#[cfg(feature = "rayon")]
#[test]
fn batch_lookups_equal_sequential_answers() {
    use pillars_dsa::bloom::PARALLEL_BATCH_MIN;
    let present = present_keys(10_000);
    let mut split = SplitBlockBloomFilter::with_rate(10_000, 0.05)
        .unwrap()
        .with_seed(5);
    for k in &present {
        split.insert(k);
    }
    let f8 = BinaryFuse8::from_slice_with_seed(&present, 5).unwrap();
    let f16 = BinaryFuse16::from_slice(&present).unwrap();
    for n in [0, 1, PARALLEL_BATCH_MIN - 1, 5 * PARALLEL_BATCH_MIN + 17] {
        // Present keys interleaved with absent ones.
        let batch: Vec<String> = present
            .iter()
            .cloned()
            .zip(absent_keys(n))
            .flat_map(|(p, a)| [p, a])
            .chain(absent_keys(n))
            .take(n)
            .collect();
        assert_eq!(batch.len(), n);
        let seq = |c: &dyn Fn(&String) -> bool| batch.iter().map(c).collect::<Vec<bool>>();
        assert_eq!(
            split.contains_batch(&batch),
            seq(&|k| split.contains(k)),
            "split, {n}"
        );
        assert_eq!(
            f8.contains_batch(&batch),
            seq(&|k| f8.contains(k)),
            "fuse8, {n}"
        );
        assert_eq!(
            f16.contains_batch(&batch),
            seq(&|k| f16.contains(k)),
            "fuse16, {n}"
        );
    }
    assert!(f8.contains_batch(&present).iter().all(|&hit| hit));
}

/// Golden digests of the serialised bytes: a filter built from the same key
/// set must give the same bytes in every release (keys with duplicates mixed
/// in build the filter of the distinct keys).
#[test]
fn fuse_bytes_are_stable_across_releases() {
    use pillars_dsa::hash::hash64;
    for (n, want8, want16) in [
        (10_u64, 0x74c6_6313_7792_8c76_u64, 0xc5b8_5231_b231_291c_u64),
        (1000, 0xf20d_51c2_49d7_bd40, 0xf47e_544c_8a1e_5729),
        (100_000, 0x3895_75df_88a2_867b, 0x8d8f_8ffa_aa49_8706),
    ] {
        let mut keys: Vec<u64> = (0..n).collect();
        keys.extend((0..n / 3).map(|k| k * 2));
        let f8 = BinaryFuse8::from_slice(&keys).expect("builds");
        let f16 =
            BinaryFuse16::from_slice(&keys[..usize::try_from(n).expect("small")]).expect("builds");
        assert_eq!(f8.len(), usize::try_from(n).expect("small"));
        assert_eq!(hash64(&f8.to_bytes(), 1), want8, "BinaryFuse8, n = {n}");
        assert_eq!(hash64(&f16.to_bytes(), 1), want16, "BinaryFuse16, n = {n}");
    }
}
