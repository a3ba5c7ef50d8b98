//! The feature contract: what a feature declares and what it handles.
//!
//! A feature is one folder under `bot/src/` and one line in [`crate::features`]. It declares
//! its [`Needs`] as a constant — gateway intents, the event types it wants decoded, the cache
//! resources it reads — and implements [`Feature`]: its commands, components, modal submits,
//! autocomplete, gateway events, background workers and the timed actions it owns (see
//! [`Feature::TIMED`]). The shell computes the intents union,
//! the event filter, the command list and all routing from the list, so a feature cannot
//! receive an event it did not declare, nor declare one its intents do not deliver (a test
//! checks every declared event against the intents).

use std::{fmt, future::Future};

use hearth_core::timed::TimedAction;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use twilight_cache_inmemory::ResourceType;
use twilight_gateway::{Event, EventTypeFlags, Intents};
use twilight_model::application::{command::Command, interaction::Interaction};

use crate::{
    ack::Ack,
    context::{Backend, Context},
    custom_id::CustomId,
    interaction::{HandlerError, HandlerResult},
};

/// What a feature needs from the gateway and the cache, declared as a constant so the shell
/// can take unions at compile time.
#[derive(Clone, Copy, Debug)]
pub struct Needs {
    /// The feature's name: the first part of its `custom_id`s, its settings namespace and
    /// its log target. Lowercase letters, digits, `-` and `_`.
    pub name: &'static str,
    /// The gateway intents its events need.
    pub intents: Intents,
    /// The gateway events it handles; only these are decoded and passed to
    /// [`Feature::event`]. Interactions are routed separately and need no flag here.
    pub events: EventTypeFlags,
    /// What it reads from the gateway cache ([`Context::guilds`]).
    pub cache: ResourceType,
}

/// The shutdown token and task tracker a feature's background workers run under.
#[derive(Clone, Debug)]
pub struct Workers {
    /// Cancelled when the bot stops: a worker finishes its current step and returns.
    pub cancel: CancellationToken,
    /// Spawn workers here so shutdown waits for them.
    pub tasks: TaskTracker,
}

/// Why a timed action did not run ([`Feature::timed`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimedFailure {
    /// Worth trying again later (Discord answered 5xx or 429, or could not be reached): the
    /// scheduler retries with backoff and reports in the mod log when it gives up.
    Retry(String),
    /// Trying again cannot help (the bot lacks a permission, the channel is gone): the
    /// scheduler reports it in the mod log now and drops the action.
    GiveUp(String),
}

impl fmt::Display for TimedFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Retry(why) | Self::GiveUp(why) => f.write_str(why),
        }
    }
}

