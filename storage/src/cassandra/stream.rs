//! [`rows`]: a typed row stream over every page, fetching the next page while
//! the caller works through the current one.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use std::sync::Arc;
//! # async fn f(session: Arc<scylla::client::session::Session>,
//! #            stmt: scylla::statement::prepared::PreparedStatement) -> Result<(), pillars_storage::cassandra::Error> {
//! let all: Vec<(i32, i32, String)> =
//!     pillars_storage::cassandra::stream::rows(session, stmt, (), 1000).try_collect().await?;
//! # let _ = all; Ok(()) }
//! ```
//!
//! Verified against the in-process `kassandra` server (`tests/cassandra_stream.rs`).

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::Stream;
use scylla::client::session::Session;
use scylla::deserialize::row::DeserializeRow;
use scylla::response::query_result::QueryRowsResult;
use scylla::response::{PagingState, PagingStateResponse};
use scylla::serialize::row::SerializeRow;
use scylla::statement::prepared::PreparedStatement;
use tokio::sync::mpsc;
use tracing::Instrument as _;

use super::error::{Error, Result};

/// Streams every row of `stmt` with `values`, `page_size` rows per round trip.
///
/// A background task (spawned on the current tokio runtime) fetches pages
/// one ahead of the consumer: while the caller handles page *k*, page *k+1*
/// is on its way. Dropping the stream stops the task. The first error ends
/// the stream.
///
/// # Panics
///
/// When called outside a tokio runtime.
///
/// # Examples
///
/// ```no_run
/// use futures::StreamExt;
/// # async fn f(session: std::sync::Arc<scylla::client::session::Session>,
/// #            stmt: scylla::statement::prepared::PreparedStatement) {
/// let mut rows = pillars_storage::cassandra::stream::rows::<(i32,), _>(session, stmt, (), 500);
/// while let Some(row) = rows.next().await {
///     let (_id,) = row.expect("row");
/// }
/// # }
/// ```
pub fn rows<T, V>(
    session: Arc<Session>,
    mut stmt: PreparedStatement,
    values: V,
    page_size: u32,
) -> RowStream<T>
where
    T: for<'f, 'm> DeserializeRow<'f, 'm> + Send + 'static,
    V: SerializeRow + Send + Sync + 'static,
{
    stmt.set_page_size(i32::try_from(page_size.max(1)).unwrap_or(i32::MAX));
    // Capacity 1: one page waits in the channel while the next is fetched.
    // Pages travel raw and are deserialized by the consumer, so the task asks
    // for the next page as soon as one arrives (the server never waits on us).
    let (tx, rx) = mpsc::channel::<Result<QueryRowsResult>>(1);
    let span = tracing::debug_span!(
        "cassandra.rows",
        statement = stmt.get_statement(),
        page_size
    );
    let task = tokio::spawn(
        async move {
            let mut state = PagingState::start();
            loop {
                let page = session
                    .execute_single_page(&stmt, &values, state)
                    .await
                    .map_err(Error::from)
                    .and_then(|(result, paging)| Ok((result.into_rows_result()?, paging)));
                match page {
                    Err(e) => {
                        let _ = tx.send(Err(e)).await;
                        return;
                    }
                    Ok((items, paging)) => {
                        if items.rows_num() > 0 && tx.send(Ok(items)).await.is_err() {
                            return; // consumer gone
                        }
                        match paging {
                            PagingStateResponse::NoMorePages => return,
                            PagingStateResponse::HasMorePages { state: next } => state = next,
                        }
                    }
                }
            }
        }
        .instrument(span),
    );
    RowStream {
        rx,
        buffer: VecDeque::new(),
        _task: AbortOnDrop(task),
        done: false,
    }
}

/// The stream returned by [`rows`]: typed rows, the next page prefetched.
///
/// `Unpin`, so `.next().await` works without pinning.
///
/// # Examples
///
/// ```no_run
/// use futures::StreamExt;
/// use pillars_storage::cassandra::stream::{rows, RowStream};
/// # async fn f(session: std::sync::Arc<scylla::client::session::Session>,
/// #            stmt: scylla::statement::prepared::PreparedStatement) {
/// let mut s: RowStream<(i32,)> = rows(session, stmt, (), 100);
/// let _first = s.next().await;
/// # }
/// ```
#[derive(Debug)]
pub struct RowStream<T> {
    rx: mpsc::Receiver<Result<QueryRowsResult>>,
    buffer: VecDeque<T>,
    _task: AbortOnDrop,
    done: bool,
}

impl<T> Stream for RowStream<T>
where
    T: for<'f, 'm> DeserializeRow<'f, 'm>,
{
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match this.rx.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(page))) => match deserialize_page::<T>(&page) {
                    Ok(items) => this.buffer.extend(items),
                    Err(e) => {
                        this.done = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                },
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(None);
                }
            }
        }
    }
}

impl<T> Unpin for RowStream<T> {}

/// Deserializes every row of one page.
pub(crate) fn deserialize_page<T>(page: &QueryRowsResult) -> Result<Vec<T>>
where
    T: for<'f, 'm> DeserializeRow<'f, 'm>,
{
    let iter = page.rows::<T>().map_err(|e| Error::Rows(e.to_string()))?;
    iter.map(|r| r.map_err(|e| Error::Rows(e.to_string())))
        .collect()
}

#[derive(Debug)]
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
