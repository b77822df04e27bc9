//! Bounded lock-free multi-producer multi-consumer queue.
//!
//! # Algorithm
//!
//! Dmitry Vyukov's bounded MPMC queue ("Bounded MPMC queue", 1024cores.net,
//! 2010), in the form of crossbeam's `ArrayQueue`. Every slot carries a
//! *stamp*; `head` and `tail` are stamps too, a `(lap, index)` pair packed as
//! `lap * one_lap + index` where `one_lap` is the smallest power of two above
//! the capacity:
//!
//! - a slot whose stamp equals `tail` is empty and may be written in this lap:
//!   a producer claims it by CAS-ing `tail` forward, writes the value, then
//!   stores `stamp = tail + 1` (`Release`);
//! - a slot whose stamp equals `head + 1` is full: a consumer claims it by
//!   CAS-ing `head` forward, reads the value, then stores `stamp = head +
//!   one_lap` (`Release`), making it writable in the next lap.
//!
//! A stamp one lap behind `tail` means the queue is full; a stamp equal to
//! `head` means it is empty. The capacity is exact (not rounded).
//!
//! Progress: a failed CAS always means another thread made progress, and no
//! lock is held. But claiming a slot and stamping it are two steps: a thread
//! paused between them makes the others that reach that very slot spin (with
//! backoff) until it resumes, as in crossbeam's `ArrayQueue`. `pop` returns
//! `None` only when the queue was really empty, never because a push was
//! half-done.
//!
//! [`Queue::force_push`] overwrites the oldest value when the queue is full,
//! returning it, by advancing `head` and `tail` together over the full slot.
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::ringbuf::mpmc::Queue;
//! use std::sync::Arc;
//! use std::thread;
//!
//! let q = Arc::new(Queue::new(64)?);
//! let producers: Vec<_> = (0..4u64)
//!     .map(|p| {
//!         let q = Arc::clone(&q);
//!         thread::spawn(move || {
//!             for i in 0..100 {
//!                 let mut v = p * 1000 + i;
//!                 while let Err(back) = q.push(v) {
//!                     v = back;
//!                     thread::yield_now();
//!                 }
//!             }
//!         })
//!     })
//!     .collect();
//! let mut sum = 0;
//! let mut got = 0;
//! while got < 400 {
//!     match q.pop() {
//!         Some(v) => {
//!             sum += v;
//!             got += 1;
//!         }
//!         None => thread::yield_now(),
//!     }
//! }
//! for p in producers {
//!     p.join().unwrap();
//! }
//! assert_eq!(sum, (0..4u64).map(|p| p * 100_000 + 4950).sum::<u64>());
//! # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
//! ```

use core::fmt;
use core::marker::PhantomData;
use core::mem::MaybeUninit;

use crossbeam_utils::CachePadded;

use super::CapacityError;
use super::sync::{AtomicUsize, Backoff, Ordering, UnsafeCell, fence};

/// A slot: its stamp says whether `value` is initialised (see the module
/// docs).
struct Slot<T> {
    stamp: AtomicUsize,
    value: UnsafeCell<MaybeUninit<T>>,
}

/// A bounded lock-free multi-producer multi-consumer queue.
///
/// Share it by reference (`&Queue`, `Arc<Queue>`, scoped threads): every
/// operation takes `&self`. It is `Send` and `Sync` when `T: Send`:
///
/// ```compile_fail
/// use pillars_dsa::ringbuf::mpmc::Queue;
/// let q = Queue::<std::rc::Rc<u8>>::new(1).unwrap();
/// std::thread::scope(|s| {
///     s.spawn(|| q.pop()); // `Rc` is not `Send`
/// });
/// ```
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::mpmc::Queue;
///
/// let q = Queue::new(2)?;
/// assert_eq!(q.push('a'), Ok(()));
/// assert_eq!(q.push('b'), Ok(()));
/// assert_eq!(q.push('c'), Err('c'));
/// assert_eq!(q.force_push('c'), Some('a'));
/// assert_eq!(q.pop(), Some('b'));
/// assert_eq!(q.pop(), Some('c'));
/// assert_eq!(q.pop(), None);
/// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
/// ```
pub struct Queue<T> {
    /// Stamp of the next slot to read.
    head: CachePadded<AtomicUsize>,
    /// Stamp of the next slot to write.
    tail: CachePadded<AtomicUsize>,
    /// `cap` slots; slot `i` starts with stamp `i`.
    buffer: Box<[Slot<T>]>,
    cap: usize,
    /// The smallest power of two greater than `cap`: `stamp % one_lap` is the
    /// index, `stamp / one_lap` the lap.
    one_lap: usize,
    /// The queue owns `T`s (for the drop check and auto traits).
    _owns: PhantomData<T>,
}

