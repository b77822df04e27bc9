//! Single-flight loading: one in-flight load per missing key.
//!
//! The first caller to miss a key (the *leader*) registers a [`Flight`] in the
//! key's shard and runs the loader with no lock held; later callers of the same
//! key find the flight and wait on it — threads on a condition variable, tasks
//! through their wakers — and all receive the leader's result. The leader
//! stores the value and unregisters the flight in one critical section, so a
//! caller sees either the flight or the cached value, never neither.
//!
//! A [`LeaderGuard`] completes the flight if the leader never does: when the
//! loader panics (waiters get [`FlightState::Panicked`]) or when an async
//! leader is dropped mid-load (waiters see [`FlightState::Cancelled`] and one
//! of them loads again). No lock is held while user code runs, so nothing
//! poisons.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::sync::{Condvar, Mutex};

/// The state of one load.
pub(crate) enum FlightState<V> {
    /// The loader is running; async waiters to wake when it ends.
    Running(Vec<Waker>),
    /// The loader returned this value.
    Done(V),
    /// The loader returned this error (an `Arc<E>`, type-erased).
    Failed(Arc<dyn Any + Send + Sync>),
    /// The loader panicked.
    Panicked,
    /// The leader went away before finishing (an async leader was dropped).
    Cancelled,
}

/// What a waiter takes away from a finished flight.
pub(crate) enum Outcome<V> {
    Done(V),
    Failed(Arc<dyn Any + Send + Sync>),
    Panicked,
    Cancelled,
}

/// One in-flight load, shared by its leader and waiters.
pub(crate) struct Flight<V> {
    state: Mutex<FlightState<V>>,
    cond: Condvar,
}

impl<V: Clone> Flight<V> {
    pub(crate) fn new() -> Self {
        Self {
            state: Mutex::new(FlightState::Running(Vec::new())),
            cond: Condvar::new(),
        }
    }

    /// The outcome of a finished flight, `None` while it runs.
    fn outcome(state: &FlightState<V>) -> Option<Outcome<V>> {
        match state {
            FlightState::Running(_) => None,
            FlightState::Done(v) => Some(Outcome::Done(v.clone())),
            FlightState::Failed(e) => Some(Outcome::Failed(Arc::clone(e))),
            FlightState::Panicked => Some(Outcome::Panicked),
            FlightState::Cancelled => Some(Outcome::Cancelled),
        }
    }

    /// Blocks the thread until the flight ends.
    pub(crate) fn wait(&self) -> Outcome<V> {
        let mut g = self.state.lock();
        loop {
            if let Some(o) = Self::outcome(&g) {
                return o;
            }
            g = self.cond.wait(g);
        }
    }

    /// A future that resolves when the flight ends.
    pub(crate) fn wait_async(self: &Arc<Self>) -> WaitFlight<V> {
        WaitFlight {
            flight: Arc::clone(self),
        }
    }

    /// Ends the flight (first call wins) and wakes every waiter.
    pub(crate) fn complete(&self, end: FlightState<V>) {
        let wakers = {
            let mut g = self.state.lock();
            match &mut *g {
                FlightState::Running(w) => {
                    let w = std::mem::take(w);
                    *g = end;
                    w
                }
                _ => return,
            }
        };
        self.cond.notify_all();
        for w in wakers {
            w.wake();
        }
    }
}

/// The future of [`Flight::wait_async`].
pub(crate) struct WaitFlight<V> {
    flight: Arc<Flight<V>>,
}

impl<V: Clone> Future for WaitFlight<V> {
    type Output = Outcome<V>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome<V>> {
        let mut g = self.flight.state.lock();
        if let Some(o) = Flight::outcome(&g) {
            return Poll::Ready(o);
        }
        if let FlightState::Running(wakers) = &mut *g
            && !wakers.iter().any(|w| w.will_wake(cx.waker()))
        {
            wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// Ends a leader's flight as panicked or cancelled unless disarmed; `on_drop`
/// unregisters the flight from its shard first.
pub(crate) struct LeaderGuard<V: Clone, F: FnMut(&Arc<Flight<V>>)> {
    pub(crate) flight: Arc<Flight<V>>,
    pub(crate) unregister: F,
    pub(crate) armed: bool,
}

impl<V: Clone, F: FnMut(&Arc<Flight<V>>)> Drop for LeaderGuard<V, F> {
    fn drop(&mut self) {
        if self.armed {
            (self.unregister)(&self.flight);
            let end = if std::thread::panicking() {
                FlightState::Panicked
            } else {
                FlightState::Cancelled
            };
            self.flight.complete(end);
        }
    }
}
