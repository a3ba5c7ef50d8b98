//! The REST routes the sandbox serves and Discord's rules for each.
//!
//! Each route's method and path template are exactly as in Discord's OpenAPI description
//! (`spec_conformance` in the tests walks this table against it). A handler runs with the
//! state locked and returns a reply or a Discord error; it never waits.

// Every handler has the same signature so the table can hold it, even those that cannot fail.
#![allow(clippy::unnecessary_wraps)]

use serde_json::{Value, json};
use twilight_model::guild::Permissions;

use crate::events;
use crate::payload::{self, id};
use crate::rest::{ApiError, File, Reply, Req};
use crate::state::{
    Attachment, Ban, Channel, Guild, INTENT_GUILD_MEMBERS, Member, Message, Overwrite, Reaction,
    ResponseKind, Role, State, audit_action, channel_kind,
};

type Handler = fn(&mut State, &Req) -> Result<Reply, ApiError>;

/// One REST route: method, path template (below `/api/v10`), whether it needs the bot token.
#[derive(Debug)]
pub(crate) struct Route {
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) auth: bool,
    pub(crate) handler: Handler,
}

const fn bot(method: &'static str, path: &'static str, handler: Handler) -> Route {
    Route {
        method,
        path,
        auth: true,
        handler,
    }
}

const fn open(method: &'static str, path: &'static str, handler: Handler) -> Route {
    Route {
        method,
        path,
        auth: false,
        handler,
    }
}

/// Every route the sandbox serves.
pub(crate) static ROUTES: &[Route] = &[
    bot("GET", "/gateway/bot", gateway_bot),
    open("GET", "/gateway", gateway),
    bot("GET", "/users/@me", current_user),
    bot("GET", "/users/{user_id}", get_user),
    bot("POST", "/users/@me/channels", create_dm),
    bot("GET", "/applications/@me", current_application),
    bot("GET", "/guilds/{guild_id}", get_guild),
    bot("GET", "/guilds/{guild_id}/roles", list_roles),
    bot("POST", "/guilds/{guild_id}/roles", create_role),
    bot("PATCH", "/guilds/{guild_id}/roles/{role_id}", update_role),
    bot("DELETE", "/guilds/{guild_id}/roles/{role_id}", delete_role),
    bot("GET", "/guilds/{guild_id}/members", list_members),
    bot("GET", "/guilds/{guild_id}/members/{user_id}", get_member),
    bot(
        "PATCH",
        "/guilds/{guild_id}/members/{user_id}",
        update_member,
    ),
    bot(
        "DELETE",
        "/guilds/{guild_id}/members/{user_id}",
        kick_member,
    ),
    bot(
        "PUT",
        "/guilds/{guild_id}/members/{user_id}/roles/{role_id}",
        add_member_role,
    ),
    bot(
        "DELETE",
        "/guilds/{guild_id}/members/{user_id}/roles/{role_id}",
        remove_member_role,
    ),
    bot("GET", "/guilds/{guild_id}/bans", list_bans),
    bot("GET", "/guilds/{guild_id}/bans/{user_id}", get_ban),
    bot("PUT", "/guilds/{guild_id}/bans/{user_id}", create_ban),
    bot("DELETE", "/guilds/{guild_id}/bans/{user_id}", delete_ban),
    bot("GET", "/guilds/{guild_id}/audit-logs", audit_log),
    bot("GET", "/guilds/{guild_id}/channels", list_channels),
    bot("POST", "/guilds/{guild_id}/channels", create_channel),
    bot("GET", "/channels/{channel_id}", get_channel),
    bot("PATCH", "/channels/{channel_id}", update_channel),
    bot("DELETE", "/channels/{channel_id}", delete_channel),
    bot(
        "PUT",
        "/channels/{channel_id}/permissions/{overwrite_id}",
        put_overwrite,
    ),
    bot(
        "DELETE",
        "/channels/{channel_id}/permissions/{overwrite_id}",
        delete_overwrite,
    ),
    bot("GET", "/channels/{channel_id}/messages", list_messages),
    bot("POST", "/channels/{channel_id}/messages", create_message),
    bot(
        "GET",
        "/channels/{channel_id}/messages/{message_id}",
        get_message,
    ),
    bot(
        "PATCH",
        "/channels/{channel_id}/messages/{message_id}",
        edit_message,
    ),
    bot(
        "DELETE",
        "/channels/{channel_id}/messages/{message_id}",
        delete_message,
    ),
    bot(
        "POST",
        "/channels/{channel_id}/messages/bulk-delete",
        bulk_delete,
    ),
    bot(
        "PUT",
        "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me",
        add_reaction,
    ),
    bot(
        "GET",
        "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}",
        list_reactions,
    ),
    bot(
        "DELETE",
        "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me",
        remove_own_reaction,
    ),
    bot(
        "DELETE",
        "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/{user_id}",
        remove_user_reaction,
    ),
    open(
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
        interaction_callback,
    ),
    open(
        "POST",
        "/webhooks/{webhook_id}/{webhook_token}",
        create_followup,
    ),
    open(
        "GET",
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
        get_original,
    ),
    open(
        "PATCH",
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
        edit_original,
    ),
    open(
        "DELETE",
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
        delete_original,
    ),
    open(
        "GET",
        "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
        get_followup,
    ),
    open(
        "PATCH",
        "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
        edit_followup,
    ),
    open(
        "DELETE",
        "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
        delete_followup,
    ),
    bot(
        "GET",
        "/applications/{application_id}/commands",
        get_global_commands,
    ),
    bot(
        "PUT",
        "/applications/{application_id}/commands",
        set_global_commands,
    ),
    bot(
        "GET",
        "/applications/{application_id}/guilds/{guild_id}/commands",
        get_guild_commands,
    ),
    bot(
        "PUT",
        "/applications/{application_id}/guilds/{guild_id}/commands",
        set_guild_commands,
    ),
];

type Res = Result<Reply, ApiError>;

/// Limits Discord enforces, with the documentation page each comes from.
pub mod limits {
    /// Message content, in characters. See Discord Docs/Message Resource ("Create Message").
    /// The OpenAPI description says 4000; the documentation (and Discord) say 2000.
    pub const MESSAGE_CONTENT: usize = 2000;
    /// Embeds per message.
    pub const EMBEDS: usize = 10;
    /// Total characters across a message's embeds. See Discord Docs/Message Resource ("Embed Limits").
    pub const EMBED_TOTAL: usize = 6000;
    /// Embed title.
    pub const EMBED_TITLE: usize = 256;
    /// Embed description.
    pub const EMBED_DESCRIPTION: usize = 4096;
    /// Embed fields.
    pub const EMBED_FIELDS: usize = 25;
    /// Embed field name.
    pub const EMBED_FIELD_NAME: usize = 256;
    /// Embed field value.
    pub const EMBED_FIELD_VALUE: usize = 1024;
    /// Embed footer text.
    pub const EMBED_FOOTER: usize = 2048;
    /// Embed author name.
    pub const EMBED_AUTHOR: usize = 256;
    /// How far ahead a timeout may end: 28 days. See Discord Docs/Guild Resource ("Modify Guild Member").
    pub const TIMEOUT_MAX_MS: u64 = 28 * 86_400 * 1000;
    /// `delete_message_seconds` of a ban. See Discord Docs/Guild Resource ("Create Guild Ban").
    pub const BAN_DELETE_SECONDS_MAX: u64 = 604_800;
    /// Slowmode. See Discord Docs/Channel Resource ("Modify Channel").
    pub const RATE_LIMIT_PER_USER_MAX: u64 = 21_600;
    /// Deadline of an interaction's initial response. See Discord Docs/Interactions/Receiving and Responding.
    pub const INTERACTION_RESPONSE_MS: u64 = 3_000;
    /// How long an interaction token is valid for edits and follow-ups.
    pub const INTERACTION_TOKEN_MS: u64 = 15 * 60 * 1000;
    /// Guild or global commands per application.
    pub const COMMANDS: usize = 100;
}

// ---------------------------------------------------------------------------------------------
// Lookups and rules shared by the handlers.

fn guild(s: &State, guild_id: u64) -> Result<&Guild, ApiError> {
    s.guilds
        .get(&guild_id)
        .ok_or_else(|| ApiError::unknown(10004, "Guild"))
}

fn channel(s: &State, channel_id: u64) -> Result<&Channel, ApiError> {
    s.channels
        .get(&channel_id)
        .ok_or_else(|| ApiError::unknown(10003, "Channel"))
}

fn member<'a>(s: &State, g: &'a Guild, user_id: u64) -> Result<&'a Member, ApiError> {
    g.members.get(&user_id).ok_or_else(|| {
        if s.users.contains_key(&user_id) {
            ApiError::unknown(10007, "Member")
        } else {
            ApiError::unknown(10013, "User")
        }
    })
}

