//! Loom models of the CAS limiters: run with
//! `RUSTFLAGS="--cfg loom" cargo test --release --test loom_ratelimit`.
//!
//! The limiters' atomics come from `ratelimit/sync.rs`, which swaps in
//! loom's under `--cfg loom`, so every interleaving of the CAS loops that
//! ship is explored. The clock is a `ManualClock` (a std atomic outside the
//! model): time is fixed while the threads race, so exactly `burst` cells
//! must be allowed in total, none lost and none extra.
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;
use std::time::Duration;

use pillars_dsa::ratelimit::{FixedWindow, Gcra, ManualClock, Pacer, Quota, TokenBucket};

#[test]
fn gcra_two_threads_allow_exactly_burst() {
    loom::model(|| {
        let q = Quota::per_second(10).unwrap().with_burst(3).unwrap();
        let lim = Arc::new(Gcra::with_clock(q, ManualClock::new()));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let lim = Arc::clone(&lim);
                thread::spawn(move || (0..2).filter(|_| lim.check().is_allowed()).count())
            })
            .collect();
        let total: usize = hs.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(total, 3);
        assert!(!lim.check().is_allowed());
    });
}

#[test]
fn gcra_check_n_all_or_nothing() {
    loom::model(|| {
        let q = Quota::per_second(10).unwrap().with_burst(3).unwrap();
        let lim = Arc::new(Gcra::with_clock(q, ManualClock::new()));
        let l2 = Arc::clone(&lim);
        let h = thread::spawn(move || l2.check_n(2).unwrap().is_allowed());
        let a = lim.check_n(2).unwrap().is_allowed();
        let b = h.join().unwrap();
        // Only one pair fits in a burst of 3; the loser takes nothing.
        assert!(a ^ b);
        assert!(lim.check().is_allowed());
        assert!(!lim.check().is_allowed());
    });
}

#[test]
fn token_bucket_two_threads_allow_exactly_capacity() {
    loom::model(|| {
        let q = Quota::per_second(10).unwrap().with_burst(3).unwrap();
        let b = Arc::new(TokenBucket::with_clock(q, ManualClock::new()));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let b = Arc::clone(&b);
                thread::spawn(move || (0..2).filter(|_| b.check().is_allowed()).count())
            })
            .collect();
        let total: usize = hs.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(total, 3);
    });
}

#[test]
fn fixed_window_two_threads_allow_exactly_limit() {
    loom::model(|| {
        let w = Arc::new(
            FixedWindow::with_clock(3, Duration::from_secs(1), ManualClock::new()).unwrap(),
        );
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let w = Arc::clone(&w);
                thread::spawn(move || (0..2).filter(|_| w.check().is_allowed()).count())
            })
            .collect();
        let total: usize = hs.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(total, 3);
    });
}

#[test]
fn pacer_hands_out_distinct_slots() {
    loom::model(|| {
        let q = Quota::per_second(10).unwrap().with_burst(1).unwrap();
        let p = Arc::new(Pacer::with_clock(q, ManualClock::new()));
        let p2 = Arc::clone(&p);
        let h = thread::spawn(move || p2.reserve());
        let a = p.reserve();
        let b = h.join().unwrap();
        let mut waits = [a, b];
        waits.sort();
        assert_eq!(waits, [Duration::ZERO, Duration::from_millis(100)]);
    });
}

/// Past the first period the cached period/window number misses, so both
/// threads race to recompute and store it (a Relaxed hint, verified before
/// use): still exactly the capacity in total.
#[test]
fn cached_period_number_race_allows_exactly_capacity() {
    loom::model(|| {
        let clock = ManualClock::new();
        clock.set_nanos(1_500_000_000);
        let q = Quota::per_second(10).unwrap().with_burst(3).unwrap();
        let b = Arc::new(TokenBucket::with_clock(q, clock.clone()));
        let w = Arc::new(FixedWindow::with_clock(2, Duration::from_secs(1), clock).unwrap());
        let (b2, w2) = (Arc::clone(&b), Arc::clone(&w));
        let h = thread::spawn(move || {
            let got = (0..2).filter(|_| b2.check().is_allowed()).count();
            (got, usize::from(w2.check().is_allowed()))
        });
        let mine = (0..2).filter(|_| b.check().is_allowed()).count();
        let my_w = usize::from(w.check().is_allowed());
        let (theirs, their_w) = h.join().unwrap();
        assert_eq!(mine + theirs, 3);
        assert_eq!(my_w + their_w, 2);
        assert!(!w.check().is_allowed());
    });
}
