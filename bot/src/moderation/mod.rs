//! Moderation: `/warn`, `/warnings`, `/clearwarnings`, `/mute`, `/unmute`, `/kick`, `/ban`,
//! `/unban`, `/case`, `/reason` and `/modlog`, over hearth-moderation; every action is a case
//! in the mod log.

pub mod actions;
pub mod cases;
pub mod channels;
pub mod commands;
pub mod components;
pub mod embeds;
pub mod escalation;
pub(crate) mod handlers;
pub mod refusal;
pub(crate) mod timed;

use hearth_cache::Namespace;
use hearth_core::{GuildId, timed::TimedAction};
use hearth_moderation::ModerationSettings;
use twilight_cache_inmemory::ResourceType;
use twilight_gateway::{EventTypeFlags, Intents};
use twilight_model::application::{command::Command, interaction::Interaction};

use crate::{
    ack::Ack,
    context::{Backend, Context},
    custom_id::CustomId,
    feature::{Feature, Needs, TimedFailure, Workers},
    interaction::{HandlerError, HandlerResult},
    settings::{Settings, Source},
};

/// The feature's name: its `custom_id` prefix and settings namespace.
pub const NAME: &str = "moderation";

/// The cache namespace of moderation settings. Bump the version when `ModerationSettings`
/// changes shape, so no process reads an old entry as the new type.
pub const SETTINGS: Namespace<GuildId, ModerationSettings> = Namespace::new(NAME, 1);

/// The moderation feature over store `S`.
#[derive(Clone, Debug)]
pub struct Moderation<S> {
    /// The store (timed actions, the mod log's settings).
    pub store: S,
    /// The domain service.
    pub service: hearth_moderation::Moderation<S>,
    /// Settings per guild, through the cache.
    pub settings: Settings<ModerationSettings, hearth_moderation::Moderation<S>>,
    /// Finished timed actions waiting to be posted to the mod log.
    reports: timed::Reports,
}

impl<S: Backend> Source<ModerationSettings> for hearth_moderation::Moderation<S> {
    type Error = hearth_moderation::Error;

    async fn load(&self, guild: GuildId) -> Result<ModerationSettings, Self::Error> {
        self.settings(guild).await
    }
}

impl<S: Backend> Feature<S> for Moderation<S> {
    const NEEDS: Needs = Needs {
        name: NAME,
        // Guilds: roles and owners for the hierarchy checks.
        intents: Intents::GUILDS,
        events: EventTypeFlags::empty(),
        cache: ResourceType::GUILD.union(ResourceType::ROLE),
    };

    fn new(store: S, ctx: &Context) -> Self {
        let service = hearth_moderation::Moderation::new(store.clone());
        Self {
            store,
            settings: Settings::new(ctx.cache.clone(), SETTINGS, service.clone()),
            service,
            reports: timed::Reports::default(),
        }
    }

    const TIMED: &'static [&'static str] = timed::KINDS;

    fn workers(&self, ctx: &Context, workers: &Workers) {
        timed::start_reporter(self, ctx, workers);
    }

    async fn timed(&self, ctx: &Context, action: &TimedAction) -> Result<(), TimedFailure> {
        timed::run(self, ctx, action).await
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
            "warn" => handlers::warn(self, ctx, interaction, ack).await,
            "warnings" => handlers::warnings(self, interaction, ack).await,
            "clearwarnings" => handlers::clear_warnings(self, ctx, interaction, ack).await,
            "modlog" => handlers::modlog(self, ctx, interaction, ack).await,
            "mute" => actions::mute(self, ctx, interaction, ack).await,
            "unmute" => actions::unmute(self, ctx, interaction, ack).await,
            "kick" => actions::kick(self, ctx, interaction, ack).await,
            "ban" => actions::ban(self, ctx, interaction, ack).await,
            "unban" => actions::unban(self, ctx, interaction, ack).await,
            "case" => cases::show(self, interaction, ack).await,
            "slowmode" => channels::slowmode(self, ctx, interaction, ack).await,
            "lockdown" => channels::lockdown(self, ctx, interaction, ack).await,
            "unlock" => channels::unlock(self, ctx, interaction, ack).await,
            "escalation" => escalation::escalation(self, interaction, ack).await,
            "reason" => cases::reason(self, ctx, interaction, ack).await,
            _ => Err(HandlerError::refuse(crate::interaction::UNKNOWN_COMMAND)),
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
            "warnings" => handlers::warnings_page(self, id, interaction, ack).await,
            "clear" => handlers::confirm_clear(self, ctx, id, interaction, ack).await,
            _ => Err(HandlerError::refuse(crate::feature::NO_LONGER_IN_USE)),
        }
    }
}
