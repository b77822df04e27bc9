//! Window counters: [`FixedWindow`] (lock-free) and [`SlidingWindow`] (the
//! approximate sliding window of Cloudflare's rate limiter).
//!
//! **Fixed window.** Time is cut into windows of length `w` (multiples of
//! `w` since the clock's origin); each window allows `limit` cells. One
//! `AtomicU64` holds the window number (high 32 bits, wrapping) and its
//! count (low 32 bits), updated by CAS. Cheap and easy to explain, but a
//! client can get up to `2 × limit` cells across a window boundary. A window
//! number up to 2^31 windows behind the stored one is taken as the clock
//! going back (the stored count is kept); so after an idle gap of 2^31 to
//! 2^32 windows (68 to 136 years with 1 s windows, 24.8 to 49.7 days with
//! 1 ms windows) the old count is kept instead of reset, until the window
//! number passes it again: pick windows of a second or more, or use
//! [`Gcra`](super::Gcra), which has no such horizon. The full window number is
//! cached in a second word, a hint verified on every use, so a check inside
//! the cached window needs a multiply and a compare, not a division.
//!
//! **Sliding window** (Cloudflare, "How we built rate limiting capable of
//! scaling to millions of domains", 2017). It keeps the count of the
//! previous and the current window and estimates the rate over the last `w`
//! as `prev × (w − elapsed) / w + curr`, assuming the previous window's
//! cells were spread evenly. A request for `n` is allowed while the estimate
//! plus `n` is at most `limit` — compared exactly in integers, no rounding.
//! Three numbers behind a short lock; smooths the boundary burst of the
//! fixed window (Cloudflare measured 0.003 % of requests misjudged).
//!
//! For an exact answer use [`SlidingLog`](super::SlidingLog); for a smooth
//! rate with a burst, [`Gcra`](super::Gcra).
//!
//! A clock going backwards never resets a count: an earlier window number
//! than the stored one is treated as the stored window (stricter).
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::ratelimit::{ManualClock, SlidingWindow, FixedWindow};
//! use std::time::Duration;
//!
//! let clock = ManualClock::new();
//! let fixed = FixedWindow::with_clock(10, Duration::from_secs(1), clock.clone())?;
//! let sliding = SlidingWindow::with_clock(10, Duration::from_secs(1), clock.clone())?;
//! assert!(fixed.check_n(10)?.is_allowed());
//! assert!(sliding.check_n(10)?.is_allowed());
//! clock.advance(Duration::from_millis(1500)); // half-way into the next window
//! assert!(fixed.check_n(10)?.is_allowed()); // a fresh window
//! // The sliding estimate still counts half of the previous window's 10.
//! assert!(!sliding.check_n(6)?.is_allowed());
//! assert!(sliding.check_n(5)?.is_allowed());
//! # Ok::<(), pillars_dsa::ratelimit::Error>(())
//! ```

use std::sync::Mutex;
use std::time::Duration;

use super::decision::Decision;
use super::error::{Error, Result};
use super::fastdiv::Divider;
use crate::clock::{Clock, MonotonicClock};
use crossbeam_utils::CachePadded;

use super::sync::{AtomicU64, Ordering};

pub(crate) fn window_nanos(window: Duration) -> Result<u64> {
    if window.is_zero() {
        return Err(Error::ZeroPeriod);
    }
    u64::try_from(window.as_nanos()).map_err(|_| Error::TooLarge {
        what: "window longer than u64 nanoseconds",
    })
}

fn check_limit(limit: u64, n: u64) -> Result<bool> {
    if n > limit {
        return Err(Error::InsufficientCapacity { n, burst: limit });
    }
    Ok(n != 0)
}

/// A lock-free fixed-window counter: `limit` cells per window.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::FixedWindow;
/// use std::time::Duration;
///
/// let w = FixedWindow::new(100, Duration::from_secs(60))?;
/// assert_eq!(w.check().remaining(), 99);
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
#[derive(Debug)]
pub struct FixedWindow<C: Clock = MonotonicClock> {
    /// Alone on its cache line: the CAS traffic must not evict the
    /// read-only fields (quota, clock calibration) other threads read.
    state: CachePadded<AtomicU64>,
    limit: u64,
    window: Divider,
    /// The last window number computed (`⌊now / window⌋` for some earlier
    /// `now`): only a hint, verified before use, so any stale value is safe.
    epoch: AtomicU64,
    clock: C,
}

