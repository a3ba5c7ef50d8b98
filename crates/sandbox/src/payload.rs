//! Discord's JSON shapes for the sandbox's objects, as the gateway and REST send them.
//!
//! Every builder here is checked in the tests below by deserializing its output into the
//! matching `twilight-model` type, so a field twilight 0.18 requires cannot go missing.

use serde_json::{Value, json};

use crate::state::{Channel, Guild, Interaction, Member, Message, Role, State, User};
use crate::time::{iso8601, snowflake_ms};

/// Formats an id as Discord does: a string.
pub(crate) fn id(value: u64) -> Value {
    Value::String(value.to_string())
}

/// See Discord Docs/User Resource ("User Object").
pub(crate) fn user(user: &User) -> Value {
    json!({
        "id": id(user.id),
        "username": user.name,
        "discriminator": "0",
        "global_name": null,
        "avatar": crate::cdn::avatar_hash(user.id),
        "bot": user.bot,
        "public_flags": 0,
        "flags": 0,
        "primary_guild": null,
    })
}

pub(crate) fn user_by_id(state: &State, user_id: u64) -> Value {
    state.users.get(&user_id).map_or_else(
        || {
            user(&User {
                id: user_id,
                name: format!("user{user_id}"),
                bot: false,
            })
        },
        user,
    )
}

/// The bot's own user, as READY and `GET /users/@me` send it.
pub(crate) fn current_user(state: &State) -> Value {
    let mut value = user_by_id(state, state.bot_id());
    value["mfa_enabled"] = json!(false);
    value["verified"] = json!(true);
    value["locale"] = json!("en-US");
    value["premium_type"] = json!(0);
    value
}

/// See Discord Docs/Guild Resource ("Guild Member Object").
pub(crate) fn member(state: &State, member: &Member, with_user: bool) -> Value {
    let mut value = json!({
        "nick": member.nick,
        "avatar": null,
        "banner": null,
        "roles": member.roles.iter().map(|r| id(*r)).collect::<Vec<_>>(),
        "joined_at": iso8601(member.joined_at_ms),
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": member.pending,
        "communication_disabled_until": member.communication_disabled_until_ms.map(iso8601),
    });
    if with_user {
        value["user"] = user_by_id(state, member.user_id);
    }
    value
}

/// See Discord Docs/Permissions ("Role Object").
pub(crate) fn role(role: &Role, bot_id: Option<u64>) -> Value {
    let mut value = json!({
        "id": id(role.id),
        "name": role.name,
        "color": role.color,
        "colors": {"primary_color": role.color, "secondary_color": null, "tertiary_color": null},
        "hoist": role.hoist,
        "icon": null,
        "unicode_emoji": null,
        "position": role.position,
        "permissions": role.permissions.bits().to_string(),
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
    });
    if role.managed
        && let Some(bot) = bot_id
    {
        value["tags"] = json!({"bot_id": id(bot)});
    }
    value
}

/// See Discord Docs/Channel Resource ("Channel Object").
pub(crate) fn channel(channel: &Channel) -> Value {
    if channel.recipient_id.is_some() {
        return json!({"id": id(channel.id), "type": channel.kind, "last_message_id": null, "flags": 0});
    }
    json!({
        "id": id(channel.id),
        "type": channel.kind,
        "guild_id": id(channel.guild_id),
        "name": channel.name,
        "position": channel.position,
        "permission_overwrites": channel.overwrites.iter().map(|o| json!({
            "id": id(o.id),
            "type": o.kind,
            "allow": o.allow.bits().to_string(),
            "deny": o.deny.bits().to_string(),
        })).collect::<Vec<_>>(),
        "parent_id": channel.parent_id.map(id),
        "topic": channel.topic,
        "nsfw": channel.nsfw,
        "rate_limit_per_user": channel.rate_limit_per_user,
        "last_message_id": null,
        "flags": 0,
    })
}

fn guild_roles(state: &State, guild: &Guild) -> Vec<Value> {
    let bot = state.bot_id();
    guild.roles.values().map(|r| role(r, Some(bot))).collect()
}

