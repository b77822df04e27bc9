//! A Bloom filter that many threads insert into through `&self`.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use super::Error;
use super::bloom_filter::{
    BLOCK_WORDS, Block, BloomFilter, Probe, check_bits, estimate_len, fill_fpr, payload_len,
    read_payload, size_for, try_zeroed, write_payload,
};
use super::format::{Kind, Reader, Writer};
use super::hashing::KeyHash;
use crate::hash::{DEFAULT_SEED, StableKey};

/// One 512-bit block of atomic words, aligned to a cache line.
#[derive(Default)]
#[repr(C, align(64))]
struct AtomicBlock([AtomicU64; BLOCK_WORDS]);

impl AtomicBlock {
    fn load(&self) -> [u64; BLOCK_WORDS] {
        let mut out = [0; BLOCK_WORDS];
        for (o, w) in out.iter_mut().zip(&self.0) {
            *o = w.load(Ordering::Relaxed);
        }
        out
    }

    fn from_block(b: Block) -> Self {
        Self(b.0.map(AtomicU64::new))
    }
}

/// A [`BloomFilter`] whose inserts take `&self`, so threads can share it
/// (for example in an `Arc`) with no lock. Same layout, sizing, hashing and
/// answers as [`BloomFilter`]; converts to and from it for free-ish (one
/// pass over the bits).
///
/// # Memory ordering
///
/// Inserts set bits with `fetch_or(Relaxed)` and lookups read with
/// `load(Relaxed)`. Bits are only ever set (never cleared through `&self`),
/// so a lookup sees every bit set by an insert that *happened before* it
/// (for example through a join, a channel or a lock) — each word's
/// modification order is respected even with `Relaxed`. A lookup racing with
/// an insert of the same key may answer either way; no stronger ordering
/// would change that. Use your own synchronisation if another memory write
/// must be visible whenever the filter says "present".
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use pillars_dsa::bloom::AtomicBloomFilter;
///
/// let f = Arc::new(AtomicBloomFilter::with_rate(10_000, 0.01)?);
/// let handles: Vec<_> = (0..4_u64)
///     .map(|t| {
///         let f = Arc::clone(&f);
///         std::thread::spawn(move || {
///             for i in 0..100_u64 {
///                 f.insert(&(t * 1000 + i));
///             }
///         })
///     })
///     .collect();
/// for h in handles {
///     h.join().expect("thread panicked");
/// }
/// assert!(f.contains(&3042_u64));
/// # Ok::<(), pillars_dsa::bloom::Error>(())
/// ```
pub struct AtomicBloomFilter {
    blocks: Box<[AtomicBlock]>,
    hashes: u32,
    seed: u64,
}

