//! Namespaces and the typed keys built from them.

use std::{fmt::Write as _, marker::PhantomData, sync::Arc, time::Duration};

use hearth_core::{ChannelId, GuildId, MessageId, RoleId, UserId};

/// How long an entry stays in the in-process tier unless a namespace says otherwise.
pub const DEFAULT_LOCAL_TTL: Duration = Duration::from_secs(5 * 60);

/// How long an entry stays in Redis unless a namespace says otherwise.
pub const DEFAULT_REDIS_TTL: Duration = Duration::from_secs(30 * 60);

/// The longest namespace name, in bytes.
pub const NAMESPACE_NAME_MAX_LEN: usize = 64;

/// A family of cache entries: one name, one value layout, one pair of TTLs.
///
/// `K` is what identifies an entry inside the namespace (a [`GuildId`], a
/// `(GuildId, ChannelId)` pair …) and `V` is the cached value. Namespaces are meant to be
/// `const`s, declared once next to the value type they cache:
///
/// ```
/// use std::time::Duration;
/// use hearth_cache::Namespace;
/// use hearth_core::{ChannelId, GuildId};
///
/// # #[derive(serde::Serialize, serde::Deserialize)] struct ChannelConfig;
/// const CHANNEL_CONFIG: Namespace<(GuildId, ChannelId), ChannelConfig> =
///     Namespace::new("channel_config", 1).with_ttl(Duration::from_secs(60));
///
/// let key = CHANNEL_CONFIG.key((GuildId::new(10), ChannelId::new(20)));
/// assert_eq!(key.as_str(), "channel_config:v1:10:20");
/// ```
///
/// The `version` is part of every key. Bump it whenever `V`'s serialised layout changes: the
/// new code then never reads an entry the old code wrote (it reads its own keys, and the old
/// ones expire with their TTL), so a changed layout cannot be deserialised wrongly.
pub struct Namespace<K, V> {
    meta: NamespaceMeta,
    _types: PhantomData<fn(K) -> V>,
}

/// The untyped part of a namespace, carried by every key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NamespaceMeta {
    pub(crate) name: &'static str,
    pub(crate) version: u32,
    pub(crate) local_ttl: Duration,
    pub(crate) redis_ttl: Duration,
}

impl<K, V> Namespace<K, V> {
    /// A namespace called `name` whose values have layout `version`, with the default TTLs
    /// ([`DEFAULT_LOCAL_TTL`], [`DEFAULT_REDIS_TTL`]).
    ///
    /// # Panics
    ///
    /// Panics (at compile time when used in a `const`) if `name` is empty, longer than
    /// [`NAMESPACE_NAME_MAX_LEN`], or holds anything but ASCII letters, digits, `_` and `-`.
    pub const fn new(name: &'static str, version: u32) -> Self {
        let bytes = name.as_bytes();
        assert!(
            !bytes.is_empty() && bytes.len() <= NAMESPACE_NAME_MAX_LEN,
            "a namespace name has 1 to 64 bytes"
        );
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            assert!(
                b.is_ascii_alphanumeric() || b == b'_' || b == b'-',
                "a namespace name holds only ASCII letters, digits, `_` and `-`"
            );
            i += 1;
        }
        Self {
            meta: NamespaceMeta {
                name,
                version,
                local_ttl: DEFAULT_LOCAL_TTL,
                redis_ttl: DEFAULT_REDIS_TTL,
            },
            _types: PhantomData,
        }
    }

    /// This namespace with entries kept in the in-process tier for `ttl`.
    #[must_use]
    pub const fn with_ttl(mut self, ttl: Duration) -> Self {
        self.meta.local_ttl = ttl;
        self
    }

    /// This namespace with entries kept in Redis for `ttl` (rounded down to milliseconds, at
    /// least one).
    #[must_use]
    pub const fn with_redis_ttl(mut self, ttl: Duration) -> Self {
        self.meta.redis_ttl = ttl;
        self
    }

    /// The namespace's name.
    pub const fn name(&self) -> &'static str {
        self.meta.name
    }

    /// The version of the value layout.
    pub const fn version(&self) -> u32 {
        self.meta.version
    }

    /// How long an entry stays in the in-process tier.
    pub const fn ttl(&self) -> Duration {
        self.meta.local_ttl
    }

    /// How long an entry stays in Redis.
    pub const fn redis_ttl(&self) -> Duration {
        self.meta.redis_ttl
    }
}

impl<K: KeyId, V> Namespace<K, V> {
    /// The key of the entry identified by `id`: `{name}:v{version}:{id}`.
    #[allow(clippy::needless_pass_by_value)] // ids are small `Copy` values
    pub fn key(&self, id: K) -> Key<V> {
        let mut text = String::with_capacity(self.meta.name.len() + 32);
        // Writing to a String cannot fail.
        let _ = write!(text, "{}:v{}:", self.meta.name, self.meta.version);
        id.write_id(&mut text);
        Key {
            text: text.into(),
            meta: self.meta,
            _value: PhantomData,
        }
    }
}

// Manual impls: derives would require `K: Clone` and `V: Clone`.
impl<K, V> Clone for Namespace<K, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K, V> Copy for Namespace<K, V> {}

