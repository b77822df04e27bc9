//! The entry arena: every cached entry lives in one dense `Vec`, linked into a
//! doubly linked recency list by `u32` indices (no per-entry allocation, no
//! pointers, no `unsafe`).
//!
//! The list runs from the head (most recently used, or newest for SIEVE) to
//! the tail (least recently used, or oldest). Removing an entry moves the last
//! element of the `Vec` into the hole (`swap_remove`); the caller fixes the
//! hash table slot of the moved entry with the index this module reports.

use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::Relaxed;

/// The "no entry" index.
pub(crate) const NIL: u32 = u32::MAX;

/// The largest number of entries a cache holds (indices are `u32`, one value
/// is [`NIL`]).
pub(crate) const MAX_ENTRIES: usize = (u32::MAX - 1) as usize;

/// The largest weight of one entry: 30 bits (the low two bits of `meta` are
/// the SIEVE hit counter).
pub(crate) const MAX_ENTRY_WEIGHT: u64 = (u32::MAX >> 2) as u64;

/// The SIEVE hit counter saturates here: 1, the paper's single bit (shared
/// hits under a read lock set it with an idempotent `fetch_or`).
pub(crate) const FREQ_MAX: u32 = 1;

/// One cached entry. For `K = V = u64` it is 32 bytes: key, value, a 32-bit
/// hash, the weight and a 2-bit hit counter, and two links.
pub(crate) struct Entry<K, V> {
    pub(crate) key: K,
    pub(crate) value: V,
    /// The folded hash of the key (see `LruCache::spread`), so eviction and
    /// table growth never hash a key again.
    pub(crate) hash: u32,
    /// `weight << 2 | hits` (hits saturate at [`FREQ_MAX`]). Atomic so that
    /// `ConcurrentLru` can record a SIEVE hit under a shared read lock; with
    /// `&mut` access it is a plain `u32` (`get_mut`).
    meta: AtomicU32,
    /// Toward the head (more recent); `NIL` at the head.
    prev: u32,
    /// Toward the tail (less recent); `NIL` at the tail.
    next: u32,
}

impl<K, V> Entry<K, V> {
    #[inline]
    pub(crate) fn new(key: K, value: V, hash: u32, weight: u32) -> Self {
        Self {
            key,
            value,
            hash,
            meta: AtomicU32::new(weight << 2),
            prev: NIL,
            next: NIL,
        }
    }

    #[inline]
    pub(crate) fn weight(&self) -> u64 {
        u64::from(self.meta.load(Relaxed) >> 2)
    }

    #[inline]
    pub(crate) fn set_weight(&mut self, weight: u32) {
        let m = self.meta.get_mut();
        *m = (weight << 2) | (*m & 3);
    }

    /// The SIEVE hit counter.
    #[inline]
    pub(crate) fn hits(&self) -> u32 {
        self.meta.load(Relaxed) & 3
    }

    /// Records a hit (saturating).
    #[inline]
    pub(crate) fn hit(&mut self) {
        let m = self.meta.get_mut();
        if *m & 3 < FREQ_MAX {
            *m += 1;
        }
    }

    /// Records a hit through a shared reference (SIEVE under a read lock).
    #[inline]
    pub(crate) fn hit_shared(&self) {
        const { assert!(FREQ_MAX == 1) };
        if self.meta.load(Relaxed) & 1 == 0 {
            self.meta.fetch_or(1, Relaxed);
        }
    }

    /// The hand passes: one hit fewer.
    #[inline]
    pub(crate) fn cool(&mut self) {
        let m = self.meta.get_mut();
        debug_assert!(*m & 3 > 0);
        *m -= 1;
    }

    /// A fresh entry: no hits.
    #[inline]
    pub(crate) fn reset_hits(&mut self) {
        *self.meta.get_mut() &= !3;
    }

    /// Records a hit, saturating at `max` (at most 3; S3-FIFO's counter).
    #[inline]
    pub(crate) fn hit_to(&mut self, max: u32) {
        debug_assert!(max <= 3);
        let m = self.meta.get_mut();
        if *m & 3 < max {
            *m += 1;
        }
    }

    /// [`hit_to`](Self::hit_to) through a shared reference (S3-FIFO under a
    /// read lock): a compare-and-swap, so racing hits never carry into the
    /// weight bits.
    #[inline]
    pub(crate) fn hit_shared_to(&self, max: u32) {
        debug_assert!(max <= 3);
        let mut m = self.meta.load(Relaxed);
        while m & 3 < max {
            match self.meta.compare_exchange_weak(m, m + 1, Relaxed, Relaxed) {
                Ok(_) => return,
                Err(now) => m = now,
            }
        }
    }

    /// Sets the hit counter to `n` (at most 3).
    #[inline]
    pub(crate) fn set_hits(&mut self, n: u32) {
        debug_assert!(n <= 3);
        let m = self.meta.get_mut();
        *m = (*m & !3) | n;
    }
}

