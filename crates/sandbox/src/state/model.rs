//! The model of a Discord guild as the sandbox keeps it: users, roles, members, bans,
//! channels, messages with their files and reactions, interactions, the audit log.

use std::collections::BTreeMap;

use serde_json::Value;
use twilight_model::guild::Permissions;

/// Channel type numbers used by the sandbox.
///
/// See Discord Docs/Channel Resource ("Channel Types").
pub mod channel_kind {
    /// A text channel in a guild.
    pub const GUILD_TEXT: u8 = 0;
    /// A direct message between the bot and one user.
    pub const DM: u8 = 1;
    /// A category that holds other channels.
    pub const GUILD_CATEGORY: u8 = 4;
    /// A public thread.
    pub const PUBLIC_THREAD: u8 = 11;
    /// A private thread.
    pub const PRIVATE_THREAD: u8 = 12;
}

/// A Discord user account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// The user's id.
    pub id: u64,
    /// The user's unique username.
    pub name: String,
    /// Whether this is a bot account.
    pub bot: bool,
}

/// A role in a guild.
///
/// See Discord Docs/Permissions ("Role Object").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// The role's id; the @everyone role's id equals the guild id.
    pub id: u64,
    /// The role's name.
    pub name: String,
    /// The position in the hierarchy; @everyone is 0.
    pub position: i64,
    /// The permissions the role grants.
    pub permissions: Permissions,
    /// Whether an integration (such as the bot itself) manages the role.
    pub managed: bool,
    /// The role's colour as an RGB integer.
    pub color: u32,
    /// Whether the role is shown separately in the member list.
    pub hoist: bool,
    /// Whether anyone may mention the role.
    pub mentionable: bool,
}

/// A guild member.
///
/// See Discord Docs/Guild Resource ("Guild Member Object").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The member's user id.
    pub user_id: u64,
    /// The member's nickname in the guild.
    pub nick: Option<String>,
    /// The member's roles, not including @everyone.
    pub roles: Vec<u64>,
    /// When the member joined, in Unix milliseconds.
    pub joined_at_ms: u64,
    /// Until when the member is timed out, in Unix milliseconds.
    pub communication_disabled_until_ms: Option<u64>,
    /// Whether the member has yet to pass membership screening (accept the rules).
    pub pending: bool,
}

impl Member {
    /// Whether the member is timed out at `now_ms`.
    pub fn timed_out_at(&self, now_ms: u64) -> bool {
        self.communication_disabled_until_ms
            .is_some_and(|until| until > now_ms)
    }
}

/// A ban in a guild.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ban {
    /// The banned user.
    pub user_id: u64,
    /// The decoded audit-log reason given with the ban.
    pub reason: Option<String>,
    /// The `delete_message_seconds` the ban was created with.
    pub delete_message_seconds: u64,
}

/// A permission overwrite on a channel.
///
/// See Discord Docs/Channel Resource ("Overwrite Object").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overwrite {
    /// The role or user id.
    pub id: u64,
    /// 0 for a role, 1 for a member.
    pub kind: u8,
    /// Permissions allowed.
    pub allow: Permissions,
    /// Permissions denied.
    pub deny: Permissions,
}

/// A guild channel (text channel, category or thread).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Channel {
    /// The channel's id.
    pub id: u64,
    /// The guild it belongs to.
    pub guild_id: u64,
    /// The channel's name.
    pub name: String,
    /// The channel type, see [`channel_kind`].
    pub kind: u8,
    /// The parent category (or, for a thread, the parent channel).
    pub parent_id: Option<u64>,
    /// Sorting position.
    pub position: i64,
    /// The channel topic.
    pub topic: Option<String>,
    /// Permission overwrites.
    pub overwrites: Vec<Overwrite>,
    /// Slowmode in seconds (0–21600).
    pub rate_limit_per_user: u16,
    /// Whether the channel is age-restricted.
    pub nsfw: bool,
    /// For a DM channel, the other user (then `guild_id` is 0).
    pub recipient_id: Option<u64>,
}

/// A file attached to a message, with its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// The attachment's id.
    pub id: u64,
    /// The file name.
    pub filename: String,
    /// The MIME type, when known.
    pub content_type: Option<String>,
    /// The alt text.
    pub description: Option<String>,
    /// The file's contents.
    pub bytes: Vec<u8>,
}

impl Attachment {
    /// The file's size in bytes, as Discord reports it (`size`).
    pub fn size(&self) -> usize {
        self.bytes.len()
    }
}

/// A reaction on a message: one emoji and the users who reacted with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reaction {
    /// The emoji, either a unicode string or `name:id` for a custom emoji.
    pub emoji: String,
    /// Users who reacted, in order.
    pub users: Vec<u64>,
}

