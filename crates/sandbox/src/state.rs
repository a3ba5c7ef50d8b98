//! The in-memory Discord: users, guilds, roles, members, channels, messages, interactions.
//!
//! Everything lives in one `State` behind a `std::sync::Mutex` that is never held across an
//! `.await`; the REST handlers, the gateway and the test API all change it through
//! `Shared::with`, which wakes every `wait_for` after each change.

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;
use twilight_model::guild::Permissions;

use crate::time::{Snowflakes, now_ms};

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

/// A gateway session, kept across connections so it can be resumed.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) shard: [u32; 2],
    pub(crate) intents: u64,
    pub(crate) seq: u64,
    /// Sent dispatches, kept for replay on RESUME.
    pub(crate) buffer: VecDeque<(u64, String)>,
    pub(crate) conn: Option<(u64, UnboundedSender<Outbound>)>,
}

/// What the gateway hub asks a connection task to do.
#[derive(Debug)]
pub(crate) enum Outbound {
    Text(String),
    Close(u16, String),
    Abort,
}

/// Dispatches kept in the sandbox-wide log.
const DISPATCH_LOG: usize = 10_000;

/// Dispatches kept per session for RESUME.
const REPLAY_BUFFER: usize = 2_000;

/// A fault injected into one REST route.
#[derive(Clone, Debug)]
pub(crate) struct RouteFault {
    pub(crate) method: String,
    pub(crate) route: String,
    pub(crate) kind: FaultKind,
    pub(crate) remaining: Option<u32>,
}

/// What a route fault does.
#[derive(Clone, Debug)]
pub(crate) enum FaultKind {
    Status(u16),
    RateLimited { retry_after: f64, global: bool },
    Delay(std::time::Duration),
}

/// One REST request the sandbox received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// When it arrived.
    pub at: Instant,
    /// The HTTP method.
    pub method: String,
    /// The path as requested, without `/api/v10`.
    pub path: String,
    /// The matched route template (as in Discord's OpenAPI description), if any.
    pub route: Option<String>,
    /// The status the sandbox answered with.
    pub status: u16,
    /// The decoded `X-Audit-Log-Reason`, if sent.
    pub reason: Option<String>,
}

/// Static configuration fixed when the sandbox starts.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) token: String,
    pub(crate) application_id: u64,
    pub(crate) bot_id: u64,
    pub(crate) shards: u32,
    pub(crate) privileged_intents: u64,
    pub(crate) heartbeat_interval_ms: u64,
    pub(crate) attachment_size_limit: u64,
    /// `ws://127.0.0.1:PORT`, also READY's `resume_gateway_url`.
    pub(crate) gateway_url: String,
    /// `http://127.0.0.1:PORT`.
    pub(crate) rest_base: String,
}

/// The whole in-memory Discord.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) ids: Snowflakes,
    pub(crate) config: Config,
    pub(crate) users: BTreeMap<u64, User>,
    pub(crate) guilds: BTreeMap<u64, Guild>,
    pub(crate) channels: BTreeMap<u64, Channel>,
    pub(crate) messages: BTreeMap<u64, Message>,
    pub(crate) interactions: BTreeMap<u64, Interaction>,
    pub(crate) global_commands: Vec<Value>,
    pub(crate) guild_commands: BTreeMap<u64, Vec<Value>>,
    pub(crate) audit_log: Vec<AuditEntry>,
    pub(crate) requests: Vec<RecordedRequest>,
    pub(crate) faults: Vec<RouteFault>,
    pub(crate) spec_violations: Vec<String>,
    pub(crate) response_violations: Vec<String>,
    pub(crate) dispatch_log: VecDeque<(String, Value)>,
    pub(crate) sessions: BTreeMap<String, Session>,
    /// Users who do not accept DMs from the bot.
    pub(crate) closed_dms: std::collections::BTreeSet<u64>,
    pub(crate) next_conn: u64,
    /// The current global rate-limit window: its start and the requests counted in it.
    pub(crate) global_window: Option<(Instant, usize)>,
    /// How many requests were refused by the global rate limit.
    pub(crate) global_rate_limited: u64,
    pub(crate) identifies: u64,
    pub(crate) resumes: u64,
    /// The Interactions Endpoint URL, when set: interactions are POSTed there through this
    /// queue instead of going over the gateway.
    pub(crate) endpoint: Option<(
        crate::endpoint::Endpoint,
        tokio::sync::mpsc::UnboundedSender<(u64, Value)>,
    )>,
}

