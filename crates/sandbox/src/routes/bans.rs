//! Bans: list, read, ban, unban.
//!
//! See Discord Docs/Guild Resource ("Create Guild Ban").

// Every handler has the same signature so the table can hold it, even those that cannot fail.
#![allow(clippy::unnecessary_wraps)]

use serde_json::{Value, json};
use twilight_model::guild::Permissions;

use crate::events;
use crate::payload::{self};
use crate::rest::{ApiError, Reply, Req};
use crate::state::{Ban, State, audit_action};

use super::common::{guild, need, outranks, u64_of};
use super::{Res, limits};

pub(super) fn ban_json(s: &State, b: &Ban) -> Value {
    json!({"reason": b.reason, "user": payload::user_by_id(s, b.user_id)})
}

pub(super) fn list_bans(s: &mut State, r: &Req) -> Res {
    let g = guild(s, r.id("guild_id")?)?;
    need(s, g, Permissions::BAN_MEMBERS)?;
    Ok(Reply::Json(json!(
        g.bans.values().map(|b| ban_json(s, b)).collect::<Vec<_>>()
    )))
}

pub(super) fn get_ban(s: &mut State, r: &Req) -> Res {
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
pub(super) fn create_ban(s: &mut State, r: &Req) -> Res {
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

pub(super) fn delete_ban(s: &mut State, r: &Req) -> Res {
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