/// Dense entries plus the recency list.
pub(crate) struct Slab<K, V> {
    pub(crate) entries: Vec<Entry<K, V>>,
    pub(crate) head: u32,
    pub(crate) tail: u32,
    /// The SIEVE hand: the next entry to examine for eviction (`NIL` = start
    /// at the tail).
    pub(crate) hand: u32,
    /// S3-FIFO: the first entry of the main queue (`NIL` when it is empty).
    /// The list holds the small queue (head side) then the main queue (tail
    /// side); entries from `mid` to the tail are in the main queue.
    pub(crate) mid: u32,
}

impl<K, V> Slab<K, V> {
    pub(crate) const fn new() -> Self {
        Self {
            entries: Vec::new(),
            head: NIL,
            tail: NIL,
            hand: NIL,
            mid: NIL,
        }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    #[inline(always)]
    pub(crate) fn entry(&self, i: u32) -> &Entry<K, V> {
        &self.entries[i as usize]
    }

    #[inline(always)]
    pub(crate) fn entry_mut(&mut self, i: u32) -> &mut Entry<K, V> {
        &mut self.entries[i as usize]
    }

    /// The next entry toward the tail.
    #[inline]
    pub(crate) fn next_of(&self, i: u32) -> u32 {
        self.entries[i as usize].next
    }

    /// The next entry toward the head.
    #[inline]
    pub(crate) fn prev_of(&self, i: u32) -> u32 {
        self.entries[i as usize].prev
    }

    /// Makes `next` follow `prev` in the list; either may be [`NIL`] (the
    /// list's ends: `next` becomes the head, `prev` the tail).
    #[inline(always)]
    fn join(&mut self, prev: u32, next: u32) {
        if prev == NIL {
            self.head = next;
        } else {
            self.entries[prev as usize].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.entries[next as usize].prev = prev;
        }
    }

    /// Links the (unlinked) entry `i` at the head.
    #[inline(always)]
    pub(crate) fn push_front(&mut self, i: u32) {
        let old = self.head;
        self.join(NIL, i);
        self.join(i, old);
    }

    /// Unlinks entry `i` from the list (it stays in the `Vec`).
    #[inline(always)]
    pub(crate) fn unlink(&mut self, i: u32) {
        let (prev, next) = {
            let e = &self.entries[i as usize];
            (e.prev, e.next)
        };
        self.join(prev, next);
        if self.hand == i {
            self.hand = prev;
        }
        if self.mid == i {
            self.mid = next;
        }
    }

    /// Links the (unlinked) entry `i` just before `next` (at the tail when
    /// `next` is `NIL`).
    #[inline]
    pub(crate) fn link_before(&mut self, i: u32, next: u32) {
        let prev = if next == NIL {
            self.tail
        } else {
            self.entries[next as usize].prev
        };
        self.join(prev, i);
        self.join(i, next);
    }

    /// Moves entry `i` to the head (an LRU hit).
    #[inline(always)]
    pub(crate) fn move_to_front(&mut self, i: u32) {
        if self.head != i {
            self.unlink(i);
            self.push_front(i);
        }
    }

    /// Appends a new entry to the `Vec` and links it at the head; returns its
    /// index. The `Vec` grows by doubling but never past `limit` entries (the
    /// capacity of a count-bounded cache) unless it must, so a full cache
    /// wastes no arena space.
    #[inline(always)]
    pub(crate) fn push(&mut self, entry: Entry<K, V>, limit: usize) -> u32 {
        debug_assert!(self.entries.len() < MAX_ENTRIES);
        let len = self.entries.len();
        if len == self.entries.capacity() {
            let target = (len * 2).max(8).min(limit).max(len + 1);
            self.entries.reserve_exact(target - len);
        }
        #[allow(clippy::cast_possible_truncation)] // len < MAX_ENTRIES < u32::MAX
        let i = self.entries.len() as u32;
        self.entries.push(entry);
        self.push_front(i);
        i
    }

    /// Removes entry `i` (unlinking it) and moves the last entry into its
    /// place. Returns the removed entry and, when an entry moved, its old
    /// index (its new index is `i`).
    #[inline(always)]
    pub(crate) fn remove(&mut self, i: u32) -> (Entry<K, V>, Option<u32>) {
        self.unlink(i);
        #[allow(clippy::cast_possible_truncation)] // len <= MAX_ENTRIES
        let last = (self.entries.len() - 1) as u32;
        let removed = self.entries.swap_remove(i as usize);
        if last == i {
            return (removed, None);
        }
        // Entry `last` now sits at `i`: repoint its neighbours.
        let (prev, next) = {
            let e = &self.entries[i as usize];
            (e.prev, e.next)
        };
        self.join(prev, i);
        self.join(i, next);
        if self.hand == last {
            self.hand = i;
        }
        if self.mid == last {
            self.mid = i;
        }
        (removed, Some(last))
    }

    /// Drops every entry.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.head = NIL;
        self.tail = NIL;
        self.hand = NIL;
        self.mid = NIL;
    }
}
