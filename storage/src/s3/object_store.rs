//! The [`ObjectStore`] trait: the operations every backend offers, so a
//! service runs on the filesystem in development and on S3 in production
//! with the same code.
//!
//! | backend | type | for |
//! | --- | --- | --- |
//! | memory | [`MemoryStore`](super::MemoryStore) | unit tests |
//! | filesystem | [`FsStore`](super::FsStore) | the embedded default: development, single-node services |
//! | S3 | `Bucket` (feature `s3`) | production, any S3-compatible server |
//!
//! Semantics every backend keeps (checked by one conformance suite in
//! `tests/s3_conformance.rs`):
//! - keys follow [`validate_key`](super::validate_key); bad keys fail with
//!   [`Error::InvalidInput`](super::Error::InvalidInput) before any I/O;
//! - `put` replaces the whole object atomically: readers see the old or
//!   the new bytes, never a mix;
//! - `get`, `head` and `copy` of a missing key fail with
//!   [`Error::NotFound`](super::Error::NotFound); `delete` of a missing key
//!   succeeds;
//! - `list` yields every object whose key starts with the prefix, in
//!   ascending byte order of the key;
//! - [`PutMode::Create`] fails with
//!   [`Error::PreconditionFailed`](super::Error::PreconditionFailed) when
//!   the key exists, [`PutMode::Update`] when its `ETag` differs.
//!
//! ```
//! use bytes::Bytes;
//! use futures::TryStreamExt;
//! use pillars_storage::s3::{MemoryStore, ObjectStore, PutMode};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> pillars_storage::s3::Result<()> {
//! let store: Box<dyn ObjectStore> = Box::new(MemoryStore::new());
//! store.put("a/1", Bytes::from_static(b"one"), PutMode::Overwrite).await?;
//! store.copy("a/1", "a/2").await?;
//! let keys: Vec<String> = store.list("a/").map_ok(|m| m.key).try_collect().await?;
//! assert_eq!(keys, ["a/1", "a/2"]);
//! # Ok(()) }
//! ```

use std::time::SystemTime;

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::BoxStream;

use super::error::Result;

/// What a store knows about one object.
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::ObjectMeta;
/// let meta = ObjectMeta { key: "k".into(), size: 3, e_tag: None, last_modified: None };
/// assert_eq!(meta.size, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    /// The object's key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its entity tag (quoted, as S3 returns it), when the backend has one.
    pub e_tag: Option<String>,
    /// When it was last written, when the backend knows.
    pub last_modified: Option<SystemTime>,
}

/// How a put treats an existing object.
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::PutMode;
/// let mode = PutMode::Update("\"abc\"".into());
/// assert_ne!(mode, PutMode::Create);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PutMode {
    /// Write whatever is there.
    #[default]
    Overwrite,
    /// Write only if the key does not exist (`If-None-Match: *`).
    Create,
    /// Write only if the object's `ETag` is this one (`If-Match`).
    Update(String),
}

/// The operations every backend offers. Object-safe: hold a
/// `Box<dyn ObjectStore>` or `Arc<dyn ObjectStore>`.
///
/// # Examples
///
/// ```
/// use bytes::Bytes;
/// use pillars_storage::s3::{FsStore, ObjectStore, PutMode};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let store = FsStore::new(dir.path())?;
/// store.put("greeting.txt", Bytes::from_static(b"hello"), PutMode::Create).await?;
/// assert_eq!(store.get("greeting.txt").await?, "hello");
/// assert_eq!(store.head("greeting.txt").await?.size, 5);
/// # Ok(()) }
/// ```
pub trait ObjectStore: Send + Sync + std::fmt::Debug {
    /// Writes `body` under `key`, honouring `mode`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a bad key, `PreconditionFailed` when `mode` does
    /// not hold, or the backend's failure.
    fn put<'a>(
        &'a self,
        key: &'a str,
        body: Bytes,
        mode: PutMode,
    ) -> BoxFuture<'a, Result<ObjectMeta>>;

    /// Reads the whole object.
    ///
    /// # Errors
    ///
    /// `NotFound` when the key does not exist.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Bytes>>;

    /// Reads the object's metadata.
    ///
    /// # Errors
    ///
    /// `NotFound` when the key does not exist.
    fn head<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<ObjectMeta>>;

    /// Deletes the object; a missing key is not an error.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a bad key, or the backend's failure.
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>>;

    /// Every object whose key starts with `prefix`, in ascending key order.
    ///
    /// # Errors
    ///
    /// Items are `Err` for a bad prefix or the backend's failure.
    fn list<'a>(&'a self, prefix: &'a str) -> BoxStream<'a, Result<ObjectMeta>>;

    /// Copies `from` to `to` (replacing `to`).
    ///
    /// # Errors
    ///
    /// `NotFound` when `from` does not exist.
    fn copy<'a>(&'a self, from: &'a str, to: &'a str) -> BoxFuture<'a, Result<ObjectMeta>>;

    /// Whether the key exists.
    ///
    /// # Errors
    ///
    /// Any failure of [`head`](Self::head) other than `NotFound`.
    fn exists<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            match self.head(key).await {
                Ok(_) => Ok(true),
                Err(e) if e.is_not_found() => Ok(false),
                Err(e) => Err(e),
            }
        })
    }
}
