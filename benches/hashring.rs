//! Consistent hashing: lookup time of every pillars router beside the peer
//! crates, for N = 10, 100 and 1000 nodes, plus the balance (max / mean load)
//! and disruption (share of keys moved when one node leaves) of each, printed
//! before the timings.
//!
//! Peers: `hashring` 0.3 (Karger ring; virtual nodes added by hand, 160 per
//! node as in its docs), `maglev` 0.2 (same table size as ours), `jumphash`
//! 0.1, `rendezvous_hash` 0.3.
//!
//! Run: `cargo bench --bench hashring` (HTML reports under
//! `target/criterion/report/index.html`).

use std::hash::{Hash, Hasher};
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use maglev::ConsistentHasher as _;
use pillars_kit::dsa::hashring::{
    HashRing, Jump, Ketama, KetamaCompat, Maglev, Rendezvous, jump_hash,
};

const SIZES: [usize; 3] = [10, 100, 1000];
const VNODES: u32 = 160;
const KEYS: usize = 4096;

fn node_name(i: usize) -> String {
    format!("10.0.{}.{}:11211", i / 256, i % 256)
}

fn keys() -> Vec<String> {
    (0..KEYS).map(|i| format!("user:{i:08}")).collect()
}

/// The Maglev table size for `n` nodes: the default 65537, or the next prime
/// over 100·n when that is larger (the paper's sizing rule).
fn maglev_size(n: usize) -> u64 {
    if n * 100 <= 65_537 { 65_537 } else { 100_003 }
}

/// A virtual node for the `hashring` crate, as its documentation shows.
#[derive(Clone, Debug, PartialEq, Eq)]
struct VNode {
    id: usize,
    replica: u32,
}

impl Hash for VNode {
    fn hash<H: Hasher>(&self, s: &mut H) {
        (self.id, self.replica).hash(s);
    }
}

fn peer_ring(n: usize) -> hashring::HashRing<VNode> {
    let mut ring = hashring::HashRing::new();
    let mut all = Vec::with_capacity(n * VNODES as usize);
    for id in 0..n {
        for replica in 0..VNODES {
            all.push(VNode { id, replica });
        }
    }
    ring.batch_add(all);
    ring
}

fn our_ring(n: usize) -> HashRing<String> {
    let mut ring = HashRing::new();
    for i in 0..n {
        ring.add(node_name(i)).expect("distinct nodes");
    }
    ring
}

fn our_maglev(n: usize) -> Maglev<String> {
    let mut m = Maglev::with_table_size(maglev_size(n)).expect("prime table size");
    m.add_all((0..n).map(node_name)).expect("distinct nodes");
    m
}

fn our_rendezvous(n: usize) -> Rendezvous<String> {
    let mut r = Rendezvous::new();
    for i in 0..n {
        r.add(node_name(i)).expect("distinct nodes");
    }
    r
}

fn our_ketama(n: usize) -> Ketama<String> {
    let mut k = Ketama::new();
    k.add_all((0..n).map(node_name)).expect("distinct nodes");
    k
}

fn our_jump(n: usize) -> Jump<String> {
    let mut j = Jump::new();
    for i in 0..n {
        j.push(node_name(i)).expect("room for the node");
    }
    j
}