impl AtomicBloomFilter {
    /// A filter sized for `expected_items` keys at false-positive rate
    /// `fpr`, exactly as [`BloomFilter::with_rate`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidFpr`] unless `0 < fpr < 1`, [`Error::ZeroItems`] if
    /// `expected_items` is 0, [`Error::TooLarge`] if the filter would be
    /// too large or cannot be allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// let f = AtomicBloomFilter::with_rate(1000, 0.01)?;
    /// assert!(!f.contains("x"));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn with_rate(expected_items: u64, fpr: f64) -> Result<Self, Error> {
        let (blocks, hashes) = size_for(expected_items, fpr)?;
        Self::from_blocks(blocks, hashes)
    }

    /// A filter of `bits` bits (rounded up to a multiple of 512) setting
    /// `hashes` bits per key, as [`BloomFilter::with_bits`].
    ///
    /// # Errors
    ///
    /// [`Error::ZeroBits`] / [`Error::ZeroHashes`] for zero arguments,
    /// [`Error::TooLarge`] beyond the limits or if the allocation fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// let f = AtomicBloomFilter::with_bits(4096, 5)?;
    /// assert_eq!((f.bits(), f.hashes()), (4096, 5));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn with_bits(bits: u64, hashes: u32) -> Result<Self, Error> {
        let blocks = check_bits(bits, hashes)?;
        Self::from_blocks(blocks, hashes)
    }

    fn from_blocks(blocks: u64, hashes: u32) -> Result<Self, Error> {
        let blocks: Vec<AtomicBlock> = try_zeroed::<Block>(blocks)?
            .into_iter()
            .map(AtomicBlock::from_block)
            .collect();
        Ok(Self {
            blocks: blocks.into_boxed_slice(),
            hashes,
            seed: DEFAULT_SEED,
        })
    }

    /// The same filter hashing under `seed`; clears it.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// let f = AtomicBloomFilter::with_rate(100, 0.01)?.with_seed(7);
    /// assert_eq!(f.seed(), 7);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self.clear();
        self
    }

    /// Adds `key` (through `&self`, from any thread). Returns `true` if the
    /// key was possibly absent before (this call set at least one bit).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// let f = AtomicBloomFilter::with_rate(100, 0.01)?;
    /// assert!(f.insert("k"));
    /// assert!(!f.insert("k"));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[inline]
    pub fn insert<K: StableKey + ?Sized>(&self, key: &K) -> bool {
        let p = Probe::new(KeyHash::of(key, self.seed), self.blocks.len(), self.hashes);
        let Some(block) = self.blocks.get(p.block) else {
            return false; // unreachable: reduce() < len
        };
        let mut new = 0u64;
        for (w, m) in p.bits() {
            new |= !block.0[w].fetch_or(m, Ordering::Relaxed) & m;
        }
        new != 0
    }

    /// Whether `key` may be present.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// let f = AtomicBloomFilter::with_rate(100, 0.01)?;
    /// f.insert(&1_u64);
    /// assert!(f.contains(&1_u64));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn contains<K: StableKey + ?Sized>(&self, key: &K) -> bool {
        let p = Probe::new(KeyHash::of(key, self.seed), self.blocks.len(), self.hashes);
        self.blocks.get(p.block).is_some_and(|b| {
            p.bits()
                .all(|(w, m)| b.0[w].load(Ordering::Relaxed) & m != 0)
        })
    }

    /// Adds every key of `keys`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// let f = AtomicBloomFilter::with_rate(100, 0.01)?;
    /// f.insert_all(["a", "b"]);
    /// assert!(f.contains_all(["a", "b"]));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn insert_all<Q: StableKey>(&self, keys: impl IntoIterator<Item = Q>) {
        for k in keys {
            self.insert(&k);
        }
    }

    /// Whether every key of `keys` may be present (`true` for no keys).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// let f = AtomicBloomFilter::with_rate(100, 0.01)?;
    /// f.insert("a");
    /// assert!(f.contains_all(["a"]));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn contains_all<Q: StableKey>(&self, keys: impl IntoIterator<Item = Q>) -> bool {
        keys.into_iter().all(|k| self.contains(&k))
    }

    /// Adds every key of `keys` through `&self`, in parallel (rayon,
    /// `fetch_or` on the shared words) for batches of
    /// [`PARALLEL_BATCH_MIN`](super::PARALLEL_BATCH_MIN) keys or more. The
    /// bits set are exactly those of inserting the keys one by one.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// let f = AtomicBloomFilter::with_rate(100_000, 0.01)?;
    /// let keys: Vec<u64> = (0..100_000).collect();
    /// f.insert_batch(&keys);
    /// assert!(f.contains_batch(&keys).iter().all(|&h| h));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[cfg(feature = "rayon")]
    pub fn insert_batch<K: StableKey + Sync>(&self, keys: &[K]) {
        super::batch::for_each_key(keys, |k| {
            self.insert(k);
        });
    }

    /// Looks up every key of `keys` at once, in parallel (rayon) for
    /// batches of [`PARALLEL_BATCH_MIN`](super::PARALLEL_BATCH_MIN) keys or
    /// more; answer `i` is [`contains`](Self::contains)`(&keys[i])`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// let f = AtomicBloomFilter::with_rate(1000, 0.01)?;
    /// f.insert_all(["a", "b"]);
    /// assert_eq!(f.contains_batch(&["a", "b"]), [true, true]);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[cfg(feature = "rayon")]
    #[must_use]
    pub fn contains_batch<K: StableKey + Sync>(&self, keys: &[K]) -> Vec<bool> {
        super::batch::map_keys(keys, |k| self.contains(k))
    }

    /// Removes every key. Takes `&mut self` so no insert can race with it.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// let mut f = AtomicBloomFilter::with_rate(100, 0.01)?;
    /// f.insert("a");
    /// f.clear();
    /// assert!(!f.contains("a"));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn clear(&mut self) {
        for b in &mut self.blocks {
            for w in &mut b.0 {
                *w.get_mut() = 0;
            }
        }
    }

    /// A point-in-time copy as a [`BloomFilter`] (each word read with
    /// `Relaxed`; inserts racing with the copy may or may not be included).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// let f = AtomicBloomFilter::with_rate(100, 0.01)?;
    /// f.insert("a");
    /// assert!(f.snapshot().contains("a"));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn snapshot(&self) -> BloomFilter {
        let blocks = self.blocks.iter().map(|b| Block(b.load())).collect();
        BloomFilter::from_parts(blocks, self.hashes, self.seed)
    }

    /// The number of bits set.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// let f = AtomicBloomFilter::with_rate(100, 0.01)?;
    /// assert_eq!(f.count_ones(), 0);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn count_ones(&self) -> u64 {
        self.blocks
            .iter()
            .flat_map(AtomicBlock::load)
            .map(|w| u64::from(w.count_ones()))
            .sum()
    }

    /// Swamidass–Baldi estimate of the number of distinct keys inserted
    /// (see [`BloomFilter::estimated_len`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// let f = AtomicBloomFilter::with_rate(10_000, 0.01)?;
    /// f.insert_all(0_u64..1000);
    /// assert!((950..1050).contains(&f.estimated_len()));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn estimated_len(&self) -> u64 {
        estimate_len(self.count_ones(), self.bits(), self.hashes)
    }

    /// The false-positive probability given the bits set now (see
    /// [`BloomFilter::expected_fpr`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// let f = AtomicBloomFilter::with_rate(1000, 0.01)?;
    /// f.insert_all(0_u64..1000);
    /// assert!(f.expected_fpr() < 0.015);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn expected_fpr(&self) -> f64 {
        fill_fpr(
            self.blocks
                .iter()
                .map(|b| b.load().iter().map(|w| w.count_ones()).sum()),
            self.hashes,
        )
    }

    /// The number of bits (a multiple of 512).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// assert_eq!(AtomicBloomFilter::with_bits(600, 3)?.bits(), 1024);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn bits(&self) -> u64 {
        self.blocks.len() as u64 * super::bloom_filter::BLOCK_BITS
    }

    /// The number of bits set per key.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// assert_eq!(AtomicBloomFilter::with_bits(600, 3)?.hashes(), 3);
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
    /// use pillars_dsa::{bloom::AtomicBloomFilter, hash::DEFAULT_SEED};
    ///
    /// assert_eq!(AtomicBloomFilter::with_bits(512, 3)?.seed(), DEFAULT_SEED);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The filter in the stable byte format ([`Kind::AtomicBloom`]; the
    /// payload is the same as [`BloomFilter::to_bytes`]'). A snapshot, as
    /// [`snapshot`](Self::snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// let f = AtomicBloomFilter::with_rate(100, 0.01)?;
    /// f.insert("a");
    /// let g = AtomicBloomFilter::from_bytes(&f.to_bytes())?;
    /// assert!(g.contains("a"));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(Kind::AtomicBloom, payload_len(self.blocks.len()));
        write_payload(
            &mut w,
            self.hashes,
            self.seed,
            self.blocks.iter().map(AtomicBlock::load),
        );
        w.finish()
    }

    /// Reads a filter written by [`to_bytes`](Self::to_bytes).
    ///
    /// # Errors
    ///
    /// [`Error::Format`] if the bytes are truncated, corrupt, of another
    /// kind or version, or hold out-of-range parameters. Never panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::AtomicBloomFilter;
    ///
    /// assert!(AtomicBloomFilter::from_bytes(&[0; 40]).is_err());
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::open(bytes, Kind::AtomicBloom)?;
        let (hashes, seed, blocks) = read_payload(&mut r)?;
        r.finish()?;
        Ok(BloomFilter::from_parts(blocks, hashes, seed).into())
    }
}

