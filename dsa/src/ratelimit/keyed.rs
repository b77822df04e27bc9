//! [`KeyedLimiter`]: one GCRA per key (client, tenant, route) in a
//! concurrent map, with bounded memory.
//!
//! Each key holds one `AtomicU64` TAT (see [`gcra`](super::gcra)) in a
//! sharded `DashMap`; a check on a known key takes a shard read lock and runs
//! the same CAS loop as [`Gcra`](super::Gcra), so checks on one key never
//! block each other and different keys only share a shard's read lock.
//!
//! # Bounded memory
//!
//! A key whose TAT is at or before "now" is in exactly the state of a key
//! never seen (a full burst), so it can be dropped **with no change to any
//! decision**. [`KeyedLimiter::retain_recent`] drops them all (call it from
//! a timer if you like); it is never required for correctness.
//!
//! The map also holds at most `max_keys` keys, whatever arrives — including
//! a flood of unique keys. When a new key would exceed the cap:
//!
//! 1. every expired key is dropped (no decision changes);
//! 2. if that is not enough, the live keys *closest to expiry* (smallest
//!    TAT, so the least remembered debt) are dropped until the map is at
//!    7/8 of the cap, which amortises the O(n) sweep over `max_keys / 8`
//!    inserts.
//!
//! A live key dropped in step 2 that comes back is treated as new: it may
//! get up to its forgotten debt (at most one burst) again. That is the only
//! way the cap can change a decision, and it only happens when more than
//! `max_keys` keys are active within one burst window — size the cap above
//! that. New keys are inserted under one lock (checks on known keys never
//! take it), so the cap holds exactly, also under concurrent floods.
//!
//! Memory per key: the key, 8 bytes of TAT and `DashMap`'s slot overhead.
//! The default hasher is `foldhash` (fast, seeded per map; keys never leave
//! the process).
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::ratelimit::{KeyedLimiter, ManualClock, Quota};
//! use std::time::Duration;
//!
//! let clock = ManualClock::new();
//! let lim = KeyedLimiter::<String, _>::with_clock(Quota::per_second(2)?, 1000, clock.clone())?;
//! assert!(lim.check("alice").is_allowed());
//! assert!(lim.check("alice").is_allowed());
//! assert!(!lim.check("alice").is_allowed());
//! assert!(lim.check("bob").is_allowed()); // every key has its own quota
//! clock.advance(Duration::from_secs(1));
//! lim.retain_recent(); // both keys are full again: dropped, same answers
//! assert!(lim.is_empty());
//! # Ok::<(), pillars_dsa::ratelimit::Error>(())
//! ```

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash};
use std::sync::Mutex;

use dashmap::DashMap;

use super::decision::Decision;
use super::error::{Error, Result};
use super::gcra::{gcra_peek, gcra_step, validate_n};
use super::quota::Quota;
use super::sync::{AtomicU64, Ordering};
use crate::clock::{Clock, MonotonicClock};

/// The default hasher of [`KeyedLimiter`]: `foldhash`, randomly seeded.
pub type DefaultHashBuilder = foldhash::fast::RandomState;

/// A rate limiter per key with bounded memory (see the [module docs](self)).
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::{KeyedLimiter, Quota};
///
/// let lim: KeyedLimiter<u64> = KeyedLimiter::new(Quota::per_second(100)?);
/// assert!(lim.check(&42).is_allowed());
/// assert_eq!(lim.len(), 1);
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
pub struct KeyedLimiter<K, C = MonotonicClock, S = DefaultHashBuilder>
where
    K: Hash + Eq,
    S: BuildHasher + Clone,
{
    map: DashMap<K, AtomicU64, S>,
    quota: Quota,
    max_keys: usize,
    insert_lock: Mutex<()>,
    clock: C,
}

impl<K, C, S> std::fmt::Debug for KeyedLimiter<K, C, S>
where
    K: Hash + Eq,
    S: BuildHasher + Clone,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedLimiter")
            .field("quota", &self.quota)
            .field("max_keys", &self.max_keys)
            .field("len", &self.map.len())
            .finish_non_exhaustive()
    }
}

impl<K: Hash + Eq> KeyedLimiter<K, MonotonicClock, DefaultHashBuilder> {
    /// The key cap of [`KeyedLimiter::new`]: one million keys.
    pub const DEFAULT_MAX_KEYS: usize = 1 << 20;

