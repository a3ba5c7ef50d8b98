//! `/warnings`: the list a moderator reads, page by page.

use hearth_sandbox::state::Message;

use crate::harness::{
    Store, World, answer, button_disabled, click, on_every_store, text_of, warn, warnings,
};

async fn warnings_on_someone_with_none_says_so(store: Store) {
    let world = World::start(store).await;

    let list = answer(&warnings(&world, &world.moderator, &world.bob, None)).await;
    assert!(list.is_ephemeral());
    assert_eq!(
        list.content,
        format!("<@{}> has no warnings.", world.bob.id())
    );
    assert!(list.components.is_empty(), "no page buttons");
    world.finish().await;
}

/// The moderator warns bob eleven times: "reason number 1" to "reason number 11".
async fn warn_bob_eleven_times(world: &World) {
    for n in 1..=11 {
        let reply = answer(&warn(
            world,
            &world.moderator,
            &world.bob,
            &format!("reason number {n}"),
        ))
        .await;
        assert!(!reply.embeds.is_empty(), "warning {n}: {}", reply.content);
    }
}

/// The moderator clicks "Older ▶" on the first page of a list; the second page.
async fn older(world: &World, list: &Message) -> Message {
    click(&world.moderator, list, "Older ▶")
        .wait_for_original(|m| {
            m.embeds
                .first()
                .is_some_and(|e| e["footer"]["text"] == "Page 2 of 2")
        })
        .await
}

async fn more_than_ten_warnings_paginate_and_older_shows_page_two(store: Store) {
    let world = World::start(store).await;
    warn_bob_eleven_times(&world).await;

    let list = answer(&warnings(&world, &world.moderator, &world.bob, None)).await;
    assert!(list.is_ephemeral());
    let first = text_of(&list);
    assert!(first.contains("has 11 warnings, newest first"), "{first}");
    assert!(first.contains("reason number 11"), "newest first: {first}");
    assert!(
        !first.contains("reason number 1\n"),
        "the oldest is on page 2: {first}"
    );
    assert_eq!(list.embeds[0]["footer"]["text"], "Page 1 of 2");
    assert!(button_disabled(&list, "◀ Newer"));
    assert!(!button_disabled(&list, "Older ▶"));

    let page_two = older(&world, &list).await;
    let second = text_of(&page_two);
    assert!(second.contains("reason number 1"), "{second}");
    assert!(!second.contains("reason number 11"), "{second}");
    assert!(button_disabled(&page_two, "Older ▶"));
    assert!(!button_disabled(&page_two, "◀ Newer"));
    world.finish().await;
}

/// Warnings are kept in the store: after a restart the bot lists them as before (on MongoDB
/// too: the restarted bot opens the same database).
async fn warnings_survive_a_restart(store: Store) {
    let mut world = World::start(store).await;
    answer(&warn(
        &world,
        &world.moderator,
        &world.alice,
        "before the restart",
    ))
    .await;
    world.stop_bot().await;
    world.start_bot().await;

    let list = text_of(&answer(&warnings(&world, &world.moderator, &world.alice, None)).await);
    assert!(
        list.contains("has 1 warning,") && list.contains("before the restart"),
        "{list}"
    );
    world.finish().await;
}

/// A page button on a list shown before a restart still works after it: everything it needs
/// is in its `custom_id`, nothing in the old process's memory.
async fn a_page_button_works_after_a_restart(store: Store) {
    let mut world = World::start(store).await;
    warn_bob_eleven_times(&world).await;
    let list = answer(&warnings(&world, &world.moderator, &world.bob, None)).await;
    assert_eq!(list.embeds[0]["footer"]["text"], "Page 1 of 2");
    world.stop_bot().await;
    world.start_bot().await;

    let page_two = older(&world, &list).await;
    assert!(text_of(&page_two).contains("reason number 1"));
    world.finish().await;
}

on_every_store!(
    warnings_survive_a_restart,
    a_page_button_works_after_a_restart,
    warnings_on_someone_with_none_says_so,
    more_than_ten_warnings_paginate_and_older_shows_page_two,
);
