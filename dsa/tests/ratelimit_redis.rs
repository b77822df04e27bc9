//! The Redis GCRA against a real `redis-server` (feature `redis`).
//!
//! Server selection, loudly:
//! * `PILLARS_REDIS_URL` set (CI): use that server (the server-down test
//!   and script-flush tests still start their own: one stops its server,
//!   the other empties its script cache);
//! * else, if `redis-server` is on `PATH`: start a private one on a free
//!   127.0.0.1 port (`--save '' --appendonly no`), stopped by its pid file
//!   when the test ends;
//! * else: print `SKIPPED` and pass, or fail where
//!   `PILLARS_REQUIRE_SERVERS=1` (as `.ci/run` sets).
#![cfg(feature = "redis")]

mod redis_server;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use pillars_dsa::ratelimit::redis::{FailMode, RedisGcra};
use pillars_dsa::ratelimit::{Error, Quota};
use redis_server::RedisServer;

/// Says why a test cannot run: a failure where `PILLARS_REQUIRE_SERVERS=1`
/// (CI), a printed `SKIPPED` line elsewhere.
fn skip(why: &str) {
    assert!(
        std::env::var_os("PILLARS_REQUIRE_SERVERS").is_none_or(|v| v != "1"),
        "PILLARS_REQUIRE_SERVERS=1 but {why}"
    );
    eprintln!("SKIPPED: {why}");
}

/// The server to test against, or `None` (after printing why) to skip.
fn shared_server() -> Option<(String, Option<RedisServer>)> {
    if let Ok(url) = std::env::var("PILLARS_REDIS_URL") {
        return Some((url, None));
    }
    match RedisServer::start() {
        Some(s) => Some((s.url.clone(), Some(s))),
        None => {
            skip(
                "no PILLARS_REDIS_URL and no `redis-server` on PATH \
                 (apt-get install -y redis-server)",
            );
            None
        }
    }
}

/// The response timeout of the tests' limiters while the server is up:
/// generous, since one slow answer on a loaded machine would count as a
/// failure (the default, 250 ms, is for services, not shared CI boxes).
const TIMEOUT: Duration = Duration::from_secs(5);

async fn connect(url: &str, q: Quota) -> RedisGcra {
    RedisGcra::connect_with_timeout(url, q, TIMEOUT)
        .await
        .expect("connect")
}

/// A server of `test`'s own (it stops, pauses or flushes it), or `None`
/// (after printing why) to skip.
fn private_server(test: &str) -> Option<RedisServer> {
    let server = RedisServer::start();
    if server.is_none() {
        skip(&format!(
            "{test} needs `redis-server` on PATH to start its own (apt-get install -y redis-server)"
        ));
    }
    server
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn unique(name: &str) -> String {
    format!("{name}-{}-{:?}", std::process::id(), Instant::now())
}

#[test]
fn basic_decisions_match_local_gcra() {
    let Some((url, _server)) = shared_server() else {
        return;
    };
    rt().block_on(async {
        let q = Quota::per_hour(3).expect("valid");
        let lim = connect(&url, q).await;
        let key = unique("basic");
        let d = lim.check(&key).await;
        assert!(d.is_allowed());
        assert_eq!(d.remaining(), 2);
        assert!(lim.check_n(&key, 2).await.expect("n <= burst").is_allowed());
        let d = lim.check(&key).await;
        assert!(!d.is_allowed());
        assert_eq!(d.remaining(), 0);
        // One cell every 20 minutes.
        assert!(d.retry_after() > Duration::from_secs(19 * 60));
        assert!(d.retry_after() <= Duration::from_secs(20 * 60));
        assert!(lim.check_n(&key, 4).await.is_err());
        // Zero cells: allowed, nothing written.
        assert!(
            lim.check_n(&unique("zero"), 0)
                .await
                .expect("ok")
                .is_allowed()
        );
        assert_eq!(lim.failures(), 0);
        // Pipelined: the same answers.
        let other = unique("many");
        let ds = lim
            .check_many(&[
                (other.as_str(), 2),
                (other.as_str(), 1),
                (other.as_str(), 1),
            ])
            .await
            .expect("ok");
        let allowed: Vec<bool> = ds.iter().map(|d| d.is_allowed()).collect();
        assert_eq!(allowed, [true, true, false]);
    });
}

#[test]
fn script_reloads_after_flush() {
    // A private server: `SCRIPT FLUSH` empties the script cache of every
    // client, and a limiter in another test retries a missing script once.
    let Some(server) = private_server("the script-flush test") else {
        return;
    };
    let url = server.url.clone();
    rt().block_on(async {
        let lim = connect(&url, Quota::per_second(100).expect("valid")).await;
        let client = redis::Client::open(url.as_str()).expect("url");
        let mut c = client
            .get_multiplexed_async_connection()
            .await
            .expect("conn");
        let _: () = redis::cmd("SCRIPT")
            .arg("FLUSH")
            .query_async(&mut c)
            .await
            .expect("flush");
        assert!(
            lim.try_check_n(&unique("flush"), 1)
                .await
                .expect("reloaded")
                .is_allowed()
        );
        let _: () = redis::cmd("SCRIPT")
            .arg("FLUSH")
            .query_async(&mut c)
            .await
            .expect("flush");
        let k = unique("flush-many");
        let ds = lim.check_many(&[(k.as_str(), 1)]).await.expect("ok");
        assert!(ds[0].is_allowed());
        assert_eq!(lim.failures(), 0);
    });
}

/// Two clients with their own connections (and threads and runtimes), as
/// two processes would be, share one quota: together they never get more
/// than burst + elapsed / T.
#[test]
fn two_clients_share_one_quota() {
    let Some((url, _server)) = shared_server() else {
        return;
    };
    let q = Quota::per_minute(60)
        .and_then(|q| q.with_burst(50))
        .expect("valid");
    let key = unique("shared");
    let start = Instant::now();
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let (url, key) = (url.clone(), key.clone());
            std::thread::spawn(move || {
                rt().block_on(async {
                    let lim = connect(&url, q).await.with_fail_mode(FailMode::Closed);
                    let mut allowed = 0_u64;
                    for i in 0..200 {
                        let d = if i % 2 == 0 {
                            lim.check(&key).await
                        } else {
                            lim.check_many(&[(key.as_str(), 1)]).await.expect("ok")[0]
                        };
                        allowed += u64::from(d.is_allowed());
                    }
                    assert_eq!(lim.failures(), 0);
                    allowed
                })
            })
        })
        .collect();
    let total: u64 = hs.into_iter().map(|h| h.join().expect("no panic")).sum();
    let refilled = start.elapsed().as_secs() + 1; // one per second
    assert!(total >= 50, "the burst is shared, not lost: {total}");
    assert!(total <= 50 + refilled, "{total} > burst 50 + {refilled}");
}

