//! The conformance suite every roles store must pass.
//!
//! Each behaviour is a `pub async fn` named as a sentence, taking a fresh, empty store. A
//! backend runs them all with one line, `hearth_roles::roles_store_suite!(factory)`, where the
//! factory returns a [`Fixture`] (for example `(store, tempdir)`). The macro expands into one
//! `#[tokio::test(flavor = "multi_thread", worker_threads = 4)]` per behaviour, so the calling
//! crate needs `tokio` with `macros` and `rt-multi-thread` as a dev-dependency. The parallel
//! behaviours take two handles on the same data and a [`Spawn`]er, so their tasks really run
//! at once.
//!
//! Every function panics, as a test does, when the store breaks the behaviour it describes or
//! returns an error.

// Panicking is what these functions are for; the module doc says so once.
#![allow(clippy::missing_panics_doc)]

use std::{collections::HashSet, time::Duration};

use futures_util::future::join_all;
use hearth_core::{ChannelId, GuildId, MessageId, RoleId, Timestamp, UserId};

#[doc(hidden)]
pub use hearth_core::__store_suite;
pub use hearth_core::testkit::{Fixture, Spawn};

use crate::{
    Autorole, AutoroleStore, AutoroleTarget, MenuEmoji, MenuKind, MenuMode, MenuOption,
    PendingGrant, RoleMenu, RoleMenuStore, Roles,
};

const GUILD: GuildId = GuildId::new(1_000);
const OTHER_GUILD: GuildId = GuildId::new(2_000);
const ALICE: UserId = UserId::new(11);
const BOB: UserId = UserId::new(12);

fn secs(s: i64) -> Timestamp {
    Timestamp::from_unix_secs(s)
}

/// A buttons menu on `message` offering `roles`.
fn menu(guild: GuildId, message: u64, roles: &[u64]) -> RoleMenu {
    RoleMenu {
        message: MessageId::new(message),
        guild,
        channel: ChannelId::new(5),
        kind: MenuKind::Buttons,
        mode: MenuMode::Normal,
        limit: None,
        required: vec![],
        title: "Roles".to_owned(),
        options: roles
            .iter()
            .map(|r| MenuOption {
                role: RoleId::new(*r),
                emoji: None,
                label: format!("role {r}"),
            })
            .collect(),
        version: 0,
    }
}

fn grant(user: UserId, role: u64, due: Option<i64>) -> PendingGrant {
    PendingGrant {
        guild: GUILD,
        user,
        role: RoleId::new(role),
        delay: Duration::from_secs(30),
        due: due.map(secs),
    }
}

/// A menu with every field set (both emoji kinds, a limit, required roles, a long label in
/// another script) reads back as it was written, at version 0.
pub async fn a_menu_with_every_field_reads_back_by_message(store: &impl RoleMenuStore) {
    let mut full = menu(GUILD, 77, &[1, 2, 3]);
    full.kind = MenuKind::Reactions;
    full.mode = MenuMode::Unique;
    full.limit = Some(2);
    full.required = vec![RoleId::new(9), RoleId::new(u64::MAX)];
    "Choisissez · 役割を選ぶ 🎮".clone_into(&mut full.title);
    full.options[0].emoji = Some(MenuEmoji::Unicode {
        name: "🎮".to_owned(),
    });
    full.options[1].emoji = Some(MenuEmoji::Custom {
        id: u64::MAX,
        name: "party_parrot".to_owned(),
        animated: true,
    });
    full.options[2].emoji = Some(MenuEmoji::Custom {
        id: 42,
        name: "pin".to_owned(),
        animated: false,
    });
    full.options[2].label = "ロール".repeat(26);
    full.version = 7;
    assert!(store.insert_menu(&full).await.unwrap());
    let read = store.menu(full.message).await.unwrap().expect("stored");
    assert_eq!(read, RoleMenu { version: 0, ..full });
    assert_eq!(store.menu(MessageId::new(78)).await.unwrap(), None);
}

/// A second menu on a message that has one is refused and changes nothing.
pub async fn a_message_holds_one_menu(store: &impl RoleMenuStore) {
    assert!(store.insert_menu(&menu(GUILD, 10, &[1])).await.unwrap());
    assert!(!store.insert_menu(&menu(GUILD, 10, &[2, 3])).await.unwrap());
    let read = store.menu(MessageId::new(10)).await.unwrap().unwrap();
    assert_eq!(read.options.len(), 1);
}

