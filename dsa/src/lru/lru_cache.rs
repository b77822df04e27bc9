//! [`LruCache`]: the single-threaded cache.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::num::{NonZeroU64, NonZeroUsize};

use hashbrown::HashTable;

use super::error::Error;
use super::hasher::StableState;
use super::s3fifo::{S3_FREQ_MAX, S3Fifo};
use super::sieve::Policy;
use super::slab::{Entry, MAX_ENTRIES, MAX_ENTRY_WEIGHT, NIL, Slab};
use super::weighter::{UnitWeighter, Weighter};

/// Why an entry left a cache (given to eviction listeners).
///
/// ```
/// use pillars_dsa::lru::RemovalCause;
/// assert!(RemovalCause::Capacity.was_evicted());
/// assert!(!RemovalCause::Replaced.was_evicted());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RemovalCause {
    /// Evicted to make room (count or weight capacity).
    Capacity,
    /// Its time to live ran out.
    Expired,
    /// A new value was put under the same key.
    Replaced,
    /// Removed by the user (`pop`, `remove`, `clear`).
    Removed,
}

impl RemovalCause {
    /// Whether the cache removed the entry on its own (capacity or expiry), as
    /// opposed to the user replacing or removing it.
    ///
    /// ```
    /// assert!(pillars_dsa::lru::RemovalCause::Expired.was_evicted());
    /// ```
    pub const fn was_evicted(self) -> bool {
        matches!(self, Self::Capacity | Self::Expired)
    }
}

/// Folds a 64-bit hash to the 32 bits an entry stores.
#[inline]
#[allow(clippy::cast_possible_truncation)] // folding on purpose
pub(crate) const fn fold(h: u64) -> u32 {
    (h ^ (h >> 32)) as u32
}

/// The 64-bit hash the table sees for a stored 32-bit hash: the low bits pick
/// the bucket, the top 7 bits (hashbrown's tag) are the top bits of `h`.
#[inline]
const fn spread(h: u32) -> u64 {
    (h as u64) | ((h as u64) << 32)
}

/// A single-threaded cache with O(1) operations, bounded by a number of
/// entries or by a total weight, evicting by LRU (default), SIEVE or
/// S3-FIFO ([`Policy`]).
///
/// Entries live in one dense arena (`Vec`) linked by `u32` indices; a
/// hashbrown [`HashTable`] maps hashes to indices, so keys are stored once and
/// there is no allocation per entry. Memory per entry is
/// `size_of::<(K, V)>() + 16` bytes in the arena (rounded up to `K`/`V`'s
/// alignment) plus 5 to 10 bytes of table (a `u32` index and a control byte
/// per bucket; hashbrown's buckets are a power of two at most 7/8 full, and
/// the table doubles once deleted markers left by evictions use up its
/// room) — 40 to 48 bytes for `u64 → u64` in steady state, against 68 to 88
/// for the `lru` crate (`examples/lru_report.rs`).
///
/// The API follows the `lru` crate: `put` / `get` / `get_mut` / `peek` /
/// `pop` / `pop_lru` / `iter` (most to least recently used).
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use pillars_dsa::lru::LruCache;
///
/// let mut cache = LruCache::new(NonZeroUsize::new(2).expect("2 > 0"));
/// assert_eq!(cache.put("apple", 3), None);
/// assert_eq!(cache.put("banana", 2), None);
/// assert_eq!(cache.get(&"apple"), Some(&3)); // apple is now the most recent
/// // Full: putting a third key evicts the least recently used (banana).
/// assert_eq!(cache.put("pear", 4), Some(("banana", 2)));
/// let order: Vec<_> = cache.iter().map(|(k, _)| *k).collect();
/// assert_eq!(order, ["pear", "apple"]);
/// ```
pub struct LruCache<K, V, S = StableState, W = UnitWeighter> {
    table: HashTable<u32>,
    slab: Slab<K, V>,
    hasher: S,
    weighter: W,
    policy: Policy,
    capacity: u64,
    weight: u64,
    /// S3-FIFO's queue bookkeeping and ghosts (unused by other policies).
    s3: S3Fifo,
}

