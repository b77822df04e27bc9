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

use super::error::{Error, Path, PathSegment, Violation};
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
                            v = v.with_json_param(k.clone(), val);
                        }
                    }
                    if let Some(m) = &e.message {
                        v = v.with_message(m.clone());
                    }
                    v.path_mut().extend_from(prefix);
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
    // validator keeps fields in a HashMap: sort for a stable report, in
    // the order of the displayed paths.
    if out.iter().any(|v| has_key(v.path())) {
        out.sort_by_cached_key(|v| v.path().to_string());
    } else {
        out.sort_by(|a, b| display_bytes(a.path()).cmp(display_bytes(b.path())));
    }
    Error::from(out)
}

fn has_key(path: &Path) -> bool {
    path.segments()
        .iter()
        .any(|s| matches!(s, PathSegment::Key(_)))
}

/// The bytes of `path.to_string()` for a path of fields and indices (map
/// keys are written escaped: [`convert_all`] sorts those by the string),
/// without building the string.
fn display_bytes(path: &Path) -> impl Iterator<Item = u8> + '_ {
    path.segments().iter().enumerate().flat_map(|(i, seg)| {
        let mut buf = [0_u8; 22];
        let (name, len): (&[u8], usize) = match seg {
            PathSegment::Field(name) => {
                let dot = usize::from(i > 0);
                buf[0] = b'.';
                (name.as_bytes(), dot)
            }
            PathSegment::Index(n) => {
                let mut digits = [0_u8; 20];
                let mut start = digits.len();
                let mut n = *n;
                loop {
                    start -= 1;
                    // `n % 10` is below 10: the cast is exact.
                    #[allow(clippy::cast_possible_truncation)]
                    let d = (n % 10) as u8;
                    digits[start] = b'0' + d;
                    n /= 10;
                    if n == 0 {
                        break;
                    }
                }
                let count = digits.len() - start;
                buf[0] = b'[';
                buf[1..=count].copy_from_slice(&digits[start..]);
                buf[count + 1] = b']';
                (&[], count + 2)
            }
            PathSegment::Key(_) => (&[], 0),
        };
        buf.into_iter().take(len).chain(name.iter().copied())
    })
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

/// The adapter for a rule whose only violation is `code` with a `reason`
/// param: the same `ValidationError` as [`adapter`] gives, without building
/// a [`Violation`] first.
fn reason_adapter<E>(
    code: &'static str,
    result: Result<(), E>,
    reason: impl FnOnce(E) -> &'static str,
) -> Result<(), ValidationError> {
    result.map_err(|e| {
        let mut out = ValidationError::new(code);
        out.add_param(Cow::Borrowed("reason"), &reason(e));
        out
    })
}

/// `custom(function = "...::derive::email")`: the default email profile.
///
/// # Errors
/// A `validator::ValidationError` with this module's code and params.
///
/// ```
/// assert!(pillars_utils::validate::derive::email("a@example.com").is_ok());
/// ```
pub fn email(s: &str) -> Result<(), ValidationError> {
    let rule = super::email::email();
    reason_adapter("email", rule.parse(s), super::email::EmailError::reason)
}

/// `custom(function = "...::derive::email_strict")`: the strict profile.
///
/// # Errors
/// A `validator::ValidationError` with this module's code and params.
///
/// ```
/// assert!(pillars_utils::validate::derive::email_strict("a@example.com").is_ok());
/// ```
pub fn email_strict(s: &str) -> Result<(), ValidationError> {
    let rule = super::email::email_strict();
    reason_adapter("email", rule.parse(s), super::email::EmailError::reason)
}

/// `custom(function = "...::derive::url")`: [`url()`](crate::validate::url()).
///
/// # Errors
/// A `validator::ValidationError` with this module's code and params.
///
/// ```
/// assert!(pillars_utils::validate::derive::url("javascript:alert(1)").is_err());
/// ```
pub fn url(s: &str) -> Result<(), ValidationError> {
    let rule = super::url::url();
    reason_adapter("url", rule.parse(s), super::url::UrlError::reason)
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

#[cfg(test)]
mod tests {
    use super::{Path, PathSegment, display_bytes};

    #[test]
    fn display_bytes_spell_the_path() {
        let f = |n: &'static str| PathSegment::field(n);
        let i = PathSegment::Index;
        let paths = [
            vec![],
            vec![f("a")],
            vec![i(0)],
            vec![i(7), f("b")],
            vec![f("a"), i(9), i(10), f("c_d"), i(usize::MAX)],
            vec![f("é"), f("a-b"), i(1234)],
        ];
        for segs in paths {
            let p = Path::from(segs);
            let bytes: Vec<u8> = display_bytes(&p).collect();
            assert_eq!(String::from_utf8(bytes).unwrap(), p.to_string());
        }
    }

    #[test]
    fn byte_order_is_string_order() {
        let f = |n: &'static str| PathSegment::field(n);
        let i = PathSegment::Index;
        let paths: Vec<Path> = [
            vec![f("a")],
            vec![f("a"), f("b")],
            vec![f("a"), i(0)],
            vec![f("a"), i(10)],
            vec![f("a"), i(9)],
            vec![f("a-x")],
            vec![f("a_x")],
            vec![f("ab")],
            vec![f("A")],
        ]
        .into_iter()
        .map(Path::from)
        .collect();
        for a in &paths {
            for b in &paths {
                assert_eq!(
                    display_bytes(a).cmp(display_bytes(b)),
                    a.to_string().cmp(&b.to_string()),
                    "{a} {b}"
                );
            }
        }
    }
}
