//! A private `redis-server` per test, or the shared one at `REDIS_URL`.
//!
//! - `REDIS_URL` set: [`redis`] hands out that server (tests isolate themselves with a key
//!   prefix of their own); [`private_redis`] still starts a private server, because tests that
//!   kill Redis must never kill a shared one.
//! - `REDIS_URL` unset: a private `redis-server --port <free> --save '' --appendonly no` on
//!   127.0.0.1, killed when dropped.
//! - No `redis-server` on `PATH`: the test fails with a message saying what to install, unless
//!   `HEARTH_SKIP_REDIS_TESTS=1` is set outside CI (`CI=true` never skips).

#![allow(dead_code, unreachable_pub)] // each test binary uses a part of this module

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

/// How long a fresh `redis-server` may take to answer PING (generous for a loaded machine).
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A Redis to test against.
#[derive(Debug)]
pub struct TestRedis {
    url: String,
    server: Option<RedisServer>,
}

impl TestRedis {
    /// Its URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// The Redis of `REDIS_URL`, else a private one; `None` only when the Redis tests are skipped
/// on purpose (see [`SKIP_VAR`]).
pub fn redis(test: &str) -> Option<TestRedis> {
    if let Some(url) = std::env::var("REDIS_URL").ok().filter(|u| !u.is_empty()) {
        return Some(TestRedis { url, server: None });
    }
    let server = private_redis(test)?;
    Some(TestRedis {
        url: server.url(),
        server: Some(server),
    })
}

/// A `redis-server` owned by the test, which may kill and restart it.
pub fn private_redis(test: &str) -> Option<RedisServer> {
    match RedisServer::start() {
        Ok(server) => Some(server),
        // Opting out is explicit, and never possible in CI: a skip must not pass silently.
        Err(why)
            if std::env::var(SKIP_VAR).is_ok_and(|v| v == "1")
                && !std::env::var("CI").is_ok_and(|v| v == "true") =>
        {
            eprintln!("SKIPPED {test}: no redis-server ({why}) and {SKIP_VAR}=1");
            None
        }
        Err(why) => panic!(
            "{test} needs redis-server on PATH (apt-get install redis-server): \
             {why}. Outside CI, {SKIP_VAR}=1 skips the Redis tests."
        ),
    }
}

/// Set to `1` to skip the Redis tests where `redis-server` is missing (ignored under `CI=true`).
pub const SKIP_VAR: &str = "HEARTH_SKIP_REDIS_TESTS";

/// A key prefix no other test uses, so tests can share one Redis.
pub fn unique_prefix(test: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "test:{test}:{}:{}:",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A private `redis-server` process on 127.0.0.1, killed on drop.
#[derive(Debug)]
pub struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one on a free port and waits until it answers.
    pub fn start() -> Result<Self, String> {
        let mut last_error = String::new();
        // A free port can be taken by someone else between probing and binding: retry.
        for _ in 0..5 {
            let port = free_port().map_err(|e| format!("no free port: {e}"))?;
            let mut server = Self { port, child: None };
            match server.spawn() {
                Ok(()) => return Ok(server),
                Err(e) if e.contains("not found") => return Err(e),
                Err(e) => last_error = e,
            }
        }
        Err(last_error)
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again, empty, on the same port.
    pub fn restart(&mut self) {
        self.kill();
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            match self.spawn() {
                Ok(()) => return,
                Err(e) if Instant::now() > deadline => panic!("redis-server did not restart: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    fn spawn(&mut self) -> Result<(), String> {
        let mut child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    "redis-server not found on PATH".to_owned()
                } else {
                    format!("could not start redis-server: {e}")
                }
            })?;
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if ping(self.port) {
                self.child = Some(child);
                return Ok(());
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("redis-server exited at start ({status})"));
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err("redis-server did not answer PING in time".to_owned());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut reply = [0; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG\r\n"
}

/// A port nothing listens on (for "Redis down at start").
pub fn closed_port() -> u16 {
    free_port().expect("a free port")
}

/// Polls `check` every 10 ms until it holds, for at most `timeout`.
pub async fn eventually(timeout: Duration, mut check: impl AsyncFnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Guild settings as the tests cache them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    /// A prefix, to tell versions apart.
    pub prefix: String,
}

/// A store that counts its queries and can be told to fail or to be slow.
#[derive(Clone, Debug, Default)]
pub struct CountingStore {
    inner: std::sync::Arc<StoreInner>,
}

#[derive(Debug, Default)]
struct StoreInner {
    rows: std::sync::Mutex<std::collections::HashMap<u64, String>>,
    queries: AtomicU64,
    failing: std::sync::atomic::AtomicBool,
    delay_ms: AtomicU64,
}

/// The error of [`CountingStore`].
#[derive(Debug, PartialEq, Eq)]
pub struct StoreDown;

impl CountingStore {
    /// Stores `prefix` for `guild` (the database update that precedes a cache `set`).
    pub fn put(&self, guild: u64, prefix: &str) {
        self.inner
            .rows
            .lock()
            .unwrap()
            .insert(guild, prefix.to_owned());
    }

    /// Reads the settings of `guild` (missing guilds get `"!"`), counting the query. The row
    /// is read at once and returned after the delay, like a query whose answer is in flight.
    pub async fn load(&self, guild: u64) -> Result<Settings, StoreDown> {
        self.inner.queries.fetch_add(1, Ordering::SeqCst);
        let prefix = self
            .inner
            .rows
            .lock()
            .unwrap()
            .get(&guild)
            .cloned()
            .unwrap_or_else(|| "!".to_owned());
        let delay = self.inner.delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        if self.inner.failing.load(Ordering::SeqCst) {
            return Err(StoreDown);
        }
        Ok(Settings { prefix })
    }

    /// How many queries were made.
    pub fn queries(&self) -> u64 {
        self.inner.queries.load(Ordering::SeqCst)
    }

    /// Makes every later query fail (or succeed again).
    pub fn set_failing(&self, failing: bool) {
        self.inner.failing.store(failing, Ordering::SeqCst);
    }

    /// Makes every later query take `delay`.
    pub fn set_delay(&self, delay: Duration) {
        self.inner
            .delay_ms
            .store(u64::try_from(delay.as_millis()).unwrap(), Ordering::SeqCst);
    }
}

/// Sends one inline command to the Redis on `port` and returns its first reply line.
pub fn redis_command(port: u16, command: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("Redis is listening");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(format!("{command}\r\n").as_bytes())
        .unwrap();
    let mut reply = [0; 256];
    let n = stream.read(&mut reply).unwrap();
    String::from_utf8_lossy(&reply[..n]).trim_end().to_owned()
}

/// A TCP proxy to a Redis that a test can cut (drop every connection and refuse new ones) and
/// restore: a network partition for one client while Redis keeps its data.
#[derive(Debug)]
pub struct CutProxy {
    port: u16,
    open: std::sync::Arc<std::sync::atomic::AtomicBool>,
    connections: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
    accept: tokio::task::AbortHandle,
}

impl CutProxy {
    /// A proxy on a free port of 127.0.0.1 to the Redis on `target`.
    pub async fn start(target: u16) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let open = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let connections = std::sync::Arc::<std::sync::Mutex<Vec<_>>>::default();
        let accept = tokio::spawn({
            let (open, connections) = (open.clone(), connections.clone());
            async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    if !open.load(Ordering::SeqCst) {
                        continue; // dropped: the connection closes at once
                    }
                    let task = tokio::spawn(async move {
                        if let Ok(mut server) =
                            tokio::net::TcpStream::connect(("127.0.0.1", target)).await
                        {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        }
                    });
                    connections.lock().unwrap().push(task.abort_handle());
                }
            }
        })
        .abort_handle();
        Self {
            port,
            open,
            connections,
            accept,
        }
    }

    /// `redis://127.0.0.1:PORT` of the proxy.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Drops every connection and refuses new ones.
    pub fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        for task in self.connections.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    /// Lets connections through again.
    pub fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

impl Drop for CutProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}
