//! The pillars tour: every module in action, on embedded defaults, printing
//! what it did. Run it with `cargo run --release --example tour`.

use std::collections::BTreeMap;

use pillars_kit::dsa::bloom::{
    AtomicBloomFilter, BinaryFuse8, BloomFilter, CountingBloomFilter, ScalableBloomFilter,
    SplitBlockBloomFilter,
};
use pillars_kit::dsa::hash::{KeyHasher, Xxh3};
use pillars_kit::dsa::hashring::{
    BoundedLoad, HashRing, Jump, Ketama, Maglev, Rendezvous, Router, SharedRing, jump_hash,
};
use pillars_kit::dsa::ringbuf::{mpmc, overwrite::Overwrite, spsc, wait};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("pillars tour\n");
    hash();
    hashring()?;
    ringbuf()?;
    bloom()?;
    lru()?;
    ratelimit()?;
    validate()?;
    strings();
    cassandra()?;
    s3()?;
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
        shards.push(format!("shard-{i}"))?;
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

    // Ketama: the point layout of libketama / twemproxy (MD5), for sharing
    // keys with memcached clients configured the same way.
    let mut ketama = Ketama::new();
    for n in &nodes {
        ketama.add(n.clone())?;
    }
    println!(
        "  Ketama (libketama point layout, MD5): session:7 -> {:?}",
        ketama.route("session:7")
    );

    // Bounded loads: no node above ceil(c * mean).
    let c = 1.25;
    let mut bounded = BoundedLoad::new(c)?;
    for n in &nodes {
        bounded.add(n.clone())?;
    }
    let assigned = 10_000_u32;
    for k in keys.iter().take(assigned as usize) {
        bounded.assign(k.as_str());
    }
    let max = nodes
        .iter()
        .filter_map(|n| bounded.load(n))
        .max()
        .unwrap_or(0);
    let bound = (c * f64::from(assigned) / nodes.len() as f64).ceil();
    println!(
        "  BoundedLoad c = {c}, {assigned} keys over {} nodes: max load {max} <= ceil(c * mean) = {bound}",
        nodes.len()
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

fn ringbuf() -> Result<(), Box<dyn std::error::Error>> {
    section("dsa::ringbuf: bounded rings between threads, and keep-the-last-N");
    // Wait-free SPSC: a network thread hands log lines to a shipper.
    let (mut tx, mut rx) = spsc::channel::<u64>(1000)?;
    println!(
        "  spsc::channel(1000): capacity rounded up to {}",
        tx.capacity()
    );
    let n = 1_000_000_u64;
    let shipped = std::thread::scope(|s| {
        s.spawn(move || {
            let batch: Vec<u64> = (0..n).collect();
            let mut sent = 0;
            while sent < batch.len() {
                sent += tx.push_slice(&batch[sent..]);
            }
        });
        let (mut sum, mut got, mut buf) = (0_u64, 0_u64, [0_u64; 256]);
        while got < n {
            let k = rx.pop_slice(&mut buf);
            sum += buf[..k].iter().sum::<u64>();
            got += k as u64;
        }
        sum
    });
    println!(
        "  moved {n} values between two threads in slices; sum checks out: {}",
        shipped == n * (n - 1) / 2
    );

    // Blocking waits: a tiny ring, the consumer sleeps instead of spinning,
    // and sees the end of the stream when the producer goes away.
    let (mut tx, mut rx) = wait::spsc_channel::<u32>(2)?;
    let received = std::thread::scope(|s| {
        s.spawn(move || {
            for i in 0..10_000 {
                if tx.push_blocking(i).is_err() {
                    break;
                }
            }
            // Dropping the producer closes the ring.
        });
        let mut n = 0;
        while rx.pop_blocking().is_ok() {
            n += 1;
        }
        n
    });
    println!("  wait::spsc_channel(2): {received} values with blocking push/pop, then Closed");

    // MPMC with overwrite-oldest for metrics that may be dropped under load.
    let q = mpmc::Queue::new(4)?;
    for i in 0..6 {
        if let Some(evicted) = q.force_push(i) {
            println!("  mpmc::Queue(4) force_push({i}) evicted {evicted}");
        }
    }
    let left: Vec<i32> = std::iter::from_fn(|| q.pop()).collect();
    println!("  left in the queue, oldest first: {left:?}");

    // The last N latencies.
    let mut window = Overwrite::new(3)?;
    for ms in [12, 7, 30, 9, 14] {
        window.push(ms);
    }
    println!(
        "  Overwrite(3) after 5 pushes keeps {:?}",
        window.iter().collect::<Vec<_>>()
    );
    Ok(())
}

fn bloom() -> Result<(), Box<dyn std::error::Error>> {
    section("dsa::bloom: skip the database read for keys that cannot exist");
    let n = 100_000_u64;
    let mut seen = BloomFilter::with_rate(n, 0.01)?;
    for id in 0..n {
        seen.insert(&id);
    }
    let absent = (n..n + 100_000).filter(|id| seen.contains(id)).count();
    println!(
        "  BloomFilter for {n} keys at 1%: {:.2} bits/key, no false negatives: {}, false positives on 100k absent keys: {:.2}%",
        seen.bits_per_key(n),
        (0..n).all(|id| seen.contains(&id)),
        absent as f64 / 1000.0
    );

    // Bytes that another process (or the next release) reads back.
    let bytes = seen.to_bytes();
    let again = BloomFilter::from_bytes(&bytes)?;
    println!(
        "  to_bytes: {} bytes (versioned, checksummed); read back equal: {}",
        bytes.len(),
        again == seen
    );
    let mut corrupt = bytes.clone();
    corrupt[100] ^= 1;
    println!(
        "  one flipped bit: {}",
        BloomFilter::from_bytes(&corrupt).unwrap_err()
    );

    // Shared between threads.
    let shared = AtomicBloomFilter::with_rate(n, 0.01)?;
    std::thread::scope(|s| {
        for t in 0..2_u64 {
            let shared = &shared;
            s.spawn(move || {
                for id in (t..n).step_by(2) {
                    shared.insert(&id);
                }
            });
        }
    });
    println!(
        "  AtomicBloomFilter filled from 2 threads: every key present: {}",
        (0..n).all(|id| shared.contains(&id))
    );

    let mut block = SplitBlockBloomFilter::with_rate(n, 0.01)?;
    block.insert("user:1");
    println!(
        "  SplitBlockBloomFilter (Parquet layout): user:1 {}, user:2 {}",
        block.contains("user:1"),
        block.contains("user:2")
    );

    let mut counting = CountingBloomFilter::with_rate(1000, 0.01)?;
    counting.insert("session:9");
    counting.remove("session:9")?;
    println!(
        "  CountingBloomFilter: insert then remove session:9 -> present {}; removing it again: {}",
        counting.contains("session:9"),
        counting.remove("session:9").unwrap_err()
    );

    let mut growing = ScalableBloomFilter::new(1000, 0.01)?;
    for id in 0..50_000_u64 {
        growing.insert(&id);
    }
    println!(
        "  ScalableBloomFilter from capacity 1000 to 50k keys: {} stages, expected FPR {:.3}%",
        growing.stages(),
        growing.expected_fpr() * 100.0
    );

    let keys: Vec<u64> = (0..n).collect();
    let fuse = BinaryFuse8::from_slice(&keys)?;
    let fp = (n..n + 100_000).filter(|k| fuse.contains(k)).count();
    println!(
        "  BinaryFuse8 (static set): {:.2} bits/key, FPR {:.3}% on 100k absent keys",
        fuse.bits_per_key(),
        fp as f64 / 1000.0
    );
    Ok(())
}

fn lru() -> Result<(), Box<dyn std::error::Error>> {
    use std::num::NonZeroUsize;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use pillars_kit::dsa::lru::{ConcurrentLru, LruCache, ManualClock, Policy, RemovalCause};

    section(
        "dsa::lru: caches that keep the hot set (LRU, SIEVE, S3-FIFO; sharded, TTL, single-flight)",
    );
    // Single-threaded: a one-off scan flushes LRU but not SIEVE or S3-FIFO.
    let cap = NonZeroUsize::new(100).ok_or("capacity")?;
    for policy in [Policy::Lru, Policy::Sieve, Policy::S3Fifo] {
        let mut c = LruCache::new(cap).with_policy(policy);
        for round in 0..3 {
            for hot in 0..50_u32 {
                if c.get(&hot).is_none() {
                    c.put(hot, round);
                }
            }
        }
        for cold in 1_000..1_200_u32 {
            c.put(cold, 0); // the scan
        }
        let kept = (0..50_u32).filter(|k| c.contains(k)).count();
        println!("  {policy:?}: after a 200-key scan, {kept}/50 hot keys still cached");
    }

    // Concurrent: 4 threads ask for the same 10 missing keys at once; each
    // key is loaded once (single-flight), and entries expire on a TTL.
    let clock = Arc::new(ManualClock::new());
    let evicted = Arc::new(AtomicUsize::new(0));
    let ev = Arc::clone(&evicted);
    let cache: ConcurrentLru<u32, Arc<str>> = ConcurrentLru::builder(1_000)
        .default_ttl(Duration::from_secs(30))
        .clock(Arc::clone(&clock))
        .eviction_listener(move |_, _, why| {
            if why == RemovalCause::Expired {
                ev.fetch_add(1, Ordering::Relaxed);
            }
        })
        .build()?;
    let loads = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for k in 0..10 {
                    let v = cache.get_or_insert_with(k, || {
                        loads.fetch_add(1, Ordering::Relaxed);
                        std::thread::sleep(Duration::from_millis(2)); // a slow backend
                        Arc::from(format!("row {k}"))
                    });
                    assert!(v.is_ok());
                }
            });
        }
    });
    println!(
        "  ConcurrentLru, {} shards: 4 threads x 10 keys -> {} loads, stats {:?}",
        cache.shard_count(),
        loads.load(Ordering::Relaxed),
        cache.stats()
    );
    clock.advance(Duration::from_secs(31));
    let expired = (0..10).filter(|k| cache.get(k).is_none()).count();
    println!(
        "  after 31 s on a manual clock: {expired}/10 expired, listener saw {} expirations",
        evicted.load(Ordering::Relaxed)
    );
    Ok(())
}

