//! The cache-blocked Bloom filter and the layout it shares with
//! [`AtomicBloomFilter`](super::AtomicBloomFilter) and
//! [`ScalableBloomFilter`](super::ScalableBloomFilter).
//!
//! # Layout (part of the stable format)
//!
//! The bits are split into blocks of 512 bits (eight `u64` words, one
//! 64-byte cache line, stored cache-line aligned). A key is hashed once with
//! [`KeyHash::of`] into two 64-bit halves `h1`, `h2`:
//!
//! * its block is `reduce(h1, blocks)` (Lemire's multiply-shift), and
//! * its `k` bit positions inside the block are the top 9 bits of
//!   `h2 · SALT[i]` (wrapping), `i` in `0..k`, where `SALT[i]` is
//!   `mix64(0x9E37_79B9_7F4A_7C15 · (i + 1)) | 1`.
//!
//! So a lookup touches exactly one cache line, whatever `k` is. A blocked
//! filter needs somewhat more bits than the classic formula for the same
//! false-positive rate (a block holds a Poisson-distributed number of keys,
//! and fuller blocks answer "maybe" more often); [`BloomFilter::with_rate`]
//! sizes the filter with the exact blocked formula, so the rate you ask for
//! is the rate you get.

use std::fmt;

use super::Error;
use super::format::{FormatError, Kind, Reader, Writer};
use super::hashing::{KeyHash, reduce};
use crate::hash::{DEFAULT_SEED, StableKey, mix64};

/// Bits in one block (one cache line).
pub(crate) const BLOCK_BITS: u64 = 512;
/// `u64` words in one block.
pub(crate) const BLOCK_WORDS: usize = 8;
/// The most hash functions (bits set per key) a filter accepts.
pub const MAX_HASHES: u32 = 64;
/// The most bits a filter may hold: 2^40 bits (128 GiB).
pub const MAX_BITS: u64 = 1 << 40;
/// The layout byte written in the format: 1 = blocked, 512-bit blocks.
const LAYOUT_BLOCKED_512: u8 = 1;

/// The per-probe multipliers (odd, well mixed). Part of the stable format.
const SALTS: [u64; MAX_HASHES as usize] = {
    let mut s = [0u64; MAX_HASHES as usize];
    let mut i = 0;
    while i < s.len() {
        s[i] = mix64(0x9E37_79B9_7F4A_7C15_u64.wrapping_mul(i as u64 + 1)) | 1;
        i += 1;
    }
    s
};

/// One 512-bit block, aligned to a cache line.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
#[repr(C, align(64))]
pub(crate) struct Block(pub(crate) [u64; BLOCK_WORDS]);

/// Where a key's bits live: its block, and the hash its in-block bit
/// positions come from.
#[derive(Clone, Copy)]
pub(crate) struct Probe {
    pub(crate) block: usize,
    h2: u64,
    k: usize,
}

impl Probe {
    /// The block and in-block positions of a hashed key.
    #[inline]
    pub(crate) fn new(h: KeyHash, blocks: usize, k: u32) -> Self {
        // `blocks` fits in u64 and the result is below it, so both casts are lossless.
        #[allow(clippy::cast_possible_truncation)]
        let block = reduce(h.h1, blocks as u64) as usize;
        Self {
            block,
            h2: h.h2,
            k: k as usize,
        }
    }

    /// The in-block positions as (word index, bit mask) pairs.
    #[inline]
    pub(crate) fn bits(self) -> impl Iterator<Item = (usize, u64)> {
        let salts = SALTS.get(..self.k).unwrap_or(&SALTS);
        salts.iter().map(move |&salt| {
            let pos = self.h2.wrapping_mul(salt) >> 55; // 0..512
            ((pos >> 6) as usize & (BLOCK_WORDS - 1), 1u64 << (pos & 63))
        })
    }

    /// Whether every bit of the probe is set in `words`.
    #[inline]
    pub(crate) fn is_set_in(self, words: &[u64; BLOCK_WORDS]) -> bool {
        self.bits().all(|(w, m)| words[w] & m != 0)
    }
}

