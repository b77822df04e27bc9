//! Model-based property tests for the local limiters, all on a
//! `ManualClock`: each limiter against a simple reference, plus the safety
//! bound "never more than burst + rate·t in any span t".

use std::sync::Arc;
use std::time::Duration;

use pillars_dsa::ratelimit::{Gcra, ManualClock, Quota, TokenBucket};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    /// Advance the clock by this many nanoseconds.
    Advance(u64),
    /// Move the clock back by this many nanoseconds (saturating at 0).
    Back(u64),
    /// Ask for n cells.
    Check(u64),
}

fn ops(max_n: u64, back: bool) -> impl Strategy<Value = Vec<Op>> {
    let step = prop_oneof![
        4 => (0..3_000_000_u64).prop_map(Op::Advance),
        1 => (0..3_000_000_u64).prop_map(move |d| if back { Op::Back(d) } else { Op::Advance(d) }),
        6 => (0..=max_n).prop_map(Op::Check),
    ];
    prop::collection::vec(step, 1..200)
}

fn quota() -> impl Strategy<Value = Quota> {
    (1..50_u64, 1..20_u64, 1..5_000_000_u64).prop_map(|(rate, burst, period_us)| {
        Quota::new(rate, Duration::from_nanos(period_us * 1000 + rate))
            .and_then(|q| q.with_burst(burst))
            .expect("valid by construction")
    })
}

/// Continuous-state leaky bucket (ITU-T I.371): the textbook twin of GCRA's
/// virtual scheduling, in u128 so it cannot overflow.
struct LeakyModel {
    x: u128,
    lct: u128,
    t: u128,
    w: u128,
}

impl LeakyModel {
    fn check(&mut self, now: u128, n: u64) -> bool {
        let drained = self.x.saturating_sub(now.saturating_sub(self.lct));
        let want = drained + u128::from(n) * self.t;
        if want > self.w {
            return false;
        }
        self.x = want;
        self.lct = now.max(self.lct);
        true
    }
}

/// Checks "at most burst + ⌊span / T⌋ cells in any span" over the log of
/// (time, cells) allowed with a non-decreasing clock.
fn assert_rate_bound(log: &[(u64, u64)], q: &Quota) {
    let t = q.emission_interval().as_nanos();
    for i in 0..log.len() {
        let mut cells = 0_u128;
        for &(at, n) in &log[i..] {
            cells += u128::from(n);
            let span = u128::from(at - log[i].0);
            assert!(
                cells <= u128::from(q.burst()) + span / t,
                "{cells} cells in {span} ns > burst {} + span/T",
                q.burst()
            );
        }
    }
}

