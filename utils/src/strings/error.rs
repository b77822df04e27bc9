//! The one error type of the `strings` module.

/// What went wrong in a `strings` function.
///
/// Only the fallible operations return it: parsing sizes and durations,
/// building a [`Redactor`](super::Redactor) with custom rules, and
/// [`try_stringify`](super::try_stringify) when the value's own `Serialize`
/// implementation fails. The rejected input is never copied into the error
/// (it may be a secret).
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::{self, Error};
///
/// let err = strings::parse_size("12 parsecs").unwrap_err();
/// assert!(matches!(err, Error::InvalidSize { .. }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A custom redaction rule's pattern did not compile.
    #[error("redaction rule {name:?} is not a valid regex: {reason}")]
    InvalidRule {
        /// The rule's name as given to the builder.
        name: String,
        /// The regex compiler's explanation.
        reason: String,
    },
    /// The value's `Serialize` implementation reported an error.
    #[error("value could not be serialized: {0}")]
    Serialize(String),
    /// A size string such as `"1.5 GiB"` could not be parsed.
    #[error("not a size (expected a number and a unit such as 1.5 GiB): {reason}")]
    InvalidSize {
        /// Why the parser rejected it (without the input itself).
        reason: String,
    },
    /// A duration string such as `"1h 30m"` could not be parsed.
    #[error("not a duration (expected e.g. 1h 30m or 250ms): {0}")]
    InvalidDuration(#[from] humantime::DurationError),
}
