//! `/warn` when things go wrong around it: Discord refusing or slow, Redis or the database
//! gone, two moderators or two guilds at once. What the moderator and the member see.

use std::time::Duration;

use hearth_sandbox::{BOT_DEFAULT_PERMISSIONS, ResponseKind};
use twilight_model::guild::Permissions;

use crate::{
    harness::{Place, Store, World, answer, on_every_store, text_of, warn, warnings},
    outage::RedisServer,
};

/// Modify Guild Member: how the bot times a member out.
pub(crate) const MEMBER_ROUTE: &str = "/guilds/{guild_id}/members/{user_id}";

/// Create Interaction Response: the first response on the gateway path.
const CALLBACK_ROUTE: &str = "/interactions/{interaction_id}/{interaction_token}/callback";

/// Create Message.
const MESSAGES_ROUTE: &str = "/channels/{channel_id}/messages";

/// The moderator warns alice of `place` twice, each answered: the next warning escalates.
async fn two_warnings(place: &Place) {
    for reason in ["one", "two"] {
        let reply = answer(&warn(place, &place.moderator, &place.alice, reason)).await;
        assert!(!reply.embeds.is_empty(), "{}", reply.content);
    }
}

/// What `/warnings` says about alice in `place`.
async fn listed(place: &Place) -> String {
    text_of(&answer(&warnings(place, &place.moderator, &place.alice, None)).await)
}

async fn closed_dms_do_not_stop_the_warning(store: Store) {
    let world = World::start(store).await;
    world.set_mod_log().await;
    world.alice.close_dms();

    for reason in ["spam", "more spam"] {
        let reply = answer(&warn(&world, &world.moderator, &world.alice, reason)).await;
        assert!(text_of(&reply).contains(reason), "{}", text_of(&reply));
    }
    assert!(listed(&world).await.contains("has 2 warnings,"));
    world
        .sandbox
        .wait_for("both cases in the mod log", || {
            (world.mod_log_cases().len() == 2).then_some(())
        })
        .await;
    world
        .sandbox
        .wait_for("two refused DMs", || {
            let refused = world
                .sandbox
                .requests()
                .iter()
                .filter(|r| r.route.as_deref() == Some(MESSAGES_ROUTE) && r.status == 403)
                .count();
            (refused == 2).then_some(())
        })
        .await;
    assert!(world.alice.dms().is_empty());
    world.finish().await;
}

async fn discord_refusing_the_escalation_tells_the_moderator_why(store: Store) {
    let world = World::start(store).await;
    world.set_mod_log().await;
    two_warnings(&world).await;
    // Someone took Moderate Members from the bot's role: Discord answers 403 (50013).
    world.guild.set_role_permissions(
        world.guild.bot_role(),
        BOT_DEFAULT_PERMISSIONS - Permissions::MODERATE_MEMBERS,
    );

    let reply = warn(&world, &world.moderator, &world.alice, "three")
        .wait_for_original(|m| !m.embeds.is_empty())
        .await;
    let text = text_of(&reply);
    assert!(
        text.contains(
            "3 warnings → timeout for 1 hour, but I'm not allowed to: check my permissions and \
             that my role is above theirs."
        ),
        "{text}"
    );
    assert!(!world.alice.is_timed_out());
    assert!(
        world
            .sandbox
            .requests()
            .iter()
            .any(|r| r.route.as_deref() == Some(MEMBER_ROUTE) && r.status == 403),
        "Discord refused the timeout"
    );
    let case = world
        .guild
        .wait_for_message(world.mod_log, |m| {
            m.embeds
                .first()
                .is_some_and(|e| e["title"] == "Case #3 · warning")
        })
        .await;
    assert!(
        case.embeds[0].to_string().contains("I'm not allowed to"),
        "{}",
        case.embeds[0]
    );
    assert!(listed(&world).await.contains("has 3 warnings,"));
    world.finish().await;
}

