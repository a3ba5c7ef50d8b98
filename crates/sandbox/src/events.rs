//! Gateway dispatches for changes in the state, one function per event.
//!
//! See Discord Docs/Gateway Events for each payload.

use serde_json::{Value, json};

use crate::payload::{self, id};
use crate::state::{
    INTENT_AUTO_MODERATION_EXECUTION, INTENT_DIRECT_MESSAGES, INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGE_REACTIONS, INTENT_GUILD_MESSAGES, INTENT_GUILD_MODERATION, INTENT_GUILDS,
    State,
};

pub(crate) fn member_add(state: &mut State, guild_id: u64, user_id: u64) {
    let Some(m) = state
        .guilds
        .get(&guild_id)
        .and_then(|g| g.members.get(&user_id))
    else {
        return;
    };
    let mut data = payload::member(state, m, true);
    data["guild_id"] = id(guild_id);
    state.dispatch(
        Some(guild_id),
        INTENT_GUILD_MEMBERS,
        "GUILD_MEMBER_ADD",
        &data,
        None,
    );
}

pub(crate) fn member_update(state: &mut State, guild_id: u64, user_id: u64) {
    let Some(m) = state
        .guilds
        .get(&guild_id)
        .and_then(|g| g.members.get(&user_id))
    else {
        return;
    };
    let mut data = payload::member(state, m, true);
    data["guild_id"] = id(guild_id);
    state.dispatch(
        Some(guild_id),
        INTENT_GUILD_MEMBERS,
        "GUILD_MEMBER_UPDATE",
        &data,
        None,
    );
}

pub(crate) fn member_remove(state: &mut State, guild_id: u64, user_id: u64) {
    let data = json!({"guild_id": id(guild_id), "user": payload::user_by_id(state, user_id)});
    state.dispatch(
        Some(guild_id),
        INTENT_GUILD_MEMBERS,
        "GUILD_MEMBER_REMOVE",
        &data,
        None,
    );
}

pub(crate) fn ban(state: &mut State, guild_id: u64, user_id: u64, added: bool) {
    let data = json!({"guild_id": id(guild_id), "user": payload::user_by_id(state, user_id)});
    let name = if added {
        "GUILD_BAN_ADD"
    } else {
        "GUILD_BAN_REMOVE"
    };
    state.dispatch(Some(guild_id), INTENT_GUILD_MODERATION, name, &data, None);
}

pub(crate) fn channel(state: &mut State, channel_id: u64, name: &str) {
    let Some(c) = state.channels.get(&channel_id) else {
        return;
    };
    let (guild, data) = (c.guild_id, payload::channel(c));
    state.dispatch(Some(guild), INTENT_GUILDS, name, &data, None);
}

pub(crate) fn channel_deleted(state: &mut State, data: &Value, guild_id: u64) {
    state.dispatch(Some(guild_id), INTENT_GUILDS, "CHANNEL_DELETE", data, None);
}

pub(crate) fn role(state: &mut State, guild_id: u64, role_id: u64, name: &str) {
    let bot = state.bot_id();
    let data = if name == "GUILD_ROLE_DELETE" {
        json!({"guild_id": id(guild_id), "role_id": id(role_id)})
    } else {
        let Some(r) = state
            .guilds
            .get(&guild_id)
            .and_then(|g| g.roles.get(&role_id))
        else {
            return;
        };
        json!({"guild_id": id(guild_id), "role": payload::role(r, Some(bot))})
    };
    state.dispatch(Some(guild_id), INTENT_GUILDS, name, &data, None);
}

