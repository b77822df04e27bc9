//! Ring buffers between two threads: 20M `u64` from a producer thread to a
//! consumer thread, one by one and in chunks of 256, at capacities 1024 and
//! 65536, pillars beside `rtrb`, `ringbuf`, `crossbeam-queue::ArrayQueue`,
//! `heapless::spsc` and `crossbeam-channel::bounded`; and the MPMC queue
//! beside `ArrayQueue` with one and two threads on each side.
//!
//! Throughput is reported in elements per second (Mops/s = 1e-6 × that).
//! Both sides spin while full / empty (the channel uses `try_send` /
//! `try_recv` so it is measured as a queue, not as a parking primitive).
//! Every run checks the sum of what arrived, so a lost element fails it.
//!
//! A last group runs each queue on one thread (a burst of 256 pushes, then
//! 256 pops): the per-operation cost without the OS scheduler in the figure.
//!
//! Run: `cargo bench --bench ringbuf`.

use std::hint::spin_loop;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};
use pillars_kit::dsa::ringbuf::{mpmc, spsc};
use ringbuf::traits::{Consumer as _, Producer as _, Split as _};

const ITEMS: u64 = 20_000_000;
const CHUNK: usize = 256;
const CAPACITIES: [usize; 2] = [1024, 65_536];

fn expected_sum(n: u64) -> u64 {
    n * (n - 1) / 2
}

/// Moves `ITEMS` values through one ring made by `make`, the producer on a new
/// thread; `push` / `pop` move one value (false / `None` when full / empty).
fn one_by_one_case<P, C>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    cap: usize,
    make: impl Fn(usize) -> (P, C),
    push: impl Fn(&mut P, u64) -> bool + Send + Copy + 'static,
    pop: impl Fn(&mut C) -> Option<u64> + Copy,
) where
    P: Send + 'static,
{
    g.bench_function(BenchmarkId::new(name, cap), |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    let (mut p, mut c) = make(cap);
                    let start = Instant::now();
                    let producer = thread::spawn(move || {
                        for i in 0..ITEMS {
                            while !push(&mut p, i) {
                                spin_loop();
                            }
                        }
                    });
                    let (mut sum, mut got) = (0_u64, 0);
                    while got < ITEMS {
                        if let Some(v) = pop(&mut c) {
                            sum += v;
                            got += 1;
                        } else {
                            spin_loop();
                        }
                    }
                    producer.join().expect("producer");
                    let elapsed = start.elapsed();
                    assert_eq!(sum, expected_sum(ITEMS), "{name}: elements lost");
                    elapsed
                })
                .sum::<Duration>()
        });
    });
}

/// As [`one_by_one_case`], in batches of up to `CHUNK`: `push` takes values
/// from a slice and `pop` fills one, each returning how many it moved.
fn chunk_case<P, C>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    cap: usize,
    make: impl Fn(usize) -> (P, C),
    push: impl Fn(&mut P, &[u64]) -> usize + Send + Copy + 'static,
    pop: impl Fn(&mut C, &mut [u64]) -> usize + Copy,
) where
    P: Send + 'static,
{
    g.bench_function(BenchmarkId::new(name, cap), |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    let (mut p, mut c) = make(cap);
                    let start = Instant::now();
                    let producer = thread::spawn(move || {
                        let mut buf = [0_u64; CHUNK];
                        let mut next = 0;
                        while next < ITEMS {
                            let n = CHUNK.min((ITEMS - next) as usize);
                            for (slot, v) in buf[..n].iter_mut().zip(next..) {
                                *slot = v;
                            }
                            let mut sent = 0;
                            while sent < n {
                                let k = push(&mut p, &buf[sent..n]);
                                if k == 0 {
                                    spin_loop();
                                }
                                sent += k;
                            }
                            next += n as u64;
                        }
                    });
                    let mut buf = [0_u64; CHUNK];
                    let (mut sum, mut got) = (0_u64, 0);
                    while got < ITEMS {
                        let k = pop(&mut c, &mut buf);
                        if k == 0 {
                            spin_loop();
                        }
                        sum += buf[..k].iter().sum::<u64>();
                        got += k as u64;
                    }
                    producer.join().expect("producer");
                    let elapsed = start.elapsed();
                    assert_eq!(sum, expected_sum(ITEMS), "{name}: elements lost");
                    elapsed
                })
                .sum::<Duration>()
        });
    });
}

