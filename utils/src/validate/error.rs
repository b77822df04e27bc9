//! The one error type: where ([`Path`]), what (a stable machine `code` and
//! its params), and a message a user can replace; never the rejected value
//! unless a rule asks for it.
//!
//! ```
//! use pillars_utils::validate::{Error, PathSegment, Violation};
//!
//! let err = Error::from(
//!     Violation::new("length")
//!         .with_param("min", 8)
//!         .at(PathSegment::field("password")),
//! );
//! let json = serde_json::to_value(&err).unwrap();
//! assert_eq!(json["errors"][0]["path"], "password");
//! assert_eq!(json["errors"][0]["code"], "length");
//! assert!(json["errors"][0].get("value").is_none()); // the secret never leaks
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::sync::OnceLock;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;

/// The media type of an RFC 9457 problem details body.
///
/// ```
/// assert_eq!(pillars_utils::validate::PROBLEM_JSON, "application/problem+json");
/// ```
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One step of a [`Path`]: a field (by its wire name), a list index or a map key.
///
/// ```
/// use pillars_utils::validate::PathSegment;
///
/// assert_eq!(PathSegment::field("email").to_string(), "email");
/// assert_eq!(PathSegment::Index(2).to_string(), "[2]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// A struct field, named as it is on the wire (its serde name).
    Field(Cow<'static, str>),
    /// A position in a list.
    Index(usize),
    /// A key of a map.
    Key(String),
}

impl PathSegment {
    /// A field segment.
    ///
    /// ```
    /// use pillars_utils::validate::PathSegment;
    /// assert_eq!(PathSegment::field("a"), PathSegment::Field("a".into()));
    /// ```
    pub fn field(name: impl Into<Cow<'static, str>>) -> Self {
        Self::Field(name.into())
    }
}

impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Field(name) => f.write_str(name),
            Self::Index(i) => write!(f, "[{i}]"),
            Self::Key(k) => write!(f, "[{k:?}]"),
        }
    }
}

/// Where a violation is: the segments from the validated root to the value.
///
/// Displayed as `user.emails[0]`; [`Path::to_pointer`] gives the RFC 6901
/// JSON pointer (`/user/emails/0`) that problem-details clients expect.
///
/// ```
/// use pillars_utils::validate::{Path, PathSegment};
///
/// let p = Path::from(vec![PathSegment::field("tags"), PathSegment::Key("a/b".into())]);
/// assert_eq!(p.to_string(), "tags[\"a/b\"]");
/// assert_eq!(p.to_pointer(), "/tags/a~1b");
/// ```
#[derive(Clone, Default)]
pub struct Path(Segments);

/// The segments of a [`Path`]: most paths have one (a field of the
/// validated struct), kept inline so that reporting it allocates nothing.
#[derive(Clone, Default)]
enum Segments {
    #[default]
    Root,
    One(PathSegment),
    Many(Vec<PathSegment>),
}

impl PartialEq for Path {
    fn eq(&self, other: &Self) -> bool {
        self.segments() == other.segments()
    }
}

impl Eq for Path {}

impl std::hash::Hash for Path {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.segments().hash(state);
    }
}

impl fmt::Debug for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Path").field(&self.segments()).finish()
    }
}

impl Path {
    /// The segments, outermost first.
    ///
    /// ```
    /// use pillars_utils::validate::Path;
    /// assert!(Path::default().segments().is_empty());
    /// ```
    #[must_use]
    pub fn segments(&self) -> &[PathSegment] {
        match &self.0 {
            Segments::Root => &[],
            Segments::One(seg) => std::slice::from_ref(seg),
            Segments::Many(segs) => segs,
        }
    }

