//! Lookups and rules shared by the handlers: ids to records with the right 404, the bot's
//! permissions and hierarchy, field helpers.

use serde_json::Value;
use twilight_model::guild::Permissions;

use crate::rest::ApiError;
use crate::state::{Channel, Guild, Member, Message, State};

pub(super) fn guild(s: &State, guild_id: u64) -> Result<&Guild, ApiError> {
    s.guilds
        .get(&guild_id)
        .ok_or_else(|| ApiError::unknown(10004, "Guild"))
}

pub(super) fn channel(s: &State, channel_id: u64) -> Result<&Channel, ApiError> {
    s.channels
        .get(&channel_id)
        .ok_or_else(|| ApiError::unknown(10003, "Channel"))
}

pub(super) fn member<'a>(s: &State, g: &'a Guild, user_id: u64) -> Result<&'a Member, ApiError> {
    g.members.get(&user_id).ok_or_else(|| {
        if s.users.contains_key(&user_id) {
            ApiError::unknown(10007, "Member")
        } else {
            ApiError::unknown(10013, "User")
        }
    })
}

pub(super) fn message(s: &State, channel_id: u64, message_id: u64) -> Result<&Message, ApiError> {
    s.messages
        .get(&message_id)
        .filter(|m| m.channel_id == channel_id && !m.deleted)
        .ok_or_else(|| ApiError::unknown(10008, "Message"))
}

/// The bot's guild-wide permissions must include `perms`.
pub(super) fn need(s: &State, g: &Guild, perms: Permissions) -> Result<(), ApiError> {
    if g.base_permissions(s.bot_id()).contains(perms) {
        Ok(())
    } else {
        Err(ApiError::missing_permissions())
    }
}

/// The bot's permissions in a channel must include `perms`; without VIEW_CHANNEL it is
/// "Missing Access" (50001), as Discord answers.
pub(super) fn need_in(s: &State, c: &Channel, perms: Permissions) -> Result<(), ApiError> {
    if c.recipient_id.is_some() {
        // In a DM only message actions exist. See Discord Docs/Topics/Opcodes and Status Codes (50003).
        let dm_actions = Permissions::VIEW_CHANNEL
            | Permissions::SEND_MESSAGES
            | Permissions::READ_MESSAGE_HISTORY
            | Permissions::ATTACH_FILES
            | Permissions::EMBED_LINKS
            | Permissions::ADD_REACTIONS;
        return if dm_actions.contains(perms) {
            Ok(())
        } else {
            Err(ApiError::new(
                403,
                50003,
                "Cannot execute action on a DM channel",
            ))
        };
    }
    let g = guild(s, c.guild_id)?;
    let have = g.channel_permissions(s.bot_id(), c, s.now());
    if !have.contains(Permissions::VIEW_CHANNEL) {
        return Err(ApiError::missing_access());
    }
    if have.contains(perms) {
        Ok(())
    } else {
        Err(ApiError::missing_permissions())
    }
}

/// Whether the bot may act on `target`: the owner is untouchable, the bot's highest role must
/// be strictly above the target's (unless the bot owns the guild).
///
/// See Discord Docs/Permissions ("Permission Hierarchy").
pub(super) fn outranks(s: &State, g: &Guild, target: u64) -> Result<(), ApiError> {
    let bot = s.bot_id();
    if bot == g.owner_id {
        return Ok(());
    }
    if target == g.owner_id || g.top_position(bot) <= g.top_position(target) {
        return Err(ApiError::missing_permissions());
    }
    Ok(())
}

/// Whether the bot may grant, remove or edit a role: it must sit below the bot's highest role
/// and not be managed by an integration.
pub(super) fn can_manage_role(s: &State, g: &Guild, role_id: u64) -> Result<(), ApiError> {
    let role = g
        .roles
        .get(&role_id)
        .ok_or_else(|| ApiError::unknown(10011, "Role"))?;
    let bot = s.bot_id();
    if role.managed || role_id == g.id {
        return Err(ApiError::missing_permissions());
    }
    if bot != g.owner_id && role.position >= g.top_position(bot) {
        return Err(ApiError::missing_permissions());
    }
    Ok(())
}

pub(super) fn perms_of(value: Option<&Value>) -> Permissions {
    let bits = match value {
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        _ => 0,
    };
    Permissions::from_bits_truncate(bits)
}

pub(super) fn snowflake(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

pub(super) fn u64_of(value: Option<&Value>) -> Option<u64> {
    value.and_then(Value::as_u64)
}

pub(super) fn chars(value: Option<&Value>) -> usize {
    value
        .and_then(Value::as_str)
        .map_or(0, |s| s.chars().count())
}

pub(super) fn too_long(field: &str, max: usize) -> ApiError {
    ApiError::field(
        field,
        "BASE_TYPE_MAX_LENGTH",
        &format!("Must be {max} or fewer in length."),
    )
}

/// 400/50035 for a required text that is empty or missing.
pub(super) fn required(field: &str) -> ApiError {
    ApiError::field(field, "BASE_TYPE_REQUIRED", "This field is required")
}
