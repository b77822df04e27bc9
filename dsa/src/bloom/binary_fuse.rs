//! Binary fuse filters (Graf & Lemire, "Binary Fuse Filters: Fast and Smaller
//! Than Xor Filters", 2022): static filters built once from a key set, with
//! three memory accesses per lookup and about 9 (8-bit) or 18 (16-bit) bits
//! per key.
//!
//! # How a key is looked up
//!
//! 1. The key's canonical bytes ([`StableKey`]) are hashed with XXH3-64 under
//!    the filter's key seed ([`DEFAULT_SEED`] unless built with a
//!    `*_with_seed` constructor; stored in the bytes): the *key hash*. Filters built
//!    with `from_hashes` take key hashes directly.
//! 2. The key hash is mixed with the construction seed:
//!    `h = mix64(key_hash + seed)` ([`mix64`], wrapping add).
//! 3. Three positions, one in each of three consecutive segments, as in the
//!    reference C implementation (`binaryfusefilter.h`):
//!    `h0 = (h · segment_count_length) >> 64`,
//!    `h1 = (h0 + L) ^ ((h >> 18) & (L − 1))`,
//!    `h2 = (h0 + 2L) ^ (h & (L − 1))`, with `L` the segment length.
//! 4. The fingerprint `h ^ (h >> 32)`, truncated to 8 or 16 bits, combined by XOR with
//!    the three stored fingerprints, must be zero.
//!
//! # Sizing
//!
//! Exactly the reference implementation's (arity 3): segment length
//! `L = 2^⌊ln(n)/ln(3.33) + 2.25⌋` (at most 2^18, 4 for `n = 0`), capacity
//! `round(n · max(1.125, 0.875 + 0.25 · ln(10^6)/ln(n)))` (0 for `n ≤ 1`),
//! `segment_count = max(1, ⌈capacity/L⌉ − 2)`, and
//! `(segment_count + 2) · L` fingerprints in all.
//!
//! # Construction
//!
//! Key hashes are mixed with the attempt's seed, grouped by their top bits
//! (one counting-sort pass, so the peeling walks memory in order) and peeled
//! as in the reference implementation. Duplicate keys can never be peeled: the
//! first failure sorts the hashes once, and if duplicates were there it starts
//! over from the first seed on the distinct hashes (so they can never stall
//! construction, and cost nothing when absent). Any other failed peeling
//! retries with the next seed of a fixed `SplitMix64` sequence, at most
//! [`MAX_ATTEMPTS`] attempts in all, then returns [`Error::ConstructionFailed`].
//! The result depends only on the set of key hashes: the same set gives the
//! same bytes on every machine, with or without the `rayon` feature.

use super::Error;
use super::format::{FormatError, Kind, Reader, Writer};
use crate::hash::{DEFAULT_SEED, StableKey, hash64, mix64};

#[cfg(feature = "rayon")]
use rayon::prelude::*;

/// How many seeds construction tries before it gives up with
/// [`Error::ConstructionFailed`]. With distinct key hashes one attempt almost
/// always succeeds.
const MAX_ATTEMPTS: u32 = 100;

/// Largest segment length, as in the reference implementation.
const MAX_SEGMENT_LENGTH: u32 = 1 << 18;
/// First state of the `SplitMix64` seed sequence (the reference implementation's).
const RNG_START: u64 = 0x726b_2b9d_438b_9d4d;
/// Below this many keys, hashing and sorting stay on one thread.
#[cfg(feature = "rayon")]
const PARALLEL_MIN: usize = 1 << 16;

/// A fingerprint type: `u8` or `u16`.
trait Fingerprint:
    Copy + Default + Eq + core::ops::BitXor<Output = Self> + Send + Sync + 'static
{
    const BYTES: usize;
    const KIND: Kind;
    fn from_hash(hash: u64) -> Self;
    fn append_le(fps: &[Self], out: &mut Vec<u8>);
    fn read_le(bytes: &[u8]) -> Vec<Self>;
}

impl Fingerprint for u8 {
    const BYTES: usize = 1;
    const KIND: Kind = Kind::BinaryFuse8;
    #[inline]
    #[allow(clippy::cast_possible_truncation)] // truncation is the definition
    fn from_hash(hash: u64) -> Self {
        (hash ^ (hash >> 32)) as u8
    }
    fn append_le(fps: &[Self], out: &mut Vec<u8>) {
        out.extend_from_slice(fps);
    }
    fn read_le(bytes: &[u8]) -> Vec<Self> {
        bytes.to_vec()
    }
}

