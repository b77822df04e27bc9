//! [`FsStore`]: an [`ObjectStore`] in a local directory, the embedded
//! default (the tour and a service in development run with no server).
//!
//! A key `a/b/c.txt` is the file `ROOT/a/b/c.txt`. Keys are checked before
//! any I/O so none can leave the root: every `/`-separated segment must be
//! non-empty, not `.` or `..`, free of `\` and at most 255 bytes, and
//! segments starting with `.pillars-` are reserved (temporary files live in
//! `ROOT/.pillars-tmp`). Writes go to a temporary file that is synced and
//! renamed into place, so readers see the old or the new bytes, never a
//! mix. `ETag`s are the quoted MD5 of the content, as S3 gives for a simple
//! put. On Linux a put stores the `ETag` in an extended attribute of the
//! file (`user.pillars.etag`, stamped with the file's size and modification
//! time in nanoseconds), so `head`, `list` and conditional puts read it in
//! one system call instead of hashing the file. Where the stamp no longer
//! matches (the file was rewritten by another program), the filesystem has
//! no user extended attributes, or on other systems, `head` and conditional
//! puts hash the file and `list` gives no `ETag`. As with `object_store`'s
//! `LocalFileSystem` (whose `ETag`s are inode, size and modification time),
//! an outside edit that keeps both the size and the modification time is not
//! seen (file times often tick in milliseconds, so a same-size rewrite by
//! another program within one tick of the last put keeps the old `ETag`;
//! puts through `FsStore` always refresh it).
//!
//! Limits: a key cannot be both an object and a "directory" of other keys
//! (`a` and `a/b`): the second put fails with
//! [`Error::InvalidInput`]. Conditional puts are atomic within one process
//! (`Create` is atomic across processes too, through a hard link).
//!
//! ```
//! use bytes::Bytes;
//! use pillars_storage::s3::{FsStore, ObjectStore, PutMode};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let store = FsStore::new(dir.path())?;
//! store.put("reports/2024/q1.csv", Bytes::from_static(b"a,b\n"), PutMode::Overwrite).await?;
//! assert!(dir.path().join("reports/2024/q1.csv").is_file());
//! assert!(store.path_of("../etc/passwd").is_err());
//! # Ok(()) }
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use md5::{Digest, Md5};

use super::error::{Error, Result};
use super::fs_etag;
use super::names::{validate_key, validate_prefix};
use super::object_store::{ObjectMeta, ObjectStore, PutMode};

const RESERVED: &str = ".pillars-";
const TMP_DIR: &str = ".pillars-tmp";

/// An [`ObjectStore`] in a local directory.
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::FsStore;
/// let dir = tempfile::tempdir()?;
/// let store = FsStore::new(dir.path())?;
/// assert_eq!(store.path_of("a/b")?, store.root().join("a").join("b"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct FsStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    root: PathBuf,
    writes: tokio::sync::Mutex<()>,
}

