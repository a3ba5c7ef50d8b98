//! What chat costs the store once the bot is warm: exactly one XP grant a message, whatever
//! features see it, nothing for a reaction on an ordinary message, nothing for a member
//! update in a guild with no autorole. A feature that asks the
//! store about every message (as tickets once did, "is this a ticket's channel?") or every
//! reaction (as role menus did, "is this message a menu?") puts a query on the busiest path of
//! the bot, and on SQLite it also commits the open group-commit transaction each time: the XP
//! throughput fell from 72,000 to 28,000 messages a second.

use hearth::{context::Context, features::Features};
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
/// Messages (and reactions) that warm the caches: every guild and channel once.
const WARM: usize = GUILDS.len() * CHANNELS.len();
/// 2026-11-29T12:00:00Z in milliseconds since Discord's epoch.
const BASE_MS: u64 = 1_796_040_000_000 - 1_420_070_400_000;

/// Message `n`: a new member each time (so each one earns), round-robin over the guilds and
/// their channels, a second apart.
fn message(n: usize) -> Event {
    event(gateway::message_create(
        n,
        gateway::snowflake(BASE_MS + n as u64 * 1_000, n as u64),
        GUILDS[n % GUILDS.len()],
        CHANNELS[n / GUILDS.len() % CHANNELS.len()],
        100_000_000_000_000_000 + n as u64,
    ))
}

/// Reaction `n`: a member's 👍 on message `n`, in the same guild and channel.
fn reaction(n: usize) -> Event {
    event(gateway::reaction_add(
        n,
        GUILDS[n % GUILDS.len()],
        CHANNELS[n / GUILDS.len() % CHANNELS.len()],
        gateway::snowflake(BASE_MS + n as u64 * 1_000, n as u64),
        100_000_000_000_000_000 + n as u64 + 1,
    ))
}

fn event(json: String) -> Event {
    let parsed = twilight_gateway::parse(json, hearth::features::EVENTS)
        .expect("a valid payload")
        .expect("the event is decoded");
    Event::from(parsed)
}

async fn warm_bot() -> (SqliteStore, Context, Features<SqliteStore>) {
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
    let features = Features::new(&store, &ctx);
    // Every guild and channel seen once (settings, boosts, automod rules, ticket channels,
    // reaction menus, autoroles loaded into the cache).
    for n in 0..WARM {
        features.event(&ctx, &message(n)).await;
        features.event(&ctx, &reaction(n)).await;
        let json = gateway::member_update(n, GUILDS[n % 2], 100_000_000_000_000_000 + n as u64);
        features.event(&ctx, &event(json)).await;
    }
    (store, ctx, features)
}

#[tokio::test]
async fn a_warm_bot_asks_the_store_one_grant_per_message_and_nothing_else() {
    let (store, ctx, features) = Box::pin(warm_bot()).await;
    let before = store.calls();
    assert_eq!(
        before.batched_writes, WARM as u64,
        "every warm-up message earned"
    );
    let chat = 60;
    for n in WARM..WARM + chat {
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

#[tokio::test]
async fn a_warm_bot_asks_the_store_nothing_about_reactions_on_ordinary_messages() {
    let (store, ctx, features) = Box::pin(warm_bot()).await;
    let before = store.calls();
    for n in WARM..WARM + 60 {
        features.event(&ctx, &reaction(n)).await;
    }
    assert_eq!(
        store.calls(),
        before,
        "no query for a reaction on a chat message"
    );
}

#[tokio::test]
async fn a_warm_bot_asks_the_store_nothing_about_member_updates_without_autoroles() {
    let (store, ctx, features) = Box::pin(warm_bot()).await;
    let before = store.calls();
    for n in 0..60 {
        let json = gateway::member_update(n, GUILDS[n % 2], 100_000_000_000_000_000 + n as u64);
        features.event(&ctx, &event(json)).await;
    }
    assert_eq!(store.calls(), before, "no query for a nickname change");
}
