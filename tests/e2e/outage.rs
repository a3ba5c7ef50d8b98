//! Outages a scenario can cause: a database cut off, a Redis killed.

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener as StdListener, TcpStream as StdStream},
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use tokio::{
    net::{TcpListener, TcpStream},
    task::AbortHandle,
};

/// A TCP proxy before one server, which can cut the network: every connection closes and new
/// ones are refused, as when the server's host goes away.
pub(crate) struct TcpProxy {
    addr: SocketAddr,
    tasks: Arc<Mutex<Vec<AbortHandle>>>,
}

impl TcpProxy {
    /// Listens on a free local port and forwards each connection to `upstream` (`host:port`).
    pub(crate) async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let addr = listener.local_addr().expect("its address");
        let tasks: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let connections = Arc::clone(&tasks);
        let accepting = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let forwarding = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                connections
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(forwarding.abort_handle());
            }
        });
        tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(accepting.abort_handle());
        Self { addr, tasks }
    }

    /// Where clients connect.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Closes every connection and the listener.
    pub(crate) fn cut(&self) {
        for task in self
            .tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
        {
            task.abort();
        }
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.cut();
    }
}

/// Another connection holding a SQLite file's write lock, until dropped.
pub(crate) struct DatabaseLock {
    _connection: rusqlite::Connection,
}

impl DatabaseLock {
    /// Takes the write lock of the database at `path` (waiting for the bot's current write).
    pub(crate) fn take(path: &Path) -> Self {
        let connection = rusqlite::Connection::open(path).expect("the database opens");
        connection
            .busy_timeout(Duration::from_secs(10))
            .expect("a busy timeout");
        connection
            .execute_batch("BEGIN EXCLUSIVE")
            .expect("the write lock");
        Self {
            _connection: connection,
        }
    }
}

/// How long a fresh `redis-server` may take to answer PING (generous for a loaded machine).
const REDIS_START_TIMEOUT: Duration = Duration::from_secs(20);

/// A private `redis-server` on a free local port, killed when dropped. (The cache crate's
/// tests have the same helper; the packages cannot share test code.)
pub(crate) struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one, or `None` (after saying why) when `redis-server` is missing outside CI.
    ///
    /// # Panics
    ///
    /// When it is missing under `CI=true`, or does not start.
    pub(crate) fn start(test: &str) -> Option<Self> {
        let port = StdListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let spawned = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                assert!(
                    !std::env::var("CI").is_ok_and(|v| v == "true"),
                    "{test} needs redis-server on PATH under CI=true"
                );
                eprintln!("NOT RUN {test}: no redis-server on PATH");
                return None;
            }
            Err(err) => panic!("redis-server does not start: {err}"),
        };
        let server = Self {
            port,
            child: Some(child),
        };
        let deadline = Instant::now() + REDIS_START_TIMEOUT;
        while !server.answers() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer PING"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(server)
    }

    /// `redis://127.0.0.1:PORT`.
    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn answers(&self) -> bool {
        let Ok(mut stream) = StdStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
        let mut reply = [0; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }

    /// Kills it at once (SIGKILL), as a crash would.
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