impl From<BloomFilter> for AtomicBloomFilter {
    /// Makes a filter shareable between threads (same bits and answers).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::{AtomicBloomFilter, BloomFilter};
    ///
    /// let mut f = BloomFilter::with_rate(100, 0.01)?;
    /// f.insert("a");
    /// let a = AtomicBloomFilter::from(f);
    /// assert!(a.contains("a"));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    fn from(f: BloomFilter) -> Self {
        let (blocks, hashes, seed) = f.into_parts();
        Self {
            blocks: blocks.into_iter().map(AtomicBlock::from_block).collect(),
            hashes,
            seed,
        }
    }
}

impl From<AtomicBloomFilter> for BloomFilter {
    /// Takes the bits back into a single-threaded filter.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::{AtomicBloomFilter, BloomFilter};
    ///
    /// let a = AtomicBloomFilter::with_rate(100, 0.01)?;
    /// a.insert("a");
    /// let f = BloomFilter::from(a);
    /// assert!(f.contains("a"));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    fn from(a: AtomicBloomFilter) -> Self {
        let blocks = a
            .blocks
            .into_iter()
            .map(|b| Block(b.0.map(AtomicU64::into_inner)))
            .collect();
        BloomFilter::from_parts(blocks, a.hashes, a.seed)
    }
}

impl Clone for AtomicBloomFilter {
    fn clone(&self) -> Self {
        self.snapshot().into()
    }
}

impl fmt::Debug for AtomicBloomFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AtomicBloomFilter")
            .field("bits", &self.bits())
            .field("hashes", &self.hashes)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "serde")]
super::bloom_filter::serde_impl::bytes_serde!(AtomicBloomFilter);
