//! Time sources: a cheap monotonic default and a manual clock for tests.
//!
//! The rate limiters ([`crate::ratelimit`]) and the cache TTLs
//! ([`crate::lru::ConcurrentLru`]) read time through [`Clock::now_nanos`]:
//! nanoseconds since an arbitrary origin, never decreasing for
//! [`MonotonicClock`]. A clock that does go backwards (a [`ManualClock`] set
//! back, or a user clock) is safe: every limiter treats "now" earlier than its
//! stored state as "no time has passed" (saturating arithmetic), so it never
//! panics, never overflows and never allows more than the quota; a cache entry
//! simply lives longer. Both modules re-export these names.
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::clock::{Clock, ManualClock};
//! use std::time::Duration;
//!
//! let clock = ManualClock::new();
//! assert_eq!(clock.now_nanos(), 0);
//! clock.advance(Duration::from_millis(5));
//! assert_eq!(clock.now_nanos(), 5_000_000);
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A source of monotonic time in nanoseconds since an arbitrary origin.
///
/// # Examples
///
/// ```
/// use pillars_dsa::clock::{Clock, MonotonicClock};
///
/// let clock = MonotonicClock::new();
/// let a = clock.now_nanos();
/// assert!(clock.now_nanos() >= a);
/// ```
pub trait Clock: Send + Sync {
    /// Nanoseconds since this clock's origin.
    fn now_nanos(&self) -> u64;
}

impl<C: Clock + ?Sized> Clock for &C {
    #[inline]
    fn now_nanos(&self) -> u64 {
        (**self).now_nanos()
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    #[inline]
    fn now_nanos(&self) -> u64 {
        (**self).now_nanos()
    }
}

/// The default clock: the CPU's invariant time-stamp counter through
/// `quanta` (a few nanoseconds a read, calibrated against the OS monotonic
/// clock; it falls back to the OS clock where no stable TSC exists).
///
/// The origin is the moment the clock was made, so a fresh limiter starts
/// full.
///
/// # Examples
///
/// ```
/// use pillars_dsa::clock::{Clock, MonotonicClock};
/// use std::time::Duration;
///
/// let clock = MonotonicClock::new();
/// std::thread::sleep(Duration::from_millis(2));
/// assert!(clock.now_nanos() >= 1_000_000);
/// ```
#[derive(Debug, Clone)]
pub struct MonotonicClock {
    clock: quanta::Clock,
    /// The raw counter value at the origin.
    start: u64,
}

impl MonotonicClock {
    /// A clock whose origin is now.
    pub fn new() -> Self {
        let clock = quanta::Clock::new();
        let start = clock.raw();
        Self { clock, start }
    }
}

impl Default for MonotonicClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for MonotonicClock {
    #[inline]
    fn now_nanos(&self) -> u64 {
        // One counter read and one scaling multiply; 0 if the counter reads
        // below the origin (it never goes back, but saturate rather than wrap).
        self.clock.delta_as_nanos(self.start, self.clock.raw())
    }
}

/// A clock that moves only when told: for tests and simulations.
///
/// Clones share the same time, so a test keeps one handle and gives another
/// to the limiter. It may be set backwards, to test that limiters cope.
///
/// # Examples
///
/// ```
/// use pillars_dsa::clock::{Clock, ManualClock};
/// use std::time::Duration;
///
/// let clock = ManualClock::new();
/// let theirs = clock.clone();
/// clock.advance(Duration::from_secs(1));
/// assert_eq!(theirs.now_nanos(), 1_000_000_000);
/// clock.set_nanos(10);
/// assert_eq!(theirs.now_nanos(), 10);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock at time zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `d` (saturating at `u64::MAX` ns).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::clock::{Clock, ManualClock};
    /// use std::time::Duration;
    ///
    /// let c = ManualClock::new();
    /// c.advance(Duration::from_nanos(7));
    /// assert_eq!(c.now_nanos(), 7);
    /// ```
    pub fn advance(&self, d: Duration) {
        let add = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        let _ = self
            .nanos
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                Some(n.saturating_add(add))
            });
    }

    /// Sets the clock to `nanos` (which may be earlier than now).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::clock::{Clock, ManualClock};
    ///
    /// let c = ManualClock::new();
    /// c.set_nanos(42);
    /// assert_eq!(c.now_nanos(), 42);
    /// ```
    pub fn set_nanos(&self, nanos: u64) {
        self.nanos.store(nanos, Ordering::Release);
    }
}

impl Clock for ManualClock {
    #[inline]
    fn now_nanos(&self) -> u64 {
        self.nanos.load(Ordering::Acquire)
    }
}
