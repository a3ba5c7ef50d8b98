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
        // Single flight: concurrent DMs to one member wait for the first to open the channel.
        self.dm_channels
            .get_or_insert_async(&user, async {
                let opened = self.http.create_private_channel(ids::user(user));
                Ok::<_, DiscordError>(ids::channel_id(self.read("opening a DM", opened).await?.id))
            })
            .await
    }
}
