//! Go `Stringify`-style one-line rendering of any `Serialize` value, with
//! fields whose names look like secrets redacted.
//!
//! The format, value by value:
//!
//! | value | rendering |
//! | --- | --- |
//! | struct | `Type{field: value, other: value}` (`Type{}` when empty) |
//! | tuple struct / newtype struct | `Type(a, b)` / `Type(a)` |
//! | unit struct | `Type` |
//! | enum variants | `Variant`, `Variant(a)`, `Variant(a, b)`, `Variant{field: value}` |
//! | sequence / tuple | `[a, b]` / `(a, b)` |
//! | map | `{key: value}` |
//! | string / char | quoted and escaped as Rust's `Debug` does: `"a\"b\n"`, `'c'` |
//! | bytes | `b"..."` with non-printable bytes escaped |
//! | `None`, `()` | skipped in struct fields and map values (Go skips `nil`); written `None` / `()` elsewhere |
//!
//! A struct field or map entry is redacted (its value written `"[REDACTED]"`)
//! when its name, lower-cased with everything but letters and digits removed,
//! *contains* one of the secret names ([`StringifyOptions::DEFAULT_SECRET_NAMES`]
//! by default): `password`, `db_password`, `X-Api-Key`, `accessToken` and
//! `Authorization` all match. Matching by containment errs on the side of
//! hiding (`session_count` is hidden too); set your own list with
//! [`StringifyOptions::secret_names`].

use std::fmt::{self, Write as _};

use serde::ser::{self, Serialize};

use super::Error;

/// The text written in place of a redacted value (quoted in the output).
const REDACTED: &str = "[REDACTED]";

/// Options for [`stringify_with`] and [`try_stringify`].
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::{stringify_with, StringifyOptions};
///
/// #[derive(serde::Serialize)]
/// struct Row { id: u32, pin: u16 }
///
/// let opts = StringifyOptions::default().secret_names(["pin"]);
/// assert_eq!(stringify_with(&Row { id: 7, pin: 1234 }, &opts), r#"Row{id: 7, pin: "[REDACTED]"}"#);
/// ```
#[derive(Debug, Clone)]
pub struct StringifyOptions {
    /// Normalized (lower-case, letters and digits only) secret names.
    secret_names: Vec<String>,
}

impl StringifyOptions {
    /// The secret names used by default. A field is redacted when its
    /// normalized name contains one of them.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::StringifyOptions;
    ///
    /// assert!(StringifyOptions::DEFAULT_SECRET_NAMES.contains(&"password"));
    /// ```
    pub const DEFAULT_SECRET_NAMES: &'static [&'static str] = &[
        "password",
        "passwd",
        "passphrase",
        "pwd",
        "token",
        "secret",
        "authorization",
        "apikey",
        "accesskey",
        "privatekey",
        "cookie",
        "session",
        "credential",
        "signature",
        "otp",
        "pin",
        "cvv",
        "ssn",
    ];

    /// Replaces the list of secret names. Each name is normalized the same
    /// way field names are (lower-cased, separators removed), so `"api_key"`,
    /// `"API-KEY"` and `"apiKey"` are the same name. Empty names are ignored
    /// (they would match every field).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::{stringify_with, StringifyOptions};
    ///
    /// #[derive(serde::Serialize)]
    /// struct Cfg { password: &'static str, license_key: &'static str }
    ///
    /// let opts = StringifyOptions::default().secret_names(["License-Key"]);
    /// let cfg = Cfg { password: "pw", license_key: "K-1" };
    /// assert_eq!(stringify_with(&cfg, &opts), r#"Cfg{password: "pw", license_key: "[REDACTED]"}"#);
    /// ```
    #[must_use]
    pub fn secret_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.secret_names = normalize_all(names);
        self
    }

    /// Adds names to the current list of secret names.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::{stringify_with, StringifyOptions};
    ///
    /// #[derive(serde::Serialize)]
    /// struct Cfg { password: &'static str, iban: &'static str }
    ///
    /// let opts = StringifyOptions::default().add_secret_names(["iban"]);
    /// let cfg = Cfg { password: "pw", iban: "DE89" };
    /// assert_eq!(stringify_with(&cfg, &opts), r#"Cfg{password: "[REDACTED]", iban: "[REDACTED]"}"#);
    /// ```
    #[must_use]
    pub fn add_secret_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.secret_names.extend(normalize_all(names));
        self
    }

    /// Whether a field or map key with this name is redacted.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::StringifyOptions;
    ///
    /// let opts = StringifyOptions::default();
    /// assert!(opts.is_secret("X-Api-Key"));
    /// assert!(opts.is_secret("dbPassword"));
    /// assert!(!opts.is_secret("user_name"));
    /// ```
    #[must_use]
    pub fn is_secret(&self, name: &str) -> bool {
        let name = normalize(name);
        self.secret_names.iter().any(|s| name.contains(s.as_str()))
    }
}

