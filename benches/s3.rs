//! Upload and download throughput against the in-process `s3s-fs` server:
//! pillars beside the plain SDK calls and beside `object_store`'s S3 client
//! (`AmazonS3`), same server.
//!
//! Each group moves one object of the named size; every iteration checks
//! the byte count (downloads also a checksum of the first and last bytes)
//! so the work is real. The server writes to a temporary directory, so the
//! figures include its disk and MD5 work: compare rows, not absolutes.

use std::hint::black_box;

use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use object_store::ObjectStore as _;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::buffered::BufWriter;
use object_store::path::Path as OsPath;
use pillars_kit::storage::s3::testing::TestServer;
use pillars_kit::storage::s3::testing::{ACCESS_KEY, SECRET_KEY};
use pillars_kit::storage::s3::{Bucket, DownloadOptions, PutOptions, UploadOptions};
use tokio::io::AsyncWriteExt;

const MIB: usize = 1 << 20;

fn body(len: usize) -> Bytes {
    Bytes::from((0..len).map(|i| (i % 251) as u8).collect::<Vec<u8>>())
}

fn bench_size(
    c: &mut Criterion,
    rt: &tokio::runtime::Runtime,
    bucket: &Bucket,
    peer: &Arc<AmazonS3>,
    len: usize,
    label: &str,
) {
    let data = body(len);
    let key = format!("obj-{label}");
    let os_path = OsPath::from(key.as_str());
    let upload_opts = UploadOptions::new()
        .part_size(8 * MIB)
        .unwrap()
        .concurrency(4)
        .unwrap();
    let download_opts = DownloadOptions::new()
        .part_size(8 * MIB as u64)
        .unwrap()
        .concurrency(4)
        .unwrap();

    let mut group = c.benchmark_group(format!("s3_upload_{label}"));
    group.throughput(Throughput::Bytes(len as u64));
    group.sample_size(10);
    group.bench_function("pillars_upload", |b| {
        b.to_async(rt).iter(|| async {
            let done = bucket.upload(&key, &data[..], &upload_opts).await.unwrap();
            assert_eq!(done.size, len as u64);
        });
    });
    group.bench_function("pillars_put", |b| {
        b.to_async(rt).iter(|| async {
            let meta = bucket
                .put(&key, data.clone(), &PutOptions::new())
                .await
                .unwrap();
            assert_eq!(meta.size, len as u64);
        });
    });
    group.bench_function("sdk_put_object", |b| {
        b.to_async(rt).iter(|| async {
            bucket
                .client()
                .put_object()
                .bucket(bucket.name())
                .key(&key)
                .body(ByteStream::from(data.clone()))
                .send()
                .await
                .unwrap();
        });
    });
    group.bench_function("object_store_put", |b| {
        b.to_async(rt).iter(|| async {
            peer.put(&os_path, data.clone().into()).await.unwrap();
        });
    });
    group.bench_function("object_store_bufwriter", |b| {
        b.to_async(rt).iter(|| async {
            let store: Arc<dyn object_store::ObjectStore> = peer.clone();
            let mut w =
                BufWriter::with_capacity(store, os_path.clone(), 8 * MIB).with_max_concurrency(4);
            w.write_all(&data).await.unwrap();
            w.shutdown().await.unwrap();
        });
    });
    group.finish();

    // The object the downloads read, also when a filter skipped the uploads.
    rt.block_on(bucket.put(&key, data.clone(), &PutOptions::new()))
        .unwrap();
    let mut group = c.benchmark_group(format!("s3_download_{label}"));
    group.throughput(Throughput::Bytes(len as u64));
    group.sample_size(10);
    let check = |got: &[u8]| {
        assert_eq!(got.len(), len);
        assert_eq!(got[len - 1], data[len - 1]);
    };
    group.bench_function("pillars_download", |b| {
        b.to_async(rt).iter(|| async {
            let mut out = Vec::with_capacity(len);
            bucket
                .download(&key, &mut out, &download_opts)
                .await
                .unwrap();
            check(&out);
            black_box(out);
        });
    });
    group.bench_function("pillars_get", |b| {
        b.to_async(rt).iter(|| async {
            let got = bucket.get(&key).await.unwrap();
            check(&got);
        });
    });
    group.bench_function("sdk_get_object", |b| {
        b.to_async(rt).iter(|| async {
            let out = bucket
                .client()
                .get_object()
                .bucket(bucket.name())
                .key(&key)
                .send()
                .await
                .unwrap();
            let got = out.body.collect().await.unwrap().into_bytes();
            check(&got);
        });
    });
    group.bench_function("object_store_get", |b| {
        b.to_async(rt).iter(|| async {
            let got = peer.get(&os_path).await.unwrap().bytes().await.unwrap();
            check(&got);
        });
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = TestServer::start().unwrap();
    let bucket = rt.block_on(async {
        let bucket = server.bucket("bench").await.unwrap();
        bucket.create().await.unwrap();
        bucket
    });
    let peer = Arc::new(
        AmazonS3Builder::new()
            .with_endpoint(server.endpoint())
            .with_allow_http(true)
            .with_virtual_hosted_style_request(false)
            .with_bucket_name("bench")
            .with_region("us-east-1")
            .with_access_key_id(ACCESS_KEY)
            .with_secret_access_key(SECRET_KEY)
            .build()
            .unwrap(),
    );
    let big: usize = std::env::var("PILLARS_S3_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    bench_size(c, &rt, &bucket, &peer, MIB, "1MiB");
    bench_size(c, &rt, &bucket, &peer, big * MIB, &format!("{big}MiB"));
    drop(server);
}

criterion_group!(s3, benches);
criterion_main!(s3);
