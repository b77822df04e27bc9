//! [`SlidingLog`]: the exact sliding window, a bounded log of timestamps.
//!
//! Keeps the time of every allowed cell of the last window (at most `limit`
//! of them, so memory is bounded by `8 × limit` bytes) and allows a cell
//! while fewer than `limit` fall in the window `(now − w, now]`. Exact — no
//! boundary burst, no estimate — at the cost of memory proportional to the
//! limit and a short lock; use it for small limits where exactness matters
//! (logins, password resets), a [`Gcra`](super::Gcra) or a
//! [`SlidingWindow`](super::SlidingWindow) otherwise. The limit is capped at
//! [`SlidingLog::MAX_LIMIT`].
//!
//! A clock going backwards records the latest time seen instead (entries
//! stay sorted; the log only gets stricter).
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::ratelimit::{ManualClock, SlidingLog};
//! use std::time::Duration;
//!
//! let clock = ManualClock::new();
//! let log = SlidingLog::with_clock(2, Duration::from_secs(10), clock.clone())?;
//! assert!(log.check().is_allowed());
//! clock.advance(Duration::from_secs(4));
//! assert!(log.check().is_allowed());
//! let d = log.check();
//! assert!(!d.is_allowed());
//! assert_eq!(d.retry_after(), Duration::from_secs(6)); // the first entry leaves
//! clock.advance(Duration::from_secs(6));
//! assert!(log.check().is_allowed());
//! # Ok::<(), pillars_dsa::ratelimit::Error>(())
//! ```

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use super::decision::Decision;
use super::error::{Error, Result};
use super::window::window_nanos;
use crate::clock::{Clock, MonotonicClock};

#[derive(Debug, Default)]
struct LogState {
    times: VecDeque<u64>,
    latest: u64,
}

/// An exact sliding-window limiter with a bounded log (see the
/// [module docs](self)).
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::SlidingLog;
/// use std::time::Duration;
/// let log = SlidingLog::new(5, Duration::from_secs(60))?;
/// assert_eq!(log.check().remaining(), 4);
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
#[derive(Debug)]
pub struct SlidingLog<C: Clock = MonotonicClock> {
    state: Mutex<LogState>,
    limit: u64,
    window_ns: u64,
    clock: C,
}

impl SlidingLog<MonotonicClock> {
    /// `limit` cells in any `window`, on the default clock.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroBurst`], [`Error::ZeroPeriod`], or [`Error::TooLarge`]
    /// for a limit above [`SlidingLog::MAX_LIMIT`].
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Error, SlidingLog};
    /// use std::time::Duration;
    /// assert!(matches!(SlidingLog::new(u64::MAX, Duration::from_secs(1)), Err(Error::TooLarge { .. })));
    /// ```
    pub fn new(limit: u64, window: Duration) -> Result<Self> {
        Self::with_clock(limit, window, MonotonicClock::new())
    }
}

impl<C: Clock> SlidingLog<C> {
    /// The largest limit accepted: 2^20 entries (8 MiB of log).
    pub const MAX_LIMIT: u64 = 1 << 20;

    /// `limit` cells in any `window`, reading time from `clock`.
    ///
    /// # Errors
    ///
    /// As [`SlidingLog::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{ManualClock, SlidingLog};
    /// use std::time::Duration;
    /// let log = SlidingLog::with_clock(1, Duration::from_secs(1), ManualClock::new())?;
    /// assert!(log.check().is_allowed());
    /// assert!(!log.check().is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn with_clock(limit: u64, window: Duration, clock: C) -> Result<Self> {
        if limit == 0 {
            return Err(Error::ZeroBurst);
        }
        if limit > Self::MAX_LIMIT {
            return Err(Error::TooLarge {
                what: "sliding-log limit above 2^20 entries",
            });
        }
        Ok(Self {
            state: Mutex::new(LogState::default()),
            limit,
            window_ns: window_nanos(window)?,
            clock,
        })
    }

    /// Asks for one cell.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::SlidingLog;
    /// use std::time::Duration;
    /// let log = SlidingLog::new(1, Duration::from_secs(3600))?;
    /// assert!(log.check().is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn check(&self) -> Decision {
        self.step(self.clock.now_nanos(), 1)
    }

    /// Asks for `n` cells, all or nothing; `n == 0` changes nothing.
    ///
    /// # Errors
    ///
    /// [`Error::InsufficientCapacity`] when `n` exceeds the limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::SlidingLog;
    /// use std::time::Duration;
    /// let log = SlidingLog::new(3, Duration::from_secs(3600))?;
    /// assert!(log.check_n(3)?.is_allowed());
    /// assert!(log.check_n(4).is_err());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn check_n(&self, n: u64) -> Result<Decision> {
        if n > self.limit {
            return Err(Error::InsufficientCapacity {
                n,
                burst: self.limit,
            });
        }
        Ok(self.step(self.clock.now_nanos(), n))
    }

    /// Entries currently held (at most the limit).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::SlidingLog;
    /// use std::time::Duration;
    /// let log = SlidingLog::new(3, Duration::from_secs(3600))?;
    /// let _ = log.check_n(2)?;
    /// assert_eq!(log.len(), 2);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.lock().times.len()
    }

    /// Whether the log holds no entry.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::SlidingLog;
    /// use std::time::Duration;
    /// assert!(SlidingLog::new(3, Duration::from_secs(1))?.is_empty());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.lock().times.is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LogState> {
        // Poison only means a panic elsewhere between whole pushes and pops.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[allow(clippy::cast_possible_truncation)] // lengths are ≤ MAX_LIMIT
    fn step(&self, now: u64, n: u64) -> Decision {
        let w = self.window_ns;
        let mut s = self.lock();
        let now = now.max(s.latest);
        s.latest = now;
        while s.times.front().is_some_and(|&t| now - t >= w) {
            s.times.pop_front();
        }
        let len = s.times.len() as u64;
        let allowed = len + n <= self.limit;
        if allowed {
            for _ in 0..n {
                s.times.push_back(now);
            }
        }
        let held = s.times.len() as u64;
        // Entries kept satisfy now − t < w, so w − (now − t) cannot underflow.
        let reset = s.times.back().map_or(0, |&t| w - (now - t));
        let retry = if allowed {
            0
        } else {
            // The (len + n − limit)-th oldest entry must leave first.
            let k = (len + n - self.limit) as usize;
            s.times.get(k - 1).map_or(w, |&t| w - (now - t))
        };
        Decision::from_raw(allowed, self.limit, self.limit - held, 1, reset, retry)
    }
}
