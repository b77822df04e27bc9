//! Resumable full-table scans over the token ring, and keyset pagination.
//!
//! A job that reads a whole table splits the Murmur3 token ring into many
//! [`TokenRange`]s ([`plan_ranges`]), scans them concurrently with a bounded
//! number in flight ([`scan`]), and records each page in a
//! [`ScanCheckpoint`] that it can persist (serde) and resume from.
//!
//! ```
//! use pillars_storage::cassandra::scan::{plan_ranges, ScanCheckpoint, TokenRange};
//! let ranges = plan_ranges(4);
//! assert_eq!(ranges.len(), 4);
//! assert_eq!(ranges[0].start, i64::MIN);
//! assert_eq!(ranges[3].end, i64::MAX);
//! assert!(ranges.windows(2).all(|w| w[0].end == w[1].start)); // no gap, no overlap
//!
//! let mut cp = ScanCheckpoint::new(4);
//! cp.record(0, Some(b"state-after-page-1"));
//! cp.record(1, None); // range 1 finished
//! let json = serde_json::to_string(&cp).unwrap();
//! let back: ScanCheckpoint = serde_json::from_str(&json).unwrap();
//! assert_eq!(back, cp);
//! assert_eq!(back.remaining().count(), 3);
//! ```
//!
//! # Delivery
//!
//! At least once per page: record a page in the checkpoint after handling its
//! rows; a resumed scan re-reads from the last recorded paging state of each
//! range, so a page handled but not recorded is delivered again.
//!
//! # What was verified where
//!
//! Range planning, the checkpoint and the CQL text are tested on their own.
//! The in-process `kassandra` server used by the tests parses `token()`
//! restrictions but drops them: the prepared statement reports no bind
//! markers and every range would return the whole table. It also ignores
//! clustering-range restrictions (`ck > ?`) and rejects `LIMIT` together with
//! `WHERE`. So the scan machinery (paging per range, concurrency, checkpoint,
//! resume from JSON) was run against it through [`scan_with`] with a
//! statement without `token()` and a single full-ring range
//! (`tests/cassandra_scan.rs`), and keyset pagination only as CQL text. Check a
//! multi-range [`scan`] and keyset paging against a real Cassandra or
//! `ScyllaDB` cluster before relying on them.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::{Stream, StreamExt};
use scylla::client::session::Session;
use scylla::deserialize::row::DeserializeRow;
use scylla::response::{PagingState, PagingStateResponse};
use scylla::serialize::row::SerializeRow;
use scylla::statement::prepared::PreparedStatement;
use serde::{Deserialize, Serialize};
use tracing::Instrument as _;

use super::error::{Error, Result};
use super::paginator::rows_of;

/// A range of the Murmur3 token ring: tokens `t` with `start < t <= end`.
///
/// The partitioner never produces `i64::MIN`, so ranges starting at
/// `i64::MIN` miss no key.
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::scan::TokenRange;
/// let r = TokenRange { start: -10, end: 10 };
/// assert!(r.contains(10) && !r.contains(-10));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRange {
    /// Exclusive lower bound.
    pub start: i64,
    /// Inclusive upper bound.
    pub end: i64,
}

impl TokenRange {
    /// The whole ring.
    pub const FULL: Self = Self {
        start: i64::MIN,
        end: i64::MAX,
    };

    /// Whether `token` falls in this range.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::scan::TokenRange;
    /// assert!(TokenRange::FULL.contains(0));
    /// ```
    #[must_use]
    pub fn contains(&self, token: i64) -> bool {
        self.start < token && token <= self.end
    }
}

/// Splits the whole ring into `n` (at least 1) contiguous ranges of near
/// equal width, in token order.
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::scan::{plan_ranges, TokenRange};
/// assert_eq!(plan_ranges(1), vec![TokenRange::FULL]);
/// assert_eq!(plan_ranges(0).len(), 1);
/// ```
#[must_use]
pub fn plan_ranges(n: usize) -> Vec<TokenRange> {
    let n = i128::try_from(n.max(1)).unwrap_or(i128::MAX).min(1 << 40);
    let lo = i128::from(i64::MIN);
    let width = i128::from(i64::MAX) - lo;
    let bound = |i: i128| -> i64 {
        let b = lo + width * i / n;
        // `b` lies in [i64::MIN, i64::MAX] by construction.
        i64::try_from(b).unwrap_or(i64::MAX)
    };
    (0..n)
        .map(|i| TokenRange {
            start: bound(i),
            end: bound(i + 1),
        })
        .collect()
}

/// Where one range of a scan stands.
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::scan::RangeProgress;
/// assert!(!RangeProgress::Pending.is_done());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RangeProgress {
    /// Not started.
    Pending,
    /// Started; resume from this paging state (base64url).
    Paging {
        /// The driver's raw paging state, base64url without padding.
        paging_state: String,
    },
    /// Every page read.
    Done,
}

