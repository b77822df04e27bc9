//! Waiting halves of an [`spsc`](crate::ringbuf::spsc) ring.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use crossbeam_utils::CachePadded;

use super::event::{Event, WaitKey};
use super::{Closed, PopTimeoutError, PushTimeoutError, TryPopError, TryPushError, deadline};
use crate::ringbuf::CapacityError;
use crate::ringbuf::spsc::{self, Consumer, Producer};
use crate::ringbuf::sync::{Arc, AtomicBool, Ordering};

/// What the two halves share besides the ring: the close flag and one event
/// per side.
struct Signal {
    /// Set (once, for good) when either half is dropped.
    closed: AtomicBool,
    /// The consumer waits on it; pushes and close notify it.
    not_empty: CachePadded<Event>,
    /// The producer waits on it; pops and close notify it.
    not_full: CachePadded<Event>,
}

impl Signal {
    fn close(&self) {
        // The store is "progress" in the sense of the event protocol: each
        // `notify` fences after it, and waiters re-read `closed` after their
        // own fence.
        self.closed.store(true, Ordering::Release);
        self.not_empty.notify();
        self.not_full.notify();
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

/// One push attempt: `Ok` when finished (pushed, or closed with the value
/// back), `Err(value)` when the ring is full.
fn attempt_push<T>(
    inner: &mut Producer<T>,
    signal: &Signal,
    value: T,
) -> Result<Result<(), Closed<T>>, T> {
    if signal.is_closed() {
        return Ok(Err(Closed(value)));
    }
    match inner.push(value) {
        Ok(()) => {
            signal.not_empty.notify();
            Ok(Ok(()))
        }
        Err(full) => Err(full.into_inner()),
    }
}

/// One pop attempt: `Ok` when finished (a value, or closed and empty),
/// `Err(())` when the ring is empty and open.
fn attempt_pop<T>(inner: &mut Consumer<T>, signal: &Signal) -> Result<Result<T, Closed>, ()> {
    if let Ok(value) = inner.pop() {
        signal.not_full.notify();
        return Ok(Ok(value));
    }
    if !signal.is_closed() {
        return Err(());
    }
    // Closed: the producer's last pushes came before its close (Release),
    // which we read with Acquire, so one more look finds them.
    Ok(match inner.pop() {
        Ok(value) => {
            signal.not_full.notify();
            Ok(value)
        }
        Err(_) => Err(Closed(())),
    })
}

/// Creates an [`spsc`](crate::ringbuf::spsc) ring of at least `capacity`
/// values (rounded up to a power of two, as [`spsc::channel`]) whose halves
/// can wait: a [`WaitProducer`] and a [`WaitConsumer`].
///
/// # Errors
///
/// [`CapacityError::Zero`] if `capacity` is 0, [`CapacityError::TooLarge`]
/// if it cannot be allocated.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::wait;
///
/// let (mut tx, mut rx) = wait::spsc_channel(3)?;
/// assert_eq!(tx.capacity(), 4);
/// tx.push_blocking(1).unwrap();
/// assert_eq!(rx.pop_blocking(), Ok(1));
/// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
/// ```
pub fn spsc_channel<T>(
    capacity: usize,
) -> Result<(WaitProducer<T>, WaitConsumer<T>), CapacityError> {
    let (tx, rx) = spsc::channel(capacity)?;
    let signal = Arc::new(Signal {
        closed: AtomicBool::new(false),
        not_empty: CachePadded::new(Event::new()),
        not_full: CachePadded::new(Event::new()),
    });
    Ok((
        WaitProducer {
            inner: tx,
            signal: Arc::clone(&signal),
        },
        WaitConsumer { inner: rx, signal },
    ))
}

/// The writing half of a waiting [`spsc`](crate::ringbuf::spsc) ring,
/// created by [`spsc_channel`]. Dropping it closes the channel: the consumer
/// pops what is left, then gets [`Closed`].
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::wait;
///
/// let (mut tx, rx) = wait::spsc_channel(1)?;
/// tx.push_blocking('a').unwrap();
/// drop(rx);
/// assert!(tx.is_closed());
/// assert_eq!(tx.push_blocking('b').unwrap_err().into_inner(), 'b');
/// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
/// ```
pub struct WaitProducer<T> {
    inner: Producer<T>,
    signal: Arc<Signal>,
}

impl<T> WaitProducer<T> {
    /// Pushes `value` if there is a free slot, without waiting.
    ///
    /// # Errors
    ///
    /// [`TryPushError::Full`] if the ring is full, [`TryPushError::Closed`]
    /// if the consumer is gone; both carry `value` back.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::{self, TryPushError};
    ///
    /// let (mut tx, _rx) = wait::spsc_channel(1)?;
    /// assert_eq!(tx.try_push(1), Ok(()));
    /// assert_eq!(tx.try_push(2), Err(TryPushError::Full(2)));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[inline]
    pub fn try_push(&mut self, value: T) -> Result<(), TryPushError<T>> {
        match attempt_push(&mut self.inner, &self.signal, value) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(Closed(value))) => Err(TryPushError::Closed(value)),
            Err(value) => Err(TryPushError::Full(value)),
        }
    }