impl Fingerprint for u16 {
    const BYTES: usize = 2;
    const KIND: Kind = Kind::BinaryFuse16;
    #[inline]
    #[allow(clippy::cast_possible_truncation)] // truncation is the definition
    fn from_hash(hash: u64) -> Self {
        (hash ^ (hash >> 32)) as u16
    }
    fn append_le(fps: &[Self], out: &mut Vec<u8>) {
        for f in fps {
            out.extend_from_slice(&f.to_le_bytes());
        }
    }
    fn read_le(bytes: &[u8]) -> Vec<Self> {
        bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect()
    }
}

/// The `SplitMix64` generator (seeds of successive construction attempts).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Segment geometry of a filter. Invariants (checked by [`Layout::new`]):
/// `segment_length` is a power of two in `1..=2^18`, `segment_count >= 1`,
/// and `(segment_count + 2) * segment_length` fits in a `u32`. Then every
/// position from [`Layout::positions`] is below [`Layout::array_len`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Layout {
    segment_length: u32,
    segment_length_mask: u32,
    segment_count: u32,
    segment_count_length: u32,
    array_len: u32,
}

impl Layout {
    fn new(segment_length: u32, segment_count: u32) -> Option<Self> {
        if !segment_length.is_power_of_two()
            || segment_length > MAX_SEGMENT_LENGTH
            || segment_count == 0
        {
            return None;
        }
        let segment_count_length = segment_count.checked_mul(segment_length)?;
        let array_len = segment_count.checked_add(2)?.checked_mul(segment_length)?;
        Some(Self {
            segment_length,
            segment_length_mask: segment_length - 1,
            segment_count,
            segment_count_length,
            array_len,
        })
    }

    /// The reference implementation's layout for `size` distinct keys.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    fn for_size(size: usize) -> Result<Self, Error> {
        let n = size as f64;
        let segment_length = if size == 0 {
            4
        } else {
            // floor(ln(n)/ln(3.33) + 2.25) is at most 20 for n < 2^32.
            let exp = (n.ln() / 3.33_f64.ln() + 2.25).floor() as u32;
            1_u32
                .checked_shl(exp)
                .map_or(MAX_SEGMENT_LENGTH, |l| l.min(MAX_SEGMENT_LENGTH))
        };
        let size_factor = if size <= 1 {
            0.0
        } else {
            f64::max(1.125, 0.875 + 0.25 * 1_000_000_f64.ln() / n.ln())
        };
        let capacity = (n * size_factor).round();
        if capacity > f64::from(u32::MAX) {
            return Err(Error::TooLarge);
        }
        let capacity = capacity as u32;
        let segments = capacity.div_ceil(segment_length);
        let segment_count = if segments <= 2 { 1 } else { segments - 2 };
        Self::new(segment_length, segment_count).ok_or(Error::TooLarge)
    }

    /// The three positions of a mixed hash, each below `array_len`.
    #[inline]
    #[allow(clippy::cast_possible_truncation)]
    fn positions(&self, hash: u64) -> [usize; 3] {
        // < segment_count_length, so it fits in u32.
        let h0 = ((u128::from(hash) * u128::from(self.segment_count_length)) >> 64) as u32;
        // h0 + 2L <= array_len, which fits in u32: no overflow. XOR with a
        // value below L stays inside the segment.
        let h1 = (h0 + self.segment_length) ^ ((hash >> 18) as u32 & self.segment_length_mask);
        let h2 = (h0 + 2 * self.segment_length) ^ (hash as u32 & self.segment_length_mask);
        [h0 as usize, h1 as usize, h2 as usize]
    }
}

/// The filter, generic over the fingerprint type.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Fuse<F> {
    key_seed: u64,
    seed: u64,
    len: u64,
    layout: Layout,
    /// Exactly `layout.array_len` entries (checked at construction and in
    /// `from_bytes`), so `positions` always indexes in bounds.
    fingerprints: Box<[F]>,
}

/// Scratch space of the peeling, reused across attempts.
struct Scratch {
    /// The sorted, distinct mixed hashes; then the peeling order.
    order: Vec<u64>,
    /// Which of its three slots each peeled key was peeled from.
    found: Vec<u8>,
    t2count: Vec<u8>,
    t2hash: Vec<u64>,
    alone: Vec<u32>,
}

