//! A member: send, edit, delete and react to messages, join and leave, and observe their state.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use twilight_model::guild::Permissions;
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, MessageMarker, UserMarker};

use crate::state::{self, Message};
use crate::{Shared, events};

/// Why Discord would not let a member send a message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendRefused {
    /// The channel does not exist.
    UnknownChannel,
    /// The user is not in the guild.
    NotAMember,
    /// The member is timed out.
    TimedOut,
    /// The member lacks VIEW_CHANNEL or SEND_MESSAGES in the channel.
    MissingPermissions,
    /// Slowmode: the member must wait this long.
    Slowmode {
        /// Time left until the member may send again.
        retry_after: Duration,
    },
}

/// A user in a guild, to act as people do.
#[derive(Clone)]
pub struct Member {
    pub(super) shared: Arc<Shared>,
    pub(super) guild_id: u64,
    pub(super) user_id: u64,
}

impl fmt::Debug for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Member")
            .field("guild_id", &self.guild_id)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

impl Member {
    /// The member's user id.
    pub fn id(&self) -> Id<UserMarker> {
        Id::new(self.user_id)
    }

    /// The member as it is now (roles, nickname, timeout); `None` when not in the guild.
    pub fn info(&self) -> Option<state::Member> {
        self.shared.read(|s| {
            s.guilds
                .get(&self.guild_id)
                .and_then(|g| g.members.get(&self.user_id).cloned())
        })
    }

    /// Messages the bot sent this user in a DM, oldest first.
    pub fn dms(&self) -> Vec<Message> {
        self.shared.read(|s| {
            let Some(dm) = s
                .channels
                .values()
                .find(|c| c.recipient_id == Some(self.user_id))
            else {
                return Vec::new();
            };
            s.messages
                .values()
                .filter(|m| m.channel_id == dm.id && !m.deleted)
                .cloned()
                .collect()
        })
    }

    /// Refuses DMs from the bot from now on (Create Message then answers 403 with 50007).
    pub fn close_dms(&self) {
        self.shared.with(|s| s.closed_dms.insert(self.user_id));
    }

    /// Whether the member is timed out now.
    pub fn is_timed_out(&self) -> bool {
        let now = self.shared.read(state::State::now);
        self.info().is_some_and(|m| m.timed_out_at(now))
    }

    /// Joins the guild (GUILD_MEMBER_ADD). Does nothing when banned or already a member.
    pub fn join(&self) {
        self.join_as(false);
    }

    /// Joins a guild with membership screening on (GUILD_MEMBER_ADD with `pending: true`):
    /// the member holds no roles the bot gives until [`Member::pass_screening`].
    pub fn join_screened(&self) {
        self.join_as(true);
    }

    /// Accepts the server's rules: `pending` becomes false (GUILD_MEMBER_UPDATE).
    pub fn pass_screening(&self) {
        self.shared.with(|s| {
            let Some(m) = s
                .guilds
                .get_mut(&self.guild_id)
                .and_then(|g| g.members.get_mut(&self.user_id))
            else {
                return;
            };
            if m.pending {
                m.pending = false;
                events::member_update(s, self.guild_id, self.user_id);
            }
        });
    }

    fn join_as(&self, pending: bool) {
        self.shared.with(|s| {
            let now = s.now();
            let Some(g) = s.guilds.get_mut(&self.guild_id) else {
                return;
            };
            if g.bans.contains_key(&self.user_id) || g.members.contains_key(&self.user_id) {
                return;
            }
            g.members.insert(
                self.user_id,
                state::Member {
                    user_id: self.user_id,
                    nick: None,
                    roles: Vec::new(),
                    joined_at_ms: now,
                    communication_disabled_until_ms: None,
                    pending,
                },
            );
            events::member_add(s, self.guild_id, self.user_id);
        });
    }

    /// Leaves the guild (GUILD_MEMBER_REMOVE).
    pub fn leave(&self) {
        self.shared.with(|s| {
            let removed = s
                .guilds
                .get_mut(&self.guild_id)
                .and_then(|g| g.members.remove(&self.user_id));
            if removed.is_some() {
                events::member_remove(s, self.guild_id, self.user_id);
            }
        });
    }

    /// Sends a message (MESSAGE_CREATE), with every mention in it allowed.
    ///
    /// # Panics
    ///
    /// When Discord would refuse it (see [`Member::try_send`]).
    pub fn send(&self, channel: Id<ChannelMarker>, content: &str) -> Id<MessageMarker> {
        self.try_send(channel, content)
            .unwrap_or_else(|refused| panic!("member {} cannot send: {refused:?}", self.user_id))
    }