proptest! {
    #[test]
    fn gcra_matches_leaky_bucket(q in quota(), ops in ops(25, false)) {
        let clock = ManualClock::new();
        let lim = Gcra::with_clock(q, clock.clone());
        let mut model = LeakyModel {
            x: 0, lct: 0,
            t: q.emission_interval().as_nanos(),
            w: q.burst_window().as_nanos(),
        };
        let mut now = 0_u64;
        let mut log = Vec::new();
        for op in ops {
            match op {
                Op::Advance(d) => { now += d; clock.set_nanos(now); }
                Op::Back(_) => unreachable!(),
                Op::Check(n) => {
                    let got = lim.check_n(n);
                    if n > q.burst() {
                        prop_assert!(got.is_err());
                        continue;
                    }
                    let d = got.expect("n <= burst");
                    let want = n == 0 || model.check(u128::from(now), n);
                    prop_assert_eq!(d.is_allowed(), want);
                    prop_assert!(d.remaining() <= q.burst());
                    prop_assert_eq!(d.limit(), q.burst());
                    if d.is_allowed() {
                        prop_assert_eq!(d.retry_after(), Duration::ZERO);
                        log.push((now, n));
                    } else {
                        prop_assert!(d.retry_after() > Duration::ZERO);
                        prop_assert!(d.remaining() < n);
                    }
                }
            }
        }
        assert_rate_bound(&log, &q);
    }

    #[test]
    fn gcra_retry_after_is_exact(
        (q, n) in quota().prop_flat_map(|q| (Just(q), 1..=q.burst())),
        pre in 0..30_u64,
    ) {
        let clock = ManualClock::new();
        let lim = Gcra::with_clock(q, clock.clone());
        for _ in 0..pre { let _ = lim.check(); }
        let d = lim.check_n(n).expect("n <= burst");
        if !d.is_allowed() {
            let wait = u64::try_from(d.retry_after().as_nanos()).expect("fits");
            clock.set_nanos(wait - 1);
            prop_assert!(!lim.check_n(n).expect("ok").is_allowed());
            clock.set_nanos(wait);
            prop_assert!(lim.check_n(n).expect("ok").is_allowed());
        }
    }

    #[test]
    fn limiters_safe_with_clock_going_backwards(q in quota(), ops in ops(25, true)) {
        let clock = ManualClock::new();
        let gcra = Gcra::with_clock(q, clock.clone());
        let bucket = TokenBucket::with_clock(q, clock.clone());
        let mut now = 0_u64;
        let (mut glog, mut blog) = (Vec::new(), Vec::new());
        for op in ops {
            match op {
                Op::Advance(d) => { now += d; }
                Op::Back(d) => { now = now.saturating_sub(d); }
                Op::Check(n) => {
                    clock.set_nanos(now);
                    if let Ok(d) = gcra.check_n(n) && d.is_allowed() && n > 0 { glog.push((now, n)); }
                    if let Ok(d) = bucket.check_n(n) && d.is_allowed() && n > 0 { blog.push((now, n)); }
                }
            }
        }
        // Whatever the clock did, cells allowed from check i to check j are
        // at most burst + (now_j − now_i) / T (a negative span only tightens).
        let t = i128::try_from(q.emission_interval().as_nanos()).expect("fits");
        for i in 0..glog.len() {
            let mut cells = 0_i128;
            for &(at, n) in &glog[i..] {
                cells += i128::from(n);
                let span = i128::from(at) - i128::from(glog[i].0);
                prop_assert!(cells <= i128::from(q.burst()) + span.div_euclid(t));
            }
        }
        // The step bucket: at most capacity + R(now_j) − R(now_i), where
        // R(t) = ⌊t / period⌋ · rate tokens were added by time t.
        let period = u64::try_from(q.period().as_nanos()).expect("fits");
        let r = |t: u64| i128::from(t / period) * i128::from(q.rate());
        for i in 0..blog.len() {
            let mut cells = 0_i128;
            for &(at, n) in &blog[i..] {
                cells += i128::from(n);
                prop_assert!(cells <= i128::from(q.burst()) + r(at) - r(blog[i].0));
            }
        }
    }

    #[test]
    fn token_bucket_matches_counting_model(q in quota(), ops in ops(25, false)) {
        let clock = ManualClock::new();
        let bucket = TokenBucket::with_clock(q, clock.clone());
        let period = u64::try_from(q.period().as_nanos()).expect("fits");
        let mut tokens = q.burst();
        let mut epoch = 0_u64;
        let mut now = 0_u64;
        for op in ops {
            match op {
                Op::Advance(d) => { now += d; clock.set_nanos(now); }
                Op::Back(_) => unreachable!(),
                Op::Check(n) => {
                    let e = now / period;
                    let add = (e - epoch).saturating_mul(q.rate());
                    tokens = tokens.saturating_add(add).min(q.burst());
                    epoch = e;
                    let got = bucket.check_n(n);
                    if n > q.burst() { prop_assert!(got.is_err()); continue; }
                    let d = got.expect("n <= burst");
                    let want = n <= tokens;
                    prop_assert_eq!(d.is_allowed(), want, "tokens {} n {}", tokens, n);
                    if want { tokens -= n; }
                    prop_assert_eq!(d.remaining(), tokens);
                }
            }
        }
    }
}

