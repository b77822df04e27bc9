//! How a key becomes bit positions: one stable, seeded 128-bit hash per key
//! (XXH3-128 of its canonical bytes, see [`crate::hash`]), split into two
//! 64-bit halves `h1`, `h2` for enhanced double hashing (Kirsch & Mitzenmacher,
//! "Less Hashing, Same Performance", with Dillinger's cubic term). Using 128
//! bits avoids the false-positive floor that 64-bit schemes hit for very large
//! filters. Part of the stable format.

use crate::hash::{StableKey, hash128};

/// The two halves of a key's 128-bit hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct KeyHash {
    pub(crate) h1: u64,
    pub(crate) h2: u64,
}

impl KeyHash {
    /// Hashes `key` under `seed`.
    #[inline]
    #[allow(clippy::cast_possible_truncation)] // the low and high halves, on purpose
    pub(crate) fn of<K: StableKey + ?Sized>(key: &K, seed: u64) -> Self {
        let h = key.with_key_bytes(|b| hash128(b, seed));
        Self {
            h1: h as u64,
            h2: (h >> 64) as u64,
        }
    }

    /// The `k` probe values `h1 + i·h2 + (i³ − i)/6` (wrapping), `i` in `0..k`;
    /// reduce each into a range with [`reduce`].
    #[inline]
    pub(crate) fn probes(self, k: u32) -> impl Iterator<Item = u64> {
        let mut a = self.h1;
        let mut b = self.h2;
        (0..u64::from(k)).map(move |i| {
            let out = a;
            a = a.wrapping_add(b);
            b = b.wrapping_add(i);
            out
        })
    }
}

/// Maps a 64-bit hash onto `0..n` without division (Lemire's multiply-shift).
#[inline]
pub(crate) fn reduce(hash: u64, n: u64) -> u64 {
    ((u128::from(hash) * u128::from(n)) >> 64) as u64
}
