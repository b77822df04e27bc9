//! Rate limiting: local limiters on one atomic word, keyed limiters with
//! bounded memory, pacing, concurrency limits (fixed and adaptive), a
//! Redis-backed distributed GCRA, and the HTTP header values to report them.
//!
//! ```
//! use pillars_dsa::ratelimit::{headers, Gcra, KeyedLimiter, Quota};
//!
//! // 100 requests per minute per client, bursts of 10.
//! let quota = Quota::per_minute(100)?.with_burst(10)?;
//! let per_client: KeyedLimiter<String> = KeyedLimiter::new(quota);
//! let d = per_client.check("10.0.0.7");
//! assert!(d.is_allowed());
//! assert_eq!(d.remaining(), 9);
//! // The IETF RateLimit fields for the response.
//! assert_eq!(headers::rate_limit_policy("default", &quota)?, r#""default";q=100;w=60"#);
//! assert_eq!(headers::rate_limit("default", &d)?, r#""default";r=9;t=1"#);
//!
//! // A process-wide limit on one atomic word.
//! let global = Gcra::new(Quota::per_second(1000)?);
//! assert!(global.check_n(10)?.is_allowed());
//! # Ok::<(), pillars_dsa::ratelimit::Error>(())
//! ```
//!
//! | type | algorithm | state | when to use |
//! | --- | --- | --- | --- |
//! | [`Gcra`] | generic cell rate (ATM Forum; `governor`, `redis-cell`) | one `AtomicU64`, CAS | the default: smooth rate plus burst, exact at the edges |
//! | [`TokenBucket`] | token bucket refilled `rate` at a time each period | one `AtomicU64`, CAS | quotas topped up in steps (`ratelimit` crate, Envoy local) |
//! | [`FixedWindow`] | counter per clock-aligned window | one `AtomicU64`, CAS | cheapest; allows 2× at window edges |
//! | [`SlidingWindow`] | Cloudflare's weighted two-window estimate | 3 words, short lock | per-window quotas without the edge burst |
//! | [`SlidingLog`] | exact log of the last window (bounded) | `limit` timestamps, lock | small exact limits (logins) |
//! | [`Pacer`] | even spacing with slack (`uber-go/ratelimit`) | one `AtomicU64`, CAS | outgoing calls: `wait()`, `until_ready().await` |
//! | [`KeyedLimiter`] | a GCRA per key on `DashMap` | 8 bytes + key per active key, capped | per client / tenant / route |
//! | [`concurrency`] | fixed permits; AIMD; Gradient2 (Netflix) | atomics (+ a lock per sample) | how many at once, adapting to latency |
//! | `redis::RedisGcra` (feature `redis`) | GCRA in one Lua script, server time | one Redis key per active key | a quota shared by many processes |
//!
//! Every limiter returns the same [`Decision`] (allowed, remaining, reset
//! after, retry after), reads time through a [`Clock`] ([`MonotonicClock`]
//! by default, [`ManualClock`] in tests) and validates its input: a zero
//! rate, burst or period, `n` above the burst, or a size that would
//! overflow is an [`Error`]; a clock going backwards only makes a limiter
//! stricter. `check_n(n)` is all-or-nothing everywhere.
//!
//! Correctness: model-based proptests on a manual clock (never more than
//! `burst + rate × t` in any span `t`; exact agreement with a textbook
//! leaky bucket), a threads test that no allowed cell is lost to a race,
//! loom models of the CAS loops (`tests/loom_ratelimit.rs`), a fuzz target,
//! and the Redis limiter tested against a real server with two clients and
//! with the server stopped.

// Also under loom without `redis` (whose tokio has no `net` there), so that
// its loom model runs.
#[cfg(any(feature = "redis", loom))]
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
mod breaker;
pub mod concurrency;
pub mod decision;
pub mod error;
mod fastdiv;
pub mod gcra;
pub mod headers;
pub mod keyed;
pub mod pacer;
pub mod quota;
#[cfg(feature = "redis")]
pub mod redis;
pub mod sliding_log;
mod sync;
pub mod token_bucket;
pub mod window;

pub use crate::clock::{Clock, ManualClock, MonotonicClock};
pub use decision::Decision;
pub use error::{Error, Result};
pub use gcra::Gcra;
pub use keyed::KeyedLimiter;
pub use pacer::Pacer;
pub use quota::Quota;
pub use sliding_log::SlidingLog;
pub use token_bucket::TokenBucket;
pub use window::{FixedWindow, SlidingWindow};