async fn a_mod_log_the_bot_can_no_longer_post_in_does_not_stop_the_warning(store: Store) {
    let world = World::start(store).await;
    world.set_mod_log().await;
    // An admin locks #mod-log for the bot's role after it was chosen.
    world.guild.set_overwrite(
        world.mod_log,
        world.guild.bot_role().get(),
        0,
        Permissions::empty(),
        Permissions::SEND_MESSAGES,
    );

    let reply = answer(&warn(&world, &world.moderator, &world.alice, "spam")).await;
    assert!(text_of(&reply).contains("spam"), "{}", text_of(&reply));
    // The DM goes after the case: it still goes.
    world
        .sandbox
        .wait_for("the warning DM", || world.alice.dms().into_iter().next())
        .await;
    assert!(
        world.mod_log_cases().is_empty(),
        "{:?}",
        world.mod_log_cases()
    );
    assert!(
        world.sandbox.requests().iter().any(|r| {
            r.route.as_deref() == Some(MESSAGES_ROUTE)
                && r.path.contains(&world.mod_log.to_string())
                && r.status == 403
        }),
        "the bot tried and Discord refused"
    );
    assert!(listed(&world).await.contains("has 1 warning,"));
    world.finish().await;
}

async fn a_429_on_the_callback_route_is_retried_and_the_member_gets_the_answer(store: Store) {
    let world = World::start(store).await;
    world
        .sandbox
        .rate_limit_route("POST", CALLBACK_ROUTE, 0.3, false, Some(1));

    let warned = warn(&world, &world.moderator, &world.alice, "spam");
    let reply = answer(&warned).await;
    assert!(text_of(&reply).contains("spam"), "{}", text_of(&reply));
    // The sandbox records a request once it has answered it: wait for the record.
    let statuses = world
        .sandbox
        .wait_for("the retried callback", || {
            let statuses: Vec<u16> = world
                .sandbox
                .requests()
                .iter()
                .filter(|r| r.route.as_deref() == Some(CALLBACK_ROUTE))
                .map(|r| r.status)
                .collect();
            (statuses.len() >= 2).then_some(statuses)
        })
        .await;
    assert_eq!(statuses, [429, 204], "refused once, then taken");
    assert!(listed(&world).await.contains("has 1 warning,"));
    world.finish().await;
}

async fn rest_slower_than_three_seconds_is_deferred_by_the_watchdog_then_edited(store: Store) {
    let world = World::start(store).await;
    two_warnings(&world).await;
    world
        .sandbox
        .delay_route("PATCH", MEMBER_ROUTE, Duration::from_millis(3_500), Some(1));

    let third = warn(&world, &world.moderator, &world.alice, "three");
    let reply = third.wait_for_original(|m| !m.embeds.is_empty()).await;
    // Discord refuses a first response after 3 s; a deferral was taken, so it came in time.
    assert_eq!(third.info().response, Some(ResponseKind::Deferred));
    assert!(!reply.is_ephemeral(), "public, as a warning is");
    assert!(
        text_of(&reply).contains("timeout for 1 hour (done)"),
        "{}",
        text_of(&reply)
    );
    assert!(world.alice.is_timed_out());
    world.finish().await;
}

async fn redis_killed_mid_run_commands_are_still_answered(store: Store) {
    let Some(mut redis) = RedisServer::start(module_path!()) else {
        return;
    };
    let world = World::setup(store).redis(redis.url()).start().await;
    world.set_mod_log().await;
    answer(&warn(&world, &world.moderator, &world.alice, "before")).await;

    redis.kill();
    let reply = answer(&warn(&world, &world.moderator, &world.alice, "after")).await;
    assert!(text_of(&reply).contains("after"), "{}", text_of(&reply));
    assert!(listed(&world).await.contains("has 2 warnings,"));
    world
        .sandbox
        .wait_for("both cases in the mod log", || {
            (world.mod_log_cases().len() == 2).then_some(())
        })
        .await;
    world.finish().await;
}

async fn an_unreachable_database_gets_a_degraded_answer_and_nothing_is_half_written(store: Store) {
    let Some(setup) = World::setup(store).cuttable_database() else {
        return;
    };
    let mut world = setup.start().await;
    world.set_mod_log().await;

    world.cut_database();
    let warned = warn(&world, &world.moderator, &world.alice, "spam");
    let reply = answer(&warned).await;
    assert!(
        reply
            .content
            .starts_with("I can't reach my database right now, so nothing was saved."),
        "{}",
        reply.content
    );
    assert!(
        warned.info().response.is_some(),
        "acknowledged within Discord's 3 seconds"
    );
    world.restore_database();

    assert_eq!(world.stored_warnings(&world, &world.alice).await, 0);
    assert!(
        world.mod_log_cases().is_empty(),
        "{:?}",
        world.mod_log_cases()
    );
    assert!(world.alice.dms().is_empty());
    assert!(!world.alice.is_timed_out());
    world.finish().await;
}