    /// Pushes `value`, parking the thread while the ring is full.
    ///
    /// # Errors
    ///
    /// [`Closed`], carrying `value` back, if the consumer is gone (before or
    /// while waiting).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait;
    /// use std::thread;
    ///
    /// let (mut tx, mut rx) = wait::spsc_channel(1)?;
    /// tx.push_blocking(1).unwrap();
    /// let consumer = thread::spawn(move || (rx.pop_blocking(), rx.pop_blocking()));
    /// tx.push_blocking(2).unwrap(); // waits until the consumer pops 1
    /// assert_eq!(consumer.join().unwrap(), (Ok(1), Ok(2)));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn push_blocking(&mut self, value: T) -> Result<(), Closed<T>> {
        let mut value = value;
        loop {
            match self.signal.not_full.wait(value, None, |v| {
                attempt_push(&mut self.inner, &self.signal, v)
            }) {
                Ok(done) => return done,
                // Without a deadline `wait` returns only when finished.
                Err(v) => value = v,
            }
        }
    }

    /// Pushes `value`, parking the thread while the ring is full, for at most
    /// about `timeout`.
    ///
    /// # Errors
    ///
    /// [`PushTimeoutError::Timeout`] if the ring stayed full,
    /// [`PushTimeoutError::Closed`] if the consumer is gone; both carry
    /// `value` back.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::{self, PushTimeoutError};
    /// use std::time::Duration;
    ///
    /// let (mut tx, _rx) = wait::spsc_channel(1)?;
    /// tx.push_timeout(1, Duration::from_millis(10)).unwrap();
    /// let err = tx.push_timeout(2, Duration::from_millis(10)).unwrap_err();
    /// assert_eq!(err, PushTimeoutError::Timeout(2));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn push_timeout(&mut self, value: T, timeout: Duration) -> Result<(), PushTimeoutError<T>> {
        match self.signal.not_full.wait(value, deadline(timeout), |v| {
            attempt_push(&mut self.inner, &self.signal, v)
        }) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(Closed(value))) => Err(PushTimeoutError::Closed(value)),
            Err(value) => Err(PushTimeoutError::Timeout(value)),
        }
    }

    /// A future that pushes `value`, waiting while the ring is full. It
    /// resolves to `Err(Closed(value))` if the consumer is gone.
    ///
    /// Cancellation-safe: the future owns `value` until the moment it is in
    /// the ring. Dropping the future before it completes drops the value,
    /// which was never pushed; [`ProducerPush::cancel`] returns it instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait;
    ///
    /// let rt = tokio::runtime::Builder::new_current_thread().build()?;
    /// let (mut tx, mut rx) = wait::spsc_channel(1)?;
    /// rt.block_on(async {
    ///     tx.push_async("x").await.unwrap();
    ///     assert_eq!(rx.pop_async().await, Ok("x"));
    /// });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn push_async(&mut self, value: T) -> ProducerPush<'_, T> {
        ProducerPush {
            tx: self,
            value: Some(value),
            key: None,
        }
    }

    /// Whether the channel is closed (the consumer was dropped): pushes fail
    /// with the value handed back.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait;
    ///
    /// let (tx, rx) = wait::spsc_channel::<u8>(1)?;
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.signal.is_closed()
    }

    /// The number of values in the ring (it may shrink concurrently).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait;
    ///
    /// let (mut tx, _rx) = wait::spsc_channel(4)?;
    /// tx.try_push(0)?;
    /// assert_eq!(tx.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether the ring holds no value (it may become so concurrently).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait;
    ///
    /// let (tx, _rx) = wait::spsc_channel::<u8>(4)?;
    /// assert!(tx.is_empty());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// The number of values the ring holds when full (a power of two).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait;
    ///
    /// let (tx, _rx) = wait::spsc_channel::<u8>(5)?;
    /// assert_eq!(tx.capacity(), 8);
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.inner.capacity()
    }
}

impl<T> Drop for WaitProducer<T> {
    fn drop(&mut self) {
        self.signal.close();
    }
}

