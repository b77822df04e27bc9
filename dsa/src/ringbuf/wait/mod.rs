//! Blocking and async waiting on top of [`spsc`](super::spsc) and
//! [`mpmc`](super::mpmc): a push waits while the ring is full, a pop waits
//! while it is empty, and both wake on the other side's progress and on
//! close.
//!
//! | type | wraps | shared by | closed by |
//! | --- | --- | --- | --- |
//! | [`spsc_channel`] → ([`WaitProducer`], [`WaitConsumer`]) | [`spsc::channel`](super::spsc::channel) | moving each half to its thread or task | dropping either half |
//! | [`WaitQueue`] | [`mpmc::Queue`](super::mpmc::Queue) | `&` / `Arc` | [`WaitQueue::close`] |
//!
//! Every wrapper offers the same four ways to push and to pop:
//!
//! | | push | pop |
//! | --- | --- | --- |
//! | now or never | `try_push` → [`TryPushError`] | `try_pop` → [`TryPopError`] |
//! | block the thread | `push_blocking` → [`Closed<T>`](Closed) | `pop_blocking` → [`Closed`] |
//! | block, with a limit | `push_timeout` → [`PushTimeoutError`] | `pop_timeout` → [`PopTimeoutError`] |
//! | `.await` | `push_async` → [`Closed<T>`](Closed) | `pop_async` → [`Closed`] |
//!
//! A push on a closed ring hands its value back. A pop on a closed ring still
//! returns every value left in it, and reports [`Closed`] only once it is
//! empty. The `*_async` futures work with any executor (they use only
//! [`Waker`](core::task::Waker)s) and are cancellation-safe: a push future
//! owns its value until the moment it is in the ring, so dropping it before it
//! completes drops the value it never pushed (or call `cancel` on it to get
//! the value back), and dropping a pop future before it completes takes
//! nothing out of the ring.
//!
//! The plain `spsc` and `mpmc` types are untouched: these wrappers hold one.
//! Their `try_*` operations cost the wrapped operation plus, after a
//! successful push or pop, one `SeqCst` fence and one relaxed load of the
//! other side's waiter count; the lock is taken only when someone waits.
//! The protocol, and why no wake-up is lost, is set out in the source of
//! `wait/event.rs`: in short, a waiter announces itself (a waiter count, a
//! `SeqCst` fence) before it looks at the ring a last time, a notifier
//! publishes its progress and fences before it reads the count, so one of the
//! two always sees the other; a sequence number closes the gap between the
//! waiter's last look and its sleep.
//!
//! Every value pushed is dropped exactly once: by whoever pops it, by the
//! ring when the last handle to it goes away, or — for a push that never got
//! in — by the error or future that holds it.
//!
//! # Examples
//!
//! Blocking, between two threads:
//!
//! ```
//! use pillars_dsa::ringbuf::wait;
//! use std::thread;
//!
//! let (mut tx, mut rx) = wait::spsc_channel::<u64>(2)?;
//! let producer = thread::spawn(move || {
//!     for i in 0..1000 {
//!         tx.push_blocking(i).unwrap(); // waits while the ring is full
//!     }
//!     // Dropping `tx` closes the channel.
//! });
//! let mut sum = 0;
//! while let Ok(v) = rx.pop_blocking() {
//!     sum += v;
//! }
//! producer.join().unwrap();
//! assert_eq!(sum, 999 * 1000 / 2);
//! # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
//! ```
//!
//! Async, on any executor (here tokio's):
//!
//! ```
//! use pillars_dsa::ringbuf::wait::WaitQueue;
//! use std::sync::Arc;
//!
//! let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build()?;
//! rt.block_on(async {
//!     let q = Arc::new(WaitQueue::new(4)?);
//!     let q2 = Arc::clone(&q);
//!     let producer = tokio::spawn(async move {
//!         for i in 0..100u32 {
//!             q2.push_async(i).await.unwrap();
//!         }
//!         q2.close();
//!     });
//!     let mut got = Vec::new();
//!     while let Ok(v) = q.pop_async().await {
//!         got.push(v);
//!     }
//!     producer.await.unwrap();
//!     assert_eq!(got, (0..100).collect::<Vec<_>>());
//!     Ok::<(), Box<dyn std::error::Error>>(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

mod event;
mod queue;
mod spsc;

pub use queue::{QueuePop, QueuePush, WaitQueue};
pub use spsc::{ConsumerPop, ProducerPush, WaitConsumer, WaitProducer, spsc_channel};

/// The ring is closed: for a push, here is the value that was not pushed;
/// for a pop (`Closed<()>`, written `Closed`), the ring is closed and empty.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::wait::{self, Closed};
///
/// let (mut tx, rx) = wait::spsc_channel(4)?;
/// drop(rx);
/// let err = tx.push_blocking("lost?").unwrap_err();
/// assert_eq!(err, Closed("lost?"));
/// assert_eq!(err.into_inner(), "lost?"); // handed back, not lost
/// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Closed<T = ()>(pub T);

