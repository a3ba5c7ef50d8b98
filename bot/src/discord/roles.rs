//! Roles.
//!
//! See Discord Docs/Guild Resource ("Get Guild Roles").

use hearth_core::{GuildId, RoleId, UserId};
use twilight_http::request::AuditLogReason;
use twilight_model::guild::Role;

use super::{Discord, DiscordError, ids, reason};

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

    /// Gives a member a role (`give`) or takes it away.
    ///
    /// # Errors
    ///
    /// When Discord refuses it (403 with 50013 for a role above the bot's).
    pub async fn set_role(
        &self,
        guild: GuildId,
        user: UserId,
        role: RoleId,
        give: bool,
        why: &str,
    ) -> Result<(), DiscordError> {
        let (guild, user, role) = (ids::guild(guild), ids::user(user), ids::role(role));
        let why = reason(why);
        if give {
            self.http
                .add_guild_member_role(guild, user, role)
                .reason(&why)
                .await
                .map_err(self.fail("giving a role"))?;
        } else {
            self.http
                .remove_guild_member_role(guild, user, role)
                .reason(&why)
                .await
                .map_err(self.fail("taking a role"))?;
        }
        Ok(())
    }
}
