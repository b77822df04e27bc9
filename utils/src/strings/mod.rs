//! String utilities for services that never panic on any input.
//!
//! ```
//! use pillars_utils::strings::{self, Redacted};
//!
//! // Go `Stringify`-style rendering with secret-looking fields redacted.
//! #[derive(serde::Serialize)]
//! struct Login { user: String, password: String, otp: Option<u32> }
//! let login = Login { user: "ana".into(), password: "hunter2".into(), otp: None };
//! assert_eq!(strings::stringify(&login), r#"Login{user: "ana", password: "[REDACTED]"}"#);
//!
//! // Secrets and personal data in free text, in one pass.
//! let line = "GET /x?token=abc123 from 10.1.2.3 by ana@example.com";
//! assert_eq!(strings::redact(line), "GET /x?token=[REDACTED] from [IPV4] by [EMAIL]");
//!
//! // Truncation that never splits a grapheme (here a family emoji).
//! assert_eq!(strings::truncate_graphemes_with_ellipsis("hi 👨‍👩‍👧 there", 5, "…"), "hi 👨‍👩‍👧…");
//!
//! assert_eq!(strings::slugify("Crème Brûlée!"), "creme-brulee");
//! assert_eq!(strings::mask("4111111111111111", 4), "************1111");
//! assert_eq!(strings::to_snake_case("HTTPServer"), "http_server");
//! assert_eq!(strings::did_you_mean("stauts", ["status", "start", "stop"]), Some("status"));
//! assert_eq!(strings::format_size(1536), "1.5 KiB");
//! assert_eq!(format!("{:?}", Redacted::new("hunter2")), "[REDACTED]");
//! ```
//!
//! | file | what it holds | built on |
//! | --- | --- | --- |
//! | `stringify.rs` | [`stringify()`]: one-line `Type{field: value}` rendering of any `Serialize` value, secret-named fields redacted | `serde` |
//! | `redact.rs` | [`redact`], [`Redactor`]: bearer tokens, JWTs, AWS keys, URL and query passwords, emails, Luhn-checked card numbers, IPs; one linear-time pass | `regex-automata` (the `regex` engine), multi-pattern |
//! | `redacted.rs` | [`Redacted<T>`]: a wrapper whose `Debug`, `Display` and `Serialize` never show the value | — |
//! | `truncate.rs` | truncation by graphemes and by bytes on a grapheme boundary, optional ellipsis counted in the limit | `unicode-segmentation` |
//! | `slug.rs` | [`slugify`]: ASCII slugs that are never empty | `deunicode` |
//! | `mask.rs` | [`mask`]: keep the last *n* characters or graphemes | `unicode-segmentation` |
//! | `case.rs` | [`to_case`] and shorthands: snake, kebab, camel, Pascal, ... with documented acronym and digit rules | `heck` |
//! | `similarity.rs` | Levenshtein, normalized Levenshtein, Jaro-Winkler, [`did_you_mean`] | `strsim` |
//! | `human.rs` | human-readable sizes and durations, format and parse | `bytesize`, `humantime` |
//!
//! Every function takes any `&str` — combining marks, ZWJ emoji sequences,
//! right-to-left text, control characters — and none of them panics: slicing
//! happens only on boundaries that the segmenter or the regex engine
//! reported, and this is checked by property tests and a fuzz target.

mod case;
mod error;
mod human;
mod mask;
mod redact;
mod redacted;
mod similarity;
mod slug;
mod stringify;
mod truncate;

pub use case::{Case, to_camel_case, to_case, to_kebab_case, to_pascal_case, to_snake_case};
pub use error::Error;
pub use human::{format_duration, format_size, format_size_si, parse_duration, parse_size};
pub use mask::{MaskOptions, MaskUnit, mask, mask_with};
pub use redact::{Kind, Redactor, RedactorBuilder, redact};
pub use redacted::Redacted;
pub use similarity::{
    did_you_mean, did_you_mean_with, jaro_winkler, levenshtein, normalized_levenshtein,
};
pub use slug::{SlugOptions, slugify, slugify_with};
pub use stringify::{StringifyOptions, stringify, stringify_with, try_stringify};
pub use truncate::{
    truncate_bytes, truncate_bytes_with_ellipsis, truncate_graphemes,
    truncate_graphemes_with_ellipsis,
};

/// A `Result` whose error is this module's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
