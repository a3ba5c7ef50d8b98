//! The list of features, and everything the shell computes from it.
//!
//! Adding a feature is one line in the `features!` call below (plus its folder): the
//! intents union, the event filter, the cache resources, command registration and every
//! route follow from it.

use std::collections::HashMap;

use hearth_core::timed::TimedAction;
use twilight_cache_inmemory::ResourceType;
use twilight_gateway::{Event, EventTypeFlags, Intents};
use twilight_model::application::{
    command::Command,
    interaction::{Interaction, InteractionData},
};

use crate::{
    ack::Ack,
    context::{Backend, Context},
    custom_id::CustomId,
    feature::{Feature, NO_LONGER_IN_USE, Needs, TimedFailure, Workers},
    interaction::{HandlerError, HandlerResult, UNKNOWN_COMMAND},
};

/// What the shell itself needs whatever the features: guilds and roles for hierarchy checks
/// and READY, RESUMED and interactions.
pub const SHELL: Needs = Needs {
    name: "shell",
    intents: Intents::GUILDS,
    events: EventTypeFlags::READY
        .union(EventTypeFlags::RESUMED)
        .union(EventTypeFlags::INTERACTION_CREATE)
        .union(EventTypeFlags::GUILD_CREATE)
        .union(EventTypeFlags::GUILD_UPDATE)
        .union(EventTypeFlags::GUILD_DELETE)
        .union(EventTypeFlags::ROLE_CREATE)
        .union(EventTypeFlags::ROLE_UPDATE)
        .union(EventTypeFlags::ROLE_DELETE)
        .union(EventTypeFlags::MEMBER_UPDATE),
    cache: ResourceType::GUILD
        .union(ResourceType::ROLE)
        .union(ResourceType::MEMBER),
};

macro_rules! features {
    ($($field:ident: $feature:ident),+ $(,)?) => {
        /// Every feature's declaration, in list order.
        pub const ALL: &[Needs] = &[$(<crate::$field::$feature<crate::features::Any> as Feature<crate::features::Any>>::NEEDS),+];

        /// The gateway intents: the union of the shell's and every feature's.
        pub const INTENTS: Intents = SHELL.intents$(.union(<crate::$field::$feature<Any> as Feature<Any>>::NEEDS.intents))+;

        /// The event types decoded from the gateway: the union of what the shell and the
        /// features handle. Every other event is skipped before deserialisation.
        pub const EVENTS: EventTypeFlags = SHELL.events$(.union(<crate::$field::$feature<Any> as Feature<Any>>::NEEDS.events))+;

        /// The event types some feature handles (not only the shell).
        pub const FEATURE_EVENTS: EventTypeFlags = EventTypeFlags::empty()$(.union(<crate::$field::$feature<Any> as Feature<Any>>::NEEDS.events))+;

        /// Each feature's name and the timed-action kinds it runs ([`Feature::TIMED`]).
        pub const TIMED: &[(&str, &[&str])] = &[$((<crate::$field::$feature<Any> as Feature<Any>>::NEEDS.name, <crate::$field::$feature<Any> as Feature<Any>>::TIMED)),+];

        /// Every feature's part of the demo world, in list order.
        pub const DEMO: &[fn(&mut hearth_sandbox::demo::DemoWorld)] = &[$(<crate::$field::$feature<Any> as Feature<Any>>::demo),+];

        /// What the gateway cache keeps: the union of what the shell and the features read.
        pub const CACHE: ResourceType = SHELL.cache$(.union(<crate::$field::$feature<Any> as Feature<Any>>::NEEDS.cache))+;

        /// Every feature over store `S`, and the routes to them.
        #[derive(Debug)]
        pub struct Features<S: Backend> {
            $(
                #[doc = concat!("The ", stringify!($field), " feature.")]
                pub $field: crate::$field::$feature<S>,
            )+
            /// Command name → the name of the feature that registered it.
            commands: HashMap<String, &'static str>,
        }

        impl<S: Backend> Features<S> {
            /// Every feature over `store`.
            ///
            /// # Panics
            ///
            /// When two features register a command of the same name: a programming error
            /// that the test suite catches.
            pub fn new(store: &S, ctx: &Context) -> Self {
                let mut features = Self {
                    $($field: <crate::$field::$feature<S> as Feature<S>>::new(store.clone(), ctx),)+
                    commands: HashMap::new(),
                };
                $(
                    for command in Feature::<S>::commands(&features.$field) {
                        let name = <crate::$field::$feature<S> as Feature<S>>::NEEDS.name;
                        let clash = features.commands.insert(command.name.clone(), name);
                        assert!(clash.is_none(), "two features register /{}", command.name);
                    }
                )+
                features
            }

            /// Every feature's commands, for registration.
            pub fn commands(&self) -> Vec<Command> {
                let mut all = Vec::new();
                $(all.extend(Feature::<S>::commands(&self.$field));)+
                all
            }

            /// Routes a slash command (or its autocomplete) to its feature.
            async fn command(
                &self,
                ctx: &Context,
                name: &str,
                interaction: &Interaction,
                ack: &mut Ack,
                autocomplete: bool,
            ) -> HandlerResult {
                let Some(owner) = self.commands.get(name).copied() else {
                    tracing::info!(command = %name, "unknown command");
                    return Err(HandlerError::refuse(UNKNOWN_COMMAND));
                };
                $(
                    if owner == <crate::$field::$feature<S> as Feature<S>>::NEEDS.name {
                        return if autocomplete {
                            self.$field.autocomplete(ctx, name, interaction, ack).await
                        } else {
                            self.$field.command(ctx, name, interaction, ack).await
                        };
                    }
                )+
                Err(HandlerError::refuse(UNKNOWN_COMMAND))
            }

            /// Routes a component click or a modal submit to the feature its `custom_id`
            /// names.
            async fn component(
                &self,
                ctx: &Context,
                raw: &str,
                interaction: &Interaction,
                ack: &mut Ack,
                modal: bool,
            ) -> HandlerResult {
                let id = match CustomId::parse(raw) {
                    Ok(id) => id,
                    Err(err) => {
                        tracing::debug!(custom_id = ?raw, %err, "unreadable custom_id");
                        return Err(HandlerError::refuse(NO_LONGER_IN_USE));
                    }
                };
                $(
                    if id.feature == <crate::$field::$feature<S> as Feature<S>>::NEEDS.name {
                        return if modal {
                            self.$field.modal(ctx, &id, interaction, ack).await
                        } else {
                            self.$field.component(ctx, &id, interaction, ack).await
                        };
                    }
                )+
                tracing::debug!(custom_id = %id, "custom_id names no feature");
                Err(HandlerError::refuse(NO_LONGER_IN_USE))
            }

            /// Passes a gateway event to each feature that declared its type.
            pub async fn event(&self, ctx: &Context, event: &Event) {
                let kind = EventTypeFlags::from(event.kind());
                // Gateway closes and the like have no flag (empty), and no feature gets them.
                if kind.is_empty() {
                    return;
                }
                $(
                    if <crate::$field::$feature<S> as Feature<S>>::NEEDS.events.contains(kind) {
                        self.$field.event(ctx, event).await;
                    }
                )+
            }

            /// Runs a claimed timed action through the feature that owns its kind.
            ///
            /// # Errors
            ///
            /// The feature's [`TimedFailure`]; `GiveUp` when no feature owns the kind.
            pub async fn timed(&self, ctx: &Context, action: &TimedAction) -> Result<(), TimedFailure> {
                let kind = action.kind.name();
                $(
                    if <crate::$field::$feature<S> as Feature<S>>::TIMED.contains(&kind) {
                        return self.$field.timed(ctx, action).await;
                    }
                )+
                Err(TimedFailure::GiveUp(format!("no feature runs {kind} actions")))
            }

            /// Starts every feature's background workers.
            pub fn workers(&self, ctx: &Context, workers: &Workers) {
                $(self.$field.workers(ctx, workers);)+
            }
        }
    };
}

