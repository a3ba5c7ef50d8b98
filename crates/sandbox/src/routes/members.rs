//! Members: read, edit (nicknames, roles, timeouts), kick, grant and revoke roles.
//!
//! See Discord Docs/Guild Resource ("Modify Guild Member", "Remove Guild Member").

// Every handler has the same signature so the table can hold it, even those that cannot fail.
#![allow(clippy::unnecessary_wraps)]

use serde_json::{Value, json};
use twilight_model::guild::Permissions;

use crate::events;
use crate::payload::{self};
use crate::rest::{ApiError, Reply, Req};
use crate::state::{INTENT_GUILD_MEMBERS, State, audit_action};

use super::common::{can_manage_role, guild, member, need, outranks, snowflake};
use super::{Res, limits};

/// List Guild Members needs the GUILD_MEMBERS privileged intent enabled for the application.
pub(super) fn list_members(s: &mut State, r: &Req) -> Res {
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

pub(super) fn get_member(s: &mut State, r: &Req) -> Res {
    let g = guild(s, r.id("guild_id")?)?;
    let m = member(s, g, r.id("user_id")?)?;
    Ok(Reply::Json(payload::member(s, m, true)))
}

/// Modify Guild Member: nickname (MANAGE_NICKNAMES + hierarchy), roles (MANAGE_ROLES, each
/// changed role below the bot's highest), timeout (MODERATE_MEMBERS + hierarchy, never an
/// administrator or the owner, at most 28 days ahead).
///
/// See Discord Docs/Guild Resource ("Modify Guild Member").
pub(super) fn update_member(s: &mut State, r: &Req) -> Res {
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

pub(super) fn kick_member(s: &mut State, r: &Req) -> Res {
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

pub(super) fn role_change(s: &mut State, r: &Req, add: bool) -> Res {
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

pub(super) fn add_member_role(s: &mut State, r: &Req) -> Res {
    role_change(s, r, true)
}

pub(super) fn remove_member_role(s: &mut State, r: &Req) -> Res {
    role_change(s, r, false)
}