fn message(s: &State, channel_id: u64, message_id: u64) -> Result<&Message, ApiError> {
    s.messages
        .get(&message_id)
        .filter(|m| m.channel_id == channel_id && !m.deleted)
        .ok_or_else(|| ApiError::unknown(10008, "Message"))
}

/// The bot's guild-wide permissions must include `perms`.
fn need(s: &State, g: &Guild, perms: Permissions) -> Result<(), ApiError> {
    if g.base_permissions(s.bot_id()).contains(perms) {
        Ok(())
    } else {
        Err(ApiError::missing_permissions())
    }
}

/// The bot's permissions in a channel must include `perms`; without VIEW_CHANNEL it is
/// "Missing Access" (50001), as Discord answers.
fn need_in(s: &State, c: &Channel, perms: Permissions) -> Result<(), ApiError> {
    if c.recipient_id.is_some() {
        // In a DM only message actions exist. See Discord Docs/Topics/Opcodes and Status Codes (50003).
        let dm_actions = Permissions::VIEW_CHANNEL
            | Permissions::SEND_MESSAGES
            | Permissions::READ_MESSAGE_HISTORY
            | Permissions::ATTACH_FILES
            | Permissions::EMBED_LINKS
            | Permissions::ADD_REACTIONS;
        return if dm_actions.contains(perms) {
            Ok(())
        } else {
            Err(ApiError::new(
                403,
                50003,
                "Cannot execute action on a DM channel",
            ))
        };
    }
    let g = guild(s, c.guild_id)?;
    let have = g.channel_permissions(s.bot_id(), c, s.now());
    if !have.contains(Permissions::VIEW_CHANNEL) {
        return Err(ApiError::missing_access());
    }
    if have.contains(perms) {
        Ok(())
    } else {
        Err(ApiError::missing_permissions())
    }
}

/// Whether the bot may act on `target`: the owner is untouchable, the bot's highest role must
/// be strictly above the target's (unless the bot owns the guild).
///
/// See Discord Docs/Permissions ("Permission Hierarchy").
fn outranks(s: &State, g: &Guild, target: u64) -> Result<(), ApiError> {
    let bot = s.bot_id();
    if bot == g.owner_id {
        return Ok(());
    }
    if target == g.owner_id || g.top_position(bot) <= g.top_position(target) {
        return Err(ApiError::missing_permissions());
    }
    Ok(())
}

/// Whether the bot may grant, remove or edit a role: it must sit below the bot's highest role
/// and not be managed by an integration.
fn can_manage_role(s: &State, g: &Guild, role_id: u64) -> Result<(), ApiError> {
    let role = g
        .roles
        .get(&role_id)
        .ok_or_else(|| ApiError::unknown(10011, "Role"))?;
    let bot = s.bot_id();
    if role.managed || role_id == g.id {
        return Err(ApiError::missing_permissions());
    }
    if bot != g.owner_id && role.position >= g.top_position(bot) {
        return Err(ApiError::missing_permissions());
    }
    Ok(())
}

fn perms_of(value: Option<&Value>) -> Permissions {
    let bits = match value {
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        _ => 0,
    };
    Permissions::from_bits_truncate(bits)
}

