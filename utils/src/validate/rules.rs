//! Rule combinators, ozzo-validation style, for values you cannot annotate
//! with a derive: [`Rule`], [`Validation`], and `required`, `length`,
//! `count`, `range`, `one_of`, `not_one_of`, `matches`, `each`, `keys`,
//! `values`, `when` / `otherwise`, `custom`, `func`, `nested`.
//!
//! A tuple of rules checks them in order and stops at the first failure for
//! that value (so `(required(), ...)` never reports a format error on an
//! absent value). [`Validation`] collects the failures of every field.
//!
//! ```
//! use pillars_utils::validate::{each, email, length, one_of, range, required, Validation};
//!
//! let name = "Ada";
//! let age = 36;
//! let role = "admin".to_owned();
//! let emails = vec!["ada@example.com".to_owned(), "nope".to_owned()];
//! let nick: Option<String> = None;
//!
//! let err = Validation::new()
//!     .field("name", name, length(1..=50))
//!     .field("age", &age, range(18..=130))
//!     .field("role", &role, one_of(["admin", "user"]))
//!     .field("emails", &emails, each(email()))
//!     .field("nick", &nick, required())
//!     .finish()
//!     .unwrap_err();
//! let paths: Vec<String> = err.violations().iter().map(|v| v.path().to_string()).collect();
//! assert_eq!(paths, ["emails[1]", "nick"]);
//! ```

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt::Display;
use std::marker::PhantomData;
use std::ops::{Bound, RangeBounds};

use regex::Regex;
use serde::Serialize;

use super::error::{Error, PathSegment, Violation};

/// A check of a value of type `T`.
///
/// Implemented by every rule in this module, by tuples of rules (checked in
/// order, first failure wins), by references and by boxed rules.
///
/// ```
/// use pillars_utils::validate::{length, Rule};
/// assert!(length(2..).check("ab").is_ok());
/// assert!(length(2..).check("a").is_err());
/// ```
pub trait Rule<T: ?Sized> {
    /// Checks `value`.
    ///
    /// # Errors
    /// An [`Error`] listing what failed, with paths relative to `value`.
    fn check(&self, value: &T) -> Result<(), Error>;
}

impl<T: ?Sized, R: Rule<T> + ?Sized> Rule<T> for &R {
    fn check(&self, value: &T) -> Result<(), Error> {
        (**self).check(value)
    }
}

impl<T: ?Sized, R: Rule<T> + ?Sized> Rule<T> for Box<R> {
    fn check(&self, value: &T) -> Result<(), Error> {
        (**self).check(value)
    }
}

macro_rules! tuple_rule {
    ($($name:ident),+) => {
        impl<T: ?Sized, $($name: Rule<T>),+> Rule<T> for ($($name,)+) {
            #[allow(non_snake_case)]
            fn check(&self, value: &T) -> Result<(), Error> {
                let ($($name,)+) = self;
                $($name.check(value)?;)+
                Ok(())
            }
        }
    };
}
tuple_rule!(A);
tuple_rule!(A, B);
tuple_rule!(A, B, C);
tuple_rule!(A, B, C, D);
tuple_rule!(A, B, C, D, E);
tuple_rule!(A, B, C, D, E, F);
tuple_rule!(A, B, C, D, E, F, G);
tuple_rule!(A, B, C, D, E, F, G, H);

/// Checks `value` against `rule` (a single rule or a tuple of rules).
///
/// # Errors
/// What the rule reports.
///
/// ```
/// use pillars_utils::validate::{validate, length, ascii};
/// assert!(validate("abc", (length(1..=3), ascii())).is_ok());
/// ```
pub fn validate<T: ?Sized>(value: &T, rule: impl Rule<T>) -> Result<(), Error> {
    rule.check(value)
}

/// Adapters every rule gets: a replacement code or message, and opting in to
/// show the rejected value.
///
/// ```
/// use pillars_utils::validate::{length, Rule, RuleExt};
/// let err = length(3..).with_code("too_short").with_message("trop court").check("ab").unwrap_err();
/// assert_eq!(err.violations()[0].code(), "too_short");
/// assert_eq!(err.violations()[0].message(), "trop court");
/// ```
pub trait RuleExt: Sized {
    /// Replaces the machine code of every violation this rule reports.
    ///
    /// ```
    /// use pillars_utils::validate::{email, Rule, RuleExt};
    /// let e = email().with_code("contact_email").check("x").unwrap_err();
    /// assert_eq!(e.violations()[0].code(), "contact_email");
    /// ```
    fn with_code(self, code: impl Into<Cow<'static, str>>) -> WithCode<Self> {
        WithCode {
            rule: self,
            code: code.into(),
        }
    }

