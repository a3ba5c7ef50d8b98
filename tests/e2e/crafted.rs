//! What Discord's client would have stopped but a crafted request can send: options out of
//! range, buttons with forged or outdated `custom_id`s, and a confirmation clicked after the
//! hierarchy changed. Each gets a sentence saying what was wrong, and nothing changes.

use twilight_model::id::Id;

use crate::harness::{Store, World, answer, clear_warnings, on_every_store, warn, warnings};

async fn warnings_pages_outside_1_to_1000_are_refused_with_the_limits(store: Store) {
    let world = World::start(store).await;
    for (page, given) in [(0, "0"), (-1, "-1"), (1_001, "1001")] {
        let refusal = answer(&warnings(
            &world,
            &world.moderator,
            &world.alice,
            Some(page),
        ))
        .await;
        assert!(refusal.is_ephemeral());
        assert_eq!(
            refusal.content,
            format!("The page must be between 1 and 1000; you gave {given}.")
        );
    }
    let last = answer(&warnings(
        &world,
        &world.moderator,
        &world.alice,
        Some(1_000),
    ))
    .await;
    assert_eq!(
        last.content,
        format!("<@{}> has no warnings.", world.alice.id())
    );
    world.finish().await;
}

async fn forged_and_outdated_buttons_are_refused_and_change_nothing(store: Store) {
    let world = World::start(store).await;
    answer(&warn(&world, &world.moderator, &world.alice, "spam")).await;
    let question = answer(&clear_warnings(&world, &world.moderator, &world.alice)).await;
    let outdated = "This is from an older version of Hearth and no longer works; run the \
                    command again.";
    for custom_id in [
        // The release before typed ids wrote this; its buttons get a sentence, not a crash.
        format!("clearwarnings:{}:confirm", world.alice.id()),
        // A user id of 0, a page past any u32, an unknown answer, a newer version.
        "moderation:clear:1:0:confirm".to_owned(),
        format!("moderation:warnings:1:{}:99999999999", world.alice.id()),
        format!("moderation:clear:1:{}:maybe", world.alice.id()),
        format!("moderation:clear:9:{}:confirm", world.alice.id()),
        "moderation:nothing:1".to_owned(),
    ] {
        let click = world.moderator.click(Id::new(question.id), &custom_id);
        let refusal = answer(&click).await;
        assert!(refusal.is_ephemeral(), "{custom_id}");
        assert_eq!(refusal.content, outdated, "{custom_id}");
    }
    assert_eq!(world.stored_warnings(&world, &world.alice).await, 1);
    world.finish().await;
}

async fn a_confirmation_rechecks_the_hierarchy_when_clicked(store: Store) {
    let world = World::start(store).await;
    answer(&warn(&world, &world.moderator, &world.alice, "spam")).await;
    let question = answer(&clear_warnings(&world, &world.moderator, &world.alice)).await;
    // Between the question and the click, alice is promoted above the moderator.
    world.guild.grant(&world.alice, world.senior_role);
    let confirm = crate::harness::click(&world.moderator, &question, "Remove them");
    let refusal = answer(&confirm).await;
    assert!(refusal.is_ephemeral());
    assert_eq!(
        refusal.content,
        format!(
            "You can't clear the warnings of <@{}>: their highest role is not below yours.",
            world.alice.id()
        )
    );
    assert_eq!(world.stored_warnings(&world, &world.alice).await, 1);
    world.finish().await;
}

on_every_store!(
    warnings_pages_outside_1_to_1000_are_refused_with_the_limits,
    forged_and_outdated_buttons_are_refused_and_change_nothing,
    a_confirmation_rechecks_the_hierarchy_when_clicked,
);
