//! Small deterministic tests that walk every `unsafe` path of the rings, for
//! Miri (`cargo +nightly miri test --test miri_ringbuf`, with
//! `MIRIFLAGS=-Zmiri-strict-provenance`). Owned, heap-allocating values
//! (`String`, `Box`) make Miri catch a double drop, a use after free, a read
//! of uninitialised memory or a leak; the threaded tests give its data race
//! detector the real cross-thread protocol. Capacities and counts are small
//! so the whole file runs in well under a minute under Miri.
#![cfg(not(loom))]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use pillars_dsa::ringbuf::mpmc::Queue;
use pillars_dsa::ringbuf::overwrite::Overwrite;
use pillars_dsa::ringbuf::{PopError, PushError, spsc};

fn s(i: usize) -> String {
    format!("v{i}")
}

#[test]
fn spsc_push_pop_peek_wrap() {
    let (mut tx, mut rx) = spsc::channel::<String>(3).unwrap();
    assert_eq!(tx.capacity(), 4);
    for round in 0..3 {
        for i in 0..4 {
            tx.push(s(round * 10 + i)).unwrap();
        }
        assert!(matches!(tx.push(s(99)), Err(PushError::Full(v)) if v == "v99"));
        assert_eq!(rx.peek().map(String::as_str), Some(s(round * 10).as_str()));
        // Pop three, leaving one so the next round wraps.
        for i in 0..3 {
            assert_eq!(rx.pop().unwrap(), s(round * 10 + i));
        }
        assert_eq!(rx.pop().unwrap(), s(round * 10 + 3));
        assert_eq!(rx.pop(), Err(PopError::Empty));
        assert_eq!(rx.peek(), None);
        tx.push(s(1000)).unwrap();
        drop(rx.pop());
    }
}

#[test]
fn spsc_drop_with_wrapped_contents() {
    // Left in the ring when both halves go, in two pieces (drop_two).
    let (mut tx, mut rx) = spsc::channel::<Box<usize>>(4).unwrap();
    for i in 0..3 {
        tx.push(Box::new(i)).unwrap();
    }
    drop(rx.pop());
    drop(rx.pop());
    for i in 3..6 {
        tx.push(Box::new(i)).unwrap();
    }
    drop(tx);
    drop(rx);

    // Consumer first, then producer.
    let (mut tx, rx) = spsc::channel::<Box<usize>>(2).unwrap();
    tx.push(Box::new(1)).unwrap();
    drop(rx);
    assert!(tx.is_abandoned());
    tx.push(Box::new(2)).unwrap();
    drop(tx);
}

#[test]
fn spsc_copy_slices_wrap() {
    let (mut tx, mut rx) = spsc::channel::<u16>(4).unwrap();
    assert_eq!(tx.push_slice(&[1, 2, 3]), 3);
    let mut out = [0u16; 2];
    assert_eq!(rx.pop_slice(&mut out), 2);
    assert_eq!(out, [1, 2]);
    // Free slots now 3, 0, 1: the copy is split in two.
    assert_eq!(tx.push_slice(&[4, 5, 6, 7]), 3);
    let mut out = [0u16; 8];
    // Readable 2, 3 | 0, 1: also split.
    assert_eq!(rx.pop_slice(&mut out), 4);
    assert_eq!(&out[..4], &[3, 4, 5, 6]);
    assert_eq!(tx.push_slice(&[]), 0);
    assert_eq!(rx.pop_slice(&mut []), 0);
}

#[test]
fn spsc_write_chunk_paths() {
    let (mut tx, mut rx) = spsc::channel::<String>(4).unwrap();
    tx.push(s(0)).unwrap();
    tx.push(s(1)).unwrap();
    drop(rx.pop());
    drop(rx.pop());
    // Write chunk starting at slot 2, wrapping into slots 0, 1.
    let mut chunk = tx.write_chunk_uninit(4);
    let (a, b) = chunk.as_mut_slices();
    assert_eq!((a.len(), b.len()), (2, 2));
    a[0].write(s(2));
    a[1].write(s(3));
    b[0].write(s(4));
    // SAFETY: the first three slots (a[0], a[1], b[0]) were written above.
    unsafe { chunk.commit(3) };
    assert_eq!(tx.write_chunk_uninit(9).fill_from_iter((5..9).map(s)), 1);
    for i in 2..6 {
        assert_eq!(rx.pop().unwrap(), s(i));
    }
    // An empty chunk, and a chunk dropped without commit.
    assert!(tx.write_chunk_uninit(0).is_empty());
    {
        let _unused = tx.write_chunk_uninit(2);
    }
    assert!(rx.is_empty());
    tx.write_chunk_uninit(3).fill_from_iter((0..3).map(s));
    drop((tx, rx)); // three left in the ring
}

