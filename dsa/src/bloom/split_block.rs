//! The split-block Bloom filter of Apache Parquet (`BloomFilter.md` in
//! parquet-format; Putze, Sanders & Singler, "Cache-, Hash- and
//! Space-Efficient Bloom Filters", 2007).

use super::Error;
use super::format::{FormatError, Kind, Reader, Writer};
use crate::hash::{DEFAULT_SEED, StableKey, hash64};

/// The eight odd salt constants of the Parquet specification.
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

/// Most blocks: the block index is `(upper32 · blocks) >> 32`.
const MAX_BLOCKS: u64 = 1 << 32;
const BLOCK_BYTES: usize = 32;

/// One 256-bit block: eight 32-bit words, aligned so a block never straddles
/// a cache line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C, align(32))]
struct Block([u32; 8]);

/// Sets the eight bits of `x` in a block (one per word). Compiled twice, for
/// the baseline target and for AVX2 (one `vpmulld`, shift and OR), and the
/// AVX2 copy is chosen at run time where the CPU has it: the baseline x86-64
/// target has no 32-bit lane multiply, so portable code runs scalar there.
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn block_insert(words: &mut [u32; 8], x: u32) {
    for (w, salt) in words.iter_mut().zip(SALT) {
        *w |= 1 << (x.wrapping_mul(salt) >> 27);
    }
}

/// Whether all eight bits of `x` are set in a block: bit 0 of
/// `word >> bit`, combined with `&` over the words, branch free. Dispatched like
/// [`block_insert`].
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn block_contains(words: &[u32; 8], x: u32) -> bool {
    let mut all = 1;
    for (&word, salt) in words.iter().zip(SALT) {
        all &= word >> (x.wrapping_mul(salt) >> 27);
    }
    all & 1 == 1
}

/// Expected false-positive rate with `lambda` keys per block on average:
/// `Σ_i Poisson(i; λ) · (1 − (31/32)^i)^8` (each key sets one bit in each of
/// the eight 32-bit words of its block).
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
fn fpr_for_load(lambda: f64) -> f64 {
    if lambda <= 0.0 || lambda.is_nan() {
        return 0.0;
    }
    let ln_lambda = lambda.ln();
    let ln_keep = (31.0_f64 / 32.0).ln();
    let last = (lambda + 12.0 * lambda.sqrt() + 40.0).ceil() as u64;
    let mut ln_p = -lambda; // ln Poisson(0; λ)
    let mut sum = 0.0;
    for i in 1..=last {
        let x = i as f64;
        ln_p += ln_lambda - x.ln();
        let word = 1.0 - (ln_keep * x).exp();
        sum += ln_p.exp() * word.powi(8);
    }
    sum.min(1.0)
}

/// A split-block Bloom filter (Parquet's SBBF): the filter is an array of
/// 256-bit blocks; a key touches one block (one cache line, one cache miss)
/// and sets or checks one bit in each of its eight 32-bit words.
///
/// # Hashing (part of the stable format)
///
/// A key's canonical bytes ([`StableKey`]) are hashed with XXH3-64 under the
/// filter's seed ([`DEFAULT_SEED`] unless set with
/// [`with_seed`](Self::with_seed); stored in the bytes). From a 64-bit hash `h`, exactly as the
/// Parquet specification: block `((h >> 32) · blocks) >> 32`, and in word
/// `i` the bit `(lower32(h) · SALT[i]) >> 27`. With
/// [`insert_hash`](Self::insert_hash) and Parquet's XXH64 (seed 0) hashes the
/// bit layout is Parquet's.
///
/// # Sizing
///
/// A split-block filter needs more bits than a classic Bloom filter for the
/// same rate, because keys are spread unevenly over blocks.
/// [`with_rate`](Self::with_rate) uses the exact expected rate
/// `Σ_i Poisson(i; n/blocks) · (1 − (31/32)^i)^8` and takes the fewest blocks
/// that meet the target (about 10.5 bits per key at 1 %, 16.9 at 0.1 %).
///
/// # Examples
///
/// ```
/// use pillars_dsa::bloom::SplitBlockBloomFilter;
///
/// let mut filter = SplitBlockBloomFilter::with_rate(1000, 0.01)?;
/// filter.insert("apple");
/// assert!(filter.contains("apple"));
/// assert!(!filter.contains("pear")); // true with probability about 99 %
/// # Ok::<(), pillars_dsa::bloom::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitBlockBloomFilter {
    seed: u64,
    /// At least 1 and at most 2^32 blocks.
    blocks: Vec<Block>,
}

