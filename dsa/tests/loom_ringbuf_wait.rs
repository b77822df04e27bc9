//! Loom models of the wake-up protocol of `ringbuf::wait`: a parked pop
//! against a push and against a close, a parked push against a pop and
//! against the consumer going away, and the async (waker) path, on
//! capacity-1 rings.
//!
//! Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p pillars-dsa --release --target-dir target/loom --test loom_ringbuf_wait`.
//! Under `--cfg loom` the library's atomics, `Mutex` and `Condvar` are
//! loom's (see `ringbuf/sync.rs`), so a lost wake-up shows up as a deadlock
//! (every thread parked), which loom reports as a failure.
#![cfg(loom)]

use std::future::Future;
use std::task::{Context, Poll, Wake, Waker};

use loom::sync::Arc;
use loom::thread;

use pillars_dsa::ringbuf::wait::{self, Closed, WaitQueue};

/// A model checker with a preemption bound that keeps each model to seconds.
fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(5);
    builder.check(f);
}

/// Wakes a loom thread parked in [`block_on`].
struct Unparker(thread::Thread);

impl Wake for Unparker {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `f` to completion on this loom thread, parking between polls, so a
/// waker that is never woken is a deadlock loom reports. (loom's own
/// `future::block_on` needs its `futures` feature.)
fn block_on<F: Future>(f: F) -> F::Output {
    let waker = Waker::from(std::sync::Arc::new(Unparker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut f = std::pin::pin!(f);
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
        thread::park();
    }
}

#[test]
fn spsc_parked_pop_vs_push() {
    model(|| {
        let (mut tx, mut rx) = wait::spsc_channel::<usize>(1).unwrap();
        let consumer = thread::spawn(move || rx.pop_blocking());
        tx.push_blocking(7).unwrap();
        assert_eq!(consumer.join().unwrap(), Ok(7));
    });
}

#[test]
fn spsc_parked_pop_vs_close() {
    model(|| {
        let (tx, mut rx) = wait::spsc_channel::<usize>(1).unwrap();
        let consumer = thread::spawn(move || rx.pop_blocking());
        drop(tx);
        assert_eq!(consumer.join().unwrap(), Err(Closed(())));
    });
}

#[test]
fn spsc_push_then_close_is_drained_first() {
    model(|| {
        let (mut tx, mut rx) = wait::spsc_channel::<usize>(1).unwrap();
        let producer = thread::spawn(move || {
            tx.push_blocking(1).unwrap();
            // Dropped here: closes after the push.
        });
        assert_eq!(rx.pop_blocking(), Ok(1));
        assert_eq!(rx.pop_blocking(), Err(Closed(())));
        producer.join().unwrap();
    });
}

#[test]
fn spsc_parked_push_vs_pop() {
    model(|| {
        let (mut tx, mut rx) = wait::spsc_channel::<usize>(1).unwrap();
        tx.try_push(1).unwrap();
        let producer = thread::spawn(move || tx.push_blocking(2));
        assert_eq!(rx.pop_blocking(), Ok(1));
        assert_eq!(rx.pop_blocking(), Ok(2));
        assert_eq!(producer.join().unwrap(), Ok(()));
    });
}

#[test]
fn spsc_parked_push_vs_consumer_drop() {
    model(|| {
        let (mut tx, rx) = wait::spsc_channel::<usize>(1).unwrap();
        tx.try_push(1).unwrap();
        let producer = thread::spawn(move || tx.push_blocking(2));
        drop(rx);
        assert_eq!(producer.join().unwrap(), Err(Closed(2)));
    });
}

#[test]
fn queue_parked_pop_vs_push() {
    model(|| {
        let q = Arc::new(WaitQueue::<usize>::new(1).unwrap());
        let q2 = Arc::clone(&q);
        let consumer = thread::spawn(move || q2.pop_blocking());
        q.push_blocking(5).unwrap();
        assert_eq!(consumer.join().unwrap(), Ok(5));
    });
}

#[test]
fn queue_parked_pop_vs_close() {
    model(|| {
        let q = Arc::new(WaitQueue::<usize>::new(1).unwrap());
        let q2 = Arc::clone(&q);
        let consumer = thread::spawn(move || q2.pop_blocking());
        q.close();
        assert_eq!(consumer.join().unwrap(), Err(Closed(())));
    });
}

#[test]
fn queue_parked_push_vs_pop() {
    model(|| {
        let q = Arc::new(WaitQueue::<usize>::new(1).unwrap());
        q.try_push(1).unwrap();
        let q2 = Arc::clone(&q);
        let producer = thread::spawn(move || q2.push_blocking(2));
        assert_eq!(q.pop_blocking(), Ok(1));
        assert_eq!(q.pop_blocking(), Ok(2));
        assert_eq!(producer.join().unwrap(), Ok(()));
    });
}

/// The async path: a pending pop future (its waker registered under the
/// event's lock) against a push. `block_on` parks until the waker is
/// woken, so a lost wake-up is a deadlock here too.
#[test]
fn spsc_async_pop_vs_push() {
    model(|| {
        let (mut tx, mut rx) = wait::spsc_channel::<usize>(1).unwrap();
        let consumer = thread::spawn(move || block_on(rx.pop_async()));
        tx.push_blocking(3).unwrap();
        assert_eq!(consumer.join().unwrap(), Ok(3));
    });
}

#[test]
fn queue_async_push_vs_close() {
    model(|| {
        let q = Arc::new(WaitQueue::<usize>::new(1).unwrap());
        q.try_push(1).unwrap();
        let q2 = Arc::clone(&q);
        let producer = thread::spawn(move || block_on(q2.push_async(2)));
        q.close();
        assert_eq!(producer.join().unwrap(), Err(Closed(2)));
    });
}