impl FsStore {
    /// A store in `root`, created if missing.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the directory cannot be created or resolved.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let store = pillars_storage::s3::FsStore::new(dir.path().join("objects"))?;
    /// assert!(store.root().is_dir());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(root: impl AsRef<Path>) -> Result<Self> {
        std::fs::create_dir_all(root.as_ref())?;
        let root = std::fs::canonicalize(root.as_ref())?;
        Ok(Self {
            inner: Arc::new(Inner {
                root,
                writes: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// The directory holding the objects.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let store = pillars_storage::s3::FsStore::new(dir.path())?;
    /// assert!(store.root().is_absolute());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// The file that holds `key`, always inside [`root`](Self::root).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a key that is not valid or could leave
    /// the root (see the [module documentation](self)).
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let store = pillars_storage::s3::FsStore::new(dir.path())?;
    /// assert!(store.path_of("a/../../b").is_err());
    /// assert!(store.path_of("/abs").is_err());
    /// assert!(store.path_of("ok/key.txt").is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn path_of(&self, key: &str) -> Result<PathBuf> {
        fs_check_key(key)?;
        let mut path = self.inner.root.clone();
        path.extend(key.split('/'));
        Ok(path)
    }
}

impl Inner {
    fn tmp_path(&self) -> PathBuf {
        // One counter for the whole process: two stores on one root never
        // share a temporary name (and the file is created with `create_new`).
        static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        self.root
            .join(TMP_DIR)
            .join(format!("{}-{n}", std::process::id()))
    }

    fn put_blocking(
        &self,
        key: &str,
        path: &Path,
        body: &[u8],
        mode: &PutMode,
    ) -> Result<ObjectMeta> {
        let conflict = |e: std::io::Error| -> Error {
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotADirectory
                    | std::io::ErrorKind::IsADirectory
                    | std::io::ErrorKind::AlreadyExists
                    | std::io::ErrorKind::DirectoryNotEmpty
            ) {
                Error::InvalidInput(format!(
                    "key {key:?} conflicts with another key used as a directory ({e})"
                ))
            } else {
                Error::Io(e)
            }
        };
        match mode {
            PutMode::Overwrite | PutMode::Create => {}
            PutMode::Update(tag) => match open_object(path)
                .and_then(|f| object_etag(&f))
                .map(|(_, tag)| tag)
            {
                Ok(current) if &current == tag => {}
                Ok(_) => {
                    return Err(Error::precondition_failed(format!(
                        "{key}: ETag does not match"
                    )));
                }
                Err(e) if e.is_not_found() => {
                    return Err(Error::precondition_failed(format!("{key} does not exist")));
                }
                Err(e) => return Err(e),
            },
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(conflict)?;
        }
        let etag = etag_of(body);
        let tmp = self.tmp_path();
        if let Some(dir) = tmp.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let written = (|| {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)?;
            file.write_all(body)?;
            file.sync_all()?;
            // The stamp is taken after the last write: neither the rename
            // nor the attribute itself changes the modification time.
            fs_etag::store(&file, &etag);
            Ok(())
        })();
        let placed = written.map_err(Error::Io).and_then(|()| {
            if *mode == PutMode::Create {
                // A hard link fails when the target exists: atomic create.
                std::fs::hard_link(&tmp, path).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::AlreadyExists && path.is_file() {
                        Error::precondition_failed(format!("{key} already exists"))
                    } else {
                        conflict(e)
                    }
                })
            } else {
                std::fs::rename(&tmp, path).map_err(conflict)
            }
        });
        let _ = std::fs::remove_file(&tmp);
        placed?;
        Ok(ObjectMeta {
            key: key.to_owned(),
            size: body.len() as u64,
            e_tag: Some(etag),
            last_modified: std::fs::metadata(path).and_then(|m| m.modified()).ok(),
        })
    }

    fn remove_empty_parents(&self, path: &Path) {
        let mut dir = path.parent();
        while let Some(d) = dir {
            if d == self.root || std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }

    fn list_blocking(&self, prefix: &str) -> Result<Vec<ObjectMeta>> {
        validate_prefix(prefix)?;
        // Walk only the directory the prefix's complete segments name.
        let (dir_part, _) = prefix.rsplit_once('/').unwrap_or(("", prefix));
        let mut start = self.root.clone();
        if !dir_part.is_empty() {
            if dir_part.split('/').any(|s| !segment_ok(s)) {
                return Ok(Vec::new());
            }
            start.extend(dir_part.split('/'));
        }
        let mut out = Vec::new();
        let mut stack = vec![(start, dir_part.to_owned())];
        while let Some((dir, key_prefix)) = stack.pop() {
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => continue,
                Err(e) => return Err(e.into()),
            };
            for entry in entries {
                let entry = entry?;
                let Ok(name) = entry.file_name().into_string() else {
                    continue;
                };
                if name.starts_with(RESERVED) {
                    continue;
                }
                let key = if key_prefix.is_empty() {
                    name
                } else {
                    format!("{key_prefix}/{name}")
                };
                let file_type = entry.file_type()?;
                if file_type.is_dir() {
                    // Only descend where keys can still match the prefix.
                    let as_dir = format!("{key}/");
                    if as_dir.starts_with(prefix) || prefix.starts_with(&as_dir) {
                        stack.push((entry.path(), key));
                    }
                } else if file_type.is_file() && key.starts_with(prefix) {
                    let meta = entry.metadata()?;
                    let e_tag = fs_etag::cached_at(&entry.path(), &meta);
                    out.push(ObjectMeta {
                        key,
                        size: meta.len(),
                        e_tag,
                        last_modified: meta.modified().ok(),
                    });
                }
            }
        }
        out.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }
}

fn segment_ok(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && !s.contains('\\')
        && s.len() <= 255
        && !s.starts_with(RESERVED)
}

/// The checks [`FsStore::path_of`] applies on top of
/// [`validate_key`](super::validate_key).
fn fs_check_key(key: &str) -> Result<()> {
    validate_key(key)?;
    for segment in key.split('/') {
        if !segment_ok(segment) {
            return Err(Error::InvalidInput(format!(
                "key {key:?}: the filesystem backend needs non-empty '/'-separated segments \
                 of at most 255 bytes, none '.', '..', containing '\\' or starting with {RESERVED:?}"
            )));
        }
    }
    Ok(())
}

