//! Synchronisation shim: `parking_lot` normally, `loom` under `--cfg loom`,
//! so the loom model in `tests/loom_lru.rs` checks the single-flight code
//! that ships (the pattern of `ringbuf/sync.rs`).
//!
//! Both flavours have the same small API: [`Mutex::lock`] returns the guard
//! (no poisoning: a panic while holding a lock leaves the data usable, which
//! is sound here because every critical section leaves the cache consistent
//! before it can call user code), and [`Condvar::wait`] takes and returns the
//! guard by value.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, Ordering};

/// A mutex that never poisons.
pub(crate) struct Mutex<T>(
    #[cfg(not(loom))] parking_lot::Mutex<T>,
    #[cfg(loom)] loom::sync::Mutex<T>,
);

/// The guard of [`Mutex`].
#[cfg(not(loom))]
pub(crate) type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;
/// The guard of [`Mutex`].
#[cfg(loom)]
pub(crate) type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

impl<T> Mutex<T> {
    pub(crate) fn new(value: T) -> Self {
        #[cfg(not(loom))]
        {
            Self(parking_lot::Mutex::new(value))
        }
        #[cfg(loom)]
        {
            Self(loom::sync::Mutex::new(value))
        }
    }

    #[inline]
    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        #[cfg(not(loom))]
        {
            self.0.lock()
        }
        #[cfg(loom)]
        {
            self.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        }
    }
}

/// A condition variable paired with [`Mutex`].
pub(crate) struct Condvar(
    #[cfg(not(loom))] parking_lot::Condvar,
    #[cfg(loom)] loom::sync::Condvar,
);

impl Condvar {
    pub(crate) fn new() -> Self {
        #[cfg(not(loom))]
        {
            Self(parking_lot::Condvar::new())
        }
        #[cfg(loom)]
        {
            Self(loom::sync::Condvar::new())
        }
    }

    /// Blocks until notified (or spuriously), releasing the lock meanwhile.
    pub(crate) fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        #[cfg(not(loom))]
        {
            let mut guard = guard;
            self.0.wait(&mut guard);
            guard
        }
        #[cfg(loom)]
        {
            self.0
                .wait(guard)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        }
    }

    pub(crate) fn notify_all(&self) {
        self.0.notify_all();
    }
}

/// A reader-writer lock that never poisons (the shards of `ConcurrentLru`:
/// SIEVE hits share the read side).
pub(crate) struct RwLock<T>(
    #[cfg(not(loom))] parking_lot::RwLock<T>,
    #[cfg(loom)] loom::sync::RwLock<T>,
);

/// The shared guard of [`RwLock`].
#[cfg(not(loom))]
pub(crate) type ReadGuard<'a, T> = parking_lot::RwLockReadGuard<'a, T>;
/// The shared guard of [`RwLock`].
#[cfg(loom)]
pub(crate) type ReadGuard<'a, T> = loom::sync::RwLockReadGuard<'a, T>;
/// The exclusive guard of [`RwLock`].
#[cfg(not(loom))]
pub(crate) type WriteGuard<'a, T> = parking_lot::RwLockWriteGuard<'a, T>;
/// The exclusive guard of [`RwLock`].
#[cfg(loom)]
pub(crate) type WriteGuard<'a, T> = loom::sync::RwLockWriteGuard<'a, T>;

impl<T> RwLock<T> {
    pub(crate) fn new(value: T) -> Self {
        #[cfg(not(loom))]
        {
            Self(parking_lot::RwLock::new(value))
        }
        #[cfg(loom)]
        {
            Self(loom::sync::RwLock::new(value))
        }
    }

    #[inline]
    pub(crate) fn read(&self) -> ReadGuard<'_, T> {
        #[cfg(not(loom))]
        {
            self.0.read()
        }
        #[cfg(loom)]
        {
            self.0
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        }
    }

    #[inline]
    pub(crate) fn write(&self) -> WriteGuard<'_, T> {
        #[cfg(not(loom))]
        {
            self.0.write()
        }
        #[cfg(loom)]
        {
            self.0
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        }
    }
}