/// A guild's menus are listed oldest message first, without other guilds' menus.
pub async fn menus_are_listed_per_guild_oldest_first(store: &impl RoleMenuStore) {
    for (guild, message) in [(GUILD, 30), (OTHER_GUILD, 20), (GUILD, 10)] {
        store
            .insert_menu(&menu(guild, message, &[1]))
            .await
            .unwrap();
    }
    let listed: Vec<u64> = store
        .guild_menus(GUILD)
        .await
        .unwrap()
        .iter()
        .map(|m| m.message.get())
        .collect();
    assert_eq!(listed, [10, 30]);
    assert!(store.guild_menus(GuildId::new(3)).await.unwrap().is_empty());
}

/// A replace made from the stored version is written at the next version; one made from an
/// older version, or of a missing menu, writes nothing.
pub async fn a_replace_writes_only_over_the_version_it_was_made_from(store: &impl RoleMenuStore) {
    let first = menu(GUILD, 10, &[1]);
    store.insert_menu(&first).await.unwrap();
    let mut changed = first.clone();
    "Changed".clone_into(&mut changed.title);
    let stored = store
        .replace_menu(&changed)
        .await
        .unwrap()
        .expect("current");
    assert_eq!(stored.version, 1);
    assert_eq!(stored.title, "Changed");
    let mut stale = first.clone();
    "Stale".clone_into(&mut stale.title);
    assert_eq!(store.replace_menu(&stale).await.unwrap(), None);
    let read = store.menu(first.message).await.unwrap().unwrap();
    assert_eq!((read.title.as_str(), read.version), ("Changed", 1));
    assert_eq!(
        store.replace_menu(&menu(GUILD, 11, &[1])).await.unwrap(),
        None
    );
    assert_eq!(store.menu(MessageId::new(11)).await.unwrap(), None);
}

/// Deleting a menu needs its guild; once deleted it is gone.
pub async fn a_menu_is_deleted_only_through_its_guild(store: &impl RoleMenuStore) {
    store.insert_menu(&menu(GUILD, 10, &[1])).await.unwrap();
    assert!(
        !store
            .delete_menu(OTHER_GUILD, MessageId::new(10))
            .await
            .unwrap()
    );
    assert!(store.menu(MessageId::new(10)).await.unwrap().is_some());
    assert!(store.delete_menu(GUILD, MessageId::new(10)).await.unwrap());
    assert!(!store.delete_menu(GUILD, MessageId::new(10)).await.unwrap());
    assert_eq!(store.menu(MessageId::new(10)).await.unwrap(), None);
}

/// Autoroles are added, replaced by role, listed by role id per guild and removed.
pub async fn autoroles_are_added_replaced_listed_and_removed(store: &impl AutoroleStore) {
    let auto = |guild, role, delay, target| Autorole {
        guild,
        role: RoleId::new(role),
        delay: Duration::from_secs(delay),
        target,
    };
    assert!(
        store
            .put_autorole(auto(GUILD, 20, 0, AutoroleTarget::Members))
            .await
            .unwrap()
    );
    assert!(
        store
            .put_autorole(auto(GUILD, 10, 600, AutoroleTarget::Bots))
            .await
            .unwrap()
    );
    assert!(
        store
            .put_autorole(auto(OTHER_GUILD, 30, 0, AutoroleTarget::Members))
            .await
            .unwrap()
    );
    let replaced = auto(GUILD, 20, 90, AutoroleTarget::Members);
    assert!(!store.put_autorole(replaced).await.unwrap());
    assert_eq!(
        store.autoroles(GUILD).await.unwrap(),
        [auto(GUILD, 10, 600, AutoroleTarget::Bots), replaced]
    );
    assert!(store.remove_autorole(GUILD, RoleId::new(10)).await.unwrap());
    assert!(!store.remove_autorole(GUILD, RoleId::new(10)).await.unwrap());
    assert_eq!(store.autoroles(GUILD).await.unwrap(), [replaced]);
}