fn ratelimit() -> Result<(), Box<dyn std::error::Error>> {
    use pillars_kit::dsa::ratelimit::concurrency::{AdaptiveLimit, Aimd, Outcome};
    use pillars_kit::dsa::ratelimit::{Gcra, KeyedLimiter, Pacer, Quota, headers};
    use std::time::Duration;

    section("dsa::ratelimit: GCRA, keyed limits with bounded memory, pacing, adaptive concurrency");

    // Per client: 5 per second, bursts of 3; memory bounded at 10 000 keys.
    let quota = Quota::per_second(5)?.with_burst(3)?;
    let per_client: KeyedLimiter<String> = KeyedLimiter::with_max_keys(quota, 10_000)?;
    let answers: Vec<bool> = (0..5)
        .map(|_| per_client.check("10.0.0.7").is_allowed())
        .collect();
    let d = per_client.check("10.0.0.7");
    println!("  client 10.0.0.7 burst of 5 -> {answers:?}");
    println!(
        "  429 headers: RateLimit-Policy: {} | RateLimit: {} | Retry-After: {}",
        headers::rate_limit_policy("default", &quota)?,
        headers::rate_limit("default", &d)?,
        headers::retry_after(&d).unwrap_or_default(),
    );

    // Process-wide: one atomic word, shared by every thread.
    let global = Gcra::new(Quota::per_second(1_000)?);
    println!(
        "  global check_n(10) allowed = {}",
        global.check_n(10)?.is_allowed()
    );

    // Outgoing calls: evenly spaced, 200 per second.
    let pacer = Pacer::new(Quota::per_second(200)?.with_burst(1)?);
    let start = std::time::Instant::now();
    for _ in 0..5 {
        pacer.wait();
    }
    println!("  5 paced calls took {:?} (>= 20 ms)", start.elapsed());

    // Adaptive concurrency: a dropped request backs the limit off by 10 %.
    let adaptive = AdaptiveLimit::new(Aimd::new(20, 1, 200)?);
    if let Some(t) = adaptive.try_acquire() {
        t.record(Duration::from_millis(3), Outcome::Dropped);
    }
    println!("  adaptive limit after a drop: {}", adaptive.limit());
    Ok(())
}

