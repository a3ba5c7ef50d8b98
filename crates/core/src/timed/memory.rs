//! [`MemoryTimedActions`]: the reference semantics of timed actions.

use std::{
    collections::BTreeMap,
    future::{Future, ready},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use super::{
    ActionId, ActionKey, ActionKind, ClaimRequest, Claimed, LeaseOwner, NewTimedAction,
    TimedAction, TimedActionStore,
};
use crate::{StoreError, Timestamp};

/// Timed actions in memory; cheap to clone (clones share the data). See
/// [`TimedActionStore`] for the order and ties; a key holds one pending action, and
/// re-scheduling takes a new id.
///
/// The data is lost when the process ends; use it for tests and trials. A `std` mutex guards
/// it and is never held across an `.await` (every method completes before returning its
/// future).
#[derive(Clone, Debug, Default)]
pub struct MemoryTimedActions {
    inner: Arc<Mutex<TimedActions>>,
}

impl MemoryTimedActions {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, TimedActions> {
        // A panic while holding the lock cannot leave the map half-updated in a way that
        // matters more than losing the whole store, so keep serving.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The pending actions by id; ids count up from 1 and are never reused. Lookups by key scan
/// (this store is for tests and trials).
#[derive(Debug, Default)]
struct TimedActions {
    last_id: u64,
    pending: BTreeMap<ActionId, Entry>,
}

#[derive(Debug)]
struct Entry {
    action: TimedAction,
    lease: Option<(LeaseOwner, Timestamp)>,
}

impl Entry {
    /// When a claim can take it: its due time, or its lease's end while leased.
    fn claimable_at(&self) -> Timestamp {
        self.lease
            .as_ref()
            .map_or(self.action.due_at, |(_, until)| *until)
    }

    fn known(&self) -> bool {
        ActionKind::NAMES.contains(&self.action.kind.name())
    }

    fn held_by(&self, owner: &LeaseOwner) -> bool {
        self.lease.as_ref().is_some_and(|(o, _)| o == owner)
    }
}

impl TimedActions {
    fn id_of(&self, key: ActionKey) -> Option<ActionId> {
        self.pending
            .iter()
            .find(|(_, e)| e.action.key() == key)
            .map(|(id, _)| *id)
    }
}

/// - `schedule` replaces by key in place of the old entry: new id, attempts 0, no lease.
/// - `claim_due` orders by (claimable time, id) and takes up to the limit under one lock.
/// - `complete` and `retry_later` need the owner's lease, ended or not; they are `false`
///   otherwise and change nothing.
impl TimedActionStore for MemoryTimedActions {
    fn schedule(
        &self,
        action: NewTimedAction,
    ) -> impl Future<Output = Result<TimedAction, StoreError>> + Send {
        let mut timed = self.lock();
        let timed = &mut *timed;
        if let Some(old) = timed.id_of(ActionKey::new(action.guild, &action.kind)) {
            timed.pending.remove(&old);
        }
        timed.last_id += 1;
        let stored = TimedAction::new(ActionId(timed.last_id), action);
        timed.pending.insert(
            stored.id,
            Entry {
                action: stored.clone(),
                lease: None,
            },
        );
        ready(Ok(stored))
    }

    fn pending(
        &self,
        key: ActionKey,
    ) -> impl Future<Output = Result<Option<TimedAction>, StoreError>> + Send {
        let timed = self.lock();
        let found = timed.id_of(key).map(|id| timed.pending[&id].action.clone());
        ready(Ok(found))
    }

    fn cancel(&self, key: ActionKey) -> impl Future<Output = Result<bool, StoreError>> + Send {
        let mut timed = self.lock();
        let timed = &mut *timed;
        let removed = timed
            .id_of(key)
            .and_then(|id| timed.pending.remove(&id))
            .is_some();
        ready(Ok(removed))
    }

    fn claim_due(
        &self,
        claim: ClaimRequest,
    ) -> impl Future<Output = Result<Vec<Claimed>, StoreError>> + Send {
        let mut timed = self.lock();
        let timed = &mut *timed;
        let mut due: Vec<(Timestamp, ActionId)> = timed
            .pending
            .iter()
            .filter(|(_, e)| e.known() && e.claimable_at() <= claim.now)
            .map(|(id, e)| (e.claimable_at(), *id))
            .collect();
        due.sort_unstable();
        let lease_until = claim.lease_until();
        let claimed = due
            .into_iter()
            .take(usize::try_from(claim.limit).unwrap_or(usize::MAX))
            .map(|(_, id)| {
                let entry = timed.pending.get_mut(&id).expect("listed above");
                entry.action.attempts = entry.action.attempts.saturating_add(1);
                entry.lease = Some((claim.owner.clone(), lease_until));
                Claimed {
                    action: entry.action.clone(),
                    lease_until,
                }
            })
            .collect();
        ready(Ok(claimed))
    }

    fn complete(
        &self,
        id: ActionId,
        owner: &LeaseOwner,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        let mut timed = self.lock();
        let timed = &mut *timed;
        let held = timed.pending.get(&id).is_some_and(|e| e.held_by(owner));
        if held {
            timed.pending.remove(&id);
        }
        ready(Ok(held))
    }

    fn retry_later(
        &self,
        id: ActionId,
        owner: &LeaseOwner,
        at: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        let mut timed = self.lock();
        let entry = timed.pending.get_mut(&id).filter(|e| e.held_by(owner));
        let held = entry.is_some();
        if let Some(entry) = entry {
            entry.action.due_at = at;
            entry.lease = None;
        }
        ready(Ok(held))
    }

    fn next_due(&self) -> impl Future<Output = Result<Option<Timestamp>, StoreError>> + Send {
        let next = self
            .lock()
            .pending
            .values()
            .filter(|e| e.known())
            .map(Entry::claimable_at)
            .min();
        ready(Ok(next))
    }
}

#[cfg(all(test, feature = "testkit"))]
mod tests {
    crate::timed_action_store_suite!(|| async { (super::MemoryTimedActions::new(), ()) });
}
