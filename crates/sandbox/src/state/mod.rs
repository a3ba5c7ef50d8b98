//! The in-memory Discord: users, guilds, roles, members, channels, messages, interactions.
//!
//! Everything lives in one `State` behind a `std::sync::Mutex` that is never held across an
//! `.await`; the REST handlers, the gateway and the test API all change it through
//! `Shared::with`, which wakes every `wait_for` after each change.

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

use crate::time::Snowflakes;

mod model;

pub use self::model::{
    Attachment, AuditEntry, Ban, Channel, Guild, Interaction, Member, Message, Overwrite, Reaction,
    ResponseKind, Role, User, audit_action, channel_kind,
};

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
    AnswerLate(std::time::Duration),
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
/// AUTO_MODERATION_EXECUTION
pub(crate) const INTENT_AUTO_MODERATION_EXECUTION: u64 = 1 << 21;
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
        let user_id = self.bot_id();
        let entry = AuditEntry {
            id: 0,
            guild_id,
            user_id,
            target_id,
            action_type,
            reason,
        };
        self.record_audit_entry(entry, &serde_json::json!([]));
    }

    /// Appends an audit-log entry (a fresh id) and dispatches GUILD_AUDIT_LOG_ENTRY_CREATE with
    /// its `changes`, as Discord does for every entry, the bot's own included. See Discord
    /// Docs/Gateway Events ("Guild Audit Log Entry Create").
    pub(crate) fn record_audit_entry(
        &mut self,
        mut entry: AuditEntry,
        changes: &serde_json::Value,
    ) {
        entry.id = self.ids.next();
        let data = serde_json::json!({
            "id": entry.id.to_string(),
            "guild_id": entry.guild_id.to_string(),
            "user_id": entry.user_id.to_string(),
            "target_id": entry.target_id.map(|t| t.to_string()),
            "action_type": entry.action_type,
            "reason": entry.reason,
            "changes": changes,
        });
        let guild = entry.guild_id;
        self.audit_log.push(entry);
        self.dispatch(
            Some(guild),
            INTENT_GUILD_MODERATION,
            "GUILD_AUDIT_LOG_ENTRY_CREATE",
            &data,
            None,
        );
    }

    /// The sandbox's time: the system clock, moved forward by `Sandbox::advance`.
    pub(crate) fn now(&self) -> u64 {
        self.ids.now()
    }
}
