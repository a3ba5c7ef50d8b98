//! The connection thread every query goes through.

use std::{
    fmt,
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
        mpsc,
    },
    thread,
    time::Duration,
};

use hearth_core::{StoreError, StoreErrorKind};
use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use crate::{
    batch::{BatchJob, run_batch},
    migrations::{self, MigrationError},
};

/// How long a write waits for another process's write lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What the connection thread runs: a closure alone, or a write that may share a
/// transaction with the writes queued behind it ([`crate::batch`]).
pub(crate) enum Job {
    /// Runs on the connection as it is.
    Run(Box<dyn FnOnce(&mut Connection) + Send>),
    /// Runs inside a transaction shared with other batch jobs.
    Batch(Box<dyn BatchJob>),
}

/// Every Hearth store on one SQLite file.
///
/// # Why one connection on its own thread
///
/// SQLite runs one writer at a time, and rusqlite's calls block. Hearth's queries are small
/// (a few per command or message), so a single connection owned by a dedicated thread serves
/// them in order: async callers never block the runtime, writes never fight each other for
/// the lock (no `SQLITE_BUSY` inside the process), prepared statements stay cached, and no
/// pool is needed. `spawn_blocking` would instead borrow a blocking-pool thread per query and
/// need a pool of connections contending for the same write lock. WAL mode lets other
/// processes (a backup, `sqlite3` for an operator) read while the bot writes.
///
/// Clones share the connection; it closes when the last clone is dropped, which waits for
/// the thread to commit what it holds (at most [`OPEN_MAX`](crate::OPEN_MAX) of grants).
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
    path: Option<PathBuf>,
}

/// The queue into the connection thread, and the thread, joined when the last clone goes.
struct Inner {
    jobs: mpsc::Sender<Job>,
    thread: Option<thread::JoinHandle<()>>,
    counts: Arc<Counts>,
}

/// What the connection thread ran, counted as it runs.
#[derive(Default)]
pub(crate) struct Counts {
    queries: AtomicU64,
    batched: AtomicU64,
    commits: AtomicU64,
}

impl Counts {
    /// A call ran on its own.
    fn query(&self) {
        self.queries.fetch_add(1, Ordering::Relaxed);
    }

    /// A write ran in the shared transaction.
    pub(crate) fn batched(&self) {
        self.batched.fetch_add(1, Ordering::Relaxed);
    }

    /// The shared transaction ended.
    pub(crate) fn committed(&self) {
        self.commits.fetch_add(1, Ordering::Relaxed);
    }
}

/// What a store has asked SQLite since it opened ([`SqliteStore::calls`]): how many calls
/// reached the connection thread, and how the writes that share transactions were committed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreCalls {
    /// Calls run on their own: reads, and writes that do not share a transaction.
    pub queries: u64,
    /// Writes run in a shared transaction (XP grants).
    pub batched_writes: u64,
    /// Shared transactions committed (or rolled back, when the commit failed).
    pub batch_commits: u64,
}

impl StoreCalls {
    /// Every call: `queries + batched_writes`.
    pub fn total(&self) -> u64 {
        self.queries.saturating_add(self.batched_writes)
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Closing the queue lets the thread run what is queued, commit and stop.
        drop(std::mem::replace(&mut self.jobs, mpsc::channel().0));
        if let Some(thread) = self.thread.take()
            && thread.thread().id() != thread::current().id()
        {
            let _ = thread.join();
        }
    }
}

