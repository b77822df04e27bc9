//! Concurrency limits: a fixed number of permits ([`ConcurrencyLimit`]) and
//! adaptive limits that follow measured latency and drops
//! ([`AdaptiveLimit`] with [`Aimd`] or [`Gradient`], after Netflix's
//! `concurrency-limits`).
//!
//! A rate limit caps how often; a concurrency limit caps how many at once —
//! Little's law ties them (in-flight = rate × latency), and the concurrency
//! limit needs no guess of the right rate: when the server slows, each
//! request holds its permit longer and the rate falls by itself.
//!
//! **Fixed.** An atomic in-flight counter; [`ConcurrencyLimit::try_acquire`]
//! returns an RAII [`Permit`] that gives the slot back on drop.
//!
//! **Adaptive.** [`AdaptiveLimit`] holds the current limit; every finished
//! request reports its latency and whether it was dropped (timeout, 503,
//! queue full) through its [`Token`], and a [`LimitAlgorithm`] moves the
//! limit:
//!
//! * [`Aimd`] — additive increase, multiplicative decrease (TCP Reno): +1
//!   when a request succeeds while the limit is in use, × `backoff` on a drop
//!   or a latency above the timeout.
//! * [`Gradient`] — Netflix's Gradient2: compares a short-term latency with
//!   a long-term average; `gradient = clamp(tolerance × long / short, 0.5,
//!   1)`, `new = limit × gradient + queue`, smoothed. Latency that rises
//!   above the long-term baseline shrinks the limit before anything drops.
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::ratelimit::concurrency::{AdaptiveLimit, Aimd, ConcurrencyLimit, Outcome};
//! use std::time::Duration;
//!
//! let fixed = ConcurrencyLimit::new(2)?;
//! let a = fixed.try_acquire().expect("1 of 2");
//! let _b = fixed.try_acquire().expect("2 of 2");
//! assert!(fixed.try_acquire().is_none());
//! drop(a);
//! assert!(fixed.try_acquire().is_some());
//!
//! let adaptive = AdaptiveLimit::new(Aimd::new(10, 1, 100)?);
//! let t = adaptive.try_acquire().expect("under the limit");
//! t.record(Duration::from_millis(5), Outcome::Dropped);
//! assert_eq!(adaptive.limit(), 9); // backed off by 0.9
//! # Ok::<(), pillars_dsa::ratelimit::Error>(())
//! ```

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::error::{Error, Result};

/// Takes one in-flight slot if fewer than `limit` are taken.
fn acquire_slot(inflight: &AtomicUsize, limit: usize) -> Option<usize> {
    inflight
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < limit).then_some(n + 1)
        })
        .ok()
        .map(|n| n + 1)
}

/// A fixed number of concurrent permits.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::concurrency::ConcurrencyLimit;
/// let lim = ConcurrencyLimit::new(1)?;
/// {
///     let _p = lim.try_acquire().expect("free");
///     assert_eq!(lim.in_flight(), 1);
/// }
/// assert_eq!(lim.in_flight(), 0);
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
#[derive(Debug)]
pub struct ConcurrencyLimit {
    inflight: AtomicUsize,
    limit: usize,
}

impl ConcurrencyLimit {
    /// At most `limit` permits at once.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroBurst`] when `limit` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::concurrency::ConcurrencyLimit;
    /// assert!(ConcurrencyLimit::new(0).is_err());
    /// ```
    pub fn new(limit: usize) -> Result<Self> {
        if limit == 0 {
            return Err(Error::ZeroBurst);
        }
        Ok(Self {
            inflight: AtomicUsize::new(0),
            limit,
        })
    }

    /// A permit if one is free; it is given back when dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::concurrency::ConcurrencyLimit;
    /// let lim = ConcurrencyLimit::new(1)?;
    /// let p = lim.try_acquire();
    /// assert!(p.is_some() && lim.try_acquire().is_none());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        acquire_slot(&self.inflight, self.limit).map(|_| Permit {
            inflight: &self.inflight,
        })
    }

    /// Permits taken now.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::concurrency::ConcurrencyLimit;
    /// assert_eq!(ConcurrencyLimit::new(3)?.in_flight(), 0);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn in_flight(&self) -> usize {
        self.inflight.load(Ordering::Acquire)
    }

    /// The number of permits.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::concurrency::ConcurrencyLimit;
    /// assert_eq!(ConcurrencyLimit::new(3)?.limit(), 3);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub const fn limit(&self) -> usize {
        self.limit
    }
}

