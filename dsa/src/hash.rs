//! The one stable, seeded hash of pillars.
//!
//! Everything that leaves the process — ring points, key routes, filter bits,
//! cursor fingerprints — is computed with this module, so two processes, two
//! machines or two releases of pillars always agree.
//!
//! # The format
//!
//! * The hash function is **XXH3** (64-bit and 128-bit variants, as specified by
//!   the xxHash project and implemented by the `xxhash-rust` crate), with a
//!   64-bit seed. The default seed is [`DEFAULT_SEED`].
//! * A key is hashed through its *canonical bytes* ([`StableKey`]): strings and
//!   byte slices are their bytes, integers are their **little-endian** bytes at
//!   their declared width (`usize`/`isize` are widened to 64 bits so 32-bit and
//!   64-bit machines agree), `bool` is one byte, `char` is its scalar value as a
//!   little-endian `u32`.
//! * These rules never change within a major version; golden values in the tests
//!   pin them.
//!
//! Users who want their own hash implement [`KeyHasher`] (for example to match
//! another system's routing) and pass it to the structure's `with_hasher`
//! constructor.
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::hash::{KeyHasher, Xxh3, DEFAULT_SEED};
//!
//! let h = Xxh3::default();
//! // The same key gives the same hash everywhere, forever.
//! assert_eq!(h.hash_key("user:42"), h.hash_key(&String::from("user:42")));
//! assert_eq!(h.hash_key(&7_u64), pillars_dsa::hash::hash64(&7_u64.to_le_bytes(), DEFAULT_SEED));
//! // Another seed gives an independent hash.
//! assert_ne!(h.hash_key("user:42"), Xxh3::with_seed(1).hash_key("user:42"));
//! ```

use xxhash_rust::xxh3::{xxh3_64_with_seed, xxh3_128_with_seed};

/// The seed used when none is given: the ASCII bytes `"pillars1"` read as a
/// little-endian `u64`. Part of the stable format.
///
/// ```
/// assert_eq!(pillars_dsa::hash::DEFAULT_SEED.to_le_bytes(), *b"pillars1");
/// ```
pub const DEFAULT_SEED: u64 = u64::from_le_bytes(*b"pillars1");

/// XXH3-64 of `bytes` under `seed`.
///
/// ```
/// use pillars_dsa::hash::{hash64, DEFAULT_SEED};
/// assert_eq!(hash64(b"abc", DEFAULT_SEED), hash64(b"abc", DEFAULT_SEED));
/// assert_ne!(hash64(b"abc", 0), hash64(b"abd", 0));
/// ```
#[inline]
#[must_use]
pub fn hash64(bytes: &[u8], seed: u64) -> u64 {
    xxh3_64_with_seed(bytes, seed)
}

/// XXH3-128 of `bytes` under `seed` (for filters and fingerprints that need
/// more than 64 bits).
///
/// ```
/// use pillars_dsa::hash::{hash128, DEFAULT_SEED};
/// let h = hash128(b"abc", DEFAULT_SEED);
/// assert_ne!((h >> 64) as u64, h as u64);
/// ```
#[inline]
#[must_use]
pub fn hash128(bytes: &[u8], seed: u64) -> u128 {
    xxh3_128_with_seed(bytes, seed)
}

/// The 64-bit finaliser of `SplitMix64` / `MurmurHash3` (`fmix64`): a cheap,
/// stable bijection that spreads the bits of an already-hashed value. Used to
/// derive independent values from one hash (for example rendezvous scores).
///
/// ```
/// use pillars_dsa::hash::mix64;
/// assert_eq!(mix64(0), 0);
/// assert_ne!(mix64(1), mix64(2));
/// ```
#[inline]
#[must_use]
pub const fn mix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    x
}

/// A key with a canonical byte form that never changes between processes,
/// machines or releases (see the [module docs](self) for the rules).
///
/// Implement it for your own key types by handing out stable bytes, for
/// example a serialised form; never `std::hash::Hash`, whose output is not
/// stable across platforms or Rust releases.
///
/// ```
/// use pillars_dsa::hash::{KeyHasher, StableKey, Xxh3};
///
/// struct TenantKey { tenant: u32, id: u64 }
/// impl StableKey for TenantKey {
///     fn with_key_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
///         let mut b = [0u8; 12];
///         b[..4].copy_from_slice(&self.tenant.to_le_bytes());
///         b[4..].copy_from_slice(&self.id.to_le_bytes());
///         f(&b)
///     }
/// }
/// let h = Xxh3::default();
/// assert_eq!(h.hash_key(&TenantKey { tenant: 1, id: 2 }), h.hash_key(&TenantKey { tenant: 1, id: 2 }));
/// ```
pub trait StableKey {
    /// Calls `f` with the canonical bytes of the key and returns its result.
    fn with_key_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R;
}

impl<T: StableKey + ?Sized> StableKey for &T {
    #[inline]
    fn with_key_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        (**self).with_key_bytes(f)
    }
}

impl<T: StableKey + ?Sized> StableKey for Box<T> {
    #[inline]
    fn with_key_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        (**self).with_key_bytes(f)
    }
}

impl<T: StableKey + ?Sized> StableKey for std::sync::Arc<T> {
    #[inline]
    fn with_key_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        (**self).with_key_bytes(f)
    }
}

impl StableKey for str {
    #[inline]
    fn with_key_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        f(self.as_bytes())
    }
}

impl StableKey for String {
    #[inline]
    fn with_key_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        f(self.as_bytes())
    }
}

impl StableKey for [u8] {
    #[inline]
    fn with_key_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        f(self)
    }
}

