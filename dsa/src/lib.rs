//! # pillars-dsa
//!
//! Concurrent data structures and algorithms for services and distributed
//! systems.
//!
//! | module | what it holds | peers |
//! | --- | --- | --- |
//! | [`clock`] | the time source of the rate limiters and cache TTLs: `MonotonicClock` (TSC through `quanta`), `ManualClock` for tests | — |
//! | [`hash`] | the one stable, seeded hash (XXH3) every persisted or shared format uses | — |
//! | [`bloom`] | membership filters: blocked Bloom, atomic, split-block (Parquet), counting, scalable, binary fuse (8/16-bit); one stable, checksummed byte format | `fastbloom`, `bloomfilter`, `growable-bloom-filter`, `sbbf-rs`, `xorf` |
//! | [`lru`] | LRU, SIEVE and S3-FIFO caches: single-thread `LruCache`, sharded `ConcurrentLru` (TTL, weights, single-flight loading, eviction listener, stats) | `lru`, `schnellru`, `quick_cache`, `moka`, `mini-moka` |
//! | [`ratelimit`] | GCRA, token bucket, fixed / sliding windows, sliding log, pacer, keyed limiter with bounded memory, concurrency limits (AIMD, Gradient2), Redis GCRA, `RateLimit` headers | `governor`, `ratelimit` |
//! | [`ringbuf`] | wait-free SPSC ring (slices, chunks), bounded MPMC queue with `force_push`, overwrite-oldest ring | `rtrb`, `ringbuf`, `crossbeam-queue`, `heapless` |
//! | [`hashring`] | consistent hashing: jump hash, Karger ring, Ketama, rendezvous, Maglev, bounded loads, a lock-free shared ring | `hashring`, `maglev`, `jumphash`, `rendezvous_hash` |
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `rayon` | yes | parallel batch operations (`Router::route_batch`, binary fuse builds, filters' `contains_batch` / `insert_batch`) |
//! | `redis` | no | `ratelimit::redis::RedisGcra`: GCRA shared through Redis (the `redis` crate, tokio) |
//! | `serde` | no | `Serialize` / `Deserialize` for the filters, as their stable bytes |
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![doc(test(attr(deny(warnings))))]
#![warn(clippy::pedantic)]
#![allow(clippy::module_name_repetitions, clippy::must_use_candidate)]

pub mod bloom;
pub mod clock;
pub mod hash;
pub mod hashring;
pub mod lru;
pub mod ratelimit;
pub mod ringbuf;
