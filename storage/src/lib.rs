//! # pillars-storage
//!
//! Storage adapters for services, each behind a feature:
//!
//! | feature | module | what it holds |
//! | --- | --- | --- |
//! | `cassandra` | [`cassandra`] | pagination on the `scylla` driver: `Page<T>` with an opaque, signed, query-bound cursor, typed row streams, keyset pagination, a resumable token-range scan |
//! | `cassandra-testing` | `cassandra::testing` | an in-process `kassandra` CQL server for tests, examples and benches |
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::pedantic)]

#[cfg(feature = "cassandra")]
pub mod cassandra;
