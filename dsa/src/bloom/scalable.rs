//! A Bloom filter that grows with the number of keys (Almeida, Baquero,
//! Preguiça & Hutchison, "Scalable Bloom Filters", 2007).

use super::Error;
use super::bloom_filter::{BloomFilter, check_fpr, payload_len, read_payload, write_payload};
use super::format::{FormatError, Kind, Reader, Writer};
use super::hashing::KeyHash;
use crate::hash::{DEFAULT_SEED, StableKey};

/// The most stages a filter holds (and reads from bytes).
pub const MAX_STAGES: usize = 64;
/// The default capacity growth between stages.
pub const DEFAULT_GROWTH: u32 = 2;
/// The default false-positive tightening ratio between stages.
pub const DEFAULT_TIGHTENING: f64 = 0.5;

#[derive(Clone, Debug, PartialEq)]
struct Stage {
    filter: BloomFilter,
    capacity: u64,
    len: u64,
    fpr: f64,
}

impl Stage {
    fn new(capacity: u64, fpr: f64, seed: u64) -> Result<Self, Error> {
        let filter = BloomFilter::with_rate(capacity, fpr)?.with_seed(seed);
        Ok(Self {
            filter,
            capacity,
            len: 0,
            fpr,
        })
    }
}

/// A Bloom filter with no fixed capacity: a list of [`BloomFilter`] stages.
/// When the newest stage holds its capacity, a stage `growth` times larger
/// with a false-positive rate `tightening` times smaller is added. Stage `i`
/// has rate `fpr·(1−r)·rⁱ`, so the compounded rate over any number of
/// stages stays below the target `fpr`: `Σ fpr·(1−r)·rⁱ = fpr`.
///
/// Lookups test every stage (there are O(log n) of them); every stage uses
/// the same seed, so a key is hashed once per operation.
///
/// At most [`MAX_STAGES`] stages exist; if a further stage cannot be built
/// (more than 64 stages, or a stage beyond [`MAX_BITS`](super::MAX_BITS)),
/// keys go into the last stage and the rate bound no longer holds —
/// unreachable with growth ≥ 2 before memory runs out.
///
/// # Examples
///
/// ```
/// use pillars_dsa::bloom::ScalableBloomFilter;
///
/// let mut f = ScalableBloomFilter::new(1000, 0.01)?;
/// for i in 0..10_000_u64 {
///     f.insert(&i);
/// }
/// assert!(f.contains(&1234_u64));
/// assert!(f.stages() > 1);
/// assert!(f.expected_fpr() < 0.01);
/// # Ok::<(), pillars_dsa::bloom::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ScalableBloomFilter {
    stages: Vec<Stage>,
    fpr: f64,
    growth: u32,
    tightening: f64,
    seed: u64,
    len: u64,
}