/// Grants are claimed earliest due first, only once due, at most `limit` at a time; a claimed
/// grant is leased (not claimable again until the lease ends) and gone once finished.
pub async fn due_grants_are_claimed_in_order_under_a_lease(store: &impl AutoroleStore) {
    store
        .schedule_grants(vec![
            grant(ALICE, 1, Some(20)),
            grant(BOB, 1, Some(10)),
            grant(ALICE, 2, Some(100)),
        ])
        .await
        .unwrap();
    assert_eq!(store.next_grant_due().await.unwrap(), Some(secs(10)));
    assert!(
        store
            .claim_grants(secs(5), secs(65), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let first = store.claim_grants(secs(30), secs(90), 1).await.unwrap();
    assert_eq!(first, [grant(BOB, 1, Some(10))]);
    let second = store.claim_grants(secs(30), secs(90), 10).await.unwrap();
    assert_eq!(second, [grant(ALICE, 1, Some(20))]);
    assert!(
        store
            .claim_grants(secs(40), secs(100), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .finish_grant(GUILD, BOB, RoleId::new(1))
            .await
            .unwrap()
    );
    assert!(
        !store
            .finish_grant(GUILD, BOB, RoleId::new(1))
            .await
            .unwrap()
    );
    // Alice's lease ended without a finish: she is claimable again, beside her later grant.
    let again = store.claim_grants(secs(100), secs(160), 10).await.unwrap();
    let roles: Vec<u64> = again.iter().map(|g| g.role.get()).collect();
    assert_eq!(roles, [1, 2]);
    assert!(again.iter().all(|g| g.user == ALICE));
}

/// Scheduling a grant that is pending already keeps the first (a replayed join).
pub async fn a_grant_scheduled_twice_is_kept_once(store: &impl AutoroleStore) {
    store
        .schedule_grants(vec![grant(ALICE, 1, Some(10))])
        .await
        .unwrap();
    store
        .schedule_grants(vec![grant(ALICE, 1, Some(50)), grant(ALICE, 2, Some(50))])
        .await
        .unwrap();
    let claimed = store.claim_grants(secs(60), secs(120), 10).await.unwrap();
    assert_eq!(
        claimed,
        [grant(ALICE, 1, Some(10)), grant(ALICE, 2, Some(50))]
    );
}

/// A grant waiting for screening is never claimed; releasing makes it due `delay` later, once.
pub async fn grants_waiting_for_screening_are_released_once(store: &impl AutoroleStore) {
    store
        .schedule_grants(vec![grant(ALICE, 1, None), grant(BOB, 1, None)])
        .await
        .unwrap();
    assert_eq!(store.next_grant_due().await.unwrap(), None);
    assert!(
        store
            .claim_grants(secs(1_000_000), secs(1_000_060), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.release_grants(GUILD, ALICE, secs(100)).await.unwrap(),
        1
    );
    assert_eq!(
        store.release_grants(GUILD, ALICE, secs(200)).await.unwrap(),
        0
    );
    assert_eq!(store.next_grant_due().await.unwrap(), Some(secs(130)));
    let claimed = store.claim_grants(secs(130), secs(190), 10).await.unwrap();
    assert_eq!(claimed, [grant(ALICE, 1, Some(130))]);
}

/// Cancelling forgets a member's grants in one guild, waiting or due, and nobody else's.
pub async fn cancelling_forgets_one_members_grants(store: &impl AutoroleStore) {
    let mut elsewhere = grant(ALICE, 1, Some(10));
    elsewhere.guild = OTHER_GUILD;
    store
        .schedule_grants(vec![
            grant(ALICE, 1, Some(10)),
            grant(ALICE, 2, None),
            grant(BOB, 1, Some(10)),
            elsewhere,
        ])
        .await
        .unwrap();
    assert_eq!(store.cancel_grants(GUILD, ALICE).await.unwrap(), 2);
    assert_eq!(store.cancel_grants(GUILD, ALICE).await.unwrap(), 0);
    let claimed = store.claim_grants(secs(60), secs(120), 10).await.unwrap();
    let who: HashSet<(u64, u64)> = claimed
        .iter()
        .map(|g| (g.guild.get(), g.user.get()))
        .collect();
    assert_eq!(
        who,
        HashSet::from([(GUILD.get(), BOB.get()), (OTHER_GUILD.get(), ALICE.get())])
    );
}

/// Two processes adding different roles to one menu at once: both roles end up in it.
pub async fn concurrent_additions_to_one_menu_both_stick<S>(first: S, second: S, spawn: &impl Spawn)
where
    S: RoleMenuStore + AutoroleStore + Clone + Send + Sync + 'static,
{
    first.insert_menu(&menu(GUILD, 10, &[1])).await.unwrap();
    let tasks = (0..8u64).map(|i| {
        let store = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        spawn.spawn(async move {
            Roles::new(store)
                .add_option(
                    GUILD,
                    MessageId::new(10),
                    MenuOption {
                        role: RoleId::new(100 + i),
                        emoji: None,
                        label: format!("r{i}"),
                    },
                )
                .await
                .unwrap();
        })
    });
    join_all(tasks).await;
    let read = first.menu(MessageId::new(10)).await.unwrap().unwrap();
    let mut roles: Vec<u64> = read.options.iter().map(|o| o.role.get()).collect();
    roles.sort_unstable();
    assert_eq!(roles, [1, 100, 101, 102, 103, 104, 105, 106, 107]);
    assert_eq!(read.version, 8);
}

/// Two processes claiming at once never claim one grant twice, and together claim them all.
pub async fn concurrent_claims_take_each_grant_once<S>(first: S, second: S, spawn: &impl Spawn)
where
    S: RoleMenuStore + AutoroleStore + Clone + Send + Sync + 'static,
{
    let grants: Vec<PendingGrant> = (0..40)
        .map(|u| grant(UserId::new(100 + u), 1, Some(10)))
        .collect();
    first.schedule_grants(grants).await.unwrap();
    let tasks = (0..8).map(|i| {
        let store = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        spawn.spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = store.claim_grants(secs(20), secs(1_000), 3).await.unwrap();
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|g| g.user.get()));
            }
        })
    });
    let all: Vec<u64> = join_all(tasks).await.into_iter().flatten().collect();
    let unique: HashSet<u64> = all.iter().copied().collect();
    assert_eq!(all.len(), 40, "claimed twice: {all:?}");
    assert_eq!(unique.len(), 40);
}

