//! A waiting [`mpmc::Queue`](crate::ringbuf::mpmc::Queue).

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use crossbeam_utils::CachePadded;

use super::event::{Event, WaitKey};
use super::{Closed, PopTimeoutError, PushTimeoutError, TryPopError, TryPushError, deadline};
use crate::ringbuf::CapacityError;
use crate::ringbuf::mpmc::Queue;
use crate::ringbuf::sync::{AtomicBool, Ordering};

/// A bounded multi-producer multi-consumer queue whose pushes can wait while
/// it is full and whose pops can wait while it is empty, by blocking the
/// thread or as futures. It wraps an [`mpmc::Queue`](Queue).
///
/// Share it by reference (`&WaitQueue`, `Arc<WaitQueue>`, scoped threads).
/// [`close`](Self::close) ends it: pushes then fail with their value handed
/// back, pops return what is left and then [`Closed`]. Any number of threads
/// and tasks may wait on each side; each notification wakes them all, and
/// those that find nothing wait again.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::wait::WaitQueue;
/// use std::thread;
///
/// let q = WaitQueue::new(2)?;
/// let total = thread::scope(|s| {
///     for p in 0..2u64 {
///         let q = &q;
///         s.spawn(move || (0..100).for_each(|i| q.push_blocking(p * 100 + i).unwrap()));
///     }
///     let consumers: Vec<_> = (0..2)
///         .map(|_| s.spawn(|| (0..100).map(|_| q.pop_blocking().unwrap()).sum::<u64>()))
///         .collect();
///     consumers.into_iter().map(|c| c.join().unwrap()).sum::<u64>()
/// });
/// assert_eq!(total, (0..200).sum());
/// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
/// ```
pub struct WaitQueue<T> {
    queue: Queue<T>,
    /// Set (once, for good) by `close`.
    closed: AtomicBool,
    /// Consumers wait on it; pushes and close notify it.
    not_empty: CachePadded<Event>,
    /// Producers wait on it; pops and close notify it.
    not_full: CachePadded<Event>,
}

impl<T> WaitQueue<T> {
    /// Creates a queue holding at most `capacity` values (exactly, as
    /// [`mpmc::Queue::new`](Queue::new)).
    ///
    /// # Errors
    ///
    /// [`CapacityError::Zero`] if `capacity` is 0, [`CapacityError::TooLarge`]
    /// if it cannot be allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::{wait::WaitQueue, CapacityError};
    ///
    /// assert_eq!(WaitQueue::<u8>::new(3)?.capacity(), 3);
    /// assert_eq!(WaitQueue::<u8>::new(0).unwrap_err(), CapacityError::Zero);
    /// # Ok::<(), CapacityError>(())
    /// ```
    pub fn new(capacity: usize) -> Result<Self, CapacityError> {
        Ok(Self {
            queue: Queue::new(capacity)?,
            closed: AtomicBool::new(false),
            not_empty: CachePadded::new(Event::new()),
            not_full: CachePadded::new(Event::new()),
        })
    }

    /// One push attempt: `Ok` when finished, `Err(value)` when full.
    fn attempt_push(&self, value: T) -> Result<Result<(), Closed<T>>, T> {
        if self.is_closed() {
            return Ok(Err(Closed(value)));
        }
        self.queue.push(value)?;
        self.not_empty.notify();
        Ok(Ok(()))
    }

    /// One pop attempt: `Ok` when finished, `Err(())` when empty and open.
    fn attempt_pop(&self) -> Result<Result<T, Closed>, ()> {
        if let Some(value) = self.queue.pop() {
            self.not_full.notify();
            return Ok(Ok(value));
        }
        if !self.is_closed() {
            return Err(());
        }
        // Closed: pushes that completed before the close (Release, read
        // with Acquire) are visible to this second look.
        Ok(match self.queue.pop() {
            Some(value) => {
                self.not_full.notify();
                Ok(value)
            }
            None => Err(Closed(())),
        })
    }

