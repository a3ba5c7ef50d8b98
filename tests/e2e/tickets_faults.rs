//! Tickets when Discord says no: an opener whose DMs are closed (50007) still gets their
//! ticket closed, its transcript logged with a note that the DM did not arrive and no prompt
//! retried; a 5xx or a 429 on the channel-making route opens the ticket or leaves nothing.

use std::time::Duration;

use twilight_model::id::Id;

use crate::harness::{Store, World, on_every_store};
use crate::tickets::{close_by_command, open, set_up, ticket_channels, wait_for_channel_count};

/// The route that makes a ticket's channel.
const CREATE_CHANNEL: &str = "/guilds/{guild_id}/channels";

async fn an_opener_with_closed_dms_still_gets_a_clean_close_and_a_logged_transcript(store: Store) {
    let world = World::start(store).await;
    let (category, log, panel) = set_up(&world).await;
    world.alice.close_dms();
    let (_, opened) = open(&world, &world.alice, &panel, "Can't hear you").await;
    assert!(
        opened.content.starts_with("Your ticket is open"),
        "{}",
        opened.content
    );
    let channel = Id::new(ticket_channels(&world, category)[0]);
    world.alice.send(channel, "My DMs are off");
    let closed = close_by_command(&world.moderator, channel).await;
    assert_eq!(
        closed.content,
        "Ticket #1 is closed; its transcript is on its way."
    );

    let logged = world
        .guild
        .wait_for_message(log, |m| m.content.starts_with("Ticket #1 of"))
        .await;
    assert!(
        logged.content.ends_with(
            "The transcript and rating prompt could not be delivered to the opener: their DMs \
             are closed."
        ),
        "{}",
        logged.content
    );
    assert_eq!(
        logged.attachments.len(),
        2,
        "the transcript is logged all the same"
    );
    let text = String::from_utf8(logged.attachments[1].bytes.clone()).expect("utf-8");
    assert!(text.contains("My DMs are off"), "{text}");
    assert!(
        wait_for_channel_count(&world, category, 0).await,
        "the channel went"
    );
    // The refused DM was tried once, never again.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let refused = world
        .sandbox
        .requests()
        .iter()
        .filter(|r| r.status == 403 && r.method == "POST" && r.path.ends_with("/messages"))
        .count();
    assert_eq!(refused, 1, "the DM is not retried");
    assert!(world.alice.dms().is_empty());
    // Nothing half-done: the ticket is closed, so Alice (limit one) may open another.
    let (_, again) = open(&world, &world.alice, &panel, "Another one").await;
    assert!(
        again.content.starts_with("Your ticket is open"),
        "{}",
        again.content
    );
}

async fn a_failing_channel_route_leaves_no_ticket_and_says_so(store: Store) {
    let world = World::start(store).await;
    let (category, _, panel) = set_up(&world).await;
    world
        .sandbox
        .fail_route("POST", CREATE_CHANNEL, 502, Some(1));
    let (_, failed) = open(&world, &world.alice, &panel, "Bad gateway").await;
    assert!(failed.is_ephemeral());
    assert!(
        failed
            .content
            .starts_with("Something went wrong on my side (reference `")
            && failed
                .content
                .ends_with("Please try again; if it keeps happening, tell the server's admins."),
        "{}",
        failed.content
    );
    assert!(
        ticket_channels(&world, category).is_empty(),
        "no orphan channel"
    );
    // No orphan ticket either: her one open ticket is still free, and the number is new.
    let (_, opened) = open(&world, &world.alice, &panel, "Once more").await;
    let channels = ticket_channels(&world, category);
    assert_eq!(channels.len(), 1);
    assert_eq!(
        opened.content,
        format!("Your ticket is open: <#{}>.", channels[0])
    );
}

async fn a_rate_limited_channel_route_still_opens_the_ticket(store: Store) {
    let world = World::start(store).await;
    let (category, _, panel) = set_up(&world).await;
    world
        .sandbox
        .rate_limit_route("POST", CREATE_CHANNEL, 0.5, false, Some(1));
    let (_, opened) = open(&world, &world.alice, &panel, "Slow down").await;
    let channels = ticket_channels(&world, category);
    assert_eq!(channels.len(), 1, "one channel, made on the retry");
    assert_eq!(
        opened.content,
        format!("Your ticket is open: <#{}>.", channels[0])
    );
    let attempts: Vec<u16> = world
        .sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.route.as_deref() == Some(CREATE_CHANNEL))
        .map(|r| r.status)
        .collect();
    assert_eq!(attempts, [429, 201], "refused once, then made");
}

on_every_store!(
    an_opener_with_closed_dms_still_gets_a_clean_close_and_a_logged_transcript,
    a_failing_channel_route_leaves_no_ticket_and_says_so,
    a_rate_limited_channel_route_still_opens_the_ticket,
);
