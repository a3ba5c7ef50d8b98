//! The infrastructure every feature shares, in one cheap-to-clone struct: Discord, the cache,
//! guild facts, the bot's id, metrics and the clock. A feature's own services and settings
//! live in the feature (see [`crate::feature`]).

use std::{
    collections::{HashMap, HashSet, VecDeque},
    future::Future,
    sync::{Arc, Mutex, PoisonError},
};

use hearth_automod::AutomodStore;
use hearth_core::{Clock, GuildId, RoleId, StoreError, Timestamp, UserId, timed::TimedActionStore};
use hearth_moderation::{CaseStore, LockdownStore, ModerationSettingsStore, WarningStore};
use hearth_roles::{AutoroleStore, RoleMenuStore};
use hearth_xp_engine::{BoostStore, LevelSettingsStore, XpStore};
use twilight_cache_inmemory::DefaultInMemoryCache;

use crate::{
    discord::{Discord, DiscordError, ids, role_id, user_id},
    metrics::Metrics,
};

/// How many recent interaction ids are remembered, to ignore a replayed one.
pub const SEEN_INTERACTIONS: usize = 10_000;

/// How many independently locked parts the replay memory is split into, so handling
/// interactions on several threads never waits on one lock.
const SEEN_SHARDS: usize = 16;

/// A store that can say whether its database answers.
pub trait Ping {
    /// Checks that the database answers.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl Ping for hearth_store_sqlite::SqliteStore {
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send {
        hearth_store_sqlite::SqliteStore::ping(self)
    }
}

impl Ping for hearth_store_mongo::MongoStore {
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send {
        hearth_store_mongo::MongoStore::ping(self)
    }
}

/// What the bot needs of a store: every domain's store traits and a liveness probe. Any type
/// with all of them is a backend; a new feature adds its store trait here, once.
pub trait Backend:
    WarningStore
    + ModerationSettingsStore
    + XpStore
    + LevelSettingsStore
    + BoostStore
    + RoleMenuStore
    + AutoroleStore
    + CaseStore
    + LockdownStore
    + TimedActionStore
    + AutomodStore
    + hearth_tickets::TicketStore
    + hearth_tickets::TicketSettingsStore
    + Ping
    + Clone
    + Send
    + Sync
    + std::fmt::Debug
    + 'static
{
}

impl<T> Backend for T where
    T: WarningStore
        + ModerationSettingsStore
        + XpStore
        + LevelSettingsStore
        + BoostStore
        + RoleMenuStore
        + AutoroleStore
        + CaseStore
        + LockdownStore
        + TimedActionStore
        + AutomodStore
        + hearth_tickets::TicketStore
        + hearth_tickets::TicketSettingsStore
        + Ping
        + Clone
        + Send
        + Sync
        + std::fmt::Debug
        + 'static
{
}

/// Infrastructure shared by every feature; clones share everything.
#[derive(Clone)]
pub struct Context {
    /// Discord's REST API.
    pub discord: Discord,
    /// The two-tier cache (settings and anything else a feature caches).
    pub cache: hearth_cache::Cache,
    /// Guilds and roles as the gateway reported them (and the bot's own member).
    pub guilds: Arc<DefaultInMemoryCache>,
    /// The bot's own user id.
    pub bot: UserId,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Where "now" comes from: the system clock in production, a manual one in tests.
    pub clock: Arc<dyn Clock>,
    /// Discord's CDN base URL (`HEARTH_CDN_URL`), no trailing slash: where avatars are.
    pub cdn_url: Arc<str>,
    /// The seed of the XP draws (`HEARTH_XP_SEED`); `None` draws at random.
    pub xp_seed: Option<u64>,
    seen: Arc<[Mutex<Recent>]>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("bot", &self.bot)
            .field("now", &self.clock.now())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct Recent {
    set: HashSet<u64>,
    order: VecDeque<u64>,
}

/// A guild's owner and role positions: what hierarchy checks need.
#[derive(Clone, Debug)]
pub struct GuildFacts {
    /// Who owns the guild.
    pub owner: UserId,
    /// Every role's position.
    pub positions: HashMap<RoleId, i64>,
}

impl Context {
    /// A context over these handles.
    pub fn new(
        discord: Discord,
        cache: hearth_cache::Cache,
        guilds: Arc<DefaultInMemoryCache>,
        bot: UserId,
        metrics: Arc<Metrics>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            discord,
            cache,
            guilds,
            bot,
            metrics,
            clock,
            cdn_url: crate::config::DEFAULT_CDN_URL.into(),
            xp_seed: None,
            seen: (0..SEEN_SHARDS).map(|_| Mutex::default()).collect(),
        }
    }