fn snowflake(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

fn u64_of(value: Option<&Value>) -> Option<u64> {
    value.and_then(Value::as_u64)
}

fn chars(value: Option<&Value>) -> usize {
    value
        .and_then(Value::as_str)
        .map_or(0, |s| s.chars().count())
}

fn too_long(field: &str, max: usize) -> ApiError {
    ApiError::field(
        field,
        "BASE_TYPE_MAX_LENGTH",
        &format!("Must be {max} or fewer in length."),
    )
}

// ---------------------------------------------------------------------------------------------
// Gateway, users, application.

fn gateway_bot(s: &mut State, _: &Req) -> Res {
    Ok(Reply::Json(json!({
        "url": s.config.gateway_url,
        "shards": s.config.shards,
        "session_start_limit": {
            "total": 1000,
            "remaining": 1000u64.saturating_sub(s.identifies),
            "reset_after": 86_400_000,
            "max_concurrency": 1,
        },
    })))
}

fn gateway(s: &mut State, _: &Req) -> Res {
    Ok(Reply::Json(json!({"url": s.config.gateway_url})))
}

fn current_user(s: &mut State, _: &Req) -> Res {
    Ok(Reply::Json(payload::current_user(s)))
}

fn get_user(s: &mut State, r: &Req) -> Res {
    let user = s
        .users
        .get(&r.id("user_id")?)
        .ok_or_else(|| ApiError::unknown(10013, "User"))?;
    Ok(Reply::Json(payload::user(user)))
}

/// Create DM: one channel per recipient, reused.
///
/// See Discord Docs/User Resource ("Create DM").
fn create_dm(s: &mut State, r: &Req) -> Res {
    let user = snowflake(r.field("recipient_id")).ok_or_else(|| {
        ApiError::field(
            "recipient_id",
            "BASE_TYPE_REQUIRED",
            "This field is required",
        )
    })?;
    if !s.users.contains_key(&user) {
        return Err(ApiError::unknown(10013, "User"));
    }
    let existing = s
        .channels
        .values()
        .find(|c| c.recipient_id == Some(user))
        .map(|c| c.id);
    let cid = existing.unwrap_or_else(|| {
        let cid = s.ids.next();
        s.channels.insert(
            cid,
            Channel {
                id: cid,
                guild_id: 0,
                name: String::new(),
                kind: channel_kind::DM,
                parent_id: None,
                position: 0,
                topic: None,
                overwrites: Vec::new(),
                rate_limit_per_user: 0,
                nsfw: false,
                recipient_id: Some(user),
            },
        );
        cid
    });
    Ok(Reply::Json(payload::dm_channel(s, &s.channels[&cid])))
}

fn current_application(s: &mut State, _: &Req) -> Res {
    Ok(Reply::Json(payload::application(s)))
}

// ---------------------------------------------------------------------------------------------
// Guilds and roles.

fn get_guild(s: &mut State, r: &Req) -> Res {
    let g = guild(s, r.id("guild_id")?)?;
    let mut value = payload::guild_base(s, g);
    if r.query.get("with_counts").is_some_and(|v| v == "true") {
        value["approximate_member_count"] = json!(g.members.len());
        value["approximate_presence_count"] = json!(0);
    }
    Ok(Reply::Json(value))
}

fn list_roles(s: &mut State, r: &Req) -> Res {
    let g = guild(s, r.id("guild_id")?)?;
    let bot = s.bot_id();
    Ok(Reply::Json(json!(
        g.roles
            .values()
            .map(|role| payload::role(role, Some(bot)))
            .collect::<Vec<_>>()
    )))
}

/// Create Guild Role: MANAGE_ROLES; a bot can grant only permissions it has.
/// The new role goes to position 1, just above @everyone.
fn create_role(s: &mut State, r: &Req) -> Res {
    let gid = r.id("guild_id")?;
    let g = guild(s, gid)?;
    need(s, g, Permissions::MANAGE_ROLES)?;
    let perms = r
        .field("permissions")
        .map_or(g.roles[&gid].permissions, |v| perms_of(Some(v)));
    if !g.base_permissions(s.bot_id()).contains(perms) {
        return Err(ApiError::missing_permissions());
    }
    let role_id = s.ids.next();
    let role = Role {
        id: role_id,
        name: r
            .field("name")
            .and_then(Value::as_str)
            .unwrap_or("new role")
            .to_owned(),
        position: 1,
        permissions: perms,
        managed: false,
        color: u64_of(r.field("color"))
            .and_then(|c| u32::try_from(c).ok())
            .unwrap_or(0),
        hoist: r.field("hoist").and_then(Value::as_bool).unwrap_or(false),
        mentionable: r
            .field("mentionable")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    let g = s.guilds.get_mut(&gid).expect("checked");
    for other in g.roles.values_mut().filter(|x| x.id != gid) {
        other.position += 1;
    }
    g.roles.insert(role_id, role);
    s.record_audit(
        gid,
        audit_action::ROLE_CREATE,
        Some(role_id),
        r.reason.clone(),
    );
    events::role(s, gid, role_id, "GUILD_ROLE_CREATE");
    let value = payload::role(&s.guilds[&gid].roles[&role_id], Some(s.bot_id()));
    Ok(Reply::Json(value))
}

fn update_role(s: &mut State, r: &Req) -> Res {
    let (gid, rid) = (r.id("guild_id")?, r.id("role_id")?);
    let g = guild(s, gid)?;
    need(s, g, Permissions::MANAGE_ROLES)?;
    if !g.roles.contains_key(&rid) {
        return Err(ApiError::unknown(10011, "Role"));
    }
    if rid != gid {
        can_manage_role(s, g, rid)?;
    }
    if let Some(p) = r.field("permissions")
        && !g.base_permissions(s.bot_id()).contains(perms_of(Some(p)))
    {
        return Err(ApiError::missing_permissions());
    }
    let role = s
        .guilds
        .get_mut(&gid)
        .and_then(|g| g.roles.get_mut(&rid))
        .expect("checked");
    if let Some(name) = r.field("name").and_then(Value::as_str) {
        name.clone_into(&mut role.name);
    }
    if let Some(p) = r.field("permissions") {
        role.permissions = perms_of(Some(p));
    }
    if let Some(c) = u64_of(r.field("color")).and_then(|c| u32::try_from(c).ok()) {
        role.color = c;
    }
    if let Some(h) = r.field("hoist").and_then(Value::as_bool) {
        role.hoist = h;
    }
    if let Some(m) = r.field("mentionable").and_then(Value::as_bool) {
        role.mentionable = m;
    }
    s.record_audit(gid, audit_action::ROLE_UPDATE, Some(rid), r.reason.clone());
    events::role(s, gid, rid, "GUILD_ROLE_UPDATE");
    Ok(Reply::Json(payload::role(
        &s.guilds[&gid].roles[&rid],
        Some(s.bot_id()),
    )))
}

fn delete_role(s: &mut State, r: &Req) -> Res {
    let (gid, rid) = (r.id("guild_id")?, r.id("role_id")?);
    let g = guild(s, gid)?;
    need(s, g, Permissions::MANAGE_ROLES)?;
    can_manage_role(s, g, rid)?;
    let g = s.guilds.get_mut(&gid).expect("checked");
    g.roles.remove(&rid);
    for m in g.members.values_mut() {
        m.roles.retain(|x| *x != rid);
    }
    s.record_audit(gid, audit_action::ROLE_DELETE, Some(rid), r.reason.clone());
    events::role(s, gid, rid, "GUILD_ROLE_DELETE");
    Ok(Reply::Empty)
}

// ---------------------------------------------------------------------------------------------
// Members, timeouts, kicks, bans.

/// List Guild Members needs the GUILD_MEMBERS privileged intent enabled for the application.
fn list_members(s: &mut State, r: &Req) -> Res {
    let g = guild(s, r.id("guild_id")?)?;
    if s.config.privileged_intents & INTENT_GUILD_MEMBERS == 0 {
        return Err(ApiError::missing_access());
    }
    let limit = r
        .query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(1usize);
    let after = r
        .query
        .get("after")
        .and_then(|a| a.parse().ok())
        .unwrap_or(0u64);
    let list: Vec<Value> = g
        .members
        .values()
        .filter(|m| m.user_id > after)
        .take(limit)
        .map(|m| payload::member(s, m, true))
        .collect();
    Ok(Reply::Json(json!(list)))
}

fn get_member(s: &mut State, r: &Req) -> Res {
    let g = guild(s, r.id("guild_id")?)?;
    let m = member(s, g, r.id("user_id")?)?;
    Ok(Reply::Json(payload::member(s, m, true)))
}

/// Modify Guild Member: nickname (MANAGE_NICKNAMES + hierarchy), roles (MANAGE_ROLES, each
/// changed role below the bot's highest), timeout (MODERATE_MEMBERS + hierarchy, never an
/// administrator or the owner, at most 28 days ahead).
///
/// See Discord Docs/Guild Resource ("Modify Guild Member").
fn update_member(s: &mut State, r: &Req) -> Res {
    let (gid, uid) = (r.id("guild_id")?, r.id("user_id")?);
    let g = guild(s, gid)?;
    let current = member(s, g, uid)?.clone();
    let bot = s.bot_id();
    let now = s.now();
    let mut updated = current.clone();
    let mut action = audit_action::MEMBER_UPDATE;
    if let Some(nick) = r.json.get("nick") {
        if uid == bot {
            need(s, g, Permissions::CHANGE_NICKNAME)?;
        } else {
            need(s, g, Permissions::MANAGE_NICKNAMES)?;
            outranks(s, g, uid)?;
        }
        updated.nick = nick.as_str().filter(|n| !n.is_empty()).map(str::to_owned);
    }
    if let Some(roles) = r.field("roles").and_then(Value::as_array) {
        need(s, g, Permissions::MANAGE_ROLES)?;
        let wanted: Vec<u64> = roles.iter().filter_map(|v| snowflake(Some(v))).collect();
        for role in wanted
            .iter()
            .filter(|x| !current.roles.contains(x))
            .chain(current.roles.iter().filter(|x| !wanted.contains(x)))
        {
            if !g.roles.contains_key(role) {
                return Err(ApiError::field(
                    "roles",
                    "BASE_TYPE_CHOICES",
                    &format!("Value \"{role}\" is not a valid role."),
                ));
            }
            can_manage_role(s, g, *role)?;
        }
        updated.roles = wanted;
        action = audit_action::MEMBER_ROLE_UPDATE;
    }
    if let Some(until) = r.json.get("communication_disabled_until") {
        need(s, g, Permissions::MODERATE_MEMBERS)?;
        outranks(s, g, uid)?;
        match until.as_str() {
            None => updated.communication_disabled_until_ms = None,
            Some(text) => {
                let Some(ms) = crate::time::parse_iso8601(text) else {
                    return Err(ApiError::field(
                        "communication_disabled_until",
                        "DATE_TIME_TYPE_PARSE",
                        &format!("Could not parse {text}. Should be ISO8601."),
                    ));
                };
                // A little slack: the client computed "now + 28 days" a moment ago.
                if ms > now + limits::TIMEOUT_MAX_MS + 10_000 {
                    return Err(ApiError::field(
                        "communication_disabled_until",
                        "BASE_TYPE_BAD_TIME",
                        "Cannot time out a member for more than 28 days.",
                    ));
                }
                if ms > now && g.base_permissions(uid).contains(Permissions::ADMINISTRATOR) {
                    return Err(ApiError::missing_permissions());
                }
                updated.communication_disabled_until_ms = (ms > now).then_some(ms);
            }
        }
    }
    s.guilds
        .get_mut(&gid)
        .expect("checked")
        .members
        .insert(uid, updated);
    s.record_audit(gid, action, Some(uid), r.reason.clone());
    events::member_update(s, gid, uid);
    let m = &s.guilds[&gid].members[&uid];
    Ok(Reply::Json(payload::member(s, m, true)))
}

fn kick_member(s: &mut State, r: &Req) -> Res {
    let (gid, uid) = (r.id("guild_id")?, r.id("user_id")?);
    let g = guild(s, gid)?;
    member(s, g, uid)?;
    need(s, g, Permissions::KICK_MEMBERS)?;
    outranks(s, g, uid)?;
    s.guilds
        .get_mut(&gid)
        .expect("checked")
        .members
        .remove(&uid);
    s.record_audit(gid, audit_action::MEMBER_KICK, Some(uid), r.reason.clone());
    events::member_remove(s, gid, uid);
    Ok(Reply::Empty)
}

fn role_change(s: &mut State, r: &Req, add: bool) -> Res {
    let (gid, uid, rid) = (r.id("guild_id")?, r.id("user_id")?, r.id("role_id")?);
    let g = guild(s, gid)?;
    member(s, g, uid)?;
    need(s, g, Permissions::MANAGE_ROLES)?;
    can_manage_role(s, g, rid)?;
    let m = s
        .guilds
        .get_mut(&gid)
        .and_then(|g| g.members.get_mut(&uid))
        .expect("checked");
    let had = m.roles.contains(&rid);
    if add && !had {
        m.roles.push(rid);
    } else if !add && had {
        m.roles.retain(|x| *x != rid);
    }
    if add != had {
        s.record_audit(
            gid,
            audit_action::MEMBER_ROLE_UPDATE,
            Some(uid),
            r.reason.clone(),
        );
        events::member_update(s, gid, uid);
    }
    Ok(Reply::Empty)
}

fn add_member_role(s: &mut State, r: &Req) -> Res {
    role_change(s, r, true)
}

fn remove_member_role(s: &mut State, r: &Req) -> Res {
    role_change(s, r, false)
}

fn ban_json(s: &State, b: &Ban) -> Value {
    json!({"reason": b.reason, "user": payload::user_by_id(s, b.user_id)})
}

fn list_bans(s: &mut State, r: &Req) -> Res {
    let g = guild(s, r.id("guild_id")?)?;
    need(s, g, Permissions::BAN_MEMBERS)?;
    Ok(Reply::Json(json!(
        g.bans.values().map(|b| ban_json(s, b)).collect::<Vec<_>>()
    )))
}

fn get_ban(s: &mut State, r: &Req) -> Res {
    let g = guild(s, r.id("guild_id")?)?;
    need(s, g, Permissions::BAN_MEMBERS)?;
    let b = g
        .bans
        .get(&r.id("user_id")?)
        .ok_or_else(|| ApiError::unknown(10026, "Ban"))?;
    Ok(Reply::Json(ban_json(s, b)))
}

/// Create Guild Ban: BAN_MEMBERS, hierarchy when the user is a member, deletes their messages
/// of the last `delete_message_seconds`.
///
/// See Discord Docs/Guild Resource ("Create Guild Ban").
fn create_ban(s: &mut State, r: &Req) -> Res {
    let (gid, uid) = (r.id("guild_id")?, r.id("user_id")?);
    let g = guild(s, gid)?;
    if !s.users.contains_key(&uid) {
        return Err(ApiError::unknown(10013, "User"));
    }
    need(s, g, Permissions::BAN_MEMBERS)?;
    if g.members.contains_key(&uid) || uid == g.owner_id {
        outranks(s, g, uid)?;
    }
    let seconds = u64_of(r.field("delete_message_seconds")).unwrap_or(0);
    if seconds > limits::BAN_DELETE_SECONDS_MAX {
        return Err(ApiError::field(
            "delete_message_seconds",
            "NUMBER_TYPE_MAX",
            "int value should be less than or equal to 604800.",
        ));
    }
    let was_member = g.members.contains_key(&uid);
    let g = s.guilds.get_mut(&gid).expect("checked");
    g.members.remove(&uid);
    g.bans.insert(
        uid,
        Ban {
            user_id: uid,
            reason: r.reason.clone(),
            delete_message_seconds: seconds,
        },
    );
    let since = s.now().saturating_sub(seconds * 1000);
    let doomed: Vec<(u64, u64)> = s
        .messages
        .values()
        .filter(|m| m.guild_id == gid && m.author_id == uid && !m.deleted)
        .filter(|m| seconds > 0 && crate::time::snowflake_ms(m.id) >= since)
        .map(|m| (m.channel_id, m.id))
        .collect();
    for (cid, mid) in doomed {
        if let Some(m) = s.messages.get_mut(&mid) {
            m.deleted = true;
        }
        events::message_delete(s, gid, cid, mid);
    }
    s.record_audit(
        gid,
        audit_action::MEMBER_BAN_ADD,
        Some(uid),
        r.reason.clone(),
    );
    if was_member {
        events::member_remove(s, gid, uid);
    }
    events::ban(s, gid, uid, true);
    Ok(Reply::Empty)
}

fn delete_ban(s: &mut State, r: &Req) -> Res {
    let (gid, uid) = (r.id("guild_id")?, r.id("user_id")?);
    let g = guild(s, gid)?;
    need(s, g, Permissions::BAN_MEMBERS)?;
    if !g.bans.contains_key(&uid) {
        return Err(ApiError::unknown(10026, "Ban"));
    }
    s.guilds.get_mut(&gid).expect("checked").bans.remove(&uid);
    s.record_audit(
        gid,
        audit_action::MEMBER_BAN_REMOVE,
        Some(uid),
        r.reason.clone(),
    );
    events::ban(s, gid, uid, false);
    Ok(Reply::Empty)
}

fn audit_log(s: &mut State, r: &Req) -> Res {
    let gid = r.id("guild_id")?;
    let g = guild(s, gid)?;
    need(s, g, Permissions::VIEW_AUDIT_LOG)?;
    let kind = r
        .query
        .get("action_type")
        .and_then(|a| a.parse::<u16>().ok());
    let entries: Vec<Value> = s
        .audit_log
        .iter()
        .rev()
        .filter(|e| e.guild_id == gid && kind.is_none_or(|k| k == e.action_type))
        .map(|e| {
            json!({
                "id": id(e.id),
                "user_id": id(e.user_id),
                "target_id": e.target_id.map(|t| t.to_string()),
                "action_type": e.action_type,
                "reason": e.reason,
                "changes": [],
            })
        })
        .collect();
    Ok(Reply::Json(json!({
        "audit_log_entries": entries,
        "users": [payload::user_by_id(s, s.bot_id())],
        "integrations": [],
        "webhooks": [],
        "guild_scheduled_events": [],
        "threads": [],
        "application_commands": [],
        "auto_moderation_rules": [],
    })))
}

// ---------------------------------------------------------------------------------------------
// Channels and overwrites.

fn list_channels(s: &mut State, r: &Req) -> Res {
    let gid = r.id("guild_id")?;
    guild(s, gid)?;
    Ok(Reply::Json(json!(
        s.channels
            .values()
            .filter(|c| c.guild_id == gid)
            .map(payload::channel)
            .collect::<Vec<_>>()
    )))
}

fn overwrites_of(value: Option<&Value>) -> Vec<Overwrite> {
    value
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|o| {
                    Some(Overwrite {
                        id: snowflake(o.get("id"))?,
                        kind: u8::try_from(u64_of(o.get("type")).unwrap_or(0)).unwrap_or(0),
                        allow: perms_of(o.get("allow")),
                        deny: perms_of(o.get("deny")),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A bot may only allow or deny permissions it has itself (administrators excepted).
///
/// See Discord Docs/Channel Resource ("Edit Channel Permissions").
fn check_overwrites(s: &State, g: &Guild, overwrites: &[Overwrite]) -> Result<(), ApiError> {
    let have = g.base_permissions(s.bot_id());
    for o in overwrites {
        if !have.contains(o.allow | o.deny) {
            return Err(ApiError::missing_permissions());
        }
        if o.kind == 0 && !g.roles.contains_key(&o.id) {
            return Err(ApiError::unknown(10011, "Role"));
        }
    }
    Ok(())
}

fn check_slowmode(value: Option<&Value>) -> Result<Option<u16>, ApiError> {
    match value {
        None => Ok(None),
        Some(v) => {
            let n = v.as_u64().unwrap_or(u64::MAX);
            if n > limits::RATE_LIMIT_PER_USER_MAX {
                return Err(ApiError::field(
                    "rate_limit_per_user",
                    "NUMBER_TYPE_MAX",
                    "int value should be less than or equal to 21600.",
                ));
            }
            Ok(u16::try_from(n).ok())
        }
    }
}

fn create_channel(s: &mut State, r: &Req) -> Res {
    let gid = r.id("guild_id")?;
    let g = guild(s, gid)?;
    need(s, g, Permissions::MANAGE_CHANNELS)?;
    let overwrites = overwrites_of(r.field("permission_overwrites"));
    check_overwrites(s, g, &overwrites)?;
    let kind = u8::try_from(u64_of(r.field("type")).unwrap_or(0)).unwrap_or(0);
    let parent_id = snowflake(r.field("parent_id"));
    if let Some(p) = parent_id
        && s.channels
            .get(&p)
            .is_none_or(|c| c.kind != channel_kind::GUILD_CATEGORY)
    {
        return Err(ApiError::field(
            "parent_id",
            "CHANNEL_PARENT_INVALID_TYPE",
            "Not a category",
        ));
    }
    let rate = check_slowmode(r.field("rate_limit_per_user"))?.unwrap_or(0);
    let cid = s.ids.next();
    let position = s.channels.values().filter(|c| c.guild_id == gid).count();
    s.channels.insert(
        cid,
        Channel {
            id: cid,
            guild_id: gid,
            name: r
                .field("name")
                .and_then(Value::as_str)
                .unwrap_or("channel")
                .to_owned(),
            kind,
            parent_id,
            position: i64::try_from(position).unwrap_or(0),
            topic: r.field("topic").and_then(Value::as_str).map(str::to_owned),
            overwrites,
            rate_limit_per_user: rate,
            nsfw: r.field("nsfw").and_then(Value::as_bool).unwrap_or(false),
            recipient_id: None,
        },
    );
    s.record_audit(
        gid,
        audit_action::CHANNEL_CREATE,
        Some(cid),
        r.reason.clone(),
    );
    events::channel(s, cid, "CHANNEL_CREATE");
    Ok(Reply::Json(payload::channel(&s.channels[&cid])))
}

fn get_channel(s: &mut State, r: &Req) -> Res {
    let c = channel(s, r.id("channel_id")?)?;
    need_in(s, c, Permissions::VIEW_CHANNEL)?;
    Ok(Reply::Json(payload::channel(c)))
}

fn update_channel(s: &mut State, r: &Req) -> Res {
    let cid = r.id("channel_id")?;
    let c = channel(s, cid)?;
    need_in(s, c, Permissions::MANAGE_CHANNELS)?;
    let g = guild(s, c.guild_id)?;
    let overwrites = r
        .field("permission_overwrites")
        .map(|v| overwrites_of(Some(v)));
    if let Some(o) = &overwrites {
        need(s, g, Permissions::MANAGE_ROLES)?;
        check_overwrites(s, g, o)?;
    }
    let rate = check_slowmode(r.field("rate_limit_per_user"))?;
    let gid = c.guild_id;
    let c = s.channels.get_mut(&cid).expect("checked");
    if let Some(name) = r.field("name").and_then(Value::as_str) {
        name.clone_into(&mut c.name);
    }
    if let Some(topic) = r.json.get("topic") {
        c.topic = topic.as_str().map(str::to_owned);
    }
    if let Some(nsfw) = r.field("nsfw").and_then(Value::as_bool) {
        c.nsfw = nsfw;
    }
    if let Some(rate) = rate {
        c.rate_limit_per_user = rate;
    }
    if let Some(parent) = r.json.get("parent_id") {
        c.parent_id = snowflake(Some(parent));
    }
    if let Some(o) = overwrites {
        c.overwrites = o;
    }
    s.record_audit(
        gid,
        audit_action::CHANNEL_UPDATE,
        Some(cid),
        r.reason.clone(),
    );
    events::channel(s, cid, "CHANNEL_UPDATE");
    Ok(Reply::Json(payload::channel(&s.channels[&cid])))
}

fn delete_channel(s: &mut State, r: &Req) -> Res {
    let cid = r.id("channel_id")?;
    let c = channel(s, cid)?;
    need_in(s, c, Permissions::MANAGE_CHANNELS)?;
    let gid = c.guild_id;
    let data = payload::channel(c);
    s.channels.remove(&cid);
    s.record_audit(
        gid,
        audit_action::CHANNEL_DELETE,
        Some(cid),
        r.reason.clone(),
    );
    events::channel_deleted(s, &data, gid);
    Ok(Reply::Json(data))
}

/// Edit Channel Permissions: MANAGE_ROLES in the channel; only permissions the bot has.
fn put_overwrite(s: &mut State, r: &Req) -> Res {
    let (cid, oid) = (r.id("channel_id")?, r.id("overwrite_id")?);
    let c = channel(s, cid)?;
    need_in(s, c, Permissions::MANAGE_ROLES)?;
    let g = guild(s, c.guild_id)?;
    let overwrite = Overwrite {
        id: oid,
        kind: u8::try_from(u64_of(r.field("type")).unwrap_or(0)).unwrap_or(0),
        allow: perms_of(r.field("allow")),
        deny: perms_of(r.field("deny")),
    };
    check_overwrites(s, g, std::slice::from_ref(&overwrite))?;
    if overwrite.kind == 1 && !s.users.contains_key(&oid) {
        return Err(ApiError::unknown(10013, "User"));
    }
    let gid = c.guild_id;
    let c = s.channels.get_mut(&cid).expect("checked");
    c.overwrites.retain(|o| o.id != oid);
    c.overwrites.push(overwrite);
    s.record_audit(
        gid,
        audit_action::CHANNEL_OVERWRITE_UPDATE,
        Some(cid),
        r.reason.clone(),
    );
    events::channel(s, cid, "CHANNEL_UPDATE");
    Ok(Reply::Empty)
}

fn delete_overwrite(s: &mut State, r: &Req) -> Res {
    let (cid, oid) = (r.id("channel_id")?, r.id("overwrite_id")?);
    let c = channel(s, cid)?;
    need_in(s, c, Permissions::MANAGE_ROLES)?;
    let gid = c.guild_id;
    let c = s.channels.get_mut(&cid).expect("checked");
    let before = c.overwrites.len();
    c.overwrites.retain(|o| o.id != oid);
    if c.overwrites.len() != before {
        s.record_audit(
            gid,
            audit_action::CHANNEL_OVERWRITE_DELETE,
            Some(cid),
            r.reason.clone(),
        );
        events::channel(s, cid, "CHANNEL_UPDATE");
    }
    Ok(Reply::Empty)
}

// ---------------------------------------------------------------------------------------------
// Messages.

/// Checks embed limits. See Discord Docs/Message Resource ("Embed Limits").
fn check_embeds(embeds: &[Value]) -> Result<(), ApiError> {
    if embeds.len() > limits::EMBEDS {
        return Err(ApiError::field(
            "embeds",
            "BASE_TYPE_MAX_LENGTH",
            "Must be 10 or fewer in length.",
        ));
    }
    let mut total = 0;
    for (i, e) in embeds.iter().enumerate() {
        let checks = [
            ("title", chars(e.get("title")), limits::EMBED_TITLE),
            (
                "description",
                chars(e.get("description")),
                limits::EMBED_DESCRIPTION,
            ),
            (
                "footer.text",
                chars(e.get("footer").and_then(|f| f.get("text"))),
                limits::EMBED_FOOTER,
            ),
            (
                "author.name",
                chars(e.get("author").and_then(|a| a.get("name"))),
                limits::EMBED_AUTHOR,
            ),
        ];
        for (field, len, max) in checks {
            if len > max {
                return Err(too_long(&format!("embeds.{i}.{field}"), max));
            }
            total += len;
        }
        let fields = e
            .get("fields")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        if fields.len() > limits::EMBED_FIELDS {
            return Err(too_long(
                &format!("embeds.{i}.fields"),
                limits::EMBED_FIELDS,
            ));
        }
        for (j, f) in fields.iter().enumerate() {
            let (name, value) = (chars(f.get("name")), chars(f.get("value")));
            if name > limits::EMBED_FIELD_NAME {
                return Err(too_long(
                    &format!("embeds.{i}.fields.{j}.name"),
                    limits::EMBED_FIELD_NAME,
                ));
            }
            if value > limits::EMBED_FIELD_VALUE {
                return Err(too_long(
                    &format!("embeds.{i}.fields.{j}.value"),
                    limits::EMBED_FIELD_VALUE,
                ));
            }
            total += name + value;
        }
    }
    if total > limits::EMBED_TOTAL {
        return Err(ApiError::field(
            "embeds",
            "MAX_EMBED_SIZE_EXCEEDED",
            "Embed size exceeds maximum size of 6000",
        ));
    }
    Ok(())
}

/// Fills in what Discord adds to stored components: a sequential `id` on every component that
/// has none, and `min_values`/`max_values` of 1 on select menus.
///
/// See Discord Docs/Components/Reference ("Anatomy of a Component", "id").
fn complete_components(components: &mut [Value]) {
    fn walk(v: &mut Value, next: &mut u64) {
        let Some(obj) = v.as_object_mut() else { return };
        if !obj.contains_key("id") {
            obj.insert("id".to_owned(), json!(*next));
        }
        *next += 1;
        if matches!(obj.get("type").and_then(Value::as_u64), Some(3 | 5..=8)) {
            obj.entry("min_values").or_insert(json!(1));
            obj.entry("max_values").or_insert(json!(1));
        }
        if let Some(Value::Array(children)) = obj.get_mut("components") {
            for child in children {
                walk(child, next);
            }
        }
        if let Some(accessory) = obj.get_mut("accessory") {
            walk(accessory, next);
        }
    }
    let mut next = 1;
    for c in components {
        walk(c, &mut next);
    }
}

/// `custom_id`s must be unique within a message.
fn check_components(components: &[Value]) -> Result<(), ApiError> {
    fn collect<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        if let Some(id) = v.get("custom_id").and_then(Value::as_str) {
            out.push(id);
        }
        for key in ["components", "accessory"] {
            match v.get(key) {
                Some(Value::Array(list)) => {
                    for c in list {
                        collect(c, out);
                    }
                }
                Some(obj @ Value::Object(_)) => collect(obj, out),
                _ => {}
            }
        }
    }
    let mut ids = Vec::new();
    for c in components {
        collect(c, &mut ids);
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != ids.len() {
        return Err(ApiError::field(
            "components",
            "COMPONENT_CUSTOM_ID_DUPLICATED",
            "Component custom id cannot be duplicated",
        ));
    }
    Ok(())
}

/// Who a message pings, honouring `allowed_mentions` (absent = everything in the content).
///
/// See Discord Docs/Message Resource ("Allowed Mentions Object").
fn mentions(
    content: &str,
    allowed: Option<&Value>,
    g: &Guild,
    may_ping_everyone: bool,
) -> (Vec<u64>, Vec<u64>, bool) {
    let parse: Option<Vec<&str>> = allowed.map(|a| {
        a.get("parse")
            .and_then(Value::as_array)
            .map(|p| p.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    });
    let listed = |key: &str| -> Vec<u64> {
        allowed
            .and_then(|a| a.get(key))
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(|v| snowflake(Some(v))).collect())
            .unwrap_or_default()
    };
    let (user_list, role_list) = (listed("users"), listed("roles"));
    let allows = |kind: &str| parse.as_ref().is_none_or(|p| p.contains(&kind));
    let (mut users, mut roles) = (Vec::new(), Vec::new());
    let mut rest = content;
    while let Some(start) = rest.find("<@") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('>') else { break };
        let inner = &rest[..end];
        if let Some(role) = inner.strip_prefix('&').and_then(|r| r.parse::<u64>().ok()) {
            if (allows("roles") || role_list.contains(&role))
                && g.roles.contains_key(&role)
                && !roles.contains(&role)
            {
                roles.push(role);
            }
        } else if let Ok(user) = inner.trim_start_matches('!').parse::<u64>()
            && (allows("users") || user_list.contains(&user))
            && !users.contains(&user)
        {
            users.push(user);
        }
    }
    let everyone = may_ping_everyone
        && allows("everyone")
        && (content.contains("@everyone") || content.contains("@here"));
    (users, roles, everyone)
}

/// Builds a message from a create body (JSON or multipart), enforcing Discord's limits.
fn build_message(
    s: &mut State,
    channel_id: u64,
    body: &Value,
    files: &[File],
    interaction_id: Option<u64>,
) -> Result<Message, ApiError> {
    let content = body
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if content.chars().count() > limits::MESSAGE_CONTENT {
        return Err(too_long("content", limits::MESSAGE_CONTENT));
    }
    let embeds = body
        .get("embeds")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    check_embeds(&embeds)?;
    let mut components = body
        .get("components")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    check_components(&components)?;
    complete_components(&mut components);
    let attachments = attachments_of(s, body, files, &[])?;
    if content.is_empty() && embeds.is_empty() && components.is_empty() && attachments.is_empty() {
        return Err(ApiError::new(400, 50006, "Cannot send an empty message"));
    }
    let c = channel(s, channel_id)?;
    let bot = s.bot_id();
    let allowed = body.get("allowed_mentions").filter(|v| !v.is_null());
    let (mentions, mention_roles, mention_everyone) = match s.guilds.get(&c.guild_id) {
        Some(g) => {
            let may_ping = g
                .channel_permissions(bot, c, s.now())
                .contains(Permissions::MENTION_EVERYONE);
            mentions(&content, allowed, g, may_ping)
        }
        None => (Vec::new(), Vec::new(), false),
    };
    let mut flags = u64_of(body.get("flags")).unwrap_or(0);
    if interaction_id.is_none() {
        flags &= !64;
    }
    Ok(Message {
        embeds,
        components,
        attachments,
        mentions,
        mention_roles,
        mention_everyone,
        flags,
        interaction_id,
        ..Message::new(s.ids.next(), channel_id, c.guild_id, bot, content)
    })
}

/// The attachments of a create or edit: uploaded `files[n]` named by the `attachments` array
/// (`{id: n, filename, description}`), plus existing ones the array keeps by id.
fn attachments_of(
    s: &State,
    body: &Value,
    files: &[File],
    existing: &[Attachment],
) -> Result<Vec<Attachment>, ApiError> {
    let listed = body.get("attachments").and_then(Value::as_array);
    let mut out = Vec::new();
    if let Some(list) = listed {
        for a in list {
            if let Some(old) =
                snowflake(a.get("id")).and_then(|i| existing.iter().find(|e| e.id == i))
            {
                out.push(old.clone());
            }
        }
    }
    for f in files {
        if f.bytes.len() as u64 > s.config.attachment_size_limit {
            return Err(ApiError::new(413, 40005, "Request entity too large"));
        }
        let meta = listed.and_then(|l| l.iter().find(|a| snowflake(a.get("id")) == Some(f.index)));
        out.push(Attachment {
            id: s.ids.next(),
            filename: meta
                .and_then(|m| m.get("filename"))
                .and_then(Value::as_str)
                .unwrap_or(&f.filename)
                .to_owned(),
            content_type: f.content_type.clone(),
            description: meta
                .and_then(|m| m.get("description"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            bytes: f.bytes.clone(),
        });
    }
    Ok(out)
}

/// Applies an edit body to a message (fields present replace the old ones).
fn apply_edit(s: &State, m: &mut Message, body: &Value, files: &[File]) -> Result<(), ApiError> {
    if let Some(content) = body.get("content") {
        let text = content.as_str().unwrap_or("");
        if text.chars().count() > limits::MESSAGE_CONTENT {
            return Err(too_long("content", limits::MESSAGE_CONTENT));
        }
        text.clone_into(&mut m.content);
    }
    if let Some(embeds) = body.get("embeds") {
        let embeds = embeds.as_array().cloned().unwrap_or_default();
        check_embeds(&embeds)?;
        m.embeds = embeds;
    }
    if let Some(components) = body.get("components") {
        let mut components = components.as_array().cloned().unwrap_or_default();
        check_components(&components)?;
        complete_components(&mut components);
        m.components = components;
    }
    if body.get("attachments").is_some() || !files.is_empty() {
        let keep = if body.get("attachments").is_some() {
            Vec::new()
        } else {
            m.attachments.clone()
        };
        let mut new = attachments_of(s, body, files, &m.attachments)?;
        if body.get("attachments").is_none() {
            let mut all = keep;
            all.append(&mut new);
            new = all;
        }
        m.attachments = new;
    }
    if let Some(flags) = u64_of(body.get("flags")) {
        m.flags = (m.flags & 64) | (flags & !64);
    }
    m.edited_ms = Some(s.now());
    Ok(())
}

fn list_messages(s: &mut State, r: &Req) -> Res {
    let cid = r.id("channel_id")?;
    let c = channel(s, cid)?;
    need_in(s, c, Permissions::READ_MESSAGE_HISTORY)?;
    let limit = r
        .query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(50usize);
    let before = r
        .query
        .get("before")
        .and_then(|b| b.parse().ok())
        .unwrap_or(u64::MAX);
    let after = r
        .query
        .get("after")
        .and_then(|a| a.parse().ok())
        .unwrap_or(0u64);
    let list: Vec<Value> = s
        .messages
        .values()
        .rev()
        .filter(|m| m.channel_id == cid && !m.deleted && !m.is_ephemeral())
        .filter(|m| m.id < before && m.id > after)
        .take(limit.min(100))
        .map(|m| payload::message(s, m))
        .collect();
    Ok(Reply::Json(json!(list)))
}

/// Create Message: VIEW_CHANNEL (else 50001), SEND_MESSAGES, ATTACH_FILES for files; a timed-out
/// bot cannot send. Bots are exempt from slowmode.
fn create_message(s: &mut State, r: &Req) -> Res {
    let cid = r.id("channel_id")?;
    let c = channel(s, cid)?;
    let mut needed = Permissions::SEND_MESSAGES;
    if matches!(
        c.kind,
        channel_kind::PUBLIC_THREAD | channel_kind::PRIVATE_THREAD
    ) {
        needed = Permissions::SEND_MESSAGES_IN_THREADS;
    }
    if !r.files.is_empty() {
        needed |= Permissions::ATTACH_FILES;
    }
    need_in(s, c, needed)?;
    if let Some(user) = c.recipient_id {
        let bot = s.bot_id();
        let shares_guild = s
            .guilds
            .values()
            .any(|g| g.members.contains_key(&user) && g.members.contains_key(&bot));
        if s.closed_dms.contains(&user) || !shares_guild {
            return Err(ApiError::new(
                403,
                50007,
                "Cannot send messages to this user",
            ));
        }
    }
    let m = build_message(s, cid, &r.json, &r.files, None)?;
    let mid = m.id;
    s.messages.insert(mid, m);
    events::message(s, mid, "MESSAGE_CREATE");
    Ok(Reply::Json(payload::message(s, &s.messages[&mid])))
}

fn get_message(s: &mut State, r: &Req) -> Res {
    let cid = r.id("channel_id")?;
    need_in(s, channel(s, cid)?, Permissions::READ_MESSAGE_HISTORY)?;
    let m = message(s, cid, r.id("message_id")?)?;
    Ok(Reply::Json(payload::message(s, m)))
}

fn edit_message(s: &mut State, r: &Req) -> Res {
    let (cid, mid) = (r.id("channel_id")?, r.id("message_id")?);
    need_in(s, channel(s, cid)?, Permissions::empty())?;
    let mut m = message(s, cid, mid)?.clone();
    if m.author_id != s.bot_id() {
        return Err(ApiError::new(
            403,
            50005,
            "Cannot edit a message authored by another user",
        ));
    }
    apply_edit(s, &mut m, &r.json, &r.files)?;
    s.messages.insert(mid, m);
    events::message(s, mid, "MESSAGE_UPDATE");
    Ok(Reply::Json(payload::message(s, &s.messages[&mid])))
}

fn delete_message(s: &mut State, r: &Req) -> Res {
    let (cid, mid) = (r.id("channel_id")?, r.id("message_id")?);
    let c = channel(s, cid)?;
    let gid = c.guild_id;
    let m = message(s, cid, mid)?;
    let own = m.author_id == s.bot_id();
    need_in(
        s,
        c,
        if own {
            Permissions::empty()
        } else {
            Permissions::MANAGE_MESSAGES
        },
    )?;
    let author = m.author_id;
    s.messages.get_mut(&mid).expect("checked").deleted = true;
    if !own {
        s.record_audit(
            gid,
            audit_action::MESSAGE_DELETE,
            Some(author),
            r.reason.clone(),
        );
    }
    events::message_delete(s, gid, cid, mid);
    Ok(Reply::Empty)
}

/// Bulk Delete Messages: MANAGE_MESSAGES, 2–100 ids, none older than 14 days.
fn bulk_delete(s: &mut State, r: &Req) -> Res {
    let cid = r.id("channel_id")?;
    let c = channel(s, cid)?;
    need_in(s, c, Permissions::MANAGE_MESSAGES)?;
    let gid = c.guild_id;
    let ids: Vec<u64> = r
        .field("messages")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(|v| snowflake(Some(v))).collect())
        .unwrap_or_default();
    let two_weeks = s.now().saturating_sub(14 * 86_400 * 1000);
    if ids
        .iter()
        .any(|m| crate::time::snowflake_ms(*m) < two_weeks)
    {
        return Err(ApiError::new(
            400,
            50034,
            "You can only bulk delete messages that are under 14 days old.",
        ));
    }
    for mid in ids {
        if let Some(m) = s
            .messages
            .get_mut(&mid)
            .filter(|m| m.channel_id == cid && !m.deleted)
        {
            m.deleted = true;
            events::message_delete(s, gid, cid, mid);
        }
    }
    Ok(Reply::Empty)
}

/// Normalises an emoji path segment: `👍`, or `name:id` for a custom emoji.
fn emoji_key(raw: &str) -> String {
    raw.to_owned()
}

fn add_reaction(s: &mut State, r: &Req) -> Res {
    let (cid, mid) = (r.id("channel_id")?, r.id("message_id")?);
    let c = channel(s, cid)?;
    let emoji = emoji_key(r.param("emoji_name"));
    let exists = message(s, cid, mid)?
        .reactions
        .iter()
        .any(|x| x.emoji == emoji);
    let mut needed = Permissions::READ_MESSAGE_HISTORY;
    if !exists {
        needed |= Permissions::ADD_REACTIONS;
    }
    need_in(s, c, needed)?;
    let bot = s.bot_id();
    react(s, mid, bot, &emoji, true);
    Ok(Reply::Empty)
}

/// Adds or removes a user's reaction and dispatches the event when something changed.
pub(crate) fn react(s: &mut State, message_id: u64, user_id: u64, emoji: &str, add: bool) -> bool {
    let Some(m) = s.messages.get_mut(&message_id) else {
        return false;
    };
    let changed = if add {
        match m.reactions.iter_mut().find(|x| x.emoji == emoji) {
            Some(x) if x.users.contains(&user_id) => false,
            Some(x) => {
                x.users.push(user_id);
                true
            }
            None => {
                m.reactions.push(Reaction {
                    emoji: emoji.to_owned(),
                    users: vec![user_id],
                });
                true
            }
        }
    } else {
        let before: usize = m.reactions.iter().map(|x| x.users.len()).sum();
        for x in &mut m.reactions {
            if x.emoji == emoji {
                x.users.retain(|u| *u != user_id);
            }
        }
        m.reactions.retain(|x| !x.users.is_empty());
        before != m.reactions.iter().map(|x| x.users.len()).sum::<usize>()
    };
    if changed {
        events::reaction(s, message_id, user_id, emoji, add);
    }
    changed
}

/// Get Reactions: the users who reacted with an emoji, by id, at most `limit` (default 25).
///
/// See Discord Docs/Message Resource ("Get Reactions").
fn list_reactions(s: &mut State, r: &Req) -> Res {
    let (cid, mid) = (r.id("channel_id")?, r.id("message_id")?);
    need_in(s, channel(s, cid)?, Permissions::READ_MESSAGE_HISTORY)?;
    let emoji = emoji_key(r.param("emoji_name"));
    let m = message(s, cid, mid)?;
    let limit = r
        .query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(25usize);
    let after = r
        .query
        .get("after")
        .and_then(|a| a.parse().ok())
        .unwrap_or(0u64);
    let Some(reaction) = m.reactions.iter().find(|x| x.emoji == emoji) else {
        return Ok(Reply::Json(json!([])));
    };
    let mut users: Vec<u64> = reaction
        .users
        .iter()
        .copied()
        .filter(|u| *u > after)
        .collect();
    users.sort_unstable();
    users.truncate(limit.min(100));
    Ok(Reply::Json(json!(
        users
            .iter()
            .map(|u| payload::user_by_id(s, *u))
            .collect::<Vec<_>>()
    )))
}

fn remove_own_reaction(s: &mut State, r: &Req) -> Res {
    let (cid, mid) = (r.id("channel_id")?, r.id("message_id")?);
    message(s, cid, mid)?;
    let bot = s.bot_id();
    react(s, mid, bot, &emoji_key(r.param("emoji_name")), false);
    Ok(Reply::Empty)
}

fn remove_user_reaction(s: &mut State, r: &Req) -> Res {
    let (cid, mid, uid) = (r.id("channel_id")?, r.id("message_id")?, r.id("user_id")?);
    let c = channel(s, cid)?;
    message(s, cid, mid)?;
    need_in(s, c, Permissions::MANAGE_MESSAGES)?;
    react(s, mid, uid, &emoji_key(r.param("emoji_name")), false);
    Ok(Reply::Empty)
}

// ---------------------------------------------------------------------------------------------
// Interactions.

/// Create Interaction Response: once, within 3 s of the interaction (else 10062 Unknown
/// interaction); a second response is 40060.
///
/// See Discord Docs/Interactions/Receiving and Responding ("Responding to an Interaction").
#[allow(clippy::too_many_lines)] // one rule per callback type, kept together
pub(crate) fn interaction_callback(s: &mut State, r: &Req) -> Res {
    let iid = r.id("interaction_id")?;
    let token = r.param("interaction_token");
    let now = s.now();
    let i = s
        .interactions
        .get(&iid)
        .filter(|i| i.token == token)
        .ok_or_else(|| ApiError::unknown(10062, "interaction"))?
        .clone();
    if i.response.is_some() {
        return Err(ApiError::new(
            400,
            40060,
            "Interaction has already been acknowledged.",
        ));
    }
    if now.saturating_sub(i.created_ms) > limits::INTERACTION_RESPONSE_MS {
        return Err(ApiError::unknown(10062, "interaction"));
    }
    let kind = u64_of(r.field("type")).unwrap_or(0);
    let data = r.field("data").cloned().unwrap_or(Value::Null);
    let is_component = matches!(i.kind, 3) || (i.kind == 5 && i.source_message.is_some());
    let bad_type = || {
        ApiError::field(
            "type",
            "BASE_TYPE_CHOICES",
            &format!(
                "Value must be one of valid interaction callback types for this interaction, got {kind}."
            ),
        )
    };
    let response = match kind {
        4 => ResponseKind::Message,
        5 => ResponseKind::Deferred,
        6 if is_component => ResponseKind::DeferredUpdate,
        7 if is_component => ResponseKind::UpdateMessage,
        8 if i.kind == 4 => ResponseKind::Autocomplete,
        9 if i.kind != 5 && i.kind != 4 => ResponseKind::Modal,
        _ => return Err(bad_type()),
    };
    let mut message_id = None;
    match response {
        ResponseKind::Message => {
            let m = build_message(s, i.channel_id, &data, &r.files, Some(iid))?;
            message_id = Some(m.id);
            s.messages.insert(m.id, m);
        }
        ResponseKind::UpdateMessage => {
            let source = i.source_message.ok_or_else(bad_type)?;
            let mut m = s
                .messages
                .get(&source)
                .cloned()
                .ok_or_else(|| ApiError::unknown(10008, "Message"))?;
            apply_edit(s, &mut m, &data, &r.files)?;
            s.messages.insert(source, m);
            message_id = Some(source);
        }
        ResponseKind::Deferred => {
            let flags = u64_of(data.get("flags")).unwrap_or(0);
            // A deferred response accepts only the EPHEMERAL flag.
            if flags & !64 != 0 {
                return Err(ApiError::field(
                    "data.flags",
                    "BASE_TYPE_CHOICES",
                    "Only the EPHEMERAL flag may be set.",
                ));
            }
            s.interactions
                .get_mut(&iid)
                .expect("checked")
                .deferred_ephemeral = flags & 64 != 0;
        }
        ResponseKind::DeferredUpdate => message_id = i.source_message,
        ResponseKind::Autocomplete | ResponseKind::Modal => {}
    }
    let entry = s.interactions.get_mut(&iid).expect("checked");
    entry.response = Some(response);
    entry.response_body = Some(r.json.clone());
    entry.original_message = message_id;
    match response {
        ResponseKind::Message => events::message(s, message_id.expect("set"), "MESSAGE_CREATE"),
        ResponseKind::UpdateMessage => {
            events::message(s, message_id.expect("set"), "MESSAGE_UPDATE");
        }
        _ => {}
    }
    if r.query.get("with_response").is_some_and(|v| v == "true") {
        let msg = message_id
            .and_then(|m| s.messages.get(&m))
            .map(|m| payload::message(s, m));
        return Ok(Reply::Json(json!({
            "interaction": {
                "id": id(iid),
                "type": i.kind,
                "response_message_id": message_id.map(id),
                "response_message_loading": response == ResponseKind::Deferred,
                "response_message_ephemeral": msg.as_ref().is_some_and(|m| m["flags"].as_u64().unwrap_or(0) & 64 != 0),
            },
            "resource": {"type": kind, "message": msg},
        })));
    }
    Ok(Reply::Empty)
}

/// The interaction behind a webhook route: the application id and a token still valid
/// (15 minutes), answered first (else 10015 Unknown Webhook).
fn webhook_interaction(s: &State, r: &Req) -> Result<u64, ApiError> {
    if r.id("webhook_id")? != s.config.application_id {
        return Err(ApiError::unknown(10015, "Webhook"));
    }
    let token = r.param("webhook_token");
    let i = s
        .interactions
        .values()
        .find(|i| i.token == token)
        .ok_or_else(|| ApiError::new(401, 50027, "Invalid Webhook Token"))?;
    if s.now().saturating_sub(i.created_ms) > limits::INTERACTION_TOKEN_MS {
        return Err(ApiError::new(401, 50027, "Invalid Webhook Token"));
    }
    if i.response.is_none() {
        return Err(ApiError::unknown(10015, "Webhook"));
    }
    Ok(i.id)
}

fn create_followup(s: &mut State, r: &Req) -> Res {
    let iid = webhook_interaction(s, r)?;
    let channel_id = s.interactions[&iid].channel_id;
    let m = build_message(s, channel_id, &r.json, &r.files, Some(iid))?;
    let mid = m.id;
    s.messages.insert(mid, m);
    s.interactions
        .get_mut(&iid)
        .expect("checked")
        .followups
        .push(mid);
    events::message(s, mid, "MESSAGE_CREATE");
    Ok(Reply::Json(payload::message(s, &s.messages[&mid])))
}

fn original(s: &State, iid: u64) -> Result<u64, ApiError> {
    s.interactions[&iid]
        .original_message
        .filter(|m| s.messages.get(m).is_some_and(|m| !m.deleted))
        .ok_or_else(|| ApiError::unknown(10008, "Message"))
}

fn get_original(s: &mut State, r: &Req) -> Res {
    let iid = webhook_interaction(s, r)?;
    let mid = original(s, iid)?;
    Ok(Reply::Json(payload::message(s, &s.messages[&mid])))
}

/// Edit Original Interaction Response; after a deferred response the first edit creates the
/// message (Discord shows "thinking…" until then).
fn edit_original(s: &mut State, r: &Req) -> Res {
    let iid = webhook_interaction(s, r)?;
    let interaction = s.interactions[&iid].clone();
    let mid = match original(s, iid) {
        Ok(mid) => {
            let mut m = s.messages[&mid].clone();
            apply_edit(s, &mut m, &r.json, &r.files)?;
            s.messages.insert(mid, m);
            events::message(s, mid, "MESSAGE_UPDATE");
            mid
        }
        Err(_) if interaction.response == Some(ResponseKind::Deferred) => {
            let mut body = r.json.clone();
            if !body.is_object() {
                body = json!({});
            }
            if interaction.deferred_ephemeral {
                body["flags"] = json!(u64_of(body.get("flags")).unwrap_or(0) | 64);
            }
            let m = build_message(s, interaction.channel_id, &body, &r.files, Some(iid))?;
            let mid = m.id;
            s.messages.insert(mid, m);
            s.interactions
                .get_mut(&iid)
                .expect("checked")
                .original_message = Some(mid);
            events::message(s, mid, "MESSAGE_CREATE");
            mid
        }
        Err(e) => return Err(e),
    };
    Ok(Reply::Json(payload::message(s, &s.messages[&mid])))
}

fn delete_original(s: &mut State, r: &Req) -> Res {
    let iid = webhook_interaction(s, r)?;
    let mid = original(s, iid)?;
    let m = s.messages.get_mut(&mid).expect("checked");
    m.deleted = true;
    let (gid, cid) = (m.guild_id, m.channel_id);
    events::message_delete(s, gid, cid, mid);
    Ok(Reply::Empty)
}

fn followup(s: &State, r: &Req) -> Result<u64, ApiError> {
    let iid = webhook_interaction(s, r)?;
    let mid = r.id("message_id")?;
    let i = &s.interactions[&iid];
    if i.followups.contains(&mid) || i.original_message == Some(mid) {
        Ok(mid)
    } else {
        Err(ApiError::unknown(10008, "Message"))
    }
}

fn get_followup(s: &mut State, r: &Req) -> Res {
    let mid = followup(s, r)?;
    Ok(Reply::Json(payload::message(s, &s.messages[&mid])))
}

fn edit_followup(s: &mut State, r: &Req) -> Res {
    let mid = followup(s, r)?;
    let mut m = s.messages[&mid].clone();
    apply_edit(s, &mut m, &r.json, &r.files)?;
    s.messages.insert(mid, m);
    events::message(s, mid, "MESSAGE_UPDATE");
    Ok(Reply::Json(payload::message(s, &s.messages[&mid])))
}

fn delete_followup(s: &mut State, r: &Req) -> Res {
    let mid = followup(s, r)?;
    let m = s.messages.get_mut(&mid).expect("checked");
    m.deleted = true;
    let (gid, cid) = (m.guild_id, m.channel_id);
    events::message_delete(s, gid, cid, mid);
    Ok(Reply::Empty)
}

// ---------------------------------------------------------------------------------------------
// Application commands.

fn own_application(s: &State, r: &Req) -> Result<(), ApiError> {
    if r.id("application_id")? == s.config.application_id {
        Ok(())
    } else {
        Err(ApiError::missing_access())
    }
}

/// Bulk overwrite: commands keep their id when name and type match, others get new ids.
///
/// See Discord Docs/Interactions/Application Commands ("Bulk Overwrite Global Application Commands").
fn overwrite_commands(
    s: &mut State,
    r: &Req,
    guild_id: Option<u64>,
) -> Result<Vec<Value>, ApiError> {
    let list = r.json.as_array().cloned().unwrap_or_default();
    if list.len() > limits::COMMANDS {
        return Err(ApiError::new(
            400,
            30032,
            "Maximum number of application commands reached (100)",
        ));
    }
    let old = match guild_id {
        Some(g) => s.guild_commands.get(&g).cloned().unwrap_or_default(),
        None => s.global_commands.clone(),
    };
    let mut out = Vec::new();
    for mut cmd in list {
        let name = cmd
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let kind = u64_of(cmd.get("type")).unwrap_or(1);
        if out.iter().any(|c: &Value| {
            c["name"] == name.as_str() && u64_of(c.get("type")).unwrap_or(1) == kind
        }) {
            return Err(ApiError::field(
                "_errors",
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                &format!("Application command names must be unique: {name}"),
            ));
        }
        let kept = old
            .iter()
            .find(|c| c["name"] == name.as_str() && u64_of(c.get("type")).unwrap_or(1) == kind)
            .and_then(|c| snowflake(c.get("id")));
        let cid = kept.unwrap_or_else(|| s.ids.next());
        cmd["id"] = id(cid);
        cmd["type"] = json!(kind);
        cmd["application_id"] = id(s.config.application_id);
        cmd["version"] = id(s.ids.next());
        if cmd.get("description").is_none() {
            cmd["description"] = json!("");
        }
        if cmd.get("default_member_permissions").is_none() {
            cmd["default_member_permissions"] = Value::Null;
        }
        if let Some(g) = guild_id {
            cmd["guild_id"] = id(g);
        }
        out.push(cmd);
    }
    match guild_id {
        Some(g) => {
            s.guild_commands.insert(g, out.clone());
        }
        None => s.global_commands.clone_from(&out),
    }
    Ok(out)
}

fn get_global_commands(s: &mut State, r: &Req) -> Res {
    own_application(s, r)?;
    Ok(Reply::Json(json!(s.global_commands)))
}

fn set_global_commands(s: &mut State, r: &Req) -> Res {
    own_application(s, r)?;
    Ok(Reply::Json(json!(overwrite_commands(s, r, None)?)))
}

fn get_guild_commands(s: &mut State, r: &Req) -> Res {
    own_application(s, r)?;
    let gid = r.id("guild_id")?;
    guild(s, gid)?;
    Ok(Reply::Json(json!(
        s.guild_commands.get(&gid).cloned().unwrap_or_default()
    )))
}

fn set_guild_commands(s: &mut State, r: &Req) -> Res {
    own_application(s, r)?;
    let gid = r.id("guild_id")?;
    guild(s, gid)?;
    Ok(Reply::Json(json!(overwrite_commands(s, r, Some(gid))?)))
}