/// MESSAGE_CREATE or MESSAGE_UPDATE; ephemeral messages are never dispatched.
///
/// Without MESSAGE_CONTENT a session gets empty content unless the message mentions the bot
/// or the bot wrote it (See Discord Docs/Gateway, "Message Content Intent").
pub(crate) fn message(state: &mut State, message_id: u64, name: &str) {
    let Some(m) = state.messages.get(&message_id) else {
        return;
    };
    if m.is_ephemeral() {
        return;
    }
    let bot = state.bot_id();
    let exempt = m.author_id == bot || m.mentions.contains(&bot) || m.guild_id == 0;
    let guild_id = m.guild_id;
    if guild_id == 0 {
        let data = payload::message(state, m);
        state.dispatch(None, INTENT_DIRECT_MESSAGES, name, &data, None);
        return;
    }
    let mut data = payload::message(state, m);
    if let Some(member) = state
        .guilds
        .get(&guild_id)
        .and_then(|g| g.members.get(&m.author_id))
    {
        data["member"] = payload::member(state, member, false);
    }
    let stripped = (!exempt).then(|| payload::strip_content(data.clone()));
    state.dispatch(
        Some(guild_id),
        INTENT_GUILD_MESSAGES,
        name,
        &data,
        stripped.as_ref(),
    );
}

pub(crate) fn message_delete(state: &mut State, guild_id: u64, channel_id: u64, message_id: u64) {
    if guild_id == 0 {
        let data = json!({"id": id(message_id), "channel_id": id(channel_id)});
        state.dispatch(None, INTENT_DIRECT_MESSAGES, "MESSAGE_DELETE", &data, None);
        return;
    }
    let data =
        json!({"id": id(message_id), "channel_id": id(channel_id), "guild_id": id(guild_id)});
    state.dispatch(
        Some(guild_id),
        INTENT_GUILD_MESSAGES,
        "MESSAGE_DELETE",
        &data,
        None,
    );
}

pub(crate) fn reaction(state: &mut State, message_id: u64, user_id: u64, emoji: &str, added: bool) {
    let Some(m) = state.messages.get(&message_id) else {
        return;
    };
    let mut data = json!({
        "user_id": id(user_id),
        "channel_id": id(m.channel_id),
        "message_id": id(m.id),
        "guild_id": id(m.guild_id),
        "emoji": payload::emoji(emoji),
        "burst": false,
        "type": 0,
    });
    let guild_id = m.guild_id;
    if added {
        data["message_author_id"] = id(m.author_id);
        data["burst_colors"] = json!([]);
        if let Some(member) = state
            .guilds
            .get(&guild_id)
            .and_then(|g| g.members.get(&user_id))
        {
            data["member"] = payload::member(state, member, true);
        }
    }
    let name = if added {
        "MESSAGE_REACTION_ADD"
    } else {
        "MESSAGE_REACTION_REMOVE"
    };
    state.dispatch(
        Some(guild_id),
        INTENT_GUILD_MESSAGE_REACTIONS,
        name,
        &data,
        None,
    );
}

pub(crate) fn interaction_create(state: &mut State, guild_id: u64, data: &Value) {
    state.dispatch(Some(guild_id), 0, "INTERACTION_CREATE", data, None);
}

pub(crate) fn guild_create(state: &mut State, guild_id: u64) {
    let Some(g) = state.guilds.get(&guild_id) else {
        return;
    };
    let data = payload::guild_create(state, g);
    state.dispatch(Some(guild_id), INTENT_GUILDS, "GUILD_CREATE", &data, None);
}

/// AUTO_MODERATION_ACTION_EXECUTION for a keyword rule's "block message" action: Discord's own
/// AutoMod stopped `content` from `user_id` in `channel_id` (a blocked message gets no id).
/// Without MESSAGE_CONTENT the content fields are empty (See Discord Docs/Gateway Events,
/// "Auto Moderation Action Execution").
pub(crate) fn automod_block(
    state: &mut State,
    guild_id: u64,
    channel_id: u64,
    user_id: u64,
    content: &str,
    keyword: &str,
) {
    let rule_id = state.ids.next();
    let data = json!({
        "guild_id": id(guild_id),
        "action": {"type": 1, "metadata": {}},
        "rule_id": id(rule_id),
        "rule_trigger_type": 1,
        "user_id": id(user_id),
        "channel_id": id(channel_id),
        "content": content,
        "matched_keyword": keyword,
        "matched_content": keyword,
    });
    let mut stripped = data.clone();
    stripped["content"] = json!("");
    stripped["matched_content"] = json!("");
    state.dispatch(
        Some(guild_id),
        INTENT_AUTO_MODERATION_EXECUTION,
        "AUTO_MODERATION_ACTION_EXECUTION",
        &data,
        Some(&stripped),
    );
}
