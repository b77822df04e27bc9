//! The counting Bloom filter (Fan, Cao, Almeida & Broder, "Summary Cache",
//! 2000): a Bloom filter of small counters, so keys can be removed.

use super::Error;
use super::format::{FormatError, Kind, Reader, Writer};
use super::hashing::{KeyHash, reduce};
use crate::hash::{DEFAULT_SEED, StableKey};

/// Counters per `u64` word (4 bits each).
const PER_WORD: u64 = 16;
/// The largest counter value; a counter that reaches it saturates.
const COUNTER_MAX: u64 = 15;
/// Most hash functions a counting filter uses.
const MAX_COUNTING_HASHES: u32 = 32;
/// Most counters: 2^40 (512 GiB), far beyond any practical filter.
const MAX_COUNTERS: u64 = 1 << 40;

/// What [`CountingBloomFilter::insert`] did.
///
/// # Examples
///
/// ```
/// use pillars_dsa::bloom::{CountingBloomFilter, Insert};
///
/// let mut filter = CountingBloomFilter::with_rate(100, 0.01)?;
/// assert_eq!(filter.insert("a"), Insert::Added);
/// # Ok::<(), pillars_dsa::bloom::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Insert {
    /// Every counter of the key was incremented.
    Added,
    /// The key was recorded, but at least one of its counters is saturated
    /// (at 15) and stays there for good: the key, and any key sharing that
    /// counter, can never become absent through `remove` again.
    Saturated,
}

/// A counting Bloom filter: like a Bloom filter, but each position is a 4-bit
/// counter, so keys can be [`remove`](Self::remove)d.
///
/// # Counters
///
/// Counters are 4 bits wide, sixteen to a `u64` word (counter `i` is bits
/// `4·(i mod 16)..` of word `i / 16`): four times the memory of a Bloom filter
/// of the same rate. Four bits suffice in practice (Fan et al.: a counter
/// reaches 16 with probability below 1.37·10⁻¹⁵ · m at the optimal load). A
/// counter that reaches 15 **saturates**: it stays at 15 forever and is never
/// decremented, so a saturated counter can only cause false positives, never
/// a false negative. [`insert`](Self::insert) reports it with
/// [`Insert::Saturated`].
///
/// # Hashing (part of the stable format)
///
/// A key's canonical bytes are hashed with XXH3-128 under the filter's seed
/// ([`DEFAULT_SEED`] unless set with [`with_seed`](Self::with_seed); stored
/// in the bytes); the two halves drive enhanced double hashing (see the
/// bloom module's hashing notes), each probe reduced to `0..counters` by
/// multiply-shift. A key's counters are the *distinct* positions among its
/// probes, each counted once per insert.
///
/// # Removing
///
/// Removing a key that is definitely absent (a zero counter) is an error and
/// changes nothing. Removing a key that was never inserted but is a false
/// positive cannot be detected, and decrements counters of other keys: it can
/// cause false negatives, as in every counting Bloom filter. Only remove keys
/// you inserted.
///
/// # Examples
///
/// ```
/// use pillars_dsa::bloom::CountingBloomFilter;
///
/// let mut filter = CountingBloomFilter::with_rate(1000, 0.01)?;
/// filter.insert("session:1");
/// assert!(filter.contains("session:1"));
/// filter.remove("session:1")?;
/// assert!(!filter.contains("session:1"));
/// # Ok::<(), pillars_dsa::bloom::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountingBloomFilter {
    seed: u64,
    /// Number of counters, in `1..=MAX_COUNTERS`.
    counters: u64,
    /// Number of hash functions, in `1..=MAX_COUNTING_HASHES`.
    hashes: u32,
    /// `counters.div_ceil(16)` words; unused counters of the last word are 0.
    words: Vec<u64>,
}

/// The distinct counter positions of one key, sorted.
struct Positions {
    buf: [u64; MAX_COUNTING_HASHES as usize],
    len: usize,
}

impl Positions {
    fn as_slice(&self) -> &[u64] {
        self.buf.get(..self.len).unwrap_or(&[])
    }
}