    /// Replaces the message of every violation this rule reports.
    ///
    /// ```
    /// use pillars_utils::validate::{email, Rule, RuleExt};
    /// let e = email().with_message("adresse invalide").check("x").unwrap_err();
    /// assert_eq!(e.to_string(), "adresse invalide");
    /// ```
    fn with_message(self, message: impl Into<Cow<'static, str>>) -> WithMessage<Self> {
        WithMessage {
            rule: self,
            message: message.into(),
        }
    }

    /// Attaches the rejected value to the violations (opt-in; never for
    /// secrets or personal data).
    ///
    /// ```
    /// use pillars_utils::validate::{one_of, Rule, RuleExt};
    /// let e = one_of(["red", "blue"]).reveal().check(&"green".to_owned()).unwrap_err();
    /// assert_eq!(e.violations()[0].value(), Some(&serde_json::json!("green")));
    /// ```
    fn reveal(self) -> Reveal<Self> {
        Reveal { rule: self }
    }
}

impl<R> RuleExt for R {}

/// See [`RuleExt::with_code`].
#[derive(Debug, Clone)]
pub struct WithCode<R> {
    rule: R,
    code: Cow<'static, str>,
}

impl<T: ?Sized, R: Rule<T>> Rule<T> for WithCode<R> {
    fn check(&self, value: &T) -> Result<(), Error> {
        self.rule.check(value).map_err(|e| {
            let mut vs = e.into_violations();
            for v in &mut vs {
                v.set_code(self.code.clone());
            }
            Error::from(vs)
        })
    }
}

/// See [`RuleExt::with_message`].
#[derive(Debug, Clone)]
pub struct WithMessage<R> {
    rule: R,
    message: Cow<'static, str>,
}

impl<T: ?Sized, R: Rule<T>> Rule<T> for WithMessage<R> {
    fn check(&self, value: &T) -> Result<(), Error> {
        self.rule.check(value).map_err(|e| {
            Error::from(
                e.into_violations()
                    .into_iter()
                    .map(|v| v.with_message(self.message.clone()))
                    .collect::<Vec<_>>(),
            )
        })
    }
}

/// See [`RuleExt::reveal`].
#[derive(Debug, Clone)]
pub struct Reveal<R> {
    rule: R,
}

impl<T: Serialize + ?Sized, R: Rule<T>> Rule<T> for Reveal<R> {
    fn check(&self, value: &T) -> Result<(), Error> {
        self.rule.check(value).map_err(|e| {
            Error::from(
                e.into_violations()
                    .into_iter()
                    .map(|v| v.with_value(value))
                    .collect::<Vec<_>>(),
            )
        })
    }
}

/// Collects the violations of many fields, each under its wire name.
///
/// ```
/// use pillars_utils::validate::{length, Validation};
/// assert!(Validation::new().field("name", "Ada", length(1..=50)).finish().is_ok());
/// ```
#[derive(Debug, Default, Clone)]
pub struct Validation {
    violations: Vec<Violation>,
}

impl Validation {
    /// An empty validation.
    ///
    /// ```
    /// use pillars_utils::validate::Validation;
    /// assert!(Validation::new().finish().is_ok());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks `value` (the field called `name` on the wire) against `rule`.
    ///
    /// ```
    /// use pillars_utils::validate::{range, Validation};
    /// let e = Validation::new().field("age", &7, range(18..)).finish().unwrap_err();
    /// assert_eq!(e.violations()[0].path().to_string(), "age");
    /// ```
    #[must_use]
    pub fn field<T: ?Sized>(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: &T,
        rule: impl Rule<T>,
    ) -> Self {
        if let Err(e) = rule.check(value) {
            self.report(PathSegment::Field(name.into()), e);
        }
        self
    }