/// A slot of a [`ConcurrencyLimit`], given back on drop.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::concurrency::ConcurrencyLimit;
/// let lim = ConcurrencyLimit::new(1)?;
/// let p = lim.try_acquire().expect("free");
/// drop(p);
/// assert_eq!(lim.in_flight(), 0);
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
#[derive(Debug)]
#[must_use = "the permit is released as soon as it is dropped"]
pub struct Permit<'a> {
    inflight: &'a AtomicUsize,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.inflight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// How a request ended, for an adaptive limit.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::concurrency::Outcome;
/// assert_ne!(Outcome::Success, Outcome::Dropped);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done; its latency is a valid sample.
    Success,
    /// Dropped, rejected or timed out: a sign of overload.
    Dropped,
    /// Not a sample (a client error, a cache hit): the limit does not move.
    Ignore,
}

/// One finished request, as an algorithm sees it.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::concurrency::Sample;
/// use std::time::Duration;
/// let s = Sample { rtt: Duration::from_millis(3), in_flight: 4, dropped: false };
/// assert_eq!(s.in_flight, 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// The request's latency.
    pub rtt: Duration,
    /// Requests in flight when it started (itself included).
    pub in_flight: usize,
    /// Whether it was dropped.
    pub dropped: bool,
}

/// An algorithm that moves a concurrency limit from samples.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::concurrency::{AdaptiveLimit, LimitAlgorithm, Sample};
///
/// /// Never moves.
/// struct Fixed(usize);
/// impl LimitAlgorithm for Fixed {
///     fn initial_limit(&self) -> usize { self.0 }
///     fn update(&mut self, limit: usize, _: Sample) -> usize { limit }
/// }
/// assert_eq!(AdaptiveLimit::new(Fixed(5)).limit(), 5);
/// ```
pub trait LimitAlgorithm: Send {
    /// The limit to start with (at least 1).
    fn initial_limit(&self) -> usize;
    /// The new limit after `sample`, given the current `limit` (the result
    /// is clamped to at least 1).
    fn update(&mut self, limit: usize, sample: Sample) -> usize;
}

/// Additive increase, multiplicative decrease.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::concurrency::{Aimd, LimitAlgorithm, Sample};
/// use std::time::Duration;
/// let mut a = Aimd::new(10, 1, 20)?;
/// let ok = Sample { rtt: Duration::from_millis(1), in_flight: 10, dropped: false };
/// assert_eq!(a.update(10, ok), 11);
/// let drop = Sample { dropped: true, ..ok };
/// assert_eq!(a.update(11, drop), 9);
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Aimd {
    initial: usize,
    min: usize,
    max: usize,
    backoff: f64,
    timeout: Duration,
}

impl Aimd {
    /// Starts at `initial`, stays in `[min, max]`; backoff 0.9, latency
    /// timeout 5 s (Netflix's defaults).
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] unless `1 ≤ min ≤ initial ≤ max`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::concurrency::Aimd;
    /// assert!(Aimd::new(10, 1, 100).is_ok());
    /// assert!(Aimd::new(10, 20, 100).is_err());
    /// ```
    pub fn new(initial: usize, min: usize, max: usize) -> Result<Self> {
        if min == 0 || min > initial || initial > max {
            return Err(Error::Invalid("need 1 <= min <= initial <= max"));
        }
        Ok(Self {
            initial,
            min,
            max,
            backoff: 0.9,
            timeout: Duration::from_secs(5),
        })
    }

    /// The factor a drop multiplies the limit by, in `(0, 1)`.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] outside `(0, 1)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::concurrency::Aimd;
    /// assert!(Aimd::new(10, 1, 100)?.with_backoff(0.5).is_ok());
    /// assert!(Aimd::new(10, 1, 100)?.with_backoff(1.5).is_err());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn with_backoff(mut self, backoff: f64) -> Result<Self> {
        if !(backoff > 0.0 && backoff < 1.0) {
            return Err(Error::Invalid("backoff must be in (0, 1)"));
        }
        self.backoff = backoff;
        Ok(self)
    }

    /// A latency above `timeout` counts as a drop.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::concurrency::Aimd;
    /// use std::time::Duration;
    /// let a = Aimd::new(10, 1, 100)?.with_timeout(Duration::from_millis(200));
    /// # let _ = a;
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

