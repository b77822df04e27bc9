//! [`Bucket`]: a handle on one bucket, with every bucket-basics operation.
//!
//! | operation | method |
//! | --- | --- |
//! | list buckets / bucket exists / create / delete bucket | [`Bucket::list_buckets`], [`Bucket::bucket_exists`], [`Bucket::create`], [`Bucket::delete_bucket`] |
//! | put (content type, metadata, cache control, `If-None-Match`, `If-Match`) | [`Bucket::put`] with [`PutOptions`] |
//! | get / head / exists | [`Bucket::get`], [`Bucket::head`], [`Bucket::exists`] |
//! | copy within and across buckets | [`Bucket::copy`], [`Bucket::copy_from`] |
//! | list (every page, as a stream) | [`Bucket::list`](super::list) |
//! | delete one / many (batches of 1000) / empty the bucket | [`Bucket::delete`], [`Bucket::delete_many`], [`Bucket::empty`] |
//!
//! Every method checks names and keys first ([`Error::InvalidInput`], no
//! request sent) and runs in a `tracing` span named after the operation.
//!
//! ```
//! use bytes::Bytes;
//! use pillars_storage::s3::{PutOptions, testing::TestServer};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = TestServer::start()?;
//! let bucket = server.bucket("docs").await?;
//! bucket.create().await?;
//! let opts = PutOptions::new().content_type("text/plain").metadata("owner", "ada");
//! bucket.put("hello.txt", Bytes::from_static(b"hi"), &opts).await?;
//! let info = bucket.head("hello.txt").await?;
//! assert_eq!(info.content_type.as_deref(), Some("text/plain"));
//! assert_eq!(info.metadata.get("owner").map(String::as_str), Some("ada"));
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use bytes::Bytes;
use futures::TryStreamExt;
use tracing::Instrument;

use super::error::{Error, Result};
use super::list::ListOptions;
use super::names::{validate_bucket_name, validate_key};
use super::object_store::{ObjectMeta, PutMode};

/// The most keys one `DeleteObjects` request takes.
///
/// # Examples
///
/// ```
/// assert_eq!(pillars_storage::s3::DELETE_BATCH, 1000);
/// ```
pub const DELETE_BATCH: usize = 1000;

/// A handle on one bucket: an SDK client and a bucket name. Cheap to clone.
///
/// # Examples
///
/// ```no_run
/// # async fn f() -> pillars_storage::s3::Result<()> {
/// let client = pillars_storage::s3::S3Config::from_env()?.client().await;
/// let bucket = pillars_storage::s3::Bucket::new(client, "uploads")?;
/// assert_eq!(bucket.name(), "uploads");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Bucket {
    client: aws_sdk_s3::Client,
    name: Arc<str>,
}

/// What [`Bucket::create`] did.
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::Created;
/// assert_ne!(Created::New, Created::AlreadyOwned);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// The bucket was created.
    New,
    /// It already existed and these credentials can use it.
    AlreadyOwned,
}

/// Options of [`Bucket::put`].
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::{PutMode, PutOptions};
/// let opts = PutOptions::new()
///     .content_type("application/json")
///     .cache_control("max-age=60")
///     .metadata("source", "import")
///     .mode(PutMode::Create);
/// assert_eq!(opts.mode_ref(), &PutMode::Create);
/// ```
#[derive(Debug, Clone, Default)]
pub struct PutOptions {
    content_type: Option<String>,
    cache_control: Option<String>,
    metadata: HashMap<String, String>,
    mode: PutMode,
}

impl PutOptions {
    /// No content type, no metadata, overwrite.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = pillars_storage::s3::PutOptions::new();
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The `Content-Type` stored with the object.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = pillars_storage::s3::PutOptions::new().content_type("image/png");
    /// ```
    #[must_use]
    pub fn content_type(mut self, value: impl Into<String>) -> Self {
        self.content_type = Some(value.into());
        self
    }

