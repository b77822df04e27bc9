//! Multipart upload from any `AsyncRead` of unknown length (or a file),
//! with bounded memory and parallel parts, aborted on any failure.
//!
//! How it works: parts of `part_size` bytes are read one after another;
//! up to `concurrency` of them upload at once on spawned tasks; a new part
//! is read only when a slot is free, so at most `part_size × concurrency`
//! bytes are held. A body shorter than one part is sent with a single
//! `PutObject`. For a stream of unknown length the part size doubles every
//! 1000 parts so the 10,000-part limit is never reached (10,000 parts reach
//! S3's 5 TiB object limit from the default 8 MiB, 4.8 TiB from 5 MiB); with a known length (a file, or
//! [`UploadOptions::size_hint`]) the part size is raised at the start so the
//! object fits in 10,000 parts.
//!
//! Any failure (reading, a part, completing) aborts the multipart upload
//! and reports [`Error::Upload`] with `aborted` set; dropping the future
//! (a timeout, a cancelled request) aborts it from a spawned task. Either
//! way the parts already sent are answered first (up to 30 s in all, then
//! they are cancelled): a part the server received goes on after its client
//! stops waiting, and one stored after the abort would be listed nowhere
//! and never freed. So a failed upload returns only once its parts in
//! flight are answered, and a dropped one keeps their buffers (at most
//! `part_size × concurrency`) until then, on the spawned task. When the
//! server cannot be reached to abort, the error says so and carries the
//! upload id for [`Bucket::abort_upload`] (a dropped upload logs it).
//!
//! ```
//! use pillars_storage::s3::{UploadOptions, testing::TestServer};
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = TestServer::start()?;
//! let bucket = server.bucket("big").await?;
//! bucket.create().await?;
//! let data = vec![7u8; 11 * 1024 * 1024];
//! let opts = UploadOptions::new().part_size(5 * 1024 * 1024)?.concurrency(2)?;
//! let done = bucket.upload("blob.bin", &data[..], &opts).await?;
//! assert_eq!((done.size, done.parts), (data.len() as u64, 3));
//! # Ok(()) }
//! ```

use std::path::Path;

use aws_sdk_s3::config::RequestChecksumCalculation;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::task::JoinSet;
use tracing::Instrument;

use super::bucket::{Bucket, PutOptions};
use super::error::{Error, Result};
use super::names::validate_key;
use super::object_store::PutMode;

/// The smallest part S3 accepts (except the last): 5 MiB.
///
/// # Examples
///
/// ```
/// assert_eq!(pillars_storage::s3::MIN_PART_SIZE, 5 << 20);
/// ```
pub const MIN_PART_SIZE: usize = 5 << 20;

/// The largest part S3 accepts: 5 GiB.
///
/// # Examples
///
/// ```
/// assert_eq!(pillars_storage::s3::MAX_PART_SIZE, 5 << 30);
/// ```
pub const MAX_PART_SIZE: usize = 5 << 30;

/// The most parts one upload may have.
///
/// # Examples
///
/// ```
/// assert_eq!(pillars_storage::s3::MAX_PARTS, 10_000);
/// ```
pub const MAX_PARTS: usize = 10_000;

/// Options of [`Bucket::upload`].
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::{PutOptions, UploadOptions};
/// let opts = UploadOptions::new()
///     .part_size(16 << 20)?
///     .concurrency(8)?
///     .put_options(PutOptions::new().content_type("application/zip"));
/// assert_eq!(opts.max_buffered(), 128 << 20);
/// # Ok::<(), pillars_storage::s3::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct UploadOptions {
    part_size: usize,
    concurrency: usize,
    size_hint: Option<u64>,
    put: PutOptions,
}

impl Default for UploadOptions {
    fn default() -> Self {
        Self {
            part_size: 8 << 20,
            concurrency: 4,
            size_hint: None,
            put: PutOptions::default(),
        }
    }
}