/// A message.
///
/// See Discord Docs/Message Resource ("Message Object").
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// The message's id.
    pub id: u64,
    /// The channel the message is in.
    pub channel_id: u64,
    /// The guild of that channel.
    pub guild_id: u64,
    /// The author.
    pub author_id: u64,
    /// The text content.
    pub content: String,
    /// Embeds as Discord's JSON embed objects.
    pub embeds: Vec<Value>,
    /// Components as Discord's JSON component objects.
    pub components: Vec<Value>,
    /// Attachments with their bytes.
    pub attachments: Vec<Attachment>,
    /// Users mentioned and allowed to be pinged.
    pub mentions: Vec<u64>,
    /// Roles mentioned and allowed to be pinged.
    pub mention_roles: Vec<u64>,
    /// Whether @everyone/@here was mentioned and allowed.
    pub mention_everyone: bool,
    /// Message flags (64 = ephemeral).
    pub flags: u64,
    /// When last edited, in Unix milliseconds.
    pub edited_ms: Option<u64>,
    /// Reactions on the message.
    pub reactions: Vec<Reaction>,
    /// The interaction this message answers, if any.
    pub interaction_id: Option<u64>,
    /// Whether the message was deleted (kept for observation).
    pub deleted: bool,
}

impl Message {
    /// A plain text message by `author_id`: no embeds, components, attachments, mentions or
    /// flags, never edited, not an interaction's answer.
    pub fn new(id: u64, channel_id: u64, guild_id: u64, author_id: u64, content: String) -> Self {
        Self {
            id,
            channel_id,
            guild_id,
            author_id,
            content,
            embeds: Vec::new(),
            components: Vec::new(),
            attachments: Vec::new(),
            mentions: Vec::new(),
            mention_roles: Vec::new(),
            mention_everyone: false,
            flags: 0,
            edited_ms: None,
            reactions: Vec::new(),
            interaction_id: None,
            deleted: false,
        }
    }

    /// Whether only the interaction's invoker can see this message.
    pub fn is_ephemeral(&self) -> bool {
        self.flags & 64 != 0
    }
}

/// What kind of initial response an interaction got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseKind {
    /// Type 4: a message.
    Message,
    /// Type 5: "thinking", the message comes later through edit original.
    Deferred,
    /// Type 6: acknowledged a component without changing it.
    DeferredUpdate,
    /// Type 7: edited the component's message.
    UpdateMessage,
    /// Type 8: autocomplete choices.
    Autocomplete,
    /// Type 9: opened a modal.
    Modal,
}

/// An interaction that was sent to the bot, and what the bot did with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Interaction {
    /// The interaction's id.
    pub id: u64,
    /// The interaction token.
    pub token: String,
    /// The interaction type (2 command, 3 component, 4 autocomplete, 5 modal submit).
    pub kind: u8,
    /// The guild it happened in.
    pub guild_id: u64,
    /// The channel it happened in.
    pub channel_id: u64,
    /// The user who caused it.
    pub user_id: u64,
    /// When it was created, in Unix milliseconds.
    pub created_ms: u64,
    /// The initial response, once given.
    pub response: Option<ResponseKind>,
    /// The raw body of the initial response.
    pub response_body: Option<Value>,
    /// The original response message, if one exists.
    pub original_message: Option<u64>,
    /// The message a component lived on.
    pub source_message: Option<u64>,
    /// Follow-up messages, in order.
    pub followups: Vec<u64>,
    /// Whether the deferred response was ephemeral.
    pub deferred_ephemeral: bool,
    /// Delivered to the Interactions Endpoint URL, why it failed there, if it did (the member
    /// sees "This interaction failed").
    pub endpoint_failure: Option<String>,
}

/// One entry in a guild's audit log.
///
/// See Discord Docs/Audit Log Resource ("Audit Log Events").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// The entry id.
    pub id: u64,
    /// The guild.
    pub guild_id: u64,
    /// Who acted (the bot for REST calls).
    pub user_id: u64,
    /// The affected entity.
    pub target_id: Option<u64>,
    /// The audit-log event type (20 kick, 22 ban, 23 unban, 24 member update, …).
    pub action_type: u16,
    /// The percent-decoded reason from `X-Audit-Log-Reason`.
    pub reason: Option<String>,
}