fn validate() -> Result<(), Box<dyn std::error::Error>> {
    section("utils::validate: rules with field paths, machine codes and problem details");
    use pillars_kit::utils::validate::{
        Email, Validation, each, email, length, optional, range, url,
    };

    let emails = vec![
        "ada@example.com".to_owned(),
        "John..Doe@example.com".to_owned(),
    ];
    let homepage = Some("javascript:alert(1)".to_owned());
    let err = Validation::new()
        .field("name", "Ada", length(1..=50).graphemes())
        .field("age", &12_u8, range(13..))
        .field("emails", &emails, each(email()))
        .field("homePage", &homepage, optional(url()))
        .finish()
        .err()
        .ok_or("three fields are invalid")?;
    println!("  {err}");
    println!(
        "  problem details: {}",
        serde_json::to_string(&err.problem())?
    );
    let rfc = Email::strict()
        .allow_quoted_local(true)
        .allow_ip_literal(true);
    println!(
        "  strict RFC 5321 accepts \"john doe\"@[IPv6:2001:db8::1]: {}",
        rfc.is_valid("\"john doe\"@[IPv6:2001:db8::1]")
    );
    Ok(())
}

fn strings() {
    use pillars_kit::utils::strings::{self, Redacted};

    section("utils::strings: render, redact, truncate, slug, mask: never panics");
    #[derive(serde::Serialize)]
    struct Login {
        user: &'static str,
        password: Redacted<&'static str>,
        api_key: &'static str,
        otp: Option<u32>,
    }
    let login = Login {
        user: "ana",
        password: Redacted::new("hunter2"),
        api_key: "k-123",
        otp: None,
    };
    println!("  stringify: {}", strings::stringify(&login));
    let line = "GET https://svc:pa55@db.internal/x?token=abc123 from 203.0.113.7 by ana@example.com card 4111 1111 1111 1111";
    println!("  redact:    {}", strings::redact(line));
    let title = "Crème brûlée 👨\u{200d}👩\u{200d}👧 recipes for the whole family";
    println!(
        "  truncate:  \"{}\" (15 graphemes, ellipsis included; the family emoji stays whole)",
        strings::truncate_graphemes_with_ellipsis(title, 15, "…")
    );
    println!(
        "  bytes:     {:?} (column of 16 bytes)",
        strings::truncate_bytes(title, 16)
    );
    println!(
        "  slug:      {}  (no letters -> {:?})",
        strings::slugify(title),
        strings::slugify("?!")
    );
    println!("  mask:      {}", strings::mask("4111111111111111", 4));
    println!(
        "  case:      HTTPServer -> {}, userID2 -> {}",
        strings::to_snake_case("HTTPServer"),
        strings::to_snake_case("userID2")
    );
    println!(
        "  did you mean: stauts -> {:?}",
        strings::did_you_mean("stauts", ["status", "start", "stop"])
    );
    println!(
        "  human:     {} / {:?} / {}",
        strings::format_size(1_572_864),
        strings::parse_size("1.5 GiB").ok(),
        strings::format_duration(std::time::Duration::from_secs(5400))
    );
}

