#![doc = include_str!("../README.md")]

mod cache;
mod config;
mod error;
mod key;
mod local;
mod redis;
mod stats;

pub use self::{
    cache::{Cache, Reach},
    config::{
        CacheConfig, Capacity, DEFAULT_COMMAND_TIMEOUT, DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_KEY_PREFIX, DEFAULT_MAX_ENTRIES, DEFAULT_RETRY_INTERVAL, ENTRY_OVERHEAD_BYTES,
        INVALIDATION_CHANNEL_SUFFIX, MAX_PENDING_INVALIDATIONS, MESSAGE_QUEUE_LEN,
        RECONNECT_MAX_DELAY, RECONNECT_MIN_DELAY, REDIS_URL_VAR, UNRESPONSIVE_AFTER,
    },
    error::Error,
    key::{DEFAULT_LOCAL_TTL, DEFAULT_REDIS_TTL, Key, KeyId, NAMESPACE_NAME_MAX_LEN, Namespace},
    stats::{CacheStats, NamespaceStats},
};