impl LimitAlgorithm for Aimd {
    fn initial_limit(&self) -> usize {
        self.initial
    }

    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    fn update(&mut self, limit: usize, s: Sample) -> usize {
        if s.dropped || s.rtt > self.timeout {
            // Truncation rounds down; a limit far above 2^53 loses precision,
            // which a backoff does not mind.
            let cut = ((limit as f64) * self.backoff) as usize;
            cut.min(limit.saturating_sub(1)).max(self.min)
        } else if s.in_flight.saturating_mul(2) >= limit {
            (limit + 1).min(self.max)
        } else {
            limit
        }
    }
}

/// Netflix's Gradient2 (see the [module docs](self)).
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::concurrency::{Gradient, LimitAlgorithm, Sample};
/// use std::time::Duration;
/// let mut g = Gradient::new(20, 1, 200)?;
/// let mut limit = 20;
/// let fast = |n| Sample { rtt: Duration::from_millis(10), in_flight: n, dropped: false };
/// for _ in 0..50 { limit = g.update(limit, fast(limit)); }
/// assert!(limit > 20); // steady latency with the limit in use: grows
/// let slow = |n| Sample { rtt: Duration::from_millis(40), in_flight: n, dropped: false };
/// let before = limit;
/// for _ in 0..20 { limit = g.update(limit, slow(limit)); }
/// assert!(limit < before); // latency 4× the baseline: shrinks
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Gradient {
    initial: usize,
    min: usize,
    max: usize,
    estimate: f64,
    long_rtt: f64,
    samples: u64,
    smoothing: f64,
    tolerance: f64,
    queue: f64,
    long_window: f64,
}

impl Gradient {
    /// Starts at `initial`, stays in `[min, max]`; Netflix's defaults:
    /// smoothing 0.2, tolerance 1.5 (latency may grow 50 % before the limit
    /// shrinks), queue 4, long-term window 600 samples.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] unless `1 ≤ min ≤ initial ≤ max`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::concurrency::Gradient;
    /// assert!(Gradient::new(20, 1, 200).is_ok());
    /// assert!(Gradient::new(0, 0, 1).is_err());
    /// ```
    #[allow(clippy::cast_precision_loss)]
    pub fn new(initial: usize, min: usize, max: usize) -> Result<Self> {
        if min == 0 || min > initial || initial > max {
            return Err(Error::Invalid("need 1 <= min <= initial <= max"));
        }
        Ok(Self {
            initial,
            min,
            max,
            estimate: initial as f64,
            long_rtt: 0.0,
            samples: 0,
            smoothing: 0.2,
            tolerance: 1.5,
            queue: 4.0,
            long_window: 600.0,
        })
    }
}

impl LimitAlgorithm for Gradient {
    fn initial_limit(&self) -> usize {
        self.initial
    }

    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    fn update(&mut self, limit: usize, s: Sample) -> usize {
        let short = s.rtt.as_secs_f64().max(1e-9);
        self.samples += 1;
        // Long-term average: a plain mean while warming up, then an EMA.
        let k = if self.samples <= 10 {
            1.0 / self.samples as f64
        } else {
            2.0 / (self.long_window + 1.0)
        };
        self.long_rtt += (short - self.long_rtt) * k;
        // Recover quickly when latency falls far below the baseline.
        if self.long_rtt / short > 2.0 {
            self.long_rtt *= 0.95;
        }
        let estimate = self.estimate.max(1.0);
        // Not using half the limit: no information about capacity.
        if !s.dropped && (s.in_flight as f64) < estimate / 2.0 {
            return limit;
        }
        let gradient = if s.dropped {
            0.5
        } else {
            (self.tolerance * self.long_rtt / short).clamp(0.5, 1.0)
        };
        let target = estimate * gradient + self.queue;
        let next = (estimate * (1.0 - self.smoothing) + target * self.smoothing)
            .clamp(self.min as f64, self.max as f64);
        self.estimate = next;
        next as usize
    }
}

/// A concurrency limit moved by a [`LimitAlgorithm`].
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::concurrency::{AdaptiveLimit, Gradient, Outcome};
/// let lim = AdaptiveLimit::new(Gradient::new(4, 1, 100)?);
/// let t = lim.try_acquire().expect("under the limit");
/// // ... do the work ...
/// t.finish(Outcome::Success); // measures the latency since acquire
/// assert_eq!(lim.in_flight(), 0);
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
#[derive(Debug)]
pub struct AdaptiveLimit<A> {
    limit: AtomicUsize,
    inflight: AtomicUsize,
    algorithm: Mutex<A>,
}

