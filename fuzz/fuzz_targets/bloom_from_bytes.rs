//! Arbitrary bytes into every filter's `from_bytes`: never a panic, never an
//! out-of-bounds read. Bytes that do parse re-serialise to themselves, and the
//! parsed filter answers queries without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pillars_dsa::bloom::{
    AtomicBloomFilter, BinaryFuse8, BinaryFuse16, BloomFilter, CountingBloomFilter,
    ScalableBloomFilter, SplitBlockBloomFilter,
};

macro_rules! check {
    ($t:ty, $data:expr) => {
        if let Ok(f) = <$t>::from_bytes($data) {
            assert_eq!(f.to_bytes(), $data, concat!(stringify!($t), " round trip"));
            for k in 0..16_u64 {
                let _ = f.contains(&k);
            }
        }
    };
}

fuzz_target!(|data: &[u8]| {
    check!(BloomFilter, data);
    check!(AtomicBloomFilter, data);
    check!(ScalableBloomFilter, data);
    check!(SplitBlockBloomFilter, data);
    check!(CountingBloomFilter, data);
    check!(BinaryFuse8, data);
    check!(BinaryFuse16, data);
});
