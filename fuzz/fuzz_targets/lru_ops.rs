//! `LruCache` (LRU, SIEVE and S3-FIFO, count- and weight-bounded) driven by an
//! operation sequence. Every entry a put displaces is reported through
//! `put_with` and removed from a `HashMap` mirror, so the cache must agree
//! with the mirror after every operation; under LRU the recency order must
//! also match a `VecDeque` reference.
#![no_main]

use std::collections::{HashMap, VecDeque};
use std::num::{NonZeroU64, NonZeroUsize};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pillars_dsa::lru::{LruCache, Policy};

#[derive(Arbitrary, Debug)]
enum Op {
    Put(u8, u16),
    Get(u8),
    Peek(u8),
    GetOrInsert(u8, u16),
    Pop(u8),
    PopLru,
    Resize(u8),
    Clear,
}

fuzz_target!(|input: (u8, u8, bool, Vec<Op>)| {
    let (cap, which, weighted, ops) = input;
    let cap = u64::from(cap % 40).max(1);
    let weigh = move |_: &u8, v: &u16| if weighted { u64::from(*v % 5) } else { 1 };
    let policy = match which % 3 {
        0 => Policy::Lru,
        1 => Policy::Sieve,
        _ => Policy::S3Fifo,
    };
    let mut c =
        LruCache::with_weighter(NonZeroU64::new(cap).expect("cap >= 1"), weigh).with_policy(policy);
    let mut mirror: HashMap<u8, u16> = HashMap::new();
    // Front = most recent; kept only for unweighted LRU.
    let mut order: VecDeque<u8> = VecDeque::new();
    let check_order = policy == Policy::Lru && !weighted;
    let mut cap_now = cap;
    for op in ops.iter().take(1000) {
        match *op {
            Op::Put(k, v) => {
                let mut gone = Vec::new();
                let r = c.put_with(k, v, |k, v, _| gone.push((k, v))).map(|x| *x);
                for (gk, gv) in gone {
                    assert_eq!(mirror.remove(&gk), Some(gv));
                    order.retain(|&x| x != gk);
                }
                match r {
                    Ok(stored) => {
                        assert_eq!(stored, v);
                        mirror.insert(k, v);
                        order.push_front(k);
                    }
                    Err((rk, rv)) => {
                        assert_eq!((rk, rv), (k, v));
                        assert!(weigh(&k, &v) > cap_now);
                        assert!(!mirror.contains_key(&k));
                    }
                }
                if check_order {
                    while order.len() > mirror.len() {
                        order.pop_back();
                    }
                }
            }
            Op::Get(k) => {
                assert_eq!(c.get(&k), mirror.get(&k));
                if mirror.contains_key(&k) {
                    order.retain(|&x| x != k);
                    order.push_front(k);
                }
            }
            Op::Peek(k) => assert_eq!(c.peek(&k), mirror.get(&k)),
            Op::GetOrInsert(k, v) => {
                let before = c.len();
                let had = mirror.get(&k).copied();
                match c.get_or_insert_with(k, || v) {
                    Ok(got) => {
                        let got = *got;
                        if let Some(h) = had {
                            assert_eq!(got, h);
                        } else {
                            assert_eq!(got, v);
                            // Rebuild the mirror from the cache: evictions
                            // are not reported by this call.
                            mirror = c.iter().map(|(k, v)| (*k, *v)).collect();
                        }
                        order.retain(|&x| x != k);
                        order.push_front(k);
                    }
                    Err(_) => {
                        assert!(had.is_none() && weigh(&k, &v) > cap_now && c.len() == before);
                    }
                }
            }
            Op::Pop(k) => {
                assert_eq!(c.pop(&k), mirror.remove(&k));
                order.retain(|&x| x != k);
            }
            Op::PopLru => {
                let got = c.pop_lru();
                if check_order {
                    assert_eq!(got.map(|(k, _)| k), order.pop_back());
                }
                if let Some((k, v)) = got {
                    assert_eq!(mirror.remove(&k), Some(v));
                    order.retain(|&x| x != k);
                }
            }
            Op::Resize(n) => {
                let n = usize::from(n % 40).max(1);
                c.resize(NonZeroUsize::new(n).expect("n >= 1"));
                cap_now = n as u64;
                mirror = c.iter().map(|(k, v)| (*k, *v)).collect();
                order.retain(|k| mirror.contains_key(k));
            }
            Op::Clear => {
                c.clear();
                mirror.clear();
                order.clear();
            }
        }
        assert_eq!(c.len(), mirror.len());
        assert!(c.weight() <= cap_now);
        assert_eq!(
            c.weight(),
            mirror.iter().map(|(k, v)| weigh(k, v)).sum::<u64>()
        );
        if check_order {
            order.truncate(mirror.len());
            let got: Vec<u8> = c.iter().map(|(k, _)| *k).collect();
            assert_eq!(got, Vec::from(order.clone()));
        }
    }
});