fn cassandra() -> Result<(), Box<dyn std::error::Error>> {
    use pillars_kit::storage::cassandra::testing::TestServer;
    use pillars_kit::storage::cassandra::{CursorCodec, CursorKey, Page, Paginator, stream};
    use std::sync::Arc;

    section("storage::cassandra: signed, query-bound page cursors for HTTP APIs");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let server = TestServer::start()?;
        let session = Arc::new(server.session().await?);
        session
            .query_unpaged(
                "CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
                &[],
            )
            .await?;
        session
            .query_unpaged("CREATE TABLE shop.orders (customer int, id int, total int, PRIMARY KEY (customer, id))", &[])
            .await?;
        let insert = session.prepare("INSERT INTO shop.orders (customer, id, total) VALUES (?, ?, ?)").await?;
        for customer in 1..=3 {
            for id in 0..25 {
                session.execute_unpaged(&insert, (customer, id, 100 + id)).await?;
            }
        }
        println!("  in-process kassandra on {}, 3 customers x 25 orders", server.addr());

        // GET /customers/2/orders?limit=10 then ?cursor=...
        let by_customer = session.prepare("SELECT customer, id, total FROM shop.orders WHERE customer = ?").await?;
        let paginator = Paginator::new(CursorCodec::new(CursorKey::new(1, *b"server-secret-32-bytes-long!!!!!")).with_encryption(true));
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let page: Page<(i32, i32, i32)> =
                paginator.page(&session, &by_customer, (2,), Some(10), cursor.as_deref()).await?;
            pages += 1;
            if pages == 1 {
                let json = serde_json::to_string(&page)?;
                println!("  page 1 as JSON: {}...", &json[..json.len().min(90)]);
                let len = page.next.as_ref().map_or(0, |c| c.as_str().len());
                println!("  next cursor: {len} URL-safe chars (signed, encrypted, expires in 15 min)");
            }
            match page.next {
                Some(next) => cursor = Some(next.into_string()),
                None => break,
            }
        }
        println!("  customer 2: {pages} pages of at most 10 rows, cursor only on pages with rows");

        // The attack the signature stops: customer 2's cursor on customer 3.
        let first: Page<(i32, i32, i32)> = paginator.page(&session, &by_customer, (2,), Some(10), None).await?;
        let stolen = first.next.map(|c| c.into_string()).unwrap_or_default();
        let refused = paginator.page::<(i32, i32, i32), _>(&session, &by_customer, (3,), Some(10), Some(&stolen)).await;
        if let Err(e) = refused {
            println!("  customer 2's cursor used for customer 3: {e} (400, no query sent)");
        }

        // Jobs that read everything: a typed stream, next page prefetched.
        let all = session.prepare("SELECT customer, id, total FROM shop.orders").await?;
        let rows: Vec<(i32, i32, i32)> =
            futures::TryStreamExt::try_collect(stream::rows::<(i32, i32, i32), _>(Arc::clone(&session), all, (), 20)).await?;
        let total: i64 = rows.iter().map(|r| i64::from(r.2)).sum();
        println!("  stream::rows read {} orders worth {total}", rows.len());
        server.stop();
        Ok::<(), Box<dyn std::error::Error>>(())
    })
}