/// One feature of the bot over store `S`.
///
/// Handlers follow the three steps of the style guide: parse, call the domain service, render
/// the outcome. A refusal is a [`HandlerError`] with the feature's refusal type; the shell
/// answers it ephemerally.
pub trait Feature<S: Backend>: Send + Sync + Sized + 'static {
    /// The feature's declaration.
    const NEEDS: Needs;

    /// The feature over `store`, with the shared infrastructure (for its settings cache).
    fn new(store: S, ctx: &Context) -> Self;

    /// Its slash commands, for registration; their names route commands to it.
    fn commands(&self) -> Vec<Command>;

    /// Handles one of its slash commands, named `name`.
    fn command(
        &self,
        ctx: &Context,
        name: &str,
        interaction: &Interaction,
        ack: &mut Ack,
    ) -> impl Future<Output = HandlerResult> + Send;

    /// Handles a click on one of its buttons or a choice in one of its select menus; `id` is
    /// already parsed and names this feature.
    fn component(
        &self,
        ctx: &Context,
        id: &CustomId<'_>,
        interaction: &Interaction,
        ack: &mut Ack,
    ) -> impl Future<Output = HandlerResult> + Send {
        let _ = (ctx, interaction, ack);
        let action = id.action.to_owned();
        async move {
            tracing::info!(feature = Self::NEEDS.name, %action, "component without a handler");
            Err(HandlerError::refuse(NO_LONGER_IN_USE))
        }
    }

    /// Handles the submit of one of its modals; `id` is already parsed and names this feature.
    fn modal(
        &self,
        ctx: &Context,
        id: &CustomId<'_>,
        interaction: &Interaction,
        ack: &mut Ack,
    ) -> impl Future<Output = HandlerResult> + Send {
        self.component(ctx, id, interaction, ack)
    }

    /// Answers autocomplete for one of its commands, named `name`.
    fn autocomplete(
        &self,
        ctx: &Context,
        name: &str,
        interaction: &Interaction,
        ack: &mut Ack,
    ) -> impl Future<Output = HandlerResult> + Send {
        let _ = (ctx, interaction, ack);
        let name = name.to_owned();
        async move {
            tracing::info!(feature = Self::NEEDS.name, command = %name, "no autocomplete");
            Err(HandlerError::refuse(NO_LONGER_IN_USE))
        }
    }

    /// Handles a gateway event of one of the types in [`Needs::events`] (and no other).
    fn event(&self, ctx: &Context, event: &Event) -> impl Future<Output = ()> + Send {
        let _ = (ctx, event);
        async {}
    }

    /// Starts its background workers, if any.
    fn workers(&self, ctx: &Context, workers: &Workers) {
        let _ = (ctx, workers);
    }

    /// The timed-action kinds it runs, by [`ActionKind::name`](hearth_core::timed::ActionKind::name).
    /// The scheduler ([`crate::scheduler`]) hands every claimed action of these kinds to
    /// [`Feature::timed`]; each kind has exactly one owner (a test checks). A feature that
    /// schedules actions (`store.schedule(…)`) lists their kinds here.
    const TIMED: &'static [&'static str] = &[];

    /// Runs a claimed timed action of a kind in [`Feature::TIMED`]: `Ok` when it is done or
    /// there is nothing left to do (a ban already lifted by hand), a [`TimedFailure`] to retry
    /// or give up. It must be idempotent: a lease that ran out lets another process run the
    /// same action again.
    fn timed(
        &self,
        ctx: &Context,
        action: &TimedAction,
    ) -> impl Future<Output = Result<(), TimedFailure>> + Send {
        let _ = ctx;
        let kind = action.kind.name();
        async move {
            Err(TimedFailure::GiveUp(format!(
                "{} does not run {kind} actions",
                Self::NEEDS.name
            )))
        }
    }

    /// Adds its part of the demo world that `hearth try` and the end-to-end scenarios start
    /// from (channels, roles, people, first messages) on the sandbox's base world, before the
    /// bot starts. Most features need nothing beyond the base world.
    fn demo(world: &mut hearth_sandbox::demo::DemoWorld) {
        let _ = world;
    }
}

/// The sentence for a button, menu or option whose handler is gone.
pub const NO_LONGER_IN_USE: &str =
    "This is from an older version of Hearth and no longer works; run the command again.";

