//! Leveling: XP for messages, level roles, timed boosts, `/rank` cards, server and global
//! leaderboards and `/stats` charts, over hearth-xp-engine.

mod admin;
pub mod avatar;
pub mod commands;
pub mod components;
pub mod demo;
pub mod embeds;
mod events;
mod handlers;
pub mod images;
pub mod refusal;
mod setup;

use std::{
    collections::HashSet,
    sync::{Arc, Mutex, PoisonError},
};

use hearth_cache::Namespace;
use hearth_core::{Clock, GuildId, MessageId, RoleId};
use hearth_xp_engine::{Boost, LevelSettings};
use rand::{RngCore as _, SeedableRng as _};
use twilight_cache_inmemory::ResourceType;
use twilight_gateway::{Event, EventTypeFlags, Intents};
use twilight_model::application::{command::Command, interaction::Interaction};

use crate::{
    ack::Ack,
    context::{Backend, Context},
    custom_id::CustomId,
    feature::{Feature, NO_LONGER_IN_USE, Needs},
    interaction::{HandlerError, HandlerResult, UNKNOWN_COMMAND},
    settings::{Settings, Source},
};

/// The feature's name: its `custom_id` prefix and settings namespace.
pub const NAME: &str = "leveling";

/// The cache namespace of leveling settings. Bump the version when `LevelSettings` changes
/// shape, so no process reads an old entry as the new type.
pub const SETTINGS: Namespace<GuildId, LevelSettings> = Namespace::new(NAME, 1);

/// The cache namespace of each guild's boosts (running or planned when read).
pub const BOOSTS: Namespace<GuildId, Vec<Boost>> = Namespace::new("leveling-boosts", 1);

/// The leveling feature over store `S`.
#[derive(Clone, Debug)]
pub struct Leveling<S> {
    /// The domain service.
    pub service: hearth_xp_engine::Leveling<S>,
    /// Settings per guild, through the cache.
    pub settings: Settings<LevelSettings, hearth_xp_engine::Leveling<S>>,
    /// Boosts per guild, through the cache: read on every message, written by `/xpboost`.
    pub boosts: Settings<Vec<Boost>, BoostSource<S>>,
    /// Avatars for rank cards.
    pub avatars: avatar::Avatars,
    /// Moderation's settings, for the mod log the feature reports unusable roles in.
    moderation: hearth_moderation::Moderation<S>,
    /// Level roles already reported as unusable, so each is reported once per process.
    reported: Arc<Mutex<HashSet<(GuildId, RoleId)>>>,
}

impl<S: Backend> Source<LevelSettings> for hearth_xp_engine::Leveling<S> {
    type Error = hearth_xp_engine::Error;

    async fn load(&self, guild: GuildId) -> Result<LevelSettings, Self::Error> {
        self.settings(guild).await
    }
}

/// Where a guild's boosts come from: the store, read at the clock's "now".
#[derive(Clone)]
pub struct BoostSource<S> {
    service: hearth_xp_engine::Leveling<S>,
    clock: Arc<dyn Clock>,
}

impl<S> std::fmt::Debug for BoostSource<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoostSource").finish_non_exhaustive()
    }
}

impl<S: Backend> Source<Vec<Boost>> for BoostSource<S> {
    type Error = hearth_xp_engine::Error;

    async fn load(&self, guild: GuildId) -> Result<Vec<Boost>, Self::Error> {
        self.service.boosts(guild, self.clock.now()).await
    }
}

impl<S: Backend> Leveling<S> {
    /// Remembers that a level role could not be given; `true` the first time for this role.
    fn first_report(&self, guild: GuildId, role: RoleId) -> bool {
        self.reported
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((guild, role))
    }

    /// Forgets the reports of a guild's roles (after its level roles change).
    fn forget_reports(&self, guild: GuildId) {
        self.reported
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(g, _)| *g != guild);
    }
}

impl<S: Backend> Feature<S> for Leveling<S> {
    const NEEDS: Needs = Needs {
        name: NAME,
        // Messages earn XP; guilds give the role positions for the level-role checks.
        intents: Intents::GUILDS.union(Intents::GUILD_MESSAGES),
        events: EventTypeFlags::MESSAGE_CREATE,
        cache: ResourceType::GUILD.union(ResourceType::ROLE),
    };

    fn new(store: S, ctx: &Context) -> Self {
        let service = hearth_xp_engine::Leveling::new(store.clone());
        let boosts = BoostSource {
            service: service.clone(),
            clock: Arc::clone(&ctx.clock),
        };
        Self {
            settings: Settings::new(ctx.cache.clone(), SETTINGS, service.clone()),
            boosts: Settings::new(ctx.cache.clone(), BOOSTS, boosts),
            service,
            avatars: avatar::Avatars::new(Arc::clone(&ctx.cdn_url)),
            moderation: hearth_moderation::Moderation::new(store),
            reported: Arc::default(),
        }
    }

    fn commands(&self) -> Vec<Command> {
        commands::commands()
    }

    async fn command(
        &self,
        ctx: &Context,
        name: &str,
        interaction: &Interaction,
        ack: &mut Ack,
    ) -> HandlerResult {
        match name {
            "rank" => handlers::rank(self, interaction, ack).await,
            "leaderboard" => handlers::leaderboard(self, interaction, ack).await,
            "globalleaderboard" => handlers::global_leaderboard(self, interaction, ack).await,
            "stats" => handlers::stats(self, ctx, interaction, ack).await,
            "setxp" | "addxp" => admin::change_xp(self, ctx, name, interaction, ack).await,
            "resetxp" => admin::reset(self, interaction, ack).await,
            "levelroles" => setup::level_roles(self, interaction, ack).await,
            "addlevelrole" => setup::add_level_role(self, ctx, interaction, ack).await,
            "removelevelrole" => setup::remove_level_role(self, interaction, ack).await,
            "xpboost" => setup::xp_boost(self, ctx, interaction, ack).await,
            "levelsettings" => setup::level_settings(self, interaction, ack).await,
            _ => Err(HandlerError::refuse(UNKNOWN_COMMAND)),
        }
    }

    async fn component(
        &self,
        ctx: &Context,
        id: &CustomId<'_>,
        interaction: &Interaction,
        ack: &mut Ack,
    ) -> HandlerResult {
        match id.action {
            "page" => handlers::page(self, id, interaction, ack).await,
            "reset" | "resetall" => admin::confirm_reset(self, ctx, id, interaction, ack).await,
            "apply" => setup::apply_role(self, ctx, id, interaction, ack).await,
            _ => Err(HandlerError::refuse(NO_LONGER_IN_USE)),
        }
    }

    async fn event(&self, ctx: &Context, event: &Event) {
        if let Event::MessageCreate(message) = event {
            events::message(self, ctx, message).await;
        }
    }
}

/// What `hearth try` runs as the owner once the bot is up, so the demo guild has a
/// leaderboard and rank cards at once: XP set through the bot's own `/setxp`.
pub const DEMO_XP: &[&str] = &[
    "as owner /setxp @senior 5240",
    "as owner /setxp @alice 2310",
    "as owner /setxp @mod 1260",
    "as owner /setxp @bob 475",
];

/// The random number a message's XP is drawn from: seeded by `seed` and the message id when
/// a seed is configured (`HEARTH_XP_SEED`), so a run repeats exactly whatever order messages
/// arrive in; from the operating system otherwise.
pub fn draw(seed: Option<u64>, message: MessageId) -> u64 {
    match seed {
        Some(seed) => rand::rngs::StdRng::seed_from_u64(seed ^ message.get()).next_u64(),
        None => rand::random(),
    }
}
