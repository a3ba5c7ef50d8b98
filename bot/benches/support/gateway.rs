//! Gateway payloads as Discord sends them, and a bot context that calls no Discord: shared by
//! the XP benchmark and the message-path test (`bot/tests/message_path.rs`).

use std::sync::Arc;

use hearth::{context::Context, discord::Discord, metrics::Metrics};
use hearth_core::{SystemClock, UserId};

/// A member's `MESSAGE_CREATE` dispatch, sequence number `seq`, message `id` (its snowflake
/// carries the time), sent in `channel` of `guild` by `author`.
pub(crate) fn message_create(seq: usize, id: u64, guild: u64, channel: u64, author: u64) -> String {
    format!(
        r#"{{"op":0,"s":{seq},"t":"MESSAGE_CREATE","d":{{"type":0,"tts":false,"timestamp":"2026-11-29T12:00:00.000000+00:00","pinned":false,"mentions":[],"mention_roles":[],"mention_everyone":false,"member":{{"roles":["900000000000000001"],"premium_since":null,"pending":false,"nick":null,"mute":false,"joined_at":"2024-03-01T10:00:00.000000+00:00","flags":0,"deaf":false,"communication_disabled_until":null,"avatar":null}},"id":"{id}","flags":0,"embeds":[],"edited_timestamp":null,"content":"good morning everyone, how is the build going today?","components":[],"channel_id":"{channel}","author":{{"username":"member{author}","public_flags":0,"id":"{author}","global_name":"Member","discriminator":"0","avatar":null}},"attachments":[],"guild_id":"{guild}"}}}}"#
    )
}

/// A member's `MESSAGE_REACTION_ADD` dispatch, sequence number `seq`: `user` put 👍 on
/// `message` in `channel` of `guild`.
#[allow(dead_code)]
pub(crate) fn reaction_add(
    seq: usize,
    guild: u64,
    channel: u64,
    message: u64,
    user: u64,
) -> String {
    format!(
        r#"{{"op":0,"s":{seq},"t":"MESSAGE_REACTION_ADD","d":{{"user_id":"{user}","type":0,"message_id":"{message}","message_author_id":"{user}","member":{{"user":{{"username":"member{user}","public_flags":0,"id":"{user}","global_name":"Member","discriminator":"0","avatar":null}},"roles":[],"premium_since":null,"pending":false,"nick":null,"mute":false,"joined_at":"2024-03-01T10:00:00.000000+00:00","flags":0,"deaf":false,"communication_disabled_until":null,"avatar":null}},"emoji":{{"name":"👍","id":null}},"channel_id":"{channel}","burst":false,"burst_colors":[],"guild_id":"{guild}"}}}}"#
    )
}

/// A `GUILD_MEMBER_UPDATE` dispatch, sequence number `seq`: `user` of `guild` changed their
/// nickname (past membership screening).
#[allow(dead_code)]
pub(crate) fn member_update(seq: usize, guild: u64, user: u64) -> String {
    format!(
        r#"{{"op":0,"s":{seq},"t":"GUILD_MEMBER_UPDATE","d":{{"user":{{"username":"member{user}","public_flags":0,"id":"{user}","global_name":"Member","discriminator":"0","avatar":null}},"roles":[],"premium_since":null,"pending":false,"nick":"new name {seq}","mute":false,"joined_at":"2024-03-01T10:00:00.000000+00:00","flags":0,"deaf":false,"communication_disabled_until":null,"avatar":null,"guild_id":"{guild}"}}}}"#
    )
}

/// The snowflake of a message sent `ms` milliseconds after Discord's epoch (2015-01-01), told
/// apart from others of the same millisecond by `n` (below 4,096).
pub(crate) fn snowflake(ms: u64, n: u64) -> u64 {
    (ms << 22) | (n % 4_096)
}

/// The bot's context with the in-process cache and a Discord client that has no token and is
/// never called (guilds that announce nowhere and have no level roles make no call).
pub(crate) async fn offline_context() -> Context {
    let metrics = Arc::new(Metrics::default());
    let http = Arc::new(twilight_http::Client::new(String::new()));
    Context::new(
        Discord::new(http, twilight_model::id::Id::new(1), Arc::clone(&metrics)),
        hearth_cache::Cache::connect(hearth_cache::CacheConfig::default())
            .await
            .expect("cache"),
        Arc::new(twilight_cache_inmemory::DefaultInMemoryCache::new()),
        UserId::new(2),
        metrics,
        Arc::new(SystemClock),
    )
}