impl UploadOptions {
    /// 8 MiB parts, 4 in flight, overwrite.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pillars_storage::s3::UploadOptions::new().max_buffered(), 32 << 20);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The size of each part (the last may be smaller).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] outside [`MIN_PART_SIZE`]..=[`MAX_PART_SIZE`].
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::s3::UploadOptions;
    /// assert!(UploadOptions::new().part_size(1024).is_err());
    /// ```
    pub fn part_size(mut self, bytes: usize) -> Result<Self> {
        if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&bytes) {
            return Err(Error::InvalidInput(format!(
                "part size {bytes}: expected {MIN_PART_SIZE} to {MAX_PART_SIZE} bytes"
            )));
        }
        self.part_size = bytes;
        Ok(self)
    }

    /// How many parts upload at once.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for 0 or more than 256.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(pillars_storage::s3::UploadOptions::new().concurrency(0).is_err());
    /// ```
    pub fn concurrency(mut self, parts: usize) -> Result<Self> {
        if !(1..=256).contains(&parts) {
            return Err(Error::InvalidInput(format!(
                "concurrency {parts}: expected 1 to 256"
            )));
        }
        self.concurrency = parts;
        Ok(self)
    }

    /// The total size when known in advance: the part size is raised so the
    /// object fits in [`MAX_PARTS`] parts.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = pillars_storage::s3::UploadOptions::new().size_hint(1 << 40);
    /// ```
    #[must_use]
    pub fn size_hint(mut self, bytes: u64) -> Self {
        self.size_hint = Some(bytes);
        self
    }

    /// Content type, metadata, cache control and conditional mode of the
    /// object (`Create`/`Update` are checked when the upload completes).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::s3::{PutOptions, UploadOptions};
    /// let _ = UploadOptions::new().put_options(PutOptions::new().cache_control("no-store"));
    /// ```
    #[must_use]
    pub fn put_options(mut self, put: PutOptions) -> Self {
        self.put = put;
        self
    }

    /// The most body bytes held at once at the starting part size:
    /// `part_size × concurrency`.
    ///
    /// # Examples
    ///
    /// ```
    /// let o = pillars_storage::s3::UploadOptions::new().concurrency(2)?;
    /// assert_eq!(o.max_buffered(), 16 << 20);
    /// # Ok::<(), pillars_storage::s3::Error>(())
    /// ```
    #[must_use]
    pub fn max_buffered(&self) -> usize {
        self.part_size.saturating_mul(self.concurrency)
    }

    /// The part size to start with, raised for a known size.
    fn initial_part_size(&self) -> usize {
        let Some(hint) = self.size_hint else {
            return self.part_size;
        };
        let needed = hint.div_ceil(MAX_PARTS as u64);
        let needed = usize::try_from(needed).unwrap_or(MAX_PART_SIZE);
        // Round up to a whole MiB.
        let needed = needed.div_ceil(1 << 20).saturating_mul(1 << 20);
        self.part_size.max(needed).min(MAX_PART_SIZE)
    }
}

/// The part size for part `number` (1-based) when starting at `base`:
/// doubles every 1000 parts, capped at [`MAX_PART_SIZE`].
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::{part_size_for, MIN_PART_SIZE};
/// assert_eq!(part_size_for(MIN_PART_SIZE, 1), MIN_PART_SIZE);
/// assert_eq!(part_size_for(MIN_PART_SIZE, 1001), 2 * MIN_PART_SIZE);
/// // 10,000 parts starting at 8 MiB (the default) hold more than S3's 5 TiB limit.
/// let total: u64 = (1..=10_000).map(|n| part_size_for(8 << 20, n) as u64).sum();
/// assert!(total >= 5 << 40);
/// ```
#[must_use]
pub fn part_size_for(base: usize, number: usize) -> usize {
    let doublings = u32::try_from(number.saturating_sub(1) / 1000)
        .unwrap_or(u32::MAX)
        .min(20);
    base.saturating_mul(1 << doublings).min(MAX_PART_SIZE)
}