/// Checks a false-positive rate: strictly between 0 and 1.
pub(crate) fn check_fpr(fpr: f64) -> Result<(), Error> {
    if fpr > 0.0 && fpr < 1.0 {
        Ok(())
    } else {
        Err(Error::InvalidFpr(fpr))
    }
}

/// The expected false-positive rate of a blocked filter holding `n` keys in
/// `blocks` blocks of 512 bits with `k` bits per key: the number of keys in
/// the block of an absent key is Poisson with mean `n / blocks`.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub(crate) fn blocked_fpr(n: f64, blocks: f64, k: u32) -> f64 {
    let kf = f64::from(k);
    let ln_miss = (1.0 - 1.0 / BLOCK_BITS as f64).ln();
    let given = |j: f64| (1.0 - (kf * j * ln_miss).exp()).powf(kf);
    let lambda = n / blocks;
    if lambda.is_nan() || lambda <= 0.0 {
        return 0.0;
    }
    if lambda > 2000.0 {
        // Blocks this full are all about equally full: the classic formula.
        return given(lambda);
    }
    let ln_lambda = lambda.ln();
    let last = (lambda + 12.0 * lambda.sqrt() + 30.0).ceil() as u32;
    let mut ln_fact = 0.0;
    let mut sum = 0.0;
    for j in 0..=last {
        let jf = f64::from(j);
        if j > 0 {
            ln_fact += jf.ln();
        }
        sum += (jf * ln_lambda - lambda - ln_fact).exp() * given(jf);
    }
    sum.min(1.0)
}

/// The fewest blocks, and the number of hashes, that keep `items` keys at or
/// below `fpr`.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn size_for(items: u64, fpr: f64) -> Result<(u64, u32), Error> {
    check_fpr(fpr)?;
    if items == 0 {
        return Err(Error::ZeroItems);
    }
    let n = items as f64;
    let max_blocks = MAX_BITS / BLOCK_BITS;
    // The classic (unblocked) optimum is a lower bound on the blocked size.
    let classic_bits = -n * fpr.ln() / (std::f64::consts::LN_2 * std::f64::consts::LN_2);
    if classic_bits > MAX_BITS as f64 {
        return Err(Error::TooLarge);
    }
    let k_opt = (-fpr.log2()).ceil();
    let k_max = if k_opt + 8.0 >= f64::from(MAX_HASHES) {
        MAX_HASHES
    } else {
        // In range 1..64: the conversion is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let k = k_opt as u32 + 8;
        k
    };
    let mut best: Option<(u64, u32)> = None;
    for k in 1..=k_max {
        if blocked_fpr(n, max_blocks as f64, k) > fpr {
            continue;
        }
        // Smallest block count in lo..=hi meeting the rate (monotone in blocks).
        let (mut lo, mut hi) = (1u64, max_blocks);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if blocked_fpr(n, mid as f64, k) <= fpr {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        if best.is_none_or(|(b, _)| lo < b) {
            best = Some((lo, k));
        }
    }
    best.ok_or(Error::TooLarge)
}

/// Allocates `n` zeroed items without aborting on failure.
pub(crate) fn try_zeroed<T: Default + Clone>(n: u64) -> Result<Vec<T>, Error> {
    let n = usize::try_from(n).map_err(|_| Error::TooLarge)?;
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| Error::TooLarge)?;
    v.resize(n, T::default());
    Ok(v)
}

/// Checks `with_bits` arguments; returns the number of blocks.
pub(crate) fn check_bits(bits: u64, hashes: u32) -> Result<u64, Error> {
    if bits == 0 {
        return Err(Error::ZeroBits);
    }
    if hashes == 0 {
        return Err(Error::ZeroHashes);
    }
    if bits > MAX_BITS || hashes > MAX_HASHES {
        return Err(Error::TooLarge);
    }
    Ok(bits.div_ceil(BLOCK_BITS))
}

