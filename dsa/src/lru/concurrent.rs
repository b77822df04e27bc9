//! [`ConcurrentLru`]: a sharded cache for `&self` access from many threads,
//! with TTLs, weights, single-flight loading, an eviction listener and stats.

use std::borrow::Borrow;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hash};
use std::num::NonZeroU64;
use std::sync::Arc;
use std::time::Duration;

use crossbeam_utils::CachePadded;
use hashbrown::HashTable;

use super::error::{Error, LoadError};
use super::hasher::StableState;
use super::lru_cache::{LruCache, RemovalCause, fold};
use super::sieve::Policy;
use super::single_flight::{Flight, FlightState, LeaderGuard, Outcome};
use super::stats::CacheStats;
use super::sync::{AtomicBool, Ordering, RwLock};
use super::weighter::{UnitWeighter, Weighter};
use crate::clock::{Clock, MonotonicClock};

/// An eviction listener: called with each entry that leaves the cache and
/// why, after the shard lock is released (so it may use the cache).
pub type Listener<K, V> = Arc<dyn Fn(K, V, RemovalCause) + Send + Sync>;

/// "Never expires".
const NEVER: u64 = u64::MAX;

/// A stored value and its deadline (clock nanoseconds; [`NEVER`] for none).
struct Slot<V> {
    value: V,
    expires: u64,
}

/// Weighs a [`Slot`] by its value with the user's weighter.
#[derive(Clone)]
struct SlotWeighter<W>(W);

impl<K, V, W: Weighter<K, V>> Weighter<K, Slot<V>> for SlotWeighter<W> {
    #[inline]
    fn weight(&self, key: &K, slot: &Slot<V>) -> u64 {
        self.0.weight(key, &slot.value)
    }
}

/// One shard: a single-threaded cache, its in-flight loads and its counters.
/// `repr(C)` puts the read-path counters right after the lock word, on the
/// cache line the lock already bounces.
#[repr(C)]
struct Shard<K, V, S, W> {
    /// Hits and misses counted under the read lock (SIEVE / S3-FIFO `get`).
    shared_hits: std::sync::atomic::AtomicU64,
    shared_misses: std::sync::atomic::AtomicU64,
    cache: LruCache<K, Slot<V>, S, SlotWeighter<W>>,
    flights: HashTable<(u64, K, Arc<Flight<V>>)>,
    stats: CacheStats,
}

/// The padded, locked shards.
type Shards<K, V, S, W> = Box<[CachePadded<RwLock<Shard<K, V, S, W>>>]>;

/// Entries removed under a lock, handed to the listener after it.
type Removed<K, V> = Vec<(K, V, RemovalCause)>;

/// What a lookup found.
enum Lookup<V> {
    Hit(V),
    Wait(Arc<Flight<V>>),
    Lead(Arc<Flight<V>>),
}

/// Default shards per CPU. Contention on a shard's lock, not the lock
/// itself, is what costs under a skewed (Zipf) load: on two threads, 64
/// shards ran LRU 1.4–1.5× faster than 8 at the same hit ratio
/// (`benches/RESULTS.md`, lru), and `quick_cache`, whose default is 4 per
/// CPU, gains the same way.
const SHARDS_PER_CPU: usize = 32;

/// The default shard count halves until each shard holds at least this much
/// capacity. On the `lru_report` traces a hash-sharded cache hit within
/// 0.0002 of an unsharded one at 156 entries a shard, 0.0004 at 78 and
/// 0.0009 at 39.
const MIN_SHARD_CAPACITY: u64 = 64;

/// A concurrent cache: shards (a power of two, by default 32 per CPU) each
/// holding an [`LruCache`] behind a reader-writer lock (SIEVE and S3-FIFO
/// hits take only the read side). Values are returned by clone (store
/// `Arc<T>` for large values). Capacity is by count or weight, split evenly
/// over the shards; entries may carry a TTL (per entry or a default) against
/// a [`Clock`].
///
/// [`get_or_insert_with`](Self::get_or_insert_with) and the async
/// [`get_or_try_insert_with`](Self::get_or_try_insert_with) load a missing key
/// once however many callers ask for it at the same time (single-flight);
/// every caller receives the loader's result, errors are not cached, and a
/// panicking loader leaves the cache usable and the waiters with an error.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use pillars_dsa::lru::ConcurrentLru;
///
/// let cache: ConcurrentLru<u64, Arc<str>> = ConcurrentLru::new(10_000).expect("capacity > 0");
/// std::thread::scope(|s| {
///     for t in 0..4_u64 {
///         let cache = &cache;
///         s.spawn(move || {
///             for k in 0..100 {
///                 let v = cache.get_or_insert_with(k, || Arc::from(format!("user {k}"))).expect("loader never panics");
///                 assert_eq!(&*v, format!("user {k}"));
///             }
///             let _ = t;
///         });
///     }
/// });
/// assert_eq!(cache.len(), 100);
/// assert_eq!(cache.stats().inserts, 100); // each key loaded once
/// ```
pub struct ConcurrentLru<K, V, S = StableState, W = UnitWeighter> {
    shards: Shards<K, V, S, W>,
    mask: u64,
    /// SIEVE and S3-FIFO hits need only a read lock.
    read_hits: bool,
    hasher: S,
    capacity: u64,
    default_ttl: Option<Duration>,
    ttl_used: AtomicBool,
    clock: Box<dyn Clock>,
    listener: Option<Listener<K, V>>,
}