/// Runs the roles conformance suite ([`RoleMenuStore`](crate::RoleMenuStore) and
/// [`AutoroleStore`](crate::AutoroleStore)) as `#[tokio::test]`s. Forms: `(factory)`,
/// `([#[attr]…] factory)`, and `([#[attr]…] optional factory)` where the factory returns an
/// `Option` and `None` skips (a server absent outside CI).
#[macro_export]
macro_rules! roles_store_suite {
    ([$(#[$attr:meta])*] optional $factory:expr) => {
        $crate::__roles_store_suite! { @all [$(#[$attr])*] (optional $factory) }
    };
    ([$(#[$attr:meta])*] $factory:expr) => {
        $crate::__roles_store_suite! { @all [$(#[$attr])*] (required $factory) }
    };
    ($factory:expr) => {
        $crate::roles_store_suite!([] $factory);
    };
}

/// The suite's list of behaviours.
#[doc(hidden)]
#[macro_export]
macro_rules! __roles_store_suite {
    (@all [$($attr:tt)*] $factory:tt) => {
        $crate::testkit::__store_suite! {
            [$crate] [$($attr)*] $factory;
            a_menu_with_every_field_reads_back_by_message,
            a_message_holds_one_menu,
            menus_are_listed_per_guild_oldest_first,
            a_replace_writes_only_over_the_version_it_was_made_from,
            a_menu_is_deleted_only_through_its_guild,
            autoroles_are_added_replaced_listed_and_removed,
            due_grants_are_claimed_in_order_under_a_lease,
            a_grant_scheduled_twice_is_kept_once,
            grants_waiting_for_screening_are_released_once,
            cancelling_forgets_one_members_grants,
        }
        $crate::testkit::__store_suite! {
            @parallel [$crate] [$($attr)*] $factory;
            concurrent_additions_to_one_menu_both_stick,
            concurrent_claims_take_each_grant_once,
        }
    };
}
