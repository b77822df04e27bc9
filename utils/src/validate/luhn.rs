//! The Luhn (mod 10) check digit, and card numbers built on it.
//!
//! ```
//! use pillars_utils::validate::{is_card_number, is_luhn};
//!
//! assert!(is_luhn("79927398713"));
//! assert!(is_card_number("4111 1111 1111 1111"));
//! assert!(!is_card_number("4111 1111 1111 1112"));
//! ```

use super::format::Format;

/// Whether the ASCII digits `s` (at least two, nothing else) pass Luhn.
///
/// ```
/// assert!(!pillars_utils::validate::is_luhn("79927398710"));
/// assert!(!pillars_utils::validate::is_luhn("7992-7398-713"));
/// ```
#[must_use]
pub fn is_luhn(s: &str) -> bool {
    s.len() >= 2 && s.bytes().all(|c| c.is_ascii_digit()) && luhn_sum(s.bytes()).is_multiple_of(10)
}

fn luhn_sum(digits: impl DoubleEndedIterator<Item = u8>) -> u32 {
    digits
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = u32::from(c - b'0');
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 { d2 - 9 } else { d2 }
            } else {
                d
            }
        })
        .sum()
}

/// Whether `s` is a payment card number: 12 to 19 digits passing Luhn;
/// single spaces or hyphens between digits are allowed (as typed).
///
/// ```
/// assert!(pillars_utils::validate::is_card_number("5555-5555-5555-4444"));
/// assert!(!pillars_utils::validate::is_card_number("4111  1111 1111 1111"));
/// ```
#[must_use]
pub fn is_card_number(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !b[0].is_ascii_digit() || !b[b.len() - 1].is_ascii_digit() {
        return false;
    }
    let mut prev_sep = false;
    for &c in b {
        match c {
            b'0'..=b'9' => prev_sep = false,
            b' ' | b'-' if !prev_sep => prev_sep = true,
            _ => return false,
        }
    }
    let n = b.iter().filter(|c| c.is_ascii_digit()).count();
    (12..=19).contains(&n)
        && luhn_sum(b.iter().copied().filter(u8::is_ascii_digit)).is_multiple_of(10)
}

/// Rule: [`is_luhn`] (code `luhn`).
///
/// ```
/// use pillars_utils::validate::{luhn, Rule};
/// assert!(luhn().check("79927398713").is_ok());
/// ```
#[must_use]
pub const fn luhn() -> Format {
    Format::new("luhn", is_luhn)
}

/// Rule: [`is_card_number`] (code `luhn`).
///
/// ```
/// use pillars_utils::validate::{card_number, Rule};
/// assert!(card_number().check("4111111111111111").is_ok());
/// ```
#[must_use]
pub const fn card_number() -> Format {
    Format::new("luhn", is_card_number)
}
