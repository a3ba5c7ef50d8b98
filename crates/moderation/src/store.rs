//! Where warnings, cases and settings live: the traits every backend implements.
//!
//! Methods return `impl Future + Send` so services stay `Send` whatever the backend. Every
//! method is required; the semantics are those of [`MemoryStore`](crate::MemoryStore), and the
//! `testkit` suite checks a backend against them.

use std::{future::Future, sync::Arc};

use hearth_core::{ChannelId, GuildId, MessageId, StoreError, UserId};

use crate::{Case, CaseNumber, ModerationSettings, NewCase, NewWarning, SettingsChange, Warning};

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

/// A member's warnings as [`WarningStore::warnings`] lists them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WarningList {
    /// The warnings, newest first; on equal times, higher case first.
    pub warnings: Vec<Warning>,
    /// Stored entries that could not be read (data an earlier bot left behind, e.g. without an
    /// id or moderator) and are therefore not in `warnings`. Always 0 on a store that never
    /// held such data.
    pub unreadable: u64,
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
    /// A member with none gets an empty list. A stored entry that cannot be read is left out
    /// and counted in [`WarningList::unreadable`]; it never hides the member's other warnings.
    fn warnings(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<WarningList, StoreError>> + Send;

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
            fn warnings(&self, guild: GuildId, user: UserId) -> impl Future<Output = Result<WarningList, StoreError>> + Send {
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

/// Stores cases: one numbered record per moderation action.
///
/// Case numbers are per guild and shared with warnings ([`WarningStore::add_warning`] takes
/// them from the same counter); a number is never handed out twice, and gaps are allowed (a
/// removed warning, a replay that lost a race).
pub trait CaseStore: Send + Sync {
    /// Records a case atomically: under the guild's next number when `case.number` is `None`,
    /// else under that number (a warning's). A request the guild already recorded a case for
    /// is a replay: the first case is returned and nothing is written; so is a number already
    /// recorded.
    fn record_case(&self, case: NewCase) -> impl Future<Output = Result<Case, StoreError>> + Send;

    /// The case with this number; `None` when there is none.
    fn case(
        &self,
        guild: GuildId,
        number: CaseNumber,
    ) -> impl Future<Output = Result<Option<Case>, StoreError>> + Send;

    /// Replaces a case's reason and returns the case as changed; `None` when there is none.
    fn set_case_reason(
        &self,
        guild: GuildId,
        number: CaseNumber,
        reason: &str,
    ) -> impl Future<Output = Result<Option<Case>, StoreError>> + Send;

    /// Remembers where the case was posted in the mod log; returns whether the case exists.
    fn set_case_log_message(
        &self,
        guild: GuildId,
        number: CaseNumber,
        at: (ChannelId, MessageId),
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

macro_rules! forward_case_impls {
    ($($ptr:ty),+) => {$(
        impl<S: CaseStore + ?Sized> CaseStore for $ptr {
            fn record_case(&self, case: NewCase) -> impl Future<Output = Result<Case, StoreError>> + Send {
                (**self).record_case(case)
            }
            fn case(&self, guild: GuildId, number: CaseNumber) -> impl Future<Output = Result<Option<Case>, StoreError>> + Send {
                (**self).case(guild, number)
            }
            fn set_case_reason(&self, guild: GuildId, number: CaseNumber, reason: &str) -> impl Future<Output = Result<Option<Case>, StoreError>> + Send {
                (**self).set_case_reason(guild, number, reason)
            }
            fn set_case_log_message(&self, guild: GuildId, number: CaseNumber, at: (ChannelId, MessageId)) -> impl Future<Output = Result<bool, StoreError>> + Send {
                (**self).set_case_log_message(guild, number, at)
            }
        }
    )+};
}

forward_case_impls!(&S, Arc<S>);
