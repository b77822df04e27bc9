//! Dates and date-times: RFC 3339 (the ISO 8601 profile APIs exchange),
//! shape-checked by hand and calendar-checked by `jiff`.
//!
//! | rule | accepts |
//! | --- | --- |
//! | [`datetime`] | `YYYY-MM-DDThh:mm:ss[.fraction](Z\|±hh:mm)`; `t`, `z` and a space for `T` as RFC 3339 §5.6 allows; a real calendar date; second 60 (a leap second) |
//! | [`date`] | `YYYY-MM-DD`, a real calendar date |
//!
//! ```
//! use pillars_utils::validate::{is_date, is_datetime};
//!
//! assert!(is_datetime("2024-02-29T12:30:00.5+05:30"));
//! assert!(!is_datetime("2023-02-29T12:30:00Z")); // not a leap year
//! assert!(!is_datetime("2024-02-01T12:30:00"));  // no offset
//! assert!(is_date("2024-12-31"));
//! ```

use super::format::Format;

fn digits(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_digit)
}

fn two(b: &[u8], i: usize) -> Option<u8> {
    let s = b.get(i..i + 2)?;
    digits(s).then(|| (s[0] - b'0') * 10 + (s[1] - b'0'))
}

/// Whether `s` is an RFC 3339 full-date that exists.
///
/// ```
/// assert!(!pillars_utils::validate::is_date("2024-13-01"));
/// ```
#[must_use]
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && digits(&b[..4])
        && b[4] == b'-'
        && b[7] == b'-'
        && two(b, 5).is_some()
        && two(b, 8).is_some()
        && s.parse::<jiff::civil::Date>().is_ok()
}

/// Whether `s` is an RFC 3339 date-time with an offset, that exists.
///
/// ```
/// assert!(pillars_utils::validate::is_datetime("1990-12-31T23:59:60Z"));
/// assert!(!pillars_utils::validate::is_datetime("2024-01-01T24:00:00Z"));
/// ```
#[must_use]
pub fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || !is_date(s.get(..10).unwrap_or("")) || !matches!(b[10], b'T' | b't' | b' ') {
        return false;
    }
    let (Some(hour), Some(minute), Some(sec)) = (two(b, 11), two(b, 14), two(b, 17)) else {
        return false;
    };
    if b[13] != b':' || b[16] != b':' || hour > 23 || minute > 59 || sec > 60 {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &b[i..] {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', ..] if b.len() - i == 6 => {
            b[i + 3] == b':'
                && two(b, i + 1).is_some_and(|x| x < 24)
                && two(b, i + 4).is_some_and(|x| x < 60)
        }
        _ => false,
    }
}

/// Rule: [`is_datetime`] (code `datetime`).
///
/// ```
/// use pillars_utils::validate::{datetime, Rule};
/// assert!(datetime().check("2024-06-19T15:22:45Z").is_ok());
/// ```
#[must_use]
pub const fn datetime() -> Format {
    Format::new("datetime", is_datetime)
}

/// Rule: [`is_date`] (code `date`).
///
/// ```
/// use pillars_utils::validate::{date, Rule};
/// assert!(date().check("2024-02-30").is_err());
/// ```
#[must_use]
pub const fn date() -> Format {
    Format::new("date", is_date)
}