    /// Files the violations of one field under `seg` (the cold path of
    /// [`Validation::field`], kept out of line).
    #[cold]
    #[inline(never)]
    fn report(&mut self, seg: PathSegment, e: Error) {
        let mut found = e.into_violations();
        if let Some((last, rest)) = found.split_last_mut() {
            for v in rest {
                v.path_mut().prepend(seg.clone());
            }
            last.path_mut().prepend(seg);
        }
        if self.violations.is_empty() {
            // Adopt the rule's list: no copy, no new allocation.
            self.violations = found;
        } else {
            self.violations.append(&mut found);
        }
    }

    /// Adds violations found elsewhere (a cross-field check), under `name`
    /// if given.
    ///
    /// ```
    /// use pillars_utils::validate::{Validation, Violation};
    /// let e = Validation::new().add(Some("password2"), Violation::new("mismatch")).finish().unwrap_err();
    /// assert_eq!(e.violations()[0].path().to_string(), "password2");
    /// ```
    #[must_use]
    pub fn add(mut self, name: Option<&'static str>, violation: Violation) -> Self {
        self.violations.push(match name {
            Some(n) => violation.at(PathSegment::field(n)),
            None => violation,
        });
        self
    }

    /// `Ok(())` when nothing failed.
    ///
    /// # Errors
    /// Every violation found, in field order.
    ///
    /// ```
    /// use pillars_utils::validate::Validation;
    /// assert!(Validation::new().finish().is_ok());
    /// ```
    pub fn finish(self) -> Result<(), Error> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(Error::from(self.violations))
        }
    }
}

/// A type that validates itself (a struct with [`Validation`] inside):
/// what [`nested`] calls.
///
/// ```
/// use pillars_utils::validate::{length, Error, Validatable, Validation};
///
/// struct Address { city: String }
/// impl Validatable for Address {
///     fn validate(&self) -> Result<(), Error> {
///         Validation::new().field("city", &self.city, length(1..)).finish()
///     }
/// }
/// assert!(Address { city: String::new() }.validate().is_err());
/// ```
pub trait Validatable {
    /// Validates `self`.
    ///
    /// # Errors
    /// Every violation, with paths relative to `self`.
    fn validate(&self) -> Result<(), Error>;
}

/// A rule that never fails (the default `otherwise` of [`when`]).
///
/// ```
/// use pillars_utils::validate::{pass, Rule};
/// assert!(pass().check("anything").is_ok());
/// ```
#[must_use]
pub fn pass() -> Pass {
    Pass
}

/// See [`pass`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Pass;

impl<T: ?Sized> Rule<T> for Pass {
    fn check(&self, _: &T) -> Result<(), Error> {
        Ok(())
    }
}

/// Presence: an `Option` must be `Some`. Absence is explicit in Rust, so
/// `Some(0)` and `Some("")` are present (use `length` or `range` to reject
/// empty or zero values).
///
/// ```
/// use pillars_utils::validate::{required, Rule};
/// assert!(required().check(&Some(0)).is_ok());
/// assert_eq!(required().check(&None::<u8>).unwrap_err().violations()[0].code(), "required");
/// ```
#[must_use]
pub fn required() -> Required<Pass> {
    Required { inner: Pass }
}

/// Presence, then `rule` on the present value.
///
/// ```
/// use pillars_utils::validate::{email, required_and, Rule};
/// let r = required_and(email());
/// assert!(r.check(&Some("a@example.com".to_owned())).is_ok());
/// assert!(r.check(&None::<String>).is_err());
/// ```
pub fn required_and<R>(rule: R) -> Required<R> {
    Required { inner: rule }
}

/// See [`required`].
#[derive(Debug, Clone)]
pub struct Required<R> {
    inner: R,
}

impl<T, R: Rule<T>> Rule<Option<T>> for Required<R> {
    fn check(&self, value: &Option<T>) -> Result<(), Error> {
        match value {
            Some(v) => self.inner.check(v),
            None => Err(Violation::new("required").into()),
        }
    }
}

/// `rule` on the value when present; absence is fine.
///
/// ```
/// use pillars_utils::validate::{email, optional, Rule};
/// assert!(optional(email()).check(&None::<String>).is_ok());
/// assert!(optional(email()).check(&Some("x".to_owned())).is_err());
/// ```
pub fn optional<R>(rule: R) -> Optional<R> {
    Optional { inner: rule }
}

/// See [`optional`].
#[derive(Debug, Clone)]
pub struct Optional<R> {
    inner: R,
}

impl<T, R: Rule<T>> Rule<Option<T>> for Optional<R> {
    fn check(&self, value: &Option<T>) -> Result<(), Error> {
        match value {
            Some(v) => self.inner.check(v),
            None => Ok(()),
        }
    }
}