fn print_quality() {
    let keys: Vec<String> = (0..1_000_000).map(|i| format!("key-{i}")).collect();
    let n = 100;
    let names: Vec<String> = (0..n).map(node_name).collect();
    let idx = |s: &String| names.iter().position(|x| x == s).expect("member");
    println!(
        "hashring quality, N = {n}, 1M keys: balance = max/mean load (ideal 1.0); moved = share of keys moved when one node leaves (ideal {:.4})",
        1.0 / n as f64
    );

    // Each router: (name, balance, moved).
    let report = |name: &str, before: Vec<usize>, after: Vec<usize>| {
        let mut load = vec![0_u64; n];
        for &b in &before {
            load[b] += 1;
        }
        let max = *load.iter().max().expect("nodes") as f64;
        let bal = max / (before.len() as f64 / n as f64);
        let moved =
            before.iter().zip(&after).filter(|(a, b)| a != b).count() as f64 / before.len() as f64;
        println!("  {name:<28} balance {bal:>6.3}   moved {moved:.4}");
    };

    // pillars HashRing
    let mut r = our_ring(n);
    let before: Vec<usize> = keys
        .iter()
        .map(|k| idx(r.route(k.as_str()).expect("node")))
        .collect();
    r.remove(&names[n / 2]).expect("member");
    let after: Vec<usize> = keys
        .iter()
        .map(|k| idx(r.route(k.as_str()).expect("node")))
        .collect();
    report("pillars HashRing (160 vn)", before, after);

    let mut r = our_ketama(n);
    let before: Vec<usize> = keys
        .iter()
        .map(|k| idx(r.route(k.as_str()).expect("node")))
        .collect();
    r.remove(&names[n / 2]).expect("member");
    let after: Vec<usize> = keys
        .iter()
        .map(|k| idx(r.route(k.as_str()).expect("node")))
        .collect();
    report("pillars Ketama (libmemcached)", before, after);

    let mut r = Ketama::with_compat(KetamaCompat::Exact);
    for name in &names {
        r.add(name.clone()).expect("distinct nodes");
    }
    let before: Vec<usize> = keys
        .iter()
        .map(|k| idx(r.route(k.as_str()).expect("node")))
        .collect();
    r.remove(&names[n / 2]).expect("member");
    let after: Vec<usize> = keys
        .iter()
        .map(|k| idx(r.route(k.as_str()).expect("node")))
        .collect();
    report("pillars Ketama (Exact)", before, after);

    let mut r = our_rendezvous(n);
    let before: Vec<usize> = keys
        .iter()
        .map(|k| idx(r.route(k.as_str()).expect("node")))
        .collect();
    r.remove(&names[n / 2]).expect("member");
    let after: Vec<usize> = keys
        .iter()
        .map(|k| idx(r.route(k.as_str()).expect("node")))
        .collect();
    report("pillars Rendezvous", before, after);

    let mut r = our_maglev(n);
    let before: Vec<usize> = keys
        .iter()
        .map(|k| idx(r.route(k.as_str()).expect("node")))
        .collect();
    r.remove(&names[n / 2]).expect("member");
    let after: Vec<usize> = keys
        .iter()
        .map(|k| idx(r.route(k.as_str()).expect("node")))
        .collect();
    report("pillars Maglev (65537)", before, after);

    // Jump hash can only lose its last bucket.
    let j = our_jump(n);
    let before: Vec<usize> = keys
        .iter()
        .map(|k| idx(j.route(k.as_str()).expect("node")))
        .collect();
    let mut j = j;
    j.pop();
    let after: Vec<usize> = keys
        .iter()
        .map(|k| idx(j.route(k.as_str()).expect("node")))
        .collect();
    report("pillars Jump (last leaves)", before, after);

    // Peers.
    let mut p = peer_ring(n);
    let before: Vec<usize> = keys.iter().map(|k| p.get(k).expect("node").id).collect();
    for replica in 0..VNODES {
        p.remove(&VNode { id: n / 2, replica });
    }
    let after: Vec<usize> = keys.iter().map(|k| p.get(k).expect("node").id).collect();
    report("hashring crate (160 vn)", before, after);

    let p = maglev::Maglev::with_capacity(0..n, 65_537);
    let before: Vec<usize> = keys.iter().map(|k| *p.get(k).expect("node")).collect();
    let p = maglev::Maglev::with_capacity((0..n).filter(|&i| i != n / 2), 65_537);
    let after: Vec<usize> = keys.iter().map(|k| *p.get(k).expect("node")).collect();
    report("maglev crate (65537)", before, after);
}