    /// The `Cache-Control` stored with the object.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = pillars_storage::s3::PutOptions::new().cache_control("no-cache");
    /// ```
    #[must_use]
    pub fn cache_control(mut self, value: impl Into<String>) -> Self {
        self.cache_control = Some(value.into());
        self
    }

    /// One user metadata entry (`x-amz-meta-NAME`).
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = pillars_storage::s3::PutOptions::new().metadata("owner", "ada");
    /// ```
    #[must_use]
    pub fn metadata(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(name.into(), value.into());
        self
    }

    /// Overwrite, create only, or update only a given `ETag`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::s3::{PutMode, PutOptions};
    /// let _ = PutOptions::new().mode(PutMode::Create);
    /// ```
    #[must_use]
    pub fn mode(mut self, mode: PutMode) -> Self {
        self.mode = mode;
        self
    }

    /// The put mode.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::s3::{PutMode, PutOptions};
    /// assert_eq!(PutOptions::new().mode_ref(), &PutMode::Overwrite);
    /// ```
    #[must_use]
    pub fn mode_ref(&self) -> &PutMode {
        &self.mode
    }

    pub(crate) fn content_type_ref(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    pub(crate) fn cache_control_ref(&self) -> Option<&str> {
        self.cache_control.as_deref()
    }

    pub(crate) fn metadata_map(&self) -> Option<HashMap<String, String>> {
        (!self.metadata.is_empty()).then(|| self.metadata.clone())
    }
}

/// What `HEAD` tells about an object.
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::{ObjectInfo, ObjectMeta};
/// let info = ObjectInfo {
///     meta: ObjectMeta { key: "k".into(), size: 0, e_tag: None, last_modified: None },
///     content_type: None,
///     cache_control: None,
///     metadata: Default::default(),
/// };
/// assert_eq!(info.meta.key, "k");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Key, size, `ETag`, last modified.
    pub meta: ObjectMeta,
    /// The stored `Content-Type`.
    pub content_type: Option<String>,
    /// The stored `Cache-Control`.
    pub cache_control: Option<String>,
    /// User metadata (`x-amz-meta-*`), names lowercased by S3.
    pub metadata: HashMap<String, String>,
}

/// The outcome of [`Bucket::delete_many`]: keys S3 refused are reported
/// one by one; the others were deleted.
///
/// # Examples
///
/// ```
/// let report = pillars_storage::s3::DeleteReport::default();
/// assert!(report.is_complete());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteReport {
    /// How many keys were deleted (or were already absent).
    pub deleted: usize,
    /// Keys that could not be deleted: key, S3 error code, message.
    pub failed: Vec<DeleteFailure>,
}

impl DeleteReport {
    /// Whether every key was deleted.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(pillars_storage::s3::DeleteReport::default().is_complete());
    /// ```
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }
}

/// One key [`Bucket::delete_many`] could not delete.
///
/// # Examples
///
/// ```
/// let f = pillars_storage::s3::DeleteFailure { key: "k".into(), code: "AccessDenied".into(), message: String::new() };
/// assert_eq!(f.code, "AccessDenied");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteFailure {
    /// The key.
    pub key: String,
    /// The S3 error code.
    pub code: String,
    /// The S3 error message.
    pub message: String,
}

pub(crate) fn to_system_time(t: Option<&DateTime>) -> Option<SystemTime> {
    t.and_then(|t| SystemTime::try_from(*t).ok())
}

