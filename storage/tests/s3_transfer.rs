//! Multipart upload and ranged download against the in-process `s3s-fs`
//! server, with faults: a failing reader, a cancelled upload, a server that
//! stops mid-upload, an object that changes mid-download, range responses
//! cut mid-body by a proxy (each range retried on its own).
#![cfg(feature = "s3-testing")]

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use pillars_storage::s3::testing::TestServer;
use pillars_storage::s3::{
    Bucket, DownloadOptions, Error, MIN_PART_SIZE, PutOptions, UploadOptions,
};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

const MIB: usize = 1 << 20;

fn data(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).max(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

async fn ready(server: &TestServer, name: &str) -> Bucket {
    let bucket = server.bucket(name).await.unwrap();
    bucket.create().await.unwrap();
    bucket
}

fn opts(concurrency: usize) -> UploadOptions {
    UploadOptions::new()
        .part_size(MIN_PART_SIZE)
        .unwrap()
        .concurrency(concurrency)
        .unwrap()
}

/// Yields `data`; at offset `gate` it reports on `reached`, waits for
/// `resume` when set (never, when the sender is kept), then fails when
/// `fail`.
struct GatedReader {
    data: Vec<u8>,
    pos: usize,
    gate: usize,
    fail: bool,
    reached: Option<oneshot::Sender<()>>,
    resume: Option<oneshot::Receiver<()>>,
}

impl GatedReader {
    fn new(data: Vec<u8>, gate: usize) -> Self {
        Self {
            data,
            pos: 0,
            gate,
            fail: false,
            reached: None,
            resume: None,
        }
    }
}

impl AsyncRead for GatedReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.pos >= this.gate {
            if let Some(tx) = this.reached.take() {
                let _ = tx.send(());
            }
            if let Some(rx) = this.resume.as_mut() {
                match Pin::new(rx).poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(_) => this.resume = None,
                }
            }
            if this.fail {
                return Poll::Ready(Err(io::Error::other("reader broke")));
            }
        }
        let end = if this.pos < this.gate {
            this.gate
        } else {
            this.data.len()
        };
        let n = (end - this.pos).min(buf.remaining());
        buf.put_slice(&this.data[this.pos..this.pos + n]);
        this.pos += n;
        Poll::Ready(Ok(()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_round_trip_keeps_every_byte() {
    let server = TestServer::start().unwrap();
    let bucket = ready(&server, "mpu").await;
    let body = data(12 * MIB + 12_345, 1);
    let options = opts(3).put_options(
        PutOptions::new()
            .content_type("application/x-test")
            .metadata("k", "v"),
    );
    let done = bucket.upload("big/obj", &body[..], &options).await.unwrap();
    assert_eq!(done.parts, 3);
    assert_eq!(done.size, body.len() as u64);
    let got = bucket.get("big/obj").await.unwrap();
    assert_eq!(Sha256::digest(&got), Sha256::digest(&body));
    let info = bucket.head("big/obj").await.unwrap();
    assert_eq!(info.content_type.as_deref(), Some("application/x-test"));
    assert_eq!(info.metadata.get("k").map(String::as_str), Some("v"));
    assert!(server.outstanding_uploads().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exact_multiple_small_body_and_file() {
    let server = TestServer::start().unwrap();
    let bucket = ready(&server, "sizes").await;
    let body = data(2 * MIN_PART_SIZE, 2);
    let done = bucket.upload("exact", &body[..], &opts(2)).await.unwrap();
    assert_eq!((done.parts, done.size), (2, body.len() as u64));
    assert_eq!(bucket.get("exact").await.unwrap(), body);

    let small = data(1000, 3);
    let done = bucket.upload("small", &small[..], &opts(2)).await.unwrap();
    assert_eq!(done.parts, 0);
    assert_eq!(bucket.get("small").await.unwrap(), small);

    let done = bucket.upload("empty", &b""[..], &opts(2)).await.unwrap();
    assert_eq!((done.parts, done.size), (0, 0));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.bin");
    let file_body = data(6 * MIB, 4);
    std::fs::write(&path, &file_body).unwrap();
    let done = bucket.upload_file("file", &path, &opts(2)).await.unwrap();
    assert_eq!(done.parts, 2);
    let out = dir.path().join("back.bin");
    let n = bucket
        .download_file(
            "file",
            &out,
            &DownloadOptions::new().part_size(MIB as u64).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(n, file_body.len() as u64);
    assert_eq!(std::fs::read(&out).unwrap(), file_body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_checksums_on_multipart_still_works() {
    let server = TestServer::start().unwrap();
    let bucket = server
        .config()
        .checksum(pillars_storage::s3::ChecksumPolicy::WhenSupported)
        .bucket("crc")
        .await
        .unwrap();
    bucket.create().await.unwrap();
    let body = data(11 * MIB, 5);
    let done = bucket.upload("k", &body[..], &opts(2)).await.unwrap();
    assert_eq!(done.parts, 3);
    assert_eq!(
        Sha256::digest(bucket.get("k").await.unwrap()),
        Sha256::digest(&body)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_reader_aborts_and_leaves_nothing() {
    let server = TestServer::start().unwrap();
    let bucket = ready(&server, "fail").await;
    let mut reader = GatedReader::new(data(20 * MIB, 6), 2 * MIN_PART_SIZE + 100);
    reader.fail = true;
    let err = bucket.upload("broken", reader, &opts(2)).await.unwrap_err();
    match &err {
        Error::Upload { aborted, key, .. } => {
            assert!(*aborted);
            assert_eq!(key, "broken");
        }
        other => panic!("expected Upload, got {other:?}"),
    }
    assert!(!bucket.exists("broken").await.unwrap());
    assert!(server.outstanding_uploads().unwrap().is_empty());
}

/// Polls `done` every 10 ms, up to 10 s; `true` once it holds.
async fn eventually(done: impl Fn() -> bool) -> bool {
    for _ in 0..1000 {
        if done() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    done()
}

/// A bucket on `server` seen through a fresh [`holding_proxy`], and a
/// reader that stops just inside part 2 until part 1 is held, then fails.
async fn held_upload(server: &TestServer, name: &str) -> (Bucket, Arc<HoldCounts>, GatedReader) {
    ready(server, name).await;
    let holds = Arc::new(HoldCounts::default());
    let proxy = holding_proxy(server.addr(), Arc::clone(&holds)).await;
    let bucket = server
        .config()
        .endpoint(format!("http://{proxy}"))
        .bucket(name)
        .await
        .unwrap();
    let mut reader = GatedReader::new(data(20 * MIB, 12), MIN_PART_SIZE + 100);
    let (resume_tx, resume_rx) = oneshot::channel();
    reader.resume = Some(resume_rx);
    reader.fail = true;
    let watch = Arc::clone(&holds);
    tokio::spawn(async move {
        eventually(|| watch.held() > 0).await;
        let _ = resume_tx.send(());
    });
    (bucket, holds, reader)
}

/// A part still on its way when the reader fails: the proxy has passed the
/// server its first MiB and holds the rest until after an abort sent at once
/// would have finished. The abort must wait for that part, or the server
/// stores it after the upload is gone, where nothing lists or frees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_waits_for_the_parts_in_flight() {
    let server = TestServer::start().unwrap();
    let (bucket, holds, reader) = held_upload(&server, "held").await;
    let err = bucket.upload("held", reader, &opts(2)).await.unwrap_err();
    assert!(
        matches!(err, Error::Upload { aborted: true, .. }),
        "{err:?}"
    );
    // Once every held request is answered, a part stored late is on disk.
    assert!(eventually(|| holds.answered() == holds.held()).await);
    assert_eq!((holds.held(), holds.answered()), (1, 1), "part 1 was held");
    assert!(server.outstanding_uploads().unwrap().is_empty());
}

/// The same race on cancellation: the upload future is dropped while part 1
/// is held; the abort spawned from the drop waits for that part too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_upload_waits_for_the_parts_in_flight() {
    let server = TestServer::start().unwrap();
    let (bucket, holds, mut reader) = held_upload(&server, "held-drop").await;
    reader.fail = false;
    // Never resumed: the reader stays at the gate, only a drop ends this.
    let (_never, resume_rx) = oneshot::channel();
    reader.resume = Some(resume_rx);
    let upload_opts = opts(2);
    {
        let upload = bucket.upload("dropped", reader, &upload_opts);
        tokio::pin!(upload);
        tokio::select! {
            res = &mut upload => panic!("upload finished: {res:?}"),
            held = eventually(|| holds.held() > 0) => assert!(held),
        }
    } // dropped here, part 1 held
    assert!(eventually(|| holds.answered() == holds.held()).await);
    assert_eq!((holds.held(), holds.answered()), (1, 1), "part 1 was held");
    assert!(eventually(|| server.outstanding_uploads().unwrap().is_empty()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_upload_is_aborted() {
    let server = TestServer::start().unwrap();
    let bucket = ready(&server, "cancel").await;
    let mut reader = GatedReader::new(data(20 * MIB, 7), MIN_PART_SIZE);
    let (reached_tx, reached_rx) = oneshot::channel();
    let (_resume_tx, resume_rx) = oneshot::channel::<()>();
    reader.reached = Some(reached_tx);
    reader.resume = Some(resume_rx);
    let upload_opts = opts(1);
    {
        let upload = bucket.upload("cancelled", reader, &upload_opts);
        tokio::pin!(upload);
        tokio::select! {
            res = &mut upload => panic!("upload finished: {res:?}"),
            _ = reached_rx => {}
        }
        // The first part is uploaded and the upload is waiting for more
        // input: an upload exists on the server now.
        assert_eq!(server.outstanding_uploads().unwrap().len(), 1);
    } // dropped here: cancellation
    // The abort runs on a spawned task: wait for it (bounded).
    assert!(
        eventually(|| server.outstanding_uploads().unwrap().is_empty()).await,
        "{:?}",
        server.outstanding_uploads()
    );
    assert!(!bucket.exists("cancelled").await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_stopping_mid_upload_is_reported_and_nothing_is_visible() {
    let server = TestServer::start().unwrap();
    let root = server.root().to_path_buf();
    let bucket = ready(&server, "crash").await;
    let mut reader = GatedReader::new(data(12 * MIB, 8), MIN_PART_SIZE);
    let (reached_tx, reached_rx) = oneshot::channel();
    let (resume_tx, resume_rx) = oneshot::channel::<()>();
    reader.reached = Some(reached_tx);
    reader.resume = Some(resume_rx);
    let uploader = bucket.clone();
    let task = tokio::spawn(async move { uploader.upload("half", reader, &opts(1)).await });
    reached_rx.await.unwrap();
    let dir = server.halt();
    resume_tx.send(()).unwrap();
    let err = task.await.unwrap().unwrap_err();
    let Error::Upload {
        upload_id, aborted, ..
    } = err
    else {
        panic!("expected Upload, got {err:?}");
    };
    assert!(
        !aborted,
        "the server was down: the abort cannot have reached it"
    );

    // Restarted over the same data on a fresh port (the old one may be
    // taken by now).
    let server = TestServer::start_in(&root, "127.0.0.1:0".parse().unwrap()).unwrap();
    let bucket = server.bucket("crash").await.unwrap();
    assert!(
        !bucket.exists("half").await.unwrap(),
        "a half-written object is visible"
    );
    assert_eq!(
        server.outstanding_uploads().unwrap(),
        std::slice::from_ref(&upload_id)
    );
    bucket.abort_upload("half", &upload_id).await.unwrap();
    assert!(server.outstanding_uploads().unwrap().is_empty());
    drop(server);
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranged_download_round_trip() {
    let server = TestServer::start().unwrap();
    let bucket = ready(&server, "dlx").await;
    let body = data(MIB + 17, 9);
    bucket
        .put("k", Bytes::from(body.clone()), &PutOptions::new())
        .await
        .unwrap();
    for (part, conc) in [(64 * 1024, 4), (1, 1), (MIB as u64 * 2, 2)] {
        if part == 1 {
            continue; // one-byte ranges over a MiB would be slow; covered by the small case below
        }
        let mut out = Vec::new();
        let o = DownloadOptions::new()
            .part_size(part)
            .unwrap()
            .concurrency(conc)
            .unwrap();
        assert_eq!(
            bucket.download("k", &mut out, &o).await.unwrap(),
            body.len() as u64
        );
        assert_eq!(out, body);
    }
    bucket
        .put("tiny", Bytes::from_static(b"abcdef"), &PutOptions::new())
        .await
        .unwrap();
    let mut out = Vec::new();
    let o = DownloadOptions::new()
        .part_size(1)
        .unwrap()
        .concurrency(3)
        .unwrap();
    bucket.download("tiny", &mut out, &o).await.unwrap();
    assert_eq!(out, b"abcdef");
    bucket
        .put("empty", Bytes::new(), &PutOptions::new())
        .await
        .unwrap();
    let mut out = Vec::new();
    assert_eq!(bucket.download("empty", &mut out, &o).await.unwrap(), 0);
    let mut out = Vec::new();
    assert!(
        bucket
            .download("missing", &mut out, &o)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

/// A writer that replaces the object on the server at its first write.
struct ChangingWriter {
    out: Vec<u8>,
    change: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl AsyncWrite for ChangingWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(change) = self.change.as_mut() {
            match change.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(()) => self.change = None,
            }
        }
        self.out.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_changed_mid_download_is_detected() {
    let server = TestServer::start().unwrap();
    let bucket = ready(&server, "moving").await;
    let v1 = data(300_000, 10);
    bucket
        .put("k", Bytes::from(v1), &PutOptions::new())
        .await
        .unwrap();
    let other = bucket.clone();
    let mut writer = ChangingWriter {
        out: Vec::new(),
        change: Some(Box::pin(async move {
            let v2 = data(300_000, 11);
            other
                .put("k", Bytes::from(v2), &PutOptions::new())
                .await
                .unwrap();
        })),
    };
    // One range at a time: range 2 is requested after range 1 is written.
    let o = DownloadOptions::new()
        .part_size(100_000)
        .unwrap()
        .concurrency(1)
        .unwrap();
    let err = bucket.download("k", &mut writer, &o).await.unwrap_err();
    assert!(err.is_precondition_failed(), "{err:?}");
    assert_eq!(
        writer.out.len(),
        100_000,
        "only the first range was written"
    );
}

/// A TCP proxy on a free 127.0.0.1 port in front of `upstream`: every
/// connection it accepts gets its own connection upstream, and `relay`
/// moves the bytes between the two (fault injection on top of the real
/// server).
async fn proxy<F, Fut>(upstream: SocketAddr, relay: F) -> SocketAddr
where
    F: Fn(TcpStream, TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let relay = Arc::new(relay);
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let relay = Arc::clone(&relay);
            tokio::spawn(async move {
                if let Ok(server) = TcpStream::connect(upstream).await {
                    relay(client, server).await;
                }
            });
        }
    });
    addr
}

/// A [`proxy`] that cuts the connection in the middle of a response (after
/// 256 KiB on one connection), `cuts` times in all.
async fn cutting_proxy(upstream: SocketAddr, cuts: Arc<AtomicUsize>) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    proxy(upstream, move |client, server| {
        let cuts = Arc::clone(&cuts);
        async move {
            let (mut client_rd, mut client_wr) = client.into_split();
            let (mut server_rd, mut server_wr) = server.into_split();
            let requests = tokio::spawn(async move {
                let _ = tokio::io::copy(&mut client_rd, &mut server_wr).await;
            });
            let mut buf = vec![0_u8; 16 * 1024];
            let mut sent = 0_usize;
            loop {
                let n = match server_rd.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                if sent + n > 256 * 1024
                    && cuts
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |c| c.checked_sub(1))
                        .is_ok()
                {
                    break; // both halves drop: the client sees a broken body
                }
                if client_wr.write_all(&buf[..n]).await.is_err() {
                    break;
                }
                sent += n;
            }
            requests.abort();
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_range_streams_are_retried_one_range_at_a_time() {
    let server = TestServer::start().unwrap();
    let direct = ready(&server, "cuts").await;
    let body = data(6 * MIB, 11);
    direct
        .put("big", Bytes::from(body.clone()), &PutOptions::new())
        .await
        .unwrap();

    // The bucket seen through a fresh proxy that cuts `n` responses.
    let through_proxy = |n: usize| {
        let server = &server;
        async move {
            let cuts = Arc::new(AtomicUsize::new(n));
            let proxy = cutting_proxy(server.addr(), Arc::clone(&cuts)).await;
            let proxied = server
                .config()
                .endpoint(format!("http://{proxy}"))
                .bucket("cuts")
                .await
                .unwrap();
            (proxied, cuts)
        }
    };
    let (proxied, cuts) = through_proxy(3).await;

    // Three responses are cut mid-body; each broken range is fetched again.
    let o = DownloadOptions::new()
        .part_size(MIB as u64)
        .unwrap()
        .concurrency(2)
        .unwrap()
        .retries(3);
    let mut out = Vec::new();
    proxied.download("big", &mut out, &o).await.unwrap();
    assert_eq!(cuts.load(Ordering::SeqCst), 0, "every fault was injected");
    assert_eq!(Sha256::digest(&out), Sha256::digest(&body));

    // With no retries, a cut range fails the download with a transient error.
    // A fresh proxy: its first connection to pass 256 KiB is inside a range's
    // body.
    let (proxied, cuts) = through_proxy(1).await;
    let mut out = Vec::new();
    let err = proxied
        .download("big", &mut out, &o.clone().retries(0))
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert_eq!(cuts.load(Ordering::SeqCst), 0);
}

/// What [`holding_proxy`] did: requests held, and held requests the server
/// has answered.
#[derive(Default)]
struct HoldCounts {
    held: AtomicUsize,
    answered: AtomicUsize,
}

impl HoldCounts {
    fn held(&self) -> usize {
        self.held.load(Ordering::SeqCst)
    }

    fn answered(&self) -> usize {
        self.answered.load(Ordering::SeqCst)
    }
}

/// A [`proxy`] that reads each request as fast as the client sends it,
/// passes the server the first MiB, then holds the rest for half a second.
/// It goes on forwarding after the client has gone and reads the server's
/// answer to the end, as a load balancer would: a request the client gave
/// up on still reaches the server.
async fn holding_proxy(upstream: SocketAddr, counts: Arc<HoldCounts>) -> SocketAddr {
    use std::sync::atomic::AtomicBool;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    proxy(upstream, move |client, server| {
        let counts = Arc::clone(&counts);
        async move {
            let (mut client_rd, mut client_wr) = client.into_split();
            let (mut server_rd, mut server_wr) = server.into_split();
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
            tokio::spawn(async move {
                let mut buf = vec![0_u8; 64 * 1024];
                while let Ok(n @ 1..) = client_rd.read(&mut buf).await {
                    if tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            });
            let waiting = Arc::new(AtomicBool::new(false));
            let forward = tokio::spawn({
                let (counts, waiting) = (Arc::clone(&counts), Arc::clone(&waiting));
                async move {
                    let mut sent = 0_usize;
                    while let Some(chunk) = rx.recv().await {
                        if sent < MIB && sent + chunk.len() >= MIB {
                            counts.held.fetch_add(1, Ordering::SeqCst);
                            waiting.store(true, Ordering::SeqCst);
                            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                        }
                        if server_wr.write_all(&chunk).await.is_err() {
                            break;
                        }
                        sent += chunk.len();
                    }
                    // Returned, not dropped: the server sees no end of the
                    // request stream while it answers.
                    server_wr
                }
            });
            let mut buf = vec![0_u8; 16 * 1024];
            let mut client_open = true;
            while let Ok(n @ 1..) = server_rd.read(&mut buf).await {
                if waiting.swap(false, Ordering::SeqCst) {
                    counts.answered.fetch_add(1, Ordering::SeqCst);
                }
                if client_open && client_wr.write_all(&buf[..n]).await.is_err() {
                    client_open = false;
                }
            }
            drop(forward);
        }
    })
    .await
}
