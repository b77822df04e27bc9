//! Parallel ranged download into any `AsyncWrite` or a file, pinned to one
//! version of the object.
//!
//! The first range's answer gives the size (`Content-Range`) and the `ETag`
//! (no `HEAD` first, so an object of one part costs one round trip; an empty
//! object, which has no range, falls back to a `HEAD`); the rest is fetched
//! in ranges of `part_size` bytes, up to `concurrency` at once, and written
//! in order (at most `part_size × concurrency` bytes held). Every later range
//! is sent with `If-Match: <ETag>` and the `ETag` of every answer is compared too
//! (servers that ignore `If-Match`, such as `s3s-fs`, are covered), so an
//! object replaced mid-way fails with [`Error::PreconditionFailed`] rather
//! than mixing two versions. A range whose request or body stream fails is
//! retried on its own, up to `retries` times.
//!
//! ```
//! use bytes::Bytes;
//! use pillars_storage::s3::{DownloadOptions, PutOptions, testing::TestServer};
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = TestServer::start()?;
//! let bucket = server.bucket("dlx").await?;
//! bucket.create().await?;
//! let data: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
//! bucket.put("k", Bytes::from(data.clone()), &PutOptions::new()).await?;
//! let mut out = Vec::new();
//! let opts = DownloadOptions::new().part_size(16 * 1024)?.concurrency(4)?;
//! let n = bucket.download("k", &mut out, &opts).await?;
//! assert_eq!((n, out), (data.len() as u64, data));
//! # Ok(()) }
//! ```

use std::path::Path;

use aws_sdk_s3::operation::get_object::GetObjectOutput;
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tracing::Instrument;

use super::bucket::{Bucket, collect_body};
use super::error::{Error, Result};
use super::names::validate_key;

/// Options of [`Bucket::download`].
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::DownloadOptions;
/// let opts = DownloadOptions::new().part_size(8 << 20)?.concurrency(8)?.retries(3);
/// # let _ = opts;
/// # Ok::<(), pillars_storage::s3::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DownloadOptions {
    part_size: u64,
    concurrency: usize,
    retries: u32,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        Self {
            part_size: 8 << 20,
            concurrency: 4,
            retries: 3,
        }
    }
}

impl DownloadOptions {
    /// 8 MiB ranges, 4 at once, 3 retries per range.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = pillars_storage::s3::DownloadOptions::new();
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes per ranged `GET`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for 0 or more than 5 GiB.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(pillars_storage::s3::DownloadOptions::new().part_size(0).is_err());
    /// ```
    pub fn part_size(mut self, bytes: u64) -> Result<Self> {
        if !(1..=5 << 30).contains(&bytes) {
            return Err(Error::InvalidInput(format!(
                "download part size {bytes}: expected 1 to 5 GiB"
            )));
        }
        self.part_size = bytes;
        Ok(self)
    }

    /// Ranges fetched at once.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for 0 or more than 256.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(pillars_storage::s3::DownloadOptions::new().concurrency(0).is_err());
    /// ```
    pub fn concurrency(mut self, ranges: usize) -> Result<Self> {
        if !(1..=256).contains(&ranges) {
            return Err(Error::InvalidInput(format!(
                "concurrency {ranges}: expected 1 to 256"
            )));
        }
        self.concurrency = ranges;
        Ok(self)
    }

    /// Extra attempts for a range whose request or stream fails.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = pillars_storage::s3::DownloadOptions::new().retries(0);
    /// ```
    #[must_use]
    pub fn retries(mut self, n: u32) -> Self {
        self.retries = n;
        self
    }
}

impl Bucket {
    /// Downloads `key` into `out` with parallel ranged `GET`s pinned on the
    /// `ETag` (see the [module documentation](self)); returns the bytes
    /// written. `out` is flushed, not shut down.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`]; [`Error::PreconditionFailed`] when the object
    /// changed during the download; a range that still fails after its
    /// retries; [`Error::Io`] from `out`.
    ///
    /// # Examples
    ///
    /// See the [module documentation](self).
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// use pillars_storage::s3::DownloadOptions;
    /// let mut sink = tokio::io::sink();
    /// bucket.download("report.csv", &mut sink, &DownloadOptions::new()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn download<W>(&self, key: &str, out: &mut W, opts: &DownloadOptions) -> Result<u64>
    where
        W: AsyncWrite + Unpin + Send,
    {
        validate_key(key)?;
        let span = tracing::debug_span!("s3.download", bucket = %self.name(), key);
        async {
            // The first range comes without a HEAD before it: its answer
            // gives the size (`Content-Range`) and the ETag every later
            // range is pinned on, so a small object costs one round trip.
            let first = retrying(opts.retries, key, || {
                self.try_first_range(key, opts.part_size - 1)
            });
            let (first, size, e_tag) = match first.await {
                Ok(first) => first,
                // An empty object has no range to ask for (416): learn its
                // size and ETag from a HEAD instead.
                Err(Error::Service {
                    status: Some(416), ..
                }) => {
                    let info = self.head(key).await?;
                    let e_tag = info.meta.e_tag.ok_or_else(|| {
                        Error::precondition_failed(format!("{key}: server gave no ETag to pin"))
                    })?;
                    (Bytes::new(), info.meta.size, e_tag)
                }
                Err(e) => return Err(e),
            };
            let ranges = (1..size.div_ceil(opts.part_size)).map(|i| {
                let start = i * opts.part_size;
                (start, (start + opts.part_size).min(size) - 1)
            });
            let mut parts = futures::stream::iter(ranges)
                .map(|(start, end)| {
                    let e_tag = e_tag.as_str();
                    retrying(opts.retries, key, move || {
                        self.try_range(key, e_tag, start, end)
                    })
                })
                .buffered(opts.concurrency);
            out.write_all(&first).await?;
            let mut written = first.len() as u64;
            while let Some(chunk) = parts.try_next().await? {
                out.write_all(&chunk).await?;
                written += chunk.len() as u64;
            }
            out.flush().await?;
            Ok(written)
        }
        .instrument(span)
        .await
    }

