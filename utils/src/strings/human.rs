//! Human-readable sizes (through `bytesize`) and durations (through
//! `humantime`), formatted and parsed.
//!
//! | function | example |
//! | --- | --- |
//! | [`format_size`] | `1536` → `"1.5 KiB"` (binary, IEC units) |
//! | [`format_size_si`] | `1500` → `"1.5 kB"` (decimal, SI units) |
//! | [`parse_size`] | `"1.5 GiB"`, `"10MB"`, `"512"` → bytes (saturating at `u64::MAX`) |
//! | [`format_duration`] | `5400 s` → `"1h 30m"` |
//! | [`parse_duration`] | `"1h 30m"`, `"250ms"`, `"2days"` → `Duration` |

use std::time::Duration;

use super::Error;

/// `bytes` in binary (IEC) units with one decimal: `B`, `KiB`, `MiB`, ...
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::format_size;
///
/// assert_eq!(format_size(0), "0 B");
/// assert_eq!(format_size(1536), "1.5 KiB");
/// assert_eq!(format_size(u64::MAX), "16.0 EiB");
/// ```
#[must_use]
pub fn format_size(bytes: u64) -> String {
    bytesize::ByteSize(bytes).display().iec().to_string()
}

/// `bytes` in decimal (SI) units with one decimal: `B`, `kB`, `MB`, ...
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::format_size_si;
///
/// assert_eq!(format_size_si(1500), "1.5 kB");
/// assert_eq!(format_size_si(999), "999 B");
/// ```
#[must_use]
pub fn format_size_si(bytes: u64) -> String {
    bytesize::ByteSize(bytes).display().si().to_string()
}

/// Parses a size such as `"1.5 GiB"`, `"10MB"`, `"10 mb"` or `"512"` into
/// bytes. SI units (`kB`, `MB`) are powers of 1000, IEC units (`KiB`,
/// `MiB`) powers of 1024; unit letters are case-insensitive. Sizes past
/// `u64::MAX` saturate.
///
/// # Errors
///
/// [`Error::InvalidSize`] when the text is not a number followed by an
/// optional known unit.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::parse_size;
///
/// assert_eq!(parse_size("1.5 KiB").unwrap(), 1536);
/// assert_eq!(parse_size("10MB").unwrap(), 10_000_000);
/// assert_eq!(parse_size(" 7 ").unwrap(), 7);
/// assert!(parse_size("ten MB").is_err());
/// assert!(parse_size("").is_err());
/// ```
pub fn parse_size(s: &str) -> Result<u64, Error> {
    let s = s.trim();
    if s.is_empty() || !s.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return Err(Error::InvalidSize {
            reason: "expected a number first".to_owned(),
        });
    }
    s.parse::<bytesize::ByteSize>()
        .map(|b| b.0)
        .map_err(|_| Error::InvalidSize {
            reason: "unknown unit or malformed number".to_owned(),
        })
}

/// `d` as space-separated units, largest first: `1h 30m`, `250ms`,
/// `2days 3h`, down to nanoseconds when present.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use pillars_utils::strings::format_duration;
///
/// assert_eq!(format_duration(Duration::from_secs(5400)), "1h 30m");
/// assert_eq!(format_duration(Duration::from_millis(1500)), "1s 500ms");
/// assert_eq!(format_duration(Duration::ZERO), "0s");
/// ```
#[must_use]
pub fn format_duration(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// Parses a duration such as `"1h 30m"`, `"250ms"`, `"2days"` or
/// `"1.5s"`... (`humantime`'s syntax: number-unit pairs, units from `ns`
/// to `y`).
///
/// # Errors
///
/// [`Error::InvalidDuration`] for an empty string, an unknown unit, a
/// missing number or a value that overflows `Duration`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use pillars_utils::strings::parse_duration;
///
/// assert_eq!(parse_duration("1h 30m").unwrap(), Duration::from_secs(5400));
/// assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
/// assert!(parse_duration("soon").is_err());
/// ```
pub fn parse_duration(s: &str) -> Result<Duration, Error> {
    Ok(humantime::parse_duration(s.trim())?)
}