impl<K, V> std::fmt::Debug for Namespace<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Namespace")
            .field("name", &self.meta.name)
            .field("version", &self.meta.version)
            .field("ttl", &self.meta.local_ttl)
            .field("redis_ttl", &self.meta.redis_ttl)
            .finish()
    }
}

/// The key of one cache entry holding a `V`, made by [`Namespace::key`].
///
/// Its text (`guild_settings:v1:80351110224678912`) is the in-process key; Redis stores it
/// under the cache's key prefix. Cloning is cheap (the text is shared).
pub struct Key<V> {
    text: Arc<str>,
    meta: NamespaceMeta,
    _value: PhantomData<fn() -> V>,
}

impl<V> Key<V> {
    /// The key as text, without the Redis prefix.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The name of the key's namespace.
    pub fn namespace(&self) -> &'static str {
        self.meta.name
    }

    pub(crate) fn text(&self) -> &Arc<str> {
        &self.text
    }

    pub(crate) fn meta(&self) -> NamespaceMeta {
        self.meta
    }
}

impl<V> Clone for Key<V> {
    fn clone(&self) -> Self {
        Self {
            text: Arc::clone(&self.text),
            meta: self.meta,
            _value: PhantomData,
        }
    }
}

impl<V> std::fmt::Debug for Key<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Key").field(&&*self.text).finish()
    }
}

impl<V> PartialEq for Key<V> {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl<V> Eq for Key<V> {}

/// What identifies an entry inside a namespace: Discord ids, integers, and pairs or triples
/// of them (written `a:b:c`).
pub trait KeyId {
    /// Appends this id's text to `out`.
    fn write_id(&self, out: &mut String);
}

macro_rules! display_key_ids {
    ($($ty:ty),+) => {$(
        impl KeyId for $ty {
            fn write_id(&self, out: &mut String) {
                let _ = write!(out, "{self}");
            }
        }
    )+};
}

display_key_ids!(GuildId, ChannelId, RoleId, UserId, MessageId, u64, u32, i64);

impl<A: KeyId, B: KeyId> KeyId for (A, B) {
    fn write_id(&self, out: &mut String) {
        self.0.write_id(out);
        out.push(':');
        self.1.write_id(out);
    }
}

impl<A: KeyId, B: KeyId, C: KeyId> KeyId for (A, B, C) {
    fn write_id(&self, out: &mut String) {
        self.0.write_id(out);
        out.push(':');
        self.1.write_id(out);
        out.push(':');
        self.2.write_id(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUILD_SETTINGS: Namespace<GuildId, String> = Namespace::new("guild_settings", 3);
    const ROLE_PERMS: Namespace<(GuildId, RoleId), u64> = Namespace::new("role_perms", 1);

    #[test]
    fn keys_carry_namespace_version_and_id() {
        assert_eq!(
            GUILD_SETTINGS.key(GuildId::new(42)).as_str(),
            "guild_settings:v3:42"
        );
        assert_eq!(
            ROLE_PERMS.key((GuildId::new(1), RoleId::new(2))).as_str(),
            "role_perms:v1:1:2"
        );
        assert_eq!(
            Namespace::<(u64, u64, u64), ()>::new("x", 1)
                .key((1, 2, 3))
                .as_str(),
            "x:v1:1:2:3"
        );
    }

    #[test]
    fn a_new_version_makes_different_keys() {
        let v4: Namespace<GuildId, String> = Namespace::new("guild_settings", 4);
        assert_ne!(
            GUILD_SETTINGS.key(GuildId::new(42)).as_str(),
            v4.key(GuildId::new(42)).as_str()
        );
    }

    #[test]
    fn ttls_default_and_can_be_set() {
        assert_eq!(GUILD_SETTINGS.ttl(), DEFAULT_LOCAL_TTL);
        assert_eq!(GUILD_SETTINGS.redis_ttl(), DEFAULT_REDIS_TTL);
        let ns = GUILD_SETTINGS
            .with_ttl(Duration::from_secs(1))
            .with_redis_ttl(Duration::from_secs(2));
        assert_eq!(
            (ns.ttl(), ns.redis_ttl()),
            (Duration::from_secs(1), Duration::from_secs(2))
        );
    }

    #[test]
    fn namespace_names_are_checked() {
        let longest = "a".repeat(NAMESPACE_NAME_MAX_LEN);
        let longest: &'static str = Box::leak(longest.into_boxed_str());
        assert_eq!(Namespace::<u64, ()>::new(longest, 1).name(), longest);
        for bad in ["", "has:colon", "has space", "é"] {
            let bad: &'static str = Box::leak(bad.to_owned().into_boxed_str());
            assert!(
                std::panic::catch_unwind(|| Namespace::<u64, ()>::new(bad, 1)).is_err(),
                "{bad:?} was accepted"
            );
        }
        let too_long: &'static str =
            Box::leak("a".repeat(NAMESPACE_NAME_MAX_LEN + 1).into_boxed_str());
        assert!(std::panic::catch_unwind(|| Namespace::<u64, ()>::new(too_long, 1)).is_err());
    }
}