/// Two OS processes (this test binary run twice more, as children) share one
/// quota through the server: together they get the burst plus what refilled,
/// never more.
#[test]
fn two_processes_share_one_quota() {
    let Some((url, _server)) = shared_server() else {
        return;
    };
    let key = unique("processes");
    let exe = std::env::current_exe().expect("test binary path");
    let start = Instant::now();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(&exe)
                .args([
                    "--ignored",
                    "--exact",
                    "child_process_checks",
                    "--nocapture",
                ])
                .args(["--test-threads", "1"])
                .env("PILLARS_RL_CHILD_URL", &url)
                .env("PILLARS_RL_CHILD_KEY", &key)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("spawn the child process")
        })
        .collect();
    let mut total = 0_u64;
    for child in children {
        let out = child.wait_with_output().expect("child output");
        assert!(out.status.success(), "child failed: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        let allowed = text
            .lines()
            .find_map(|l| l.split_once("child allowed=").map(|(_, n)| n))
            .and_then(|n| n.trim().parse::<u64>().ok())
            .unwrap_or_else(|| panic!("no count in the child's output: {text}"));
        total += allowed;
    }
    let refilled = start.elapsed().as_secs() + 1; // one per second
    assert!(total >= 50, "the burst is shared, not lost: {total}");
    assert!(total <= 50 + refilled, "{total} > burst 50 + {refilled}");
}

/// The child side of [`two_processes_share_one_quota`]: 200 checks on the
/// shared key, prints how many were allowed. Run only by that test.
#[test]
#[ignore = "the child process of two_processes_share_one_quota"]
fn child_process_checks() {
    let url = std::env::var("PILLARS_RL_CHILD_URL").expect("run by two_processes_share_one_quota");
    let key = std::env::var("PILLARS_RL_CHILD_KEY").expect("run by two_processes_share_one_quota");
    let q = Quota::per_minute(60)
        .and_then(|q| q.with_burst(50))
        .expect("valid");
    let allowed = rt().block_on(async {
        let lim = connect(&url, q).await.with_fail_mode(FailMode::Closed);
        let mut allowed = 0_u64;
        for _ in 0..200 {
            allowed += u64::from(lim.check(&key).await.is_allowed());
        }
        assert_eq!(lim.failures(), 0);
        allowed
    });
    println!("child allowed={allowed}");
}