proptest! {
    /// The bucket's ledger rule evaluated with exact divisions on every
    /// check, the clock free to go back: the cached period number must give
    /// the same decisions, remaining counts and times.
    #[test]
    fn token_bucket_matches_ledger_model_with_clock_going_backwards(q in quota(), ops in ops(25, true)) {
        let clock = ManualClock::new();
        let bucket = TokenBucket::with_clock(q, clock.clone());
        let period = u64::try_from(q.period().as_nanos()).expect("fits");
        let (rate, cap) = (q.rate(), q.burst());
        let time_for = |to_boundary: u64, tokens: u64| -> u64 {
            if tokens == 0 { return 0; }
            (tokens.div_ceil(rate) - 1).saturating_mul(period).saturating_add(to_boundary)
        };
        let mut ledger = 0_u64;
        let mut now = 0_u64;
        for op in ops {
            match op {
                Op::Advance(d) => { now += d; }
                Op::Back(d) => { now = now.saturating_sub(d); }
                Op::Check(n) => {
                    clock.set_nanos(now);
                    let got = bucket.check_n(n);
                    if n > cap { prop_assert!(got.is_err()); continue; }
                    let d = got.expect("n <= burst");
                    let refilled = now / period * rate;
                    let to_boundary = period - now % period;
                    let base = ledger.max(refilled);
                    let (allowed, taken, short) = if n == 0 {
                        (true, ledger.saturating_sub(refilled), 0)
                    } else if base + n - refilled <= cap {
                        ledger = base + n;
                        (true, base + n - refilled, 0)
                    } else {
                        (false, base - refilled, base + n - refilled - cap)
                    };
                    prop_assert_eq!(d.is_allowed(), allowed);
                    prop_assert_eq!(d.remaining(), cap.saturating_sub(taken));
                    prop_assert_eq!(d.reset_after(), Duration::from_nanos(time_for(to_boundary, taken)));
                    prop_assert_eq!(d.retry_after(), Duration::from_nanos(time_for(to_boundary, short)));
                }
            }
        }
    }
}

/// Nothing allowed is lost to a race: with time frozen, threads racing on
/// one limiter are allowed exactly the burst in total.
#[test]
fn threads_share_exactly_the_burst() {
    let q = Quota::per_second(1)
        .and_then(|q| q.with_burst(10_000))
        .expect("valid");
    let gcra = Arc::new(Gcra::with_clock(q, ManualClock::new()));
    let bucket = Arc::new(TokenBucket::with_clock(q, ManualClock::new()));
    let handles: Vec<_> = (0..4_u64)
        .map(|i| {
            let (g, b) = (Arc::clone(&gcra), Arc::clone(&bucket));
            std::thread::spawn(move || {
                let n = 1 + i % 3;
                let mut cells = (0_u64, 0_u64);
                for _ in 0..5_000 {
                    if g.check_n(n).expect("n <= burst").is_allowed() {
                        cells.0 += n;
                    }
                    if b.check_n(n).expect("n <= burst").is_allowed() {
                        cells.1 += n;
                    }
                }
                cells
            })
        })
        .collect();
    let (mut g_total, mut b_total) = (0, 0);
    for h in handles {
        let (g, b) = h.join().expect("no panic");
        g_total += g;
        b_total += b;
    }
    // Every cell counted by a winner is in the state: what remains + what
    // was allowed is the burst.
    assert_eq!(g_total + gcra.peek().remaining(), 10_000);
    assert!(g_total >= 10_000 - 2);
    assert_eq!(b_total + bucket.check_n(0).expect("ok").remaining(), 10_000);
}

mod windows {
    use std::collections::{HashMap, VecDeque};
    use std::time::Duration;

    use pillars_dsa::ratelimit::{FixedWindow, ManualClock, SlidingLog, SlidingWindow};
    use proptest::prelude::*;

    use super::{Op, SlidingModel, ops};