/// Builds a [`ConcurrentLru`] ([`ConcurrentLru::builder`]).
///
/// ```
/// use std::time::Duration;
/// use pillars_dsa::lru::{ConcurrentLru, Policy};
/// let c: ConcurrentLru<String, Vec<u8>, _, _> = ConcurrentLru::builder(1 << 20)
///     .weighter(|_: &String, v: &Vec<u8>| v.len() as u64)
///     .policy(Policy::Sieve)
///     .default_ttl(Duration::from_secs(60))
///     .shards(8)
///     .build()
///     .expect("capacity > 0");
/// assert_eq!((c.capacity(), c.shard_count()), (1 << 20, 8));
/// ```
pub struct Builder<K, V, S = StableState, W = UnitWeighter> {
    capacity: u64,
    shards: Option<usize>,
    policy: Policy,
    default_ttl: Option<Duration>,
    clock: Option<Box<dyn Clock>>,
    listener: Option<Listener<K, V>>,
    hasher: S,
    weighter: W,
}

impl<K, V> ConcurrentLru<K, V> {
    /// A cache of at most `capacity` entries with the defaults: LRU, no TTL,
    /// 32 shards per CPU (fewer for small capacities: at least 64 entries
    /// each).
    ///
    /// # Errors
    ///
    /// [`Error::ZeroCapacity`] for 0.
    ///
    /// ```
    /// use pillars_dsa::lru::{ConcurrentLru, Error};
    /// assert_eq!(ConcurrentLru::<u8, u8>::new(0).err(), Some(Error::ZeroCapacity));
    /// let c = ConcurrentLru::<u8, u8>::new(100).expect("capacity > 0");
    /// assert_eq!(c.capacity(), 100);
    /// ```
    pub fn new(capacity: usize) -> Result<Self, Error>
    where
        K: Hash + Eq,
    {
        Self::builder(capacity as u64).build()
    }

    /// A [`Builder`] for a cache of `capacity` entries (or weight units with
    /// [`Builder::weighter`]).
    ///
    /// ```
    /// let c = pillars_dsa::lru::ConcurrentLru::<u8, u8>::builder(10).shards(1).build().expect("capacity > 0");
    /// assert_eq!(c.shard_count(), 1);
    /// ```
    pub fn builder(capacity: u64) -> Builder<K, V> {
        Builder {
            capacity,
            shards: None,
            policy: Policy::Lru,
            default_ttl: None,
            clock: None,
            listener: None,
            hasher: StableState::default(),
            weighter: UnitWeighter,
        }
    }
}

impl<K, V, S, W> Builder<K, V, S, W> {
    /// The number of shards (rounded up to a power of two, and down so each
    /// shard has at least one unit of capacity).
    ///
    /// ```
    /// let c = pillars_dsa::lru::ConcurrentLru::<u8, u8>::builder(100).shards(3).build().expect("capacity > 0");
    /// assert_eq!(c.shard_count(), 4);
    /// ```
    #[must_use]
    pub fn shards(mut self, n: usize) -> Self {
        self.shards = Some(n.max(1));
        self
    }

    /// The eviction policy of every shard.
    ///
    /// ```
    /// use pillars_dsa::lru::{ConcurrentLru, Policy};
    /// let c = ConcurrentLru::<u8, u8>::builder(8).policy(Policy::Sieve).build().expect("capacity > 0");
    /// assert_eq!(c.policy(), Policy::Sieve);
    /// ```
    #[must_use]
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The TTL of entries inserted without one.
    ///
    /// ```
    /// use std::time::Duration;
    /// let _ = pillars_dsa::lru::ConcurrentLru::<u8, u8>::builder(8).default_ttl(Duration::from_secs(1));
    /// ```
    #[must_use]
    pub fn default_ttl(mut self, ttl: Duration) -> Self {
        self.default_ttl = Some(ttl);
        self
    }