/// Fail open and fail closed when the server is stopped; the breaker's fast
/// answers, and every check asking Redis with the breaker off.
#[test]
fn server_down_follows_fail_mode() {
    let Some(server) = private_server("the server-down test") else {
        return;
    };
    rt().block_on(async {
        let q = Quota::per_hour(1).expect("valid");
        // Long enough for a loaded machine while the server is up, short
        // enough not to drag out the checks once it is down.
        let timeout = Duration::from_secs(1);
        let open = RedisGcra::connect_with_timeout(&server.url, q, timeout)
            .await
            .expect("connect")
            .with_probe_interval(Duration::from_secs(3600));
        let unguarded = RedisGcra::connect_with_timeout(&server.url, q, timeout)
            .await
            .expect("connect")
            .with_probe_interval(Duration::ZERO);
        let closed = RedisGcra::connect_with_timeout(&server.url, q, timeout)
            .await
            .expect("connect")
            .with_fail_mode(FailMode::Closed)
            .with_closed_retry_after(Duration::from_secs(2));
        assert!(open.check("down-a").await.is_allowed());
        assert!(!open.check("down-a").await.is_allowed());
        server.stop();
        // Open: allowed even though the quota is spent; counted as failure.
        let d = open.check("down-a").await;
        assert!(d.is_allowed());
        assert!(open.failures() >= 1);
        // Redis failed moments ago: it is not asked again before the next
        // probe (an hour away here), for this limiter and its clones.
        match open.clone().try_check_n("down-a", 1).await {
            Err(Error::Unavailable { retry_in }) => {
                assert!(retry_in > Duration::from_secs(3000), "{retry_in:?}");
            }
            other => panic!("expected Unavailable, got {other:?}"),
        }
        let before = open.failures();
        assert!(open.check("down-a").await.is_allowed());
        assert!(
            open.check_many(&[("p", 1), ("q", 1)])
                .await
                .expect("valid n")[1]
                .is_allowed()
        );
        assert_eq!(
            open.failures(),
            before + 2,
            "fast answers count as failures"
        );
        // Without the breaker every check asks Redis, and fails for itself.
        for _ in 0..2 {
            let e = unguarded.try_check_n("down-c", 1).await.unwrap_err();
            assert!(!matches!(e, Error::Unavailable { .. }), "{e}");
        }
        // Closed: denied with the configured retry-after.
        let d = closed.check("down-b").await;
        assert!(!d.is_allowed());
        assert_eq!(d.retry_after(), Duration::from_secs(2));
        let ds = closed
            .check_many(&[("x", 1), ("y", 1)])
            .await
            .expect("valid n");
        assert!(ds.iter().all(|d| !d.is_allowed()));
    });
}

/// Redis stops answering writes (`CLIENT PAUSE … WRITE`, Redis 6.2+): two
/// checks time out, which opens the breaker; once Redis answers again, a
/// probe closes it.
#[test]
fn a_probe_brings_the_limiter_back() {
    // A private server: the pause would stall every other test's client.
    let Some(server) = private_server("the probe test") else {
        return;
    };
    rt().block_on(async {
        let lim = RedisGcra::connect_with_timeout(
            &server.url,
            Quota::per_hour(100).expect("valid"),
            Duration::from_secs(1),
        )
        .await
        .expect("connect")
        .with_probe_interval(Duration::from_millis(20));
        assert!(lim.try_check_n("probe", 1).await.is_ok());
        let client = redis::Client::open(server.url.as_str()).expect("url");
        let mut admin = client
            .get_multiplexed_async_connection()
            .await
            .expect("conn");
        let pause = |on: bool| {
            let mut cmd = redis::cmd("CLIENT");
            if on {
                cmd.arg("PAUSE").arg(600_000).arg("WRITE");
            } else {
                cmd.arg("UNPAUSE");
            }
            cmd
        };
        if let Err(e) = pause(true).query_async::<()>(&mut admin).await {
            skip(&format!("CLIENT PAUSE WRITE needs Redis 6.2 or later: {e}"));
            return;
        }
        for _ in 0..2 {
            let e = lim.try_check_n("probe", 1).await.unwrap_err();
            let timed_out = match &e {
                Error::Timeout(_) => true,
                Error::Redis(r) => r.is_timeout(),
                _ => false,
            };
            assert!(timed_out, "{e}");
        }
        let _: () = pause(false).query_async(&mut admin).await.expect("unpause");
        let mut back = false;
        for _ in 0..1000 {
            if lim.try_check_n("probe", 0).await.is_ok() {
                back = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(back, "no probe got through after the pause ended");
        assert!(
            lim.try_check_n("probe", 1)
                .await
                .expect("closed")
                .is_allowed()
        );
    });
}

#[test]
fn connect_to_nothing_is_an_error() {
    rt().block_on(async {
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let r = RedisGcra::connect_with_timeout(
            &format!("redis://127.0.0.1:{port}/"),
            Quota::per_second(1).expect("valid"),
            Duration::from_millis(100),
        )
        .await;
        assert!(r.is_err());
        assert!(
            RedisGcra::connect("not a url", Quota::per_second(1).expect("valid"))
                .await
                .is_err()
        );
    });
}