    proptest! {
        #[test]
        fn fixed_window_matches_per_window_counts(limit in 1..20_u64, w_us in 1..10_000_u64, ops in ops(25, false)) {
            let w = w_us * 1000;
            let clock = ManualClock::new();
            let lim = FixedWindow::with_clock(limit, Duration::from_nanos(w), clock.clone()).expect("valid");
            let mut counts: HashMap<u64, u64> = HashMap::new();
            let mut now = 0_u64;
            for op in ops {
                match op {
                    Op::Advance(d) | Op::Back(d) => { now += d; clock.set_nanos(now); }
                    Op::Check(n) => {
                        let got = lim.check_n(n);
                        if n > limit { prop_assert!(got.is_err()); continue; }
                        let d = got.expect("n <= limit");
                        let c = counts.entry(now / w).or_default();
                        let want = *c + n <= limit;
                        prop_assert_eq!(d.is_allowed(), want);
                        if want { *c += n; }
                        prop_assert_eq!(d.remaining(), limit - *c);
                    }
                }
            }
        }

        /// Clock going back: an earlier window than the stored one counts
        /// in the stored window (never a reset); times and counts exact.
        #[test]
        fn fixed_window_with_clock_going_backwards(limit in 1..20_u64, w_us in 1..10_000_u64, ops in ops(25, true)) {
            let w = w_us * 1000;
            let clock = ManualClock::new();
            let lim = FixedWindow::with_clock(limit, Duration::from_nanos(w), clock.clone()).expect("valid");
            let (mut win, mut count) = (0_u64, 0_u64);
            let mut now = 0_u64;
            for op in ops {
                match op {
                    Op::Advance(d) => { now += d; }
                    Op::Back(d) => { now = now.saturating_sub(d); }
                    Op::Check(n) => {
                        clock.set_nanos(now);
                        let got = lim.check_n(n);
                        if n > limit { prop_assert!(got.is_err()); continue; }
                        let d = got.expect("n <= limit");
                        if now / w > win { win = now / w; count = 0; }
                        let want = count + n <= limit;
                        prop_assert_eq!(d.is_allowed(), want);
                        if want { count += n; }
                        prop_assert_eq!(d.remaining(), limit - count);
                        prop_assert_eq!(d.reset_after(), Duration::from_nanos(w - now % w));
                    }
                }
            }
        }

        #[test]
        fn sliding_log_is_exact(limit in 1..20_u64, w_us in 1..10_000_u64, ops in ops(25, false)) {
            let w = w_us * 1000;
            let clock = ManualClock::new();
            let lim = SlidingLog::with_clock(limit, Duration::from_nanos(w), clock.clone()).expect("valid");
            let mut model: VecDeque<u64> = VecDeque::new();
            let mut now = 0_u64;
            for op in ops {
                match op {
                    Op::Advance(d) | Op::Back(d) => { now += d; clock.set_nanos(now); }
                    Op::Check(n) => {
                        let got = lim.check_n(n);
                        if n > limit { prop_assert!(got.is_err()); continue; }
                        let d = got.expect("n <= limit");
                        let in_window = model.iter().filter(|&&t| now - t < w).count() as u64;
                        let want = in_window + n <= limit;
                        prop_assert_eq!(d.is_allowed(), want);
                        if want { for _ in 0..n { model.push_back(now); } }
                        prop_assert!(lim.len() as u64 <= limit);
                        if !want {
                            // Exactly at retry_after the same n fits.
                            let at = now + u64::try_from(d.retry_after().as_nanos()).expect("fits");
                            let then = model.iter().filter(|&&t| at - t < w).count() as u64;
                            prop_assert!(then + n <= limit);
                            let before = model.iter().filter(|&&t| at - 1 - t < w).count() as u64;
                            prop_assert!(before + n > limit);
                        }
                    }
                }
            }
        }

        /// Every field of every decision equals the textbook computation
        /// (one division per check, `u128` throughout), across clock jumps
        /// back and forth and limits up to `u64::MAX` (the `u128` branches).
        #[test]
        fn sliding_window_matches_reference(
            limit in prop_oneof![1..20_u64, 1..=u64::MAX],
            w in prop_oneof![1..10_000_000_u64, 1..=u64::MAX / 2],
            ops in prop::collection::vec((0..4_u8, any::<u64>()), 1..120),
        ) {
            let clock = ManualClock::new();
            let lim = SlidingWindow::with_clock(limit, Duration::from_nanos(w), clock.clone()).expect("valid");
            let mut model = SlidingModel::default();
            let mut now = 0_u64;
            for (kind, v) in ops {
                match kind {
                    0 => now = now.saturating_add(v % w.saturating_mul(3)),
                    1 => now = now.saturating_sub(v % w.saturating_mul(3)),
                    _ => {
                        clock.set_nanos(now);
                        // Mostly small requests, sometimes up to the limit.
                        let n = if kind == 2 { (v % 4).min(limit) } else { v % limit.saturating_add(1) };
                        let d = lim.check_n(n).expect("n <= limit");
                        let want = model.step(limit, w, now, n);
                        prop_assert_eq!(
                            (d.is_allowed(), d.remaining(), d.reset_after(), d.retry_after()),
                            want
                        );
                    }
                }
            }
        }

        #[test]
        fn sliding_window_bounds(limit in 1..20_u64, w_us in 1..10_000_u64, ops in ops(25, true)) {
            let w = w_us * 1000;
            let clock = ManualClock::new();
            let lim = SlidingWindow::with_clock(limit, Duration::from_nanos(w), clock.clone()).expect("valid");
            let mut log = Vec::new();
            let mut now = 0_u64;
            for op in ops {
                match op {
                    Op::Advance(d) => { now += d; }
                    Op::Back(d) => { now = now.saturating_sub(d); }
                    Op::Check(n) => {
                        clock.set_nanos(now);
                        let got = lim.check_n(n);
                        if n > limit { prop_assert!(got.is_err()); continue; }
                        let d = got.expect("n <= limit");
                        prop_assert!(d.remaining() <= limit);
                        if d.is_allowed() { log.push((now, n)); } else { prop_assert!(d.retry_after() > Duration::ZERO); }
                    }
                }
            }
            // Never more than the limit per fixed window, and so never more
            // than 2 × limit in any span of one window.
            let mut per: HashMap<u64, u64> = HashMap::new();
            let mut high = 0;
            for &(t, n) in &log { high = t.max(high); *per.entry(high / w).or_default() += n; }
            for (_, c) in per { prop_assert!(c <= limit); }
        }
    }

