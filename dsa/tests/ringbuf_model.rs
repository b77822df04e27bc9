//! Model-based property tests of the rings against `VecDeque`, drop counting
//! for every ownership path, and two-thread transfer tests.
//!
//! No test here asserts a timing.
#![cfg(not(loom))]

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};
use std::thread;

use pillars_dsa::ringbuf::mpmc::Queue;
use pillars_dsa::ringbuf::overwrite::Overwrite;
use pillars_dsa::ringbuf::{PopError, PushError, spsc};
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// Drop counting

/// A value that counts how many of its kind are alive.
#[derive(Debug)]
struct Counted {
    val: u32,
    live: Arc<AtomicIsize>,
}

impl Counted {
    fn new(val: u32, live: &Arc<AtomicIsize>) -> Self {
        live.fetch_add(1, Ordering::Relaxed);
        Self {
            val,
            live: Arc::clone(live),
        }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let before = self.live.fetch_sub(1, Ordering::Relaxed);
        assert!(before > 0, "value {} dropped twice", self.val);
    }
}

fn counter() -> Arc<AtomicIsize> {
    Arc::new(AtomicIsize::new(0))
}

fn live(c: &Arc<AtomicIsize>) -> isize {
    c.load(Ordering::Relaxed)
}

// ---------------------------------------------------------------------------
// spsc model

#[derive(Debug, Clone)]
enum SpscOp {
    Push(u32),
    Pop,
    Peek,
    PushSlice(Vec<u32>),
    PopSlice(usize),
    /// Borrow `n` free slots, write the first `k`, commit `k`.
    WriteChunk {
        n: usize,
        k: usize,
    },
    /// Borrow `n` free slots, fill them from `items`.
    FillChunk {
        n: usize,
        items: Vec<u32>,
    },
    /// Borrow `n` values, check them, commit `k`.
    ReadChunk {
        n: usize,
        k: usize,
    },
}

fn spsc_op() -> impl Strategy<Value = SpscOp> {
    prop_oneof![
        any::<u32>().prop_map(SpscOp::Push),
        Just(SpscOp::Pop),
        Just(SpscOp::Peek),
        prop::collection::vec(any::<u32>(), 0..12).prop_map(SpscOp::PushSlice),
        (0usize..12).prop_map(SpscOp::PopSlice),
        (0usize..12, 0usize..14).prop_map(|(n, k)| SpscOp::WriteChunk { n, k }),
        (0usize..12, prop::collection::vec(any::<u32>(), 0..12))
            .prop_map(|(n, items)| SpscOp::FillChunk { n, items }),
        (0usize..12, 0usize..14).prop_map(|(n, k)| SpscOp::ReadChunk { n, k }),
    ]
}

fn check_spsc_lens<T>(
    tx: &spsc::Producer<T>,
    rx: &spsc::Consumer<T>,
    model_len: usize,
) -> Result<(), TestCaseError> {
    let cap = tx.capacity();
    prop_assert_eq!(tx.len(), model_len);
    prop_assert_eq!(rx.len(), model_len);
    prop_assert_eq!(tx.slots(), cap - model_len);
    prop_assert_eq!(tx.is_full(), model_len == cap);
    prop_assert_eq!(rx.is_empty(), model_len == 0);
    prop_assert_eq!(tx.is_empty(), model_len == 0);
    Ok(())
}

