//! Leveling, as members and admins see it: XP for chatting with the MEE6 numbers, level
//! roles, boosts, duplicated events, rank cards, leaderboards across a restart and two guilds,
//! `/stats`, and bad input.

use std::time::Duration;

use hearth_core::MessageId;
use hearth_sandbox::{CommandValue, Member, state::Message};
use hearth_xp_engine::{Multiplier, grant_amount, total_xp_for};
use twilight_model::{
    guild::Permissions,
    id::{Id, marker::MessageMarker},
};

use crate::harness::{Place, Store, World, XP_SEED, answer, click, on_every_store, text_of};

/// More than the 60-second cooldown: the sandbox's time moves on this much between messages.
const LATER: Duration = Duration::from_secs(61);

/// What a message earns at `percent` % (the guild's rate times any boost), from the bot's
/// seeded draw: the number the bot must grant, not one it reports.
fn earned(message: Id<MessageMarker>, percent: u32) -> u64 {
    let draw = hearth::leveling::draw(Some(XP_SEED), MessageId::new(message.get()));
    grant_amount(draw, Multiplier::ONE, Multiplier::from_percent(percent))
}

/// `member` says something in #general of `place` a minute after their last message, and the
/// bot stores what it earns; returns the member's new total.
async fn chat(world: &World, place: &Place, member: &Member, total: u64, percent: u32) -> u64 {
    world.sandbox.advance(LATER);
    let message = member.send(place.general, "hello there");
    let total = total + earned(message, percent);
    world.wait_for_xp(place, member, total).await;
    total
}

/// `member` runs `/name` with `options` in #general of `place`.
fn run(
    place: &Place,
    member: &Member,
    name: &str,
    options: &[(&str, CommandValue)],
) -> hearth_sandbox::InteractionHandle {
    member.run_command(place.general, name, options)
}

/// The bot's messages in #general of `place` (announcements).
fn bot_messages(world: &World, place: &Place) -> Vec<Message> {
    let bot = world.sandbox.bot_id().get();
    place
        .guild
        .messages(place.general)
        .into_iter()
        .filter(|m| m.author_id == bot && m.interaction_id.is_none())
        .collect()
}

/// The owner runs `/xpboost start multiplier duration`.
fn start_boost(
    world: &World,
    multiplier: &str,
    duration: &str,
) -> hearth_sandbox::InteractionHandle {
    run(
        world,
        &world.owner,
        "xpboost",
        &[(
            "start",
            CommandValue::Subcommand(
                "start".into(),
                vec![
                    ("multiplier".into(), string(multiplier)),
                    ("duration".into(), string(duration)),
                ],
            ),
        )],
    )
}

fn string(value: &str) -> CommandValue {
    CommandValue::String(value.to_owned())
}

async fn members_chat_and_level_up_with_the_mee6_numbers(store: Store) {
    let world = World::start(store).await;
    let mut total = 0;
    let mut messages = 0;
    while total < total_xp_for(1) {
        assert!(
            bot_messages(&world, &world).is_empty(),
            "no announcement before level 1 ({total} XP)"
        );
        total = chat(&world, &world, &world.alice, total, 100).await;
        messages += 1;
    }
    assert!(
        (5..=7).contains(&messages),
        "15–25 XP a message reaches 100 XP in 5 to 7 messages, not {messages}"
    );
    let announcement = world
        .guild
        .wait_for_message(world.general, |m| m.content.contains("level 1"))
        .await;
    assert_eq!(
        announcement.content,
        format!("GG <@{}>, you just advanced to level 1!", world.alice.id())
    );
    let rank = answer(&run(&world, &world.alice, "rank", &[])).await;
    assert_eq!(
        rank.content,
        format!(
            "<@{}> · rank #1 of 1 · level 1 · {total} XP",
            world.alice.id()
        )
    );
    // The card shows the progress into level 1: total − 100 of the 155 XP to level 2.
    let png = &rank.attachments.first().expect("a rank card").bytes;
    assert_eq!(png_size(png), (934, 282));
    assert_eq!(
        bot_messages(&world, &world).len(),
        1,
        "one level-up, one announcement"
    );
    world.finish().await;
}

/// The width and height of a PNG, decoding it whole (a broken file panics).
fn png_size(bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes.to_vec()));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buffer = vec![0; reader.output_buffer_size().expect("a sane size")];
    let frame = reader
        .next_frame(&mut buffer)
        .expect("PNG data that decodes");
    (frame.width, frame.height)
}

