//! The in-memory store: the reference semantics every backend must match.

mod cases;
mod lockdowns;

use std::{
    collections::HashMap,
    future::{Future, ready},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use hearth_core::{GuildId, StoreError, UserId};

use crate::{
    AddedWarning, CaseNumber, ModerationSettings, ModerationSettingsStore, NewWarning, RequestId,
    SettingsChange, Warning, WarningList, WarningStore, warning::newest_first,
};

/// Warnings and settings in memory; cheap to clone (clones share the data).
///
/// - `warnings` lists newest first, and on equal times the higher case number first.
/// - Case numbers are per guild from 1; the counter never goes back, so a removed warning's
///   number is not handed out again.
/// - Not found is `None` (or 0 for counts), never an error; `clear_warnings` is idempotent.
/// - `add_warning` inserts and reads the history under one lock, so it is atomic; a request
///   the guild already holds a warning for is a replay (found by scanning the guild's
///   warnings: this store is for tests and trials, not for millions of warnings).
///
/// The data is lost when the process ends; use it for tests and trials. A `std` mutex guards
/// it and is never held across an `.await` (every method completes before returning its
/// future).
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Each member's warnings in insertion order, with the request each was given in.
    warnings: HashMap<(GuildId, UserId), Vec<(Warning, RequestId)>>,
    last_case: HashMap<GuildId, u64>,
    settings: HashMap<GuildId, ModerationSettings>,
    cases: cases::Cases,
    lockdowns: HashMap<(GuildId, hearth_core::ChannelId), crate::Lockdown>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave Inner half-updated in a way that matters
        // more than losing the whole store, so keep serving.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Inner {
    /// The warning given in `request` in `guild`, with its member's history as of its insert
    /// (the warnings before it in insertion order).
    fn replay(&self, guild: GuildId, request: RequestId) -> Option<AddedWarning> {
        self.warnings
            .iter()
            .filter(|((g, _), _)| *g == guild)
            .find_map(|(_, list)| {
                let at = list.iter().position(|(_, r)| *r == request)?;
                Some(AddedWarning {
                    warning: list[at].0.clone(),
                    history: newest_first_of(&list[..=at]),
                    replayed: true,
                })
            })
    }
}

fn newest_first_of(list: &[(Warning, RequestId)]) -> Vec<Warning> {
    let mut warnings: Vec<Warning> = list.iter().map(|(w, _)| w.clone()).collect();
    warnings.sort_by(newest_first);
    warnings
}

impl WarningStore for MemoryStore {
    fn add_warning(
        &self,
        warning: NewWarning,
    ) -> impl Future<Output = Result<AddedWarning, StoreError>> + Send {
        let mut inner = self.lock();
        if let Some(replayed) = inner.replay(warning.guild, warning.request) {
            return ready(Ok(replayed));
        }
        let request = warning.request;
        let case = inner.last_case.entry(warning.guild).or_insert(0);
        *case += 1;
        let stored = warning.with_case(CaseNumber(*case));
        let list = inner
            .warnings
            .entry((stored.guild, stored.user))
            .or_default();
        list.push((stored.clone(), request));
        let history = newest_first_of(list);
        ready(Ok(AddedWarning {
            warning: stored,
            history,
            replayed: false,
        }))
    }

    fn warnings(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<WarningList, StoreError>> + Send {
        let warnings = self
            .lock()
            .warnings
            .get(&(guild, user))
            .map(|list| newest_first_of(list))
            .unwrap_or_default();
        ready(Ok(WarningList {
            warnings,
            unreadable: 0,
        }))
    }

    fn remove_warning(
        &self,
        guild: GuildId,
        user: UserId,
        case: CaseNumber,
    ) -> impl Future<Output = Result<Option<Warning>, StoreError>> + Send {
        let mut inner = self.lock();
        let removed = inner.warnings.get_mut(&(guild, user)).and_then(|list| {
            let index = list.iter().position(|(w, _)| w.case == case)?;
            Some(list.remove(index).0)
        });
        ready(Ok(removed))
    }

    fn clear_warnings(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        let removed = self
            .lock()
            .warnings
            .remove(&(guild, user))
            .map_or(0, |list| list.len());
        ready(Ok(removed as u64))
    }

    fn delete_user_data(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        let mut inner = self.lock();
        let mut removed = 0;
        inner.warnings.retain(|&(_, u), list| {
            if u == user {
                removed += list.len() as u64;
            }
            u != user
        });
        ready(Ok(removed))
    }
}

impl ModerationSettingsStore for MemoryStore {
    fn moderation_settings(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Option<ModerationSettings>, StoreError>> + Send {
        ready(Ok(self.lock().settings.get(&guild).cloned()))
    }

    fn update_moderation_settings(
        &self,
        guild: GuildId,
        change: &SettingsChange,
    ) -> impl Future<Output = Result<ModerationSettings, StoreError>> + Send {
        let mut state = self.lock();
        let entry = state.settings.entry(guild).or_default();
        *entry = change.apply(entry.clone());
        ready(Ok(entry.clone()))
    }
}

#[cfg(all(test, feature = "testkit"))]
mod conformance {
    crate::moderation_store_suite!(|| async { (crate::MemoryStore::new(), ()) });
}