/// The outcome of [`Bucket::upload`].
///
/// # Examples
///
/// ```
/// let u = pillars_storage::s3::Uploaded { e_tag: None, size: 0, parts: 0 };
/// assert_eq!(u.parts, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    /// The object's `ETag`.
    pub e_tag: Option<String>,
    /// Bytes uploaded.
    pub size: u64,
    /// Parts used; 0 when the body fit in one `PutObject`.
    pub parts: usize,
}

/// Reads up to `size` bytes (less only at the end of the stream).
async fn read_part<R: AsyncRead + Unpin>(reader: &mut R, size: usize) -> std::io::Result<Bytes> {
    let mut buf = BytesMut::with_capacity(size);
    while buf.len() < size {
        // `read_buf` never grows the buffer past its capacity here.
        let limit = size - buf.len();
        let n = (&mut *reader).take(limit as u64).read_buf(&mut buf).await?;
        if n == 0 {
            break;
        }
    }
    Ok(buf.freeze())
}

/// How long an abort waits for part uploads already sent to finish before
/// it gives up on them and aborts anyway.
const SETTLE_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

type PartTasks = JoinSet<Result<CompletedPart>>;

/// A multipart upload in progress and its part uploads in flight; aborts
/// the upload when dropped armed (cancellation).
///
/// A part request the server has received goes on when the client stops
/// waiting for it: aborting first and leaving it running lets the server
/// store that part after the abort, where nothing lists or frees it (S3
/// bills it; `s3s-fs` keeps the file). So every abort first lets the parts
/// in flight finish, up to [`SETTLE_LIMIT`], and only then aborts.
struct PendingUpload {
    bucket: Bucket,
    key: String,
    upload_id: String,
    tasks: PartTasks,
    /// When waiting for `tasks` stops: set by the first abort, kept by the
    /// one spawned if that abort is dropped.
    settle_by: Option<tokio::time::Instant>,
    armed: bool,
}

impl PendingUpload {
    /// Lets the parts in flight finish (their results do not matter any
    /// more), then aborts the upload; `true` when the abort succeeded.
    async fn abort(&mut self) -> bool {
        let by = *self
            .settle_by
            .get_or_insert_with(|| tokio::time::Instant::now() + SETTLE_LIMIT);
        settle(&mut self.tasks, by).await;
        self.bucket
            .abort_upload(&self.key, &self.upload_id)
            .await
            .is_ok()
    }
}

/// Waits for every task in `tasks` until `by`; cancels what is left then.
async fn settle(tasks: &mut PartTasks, by: tokio::time::Instant) {
    let drained = async { while tasks.join_next().await.is_some() {} };
    if tokio::time::timeout_at(by, drained).await.is_err() {
        tracing::warn!(
            left = tasks.len(),
            "part uploads still running: aborting without them"
        );
        tasks.abort_all();
    }
}

impl Drop for PendingUpload {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let mut pending = PendingUpload {
                bucket: self.bucket.clone(),
                key: std::mem::take(&mut self.key),
                upload_id: std::mem::take(&mut self.upload_id),
                tasks: std::mem::take(&mut self.tasks),
                settle_by: self.settle_by,
                armed: false,
            };
            tracing::debug!(key = %pending.key, upload_id = %pending.upload_id, "upload dropped: aborting");
            handle.spawn(async move {
                if !pending.abort().await {
                    tracing::warn!(
                        key = %pending.key,
                        upload_id = %pending.upload_id,
                        "dropped upload not aborted: abort it with Bucket::abort_upload"
                    );
                }
            });
        }
    }
}

impl Bucket {
    /// Uploads everything `reader` yields to `key`, in parallel parts with
    /// bounded memory (see the [module documentation](self)).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a bad key (before any request);
    /// [`Error::Upload`] when a multipart upload failed (aborted or not);
    /// the failure of the single `PutObject` for a short body.
    ///
    /// # Examples
    ///
    /// See the [module documentation](self).
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// use pillars_storage::s3::UploadOptions;
    /// let dump = tokio::fs::File::open("/var/backups/dump.sql").await?;
    /// bucket.upload("dump.sql", dump, &UploadOptions::new()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn upload<R>(&self, key: &str, reader: R, opts: &UploadOptions) -> Result<Uploaded>
    where
        R: AsyncRead + Unpin + Send,
    {
        validate_key(key)?;
        let span = tracing::debug_span!("s3.upload", bucket = %self.name(), key);
        self.upload_inner(key, reader, opts).instrument(span).await
    }

