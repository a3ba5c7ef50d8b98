//! How a cache is sized and where its Redis tier lives.

use std::time::Duration;

/// The default bound of the in-process tier, in entries.
pub const DEFAULT_MAX_ENTRIES: u64 = 100_000;

/// What each in-process entry is taken to cost on top of its key and serialised value, when
/// the tier is bounded by bytes.
pub const ENTRY_OVERHEAD_BYTES: u64 = 96;

/// The default prefix of every Redis key and of the invalidation channel.
pub const DEFAULT_KEY_PREFIX: &str = "hearth:cache:";

/// How long a Redis command may take before the cache gives up on it and asks the store.
///
/// Long enough for a managed Redis in the same region (a few ms), short enough that a read
/// stays fast when Redis hangs. When Redis is down, commands fail at once instead (fred's
/// fail-fast), and while it stays down the cache does not ask it at all.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_millis(40);

/// How long [`Cache::connect`](crate::Cache::connect) waits for Redis before it starts
/// without it (it keeps connecting in the background).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// While Redis is considered down, how often one read tries it again.
///
/// Reconnection itself is fred's job (see [`RECONNECT_MAX_DELAY`]); this probe covers a
/// connection that is open but does not answer.
pub const DEFAULT_RETRY_INTERVAL: Duration = Duration::from_secs(1);

/// The first delay before reconnecting to Redis; it doubles on every failed attempt.
pub const RECONNECT_MIN_DELAY: Duration = Duration::from_millis(100);

/// The longest delay between two reconnection attempts: Redis is used again at most this long
/// after it comes back.
pub const RECONNECT_MAX_DELAY: Duration = Duration::from_secs(2);

/// After this long without an answer to a command, the connection is dropped and re-made
/// (fred's unresponsive-connection check).
pub const UNRESPONSIVE_AFTER: Duration = Duration::from_secs(2);

/// The invalidation channel is the key prefix followed by this.
pub const INVALIDATION_CHANNEL_SUFFIX: &str = "invalidate";

/// How many invalidation messages may wait to be applied. Past this the subscriber lags, has
/// lost messages, and empties the in-process tier.
pub const MESSAGE_QUEUE_LEN: usize = 4096;

/// How many keys whose invalidation could not reach Redis are remembered and replayed when
/// Redis answers again. Past this, further ones are bounded by the TTLs only (and logged).
pub const MAX_PENDING_INVALIDATIONS: usize = 10_000;

/// The environment variable that holds the Redis URL.
pub const REDIS_URL_VAR: &str = "REDIS_URL";

/// What bounds the in-process tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capacity {
    /// At most this many entries.
    Entries(u64),
    /// At most about this many bytes: key length + serialised value length +
    /// [`ENTRY_OVERHEAD_BYTES`] per entry.
    Bytes(u64),
}

impl Default for Capacity {
    fn default() -> Self {
        Self::Entries(DEFAULT_MAX_ENTRIES)
    }
}

/// Everything a [`Cache`](crate::Cache) needs to start.
///
/// `CacheConfig::default()` is an in-process cache of [`DEFAULT_MAX_ENTRIES`] entries;
/// [`CacheConfig::from_env`] adds Redis when `REDIS_URL` is set.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheConfig {
    /// The bound of the in-process tier.
    pub capacity: Capacity,
    /// The shared tier: `redis://HOST[:PORT][/DB]` or `rediss://…` (TLS, e.g. Redis Cloud);
    /// `None` for the in-process tier alone.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key and of the invalidation channel (`{prefix}invalidate`).
    /// Processes that share entries must use the same prefix.
    pub key_prefix: String,
    /// See [`DEFAULT_COMMAND_TIMEOUT`].
    pub command_timeout: Duration,
    /// See [`DEFAULT_CONNECT_TIMEOUT`].
    pub connect_timeout: Duration,
    /// See [`DEFAULT_RETRY_INTERVAL`].
    pub retry_interval: Duration,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            capacity: Capacity::default(),
            redis_url: None,
            key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry_interval: DEFAULT_RETRY_INTERVAL,
        }
    }
}

impl CacheConfig {
    /// The defaults, with Redis at `REDIS_URL` when that variable is set and not empty.
    pub fn from_env() -> Self {
        let redis_url = std::env::var(REDIS_URL_VAR)
            .ok()
            .map(|url| url.trim().to_owned())
            .filter(|url| !url.is_empty());
        Self {
            redis_url,
            ..Self::default()
        }
    }

    /// This configuration with the in-process tier bounded by `capacity`.
    #[must_use]
    pub fn with_capacity(mut self, capacity: Capacity) -> Self {
        self.capacity = capacity;
        self
    }

    /// This configuration with Redis at `url`.
    #[must_use]
    pub fn with_redis_url(mut self, url: impl Into<String>) -> Self {
        self.redis_url = Some(url.into());
        self
    }

    /// This configuration with Redis keys and the channel under `prefix`.
    #[must_use]
    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }
}