    /// Downloads `key` into a new file at `path` (replaced if present); a
    /// failed download removes the partial file.
    ///
    /// # Errors
    ///
    /// As [`download`](Self::download); [`Error::Io`] for the file.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// use pillars_storage::s3::DownloadOptions;
    /// bucket.download_file("backup.tar", "/tmp/backup.tar", &DownloadOptions::new()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn download_file(
        &self,
        key: &str,
        path: impl AsRef<Path>,
        opts: &DownloadOptions,
    ) -> Result<u64> {
        let path = path.as_ref();
        let mut file = tokio::fs::File::create(path).await?;
        match self.download(key, &mut file, opts).await {
            Ok(n) => {
                file.sync_all().await?;
                Ok(n)
            }
            Err(e) => {
                drop(file);
                let _ = tokio::fs::remove_file(path).await;
                Err(e)
            }
        }
    }

    async fn try_first_range(&self, key: &str, end: u64) -> Result<(Bytes, u64, String)> {
        let out = self.send_range(key, 0, end, None).await?;
        let e_tag = out.e_tag().map(str::to_owned).ok_or_else(|| {
            Error::precondition_failed(format!("{key}: server gave no ETag to pin"))
        })?;
        // `bytes 0-END/TOTAL`; no header means the whole object came back.
        let total = match out.content_range() {
            Some(range) => Some(
                range
                    .rsplit_once('/')
                    .and_then(|(_, total)| total.trim().parse::<u64>().ok())
                    .ok_or_else(|| {
                        Error::Io(std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            format!("{key}: unreadable Content-Range {range:?}"),
                        ))
                    })?,
            ),
            None => None,
        };
        let body = collect_body(out.body).await?;
        let total = total.unwrap_or(body.len() as u64);
        let body = exactly(body, total.min(end + 1), || format!("first range of {key}"))?;
        Ok((body, total, e_tag))
    }

    async fn try_range(&self, key: &str, e_tag: &str, start: u64, end: u64) -> Result<Bytes> {
        let out = self.send_range(key, start, end, Some(e_tag)).await?;
        if out.e_tag() != Some(e_tag) {
            return Err(Error::precondition_failed(format!(
                "{key} changed during the download (ETag {e_tag} became {})",
                out.e_tag().unwrap_or("none")
            )));
        }
        let body = collect_body(out.body).await?;
        exactly(body, end - start + 1, || {
            format!("range {start}-{end} of {key}")
        })
    }

    /// A GET of bytes `start..=end` of `key`, pinned to `if_match` when given.
    async fn send_range(
        &self,
        key: &str,
        start: u64,
        end: u64,
        if_match: Option<&str>,
    ) -> Result<GetObjectOutput> {
        self.client()
            .get_object()
            .bucket(self.name())
            .key(key)
            .range(format!("bytes={start}-{end}"))
            .set_if_match(if_match.map(str::to_owned))
            .send()
            .instrument(tracing::trace_span!("s3.get_range", key, start, end))
            .await
            .map_err(|e| Error::from_sdk("GetObject", key, e))
    }
}

/// `body` if it holds `expected` bytes, else an unexpected-EOF error naming
/// `what` was read.
fn exactly(body: Bytes, expected: u64, what: impl FnOnce() -> String) -> Result<Bytes> {
    if body.len() as u64 == expected {
        return Ok(body);
    }
    Err(Error::Io(std::io::Error::new(
        std::io::ErrorKind::UnexpectedEof,
        format!("{}: got {} of {expected} bytes", what(), body.len()),
    )))
}

/// Runs `attempt` until it succeeds, fails for good, or has been retried
/// `retries` times after transient failures (exponential back-off from
/// 100 ms): each range of a download is retried on its own.
async fn retrying<T, F, Fut>(retries: u32, key: &str, mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_transient() && tries < retries => {
                tries += 1;
                tracing::debug!(key, attempt = tries, error = %e, "range failed, retrying");
                tokio::time::sleep(std::time::Duration::from_millis(50 << tries.min(6))).await;
            }
            Err(e) => return Err(e),
        }
    }
}