    /// The kind of case CI's proptest found: the largest limit and window, a
    /// full previous window, a current one filled at its very end, then the
    /// clock back (the previous window counts in full): the weighted count
    /// plus the request passes `u128::MAX`. The reference overflowed; the
    /// limiter must deny, not wrap.
    #[test]
    fn sliding_window_full_windows_at_the_largest_limit_and_window() {
        let (limit, w) = (u64::MAX, u64::MAX / 2);
        let clock = ManualClock::new();
        let lim = SlidingWindow::with_clock(limit, Duration::from_nanos(w), clock.clone())
            .expect("valid");
        let mut model = SlidingModel::default();
        let steps = [
            (0, limit, true),
            (2 * w - 1, limit - 3, true),
            (w, limit, false),
            (w, 0, false),
        ];
        for (now, n, allowed) in steps {
            clock.set_nanos(now);
            let d = lim.check_n(n).expect("n <= limit");
            let want = model.step(limit, w, now, n);
            assert_eq!(
                (
                    d.is_allowed(),
                    d.remaining(),
                    d.reset_after(),
                    d.retry_after()
                ),
                want
            );
            assert_eq!(d.is_allowed(), allowed, "at {now} for {n}");
        }
    }
}

/// The sliding-window algorithm as first written: a plain division per
/// check and `u128` arithmetic, the reference for the optimised one.
#[derive(Default)]
struct SlidingModel {
    idx: u64,
    prev: u64,
    curr: u64,
}

impl SlidingModel {
    fn step(&mut self, limit: u64, w: u64, now: u64, n: u64) -> (bool, u64, Duration, Duration) {
        let now_idx = now / w;
        let elapsed = if now_idx < self.idx {
            0
        } else {
            if self.idx.checked_add(1) == Some(now_idx) {
                self.prev = self.curr;
                self.curr = 0;
            } else if now_idx != self.idx {
                self.prev = 0;
                self.curr = 0;
            }
            self.idx = now_idx;
            now % w
        };
        let (w128, l) = (u128::from(w), u128::from(limit));
        // Each product is below 2^127 (counts < 2^64, w < 2^63), so `scaled`
        // fits; adding the request may not, and a sum past `u128::MAX` is
        // past `l * w` too.
        let scaled = u128::from(self.prev) * u128::from(w - elapsed) + u128::from(self.curr) * w128;
        let allowed = scaled
            .checked_add(u128::from(n) * w128)
            .is_some_and(|total| total <= l * w128);
        if allowed {
            self.curr += n;
        }
        let scaled = if allowed {
            scaled + u128::from(n) * w128
        } else {
            scaled
        };
        let remaining = u64::try_from((l * w128).saturating_sub(scaled) / w128).unwrap_or(0);
        let to_end = w - elapsed;
        let reset = if self.curr > 0 {
            to_end.saturating_add(w)
        } else if self.prev > 0 {
            to_end
        } else {
            0
        };
        let retry = if allowed {
            0
        } else {
            let need = |p: u64, c: u64| -> Option<u64> {
                let room = limit.checked_sub(n)?.checked_sub(c)?;
                if p == 0 {
                    return Some(0);
                }
                let keep = u128::from(room) * w128 / u128::from(p);
                Some(u64::try_from(w128.saturating_sub(keep)).unwrap_or(w))
            };
            match need(self.prev, self.curr) {
                Some(e) if e <= w => e.saturating_sub(elapsed).max(1),
                _ => match need(self.curr, 0) {
                    Some(e) => (w - elapsed).saturating_add(e).max(1),
                    None => (w - elapsed).saturating_add(w),
                },
            }
        };
        (
            allowed,
            remaining,
            Duration::from_nanos(reset),
            Duration::from_nanos(retry),
        )
    }
}

