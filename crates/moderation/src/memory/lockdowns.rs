//! `LockdownStore` for [`MemoryStore`].

use std::future::{Future, ready};

use hearth_core::{ChannelId, GuildId, StoreError};

use super::MemoryStore;
use crate::{Lockdown, LockdownStore};

/// - `lock` inserts only into an empty slot; `unlock` removes under the same lock.
impl LockdownStore for MemoryStore {
    fn lock(&self, lockdown: Lockdown) -> impl Future<Output = Result<bool, StoreError>> + Send {
        let mut inner = self.lock();
        let key = (lockdown.guild, lockdown.channel);
        let new = !inner.lockdowns.contains_key(&key);
        if new {
            inner.lockdowns.insert(key, lockdown);
        }
        ready(Ok(new))
    }

    fn unlock(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> impl Future<Output = Result<Option<Lockdown>, StoreError>> + Send {
        ready(Ok(self.lock().lockdowns.remove(&(guild, channel))))
    }

    fn lockdown(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> impl Future<Output = Result<Option<Lockdown>, StoreError>> + Send {
        ready(Ok(self.lock().lockdowns.get(&(guild, channel)).copied()))
    }
}
