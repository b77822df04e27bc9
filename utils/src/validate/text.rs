//! Character classes: ASCII, printable ASCII, and printable Unicode text.
//!
//! ```
//! use pillars_utils::validate::{is_ascii, is_printable, is_printable_ascii};
//!
//! assert!(is_ascii("tab\tok"));
//! assert!(!is_printable_ascii("tab\tno"));
//! assert!(is_printable("naïve café 👍"));
//! assert!(!is_printable("evil\u{202E}txt.exe")); // a bidi override
//! ```

use super::format::Format;

/// Whether every byte of `s` is ASCII.
///
/// ```
/// assert!(!pillars_utils::validate::is_ascii("é"));
/// ```
#[must_use]
pub fn is_ascii(s: &str) -> bool {
    s.is_ascii()
}

/// Whether `s` is only printable ASCII (space to `~`).
///
/// ```
/// assert!(pillars_utils::validate::is_printable_ascii("Hello, world!"));
/// ```
#[must_use]
pub fn is_printable_ascii(s: &str) -> bool {
    s.bytes().all(|c| (0x20..=0x7e).contains(&c))
}

/// Whether `s` has no control character (Unicode `Cc`: C0, DEL, C1) and no
/// bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069), the
/// characters that hide or reorder text in logs and file names.
///
/// ```
/// assert!(!pillars_utils::validate::is_printable("line\nbreak"));
/// ```
#[must_use]
pub fn is_printable(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

/// Rule: [`is_ascii`] (code `ascii`).
///
/// ```
/// use pillars_utils::validate::{ascii, Rule};
/// assert!(ascii().check("abc").is_ok());
/// ```
#[must_use]
pub const fn ascii() -> Format {
    Format::new("ascii", is_ascii)
}

/// Rule: [`is_printable_ascii`] (code `printable`).
///
/// ```
/// use pillars_utils::validate::{printable_ascii, Rule};
/// assert!(printable_ascii().check("a\u{7f}").is_err());
/// ```
#[must_use]
pub const fn printable_ascii() -> Format {
    Format::new("printable", is_printable_ascii)
}

/// Rule: [`is_printable`] (code `printable`).
///
/// ```
/// use pillars_utils::validate::{printable, Rule};
/// assert!(printable().check("ok").is_ok());
/// ```
#[must_use]
pub const fn printable() -> Format {
    Format::new("printable", is_printable)
}
