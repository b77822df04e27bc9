//! [`Decision`]: the one answer shape of every limiter.

use std::time::Duration;

/// The answer to "may I?": allowed or not, how many cells remain, when the
/// limiter is full again and, when denied, when to retry.
///
/// Every limiter in [`ratelimit`](crate::ratelimit) (and the Redis one)
/// returns this shape, so the HTTP header helpers in
/// [`headers`](crate::ratelimit::headers) work with all of them.
/// `remaining` is computed when asked (a division kept off the hot path).
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::{Gcra, ManualClock, Quota};
/// use std::time::Duration;
///
/// let lim = Gcra::with_clock(Quota::per_second(2)?, ManualClock::new());
/// let d = lim.check();
/// assert!(d.is_allowed());
/// assert_eq!(d.limit(), 2);
/// assert_eq!(d.remaining(), 1);
/// assert_eq!(d.retry_after(), Duration::ZERO);
/// assert!(lim.check().is_allowed());
/// let d = lim.check();
/// assert!(!d.is_allowed());
/// assert_eq!(d.retry_after(), Duration::from_millis(500));
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Decision {
    allowed: bool,
    limit: u64,
    remaining_raw: u64,
    remaining_unit: u64,
    reset_after_ns: u64,
    retry_after_ns: u64,
}

impl Decision {
    /// A decision from its parts; `remaining` is `remaining_raw / remaining_unit`
    /// (the unit is clamped to at least 1).
    pub(crate) const fn from_raw(
        allowed: bool,
        limit: u64,
        remaining_raw: u64,
        remaining_unit: u64,
        reset_after_ns: u64,
        retry_after_ns: u64,
    ) -> Self {
        Self {
            allowed,
            limit,
            remaining_raw,
            remaining_unit: if remaining_unit == 0 {
                1
            } else {
                remaining_unit
            },
            reset_after_ns,
            retry_after_ns,
        }
    }

    /// A decision with everything given.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::Decision;
    /// use std::time::Duration;
    ///
    /// let d = Decision::new(false, 10, 0, Duration::from_secs(3), Duration::from_secs(1));
    /// assert!(!d.is_allowed());
    /// assert_eq!(d.retry_after(), Duration::from_secs(1));
    /// ```
    pub fn new(
        allowed: bool,
        limit: u64,
        remaining: u64,
        reset_after: Duration,
        retry_after: Duration,
    ) -> Self {
        let ns = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        Self::from_raw(
            allowed,
            limit,
            remaining,
            1,
            ns(reset_after),
            ns(retry_after),
        )
    }

    /// Whether the cells were allowed (and counted).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Gcra, Quota};
    /// assert!(Gcra::new(Quota::per_second(1)?).check().is_allowed());
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    #[inline]
    pub const fn is_allowed(&self) -> bool {
        self.allowed
    }

    /// The most cells the limiter allows at once (its burst or window limit).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Gcra, Quota};
    /// assert_eq!(Gcra::new(Quota::per_second(5)?).check().limit(), 5);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    #[inline]
    pub const fn limit(&self) -> u64 {
        self.limit
    }

    /// Cells that could still be allowed right now, after this decision.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Gcra, ManualClock, Quota};
    /// let lim = Gcra::with_clock(Quota::per_second(5)?, ManualClock::new());
    /// assert_eq!(lim.check().remaining(), 4);
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    #[inline]
    pub const fn remaining(&self) -> u64 {
        self.remaining_raw / self.remaining_unit
    }

    /// Time until the limiter is back to its full burst if nothing more is
    /// asked.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Gcra, ManualClock, Quota};
    /// use std::time::Duration;
    /// let lim = Gcra::with_clock(Quota::per_second(5)?, ManualClock::new());
    /// assert_eq!(lim.check().reset_after(), Duration::from_millis(200));
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    #[inline]
    pub const fn reset_after(&self) -> Duration {
        Duration::from_nanos(self.reset_after_ns)
    }

    /// When denied, the time after which the same request would be allowed
    /// (if nobody else takes the cells); zero when allowed.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ratelimit::{Gcra, ManualClock, Quota};
    /// use std::time::Duration;
    /// let lim = Gcra::with_clock(Quota::per_second(1)?, ManualClock::new());
    /// assert!(lim.check().is_allowed());
    /// assert_eq!(lim.check().retry_after(), Duration::from_secs(1));
    /// # Ok::<(), pillars_dsa::ratelimit::Error>(())
    /// ```
    #[inline]
    pub const fn retry_after(&self) -> Duration {
        Duration::from_nanos(self.retry_after_ns)
    }
}
