//! Membership filters: "definitely not present" or "probably present".
//!
//! A filter answers "is this key in the set?" in a fraction of the memory of
//! the set itself. A "no" is always right; a "yes" is wrong with a small,
//! chosen probability (the false-positive rate, FPR). Use one in front of an
//! expensive lookup (a disk read, a remote cache, a database) to skip it for
//! keys that are certainly absent.
//!
//! | filter | for | insert | remove |
//! |---|---|---|---|
//! | [`BloomFilter`] | the default: a set of known size, built up over time; union and intersection | `&mut self` | no |
//! | [`AtomicBloomFilter`] | the same, shared between threads with no lock | `&self` | no |
//! | [`ScalableBloomFilter`] | sets of unknown size: grows by adding stages, keeps the FPR below the target | `&mut self` | no |
//! | [`SplitBlockBloomFilter`] | Parquet's layout: one cache line, a fixed 8-bit pattern; a little more memory | `&mut self` | no |
//! | [`CountingBloomFilter`] | sets that also lose members (4-bit counters) | `&mut self` | yes |
//! | [`BinaryFuse8`], [`BinaryFuse16`] | static sets known in advance: the smallest and fastest | built once | no |
//!
//! # Size and false-positive rate, as measured
//!
//! Each filter sized for (or built from) 1,000,000 keys, queried with
//! 1,000,000 keys that were never inserted (`benches/`, and within 10 % of
//! the target in the tests). Bits per key is the filter's memory divided by
//! the key count.
//!
//! | filter | configured | bits/key | measured FPR |
//! |---|---|---|---|
//! | [`BloomFilter`] (blocked, 512-bit blocks) | 1 % | 9.90 | 0.999 % |
//! | [`AtomicBloomFilter`] | 1 % | 9.90 (same layout) | as `BloomFilter` |
//! | [`SplitBlockBloomFilter`] | 1 % | 10.53 | 0.984 % |
//! | [`CountingBloomFilter`] (4-bit counters) | 1 % | 38.3 | 1.03 % |
//! | [`BinaryFuse8`] | fixed, 2⁻⁸ | 9.04 | 0.40 % |
//! | [`BinaryFuse16`] | fixed, 2⁻¹⁶ | 18.09 | 0.0017 % |
//!
//! A [`ScalableBloomFilter`] uses more bits per key than a `BloomFilter`
//! sized in advance (about 20–40 at 1 %, depending on how full its last
//! stage is) and keeps its measured rate below the target.
//!
//! # Rejected input and edge cases
//!
//! | input | result |
//! |---|---|
//! | false-positive rate `0`, `1`, below 0, above 1 or `NaN` | [`Error::InvalidFpr`] (every `with_rate` / `new`) |
//! | zero expected items | [`Error::ZeroItems`] |
//! | zero bits or zero hash functions (`with_bits`, `new`) | [`Error::ZeroBits`], [`Error::ZeroHashes`] |
//! | a filter too large to address or allocate | [`Error::TooLarge`], never an abort |
//! | [`CountingBloomFilter::remove`] of a key that is definitely absent | [`Error::NotPresent`]; the filter is unchanged |
//! | `remove` of a never-inserted key that is a false positive | undetectable: it decrements other keys' counters and can cause false negatives, as in every counting filter; only remove keys you inserted |
//! | a counting filter counter reaching 15 | saturates and stays there; reported as [`Insert::Saturated`] |
//! | `union` / `intersect` of filters of different size, hashes or seed | [`Error::Incompatible`]; `self` is unchanged |
//! | binary fuse from duplicate keys, or from no keys | duplicates are removed first; an empty key set gives an empty filter (`is_empty`) that still has the 2⁻⁸ / 2⁻¹⁶ false-positive rate |
//! | truncated, corrupt, forged or foreign bytes | [`Error::Format`] |
//!
//! # Seeds
//!
//! Every filter hashes keys under a seed, [`DEFAULT_SEED`](crate::hash::DEFAULT_SEED)
//! unless chosen (`with_seed` on the Bloom, split-block and counting
//! filters, `*_with_seed` constructors of the binary fuse filters). The seed
//! is stored in the bytes and honoured by `from_bytes`. Choose your own to
//! give independent filters independent false positives, or to make keys'
//! positions unpredictable to an outsider.
//!
//! # Batches (feature `rayon`, on by default)
//!
//! `contains_batch(&[K]) -> Vec<bool>` on [`BloomFilter`],
//! [`AtomicBloomFilter`], [`SplitBlockBloomFilter`], [`BinaryFuse8`] and
//! [`BinaryFuse16`], and `AtomicBloomFilter::insert_batch`, spread large
//! batches over rayon's pool in chunks of `BATCH_CHUNK` keys; the answers
//! are in key order and equal to the one-key calls. Batches of fewer than
//! `PARALLEL_BATCH_MIN` (4096) keys run on the calling thread. Binary fuse
//! construction from a slice (`from_slice`) also hashes and sorts in
//! parallel from 65,536 keys on, with the same bytes as a sequential build.
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
//!
//! // Many lookups at once (in parallel with the `rayon` feature).
//! # #[cfg(feature = "rayon")] {
//! let batch: Vec<String> = (0..10_000).map(|i| format!("user:{i}")).collect();
//! let hits = seen.contains_batch(&batch);
//! assert!(hits[42] && !hits[43]);
//! # }
//! # Ok::<(), pillars_dsa::bloom::Error>(())
//! ```

#[cfg(feature = "rayon")]
mod batch;
mod format;
mod hashing;

#[cfg(feature = "rayon")]
pub use batch::{BATCH_CHUNK, PARALLEL_BATCH_MIN};

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
