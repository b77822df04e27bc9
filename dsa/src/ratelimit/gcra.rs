//! [`Gcra`]: the generic cell rate algorithm on one atomic word.
//!
//! GCRA (ATM Forum, 1996; the algorithm behind `governor`, `redis-cell`
//! and `go-redis/redis_rate`) keeps one number per limiter: the *theoretical
//! arrival time* (TAT), the instant the limiter would be full again if
//! nothing more were asked. With emission interval `T = period / rate` and
//! burst window `W = burst × T`, a request for `n` cells at time `now` is
//!
//! ```text
//! new = max(TAT, now) + n·T
//! allowed  if new − now ≤ W   (then TAT := new)
//! denied   otherwise          (TAT unchanged; retry after new − now − W)
//! ```
//!
//! so an idle limiter allows exactly `burst` cells at once and then one cell
//! every `T`: at most `burst + t / T` cells in any span `t` (exact at the
//! edges; `tests/ratelimit_props.rs` checks it against a model).
//!
//! The TAT is one `AtomicU64` updated by a compare-and-swap loop: no lock, a
//! denied check is one load and no write, and a lost race retries with the
//! value that won (loom model in `tests/loom_ratelimit.rs`). `check_n` is
//! all-or-nothing: either all `n` cells are counted or none.
//!
//! A clock that steps backwards is harmless: `max(TAT, now)` never lets the
//! TAT decrease, so earlier "now"s only make the limiter stricter until time
//! catches up. Arithmetic is checked; at the end of `u64` time everything is
//! denied rather than wrapping.
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::ratelimit::{Gcra, ManualClock, Quota};
//! use std::time::Duration;
//!
//! let clock = ManualClock::new();
//! let lim = Gcra::with_clock(Quota::per_second(10)?.with_burst(3)?, clock.clone());
//! assert!(lim.check_n(3)?.is_allowed()); // the whole burst at once
//! assert!(!lim.check().is_allowed());
//! clock.advance(Duration::from_millis(100)); // one emission interval
//! assert!(lim.check().is_allowed());
//! assert!(lim.check_n(4).is_err()); // more than the burst: never
//! # Ok::<(), pillars_dsa::ratelimit::Error>(())
//! ```

use super::decision::Decision;
use super::error::{Error, Result};
use super::quota::Quota;
use crate::clock::{Clock, MonotonicClock};
use crossbeam_utils::CachePadded;

use super::sync::{AtomicU64, Ordering};

/// One GCRA step on `tat` for `n` cells (`1 ≤ n ≤ burst`, checked by the
/// caller): the CAS loop every GCRA limiter in this module shares.
#[inline]
pub(crate) fn gcra_step(tat: &AtomicU64, quota: &Quota, now: u64, n: u64) -> Decision {
    let t = quota.emission_nanos();
    let window = quota.window_nanos();
    let inc = n * t; // n ≤ burst, so n·T ≤ W: no overflow
    let mut cur = tat.load(Ordering::Acquire);
    loop {
        let base = cur.max(now);
        let Some(new) = base.checked_add(inc) else {
            // The end of u64 time: deny rather than wrap.
            return Decision::from_raw(false, quota.burst(), 0, t, u64::MAX, u64::MAX);
        };
        let until = new - now;
        if until > window {
            let reset = base - now;
            return Decision::from_raw(
                false,
                quota.burst(),
                window.saturating_sub(reset),
                t,
                reset,
                until - window,
            );
        }
        match tat.compare_exchange_weak(cur, new, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => {
                return Decision::from_raw(true, quota.burst(), window - until, t, until, 0);
            }
            Err(actual) => cur = actual,
        }
    }
}

/// The decision `gcra_step` would give for zero cells: a read, no change.
#[inline]
pub(crate) fn gcra_peek(tat: u64, quota: &Quota, now: u64) -> Decision {
    let reset = tat.saturating_sub(now);
    let window = quota.window_nanos();
    Decision::from_raw(
        true,
        quota.burst(),
        window.saturating_sub(reset),
        quota.emission_nanos(),
        reset,
        0,
    )
}

/// Checks `n` against the quota's burst: `Ok(false)` for zero cells.
#[inline]
pub(crate) fn validate_n(quota: &Quota, n: u64) -> Result<bool> {
    if n > quota.burst() {
        return Err(Error::InsufficientCapacity {
            n,
            burst: quota.burst(),
        });
    }
    Ok(n != 0)
}

