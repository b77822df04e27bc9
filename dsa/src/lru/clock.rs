//! Time for TTLs: the [`Clock`] trait, the real [`MonotonicClock`] and a
//! [`ManualClock`] for tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A monotonic time source: the time elapsed since an arbitrary, fixed
/// epoch. Entries expire when `now()` reaches their deadline.
///
/// ```
/// use std::time::Duration;
/// use pillars_dsa::lru::{Clock, ManualClock};
/// let c = ManualClock::new();
/// c.advance(Duration::from_secs(2));
/// assert_eq!(c.now(), Duration::from_secs(2));
/// ```
pub trait Clock: Send + Sync + 'static {
    /// The time since this clock's epoch; never decreases.
    fn now(&self) -> Duration;
}

/// Real time from [`Instant`] (the default clock).
///
/// ```
/// use pillars_dsa::lru::{Clock, MonotonicClock};
/// let c = MonotonicClock::new();
/// assert!(c.now() <= c.now());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct MonotonicClock {
    start: Instant,
}

impl MonotonicClock {
    /// A clock whose epoch is now.
    ///
    /// ```
    /// let _ = pillars_dsa::lru::MonotonicClock::new();
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

impl Default for MonotonicClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for MonotonicClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
}

/// A clock that moves only when told: deterministic TTL tests. Share it with
/// the cache through an [`Arc`].
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use pillars_dsa::lru::{ConcurrentLru, ManualClock};
///
/// let clock = Arc::new(ManualClock::new());
/// let cache: ConcurrentLru<u32, u32> = ConcurrentLru::builder(100)
///     .default_ttl(Duration::from_secs(10))
///     .clock(Arc::clone(&clock))
///     .build()
///     .expect("capacity > 0");
/// cache.insert(1, 1).expect("fits");
/// clock.advance(Duration::from_secs(9));
/// assert_eq!(cache.get(&1), Some(1));
/// clock.advance(Duration::from_secs(1));
/// assert_eq!(cache.get(&1), None); // expired
/// ```
#[derive(Debug, Default)]
pub struct ManualClock {
    nanos: AtomicU64,
}

impl ManualClock {
    /// A clock at time zero.
    ///
    /// ```
    /// use pillars_dsa::lru::{Clock, ManualClock};
    /// assert_eq!(ManualClock::new().now().as_nanos(), 0);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `by`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use pillars_dsa::lru::{Clock, ManualClock};
    /// let c = ManualClock::new();
    /// c.advance(Duration::from_millis(5));
    /// assert_eq!(c.now(), Duration::from_millis(5));
    /// ```
    pub fn advance(&self, by: Duration) {
        let n = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        let _ = self
            .nanos
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some(t.saturating_add(n))
            });
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::Acquire))
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> Duration {
        (**self).now()
    }
}
