//! [`RedisGcra`]: GCRA shared by every process through Redis (feature
//! `redis`).
//!
//! One Lua script per check does the whole GCRA step atomically on the
//! server (Redis runs a script without interleaving), so any number of
//! processes sharing a key share its quota exactly. Time is the **server's**
//! (`TIME`), so client clocks may disagree freely. The key holds the TAT in
//! microseconds and expires when the TAT passes — an absent key is a full
//! quota, so Redis memory is bounded by the keys active within one burst
//! window (the same insight as [`KeyedLimiter`](super::KeyedLimiter)).
//!
//! The script is sent by `EVALSHA` (its SHA1 only); on `NOSCRIPT` (a fresh
//! or flushed server) it is loaded and the call retried. [`RedisGcra::check_many`]
//! pipelines many checks into one round trip.
//!
//! # When Redis is down: fail open (default) or closed
//!
//! A check that cannot reach Redis within the timeout (connect and response,
//! 250 ms by default) is answered by the configured [`FailMode`]:
//!
//! * [`FailMode::Open`] (default): **allowed** — the rate limit is a
//!   protection, not a dependency; a Redis outage must not become an outage
//!   of the service (Envoy's global rate limit defaults the same way,
//!   `failure_mode_deny: false`). Pair it with a local [`Gcra`](super::Gcra)
//!   if an upper bound must hold even then.
//! * [`FailMode::Closed`]: **denied**, retry after
//!   [`RedisGcra::with_closed_retry_after`] (1 s by default) — for limits
//!   that guard money or abuse.
//!
//! Every such answer increments [`RedisGcra::failures`];
//! [`RedisGcra::try_check_n`] returns the error instead.
//!
//! An outage is not paid by every check. Once a connection fails (refused,
//! dropped) or [two checks in a row time out](RedisGcra::with_probe_interval),
//! checks are answered by the fail mode at once, without asking Redis, and
//! one check per probe interval (the timeout by default) asks it; the first
//! successful answer ends the outage. Only those probes wait: at once for a
//! refused connection, up to the timeout (twice over while reconnecting)
//! for a silent server. Measured with `examples/redis_outage.rs` (figures
//! in `benches/RESULTS.md`): against a frozen server a check takes 1–2 µs
//! on average (250 ms with the breaker off: the timeout), against a
//! stopped one under 1 µs (about 40 µs off: refused connects), and answers
//! resume within an interval of the server's return.
//!
//! # Examples
//!
//! ```no_run
//! use pillars_dsa::ratelimit::redis::{FailMode, RedisGcra};
//! use pillars_dsa::ratelimit::Quota;
//!
//! # #[allow(dead_code)]
//! # async fn demo() -> Result<(), pillars_dsa::ratelimit::Error> {
//! let lim = RedisGcra::connect("redis://127.0.0.1:6379", Quota::per_minute(100)?)
//!     .await?
//!     .with_fail_mode(FailMode::Closed);
//! let d = lim.check("user:42").await;
//! if !d.is_allowed() {
//!     println!("429, retry after {:?}", d.retry_after());
//! }
//! # Ok(())
//! # }
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{ErrorKind, Script};

use super::breaker::Breaker;
use super::decision::Decision;
use super::error::{Error, Result};
use super::gcra::validate_n;
use super::quota::Quota;

/// The GCRA step, in microseconds of server time. Returns
/// `{allowed, remaining, reset_us, retry_us}`.
const GCRA_LUA: &str = r"
if redis.replicate_commands then pcall(redis.replicate_commands) end
local emission = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat or tat < now then tat = now end
local new = tat + n * emission
local until_full = new - now
if until_full > window then
  local reset = tat - now
  return {0, math.floor((window - reset) / emission + 1e-9), math.ceil(reset), math.ceil(until_full - window)}
end
if n > 0 then
  redis.call('SET', KEYS[1], string.format('%.17g', new), 'PX', math.ceil(until_full / 1000) + 1)
end
return {1, math.floor((window - until_full) / emission + 1e-9), math.ceil(until_full), 0}
";

/// What a check answers when Redis cannot be asked.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ratelimit::redis::FailMode;
/// assert_eq!(FailMode::default(), FailMode::Open);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailMode {
    /// Allow (the default): an outage of Redis is not an outage of the service.
    #[default]
    Open,
    /// Deny, with a fixed retry-after.
    Closed,
}

