//! `/warn`, as moderators and members see it: escalation, refusals, and the reason's length.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hearth_moderation::{EscalationPolicy, EscalationStep, Punishment};
use hearth_sandbox::state::audit_action;

use hearth_core::{
    GuildId, UserId,
    timed::{ActionKey, ActionKind, TimedActionStore},
};

use crate::harness::{Store, World, answer, on_every_store, text_of, warn, warnings, with_store};

/// Unix milliseconds now.
fn now_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis(),
    )
    .unwrap_or(u64::MAX)
}

async fn third_warning_times_the_member_out_for_an_hour_with_three_cases_in_the_mod_log(
    store: Store,
) {
    let world = World::start(store).await;
    world.set_mod_log().await;

    for (n, reason) in ["spamming", "more spam", "still spamming"]
        .iter()
        .enumerate()
    {
        let reply = warn(&world, &world.moderator, &world.alice, reason)
            .wait_for_original(|m| !m.embeds.is_empty())
            .await;
        let text = text_of(&reply);
        assert!(text.contains(reason), "{text}");
        if n < 2 {
            assert!(!world.alice.is_timed_out());
        }
    }
    assert!(
        world.alice.is_timed_out(),
        "three warnings time the member out"
    );
    let until = world
        .alice
        .info()
        .and_then(|m| m.communication_disabled_until_ms)
        .expect("a timeout end");
    let ahead = Duration::from_millis(until.saturating_sub(now_ms()));
    assert!(
        ahead > Duration::from_secs(3_600 - 60) && ahead <= Duration::from_secs(3_600),
        "the timeout ends in {ahead:?}, not in about an hour"
    );
    let audit = world
        .guild
        .audit_log()
        .into_iter()
        .find(|e| {
            e.action_type == audit_action::MEMBER_UPDATE
                && e.target_id == Some(world.alice.id().get())
        })
        .expect("the timeout is in the audit log");
    let reason = audit.reason.unwrap_or_default();
    assert!(
        reason.contains("3 warnings") && reason.contains("still spamming"),
        "audit-log reason: {reason:?}"
    );

    // Each case is posted after its answer, so two may cross on the way: their order in the
    // channel is not a promise, their numbers are.
    let mut cases = world
        .sandbox
        .wait_for("three cases in the mod log", || {
            Some(world.guild.messages(world.mod_log))
                .filter(|m| m.iter().filter(|m| !m.embeds.is_empty()).count() >= 3)
        })
        .await
        .into_iter()
        .filter(|m| !m.embeds.is_empty())
        .collect::<Vec<_>>();
    cases.sort_by_key(|m| m.embeds[0]["title"].as_str().map(str::to_owned));
    let titles: Vec<_> = cases
        .iter()
        .map(|m| m.embeds[0]["title"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        titles,
        [
            "Case #1 · warning",
            "Case #2 · warning",
            "Case #3 · warning"
        ]
    );
    assert!(
        cases[2].embeds[0]
            .to_string()
            .contains("timeout for 1 hour"),
        "{}",
        cases[2].embeds[0]
    );
    let dms = world
        .sandbox
        .wait_for("three DMs to the warned member", || {
            Some(world.alice.dms()).filter(|d| d.len() >= 3)
        })
        .await;
    assert_eq!(dms.len(), 3, "one DM per warning");
    assert_eq!(
        world.sandbox.request_count("POST", "/users/@me/channels"),
        1,
        "the DM channel is opened once and remembered"
    );
    let mut texts: Vec<_> = dms.iter().map(text_of).collect();
    texts.sort();
    for (text, reason) in texts
        .iter()
        .zip(["more spam", "spamming", "still spamming"])
    {
        assert!(text.contains(&format!("**Reason:** {reason}\n")), "{text}");
    }
    // /modlog and three /warn: each first response was timed.
    assert_eq!(world.bot().metrics().recent_first_responses().len(), 4);
    world.finish().await;
}

/// A policy step that bans for a week bans, and the scheduler holds the unban for a week.
async fn an_escalation_to_a_timed_ban_bans_and_schedules_the_unban(store: Store) {
    let week = EscalationStep {
        warnings: 1,
        within: None,
        action: Punishment::Ban {
            duration: Some(Duration::from_secs(7 * 86_400)),
        },
    };
    let world = World::setup(store)
        .escalation(EscalationPolicy::new(vec![week]).expect("a valid policy"))
        .start()
        .await;
    world.set_mod_log().await;

    let reply = warn(&world, &world.moderator, &world.alice, "raiding")
        .wait_for_original(|m| !m.embeds.is_empty())
        .await;
    let text = text_of(&reply);
    assert!(text.contains("ban for 7 days"), "{text}");
    let bans = world.guild.bans();
    assert_eq!(bans.len(), 1, "alice is banned");
    assert_eq!(bans[0].user_id, world.alice.id().get());
    let key = ActionKey::new(
        GuildId::new(world.guild.id().get()),
        &ActionKind::Unban {
            user: UserId::new(world.alice.id().get()),
        },
    );
    let pending = with_store!(world, |store| store.pending(key).await.unwrap())
        .expect("the unban is scheduled");
    let ahead = pending.due_at.unix_millis() - i64::try_from(now_ms()).unwrap_or(i64::MAX);
    assert!(
        (7 * 86_400_000 - 60_000..=7 * 86_400_000).contains(&ahead),
        "the unban is due in {ahead} ms"
    );
    assert_eq!(pending.case, Some(1));
    world.finish().await;
}

/// Says "none" when nothing was stored: what the moderator sees with `/warnings`.
async fn assert_no_warnings(world: &World, target: &hearth_sandbox::Member) {
    let list = answer(&warnings(world, &world.moderator, target, None)).await;
    assert_eq!(
        list.content,
        format!("<@{}> has no warnings.", target.id()),
        "nothing was stored"
    );
}

async fn member_without_permission_is_refused_and_nothing_changes(store: Store) {
    let world = World::start(store).await;
    world.set_mod_log().await;

    let refusal = answer(&warn(&world, &world.bob, &world.alice, "I don't like her")).await;
    assert!(refusal.is_ephemeral());
    assert_eq!(
        refusal.content,
        "You need the Moderate Members permission to warn members."
    );

    assert_no_warnings(&world, &world.alice).await;
    assert!(
        world.mod_log_cases().is_empty(),
        "{:?}",
        world.mod_log_cases()
    );
    assert!(world.alice.dms().is_empty());
    assert!(!world.alice.is_timed_out());
    world.finish().await;
}

async fn moderator_whose_role_lost_moderate_members_is_refused(store: Store) {
    let world = World::start(store).await;
    world.guild.set_role_permissions(
        world.moderator_role,
        hearth_sandbox::BOT_DEFAULT_PERMISSIONS
            - twilight_model::guild::Permissions::MODERATE_MEMBERS
            - twilight_model::guild::Permissions::ADMINISTRATOR,
    );

    let refusal = answer(&warn(&world, &world.moderator, &world.alice, "spam")).await;
    assert!(refusal.is_ephemeral());
    assert_eq!(
        refusal.content,
        "You need the Moderate Members permission to warn members."
    );
    assert!(world.alice.dms().is_empty(), "nothing was sent to alice");
    world.finish().await;
}

async fn moderator_below_the_targets_top_role_is_refused(store: Store) {
    let world = World::start(store).await;
    world.set_mod_log().await;

    let refusal = answer(&warn(&world, &world.moderator, &world.senior, "rude")).await;
    assert!(refusal.is_ephemeral());
    assert_eq!(
        refusal.content,
        format!(
            "You can't warn <@{}>: their highest role is not below yours.",
            world.senior.id()
        )
    );

    assert_no_warnings(&world, &world.senior).await;
    assert!(world.mod_log_cases().is_empty());
    assert!(world.senior.dms().is_empty());
    world.finish().await;
}

async fn bot_below_the_target_is_refused_with_a_sentence_that_says_so(store: Store) {
    let world = World::start(store).await;
    let bot_position = world
        .guild
        .role(world.guild.bot_role())
        .expect("the bot's role")
        .position;
    world
        .guild
        .set_role_position(world.senior_role, bot_position + 1);
    assert!(
        world.guild.role(world.senior_role).expect("role").position
            > world
                .guild
                .role(world.guild.bot_role())
                .expect("role")
                .position,
        "Senior is now above the bot"
    );

    // The owner outranks everyone, so only the bot's place stops the warning.
    let refusal = answer(&warn(&world, &world.owner, &world.senior, "rude")).await;
    assert!(refusal.is_ephemeral());
    assert!(
        refusal.content.starts_with(&format!(
            "I can't warn <@{}>: their highest role is not below mine.",
            world.senior.id()
        )),
        "{}",
        refusal.content
    );
    assert!(refusal.content.contains("Move my role above theirs"));

    assert_no_warnings(&world, &world.senior).await;
    world.finish().await;
}

async fn reason_of_513_characters_is_refused_and_512_is_accepted(store: Store) {
    let world = World::start(store).await;

    let refusal = answer(&warn(
        &world,
        &world.moderator,
        &world.alice,
        &"x".repeat(513),
    ))
    .await;
    assert!(refusal.is_ephemeral());
    assert!(
        refusal.content.contains("512"),
        "the refusal says what the limit is: {}",
        refusal.content
    );
    assert!(refusal.embeds.is_empty(), "no warning embed");
    assert_no_warnings(&world, &world.alice).await;
    assert!(world.alice.dms().is_empty());

    let longest = "y".repeat(512);
    let accepted = answer(&warn(&world, &world.moderator, &world.alice, &longest)).await;
    assert!(!accepted.embeds.is_empty(), "{}", accepted.content);
    let list = answer(&warnings(&world, &world.moderator, &world.alice, None)).await;
    assert!(
        text_of(&list).contains("has 1 warning,"),
        "{}",
        text_of(&list)
    );
    world.finish().await;
}

on_every_store!(
    third_warning_times_the_member_out_for_an_hour_with_three_cases_in_the_mod_log,
    an_escalation_to_a_timed_ban_bans_and_schedules_the_unban,
    member_without_permission_is_refused_and_nothing_changes,
    moderator_whose_role_lost_moderate_members_is_refused,
    moderator_below_the_targets_top_role_is_refused,
    bot_below_the_target_is_refused_with_a_sentence_that_says_so,
    reason_of_513_characters_is_refused_and_512_is_accepted,
);