impl RangeProgress {
    /// Whether the range is finished.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::scan::RangeProgress;
    /// assert!(RangeProgress::Done.is_done());
    /// ```
    #[must_use]
    pub fn is_done(&self) -> bool {
        matches!(self, Self::Done)
    }

    fn after_page(next: Option<&[u8]>) -> Self {
        match next {
            Some(state) => Self::Paging {
                paging_state: URL_SAFE_NO_PAD.encode(state),
            },
            None => Self::Done,
        }
    }

    fn paging_state(&self) -> Result<PagingState> {
        match self {
            Self::Pending | Self::Done => Ok(PagingState::start()),
            Self::Paging { paging_state } => URL_SAFE_NO_PAD
                .decode(paging_state)
                .map(PagingState::new_from_raw_bytes)
                .map_err(|_| Error::Checkpoint("paging state is not base64url")),
        }
    }
}

/// The persisted state of a scan: each range and how far it got.
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::scan::ScanCheckpoint;
/// let mut cp = ScanCheckpoint::new(2);
/// cp.record(0, None);
/// cp.record(1, None);
/// assert!(cp.is_complete());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanCheckpoint {
    /// Every range of the plan with its progress, in token order.
    pub ranges: Vec<(TokenRange, RangeProgress)>,
}

impl ScanCheckpoint {
    /// A fresh checkpoint over [`plan_ranges(n)`](plan_ranges).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::scan::ScanCheckpoint;
    /// assert_eq!(ScanCheckpoint::new(8).remaining().count(), 8);
    /// ```
    #[must_use]
    pub fn new(n: usize) -> Self {
        Self {
            ranges: plan_ranges(n)
                .into_iter()
                .map(|r| (r, RangeProgress::Pending))
                .collect(),
        }
    }

    /// Records that range `index` read a page; `next` is the paging state
    /// after it, `None` when the range is finished. Unknown indexes are
    /// ignored; a finished range stays finished.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::scan::{RangeProgress, ScanCheckpoint};
    /// let mut cp = ScanCheckpoint::new(1);
    /// cp.record(0, Some(&[1, 2, 3]));
    /// assert!(matches!(cp.ranges[0].1, RangeProgress::Paging { .. }));
    /// ```
    pub fn record(&mut self, index: usize, next: Option<&[u8]>) {
        self.apply(index, RangeProgress::after_page(next));
    }

    /// Records a [`ScanPage`]'s progress.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::scan::{RangeProgress, ScanCheckpoint};
    /// let mut cp = ScanCheckpoint::new(2);
    /// cp.apply(1, RangeProgress::Done);
    /// assert_eq!(cp.remaining().count(), 1);
    /// ```
    pub fn apply(&mut self, index: usize, progress: RangeProgress) {
        if let Some((_, p)) = self.ranges.get_mut(index)
            && !p.is_done()
        {
            *p = progress;
        }
    }

    /// The ranges still to read: `(index, range, progress)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::scan::ScanCheckpoint;
    /// let mut cp = ScanCheckpoint::new(3);
    /// cp.record(1, None);
    /// let left: Vec<usize> = cp.remaining().map(|(i, _, _)| i).collect();
    /// assert_eq!(left, vec![0, 2]);
    /// ```
    pub fn remaining(&self) -> impl Iterator<Item = (usize, TokenRange, &RangeProgress)> {
        self.ranges
            .iter()
            .enumerate()
            .filter(|(_, (_, p))| !p.is_done())
            .map(|(i, (r, p))| (i, *r, p))
    }

    /// Whether every range is finished.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::scan::ScanCheckpoint;
    /// assert!(!ScanCheckpoint::new(1).is_complete());
    /// ```
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.ranges.iter().all(|(_, p)| p.is_done())
    }
}

/// One page read by a [`scan`]: its rows and the progress to record after
/// handling them.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanPage<T> {
    /// Which range of the checkpoint this page belongs to.
    pub range_index: usize,
    /// The range itself.
    pub range: TokenRange,
    /// The rows (may be empty on a range's last page).
    pub rows: Vec<T>,
    /// Give to [`ScanCheckpoint::apply`] once the rows are handled.
    pub progress: RangeProgress,
}