fn one_by_one(c: &mut Criterion) {
    let mut g = c.benchmark_group("ringbuf/spsc_one_by_one");
    g.throughput(Throughput::Elements(ITEMS));
    g.sample_size(10);
    for &cap in &CAPACITIES {
        one_by_one_case(
            &mut g,
            "pillars::spsc",
            cap,
            |cap| spsc::channel::<u64>(cap).expect("capacity"),
            |p, v| p.push(v).is_ok(),
            |c| c.pop().ok(),
        );
        one_by_one_case(
            &mut g,
            "rtrb",
            cap,
            rtrb::RingBuffer::<u64>::new,
            |p, v| p.push(v).is_ok(),
            |c| c.pop().ok(),
        );
        one_by_one_case(
            &mut g,
            "ringbuf::HeapRb",
            cap,
            |cap| ringbuf::HeapRb::<u64>::new(cap).split(),
            |p, v| p.try_push(v).is_ok(),
            |c| c.try_pop(),
        );
        one_by_one_case(
            &mut g,
            "crossbeam::ArrayQueue",
            cap,
            |cap| {
                let q = Arc::new(crossbeam_queue::ArrayQueue::<u64>::new(cap));
                (Arc::clone(&q), q)
            },
            |p, v| p.push(v).is_ok(),
            |c| c.pop(),
        );
        one_by_one_case(
            &mut g,
            "crossbeam_channel::bounded",
            cap,
            crossbeam_channel::bounded::<u64>,
            |p, v| p.try_send(v).is_ok(),
            |c| c.try_recv().ok(),
        );
    }
    // heapless fixes its capacity at compile time (N - 1 usable slots); each
    // run leaks one queue so both halves can be 'static.
    macro_rules! heapless_case {
        ($n:literal) => {
            one_by_one_case(
                &mut g,
                "heapless::spsc",
                $n - 1,
                |_| {
                    let q: &'static mut heapless::spsc::Queue<u64, $n> =
                        Box::leak(Box::new(heapless::spsc::Queue::new()));
                    q.split()
                },
                |p, v| p.enqueue(v).is_ok(),
                |c| c.dequeue(),
            );
        };
    }
    heapless_case!(1025);
    heapless_case!(65537);
    g.finish();
}

fn chunked(c: &mut Criterion) {
    let mut g = c.benchmark_group("ringbuf/spsc_chunks_256");
    g.throughput(Throughput::Elements(ITEMS));
    g.sample_size(10);
    for &cap in &CAPACITIES {
        chunk_case(
            &mut g,
            "pillars::spsc slices",
            cap,
            |cap| spsc::channel::<u64>(cap).expect("capacity"),
            |p, vs| p.push_slice(vs),
            |c, out| c.pop_slice(out),
        );
        chunk_case(
            &mut g,
            "pillars::spsc chunks",
            cap,
            |cap| spsc::channel::<u64>(cap).expect("capacity"),
            |p, vs| {
                p.write_chunk_uninit(vs.len())
                    .fill_from_iter(vs.iter().copied())
            },
            |c, out| {
                let chunk = c.read_chunk(out.len());
                let (a, b) = chunk.as_slices();
                out[..a.len()].copy_from_slice(a);
                out[a.len()..a.len() + b.len()].copy_from_slice(b);
                let n = a.len() + b.len();
                chunk.commit(n);
                n
            },
        );
        chunk_case(
            &mut g,
            "rtrb chunks",
            cap,
            rtrb::RingBuffer::<u64>::new,
            |p, vs| {
                let n = vs.len().min(p.slots());
                match p.write_chunk_uninit(n) {
                    Ok(chunk) => chunk.fill_from_iter(vs.iter().copied()),
                    Err(_) => 0,
                }
            },
            |c, out| {
                let n = out.len().min(c.slots());
                match c.read_chunk(n) {
                    Ok(chunk) => {
                        let (a, b) = chunk.as_slices();
                        out[..a.len()].copy_from_slice(a);
                        out[a.len()..n].copy_from_slice(b);
                        chunk.commit_all();
                        n
                    }
                    Err(_) => 0,
                }
            },
        );
        chunk_case(
            &mut g,
            "ringbuf::HeapRb slices",
            cap,
            |cap| ringbuf::HeapRb::<u64>::new(cap).split(),
            |p, vs| p.push_slice(vs),
            |c, out| c.pop_slice(out),
        );
    }
    g.finish();
}