impl Default for StringifyOptions {
    fn default() -> Self {
        Self {
            secret_names: normalize_all(Self::DEFAULT_SECRET_NAMES),
        }
    }
}

fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn normalize_all<I, S>(names: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    names
        .into_iter()
        .map(|n| normalize(n.as_ref()))
        .filter(|n| !n.is_empty())
        .collect()
}

/// Renders `value` on one line, Go `Stringify` style, with the default
/// secret names redacted.
///
/// Never panics on its own; if the value's `Serialize` implementation fails,
/// the text rendered so far is returned followed by `<error: ...>`. Use
/// [`try_stringify`] to get the error instead.
///
/// # Examples
///
/// ```
/// use std::collections::BTreeMap;
/// use pillars_utils::strings::stringify;
///
/// #[derive(serde::Serialize)]
/// struct Req { method: &'static str, tags: Vec<&'static str>, headers: BTreeMap<&'static str, &'static str>, body: Option<String> }
///
/// let headers = BTreeMap::from([("Accept", "*/*"), ("Authorization", "Bearer abc")]);
/// let req = Req { method: "GET", tags: vec!["a", "b\"c"], headers, body: None };
/// assert_eq!(
///     stringify(&req),
///     r#"Req{method: "GET", tags: ["a", "b\"c"], headers: {"Accept": "*/*", "Authorization": "[REDACTED]"}}"#,
/// );
/// ```
pub fn stringify<T: Serialize + ?Sized>(value: &T) -> String {
    stringify_with(value, &StringifyOptions::default())
}

/// [`stringify()`] with your own options.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::{stringify_with, StringifyOptions};
///
/// let opts = StringifyOptions::default().secret_names(Vec::<&str>::new());
/// #[derive(serde::Serialize)]
/// struct Login { password: &'static str }
/// assert_eq!(stringify_with(&Login { password: "pw" }, &opts), r#"Login{password: "pw"}"#);
/// ```
pub fn stringify_with<T: Serialize + ?Sized>(value: &T, options: &StringifyOptions) -> String {
    let mut out = String::new();
    let mut ser = Stringifier {
        out: &mut out,
        opts: options,
    };
    if let Err(e) = value.serialize(&mut ser) {
        let _ = write!(out, "<error: {}>", e.0);
    }
    out
}

/// [`stringify_with`] that returns the value's serialization error instead
/// of rendering it.
///
/// # Errors
///
/// [`Error::Serialize`] when the value's `Serialize` implementation fails
/// (for example a `RefCell` that is mutably borrowed, or a custom
/// implementation calling `S::Error::custom`).
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::{try_stringify, Error, StringifyOptions};
///
/// struct Broken;
/// impl serde::Serialize for Broken {
///     fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
///         Err(serde::ser::Error::custom("nope"))
///     }
/// }
/// let opts = StringifyOptions::default();
/// assert!(matches!(try_stringify(&Broken, &opts), Err(Error::Serialize(_))));
/// assert_eq!(try_stringify(&(1, "a"), &opts).unwrap(), r#"(1, "a")"#);
/// ```
pub fn try_stringify<T: Serialize + ?Sized>(
    value: &T,
    options: &StringifyOptions,
) -> Result<String, Error> {
    let mut out = String::new();
    let mut ser = Stringifier {
        out: &mut out,
        opts: options,
    };
    match value.serialize(&mut ser) {
        Ok(_) => Ok(out),
        Err(e) => Err(Error::Serialize(e.0)),
    }
}

