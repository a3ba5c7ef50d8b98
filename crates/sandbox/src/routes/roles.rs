//! Roles: list, create, edit, delete.
//!
//! See Discord Docs/Guild Resource ("Create Guild Role", "Modify Guild Role").

// Every handler has the same signature so the table can hold it, even those that cannot fail.
#![allow(clippy::unnecessary_wraps)]

use serde_json::{Value, json};
use twilight_model::guild::Permissions;

use crate::events;
use crate::payload::{self};
use crate::rest::{ApiError, Reply, Req};
use crate::state::{Role, State, audit_action};

use super::Res;
use super::common::{can_manage_role, guild, need, perms_of, u64_of};

pub(super) fn list_roles(s: &mut State, r: &Req) -> Res {
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
pub(super) fn create_role(s: &mut State, r: &Req) -> Res {
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

pub(super) fn update_role(s: &mut State, r: &Req) -> Res {
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

pub(super) fn delete_role(s: &mut State, r: &Req) -> Res {
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