#[inline]
fn mod3(x: u8) -> u8 {
    if x > 2 { x - 3 } else { x }
}

/// `out` = `mix64(h + seed)` for every `h` in `hashes`, grouped by their top
/// `bucket_bits` bits (one counting-sort pass). `h0` grows with the mixed
/// hash, so the counting pass of [`Fuse::peel`] then walks the slot array
/// roughly in order instead of at random. The peeling itself does not depend
/// on the order of its input, only on the multiset of hashes.
#[allow(clippy::cast_possible_truncation)] // bucket indices are below 2^16
fn mix_grouped(hashes: &[u64], seed: u64, bucket_bits: u32, out: &mut Vec<u64>) {
    let mixed = |h: u64| mix64(h.wrapping_add(seed));
    out.clear();
    if bucket_bits == 0 {
        out.extend(hashes.iter().map(|&h| mixed(h)));
        return;
    }
    let shift = 64 - bucket_bits;
    let mut starts = vec![0_usize; (1 << bucket_bits) + 1];
    #[cfg(feature = "rayon")]
    let scratch: Vec<u64> = if hashes.len() >= PARALLEL_MIN {
        hashes.par_iter().map(|&h| mixed(h)).collect()
    } else {
        hashes.iter().map(|&h| mixed(h)).collect()
    };
    #[cfg(not(feature = "rayon"))]
    let scratch: Vec<u64> = hashes.iter().map(|&h| mixed(h)).collect();
    for &m in &scratch {
        starts[(m >> shift) as usize + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    out.resize(scratch.len(), 0);
    for &m in &scratch {
        let bucket = &mut starts[(m >> shift) as usize];
        out[*bucket] = m;
        *bucket += 1;
    }
}

/// The distinct values of `hashes`, sorted (in parallel for large inputs).
fn distinct(hashes: &[u64]) -> Vec<u64> {
    let mut out = hashes.to_vec();
    #[cfg(feature = "rayon")]
    {
        if out.len() >= PARALLEL_MIN {
            out.par_sort_unstable();
            out.dedup();
            return out;
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

impl Layout {
    /// Bits of the counting-sort pass: about one bucket per segment.
    fn bucket_bits(&self) -> u32 {
        if self.segment_count < 4 {
            0
        } else {
            (32 - (self.segment_count - 1).leading_zeros()).min(16)
        }
    }
}

impl Scratch {
    fn new(size: usize, layout: &Layout) -> Self {
        let cap = layout.array_len as usize;
        Self {
            order: Vec::with_capacity(size),
            found: vec![0; size],
            t2count: vec![0; cap],
            t2hash: vec![0; cap],
            alone: vec![0; cap + 1],
        }
    }
}

impl<F: Fingerprint> Fuse<F> {
    /// Builds from key hashes (any order, duplicates allowed).
    ///
    /// Duplicates can never be peeled (both copies share all three slots), so
    /// a first attempt runs on the hashes as given and only a failure pays
    /// for sorting them: if that finds duplicates, construction starts over
    /// from the first seed on the distinct hashes. A set with duplicates
    /// therefore builds exactly the filter of its distinct elements, and the
    /// result depends only on the set of hashes.
    fn build(hashes: &[u64], key_seed: u64) -> Result<Self, Error> {
        let mut rng = RNG_START;
        let mut seed = splitmix64(&mut rng);
        let first_seed = seed;
        let mut owned: Option<Vec<u64>> = None;
        let mut deduplicated = false;
        let mut layout = Layout::for_size(hashes.len())?;
        let mut s = Scratch::new(hashes.len(), &layout);
        let mut attempts = 0;
        loop {
            let input = owned.as_deref().unwrap_or(hashes);
            mix_grouped(input, seed, layout.bucket_bits(), &mut s.order);
            if Self::peel(&layout, &mut s) {
                break;
            }
            attempts += 1;
            if attempts >= MAX_ATTEMPTS {
                return Err(Error::ConstructionFailed);
            }
            if !deduplicated {
                deduplicated = true;
                let unique = distinct(input);
                if unique.len() != input.len() {
                    layout = Layout::for_size(unique.len())?;
                    s = Scratch::new(unique.len(), &layout);
                    owned = Some(unique);
                    rng = RNG_START;
                    seed = first_seed;
                    let _ = splitmix64(&mut rng);
                    continue;
                }
            }
            seed = splitmix64(&mut rng);
            s.t2count.fill(0);
            s.t2hash.fill(0);
        }
        let cap = layout.array_len as usize;
        let mut fingerprints = vec![F::default(); cap].into_boxed_slice();
        for (&hash, &found) in s.order.iter().zip(&s.found).rev() {
            let [h0, h1, h2] = layout.positions(hash);
            let h = [h0, h1, h2, h0, h1];
            let found = usize::from(found);
            fingerprints[h[found]] =
                F::from_hash(hash) ^ fingerprints[h[found + 1]] ^ fingerprints[h[found + 2]];
        }
        Ok(Self {
            key_seed,
            seed,
            len: s.order.len() as u64,
            layout,
            fingerprints,
        })
    }

    /// One construction attempt over the mixed hashes in `s.order`; on
    /// success `s.order` and `s.found` hold the peeling order.
    #[allow(clippy::cast_possible_truncation)]
    fn peel(layout: &Layout, s: &mut Scratch) -> bool {
        let size = s.order.len();
        let (t2count, t2hash) = (&mut s.t2count, &mut s.t2hash);
        for &hash in &s.order {
            let [h0, h1, h2] = layout.positions(hash);
            t2count[h0] = t2count[h0].wrapping_add(4);
            t2hash[h0] ^= hash;
            t2count[h1] = t2count[h1].wrapping_add(4) ^ 1;
            t2hash[h1] ^= hash;
            t2count[h2] = t2count[h2].wrapping_add(4) ^ 2;
            t2hash[h2] ^= hash;
            // A count that wrapped (64 keys on one slot): give up this seed.
            if t2count[h0] < 4 || t2count[h1] < 4 || t2count[h2] < 4 {
                return false;
            }
        }

        let alone = &mut s.alone;
        let mut qsize = 0_usize;
        for (i, &c) in t2count.iter().enumerate() {
            alone[qsize] = i as u32;
            qsize += usize::from(c >> 2 == 1);
        }
        let mut stack = 0_usize;
        while qsize > 0 {
            qsize -= 1;
            let index = alone[qsize] as usize;
            if t2count[index] >> 2 != 1 {
                continue;
            }
            let hash = t2hash[index];
            let found = t2count[index] & 3;
            if stack >= size {
                return false;
            }
            s.found[stack] = found;
            s.order[stack] = hash;
            stack += 1;
            let [h0, h1, h2] = layout.positions(hash);
            let h = [h0, h1, h2, h0, h1];
            for step in 1..=2_u8 {
                let other = h[usize::from(found + step)];
                alone[qsize] = other as u32;
                qsize += usize::from(t2count[other] >> 2 == 2);
                t2count[other] = t2count[other].wrapping_sub(4) ^ mod3(found + step);
                t2hash[other] ^= hash;
            }
        }
        stack == size
    }

    #[inline]
    fn contains_hash(&self, key_hash: u64) -> bool {
        let hash = mix64(key_hash.wrapping_add(self.seed));
        let [h0, h1, h2] = self.layout.positions(hash);
        let fp = &self.fingerprints;
        // In bounds: positions are below layout.array_len == fp.len().
        F::from_hash(hash) ^ fp[h0] ^ fp[h1] ^ fp[h2] == F::default()
    }

    #[allow(clippy::cast_precision_loss)]
    fn bits_per_key(&self) -> f64 {
        if self.len == 0 {
            return 0.0;
        }
        (self.fingerprints.len() * F::BYTES * 8) as f64 / self.len as f64
    }

    fn to_bytes(&self) -> Vec<u8> {
        let payload = 32 + self.fingerprints.len() * F::BYTES;
        let mut w = Writer::new(F::KIND, payload);
        w.u64(self.key_seed)
            .u64(self.seed)
            .u64(self.len)
            .u32(self.layout.segment_length)
            .u32(self.layout.segment_count);
        let mut buf = Vec::with_capacity(8192);
        for chunk in self.fingerprints.chunks(4096) {
            buf.clear();
            F::append_le(chunk, &mut buf);
            w.bytes(&buf);
        }
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::open(bytes, F::KIND)?;
        let key_seed = r.u64()?;
        let seed = r.u64()?;
        let len = r.u64()?;
        let segment_length = r.u32()?;
        let segment_count = r.u32()?;
        let layout = Layout::new(segment_length, segment_count).ok_or(
            FormatError::InvalidParameters("binary fuse segment length or count out of range"),
        )?;
        if len > u64::from(layout.array_len) {
            return Err(FormatError::InvalidParameters(
                "binary fuse key count exceeds its capacity",
            )
            .into());
        }
        let n_bytes = (layout.array_len as usize).checked_mul(F::BYTES).ok_or(
            FormatError::InvalidParameters("binary fuse array too large"),
        )?;
        // The length is checked against the remaining bytes before allocating.
        let raw = r.bytes(n_bytes)?;
        r.finish()?;
        Ok(Self {
            key_seed,
            seed,
            len,
            layout,
            fingerprints: F::read_le(raw).into_boxed_slice(),
        })
    }
}

/// Key hashes of `keys` under `seed` (in parallel for large slices).
fn hash_slice<K: StableKey + Sync>(keys: &[K], seed: u64) -> Vec<u64> {
    let one = |k: &K| k.with_key_bytes(|b| hash64(b, seed));
    #[cfg(feature = "rayon")]
    {
        if keys.len() >= PARALLEL_MIN {
            return keys.par_iter().map(one).collect();
        }
    }
    keys.iter().map(one).collect()
}

/// One public binary fuse filter type over `Fuse<$fp>`: `BinaryFuse8` and
/// `BinaryFuse16` share every method and differ only in their fingerprint.
macro_rules! fuse_filter {
    (
        $name:ident, $fp:ty, $bits:literal,
        doc: $doc1:literal, $doc2:literal,
        bits_per_key: $typbpk:literal < $maxbpk:literal, $lo:literal .. $hi:literal,
        rate: $rate:literal, min_size: $minsize:literal $(,)?
    ) => {
        #[doc = concat!(" ", $doc1)]
        #[doc = concat!(" ", $doc2)]
        ///
        /// Build it once from the complete key set (Graf & Lemire, 2022); it cannot
        /// be changed afterwards. Duplicate keys are removed before construction,
        /// which retries with a new seed at most 100 times and never loops forever.
        ///
        /// # Hashing and sizing (part of the stable format)
        ///
        /// A key's canonical bytes are hashed with XXH3-64 under the key seed
        /// ([`DEFAULT_SEED`], or the one given to a `*_with_seed` constructor; stored
        /// in the bytes): the key hash, see [`hash_key`](Self::hash_key). It is mixed with the
        /// construction seed (`mix64(key_hash + seed)`, [`mix64`](crate::hash::mix64))
        /// and mapped to three fingerprint slots in consecutive segments exactly as in
        /// the reference C implementation. Segment length and array size follow the
        /// reference implementation too (`calculate_segment_length` and
        /// `calculate_size_factor`, arity 3).
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!(" use pillars_dsa::bloom::", stringify!($name), ";")]
        ///
        /// let keys: Vec<String> = (0..10_000).map(|i| format!("user:{i}")).collect();
        #[doc = concat!(" let filter = ", stringify!($name), "::from_slice(&keys)?;")]
        /// assert!(keys.iter().all(|k| filter.contains(k)));
        #[doc = concat!(" assert!(filter.bits_per_key() < ", $maxbpk, "); // ", $typbpk, " from about a million keys on")]
        /// # Ok::<(), pillars_dsa::bloom::Error>(())
        /// ```
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name {
            inner: Fuse<$fp>,
        }

        impl $name {
            /// Builds a filter from 64-bit key hashes (any order, duplicates
            /// allowed: they are removed first). [`contains_hash`](Self::contains_hash)
            /// then answers for these hashes. Use this when keys are already hashed;
            /// to look keys up with [`contains`](Self::contains), build from
            /// [`hash_key`](Self::hash_key) values or use [`from_keys`](Self::from_keys).
            ///
            /// # Errors
            ///
            /// [`Error::TooLarge`] for more than about 3.8 billion distinct hashes;
            /// [`Error::ConstructionFailed`] if 100 seeds all fail (practically
            /// never).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::bloom::", stringify!($name), ";")]
            ///
            #[doc = concat!(" let filter = ", stringify!($name), "::from_hashes(&[1, 2, 3, 3, 3])?;")]
            /// assert_eq!(filter.len(), 3);
            /// assert!(filter.contains_hash(2));
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            pub fn from_hashes(hashes: &[u64]) -> Result<Self, Error> {
                Fuse::build(hashes, DEFAULT_SEED).map(|inner| Self { inner })
            }

            /// Builds a filter from keys, hashed one by one through their canonical
            /// bytes (duplicates allowed). For a slice, [`from_slice`](Self::from_slice)
            /// hashes in parallel.
            ///
            /// # Errors
            ///
            /// As [`from_hashes`](Self::from_hashes).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::bloom::", stringify!($name), ";")]
            ///
            #[doc = concat!(" let filter = ", stringify!($name), "::from_keys([\"a\", \"b\", \"c\", \"a\"])?;")]
            /// assert_eq!(filter.len(), 3);
            /// assert!(filter.contains("b"));
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            pub fn from_keys<I>(keys: I) -> Result<Self, Error>
            where
                I: IntoIterator,
                I::Item: StableKey,
            {
                Self::from_keys_with_seed(keys, DEFAULT_SEED)
            }

            /// Builds a filter from a slice of keys (duplicates allowed), hashing in
            /// parallel with the `rayon` feature for large slices. The bytes are the
            /// same as a sequential build.
            ///
            /// # Errors
            ///
            /// As [`from_hashes`](Self::from_hashes).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::bloom::", stringify!($name), ";")]
            ///
            /// let keys: Vec<u64> = (0..1000).collect();
            #[doc = concat!(" let filter = ", stringify!($name), "::from_slice(&keys)?;")]
            /// assert!(filter.contains(&999_u64));
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            pub fn from_slice<K: StableKey + Sync>(keys: &[K]) -> Result<Self, Error> {
                Self::from_slice_with_seed(keys, DEFAULT_SEED)
            }

            /// As [`from_keys`](Self::from_keys), hashing keys under `key_seed`
            /// instead of [`DEFAULT_SEED`]. The key seed is stored in the bytes, so
            /// [`from_bytes`](Self::from_bytes) and [`contains`](Self::contains)
            /// honour it; filters of the same keys under different key seeds give
            /// independent false positives. (The construction seed is separate and
            /// internal.)
            ///
            /// # Errors
            ///
            /// As [`from_hashes`](Self::from_hashes).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::bloom::", stringify!($name), ";")]
            ///
            #[doc = concat!(" let filter = ", stringify!($name), "::from_keys_with_seed([\"a\", \"b\"], 42)?;")]
            /// assert_eq!(filter.key_seed(), 42);
            #[doc = concat!(" let copy = ", stringify!($name), "::from_bytes(&filter.to_bytes())?;")]
            /// assert!(copy.contains("a") && copy.contains("b"));
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            pub fn from_keys_with_seed<I>(keys: I, key_seed: u64) -> Result<Self, Error>
            where
                I: IntoIterator,
                I::Item: StableKey,
            {
                let hashes: Vec<u64> = keys
                    .into_iter()
                    .map(|k| k.with_key_bytes(|b| hash64(b, key_seed)))
                    .collect();
                Fuse::build(&hashes, key_seed).map(|inner| Self { inner })
            }

            /// As [`from_slice`](Self::from_slice) (parallel hashing for large
            /// slices), hashing keys under `key_seed`: see
            /// [`from_keys_with_seed`](Self::from_keys_with_seed).
            ///
            /// # Errors
            ///
            /// As [`from_hashes`](Self::from_hashes).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::bloom::", stringify!($name), ";")]
            ///
            /// let keys: Vec<u64> = (0..1000).collect();
            #[doc = concat!(" let filter = ", stringify!($name), "::from_slice_with_seed(&keys, 7)?;")]
            #[doc = concat!(" assert_eq!(filter, ", stringify!($name), "::from_keys_with_seed(keys.iter().copied(), 7)?);")]
            /// assert!(keys.iter().all(|k| filter.contains(k)));
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            pub fn from_slice_with_seed<K: StableKey + Sync>(
                keys: &[K],
                key_seed: u64,
            ) -> Result<Self, Error> {
                Fuse::build(&hash_slice(keys, key_seed), key_seed).map(|inner| Self { inner })
            }

            /// As [`from_hashes`](Self::from_hashes), for key hashes computed under
            /// `key_seed` (XXH3-64 of the canonical key bytes,
            /// [`hash64`](crate::hash::hash64)), so that [`contains`](Self::contains)
            /// hashes keys the same way.
            ///
            /// # Errors
            ///
            /// As [`from_hashes`](Self::from_hashes).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::{bloom::", stringify!($name), ", hash::hash64};")]
            ///
            #[doc = concat!(" let filter = ", stringify!($name), "::from_hashes_with_seed(&[hash64(b\"k\", 9)], 9)?;")]
            /// assert!(filter.contains(b"k".as_slice()));
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            pub fn from_hashes_with_seed(hashes: &[u64], key_seed: u64) -> Result<Self, Error> {
                Fuse::build(hashes, key_seed).map(|inner| Self { inner })
            }

            /// The seed keys are hashed under ([`DEFAULT_SEED`] unless built with a
            /// `*_with_seed` constructor).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::{bloom::", stringify!($name), ", hash::DEFAULT_SEED};")]
            ///
            #[doc = concat!(" assert_eq!(", stringify!($name), "::from_keys([\"a\"])?.key_seed(), DEFAULT_SEED);")]
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            pub fn key_seed(&self) -> u64 {
                self.inner.key_seed
            }

            /// Looks up every key of `keys` at once, in parallel (rayon) for
            /// batches of [`PARALLEL_BATCH_MIN`](super::PARALLEL_BATCH_MIN) keys or
            /// more; answer `i` is [`contains`](Self::contains)`(&keys[i])`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::bloom::", stringify!($name), ";")]
            ///
            /// let keys: Vec<u64> = (0..10_000).collect();
            #[doc = concat!(" let filter = ", stringify!($name), "::from_slice(&keys)?;")]
            /// assert!(filter.contains_batch(&keys).iter().all(|&hit| hit));
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            #[cfg(feature = "rayon")]
            pub fn contains_batch<K: StableKey + Sync>(&self, keys: &[K]) -> Vec<bool> {
                super::batch::map_keys(keys, |k| self.contains(k))
            }

            /// The key hash that [`contains`](Self::contains) looks up in a filter
            /// with the default key seed: XXH3-64 of the key's canonical bytes under
            /// [`DEFAULT_SEED`] (for another key seed, see
            /// [`from_hashes_with_seed`](Self::from_hashes_with_seed)).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::bloom::", stringify!($name), ";")]
            ///
            #[doc = concat!(" let filter = ", stringify!($name), "::from_hashes(&[", stringify!($name), "::hash_key(\"k\")])?;")]
            /// assert!(filter.contains("k"));
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            #[inline]
            pub fn hash_key<K: StableKey + ?Sized>(key: &K) -> u64 {
                key.with_key_bytes(|b| hash64(b, DEFAULT_SEED))
            }

            /// `false` if `key` is definitely not in the set; `true` if it probably
            #[doc = concat!(" is (false positives at about ", $rate, ").")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::bloom::", stringify!($name), ";")]
            ///
            #[doc = concat!(" let filter = ", stringify!($name), "::from_keys([\"x\", \"y\"])?;")]
            /// assert!(filter.contains("x"));
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            #[inline]
            pub fn contains<K: StableKey + ?Sized>(&self, key: &K) -> bool {
                self.inner
                    .contains_hash(key.with_key_bytes(|b| hash64(b, self.inner.key_seed)))
            }

            /// [`contains`](Self::contains) for a key hash (see
            /// [`from_hashes`](Self::from_hashes)). Three memory reads, no branches.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::bloom::", stringify!($name), ";")]
            ///
            #[doc = concat!(" let filter = ", stringify!($name), "::from_hashes(&[10, 20])?;")]
            /// assert!(filter.contains_hash(10) && filter.contains_hash(20));
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            #[inline]
            pub fn contains_hash(&self, hash: u64) -> bool {
                self.inner.contains_hash(hash)
            }

            /// The number of distinct keys (key hashes) the filter was built from.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::bloom::", stringify!($name), ";")]
            ///
            #[doc = concat!(" assert_eq!(", stringify!($name), "::from_keys([1_u32, 2, 2])?.len(), 2);")]
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            #[allow(clippy::cast_possible_truncation)] // at most u32::MAX keys
            pub fn len(&self) -> usize {
                self.inner.len as usize
            }

            /// `true` if the filter was built from no keys (it then still answers
            #[doc = concat!(" `true` for about ", $rate, " of all keys, like any other false positive).")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::bloom::", stringify!($name), ";")]
            ///
            #[doc = concat!(" assert!(", stringify!($name), "::from_hashes(&[])?.is_empty());")]
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            pub fn is_empty(&self) -> bool {
                self.inner.len == 0
            }

            /// Bits of fingerprint storage per key (0 for an empty filter).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::bloom::", stringify!($name), ";")]
            ///
            #[doc = concat!(" let filter = ", stringify!($name), "::from_hashes(&(0..100_000).collect::<Vec<u64>>())?;")]
            #[doc = concat!(" assert!(filter.bits_per_key() > ", $lo, " && filter.bits_per_key() < ", $hi, ");")]
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            pub fn bits_per_key(&self) -> f64 {
                self.inner.bits_per_key()
            }

            #[doc = concat!(" Bits per fingerprint: ", $bits, ".")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::bloom::", stringify!($name), ";")]
            ///
            #[doc = concat!(" assert_eq!(", stringify!($name), "::from_hashes(&[1])?.fingerprint_bits(), ", $bits, ");")]
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            pub const fn fingerprint_bits(&self) -> u32 {
                $bits
            }

            /// Bytes of fingerprint storage.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::bloom::", stringify!($name), ";")]
            ///
            #[doc = concat!(" let filter = ", stringify!($name), "::from_hashes(&(0..1000).collect::<Vec<u64>>())?;")]
            #[doc = concat!(" assert!(filter.size_in_bytes() >= ", $minsize, ");")]
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            pub fn size_in_bytes(&self) -> usize {
                self.inner.fingerprints.len() * core::mem::size_of::<$fp>()
            }

            #[doc = concat!(" The filter in the stable byte format ([`Kind::", stringify!($name), "`]): header,")]
            /// key seed (u64), construction seed (u64), key count (u64), segment
            /// length (u32), segment count (u32), `(segment_count + 2) · segment_length`
            /// fingerprints, checksum.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::bloom::", stringify!($name), ";")]
            ///
            #[doc = concat!(" let filter = ", stringify!($name), "::from_keys([\"a\", \"b\"])?;")]
            #[doc = concat!(" assert_eq!(", stringify!($name), "::from_bytes(&filter.to_bytes())?, filter);")]
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            pub fn to_bytes(&self) -> Vec<u8> {
                self.inner.to_bytes()
            }

            /// Reads a filter written by [`to_bytes`](Self::to_bytes).
            ///
            /// # Errors
            ///
            /// [`Error::Format`] for truncated, corrupt or inconsistent bytes (segment
            /// parameters and array length are checked before anything is allocated).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!(" use pillars_dsa::bloom::{", stringify!($name), ", Error};")]
            ///
            #[doc = concat!(" let bytes = ", stringify!($name), "::from_keys([\"a\"])?.to_bytes();")]
            #[doc = concat!(" assert!(", stringify!($name), "::from_bytes(&bytes).is_ok());")]
            #[doc = concat!(" assert!(matches!(", stringify!($name), "::from_bytes(&bytes[1..]), Err(Error::Format(_))));")]
            /// # Ok::<(), pillars_dsa::bloom::Error>(())
            /// ```
            pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
                Fuse::from_bytes(bytes).map(|inner| Self { inner })
            }
        }
    };
}

fuse_filter!(
    BinaryFuse8, u8, 8,
    doc: "A static binary fuse filter with 8-bit fingerprints: about 9 bits per key",
        "and a false-positive rate of about 2^-8 (0.39 %). No false negatives.",
    bits_per_key: "9.0" < "11.0", "8.0" .. "9.6",
    rate: "1/256", min_size: "1000",
);

fuse_filter!(
    BinaryFuse16, u16, 16,
    doc: "A static binary fuse filter with 16-bit fingerprints: about 18 bits per key",
        "and a false-positive rate of about 2^-16 (0.0015 %). No false negatives.",
    bits_per_key: "18.0" < "22.0", "16.0" .. "19.2",
    rate: "1/65536", min_size: "2000",
);

#[cfg(feature = "serde")]
super::bloom_filter::serde_impl::bytes_serde!(BinaryFuse8);

#[cfg(feature = "serde")]
super::bloom_filter::serde_impl::bytes_serde!(BinaryFuse16);
