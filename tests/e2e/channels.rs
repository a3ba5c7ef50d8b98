//! `/slowmode`, `/lockdown` and `/unlock`: a lockdown and its unlock leave a channel's custom
//! overwrites exactly as they were, a timed lockdown ends on time, refusals change nothing.

use std::time::Duration;

use hearth_core::{Clock, ManualClock, SystemClock};
use hearth_sandbox::{CommandValue, state::Overwrite};
use twilight_model::{guild::Permissions, id::Id};

use crate::harness::{Store, World, answer, on_every_store};

fn title(message: &hearth_sandbox::state::Message) -> String {
    message
        .embeds
        .first()
        .and_then(|e| e["title"].as_str())
        .unwrap_or_default()
        .to_owned()
}

fn overwrites(
    world: &World,
    channel: Id<twilight_model::id::marker::ChannelMarker>,
) -> Vec<Overwrite> {
    let mut list = world.guild.channel(channel).expect("channel").overwrites;
    list.sort_by_key(|o| o.id);
    list
}

/// #general with custom overwrites: `@everyone` allowed to view and attach, denied reactions;
/// the Moderator role allowed to send.
fn customise(world: &World) -> Vec<Overwrite> {
    let everyone = world.guild.everyone_role().get();
    world.guild.set_overwrite(
        world.general,
        everyone,
        0,
        Permissions::VIEW_CHANNEL | Permissions::ATTACH_FILES,
        Permissions::ADD_REACTIONS,
    );
    world.guild.set_overwrite(
        world.general,
        world.moderator_role.get(),
        0,
        Permissions::SEND_MESSAGES,
        Permissions::empty(),
    );
    overwrites(world, world.general)
}

async fn lockdown_and_unlock_restore_custom_overwrites_exactly(store: Store) {
    let world = World::start(store).await;
    world.set_mod_log().await;
    let before = customise(&world);
    world.alice.send(world.general, "before");

    let locked = answer(&world.owner.run_command(
        world.general,
        "lockdown",
        &[("reason", CommandValue::String("raid".into()))],
    ))
    .await;
    assert_eq!(title(&locked), "Case #1 · Lockdown");
    let everyone = world.guild.everyone_role().get();
    let during = overwrites(&world, world.general);
    let locked_everyone = during
        .iter()
        .find(|o| o.id == everyone)
        .expect("an overwrite");
    assert_eq!(
        locked_everyone.deny,
        Permissions::ADD_REACTIONS | Permissions::SEND_MESSAGES
    );
    assert_eq!(
        locked_everyone.allow,
        Permissions::VIEW_CHANNEL | Permissions::ATTACH_FILES
    );
    assert!(world.alice.try_send(world.general, "let me in").is_err());

    let again = answer(&world.owner.run_command(world.general, "lockdown", &[])).await;
    assert!(again.is_ephemeral());
    assert_eq!(
        again.content,
        format!("<#{}> is locked already.", world.general)
    );

    let unlocked = answer(&world.owner.run_command(world.general, "unlock", &[])).await;
    assert_eq!(title(&unlocked), "Case #2 · Unlock");
    assert_eq!(
        overwrites(&world, world.general),
        before,
        "restored exactly"
    );
    assert!(world.alice.try_send(world.general, "back").is_ok());

    let not_locked = answer(&world.owner.run_command(world.general, "unlock", &[])).await;
    assert_eq!(
        not_locked.content,
        format!("<#{}> isn't locked.", world.general)
    );
    world.finish().await;
}

async fn a_channel_without_overwrites_gets_none_back_and_a_timed_lockdown_ends_on_time(
    store: Store,
) {
    let clock = ManualClock::new(SystemClock.now());
    let world = World::setup(store).clock(clock.clone()).start().await;
    assert!(overwrites(&world, world.general).is_empty());
    let locked = answer(&world.owner.run_command(
        world.general,
        "lockdown",
        &[("duration", CommandValue::String("30m".into()))],
    ))
    .await;
    assert_eq!(title(&locked), "Case #1 · Lockdown");
    assert_eq!(overwrites(&world, world.general).len(), 1);

    clock.advance(Duration::from_secs(29 * 60));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(overwrites(&world, world.general).len(), 1, "unlocked early");
    clock.advance(Duration::from_secs(60));
    world
        .sandbox
        .wait_for("the lockdown to end", || {
            overwrites(&world, world.general).is_empty().then_some(())
        })
        .await;
    world.finish().await;
}

async fn slowmode_sets_and_turns_off_and_refuses_bad_input(store: Store) {
    let world = World::start(store).await;
    let set = |duration: &str| {
        world.owner.run_command(
            world.general,
            "slowmode",
            &[("duration", CommandValue::String(duration.into()))],
        )
    };
    let on = answer(&set("30s")).await;
    assert_eq!(title(&on), "Case #1 · Slowmode");
    assert_eq!(
        world
            .guild
            .channel(world.general)
            .unwrap()
            .rate_limit_per_user,
        30
    );
    let off = answer(&set("0")).await;
    assert_eq!(title(&off), "Case #2 · Slowmode");
    assert_eq!(
        world
            .guild
            .channel(world.general)
            .unwrap()
            .rate_limit_per_user,
        0
    );

    let long = answer(&set("7h")).await;
    assert!(long.is_ephemeral());
    assert_eq!(
        long.content,
        "That duration won't do: durations go up to 6 hours for slowmode."
    );
    let member = answer(&world.alice.run_command(world.general, "lockdown", &[])).await;
    assert_eq!(
        member.content,
        "You need the Manage Channels permission to lock channels."
    );
    assert_eq!(
        world
            .guild
            .channel(world.general)
            .unwrap()
            .rate_limit_per_user,
        0
    );
    assert!(overwrites(&world, world.general).is_empty());
    world.finish().await;
}

on_every_store!(
    lockdown_and_unlock_restore_custom_overwrites_exactly,
    a_channel_without_overwrites_gets_none_back_and_a_timed_lockdown_ends_on_time,
    slowmode_sets_and_turns_off_and_refuses_bad_input,
);