proptest! {
    /// Every op sequence on a `Copy` ring behaves like a bounded `VecDeque`.
    #[test]
    fn spsc_matches_vecdeque(cap in 1usize..10, ops in prop::collection::vec(spsc_op(), 0..80)) {
        let (mut tx, mut rx) = spsc::channel::<u32>(cap).unwrap();
        let cap = tx.capacity();
        prop_assert!(cap.is_power_of_two());
        let mut model = VecDeque::new();
        for op in ops {
            match op {
                SpscOp::Push(v) => {
                    let r = tx.push(v);
                    if model.len() < cap {
                        prop_assert_eq!(r, Ok(()));
                        model.push_back(v);
                    } else {
                        prop_assert_eq!(r, Err(PushError::Full(v)));
                    }
                }
                SpscOp::Pop => prop_assert_eq!(rx.pop().ok(), model.pop_front()),
                SpscOp::Peek => prop_assert_eq!(rx.peek(), model.front()),
                SpscOp::PushSlice(src) => {
                    let n = tx.push_slice(&src);
                    prop_assert_eq!(n, src.len().min(cap - model.len()));
                    model.extend(&src[..n]);
                }
                SpscOp::PopSlice(len) => {
                    let mut dst = vec![u32::MAX; len];
                    let n = rx.pop_slice(&mut dst);
                    prop_assert_eq!(n, len.min(model.len()));
                    let expect: Vec<u32> = model.drain(..n).collect();
                    prop_assert_eq!(&dst[..n], &expect[..]);
                    prop_assert!(dst[n..].iter().all(|&x| x == u32::MAX));
                }
                SpscOp::WriteChunk { n, k } => {
                    let mut chunk = tx.write_chunk_uninit(n);
                    let len = n.min(cap - model.len());
                    prop_assert_eq!(chunk.len(), len);
                    let k = k.min(len);
                    let (a, b) = chunk.as_mut_slices();
                    prop_assert_eq!(a.len() + b.len(), len);
                    for (i, slot) in a.iter_mut().chain(b.iter_mut()).take(k).enumerate() {
                        let v = u32::try_from(i).unwrap() + 7000;
                        slot.write(v);
                        model.push_back(v);
                    }
                    // SAFETY: the first `k` slots were written just above.
                    unsafe { chunk.commit(k) };
                }
                SpscOp::FillChunk { n, items } => {
                    let chunk = tx.write_chunk_uninit(n);
                    let len = n.min(cap - model.len());
                    prop_assert_eq!(chunk.len(), len);
                    let written = chunk.fill_from_iter(items.iter().copied());
                    prop_assert_eq!(written, len.min(items.len()));
                    model.extend(&items[..written]);
                }
                SpscOp::ReadChunk { n, k } => {
                    let chunk = rx.read_chunk(n);
                    let len = n.min(model.len());
                    prop_assert_eq!(chunk.len(), len);
                    let (a, b) = chunk.as_slices();
                    let got: Vec<u32> = a.iter().chain(b).copied().collect();
                    let expect: Vec<u32> = model.iter().take(len).copied().collect();
                    prop_assert_eq!(got, expect);
                    chunk.commit(k);
                    model.drain(..k.min(len));
                }
            }
            check_spsc_lens(&tx, &rx, model.len())?;
        }
    }

    /// The same model with owned values: every value is dropped exactly once,
    /// whichever half goes first.
    #[test]
    fn spsc_owned_values_drop_once(
        cap in 1usize..10,
        ops in prop::collection::vec(spsc_op(), 0..60),
        producer_first in any::<bool>(),
    ) {
        let c = counter();
        let (mut tx, mut rx) = spsc::channel::<Counted>(cap).unwrap();
        let cap = tx.capacity();
        let mut model: VecDeque<u32> = VecDeque::new();
        for op in ops {
            match op {
                SpscOp::Push(v) => {
                    match tx.push(Counted::new(v, &c)) {
                        Ok(()) => model.push_back(v),
                        Err(PushError::Full(back)) => {
                            prop_assert_eq!(model.len(), cap);
                            prop_assert_eq!(back.val, v);
                        }
                    }
                }
                SpscOp::Pop | SpscOp::PopSlice(_) => {
                    prop_assert_eq!(rx.pop().ok().map(|x| x.val), model.pop_front());
                }
                SpscOp::Peek => prop_assert_eq!(rx.peek().map(|x| x.val), model.front().copied()),
                SpscOp::WriteChunk { n, k } => {
                    let mut chunk = tx.write_chunk_uninit(n);
                    let len = chunk.len();
                    let k = k.min(len);
                    let (a, b) = chunk.as_mut_slices();
                    for (i, slot) in a.iter_mut().chain(b.iter_mut()).take(k).enumerate() {
                        let v = u32::try_from(i).unwrap();
                        slot.write(Counted::new(v, &c));
                        model.push_back(v);
                    }
                    // SAFETY: the first `k` slots were written just above.
                    unsafe { chunk.commit(k) };
                }
                SpscOp::FillChunk { n, items } => {
                    let written = tx
                        .write_chunk_uninit(n)
                        .fill_from_iter(items.iter().map(|&v| Counted::new(v, &c)));
                    model.extend(&items[..written]);
                }
                SpscOp::ReadChunk { n, k } => {
                    let chunk = rx.read_chunk(n);
                    let len = chunk.len();
                    let (a, b) = chunk.as_slices();
                    let got: Vec<u32> = a.iter().chain(b).map(|x| x.val).collect();
                    let expect: Vec<u32> = model.iter().take(len).copied().collect();
                    prop_assert_eq!(got, expect);
                    chunk.commit(k);
                    model.drain(..k.min(len));
                }
                SpscOp::PushSlice(items) => {
                    // Owned values have no slice path: push them one by one.
                    for v in items {
                        if tx.push(Counted::new(v, &c)).is_ok() {
                            model.push_back(v);
                        }
                    }
                }
            }
            prop_assert_eq!(live(&c), isize::try_from(model.len()).unwrap());
            check_spsc_lens(&tx, &rx, model.len())?;
        }
        let remaining = isize::try_from(model.len()).unwrap();
        if producer_first {
            drop(tx);
            prop_assert!(rx.is_abandoned());
            prop_assert_eq!(live(&c), remaining);
            drop(rx);
        } else {
            drop(rx);
            prop_assert!(tx.is_abandoned());
            prop_assert_eq!(live(&c), remaining);
            drop(tx);
        }
        // The last half dropped whatever was left, exactly once.
        prop_assert_eq!(live(&c), 0);
    }
}