/// A GCRA limiter whose state lives in Redis (see the [module docs](self)).
///
/// Cheap to clone (clones share the connection, the failure count and the
/// breaker's state; the probe interval is each handle's own).
///
/// # Examples
///
/// ```no_run
/// use pillars_dsa::ratelimit::{redis::RedisGcra, Quota};
/// # #[allow(dead_code)]
/// # async fn demo() -> Result<(), pillars_dsa::ratelimit::Error> {
/// let lim = RedisGcra::connect("redis://127.0.0.1/", Quota::per_second(10)?).await?;
/// assert!(lim.check("k").await.is_allowed());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisGcra {
    conn: ConnectionManager,
    script: Script,
    quota: Quota,
    emission_us: String,
    window_us: String,
    prefix: String,
    fail_mode: FailMode,
    closed_retry: Duration,
    timeout: Duration,
    probe_interval: Duration,
    breaker: std::sync::Arc<Breaker>,
    failures: std::sync::Arc<AtomicU64>,
}

impl std::fmt::Debug for RedisGcra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisGcra")
            .field("quota", &self.quota)
            .field("prefix", &self.prefix)
            .field("fail_mode", &self.fail_mode)
            .finish_non_exhaustive()
    }
}

impl RedisGcra {
    /// The default connect and response timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);

    /// Connects to `url` (`redis://host:port/db`) with the default timeout.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] for a bad URL or a server that cannot be reached now
    /// (at once when the connection is refused: there is one attempt).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use pillars_dsa::ratelimit::{redis::RedisGcra, Quota};
    /// # #[allow(dead_code)]
    /// # async fn demo() -> Result<(), pillars_dsa::ratelimit::Error> {
    /// let lim = RedisGcra::connect("redis://127.0.0.1/", Quota::per_second(10)?).await?;
    /// # let _ = lim; Ok(())
    /// # }
    /// ```
    pub async fn connect(url: &str, quota: Quota) -> Result<Self> {
        Self::connect_with_timeout(url, quota, Self::DEFAULT_TIMEOUT).await
    }

    /// Connects with `timeout` for connecting and for each response.
    ///
    /// # Errors
    ///
    /// As [`RedisGcra::connect`]; [`Error::Timeout`] when connecting takes
    /// longer.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use pillars_dsa::ratelimit::{redis::RedisGcra, Quota};
    /// use std::time::Duration;
    /// # #[allow(dead_code)]
    /// # async fn demo() -> Result<(), pillars_dsa::ratelimit::Error> {
    /// let lim = RedisGcra::connect_with_timeout(
    ///     "redis://127.0.0.1/", Quota::per_second(10)?, Duration::from_millis(50)).await?;
    /// # let _ = lim; Ok(())
    /// # }
    /// ```
    pub async fn connect_with_timeout(url: &str, quota: Quota, timeout: Duration) -> Result<Self> {
        let client = redis::Client::open(url).map_err(|e| Error::Redis(Box::new(e)))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(timeout)
            .set_response_timeout(timeout)
            // One attempt per reconnection: the breaker paces them (the
            // crate's backoff waits 1 s and more, and checks wait with it).
            .set_number_of_retries(0);
        let conn = tokio::time::timeout(
            timeout.saturating_mul(3),
            ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| Error::Timeout(timeout))?
        .map_err(|e| Error::Redis(Box::new(e)))?;
        #[allow(clippy::cast_precision_loss)] // µs as f64: exact below 2^53
        let us = |ns: u64| (ns as f64 / 1000.0).to_string();
        Ok(Self {
            conn,
            script: Script::new(GCRA_LUA),
            quota,
            emission_us: us(quota.emission_nanos()),
            window_us: us(quota.window_nanos()),
            prefix: "pillars:rl:".to_owned(),
            fail_mode: FailMode::Open,
            closed_retry: Duration::from_secs(1),
            timeout,
            probe_interval: timeout,
            breaker: std::sync::Arc::new(Breaker::new()),
            failures: std::sync::Arc::default(),
        })
    }