fn lookup(c: &mut Criterion) {
    print_quality();
    let keys = keys();
    let mut g = c.benchmark_group("hashring/lookup");
    g.throughput(Throughput::Elements(1));
    for &n in &SIZES {
        let ring = our_ring(n);
        let mut i = 0;
        g.bench_function(BenchmarkId::new("pillars::HashRing", n), |b| {
            b.iter(|| {
                i = (i + 1) % KEYS;
                black_box(ring.route(black_box(keys[i].as_str())))
            });
        });
        let peer = peer_ring(n);
        g.bench_function(BenchmarkId::new("hashring::HashRing", n), |b| {
            b.iter(|| {
                i = (i + 1) % KEYS;
                black_box(peer.get(black_box(&keys[i])))
            });
        });
        let ketama = our_ketama(n);
        g.bench_function(BenchmarkId::new("pillars::Ketama", n), |b| {
            b.iter(|| {
                i = (i + 1) % KEYS;
                black_box(ketama.route(black_box(keys[i].as_str())))
            });
        });
        let m = our_maglev(n);
        g.bench_function(BenchmarkId::new("pillars::Maglev", n), |b| {
            b.iter(|| {
                i = (i + 1) % KEYS;
                black_box(m.route(black_box(keys[i].as_str())))
            });
        });
        let pm = maglev::Maglev::with_capacity((0..n).map(node_name), maglev_size(n) as usize);
        g.bench_function(BenchmarkId::new("maglev::Maglev", n), |b| {
            b.iter(|| {
                i = (i + 1) % KEYS;
                black_box(pm.get(black_box(&keys[i])))
            });
        });
        let j = our_jump(n);
        g.bench_function(BenchmarkId::new("pillars::Jump", n), |b| {
            b.iter(|| {
                i = (i + 1) % KEYS;
                black_box(j.route(black_box(keys[i].as_str())))
            });
        });
        g.bench_function(BenchmarkId::new("pillars::jump_hash(u64)", n), |b| {
            b.iter(|| {
                i = (i + 1) % KEYS;
                black_box(jump_hash(
                    black_box(i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
                    n as u32,
                ))
            });
        });
        let pj = jumphash::JumpHasher::new();
        g.bench_function(BenchmarkId::new("jumphash::JumpHasher", n), |b| {
            b.iter(|| {
                i = (i + 1) % KEYS;
                black_box(pj.slot(black_box(&keys[i]), n as u32))
            });
        });
        {
            // Rendezvous is O(n) by design; the peer sorts all n scores per lookup.
            let r = our_rendezvous(n);
            g.bench_function(BenchmarkId::new("pillars::Rendezvous", n), |b| {
                b.iter(|| {
                    i = (i + 1) % KEYS;
                    black_box(r.route(black_box(keys[i].as_str())))
                });
            });
            let names: Vec<String> = (0..n).map(node_name).collect();
            let mut pr = rendezvous_hash::RendezvousNodes::default();
            for name in &names {
                pr.insert(name.as_str());
            }
            g.bench_function(BenchmarkId::new("rendezvous_hash", n), |b| {
                b.iter(|| {
                    i = (i + 1) % KEYS;
                    black_box(pr.calc_candidates(black_box(&keys[i])).next().cloned())
                });
            });
        }
    }
    g.finish();
}

/// Replica lists: three distinct nodes in ring order. The peer clones its
/// whole ring per call and may repeat a node (it walks virtual nodes).
fn replicas(c: &mut Criterion) {
    let keys = keys();
    let mut g = c.benchmark_group("hashring/route_n(3)");
    g.throughput(Throughput::Elements(1));
    for &n in &SIZES[..2] {
        let ring = our_ring(n);
        let mut i = 0;
        g.bench_function(BenchmarkId::new("pillars::HashRing", n), |b| {
            b.iter(|| {
                i = (i + 1) % KEYS;
                let mut out = [None; 3];
                for (slot, node) in out
                    .iter_mut()
                    .zip(ring.route_n(black_box(keys[i].as_str()), 3))
                {
                    *slot = Some(node);
                }
                black_box(out)
            });
        });
        let peer = peer_ring(n);
        g.bench_function(BenchmarkId::new("hashring::get_with_replicas", n), |b| {
            b.iter(|| {
                i = (i + 1) % KEYS;
                black_box(peer.get_with_replicas(black_box(&keys[i]), 2))
            });
        });
    }
    g.finish();
}

criterion_group!(benches, lookup, replicas);
criterion_main!(benches);
