//! Gateway, users, DMs and the application.
//!
//! See Discord Docs/Topics/Gateway ("Get Gateway Bot"), User Resource, Application Resource.

// Every handler has the same signature so the table can hold it, even those that cannot fail.
#![allow(clippy::unnecessary_wraps)]

use serde_json::json;

use crate::payload::{self};
use crate::rest::{ApiError, Reply, Req};
use crate::state::{Channel, State, channel_kind};

use super::Res;
use super::common::snowflake;

pub(super) fn gateway_bot(s: &mut State, _: &Req) -> Res {
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

pub(super) fn gateway(s: &mut State, _: &Req) -> Res {
    Ok(Reply::Json(json!({"url": s.config.gateway_url})))
}

pub(super) fn current_user(s: &mut State, _: &Req) -> Res {
    Ok(Reply::Json(payload::current_user(s)))
}

pub(super) fn get_user(s: &mut State, r: &Req) -> Res {
    let user = s
        .users
        .get(&r.id("user_id")?)
        .ok_or_else(|| ApiError::unknown(10013, "User"))?;
    Ok(Reply::Json(payload::user(user)))
}

/// Create DM: one channel per recipient, reused.
///
/// See Discord Docs/User Resource ("Create DM").
pub(super) fn create_dm(s: &mut State, r: &Req) -> Res {
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

pub(super) fn current_application(s: &mut State, _: &Req) -> Res {
    Ok(Reply::Json(payload::application(s)))
}
