//! Tickets: the whole life of a ticket through the panel's button and modal, claim, add and
//! remove, close with the transcript and the rating; refusals that leave nothing half-made.

use std::time::Duration;

use hearth_core::{Clock, ManualClock, SystemClock};
use hearth_sandbox::{CommandValue, state::Message};
use twilight_model::{
    guild::Permissions,
    id::{Id, marker::ChannelMarker},
};

use crate::harness::{Store, World, answer, click, on_every_store};

pub(crate) fn sub(name: &str, options: Vec<(String, CommandValue)>) -> [(&str, CommandValue); 1] {
    [(name, CommandValue::Subcommand(name.to_owned(), options))]
}

/// A ticket category, a Support role held by the moderator, a log channel, and the panel
/// posted in #general by the owner. Returns (category, log channel, panel).
pub(crate) async fn set_up(world: &World) -> (Id<ChannelMarker>, Id<ChannelMarker>, Message) {
    set_up_with(world, vec![]).await
}

/// As [`set_up`], with more options for `/setuptickets`.
pub(crate) async fn set_up_with(
    world: &World,
    extra: Vec<(&str, CommandValue)>,
) -> (Id<ChannelMarker>, Id<ChannelMarker>, Message) {
    let support = world.guild.create_role("Support", Permissions::empty());
    world.guild.grant(&world.moderator, support);
    let category = world.guild.category("Tickets");
    let log = world.guild.text_channel("ticket-log");
    let done = answer(
        &world.owner.run_command(
            world.general,
            "setuptickets",
            &[
                ("category", CommandValue::Channel(category)),
                ("support_role", CommandValue::Role(support)),
                ("log_channel", CommandValue::Channel(log)),
            ]
            .into_iter()
            .chain(extra)
            .collect::<Vec<_>>(),
        ),
    )
    .await;
    assert_eq!(done.content, "The ticket panel for **Tickets** is posted.");
    let panel = world
        .guild
        .messages(world.general)
        .into_iter()
        .rev()
        .find(|m| !m.components.is_empty())
        .expect("the panel");
    (category, log, panel)
}

/// `member` presses the panel's button and answers the modal with `reason`.
pub(crate) async fn open(
    _world: &World,
    member: &hearth_sandbox::Member,
    panel: &Message,
    reason: &str,
) -> ([u64; 2], Message) {
    let press = click(member, panel, "Open a ticket: Tickets");
    let _ = press.wait_for_modal().await;
    let submit = member.submit_modal(&press, &[("reason", reason)]);
    let said = answer(&submit).await;
    ([press.id(), submit.id()], said)
}