    /// The clock TTLs are measured against (default [`MonotonicClock`]).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use pillars_dsa::lru::ManualClock;
    /// let _ = pillars_dsa::lru::ConcurrentLru::<u8, u8>::builder(8).clock(Arc::new(ManualClock::new()));
    /// ```
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Box::new(clock));
        self
    }

    /// Calls `listener` with every entry that leaves the cache, and why. It
    /// runs after the shard lock is released, on the thread that caused the
    /// removal.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use pillars_dsa::lru::{ConcurrentLru, RemovalCause};
    /// let log = Arc::new(Mutex::new(Vec::new()));
    /// let l = Arc::clone(&log);
    /// let c = ConcurrentLru::<u8, u8>::builder(1).eviction_listener(move |k, v, why| {
    ///     l.lock().expect("not poisoned").push((k, v, why));
    /// }).build().expect("capacity > 0");
    /// c.insert(1, 10).expect("fits");
    /// c.insert(2, 20).expect("fits");
    /// assert_eq!(*log.lock().expect("not poisoned"), [(1, 10, RemovalCause::Capacity)]);
    /// ```
    #[must_use]
    pub fn eviction_listener(
        mut self,
        listener: impl Fn(K, V, RemovalCause) + Send + Sync + 'static,
    ) -> Self {
        self.listener = Some(Arc::new(listener));
        self
    }

    /// The hasher (default [`StableState`]).
    ///
    /// ```
    /// let _ = pillars_dsa::lru::ConcurrentLru::<u8, u8>::builder(8).hasher(std::hash::RandomState::new());
    /// ```
    pub fn hasher<S2>(self, hasher: S2) -> Builder<K, V, S2, W> {
        Builder {
            capacity: self.capacity,
            shards: self.shards,
            policy: self.policy,
            default_ttl: self.default_ttl,
            clock: self.clock,
            listener: self.listener,
            hasher,
            weighter: self.weighter,
        }
    }

    /// Bounds the cache by total weight instead of count. The capacity is
    /// split over the shards, so an entry heavier than one shard's share
    /// (`capacity / shards`) is not stored.
    ///
    /// ```
    /// let c = pillars_dsa::lru::ConcurrentLru::<u8, String, _, _>::builder(64)
    ///     .weighter(|_: &u8, v: &String| v.len() as u64)
    ///     .shards(1)
    ///     .build()
    ///     .expect("capacity > 0");
    /// assert!(c.insert(1, "x".repeat(65)).is_err());
    /// ```
    pub fn weighter<W2>(self, weighter: W2) -> Builder<K, V, S, W2> {
        Builder {
            capacity: self.capacity,
            shards: self.shards,
            policy: self.policy,
            default_ttl: self.default_ttl,
            clock: self.clock,
            listener: self.listener,
            hasher: self.hasher,
            weighter,
        }
    }

    /// Builds the cache.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroCapacity`] for a capacity of 0.
    ///
    /// ```
    /// assert!(pillars_dsa::lru::ConcurrentLru::<u8, u8>::builder(0).build().is_err());
    /// ```
    pub fn build(self) -> Result<ConcurrentLru<K, V, S, W>, Error>
    where
        K: Hash + Eq,
        S: BuildHasher + Clone,
        W: Weighter<K, V> + Clone,
    {
        if self.capacity == 0 {
            return Err(Error::ZeroCapacity);
        }
        let cap = self.capacity;
        let mut n = self.shards.map_or_else(
            || {
                let cpus = std::thread::available_parallelism().map_or(4, std::num::NonZero::get);
                let mut n = (cpus * SHARDS_PER_CPU).next_power_of_two();
                while n > 1 && cap / (n as u64) < MIN_SHARD_CAPACITY {
                    n /= 2;
                }
                n
            },
            usize::next_power_of_two,
        );
        while n > 1 && (n as u64) > cap {
            n /= 2;
        }
        let n64 = n as u64;
        let shards = (0..n64)
            .map(|i| {
                let share = cap / n64 + u64::from(i < cap % n64);
                let share = NonZeroU64::new(share).unwrap_or(NonZeroU64::MIN);
                let cache = LruCache::with_weighter_and_hasher(
                    share,
                    SlotWeighter(self.weighter.clone()),
                    self.hasher.clone(),
                )
                .with_policy(self.policy);
                CachePadded::new(RwLock::new(Shard {
                    shared_hits: std::sync::atomic::AtomicU64::new(0),
                    shared_misses: std::sync::atomic::AtomicU64::new(0),
                    cache,
                    flights: HashTable::new(),
                    stats: CacheStats::default(),
                }))
            })
            .collect();
        Ok(ConcurrentLru {
            shards,
            mask: n64 - 1,
            read_hits: matches!(self.policy, Policy::Sieve | Policy::S3Fifo),
            hasher: self.hasher,
            capacity: cap,
            default_ttl: self.default_ttl,
            ttl_used: AtomicBool::new(self.default_ttl.is_some()),
            clock: self
                .clock
                .unwrap_or_else(|| Box::new(MonotonicClock::new())),
            listener: self.listener,
        })
    }
}

