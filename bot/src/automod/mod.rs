//! Automod: every guild message checked against the guild's rules (hearth-automod), compiled
//! once per settings version; hits carried out as deletions and moderation cases; Discord's
//! own `AutoMod` hits counted toward escalation; `/automod` to configure it.

pub mod commands;
mod enforce;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use hearth_automod::{AutomodState, CompiledRules, Versioned};
use hearth_cache::Namespace;
use hearth_core::{GuildId, RoleId, UserId};
use twilight_cache_inmemory::ResourceType;
use twilight_gateway::{Event, EventTypeFlags, Intents};
use twilight_model::{
    application::{command::Command, interaction::Interaction},
    guild::Permissions,
};

use crate::{
    ack::Ack,
    context::{Backend, Context},
    feature::{Feature, Needs, Workers},
    interaction::{HandlerError, HandlerResult},
    moderation::Moderation,
    settings::{Settings, Source},
};

/// The feature's name: its `custom_id` prefix and settings namespace.
pub const NAME: &str = "automod";

/// The cache namespace of automod settings (with their version).
pub const SETTINGS: Namespace<GuildId, Versioned> = Namespace::new(NAME, 1);

/// How often remembered per-member state past every window is dropped.
const EXPIRE_EVERY: Duration = Duration::from_secs(60);

/// Loads a guild's automod settings from the store: version 0 (automod off) when none.
#[derive(Clone, Debug)]
pub struct Loader<S>(S);

impl<S: Backend> Source<Versioned> for Loader<S> {
    type Error = hearth_core::StoreError;

    async fn load(&self, guild: GuildId) -> Result<Versioned, Self::Error> {
        Ok(self
            .0
            .automod_settings(guild)
            .await?
            .unwrap_or_else(|| Versioned {
                settings: hearth_automod::AutomodSettings::default(),
                version: 0,
            }))
    }
}

/// The automod feature over store `S`.
#[derive(Debug)]
pub struct Automod<S> {
    /// The store (settings, recent hits).
    pub store: S,
    /// Settings per guild, through the cache.
    pub settings: Settings<Versioned, Loader<S>>,
    /// Each guild's rules compiled, with the settings version they were compiled from.
    compiled: Mutex<HashMap<GuildId, (u64, Arc<CompiledRules>)>>,
    /// Per-member message history and violations: bounded, expiring.
    state: Arc<Mutex<AutomodState>>,
    /// Moderation, whose cases, warnings and mod log automod's actions go through.
    moderation: Moderation<S>,
}

impl<S: Backend> Automod<S> {
    /// The guild's compiled rules, compiled again only when the settings version changed.
    ///
    /// # Errors
    ///
    /// A fault when the settings cannot be read or no longer compile.
    pub async fn rules(&self, guild: GuildId) -> Result<Arc<CompiledRules>, HandlerError> {
        let settings = self
            .settings
            .get(guild)
            .await
            .map_err(HandlerError::fault)?;
        let mut compiled = self.compiled.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((version, rules)) = compiled.get(&guild)
            && *version == settings.version
        {
            return Ok(Arc::clone(rules));
        }
        let rules =
            Arc::new(CompiledRules::compile(&settings.settings).map_err(HandlerError::fault)?);
        compiled.insert(guild, (settings.version, Arc::clone(&rules)));
        Ok(rules)
    }

    /// Runs `f` on the per-member state.
    fn with_state<T>(&self, f: impl FnOnce(&mut AutomodState) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Whether `user` with `roles` may manage messages in `guild` by its roles (the owner, an
/// administrator, or Manage Messages from any role, `@everyone` included), from the gateway
/// cache. Channel overwrites are not considered.
pub fn is_staff(ctx: &Context, guild: GuildId, user: UserId, roles: &[RoleId]) -> bool {
    let Some(cached) = ctx.guilds.guild(crate::discord::ids::guild(guild)) else {
        return false;
    };
    if crate::discord::ids::user_id(cached.owner_id()) == user {
        return true;
    }
    drop(cached);
    let everyone = RoleId::new(guild.get());
    let permissions = roles
        .iter()
        .chain(std::iter::once(&everyone))
        .filter_map(|r| ctx.guilds.role(crate::discord::ids::role(*r)))
        .fold(Permissions::empty(), |all, role| all | role.permissions);
    permissions.intersects(Permissions::ADMINISTRATOR | Permissions::MANAGE_MESSAGES)
}

impl<S: Backend> Feature<S> for Automod<S> {
    const NEEDS: Needs = Needs {
        name: NAME,
        // Messages and their text; Discord's own AutoMod actions.
        intents: Intents::GUILD_MESSAGES
            .union(Intents::MESSAGE_CONTENT)
            .union(Intents::AUTO_MODERATION_EXECUTION),
        events: EventTypeFlags::MESSAGE_CREATE
            .union(EventTypeFlags::AUTO_MODERATION_ACTION_EXECUTION),
        // Roles and owners, to tell staff (exempt by default) from members.
        cache: ResourceType::GUILD.union(ResourceType::ROLE),
    };

    fn new(store: S, ctx: &Context) -> Self {
        Self {
            settings: Settings::new(ctx.cache.clone(), SETTINGS, Loader(store.clone())),
            compiled: Mutex::default(),
            state: Arc::new(Mutex::new(AutomodState::new())),
            moderation: <Moderation<S> as Feature<S>>::new(store.clone(), ctx),
            store,
        }
    }

    fn commands(&self) -> Vec<Command> {
        vec![commands::command()]
    }

    async fn command(
        &self,
        ctx: &Context,
        _name: &str,
        interaction: &Interaction,
        ack: &mut Ack,
    ) -> HandlerResult {
        commands::run(self, ctx, interaction, ack).await
    }

    async fn event(&self, ctx: &Context, event: &Event) {
        match event {
            Event::MessageCreate(message) => enforce::message(self, ctx, message).await,
            Event::AutoModerationActionExecution(hit) => enforce::native(self, ctx, hit).await,
            _ => {}
        }
    }

    fn workers(&self, ctx: &Context, workers: &Workers) {
        let (state, ctx, cancel) = (Arc::clone(&self.state), ctx.clone(), workers.cancel.clone());
        workers.tasks.spawn(async move {
            loop {
                tokio::select! {
                    () = cancel.cancelled() => return,
                    () = tokio::time::sleep(EXPIRE_EVERY) => {}
                }
                let now = ctx.now();
                state
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .expire(now);
            }
        });
    }
}
