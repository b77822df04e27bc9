//! [`Pacer`]: spaces events evenly (a leaky bucket as a meter, in the style
//! of `uber-go/ratelimit`), with blocking and async waits.
//!
//! Where [`Gcra`](super::Gcra) *answers* "may I, now?", a pacer *schedules*:
//! each caller reserves the next slot, one emission interval `T` after the
//! previous one, and sleeps until it. Callers that arrive late do not bank
//! unlimited credit: at most `slack = (burst − 1) × T` of idle time is
//! remembered (uber-go's `WithSlack`), so after a pause up to `burst` events
//! go at once and the rest are spaced `T` apart. Burst 1 means strictly
//! even spacing.
//!
//! The state is one `AtomicU64` — the time of the last slot handed out —
//! updated by CAS, exactly like uber-go's `atomicInt64Limiter`:
//!
//! ```text
//! slot = max(last + T, now − slack)     (the first call gets now)
//! ```
//!
//! Optional jitter adds a random delay in `[0, jitter]` to each wait (to
//! avoid synchronised clients); it only ever delays, so the rate bound
//! holds.
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::ratelimit::{ManualClock, Pacer, Quota};
//! use std::time::Duration;
//!
//! let clock = ManualClock::new();
//! let pacer = Pacer::with_clock(Quota::per_second(10)?.with_burst(1)?, clock.clone());
//! assert_eq!(pacer.reserve(), Duration::ZERO);
//! assert_eq!(pacer.reserve(), Duration::from_millis(100));
//! assert_eq!(pacer.reserve(), Duration::from_millis(200));
//! # Ok::<(), pillars_dsa::ratelimit::Error>(())
//! ```

use std::time::Duration;

use super::decision::Decision;
use super::quota::Quota;
use crate::clock::{Clock, MonotonicClock};
use crossbeam_utils::CachePadded;

use super::sync::{AtomicU64, Ordering};

/// "No slot handed out yet."
const UNUSED: u64 = u64::MAX;

/// An even-spacing limiter (see the [module docs](self)).
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::{Pacer, Quota};
///
/// let pacer = Pacer::new(Quota::per_second(1000)?.with_burst(1)?);
/// for _ in 0..5 {
///     pacer.wait(); // blocks the thread until its slot, 1 ms apart
/// }
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
#[derive(Debug)]
pub struct Pacer<C: Clock = MonotonicClock> {
    /// Alone on its cache line: the CAS traffic must not evict the
    /// read-only fields (quota, clock calibration) other threads read.
    last: CachePadded<AtomicU64>,
    per_ns: u64,
    slack_ns: u64,
    jitter_ns: u64,
    burst: u64,
    clock: C,
}

impl Pacer<MonotonicClock> {
    /// A pacer for `quota` (spacing `period / rate`, slack `burst − 1`
    /// intervals) on the default clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Pacer, Quota};
    /// let p = Pacer::new(Quota::per_second(50)?);
    /// assert_eq!(p.reserve(), std::time::Duration::ZERO);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn new(quota: Quota) -> Self {
        Self::with_clock(quota, MonotonicClock::new())
    }
}

