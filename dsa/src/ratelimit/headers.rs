//! HTTP header values from a [`Decision`]: the IETF `RateLimit` and
//! `RateLimit-Policy` fields and `Retry-After`.
//!
//! The fields follow draft-ietf-httpapi-ratelimit-headers (versions 08 and
//! later): each is a Structured Field list (RFC 9651) of named policies.
//!
//! ```text
//! RateLimit-Policy: "default";q=100;w=60     quota q per window w seconds
//! RateLimit: "default";r=50;t=30             r remaining, reset in t seconds
//! Retry-After: 30                            RFC 9110, delay in seconds
//! ```
//!
//! Seconds are rounded **up** (a client that waits `t` seconds is never
//! early). The policy name is an sf-string: printable ASCII, with `"` and
//! `\` escaped; anything else is an [`Error::Header`].
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::ratelimit::headers::{rate_limit, rate_limit_policy, retry_after};
//! use pillars_dsa::ratelimit::{Gcra, ManualClock, Quota};
//!
//! let quota = Quota::per_minute(100)?;
//! let lim = Gcra::with_clock(quota, ManualClock::new());
//! let d = lim.check();
//! assert_eq!(rate_limit_policy("default", &quota)?, r#""default";q=100;w=60"#);
//! assert_eq!(rate_limit("default", &d)?, r#""default";r=99;t=1"#);
//! assert_eq!(retry_after(&d), None); // allowed: no Retry-After
//! # Ok::<(), pillars_dsa::ratelimit::Error>(())
//! ```

use std::fmt::Write as _;
use std::time::Duration;

use super::decision::Decision;
use super::error::{Error, Result};
use super::quota::Quota;

/// Whole seconds, rounded up.
fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// `name` as an RFC 9651 sf-string.
fn sf_string(out: &mut String, name: &str) -> Result<()> {
    out.push('"');
    for c in name.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => {
                return Err(Error::Header(
                    "policy name must be printable ASCII (0x20-0x7E)",
                ));
            }
        }
    }
    out.push('"');
    Ok(())
}

/// The `RateLimit-Policy` item for `quota`: `"name";q=<rate>;w=<period s>`.
///
/// The window is the quota's period in whole seconds, rounded up (at least
/// 1); for a quota whose burst differs from its rate, `q` is still the rate
/// per `w` (the burst is a property of the algorithm, not of the policy).
///
/// # Errors
///
/// [`Error::Header`] for a name that is not printable ASCII.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::{headers::rate_limit_policy, Quota};
/// let q = Quota::per_hour(5000)?;
/// assert_eq!(rate_limit_policy("api", &q)?, r#""api";q=5000;w=3600"#);
/// assert!(rate_limit_policy("bad\nname", &q).is_err());
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
pub fn rate_limit_policy(name: &str, quota: &Quota) -> Result<String> {
    let mut out = String::with_capacity(name.len() + 24);
    sf_string(&mut out, name)?;
    let w = ceil_secs(quota.period()).max(1);
    // Writing to a String cannot fail.
    let _ = write!(out, ";q={};w={w}", quota.rate());
    Ok(out)
}

/// The `RateLimit-Policy` item for a window limiter: `"name";q=<limit>;w=<s>`.
///
/// # Errors
///
/// [`Error::Header`] for a name that is not printable ASCII.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::headers::window_policy;
/// use std::time::Duration;
/// assert_eq!(window_policy("w", 10, Duration::from_millis(1500))?, r#""w";q=10;w=2"#);
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
pub fn window_policy(name: &str, limit: u64, window: Duration) -> Result<String> {
    let mut out = String::with_capacity(name.len() + 24);
    sf_string(&mut out, name)?;
    let _ = write!(out, ";q={limit};w={}", ceil_secs(window).max(1));
    Ok(out)
}

/// The `RateLimit` item for `decision`: `"name";r=<remaining>;t=<reset s>`.
///
/// # Errors
///
/// [`Error::Header`] for a name that is not printable ASCII.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::{headers::rate_limit, Decision};
/// use std::time::Duration;
/// let d = Decision::new(true, 100, 50, Duration::from_millis(29_001), Duration::ZERO);
/// assert_eq!(rate_limit("default", &d)?, r#""default";r=50;t=30"#);
/// # Ok::<(), pillars_dsa::ratelimit::Error>(())
/// ```
pub fn rate_limit(name: &str, decision: &Decision) -> Result<String> {
    let mut out = String::with_capacity(name.len() + 24);
    sf_string(&mut out, name)?;
    let _ = write!(
        out,
        ";r={};t={}",
        decision.remaining(),
        ceil_secs(decision.reset_after())
    );
    Ok(out)
}

/// The `Retry-After` value (delay-seconds, rounded up, at least 1) for a
/// denied decision; `None` when it was allowed.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::{headers::retry_after, Decision};
/// use std::time::Duration;
/// let d = Decision::new(false, 10, 0, Duration::from_secs(9), Duration::from_millis(1200));
/// assert_eq!(retry_after(&d).as_deref(), Some("2"));
/// ```
pub fn retry_after(decision: &Decision) -> Option<String> {
    if decision.is_allowed() {
        return None;
    }
    Some(ceil_secs(decision.retry_after()).max(1).to_string())
}
