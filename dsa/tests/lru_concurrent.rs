//! `ConcurrentLru`: a TTL model test with a manual clock, single-flight with
//! threads and tokio tasks, panicking and failing loaders, the eviction
//! listener, and bad input.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use pillars_dsa::lru::{ConcurrentLru, Error, LoadError, ManualClock, Policy, RemovalCause};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Insert(u8, u8),
    InsertTtl(u8, u8, u8),
    Get(u8),
    Remove(u8),
    Advance(u8),
    Load(u8, u8),
    Purge,
}

fn op() -> impl Strategy<Value = Op> {
    let key = 0_u8..12;
    prop_oneof![
        3 => (key.clone(), any::<u8>()).prop_map(|(k, v)| Op::Insert(k, v)),
        3 => (key.clone(), any::<u8>(), 1_u8..5).prop_map(|(k, v, t)| Op::InsertTtl(k, v, t)),
        4 => key.clone().prop_map(Op::Get),
        1 => key.clone().prop_map(Op::Remove),
        2 => (0_u8..4).prop_map(Op::Advance),
        2 => (key, any::<u8>()).prop_map(|(k, v)| Op::Load(k, v)),
        1 => Just(Op::Purge),
    ]
}

/// LRU reference with deadlines: index 0 is the least recently used.
#[derive(Default)]
struct Model {
    list: Vec<(u8, u8, Option<u64>)>,
    now: u64,
}