    /// The same context with the CDN and XP seed of `config`.
    #[must_use]
    pub fn with_config(mut self, config: &crate::Config) -> Self {
        self.cdn_url = config.cdn_url.as_str().into();
        self.xp_seed = config.xp_seed;
        self
    }

    /// The current time, from the context's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Records an interaction id; `false` when it was seen already (a replayed event). Each
    /// of 16 parts remembers its share of the last [`SEEN_INTERACTIONS`] ids.
    pub fn first_sight(&self, id: u64) -> bool {
        // Snowflakes end in a per-process increment, so the low bits spread ids evenly.
        let shard = usize::try_from(id % SEEN_SHARDS as u64).unwrap_or(0);
        let mut recent = self.seen[shard]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !recent.set.insert(id) {
            return false;
        }
        recent.order.push_back(id);
        if recent.order.len() > SEEN_INTERACTIONS / SEEN_SHARDS
            && let Some(old) = recent.order.pop_front()
        {
            recent.set.remove(&old);
        }
        true
    }

    /// The guild's owner and role positions, from the gateway cache or, on a miss, from Discord.
    ///
    /// # Errors
    ///
    /// When the cache misses and Discord fails.
    pub async fn guild_facts(&self, guild: GuildId) -> Result<GuildFacts, DiscordError> {
        let cached = self
            .guilds
            .guild(ids::guild(guild))
            .map(|g| user_id(g.owner_id()));
        let positions: Option<HashMap<RoleId, i64>> =
            self.guilds.guild_roles(ids::guild(guild)).map(|ids| {
                ids.iter()
                    .filter_map(|id| self.guilds.role(*id).map(|r| (role_id(*id), r.position)))
                    .collect()
            });
        let owner = match cached {
            Some(owner) => owner,
            None => self.discord.guild_owner(guild).await?,
        };
        let positions = match positions {
            Some(p) if !p.is_empty() => p,
            _ => self
                .discord
                .roles(guild)
                .await?
                .into_iter()
                .map(|r| (role_id(r.id), r.position))
                .collect(),
        };
        Ok(GuildFacts { owner, positions })
    }

    /// The bot's own roles in a guild.
    ///
    /// # Errors
    ///
    /// When the cache misses and Discord fails.
    pub async fn bot_roles(&self, guild: GuildId) -> Result<Vec<RoleId>, DiscordError> {
        if let Some(member) = self.guilds.member(ids::guild(guild), ids::user(self.bot)) {
            return Ok(member.roles().iter().copied().map(role_id).collect());
        }
        self.discord.member_roles(guild, self.bot).await
    }

    /// The guild's name, for messages sent outside it (DMs); "a server" when unknown.
    pub fn guild_name(&self, guild: GuildId) -> String {
        self.guilds
            .guild(ids::guild(guild))
            .map_or_else(|| "a server".to_owned(), |g| g.name().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_replayed_interaction_is_seen_once_and_old_ids_are_forgotten() {
        let ctx = crate::feature::tests::context().await;
        assert!(ctx.first_sight(42));
        assert!(!ctx.first_sight(42));
        for id in 1_000..1_000 + SEEN_INTERACTIONS as u64 + SEEN_SHARDS as u64 * 2 {
            assert!(ctx.first_sight(id));
        }
        assert!(ctx.first_sight(42), "the oldest ids make room for new ones");
    }
}