/// Writes the shared Bloom payload: layout, hashes, seed, word count, words.
pub(crate) fn write_payload<'a>(
    w: &mut Writer,
    hashes: u32,
    seed: u64,
    blocks: impl ExactSizeIterator<Item = [u64; BLOCK_WORDS]> + 'a,
) {
    let words = blocks.len() as u64 * BLOCK_WORDS as u64;
    w.u8(LAYOUT_BLOCKED_512).u32(hashes).u64(seed).u64(words);
    w.u64s(blocks.flat_map(IntoIterator::into_iter));
}

/// The bytes [`write_payload`] writes for `blocks` blocks.
pub(crate) fn payload_len(blocks: usize) -> usize {
    1 + 4 + 8 + 8 + blocks.saturating_mul(BLOCK_WORDS * 8)
}

/// Reads what [`write_payload`] wrote, validating every field before the
/// words are allocated.
pub(crate) fn read_payload(r: &mut Reader<'_>) -> Result<(u32, u64, Vec<Block>), FormatError> {
    if r.u8()? != LAYOUT_BLOCKED_512 {
        return Err(FormatError::InvalidParameters("unknown bloom layout"));
    }
    let hashes = r.u32()?;
    if hashes == 0 || hashes > MAX_HASHES {
        return Err(FormatError::InvalidParameters("hash count out of range"));
    }
    let seed = r.u64()?;
    let words = r.u64()?;
    if words == 0 || words % BLOCK_WORDS as u64 != 0 || words > MAX_BITS / 64 {
        return Err(FormatError::InvalidParameters("bad bloom word count"));
    }
    let n = usize::try_from(words).map_err(|_| FormatError::InvalidParameters("too large"))?;
    // `u64s` checks the remaining length before allocating.
    let flat = r.u64s(n)?;
    let blocks = flat
        .chunks_exact(BLOCK_WORDS)
        .map(|c| {
            let mut b = Block::default();
            b.0.copy_from_slice(c);
            b
        })
        .collect();
    Ok((hashes, seed, blocks))
}

/// Swamidass–Baldi estimate of the number of keys from the set bits.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub(crate) fn estimate_len(set_bits: u64, bits: u64, hashes: u32) -> u64 {
    if set_bits >= bits {
        return u64::MAX;
    }
    let m = bits as f64;
    let est = -(m / f64::from(hashes)) * (1.0 - set_bits as f64 / m).ln();
    // Saturating float-to-int conversion is what we want here.
    est.round() as u64
}

/// The probability that an absent key is reported present, given the bits
/// set in each block: the mean over blocks of `(set / 512)^k`.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn fill_fpr(popcounts: impl ExactSizeIterator<Item = u32>, hashes: u32) -> f64 {
    let blocks = popcounts.len();
    if blocks == 0 {
        return 0.0;
    }
    let k = i32::try_from(hashes).unwrap_or(i32::MAX);
    let sum: f64 = popcounts
        .map(|c| (f64::from(c) / BLOCK_BITS as f64).powi(k))
        .sum();
    sum / blocks as f64
}

/// A Bloom filter: a set that answers "definitely not present" or "probably
/// present", in a fixed amount of memory, with no false negatives.
///
/// Keys are anything [`StableKey`] (strings, byte slices, integers, your own
/// types with a canonical byte form), *not* [`std::hash::Hash`]: std's hash
/// is not stable across platforms or Rust releases, and a Bloom filter is
/// often persisted or shared between processes, where every reader must set
/// and test the same bits. The filter has no key type parameter, so one
/// filter can hold keys of several types (a `u64` and the `[u8]` of its
/// little-endian bytes are the same key).
///
/// The layout is cache-blocked (see the [module docs](super)): each key sets
/// `k` bits inside one 64-byte block, so an insert or lookup costs one hash
/// and one cache miss.
///
/// # Examples
///
/// ```
/// use pillars_dsa::bloom::BloomFilter;
///
/// let mut seen = BloomFilter::with_rate(10_000, 0.01)?;
/// assert!(seen.insert("alice"));      // possibly absent before
/// assert!(!seen.insert("alice"));     // now certainly "maybe present"
/// assert!(seen.contains("alice"));    // never a false negative
/// assert!(!seen.contains("bob"));     // probably not (1% false positives)
///
/// // Persist and reload: the bytes are the same on every platform.
/// let bytes = seen.to_bytes();
/// let again = BloomFilter::from_bytes(&bytes)?;
/// assert!(again.contains("alice"));
/// # Ok::<(), pillars_dsa::bloom::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BloomFilter {
    blocks: Vec<Block>,
    hashes: u32,
    seed: u64,
}

