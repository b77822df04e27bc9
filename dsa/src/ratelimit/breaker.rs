//! A circuit breaker for a remote backend (here Redis): after a failed
//! connection (or [`TIMEOUTS_TO_OPEN`] timeouts in a row), callers fail at
//! once instead of each waiting out a timeout, and one caller per interval
//! probes the backend; a success closes the breaker, a failure opens it for
//! another interval.

use std::time::{Duration, Instant};

use super::sync::{AtomicU32, AtomicU64, Ordering};

/// Timeouts in a row that open the breaker: one slow answer alone does not
/// (a lost packet, a slow command on the server); a failed connection
/// opens it at once.
pub(crate) const TIMEOUTS_TO_OPEN: u32 = 2;

/// The breaker's state: when it may be probed next, in nanoseconds since
/// `origin`, 0 while closed (calls go out); and the failures since the
/// last success.
#[derive(Debug)]
pub(crate) struct Breaker {
    origin: Instant,
    open_until: AtomicU64,
    strikes: AtomicU32,
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Breaker {
    pub(crate) fn new() -> Self {
        Self {
            origin: Instant::now(),
            open_until: AtomicU64::new(0),
            strikes: AtomicU32::new(0),
        }
    }

    /// Nanoseconds since the breaker was made (at least 1).
    pub(crate) fn now(&self) -> u64 {
        nanos(self.origin.elapsed()).max(1)
    }

    /// Whether a call may go out now; reads the clock only while open.
    pub(crate) fn admit(&self, interval: Duration) -> bool {
        self.open_until.load(Ordering::Acquire) == 0 || self.admit_at(self.now(), interval)
    }

    /// Whether a call may go out at `now`: always while closed (or with a
    /// zero `interval`: breaker off); while open, none until the probe time,
    /// then exactly one caller, the probe, which moves the probe time one
    /// `interval` on.
    pub(crate) fn admit_at(&self, now: u64, interval: Duration) -> bool {
        let until = self.open_until.load(Ordering::Acquire);
        if until == 0 || interval.is_zero() {
            return true;
        }
        if now < until {
            return false;
        }
        match self.open_until.compare_exchange(
            until,
            now.saturating_add(nanos(interval)),
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => true,
            // Another caller took the probe, or a success closed it.
            Err(current) => current == 0,
        }
    }

    /// A call failed for want of the backend at `now`: open until
    /// `now + interval` when the connection failed (`hard`) or after
    /// [`TIMEOUTS_TO_OPEN`] failures in a row.
    pub(crate) fn failed(&self, now: u64, interval: Duration, hard: bool) {
        if interval.is_zero() {
            return;
        }
        let before = self
            .strikes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| {
                Some(s.saturating_add(1))
            })
            .unwrap_or(u32::MAX);
        if hard || before.saturating_add(1) >= TIMEOUTS_TO_OPEN {
            self.open_until.store(
                now.max(1).saturating_add(nanos(interval)),
                Ordering::Release,
            );
        }
    }

    /// A call got an answer: closed, no strikes.
    pub(crate) fn succeeded(&self) {
        if self.strikes.load(Ordering::Relaxed) != 0 {
            self.strikes.store(0, Ordering::Release);
        }
        if self.open_until.load(Ordering::Relaxed) != 0 {
            self.open_until.store(0, Ordering::Release);
        }
    }

    /// How long until the next probe, seen at `now` (zero while closed).
    pub(crate) fn retry_in(&self, now: u64) -> Duration {
        Duration::from_nanos(self.open_until.load(Ordering::Acquire).saturating_sub(now))
    }
}

/// Loom model of the probe (`cargo test --lib breaker::loom` under
/// `--cfg loom`, run by `.ci/run`'s loom stage): every interleaving of
/// two callers racing for the probe.
#[cfg(all(test, loom))]
mod loom_model {
    use super::Breaker;
    use loom::sync::Arc;
    use std::time::Duration;

    const I: Duration = Duration::from_millis(10);