#[inline]
fn expired(expires: u64, now: u64) -> bool {
    expires != NEVER && expires <= now
}

/// Counts a removal in the shard's stats.
#[inline]
fn count(stats: &mut CacheStats, cause: RemovalCause) {
    match cause {
        RemovalCause::Capacity => stats.evictions += 1,
        RemovalCause::Expired => stats.expirations += 1,
        _ => {}
    }
}

impl<K, V, S, W> ConcurrentLru<K, V, S, W> {
    /// The capacity (entries, or weight units).
    ///
    /// ```
    /// assert_eq!(pillars_dsa::lru::ConcurrentLru::<u8, u8>::new(5).expect("capacity > 0").capacity(), 5);
    /// ```
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// The number of shards.
    ///
    /// ```
    /// assert!(pillars_dsa::lru::ConcurrentLru::<u8, u8>::new(5).expect("capacity > 0").shard_count().is_power_of_two());
    /// ```
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// The eviction policy.
    ///
    /// ```
    /// use pillars_dsa::lru::{ConcurrentLru, Policy};
    /// assert_eq!(ConcurrentLru::<u8, u8>::new(5).expect("capacity > 0").policy(), Policy::Lru);
    /// ```
    pub fn policy(&self) -> Policy {
        self.shards[0].read().cache.policy()
    }

    /// The number of entries (expired ones not yet removed included).
    ///
    /// ```
    /// let c = pillars_dsa::lru::ConcurrentLru::<u8, u8>::new(5).expect("capacity > 0");
    /// c.insert(1, 1).expect("fits");
    /// assert_eq!(c.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().cache.len()).sum()
    }

    /// Whether the cache holds no entry.
    ///
    /// ```
    /// assert!(pillars_dsa::lru::ConcurrentLru::<u8, u8>::new(5).expect("capacity > 0").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The total weight of the entries (their number without a weighter).
    ///
    /// ```
    /// let c = pillars_dsa::lru::ConcurrentLru::<u8, u8>::new(5).expect("capacity > 0");
    /// c.insert(1, 1).expect("fits");
    /// assert_eq!(c.weight(), 1);
    /// ```
    pub fn weight(&self) -> u64 {
        self.shards.iter().map(|s| s.read().cache.weight()).sum()
    }

    /// The counters, summed over the shards.
    ///
    /// ```
    /// let c = pillars_dsa::lru::ConcurrentLru::<u8, u8>::new(5).expect("capacity > 0");
    /// c.get(&1);
    /// assert_eq!(c.stats().misses, 1);
    /// ```
    pub fn stats(&self) -> CacheStats {
        let mut total = CacheStats::default();
        for s in &*self.shards {
            let g = s.read();
            total.add(&g.stats);
            total.hits += g.shared_hits.load(std::sync::atomic::Ordering::Relaxed);
            total.misses += g.shared_misses.load(std::sync::atomic::Ordering::Relaxed);
        }
        total
    }

    /// Clock nanoseconds, read only once a TTL has been used.
    #[inline]
    fn now(&self) -> u64 {
        if self.ttl_used.load(Ordering::Relaxed) {
            self.clock_nanos()
        } else {
            0
        }
    }

    fn clock_nanos(&self) -> u64 {
        self.clock.now_nanos().min(NEVER - 1)
    }

    /// The deadline of an entry inserted now with `ttl` (or the default).
    fn deadline(&self, ttl: Option<Duration>) -> u64 {
        match ttl.or(self.default_ttl) {
            None => NEVER,
            Some(d) => {
                self.ttl_used.store(true, Ordering::Relaxed);
                let d = u64::try_from(d.as_nanos()).unwrap_or(NEVER);
                self.clock_nanos().saturating_add(d).min(NEVER - 1)
            }
        }
    }

    /// Hands removed entries to the listener.
    fn notify(&self, removed: Removed<K, V>) {
        if let Some(l) = &self.listener {
            for (k, v, why) in removed {
                l(k, v, why);
            }
        }
    }
}

