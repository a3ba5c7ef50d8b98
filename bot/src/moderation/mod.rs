//! Moderation: `/warn`, `/warnings`, `/clearwarnings` and `/modlog`, over hearth-moderation.

pub mod commands;
pub mod embeds;
pub(crate) mod handlers;

use twilight_model::gateway::Intents;

/// The gateway intents moderation needs: guilds (roles and owners for hierarchy checks).
pub const INTENTS: Intents = Intents::GUILDS;
