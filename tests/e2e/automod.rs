//! Automod as members and staff meet it: spam timed out after the configured violations,
//! duplicates across channels, mass mentions, obfuscated words, staff exempt, a bad pattern
//! refused when saved, and Discord's own `AutoMod` counted toward escalation.

use hearth_sandbox::{CommandValue, Member, state::Message};
use twilight_model::{
    guild::Permissions,
    id::{
        Id,
        marker::{ChannelMarker, MessageMarker},
    },
};

use crate::harness::{Store, World, answer, on_every_store};

/// `member` runs `/automod <sub>` with these options; the answer's text.
async fn automod(world: &World, member: &Member, sub: &str, options: &[(&str, &str)]) -> String {
    let options = options
        .iter()
        .map(|(name, value)| {
            (
                (*name).to_owned(),
                CommandValue::String((*value).to_owned()),
            )
        })
        .collect();
    let handle = member.run_command(
        world.general,
        "automod",
        &[(sub, CommandValue::Subcommand(sub.into(), options))],
    );
    answer(&handle).await.content
}

/// Mod log and the recommended rules (3 violations in 10 minutes → timeout 10 minutes).
async fn recommended(world: &World) {
    world.set_mod_log().await;
    let on = automod(world, &world.owner, "preset", &[("name", "recommended")]).await;
    assert_eq!(on, "Automod is on with the recommended rules.");
}

fn present(world: &World, channel: Id<ChannelMarker>, id: Id<MessageMarker>) -> bool {
    world
        .guild
        .messages(channel)
        .iter()
        .any(|m: &Message| m.id == id.get())
}

/// Waits until the message is gone (deleted by the bot).
async fn wait_deleted(world: &World, channel: Id<ChannelMarker>, id: Id<MessageMarker>) {
    world
        .sandbox
        .wait_for("the bot to delete the message", || {
            (!present(world, channel, id)).then_some(())
        })
        .await;
}

/// Waits until the mod log holds a case titled `title`.
async fn wait_case(world: &World, title: &str) {
    world
        .sandbox
        .wait_for(title, || {
            world
                .mod_log_cases()
                .iter()
                .any(|t| t.ends_with(title))
                .then_some(())
        })
        .await;
}

async fn a_member_spamming_is_timed_out_after_the_configured_violations(store: Store) {
    let world = World::start(store).await;
    recommended(&world).await;
    // Six messages in five seconds are allowed; the 7th, 8th and 9th are violations.
    let mut sent = Vec::new();
    for i in 0..9 {
        sent.push(
            world
                .alice
                .send(world.general, &format!("message number {i} of my day")),
        );
    }
    wait_deleted(&world, world.general, sent[8]).await;
    world
        .sandbox
        .wait_for("alice timed out", || {
            world.alice.is_timed_out().then_some(())
        })
        .await;
    wait_case(&world, "· Mute").await;
    assert!(
        present(&world, world.general, sent[0]),
        "allowed messages stay"
    );
    assert!(!world.bob.is_timed_out());
    world.finish().await;
}

async fn a_duplicate_message_across_three_channels_is_caught(store: Store) {
    let world = World::start(store).await;
    recommended(&world).await;
    let channels = [
        world.general,
        world.guild.text_channel("memes"),
        world.guild.text_channel("art"),
    ];
    let text = "join my server for free followers";
    let first = world.alice.send(channels[0], text);
    let second = world.alice.send(channels[1], text);
    let third = world.alice.send(channels[2], text);
    wait_deleted(&world, channels[2], third).await;
    wait_case(&world, "· Warning").await;
    assert!(present(&world, channels[0], first) && present(&world, channels[1], second));
    let recent = automod(&world, &world.owner, "recent", &[]).await;
    assert!(recent.contains("**duplicates**"), "{recent}");
    world.finish().await;
}

async fn a_mass_mention_is_deleted(store: Store) {
    let world = World::start(store).await;
    recommended(&world).await;
    let people: Vec<_> = (0..7)
        .map(|i| world.guild.add_member(&format!("m{i}")))
        .collect();
    let mentions: Vec<String> = people.iter().map(|m| format!("<@{}>", m.id())).collect();
    let message = world
        .alice
        .send(world.general, &format!("hey {}", mentions.join(" ")));
    wait_deleted(&world, world.general, message).await;
    wait_case(&world, "· Warning").await;
    world.finish().await;
}

async fn an_obfuscated_bad_word_is_caught(store: Store) {
    let world = World::start(store).await;
    recommended(&world).await;
    let added = automod(&world, &world.owner, "word", &[("word", "scam")]).await;
    assert_eq!(added, "`scam` is on the word list.");
    let clean = world.alice.send(world.general, "a scarf is warm");
    let sneaky = world
        .alice
        .send(world.general, "total $.c.4.m here, ｓｃａｍ");
    wait_deleted(&world, world.general, sneaky).await;
    assert!(present(&world, world.general, clean));
    let tested = automod(&world, &world.owner, "test", &[("text", "s c a m")]).await;
    assert!(tested.contains("**words**"), "{tested}");
    world.finish().await;
}

