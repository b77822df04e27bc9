//! An in-process S3 server for tests, examples and benches (feature
//! `s3-testing`): [`s3s-fs`](https://crates.io/crates/s3s-fs) 0.14, an S3
//! server over a local directory, served by `hyper` on `127.0.0.1` with
//! `SigV4` authentication. The real `aws-sdk-s3` client talks to it over TCP.
//!
//! ```
//! use bytes::Bytes;
//! use pillars_storage::s3::{PutOptions, testing::TestServer};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = TestServer::start()?;
//! let bucket = server.bucket("demo").await?;
//! bucket.create().await?;
//! bucket.put("k", Bytes::from_static(b"v"), &PutOptions::new()).await?;
//! assert_eq!(bucket.get("k").await?, "v");
//! server.stop();
//! # Ok(()) }
//! ```
//!
//! What `s3s-fs` 0.14 does not do (so tests cannot check it here):
//! `ListMultipartUploads` (use [`TestServer::outstanding_uploads`]),
//! `If-Match` on `GET` (ignored; [`Bucket::download`] also compares the
//! answer's `ETag`), and `BucketAlreadyOwnedByYou` (it answers
//! `BucketAlreadyExists`; [`Bucket::create`] then checks with `HEAD`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;

use super::bucket::Bucket;
use super::config::S3Config;
use super::error::Result;
use crate::server_thread::ServerThread;

/// The access key the test server accepts.
///
/// # Examples
///
/// ```
/// assert!(!pillars_storage::s3::testing::ACCESS_KEY.is_empty());
/// ```
pub const ACCESS_KEY: &str = "pillars-test-key";

/// The secret key the test server accepts.
///
/// # Examples
///
/// ```
/// assert!(!pillars_storage::s3::testing::SECRET_KEY.is_empty());
/// ```
pub const SECRET_KEY: &str = "pillars-test-secret";

/// A running in-process S3 server; stops when dropped (its temporary
/// directory, if it made one, is removed then).
///
/// # Examples
///
/// ```
/// let server = pillars_storage::s3::testing::TestServer::start()?;
/// assert!(server.endpoint().starts_with("http://127.0.0.1:"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    root: PathBuf,
    server: ServerThread,
    // Dropped last: the directory outlives the server.
    dir: Option<tempfile::TempDir>,
}

