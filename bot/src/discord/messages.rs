//! Channel messages and direct messages, files included.
//!
//! See Discord Docs/Message Resource ("Create Message").

use hearth_core::{ChannelId, MessageId, UserId};
use twilight_http::request::channel::reaction::RequestReactionType;
use twilight_model::{channel::message::AllowedMentions, id::Id};

use twilight_http::request::AuditLogReason;

use super::{CANNOT_DM, Discord, DiscordError, ids, reason};
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
        self.post_mentioning(channel, reply, &AllowedMentions::default())
            .await
    }

    /// As [`Discord::post`], pinging only whom `mentions` allows.
    pub(super) async fn post_mentioning(
        &self,
        channel: ChannelId,
        reply: &Reply,
        mentions: &AllowedMentions,
    ) -> Result<MessageId, DiscordError> {
        const ACTION: &str = "posting a message";
        let files = Self::files(ACTION, reply)?;
        let mut request = self
            .http
            .create_message(ids::channel(channel))
            .allowed_mentions(Some(mentions))
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

    /// Replaces a message's content, embeds and components (a role menu changed in place).
    ///
    /// # Errors
    ///
    /// When Discord refuses it (unknown message, not the bot's own).
    pub async fn edit(
        &self,
        channel: ChannelId,
        message: MessageId,
        reply: &Reply,
    ) -> Result<(), DiscordError> {
        let none = AllowedMentions::default();
        self.http
            .update_message(ids::channel(channel), ids::message(message))
            .allowed_mentions(Some(&none))
            .content(reply.content.as_deref())
            .embeds(Some(&reply.embeds))
            .components(Some(&reply.components))
            .await
            .map_err(self.fail("editing a message"))?;
        Ok(())
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

    /// Deletes a message.
    ///
    /// # Errors
    ///
    /// When Discord refuses it (404 when it is gone already).
    pub async fn delete(&self, channel: ChannelId, message: MessageId) -> Result<(), DiscordError> {
        self.http
            .delete_message(ids::channel(channel), ids::message(message))
            .await
            .map_err(self.fail("deleting a message"))?;
        Ok(())
    }

    /// Adds the bot's reaction to a message: a Unicode emoji, or a custom one by id.
    ///
    /// # Errors
    ///
    /// When Discord refuses it (unknown emoji, missing Add Reactions).
    pub async fn react(
        &self,
        channel: ChannelId,
        message: MessageId,
        emoji: &Emoji<'_>,
    ) -> Result<(), DiscordError> {
        self.http
            .create_reaction(
                ids::channel(channel),
                ids::message(message),
                &emoji.request(),
            )
            .await
            .map_err(self.fail("adding a reaction"))?;
        Ok(())
    }

    /// Removes a member's reaction from a message (needs Manage Messages).
    ///
    /// # Errors
    ///
    /// When Discord refuses it.
    pub async fn remove_reaction(
        &self,
        channel: ChannelId,
        message: MessageId,
        emoji: &Emoji<'_>,
        user: UserId,
    ) -> Result<(), DiscordError> {
        self.http
            .delete_reaction(
                ids::channel(channel),
                ids::message(message),
                &emoji.request(),
                ids::user(user),
            )
            .await
            .map_err(self.fail("removing a reaction"))?;
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

    /// Deletes a message (automod removing a hit).
    ///
    /// # Errors
    ///
    /// When Discord refuses it (missing Manage Messages); a message already gone (404) is
    /// not an error.
    pub async fn delete_message(
        &self,
        channel: ChannelId,
        message: MessageId,
        why: &str,
    ) -> Result<(), DiscordError> {
        match self
            .http
            .delete_message(ids::channel(channel), ids::message(message))
            .reason(&reason(why))
            .await
            .map_err(self.fail("deleting a message"))
        {
            Ok(_) => Ok(()),
            Err(err) if err.status() == Some(404) => Ok(()),
            Err(err) => Err(err),
        }
    }
}

/// An emoji to react with: Unicode, or a custom emoji by id (and name).
#[derive(Clone, Copy, Debug)]
pub enum Emoji<'a> {
    /// A Unicode emoji.
    Unicode(&'a str),
    /// A custom emoji.
    Custom {
        /// Its id.
        id: u64,
        /// Its name.
        name: &'a str,
    },
}

impl Emoji<'_> {
    fn request(&self) -> RequestReactionType<'_> {
        match *self {
            Self::Unicode(name) => RequestReactionType::Unicode { name },
            Self::Custom { id, name } => RequestReactionType::Custom {
                id: Id::new(id.max(1)),
                name: Some(name),
            },
        }
    }
}