impl Model {
    fn pos(&self, k: u8) -> Option<usize> {
        self.list.iter().position(|e| e.0 == k)
    }
    fn live(&self, p: usize) -> bool {
        self.list[p].2.is_none_or(|d| d > self.now)
    }
    fn get(&mut self, k: u8, removed: &mut Vec<(u8, u8, RemovalCause)>) -> Option<u8> {
        let p = self.pos(k)?;
        if !self.live(p) {
            let e = self.list.remove(p);
            removed.push((e.0, e.1, RemovalCause::Expired));
            return None;
        }
        let e = self.list.remove(p);
        self.list.push(e);
        Some(e.1)
    }
    fn insert(
        &mut self,
        cap: usize,
        k: u8,
        v: u8,
        ttl: Option<u64>,
        removed: &mut Vec<(u8, u8, RemovalCause)>,
    ) {
        let d = ttl.map(|t| self.now + t);
        if let Some(p) = self.pos(k) {
            let e = self.list.remove(p);
            removed.push((e.0, e.1, RemovalCause::Replaced));
        } else if self.list.len() == cap {
            let e = self.list.remove(0);
            removed.push((e.0, e.1, RemovalCause::Capacity));
        }
        self.list.push((k, v, d));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn ttl_cache_matches_model(ops in proptest::collection::vec(op(), 0..150), cap in 1_usize..8) {
        let clock = Arc::new(ManualClock::new());
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = Arc::clone(&log);
        let c = ConcurrentLru::<u8, u8>::builder(cap as u64)
            .shards(1)
            .clock(Arc::clone(&clock))
            .eviction_listener(move |k, v, why| l.lock().expect("not poisoned").push((k, v, why)))
            .build()
            .expect("cap >= 1");
        let mut m = Model::default();
        let mut want_log = Vec::new();
        for op in &ops {
            match *op {
                Op::Insert(k, v) => {
                    c.insert(k, v).expect("fits");
                    m.insert(cap, k, v, None, &mut want_log);
                }
                Op::InsertTtl(k, v, t) => {
                    c.insert_with_ttl(k, v, Duration::from_secs(u64::from(t))).expect("fits");
                    m.insert(cap, k, v, Some(u64::from(t) * 1_000_000_000), &mut want_log);
                }
                Op::Get(k) => prop_assert_eq!(c.get(&k), m.get(k, &mut want_log)),
                Op::Remove(k) => {
                    let want = m.pos(k).and_then(|p| {
                        let live = m.live(p);
                        let e = m.list.remove(p);
                        want_log.push((e.0, e.1, if live { RemovalCause::Removed } else { RemovalCause::Expired }));
                        live.then_some(e.1)
                    });
                    prop_assert_eq!(c.remove(&k), want);
                }
                Op::Advance(s) => {
                    clock.advance(Duration::from_secs(u64::from(s)));
                    m.now += u64::from(s) * 1_000_000_000;
                }
                Op::Load(k, v) => {
                    let got = c.get_or_insert_with(k, || v).expect("no panic");
                    let want = match m.get(k, &mut want_log) {
                        Some(old) => old,
                        None => {
                            m.insert(cap, k, v, None, &mut want_log);
                            v
                        }
                    };
                    prop_assert_eq!(got, want);
                }
                Op::Purge => {
                    let now = m.now;
                    let mut n = 0;
                    let mut kept = Vec::new();
                    for e in m.list.drain(..) {
                        if e.2.is_none_or(|d| d > now) {
                            kept.push(e);
                        } else {
                            n += 1;
                            want_log.push((e.0, e.1, RemovalCause::Expired));
                        }
                    }
                    m.list = kept;
                    prop_assert_eq!(c.purge_expired(), n);
                }
            }
            prop_assert_eq!(c.len(), m.list.len());
            prop_assert!(c.len() <= cap);
        }
        // Purges remove in arena order, not list order: compare as multisets.
        let mut got = log.lock().expect("not poisoned").clone();
        got.sort_by_key(|e| (e.0, e.1, format!("{:?}", e.2)));
        want_log.sort_by_key(|e| (e.0, e.1, format!("{:?}", e.2)));
        prop_assert_eq!(got, want_log);
    }
}

#[test]
fn zero_capacity_is_an_error() {
    assert_eq!(
        ConcurrentLru::<u8, u8>::new(0).err(),
        Some(Error::ZeroCapacity)
    );
}

#[test]
fn too_heavy_is_rejected_and_stale_entry_removed() {
    let c = ConcurrentLru::<u8, Vec<u8>, _, _>::builder(8)
        .weighter(|_: &u8, v: &Vec<u8>| v.len() as u64)
        .shards(1)
        .build()
        .expect("cap > 0");
    c.insert(1, vec![0; 4]).expect("fits");
    assert_eq!(
        c.insert(1, vec![0; 9]),
        Err(Error::TooHeavy {
            weight: 9,
            capacity: 8
        })
    );
    assert!(!c.contains(&1));
    // A loaded value that is too heavy is returned, not stored.
    assert_eq!(c.get_or_insert_with(2, || vec![1; 20]), Ok(vec![1; 20]));
    assert!(!c.contains(&2));
    assert_eq!(c.weight(), 0);
}

#[test]
fn small_capacity_gets_few_shards_and_exact_bound() {
    let c = ConcurrentLru::<u32, u32>::new(10).expect("cap > 0");
    for i in 0..1000 {
        c.insert(i, i).expect("fits");
    }
    assert!(c.len() <= 10);
    let s = c.stats();
    assert_eq!(s.inserts, 1000);
    assert_eq!(s.evictions, 1000 - c.len() as u64);
}

#[test]
fn default_shards_are_32_per_cpu_with_64_entries_each() {
    let cpus = std::thread::available_parallelism().map_or(4, std::num::NonZero::get);
    let big = ConcurrentLru::<u32, u32>::new(1 << 24).expect("cap > 0");
    assert_eq!(big.shard_count(), (cpus * 32).next_power_of_two());
    for cap in [1_u64, 10, 63, 64, 127, 128, 1000, 10_000] {
        let n = ConcurrentLru::<u32, u32>::builder(cap)
            .build()
            .expect("cap > 0")
            .shard_count() as u64;
        assert!(n.is_power_of_two(), "{cap}: {n}");
        assert!(n == 1 || cap / n >= 64, "{cap}: {n} shards");
        // Halving stops as soon as shards hold 64: no fewer than needed.
        assert!(
            cap / (2 * n) < 64 || n == (cpus * 32).next_power_of_two() as u64,
            "{cap}: {n}"
        );
    }
}

#[test]
fn single_flight_threads_run_the_loader_once() {
    let c = Arc::new(ConcurrentLru::<u32, u64>::new(1000).expect("cap > 0"));
    let calls = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (c, calls, barrier) = (Arc::clone(&c), Arc::clone(&calls), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                c.get_or_insert_with(7, || {
                    calls.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(50));
                    42
                })
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("no panic"), Ok(42));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(c.get(&7), Some(42));
}