#[test]
fn spsc_read_chunk_paths() {
    let (mut tx, mut rx) = spsc::channel::<String>(4).unwrap();
    for i in 0..3 {
        tx.push(s(i)).unwrap();
    }
    drop(rx.pop());
    drop(rx.pop());
    for i in 3..6 {
        tx.push(s(i)).unwrap();
    }
    // Readable: slots 2, 3 | 0, 1.
    let chunk = rx.read_chunk(4);
    let (a, b) = chunk.as_slices();
    assert_eq!(a, [s(2), s(3)]);
    assert_eq!(b, [s(4), s(5)]);
    chunk.commit(3); // drops across the wrap
    assert_eq!(rx.peek(), Some(&s(5)));
    {
        let _not_committed = rx.read_chunk(1);
    }
    rx.read_chunk(1).commit(0);
    assert_eq!(rx.len(), 1);
    rx.read_chunk(8).commit(usize::MAX); // clamped
    assert!(rx.is_empty());
    drop((tx, rx));
}

#[test]
fn spsc_zst_with_drop() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Z;
    impl Drop for Z {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::Relaxed);
        }
    }
    let (mut tx, mut rx) = spsc::channel::<Z>(2).unwrap();
    tx.push(Z).unwrap();
    tx.push(Z).unwrap();
    let back = tx.push(Z).unwrap_err().into_inner();
    drop(back);
    assert_eq!(DROPS.load(Ordering::Relaxed), 1);
    drop(rx.pop().unwrap());
    assert_eq!(DROPS.load(Ordering::Relaxed), 2);
    tx.write_chunk_uninit(1).fill_from_iter([Z]);
    rx.read_chunk(1).commit(1);
    assert_eq!(DROPS.load(Ordering::Relaxed), 3);
    drop((tx, rx)); // one left
    assert_eq!(DROPS.load(Ordering::Relaxed), 4);
}

#[test]
fn spsc_threads_owned_values() {
    const COUNT: usize = 60;
    let (mut tx, mut rx) = spsc::channel::<String>(4).unwrap();
    let producer = thread::spawn(move || {
        for i in 0..COUNT {
            let mut v = s(i);
            while let Err(e) = tx.push(v) {
                v = e.into_inner();
                thread::yield_now();
            }
        }
    });
    let mut next = 0;
    while next < COUNT {
        match rx.pop() {
            Ok(v) => {
                assert_eq!(v, s(next));
                next += 1;
            }
            Err(PopError::Empty) => thread::yield_now(),
        }
    }
    producer.join().unwrap();
}

