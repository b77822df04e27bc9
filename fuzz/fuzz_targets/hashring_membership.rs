//! Membership change sequences on every router, checked after every operation
//! against a simple reference: a sorted map of members and weights.
//!
//! * Errors match the reference exactly (duplicate, unknown, zero weight).
//! * Routes are members, `None` exactly when the reference is empty.
//! * `route_n` gives `min(n, members)` distinct members, the owner first.
//! * Incremental changes equal a rebuild from scratch in sorted order (the
//!   route of a key never depends on the history of adds and removes).
//! * Bounded loads never exceed their capacity.
#![no_main]

use std::collections::{BTreeMap, HashSet};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pillars_dsa::hashring::{BoundedLoad, Error, HashRing, Ketama, Maglev, Rendezvous};

#[derive(Arbitrary, Debug)]
enum Op {
    Add { node: u8, weight: u8 },
    Remove { node: u8 },
    Route { key: u32, n: u8 },
    Assign { key: u32 },
    Release { node: u8 },
}

const MAGLEV_TABLE: u64 = 2_053;

fn name(node: u8) -> String {
    // At most 16 distinct nodes keeps a Maglev table of 2053 slots well sized.
    format!("node-{}", node % 16)
}

struct Routers {
    ring: HashRing<String>,
    hrw: Rendezvous<String>,
    maglev: Maglev<String>,
    ketama: Ketama<String>,
}

impl Routers {
    fn new() -> Self {
        Self {
            ring: HashRing::with_virtual_nodes(8).expect("8 virtual nodes"),
            hrw: Rendezvous::new(),
            maglev: Maglev::with_table_size(MAGLEV_TABLE).expect("prime"),
            ketama: Ketama::new(),
        }
    }

    fn rebuilt(reference: &BTreeMap<String, u32>) -> Self {
        let mut r = Self::new();
        for (node, &w) in reference {
            r.ring.add_weighted(node.clone(), w).expect("fresh");
            r.hrw.add_weighted(node.clone(), w).expect("fresh");
            r.maglev.add_weighted(node.clone(), w).expect("fresh");
            r.ketama.add_weighted(node.clone(), w).expect("fresh");
        }
        r
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let mut reference: BTreeMap<String, u32> = BTreeMap::new();
    let mut r = Routers::new();
    let mut bounded: BoundedLoad<String> = BoundedLoad::new(1.25).expect("c > 1");
    for op in ops.into_iter().take(64) {
        match op {
            Op::Add { node, weight } => {
                let node = name(node);
                let weight = u32::from(weight % 4);
                let duplicate = reference.contains_key(&node);
                // Exactly the reference's error; either one when both apply.
                let check = |got: Result<(), Error>| match (weight == 0, duplicate) {
                    (false, false) => assert_eq!(got, Ok(())),
                    (true, false) => assert_eq!(got, Err(Error::ZeroWeight)),
                    (false, true) => assert_eq!(got, Err(Error::DuplicateNode)),
                    (true, true) => {
                        assert!(matches!(got, Err(Error::ZeroWeight | Error::DuplicateNode)))
                    }
                };
                check(r.ring.add_weighted(node.clone(), weight));
                check(r.hrw.add_weighted(node.clone(), weight));
                check(r.maglev.add_weighted(node.clone(), weight));
                check(r.ketama.add_weighted(node.clone(), weight));
                // BoundedLoad has no weights: it follows the reference's members.
                if weight != 0 {
                    check(bounded.add(node.clone()));
                    if !duplicate {
                        reference.insert(node, weight);
                    }
                }
            }
            Op::Remove { node } => {
                let node = name(node);
                let present = reference.remove(&node).is_some();
                assert_eq!(r.ring.remove(&node).is_ok(), present);
                assert_eq!(r.hrw.remove(&node).is_ok(), present);
                assert_eq!(r.maglev.remove(&node).is_ok(), present);
                assert_eq!(r.ketama.remove(&node).is_ok(), present);
                assert_eq!(bounded.remove(&node).is_ok(), present);
            }
            Op::Route { key, n } => {
                let key = key.to_le_bytes();
                let fresh = Routers::rebuilt(&reference);
                let routes = [
                    (r.ring.route(&key), fresh.ring.route(&key)),
                    (r.hrw.route(&key), fresh.hrw.route(&key)),
                    (r.maglev.route(&key), fresh.maglev.route(&key)),
                    (r.ketama.route(&key), fresh.ketama.route(&key)),
                ];
                for (got, want) in routes {
                    assert_eq!(got, want, "history changed a route");
                    assert_eq!(got.is_none(), reference.is_empty());
                    if let Some(node) = got {
                        assert!(reference.contains_key(node));
                    }
                }
                let n = usize::from(n % 20);
                let owner = r.ring.route(&key);
                let replicas: Vec<&String> = r.ring.route_n(&key, n).collect();
                assert_eq!(replicas.len(), n.min(reference.len()));
                assert_eq!(
                    replicas.iter().collect::<HashSet<_>>().len(),
                    replicas.len()
                );
                if n > 0 {
                    assert_eq!(replicas.first().copied(), owner);
                }
                let replicas: Vec<&String> = r.hrw.route_n(&key, n).into_iter().collect();
                assert_eq!(replicas.len(), n.min(reference.len()));
                assert_eq!(
                    replicas.iter().collect::<HashSet<_>>().len(),
                    replicas.len()
                );
                if n > 0 {
                    assert_eq!(replicas.first().copied(), r.hrw.route(&key));
                }
            }
            Op::Assign { key } => {
                // The bound holds for the node that takes each new key, read
                // before the assignment: ceil(c * (total + 1) / n). Releases can
                // leave older loads above a later, smaller capacity.
                let cap = bounded.capacity();
                let got = bounded.assign(&key.to_le_bytes()).cloned();
                assert_eq!(got.is_none(), reference.is_empty());
                if let Some(node) = got {
                    let load = bounded.load(&node).expect("member");
                    assert!(load <= cap, "load {load} over capacity {cap}");
                }
            }
            Op::Release { node } => {
                let node = name(node);
                let before = bounded.load(&node);
                let res = bounded.release(&node);
                match before {
                    None => assert_eq!(res, Err(Error::UnknownNode)),
                    Some(0) => assert_eq!(res, Err(Error::NoLoad)),
                    Some(l) => {
                        assert_eq!(res, Ok(()));
                        assert_eq!(bounded.load(&node), Some(l - 1));
                    }
                }
            }
        }
    }
});
