//! SIEVE eviction (Zhang et al., "SIEVE is Simpler than LRU: an Efficient
//! Turn-Key Eviction Algorithm for Web Caches", NSDI 2024).
//!
//! Entries sit in one FIFO list, newest at the head. A hit only sets the
//! entry's "visited" bit — no list surgery, so hits are cheaper than LRU's
//! move-to-front. To evict, a *hand* walks from the tail toward the head:
//! a visited entry has its bit cleared and survives (it stays in place, unlike
//! CLOCK's reinsertion), the first unvisited entry is the victim, and the hand
//! stays where it stopped for the next eviction (wrapping to the tail).
//!
//! Newly inserted entries start unvisited, so a one-off scan is evicted as the
//! hand reaches it, while entries hit since the hand last passed survive: the
//! hot set is not flushed by a scan the way LRU's is.

use super::slab::{NIL, Slab};

/// Which entry a cache evicts when it is full.
///
/// ```
/// use std::num::NonZeroUsize;
/// use pillars_dsa::lru::{LruCache, Policy};
///
/// let mut c = LruCache::new(NonZeroUsize::new(2).expect("2 > 0")).with_policy(Policy::Sieve);
/// c.put(1, "a");
/// c.put(2, "b");
/// c.get(&1); // marks 1 visited
/// c.put(3, "c"); // the hand skips 1 (clearing its bit) and evicts 2
/// assert!(c.contains(&1) && !c.contains(&2));
/// assert_eq!(c.policy(), Policy::Sieve);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Policy {
    /// Least recently used: a hit moves the entry to the head; the tail is
    /// evicted.
    #[default]
    Lru,
    /// SIEVE (NSDI 2024): a hit sets a bit; a moving hand evicts the first
    /// entry not hit since it last passed. Scan-resistant, and hits cost less
    /// than LRU's.
    Sieve,
    /// S3-FIFO (SOSP 2023): new keys enter a small FIFO (4 % of the
    /// capacity); those hit there move on to a main FIFO evicted CLOCK-style
    /// with 2-bit hit counters, the others leave, their hashes remembered in
    /// a ghost FIFO so that a key asked for again soon goes straight to the
    /// main queue. Scan-resistant, the best hit ratio of the three on skewed
    /// (Zipf) workloads, and hits cost what SIEVE's do. [`LruCache::iter`]
    /// lists the small queue (newest first), then the main queue.
    ///
    /// [`LruCache::iter`]: super::LruCache::iter
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use pillars_dsa::lru::{LruCache, Policy};
    ///
    /// let mut c = LruCache::new(NonZeroUsize::new(10).expect("10 > 0")).with_policy(Policy::S3Fifo);
    /// for k in 0..10 {
    ///     c.put(k, k); // filling up: straight into the main queue
    /// }
    /// c.get(&0); // a hit: 0 gets another round in the main queue
    /// for k in 100..200 {
    ///     c.put(k, k); // a scan: one-hit keys pass through the small queue
    /// }
    /// assert!((0..10).filter(|k| c.contains(k)).count() == 9); // one key gave way
    /// assert!(c.contains(&0) && c.contains(&199) && !c.contains(&150));
    /// ```
    S3Fifo,
}

impl<K, V> Slab<K, V> {
    /// The SIEVE victim: walks the hand from where it stopped toward the head,
    /// clearing visited bits, and returns the first unvisited entry other than
    /// `protect`. `None` when the list is empty or holds only `protect`.
    pub(crate) fn sieve_victim(&mut self, protect: u32) -> Option<u32> {
        if self.tail == NIL || (self.head == self.tail && self.head == protect) {
            return None;
        }
        let mut cur = if self.hand == NIL {
            self.tail
        } else {
            self.hand
        };
        loop {
            let e = self.entry_mut(cur);
            if e.hits() > 0 || cur == protect {
                if e.hits() > 0 {
                    e.cool();
                }
                let prev = self.prev_of(cur);
                cur = if prev == NIL { self.tail } else { prev };
            } else {
                self.hand = cur;
                return Some(cur);
            }
        }
    }

    /// The LRU victim: the tail, or the entry before it when the tail is
    /// `protect`.
    #[inline(always)]
    pub(crate) fn lru_victim(&self, protect: u32) -> Option<u32> {
        let t = self.tail;
        if t == NIL {
            None
        } else if t == protect {
            let p = self.prev_of(t);
            (p != NIL).then_some(p)
        } else {
            Some(t)
        }
    }
}