// ---------------------------------------------------------------------------
// mpmc model

#[derive(Debug, Clone)]
enum QueueOp {
    Push(u32),
    ForcePush(u32),
    Pop,
}

fn queue_op() -> impl Strategy<Value = QueueOp> {
    prop_oneof![
        any::<u32>().prop_map(QueueOp::Push),
        any::<u32>().prop_map(QueueOp::ForcePush),
        Just(QueueOp::Pop),
    ]
}

proptest! {
    /// Single-threaded op sequences on `mpmc::Queue` behave like a bounded
    /// `VecDeque`, and every value is dropped exactly once.
    #[test]
    fn mpmc_matches_vecdeque(cap in 1usize..9, ops in prop::collection::vec(queue_op(), 0..100)) {
        let c = counter();
        let q = Queue::new(cap).unwrap();
        prop_assert_eq!(q.capacity(), cap);
        let mut model: VecDeque<u32> = VecDeque::new();
        for op in ops {
            match op {
                QueueOp::Push(v) => match q.push(Counted::new(v, &c)) {
                    Ok(()) => {
                        prop_assert!(model.len() < cap);
                        model.push_back(v);
                    }
                    Err(back) => {
                        prop_assert_eq!(model.len(), cap);
                        prop_assert_eq!(back.val, v);
                    }
                },
                QueueOp::ForcePush(v) => {
                    let evicted = q.force_push(Counted::new(v, &c)).map(|x| x.val);
                    let expect = if model.len() == cap { model.pop_front() } else { None };
                    prop_assert_eq!(evicted, expect);
                    model.push_back(v);
                }
                QueueOp::Pop => prop_assert_eq!(q.pop().map(|x| x.val), model.pop_front()),
            }
            prop_assert_eq!(q.len(), model.len());
            prop_assert_eq!(q.is_empty(), model.is_empty());
            prop_assert_eq!(q.is_full(), model.len() == cap);
            prop_assert_eq!(live(&c), isize::try_from(model.len()).unwrap());
        }
        drop(q);
        prop_assert_eq!(live(&c), 0);
    }
}

