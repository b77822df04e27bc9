//! Blocking and async waiting on the rings (`ringbuf::wait`): transfers with
//! tiny capacities, close from either side, timeouts, cancellation, and drop
//! counting on every path.
//!
//! Every test is bounded in iterations; none asserts a timing (timeouts are
//! checked only for the error they return).
#![cfg(not(loom))]

use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::thread;
use std::time::Duration;

use pillars_dsa::ringbuf::wait::{
    self, Closed, PopTimeoutError, PushTimeoutError, TryPopError, TryPushError, WaitQueue,
};

/// A value that counts how many of its kind are alive.
#[derive(Debug)]
struct Counted {
    val: u64,
    live: Arc<AtomicIsize>,
}

impl Counted {
    fn new(val: u64, live: &Arc<AtomicIsize>) -> Self {
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

fn live() -> Arc<AtomicIsize> {
    Arc::new(AtomicIsize::new(0))
}

fn multi_thread_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap()
}

// ---------------------------------------------------------------------------
// spsc, blocking

#[test]
fn spsc_blocking_transfer_1m_cap2_in_order() {
    const N: u64 = 1_000_000;
    let (mut tx, mut rx) = wait::spsc_channel::<u64>(2).unwrap();
    let producer = thread::spawn(move || {
        for i in 0..N {
            tx.push_blocking(i).unwrap();
        }
    });
    for expected in 0..N {
        assert_eq!(rx.pop_blocking(), Ok(expected));
    }
    producer.join().unwrap();
    assert_eq!(rx.pop_blocking(), Err(Closed(())));
}

#[test]
fn spsc_pop_blocking_drains_then_closed_after_producer_drop() {
    let (mut tx, mut rx) = wait::spsc_channel::<u32>(4).unwrap();
    tx.push_blocking(1).unwrap();
    tx.push_blocking(2).unwrap();
    drop(tx);
    assert!(rx.is_closed());
    assert_eq!(rx.pop_blocking(), Ok(1));
    assert_eq!(rx.try_pop(), Ok(2));
    assert_eq!(rx.pop_blocking(), Err(Closed(())));
    assert_eq!(rx.try_pop(), Err(TryPopError::Closed));
    assert_eq!(
        rx.pop_timeout(Duration::from_millis(1)),
        Err(PopTimeoutError::Closed)
    );
}

#[test]
fn spsc_parked_pop_wakes_on_producer_drop() {
    for _ in 0..200 {
        let (mut tx, mut rx) = wait::spsc_channel::<u32>(1).unwrap();
        let consumer = thread::spawn(move || {
            let first = rx.pop_blocking();
            let second = rx.pop_blocking();
            (first, second)
        });
        tx.push_blocking(9).unwrap();
        drop(tx);
        assert_eq!(consumer.join().unwrap(), (Ok(9), Err(Closed(()))));
    }
}

#[test]
fn spsc_push_blocking_returns_value_when_consumer_drops() {
    let live = live();
    for round in 0..200 {
        let (mut tx, rx) = wait::spsc_channel::<Counted>(1).unwrap();
        tx.push_blocking(Counted::new(0, &live)).unwrap();
        let live2 = Arc::clone(&live);
        // The ring is full: this push parks until the consumer goes.
        let producer = thread::spawn(move || {
            let back = tx.push_blocking(Counted::new(round, &live2)).unwrap_err();
            assert!(tx.is_closed());
            back.into_inner().val
        });
        drop(rx);
        assert_eq!(producer.join().unwrap(), round);
    }
    assert_eq!(live.load(Ordering::Relaxed), 0);
}

#[test]
fn spsc_timeouts_return_the_timeout_error() {
    let (mut tx, mut rx) = wait::spsc_channel::<u8>(1).unwrap();
    assert_eq!(
        rx.pop_timeout(Duration::from_millis(2)),
        Err(PopTimeoutError::Timeout)
    );
    assert_eq!(
        rx.pop_timeout(Duration::ZERO),
        Err(PopTimeoutError::Timeout)
    );
    tx.push_timeout(1, Duration::from_millis(2)).unwrap();
    assert_eq!(
        tx.push_timeout(2, Duration::from_millis(2)),
        Err(PushTimeoutError::Timeout(2))
    );
    assert_eq!(
        tx.push_timeout(3, Duration::ZERO),
        Err(PushTimeoutError::Timeout(3))
    );
    assert_eq!(tx.try_push(4), Err(TryPushError::Full(4)));
    assert_eq!(rx.pop_timeout(Duration::from_millis(2)), Ok(1));
    // A huge timeout does not overflow; the value is there at once.
    tx.push_timeout(5, Duration::MAX).unwrap();
    assert_eq!(rx.pop_timeout(Duration::MAX), Ok(5));
    drop(rx);
    assert_eq!(
        tx.push_timeout(6, Duration::from_millis(2)),
        Err(PushTimeoutError::Closed(6))
    );
}

#[test]
fn spsc_timeout_transfer_loses_nothing() {
    // Short timeouts racing with the other side: every value arrives once,
    // in order, whatever mix of timeouts and successes happens.
    const N: u64 = 20_000;
    let (mut tx, mut rx) = wait::spsc_channel::<u64>(2).unwrap();
    let producer = thread::spawn(move || {
        for i in 0..N {
            let mut v = i;
            loop {
                match tx.push_timeout(v, Duration::from_micros(50)) {
                    Ok(()) => break,
                    Err(PushTimeoutError::Timeout(back)) => v = back,
                    Err(PushTimeoutError::Closed(_)) => panic!("closed early"),
                }
            }
        }
    });
    let mut next = 0;
    loop {
        match rx.pop_timeout(Duration::from_micros(50)) {
            Ok(v) => {
                assert_eq!(v, next);
                next += 1;
            }
            Err(PopTimeoutError::Timeout) => {}
            Err(PopTimeoutError::Closed) => break,
        }
    }
    assert_eq!(next, N);
    producer.join().unwrap();
}

#[test]
fn spsc_drop_counting_every_path() {
    let live = live();
    {
        let (mut tx, mut rx) = wait::spsc_channel::<Counted>(4).unwrap();
        let live2 = Arc::clone(&live);
        let producer = thread::spawn(move || {
            for i in 0..1000 {
                tx.push_blocking(Counted::new(i, &live2)).unwrap();
            }
            // Leave values in the ring: the consumer stops early.
            tx
        });
        for i in 0..500 {
            assert_eq!(rx.pop_blocking().unwrap().val, i);
        }
        // Pop more until the producer is done and three are left behind.
        let mut tx = loop {
            if producer.is_finished() {
                break producer.join().unwrap();
            }
            drop(rx.pop_timeout(Duration::from_millis(1)));
        };
        // Now fill the ring, and push once more into a full ring with a
        // timeout: the value comes back in the error and is dropped there.
        while tx.try_push(Counted::new(u64::MAX, &live)).is_ok() {}
        let back = tx.push_timeout(Counted::new(7, &live), Duration::from_millis(1));
        assert!(matches!(back, Err(PushTimeoutError::Timeout(ref v)) if v.val == 7));
        drop(back);
        assert_eq!(live.load(Ordering::Relaxed), 4); // the full ring
        drop(rx);
        // The consumer is gone: pushes hand the value back.
        let back = tx.try_push(Counted::new(8, &live)).unwrap_err();
        assert!(matches!(back, TryPushError::Closed(ref v) if v.val == 8));
        drop(back);
        assert_eq!(live.load(Ordering::Relaxed), 4);
    }
    assert_eq!(live.load(Ordering::Relaxed), 0);
}

// ---------------------------------------------------------------------------
// spsc, async

#[test]
fn spsc_async_transfer_cap2_multi_thread() {
    const N: u64 = 200_000;
    let rt = multi_thread_rt();
    rt.block_on(async {
        let (mut tx, mut rx) = wait::spsc_channel::<u64>(2).unwrap();
        let producer = tokio::spawn(async move {
            for i in 0..N {
                tx.push_async(i).await.unwrap();
            }
        });
        let consumer = tokio::spawn(async move {
            let mut next = 0;
            while let Ok(v) = rx.pop_async().await {
                assert_eq!(v, next);
                next += 1;
            }
            next
        });
        producer.await.unwrap();
        assert_eq!(consumer.await.unwrap(), N);
    });
}

#[test]
fn spsc_async_blocking_mix() {
    // A blocking producer thread feeding an async consumer, and back.
    const N: u64 = 50_000;
    let rt = multi_thread_rt();
    let (mut tx, mut rx) = wait::spsc_channel::<u64>(2).unwrap();
    let producer = thread::spawn(move || {
        for i in 0..N {
            tx.push_blocking(i).unwrap();
        }
    });
    let got = rt.block_on(async move {
        let mut next = 0;
        while let Ok(v) = rx.pop_async().await {
            assert_eq!(v, next);
            next += 1;
        }
        next
    });
    producer.join().unwrap();
    assert_eq!(got, N);

    let (mut tx, mut rx) = wait::spsc_channel::<u64>(2).unwrap();
    let consumer = thread::spawn(move || {
        let mut next = 0;
        while let Ok(v) = rx.pop_blocking() {
            assert_eq!(v, next);
            next += 1;
        }
        next
    });
    rt.block_on(async move {
        for i in 0..N {
            tx.push_async(i).await.unwrap();
        }
    });
    assert_eq!(consumer.join().unwrap(), N);
}

#[test]
fn spsc_async_close_wakes_pending_futures() {
    let rt = multi_thread_rt();
    rt.block_on(async {
        // A pending pop wakes with Closed when the producer goes.
        let (tx, mut rx) = wait::spsc_channel::<u8>(1).unwrap();
        let consumer = tokio::spawn(async move { rx.pop_async().await });
        tokio::task::yield_now().await;
        drop(tx);
        assert_eq!(consumer.await.unwrap(), Err(Closed(())));

        // A pending push wakes with its value when the consumer goes.
        let (mut tx, rx) = wait::spsc_channel::<u8>(1).unwrap();
        tx.try_push(1).unwrap();
        let producer = tokio::spawn(async move { tx.push_async(2).await });
        tokio::task::yield_now().await;
        drop(rx);
        assert_eq!(producer.await.unwrap(), Err(Closed(2)));
    });
}

#[test]
fn spsc_cancelled_push_loses_and_duplicates_nothing() {
    let live = live();
    let rt = multi_thread_rt();
    rt.block_on(async {
        let (mut tx, mut rx) = wait::spsc_channel::<Counted>(1).unwrap();
        tx.try_push(Counted::new(0, &live)).unwrap();
        // Pending on a full ring, then dropped by the timeout.
        let timed_out = tokio::time::timeout(
            Duration::from_millis(5),
            tx.push_async(Counted::new(1, &live)),
        )
        .await;
        assert!(timed_out.is_err());
        // The cancelled value was dropped with its future, never pushed.
        assert_eq!(live.load(Ordering::Relaxed), 1);
        // Pending, then cancelled by hand: the value comes back.
        let mut push = tx.push_async(Counted::new(2, &live));
        assert!(
            tokio::time::timeout(Duration::from_millis(5), &mut push)
                .await
                .is_err()
        );
        let back = push.cancel().unwrap();
        assert_eq!(back.val, 2);
        drop(back);
        assert_eq!(rx.try_pop().unwrap().val, 0);
        assert_eq!(rx.try_pop().unwrap_err(), TryPopError::Empty);
        // A cancelled pop takes nothing.
        assert!(
            tokio::time::timeout(Duration::from_millis(5), rx.pop_async())
                .await
                .is_err()
        );
        tx.push_async(Counted::new(3, &live)).await.unwrap();
        assert_eq!(rx.pop_async().await.unwrap().val, 3);
        // The producer is still usable after its futures were dropped.
        tx.push_async(Counted::new(4, &live)).await.unwrap();
    });
    assert_eq!(live.load(Ordering::Relaxed), 0);
}

// ---------------------------------------------------------------------------
// mpmc WaitQueue

#[test]
fn queue_blocking_two_by_two_threads_cap2_then_close() {
    const PER: u64 = 50_000;
    let q = WaitQueue::<u64>::new(2).unwrap();
    let mut got: Vec<u64> = thread::scope(|s| {
        let producers: Vec<_> = (0..2u64)
            .map(|p| {
                let q = &q;
                s.spawn(move || {
                    for i in 0..PER {
                        q.push_blocking(p * PER + i).unwrap();
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    while let Ok(v) = q.pop_blocking() {
                        mine.push(v);
                    }
                    mine
                })
            })
            .collect();
        for p in producers {
            p.join().unwrap();
        }
        q.close();
        consumers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect()
    });
    got.sort_unstable();
    assert_eq!(got, (0..2 * PER).collect::<Vec<_>>());
}

#[test]
fn queue_close_wakes_every_parked_thread() {
    for _ in 0..50 {
        let q = WaitQueue::<u8>::new(1).unwrap();
        let full = WaitQueue::<u8>::new(1).unwrap();
        full.try_push(0).unwrap();
        thread::scope(|s| {
            let pops: Vec<_> = (0..3).map(|_| s.spawn(|| q.pop_blocking())).collect();
            let pushes: Vec<_> = (1..4u8)
                .map(|i| {
                    let full = &full;
                    s.spawn(move || full.push_blocking(i))
                })
                .collect();
            q.close();
            full.close();
            for p in pops {
                assert_eq!(p.join().unwrap(), Err(Closed(())));
            }
            for (i, p) in (1..4u8).zip(pushes) {
                assert_eq!(p.join().unwrap(), Err(Closed(i)));
            }
        });
        // What was in the closed queue is still popped, then Closed.
        assert_eq!(full.pop_blocking(), Ok(0));
        assert_eq!(full.pop_blocking(), Err(Closed(())));
    }
}

#[test]
fn queue_timeouts_return_the_timeout_error() {
    let q = WaitQueue::<u8>::new(1).unwrap();
    assert_eq!(
        q.pop_timeout(Duration::from_millis(2)),
        Err(PopTimeoutError::Timeout)
    );
    q.push_timeout(1, Duration::from_millis(2)).unwrap();
    assert_eq!(
        q.push_timeout(2, Duration::from_millis(2)),
        Err(PushTimeoutError::Timeout(2))
    );
    assert_eq!(q.try_push(3), Err(TryPushError::Full(3)));
    q.close();
    assert_eq!(
        q.push_timeout(4, Duration::from_millis(2)),
        Err(PushTimeoutError::Closed(4))
    );
    assert_eq!(q.pop_timeout(Duration::from_millis(2)), Ok(1));
    assert_eq!(
        q.pop_timeout(Duration::from_millis(2)),
        Err(PopTimeoutError::Closed)
    );
}

#[test]
fn queue_async_two_producers_two_consumers_cap2() {
    const PER: u64 = 50_000;
    let rt = multi_thread_rt();
    let mut got = rt.block_on(async {
        let q = Arc::new(WaitQueue::<u64>::new(2).unwrap());
        let producers: Vec<_> = (0..2u64)
            .map(|p| {
                let q = Arc::clone(&q);
                tokio::spawn(async move {
                    for i in 0..PER {
                        q.push_async(p * PER + i).await.unwrap();
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let q = Arc::clone(&q);
                tokio::spawn(async move {
                    let mut mine = Vec::new();
                    while let Ok(v) = q.pop_async().await {
                        mine.push(v);
                    }
                    mine
                })
            })
            .collect();
        for p in producers {
            p.await.unwrap();
        }
        q.close();
        let mut all = Vec::new();
        for c in consumers {
            all.extend(c.await.unwrap());
        }
        all
    });
    got.sort_unstable();
    assert_eq!(got, (0..2 * PER).collect::<Vec<_>>());
}

#[test]
fn queue_cancelled_futures_lose_and_duplicate_nothing() {
    let live = live();
    let rt = multi_thread_rt();
    rt.block_on(async {
        let q = WaitQueue::<Counted>::new(1).unwrap();
        q.try_push(Counted::new(0, &live)).unwrap();
        for i in 1..20 {
            let timed_out = tokio::time::timeout(
                Duration::from_millis(1),
                q.push_async(Counted::new(i, &live)),
            )
            .await;
            assert!(timed_out.is_err());
            assert_eq!(live.load(Ordering::Relaxed), 1);
            assert_eq!(q.len(), 1);
        }
        assert_eq!(q.pop_async().await.unwrap().val, 0);
        for _ in 0..5 {
            assert!(
                tokio::time::timeout(Duration::from_millis(1), q.pop_async())
                    .await
                    .is_err()
            );
        }
        q.push_async(Counted::new(100, &live)).await.unwrap();
        assert_eq!(q.pop_async().await.unwrap().val, 100);
        // A value left in the queue is dropped with it.
        q.push_async(Counted::new(101, &live)).await.unwrap();
        q.close();
        let closed = q.push_async(Counted::new(102, &live)).await.unwrap_err();
        assert_eq!(closed.into_inner().val, 102);
        assert_eq!(live.load(Ordering::Relaxed), 1);
    });
    assert_eq!(live.load(Ordering::Relaxed), 0);
}

#[test]
fn queue_drop_counting_with_threads() {
    let live = live();
    {
        let q = WaitQueue::<Counted>::new(3).unwrap();
        thread::scope(|s| {
            for p in 0..2u64 {
                let (q, live) = (&q, &live);
                s.spawn(move || {
                    for i in 0..2000 {
                        q.push_blocking(Counted::new(p * 10_000 + i, live)).unwrap();
                    }
                });
            }
            // 4000 pushed, 3997 popped: three are left in the queue.
            for n in [2000, 1997] {
                let q = &q;
                s.spawn(move || {
                    for _ in 0..n {
                        drop(q.pop_blocking().unwrap());
                    }
                });
            }
        });
        assert_eq!(q.len(), 3);
        assert_eq!(live.load(Ordering::Relaxed), 3);
    }
    assert_eq!(live.load(Ordering::Relaxed), 0);
}
