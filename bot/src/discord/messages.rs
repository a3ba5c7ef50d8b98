//! Channel messages and direct messages, files included.
//!
//! See Discord Docs/Message Resource ("Create Message").

use hearth_core::{ChannelId, MessageId, UserId};
use twilight_model::channel::message::AllowedMentions;

use super::{CANNOT_DM, Discord, DiscordError, ids};
use crate::reply::Reply;

impl Discord {
    /// Posts a message in a channel.
    ///
    /// # Errors
    ///
    /// When Discord refuses it (unknown channel, missing access).
    pub async fn send(&self, channel: ChannelId, reply: &Reply) -> Result<(), DiscordError> {
        self.post(channel, reply).await.map(drop)
    }

    /// Posts a message in a channel, its files included (`attachment://<filename>` in an
    /// embed shows an attached image), and returns its id.
    ///
    /// # Errors
    ///
    /// More than [`crate::reply::FILES_MAX`] files (before any request), or Discord refusing
    /// it (unknown channel, missing access, `ATTACH_FILES` missing, a file above the upload
    /// limit: [`DiscordError::is_file_too_large`]).
    pub async fn post(&self, channel: ChannelId, reply: &Reply) -> Result<MessageId, DiscordError> {
        const ACTION: &str = "posting a message";
        let files = Self::files(ACTION, reply)?;
        let none = AllowedMentions::default();
        let mut request = self
            .http
            .create_message(ids::channel(channel))
            .allowed_mentions(Some(&none))
            .embeds(&reply.embeds);
        if let Some(content) = &reply.content {
            request = request.content(content);
        }
        if !reply.components.is_empty() {
            request = request.components(&reply.components);
        }
        if !files.is_empty() {
            request = request.attachments(&files);
        }
        let message = self.read(ACTION, request).await?;
        Ok(ids::message_id(message.id))
    }

    /// Replaces a message's embeds (a mod-log case whose reason changed).
    ///
    /// # Errors
    ///
    /// When Discord refuses it (the message was deleted, missing access).
    pub async fn edit_embeds(
        &self,
        channel: ChannelId,
        message: MessageId,
        embeds: &[twilight_model::channel::message::Embed],
    ) -> Result<(), DiscordError> {
        self.http
            .update_message(ids::channel(channel), ids::message(message))
            .embeds(Some(embeds))
            .await
            .map_err(self.fail("editing a message"))?;
        Ok(())
    }

    /// Sends a member a direct message; `Ok(false)` when their DMs are closed, which is common
    /// and not an error.
    ///
    /// The DM channel is opened once per member and remembered; when sending to a remembered
    /// channel fails for any other reason, it is forgotten, so the next DM opens it afresh.
    ///
    /// # Errors
    ///
    /// When Discord fails otherwise.
    pub async fn dm(&self, user: UserId, reply: &Reply) -> Result<bool, DiscordError> {
        let channel = self.dm_channel(user).await?;
        match self.send(channel, reply).await {
            Ok(()) => Ok(true),
            Err(err) if err.code() == Some(CANNOT_DM) => Ok(false),
            Err(err) => {
                self.dm_channels.remove(&user);
                Err(err)
            }
        }
    }
}
