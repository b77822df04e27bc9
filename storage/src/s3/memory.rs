//! [`MemoryStore`]: an [`ObjectStore`] in a `BTreeMap`, for unit tests.
//!
//! ```
//! use bytes::Bytes;
//! use pillars_storage::s3::{MemoryStore, ObjectStore, PutMode};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> pillars_storage::s3::Result<()> {
//! let store = MemoryStore::new();
//! let meta = store.put("k", Bytes::from_static(b"v1"), PutMode::Overwrite).await?;
//! let etag = meta.e_tag.unwrap();
//! store.put("k", Bytes::from_static(b"v2"), PutMode::Update(etag.clone())).await?;
//! // The ETag changed: a second update with the old one fails.
//! let err = store.put("k", Bytes::from_static(b"v3"), PutMode::Update(etag)).await.unwrap_err();
//! assert!(err.is_precondition_failed());
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::SystemTime;

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::BoxStream;

use super::error::{Error, Result};
use super::fs::etag_of;
use super::names::{validate_key, validate_prefix};
use super::object_store::{ObjectMeta, ObjectStore, PutMode};

#[derive(Debug, Clone)]
struct Entry {
    body: Bytes,
    meta: ObjectMeta,
}

/// An in-memory [`ObjectStore`]. `ETag`s are the quoted MD5 of the content, as S3 gives
/// for a simple put.
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::MemoryStore;
/// let store = MemoryStore::new();
/// assert!(store.is_empty());
/// ```
#[derive(Debug, Default)]
pub struct MemoryStore {
    objects: Mutex<BTreeMap<String, Entry>>,
}

impl MemoryStore {
    /// An empty store.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pillars_storage::s3::MemoryStore::new().len(), 0);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many objects it holds.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pillars_storage::s3::MemoryStore::new().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether it holds no object.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(pillars_storage::s3::MemoryStore::new().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Entry>> {
        // A panic while holding the lock cannot leave the map half-updated
        // (every update is one insert or remove), so poisoning is ignored.
        self.objects
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self, key: &str, body: Bytes, mode: &PutMode) -> Result<ObjectMeta> {
        validate_key(key)?;
        let mut map = self.lock();
        match (mode, map.get(key)) {
            (PutMode::Create, Some(_)) => {
                return Err(Error::precondition_failed(format!("{key} already exists")));
            }
            (PutMode::Update(_), None) => {
                return Err(Error::precondition_failed(format!("{key} does not exist")));
            }
            (PutMode::Update(tag), Some(e)) if e.meta.e_tag.as_ref() != Some(tag) => {
                return Err(Error::precondition_failed(format!(
                    "{key}: ETag does not match"
                )));
            }
            _ => {}
        }
        let meta = ObjectMeta {
            key: key.to_owned(),
            size: body.len() as u64,
            e_tag: Some(etag_of(&body)),
            last_modified: Some(SystemTime::now()),
        };
        map.insert(
            key.to_owned(),
            Entry {
                body,
                meta: meta.clone(),
            },
        );
        Ok(meta)
    }

    fn entry(&self, key: &str) -> Result<Entry> {
        validate_key(key)?;
        self.lock()
            .get(key)
            .cloned()
            .ok_or_else(|| Error::not_found(key))
    }
}

impl ObjectStore for MemoryStore {
    fn put<'a>(
        &'a self,
        key: &'a str,
        body: Bytes,
        mode: PutMode,
    ) -> BoxFuture<'a, Result<ObjectMeta>> {
        Box::pin(async move { self.write(key, body, &mode) })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Bytes>> {
        Box::pin(async move { Ok(self.entry(key)?.body) })
    }

    fn head<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<ObjectMeta>> {
        Box::pin(async move { Ok(self.entry(key)?.meta) })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            validate_key(key)?;
            self.lock().remove(key);
            Ok(())
        })
    }

    fn list<'a>(&'a self, prefix: &'a str) -> BoxStream<'a, Result<ObjectMeta>> {
        let items: Vec<Result<ObjectMeta>> = match validate_prefix(prefix) {
            Err(e) => vec![Err(e)],
            Ok(()) => self
                .lock()
                .range(prefix.to_owned()..)
                .take_while(|(k, _)| k.starts_with(prefix))
                .map(|(_, e)| Ok(e.meta.clone()))
                .collect(),
        };
        Box::pin(futures::stream::iter(items))
    }

    fn copy<'a>(&'a self, from: &'a str, to: &'a str) -> BoxFuture<'a, Result<ObjectMeta>> {
        Box::pin(async move {
            validate_key(to)?;
            let body = self.entry(from)?.body;
            self.write(to, body, &PutMode::Overwrite)
        })
    }
}