/// The store type used to read the features' constants, which don't depend on the store.
type Any = hearth_store_sqlite::SqliteStore;

// The list. One line per feature: `folder: Type`.
features! {
    moderation: Moderation,
    leveling: Leveling,
    roles: Roles,
    automod: Automod,
    tickets: Tickets,
}

impl<S: Backend> Features<S> {
    /// Routes an interaction to the feature that handles it.
    ///
    /// # Errors
    ///
    /// The handler's refusal or fault; a refusal for an unknown command or component.
    pub async fn route(
        &self,
        ctx: &Context,
        interaction: &Interaction,
        ack: &mut Ack,
    ) -> HandlerResult {
        match &interaction.data {
            Some(InteractionData::ApplicationCommand(data)) => {
                let autocomplete = interaction.kind
                    == twilight_model::application::interaction::InteractionType::ApplicationCommandAutocomplete;
                self.command(ctx, &data.name, interaction, ack, autocomplete)
                    .await
            }
            Some(InteractionData::MessageComponent(data)) => {
                self.component(ctx, &data.custom_id, interaction, ack, false)
                    .await
            }
            Some(InteractionData::ModalSubmit(data)) => {
                self.component(ctx, &data.custom_id, interaction, ack, true)
                    .await
            }
            _ => Err(HandlerError::refuse(
                "I can't handle this kind of interaction yet.",
            )),
        }
    }
}

/// A label for metrics and logs: the command name, or the feature and action of a component.
pub fn label(interaction: &Interaction) -> String {
    match &interaction.data {
        Some(InteractionData::ApplicationCommand(data)) => data.name.clone(),
        Some(InteractionData::MessageComponent(data)) => component_label(&data.custom_id),
        Some(InteractionData::ModalSubmit(data)) => component_label(&data.custom_id),
        _ => "other".to_owned(),
    }
}

fn component_label(raw: &str) -> String {
    CustomId::parse(raw).map_or_else(
        |_| "unreadable".to_owned(),
        |id| format!("{}:{}", id.feature, id.action),
    )
}
