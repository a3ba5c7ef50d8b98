//! What a chat message costs the store once the bot is warm: exactly one XP grant, whatever
//! features see the message. A feature that asks the store about every message (as tickets
//! once did, "is this a ticket's channel?") puts a query on the busiest path of the bot, and
//! on SQLite it also commits the open group-commit transaction each time: the XP throughput
//! fell from 72,000 to 28,000 messages a second.

use std::sync::Arc;

use hearth::features::Features;
use hearth_core::GuildId;
use hearth_store_sqlite::SqliteStore;
use hearth_xp_engine::{Announce, LevelSettingsStore, SettingsChange};
use twilight_gateway::Event;

#[path = "../benches/support/gateway.rs"]
mod gateway;

const GUILDS: [u64; 2] = [700_000_000_000_000_001, 700_000_000_000_000_002];
const CHANNELS: [u64; 3] = [
    800_000_000_000_000_001,
    800_000_000_000_000_002,
    800_000_000_000_000_003,
];
/// 2026-11-29T12:00:00Z in milliseconds since Discord's epoch.
const BASE_MS: u64 = 1_796_040_000_000 - 1_420_070_400_000;

/// Message `n`: a new member each time (so each one earns), round-robin over the guilds and
/// their channels, a second apart.
fn message(n: usize) -> Event {
    let guild = GUILDS[n % GUILDS.len()];
    let channel = CHANNELS[n / GUILDS.len() % CHANNELS.len()];
    let author = 100_000_000_000_000_000 + n as u64;
    let id = gateway::snowflake(BASE_MS + n as u64 * 1_000, n as u64);
    let json = gateway::message_create(n, id, guild, channel, author);
    let parsed = twilight_gateway::parse(json, hearth::features::EVENTS)
        .expect("a valid payload")
        .expect("MESSAGE_CREATE is decoded");
    Event::from(parsed)
}

#[tokio::test]
async fn a_warm_bot_asks_the_store_one_grant_per_message_and_nothing_else() {
    let store = SqliteStore::open_in_memory().await.unwrap();
    for guild in GUILDS {
        store
            .update_level_settings(
                GuildId::new(guild),
                &SettingsChange::announce(Announce::Off),
            )
            .await
            .unwrap();
    }
    let ctx = gateway::offline_context().await;
    let features = Arc::new(Features::new(&store, &ctx));

    // Warm up: every guild and channel seen once (settings, boosts, automod rules, ticket
    // channels loaded into the cache).
    let warm = GUILDS.len() * CHANNELS.len();
    for n in 0..warm {
        features.event(&ctx, &message(n)).await;
    }
    let before = store.calls();
    assert_eq!(
        before.batched_writes, warm as u64,
        "every warm-up message earned"
    );

    let chat = 60;
    for n in warm..warm + chat {
        features.event(&ctx, &message(n)).await;
    }
    let after = store.calls();
    assert_eq!(
        after.batched_writes - before.batched_writes,
        chat as u64,
        "one grant per message"
    );
    assert_eq!(
        after.queries, before.queries,
        "no other query on a warm message path"
    );
}