fn bounds_usize(r: &impl RangeBounds<usize>) -> (usize, Option<usize>) {
    let min = match r.start_bound() {
        Bound::Included(&n) => n,
        Bound::Excluded(&n) => n.saturating_add(1),
        Bound::Unbounded => 0,
    };
    let max = match r.end_bound() {
        Bound::Included(&n) => Some(n),
        // `..0` admits nothing: encode as min 1, max 0.
        Bound::Excluded(&0) => return (min.max(1), Some(0)),
        Bound::Excluded(&n) => Some(n - 1),
        Bound::Unbounded => None,
    };
    (min, max)
}

/// How [`length`] measures a string.
///
/// ```
/// use pillars_utils::validate::LengthMode;
/// assert_eq!(LengthMode::Graphemes.measure("e\u{301}👍🏽"), 2);
/// assert_eq!(LengthMode::Chars.measure("e\u{301}👍🏽"), 4);
/// assert_eq!(LengthMode::Utf16.measure("👍"), 2);
/// assert_eq!(LengthMode::Bytes.measure("é"), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LengthMode {
    /// UTF-8 bytes (database column limits in bytes).
    Bytes,
    /// Unicode scalar values (the default; what `validator` counts).
    #[default]
    Chars,
    /// Extended grapheme clusters: what a user sees as characters.
    Graphemes,
    /// UTF-16 code units (JavaScript `.length`, Java, SQL Server `nvarchar`).
    Utf16,
}

impl LengthMode {
    /// The length of `s` in this unit.
    ///
    /// ```
    /// use pillars_utils::validate::LengthMode;
    /// assert_eq!(LengthMode::Chars.measure("abc"), 3);
    /// ```
    #[must_use]
    pub fn measure(self, s: &str) -> usize {
        match self {
            Self::Bytes => s.len(),
            Self::Chars => s.chars().count(),
            Self::Graphemes => {
                unicode_segmentation::UnicodeSegmentation::graphemes(s, true).count()
            }
            Self::Utf16 => s.encode_utf16().count(),
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Self::Bytes => "bytes",
            Self::Chars => "chars",
            Self::Graphemes => "graphemes",
            Self::Utf16 => "utf16_units",
        }
    }
}

/// String length within `range`, counted in chars unless another
/// [`LengthMode`] is chosen. Code `length`, params `min`, `max`, `unit`.
///
/// ```
/// use pillars_utils::validate::{length, LengthMode, Rule};
/// assert!(length(..=2).check("👍🏽").is_ok());           // 2 chars
/// assert!(length(..=1).mode(LengthMode::Graphemes).check("👍🏽").is_ok());
/// assert!(length(..=3).utf16().check("👍🏽").is_err());   // 4 units
/// ```
pub fn length(range: impl RangeBounds<usize>) -> Length {
    let (min, max) = bounds_usize(&range);
    Length {
        min,
        max,
        mode: LengthMode::Chars,
    }
}

/// See [`length`].
#[derive(Debug, Clone, Copy)]
pub struct Length {
    min: usize,
    max: Option<usize>,
    mode: LengthMode,
}

impl Length {
    /// Chooses the unit.
    ///
    /// ```
    /// use pillars_utils::validate::{length, LengthMode, Rule};
    /// assert!(length(..=1).mode(LengthMode::Bytes).check("é").is_err());
    /// ```
    #[must_use]
    pub fn mode(mut self, mode: LengthMode) -> Self {
        self.mode = mode;
        self
    }
    /// Counts bytes.
    ///
    /// ```
    /// use pillars_utils::validate::{length, Rule};
    /// assert!(length(2..=2).bytes().check("é").is_ok());
    /// ```
    #[must_use]
    pub fn bytes(self) -> Self {
        self.mode(LengthMode::Bytes)
    }
    /// Counts grapheme clusters.
    ///
    /// ```
    /// use pillars_utils::validate::{length, Rule};
    /// assert!(length(1..=1).graphemes().check("e\u{301}").is_ok());
    /// ```
    #[must_use]
    pub fn graphemes(self) -> Self {
        self.mode(LengthMode::Graphemes)
    }
    /// Counts UTF-16 code units.
    ///
    /// ```
    /// use pillars_utils::validate::{length, Rule};
    /// assert!(length(2..=2).utf16().check("😀").is_ok());
    /// ```
    #[must_use]
    pub fn utf16(self) -> Self {
        self.mode(LengthMode::Utf16)
    }
}