impl<T> Closed<T> {
    /// Returns the value that could not be pushed.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::Closed;
    ///
    /// assert_eq!(Closed(3).into_inner(), 3);
    /// ```
    #[must_use]
    pub fn into_inner(self) -> T {
        self.0
    }
}

// By hand so that `T` need not be `Debug` (as `std`'s `SendError`).
impl<T> fmt::Debug for Closed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Closed(..)")
    }
}

impl<T> fmt::Display for Closed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ring is closed")
    }
}

impl<T> std::error::Error for Closed<T> {}

/// A `try_push` that could not push; the value is handed back.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::wait::{self, TryPushError};
///
/// let (mut tx, rx) = wait::spsc_channel(1)?;
/// tx.try_push(1)?;
/// assert_eq!(tx.try_push(2), Err(TryPushError::Full(2)));
/// drop(rx);
/// assert_eq!(tx.try_push(3), Err(TryPushError::Closed(3)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum TryPushError<T> {
    /// The ring was full.
    Full(T),
    /// The ring is closed; nobody will pop the value.
    Closed(T),
}

impl<T> TryPushError<T> {
    /// Returns the value that could not be pushed.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::TryPushError;
    ///
    /// assert_eq!(TryPushError::Full(7).into_inner(), 7);
    /// assert_eq!(TryPushError::Closed(8).into_inner(), 8);
    /// ```
    #[must_use]
    pub fn into_inner(self) -> T {
        match self {
            Self::Full(value) | Self::Closed(value) => value,
        }
    }
}

impl<T> fmt::Debug for TryPushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("Full(..)"),
            Self::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for TryPushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("ring is full"),
            Self::Closed(_) => f.write_str("ring is closed"),
        }
    }
}

impl<T> std::error::Error for TryPushError<T> {}

/// A `try_pop` that found no value.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::wait::{self, TryPopError};
///
/// let (tx, mut rx) = wait::spsc_channel::<u8>(1)?;
/// assert_eq!(rx.try_pop(), Err(TryPopError::Empty));
/// drop(tx);
/// assert_eq!(rx.try_pop(), Err(TryPopError::Closed));
/// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TryPopError {
    /// The ring was empty (and is still open).
    Empty,
    /// The ring is closed and empty: no value will come.
    Closed,
}

impl fmt::Display for TryPopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("ring is empty"),
            Self::Closed => f.write_str("ring is closed and empty"),
        }
    }
}

impl std::error::Error for TryPopError {}

/// A `push_timeout` that could not push in time; the value is handed back.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::wait::{self, PushTimeoutError};
/// use std::time::Duration;
///
/// let (mut tx, _rx) = wait::spsc_channel(1)?;
/// tx.push_timeout('a', Duration::ZERO)?;
/// let err = tx.push_timeout('b', Duration::from_millis(1)).unwrap_err();
/// assert_eq!(err, PushTimeoutError::Timeout('b'));
/// assert_eq!(err.into_inner(), 'b');
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum PushTimeoutError<T> {
    /// The ring stayed full until the time was up.
    Timeout(T),
    /// The ring is closed; nobody will pop the value.
    Closed(T),
}

impl<T> PushTimeoutError<T> {
    /// Returns the value that could not be pushed.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::PushTimeoutError;
    ///
    /// assert_eq!(PushTimeoutError::Timeout(1).into_inner(), 1);
    /// ```
    #[must_use]
    pub fn into_inner(self) -> T {
        match self {
            Self::Timeout(value) | Self::Closed(value) => value,
        }
    }
}

impl<T> fmt::Debug for PushTimeoutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout(_) => f.write_str("Timeout(..)"),
            Self::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for PushTimeoutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout(_) => f.write_str("timed out waiting for a free slot"),
            Self::Closed(_) => f.write_str("ring is closed"),
        }
    }
}

impl<T> std::error::Error for PushTimeoutError<T> {}

/// A `pop_timeout` that got no value in time.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::wait::{self, PopTimeoutError};
/// use std::time::Duration;
///
/// let (tx, mut rx) = wait::spsc_channel::<u8>(1)?;
/// assert_eq!(rx.pop_timeout(Duration::from_millis(1)), Err(PopTimeoutError::Timeout));
/// drop(tx);
/// assert_eq!(rx.pop_timeout(Duration::from_millis(1)), Err(PopTimeoutError::Closed));
/// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PopTimeoutError {
    /// The ring stayed empty until the time was up.
    Timeout,
    /// The ring is closed and empty: no value will come.
    Closed,
}

impl fmt::Display for PopTimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout => f.write_str("timed out waiting for a value"),
            Self::Closed => f.write_str("ring is closed and empty"),
        }
    }
}

impl std::error::Error for PopTimeoutError {}

/// The deadline `timeout` from now; `None` (wait forever) if it overflows.
fn deadline(timeout: core::time::Duration) -> Option<std::time::Instant> {
    std::time::Instant::now().checked_add(timeout)
}
