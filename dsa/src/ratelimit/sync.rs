//! Synchronisation shim: `std` atomics normally, `loom`'s under `--cfg loom`,
//! so `tests/loom_ratelimit.rs` checks the CAS loops that ship (the pattern of
//! `ringbuf/sync.rs`).

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU32, AtomicU64, Ordering};

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
