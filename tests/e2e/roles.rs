//! Role menus and autoroles, as members and staff see them: every kind of menu keeps working
//! after a restart, the modes, the hierarchy at creation and at click, quick clicks, delayed
//! autoroles under a virtual clock, bots, screening and deleted roles.

use std::time::Duration;

use hearth_core::{ManualClock, Timestamp};
use hearth_sandbox::{CommandValue, Member, state::Message};
use twilight_model::{
    guild::Permissions,
    id::{Id, marker::RoleMarker},
};

use crate::harness::{Store, World, answer, click, on_every_store};

/// Runs `/<command> create` as the owner in #general and returns its answer and the menu
/// message it posted (if any).
async fn create(
    world: &World,
    command: &str,
    title: &str,
    roles: &str,
    extra: Vec<(&str, CommandValue)>,
) -> (String, Option<Message>) {
    let mut options = vec![
        ("title".to_owned(), CommandValue::String(title.into())),
        ("roles".to_owned(), CommandValue::String(roles.into())),
    ];
    options.extend(extra.into_iter().map(|(k, v)| (k.to_owned(), v)));
    let said = answer(&world.owner.run_command(
        world.general,
        command,
        &[("create", CommandValue::Subcommand("create".into(), options))],
    ))
    .await
    .content;
    let menu = world
        .guild
        .messages(world.general)
        .into_iter()
        .find(|m| m.embeds.first().is_some_and(|e| e["title"] == title));
    (said, menu)
}

fn mention(role: Id<RoleMarker>) -> String {
    format!("<@&{role}>")
}

fn roles_of(member: &Member) -> Vec<u64> {
    member.info().map(|m| m.roles).unwrap_or_default()
}

/// Waits until `member` holds (or, with `held == false`, lacks) `role`.
async fn wait_role(world: &World, member: &Member, role: Id<RoleMarker>, held: bool) {
    world
        .sandbox
        .wait_for("the member's roles to change", || {
            (roles_of(member).contains(&role.get()) == held).then_some(())
        })
        .await;
}

async fn every_kind_of_menu_works_after_a_restart(store: Store) {
    let mut world = World::start(store).await;
    let red = world.guild.create_role("Red", Permissions::empty());
    let blue = world.guild.create_role("Blue", Permissions::empty());
    let green = world.guild.create_role("Green", Permissions::empty());
    let (said, buttons) = create(&world, "buttonroles", "Colours", &mention(red), vec![]).await;
    assert!(said.contains("Posted \"Colours\""), "{said}");
    let roles = format!("🔵 {} <:parrot:4242> {}", mention(blue), mention(green));
    let (said, reactions) = create(&world, "reactionrole", "Reactions", &roles, vec![]).await;
    assert!(said.contains("with 2 roles"), "{said}");
    let (_, select) = create(&world, "selectroles", "List", &mention(green), vec![]).await;
    let (buttons, reactions, select) = (buttons.unwrap(), reactions.unwrap(), select.unwrap());
    let bot = world.sandbox.bot_id().get();
    let emoji: Vec<&str> = reactions
        .reactions
        .iter()
        .map(|r| r.emoji.as_str())
        .collect();
    assert_eq!(
        emoji,
        ["🔵", "parrot:4242"],
        "the bot adds the menu's reactions"
    );
    assert!(reactions.reactions.iter().all(|r| r.users == [bot]));

    world.stop_bot().await;
    world.start_bot().await;

    let said = answer(&click(&world.alice, &buttons, "Red")).await;
    assert_eq!(said.content, format!("You now have {}.", mention(red)));
    assert!(said.flags & 64 != 0, "the answer is ephemeral");
    // The answer may show a moment before the role call lands.
    wait_role(&world, &world.alice, red, true).await;
    world.alice.react(Id::new(reactions.id), "🔵");
    wait_role(&world, &world.alice, blue, true).await;
    world.alice.react(Id::new(reactions.id), "parrot:4242");
    wait_role(&world, &world.alice, green, true).await;
    world.alice.unreact(Id::new(reactions.id), "🔵");
    wait_role(&world, &world.alice, blue, false).await;
    // The list sets exactly what is chosen: nothing chosen takes Green back.
    let said = answer(
        &world
            .alice
            .select(Id::new(select.id), "roles:choose:1", &[]),
    )
    .await;
    assert_eq!(
        said.content,
        format!("You no longer have {}.", mention(green))
    );
    wait_role(&world, &world.alice, green, false).await;
    assert_eq!(roles_of(&world.alice), [red.get()]);
    let said = answer(&world.bob.select(
        Id::new(select.id),
        "roles:choose:1",
        &[&green.to_string()],
    ))
    .await;
    assert_eq!(said.content, format!("You now have {}.", mention(green)));
    world.finish().await;
}

