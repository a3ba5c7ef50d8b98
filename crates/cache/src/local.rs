//! Tier 1: the in-process cache, and the bookkeeping that makes loads safe.

use std::{
    any::Any,
    collections::HashMap,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, Ordering::SeqCst},
    },
    time::Duration,
};

use quick_cache::{Weighter, sync::Cache as Store};
use tokio::{sync::watch, time::Instant};

use crate::{
    config::{Capacity, ENTRY_OVERHEAD_BYTES},
    stats::Counters,
};

/// One tier-1 entry: the typed value, ready to hand out without deserialising.
#[derive(Clone)]
pub(crate) struct Entry {
    value: Arc<dyn Any + Send + Sync>,
    /// Checked on every read against Tokio's clock (so paused time in tests moves it). An
    /// expired entry is a miss; it keeps its room until replaced or evicted by the bound.
    expires_at: Instant,
    weight: u64,
    pub(crate) counters: Arc<Counters>,
}

#[derive(Clone)]
struct EntryWeight;

impl Weighter<Arc<str>, Entry> for EntryWeight {
    fn weight(&self, _key: &Arc<str>, entry: &Entry) -> u64 {
        entry.weight
    }
}

/// Room for the expected number of entries when the bound is in bytes.
const TYPICAL_ENTRY_BYTES: u64 = 256;

/// The in-process tier.
///
/// It is a `quick_cache` (S3-FIFO eviction): a hit is a hash lookup and an atomic flag, with
/// no bookkeeping on the read path, which keeps its p99 well under a microsecond (moka's read
/// buffers cost ~4 µs at p99 here). TTLs are checked on read.
pub(crate) struct Local {
    entries: Store<Arc<str>, Entry, EntryWeight>,
    bounded_by_bytes: bool,
    /// Bumped by every invalidation, local or remote. A load that started before a bump may
    /// have read an old value, so it must not stay cached (see [`Local::fill`]).
    epoch: AtomicU64,
    /// Loads under way, so that concurrent misses of one key wait for one load.
    in_flight: Mutex<HashMap<Arc<str>, watch::Receiver<()>>>,
}

/// What a tier-1 miss should do.
pub(crate) enum Flight {
    /// Load the key; dropping the guard wakes the waiters.
    Lead(FlightGuard),
    /// Another task is loading the key; wait for it, then look again.
    Wait(watch::Receiver<()>),
}

/// Held by the one task loading a key; waiters wake when it is dropped, even if the load is
/// cancelled.
pub(crate) struct FlightGuard {
    local: Arc<Local>,
    key: Arc<str>,
    // Dropping the sender is what wakes the waiters.
    _done: watch::Sender<()>,
}

impl Drop for FlightGuard {
    fn drop(&mut self) {
        self.local
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.key);
    }
}

impl Local {
    pub(crate) fn new(capacity: Capacity) -> Self {
        let (max, items, bounded_by_bytes) = match capacity {
            Capacity::Entries(n) => (n, n, false),
            Capacity::Bytes(n) => (n, n / TYPICAL_ENTRY_BYTES, true),
        };
        let items = usize::try_from(items.max(1)).unwrap_or(usize::MAX);
        let entries = Store::with_weighter(items, max.max(1), EntryWeight);
        Self {
            entries,
            bounded_by_bytes,
            epoch: AtomicU64::new(0),
            in_flight: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn bounded_by_bytes(&self) -> bool {
        self.bounded_by_bytes
    }

    /// The live entry under `key`, if it holds a `V`.
    pub(crate) fn get<V: Send + Sync + 'static>(&self, key: &Arc<str>) -> Option<(Arc<V>, Entry)> {
        let entry = self.entries.get(key)?;
        if Instant::now() >= entry.expires_at {
            return None;
        }
        // A different type under the same key means two namespaces share a name and version:
        // a programming error, answered as a miss rather than a wrong value.
        let value = Arc::clone(&entry.value).downcast::<V>().ok()?;
        Some((value, entry))
    }

    /// Joins the load of `key` under way, or becomes the task that loads it.
    pub(crate) fn flight(self: &Arc<Self>, key: &Arc<str>) -> Flight {
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(rx) = in_flight.get(key) {
            return Flight::Wait(rx.clone());
        }
        let (tx, rx) = watch::channel(());
        in_flight.insert(Arc::clone(key), rx);
        Flight::Lead(FlightGuard {
            local: Arc::clone(self),
            key: Arc::clone(key),
            _done: tx,
        })
    }

    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(SeqCst)
    }

    /// Caches a value that was read (from Redis or the store) after `epoch` was observed.
    ///
    /// Returns `false`, leaving nothing cached, if an invalidation happened since: the value
    /// may predate it. The entry is inserted *before* the epoch is checked again, so an
    /// invalidation racing with this call either is seen here or removes the entry itself.
    pub(crate) fn fill<V: Send + Sync + 'static>(
        &self,
        key: &Arc<str>,
        value: Arc<V>,
        ttl: Duration,
        encoded_len: usize,
        counters: &Arc<Counters>,
        epoch: u64,
    ) -> bool {
        self.insert(key, value, ttl, encoded_len, counters);
        if self.epoch() == epoch {
            true
        } else {
            self.entries.remove(key);
            false
        }
    }

    /// Caches a value unconditionally (a `set` by this process).
    pub(crate) fn insert<V: Send + Sync + 'static>(
        &self,
        key: &Arc<str>,
        value: Arc<V>,
        ttl: Duration,
        encoded_len: usize,
        counters: &Arc<Counters>,
    ) {
        let weight = if self.bounded_by_bytes {
            key.len() as u64 + encoded_len as u64 + ENTRY_OVERHEAD_BYTES
        } else {
            1
        };
        let entry = Entry {
            value,
            expires_at: Instant::now() + ttl,
            weight,
            counters: Arc::clone(counters),
        };
        self.entries.insert(Arc::clone(key), entry);
    }

    /// Drops `key` and makes loads under way forget what they read.
    pub(crate) fn invalidate(&self, key: &str) {
        self.epoch.fetch_add(1, SeqCst);
        self.entries.remove(key);
    }

    /// Drops every entry and makes loads under way forget what they read.
    pub(crate) fn clear(&self) {
        self.epoch.fetch_add(1, SeqCst);
        self.entries.clear();
    }

    pub(crate) fn len(&self) -> u64 {
        self.entries.len() as u64
    }
}

impl std::fmt::Debug for Local {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Local")
            .field("entries", &self.entries.len())
            .field("bounded_by_bytes", &self.bounded_by_bytes)
            .field("epoch", &self.epoch)
            .finish_non_exhaustive()
    }
}
