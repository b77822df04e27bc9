//! # pillars-utils
//!
//! Validation and string utilities for services.
//!
//! This crate is the home of two modules, each landing with its own issue:
//!
//! | module | what it will hold |
//! | --- | --- |
//! | `validate` | rule-based validation (ozzo style) beside the `validator` derive; the rules services need (email, URL, host, IP, CIDR, UUID, semver, E.164, Luhn, ...); one error type with field paths and machine codes that serializes to RFC 9457 problem details |
//! | `strings` | `stringify` of any `Serialize` value with secrets redacted, log redaction, grapheme-safe truncation, slugs, masking, case conversion |
//!
//! Until then the crate exports nothing: there are no placeholder functions.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
