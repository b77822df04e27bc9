//! [`Format`]: a string rule from a named predicate. Every rule of the
//! form "is this string a UUID / an IP / a port ..." is one of these.
//!
//! ```
//! use pillars_utils::validate::{Format, Rule};
//!
//! let even_len = Format::new("even_len", |s| s.len() % 2 == 0);
//! assert!(even_len.check("ab").is_ok());
//! assert_eq!(even_len.check("abc").unwrap_err().violations()[0].code(), "even_len");
//! ```

use super::error::{Error, Violation};
use super::rules::Rule;

/// A string rule: a machine code and a predicate.
///
/// ```
/// use pillars_utils::validate::{ipv4, Rule};
/// assert_eq!(ipv4().code(), "ipv4");
/// assert!(ipv4().is_valid("192.0.2.1"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Format {
    code: &'static str,
    predicate: fn(&str) -> bool,
}

impl Format {
    /// A rule that reports `code` when `predicate` is false.
    ///
    /// ```
    /// use pillars_utils::validate::Format;
    /// assert!(Format::new("nonempty", |s| !s.is_empty()).is_valid("x"));
    /// ```
    #[must_use]
    pub const fn new(code: &'static str, predicate: fn(&str) -> bool) -> Self {
        Self { code, predicate }
    }

    /// The machine code.
    ///
    /// ```
    /// assert_eq!(pillars_utils::validate::uuid().code(), "uuid");
    /// ```
    #[must_use]
    pub const fn code(&self) -> &'static str {
        self.code
    }

    /// Whether `s` passes.
    ///
    /// ```
    /// assert!(pillars_utils::validate::hex().is_valid("cafe"));
    /// ```
    #[must_use]
    pub fn is_valid(&self, s: &str) -> bool {
        (self.predicate)(s)
    }
}

impl<S: AsRef<str> + ?Sized> Rule<S> for Format {
    fn check(&self, value: &S) -> Result<(), Error> {
        if (self.predicate)(value.as_ref()) {
            Ok(())
        } else {
            Err(Violation::new(self.code).into())
        }
    }
}