    /// Uploads a file (its length sets the part size, see
    /// [`UploadOptions::size_hint`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be opened; as
    /// [`upload`](Self::upload).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// use pillars_storage::s3::UploadOptions;
    /// bucket.upload_file("backup.tar", "/var/backups/backup.tar", &UploadOptions::new()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn upload_file(
        &self,
        key: &str,
        path: impl AsRef<Path>,
        opts: &UploadOptions,
    ) -> Result<Uploaded> {
        validate_key(key)?;
        let file = tokio::fs::File::open(path.as_ref()).await?;
        let len = file.metadata().await?.len();
        let opts = opts.clone().size_hint(len);
        self.upload(key, file, &opts).await
    }

    /// Aborts a multipart upload, removing its parts.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] for an unknown upload; the service's failure.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket, err: pillars_storage::s3::Error) -> pillars_storage::s3::Result<()> {
    /// use pillars_storage::s3::Error;
    /// if let Error::Upload { key, upload_id, aborted: false, .. } = err {
    ///     bucket.abort_upload(&key, &upload_id).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn abort_upload(&self, key: &str, upload_id: &str) -> Result<()> {
        validate_key(key)?;
        self.client()
            .abort_multipart_upload()
            .bucket(self.name())
            .key(key)
            .upload_id(upload_id)
            .send()
            .instrument(tracing::debug_span!("s3.abort_multipart_upload", bucket = %self.name(), key, upload_id))
            .await
            .map_err(|e| Error::from_sdk("AbortMultipartUpload", upload_id, e))?;
        Ok(())
    }

    /// Multipart uploads of this bucket neither completed nor aborted
    /// (`ListMultipartUploads`, every page): `(key, upload_id)` pairs.
    /// `s3s-fs` 0.14 does not implement it.
    ///
    /// # Errors
    ///
    /// The service's failure (`NotImplemented` on servers without it).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// for (key, id) in bucket.list_uploads().await? {
    ///     bucket.abort_upload(&key, &id).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_uploads(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        let mut markers: (Option<String>, Option<String>) = (None, None);
        loop {
            let page = self
                .client()
                .list_multipart_uploads()
                .bucket(self.name())
                .set_key_marker(markers.0.take())
                .set_upload_id_marker(markers.1.take())
                .send()
                .instrument(
                    tracing::debug_span!("s3.list_multipart_uploads", bucket = %self.name()),
                )
                .await
                .map_err(|e| Error::from_sdk("ListMultipartUploads", self.name(), e))?;
            out.extend(
                page.uploads()
                    .iter()
                    .filter_map(|u| Some((u.key()?.to_owned(), u.upload_id()?.to_owned()))),
            );
            if page.is_truncated() != Some(true) {
                break;
            }
            markers = (
                page.next_key_marker().map(str::to_owned),
                page.next_upload_id_marker().map(str::to_owned),
            );
            if markers.0.is_none() && markers.1.is_none() {
                break;
            }
        }
        Ok(out)
    }

    async fn upload_inner<R>(
        &self,
        key: &str,
        mut reader: R,
        opts: &UploadOptions,
    ) -> Result<Uploaded>
    where
        R: AsyncRead + Unpin + Send,
    {
        let base = opts.initial_part_size();
        let first = read_part(&mut reader, base).await?;
        if first.len() < base {
            let size = first.len() as u64;
            let meta = self.put(key, first, &opts.put).await?;
            return Ok(Uploaded {
                e_tag: meta.e_tag,
                size,
                parts: 0,
            });
        }
        let with_checksums = matches!(
            self.client().config().request_checksum_calculation(),
            Some(RequestChecksumCalculation::WhenSupported)
        );
        let created = self
            .client()
            .create_multipart_upload()
            .bucket(self.name())
            .key(key)
            .set_content_type(opts.put.content_type_ref().map(str::to_owned))
            .set_cache_control(opts.put.cache_control_ref().map(str::to_owned))
            .set_metadata(opts.put.metadata_map())
            .set_checksum_algorithm(with_checksums.then_some(ChecksumAlgorithm::Crc32))
            .send()
            .await
            .map_err(|e| Error::from_sdk("CreateMultipartUpload", key, e))?;
        let upload_id = created
            .upload_id()
            .ok_or_else(|| Error::InvalidInput("server returned no upload id".into()))?
            .to_owned();
        let mut pending = PendingUpload {
            bucket: self.clone(),
            key: key.to_owned(),
            upload_id: upload_id.clone(),
            tasks: JoinSet::new(),
            settle_by: None,
            armed: true,
        };
        let result = self
            .upload_parts(&mut pending, first, &mut reader, base, opts)
            .await;
        match result {
            Ok(done) => {
                pending.armed = false;
                Ok(done)
            }
            Err(source) => {
                // Still armed while aborting: if this future is dropped
                // now, `pending` aborts from a spawned task.
                let aborted = pending.abort().await;
                pending.armed = false;
                tracing::warn!(key, %upload_id, aborted, error = %source, "multipart upload failed");
                Err(Error::Upload {
                    key: key.to_owned(),
                    upload_id,
                    aborted,
                    source: Box::new(source),
                })
            }
        }
    }

    /// Uploads the parts on `pending`'s tasks (left there on failure, for
    /// the abort to wait for) and completes the upload.
    async fn upload_parts<R>(
        &self,
        pending: &mut PendingUpload,
        first: Bytes,
        reader: &mut R,
        base: usize,
        opts: &UploadOptions,
    ) -> Result<Uploaded>
    where
        R: AsyncRead + Unpin + Send,
    {
        let (key, upload_id, tasks) =
            (&pending.key[..], &pending.upload_id[..], &mut pending.tasks);
        let mut done: Vec<CompletedPart> = Vec::new();
        let mut next = Some(first);
        let mut number = 1usize;
        let mut size = 0u64;
        while let Some(body) = next.take() {
            if body.is_empty() {
                break;
            }
            if number > MAX_PARTS {
                return Err(Error::InvalidInput(format!("more than {MAX_PARTS} parts")));
            }
            let last = body.len() < part_size_for(base, number);
            size += body.len() as u64;
            tasks.spawn(upload_part(
                self.clone(),
                key.to_owned(),
                upload_id.to_owned(),
                number,
                body,
            ));
            number += 1;
            if last {
                break;
            }
            // Wait for a free slot before reading the next part: at most
            // `concurrency` part buffers exist at once.
            while tasks.len() >= opts.concurrency {
                done.push(joined(tasks.join_next().await)?);
            }
            next = Some(read_part(reader, part_size_for(base, number)).await?);
        }
        while let Some(res) = tasks.join_next().await {
            done.push(joined(Some(res))?);
        }
        done.sort_by_key(CompletedPart::part_number);
        let parts = done.len();
        let expected_e_tag = multipart_e_tag(done.iter().map(CompletedPart::e_tag));
        let mut complete = self
            .client()
            .complete_multipart_upload()
            .bucket(self.name())
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(done))
                    .build(),
            );
        complete = match opts.put.mode_ref() {
            PutMode::Overwrite => complete,
            PutMode::Create => complete.if_none_match("*"),
            PutMode::Update(tag) => complete.if_match(tag),
        };
        let e_tag = match complete
            .send()
            .instrument(tracing::debug_span!(
                "s3.complete_multipart_upload",
                key,
                upload_id,
                parts
            ))
            .await
        {
            Ok(out) => out.e_tag().map(str::to_owned),
            // Some S3-compatible servers (moto) answer 200 with a body the
            // SDK cannot decode although the upload completed: a 2xx reply
            // that carries no error code. Confirm with HEAD: the same size
            // and exactly the ETag S3 gives these parts. (A 200 with an
            // `<Error>` body has a code and is reported as it is.)
            Err(e)
                if e.raw_response().is_some_and(|r| r.status().is_success())
                    && ProvideErrorMetadata::code(&e).is_none() =>
            {
                let head = self.head(key).await?;
                let stored = head.meta.e_tag.as_deref().map(|t| t.trim_matches('"'));
                if head.meta.size != size
                    || expected_e_tag.is_none()
                    || stored != expected_e_tag.as_deref()
                {
                    return Err(Error::from_sdk("CompleteMultipartUpload", key, e));
                }
                tracing::debug!(key, upload_id, error = %e, "completion confirmed by HEAD");
                head.meta.e_tag
            }
            Err(e) => return Err(Error::from_sdk("CompleteMultipartUpload", key, e)),
        };
        Ok(Uploaded { e_tag, size, parts })
    }
}