impl<A: LimitAlgorithm> AdaptiveLimit<A> {
    /// A limit starting at `algorithm.initial_limit()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::concurrency::{AdaptiveLimit, Aimd};
    /// assert_eq!(AdaptiveLimit::new(Aimd::new(7, 1, 10)?).limit(), 7);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn new(algorithm: A) -> Self {
        Self {
            limit: AtomicUsize::new(algorithm.initial_limit().max(1)),
            inflight: AtomicUsize::new(0),
            algorithm: Mutex::new(algorithm),
        }
    }

    /// A token if fewer than the current limit are in flight.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::concurrency::{AdaptiveLimit, Aimd};
    /// let lim = AdaptiveLimit::new(Aimd::new(1, 1, 10)?);
    /// let t = lim.try_acquire();
    /// assert!(t.is_some() && lim.try_acquire().is_none());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn try_acquire(&self) -> Option<Token<'_, A>> {
        let limit = self.limit.load(Ordering::Acquire);
        acquire_slot(&self.inflight, limit).map(|in_flight| Token {
            owner: self,
            start: Instant::now(),
            in_flight,
            done: false,
        })
    }

    /// The current limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::concurrency::{AdaptiveLimit, Aimd};
    /// assert_eq!(AdaptiveLimit::new(Aimd::new(3, 1, 10)?).limit(), 3);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn limit(&self) -> usize {
        self.limit.load(Ordering::Acquire)
    }

    /// Requests in flight now.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::concurrency::{AdaptiveLimit, Aimd};
    /// assert_eq!(AdaptiveLimit::new(Aimd::new(3, 1, 10)?).in_flight(), 0);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn in_flight(&self) -> usize {
        self.inflight.load(Ordering::Acquire)
    }

    fn release(&self, rtt: Duration, in_flight: usize, outcome: Outcome) {
        self.inflight.fetch_sub(1, Ordering::AcqRel);
        if outcome == Outcome::Ignore {
            return;
        }
        // The algorithm's state is plain numbers: usable after a poison.
        let mut algo = self
            .algorithm
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let cur = self.limit.load(Ordering::Acquire);
        let sample = Sample {
            rtt,
            in_flight,
            dropped: outcome == Outcome::Dropped,
        };
        let next = algo.update(cur, sample).max(1);
        self.limit.store(next, Ordering::Release);
    }
}

/// An in-flight request of an [`AdaptiveLimit`]. Report how it ended with
/// [`finish`](Token::finish) (latency measured since acquire) or
/// [`record`](Token::record) (latency given); dropping it unreported counts
/// as [`Outcome::Ignore`].
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::concurrency::{AdaptiveLimit, Aimd};
/// let lim = AdaptiveLimit::new(Aimd::new(2, 1, 10)?);
/// let t = lim.try_acquire().expect("free");
/// drop(t); // ignored: the limit does not move
/// assert_eq!((lim.limit(), lim.in_flight()), (2, 0));
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
#[derive(Debug)]
#[must_use = "report the outcome with finish() or record()"]
pub struct Token<'a, A: LimitAlgorithm> {
    owner: &'a AdaptiveLimit<A>,
    start: Instant,
    in_flight: usize,
    done: bool,
}

impl<A: LimitAlgorithm> Token<'_, A> {
    /// Ends the request with `outcome`, latency measured since acquire.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::concurrency::{AdaptiveLimit, Aimd, Outcome};
    /// let lim = AdaptiveLimit::new(Aimd::new(2, 1, 10)?);
    /// lim.try_acquire().expect("free").finish(Outcome::Dropped);
    /// assert_eq!(lim.limit(), 1);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn finish(self, outcome: Outcome) {
        let rtt = self.start.elapsed();
        self.record(rtt, outcome);
    }

    /// Ends the request with `outcome` and a latency measured by the caller.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::concurrency::{AdaptiveLimit, Aimd, Outcome};
    /// use std::time::Duration;
    /// let lim = AdaptiveLimit::new(Aimd::new(2, 1, 10)?);
    /// lim.try_acquire().expect("free").record(Duration::from_millis(1), Outcome::Success);
    /// assert_eq!(lim.limit(), 3); // 1 in flight of 2: in use, so +1
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn record(mut self, rtt: Duration, outcome: Outcome) {
        self.done = true;
        self.owner.release(rtt, self.in_flight, outcome);
    }
}

impl<A: LimitAlgorithm> Drop for Token<'_, A> {
    fn drop(&mut self) {
        if !self.done {
            self.owner
                .release(Duration::ZERO, self.in_flight, Outcome::Ignore);
        }
    }
}