/// Audit-log action types used by the sandbox.
///
/// See Discord Docs/Audit Log Resource ("Audit Log Events").
pub mod audit_action {
    /// CHANNEL_CREATE
    pub const CHANNEL_CREATE: u16 = 10;
    /// CHANNEL_UPDATE
    pub const CHANNEL_UPDATE: u16 = 11;
    /// CHANNEL_DELETE
    pub const CHANNEL_DELETE: u16 = 12;
    /// CHANNEL_OVERWRITE_UPDATE (also used for creates)
    pub const CHANNEL_OVERWRITE_UPDATE: u16 = 14;
    /// CHANNEL_OVERWRITE_DELETE
    pub const CHANNEL_OVERWRITE_DELETE: u16 = 15;
    /// MEMBER_KICK
    pub const MEMBER_KICK: u16 = 20;
    /// MEMBER_BAN_ADD
    pub const MEMBER_BAN_ADD: u16 = 22;
    /// MEMBER_BAN_REMOVE
    pub const MEMBER_BAN_REMOVE: u16 = 23;
    /// MEMBER_UPDATE (nickname, timeout)
    pub const MEMBER_UPDATE: u16 = 24;
    /// MEMBER_ROLE_UPDATE
    pub const MEMBER_ROLE_UPDATE: u16 = 25;
    /// ROLE_CREATE
    pub const ROLE_CREATE: u16 = 30;
    /// ROLE_UPDATE
    pub const ROLE_UPDATE: u16 = 31;
    /// ROLE_DELETE
    pub const ROLE_DELETE: u16 = 32;
    /// MESSAGE_DELETE
    pub const MESSAGE_DELETE: u16 = 72;
}

/// A guild.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guild {
    /// The guild's id (also the @everyone role's id).
    pub id: u64,
    /// The guild's name.
    pub name: String,
    /// The owner's user id.
    pub owner_id: u64,
    /// Roles by id.
    pub roles: BTreeMap<u64, Role>,
    /// Members by user id.
    pub members: BTreeMap<u64, Member>,
    /// Bans by user id.
    pub bans: BTreeMap<u64, Ban>,
}

impl Guild {
    /// The highest role position a user holds (0 when only @everyone).
    pub fn top_position(&self, user_id: u64) -> i64 {
        self.members.get(&user_id).map_or(0, |m| {
            m.roles
                .iter()
                .filter_map(|r| self.roles.get(r))
                .map(|r| r.position)
                .max()
                .unwrap_or(0)
        })
    }

    /// Guild-wide permissions of a user: owner and administrators get everything.
    ///
    /// See Discord Docs/Permissions ("Permission Hierarchy", "Computing Permissions").
    pub fn base_permissions(&self, user_id: u64) -> Permissions {
        if user_id == self.owner_id {
            return Permissions::all();
        }
        let Some(member) = self.members.get(&user_id) else {
            return Permissions::empty();
        };
        let mut perms = self
            .roles
            .get(&self.id)
            .map_or(Permissions::empty(), |r| r.permissions);
        for role in member.roles.iter().filter_map(|r| self.roles.get(r)) {
            perms |= role.permissions;
        }
        if perms.contains(Permissions::ADMINISTRATOR) {
            return Permissions::all();
        }
        perms
    }

    /// Permissions of a user in a channel: base permissions, then the @everyone, role and
    /// member overwrites, then the timeout restriction.
    ///
    /// See Discord Docs/Permissions ("Permission Overwrites") and Guild Resource
    /// ("communication_disabled_until": a timed-out member keeps only view and read history).
    pub fn channel_permissions(&self, user_id: u64, channel: &Channel, now_ms: u64) -> Permissions {
        let base = self.base_permissions(user_id);
        if base.contains(Permissions::ADMINISTRATOR) {
            return Permissions::all();
        }
        let mut perms = base;
        let roles = self
            .members
            .get(&user_id)
            .map(|m| m.roles.clone())
            .unwrap_or_default();
        if let Some(ow) = channel.overwrites.iter().find(|o| o.id == self.id) {
            perms.remove(ow.deny);
            perms.insert(ow.allow);
        }
        let (mut allow, mut deny) = (Permissions::empty(), Permissions::empty());
        for ow in channel
            .overwrites
            .iter()
            .filter(|o| o.kind == 0 && roles.contains(&o.id))
        {
            allow |= ow.allow;
            deny |= ow.deny;
        }
        perms.remove(deny);
        perms.insert(allow);
        if let Some(ow) = channel
            .overwrites
            .iter()
            .find(|o| o.kind == 1 && o.id == user_id)
        {
            perms.remove(ow.deny);
            perms.insert(ow.allow);
        }
        let timed_out = self
            .members
            .get(&user_id)
            .is_some_and(|m| m.timed_out_at(now_ms));
        if timed_out && user_id != self.owner_id {
            perms &= Permissions::VIEW_CHANNEL | Permissions::READ_MESSAGE_HISTORY;
        }
        if !perms.contains(Permissions::VIEW_CHANNEL) {
            return Permissions::empty();
        }
        perms
    }
}
