//! Listing: every page of `ListObjectsV2` as one `futures::Stream`, with
//! prefix, delimiter and start-after.
//!
//! ```
//! use bytes::Bytes;
//! use futures::TryStreamExt;
//! use pillars_storage::s3::{ListEntry, ListOptions, PutOptions, testing::TestServer};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = TestServer::start()?;
//! let bucket = server.bucket("tree").await?;
//! bucket.create().await?;
//! for key in ["a/1", "a/2", "b/1", "top"] {
//!     bucket.put(key, Bytes::new(), &PutOptions::new()).await?;
//! }
//! let entries: Vec<ListEntry> = bucket.list(ListOptions::new().delimiter("/")).try_collect().await?;
//! let names: Vec<&str> = entries.iter().map(ListEntry::key).collect();
//! assert_eq!(names, ["a/", "b/", "top"]);
//! # Ok(()) }
//! ```

use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use tracing::Instrument;

use super::bucket::{Bucket, to_system_time};
use super::error::{Error, Result};
use super::names::{validate_key, validate_prefix};
use super::object_store::ObjectMeta;

/// What to list.
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::ListOptions;
/// let opts = ListOptions::new().prefix("logs/2024/").start_after("logs/2024/03").page_size(500);
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    prefix: String,
    delimiter: Option<String>,
    start_after: Option<String>,
    page_size: Option<i32>,
}

impl ListOptions {
    /// Everything in the bucket.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = pillars_storage::s3::ListOptions::new();
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Only keys starting with `prefix`.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = pillars_storage::s3::ListOptions::new().prefix("photos/");
    /// ```
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Roll keys up to the first `delimiter` after the prefix into
    /// [`ListEntry::Prefix`] entries (one "directory" level).
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = pillars_storage::s3::ListOptions::new().delimiter("/");
    /// ```
    #[must_use]
    pub fn delimiter(mut self, delimiter: impl Into<String>) -> Self {
        self.delimiter = Some(delimiter.into());
        self
    }

    /// Only keys after `key` (exclusive), e.g. to resume a listing.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = pillars_storage::s3::ListOptions::new().start_after("2024-03-01");
    /// ```
    #[must_use]
    pub fn start_after(mut self, key: impl Into<String>) -> Self {
        self.start_after = Some(key.into());
        self
    }

    /// Keys per request (1 to 1000; S3 caps it at 1000).
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = pillars_storage::s3::ListOptions::new().page_size(100);
    /// ```
    #[must_use]
    pub fn page_size(mut self, n: u16) -> Self {
        self.page_size = Some(i32::from(n));
        self
    }

    fn check(&self) -> Result<()> {
        validate_prefix(&self.prefix)?;
        if let Some(k) = &self.start_after {
            validate_key(k)?;
        }
        if self.delimiter.as_deref() == Some("") {
            return Err(Error::InvalidInput("delimiter must not be empty".into()));
        }
        if let Some(n) = self.page_size.filter(|n| !(1..=1000).contains(n)) {
            return Err(Error::InvalidInput(format!(
                "page size {n}: expected 1 to 1000"
            )));
        }
        Ok(())
    }
}

/// One item of a listing.
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::ListEntry;
/// let e = ListEntry::Prefix("photos/".into());
/// assert_eq!(e.key(), "photos/");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListEntry {
    /// An object.
    Object(ObjectMeta),
    /// A common prefix (a "directory"), with a delimiter only.
    Prefix(String),
}

impl ListEntry {
    /// The object's key or the prefix.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pillars_storage::s3::ListEntry::Prefix("a/".into()).key(), "a/");
    /// ```
    #[must_use]
    pub fn key(&self) -> &str {
        match self {
            Self::Object(m) => &m.key,
            Self::Prefix(p) => p,
        }
    }
}

struct Cursor {
    token: Option<String>,
    done: bool,
}