impl<K, V, S, W> ConcurrentLru<K, V, S, W>
where
    K: Hash + Eq,
    S: BuildHasher,
    W: Weighter<K, V>,
{
    #[inline]
    fn shard(&self, h: u64) -> &RwLock<Shard<K, V, S, W>> {
        #[allow(clippy::cast_possible_truncation)] // masked to the shard count
        &self.shards[((h >> 40) & self.mask) as usize]
    }

    /// The value of `key` (a clone), marking it recently used.
    ///
    /// ```
    /// let c = pillars_dsa::lru::ConcurrentLru::<String, u8>::new(5).expect("capacity > 0");
    /// c.insert("k".to_string(), 1).expect("fits");
    /// assert_eq!(c.get("k"), Some(1));
    /// ```
    #[inline]
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
        V: Clone,
    {
        let h = self.hasher.hash_one(key);
        let now = self.now();
        if self.read_hits {
            // A SIEVE or S3-FIFO hit bumps a counter in the entry's atomic
            // meta word: a shared read lock suffices.
            let g = self.shard(h).read();
            match g.cache.find_hashed(fold(h), key) {
                Some(i) if !expired(g.cache.value_at(i).expires, now) => {
                    g.cache.hit_shared(i);
                    g.shared_hits
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return Some(g.cache.value_at(i).value.clone());
                }
                Some(_) => {} // expired: removed under the write lock below
                None => {
                    g.shared_misses
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return None;
                }
            }
        }
        let mut removed = Vec::new();
        let found = {
            let mut g = self.shard(h).write();
            let sh = &mut *g;
            match sh.cache.find_hashed(fold(h), key) {
                Some(i) if !expired(sh.cache.value_at(i).expires, now) => {
                    sh.cache.touch(i);
                    sh.stats.hits += 1;
                    Some(sh.cache.value_at(i).value.clone())
                }
                Some(i) => {
                    let (k, slot) = sh.cache.remove_at(i);
                    sh.stats.misses += 1;
                    sh.stats.expirations += 1;
                    if self.listener.is_some() {
                        removed.push((k, slot.value, RemovalCause::Expired));
                    }
                    None
                }
                None => {
                    sh.stats.misses += 1;
                    None
                }
            }
        };
        self.notify(removed);
        found
    }

    /// The value of `key` without changing its recency or the stats.
    ///
    /// ```
    /// let c = pillars_dsa::lru::ConcurrentLru::<u8, u8>::new(5).expect("capacity > 0");
    /// c.insert(1, 1).expect("fits");
    /// assert_eq!(c.peek(&1), Some(1));
    /// ```
    pub fn peek<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
        V: Clone,
    {
        let h = self.hasher.hash_one(key);
        let now = self.now();
        let g = self.shard(h).read();
        let i = g.cache.find_hashed(fold(h), key)?;
        let slot = g.cache.value_at(i);
        (!expired(slot.expires, now)).then(|| slot.value.clone())
    }

    /// Whether `key` holds a live entry.
    ///
    /// ```
    /// let c = pillars_dsa::lru::ConcurrentLru::<u8, u8>::new(5).expect("capacity > 0");
    /// c.insert(1, 1).expect("fits");
    /// assert!(c.contains(&1) && !c.contains(&2));
    /// ```
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let h = self.hasher.hash_one(key);
        let now = self.now();
        let g = self.shard(h).read();
        g.cache
            .find_hashed(fold(h), key)
            .is_some_and(|i| !expired(g.cache.value_at(i).expires, now))
    }

    /// Inserts (or replaces) `key` with the default TTL, if any.
    ///
    /// # Errors
    ///
    /// [`Error::TooHeavy`] when the entry weighs more than a shard's share of
    /// the capacity; it is not stored, and an older entry under the key is
    /// removed.
    ///
    /// ```
    /// let c = pillars_dsa::lru::ConcurrentLru::<u8, u8>::new(5).expect("capacity > 0");
    /// c.insert(1, 1).expect("fits");
    /// c.insert(1, 2).expect("fits");
    /// assert_eq!(c.get(&1), Some(2));
    /// ```
    pub fn insert(&self, key: K, value: V) -> Result<(), Error> {
        let h = self.hasher.hash_one(&key);
        let expires = self.deadline(None);
        self.store(h, key, value, expires)
    }

    /// Inserts (or replaces) `key`, expiring after `ttl`.
    ///
    /// # Errors
    ///
    /// As [`insert`](Self::insert).
    ///
    /// ```
    /// use std::{sync::Arc, time::Duration};
    /// use pillars_dsa::lru::{ConcurrentLru, ManualClock};
    /// let clock = Arc::new(ManualClock::new());
    /// let c = ConcurrentLru::<u8, u8>::builder(5).clock(Arc::clone(&clock)).build().expect("capacity > 0");
    /// c.insert_with_ttl(1, 1, Duration::from_secs(1)).expect("fits");
    /// c.insert(2, 2).expect("fits"); // no TTL
    /// clock.advance(Duration::from_secs(5));
    /// assert_eq!((c.get(&1), c.get(&2)), (None, Some(2)));
    /// ```
    pub fn insert_with_ttl(&self, key: K, value: V, ttl: Duration) -> Result<(), Error> {
        let h = self.hasher.hash_one(&key);
        let expires = self.deadline(Some(ttl));
        self.store(h, key, value, expires)
    }

    #[allow(clippy::many_single_char_names)]
    fn store(&self, h: u64, key: K, value: V, expires: u64) -> Result<(), Error> {
        let mut removed = Vec::new();
        let track = self.listener.is_some();
        let r = {
            let mut g = self.shard(h).write();
            let sh = &mut *g;
            let stats = &mut sh.stats;
            let r = sh
                .cache
                .insert_hashed(fold(h), key, Slot { value, expires }, |k, s, why| {
                    count(stats, why);
                    if track {
                        removed.push((k, s.value, why));
                    }
                });
            match r {
                Ok(_) => {
                    sh.stats.inserts += 1;
                    Ok(())
                }
                Err((k, s)) => Err(Error::TooHeavy {
                    weight: sh.cache.weighter().weight(&k, &s),
                    capacity: sh.cache.cap(),
                }),
            }
        };
        self.notify(removed);
        r
    }

    /// Removes `key`, returning its value if it was live.
    ///
    /// ```
    /// let c = pillars_dsa::lru::ConcurrentLru::<u8, u8>::new(5).expect("capacity > 0");
    /// c.insert(1, 1).expect("fits");
    /// assert_eq!(c.remove(&1), Some(1));
    /// assert_eq!(c.remove(&1), None);
    /// ```
    pub fn remove<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
        V: Clone,
    {
        let h = self.hasher.hash_one(key);
        let now = self.now();
        let (k, slot) = {
            let mut g = self.shard(h).write();
            let sh = &mut *g;
            let (k, slot) = sh.cache.pop_hashed(fold(h), key)?;
            if expired(slot.expires, now) {
                sh.stats.expirations += 1;
            }
            (k, slot)
        };
        if expired(slot.expires, now) {
            self.notify(vec![(k, slot.value, RemovalCause::Expired)]);
            return None;
        }
        let v = slot.value;
        if let Some(l) = &self.listener {
            l(k, v.clone(), RemovalCause::Removed);
        }
        Some(v)
    }

    /// Removes every entry (reported to the listener as removed).
    ///
    /// ```
    /// let c = pillars_dsa::lru::ConcurrentLru::<u8, u8>::new(5).expect("capacity > 0");
    /// c.insert(1, 1).expect("fits");
    /// c.clear();
    /// assert!(c.is_empty());
    /// ```
    pub fn clear(&self) {
        self.retain_all(|_| false, RemovalCause::Removed);
    }

    /// Removes every expired entry now (expired entries are otherwise removed
    /// when looked up or evicted). Returns how many were removed.
    ///
    /// ```
    /// use std::{sync::Arc, time::Duration};
    /// use pillars_dsa::lru::{ConcurrentLru, ManualClock};
    /// let clock = Arc::new(ManualClock::new());
    /// let c = ConcurrentLru::<u8, u8>::builder(5).clock(Arc::clone(&clock)).build().expect("capacity > 0");
    /// c.insert_with_ttl(1, 1, Duration::from_secs(1)).expect("fits");
    /// clock.advance(Duration::from_secs(1));
    /// assert_eq!(c.purge_expired(), 1);
    /// assert!(c.is_empty());
    /// ```
    pub fn purge_expired(&self) -> usize {
        let now = self.now();
        self.retain_all(|e| !expired(e, now), RemovalCause::Expired)
    }

    fn retain_all(&self, keep: impl Fn(u64) -> bool, why: RemovalCause) -> usize {
        let track = self.listener.is_some();
        let mut n = 0;
        for shard in &*self.shards {
            let mut removed = Vec::new();
            {
                let mut g = shard.write();
                let sh = &mut *g;
                let stats = &mut sh.stats;
                sh.cache.retain_with(
                    |_, s| keep(s.expires),
                    |k, s| {
                        n += 1;
                        count(stats, why);
                        if track {
                            removed.push((k, s.value, why));
                        }
                    },
                );
            }
            self.notify(removed);
        }
        n
    }

    /// Under the shard lock: a live value, a flight to wait on, or a new
    /// flight this caller leads.
    fn lookup_or_lead(&self, h: u64, key: &K) -> Lookup<V>
    where
        K: Clone,
        V: Clone,
    {
        let now = self.now();
        let mut removed = Vec::new();
        let r = {
            let mut g = self.shard(h).write();
            let sh = &mut *g;
            let mut hit = None;
            if let Some(i) = sh.cache.find_hashed(fold(h), key) {
                if expired(sh.cache.value_at(i).expires, now) {
                    let (k, slot) = sh.cache.remove_at(i);
                    sh.stats.expirations += 1;
                    if self.listener.is_some() {
                        removed.push((k, slot.value, RemovalCause::Expired));
                    }
                } else {
                    sh.cache.touch(i);
                    sh.stats.hits += 1;
                    hit = Some(sh.cache.value_at(i).value.clone());
                }
            }
            if let Some(v) = hit {
                Lookup::Hit(v)
            } else {
                sh.stats.misses += 1;
                if let Some(e) = sh.flights.find(h, |e| e.1 == *key) {
                    Lookup::Wait(Arc::clone(&e.2))
                } else {
                    let f = Arc::new(Flight::new());
                    sh.flights
                        .insert_unique(h, (h, key.clone(), Arc::clone(&f)), |e| e.0);
                    Lookup::Lead(f)
                }
            }
        };
        self.notify(removed);
        r
    }

    /// Unregisters `flight` from the shard of hash `h` (if still there).
    fn unregister(&self, h: u64, flight: &Arc<Flight<V>>) {
        let mut g = self.shard(h).write();
        if let Ok(e) = g.flights.find_entry(h, |e| Arc::ptr_eq(&e.2, flight)) {
            e.remove();
        }
    }

    /// The leader's success: stores the value and unregisters the flight in
    /// one critical section.
    fn land(&self, h: u64, key: K, value: V, flight: &Arc<Flight<V>>) {
        let expires = self.deadline(None);
        let mut removed = Vec::new();
        let track = self.listener.is_some();
        {
            let mut g = self.shard(h).write();
            let sh = &mut *g;
            if let Ok(e) = sh.flights.find_entry(h, |e| Arc::ptr_eq(&e.2, flight)) {
                e.remove();
            }
            let stats = &mut sh.stats;
            let r = sh
                .cache
                .insert_hashed(fold(h), key, Slot { value, expires }, |k, s, why| {
                    count(stats, why);
                    if track {
                        removed.push((k, s.value, why));
                    }
                });
            if r.is_ok() {
                sh.stats.inserts += 1;
            }
        }
        self.notify(removed);
    }

    /// The value of `key`, loading it with `load` when absent: concurrent
    /// callers of the same missing key run one load and share its value.
    /// A value heavier than a shard's capacity is returned but not stored.
    /// The loader runs with no lock held; it must not load the same key from
    /// the same cache (it would wait on its own flight).
    ///
    /// # Errors
    ///
    /// [`Error::LoaderPanicked`] when this caller waited on a load whose
    /// loader panicked in another thread (the panicking thread itself unwinds
    /// as usual). Nothing is cached; the next call loads again.
    ///
    /// ```
    /// let c = pillars_dsa::lru::ConcurrentLru::<u32, String>::new(100).expect("capacity > 0");
    /// assert_eq!(c.get_or_insert_with(7, || "seven".to_string()), Ok("seven".to_string()));
    /// assert_eq!(c.get_or_insert_with(7, || unreachable!()), Ok("seven".to_string()));
    /// ```
    pub fn get_or_insert_with(&self, key: K, load: impl FnOnce() -> V) -> Result<V, Error>
    where
        K: Clone,
        V: Clone,
    {
        self.try_get_or_insert_with(key, || Ok::<V, Infallible>(load()))
            .map_err(|e| match e {
                LoadError::Panicked => Error::LoaderPanicked,
                LoadError::Loader(never) => match *never {},
            })
    }

    /// The value of `key`, loading it with the fallible `load` when absent
    /// (single-flight, as [`get_or_insert_with`](Self::get_or_insert_with)).
    ///
    /// # Errors
    ///
    /// [`LoadError::Loader`] with the loader's error — the same `Arc` for
    /// every caller that waited on that load — or [`LoadError::Panicked`].
    /// Errors are not cached.
    ///
    /// ```
    /// use pillars_dsa::lru::{ConcurrentLru, LoadError};
    /// let c = ConcurrentLru::<u32, u32>::new(100).expect("capacity > 0");
    /// let e = c.try_get_or_insert_with(1, || Err::<u32, _>(std::io::Error::other("timeout")));
    /// assert!(matches!(e, Err(LoadError::Loader(_))));
    /// assert!(!c.contains(&1));
    /// ```
    pub fn try_get_or_insert_with<E: Send + Sync + 'static>(
        &self,
        key: K,
        load: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, LoadError<E>>
    where
        K: Clone,
        V: Clone,
    {
        let h = self.hasher.hash_one(&key);
        let mut load = Some(load);
        loop {
            match self.lookup_or_lead(h, &key) {
                Lookup::Hit(v) => return Ok(v),
                Lookup::Wait(f) => match f.wait() {
                    Outcome::Done(v) => return Ok(v),
                    Outcome::Panicked => return Err(LoadError::Panicked),
                    Outcome::Failed(e) => {
                        if let Ok(e) = e.downcast::<E>() {
                            return Err(LoadError::Loader(e));
                        }
                    }
                    Outcome::Cancelled => {}
                },
                Lookup::Lead(flight) => {
                    let Some(load) = load.take() else {
                        return Err(LoadError::Panicked);
                    };
                    let mut guard = LeaderGuard {
                        flight,
                        unregister: |f: &Arc<Flight<V>>| self.unregister(h, f),
                        armed: true,
                    };
                    return self.finish(h, key, load(), &mut guard);
                }
            }
        }
    }

    /// The async, fallible single-flight load: concurrent callers (tasks or
    /// threads) of the same missing key await one run of `load` and share its
    /// result. If the leading task is dropped mid-load, a waiting caller
    /// loads instead.
    ///
    /// # Errors
    ///
    /// As [`try_get_or_insert_with`](Self::try_get_or_insert_with).
    ///
    /// ```
    /// use pillars_dsa::lru::ConcurrentLru;
    /// # tokio::runtime::Builder::new_current_thread().build().expect("runtime").block_on(async {
    /// let c = ConcurrentLru::<u32, String>::new(100).expect("capacity > 0");
    /// let v = c.get_or_try_insert_with(1, || async { Ok::<_, std::io::Error>("one".to_string()) }).await;
    /// assert_eq!(v.ok().as_deref(), Some("one"));
    /// # });
    /// ```
    pub async fn get_or_try_insert_with<E, F, Fut>(
        &self,
        key: K,
        load: F,
    ) -> Result<V, LoadError<E>>
    where
        K: Clone,
        V: Clone,
        E: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let h = self.hasher.hash_one(&key);
        let mut load = Some(load);
        loop {
            let wait = match self.lookup_or_lead(h, &key) {
                Lookup::Hit(v) => return Ok(v),
                Lookup::Wait(f) => f,
                Lookup::Lead(flight) => {
                    let Some(load) = load.take() else {
                        return Err(LoadError::Panicked);
                    };
                    let mut guard = LeaderGuard {
                        flight,
                        unregister: |f: &Arc<Flight<V>>| self.unregister(h, f),
                        armed: true,
                    };
                    let r = load().await;
                    return self.finish(h, key, r, &mut guard);
                }
            };
            match wait.wait_async().await {
                Outcome::Done(v) => return Ok(v),
                Outcome::Panicked => return Err(LoadError::Panicked),
                Outcome::Failed(e) => {
                    if let Ok(e) = e.downcast::<E>() {
                        return Err(LoadError::Loader(e));
                    }
                }
                Outcome::Cancelled => {}
            }
        }
    }

    /// The leader's end: store and share the value, or share the error.
    fn finish<E: Send + Sync + 'static>(
        &self,
        h: u64,
        key: K,
        r: Result<V, E>,
        guard: &mut LeaderGuard<V, impl FnMut(&Arc<Flight<V>>)>,
    ) -> Result<V, LoadError<E>>
    where
        V: Clone,
    {
        match r {
            Ok(v) => {
                let shared = v.clone();
                self.land(h, key, v.clone(), &guard.flight);
                guard.armed = false;
                guard.flight.complete(FlightState::Done(shared));
                Ok(v)
            }
            Err(e) => {
                let e = Arc::new(e);
                self.unregister(h, &guard.flight);
                guard.armed = false;
                guard
                    .flight
                    .complete(FlightState::Failed(Arc::clone(&e) as _));
                Err(LoadError::Loader(e))
            }
        }
    }
}

impl<K, V, S, W> fmt::Debug for ConcurrentLru<K, V, S, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcurrentLru")
            .field("capacity", &self.capacity)
            .field("shards", &self.shards.len())
            .field("default_ttl", &self.default_ttl)
            .finish_non_exhaustive()
    }
}