impl<S: AsRef<str> + ?Sized> Rule<S> for Length {
    fn check(&self, value: &S) -> Result<(), Error> {
        let s = value.as_ref();
        // Cheap bounds first: chars/graphemes <= bytes, utf16 <= bytes.
        if self.min == 0 && self.max.is_none_or(|m| s.len() <= m) {
            return Ok(());
        }
        let n = self.mode.measure(s);
        if n >= self.min && self.max.is_none_or(|m| n <= m) {
            return Ok(());
        }
        let mut v = Violation::new("length");
        limits(&mut v, self.min, self.max);
        v.push_static_param("unit", self.mode.unit());
        Err(v.into())
    }
}

fn limits(v: &mut Violation, min: usize, max: Option<usize>) {
    if min > 0 {
        v.push_param("min", &min);
    }
    if let Some(m) = max {
        v.push_param("max", &m);
    }
}

/// A collection whose elements [`count`] counts and [`each`] visits.
///
/// ```
/// use pillars_utils::validate::Collection;
/// assert_eq!(vec![1, 2].count(), 2);
/// ```
pub trait Collection {
    /// The element type.
    type Item;
    /// How many elements.
    fn count(&self) -> usize;
    /// The elements, in iteration order.
    fn elements(&self) -> impl Iterator<Item = &Self::Item>;
}

impl<T> Collection for [T] {
    type Item = T;
    fn count(&self) -> usize {
        self.len()
    }
    fn elements(&self) -> impl Iterator<Item = &T> {
        self.iter()
    }
}
impl<T, const N: usize> Collection for [T; N] {
    type Item = T;
    fn count(&self) -> usize {
        N
    }
    fn elements(&self) -> impl Iterator<Item = &T> {
        self.iter()
    }
}
impl<T> Collection for Vec<T> {
    type Item = T;
    fn count(&self) -> usize {
        self.len()
    }
    fn elements(&self) -> impl Iterator<Item = &T> {
        self.iter()
    }
}
impl<T> Collection for VecDeque<T> {
    type Item = T;
    fn count(&self) -> usize {
        self.len()
    }
    fn elements(&self) -> impl Iterator<Item = &T> {
        self.iter()
    }
}
impl<T, S> Collection for HashSet<T, S> {
    type Item = T;
    fn count(&self) -> usize {
        self.len()
    }
    fn elements(&self) -> impl Iterator<Item = &T> {
        self.iter()
    }
}
impl<T> Collection for BTreeSet<T> {
    type Item = T;
    fn count(&self) -> usize {
        self.len()
    }
    fn elements(&self) -> impl Iterator<Item = &T> {
        self.iter()
    }
}

/// Number of elements within `range` (code `count`, params `min`, `max`).
///
/// ```
/// use pillars_utils::validate::{count, Rule};
/// assert!(count(1..=3).check(&vec![1, 2]).is_ok());
/// assert!(count(1..).check(&Vec::<u8>::new()).is_err());
/// ```
pub fn count(range: impl RangeBounds<usize>) -> Count {
    let (min, max) = bounds_usize(&range);
    Count { min, max }
}

/// See [`count`].
#[derive(Debug, Clone, Copy)]
pub struct Count {
    min: usize,
    max: Option<usize>,
}

impl<C: Collection + ?Sized> Rule<C> for Count {
    fn check(&self, value: &C) -> Result<(), Error> {
        let n = value.count();
        if n >= self.min && self.max.is_none_or(|m| n <= m) {
            Ok(())
        } else {
            let mut v = Violation::new("count");
            limits(&mut v, self.min, self.max);
            Err(v.into())
        }
    }
}

impl<K, V, S> Collection for HashMap<K, V, S> {
    type Item = V;
    fn count(&self) -> usize {
        self.len()
    }
    fn elements(&self) -> impl Iterator<Item = &V> {
        self.values()
    }
}
impl<K, V> Collection for BTreeMap<K, V> {
    type Item = V;
    fn count(&self) -> usize {
        self.len()
    }
    fn elements(&self) -> impl Iterator<Item = &V> {
        self.values()
    }
}

