//! [`TokenBucket`]: a lock-free bucket refilled `rate` tokens at a time,
//! once per period.
//!
//! Where [`Gcra`](super::Gcra) refills continuously (one cell every
//! `period / rate`), this bucket refills in whole steps, like the
//! `ratelimit` crate and Envoy's local rate limit: at each period boundary
//! (multiples of the period since the clock's origin) `rate` tokens are
//! added, up to `burst`. It suits quotas stated as "N per minute, topped up
//! every minute".
//!
//! The state is one `AtomicU64` — a token ledger `S` in the same units as the
//! refill count `R(now) = ⌊now / period⌋ × rate` — updated by CAS:
//!
//! ```text
//! new = max(S, R(now)) + n
//! allowed  if new − R(now) ≤ burst   (then S := new)
//! ```
//!
//! `new − R(now)` is the number of tokens currently taken; no floating
//! point, no lock. Because a quota is at most one cell per nanosecond,
//! `R(now) ≤ now` and nothing overflows. A clock going backwards makes
//! `R(now)` smaller, so the bucket only gets stricter.
//!
//! The period number `⌊now / period⌋` is cached in a second word, a hint
//! checked on every use (`k·period ≤ now < (k+1)·period` holds for exactly
//! one `k`), so a check inside the cached period costs two multiplies and a
//! compare instead of a division, and the refill count no longer waits for
//! the clock read: the CAS is the only read-modify-write.
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::ratelimit::{ManualClock, Quota, TokenBucket};
//! use std::time::Duration;
//!
//! let clock = ManualClock::new();
//! let bucket = TokenBucket::with_clock(Quota::per_second(2)?.with_burst(4)?, clock.clone());
//! assert!(bucket.check_n(4)?.is_allowed());
//! assert!(!bucket.check().is_allowed());
//! clock.advance(Duration::from_millis(999));
//! assert!(!bucket.check().is_allowed()); // no refill before the boundary
//! clock.advance(Duration::from_millis(1));
//! assert!(bucket.check_n(2)?.is_allowed()); // 2 tokens at once
//! # Ok::<(), pillars_dsa::ratelimit::Error>(())
//! ```

use super::decision::Decision;
use super::error::Result;
use super::fastdiv::Divider;
use super::gcra::validate_n;
use super::quota::Quota;
use crate::clock::{Clock, MonotonicClock};
use crossbeam_utils::CachePadded;

use super::sync::{AtomicU64, Ordering};

/// A lock-free token bucket with step refills (see the [module docs](self)).
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::{Quota, TokenBucket};
/// let bucket = TokenBucket::new(Quota::per_minute(100)?);
/// assert_eq!(bucket.check().remaining(), 99);
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
#[derive(Debug)]
pub struct TokenBucket<C: Clock = MonotonicClock> {
    /// Alone on its cache line: the CAS traffic must not evict the
    /// read-only fields (quota, clock calibration) other threads read.
    ledger: CachePadded<AtomicU64>,
    quota: Quota,
    period: Divider,
    rate: Divider,
    /// The last period number computed (`⌊now / period⌋` for some earlier
    /// `now`): only a hint, verified before use, so any stale value is safe.
    epoch: AtomicU64,
    clock: C,
}

impl TokenBucket<MonotonicClock> {
    /// A full bucket on the default clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Quota, TokenBucket};
    /// assert!(TokenBucket::new(Quota::per_second(1)?).check().is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn new(quota: Quota) -> Self {
        Self::with_clock(quota, MonotonicClock::new())
    }
}

