//! The facade re-exports the crates unchanged: a value built through
//! `pillars_kit` is the crate's own type, and routes agree with the crate.

use pillars_kit::dsa::hash::{KeyHasher, Xxh3};
use pillars_kit::dsa::hashring::{HashRing, SharedRing};

#[test]
fn facade_types_are_the_crate_types() {
    let ring: pillars_dsa::hashring::HashRing<&str> = {
        let mut r = HashRing::new();
        r.add("a").unwrap();
        r.add("b").unwrap();
        r
    };
    let hash = Xxh3::default().hash_key("k");
    assert_eq!(ring.route("k"), ring.route_hash(hash));
    assert_eq!(hash, pillars_dsa::hash::Xxh3::default().hash_key("k"));
}

#[test]
fn shared_ring_routes_across_threads() {
    let mut ring = HashRing::new();
    for i in 0..8 {
        ring.add(format!("node-{i}")).unwrap();
    }
    let expected: Vec<Option<String>> = (0..100_u64).map(|k| ring.route(&k).cloned()).collect();
    let shared = SharedRing::new(ring);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for (k, want) in (0_u64..).zip(&expected) {
                    assert_eq!(&shared.route(&k), want);
                }
            });
        }
    });
}