/// The serializer's error: the message of the value's own error.
#[derive(Debug)]
struct SerError(String);

impl fmt::Display for SerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self(msg.to_string())
    }
}

/// Writes into `out`. `Ok(true)` when something was written, `Ok(false)`
/// for `None` and `()`, which struct fields and map values skip.
struct Stringifier<'a> {
    out: &'a mut String,
    opts: &'a StringifyOptions,
}

impl Stringifier<'_> {
    fn push_display(&mut self, v: impl fmt::Display) -> bool {
        // Writing to a String never fails.
        let _ = write!(self.out, "{v}");
        true
    }

    fn open<'b>(&'b mut self, prefix: &str, open: &str, close: &'static str) -> Compound<'b> {
        self.out.push_str(prefix);
        self.out.push_str(open);
        Compound {
            out: self.out,
            opts: self.opts,
            first: true,
            close,
            entry_start: 0,
            redact_value: false,
        }
    }
}

/// Renders `value` with `opts` into a fresh string: used to learn whether a
/// redacted field would be skipped, without writing the secret anywhere
/// that outlives this call.
fn is_skipped<T: Serialize + ?Sized>(value: &T, opts: &StringifyOptions) -> Result<bool, SerError> {
    let mut scratch = String::new();
    let written = value.serialize(&mut Stringifier {
        out: &mut scratch,
        opts,
    })?;
    Ok(!written)
}