/// The scan statement for `table` with partition key columns `partition_key`:
/// `SELECT {columns} FROM {table} WHERE token({pk}) > ? AND token({pk}) <= ?`.
///
/// # Errors
///
/// [`Error::Identifier`] when a name is not a plain CQL identifier
/// (letters, digits, `_`, one `.` in the table name).
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::scan::scan_cql;
/// assert_eq!(
///     scan_cql("ks.events", &["id", "ts", "body"], &["id"])?,
///     "SELECT id, ts, body FROM ks.events WHERE token(id) > ? AND token(id) <= ?"
/// );
/// assert!(scan_cql("ks.t; DROP TABLE x", &["a"], &["a"]).is_err());
/// # Ok::<(), pillars_storage::cassandra::Error>(())
/// ```
pub fn scan_cql(table: &str, columns: &[&str], partition_key: &[&str]) -> Result<String> {
    check_table(table)?;
    let cols = join_idents(columns)?;
    let pk = join_idents(partition_key)?;
    Ok(format!(
        "SELECT {cols} FROM {table} WHERE token({pk}) > ? AND token({pk}) <= ?"
    ))
}

/// Scans every remaining range of `checkpoint` with `stmt` (made from
/// [`scan_cql`]: two `bigint` markers, the range bounds), at most
/// `concurrency` ranges at a time, `page_size` rows per page.
///
/// Pages of one range come in order; pages of different ranges interleave.
/// A range in progress resumes from its recorded paging state. Every range's
/// last page has `RangeProgress::Done`.
///
/// # Errors
///
/// Each failed page is an `Err` item ([`Error::Execution`], [`Error::Rows`],
/// [`Error::Checkpoint`]); that range stops, others go on. Resume from the
/// checkpoint.
///
/// # Examples
///
/// ```no_run
/// use futures::StreamExt;
/// use pillars_storage::cassandra::scan::{scan, scan_cql, ScanCheckpoint};
/// # async fn f(session: std::sync::Arc<scylla::client::session::Session>) -> Result<(), pillars_storage::cassandra::Error> {
/// let stmt = session.prepare(scan_cql("ks.events", &["id", "body"], &["id"])?).await.expect("prepare");
/// let mut checkpoint = ScanCheckpoint::new(64);
/// let mut pages = scan::<(i64, String)>(session.clone(), &stmt, &checkpoint, 1000, 8);
/// while let Some(page) = pages.next().await {
///     let page = page?;
///     // ... handle page.rows, then:
///     checkpoint.apply(page.range_index, page.progress);
/// }
/// # Ok(()) }
/// ```
pub fn scan<T>(
    session: Arc<Session>,
    stmt: &PreparedStatement,
    checkpoint: &ScanCheckpoint,
    page_size: u32,
    concurrency: usize,
) -> impl Stream<Item = Result<ScanPage<T>>> + Send + 'static
where
    T: for<'f, 'm> DeserializeRow<'f, 'm> + Send + 'static,
{
    scan_with(
        session,
        stmt,
        checkpoint,
        page_size,
        concurrency,
        |r: TokenRange| (r.start, r.end),
    )
}

/// [`scan`] with the bound values of each range made by `bind`: for
/// statements with more markers than the two range bounds (e.g. a tenant
/// column after them), or none at all.
///
/// # Errors
///
/// As [`scan`].
///
/// # Examples
///
/// ```no_run
/// use pillars_storage::cassandra::scan::{scan_with, ScanCheckpoint, TokenRange};
/// # async fn f(session: std::sync::Arc<scylla::client::session::Session>,
/// #            stmt: scylla::statement::prepared::PreparedStatement) {
/// // SELECT ... WHERE token(id) > ? AND token(id) <= ? AND tenant = ? ALLOW FILTERING
/// let pages = scan_with::<(i64,), _, _>(session, &stmt, &ScanCheckpoint::new(16), 500, 4,
///     |r: TokenRange| (r.start, r.end, "acme".to_string()));
/// # let _ = pages; }
/// ```
pub fn scan_with<T, V, F>(
    session: Arc<Session>,
    stmt: &PreparedStatement,
    checkpoint: &ScanCheckpoint,
    page_size: u32,
    concurrency: usize,
    bind: F,
) -> impl Stream<Item = Result<ScanPage<T>>> + Send + 'static
where
    T: for<'f, 'm> DeserializeRow<'f, 'm> + Send + 'static,
    V: SerializeRow + Send + Sync + 'static,
    F: Fn(TokenRange) -> V + Send + Sync + 'static,
{
    let mut stmt = stmt.clone();
    stmt.set_page_size(i32::try_from(page_size.max(1)).unwrap_or(i32::MAX));
    let work: Vec<(usize, TokenRange, RangeProgress)> = checkpoint
        .remaining()
        .map(|(i, r, p)| (i, r, p.clone()))
        .collect();
    futures::stream::iter(work)
        .map(move |(index, range, progress)| {
            let values = Arc::new(bind(range));
            Box::pin(range_pages::<T, V>(
                Arc::clone(&session),
                stmt.clone(),
                values,
                index,
                range,
                &progress,
            ))
        })
        .flatten_unordered(concurrency.max(1))
}