mod keyed {
    use std::collections::HashMap;
    use std::sync::Arc;
    use std::time::Duration;

    use pillars_dsa::ratelimit::{Gcra, KeyedLimiter, ManualClock, Quota};
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum KOp {
        Advance(u64),
        Check(u8, u64),
        Retain,
    }

    fn kops() -> impl Strategy<Value = Vec<KOp>> {
        prop::collection::vec(
            prop_oneof![
                3 => (0..2_000_000_u64).prop_map(KOp::Advance),
                6 => (0..8_u8, 0..6_u64).prop_map(|(k, n)| KOp::Check(k, n)),
                1 => Just(KOp::Retain),
            ],
            1..200,
        )
    }

    proptest! {
        /// Dropping expired keys (retain_recent, or the cap sweep when only
        /// expired keys go) never changes a decision: the keyed limiter
        /// answers exactly like one `Gcra` per key that is never dropped.
        #[test]
        fn keyed_matches_one_gcra_per_key(
            rate in 1..20_u64, burst in 1..6_u64, period_ms in 1..50_u64, ops in kops(),
        ) {
            let q = Quota::new(rate, Duration::from_millis(period_ms)).and_then(|q| q.with_burst(burst)).expect("valid");
            let clock = ManualClock::new();
            let lim = KeyedLimiter::<u8, _>::with_clock(q, 64, clock.clone()).expect("valid");
            let mut model: HashMap<u8, Gcra<ManualClock>> = HashMap::new();
            for op in ops {
                match op {
                    KOp::Advance(d) => clock.advance(Duration::from_nanos(d)),
                    KOp::Retain => { let _ = lim.retain_recent(); }
                    KOp::Check(k, n) => {
                        let m = model.entry(k).or_insert_with(|| Gcra::with_clock(q, clock.clone()));
                        match (lim.check_n(&k, n), m.check_n(n)) {
                            (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                            (Err(_), Err(_)) => {}
                            (a, b) => prop_assert!(false, "{:?} vs {:?}", a, b),
                        }
                    }
                }
                prop_assert!(lim.len() <= 8);
            }
        }
    }

    /// A flood of unique keys from several threads never grows the map past
    /// its cap, and keys that are still limited when the cap is hit survive
    /// when expired keys can make the room.
    #[test]
    fn cap_holds_under_unique_key_flood() {
        let clock = ManualClock::new();
        let q = Quota::per_second(1)
            .and_then(|q| q.with_burst(10))
            .expect("valid");
        let lim =
            Arc::new(KeyedLimiter::<u64, _>::with_clock(q, 1000, clock.clone()).expect("valid"));
        // A hot key, exhausted (10 s of debt; flood keys carry 1 s): it must
        // keep being limited, as the live key furthest from expiry.
        assert!(lim.check_n(&u64::MAX, 10).expect("ok").is_allowed());
        assert!(!lim.check(&u64::MAX).is_allowed());
        let hs: Vec<_> = (0..4_u64)
            .map(|t| {
                let lim = Arc::clone(&lim);
                let clock = clock.clone();
                std::thread::spawn(move || {
                    for i in 0..20_000 {
                        // (`len` sums shards one by one, so it is only exact
                        // when no other thread changes the map: checked below.)
                        let _ = lim.check(&(t * 1_000_000 + i));
                        if i % 500 == 0 {
                            clock.advance(Duration::from_millis(1));
                        }
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().expect("no panic");
        }
        assert!(lim.len() <= 1000);
        // Now all flood keys are expired (advance past their TAT); the cap
        // sweep frees room without touching the (re-limited) hot key.
        clock.advance(Duration::from_secs(2));
        for i in 0..5_000_u64 {
            let _ = lim.check(&(10_000_000 + i));
            assert!(lim.len() <= 1000);
        }
        // 2.16 s after its 10 s of debt began, only 2 of 10 cells are back.
        assert!(
            !lim.check_n(&u64::MAX, 5).expect("ok").is_allowed(),
            "hot key forgotten"
        );
    }

    #[test]
    fn keyed_zero_n_inserts_nothing() {
        let lim: KeyedLimiter<String> = KeyedLimiter::new(Quota::per_second(1).expect("valid"));
        assert!(lim.check_n("a", 0).expect("ok").is_allowed());
        assert!(lim.is_empty());
        assert!(lim.check_n("a", 2).is_err());
        assert!(lim.is_empty());
    }
}
