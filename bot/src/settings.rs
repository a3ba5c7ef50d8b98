//! Guild settings, read through the cache and invalidated on change.

use std::sync::Arc;

use hearth_core::GuildId;
use hearth_moderation::{Error, Moderation, ModerationSettings};

use crate::context::Backend;

/// Moderation settings per guild, served from memory; the store is read on a miss only.
#[derive(Clone, Debug)]
pub struct Settings<S> {
    moderation: Moderation<S>,
    cache: hearth_cache::Cache,
}

/// The cache namespace of moderation settings. Bump the version when `ModerationSettings`
/// changes shape, so no process reads an old entry as the new type.
pub fn moderation_namespace() -> hearth_cache::Namespace<GuildId, ModerationSettings> {
    hearth_cache::Namespace::new("moderation_settings", 1)
}

impl<S: Backend> Settings<S> {
    /// Settings over `store`, cached in `cache`.
    pub fn new(store: S, cache: hearth_cache::Cache) -> Self {
        Self {
            moderation: Moderation::new(store),
            cache,
        }
    }

    /// The guild's moderation settings (the defaults when it never saved any).
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when the cache misses and the store fails.
    pub async fn moderation(&self, guild: GuildId) -> Result<Arc<ModerationSettings>, Error> {
        let key = moderation_namespace().key(guild);
        self.cache
            .get_or_load(&key, || self.moderation.settings(guild))
            .await
    }

    /// Forgets the cached settings of a guild here, in Redis and in every other process.
    pub async fn changed(&self, guild: GuildId, settings: ModerationSettings) {
        let key = moderation_namespace().key(guild);
        if self.cache.set(&key, settings).await.is_err() {
            self.cache.invalidate(&key).await;
        }
    }

    /// The cache, for its statistics.
    pub fn cache(&self) -> &hearth_cache::Cache {
        &self.cache
    }
}
