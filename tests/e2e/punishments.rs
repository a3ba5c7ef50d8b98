//! `/mute`, `/unmute`, `/kick`, `/ban`, `/unban`, `/case` and `/reason` as moderators see
//! them: every action a case in the mod log, every refusal a sentence that changes nothing, and
//! timed bans lifted by the scheduler under a virtual clock.

use std::time::Duration;

use hearth_core::{
    Clock, GuildId, ManualClock, SystemClock, UserId,
    timed::{ActionKey, ActionKind, TimedActionStore},
};
use hearth_moderation::{CaseNumber, CaseStore};
use hearth_sandbox::{CommandValue, InteractionHandle, Member, state::Message};
use twilight_model::id::{Id, marker::UserMarker};

use crate::harness::{Place, Store, World, answer, on_every_store, title_of as title, with_store};

/// `member` runs `/<name>` in #general with these options.
fn run(
    place: &Place,
    member: &Member,
    name: &str,
    options: &[(&str, CommandValue)],
) -> InteractionHandle {
    member.run_command(place.general, name, options)
}

fn user(id: Id<UserMarker>) -> CommandValue {
    CommandValue::User(id)
}

fn text(value: &str) -> CommandValue {
    CommandValue::String(value.to_owned())
}

/// The moderator runs `/<name>` with these options; the answer.
async fn moderate(world: &World, name: &str, options: &[(&str, CommandValue)]) -> Message {
    answer(&run(world, &world.moderator, name, options)).await
}

/// The pending timed unban of `member`, read from the store.
async fn pending_unban(world: &World, member: &Member) -> Option<hearth_core::timed::TimedAction> {
    let key = ActionKey::new(
        guild_of(world),
        &ActionKind::Unban {
            user: UserId::new(member.id().get()),
        },
    );
    with_store!(world, |store| store.pending(key).await.unwrap())
}

/// The value of the embed field named `name`.
fn field(message: &Message, name: &str) -> String {
    message
        .embeds
        .first()
        .and_then(|e| e["fields"].as_array())
        .into_iter()
        .flatten()
        .find(|f| f["name"] == name)
        .and_then(|f| f["value"].as_str())
        .unwrap_or_default()
        .to_owned()
}

fn banned(world: &World, member: &Member) -> bool {
    world
        .guild
        .bans()
        .iter()
        .any(|b| b.user_id == member.id().get())
}

fn guild_of(world: &World) -> GuildId {
    GuildId::new(world.guild.id().get())
}

async fn mute_unmute_kick_ban_and_unban_are_cases_in_the_mod_log(store: Store) {
    let world = World::start(store).await;
    world.set_mod_log().await;

    let muted = moderate(
        &world,
        "mute",
        &[
            ("member", user(world.alice.id())),
            ("duration", text("10m")),
            ("reason", text("spam")),
        ],
    )
    .await;
    assert_eq!(title(&muted), "Case #1 · Mute");
    assert_eq!(field(&muted, "Duration"), "10 minutes");
    assert!(world.alice.is_timed_out());
    let dm = world
        .sandbox
        .wait_for("the mute DM", || world.alice.dms().into_iter().next())
        .await;
    assert!(
        dm.embeds[0]["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("You were muted in **Hearth Test** for 10 minutes.")),
        "{:?}",
        dm.embeds
    );

    let unmuted = moderate(&world, "unmute", &[("member", user(world.alice.id()))]).await;
    assert_eq!(title(&unmuted), "Case #2 · Unmute");
    assert!(!world.alice.is_timed_out());

    let kicked = moderate(
        &world,
        "kick",
        &[("member", user(world.bob.id())), ("reason", text("rude"))],
    )
    .await;
    assert_eq!(title(&kicked), "Case #3 · Kick");
    assert!(world.bob.info().is_none(), "bob is no longer a member");

    let ban = moderate(
        &world,
        "ban",
        &[
            ("user", user(world.alice.id())),
            ("delete_messages", CommandValue::Integer(1)),
            ("reason", text("raiding")),
        ],
    )
    .await;
    assert_eq!(title(&ban), "Case #4 · Ban");
    let bans = world.guild.bans();
    assert_eq!(bans.len(), 1);
    assert_eq!(
        (bans[0].user_id, bans[0].delete_message_seconds),
        (world.alice.id().get(), 86_400)
    );

    // Bob left (kicked): he can still be banned by id.
    let by_id = moderate(&world, "ban", &[("user", user(world.bob.id()))]).await;
    assert_eq!(title(&by_id), "Case #5 · Ban");
    assert!(banned(&world, &world.bob));

    let unbanned = moderate(&world, "unban", &[("user", user(world.alice.id()))]).await;
    assert_eq!(title(&unbanned), "Case #6 · Unban");
    assert!(!banned(&world, &world.alice));

    let cases = world
        .sandbox
        .wait_for("six cases in the mod log", || {
            Some(world.mod_log_cases()).filter(|c| c.len() >= 6)
        })
        .await;
    let mut sorted = cases.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "Case #1 · Mute",
            "Case #2 · Unmute",
            "Case #3 · Kick",
            "Case #4 · Ban",
            "Case #5 · Ban",
            "Case #6 · Unban"
        ]
    );
    world.finish().await;
}