/// The REST calls of one open since request `before`, as `METHOD route`: its two
/// interactions' answers and the bot's own requests (an earlier command's late answer is not
/// counted). Waits until both answers are recorded (the sandbox records a request once
/// answered).
pub(crate) async fn calls_of_open(
    world: &World,
    before: usize,
    interactions: [u64; 2],
) -> Vec<String> {
    let ours = |path: &str| {
        !path.starts_with("/interactions/")
            || interactions.iter().any(|i| path.contains(&i.to_string()))
    };
    for _ in 0..200 {
        let answered = world.sandbox.requests()[before..]
            .iter()
            .filter(|r| r.path.starts_with("/interactions/") && ours(&r.path))
            .count();
        if answered >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    world.sandbox.requests()[before..]
        .iter()
        .filter(|r| ours(&r.path))
        .map(|r| format!("{} {}", r.method, r.route.clone().unwrap_or_default()))
        .collect()
}

/// `member` runs `/ticket close` in `channel` and confirms; returns the confirmation's answer.
pub(crate) async fn close_by_command(
    member: &hearth_sandbox::Member,
    channel: Id<ChannelMarker>,
) -> Message {
    let question = answer(&member.run_command(channel, "ticket", &sub("close", vec![]))).await;
    answer(&click(member, &question, "Close it")).await
}

/// Waits until `category` holds `count` channels (a closed ticket's channel deleted); returns
/// whether it did.
pub(crate) async fn wait_for_channel_count(
    world: &World,
    category: Id<ChannelMarker>,
    count: usize,
) -> bool {
    for _ in 0..200 {
        if world.guild.channels_in(category).len() == count {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    false
}

pub(crate) fn ticket_channels(world: &World, category: Id<ChannelMarker>) -> Vec<u64> {
    world
        .guild
        .channels_in(category)
        .into_iter()
        .map(|c| c.id)
        .collect()
}

#[expect(
    clippy::too_many_lines,
    reason = "one ticket's whole life, step by step, reads best as one story"
)]
async fn a_ticket_lives_from_the_panel_to_its_rating(store: Store) {
    let world = World::start(store).await;
    let (category, log, panel) = set_up(&world).await;

    let before = world.sandbox.requests().len();
    let (interactions, opened) = open(&world, &world.alice, &panel, "My order never came").await;
    let routes = calls_of_open(&world, before, interactions).await;
    let calls = routes.len();
    println!("REST calls from the button click to a usable ticket channel: {calls} ({routes:?})");
    assert!(
        calls <= 4,
        "opening a ticket took {calls} REST calls: {routes:?}"
    );
    let channels = ticket_channels(&world, category);
    assert_eq!(channels.len(), 1, "one private channel under the category");
    let channel = Id::new(channels[0]);
    assert_eq!(
        opened.content,
        format!("Your ticket is open: <#{channel}>.")
    );
    assert!(opened.is_ephemeral());

    // Private: the opener and support write; anyone else cannot even see it.
    world.alice.send(channel, "It was due last week");
    world.moderator.send(channel, "Looking into it");
    assert!(world.bob.try_send(channel, "let me in").is_err());

    // Someone without the support role cannot claim.
    let refused = answer(
        &world
            .bob
            .run_command(channel, "ticket", &sub("claim", vec![])),
    )
    .await;
    assert!(refused.is_ephemeral());
    assert_eq!(
        refused.content,
        "Only the support team can claim this ticket."
    );
    assert_eq!(ticket_channels(&world, category).len(), 1);

    let claimed = answer(
        &world
            .moderator
            .run_command(channel, "ticket", &sub("claim", vec![])),
    )
    .await;
    assert_eq!(
        claimed.content,
        format!(
            "<@{}> claimed ticket #1 and will answer it.",
            world.moderator.id()
        )
    );

    // The claimer writes; the category keeps other support members to reading.
    world.moderator.send(channel, "On it");
    let added = answer(&world.moderator.run_command(
        channel,
        "ticket",
        &sub(
            "add",
            vec![("member".into(), CommandValue::User(world.bob.id()))],
        ),
    ))
    .await;
    assert_eq!(
        added.content,
        format!("<@{}> was added to this ticket.", world.bob.id())
    );
    world.bob.send(channel, "I saw the parcel at the depot");
    let removed = answer(&world.moderator.run_command(
        channel,
        "ticket",
        &sub(
            "remove",
            vec![("member".into(), CommandValue::User(world.bob.id()))],
        ),
    ))
    .await;
    assert_eq!(
        removed.content,
        format!("<@{}> was removed from this ticket.", world.bob.id())
    );
    assert!(world.bob.try_send(channel, "still here?").is_err());

    let question = answer(&world.moderator.run_command(
        channel,
        "ticket",
        &sub(
            "close",
            vec![(
                "reason".into(),
                CommandValue::String("parcel found at the depot".into()),
            )],
        ),
    ))
    .await;
    assert!(question.content.starts_with("Close ticket #1?"));
    let closing = answer(&click(&world.moderator, &question, "Close it")).await;
    assert_eq!(
        closing.content,
        "Ticket #1 is closed; its transcript is on its way."
    );

    let logged = world
        .guild
        .wait_for_message(log, |m| m.content.starts_with("Ticket #1 of"))
        .await;
    assert!(
        logged.content.contains(": parcel found at the depot"),
        "the close reason reaches the log: {}",
        logged.content
    );
    let names: Vec<&str> = logged
        .attachments
        .iter()
        .map(|a| a.filename.as_str())
        .collect();
    assert_eq!(names, ["ticket-1.html", "ticket-1.txt"]);
    let text = String::from_utf8(logged.attachments[1].bytes.clone()).expect("utf-8");
    for line in [
        "On it",
        "It was due last week",
        "Looking into it",
        "I saw the parcel at the depot",
    ] {
        assert!(
            text.contains(line),
            "the transcript lacks {line:?}:\n{text}"
        );
    }
    for _ in 0..200 {
        if ticket_channels(&world, category).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        ticket_channels(&world, category).is_empty(),
        "the closed ticket's channel is deleted"
    );

    let dm = wait_for_dm(&world.alice).await;
    assert_eq!(
        dm.attachments.len(),
        2,
        "the opener gets the transcript too"
    );
    // A star asks for an optional comment; left empty, the stars alone are the rating.
    let star = click(&world.alice, &dm, "★★★★");
    let _ = star.wait_for_modal().await;
    let rated = answer(&world.alice.submit_modal(&star, &[("comment", "")])).await;
    assert_eq!(rated.content, "Thank you! You rated ticket #1 4/5.");
}

/// The DM to `member` that carries a transcript (and the rating stars).
pub(crate) async fn wait_for_dm(member: &hearth_sandbox::Member) -> Message {
    for _ in 0..200 {
        if let Some(m) = member.dms().into_iter().find(|m| !m.attachments.is_empty()) {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no DM with the transcript");
}

async fn a_member_over_the_limit_is_refused_and_nothing_is_made(store: Store) {
    let world = World::start(store).await;
    let (category, _, panel) = set_up(&world).await;
    let (_, first) = open(&world, &world.alice, &panel, "first").await;
    assert!(first.content.starts_with("Your ticket is open"));
    let (_, second) = open(&world, &world.alice, &panel, "second").await;
    assert!(second.is_ephemeral());
    assert_eq!(
        second.content,
        "You already have 1 open ticket; close one before opening another."
    );
    assert_eq!(
        ticket_channels(&world, category).len(),
        1,
        "no second channel"
    );
}

on_every_store!(
    a_ticket_lives_from_the_panel_to_its_rating,
    a_member_over_the_limit_is_refused_and_nothing_is_made,
);

async fn the_51st_ticket_goes_to_the_overflow_category(store: Store) {
    let world = World::start(store).await;
    let overflow = world.guild.category("Tickets overflow");
    let (category, _, panel) =
        set_up_with(&world, vec![("overflow", CommandValue::Channel(overflow))]).await;
    for n in 0..50 {
        world.guild.text_channel_in(category, &format!("old-{n}"));
    }
    let (_, opened) = open(&world, &world.alice, &panel, "The category is full").await;
    let moved = ticket_channels(&world, overflow);
    assert_eq!(moved.len(), 1, "the ticket went to the overflow category");
    assert_eq!(
        opened.content,
        format!("Your ticket is open: <#{}>.", moved[0])
    );
    assert_eq!(ticket_channels(&world, category).len(), 50);
}

async fn a_ticket_channel_deleted_by_hand_closes_the_ticket(store: Store) {
    let world = World::start(store).await;
    let (category, _, panel) = set_up(&world).await;
    let (_, first) = open(&world, &world.alice, &panel, "first").await;
    assert!(first.content.starts_with("Your ticket is open"));
    let channel = Id::new(ticket_channels(&world, category)[0]);
    world.guild.delete_channel(channel);
    // Closed: the limit of one open ticket lets Alice open another.
    let mut again = None;
    for _ in 0..100 {
        let (_, said) = open(&world, &world.alice, &panel, "second").await;
        if said.content.starts_with("Your ticket is open") {
            again = Some(said);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(again.is_some(), "the deleted channel's ticket was closed");
    assert_eq!(ticket_channels(&world, category).len(), 1);
}

async fn panel_buttons_work_after_a_restart(store: Store) {
    let mut world = World::start(store).await;
    let (category, _, panel) = set_up(&world).await;
    world.stop_bot().await;
    world.start_bot().await;
    let (_, opened) = open(&world, &world.bob, &panel, "after the restart").await;
    assert!(
        opened.content.starts_with("Your ticket is open"),
        "{}",
        opened.content
    );
    assert_eq!(ticket_channels(&world, category).len(), 1);
}

async fn a_failed_step_leaves_no_orphan_channel(store: Store) {
    let world = World::start(store).await;
    let (category, _, panel) = set_up(&world).await;
    // The welcome message fails: the channel made just before must go again.
    world
        .sandbox
        .fail_route("POST", "/channels/{channel_id}/messages", 500, Some(10));
    let (_, failed) = open(&world, &world.alice, &panel, "doomed").await;
    assert!(failed.is_ephemeral());
    assert!(
        failed.content.contains("went wrong") || failed.content.contains("reference"),
        "{}",
        failed.content
    );
    world.sandbox.clear_faults();
    assert!(
        ticket_channels(&world, category).is_empty(),
        "no orphan channel"
    );
    // Nor an orphan ticket counting against her limit.
    let (_, opened) = open(&world, &world.alice, &panel, "again").await;
    assert!(
        opened.content.starts_with("Your ticket is open"),
        "{}",
        opened.content
    );
}

async fn a_quiet_ticket_is_warned_then_closed_under_the_virtual_clock(store: Store) {
    let clock = ManualClock::new(SystemClock.now());
    let world = World::setup(store).clock(clock.clone()).start().await;
    let (category, log, panel) = set_up_with(
        &world,
        vec![("auto_close_hours", CommandValue::Integer(24))],
    )
    .await;
    // A message elsewhere first: the bot now holds the guild's ticket channels (none) in its
    // cache, and the open below must make it read them again.
    world.alice.send(world.general, "where do I ask for help?");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (_, opened) = open(&world, &world.alice, &panel, "quiet one").await;
    assert!(opened.content.starts_with("Your ticket is open"));
    let channel = Id::new(ticket_channels(&world, category)[0]);
    let warned = |n: usize| {
        let world = &world;
        async move {
            for _ in 0..400 {
                let count = world
                    .guild
                    .messages(channel)
                    .iter()
                    .filter(|m| m.content.contains("closes <t:"))
                    .count();
                if count >= n {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            panic!("no inactivity warning #{n}");
        }
    };

    clock.advance(Duration::from_secs(24 * 3_600 + 1));
    warned(1).await;
    // A message cancels the warning: an hour later the ticket is still open.
    world.alice.send(channel, "still need help!");
    tokio::time::sleep(Duration::from_millis(300)).await;
    clock.advance(Duration::from_secs(3_600 + 1));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        ticket_channels(&world, category).len(),
        1,
        "the message cancelled the close"
    );

    // Quiet again: a second warning, then the close.
    clock.advance(Duration::from_secs(23 * 3_600));
    warned(2).await;
    clock.advance(Duration::from_secs(3_600 + 1));
    let logged = world
        .guild
        .wait_for_message(log, |m| m.content.starts_with("Ticket #1 of"))
        .await;
    assert!(logged.content.contains("inactivity"), "{}", logged.content);
    assert_eq!(logged.attachments.len(), 2);
}

on_every_store!(a_quiet_ticket_is_warned_then_closed_under_the_virtual_clock,);

on_every_store!(
    the_51st_ticket_goes_to_the_overflow_category,
    a_ticket_channel_deleted_by_hand_closes_the_ticket,
    panel_buttons_work_after_a_restart,
    a_failed_step_leaves_no_orphan_channel,
);
