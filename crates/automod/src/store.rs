//! Where automod settings and recent hits live: the trait every backend implements.
//!
//! Methods return `impl Future + Send` so services stay `Send` whatever the backend. Every
//! method is required; the semantics are those of [`MemoryStore`](crate::MemoryStore), and the
//! `testkit` suite checks a backend against them.

use std::{future::Future, sync::Arc};

use hearth_core::{ChannelId, GuildId, MessageId, StoreError, Timestamp, UserId};
use serde::{Deserialize, Serialize};

use crate::{Action, AutomodSettings, RuleKind};

/// How many recent hits a store keeps per guild; older ones may be dropped.
pub const RECENT_HITS_KEPT: usize = 100;

/// A guild's settings with the version they were saved as. The version starts at 1 and goes
/// up by one with each save; compiled rules are cached by it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versioned {
    /// The settings.
    pub settings: AutomodSettings,
    /// Their version.
    pub version: u64,
}

/// One automod hit as `/automod recent` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HitRecord {
    /// The guild.
    pub guild: GuildId,
    /// The member.
    pub user: UserId,
    /// The channel of the message, if there was one.
    pub channel: Option<ChannelId>,
    /// The message, if there was one. With `rule`, the key that makes recording idempotent.
    pub message: Option<MessageId>,
    /// The rule that matched.
    pub rule: RuleKind,
    /// Why, in words.
    pub reason: String,
    /// The excerpt, mentions neutralised.
    pub excerpt: String,
    /// What was done to the member.
    pub action: Action,
    /// Whether the message was deleted.
    pub deleted: bool,
    /// When.
    pub at: Timestamp,
}

/// Stores automod settings and recent hits.
pub trait AutomodStore: Send + Sync {
    /// The guild's settings and their version, or `None` when it never saved any.
    fn automod_settings(
        &self,
        guild: GuildId,
    ) -> impl Future<Output = Result<Option<Versioned>, StoreError>> + Send;

    /// Saves `settings` if the stored version is still `expected` (`None`: nothing stored
    /// yet), in one atomic step, and returns them with the next version; returns `None` and
    /// writes nothing when another save came first. The store does not validate: the caller
    /// does (see [`update_settings`](crate::update_settings)).
    fn save_automod_settings(
        &self,
        guild: GuildId,
        settings: &AutomodSettings,
        expected: Option<u64>,
    ) -> impl Future<Output = Result<Option<Versioned>, StoreError>> + Send;

    /// Records a hit; returns `false` and changes nothing when a hit with the same guild,
    /// message and rule is already recorded (a replayed event). Hits without a message are
    /// always recorded. Keeps at least the newest [`RECENT_HITS_KEPT`] per guild.
    fn record_hit(&self, hit: &HitRecord) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The guild's newest hits, at most `limit` (and at most [`RECENT_HITS_KEPT`]), newest
    /// first; on equal times, the one recorded later first.
    fn recent_hits(
        &self,
        guild: GuildId,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<HitRecord>, StoreError>> + Send;

    /// Removes every hit of `user` in every guild (a data-deletion request) and returns how
    /// many there were.
    fn delete_automod_user_data(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

macro_rules! forward_impls {
    ($($ptr:ty),+) => {$(
        impl<S: AutomodStore + ?Sized> AutomodStore for $ptr {
            fn automod_settings(&self, guild: GuildId) -> impl Future<Output = Result<Option<Versioned>, StoreError>> + Send {
                (**self).automod_settings(guild)
            }
            fn save_automod_settings(&self, guild: GuildId, settings: &AutomodSettings, expected: Option<u64>) -> impl Future<Output = Result<Option<Versioned>, StoreError>> + Send {
                (**self).save_automod_settings(guild, settings, expected)
            }
            fn record_hit(&self, hit: &HitRecord) -> impl Future<Output = Result<bool, StoreError>> + Send {
                (**self).record_hit(hit)
            }
            fn recent_hits(&self, guild: GuildId, limit: usize) -> impl Future<Output = Result<Vec<HitRecord>, StoreError>> + Send {
                (**self).recent_hits(guild, limit)
            }
            fn delete_automod_user_data(&self, user: UserId) -> impl Future<Output = Result<u64, StoreError>> + Send {
                (**self).delete_automod_user_data(user)
            }
        }
    )+};
}

forward_impls!(&S, Arc<S>);

/// How many times [`update_settings`] tries when other saves keep coming first.
pub const UPDATE_ATTEMPTS: u32 = 5;

/// Changes a guild's settings with `edit`, validates the result and saves it atomically
/// (compare-and-set on the version, tried again from the fresh settings if another save came
/// first). Returns the saved settings; a refused change saves nothing.
///
/// # Errors
///
/// [`Error::Settings`](crate::Error::Settings) when the edited settings are invalid,
/// [`Error::Busy`](crate::Error::Busy) after [`UPDATE_ATTEMPTS`] lost races,
/// [`Error::Store`](crate::Error::Store) when the store fails.
pub async fn update_settings<S: AutomodStore>(
    store: &S,
    guild: GuildId,
    mut edit: impl FnMut(&mut AutomodSettings) + Send,
) -> Result<Versioned, crate::Error> {
    for _ in 0..UPDATE_ATTEMPTS {
        let current = store.automod_settings(guild).await?;
        let expected = current.as_ref().map(|v| v.version);
        let mut settings = current.map(|v| v.settings).unwrap_or_default();
        edit(&mut settings);
        settings.validate()?;
        if let Some(saved) = store
            .save_automod_settings(guild, &settings, expected)
            .await?
        {
            return Ok(saved);
        }
    }
    Err(crate::Error::Busy {
        attempts: UPDATE_ATTEMPTS,
    })
}