impl SplitBlockBloomFilter {
    /// A filter sized for `items` keys at false-positive rate `fpr`.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroItems`] if `items` is 0, [`Error::InvalidFpr`] unless
    /// `0 < fpr < 1`, [`Error::TooLarge`] beyond 2^32 blocks (128 GiB).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::SplitBlockBloomFilter;
    ///
    /// let filter = SplitBlockBloomFilter::with_rate(1_000_000, 0.01)?;
    /// assert!(filter.size_in_bytes() > 1_000_000 && filter.size_in_bytes() < 1_500_000);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    pub fn with_rate(items: u64, fpr: f64) -> Result<Self, Error> {
        if items == 0 {
            return Err(Error::ZeroItems);
        }
        if !(fpr > 0.0 && fpr < 1.0) {
            return Err(Error::InvalidFpr(fpr));
        }
        // The largest load (keys per block) that meets the target.
        let (mut lo, mut hi) = (0.0_f64, 256.0_f64);
        if fpr_for_load(hi) <= fpr {
            lo = hi;
        } else {
            for _ in 0..100 {
                let mid = 0.5 * (lo + hi);
                if fpr_for_load(mid) <= fpr {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
        }
        if lo <= 0.0 {
            return Err(Error::TooLarge);
        }
        let n = items as f64;
        let estimate = (n / lo).ceil();
        if estimate > MAX_BLOCKS as f64 {
            return Err(Error::TooLarge);
        }
        let mut blocks = (estimate as u64).max(1);
        // Correct rounding at the edge of the bisection.
        while blocks < MAX_BLOCKS && fpr_for_load(n / blocks as f64) > fpr {
            blocks += 1;
        }
        Self::with_blocks(blocks)
    }

    /// A filter of `bytes` bytes, rounded up to whole 32-byte blocks.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroBits`] if `bytes` is 0, [`Error::TooLarge`] beyond 2^32
    /// blocks.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::SplitBlockBloomFilter;
    ///
    /// assert_eq!(SplitBlockBloomFilter::with_bytes(100)?.size_in_bytes(), 128);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn with_bytes(bytes: u64) -> Result<Self, Error> {
        if bytes == 0 {
            return Err(Error::ZeroBits);
        }
        Self::with_blocks(bytes.div_ceil(BLOCK_BYTES as u64))
    }

    fn with_blocks(blocks: u64) -> Result<Self, Error> {
        if blocks > MAX_BLOCKS {
            return Err(Error::TooLarge);
        }
        let n = usize::try_from(blocks).map_err(|_| Error::TooLarge)?;
        let mut v = Vec::new();
        v.try_reserve_exact(n).map_err(|_| Error::TooLarge)?;
        v.resize(n, Block::default());
        Ok(Self {
            seed: DEFAULT_SEED,
            blocks: v,
        })
    }