/// Gateway intents the sandbox knows; anything else closes with 4013.
///
/// See Discord Docs/Gateway ("List of Intents").
pub(crate) const KNOWN_INTENTS: u64 = (1 << 26) - 1;
/// GUILDS
pub(crate) const INTENT_GUILDS: u64 = 1;
/// GUILD_MEMBERS (privileged)
pub(crate) const INTENT_GUILD_MEMBERS: u64 = 1 << 1;
/// GUILD_MODERATION
pub(crate) const INTENT_GUILD_MODERATION: u64 = 1 << 2;
/// GUILD_PRESENCES (privileged)
pub(crate) const INTENT_GUILD_PRESENCES: u64 = 1 << 8;
/// GUILD_MESSAGES
pub(crate) const INTENT_GUILD_MESSAGES: u64 = 1 << 9;
/// GUILD_MESSAGE_REACTIONS
pub(crate) const INTENT_GUILD_MESSAGE_REACTIONS: u64 = 1 << 10;
/// DIRECT_MESSAGES
pub(crate) const INTENT_DIRECT_MESSAGES: u64 = 1 << 12;
/// MESSAGE_CONTENT (privileged)
pub(crate) const INTENT_MESSAGE_CONTENT: u64 = 1 << 15;
/// Privileged intents.
pub(crate) const PRIVILEGED_INTENTS: u64 =
    INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT;

impl State {
    pub(crate) fn new(config: Config) -> Self {
        let mut users = BTreeMap::new();
        users.insert(
            config.bot_id,
            User {
                id: config.bot_id,
                name: "Hearth Sandbox Bot".to_owned(),
                bot: true,
            },
        );
        Self {
            ids: Snowflakes::default(),
            config,
            users,
            guilds: BTreeMap::new(),
            channels: BTreeMap::new(),
            messages: BTreeMap::new(),
            interactions: BTreeMap::new(),
            global_commands: Vec::new(),
            guild_commands: BTreeMap::new(),
            audit_log: Vec::new(),
            requests: Vec::new(),
            faults: Vec::new(),
            spec_violations: Vec::new(),
            response_violations: Vec::new(),
            dispatch_log: VecDeque::new(),
            sessions: BTreeMap::new(),
            closed_dms: std::collections::BTreeSet::new(),
            next_conn: 0,
            global_window: None,
            global_rate_limited: 0,
            identifies: 0,
            resumes: 0,
            endpoint: None,
        }
    }

    pub(crate) fn bot_id(&self) -> u64 {
        self.config.bot_id
    }

    /// The shard a guild's events go to: `(guild_id >> 22) % num_shards`.
    ///
    /// See Discord Docs/Gateway ("Sharding Formula").
    pub(crate) fn shard_for(guild_id: u64, shards: u32) -> u32 {
        u32::try_from((guild_id >> 22) % u64::from(shards.max(1))).unwrap_or(0)
    }

    /// Sends a dispatch to every session whose shard and intents cover it. `stripped` is the
    /// payload for sessions without MESSAGE_CONTENT.
    pub(crate) fn dispatch(
        &mut self,
        guild_id: Option<u64>,
        intent: u64,
        name: &str,
        data: &Value,
        stripped: Option<&Value>,
    ) {
        self.dispatch_log.push_back((name.to_owned(), data.clone()));
        if self.dispatch_log.len() > DISPATCH_LOG {
            self.dispatch_log.pop_front();
        }
        for session in self.sessions.values_mut() {
            if let Some(g) = guild_id
                && Self::shard_for(g, session.shard[1]) != session.shard[0]
            {
                continue;
            }
            if guild_id.is_none() && session.shard[0] != 0 {
                continue;
            }
            if intent != 0 && session.intents & intent == 0 {
                continue;
            }
            let payload = match stripped {
                Some(s) if session.intents & INTENT_MESSAGE_CONTENT == 0 => s,
                _ => data,
            };
            session.seq += 1;
            let text =
                serde_json::json!({"op": 0, "t": name, "s": session.seq, "d": payload}).to_string();
            session.buffer.push_back((session.seq, text.clone()));
            if session.buffer.len() > REPLAY_BUFFER {
                session.buffer.pop_front();
            }
            if let Some((_, tx)) = &session.conn {
                let _ = tx.send(Outbound::Text(text));
            }
        }
    }

    pub(crate) fn record_audit(
        &mut self,
        guild_id: u64,
        action_type: u16,
        target_id: Option<u64>,
        reason: Option<String>,
    ) {
        let id = self.ids.next();
        let user_id = self.bot_id();
        self.audit_log.push(AuditEntry {
            id,
            guild_id,
            user_id,
            target_id,
            action_type,
            reason,
        });
    }

    /// The current time. A method, so a virtual clock could replace it in one place.
    #[allow(clippy::unused_self)]
    pub(crate) fn now(&self) -> u64 {
        now_ms()
    }
}
