//! Bad input: clear errors or defined results, never a panic or overflow.

use std::time::Duration;

use pillars_dsa::ratelimit::{Error, Gcra, ManualClock, Quota, TokenBucket};

#[test]
fn quota_rejects_zero_and_overflow() {
    assert!(matches!(Quota::per_second(0), Err(Error::ZeroRate)));
    assert!(matches!(
        Quota::new(1, Duration::ZERO),
        Err(Error::ZeroPeriod)
    ));
    assert!(matches!(
        Quota::per_second(1).and_then(|q| q.with_burst(0)),
        Err(Error::ZeroBurst)
    ));
    assert!(matches!(
        Quota::new(2, Duration::from_nanos(1)),
        Err(Error::TooFast { .. })
    ));
    assert!(matches!(
        Quota::per_second(1).and_then(|q| q.with_burst(u64::MAX)),
        Err(Error::TooLarge { .. })
    ));
    assert!(matches!(
        Quota::new(1, Duration::MAX),
        Err(Error::TooLarge { .. })
    ));
    // The largest accepted values work.
    let q = Quota::new(1_000_000_000, Duration::from_secs(1)).expect("1 per ns");
    assert_eq!(q.emission_interval(), Duration::from_nanos(1));
}

#[test]
fn n_larger_than_burst_is_an_error_and_takes_nothing() {
    let q = Quota::per_second(5).expect("valid");
    let g = Gcra::with_clock(q, ManualClock::new());
    let b = TokenBucket::with_clock(q, ManualClock::new());
    for n in [6, 1000, u64::MAX] {
        assert!(matches!(
            g.check_n(n),
            Err(Error::InsufficientCapacity { burst: 5, .. })
        ));
        assert!(b.check_n(n).is_err());
    }
    assert_eq!(g.peek().remaining(), 5);
    assert!(g.check_n(5).expect("ok").is_allowed());
}

#[test]
fn clock_at_the_end_of_time_denies_without_overflow() {
    let clock = ManualClock::new();
    let q = Quota::per_second(5).expect("valid");
    let g = Gcra::with_clock(q, clock.clone());
    let b = TokenBucket::with_clock(q, clock.clone());
    clock.set_nanos(u64::MAX);
    assert!(!g.check().is_allowed());
    let _ = b.check();
    clock.set_nanos(0);
    let _ = g.check();
    let _ = b.check();
    clock.set_nanos(u64::MAX - 1);
    let _ = g.check_n(5);
}

#[test]
fn clock_backwards_only_makes_it_stricter() {
    let clock = ManualClock::new();
    let g = Gcra::with_clock(Quota::per_second(1).expect("valid"), clock.clone());
    clock.set_nanos(10_000_000_000);
    assert!(g.check().is_allowed());
    clock.set_nanos(0);
    let d = g.check();
    assert!(!d.is_allowed());
    // TAT is 11 s; the next cell fits at 11 s, so retry after 11 s from 0.
    assert_eq!(d.retry_after(), Duration::from_secs(11));
}
