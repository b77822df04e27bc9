//! Errors of the `s3` module: one [`Error`] enum for every backend.
//!
//! Bad input ([`Error::InvalidInput`]) is refused before any request is
//! sent. Server answers are classified into [`Error::NotFound`],
//! [`Error::AlreadyExists`], [`Error::PreconditionFailed`] and
//! [`Error::AccessDenied`], each keeping the SDK error as its
//! [`source`](std::error::Error::source); anything else is
//! [`Error::Service`].
//!
//! ```
//! use pillars_storage::s3::{Error, validate_key};
//! let err = validate_key(&"k".repeat(1025)).unwrap_err();
//! assert!(matches!(err, Error::InvalidInput(_)));
//! assert!(err.to_string().contains("1024"));
//! ```

#[cfg(feature = "s3")]
use aws_sdk_s3::config::http::HttpResponse;
#[cfg(feature = "s3")]
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

/// A boxed error kept as the source of a classified failure.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Any failure of an object-store or S3 operation.
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::Error;
/// let e = Error::not_found("photos/cat.jpg");
/// assert!(e.is_not_found());
/// assert_eq!(e.to_string(), "not found: photos/cat.jpg");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The object, bucket or upload does not exist.
    #[error("not found: {what}")]
    NotFound {
        /// The key, bucket or upload that was asked for.
        what: String,
        /// The SDK error, when the answer came from a server.
        #[source]
        source: Option<BoxError>,
    },
    /// The bucket (or object, for a create-only put) already exists.
    #[error("already exists: {what}")]
    AlreadyExists {
        /// The key or bucket.
        what: String,
        /// The SDK error, when the answer came from a server.
        #[source]
        source: Option<BoxError>,
    },
    /// A condition did not hold: `If-None-Match: *` on an existing key,
    /// `If-Match` on another `ETag`, or an object that changed during a
    /// ranged download.
    #[error("precondition failed: {what}")]
    PreconditionFailed {
        /// What did not hold.
        what: String,
        /// The SDK error, when the answer came from a server.
        #[source]
        source: Option<BoxError>,
    },
    /// The credentials do not allow the operation.
    #[error("access denied: {what}")]
    AccessDenied {
        /// The key or bucket.
        what: String,
        /// The SDK error.
        #[source]
        source: Option<BoxError>,
    },
    /// Bad input, refused before any request was sent: a bucket name or key
    /// S3 would refuse, a part size out of range, a zero concurrency.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A multipart upload failed; `aborted` tells whether its parts were
    /// removed (when false, abort it with `Bucket::abort_upload` once the
    /// server is back, or let a lifecycle rule do it).
    #[error("multipart upload {upload_id} of {key} failed (aborted: {aborted}): {source}")]
    Upload {
        /// The key being uploaded.
        key: String,
        /// The upload id the server gave.
        upload_id: String,
        /// Whether `AbortMultipartUpload` succeeded.
        aborted: bool,
        /// Why the upload failed.
        #[source]
        source: Box<Error>,
    },
    /// Any other answer of the service, or a transport failure.
    #[error("{operation} failed{}: {source}", code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Service {
        /// The S3 operation, e.g. `PutObject`.
        operation: &'static str,
        /// The S3 error code, when the server sent one.
        code: Option<String>,
        /// The HTTP status, when a response arrived.
        status: Option<u16>,
        /// The SDK error.
        #[source]
        source: BoxError,
    },
    /// A local I/O failure (filesystem backend, reading an upload, writing a
    /// download).
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// A [`Error::NotFound`] with no source.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(pillars_storage::s3::Error::not_found("k").is_not_found());
    /// ```
    #[must_use]
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound {
            what: what.into(),
            source: None,
        }
    }

    /// A [`Error::AlreadyExists`] with no source.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = pillars_storage::s3::Error::already_exists("k");
    /// assert_eq!(e.to_string(), "already exists: k");
    /// ```
    #[must_use]
    pub fn already_exists(what: impl Into<String>) -> Self {
        Self::AlreadyExists {
            what: what.into(),
            source: None,
        }
    }

    /// A [`Error::PreconditionFailed`] with no source.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = pillars_storage::s3::Error::precondition_failed("etag changed");
    /// assert!(e.is_precondition_failed());
    /// ```
    #[must_use]
    pub fn precondition_failed(what: impl Into<String>) -> Self {
        Self::PreconditionFailed {
            what: what.into(),
            source: None,
        }
    }

    /// Whether the object, bucket or upload was missing.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!pillars_storage::s3::Error::InvalidInput("x".into()).is_not_found());
    /// ```
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }

    /// Whether a condition (`If-Match`, `If-None-Match`, a pinned `ETag`)
    /// did not hold.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!pillars_storage::s3::Error::not_found("k").is_precondition_failed());
    /// ```
    #[must_use]
    pub fn is_precondition_failed(&self) -> bool {
        matches!(self, Self::PreconditionFailed { .. })
    }

    /// Whether retrying the same request may succeed: a transport failure,
    /// a throttling answer or a 5xx.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!pillars_storage::s3::Error::not_found("k").is_transient());
    /// ```
    #[must_use]
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Service { status, code, .. } => {
                status.is_none_or(|s| s >= 500 || s == 429)
                    || code.as_deref().is_some_and(|c| {
                        matches!(c, "SlowDown" | "RequestTimeout" | "InternalError")
                    })
            }
            Self::Io(_) => true,
            _ => false,
        }
    }

    /// Classifies an SDK error of `operation` on `what` (a key or bucket).
    #[cfg(feature = "s3")]
    pub(crate) fn from_sdk<E>(
        operation: &'static str,
        what: &str,
        err: SdkError<E, HttpResponse>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let status = match &err {
            SdkError::ServiceError(e) => Some(e.raw().status().as_u16()),
            SdkError::ResponseError(e) => Some(e.raw().status().as_u16()),
            _ => None,
        };
        let code = err.code().map(str::to_owned);
        let what = what.to_owned();
        let source: BoxError = Box::new(err);
        match (code.as_deref(), status) {
            (Some("NoSuchKey" | "NoSuchBucket" | "NotFound" | "NoSuchUpload"), _)
            | (_, Some(404)) => Self::NotFound {
                what,
                source: Some(source),
            },
            (Some("PreconditionFailed" | "ConditionalRequestConflict"), _) | (_, Some(412)) => {
                Self::PreconditionFailed {
                    what,
                    source: Some(source),
                }
            }
            (Some("AccessDenied" | "Forbidden"), _) | (_, Some(403)) => Self::AccessDenied {
                what,
                source: Some(source),
            },
            (Some("BucketAlreadyExists" | "BucketAlreadyOwnedByYou"), _) => Self::AlreadyExists {
                what,
                source: Some(source),
            },
            _ => Self::Service {
                operation,
                code,
                status,
                source,
            },
        }
    }
}

/// `Result` with this module's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
