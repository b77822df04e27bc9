//! Synchronisation shim: `std` types normally, `loom` types under `--cfg loom`.
//!
//! The lock-free rings import every atomic, `Arc`, `UnsafeCell` and backoff
//! from here, so the loom models in `tests/loom_ringbuf.rs` check the very
//! code that ships (the same pattern as tokio's `loom` module and
//! `quick_cache`'s `shim.rs`).
//!
//! The `std` [`UnsafeCell`] is a `#[repr(transparent)]` wrapper over
//! [`core::cell::UnsafeCell`] exposing loom's closure API (`with`,
//! `with_mut`). Because it is transparent, a slice of
//! `UnsafeCell<MaybeUninit<T>>` has the layout of a slice of `T`, which the
//! bulk (`Copy` slice and chunk) paths of `spsc` rely on; those paths are
//! compiled only without `loom`, whose cell carries extra tracking state.

#[cfg(loom)]
pub(crate) use loom::sync::Arc;
#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence};
/// Parking for the waiting wrappers (`ringbuf::wait`).
#[cfg(loom)]
pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use std::sync::Arc;
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence};
/// Parking for the waiting wrappers (`ringbuf::wait`).
#[cfg(not(loom))]
pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};

#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;

/// `core::cell::UnsafeCell` with loom's closure-based API.
#[cfg(not(loom))]
#[repr(transparent)]
pub(crate) struct UnsafeCell<T>(core::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    /// Wraps `value`.
    pub(crate) const fn new(value: T) -> Self {
        Self(core::cell::UnsafeCell::new(value))
    }

    /// Calls `f` with a shared raw pointer to the contents.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Calls `f` with a mutable raw pointer to the contents.
    #[inline]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

/// Exponential backoff for CAS retry loops; under loom every spin yields so
/// the model checker can schedule the thread we are waiting for.
#[cfg(not(loom))]
pub(crate) use crossbeam_utils::Backoff;

/// Loom stand-in for [`crossbeam_utils::Backoff`].
#[cfg(loom)]
pub(crate) struct Backoff;

#[cfg(loom)]
#[allow(clippy::unused_self)]
impl Backoff {
    pub(crate) fn new() -> Self {
        Self
    }
    pub(crate) fn spin(&self) {
        loom::thread::yield_now();
    }
    pub(crate) fn snooze(&self) {
        loom::thread::yield_now();
    }
}