async fn unique_mode_swaps_roles(store: Store) {
    let world = World::start(store).await;
    let red = world.guild.create_role("Red", Permissions::empty());
    let blue = world.guild.create_role("Blue", Permissions::empty());
    let roles = format!("{} {}", mention(red), mention(blue));
    let mode = vec![("mode", CommandValue::String("unique".into()))];
    let (_, menu) = create(&world, "buttonroles", "Team", &roles, mode).await;
    let menu = menu.expect("posted");
    answer(&click(&world.alice, &menu, "Red")).await;
    wait_role(&world, &world.alice, red, true).await;
    let said = answer(&click(&world.alice, &menu, "Blue")).await;
    assert_eq!(
        said.content,
        format!(
            "You now have {} and no longer have {}.",
            mention(blue),
            mention(red)
        )
    );
    wait_role(&world, &world.alice, red, false).await;
    assert_eq!(roles_of(&world.alice), [blue.get()]);
    world.finish().await;
}

async fn verify_adds_only_and_drop_removes_only(store: Store) {
    let world = World::start(store).await;
    let verified = world.guild.create_role("Verified", Permissions::empty());
    let pings = world.guild.create_role("Pings", Permissions::empty());
    let verify = vec![("mode", CommandValue::String("verify".into()))];
    let (_, rules) = create(&world, "buttonroles", "Rules", &mention(verified), verify).await;
    let rules = rules.expect("posted");
    answer(&click(&world.alice, &rules, "Verified")).await;
    wait_role(&world, &world.alice, verified, true).await;
    let said = answer(&click(&world.alice, &rules, "Verified")).await;
    assert!(said.content.contains("already have"), "{}", said.content);
    assert_eq!(
        roles_of(&world.alice),
        [verified.get()],
        "verify never takes back"
    );

    let drop = vec![("mode", CommandValue::String("drop".into()))];
    let (_, leave) = create(&world, "buttonroles", "Leave pings", &mention(pings), drop).await;
    let leave = leave.expect("posted");
    world.guild.grant(&world.bob, pings);
    let said = answer(&click(&world.bob, &leave, "Pings")).await;
    assert_eq!(
        said.content,
        format!("You no longer have {}.", mention(pings))
    );
    wait_role(&world, &world.bob, pings, false).await;
    let said = answer(&click(&world.bob, &leave, "Pings")).await;
    assert!(said.content.contains("don't have"), "{}", said.content);
    assert!(roles_of(&world.bob).is_empty(), "drop never gives");
    world.finish().await;
}

async fn a_role_above_the_bot_is_refused_at_creation_and_at_click(store: Store) {
    let world = World::start(store).await;
    let high = world.guild.create_role("High", Permissions::empty());
    let top = world.guild.role(world.guild.bot_role()).unwrap().position + 1;
    world.guild.set_role_position(high, top);
    let (said, menu) = create(&world, "buttonroles", "Nope", &mention(high), vec![]).await;
    assert!(said.contains("not below my highest role"), "{said}");
    assert!(menu.is_none(), "nothing was posted");
    let everyone = mention(world.guild.everyone_role());
    let (said, _) = create(&world, "buttonroles", "All", &everyone, vec![]).await;
    assert!(said.contains("@everyone can't be handed out"), "{said}");
    let managed = mention(world.guild.bot_role());
    let (said, _) = create(&world, "buttonroles", "Bot", &managed, vec![]).await;
    assert!(said.contains("managed by an integration"), "{said}");

    let mid = world.guild.create_role("Mid", Permissions::empty());
    let (_, menu) = create(&world, "buttonroles", "Mid", &mention(mid), vec![]).await;
    let menu = menu.expect("posted");
    world.guild.set_role_position(mid, top + 1);
    let said = answer(&click(&world.alice, &menu, "Mid")).await;
    assert!(
        said.content.contains("not below my highest role"),
        "{}",
        said.content
    );
    assert!(said.flags & 64 != 0, "the refusal is ephemeral");
    assert!(roles_of(&world.alice).is_empty());
    world.finish().await;
}