    /// A keyed limiter on the default clock, capped at
    /// [`DEFAULT_MAX_KEYS`](Self::DEFAULT_MAX_KEYS) keys.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{KeyedLimiter, Quota};
    /// let lim: KeyedLimiter<String> = KeyedLimiter::new(Quota::per_second(1)?);
    /// assert!(lim.check("route-a").is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn new(quota: Quota) -> Self {
        Self::build(
            quota,
            Self::DEFAULT_MAX_KEYS,
            MonotonicClock::new(),
            DefaultHashBuilder::default(),
        )
    }

    /// A keyed limiter on the default clock holding at most `max_keys` keys.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] when `max_keys` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{KeyedLimiter, Quota};
    /// let lim: KeyedLimiter<u32> = KeyedLimiter::with_max_keys(Quota::per_second(1)?, 10)?;
    /// assert_eq!(lim.max_keys(), 10);
    /// assert!(KeyedLimiter::<u32>::with_max_keys(Quota::per_second(1)?, 0).is_err());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn with_max_keys(quota: Quota, max_keys: usize) -> Result<Self> {
        KeyedLimiter::with_clock(quota, max_keys, MonotonicClock::new())
    }
}

impl<K: Hash + Eq, C: Clock> KeyedLimiter<K, C, DefaultHashBuilder> {
    /// A keyed limiter reading time from `clock`, holding at most `max_keys`.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] when `max_keys` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{KeyedLimiter, ManualClock, Quota};
    /// let lim = KeyedLimiter::<u8, _>::with_clock(Quota::per_second(1)?, 4, ManualClock::new())?;
    /// assert!(lim.check(&1).is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn with_clock(quota: Quota, max_keys: usize, clock: C) -> Result<Self> {
        Self::with_hasher(quota, max_keys, clock, DefaultHashBuilder::default())
    }
}

