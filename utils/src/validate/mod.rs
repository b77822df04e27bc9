//! Validation that is right where `validator` and `garde` are wrong, with one
//! error type for derived structs and hand-written rules alike.
//!
//! ```
//! use pillars_utils::validate::{email, length, optional, range, url, Validation};
//!
//! struct SignUp { email: String, name: String, age: u8, homepage: Option<String> }
//! let form = SignUp {
//!     email: "John..Doe@example.com".into(),
//!     name: "Ada".into(),
//!     age: 12,
//!     homepage: Some("javascript:alert(1)".into()),
//! };
//! let err = Validation::new()
//!     .field("email", &form.email, email())
//!     .field("name", &form.name, length(1..=50).graphemes())
//!     .field("age", &form.age, range(13..))
//!     .field("homePage", &form.homepage, optional(url()))
//!     .finish()
//!     .unwrap_err();
//! let body = serde_json::to_value(err.problem()).unwrap();
//! assert_eq!(body["status"], 400);
//! assert_eq!(body["errors"][0]["code"], "email");
//! assert_eq!(body["errors"][2]["pointer"], "/homePage");
//! ```
//!
//! | file | what |
//! | --- | --- |
//! | [`error`](Error) | [`Error`], [`Violation`], [`Path`]: codes, params, replaceable messages, JSON and RFC 9457 problem details; no rejected value unless asked |
//! | rules | [`Rule`], [`Validation`], `required`, `optional`, `length` (bytes / chars / graphemes / UTF-16), `count`, `range`, `one_of`, `not_one_of`, `matches`, `each`, `keys`, `values`, `when` / `otherwise`, `custom`, `func`, `nested` |
//! | [`derive`](mod@derive) | the `validator` derive, reporting through [`Error`] |
//! | email | [`Email`]: HTML5-compatible default and strict RFC 5321 profiles |
//! | url | [`UrlRule`]: scheme allow-list, no raw white space or controls, host policy |
//! | host, ip | host name, DNS name, port, `host:port`; IP, IPv4, IPv6, CIDR, MAC |
//! | ids, phone, luhn | UUID (+ version), ULID, semver; E.164; Luhn and card numbers |
//! | encoding, geo, datetime, text | base64(url), hex, hex colour, JSON; latitude, longitude; RFC 3339 date(-time); ASCII, printable |
//!
//! Conformance: the strict email profile agrees with every case of the
//! isemail test set it claims (see `NOTES.md` for the figures beside
//! `validator` and `garde`), and URL checks agree with the WHATWG URL test
//! data except where raw white space is rejected on purpose.

mod datetime;
pub mod derive;
mod email;
mod encoding;
mod error;
mod format;
mod geo;
mod host;
mod ids;
mod ip;
mod luhn;
mod phone;
mod rules;
mod text;
mod url;

pub use datetime::{date, datetime, is_date, is_datetime};
pub use derive::{Validate, validator};
pub use email::{
    Email, EmailError, EmailProfile, MAX_ADDRESS_LEN, MAX_DOMAIN_LEN, MAX_LOCAL_LEN, email,
    email_strict, is_email,
};
pub use encoding::{
    base64, base64url, hex, hex_color, is_base64, is_base64url, is_hex, is_hex_color, is_json, json,
};
pub use error::{Error, PROBLEM_JSON, Path, PathSegment, ProblemDetails, Violation};
pub use format::Format;
pub use geo::{Degrees, is_latitude, is_longitude, latitude, longitude};
pub use host::{
    MAX_HOSTNAME_LEN, dns_name, host_port, hostname, is_dns_name, is_host_port, is_hostname,
    is_port, parse_port, port,
};
pub use ids::{
    UuidVersion, is_semver, is_ulid, is_uuid, semver, ulid, uuid, uuid_version, uuid_version_of,
};
pub use ip::{
    cidr, cidr_network, ip, ipv4, ipv6, is_cidr, is_cidr_network, is_ip, is_ipv4, is_ipv6, is_mac,
    mac, parse_cidr, parse_mac,
};
pub use luhn::{card_number, is_card_number, is_luhn, luhn};
pub use phone::{e164, is_e164};
pub use rules::{
    Collection, Count, Custom, Each, Func, InRange, Keys, Length, LengthMode, Map, Matches, Nested,
    OneOf, Optional, Pass, Required, Reveal, Rule, RuleExt, Validatable, Validation, Values, When,
    WithCode, WithMessage, count, custom, each, func, keys, length, matches, nested, not_one_of,
    one_of, optional, pass, range, required, required_and, validate, values, when,
};
pub use text::{ascii, is_ascii, is_printable, is_printable_ascii, printable, printable_ascii};
pub use url::{HostPolicy, UrlError, UrlRule, is_public_ip, is_url, url};
