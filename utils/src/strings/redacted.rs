//! [`Redacted<T>`]: a value that never shows itself in logs.

use std::fmt;

/// Wraps a secret so that `Debug`, `Display` and serde's `Serialize` print
/// `[REDACTED]` instead of the value. Reach the value on purpose with
/// [`expose`](Redacted::expose) or [`into_inner`](Redacted::into_inner).
///
/// There is no `Deref`: using the secret is always visible in the code.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::{stringify, Redacted};
///
/// #[derive(Debug, serde::Serialize)]
/// struct Db { url: String, dsn_password: Redacted<String>, note: Redacted<&'static str> }
///
/// let db = Db { url: "pg://db".into(), dsn_password: Redacted::new("s3cret".into()), note: "x".into() };
/// assert_eq!(format!("{db:?}"), r#"Db { url: "pg://db", dsn_password: [REDACTED], note: [REDACTED] }"#);
/// assert_eq!(stringify(&db), r#"Db{url: "pg://db", dsn_password: "[REDACTED]", note: "[REDACTED]"}"#);
/// assert_eq!(db.dsn_password.expose(), "s3cret");
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Redacted<T>(T);

impl<T> Redacted<T> {
    /// The text every formatter prints instead of the value.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::Redacted;
    ///
    /// assert_eq!(Redacted::new(1).to_string(), Redacted::<u8>::TEXT);
    /// ```
    pub const TEXT: &'static str = "[REDACTED]";

    /// Wraps `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::Redacted;
    ///
    /// let token = Redacted::new("abc");
    /// assert_eq!(format!("{token} {token:?} {token:#?}"), "[REDACTED] [REDACTED] [REDACTED]");
    /// ```
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The wrapped value, on purpose.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::Redacted;
    ///
    /// assert_eq!(*Redacted::new(7).expose(), 7);
    /// ```
    pub const fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the value.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::Redacted;
    ///
    /// assert_eq!(Redacted::new(String::from("k")).into_inner(), "k");
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Redacted<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::TEXT)
    }
}

impl<T> fmt::Display for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::TEXT)
    }
}

impl<T> serde::Serialize for Redacted<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(Self::TEXT)
    }
}

#[cfg(test)]
mod tests {
    use super::Redacted;

    #[test]
    fn never_shows_the_value() {
        let r = Redacted::new("hunter2");
        for s in [
            format!("{r}"),
            format!("{r:?}"),
            format!("{r:#?}"),
            format!("{r:>20}"),
            format!("{:?}", Some(r)),
            serde_json::to_string(&r).unwrap_or_default(),
        ] {
            assert!(!s.contains("hunter2"), "{s}");
            assert!(s.contains("[REDACTED]"), "{s}");
        }
    }
}