// ---------------------------------------------------------------------------
// overwrite model

#[derive(Debug, Clone)]
enum OverwriteOp {
    Push(u32),
    PopOldest,
    Clear,
}

fn overwrite_op() -> impl Strategy<Value = OverwriteOp> {
    prop_oneof![
        8 => any::<u32>().prop_map(OverwriteOp::Push),
        2 => Just(OverwriteOp::PopOldest),
        1 => Just(OverwriteOp::Clear),
    ]
}

proptest! {
    /// `Overwrite` keeps exactly the last `capacity` values pushed.
    #[test]
    fn overwrite_matches_vecdeque(cap in 1usize..9, ops in prop::collection::vec(overwrite_op(), 0..100)) {
        let c = counter();
        let mut ring = Overwrite::new(cap).unwrap();
        let mut model: VecDeque<u32> = VecDeque::new();
        for op in ops {
            match op {
                OverwriteOp::Push(v) => {
                    let evicted = ring.push(Counted::new(v, &c)).map(|x| x.val);
                    let expect = if model.len() == cap { model.pop_front() } else { None };
                    prop_assert_eq!(evicted, expect);
                    model.push_back(v);
                }
                OverwriteOp::PopOldest => {
                    prop_assert_eq!(ring.pop_oldest().map(|x| x.val), model.pop_front());
                }
                OverwriteOp::Clear => {
                    ring.clear();
                    model.clear();
                }
            }
            prop_assert_eq!(ring.len(), model.len());
            prop_assert_eq!(ring.capacity(), cap);
            prop_assert_eq!(ring.is_empty(), model.is_empty());
            prop_assert_eq!(ring.is_full(), model.len() == cap);
            prop_assert_eq!(ring.latest().map(|x| x.val), model.back().copied());
            prop_assert_eq!(ring.oldest().map(|x| x.val), model.front().copied());
            prop_assert!(ring.iter().map(|x| x.val).eq(model.iter().copied()));
            prop_assert!(ring.iter().rev().map(|x| x.val).eq(model.iter().rev().copied()));
            prop_assert_eq!(ring.iter().len(), model.len());
            for i in 0..=model.len() {
                prop_assert_eq!(ring.get(i).map(|x| x.val), model.get(i).copied());
            }
            prop_assert_eq!(live(&c), isize::try_from(model.len()).unwrap());
        }
        drop(ring);
        prop_assert_eq!(live(&c), 0);
    }
}

// ---------------------------------------------------------------------------
// Drop counting, one test per ownership path

fn filled(
    cap: usize,
    n: u32,
    c: &Arc<AtomicIsize>,
) -> (spsc::Producer<Counted>, spsc::Consumer<Counted>) {
    let (mut tx, rx) = spsc::channel(cap).unwrap();
    for i in 0..n {
        tx.push(Counted::new(i, c)).unwrap();
    }
    (tx, rx)
}

#[test]
fn spsc_drop_popped() {
    let c = counter();
    let (tx, mut rx) = filled(4, 3, &c);
    for i in 0..3 {
        assert_eq!(rx.pop().unwrap().val, i);
        assert_eq!(live(&c), 2 - isize::try_from(i).unwrap());
    }
    drop((tx, rx));
    assert_eq!(live(&c), 0);
}

#[test]
fn spsc_drop_left_in_ring_wrapped() {
    let c = counter();
    let (mut tx, mut rx) = filled(4, 3, &c);
    drop(rx.pop());
    drop(rx.pop());
    // Now the contents wrap: slots 2, 3, 0, 1.
    tx.push(Counted::new(10, &c)).unwrap();
    tx.push(Counted::new(11, &c)).unwrap();
    tx.push(Counted::new(12, &c)).unwrap();
    assert!(tx.is_full());
    assert_eq!(live(&c), 4);
    drop((tx, rx));
    assert_eq!(live(&c), 0);
}