    #[test]
    fn one_probe_per_interval() {
        loom::model(|| {
            let b = Arc::new(Breaker::new());
            b.failed(1, I, true);
            let now = 20_000_000; // past the probe time
            let other = {
                let b = Arc::clone(&b);
                loom::thread::spawn(move || b.admit_at(now, I))
            };
            let here = b.admit_at(now, I);
            let there = other.join().unwrap();
            assert!(here ^ there, "exactly one probe: {here} {there}");
            assert!(!b.admit_at(now, I));
        });
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::Breaker;
    use std::time::Duration;

    const MS: u64 = 1_000_000;
    const I: Duration = Duration::from_millis(10);

    #[test]
    fn closed_admits_everything() {
        let b = Breaker::new();
        assert!((0..5).all(|t| b.admit_at(t * MS, I)));
        assert_eq!(b.retry_in(0), Duration::ZERO);
    }

    #[test]
    fn open_refuses_until_the_probe_time_then_admits_one_probe() {
        let b = Breaker::new();
        b.failed(100 * MS, I, true);
        assert!(!b.admit_at(100 * MS, I));
        assert!(!b.admit_at(109 * MS, I));
        assert_eq!(b.retry_in(104 * MS), Duration::from_millis(6));
        assert!(b.admit_at(110 * MS, I), "the probe");
        assert!(!b.admit_at(110 * MS, I), "only one probe");
        assert!(!b.admit_at(119 * MS, I));
        assert!(
            b.admit_at(120 * MS, I),
            "the probe hung: one more after an interval"
        );
    }

    #[test]
    fn probe_outcome_closes_or_reopens() {
        let b = Breaker::new();
        b.failed(MS, I, true);
        assert!(b.admit_at(11 * MS, I));
        b.failed(12 * MS, I, true);
        assert!(
            !b.admit_at(21 * MS, I),
            "re-opened from the probe's failure"
        );
        assert!(b.admit_at(22 * MS, I));
        b.succeeded();
        assert!((22..30).all(|t| b.admit_at(t * MS, I)), "closed again");
    }

    #[test]
    fn timeouts_open_it_only_in_a_row() {
        let b = Breaker::new();
        b.failed(MS, I, false);
        assert!(b.admit_at(2 * MS, I), "one timeout alone leaves it closed");
        b.succeeded();
        b.failed(3 * MS, I, false);
        assert!(b.admit_at(4 * MS, I), "the success reset the count");
        b.failed(5 * MS, I, false);
        assert!(!b.admit_at(6 * MS, I), "two in a row open it");
        assert!(b.admit_at(15 * MS, I), "the probe");
        b.failed(16 * MS, I, false);
        assert!(!b.admit_at(17 * MS, I), "a probe's timeout re-opens it");
    }

    #[test]
    fn a_success_closes_it_at_once() {
        let b = Breaker::new();
        b.failed(MS, I, true);
        b.succeeded();
        assert!(b.admit_at(MS, I));
        assert_eq!(b.retry_in(MS), Duration::ZERO);
    }

    #[test]
    fn zero_interval_is_off() {
        let b = Breaker::new();
        b.failed(5, Duration::ZERO, true);
        assert!(b.admit_at(5, Duration::ZERO));
        b.failed(5, I, true);
        assert!(
            b.admit_at(5, Duration::ZERO),
            "turned off after the fact too"
        );
    }

    #[test]
    fn now_is_never_zero_and_admit_reads_it_while_open() {
        let b = Breaker::new();
        assert!(b.now() >= 1);
        assert!(b.admit(I));
        b.failed(b.now(), Duration::from_secs(3600), true);
        assert!(!b.admit(Duration::from_secs(3600)));
        assert!(b.admit(Duration::ZERO));
    }

    /// The breaker as a plain sequential state machine.
    #[derive(Default)]
    struct Model {
        open_until: Option<u64>,
        strikes: u32,
    }

    #[derive(Debug, Clone)]
    enum Op {
        Admit,
        Failed { hard: bool },
        Succeeded,
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            4 => Just(Op::Admit),
            2 => any::<bool>().prop_map(|hard| Op::Failed { hard }),
            1 => Just(Op::Succeeded),
        ]
    }

    proptest::proptest! {
        /// Any sequence of calls at non-decreasing times: the breaker admits,
        /// opens and reports `retry_in` exactly as the model.
        #[test]
        fn matches_the_model(
            interval_ms in 0_u64..50,
            steps in proptest::collection::vec((0_u64..30, op()), 1..200),
        ) {
            let interval = Duration::from_millis(interval_ms);
            let i = interval_ms * MS;
            let (b, mut m, mut now) = (Breaker::new(), Model::default(), 0_u64);
            for (dt, op) in steps {
                now += dt * MS;
                match op {
                    Op::Admit => {
                        let want = match m.open_until {
                            _ if i == 0 => true,
                            None => true,
                            Some(u) if now < u => false,
                            Some(_) => {
                                m.open_until = Some(now + i);
                                true
                            }
                        };
                        proptest::prop_assert_eq!(b.admit_at(now, interval), want);
                    }
                    Op::Failed { hard } => {
                        b.failed(now, interval, hard);
                        if i != 0 {
                            m.strikes += 1;
                            if hard || m.strikes >= super::TIMEOUTS_TO_OPEN {
                                m.open_until = Some(now.max(1) + i);
                            }
                        }
                    }
                    Op::Succeeded => {
                        b.succeeded();
                        m = Model::default();
                    }
                }
                let want = Duration::from_nanos(m.open_until.map_or(0, |u| u.saturating_sub(now)));
                proptest::prop_assert_eq!(b.retry_in(now), want);
            }
        }
    }
}