    /// The RFC 6901 JSON pointer of this path (`""` for the root).
    ///
    /// ```
    /// use pillars_utils::validate::{Path, PathSegment};
    /// let p = Path::from(vec![PathSegment::field("a~b"), PathSegment::Index(0)]);
    /// assert_eq!(p.to_pointer(), "/a~0b/0");
    /// ```
    #[must_use]
    pub fn to_pointer(&self) -> String {
        let mut out = String::new();
        for seg in self.segments() {
            out.push('/');
            let raw: Cow<'_, str> = match seg {
                PathSegment::Field(n) => Cow::Borrowed(n),
                PathSegment::Index(i) => Cow::Owned(i.to_string()),
                PathSegment::Key(k) => Cow::Borrowed(k),
            };
            for c in raw.chars() {
                match c {
                    '~' => out.push_str("~0"),
                    '/' => out.push_str("~1"),
                    c => out.push(c),
                }
            }
        }
        out
    }

    pub(crate) fn prepend(&mut self, seg: PathSegment) {
        self.0 = match std::mem::take(&mut self.0) {
            Segments::Root => Segments::One(seg),
            Segments::One(inner) => Segments::Many(vec![seg, inner]),
            Segments::Many(mut segs) => {
                segs.insert(0, seg);
                Segments::Many(segs)
            }
        };
    }

    /// Appends `segs` after the current segments.
    pub(crate) fn extend_from(&mut self, segs: &[PathSegment]) {
        match segs {
            [] => {}
            [one] if matches!(self.0, Segments::Root) => self.0 = Segments::One(one.clone()),
            _ => {
                let mut all = match std::mem::take(&mut self.0) {
                    Segments::Root => Vec::with_capacity(segs.len()),
                    Segments::One(seg) => vec![seg],
                    Segments::Many(v) => v,
                };
                all.extend_from_slice(segs);
                self.0 = Segments::Many(all);
            }
        }
    }

    fn segments_mut(&mut self) -> &mut [PathSegment] {
        match &mut self.0 {
            Segments::Root => &mut [],
            Segments::One(seg) => std::slice::from_mut(seg),
            Segments::Many(segs) => segs,
        }
    }
}

impl From<Vec<PathSegment>> for Path {
    fn from(mut v: Vec<PathSegment>) -> Self {
        Self(match v.len() {
            0 => Segments::Root,
            1 => Segments::One(v.remove(0)),
            _ => Segments::Many(v),
        })
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.segments().iter().enumerate() {
            if i > 0 && matches!(seg, PathSegment::Field(_)) {
                f.write_char('.')?;
            }
            write!(f, "{seg}")?;
        }
        Ok(())
    }
}

impl Serialize for Path {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One failed check: its path, a stable machine `code`, params, and an
/// optional replacement message.
///
/// The rejected value is absent unless set with [`Violation::with_value`]
/// (or the rule was wrapped with [`RuleExt::reveal`](crate::validate::RuleExt::reveal)):
/// a password that failed `length` never reaches a log or a response body.
///
/// ```
/// use pillars_utils::validate::Violation;
///
/// let v = Violation::new("range").with_param("min", 18).with_param("max", 130);
/// assert_eq!(v.code(), "range");
/// assert_eq!(v.message(), "must be between 18 and 130");
/// assert_eq!(v.clone().with_message("trop jeune").message(), "trop jeune");
/// ```
#[derive(Clone)]
pub struct Violation {
    path: Path,
    code: Cow<'static, str>,
    params: Params,
    /// The replacement message and the revealed value: rare, so boxed to
    /// keep violations small (they are moved into and between lists).
    extra: Option<Box<Extra>>,
}

#[derive(Debug, Clone, Default)]
struct Extra {
    message: Option<Cow<'static, str>>,
    value: Option<Value>,
}

impl PartialEq for Violation {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path
            && self.code == other.code
            && self.custom_message() == other.custom_message()
            && self.value() == other.value()
            && self.params() == other.params()
    }
}

// Shows `message` and `value` (kept in `extra`) as the derived impl did.
#[allow(clippy::missing_fields_in_debug)]
impl fmt::Debug for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Violation")
            .field("path", &self.path)
            .field("code", &self.code)
            .field("params", self.params())
            .field("message", &self.custom_message())
            .field("value", &self.value())
            .finish()
    }
}

