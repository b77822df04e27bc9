//! The one error type of the `bloom` module.

use super::format::FormatError;

/// Why a filter could not be built, combined, updated or read.
///
/// # Examples
///
/// ```
/// use pillars_dsa::bloom::{BloomFilter, Error};
///
/// assert!(matches!(BloomFilter::with_rate(1000, 1.5), Err(Error::InvalidFpr(_))));
/// assert!(matches!(BloomFilter::with_rate(0, 0.01), Err(Error::ZeroItems)));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The false-positive rate must be a number strictly between 0 and 1.
    #[error("false-positive rate must be strictly between 0 and 1, got {0}")]
    InvalidFpr(f64),
    /// The expected number of items must be at least 1.
    #[error("expected number of items must be at least 1")]
    ZeroItems,
    /// The number of bits must be at least 1.
    #[error("number of bits must be at least 1")]
    ZeroBits,
    /// The number of hash functions must be at least 1.
    #[error("number of hash functions must be at least 1")]
    ZeroHashes,
    /// The requested filter is too large to address or allocate (more bits
    /// than the filter's limit, more hash functions than it supports, or an
    /// allocation the system refused).
    #[error("requested filter is too large")]
    TooLarge,
    /// A tuning parameter is out of range (the message names it).
    #[error("invalid parameter: {0}")]
    InvalidParameter(&'static str),
    /// The two filters differ in size, hash count, seed or layout.
    #[error("filters are incompatible (different size, hash count, seed or layout)")]
    Incompatible,
    /// The bytes are not a valid serialised filter.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// The key set holds duplicates where distinct keys are required.
    #[error("duplicate keys in the input")]
    DuplicateKeys,
    /// Construction did not succeed within its bounded number of attempts.
    #[error("filter construction failed")]
    ConstructionFailed,
    /// A counter would exceed its maximum value.
    #[error("counter overflow")]
    CounterOverflow,
    /// The key to remove is not in the filter.
    #[error("key not present")]
    NotPresent,
}
