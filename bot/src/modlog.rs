//! The mod log: the channel a guild chose with `/modlog set` for moderation cases. Any feature
//! posts to it with [`post`]:
//!
//! ```ignore
//! // In a feature over store `S` (every feature gets the store in `Feature::new`):
//! crate::modlog::post(ctx, &self.store, guild, embed).await;
//! ```
//!
//! Posting never fails the caller's action: a guild without a mod log, a missing channel or a
//! permission the bot lacks are logged and return `None`.

use hearth_core::{GuildId, MessageId};
use twilight_model::channel::message::Embed;

use crate::{
    context::{Backend, Context},
    interaction::chain,
    moderation::SETTINGS,
    reply::Reply,
    settings::Settings,
};

/// Posts `embed` in `guild`'s mod log, if it has one, and returns the message's id; `None`
/// when the guild has no mod log or the post failed (logged at warn).
pub async fn post<S: Backend>(
    ctx: &Context,
    store: &S,
    guild: GuildId,
    embed: Embed,
) -> Option<MessageId> {
    let settings = Settings::new(
        ctx.cache.clone(),
        SETTINGS,
        hearth_moderation::Moderation::new(store.clone()),
    );
    let channel = match settings.get(guild).await {
        Ok(settings) => settings.mod_log_channel?,
        Err(err) => {
            tracing::warn!(%guild, error = %chain(&err), "could not read the mod log setting");
            return None;
        }
    };
    match ctx.discord.post(channel, &Reply::embed(embed)).await {
        Ok(message) => Some(message),
        Err(err) => {
            tracing::warn!(%guild, %channel, error = %chain(&err), "could not post to the mod log");
            None
        }
    }
}