/// A param as a rule stored it: numbers and static strings stay as they
/// are until the params are read or serialised (no `serde_json::Value`,
/// no allocation per violation on the hot path).
#[derive(Debug, Clone)]
enum ParamValue {
    Str(&'static str),
    Text(String),
    U64(u64),
    I64(i64),
    Bool(bool),
    Json(Box<Value>),
}

impl ParamValue {
    fn to_json(&self) -> Value {
        match self {
            Self::Str(s) => Value::String((*s).to_owned()),
            Self::Text(s) => Value::String(s.clone()),
            Self::U64(n) => Value::from(*n),
            Self::I64(n) => Value::from(*n),
            Self::Bool(b) => Value::Bool(*b),
            Self::Json(v) => (**v).clone(),
        }
    }
}

type RawParam = (Cow<'static, str>, ParamValue);

/// The params of a violation: stored raw (the first three with static
/// names inline, the rest in a list; a later param replaces an earlier one
/// of the same name), rendered once as the JSON map [`Violation::params`]
/// returns.
#[derive(Debug, Clone, Default)]
struct Params {
    inline: [Option<(&'static str, ParamValue)>; 3],
    more: Vec<RawParam>,
    // Boxed: rendered only for output, so the inline size matters more
    // than the extra allocation.
    #[allow(clippy::box_collection)]
    json: OnceLock<Box<BTreeMap<Cow<'static, str>, Value>>>,
}

impl Params {
    fn insert(&mut self, name: Cow<'static, str>, value: ParamValue) {
        let slot = self
            .inline
            .iter_mut()
            .flatten()
            .map(|(n, v)| (&**n, v))
            .chain(self.more.iter_mut().map(|(n, v)| (&**n, v)))
            .find(|(n, _)| *n == name);
        if let Some((_, slot)) = slot {
            *slot = value;
            self.json.take();
        } else {
            self.push_new(name, value);
        }
    }

    /// Adds a param the caller knows is not there yet.
    fn push_new(&mut self, name: Cow<'static, str>, value: ParamValue) {
        self.json.take();
        if let Cow::Borrowed(name) = name
            && let Some(free) = self.inline.iter_mut().find(|p| p.is_none())
        {
            *free = Some((name, value));
        } else {
            self.more.push((name, value));
        }
    }

    fn is_empty(&self) -> bool {
        self.inline[0].is_none() && self.more.is_empty()
    }

    fn map(&self) -> &BTreeMap<Cow<'static, str>, Value> {
        self.json.get_or_init(|| {
            let inline = self
                .inline
                .iter()
                .flatten()
                .map(|(n, v)| (Cow::Borrowed(*n), v.to_json()));
            let more = self.more.iter().map(|(n, v)| (n.clone(), v.to_json()));
            Box::new(inline.chain(more).collect())
        })
    }
}

/// Captures integers, booleans and strings without going through
/// `serde_json::Value`; anything else is left to `serde_json::to_value`.
struct Capture;

#[derive(Debug)]
struct NotCaptured;

impl fmt::Display for NotCaptured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a plain param")
    }
}

impl std::error::Error for NotCaptured {}

impl serde::ser::Error for NotCaptured {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Self
    }
}

macro_rules! capture_ints {
    ($($method:ident: $t:ty => $variant:ident as $to:ty;)+) => {$(
        fn $method(self, v: $t) -> Result<ParamValue, NotCaptured> {
            Ok(ParamValue::$variant(<$to>::from(v)))
        }
    )+};
}

impl Serializer for Capture {
    type Ok = ParamValue;
    type Error = NotCaptured;
    type SerializeSeq = serde::ser::Impossible<ParamValue, NotCaptured>;
    type SerializeTuple = serde::ser::Impossible<ParamValue, NotCaptured>;
    type SerializeTupleStruct = serde::ser::Impossible<ParamValue, NotCaptured>;
    type SerializeTupleVariant = serde::ser::Impossible<ParamValue, NotCaptured>;
    type SerializeMap = serde::ser::Impossible<ParamValue, NotCaptured>;
    type SerializeStruct = serde::ser::Impossible<ParamValue, NotCaptured>;
    type SerializeStructVariant = serde::ser::Impossible<ParamValue, NotCaptured>;

    capture_ints! {
        serialize_u8: u8 => U64 as u64;
        serialize_u16: u16 => U64 as u64;
        serialize_u32: u32 => U64 as u64;
        serialize_u64: u64 => U64 as u64;
        serialize_i8: i8 => I64 as i64;
        serialize_i16: i16 => I64 as i64;
        serialize_i32: i32 => I64 as i64;
        serialize_i64: i64 => I64 as i64;
        serialize_bool: bool => Bool as bool;
    }

    fn serialize_str(self, v: &str) -> Result<ParamValue, NotCaptured> {
        Ok(ParamValue::Text(v.to_owned()))
    }
    fn serialize_f32(self, _: f32) -> Result<ParamValue, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_f64(self, _: f64) -> Result<ParamValue, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_char(self, _: char) -> Result<ParamValue, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<ParamValue, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_none(self) -> Result<ParamValue, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<ParamValue, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_unit(self) -> Result<ParamValue, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<ParamValue, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<ParamValue, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<ParamValue, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<ParamValue, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotCaptured> {
        Err(NotCaptured)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotCaptured> {
        Err(NotCaptured)
    }
}

impl Violation {
    /// A violation with this machine code, at the root path.
    ///
    /// ```
    /// use pillars_utils::validate::Violation;
    /// assert_eq!(Violation::new("email").code(), "email");
    /// ```
    pub fn new(code: impl Into<Cow<'static, str>>) -> Self {
        Self {
            path: Path::default(),
            code: code.into(),
            params: Params::default(),
            extra: None,
        }
    }

