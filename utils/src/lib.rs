//! # pillars-utils
//!
//! Validation and string utilities for services.
//!
//! | module | what it holds | peers |
//! | --- | --- | --- |
//! | [`validate`] | rule-based validation (ozzo style) beside the `validator` derive; email, URL, host, IP, CIDR, UUID, ULID, semver, E.164, Luhn and more; one error type with field paths and machine codes that serializes to RFC 9457 problem details | `validator`, `garde` |
//! | [`strings`] | `stringify` of any `Serialize` value with secrets redacted, one-pass log redaction, `Redacted<T>`, grapheme-safe truncation, slugs, masking, case conversion, did-you-mean, human sizes and durations | naive multi-regex redaction, `chars().take(n)` |
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::pedantic)]

pub mod strings;
pub mod validate;
