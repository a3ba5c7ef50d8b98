//! The gateway connection failing under the bot: it resumes and keeps answering, and an event
//! replayed on resume is not acted on twice.

use hearth_sandbox::ShardFault;

use crate::harness::{Store, World, answer, on_every_store, text_of, warn, warnings};

/// Waits until the bot has resumed its session `times` times in all.
async fn wait_for_resumes(world: &World, times: u64) {
    world
        .sandbox
        .wait_for("the bot to resume its gateway session", || {
            let (_, resumes) = world.sandbox.gateway_counts();
            (resumes >= times && world.sandbox.connected_shards() == [0]).then_some(())
        })
        .await;
}

async fn dropped_or_reconnected_shard_resumes_and_still_answers(store: Store, fault: ShardFault) {
    let world = World::start(store).await;
    let (identifies, resumes) = world.sandbox.gateway_counts();
    assert_eq!(resumes, 0);

    assert_eq!(world.sandbox.shard_fault(0, fault), 1, "one session hit");
    wait_for_resumes(&world, 1).await;
    assert_eq!(
        world.sandbox.gateway_counts().0,
        identifies,
        "resumed, not identified again"
    );

    let reply = answer(&warn(
        &world,
        &world.moderator,
        &world.alice,
        "after the drop",
    ))
    .await;
    assert!(
        text_of(&reply).contains("after the drop"),
        "{}",
        text_of(&reply)
    );
    world.finish().await;
}

async fn dropped_shard_resumes_and_still_answers(store: Store) {
    dropped_or_reconnected_shard_resumes_and_still_answers(store, ShardFault::Drop).await;
}

async fn op7_reconnect_resumes_and_still_answers(store: Store) {
    dropped_or_reconnected_shard_resumes_and_still_answers(store, ShardFault::Reconnect).await;
}

async fn command_run_while_the_shard_is_down_is_answered_after_the_resume(store: Store) {
    let world = World::start(store).await;
    assert_eq!(world.sandbox.shard_fault(0, ShardFault::Drop), 1);
    // Sent while the bot is away: Discord keeps it for the session and replays it on RESUME.
    let warned = warn(&world, &world.moderator, &world.alice, "while away");

    let reply = answer(&warned).await;
    assert!(
        text_of(&reply).contains("while away"),
        "{}",
        text_of(&reply)
    );
    assert_eq!(world.sandbox.gateway_counts().1, 1, "one resume");
    world.finish().await;
}

async fn replayed_interaction_create_does_not_warn_twice(store: Store) {
    let world = World::start(store).await;
    let first = warn(&world, &world.moderator, &world.alice, "once");
    answer(&first).await;
    world
        .sandbox
        .wait_for("the DM for the warning", || {
            (!world.alice.dms().is_empty()).then_some(())
        })
        .await;
    let events = events_received(&world);

    // As a resumed session would replay it.
    first.redeliver();
    world
        .sandbox
        .wait_for("the bot to receive the replayed event", || {
            (events_received(&world) > events).then_some(())
        })
        .await;

    let list = answer(&warnings(&world, &world.moderator, &world.alice, None)).await;
    assert!(
        text_of(&list).contains("has 1 warning,"),
        "warned once: {}",
        text_of(&list)
    );
    assert_eq!(world.alice.dms().len(), 1, "one DM");
    world.finish().await;
}

/// `hearth_gateway_events_total` from the bot's metrics.
fn events_received(world: &World) -> u64 {
    world
        .bot()
        .metrics()
        .render("")
        .lines()
        .find_map(|l| l.strip_prefix("hearth_gateway_events_total "))
        .and_then(|n| n.parse().ok())
        .expect("the events counter")
}

on_every_store!(
    dropped_shard_resumes_and_still_answers,
    op7_reconnect_resumes_and_still_answers,
    command_run_while_the_shard_is_down_is_answered_after_the_resume,
    replayed_interaction_create_does_not_warn_twice,
);