    /// Adds a param (a limit, a pattern, a reason). A value that cannot be
    /// represented as JSON is skipped rather than panicking.
    ///
    /// ```
    /// use pillars_utils::validate::Violation;
    /// let v = Violation::new("length").with_param("max", 3);
    /// assert_eq!(v.param("max"), Some(&serde_json::json!(3)));
    /// ```
    #[must_use]
    pub fn with_param(mut self, name: impl Into<Cow<'static, str>>, value: impl Serialize) -> Self {
        let raw = match value.serialize(Capture) {
            Ok(raw) => raw,
            Err(NotCaptured) => match serde_json::to_value(value) {
                Ok(v) => ParamValue::Json(Box::new(v)),
                Err(_) => return self,
            },
        };
        self.params.insert(name.into(), raw);
        self
    }

    /// A one-violation [`Error`] with this code and a static string param
    /// (a rule's `reason`), built in place.
    pub(crate) fn error_with_reason(
        code: &'static str,
        name: &'static str,
        value: &'static str,
    ) -> Error {
        let mut v = Self::new(code);
        v.params
            .push_new(Cow::Borrowed(name), ParamValue::Str(value));
        Error::from(v)
    }

    /// Adds a param in place; for rules, which never add a name twice.
    pub(crate) fn push_param(&mut self, name: &'static str, value: &(impl Serialize + ?Sized)) {
        let raw = match value.serialize(Capture) {
            Ok(raw) => raw,
            Err(NotCaptured) => match serde_json::to_value(value) {
                Ok(v) => ParamValue::Json(Box::new(v)),
                Err(_) => return,
            },
        };
        self.params.push_new(Cow::Borrowed(name), raw);
    }

    /// [`Violation::push_param`] for a static string.
    pub(crate) fn push_static_param(&mut self, name: &'static str, value: &'static str) {
        self.params
            .push_new(Cow::Borrowed(name), ParamValue::Str(value));
    }

    /// [`Violation::with_param`] for a JSON value already built.
    #[must_use]
    pub(crate) fn with_json_param(mut self, name: Cow<'static, str>, value: &Value) -> Self {
        let raw = match value {
            Value::Bool(b) => ParamValue::Bool(*b),
            Value::String(s) => ParamValue::Text(s.clone()),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => ParamValue::U64(u),
                (None, Some(i)) => ParamValue::I64(i),
                (None, None) => ParamValue::Json(Box::new(value.clone())),
            },
            other => ParamValue::Json(Box::new(other.clone())),
        };
        self.params.insert(name, raw);
        self
    }

    /// Replaces the default message (the i18n hook for one violation; see
    /// [`Error::localize`] for a whole catalogue).
    ///
    /// ```
    /// use pillars_utils::validate::Violation;
    /// let v = Violation::new("required").with_message("obligatoire");
    /// assert_eq!(v.message(), "obligatoire");
    /// ```
    #[must_use]
    pub fn with_message(mut self, message: impl Into<Cow<'static, str>>) -> Self {
        self.extra_mut().message = Some(message.into());
        self
    }

    /// Attaches the rejected value. Opt-in only: use it for values that are
    /// never secret or personal.
    ///
    /// ```
    /// use pillars_utils::validate::Violation;
    /// let v = Violation::new("one_of").with_value("purple");
    /// assert_eq!(v.value(), Some(&serde_json::json!("purple")));
    /// ```
    #[must_use]
    pub fn with_value(mut self, value: impl Serialize) -> Self {
        self.extra_mut().value = serde_json::to_value(value).ok();
        self
    }

    /// Prefixes the path with `segment` (used when a nested result is
    /// reported by its parent).
    ///
    /// ```
    /// use pillars_utils::validate::{PathSegment, Violation};
    /// let v = Violation::new("email").at(PathSegment::Index(1)).at(PathSegment::field("emails"));
    /// assert_eq!(v.path().to_string(), "emails[1]");
    /// ```
    #[must_use]
    pub fn at(mut self, segment: PathSegment) -> Self {
        self.path.prepend(segment);
        self
    }

