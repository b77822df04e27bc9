//! How much of a cache's capacity an entry uses.

/// The weight of an entry, in the units of the cache's capacity (bytes,
/// cost, ...). A cache built with a weighter keeps the sum of its entries'
/// weights at most its capacity; an entry heavier than the whole capacity
/// (or than `2^30 - 1`) is never stored.
///
/// The weight is computed once, when the entry is inserted; mutating a value
/// in place (`get_mut`) does not re-weigh it — `put` the new value instead.
///
/// ```
/// use std::num::NonZeroU64;
/// use pillars_dsa::lru::{LruCache, Weighter};
///
/// /// Weighs a string by its length in bytes.
/// #[derive(Clone, Copy)]
/// struct ByLen;
/// impl Weighter<u32, String> for ByLen {
///     fn weight(&self, _: &u32, v: &String) -> u64 { v.len() as u64 }
/// }
///
/// let mut c = LruCache::with_weighter(NonZeroU64::new(10).expect("10 > 0"), ByLen);
/// c.put(1, "hello".to_string());
/// c.put(2, "world".to_string());
/// c.put(3, "!!".to_string()); // 12 bytes > 10: the LRU entry (1) goes
/// assert!(!c.contains(&1) && c.contains(&2) && c.contains(&3));
/// assert_eq!(c.weight(), 7);
/// ```
pub trait Weighter<K, V> {
    /// The weight of `key` → `value`.
    fn weight(&self, key: &K, value: &V) -> u64;
}

/// Every entry weighs 1: the capacity is a number of entries.
///
/// ```
/// use pillars_dsa::lru::{UnitWeighter, Weighter};
/// assert_eq!(UnitWeighter.weight(&"k", &"v"), 1);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnitWeighter;

impl<K, V> Weighter<K, V> for UnitWeighter {
    #[inline]
    fn weight(&self, _: &K, _: &V) -> u64 {
        1
    }
}

impl<K, V, F: Fn(&K, &V) -> u64> Weighter<K, V> for F {
    #[inline]
    fn weight(&self, key: &K, value: &V) -> u64 {
        self(key, value)
    }
}