impl FixedWindow<MonotonicClock> {
    /// `limit` cells per `window` on the default clock.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroBurst`] for a zero limit, [`Error::ZeroPeriod`],
    /// [`Error::TooLarge`] for a limit above `u32::MAX`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Error, FixedWindow};
    /// use std::time::Duration;
    /// assert!(matches!(FixedWindow::new(0, Duration::from_secs(1)), Err(Error::ZeroBurst)));
    /// ```
    pub fn new(limit: u64, window: Duration) -> Result<Self> {
        Self::with_clock(limit, window, MonotonicClock::new())
    }
}

impl<C: Clock> FixedWindow<C> {
    /// `limit` cells per `window`, reading time from `clock`.
    ///
    /// # Errors
    ///
    /// As [`FixedWindow::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{FixedWindow, ManualClock};
    /// use std::time::Duration;
    /// let w = FixedWindow::with_clock(1, Duration::from_secs(1), ManualClock::new())?;
    /// assert!(w.check().is_allowed());
    /// assert!(!w.check().is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn with_clock(limit: u64, window: Duration, clock: C) -> Result<Self> {
        if limit == 0 {
            return Err(Error::ZeroBurst);
        }
        if limit > u64::from(u32::MAX) {
            return Err(Error::TooLarge {
                what: "fixed-window limit above u32::MAX",
            });
        }
        Ok(Self {
            state: CachePadded::new(AtomicU64::new(0)),
            limit,
            window: Divider::new(window_nanos(window)?),
            epoch: AtomicU64::new(0),
            clock,
        })
    }

    /// Counts one cell.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::FixedWindow;
    /// use std::time::Duration;
    /// let w = FixedWindow::new(2, Duration::from_secs(3600))?;
    /// assert!(w.check().is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    #[inline]
    pub fn check(&self) -> Decision {
        self.step(self.clock.now_nanos(), 1)
    }

    /// Counts `n` cells, all or nothing; `n == 0` changes nothing.
    ///
    /// # Errors
    ///
    /// [`Error::InsufficientCapacity`] when `n` exceeds the limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::FixedWindow;
    /// use std::time::Duration;
    /// let w = FixedWindow::new(5, Duration::from_secs(3600))?;
    /// assert!(w.check_n(5)?.is_allowed());
    /// assert!(!w.check_n(1)?.is_allowed());
    /// assert!(w.check_n(6).is_err());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn check_n(&self, n: u64) -> Result<Decision> {
        check_limit(self.limit, n)?;
        Ok(self.step(self.clock.now_nanos(), n))
    }

    /// `(⌊now / window⌋, time to the window's end)`.
    #[inline]
    fn window_of(&self, now: u64) -> (u64, u64) {
        let w = self.window.get();
        let k = self.epoch.load(Ordering::Relaxed);
        // `k` came from `div_rem(t)` for some `t`, so `k · w ≤ t` fits; `now`
        // is in window `k` iff `now − k·w < w` (earlier wraps: slow path).
        let into = now.wrapping_sub(k * w);
        if into < w {
            (k, w - into)
        } else {
            self.window_of_slow(now)
        }
    }

    /// [`window_of`](Self::window_of) outside the cached window: one
    /// division, and the new window number becomes the hint.
    #[cold]
    #[inline(never)]
    fn window_of_slow(&self, now: u64) -> (u64, u64) {
        let (k, rem) = self.window.div_rem(now);
        self.epoch.store(k, Ordering::Relaxed);
        (k, self.window.get() - rem)
    }

    #[inline]
    #[allow(clippy::cast_possible_truncation)] // window numbers wrap at 2^32 on purpose
    fn step(&self, now: u64, n: u64) -> Decision {
        let (idx, reset) = self.window_of(now);
        let idx = idx as u32;
        let mut cur = self.state.load(Ordering::Acquire);
        loop {
            let stored = (cur >> 32) as u32;
            let count = cur & 0xFFFF_FFFF;
            // Wrapped difference: 0 = same window, "negative" = the clock went
            // back (keep the stored window and its count), else a new window.
            let d = idx.wrapping_sub(stored);
            let (win, count) = if d == 0 || d >= 1 << 31 {
                (stored, count)
            } else {
                (idx, 0)
            };
            let total = count + n;
            if total > self.limit {
                let left = self.limit - count;
                return Decision::from_raw(false, self.limit, left, 1, reset, reset);
            }
            if n == 0 && win == stored {
                return Decision::from_raw(true, self.limit, self.limit - count, 1, reset, 0);
            }
            let new = (u64::from(win) << 32) | total;
            match self
                .state
                .compare_exchange_weak(cur, new, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => {
                    return Decision::from_raw(true, self.limit, self.limit - total, 1, reset, 0);
                }
                Err(actual) => cur = actual,
            }
        }
    }
}

