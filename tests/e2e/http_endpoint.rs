//! Interactions over HTTP: Discord POSTs them, signed with Ed25519, to the bot's
//! `/interactions` endpoint and takes the response body as the first answer.

use std::time::Duration;

use hearth_sandbox::{ResponseKind, post_signed};
use serde_json::json;

use crate::{
    faults::MEMBER_ROUTE,
    harness::{Store, World, answer, on_every_store, text_of, warn, warnings},
};

async fn endpoint_answers_a_signed_ping_with_a_pong(store: Store) {
    let world = World::start(store).await;
    let ping = world.sandbox.ping_interaction();
    let reply = post_signed(&world.interactions_url(), &World::signing_key(), &ping)
        .await
        .expect("the endpoint answers");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"type": 1}));
    world.finish().await;
}

async fn endpoint_answers_a_ping_that_carries_only_its_type(store: Store) {
    // The portal's check may omit fields a full interaction needs; PONG must not depend on them.
    let world = World::start(store).await;
    let reply = post_signed(
        &world.interactions_url(),
        &World::signing_key(),
        &json!({"type": 1}),
    )
    .await
    .expect("the endpoint answers");
    assert_eq!((reply.status, reply.json()), (200, json!({"type": 1})));
    world.finish().await;
}

async fn endpoint_refuses_a_bad_signature_with_401(store: Store) {
    let world = World::start(store).await;
    let ping = world.sandbox.ping_interaction();
    let someone_else = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let refused = post_signed(&world.interactions_url(), &someone_else, &ping)
        .await
        .expect("the endpoint answers");
    assert_eq!(refused.status, 401);
    world.finish().await;
}

async fn signed_commands_over_http_are_answered_in_the_response_body(store: Store) {
    let world = World::start(store).await;
    // Discord checks the endpoint (signed PING, bad signature) before saving it.
    world.use_interactions_endpoint().await;
    let dispatched = world.sandbox.dispatches().len();

    let warned = warn(&world, &world.moderator, &world.alice, "spam over http");
    let reply = answer(&warned).await;
    assert_eq!(warned.info().endpoint_failure, None);
    assert!(warned.info().response.is_some(), "answered in time");
    assert!(
        text_of(&reply).contains("spam over http"),
        "{}",
        text_of(&reply)
    );

    let listed = warnings(&world, &world.moderator, &world.alice, None);
    let list = answer(&listed).await;
    assert!(list.is_ephemeral());
    assert!(
        text_of(&list).contains("has 1 warning,"),
        "{}",
        text_of(&list)
    );

    assert_eq!(
        world.sandbox.request_count(
            "POST",
            "/interactions/{interaction_id}/{interaction_token}/callback"
        ),
        0,
        "answered in the HTTP body, not through the callback route"
    );
    assert!(
        world.sandbox.dispatches()[dispatched..]
            .iter()
            .all(|(name, _)| name != "INTERACTION_CREATE"),
        "nothing came over the gateway"
    );
    world.finish().await;
}

async fn third_warning_over_http_answers_in_the_body_with_the_timeout(store: Store) {
    let world = World::start(store).await;
    world.use_interactions_endpoint().await;

    for reason in ["one", "two"] {
        answer(&warn(&world, &world.moderator, &world.alice, reason)).await;
    }
    let third = warn(&world, &world.moderator, &world.alice, "three");
    let reply = third.wait_for_original(|m| !m.embeds.is_empty()).await;
    // A message, or "thinking…" then an edit if the machine was slow: either is in time.
    assert_eq!(third.info().endpoint_failure, None);
    assert!(text_of(&reply).contains("three"), "{}", text_of(&reply));
    assert!(
        text_of(&reply).contains("timeout for 1 hour (done)"),
        "{}",
        text_of(&reply)
    );
    assert!(world.alice.is_timed_out());
    assert!(
        !reply.is_ephemeral(),
        "a warning is announced in the channel"
    );
    assert_eq!(
        world.bot().metrics().recent_first_responses().len(),
        3,
        "first responses in the HTTP body are timed too"
    );
    world.finish().await;
}

/// Discord is slow to time the member out: the endpoint's answer is "thinking…" (from the
/// watchdog), and the warning arrives as an edit, public as a warning is.
async fn rest_slower_than_three_seconds_over_http_defers_in_the_body_then_edits(store: Store) {
    let world = World::start(store).await;
    world.use_interactions_endpoint().await;
    for reason in ["one", "two"] {
        answer(&warn(&world, &world.moderator, &world.alice, reason)).await;
    }
    world
        .sandbox
        .delay_route("PATCH", MEMBER_ROUTE, Duration::from_millis(3_500), Some(1));

    let third = warn(&world, &world.moderator, &world.alice, "three");
    let reply = third.wait_for_original(|m| !m.embeds.is_empty()).await;
    assert_eq!(third.info().endpoint_failure, None, "answered within 3 s");
    assert_eq!(third.info().response, Some(ResponseKind::Deferred));
    assert!(
        !reply.is_ephemeral(),
        "the deferral was public, as the warning is"
    );
    assert!(
        text_of(&reply).contains("timeout for 1 hour (done)"),
        "{}",
        text_of(&reply)
    );
    assert!(world.alice.is_timed_out());
    world.finish().await;
}

on_every_store!(
    endpoint_answers_a_signed_ping_with_a_pong,
    endpoint_answers_a_ping_that_carries_only_its_type,
    endpoint_refuses_a_bad_signature_with_401,
    signed_commands_over_http_are_answered_in_the_response_body,
    third_warning_over_http_answers_in_the_body_with_the_timeout,
    rest_slower_than_three_seconds_over_http_defers_in_the_body_then_edits,
);
