//! [`FsStore`](super::fs::FsStore)'s `ETag` cache: the `ETag` of each object
//! it writes, kept in the extended attribute `user.pillars.etag` of the file
//! as `SIZE MTIME_NS ETAG`, and trusted only while the file still has that
//! size and modification time.
//!
//! Linux only: elsewhere (and on filesystems without user extended
//! attributes) nothing is stored and callers hash the file. macOS keeps
//! extended attributes of some volumes (FAT, exFAT, SMB) in `._name` files
//! beside the object, which would show up as keys, so it is left out.

use std::fs::{File, Metadata};
use std::path::Path;

/// The attribute's name.
#[cfg(target_os = "linux")]
pub(super) const ETAG_XATTR: &str = "user.pillars.etag";

/// Stores `etag` on the open file, stamped with its current size and
/// modification time. Best effort: where it cannot be stored, readers hash
/// the file.
pub(super) fn store(file: &File, etag: &str) {
    #[cfg(target_os = "linux")]
    {
        use xattr::FileExt as _;
        if let Some(stamp) = file.metadata().ok().as_ref().and_then(stamp) {
            let _ = file.set_xattr(ETAG_XATTR, format!("{stamp} {etag}").as_bytes());
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (file, etag);
}

/// The stored `ETag` of the open file, if its stamp still matches `meta`
/// (the file's current metadata).
pub(super) fn cached(file: &File, meta: &Metadata) -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        use xattr::FileExt as _;
        current(&file.get_xattr(ETAG_XATTR).ok()??, meta)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (file, meta);
        None
    }
}

/// [`cached`] by path: one system call, for listings.
pub(super) fn cached_at(path: &Path, meta: &Metadata) -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        current(&xattr::get(path, ETAG_XATTR).ok()??, meta)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (path, meta);
        None
    }
}

/// `SIZE MTIME_NS`: what must still hold for a stored `ETag` to be current.
#[cfg(target_os = "linux")]
pub(super) fn stamp(meta: &Metadata) -> Option<String> {
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!("{} {}", meta.len(), mtime.as_nanos()))
}

/// The `ETag` in a stored value, if its stamp matches `meta`.
#[cfg(target_os = "linux")]
fn current(raw: &[u8], meta: &Metadata) -> Option<String> {
    let (stamp_part, etag) = std::str::from_utf8(raw).ok()?.rsplit_once(' ')?;
    (stamp(meta)? == stamp_part).then(|| etag.to_owned())
}