async fn case_shows_a_case_and_reason_edits_it_and_its_mod_log_entry(store: Store) {
    let world = World::start(store).await;
    world.set_mod_log().await;
    moderate(
        &world,
        "kick",
        &[("member", user(world.bob.id())), ("reason", text("rude"))],
    )
    .await;
    let shown = moderate(&world, "case", &[("number", CommandValue::Integer(1))]).await;
    assert!(shown.is_ephemeral());
    assert_eq!(title(&shown), "Case #1 · Kick");
    assert_eq!(field(&shown, "Reason"), "rude");

    let edited = moderate(
        &world,
        "reason",
        &[
            ("number", CommandValue::Integer(1)),
            ("text", text("rude, and spamming DMs")),
        ],
    )
    .await;
    assert!(edited.is_ephemeral());
    assert_eq!(
        edited.content,
        "Case #1's reason is now: rude, and spamming DMs."
    );
    let entry = world
        .sandbox
        .wait_for("the mod-log entry edited", || {
            world
                .guild
                .messages(world.mod_log)
                .into_iter()
                .find(|m| field(m, "Reason") == "rude, and spamming DMs")
        })
        .await;
    assert_eq!(title(&entry), "Case #1 · Kick");
    let stored = with_store!(world, |store| store
        .case(guild_of(&world), CaseNumber(1))
        .await
        .unwrap());
    assert_eq!(
        stored.map(|c| c.reason),
        Some("rude, and spamming DMs".to_owned())
    );

    let missing = moderate(&world, "case", &[("number", CommandValue::Integer(99))]).await;
    assert_eq!(missing.content, "There is no case #99 in this server.");
    world.finish().await;
}

/// Runs a command that must be refused and returns the sentence.
async fn refused(
    place: &Place,
    member: &Member,
    name: &str,
    options: &[(&str, CommandValue)],
) -> String {
    let reply = answer(&run(place, member, name, options)).await;
    assert!(reply.is_ephemeral(), "/{name}: {}", reply.content);
    reply.content
}

async fn every_refusal_is_a_sentence_and_changes_nothing(store: Store) {
    let world = World::start(store).await;
    world.set_mod_log().await;
    let m = &world.moderator;
    let mute = |target: Id<UserMarker>, duration: &str| {
        vec![("member", user(target)), ("duration", text(duration))]
    };

    assert_eq!(
        refused(
            &world,
            &world.alice,
            "ban",
            &[("user", user(world.bob.id()))]
        )
        .await,
        "You need the Ban Members permission to ban members."
    );
    assert_eq!(
        refused(&world, &world.alice, "mute", &mute(world.bob.id(), "1h")).await,
        "You need the Moderate Members permission to mute members."
    );
    assert_eq!(
        refused(
            &world,
            &world.alice,
            "kick",
            &[("member", user(world.bob.id()))]
        )
        .await,
        "You need the Kick Members permission to kick members."
    );
    assert_eq!(
        refused(&world, m, "mute", &mute(m.id(), "1h")).await,
        "You can't mute yourself."
    );
    assert_eq!(
        refused(&world, m, "ban", &[("user", user(world.sandbox.bot_id()))]).await,
        "I won't ban myself."
    );
    assert_eq!(
        refused(&world, m, "kick", &[("member", user(world.owner.id()))]).await,
        format!(
            "You can't kick <@{}>: they own this server.",
            world.owner.id()
        )
    );
    assert_eq!(
        refused(&world, m, "mute", &mute(world.senior.id(), "1h")).await,
        format!(
            "You can't mute <@{}>: their highest role is not below yours.",
            world.senior.id()
        )
    );
    assert_eq!(
        refused(&world, m, "mute", &mute(world.alice.id(), "0s")).await,
        "That duration won't do: a duration must be longer than zero."
    );
    assert_eq!(
        refused(&world, m, "mute", &mute(world.alice.id(), "-5m")).await,
        "That duration won't do: `-5m` is not a duration; write it like 30s, 10m, 1h30m, 7d or 2w."
    );
    assert_eq!(
        refused(&world, m, "mute", &mute(world.alice.id(), "29d")).await,
        "That duration won't do: durations go up to 28 days for a timeout."
    );
    let too_long = refused(
        &world,
        m,
        "ban",
        &[
            ("user", user(world.alice.id())),
            ("duration", text("99999d")),
        ],
    )
    .await;
    assert_eq!(
        too_long,
        "That duration won't do: durations go up to 365 days for a ban."
    );
    assert_eq!(
        refused(&world, m, "unban", &[("user", user(world.bob.id()))]).await,
        format!("<@{}> isn't banned.", world.bob.id())
    );
    assert_eq!(
        refused(&world, m, "unmute", &[("member", user(world.bob.id()))]).await,
        format!("<@{}> isn't muted.", world.bob.id())
    );

    // Nothing changed: no ban, no timeout, no case.
    assert!(world.guild.bans().is_empty());
    assert!(!world.alice.is_timed_out() && !world.senior.is_timed_out());
    assert!(world.mod_log_cases().is_empty());
    let first_case = with_store!(world, |store| store
        .case(guild_of(&world), CaseNumber(1))
        .await
        .unwrap());
    assert_eq!(first_case, None);
    world.finish().await;
}

