//! Phone numbers in E.164 form: `+`, a country code that does not start
//! with 0, and at most 15 digits in all (ITU-T E.164 §6). Syntax only: no
//! numbering-plan tables.
//!
//! ```
//! use pillars_utils::validate::is_e164;
//!
//! assert!(is_e164("+14155552671"));
//! assert!(!is_e164("+1 415 555 2671"));
//! assert!(!is_e164("004155552671"));
//! ```

use super::format::Format;

/// Whether `s` is `+` followed by 2 to 15 digits, the first not `0`.
///
/// ```
/// assert!(pillars_utils::validate::is_e164("+442071838750"));
/// assert!(!pillars_utils::validate::is_e164("+1234567890123456"));
/// ```
#[must_use]
pub fn is_e164(s: &str) -> bool {
    let Some(d) = s.strip_prefix('+') else {
        return false;
    };
    let b = d.as_bytes();
    (2..=15).contains(&b.len()) && b[0] != b'0' && b.iter().all(u8::is_ascii_digit)
}

/// Rule: [`is_e164`] (code `e164`).
///
/// ```
/// use pillars_utils::validate::{e164, Rule};
/// assert!(e164().check("+14155552671").is_ok());
/// ```
#[must_use]
pub const fn e164() -> Format {
    Format::new("e164", is_e164)
}
