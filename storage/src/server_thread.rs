//! The thread an in-process test server runs on, and its stop signal: shared
//! by `s3::testing` and `cassandra::testing`.

use std::thread::JoinHandle;

use tokio::sync::oneshot;

/// A server's thread; stopping (or dropping) it signals the server and waits
/// for the thread to end.
#[derive(Debug)]
pub(crate) struct ServerThread {
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ServerThread {
    /// Runs `serve` on a new thread named `name`; `serve` returns once the
    /// receiver it is given fires.
    pub(crate) fn spawn(
        name: String,
        serve: impl FnOnce(oneshot::Receiver<()>) + Send + 'static,
    ) -> std::io::Result<Self> {
        let (tx, rx) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(name)
            .spawn(move || serve(rx))?;
        Ok(Self {
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// Signals the server and waits for its thread (idempotent).
    pub(crate) fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        self.stop();
    }
}
