//! The REST routes the sandbox serves and Discord's rules for each.
//!
//! Each route's method and path template are exactly as in Discord's OpenAPI description
//! (`spec_conformance` in the tests walks this table against it). A handler runs with the
//! state locked and returns a reply or a Discord error; it never waits.

mod bans;
mod channels;
mod commands;
mod common;
mod guilds;
mod interaction_bodies;
mod interactions;
mod members;
mod message_body;
mod messages;
mod reactions;
mod roles;
mod users;

use crate::rest::{ApiError, Reply, Req};
use crate::state::State;

pub(crate) use self::interactions::interaction_callback;
pub(crate) use self::reactions::react;

type Handler = fn(&mut State, &Req) -> Result<Reply, ApiError>;

/// One REST route: method, path template (below `/api/v10`), whether it needs the bot token.
#[derive(Debug)]
pub(crate) struct Route {
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) auth: bool,
    pub(crate) handler: Handler,
}

const fn bot(method: &'static str, path: &'static str, handler: Handler) -> Route {
    Route {
        method,
        path,
        auth: true,
        handler,
    }
}

const fn open(method: &'static str, path: &'static str, handler: Handler) -> Route {
    Route {
        method,
        path,
        auth: false,
        handler,
    }
}

/// Every route the sandbox serves.
pub(crate) static ROUTES: &[Route] = &[
    bot("GET", "/gateway/bot", users::gateway_bot),
    open("GET", "/gateway", users::gateway),
    bot("GET", "/users/@me", users::current_user),
    bot("GET", "/users/{user_id}", users::get_user),
    bot("POST", "/users/@me/channels", users::create_dm),
    bot("GET", "/applications/@me", users::current_application),
    bot("GET", "/guilds/{guild_id}", guilds::get_guild),
    bot("GET", "/guilds/{guild_id}/roles", roles::list_roles),
    bot("POST", "/guilds/{guild_id}/roles", roles::create_role),
    bot(
        "PATCH",
        "/guilds/{guild_id}/roles/{role_id}",
        roles::update_role,
    ),
    bot(
        "DELETE",
        "/guilds/{guild_id}/roles/{role_id}",
        roles::delete_role,
    ),
    bot("GET", "/guilds/{guild_id}/members", members::list_members),
    bot(
        "GET",
        "/guilds/{guild_id}/members/{user_id}",
        members::get_member,
    ),
    bot(
        "PATCH",
        "/guilds/{guild_id}/members/{user_id}",
        members::update_member,
    ),
    bot(
        "DELETE",
        "/guilds/{guild_id}/members/{user_id}",
        members::kick_member,
    ),
    bot(
        "PUT",
        "/guilds/{guild_id}/members/{user_id}/roles/{role_id}",
        members::add_member_role,
    ),
    bot(
        "DELETE",
        "/guilds/{guild_id}/members/{user_id}/roles/{role_id}",
        members::remove_member_role,
    ),
    bot("GET", "/guilds/{guild_id}/bans", bans::list_bans),
    bot("GET", "/guilds/{guild_id}/bans/{user_id}", bans::get_ban),
    bot("PUT", "/guilds/{guild_id}/bans/{user_id}", bans::create_ban),
    bot(
        "DELETE",
        "/guilds/{guild_id}/bans/{user_id}",
        bans::delete_ban,
    ),
    bot("GET", "/guilds/{guild_id}/audit-logs", guilds::audit_log),
    bot(
        "GET",
        "/guilds/{guild_id}/channels",
        channels::list_channels,
    ),
    bot(
        "POST",
        "/guilds/{guild_id}/channels",
        channels::create_channel,
    ),
    bot("GET", "/channels/{channel_id}", channels::get_channel),
    bot("PATCH", "/channels/{channel_id}", channels::update_channel),
    bot("DELETE", "/channels/{channel_id}", channels::delete_channel),
    bot(
        "PUT",
        "/channels/{channel_id}/permissions/{overwrite_id}",
        channels::put_overwrite,
    ),
    bot(
        "DELETE",
        "/channels/{channel_id}/permissions/{overwrite_id}",
        channels::delete_overwrite,
    ),
    bot(
        "GET",
        "/channels/{channel_id}/messages",
        messages::list_messages,
    ),
    bot(
        "POST",
        "/channels/{channel_id}/messages",
        messages::create_message,
    ),
    bot(
        "GET",
        "/channels/{channel_id}/messages/{message_id}",
        messages::get_message,
    ),
    bot(
        "PATCH",
        "/channels/{channel_id}/messages/{message_id}",
        messages::edit_message,
    ),
    bot(
        "DELETE",
        "/channels/{channel_id}/messages/{message_id}",
        messages::delete_message,
    ),
    bot(
        "POST",
        "/channels/{channel_id}/messages/bulk-delete",
        messages::bulk_delete,
    ),
    bot(
        "PUT",
        "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me",
        reactions::add_reaction,
    ),
    bot(
        "GET",
        "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}",
        reactions::list_reactions,
    ),
    bot(
        "DELETE",
        "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me",
        reactions::remove_own_reaction,
    ),
    bot(
        "DELETE",
        "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/{user_id}",
        reactions::remove_user_reaction,
    ),
    open(
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
        interactions::interaction_callback,
    ),
    open(
        "POST",
        "/webhooks/{webhook_id}/{webhook_token}",
        interactions::create_followup,
    ),
    open(
        "GET",
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
        interactions::get_original,
    ),
    open(
        "PATCH",
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
        interactions::edit_original,
    ),
    open(
        "DELETE",
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
        interactions::delete_original,
    ),
    open(
        "GET",
        "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
        interactions::get_followup,
    ),
    open(
        "PATCH",
        "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
        interactions::edit_followup,
    ),
    open(
        "DELETE",
        "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
        interactions::delete_followup,
    ),
    bot(
        "GET",
        "/applications/{application_id}/commands",
        commands::get_global_commands,
    ),
    bot(
        "PUT",
        "/applications/{application_id}/commands",
        commands::set_global_commands,
    ),
    bot(
        "GET",
        "/applications/{application_id}/guilds/{guild_id}/commands",
        commands::get_guild_commands,
    ),
    bot(
        "PUT",
        "/applications/{application_id}/guilds/{guild_id}/commands",
        commands::set_guild_commands,
    ),
];