    /// Where the violation is.
    ///
    /// ```
    /// use pillars_utils::validate::Violation;
    /// assert_eq!(Violation::new("x").path().to_string(), "");
    /// ```
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stable machine code (`"email"`, `"length"`, `"required"`, ...).
    ///
    /// ```
    /// use pillars_utils::validate::Violation;
    /// assert_eq!(Violation::new("uuid").code(), "uuid");
    /// ```
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }

    /// All params, by name.
    ///
    /// ```
    /// use pillars_utils::validate::Violation;
    /// assert!(Violation::new("x").params().is_empty());
    /// ```
    #[must_use]
    pub fn params(&self) -> &BTreeMap<Cow<'static, str>, Value> {
        self.params.map()
    }

    /// One param.
    ///
    /// ```
    /// use pillars_utils::validate::Violation;
    /// assert!(Violation::new("x").param("min").is_none());
    /// ```
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&Value> {
        self.params.map().get(name)
    }

    /// The rejected value, only if a rule opted in.
    ///
    /// ```
    /// use pillars_utils::validate::Violation;
    /// assert!(Violation::new("x").value().is_none());
    /// ```
    #[must_use]
    pub fn value(&self) -> Option<&Value> {
        self.extra.as_ref().and_then(|e| e.value.as_ref())
    }

    /// The replacement message if one was set, else an English default built
    /// from the code and params.
    ///
    /// ```
    /// use pillars_utils::validate::Violation;
    /// assert_eq!(Violation::new("required").message(), "is required");
    /// ```
    #[must_use]
    pub fn message(&self) -> Cow<'_, str> {
        match self.custom_message() {
            Some(m) => Cow::Borrowed(m),
            None => Cow::Owned(default_message(&self.code, self.params())),
        }
    }

    /// Whether the message was replaced.
    ///
    /// ```
    /// use pillars_utils::validate::Violation;
    /// assert!(!Violation::new("x").has_custom_message());
    /// ```
    #[must_use]
    pub fn has_custom_message(&self) -> bool {
        self.custom_message().is_some()
    }

    fn custom_message(&self) -> Option<&Cow<'static, str>> {
        self.extra.as_ref().and_then(|e| e.message.as_ref())
    }

    fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    pub(crate) fn set_code(&mut self, code: Cow<'static, str>) {
        self.code = code;
    }

    pub(crate) fn path_mut(&mut self) -> &mut Path {
        &mut self.path
    }
}

fn num(params: &BTreeMap<Cow<'static, str>, Value>, key: &str) -> Option<String> {
    params.get(key).map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

fn default_message(code: &str, params: &BTreeMap<Cow<'static, str>, Value>) -> String {
    let min = num(params, "min");
    let max = num(params, "max");
    let unit = num(params, "unit").unwrap_or_default();
    let bounds = |what: &str| match (&min, &max) {
        (Some(a), Some(b)) if a == b => format!("must be exactly {a}{what}"),
        (Some(a), Some(b)) => format!("must be between {a} and {b}{what}"),
        (Some(a), None) => format!("must be at least {a}{what}"),
        (None, Some(b)) => format!("must be at most {b}{what}"),
        (None, None) => "is out of range".to_owned(),
    };
    match code {
        "required" => "is required".to_owned(),
        "length" => bounds(&format!(" {unit} long").replace("  ", " ")),
        "count" => bounds(" items"),
        "range" => bounds(""),
        "one_of" => "must be one of the allowed values".to_owned(),
        "not_one_of" => "must not be one of the reserved values".to_owned(),
        "matches" => "has an invalid format".to_owned(),
        "email" => "must be a valid email address".to_owned(),
        "url" => "must be a valid URL".to_owned(),
        "hostname" => "must be a valid host name".to_owned(),
        "port" => "must be a valid port (1-65535)".to_owned(),
        "host_port" => "must be a host and a port (host:port)".to_owned(),
        "ip" | "ipv4" | "ipv6" => "must be a valid IP address".to_owned(),
        "cidr" => "must be a valid CIDR block".to_owned(),
        "mac" => "must be a valid MAC address".to_owned(),
        "uuid" => "must be a valid UUID".to_owned(),
        "ulid" => "must be a valid ULID".to_owned(),
        "semver" => "must be a valid semantic version".to_owned(),
        "e164" => "must be a phone number in E.164 format (+14155552671)".to_owned(),
        "luhn" => "must be a valid card number".to_owned(),
        "base64" | "base64url" => "must be valid base64".to_owned(),
        "hex" => "must be hexadecimal".to_owned(),
        "hex_color" => "must be a hex colour (#rgb or #rrggbb)".to_owned(),
        "json" => "must be valid JSON".to_owned(),
        "latitude" => "must be a latitude (-90 to 90)".to_owned(),
        "longitude" => "must be a longitude (-180 to 180)".to_owned(),
        "datetime" => "must be an RFC 3339 date-time".to_owned(),
        "date" => "must be a date (YYYY-MM-DD)".to_owned(),
        "ascii" => "must contain only ASCII characters".to_owned(),
        "printable" => "must contain only printable characters".to_owned(),
        other => format!("is invalid ({other})"),
    }
}

impl Serialize for Violation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("path", &self.path)?;
        m.serialize_entry("pointer", &self.path.to_pointer())?;
        m.serialize_entry("code", &self.code)?;
        m.serialize_entry("message", &self.message())?;
        if !self.params.is_empty() {
            m.serialize_entry("params", self.params())?;
        }
        if let Some(v) = self.value() {
            m.serialize_entry("value", v)?;
        }
        m.end()
    }
}