async fn a_level_role_is_granted_at_5_and_replaced_at_10_in_replace_mode(store: Store) {
    let world = World::start(store).await;
    let five = world.guild.create_role("Level 5", Permissions::empty());
    let ten = world.guild.create_role("Level 10", Permissions::empty());
    for (level, role) in [(5, five), (10, ten)] {
        let reply = answer(&run(
            &world,
            &world.owner,
            "addlevelrole",
            &[
                ("level", CommandValue::Integer(level)),
                ("role", CommandValue::Role(role)),
            ],
        ))
        .await;
        assert!(
            reply.content.contains(&format!("reach level {level}")),
            "{}",
            reply.content
        );
    }
    let mode = answer(&run(
        &world,
        &world.owner,
        "levelsettings",
        &[(
            "rolemode",
            CommandValue::Subcommand("rolemode".into(), vec![("mode".into(), string("replace"))]),
        )],
    ))
    .await;
    assert!(text_of(&mode).contains("replace"), "{}", text_of(&mode));

    // Just below level 5, then one message.
    let start = total_xp_for(5) - 5;
    world.seed_xp(&world, &[(&world.alice, start)]).await;
    let total = chat(&world, &world, &world.alice, start, 100).await;
    world
        .guild
        .wait_for("alice to get Level 5", |g| {
            g.members[&world.alice.id().get()]
                .roles
                .contains(&five.get())
                .then_some(())
        })
        .await;
    assert!(total < total_xp_for(6));

    // Just below level 10, then one message: Level 10 replaces Level 5.
    let start = total_xp_for(10) - 5;
    world.seed_xp(&world, &[(&world.alice, start)]).await;
    chat(&world, &world, &world.alice, start, 100).await;
    let roles = world
        .guild
        .wait_for("alice's roles to be replaced", |g| {
            let roles = &g.members[&world.alice.id().get()].roles;
            (!roles.contains(&five.get())).then(|| roles.clone())
        })
        .await;
    assert_eq!(roles, vec![ten.get()]);
    world.finish().await;
}

async fn a_boost_doubles_xp_only_inside_its_window(store: Store) {
    let world = World::start(store).await;
    let before = chat(&world, &world, &world.alice, 0, 100).await;
    let started = answer(&start_boost(&world, "2", "10m")).await;
    assert!(
        started.content.contains("multiplied by 2"),
        "{}",
        started.content
    );
    // Inside the window: double.
    let doubled = chat(&world, &world, &world.alice, before, 200).await;
    // After the window (10 minutes on): plain again.
    world.sandbox.advance(Duration::from_secs(600));
    chat(&world, &world, &world.alice, doubled, 100).await;
    world.finish().await;
}

async fn a_duplicated_message_create_grants_once(store: Store) {
    let world = World::start(store).await;
    world.sandbox.advance(LATER);
    let message = world.alice.send(world.general, "hi");
    let xp = earned(message, 100);
    world.wait_for_xp(&world, &world.alice, xp).await;
    for _ in 0..3 {
        world.sandbox.redeliver_message(message);
    }
    // A later message from bob shows the bot has worked through the copies before it.
    let bobs = world.bob.send(world.general, "me too");
    world
        .wait_for_xp(&world, &world.bob, earned(bobs, 100))
        .await;
    assert_eq!(world.stored_xp(&world, &world.alice).await, xp);
    world.finish().await;
}