/// The full guild object of GUILD_CREATE.
///
/// See Discord Docs/Gateway Events ("Guild Create").
pub(crate) fn guild_create(state: &State, guild: &Guild) -> Value {
    let channels: Vec<Value> = state
        .channels
        .values()
        .filter(|c| c.guild_id == guild.id)
        .map(channel)
        .collect();
    let bot_joined = guild
        .members
        .get(&state.bot_id())
        .map_or(guild_joined_ms(guild), |m| m.joined_at_ms);
    let mut value = guild_base(state, guild);
    value["joined_at"] = json!(iso8601(bot_joined));
    value["large"] = json!(false);
    value["unavailable"] = json!(false);
    value["member_count"] = json!(guild.members.len());
    value["members"] = json!(
        guild
            .members
            .values()
            .map(|m| member(state, m, true))
            .collect::<Vec<_>>()
    );
    value["channels"] = json!(channels);
    value["threads"] = json!([]);
    value["presences"] = json!([]);
    value["voice_states"] = json!([]);
    value["stage_instances"] = json!([]);
    value["guild_scheduled_events"] = json!([]);
    value["soundboard_sounds"] = json!([]);
    value
}

fn guild_joined_ms(guild: &Guild) -> u64 {
    snowflake_ms(guild.id)
}

/// The guild object of `GET /guilds/{guild_id}`.
///
/// See Discord Docs/Guild Resource ("Guild Object").
pub(crate) fn guild_base(state: &State, guild: &Guild) -> Value {
    json!({
        "id": id(guild.id),
        "name": guild.name,
        "icon": null,
        "splash": null,
        "discovery_splash": null,
        "banner": null,
        "description": null,
        "owner_id": id(guild.owner_id),
        "afk_channel_id": null,
        "afk_timeout": 300,
        "widget_enabled": false,
        "widget_channel_id": null,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": guild_roles(state, guild),
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "application_id": null,
        "system_channel_id": null,
        "system_channel_flags": 0,
        "rules_channel_id": null,
        "public_updates_channel_id": null,
        "safety_alerts_channel_id": null,
        "max_members": 500_000,
        "vanity_url_code": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "nsfw_level": 0,
        "nsfw": false,
        "premium_progress_bar_enabled": false,
    })
}

/// See Discord Docs/Message Resource ("Message Object").
pub(crate) fn message(state: &State, message: &Message) -> Value {
    let bot = state.bot_id();
    let rest_base = &state.config.rest_base;
    let interaction = message
        .interaction_id
        .and_then(|i| state.interactions.get(&i));
    let kind = match interaction {
        Some(i) if i.kind == 2 => 20,
        _ => 0,
    };
    let mut value = json!({
        "id": id(message.id),
        "channel_id": id(message.channel_id),
        "guild_id": id(message.guild_id),
        "author": user_by_id(state, message.author_id),
        "content": message.content,
        "timestamp": iso8601(snowflake_ms(message.id)),
        "edited_timestamp": message.edited_ms.map(iso8601),
        "tts": false,
        "mention_everyone": message.mention_everyone,
        "mentions": message.mentions.iter().map(|u| user_by_id(state, *u)).collect::<Vec<_>>(),
        "mention_roles": message.mention_roles.iter().map(|r| id(*r)).collect::<Vec<_>>(),
        "attachments": message.attachments.iter().map(|a| json!({
            "id": id(a.id),
            "filename": a.filename,
            "description": a.description,
            "content_type": a.content_type,
            "size": a.bytes.len(),
            "url": format!("{rest_base}/attachments/{}/{}/{}", message.channel_id, a.id, a.filename),
            "proxy_url": format!("{rest_base}/attachments/{}/{}/{}", message.channel_id, a.id, a.filename),
        })).collect::<Vec<_>>(),
        "embeds": message.embeds,
        "components": message.components,
        "pinned": false,
        "type": kind,
        "flags": message.flags,
    });
    if message.guild_id == 0 {
        value.as_object_mut().map(|o| o.remove("guild_id"));
    }
    if !message.reactions.is_empty() {
        value["reactions"] = json!(
            message
                .reactions
                .iter()
                .map(|r| json!({
                    "count": r.users.len(),
                    "count_details": {"burst": 0, "normal": r.users.len()},
                    "me": r.users.contains(&bot),
                    "me_burst": false,
                    "burst_colors": [],
                    "emoji": emoji(&r.emoji),
                }))
                .collect::<Vec<_>>()
        );
    }
    if let Some(i) = interaction {
        value["application_id"] = id(state.config.application_id);
        value["webhook_id"] = id(state.config.application_id);
        value["interaction_metadata"] = json!({
            "id": id(i.id),
            "type": i.kind,
            "user": user_by_id(state, i.user_id),
            "authorizing_integration_owners": {"0": id(i.guild_id)},
        });
    }
    value
}