#[test]
fn spsc_threads_chunks_and_slices() {
    const COUNT: u32 = 60;
    let (mut tx, mut rx) = spsc::channel::<u32>(4).unwrap();
    let producer = thread::spawn(move || {
        let mut next = 0;
        let mut flip = false;
        while next < COUNT {
            flip = !flip;
            if flip {
                let src: Vec<u32> = (next..COUNT.min(next + 3)).collect();
                next += u32::try_from(tx.push_slice(&src)).unwrap();
            } else {
                let n = tx
                    .write_chunk_uninit(3)
                    .fill_from_iter(next..COUNT.min(next + 3));
                next += u32::try_from(n).unwrap();
            }
            thread::yield_now();
        }
    });
    let mut next = 0;
    let mut flip = false;
    while next < COUNT {
        flip = !flip;
        if flip {
            let mut buf = [0; 3];
            let n = rx.pop_slice(&mut buf);
            for &v in &buf[..n] {
                assert_eq!(v, next);
                next += 1;
            }
        } else {
            let chunk = rx.read_chunk(3);
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
}

#[test]
fn spsc_threads_drop_race() {
    // The two halves are dropped on different threads with values left in
    // the ring; whichever drops last frees them.
    let (mut tx, rx) = spsc::channel::<Box<u8>>(4).unwrap();
    let t = thread::spawn(move || {
        tx.push(Box::new(1)).unwrap();
        tx.push(Box::new(2)).unwrap();
        drop(tx);
    });
    drop(rx);
    t.join().unwrap();
}

#[test]
fn mpmc_single_thread_paths() {
    let q = Queue::<String>::new(3).unwrap();
    for lap in 0..3 {
        for i in 0..3 {
            q.push(s(lap * 10 + i)).unwrap();
        }
        assert_eq!(q.push(s(99)), Err(s(99)));
        assert!(q.is_full());
        assert_eq!(q.force_push(s(lap * 10 + 3)), Some(s(lap * 10)));
        assert_eq!(q.len(), 3);
        assert_eq!(q.pop(), Some(s(lap * 10 + 1)));
        assert_eq!(q.pop(), Some(s(lap * 10 + 2)));
        assert_eq!(q.pop(), Some(s(lap * 10 + 3)));
        assert_eq!(q.pop(), None);
        assert!(q.is_empty());
        assert_eq!(q.force_push(s(7)), None);
        drop(q.pop());
    }
    // Dropped with wrapped contents.
    q.push(s(1)).unwrap();
    q.push(s(2)).unwrap();
    drop(q.pop());
    q.push(s(3)).unwrap();
    q.push(s(4)).unwrap();
    drop(q);
}

#[test]
fn mpmc_threads() {
    const PER: usize = 30;
    let q = Arc::new(Queue::<String>::new(2).unwrap());
    let popped = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for p in 0..2 {
        let q = Arc::clone(&q);
        handles.push(thread::spawn(move || {
            for i in 0..PER {
                let mut v = s(p * 1000 + i);
                while let Err(back) = q.push(v) {
                    v = back;
                    thread::yield_now();
                }
            }
        }));
    }
    for _ in 0..2 {
        let q = Arc::clone(&q);
        let popped = Arc::clone(&popped);
        handles.push(thread::spawn(move || {
            while popped.load(Ordering::Relaxed) < 2 * PER {
                if q.pop().is_some() {
                    popped.fetch_add(1, Ordering::Relaxed);
                } else {
                    thread::yield_now();
                }
            }
        }));
    }
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(popped.load(Ordering::Relaxed), 2 * PER);
    assert!(q.is_empty());
}

#[test]
fn mpmc_threads_force_push() {
    let q = Arc::new(Queue::<Box<usize>>::new(2).unwrap());
    let handles: Vec<_> = (0..2)
        .map(|p| {
            let q = Arc::clone(&q);
            thread::spawn(move || {
                let mut evicted = 0;
                for i in 0..10 {
                    if q.force_push(Box::new(p * 100 + i)).is_some() {
                        evicted += 1;
                    }
                    if i % 3 == 0 {
                        drop(q.pop());
                    }
                }
                evicted
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert!(q.len() <= 2);
}

#[test]
fn overwrite_paths() {
    let mut r = Overwrite::new(2).unwrap();
    for i in 0..5 {
        drop(r.push(s(i)));
    }
    assert!(r.iter().eq([s(3), s(4)].iter()));
    assert_eq!(r.pop_oldest(), Some(s(3)));
    r.clear();
    r.extend((0..3).map(s));
    drop(r);
}

/// Owns a heap value (so Miri sees a leak or double free) and panics in
/// `drop` when `panics` is set.
#[derive(Debug)]
struct PanicOnDrop {
    _heap: Box<u32>,
    panics: bool,
}

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        if self.panics && !thread::panicking() {
            panic!("drop panics");
        }
    }
}

fn pod(panics: bool) -> PanicOnDrop {
    PanicOnDrop {
        _heap: Box::new(7),
        panics,
    }
}

#[test]
fn panicking_drops_free_everything_once() {
    use std::panic::{AssertUnwindSafe, catch_unwind};

    // ReadChunk::commit across the wrap, panicking in the first piece.
    let (mut tx, mut rx) = spsc::channel::<PanicOnDrop>(4).unwrap();
    for _ in 0..3 {
        tx.push(pod(false)).unwrap();
    }
    drop(rx.pop());
    drop(rx.pop());
    for p in [true, false, false] {
        tx.push(pod(p)).unwrap();
    }
    // Readable: slots 2, 3 | 0, 1 holding false, true | false, false.
    assert!(catch_unwind(AssertUnwindSafe(|| rx.read_chunk(4).commit(3))).is_err());
    assert_eq!(rx.len(), 1);

    // The ring's own drop, panicking in the first piece.
    tx.push(pod(true)).unwrap();
    drop(rx);
    assert!(catch_unwind(AssertUnwindSafe(|| drop(tx))).is_err());

    // mpmc's drop.
    let q = Queue::new(3).unwrap();
    for p in [false, true, false] {
        q.push(pod(p)).unwrap();
    }
    assert!(catch_unwind(AssertUnwindSafe(|| drop(q))).is_err());
}
