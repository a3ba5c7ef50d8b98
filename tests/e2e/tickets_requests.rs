//! Tickets, after the basics: a close request the opener answers with a button (and its
//! deadline under the virtual clock), and a rating with a comment that reaches the log and the
//! statistics.

use std::time::Duration;

use hearth_core::{
    ChannelId, Clock, GuildId, ManualClock, SystemClock,
    timed::{ActionKey, ActionKind, TimedActionStore},
};
use hearth_sandbox::{CommandValue, Member, state::Message};
use twilight_model::id::{Id, marker::ChannelMarker};

use crate::{
    harness::{Store, World, answer, button_disabled, click, on_every_store, with_store},
    tickets::{close_by_command, open, set_up, sub, ticket_channels, wait_for_dm},
};

/// `member` runs `/ticket closerequest` in `channel` with these options.
async fn close_request(
    member: &Member,
    channel: Id<ChannelMarker>,
    options: &[(&str, &str)],
) -> Message {
    let options = options
        .iter()
        .map(|(k, v)| ((*k).to_owned(), CommandValue::String((*v).to_owned())))
        .collect();
    answer(&member.run_command(channel, "ticket", &sub("closerequest", options))).await
}

/// The latest close request posted in `channel`.
async fn request_in(world: &World, channel: Id<ChannelMarker>, nth: usize) -> Message {
    for _ in 0..200 {
        let requests: Vec<Message> = world
            .guild
            .messages(channel)
            .into_iter()
            .filter(|m| m.content.contains("asks whether ticket"))
            .collect();
        if requests.len() >= nth {
            return requests[nth - 1].clone();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no close request #{nth} in the channel");
}

/// Whether the scenario's store holds a pending close-request deadline for `channel`.
async fn deadline_pending(world: &World, channel: Id<ChannelMarker>) -> bool {
    let key = ActionKey::new(
        GuildId::new(world.guild.id().get()),
        &ActionKind::CloseRequested {
            channel: ChannelId::new(channel.get()),
        },
    );
    with_store!(world, |store| store.pending(key).await)
        .expect("the store answers")
        .is_some()
}

async fn wait_until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..400 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting until {what}");
}

async fn the_opener_answers_a_close_request_with_its_buttons(store: Store) {
    let mut world = World::start(store).await;
    let (category, log, panel) = set_up(&world).await;
    let (_, opened) = open(&world, &world.alice, &panel, "Where is my parcel?").await;
    assert!(opened.content.starts_with("Your ticket is open"));
    let channel = Id::new(ticket_channels(&world, category)[0]);
    let (alice, moderator) = (world.alice.id(), world.moderator.id());

    // Neither a stranger nor the opener may ask; nothing is posted.
    for member in [&world.bob, &world.alice] {
        let refused = close_request(member, channel, &[]).await;
        assert!(refused.is_ephemeral());
        assert_eq!(
            refused.content,
            "Only the support team can ask to close this ticket."
        );
    }
    let said = close_request(&world.moderator, channel, &[("reason", "parcel delivered")]).await;
    assert!(said.is_ephemeral());
    assert_eq!(
        said.content,
        format!("I asked <@{alice}> whether ticket #1 can close.")
    );
    let asked = request_in(&world, channel, 1).await;
    assert_eq!(
        asked.content,
        format!(
            "<@{alice}>, <@{moderator}> asks whether ticket #1 can close.\n\
             Reason: parcel delivered\nPress a button to answer."
        )
    );
    assert_eq!(
        asked.mentions,
        [alice.get()],
        "the opener is pinged, nobody else"
    );
    assert!(!button_disabled(&asked, "Close") && !button_disabled(&asked, "Keep open"));

    // Only the opener (or an admin) answers; a second request waits for the first.
    let refused = answer(&click(&world.moderator, &asked, "Close")).await;
    assert!(refused.is_ephemeral());
    assert_eq!(
        refused.content,
        "Only the member who opened this ticket can answer this close request."
    );
    let again = close_request(&world.moderator, channel, &[]).await;
    assert_eq!(again.content, "Closing this ticket was already requested.");
    assert_eq!(ticket_channels(&world, category).len(), 1);

    // Keep open: said in the channel, the buttons disabled.
    let kept = answer(&click(&world.alice, &asked, "Keep open")).await;
    assert_eq!(
        kept.id, asked.id,
        "the request itself says how it was answered"
    );
    assert!(
        kept.content.ends_with(&format!(
            "**Kept open** by <@{alice}>: ticket #1 stays open."
        )),
        "{}",
        kept.content
    );
    assert!(button_disabled(&kept, "Close") && button_disabled(&kept, "Keep open"));

    // Asked again, answered after a restart: the buttons still work, and Close closes.
    let _ = close_request(&world.moderator, channel, &[("reason", "all sorted")]).await;
    let second = request_in(&world, channel, 2).await;
    world.stop_bot().await;
    world.start_bot().await;
    let closed = answer(&click(&world.alice, &second, "Close")).await;
    assert!(
        closed
            .content
            .ends_with(&format!("**Closed** by <@{alice}>.")),
        "{}",
        closed.content
    );
    let logged = world
        .guild
        .wait_for_message(log, |m| m.content.starts_with("Ticket #1 of"))
        .await;
    assert_eq!(
        logged.content,
        format!("Ticket #1 of <@{alice}> closed by <@{alice}>: all sorted.")
    );
    assert_eq!(
        logged.attachments.len(),
        2,
        "the transcript goes to the log"
    );
    wait_until("the closed ticket's channel is gone", || {
        ticket_channels(&world, category).is_empty()
    })
    .await;
    world.finish().await;
}

async fn a_close_request_on_a_closed_ticket_is_refused(store: Store) {
    let world = World::start(store).await;
    let (category, _, panel) = set_up(&world).await;
    let _ = open(&world, &world.alice, &panel, "done soon").await;
    let channel = Id::new(ticket_channels(&world, category)[0]);
    // The channel outlives its ticket when Discord fails to delete it.
    world
        .sandbox
        .fail_route("DELETE", "/channels/{channel_id}", 500, Some(10));
    close_by_command(&world.moderator, channel).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    world.sandbox.clear_faults();
    let refused = close_request(&world.moderator, channel, &[]).await;
    assert!(refused.is_ephemeral());
    assert_eq!(refused.content, "Ticket #1 is already closed.");
    assert!(
        !world
            .guild
            .messages(channel)
            .iter()
            .any(|m| m.content.contains("asks whether ticket")),
        "nothing was posted"
    );
    world.finish().await;
}

/// The **Close ticket** button on a ticket's first message closes it with no reason: the
/// "Reason:" line of that message is why the ticket was opened, not why it closes.
async fn the_first_messages_close_button_closes_without_a_reason(store: Store) {
    let world = World::start(store).await;
    let (category, log, panel) = set_up(&world).await;
    let _ = open(&world, &world.alice, &panel, "my order is late").await;
    let channel = Id::new(ticket_channels(&world, category)[0]);
    let first = world
        .guild
        .wait_for_message(channel, |m| m.content.starts_with("Ticket #1 opened"))
        .await;
    assert!(first.content.contains("Reason: my order is late"));
    let _ = answer(&click(&world.alice, &first, "Close ticket")).await;
    let alice = world.alice.id();
    let logged = world
        .guild
        .wait_for_message(log, |m| m.content.starts_with("Ticket #1 of"))
        .await;
    assert_eq!(
        logged.content,
        format!("Ticket #1 of <@{alice}> closed by <@{alice}>.")
    );
    world.finish().await;
}

/// A second support member may not act on a ticket another has claimed: adding a member,
/// closing or asking to close is refused with a sentence naming the claimer, and nothing
/// changes.
async fn a_support_member_is_refused_on_a_ticket_another_claimed(store: Store) {
    let world = World::start(store).await;
    let (category, _, panel) = set_up(&world).await;
    let support = world
        .moderator
        .info()
        .expect("the moderator is a member")
        .roles
        .into_iter()
        .map(Id::new)
        .filter(|r| world.guild.role(*r).is_some_and(|r| r.name == "Support"))
        // The newest: `set_up`'s (the world has an older role of that name).
        .max()
        .expect("the support role");
    let helper = world.guild.add_member("helper");
    world.guild.grant(&helper, support);
    let _ = open(&world, &world.alice, &panel, "where is my refund").await;
    let channel = Id::new(ticket_channels(&world, category)[0]);
    let claimed = answer(
        &world
            .moderator
            .run_command(channel, "ticket", &sub("claim", vec![])),
    )
    .await;
    assert!(
        claimed.content.contains("claimed ticket #1"),
        "{}",
        claimed.content
    );

    let moderator = world.moderator.id();
    let add = sub(
        "add",
        vec![("member".into(), CommandValue::User(world.bob.id()))],
    );
    for (what, options) in [("add", add), ("close", sub("close", vec![]))] {
        let refused = answer(&helper.run_command(channel, "ticket", &options)).await;
        assert!(refused.is_ephemeral(), "{what}");
        assert!(
            refused.content.starts_with(&format!(
                "<@{moderator}> has claimed this ticket; only they or an admin can"
            )),
            "{what}: {}",
            refused.content
        );
    }
    let refused = close_request(&helper, channel, &[]).await;
    assert!(refused.is_ephemeral());
    assert!(
        refused
            .content
            .starts_with(&format!("<@{moderator}> has claimed this ticket"))
    );
    // Nothing changed: Bob still can't write there, the ticket is open, nothing was posted.
    assert!(world.bob.try_send(channel, "let me in").is_err());
    assert_eq!(ticket_channels(&world, category).len(), 1);
    assert!(
        !world
            .guild
            .messages(channel)
            .iter()
            .any(|m| m.content.contains("asks whether ticket")
                || m.content.starts_with("Close ticket")),
        "nothing was posted"
    );
    world.finish().await;
}

on_every_store!(
    the_opener_answers_a_close_request_with_its_buttons,
    a_close_request_on_a_closed_ticket_is_refused,
    the_first_messages_close_button_closes_without_a_reason,
    a_support_member_is_refused_on_a_ticket_another_claimed,
);

async fn an_unanswered_close_request_closes_the_ticket_when_its_delay_passes(store: Store) {
    let clock = ManualClock::new(SystemClock.now());
    let world = World::setup(store).clock(clock.clone()).start().await;
    let (category, log, panel) = set_up(&world).await;
    let _ = open(&world, &world.alice, &panel, "quiet one").await;
    let channel = Id::new(ticket_channels(&world, category)[0]);
    let (alice, moderator) = (world.alice.id(), world.moderator.id());

    for (delay, sentence) in [
        (
            "soon",
            "That delay won't do: `soon` is not a duration; write it like 30s, 10m, 1h30m, 7d or 2w.",
        ),
        (
            "10s",
            "That delay won't do: durations start at 1 minute for a close request.",
        ),
        (
            "31d",
            "That delay won't do: durations go up to 30 days for a close request.",
        ),
    ] {
        let refused = close_request(&world.moderator, channel, &[("delay", delay)]).await;
        assert_eq!(refused.content, sentence);
    }
    let said = close_request(&world.moderator, channel, &[("delay", "2h")]).await;
    assert_eq!(
        said.content,
        format!(
            "I asked <@{alice}> whether ticket #1 can close; it closes on its own in 2 hours \
             without an answer."
        )
    );
    let asked = request_in(&world, channel, 1).await;
    assert!(
        asked.content.contains("It closes on its own <t:"),
        "{}",
        asked.content
    );
    assert!(deadline_pending(&world, channel).await);
    clock.advance(Duration::from_secs(2 * 3_600 - 60));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(ticket_channels(&world, category).len(), 1, "not yet");
    clock.advance(Duration::from_secs(61));
    let logged = world
        .guild
        .wait_for_message(log, |m| m.content.starts_with("Ticket #1 of"))
        .await;
    assert_eq!(
        logged.content,
        format!(
            "Ticket #1 of <@{alice}> closed by <@{moderator}>: no answer to the close request."
        )
    );
    let text = String::from_utf8(logged.attachments[1].bytes.clone()).expect("utf-8");
    assert!(
        text.contains("Nobody answered the close request: ticket #1 closes now."),
        "the transcript says why:\n{text}"
    );

    // Kept open: the deadline goes, and passing it changes nothing.
    wait_until("the closed ticket's channel is gone", || {
        ticket_channels(&world, category).is_empty()
    })
    .await;
    let (_, reopened) = open(&world, &world.alice, &panel, "another one").await;
    assert!(
        reopened.content.starts_with("Your ticket is open"),
        "{}",
        reopened.content
    );
    let second = Id::new(ticket_channels(&world, category)[0]);
    let _ = close_request(&world.moderator, second, &[("delay", "1h")]).await;
    let asked = request_in(&world, second, 1).await;
    let _ = answer(&click(&world.alice, &asked, "Keep open")).await;
    assert!(
        !deadline_pending(&world, second).await,
        "keeping it open cancels the deadline"
    );
    clock.advance(Duration::from_secs(2 * 3_600));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(ticket_channels(&world, category), [second.get()]);

    // Closed otherwise: the deadline goes too.
    let _ = close_request(&world.moderator, second, &[("delay", "1h")]).await;
    assert!(deadline_pending(&world, second).await);
    close_by_command(&world.moderator, second).await;
    world
        .guild
        .wait_for_message(log, |m| m.content.starts_with("Ticket #2 of"))
        .await;
    assert!(
        !deadline_pending(&world, second).await,
        "closing cancels the deadline"
    );
    world.finish().await;
}

on_every_store!(an_unanswered_close_request_closes_the_ticket_when_its_delay_passes);

async fn a_rating_comes_with_a_comment_that_reaches_the_log_and_the_stats(store: Store) {
    let world = World::start(store).await;
    let (category, log, panel) = set_up(&world).await;
    let _ = open(&world, &world.alice, &panel, "Refund please").await;
    let channel = Id::new(ticket_channels(&world, category)[0]);
    world.moderator.send(channel, "Refunded!");
    close_by_command(&world.moderator, channel).await;
    let dm = wait_for_dm(&world.alice).await;

    // Two rating forms open at once: the first one sent counts, the second is refused.
    let first = click(&world.alice, &dm, "★★★★");
    let modal = first.wait_for_modal().await;
    assert_eq!(modal.title, "Rate ticket #1: ★★★★");
    let second = click(&world.alice, &dm, "★");
    let _ = second.wait_for_modal().await;
    let comment = "Quick and kind @everyone\nthanks <@&1>";
    let thanks = answer(&world.alice.submit_modal(&first, &[("comment", comment)])).await;
    assert_eq!(thanks.content, "Thank you! You rated ticket #1 4/5.");
    assert!(
        thanks.components.is_empty(),
        "the stars are gone once rated"
    );
    let refused = answer(&world.alice.submit_modal(&second, &[("comment", "")])).await;
    assert!(refused.is_ephemeral());
    assert_eq!(refused.content, "You already rated this ticket.");

    let alice = world.alice.id();
    let rated = world
        .guild
        .wait_for_message(log, |m| m.content.contains("Rating:"))
        .await;
    assert_eq!(
        rated.content,
        format!(
            "Ticket #1 of <@{alice}> closed by <@{}>.\nRating: ★★★★☆ (4/5)\n\
             > Quick and kind @\u{200b}everyone\n> thanks <@\u{200b}&1>",
            world.moderator.id()
        )
    );
    assert!(
        !rated.mention_everyone && rated.mention_roles.is_empty(),
        "it pings nobody"
    );
    assert_eq!(rated.attachments.len(), 2, "the entry keeps its transcript");

    let stats = answer(
        &world
            .owner
            .run_command(world.general, "ticket", &sub("stats", vec![])),
    )
    .await;
    assert!(
        stats.content.contains("Rating: 4.0 ★ from 1."),
        "{}",
        stats.content
    );
    world.finish().await;
}

on_every_store!(a_rating_comes_with_a_comment_that_reaches_the_log_and_the_stats);