impl<'b, 'a: 'b> ser::Serializer for &'b mut Stringifier<'a> {
    type Ok = bool;
    type Error = SerError;
    type SerializeSeq = Compound<'b>;
    type SerializeTuple = Compound<'b>;
    type SerializeTupleStruct = Compound<'b>;
    type SerializeTupleVariant = Compound<'b>;
    type SerializeMap = Compound<'b>;
    type SerializeStruct = Compound<'b>;
    type SerializeStructVariant = Compound<'b>;

    fn serialize_bool(self, v: bool) -> Result<bool, SerError> {
        Ok(self.push_display(v))
    }
    fn serialize_i8(self, v: i8) -> Result<bool, SerError> {
        Ok(self.push_display(v))
    }
    fn serialize_i16(self, v: i16) -> Result<bool, SerError> {
        Ok(self.push_display(v))
    }
    fn serialize_i32(self, v: i32) -> Result<bool, SerError> {
        Ok(self.push_display(v))
    }
    fn serialize_i64(self, v: i64) -> Result<bool, SerError> {
        Ok(self.push_display(v))
    }
    fn serialize_i128(self, v: i128) -> Result<bool, SerError> {
        Ok(self.push_display(v))
    }
    fn serialize_u8(self, v: u8) -> Result<bool, SerError> {
        Ok(self.push_display(v))
    }
    fn serialize_u16(self, v: u16) -> Result<bool, SerError> {
        Ok(self.push_display(v))
    }
    fn serialize_u32(self, v: u32) -> Result<bool, SerError> {
        Ok(self.push_display(v))
    }
    fn serialize_u64(self, v: u64) -> Result<bool, SerError> {
        Ok(self.push_display(v))
    }
    fn serialize_u128(self, v: u128) -> Result<bool, SerError> {
        Ok(self.push_display(v))
    }
    fn serialize_f32(self, v: f32) -> Result<bool, SerError> {
        Ok(self.push_display(v))
    }
    fn serialize_f64(self, v: f64) -> Result<bool, SerError> {
        Ok(self.push_display(v))
    }
    fn serialize_char(self, v: char) -> Result<bool, SerError> {
        Ok(self.push_display(format_args!("{v:?}")))
    }
    fn serialize_str(self, v: &str) -> Result<bool, SerError> {
        Ok(self.push_display(format_args!("{v:?}")))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<bool, SerError> {
        Ok(self.push_display(format_args!("b\"{}\"", v.escape_ascii())))
    }
    fn serialize_none(self) -> Result<bool, SerError> {
        self.out.push_str("None");
        Ok(false)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<bool, SerError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<bool, SerError> {
        self.out.push_str("()");
        Ok(false)
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<bool, SerError> {
        self.out.push_str(name);
        Ok(true)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<bool, SerError> {
        self.out.push_str(variant);
        Ok(true)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<bool, SerError> {
        self.out.push_str(name);
        self.out.push('(');
        value.serialize(&mut *self)?;
        self.out.push(')');
        Ok(true)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<bool, SerError> {
        self.serialize_newtype_struct(variant, value)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'b>, SerError> {
        Ok(self.open("", "[", "]"))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Compound<'b>, SerError> {
        Ok(self.open("", "(", ")"))
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        _len: usize,
    ) -> Result<Compound<'b>, SerError> {
        Ok(self.open(name, "(", ")"))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'b>, SerError> {
        Ok(self.open(variant, "(", ")"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'b>, SerError> {
        Ok(self.open("", "{", "}"))
    }
    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Compound<'b>, SerError> {
        Ok(self.open(name, "{", "}"))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'b>, SerError> {
        Ok(self.open(variant, "{", "}"))
    }
}

/// A sequence, tuple, map or struct being written.
struct Compound<'b> {
    out: &'b mut String,
    opts: &'b StringifyOptions,
    first: bool,
    close: &'static str,
    /// Where the current map entry started, to drop it if its value is skipped.
    entry_start: usize,
    /// Whether the current map key names a secret.
    redact_value: bool,
}

impl Compound<'_> {
    fn separator(&mut self) {
        if !self.first {
            self.out.push_str(", ");
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.separator();
        self.first = false;
        value.serialize(&mut Stringifier {
            out: self.out,
            opts: self.opts,
        })?;
        Ok(())
    }

    /// Writes `, name: value` and returns whether the entry was kept.
    fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), SerError> {
        let start = self.out.len();
        self.separator();
        self.out.push_str(name);
        self.out.push_str(": ");
        self.value(start, self.opts.is_secret(name), value)
    }

    fn value<T: Serialize + ?Sized>(
        &mut self,
        entry_start: usize,
        redact: bool,
        value: &T,
    ) -> Result<(), SerError> {
        let written = if redact {
            let written = !is_skipped(value, self.opts)?;
            if written {
                self.out.push('"');
                self.out.push_str(REDACTED);
                self.out.push('"');
            }
            written
        } else {
            value.serialize(&mut Stringifier {
                out: self.out,
                opts: self.opts,
            })?
        };
        if written {
            self.first = false;
        } else {
            self.out.truncate(entry_start);
        }
        Ok(())
    }

    fn finish(self) -> bool {
        self.out.push_str(self.close);
        true
    }
}

/// The four sequence-like `Serialize*` traits: every element goes through
/// [`Compound::element`], `end` closes the bracket.
macro_rules! sequence_compound {
    ($($trait:ident :: $method:ident),* $(,)?) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = bool;
            type Error = SerError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
                self.element(value)
            }
            fn end(self) -> Result<bool, SerError> {
                Ok(self.finish())
            }
        }
    )*};
}

