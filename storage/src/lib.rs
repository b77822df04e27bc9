//! # pillars-storage
//!
//! Storage adapters for services, each behind a feature and landing with its own
//! issue:
//!
//! | feature | module | what it will hold |
//! | --- | --- | --- |
//! | `s3` | `s3` | a bucket handle on `aws-sdk-s3`: streaming `list`, batch delete, bounded-memory parallel multipart upload, ranged parallel download, presigned URLs; an `ObjectStore` trait with S3, filesystem and in-memory backends |
//! | `cassandra` | `cassandra` | pagination on the `scylla` driver: `Page<T>` with an opaque, signed, query-bound cursor, typed row streams, keyset pagination, a resumable token-range scan |
//!
//! Until then the crate exports nothing: there are no placeholder functions.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