/// A value within `range` (any `PartialOrd` type; NaN is always out).
/// Code `range`, params `min` / `max` and `exclusive_min` / `exclusive_max`
/// for open ends.
///
/// ```
/// use pillars_utils::validate::{range, Rule};
/// assert!(range(0.0..1.0).check(&0.5).is_ok());
/// assert!(range(0.0..1.0).check(&1.0).is_err());
/// assert!(range(0.0..1.0).check(&f64::NAN).is_err());
/// ```
pub fn range<T: PartialOrd + Clone>(range: impl RangeBounds<T>) -> InRange<T> {
    InRange {
        start: range.start_bound().cloned(),
        end: range.end_bound().cloned(),
    }
}

/// See [`range`].
#[derive(Debug, Clone)]
pub struct InRange<T> {
    start: Bound<T>,
    end: Bound<T>,
}

impl<T: PartialOrd + Serialize> Rule<T> for InRange<T> {
    fn check(&self, value: &T) -> Result<(), Error> {
        if (self.start.as_ref(), self.end.as_ref()).contains(value) {
            return Ok(());
        }
        let mut v = Violation::new("range");
        match &self.start {
            Bound::Included(m) => v.push_param("min", m),
            Bound::Excluded(m) => {
                v.push_param("min", m);
                v.push_param("exclusive_min", &true);
            }
            Bound::Unbounded => {}
        }
        match &self.end {
            Bound::Included(m) => v.push_param("max", m),
            Bound::Excluded(m) => {
                v.push_param("max", m);
                v.push_param("exclusive_max", &true);
            }
            Bound::Unbounded => {}
        }
        Err(v.into())
    }
}

/// The value equals one of `allowed` (code `one_of`, param `allowed`).
///
/// ```
/// use pillars_utils::validate::{one_of, Rule};
/// assert!(one_of(["a", "b"]).check(&"a".to_owned()).is_ok());
/// assert!(one_of([1, 2]).check(&3).is_err());
/// ```
pub fn one_of<U>(allowed: impl IntoIterator<Item = U>) -> OneOf<U> {
    OneOf {
        allowed: allowed.into_iter().collect(),
        negate: false,
    }
}

/// The value equals none of `forbidden` (code `not_one_of`).
///
/// ```
/// use pillars_utils::validate::{not_one_of, Rule};
/// assert!(not_one_of(["root", "admin"]).check(&"ada".to_owned()).is_ok());
/// assert!(not_one_of(["root", "admin"]).check(&"root".to_owned()).is_err());
/// ```
pub fn not_one_of<U>(forbidden: impl IntoIterator<Item = U>) -> OneOf<U> {
    OneOf {
        allowed: forbidden.into_iter().collect(),
        negate: true,
    }
}

/// See [`one_of`] and [`not_one_of`].
#[derive(Debug, Clone)]
pub struct OneOf<U> {
    allowed: Vec<U>,
    negate: bool,
}

impl<T: PartialEq<U> + ?Sized, U: Serialize> Rule<T> for OneOf<U> {
    fn check(&self, value: &T) -> Result<(), Error> {
        let found = self.allowed.iter().any(|a| value == a);
        match (found, self.negate) {
            (true, false) | (false, true) => Ok(()),
            (false, false) => Err(Violation::new("one_of")
                .with_param("allowed", &self.allowed)
                .into()),
            (true, true) => Err(Violation::new("not_one_of").into()),
        }
    }
}

/// The whole string matches `regex` somewhere (anchor it with `^...$` for a
/// full match). Code `matches`, param `pattern`.
///
/// ```
/// use pillars_utils::validate::{matches, Rule};
/// let sku = matches(regex::Regex::new(r"^[A-Z]{3}-\d{4}$").unwrap());
/// assert!(sku.check("ABC-1234").is_ok());
/// assert!(sku.check("abc-1234").is_err());
/// ```
#[must_use]
pub fn matches(regex: Regex) -> Matches {
    Matches { regex }
}

/// See [`matches()`].
#[derive(Debug, Clone)]
pub struct Matches {
    regex: Regex,
}

impl<S: AsRef<str> + ?Sized> Rule<S> for Matches {
    fn check(&self, value: &S) -> Result<(), Error> {
        if self.regex.is_match(value.as_ref()) {
            Ok(())
        } else {
            Err(Violation::new("matches")
                .with_param("pattern", self.regex.as_str())
                .into())
        }
    }
}