impl<K: Hash + Eq, V> LruCache<K, V> {
    /// A cache holding at most `capacity` entries, with the default hasher
    /// ([`StableState`]) and LRU eviction.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let c = pillars_dsa::lru::LruCache::<u32, u32>::new(NonZeroUsize::new(8).expect("8 > 0"));
    /// assert_eq!(c.cap(), 8);
    /// ```
    pub fn new(capacity: NonZeroUsize) -> Self {
        Self::with_hasher(capacity, StableState::default())
    }

    /// Like [`new`](Self::new) from a plain `usize`.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroCapacity`] for 0, [`Error::CapacityTooLarge`] above
    /// `u32::MAX - 1` entries.
    ///
    /// ```
    /// use pillars_dsa::lru::{Error, LruCache};
    /// assert!(LruCache::<u8, u8>::try_new(3).is_ok());
    /// assert_eq!(LruCache::<u8, u8>::try_new(0).err(), Some(Error::ZeroCapacity));
    /// ```
    pub fn try_new(capacity: usize) -> Result<Self, Error> {
        let cap = NonZeroUsize::new(capacity).ok_or(Error::ZeroCapacity)?;
        if capacity > MAX_ENTRIES {
            return Err(Error::CapacityTooLarge {
                capacity: capacity as u64,
                max: MAX_ENTRIES as u64,
            });
        }
        Ok(Self::new(cap))
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> LruCache<K, V, S> {
    /// A cache of at most `capacity` entries hashing with `hasher`.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::with_hasher(
    ///     NonZeroUsize::new(4).expect("4 > 0"),
    ///     std::hash::RandomState::new(),
    /// );
    /// c.put(1, 1);
    /// assert!(c.contains(&1));
    /// ```
    pub fn with_hasher(capacity: NonZeroUsize, hasher: S) -> Self {
        Self::with_weighter_and_hasher(nz_u64(capacity), UnitWeighter, hasher)
    }
}

impl<K: Hash + Eq, V, W: Weighter<K, V>> LruCache<K, V, StableState, W> {
    /// A cache whose entries' weights (from `weighter`) sum to at most
    /// `capacity`.
    ///
    /// ```
    /// use std::num::NonZeroU64;
    /// use pillars_dsa::lru::LruCache;
    /// let mut c = LruCache::with_weighter(NonZeroU64::new(10).expect("10 > 0"), |_: &u8, v: &Vec<u8>| v.len() as u64);
    /// c.put(1, vec![0; 6]);
    /// c.put(2, vec![0; 6]); // 12 > 10: 1 goes
    /// assert_eq!((c.len(), c.weight()), (1, 6));
    /// // Heavier than the whole cache: handed back, never stored.
    /// assert_eq!(c.put(3, vec![0; 11]), Some((3, vec![0; 11])));
    /// assert!(!c.contains(&3));
    /// ```
    pub fn with_weighter(capacity: NonZeroU64, weighter: W) -> Self {
        Self::with_weighter_and_hasher(capacity, weighter, StableState::default())
    }
}

impl<K, V, S, W> LruCache<K, V, S, W> {
    /// The eviction policy.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use pillars_dsa::lru::{LruCache, Policy};
    /// assert_eq!(LruCache::<u8, u8>::new(NonZeroUsize::MIN).policy(), Policy::Lru);
    /// ```
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Sets the eviction policy (builder style).
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use pillars_dsa::lru::{LruCache, Policy};
    /// let c = LruCache::<u8, u8>::new(NonZeroUsize::MIN).with_policy(Policy::Sieve);
    /// assert_eq!(c.policy(), Policy::Sieve);
    /// ```
    #[must_use]
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        // Entries already cached all count as S3-FIFO's main queue.
        self.slab.mid = self.slab.head;
        self.s3.clear();
        self
    }

    /// The number of entries.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::MIN);
    /// c.put(1, 1);
    /// assert_eq!(c.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.slab.len()
    }

