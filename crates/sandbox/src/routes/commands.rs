//! Application commands: list and bulk overwrite, global and per guild.
//!
//! See Discord Docs/Interactions/Application Commands.

// Every handler has the same signature so the table can hold it, even those that cannot fail.
#![allow(clippy::unnecessary_wraps)]

use serde_json::{Value, json};

use crate::payload::id;
use crate::rest::{ApiError, Reply, Req};
use crate::state::State;

use super::common::{guild, snowflake, u64_of};
use super::{Res, limits};

pub(super) fn own_application(s: &State, r: &Req) -> Result<(), ApiError> {
    if r.id("application_id")? == s.config.application_id {
        Ok(())
    } else {
        Err(ApiError::missing_access())
    }
}

/// Bulk overwrite: commands keep their id when name and type match, others get new ids.
///
/// See Discord Docs/Interactions/Application Commands ("Bulk Overwrite Global Application Commands").
pub(super) fn overwrite_commands(
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

pub(super) fn get_global_commands(s: &mut State, r: &Req) -> Res {
    own_application(s, r)?;
    Ok(Reply::Json(json!(s.global_commands)))
}

pub(super) fn set_global_commands(s: &mut State, r: &Req) -> Res {
    own_application(s, r)?;
    Ok(Reply::Json(json!(overwrite_commands(s, r, None)?)))
}

pub(super) fn get_guild_commands(s: &mut State, r: &Req) -> Res {
    own_application(s, r)?;
    let gid = r.id("guild_id")?;
    guild(s, gid)?;
    Ok(Reply::Json(json!(
        s.guild_commands.get(&gid).cloned().unwrap_or_default()
    )))
}

pub(super) fn set_guild_commands(s: &mut State, r: &Req) -> Res {
    own_application(s, r)?;
    let gid = r.id("guild_id")?;
    guild(s, gid)?;
    Ok(Reply::Json(json!(overwrite_commands(s, r, Some(gid))?)))
}
