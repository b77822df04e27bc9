//! Model-based tests of `LruCache`: random operation sequences against simple
//! `Vec`-based references of LRU and SIEVE, with count and weight capacities;
//! S3-FIFO against a `HashMap` mirror kept by the removals the cache reports
//! (its invariants: capacity, every displaced entry reported, get after put).

use std::collections::{HashMap, HashSet};
use std::num::{NonZeroU64, NonZeroUsize};

use pillars_dsa::lru::{LruCache, Policy};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Put(u8, u8),
    Get(u8),
    GetMut(u8),
    Peek(u8),
    GetOrInsert(u8, u8),
    Pop(u8),
    PopLru,
    Contains(u8),
    Resize(u8),
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    let key = 0_u8..16;
    prop_oneof![
        4 => (key.clone(), any::<u8>()).prop_map(|(k, v)| Op::Put(k, v)),
        3 => key.clone().prop_map(Op::Get),
        1 => key.clone().prop_map(Op::GetMut),
        1 => key.clone().prop_map(Op::Peek),
        2 => (key.clone(), any::<u8>()).prop_map(|(k, v)| Op::GetOrInsert(k, v)),
        1 => key.clone().prop_map(Op::Pop),
        1 => Just(Op::PopLru),
        1 => key.prop_map(Op::Contains),
        1 => (1_u8..12).prop_map(Op::Resize),
        1 => Just(Op::Clear),
    ]
}

/// A reference cache: `list[0]` is the oldest / least recently used entry,
/// the last element the newest / most recent.
struct Model {
    sieve: bool,
    cap: u64,
    weighted: bool,
    list: Vec<(u8, u8, bool)>,
    hand: Option<usize>,
}

impl Model {
    fn w(&self, v: u8) -> u64 {
        if self.weighted { u64::from(v % 4) } else { 1 }
    }
    fn weight(&self) -> u64 {
        self.list.iter().map(|e| self.w(e.1)).sum()
    }
    fn pos(&self, k: u8) -> Option<usize> {
        self.list.iter().position(|e| e.0 == k)
    }
    fn remove_at(&mut self, p: usize) -> (u8, u8) {
        let e = self.list.remove(p);
        self.hand = match self.hand {
            Some(h) if h == p => (p < self.list.len()).then_some(p),
            Some(h) if h > p => Some(h - 1),
            h => h,
        };
        (e.0, e.1)
    }
    fn touch(&mut self, p: usize) -> usize {
        if self.sieve {
            self.list[p].2 = true;
            p
        } else {
            let e = self.list.remove(p);
            self.list.push(e);
            self.list.len() - 1
        }
    }
    /// Position of the next victim, never `protect`.
    fn victim(&mut self, protect: Option<usize>) -> Option<usize> {
        let n = self.list.len();
        if n == 0 || (n == 1 && protect == Some(0)) {
            return None;
        }
        if !self.sieve {
            return Some(if protect == Some(0) { 1 } else { 0 });
        }
        let mut p = self.hand.unwrap_or(0);
        loop {
            if self.list[p].2 || Some(p) == protect {
                self.list[p].2 = false;
                p = (p + 1) % n;
            } else {
                self.hand = Some(p);
                return Some(p);
            }
        }
    }
    fn put(&mut self, k: u8, v: u8) -> Option<(u8, u8)> {
        let w = self.w(v);
        if w > self.cap {
            if let Some(p) = self.pos(k) {
                self.remove_at(p);
            }
            return Some((k, v));
        }
        let mut out = None;
        if let Some(p) = self.pos(k) {
            let old = self.list[p].1;
            self.list[p].1 = v;
            let mut p = self.touch(p);
            out = Some((k, old));
            while self.weight() > self.cap {
                let Some(vp) = self.victim(Some(p)) else {
                    break;
                };
                out = Some(self.remove_at(vp));
                if vp < p {
                    p -= 1;
                }
            }
            return out;
        }
        while self.weight() + w > self.cap {
            let Some(vp) = self.victim(None) else { break };
            out = Some(self.remove_at(vp));
        }
        self.list.push((k, v, false));
        out
    }
    fn get(&mut self, k: u8) -> Option<u8> {
        let p = self.pos(k)?;
        let p = self.touch(p);
        Some(self.list[p].1)
    }
}