/// The message of MESSAGE_CREATE for a session without MESSAGE_CONTENT.
///
/// See Discord Docs/Gateway ("Message Content Intent").
pub(crate) fn strip_content(mut value: Value) -> Value {
    value["content"] = json!("");
    value["embeds"] = json!([]);
    value["attachments"] = json!([]);
    value["components"] = json!([]);
    value
}

/// A DM channel with its recipient, as `POST /users/@me/channels` answers.
///
/// See Discord Docs/User Resource ("Create DM").
pub(crate) fn dm_channel(state: &State, channel: &Channel) -> Value {
    let mut value = self::channel(channel);
    value["recipients"] = json!([user_by_id(state, channel.recipient_id.unwrap_or(0))]);
    value
}

/// A partial emoji: `{id:null,name:"👍"}` or `{id,name}` from `name:id`.
pub(crate) fn emoji(text: &str) -> Value {
    match text.rsplit_once(':') {
        Some((name, custom)) if custom.parse::<u64>().is_ok() => {
            json!({"id": custom, "name": name, "animated": false})
        }
        _ => json!({"id": null, "name": text}),
    }
}

/// See Discord Docs/Gateway Events ("Ready").
pub(crate) fn ready(state: &State, session_id: &str, shard: [u32; 2], resume_url: &str) -> Value {
    let guilds: Vec<Value> = state
        .guilds
        .keys()
        .filter(|g| State::shard_for(**g, shard[1]) == shard[0])
        .map(|g| json!({"id": id(*g), "unavailable": true}))
        .collect();
    json!({
        "v": 10,
        "user": current_user(state),
        "guilds": guilds,
        "session_id": session_id,
        "resume_gateway_url": resume_url,
        "shard": shard,
        "application": {"id": id(state.config.application_id), "flags": application_flags(state)},
        "private_channels": [],
        "presences": [],
        "relationships": [],
        "guild_join_requests": [],
        "auth": {},
        "user_settings": {},
        "geo_ordered_rtc_regions": [],
    })
}

/// Application flags telling which privileged intents are enabled (the "limited" bits).
///
/// See Discord Docs/Application Resource ("Application Flags").
pub(crate) fn application_flags(state: &State) -> u64 {
    use crate::state::{INTENT_GUILD_MEMBERS, INTENT_GUILD_PRESENCES, INTENT_MESSAGE_CONTENT};
    let p = state.config.privileged_intents;
    let mut flags = 0;
    if p & INTENT_GUILD_PRESENCES != 0 {
        flags |= 1 << 13;
    }
    if p & INTENT_GUILD_MEMBERS != 0 {
        flags |= 1 << 15;
    }
    if p & INTENT_MESSAGE_CONTENT != 0 {
        flags |= 1 << 19;
    }
    flags
}

/// See Discord Docs/Application Resource ("Application Object").
pub(crate) fn application(state: &State) -> Value {
    json!({
        "id": id(state.config.application_id),
        "name": "Hearth Sandbox",
        "icon": null,
        "description": "A local Discord application",
        "summary": "",
        "type": null,
        "bot_public": true,
        "bot_require_code_grant": false,
        "verify_key": "0000000000000000000000000000000000000000000000000000000000000000",
        "flags": application_flags(state),
        "team": null,
        "owner": user_by_id(state, state.bot_id()),
        "bot": user_by_id(state, state.bot_id()),
        "tags": [],
        "redirect_uris": [],
        "interactions_endpoint_url": null,
        "approximate_guild_count": state.guilds.len(),
        "integration_types_config": {"0": {}},
    })
}

/// The member object inside an interaction: no nested `user` in `resolved`, with permissions.
pub(crate) fn interaction_member(
    state: &State,
    guild: &Guild,
    m: &Member,
    channel: &Channel,
    with_user: bool,
) -> Value {
    let mut value = member(state, m, with_user);
    value["permissions"] = json!(
        guild
            .channel_permissions(m.user_id, channel, state.now())
            .bits()
            .to_string()
    );
    value
}

/// The bot's permissions in a DM: view, send, embed, attach, read history, add reactions.
const DM_APP_PERMISSIONS: u64 =
    (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 6);

