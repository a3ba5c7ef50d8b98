//! Roles: autoroles on join, and role menus on reactions, buttons and select menus, over
//! hearth-roles. Menus live in the store by message id, so they keep working after restarts
//! and on messages no cache holds.

mod autoroles;
mod clicks;
pub mod commands;
pub mod components;
mod events;
pub(crate) mod handlers;
mod reaction_menus;
pub mod refusal;
pub mod render;
pub mod standing;

use std::sync::Arc;

use hearth_moderation::ModerationSettings;
use hearth_roles::MenuKind;
use tokio::sync::Notify;
use twilight_cache_inmemory::ResourceType;
use twilight_gateway::{Event, EventTypeFlags, Intents};
use twilight_model::application::{command::Command, interaction::Interaction};

pub use self::events::{GRANT_BATCH, GRANT_LEASE, GRANT_POLL, GRANTS_PER_SECOND};
use crate::{
    ack::Ack,
    context::{Backend, Context},
    custom_id::CustomId,
    feature::{Feature, Needs, Workers},
    handler::parse,
    interaction::{HandlerError, HandlerResult},
    settings::Settings,
};

/// The feature's name: its `custom_id` prefix and log target.
pub const NAME: &str = "roles";

/// The roles feature over store `S`.
#[derive(Clone, Debug)]
pub struct Roles<S> {
    /// The domain service.
    pub service: hearth_roles::Roles<S>,
    /// Moderation's settings, read for the mod log only (see `events::post_to_mod_log`).
    mod_log: Settings<ModerationSettings, hearth_moderation::Moderation<S>>,
    /// Wakes the autorole worker when a join scheduled something.
    wake: Arc<Notify>,
}

impl<S: Backend> Feature<S> for Roles<S> {
    const NEEDS: Needs = Needs {
        name: NAME,
        // Guilds: roles for the hierarchy; members: joins, screening, leaves; reactions:
        // reaction menus.
        intents: Intents::GUILDS
            .union(Intents::GUILD_MEMBERS)
            .union(Intents::GUILD_MESSAGE_REACTIONS),
        events: EventTypeFlags::MEMBER_ADD
            .union(EventTypeFlags::MEMBER_UPDATE)
            .union(EventTypeFlags::MEMBER_REMOVE)
            .union(EventTypeFlags::REACTION_ADD)
            .union(EventTypeFlags::REACTION_REMOVE)
            .union(EventTypeFlags::ROLE_DELETE),
        cache: ResourceType::GUILD.union(ResourceType::ROLE),
    };

    fn new(store: S, ctx: &Context) -> Self {
        Self {
            service: hearth_roles::Roles::new(store.clone()),
            mod_log: Settings::new(
                ctx.cache.clone(),
                crate::moderation::SETTINGS,
                hearth_moderation::Moderation::new(store),
            ),
            wake: Arc::new(Notify::new()),
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
        let create = |kind| async move {
            let command = match name {
                "reactionrole" => {
                    let commands::ReactionRole::Create(c) = parse(interaction)?;
                    c
                }
                "buttonroles" => {
                    let commands::ButtonRoles::Create(c) = parse(interaction)?;
                    c
                }
                _ => {
                    let commands::SelectRoles::Create(c) = parse(interaction)?;
                    c
                }
            };
            Ok::<_, HandlerError>((kind, command))
        };
        let (kind, command) = match name {
            "autorole" => return handlers::autorole(self, ctx, interaction, ack).await,
            "rolemenu" => return handlers::rolemenu(self, ctx, interaction, ack).await,
            "reactionrole" => create(MenuKind::Reactions).await?,
            "buttonroles" => create(MenuKind::Buttons).await?,
            "selectroles" => create(MenuKind::Select).await?,
            _ => return Err(HandlerError::refuse(crate::interaction::UNKNOWN_COMMAND)),
        };
        handlers::create(self, ctx, interaction, ack, kind, command).await
    }

    async fn component(
        &self,
        ctx: &Context,
        id: &CustomId<'_>,
        interaction: &Interaction,
        ack: &mut Ack,
    ) -> HandlerResult {
        clicks::component(self, ctx, id, interaction, ack).await
    }

    async fn event(&self, ctx: &Context, event: &Event) {
        self.handle_event(ctx, event).await;
    }

    fn workers(&self, ctx: &Context, workers: &Workers) {
        self.start_worker(ctx, workers);
    }

    fn demo(world: &mut hearth_sandbox::demo::DemoWorld) {
        use twilight_model::guild::Permissions;
        world.add_channel("roles");
        world.add_role("Gamers", Permissions::empty());
        world.add_role("Artists", Permissions::empty());
    }
}