impl<K, C, S> KeyedLimiter<K, C, S>
where
    K: Hash + Eq,
    C: Clock,
    S: BuildHasher + Clone,
{
    /// A keyed limiter with an explicit clock and hasher.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] when `max_keys` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{KeyedLimiter, MonotonicClock, Quota};
    /// use std::hash::RandomState;
    /// let lim = KeyedLimiter::<u8, _, _>::with_hasher(
    ///     Quota::per_second(1)?, 4, MonotonicClock::new(), RandomState::new())?;
    /// assert!(lim.check(&1).is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn with_hasher(quota: Quota, max_keys: usize, clock: C, hasher: S) -> Result<Self> {
        if max_keys == 0 {
            return Err(Error::Invalid("max_keys must be at least 1"));
        }
        Ok(Self::build(quota, max_keys, clock, hasher))
    }

    fn build(quota: Quota, max_keys: usize, clock: C, hasher: S) -> Self {
        Self {
            map: DashMap::with_hasher(hasher),
            quota,
            max_keys,
            insert_lock: Mutex::new(()),
            clock,
        }
    }

    /// Asks for one cell for `key`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{KeyedLimiter, Quota};
    /// let lim: KeyedLimiter<String> = KeyedLimiter::new(Quota::per_hour(1)?);
    /// assert!(lim.check("k").is_allowed());
    /// assert!(!lim.check("k").is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    #[inline]
    pub fn check<Q>(&self, key: &Q) -> Decision
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        self.step(key, self.clock.now_nanos(), 1)
    }

    /// Asks for `n` cells for `key`, all or nothing; `n == 0` changes
    /// nothing (and inserts nothing).
    ///
    /// # Errors
    ///
    /// [`Error::InsufficientCapacity`] when `n` exceeds the burst.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{KeyedLimiter, Quota};
    /// let lim: KeyedLimiter<u32> = KeyedLimiter::new(Quota::per_hour(3)?);
    /// assert!(lim.check_n(&7, 3)?.is_allowed());
    /// assert!(lim.check_n(&7, 4).is_err());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn check_n<Q>(&self, key: &Q, n: u64) -> Result<Decision>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let now = self.clock.now_nanos();
        if validate_n(&self.quota, n)? {
            Ok(self.step(key, now, n))
        } else {
            let tat = self.map.get(key).map_or(0, |t| t.load(Ordering::Acquire));
            Ok(gcra_peek(tat, &self.quota, now))
        }
    }

    #[inline]
    fn step<Q>(&self, key: &Q, now: u64, n: u64) -> Decision
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if let Some(tat) = self.map.get(key) {
            return gcra_step(&tat, &self.quota, now, n);
        }
        self.insert_and_step(key, now, n)
    }

    #[cold]
    fn insert_and_step<Q>(&self, key: &Q, now: u64, n: u64) -> Decision
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        // One inserter at a time, so the cap holds exactly; the guard is
        // `()`, so a poisoned lock carries no broken state.
        let _guard = self
            .insert_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(tat) = self.map.get(key) {
            return gcra_step(&tat, &self.quota, now, n);
        }
        if self.map.len() >= self.max_keys {
            self.make_room(now);
        }
        let entry = self
            .map
            .entry(key.to_owned())
            .or_insert_with(|| AtomicU64::new(0));
        gcra_step(&entry, &self.quota, now, n)
    }

    /// Drops expired keys, then (if still at the cap) the live keys closest
    /// to expiry, down to 7/8 of the cap.
    fn make_room(&self, now: u64) {
        self.map.retain(|_, tat| tat.load(Ordering::Acquire) > now);
        let target = self.max_keys - (self.max_keys / 8).max(1);
        // Checks on known keys run without the insert lock and may raise a
        // TAT above the cut between the two passes, and `retain_recent` may
        // remove keys meanwhile: count from what was collected, and repeat.
        for _ in 0..4 {
            let mut tats: Vec<u64> = self
                .map
                .iter()
                .map(|e| e.value().load(Ordering::Acquire))
                .collect();
            let drop = tats.len().saturating_sub(target);
            if drop == 0 {
                return;
            }
            let (_, &mut cut, _) = tats.select_nth_unstable(drop - 1);
            self.map.retain(|_, tat| tat.load(Ordering::Acquire) > cut);
            if self.map.len() < self.max_keys {
                return;
            }
        }
        // Still at the cap after four rounds (every TAT kept rising): drop
        // keys in map order down to the target, so the cap holds.
        let mut extra = self.map.len().saturating_sub(target);
        self.map.retain(|_, _| {
            if extra > 0 {
                extra -= 1;
                false
            } else {
                true
            }
        });
    }

    /// Drops every key whose state is the same as absent (TAT ≤ now): no
    /// decision changes. Returns how many keys were dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{KeyedLimiter, ManualClock, Quota};
    /// use std::time::Duration;
    /// let clock = ManualClock::new();
    /// let lim = KeyedLimiter::<u32, _>::with_clock(Quota::per_second(10)?, 100, clock.clone())?;
    /// for k in 0..10 { let _ = lim.check(&k); }
    /// clock.advance(Duration::from_millis(100));
    /// assert_eq!(lim.retain_recent(), 10);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn retain_recent(&self) -> usize {
        let now = self.clock.now_nanos();
        let before = self.map.len();
        self.map.retain(|_, tat| tat.load(Ordering::Acquire) > now);
        before.saturating_sub(self.map.len())
    }

    /// Gives spare map capacity back to the allocator (after a
    /// [`retain_recent`](Self::retain_recent), say).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{KeyedLimiter, Quota};
    /// let lim: KeyedLimiter<u32> = KeyedLimiter::new(Quota::per_second(1)?);
    /// lim.shrink_to_fit();
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn shrink_to_fit(&self) {
        self.map.shrink_to_fit();
    }

    /// Keys currently held (summed shard by shard: exact when no other
    /// thread is changing the map, a snapshot estimate otherwise).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{KeyedLimiter, Quota};
    /// let lim: KeyedLimiter<u32> = KeyedLimiter::new(Quota::per_second(1)?);
    /// let _ = lim.check(&1);
    /// assert_eq!(lim.len(), 1);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no key is held.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{KeyedLimiter, Quota};
    /// assert!(KeyedLimiter::<u32>::new(Quota::per_second(1)?).is_empty());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The most keys ever held at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{KeyedLimiter, Quota};
    /// let lim: KeyedLimiter<u32> = KeyedLimiter::with_max_keys(Quota::per_second(1)?, 5)?;
    /// assert_eq!(lim.max_keys(), 5);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub const fn max_keys(&self) -> usize {
        self.max_keys
    }

    /// The quota every key gets.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{KeyedLimiter, Quota};
    /// let lim: KeyedLimiter<u32> = KeyedLimiter::new(Quota::per_second(3)?);
    /// assert_eq!(lim.quota().rate(), 3);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub const fn quota(&self) -> &Quota {
        &self.quota
    }
}