/// The error every rule, [`Validation`](crate::validate::Validation) and the
/// `validator` bridge return: one or more [`Violation`]s.
///
/// Serialises as `{"errors": [...]}`; [`Error::problem`] gives an RFC 9457
/// problem-details body for a 400 response.
///
/// ```
/// use pillars_utils::validate::{email, length, Validation};
///
/// let err = Validation::new()
///     .field("email", "not-an-email", email())
///     .field("name", "", length(1..=50))
///     .finish()
///     .unwrap_err();
/// assert_eq!(err.len(), 2);
/// assert_eq!(err.to_string(), "email: must be a valid email address; name: must be between 1 and 50 chars long");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct Error {
    violations: Vec<Violation>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.violations.is_empty() {
            return f.write_str("validation failed");
        }
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            if v.path.segments().is_empty() {
                write!(f, "{}", v.message())?;
            } else {
                write!(f, "{}: {}", v.path, v.message())?;
            }
        }
        Ok(())
    }
}

impl From<Violation> for Error {
    fn from(v: Violation) -> Self {
        Self {
            violations: vec![v],
        }
    }
}

impl From<Vec<Violation>> for Error {
    fn from(violations: Vec<Violation>) -> Self {
        Self { violations }
    }
}

impl Error {
    /// The violations, in the order they were found.
    ///
    /// ```
    /// use pillars_utils::validate::{Error, Violation};
    /// let e = Error::from(Violation::new("x"));
    /// assert_eq!(e.violations()[0].code(), "x");
    /// ```
    #[must_use]
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Takes the violations out.
    ///
    /// ```
    /// use pillars_utils::validate::{Error, Violation};
    /// assert_eq!(Error::from(Violation::new("x")).into_violations().len(), 1);
    /// ```
    #[must_use]
    pub fn into_violations(self) -> Vec<Violation> {
        self.violations
    }

