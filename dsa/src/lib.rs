//! # pillars-dsa
//!
//! Concurrent data structures and algorithms for services and distributed
//! systems.
//!
//! | module | what it holds | peers |
//! | --- | --- | --- |
//! | [`hash`] | the one stable, seeded hash (XXH3) every persisted or shared format uses | — |
//! | [`hashring`] | consistent hashing: jump hash, Karger ring, Ketama, rendezvous, Maglev, bounded loads, a lock-free shared ring | `hashring`, `maglev`, `jumphash`, `rendezvous_hash` |
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `rayon` | yes | parallel batch operations (`Router::route_batch`) |
#![deny(missing_docs)]
#![warn(clippy::pedantic)]
#![allow(clippy::module_name_repetitions, clippy::must_use_candidate)]

pub mod hash;
pub mod hashring;