async fn two_quick_clicks_on_different_buttons_both_stick(store: Store) {
    let world = World::start(store).await;
    let red = world.guild.create_role("Red", Permissions::empty());
    let blue = world.guild.create_role("Blue", Permissions::empty());
    let roles = format!("{} {}", mention(red), mention(blue));
    let (_, menu) = create(&world, "buttonroles", "Quick", &roles, vec![]).await;
    let menu = menu.expect("posted");
    // Both clicks carry the member as they were before either: neither sees the other's role.
    let first = click(&world.alice, &menu, "Red");
    let second = click(&world.alice, &menu, "Blue");
    answer(&first).await;
    answer(&second).await;
    wait_role(&world, &world.alice, red, true).await;
    wait_role(&world, &world.alice, blue, true).await;
    let mut held = roles_of(&world.alice);
    held.sort_unstable();
    let mut both = vec![red.get(), blue.get()];
    both.sort_unstable();
    assert_eq!(held, both, "no click undid the other");
    assert_eq!(
        world
            .sandbox
            .request_count("PATCH", "/guilds/{guild_id}/members/{user_id}"),
        0
    );
    world.finish().await;
}

async fn autorole(world: &World, role: Id<RoleMarker>, extra: Vec<(&str, CommandValue)>) -> String {
    let mut options = vec![("role".to_owned(), CommandValue::Role(role))];
    options.extend(extra.into_iter().map(|(k, v)| (k.to_owned(), v)));
    answer(&world.owner.run_command(
        world.general,
        "autorole",
        &[("add", CommandValue::Subcommand("add".into(), options))],
    ))
    .await
    .content
}

async fn a_delayed_autorole_is_given_when_the_virtual_clock_reaches_it(store: Store) {
    let clock = ManualClock::new(Timestamp::from_unix_secs(1_800_000_000));
    let mut world = World::setup(store).clock(clock.clone()).start().await;
    let member = world.guild.create_role("Member", Permissions::empty());
    let regular = world.guild.create_role("Regular", Permissions::empty());
    // Someone joins before any autorole exists: the bot now holds the guild's autoroles (none)
    // in its cache, and the first `/autorole add` must make it read them again.
    let early = world.guild.add_member("early");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let said = autorole(&world, member, vec![]).await;
    assert!(said.contains("people who join get"), "{said}");
    let said = autorole(
        &world,
        regular,
        vec![("delay", CommandValue::String("10m".into()))],
    )
    .await;
    assert!(said.contains("10 minutes"), "{said}");
    let carol = world.guild.add_member("carol");
    wait_role(&world, &carol, member, true).await;
    // A restart before the delay ends loses nothing: the grant is in the store.
    world.stop_bot().await;
    world.start_bot().await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(
        !roles_of(&carol).contains(&regular.get()),
        "not before ten minutes"
    );
    clock.advance(Duration::from_secs(10 * 60));
    wait_role(&world, &carol, regular, true).await;
    assert!(
        roles_of(&early).is_empty(),
        "autoroles are for joins after them"
    );
    // Screening: nothing until the rules are accepted.
    let dave = world.guild.new_user("dave");
    dave.join_screened();
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert!(
        roles_of(&dave).is_empty(),
        "no role during membership screening"
    );
    dave.pass_screening();
    wait_role(&world, &dave, member, true).await;
    world.finish().await;
}

/// An autorole removed while a member waits out its delay is not given to them; the other
/// autorole with the same delay still is.
async fn a_removed_autorole_is_not_given_to_members_still_waiting(store: Store) {
    let clock = ManualClock::new(Timestamp::from_unix_secs(1_800_000_000));
    let world = World::setup(store).clock(clock.clone()).start().await;
    let (member, regular) = (
        world.guild.create_role("Member", Permissions::empty()),
        world.guild.create_role("Regular", Permissions::empty()),
    );
    for role in [member, regular] {
        let ten_minutes = vec![("delay", CommandValue::String("10m".into()))];
        let said = autorole(&world, role, ten_minutes).await;
        assert!(said.contains("10 minutes"), "{said}");
    }
    let carol = world.guild.add_member("carol");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let remove = vec![("role".to_owned(), CommandValue::Role(regular))];
    let said = answer(&world.owner.run_command(
        world.general,
        "autorole",
        &[("remove", CommandValue::Subcommand("remove".into(), remove))],
    ))
    .await;
    assert_eq!(
        said.content,
        format!("{} is no longer given on join.", mention(regular))
    );
    clock.advance(Duration::from_secs(10 * 60));
    wait_role(&world, &carol, member, true).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(roles_of(&carol), [member.get()], "not the removed one");
    world.finish().await;
}