impl BloomFilter {
    /// A filter sized for `expected_items` keys at false-positive rate `fpr`
    /// (for example `0.01` for 1%), with the fewest bits that achieve it
    /// under the blocked layout (about 9.9 bits per key and 6 hashes at 1%,
    /// 15.5 bits and 9 hashes at 0.1%: 3% more memory than an unblocked
    /// filter).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidFpr`] unless `0 < fpr < 1`, [`Error::ZeroItems`] if
    /// `expected_items` is 0, [`Error::TooLarge`] if the filter would exceed
    /// [`MAX_BITS`] or cannot be allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::{BloomFilter, Error};
    ///
    /// let f = BloomFilter::with_rate(1_000_000, 0.01)?;
    /// assert!(f.bits_per_key(1_000_000) < 11.0);
    /// assert!(matches!(BloomFilter::with_rate(1000, 0.0), Err(Error::InvalidFpr(_))));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_rate(expected_items: u64, fpr: f64) -> Result<Self, Error> {
        let (blocks, hashes) = size_for(expected_items, fpr)?;
        Self::from_blocks(blocks, hashes)
    }

    /// A filter of `bits` bits (rounded up to a multiple of 512) setting
    /// `hashes` bits per key.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroBits`] / [`Error::ZeroHashes`] for zero arguments,
    /// [`Error::TooLarge`] if `bits` exceeds [`MAX_BITS`], `hashes` exceeds
    /// [`MAX_HASHES`], or the allocation fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let f = BloomFilter::with_bits(1000, 7)?;
    /// assert_eq!(f.bits(), 1024);
    /// assert_eq!(f.hashes(), 7);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn with_bits(bits: u64, hashes: u32) -> Result<Self, Error> {
        let blocks = check_bits(bits, hashes)?;
        Self::from_blocks(blocks, hashes)
    }

    fn from_blocks(blocks: u64, hashes: u32) -> Result<Self, Error> {
        Ok(Self {
            blocks: try_zeroed(blocks)?,
            hashes,
            seed: DEFAULT_SEED,
        })
    }

    /// The same filter hashing under `seed` instead of
    /// [`DEFAULT_SEED`]; clears the filter, since existing bits were set
    /// under the old seed. Filters with different seeds cannot be combined.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let f = BloomFilter::with_rate(100, 0.01)?.with_seed(42);
    /// assert_eq!(f.seed(), 42);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.reset(seed);
        self
    }

    pub(crate) fn from_parts(blocks: Vec<Block>, hashes: u32, seed: u64) -> Self {
        Self {
            blocks,
            hashes,
            seed,
        }
    }

    /// Clears the filter and sets its seed.
    pub(crate) fn reset(&mut self, seed: u64) {
        self.seed = seed;
        self.clear();
    }

    /// The blocks' words, for writers.
    pub(crate) fn block_words(&self) -> impl ExactSizeIterator<Item = [u64; BLOCK_WORDS]> + '_ {
        self.blocks.iter().map(|b| b.0)
    }

    pub(crate) fn into_parts(self) -> (Vec<Block>, u32, u64) {
        (self.blocks, self.hashes, self.seed)
    }

    #[inline]
    pub(crate) fn probe_of(&self, h: KeyHash) -> Probe {
        Probe::new(h, self.blocks.len(), self.hashes)
    }

    /// Sets a hashed key's bits; whether any was newly set.
    #[inline]
    pub(crate) fn insert_hash(&mut self, h: KeyHash) -> bool {
        let p = self.probe_of(h);
        let Some(block) = self.blocks.get_mut(p.block) else {
            return false; // unreachable: reduce() < len
        };
        let mut new = 0u64;
        for (w, m) in p.bits() {
            let word = &mut block.0[w];
            new |= !*word & m;
            *word |= m;
        }
        new != 0
    }

    /// Whether a hashed key's bits are all set.
    #[inline]
    pub(crate) fn contains_hash(&self, h: KeyHash) -> bool {
        let p = self.probe_of(h);
        self.blocks.get(p.block).is_some_and(|b| p.is_set_in(&b.0))
    }

    /// Adds `key`. Returns `true` if the key was possibly absent before (at
    /// least one of its bits was newly set), `false` if it was already
    /// reported present.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let mut f = BloomFilter::with_rate(100, 0.01)?;
    /// assert!(f.insert(&42_u64));
    /// assert!(!f.insert(&42_u64));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[inline]
    pub fn insert<K: StableKey + ?Sized>(&mut self, key: &K) -> bool {
        self.insert_hash(KeyHash::of(key, self.seed))
    }

    /// Whether `key` may be present: `false` means certainly absent, `true`
    /// means present or a false positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let mut f = BloomFilter::with_rate(100, 0.01)?;
    /// f.insert(b"key".as_slice());
    /// assert!(f.contains(b"key".as_slice()));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn contains<K: StableKey + ?Sized>(&self, key: &K) -> bool {
        self.contains_hash(KeyHash::of(key, self.seed))
    }

    /// Adds every key of `keys` (owned keys or references).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let mut f = BloomFilter::with_rate(100, 0.01)?;
    /// f.insert_all(["a", "b", "c"]);
    /// f.insert_all(1_u32..10);
    /// assert!(f.contains("b") && f.contains(&5_u32));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn insert_all<Q: StableKey>(&mut self, keys: impl IntoIterator<Item = Q>) {
        for k in keys {
            self.insert(&k);
        }
    }

    /// Whether every key of `keys` may be present (`true` for no keys).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let mut f = BloomFilter::with_rate(100, 0.01)?;
    /// f.insert_all(["a", "b"]);
    /// assert!(f.contains_all(["a", "b"]));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn contains_all<Q: StableKey>(&self, keys: impl IntoIterator<Item = Q>) -> bool {
        keys.into_iter().all(|k| self.contains(&k))
    }

    /// Looks up every key of `keys` at once, in parallel (rayon) for
    /// batches of [`PARALLEL_BATCH_MIN`](super::PARALLEL_BATCH_MIN) keys or
    /// more; answer `i` is [`contains`](Self::contains)`(&keys[i])`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let mut f = BloomFilter::with_rate(100_000, 0.01)?;
    /// f.insert_all(0_u64..50_000);
    /// let keys: Vec<u64> = (0..100_000).collect();
    /// let hits = f.contains_batch(&keys);
    /// assert!(hits[..50_000].iter().all(|&h| h)); // never a false negative
    /// assert_eq!(hits, keys.iter().map(|k| f.contains(k)).collect::<Vec<_>>());
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[cfg(feature = "rayon")]
    #[must_use]
    pub fn contains_batch<K: StableKey + Sync>(&self, keys: &[K]) -> Vec<bool> {
        super::batch::map_keys(keys, |k| self.contains(k))
    }

    /// Removes every key (clears all bits), keeping size, hashes and seed.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let mut f = BloomFilter::with_rate(100, 0.01)?;
    /// f.insert("x");
    /// f.clear();
    /// assert!(!f.contains("x"));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn clear(&mut self) {
        self.blocks.fill(Block::default());
    }

    /// Whether no bit is set (no key was inserted since the last clear).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let mut f = BloomFilter::with_rate(100, 0.01)?;
    /// assert!(f.is_empty());
    /// f.insert("x");
    /// assert!(!f.is_empty());
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.blocks.iter().all(|b| b.0 == [0; BLOCK_WORDS])
    }

    fn check_compatible(&self, other: &Self) -> Result<(), Error> {
        if self.blocks.len() == other.blocks.len()
            && self.hashes == other.hashes
            && self.seed == other.seed
        {
            Ok(())
        } else {
            Err(Error::Incompatible)
        }
    }

    /// Adds every key of `other` to `self` (bitwise OR): afterwards `self`
    /// reports present every key either filter reported present.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] unless both filters have the same bits,
    /// hashes and seed; `self` is then unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let mut a = BloomFilter::with_rate(100, 0.01)?;
    /// let mut b = a.clone();
    /// a.insert("a");
    /// b.insert("b");
    /// a.union(&b)?;
    /// assert!(a.contains("a") && a.contains("b"));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn union(&mut self, other: &Self) -> Result<(), Error> {
        self.check_compatible(other)?;
        for (a, b) in self.blocks.iter_mut().zip(&other.blocks) {
            for (x, y) in a.0.iter_mut().zip(&b.0) {
                *x |= y;
            }
        }
        Ok(())
    }

    /// Keeps only bits set in both filters (bitwise AND): every key inserted
    /// into both is still reported present. The false-positive rate is at
    /// most that of either filter, though higher than a filter built from the
    /// intersection alone.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] unless both filters have the same bits,
    /// hashes and seed; `self` is then unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let mut a = BloomFilter::with_rate(100, 0.01)?;
    /// let mut b = a.clone();
    /// a.insert_all(["both", "only a"]);
    /// b.insert_all(["both", "only b"]);
    /// a.intersect(&b)?;
    /// assert!(a.contains("both"));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn intersect(&mut self, other: &Self) -> Result<(), Error> {
        self.check_compatible(other)?;
        for (a, b) in self.blocks.iter_mut().zip(&other.blocks) {
            for (x, y) in a.0.iter_mut().zip(&b.0) {
                *x &= y;
            }
        }
        Ok(())
    }

    /// The number of bits set.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let mut f = BloomFilter::with_bits(512, 3)?;
    /// f.insert("x");
    /// assert!((1..=3).contains(&f.count_ones()));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn count_ones(&self) -> u64 {
        self.blocks
            .iter()
            .flat_map(|b| b.0)
            .map(|w| u64::from(w.count_ones()))
            .sum()
    }

    /// An estimate of the number of distinct keys inserted, from the number
    /// of set bits (Swamidass & Baldi 2007): `−(m/k)·ln(1 − X/m)`.
    /// `u64::MAX` when every bit is set. Reads every bit: O(bits).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let mut f = BloomFilter::with_rate(10_000, 0.01)?;
    /// f.insert_all(0_u64..5000);
    /// let est = f.estimated_len();
    /// assert!((4800..5200).contains(&est), "{est}");
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn estimated_len(&self) -> u64 {
        estimate_len(self.count_ones(), self.bits(), self.hashes)
    }

    /// The probability that a key never inserted is reported present, given
    /// the bits set now: the mean over blocks of `(set bits / 512)^k`.
    /// Reads every bit: O(bits).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let mut f = BloomFilter::with_rate(10_000, 0.01)?;
    /// assert_eq!(f.expected_fpr(), 0.0);
    /// f.insert_all(0_u64..10_000);
    /// assert!((0.008..0.012).contains(&f.expected_fpr()));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn expected_fpr(&self) -> f64 {
        fill_fpr(
            self.blocks
                .iter()
                .map(|b| b.0.iter().map(|w| w.count_ones()).sum()),
            self.hashes,
        )
    }

    /// The number of bits (a multiple of 512).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// assert_eq!(BloomFilter::with_bits(512, 4)?.bits(), 512);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn bits(&self) -> u64 {
        self.blocks.len() as u64 * BLOCK_BITS
    }

    /// The number of bits set per key (`k`).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// assert_eq!(BloomFilter::with_bits(512, 4)?.hashes(), 4);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn hashes(&self) -> u32 {
        self.hashes
    }

    /// The hash seed.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::{bloom::BloomFilter, hash::DEFAULT_SEED};
    ///
    /// assert_eq!(BloomFilter::with_bits(512, 4)?.seed(), DEFAULT_SEED);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Memory per key, in bits, if the filter holds `items` keys.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let f = BloomFilter::with_bits(1024, 4)?;
    /// assert_eq!(f.bits_per_key(128), 8.0);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn bits_per_key(&self, items: u64) -> f64 {
        self.bits() as f64 / items as f64
    }

    /// The filter in the stable byte format ([`Kind::Bloom`]): after the
    /// common header, a layout byte (1 = blocked 512), `hashes` (u32), `seed`
    /// (u64), the word count (u64) and the words, all little-endian, then
    /// the checksum.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let f = BloomFilter::with_bits(512, 3)?;
    /// assert_eq!(f.to_bytes().len(), 8 + 21 + 64 + 8);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(Kind::Bloom, payload_len(self.blocks.len()));
        write_payload(
            &mut w,
            self.hashes,
            self.seed,
            self.blocks.iter().map(|b| b.0),
        );
        w.finish()
    }

    /// Reads a filter written by [`to_bytes`](Self::to_bytes).
    ///
    /// # Errors
    ///
    /// [`Error::Format`] if the bytes are truncated, corrupt, of another
    /// kind or version, or hold out-of-range parameters. Never panics, and
    /// allocates only after the lengths are checked against the input.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::BloomFilter;
    ///
    /// let mut f = BloomFilter::with_rate(100, 0.01)?;
    /// f.insert("x");
    /// let g = BloomFilter::from_bytes(&f.to_bytes())?;
    /// assert_eq!(f, g);
    /// assert!(BloomFilter::from_bytes(b"garbage").is_err());
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::open(bytes, Kind::Bloom)?;
        let (hashes, seed, blocks) = read_payload(&mut r)?;
        r.finish()?;
        Ok(Self {
            blocks,
            hashes,
            seed,
        })
    }
}

