//! Role menus and autoroles under load, against the sandbox on SQLite. A program that prints
//! figures, not a timed test: `cargo bench -p hearth-e2e --bench roles`.
//!
//! 1. A button click answered: bot-side time from the interaction's arrival to its first
//!    response, sent together with the click's role call (add or remove); 1,000 clicks at a
//!    steady 40 a second (under Discord's global 50 requests a second), then 300 flat out.
//! 2. A raid-sized burst: 500 members join at once with two autoroles set; how long until
//!    every one holds both, the busiest second of REST requests, and the 429s seen.

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

use harness::{Store, World, answer};
use hearth_sandbox::CommandValue;
use stats::{percentile, sorted, summary};
use twilight_model::{guild::Permissions, id::Id};

/// Clicks timed at a steady rate.
const CLICKS: usize = 1_000;
/// Clicks per second in the steady run: a busy menu, under Discord's global limit of 50
/// requests a second (each click is one role call).
const CLICK_RATE: u32 = 40;
/// Clicks sent one after another as fast as they are answered, to show the global limit.
const FLAT_OUT_CLICKS: usize = 300;
/// Members clicking in turn.
const CLICKERS: usize = 50;
/// Members joining in the burst.
const JOINS: usize = 500;
/// The target for a click's bot-side time.
const P99_TARGET: Duration = Duration::from_millis(5);
/// The target for the burst: everyone served within a minute.
const BURST_TARGET: Duration = Duration::from_secs(60);
/// The role-call route.
const ROLE_ROUTE: &str = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        clicks(CLICKS, Some(CLICK_RATE)).await;
        clicks(FLAT_OUT_CLICKS, None).await;
        burst().await;
    });
}

/// `count` clicks, one at a time, started `rate` a second (or each as soon as the previous
/// was answered).
async fn clicks(count: usize, rate: Option<u32>) {
    let world = World::start(Store::Sqlite).await;
    let red = world.guild.create_role("Red", Permissions::empty());
    let create = world.owner.run_command(
        world.general,
        "buttonroles",
        &[(
            "create",
            CommandValue::Subcommand(
                "create".into(),
                vec![
                    ("title".into(), CommandValue::String("Bench".into())),
                    ("roles".into(), CommandValue::String(format!("<@&{red}>"))),
                ],
            ),
        )],
    );
    answer(&create).await;
    let menu = world
        .guild
        .messages(world.general)
        .into_iter()
        .find(|m| m.embeds.first().is_some_and(|e| e["title"] == "Bench"))
        .expect("the menu was posted");
    let members: Vec<_> = (0..CLICKERS)
        .map(|n| world.guild.add_member(&format!("clicker{n}")))
        .collect();
    let custom_id = format!("roles:pick:1:{red}");
    let role_calls_before = role_calls(&world);
    let before = world.bot().metrics().recent_first_responses().len();
    let started = Instant::now();
    let mut pace = rate.map(|r| tokio::time::interval(Duration::from_secs(1) / r));
    for n in 0..count {
        if let Some(pace) = &mut pace {
            pace.tick().await;
        }
        let click = members[n % CLICKERS].click(Id::new(menu.id), &custom_id);
        click.wait_for_response().await;
    }
    let wall = started.elapsed();
    // The bot records a response's time once Discord has answered it: the last one may be a
    // moment behind the member seeing it.
    let mut bot_side = world
        .sandbox
        .wait_for("every click's time recorded", || {
            let recent = world.bot().metrics().recent_first_responses();
            (recent.len() >= before + count).then_some(recent)
        })
        .await;
    let bot_side = bot_side.split_off(before);
    assert_eq!(bot_side.len(), count, "every click was answered once");
    // Flat out, twilight's limiter still holds role calls after the last answer: wait for them.
    let calls = world
        .sandbox
        .wait_for("every click's role call", || {
            let calls = role_calls(&world) - role_calls_before;
            (calls >= count).then_some(calls)
        })
        .await;
    let landed = started.elapsed();
    let how = rate.map_or_else(
        || "one after another, flat out".to_owned(),
        |r| format!("{r} a second"),
    );
    println!(
        "role menu clicks: {count} button clicks by {CLICKERS} members, {how}, SQLite, sandbox \
         on loopback"
    );
    println!(
        "  bot side, received -> first response sent (its role call sent alongside): {}",
        summary(bot_side.clone())
    );
    println!(
        "  role calls sent: {calls} (one per click: each click adds or removes one role); \
         wall time {:.2} s to the last answer, {:.2} s to the last role call",
        wall.as_secs_f64(),
        landed.as_secs_f64()
    );
    let p99 = percentile(&sorted(bot_side), 99);
    if rate.is_some() {
        println!(
            "  target p99 < {P99_TARGET:?}: {}",
            if p99 < P99_TARGET { "met" } else { "NOT met" }
        );
    } else {
        println!(
            "  (flat out, the role calls alone exceed Discord's global 50 requests a second: \
             twilight's limiter holds the excess to the next second, as Discord requires)"
        );
    }
    world.finish().await;
}

async fn burst() {
    let world = World::start(Store::Sqlite).await;
    let member = world.guild.create_role("Member", Permissions::empty());
    let news = world.guild.create_role("News", Permissions::empty());
    for role in [member, news] {
        let add = world.owner.run_command(
            world.general,
            "autorole",
            &[(
                "add",
                CommandValue::Subcommand(
                    "add".into(),
                    vec![("role".into(), CommandValue::Role(role))],
                ),
            )],
        );
        answer(&add).await;
    }
    let people: Vec<_> = (0..JOINS)
        .map(|n| world.guild.new_user(&format!("raider{n}")))
        .collect();
    let first_request = world.sandbox.requests().len();
    let started = Instant::now();
    for person in &people {
        person.join();
    }
    let joined = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let served = people
            .iter()
            .filter(|p| {
                let roles = p.info().map(|m| m.roles).unwrap_or_default();
                roles.contains(&member.get()) && roles.contains(&news.get())
            })
            .count();
        if served == JOINS || Instant::now() > deadline {
            let took = started.elapsed();
            let requests = world.sandbox.requests();
            let refused = requests[first_request..]
                .iter()
                .filter(|r| r.status == 429)
                .count();
            println!(
                "autorole burst: {JOINS} members joined in {:.2} s, two autoroles each",
                joined.as_secs_f64()
            );
            println!(
                "  served {served}/{JOINS} in {:.1} s ({} role calls); busiest second: {} requests; \
                 429s seen: {refused} (global limit refusals: {})",
                took.as_secs_f64(),
                role_calls(&world),
                world.sandbox.max_requests_per_second(),
                world.sandbox.global_rate_limited()
            );
            println!(
                "  target: all served within {BURST_TARGET:?} without a 429: {}",
                if served == JOINS && took <= BURST_TARGET && refused == 0 {
                    "met"
                } else {
                    "NOT met"
                }
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    world.finish().await;
}

fn role_calls(world: &World) -> usize {
    world.sandbox.request_count("PUT", ROLE_ROUTE)
        + world.sandbox.request_count("DELETE", ROLE_ROUTE)
}