    /// Whether the cache holds no entry.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// assert!(pillars_dsa::lru::LruCache::<u8, u8>::new(NonZeroUsize::MIN).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.slab.len() == 0
    }

    /// The capacity, in entries (or weight units for a weighted cache).
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// assert_eq!(pillars_dsa::lru::LruCache::<u8, u8>::new(NonZeroUsize::MIN).cap(), 1);
    /// ```
    pub fn cap(&self) -> u64 {
        self.capacity
    }

    /// The total weight of the entries (their number for a count-bounded
    /// cache).
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::MIN);
    /// c.put('a', 1);
    /// assert_eq!(c.weight(), 1);
    /// ```
    pub fn weight(&self) -> u64 {
        self.weight
    }

    /// Removes every entry.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::MIN);
    /// c.put(1, 1);
    /// c.clear();
    /// assert!(c.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.table.clear();
        self.slab.clear();
        self.s3.clear();
        self.weight = 0;
    }

    /// Iterates from the most to the least recently used entry (for
    /// [`Policy::Sieve`]: from the newest to the oldest insertion; for
    /// [`Policy::S3Fifo`]: the small queue, then the main queue). Does not
    /// change recency.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::new(3).expect("3 > 0"));
    /// c.put(1, 'a');
    /// c.put(2, 'b');
    /// let v: Vec<_> = c.iter().collect();
    /// assert_eq!(v, [(&2, &'b'), (&1, &'a')]);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            slab: &self.slab,
            front: self.slab.head,
            back: self.slab.tail,
            left: self.slab.len(),
        }
    }

    /// The entry that would be evicted next under LRU (the least recently
    /// used), without touching it.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::new(2).expect("2 > 0"));
    /// c.put(1, 'a');
    /// c.put(2, 'b');
    /// assert_eq!(c.peek_lru(), Some((&1, &'a')));
    /// ```
    pub fn peek_lru(&self) -> Option<(&K, &V)> {
        let t = self.slab.tail;
        (t != NIL).then(|| {
            let e = self.slab.entry(t);
            (&e.key, &e.value)
        })
    }
}

/// The capacity of a count-bounded cache as weight units.
fn nz_u64(n: NonZeroUsize) -> NonZeroU64 {
    let clamped = n.get().min(MAX_ENTRIES) as u64;
    NonZeroU64::new(clamped).unwrap_or(NonZeroU64::MIN)
}

impl<K: Hash + Eq, V, S: BuildHasher, W: Weighter<K, V>> LruCache<K, V, S, W> {
    /// The general constructor: weight `capacity`, `weighter`, `hasher`.
    ///
    /// ```
    /// use std::num::NonZeroU64;
    /// use pillars_dsa::lru::{LruCache, StableState, UnitWeighter};
    /// let c = LruCache::<u8, u8, _, _>::with_weighter_and_hasher(NonZeroU64::MIN, UnitWeighter, StableState::with_seed(9));
    /// assert_eq!(c.cap(), 1);
    /// ```
    pub fn with_weighter_and_hasher(capacity: NonZeroU64, weighter: W, hasher: S) -> Self {
        Self {
            table: HashTable::new(),
            slab: Slab::new(),
            hasher,
            weighter,
            policy: Policy::Lru,
            capacity: capacity.get(),
            weight: 0,
            s3: S3Fifo::default(),
        }
    }

    /// The folded hash of a key.
    #[inline(always)]
    pub(crate) fn hash_of<Q: Hash + ?Sized>(&self, key: &Q) -> u32 {
        fold(self.hasher.hash_one(key))
    }

    /// The arena index of the key with folded hash `h`.
    #[inline(always)]
    pub(crate) fn find_hashed<Q>(&self, h: u32, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        let entries = &self.slab.entries;
        self.table
            .find(spread(h), |&i| entries[i as usize].key.borrow() == key)
            .copied()
    }

    /// Records a hit on entry `i` (policy-specific).
    #[inline(always)]
    pub(crate) fn touch(&mut self, i: u32) {
        match self.policy {
            Policy::Lru => self.slab.move_to_front(i),
            Policy::Sieve => self.slab.entry_mut(i).hit(),
            Policy::S3Fifo => self.slab.entry_mut(i).hit_to(S3_FREQ_MAX),
        }
    }

