//! Guilds and their audit log.
//!
//! See Discord Docs/Guild Resource, Audit Log Resource.

// Every handler has the same signature so the table can hold it, even those that cannot fail.
#![allow(clippy::unnecessary_wraps)]

use serde_json::{Value, json};
use twilight_model::guild::Permissions;

use crate::payload::{self, id};
use crate::rest::{Reply, Req};
use crate::state::State;

use super::Res;
use super::common::{guild, need};

pub(super) fn get_guild(s: &mut State, r: &Req) -> Res {
    let g = guild(s, r.id("guild_id")?)?;
    let mut value = payload::guild_base(s, g);
    if r.query.get("with_counts").is_some_and(|v| v == "true") {
        value["approximate_member_count"] = json!(g.members.len());
        value["approximate_presence_count"] = json!(0);
    }
    Ok(Reply::Json(value))
}

pub(super) fn audit_log(s: &mut State, r: &Req) -> Res {
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