    /// Pushes `value` if there is room, without waiting.
    ///
    /// # Errors
    ///
    /// [`TryPushError::Full`] if the queue is full, [`TryPushError::Closed`]
    /// if it is closed; both carry `value` back.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::{TryPushError, WaitQueue};
    ///
    /// let q = WaitQueue::new(1)?;
    /// assert_eq!(q.try_push(1), Ok(()));
    /// assert_eq!(q.try_push(2), Err(TryPushError::Full(2)));
    /// q.close();
    /// assert_eq!(q.try_push(3), Err(TryPushError::Closed(3)));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[inline]
    pub fn try_push(&self, value: T) -> Result<(), TryPushError<T>> {
        match self.attempt_push(value) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(Closed(value))) => Err(TryPushError::Closed(value)),
            Err(value) => Err(TryPushError::Full(value)),
        }
    }

    /// Pops the value at the front, without waiting.
    ///
    /// # Errors
    ///
    /// [`TryPopError::Empty`] if the queue is empty,
    /// [`TryPopError::Closed`] if it is empty and closed.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::{TryPopError, WaitQueue};
    ///
    /// let q = WaitQueue::new(2)?;
    /// assert_eq!(q.try_pop(), Err(TryPopError::Empty));
    /// q.try_push('a').unwrap();
    /// q.close();
    /// assert_eq!(q.try_pop(), Ok('a'));
    /// assert_eq!(q.try_pop(), Err(TryPopError::Closed));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[inline]
    pub fn try_pop(&self) -> Result<T, TryPopError> {
        match self.attempt_pop() {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(Closed(()))) => Err(TryPopError::Closed),
            Err(()) => Err(TryPopError::Empty),
        }
    }

    /// Pushes `value`, parking the thread while the queue is full.
    ///
    /// # Errors
    ///
    /// [`Closed`], carrying `value` back, if the queue is closed (before or
    /// while waiting).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::{Closed, WaitQueue};
    ///
    /// let q = WaitQueue::new(1)?;
    /// q.push_blocking(1).unwrap();
    /// q.close();
    /// assert_eq!(q.push_blocking(2), Err(Closed(2)));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn push_blocking(&self, value: T) -> Result<(), Closed<T>> {
        let mut value = value;
        loop {
            match self.not_full.wait(value, None, |v| self.attempt_push(v)) {
                Ok(done) => return done,
                // Without a deadline `wait` returns only when finished.
                Err(v) => value = v,
            }
        }
    }

    /// Pops the value at the front, parking the thread while the queue is
    /// empty.
    ///
    /// # Errors
    ///
    /// [`Closed`] once the queue is closed and empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::WaitQueue;
    ///
    /// let q = WaitQueue::new(1)?;
    /// std::thread::scope(|s| {
    ///     s.spawn(|| q.push_blocking(5).unwrap());
    ///     assert_eq!(q.pop_blocking(), Ok(5));
    /// });
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn pop_blocking(&self) -> Result<T, Closed> {
        loop {
            if let Ok(done) = self.not_empty.wait((), None, |()| self.attempt_pop()) {
                return done;
            }
            // Without a deadline `wait` returns only when finished.
        }
    }

    /// Pushes `value`, parking the thread while the queue is full, for at
    /// most about `timeout`.
    ///
    /// # Errors
    ///
    /// [`PushTimeoutError::Timeout`] if the queue stayed full,
    /// [`PushTimeoutError::Closed`] if it is closed; both carry `value` back.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::{PushTimeoutError, WaitQueue};
    /// use std::time::Duration;
    ///
    /// let q = WaitQueue::new(1)?;
    /// q.push_timeout(1, Duration::from_millis(5)).unwrap();
    /// assert_eq!(q.push_timeout(2, Duration::from_millis(5)), Err(PushTimeoutError::Timeout(2)));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn push_timeout(&self, value: T, timeout: Duration) -> Result<(), PushTimeoutError<T>> {
        match self
            .not_full
            .wait(value, deadline(timeout), |v| self.attempt_push(v))
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(Closed(value))) => Err(PushTimeoutError::Closed(value)),
            Err(value) => Err(PushTimeoutError::Timeout(value)),
        }
    }

    /// Pops the value at the front, parking the thread while the queue is
    /// empty, for at most about `timeout`.
    ///
    /// # Errors
    ///
    /// [`PopTimeoutError::Timeout`] if the queue stayed empty,
    /// [`PopTimeoutError::Closed`] if it is empty and closed.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::{PopTimeoutError, WaitQueue};
    /// use std::time::Duration;
    ///
    /// let q = WaitQueue::<u8>::new(1)?;
    /// assert_eq!(q.pop_timeout(Duration::from_millis(5)), Err(PopTimeoutError::Timeout));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn pop_timeout(&self, timeout: Duration) -> Result<T, PopTimeoutError> {
        match self
            .not_empty
            .wait((), deadline(timeout), |()| self.attempt_pop())
        {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(Closed(()))) => Err(PopTimeoutError::Closed),
            Err(()) => Err(PopTimeoutError::Timeout),
        }
    }

    /// A future that pushes `value`, waiting while the queue is full. It
    /// resolves to `Err(Closed(value))` if the queue is closed.
    ///
    /// Cancellation-safe: the future owns `value` until the moment it is in
    /// the queue. Dropping the future before it completes drops the value,
    /// which was never pushed; [`QueuePush::cancel`] returns it instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::WaitQueue;
    ///
    /// let rt = tokio::runtime::Builder::new_current_thread().build()?;
    /// let q = WaitQueue::new(1)?;
    /// rt.block_on(async {
    ///     q.push_async(1).await.unwrap();
    ///     assert_eq!(q.pop_async().await, Ok(1));
    /// });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn push_async(&self, value: T) -> QueuePush<'_, T> {
        QueuePush {
            queue: self,
            value: Some(value),
            key: None,
        }
    }

    /// A future that pops the value at the front, waiting while the queue
    /// is empty. It resolves to `Err(Closed)` once the queue is closed and
    /// empty.
    ///
    /// Cancellation-safe: a value is taken out of the queue only in the poll
    /// that returns it, so dropping the future loses nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::{Closed, WaitQueue};
    ///
    /// let rt = tokio::runtime::Builder::new_current_thread().build()?;
    /// let q = WaitQueue::<u8>::new(1)?;
    /// q.close();
    /// assert_eq!(rt.block_on(q.pop_async()), Err(Closed(())));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pop_async(&self) -> QueuePop<'_, T> {
        QueuePop {
            queue: self,
            key: None,
        }
    }

    /// Closes the queue, for good, and wakes every waiter: pushes then fail
    /// with their value handed back; pops return the values left, then
    /// [`Closed`]. A push that raced with the close may still get in; its
    /// value is then popped or dropped with the queue.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::WaitQueue;
    ///
    /// let q = WaitQueue::<u8>::new(1)?;
    /// q.close();
    /// assert!(q.is_closed());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.not_empty.notify();
        self.not_full.notify();
    }

    /// Whether [`close`](Self::close) was called.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::WaitQueue;
    ///
    /// assert!(!WaitQueue::<u8>::new(1)?.is_closed());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// The number of values in the queue (a snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::WaitQueue;
    ///
    /// let q = WaitQueue::new(4)?;
    /// q.try_push(1).unwrap();
    /// assert_eq!(q.len(), 1);
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether the queue is empty (a snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::WaitQueue;
    ///
    /// assert!(WaitQueue::<u8>::new(4)?.is_empty());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Whether the queue is full (a snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::WaitQueue;
    ///
    /// let q = WaitQueue::new(1)?;
    /// q.try_push(1).unwrap();
    /// assert!(q.is_full());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn is_full(&self) -> bool {
        self.queue.is_full()
    }

    /// The most values the queue holds (exactly as created).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::WaitQueue;
    ///
    /// assert_eq!(WaitQueue::<u8>::new(10)?.capacity(), 10);
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.queue.capacity()
    }
}

