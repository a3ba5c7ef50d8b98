//! Group commit: writes that may share a transaction, answered as they run and committed
//! together.
//!
//! Under load, many small writes (one XP grant per message) reach the connection thread one
//! after another. Committing each on its own costs a WAL append and a lock round per write,
//! and a caller that waits for the commit waits for every write committed with it. Here a
//! batch job runs at once inside a transaction that stays open while more arrive, and its
//! caller hears its result as soon as its statements ran; the transaction commits when the
//! queue has been idle for [`IDLE_COMMIT`], when it has been open for [`OPEN_MAX`], when it
//! holds [`BATCH_MAX`] writes, or before any other job (a read or another write) runs.
//!
//! Counters that every write adds to (a guild's messages of the day) are staged by each write
//! ([`Increment`]), added up, and written once per row just before the commit.
//!
//! Each write is still the same conditional statement it is alone (a grant's cooldown is
//! checked by the upsert's `WHERE`, in order, under the write lock the open transaction
//! holds), so nothing is granted twice and replays still change nothing, also with other
//! processes on the file: they wait for the lock (at most [`OPEN_MAX`] plus the commit).
//!
//! **The loss window:** a crash (a kill, a power cut) loses the writes of the open
//! transaction: at most [`OPEN_MAX`] of them, and in a quiet moment only those of the last
//! [`IDLE_COMMIT`], which their callers were already told about. Nothing lost is half-written
//! (the transaction rolls back whole) and nothing is applied twice. On shutdown the thread
//! commits before the connection closes ([`crate::SqliteStore`] waits for it when its last
//! clone is dropped).

use std::{
    collections::HashMap,
    sync::mpsc::{Receiver, RecvTimeoutError},
    time::{Duration, Instant},
};

use hearth_core::StoreError;
use rusqlite::{Connection, TransactionBehavior};

use crate::connection::{Counts, Job, sql_error};

/// What a failure of the shared transaction is reported as.
const CONTEXT: &str = "committing writes";

/// The most writes committed in one transaction.
pub const BATCH_MAX: usize = 16_384;

/// How long the queue stays empty before the open transaction commits.
pub const IDLE_COMMIT: Duration = Duration::from_millis(5);

/// How long a transaction stays open at most, however busy the queue: the crash loss window.
pub const OPEN_MAX: Duration = Duration::from_millis(100);

/// A write that may share a transaction with others.
pub(crate) trait BatchJob: Send {
    /// Runs the write's statements inside the open transaction, keeping their result, and
    /// stages the counters it adds to; `false` when one failed (the batch then undoes this
    /// write's statements alone and drops what it staged).
    fn run(&mut self, conn: &Connection, staged: &mut Vec<Increment>) -> bool;

    /// Reports the result: the write's own, or `failed` when its statements could not be
    /// run or undone (the transaction's error).
    fn finish(self: Box<Self>, failed: Option<&StoreError>);
}

/// Counters a write adds to (a day's activity, say), added up over the transaction and
/// written once per key before it commits: one upsert per key rather than one per write.
pub(crate) struct Increment {
    /// The upsert: `?1`, `?2` the key, `?3`, `?4` the amounts to add.
    pub(crate) sql: &'static str,
    /// The row's key.
    pub(crate) key: [i64; 2],
    /// The amounts to add.
    pub(crate) by: [i64; 2],
}

/// The increments of a transaction, added up per statement and key.
#[derive(Default)]
struct Tally(HashMap<(&'static str, [i64; 2]), [i64; 2]>);

impl Tally {
    fn add(&mut self, staged: &mut Vec<Increment>) {
        for Increment { sql, key, by } in staged.drain(..) {
            let sum = self.0.entry((sql, key)).or_default();
            sum[0] = sum[0].saturating_add(by[0]);
            sum[1] = sum[1].saturating_add(by[1]);
        }
    }

    fn write(&self, conn: &Connection) -> rusqlite::Result<()> {
        for ((sql, key), by) in &self.0 {
            conn.prepare_cached(sql)?
                .execute([key[0], key[1], by[0], by[1]])?;
        }
        Ok(())
    }
}

/// Runs `first` and the batch jobs that follow it in one transaction, answering each as it
/// runs, and commits (see the module docs). Returns a plain job met in the queue, to run
/// after the commit (queue order is kept).
pub(crate) fn run_batch(
    conn: &mut Connection,
    first: Box<dyn BatchJob>,
    queue: &Receiver<Job>,
    counts: &Counts,
) -> Option<Job> {
    let opened = Instant::now();
    let tx = match conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql_error(CONTEXT))
    {
        Ok(tx) => tx,
        Err(err) => {
            counts.batched();
            first.finish(Some(&err));
            return None;
        }
    };
    let mut job = first;
    let (mut written, mut tally, mut staged) = (0_usize, Tally::default(), Vec::new());
    let held = loop {
        // Counted before the caller is answered, so what it reads next includes it.
        counts.batched();
        run_one(&tx, job, &mut staged);
        tally.add(&mut staged);
        written += 1;
        let left = OPEN_MAX.saturating_sub(opened.elapsed());
        if written >= BATCH_MAX || left.is_zero() {
            break None;
        }
        match queue.recv_timeout(IDLE_COMMIT.min(left)) {
            Ok(Job::Batch(next)) => job = next,
            Ok(plain) => break Some(plain),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break None,
        }
    };
    let committed = tally.write(&tx).and_then(|()| tx.commit());
    counts.committed();
    if let Err(err) = committed.map_err(sql_error(CONTEXT)) {
        // The writes were answered already; say loudly what was lost.
        tracing::error!(writes = written, error = %err, "a batch of writes was not committed");
    }
    held
}

/// Runs one job under a savepoint, so a failed job undoes its own statements alone (and its
/// staged increments are dropped), and answers it.
fn run_one(conn: &Connection, mut job: Box<dyn BatchJob>, staged: &mut Vec<Increment>) {
    let savepoint = |sql: &str| {
        conn.prepare_cached(sql)
            .and_then(|mut s| s.execute([]))
            .map_err(sql_error(CONTEXT))
    };
    let mut ran = false;
    let done = savepoint("SAVEPOINT batch_job").and_then(|_| {
        ran = job.run(conn, staged);
        if !ran {
            savepoint("ROLLBACK TO batch_job")?;
        }
        savepoint("RELEASE batch_job")
    });
    if !ran || done.is_err() {
        staged.clear();
    }
    job.finish(done.err().as_ref());
}
