//! Group commit: writes that may share a transaction, committed together.
//!
//! Under load, many small writes (one XP grant per message) wait in the connection thread's
//! queue at once. Committing each on its own costs a WAL append and a lock round per write;
//! committing the writes waiting together in one transaction costs that once. Each write is
//! still the same conditional statement it is alone (a grant's cooldown is checked by the
//! upsert's `WHERE`, in order, inside the transaction), so nothing is granted twice and
//! replays still change nothing.
//!
//! A caller hears back only after the commit: a crash loses at most the writes of the batch
//! being committed, none of which was acknowledged. A batch is what waited while the last one
//! ran, at most [`BATCH_MAX`] writes, so that window is a few milliseconds. On shutdown the
//! thread drains its queue before the connection closes.

use hearth_core::StoreError;
use rusqlite::{Connection, TransactionBehavior};

use crate::connection::{Job, sql_error};

/// The most writes committed in one transaction.
pub const BATCH_MAX: usize = 512;

/// A write that may share a transaction with others.
pub(crate) trait BatchJob: Send {
    /// Runs the write's statements inside the open transaction, keeping their result;
    /// `false` when one failed (the batch then undoes this write's statements alone).
    fn run(&mut self, conn: &Connection) -> bool;

    /// Reports the result: the write's own when the transaction committed, else `failed`
    /// (the transaction's error, shared by the batch).
    fn finish(self: Box<Self>, failed: Option<&StoreError>);
}

/// Runs `first` and the batch jobs queued behind it (up to [`BATCH_MAX`]) in one transaction
/// and reports each. Returns a plain job met in the queue, to run after the commit (queue
/// order is kept).
pub(crate) fn run_batch(
    conn: &mut Connection,
    first: Box<dyn BatchJob>,
    queue: &std::sync::mpsc::Receiver<Job>,
) -> Option<Job> {
    const CONTEXT: &str = "committing writes";
    let mut batch = vec![first];
    let mut held = None;
    while batch.len() < BATCH_MAX {
        match queue.try_recv() {
            Ok(Job::Batch(job)) => batch.push(job),
            Ok(plain) => {
                held = Some(plain);
                break;
            }
            Err(_) => break,
        }
    }
    let committed = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql_error(CONTEXT))
        .and_then(|tx| {
            for job in &mut batch {
                // Each write is all or nothing, as it would be in a transaction of its own.
                tx.execute_batch("SAVEPOINT batch_job")
                    .map_err(sql_error(CONTEXT))?;
                if !job.run(&tx) {
                    tx.execute_batch("ROLLBACK TO batch_job")
                        .map_err(sql_error(CONTEXT))?;
                }
                tx.execute_batch("RELEASE batch_job")
                    .map_err(sql_error(CONTEXT))?;
            }
            tx.commit().map_err(sql_error(CONTEXT))
        });
    let failed = committed.err();
    for job in batch {
        job.finish(failed.as_ref());
    }
    held
}