#[test]
fn spsc_drop_producer_first() {
    let c = counter();
    let (tx, mut rx) = filled(4, 3, &c);
    drop(tx);
    assert!(rx.is_abandoned());
    assert_eq!(rx.pop().unwrap().val, 0);
    assert_eq!(live(&c), 2);
    drop(rx);
    assert_eq!(live(&c), 0);
}

#[test]
fn spsc_drop_consumer_first() {
    let c = counter();
    let (mut tx, rx) = filled(4, 2, &c);
    drop(rx);
    assert!(tx.is_abandoned());
    tx.push(Counted::new(5, &c)).unwrap();
    assert_eq!(live(&c), 3);
    drop(tx);
    assert_eq!(live(&c), 0);
}

#[test]
fn spsc_drop_full_push_returns_value() {
    let c = counter();
    let (mut tx, rx) = filled(1, 1, &c);
    let back = tx.push(Counted::new(9, &c)).unwrap_err().into_inner();
    assert_eq!(back.val, 9);
    assert_eq!(live(&c), 2);
    drop(back);
    drop((tx, rx));
    assert_eq!(live(&c), 0);
}

#[test]
fn spsc_drop_read_chunk_partially_committed() {
    let c = counter();
    let (mut tx, mut rx) = filled(4, 3, &c);
    drop(rx.pop());
    tx.push(Counted::new(3, &c)).unwrap();
    tx.push(Counted::new(4, &c)).unwrap(); // wraps
    let chunk = rx.read_chunk(4);
    let (a, b) = chunk.as_slices();
    assert_eq!((a.len(), b.len()), (3, 1));
    chunk.commit(3); // drops 1, 2, 3: exactly the first piece
    assert_eq!(live(&c), 1);
    {
        let _not_committed = rx.read_chunk(1);
    }
    assert_eq!(live(&c), 1);
    assert_eq!(rx.peek().unwrap().val, 4);
    drop((tx, rx));
    assert_eq!(live(&c), 0);
}

#[test]
fn spsc_drop_read_chunk_commit_across_wrap() {
    let c = counter();
    let (mut tx, mut rx) = filled(4, 3, &c);
    drop(rx.pop());
    drop(rx.pop());
    for i in 3..6 {
        tx.push(Counted::new(i, &c)).unwrap();
    }
    // Contents 2, 3 | 4, 5 in two pieces; commit 3 crosses the wrap.
    rx.read_chunk(4).commit(3);
    assert_eq!(live(&c), 1);
    assert_eq!(rx.pop().unwrap().val, 5);
    assert_eq!(live(&c), 0);
}

#[test]
fn spsc_drop_write_chunk_partially_committed() {
    let c = counter();
    let (mut tx, rx) = spsc::channel::<Counted>(4).unwrap();
    let mut chunk = tx.write_chunk_uninit(3);
    let (a, _) = chunk.as_mut_slices();
    a[0].write(Counted::new(0, &c));
    a[1].write(Counted::new(1, &c));
    // SAFETY: the first two slots were written just above.
    unsafe { chunk.commit(2) };
    assert_eq!(rx.len(), 2);
    // fill_from_iter publishes only what it wrote.
    assert_eq!(
        tx.write_chunk_uninit(5)
            .fill_from_iter((7..8).map(|v| Counted::new(v, &c))),
        1
    );
    assert_eq!(live(&c), 3);
    drop((tx, rx));
    assert_eq!(live(&c), 0);
}

