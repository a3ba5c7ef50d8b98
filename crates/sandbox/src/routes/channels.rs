//! Channels and permission overwrites.
//!
//! See Discord Docs/Channel Resource, Guild Resource ("Create Guild Channel").

// Every handler has the same signature so the table can hold it, even those that cannot fail.
#![allow(clippy::unnecessary_wraps)]

use serde_json::{Value, json};
use twilight_model::guild::Permissions;

use crate::events;
use crate::payload::{self};
use crate::rest::{ApiError, Reply, Req};
use crate::state::{Channel, Guild, Overwrite, State, audit_action, channel_kind};

use super::common::{channel, guild, need, need_in, perms_of, snowflake, u64_of};
use super::{Res, limits};

pub(super) fn list_channels(s: &mut State, r: &Req) -> Res {
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

pub(super) fn overwrites_of(value: Option<&Value>) -> Vec<Overwrite> {
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
pub(super) fn check_overwrites(
    s: &State,
    g: &Guild,
    overwrites: &[Overwrite],
) -> Result<(), ApiError> {
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

pub(super) fn check_slowmode(value: Option<&Value>) -> Result<Option<u16>, ApiError> {
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

/// Channels one category holds at most. See Discord Docs/Channel Resource ("Channel Object").
pub(crate) const CATEGORY_CHANNELS_MAX: usize = 50;

pub(super) fn create_channel(s: &mut State, r: &Req) -> Res {
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
    // Discord: a category holds at most 50 channels (400, code 30013).
    if let Some(p) = parent_id
        && s.channels
            .values()
            .filter(|c| c.parent_id == Some(p))
            .count()
            >= CATEGORY_CHANNELS_MAX
    {
        return Err(ApiError::new(
            400,
            30_013,
            "Maximum number of channels in category reached (50)",
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

pub(super) fn get_channel(s: &mut State, r: &Req) -> Res {
    let c = channel(s, r.id("channel_id")?)?;
    need_in(s, c, Permissions::VIEW_CHANNEL)?;
    Ok(Reply::Json(payload::channel(c)))
}

pub(super) fn update_channel(s: &mut State, r: &Req) -> Res {
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

pub(super) fn delete_channel(s: &mut State, r: &Req) -> Res {
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
pub(super) fn put_overwrite(s: &mut State, r: &Req) -> Res {
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

pub(super) fn delete_overwrite(s: &mut State, r: &Req) -> Res {
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
