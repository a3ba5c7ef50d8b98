//! The message → XP path on SQLite: `MESSAGE_CREATE` gateway JSON through twilight's parser,
//! the bot's feature list and the leveling feature (settings and boosts from the cache, the
//! grant in the store) until the grant is stored. A program that prints figures, not a timed
//! test: `cargo bench -p hearth --bench xp` (`-- --messages N` for a shorter run).
//!
//! The load: 1,000,000 messages from 100,000 members in 1,000 guilds (100 members each), ten
//! rounds in which every member speaks once, 61 seconds apart in Discord time, so every
//! message earns (the cooldown check still runs in the store for each). Messages are handled
//! by [`IN_FLIGHT`] concurrent tasks, one message at a time each, as the bot's
//! [`EVENT_WORKERS`](hearth::pipeline::EVENT_WORKERS) event workers do. Guilds announce level-ups
//! nowhere and have no level roles, so no Discord call is made: the figures are the XP path's.
//!
//! Every feature of the bot sees each message, as in the bot (automod, tickets' activity, …).
//!
//! Printed: messages/s, latency per message (p50, p99, max) from the JSON to the stored grant,
//! store calls per message as the store counts them (so a feature that asks the store about
//! every message shows here), SQL statements per grant, grants per commit, CPU per message,
//! and the settings cache's hit rate.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use hearth::{context::Context, features::Features};
use hearth_core::{GuildId, UserId};
use hearth_store_sqlite::{OPEN_MAX, SqliteStore};
use hearth_xp_engine::{Announce, LevelSettingsStore, SettingsChange, XpStore};
use twilight_gateway::Event;

// Each benchmark uses part of it.
#[allow(dead_code)]
#[path = "support/cpu.rs"]
mod cpu;
#[path = "support/gateway.rs"]
mod gateway;
// The percentiles every benchmark of the workspace uses (nearest rank).
#[allow(dead_code)]
#[path = "../../tests/benches/support/stats.rs"]
mod stats;

use stats::percentile;

/// Messages in a full run.
const MESSAGES: usize = 1_000_000;
/// Members, spread evenly over the guilds.
const MEMBERS: usize = 100_000;
/// Guilds.
const GUILDS: usize = 1_000;
/// Messages handled at once: one per event worker of the bot.
const IN_FLIGHT: usize = hearth::pipeline::EVENT_WORKERS;
/// The targets (issue 13): ≥ 50,000 messages/s, p99 < 1 ms.
const THROUGHPUT_TARGET: f64 = 50_000.0;
const P99_TARGET: Duration = Duration::from_millis(1);
/// SQL statements in one grant: the conditional upsert (returning the member before and
/// after) and the savepoint around it in the shared transaction (`SAVEPOINT`, `RELEASE`).
/// The day's activity is one more per guild and transaction.
const STATEMENTS_PER_GRANT: u64 = 3;
/// 2026-11-29T12:00:00Z, in milliseconds since Discord's epoch (2015-01-01).
const BASE_MS: u64 = 1_796_040_000_000 - 1_420_070_400_000;

/// The `n`th message: member `n % MEMBERS` in their guild, in round `n / MEMBERS`.
fn payload(n: usize) -> String {
    let (round, member) = (n / MEMBERS, n % MEMBERS);
    let guild = 700_000_000_000_000_000 + (member % GUILDS) as u64;
    let author = 100_000_000_000_000_000 + member as u64;
    let ms = BASE_MS + round as u64 * 61_000 + (member / 4_096) as u64;
    let id = gateway::snowflake(ms, member as u64);
    gateway::message_create(n, id, guild, 800_000_000_000_000_001, author)
}

/// The store (every guild announcing nowhere) and the bot's context, its Discord pointing
/// nowhere (no call is made).
async fn world(dir: &tempfile::TempDir) -> (SqliteStore, Context) {
    let store = SqliteStore::open(dir.path().join("bench.db"))
        .await
        .expect("store");
    for guild in 0..GUILDS {
        store
            .update_level_settings(
                GuildId::new(700_000_000_000_000_000 + guild as u64),
                &SettingsChange::announce(Announce::Off),
            )
            .await
            .expect("settings");
    }
    let ctx = gateway::offline_context().await;
    (store, ctx)
}

