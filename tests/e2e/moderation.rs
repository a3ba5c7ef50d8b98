//! Moderation warnings, as moderators and members see them.

use crate::harness::{World, text_of, warn};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn third_warning_times_the_member_out_for_an_hour_with_three_cases_in_the_mod_log() {
    let mut world = World::start().await;
    let modlog = world.owner.run_command(
        world.general,
        "modlog",
        &[(
            "set",
            hearth_sandbox::CommandValue::Subcommand(
                "set".into(),
                vec![(
                    "channel".into(),
                    hearth_sandbox::CommandValue::Channel(world.mod_log),
                )],
            ),
        )],
    );
    let answer = modlog.wait_for_original(|_| true).await;
    assert!(
        answer.content.contains("will be posted in"),
        "{}",
        answer.content
    );

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
    let cases = world
        .guild
        .wait_for_message(world.mod_log, |m| {
            m.embeds.len() == 1
                && m.embeds[0]["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Case #3"))
        })
        .await;
    assert!(cases.embeds[0].to_string().contains("timeout for 1 hour"));
    let case_titles: Vec<String> = world
        .guild
        .messages(world.mod_log)
        .iter()
        .filter_map(|m| {
            m.embeds
                .first()
                .and_then(|e| e["title"].as_str())
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(
        case_titles,
        [
            "Case #1 · warning",
            "Case #2 · warning",
            "Case #3 · warning"
        ]
    );
    assert!(
        world.sandbox.spec_violations().is_empty(),
        "{:?}",
        world.sandbox.spec_violations()
    );
    world.stop_bot().await;
}
