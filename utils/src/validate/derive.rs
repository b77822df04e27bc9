//! The bridge to the `validator` derive: structs annotated with
//! `#[derive(Validate)]` report through this module's [`Error`].
//!
//! The derive generates code that names its crate; point it at the
//! re-export with `#[validate(crate = "pillars_utils::validate::validator")]`
//! so users need no direct `validator` dependency. Use this module's rules
//! from the derive through `custom(function = ...)` and the adapters below
//! (`validator`'s own `email` and `url` accept `John..Doe@x.com`,
//! `javascript:` and stray white space).
//!
//! `validator` puts the rejected value into every error's params (the field
//! `value`); [`from_validator`] drops it, [`from_validator_revealing`]
//! keeps it. `validator` reports Rust field names: map them to wire names
//! with [`Error::rename_fields`].
//!
//! ```
//! use pillars_utils::validate::{derive, Validate};
//!
//! #[derive(Validate)]
//! #[validate(crate = "pillars_utils::validate::validator")]
//! struct SignUp {
//!     #[validate(custom(function = "derive::email"))]
//!     email: String,
//!     #[validate(length(min = 12))]
//!     password: String,
//! }
//!
//! let form = SignUp { email: "John..Doe@example.com".into(), password: "hunter2".into() };
//! let err = derive::check(&form).unwrap_err();
//! let json = serde_json::to_string(&err).unwrap();
//! assert!(json.contains("\"path\":\"email\""));
//! assert!(json.contains("\"path\":\"password\""));
//! assert!(!json.contains("hunter2")); // the rejected password never leaks
//! ```

use std::borrow::Cow;

pub use validator;
pub use validator::Validate;
use validator::{ValidationError, ValidationErrors, ValidationErrorsKind};

use super::error::{Error, PathSegment, Violation};
use super::rules::Rule;

fn convert(
    errs: &ValidationErrors,
    reveal: bool,
    prefix: &mut Vec<PathSegment>,
    out: &mut Vec<Violation>,
) {
    for (field, kind) in errs.errors() {
        prefix.push(PathSegment::Field(field.clone()));
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let mut v = Violation::new(e.code.clone());
                    for (k, val) in &e.params {
                        if k == "value" {
                            if reveal {
                                v = v.with_value(val);
                            }
                        } else {
                            v = v.with_param(k.clone(), val);
                        }
                    }
                    if let Some(m) = &e.message {
                        v = v.with_message(m.clone());
                    }
                    v.path_mut().extend(prefix.iter().cloned());
                    out.push(v);
                }
            }
            ValidationErrorsKind::Struct(inner) => convert(inner, reveal, prefix, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    prefix.push(PathSegment::Index(*i));
                    convert(inner, reveal, prefix, out);
                    prefix.pop();
                }
            }
        }
        prefix.pop();
    }
}

fn convert_all(errs: &ValidationErrors, reveal: bool) -> Error {
    let mut out = Vec::new();
    convert(errs, reveal, &mut Vec::new(), &mut out);
    // validator keeps fields in a HashMap: sort for a stable report.
    out.sort_by_cached_key(|v| v.path().to_string());
    Error::from(out)
}

/// Converts `validator` errors, dropping the rejected values.
///
/// ```
/// use pillars_utils::validate::{derive, validator::{ValidationError, ValidationErrors}};
/// let mut errs = ValidationErrors::new();
/// let mut e = ValidationError::new("length");
/// e.add_param("value".into(), &"secret");
/// errs.add("password", e);
/// let ours = derive::from_validator(&errs);
/// assert_eq!(ours.violations()[0].code(), "length");
/// assert!(ours.violations()[0].value().is_none());
/// ```
#[must_use]
pub fn from_validator(errs: &ValidationErrors) -> Error {
    convert_all(errs, false)
}

/// Converts `validator` errors, keeping the rejected values (opt-in).
///
/// ```
/// use pillars_utils::validate::{derive, validator::{ValidationError, ValidationErrors}};
/// let mut errs = ValidationErrors::new();
/// let mut e = ValidationError::new("range");
/// e.add_param("value".into(), &7);
/// errs.add("age", e);
/// assert_eq!(derive::from_validator_revealing(&errs).violations()[0].value(), Some(&serde_json::json!(7)));
/// ```
#[must_use]
pub fn from_validator_revealing(errs: &ValidationErrors) -> Error {
    convert_all(errs, true)
}