impl<C: Clock> TokenBucket<C> {
    /// A full bucket reading time from `clock`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{ManualClock, Quota, TokenBucket};
    /// let b = TokenBucket::with_clock(Quota::per_second(1)?, ManualClock::new());
    /// assert!(b.check().is_allowed());
    /// assert!(!b.check().is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn with_clock(quota: Quota, clock: C) -> Self {
        Self {
            ledger: CachePadded::new(AtomicU64::new(0)),
            quota,
            period: Divider::new(quota.period_nanos()),
            rate: Divider::new(quota.rate()),
            epoch: AtomicU64::new(0),
            clock,
        }
    }

    /// Takes one token.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Quota, TokenBucket};
    /// let b = TokenBucket::new(Quota::per_hour(1)?);
    /// assert!(b.check().is_allowed());
    /// assert!(!b.check().is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    #[inline]
    pub fn check(&self) -> Decision {
        self.step(self.clock.now_nanos(), 1)
    }

    /// Takes `n` tokens, all or nothing; `n == 0` changes nothing.
    ///
    /// # Errors
    ///
    /// [`Error::InsufficientCapacity`](super::Error::InsufficientCapacity)
    /// when `n` exceeds the bucket's capacity (the quota's burst).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{ManualClock, Quota, TokenBucket};
    /// let b = TokenBucket::with_clock(Quota::per_second(5)?, ManualClock::new());
    /// assert!(b.check_n(5)?.is_allowed());
    /// assert!(b.check_n(6).is_err());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    #[inline]
    pub fn check_n(&self, n: u64) -> Result<Decision> {
        let now = self.clock.now_nanos();
        if validate_n(&self.quota, n)? {
            Ok(self.step(now, n))
        } else {
            let s = self.ledger.load(Ordering::Acquire);
            let (refilled, to_boundary) = self.refilled(now);
            let taken = s.saturating_sub(refilled);
            Ok(self.decision(true, to_boundary, taken, 0))
        }
    }

    /// The quota (`rate` tokens added every `period`, capacity `burst`).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Quota, TokenBucket};
    /// assert_eq!(TokenBucket::new(Quota::per_second(3)?).quota().rate(), 3);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub const fn quota(&self) -> &Quota {
        &self.quota
    }

    /// `(R(now), time to the next refill boundary)`.
    #[inline]
    fn refilled(&self, now: u64) -> (u64, u64) {
        let period = self.period.get();
        let k = self.epoch.load(Ordering::Relaxed);
        // `k` came from `div_rem(t)` for some `t`, so `k · period ≤ t` fits.
        // `now` is in period `k` iff `now − k·period < period` (a `now`
        // before the period start wraps to a huge value: the slow path).
        let into = now.wrapping_sub(k * period);
        if into < period {
            // ⌊now / period⌋ · rate ≤ now · rate / period ≤ now (rate ≤ period in ns).
            (k * self.quota.rate(), period - into)
        } else {
            self.refilled_slow(now)
        }
    }

    /// [`refilled`](Self::refilled) when `now` is outside the cached
    /// period: one division, and the new period number becomes the hint.
    #[cold]
    #[inline(never)]
    fn refilled_slow(&self, now: u64) -> (u64, u64) {
        let (q, r) = self.period.div_rem(now);
        self.epoch.store(q, Ordering::Relaxed);
        (q * self.quota.rate(), self.period.get() - r)
    }

    #[inline]
    fn step(&self, now: u64, n: u64) -> Decision {
        let (refilled, to_boundary) = self.refilled(now);
        let cap = self.quota.burst();
        let mut cur = self.ledger.load(Ordering::Acquire);
        loop {
            let base = cur.max(refilled);
            // `base + n` wraps only at the end of u64 time: `new < base` then.
            let new = base.wrapping_add(n);
            let taken = new.wrapping_sub(refilled);
            if new < base || taken > cap {
                return self.denied(to_boundary, base, refilled, n);
            }
            match self
                .ledger
                .compare_exchange_weak(cur, new, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return self.decision(true, to_boundary, taken, 0),
                Err(actual) => cur = actual,
            }
        }
    }

    /// The decision for `n` tokens that do not fit on a ledger at `base`
    /// (`≥ refilled`); out of line to keep the allowed path small.
    #[cold]
    #[inline(never)]
    fn denied(&self, to_boundary: u64, base: u64, refilled: u64, n: u64) -> Decision {
        match base.checked_add(n) {
            // Not wrapped, so `new − refilled > burst` made it a denial.
            Some(new) => self.decision(
                false,
                to_boundary,
                base - refilled,
                new - refilled - self.quota.burst(),
            ),
            // The end of u64 time: deny rather than wrap.
            None => self.decision(false, to_boundary, self.quota.burst(), u64::MAX),
        }
    }

    /// Time until `tokens` more tokens have been added, given the time to
    /// the next boundary.
    #[inline]
    fn time_for(&self, to_boundary: u64, tokens: u64) -> u64 {
        if tokens == 0 {
            0
        } else if tokens <= self.quota.rate() {
            // One boundary is enough for up to `rate` tokens: no division.
            to_boundary
        } else {
            self.time_for_steps(to_boundary, tokens)
        }
    }

    /// [`time_for`](Self::time_for) for more than `rate` tokens.
    #[inline(never)]
    fn time_for_steps(&self, to_boundary: u64, tokens: u64) -> u64 {
        let (q, r) = self.rate.div_rem(tokens);
        (q + u64::from(r != 0) - 1)
            .saturating_mul(self.period.get())
            .saturating_add(to_boundary)
    }

    #[inline]
    fn decision(&self, allowed: bool, to_boundary: u64, taken: u64, short: u64) -> Decision {
        let cap = self.quota.burst();
        Decision::from_raw(
            allowed,
            cap,
            cap.saturating_sub(taken),
            1,
            self.time_for(to_boundary, taken),
            if allowed {
                0
            } else {
                self.time_for(to_boundary, short)
            },
        )
    }
}
