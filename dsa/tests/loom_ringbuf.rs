//! Loom models of the lock-free rings: every interleaving (within a
//! preemption bound) of a few operations on a tiny ring.
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test --release --test loom_ringbuf`.
//! The library imports its atomics and cells from a `sync` shim that switches
//! to loom's under `--cfg loom`, so this checks the shipped code. The bulk
//! (`Copy` slice and chunk) paths are not compiled under loom; Miri covers
//! them (`tests/miri_ringbuf.rs`).
#![cfg(loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;

use pillars_dsa::ringbuf::mpmc::Queue;
use pillars_dsa::ringbuf::spsc;

/// A model checker with a preemption bound that keeps each model to seconds.
fn model(bound: usize, f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(bound);
    builder.check(f);
}

/// Counts live values through a loom atomic, so drops on either thread are
/// ordered in the model.
struct Counted {
    val: usize,
    live: Arc<AtomicUsize>,
}

impl Counted {
    fn new(val: usize, live: &Arc<AtomicUsize>) -> Self {
        live.fetch_add(1, Ordering::Relaxed);
        Self {
            val,
            live: Arc::clone(live),
        }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::Relaxed);
    }
}

#[test]
fn spsc_push_pop_cap2_three_items() {
    model(4, || {
        let (mut tx, mut rx) = spsc::channel::<usize>(2).unwrap();
        let producer = thread::spawn(move || {
            for i in 0..3 {
                let mut v = i;
                while let Err(e) = tx.push(v) {
                    v = e.into_inner();
                    thread::yield_now();
                }
            }
        });
        let mut next = 0;
        while next < 3 {
            if let Ok(v) = rx.pop() {
                assert_eq!(v, next);
                next += 1;
            } else {
                thread::yield_now();
            }
        }
        producer.join().unwrap();
        assert!(rx.is_empty());
    });
}

#[test]
fn spsc_peek_then_abandon_drops_each_value_once() {
    model(4, || {
        let live = Arc::new(AtomicUsize::new(0));
        let (mut tx, mut rx) = spsc::channel::<Counted>(2).unwrap();
        let live2 = Arc::clone(&live);
        let producer = thread::spawn(move || {
            let _ = tx.push(Counted::new(0, &live2));
            let _ = tx.push(Counted::new(1, &live2));
            // Dropped here, maybe before or after the consumer.
        });
        if let Some(v) = rx.peek() {
            assert_eq!(v.val, 0);
        }
        if let Ok(v) = rx.pop() {
            assert_eq!(v.val, 0);
        }
        drop(rx);
        producer.join().unwrap();
        assert_eq!(live.load(Ordering::Relaxed), 0);
    });
}

/// Two producers and a consumer racing on the same slots. The capacity fits
/// both values so only the consumer ever waits: with two threads spinning on
/// a third, loom can schedule the two waiters against each other without
/// bound (its yield only defers a thread by one step), so the full-queue
/// retry path is modelled with one producer below instead.
#[test]
fn mpmc_two_producers_one_consumer() {
    model(4, || {
        let q = Arc::new(Queue::<usize>::new(2).unwrap());
        let producers: Vec<_> = (0..2)
            .map(|p| {
                let q = Arc::clone(&q);
                thread::spawn(move || q.push(p).unwrap())
            })
            .collect();
        let mut seen = [false; 2];
        let mut got = 0;
        while got < 2 {
            if let Some(v) = q.pop() {
                assert!(!seen[v], "value {v} popped twice");
                seen[v] = true;
                got += 1;
            } else {
                thread::yield_now();
            }
        }
        for p in producers {
            p.join().unwrap();
        }
        assert!(q.pop().is_none());
        assert!(q.is_empty());
    });
}

/// A full capacity-1 queue: the producer retries, each value moves through
/// the same slot on successive laps, in order.
#[test]
fn mpmc_full_queue_retry_cap1() {
    model(4, || {
        let q = Arc::new(Queue::<usize>::new(1).unwrap());
        let q2 = Arc::clone(&q);
        let producer = thread::spawn(move || {
            for i in 0..3 {
                let mut v = i;
                while let Err(back) = q2.push(v) {
                    v = back;
                    thread::yield_now();
                }
            }
        });
        let mut next = 0;
        while next < 3 {
            if let Some(v) = q.pop() {
                assert_eq!(v, next);
                next += 1;
            } else {
                thread::yield_now();
            }
        }
        producer.join().unwrap();
        assert!(q.is_empty());
    });
}

#[test]
fn mpmc_force_push_loses_nothing() {
    model(4, || {
        let live = Arc::new(AtomicUsize::new(0));
        let q = Arc::new(Queue::<Counted>::new(1).unwrap());
        let pushers: Vec<_> = (0..2)
            .map(|p| {
                let (q, live) = (Arc::clone(&q), Arc::clone(&live));
                thread::spawn(move || q.force_push(Counted::new(p, &live)).map(|v| v.val))
            })
            .collect();
        let mut out: Vec<usize> = pushers
            .into_iter()
            .filter_map(|h| h.join().unwrap())
            .collect();
        out.extend(q.pop().map(|v| v.val));
        out.sort_unstable();
        // One evicted, one still queued: both values accounted for once.
        assert_eq!(out, [0, 1]);
        drop(q);
        assert_eq!(live.load(Ordering::Relaxed), 0);
    });
}