fn range_pages<T, V>(
    session: Arc<Session>,
    stmt: PreparedStatement,
    values: Arc<V>,
    index: usize,
    range: TokenRange,
    progress: &RangeProgress,
) -> impl Stream<Item = Result<ScanPage<T>>> + Send + 'static + use<T, V>
where
    T: for<'f, 'm> DeserializeRow<'f, 'm> + Send + 'static,
    V: SerializeRow + Send + Sync + 'static,
{
    let start = progress.paging_state().map(Some);
    let span = tracing::debug_span!(
        "cassandra.scan_range",
        index,
        start = range.start,
        end = range.end
    );
    futures::stream::unfold(start, move |state| {
        let span = span.clone();
        let session = Arc::clone(&session);
        let stmt = stmt.clone();
        let values = Arc::clone(&values);
        async move {
            let state = match state {
                Ok(Some(s)) => s,
                Ok(None) => return None,
                Err(e) => return Some((Err(e), Ok(None))),
            };
            let page = async {
                let (result, paging) = session.execute_single_page(&stmt, &*values, state).await?;
                Ok::<_, Error>((rows_of::<T>(result)?, paging))
            }
            .instrument(span)
            .await;
            match page {
                Err(e) => Some((Err(e), Ok(None))),
                Ok((rows, paging)) => {
                    let (progress, next) = match paging {
                        PagingStateResponse::NoMorePages => (RangeProgress::Done, None),
                        PagingStateResponse::HasMorePages { state } => (
                            RangeProgress::after_page(state.as_bytes_slice().map(|b| &b[..])),
                            Some(state),
                        ),
                    };
                    let page = ScanPage {
                        range_index: index,
                        range,
                        rows,
                        progress,
                    };
                    Some((Ok(page), Ok(next)))
                }
            }
        }
    })
}

/// The two statements of keyset pagination over one partition, the
/// version-proof alternative to paging state: the first page
/// (`WHERE pk = ? LIMIT ?`) and every next page (`WHERE pk = ? AND ck > ?
/// LIMIT ?`, bound to the last clustering key seen).
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::scan::Keyset;
/// let k = Keyset::new("shop.orders", &["customer", "ts", "total"], &["customer"], "ts")?;
/// assert_eq!(k.first_page, "SELECT customer, ts, total FROM shop.orders WHERE customer = ? LIMIT ?");
/// assert_eq!(k.next_page, "SELECT customer, ts, total FROM shop.orders WHERE customer = ? AND ts > ? LIMIT ?");
/// # Ok::<(), pillars_storage::cassandra::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyset {
    /// Bind `(pk..., limit)`.
    pub first_page: String,
    /// Bind `(pk..., last_ck, limit)`.
    pub next_page: String,
}

impl Keyset {
    /// Builds the keyset statements.
    ///
    /// # Errors
    ///
    /// [`Error::Identifier`] when a name is not a plain CQL identifier.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::scan::Keyset;
    /// assert!(Keyset::new("t", &["a"], &["a"], "b c").is_err());
    /// ```
    pub fn new(
        table: &str,
        columns: &[&str],
        partition_key: &[&str],
        clustering: &str,
    ) -> Result<Self> {
        check_table(table)?;
        let cols = join_idents(columns)?;
        check_ident(clustering)?;
        if partition_key.is_empty() {
            return Err(Error::Identifier(String::new()));
        }
        let mut pk = Vec::with_capacity(partition_key.len());
        for c in partition_key {
            check_ident(c)?;
            pk.push(format!("{c} = ?"));
        }
        let pk = pk.join(" AND ");
        Ok(Self {
            first_page: format!("SELECT {cols} FROM {table} WHERE {pk} LIMIT ?"),
            next_page: format!(
                "SELECT {cols} FROM {table} WHERE {pk} AND {clustering} > ? LIMIT ?"
            ),
        })
    }
}

fn check_ident(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 48
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    if ok {
        Ok(())
    } else {
        Err(Error::Identifier(name.chars().take(64).collect()))
    }
}

fn check_table(table: &str) -> Result<()> {
    let mut parts = table.splitn(2, '.');
    let first = parts.next().unwrap_or_default();
    check_ident(first).map_err(|_| Error::Identifier(table.chars().take(64).collect()))?;
    if let Some(second) = parts.next() {
        check_ident(second).map_err(|_| Error::Identifier(table.chars().take(64).collect()))?;
    }
    Ok(())
}

fn join_idents(names: &[&str]) -> Result<String> {
    if names.is_empty() {
        return Err(Error::Identifier(String::new()));
    }
    for n in names {
        check_ident(n)?;
    }
    Ok(names.join(", "))
}
