//! [`Paginator`]: one page of typed rows per call, with a signed cursor.
//!
//! An HTTP handler holds one `Paginator` (with the server's cursor key) and
//! calls [`Paginator::page`] with the client's `?cursor=` and `?limit=`:
//!
//! ```no_run
//! use pillars_storage::cassandra::{CursorCodec, CursorKey, Page, Paginator};
//! use scylla::client::session::Session;
//! use scylla::statement::prepared::PreparedStatement;
//!
//! # async fn handler(session: &Session, stmt: &PreparedStatement, paginator: &Paginator,
//! #                  customer: i32, limit: Option<u32>, cursor: Option<String>) -> (u16, String) {
//! // GET /customers/{customer}/orders?limit=..&cursor=..
//! let result: Result<Page<(i32, i64, String)>, _> = paginator
//!     .page(session, stmt, (customer,), limit, cursor.as_deref())
//!     .await;
//! match result {
//!     Ok(page) => (200, serde_json::to_string(&page).unwrap_or_default()),
//!     Err(e) if e.is_client_error() => (400, e.to_string()),
//!     Err(_) => (503, "try again".to_string()),
//! }
//! # }
//! # let paginator = Paginator::new(CursorCodec::new(CursorKey::new(1, [0u8; 32])));
//! ```
//!
//! Verified against the in-process `kassandra` server over TCP with the real
//! driver (`tests/cassandra_paginator.rs`): every page size from 1 to more than
//! the table, cursor reuse after inserts, server restart.

use std::sync::Arc;

use scylla::client::session::Session;
use scylla::deserialize::row::DeserializeRow;
use scylla::response::{PagingState, PagingStateResponse};
use scylla::serialize::row::{RowSerializationContext, SerializeRow};
use scylla::serialize::writers::RowWriter;
use scylla::statement::prepared::PreparedStatement;

use super::cursor::{CursorCodec, Fingerprint};
use super::error::{Error, Result};
use super::page::Page;

/// Default page size when the client asks for none.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// Default largest page a client may ask for.
pub const DEFAULT_MAX_PAGE_SIZE: u32 = 1000;
/// Default number of round trips spent skipping empty pages for one call.
pub const DEFAULT_MAX_ROUND_TRIPS: usize = 32;

/// Reads one page per call and hands out signed, query-bound cursors.
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::{CursorCodec, CursorKey, Paginator};
/// let p = Paginator::new(CursorCodec::new(CursorKey::new(1, [9u8; 32])))
///     .with_max_page_size(200);
/// assert_eq!(p.clamp_page_size(Some(5000)), 200);
/// assert_eq!(p.clamp_page_size(Some(0)), 1);
/// assert_eq!(p.clamp_page_size(None), 50);
/// ```
#[derive(Debug, Clone)]
pub struct Paginator {
    codec: Arc<CursorCodec>,
    default_page_size: u32,
    max_page_size: u32,
    max_round_trips: usize,
}

impl Paginator {
    /// A paginator with the default page sizes (50, at most 1000) and empty
    /// page budget (32 round trips).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::{CursorCodec, CursorKey, Paginator};
    /// let p = Paginator::new(CursorCodec::new(CursorKey::new(1, [9u8; 32])));
    /// assert_eq!(p.clamp_page_size(Some(10)), 10);
    /// ```
    #[must_use]
    pub fn new(codec: CursorCodec) -> Self {
        Self {
            codec: Arc::new(codec),
            default_page_size: DEFAULT_PAGE_SIZE,
            max_page_size: DEFAULT_MAX_PAGE_SIZE,
            max_round_trips: DEFAULT_MAX_ROUND_TRIPS,
        }
    }

    /// Sets the page size used when the client gives none.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::{CursorCodec, CursorKey, Paginator};
    /// let p = Paginator::new(CursorCodec::new(CursorKey::new(1, [9u8; 32]))).with_default_page_size(20);
    /// assert_eq!(p.clamp_page_size(None), 20);
    /// ```
    #[must_use]
    pub fn with_default_page_size(mut self, size: u32) -> Self {
        self.default_page_size = size.max(1);
        self
    }

    /// Sets the largest page a client may ask for.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::{CursorCodec, CursorKey, Paginator};
    /// let p = Paginator::new(CursorCodec::new(CursorKey::new(1, [9u8; 32]))).with_max_page_size(10);
    /// assert_eq!(p.clamp_page_size(Some(11)), 10);
    /// ```
    #[must_use]
    pub fn with_max_page_size(mut self, size: u32) -> Self {
        self.max_page_size = size.clamp(1, i32::MAX.unsigned_abs());
        self
    }

    /// Sets how many round trips one call may spend skipping empty pages.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::{CursorCodec, CursorKey, Paginator};
    /// let p = Paginator::new(CursorCodec::new(CursorKey::new(1, [9u8; 32]))).with_max_round_trips(4);
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn with_max_round_trips(mut self, n: usize) -> Self {
        self.max_round_trips = n.max(1);
        self
    }

