//! The event count that blocked threads and pending futures wait on.
//!
//! One [`Event`] stands for one condition ("the ring may have a value", "the
//! ring may have a free slot"). It holds
//!
//! - `waiters`: how many threads are parked on it plus how many wakers are
//!   registered. It is the only thing a notifier reads when nobody waits.
//! - `seq`: a sequence number bumped by every notification that finds a
//!   waiter; a parked thread sleeps only while `seq` still has the value it
//!   read *before* its last look at the ring.
//! - a `Mutex` over the registered wakers (keyed, so a dropped future can take
//!   its own waker out) and a `Condvar` for parked threads.
//!
//! # The protocol, and why no wake-up is lost
//!
//! A notifier (a successful push or pop, or a close) does:
//!
//! ```text
//! N1  make progress (the ring's Release index store, or the `closed` store)
//! N2  fence(SeqCst)
//! N3  if waiters.load() == 0 { return }          <- the whole cost when nobody waits
//! N4  seq.fetch_add(1, Release); lock; take the wakers; notify_all; unlock; wake them
//! ```
//!
//! A blocking waiter does:
//!
//! ```text
//! W1  waiters.fetch_add(1)
//! W2  fence(SeqCst)
//! W3  key = seq.load(Acquire)
//! W4  look at the ring (try again); on success: waiters -= 1, done
//! W5  lock; while seq.load() == key { condvar.wait }; unlock; waiters -= 1; go to W1
//! ```
//!
//! The two `SeqCst` fences are totally ordered. If N2 comes first, W4 (after
//! W2) sees the progress of N1. If W2 comes first, N3 (after N2) sees W1's
//! increment, so the notifier goes on to N4. Then either W3 reads `seq` after
//! N4's increment — and, as that increment is a Release that W3 reads with
//! Acquire, W4 sees N1's progress — or W3 reads it before, and W5 finds
//! `seq != key`: if W5's check runs before N4 takes the lock, the waiter holds
//! the lock from that check until `condvar.wait` releases it, so N4's
//! `notify_all` (made under the lock) comes after the waiter sleeps and wakes
//! it; if it runs after, it sees the new `seq` (the unlock in N4 happens
//! before the lock in W5) and does not sleep. In no interleaving does a waiter
//! sleep past progress it has not seen.
//!
//! A pending future does the same with its waker: it registers (under the
//! lock, W1), fences (W2), tries again (W4), and returns `Pending`. N4 takes
//! and wakes every registered waker under the same lock: if the notifier's
//! critical section came before the registration, the future's retry sees
//! the progress (unlock before lock); if after, the waker is woken.
//!
//! Nobody ever looks at the ring with the lock held, so a successful
//! retry can notify the *other* event (taking its lock) without any lock
//! order to respect. Waking is `notify_all` / every waker: on a shared queue
//! a woken waiter may find the value already taken and sleep again, but no
//! notification is ever spent on a waiter that then gives up (a timed-out or
//! cancelled one) while another is left asleep.

use core::task::Waker;
use std::sync::PoisonError;
use std::time::Instant;

use crate::ringbuf::sync::{AtomicUsize, Condvar, Mutex, MutexGuard, Ordering, fence};

/// The key of a registered waker, held by the future that registered it.
pub(crate) type WaitKey = Option<u64>;

/// Registered wakers and the next key to hand out.
#[derive(Default)]
struct Wakers {
    list: Vec<(u64, Waker)>,
    next_key: u64,
}

/// An event count: see the module docs.
pub(crate) struct Event {
    waiters: AtomicUsize,
    seq: AtomicUsize,
    wakers: Mutex<Wakers>,
    condvar: Condvar,
}