impl ScalableBloomFilter {
    /// A filter whose first stage holds `initial_capacity` keys, keeping the
    /// overall false-positive rate below `fpr`, with growth 2 and
    /// tightening 0.5.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidFpr`] unless `0 < fpr < 1`, [`Error::ZeroItems`] if
    /// `initial_capacity` is 0, [`Error::TooLarge`] if the first stage is
    /// too large.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::{Error, ScalableBloomFilter};
    ///
    /// let f = ScalableBloomFilter::new(100, 0.001)?;
    /// assert_eq!(f.stages(), 1);
    /// assert!(matches!(ScalableBloomFilter::new(0, 0.01), Err(Error::ZeroItems)));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(initial_capacity: u64, fpr: f64) -> Result<Self, Error> {
        Self::with_params(initial_capacity, fpr, DEFAULT_GROWTH, DEFAULT_TIGHTENING)
    }

    /// As [`new`](Self::new), with each stage's capacity `growth` times the
    /// previous one (2 or 4 are good choices) and its false-positive rate
    /// `tightening` times the previous one (0.5 to 0.9; closer to 1 means
    /// fewer bits in early stages, more in late ones).
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new), and [`Error::InvalidParameter`] unless
    /// `2 <= growth <= 1024` and `0 < tightening < 1`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// let f = ScalableBloomFilter::with_params(1000, 0.01, 4, 0.8)?;
    /// assert_eq!(f.growth(), 4);
    /// assert!(ScalableBloomFilter::with_params(1000, 0.01, 1, 0.8).is_err());
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn with_params(
        initial_capacity: u64,
        fpr: f64,
        growth: u32,
        tightening: f64,
    ) -> Result<Self, Error> {
        check_fpr(fpr)?;
        check_growth(growth)?;
        check_tightening(tightening)?;
        let first = Stage::new(initial_capacity, fpr * (1.0 - tightening), DEFAULT_SEED)?;
        Ok(Self {
            stages: vec![first],
            fpr,
            growth,
            tightening,
            seed: DEFAULT_SEED,
            len: 0,
        })
    }

    /// The same filter hashing under `seed`; clears it (back to one stage).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// let f = ScalableBloomFilter::new(100, 0.01)?.with_seed(9);
    /// assert_eq!(f.seed(), 9);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self.clear();
        self
    }

    /// Adds `key`. Returns `true` if the key was possibly absent (no stage
    /// reported it present) and is now counted in [`len`](Self::len),
    /// `false` if it was already reported present (then nothing changes,
    /// so re-inserting a key never fills the filter).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// let mut f = ScalableBloomFilter::new(100, 0.01)?;
    /// assert!(f.insert("a"));
    /// assert!(!f.insert("a"));
    /// assert_eq!(f.len(), 1);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn insert<K: StableKey + ?Sized>(&mut self, key: &K) -> bool {
        let h = KeyHash::of(key, self.seed);
        if self.contains_hash(h) {
            return false;
        }
        if self.stages.last().is_some_and(|s| s.len >= s.capacity) {
            // On failure (limits reached) keep filling the last stage.
            if let Some(next) = self.next_stage() {
                self.stages.push(next);
            }
        }
        if let Some(stage) = self.stages.last_mut() {
            stage.filter.insert_hash(h);
            stage.len = stage.len.saturating_add(1);
        }
        self.len = self.len.saturating_add(1);
        true
    }

    fn next_stage(&self) -> Option<Stage> {
        if self.stages.len() >= MAX_STAGES {
            return None;
        }
        let last = self.stages.last()?;
        let capacity = last.capacity.checked_mul(u64::from(self.growth))?;
        let fpr = last.fpr * self.tightening;
        if fpr.is_nan() || fpr <= 0.0 {
            return None;
        }
        Stage::new(capacity, fpr, self.seed).ok()
    }

    fn contains_hash(&self, h: KeyHash) -> bool {
        // Newest first: it holds the most keys.
        self.stages.iter().rev().any(|s| s.filter.contains_hash(h))
    }

    /// Whether `key` may be present (in any stage).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// let mut f = ScalableBloomFilter::new(100, 0.01)?;
    /// f.insert(&5_u32);
    /// assert!(f.contains(&5_u32));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn contains<K: StableKey + ?Sized>(&self, key: &K) -> bool {
        self.contains_hash(KeyHash::of(key, self.seed))
    }

    /// Adds every key of `keys`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// let mut f = ScalableBloomFilter::new(10, 0.01)?;
    /// f.insert_all(0_u64..100);
    /// assert!(f.contains_all(0_u64..100));
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
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// let f = ScalableBloomFilter::new(10, 0.01)?;
    /// assert!(f.contains_all(Vec::<u64>::new()));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn contains_all<Q: StableKey>(&self, keys: impl IntoIterator<Item = Q>) -> bool {
        keys.into_iter().all(|k| self.contains(&k))
    }

    /// Removes every key and drops every stage but the first.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// let mut f = ScalableBloomFilter::new(10, 0.01)?;
    /// f.insert_all(0_u64..100);
    /// f.clear();
    /// assert_eq!((f.len(), f.stages()), (0, 1));
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    pub fn clear(&mut self) {
        self.stages.truncate(1);
        let seed = self.seed;
        for s in &mut self.stages {
            s.filter.reset(seed);
            s.len = 0;
        }
        self.len = 0;
    }

    /// The number of keys counted as new by [`insert`](Self::insert)
    /// (distinct keys, less the few that were false positives when
    /// inserted).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// let mut f = ScalableBloomFilter::new(10, 0.01)?;
    /// f.insert_all(["a", "b", "a"]);
    /// assert_eq!(f.len(), 2);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether no key was inserted.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// assert!(ScalableBloomFilter::new(10, 0.01)?.is_empty());
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The number of stages (at least 1).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// let mut f = ScalableBloomFilter::new(10, 0.01)?;
    /// f.insert_all(0_u64..30); // 10 + 20 capacity
    /// assert_eq!(f.stages(), 2);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn stages(&self) -> usize {
        self.stages.len()
    }

    /// The target false-positive rate, an upper bound on the compounded
    /// rate of all stages at capacity.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// assert_eq!(ScalableBloomFilter::new(10, 0.01)?.target_fpr(), 0.01);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn target_fpr(&self) -> f64 {
        self.fpr
    }

    /// The capacity growth between stages.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// assert_eq!(ScalableBloomFilter::new(10, 0.01)?.growth(), 2);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn growth(&self) -> u32 {
        self.growth
    }

    /// The false-positive tightening ratio between stages.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// assert_eq!(ScalableBloomFilter::new(10, 0.01)?.tightening(), 0.5);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn tightening(&self) -> f64 {
        self.tightening
    }

    /// The hash seed.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::{bloom::ScalableBloomFilter, hash::DEFAULT_SEED};
    ///
    /// assert_eq!(ScalableBloomFilter::new(10, 0.01)?.seed(), DEFAULT_SEED);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The total number of bits over all stages.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// assert!(ScalableBloomFilter::new(1000, 0.01)?.bits() >= 10_000);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn bits(&self) -> u64 {
        self.stages.iter().map(|s| s.filter.bits()).sum()
    }

    /// The probability that a key never inserted is reported present, given
    /// the bits set now: `1 − Π(1 − pᵢ)` over the stages' current rates.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// let mut f = ScalableBloomFilter::new(1000, 0.01)?;
    /// f.insert_all(0_u64..5000);
    /// assert!(f.expected_fpr() < 0.01);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn expected_fpr(&self) -> f64 {
        1.0 - self
            .stages
            .iter()
            .map(|s| 1.0 - s.filter.expected_fpr())
            .product::<f64>()
    }

    /// The filter in the stable byte format ([`Kind::Scalable`]): after the
    /// common header, `fpr` (f64), `growth` (u32), `tightening` (f64),
    /// `seed` (u64), `len` (u64), the stage count (u32), then per stage its
    /// `capacity` (u64), `len` (u64), `fpr` (f64) and the
    /// [`BloomFilter`] payload (layout, hashes, seed, word count, words);
    /// then the checksum.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// let mut f = ScalableBloomFilter::new(10, 0.01)?;
    /// f.insert_all(0_u64..50);
    /// let g = ScalableBloomFilter::from_bytes(&f.to_bytes())?;
    /// assert_eq!(f, g);
    /// # Ok::<(), pillars_dsa::bloom::Error>(())
    /// ```
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let payload: usize = self
            .stages
            .iter()
            .map(|s| 24 + payload_len(s.filter.block_words().len()))
            .sum();
        let mut w = Writer::new(Kind::Scalable, 40 + payload);
        w.f64(self.fpr)
            .u32(self.growth)
            .f64(self.tightening)
            .u64(self.seed)
            .u64(self.len)
            // At most MAX_STAGES (64): never saturates.
            .u32(u32::try_from(self.stages.len()).unwrap_or(u32::MAX));
        for s in &self.stages {
            w.u64(s.capacity).u64(s.len).f64(s.fpr);
            let (hashes, seed) = (s.filter.hashes(), s.filter.seed());
            write_payload(&mut w, hashes, seed, s.filter.block_words());
        }
        w.finish()
    }

    /// Reads a filter written by [`to_bytes`](Self::to_bytes). At most
    /// [`MAX_STAGES`] stages are accepted, and every length is checked
    /// against the input before anything is allocated.
    ///
    /// # Errors
    ///
    /// [`Error::Format`] if the bytes are truncated, corrupt, of another
    /// kind or version, or hold out-of-range or inconsistent parameters.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::bloom::ScalableBloomFilter;
    ///
    /// assert!(ScalableBloomFilter::from_bytes(b"PLBF").is_err());
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let bad = |what| Error::Format(FormatError::InvalidParameters(what));
        let mut r = Reader::open(bytes, Kind::Scalable)?;
        let fpr = r.f64()?;
        check_fpr(fpr).map_err(|_| bad("target fpr out of range"))?;
        let growth = r.u32()?;
        check_growth(growth).map_err(|_| bad("growth out of range"))?;
        let tightening = r.f64()?;
        check_tightening(tightening).map_err(|_| bad("tightening out of range"))?;
        let seed = r.u64()?;
        let len = r.u64()?;
        let count = r.u32()?;
        let count = usize::try_from(count).map_err(|_| bad("stage count"))?;
        if count == 0 || count > MAX_STAGES {
            return Err(bad("stage count out of range"));
        }
        let mut stages = Vec::with_capacity(count);
        let mut total: u64 = 0;
        for _ in 0..count {
            let capacity = r.u64()?;
            let stage_len = r.u64()?;
            let stage_fpr = r.f64()?;
            if capacity == 0 {
                return Err(bad("zero stage capacity"));
            }
            check_fpr(stage_fpr).map_err(|_| bad("stage fpr out of range"))?;
            let (hashes, stage_seed, blocks) = read_payload(&mut r)?;
            if stage_seed != seed {
                return Err(bad("stage seed differs from filter seed"));
            }
            total = total
                .checked_add(stage_len)
                .ok_or(bad("stage lengths overflow"))?;
            stages.push(Stage {
                filter: BloomFilter::from_parts(blocks, hashes, seed),
                capacity,
                len: stage_len,
                fpr: stage_fpr,
            });
        }
        r.finish()?;
        if total != len {
            return Err(bad("stage lengths do not add up"));
        }
        Ok(Self {
            stages,
            fpr,
            growth,
            tightening,
            seed,
            len,
        })
    }
}

fn check_growth(growth: u32) -> Result<(), Error> {
    if (2..=1024).contains(&growth) {
        Ok(())
    } else {
        Err(Error::InvalidParameter("growth must be in 2..=1024"))
    }
}

fn check_tightening(r: f64) -> Result<(), Error> {
    if r > 0.0 && r < 1.0 {
        Ok(())
    } else {
        Err(Error::InvalidParameter(
            "tightening ratio must be strictly between 0 and 1",
        ))
    }
}

#[cfg(feature = "serde")]
super::bloom_filter::serde_impl::bytes_serde!(ScalableBloomFilter);
