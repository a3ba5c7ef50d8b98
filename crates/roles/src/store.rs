//! Where menus, autoroles and pending grants live: the traits every backend implements.
//!
//! Methods return `impl Future + Send` so services stay `Send` whatever the backend. Every
//! method is required; the semantics are those of [`MemoryStore`](crate::MemoryStore), and the
//! `testkit` suite checks a backend against them.

use std::{future::Future, sync::Arc};

use hearth_core::{GuildId, MessageId, RoleId, StoreError, Timestamp, UserId};

use crate::{Autorole, PendingGrant, RoleMenu};

/// Stores role menus, keyed by message id.
pub trait RoleMenuStore: Send + Sync {
    /// Stores a new menu at version 0; `false` (and nothing written) when its message has one.
    fn insert_menu(&self, menu: &RoleMenu)
    -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The menu on a message.
    fn menu(
        &self,
        message: MessageId,
    ) -> impl Future<Output = Result<Option<RoleMenu>, StoreError>> + Send;

    /// A guild's menus, oldest message first.
    fn guild_menus(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Vec<RoleMenu>, StoreError>> + Send;

    /// Writes `menu` over the stored one if the stored version is still `menu.version`, as one
    /// atomic compare-and-set, and returns it at `version + 1`; `None` when another change came
    /// first or the menu is gone (nothing written).
    fn replace_menu(
        &self,
        menu: &RoleMenu,
    ) -> impl Future<Output = Result<Option<RoleMenu>, StoreError>> + Send;

    /// Deletes the menu on a message of `guild`; `false` when there was none.
    fn delete_menu(
        &self,
        guild: GuildId,
        message: MessageId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Stores autoroles and the grants waiting to be given.
pub trait AutoroleStore: Send + Sync {
    /// Adds or replaces the autorole of `(guild, role)`; `true` when it is new.
    fn put_autorole(
        &self,
        autorole: Autorole,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Removes an autorole; `false` when it was not one.
    fn remove_autorole(
        &self,
        guild: GuildId,
        role: RoleId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// A guild's autoroles, by role id.
    fn autoroles(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Vec<Autorole>, StoreError>> + Send;

    /// Stores grants; one whose `(guild, user, role)` is already pending is left as it is
    /// (a replayed join schedules nothing twice).
    fn schedule_grants(
        &self,
        grants: Vec<PendingGrant>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The member passed screening: each of their grants still waiting becomes due at
    /// `now + delay`. Returns how many were released; a second call releases none.
    fn release_grants(
        &self,
        guild: GuildId,
        user: UserId,
        now: Timestamp,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Claims up to `limit` grants due at `now`, earliest first, atomically: each becomes
    /// due again at `lease_until` (if the claimer dies, it is given later), so two processes
    /// never claim the same grant at once.
    fn claim_grants(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<PendingGrant>, StoreError>> + Send;

    /// Forgets a grant (given, or no longer possible); `false` when it was not pending.
    fn finish_grant(
        &self,
        guild: GuildId,
        user: UserId,
        role: RoleId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Forgets a member's pending grants (they left); returns how many.
    fn cancel_grants(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// When the earliest grant is due, if any is (grants waiting for screening are not).
    fn next_grant_due(&self) -> impl Future<Output = Result<Option<Timestamp>, StoreError>> + Send;
}

macro_rules! forward {
    ($($ty:ty),*) => {$(
        impl<T: RoleMenuStore + ?Sized> RoleMenuStore for $ty {
            fn insert_menu(&self, menu: &RoleMenu) -> impl Future<Output = Result<bool, StoreError>> + Send {
                (**self).insert_menu(menu)
            }
            fn menu(&self, message: MessageId) -> impl Future<Output = Result<Option<RoleMenu>, StoreError>> + Send {
                (**self).menu(message)
            }
            fn guild_menus(&self, guild: GuildId) -> impl Future<Output = Result<Vec<RoleMenu>, StoreError>> + Send {
                (**self).guild_menus(guild)
            }
            fn replace_menu(&self, menu: &RoleMenu) -> impl Future<Output = Result<Option<RoleMenu>, StoreError>> + Send {
                (**self).replace_menu(menu)
            }
            fn delete_menu(&self, guild: GuildId, message: MessageId) -> impl Future<Output = Result<bool, StoreError>> + Send {
                (**self).delete_menu(guild, message)
            }
        }
        impl<T: AutoroleStore + ?Sized> AutoroleStore for $ty {
            fn put_autorole(&self, autorole: Autorole) -> impl Future<Output = Result<bool, StoreError>> + Send {
                (**self).put_autorole(autorole)
            }
            fn remove_autorole(&self, guild: GuildId, role: RoleId) -> impl Future<Output = Result<bool, StoreError>> + Send {
                (**self).remove_autorole(guild, role)
            }
            fn autoroles(&self, guild: GuildId) -> impl Future<Output = Result<Vec<Autorole>, StoreError>> + Send {
                (**self).autoroles(guild)
            }
            fn schedule_grants(&self, grants: Vec<PendingGrant>) -> impl Future<Output = Result<(), StoreError>> + Send {
                (**self).schedule_grants(grants)
            }
            fn release_grants(&self, guild: GuildId, user: UserId, now: Timestamp) -> impl Future<Output = Result<u64, StoreError>> + Send {
                (**self).release_grants(guild, user, now)
            }
            fn claim_grants(&self, now: Timestamp, lease_until: Timestamp, limit: usize) -> impl Future<Output = Result<Vec<PendingGrant>, StoreError>> + Send {
                (**self).claim_grants(now, lease_until, limit)
            }
            fn finish_grant(&self, guild: GuildId, user: UserId, role: RoleId) -> impl Future<Output = Result<bool, StoreError>> + Send {
                (**self).finish_grant(guild, user, role)
            }
            fn cancel_grants(&self, guild: GuildId, user: UserId) -> impl Future<Output = Result<u64, StoreError>> + Send {
                (**self).cancel_grants(guild, user)
            }
            fn next_grant_due(&self) -> impl Future<Output = Result<Option<Timestamp>, StoreError>> + Send {
                (**self).next_grant_due()
            }
        }
    )*};
}

forward!(&T, Arc<T>);
