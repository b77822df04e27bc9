//! # pillars-kit
//!
//! The facade of the pillars crate family: import one crate, get the three.
//!
//! | feature (default on) | re-export | crate |
//! | --- | --- | --- |
//! | `dsa` | [`dsa`] | `pillars-dsa`: consistent hashing, caches, rate limiters, ring buffers, filters |
//! | `utils` | [`utils`] | `pillars-utils`: validation and string utilities |
//! | `storage` | [`storage`] | `pillars-storage`: S3 and Cassandra adapters |
//!
//! ```
//! use pillars_kit::dsa::hashring::HashRing;
//!
//! let mut ring = HashRing::new();
//! ring.add("cache-a").unwrap();
//! ring.add("cache-b").unwrap();
//! assert!(ring.route(&"user:42").is_some());
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "dsa")]
#[doc(inline)]
pub use pillars_dsa as dsa;
#[cfg(feature = "storage")]
#[doc(inline)]
pub use pillars_storage as storage;
#[cfg(feature = "utils")]
#[doc(inline)]
pub use pillars_utils as utils;