type Res = Result<Reply, ApiError>;

/// Limits Discord enforces, with the documentation page each comes from.
pub mod limits {
    /// Message content, in characters. See Discord Docs/Message Resource ("Create Message").
    /// The OpenAPI description says 4000; the documentation (and Discord) say 2000.
    pub const MESSAGE_CONTENT: usize = 2000;
    /// Embeds per message.
    pub const EMBEDS: usize = 10;
    /// Total characters across a message's embeds. See Discord Docs/Message Resource ("Embed Limits").
    pub const EMBED_TOTAL: usize = 6000;
    /// Embed title.
    pub const EMBED_TITLE: usize = 256;
    /// Embed description.
    pub const EMBED_DESCRIPTION: usize = 4096;
    /// Embed fields.
    pub const EMBED_FIELDS: usize = 25;
    /// Embed field name.
    pub const EMBED_FIELD_NAME: usize = 256;
    /// Embed field value.
    pub const EMBED_FIELD_VALUE: usize = 1024;
    /// Embed footer text.
    pub const EMBED_FOOTER: usize = 2048;
    /// Embed author name.
    pub const EMBED_AUTHOR: usize = 256;
    /// How far ahead a timeout may end: 28 days. See Discord Docs/Guild Resource ("Modify Guild Member").
    pub const TIMEOUT_MAX_MS: u64 = 28 * 86_400 * 1000;
    /// `delete_message_seconds` of a ban. See Discord Docs/Guild Resource ("Create Guild Ban").
    pub const BAN_DELETE_SECONDS_MAX: u64 = 604_800;
    /// Slowmode. See Discord Docs/Channel Resource ("Modify Channel").
    pub const RATE_LIMIT_PER_USER_MAX: u64 = 21_600;
    /// Deadline of an interaction's initial response. See Discord Docs/Interactions/Receiving and Responding.
    pub const INTERACTION_RESPONSE_MS: u64 = 3_000;
    /// How long an interaction token is valid for edits and follow-ups.
    pub const INTERACTION_TOKEN_MS: u64 = 15 * 60 * 1000;
    /// Guild or global commands per application.
    pub const COMMANDS: usize = 100;
    /// Files per message (`files[n]` parts and `attachments` entries). See Discord
    /// Docs/Message Resource ("Create Message": "up to 10 files").
    pub const ATTACHMENTS: usize = 10;
    /// The default upload limit per file, 10 MiB: what a guild without boosts gets
    /// (See Discord Docs/Reference, "Uploading Files"). Above it Discord answers 413 with
    /// 40005; `SandboxBuilder::attachment_size_limit` changes it.
    pub const ATTACHMENT_SIZE_DEFAULT: u64 = 10 << 20;
    /// A modal's title. See Discord Docs/Interactions/Receiving and Responding ("Modal").
    pub const MODAL_TITLE: usize = 45;
    /// Top-level components of a modal, at least 1. See Discord Docs/Interactions/Receiving
    /// and Responding ("Modal": "Between 1 and 5 (inclusive) components").
    pub const MODAL_COMPONENTS: usize = 5;
    /// A component's `custom_id`, and a modal's. See Discord Docs/Interactions/Message Components.
    pub const CUSTOM_ID: usize = 100;
    /// A text input's label. See Discord Docs/Components/Reference ("Text Input").
    pub const TEXT_INPUT_LABEL: usize = 45;
    /// A text input's `min_length`/`max_length` and value, in characters.
    pub const TEXT_INPUT_VALUE: usize = 4000;
    /// Choices in an autocomplete result. See Discord Docs/Interactions/Receiving and
    /// Responding ("Autocomplete": "autocomplete choices (max of 25 choices)").
    pub const AUTOCOMPLETE_CHOICES: usize = 25;
    /// A choice's name (and a string choice's value). See Discord Docs/Interactions/Application
    /// Commands ("Application Command Option Choice Structure").
    pub const CHOICE_NAME: usize = 100;
}
