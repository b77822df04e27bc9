//! S3-FIFO eviction (Yang et al., "FIFO queues are all you need for cache
//! eviction", SOSP 2023), with `quick_cache`'s sizing.
//!
//! Three FIFO queues:
//!
//! * a **small** queue where new keys land;
//! * a **main** queue with a target of 96 % of the capacity, evicted
//!   CLOCK-style: an entry at its tail with a non-zero hit counter (2 bits,
//!   saturating at 3) goes back to its head with one hit fewer, the first
//!   one without hits is evicted;
//! * a **ghost** queue of the (32-bit) hashes of keys evicted from the small
//!   queue, about 60 % as many as the main queue's entries. It is an
//!   approximate FIFO without a hash table: 4-way buckets picked by the
//!   hash, each bucket a tiny FIFO, so a ghost lives for about as many
//!   evictions as the queue is long (one probe of one cache line per push or
//!   lookup; an exact ring + `hashbrown` table was 2× slower on misses).
//!
//! To make room, the cache takes the small queue's tail unless the main
//! queue is over its target (or the small queue is empty). That tail moves
//! into the main queue if it was hit while in the small queue, else it leaves
//! the cache and its hash enters the ghost queue. A missing key whose hash is
//! a ghost was evicted recently from the small queue and asked for again: it
//! goes straight to the main queue, as does any new key while the main queue
//! is under its target (a cache filling up). One-hit wonders (scans) thus
//! pass through the small queue only and never flush the main queue.
//!
//! The paper's small queue is 10 % of the capacity with a ghost queue as
//! large as the main queue; 4 % / 60 % (close to `quick_cache`'s 3 % / 50 %)
//! and the fill-the-main-queue-first rule gave the best hit ratios on the
//! Zipf and scan traces of `examples/lru_report.rs` (the paper's sizing was
//! 0.3–0.6 points lower at 10k entries and below `quick_cache` on three of
//! the four traces).
//!
//! Layout: the small and main queues are one doubly linked list of the
//! arena — small-queue entries on the head side, main-queue entries from
//! `Slab::mid` to the tail — so moving the small tail into the main queue
//! only moves `mid`. A bit per arena slot says which queue holds the entry,
//! for the weight bookkeeping when an entry is removed out of turn (`pop`,
//! replacement, expiry, `retain`).

use super::slab::{NIL, Slab};

/// The hit counter saturates here (2 bits, as in the paper).
pub(crate) const S3_FREQ_MAX: u32 = 3;

/// The small queue's share of the capacity, in percent.
const SMALL_PERCENT: u64 = 4;

/// The ghost queue remembers about this many hashes per hundred main-queue
/// entries.
const GHOST_PERCENT: usize = 60;

/// An entry leaves the small queue for the main queue with at least this
/// many hits.
const PROMOTE_HITS: u32 = 1;

/// The small queue's target weight for a cache of `capacity`.
#[inline]
const fn small_target(capacity: u64) -> u64 {
    capacity / 100 * SMALL_PERCENT + capacity % 100 * SMALL_PERCENT / 100
}

/// The policy state beside the arena (empty for the other policies).
#[derive(Default)]
pub(crate) struct S3Fifo {
    /// Total weight of the small queue.
    small_weight: u64,
    /// Number of entries in the small queue.
    small_len: usize,
    /// Bit `i`: arena slot `i` is in the small queue.
    in_small: Vec<u64>,
    ghost: Ghost,
}

impl S3Fifo {
    /// Forgets every entry and every ghost.
    pub(crate) fn clear(&mut self) {
        self.small_weight = 0;
        self.small_len = 0;
        self.in_small.clear();
        self.ghost.clear();
    }

