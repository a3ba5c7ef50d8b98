//! A small set per guild, read through the cache: the channels of its open tickets, the
//! messages of its reaction menus, its autoroles.
//!
//! Some events concern a handful of a guild's channels or messages and arrive for all of them
//! (every message, every reaction, every member update). Asking the store about each would put
//! a query on the busiest paths of the bot; the set is small and changes rarely, so it is
//! cached (this process, then Redis, then the store) and dropped everywhere when it gains a
//! member ([`GuildSet::changed`]). A member that leaves the set usually needs nothing: the
//! stale entry only sends its events on to the store, which answers. (Autoroles are dropped on
//! removal too: a removed one must stop being given at once.)

use std::{fmt::Display, future::Future, sync::Arc};

use hearth_cache::Namespace;
use hearth_core::GuildId;
use serde::{Serialize, de::DeserializeOwned};

use crate::context::Context;

/// One kind of per-guild set, in its cache namespace.
#[derive(Clone, Copy, Debug)]
pub struct GuildSet<T: 'static> {
    namespace: Namespace<GuildId, Vec<T>>,
}

impl<T> GuildSet<T>
where
    T: Serialize + DeserializeOwned + PartialEq + Send + Sync + 'static,
{
    /// The set kept under `namespace`.
    pub const fn new(namespace: Namespace<GuildId, Vec<T>>) -> Self {
        Self { namespace }
    }

    /// Whether `item` may be in the guild's set, loading it with `load` on a miss: `false`
    /// only when it certainly is not. A failed load answers `true`, so the caller asks the
    /// store about the item itself.
    pub async fn may_hold<E, Fut>(
        &self,
        ctx: &Context,
        guild: GuildId,
        item: &T,
        load: impl FnOnce() -> Fut,
    ) -> bool
    where
        E: Display,
        Fut: Future<Output = Result<Vec<T>, E>>,
    {
        self.read(ctx, guild, load)
            .await
            .is_none_or(|set| set.contains(item))
    }

    /// Whether the guild's set may hold anything: `false` only when it is certainly empty
    /// (a failed load answers `true`).
    pub async fn may_hold_any<E, Fut>(
        &self,
        ctx: &Context,
        guild: GuildId,
        load: impl FnOnce() -> Fut,
    ) -> bool
    where
        E: Display,
        Fut: Future<Output = Result<Vec<T>, E>>,
    {
        self.read(ctx, guild, load)
            .await
            .is_none_or(|set| !set.is_empty())
    }

    /// The guild's set, `None` when it cannot be read.
    async fn read<E, Fut>(
        &self,
        ctx: &Context,
        guild: GuildId,
        load: impl FnOnce() -> Fut,
    ) -> Option<Arc<Vec<T>>>
    where
        E: Display,
        Fut: Future<Output = Result<Vec<T>, E>>,
    {
        match ctx
            .cache
            .get_or_load(&self.namespace.key(guild), load)
            .await
        {
            Ok(set) => Some(set),
            Err(err) => {
                tracing::debug!(
                    set = self.namespace.name(),
                    %guild,
                    %err,
                    "a cached set is unreadable; asking the store"
                );
                None
            }
        }
    }

    /// The guild's set gained a member in the store (or lost one that must stop counting at
    /// once): every process loads it again.
    pub async fn changed(&self, ctx: &Context, guild: GuildId) {
        ctx.cache.invalidate(&self.namespace.key(guild)).await;
    }
}
