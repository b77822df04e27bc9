//! Pacer, concurrency limits and header values: behaviour, not timings.

use std::sync::Arc;
use std::time::Duration;

use pillars_dsa::ratelimit::concurrency::{
    AdaptiveLimit, Aimd, ConcurrencyLimit, Gradient, LimitAlgorithm, Outcome, Sample,
};
use pillars_dsa::ratelimit::{Decision, ManualClock, Pacer, Quota, headers};

#[test]
fn pacer_spaces_evenly_with_slack() {
    let clock = ManualClock::new();
    let q = Quota::per_second(10)
        .and_then(|q| q.with_burst(3))
        .expect("valid");
    let p = Pacer::with_clock(q, clock.clone());
    // First slot now, then spaced 100 ms.
    assert_eq!(p.reserve(), Duration::ZERO);
    assert_eq!(p.reserve(), Duration::from_millis(100));
    // After a long pause, slack lets 3 go at once, then spacing resumes.
    clock.advance(Duration::from_secs(10));
    let waits: Vec<Duration> = (0..5).map(|_| p.reserve()).collect();
    assert_eq!(
        waits,
        [0, 0, 0, 100, 200].map(Duration::from_millis).to_vec()
    );
    // `check` never reserves a future slot.
    let d = p.check();
    assert!(!d.is_allowed());
    assert_eq!(d.retry_after(), Duration::from_millis(300));
}

#[test]
fn pacer_clock_backwards_is_safe() {
    let clock = ManualClock::new();
    let p = Pacer::with_clock(
        Quota::per_second(10)
            .and_then(|q| q.with_burst(1))
            .expect("valid"),
        clock.clone(),
    );
    clock.set_nanos(5_000_000_000);
    assert_eq!(p.reserve(), Duration::ZERO);
    clock.set_nanos(0);
    assert_eq!(p.reserve(), Duration::from_millis(5100));
    clock.set_nanos(u64::MAX);
    let _ = p.reserve();
    let _ = p.reserve();
    let _ = p.check();
}

#[tokio::test]
async fn until_ready_waits_for_the_slot() {
    let p = Pacer::new(
        Quota::per_second(1000)
            .and_then(|q| q.with_burst(1))
            .expect("valid"),
    )
    .with_jitter(Duration::from_micros(10));
    for _ in 0..3 {
        p.until_ready().await;
    }
}

#[test]
fn fixed_permits_across_threads() {
    let lim = Arc::new(ConcurrencyLimit::new(3).expect("valid"));
    let max_seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let hs: Vec<_> = (0..4)
        .map(|_| {
            let (lim, max_seen) = (Arc::clone(&lim), Arc::clone(&max_seen));
            std::thread::spawn(move || {
                for _ in 0..2_000 {
                    if let Some(_p) = lim.try_acquire() {
                        max_seen.fetch_max(lim.in_flight(), std::sync::atomic::Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for h in hs {
        h.join().expect("no panic");
    }
    assert!(max_seen.load(std::sync::atomic::Ordering::Relaxed) <= 3);
    assert_eq!(lim.in_flight(), 0);
}

#[test]
fn aimd_moves_with_drops_and_latency() {
    let lim = AdaptiveLimit::new(
        Aimd::new(10, 2, 12)
            .expect("valid")
            .with_timeout(Duration::from_millis(100)),
    );
    // Successes with the limit in use grow it to max.
    for _ in 0..10 {
        let toks: Vec<_> = (0..lim.limit()).filter_map(|_| lim.try_acquire()).collect();
        for t in toks {
            t.record(Duration::from_millis(1), Outcome::Success);
        }
    }
    assert_eq!(lim.limit(), 12);
    // Slow responses count as drops; the limit falls to the floor.
    for _ in 0..50 {
        if let Some(t) = lim.try_acquire() {
            t.record(Duration::from_millis(500), Outcome::Success);
        }
    }
    assert_eq!(lim.limit(), 2);
    // Ignored outcomes do not move it.
    lim.try_acquire().expect("free").finish(Outcome::Ignore);
    assert_eq!(lim.limit(), 2);
    assert_eq!(lim.in_flight(), 0);
}

#[test]
fn gradient_tracks_latency_and_stays_in_bounds() {
    let mut g = Gradient::new(10, 5, 50).expect("valid");
    let mut limit = g.initial_limit();
    let s = |ms, n, dropped| Sample {
        rtt: Duration::from_millis(ms),
        in_flight: n,
        dropped,
    };
    for _ in 0..500 {
        limit = g.update(limit, s(10, limit, false));
        assert!((5..=50).contains(&limit));
    }
    assert_eq!(limit, 50);
    for _ in 0..200 {
        limit = g.update(limit, s(10, limit, true));
    }
    // Drops halve the gradient: L' = 0.8 L + 0.2 (0.5 L + queue 4), whose
    // fixed point is 8 (the queue allowance keeps probing).
    assert_eq!(limit, 8);
    // App-limited (few in flight): no information, no change.
    assert_eq!(g.update(limit, s(1, 1, false)), limit);
    assert!(
        Aimd::new(1, 1, 1)
            .and_then(|a| a.with_backoff(f64::NAN))
            .is_err()
    );
}

#[test]
fn header_values() {
    let q = Quota::per_minute(100).expect("valid");
    assert_eq!(
        headers::rate_limit_policy("default", &q).expect("ok"),
        r#""default";q=100;w=60"#
    );
    assert_eq!(
        headers::rate_limit_policy(r#"a"b\c"#, &q).expect("ok"),
        r#""a\"b\\c";q=100;w=60"#
    );
    assert!(headers::rate_limit_policy("é", &q).is_err());
    assert!(headers::rate_limit_policy("tab\t", &q).is_err());
    let d = Decision::new(true, 100, 50, Duration::from_secs(30), Duration::ZERO);
    assert_eq!(
        headers::rate_limit("default", &d).expect("ok"),
        r#""default";r=50;t=30"#
    );
    assert_eq!(headers::retry_after(&d), None);
    let d = Decision::new(
        false,
        100,
        0,
        Duration::from_secs(30),
        Duration::from_nanos(1),
    );
    assert_eq!(headers::retry_after(&d).as_deref(), Some("1"));
    let d = Decision::new(false, 100, 0, Duration::MAX, Duration::MAX);
    assert!(headers::retry_after(&d).is_some());
    assert!(headers::rate_limit("x", &d).is_ok());
}
