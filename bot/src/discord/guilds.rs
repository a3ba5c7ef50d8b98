//! Guilds: the guild itself, bans, and the gateway information the bot starts from.
//!
//! See Discord Docs/Guild Resource, Topics/Gateway ("Get Gateway Bot").

use hearth_core::{GuildId, UserId};
use twilight_http::request::AuditLogReason;
use twilight_model::gateway::connection_info::BotConnectionInfo;

use super::{Discord, DiscordError, ids, reason};

/// Discord's error code for "Unknown Ban".
pub(super) const UNKNOWN_BAN: u64 = 10_026;

impl Discord {
    /// Bans a user, deleting none of their messages.
    ///
    /// # Errors
    ///
    /// When Discord refuses it.
    pub async fn ban(&self, guild: GuildId, user: UserId, why: &str) -> Result<(), DiscordError> {
        self.http
            .create_ban(ids::guild(guild), ids::user(user))
            .reason(&reason(why))
            .await
            .map_err(self.fail("banning a member"))?;
        Ok(())
    }

    /// Bans a user, deleting their messages of the last `delete_seconds` (at most 7 days).
    ///
    /// # Errors
    ///
    /// When Discord refuses it.
    pub async fn ban_deleting(
        &self,
        guild: GuildId,
        user: UserId,
        delete_seconds: u32,
        why: &str,
    ) -> Result<(), DiscordError> {
        let why = reason(why);
        let mut request = self
            .http
            .create_ban(ids::guild(guild), ids::user(user))
            .reason(&why);
        if delete_seconds > 0 {
            request = request.delete_message_seconds(delete_seconds);
        }
        request.await.map_err(self.fail("banning a member"))?;
        Ok(())
    }

    /// Lifts a ban; `Ok(false)` when there was none (Discord's 10026, Unknown Ban).
    ///
    /// # Errors
    ///
    /// When Discord refuses it otherwise.
    pub async fn unban(
        &self,
        guild: GuildId,
        user: UserId,
        why: &str,
    ) -> Result<bool, DiscordError> {
        match self
            .http
            .delete_ban(ids::guild(guild), ids::user(user))
            .reason(&reason(why))
            .await
            .map_err(self.fail("lifting a ban"))
        {
            Ok(_) => Ok(true),
            Err(err) if err.code() == Some(UNKNOWN_BAN) => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// The guild's owner.
    ///
    /// # Errors
    ///
    /// When Discord refuses it.
    pub async fn guild_owner(&self, guild: GuildId) -> Result<UserId, DiscordError> {
        let guild = self
            .read("reading a guild", self.http.guild(ids::guild(guild)))
            .await?;
        Ok(ids::user_id(guild.owner_id))
    }

    /// The gateway URL, recommended shard count and session-start limits (`GET /gateway/bot`).
    ///
    /// # Errors
    ///
    /// When Discord refuses it (a bad token shows up here).
    pub async fn gateway_info(&self) -> Result<BotConnectionInfo, DiscordError> {
        self.read(
            "reading the gateway information",
            self.http.gateway().authed(),
        )
        .await
    }
}