    /// How many violations.
    ///
    /// ```
    /// use pillars_utils::validate::{Error, Violation};
    /// assert_eq!(Error::from(Violation::new("x")).len(), 1);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.violations.len()
    }

    /// Whether there are none (only for an `Error` built from an empty list).
    ///
    /// ```
    /// use pillars_utils::validate::Error;
    /// assert!(Error::from(Vec::new()).is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.violations.is_empty()
    }

    /// Appends the violations of `other`.
    ///
    /// ```
    /// use pillars_utils::validate::{Error, Violation};
    /// let mut e = Error::from(Violation::new("a"));
    /// e.extend(Error::from(Violation::new("b")));
    /// assert_eq!(e.len(), 2);
    /// ```
    pub fn extend(&mut self, other: Error) {
        self.violations.extend(other.violations);
    }

    /// Prefixes every path with `segment`.
    ///
    /// ```
    /// use pillars_utils::validate::{Error, PathSegment, Violation};
    /// let e = Error::from(Violation::new("x")).at(PathSegment::field("user"));
    /// assert_eq!(e.violations()[0].path().to_string(), "user");
    /// ```
    #[must_use]
    pub fn at(mut self, segment: PathSegment) -> Self {
        if let Some((last, rest)) = self.violations.split_last_mut() {
            for v in rest {
                v.path.prepend(segment.clone());
            }
            last.path.prepend(segment);
        }
        self
    }

    /// The i18n hook: `catalogue` gets each violation (code, params, path)
    /// and may return a replacement message; `None` keeps the current one.
    ///
    /// ```
    /// use pillars_utils::validate::{required, Validation};
    ///
    /// let name: Option<String> = None;
    /// let mut err = Validation::new().field("name", &name, required()).finish().unwrap_err();
    /// err.localize(|v| (v.code() == "required").then(|| "est obligatoire".to_owned()));
    /// assert_eq!(err.to_string(), "name: est obligatoire");
    /// ```
    pub fn localize(&mut self, mut catalogue: impl FnMut(&Violation) -> Option<String>) {
        for v in &mut self.violations {
            if let Some(m) = catalogue(v) {
                v.extra_mut().message = Some(Cow::Owned(m));
            }
        }
    }

    /// Renames field segments (e.g. Rust names from the `validator` derive
    /// to their serde wire names). `rename` returns `None` to keep a name.
    ///
    /// ```
    /// use pillars_utils::validate::{Error, PathSegment, Violation};
    /// let mut e = Error::from(Violation::new("x").at(PathSegment::field("first_name")));
    /// e.rename_fields(|n| (n == "first_name").then(|| "firstName".to_owned()));
    /// assert_eq!(e.violations()[0].path().to_string(), "firstName");
    /// ```
    pub fn rename_fields(&mut self, mut rename: impl FnMut(&str) -> Option<String>) {
        for v in &mut self.violations {
            for seg in v.path.segments_mut() {
                if let PathSegment::Field(name) = seg
                    && let Some(new) = rename(name)
                {
                    *name = Cow::Owned(new);
                }
            }
        }
    }

    /// The errors as a JSON value: `{"errors": [...]}`.
    ///
    /// ```
    /// use pillars_utils::validate::{Error, Violation};
    /// let j = Error::from(Violation::new("x")).to_json();
    /// assert_eq!(j["errors"][0]["code"], "x");
    /// ```
    #[must_use]
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// An RFC 9457 problem-details body (status 400) listing the violations.
    ///
    /// ```
    /// use pillars_utils::validate::{Error, PathSegment, Violation, PROBLEM_JSON};
    /// let e = Error::from(Violation::new("email").at(PathSegment::field("email")));
    /// let body = serde_json::to_value(e.problem().with_instance("/users")).unwrap();
    /// assert_eq!(body["status"], 400);
    /// assert_eq!(body["type"], "about:blank");
    /// assert_eq!(body["errors"][0]["pointer"], "/email");
    /// # let _ = PROBLEM_JSON;
    /// ```
    #[must_use]
    pub fn problem(&self) -> ProblemDetails<'_> {
        ProblemDetails {
            type_uri: Cow::Borrowed("about:blank"),
            title: Cow::Borrowed("Your request is not valid."),
            status: 400,
            detail: format!("{} field(s) failed validation", self.violations.len()),
            instance: None,
            errors: &self.violations,
        }
    }
}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("errors", &self.violations)?;
        m.end()
    }
}

/// An RFC 9457 problem-details body for a validation failure; serve it with
/// [`PROBLEM_JSON`] as the content type.
///
/// ```
/// use pillars_utils::validate::{Error, Violation};
/// let e = Error::from(Violation::new("x"));
/// let p = e.problem().with_type("https://example.com/probs/validation").with_title("Invalid input");
/// let j = serde_json::to_value(&p).unwrap();
/// assert_eq!(j["title"], "Invalid input");
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct ProblemDetails<'a> {
    /// A URI reference that identifies the problem type.
    #[serde(rename = "type")]
    pub type_uri: Cow<'static, str>,
    /// A short, human-readable summary.
    pub title: Cow<'static, str>,
    /// The HTTP status code (400).
    pub status: u16,
    /// A human-readable explanation of this occurrence.
    pub detail: String,
    /// A URI reference that identifies this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The violations (an extension member).
    pub errors: &'a [Violation],
}

