//! One conformance suite run against every `ObjectStore` backend: memory,
//! filesystem, S3 on the in-process `s3s-fs` server, and (when
//! `PILLARS_S3_ENDPOINT` is set, e.g. by `.ci/run` with moto's server) S3 on
//! that server. Each case is a plain async fn; the `conformance!` macro
//! makes one `#[tokio::test]` per case and backend.
#![cfg(feature = "s3-testing")]

mod external_s3;

use std::any::Any;
use std::sync::atomic::{AtomicU32, Ordering};

use bytes::Bytes;
use futures::TryStreamExt;
use pillars_storage::s3::testing::TestServer;
use pillars_storage::s3::{Error, FsStore, MemoryStore, ObjectStore, PutMode, S3Config};

type Backend = (Box<dyn ObjectStore>, Box<dyn Any + Send>);

async fn memory() -> Option<Backend> {
    Some((Box::new(MemoryStore::new()), Box::new(())))
}

async fn fs() -> Option<Backend> {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = FsStore::new(dir.path()).expect("fs store");
    Some((Box::new(store), Box::new(dir)))
}

static BUCKETS: AtomicU32 = AtomicU32::new(0);

fn bucket_name() -> String {
    format!(
        "conf-{}-{}",
        std::process::id(),
        BUCKETS.fetch_add(1, Ordering::Relaxed)
    )
}

async fn s3s_fs() -> Option<Backend> {
    let server = TestServer::start().expect("server");
    let bucket = server.bucket(&bucket_name()).await.expect("bucket");
    bucket.create().await.expect("create bucket");
    Some((Box::new(bucket), Box::new(server)))
}

/// S3 on an external server (moto in CI): `PILLARS_S3_ENDPOINT` plus the
/// SDK's credential variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`).
/// Skipped (passes, prints why) when the variable is unset.
async fn s3_env() -> Option<Backend> {
    if !external_s3::configured() {
        return None;
    }
    let bucket = S3Config::from_env()
        .expect("config")
        .bucket(&bucket_name())
        .await
        .expect("bucket");
    bucket.create().await.expect("create bucket");
    Some((Box::new(bucket), Box::new(())))
}

fn b(s: &'static str) -> Bytes {
    Bytes::from_static(s.as_bytes())
}

async fn put_get_round_trip(s: &dyn ObjectStore) {
    let binary: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    s.put("bin/blob", Bytes::from(binary.clone()), PutMode::Overwrite)
        .await
        .unwrap();
    assert_eq!(s.get("bin/blob").await.unwrap(), binary);
    s.put("empty", Bytes::new(), PutMode::Overwrite)
        .await
        .unwrap();
    assert_eq!(s.get("empty").await.unwrap().len(), 0);
    s.put("ünï cödé/ key+x=1", b("u"), PutMode::Overwrite)
        .await
        .unwrap();
    assert_eq!(s.get("ünï cödé/ key+x=1").await.unwrap(), "u");
}

async fn overwrite_replaces(s: &dyn ObjectStore) {
    s.put("k", b("first"), PutMode::Overwrite).await.unwrap();
    s.put("k", b("second!"), PutMode::Overwrite).await.unwrap();
    assert_eq!(s.get("k").await.unwrap(), "second!");
    assert_eq!(s.head("k").await.unwrap().size, 7);
}

async fn head_reports_size_and_etag(s: &dyn ObjectStore) {
    let put = s.put("h", b("hello"), PutMode::Overwrite).await.unwrap();
    let head = s.head("h").await.unwrap();
    assert_eq!(head.key, "h");
    assert_eq!(head.size, 5);
    assert!(head.e_tag.is_some());
    assert_eq!(head.e_tag, put.e_tag);
}

async fn missing_is_not_found(s: &dyn ObjectStore) {
    assert!(s.get("nope").await.unwrap_err().is_not_found());
    assert!(s.head("nope/deeper").await.unwrap_err().is_not_found());
    assert!(s.copy("nope", "dst").await.unwrap_err().is_not_found());
    assert!(!s.exists("nope").await.unwrap());
}

async fn delete_is_idempotent(s: &dyn ObjectStore) {
    s.put("d/x", b("x"), PutMode::Overwrite).await.unwrap();
    assert!(s.exists("d/x").await.unwrap());
    s.delete("d/x").await.unwrap();
    assert!(!s.exists("d/x").await.unwrap());
    s.delete("d/x").await.unwrap();
    s.delete("never/was").await.unwrap();
}