impl SqliteStore {
    /// Opens (creating it and its folder if needed) the database at `path`, switches it to WAL
    /// and brings its schema up to date.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] of kind [`Unavailable`](StoreErrorKind::Unavailable) when the file or
    /// folder cannot be created or opened, or the database is locked; of kind
    /// [`Other`](StoreErrorKind::Other) when the file was written by a newer Hearth.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_owned();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::new(
                    StoreErrorKind::Unavailable,
                    "creating the database folder",
                    e,
                )
            })?;
        }
        let opened = path.clone();
        Self::start(Some(path), move || {
            Connection::open_with_flags(
                &opened,
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
        })
        .await
    }

    /// Opens a private in-memory database, gone when the last clone is dropped: for tests and
    /// trials.
    ///
    /// # Errors
    ///
    /// As [`SqliteStore::open`], which cannot really happen in memory.
    pub async fn open_in_memory() -> Result<Self, StoreError> {
        Self::start(None, Connection::open_in_memory).await
    }

    /// The database file, or `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    async fn start(
        path: Option<PathBuf>,
        open: impl FnOnce() -> rusqlite::Result<Connection> + Send + 'static,
    ) -> Result<Self, StoreError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = oneshot::channel();
        let counts = Arc::new(Counts::default());
        let counted = Arc::clone(&counts);
        let thread = thread::Builder::new()
            .name("hearth-sqlite".to_owned())
            .spawn(move || {
                let mut conn = match open().and_then(configure).map_err(opening_error) {
                    Ok(conn) => conn,
                    Err(err) => {
                        let _ = ready_tx.send(Err(err));
                        return;
                    }
                };
                let migrated =
                    migrations::apply(&mut conn, migrations::DOMAINS).map_err(|err| match err {
                        MigrationError::Sqlite(e) => opening_error(e),
                        too_new => StoreError::new(
                            StoreErrorKind::Other,
                            "opening the database",
                            too_new.to_string(),
                        ),
                    });
                let failed = migrated.is_err();
                let _ = ready_tx.send(migrated.map(|_| ()));
                if failed {
                    return;
                }
                // Runs until every SqliteStore clone (and so every Sender) is gone.
                while let Ok(job) = queue.recv() {
                    let mut next = Some(job);
                    while let Some(job) = next.take() {
                        match job {
                            Job::Run(f) => {
                                counted.query();
                                f(&mut conn);
                            }
                            Job::Batch(first) => {
                                next = run_batch(&mut conn, first, &queue, &counted);
                            }
                        }
                    }
                }
            })
            .map_err(|e| StoreError::new(StoreErrorKind::Other, "starting the SQLite thread", e))?;
        ready_rx
            .await
            .map_err(|_| StoreError::bare(StoreErrorKind::Other, "starting the SQLite thread"))??;
        Ok(Self {
            inner: Arc::new(Inner {
                jobs,
                thread: Some(thread),
                counts,
            }),
            path,
        })
    }

    /// Checks that the database answers (`/healthz` asks this).
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the connection thread is gone or SQLite fails.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.call("pinging the database", |conn| {
            conn.query_row("SELECT 1", [], |_| Ok(()))
                .map_err(sql_error("pinging the database"))
        })
        .await
    }

    /// What this store (all its clones) has asked SQLite so far: the figure behind "store
    /// queries per message" in the benchmarks, and a quick check that a path stays off the
    /// database.
    pub fn calls(&self) -> StoreCalls {
        let counts = &self.inner.counts;
        StoreCalls {
            queries: counts.queries.load(Ordering::Relaxed),
            batched_writes: counts.batched.load(Ordering::Relaxed),
            batch_commits: counts.commits.load(Ordering::Relaxed),
        }
    }

    /// Runs `f` on the connection thread and returns its result.
    pub(crate) async fn call<T: Send + 'static>(
        &self,
        context: &'static str,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        let job = Job::Run(Box::new(move |conn| {
            let _ = tx.send(f(conn));
        }));
        self.inner
            .jobs
            .send(job)
            .map_err(|_| StoreError::bare(StoreErrorKind::Unavailable, context))?;
        rx.await
            .map_err(|_| StoreError::bare(StoreErrorKind::Unavailable, context))?
    }

    /// Queues a write that may share a transaction with the writes queued with it.
    pub(crate) fn batch(
        &self,
        context: &'static str,
        job: Box<dyn BatchJob>,
    ) -> Result<(), StoreError> {
        self.inner
            .jobs
            .send(Job::Batch(job))
            .map_err(|_| StoreError::bare(StoreErrorKind::Unavailable, context))
    }
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn configure(conn: Connection) -> rusqlite::Result<Connection> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // WAL: readers never block the writer; NORMAL sync is durable across process crashes and
    // loses at most the last transactions on power loss, the usual choice with WAL.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // 64 MiB of page cache (SQLite's default is 2 MiB): the rows and index pages of the
    // members who are talking stay in memory, so a grant reads no page from the file.
    conn.pragma_update(None, "cache_size", -65_536)?;
    // Checkpoint (copy the WAL back into the file, with its fsyncs) every 10,000 pages (40 MiB)
    // of WAL rather than SQLite's 1,000: under a stream of XP grants each commit writes a few
    // thousand pages, and a checkpoint after every one stalls the writer thread.
    conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
    Ok(conn)
}

