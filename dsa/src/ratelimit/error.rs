//! The one error type of [`ratelimit`](crate::ratelimit).

use std::time::Duration;

/// What can go wrong when building or asking a rate limiter.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::{Error, Quota};
///
/// assert!(matches!(Quota::per_second(0), Err(Error::ZeroRate)));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The rate (cells per period) was zero.
    #[error("rate must be at least 1 cell per period")]
    ZeroRate,
    /// The burst (or limit, or capacity) was zero.
    #[error("burst (capacity) must be at least 1")]
    ZeroBurst,
    /// The period was zero.
    #[error("period must be longer than zero")]
    ZeroPeriod,
    /// The quota asks for more than one cell per nanosecond.
    #[error("rate {rate} per {period:?} is faster than one cell per nanosecond")]
    TooFast {
        /// Cells per period.
        rate: u64,
        /// The period.
        period: Duration,
    },
    /// `burst × emission interval` (or another size) does not fit the counters.
    #[error("quota too large: {what}")]
    TooLarge {
        /// What overflowed.
        what: &'static str,
    },
    /// `check_n(n)` with `n` larger than the burst: it could never be allowed.
    #[error("asked for {n} cells at once but the burst is {burst}: never allowed")]
    InsufficientCapacity {
        /// Cells asked for.
        n: u64,
        /// The most cells that can ever be allowed at once.
        burst: u64,
    },
    /// A parameter outside its valid range (the message says which).
    #[error("invalid argument: {0}")]
    Invalid(&'static str),
    /// A header value could not be built (for example a policy name with a
    /// control character).
    #[error("invalid header value: {0}")]
    Header(&'static str),
    /// The Redis server could not be asked (connection, timeout, script error).
    #[cfg(feature = "redis")]
    #[error("redis: {0}")]
    Redis(#[from] Box<::redis::RedisError>),
    /// The Redis call did not answer in time.
    #[cfg(feature = "redis")]
    #[error("redis call timed out after {0:?}")]
    Timeout(Duration),
    /// Redis failed moments ago (a failed connection, or timeouts in a row),
    /// so it is not asked again before the next probe (see
    /// [`RedisGcra::with_probe_interval`](crate::ratelimit::redis::RedisGcra::with_probe_interval)).
    #[cfg(feature = "redis")]
    #[error("redis unreachable: not asked again for {retry_in:?}")]
    Unavailable {
        /// Time until the next probe.
        retry_in: Duration,
    },
}

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