impl StableKey for Vec<u8> {
    #[inline]
    fn with_key_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        f(self)
    }
}

impl<const N: usize> StableKey for [u8; N] {
    #[inline]
    fn with_key_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        f(self)
    }
}

macro_rules! stable_int {
    ($($t:ty),*) => {$(
        impl StableKey for $t {
            #[inline]
            fn with_key_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
                f(&self.to_le_bytes())
            }
        }
    )*};
}
stable_int!(u8, u16, u32, u64, u128, i8, i16, i32, i64, i128);

impl StableKey for usize {
    #[inline]
    fn with_key_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        f(&(*self as u64).to_le_bytes())
    }
}

impl StableKey for isize {
    #[inline]
    fn with_key_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        f(&(*self as i64).to_le_bytes())
    }
}

impl StableKey for bool {
    #[inline]
    fn with_key_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        f(&[u8::from(*self)])
    }
}

impl StableKey for char {
    #[inline]
    fn with_key_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        f(&u32::from(*self).to_le_bytes())
    }
}

/// Turns canonical key bytes into a 64-bit hash. [`Xxh3`] is the default;
/// implement this to route with another system's hash.
///
/// ```
/// use pillars_dsa::hash::KeyHasher;
///
/// /// FNV-1a, for compatibility with an older router.
/// #[derive(Clone, Copy, Default)]
/// struct Fnv1a;
/// impl KeyHasher for Fnv1a {
///     fn hash_bytes(&self, bytes: &[u8]) -> u64 {
///         bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
///     }
/// }
/// assert_eq!(Fnv1a.hash_key("a"), 0xaf63_dc4c_8601_ec8c);
/// ```
pub trait KeyHasher {
    /// Hash canonical key bytes.
    fn hash_bytes(&self, bytes: &[u8]) -> u64;

    /// Hash a [`StableKey`] through its canonical bytes.
    #[inline]
    fn hash_key<K: StableKey + ?Sized>(&self, key: &K) -> u64 {
        key.with_key_bytes(|b| self.hash_bytes(b))
    }
}

/// The default [`KeyHasher`]: XXH3-64 with a seed ([`DEFAULT_SEED`] unless
/// given).
///
/// ```
/// use pillars_dsa::hash::{KeyHasher, Xxh3};
/// assert_eq!(Xxh3::default().seed(), pillars_dsa::hash::DEFAULT_SEED);
/// assert_ne!(Xxh3::with_seed(9).hash_key("k"), Xxh3::default().hash_key("k"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Xxh3 {
    seed: u64,
}

impl Xxh3 {
    /// A hasher with the given seed.
    ///
    /// ```
    /// assert_eq!(pillars_dsa::hash::Xxh3::with_seed(5).seed(), 5);
    /// ```
    #[must_use]
    pub const fn with_seed(seed: u64) -> Self {
        Self { seed }
    }

    /// The seed of this hasher.
    ///
    /// ```
    /// assert_eq!(pillars_dsa::hash::Xxh3::with_seed(5).seed(), 5);
    /// ```
    #[must_use]
    pub const fn seed(&self) -> u64 {
        self.seed
    }
}

impl Default for Xxh3 {
    fn default() -> Self {
        Self::with_seed(DEFAULT_SEED)
    }
}

impl KeyHasher for Xxh3 {
    #[inline]
    fn hash_bytes(&self, bytes: &[u8]) -> u64 {
        hash64(bytes, self.seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published XXH3 test vector: `XXH3_64bits("")` with seed 0.
    #[test]
    fn xxh3_published_vector() {
        assert_eq!(hash64(b"", 0), 0x2d06_8005_38d3_94c2);
    }

    /// Golden values of the stable format. If one of these changes, every
    /// ring, filter and cursor written before the change reads differently:
    /// that is a breaking change of the format, never a refactor.
    #[test]
    fn golden_values_pin_the_format() {
        let h = Xxh3::default();
        assert_eq!(h.hash_key(""), 0xafd9_6f07_1017_1df9);
        assert_eq!(h.hash_key("user:42"), 0xf2c5_4207_ce0c_beb9);
        assert_eq!(h.hash_key(&42_u64), 0xd2c3_2d24_6a75_f966);
        assert_eq!(h.hash_key(&-1_i32), 0x8382_f9ab_bbf6_5a5f);
        assert_eq!(h.hash_key(&'é'), 0x9131_cf40_912d_4f96);
        assert_eq!(h.hash_key(&true), 0x22a2_c420_c6a0_e629);
        assert_eq!(
            hash128(b"user:42", DEFAULT_SEED),
            0x44fb_0304_e6be_7901_fcc8_e612_a0da_b23a
        );
    }

    #[test]
    fn usize_hashes_as_u64_on_every_platform() {
        let h = Xxh3::default();
        assert_eq!(h.hash_key(&42_usize), h.hash_key(&42_u64));
        assert_eq!(h.hash_key(&-3_isize), h.hash_key(&-3_i64));
    }

    #[test]
    fn owned_and_borrowed_keys_agree() {
        let h = Xxh3::default();
        let s = String::from("k");
        assert_eq!(h.hash_key(&s), h.hash_key("k"));
        assert_eq!(h.hash_key(&&s), h.hash_key(b"k"));
        assert_eq!(
            h.hash_key(&b"k".to_vec()),
            h.hash_key(&Box::<str>::from("k"))
        );
        assert_eq!(
            h.hash_key(&std::sync::Arc::<str>::from("k")),
            h.hash_key("k")
        );
    }

    #[test]
    fn mix64_is_a_bijection_on_samples() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..10_000_u64 {
            assert!(seen.insert(mix64(i)));
        }
    }
}