async fn the_leaderboard_pages_and_its_buttons_work_after_a_restart(store: Store) {
    let mut world = World::start(store).await;
    let members: Vec<Member> = (0..12)
        .map(|n| world.guild.add_member(&format!("chatter{n}")))
        .collect();
    let xp: Vec<(&Member, u64)> = members.iter().zip((1..=12).map(|n| n * 100)).collect();
    world.seed_xp(&world, &xp).await;
    let first = answer(&run(&world, &world.alice, "leaderboard", &[])).await;
    let top = format!("**#1** 🥇 <@{}>", members[11].id());
    assert!(text_of(&first).contains(&top), "{}", text_of(&first));
    let footer = |m: &Message| {
        m.embeds[0]["footer"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(footer(&first), "Page 1 of 2 · 12 ranked");

    world.stop_bot().await;
    world.start_bot().await;
    let second = click(&world.alice, &first, "Next ▶")
        .wait_for_original(|m| footer(m) == "Page 2 of 2 · 12 ranked")
        .await;
    assert_eq!(footer(&second), "Page 2 of 2 · 12 ranked");
    assert!(text_of(&second).contains(&format!("**#12** <@{}>", members[0].id())));
    let past = answer(&run(
        &world,
        &world.alice,
        "leaderboard",
        &[("page", CommandValue::Integer(3))],
    ))
    .await;
    assert_eq!(past.content, "The leaderboard has pages 1 to 2, not 3.");
    world.finish().await;
}

/// The user ids on a leaderboard message, in order.
fn board_ids(message: &Message) -> Vec<u64> {
    text_of(message)
        .lines()
        .filter_map(|line| {
            let start = line.find("<@")? + 2;
            let end = start + line[start..].find('>')?;
            line[start..end].parse().ok()
        })
        .collect()
}

async fn the_global_leaderboard_merges_two_guilds_and_respects_both_opt_outs(store: Store) {
    let world = World::start(store).await;
    let other = world.add_guild("Second Server").await;
    let alice_there = other.guild.member(world.alice.id());
    alice_there.join();
    world
        .seed_xp(&world, &[(&world.alice, 300), (&world.bob, 500)])
        .await;
    world
        .seed_xp(&other, &[(&alice_there, 300), (&other.bob, 400)])
        .await;
    let merged = answer(&run(&world, &world.alice, "globalleaderboard", &[])).await;
    assert_eq!(
        board_ids(&merged),
        [world.alice.id(), world.bob.id(), other.bob.id()].map(Id::get)
    );
    assert!(text_of(&merged).contains("600 XP"), "{}", text_of(&merged));

    // bob hides himself; the second server keeps its XP to itself.
    let hidden = answer(&run(
        &world,
        &world.bob,
        "globalleaderboard",
        &[("show_me", CommandValue::Boolean(false))],
    ))
    .await;
    assert_eq!(
        hidden.content,
        "You are no longer shown on the global leaderboard."
    );
    let kept = answer(&run(
        &other,
        &other.owner,
        "levelsettings",
        &[(
            "global",
            CommandValue::Subcommand(
                "global".into(),
                vec![("share".into(), CommandValue::Boolean(false))],
            ),
        )],
    ))
    .await;
    assert!(text_of(&kept).contains("keeps its XP to itself"));
    let filtered = answer(&run(&world, &world.alice, "globalleaderboard", &[])).await;
    assert_eq!(board_ids(&filtered), [world.alice.id().get()]);
    assert!(
        text_of(&filtered).contains("300 XP"),
        "{}",
        text_of(&filtered)
    );
    world.finish().await;
}

async fn stats_answers_with_a_chart_of_the_last_30_days(store: Store) {
    let world = World::start(store).await;
    chat(&world, &world, &world.alice, 0, 100).await;
    chat(&world, &world, &world.bob, 0, 100).await;
    let stats = answer(&run(&world, &world.moderator, "stats", &[])).await;
    assert_eq!(stats.content, "2 messages earned XP in the last 30 days.");
    let chart = stats.attachments.first().expect("a chart");
    assert_eq!(chart.filename, "stats.png");
    assert_eq!(png_size(&chart.bytes), (800, 400));
    world.finish().await;
}

async fn bad_input_is_refused_with_a_sentence_and_changes_nothing(store: Store) {
    let world = World::start(store).await;
    world.seed_xp(&world, &[(&world.alice, 250)]).await;
    let refused = |reply: Message| {
        assert!(reply.is_ephemeral(), "{reply:?}");
        reply.content
    };
    let alice = || ("member", CommandValue::User(world.alice.id()));

    let amount = answer(&run(
        &world,
        &world.owner,
        "addxp",
        &[alice(), ("xp", CommandValue::Integer(-99_999_999))],
    ))
    .await;
    assert!(refused(amount).starts_with("An XP amount here goes from 1 to "),);
    let by_member = answer(&run(
        &world,
        &world.bob,
        "setxp",
        &[alice(), ("xp", CommandValue::Integer(0))],
    ))
    .await;
    assert_eq!(
        refused(by_member),
        "You need the Manage Server permission to change XP."
    );
    assert_eq!(world.stored_xp(&world, &world.alice).await, 250);

    let managed = world.guild.bot_role();
    let high = world
        .guild
        .create_role("Above the bot", Permissions::empty());
    let bot_position = world.guild.role(managed).expect("the bot's role").position;
    world.guild.set_role_position(high, bot_position + 1);
    for (role, says) in [
        (managed, "is managed by an integration"),
        (high, "is not below my highest role"),
    ] {
        let reply = answer(&run(
            &world,
            &world.owner,
            "addlevelrole",
            &[
                ("level", CommandValue::Integer(5)),
                ("role", CommandValue::Role(role)),
            ],
        ))
        .await;
        let text = refused(reply);
        assert!(text.contains(says), "{text}");
    }
    let roles = answer(&run(&world, &world.owner, "levelroles", &[])).await;
    assert!(
        text_of(&roles).contains("No level roles yet"),
        "{}",
        text_of(&roles)
    );

    for (multiplier, duration, says) in [
        ("0", "1h", "A boost goes from"),
        ("1000", "1h", "A boost goes from"),
        ("2", "0s", "A duration must be longer than zero."),
    ] {
        let text = refused(answer(&start_boost(&world, multiplier, duration)).await);
        assert!(
            text.starts_with(says),
            "{multiplier}× for {duration}: {text}"
        );
    }
    let list = answer(&run(
        &world,
        &world.owner,
        "xpboost",
        &[("list", CommandValue::Subcommand("list".into(), vec![]))],
    ))
    .await;
    assert!(text_of(&list).contains("No boosts"), "{}", text_of(&list));

    let past = answer(&run(
        &world,
        &world.alice,
        "leaderboard",
        &[("page", CommandValue::Integer(2))],
    ))
    .await;
    assert_eq!(refused(past), "The leaderboard has pages 1 to 1, not 2.");
    world.finish().await;
}

async fn a_level_role_above_the_bot_is_skipped_and_reported_once(store: Store) {
    let world = World::start(store).await;
    world.set_mod_log().await;
    let role = world.guild.create_role("Chatter", Permissions::empty());
    let added = answer(&run(
        &world,
        &world.owner,
        "addlevelrole",
        &[
            ("level", CommandValue::Integer(1)),
            ("role", CommandValue::Role(role)),
        ],
    ))
    .await;
    assert!(added.content.contains("reach level 1"), "{}", added.content);
    // Someone moves the role above the bot's afterwards.
    let bot_position = world
        .guild
        .role(world.guild.bot_role())
        .expect("the bot's role")
        .position;
    world.guild.set_role_position(role, bot_position + 1);

    world
        .seed_xp(&world, &[(&world.alice, total_xp_for(1) - 5)])
        .await;
    chat(&world, &world, &world.alice, total_xp_for(1) - 5, 100).await;
    let report = world
        .guild
        .wait_for_message(world.mod_log, |m| m.content.contains("level role"))
        .await;
    assert!(
        report.content.contains(&format!("<@&{role}>")),
        "{}",
        report.content
    );
    // Level 2 needs the role as much: skipped again, reported no more.
    world
        .seed_xp(&world, &[(&world.alice, total_xp_for(2) - 5)])
        .await;
    chat(&world, &world, &world.alice, total_xp_for(2) - 5, 100).await;
    world
        .guild
        .wait_for_message(world.general, |m| m.content.contains("level 2"))
        .await;
    let reports = world
        .guild
        .messages(world.mod_log)
        .iter()
        .filter(|m| m.content.contains("level role"))
        .count();
    assert_eq!(reports, 1);
    assert_eq!(
        world.sandbox.request_count(
            "PUT",
            "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
        ),
        0,
        "the bot never asked Discord for a role it can't give"
    );
    assert!(world.alice.info().expect("a member").roles.is_empty());
    world.finish().await;
}

on_every_store!(
    members_chat_and_level_up_with_the_mee6_numbers,
    a_level_role_is_granted_at_5_and_replaced_at_10_in_replace_mode,
    a_boost_doubles_xp_only_inside_its_window,
    a_duplicated_message_create_grants_once,
    the_leaderboard_pages_and_its_buttons_work_after_a_restart,
    the_global_leaderboard_merges_two_guilds_and_respects_both_opt_outs,
    stats_answers_with_a_chart_of_the_last_30_days,
    bad_input_is_refused_with_a_sentence_and_changes_nothing,
    a_level_role_above_the_bot_is_skipped_and_reported_once,
);
