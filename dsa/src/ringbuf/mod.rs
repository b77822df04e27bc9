//! Bounded ring buffers for passing values between threads, and a
//! keep-the-last-N ring.
//!
//! | type | threads | when full | progress |
//! | --- | --- | --- | --- |
//! | [`spsc::channel`] → ([`spsc::Producer`], [`spsc::Consumer`]) | one producer, one consumer | `push` hands the value back | wait-free |
//! | [`mpmc::Queue`] | any number of each, shared by `&` | `push` hands the value back, or `force_push` evicts the oldest | no locks; CAS retry (see [`mpmc`] on progress) |
//! | [`overwrite::Overwrite`] | one (`&mut`) | `push` evicts and returns the oldest | O(1), no `unsafe` |
//! | [`wait::spsc_channel`], [`wait::WaitQueue`] | as `spsc` / `mpmc` | `push_blocking` / `push_async` wait (and `try_push` hands the value back) | blocks or `.await`s; lock only when someone waits |
//!
//! # Design
//!
//! **`spsc`** is the ring of Lamport (1983) with the index caching of
//! `rtrb`/Rigtorp: the read index (`head`) and the write index (`tail`) live
//! on their own cache lines ([`crossbeam_utils::CachePadded`]), each side
//! keeps a private copy of the *other* side's index and re-reads the shared
//! one only when that copy says the ring is full (producer) or empty
//! (consumer). In the common case a `push` or `pop` touches one shared cache
//! line — its own index, written once. Indices run freely and wrap at
//! `usize::MAX`; the capacity is a power of two so `index & (capacity - 1)` is
//! the slot. Besides `push`/`pop` there are `Copy` slice operations (one or two
//! `memcpy`s and one index store) and zero-copy chunk views.
//!
//! **`mpmc`** is Vyukov's bounded MPMC queue in the form of crossbeam's
//! `ArrayQueue`: every slot carries a sequence number ("stamp") that says
//! whether it is ready to be written or read in the current lap, producers and
//! consumers claim positions with one CAS on `tail`/`head`. The capacity is
//! exact (not rounded).
//!
//! **`wait`** wraps an `spsc` ring or an `mpmc` queue with an event count per
//! side (a waiter count, a sequence number, a `Mutex` + `Condvar` and a list
//! of wakers): pushes wait while full, pops while empty, blocking the thread
//! or as futures, and both wake on the other side's progress and on close.
//! The wrapped rings are unchanged; a wrapper's `try_*` adds one `SeqCst`
//! fence and one load after a successful operation while nobody waits.
//!
//! **`overwrite`** is a safe, single-threaded ring for "the last N things"
//! (recent log lines, a latency window), built on `VecDeque`.
//!
//! Memory: `spsc` holds `capacity.next_power_of_two() * size_of::<T>()` bytes
//! plus two cache lines; `mpmc` holds `capacity * (size_of::<T>() + size_of::<usize>())`
//! (rounded up for alignment) plus two cache lines; `overwrite` holds
//! `capacity * size_of::<T>()`. All allocate once, up front, and report an
//! allocation that cannot be made as [`CapacityError::TooLarge`] instead of
//! aborting.
//!
//! Every value pushed is dropped exactly once: by whoever pops it, or by the
//! ring when the last handle to it goes away.
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::ringbuf::{spsc, PopError};
//! use std::thread;
//!
//! let (mut tx, mut rx) = spsc::channel::<u64>(1024)?;
//! let producer = thread::spawn(move || {
//!     for i in 0..10_000 {
//!         let mut v = i;
//!         // A full ring hands the value back: nothing is lost.
//!         while let Err(e) = tx.push(v) {
//!             v = e.into_inner();
//!             thread::yield_now();
//!         }
//!     }
//! });
//! let mut next = 0;
//! while next < 10_000 {
//!     match rx.pop() {
//!         Ok(v) => {
//!             assert_eq!(v, next);
//!             next += 1;
//!         }
//!         Err(PopError::Empty) => thread::yield_now(),
//!     }
//! }
//! producer.join().unwrap();
//! # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
//! ```
//!
//! # Testing
//!
//! The lock-free code imports its atomics through a private `sync` shim, so
//! `RUSTFLAGS="--cfg loom" cargo test --release --test loom_ringbuf` checks
//! the shipped code under loom; every `unsafe` path is exercised under Miri
//! (`cargo +nightly miri test --test miri_ringbuf`, strict provenance), and
//! each structure is model-checked against `VecDeque` with proptest.

use core::fmt;

pub mod mpmc;
pub mod overwrite;
pub mod spsc;
pub(crate) mod sync;
pub mod wait;

/// The capacity asked for cannot be used.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::{mpmc, CapacityError};
///
/// assert_eq!(mpmc::Queue::<u8>::new(0).unwrap_err(), CapacityError::Zero);
/// assert!(matches!(
///     mpmc::Queue::<u64>::new(usize::MAX),
///     Err(CapacityError::TooLarge { requested: usize::MAX })
/// ));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CapacityError {
    /// A capacity of zero was asked for; a ring must hold at least one value.
    Zero,
    /// The capacity (after rounding, where the ring rounds) does not fit in
    /// memory or in the index arithmetic, or the allocation failed.
    TooLarge {
        /// The capacity that was asked for.
        requested: usize,
    },
}

impl fmt::Display for CapacityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Zero => f.write_str("ring capacity must be at least 1"),
            Self::TooLarge { requested } => {
                write!(f, "ring capacity {requested} is too large to allocate")
            }
        }
    }
}

impl std::error::Error for CapacityError {}

/// A push into a full ring; the value is handed back.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::{spsc, PushError};
///
/// let (mut tx, _rx) = spsc::channel(1)?;
/// tx.push("a")?;
/// let err = tx.push("b").unwrap_err();
/// assert_eq!(err, PushError::Full("b"));
/// assert_eq!(err.into_inner(), "b");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum PushError<T> {
    /// The ring was full; here is the value that was not pushed.
    Full(T),
}

impl<T> PushError<T> {
    /// Returns the value that could not be pushed.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::PushError;
    ///
    /// assert_eq!(PushError::Full(7).into_inner(), 7);
    /// ```
    #[must_use]
    pub fn into_inner(self) -> T {
        match self {
            Self::Full(value) => value,
        }
    }
}

// Written by hand so that `T` need not be `Debug` (as `std`'s `SendError`),
// letting `?` and `unwrap` work for any element type.
impl<T> fmt::Debug for PushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("Full(..)"),
        }
    }
}

impl<T> fmt::Display for PushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("ring is full"),
        }
    }
}

impl<T> std::error::Error for PushError<T> {}

/// A pop from an empty ring.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::{spsc, PopError};
///
/// let (_tx, mut rx) = spsc::channel::<u8>(4)?;
/// assert_eq!(rx.pop(), Err(PopError::Empty));
/// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PopError {
    /// The ring held no value.
    Empty,
}

impl fmt::Display for PopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("ring is empty"),
        }
    }
}

impl std::error::Error for PopError {}