impl fmt::Debug for BloomFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BloomFilter")
            .field("bits", &self.bits())
            .field("hashes", &self.hashes)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

/// Serde support: a filter serialises as its stable bytes.
#[cfg(feature = "serde")]
pub(crate) mod serde_impl {
    use std::fmt;
    use std::marker::PhantomData;

    use serde::de::{self, SeqAccess, Visitor};

    /// Visits bytes (or a sequence of `u8`) and parses them with `parse`.
    pub(crate) struct BytesVisitor<T> {
        pub(crate) parse: fn(&[u8]) -> Result<T, super::Error>,
        pub(crate) _t: PhantomData<T>,
    }

    impl<'de, T> Visitor<'de> for BytesVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("the bytes of a pillars filter")
        }

        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<T, E> {
            (self.parse)(v).map_err(E::custom)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
            let mut buf = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
            while let Some(b) = seq.next_element::<u8>()? {
                buf.push(b);
            }
            (self.parse)(&buf).map_err(de::Error::custom)
        }
    }

    /// Implements `Serialize`/`Deserialize` through `to_bytes`/`from_bytes`.
    macro_rules! bytes_serde {
        ($t:ty) => {
            impl serde::Serialize for $t {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_bytes(&self.to_bytes())
                }
            }

            impl<'de> serde::Deserialize<'de> for $t {
                fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    d.deserialize_bytes($crate::bloom::bloom_filter::serde_impl::BytesVisitor {
                        parse: <$t>::from_bytes,
                        _t: std::marker::PhantomData,
                    })
                }
            }
        };
    }
    pub(crate) use bytes_serde;

    bytes_serde!(super::BloomFilter);
}
