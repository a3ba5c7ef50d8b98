//! The read-through cache: tier 1, then Redis, then the store.

use std::{future::Future, sync::Arc};

use serde::{Serialize, de::DeserializeOwned};
use tracing::warn;

use crate::{
    CacheConfig, CacheStats, Error, Key,
    local::{Flight, Local},
    redis::RedisTier,
    stats::{Counters, Stats},
};

/// A two-tier read-through cache: in-process entries in front of an optional shared Redis, in
/// front of the caller's store.
///
/// Cloning is cheap and clones share everything. See the [crate docs](crate) for the design.
#[derive(Clone, Debug)]
pub struct Cache {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    local: Arc<Local>,
    redis: Option<RedisTier>,
    stats: Arc<Stats>,
}

/// Where an update reached, as returned by [`Cache::set`] and [`Cache::invalidate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// This process, Redis and (through pub/sub) every process sharing that Redis.
    Everywhere,
    /// This process only: there is no Redis tier.
    ThisProcess,
    /// This process only, because Redis did not answer. Other processes may serve the old
    /// value until their entries expire (see the crate docs for the bound).
    ThisProcessRedisDown,
}

impl Cache {
    /// A cache with the in-process tier alone, bounded by `config.capacity` (`redis_url` is
    /// ignored). Needs no Tokio runtime.
    pub fn local(config: &CacheConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                local: Arc::new(Local::new(config.capacity)),
                redis: None,
                stats: Arc::new(Stats::default()),
            }),
        }
    }

    /// A cache as `config` describes it, with Redis when `config.redis_url` is set.
    ///
    /// Waits at most `config.connect_timeout` for Redis and returns at once when Redis refuses
    /// the connection: a Redis that is down is logged and reconnected in the background, never
    /// an error. Must be called inside a Tokio runtime when Redis is configured.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRedisUrl`] when the URL is not `redis://…` or `rediss://…`.
    pub async fn connect(config: CacheConfig) -> Result<Self, Error> {
        let Some(url) = config.redis_url.as_deref() else {
            return Ok(Self::local(&config));
        };
        let local = Arc::new(Local::new(config.capacity));
        let stats = Arc::new(Stats::default());
        let redis = RedisTier::start(url, &config, Arc::clone(&local), Arc::clone(&stats)).await?;
        Ok(Self {
            inner: Arc::new(Inner {
                local,
                redis: Some(redis),
                stats,
            }),
        })
    }

    /// The value under `key`: from tier 1, else from Redis, else from `loader` (which reads the
    /// store), filling the tiers on the way back.
    ///
    /// Concurrent misses of one key in this process call one loader; the others wait for its
    /// value. Redis trouble never fails a read: the read goes to the store instead, within the
    /// command timeout at most. A value that does not deserialise from Redis (another layout
    /// under the same version) is a miss, not an error.
    ///
    /// # Errors
    ///
    /// The loader's error, unchanged. Errors are not cached: the next read calls a loader
    /// again. A task that waited for another task's failed load calls its own loader.
    pub async fn get_or_load<V, E, F, Fut>(&self, key: &Key<V>, loader: F) -> Result<Arc<V>, E>
    where
        V: Serialize + DeserializeOwned + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let inner = &*self.inner;
        if let Some((value, entry)) = inner.local.get::<V>(key.text()) {
            Counters::bump(&entry.counters.tier1_hits);
            return Ok(value);
        }
        let counters = inner.stats.namespace(key.namespace());
        Counters::bump(&counters.tier1_misses);

        let _guard = match inner.local.flight(key.text()) {
            Flight::Lead(guard) => {
                // A load may have finished between the miss above and taking the lead.
                if let Some((value, _)) = inner.local.get::<V>(key.text()) {
                    Counters::bump(&counters.coalesced);
                    return Ok(value);
                }
                Some(guard)
            }
            Flight::Wait(mut done) => {
                // Resolves when the leader finishes or is cancelled (its sender is dropped).
                let _ = done.changed().await;
                if let Some((value, _)) = inner.local.get::<V>(key.text()) {
                    Counters::bump(&counters.coalesced);
                    return Ok(value);
                }
                // The leader failed, or an invalidation came first: load on our own.
                None
            }
        };
        self.load(key, loader, &counters).await
    }

    async fn load<V, E, F, Fut>(
        &self,
        key: &Key<V>,
        loader: F,
        counters: &Arc<Counters>,
    ) -> Result<Arc<V>, E>
    where
        V: Serialize + DeserializeOwned + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let inner = &*self.inner;
        let meta = key.meta();
        // Read before asking Redis or the store: any invalidation from here on makes what we
        // read unfit for caching.
        let epoch = inner.local.epoch();

        if let Some(redis) = inner.redis.as_ref().filter(|r| r.health.should_try()) {
            match redis.get(key.as_str()).await {
                Ok(Some(text)) => match serde_json::from_str::<V>(&text) {
                    Ok(value) => {
                        Counters::bump(&counters.redis_hits);
                        let value = Arc::new(value);
                        inner.local.fill(
                            key.text(),
                            Arc::clone(&value),
                            meta.local_ttl,
                            text.len(),
                            counters,
                            epoch,
                        );
                        return Ok(value);
                    }
                    Err(e) => {
                        Counters::bump(&counters.redis_misses);
                        inner
                            .stats
                            .decode_errors
                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        warn!(key = key.as_str(), error = %e, "unreadable cache entry in Redis; loading from the store");
                    }
                },
                Ok(None) => Counters::bump(&counters.redis_misses),
                Err(()) => {}
            }
        }

        Counters::bump(&counters.loads);
        let value = match loader().await {
            Ok(value) => Arc::new(value),
            Err(e) => {
                Counters::bump(&counters.load_errors);
                return Err(e);
            }
        };

        let needs_text = inner.redis.is_some() || inner.local.bounded_by_bytes();
        let text = if needs_text {
            match serde_json::to_string(&*value) {
                Ok(text) => Some(text),
                Err(e) => {
                    // Still a good value for the caller; just not one we can share or weigh.
                    warn!(key = key.as_str(), error = %e, "a loaded value could not be serialised; not caching it");
                    return Ok(value);
                }
            }
        } else {
            None
        };
        let encoded_len = text.as_ref().map_or(0, String::len);
        let fresh = inner.local.fill(
            key.text(),
            Arc::clone(&value),
            meta.local_ttl,
            encoded_len,
            counters,
            epoch,
        );
        if let (true, Some(redis), Some(text)) = (fresh, &inner.redis, text)
            && redis.health.should_try()
        {
            redis.fill(key.as_str(), text, meta.redis_ttl).await;
        }
        Ok(value)
    }

    /// Stores `value` under `key` after the store was updated: in this process at once, in
    /// Redis, and every other process sharing Redis drops its copy.
    ///
    /// # Errors
    ///
    /// [`Error::Encode`] when `value` cannot be serialised; the key is then invalidated
    /// everywhere instead, so no tier keeps the old value.
    pub async fn set<V>(&self, key: &Key<V>, value: V) -> Result<Reach, Error>
    where
        V: Serialize + Send + Sync + 'static,
    {
        let inner = &*self.inner;
        let meta = key.meta();
        let counters = inner.stats.namespace(key.namespace());
        Counters::bump(&counters.invalidations);
        let text = match serde_json::to_string(&value) {
            Ok(text) => text,
            Err(e) => {
                self.invalidate(key).await;
                return Err(Error::Encode {
                    namespace: key.namespace(),
                    source: Box::new(e),
                });
            }
        };
        let value = Arc::new(value);
        let encoded_len = text.len();
        // Bump the epoch first: a load of this key under way read the old value.
        inner.local.invalidate(key.as_str());
        inner.local.insert(
            key.text(),
            Arc::clone(&value),
            meta.local_ttl,
            encoded_len,
            &counters,
        );
        let Some(redis) = &inner.redis else {
            return Ok(Reach::ThisProcess);
        };
        let reached = redis
            .update(key.as_str(), Some((text, meta.redis_ttl)))
            .await;
        // A read that began after the first bump may have fetched the old value from Redis
        // before the write above landed; bump and write again so it cannot stay cached.
        inner.local.invalidate(key.as_str());
        inner
            .local
            .insert(key.text(), value, meta.local_ttl, encoded_len, &counters);
        Ok(if reached {
            Reach::Everywhere
        } else {
            Reach::ThisProcessRedisDown
        })
    }

    /// Drops `key` after the store was updated: in this process, in Redis, and in every other
    /// process sharing Redis. The next read loads the new value from the store.
    pub async fn invalidate<V>(&self, key: &Key<V>) -> Reach {
        let inner = &*self.inner;
        Counters::bump(&inner.stats.namespace(key.namespace()).invalidations);
        inner.local.invalidate(key.as_str());
        let Some(redis) = &inner.redis else {
            return Reach::ThisProcess;
        };
        let reached = redis.update(key.as_str(), None).await;
        // As in `set`: a read may have fetched the old value from Redis before the delete.
        inner.local.invalidate(key.as_str());
        if reached {
            Reach::Everywhere
        } else {
            Reach::ThisProcessRedisDown
        }
    }

    /// Empties this process's tier 1 (Redis and other processes are untouched).
    pub fn clear_local(&self) {
        self.inner.local.clear();
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> CacheStats {
        let redis_up = self.inner.redis.as_ref().is_some_and(|r| r.health.is_up());
        self.inner.stats.snapshot(self.inner.local.len(), redis_up)
    }

    /// Whether a Redis tier is configured (it may be down).
    pub fn has_redis(&self) -> bool {
        self.inner.redis.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Namespace;

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn reads_and_writes_are_send_futures() {
        const NS: Namespace<u64, String> = Namespace::new("ns", 1);
        let cache = Cache::local(&CacheConfig::default());
        let key = NS.key(1);
        // Spawning on a multi-threaded runtime needs `Send` futures.
        assert_send(&cache.get_or_load(&key, || async { Ok::<_, std::io::Error>(String::new()) }));
        assert_send(&cache.set(&key, String::new()));
        assert_send(&cache.invalidate(&key));
    }
}