async fn list_filters_by_prefix_in_key_order(s: &dyn ObjectStore) {
    let keys = ["b/2", "a/1", "a/10", "a/2", "ab", "a/sub/3", "c"];
    for k in keys {
        s.put(k, b("v"), PutMode::Overwrite).await.unwrap();
    }
    let listed: Vec<String> = s.list("a/").map_ok(|m| m.key).try_collect().await.unwrap();
    assert_eq!(listed, ["a/1", "a/10", "a/2", "a/sub/3"]);
    let listed: Vec<String> = s.list("a").map_ok(|m| m.key).try_collect().await.unwrap();
    assert_eq!(listed, ["a/1", "a/10", "a/2", "a/sub/3", "ab"]);
    let all: Vec<String> = s.list("").map_ok(|m| m.key).try_collect().await.unwrap();
    let mut expected: Vec<&str> = keys.to_vec();
    expected.sort_unstable();
    assert_eq!(all, expected);
    let sizes: Vec<u64> = s.list("b/").map_ok(|m| m.size).try_collect().await.unwrap();
    assert_eq!(sizes, [1]);
    let none: Vec<String> = s.list("zzz").map_ok(|m| m.key).try_collect().await.unwrap();
    assert!(none.is_empty());
}

async fn list_many(s: &dyn ObjectStore) {
    for i in 0..30 {
        s.put(&format!("many/{i:03}"), b("v"), PutMode::Overwrite)
            .await
            .unwrap();
    }
    let listed: Vec<String> = s
        .list("many/")
        .map_ok(|m| m.key)
        .try_collect()
        .await
        .unwrap();
    let expected: Vec<String> = (0..30).map(|i| format!("many/{i:03}")).collect();
    assert_eq!(listed, expected);
}

async fn copy_duplicates(s: &dyn ObjectStore) {
    s.put("src/a", b("payload"), PutMode::Overwrite)
        .await
        .unwrap();
    s.put("dst/a", b("old"), PutMode::Overwrite).await.unwrap();
    s.copy("src/a", "dst/a").await.unwrap();
    assert_eq!(s.get("dst/a").await.unwrap(), "payload");
    assert_eq!(s.get("src/a").await.unwrap(), "payload");
}

async fn create_only_once(s: &dyn ObjectStore) {
    s.put("lock", b("one"), PutMode::Create).await.unwrap();
    let err = s.put("lock", b("two"), PutMode::Create).await.unwrap_err();
    assert!(err.is_precondition_failed(), "{err:?}");
    assert_eq!(s.get("lock").await.unwrap(), "one");
}

async fn update_needs_matching_etag(s: &dyn ObjectStore) {
    let v1 = s.put("doc", b("v1"), PutMode::Overwrite).await.unwrap();
    let tag1 = v1.e_tag.expect("etag");
    let v2 = s
        .put("doc", b("v2"), PutMode::Update(tag1.clone()))
        .await
        .unwrap();
    assert_eq!(s.get("doc").await.unwrap(), "v2");
    let err = s
        .put("doc", b("v3"), PutMode::Update(tag1))
        .await
        .unwrap_err();
    assert!(err.is_precondition_failed(), "{err:?}");
    assert_eq!(s.get("doc").await.unwrap(), "v2");
    let tag2 = v2.e_tag.expect("etag");
    let err = s
        .put("absent", b("x"), PutMode::Update(tag2))
        .await
        .unwrap_err();
    assert!(err.is_precondition_failed(), "{err:?}");
}

async fn bad_keys_are_refused(s: &dyn ObjectStore) {
    let long = "k".repeat(1025);
    for key in ["", long.as_str(), "ctl\u{7}"] {
        assert!(
            matches!(
                s.put(key, b("x"), PutMode::Overwrite).await,
                Err(Error::InvalidInput(_))
            ),
            "{key:?}"
        );
        assert!(matches!(s.get(key).await, Err(Error::InvalidInput(_))));
        assert!(matches!(s.head(key).await, Err(Error::InvalidInput(_))));
        assert!(matches!(s.delete(key).await, Err(Error::InvalidInput(_))));
    }
    // A long, deep key. Not the longest valid one: s3s-fs names a metadata
    // file after the whole key, so keys beyond about 200 bytes fail there
    // with a 500; the validation limit itself is tested in s3_names.rs.
    let deep: String = (0..6).map(|_| "s".repeat(20)).collect::<Vec<_>>().join("/");
    s.put(&deep, b("x"), PutMode::Overwrite).await.unwrap();
    assert_eq!(s.get(&deep).await.unwrap(), "x");
}

macro_rules! conformance {
    ($backend:ident: $($case:ident),* $(,)?) => {
        mod $backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some((store, _guard)) = super::$backend().await else { return };
                    super::$case(store.as_ref()).await;
                }
            )*
        }
    };
}

macro_rules! all_backends {
    ($($backend:ident),*) => {$(
        conformance!($backend:
            put_get_round_trip,
            overwrite_replaces,
            head_reports_size_and_etag,
            missing_is_not_found,
            delete_is_idempotent,
            list_filters_by_prefix_in_key_order,
            list_many,
            copy_duplicates,
            create_only_once,
            update_needs_matching_etag,
            bad_keys_are_refused,
        );
    )*};
}

all_backends!(memory, fs, s3s_fs, s3_env);
