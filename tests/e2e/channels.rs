//! `/slowmode`, `/lockdown` and `/unlock`: a lockdown and its unlock leave a channel's custom
//! overwrites exactly as they were, a timed lockdown ends on time, refusals change nothing.

use std::time::Duration;

use hearth_core::{Clock, ManualClock, SystemClock};
use hearth_sandbox::{CommandValue, state::Overwrite};
use twilight_model::{guild::Permissions, id::Id};

use crate::harness::{Store, World, answer, on_every_store, title_of as title};

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

mod escalation_policy {
    //! `/escalation show | set`, and a progressive policy carried out step by step.

    use hearth_sandbox::CommandValue;

    use crate::harness::{Store, World, answer, on_every_store, warn};

    async fn escalation_set_validates_shows_and_each_step_fires_once(store: Store) {
        let world = World::start(store).await;
        let run_set = |member: &hearth_sandbox::Member, steps: &str, window: Option<&str>| {
            let mut options = vec![("steps".to_owned(), CommandValue::String(steps.into()))];
            if let Some(window) = window {
                options.push(("window".to_owned(), CommandValue::String(window.into())));
            }
            member.run_command(
                world.general,
                "escalation",
                &[("set", CommandValue::Subcommand("set".into(), options))],
            )
        };
        let show = || {
            world.moderator.run_command(
                world.general,
                "escalation",
                &[("show", CommandValue::Subcommand("show".into(), vec![]))],
            )
        };

        let refused = answer(&run_set(&world.moderator, "2 kick", None)).await;
        assert_eq!(
            refused.content,
            "You need the Manage Server permission to change the escalation policy."
        );
        let too_long = answer(&run_set(&world.owner, "3 timeout 29d", None)).await;
        assert_eq!(
            too_long.content,
            "Timeouts go up to 28 days, Discord's limit."
        );
        let unreadable = answer(&run_set(&world.owner, "3 explode", None)).await;
        assert_eq!(
            unreadable.content,
            "`3 explode` is not a step; write steps like `3 timeout 1h, 5 kick, 7 ban 7d`."
        );
        let default = answer(&show()).await;
        assert!(
            default
                .content
                .contains("- 3 warnings → timeout for 1 hour"),
            "{}",
            default.content
        );

        let saved = answer(&run_set(
            &world.owner,
            "2 timeout 1h, 3 ban 7d",
            Some("30d"),
        ))
        .await;
        assert!(saved.is_ephemeral());
        assert!(
            saved
                .content
                .contains("- 2 warnings within 30 days → timeout for 1 hour")
                && saved
                    .content
                    .contains("- 3 warnings within 30 days → ban for 7 days"),
            "{}",
            saved.content
        );
        let shown = answer(&show()).await;
        assert!(
            shown
                .content
                .contains("As typed: `2 timeout 1h, 3 ban 1w (within 4w2d)`"),
            "{}",
            shown.content
        );

        warn(&world, &world.moderator, &world.alice, "one")
            .wait_for_original(|m| !m.embeds.is_empty())
            .await;
        assert!(!world.alice.is_timed_out());
        warn(&world, &world.moderator, &world.alice, "two")
            .wait_for_original(|m| !m.embeds.is_empty())
            .await;
        assert!(world.alice.is_timed_out(), "the second warning times out");
        warn(&world, &world.moderator, &world.alice, "three")
            .wait_for_original(|m| !m.embeds.is_empty())
            .await;
        let bans = world.guild.bans();
        assert_eq!(bans.len(), 1, "the third warning bans");
        assert_eq!(
            world
                .sandbox
                .request_count("PATCH", "/guilds/{guild_id}/members/{user_id}"),
            1,
            "the timeout step fired once"
        );
        world.finish().await;
    }

    on_every_store!(escalation_set_validates_shows_and_each_step_fires_once,);
}
