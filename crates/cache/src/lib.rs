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
        RECONNECT_MAX_DELAY, RECONNECT_MIN_DELAY, REDIS_URL_VAR,
    },
    error::Error,
    key::{DEFAULT_LOCAL_TTL, DEFAULT_REDIS_TTL, Key, KeyId, NAMESPACE_NAME_MAX_LEN, Namespace},
    redis::MAX_PENDING_INVALIDATIONS,
    stats::{CacheStats, NamespaceStats},
};
