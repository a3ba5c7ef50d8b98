//! Tickets at capacity: when the category and its overflow are full, a new ticket waits in
//! the queue (its place told, its opener's limit counting it, a button to leave), the queue
//! survives a restart, and a closed ticket makes room for the oldest queued one.

use std::time::Duration;

use hearth_sandbox::{
    CommandValue,
    state::{Channel, Message},
};
use twilight_model::id::{Id, marker::ChannelMarker};

use crate::harness::{Store, World, answer, click, on_every_store};
use crate::tickets::{close_by_command, open, set_up_with, wait_for_channel_count};

/// The channel called `name` under `parent`, once it exists.
async fn wait_for_channel(world: &World, parent: Id<ChannelMarker>, name: &str) -> Channel {
    for _ in 0..400 {
        if let Some(c) = world
            .guild
            .channels_in(parent)
            .into_iter()
            .find(|c| c.name == name)
        {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no channel #{name}");
}

/// Fills `category` but for one room, which Alice's ticket takes; returns its channel.
async fn alice_takes_the_last_room(
    world: &World,
    category: Id<ChannelMarker>,
    panel: &Message,
) -> Id<ChannelMarker> {
    for n in 0..49 {
        world.guild.text_channel_in(category, &format!("old-{n}"));
    }
    let (_, opened) = open(world, &world.alice, panel, "The last room").await;
    assert!(
        opened.content.starts_with("Your ticket is open"),
        "{}",
        opened.content
    );
    Id::new(wait_for_channel(world, category, "ticket-1").await.id)
}

fn queued_text(number: u64, position: usize) -> String {
    format!(
        "Every ticket channel is taken right now, so ticket #{number} waits in the queue: you \
         are number {position}. It opens as soon as another ticket closes, and you will be \
         pinged in its channel."
    )
}

async fn a_full_desk_queues_tickets_and_a_close_opens_the_oldest(store: Store) {
    let mut world = World::start(store).await;
    let overflow = world.guild.category("Tickets overflow");
    let (category, _, panel) =
        set_up_with(&world, vec![("overflow", CommandValue::Channel(overflow))]).await;
    // One room left under the category; the overflow is full.
    for n in 0..49 {
        world.guild.text_channel_in(category, &format!("old-{n}"));
    }
    for n in 0..50 {
        world.guild.text_channel_in(overflow, &format!("spare-{n}"));
    }
    let (_, opened) = open(&world, &world.alice, &panel, "The last room").await;
    assert!(
        opened.content.starts_with("Your ticket is open"),
        "{}",
        opened.content
    );
    let alice_channel = Id::new(wait_for_channel(&world, category, "ticket-1").await.id);

    let (_, bob_waits) = open(&world, &world.bob, &panel, "My parcel is lost").await;
    assert!(bob_waits.is_ephemeral());
    assert_eq!(bob_waits.content, queued_text(2, 1));
    let (_, senior_waits) = open(&world, &world.senior, &panel, "Me too").await;
    assert_eq!(senior_waits.content, queued_text(3, 2));
    // A queued ticket counts towards its opener's limit (one open ticket by default).
    let (_, again) = open(&world, &world.bob, &panel, "Still waiting?").await;
    assert_eq!(
        again.content,
        "You already have 1 open ticket; close one before opening another."
    );
    assert_eq!(
        world.guild.channels_in(category).len(),
        50,
        "nothing half-made"
    );
    assert_eq!(world.guild.channels_in(overflow).len(), 50);

    // The queue is in the store: a restart keeps it.
    world.stop_bot().await;
    world.start_bot().await;

    let closed = close_by_command(&world.alice, alice_channel).await;
    assert_eq!(
        closed.content,
        "Ticket #1 is closed; its transcript is on its way."
    );

    // Bob's ticket, first in the queue, gets the freed room; he is pinged with his reason.
    let bob_channel = Id::new(wait_for_channel(&world, category, "ticket-2").await.id);
    let welcome = world
        .guild
        .wait_for_message(bob_channel, |m| m.content.contains("My parcel is lost"))
        .await;
    assert!(
        welcome.content.contains(&format!("<@{}>", world.bob.id())),
        "{}",
        welcome.content
    );
    assert_eq!(
        welcome.mentions,
        vec![world.bob.id().get()],
        "Bob is pinged"
    );
    world.bob.send(bob_channel, "Thanks, it's my turn");
    assert!(
        world.alice.try_send(bob_channel, "can I see?").is_err(),
        "private"
    );
    assert!(
        world.guild.channel(alice_channel).is_none(),
        "the closed ticket's channel went"
    );
    assert_eq!(world.guild.channels_in(category).len(), 50);

    // The senior member, still waiting, leaves the queue with the notice's button.
    let left = answer(&click(&world.senior, &senior_waits, "Leave the queue")).await;
    assert_eq!(
        left.content,
        "Ticket #3 left the queue; you can open a new one whenever you need."
    );
    let twice = answer(&click(&world.senior, &senior_waits, "Leave the queue")).await;
    assert_eq!(twice.content, "Ticket #3 is already closed.");

    // With the queue empty, closing Bob's ticket frees a room that stays free.
    close_by_command(&world.bob, bob_channel).await;
    assert!(wait_for_channel_count(&world, category, 49).await);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        world.guild.channels_in(category).len(),
        49,
        "no ticket-3 made"
    );
    // And the senior member, out of the queue, may open again.
    let (_, fresh) = open(&world, &world.senior, &panel, "Back again").await;
    assert!(
        fresh.content.starts_with("Your ticket is open"),
        "{}",
        fresh.content
    );
}

async fn a_ticket_channel_deleted_by_hand_opens_the_next_queued_ticket(store: Store) {
    let world = World::start(store).await;
    let (category, _, panel) = set_up_with(&world, vec![]).await;
    let alice_channel = alice_takes_the_last_room(&world, category, &panel).await;
    // No overflow category at all: the queue straight away.
    let (_, waits) = open(&world, &world.bob, &panel, "Deleted by hand").await;
    assert_eq!(waits.content, queued_text(2, 1));
    world.guild.delete_channel(alice_channel);
    let bob_channel = Id::new(wait_for_channel(&world, category, "ticket-2").await.id);
    let welcome = world
        .guild
        .wait_for_message(bob_channel, |m| m.content.contains("Deleted by hand"))
        .await;
    assert_eq!(welcome.mentions, vec![world.bob.id().get()]);
}

async fn room_freed_without_a_close_goes_to_the_queue_before_a_newcomer(store: Store) {
    let world = World::start(store).await;
    let (category, _, panel) = set_up_with(&world, vec![]).await;
    let old: Vec<_> = (0..49)
        .map(|n| world.guild.text_channel_in(category, &format!("old-{n}")))
        .collect();
    let (_, opened) = open(&world, &world.alice, &panel, "The last room").await;
    assert!(
        opened.content.starts_with("Your ticket is open"),
        "{}",
        opened.content
    );
    let (_, waits) = open(&world, &world.bob, &panel, "First in line").await;
    assert_eq!(waits.content, queued_text(2, 1));
    // Staff tidy up a channel that was no ticket: room, but no ticket closed.
    world.guild.delete_channel(old[0]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The next member to open does not jump the queue: Bob gets the room, she waits.
    let (_, newcomer) = open(&world, &world.senior, &panel, "Just arrived").await;
    assert_eq!(newcomer.content, queued_text(3, 1));
    let bob_channel = Id::new(wait_for_channel(&world, category, "ticket-2").await.id);
    let welcome = world
        .guild
        .wait_for_message(bob_channel, |m| m.content.contains("First in line"))
        .await;
    assert_eq!(welcome.mentions, vec![world.bob.id().get()]);
    assert_eq!(world.guild.channels_in(category).len(), 50);
}

/// A close that frees the last room while Discord's "full" for another opener is still on its
/// way back: the close finds the queue empty (that ticket is not in it yet), so the refused
/// ticket must look again once queued, and it gets the room at once.
async fn a_close_racing_a_refused_open_still_gives_it_the_room(store: Store) {
    const CREATE_CHANNEL: &str = "/guilds/{guild_id}/channels";
    let world = World::start(store).await;
    let (category, _, panel) = set_up_with(&world, vec![]).await;
    let alice_channel = alice_takes_the_last_room(&world, category, &panel).await;
    let creates = world.sandbox.request_count("POST", CREATE_CHANNEL);
    // Bob's channel is refused (the category is full), and the answer takes 2 s to come back.
    world
        .sandbox
        .answer_route_late("POST", CREATE_CHANNEL, Duration::from_secs(2), Some(1));
    let closes_meanwhile = async {
        for _ in 0..200 {
            if world.sandbox.request_count("POST", CREATE_CHANNEL) > creates {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        close_by_command(&world.alice, alice_channel).await;
        assert!(
            wait_for_channel_count(&world, category, 49).await,
            "Alice's channel went"
        );
    };
    let ((_, bob_told), ()) = tokio::join!(
        open(&world, &world.bob, &panel, "Racing the close"),
        closes_meanwhile
    );
    let bob_channel = Id::new(wait_for_channel(&world, category, "ticket-2").await.id);
    assert_eq!(
        bob_told.content,
        format!("Your ticket is open: <#{bob_channel}>.")
    );
    let welcome = world
        .guild
        .wait_for_message(bob_channel, |m| m.content.contains("Racing the close"))
        .await;
    assert_eq!(welcome.mentions, vec![world.bob.id().get()]);
    assert_eq!(world.guild.channels_in(category).len(), 50);
}

on_every_store!(
    a_close_racing_a_refused_open_still_gives_it_the_room,
    a_full_desk_queues_tickets_and_a_close_opens_the_oldest,
    a_ticket_channel_deleted_by_hand_opens_the_next_queued_ticket,
    room_freed_without_a_close_goes_to_the_queue_before_a_newcomer,
);