    /// The codec that signs and verifies this paginator's cursors.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::{CursorCodec, CursorKey, Paginator};
    /// let p = Paginator::new(CursorCodec::new(CursorKey::new(4, [9u8; 32])));
    /// assert_eq!(p.codec().signing_key_id(), 4);
    /// ```
    #[must_use]
    pub fn codec(&self) -> &CursorCodec {
        &self.codec
    }

    /// The page size actually used for a client's request: the default when
    /// none is given, then clamped to `1..=max`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::{CursorCodec, CursorKey, Paginator};
    /// let p = Paginator::new(CursorCodec::new(CursorKey::new(1, [9u8; 32])));
    /// assert_eq!(p.clamp_page_size(Some(1_000_000)), 1000);
    /// ```
    #[must_use]
    pub fn clamp_page_size(&self, requested: Option<u32>) -> u32 {
        requested
            .unwrap_or(self.default_page_size)
            .clamp(1, self.max_page_size)
    }

    /// Reads one page of `stmt` with `values`.
    ///
    /// With no cursor, reads from the start; with one, verifies it against
    /// this statement, these values and this page size *before* sending
    /// anything. Empty pages that still have more after them are skipped
    /// (up to the round-trip budget), so a page with a next cursor always
    /// holds at least one row. `next` is `None` only when the driver reports
    /// no more pages.
    ///
    /// # Errors
    ///
    /// [`Error::Cursor`] for a refused cursor (the client's fault),
    /// [`Error::Values`] when the values do not fit the statement,
    /// [`Error::Execution`] when the query fails, [`Error::Rows`] when a row
    /// does not deserialize as `T`, [`Error::TooManyEmptyPages`] when the
    /// budget of empty round trips is spent (its `resume` cursor continues).
    ///
    /// # Examples
    ///
    /// See the [module documentation](self) and `tests/cassandra_paginator.rs`.
    ///
    /// ```no_run
    /// # use pillars_storage::cassandra::{Page, Paginator};
    /// # async fn f(p: &Paginator, s: &scylla::client::session::Session,
    /// #            st: &scylla::statement::prepared::PreparedStatement) -> Result<(), pillars_storage::cassandra::Error> {
    /// let first: Page<(i32, i32)> = p.page(s, st, (7,), Some(10), None).await?;
    /// if let Some(next) = &first.next {
    ///     let _second: Page<(i32, i32)> = p.page(s, st, (7,), Some(10), Some(next.as_str())).await?;
    /// }
    /// # Ok(()) }
    /// ```
    #[tracing::instrument(level = "debug", skip_all, fields(statement = stmt.get_statement()))]
    pub async fn page<T, V>(
        &self,
        session: &Session,
        stmt: &PreparedStatement,
        values: V,
        page_size: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<Page<T>>
    where
        T: for<'f, 'm> DeserializeRow<'f, 'm>,
        V: SerializeRow,
    {
        let page_size = self.clamp_page_size(page_size);
        let fingerprint = fingerprint(stmt, &values, page_size)?;
        let state = match cursor {
            Some(text) => PagingState::new_from_raw_bytes(self.codec.decode(text, &fingerprint)?),
            None => PagingState::start(),
        };
        let mut stmt = stmt.clone();
        stmt.set_page_size(i32::try_from(page_size).unwrap_or(i32::MAX));
        let (stmt, values) = (&stmt, &values);
        self.drive(&fingerprint, state, |state| async move {
            let (result, paging) = session.execute_single_page(stmt, values, state).await?;
            Ok((rows_of::<T>(result)?, paging))
        })
        .await
    }

    /// The page loop, apart from the driver: `fetch` reads one page from a
    /// paging state. Skips empty pages that have more after them.
    pub(crate) async fn drive<T, F, Fut>(
        &self,
        fingerprint: &Fingerprint,
        mut state: PagingState,
        mut fetch: F,
    ) -> Result<Page<T>>
    where
        F: FnMut(PagingState) -> Fut,
        Fut: Future<Output = Result<(Vec<T>, PagingStateResponse)>>,
    {
        for _ in 0..self.max_round_trips {
            let (items, paging) = fetch(state).await?;
            match paging {
                PagingStateResponse::NoMorePages => return Ok(Page { items, next: None }),
                PagingStateResponse::HasMorePages { state: next } => {
                    if items.is_empty() {
                        tracing::debug!("empty page with more to come: skipped");
                        state = next;
                        continue;
                    }
                    let cursor = self.cursor_for(&next, fingerprint)?;
                    return Ok(Page {
                        items,
                        next: Some(cursor),
                    });
                }
            }
        }
        Err(Error::TooManyEmptyPages {
            round_trips: self.max_round_trips,
            resume: self.cursor_for(&state, fingerprint)?,
        })
    }

    fn cursor_for(
        &self,
        state: &PagingState,
        fingerprint: &Fingerprint,
    ) -> Result<super::cursor::Cursor> {
        let raw = state.as_bytes_slice().map_or(&[][..], |b| &b[..]);
        self.codec
            .encode(raw, fingerprint)
            .map_err(Error::StateTooLarge)
    }
}

/// The fingerprint a cursor for `stmt`, `values` and `page_size` is bound to:
/// the statement text, the values serialized as the driver sends them, the
/// page size.
///
/// # Errors
///
/// [`Error::Values`] when the values do not fit the statement's bind markers.
///
/// # Examples
///
/// ```no_run
/// # fn f(stmt: &scylla::statement::prepared::PreparedStatement) -> Result<(), pillars_storage::cassandra::Error> {
/// let fp = pillars_storage::cassandra::fingerprint(stmt, &(7,), 100)?;
/// # let _ = fp; Ok(()) }
/// ```
pub fn fingerprint<V: SerializeRow + ?Sized>(
    stmt: &PreparedStatement,
    values: &V,
    page_size: u32,
) -> Result<Fingerprint> {
    let specs = stmt.get_variable_col_specs();
    let ctx = RowSerializationContext::from_specs(specs.as_slice());
    let mut buf = Vec::new();
    let mut writer = RowWriter::new(&mut buf);
    values
        .serialize(&ctx, &mut writer)
        .map_err(|e| Error::Values(e.to_string()))?;
    Ok(Fingerprint::new(stmt.get_statement(), &buf, page_size))
}

/// Deserializes every row of one result page.
pub(crate) fn rows_of<T>(result: scylla::response::query_result::QueryResult) -> Result<Vec<T>>
where
    T: for<'f, 'm> DeserializeRow<'f, 'm>,
{
    super::stream::deserialize_page(&result.into_rows_result()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cassandra::cursor::{CursorKey, ManualClock};
    use crate::cassandra::error::CursorError;

    fn paginator() -> Paginator {
        let codec = CursorCodec::new(CursorKey::new(1, [8; 32]))
            .with_clock(Arc::new(ManualClock::new(1_000)));
        Paginator::new(codec).with_max_round_trips(4)
    }

    /// A fake server: pages of a fixed script, the paging state is the index
    /// of the next page.
    fn script(
        pages: &[&[u32]],
    ) -> impl FnMut(PagingState) -> std::future::Ready<Result<(Vec<u32>, PagingStateResponse)>> + use<>
    {
        let pages: Vec<Vec<u32>> = pages.iter().map(|p| p.to_vec()).collect();
        move |state: PagingState| {
            let at = state.as_bytes_slice().map_or(0, |b| usize::from(b[0]));
            let items = pages[at].clone();
            let paging = if at + 1 < pages.len() {
                PagingStateResponse::HasMorePages {
                    state: PagingState::new_from_raw_bytes(vec![
                        u8::try_from(at + 1).unwrap_or(u8::MAX),
                    ]),
                }
            } else {
                PagingStateResponse::NoMorePages
            };
            std::future::ready(Ok((items, paging)))
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    fn list_all(p: &Paginator, pages: &[&[u32]]) -> Result<Vec<Page<u32>>> {
        let fp = Fingerprint::new("q", b"", 3);
        let mut out = Vec::new();
        let mut state = PagingState::start();
        loop {
            let page = block_on(p.drive(&fp, state, script(pages)))?;
            let next = page.next.clone();
            out.push(page);
            match next {
                None => return Ok(out),
                Some(c) => {
                    state = PagingState::new_from_raw_bytes(p.codec().decode(c.as_str(), &fp)?);
                }
            }
        }
    }

    #[test]
    fn empty_pages_with_more_are_skipped() {
        let pages: &[&[u32]] = &[&[], &[], &[1, 2], &[], &[3], &[], &[]];
        let got = list_all(&paginator(), pages).expect("listing");
        // No page with a next cursor is empty; the last page may be.
        assert!(got.iter().all(|p| p.next.is_none() || !p.items.is_empty()));
        let rows: Vec<u32> = got.iter().flat_map(|p| p.items.clone()).collect();
        assert_eq!(rows, vec![1, 2, 3]);
        assert!(got.last().is_some_and(Page::is_last));
    }

    #[test]
    fn empty_page_budget_gives_a_resume_cursor() {
        let pages: &[&[u32]] = &[&[], &[], &[], &[], &[], &[9]];
        let p = paginator();
        let fp = Fingerprint::new("q", b"", 3);
        let err = block_on(p.drive(&fp, PagingState::start(), script(pages))).expect_err("budget");
        let Error::TooManyEmptyPages {
            round_trips,
            resume,
        } = err
        else {
            panic!("wrong error: {err}");
        };
        assert_eq!(round_trips, 4);
        let state = p
            .codec()
            .decode(resume.as_str(), &fp)
            .expect("resume cursor verifies");
        let page = block_on(p.drive(&fp, PagingState::new_from_raw_bytes(state), script(pages)))
            .expect("page");
        assert_eq!(page.items, vec![9]);
        assert!(page.is_last());
    }

    #[test]
    fn a_cursor_from_another_fingerprint_is_refused() {
        let p = paginator();
        let c = p
            .codec()
            .encode(b"\x01", &Fingerprint::new("q", b"", 3))
            .expect("encode");
        assert_eq!(
            p.codec().decode(c.as_str(), &Fingerprint::new("q", b"", 4)),
            Err(CursorError::WrongQuery)
        );
    }
}
