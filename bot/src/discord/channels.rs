//! Channels: the DM channel between the bot and a member.
//!
//! See Discord Docs/User Resource ("Create DM").

use hearth_core::{ChannelId, UserId};

use super::{Discord, DiscordError, ids};

impl Discord {
    /// The DM channel with `user`: opened once (a REST call, rate-limited on its own) and
    /// remembered, since it never changes.
    ///
    /// # Errors
    ///
    /// When Discord refuses to open it.
    pub async fn dm_channel(&self, user: UserId) -> Result<ChannelId, DiscordError> {
        if let Some(channel) = self.dm_channels.get(&user) {
            return Ok(channel);
        }
        let opened = self.http.create_private_channel(ids::user(user));
        let channel = ids::channel_id(self.read("opening a DM", opened).await?.id);
        self.dm_channels.insert(user, channel);
        Ok(channel)
    }
}