impl From<ValidationErrors> for Error {
    fn from(errs: ValidationErrors) -> Self {
        from_validator(&errs)
    }
}

/// Runs a derived `validate()` and converts its errors.
///
/// # Errors
/// The derive's failures, as an [`Error`] without rejected values.
///
/// ```
/// use pillars_utils::validate::{derive, Validate};
/// #[derive(Validate)]
/// #[validate(crate = "pillars_utils::validate::validator")]
/// struct Q { #[validate(range(min = 1, max = 100))] limit: u32 }
/// assert!(derive::check(&Q { limit: 500 }).is_err());
/// ```
pub fn check<T: Validate + ?Sized>(value: &T) -> Result<(), Error> {
    value.validate().map_err(|e| from_validator(&e))
}

/// A rule that runs a derived `validate()`: nest derived structs inside a
/// [`Validation`](crate::validate::Validation).
///
/// ```
/// use pillars_utils::validate::{derive, Validate, Validation};
/// #[derive(Validate)]
/// #[validate(crate = "pillars_utils::validate::validator")]
/// struct Page { #[validate(range(max = 100))] size: u32 }
/// let e = Validation::new().field("page", &Page { size: 101 }, derive::derived()).finish().unwrap_err();
/// assert_eq!(e.violations()[0].path().to_string(), "page.size");
/// ```
#[must_use]
pub fn derived() -> Derived {
    Derived
}

/// See [`derived`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Derived;

impl<T: Validate + ?Sized> Rule<T> for Derived {
    fn check(&self, value: &T) -> Result<(), Error> {
        check(value)
    }
}

fn adapter(rule: &impl Rule<str>, s: &str) -> Result<(), ValidationError> {
    rule.check(s).map_err(|e| {
        let mut out = ValidationError::new("invalid");
        if let Some(v) = e.violations().first() {
            out.code = Cow::Owned(v.code().to_owned());
            for (k, p) in v.params() {
                out.add_param(k.clone(), p);
            }
        }
        out
    })
}

macro_rules! adapters {
    ($($(#[$doc:meta])* $name:ident => $rule:expr;)+) => {$(
        $(#[$doc])*
        ///
        /// # Errors
        /// A `validator::ValidationError` with this module's code and params.
        pub fn $name(s: &str) -> Result<(), ValidationError> {
            adapter(&$rule, s)
        }
    )+};
}

adapters! {
    /// `custom(function = "...::derive::email")`: the default email profile.
    ///
    /// ```
    /// assert!(pillars_utils::validate::derive::email("a@example.com").is_ok());
    /// ```
    email => super::email::email();
    /// `custom(function = "...::derive::email_strict")`: the strict profile.
    ///
    /// ```
    /// assert!(pillars_utils::validate::derive::email_strict("a@example.com").is_ok());
    /// ```
    email_strict => super::email::email_strict();
    /// `custom(function = "...::derive::url")`: [`url()`](crate::validate::url()).
    ///
    /// ```
    /// assert!(pillars_utils::validate::derive::url("javascript:alert(1)").is_err());
    /// ```
    url => super::url::url();
    /// `custom(function = "...::derive::hostname")`.
    ///
    /// ```
    /// assert!(pillars_utils::validate::derive::hostname("example.com").is_ok());
    /// ```
    hostname => super::host::hostname();
    /// `custom(function = "...::derive::ip")`.
    ///
    /// ```
    /// assert!(pillars_utils::validate::derive::ip("::1").is_ok());
    /// ```
    ip => super::ip::ip();
    /// `custom(function = "...::derive::uuid")`.
    ///
    /// ```
    /// assert!(pillars_utils::validate::derive::uuid("nope").is_err());
    /// ```
    uuid => super::ids::uuid();
    /// `custom(function = "...::derive::e164")`.
    ///
    /// ```
    /// assert!(pillars_utils::validate::derive::e164("+14155552671").is_ok());
    /// ```
    e164 => super::phone::e164();
}