    /// Puts `prefix` before every key (default `pillars:rl:`).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use pillars_dsa::ratelimit::{redis::RedisGcra, Quota};
    /// # #[allow(dead_code)]
    /// # async fn demo() -> Result<(), pillars_dsa::ratelimit::Error> {
    /// let lim = RedisGcra::connect("redis://127.0.0.1/", Quota::per_second(10)?)
    ///     .await?
    ///     .with_prefix("svc-a:login:");
    /// # let _ = lim; Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// What to answer when Redis cannot be asked (default [`FailMode::Open`]).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use pillars_dsa::ratelimit::{redis::{FailMode, RedisGcra}, Quota};
    /// # #[allow(dead_code)]
    /// # async fn demo() -> Result<(), pillars_dsa::ratelimit::Error> {
    /// let lim = RedisGcra::connect("redis://127.0.0.1/", Quota::per_second(10)?)
    ///     .await?
    ///     .with_fail_mode(FailMode::Closed);
    /// # let _ = lim; Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn with_fail_mode(mut self, mode: FailMode) -> Self {
        self.fail_mode = mode;
        self
    }

    /// The retry-after of a [`FailMode::Closed`] denial (default 1 s).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use pillars_dsa::ratelimit::{redis::RedisGcra, Quota};
    /// # use std::time::Duration;
    /// # #[allow(dead_code)]
    /// # async fn demo() -> Result<(), pillars_dsa::ratelimit::Error> {
    /// let lim = RedisGcra::connect("redis://127.0.0.1/", Quota::per_second(10)?)
    ///     .await?
    ///     .with_closed_retry_after(Duration::from_secs(5));
    /// # let _ = lim; Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn with_closed_retry_after(mut self, retry: Duration) -> Self {
        self.closed_retry = retry;
        self
    }

    /// How often Redis is probed while it cannot be reached (default: the
    /// timeout). After a failed connection (refused, dropped) or two
    /// timeouts in a row, checks are answered by the fail mode at once,
    /// without asking Redis, and one check per interval asks it; the first
    /// successful answer ends this. Keep it at least the timeout: each probe
    /// of a silent server waits that long, and a shorter interval has
    /// several waiting at once.
    ///
    /// Zero turns the breaker off: every check of an outage then waits for
    /// its own failure, and each one starts a reconnection attempt — a fleet
    /// of such clients hammers a Redis that is coming back.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use pillars_dsa::ratelimit::{redis::RedisGcra, Quota};
    /// # use std::time::Duration;
    /// # #[allow(dead_code)]
    /// # async fn demo() -> Result<(), pillars_dsa::ratelimit::Error> {
    /// let lim = RedisGcra::connect("redis://127.0.0.1/", Quota::per_second(10)?)
    ///     .await?
    ///     .with_probe_interval(Duration::from_millis(100));
    /// # let _ = lim; Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn with_probe_interval(mut self, interval: Duration) -> Self {
        self.probe_interval = interval;
        self
    }

    /// Checks answered by the fail mode because Redis could not be asked.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use pillars_dsa::ratelimit::{redis::RedisGcra, Quota};
    /// # #[allow(dead_code)]
    /// # async fn demo() -> Result<(), pillars_dsa::ratelimit::Error> {
    /// let lim = RedisGcra::connect("redis://127.0.0.1/", Quota::per_second(10)?).await?;
    /// assert_eq!(lim.failures(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// The quota every key gets.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use pillars_dsa::ratelimit::{redis::RedisGcra, Quota};
    /// # #[allow(dead_code)]
    /// # async fn demo() -> Result<(), pillars_dsa::ratelimit::Error> {
    /// let lim = RedisGcra::connect("redis://127.0.0.1/", Quota::per_second(10)?).await?;
    /// assert_eq!(lim.quota().rate(), 10);
    /// # Ok(())
    /// # }
    /// ```
    pub const fn quota(&self) -> &Quota {
        &self.quota
    }

    /// Asks for one cell for `key`; a Redis failure is answered by the fail
    /// mode.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use pillars_dsa::ratelimit::{redis::RedisGcra, Quota};
    /// # #[allow(dead_code)]
    /// # async fn demo() -> Result<(), pillars_dsa::ratelimit::Error> {
    /// let lim = RedisGcra::connect("redis://127.0.0.1/", Quota::per_hour(1)?).await?;
    /// assert!(lim.check("once").await.is_allowed());
    /// assert!(!lim.check("once").await.is_allowed());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn check(&self, key: &str) -> Decision {
        match self.try_check_n(key, 1).await {
            Ok(d) => d,
            Err(_) => self.fail_decision(),
        }
    }

    /// Asks for `n` cells for `key`, all or nothing; a Redis failure is
    /// answered by the fail mode.
    ///
    /// # Errors
    ///
    /// Only [`Error::InsufficientCapacity`] (`n` above the burst).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use pillars_dsa::ratelimit::{redis::RedisGcra, Quota};
    /// # #[allow(dead_code)]
    /// # async fn demo() -> Result<(), pillars_dsa::ratelimit::Error> {
    /// let lim = RedisGcra::connect("redis://127.0.0.1/", Quota::per_hour(5)?).await?;
    /// assert!(lim.check_n("batch", 5).await?.is_allowed());
    /// assert!(lim.check_n("batch", 6).await.is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn check_n(&self, key: &str, n: u64) -> Result<Decision> {
        validate_n(&self.quota, n)?;
        match self.try_check_n(key, n).await {
            Ok(d) => Ok(d),
            Err(Error::InsufficientCapacity { n, burst }) => {
                Err(Error::InsufficientCapacity { n, burst })
            }
            Err(_) => Ok(self.fail_decision()),
        }
    }

    /// Asks for `n` cells for `key`, returning Redis errors instead of
    /// applying the fail mode.
    ///
    /// # Errors
    ///
    /// [`Error::InsufficientCapacity`], [`Error::Redis`], [`Error::Timeout`];
    /// [`Error::Unavailable`] while Redis is not asked (see
    /// [`with_probe_interval`](Self::with_probe_interval)).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use pillars_dsa::ratelimit::{redis::RedisGcra, Quota};
    /// # #[allow(dead_code)]
    /// # async fn demo() -> Result<(), pillars_dsa::ratelimit::Error> {
    /// let lim = RedisGcra::connect("redis://127.0.0.1/", Quota::per_hour(5)?).await?;
    /// let d = lim.try_check_n("k", 2).await?;
    /// assert_eq!(d.remaining(), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn try_check_n(&self, key: &str, n: u64) -> Result<Decision> {
        validate_n(&self.quota, n)?;
        let mut inv = self.script.prepare_invoke();
        inv.key(self.full_key(key))
            .arg(&self.emission_us)
            .arg(&self.window_us)
            .arg(n);
        let inv = &inv;
        let reply: (i64, i64, i64, i64) = self
            .guarded(|| async move {
                let mut conn = self.conn.clone();
                tokio::time::timeout(self.timeout.saturating_mul(2), inv.invoke_async(&mut conn))
                    .await
                    .map_err(|_| Error::Timeout(self.timeout))?
                    .map_err(|e| Error::Redis(Box::new(e)))
            })
            .await?;
        Ok(self.decision(reply))
    }

    /// Runs `call` unless the breaker is open (then fails at once), tells
    /// the breaker how it went, and counts a failure.
    ///
    /// A refused connection is asked once more: after a failed reconnection
    /// the connection answers at once with that old error (and starts a new
    /// attempt), and nothing was sent, so a second call costs no cell and
    /// reaches a server that is back.
    async fn guarded<T, F, Fut>(&self, call: F) -> Result<T>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let breaker = &self.breaker;
        if !breaker.admit(self.probe_interval) {
            let retry_in = breaker.retry_in(breaker.now());
            return Err(self.count_failure(Error::Unavailable { retry_in }));
        }
        let mut result = call().await;
        if matches!(&result, Err(Error::Redis(e)) if e.is_connection_refusal()) {
            result = call().await;
        }
        match &result {
            Ok(_) => breaker.succeeded(),
            Err(e) => {
                if let Some(f) = failure(e) {
                    let hard = f == Failure::Connection;
                    breaker.failed(breaker.now(), self.probe_interval, hard);
                }
            }
        }
        result.map_err(|e| self.count_failure(e))
    }

    /// Checks many `(key, n)` pairs in one pipelined round trip (one
    /// `EVALSHA` each, still atomic per key). A Redis failure is answered by
    /// the fail mode for every pair.
    ///
    /// # Errors
    ///
    /// [`Error::InsufficientCapacity`] if any `n` exceeds the burst (nothing
    /// is sent).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use pillars_dsa::ratelimit::{redis::RedisGcra, Quota};
    /// # #[allow(dead_code)]
    /// # async fn demo() -> Result<(), pillars_dsa::ratelimit::Error> {
    /// let lim = RedisGcra::connect("redis://127.0.0.1/", Quota::per_hour(5)?).await?;
    /// let ds = lim.check_many(&[("a", 1), ("b", 5), ("a", 1)]).await?;
    /// assert!(ds.iter().all(|d| d.is_allowed()));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn check_many(&self, requests: &[(&str, u64)]) -> Result<Vec<Decision>> {
        for &(_, n) in requests {
            validate_n(&self.quota, n)?;
        }
        match self.guarded(|| self.try_many(requests)).await {
            Ok(ds) => Ok(ds),
            Err(_) => Ok(vec![self.fail_decision(); requests.len()]),
        }
    }

    async fn try_many(&self, requests: &[(&str, u64)]) -> Result<Vec<Decision>> {
        let mut conn = self.conn.clone();
        let mut pipe = redis::pipe();
        for &(key, n) in requests {
            pipe.cmd("EVALSHA")
                .arg(self.script.get_hash())
                .arg(1)
                .arg(self.full_key(key))
                .arg(&self.emission_us)
                .arg(&self.window_us)
                .arg(n);
        }
        let limit = self.timeout.saturating_mul(2);
        let mut loaded = false;
        loop {
            let r: redis::RedisResult<Vec<(i64, i64, i64, i64)>> =
                tokio::time::timeout(limit, pipe.query_async(&mut conn))
                    .await
                    .map_err(|_| Error::Timeout(self.timeout))?;
            match r {
                Ok(replies) => return Ok(replies.into_iter().map(|r| self.decision(r)).collect()),
                Err(e) if e.kind() == ErrorKind::NoScriptError && !loaded => {
                    loaded = true;
                    tokio::time::timeout(limit, self.script.load_async(&mut conn))
                        .await
                        .map_err(|_| Error::Timeout(self.timeout))?
                        .map_err(|e| Error::Redis(Box::new(e)))?;
                }
                Err(e) => return Err(Error::Redis(Box::new(e))),
            }
        }
    }

    fn full_key(&self, key: &str) -> String {
        let mut k = String::with_capacity(self.prefix.len() + key.len());
        k.push_str(&self.prefix);
        k.push_str(key);
        k
    }

    fn count_failure(&self, e: Error) -> Error {
        self.failures.fetch_add(1, Ordering::Relaxed);
        e
    }

    fn fail_decision(&self) -> Decision {
        let burst = self.quota.burst();
        match self.fail_mode {
            FailMode::Open => Decision::new(true, burst, 0, Duration::ZERO, Duration::ZERO),
            FailMode::Closed => {
                Decision::new(false, burst, 0, self.closed_retry, self.closed_retry)
            }
        }
    }

    fn decision(&self, (allowed, remaining, reset_us, retry_us): (i64, i64, i64, i64)) -> Decision {
        let us = |v: i64| Duration::from_micros(u64::try_from(v).unwrap_or(0));
        Decision::new(
            allowed == 1,
            self.quota.burst(),
            u64::try_from(remaining).unwrap_or(0),
            us(reset_us),
            us(retry_us),
        )
    }
}

/// How a call failed for want of Redis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// No answer in time: opens the breaker only
    /// [`TIMEOUTS_TO_OPEN`](super::breaker::TIMEOUTS_TO_OPEN) times in a row.
    Timeout,
    /// No connection, a refused or a dropped one: opens it at once.
    Connection,
}

/// Whether `e` says Redis could not be asked, and how; `None` for an
/// answer that was an error (a script error, `LOADING`, `BUSY`, ...).
fn failure(e: &Error) -> Option<Failure> {
    match e {
        Error::Timeout(_) => Some(Failure::Timeout),
        Error::Redis(e) if e.is_timeout() => Some(Failure::Timeout),
        Error::Redis(e) if e.is_io_error() => Some(Failure::Connection),
        _ => None,
    }
}
