//! Both ends of every ring driven by one operation sequence, checked against
//! a `VecDeque` after every operation. Values own heap memory (`Box`), so the
//! address sanitizer cargo-fuzz builds with catches a double drop, a leak
//! path that reads freed memory, or a read of an uninitialised slot.
#![no_main]

use std::collections::VecDeque;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pillars_dsa::ringbuf::{mpmc, overwrite::Overwrite, spsc};

#[derive(Arbitrary, Debug)]
enum Op {
    Push(u32),
    Pop,
    Peek,
    PushSlice(u8),
    PopSlice(u8),
    WriteChunk { want: u8, fill: u8 },
    ReadChunk { want: u8, take: u8 },
    ForcePush(u32),
    DropConsumer,
}

fuzz_target!(|input: (u8, Vec<Op>)| {
    let (cap, ops) = input;
    let cap = usize::from(cap % 33).max(1);
    spsc_ops(cap, &ops);
    mpmc_ops(cap, &ops);
    overwrite_ops(cap, &ops);
});

fn spsc_ops(cap: usize, ops: &[Op]) {
    let (mut tx, rx) = spsc::channel::<Box<u32>>(cap).expect("capacity >= 1");
    let real = tx.capacity();
    assert!(real >= cap && real.is_power_of_two());
    // Copy values take the slice paths on a second ring.
    let (mut ctx, mut crx) = spsc::channel::<u32>(cap).expect("capacity >= 1");
    let mut rx = Some(rx);
    let mut model: VecDeque<u32> = VecDeque::new();
    let mut cmodel: VecDeque<u32> = VecDeque::new();
    let mut next = 0_u32;
    for op in ops.iter().take(512) {
        match *op {
            Op::Push(v) => {
                let r = tx.push(Box::new(v));
                if model.len() < real {
                    assert!(r.is_ok());
                    model.push_back(v);
                } else {
                    assert_eq!(*r.expect_err("full").into_inner(), v, "value handed back");
                }
            }
            Op::Pop => {
                if let Some(rx) = rx.as_mut() {
                    assert_eq!(rx.pop().ok().map(|b| *b), model.pop_front());
                }
            }
            Op::Peek => {
                if let Some(rx) = rx.as_ref() {
                    assert_eq!(rx.peek().map(|b| **b), model.front().copied());
                    assert_eq!(rx.len(), model.len());
                }
            }
            Op::PushSlice(n) => {
                let src: Vec<u32> = (0..u32::from(n)).map(|i| next.wrapping_add(i)).collect();
                let k = ctx.push_slice(&src);
                assert_eq!(k, src.len().min(real - cmodel.len()));
                cmodel.extend(&src[..k]);
                next = next.wrapping_add(u32::from(n));
            }
            Op::PopSlice(n) => {
                let mut dst = vec![0_u32; usize::from(n)];
                let k = crx.pop_slice(&mut dst);
                assert_eq!(k, dst.len().min(cmodel.len()));
                for v in &dst[..k] {
                    assert_eq!(Some(*v), cmodel.pop_front());
                }
            }
            Op::WriteChunk { want, fill } => {
                let chunk = ctx.write_chunk_uninit(usize::from(want));
                assert_eq!(chunk.len(), usize::from(want).min(real - cmodel.len()));
                let vals: Vec<u32> = (0..u32::from(fill)).map(|i| next.wrapping_add(i)).collect();
                let k = chunk.fill_from_iter(vals.iter().copied());
                assert_eq!(
                    k,
                    vals.len().min(usize::from(want)).min(real - cmodel.len())
                );
                cmodel.extend(&vals[..k]);
                next = next.wrapping_add(u32::from(fill));
            }
            Op::ReadChunk { want, take } => {
                let chunk = crx.read_chunk(usize::from(want));
                let n = chunk.len();
                assert_eq!(n, usize::from(want).min(cmodel.len()));
                let (a, b) = chunk.as_slices();
                let seen: Vec<u32> = a.iter().chain(b).copied().collect();
                assert_eq!(seen, cmodel.iter().take(n).copied().collect::<Vec<_>>());
                let k = usize::from(take).min(n);
                chunk.commit(usize::from(take));
                cmodel.drain(..k);
            }
            Op::ForcePush(_) => {}
            Op::DropConsumer => {
                // Values left in the ring are dropped with the ring (ASan
                // checks each exactly once).
                rx = None;
                assert!(tx.is_abandoned());
            }
        }
        assert_eq!(crx.len(), cmodel.len());
    }
}

fn mpmc_ops(cap: usize, ops: &[Op]) {
    let q = mpmc::Queue::<Box<u32>>::new(cap).expect("capacity >= 1");
    assert_eq!(q.capacity(), cap);
    let mut model: VecDeque<u32> = VecDeque::new();
    for op in ops.iter().take(512) {
        match *op {
            Op::Push(v) => {
                let r = q.push(Box::new(v));
                if model.len() < cap {
                    assert!(r.is_ok());
                    model.push_back(v);
                } else {
                    assert_eq!(*r.expect_err("full"), v);
                }
            }
            Op::ForcePush(v) => {
                let evicted = q.force_push(Box::new(v)).map(|b| *b);
                let expected = if model.len() == cap {
                    model.pop_front()
                } else {
                    None
                };
                assert_eq!(evicted, expected);
                model.push_back(v);
            }
            Op::Pop | Op::PopSlice(_) | Op::ReadChunk { .. } => {
                assert_eq!(q.pop().map(|b| *b), model.pop_front());
            }
            _ => {}
        }
        assert_eq!(q.len(), model.len());
        assert_eq!(q.is_full(), model.len() == cap);
    }
}

fn overwrite_ops(cap: usize, ops: &[Op]) {
    let mut ring = Overwrite::<Box<u32>>::new(cap).expect("capacity >= 1");
    let mut model: VecDeque<u32> = VecDeque::new();
    for op in ops.iter().take(512) {
        match *op {
            Op::Push(v) | Op::ForcePush(v) => {
                let evicted = ring.push(Box::new(v)).map(|b| *b);
                let expected = if model.len() == cap {
                    model.pop_front()
                } else {
                    None
                };
                assert_eq!(evicted, expected);
                model.push_back(v);
            }
            Op::Pop => {
                assert_eq!(ring.pop_oldest().map(|b| *b), model.pop_front());
            }
            _ => {}
        }
        assert!(ring.iter().map(|b| **b).eq(model.iter().copied()));
        assert_eq!(ring.latest().map(|b| **b), model.back().copied());
    }
}
