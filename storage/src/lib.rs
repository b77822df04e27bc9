//! # pillars-storage
//!
//! Storage adapters for services, each behind a feature:
//!
//! | feature | module | what it holds |
//! | --- | --- | --- |
//! | `s3` | [`s3`] | a bucket handle on `aws-sdk-s3`: bucket basics, streaming list, batch delete, bounded-memory multipart upload, parallel ranged download, presigned URLs; the `ObjectStore` trait with S3, filesystem and memory backends |
//! | `s3-core` | [`s3`] (part) | the `ObjectStore` trait with the filesystem and memory backends, without the AWS SDK |
//! | `s3-testing` | `s3::testing` | an in-process `s3s-fs` S3 server for tests, examples and benches |
//! | `cassandra` | [`cassandra`] | pagination on the `scylla` driver: `Page<T>` with an opaque, signed, query-bound cursor, typed row streams, keyset pagination, a resumable token-range scan |
//! | `cassandra-testing` | `cassandra::testing` | an in-process `kassandra` CQL server for tests, examples and benches |
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::pedantic)]

#[cfg(feature = "cassandra")]
pub mod cassandra;
#[cfg(feature = "s3-core")]
pub mod s3;
#[cfg(any(feature = "s3-testing", feature = "cassandra-testing"))]
mod server_thread;
