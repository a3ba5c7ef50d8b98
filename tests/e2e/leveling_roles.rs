//! `/addlevelrole` while members already qualify: its "give it now" button gives the role to
//! exactly the members at or above the level, only for an admin, and a second press gives
//! nothing twice.

use hearth_sandbox::{CommandValue, Member, ResponseKind, state::Message};
use hearth_xp_engine::total_xp_for;
use twilight_model::{
    guild::Permissions,
    id::{Id, marker::RoleMarker},
};

use crate::harness::{Store, World, answer, click, on_every_store};

/// Discord's route for giving a member a role.
const ADD_ROLE: &str = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}";

const LABEL: &str = "Give it to them now";

/// The owner makes a new role "Regular" the role of level 5; returns it and the answer.
async fn add_level_5_role(world: &World) -> (Id<RoleMarker>, Message) {
    let role = world.guild.create_role("Regular", Permissions::empty());
    let added = answer(&world.owner.run_command(
        world.general,
        "addlevelrole",
        &[
            ("level", CommandValue::Integer(5)),
            ("role", CommandValue::Role(role)),
        ],
    ))
    .await;
    (role, added)
}

async fn the_give_it_now_button_gives_the_role_to_exactly_the_members_who_qualify(store: Store) {
    let world = World::start(store).await;
    world
        .seed_xp(
            &world,
            &[
                (&world.alice, total_xp_for(5) + 10),
                (&world.bob, total_xp_for(5)),
                (&world.senior, total_xp_for(5) - 1),
            ],
        )
        .await;
    let (role, added) = add_level_5_role(&world).await;
    assert_eq!(
        added.content,
        format!(
            "Members who reach level 5 will get <@&{role}>. 2 members already at level 5 or \
             above can get it now."
        )
    );
    let has_role = |member: &Member| member.info().expect("a member").roles.contains(&role.get());

    // A member who may not manage the server is refused, and nothing changes.
    let refused = answer(&click(&world.bob, &added, LABEL)).await;
    assert!(
        refused.content.contains("Manage Server"),
        "a sentence naming the permission: {}",
        refused.content
    );
    assert_eq!(world.sandbox.request_count("PUT", ADD_ROLE), 0);
    assert!(!has_role(&world.bob));

    let pressed = click(&world.owner, &added, LABEL);
    let done = pressed
        .wait_for_original(|m| m.content.starts_with("Gave"))
        .await;
    assert_eq!(done.content, format!("Gave <@&{role}> to 2 members."));
    assert!(pressed.info().response.is_some(), "answered within 3 s");
    assert!(has_role(&world.alice) && has_role(&world.bob));
    assert!(!has_role(&world.senior), "one XP short of level 5");
    assert!(!has_role(&world.moderator) && !has_role(&world.owner));
    assert_eq!(world.sandbox.request_count("PUT", ADD_ROLE), 2);

    // Pressed again: everyone who qualifies has it; nothing is given twice.
    let again = click(&world.owner, &added, LABEL)
        .wait_for_original(|m| !m.content.is_empty())
        .await;
    assert_eq!(
        again.content,
        format!("Everyone at level 5 or above has <@&{role}> already.")
    );
    assert_eq!(world.sandbox.request_count("PUT", ADD_ROLE), 2);
    assert!(!has_role(&world.senior));
    world.finish().await;
}

/// Members who qualify in a busier server: more requests than Discord takes in 3 seconds.
const MANY: usize = 100;

async fn on_a_busy_server_the_button_answers_at_once_and_gives_the_role_at_discords_pace(
    store: Store,
) {
    let world = World::start(store).await;
    let regulars: Vec<Member> = (0..MANY)
        .map(|n| world.guild.add_member(&format!("regular{n}")))
        .collect();
    let seeded: Vec<(&Member, u64)> = regulars.iter().map(|m| (m, total_xp_for(5))).collect();
    world.seed_xp(&world, &seeded).await;
    let (role, added) = add_level_5_role(&world).await;
    assert!(
        added.content.ends_with(&format!(
            "{MANY} members already at level 5 or above can get it now."
        )),
        "{}",
        added.content
    );

    let pressed = click(&world.owner, &added, LABEL);
    // "Thinking…" first (Discord refuses a first answer after 3 s), the count at the end.
    assert_eq!(pressed.wait_for_response().await, ResponseKind::Deferred);
    let done = pressed
        .wait_for_original(|m| m.content.starts_with("Gave"))
        .await;
    assert_eq!(done.content, format!("Gave <@&{role}> to {MANY} members."));
    assert!(
        regulars
            .iter()
            .all(|m| m.info().expect("a member").roles.contains(&role.get()))
    );
    assert_eq!(world.sandbox.request_count("PUT", ADD_ROLE), MANY);
    assert_eq!(
        world.sandbox.global_rate_limited(),
        0,
        "kept to Discord's pace"
    );
    world.finish().await;
}

on_every_store!(
    the_give_it_now_button_gives_the_role_to_exactly_the_members_who_qualify,
    on_a_busy_server_the_button_answers_at_once_and_gives_the_role_at_discords_pace,
);