/// See Discord Docs/Interactions/Receiving and Responding ("Interaction Object").
pub(crate) fn interaction(
    state: &State,
    interaction: &Interaction,
    data: &Value,
    message: Option<Value>,
) -> Value {
    let channel = &state.channels[&interaction.channel_id];
    let Some(guild) = state.guilds.get(&interaction.guild_id) else {
        // In the bot's DM: `user` instead of `member`, context 1, and "0" as the guild install
        // owner (See Discord Docs/Interactions/Receiving and Responding, "Interaction Object").
        let mut value = json!({
            "id": id(interaction.id),
            "application_id": id(state.config.application_id),
            "type": interaction.kind,
            "data": data.clone(),
            "channel": dm_channel(state, channel),
            "channel_id": id(channel.id),
            "user": user_by_id(state, interaction.user_id),
            "token": interaction.token,
            "version": 1,
            "app_permissions": DM_APP_PERMISSIONS.to_string(),
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": "0"},
            "context": 1,
            "attachment_size_limit": state.config.attachment_size_limit,
        });
        if let Some(m) = message {
            value["message"] = m;
        }
        return value;
    };
    let member = &guild.members[&interaction.user_id];
    let bot_perms = guild.channel_permissions(state.bot_id(), channel, state.now());
    let mut value = json!({
        "id": id(interaction.id),
        "application_id": id(state.config.application_id),
        "type": interaction.kind,
        "data": data.clone(),
        "guild_id": id(guild.id),
        "guild": {"id": id(guild.id), "locale": "en-US", "features": []},
        "channel": self::channel(channel),
        "channel_id": id(channel.id),
        "member": interaction_member(state, guild, member, channel, true),
        "token": interaction.token,
        "version": 1,
        "app_permissions": bot_perms.bits().to_string(),
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": id(guild.id)},
        "context": 0,
        "attachment_size_limit": state.config.attachment_size_limit,
    });
    if let Some(m) = message {
        value["message"] = m;
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Config, Member, Role};
    use twilight_model::guild::Permissions;

    fn state() -> State {
        let mut s = State::new(Config {
            token: "t".into(),
            application_id: 10,
            bot_id: 11,
            shards: 1,
            privileged_intents: crate::state::PRIVILEGED_INTENTS,
            heartbeat_interval_ms: 41_250,
            attachment_size_limit: 10 << 20,
            gateway_url: "ws://127.0.0.1:1".into(),
            rest_base: "http://127.0.0.1:2".into(),
        });
        let gid = s.ids.next();
        let mut g = Guild {
            id: gid,
            name: "g".into(),
            owner_id: 12,
            roles: std::collections::BTreeMap::new(),
            members: std::collections::BTreeMap::new(),
            bans: std::collections::BTreeMap::new(),
        };
        g.roles.insert(
            gid,
            Role {
                id: gid,
                name: "@everyone".into(),
                position: 0,
                permissions: Permissions::SEND_MESSAGES | Permissions::VIEW_CHANNEL,
                managed: false,
                color: 0,
                hoist: false,
                mentionable: false,
            },
        );
        g.members.insert(
            11,
            Member {
                user_id: 11,
                nick: None,
                roles: vec![],
                joined_at_ms: 1_700_000_000_000,
                communication_disabled_until_ms: Some(1_800_000_000_000),
                pending: false,
            },
        );
        s.channels.insert(
            5,
            Channel {
                id: 5,
                guild_id: gid,
                name: "general".into(),
                kind: 0,
                parent_id: None,
                position: 0,
                topic: None,
                overwrites: vec![],
                rate_limit_per_user: 0,
                nsfw: false,
                recipient_id: None,
            },
        );
        s.guilds.insert(gid, g);
        s
    }

    #[test]
    fn payloads_deserialize_into_twilight_models() {
        use twilight_model::gateway::payload::incoming::{GuildCreate, Ready};
        let s = state();
        let g = s.guilds.values().next().unwrap();
        let ready: Ready = serde_json::from_value(ready(&s, "abc", [0, 1], "ws://x")).unwrap();
        assert_eq!(ready.session_id, "abc");
        let created: GuildCreate = serde_json::from_value(guild_create(&s, g)).unwrap();
        assert!(matches!(created, GuildCreate::Available(_)));
        let _: twilight_model::guild::Member =
            serde_json::from_value(member(&s, &g.members[&11], true)).unwrap();
        let _: twilight_model::user::CurrentUser =
            serde_json::from_value(current_user(&s)).unwrap();
        let _: twilight_model::oauth::Application =
            serde_json::from_value(application(&s)).unwrap();
        let _: twilight_model::channel::Channel =
            serde_json::from_value(channel(&s.channels[&5])).unwrap();
    }
}
