//! Key and bucket-name validation and the filesystem store's key-to-path
//! mapping on arbitrary input: nothing panics, a key accepted by `FsStore`
//! is a valid S3 key, and its path stays under the store's root (only
//! normal components, no `..`, no absolute path, no prefix).
#![no_main]

use std::path::Component;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pillars_storage::s3::{FsStore, MAX_KEY_LEN, validate_bucket_name, validate_key};

fn store() -> &'static (tempfile::TempDir, FsStore) {
    static STORE: OnceLock<(tempfile::TempDir, FsStore)> = OnceLock::new();
    STORE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FsStore::new(dir.path()).expect("store");
        (dir, store)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let key_ok = validate_key(s).is_ok();
    if key_ok {
        assert!(!s.is_empty() && s.len() <= MAX_KEY_LEN);
        assert!(!s.chars().any(char::is_control));
    }
    if validate_bucket_name(s).is_ok() {
        assert!((3..=63).contains(&s.len()));
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        );
        assert!(!s.contains(".."));
    }
    let (_, store) = store();
    if let Ok(path) = store.path_of(s) {
        assert!(key_ok, "FsStore accepted a key S3 would refuse: {s:?}");
        let rest = path
            .strip_prefix(store.root())
            .expect("path under the root");
        assert!(
            rest.components().all(|c| matches!(c, Component::Normal(_))),
            "{s:?} -> {path:?}"
        );
        assert_eq!(rest.components().count(), s.split('/').count());
    }
});
