//! The handles every handler shares, in one cheap-to-clone struct.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    future::Future,
    sync::{Arc, Mutex, PoisonError},
};

use hearth_core::{GuildId, RoleId, StoreError, UserId};
use hearth_moderation::{Moderation, ModerationSettingsStore, WarningStore};
use twilight_cache_inmemory::DefaultInMemoryCache;

use crate::{
    discord::{Discord, DiscordError, role_id, tw, user_id},
    metrics::Metrics,
    settings::Settings,
};

/// How many recent interaction ids are remembered, to ignore a replayed one.
pub const SEEN_INTERACTIONS: usize = 10_000;

/// What the bot needs of a store: every domain trait, and a liveness probe.
pub trait Backend:
    WarningStore + ModerationSettingsStore + Clone + Send + Sync + std::fmt::Debug + 'static
{
    /// Checks that the database answers.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl Backend for hearth_store_sqlite::SqliteStore {
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send {
        hearth_store_sqlite::SqliteStore::ping(self)
    }
}

/// Everything a handler needs; clones share everything.
#[derive(Clone, Debug)]
pub struct Context<S> {
    /// Discord's REST API.
    pub discord: Discord,
    /// The moderation service over the store.
    pub moderation: Moderation<S>,
    /// Guild settings, read through the cache.
    pub settings: Settings<S>,
    /// Guilds, roles and members as the gateway reported them.
    pub guilds: Arc<DefaultInMemoryCache>,
    /// The bot's own user id.
    pub bot: UserId,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    seen: Arc<Mutex<Recent>>,
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

impl<S: Backend> Context<S> {
    /// A context over these handles.
    pub fn new(
        discord: Discord,
        store: S,
        settings: Settings<S>,
        guilds: Arc<DefaultInMemoryCache>,
        bot: UserId,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            discord,
            moderation: Moderation::new(store),
            settings,
            guilds,
            bot,
            metrics,
            seen: Arc::default(),
        }
    }

    /// Records an interaction id; `false` when it was seen already (a replayed event).
    pub fn first_sight(&self, id: u64) -> bool {
        let mut recent = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if !recent.set.insert(id) {
            return false;
        }
        recent.order.push_back(id);
        if recent.order.len() > SEEN_INTERACTIONS
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
        let cached = self.guilds.guild(tw(guild)).map(|g| user_id(g.owner_id()));
        let positions: Option<HashMap<RoleId, i64>> =
            self.guilds.guild_roles(tw(guild)).map(|ids| {
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
        if let Some(member) = self.guilds.member(tw(guild), tw(self.bot)) {
            return Ok(member.roles().iter().copied().map(role_id).collect());
        }
        self.discord.member_roles(guild, self.bot).await
    }

    /// The guild's name, for messages sent outside it (DMs); "a server" when unknown.
    pub fn guild_name(&self, guild: GuildId) -> String {
        self.guilds
            .guild(tw(guild))
            .map_or_else(|| "a server".to_owned(), |g| g.name().to_owned())
    }
}

impl Backend for hearth_store_mongo::MongoStore {
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send {
        hearth_store_mongo::MongoStore::ping(self)
    }
}