    /// The same filter hashing keys under `seed` instead of
    /// [`DEFAULT_SEED`]; clears it (bits set under another seed would answer
    /// wrongly). The seed is stored in [`to_bytes`](Self::to_bytes) and
    /// restored by [`from_bytes`](Self::from_bytes). Filters with different
    /// seeds cannot be combined.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::SplitBlockBloomFilter;
    ///
    /// let mut filter = SplitBlockBloomFilter::with_rate(100, 0.01)?.with_seed(42);
    /// filter.insert("a");
    /// let copy = SplitBlockBloomFilter::from_bytes(&filter.to_bytes())?;
    /// assert_eq!(copy.seed(), 42);
    /// assert!(copy.contains("a"));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self.clear();
        self
    }

    /// The seed keys are hashed under ([`DEFAULT_SEED`] unless set with
    /// [`with_seed`](Self::with_seed)).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::{bloom::SplitBlockBloomFilter, hash::DEFAULT_SEED};
    ///
    /// assert_eq!(SplitBlockBloomFilter::with_bytes(32)?.seed(), DEFAULT_SEED);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The 64-bit hash of `key` that [`insert`](Self::insert) and
    /// [`contains`](Self::contains) use.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::SplitBlockBloomFilter;
    ///
    /// let mut filter = SplitBlockBloomFilter::with_bytes(1024)?;
    /// filter.insert_hash(filter.hash_key("k"));
    /// assert!(filter.contains("k"));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[inline]
    pub fn hash_key<K: StableKey + ?Sized>(&self, key: &K) -> u64 {
        key.with_key_bytes(|b| hash64(b, self.seed))
    }

    #[inline]
    #[allow(clippy::cast_possible_truncation)]
    fn block_index(&self, hash: u64) -> usize {
        // blocks.len() <= 2^32, so the result is below blocks.len().
        (((hash >> 32) * self.blocks.len() as u64) >> 32) as usize
    }

    /// Adds `key`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::SplitBlockBloomFilter;
    ///
    /// let mut filter = SplitBlockBloomFilter::with_rate(100, 0.01)?;
    /// filter.insert(&42_u64);
    /// assert!(filter.contains(&42_u64));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[inline]
    pub fn insert<K: StableKey + ?Sized>(&mut self, key: &K) {
        self.insert_hash(self.hash_key(key));
    }

    /// Adds a 64-bit hash (for example Parquet's XXH64 of a value).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::SplitBlockBloomFilter;
    ///
    /// let mut filter = SplitBlockBloomFilter::with_bytes(32)?;
    /// filter.insert_hash(0xdead_beef);
    /// assert!(filter.contains_hash(0xdead_beef));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[inline]
    #[allow(clippy::cast_possible_truncation)]
    pub fn insert_hash(&mut self, hash: u64) {
        let i = self.block_index(hash);
        if let Some(block) = self.blocks.get_mut(i) {
            block_insert(&mut block.0, hash as u32);
        }
    }

    /// `false` if `key` was definitely never inserted; `true` if it probably
    /// was.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::SplitBlockBloomFilter;
    ///
    /// let mut filter = SplitBlockBloomFilter::with_rate(100, 0.01)?;
    /// filter.insert("a");
    /// assert!(filter.contains("a"));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[inline]
    pub fn contains<K: StableKey + ?Sized>(&self, key: &K) -> bool {
        self.contains_hash(self.hash_key(key))
    }

    /// Looks up every key of `keys` at once, in parallel (rayon) for
    /// batches of [`PARALLEL_BATCH_MIN`](super::PARALLEL_BATCH_MIN) keys or
    /// more; answer `i` is [`contains`](Self::contains)`(&keys[i])`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::SplitBlockBloomFilter;
    ///
    /// let mut filter = SplitBlockBloomFilter::with_rate(100, 0.01)?;
    /// filter.insert("a");
    /// assert_eq!(filter.contains_batch(&["a", "a"]), [true, true]);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[cfg(feature = "rayon")]
    pub fn contains_batch<K: StableKey + Sync>(&self, keys: &[K]) -> Vec<bool> {
        super::batch::map_keys(keys, |k| self.contains(k))
    }

    /// [`contains`](Self::contains) for a 64-bit hash.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::SplitBlockBloomFilter;
    ///
    /// let mut filter = SplitBlockBloomFilter::with_bytes(32)?;
    /// filter.insert_hash(7);
    /// assert!(filter.contains_hash(7));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[inline]
    #[allow(clippy::cast_possible_truncation)]
    pub fn contains_hash(&self, hash: u64) -> bool {
        let i = self.block_index(hash);
        let x = hash as u32;
        let Some(block) = self.blocks.get(i) else {
            return false;
        };
        block_contains(&block.0, x)
    }

    /// Adds every key of `other` (bitwise OR).
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] if the filters differ in size or seed.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::SplitBlockBloomFilter;
    ///
    /// let mut a = SplitBlockBloomFilter::with_rate(100, 0.01)?;
    /// let mut b = a.clone();
    /// a.insert("x");
    /// b.insert("y");
    /// a.union(&b)?;
    /// assert!(a.contains("x") && a.contains("y"));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn union(&mut self, other: &Self) -> Result<(), Error> {
        if self.seed != other.seed || self.blocks.len() != other.blocks.len() {
            return Err(Error::Incompatible);
        }
        for (a, b) in self.blocks.iter_mut().zip(&other.blocks) {
            for (x, y) in a.0.iter_mut().zip(b.0) {
                *x |= y;
            }
        }
        Ok(())
    }

    /// Removes every key.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::SplitBlockBloomFilter;
    ///
    /// let mut filter = SplitBlockBloomFilter::with_bytes(64)?;
    /// filter.insert("a");
    /// filter.clear();
    /// assert!(filter.is_empty());
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn clear(&mut self) {
        self.blocks.fill(Block::default());
    }

    /// `true` if no key was inserted (no bit is set).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::SplitBlockBloomFilter;
    ///
    /// assert!(SplitBlockBloomFilter::with_bytes(64)?.is_empty());
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.blocks.iter().all(|b| b.0 == [0; 8])
    }

    /// The number of 256-bit blocks.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::SplitBlockBloomFilter;
    ///
    /// assert_eq!(SplitBlockBloomFilter::with_bytes(64)?.num_blocks(), 2);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn num_blocks(&self) -> usize {
        self.blocks.len()
    }

    /// The size of the bit array in bytes (32 per block).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::SplitBlockBloomFilter;
    ///
    /// assert_eq!(SplitBlockBloomFilter::with_bytes(64)?.size_in_bytes(), 64);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn size_in_bytes(&self) -> usize {
        self.blocks.len() * BLOCK_BYTES
    }

    /// The expected false-positive rate after `items` distinct keys.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::SplitBlockBloomFilter;
    ///
    /// let filter = SplitBlockBloomFilter::with_rate(10_000, 0.01)?;
    /// let rate = filter.estimated_fpr(10_000);
    /// assert!(rate <= 0.01 && rate > 0.009);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[allow(clippy::cast_precision_loss)]
    pub fn estimated_fpr(&self, items: u64) -> f64 {
        fpr_for_load(items as f64 / self.blocks.len() as f64)
    }

    /// The filter in the stable byte format ([`Kind::SplitBlock`]): header,
    /// seed (u64), block count (u64), the blocks as little-endian u32 words,
    /// checksum.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::SplitBlockBloomFilter;
    ///
    /// let mut filter = SplitBlockBloomFilter::with_rate(100, 0.01)?;
    /// filter.insert("a");
    /// assert_eq!(SplitBlockBloomFilter::from_bytes(&filter.to_bytes())?, filter);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(Kind::SplitBlock, 16 + self.size_in_bytes());
        w.u64(self.seed).u64(self.blocks.len() as u64);
        let mut buf = Vec::with_capacity(BLOCK_BYTES * 256);
        for chunk in self.blocks.chunks(256) {
            buf.clear();
            for b in chunk {
                for word in b.0 {
                    buf.extend_from_slice(&word.to_le_bytes());
                }
            }
            w.bytes(&buf);
        }
        w.finish()
    }

    /// Reads a filter written by [`to_bytes`](Self::to_bytes).
    ///
    /// # Errors
    ///
    /// [`Error::Format`] for truncated, corrupt or inconsistent bytes (the
    /// block count is checked against the remaining bytes before anything is
    /// allocated).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::{Error, SplitBlockBloomFilter};
    ///
    /// let bytes = SplitBlockBloomFilter::with_bytes(32)?.to_bytes();
    /// assert!(SplitBlockBloomFilter::from_bytes(&bytes).is_ok());
    /// assert!(matches!(SplitBlockBloomFilter::from_bytes(&bytes[..10]), Err(Error::Format(_))));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::open(bytes, Kind::SplitBlock)?;
        let seed = r.u64()?;
        let count = r.u64()?;
        if count == 0 || count > MAX_BLOCKS {
            return Err(FormatError::InvalidParameters("split-block count out of range").into());
        }
        let n_bytes = usize::try_from(count)
            .ok()
            .and_then(|c| c.checked_mul(BLOCK_BYTES))
            .ok_or(FormatError::InvalidParameters(
                "split-block filter too large",
            ))?;
        let raw = r.bytes(n_bytes)?;
        r.finish()?;
        let blocks = raw
            .chunks_exact(BLOCK_BYTES)
            .map(|c| {
                let mut b = Block::default();
                for (w, q) in b.0.iter_mut().zip(c.chunks_exact(4)) {
                    *w = u32::from_le_bytes([q[0], q[1], q[2], q[3]]);
                }
                b
            })
            .collect();
        Ok(Self { seed, blocks })
    }
}

#[cfg(feature = "serde")]
super::bloom_filter::serde_impl::bytes_serde!(SplitBlockBloomFilter);
