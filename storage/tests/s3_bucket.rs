//! Bucket basics against the in-process `s3s-fs` server (real SDK, TCP).
#![cfg(feature = "s3-testing")]

use std::time::Duration;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use pillars_storage::s3::testing::TestServer;
use pillars_storage::s3::{
    Bucket, ChecksumPolicy, Created, Error, ListEntry, ListOptions, PutMode, PutOptions,
};

async fn ready(server: &TestServer, name: &str) -> Bucket {
    let bucket = server.bucket(name).await.unwrap();
    assert_eq!(bucket.create().await.unwrap(), Created::New);
    bucket
}

async fn put_keys(bucket: &Bucket, keys: &[String]) {
    let opts = PutOptions::new();
    futures::stream::iter(keys)
        .map(|k| bucket.put(k, Bytes::from_static(b"x"), &opts))
        .buffer_unordered(16)
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bucket_lifecycle() {
    let server = TestServer::start().unwrap();
    let bucket = server.bucket("life").await.unwrap();
    assert!(!bucket.bucket_exists().await.unwrap());
    assert_eq!(bucket.create().await.unwrap(), Created::New);
    assert_eq!(bucket.create().await.unwrap(), Created::AlreadyOwned);
    assert!(bucket.bucket_exists().await.unwrap());
    let other = ready(&server, "other").await;
    let mut names = bucket.list_buckets().await.unwrap();
    names.sort();
    assert_eq!(names, ["life", "other"]);
    other.delete_bucket().await.unwrap();
    assert!(!other.bucket_exists().await.unwrap());
    assert!(other.delete_bucket().await.unwrap_err().is_not_found());
    // A missing key is fine, a missing bucket is not.
    bucket.delete("never-was").await.unwrap();
    assert!(other.delete("k").await.unwrap_err().is_not_found());
    assert!(other.get("k").await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn bad_names_are_refused_before_any_request() {
    // Nothing listens on this port: a request would fail differently.
    let server = TestServer::start().unwrap();
    let config = server.config();
    server.stop();
    for name in [
        "ab",
        "Upper",
        "a_b",
        "-ab",
        "ab-",
        "a..b",
        "10.0.0.1",
        "xn--ab",
        "ab-s3alias",
    ] {
        assert!(
            matches!(config.bucket(name).await, Err(Error::InvalidInput(_))),
            "{name}"
        );
    }
    let bucket = config.bucket("fine").await.unwrap();
    let long = "k".repeat(1025);
    assert!(matches!(
        bucket.get(&long).await,
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        bucket.copy_from("Bad", "a", "b").await,
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        bucket.delete_many(["ok", ""]).await,
        Err(Error::InvalidInput(_))
    ));
    let opts = ListOptions::new().page_size(0);
    let first = bucket.list(opts).next().await.unwrap();
    assert!(matches!(first, Err(Error::InvalidInput(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_keeps_content_type_metadata_and_cache_control() {
    let server = TestServer::start().unwrap();
    let bucket = ready(&server, "meta").await;
    let opts = PutOptions::new()
        .content_type("application/json")
        .cache_control("max-age=60")
        .metadata("owner", "ada")
        .metadata("source", "import");
    bucket
        .put("doc.json", Bytes::from_static(b"{}"), &opts)
        .await
        .unwrap();
    let info = bucket.head("doc.json").await.unwrap();
    assert_eq!(info.meta.size, 2);
    assert_eq!(info.content_type.as_deref(), Some("application/json"));
    assert_eq!(info.cache_control.as_deref(), Some("max-age=60"));
    assert_eq!(info.metadata.get("owner").map(String::as_str), Some("ada"));
    assert_eq!(
        info.metadata.get("source").map(String::as_str),
        Some("import")
    );
    assert!(bucket.exists("doc.json").await.unwrap());
    assert!(!bucket.exists("doc.xml").await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conditional_put() {
    let server = TestServer::start().unwrap();
    let bucket = ready(&server, "cond").await;
    let create = PutOptions::new().mode(PutMode::Create);
    let first = bucket
        .put("k", Bytes::from_static(b"1"), &create)
        .await
        .unwrap();
    assert!(
        bucket
            .put("k", Bytes::from_static(b"2"), &create)
            .await
            .unwrap_err()
            .is_precondition_failed()
    );
    let tag = first.e_tag.unwrap();
    let update = PutOptions::new().mode(PutMode::Update(tag.clone()));
    bucket
        .put("k", Bytes::from_static(b"3"), &update)
        .await
        .unwrap();
    assert!(
        bucket
            .put("k", Bytes::from_static(b"4"), &update)
            .await
            .unwrap_err()
            .is_precondition_failed()
    );
    assert_eq!(bucket.get("k").await.unwrap(), "3");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_walks_every_page_with_prefix_delimiter_start_after() {
    let server = TestServer::start().unwrap();
    let bucket = ready(&server, "pages").await;
    let mut keys: Vec<String> = (0..23).map(|i| format!("logs/{i:02}")).collect();
    keys.extend([
        "logs/sub/a".to_string(),
        "logs/sub/b".into(),
        "other/x".into(),
        "top".into(),
    ]);
    put_keys(&bucket, &keys).await;

    // Pages of 5: every key once, in order.
    let all: Vec<String> = bucket
        .list_objects(ListOptions::new().page_size(5))
        .map_ok(|m| m.key)
        .try_collect()
        .await
        .unwrap();
    let mut expected = keys.clone();
    expected.sort();
    assert_eq!(all, expected);

    let logs: Vec<String> = bucket
        .list_objects(
            ListOptions::new()
                .prefix("logs/")
                .page_size(4)
                .start_after("logs/19"),
        )
        .map_ok(|m| m.key)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        logs,
        ["logs/20", "logs/21", "logs/22", "logs/sub/a", "logs/sub/b"]
    );

    let top: Vec<ListEntry> = bucket
        .list(ListOptions::new().delimiter("/"))
        .try_collect()
        .await
        .unwrap();
    let names: Vec<&str> = top.iter().map(ListEntry::key).collect();
    assert_eq!(names, ["logs/", "other/", "top"]);
    assert!(matches!(&top[0], ListEntry::Prefix(_)));
    assert!(matches!(&top[2], ListEntry::Object(m) if m.size == 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_many_batches_and_empty_clears_every_page() {
    let server = TestServer::start().unwrap();
    let bucket = ready(&server, "bulk").await;
    let keys: Vec<String> = (0..1005).map(|i| format!("k/{i:04}")).collect();
    put_keys(&bucket, &keys).await;
    let report = bucket
        .delete_many(keys[..1001].iter().cloned())
        .await
        .unwrap();
    assert!(report.is_complete());
    assert_eq!(report.deleted, 1001);
    let left: Vec<String> = bucket
        .list_objects(ListOptions::new())
        .map_ok(|m| m.key)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(left, keys[1001..]);

    // More than one listing page (1000) and one delete batch.
    put_keys(&bucket, &keys).await;
    assert_eq!(bucket.empty().await.unwrap(), 1005);
    assert_eq!(bucket.list(ListOptions::new()).count().await, 0);
    bucket.delete_bucket().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_within_and_across_buckets_with_odd_keys() {
    let server = TestServer::start().unwrap();
    let src = ready(&server, "src").await;
    let dst = ready(&server, "dst").await;
    let key = "dir with space/ü+%?#.txt";
    src.put(key, Bytes::from_static(b"payload"), &PutOptions::new())
        .await
        .unwrap();
    let copied = src.copy(key, "copy.txt").await.unwrap();
    assert_eq!(copied.size, 7);
    assert_eq!(src.get("copy.txt").await.unwrap(), "payload");
    dst.copy_from("src", key, "in/dst.txt").await.unwrap();
    assert_eq!(dst.get("in/dst.txt").await.unwrap(), "payload");
    assert!(
        dst.copy_from("src", "missing", "x")
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presigned_urls_work_with_a_plain_http_client() {
    let server = TestServer::start().unwrap();
    let bucket = ready(&server, "share").await;
    let http = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();

    let put = bucket
        .presign_put("up/load.txt", Duration::from_secs(300), Some("text/plain"))
        .await
        .unwrap();
    assert_eq!(put.method, "PUT");
    let mut req = http::Request::builder().method("PUT").uri(&put.url);
    for (k, v) in &put.headers {
        req = req.header(k, v);
    }
    let resp = http
        .request(req.body(Full::new(Bytes::from_static(b"via url"))).unwrap())
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    assert_eq!(bucket.get("up/load.txt").await.unwrap(), "via url");

    let get = bucket
        .presign_get("up/load.txt", Duration::from_secs(300))
        .await
        .unwrap();
    let resp = http.get(get.url.parse().unwrap()).await.unwrap();
    assert!(resp.status().is_success());
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "via url");

    // A tampered signature is refused.
    let forged = get.url.replace("X-Amz-Signature=", "X-Amz-Signature=0");
    let resp = http.get(forged.parse().unwrap()).await.unwrap();
    assert!(resp.status().is_client_error(), "{}", resp.status());

    assert!(matches!(
        bucket.presign_get("k", Duration::ZERO).await,
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        bucket
            .presign_get("k", Duration::from_secs(8 * 86_400))
            .await,
        Err(Error::InvalidInput(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_checksum_policies_work() {
    let server = TestServer::start().unwrap();
    for (name, policy) in [
        ("crc-req", ChecksumPolicy::WhenRequired),
        ("crc-sup", ChecksumPolicy::WhenSupported),
    ] {
        let bucket = server.config().checksum(policy).bucket(name).await.unwrap();
        bucket.create().await.unwrap();
        let body = Bytes::from(vec![42u8; 100_000]);
        bucket
            .put("k", body.clone(), &PutOptions::new())
            .await
            .unwrap();
        assert_eq!(bucket.get("k").await.unwrap(), body, "{policy:?}");
    }
}
