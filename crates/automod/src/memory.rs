//! The in-memory store: the reference semantics every backend must match.

use std::{
    collections::{HashMap, VecDeque},
    future::{Future, ready},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use hearth_core::{GuildId, StoreError, UserId};

use crate::{AutomodSettings, AutomodStore, HitRecord, RECENT_HITS_KEPT, Versioned};

/// Automod settings and hits in memory; cheap to clone (clones share the data).
///
/// - A save succeeds only when the stored version is the expected one, under one lock, so
///   two saves from the same version cannot both succeed.
/// - Hits are kept per guild in recording order, the oldest dropped past
///   [`RECENT_HITS_KEPT`]; a hit whose (guild, message, rule) is already kept is a replay.
///   Listing is newest first by time, then by recording order.
/// - Not found is `None` or an empty list, never an error.
///
/// The data is lost when the process ends. A `std` mutex guards it and is never held across
/// an `.await`.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    settings: HashMap<GuildId, Versioned>,
    hits: HashMap<GuildId, VecDeque<HitRecord>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl AutomodStore for MemoryStore {
    fn automod_settings(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Option<Versioned>, StoreError>> + Send {
        ready(Ok(self.lock().settings.get(&guild).cloned()))
    }

    fn save_automod_settings(
        &self,
        guild: GuildId,
        settings: &AutomodSettings,
        expected: Option<u64>,
    ) -> impl Future<Output = Result<Option<Versioned>, StoreError>> + Send {
        let mut inner = self.lock();
        let stored = inner.settings.get(&guild).map(|v| v.version);
        if stored != expected {
            return ready(Ok(None));
        }
        let saved = Versioned {
            settings: settings.clone(),
            version: stored.unwrap_or(0) + 1,
        };
        inner.settings.insert(guild, saved.clone());
        ready(Ok(Some(saved)))
    }

    fn record_hit(&self, hit: &HitRecord) -> impl Future<Output = Result<bool, StoreError>> + Send {
        let mut inner = self.lock();
        let list = inner.hits.entry(hit.guild).or_default();
        let replay = hit.message.is_some()
            && list
                .iter()
                .any(|h| h.message == hit.message && h.rule == hit.rule);
        if replay {
            return ready(Ok(false));
        }
        list.push_back(hit.clone());
        while list.len() > RECENT_HITS_KEPT {
            list.pop_front();
        }
        ready(Ok(true))
    }

    fn recent_hits(
        &self,
        guild: GuildId,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<HitRecord>, StoreError>> + Send {
        let inner = self.lock();
        let mut hits: Vec<(usize, &HitRecord)> = inner
            .hits
            .get(&guild)
            .map(|list| list.iter().enumerate().collect())
            .unwrap_or_default();
        hits.sort_by(|a, b| b.1.at.cmp(&a.1.at).then(b.0.cmp(&a.0)));
        let limit = limit.min(RECENT_HITS_KEPT);
        ready(Ok(hits
            .into_iter()
            .take(limit)
            .map(|(_, h)| h.clone())
            .collect()))
    }

    fn delete_automod_user_data(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        let mut inner = self.lock();
        let mut removed = 0;
        for list in inner.hits.values_mut() {
            let before = list.len();
            list.retain(|h| h.user != user);
            removed += (before - list.len()) as u64;
        }
        ready(Ok(removed))
    }
}

#[cfg(all(test, feature = "testkit"))]
mod conformance {
    crate::automod_store_suite!(|| async { (crate::MemoryStore::new(), ()) });
}