/// The intents that deliver an event type, for the events features may declare; `None` for
/// a type missing from the table (the coverage test then fails, naming it). See Discord
/// Docs/Gateway, "List of Intents".
pub fn intents_for(event: EventTypeFlags) -> Option<Intents> {
    const GUILDS: EventTypeFlags = EventTypeFlags::GUILD_CREATE
        .union(EventTypeFlags::GUILD_UPDATE)
        .union(EventTypeFlags::GUILD_DELETE)
        .union(EventTypeFlags::ROLE_CREATE)
        .union(EventTypeFlags::ROLE_UPDATE)
        .union(EventTypeFlags::ROLE_DELETE)
        .union(EventTypeFlags::CHANNEL_CREATE)
        .union(EventTypeFlags::CHANNEL_UPDATE)
        .union(EventTypeFlags::CHANNEL_DELETE)
        .union(EventTypeFlags::THREAD_CREATE)
        .union(EventTypeFlags::THREAD_UPDATE)
        .union(EventTypeFlags::THREAD_DELETE);
    const MEMBERS: EventTypeFlags = EventTypeFlags::MEMBER_ADD
        .union(EventTypeFlags::MEMBER_UPDATE)
        .union(EventTypeFlags::MEMBER_REMOVE);
    const MODERATION: EventTypeFlags = EventTypeFlags::GUILD_AUDIT_LOG_ENTRY_CREATE
        .union(EventTypeFlags::BAN_ADD)
        .union(EventTypeFlags::BAN_REMOVE);
    const MESSAGES: EventTypeFlags = EventTypeFlags::MESSAGE_CREATE
        .union(EventTypeFlags::MESSAGE_UPDATE)
        .union(EventTypeFlags::MESSAGE_DELETE)
        .union(EventTypeFlags::MESSAGE_DELETE_BULK);
    const REACTIONS: EventTypeFlags = EventTypeFlags::REACTION_ADD
        .union(EventTypeFlags::REACTION_REMOVE)
        .union(EventTypeFlags::REACTION_REMOVE_ALL)
        .union(EventTypeFlags::REACTION_REMOVE_EMOJI);
    const NONE: EventTypeFlags = EventTypeFlags::READY
        .union(EventTypeFlags::RESUMED)
        .union(EventTypeFlags::INTERACTION_CREATE);
    let table = [
        (GUILDS, Intents::GUILDS),
        (MEMBERS, Intents::GUILD_MEMBERS),
        (MODERATION, Intents::GUILD_MODERATION),
        (MESSAGES, Intents::GUILD_MESSAGES),
        (REACTIONS, Intents::GUILD_MESSAGE_REACTIONS),
        (
            EventTypeFlags::AUTO_MODERATION_ACTION_EXECUTION,
            Intents::AUTO_MODERATION_EXECUTION,
        ),
        (NONE, Intents::empty()),
    ];
    table
        .iter()
        .find(|(events, _)| events.contains(event))
        .map(|(_, intents)| *intents)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{discord::Discord, metrics::Metrics};

    /// A context whose Discord client points nowhere, for tests that never call it.
    pub(crate) async fn context() -> Context {
        let http = Arc::new(twilight_http::Client::new(String::new()));
        let metrics = Arc::new(Metrics::default());
        Context::new(
            Discord::new(http, twilight_model::id::Id::new(1), Arc::clone(&metrics)),
            hearth_cache::Cache::connect(hearth_cache::CacheConfig::default())
                .await
                .unwrap(),
            Arc::new(twilight_cache_inmemory::DefaultInMemoryCache::new()),
            hearth_core::UserId::new(2),
            metrics,
            Arc::new(hearth_core::SystemClock),
        )
    }

    #[test]
    fn every_event_a_feature_handles_is_delivered_by_its_intents() {
        for needs in crate::features::ALL {
            for event in needs.events.iter() {
                let intents = intents_for(event).unwrap_or_else(|| {
                    panic!(
                        "{}: event {event:?} is missing from intents_for's table",
                        needs.name
                    )
                });
                assert!(
                    needs.intents.contains(intents),
                    "{} handles {event:?}, which needs {intents:?}, but declares only {:?}",
                    needs.name,
                    needs.intents
                );
                assert!(crate::features::INTENTS.contains(intents));
                assert!(crate::features::EVENTS.contains(event));
            }
        }
    }

    #[test]
    fn the_table_knows_which_intent_delivers_an_event() {
        assert_eq!(
            intents_for(EventTypeFlags::MESSAGE_CREATE),
            Some(Intents::GUILD_MESSAGES)
        );
        assert_eq!(
            intents_for(EventTypeFlags::MEMBER_ADD),
            Some(Intents::GUILD_MEMBERS)
        );
        assert_eq!(intents_for(EventTypeFlags::PRESENCE_UPDATE), None);
    }

    #[test]
    fn every_timed_kind_has_exactly_one_owner() {
        for kind in hearth_core::timed::ActionKind::NAMES {
            let owners: Vec<&str> = crate::features::TIMED
                .iter()
                .filter(|(_, kinds)| kinds.contains(kind))
                .map(|(name, _)| *name)
                .collect();
            assert_eq!(owners.len(), 1, "{kind} is run by {owners:?}");
        }
    }

    #[test]
    fn feature_names_are_unique_and_fit_a_custom_id() {
        let mut names: Vec<&str> = crate::features::ALL.iter().map(|n| n.name).collect();
        for name in &names {
            assert!(
                crate::custom_id::CustomId::parse(&format!("{name}:x:1")).is_ok(),
                "{name} is not a valid custom_id part"
            );
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), crate::features::ALL.len());
    }
}