#[test]
fn spsc_fill_from_iter_publishes_written_values_on_panic() {
    let c = counter();
    let (mut tx, mut rx) = spsc::channel::<Counted>(4).unwrap();
    let c2 = Arc::clone(&c);
    let result = catch_unwind(AssertUnwindSafe(|| {
        tx.write_chunk_uninit(4).fill_from_iter((0..4).map(|i| {
            assert!(i < 2, "iterator fails");
            Counted::new(i, &c2)
        }))
    }));
    assert!(result.is_err());
    assert_eq!(rx.len(), 2);
    assert_eq!(rx.pop().unwrap().val, 0);
    drop((tx, rx));
    assert_eq!(live(&c), 0);
}

/// Panics in `drop` when `val` is `PANIC`.
#[derive(Debug)]
struct PanicOnDrop {
    inner: Counted,
}

const PANIC: u32 = 666;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        if self.inner.val == PANIC && !thread::panicking() {
            panic!("drop panics");
        }
    }
}

#[test]
fn spsc_read_chunk_commit_survives_panicking_drop() {
    let c = counter();
    let (mut tx, mut rx) = spsc::channel::<PanicOnDrop>(4).unwrap();
    for v in [1, PANIC, 2, 3] {
        tx.push(PanicOnDrop {
            inner: Counted::new(v, &c),
        })
        .unwrap();
    }
    let result = catch_unwind(AssertUnwindSafe(|| rx.read_chunk(3).commit(3)));
    assert!(result.is_err());
    // All three were dropped (the panicking one's fields too) and removed.
    assert_eq!(live(&c), 1);
    assert_eq!(rx.len(), 1);
    assert_eq!(rx.pop().unwrap().inner.val, 3);
    drop((tx, rx));
    assert_eq!(live(&c), 0);
}

#[test]
fn mpmc_drop_paths() {
    let c = counter();
    let q = Queue::new(3).unwrap();
    for i in 0..3 {
        q.push(Counted::new(i, &c)).unwrap();
    }
    // Popped.
    assert_eq!(q.pop().unwrap().val, 0);
    assert_eq!(live(&c), 2);
    // Full push hands the value back.
    q.push(Counted::new(3, &c)).unwrap();
    let back = q.push(Counted::new(4, &c)).unwrap_err();
    assert_eq!(back.val, 4);
    drop(back);
    assert_eq!(live(&c), 3);
    // force_push eviction returns the oldest.
    let evicted = q.force_push(Counted::new(5, &c)).unwrap();
    assert_eq!(evicted.val, 1);
    drop(evicted);
    assert_eq!(live(&c), 3);
    // Left in the queue (wrapped: slots 2, 0, 1).
    drop(q);
    assert_eq!(live(&c), 0);
}

#[test]
fn mpmc_drop_survives_panicking_drop() {
    let c = counter();
    let q = Queue::new(4).unwrap();
    for v in [1, PANIC, 2] {
        q.push(PanicOnDrop {
            inner: Counted::new(v, &c),
        })
        .unwrap();
    }
    assert!(catch_unwind(AssertUnwindSafe(|| drop(q))).is_err());
    assert_eq!(live(&c), 0);
}

#[test]
fn overwrite_drop_paths() {
    let c = counter();
    let mut r = Overwrite::new(2).unwrap();
    assert!(r.push(Counted::new(0, &c)).is_none());
    assert!(r.push(Counted::new(1, &c)).is_none());
    let evicted = r.push(Counted::new(2, &c)).unwrap();
    assert_eq!(evicted.val, 0);
    drop(evicted);
    assert_eq!(live(&c), 2);
    r.clear();
    assert_eq!(live(&c), 0);
    r.extend((0..5).map(|i| Counted::new(i, &c)));
    assert_eq!(live(&c), 2);
    drop(r);
    assert_eq!(live(&c), 0);
}

// ---------------------------------------------------------------------------
// Two-thread transfers: order and no loss (no timing assertions)

const N: u64 = 1_000_000;