fn s3() -> Result<(), Box<dyn std::error::Error>> {
    use bytes::Bytes;
    use futures::TryStreamExt;
    use pillars_kit::storage::s3::testing::TestServer;
    use pillars_kit::storage::s3::{DownloadOptions, FsStore, ObjectStore, PutMode, UploadOptions};

    section("storage::s3: one ObjectStore trait, filesystem (embedded) and S3 backends");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        async fn demo(store: &dyn ObjectStore) -> Result<String, Box<dyn std::error::Error>> {
            store
                .put(
                    "orders/1.json",
                    Bytes::from_static(b"{\"total\":42}"),
                    PutMode::Create,
                )
                .await?;
            store
                .put(
                    "orders/2.json",
                    Bytes::from_static(b"{\"total\":7}"),
                    PutMode::Create,
                )
                .await?;
            let again = store
                .put("orders/1.json", Bytes::new(), PutMode::Create)
                .await;
            let keys: Vec<String> = store
                .list("orders/")
                .map_ok(|m| m.key)
                .try_collect()
                .await?;
            Ok(format!(
                "listed {keys:?}; second create-only put refused: {}",
                again.is_err_and(|e| e.is_precondition_failed())
            ))
        }

        let dir = tempfile::tempdir()?;
        let fs = FsStore::new(dir.path())?;
        println!("  FsStore  : {}", demo(&fs).await?);
        println!(
            "  FsStore  : \"../etc/passwd\" refused: {}",
            fs.path_of("../etc/passwd").is_err()
        );

        let server = TestServer::start()?;
        let bucket = server.bucket("tour").await?;
        bucket.create().await?;
        println!("  S3       : {}", demo(&bucket).await?);

        // A 12 MiB stream in 5 MiB parts, 2 in flight: at most 10 MiB buffered.
        let data: Vec<u8> = (0..12u32 << 20).map(|i| (i % 251) as u8).collect();
        let opts = UploadOptions::new().part_size(5 << 20)?.concurrency(2)?;
        let up = bucket.upload("backups/db.dump", &data[..], &opts).await?;
        let mut back = Vec::new();
        let dl = DownloadOptions::new().part_size(4 << 20)?.concurrency(3)?;
        bucket.download("backups/db.dump", &mut back, &dl).await?;
        println!(
            "  S3       : multipart upload of {} MiB in {} parts; ranged download identical: {}",
            up.size >> 20,
            up.parts,
            back == data
        );
        let link = bucket
            .presign_get("orders/1.json", std::time::Duration::from_secs(60))
            .await?;
        println!(
            "  S3       : presigned GET {}...",
            &link.url[..link.url.find('?').unwrap_or(link.url.len())]
        );
        Ok::<(), Box<dyn std::error::Error>>(())
    })
}
