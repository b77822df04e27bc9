//! What `RedisGcra` costs a service while Redis is down: per-check latency
//! through two outages of a local `redis-server`, with the probe breaker on
//! (the default) and off, and how soon answers resume after each:
//!
//! * frozen (`SIGSTOP`): connections are accepted but nothing answers, as
//!   with a hung server or a lost network path: each check that asks waits
//!   for its timeout;
//! * stopped: connections are refused at once; then restarted on the same
//!   port.
//!
//! Needs `redis-server` on `PATH` (`apt-get install -y redis-server`):
//!
//! ```text
//! cargo run --release --features redis --example redis_outage
//! ```

#[path = "../dsa/tests/redis_server/mod.rs"]
mod redis_server;

use std::time::{Duration, Instant};

use pillars_dsa::ratelimit::Quota;
use pillars_dsa::ratelimit::redis::RedisGcra;
use redis_server::RedisServer;

/// Checks in a loop for `how_long`: (checks, worst latency).
async fn hammer(lim: &RedisGcra, how_long: Duration) -> (u64, Duration) {
    let start = Instant::now();
    let (mut n, mut worst) = (0_u64, Duration::ZERO);
    while start.elapsed() < how_long {
        let t = Instant::now();
        let _ = lim.check("outage").await;
        worst = worst.max(t.elapsed());
        n += 1;
        tokio::task::yield_now().await;
    }
    (n, worst)
}

/// Two seconds of checks on each limiter, printed.
async fn outage(what: &str, on: &RedisGcra, off: &RedisGcra) {
    println!("{what} (timeout {:?}):", RedisGcra::DEFAULT_TIMEOUT);
    for (name, lim) in [("breaker on (default)", on), ("breaker off", off)] {
        let before = lim.failures();
        let (n, worst) = hammer(lim, Duration::from_secs(2)).await;
        #[allow(clippy::cast_precision_loss)]
        let mean_us = 2e6 / n as f64;
        println!(
            "  {name}: {n} checks in 2 s, {mean_us:.3} µs mean, worst {worst:?}, failures {}",
            lim.failures() - before
        );
    }
}

/// How long until `lim` gets an answer from Redis again (10 s at most).
async fn answers_again(what: &str, lim: &RedisGcra) {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(10) {
        if lim.try_check_n("outage", 0).await.is_ok() {
            println!(
                "{what}: the default limiter answered again after {:?}",
                t.elapsed()
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    println!("{what}: no answer within 10 s");
}

fn main() {
    const NO_SERVER: &str = "cannot start redis-server (apt-get install -y redis-server)";
    let server = RedisServer::start().expect(NO_SERVER);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let q = Quota::per_second(1000).expect("valid");
        let on = RedisGcra::connect(&server.url, q).await.expect("connect");
        let off = RedisGcra::connect(&server.url, q)
            .await
            .expect("connect")
            .with_probe_interval(Duration::ZERO);
        let t = Instant::now();
        let _ = on.check("up").await;
        println!("Redis up: one check {:?}", t.elapsed());

        server.signal("-STOP");
        outage("Redis frozen", &on, &off).await;
        server.signal("-CONT");
        answers_again("Redis thawed", &on).await;

        server.stop();
        outage("Redis stopped", &on, &off).await;
        let _restarted = RedisServer::start_on(server.port).expect(NO_SERVER);
        answers_again("Redis restarted", &on).await;
    });
}