#[derive(Debug, Default)]
struct SlidingState {
    idx: u64,
    prev: u64,
    curr: u64,
}

/// Cloudflare's approximate sliding-window counter (see the
/// [module docs](self)).
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::SlidingWindow;
/// use std::time::Duration;
///
/// let w = SlidingWindow::new(100, Duration::from_secs(60))?;
/// assert!(w.check().is_allowed());
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
#[derive(Debug)]
pub struct SlidingWindow<C: Clock = MonotonicClock> {
    state: Mutex<SlidingState>,
    limit: u64,
    window: Divider,
    clock: C,
}

impl SlidingWindow<MonotonicClock> {
    /// `limit` cells per sliding `window` on the default clock.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroBurst`] for a zero limit, [`Error::ZeroPeriod`],
    /// [`Error::TooLarge`] for a window beyond `u64` nanoseconds.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Error, SlidingWindow};
    /// use std::time::Duration;
    /// assert!(matches!(SlidingWindow::new(1, Duration::ZERO), Err(Error::ZeroPeriod)));
    /// ```
    pub fn new(limit: u64, window: Duration) -> Result<Self> {
        Self::with_clock(limit, window, MonotonicClock::new())
    }
}

impl<C: Clock> SlidingWindow<C> {
    /// `limit` cells per sliding `window`, reading time from `clock`.
    ///
    /// # Errors
    ///
    /// As [`SlidingWindow::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{ManualClock, SlidingWindow};
    /// use std::time::Duration;
    /// let w = SlidingWindow::with_clock(1, Duration::from_secs(1), ManualClock::new())?;
    /// assert!(w.check().is_allowed());
    /// assert!(!w.check().is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn with_clock(limit: u64, window: Duration, clock: C) -> Result<Self> {
        if limit == 0 {
            return Err(Error::ZeroBurst);
        }
        Ok(Self {
            state: Mutex::new(SlidingState::default()),
            limit,
            window: Divider::new(window_nanos(window)?),
            clock,
        })
    }

    /// Counts one cell.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::SlidingWindow;
    /// use std::time::Duration;
    /// let w = SlidingWindow::new(1, Duration::from_secs(3600))?;
    /// assert!(w.check().is_allowed());
    /// assert!(!w.check().is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    #[inline]
    pub fn check(&self) -> Decision {
        self.step(self.clock.now_nanos(), 1)
    }

    /// Counts `n` cells, all or nothing; `n == 0` changes nothing.
    ///
    /// # Errors
    ///
    /// [`Error::InsufficientCapacity`] when `n` exceeds the limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::SlidingWindow;
    /// use std::time::Duration;
    /// let w = SlidingWindow::new(4, Duration::from_secs(3600))?;
    /// assert!(w.check_n(3)?.is_allowed());
    /// assert!(!w.check_n(2)?.is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn check_n(&self, n: u64) -> Result<Decision> {
        check_limit(self.limit, n)?;
        Ok(self.step(self.clock.now_nanos(), n))
    }

    #[inline]
    fn step(&self, now: u64, n: u64) -> Decision {
        let w = self.window.get();
        // A poisoned lock only means another thread panicked between plain
        // integer writes: the counts are still meaningful.
        let mut s = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // `s.idx = ⌊t / w⌋` for some earlier `t`, so `s.idx · w ≤ t` fits.
        let start = s.idx * w;
        let elapsed = if now < start {
            0 // clock went back: strictest weighting, counts kept
        } else {
            // The stored window or the next one (the common cases) by
            // subtraction; a division only after a longer gap.
            let into = now - start;
            let (now_idx, elapsed) = if into < w {
                (s.idx, into)
            } else if into - w < w {
                (s.idx + 1, into - w) // ≤ ⌊now / w⌋: no overflow
            } else {
                self.window.div_rem(now)
            };
            if s.idx.checked_add(1) == Some(now_idx) {
                s.prev = s.curr;
                s.curr = 0;
            } else if now_idx != s.idx {
                s.prev = 0;
                s.curr = 0;
            }
            s.idx = now_idx;
            elapsed
        };
        // The estimate `prev·(w − e)/w + curr`, scaled by `w`: `x + curr·w`.
        // Allowed iff `x + (curr + n)·w ≤ limit·w`, exactly in integers.
        let x = u128::from(s.prev) * u128::from(w - elapsed);
        let allowed = self
            .limit
            .checked_sub(s.curr)
            .and_then(|room| room.checked_sub(n))
            .is_some_and(|room| x <= u128::from(room) * u128::from(w));
        if allowed {
            s.curr += n;
        }
        let (prev, curr) = (s.prev, s.curr);
        drop(s);
        // ⌊(limit·w − x − curr·w) / w⌋ = limit − curr − ⌈x / w⌉ (or 0).
        let remaining = self
            .limit
            .saturating_sub(curr)
            .saturating_sub(self.ceil_div_window(x));
        let to_end = w - elapsed;
        let reset = if curr > 0 {
            to_end.saturating_add(w)
        } else if prev > 0 {
            to_end
        } else {
            0
        };
        let retry = if allowed {
            0
        } else {
            Self::retry_after(prev, curr, n, self.limit, w, elapsed)
        };
        Decision::from_raw(allowed, self.limit, remaining, 1, reset, retry)
    }

    /// `⌈x / w⌉`: no division for `x == 0`, a reciprocal multiply while
    /// `x` fits `u64`, a `u128` division beyond (saturating at `u64::MAX`).
    #[inline]
    fn ceil_div_window(&self, x: u128) -> u64 {
        if x == 0 {
            0
        } else if let Ok(x) = u64::try_from(x) {
            let (q, r) = self.window.div_rem(x);
            q + u64::from(r != 0)
        } else {
            u64::try_from(x.div_ceil(u128::from(self.window.get()))).unwrap_or(u64::MAX)
        }
    }

    /// Time from now until `prev·(w − e)/w + curr + n ≤ limit` holds.
    fn retry_after(prev: u64, curr: u64, n: u64, limit: u64, w: u64, elapsed: u64) -> u64 {
        let w128 = u128::from(w);
        // Needed elapsed e in a window with counts (p, c):
        // p·(w − e) ≤ (limit − n − c)·w  ⇔  e ≥ w − (limit − n − c)·w / p.
        let need = |p: u64, c: u64| -> Option<u64> {
            let room = limit.checked_sub(n)?.checked_sub(c)?;
            if p == 0 {
                return Some(0);
            }
            let keep = u128::from(room) * w128 / u128::from(p); // floor: conservative
            Some(u64::try_from(w128.saturating_sub(keep)).unwrap_or(w))
        };
        match need(prev, curr) {
            Some(e) if e <= w => e.saturating_sub(elapsed).max(1),
            // Not in this window: in the next one `curr` becomes `prev`.
            _ => match need(curr, 0) {
                Some(e) => (w - elapsed).saturating_add(e).max(1),
                None => (w - elapsed).saturating_add(w),
            },
        }
    }
}