impl CountingBloomFilter {
    /// A filter sized for `items` keys at false-positive rate `fpr`:
    /// `m = ⌈−n·ln(fpr) / ln²2⌉` counters and `k = round(m/n · ln 2)` hash
    /// functions (between 1 and 32).
    ///
    /// # Errors
    ///
    /// [`Error::ZeroItems`] if `items` is 0, [`Error::InvalidFpr`] unless
    /// `0 < fpr < 1`, [`Error::TooLarge`] beyond 2^40 counters.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::CountingBloomFilter;
    ///
    /// let filter = CountingBloomFilter::with_rate(1000, 0.01)?;
    /// assert_eq!(filter.num_counters(), 9586);
    /// assert_eq!(filter.num_hashes(), 7);
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
        let ln2 = std::f64::consts::LN_2;
        let n = items as f64;
        let m = (-n * fpr.ln() / (ln2 * ln2)).ceil().max(1.0);
        if m > MAX_COUNTERS as f64 {
            return Err(Error::TooLarge);
        }
        let k = (m / n * ln2)
            .round()
            .clamp(1.0, f64::from(MAX_COUNTING_HASHES));
        Self::new(m as u64, k as u32)
    }

    /// A filter of `counters` 4-bit counters and `hashes` hash functions.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroBits`] if `counters` is 0, [`Error::ZeroHashes`] if
    /// `hashes` is 0, [`Error::TooLarge`] beyond 2^40 counters or 32 hash
    /// functions.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::CountingBloomFilter;
    ///
    /// let filter = CountingBloomFilter::new(4096, 5)?;
    /// assert_eq!(filter.size_in_bytes(), 2048);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn new(counters: u64, hashes: u32) -> Result<Self, Error> {
        if counters == 0 {
            return Err(Error::ZeroBits);
        }
        if hashes == 0 {
            return Err(Error::ZeroHashes);
        }
        if counters > MAX_COUNTERS || hashes > MAX_COUNTING_HASHES {
            return Err(Error::TooLarge);
        }
        let n = usize::try_from(counters.div_ceil(PER_WORD)).map_err(|_| Error::TooLarge)?;
        let mut words = Vec::new();
        words.try_reserve_exact(n).map_err(|_| Error::TooLarge)?;
        words.resize(n, 0);
        Ok(Self {
            seed: DEFAULT_SEED,
            counters,
            hashes,
            words,
        })
    }

    /// The same filter hashing keys under `seed` instead of
    /// [`DEFAULT_SEED`]; clears it (counters set under another seed would
    /// answer wrongly). The seed is stored in [`to_bytes`](Self::to_bytes)
    /// and restored by [`from_bytes`](Self::from_bytes).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::CountingBloomFilter;
    ///
    /// let mut filter = CountingBloomFilter::with_rate(100, 0.01)?.with_seed(42);
    /// filter.insert("a");
    /// let copy = CountingBloomFilter::from_bytes(&filter.to_bytes())?;
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
    /// use pillars_dsa::{bloom::CountingBloomFilter, hash::DEFAULT_SEED};
    ///
    /// assert_eq!(CountingBloomFilter::new(64, 3)?.seed(), DEFAULT_SEED);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn positions<K: StableKey + ?Sized>(&self, key: &K) -> Positions {
        let mut p = Positions {
            buf: [0; MAX_COUNTING_HASHES as usize],
            len: 0,
        };
        for (slot, probe) in p
            .buf
            .iter_mut()
            .zip(KeyHash::of(key, self.seed).probes(self.hashes))
        {
            *slot = reduce(probe, self.counters);
        }
        let all = p.buf.get_mut(..self.hashes as usize).unwrap_or(&mut []);
        all.sort_unstable();
        let mut len = 0;
        for i in 0..all.len() {
            if i == 0 || all[i] != all[len - 1] {
                all[len] = all[i];
                len += 1;
            }
        }
        p.len = len;
        p
    }

    /// The counter at `pos` (below `self.counters`, so in bounds).
    #[inline]
    fn get(&self, pos: u64) -> u64 {
        let word = self
            .words
            .get((pos / PER_WORD) as usize)
            .copied()
            .unwrap_or(0);
        (word >> ((pos % PER_WORD) * 4)) & COUNTER_MAX
    }

    #[inline]
    fn add(&mut self, pos: u64, delta_up: bool) {
        let shift = (pos % PER_WORD) * 4;
        if let Some(word) = self.words.get_mut((pos / PER_WORD) as usize) {
            if delta_up {
                *word += 1 << shift;
            } else {
                *word -= 1 << shift;
            }
        }
    }

    /// Adds `key` (a key may be added several times; each insert needs its
    /// own remove). Counters that reach 15 saturate: see [`Insert`].
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::{CountingBloomFilter, Insert};
    ///
    /// let mut filter = CountingBloomFilter::new(64, 3)?;
    /// let mut last = Insert::Added;
    /// for _ in 0..20 {
    ///     last = filter.insert("hot");
    /// }
    /// assert_eq!(last, Insert::Saturated);
    /// assert!(filter.contains("hot"));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn insert<K: StableKey + ?Sized>(&mut self, key: &K) -> Insert {
        let p = self.positions(key);
        let mut saturated = false;
        for &pos in p.as_slice() {
            let c = self.get(pos);
            if c < COUNTER_MAX {
                self.add(pos, true);
            }
            saturated |= c + 1 >= COUNTER_MAX;
        }
        if saturated {
            Insert::Saturated
        } else {
            Insert::Added
        }
    }

    /// Removes one insertion of `key`. Saturated counters stay as they are.
    ///
    /// # Errors
    ///
    /// [`Error::NotPresent`] if `key` is definitely absent (one of its
    /// counters is zero); the filter is then unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::{CountingBloomFilter, Error};
    ///
    /// let mut filter = CountingBloomFilter::with_rate(100, 0.01)?;
    /// filter.insert("a");
    /// filter.insert("a");
    /// filter.remove("a")?;
    /// assert!(filter.contains("a"));
    /// filter.remove("a")?;
    /// assert_eq!(filter.remove("a"), Err(Error::NotPresent));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn remove<K: StableKey + ?Sized>(&mut self, key: &K) -> Result<(), Error> {
        let p = self.positions(key);
        if p.as_slice().iter().any(|&pos| self.get(pos) == 0) {
            return Err(Error::NotPresent);
        }
        for &pos in p.as_slice() {
            if self.get(pos) < COUNTER_MAX {
                self.add(pos, false);
            }
        }
        Ok(())
    }

    /// `false` if `key` is definitely absent; `true` if it is probably present.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::CountingBloomFilter;
    ///
    /// let mut filter = CountingBloomFilter::with_rate(100, 0.01)?;
    /// filter.insert(&7_u32);
    /// assert!(filter.contains(&7_u32));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn contains<K: StableKey + ?Sized>(&self, key: &K) -> bool {
        let h = KeyHash::of(key, self.seed);
        h.probes(self.hashes)
            .all(|probe| self.get(reduce(probe, self.counters)) != 0)
    }

    /// Removes every key.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::CountingBloomFilter;
    ///
    /// let mut filter = CountingBloomFilter::with_rate(100, 0.01)?;
    /// filter.insert("a");
    /// filter.clear();
    /// assert!(filter.is_empty());
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn clear(&mut self) {
        self.words.fill(0);
    }

    /// `true` if every counter is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::CountingBloomFilter;
    ///
    /// assert!(CountingBloomFilter::with_rate(100, 0.01)?.is_empty());
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// The number of counters.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::CountingBloomFilter;
    ///
    /// assert_eq!(CountingBloomFilter::new(100, 3)?.num_counters(), 100);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn num_counters(&self) -> u64 {
        self.counters
    }

    /// The number of hash functions (probes per key).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::CountingBloomFilter;
    ///
    /// assert_eq!(CountingBloomFilter::new(100, 3)?.num_hashes(), 3);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn num_hashes(&self) -> u32 {
        self.hashes
    }

    /// The number of saturated counters (at 15, stuck for good).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::CountingBloomFilter;
    ///
    /// assert_eq!(CountingBloomFilter::new(100, 3)?.saturated_counters(), 0);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn saturated_counters(&self) -> u64 {
        (0..self.counters)
            .filter(|&i| self.get(i) == COUNTER_MAX)
            .count() as u64
    }

    /// The size of the counter array in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::CountingBloomFilter;
    ///
    /// assert_eq!(CountingBloomFilter::new(32, 3)?.size_in_bytes(), 16);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn size_in_bytes(&self) -> usize {
        self.words.len() * 8
    }

    /// The filter in the stable byte format ([`Kind::Counting`]): header, seed
    /// (u64), counter count (u64), hash count (u32), `⌈counters/16⌉`
    /// little-endian u64 words of 4-bit counters, checksum.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::CountingBloomFilter;
    ///
    /// let mut filter = CountingBloomFilter::with_rate(100, 0.01)?;
    /// filter.insert("a");
    /// assert_eq!(CountingBloomFilter::from_bytes(&filter.to_bytes())?, filter);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(Kind::Counting, 20 + self.size_in_bytes());
        w.u64(self.seed)
            .u64(self.counters)
            .u32(self.hashes)
            .u64s(self.words.iter().copied());
        w.finish()
    }

    /// Reads a filter written by [`to_bytes`](Self::to_bytes).
    ///
    /// # Errors
    ///
    /// [`Error::Format`] for truncated, corrupt or inconsistent bytes
    /// (including nonzero unused counters); lengths are checked before
    /// anything is allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::{CountingBloomFilter, Error};
    ///
    /// let bytes = CountingBloomFilter::new(64, 3)?.to_bytes();
    /// assert!(CountingBloomFilter::from_bytes(&bytes).is_ok());
    /// assert!(matches!(CountingBloomFilter::from_bytes(&bytes[..20]), Err(Error::Format(_))));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::open(bytes, Kind::Counting)?;
        let seed = r.u64()?;
        let counters = r.u64()?;
        let hashes = r.u32()?;
        if counters == 0 || counters > MAX_COUNTERS {
            return Err(FormatError::InvalidParameters("counter count out of range").into());
        }
        if hashes == 0 || hashes > MAX_COUNTING_HASHES {
            return Err(FormatError::InvalidParameters("hash count out of range").into());
        }
        let n = usize::try_from(counters.div_ceil(PER_WORD))
            .map_err(|_| FormatError::InvalidParameters("counting filter too large"))?;
        let words = r.u64s(n)?;
        r.finish()?;
        let used = counters % PER_WORD;
        if used != 0 && words.last().is_some_and(|&w| w >> (used * 4) != 0) {
            return Err(FormatError::InvalidParameters("unused counters are not zero").into());
        }
        Ok(Self {
            seed,
            counters,
            hashes,
            words,
        })
    }
}

#[cfg(feature = "serde")]
super::bloom_filter::serde_impl::bytes_serde!(CountingBloomFilter);
