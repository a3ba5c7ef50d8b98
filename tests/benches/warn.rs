//! Bot-side handling time of `/warn`: from the bot receiving the interaction to it sending the
//! first response, over 1,000 interactions against the sandbox on SQLite, and the REST
//! requests each `/warn` makes. A program that prints figures, not a timed test:
//! `cargo bench -p hearth-e2e`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

// The scenarios' harness: the same guild, the same bot, the same configuration.
#[allow(dead_code, unused_imports, unused_macros)]
#[path = "../e2e/harness.rs"]
mod harness;
#[allow(dead_code, unused_imports)]
#[path = "../e2e/mongo_uri.rs"]
mod mongo_uri;
#[allow(dead_code)]
#[path = "../e2e/outage.rs"]
mod outage;
#[allow(dead_code)]
#[path = "support/stats.rs"]
mod stats;

use harness::{Store, World, warn};
use stats::{percentile, sorted, summary};

/// How many `/warn` interactions are timed.
const WARNS: usize = 1_000;
/// Members warned in turn, four times each: the third warning of each (the third quarter of
/// the run) escalates to a timeout: the bot answers "thinking…" first, then asks Discord.
const MEMBERS: usize = 250;
/// `/warn`s followed to the end (answer, DM, mod-log post) to count their REST requests.
const COUNTED: usize = 30;
/// The target the bot's own time to a first response is held against (plain warnings: no call
/// to Discord before the answer).
const P99_TARGET: Duration = Duration::from_millis(5);

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        latency().await;
        requests_per_warn().await;
    });
}

/// Times 1,000 `/warn`s, one after another, each as soon as the previous was answered.
async fn latency() {
    let mut world = World::start(Store::Sqlite).await;
    world.set_mod_log().await;
    let members: Vec<_> = (0..MEMBERS)
        .map(|n| world.guild.add_member(&format!("member{n}")))
        .collect();
    let before = world.bot().metrics().recent_first_responses().len();
    let started = Instant::now();
    let mut round_trips = Vec::with_capacity(WARNS);
    for n in 0..WARNS {
        let sent = Instant::now();
        let interaction = warn(&world, &world.moderator, &members[n % MEMBERS], "benchmark");
        interaction.wait_for_response().await;
        round_trips.push(sent.elapsed());
    }
    let wall = started.elapsed();
    let mut bot_side = world.bot().metrics().recent_first_responses();
    let bot_side = bot_side.split_off(before);
    assert_eq!(bot_side.len(), WARNS, "every /warn was answered once");
    let failures = world
        .sandbox
        .requests()
        .iter()
        .filter(|r| r.route.as_deref().is_some_and(|r| r.ends_with("/callback")) && r.status >= 400)
        .count();
    println!("/warn, {WARNS} interactions over {MEMBERS} members, SQLite, sandbox on loopback");
    // One at a time, so the n-th first response is the n-th `/warn`'s.
    let escalating = 2 * MEMBERS..3 * MEMBERS;
    let (plain, escalations): (Vec<_>, Vec<_>) = bot_side
        .iter()
        .enumerate()
        .partition(|(n, _)| !escalating.contains(n));
    let plain: Vec<Duration> = plain.into_iter().map(|(_, d)| *d).collect();
    let escalations: Vec<Duration> = escalations.into_iter().map(|(_, d)| *d).collect();
    println!(
        "  bot side, received -> first response sent, plain:       {}",
        summary(plain.clone())
    );
    println!(
        "  bot side, the same, escalating (deferred, then the timeout): {}",
        summary(escalations)
    );
    println!(
        "  member side, created -> response recorded:  {}",
        summary(round_trips)
    );
    println!(
        "  wall time {:.2} s ({:.0} /warn per second); refused callbacks: {failures}",
        wall.as_secs_f64(),
        f64::from(u32::try_from(WARNS).unwrap_or(u32::MAX)) / wall.as_secs_f64()
    );
    let p99 = percentile(&sorted(plain), 99);
    println!(
        "  target p99 < {P99_TARGET:?}: {}",
        if p99 < P99_TARGET { "met" } else { "NOT met" }
    );
    // The DMs and mod-log posts still queued behind the global rate limit need not be sent.
    world.sandbox.shutdown();
    world.stop_bot().await;
}

/// Follows `/warn`s to the end and counts the REST requests each made, by route.
async fn requests_per_warn() {
    let world = World::start(Store::Sqlite).await;
    world.set_mod_log().await;
    let members: Vec<_> = (0..COUNTED / 3)
        .map(|n| world.guild.add_member(&format!("member{n}")))
        .collect();
    let first = world.sandbox.requests().len();
    let mut tokens = Vec::with_capacity(COUNTED);
    for n in 0..COUNTED {
        let target = &members[n % members.len()];
        let dms = target.dms().len();
        let posts = world.guild.messages(world.mod_log).len();
        let interaction = warn(&world, &world.moderator, target, "counted");
        tokens.push(interaction.info().token);
        interaction
            .wait_for_original(|m| !m.embeds.is_empty())
            .await;
        world
            .sandbox
            .wait_for("the DM and the mod-log post", || {
                (target.dms().len() > dms && world.guild.messages(world.mod_log).len() > posts)
                    .then_some(())
            })
            .await;
    }
    // A request is recorded once answered, just after its message shows: wait for the last.
    let requests = world
        .sandbox
        .wait_for("every DM and mod-log post recorded", || {
            let requests = world.sandbox.requests();
            let posts = requests[first..]
                .iter()
                .filter(|r| {
                    r.method == "POST"
                        && r.route.as_deref() == Some("/channels/{channel_id}/messages")
                })
                .count();
            (posts >= 2 * COUNTED).then_some(requests)
        })
        .await;
    for r in requests[first..].iter().filter(|r| r.status >= 300) {
        println!("  answered {}: {} {}", r.status, r.method, r.path);
    }
    // The edit that answers `/modlog set` may be recorded after `first`: count the
    // interaction routes of the counted `/warn`s only.
    let counted = requests[first..].iter().filter(|r| {
        let by_token = r.path.starts_with("/webhooks/") || r.path.starts_with("/interactions/");
        !by_token || tokens.iter().any(|t| r.path.contains(t.as_str()))
    });
    let mut by_route: BTreeMap<String, usize> = BTreeMap::new();
    for r in counted {
        let route = format!("{} {}", r.method, r.route.as_deref().unwrap_or(&r.path));
        *by_route.entry(route).or_default() += 1;
    }
    let total: usize = by_route.values().sum();
    println!(
        "REST requests per /warn ({COUNTED} followed to the end, a third of them escalating): {:.2}",
        ratio(total, COUNTED)
    );
    for (route, n) in by_route {
        println!("  {:.2}  {route}", ratio(n, COUNTED));
    }
    world.finish().await;
}

fn ratio(n: usize, of: usize) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX)) / f64::from(u32::try_from(of).unwrap_or(1))
}
