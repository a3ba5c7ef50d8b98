//! Lockdowns: a channel where `@everyone` may not send messages for a while, and what its
//! `@everyone` overwrite was before, so unlocking restores it exactly (not a blanket allow).

use std::{future::Future, sync::Arc};

use hearth_core::{ChannelId, GuildId, StoreError, Timestamp};

/// A permission overwrite's bits, as Discord stores them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Overwrite {
    /// The permissions it allows.
    pub allow: u64,
    /// The permissions it denies.
    pub deny: u64,
}

/// A locked channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lockdown {
    /// The guild.
    pub guild: GuildId,
    /// The channel.
    pub channel: ChannelId,
    /// Its `@everyone` overwrite before the lockdown; `None` when it had none (unlocking then
    /// removes the overwrite rather than leaving an empty one).
    pub previous: Option<Overwrite>,
    /// When it was locked.
    pub locked_at: Timestamp,
}

/// Stores locked channels until they are unlocked.
pub trait LockdownStore: Send + Sync {
    /// Records a lockdown unless the channel is locked already; returns whether it did. The
    /// first lockdown's `previous` is kept: locking twice must not make the locked state the
    /// one to restore.
    fn lock(&self, lockdown: Lockdown) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Removes a channel's lockdown and returns it, atomically: of two concurrent unlocks one
    /// gets it, the other `None`.
    fn unlock(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> impl Future<Output = Result<Option<Lockdown>, StoreError>> + Send;

    /// A channel's lockdown, if it is locked.
    fn lockdown(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> impl Future<Output = Result<Option<Lockdown>, StoreError>> + Send;
}

macro_rules! forward_lockdown_impls {
    ($($ptr:ty),+) => {$(
        impl<S: LockdownStore + ?Sized> LockdownStore for $ptr {
            fn lock(&self, lockdown: Lockdown) -> impl Future<Output = Result<bool, StoreError>> + Send {
                (**self).lock(lockdown)
            }
            fn unlock(&self, guild: GuildId, channel: ChannelId) -> impl Future<Output = Result<Option<Lockdown>, StoreError>> + Send {
                (**self).unlock(guild, channel)
            }
            fn lockdown(&self, guild: GuildId, channel: ChannelId) -> impl Future<Output = Result<Option<Lockdown>, StoreError>> + Send {
                (**self).lockdown(guild, channel)
            }
        }
    )+};
}

forward_lockdown_impls!(&S, Arc<S>);