#[test]
fn failing_loader_error_is_shared_and_not_cached() {
    let c = Arc::new(ConcurrentLru::<u32, u64>::new(1000).expect("cap > 0"));
    let calls = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (c, calls, barrier) = (Arc::clone(&c), Arc::clone(&calls), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                c.try_get_or_insert_with(1, || {
                    calls.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(50));
                    Err::<u64, _>("backend down")
                })
            })
        })
        .collect();
    for h in handles {
        match h.join().expect("no panic") {
            Err(LoadError::Loader(e)) => assert_eq!(*e, "backend down"),
            other => panic!("unexpected {other:?}"),
        }
    }
    // Late threads may have led a second load; the sleep makes one the norm.
    assert!(calls.load(Ordering::SeqCst) >= 1);
    assert!(!c.contains(&1));
    assert_eq!(
        c.try_get_or_insert_with(1, || Ok::<_, &str>(5)).ok(),
        Some(5)
    );
}

#[test]
fn panicking_loader_leaves_cache_usable_and_waiters_get_an_error() {
    let c = Arc::new(ConcurrentLru::<u32, u64>::new(1000).expect("cap > 0"));
    let started = Arc::new(Barrier::new(2));
    let leader = {
        let (c, started) = (Arc::clone(&c), Arc::clone(&started));
        std::thread::spawn(move || {
            c.get_or_insert_with(9, || {
                started.wait();
                // Panic once the other caller waits on this flight: its miss
                // is counted under the shard lock it takes the flight in.
                let deadline = std::time::Instant::now() + Duration::from_secs(10);
                while c.stats().misses < 2 && std::time::Instant::now() < deadline {
                    std::thread::yield_now();
                }
                panic!("loader bug");
            })
        })
    };
    started.wait();
    // The leader is inside its loader: this caller waits on that flight.
    let waited = c.get_or_insert_with(9, || 1);
    assert!(leader.join().is_err(), "the leader's thread unwinds");
    assert_eq!(waited, Err(Error::LoaderPanicked));
    // Nothing cached, nothing stuck: the next call loads.
    assert_eq!(c.get_or_insert_with(9, || 3), Ok(3));
    c.insert(10, 10).expect("fits");
    assert_eq!(c.get(&10), Some(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_single_flight_tasks_share_one_load() {
    let c = Arc::new(ConcurrentLru::<u32, String>::new(1000).expect("cap > 0"));
    let calls = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (c, calls) = (Arc::clone(&c), Arc::clone(&calls));
        tasks.push(tokio::spawn(async move {
            c.get_or_try_insert_with(3, || async {
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok::<_, std::io::Error>("three".to_string())
            })
            .await
            .map_err(|e| e.to_string())
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task ok"), Ok("three".to_string()));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn cancelled_async_leader_hands_over_to_a_waiter() {
    let c = Arc::new(ConcurrentLru::<u32, u32>::new(100).expect("cap > 0"));
    let c2 = Arc::clone(&c);
    let leader = tokio::spawn(async move {
        c2.get_or_try_insert_with(1, || async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok::<_, std::io::Error>(0)
        })
        .await
        .ok()
    });
    tokio::task::yield_now().await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    leader.abort();
    let _ = leader.await;
    let v = c
        .get_or_try_insert_with(1, || async { Ok::<_, std::io::Error>(11) })
        .await;
    assert_eq!(v.ok(), Some(11));
}

#[test]
fn listener_sees_each_cause() {
    let clock = Arc::new(ManualClock::new());
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = Arc::clone(&log);
    let c = ConcurrentLru::<u8, u8>::builder(2)
        .shards(1)
        .policy(Policy::Sieve)
        .clock(Arc::clone(&clock))
        .eviction_listener(move |k, v, why| l.lock().expect("not poisoned").push((k, v, why)))
        .build()
        .expect("cap > 0");
    c.insert(1, 1).expect("fits");
    c.insert(1, 2).expect("fits"); // Replaced
    c.insert_with_ttl(2, 2, Duration::from_secs(1))
        .expect("fits");
    clock.advance(Duration::from_secs(1));
    assert_eq!(c.get(&2), None); // Expired
    c.insert(3, 3).expect("fits");
    // Capacity: the replacement marked 1 visited, so SIEVE's hand spares it
    // and evicts 3.
    c.insert(4, 4).expect("fits");
    assert_eq!(c.remove(&1), Some(2)); // Removed
    let log = log.lock().expect("not poisoned").clone();
    assert_eq!(
        log,
        [
            (1, 1, RemovalCause::Replaced),
            (2, 2, RemovalCause::Expired),
            (3, 3, RemovalCause::Capacity),
            (1, 2, RemovalCause::Removed),
        ]
    );
    let s = c.stats();
    assert_eq!((s.evictions, s.expirations, s.misses), (1, 1, 1));
}

#[test]
fn many_threads_mixed_ops_stay_within_capacity() {
    let c = Arc::new(
        ConcurrentLru::<u64, u64>::builder(256)
            .policy(Policy::Sieve)
            .build()
            .expect("cap > 0"),
    );
    std::thread::scope(|s| {
        for t in 0..4_u64 {
            let c = &c;
            s.spawn(move || {
                for i in 0..20_000_u64 {
                    let k = (i * 7 + t) % 1000;
                    match i % 4 {
                        0 => c.insert(k, k).expect("fits"),
                        1 => assert!(c.get(&k).is_none_or(|v| v == k)),
                        2 => assert_eq!(c.get_or_insert_with(k, || k), Ok(k)),
                        _ => assert!(c.remove(&k).is_none_or(|v| v == k)),
                    }
                }
            });
        }
    });
    assert!(c.len() <= 256);
}

#[test]
fn sieve_shared_hits_are_counted_and_protect_entries() {
    let c = ConcurrentLru::<u32, u32>::builder(2)
        .shards(1)
        .policy(Policy::Sieve)
        .build()
        .expect("cap > 0");
    c.insert(1, 1).expect("fits");
    c.insert(2, 2).expect("fits");
    assert_eq!(c.get(&1), Some(1)); // read-lock hit sets 1's bit
    assert_eq!(c.get(&9), None);
    c.insert(3, 3).expect("fits"); // the hand spares 1, evicts 2
    assert!(c.contains(&1) && !c.contains(&2) && c.contains(&3));
    let s = c.stats();
    assert_eq!((s.hits, s.misses, s.evictions), (1, 1, 1));
}

#[test]
fn caches_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ConcurrentLru<String, Arc<str>>>();
    assert_send_sync::<pillars_dsa::lru::LruCache<String, Vec<u8>>>();
}

#[test]
fn s3fifo_many_threads_weighted_and_counted() {
    let c = Arc::new(
        ConcurrentLru::<u64, Vec<u8>, _, _>::builder(4096)
            .weighter(|_: &u64, v: &Vec<u8>| v.len() as u64)
            .policy(Policy::S3Fifo)
            .shards(4)
            .build()
            .expect("cap > 0"),
    );
    assert_eq!(c.policy(), Policy::S3Fifo);
    std::thread::scope(|s| {
        for t in 0..4_u64 {
            let c = &c;
            s.spawn(move || {
                for i in 0..20_000_u64 {
                    let k = (i * 7 + t) % 1000;
                    let len = (k % 13) as usize + 1;
                    match i % 4 {
                        0 => c.insert(k, vec![0; len]).expect("fits a shard"),
                        1 => assert!(c.get(&k).is_none_or(|v| v.len() == len)),
                        2 => assert_eq!(
                            c.get_or_insert_with(k, || vec![0; len]).map(|v| v.len()),
                            Ok(len)
                        ),
                        _ => assert!(c.remove(&k).is_none_or(|v| v.len() == len)),
                    }
                }
            });
        }
    });
    assert!(c.weight() <= 4096);
    // Too heavy for a shard (4096 / 4): rejected, not stored.
    assert!(c.insert(5000, vec![0; 2000]).is_err());
    assert!(!c.contains(&5000));
}

#[test]
fn s3fifo_shared_hits_promote_entries() {
    let c = ConcurrentLru::<u32, u32>::builder(10)
        .shards(1)
        .policy(Policy::S3Fifo)
        .build()
        .expect("cap > 0");
    for k in 0..10 {
        c.insert(k, k).expect("fits");
    }
    assert_eq!(c.get(&0), Some(0)); // read-lock hit bumps 0's counter
    assert_eq!(c.get(&99), None);
    for k in 100..200 {
        c.insert(k, k).expect("fits"); // a scan
    }
    assert!(c.contains(&0) && c.contains(&199) && !c.contains(&150));
    let s = c.stats();
    assert_eq!((s.hits, s.misses), (1, 1));
    assert_eq!(s.evictions, 100);
}