// SAFETY: the queue moves `T`s between threads (so needs `T: Send`) and never
// hands out `&T`, so sharing it needs no `T: Sync`. Each slot's value is
// accessed only by the one thread whose CAS claimed it, ordered by the slot's
// stamp (`Release` store, `Acquire` load).
unsafe impl<T: Send> Send for Queue<T> {}
// SAFETY: see the `Send` impl.
unsafe impl<T: Send> Sync for Queue<T> {}

impl<T> Queue<T> {
    /// Creates a queue holding at most `capacity` values (exactly; no
    /// rounding). All memory is allocated here, once.
    ///
    /// # Errors
    ///
    /// [`CapacityError::Zero`] if `capacity` is 0; [`CapacityError::TooLarge`]
    /// if the stamps cannot encode it or its memory cannot be allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::{mpmc::Queue, CapacityError};
    ///
    /// assert_eq!(Queue::<u8>::new(3)?.capacity(), 3);
    /// assert_eq!(Queue::<u8>::new(0).unwrap_err(), CapacityError::Zero);
    /// # Ok::<(), CapacityError>(())
    /// ```
    pub fn new(capacity: usize) -> Result<Self, CapacityError> {
        if capacity == 0 {
            return Err(CapacityError::Zero);
        }
        let too_large = CapacityError::TooLarge {
            requested: capacity,
        };
        let one_lap = capacity
            .checked_add(1)
            .and_then(usize::checked_next_power_of_two)
            .ok_or(too_large)?;
        let mut buffer = Vec::new();
        buffer.try_reserve_exact(capacity).map_err(|_| too_large)?;
        buffer.extend((0..capacity).map(|i| Slot {
            stamp: AtomicUsize::new(i),
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }));
        Ok(Self {
            head: CachePadded::new(AtomicUsize::new(0)),
            tail: CachePadded::new(AtomicUsize::new(0)),
            buffer: buffer.into_boxed_slice(),
            cap: capacity,
            one_lap,
            _owns: PhantomData,
        })
    }

    /// Pushes `value` at the back of the queue.
    ///
    /// # Errors
    ///
    /// Hands `value` back if the queue is full.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::mpmc::Queue;
    ///
    /// let q = Queue::new(1)?;
    /// assert_eq!(q.push(10), Ok(()));
    /// assert_eq!(q.push(20), Err(20));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[inline]
    pub fn push(&self, value: T) -> Result<(), T> {
        self.push_or_else(value, |value, tail, _, _| {
            let head = self.head.load(Ordering::Relaxed);
            // `head` one lap behind `tail`: the queue really is full.
            if head.wrapping_add(self.one_lap) == tail {
                Err(value)
            } else {
                Ok(value)
            }
        })
    }