fn opening_error(err: rusqlite::Error) -> StoreError {
    StoreError::new(StoreErrorKind::Unavailable, "opening the database", err)
}

/// Maps a rusqlite error to a store error: a locked or unopenable database is
/// [`Unavailable`](StoreErrorKind::Unavailable), a value that cannot be read
/// [`Corrupt`](StoreErrorKind::Corrupt), anything else [`Other`](StoreErrorKind::Other).
pub(crate) fn sql_error(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |err| {
        use rusqlite::ErrorCode;
        let kind = match &err {
            rusqlite::Error::SqliteFailure(e, _)
                if matches!(
                    e.code,
                    ErrorCode::DatabaseBusy
                        | ErrorCode::DatabaseLocked
                        | ErrorCode::CannotOpen
                        | ErrorCode::SystemIoFailure
                        | ErrorCode::DiskFull
                ) =>
            {
                StoreErrorKind::Unavailable
            }
            rusqlite::Error::SqliteFailure(e, _) if e.code == ErrorCode::DatabaseCorrupt => {
                StoreErrorKind::Corrupt
            }
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::IntegralValueOutOfRange(..) => StoreErrorKind::Corrupt,
            _ => StoreErrorKind::Other,
        };
        StoreError::new(kind, context, err)
    }
}

/// Discord ids are `u64`; SQLite integers are `i64`. The bits are stored unchanged, so ids
/// above `i64::MAX` (none exist before the year 2084) still round-trip.
pub(crate) fn id_to_sql(id: u64) -> i64 {
    i64::from_ne_bytes(id.to_ne_bytes())
}

/// The inverse of [`id_to_sql`].
pub(crate) fn id_from_sql(value: i64) -> u64 {
    u64::from_ne_bytes(value.to_ne_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn opening_creates_the_folder_and_a_wal_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/data/hearth.db");
        let store = SqliteStore::open(&path).await.unwrap();
        assert!(path.exists());
        let mode: String = store
            .call("reading the journal mode", |c| {
                c.query_row("PRAGMA journal_mode", [], |r| r.get(0))
                    .map_err(sql_error("x"))
            })
            .await
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[tokio::test]
    async fn opening_again_is_idempotent_and_keeps_the_layout() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hearth.db");
        for _ in 0..3 {
            let store = SqliteStore::open(&path).await.unwrap();
            let (layout, rows): (i64, i64) = store
                .call("reading the versions", |c| {
                    let layout = c.query_row("PRAGMA user_version", [], |r| r.get(0));
                    let rows =
                        c.query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0));
                    layout.and_then(|l| Ok((l, rows?))).map_err(sql_error("x"))
                })
                .await
                .unwrap();
            assert_eq!(layout, migrations::LAYOUT);
            let all: usize = migrations::DOMAINS.iter().map(|d| d.migrations.len()).sum();
            assert_eq!(rows, i64::try_from(all).unwrap());
        }
    }

    #[tokio::test]
    async fn a_database_from_a_newer_hearth_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hearth.db");
        drop(SqliteStore::open(&path).await.unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = SqliteStore::open(&path).await.unwrap_err();
        let source = std::error::Error::source(&err).unwrap().to_string();
        assert!(source.contains("schema layout 99"), "{source}");
    }

    #[tokio::test]
    async fn an_unopenable_path_is_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        // A folder where the file should be.
        let err = SqliteStore::open(dir.path()).await.unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Unavailable);
        assert_eq!(
            err.to_string(),
            "database unavailable while opening the database"
        );
    }

    #[test]
    fn ids_round_trip_through_sql_integers() {
        for id in [1, 80_351_110_224_678_912, i64::MAX as u64, u64::MAX] {
            assert_eq!(id_from_sql(id_to_sql(id)), id);
        }
    }
}
