//! Members: timeouts, kicks and their roles.
//!
//! See Discord Docs/Guild Resource ("Modify Guild Member", "Remove Guild Member").

use hearth_core::{GuildId, RoleId, UserId};
use twilight_http::request::AuditLogReason;
use twilight_model::util::Timestamp as DiscordTimestamp;

use super::{Discord, DiscordError, ids, reason};

impl Discord {
    /// Times a member out until `until` (at most 28 days ahead).
    ///
    /// # Errors
    ///
    /// When Discord refuses it (missing permission, hierarchy, an administrator).
    pub async fn timeout(
        &self,
        guild: GuildId,
        user: UserId,
        until: DiscordTimestamp,
        why: &str,
    ) -> Result<(), DiscordError> {
        self.http
            .update_guild_member(ids::guild(guild), ids::user(user))
            .communication_disabled_until(Some(until))
            .reason(&reason(why))
            .await
            .map_err(self.fail("timing out a member"))?;
        Ok(())
    }

    /// Ends a member's timeout.
    ///
    /// # Errors
    ///
    /// When Discord refuses it.
    pub async fn end_timeout(
        &self,
        guild: GuildId,
        user: UserId,
        why: &str,
    ) -> Result<(), DiscordError> {
        self.http
            .update_guild_member(ids::guild(guild), ids::user(user))
            .communication_disabled_until(None)
            .reason(&reason(why))
            .await
            .map_err(self.fail("ending a timeout"))?;
        Ok(())
    }

    /// Takes a role from a member.
    ///
    /// # Errors
    ///
    /// When Discord refuses it (10007 for someone not in the guild).
    pub async fn remove_role(
        &self,
        guild: GuildId,
        user: UserId,
        role: RoleId,
        why: &str,
    ) -> Result<(), DiscordError> {
        self.http
            .remove_guild_member_role(ids::guild(guild), ids::user(user), ids::role(role))
            .reason(&reason(why))
            .await
            .map_err(self.fail("taking a role"))?;
        Ok(())
    }

    /// Kicks a member.
    ///
    /// # Errors
    ///
    /// When Discord refuses it.
    pub async fn kick(&self, guild: GuildId, user: UserId, why: &str) -> Result<(), DiscordError> {
        self.http
            .remove_guild_member(ids::guild(guild), ids::user(user))
            .reason(&reason(why))
            .await
            .map_err(self.fail("kicking a member"))?;
        Ok(())
    }

    /// A member's role ids.
    ///
    /// # Errors
    ///
    /// When Discord refuses it (10007 for someone not in the guild).
    pub async fn member_roles(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> Result<Vec<RoleId>, DiscordError> {
        let member = self
            .read(
                "reading a member",
                self.http.guild_member(ids::guild(guild), ids::user(user)),
            )
            .await?;
        Ok(member.roles.into_iter().map(ids::role_id).collect())
    }
}