sequence_compound!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = bool;
    type Error = SerError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
        self.entry_start = self.out.len();
        self.separator();
        let key_start = self.out.len();
        key.serialize(&mut Stringifier {
            out: self.out,
            opts: self.opts,
        })?;
        self.redact_value = self
            .out
            .get(key_start..)
            .is_some_and(|k| self.opts.is_secret(k));
        self.out.push_str(": ");
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.value(self.entry_start, self.redact_value, value)
    }
    fn end(self) -> Result<bool, SerError> {
        Ok(self.finish())
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = bool;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        self.field(key, value)
    }
    fn end(self) -> Result<bool, SerError> {
        Ok(self.finish())
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = bool;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        self.field(key, value)
    }
    fn end(self) -> Result<bool, SerError> {
        Ok(self.finish())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    use super::*;

    #[derive(Serialize)]
    struct Inner {
        api_key: String,
        n: i32,
    }

    #[derive(Serialize)]
    enum E {
        A,
        B(u8),
        C(u8, u8),
        D { x: u8 },
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Tuple(u8, &'static str);

    #[derive(Serialize)]
    struct Outer {
        name: &'static str,
        inner: Inner,
        nothing: Option<u8>,
        unit: (),
        some: Option<u8>,
        list: Vec<Option<u8>>,
        e: Vec<E>,
        u: Unit,
        t: Tuple,
        #[serde(rename = "accessToken")]
        access_token: Option<String>,
        c: char,
        f: f64,
    }

    #[test]
    fn renders_every_shape() {
        let v = Outer {
            name: "a\"b\n\u{7}",
            inner: Inner {
                api_key: "k".into(),
                n: -1,
            },
            nothing: None,
            unit: (),
            some: Some(3),
            list: vec![Some(1), None],
            e: vec![E::A, E::B(1), E::C(1, 2), E::D { x: 4 }],
            u: Unit,
            t: Tuple(1, "x"),
            access_token: None,
            c: '\'',
            f: f64::NAN,
        };
        assert_eq!(
            stringify(&v),
            r#"Outer{name: "a\"b\n\u{7}", inner: Inner{api_key: "[REDACTED]", n: -1}, some: 3, list: [1, None], e: [A, B(1), C(1, 2), D{x: 4}], u: Unit, t: Tuple(1, "x"), c: '\'', f: NaN}"#
        );
    }

    #[test]
    fn skipped_first_field_leaves_no_separator() {
        #[derive(Serialize)]
        struct S {
            a: Option<u8>,
            b: u8,
            c: Option<u8>,
        }
        assert_eq!(
            stringify(&S {
                a: None,
                b: 1,
                c: None
            }),
            "S{b: 1}"
        );
        assert_eq!(
            stringify(&S {
                a: None,
                b: 1,
                c: Some(2)
            }),
            "S{b: 1, c: 2}"
        );
    }

    #[test]
    fn maps_redact_by_key_and_skip_none() {
        let m = BTreeMap::from([
            ("Set-Cookie", Some("id=1")),
            ("a", None),
            ("b", Some("x")),
            ("X-API-KEY", Some("k")),
        ]);
        assert_eq!(
            stringify(&m),
            r#"{"Set-Cookie": "[REDACTED]", "X-API-KEY": "[REDACTED]", "b": "x"}"#
        );
        let nums = BTreeMap::from([(1, 2)]);
        assert_eq!(stringify(&nums), "{1: 2}");
    }

    #[test]
    fn top_level_none_and_bytes() {
        assert_eq!(stringify(&None::<u8>), "None");
        assert_eq!(stringify(&()), "()");
        assert_eq!(stringify(&serde_bytes_like()), r#"b"a\x00""#);
    }

    fn serde_bytes_like() -> impl Serialize {
        struct B;
        impl Serialize for B {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(b"a\0")
            }
        }
        B
    }

    #[test]
    fn errors_are_rendered_or_returned() {
        struct Fails;
        impl Serialize for Fails {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(ser::Error::custom("boom"))
            }
        }
        #[derive(Serialize)]
        struct S {
            a: u8,
            b: Fails,
        }
        assert_eq!(stringify(&S { a: 1, b: Fails }), "S{a: 1, b: <error: boom>");
        let e = try_stringify(&S { a: 1, b: Fails }, &StringifyOptions::default());
        assert!(matches!(e, Err(Error::Serialize(m)) if m == "boom"));
    }

    #[test]
    fn secret_names_normalize() {
        let o = StringifyOptions::default();
        for n in [
            "password",
            "PASSWORD",
            "db_password",
            "Pass-Word",
            "api_key",
            "ApiKey",
            "x-api-key",
            "private_key",
            "client_secret",
            "Authorization",
            "refresh_token",
            "session_id",
            "credentials",
        ] {
            assert!(o.is_secret(n), "{n}");
        }
        for n in ["user", "name", "email", "id", "count"] {
            assert!(!o.is_secret(n), "{n}");
        }
        let none = StringifyOptions::default().secret_names([""]);
        assert!(!none.is_secret("password"));
    }
}
