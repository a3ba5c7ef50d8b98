//! `/warnings`: the list a moderator reads, page by page.

use crate::harness::{World, answer, button_disabled, click, text_of, warn, warnings};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warnings_on_someone_with_none_says_so() {
    let world = World::start().await;

    let list = answer(&warnings(&world, &world.moderator, &world.bob, None)).await;
    assert!(list.is_ephemeral());
    assert_eq!(
        list.content,
        format!("<@{}> has no warnings.", world.bob.id())
    );
    assert!(list.components.is_empty(), "no page buttons");
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_ten_warnings_paginate_and_older_shows_page_two() {
    let world = World::start().await;
    for n in 1..=11 {
        let reply = answer(&warn(
            &world,
            &world.moderator,
            &world.bob,
            &format!("reason number {n}"),
        ))
        .await;
        assert!(!reply.embeds.is_empty(), "warning {n}: {}", reply.content);
    }

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

    let older = click(&world.moderator, &list, "Older ▶");
    let page_two = older
        .wait_for_original(|m| {
            m.embeds
                .first()
                .is_some_and(|e| e["footer"]["text"] == "Page 2 of 2")
        })
        .await;
    let second = text_of(&page_two);
    assert!(second.contains("reason number 1"), "{second}");
    assert!(!second.contains("reason number 11"), "{second}");
    assert!(button_disabled(&page_two, "Older ▶"));
    assert!(!button_disabled(&page_two, "◀ Newer"));
    world.finish().await;
}