    /// Pushes `value` at the back of the queue; if the queue is full, the
    /// oldest value is removed to make room and returned.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::mpmc::Queue;
    ///
    /// let q = Queue::new(2)?;
    /// assert_eq!(q.force_push(1), None);
    /// assert_eq!(q.force_push(2), None);
    /// assert_eq!(q.force_push(3), Some(1));
    /// assert_eq!(q.pop(), Some(2));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn force_push(&self, value: T) -> Option<T> {
        self.push_or_else(value, |value, tail, new_tail, slot| {
            let head = tail.wrapping_sub(self.one_lap);
            let new_head = new_tail.wrapping_sub(self.one_lap);
            // Claim the oldest value (at `head`, in the very slot `tail`
            // points to) by moving `head` past it.
            if self
                .head
                .compare_exchange_weak(head, new_head, Ordering::SeqCst, Ordering::Relaxed)
                .is_ok()
            {
                // The slot is still stamped full, so no producer can claim
                // `tail` and no consumer the slot; move `tail` on too.
                self.tail.store(new_tail, Ordering::SeqCst);
                // SAFETY: the slot's stamp (`tail + 1 - one_lap`, read with
                // `Acquire` in `push_or_else`) shows it holds an initialised
                // value, published by the producer's `Release` store; winning
                // the CAS on `head` made this thread its only reader, and no
                // one else may write it before we restamp it below. The old
                // value is moved out once, then the slot is refilled.
                let old = slot.value.with_mut(|p| unsafe {
                    let old = p.cast::<T>().read();
                    p.write(MaybeUninit::new(value));
                    old
                });
                slot.stamp.store(tail.wrapping_add(1), Ordering::Release);
                Err(old)
            } else {
                Ok(value)
            }
        })
        .err()
    }

    /// The shared retry loop of `push` and `force_push`: claims the slot at
    /// `tail` when it is free, and calls `full(value, tail, new_tail, slot)`
    /// when it looks full. `full` returns `Err` to end the loop with that
    /// value, or `Ok` to hand the value back and retry.
    #[inline]
    fn push_or_else<F>(&self, mut value: T, full: F) -> Result<(), T>
    where
        F: Fn(T, usize, usize, &Slot<T>) -> Result<T, T>,
    {
        let backoff = Backoff::new();
        let mut tail = self.tail.load(Ordering::Relaxed);
        loop {
            let index = tail & (self.one_lap - 1);
            let lap = tail & !(self.one_lap - 1);
            let new_tail = if index + 1 < self.cap {
                tail + 1
            } else {
                lap.wrapping_add(self.one_lap)
            };
            // SAFETY: `index` is `tail`'s (or `head`'s) index part, and both
            // only ever hold indices below `cap` (a stamp's index wraps to 0
            // with the next lap at `cap`), the buffer's length.
            let slot = unsafe { self.buffer.get_unchecked(index) };
            let stamp = slot.stamp.load(Ordering::Acquire);

            if tail == stamp {
                // The slot is free in this lap: try to claim it.
                match self.tail.compare_exchange_weak(
                    tail,
                    new_tail,
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        // SAFETY: stamp `tail` (read with `Acquire`, pairing
                        // with the consumer's `Release` restamp) says the slot
                        // is empty and its last reader is done; winning the
                        // CAS makes this thread its only writer until the
                        // stamp store below publishes it. Nothing initialised
                        // is overwritten.
                        slot.value
                            .with_mut(|p| unsafe { p.write(MaybeUninit::new(value)) });
                        slot.stamp.store(tail + 1, Ordering::Release);
                        return Ok(());
                    }
                    Err(current) => {
                        tail = current;
                        backoff.spin();
                    }
                }
            } else if stamp.wrapping_add(self.one_lap) == tail + 1 {
                // The slot still holds the value from the previous lap: the
                // queue may be full.
                fence(Ordering::SeqCst);
                value = full(value, tail, new_tail, slot)?;
                backoff.spin();
                tail = self.tail.load(Ordering::Relaxed);
            } else {
                // Another producer claimed `tail` but has not written yet, or
                // our `tail` is stale.
                backoff.snooze();
                tail = self.tail.load(Ordering::Relaxed);
            }
        }
    }

    /// Removes and returns the value at the front of the queue, or `None` if
    /// it is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::mpmc::Queue;
    ///
    /// let q = Queue::new(4)?;
    /// q.push("a").unwrap();
    /// assert_eq!(q.pop(), Some("a"));
    /// assert_eq!(q.pop(), None);
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[cfg_attr(loom, allow(clippy::must_use_candidate))]
    #[inline]
    pub fn pop(&self) -> Option<T> {
        let backoff = Backoff::new();
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            let index = head & (self.one_lap - 1);
            let lap = head & !(self.one_lap - 1);
            // SAFETY: `index` is `tail`'s (or `head`'s) index part, and both
            // only ever hold indices below `cap` (a stamp's index wraps to 0
            // with the next lap at `cap`), the buffer's length.
            let slot = unsafe { self.buffer.get_unchecked(index) };
            let stamp = slot.stamp.load(Ordering::Acquire);

            if head + 1 == stamp {
                // The slot is full in this lap: try to claim it.
                let new_head = if index + 1 < self.cap {
                    head + 1
                } else {
                    lap.wrapping_add(self.one_lap)
                };
                match self.head.compare_exchange_weak(
                    head,
                    new_head,
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        // SAFETY: stamp `head + 1` (read with `Acquire`,
                        // pairing with the producer's `Release`) says the
                        // value is initialised; winning the CAS makes this
                        // thread its only reader until the restamp below hands
                        // the slot to the next lap's producer. It is moved out
                        // exactly once.
                        let value = slot.value.with(|p| unsafe { p.cast::<T>().read() });
                        slot.stamp
                            .store(head.wrapping_add(self.one_lap), Ordering::Release);
                        return Some(value);
                    }
                    Err(current) => {
                        head = current;
                        backoff.spin();
                    }
                }
            } else if stamp == head {
                // The slot is empty: the queue may be empty.
                fence(Ordering::SeqCst);
                let tail = self.tail.load(Ordering::Relaxed);
                if tail == head {
                    return None;
                }
                backoff.spin();
                head = self.head.load(Ordering::Relaxed);
            } else {
                // Another consumer claimed `head` but has not read yet, or our
                // `head` is stale.
                backoff.snooze();
                head = self.head.load(Ordering::Relaxed);
            }
        }
    }

    /// The number of values in the queue (a snapshot: it may change at once).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::mpmc::Queue;
    ///
    /// let q = Queue::new(4)?;
    /// q.push(1).unwrap();
    /// q.push(2).unwrap();
    /// assert_eq!(q.len(), 2);
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        loop {
            // Load `tail`, then `head`, then check `tail` did not move, so the
            // pair is a consistent snapshot.
            let tail = self.tail.load(Ordering::SeqCst);
            let head = self.head.load(Ordering::SeqCst);
            if self.tail.load(Ordering::SeqCst) == tail {
                return self.len_between(head, tail);
            }
        }
    }

    fn len_between(&self, head: usize, tail: usize) -> usize {
        let hix = head & (self.one_lap - 1);
        let tix = tail & (self.one_lap - 1);
        if hix < tix {
            tix - hix
        } else if hix > tix {
            self.cap - hix + tix
        } else if tail == head {
            0
        } else {
            self.cap
        }
    }

    /// Whether the queue is empty (a snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::mpmc::Queue;
    ///
    /// let q = Queue::new(4)?;
    /// assert!(q.is_empty());
    /// q.push(1).unwrap();
    /// assert!(!q.is_empty());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        let head = self.head.load(Ordering::SeqCst);
        let tail = self.tail.load(Ordering::SeqCst);
        tail == head
    }

    /// Whether the queue is full (a snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::mpmc::Queue;
    ///
    /// let q = Queue::new(1)?;
    /// assert!(!q.is_full());
    /// q.push(1).unwrap();
    /// assert!(q.is_full());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn is_full(&self) -> bool {
        let tail = self.tail.load(Ordering::SeqCst);
        let head = self.head.load(Ordering::SeqCst);
        head.wrapping_add(self.one_lap) == tail
    }

    /// The most values the queue holds: exactly the capacity it was created
    /// with.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::mpmc::Queue;
    ///
    /// assert_eq!(Queue::<String>::new(10)?.capacity(), 10);
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.cap
    }
}

