//! Reactions.
//!
//! See Discord Docs/Message Resource ("Create Reaction").

// Every handler has the same signature so the table can hold it, even those that cannot fail.
#![allow(clippy::unnecessary_wraps)]

use serde_json::json;
use twilight_model::guild::Permissions;

use crate::events;
use crate::payload::{self};
use crate::rest::{Reply, Req};
use crate::state::{Reaction, State};

use super::Res;
use super::common::{channel, message, need_in};

/// Normalises an emoji path segment: `👍`, or `name:id` for a custom emoji.
pub(super) fn emoji_key(raw: &str) -> String {
    raw.to_owned()
}

pub(super) fn add_reaction(s: &mut State, r: &Req) -> Res {
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
pub(super) fn list_reactions(s: &mut State, r: &Req) -> Res {
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

pub(super) fn remove_own_reaction(s: &mut State, r: &Req) -> Res {
    let (cid, mid) = (r.id("channel_id")?, r.id("message_id")?);
    message(s, cid, mid)?;
    let bot = s.bot_id();
    react(s, mid, bot, &emoji_key(r.param("emoji_name")), false);
    Ok(Reply::Empty)
}

pub(super) fn remove_user_reaction(s: &mut State, r: &Req) -> Res {
    let (cid, mid, uid) = (r.id("channel_id")?, r.id("message_id")?, r.id("user_id")?);
    let c = channel(s, cid)?;
    message(s, cid, mid)?;
    need_in(s, c, Permissions::MANAGE_MESSAGES)?;
    react(s, mid, uid, &emoji_key(r.param("emoji_name")), false);
    Ok(Reply::Empty)
}
