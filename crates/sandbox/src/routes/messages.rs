//! Channel messages: list, create, read, edit, delete, bulk delete.
//!
//! See Discord Docs/Message Resource.

// Every handler has the same signature so the table can hold it, even those that cannot fail.
#![allow(clippy::unnecessary_wraps)]

use serde_json::{Value, json};
use twilight_model::guild::Permissions;

use crate::events;
use crate::payload::{self};
use crate::rest::{ApiError, Reply, Req};
use crate::state::{State, audit_action, channel_kind};

use super::Res;
use super::common::{channel, message, need_in, snowflake};
use super::message_body::{apply_edit, build_message};

pub(super) fn list_messages(s: &mut State, r: &Req) -> Res {
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
pub(super) fn create_message(s: &mut State, r: &Req) -> Res {
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

pub(super) fn get_message(s: &mut State, r: &Req) -> Res {
    let cid = r.id("channel_id")?;
    need_in(s, channel(s, cid)?, Permissions::READ_MESSAGE_HISTORY)?;
    let m = message(s, cid, r.id("message_id")?)?;
    Ok(Reply::Json(payload::message(s, m)))
}

pub(super) fn edit_message(s: &mut State, r: &Req) -> Res {
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

pub(super) fn delete_message(s: &mut State, r: &Req) -> Res {
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
pub(super) fn bulk_delete(s: &mut State, r: &Req) -> Res {
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
