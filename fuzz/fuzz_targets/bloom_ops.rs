//! Operation sequences on every filter, checked against a multiset model
//! after every operation: no false negatives, ever; the counting filter's
//! removals follow the model; byte round trips keep every answer.
#![no_main]

use std::collections::HashMap;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pillars_dsa::bloom::{
    AtomicBloomFilter, BinaryFuse8, BinaryFuse16, BloomFilter, CountingBloomFilter, Error,
    ScalableBloomFilter, SplitBlockBloomFilter,
};

#[derive(Arbitrary, Debug)]
enum Op {
    Insert(u16),
    Remove(u16),
    Contains(u16),
    RoundTrip,
}

fuzz_target!(|input: (u8, Vec<Op>)| {
    let (size, ops) = input;
    // Small filters force collisions and counter saturation.
    let items = u64::from(size % 64) + 1;
    let mut bloom = BloomFilter::with_rate(items, 0.05).expect("valid");
    let atomic = AtomicBloomFilter::with_rate(items, 0.05).expect("valid");
    let mut scalable = ScalableBloomFilter::new(items, 0.05).expect("valid");
    let mut split = SplitBlockBloomFilter::with_rate(items, 0.05).expect("valid");
    let mut counting = CountingBloomFilter::with_rate(items, 0.05).expect("valid");
    // Keys ever inserted (for the insert-only filters) and live counts.
    let mut ever: HashMap<u16, ()> = HashMap::new();
    let mut live: HashMap<u16, u32> = HashMap::new();

    for op in ops.into_iter().take(256) {
        match op {
            Op::Insert(k) => {
                bloom.insert(&k);
                atomic.insert(&k);
                scalable.insert(&k);
                split.insert(&k);
                let _ = counting.insert(&k);
                ever.insert(k, ());
                *live.entry(k).or_default() += 1;
            }
            Op::Remove(k) => {
                let was_live = live.get(&k).copied().unwrap_or(0) > 0;
                match counting.remove(&k) {
                    Ok(()) => {
                        // A removal the model cannot match (a false positive)
                        // may make other keys vanish; the model stops there.
                        if !was_live {
                            return;
                        }
                        if let Some(c) = live.get_mut(&k) {
                            *c -= 1;
                        }
                    }
                    Err(Error::NotPresent) => assert!(!was_live, "live key reported absent"),
                    Err(e) => panic!("unexpected error {e}"),
                }
            }
            Op::Contains(k) => {
                if ever.contains_key(&k) {
                    assert!(bloom.contains(&k));
                    assert!(atomic.contains(&k));
                    assert!(scalable.contains(&k));
                    assert!(split.contains(&k));
                }
                if live.get(&k).copied().unwrap_or(0) > 0 {
                    assert!(counting.contains(&k));
                }
            }
            Op::RoundTrip => {
                bloom = BloomFilter::from_bytes(&bloom.to_bytes()).expect("round trip");
                scalable =
                    ScalableBloomFilter::from_bytes(&scalable.to_bytes()).expect("round trip");
                split = SplitBlockBloomFilter::from_bytes(&split.to_bytes()).expect("round trip");
                counting =
                    CountingBloomFilter::from_bytes(&counting.to_bytes()).expect("round trip");
            }
        }
    }
    for k in ever.keys() {
        assert!(
            bloom.contains(k) && atomic.contains(k) && scalable.contains(k) && split.contains(k)
        );
    }
    for (k, &c) in &live {
        if c > 0 {
            assert!(counting.contains(k));
        }
    }
    // Static filters over the same keys: every key present, duplicates fine.
    let keys: Vec<u16> = ever.keys().copied().collect();
    let f8 = BinaryFuse8::from_keys(keys.iter()).expect("fuse8 builds");
    let f16 = BinaryFuse16::from_keys(keys.iter()).expect("fuse16 builds");
    for k in &keys {
        assert!(f8.contains(k) && f16.contains(k));
    }
});