/// The `ETag` S3 gives a completed multipart upload: the hex MD5 of the
/// parts' binary MD5s, then `-<parts>`; `None` when a part `ETag` is not a
/// plain MD5 (e.g. SSE-KMS), so it cannot be predicted.
fn multipart_e_tag<'a>(part_tags: impl Iterator<Item = Option<&'a str>>) -> Option<String> {
    use md5::{Digest, Md5};
    let mut hasher = Md5::new();
    let mut parts = 0_usize;
    for tag in part_tags {
        let hex = tag?.trim_matches('"');
        if hex.len() != 32 {
            return None;
        }
        let mut digest = [0_u8; 16];
        for (i, byte) in digest.iter_mut().enumerate() {
            *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        hasher.update(digest);
        parts += 1;
    }
    let quoted = super::fs::etag_of_digest(&hasher.finalize());
    Some(format!("{}-{parts}", quoted.trim_matches('"')))
}

fn joined(
    res: Option<Result<Result<CompletedPart>, tokio::task::JoinError>>,
) -> Result<CompletedPart> {
    match res {
        Some(Ok(part)) => part,
        Some(Err(e)) => Err(Error::Io(std::io::Error::other(e))),
        None => Err(Error::Io(std::io::Error::other("no part task left"))),
    }
}

async fn upload_part(
    bucket: Bucket,
    key: String,
    upload_id: String,
    number: usize,
    body: Bytes,
) -> Result<CompletedPart> {
    let part_number =
        i32::try_from(number).map_err(|_| Error::InvalidInput("part number overflow".into()))?;
    let len = body.len();
    let out = bucket
        .client()
        .upload_part()
        .bucket(bucket.name())
        .key(&key)
        .upload_id(&upload_id)
        .part_number(part_number)
        .content_length(i64::try_from(len).unwrap_or(i64::MAX))
        .body(ByteStream::from(body))
        .send()
        .instrument(tracing::debug_span!(
            "s3.upload_part",
            key,
            part_number,
            len
        ))
        .await
        .map_err(|e| Error::from_sdk("UploadPart", &key, e))?;
    Ok(CompletedPart::builder()
        .part_number(part_number)
        .set_e_tag(out.e_tag().map(str::to_owned))
        .set_checksum_crc32(out.checksum_crc32().map(str::to_owned))
        .build())
}

#[cfg(test)]
mod tests {
    use super::multipart_e_tag;

    #[test]
    fn multipart_e_tag_is_the_md5_of_the_part_md5s() {
        // md5("") = d41d8cd98f00b204e9800998ecf8427e; two such parts.
        let empty = "\"d41d8cd98f00b204e9800998ecf8427e\"";
        let tag = multipart_e_tag([Some(empty), Some(empty)].into_iter()).expect("plain MD5s");
        assert!(tag.ends_with("-2"));
        assert_eq!(tag.len(), 32 + 2);
        assert_ne!(
            tag,
            multipart_e_tag([Some(empty)].into_iter()).expect("plain MD5")
        );
        assert_eq!(multipart_e_tag([Some("\"abc\"")].into_iter()), None);
        assert_eq!(multipart_e_tag([None].into_iter()), None);
        assert_eq!(
            multipart_e_tag([Some(&"zz".repeat(16)[..])].into_iter()),
            None
        );
    }
}