fn run(ops: &[Op], sieve: bool, cap: u8, weighted: bool) {
    let policy = if sieve { Policy::Sieve } else { Policy::Lru };
    let ncap = NonZeroU64::new(u64::from(cap)).expect("cap >= 1");
    let weigher = move |_: &u8, v: &u8| if weighted { u64::from(*v % 4) } else { 1 };
    let mut c = LruCache::with_weighter(ncap, weigher).with_policy(policy);
    let mut m = Model {
        sieve,
        cap: u64::from(cap),
        weighted,
        list: Vec::new(),
        hand: None,
    };
    for op in ops {
        match *op {
            Op::Put(k, v) => assert_eq!(c.put(k, v), m.put(k, v), "{op:?}"),
            Op::Get(k) => assert_eq!(c.get(&k).copied(), m.get(k), "{op:?}"),
            Op::GetMut(k) => {
                let got = c.get_mut(&k).map(|v| {
                    // Keep the weight: only touch a weight-neutral bit.
                    *v ^= 4;
                    *v
                });
                let want = m.get(k).map(|v| {
                    let p = m.pos(k).expect("present");
                    m.list[p].1 = v ^ 4;
                    v ^ 4
                });
                assert_eq!(got, want);
            }
            Op::Peek(k) => assert_eq!(c.peek(&k).copied(), m.pos(k).map(|p| m.list[p].1)),
            Op::GetOrInsert(k, v) => {
                let got = c.get_or_insert_with(k, || v).ok().copied();
                let want = match m.get(k) {
                    Some(old) => Some(old),
                    None => {
                        let r = m.put(k, v);
                        (r != Some((k, v))).then_some(v)
                    }
                };
                assert_eq!(got, want, "{op:?}");
            }
            Op::Pop(k) => assert_eq!(c.pop(&k), m.pos(k).map(|p| m.remove_at(p).1)),
            Op::PopLru => {
                let want = m.victim(None).map(|p| m.remove_at(p));
                assert_eq!(c.pop_lru(), want);
            }
            Op::Contains(k) => assert_eq!(c.contains(&k), m.pos(k).is_some()),
            Op::Resize(n) => {
                c.resize(NonZeroUsize::new(usize::from(n)).expect("n >= 1"));
                m.cap = u64::from(n);
                while m.weight() > m.cap {
                    let Some(p) = m.victim(None) else { break };
                    m.remove_at(p);
                }
            }
            Op::Clear => {
                c.clear();
                m.list.clear();
                m.hand = None;
            }
        }
        assert_eq!(c.len(), m.list.len());
        assert_eq!(c.weight(), m.weight());
        assert!(c.weight() <= c.cap());
        let got: Vec<(u8, u8)> = c.iter().map(|(k, v)| (*k, *v)).collect();
        let want: Vec<(u8, u8)> = m.list.iter().rev().map(|e| (e.0, e.1)).collect();
        assert_eq!(got, want, "order after {op:?}");
        let back: Vec<(u8, u8)> = c.iter().rev().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(back, want.iter().rev().copied().collect::<Vec<_>>());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn lru_matches_model(ops in proptest::collection::vec(op(), 0..200), cap in 1_u8..10) {
        run(&ops, false, cap, false);
    }

    #[test]
    fn sieve_matches_model(ops in proptest::collection::vec(op(), 0..200), cap in 1_u8..10) {
        run(&ops, true, cap, false);
    }

    #[test]
    fn weighted_lru_matches_model(ops in proptest::collection::vec(op(), 0..200), cap in 1_u8..12) {
        run(&ops, false, cap, true);
    }

    #[test]
    fn weighted_sieve_matches_model(ops in proptest::collection::vec(op(), 0..200), cap in 1_u8..12) {
        run(&ops, true, cap, true);
    }
}

/// S3-FIFO: the cache must agree with a mirror that applies exactly the
/// removals the cache reports.
fn run_s3(ops: &[Op], cap: u8, weighted: bool) {
    let w = move |v: u8| if weighted { u64::from(v % 4) } else { 1 };
    let ncap = NonZeroU64::new(u64::from(cap)).expect("cap >= 1");
    let mut c =
        LruCache::with_weighter(ncap, move |_: &u8, v: &u8| w(*v)).with_policy(Policy::S3Fifo);
    let mut cap_now = u64::from(cap);
    let mut mirror: HashMap<u8, u8> = HashMap::new();
    for op in ops {
        match *op {
            Op::Put(k, v) => {
                let mut gone = Vec::new();
                let r = c.put_with(k, v, |k, v, _| gone.push((k, v))).map(|x| *x);
                for (gk, gv) in gone {
                    assert_eq!(mirror.remove(&gk), Some(gv), "reported {gk} after {op:?}");
                }
                match r {
                    Ok(stored) => {
                        assert_eq!(stored, v);
                        mirror.insert(k, v);
                        assert_eq!(c.peek(&k), Some(&v), "get after put");
                    }
                    Err(back) => {
                        assert_eq!(back, (k, v));
                        assert!(w(v) > cap_now);
                        assert!(!c.contains(&k));
                    }
                }
            }
            Op::Get(k) => assert_eq!(c.get(&k), mirror.get(&k)),
            Op::GetMut(k) => {
                let got = c.get_mut(&k).map(|v| {
                    *v ^= 4; // weight-neutral
                    *v
                });
                if let Some(v) = mirror.get_mut(&k) {
                    *v ^= 4;
                }
                assert_eq!(got, mirror.get(&k).copied());
            }
            Op::Peek(k) => assert_eq!(c.peek(&k), mirror.get(&k)),
            Op::GetOrInsert(k, v) => {
                let had = mirror.get(&k).copied();
                let before: HashSet<u8> = mirror.keys().copied().collect();
                match c.get_or_insert_with(k, || v).copied() {
                    Ok(got) => {
                        assert_eq!(got, had.unwrap_or(v));
                        assert_eq!(c.peek(&k), Some(&got), "get after insert");
                    }
                    Err(_) => assert!(had.is_none() && w(v) > cap_now),
                }
                // Evictions are not reported here: nothing new but `k` may
                // appear, and survivors keep their values.
                let now: HashMap<u8, u8> = c.iter().map(|(k, v)| (*k, *v)).collect();
                for (nk, nv) in &now {
                    assert!(before.contains(nk) || *nk == k);
                    if *nk != k {
                        assert_eq!(mirror.get(nk), Some(nv));
                    }
                }
                mirror = now;
            }
            Op::Pop(k) => assert_eq!(c.pop(&k), mirror.remove(&k)),
            Op::PopLru => {
                if let Some((k, v)) = c.pop_lru() {
                    assert_eq!(mirror.remove(&k), Some(v));
                } else {
                    assert!(mirror.is_empty());
                }
            }
            Op::Contains(k) => assert_eq!(c.contains(&k), mirror.contains_key(&k)),
            Op::Resize(n) => {
                let mut gone = Vec::new();
                c.resize_with(
                    NonZeroUsize::new(usize::from(n)).expect("n >= 1"),
                    |k, v, _| {
                        gone.push((k, v));
                    },
                );
                for (gk, gv) in gone {
                    assert_eq!(mirror.remove(&gk), Some(gv));
                }
                cap_now = u64::from(n);
            }
            Op::Clear => {
                c.clear();
                mirror.clear();
            }
        }
        assert_eq!(c.len(), mirror.len(), "after {op:?}");
        assert_eq!(c.weight(), mirror.values().map(|v| w(*v)).sum::<u64>());
        assert!(c.weight() <= cap_now);
        let listed: HashMap<u8, u8> = c.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(listed, mirror);
        assert_eq!(c.iter().rev().count(), mirror.len());
        for (k, v) in &mirror {
            assert_eq!(c.peek(k), Some(v));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn s3fifo_keeps_invariants(ops in proptest::collection::vec(op(), 0..300), cap in 1_u8..10) {
        run_s3(&ops, cap, false);
    }

    #[test]
    fn weighted_s3fifo_keeps_invariants(ops in proptest::collection::vec(op(), 0..300), cap in 1_u8..12) {
        run_s3(&ops, cap, true);
    }
}

/// A hot set hit once survives a long scan under S3-FIFO (and SIEVE), not
/// under LRU.
#[test]
fn s3fifo_resists_a_scan() {
    for (policy, survives) in [
        (Policy::Lru, false),
        (Policy::Sieve, true),
        (Policy::S3Fifo, true),
    ] {
        let mut c = LruCache::new(NonZeroUsize::new(100).expect("100 > 0")).with_policy(policy);
        for round in 0..3 {
            for k in 0..50_u32 {
                if c.get(&k).is_none() {
                    c.put(k, round);
                }
            }
        }
        for k in 1000..5000_u32 {
            c.put(k, 0);
        }
        let kept = (0..50_u32).filter(|k| c.contains(k)).count();
        assert_eq!(kept == 50, survives, "{policy:?} kept {kept}");
    }
}

/// Keys evicted from the small queue and asked for again come back into the
/// main queue (the ghost queue), and a cache switched to S3-FIFO keeps
/// working.
#[test]
fn s3fifo_ghosts_and_policy_switch() {
    let mut c = LruCache::new(NonZeroUsize::new(50).expect("50 > 0"));
    for k in 0..50_u32 {
        c.put(k, k);
    }
    let mut c = c.with_policy(Policy::S3Fifo);
    for k in 100..400_u32 {
        c.put(k, k);
        if k % 3 == 0 {
            // Re-requested soon after eviction: a ghost hit.
            let again = k - 5;
            if c.get(&again).is_none() {
                c.put(again, again);
            }
        }
        assert!(c.len() <= 50);
    }
    for k in 380..400_u32 {
        if c.contains(&k) {
            assert_eq!(c.peek(&k), Some(&k));
        }
    }
    assert_eq!(c.len(), 50);
    c.clear();
    assert!(c.is_empty());
    c.put(1, 1);
    assert_eq!(c.get(&1), Some(&1));
}

#[test]
fn string_keys_borrow_as_str() {
    let mut c = LruCache::new(NonZeroUsize::new(2).expect("2 > 0"));
    c.put(String::from("a"), 1);
    assert_eq!(c.get("a"), Some(&1));
    assert_eq!(c.pop("a"), Some(1));
    assert!(c.is_empty());
}

#[test]
fn large_fill_and_drain_keeps_table_consistent() {
    let mut c = LruCache::new(NonZeroUsize::new(1000).expect("1000 > 0"));
    for i in 0..5000_u32 {
        c.put(i, i * 2);
    }
    assert_eq!(c.len(), 1000);
    for i in 4000..5000_u32 {
        assert_eq!(c.peek(&i), Some(&(i * 2)));
    }
    for i in (4000..5000_u32).step_by(3) {
        assert_eq!(c.pop(&i), Some(i * 2));
    }
    for i in 4000..5000_u32 {
        assert_eq!(c.contains(&i), (i - 4000) % 3 != 0);
    }
}
