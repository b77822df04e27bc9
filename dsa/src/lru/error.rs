//! Errors of the `lru` module.

use std::sync::Arc;

/// What went wrong in a cache operation.
///
/// ```
/// use pillars_dsa::lru::{Error, LruCache};
/// assert_eq!(LruCache::<u32, u32>::try_new(0).err(), Some(Error::ZeroCapacity));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A capacity of zero: such a cache could hold nothing.
    #[error("cache capacity must be at least 1")]
    ZeroCapacity,
    /// A capacity above what the cache can index.
    #[error("cache capacity {capacity} exceeds the maximum {max}")]
    CapacityTooLarge {
        /// The capacity asked for.
        capacity: u64,
        /// The largest capacity allowed.
        max: u64,
    },
    /// The entry weighs more than the whole capacity (or than `2^30 - 1`), so
    /// it was not stored.
    #[error("entry weight {weight} exceeds the cache capacity {capacity}")]
    TooHeavy {
        /// The entry's weight.
        weight: u64,
        /// The cache's capacity.
        capacity: u64,
    },
    /// The loader of this key panicked (in another thread or task waiting on
    /// the same load); nothing was cached and the cache stays usable.
    #[error("the loader for this key panicked")]
    LoaderPanicked,
}

/// The error of a fallible, single-flight load
/// ([`ConcurrentLru::try_get_or_insert_with`](super::ConcurrentLru::try_get_or_insert_with),
/// [`ConcurrentLru::get_or_try_insert_with`](super::ConcurrentLru::get_or_try_insert_with)).
///
/// Every caller that waited on the same load receives the same loader error,
/// shared through an [`Arc`]. Errors are never cached: the next call loads
/// again.
///
/// ```
/// use pillars_dsa::lru::{ConcurrentLru, LoadError};
///
/// let c: ConcurrentLru<u32, u32> = ConcurrentLru::new(100).expect("capacity > 0");
/// let r = c.try_get_or_insert_with(1, || Err::<u32, _>("db down"));
/// assert!(matches!(r, Err(LoadError::Loader(e)) if *e == "db down"));
/// assert_eq!(c.try_get_or_insert_with(1, || Ok::<_, &str>(7)).ok(), Some(7));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError<E> {
    /// The loader returned this error.
    #[error("the loader failed: {0}")]
    Loader(Arc<E>),
    /// The loader panicked (in the thread or task that ran it).
    #[error("the loader for this key panicked")]
    Panicked,
}

impl<E> Clone for LoadError<E> {
    fn clone(&self) -> Self {
        match self {
            Self::Loader(e) => Self::Loader(Arc::clone(e)),
            Self::Panicked => Self::Panicked,
        }
    }
}