    /// Records a SIEVE or S3-FIFO hit on entry `i` through `&self`
    /// (read-locked shard). LRU hits need `&mut` ([`touch`](Self::touch)).
    #[inline]
    pub(crate) fn hit_shared(&self, i: u32) {
        match self.policy {
            Policy::S3Fifo => self.slab.entry(i).hit_shared_to(S3_FREQ_MAX),
            _ => self.slab.entry(i).hit_shared(),
        }
    }

    /// A reference to the value of entry `i`.
    #[inline]
    pub(crate) fn value_at(&self, i: u32) -> &V {
        &self.slab.entry(i).value
    }

    /// A hit on the key with hash `h`: touches it and returns its index.
    #[inline(always)]
    pub(crate) fn get_index_hashed<Q>(&mut self, h: u32, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        let i = self.find_hashed(h, key)?;
        self.touch(i);
        Some(i)
    }

    /// The value of `key`, marking it most recently used.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::new(2).expect("2 > 0"));
    /// c.put(String::from("k"), 1);
    /// assert_eq!(c.get("k"), Some(&1));
    /// assert_eq!(c.get("x"), None);
    /// ```
    #[inline]
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let h = self.hash_of(key);
        let i = self.get_index_hashed(h, key)?;
        Some(&self.slab.entry(i).value)
    }

    /// A mutable reference to the value of `key`, marking it most recently
    /// used. The entry's weight is not recomputed (see [`Weighter`]).
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::new(2).expect("2 > 0"));
    /// c.put(1, 10);
    /// if let Some(v) = c.get_mut(&1) { *v += 1; }
    /// assert_eq!(c.peek(&1), Some(&11));
    /// ```
    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let h = self.hash_of(key);
        let i = self.get_index_hashed(h, key)?;
        Some(&mut self.slab.entry_mut(i).value)
    }

    /// The value of `key` without changing its recency.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::new(2).expect("2 > 0"));
    /// c.put(1, 'a');
    /// c.put(2, 'b');
    /// assert_eq!(c.peek(&1), Some(&'a'));
    /// c.put(3, 'c'); // 1 was only peeked: still the LRU entry
    /// assert!(!c.contains(&1));
    /// ```
    #[inline]
    pub fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.find_hashed(self.hash_of(key), key)?;
        Some(&self.slab.entry(i).value)
    }

    /// Whether `key` is cached (no change in recency).
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::MIN);
    /// c.put(1, ());
    /// assert!(c.contains(&1) && !c.contains(&2));
    /// ```
    #[inline]
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find_hashed(self.hash_of(key), key).is_some()
    }

    /// Puts `value` under `key` as the most recently used entry.
    ///
    /// Returns the entry this put displaced: the old `(key, value)` when the
    /// key was present, else the entry evicted to make room (for a weighted
    /// cache that evicts several, the last one; use
    /// [`put_with`](Self::put_with) to see each). An entry heavier than the
    /// capacity is not stored: it is handed back, and an older entry under
    /// the same key is removed (it would be stale).
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::new(1).expect("1 > 0"));
    /// assert_eq!(c.put(1, 'a'), None);
    /// assert_eq!(c.put(1, 'b'), Some((1, 'a'))); // replaced
    /// assert_eq!(c.put(2, 'c'), Some((1, 'b'))); // evicted
    /// ```
    #[inline]
    pub fn put(&mut self, key: K, value: V) -> Option<(K, V)> {
        let mut out = None;
        match self.put_with(key, value, |k, v, _| out = Some((k, v))) {
            Ok(_) => out,
            Err(rejected) => Some(rejected),
        }
    }

    /// Puts `value` under `key` and calls `on_remove` with each entry the put
    /// displaced and why ([`RemovalCause::Replaced`] or
    /// [`RemovalCause::Capacity`]). Returns the new entry's value.
    ///
    /// # Errors
    ///
    /// Hands the pair back, unstored, when it weighs more than the capacity
    /// (an older entry under the key is then removed and reported as
    /// [`RemovalCause::Replaced`]).
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use pillars_dsa::lru::RemovalCause;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::MIN);
    /// c.put(1, 'a');
    /// let mut gone = Vec::new();
    /// let v = c.put_with(2, 'b', |k, v, why| gone.push((k, v, why))).copied();
    /// assert_eq!(v, Ok('b'));
    /// assert_eq!(gone, [(1, 'a', RemovalCause::Capacity)]);
    /// ```
    #[inline]
    pub fn put_with(
        &mut self,
        key: K,
        value: V,
        on_remove: impl FnMut(K, V, RemovalCause),
    ) -> Result<&mut V, (K, V)> {
        let h = self.hash_of(&key);
        let i = self.insert_hashed(h, key, value, on_remove)?;
        Ok(&mut self.slab.entry_mut(i).value)
    }

    /// The weight of a new entry, or `None` if it can never be stored.
    #[inline]
    fn weigh(&self, key: &K, value: &V) -> Option<u32> {
        let w = self.weighter.weight(key, value);
        #[allow(clippy::cast_possible_truncation)] // w <= MAX_ENTRY_WEIGHT < 2^30
        (w <= self.capacity && w <= MAX_ENTRY_WEIGHT).then_some(w as u32)
    }

    /// The next eviction victim other than `protect`.
    #[inline(always)]
    fn victim(&mut self, protect: u32) -> Option<u32> {
        match self.policy {
            Policy::Lru => self.slab.lru_victim(protect),
            Policy::Sieve => self.slab.sieve_victim(protect),
            Policy::S3Fifo => self
                .s3
                .victim(&mut self.slab, protect, self.capacity, self.weight),
        }
    }

    /// Inserts with a precomputed hash; returns the entry's index.
    #[allow(clippy::many_single_char_names)]
    pub(crate) fn insert_hashed(
        &mut self,
        h: u32,
        key: K,
        value: V,
        mut on_remove: impl FnMut(K, V, RemovalCause),
    ) -> Result<u32, (K, V)> {
        let Some(w) = self.weigh(&key, &value) else {
            if let Some(i) = self.find_hashed(h, &key) {
                let e = self.remove_index(i);
                on_remove(e.key, e.value, RemovalCause::Replaced);
            }
            return Err((key, value));
        };
        if let Some(i) = self.find_hashed(h, &key) {
            let e = self.slab.entry_mut(i);
            let old_w = e.weight();
            let old_k = std::mem::replace(&mut e.key, key);
            let old_v = std::mem::replace(&mut e.value, value);
            e.set_weight(w);
            self.weight = self.weight - old_w + u64::from(w);
            if self.policy == Policy::S3Fifo {
                self.s3.reweigh(i, old_w, u64::from(w));
            }
            self.touch(i);
            on_remove(old_k, old_v, RemovalCause::Replaced);
            let mut i = i;
            while self.weight > self.capacity {
                let Some(v) = self.victim(i) else { break };
                let (e, moved) = self.remove_index_moved(v);
                if moved == Some(i) {
                    i = v;
                }
                on_remove(e.key, e.value, RemovalCause::Capacity);
            }
            return Ok(i);
        }
        Ok(self.insert_absent(h, key, value, w, on_remove))
    }

    /// Inserts a key known to be absent, with weight `w <= capacity`.
    #[inline(always)]
    fn insert_absent(
        &mut self,
        h: u32,
        key: K,
        value: V,
        w: u32,
        mut on_remove: impl FnMut(K, V, RemovalCause),
    ) -> u32 {
        let w64 = u64::from(w);
        let filling = self.weight + w64 <= self.capacity;
        while self.weight + w64 > self.capacity || self.slab.len() >= MAX_ENTRIES {
            let Some(v) = self.victim(NIL) else { break };
            let vw = self.slab.entry(v).weight();
            if self.weight - vw + w64 <= self.capacity {
                // The last victim needed: reuse its slot in place.
                let old_h = self.slab.entry(v).hash;
                if let Ok(slot) = self.table.find_entry(spread(old_h), |&x| x == v) {
                    slot.remove();
                }
                self.slab.unlink(v);
                let e = self.slab.entry_mut(v);
                let old_k = std::mem::replace(&mut e.key, key);
                let old_v = std::mem::replace(&mut e.value, value);
                e.hash = h;
                e.set_weight(w);
                e.reset_hits();
                if self.policy == Policy::S3Fifo {
                    self.s3.forget(v, vw);
                    let cap = self.capacity;
                    self.s3.link_new(&mut self.slab, v, h, w64, None, cap);
                } else {
                    self.slab.push_front(v);
                }
                self.weight = self.weight - vw + w64;
                let entries = &self.slab.entries;
                self.table
                    .insert_unique(spread(h), v, |&x| spread(entries[x as usize].hash));
                on_remove(old_k, old_v, RemovalCause::Capacity);
                return v;
            }
            let e = self.remove_index(v);
            on_remove(e.key, e.value, RemovalCause::Capacity);
        }
        #[allow(clippy::cast_possible_truncation)] // clamped to MAX_ENTRIES
        let limit = self.capacity.min(MAX_ENTRIES as u64) as usize;
        let i = self.slab.push(Entry::new(key, value, h, w), limit);
        if self.policy == Policy::S3Fifo {
            // `push` linked it at the head; S3-FIFO decides where it goes.
            self.slab.unlink(i);
            let others = filling.then_some(self.weight);
            let cap = self.capacity;
            self.s3.link_new(&mut self.slab, i, h, w64, others, cap);
        }
        self.weight += w64;
        let entries = &self.slab.entries;
        self.table
            .insert_unique(spread(h), i, |&x| spread(entries[x as usize].hash));
        i
    }

    /// Removes entry `i`, returning its key and value.
    pub(crate) fn remove_at(&mut self, i: u32) -> (K, V) {
        let e = self.remove_index(i);
        (e.key, e.value)
    }

    /// The weighter.
    pub(crate) fn weighter(&self) -> &W {
        &self.weighter
    }

    /// Removes entry `i` from the table and the arena.
    #[inline(always)]
    fn remove_index(&mut self, i: u32) -> Entry<K, V> {
        self.remove_index_moved(i).0
    }

    /// Removes entry `i`; also returns the old index of the entry that moved
    /// into slot `i`, if any.
    #[inline(always)]
    fn remove_index_moved(&mut self, i: u32) -> (Entry<K, V>, Option<u32>) {
        let h = self.slab.entry(i).hash;
        if let Ok(slot) = self.table.find_entry(spread(h), |&x| x == i) {
            slot.remove();
        }
        if self.policy == Policy::S3Fifo {
            self.s3.forget(i, self.slab.entry(i).weight());
        }
        let (e, moved) = self.slab.remove(i);
        if let Some(from) = moved {
            if self.policy == Policy::S3Fifo {
                self.s3.moved(from, i);
            }
            let mh = self.slab.entry(i).hash;
            if let Some(slot) = self.table.find_mut(spread(mh), |&x| x == from) {
                *slot = i;
            }
        }
        self.weight -= e.weight();
        (e, moved)
    }

    /// The value of `key`, inserting `make()` first when it is absent.
    ///
    /// # Errors
    ///
    /// [`Error::TooHeavy`] when the new value weighs more than the capacity
    /// (it is dropped, not stored). A count-bounded cache never fails.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::new(2).expect("2 > 0"));
    /// assert_eq!(c.get_or_insert_with(1, || "one"), Ok(&"one"));
    /// assert_eq!(c.get_or_insert_with(1, || "uno"), Ok(&"one"));
    /// ```
    #[inline]
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> Result<&V, Error> {
        let h = self.hash_of(&key);
        if let Some(i) = self.get_index_hashed(h, &key) {
            return Ok(&self.slab.entry(i).value);
        }
        let value = make();
        let Some(w) = self.weigh(&key, &value) else {
            return Err(Error::TooHeavy {
                weight: self.weighter.weight(&key, &value),
                capacity: self.capacity,
            });
        };
        let i = self.insert_absent(h, key, value, w, |_, _, _| {});
        Ok(&self.slab.entry(i).value)
    }

    /// Removes `key`, returning its value.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::MIN);
    /// c.put(1, 'a');
    /// assert_eq!(c.pop(&1), Some('a'));
    /// assert_eq!(c.pop(&1), None);
    /// ```
    pub fn pop<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.pop_entry(key).map(|(_, v)| v)
    }

    /// Removes `key`, returning the stored key and value.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::MIN);
    /// c.put(String::from("k"), 1);
    /// assert_eq!(c.pop_entry("k"), Some((String::from("k"), 1)));
    /// ```
    pub fn pop_entry<Q>(&mut self, key: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let h = self.hash_of(key);
        self.pop_hashed(h, key)
    }

    /// Removes the key with hash `h`.
    pub(crate) fn pop_hashed<Q>(&mut self, h: u32, key: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        let i = self.find_hashed(h, key)?;
        let e = self.remove_index(i);
        Some((e.key, e.value))
    }

    /// Removes and returns the entry the policy would evict next (under LRU
    /// the least recently used; under S3-FIFO the tail of the small or main
    /// queue, moving entries that were hit on the way and leaving a ghost;
    /// under SIEVE the hand's victim, which may clear
    /// visited bits on the way).
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::new(2).expect("2 > 0"));
    /// c.put(1, 'a');
    /// c.put(2, 'b');
    /// assert_eq!(c.pop_lru(), Some((1, 'a')));
    /// ```
    pub fn pop_lru(&mut self) -> Option<(K, V)> {
        let v = self.victim(NIL)?;
        let e = self.remove_index(v);
        Some((e.key, e.value))
    }

    /// Changes the capacity (entries, or weight units), evicting as needed.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::new(3).expect("3 > 0"));
    /// for i in 0..3 { c.put(i, i); }
    /// c.resize(NonZeroUsize::MIN);
    /// assert_eq!((c.len(), c.cap()), (1, 1));
    /// assert!(c.contains(&2));
    /// ```
    pub fn resize(&mut self, capacity: NonZeroUsize) {
        self.resize_with(capacity, |_, _, _| {});
    }

    /// [`resize`](Self::resize), reporting each evicted entry.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut c = pillars_dsa::lru::LruCache::new(NonZeroUsize::new(2).expect("2 > 0"));
    /// c.put(1, 1);
    /// c.put(2, 2);
    /// let mut n = 0;
    /// c.resize_with(NonZeroUsize::MIN, |_, _, _| n += 1);
    /// assert_eq!(n, 1);
    /// ```
    pub fn resize_with(
        &mut self,
        capacity: NonZeroUsize,
        mut on_remove: impl FnMut(K, V, RemovalCause),
    ) {
        self.capacity = nz_u64(capacity).get();
        while self.weight > self.capacity {
            let Some(v) = self.victim(NIL) else { break };
            let e = self.remove_index(v);
            on_remove(e.key, e.value, RemovalCause::Capacity);
        }
    }

    /// Removes every entry for which `keep` returns `false` (no change in
    /// recency), reporting each as removed.
    pub(crate) fn retain_with(
        &mut self,
        mut keep: impl FnMut(&K, &V) -> bool,
        mut on_remove: impl FnMut(K, V),
    ) {
        let mut i = 0_u32;
        while (i as usize) < self.slab.len() {
            let e = self.slab.entry(i);
            if keep(&e.key, &e.value) {
                i += 1;
            } else {
                // The last entry moves into `i`: look at `i` again.
                let e = self.remove_index(i);
                on_remove(e.key, e.value);
            }
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S, W> fmt::Debug for LruCache<K, V, S, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Iterator over a cache's entries from most to least recently used
/// ([`LruCache::iter`]).
pub struct Iter<'a, K, V> {
    slab: &'a Slab<K, V>,
    front: u32,
    back: u32,
    left: usize,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        let e = self.slab.entry(self.front);
        self.front = self.slab.next_of(self.front);
        self.left -= 1;
        Some((&e.key, &e.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        let e = self.slab.entry(self.back);
        self.back = self.slab.prev_of(self.back);
        self.left -= 1;
        Some((&e.key, &e.value))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

impl<'a, K, V, S, W> IntoIterator for &'a LruCache<K, V, S, W> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}
