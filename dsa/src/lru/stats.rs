//! Cache statistics.

/// Counters of a [`ConcurrentLru`](super::ConcurrentLru), summed over its
/// shards. Each shard counts under the lock it already holds, so counting
/// costs a few plain additions on the hot path.
///
/// ```
/// use pillars_dsa::lru::ConcurrentLru;
/// let c: ConcurrentLru<u32, u32> = ConcurrentLru::new(10).expect("capacity > 0");
/// c.insert(1, 1).expect("fits");
/// c.get(&1);
/// c.get(&2);
/// let s = c.stats();
/// assert_eq!((s.hits, s.misses, s.inserts), (1, 1, 1));
/// assert!((s.hit_ratio() - 0.5).abs() < 1e-9);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Lookups that found a live entry.
    pub hits: u64,
    /// Lookups that found nothing (or an expired entry).
    pub misses: u64,
    /// Entries stored (new or replacing).
    pub inserts: u64,
    /// Entries removed for capacity.
    pub evictions: u64,
    /// Entries removed because their TTL ran out.
    pub expirations: u64,
}

impl CacheStats {
    /// `hits / (hits + misses)`, or 0 before any lookup.
    ///
    /// ```
    /// assert_eq!(pillars_dsa::lru::CacheStats::default().hit_ratio(), 0.0);
    /// ```
    #[allow(clippy::cast_precision_loss)] // a ratio
    pub fn hit_ratio(&self) -> f64 {
        let total = self.hits + self.misses;
        if total == 0 {
            0.0
        } else {
            self.hits as f64 / total as f64
        }
    }

    pub(crate) fn add(&mut self, o: &Self) {
        self.hits += o.hits;
        self.misses += o.misses;
        self.inserts += o.inserts;
        self.evictions += o.evictions;
        self.expirations += o.expirations;
    }
}
