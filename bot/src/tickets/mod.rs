//! Tickets: `/setuptickets` posts a panel whose button asks the reason in a modal and opens a
//! private channel; `/ticket create|close|closerequest|claim|add|remove|transcript|reopen|stats`;
//! on close a transcript (HTML and text) goes to the log channel and the opener, who is asked to
//! rate it (stars, then an optional comment).
//! Over hearth-tickets; deleting a ticket's channel by hand closes the ticket.

mod acting;
mod channels;
pub mod commands;
pub mod components;
pub mod flow;
pub mod handlers;
pub mod queue;
pub mod rating;
pub mod requests;
pub mod timed;
pub mod transcript;

use hearth_core::timed::{ActionKind, TimedAction};
use twilight_cache_inmemory::ResourceType;
use twilight_gateway::{Event, EventTypeFlags, Intents};
use twilight_model::application::{command::Command, interaction::Interaction};

use crate::{
    ack::Ack,
    context::{Backend, Context},
    custom_id::CustomId,
    feature::{Feature, NO_LONGER_IN_USE, Needs, TimedFailure},
    interaction::{HandlerError, HandlerResult, UNKNOWN_COMMAND},
};

/// The feature's name: its `custom_id` prefix.
pub const NAME: &str = "tickets";

/// What `hearth try` runs as the owner once the bot is up: the ticket panel in `#support`
/// (the tickets feature's part of the demo world).
pub const DEMO_SETUP: &[&str] = &[
    "in #support",
    "as owner /setuptickets category:#Tickets support_role:@Support log_channel:#ticket-log",
    "in #general",
];

/// The tickets feature over store `S`.
#[derive(Clone, Debug)]
pub struct Tickets<S> {
    /// The store (settings, panels, transcripts).
    pub store: S,
    /// The domain service.
    pub service: hearth_tickets::Tickets<S>,
}

impl<S: Backend> Feature<S> for Tickets<S> {
    const NEEDS: Needs = Needs {
        name: NAME,
        // Guilds: channel create/update/delete (a ticket channel deleted by hand); guild messages:
        // activity in tickets (no content needed).
        intents: Intents::GUILDS.union(Intents::GUILD_MESSAGES),
        events: EventTypeFlags::CHANNEL_DELETE
            .union(EventTypeFlags::MESSAGE_CREATE)
            // Keep the cache's channels current: their names in transcripts, and how full a
            // category is.
            .union(EventTypeFlags::CHANNEL_CREATE)
            .union(EventTypeFlags::CHANNEL_UPDATE),
        // Channels (category room, names in transcripts); roles (names in transcripts).
        cache: ResourceType::CHANNEL.union(ResourceType::ROLE),
    };

    fn new(store: S, _ctx: &Context) -> Self {
        Self {
            service: hearth_tickets::Tickets::new(store.clone()),
            store,
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
            "setuptickets" => handlers::setup(self, ctx, interaction, ack).await,
            "ticket" => handlers::ticket(self, ctx, interaction, ack).await,
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
            "open" => handlers::panel_click(self, id, interaction, ack).await,
            "step" => handlers::step(self, ctx, id, interaction, ack).await,
            "request" => requests::answer(self, ctx, id, interaction, ack).await,
            "leave" => queue::leave(self, id, interaction, ack).await,
            _ => Err(HandlerError::refuse(NO_LONGER_IN_USE)),
        }
    }

    async fn modal(
        &self,
        ctx: &Context,
        id: &CustomId<'_>,
        interaction: &Interaction,
        ack: &mut Ack,
    ) -> HandlerResult {
        match id.action {
            "open" => handlers::panel_submit(self, ctx, id, interaction, ack).await,
            "rate" => rating::submit(self, ctx, id, interaction, ack).await,
            _ => Err(HandlerError::refuse(NO_LONGER_IN_USE)),
        }
    }

    async fn event(&self, ctx: &Context, event: &Event) {
        flow::event(self, ctx, event).await;
    }

    /// A ticket category and a support role held by `mod`, with `#support` for the panel and
    /// `#ticket-log` for transcripts; `hearth try` posts the panel there ([`DEMO_SETUP`]).
    fn demo(world: &mut hearth_sandbox::demo::DemoWorld) {
        world.add_category("Tickets");
        world.add_channel("support");
        world.add_channel("ticket-log");
        let support = world.add_role("Support", twilight_model::guild::Permissions::empty());
        let moderator = world.moderator.clone();
        world.guild.grant(&moderator, support);
    }

    const TIMED: &'static [&'static str] = timed::KINDS;

    async fn timed(&self, ctx: &Context, action: &TimedAction) -> Result<(), TimedFailure> {
        match action.kind {
            ActionKind::CloseRequested { .. } => requests::run(self, ctx, action).await,
            _ => timed::run(self, ctx, action).await,
        }
    }
}
