//! [`Quota`]: how many cells per period, and how many at once.

use std::time::Duration;

use super::error::{Error, Result};

/// The largest `burst × emission interval` a quota may span (about 146
/// years): headroom so `now + window` never overflows a `u64` of nanoseconds.
const MAX_WINDOW_NANOS: u64 = u64::MAX / 4;

/// A rate limit: `rate` cells per `period`, with up to `burst` cells at once.
///
/// Cells are spaced one *emission interval* (`period / rate`, in whole
/// nanoseconds, rounded down) apart; a limiter that has been idle for
/// `burst` intervals allows `burst` cells at once. The burst defaults to the
/// rate.
///
/// Every constructor validates: a zero rate, burst or period, a rate faster
/// than one cell per nanosecond, or a burst window too large for the `u64`
/// nanosecond counters is an [`Error`], never a panic.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::Quota;
/// use std::time::Duration;
///
/// let q = Quota::per_second(100)?.with_burst(10)?;
/// assert_eq!(q.rate(), 100);
/// assert_eq!(q.burst(), 10);
/// assert_eq!(q.emission_interval(), Duration::from_millis(10));
/// assert_eq!(q.burst_window(), Duration::from_millis(100));
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quota {
    rate: u64,
    period_ns: u64,
    burst: u64,
    emission_ns: u64,
    window_ns: u64,
}

impl Quota {
    /// `rate` cells per `period`, burst `rate`.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroRate`], [`Error::ZeroPeriod`], [`Error::TooFast`] (more
    /// than one cell per nanosecond) or [`Error::TooLarge`].
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Error, Quota};
    /// use std::time::Duration;
    ///
    /// let q = Quota::new(3, Duration::from_secs(1))?;
    /// assert_eq!(q.emission_interval(), Duration::from_nanos(333_333_333));
    /// assert!(matches!(Quota::new(1, Duration::ZERO), Err(Error::ZeroPeriod)));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(rate: u64, period: Duration) -> Result<Self> {
        Self::build(rate, period, rate)
    }

    /// `rate` cells per second.
    ///
    /// # Errors
    ///
    /// As [`Quota::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pillars_dsa::ratelimit::Quota::per_second(50)?;
    /// assert_eq!(q.burst(), 50);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn per_second(rate: u64) -> Result<Self> {
        Self::new(rate, Duration::from_secs(1))
    }

    /// `rate` cells per minute.
    ///
    /// # Errors
    ///
    /// As [`Quota::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pillars_dsa::ratelimit::Quota::per_minute(60)?;
    /// assert_eq!(q.emission_interval(), std::time::Duration::from_secs(1));
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn per_minute(rate: u64) -> Result<Self> {
        Self::new(rate, Duration::from_secs(60))
    }

    /// `rate` cells per hour.
    ///
    /// # Errors
    ///
    /// As [`Quota::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pillars_dsa::ratelimit::Quota::per_hour(3600)?;
    /// assert_eq!(q.emission_interval(), std::time::Duration::from_secs(1));
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn per_hour(rate: u64) -> Result<Self> {
        Self::new(rate, Duration::from_secs(3600))
    }

    /// One cell every `interval`, burst 1.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroPeriod`] for a zero interval, [`Error::TooLarge`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let q = pillars_dsa::ratelimit::Quota::with_period(Duration::from_millis(250))?;
    /// assert_eq!((q.rate(), q.burst()), (1, 1));
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub fn with_period(interval: Duration) -> Result<Self> {
        Self::new(1, interval)
    }

    /// The same rate with a different burst.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroBurst`], or [`Error::TooLarge`] when
    /// `burst × emission interval` exceeds about 146 years.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Error, Quota};
    /// let q = Quota::per_second(10)?.with_burst(1)?;
    /// assert_eq!(q.burst(), 1);
    /// assert!(matches!(q.with_burst(0), Err(Error::ZeroBurst)));
    /// assert!(matches!(q.with_burst(u64::MAX), Err(Error::TooLarge { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_burst(self, burst: u64) -> Result<Self> {
        Self::build(self.rate, Duration::from_nanos(self.period_ns), burst)
    }

    fn build(rate: u64, period: Duration, burst: u64) -> Result<Self> {
        if rate == 0 {
            return Err(Error::ZeroRate);
        }
        if period.is_zero() {
            return Err(Error::ZeroPeriod);
        }
        if burst == 0 {
            return Err(Error::ZeroBurst);
        }
        let period_ns = u64::try_from(period.as_nanos()).map_err(|_| Error::TooLarge {
            what: "period longer than u64 nanoseconds",
        })?;
        let emission_ns = period_ns / rate;
        if emission_ns == 0 {
            return Err(Error::TooFast { rate, period });
        }
        let window_ns = burst
            .checked_mul(emission_ns)
            .filter(|w| *w <= MAX_WINDOW_NANOS)
            .ok_or(Error::TooLarge {
                what: "burst × emission interval exceeds u64::MAX / 4 nanoseconds",
            })?;
        Ok(Self {
            rate,
            period_ns,
            burst,
            emission_ns,
            window_ns,
        })
    }

    /// Cells per period.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pillars_dsa::ratelimit::Quota::per_minute(7)?.rate(), 7);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub const fn rate(&self) -> u64 {
        self.rate
    }

    /// The period.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(pillars_dsa::ratelimit::Quota::per_minute(7)?.period(), Duration::from_secs(60));
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub const fn period(&self) -> Duration {
        Duration::from_nanos(self.period_ns)
    }

    /// The most cells allowed at once.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pillars_dsa::ratelimit::Quota::per_second(9)?.burst(), 9);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub const fn burst(&self) -> u64 {
        self.burst
    }

    /// Time between cells: `period / rate`, rounded down to whole nanoseconds.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let q = pillars_dsa::ratelimit::Quota::per_second(4)?;
    /// assert_eq!(q.emission_interval(), Duration::from_millis(250));
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub const fn emission_interval(&self) -> Duration {
        Duration::from_nanos(self.emission_ns)
    }

    /// `burst × emission interval`: how long an idle limiter takes to refill.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let q = pillars_dsa::ratelimit::Quota::per_second(4)?.with_burst(2)?;
    /// assert_eq!(q.burst_window(), Duration::from_millis(500));
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    pub const fn burst_window(&self) -> Duration {
        Duration::from_nanos(self.window_ns)
    }

    pub(crate) const fn emission_nanos(&self) -> u64 {
        self.emission_ns
    }

    pub(crate) const fn window_nanos(&self) -> u64 {
        self.window_ns
    }

    pub(crate) const fn period_nanos(&self) -> u64 {
        self.period_ns
    }
}
