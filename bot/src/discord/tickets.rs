//! What tickets need from Discord: a private channel under a category, its member overwrites,
//! its history (for the transcript) and its deletion.
//!
//! See Discord Docs/Guild Resource ("Create Guild Channel") and Channel Resource ("Delete
//! Channel", "Edit Channel Permissions", "Get Channel Messages").

use hearth_core::{ChannelId, GuildId, MessageId, UserId};
use twilight_http::request::AuditLogReason;
use twilight_model::{
    channel::{
        ChannelType, Message,
        message::AllowedMentions,
        permission_overwrite::{
            PermissionOverwrite as ChannelOverwrite,
            PermissionOverwriteType as ChannelOverwriteType,
        },
    },
    guild::Permissions,
    http::permission_overwrite::{PermissionOverwrite, PermissionOverwriteType},
    id::Id,
};

use super::{Discord, DiscordError, ids, reason};
use crate::reply::Reply;

/// One permission overwrite of a new ticket channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    /// A role's or a member's id.
    pub id: u64,
    /// Whether `id` is a member (else a role).
    pub member: bool,
    /// Allowed.
    pub allow: Permissions,
    /// Denied.
    pub deny: Permissions,
}

/// The HTTP status of a rate-limited request.
const TOO_MANY_REQUESTS: u16 = 429;

/// Messages read per request (Discord's maximum).
const PAGE: u16 = 100;

fn overwrite(grant: Grant) -> PermissionOverwrite {
    PermissionOverwrite {
        allow: Some(grant.allow),
        deny: Some(grant.deny),
        id: Id::<twilight_model::id::marker::GenericMarker>::new(grant.id.max(1)),
        kind: if grant.member {
            PermissionOverwriteType::Member
        } else {
            PermissionOverwriteType::Role
        },
    }
}

impl Discord {
    /// Creates a text channel under `parent` with exactly `grants` as its overwrites.
    ///
    /// # Errors
    ///
    /// When Discord refuses it (Manage Channels missing, the category full), or a second
    /// rate limit after one retry.
    pub async fn create_ticket_channel(
        &self,
        guild: GuildId,
        parent: ChannelId,
        name: &str,
        grants: &[Grant],
        why: &str,
    ) -> Result<ChannelId, DiscordError> {
        let overwrites: Vec<ChannelOverwrite> = grants
            .iter()
            .map(|g| ChannelOverwrite {
                allow: g.allow,
                deny: g.deny,
                id: Id::new(g.id.max(1)),
                kind: if g.member {
                    ChannelOverwriteType::Member
                } else {
                    ChannelOverwriteType::Role
                },
            })
            .collect();
        let why = reason(why);
        let create = || {
            self.http
                .create_guild_channel(ids::guild(guild), name)
                .kind(ChannelType::GuildText)
                .parent_id(ids::channel(parent))
                .permission_overwrites(overwrites.as_slice())
                .reason(&why)
        };
        let channel = match self.read("creating a ticket channel", create()).await {
            // A 429 means Discord made nothing, so asking again cannot make a second channel
            // (twilight's limiter holds the retry until the bucket resets). A 5xx is not
            // retried: Discord may have made the channel before failing.
            Err(err) if err.status() == Some(TOO_MANY_REQUESTS) => {
                self.read("creating a ticket channel", create()).await?
            }
            other => other?,
        };
        Ok(ids::channel_id(channel.id))
    }

    /// Posts a message that pings `user` (and nobody else, whatever the text mentions): a
    /// queued ticket's opener called to their new channel.
    ///
    /// # Errors
    ///
    /// When Discord refuses it (unknown channel, missing access).
    pub async fn send_pinging(
        &self,
        channel: ChannelId,
        reply: &Reply,
        user: UserId,
    ) -> Result<(), DiscordError> {
        let only = AllowedMentions {
            users: vec![ids::user(user)],
            ..AllowedMentions::default()
        };
        self.post_mentioning(channel, reply, &only).await.map(drop)
    }

    /// Deletes a channel.
    ///
    /// # Errors
    ///
    /// When Discord refuses it (already gone: 404, Manage Channels missing).
    pub async fn delete_channel(&self, channel: ChannelId, why: &str) -> Result<(), DiscordError> {
        self.http
            .delete_channel(ids::channel(channel))
            .reason(&reason(why))
            .await
            .map_err(self.fail("deleting a channel"))?;
        Ok(())
    }

    /// Sets one overwrite of a channel (a member's or a role's).
    ///
    /// # Errors
    ///
    /// When Discord refuses it (Manage Roles missing, an unknown channel).
    pub async fn set_overwrite(
        &self,
        channel: ChannelId,
        grant: Grant,
        why: &str,
    ) -> Result<(), DiscordError> {
        self.http
            .update_channel_permission(ids::channel(channel), &overwrite(grant))
            .reason(&reason(why))
            .await
            .map_err(self.fail("editing a channel's permissions"))?;
        Ok(())
    }

    /// Removes a member's overwrite from a channel.
    ///
    /// # Errors
    ///
    /// When Discord refuses it.
    pub async fn remove_member_overwrite(
        &self,
        channel: ChannelId,
        user: UserId,
        why: &str,
    ) -> Result<(), DiscordError> {
        self.http
            .delete_channel_permission(ids::channel(channel))
            .member(ids::user(user))
            .reason(&reason(why))
            .await
            .map_err(self.fail("removing a channel permission"))?;
        Ok(())
    }

    /// A channel's messages, oldest first, at most `max`.
    ///
    /// # Errors
    ///
    /// When Discord refuses a page (Read Message History missing, an unknown channel).
    pub async fn history(
        &self,
        channel: ChannelId,
        max: usize,
    ) -> Result<Vec<Message>, DiscordError> {
        const ACTION: &str = "reading a channel's messages";
        let mut all: Vec<Message> = Vec::new();
        let mut before: Option<MessageId> = None;
        while all.len() < max {
            let request = self
                .http
                .channel_messages(ids::channel(channel))
                .limit(PAGE);
            let response = match before {
                Some(id) => request.before(ids::message(id)).await,
                None => request.await,
            };
            let page: Vec<Message> = response
                .map_err(self.fail(ACTION))?
                .models()
                .await
                .map_err(|e| DiscordError::body(ACTION, e))?;
            let full = page.len() == usize::from(PAGE);
            before = page.last().map(|m| ids::message_id(m.id));
            all.extend(page);
            if !full {
                break;
            }
        }
        all.truncate(max);
        all.reverse();
        Ok(all)
    }

    /// Posts `reply` in a ticket's channel, pinging `member` and nobody else (a close request
    /// for its opener: whatever else the text holds pings no one).
    ///
    /// # Errors
    ///
    /// When Discord refuses it (unknown channel, missing access).
    pub async fn post_pinging(
        &self,
        channel: ChannelId,
        reply: &Reply,
        member: UserId,
    ) -> Result<MessageId, DiscordError> {
        let only = AllowedMentions {
            users: vec![ids::user(member)],
            ..AllowedMentions::default()
        };
        let mut request = self
            .http
            .create_message(ids::channel(channel))
            .allowed_mentions(Some(&only))
            .components(&reply.components);
        if let Some(content) = &reply.content {
            request = request.content(content);
        }
        let message = self.read("posting a close request", request).await?;
        Ok(ids::message_id(message.id))
    }
}
