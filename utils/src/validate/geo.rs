//! Latitude and longitude in decimal degrees, as numbers or as strings.
//!
//! Strings must be plain decimals (`-33.8688`): no exponent, no `inf` or
//! `NaN`, no white space, no `+`.
//!
//! ```
//! use pillars_utils::validate::{latitude, longitude, Rule};
//!
//! assert!(latitude().check(&-33.8688).is_ok());
//! assert!(longitude().check("151.2093").is_ok());
//! assert!(latitude().check("91").is_err());
//! assert!(latitude().check(&f64::NAN).is_err());
//! ```

use super::error::{Error, Violation};
use super::rules::Rule;

fn parse_decimal(s: &str) -> Option<f64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    if int.is_empty()
        || frac.is_empty()
        || !int.bytes().all(|c| c.is_ascii_digit())
        || !frac.bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    s.parse().ok()
}

/// Whether `s` is a latitude, -90 to 90.
///
/// ```
/// assert!(pillars_utils::validate::is_latitude("-90.0"));
/// assert!(!pillars_utils::validate::is_latitude("1e1"));
/// ```
#[must_use]
pub fn is_latitude(s: &str) -> bool {
    parse_decimal(s).is_some_and(|v| (-90.0..=90.0).contains(&v))
}

/// Whether `s` is a longitude, -180 to 180.
///
/// ```
/// assert!(pillars_utils::validate::is_longitude("180"));
/// assert!(!pillars_utils::validate::is_longitude("180.5"));
/// ```
#[must_use]
pub fn is_longitude(s: &str) -> bool {
    parse_decimal(s).is_some_and(|v| (-180.0..=180.0).contains(&v))
}

/// A latitude or longitude rule, for `f64`, `f32`, `str` and `String`.
///
/// ```
/// use pillars_utils::validate::{longitude, Rule};
/// assert!(longitude().check(&-200.0_f64).is_err());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Degrees {
    code: &'static str,
    limit: f64,
}

/// Rule: a latitude, -90 to 90 (code `latitude`).
///
/// ```
/// use pillars_utils::validate::{latitude, Rule};
/// assert!(latitude().check(&45.0_f32).is_ok());
/// ```
#[must_use]
pub const fn latitude() -> Degrees {
    Degrees {
        code: "latitude",
        limit: 90.0,
    }
}

/// Rule: a longitude, -180 to 180 (code `longitude`).
///
/// ```
/// use pillars_utils::validate::{longitude, Rule};
/// assert!(longitude().check(&String::from("-179.99")).is_ok());
/// ```
#[must_use]
pub const fn longitude() -> Degrees {
    Degrees {
        code: "longitude",
        limit: 180.0,
    }
}

impl Degrees {
    fn verdict(self, v: Option<f64>) -> Result<(), Error> {
        if v.is_some_and(|v| (-self.limit..=self.limit).contains(&v)) {
            Ok(())
        } else {
            Err(Violation::new(self.code).into())
        }
    }
}

impl Rule<f64> for Degrees {
    fn check(&self, value: &f64) -> Result<(), Error> {
        self.verdict(Some(*value))
    }
}

impl Rule<f32> for Degrees {
    fn check(&self, value: &f32) -> Result<(), Error> {
        self.verdict(Some(f64::from(*value)))
    }
}

impl Rule<str> for Degrees {
    fn check(&self, value: &str) -> Result<(), Error> {
        self.verdict(parse_decimal(value))
    }
}

impl Rule<String> for Degrees {
    fn check(&self, value: &String) -> Result<(), Error> {
        self.verdict(parse_decimal(value))
    }
}