/// A clock at the real time now, which the scenario then moves by hand.
fn virtual_clock() -> ManualClock {
    ManualClock::new(SystemClock.now())
}

async fn a_timed_ban_is_lifted_on_time_under_a_virtual_clock(store: Store) {
    let clock = virtual_clock();
    let world = World::setup(store).clock(clock.clone()).start().await;
    world.set_mod_log().await;
    let ban = moderate(
        &world,
        "ban",
        &[("user", user(world.alice.id())), ("duration", text("1h"))],
    )
    .await;
    assert_eq!(title(&ban), "Case #1 · Ban");
    assert_eq!(field(&ban, "Duration"), "1 hour");
    let pending = pending_unban(&world, &world.alice)
        .await
        .expect("the unban is scheduled");
    assert_eq!(pending.case, Some(1));

    clock.advance(Duration::from_secs(3_599));
    // Several polls of the scheduler (every 250 ms): not yet.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(banned(&world, &world.alice), "lifted a second early");

    clock.advance(Duration::from_secs(1));
    world
        .sandbox
        .wait_for("the ban lifted", || {
            (!banned(&world, &world.alice)).then_some(())
        })
        .await;
    let done = world
        .sandbox
        .wait_for("the mod log hearing of it", || {
            world
                .guild
                .messages(world.mod_log)
                .into_iter()
                .find(|m| title(m) == "Timed actions done")
        })
        .await;
    assert_eq!(
        done.embeds[0]["description"].as_str(),
        Some(format!("The ban of <@{}> ended (case #1).", world.alice.id()).as_str())
    );
    // The scheduler completes the action just after the mod-log post.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while pending_unban(&world, &world.alice).await.is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the unban stays pending"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        world
            .sandbox
            .request_count("DELETE", "/guilds/{guild_id}/bans/{user_id}"),
        1
    );
    world.finish().await;
}

async fn unban_before_the_timer_cancels_it(store: Store) {
    let clock = virtual_clock();
    let world = World::setup(store).clock(clock.clone()).start().await;
    moderate(
        &world,
        "ban",
        &[("user", user(world.alice.id())), ("duration", text("1h"))],
    )
    .await;
    let unbanned = moderate(&world, "unban", &[("user", user(world.alice.id()))]).await;
    assert_eq!(title(&unbanned), "Case #2 · Unban");
    assert_eq!(pending_unban(&world, &world.alice).await, None);
    clock.advance(Duration::from_secs(7_200));
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Only /unban's own call: the timer is gone.
    assert_eq!(
        world
            .sandbox
            .request_count("DELETE", "/guilds/{guild_id}/bans/{user_id}"),
        1
    );
    world.finish().await;
}

on_every_store!(
    mute_unmute_kick_ban_and_unban_are_cases_in_the_mod_log,
    case_shows_a_case_and_reason_edits_it_and_its_mod_log_entry,
    every_refusal_is_a_sentence_and_changes_nothing,
    a_timed_ban_is_lifted_on_time_under_a_virtual_clock,
    unban_before_the_timer_cancels_it,
);