/// The quoted MD5 of `body`, as S3 gives for a simple put.
pub(crate) fn etag_of(body: &[u8]) -> String {
    etag_of_digest(&Md5::digest(body))
}

/// The metadata and `ETag` of the open object (one snapshot): the stored
/// `ETag` when current, else the MD5 of its bytes.
fn object_etag(file: &std::fs::File) -> Result<(std::fs::Metadata, String)> {
    let meta = file.metadata()?;
    if let Some(etag) = fs_etag::cached(file, &meta) {
        return Ok((meta, etag));
    }
    let mut hasher = Md5::new();
    std::io::copy(&mut &*file, &mut hasher)?;
    Ok((meta, etag_of_digest(&hasher.finalize())))
}

/// `digest` as a quoted lower-case hex `ETag`.
pub(crate) fn etag_of_digest(digest: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(34);
    s.push('"');
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s.push('"');
    s
}

fn open_object(path: &Path) -> Result<std::fs::File> {
    match std::fs::File::open(path) {
        Ok(f) if f.metadata()?.is_file() => Ok(f),
        Ok(_) => Err(Error::not_found(path.display().to_string())),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Err(Error::not_found(path.display().to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Io(std::io::Error::other(e)))?
}

impl ObjectStore for FsStore {
    fn put<'a>(
        &'a self,
        key: &'a str,
        body: Bytes,
        mode: PutMode,
    ) -> BoxFuture<'a, Result<ObjectMeta>> {
        Box::pin(async move {
            let path = self.path_of(key)?;
            let _guard = self.inner.writes.lock().await;
            let inner = Arc::clone(&self.inner);
            let key = key.to_owned();
            blocking(move || inner.put_blocking(&key, &path, &body, &mode)).await
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Bytes>> {
        Box::pin(async move {
            let path = self.path_of(key)?;
            let key = key.to_owned();
            blocking(move || {
                let mut file = open_object(&path).map_err(|e| named(e, &key))?;
                let mut buf = Vec::new();
                std::io::Read::read_to_end(&mut file, &mut buf)?;
                Ok(Bytes::from(buf))
            })
            .await
        })
    }

    fn head<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<ObjectMeta>> {
        Box::pin(async move {
            let path = self.path_of(key)?;
            let key = key.to_owned();
            blocking(move || {
                // One open file for the size, the time and the `ETag`: a
                // concurrent replace cannot mix two versions.
                let file = open_object(&path).map_err(|e| named(e, &key))?;
                let (meta, e_tag) = object_etag(&file)?;
                Ok(ObjectMeta {
                    key,
                    size: meta.len(),
                    e_tag: Some(e_tag),
                    last_modified: meta.modified().ok(),
                })
            })
            .await
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let path = self.path_of(key)?;
            let _guard = self.inner.writes.lock().await;
            let inner = Arc::clone(&self.inner);
            blocking(move || {
                if !path.is_file() {
                    return Ok(());
                }
                match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                    Err(e) => return Err(e.into()),
                }
                inner.remove_empty_parents(&path);
                Ok(())
            })
            .await
        })
    }

    fn list<'a>(&'a self, prefix: &'a str) -> BoxStream<'a, Result<ObjectMeta>> {
        let inner = Arc::clone(&self.inner);
        let prefix = prefix.to_owned();
        futures::stream::once(blocking(move || inner.list_blocking(&prefix)))
            .map_ok(|items| futures::stream::iter(items.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    fn copy<'a>(&'a self, from: &'a str, to: &'a str) -> BoxFuture<'a, Result<ObjectMeta>> {
        Box::pin(async move {
            self.path_of(to)?;
            let body = self.get(from).await?;
            self.put(to, body, PutMode::Overwrite).await
        })
    }
}

/// Names the key (not the path) in a `NotFound`.
fn named(e: Error, key: &str) -> Error {
    if e.is_not_found() {
        Error::not_found(key)
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `ETag` field S3 and every backend give for a simple put of `body`.
    #[allow(clippy::unnecessary_wraps)] // compared with `ObjectMeta::e_tag`
    fn md5_tag(body: &[u8]) -> Option<String> {
        Some(etag_of(body))
    }

    fn store() -> (tempfile::TempDir, FsStore) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FsStore::new(dir.path()).expect("store");
        (dir, store)
    }

    /// A store holding `body` under key `k`, and the file's path.
    async fn store_with_k(body: &'static [u8]) -> (tempfile::TempDir, FsStore, PathBuf) {
        let (dir, store) = store();
        store
            .put("k", Bytes::from_static(body), PutMode::Overwrite)
            .await
            .expect("put");
        let path = store.path_of("k").expect("path");
        (dir, store, path)
    }

    /// A conditional put of `k` is refused with `stale` and accepted with
    /// `current`.
    async fn only_the_current_tag_updates(store: &FsStore, stale: String, current: String) {
        let err = store
            .put("k", Bytes::from_static(b"x"), PutMode::Update(stale))
            .await
            .expect_err("stale tag");
        assert!(err.is_precondition_failed(), "{err}");
        store
            .put("k", Bytes::from_static(b"x"), PutMode::Update(current))
            .await
            .expect("current tag");
    }

    #[tokio::test]
    async fn put_stores_the_etag_that_head_and_list_return() {
        let (_dir, store) = store();
        let put = store
            .put("a/b.txt", Bytes::from_static(b"hello"), PutMode::Overwrite)
            .await
            .expect("put");
        assert_eq!(put.e_tag, md5_tag(b"hello"));
        let path = store.path_of("a/b.txt").expect("path");
        let file = std::fs::File::open(&path).expect("open");
        let meta = file.metadata().expect("meta");
        #[cfg(target_os = "linux")]
        if xattr::get(&path, fs_etag::ETAG_XATTR).is_ok() {
            // The filesystem keeps user attributes: the tag is stored.
            assert_eq!(fs_etag::cached(&file, &meta), put.e_tag);
        }
        assert_eq!(store.head("a/b.txt").await.expect("head").e_tag, put.e_tag);
        let listed: Vec<_> = store.list("a/").try_collect().await.expect("list");
        assert_eq!(listed.len(), 1);
        if fs_etag::cached(&file, &meta).is_some() {
            assert_eq!(listed[0].e_tag, put.e_tag);
        }
    }

    #[tokio::test]
    async fn an_outside_rewrite_is_hashed_again() {
        let (_dir, store, path) = store_with_k(b"first").await;
        // Another size: the stamp no longer matches.
        std::fs::write(&path, b"second!").expect("rewrite");
        let head = store.head("k").await.expect("head");
        assert_eq!((head.size, head.e_tag), (7, md5_tag(b"second!")));
        let listed: Vec<_> = store.list("").try_collect().await.expect("list");
        assert_eq!(listed[0].e_tag, None, "a stale tag is never listed");

        // The same size, another modification time: also seen.
        std::fs::write(&path, b"third!!").expect("rewrite");
        let file = std::fs::File::options()
            .write(true)
            .open(&path)
            .expect("open");
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        file.set_modified(later).expect("set mtime");
        assert_eq!(
            store.head("k").await.expect("head").e_tag,
            md5_tag(b"third!!")
        );

        // A conditional put judges the current bytes, not the stale tag.
        let stale = md5_tag(b"first").expect("tag");
        let current = md5_tag(b"third!!").expect("tag");
        only_the_current_tag_updates(&store, stale, current).await;
    }

    /// `head`, `list` and conditional puts read the stored tag rather than
    /// hashing: a planted tag with a current stamp is what they see.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn head_list_and_conditional_put_read_the_stored_tag() {
        let (_dir, store, path) = store_with_k(b"body").await;
        let meta = std::fs::metadata(&path).expect("meta");
        let planted = "\"0123456789abcdef0123456789abcdef\"";
        let value = format!("{} {planted}", fs_etag::stamp(&meta).expect("stamp"));
        if xattr::set(&path, fs_etag::ETAG_XATTR, value.as_bytes()).is_err() {
            return; // no user extended attributes on this filesystem
        }
        // Setting an attribute changes the file's ctime, not its mtime.
        let head = store.head("k").await.expect("head");
        assert_eq!(head.e_tag.as_deref(), Some(planted));
        let listed: Vec<_> = store.list("").try_collect().await.expect("list");
        assert_eq!(listed[0].e_tag.as_deref(), Some(planted));
        let stale = md5_tag(b"body").expect("tag");
        only_the_current_tag_updates(&store, stale, planted.to_owned()).await;
    }

    #[tokio::test]
    async fn a_file_placed_by_hand_gets_its_md5() {
        let (dir, store) = store();
        std::fs::write(dir.path().join("manual"), b"by hand").expect("write");
        assert_eq!(
            store.head("manual").await.expect("head").e_tag,
            md5_tag(b"by hand")
        );
    }
}
