//! Write-through settings: one helper per feature namespace.
//!
//! [`Settings::get`] reads through the cache (this process, then Redis, then the store);
//! [`Settings::update`] runs the store's own atomic update and puts the new value in the cache
//! in the same call, so no handler can forget to invalidate. The store writes only the fields
//! an update names (MongoDB `$set`), so a newer process's fields survive an older one's write
//! during a rolling upgrade.

use std::{fmt, future::Future, sync::Arc};

use hearth_cache::{Cache, Namespace};
use hearth_core::GuildId;
use serde::{Serialize, de::DeserializeOwned};

/// Where a feature's settings come from: usually its domain service.
pub trait Source<T>: Clone + Send + Sync + 'static {
    /// The error a load returns.
    type Error;

    /// The guild's settings, the defaults when it never saved any.
    fn load(&self, guild: GuildId) -> impl Future<Output = Result<T, Self::Error>> + Send;
}

/// One feature's settings per guild, served from the cache.
pub struct Settings<T, L> {
    cache: Cache,
    namespace: Namespace<GuildId, T>,
    source: L,
}

impl<T, L: Clone> Clone for Settings<T, L> {
    fn clone(&self) -> Self {
        Self {
            cache: self.cache.clone(),
            namespace: self.namespace,
            source: self.source.clone(),
        }
    }
}

impl<T, L> fmt::Debug for Settings<T, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("namespace", &self.namespace.name())
            .finish_non_exhaustive()
    }
}

impl<T, L> Settings<T, L>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    L: Source<T>,
{
    /// Settings in `namespace` (bump its version when `T` changes shape, so no process reads
    /// an old entry as the new type), loaded from `source`.
    pub fn new(cache: Cache, namespace: Namespace<GuildId, T>, source: L) -> Self {
        Self {
            cache,
            namespace,
            source,
        }
    }

    /// The guild's settings.
    ///
    /// # Errors
    ///
    /// The source's error when the cache misses and the load fails.
    pub async fn get(&self, guild: GuildId) -> Result<Arc<T>, L::Error> {
        let key = self.namespace.key(guild);
        self.cache
            .get_or_load(&key, || self.source.load(guild))
            .await
    }

    /// Changes the guild's settings: `write` performs the store's atomic update and returns
    /// the settings after it, which then replace the cached value here, in Redis and in every
    /// other process.
    ///
    /// # Errors
    ///
    /// `write`'s error; nothing is cached then.
    pub async fn update<F, Fut, E>(&self, guild: GuildId, write: F) -> Result<Arc<T>, E>
    where
        F: FnOnce(L) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        T: Clone,
    {
        let after = write(self.source.clone()).await?;
        let key = self.namespace.key(guild);
        if self.cache.set(&key, after.clone()).await.is_err() {
            self.cache.invalidate(&key).await;
        }
        Ok(Arc::new(after))
    }
}
