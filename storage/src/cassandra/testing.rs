//! An in-process CQL server for tests, examples and benches (feature
//! `cassandra-testing`): [`kassandra`](https://crates.io/crates/kassandra)
//! 0.14, an in-memory single-node server of the CQL v4 protocol, behind a
//! small accept loop on `127.0.0.1`.
//!
//! ```
//! use pillars_storage::cassandra::testing::TestServer;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = TestServer::start()?;
//! let session = server.session().await?;
//! session.query_unpaged(
//!     "CREATE KEYSPACE demo WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
//!     &[],
//! ).await?;
//! server.stop();
//! # Ok(()) }
//! ```
//!
//! The server keeps everything in memory: data is lost when it stops. Its
//! futures are not `Send`, so it runs on its own thread with a current-thread
//! runtime and a `LocalSet`. What it does not support (token and clustering
//! range restrictions, `IN`, `ORDER BY`, `LIMIT` with `WHERE`) is listed in
//! the module documentation of [`scan`](super::scan).

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;

use futures::{SinkExt, StreamExt};
use kassandra::KassandraSession;
use kassandra::frame::request::{Request, RequestOpcode};
use kassandra::frame::response::Response;
use kassandra::frame::response::error::Error as CqlError;
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::server_thread::ServerThread;

/// A running in-process CQL server; stops when dropped.
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::testing::TestServer;
/// let server = TestServer::start()?;
/// assert!(server.addr().ip().is_loopback());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    server: ServerThread,
}

impl TestServer {
    /// Starts a server on a free port of 127.0.0.1.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound or the thread cannot start.
    ///
    /// # Examples
    ///
    /// ```
    /// let server = pillars_storage::cassandra::testing::TestServer::start()?;
    /// assert_ne!(server.addr().port(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start() -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Starts a server on `addr` (e.g. the address of a stopped one, to
    /// simulate a restart: the data is gone, the address is the same).
    ///
    /// # Errors
    ///
    /// When `addr` cannot be bound or the thread cannot start.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::testing::TestServer;
    /// let first = TestServer::start()?;
    /// let addr = first.addr();
    /// first.stop();
    /// let again = TestServer::start_on(addr)?;
    /// assert_eq!(again.addr(), addr);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let std_listener = std::net::TcpListener::bind(addr)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let server = ServerThread::spawn(format!("kassandra-{}", addr.port()), move |rx| {
            serve(std_listener, rx);
        })?;
        Ok(Self { addr, server })
    }

    /// The address the server listens on.
    ///
    /// # Examples
    ///
    /// ```
    /// let server = pillars_storage::cassandra::testing::TestServer::start()?;
    /// println!("{}", server.addr());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A driver session connected to this server (schema agreement off: the
    /// server has no `system.peers`).
    ///
    /// # Errors
    ///
    /// When the driver cannot connect.
    ///
    /// # Examples
    ///
    /// See the [module documentation](self).
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = pillars_storage::cassandra::testing::TestServer::start()?;
    /// let _session = server.session().await?;
    /// # Ok(()) }
    /// ```
    pub async fn session(&self) -> Result<Session, scylla::errors::NewSessionError> {
        SessionBuilder::new()
            .known_node(self.addr.to_string())
            .auto_await_schema_agreement(false)
            .build()
            .await
    }

    /// Stops the server and closes every connection; waits for its thread.
    ///
    /// # Examples
    ///
    /// ```
    /// let server = pillars_storage::cassandra::testing::TestServer::start()?;
    /// server.stop();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn stop(mut self) {
        self.server.stop();
    }
}

fn serve(listener: std::net::TcpListener, shutdown: oneshot::Receiver<()>) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        let Ok(listener) = TcpListener::from_std(listener) else {
            return;
        };
        let db = Rc::new(RefCell::new(KassandraSession::new()));
        let accept = async {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                tokio::task::spawn_local(connection(stream, Rc::clone(&db)));
            }
        };
        tokio::select! {
            () = accept => {}
            _ = shutdown => {}
        }
    });
    // Dropping the runtime drops every connection task: sockets close.
}

async fn connection(stream: TcpStream, db: Rc<RefCell<KassandraSession>>) {
    let (read, write) = stream.into_split();
    let mut requests = Box::pin(kassandra::frame::request_stream(read));
    let mut responses = Box::pin(kassandra::frame::response_sink(write));
    while let Some(Ok((params, opcode, body))) = requests.next().await {
        let response = answer(&db, opcode, &body, params.flags);
        if responses.send((response, params.stream)).await.is_err() {
            break;
        }
    }
}

fn statement_id(body: &[u8]) -> u128 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(body);
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    u128::from_be_bytes(id)
}

fn answer(
    db: &RefCell<KassandraSession>,
    opcode: RequestOpcode,
    body: &[u8],
    flags: kassandra::frame::FrameFlags,
) -> Response {
    if opcode == RequestOpcode::AuthResponse {
        // kassandra's parser panics on AUTH_RESPONSE; no authenticator is offered.
        return Response::Error(CqlError::new(
            kassandra::error::DbError::ProtocolError,
            "authentication is not supported",
        ));
    }
    let request = match Request::deserialize(opcode, body, flags) {
        Ok(r) => r,
        Err(e) => return Response::Error(e),
    };
    let mut db = db.borrow_mut();
    let result = match request {
        Request::StartUp(_) | Request::Register { .. } => return Response::Ready,
        Request::Options => return Response::options(),
        Request::Query(q) => db.process(q),
        // Like Cassandra, derive the id from the statement text (kassandra
        // picks a random one), so a driver re-preparing after a restart gets
        // the same id back.
        Request::Prepare(q) => db.prepare_with_id(q, statement_id(body)),
        Request::Execute(e) => db.execute(e),
        Request::Batch(b) => db.process_batch(b),
        Request::AuthResponse => {
            return Response::Error(CqlError::new(
                kassandra::error::DbError::ProtocolError,
                "authentication is not supported",
            ));
        }
    };
    match result {
        Ok(r) => Response::Result(r),
        Err(e) => Response::Error(e),
    }
}
