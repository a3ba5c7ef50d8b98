//! What can go wrong in the cache itself (a loader's own errors are returned unchanged).

use std::error::Error as StdError;

/// A problem of the cache, as opposed to one of the loader.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `REDIS_URL` (or [`CacheConfig::redis_url`](crate::CacheConfig::redis_url)) is not a URL
    /// the cache can use.
    #[error("REDIS_URL must be redis://HOST[:PORT][/DB] or rediss://… ({reason})")]
    InvalidRedisUrl {
        /// Why the URL was refused.
        reason: String,
    },
    /// A value could not be serialised (e.g. a map with non-string keys); it was dropped from
    /// every tier instead of being cached.
    #[error("a `{namespace}` value could not be serialised")]
    Encode {
        /// The namespace of the value.
        namespace: &'static str,
        /// What the serialiser reported.
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
}
