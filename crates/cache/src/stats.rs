//! Counters of what the cache did, and the snapshot the bot publishes as metrics.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        Arc, PoisonError, RwLock,
        atomic::{AtomicU64, Ordering::Relaxed},
    },
};

/// What happened to reads and writes of one namespace since the cache started.
///
/// Every read is exactly one of: a tier-1 hit, a coalesced wait, a Redis hit, or a load from
/// the store (`loads`, successful or not). Counters only grow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NamespaceStats {
    /// Reads answered by the in-process tier.
    pub tier1_hits: u64,
    /// Reads the in-process tier could not answer.
    pub tier1_misses: u64,
    /// Tier-1 misses that waited for a load of the same key already under way, and got its
    /// value without asking Redis or the store.
    pub coalesced: u64,
    /// Tier-1 misses answered by Redis.
    pub redis_hits: u64,
    /// Tier-1 misses Redis was asked about and did not hold (or held in an unreadable form).
    pub redis_misses: u64,
    /// Calls of a loader, i.e. queries of the store.
    pub loads: u64,
    /// Loader calls that returned an error (not cached, returned to the caller).
    pub load_errors: u64,
    /// `set` and `invalidate` calls made in this process.
    pub invalidations: u64,
}

impl NamespaceStats {
    /// All reads.
    pub fn reads(&self) -> u64 {
        self.tier1_hits + self.tier1_misses
    }

    /// The share of reads answered without the store (tier 1, a coalesced wait or Redis),
    /// from 0 to 1; 0 when nothing was read.
    pub fn hit_rate(&self) -> f64 {
        ratio(self.reads().saturating_sub(self.loads), self.reads())
    }

    /// The share of reads answered by the in-process tier, from 0 to 1.
    pub fn tier1_hit_rate(&self) -> f64 {
        ratio(self.tier1_hits + self.coalesced, self.reads())
    }

    /// The share of the reads that Redis was asked about that it answered, from 0 to 1.
    pub fn redis_hit_rate(&self) -> f64 {
        ratio(self.redis_hits, self.redis_hits + self.redis_misses)
    }

    fn add(&mut self, other: &Self) {
        self.tier1_hits += other.tier1_hits;
        self.tier1_misses += other.tier1_misses;
        self.coalesced += other.coalesced;
        self.redis_hits += other.redis_hits;
        self.redis_misses += other.redis_misses;
        self.loads += other.loads;
        self.load_errors += other.load_errors;
        self.invalidations += other.invalidations;
    }
}

#[allow(clippy::cast_precision_loss)] // counters far below 2^52
fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// A snapshot of the cache's counters, from [`Cache::stats`](crate::Cache::stats).
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Counters per namespace name, for every namespace read or written so far.
    pub namespaces: BTreeMap<&'static str, NamespaceStats>,
    /// Invalidations received from other processes through Redis.
    pub remote_invalidations: u64,
    /// Times the whole in-process tier was emptied because invalidation messages may have been
    /// missed (a reconnection to Redis, a lagging subscriber).
    pub local_clears: u64,
    /// Redis commands that failed or timed out, and connection errors.
    pub redis_errors: u64,
    /// Times Redis went from reachable to unreachable (each logged once).
    pub redis_outages: u64,
    /// Values read from Redis that could not be deserialised (treated as misses).
    pub decode_errors: u64,
    /// Entries currently held by the in-process tier (approximate).
    pub tier1_entries: u64,
    /// Whether Redis is configured and currently considered reachable.
    pub redis_up: bool,
}

impl CacheStats {
    /// The counters of every namespace added up.
    pub fn total(&self) -> NamespaceStats {
        let mut total = NamespaceStats::default();
        for ns in self.namespaces.values() {
            total.add(ns);
        }
        total
    }
}

/// The live counters of one namespace.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) tier1_hits: AtomicU64,
    pub(crate) tier1_misses: AtomicU64,
    pub(crate) coalesced: AtomicU64,
    pub(crate) redis_hits: AtomicU64,
    pub(crate) redis_misses: AtomicU64,
    pub(crate) loads: AtomicU64,
    pub(crate) load_errors: AtomicU64,
    pub(crate) invalidations: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Relaxed);
    }

    fn snapshot(&self) -> NamespaceStats {
        NamespaceStats {
            tier1_hits: self.tier1_hits.load(Relaxed),
            tier1_misses: self.tier1_misses.load(Relaxed),
            coalesced: self.coalesced.load(Relaxed),
            redis_hits: self.redis_hits.load(Relaxed),
            redis_misses: self.redis_misses.load(Relaxed),
            loads: self.loads.load(Relaxed),
            load_errors: self.load_errors.load(Relaxed),
            invalidations: self.invalidations.load(Relaxed),
        }
    }
}

/// The cache-wide counters.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    namespaces: RwLock<HashMap<&'static str, Arc<Counters>>>,
    pub(crate) remote_invalidations: AtomicU64,
    pub(crate) local_clears: AtomicU64,
    pub(crate) redis_errors: AtomicU64,
    pub(crate) redis_outages: AtomicU64,
    pub(crate) decode_errors: AtomicU64,
}

impl Stats {
    /// The counters of namespace `name`, created on first use.
    pub(crate) fn namespace(&self, name: &'static str) -> Arc<Counters> {
        // Counters are plain atomics; a panic elsewhere cannot leave them inconsistent.
        if let Some(c) = self
            .namespaces
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
        {
            return Arc::clone(c);
        }
        Arc::clone(
            self.namespaces
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(name)
                .or_default(),
        )
    }

    pub(crate) fn snapshot(&self, tier1_entries: u64, redis_up: bool) -> CacheStats {
        let namespaces = self
            .namespaces
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(name, c)| (*name, c.snapshot()))
            .collect();
        CacheStats {
            namespaces,
            remote_invalidations: self.remote_invalidations.load(Relaxed),
            local_clears: self.local_clears.load(Relaxed),
            redis_errors: self.redis_errors.load(Relaxed),
            redis_outages: self.redis_outages.load(Relaxed),
            decode_errors: self.decode_errors.load(Relaxed),
            tier1_entries,
            redis_up,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_count_every_answer_without_the_store_as_a_hit() {
        let s = NamespaceStats {
            tier1_hits: 90,
            tier1_misses: 10,
            coalesced: 2,
            redis_hits: 5,
            redis_misses: 3,
            loads: 3,
            ..NamespaceStats::default()
        };
        assert_eq!(s.reads(), 100);
        assert!((s.hit_rate() - 0.97).abs() < 1e-9);
        assert!((s.tier1_hit_rate() - 0.92).abs() < 1e-9);
        assert!((s.redis_hit_rate() - 0.625).abs() < 1e-9);
        assert!(NamespaceStats::default().hit_rate().abs() < f64::EPSILON);
    }

    #[test]
    fn totals_add_up_namespaces() {
        let stats = Stats::default();
        Counters::bump(&stats.namespace("a").loads);
        Counters::bump(&stats.namespace("b").loads);
        Counters::bump(&stats.namespace("b").tier1_hits);
        let snap = stats.snapshot(0, false);
        assert_eq!(snap.namespaces["b"].tier1_hits, 1);
        assert_eq!(snap.total().loads, 2);
    }
}