impl<C: Clock> Pacer<C> {
    /// A pacer reading time from `clock`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{ManualClock, Pacer, Quota};
    /// let p = Pacer::with_clock(Quota::per_second(2)?, ManualClock::new());
    /// assert!(p.check().is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn with_clock(quota: Quota, clock: C) -> Self {
        let per_ns = quota.emission_nanos();
        Self {
            last: CachePadded::new(AtomicU64::new(UNUSED)),
            per_ns,
            slack_ns: quota.window_nanos() - per_ns,
            jitter_ns: 0,
            burst: quota.burst(),
            clock,
        }
    }

    /// Adds a random delay in `[0, jitter]` to every wait.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Pacer, Quota};
    /// use std::time::Duration;
    /// let p = Pacer::new(Quota::per_second(1000)?).with_jitter(Duration::from_micros(50));
    /// p.wait();
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    #[must_use]
    pub fn with_jitter(mut self, jitter: Duration) -> Self {
        self.jitter_ns = u64::try_from(jitter.as_nanos()).unwrap_or(u64::MAX);
        self
    }

    /// The slot the next reservation would get, given the last one.
    #[inline]
    fn next_slot(&self, last: u64, now: u64) -> u64 {
        if last == UNUSED {
            return now;
        }
        let spaced = last.saturating_add(self.per_ns);
        spaced.max(now.saturating_sub(self.slack_ns))
    }

    /// Reserves the next slot and returns how long to wait for it (zero if
    /// it is now). The slot is taken whether or not the caller waits.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{ManualClock, Pacer, Quota};
    /// use std::time::Duration;
    /// let clock = ManualClock::new();
    /// let p = Pacer::with_clock(Quota::per_second(4)?.with_burst(1)?, clock.clone());
    /// assert_eq!(p.reserve(), Duration::ZERO);
    /// clock.advance(Duration::from_millis(100));
    /// assert_eq!(p.reserve(), Duration::from_millis(150));
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn reserve(&self) -> Duration {
        let now = self.clock.now_nanos();
        let mut cur = self.last.load(Ordering::Acquire);
        loop {
            let slot = self.next_slot(cur, now);
            match self
                .last
                .compare_exchange_weak(cur, slot, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return Duration::from_nanos(slot.saturating_sub(now)),
                Err(actual) => cur = actual,
            }
        }
    }

    /// Takes a slot only if it is due now (never waits).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{ManualClock, Pacer, Quota};
    /// use std::time::Duration;
    /// let p = Pacer::with_clock(Quota::per_second(10)?.with_burst(1)?, ManualClock::new());
    /// assert!(p.check().is_allowed());
    /// let d = p.check();
    /// assert!(!d.is_allowed());
    /// assert_eq!(d.retry_after(), Duration::from_millis(100));
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn check(&self) -> Decision {
        let now = self.clock.now_nanos();
        let mut cur = self.last.load(Ordering::Acquire);
        loop {
            let slot = self.next_slot(cur, now);
            if slot > now {
                return Decision::from_raw(false, self.burst, 0, 1, slot - now, slot - now);
            }
            match self
                .last
                .compare_exchange_weak(cur, slot, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => {
                    // Slots still due now after this one.
                    let ahead = (now - slot) / self.per_ns;
                    let reset = slot
                        .saturating_add(self.slack_ns + self.per_ns)
                        .saturating_sub(now);
                    return Decision::from_raw(true, self.burst, ahead, 1, reset, 0);
                }
                Err(actual) => cur = actual,
            }
        }
    }

    fn jittered(&self, d: Duration) -> Duration {
        if self.jitter_ns == 0 {
            d
        } else {
            d.saturating_add(Duration::from_nanos(fastrand::u64(0..=self.jitter_ns)))
        }
    }

    /// Reserves a slot and blocks the thread until it (plus jitter).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Pacer, Quota};
    /// let p = Pacer::new(Quota::per_second(10_000)?);
    /// p.wait();
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn wait(&self) {
        let d = self.jittered(self.reserve());
        if !d.is_zero() {
            std::thread::sleep(d);
        }
    }

    /// Reserves a slot and sleeps (on tokio's timer) until it (plus jitter).
    ///
    /// The slot is reserved on the first poll; dropping the future after that
    /// leaves the slot used (like a missed bus).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Pacer, Quota};
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
    /// let p = Pacer::new(Quota::per_second(1000)?.with_burst(1)?);
    /// for _ in 0..3 {
    ///     p.until_ready().await;
    /// }
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn until_ready(&self) {
        let d = self.jittered(self.reserve());
        if !d.is_zero() {
            tokio::time::sleep(d).await;
        }
    }
}
