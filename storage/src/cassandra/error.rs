//! Errors of the `cassandra` module.
//!
//! [`CursorError`] is the client's fault (answer 400); [`Error`] wraps it
//! beside the driver's failures (answer 5xx), see [`Error::is_client_error`].
//!
//! ```
//! use pillars_storage::cassandra::{CursorError, Error};
//! let e = Error::from(CursorError::Tampered);
//! assert!(e.is_client_error());
//! assert_eq!(e.to_string(), "invalid cursor: cursor signature does not verify");
//! ```

use super::cursor::Cursor;

/// A cursor from a client was refused. Every variant means "bad request";
/// none of them ever reached the database.
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::CursorError;
/// assert_eq!(CursorError::WrongQuery.to_string(), "cursor was issued for another query");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CursorError {
    /// Longer than the configured maximum (checked before decoding).
    #[error("cursor is {len} characters, more than the {max} allowed")]
    Oversized {
        /// The length seen.
        len: usize,
        /// The configured maximum.
        max: usize,
    },
    /// Not a cursor at all: bad base64url, too short, unknown version or flags.
    #[error("malformed cursor: {0}")]
    Malformed(&'static str),
    /// Signed with a key this server does not hold (retired or foreign).
    #[error("cursor signed with unknown key {0}")]
    UnknownKey(u8),
    /// The signature does not verify: the cursor was altered or forged.
    #[error("cursor signature does not verify")]
    Tampered,
    /// Genuine, but for another statement, other bound values or another page size.
    #[error("cursor was issued for another query")]
    WrongQuery,
    /// Genuine, but past its expiry.
    #[error("cursor expired at {expires_at} (unix seconds)")]
    Expired {
        /// When it expired, in seconds since the Unix epoch.
        expires_at: u64,
    },
}

/// Any failure of a paginated read.
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::Error;
/// let e = Error::Values("wrong type".into());
/// assert!(!e.is_client_error());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client's cursor was refused; no query was sent.
    #[error("invalid cursor: {0}")]
    Cursor(#[from] CursorError),
    /// The bound values do not fit the prepared statement.
    #[error("bound values do not fit the statement: {0}")]
    Values(String),
    /// The driver failed to run the statement (server down, timeout, ...).
    #[error("query failed: {0}")]
    Execution(Box<scylla::errors::ExecutionError>),
    /// The driver failed to start a paged query.
    #[error("query failed: {0}")]
    Pager(Box<scylla::errors::PagerExecutionError>),
    /// The driver failed while paging.
    #[error("paging failed: {0}")]
    NextPage(Box<scylla::errors::NextRowError>),
    /// The result was not rows (the statement is not a `SELECT`).
    #[error("statement did not return rows: {0}")]
    NotRows(Box<scylla::errors::IntoRowsResultError>),
    /// Rows could not be read as the requested type.
    #[error("rows do not match the requested type: {0}")]
    Rows(String),
    /// Too many consecutive empty pages while more remain; `resume` continues
    /// from where the search stopped.
    #[error("{round_trips} empty pages in a row; retry with the resume cursor")]
    TooManyEmptyPages {
        /// Round trips spent.
        round_trips: usize,
        /// A cursor that continues after the empty pages seen.
        resume: Cursor,
    },
    /// A stored scan checkpoint could not be read.
    #[error("invalid scan checkpoint: {0}")]
    Checkpoint(&'static str),
    /// A table or column name is not a plain CQL identifier.
    #[error("not a plain CQL identifier: {0:?}")]
    Identifier(String),
    /// The paging state returned by the server is too large for a cursor.
    #[error("server paging state does not fit a cursor: {0}")]
    StateTooLarge(CursorError),
}

impl Error {
    /// Whether the client is at fault (answer 400 rather than 5xx).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::{CursorError, Error};
    /// assert!(Error::Cursor(CursorError::WrongQuery).is_client_error());
    /// ```
    #[must_use]
    pub fn is_client_error(&self) -> bool {
        matches!(self, Self::Cursor(_))
    }
}

macro_rules! boxed_from {
    ($($variant:ident($ty:ty)),* $(,)?) => {$(
        impl From<$ty> for Error {
            fn from(e: $ty) -> Self {
                Self::$variant(Box::new(e))
            }
        }
    )*};
}

boxed_from!(
    Execution(scylla::errors::ExecutionError),
    Pager(scylla::errors::PagerExecutionError),
    NextPage(scylla::errors::NextRowError),
    NotRows(scylla::errors::IntoRowsResultError),
);

/// `Result` with this module's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