/// MPMC: `threads` producers and as many consumers over one queue of 1024.
fn mpmc_case<Q: Sync>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    threads: u64,
    make: impl Fn() -> Q,
    push: impl Fn(&Q, u64) -> bool + Send + Copy,
    pop: impl Fn(&Q) -> Option<u64> + Send + Copy,
) {
    const N: u64 = 4_000_000;
    let per = N / threads;
    g.bench_function(
        BenchmarkId::new(name, format!("{threads}x{threads}")),
        |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let q = make();
                        let start = Instant::now();
                        let sum: u64 = thread::scope(|s| {
                            for t in 0..threads {
                                let q = &q;
                                s.spawn(move || {
                                    for i in t * per..(t + 1) * per {
                                        while !push(q, i) {
                                            thread::yield_now();
                                        }
                                    }
                                });
                            }
                            let consumers: Vec<_> = (0..threads)
                                .map(|_| {
                                    let q = &q;
                                    s.spawn(move || {
                                        let mut sum = 0_u64;
                                        for _ in 0..per {
                                            sum += loop {
                                                if let Some(v) = pop(q) {
                                                    break v;
                                                }
                                                thread::yield_now();
                                            };
                                        }
                                        sum
                                    })
                                })
                                .collect();
                            consumers
                                .into_iter()
                                .map(|h| h.join().expect("consumer"))
                                .sum()
                        });
                        let elapsed = start.elapsed();
                        assert_eq!(sum, expected_sum(per * threads), "{name}: elements lost");
                        elapsed
                    })
                    .sum::<Duration>()
            });
        },
    );
}

fn mpmc_bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("ringbuf/mpmc");
    g.throughput(Throughput::Elements(4_000_000));
    g.sample_size(10);
    for threads in [1, 2] {
        mpmc_case(
            &mut g,
            "pillars::mpmc::Queue",
            threads,
            || mpmc::Queue::<u64>::new(1024).expect("capacity"),
            |q, v| q.push(v).is_ok(),
            mpmc::Queue::pop,
        );
        mpmc_case(
            &mut g,
            "crossbeam::ArrayQueue",
            threads,
            || crossbeam_queue::ArrayQueue::<u64>::new(1024),
            |q, v| q.push(v).is_ok(),
            crossbeam_queue::ArrayQueue::pop,
        );
    }
    g.finish();
}

/// One thread, no scheduler in the measurement: push a burst of `BURST` values
/// then pop them all, on a ring of 1024 that stays warm in cache. This is the
/// per-operation cost of each queue (index arithmetic, cached-index checks,
/// atomics), which the two-thread groups above cannot show reliably on a
/// shared 2-core machine where the OS decides who runs.
fn same_thread(c: &mut Criterion) {
    const BURST: u64 = 256;
    fn case<P, C>(
        g: &mut BenchmarkGroup<'_, WallTime>,
        name: &str,
        (mut p, mut c): (P, C),
        push: impl Fn(&mut P, u64) -> bool,
        pop: impl Fn(&mut C) -> Option<u64>,
    ) {
        g.bench_function(name, |b| {
            b.iter(|| {
                for i in 0..BURST {
                    assert!(push(&mut p, std::hint::black_box(i)), "{name}: full");
                }
                let mut sum = 0;
                while let Some(v) = pop(&mut c) {
                    sum += v;
                }
                assert_eq!(sum, expected_sum(BURST), "{name}: elements lost");
                sum
            });
        });
    }
    let mut g = c.benchmark_group("ringbuf/same_thread_burst_256");
    g.throughput(Throughput::Elements(2 * BURST));
    case(
        &mut g,
        "pillars::spsc",
        spsc::channel::<u64>(1024).expect("capacity"),
        |p, v| p.push(v).is_ok(),
        |c| c.pop().ok(),
    );
    case(
        &mut g,
        "rtrb",
        rtrb::RingBuffer::<u64>::new(1024),
        |p, v| p.push(v).is_ok(),
        |c| c.pop().ok(),
    );
    case(
        &mut g,
        "ringbuf::HeapRb",
        ringbuf::HeapRb::<u64>::new(1024).split(),
        |p, v| p.try_push(v).is_ok(),
        |c| c.try_pop(),
    );
    let q: &'static mut heapless::spsc::Queue<u64, 1025> =
        Box::leak(Box::new(heapless::spsc::Queue::new()));
    case(
        &mut g,
        "heapless::spsc",
        q.split(),
        |p, v| p.enqueue(v).is_ok(),
        |c| c.dequeue(),
    );
    let q = Arc::new(mpmc::Queue::<u64>::new(1024).expect("capacity"));
    case(
        &mut g,
        "pillars::mpmc::Queue",
        (Arc::clone(&q), q),
        |p, v| p.push(v).is_ok(),
        |c| c.pop(),
    );
    let q = Arc::new(crossbeam_queue::ArrayQueue::<u64>::new(1024));
    case(
        &mut g,
        "crossbeam::ArrayQueue",
        (Arc::clone(&q), q),
        |p, v| p.push(v).is_ok(),
        |c| c.pop(),
    );
    g.finish();
}

criterion_group!(benches, one_by_one, chunked, mpmc_bench, same_thread);
criterion_main!(benches);