impl TestServer {
    /// Starts a server over a new temporary directory on a free port.
    ///
    /// # Errors
    ///
    /// When the directory, the port or the thread cannot be had.
    ///
    /// # Examples
    ///
    /// ```
    /// let server = pillars_storage::s3::testing::TestServer::start()?;
    /// assert!(server.root().is_dir());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start() -> std::io::Result<Self> {
        let dir = tempfile::tempdir()?;
        let mut server = Self::start_in(dir.path(), SocketAddr::from(([127, 0, 0, 1], 0)))?;
        server.dir = Some(dir);
        Ok(server)
    }

    /// Starts a server over `root` on `addr`: with the root and address of
    /// a stopped server, this is a restart (the data is kept).
    ///
    /// # Errors
    ///
    /// When `addr` cannot be bound or the thread cannot start.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::s3::testing::TestServer;
    /// let dir = tempfile::tempdir()?;
    /// let first = TestServer::start_in(dir.path(), "127.0.0.1:0".parse().unwrap())?;
    /// let addr = first.addr();
    /// first.stop();
    /// let again = TestServer::start_in(dir.path(), addr)?;
    /// assert_eq!(again.addr(), addr);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start_in(root: &Path, addr: SocketAddr) -> std::io::Result<Self> {
        let fs =
            s3s_fs::FileSystem::new(root).map_err(|e| std::io::Error::other(format!("{e:?}")))?;
        let service = {
            let mut b = S3ServiceBuilder::new(fs);
            b.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
            b.build()
        };
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let server = ServerThread::spawn(format!("s3s-fs-{}", addr.port()), move |rx| {
            let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                let http = ConnBuilder::new(TokioExecutor::new());
                let accept = async {
                    while let Ok((socket, _)) = listener.accept().await {
                        let _ = socket.set_nodelay(true);
                        let conn = http
                            .serve_connection(TokioIo::new(socket), service.clone())
                            .into_owned();
                        tokio::spawn(async move {
                            let _ = conn.await;
                        });
                    }
                };
                tokio::select! {
                    () = accept => {}
                    _ = rx => {}
                }
            });
            // Dropping the runtime cancels every connection: sockets close.
            rt.shutdown_background();
        })?;
        Ok(Self {
            addr,
            root: root.to_path_buf(),
            server,
            dir: None,
        })
    }

    /// The address the server listens on.
    ///
    /// # Examples
    ///
    /// ```
    /// let server = pillars_storage::s3::testing::TestServer::start()?;
    /// assert!(server.addr().ip().is_loopback());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The directory holding the buckets (one sub-directory each).
    ///
    /// # Examples
    ///
    /// ```
    /// let server = pillars_storage::s3::testing::TestServer::start()?;
    /// println!("{}", server.root().display());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    ///
    /// # Examples
    ///
    /// ```
    /// let server = pillars_storage::s3::testing::TestServer::start()?;
    /// assert!(server.endpoint().ends_with(&server.addr().port().to_string()));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Settings for this server: endpoint, path style, static test
    /// credentials, region `us-east-1`.
    ///
    /// # Examples
    ///
    /// ```
    /// let server = pillars_storage::s3::testing::TestServer::start()?;
    /// assert_eq!(server.config().endpoint_url(), Some(server.endpoint().as_str()));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn config(&self) -> S3Config {
        S3Config::new()
            .endpoint(self.endpoint())
            .region("us-east-1")
            .path_style(true)
            .credentials(ACCESS_KEY, SECRET_KEY)
    }

    /// A handle on bucket `name` of this server (not created).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](super::Error::InvalidInput) for a bad name.
    ///
    /// # Examples
    ///
    /// See the [module documentation](self).
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = pillars_storage::s3::testing::TestServer::start()?;
    /// let bucket = server.bucket("b1").await?;
    /// # let _ = bucket; Ok(()) }
    /// ```
    pub async fn bucket(&self, name: &str) -> Result<Bucket> {
        self.config().bucket(name).await
    }

    /// Upload ids of multipart uploads neither completed nor aborted (what
    /// `ListMultipartUploads` would list, which `s3s-fs` lacks).
    ///
    /// # Errors
    ///
    /// When the root cannot be read.
    ///
    /// # Examples
    ///
    /// ```
    /// let server = pillars_storage::s3::testing::TestServer::start()?;
    /// assert!(server.outstanding_uploads()?.is_empty());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn outstanding_uploads(&self) -> std::io::Result<Vec<String>> {
        let mut ids = Vec::new();
        for entry in std::fs::read_dir(&self.root)? {
            let name = entry?.file_name();
            let name = name.to_string_lossy();
            if let Some(id) = name
                .strip_prefix(".upload-")
                .and_then(|n| n.strip_suffix(".json"))
            {
                ids.push(id.to_owned());
            } else if let Some(rest) = name.strip_prefix(".upload_id-") {
                // A part file: its upload counts even if its record is gone.
                let id = rest.split_once(".part-").map_or(rest, |(id, _)| id);
                ids.push(id.to_owned());
            }
        }
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// Stops the server and closes every connection; waits for its thread.
    /// The data stays in [`root`](Self::root) until the server is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let server = pillars_storage::s3::testing::TestServer::start()?;
    /// server.stop();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn stop(mut self) {
        self.server.stop();
    }

    /// Stops serving but keeps the directory (for a restart with
    /// [`start_in`](Self::start_in)); returns the directory guard, if this
    /// server owned one.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::s3::testing::TestServer;
    /// let server = TestServer::start()?;
    /// let (root, addr) = (server.root().to_path_buf(), server.addr());
    /// let dir = server.halt();
    /// let again = TestServer::start_in(&root, addr)?;
    /// drop(again);
    /// drop(dir);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use = "dropping the guard deletes the server's data"]
    pub fn halt(mut self) -> Option<tempfile::TempDir> {
        self.server.stop();
        self.dir.take()
    }
}
