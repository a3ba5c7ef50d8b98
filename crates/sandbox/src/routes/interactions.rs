//! Interaction responses, follow-ups and the original response, over the interaction's
//! webhook.
//!
//! See Discord Docs/Interactions/Receiving and Responding.

// Every handler has the same signature so the table can hold it, even those that cannot fail.
#![allow(clippy::unnecessary_wraps)]

use serde_json::{Value, json};

use crate::events;
use crate::payload::{self, id};
use crate::rest::{ApiError, Reply, Req};
use crate::state::{ResponseKind, State};

use super::common::u64_of;
use super::interaction_bodies::{check_autocomplete, check_modal};
use super::message_body::{apply_edit, build_message};
use super::{Res, limits};

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
        ResponseKind::Autocomplete => check_autocomplete(&data)?,
        ResponseKind::Modal => check_modal(&data)?,
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
pub(super) fn webhook_interaction(s: &State, r: &Req) -> Result<u64, ApiError> {
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

pub(super) fn create_followup(s: &mut State, r: &Req) -> Res {
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

pub(super) fn original(s: &State, iid: u64) -> Result<u64, ApiError> {
    s.interactions[&iid]
        .original_message
        .filter(|m| s.messages.get(m).is_some_and(|m| !m.deleted))
        .ok_or_else(|| ApiError::unknown(10008, "Message"))
}

pub(super) fn get_original(s: &mut State, r: &Req) -> Res {
    let iid = webhook_interaction(s, r)?;
    let mid = original(s, iid)?;
    Ok(Reply::Json(payload::message(s, &s.messages[&mid])))
}

/// Edit Original Interaction Response; after a deferred response the first edit creates the
/// message (Discord shows "thinking…" until then).
pub(super) fn edit_original(s: &mut State, r: &Req) -> Res {
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

pub(super) fn delete_original(s: &mut State, r: &Req) -> Res {
    let iid = webhook_interaction(s, r)?;
    let mid = original(s, iid)?;
    let m = s.messages.get_mut(&mid).expect("checked");
    m.deleted = true;
    let (gid, cid) = (m.guild_id, m.channel_id);
    events::message_delete(s, gid, cid, mid);
    Ok(Reply::Empty)
}

pub(super) fn followup(s: &State, r: &Req) -> Result<u64, ApiError> {
    let iid = webhook_interaction(s, r)?;
    let mid = r.id("message_id")?;
    let i = &s.interactions[&iid];
    if i.followups.contains(&mid) || i.original_message == Some(mid) {
        Ok(mid)
    } else {
        Err(ApiError::unknown(10008, "Message"))
    }
}

pub(super) fn get_followup(s: &mut State, r: &Req) -> Res {
    let mid = followup(s, r)?;
    Ok(Reply::Json(payload::message(s, &s.messages[&mid])))
}

pub(super) fn edit_followup(s: &mut State, r: &Req) -> Res {
    let mid = followup(s, r)?;
    let mut m = s.messages[&mid].clone();
    apply_edit(s, &mut m, &r.json, &r.files)?;
    s.messages.insert(mid, m);
    events::message(s, mid, "MESSAGE_UPDATE");
    Ok(Reply::Json(payload::message(s, &s.messages[&mid])))
}

pub(super) fn delete_followup(s: &mut State, r: &Req) -> Res {
    let mid = followup(s, r)?;
    let m = s.messages.get_mut(&mid).expect("checked");
    m.deleted = true;
    let (gid, cid) = (m.guild_id, m.channel_id);
    events::message_delete(s, gid, cid, mid);
    Ok(Reply::Empty)
}
