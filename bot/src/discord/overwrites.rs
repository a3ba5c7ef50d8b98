//! Channel settings moderation changes: the `@everyone` overwrite (lockdowns) and slowmode.
//!
//! See Discord Docs/Channel Resource ("Edit Channel Permissions", "Delete Channel Permission",
//! "Modify Channel"). `@everyone`'s role id is the guild's id.

use hearth_core::{ChannelId, GuildId};
use hearth_moderation::Overwrite;
use twilight_http::request::AuditLogReason;
use twilight_model::{
    channel::permission_overwrite::PermissionOverwriteType as ChannelOverwriteType,
    guild::Permissions,
    http::permission_overwrite::{PermissionOverwrite, PermissionOverwriteType},
    id::{Id, marker::RoleMarker},
};

use super::{Discord, DiscordError, ids, reason};

fn everyone(guild: GuildId) -> Id<RoleMarker> {
    Id::new(guild.get())
}

impl Discord {
    /// A channel's `@everyone` overwrite, if it has one.
    ///
    /// # Errors
    ///
    /// When Discord refuses it (an unknown channel, missing access).
    pub async fn everyone_overwrite(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> Result<Option<Overwrite>, DiscordError> {
        let channel = self
            .read(
                "reading a channel",
                self.http.channel(ids::channel(channel)),
            )
            .await?;
        Ok(channel
            .permission_overwrites
            .unwrap_or_default()
            .into_iter()
            .find(|o| o.kind == ChannelOverwriteType::Role && o.id.get() == guild.get())
            .map(|o| Overwrite {
                allow: o.allow.bits(),
                deny: o.deny.bits(),
            }))
    }

    /// Sets a channel's `@everyone` overwrite to exactly `overwrite`.
    ///
    /// # Errors
    ///
    /// When Discord refuses it (Manage Roles missing, an unknown channel).
    pub async fn set_everyone_overwrite(
        &self,
        guild: GuildId,
        channel: ChannelId,
        overwrite: Overwrite,
        why: &str,
    ) -> Result<(), DiscordError> {
        let overwrite = PermissionOverwrite {
            allow: Some(Permissions::from_bits_retain(overwrite.allow)),
            deny: Some(Permissions::from_bits_retain(overwrite.deny)),
            id: everyone(guild).cast(),
            kind: PermissionOverwriteType::Role,
        };
        self.http
            .update_channel_permission(ids::channel(channel), &overwrite)
            .reason(&reason(why))
            .await
            .map_err(self.fail("editing a channel's permissions"))?;
        Ok(())
    }

    /// Removes a channel's `@everyone` overwrite.
    ///
    /// # Errors
    ///
    /// When Discord refuses it.
    pub async fn remove_everyone_overwrite(
        &self,
        guild: GuildId,
        channel: ChannelId,
        why: &str,
    ) -> Result<(), DiscordError> {
        self.http
            .delete_channel_permission(ids::channel(channel))
            .role(everyone(guild))
            .reason(&reason(why))
            .await
            .map_err(self.fail("removing a channel's permissions"))?;
        Ok(())
    }

    /// Sets a channel's slowmode to `seconds` (0 turns it off; at most 21,600).
    ///
    /// # Errors
    ///
    /// When Discord refuses it (Manage Channels missing).
    pub async fn set_slowmode(
        &self,
        channel: ChannelId,
        seconds: u16,
        why: &str,
    ) -> Result<(), DiscordError> {
        self.http
            .update_channel(ids::channel(channel))
            .rate_limit_per_user(seconds)
            .reason(&reason(why))
            .await
            .map_err(self.fail("setting a channel's slowmode"))?;
        Ok(())
    }
}