/// `rule` on every element; paths get the element's index.
///
/// ```
/// use pillars_utils::validate::{each, range, Rule};
/// let e = each(range(0..10)).check(&vec![1, 20, 3, 40]).unwrap_err();
/// assert_eq!(e.violations()[1].path().to_string(), "[3]");
/// ```
pub fn each<R>(rule: R) -> Each<R> {
    Each { rule }
}

/// See [`each`].
#[derive(Debug, Clone)]
pub struct Each<R> {
    rule: R,
}

impl<C: Collection + ?Sized, R: Rule<C::Item>> Rule<C> for Each<R> {
    fn check(&self, value: &C) -> Result<(), Error> {
        let mut out = Vec::new();
        for (i, item) in value.elements().enumerate() {
            if let Err(e) = self.rule.check(item) {
                out.extend(
                    e.into_violations()
                        .into_iter()
                        .map(|v| v.at(PathSegment::Index(i))),
                );
            }
        }
        if out.is_empty() {
            Ok(())
        } else {
            Err(out.into())
        }
    }
}

/// A map: [`keys`] and [`values`] check its entries.
///
/// ```
/// use pillars_utils::validate::Map;
/// let m: std::collections::BTreeMap<&str, u8> = [("a", 1)].into();
/// assert_eq!(m.entries().count(), 1);
/// ```
pub trait Map {
    /// The key type.
    type Key;
    /// The value type.
    type Value;
    /// The entries, in iteration order.
    fn entries(&self) -> impl Iterator<Item = (&Self::Key, &Self::Value)>;
}

impl<K, V, S> Map for HashMap<K, V, S> {
    type Key = K;
    type Value = V;
    fn entries(&self) -> impl Iterator<Item = (&K, &V)> {
        self.iter()
    }
}
impl<K, V> Map for BTreeMap<K, V> {
    type Key = K;
    type Value = V;
    fn entries(&self) -> impl Iterator<Item = (&K, &V)> {
        self.iter()
    }
}

/// `rule` on every key of a map; paths get the key.
///
/// ```
/// use pillars_utils::validate::{keys, length, Rule};
/// let m: std::collections::BTreeMap<String, u8> = [("ok".into(), 1), ("".into(), 2)].into();
/// let e = keys(length(1..)).check(&m).unwrap_err();
/// assert_eq!(e.violations()[0].path().to_string(), "[\"\"]");
/// ```
pub fn keys<R>(rule: R) -> Keys<R> {
    Keys { rule }
}

/// See [`keys`].
#[derive(Debug, Clone)]
pub struct Keys<R> {
    rule: R,
}

impl<M: Map + ?Sized, R: Rule<M::Key>> Rule<M> for Keys<R>
where
    M::Key: Display,
{
    fn check(&self, value: &M) -> Result<(), Error> {
        check_entries(value.entries().map(|(k, _)| (k, self.rule.check(k))))
    }
}

