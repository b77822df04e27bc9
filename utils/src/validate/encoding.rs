//! Encodings: base64 (RFC 4648 §4, padded), base64url (§5, padding
//! optional), hexadecimal, CSS hex colours and JSON.
//!
//! ```
//! use pillars_utils::validate::{is_base64, is_base64url, is_hex_color, is_json};
//!
//! assert!(is_base64("aGVsbG8="));
//! assert!(!is_base64("aGVsbG8"));          // padding required
//! assert!(is_base64url("aGVsbG8"));        // padding optional
//! assert!(is_hex_color("#0af"));
//! assert!(is_json(r#"{"a":[1,2]}"#));
//! ```

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::format::Format;

const URL_SAFE_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Whether `s` is canonical, padded standard base64 (the empty string is).
///
/// ```
/// assert!(!pillars_utils::validate::is_base64("a-b_"));
/// ```
#[must_use]
pub fn is_base64(s: &str) -> bool {
    base64::engine::general_purpose::STANDARD.decode(s).is_ok()
}

/// Whether `s` is canonical URL-safe base64, with or without padding.
///
/// ```
/// assert!(pillars_utils::validate::is_base64url("a-b_"));
/// assert!(!pillars_utils::validate::is_base64url("a+b/"));
/// ```
#[must_use]
pub fn is_base64url(s: &str) -> bool {
    URL_SAFE_ANY_PAD.decode(s).is_ok()
}

/// Whether `s` is one or more hex digits (either case, no `0x`).
///
/// ```
/// assert!(!pillars_utils::validate::is_hex("0xff"));
/// ```
#[must_use]
pub fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_hexdigit())
}

/// Whether `s` is `#` and 3, 4, 6 or 8 hex digits (CSS Color 4).
///
/// ```
/// assert!(pillars_utils::validate::is_hex_color("#11223380"));
/// assert!(!pillars_utils::validate::is_hex_color("112233"));
/// ```
#[must_use]
pub fn is_hex_color(s: &str) -> bool {
    s.strip_prefix('#')
        .is_some_and(|h| matches!(h.len(), 3 | 4 | 6 | 8) && is_hex(h))
}

/// Whether `s` is one JSON value (RFC 8259, via `serde_json`; nesting is
/// limited to 128 levels, so hostile input cannot overflow the stack).
///
/// ```
/// assert!(!pillars_utils::validate::is_json("{a:1}"));
/// ```
#[must_use]
pub fn is_json(s: &str) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok()
}

/// Rule: [`is_base64`] (code `base64`).
///
/// ```
/// use pillars_utils::validate::{base64, Rule};
/// assert!(base64().check("Zm9v").is_ok());
/// ```
#[must_use]
pub const fn base64() -> Format {
    Format::new("base64", is_base64)
}

/// Rule: [`is_base64url`] (code `base64url`).
///
/// ```
/// use pillars_utils::validate::{base64url, Rule};
/// assert!(base64url().check("Zm9v").is_ok());
/// ```
#[must_use]
pub const fn base64url() -> Format {
    Format::new("base64url", is_base64url)
}

/// Rule: [`is_hex`] (code `hex`).
///
/// ```
/// use pillars_utils::validate::{hex, Rule};
/// assert!(hex().check("DEADbeef").is_ok());
/// ```
#[must_use]
pub const fn hex() -> Format {
    Format::new("hex", is_hex)
}

/// Rule: [`is_hex_color`] (code `hex_color`).
///
/// ```
/// use pillars_utils::validate::{hex_color, Rule};
/// assert!(hex_color().check("#ABCDEF").is_ok());
/// ```
#[must_use]
pub const fn hex_color() -> Format {
    Format::new("hex_color", is_hex_color)
}

/// Rule: [`is_json`] (code `json`).
///
/// ```
/// use pillars_utils::validate::{json, Rule};
/// assert!(json().check("[1, 2]").is_ok());
/// ```
#[must_use]
pub const fn json() -> Format {
    Format::new("json", is_json)
}
