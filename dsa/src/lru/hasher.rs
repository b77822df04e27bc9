//! The default hasher of the caches: [`StableState`], a fast, seeded,
//! deterministic [`BuildHasher`] built on [`crate::hash`].
//!
//! Integers (what `#[derive(Hash)]` and the integer `Hash` impls write) are
//! mixed with one 64×64→128-bit folded multiply per write; byte strings
//! (`str`, `[u8]`) go through XXH3-64 ([`crate::hash::hash64`]) seeded with the
//! running state. Both are deterministic: the same key hashes the same in every
//! process and on every run (no per-process random seed), so shard choice and
//! eviction order are reproducible. The cache hash never leaves the process,
//! so it is not a persisted format like [`crate::hash`]'s `StableKey` hash.
//!
//! A fixed seed is not DoS-resistant: for caches keyed by untrusted input,
//! pass a randomly seeded builder (`StableState::with_seed(random)` or
//! `std::hash::RandomState`) to `with_hasher`.
//!
//! ```
//! use std::hash::BuildHasher;
//! use pillars_dsa::lru::StableState;
//!
//! let s = StableState::default();
//! assert_eq!(s.hash_one(42_u64), StableState::default().hash_one(42_u64));
//! assert_ne!(s.hash_one("a"), s.hash_one("b"));
//! assert_ne!(s.hash_one(1_u64), StableState::with_seed(7).hash_one(1_u64));
//! ```

use std::hash::{BuildHasher, Hasher};

use crate::hash::{DEFAULT_SEED, hash64};

/// The multiplier of the integer mix (the 64-bit golden ratio, odd).
const MUL: u64 = 0x9e37_79b9_7f4a_7c15;

#[inline]
const fn folded_multiply(a: u64, b: u64) -> u64 {
    let full = (a as u128).wrapping_mul(b as u128);
    #[allow(clippy::cast_possible_truncation)] // taking the halves
    let (lo, hi) = (full as u64, (full >> 64) as u64);
    lo ^ hi
}

/// A seeded [`BuildHasher`] of [`StableHasher`]s; the default hasher of
/// [`LruCache`](super::LruCache) and [`ConcurrentLru`](super::ConcurrentLru).
///
/// ```
/// use std::hash::BuildHasher;
/// use pillars_dsa::lru::StableState;
/// assert_eq!(StableState::with_seed(3).hash_one("k"), StableState::with_seed(3).hash_one("k"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StableState {
    seed: u64,
}

impl StableState {
    /// A builder with the given seed.
    ///
    /// ```
    /// use pillars_dsa::lru::StableState;
    /// assert_ne!(StableState::with_seed(1), StableState::with_seed(2));
    /// ```
    #[must_use]
    pub const fn with_seed(seed: u64) -> Self {
        Self { seed }
    }
}

impl Default for StableState {
    /// Seeded with [`crate::hash::DEFAULT_SEED`].
    fn default() -> Self {
        Self::with_seed(DEFAULT_SEED)
    }
}

impl BuildHasher for StableState {
    type Hasher = StableHasher;

    #[inline]
    fn build_hasher(&self) -> StableHasher {
        StableHasher { acc: self.seed }
    }
}

/// The [`Hasher`] of [`StableState`].
///
/// ```
/// use std::hash::{BuildHasher, Hasher};
/// use pillars_dsa::lru::StableState;
/// let mut h = StableState::default().build_hasher();
/// h.write_u64(5);
/// assert_eq!(h.finish(), StableState::default().hash_one(5_u64));
/// ```
#[derive(Clone, Debug)]
pub struct StableHasher {
    acc: u64,
}

impl Hasher for StableHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.acc
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.acc = folded_multiply(hash64(bytes, self.acc), MUL);
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }

    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.write_u64(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.acc = folded_multiply(self.acc ^ i, MUL);
    }

    #[inline]
    fn write_u128(&mut self, i: u128) {
        #[allow(clippy::cast_possible_truncation)] // the two halves
        {
            self.write_u64(i as u64);
            self.write_u64((i >> 64) as u64);
        }
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
}