    /// Sends a message as Discord's client would: refused without VIEW_CHANNEL and
    /// SEND_MESSAGES, while timed out, or faster than the channel's slowmode (unless the member
    /// has MANAGE_MESSAGES, MANAGE_CHANNELS or BYPASS_SLOWMODE).
    ///
    /// See Discord Docs/Channel Resource ("rate_limit_per_user").
    ///
    /// # Errors
    ///
    /// The [`SendRefused`] reason.
    pub fn try_send(
        &self,
        channel: Id<ChannelMarker>,
        content: &str,
    ) -> Result<Id<MessageMarker>, SendRefused> {
        let mid = self.shared.with(|s| {
            let now = s.now();
            let c = s
                .channels
                .get(&channel.get())
                .ok_or(SendRefused::UnknownChannel)?;
            let g = s
                .guilds
                .get(&c.guild_id)
                .ok_or(SendRefused::UnknownChannel)?;
            let m = g
                .members
                .get(&self.user_id)
                .ok_or(SendRefused::NotAMember)?;
            if m.timed_out_at(now) {
                return Err(SendRefused::TimedOut);
            }
            let perms = g.channel_permissions(self.user_id, c, now);
            if !perms.contains(Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES) {
                return Err(SendRefused::MissingPermissions);
            }
            let exempt = perms.intersects(
                Permissions::MANAGE_MESSAGES
                    | Permissions::MANAGE_CHANNELS
                    | Permissions::BYPASS_SLOWMODE,
            );
            if c.rate_limit_per_user > 0 && !exempt {
                let window = u64::from(c.rate_limit_per_user) * 1000;
                let last = s
                    .messages
                    .values()
                    .rev()
                    .find(|x| x.channel_id == c.id && x.author_id == self.user_id)
                    .map(|x| crate::time::snowflake_ms(x.id));
                if let Some(last) = last
                    && now < last + window
                {
                    return Err(SendRefused::Slowmode {
                        retry_after: Duration::from_millis(last + window - now),
                    });
                }
            }
            let guild_id = c.guild_id;
            let mid = s.ids.next();
            s.messages.insert(
                mid,
                Message {
                    mentions: parse_user_mentions(content),
                    ..Message::new(
                        mid,
                        channel.get(),
                        guild_id,
                        self.user_id,
                        content.to_owned(),
                    )
                },
            );
            events::message(s, mid, "MESSAGE_CREATE");
            Ok(mid)
        })?;
        Ok(Id::new(mid))
    }

    /// Edits one of the member's messages (MESSAGE_UPDATE).
    pub fn edit(&self, message: Id<MessageMarker>, content: &str) {
        self.shared.with(|s| {
            let now = s.now();
            if let Some(m) = s
                .messages
                .get_mut(&message.get())
                .filter(|m| m.author_id == self.user_id)
            {
                content.clone_into(&mut m.content);
                m.edited_ms = Some(now);
                events::message(s, message.get(), "MESSAGE_UPDATE");
            }
        });
    }

    /// Deletes one of the member's messages (MESSAGE_DELETE).
    pub fn delete(&self, message: Id<MessageMarker>) {
        self.shared.with(|s| {
            if let Some(m) = s
                .messages
                .get_mut(&message.get())
                .filter(|m| m.author_id == self.user_id)
            {
                m.deleted = true;
                let (g, c) = (m.guild_id, m.channel_id);
                events::message_delete(s, g, c, message.get());
            }
        });
    }

    /// Reacts to a message (MESSAGE_REACTION_ADD); `emoji` is `👍` or `name:id`.
    pub fn react(&self, message: Id<MessageMarker>, emoji: &str) {
        self.shared
            .with(|s| crate::routes::react(s, message.get(), self.user_id, emoji, true));
    }

    /// Removes a reaction (MESSAGE_REACTION_REMOVE).
    pub fn unreact(&self, message: Id<MessageMarker>, emoji: &str) {
        self.shared
            .with(|s| crate::routes::react(s, message.get(), self.user_id, emoji, false));
    }
}

pub(super) fn parse_user_mentions(content: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let mut rest = content;
    while let Some(start) = rest.find("<@") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('>') else { break };
        if let Ok(user) = rest[..end].trim_start_matches('!').parse::<u64>() {
            out.push(user);
        }
    }
    out
}