impl<T> fmt::Debug for WaitQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitQueue")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// The future of [`WaitQueue::push_async`]: resolves to `Ok(())` once the
/// value is in the queue, or `Err(Closed(value))` if the queue is closed.
///
/// Dropping it before it completes drops the value, which was never pushed;
/// [`cancel`](Self::cancel) hands it back instead.
///
/// # Panics
///
/// Polling it again after it completed panics.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::wait::WaitQueue;
/// use std::time::Duration;
///
/// let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
/// let q = WaitQueue::new(1)?;
/// q.try_push(1).unwrap();
/// rt.block_on(async {
///     let mut push = q.push_async(2);
///     assert!(tokio::time::timeout(Duration::from_millis(5), &mut push).await.is_err());
///     assert_eq!(push.cancel(), Some(2)); // not lost, not pushed
/// });
/// assert_eq!(q.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct QueuePush<'a, T> {
    queue: &'a WaitQueue<T>,
    value: Option<T>,
    key: WaitKey,
}

// The value is only ever moved out through `Option::take`; nothing is
// pinned structurally.
impl<T> Unpin for QueuePush<'_, T> {}

impl<T> QueuePush<'_, T> {
    /// Gives up pushing: the value, if it is not in the queue yet.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::WaitQueue;
    ///
    /// let q = WaitQueue::new(1)?;
    /// assert_eq!(q.push_async("v").cancel(), Some("v"));
    /// assert!(q.is_empty());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn cancel(mut self) -> Option<T> {
        self.value.take()
    }
}

impl<T> Future for QueuePush<'_, T> {
    type Output = Result<(), Closed<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let Some(value) = this.value.take() else {
            panic!("`QueuePush` polled after completion");
        };
        let queue = this.queue;
        match queue
            .not_full
            .poll(&mut this.key, cx.waker(), value, |v| queue.attempt_push(v))
        {
            Ok(done) => Poll::Ready(done),
            Err(value) => {
                this.value = Some(value);
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for QueuePush<'_, T> {
    fn drop(&mut self) {
        self.queue.not_full.unregister(&mut self.key);
    }
}

impl<T> fmt::Debug for QueuePush<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueuePush")
            .field("pending", &self.value.is_some())
            .finish_non_exhaustive()
    }
}

/// The future of [`WaitQueue::pop_async`]: resolves to the front value, or
/// `Err(Closed)` once the queue is closed and empty. Dropping it before it
/// completes takes nothing out of the queue.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::wait::WaitQueue;
///
/// let rt = tokio::runtime::Builder::new_current_thread().build()?;
/// let q = WaitQueue::new(1)?;
/// q.try_push(4).unwrap();
/// assert_eq!(rt.block_on(q.pop_async()), Ok(4));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct QueuePop<'a, T> {
    queue: &'a WaitQueue<T>,
    key: WaitKey,
}

impl<T> Future for QueuePop<'_, T> {
    type Output = Result<T, Closed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let queue = this.queue;
        match queue
            .not_empty
            .poll(&mut this.key, cx.waker(), (), |()| queue.attempt_pop())
        {
            Ok(done) => Poll::Ready(done),
            Err(()) => Poll::Pending,
        }
    }
}

impl<T> Drop for QueuePop<'_, T> {
    fn drop(&mut self) {
        self.queue.not_empty.unregister(&mut self.key);
    }
}

impl<T> fmt::Debug for QueuePop<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueuePop").finish_non_exhaustive()
    }
}