/// A lock-free GCRA rate limiter: one `AtomicU64`, shared by `&self`.
///
/// Put it in an `Arc` (or a `static` via `OnceLock`) to share between
/// threads. For one limiter per client, use
/// [`KeyedLimiter`](crate::ratelimit::KeyedLimiter).
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::{Gcra, Quota};
/// use std::sync::Arc;
///
/// let lim = Arc::new(Gcra::new(Quota::per_second(1000)?));
/// let handles: Vec<_> = (0..2)
///     .map(|_| {
///         let lim = Arc::clone(&lim);
///         std::thread::spawn(move || (0..600).filter(|_| lim.check().is_allowed()).count())
///     })
///     .collect();
/// let allowed: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
/// assert!(allowed >= 1000); // the burst, plus whatever refilled meanwhile
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
#[derive(Debug)]
pub struct Gcra<C: Clock = MonotonicClock> {
    /// Alone on its cache line: the CAS traffic must not evict the
    /// read-only fields (quota, clock calibration) other threads read.
    tat: CachePadded<AtomicU64>,
    quota: Quota,
    clock: C,
}

impl Gcra<MonotonicClock> {
    /// A full limiter on the default monotonic clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Gcra, Quota};
    /// let lim = Gcra::new(Quota::per_minute(60)?);
    /// assert!(lim.check().is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn new(quota: Quota) -> Self {
        Self::with_clock(quota, MonotonicClock::new())
    }
}

impl<C: Clock> Gcra<C> {
    /// A full limiter reading time from `clock`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Gcra, ManualClock, Quota};
    /// let lim = Gcra::with_clock(Quota::per_second(1)?, ManualClock::new());
    /// assert!(lim.check().is_allowed());
    /// assert!(!lim.check().is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn with_clock(quota: Quota, clock: C) -> Self {
        Self {
            tat: CachePadded::new(AtomicU64::new(0)),
            quota,
            clock,
        }
    }

    /// Asks for one cell.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Gcra, Quota};
    /// let lim = Gcra::new(Quota::per_hour(1)?);
    /// assert!(lim.check().is_allowed());
    /// assert!(!lim.check().is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    #[inline]
    pub fn check(&self) -> Decision {
        gcra_step(&self.tat, &self.quota, self.clock.now_nanos(), 1)
    }

    /// Asks for `n` cells at once, all or nothing. `n == 0` is allowed and
    /// changes nothing.
    ///
    /// # Errors
    ///
    /// [`Error::InsufficientCapacity`] when `n` exceeds the burst (it could
    /// never be allowed; nothing is counted).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Error, Gcra, ManualClock, Quota};
    /// let lim = Gcra::with_clock(Quota::per_second(10)?, ManualClock::new());
    /// assert!(lim.check_n(7)?.is_allowed());
    /// let d = lim.check_n(4)?; // only 3 left: nothing taken
    /// assert!(!d.is_allowed());
    /// assert_eq!(d.remaining(), 3);
    /// assert!(matches!(lim.check_n(11), Err(Error::InsufficientCapacity { n: 11, burst: 10 })));
    /// # Ok::<(), Error>(())
    /// ```
    #[inline]
    pub fn check_n(&self, n: u64) -> Result<Decision> {
        let now = self.clock.now_nanos();
        if validate_n(&self.quota, n)? {
            Ok(gcra_step(&self.tat, &self.quota, now, n))
        } else {
            Ok(gcra_peek(
                self.tat.load(Ordering::Acquire),
                &self.quota,
                now,
            ))
        }
    }

    /// The state now, without asking for anything.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Gcra, ManualClock, Quota};
    /// let lim = Gcra::with_clock(Quota::per_second(3)?, ManualClock::new());
    /// assert_eq!(lim.peek().remaining(), 3);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn peek(&self) -> Decision {
        gcra_peek(
            self.tat.load(Ordering::Acquire),
            &self.quota,
            self.clock.now_nanos(),
        )
    }

    /// Forgets all use: the limiter is full again.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Gcra, ManualClock, Quota};
    /// let lim = Gcra::with_clock(Quota::per_second(1)?, ManualClock::new());
    /// let _ = lim.check();
    /// lim.reset();
    /// assert!(lim.check().is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn reset(&self) {
        self.tat.store(0, Ordering::Release);
    }

    /// The quota.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Gcra, Quota};
    /// let q = Quota::per_second(3)?;
    /// assert_eq!(*Gcra::new(q).quota(), q);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub const fn quota(&self) -> &Quota {
        &self.quota
    }

    /// The clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Clock, Gcra, ManualClock, Quota};
    /// let lim = Gcra::with_clock(Quota::per_second(3)?, ManualClock::new());
    /// assert_eq!(lim.clock().now_nanos(), 0);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub const fn clock(&self) -> &C {
        &self.clock
    }
}
