//! A private `redis-server` for the Redis tests, the ratelimit bench and the
//! `redis_outage` example (the root crate includes this file by `#[path]`):
//! daemonized on 127.0.0.1 without persistence, found by its pid file,
//! stopped on drop.
#![allow(dead_code, unreachable_pub)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A running `redis-server`.
pub struct RedisServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// `redis://127.0.0.1:{port}/`.
    pub url: String,
    pidfile: PathBuf,
}

impl RedisServer {
    /// A server on a free port; `None` when `redis-server` cannot start.
    pub fn start() -> Option<Self> {
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        Self::start_on(port)
    }

    /// A server on `port` (a restart, say); `None` when it cannot start.
    /// Waits up to 5 s for it to answer.
    pub fn start_on(port: u16) -> Option<Self> {
        let pidfile = std::env::temp_dir().join(format!("pillars-redis-{port}.pid"));
        let status = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "yes"])
            .arg("--pidfile")
            .arg(&pidfile)
            .status();
        if !status.is_ok_and(|s| s.success()) {
            return None;
        }
        let server = Self {
            port,
            url: format!("redis://127.0.0.1:{port}/"),
            pidfile,
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() && server.pid().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(server)
    }

    fn pid(&self) -> Option<String> {
        std::fs::read_to_string(&self.pidfile)
            .ok()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    /// Sends `sig` (`-STOP`, `-CONT`, ...) to the server.
    pub fn signal(&self, sig: &str) {
        if let Some(pid) = self.pid() {
            let _ = Command::new("kill").args([sig, &pid]).status();
        }
    }

    /// Stops the server and waits (up to 5 s) until its process is gone.
    pub fn stop(&self) {
        if let Some(pid) = self.pid() {
            let _ = Command::new("kill").arg(&pid).status();
            for _ in 0..250 {
                if Command::new("kill")
                    .args(["-0", &pid])
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| !s.success())
                {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_file(&self.pidfile);
    }
}