/// Percent-encodes a key for `x-amz-copy-source` (keeps `/` and unreserved).
fn encode_key(key: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(key.len());
    for &b in key.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

impl Bucket {
    /// A handle on `name` using `client` (any configuration: custom
    /// endpoint, retries, credentials).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a bad bucket name.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f() -> pillars_storage::s3::Result<()> {
    /// let conf = aws_config::load_from_env().await;
    /// let bucket = pillars_storage::s3::Bucket::new(aws_sdk_s3::Client::new(&conf), "logs")?;
    /// # let _ = bucket; Ok(()) }
    /// ```
    pub fn new(client: aws_sdk_s3::Client, name: &str) -> Result<Self> {
        validate_bucket_name(name)?;
        Ok(Self {
            client,
            name: Arc::from(name),
        })
    }

    /// The bucket's name.
    ///
    /// # Examples
    ///
    /// See [`Bucket::new`].
    ///
    /// ```no_run
    /// # fn f(bucket: pillars_storage::s3::Bucket) { println!("{}", bucket.name()); }
    /// ```
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The SDK client, for operations this handle does not wrap.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn f(bucket: pillars_storage::s3::Bucket) { let _ = bucket.client().config(); }
    /// ```
    #[must_use]
    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }

    /// The same client on another bucket.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a bad bucket name.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// let archive = bucket.with_name("archive")?;
    /// # let _ = archive; Ok(()) }
    /// ```
    pub fn with_name(&self, name: &str) -> Result<Self> {
        Self::new(self.client.clone(), name)
    }

    /// The names of every bucket these credentials own.
    ///
    /// # Errors
    ///
    /// The service's failure.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// for name in bucket.list_buckets().await? { println!("{name}"); }
    /// # Ok(()) }
    /// ```
    pub async fn list_buckets(&self) -> Result<Vec<String>> {
        async {
            let mut names = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let out = self
                    .client
                    .list_buckets()
                    .set_continuation_token(token.take())
                    .send()
                    .await
                    .map_err(|e| Error::from_sdk("ListBuckets", "", e))?;
                names.extend(
                    out.buckets()
                        .iter()
                        .filter_map(|b| b.name().map(str::to_owned)),
                );
                match out.continuation_token() {
                    Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                    _ => break,
                }
            }
            Ok(names)
        }
        .instrument(tracing::debug_span!("s3.list_buckets"))
        .await
    }

    /// Whether the bucket exists (and these credentials can see it).
    ///
    /// # Errors
    ///
    /// Any failure other than "not found".
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// if !bucket.bucket_exists().await? { bucket.create().await?; }
    /// # Ok(()) }
    /// ```
    pub async fn bucket_exists(&self) -> Result<bool> {
        let res = self
            .client
            .head_bucket()
            .bucket(self.name())
            .send()
            .instrument(tracing::debug_span!("s3.head_bucket", bucket = %self.name))
            .await;
        match res {
            Ok(_) => Ok(true),
            Err(e) => match Error::from_sdk("HeadBucket", self.name(), e) {
                e if e.is_not_found() => Ok(false),
                e => Err(e),
            },
        }
    }

    /// Creates the bucket (in the client's region); a bucket that already
    /// exists and is usable with these credentials is not an error
    /// (`BucketAlreadyOwnedByYou`, or `BucketAlreadyExists` followed by a
    /// successful `HeadBucket`; AWS in `us-east-1` simply answers success,
    /// reported as [`Created::New`]).
    ///
    /// # Errors
    ///
    /// [`Error::AlreadyExists`] when someone else owns the name, or the
    /// service's failure.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::s3::{Created, testing::TestServer};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = TestServer::start()?;
    /// let bucket = server.bucket("twice").await?;
    /// assert_eq!(bucket.create().await?, Created::New);
    /// assert_eq!(bucket.create().await?, Created::AlreadyOwned);
    /// # Ok(()) }
    /// ```
    pub async fn create(&self) -> Result<Created> {
        let span = tracing::debug_span!("s3.create_bucket", bucket = %self.name);
        async {
            let mut req = self.client.create_bucket().bucket(self.name());
            let region = self.client.config().region().map(ToString::to_string);
            if let Some(region) = region.filter(|r| r != "us-east-1") {
                req = req.create_bucket_configuration(
                    aws_sdk_s3::types::CreateBucketConfiguration::builder()
                        .location_constraint(region.as_str().into())
                        .build(),
                );
            }
            match req.send().await {
                Ok(_) => Ok(Created::New),
                Err(e) => {
                    let owned = aws_sdk_s3::error::ProvideErrorMetadata::code(&e)
                        == Some("BucketAlreadyOwnedByYou");
                    let err = Error::from_sdk("CreateBucket", self.name(), e);
                    // Some servers answer BucketAlreadyExists for one's own
                    // bucket: it is ours when we can HEAD it.
                    if owned
                        || (matches!(err, Error::AlreadyExists { .. })
                            && self.bucket_exists().await.unwrap_or(false))
                    {
                        Ok(Created::AlreadyOwned)
                    } else {
                        Err(err)
                    }
                }
            }
        }
        .instrument(span)
        .await
    }

    /// Deletes the (empty) bucket; see [`empty`](Self::empty) first.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`], or the service's failure (`BucketNotEmpty`).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// bucket.empty().await?;
    /// bucket.delete_bucket().await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_bucket(&self) -> Result<()> {
        self.client
            .delete_bucket()
            .bucket(self.name())
            .send()
            .instrument(tracing::debug_span!("s3.delete_bucket", bucket = %self.name))
            .await
            .map_err(|e| Error::from_sdk("DeleteBucket", self.name(), e))?;
        Ok(())
    }

    /// Writes `body` under `key` with `opts` (content type, metadata,
    /// cache control, conditional mode). For large or streamed bodies use
    /// [`upload`](Self::upload).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a bad key; [`Error::PreconditionFailed`]
    /// when the mode does not hold; the service's failure.
    ///
    /// # Examples
    ///
    /// ```
    /// use bytes::Bytes;
    /// use pillars_storage::s3::{PutMode, PutOptions, testing::TestServer};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = TestServer::start()?;
    /// let bucket = server.bucket("locks").await?;
    /// bucket.create().await?;
    /// let create = PutOptions::new().mode(PutMode::Create);
    /// bucket.put("lock", Bytes::from_static(b"me"), &create).await?;
    /// let again = bucket.put("lock", Bytes::from_static(b"you"), &create).await;
    /// assert!(again.unwrap_err().is_precondition_failed());
    /// # Ok(()) }
    /// ```
    pub async fn put(&self, key: &str, body: Bytes, opts: &PutOptions) -> Result<ObjectMeta> {
        validate_key(key)?;
        let size = body.len() as u64;
        let span = tracing::debug_span!("s3.put_object", bucket = %self.name, key, size);
        let mut req = self
            .client
            .put_object()
            .bucket(self.name())
            .key(key)
            .body(ByteStream::from(body))
            .set_content_type(opts.content_type_ref().map(str::to_owned))
            .set_cache_control(opts.cache_control_ref().map(str::to_owned))
            .set_metadata(opts.metadata_map());
        req = match &opts.mode {
            PutMode::Overwrite => req,
            PutMode::Create => req.if_none_match("*"),
            PutMode::Update(tag) => req.if_match(tag),
        };
        let out = req.send().instrument(span).await.map_err(|e| {
            match Error::from_sdk("PutObject", key, e) {
                // If-Match on a missing key: S3 answers 404, the condition failed.
                Error::NotFound { what, source } if matches!(opts.mode, PutMode::Update(_)) => {
                    Error::PreconditionFailed { what, source }
                }
                e => e,
            }
        })?;
        Ok(ObjectMeta {
            key: key.to_owned(),
            size,
            e_tag: out.e_tag().map(str::to_owned),
            last_modified: Some(SystemTime::now()),
        })
    }

    /// Reads a whole object into memory. For large objects use
    /// [`download`](Self::download).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`]; the service's failure.
    ///
    /// # Examples
    ///
    /// See the [module documentation](self).
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// let bytes = bucket.get("hello.txt").await?;
    /// # let _ = bytes; Ok(()) }
    /// ```
    pub async fn get(&self, key: &str) -> Result<Bytes> {
        validate_key(key)?;
        let span = tracing::debug_span!("s3.get_object", bucket = %self.name, key);
        async {
            let out = self
                .client
                .get_object()
                .bucket(self.name())
                .key(key)
                .send()
                .await
                .map_err(|e| Error::from_sdk("GetObject", key, e))?;
            collect_body(out.body).await
        }
        .instrument(span)
        .await
    }

    /// The object's metadata.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`]; the service's failure.
    ///
    /// # Examples
    ///
    /// See the [module documentation](self).
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// println!("{} bytes", bucket.head("hello.txt").await?.meta.size);
    /// # Ok(()) }
    /// ```
    pub async fn head(&self, key: &str) -> Result<ObjectInfo> {
        validate_key(key)?;
        let out = self
            .client
            .head_object()
            .bucket(self.name())
            .key(key)
            .send()
            .instrument(tracing::debug_span!("s3.head_object", bucket = %self.name, key))
            .await
            .map_err(|e| Error::from_sdk("HeadObject", key, e))?;
        Ok(ObjectInfo {
            meta: ObjectMeta {
                key: key.to_owned(),
                size: out
                    .content_length()
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
                e_tag: out.e_tag().map(str::to_owned),
                last_modified: to_system_time(out.last_modified()),
            },
            content_type: out.content_type().map(str::to_owned),
            cache_control: out.cache_control().map(str::to_owned),
            metadata: out.metadata().cloned().unwrap_or_default(),
        })
    }

    /// Whether the object exists.
    ///
    /// # Errors
    ///
    /// Any failure other than "not found".
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// assert!(!bucket.exists("missing").await?);
    /// # Ok(()) }
    /// ```
    pub async fn exists(&self, key: &str) -> Result<bool> {
        match self.head(key).await {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Copies `from` to `to` within this bucket (server side).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when `from` is missing; the service's failure.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// bucket.copy("draft.txt", "final.txt").await?;
    /// # Ok(()) }
    /// ```
    pub async fn copy(&self, from: &str, to: &str) -> Result<ObjectMeta> {
        self.copy_from(self.name(), from, to).await
    }

    /// Copies `src_key` of bucket `src_bucket` to `to` in this bucket
    /// (server side, up to 5 GiB).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for bad names; [`Error::NotFound`] when the
    /// source is missing; the service's failure.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// bucket.copy_from("incoming", "a.csv", "imported/a.csv").await?;
    /// # Ok(()) }
    /// ```
    pub async fn copy_from(&self, src_bucket: &str, src_key: &str, to: &str) -> Result<ObjectMeta> {
        validate_bucket_name(src_bucket)?;
        validate_key(src_key)?;
        validate_key(to)?;
        let out = self
            .client
            .copy_object()
            .bucket(self.name())
            .key(to)
            .copy_source(format!("{src_bucket}/{}", encode_key(src_key)))
            .send()
            .instrument(tracing::debug_span!("s3.copy_object", bucket = %self.name, src_bucket, src_key, to))
            .await
            .map_err(|e| Error::from_sdk("CopyObject", src_key, e))?;
        let result = out.copy_object_result();
        let e_tag = result.and_then(|r| r.e_tag()).map(str::to_owned);
        let size = self.head(to).await.map_or(0, |i| i.meta.size);
        Ok(ObjectMeta {
            key: to.to_owned(),
            size,
            e_tag,
            last_modified: to_system_time(result.and_then(|r| r.last_modified())),
        })
    }

    /// Deletes one object; a missing key is not an error.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a bad key; the service's failure.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// bucket.delete("old.txt").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, key: &str) -> Result<()> {
        validate_key(key)?;
        let res = self
            .client
            .delete_object()
            .bucket(self.name())
            .key(key)
            .send()
            .instrument(tracing::debug_span!("s3.delete_object", bucket = %self.name, key))
            .await;
        match res {
            Ok(_) => Ok(()),
            // S3 answers 204 for a missing key; some servers say NoSuchKey.
            Err(e) if aws_sdk_s3::error::ProvideErrorMetadata::code(&e) == Some("NoSuchKey") => {
                Ok(())
            }
            Err(e) => Err(Error::from_sdk("DeleteObject", key, e)),
        }
    }

    /// Deletes many objects, 1000 per request; keys the server refuses are
    /// reported one by one in the [`DeleteReport`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a bad key (checked for every key before
    /// the first request); a failure of a whole request.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// let report = bucket.delete_many(["a", "b", "c"]).await?;
    /// assert!(report.is_complete());
    /// # Ok(()) }
    /// ```
    pub async fn delete_many<I, K>(&self, keys: I) -> Result<DeleteReport>
    where
        I: IntoIterator<Item = K>,
        K: Into<String>,
    {
        let keys: Vec<String> = keys.into_iter().map(Into::into).collect();
        for key in &keys {
            validate_key(key)?;
        }
        let mut report = DeleteReport::default();
        for chunk in keys.chunks(DELETE_BATCH) {
            self.delete_batch(chunk, &mut report).await?;
        }
        Ok(report)
    }

    async fn delete_batch(&self, keys: &[String], report: &mut DeleteReport) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let objects = keys
            .iter()
            .map(|k| ObjectIdentifier::builder().key(k).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::InvalidInput(e.to_string()))?;
        let delete = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(|e| Error::InvalidInput(e.to_string()))?;
        let out = self
            .client
            .delete_objects()
            .bucket(self.name())
            .delete(delete)
            .send()
            .instrument(
                tracing::debug_span!("s3.delete_objects", bucket = %self.name, keys = keys.len()),
            )
            .await
            .map_err(|e| Error::from_sdk("DeleteObjects", self.name(), e))?;
        let failed: Vec<DeleteFailure> = out
            .errors()
            .iter()
            .map(|e| DeleteFailure {
                key: e.key().unwrap_or_default().to_owned(),
                code: e.code().unwrap_or_default().to_owned(),
                message: e.message().unwrap_or_default().to_owned(),
            })
            .collect();
        // A server may list more failures than keys sent: never underflow.
        report.deleted += keys.len().saturating_sub(failed.len());
        report.failed.extend(failed);
        Ok(())
    }

    /// Deletes every object of the bucket, page after page (not only the
    /// first 1000), and returns how many were deleted.
    ///
    /// # Errors
    ///
    /// A failed listing or delete request, or [`Error::AccessDenied`]
    /// naming the first key the server refused.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// let n = bucket.empty().await?;
    /// println!("deleted {n} objects");
    /// # Ok(()) }
    /// ```
    pub async fn empty(&self) -> Result<usize> {
        let span = tracing::debug_span!("s3.empty_bucket", bucket = %self.name);
        async {
            let mut listing = self.list_objects(ListOptions::new());
            let mut batch = Vec::with_capacity(DELETE_BATCH);
            let mut report = DeleteReport::default();
            while let Some(meta) = listing.try_next().await? {
                batch.push(meta.key);
                if batch.len() == DELETE_BATCH {
                    self.delete_batch(&batch, &mut report).await?;
                    batch.clear();
                }
            }
            self.delete_batch(&batch, &mut report).await?;
            if let Some(f) = report.failed.first() {
                return Err(Error::AccessDenied {
                    what: format!(
                        "{} of {} keys not deleted, first {}: {} {}",
                        report.failed.len(),
                        report.failed.len() + report.deleted,
                        f.key,
                        f.code,
                        f.message
                    ),
                    source: None,
                });
            }
            Ok(report.deleted)
        }
        .instrument(span)
        .await
    }
}

/// A whole response body in memory.
pub(super) async fn collect_body(body: ByteStream) -> Result<Bytes> {
    Ok(body
        .collect()
        .await
        .map_err(|e| Error::Io(std::io::Error::other(e)))?
        .into_bytes())
}