impl<T> fmt::Debug for WaitProducer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitProducer")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// The reading half of a waiting [`spsc`](crate::ringbuf::spsc) ring,
/// created by [`spsc_channel`]. Dropping it closes the channel: pushes fail
/// with the value handed back, and values left in the ring are dropped with
/// the producer.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::wait::{self, Closed};
///
/// let (mut tx, mut rx) = wait::spsc_channel(2)?;
/// tx.push_blocking(1).unwrap();
/// drop(tx);
/// assert!(rx.is_closed());
/// assert_eq!(rx.pop_blocking(), Ok(1)); // what is left comes first
/// assert_eq!(rx.pop_blocking(), Err(Closed(())));
/// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
/// ```
pub struct WaitConsumer<T> {
    inner: Consumer<T>,
    signal: Arc<Signal>,
}

impl<T> WaitConsumer<T> {
    /// Pops the value at the front of the ring, without waiting.
    ///
    /// # Errors
    ///
    /// [`TryPopError::Empty`] if the ring is empty, [`TryPopError::Closed`]
    /// if it is empty and the producer is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::{self, TryPopError};
    ///
    /// let (mut tx, mut rx) = wait::spsc_channel(2)?;
    /// assert_eq!(rx.try_pop(), Err(TryPopError::Empty));
    /// tx.try_push(5)?;
    /// assert_eq!(rx.try_pop(), Ok(5));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn try_pop(&mut self) -> Result<T, TryPopError> {
        match attempt_pop(&mut self.inner, &self.signal) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(Closed(()))) => Err(TryPopError::Closed),
            Err(()) => Err(TryPopError::Empty),
        }
    }

    /// Pops the value at the front of the ring, parking the thread while it
    /// is empty.
    ///
    /// # Errors
    ///
    /// [`Closed`] once the producer is gone and every value it pushed has
    /// been popped.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait;
    /// use std::thread;
    ///
    /// let (mut tx, mut rx) = wait::spsc_channel(1)?;
    /// let producer = thread::spawn(move || tx.push_blocking(7).unwrap());
    /// assert_eq!(rx.pop_blocking(), Ok(7)); // waits for the push
    /// producer.join().unwrap();
    /// assert!(rx.pop_blocking().is_err()); // closed and drained
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn pop_blocking(&mut self) -> Result<T, Closed> {
        loop {
            if let Ok(done) = self
                .signal
                .not_empty
                .wait((), None, |()| attempt_pop(&mut self.inner, &self.signal))
            {
                return done;
            }
            // Without a deadline `wait` returns only when finished.
        }
    }

    /// Pops the value at the front of the ring, parking the thread while it
    /// is empty, for at most about `timeout`.
    ///
    /// # Errors
    ///
    /// [`PopTimeoutError::Timeout`] if the ring stayed empty,
    /// [`PopTimeoutError::Closed`] if it is empty and the producer is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait::{self, PopTimeoutError};
    /// use std::time::Duration;
    ///
    /// let (_tx, mut rx) = wait::spsc_channel::<u8>(1)?;
    /// assert_eq!(rx.pop_timeout(Duration::from_millis(5)), Err(PopTimeoutError::Timeout));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn pop_timeout(&mut self, timeout: Duration) -> Result<T, PopTimeoutError> {
        match self.signal.not_empty.wait((), deadline(timeout), |()| {
            attempt_pop(&mut self.inner, &self.signal)
        }) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(Closed(()))) => Err(PopTimeoutError::Closed),
            Err(()) => Err(PopTimeoutError::Timeout),
        }
    }

    /// A future that pops the value at the front of the ring, waiting while
    /// it is empty. It resolves to `Err(Closed)` once the producer is gone
    /// and the ring is drained.
    ///
    /// Cancellation-safe: a value is taken out of the ring only in the poll
    /// that returns it, so dropping the future loses nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait;
    ///
    /// let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).build()?;
    /// let (mut tx, mut rx) = wait::spsc_channel(2)?;
    /// rt.block_on(async move {
    ///     let producer = tokio::spawn(async move {
    ///         for i in 0..10 {
    ///             tx.push_async(i).await.unwrap();
    ///         }
    ///     });
    ///     let mut sum = 0;
    ///     while let Ok(v) = rx.pop_async().await {
    ///         sum += v;
    ///     }
    ///     producer.await.unwrap();
    ///     assert_eq!(sum, 45);
    /// });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pop_async(&mut self) -> ConsumerPop<'_, T> {
        ConsumerPop {
            rx: self,
            key: None,
        }
    }

    /// Whether the channel is closed (the producer was dropped). Values left
    /// in the ring can still be popped.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait;
    ///
    /// let (tx, rx) = wait::spsc_channel::<u8>(1)?;
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.signal.is_closed()
    }

    /// The number of values in the ring (it may grow concurrently).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait;
    ///
    /// let (mut tx, rx) = wait::spsc_channel(4)?;
    /// tx.try_push(0)?;
    /// assert_eq!(rx.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether the ring holds no value (it may become non-empty
    /// concurrently).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait;
    ///
    /// let (_tx, rx) = wait::spsc_channel::<u8>(4)?;
    /// assert!(rx.is_empty());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// The number of values the ring holds when full (a power of two).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait;
    ///
    /// let (_tx, rx) = wait::spsc_channel::<u8>(16)?;
    /// assert_eq!(rx.capacity(), 16);
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.inner.capacity()
    }
}