/// Two moderators warn a member who has two warnings at the same moment: both warnings
/// count, and the step at three happens exactly once.
async fn two_moderators_warning_at_once_escalate_exactly_once(store: Store) {
    let world = World::start(store).await;
    two_warnings(&world).await;
    let second = world.another_moderator();

    let first = warn(&world, &world.moderator, &world.alice, "three");
    let other = warn(&world, &second, &world.alice, "three again");
    let replies = [
        first.wait_for_original(|m| !m.embeds.is_empty()).await,
        other.wait_for_original(|m| !m.embeds.is_empty()).await,
    ];
    let escalated = replies
        .iter()
        .filter(|r| text_of(r).contains("timeout for 1 hour"))
        .count();
    assert_eq!(escalated, 1, "{:?}", replies.map(|r| text_of(&r)));
    assert_eq!(world.sandbox.request_count("PATCH", MEMBER_ROUTE), 1);
    assert!(world.alice.is_timed_out());
    assert_eq!(world.stored_warnings(&world, &world.alice).await, 4);
    world.finish().await;
}

/// Two moderators warn a member at the same moment: both DMs arrive, and the DM channel is
/// opened once (the second DM waits for the first to open it).
async fn two_warnings_at_once_open_the_dm_channel_once(store: Store) {
    let world = World::start(store).await;
    let second = world.another_moderator();
    // The guild's first case comes before, alone: concurrent first cases of a guild are the
    // store's matter (two moderators warning at once, above), this is about DMs.
    answer(&warn(&world, &world.moderator, &world.alice, "first case")).await;
    world
        .sandbox
        .wait_for("alice's DM", || {
            (world.alice.dms().len() == 1).then_some(())
        })
        .await;
    let opened = |world: &World| world.sandbox.request_count("POST", "/users/@me/channels");
    let before = opened(&world);

    let first = warn(&world, &world.moderator, &world.bob, "one");
    let other = warn(&world, &second, &world.bob, "two");
    for reply in [answer(&first).await, answer(&other).await] {
        assert!(!reply.embeds.is_empty(), "{}", reply.content);
    }
    world
        .sandbox
        .wait_for("both DMs", || (world.bob.dms().len() == 2).then_some(()))
        .await;
    assert_eq!(
        opened(&world) - before,
        1,
        "bob's DM channel is opened once"
    );
    world.finish().await;
}

/// Two guilds use the bot at the same moment: each has its own case numbers, mod log and
/// warnings.
async fn two_guilds_at_once_keep_their_own_cases_and_settings(store: Store) {
    let world = World::start(store).await;
    let other = world.add_guild("Second Home").await;
    world.set_mod_log().await;

    let here = warn(&world, &world.moderator, &world.alice, "here");
    let there = warn(&other, &other.moderator, &other.alice, "there");
    let (here, there) = (answer(&here).await, answer(&there).await);
    assert!(text_of(&here).contains("here"), "{}", text_of(&here));
    assert!(text_of(&there).contains("there"), "{}", text_of(&there));
    assert!(listed(&world).await.contains("has 1 warning,"));
    assert!(listed(&other).await.contains("has 1 warning,"));

    other.set_mod_log().await;
    answer(&warn(&other, &other.moderator, &other.bob, "again")).await;
    world
        .sandbox
        .wait_for("the second guild's case", || {
            (other.mod_log_cases() == ["Case #2 · warning"]).then_some(())
        })
        .await;
    world
        .sandbox
        .wait_for("the first guild's case", || {
            (world.mod_log_cases() == ["Case #1 · warning"]).then_some(())
        })
        .await;
    world.finish().await;
}

on_every_store!(
    closed_dms_do_not_stop_the_warning,
    discord_refusing_the_escalation_tells_the_moderator_why,
    a_mod_log_the_bot_can_no_longer_post_in_does_not_stop_the_warning,
    a_429_on_the_callback_route_is_retried_and_the_member_gets_the_answer,
    rest_slower_than_three_seconds_is_deferred_by_the_watchdog_then_edited,
    redis_killed_mid_run_commands_are_still_answered,
    an_unreachable_database_gets_a_degraded_answer_and_nothing_is_half_written,
    two_moderators_warning_at_once_escalate_exactly_once,
    two_warnings_at_once_open_the_dm_channel_once,
    two_guilds_at_once_keep_their_own_cases_and_settings,
);