async fn a_staff_member_is_exempt(store: Store) {
    let world = World::start(store).await;
    recommended(&world).await;
    let staff_role = world
        .guild
        .create_role("Helpers", Permissions::MANAGE_MESSAGES);
    let helper = world.guild.add_member("helper");
    world.guild.grant(&helper, staff_role);
    let text = "FREE NITRO for everyone who clicks";
    let by_staff = helper.send(world.general, text);
    let by_member = world.alice.send(world.general, text);
    wait_deleted(&world, world.general, by_member).await;
    // Events are handled concurrently: give the staff message as long again as the member's
    // took, and more, before concluding it was let through.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(present(&world, world.general, by_staff), "staff are exempt");
    let recent = automod(&world, &world.owner, "recent", &[]).await;
    assert_eq!(
        recent.matches("**words**").count(),
        1,
        "only the member's hit: {recent}"
    );
    world.finish().await;
}

async fn a_bad_regex_is_refused_at_save_time_with_a_sentence(store: Store) {
    let world = World::start(store).await;
    recommended(&world).await;
    let refused = automod(&world, &world.owner, "pattern", &[("pattern", "(unclosed")]).await;
    assert!(refused.starts_with("Nothing was changed: "), "{refused}");
    assert!(
        refused.contains("(unclosed"),
        "the sentence names the pattern: {refused}"
    );
    // Nothing saved: the pattern matches nothing, and a good pattern still saves.
    let tested = automod(&world, &world.owner, "test", &[("text", "(unclosed")]).await;
    assert!(!tested.contains("**patterns**"), "{tested}");
    let denied = automod(&world, &world.alice, "pattern", &[("pattern", "x+")]).await;
    assert_eq!(
        denied,
        "You need the Manage Server permission to configure automod."
    );
    let saved = automod(
        &world,
        &world.owner,
        "pattern",
        &[("pattern", r"fr[e3]{2}\s*gift")],
    )
    .await;
    assert!(saved.contains("is on the pattern list"), "{saved}");
    world.finish().await;
}

async fn a_native_automod_event_counts_toward_escalation(store: Store) {
    let world = World::start(store).await;
    recommended(&world).await;
    // Two hits of Discord's own AutoMod, then one of Hearth's: three violations.
    world
        .guild
        .automod_block(&world.alice, world.general, "bad words", "bad");
    world
        .guild
        .automod_block(&world.alice, world.general, "more bad words", "bad");
    let mut seen = String::new();
    for _ in 0..50 {
        seen = automod(&world, &world.owner, "recent", &[]).await;
        if seen.matches("discord automod").count() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen.matches("discord automod").count(), 2, "{seen}");
    assert!(
        !world.alice.is_timed_out(),
        "two violations are not yet three"
    );
    let mentions: Vec<String> = (0..7).map(|i| format!("<@{}>", 9_000 + i)).collect();
    world
        .alice
        .send(world.general, &format!("@everyone {}", mentions.join(" ")));
    world
        .sandbox
        .wait_for("alice timed out", || {
            world.alice.is_timed_out().then_some(())
        })
        .await;
    world.finish().await;
}

async fn automod_warnings_count_toward_moderations_escalation(store: Store) {
    let world = World::start(store).await;
    recommended(&world).await;
    // Two warnings by a moderator, then automod's: the third reaches moderation's default
    // step (3 warnings → timeout 1 hour), though automod has seen one violation only.
    for reason in ["rude", "rude again"] {
        let handle = world.moderator.run_command(
            world.general,
            "warn",
            &[
                ("member", CommandValue::User(world.alice.id())),
                ("reason", CommandValue::String(reason.to_owned())),
            ],
        );
        answer(&handle).await;
    }
    assert!(!world.alice.is_timed_out());
    let message = world.alice.send(world.general, "get your free nitro here");
    wait_deleted(&world, world.general, message).await;
    world
        .sandbox
        .wait_for("alice timed out by the escalation", || {
            world.alice.is_timed_out().then_some(())
        })
        .await;
    wait_case(&world, "· Escalation").await;
    world.finish().await;
}

on_every_store!(
    automod_warnings_count_toward_moderations_escalation,
    a_member_spamming_is_timed_out_after_the_configured_violations,
    a_duplicate_message_across_three_channels_is_caught,
    a_mass_mention_is_deleted,
    an_obfuscated_bad_word_is_caught,
    a_staff_member_is_exempt,
    a_bad_regex_is_refused_at_save_time_with_a_sentence,
    a_native_automod_event_counts_toward_escalation,
);
