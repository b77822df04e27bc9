//! Bucket basics, transfers and faults against a second, independent S3
//! implementation: moto's server in `.ci/run`. Selected by
//! `PILLARS_S3_ENDPOINT` (plus `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_REGION`); every test passes without doing anything when it is unset.
//!
//! Known moto quirk (SERVERS.md): `aws-sdk-s3` cannot decode moto's reply
//! to `CompleteMultipartUpload`, although the object is completed;
//! `Bucket::upload` confirms the completion with a HEAD (the same size and
//! exactly the multipart ETag of these parts), and the round trip checks that
//! it does.
#![cfg(feature = "s3-testing")]

mod external_s3;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use pillars_storage::s3::{
    Bucket, DownloadOptions, Error, ListOptions, MIN_PART_SIZE, PutOptions, S3Config, UploadOptions,
};

static N: AtomicU32 = AtomicU32::new(0);

async fn bucket() -> Option<Bucket> {
    if !external_s3::configured() {
        return None;
    }
    let name = format!(
        "second-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let bucket = S3Config::from_env().unwrap().bucket(&name).await.unwrap();
    bucket.create().await.unwrap();
    Some(bucket)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_bulk_delete_and_empty() {
    let Some(bucket) = bucket().await else { return };
    assert!(bucket.bucket_exists().await.unwrap());
    bucket.create().await.unwrap();
    assert!(
        bucket
            .list_buckets()
            .await
            .unwrap()
            .contains(&bucket.name().to_string())
    );
    let keys: Vec<String> = (0..1003).map(|i| format!("k/{i:04}")).collect();
    let opts = PutOptions::new();
    futures::stream::iter(&keys)
        .map(|k| bucket.put(k, Bytes::from_static(b"x"), &opts))
        .buffer_unordered(16)
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    let listed = bucket
        .list_objects(ListOptions::new().page_size(400))
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1003);
    let report = bucket
        .delete_many(keys[..1001].iter().cloned())
        .await
        .unwrap();
    assert_eq!(report.deleted, 1001);
    assert_eq!(bucket.empty().await.unwrap(), 2);
    bucket.delete_bucket().await.unwrap();
    assert!(!bucket.bucket_exists().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_copy_and_presign() {
    let Some(bucket) = bucket().await else { return };
    let opts = PutOptions::new()
        .content_type("text/csv")
        .cache_control("no-cache")
        .metadata("owner", "ada");
    bucket
        .put("a b/ü.csv", Bytes::from_static(b"1,2"), &opts)
        .await
        .unwrap();
    let info = bucket.head("a b/ü.csv").await.unwrap();
    assert_eq!(info.content_type.as_deref(), Some("text/csv"));
    assert_eq!(info.metadata.get("owner").map(String::as_str), Some("ada"));
    bucket.copy("a b/ü.csv", "copy.csv").await.unwrap();
    assert_eq!(bucket.get("copy.csv").await.unwrap(), "1,2");
    let url = bucket
        .presign_get("copy.csv", Duration::from_secs(60))
        .await
        .unwrap();
    assert!(url.url.contains("X-Amz-Signature="));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_upload_leaves_no_outstanding_upload() {
    let Some(bucket) = bucket().await else { return };
    struct Broken(usize);
    impl tokio::io::AsyncRead for Broken {
        fn poll_read(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            if self.0 == 0 {
                return std::task::Poll::Ready(Err(std::io::Error::other("broken")));
            }
            let n = self.0.min(buf.remaining());
            buf.put_slice(&vec![1u8; n]);
            self.0 -= n;
            std::task::Poll::Ready(Ok(()))
        }
    }
    let opts = UploadOptions::new()
        .part_size(MIN_PART_SIZE)
        .unwrap()
        .concurrency(2)
        .unwrap();
    let err = bucket
        .upload("broken", Broken(2 * MIN_PART_SIZE + 10), &opts)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Upload { aborted: true, .. }),
        "{err:?}"
    );
    assert!(bucket.list_uploads().await.unwrap().is_empty());
    assert!(!bucket.exists("broken").await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_round_trip_despite_the_decode_quirk() {
    let Some(bucket) = bucket().await else { return };
    let body: Vec<u8> = (0..11 * MIN_PART_SIZE / 5)
        .map(|i| (i % 253) as u8)
        .collect();
    let opts = UploadOptions::new()
        .part_size(MIN_PART_SIZE)
        .unwrap()
        .concurrency(2)
        .unwrap();
    let done = bucket.upload("mp", &body[..], &opts).await.unwrap();
    assert_eq!(done.parts, 3);
    assert_eq!(done.size, body.len() as u64);
    assert!(
        done.e_tag
            .is_some_and(|t| t.trim_matches('"').ends_with("-3"))
    );
    assert!(bucket.list_uploads().await.unwrap().is_empty());
    assert_eq!(bucket.get("mp").await.unwrap(), body);
    let mut out = Vec::new();
    let dl = DownloadOptions::new().part_size(3 << 20).unwrap();
    bucket.download("mp", &mut out, &dl).await.unwrap();
    assert_eq!(out, body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_object_fails_the_pinned_range() {
    let Some(bucket) = bucket().await else { return };
    bucket
        .put("k", Bytes::from(vec![1u8; 200_000]), &PutOptions::new())
        .await
        .unwrap();
    let tag = bucket.head("k").await.unwrap().meta.e_tag.unwrap();
    bucket
        .put("k", Bytes::from(vec![2u8; 200_000]), &PutOptions::new())
        .await
        .unwrap();
    // A GET pinned on the old ETag is refused by the server itself (412).
    let res = bucket
        .client()
        .get_object()
        .bucket(bucket.name())
        .key("k")
        .if_match(tag)
        .send()
        .await;
    assert_eq!(
        res.unwrap_err().raw_response().map(|r| r.status().as_u16()),
        Some(412)
    );
}