    #[inline]
    fn is_small(&self, i: u32) -> bool {
        self.in_small
            .get(i as usize / 64)
            .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    #[inline]
    fn set_small(&mut self, i: u32, small: bool) {
        let word = i as usize / 64;
        if word >= self.in_small.len() {
            if !small {
                return;
            }
            self.in_small.resize(word + 1, 0);
        }
        let bit = 1_u64 << (i % 64);
        if small {
            self.in_small[word] |= bit;
        } else {
            self.in_small[word] &= !bit;
        }
    }

    /// Entry `i` of weight `w` leaves the cache (or its slot is reused).
    #[inline]
    pub(crate) fn forget(&mut self, i: u32, w: u64) {
        if self.is_small(i) {
            self.small_weight -= w;
            self.small_len -= 1;
            self.set_small(i, false);
        }
    }

    /// The arena moved its last entry from slot `from` into slot `to` (after
    /// `forget(to, ..)`).
    #[inline]
    pub(crate) fn moved(&mut self, from: u32, to: u32) {
        if self.is_small(from) {
            self.set_small(from, false);
            self.set_small(to, true);
        }
    }

    /// The weight of entry `i` changed from `old` to `new` (a put replaced
    /// its value).
    #[inline]
    pub(crate) fn reweigh(&mut self, i: u32, old: u64, new: u64) {
        if self.is_small(i) {
            self.small_weight = self.small_weight - old + new;
        }
    }

    /// Links the new, unlinked entry `i` of weight `w` and hash `h`: at the
    /// head of the main queue if `h` is a ghost, or if the cache had room for
    /// it without evicting (`filling`: the weight of the other entries) and
    /// the main queue is under its target; else at the head of the small
    /// queue.
    pub(crate) fn link_new<K, V>(
        &mut self,
        slab: &mut Slab<K, V>,
        i: u32,
        h: u32,
        w: u64,
        filling: Option<u64>,
        capacity: u64,
    ) {
        let main_room = filling.is_some_and(|others| {
            others - self.small_weight + w <= capacity - small_target(capacity)
        });
        if self.ghost.take(h) || main_room {
            link_main_front(slab, i);
        } else {
            // The head side of the list is the small queue.
            slab.push_front(i);
            self.small_weight += w;
            self.small_len += 1;
            self.set_small(i, true);
        }
    }

    /// The next entry to evict other than `protect` (`None` when the cache
    /// holds nothing else). Moves small-queue entries that were hit into the
    /// main queue and gives main-queue entries that were hit another round,
    /// on the way. An entry evicted from the small queue leaves its hash in
    /// the ghost queue.
    pub(crate) fn victim<K, V>(
        &mut self,
        slab: &mut Slab<K, V>,
        protect: u32,
        capacity: u64,
        weight: u64,
    ) -> Option<u32> {
        let main_target = capacity - small_target(capacity);
        loop {
            let small_tail = if slab.mid == NIL {
                slab.tail
            } else {
                slab.prev_of(slab.mid)
            };
            let main_only_protect = slab.mid == protect && slab.tail == protect;
            if small_tail != NIL
                && (weight - self.small_weight <= main_target
                    || slab.mid == NIL
                    || main_only_protect)
            {
                let e = slab.entry_mut(small_tail);
                if small_tail == protect || e.hits() >= PROMOTE_HITS {
                    // Into the main queue: only the boundary moves.
                    e.set_hits(0);
                    let w = e.weight();
                    self.forget(small_tail, w);
                    slab.mid = small_tail;
                    continue;
                }
                let (h, main_len) = (e.hash, slab.len() - self.small_len);
                self.ghost.push(h, (main_len * GHOST_PERCENT / 100).max(1));
                return Some(small_tail);
            }
            if slab.mid == NIL || main_only_protect {
                return None;
            }
            let t = slab.tail;
            let e = slab.entry_mut(t);
            if t == protect || e.hits() > 0 {
                if e.hits() > 0 {
                    e.cool();
                }
                slab.unlink(t);
                link_main_front(slab, t);
                continue;
            }
            return Some(t);
        }
    }
}

/// Links the unlinked entry `i` at the head of the main queue.
fn link_main_front<K, V>(slab: &mut Slab<K, V>, i: u32) {
    slab.link_before(i, slab.mid);
    slab.mid = i;
}

/// Ways per ghost bucket.
const WAYS: usize = 4;

/// An approximate FIFO of hashes with O(1) membership and no table: buckets
/// of [`WAYS`] hashes picked by the hash, each bucket a small FIFO (a new
/// hash pushes the oldest one out). With `limit / WAYS` buckets a ghost
/// lives for about `limit` pushes, as in an exact FIFO of `limit`.
#[derive(Default)]
struct Ghost {
    /// `WAYS` hashes per bucket, newest first; 0 is an empty way (hash 0 is
    /// stored as 1).
    ways: Vec<u32>,
    /// The limit the buckets were sized for.
    sized_for: usize,
}

impl Ghost {
    /// The first way of `h`'s bucket.
    #[inline]
    fn bucket(&self, h: u32) -> usize {
        let buckets = (self.ways.len() / WAYS) as u64;
        #[allow(clippy::cast_possible_truncation)] // < buckets
        let b = ((u64::from(h) * buckets) >> 32) as usize;
        b * WAYS
    }

    /// Whether `h` is a ghost; removes it if so.
    #[inline]
    fn take(&mut self, h: u32) -> bool {
        if self.ways.is_empty() {
            return false;
        }
        let fp = h.max(1);
        let b = self.bucket(h);
        let bucket = &mut self.ways[b..b + WAYS];
        match bucket.iter().position(|&x| x == fp) {
            Some(j) => {
                bucket.copy_within(j + 1.., j);
                bucket[WAYS - 1] = 0;
                true
            }
            None => false,
        }
    }

    /// Adds `h` as the newest ghost of a queue of about `limit`. The buckets
    /// are re-sized (forgetting every ghost) when `limit` drifts by more
    /// than a quarter (plus one) from what they were sized for.
    #[inline]
    fn push(&mut self, h: u32, limit: usize) {
        let slack = self.sized_for / 4 + 1;
        if limit > self.sized_for + slack || limit + slack < self.sized_for || self.ways.is_empty()
        {
            let buckets = limit.div_ceil(WAYS).max(1);
            self.ways.clear();
            self.ways.resize(buckets * WAYS, 0);
            self.sized_for = limit;
        }
        let b = self.bucket(h);
        let bucket = &mut self.ways[b..b + WAYS];
        bucket.copy_within(..WAYS - 1, 1);
        bucket[0] = h.max(1);
    }

    fn clear(&mut self) {
        self.ways.clear();
        self.sized_for = 0;
    }
}
