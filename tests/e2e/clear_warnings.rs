//! `/clearwarnings`: it asks first, and does what the moderator picked.

use crate::harness::{
    Store, World, answer, clear_warnings, click, on_every_store, text_of, warn, warnings,
};

/// The moderator warns alice once, then asks to clear her warnings; returns the question.
async fn ask_to_clear_one_warning(world: &World) -> hearth_sandbox::state::Message {
    world.set_mod_log().await;
    answer(&warn(world, &world.moderator, &world.alice, "off-topic")).await;
    let question = answer(&clear_warnings(world, &world.moderator, &world.alice)).await;
    assert!(question.is_ephemeral());
    assert_eq!(
        question.content,
        format!(
            "Remove all 1 warning of <@{}>? This can't be undone.",
            world.alice.id()
        )
    );
    question
}

async fn clearwarnings_asks_to_confirm_and_keep_them_keeps(store: Store) {
    let world = World::start(store).await;
    let question = ask_to_clear_one_warning(&world).await;

    let kept = click(&world.moderator, &question, "Keep them")
        .wait_for_original(|m| m.content.starts_with("Kept"))
        .await;
    assert_eq!(
        kept.content,
        format!("Kept the warnings of <@{}>.", world.alice.id())
    );
    assert!(kept.components.is_empty(), "the buttons are gone");

    let list = answer(&warnings(&world, &world.moderator, &world.alice, None)).await;
    assert!(
        text_of(&list).contains("has 1 warning,"),
        "{}",
        text_of(&list)
    );
    world
        .sandbox
        .wait_for("the warning's case in the mod log", || {
            (world.mod_log_cases() == ["Case #1 · warning"]).then_some(())
        })
        .await;
    world.finish().await;
}

async fn clearwarnings_remove_them_removes(store: Store) {
    let world = World::start(store).await;
    let question = ask_to_clear_one_warning(&world).await;

    let removed = click(&world.moderator, &question, "Remove them")
        .wait_for_original(|m| m.content.starts_with("Removed"))
        .await;
    assert_eq!(
        removed.content,
        format!("Removed 1 warning of <@{}>.", world.alice.id())
    );
    assert!(removed.components.is_empty(), "the buttons are gone");

    let list = answer(&warnings(&world, &world.moderator, &world.alice, None)).await;
    assert_eq!(
        list.content,
        format!("<@{}> has no warnings.", world.alice.id())
    );
    world
        .guild
        .wait_for_message(world.mod_log, |m| {
            m.embeds
                .first()
                .is_some_and(|e| e["title"] == "Warnings cleared")
        })
        .await;
    world.finish().await;
}

on_every_store!(
    clearwarnings_asks_to_confirm_and_keep_them_keeps,
    clearwarnings_remove_them_removes,
);