async fn a_bot_joining_gets_no_member_autorole(store: Store) {
    let world = World::start(store).await;
    let member = world.guild.create_role("Member", Permissions::empty());
    let bots = world.guild.create_role("Bots", Permissions::empty());
    autorole(&world, member, vec![]).await;
    let said = autorole(&world, bots, vec![("bots", CommandValue::Boolean(true))]).await;
    assert!(said.contains("bots that are added"), "{said}");
    let helper = world.guild.add_bot("musicbot");
    wait_role(&world, &helper, bots, true).await;
    let person = world.guild.add_member("erin");
    wait_role(&world, &person, member, true).await;
    assert_eq!(
        roles_of(&helper),
        [bots.get()],
        "a bot gets only the bots' role"
    );
    assert_eq!(
        roles_of(&person),
        [member.get()],
        "a person never gets the bots' role"
    );
    world.finish().await;
}

async fn a_deleted_role_leaves_its_menus_and_the_mod_log_says_so(store: Store) {
    let mut world = World::start(store).await;
    world.set_mod_log().await;
    let red = world.guild.create_role("Red", Permissions::empty());
    let blue = world.guild.create_role("Blue", Permissions::empty());
    let roles = format!("{} {}", mention(red), mention(blue));
    let (_, menu) = create(&world, "buttonroles", "Colours", &roles, vec![]).await;
    let menu = menu.expect("posted");
    world.stop_bot().await;
    world.start_bot().await;
    world.guild.delete_role(red);
    let posted = world
        .sandbox
        .wait_for("the mod log to tell the staff", || {
            world
                .guild
                .messages(world.mod_log)
                .into_iter()
                .find(|m| m.content.contains("was deleted in Discord"))
        })
        .await;
    assert!(posted.content.contains("Colours"), "{}", posted.content);
    let redrawn = world
        .sandbox
        .wait_for("the menu to lose the role", || {
            world.guild.messages(world.general).into_iter().find(|m| {
                m.id == menu.id && m.components.iter().all(|r| !r.to_string().contains("Red"))
            })
        })
        .await;
    let said = answer(&click(&world.alice, &redrawn, "Blue")).await;
    assert_eq!(said.content, format!("You now have {}.", mention(blue)));
    world.finish().await;
}

/// Reactions on ordinary messages are let go without a store query (the bot holds the
/// guild's reaction menus in its cache); a menu posted after that still answers at once.
async fn a_menu_posted_after_reactions_elsewhere_answers_at_once(store: Store) {
    let world = World::start(store).await;
    let blue = world.guild.create_role("Blue", Permissions::empty());
    let chat = world.alice.send(world.general, "look at this sunset");
    world.bob.react(chat, "👍");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(roles_of(&world.bob), Vec::<u64>::new());
    let (said, menu) = create(
        &world,
        "reactionrole",
        "Colours",
        &format!("🔵 {}", mention(blue)),
        vec![],
    )
    .await;
    assert!(said.contains("with 1 role"), "{said}");
    world.alice.react(Id::new(menu.expect("the menu").id), "🔵");
    wait_role(&world, &world.alice, blue, true).await;
    world.finish().await;
}

on_every_store!(
    a_menu_posted_after_reactions_elsewhere_answers_at_once,
    every_kind_of_menu_works_after_a_restart,
    unique_mode_swaps_roles,
    verify_adds_only_and_drop_removes_only,
    a_role_above_the_bot_is_refused_at_creation_and_at_click,
    two_quick_clicks_on_different_buttons_both_stick,
    a_delayed_autorole_is_given_when_the_virtual_clock_reaches_it,
    a_bot_joining_gets_no_member_autorole,
    a_removed_autorole_is_not_given_to_members_still_waiting,
    a_deleted_role_leaves_its_menus_and_the_mod_log_says_so,
);
