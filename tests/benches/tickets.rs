//! Opening tickets through the panel, against the sandbox on SQLite. A program that prints
//! figures, not a timed test: `cargo bench -p hearth-e2e --bench tickets`.
//!
//! Members press the panel's button and submit the modal at once, one after another (then at
//! a steady 4 a second, under the channel route's rate limit); each
//! ticket's channel is then deleted by hand (the bot closes its ticket), so the category never
//! fills. Printed: the REST calls per open, from the click to a usable channel, broken down by
//! route (from the sandbox's request log; target ≤ 4), and the time from the click to the
//! member being told "Your ticket is open" with the channel made and welcomed (p50/p99).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

// The scenarios' harness and ticket helpers: the same guild, bot and panel.
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
#[allow(dead_code, unused_imports)]
#[path = "../e2e/tickets.rs"]
mod tickets;

use harness::{Store, World};
use stats::{percentile, sorted, summary};
use tickets::{calls_of_open, open, set_up, ticket_channels};
use twilight_model::id::Id;

/// Tickets opened one after another, flat out.
const OPENS: usize = 200;
/// Tickets opened at a steady [`PACED_RATE`].
const PACED_OPENS: usize = 40;
/// Opens a second in the paced run: under the 5 a second that Discord's (and the sandbox's)
/// rate limit allows on the channel-making route of one guild.
const PACED_RATE: u32 = 4;
/// Opens slower than this are counted apart (in the flat-out run a few wait about a second,
/// as long as a rate-limit bucket's reset).
const WAITED: Duration = Duration::from_millis(100);
/// The target: REST calls from the button click to a usable channel.
const CALLS_TARGET: usize = 4;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        opens(OPENS, None).await;
        opens(PACED_OPENS, Some(PACED_RATE)).await;
    });
}

/// `count` opens by as many members, one after another (or started `rate` a second).
async fn opens(count: usize, rate: Option<u32>) {
    let world = World::start(Store::Sqlite).await;
    let (category, _, panel) = set_up(&world).await;
    let members: Vec<_> = (0..count)
        .map(|n| world.guild.add_member(&format!("opener{n}")))
        .collect();
    let mut times = Vec::with_capacity(count);
    let mut calls_per_open = Vec::with_capacity(count);
    let mut pace = rate.map(|r| tokio::time::interval(Duration::from_secs(1) / r));
    let mut by_route: BTreeMap<String, usize> = BTreeMap::new();
    for (n, member) in members.iter().enumerate() {
        if let Some(pace) = &mut pace {
            pace.tick().await;
        }
        let before = world.sandbox.requests().len();
        let started = Instant::now();
        let (interactions, said) = open(&world, member, &panel, "Benchmark ticket").await;
        let took = started.elapsed();
        assert!(
            said.content.starts_with("Your ticket is open"),
            "open {n}: {}",
            said.content
        );
        times.push(took);
        let routes = calls_of_open(&world, before, interactions).await;
        calls_per_open.push(routes.len());
        for route in routes {
            *by_route.entry(route).or_default() += 1;
        }
        // Room for the next: the channel deleted by hand closes its ticket.
        for channel in ticket_channels(&world, category) {
            world.guild.delete_channel(Id::new(channel));
        }
    }
    let most = *calls_per_open.iter().max().expect("opens");
    let least = *calls_per_open.iter().min().expect("opens");
    let how = rate.map_or_else(
        || "one after another, flat out".to_owned(),
        |r| format!("{r} a second"),
    );
    println!(
        "ticket opens: {count} members press the panel's button and submit the modal, {how}, \
         SQLite, sandbox on loopback"
    );
    println!(
        "  REST calls per open, click to usable channel: {least}..{most} \
         (target <= {CALLS_TARGET}: {})",
        if most <= CALLS_TARGET {
            "met"
        } else {
            "NOT met"
        }
    );
    for (route, calls) in &by_route {
        #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        let per = *calls as f64 / count as f64;
        println!("    {per:.2} per open  {route}");
    }
    let s = sorted(times.clone());
    println!(
        "  click -> told \"Your ticket is open\" (channel made, welcome posted): {}",
        summary(times)
    );
    let waited = times_waited(&s);
    println!(
        "  (the modal's round trip included: the member submits it at once; {waited} of \
         {count} opens took over {} ms; p99 {:.1} ms)",
        WAITED.as_millis(),
        stats::ms(percentile(&s, 99))
    );
    world.finish().await;
}

/// How many of the sorted times are over [`WAITED`].
fn times_waited(sorted: &[Duration]) -> usize {
    sorted.iter().filter(|t| **t > WAITED).count()
}