/// Checks in the store that every message of member 7 earned, so the figures are of work done.
async fn every_message_earned(store: &SqliteStore, messages: usize) {
    let sample = UserId::new(100_000_000_000_000_000 + 7);
    let stored = store
        .member(GuildId::new(700_000_000_000_000_007), sample)
        .await
        .expect("read")
        .expect("the member earned");
    let sent = (0..messages.div_ceil(MEMBERS))
        .filter(|round| round * MEMBERS + 7 < messages)
        .count();
    assert_eq!(
        usize::try_from(stored.messages).expect("a count"),
        sent,
        "every message of member 7 earned"
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let messages = std::env::args()
        .skip_while(|a| a != "--messages")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(MESSAGES);
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, ctx) = world(&dir).await;
    let features = Arc::new(Features::new(&store, &ctx));
    let next = Arc::new(AtomicUsize::new(0));
    let (writer_before, all_before) = (cpu::threads(Some("hearth-sqlite")), cpu::threads(None));
    let calls_before = store.calls();
    let started = Instant::now();
    let workers: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let (features, ctx, next) = (Arc::clone(&features), ctx.clone(), Arc::clone(&next));
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(messages / IN_FLIGHT + 1);
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= messages {
                        return latencies;
                    }
                    let json = payload(n);
                    let start = Instant::now();
                    let parsed = twilight_gateway::parse(json, hearth::features::EVENTS)
                        .expect("a valid payload")
                        .expect("MESSAGE_CREATE is decoded");
                    features.event(&ctx, &Event::from(parsed)).await;
                    latencies.push(start.elapsed());
                }
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(messages);
    for worker in workers {
        latencies.extend(worker.await.expect("worker"));
    }
    let elapsed = started.elapsed();
    let calls_after = store.calls();
    let writer_cpu = cpu::threads(Some("hearth-sqlite")).saturating_sub(writer_before);
    let all_cpu = cpu::threads(None).saturating_sub(all_before);
    latencies.sort_unstable();
    #[allow(clippy::cast_precision_loss)]
    let rate = messages as f64 / elapsed.as_secs_f64();
    let (p50, p99, max) = (
        percentile(&latencies, 50),
        percentile(&latencies, 99),
        latencies[latencies.len() - 1],
    );

    every_message_earned(&store, messages).await;

    let stats = ctx.cache.stats().total();
    let (calls, queries, grants, commits) = (
        calls_after.total() - calls_before.total(),
        calls_after.queries - calls_before.queries,
        calls_after.batched_writes - calls_before.batched_writes,
        calls_after.batch_commits - calls_before.batch_commits,
    );
    #[allow(clippy::cast_precision_loss)]
    let (store_calls, per_commit) = (
        calls as f64 / messages as f64,
        grants as f64 / commits.max(1) as f64,
    );
    println!(
        "xp pipeline on SQLite: {messages} messages from {} members in {GUILDS} guilds, {IN_FLIGHT} in flight",
        MEMBERS.min(messages)
    );
    println!(
        "  throughput  {rate:>10.0} messages/s (target ≥ {THROUGHPUT_TARGET:.0}) over {elapsed:.2?}"
    );
    println!("  latency     p50 {p50:?}  p99 {p99:?}  max {max:?} (p99 target < {P99_TARGET:?})");
    println!(
        "  store       {store_calls:.4} calls per message, counted by the store: {grants} grants and {queries} other queries (the cache's loads: {})",
        stats.loads
    );
    println!(
        "              {STATEMENTS_PER_GRANT} SQL statements per grant (2 of them the savepoint) + activity once per guild and transaction; {commits} commits, {per_commit:.0} grants each, {OPEN_MAX:?} at most after"
    );
    #[allow(clippy::cast_precision_loss)]
    let per_message = |cpu: Duration| cpu.as_secs_f64() * 1e6 / messages as f64;
    println!(
        "  cpu         {:.1} µs a message in all ({:.1} µs in the SQLite writer thread: one thread's ceiling {:.0} messages/s)",
        per_message(all_cpu),
        per_message(writer_cpu),
        1e6 / per_message(writer_cpu).max(f64::MIN_POSITIVE),
    );
    println!(
        "  cache       hit rate {:.4} ({} reads, {} misses)",
        stats.hit_rate(),
        stats.reads(),
        stats.tier1_misses
    );
}
