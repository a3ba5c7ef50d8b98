//! Roles.
//!
//! See Discord Docs/Guild Resource ("Get Guild Roles").

use hearth_core::GuildId;
use twilight_model::guild::Role;

use super::{Discord, DiscordError, ids};

impl Discord {
    /// The guild's roles.
    ///
    /// # Errors
    ///
    /// When Discord refuses it.
    pub async fn roles(&self, guild: GuildId) -> Result<Vec<Role>, DiscordError> {
        self.http
            .roles(ids::guild(guild))
            .await
            .map_err(self.fail("reading roles"))?
            .models()
            .await
            .map_err(|e| DiscordError::body("reading roles", e))
    }
}