#[test]
fn spsc_transfer_push_pop() {
    let (mut tx, mut rx) = spsc::channel::<u64>(256).unwrap();
    let producer = thread::spawn(move || {
        for i in 0..N {
            let mut v = i;
            while let Err(e) = tx.push(v) {
                v = e.into_inner();
                std::hint::spin_loop();
                thread::yield_now();
            }
        }
    });
    let mut next = 0;
    while next < N {
        match rx.pop() {
            Ok(v) => {
                assert_eq!(v, next);
                next += 1;
            }
            Err(PopError::Empty) => thread::yield_now(),
        }
    }
    producer.join().unwrap();
    assert_eq!(rx.pop(), Err(PopError::Empty));
    assert!(rx.is_abandoned());
}

#[test]
fn spsc_transfer_slices_and_chunks() {
    let (mut tx, mut rx) = spsc::channel::<u64>(1000).unwrap();
    let producer = thread::spawn(move || {
        let mut next = 0;
        let mut round = 0u64;
        while next < N {
            round += 1;
            let want = usize::try_from(round % 37 + 1).unwrap();
            if round.is_multiple_of(2) {
                let src: Vec<u64> = (next..N).take(want).collect();
                next += tx.push_slice(&src) as u64;
            } else {
                let end = N.min(next + want as u64);
                next += tx.write_chunk_uninit(want).fill_from_iter(next..end) as u64;
            }
            thread::yield_now();
        }
    });
    let mut next = 0u64;
    let mut buf = [0u64; 50];
    let mut round = 0u64;
    while next < N {
        round += 1;
        let want = usize::try_from(round % 50 + 1).unwrap();
        if round.is_multiple_of(2) {
            let n = rx.pop_slice(&mut buf[..want]);
            for &v in &buf[..n] {
                assert_eq!(v, next);
                next += 1;
            }
        } else {
            let chunk = rx.read_chunk(want);
            let (a, b) = chunk.as_slices();
            for &v in a.iter().chain(b) {
                assert_eq!(v, next);
                next += 1;
            }
            let n = chunk.len();
            chunk.commit(n);
        }
        thread::yield_now();
    }
    producer.join().unwrap();
    assert!(rx.is_empty());
}

#[test]
fn mpmc_transfer_two_producers_two_consumers() {
    const PER: u64 = N / 2;
    let q = Queue::<u64>::new(128).unwrap();
    let done = AtomicUsize::new(0);
    let (sums, counts): (Vec<u64>, Vec<u64>) = thread::scope(|s| {
        for p in 0..2u64 {
            let (q, done) = (&q, &done);
            s.spawn(move || {
                for i in 0..PER {
                    // Tag each value with its producer to check per-producer order.
                    let mut v = (p << 32) | i;
                    while let Err(back) = q.push(v) {
                        v = back;
                        thread::yield_now();
                    }
                }
                done.fetch_add(1, Ordering::Release);
            });
        }
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let (q, done) = (&q, &done);
                s.spawn(move || {
                    let mut last = [None::<u64>; 2];
                    let (mut sum, mut count) = (0u64, 0u64);
                    loop {
                        // Read before `pop`: once both producers are done, an
                        // empty `pop` means the queue stays empty.
                        let finished = done.load(Ordering::Acquire) == 2;
                        match q.pop() {
                            Some(v) => {
                                let p = usize::try_from(v >> 32).unwrap();
                                let i = v & 0xffff_ffff;
                                // Values from one producer come out in order.
                                assert!(last[p].is_none_or(|l| l < i));
                                last[p] = Some(i);
                                sum += i;
                                count += 1;
                            }
                            None if finished => break,
                            None => thread::yield_now(),
                        }
                    }
                    (sum, count)
                })
            })
            .collect();
        consumers.into_iter().map(|h| h.join().unwrap()).unzip()
    });
    assert_eq!(counts.iter().sum::<u64>(), 2 * PER);
    assert_eq!(sums.iter().sum::<u64>(), 2 * (PER * (PER - 1) / 2));
}
