//! Caches: [`LruCache`] for one thread and [`ConcurrentLru`] for many.
//!
//! ```
//! use std::num::NonZeroUsize;
//! use pillars_dsa::lru::{ConcurrentLru, LruCache, Policy};
//!
//! // Single-threaded, lru-crate style.
//! let mut cache = LruCache::new(NonZeroUsize::new(2).expect("2 > 0"));
//! cache.put("a", 1);
//! cache.put("b", 2);
//! cache.get(&"a");
//! cache.put("c", 3); // evicts "b", the least recently used
//! assert!(cache.contains(&"a") && !cache.contains(&"b"));
//!
//! // Shared: sharded, values by clone, single-flight loading, scan-resistant.
//! let shared: ConcurrentLru<u64, String> =
//!     ConcurrentLru::builder(10_000).policy(Policy::S3Fifo).build().expect("capacity > 0");
//! let v = shared.get_or_insert_with(42, || "loaded once".to_string()).expect("no panic");
//! assert_eq!(v, "loaded once");
//! ```
//!
//! # Design
//!
//! * **Arena + index table.** Entries live in one dense `Vec` and link into a
//!   doubly linked list by `u32` indices; a hashbrown `HashTable<u32>` maps a
//!   key's hash to its index, so a key is stored once and no entry allocates.
//!   Each entry keeps a 32-bit folded hash, so eviction and table growth never
//!   rehash a key. Removal moves the last entry into the hole; eviction of a
//!   full cache reuses the victim's slot in place. No `unsafe`.
//! * **O(1)** `get` / `put` / `pop` / eviction (amortised over table growth).
//! * **Memory per entry**: `size_of::<(K, V)>() + 16` bytes of arena (hash,
//!   weight and hit bits, two links) plus about 5–10 bytes of table (a `u32`
//!   and a control byte per bucket at hashbrown's load factor). For
//!   `u64 → u64`, 38–43 bytes measured versus 54–68 for the `lru` crate.
//!   [`ConcurrentLru`] adds 8 bytes (the TTL deadline).
//! * **Policies** ([`Policy`]): LRU (a hit moves the entry to the head),
//!   SIEVE (Zhang et al., NSDI 2024: a hit sets a bit, a hand evicts the first
//!   entry not hit since it last passed) and S3-FIFO (Yang et al., SOSP 2023:
//!   a small probationary FIFO, a main FIFO with 2-bit counters and CLOCK
//!   reinsertion, a ghost FIFO of evicted keys' hashes). SIEVE and S3-FIFO
//!   hits touch one entry instead of three, and a one-off scan does not flush
//!   the hot set; S3-FIFO has the best hit ratio of the three (at or above
//!   `quick_cache`'s on the Zipf and scan traces of `examples/lru_report.rs`).
//! * **Capacity** by count or by weight ([`Weighter`]); an entry heavier than
//!   the capacity (or than `2^30 - 1`) is never stored.
//! * **Hasher**: [`StableState`], a seeded, deterministic hasher on
//!   [`crate::hash`] (a folded multiply per integer, XXH3 for byte strings);
//!   any `BuildHasher` can replace it.
//!
//! [`ConcurrentLru`] holds a power-of-two number of shards (32 per CPU by
//! default, fewer for small capacities), each an [`LruCache`] behind a
//! `parking_lot` `RwLock` (a SIEVE or S3-FIFO hit bumps its counter atomically
//! under the read side) with its own counters ([`CacheStats`]). On top it adds
//! TTLs (per entry and default, against a [`Clock`]; [`ManualClock`] for
//! tests), an eviction listener with the [`RemovalCause`], and single-flight
//! loading: concurrent callers of one missing key run one loader, threads and
//! async tasks alike; errors are shared and not cached; a panicking loader
//! leaves the cache usable and its waiters with an error.

mod concurrent;
mod error;
mod hasher;
// The get / insert / evict path in `lru_cache`, `sieve` and `slab` is forced
// inline: LLVM left `get_index_hashed`, the slab removal and the victim search
// out of line, and inlining them took 4-5 % off a get-or-insert
// (`benches/RESULTS.md`, lru).
#[allow(clippy::inline_always)]
mod lru_cache;
mod s3fifo;
#[allow(clippy::inline_always)]
mod sieve;
mod single_flight;
#[allow(clippy::inline_always)]
mod slab;
mod stats;
mod sync;
mod weighter;

pub use crate::clock::{Clock, ManualClock, MonotonicClock};
pub use concurrent::{Builder, ConcurrentLru, Listener};
pub use stats::CacheStats;

pub use error::{Error, LoadError};
pub use hasher::{StableHasher, StableState};
pub use lru_cache::{Iter, LruCache, RemovalCause};
pub use sieve::Policy;
pub use weighter::{UnitWeighter, Weighter};