impl Event {
    pub(crate) fn new() -> Self {
        Self {
            waiters: AtomicUsize::new(0),
            seq: AtomicUsize::new(0),
            wakers: Mutex::new(Wakers::default()),
            condvar: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Wakers> {
        // The lock guards only the waker list, which every critical section
        // leaves consistent; a panic inside one (a waker's `clone`) cannot
        // break it.
        self.wakers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Tells waiters that progress was made (steps N2–N4). Call it after the
    /// progress is published.
    #[inline]
    pub(crate) fn notify(&self) {
        fence(Ordering::SeqCst);
        if self.waiters.load(Ordering::Relaxed) != 0 {
            self.notify_slow();
        }
    }

    #[cold]
    #[inline(never)]
    fn notify_slow(&self) {
        self.seq.fetch_add(1, Ordering::Release);
        let woken = {
            let mut wakers = self.lock();
            let woken = core::mem::take(&mut wakers.list);
            self.waiters.fetch_sub(woken.len(), Ordering::Relaxed);
            self.condvar.notify_all();
            woken
        };
        for (_, waker) in woken {
            waker.wake();
        }
    }

    /// Runs `attempt` until it succeeds, parking the thread in between, or
    /// until `deadline` passes (then one last attempt is made, and its
    /// failure's state is returned).
    ///
    /// `attempt` takes the state (say, the value to push) and hands it back
    /// on failure; it must report every way of finishing (including
    /// "closed") as success.
    pub(crate) fn wait<S, R>(
        &self,
        mut state: S,
        deadline: Option<Instant>,
        mut attempt: impl FnMut(S) -> Result<R, S>,
    ) -> Result<R, S> {
        loop {
            state = match attempt(state) {
                Ok(done) => return Ok(done),
                Err(state) => state,
            };
            // W1–W3.
            self.waiters.fetch_add(1, Ordering::Relaxed);
            fence(Ordering::SeqCst);
            let key = self.seq.load(Ordering::Acquire);
            // W4.
            state = match attempt(state) {
                Ok(done) => {
                    self.waiters.fetch_sub(1, Ordering::Relaxed);
                    return Ok(done);
                }
                Err(state) => state,
            };
            // W5.
            let timed_out = self.sleep(key, deadline);
            self.waiters.fetch_sub(1, Ordering::Relaxed);
            if timed_out {
                return attempt(state);
            }
        }
    }

    /// Sleeps while `seq == key`; `true` if `deadline` passed first.
    fn sleep(&self, key: usize, deadline: Option<Instant>) -> bool {
        let mut guard = self.lock();
        while self.seq.load(Ordering::Acquire) == key {
            match deadline {
                None => {
                    guard = self
                        .condvar
                        .wait(guard)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return true;
                    }
                    guard = self
                        .condvar
                        .wait_timeout(guard, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
        }
        false
    }

    /// One poll of a future waiting on this event: `attempt`, and if it
    /// fails, register `waker` under `key` and attempt again. `Err(state)`
    /// means "pending" (the waker stays registered); on success the waker is
    /// taken out.
    pub(crate) fn poll<S, R>(
        &self,
        key: &mut WaitKey,
        waker: &Waker,
        state: S,
        mut attempt: impl FnMut(S) -> Result<R, S>,
    ) -> Result<R, S> {
        let state = match attempt(state) {
            Ok(done) => {
                self.unregister(key);
                return Ok(done);
            }
            Err(state) => state,
        };
        self.register(key, waker);
        fence(Ordering::SeqCst);
        match attempt(state) {
            Ok(done) => {
                self.unregister(key);
                Ok(done)
            }
            Err(state) => Err(state),
        }
    }

    /// Registers `waker` (W1 for futures): replaces the one under `key` if it
    /// is still registered, or adds it under a new key.
    fn register(&self, key: &mut WaitKey, waker: &Waker) {
        let mut wakers = self.lock();
        if let Some(k) = *key
            && let Some((_, old)) = wakers.list.iter_mut().find(|(id, _)| *id == k)
        {
            if !old.will_wake(waker) {
                old.clone_from(waker);
            }
            return;
        }
        let k = wakers.next_key;
        wakers.next_key = k.wrapping_add(1);
        wakers.list.push((k, waker.clone()));
        self.waiters.fetch_add(1, Ordering::Relaxed);
        *key = Some(k);
    }

    /// Takes the waker under `key` out, if it is still registered (a
    /// notification may have taken it already). Free when `key` is `None`.
    pub(crate) fn unregister(&self, key: &mut WaitKey) {
        if let Some(k) = key.take() {
            let mut wakers = self.lock();
            if let Some(pos) = wakers.list.iter().position(|(id, _)| *id == k) {
                let removed = wakers.list.swap_remove(pos);
                self.waiters.fetch_sub(1, Ordering::Relaxed);
                // Drop the waker (user code) outside the lock.
                drop(wakers);
                drop(removed);
            }
        }
    }
}