/// Gathers the violations of a map's entries, each under its key's path.
fn check_entries<'a, K: Display + ?Sized + 'a>(
    results: impl Iterator<Item = (&'a K, Result<(), Error>)>,
) -> Result<(), Error> {
    let mut out = Vec::new();
    for (k, result) in results {
        if let Err(e) = result {
            let seg = PathSegment::Key(k.to_string());
            out.extend(e.into_violations().into_iter().map(|v| v.at(seg.clone())));
        }
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(out.into())
    }
}

/// `rule` on every value of a map; paths get the key.
///
/// ```
/// use pillars_utils::validate::{values, range, Rule};
/// let m: std::collections::BTreeMap<&str, i32> = [("a", 1), ("b", 99)].into();
/// let e = values(range(0..10)).check(&m).unwrap_err();
/// assert_eq!(e.violations()[0].path().to_string(), "[\"b\"]");
/// ```
pub fn values<R>(rule: R) -> Values<R> {
    Values { rule }
}

/// See [`values`].
#[derive(Debug, Clone)]
pub struct Values<R> {
    rule: R,
}

impl<M: Map + ?Sized, R: Rule<M::Value>> Rule<M> for Values<R>
where
    M::Key: Display,
{
    fn check(&self, value: &M) -> Result<(), Error> {
        check_entries(value.entries().map(|(k, v)| (k, self.rule.check(v))))
    }
}

/// `rule` only when `condition` holds; else the [`When::otherwise`] rule
/// (none by default).
///
/// ```
/// use pillars_utils::validate::{length, required, when, Rule};
/// let is_company = true;
/// let vat: Option<String> = None;
/// assert!(when(is_company, required()).check(&vat).is_err());
/// assert!(when(false, required()).otherwise(pass_if_none()).check(&vat).is_ok());
/// # fn pass_if_none() -> pillars_utils::validate::Pass { pillars_utils::validate::pass() }
/// ```
pub fn when<R>(condition: bool, rule: R) -> When<R, Pass> {
    When {
        condition,
        then: rule,
        otherwise: Pass,
    }
}

/// See [`when`].
#[derive(Debug, Clone)]
pub struct When<R, E> {
    condition: bool,
    then: R,
    otherwise: E,
}

impl<R, E> When<R, E> {
    /// The rule checked when the condition is false.
    ///
    /// ```
    /// use pillars_utils::validate::{length, when, Rule};
    /// let r = when(false, length(1..=2)).otherwise(length(3..));
    /// assert!(r.check("abc").is_ok());
    /// ```
    pub fn otherwise<E2>(self, rule: E2) -> When<R, E2> {
        When {
            condition: self.condition,
            then: self.then,
            otherwise: rule,
        }
    }
}

impl<T: ?Sized, R: Rule<T>, E: Rule<T>> Rule<T> for When<R, E> {
    fn check(&self, value: &T) -> Result<(), Error> {
        if self.condition {
            self.then.check(value)
        } else {
            self.otherwise.check(value)
        }
    }
}

/// A predicate as a rule: fails with `code` when `predicate` is false.
///
/// ```
/// use pillars_utils::validate::{custom, Rule};
/// let even = custom("even", |n: &i32| n % 2 == 0);
/// assert!(even.check(&4).is_ok());
/// assert_eq!(even.check(&3).unwrap_err().violations()[0].code(), "even");
/// ```
pub fn custom<T: ?Sized, F: Fn(&T) -> bool>(
    code: impl Into<Cow<'static, str>>,
    predicate: F,
) -> Custom<T, F> {
    Custom {
        code: code.into(),
        f: predicate,
        _t: PhantomData,
    }
}

/// See [`custom`].
pub struct Custom<T: ?Sized, F> {
    code: Cow<'static, str>,
    f: F,
    _t: PhantomData<fn(&T)>,
}

impl<T: ?Sized, F: Fn(&T) -> bool> Rule<T> for Custom<T, F> {
    fn check(&self, value: &T) -> Result<(), Error> {
        if (self.f)(value) {
            Ok(())
        } else {
            Err(Violation::new(self.code.clone()).into())
        }
    }
}

/// A function with full control as a rule (return any violations).
///
/// ```
/// use pillars_utils::validate::{func, Rule, Violation};
/// let r = func(|s: &str| if s.contains(' ') { Err(Violation::new("no_spaces").into()) } else { Ok(()) });
/// assert!(r.check("a b").is_err());
/// ```
pub fn func<T: ?Sized, F: Fn(&T) -> Result<(), Error>>(f: F) -> Func<T, F> {
    Func { f, _t: PhantomData }
}

/// See [`func`].
pub struct Func<T: ?Sized, F> {
    f: F,
    _t: PhantomData<fn(&T)>,
}

impl<T: ?Sized, F: Fn(&T) -> Result<(), Error>> Rule<T> for Func<T, F> {
    fn check(&self, value: &T) -> Result<(), Error> {
        (self.f)(value)
    }
}

/// Validates a nested value through its [`Validatable`] impl; its paths go
/// under the field's.
///
/// ```
/// use pillars_utils::validate::{length, nested, Error, Validatable, Validation};
///
/// struct Address { city: String }
/// impl Validatable for Address {
///     fn validate(&self) -> Result<(), Error> {
///         Validation::new().field("city", &self.city, length(1..)).finish()
///     }
/// }
/// let home = Address { city: String::new() };
/// let e = Validation::new().field("home", &home, nested()).finish().unwrap_err();
/// assert_eq!(e.violations()[0].path().to_string(), "home.city");
/// ```
#[must_use]
pub fn nested() -> Nested {
    Nested
}

/// See [`nested`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Nested;

impl<T: Validatable + ?Sized> Rule<T> for Nested {
    fn check(&self, value: &T) -> Result<(), Error> {
        value.validate()
    }
}