impl Bucket {
    /// Every object and common prefix matching `opts`, page after page, as
    /// a stream (the next page is requested when the current one is used
    /// up). Objects come in key order; with a delimiter, prefixes come
    /// within each page as S3 returns them.
    ///
    /// # Errors
    ///
    /// The first item is [`Error::InvalidInput`] for bad options (no
    /// request sent); a failed page request ends the stream with its error.
    ///
    /// # Examples
    ///
    /// See the [module documentation](self).
    ///
    /// ```no_run
    /// # use futures::TryStreamExt;
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// use pillars_storage::s3::ListOptions;
    /// let mut entries = bucket.list(ListOptions::new().prefix("logs/"));
    /// while let Some(entry) = entries.try_next().await? { println!("{}", entry.key()); }
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn list(&self, opts: ListOptions) -> BoxStream<'static, Result<ListEntry>> {
        let bucket = self.clone();
        let checked = opts.check();
        let start = Cursor {
            token: None,
            done: checked.is_err(),
        };
        let first_error = futures::stream::iter(checked.err().map(Err));
        let pages = futures::stream::try_unfold(start, move |cursor| {
            let bucket = bucket.clone();
            let opts = opts.clone();
            async move {
                if cursor.done {
                    return Ok::<_, Error>(None);
                }
                let (entries, token) = bucket.list_page(&opts, cursor.token).await?;
                let done = token.is_none();
                Ok(Some((
                    futures::stream::iter(entries.into_iter().map(Ok)),
                    Cursor { token, done },
                )))
            }
        })
        .try_flatten();
        first_error.chain(pages).boxed()
    }

    /// Like [`list`](Self::list), objects only (common prefixes dropped).
    ///
    /// # Errors
    ///
    /// As [`list`](Self::list).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use futures::TryStreamExt;
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// use pillars_storage::s3::ListOptions;
    /// let total: u64 = bucket.list_objects(ListOptions::new()).map_ok(|m| m.size).try_fold(0, |a, b| async move { Ok(a + b) }).await?;
    /// # let _ = total; Ok(()) }
    /// ```
    #[must_use]
    pub fn list_objects(&self, opts: ListOptions) -> BoxStream<'static, Result<ObjectMeta>> {
        self.list(opts)
            .try_filter_map(|e| async move {
                Ok(match e {
                    ListEntry::Object(m) => Some(m),
                    ListEntry::Prefix(_) => None,
                })
            })
            .boxed()
    }

    async fn list_page(
        &self,
        opts: &ListOptions,
        token: Option<String>,
    ) -> Result<(Vec<ListEntry>, Option<String>)> {
        let out = self
            .client()
            .list_objects_v2()
            .bucket(self.name())
            .prefix(&opts.prefix)
            .set_delimiter(opts.delimiter.clone())
            .set_start_after(opts.start_after.clone())
            .set_max_keys(opts.page_size)
            .set_continuation_token(token)
            .send()
            .instrument(tracing::debug_span!("s3.list_objects_v2", bucket = %self.name(), prefix = %opts.prefix))
            .await
            .map_err(|e| Error::from_sdk("ListObjectsV2", self.name(), e))?;
        let mut entries: Vec<ListEntry> = out
            .contents()
            .iter()
            .filter_map(|o| {
                Some(ListEntry::Object(ObjectMeta {
                    key: o.key()?.to_owned(),
                    size: o.size().and_then(|n| u64::try_from(n).ok()).unwrap_or(0),
                    e_tag: o.e_tag().map(str::to_owned),
                    last_modified: to_system_time(o.last_modified()),
                }))
            })
            .collect();
        entries.extend(
            out.common_prefixes()
                .iter()
                .filter_map(|p| p.prefix().map(|p| ListEntry::Prefix(p.to_owned()))),
        );
        entries.sort_by(|a, b| a.key().cmp(b.key()));
        let token = match (out.is_truncated(), out.next_continuation_token()) {
            (Some(true), Some(t)) if !t.is_empty() => Some(t.to_owned()),
            // "More to come" with no way to ask for it: an error, not a
            // listing that silently stops short.
            (Some(true), _) => {
                return Err(Error::Io(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "ListObjectsV2 answered truncated without a continuation token",
                )));
            }
            _ => None,
        };
        Ok((entries, token))
    }
}