impl<T> Drop for WaitConsumer<T> {
    fn drop(&mut self) {
        self.signal.close();
    }
}

impl<T> fmt::Debug for WaitConsumer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitConsumer")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// The future of [`WaitProducer::push_async`]: resolves to `Ok(())` once the
/// value is in the ring, or `Err(Closed(value))` if the consumer is gone.
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
/// use pillars_dsa::ringbuf::wait;
///
/// let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
/// let (mut tx, _rx) = wait::spsc_channel(1)?;
/// tx.try_push(1)?;
/// rt.block_on(async {
///     let mut push = tx.push_async(2);
///     // The ring stays full: give up after a while, keeping the value.
///     let timed_out = tokio::time::timeout(std::time::Duration::from_millis(5), &mut push).await;
///     assert!(timed_out.is_err());
///     assert_eq!(push.cancel(), Some(2));
/// });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct ProducerPush<'a, T> {
    tx: &'a mut WaitProducer<T>,
    value: Option<T>,
    key: WaitKey,
}

// The value is only ever moved out through `Option::take`; nothing is
// pinned structurally.
impl<T> Unpin for ProducerPush<'_, T> {}

impl<T> ProducerPush<'_, T> {
    /// Gives up pushing: the value, if it is not in the ring yet.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::wait;
    ///
    /// let (mut tx, _rx) = wait::spsc_channel(1)?;
    /// assert_eq!(tx.push_async('v').cancel(), Some('v'));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn cancel(mut self) -> Option<T> {
        self.value.take()
    }
}

impl<T> Future for ProducerPush<'_, T> {
    type Output = Result<(), Closed<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let Some(value) = this.value.take() else {
            panic!("`ProducerPush` polled after completion");
        };
        let tx = &mut *this.tx;
        match tx
            .signal
            .not_full
            .poll(&mut this.key, cx.waker(), value, |v| {
                attempt_push(&mut tx.inner, &tx.signal, v)
            }) {
            Ok(done) => Poll::Ready(done),
            Err(value) => {
                this.value = Some(value);
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for ProducerPush<'_, T> {
    fn drop(&mut self) {
        self.tx.signal.not_full.unregister(&mut self.key);
    }
}

impl<T> fmt::Debug for ProducerPush<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProducerPush")
            .field("pending", &self.value.is_some())
            .finish_non_exhaustive()
    }
}

/// The future of [`WaitConsumer::pop_async`]: resolves to the front value,
/// or `Err(Closed)` once the producer is gone and the ring is drained.
/// Dropping it before it completes takes nothing out of the ring.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::wait;
///
/// let rt = tokio::runtime::Builder::new_current_thread().build()?;
/// let (mut tx, mut rx) = wait::spsc_channel(1)?;
/// tx.try_push(9)?;
/// assert_eq!(rt.block_on(rx.pop_async()), Ok(9));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct ConsumerPop<'a, T> {
    rx: &'a mut WaitConsumer<T>,
    key: WaitKey,
}

impl<T> Future for ConsumerPop<'_, T> {
    type Output = Result<T, Closed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let rx = &mut *this.rx;
        match rx
            .signal
            .not_empty
            .poll(&mut this.key, cx.waker(), (), |()| {
                attempt_pop(&mut rx.inner, &rx.signal)
            }) {
            Ok(done) => Poll::Ready(done),
            Err(()) => Poll::Pending,
        }
    }
}

impl<T> Drop for ConsumerPop<'_, T> {
    fn drop(&mut self) {
        self.rx.signal.not_empty.unregister(&mut self.key);
    }
}

impl<T> fmt::Debug for ConsumerPop<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsumerPop").finish_non_exhaustive()
    }
}
