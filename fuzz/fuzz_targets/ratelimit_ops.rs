//! Quota parameters and operation sequences — including time stepping
//! backwards and to the end of `u64` time — applied to every local limiter.
//! Nothing may panic or overflow, and after every check the GCRA bound
//! "cells allowed from check i to check j ≤ burst + (now_j − now_i) / T"
//! holds whatever the clock did.
#![no_main]

use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pillars_dsa::ratelimit::{
    FixedWindow, Gcra, KeyedLimiter, ManualClock, Pacer, Quota, SlidingLog, SlidingWindow,
    TokenBucket,
};

#[derive(Arbitrary, Debug)]
struct Params {
    rate: u64,
    period_ns: u64,
    burst: u64,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Advance(u32),
    Back(u32),
    Set(u64),
    Check(u8),
    CheckN(u64),
    Key(u8, u8),
    Retain,
    Pace,
}

fuzz_target!(|input: (Params, Vec<Op>)| {
    let (p, ops) = input;
    let Ok(q) =
        Quota::new(p.rate, Duration::from_nanos(p.period_ns)).and_then(|q| q.with_burst(p.burst))
    else {
        return; // bad parameters are errors, not panics: that is the test
    };
    let clock = ManualClock::new();
    let gcra = Gcra::with_clock(q, clock.clone());
    let bucket = TokenBucket::with_clock(q, clock.clone());
    let limit = q.burst().min(1 << 16);
    let window = q.period();
    let fixed = FixedWindow::with_clock(limit, window, clock.clone()).ok();
    let sliding = SlidingWindow::with_clock(limit, window, clock.clone()).ok();
    let log = SlidingLog::with_clock(limit.min(1024), window, clock.clone()).ok();
    let keyed = KeyedLimiter::<u8, _>::with_clock(q, 4, clock.clone()).expect("cap 4 is valid");
    let pacer = Pacer::with_clock(q, clock.clone());
    let t = i128::from(u64::try_from(q.emission_interval().as_nanos()).unwrap_or(u64::MAX));
    let mut now = 0_u64;
    let mut allowed: Vec<(u64, u64)> = Vec::new();
    for op in ops.into_iter().take(256) {
        match op {
            Op::Advance(d) => now = now.saturating_add(u64::from(d) * 1000),
            Op::Back(d) => now = now.saturating_sub(u64::from(d) * 1000),
            Op::Set(n) => now = n,
            Op::Check(n) => {
                clock.set_nanos(now);
                let n = u64::from(n);
                match gcra.check_n(n) {
                    Ok(d) => {
                        assert!(d.remaining() <= q.burst());
                        // Zero cells write nothing: no bound to check there.
                        if d.is_allowed() && n > 0 {
                            allowed.push((now, n));
                        }
                    }
                    Err(_) => assert!(n > q.burst()),
                }
                let _ = bucket.check_n(n);
                if let Some(f) = &fixed {
                    let _ = f.check_n(n);
                }
                if let Some(s) = &sliding {
                    let _ = s.check_n(n);
                }
                if let Some(l) = &log {
                    let _ = l.check_n(n);
                    assert!(l.len() as u64 <= limit.min(1024));
                }
            }
            Op::CheckN(n) => {
                clock.set_nanos(now);
                assert_eq!(gcra.check_n(n).is_err(), n > q.burst());
                assert_eq!(bucket.check_n(n).is_err(), n > q.burst());
            }
            Op::Key(k, n) => {
                clock.set_nanos(now);
                let _ = keyed.check_n(&k, u64::from(n));
                assert!(keyed.len() <= 4);
            }
            Op::Retain => {
                clock.set_nanos(now);
                let _ = keyed.retain_recent();
            }
            Op::Pace => {
                clock.set_nanos(now);
                let _ = pacer.check();
                let _ = pacer.reserve();
            }
        }
    }
    // The GCRA bound, whatever the clock did.
    for i in 0..allowed.len() {
        let mut cells = 0_i128;
        for &(at, n) in &allowed[i..] {
            cells += i128::from(n);
            let span = i128::from(at) - i128::from(allowed[i].0);
            assert!(cells <= i128::from(q.burst()) + span.div_euclid(t));
        }
    }
});
