//! The pillars tour: every module in action, on embedded defaults, printing
//! what it did. Run it with `cargo run --release --example tour`.

use std::collections::BTreeMap;

use pillars_kit::dsa::hash::{KeyHasher, Xxh3};
use pillars_kit::dsa::hashring::{
    BoundedLoad, HashRing, Jump, Ketama, Maglev, Rendezvous, Router, SharedRing, jump_hash,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("pillars tour\n");
    hash();
    hashring()?;
    println!("\ntour complete");
    Ok(())
}

fn section(title: &str) {
    println!("== {title}");
}

fn hash() {
    section("dsa::hash: one stable, seeded hash for everything that leaves the process");
    let h = Xxh3::default();
    println!(
        "  xxh3(\"user:42\", seed \"pillars1\") = {:#018x} on every machine and release",
        h.hash_key("user:42")
    );
}

fn hashring() -> Result<(), Box<dyn std::error::Error>> {
    section("dsa::hashring: route keys to nodes, move few keys on change");
    let nodes: Vec<String> = (1..=5).map(|i| format!("cache-{i}:11211")).collect();
    let keys: Vec<String> = (0..100_000).map(|i| format!("session:{i}")).collect();

    // Karger ring with virtual nodes and weights.
    let mut ring = HashRing::new();
    for n in &nodes {
        ring.add(n.clone())?;
    }
    ring.add_weighted("cache-big:11211".to_string(), 2)?;
    let before: Vec<String> = keys
        .iter()
        .map(|k| ring.route(k.as_str()).cloned().unwrap_or_default())
        .collect();
    let mut load: BTreeMap<&str, usize> = BTreeMap::new();
    for owner in &before {
        *load.entry(owner.as_str()).or_default() += 1;
    }
    println!("  HashRing, 6 nodes (one with weight 2), 100k keys: {load:?}");
    let replicas: Vec<&String> = ring.route_n("session:7", 3).collect();
    println!("  replicas of session:7 in ring order: {replicas:?}");
    ring.remove(&nodes[0])?;
    let moved = keys
        .iter()
        .zip(&before)
        .filter(|(k, b)| ring.route(k.as_str()) != Some(*b))
        .count();
    println!(
        "  remove {}: {moved} keys moved ({:.1}%); it owned {} keys, so only its keys moved: {}",
        nodes[0],
        100.0 * moved as f64 / keys.len() as f64,
        load[nodes[0].as_str()],
        moved == load[nodes[0].as_str()]
    );

    // Jump hash: numbered shards.
    println!(
        "  jump_hash(42, 10) = {}, jump_hash(42, 11) = {} (a key moves only to the new bucket)",
        jump_hash(42, 10),
        jump_hash(42, 11)
    );
    let mut shards = Jump::new();
    for i in 0..8 {
        shards.push(format!("shard-{i}"));
    }
    println!(
        "  Jump over 8 shards: order:1001 -> {:?}",
        shards.route("order:1001")
    );

    // Rendezvous and Maglev.
    let mut hrw = Rendezvous::new();
    let mut maglev = Maglev::new();
    for n in &nodes {
        hrw.add(n.clone())?;
        maglev.add(n.clone())?;
    }
    println!(
        "  Rendezvous: session:7 -> {:?}; Maglev (65537-slot table): session:7 -> {:?}",
        hrw.route("session:7"),
        maglev.route("session:7")
    );

    // Ketama: the memcached clients' layout.
    let mut ketama = Ketama::new();
    for n in &nodes {
        ketama.add(n.clone())?;
    }
    println!(
        "  Ketama (libmemcached layout): session:7 -> {:?}",
        ketama.route("session:7")
    );

    // Bounded loads: no node above ceil(1.25 * mean).
    let mut bounded = BoundedLoad::new(1.25)?;
    for n in &nodes {
        bounded.add(n.clone())?;
    }
    for k in keys.iter().take(10_000) {
        bounded.assign(k.as_str());
    }
    let max = nodes
        .iter()
        .filter_map(|n| bounded.load(n))
        .max()
        .unwrap_or(0);
    println!(
        "  BoundedLoad c = 1.25, 10k keys over 5 nodes: max load {max} (cap {})",
        bounded.capacity()
    );

    // Shared ring: lock-free readers while membership changes.
    let shared = SharedRing::new(ring);
    std::thread::scope(|s| {
        s.spawn(|| {
            shared
                .update(|r| r.add("cache-6:11211".to_string()))
                .expect("new node");
        });
        for _ in 0..1000 {
            assert!(shared.route("session:9").is_some());
        }
    });
    println!(
        "  SharedRing: {} nodes after a concurrent add; readers never blocked",
        shared.snapshot().node_count()
    );

    // Batch routing in parallel.
    let snapshot = shared.snapshot();
    let batch = snapshot.route_batch(&keys);
    println!(
        "  route_batch of {} keys with rayon: {} routed",
        keys.len(),
        batch.iter().flatten().count()
    );
    Ok(())
}
