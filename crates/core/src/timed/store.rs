//! The store trait of timed actions.

use std::{future::Future, sync::Arc};

use super::{ActionId, ActionKey, ClaimRequest, Claimed, LeaseOwner, NewTimedAction, TimedAction};
use crate::{StoreError, Timestamp};

/// Stores timed actions until they are done, and hands due ones out under a lease so that of
/// several processes sharing the store exactly one runs each.
///
/// An action is *claimable* at `now` when it is due (`due_at <= now`) and not leased, or its
/// lease has ended (`lease_until <= now`). Claims take claimable actions in the order they
/// became claimable — their due time, or the end of a lease that ran out — and on ties by
/// id (scheduling order). Only kinds in [`ActionKind::NAMES`] are
/// claimed or reported by [`next_due`](TimedActionStore::next_due).
///
/// A lease is a promise, not a lock: an owner that overruns it may find the action claimed by
/// another, whose run then repeats its work (lifting a ban twice is harmless), and its own
/// [`complete`](TimedActionStore::complete) returns `false`.
pub trait TimedActionStore: Send + Sync {
    /// Stores an action under a new id and returns it. A pending action with the same
    /// [`ActionKey`] (leased or not) is replaced: its time, kind and case are the new ones,
    /// its attempts start again from 0, and its lease and old id are gone.
    fn schedule(
        &self,
        action: NewTimedAction,
    ) -> impl Future<Output = Result<TimedAction, StoreError>> + Send;

    /// The pending action with this key, leased or not; `None` when there is none.
    fn pending(
        &self,
        key: ActionKey,
    ) -> impl Future<Output = Result<Option<TimedAction>, StoreError>> + Send;

    /// Removes the pending action with this key (a manual `/unban` before the timer), leased
    /// or not; returns whether there was one. A second call returns `false`.
    fn cancel(&self, key: ActionKey) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Claims up to `claim.limit` claimable actions for `claim.owner` until
    /// `claim.now + claim.lease`, in claim order (see the trait), counting an attempt on
    /// each, atomically: no action is handed to two claims whose leases overlap, in this
    /// process or another.
    fn claim_due(
        &self,
        claim: ClaimRequest,
    ) -> impl Future<Output = Result<Vec<Claimed>, StoreError>> + Send;

    /// Removes an action that ran (or was given up on) if `owner` holds its lease, even one
    /// that has ended but that nobody claimed since; returns whether it did. `false` when
    /// another claim took it, it was re-scheduled (a new id) or cancelled.
    fn complete(
        &self,
        id: ActionId,
        owner: &LeaseOwner,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Releases an action whose attempt failed, to be claimed again at `at` (see
    /// [`next_attempt`](super::next_attempt)), keeping its attempt count; only if `owner`
    /// holds its lease, as for [`complete`](TimedActionStore::complete). Returns whether it
    /// did.
    fn retry_later(
        &self,
        id: ActionId,
        owner: &LeaseOwner,
        at: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The earliest time a claim could return something: the least due time of unleased
    /// actions and lease end of leased ones (possibly in the past); `None` when nothing is
    /// pending. One indexed query however many actions are pending, so a scheduler can sleep
    /// until then.
    fn next_due(&self) -> impl Future<Output = Result<Option<Timestamp>, StoreError>> + Send;
}

macro_rules! forward_timed_impls {
    ($($ptr:ty),+) => {$(
        impl<S: TimedActionStore + ?Sized> TimedActionStore for $ptr {
            fn schedule(&self, action: NewTimedAction) -> impl Future<Output = Result<TimedAction, StoreError>> + Send {
                (**self).schedule(action)
            }
            fn pending(&self, key: ActionKey) -> impl Future<Output = Result<Option<TimedAction>, StoreError>> + Send {
                (**self).pending(key)
            }
            fn cancel(&self, key: ActionKey) -> impl Future<Output = Result<bool, StoreError>> + Send {
                (**self).cancel(key)
            }
            fn claim_due(&self, claim: ClaimRequest) -> impl Future<Output = Result<Vec<Claimed>, StoreError>> + Send {
                (**self).claim_due(claim)
            }
            fn complete(&self, id: ActionId, owner: &LeaseOwner) -> impl Future<Output = Result<bool, StoreError>> + Send {
                (**self).complete(id, owner)
            }
            fn retry_later(&self, id: ActionId, owner: &LeaseOwner, at: Timestamp) -> impl Future<Output = Result<bool, StoreError>> + Send {
                (**self).retry_later(id, owner, at)
            }
            fn next_due(&self) -> impl Future<Output = Result<Option<Timestamp>, StoreError>> + Send {
                (**self).next_due()
            }
        }
    )+};
}

forward_timed_impls!(&S, Arc<S>);
