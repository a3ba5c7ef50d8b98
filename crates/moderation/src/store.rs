//! Where warnings, settings and timed actions live: the traits every backend implements.
//!
//! Methods return `impl Future + Send` so services stay `Send` whatever the backend. Every
//! method is required; the semantics are those of [`MemoryStore`](crate::MemoryStore), and the
//! `testkit` suite checks a backend against them.

use std::{future::Future, sync::Arc};

use hearth_core::{GuildId, StoreError, Timestamp, UserId};

use crate::{
    ActionId, ActionKey, CaseNumber, ClaimRequest, Claimed, LeaseOwner, ModerationSettings,
    NewTimedAction, NewWarning, SettingsChange, TimedAction, Warning,
};

/// What [`WarningStore::add_warning`] did: the warning, the member's warnings as that insert
/// left them, and whether the call was a replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddedWarning {
    /// The warning as stored; for a replay, the original.
    pub warning: Warning,
    /// The member's warnings in the guild as the insert left them, newest first (on equal
    /// times, higher case first): the warning itself and every one stored before it, none
    /// stored after it, whatever ran concurrently. For a replay, as the original insert left
    /// them, less any removed since.
    pub history: Vec<Warning>,
    /// `true` when the guild already held a warning for this request: nothing was stored and
    /// no case number was taken (see [`WarningStore::add_warning`] for the one exception).
    pub replayed: bool,
}

/// Stores warnings and hands out case numbers.
pub trait WarningStore: Send + Sync {
    /// Stores a warning under the guild's next case number and returns it with the member's
    /// history as of this insert, in one atomic step: no other write can fall between the
    /// insert and the history it returns, in this process or another.
    ///
    /// Case numbers are per guild, start at 1, and are never handed out twice — not under
    /// concurrent calls, and not after the warning holding one was removed.
    ///
    /// `warning.request` is an idempotency key, unique per guild. When the guild already holds
    /// a warning given in that request, the call is a replay: it stores nothing and returns
    /// that warning and its [`history`](AddedWarning::history) with
    /// [`replayed`](AddedWarning::replayed) set, even when the replay runs concurrently with
    /// the original or in another process. A replay takes no case number, except on MongoDB
    /// when it races the original (see hearth-store-mongo: a gap, never a duplicate). The key
    /// is stored with the warning and goes with it: once the warning is removed, the same
    /// request stores a new one.
    fn add_warning(
        &self,
        warning: NewWarning,
    ) -> impl Future<Output = Result<AddedWarning, StoreError>> + Send;

    /// A member's warnings in a guild, newest first; on equal times, higher case first.
    /// A member with none gets an empty list.
    fn warnings(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<Vec<Warning>, StoreError>> + Send;

    /// Removes one of a member's warnings and returns it; `None` when that member has no
    /// warning with that case number in that guild (nothing changes then).
    fn remove_warning(
        &self,
        guild: GuildId,
        user: UserId,
        case: CaseNumber,
    ) -> impl Future<Output = Result<Option<Warning>, StoreError>> + Send;

    /// Removes all of a member's warnings in a guild and returns how many there were; a second
    /// call returns 0.
    fn clear_warnings(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Removes every warning given to `user` in every guild (a data-deletion request) and
    /// returns how many there were. Warnings the user gave as a moderator stay: they are the
    /// warned members' records.
    fn delete_user_data(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// Stores each guild's moderation settings.
pub trait ModerationSettingsStore: Send + Sync {
    /// The guild's settings, or `None` when it never saved any.
    fn moderation_settings(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Option<ModerationSettings>, StoreError>> + Send;

    /// Writes the fields `change` names (a guild with no settings yet starts from the
    /// defaults) and returns the settings after the change, in one atomic step: two changes
    /// of different fields, even from two processes at once, both stick. Fields the change
    /// doesn't name are left as stored, including ones this release doesn't know.
    fn update_moderation_settings(
        &self,
        guild: GuildId,
        change: &SettingsChange,
    ) -> impl Future<Output = Result<ModerationSettings, StoreError>> + Send;
}

macro_rules! forward_impls {
    ($($ptr:ty),+) => {$(
        impl<S: WarningStore + ?Sized> WarningStore for $ptr {
            fn add_warning(&self, warning: NewWarning) -> impl Future<Output = Result<AddedWarning, StoreError>> + Send {
                (**self).add_warning(warning)
            }
            fn warnings(&self, guild: GuildId, user: UserId) -> impl Future<Output = Result<Vec<Warning>, StoreError>> + Send {
                (**self).warnings(guild, user)
            }
            fn remove_warning(&self, guild: GuildId, user: UserId, case: CaseNumber) -> impl Future<Output = Result<Option<Warning>, StoreError>> + Send {
                (**self).remove_warning(guild, user, case)
            }
            fn clear_warnings(&self, guild: GuildId, user: UserId) -> impl Future<Output = Result<u64, StoreError>> + Send {
                (**self).clear_warnings(guild, user)
            }
            fn delete_user_data(&self, user: UserId) -> impl Future<Output = Result<u64, StoreError>> + Send {
                (**self).delete_user_data(user)
            }
        }

        impl<S: ModerationSettingsStore + ?Sized> ModerationSettingsStore for $ptr {
            fn moderation_settings(&self, guild: GuildId) -> impl Future<Output = Result<Option<ModerationSettings>, StoreError>> + Send {
                (**self).moderation_settings(guild)
            }
            fn update_moderation_settings(&self, guild: GuildId, change: &SettingsChange) -> impl Future<Output = Result<ModerationSettings, StoreError>> + Send {
                (**self).update_moderation_settings(guild, change)
            }
        }
    )+};
}

forward_impls!(&S, Arc<S>);

/// Stores timed actions until they are done, and hands due ones out under a lease so that of
/// several processes sharing the store exactly one runs each.
///
/// An action is *claimable* at `now` when it is due (`due_at <= now`) and not leased, or its
/// lease has ended (`lease_until <= now`). Claims take claimable actions in the order they
/// became claimable — their due time, or the end of a lease that ran out — and on ties by
/// id (scheduling order). Only kinds in [`ActionKind::NAMES`](crate::ActionKind::NAMES) are
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
    /// [`next_attempt`](crate::next_attempt)), keeping its attempt count; only if `owner`
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