impl ProblemDetails<'_> {
    /// Sets `type`.
    ///
    /// ```
    /// use pillars_utils::validate::{Error, Violation};
    /// let e = Error::from(Violation::new("x"));
    /// assert_eq!(e.problem().with_type("urn:x").type_uri, "urn:x");
    /// ```
    #[must_use]
    pub fn with_type(mut self, uri: impl Into<Cow<'static, str>>) -> Self {
        self.type_uri = uri.into();
        self
    }

    /// Sets `title`.
    ///
    /// ```
    /// use pillars_utils::validate::{Error, Violation};
    /// let e = Error::from(Violation::new("x"));
    /// assert_eq!(e.problem().with_title("Bad").title, "Bad");
    /// ```
    #[must_use]
    pub fn with_title(mut self, title: impl Into<Cow<'static, str>>) -> Self {
        self.title = title.into();
        self
    }

    /// Sets `instance`.
    ///
    /// ```
    /// use pillars_utils::validate::{Error, Violation};
    /// let e = Error::from(Violation::new("x"));
    /// assert_eq!(e.problem().with_instance("/a").instance.as_deref(), Some("/a"));
    /// ```
    #[must_use]
    pub fn with_instance(mut self, instance: impl Into<String>) -> Self {
        self.instance = Some(instance.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use std::hash::{BuildHasher, RandomState};

    use serde::Serialize;
    use serde_json::{Value, json};

    use super::{Path, PathSegment, Violation};

    fn same_as_serde_json<T: Serialize>(x: T) {
        let expected = serde_json::to_value(&x).ok();
        let v = Violation::new("x").with_param("p", &x);
        assert_eq!(v.param("p"), expected.as_ref(), "{expected:?}");
        assert_eq!(v.params().len(), usize::from(expected.is_some()));
    }

    #[test]
    fn lazy_params_render_like_serde_json() {
        same_as_serde_json(0_u8);
        same_as_serde_json(u64::MAX);
        same_as_serde_json(-5_i32);
        same_as_serde_json(i64::MIN);
        same_as_serde_json(7_i64);
        same_as_serde_json(true);
        same_as_serde_json("text");
        same_as_serde_json(String::from("owned"));
        same_as_serde_json(1.5_f64);
        same_as_serde_json(f64::NAN);
        same_as_serde_json(2.5_f32);
        same_as_serde_json('c');
        same_as_serde_json(u128::MAX);
        same_as_serde_json(Some(3));
        same_as_serde_json(None::<u8>);
        same_as_serde_json(vec!["a", "b"]);
        same_as_serde_json(());
        let mut bad_keys = std::collections::HashMap::new();
        bad_keys.insert((1, 2), 3);
        same_as_serde_json(bad_keys);
    }

    #[test]
    fn later_param_replaces_earlier_and_map_is_sorted() {
        let v = Violation::new("range")
            .with_param("max", 9)
            .with_param("min", 1)
            .with_param(String::from("zeta"), "z")
            .with_param("extra", true)
            .with_param("min", 2);
        assert_eq!(v.param("min"), Some(&json!(2)));
        let keys: Vec<&str> = v.params().keys().map(AsRef::as_ref).collect();
        assert_eq!(keys, ["extra", "max", "min", "zeta"]);
        // Reading then adding renders again.
        assert_eq!(v.params().len(), 4);
        let v = v.with_param("zeta", 1);
        assert_eq!(v.param("zeta"), Some(&json!(1)));
        assert_eq!(
            serde_json::to_value(&v).unwrap()["params"],
            json!({"extra": true, "max": 9, "min": 2, "zeta": 1})
        );
    }

    #[test]
    fn equality_and_debug_ignore_how_params_are_stored() {
        let a = Violation::new("x").with_param("n", 3).with_param("s", "v");
        let b = Violation::new("x")
            .with_json_param("s".into(), &json!("v"))
            .with_json_param("n".into(), &Value::from(3));
        assert_eq!(a, b);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert!(format!("{a:?}").contains(r#"params: {"n": Number(3), "s": String("v")}"#));
        assert_ne!(a.clone().with_message("m"), a);
        assert_ne!(a.clone().with_value(1), a);
        assert_eq!(a.clone().with_message("m").message(), "m");
    }

    #[test]
    fn inline_paths_behave_like_lists() {
        let f = PathSegment::field("a");
        let one = Violation::new("x").at(f.clone());
        let listed = Path::from(vec![f.clone()]);
        assert_eq!(one.path(), &listed);
        assert_eq!(format!("{listed:?}"), r#"Path([Field("a")])"#);
        let s = RandomState::new();
        assert_eq!(
            s.hash_one(one.path()),
            s.hash_one(vec![f.clone()].as_slice())
        );
        let two = one.at(PathSegment::Index(3)).at(PathSegment::field("b"));
        assert_eq!(two.path().to_string(), "b[3].a");
        assert_eq!(
            two.path(),
            &Path::from(vec![PathSegment::field("b"), PathSegment::Index(3), f])
        );
        assert_eq!(Path::from(Vec::new()), Path::default());
        let mut p = Path::default();
        p.extend_from(&[PathSegment::field("c")]);
        p.extend_from(&[PathSegment::Index(0), PathSegment::field("d")]);
        assert_eq!(p.to_string(), "c[0].d");
    }
}