impl<T> Drop for Queue<T> {
    fn drop(&mut self) {
        /// The values not dropped yet. `drop_rest` drops them in order; if
        /// one panics, dropping the guard during the unwind goes on with the
        /// rest, so every value is dropped exactly once.
        struct Rest<'q, T> {
            queue: &'q Queue<T>,
            hix: usize,
            next: usize,
            len: usize,
        }
        impl<T> Rest<'_, T> {
            fn drop_rest(&mut self) {
                while self.next < self.len {
                    let mut index = self.hix + self.next;
                    if index >= self.queue.cap {
                        index -= self.queue.cap;
                    }
                    self.next += 1;
                    // SAFETY: with no operation in flight, the `len` slots
                    // from `hix` (wrapping at `cap`) hold initialised values
                    // (each stamped full), and nothing reads them after this.
                    // `next` is bumped before the drop, so a value whose drop
                    // panics is not dropped again.
                    self.queue.buffer[index]
                        .value
                        .with_mut(|p| unsafe { p.cast::<T>().drop_in_place() });
                }
            }
        }
        impl<T> Drop for Rest<'_, T> {
            fn drop(&mut self) {
                self.drop_rest();
            }
        }

        if !core::mem::needs_drop::<T>() {
            return;
        }
        // `&mut self`: no other thread can touch the queue, and whatever gave
        // us exclusive access synchronised with their last operations.
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Relaxed);
        let hix = head & (self.one_lap - 1);
        let len = self.len_between(head, tail);
        let mut rest = Rest {
            queue: self,
            hix,
            next: 0,
            len,
        };
        rest.drop_rest();
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("len", &self.len())
            .field("capacity", &self.cap)
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn auto_traits() {
        fn send_sync<S: Send + Sync>() {}
        send_sync::<Queue<u8>>();
        // Never hands out `&T`, so `T: Send` is enough to share it.
        send_sync::<Queue<core::cell::Cell<u8>>>();
    }

    #[test]
    fn capacity_errors() {
        assert_eq!(Queue::<u8>::new(0).unwrap_err(), CapacityError::Zero);
        assert!(matches!(
            Queue::<u8>::new(usize::MAX),
            Err(CapacityError::TooLarge { .. })
        ));
        assert!(matches!(
            Queue::<u64>::new(1 << 62),
            Err(CapacityError::TooLarge { .. })
        ));
    }

    #[test]
    fn wraps_many_laps() {
        let q = Queue::new(3).unwrap();
        for i in 0..100 {
            q.push(i).unwrap();
            q.push(i + 1000).unwrap();
            assert_eq!(q.len(), 2);
            assert_eq!(q.pop(), Some(i));
            assert_eq!(q.pop(), Some(i + 1000));
            assert!(q.is_empty());
        }
    }

    #[test]
    fn zst_queue() {
        let q = Queue::new(2).unwrap();
        q.push(()).unwrap();
        q.push(()).unwrap();
        assert_eq!(q.push(()), Err(()));
        assert_eq!(q.force_push(()), Some(()));
        assert_eq!(q.len(), 2);
        assert_eq!(q.pop(), Some(()));
        assert_eq!(q.pop(), Some(()));
        assert_eq!(q.pop(), None);
    }
}
