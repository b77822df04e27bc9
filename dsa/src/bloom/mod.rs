//! Membership filters: "definitely not present" or "probably present".
//!
//! A filter answers "is this key in the set?" in a fraction of the memory of
//! the set itself. A "no" is always right; a "yes" is wrong with a small,
//! chosen probability (the false-positive rate, FPR). Use one in front of an
//! expensive lookup (a disk read, a remote cache, a database) to skip it for
//! keys that are certainly absent.
//!
//! | filter | for | bits/key (FPR) | insert | remove |
//! |---|---|---|---|---|
//! | [`BloomFilter`] | the default: a set of known size, built up over time; union and intersection | 9.9 (1%), 15.5 (0.1%) | `&mut self` | no |
//! | [`AtomicBloomFilter`] | the same, shared between threads with no lock | as `BloomFilter` | `&self` | no |
//! | [`ScalableBloomFilter`] | sets of unknown size: grows by adding stages, keeps the FPR below the target | about 20–40 (1%), depends on fill | `&mut self` | no |
//! | [`SplitBlockBloomFilter`] | fastest lookups (one cache line, fixed bit pattern), a little more memory | a little above `BloomFilter` | `&mut self` | no |
//! | [`CountingBloomFilter`] | sets that also lose members | about 4 × `BloomFilter` | `&mut self` | yes |
//! | [`BinaryFuse8`], [`BinaryFuse16`] | static sets known in advance: the smallest and fastest | 9 (0.4%), 18 (0.0015%) | built once | no |
//!
//! # Keys
//!
//! Keys are [`StableKey`](crate::hash::StableKey) (strings, byte slices,
//! integers, or your own types with a canonical byte form), hashed with the
//! crate's stable, seeded XXH3 (see [`crate::hash`]) — never
//! [`std::hash::Hash`], whose output differs between platforms and Rust
//! releases. Filters are persisted and shared between processes, and every
//! reader must set and test the same bits.
//!
//! # Layout
//!
//! [`BloomFilter`] and its relatives are *cache-blocked*: all `k` bits of a
//! key lie in one 512-bit block (one cache line), so an operation costs one
//! hash and one cache miss, where a classic Bloom filter costs `k` misses. They
//! are sized with the exact false-positive formula for blocked filters, so
//! the rate you ask for is the rate you measure.
//!
//! # The byte format
//!
//! Every filter has `to_bytes` / `from_bytes` (and, with the `serde`
//! feature, serialises as those bytes). The format is stable, versioned and
//! checksummed:
//!
//! ```text
//! offset  size  field
//! 0       4     magic "PLBF"
//! 4       1     format version (1)
//! 5       1     filter kind (see `Kind`)
//! 6       2     reserved, zero
//! 8       ..    the filter's parameters and payload, little-endian
//! end-8   8     XXH3-64 (seed 0) of every byte before it, little-endian
//! ```
//!
//! Reading never panics and never allocates more than the input justifies:
//! truncated, corrupt, forged or foreign bytes give an [`Error::Format`].
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::bloom::{BloomFilter, ScalableBloomFilter};
//!
//! // A filter for about a million keys at 1% false positives (about 1.2 MB).
//! let mut seen = BloomFilter::with_rate(1_000_000, 0.01)?;
//! seen.insert("user:42");
//! assert!(seen.contains("user:42"));
//! assert!(!seen.contains("user:43")); // probably
//!
//! // Ship it to another process; it answers the same there.
//! let copy = BloomFilter::from_bytes(&seen.to_bytes())?;
//! assert!(copy.contains("user:42"));
//!
//! // Unknown size: let it grow.
//! let mut grow = ScalableBloomFilter::new(1000, 0.01)?;
//! grow.insert_all(0_u64..50_000);
//! assert!(grow.contains(&49_999_u64));
//! # Ok::<(), pillars_dsa::bloom::Error>(())
//! ```

mod format;
mod hashing;

pub use format::{FormatError, Kind, MAGIC, VERSION};

// -- helper A modules and re-exports --
mod atomic;
mod bloom_filter;
mod error;
mod scalable;

pub use atomic::AtomicBloomFilter;
pub use bloom_filter::{BloomFilter, MAX_BITS, MAX_HASHES};
pub use error::Error;
pub use scalable::{DEFAULT_GROWTH, DEFAULT_TIGHTENING, MAX_STAGES, ScalableBloomFilter};
// -- end helper A --

// -- helper B modules and re-exports --
mod binary_fuse;
mod counting;
mod split_block;

pub use binary_fuse::{BinaryFuse8, BinaryFuse16};
pub use counting::{CountingBloomFilter, Insert};
pub use split_block::SplitBlockBloomFilter;
// -- end helper B --
